#pragma once

#include <QByteArray>
#include <QString>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vtfarm::api {

/// \brief The server's token, kept as a digest, and the check of `Authorization: Bearer TOKEN`.
class TokenCheck
{
public:
    /// An empty \a token: none is required.
    explicit TokenCheck(const QString& token = {});
    bool required() const { return !m_digest.isEmpty(); }
    /// Whether an Authorization header value carries the token. Compares digests of equal length,
    /// every byte of them, so that a timing observer learns nothing, not even the token's length.
    bool accepts(std::string_view authorization) const;

private:
    QByteArray m_digest;
};

/// \brief Failed token checks per client address; enough of them lock the address out for a
/// while, doubling each time, so that guessing a token takes forever. Thread-safe.
class AuthThrottle
{
public:
    explicit AuthThrottle(int freeFailures);

    /// Seconds \a address must wait before its next try; 0 when it may try now.
    int lockedFor(const std::string& address);
    void failed(const std::string& address);
    void succeeded(const std::string& address);

private:
    using Clock = std::chrono::steady_clock;
    struct Entry
    {
        int failures = 0;
        Clock::time_point lastFailure;
        Clock::time_point lockedUntil;
    };
    void prune(Clock::time_point now);

    const int m_freeFailures;
    std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_entries;
};

} // namespace vtfarm::api
