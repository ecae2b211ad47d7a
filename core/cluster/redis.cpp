#include "redis.h"

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>
#include <hiredis/hiredis.h>

namespace vtfarm::cluster {

namespace {

/// \a text for a message: a password in it hidden.
QString shown(const QString& text)
{
    static const QRegularExpression userinfo(QStringLiteral("//[^/@]*@"));
    return QString(text.left(200)).replace(userinfo, QStringLiteral("//***@"));
}

} // namespace

Result<RedisUrl> RedisUrl::parse(const QString& text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    RedisUrl r;
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != u"redis" && scheme != u"unix"))
        return Error::invalid("redis",
            QStringLiteral("'%1' is not a Redis URL; write redis://[:PASSWORD@]HOST[:PORT][/DB]")
                .arg(shown(text)));
    r.user = url.userName();
    r.password = url.password();
    if (scheme == u"unix") {
        r.socketPath = url.path();
        if (r.socketPath.isEmpty())
            return Error::invalid("redis", QStringLiteral("'%1' names no socket").arg(shown(text)));
        const QString db = QUrlQuery(url).queryItemValue(QStringLiteral("db"));
        if (!db.isEmpty())
            r.db = db.toInt();
        return r;
    }
    if (url.host().isEmpty())
        return Error::invalid("redis", QStringLiteral("'%1' names no host").arg(shown(text)));
    r.host = url.host();
    r.port = url.port(6379);
    const QString path = url.path().mid(1);
    if (!path.isEmpty()) {
        bool ok = false;
        r.db = path.toInt(&ok);
        if (!ok || r.db < 0)
            return Error::invalid(
                "redis", QStringLiteral("'%1' is not a database number").arg(path.left(32)));
    }
    return r;
}

QString RedisUrl::display() const
{
    const QString auth = password.isEmpty()
        ? QString()
        : (user.isEmpty() ? QStringLiteral(":***@") : user + QStringLiteral(":***@"));
    if (!socketPath.isEmpty())
        return QStringLiteral("unix://%1%2").arg(auth, socketPath);
    return QStringLiteral("redis://%1%2:%3/%4").arg(auth, host).arg(port).arg(db);
}

bool RedisValue::isNil() const
{
    return !m_r || m_r->type == REDIS_REPLY_NIL;
}

bool RedisValue::isError() const
{
    return m_r && m_r->type == REDIS_REPLY_ERROR;
}

bool RedisValue::isArray() const
{
    return m_r && m_r->type == REDIS_REPLY_ARRAY;
}

bool RedisValue::isString() const
{
    return m_r && (m_r->type == REDIS_REPLY_STRING || m_r->type == REDIS_REPLY_STATUS);
}

bool RedisValue::isInteger() const
{
    return m_r && m_r->type == REDIS_REPLY_INTEGER;
}

std::string_view RedisValue::text() const
{
    if (!m_r || !m_r->str)
        return {};
    return { m_r->str, m_r->len };
}

long long RedisValue::integer() const
{
    if (!m_r)
        return 0;
    if (m_r->type == REDIS_REPLY_INTEGER)
        return m_r->integer;
    return QByteArray(m_r->str, int(m_r->len)).toLongLong();
}

std::size_t RedisValue::size() const
{
    return isArray() ? m_r->elements : 0;
}

RedisValue RedisValue::at(std::size_t i) const
{
    return i < size() ? RedisValue(m_r->element[i]) : RedisValue();
}

RedisReply::RedisReply(redisReply* reply)
    : m_r(reply)
{ }

RedisReply::~RedisReply()
{
    if (m_r)
        freeReplyObject(m_r);
}

RedisReply::RedisReply(RedisReply&& other) noexcept
    : m_r(std::exchange(other.m_r, nullptr))
{ }

RedisReply& RedisReply::operator=(RedisReply&& other) noexcept
{
    if (this != &other) {
        if (m_r)
            freeReplyObject(m_r);
        m_r = std::exchange(other.m_r, nullptr);
    }
    return *this;
}

namespace {

timeval toTimeval(std::chrono::milliseconds ms)
{
    return { static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000) };
}

} // namespace

Redis::Redis(redisContext* context)
    : m_c(context)
{ }

Redis::~Redis()
{
    redisFree(m_c);
}

Result<std::unique_ptr<Redis>> Redis::connect(const RedisUrl& url, std::chrono::milliseconds timeout)
{
    const timeval tv = toTimeval(timeout);
    redisContext* c = url.socketPath.isEmpty()
        ? redisConnectWithTimeout(url.host.toUtf8().constData(), url.port, tv)
        : redisConnectUnixWithTimeout(url.socketPath.toUtf8().constData(), tv);
    if (!c)
        return Error { ErrorCode::Internal, QStringLiteral("Out of memory connecting to Redis."), {} };
    if (c->err) {
        const QString why = QString::fromLocal8Bit(c->errstr);
        redisFree(c);
        return Error { ErrorCode::IoError,
            QStringLiteral("Cannot reach Redis at %1: %2.").arg(url.display(), why), "redis" };
    }
    std::unique_ptr<Redis> redis(new Redis(c));
    redis->setTimeout(timeout);
    if (!url.password.isEmpty()) {
        std::vector<std::string> auth { "AUTH" };
        if (!url.user.isEmpty())
            auth.push_back(url.user.toStdString());
        auth.push_back(url.password.toStdString());
        auto r = redis->command(auth);
        if (!r)
            return r.error();
        if (r->value().isError())
            return Error { ErrorCode::Unauthorized,
                QStringLiteral("Redis at %1 refused the password: %2.")
                    .arg(url.display(), r->value().qtext()),
                "redis" };
    }
    if (url.db != 0) {
        auto r = redis->command({ "SELECT", std::to_string(url.db) });
        if (!r)
            return r.error();
        if (r->value().isError())
            return Error::invalid("redis",
                QStringLiteral("Redis at %1 has no database %2: %3.")
                    .arg(url.display())
                    .arg(url.db)
                    .arg(r->value().qtext()));
    }
    auto ping = redis->command({ "PING" });
    if (!ping)
        return ping.error();
    if (ping->value().isError()) {
        const QString text = ping->value().qtext();
        const bool auth = text.startsWith(u"NOAUTH") || text.startsWith(u"WRONGPASS");
        return Error { auth ? ErrorCode::Unauthorized : ErrorCode::IoError,
            auth
                ? QStringLiteral("Redis at %1 wants a password: give it in the URL (redis://:PASSWORD@host).")
                      .arg(url.display())
                : QStringLiteral("Redis at %1 answered: %2.").arg(url.display(), text),
            "redis" };
    }
    return redis;
}

void Redis::setTimeout(std::chrono::milliseconds timeout)
{
    redisSetTimeout(m_c, toTimeval(timeout));
}

Result<RedisReply> Redis::command(const std::vector<std::string>& args)
{
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const std::string& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* reply
        = static_cast<redisReply*>(redisCommandArgv(m_c, int(argv.size()), argv.data(), lengths.data()));
    if (!reply) {
        m_broken = true;
        return Error { ErrorCode::IoError,
            QStringLiteral("The connection to Redis broke: %1.").arg(QString::fromLocal8Bit(m_c->errstr)),
            "redis" };
    }
    return RedisReply(reply);
}

} // namespace vtfarm::cluster
