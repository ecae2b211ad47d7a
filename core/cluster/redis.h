#pragma once

#include "result.h"

#include <QString>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace vtfarm::cluster {

/// \brief Where Redis is: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or `unix:///PATH[?db=N]`.
struct RedisUrl
{
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379;
    QString socketPath; ///< a Unix socket instead of host and port
    QString user; ///< Redis 6 ACL user; empty: the default user
    QString password;
    int db = 0;

    static Result<RedisUrl> parse(const QString& text);
    /// The URL without its password, for messages and logs.
    QString display() const;
};

/// \brief A value in a Redis reply: a string, an integer, nil, an error or an array of values.
/// Does not own its data: valid while the RedisReply it came from lives.
class RedisValue
{
public:
    explicit RedisValue(const redisReply* reply = nullptr)
        : m_r(reply)
    { }
    bool isNil() const;
    bool isError() const;
    bool isArray() const;
    bool isString() const; ///< a bulk string or a status ("OK")
    bool isInteger() const;
    std::string_view text() const; ///< string, status or error text
    QString qtext() const { return QString::fromUtf8(text().data(), qsizetype(text().size())); }
    long long integer() const;
    std::size_t size() const; ///< elements of an array
    RedisValue at(std::size_t i) const;

private:
    const redisReply* m_r;
};

/// \brief A whole reply, freed with it.
class RedisReply
{
public:
    explicit RedisReply(redisReply* reply);
    ~RedisReply();
    RedisReply(RedisReply&& other) noexcept;
    RedisReply& operator=(RedisReply&& other) noexcept;
    RedisReply(const RedisReply&) = delete;
    RedisReply& operator=(const RedisReply&) = delete;
    RedisValue value() const { return RedisValue(m_r); }

private:
    redisReply* m_r = nullptr;
};

/// \brief One connection to Redis (hiredis, blocking calls). Used from one thread at a time.
///
/// A command fails with ErrorCode::IoError when the connection broke (then broken() is true and
/// the connection must be made again), and with the server's error text otherwise.
class Redis
{
public:
    /// Connects, authenticates and selects the database; the errors say which of these failed
    /// (unreachable, wrong password, no such database).
    static Result<std::unique_ptr<Redis>> connect(const RedisUrl& url, std::chrono::milliseconds timeout);
    ~Redis();
    Redis(const Redis&) = delete;
    Redis& operator=(const Redis&) = delete;

    Result<RedisReply> command(const std::vector<std::string>& args);
    /// How long a command may wait for its answer (a blocking read needs more than its BLOCK).
    void setTimeout(std::chrono::milliseconds timeout);
    bool broken() const { return m_broken; }

private:
    explicit Redis(redisContext* context);
    redisContext* m_c;
    bool m_broken = false;
};

/// A reply's error as an Error, or nothing.
inline bool isBusyGroup(const RedisValue& v)
{
    return v.isError() && v.text().substr(0, 9) == "BUSYGROUP";
}

} // namespace vtfarm::cluster
