#include "apiserver.h"

#include "apierror.h"
#include "apiserverimpl.h"
#include "codecs.h"
#include "jobmanager.h"
#include "metrics.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QThread>

static void initApiResources()
{
    Q_INIT_RESOURCE(api);
}

// The access log (debug) is off unless QT_LOGGING_RULES="vtfarm.api.debug=true".
Q_LOGGING_CATEGORY(lcApi, "vtfarm.api", QtInfoMsg)

namespace vtfarm::api {

using jobs::Job;

namespace {

const char* const kJsonType = "application/json";

std::string normalizedMethod(const std::string& method)
{
    static const char* const known[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };
    for (const char* m : known) {
        if (method == m)
            return method;
    }
    return "other";
}

// What kind of error an answer the HTTP layer makes itself is, in the API's words.
ErrorCode codeForStatus(int status)
{
    switch (status) {
    case 404:
        return ErrorCode::NotFound;
    case 408:
    case 413:
    case 414:
    case 431:
    case 503:
        return ErrorCode::LimitExceeded;
    case 500:
        return ErrorCode::Internal;
    default:
        return ErrorCode::InvalidArgument;
    }
}

// The document's lists of codecs, containers and error codes come from where the program keeps
// them, like everything else that names them: every property called so that has an enum gets them.
QJsonValue withTableEnums(const QJsonValue& value)
{
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue& v : value.toArray())
            out.append(withTableEnums(v));
        return out;
    }
    if (!value.isObject())
        return value;
    QJsonObject o = value.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        QJsonValue v = withTableEnums(it.value());
        if (v.isObject() && v.toObject().contains(u"enum")) {
            QStringList names;
            if (it.key() == u"codec")
                names = media::videoCodecNames();
            else if (it.key() == u"audio_codec")
                names = media::audioCodecNames();
            else if (it.key() == u"container")
                names = media::containerExtensions();
            else if (it.key() == u"code")
                names = errorCodeNames();
            if (!names.isEmpty()) {
                QJsonObject schema = v.toObject();
                schema[u"enum"] = QJsonArray::fromStringList(names);
                v = schema;
            }
        }
        it.value() = v;
    }
    return o;
}

/// The HTTP layer's own refusals, in sentences a person can act on.
QString messageFor(int status, std::string_view said, const ApiServer::Options& o)
{
    const QString text = QString::fromUtf8(said.data(), qsizetype(said.size()));
    switch (status) {
    case 404:
        return QStringLiteral("No such route.");
    case 405:
        return QStringLiteral("This route does not take this method; the Allow header says which it takes.");
    case 408:
        return text.contains(u"body")
            ? QStringLiteral("The body came slower than %1 KiB/s over %2 s; what arrived was removed.")
                  .arg(o.minBodyBytesPerSecond / 1024)
                  .arg(o.bodyRateWindowMs / 1000)
            : QStringLiteral("The request's header did not arrive within %1 s.")
                  .arg(o.headerTimeoutMs / 1000.0);
    case 413:
        return QStringLiteral("The request body is larger than this route accepts.");
    case 414:
        return QStringLiteral("The request target is longer than %1 bytes.").arg(o.maxTargetBytes);
    case 431:
        return QStringLiteral("The request's header is larger than %1 bytes.").arg(o.maxHeaderBytes);
    case 503:
        return text.contains(u"connections") ? QStringLiteral("The server has %1; try again later.").arg(text)
                                             : QStringLiteral("The server is busy; try again later.");
    default:
        return text.isEmpty()
            ? QStringLiteral("The request was refused (HTTP %1).").arg(status)
            : QStringLiteral("The request was refused (HTTP %1): %2.").arg(status).arg(text);
    }
}

} // namespace

ApiServer::Impl::Impl(Options o, jobs::JobManager* manager, metrics::Metrics* metrics)
    : options(std::move(o))
    , manager(manager)
    , metrics(metrics)
    , throttle(options.authFailuresBeforeLockout)
{
    routes = makeRoutes();
    for (std::size_t i = 0; i < routes.size(); ++i)
        routes[i].route.tag = int(i);
}

QString ApiServer::Impl::uploadsDir() const
{
    return QDir(options.dataDir).filePath(QStringLiteral("uploads"));
}

QString ApiServer::Impl::outputsDir() const
{
    return QDir(options.dataDir).filePath(QStringLiteral("outputs"));
}

// ---- answers --------------------------------------------------------------------------------

http::Response ApiServer::Impl::error(const Error& e) const
{
    http::Response res(httpStatus(e.code), kJsonType, errorBody(e).toStdString());
    if (e.code == ErrorCode::Unauthorized)
        res.headers.set("WWW-Authenticate", "Bearer realm=\"vtfarm\"");
    return res;
}

http::Response ApiServer::Impl::json(int status, const QJsonObject& body) const
{
    return http::Response(
        status, kJsonType, QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString());
}

http::Response ApiServer::Impl::stoppingAnswer() const
{
    http::Response res = error({ ErrorCode::Canceled, QStringLiteral("The server is stopping."), {} });
    res.close = true;
    return res;
}

// ---- plumbing -------------------------------------------------------------------------------

bool ApiServer::Impl::isStopping()
{
    std::lock_guard lock(callsMutex);
    return stopping;
}

std::optional<http::Response> ApiServer::Impl::admit(const http::Request& req, const http::Route* route)
{
    if (isStopping())
        return stoppingAnswer();
    // No route: 404 or 405, answered without a token like the open routes.
    if (!route || routes[std::size_t(route->tag)].open)
        return std::nullopt;
    if (!token.required()) {
        if (!routes[std::size_t(route->tag)].nodesOnly)
            return std::nullopt;
        http::Response res = error({ ErrorCode::Unauthorized,
            QStringLiteral("This route is for the farm's nodes, and this server has no token: start it with "
                           "--token-file."),
            {} });
        res.close = true;
        return res;
    }
    const std::string& address = req.remoteAddress;
    if (const int wait = throttle.lockedFor(address); wait > 0) {
        http::Response res = error({ ErrorCode::Unauthorized,
            QStringLiteral("Too many failed attempts from this address; try again in %1 s.").arg(wait), {} });
        res.headers.set("Retry-After", std::to_string(wait));
        res.close = true;
        return res;
    }
    const std::optional<std::string> authorization = req.header("Authorization");
    if (!token.accepts(authorization.value_or(std::string()))) {
        throttle.failed(address);
        http::Response res = error({ ErrorCode::Unauthorized,
            authorization ? QStringLiteral("The token is wrong.")
                          : QStringLiteral("This server wants a token: send Authorization: Bearer TOKEN."),
            {} });
        res.close = true;
        return res;
    }
    throttle.succeeded(address);
    return std::nullopt;
}

void ApiServer::Impl::done(const http::Request& req, int status, double seconds)
{
    const std::string route
        = req.routeTag >= 0 ? routes[std::size_t(req.routeTag)].route.pattern : std::string("unmatched");
    if (metrics)
        metrics->observeHttpRequest(route, normalizedMethod(req.method), status, seconds);
    qCDebug(lcApi, "%s %s %d %.1f ms", req.method.c_str(), req.target.c_str(), status, seconds * 1000.0);
}

bool ApiServer::Impl::onManagerThread(std::function<void()> fn)
{
    if (QThread::currentThread() == manager->thread()) {
        fn();
        return true;
    }
    auto call = std::make_shared<PendingCall>();
    call->fn = std::move(fn);
    {
        std::lock_guard lock(callsMutex);
        if (stopping)
            return false;
        pendingCalls.insert(call);
    }
    // Like a blocking queued call, except that stop() can release the waiter: the manager's thread
    // stops running its event loop when the server stops, and would otherwise never answer.
    QMetaObject::invokeMethod(
        manager,
        [call] {
            std::unique_lock lock(call->mutex);
            if (call->abandoned)
                return;
            call->fn();
            call->done = true;
            call->cv.notify_all();
        },
        Qt::QueuedConnection);
    bool ran = false;
    {
        std::unique_lock lock(call->mutex);
        call->cv.wait(lock, [&] { return call->done || call->abandoned; });
        ran = call->done;
    }
    std::lock_guard lock(callsMutex);
    pendingCalls.erase(call);
    return ran;
}

void ApiServer::Impl::abandonPendingCalls()
{
    std::lock_guard lock(callsMutex);
    stopping = true;
    for (const auto& call : std::as_const(pendingCalls)) {
        std::lock_guard callLock(call->mutex);
        if (!call->done) {
            call->abandoned = true;
            call->cv.notify_all();
        }
    }
}

void ApiServer::Impl::removeOrphanUploads()
{
    // An upload that no job names was left by a crash mid-upload; unless the store was rebuilt
    // from a damaged one, whose lost jobs may have named it.
    if (const QString damaged = manager->storeRecoveredFrom(); !damaged.isEmpty()) {
        qCWarning(lcApi).noquote() << QStringLiteral(
            "keeping every upload: the job store was recovered from the damaged %1 and may not name them all")
                                          .arg(damaged);
        return;
    }
    QSet<QString> inputs;
    jobs::JobQuery query;
    query.limit = 1000;
    for (;;) {
        const jobs::JobPage page = manager->jobs(query);
        for (const Job& job : page.jobs)
            inputs.insert(QFileInfo(job.spec.input).absoluteFilePath());
        if (page.next.isNull())
            break;
        query.after = page.next;
    }
    QDirIterator it(uploadsDir(), QDir::Files | QDir::Hidden);
    while (it.hasNext()) {
        const QString path = QFileInfo(it.next()).absoluteFilePath();
        if (!inputs.contains(path)) {
            qCInfo(lcApi) << "removing an upload no job uses:" << path;
            QFile::remove(path);
        }
    }
}

// ---- ApiServer --------------------------------------------------------------------------------

ApiServer::ApiServer(Options options, jobs::JobManager* manager, metrics::Metrics* metrics, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Impl>(std::move(options), manager, metrics))
{ }

ApiServer::~ApiServer()
{
    stop();
}

bool ApiServer::isLoopback(const QString& address)
{
    if (address.compare(u"localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress a(address);
    return !a.isNull() && a.isLoopback();
}

QByteArray ApiServer::openApiDocument()
{
    initApiResources();
    QFile f(QStringLiteral(":/api/openapi.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    return QJsonDocument(withTableEnums(doc.object()).toObject()).toJson(QJsonDocument::Indented);
}

std::vector<ApiServer::RouteInfo> ApiServer::routes() const
{
    std::vector<RouteInfo> list;
    for (const Impl::ApiRoute& r : d->routes)
        list.push_back({ r.route.method, r.route.pattern });
    return list;
}

int ApiServer::port() const
{
    return d->boundPort;
}

bool ApiServer::isRunning() const
{
    return d->server != nullptr;
}

Result<void> ApiServer::start()
{
    if (d->server)
        return {};
    const Options& o = d->options;
    if (!d->manager)
        return Error { ErrorCode::InvalidArgument, QStringLiteral("The API needs a job manager."), {} };
    if (o.dataDir.isEmpty())
        return Error::invalid(
            "data_dir", QStringLiteral("The API needs a data folder for uploads and outputs."));
    if (!o.token.isEmpty() && o.token.size() < 16)
        return Error::invalid("token", QStringLiteral("A token has at least 16 characters."));
    if (o.token.isEmpty() && !isLoopback(o.bindAddress))
        return Error::invalid("token",
            QStringLiteral("Listening on %1, which other machines can reach, needs a token (--token-file).")
                .arg(o.bindAddress));
    for (const QString& dir : { d->uploadsDir(), d->outputsDir() }) {
        if (!QDir().mkpath(dir))
            return Error { ErrorCode::IoError, QStringLiteral("Cannot create %1.").arg(dir), "data_dir" };
    }
    d->token = TokenCheck(o.token);
    d->presets = std::make_unique<media::PresetLibrary>(o.presetsDir);
    d->openApi = openApiDocument();
    d->removeOrphanUploads();
    {
        std::lock_guard lock(d->callsMutex);
        d->stopping = false;
    }

    http::Limits limits;
    limits.maxHeaderBytes = std::size_t(std::max(1024, o.maxHeaderBytes));
    limits.maxTargetBytes = std::size_t(std::max(256, o.maxTargetBytes));
    limits.headerTimeout = std::chrono::milliseconds(o.headerTimeoutMs);
    limits.minBodyBytesPerSecond = std::uint64_t(std::max<qint64>(0, o.minBodyBytesPerSecond));
    limits.bodyRateWindow = std::chrono::milliseconds(o.bodyRateWindowMs);
    limits.idleTimeout = std::chrono::milliseconds(o.idleTimeoutMs);
    limits.writeTimeout = std::chrono::milliseconds(o.writeTimeoutMs);
    limits.maxConnections = std::max(1, o.maxConnections);
    limits.maxConnectionsPerAddress = std::max(1, o.maxConnectionsPerAddress);
    limits.handlerThreads = std::max(1, o.threads);
    limits.ioThreads = std::max(0, o.ioThreads);
    Impl* impl = d.get();
    http::HttpServer::Hooks hooks;
    hooks.admit
        = [impl](const http::Request& req, const http::Route* route) { return impl->admit(req, route); };
    // The HTTP layer's own answers keep their status (408, 414, 431...) whatever the code maps to.
    hooks.error = [impl](int status, std::string_view message) {
        http::Response res
            = impl->error({ codeForStatus(status), messageFor(status, message, impl->options), {} });
        res.status = status;
        return res;
    };
    hooks.done
        = [impl](const http::Request& req, int status, double seconds) { impl->done(req, status, seconds); };
    std::vector<http::Route> routes;
    for (const Impl::ApiRoute& r : d->routes)
        routes.push_back(r.route);
    auto server = std::make_unique<http::HttpServer>(std::move(routes), limits, std::move(hooks));
    if (auto failure = server->listen(o.bindAddress.toStdString(), o.port))
        return Error { ErrorCode::IoError,
            QStringLiteral("Cannot listen on %1 port %2: %3.")
                .arg(o.bindAddress)
                .arg(o.port)
                .arg(QString::fromStdString(*failure)),
            "bind" };
    d->boundPort = server->port();
    d->server = std::move(server);
    qCInfo(lcApi, "listening on %s port %d", qPrintable(o.bindAddress), d->boundPort);
    return {};
}

void ApiServer::stop()
{
    if (!d->server)
        return;
    // Handlers waiting for this (the manager's) thread are let go first: it will not run them.
    d->abandonPendingCalls();
    d->server->stop();
    d->server.reset();
}

} // namespace vtfarm::api
