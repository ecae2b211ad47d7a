#include "apiserver.h"

#include "apierror.h"
#include "auth.h"
#include "boundedhttpserver.h"
#include "byterange.h"
#include "codecs.h"
#include "filenames.h"
#include "jobmanager.h"
#include "jobrequest.h"
#include "mediainfo.h"
#include "metrics.h"
#include "presets.h"
#include "uploadform.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QThread>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

static void initApiResources()
{
    Q_INIT_RESOURCE(api);
}

// The access log (debug) is off unless QT_LOGGING_RULES="vtfarm.api.debug=true".
Q_LOGGING_CATEGORY(lcApi, "vtfarm.api", QtInfoMsg)

namespace vtfarm::api {

using jobs::Job;
using jobs::JobState;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kJsonBodyBytes = 64 * 1024;
// Multipart framing around the file: boundaries and the part headers of a few small fields.
constexpr std::uint64_t kFormOverheadBytes = 1 << 20;
constexpr qint64 kDownloadChunkBytes = 256 * 1024;

const char* const kJsonType = "application/json";

std::string compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

// One JSON value as text, for the responses whose key order the Python service's clients see.
std::string jsonValue(const QJsonValue& v)
{
    QByteArray a = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2).toStdString();
}

std::string routeRegex(const std::string& path)
{
    std::string re;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '{') {
            i = path.find('}', i);
            re += "([^/]+)";
        } else if (std::string_view(".+*?^$()[]|\\").find(c) != std::string_view::npos) {
            re += '\\';
            re += c;
        } else {
            re += c;
        }
    }
    return re;
}

std::string normalizedMethod(const std::string& method)
{
    static const char* const known[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };
    for (const char* m : known) {
        if (method == m)
            return method;
    }
    return "other";
}

QString contentTypeFor(const QString& path)
{
    const media::Container* c = media::findContainer(QFileInfo(path).suffix().toLower());
    return c ? QString::fromLatin1(c->mimeType) : QStringLiteral("application/octet-stream");
}

/// A function waiting to run on the manager's thread, and its waiter.
struct PendingCall
{
    std::function<void()> fn;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    bool abandoned = false;
};

} // namespace

struct ApiServer::Impl
{
    enum class Body
    {
        None,
        Json,
        Upload
    };

    /// One request as a route handler sees it.
    struct Exchange
    {
        const httplib::Request& req;
        httplib::Response& res;
        const httplib::ContentReader* reader;
        ConnectionStream* connection;
        std::smatch match;
    };

    struct Route
    {
        std::string method;
        std::string path;
        Body body;
        bool open; ///< answered without a token
        void (Impl::*handler)(Exchange&);
        std::regex regex;
    };

    Impl(Options options, jobs::JobManager* manager, metrics::Metrics* metrics);

    // routes
    void postTranscode(Exchange& x);
    void getStatus(Exchange& x);
    void createJob(Exchange& x);
    void listJobs(Exchange& x);
    void getJob(Exchange& x);
    void cancelJob(Exchange& x);
    void retryJob(Exchange& x);
    void deleteJob(Exchange& x);
    void getOutput(Exchange& x);
    void getPresets(Exchange& x);
    void getHealth(Exchange& x);
    void getMetrics(Exchange& x);
    void getOpenApi(Exchange& x);

    // plumbing
    void setupRequest(httplib::Request& req, ConnectionStream& connection);
    bool admit(const httplib::Request& req, httplib::Response& res, ConnectionStream& connection);
    void dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader);
    void logRequest(const httplib::Request& req, const httplib::Response& res);
    bool onManagerThread(std::function<void()> fn);
    void abandonPendingCalls();
    void removeOrphanUploads();

    void sendError(httplib::Response& res, const Error& error) const;
    void sendJson(httplib::Response& res, int status, const QJsonObject& body) const;
    std::optional<Job> jobFromPath(Exchange& x);
    /// The job the path names, after \a action succeeded on it on the manager's thread; nullopt
    /// once the answer (not found, refused, stopping) is sent.
    std::optional<Job> actOnJob(Exchange& x, Result<void> (jobs::JobManager::*action)(const QUuid&));
    QJsonObject jobJson(const Job& job) const;
    Result<QUuid> submitUpload(
        Exchange& x, UploadForm& form, const QJsonObject& fields, const QString& defaultContainer);
    Result<QUuid> submit(jobs::JobSpec spec);
    /// An upload form with the server's limits, counting uploaded bytes in the metrics.
    UploadForm newUploadForm();
    std::optional<Error> readForm(Exchange& x, UploadForm& form);

    QString uploadsDir() const { return QDir(options.dataDir).filePath(QStringLiteral("uploads")); }
    QString outputsDir() const { return QDir(options.dataDir).filePath(QStringLiteral("outputs")); }

    Options options;
    jobs::JobManager* manager;
    metrics::Metrics* metrics;
    std::unique_ptr<media::PresetLibrary> presets;
    std::vector<Route> routes;
    TokenCheck token;
    AuthThrottle throttle;
    QByteArray openApi;

    std::unique_ptr<BoundedHttpServer> server;
    std::thread listener;
    int boundPort = 0;

    std::mutex callsMutex;
    bool stopping = false;
    std::unordered_set<std::shared_ptr<PendingCall>> pendingCalls;
};

ApiServer::Impl::Impl(Options o, jobs::JobManager* manager, metrics::Metrics* metrics)
    : options(std::move(o))
    , manager(manager)
    , metrics(metrics)
    , throttle(options.authFailuresBeforeLockout)
{
    const auto add = [this](const char* method, const char* path, Body body, bool open,
                         void (Impl::*handler)(Exchange&)) {
        routes.push_back({ method, path, body, open, handler, std::regex(routeRegex(path)) });
    };
    add("POST", "/transcode", Body::Upload, false, &Impl::postTranscode);
    add("GET", "/status/{job_id}", Body::None, false, &Impl::getStatus);
    add("POST", "/api/v1/jobs", Body::Upload, false, &Impl::createJob);
    add("GET", "/api/v1/jobs", Body::None, false, &Impl::listJobs);
    add("GET", "/api/v1/jobs/{id}", Body::None, false, &Impl::getJob);
    add("DELETE", "/api/v1/jobs/{id}", Body::None, false, &Impl::deleteJob);
    add("POST", "/api/v1/jobs/{id}/cancel", Body::Json, false, &Impl::cancelJob);
    add("POST", "/api/v1/jobs/{id}/retry", Body::Json, false, &Impl::retryJob);
    add("GET", "/api/v1/jobs/{id}/output", Body::None, false, &Impl::getOutput);
    add("GET", "/api/v1/presets", Body::None, false, &Impl::getPresets);
    add("GET", "/healthz", Body::None, true, &Impl::getHealth);
    add("GET", "/metrics", Body::None, true, &Impl::getMetrics);
    add("GET", "/openapi.json", Body::None, true, &Impl::getOpenApi);
}

// ---- plumbing -------------------------------------------------------------------------------

void ApiServer::Impl::setupRequest(httplib::Request& req, ConnectionStream& connection)
{
    const std::string method = req.method == "HEAD" ? std::string("GET") : req.method;
    for (std::size_t i = 0; i < routes.size(); ++i) {
        if (routes[i].method == method && std::regex_match(req.path, routes[i].regex)) {
            connection.notes.route = int(i);
            switch (routes[i].body) {
            case Body::Upload:
                connection.setBodyLimit(std::uint64_t(options.maxUploadBytes) + kFormOverheadBytes);
                break;
            case Body::Json:
            case Body::None:
                connection.setBodyLimit(kJsonBodyBytes);
                break;
            }
            break;
        }
    }
    // The output route reads Range itself: httplib 0.11.4 answers a range past the end of the
    // file with 206 and a Content-Range it cannot satisfy, and slices JSON error bodies too.
    req.ranges.clear();
}

bool ApiServer::Impl::admit(const httplib::Request& req, httplib::Response& res, ConnectionStream& connection)
{
    if (connection.notes.admitted)
        return true;
    const bool isStopping = [this] {
        std::lock_guard lock(callsMutex);
        return stopping;
    }();
    if (isStopping) {
        connection.closeAfterResponse();
        sendError(res, { ErrorCode::Canceled, QStringLiteral("The server is stopping."), {} });
        return false;
    }
    const int route = connection.notes.route;
    const bool open = route < 0 || routes[std::size_t(route)].open;
    if (!open && token.required()) {
        const std::string& address = req.remote_addr;
        if (const int wait = throttle.lockedFor(address); wait > 0) {
            connection.closeAfterResponse();
            res.set_header("Retry-After", std::to_string(wait));
            sendError(res,
                { ErrorCode::Unauthorized,
                    QStringLiteral("Too many failed attempts from this address; try again in %1 s.")
                        .arg(wait),
                    {} });
            return false;
        }
        if (!token.accepts(req.get_header_value("Authorization"))) {
            throttle.failed(address);
            connection.closeAfterResponse();
            sendError(res,
                { ErrorCode::Unauthorized,
                    req.has_header("Authorization")
                        ? QStringLiteral("The token is wrong.")
                        : QStringLiteral("This server wants a token: send Authorization: Bearer TOKEN."),
                    {} });
            return false;
        }
        throttle.succeeded(address);
    }
    if (req.has_header("Content-Length")) {
        const std::string text = req.get_header_value("Content-Length");
        const bool digits
            = !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || std::stoull(text) > connection.bodyLimit()) {
            connection.closeAfterResponse();
            sendError(res,
                { digits ? ErrorCode::LimitExceeded : ErrorCode::InvalidArgument,
                    digits
                        ? QStringLiteral("The request body is larger than the %1 bytes this route accepts.")
                              .arg(connection.bodyLimit())
                        : QStringLiteral("The Content-Length header is not a number."),
                    {} });
            return false;
        }
    }
    connection.notes.admitted = true;
    return true;
}

void ApiServer::Impl::dispatch(
    const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader)
{
    ConnectionStream* connection = BoundedHttpServer::currentConnection();
    const int index = connection ? connection->notes.route : -1;
    if (index < 0) {
        std::string allowed;
        for (const Route& r : routes) {
            if (std::regex_match(req.path, r.regex))
                allowed += (allowed.empty() ? "" : ", ") + r.method;
        }
        if (!allowed.empty()) {
            res.set_header("Allow", allowed);
            res.status = 405;
            res.set_content(
                errorBody(
                    { ErrorCode::InvalidArgument,
                        QStringLiteral("This route takes %1.").arg(QString::fromStdString(allowed)), {} })
                    .toStdString(),
                kJsonType);
        } else {
            sendError(res, { ErrorCode::NotFound, QStringLiteral("No such route."), {} });
        }
        if (reader)
            connection->closeAfterResponse();
        return;
    }
    const Route& route = routes[std::size_t(index)];
    Exchange x { req, res, reader, connection, {} };
    std::regex_match(req.path, x.match, route.regex);
    try {
        (this->*route.handler)(x);
    } catch (const std::exception& e) {
        qCWarning(lcApi) << "unexpected error in" << route.path.c_str() << e.what();
        sendError(res, { ErrorCode::Internal, QStringLiteral("Unexpected error in the server."), {} });
    }
}

void ApiServer::Impl::logRequest(const httplib::Request& req, const httplib::Response& res)
{
    ConnectionStream* connection = BoundedHttpServer::currentConnection();
    const int index = connection ? connection->notes.route : -1;
    const std::string route = index >= 0 ? routes[std::size_t(index)].path : std::string("unmatched");
    const double seconds
        = connection ? std::chrono::duration<double>(Clock::now() - connection->notes.start).count() : 0.0;
    if (metrics)
        metrics->observeHttpRequest(route, normalizedMethod(req.method), res.status, seconds);
    qCDebug(lcApi, "%s %s %d %.1f ms", req.method.c_str(), req.path.c_str(), res.status, seconds * 1000.0);
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
    bool done = false;
    {
        std::unique_lock lock(call->mutex);
        call->cv.wait(lock, [&] { return call->done || call->abandoned; });
        done = call->done;
    }
    std::lock_guard lock(callsMutex);
    pendingCalls.erase(call);
    return done;
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

void ApiServer::Impl::sendError(httplib::Response& res, const Error& error) const
{
    res.status = httpStatus(error.code);
    if (error.code == ErrorCode::Unauthorized)
        res.set_header("WWW-Authenticate", "Bearer realm=\"vtfarm\"");
    res.set_content(errorBody(error).toStdString(), kJsonType);
}

void ApiServer::Impl::sendJson(httplib::Response& res, int status, const QJsonObject& body) const
{
    res.status = status;
    res.set_content(compact(body), kJsonType);
}

std::optional<Job> ApiServer::Impl::jobFromPath(Exchange& x)
{
    const auto id = parseJobId(x.match[1].str());
    std::optional<Job> job = id ? manager->job(*id) : std::nullopt;
    if (!job)
        sendError(x.res,
            { ErrorCode::NotFound,
                QStringLiteral("No job %1.").arg(QString::fromStdString(x.match[1].str()).left(64)), {} });
    return job;
}

QJsonObject ApiServer::Impl::jobJson(const Job& job) const
{
    QJsonObject o = job.toJson();
    // Server paths are nobody's business but the server's.
    o.remove(QStringLiteral("output"));
    const QString outputName
        = QFileInfo(job.name()).completeBaseName() + u'.' + QFileInfo(job.outputPath).suffix();
    o[QStringLiteral("output_name")] = outputName;
    o[QStringLiteral("output_url")] = job.state == JobState::Finished
        ? QJsonValue(QStringLiteral("/api/v1/jobs/%1/output").arg(job.idString()))
        : QJsonValue();
    if (!job.error.isEmpty()) {
        QString error = job.error;
        error.replace(job.spec.input, job.name()).replace(job.outputPath, outputName);
        error.replace(QFileInfo(job.spec.input).fileName(), job.name());
        o[QStringLiteral("error")] = error;
    }
    return o;
}

Result<QUuid> ApiServer::Impl::submit(jobs::JobSpec spec)
{
    std::optional<Result<QUuid>> result;
    if (!onManagerThread([&] { result.emplace(manager->submit(std::move(spec))); }))
        return Error { ErrorCode::Canceled, QStringLiteral("The server is stopping; nothing was queued."),
            {} };
    return *result;
}

UploadForm ApiServer::Impl::newUploadForm()
{
    const UploadForm::Limits limits { options.maxUploadBytes, options.maxFormParts, 4096,
        options.minFreeBytes };
    return UploadForm(uploadsDir(), limits, [this](qint64 n) {
        if (metrics)
            metrics->addUploadBytes(n);
    });
}

std::optional<Error> ApiServer::Impl::readForm(Exchange& x, UploadForm& form)
{
    const qint64 expected = x.req.has_header("Content-Length")
        ? qint64(x.req.get_header_value<uint64_t>("Content-Length"))
        : -1;
    if (auto r = form.read(*x.reader, x.connection, expected); !r) {
        // Whatever is left of the body is not read: the connection cannot carry another request.
        x.connection->closeAfterResponse();
        Error e = r.error();
        if (e.code == ErrorCode::InvalidArgument && x.connection->failed() && server->stopping())
            e = { ErrorCode::Canceled, QStringLiteral("The server is stopping."), {} };
        return e;
    }
    if (!form.hasFile())
        return Error::invalid(
            "file", QStringLiteral("No file: send it as the form field 'file' (curl -F file=@video.mp4)."));
    return std::nullopt;
}

Result<QUuid> ApiServer::Impl::submitUpload(
    Exchange&, UploadForm& form, const QJsonObject& fields, const QString& defaultContainer)
{
    const QString name = displayName(form.clientFileName());
    auto choice = jobChoice(fields, *presets, defaultContainer);
    if (!choice)
        return choice.error();
    // The engine refuses hostile inputs when it transcodes; refusing them here too means that
    // nothing is queued for a playlist or a script dressed up as a video.
    // Only the header is read here, in the server's process; decoding happens in a worker.
    if (auto container = media::identify(form.filePath()); !container) {
        Error e = container.error();
        e.message.replace(form.filePath(), name).replace(QFileInfo(form.filePath()).fileName(), name);
        if (e.code == ErrorCode::NotFound || e.code == ErrorCode::IoError)
            e.code = ErrorCode::UnsupportedInput;
        e.field = QStringLiteral("file");
        return e;
    }

    jobs::JobSpec spec = jobSpec(*choice, form.filePath(), outputsDir());
    spec.displayName = name;
    spec.removeInputWhenDone = true;
    auto id = submit(std::move(spec));
    if (id)
        form.takeFile();
    return id;
}

// ---- routes ---------------------------------------------------------------------------------

void ApiServer::Impl::postTranscode(Exchange& x)
{
    if (!x.req.is_multipart_form_data()) {
        x.connection->closeAfterResponse();
        sendError(x.res,
            Error::invalid("file", QStringLiteral("Send a multipart form (curl -F file=@video.mp4).")));
        return;
    }
    UploadForm form = newUploadForm();
    if (auto e = readForm(x, form)) {
        sendError(x.res, *e);
        return;
    }
    // The Python service took these three fields and ignored any other.
    QJsonObject fields;
    for (const char* key : { "codec", "bitrate", "resolution" }) {
        const QString k = QLatin1String(key);
        if (form.fields().contains(k))
            fields[k] = form.fields().value(k);
    }
    // Like the Python service, whose ffmpeg chose the container from the upload's name.
    QString container = media::containerForPath(displayName(form.clientFileName()));
    if (container.isEmpty() || container == u"m4a")
        container = QStringLiteral("mp4");
    auto id = submitUpload(x, form, fields, container);
    if (!id) {
        sendError(x.res, id.error());
        return;
    }
    // Key order and spacing as the Python service's JSON response.
    x.res.status = 200;
    x.res.set_content(
        "{\"job_id\":" + jsonValue(id->toString(QUuid::WithoutBraces)) + ",\"status\":\"queued\"}",
        kJsonType);
}

void ApiServer::Impl::getStatus(Exchange& x)
{
    const auto job = jobFromPath(x);
    if (!job)
        return;
    std::string body = "{\"status\":" + jsonValue(jobs::jobStateName(job->state));
    body += ",\"progress\":" + jsonValue(job->progress);
    if (!job->error.isEmpty())
        body += ",\"error\":" + jsonValue(jobJson(*job).value(u"error"));
    body += '}';
    x.res.status = 200;
    x.res.set_content(body, kJsonType);
}

void ApiServer::Impl::createJob(Exchange& x)
{
    static const QStringList formFields = { "file", "preset", "codec", "bitrate", "crf", "resolution", "fps",
        "audio_codec", "audio_bitrate", "container" };
    if (x.req.is_multipart_form_data()) {
        UploadForm form = newUploadForm();
        if (auto e = readForm(x, form)) {
            sendError(x.res, *e);
            return;
        }
        QJsonObject fields;
        for (auto it = form.fields().cbegin(); it != form.fields().cend(); ++it) {
            if (!formFields.contains(it.key())) {
                sendError(x.res,
                    Error::invalid(
                        it.key(), QStringLiteral("%1 is not a field of a job.").arg(it.key().left(64))));
                return;
            }
            fields[it.key()] = it.value();
        }
        auto id = submitUpload(x, form, fields, QStringLiteral("mp4"));
        if (!id) {
            sendError(x.res, id.error());
            return;
        }
        const auto job = manager->job(*id);
        x.res.set_header("Location", "/api/v1/jobs/" + id->toString(QUuid::WithoutBraces).toStdString());
        sendJson(
            x.res, 201, job ? jobJson(*job) : QJsonObject { { "id", id->toString(QUuid::WithoutBraces) } });
        return;
    }

    const std::string type = x.req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) != 0) {
        x.connection->closeAfterResponse();
        sendError(x.res,
            Error::invalid({},
                QStringLiteral("Send a multipart form with the file, or a JSON object naming a file in the "
                               "input folder.")));
        return;
    }
    // The route takes uploads, so the connection allows a large body; a JSON one stays small.
    QByteArray body;
    bool tooLarge = x.req.has_header("Content-Length")
        && x.req.get_header_value<uint64_t>("Content-Length") > kJsonBodyBytes;
    const bool ok = !tooLarge && (*x.reader)([&](const char* data, size_t size) {
        tooLarge = tooLarge || body.size() + qsizetype(size) > qsizetype(kJsonBodyBytes);
        if (!tooLarge)
            body.append(data, qsizetype(size));
        return !tooLarge;
    });
    if (!ok) {
        x.connection->closeAfterResponse();
        sendError(x.res,
            tooLarge || x.connection->bodyLimitExceeded()
                ? Error { ErrorCode::LimitExceeded,
                    QStringLiteral("A JSON body has at most %1 bytes.").arg(kJsonBodyBytes), {} }
                : Error::invalid({}, QStringLiteral("The request body ended early.")));
        return;
    }
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        sendError(x.res,
            Error::invalid(
                {}, QStringLiteral("The body is not a JSON object: %1.").arg(parseError.errorString())));
        return;
    }
    QJsonObject fields = doc.object();
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
        if (it.key() != u"input" && (!formFields.contains(it.key()) || it.key() == u"file")) {
            sendError(x.res,
                Error::invalid(
                    it.key(), QStringLiteral("%1 is not a field of a job.").arg(it.key().left(64))));
            return;
        }
    }
    if (!fields.value(u"input").isString()) {
        sendError(x.res,
            Error::invalid(
                "input", QStringLiteral("Name the input file, relative to the server's input folder.")));
        return;
    }
    auto input = resolveInputPath(options.inputDir, fields.value(u"input").toString());
    if (!input) {
        sendError(x.res, input.error());
        return;
    }
    fields.remove(u"input");
    auto choice = jobChoice(fields, *presets, QStringLiteral("mp4"));
    if (!choice) {
        sendError(x.res, choice.error());
        return;
    }
    auto id = submit(jobSpec(*choice, *input, outputsDir()));
    if (!id) {
        sendError(x.res, id.error());
        return;
    }
    const auto job = manager->job(*id);
    x.res.set_header("Location", "/api/v1/jobs/" + id->toString(QUuid::WithoutBraces).toStdString());
    sendJson(x.res, 201, job ? jobJson(*job) : QJsonObject { { "id", id->toString(QUuid::WithoutBraces) } });
}

void ApiServer::Impl::listJobs(Exchange& x)
{
    jobs::JobQuery query;
    if (x.req.has_param("state")) {
        const QString text = QString::fromStdString(x.req.get_param_value("state"));
        query.state = jobs::jobStateFromString(text);
        if (!query.state) {
            sendError(x.res,
                Error::invalid("state",
                    QStringLiteral("'%1' is not one of queued, started, finished, failed, canceled.")
                        .arg(text.left(32))));
            return;
        }
    }
    if (x.req.has_param("limit")) {
        bool ok = false;
        query.limit = QString::fromStdString(x.req.get_param_value("limit")).toInt(&ok);
        if (!ok || query.limit < 1 || query.limit > 1000) {
            sendError(x.res, Error::invalid("limit", QStringLiteral("limit is a number from 1 to 1000.")));
            return;
        }
    }
    if (x.req.has_param("cursor") && !x.req.get_param_value("cursor").empty()) {
        const auto cursor = parseJobId(x.req.get_param_value("cursor"));
        if (!cursor) {
            sendError(x.res,
                Error::invalid("cursor", QStringLiteral("cursor is the next_cursor of the previous page.")));
            return;
        }
        query.after = *cursor;
    }
    const jobs::JobPage page = manager->jobs(query);
    QJsonArray list;
    for (const Job& job : page.jobs)
        list.append(jobJson(job));
    sendJson(x.res, 200,
        { { "jobs", list },
            { "next_cursor",
                page.next.isNull() ? QJsonValue() : QJsonValue(page.next.toString(QUuid::WithoutBraces)) } });
}

void ApiServer::Impl::getJob(Exchange& x)
{
    if (const auto job = jobFromPath(x))
        sendJson(x.res, 200, jobJson(*job));
}

std::optional<Job> ApiServer::Impl::actOnJob(
    Exchange& x, Result<void> (jobs::JobManager::*action)(const QUuid&))
{
    const auto job = jobFromPath(x);
    if (!job)
        return std::nullopt;
    std::optional<Result<void>> result;
    if (!onManagerThread([&] { result.emplace((manager->*action)(job->id)); })) {
        sendError(x.res, { ErrorCode::Canceled, QStringLiteral("The server is stopping."), {} });
        return std::nullopt;
    }
    if (!*result) {
        sendError(x.res, result->error());
        return std::nullopt;
    }
    return job;
}

void ApiServer::Impl::cancelJob(Exchange& x)
{
    if (const auto job = actOnJob(x, &jobs::JobManager::cancel))
        sendJson(x.res, 200, jobJson(manager->job(job->id).value_or(*job)));
}

void ApiServer::Impl::retryJob(Exchange& x)
{
    if (const auto job = actOnJob(x, &jobs::JobManager::retry))
        sendJson(x.res, 200, jobJson(manager->job(job->id).value_or(*job)));
}

void ApiServer::Impl::deleteJob(Exchange& x)
{
    const auto job = actOnJob(x, &jobs::JobManager::remove);
    if (!job)
        return;
    // An API job's output lives in the server's own folder; nobody else will remove it.
    const QString output = QFileInfo(job->outputPath).absoluteFilePath();
    const QString outputs = QFileInfo(outputsDir()).absoluteFilePath();
    if (job->spec.source == jobs::JobSource::Api && output.startsWith(outputs + u'/'))
        QFile::remove(output);
    x.res.status = 204;
}

void ApiServer::Impl::getOutput(Exchange& x)
{
    const auto job = jobFromPath(x);
    if (!job)
        return;
    if (job->state != JobState::Finished) {
        sendError(x.res,
            { ErrorCode::Conflict,
                QStringLiteral("The job is %1; its output is ready when it has finished.")
                    .arg(jobs::jobStateName(job->state)),
                {} });
        return;
    }
    auto file = std::make_shared<QFile>(job->outputPath);
    if (!file->open(QIODevice::ReadOnly)) {
        sendError(x.res, { ErrorCode::NotFound, QStringLiteral("The job's output file is gone."), {} });
        return;
    }
    const qint64 size = file->size();
    const QString name = jobJson(*job).value(u"output_name").toString();
    x.res.set_header("Content-Disposition", contentDisposition(name).toStdString());
    x.res.set_header("Accept-Ranges", "bytes");
    const ByteRange range = parseRange(x.req.get_header_value("Range"), size);
    if (range.kind == ByteRange::Kind::Unsatisfiable) {
        x.res.set_header("Content-Range", "bytes */" + std::to_string(size));
        sendError(x.res,
            { ErrorCode::InvalidArgument,
                QStringLiteral("The range is outside the file (%1 bytes).").arg(size), "Range" });
        x.res.status = 416;
        return;
    }
    qint64 first = 0;
    qint64 length = size;
    x.res.status = 200;
    if (range.kind == ByteRange::Kind::Part) {
        first = range.first;
        length = range.last - range.first + 1;
        x.res.status = 206;
        x.res.set_header("Content-Range",
            "bytes " + std::to_string(range.first) + '-' + std::to_string(range.last) + '/'
                + std::to_string(size));
    }
    BoundedHttpServer* srv = server.get();
    x.res.set_content_provider(std::size_t(length), contentTypeFor(job->outputPath).toStdString(),
        [file, first, srv](size_t offset, size_t left, httplib::DataSink& sink) {
            if (srv->stopping() || !file->seek(first + qint64(offset)))
                return false;
            const QByteArray chunk = file->read(std::min<qint64>(qint64(left), kDownloadChunkBytes));
            if (chunk.isEmpty())
                return false;
            return sink.write(chunk.constData(), std::size_t(chunk.size()));
        });
}

void ApiServer::Impl::getPresets(Exchange& x)
{
    QJsonArray list;
    for (const media::Preset& preset : presets->presets())
        list.append(preset.toJson());
    sendJson(x.res, 200, { { "presets", list } });
}

void ApiServer::Impl::getHealth(Exchange& x)
{
    const jobs::JobCounts c = manager->counts();
    sendJson(x.res, 200,
        { { "status", c.stalled > 0 ? "stalled" : "ok" }, { "version", VTFARM_VERSION },
            { "queued", c.queued }, { "started", c.started }, { "workers_busy", c.running },
            { "workers_max", c.maxConcurrent }, { "workers_stalled", c.stalled }, { "paused", c.paused } });
}

void ApiServer::Impl::getMetrics(Exchange& x)
{
    if (!metrics) {
        sendError(x.res, { ErrorCode::NotFound, QStringLiteral("This server keeps no metrics."), {} });
        return;
    }
    x.res.status = 200;
    x.res.set_content(metrics->text(), metrics::Metrics::contentType());
}

void ApiServer::Impl::getOpenApi(Exchange& x)
{
    x.res.status = 200;
    x.res.set_content(openApi.toStdString(), kJsonType);
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

namespace {

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

} // namespace

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
    for (const Impl::Route& r : d->routes)
        list.push_back({ r.method, r.path });
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

    ConnectionLimits limits;
    limits.maxHeaderBytes = std::size_t(std::max(1024, o.maxHeaderBytes));
    limits.headerTimeout = std::chrono::milliseconds(o.headerTimeoutMs);
    limits.maxPendingConnections = std::size_t(std::max(1, o.maxPendingConnections));
    limits.readTimeout = std::chrono::milliseconds(o.readTimeoutMs);
    limits.writeTimeout = std::chrono::milliseconds(o.writeTimeoutMs);
    auto server = std::make_unique<BoundedHttpServer>(limits, o.threads);
    Impl* impl = d.get();
    server->setRequestSetup(
        [impl](httplib::Request& req, ConnectionStream& c) { impl->setupRequest(req, c); });
    server->set_expect_100_continue_handler([impl](const httplib::Request& req, httplib::Response& res) {
        ConnectionStream* c = BoundedHttpServer::currentConnection();
        return !c || impl->admit(req, res, *c) ? 100 : res.status;
    });
    server->set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
        ConnectionStream* c = BoundedHttpServer::currentConnection();
        return !c || impl->admit(req, res, *c) ? httplib::Server::HandlerResponse::Unhandled
                                               : httplib::Server::HandlerResponse::Handled;
    });
    server->set_logger(
        [impl](const httplib::Request& req, const httplib::Response& res) { impl->logRequest(req, res); });
    server->set_error_handler([impl](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty() && res.status >= 400)
            res.set_content(
                errorBody({ res.status == 413 ? ErrorCode::LimitExceeded : ErrorCode::InvalidArgument,
                              QStringLiteral("The request was refused (HTTP %1).").arg(res.status), {} })
                    .toStdString(),
                kJsonType);
    });
    server->set_payload_max_length(std::size_t(o.maxUploadBytes) + kFormOverheadBytes);
    const auto plain
        = [impl](const httplib::Request& req, httplib::Response& res) { impl->dispatch(req, res, nullptr); };
    const auto withBody = [impl](const httplib::Request& req, httplib::Response& res,
                              const httplib::ContentReader& reader) { impl->dispatch(req, res, &reader); };
    server->Get(".*", plain);
    server->Options(".*", plain);
    server->Post(".*", withBody);
    server->Put(".*", withBody);
    server->Patch(".*", withBody);
    server->Delete(".*", withBody);

    const std::string host = o.bindAddress.toStdString();
    int port = o.port;
    if (port == 0)
        port = server->bind_to_any_port(host);
    else if (!server->bind_to_port(host, port))
        port = -1;
    if (port <= 0)
        return Error { ErrorCode::IoError,
            QStringLiteral(
                "Cannot listen on %1 port %2: the port is taken or the address is not this machine's.")
                .arg(o.bindAddress)
                .arg(o.port),
            "bind" };
    server->widenBacklog();
    d->boundPort = port;
    BoundedHttpServer* raw = server.get();
    d->server = std::move(server);
    d->listener = std::thread([raw] { raw->listen_after_bind(); });
    // stop() does nothing to a server that has not started listening yet.
    while (!raw->is_running())
        std::this_thread::yield();
    qCInfo(lcApi, "listening on %s port %d", host.c_str(), port);
    return {};
}

void ApiServer::stop()
{
    if (!d->server)
        return;
    d->server->beginShutdown();
    d->abandonPendingCalls();
    d->server->stop();
    if (d->listener.joinable())
        d->listener.join();
    d->server.reset();
}

} // namespace vtfarm::api
