// The API's routes: the Python service's two, /api/v1, health, metrics and the document.
#include "apierror.h"
#include "apiserverimpl.h"
#include "byterange.h"
#include "codecs.h"
#include "filenames.h"
#include "jobmanager.h"
#include "jobrequest.h"
#include "mediainfo.h"
#include "metrics.h"
#include "partfile.h"
#include "workerprotocol.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vtfarm::api {

using jobs::Job;
using jobs::JobState;

namespace {

constexpr std::uint64_t kJsonBodyBytes = 64 * 1024;
// Multipart framing around the file: boundaries and the part headers of a few small fields.
constexpr std::uint64_t kFormOverheadBytes = 1 << 20;
const char* const kJsonType = "application/json";

// JSON text written by hand for the responses whose key order the Python service's clients see,
// and that are asked for thousands of times a second (GET /status): a string ...
std::string jsonString(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    std::string out;
    out.reserve(std::size_t(utf8.size()) + 2);
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
                out += escaped;
            } else {
                out += c; // UTF-8 passes as it is
            }
        }
    }
    out += '"';
    return out;
}

// ... and a number, in the shortest form that reads back the same, as QJsonDocument writes it.
std::string jsonNumber(double value)
{
    return std::isfinite(value) ? QByteArray::number(value, 'g', QLocale::FloatingPointShortest).toStdString()
                                : "null";
}

QString contentTypeFor(const QString& path)
{
    const media::Container* c = media::findContainer(QFileInfo(path).suffix().toLower());
    return c ? QString::fromLatin1(c->mimeType) : QStringLiteral("application/octet-stream");
}

bool isMultipart(const http::Request& req)
{
    return UploadForm::boundaryOf(req.header("Content-Type").value_or(std::string())).has_value();
}

/// How a sink answers an error: in the API's one error shape.
using ErrorAnswer = std::function<http::Response(const Error&)>;

/// A multipart form, streamed into an UploadForm; answered by \a done once it is whole.
class FormSink final : public http::BodySink
{
public:
    FormSink(
        ErrorAnswer error, std::unique_ptr<UploadForm> form, std::function<http::Response(UploadForm&)> done)
        : m_error(std::move(error))
        , m_form(std::move(form))
        , m_done(std::move(done))
    { }
    std::optional<http::Response> write(std::string_view data) override
    {
        if (auto r = m_form->feed(data); !r)
            return m_error(r.error());
        return std::nullopt;
    }
    http::Response finish() override
    {
        if (auto r = m_form->finish(); !r)
            return m_error(r.error());
        if (!m_form->hasFile())
            return m_error(Error::invalid("file",
                QStringLiteral("No file: send it as the form field 'file' (curl -F file=@video.mp4).")));
        return m_done(*m_form);
    }
    void abort(int) override { m_form->discardFile(); }

private:
    ErrorAnswer m_error;
    std::unique_ptr<UploadForm> m_form;
    std::function<http::Response(UploadForm&)> m_done;
};

/// A small body kept whole (a JSON object); answered by \a done.
class SmallBodySink final : public http::BodySink
{
public:
    SmallBodySink(ErrorAnswer error, std::function<http::Response(const QByteArray&)> done)
        : m_error(std::move(error))
        , m_done(std::move(done))
    { }
    std::optional<http::Response> write(std::string_view data) override
    {
        if (std::uint64_t(m_body.size()) + data.size() > kJsonBodyBytes)
            return m_error(tooLarge());
        m_body.append(data.data(), qsizetype(data.size()));
        return std::nullopt;
    }
    http::Response finish() override { return m_done(m_body); }
    void abort(int) override { }

    static Error tooLarge()
    {
        return { ErrorCode::LimitExceeded,
            QStringLiteral("A JSON body has at most %1 bytes.").arg(kJsonBodyBytes), {} };
    }

private:
    ErrorAnswer m_error;
    std::function<http::Response(const QByteArray&)> m_done;
    QByteArray m_body;
};

} // namespace

/// A node's output, streamed to the job's OUTPUT.part while its SHA-256 is computed; renamed into
/// place and recorded finished only when the digest, the container and the attempt all check out.
class ApiServer::Impl::OutputSink final : public http::BodySink
{
public:
    OutputSink(ApiServer::Impl& impl, Job job, int attempt, QByteArray digest, media::TranscodeReport report,
        std::function<void()> release)
        : m_impl(impl)
        , m_job(std::move(job))
        , m_attempt(attempt)
        , m_digest(std::move(digest))
        , m_report(std::move(report))
        , m_release(std::move(release))
        , m_file(media::partPath(m_job.outputPath))
        , m_hash(QCryptographicHash::Sha256)
    { }
    ~OutputSink() override
    {
        discard();
        m_release();
    }
    Result<void> open()
    {
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return Error { ErrorCode::IoError,
                QStringLiteral("The server cannot write the output: %1.").arg(m_file.errorString()), {} };
        return {};
    }
    std::optional<http::Response> write(std::string_view data) override
    {
        m_hash.addData(QByteArrayView(data.data(), qsizetype(data.size())));
        if (m_file.write(data.data(), qint64(data.size())) != qint64(data.size())) {
            const bool full = m_file.error() == QFileDevice::ResourceError;
            discard();
            return m_impl.error({ full ? ErrorCode::StorageFull : ErrorCode::IoError,
                full ? QStringLiteral("The server's disk is full.")
                     : QStringLiteral("The server could not store the output."),
                {} });
        }
        m_bytes += qint64(data.size());
        return std::nullopt;
    }
    http::Response finish() override
    {
        m_file.close();
        if (m_hash.result().toHex() != m_digest) {
            discard();
            return m_impl.error(Error::invalid("X-Vtfarm-Sha256",
                QStringLiteral("The output's SHA-256 is not the one announced: it was damaged on the way. "
                               "Send it again.")));
        }
        if (auto container = media::identify(m_file.fileName()); !container) {
            discard();
            return m_impl.error({ ErrorCode::UnsupportedInput,
                QStringLiteral("The output is not a media file vtfarm reads: %1")
                    .arg(container.error().message),
                {} });
        }
        if (jobs::Farm* farm = m_impl.manager->farm())
            farm->countTransfer(false, m_bytes);
        m_report.outputPath = m_job.outputPath;
        m_report.outputBytes = m_bytes;
        std::optional<Result<void>> delivered;
        const bool ran = m_impl.onManagerThread([this, &delivered] { delivered = deliver(); });
        if (!ran)
            return m_impl.stoppingAnswer();
        if (!*delivered) {
            if (jobs::Farm* farm = m_impl.manager->farm();
                farm && delivered->error().code == ErrorCode::Conflict)
                farm->countRefusedResult();
            return m_impl.error(delivered->error());
        }
        return m_impl.json(200, m_impl.jobJson(m_impl.manager->job(m_job.id).value_or(m_job)));
    }
    void abort(int) override { discard(); }

private:
    // On the manager's thread: the attempt is checked again (a lease may have expired while the
    // bytes came), then the file goes into place and the job is recorded finished.
    Result<void> deliver()
    {
        jobs::Farm* farm = m_impl.manager->farm();
        const Job* now = m_impl.manager->find(m_job.id);
        if (!farm || !now || now->state != JobState::Started || now->attempts != m_attempt) {
            discard();
            return Error { ErrorCode::Conflict,
                QStringLiteral("Attempt %1 is no longer the job's current one; this output is discarded.")
                    .arg(m_attempt),
                {} };
        }
        const QByteArray from = QFile::encodeName(m_file.fileName());
        const QByteArray to = QFile::encodeName(now->outputPath);
        const int rc = now->spec.settings.overwrite
            ? ::rename(from.constData(), to.constData())
            : ::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_NOREPLACE);
        if (rc != 0) {
            const QString why = QString::fromLocal8Bit(std::strerror(errno));
            discard();
            return Error { ErrorCode::IoError, QStringLiteral("Cannot put the output in place: %1.").arg(why),
                {} };
        }
        m_renamed = true;
        if (auto r = farm->deliver(m_job.id, m_attempt, m_report); !r) {
            QFile::remove(now->outputPath);
            return r;
        }
        return {};
    }
    void discard()
    {
        if (!m_renamed && !m_file.fileName().isEmpty()) {
            m_file.close();
            QFile::remove(m_file.fileName());
        }
    }

    ApiServer::Impl& m_impl;
    Job m_job;
    int m_attempt;
    QByteArray m_digest;
    media::TranscodeReport m_report;
    std::function<void()> m_release;
    QFile m_file;
    QCryptographicHash m_hash;
    qint64 m_bytes = 0;
    bool m_renamed = false;
};

ApiServer::Impl::StreamAnswer ApiServer::Impl::putOutput(http::Request& req)
{
    auto found = jobFromPath(req);
    if (auto* answer = std::get_if<http::Response>(&found))
        return std::move(*answer);
    const Job job = std::get<Job>(found);
    bool ok = false;
    const int attempt
        = QString::fromStdString(req.header("X-Vtfarm-Attempt").value_or(std::string())).toInt(&ok);
    if (!ok || attempt <= 0)
        return error(Error::invalid(
            "X-Vtfarm-Attempt", QStringLiteral("Say which attempt this output is (X-Vtfarm-Attempt).")));
    const QByteArray digest
        = QByteArray::fromStdString(req.header("X-Vtfarm-Sha256").value_or(std::string())).toLower();
    if (digest.size() != 64 || QByteArray::fromHex(digest).toHex() != digest)
        return error(Error::invalid("X-Vtfarm-Sha256",
            QStringLiteral("Send the output's SHA-256 in hexadecimal (X-Vtfarm-Sha256).")));
    // Refused before a byte is read: an attempt that is no longer current (the lease expired).
    if (!manager->farm() || job.state != JobState::Started || job.attempts != attempt || job.node.isEmpty()) {
        if (jobs::Farm* farm = manager->farm())
            farm->countRefusedResult();
        return error({ ErrorCode::Conflict,
            QStringLiteral("Attempt %1 is not the job's current one on a node; this output is not wanted.")
                .arg(attempt),
            {} });
    }
    media::TranscodeReport report;
    if (const auto text = req.header("X-Vtfarm-Report")) {
        const QJsonObject o = QJsonDocument::fromJson(
            QByteArray::fromBase64(QByteArray::fromStdString(*text), QByteArray::Base64UrlEncoding))
                                  .object();
        report = jobs::protocol::outcomeFromJson(o).report;
    }
    {
        std::lock_guard lock(uploadsMutex);
        if (outputUploads.contains(job.id))
            return error({ ErrorCode::Conflict,
                QStringLiteral("Another output for this job is being received."), {} });
        outputUploads.insert(job.id);
    }
    const QUuid id = job.id;
    auto sink = std::make_unique<OutputSink>(*this, job, attempt, digest, report, [this, id] {
        std::lock_guard lock(uploadsMutex);
        outputUploads.remove(id);
    });
    if (auto r = sink->open(); !r)
        return error(r.error());
    return sink;
}

std::vector<ApiServer::Impl::ApiRoute> ApiServer::Impl::makeRoutes()
{
    using http::BodyMode;
    using http::Execution;
    const std::uint64_t uploadBytes = std::uint64_t(options.maxUploadBytes) + kFormOverheadBytes;
    std::vector<ApiRoute> list;
    // Reads of memory only answer on the I/O thread; what may wait (the disk, the manager's
    // thread) runs on the handler pool.
    const auto plain = [&](const char* method, const char* pattern, Execution where, bool open,
                           http::Response (Impl::*fn)(http::Request&)) {
        http::Route r;
        r.method = method;
        r.pattern = pattern;
        r.body = BodyMode::None;
        r.execution = where;
        r.handler = [this, fn](http::Request& req) { return (this->*fn)(req); };
        list.push_back({ std::move(r), open });
    };
    const auto streamed = [&](const char* method, const char* pattern, std::uint64_t maxBody,
                              StreamAnswer (Impl::*fn)(http::Request&)) {
        http::Route r;
        r.method = method;
        r.pattern = pattern;
        r.body = BodyMode::Streamed;
        r.maxBodyBytes = maxBody;
        r.execution = Execution::Pool;
        r.streamHandler = [this, fn](http::Request& req) { return (this->*fn)(req); };
        list.push_back({ std::move(r), false });
    };
    streamed("POST", "/transcode", uploadBytes, &Impl::postTranscode);
    plain("GET", "/status/{job_id}", Execution::Inline, false, &Impl::getStatus);
    streamed("POST", "/api/v1/jobs", uploadBytes, &Impl::createJob);
    plain("GET", "/api/v1/jobs", Execution::Pool, false, &Impl::listJobs);
    plain("GET", "/api/v1/jobs/{id}", Execution::Inline, false, &Impl::getJob);
    plain("DELETE", "/api/v1/jobs/{id}", Execution::Pool, false, &Impl::deleteJob);
    plain("POST", "/api/v1/jobs/{id}/cancel", Execution::Pool, false, &Impl::cancelJob);
    plain("POST", "/api/v1/jobs/{id}/retry", Execution::Pool, false, &Impl::retryJob);
    plain("GET", "/api/v1/jobs/{id}/output", Execution::Pool, false, &Impl::getOutput);
    plain("GET", "/api/v1/presets", Execution::Pool, false, &Impl::getPresets);
    // For the farm's nodes: the server's token is always wanted, also on loopback.
    plain("GET", "/api/v1/nodes", Execution::Inline, false, &Impl::listNodes);
    plain("GET", "/api/v1/jobs/{id}/input", Execution::Pool, false, &Impl::getInput);
    streamed("PUT", "/api/v1/jobs/{id}/output", std::uint64_t(options.maxUploadBytes), &Impl::putOutput);
    list[list.size() - 2].nodesOnly = true;
    list[list.size() - 1].nodesOnly = true;
    plain("GET", "/healthz", Execution::Inline, true, &Impl::getHealth);
    plain("GET", "/metrics", Execution::Inline, true, &Impl::getMetrics);
    plain("GET", "/openapi.json", Execution::Inline, true, &Impl::getOpenApi);
    return list;
}

// ---- shared steps ---------------------------------------------------------------------------

std::variant<Job, http::Response> ApiServer::Impl::jobFromPath(const http::Request& req) const
{
    const std::string& text = req.params.at(0);
    const auto id = parseJobId(text);
    std::optional<Job> job = id ? manager->job(*id) : std::nullopt;
    if (!job)
        return error({ ErrorCode::NotFound,
            QStringLiteral("No job %1.").arg(QString::fromStdString(text).left(64)), {} });
    return *job;
}

std::variant<Job, http::Response> ApiServer::Impl::actOnJob(
    const http::Request& req, Result<void> (jobs::JobManager::*action)(const QUuid&))
{
    auto found = jobFromPath(req);
    if (auto* answer = std::get_if<http::Response>(&found))
        return std::move(*answer);
    const Job& job = std::get<Job>(found);
    std::optional<Result<void>> result;
    if (!onManagerThread([&] { result.emplace((manager->*action)(job.id)); }))
        return stoppingAnswer();
    if (!*result)
        return error(result->error());
    return found;
}

namespace {

// A job's error as the API shows it: the server's paths replaced by the names the client knows.
QString clientErrorText(const Job& job, const QString& outputName)
{
    QString message = job.error;
    message.replace(job.spec.input, job.name()).replace(job.outputPath, outputName);
    message.replace(QFileInfo(job.spec.input).fileName(), job.name());
    return message;
}

QString outputNameOf(const Job& job)
{
    return QFileInfo(job.name()).completeBaseName() + u'.' + QFileInfo(job.outputPath).suffix();
}

} // namespace

QJsonObject ApiServer::Impl::jobJson(const Job& job) const
{
    QJsonObject o = job.toJson();
    // Server paths are nobody's business but the server's.
    o.remove(QStringLiteral("output"));
    const QString outputName = outputNameOf(job);
    o[QStringLiteral("output_name")] = outputName;
    o[QStringLiteral("output_url")] = job.state == JobState::Finished
        ? QJsonValue(QStringLiteral("/api/v1/jobs/%1/output").arg(job.idString()))
        : QJsonValue();
    if (!job.error.isEmpty())
        o[QStringLiteral("error")] = clientErrorText(job, outputName);
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

std::unique_ptr<UploadForm> ApiServer::Impl::newUploadForm()
{
    const UploadForm::Limits limits { options.maxUploadBytes, options.maxFormParts, 4096, 8192,
        options.minFreeBytes };
    return std::make_unique<UploadForm>(uploadsDir(), limits, [this](qint64 n) {
        if (metrics)
            metrics->addUploadBytes(n);
    });
}

ApiServer::Impl::StreamAnswer ApiServer::Impl::readForm(
    const http::Request& req, std::function<http::Response(UploadForm&)> done)
{
    auto form = newUploadForm();
    const qint64 expected = req.contentLength ? qint64(*req.contentLength) : -1;
    if (auto r = form->begin(req.header("Content-Type").value_or(std::string()), expected); !r)
        return error(r.error());
    return std::make_unique<FormSink>(
        [this](const Error& e) { return error(e); }, std::move(form), std::move(done));
}

Result<QUuid> ApiServer::Impl::submitUpload(
    UploadForm& form, const QJsonObject& fields, const QString& defaultContainer)
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
    if (auto r = applyJobFields(fields, spec); !r)
        return r.error();
    spec.displayName = name;
    spec.removeInputWhenDone = true;
    auto id = submit(std::move(spec));
    if (id)
        form.takeFile();
    return id;
}

// ---- routes ---------------------------------------------------------------------------------

ApiServer::Impl::StreamAnswer ApiServer::Impl::postTranscode(http::Request& req)
{
    if (!isMultipart(req)) {
        http::Response res = error(
            Error::invalid("file", QStringLiteral("Send a multipart form (curl -F file=@video.mp4).")));
        res.close = true;
        return res;
    }
    return readForm(req, [this](UploadForm& form) {
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
        auto id = submitUpload(form, fields, container);
        if (!id)
            return error(id.error());
        // Key order and spacing as the Python service's JSON response.
        return http::Response(200, kJsonType,
            "{\"job_id\":" + jsonString(id->toString(QUuid::WithoutBraces)) + ",\"status\":\"queued\"}");
    });
}

http::Response ApiServer::Impl::getStatus(http::Request& req)
{
    auto found = jobFromPath(req);
    if (auto* answer = std::get_if<http::Response>(&found))
        return std::move(*answer);
    const Job& job = std::get<Job>(found);
    std::string body = "{\"status\":" + jsonString(jobs::jobStateName(job.state));
    body += ",\"progress\":" + jsonNumber(job.progress);
    if (!job.error.isEmpty())
        body += ",\"error\":" + jsonString(clientErrorText(job, outputNameOf(job)));
    body += '}';
    return http::Response(200, kJsonType, std::move(body));
}

ApiServer::Impl::StreamAnswer ApiServer::Impl::createJob(http::Request& req)
{
    static const QStringList formFields
        = { "file", "preset", "codec", "bitrate", "crf", "resolution", "fps", "audio_codec", "audio_bitrate",
              "container", "start", "end", "split", "quality_check", "min_ssim", "skip_if_larger" };
    const auto created = [this](const QUuid& id) {
        const auto job = manager->job(id);
        http::Response res
            = json(201, job ? jobJson(*job) : QJsonObject { { "id", id.toString(QUuid::WithoutBraces) } });
        res.headers.set("Location", "/api/v1/jobs/" + id.toString(QUuid::WithoutBraces).toStdString());
        return res;
    };
    if (isMultipart(req)) {
        return readForm(req, [this, created](UploadForm& form) {
            QJsonObject fields;
            for (auto it = form.fields().cbegin(); it != form.fields().cend(); ++it) {
                if (!formFields.contains(it.key()))
                    return error(Error::invalid(
                        it.key(), QStringLiteral("%1 is not a field of a job.").arg(it.key().left(64))));
                fields[it.key()] = it.value();
            }
            auto id = submitUpload(form, fields, QStringLiteral("mp4"));
            return id ? created(*id) : error(id.error());
        });
    }
    if (req.header("Content-Type").value_or(std::string()).rfind("application/json", 0) != 0) {
        http::Response res = error(Error::invalid({},
            QStringLiteral(
                "Send a multipart form with the file, or a JSON object naming a file in the input folder.")));
        res.close = true;
        return res;
    }
    // The route takes uploads, so the HTTP layer allows a large body; a JSON one stays small.
    if (req.contentLength && *req.contentLength > kJsonBodyBytes)
        return error(SmallBodySink::tooLarge());
    return std::make_unique<SmallBodySink>([this](const Error& e) { return error(e); },
        [this, created](const QByteArray& body) {
            QJsonParseError parseError {};
            const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
            if (parseError.error != QJsonParseError::NoError || !doc.isObject())
                return error(Error::invalid(
                    {}, QStringLiteral("The body is not a JSON object: %1.").arg(parseError.errorString())));
            QJsonObject fields = doc.object();
            for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
                if (it.key() != u"input" && (!formFields.contains(it.key()) || it.key() == u"file"))
                    return error(Error::invalid(
                        it.key(), QStringLiteral("%1 is not a field of a job.").arg(it.key().left(64))));
            }
            if (!fields.value(u"input").isString())
                return error(Error::invalid(
                    "input", QStringLiteral("Name the input file, relative to the server's input folder.")));
            auto input = resolveInputPath(options.inputDir, fields.value(u"input").toString());
            if (!input)
                return error(input.error());
            fields.remove(u"input");
            auto choice = jobChoice(fields, *presets, QStringLiteral("mp4"));
            if (!choice)
                return error(choice.error());
            jobs::JobSpec spec = jobSpec(*choice, *input, outputsDir());
            if (auto r = applyJobFields(fields, spec); !r)
                return error(r.error());
            auto id = submit(std::move(spec));
            return id ? created(*id) : error(id.error());
        });
}

http::Response ApiServer::Impl::listJobs(http::Request& req)
{
    jobs::JobQuery query;
    if (const auto text = req.queryValue("state")) {
        const QString state = QString::fromStdString(*text);
        query.state = jobs::jobStateFromString(state);
        if (!query.state)
            return error(Error::invalid("state",
                QStringLiteral("'%1' is not one of queued, started, finished, failed, canceled.")
                    .arg(state.left(32))));
    }
    if (const auto text = req.queryValue("limit")) {
        bool ok = false;
        query.limit = QString::fromStdString(*text).toInt(&ok);
        if (!ok || query.limit < 1 || query.limit > 1000)
            return error(Error::invalid("limit", QStringLiteral("limit is a number from 1 to 1000.")));
    }
    if (const auto text = req.queryValue("cursor"); text && !text->empty()) {
        const auto cursor = parseJobId(*text);
        if (!cursor)
            return error(
                Error::invalid("cursor", QStringLiteral("cursor is the next_cursor of the previous page.")));
        query.after = *cursor;
    }
    const jobs::JobPage page = manager->jobs(query);
    QJsonArray list;
    for (const Job& job : page.jobs)
        list.append(jobJson(job));
    return json(200,
        { { "jobs", list },
            { "next_cursor",
                page.next.isNull() ? QJsonValue() : QJsonValue(page.next.toString(QUuid::WithoutBraces)) } });
}

http::Response ApiServer::Impl::getJob(http::Request& req)
{
    auto found = jobFromPath(req);
    if (auto* answer = std::get_if<http::Response>(&found))
        return std::move(*answer);
    return json(200, jobJson(std::get<Job>(found)));
}

http::Response ApiServer::Impl::cancelJob(http::Request& req)
{
    auto acted = actOnJob(req, &jobs::JobManager::cancel);
    if (auto* answer = std::get_if<http::Response>(&acted))
        return std::move(*answer);
    const Job& job = std::get<Job>(acted);
    return json(200, jobJson(manager->job(job.id).value_or(job)));
}

http::Response ApiServer::Impl::retryJob(http::Request& req)
{
    auto acted = actOnJob(req, &jobs::JobManager::retry);
    if (auto* answer = std::get_if<http::Response>(&acted))
        return std::move(*answer);
    const Job& job = std::get<Job>(acted);
    return json(200, jobJson(manager->job(job.id).value_or(job)));
}

http::Response ApiServer::Impl::deleteJob(http::Request& req)
{
    auto acted = actOnJob(req, &jobs::JobManager::remove);
    if (auto* answer = std::get_if<http::Response>(&acted))
        return std::move(*answer);
    const Job& job = std::get<Job>(acted);
    // An API job's output lives in the server's own folder; nobody else will remove it.
    const QString output = QFileInfo(job.outputPath).absoluteFilePath();
    const QString outputs = QFileInfo(outputsDir()).absoluteFilePath();
    if (job.spec.source == jobs::JobSource::Api && output.startsWith(outputs + u'/'))
        QFile::remove(output);
    return http::Response(204, {}, {});
}

http::Response ApiServer::Impl::fileResponse(
    const http::Request& req, const QString& path, const QString& downloadName, const QString& gone)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    struct stat st
    {
    };
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        if (fd >= 0)
            ::close(fd);
        return error({ ErrorCode::NotFound, gone, {} });
    }
    const qint64 size = st.st_size;
    const ByteRange range = parseRange(req.header("Range").value_or(std::string()), size);
    if (range.kind == ByteRange::Kind::Unsatisfiable) {
        ::close(fd);
        http::Response res = error({ ErrorCode::InvalidArgument,
            QStringLiteral("The range is outside the file (%1 bytes).").arg(size), "Range" });
        res.status = 416;
        res.headers.set("Content-Range", "bytes */" + std::to_string(size));
        return res;
    }
    http::Response res(200, contentTypeFor(path).toStdString(), {});
    res.headers.set("Content-Disposition", contentDisposition(downloadName).toStdString());
    res.headers.set("Accept-Ranges", "bytes");
    http::FileBody body { fd, 0, std::uint64_t(size) };
    if (range.kind == ByteRange::Kind::Part) {
        body.offset = std::uint64_t(range.first);
        body.length = std::uint64_t(range.last - range.first + 1);
        res.status = 206;
        res.headers.set("Content-Range",
            "bytes " + std::to_string(range.first) + '-' + std::to_string(range.last) + '/'
                + std::to_string(size));
    }
    res.file = body;
    return res;
}

http::Response ApiServer::Impl::getOutput(http::Request& req)
{
    auto found = jobFromPath(req);
    if (auto* answer = std::get_if<http::Response>(&found))
        return std::move(*answer);
    const Job& job = std::get<Job>(found);
    if (job.state != JobState::Finished)
        return error({ ErrorCode::Conflict,
            QStringLiteral("The job is %1; its output is ready when it has finished.")
                .arg(jobs::jobStateName(job.state)),
            {} });
    return fileResponse(
        req, job.outputPath, outputNameOf(job), QStringLiteral("The job's output file is gone."));
}

// ---- the farm's nodes -----------------------------------------------------------------------

http::Response ApiServer::Impl::listNodes(http::Request&)
{
    QJsonArray list;
    if (jobs::Farm* farm = manager->farm()) {
        for (const jobs::NodeInfo& n : farm->nodes()) {
            list.append(QJsonObject { { "name", n.name }, { "host", n.host }, { "version", n.version },
                { "slots", n.slots }, { "busy", n.busy }, { "jobs_done", n.jobsDone },
                { "last_seen", jobs::jsonTime(n.lastSeen) } });
        }
    }
    return json(200, { { "nodes", list }, { "farm", manager->farm() != nullptr } });
}

http::Response ApiServer::Impl::getInput(http::Request& req)
{
    auto found = jobFromPath(req);
    if (auto* answer = std::get_if<http::Response>(&found))
        return std::move(*answer);
    const Job& job = std::get<Job>(found);
    if (jobs::isFinal(job.state))
        return error({ ErrorCode::Conflict,
            QStringLiteral("The job is %1: nothing to transcode.").arg(jobs::jobStateName(job.state)), {} });
    http::Response res
        = fileResponse(req, job.spec.input, job.name(), QStringLiteral("The job's input file is gone."));
    if (jobs::Farm* farm = manager->farm(); farm && res.file)
        farm->countTransfer(true, qint64(res.file->length));
    return res;
}

http::Response ApiServer::Impl::getPresets(http::Request&)
{
    QJsonArray list;
    for (const media::Preset& preset : presets->presets())
        list.append(preset.toJson());
    return json(200, { { "presets", list } });
}

http::Response ApiServer::Impl::getHealth(http::Request&)
{
    const jobs::JobCounts c = manager->counts();
    return json(200,
        { { "status", c.stalled > 0 ? "stalled" : "ok" }, { "version", VTFARM_VERSION },
            { "queued", c.queued }, { "started", c.started }, { "workers_busy", c.running },
            { "workers_max", c.maxConcurrent }, { "workers_stalled", c.stalled }, { "paused", c.paused } });
}

http::Response ApiServer::Impl::getMetrics(http::Request&)
{
    if (!metrics)
        return error({ ErrorCode::NotFound, QStringLiteral("This server keeps no metrics."), {} });
    return http::Response(200, metrics::Metrics::contentType(), metrics->text());
}

http::Response ApiServer::Impl::getOpenApi(http::Request&)
{
    return http::Response(200, kJsonType, openApi.toStdString());
}

} // namespace vtfarm::api
