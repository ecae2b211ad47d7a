#include "workerprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <cerrno>
#include <unistd.h>

namespace vtfarm::jobs::protocol {

namespace {

QByteArray line(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

QByteArray requestLine(const WorkerRequest& r)
{
    return line({ { "type", "request" }, { "protocol", kVersion },
        { "job", r.job.toString(QUuid::WithoutBraces) }, { "attempt", r.attempt }, { "input", r.input },
        { "output", r.output }, { "settings", r.settings.toJson() } });
}

Result<WorkerRequest> parseRequest(const QByteArray& text)
{
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Error::invalid(
            {}, QStringLiteral("The request is not JSON: %1.").arg(parseError.errorString()));
    const QJsonObject o = doc.object();
    if (o.value(u"type").toString() != u"request")
        return Error::invalid({}, QStringLiteral("The first line is not a request."));
    if (const int version = o.value(u"protocol").toInt(); version != kVersion)
        return Error { ErrorCode::Conflict,
            QStringLiteral(
                "The worker speaks protocol %1 and was sent protocol %2: the worker program is another "
                "version of vtfarm.")
                .arg(kVersion)
                .arg(version),
            {} };
    auto settings = media::TranscodeSettings::fromJson(o.value(u"settings").toObject());
    if (!settings)
        return settings.error();
    WorkerRequest r;
    r.job = QUuid::fromString(o.value(u"job").toString());
    r.attempt = o.value(u"attempt").toInt();
    r.input = o.value(u"input").toString();
    r.output = o.value(u"output").toString();
    r.settings = *settings;
    return r;
}

QByteArray stopLine()
{
    return line({ { "type", "stop" } });
}

bool isStop(const QByteArray& text)
{
    return QJsonDocument::fromJson(text).object().value(u"type").toString() == u"stop";
}

QJsonObject progressJson(const media::TranscodeProgress& p)
{
    return { { "event", "progress" }, { "fraction", p.fraction }, { "frames", p.frames }, { "fps", p.fps },
        { "speed", p.speed }, { "eta", p.etaSeconds }, { "position", p.positionSeconds },
        { "duration", p.durationSeconds } };
}

media::TranscodeProgress progressFromJson(const QJsonObject& o)
{
    media::TranscodeProgress p;
    p.fraction = o.value(u"fraction").toDouble();
    p.frames = o.value(u"frames").toInteger();
    p.fps = o.value(u"fps").toDouble();
    p.speed = o.value(u"speed").toDouble();
    p.etaSeconds = o.value(u"eta").toDouble(-1);
    p.positionSeconds = o.value(u"position").toDouble();
    p.durationSeconds = o.value(u"duration").toDouble();
    return p;
}

QByteArray progressLine(const media::TranscodeProgress& p, qint64 activity)
{
    QJsonObject o = progressJson(p);
    o[u"activity"] = activity;
    return line(o);
}

QJsonObject outcomeJson(const WorkerOutcome& outcome)
{
    switch (outcome.kind) {
    case WorkerOutcome::Kind::Finished: {
        const media::TranscodeReport& r = outcome.report;
        QJsonObject o { { "event", "finished" }, { "output_bytes", r.outputBytes }, { "frames", r.frames },
            { "media_seconds", r.mediaSeconds }, { "elapsed", r.elapsedSeconds },
            { "warnings", QJsonArray::fromStringList(r.warnings) } };
        if (r.quality.measured()) {
            QJsonObject quality = r.quality.toJson().toObject();
            quality[u"frames"] = r.quality.framesCompared;
            quality[u"seconds"] = r.quality.seconds;
            o[u"quality"] = quality;
        }
        if (r.inputKept)
            o[u"input_kept"] = true;
        return o;
    }
    case WorkerOutcome::Kind::Stopped:
        return { { "event", "stopped" } };
    case WorkerOutcome::Kind::Returned:
        return { { "event", "returned" } };
    case WorkerOutcome::Kind::Failed:
    case WorkerOutcome::Kind::Interrupted:
        break;
    }
    return { { "event", outcome.kind == WorkerOutcome::Kind::Failed ? "failed" : "interrupted" },
        { "code", errorCodeName(outcome.error.code) }, { "message", outcome.error.message },
        { "field", outcome.error.field } };
}

WorkerOutcome outcomeFromJson(const QJsonObject& o)
{
    WorkerOutcome outcome;
    const QString event = o.value(u"event").toString();
    if (event == u"finished") {
        outcome.kind = WorkerOutcome::Kind::Finished;
        media::TranscodeReport& r = outcome.report;
        r.outputBytes = o.value(u"output_bytes").toInteger();
        r.frames = o.value(u"frames").toInteger();
        r.mediaSeconds = o.value(u"media_seconds").toDouble();
        r.elapsedSeconds = o.value(u"elapsed").toDouble();
        for (const QJsonValue& w : o.value(u"warnings").toArray())
            r.warnings.append(w.toString());
        r.quality = media::QualityScores::fromJson(o.value(u"quality"));
        r.inputKept = o.value(u"input_kept").toBool();
    } else if (event == u"stopped") {
        outcome.kind = WorkerOutcome::Kind::Stopped;
    } else if (event == u"returned") {
        outcome.kind = WorkerOutcome::Kind::Returned;
    } else {
        outcome.kind
            = event == u"interrupted" ? WorkerOutcome::Kind::Interrupted : WorkerOutcome::Kind::Failed;
        outcome.error = { errorCodeFromName(o.value(u"code").toString()), o.value(u"message").toString(),
            o.value(u"field").toString() };
    }
    return outcome;
}

QByteArray outcomeLine(const WorkerOutcome& outcome)
{
    return line(outcomeJson(outcome));
}

bool readLine(int fd, std::string& carry, std::string& line)
{
    for (;;) {
        if (const std::size_t nl = carry.find('\n'); nl != std::string::npos) {
            line = carry.substr(0, nl);
            carry.erase(0, nl + 1);
            return true;
        }
        char buf[4096];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            line = std::move(carry);
            carry.clear();
            return !line.empty();
        }
        carry.append(buf, std::size_t(n));
    }
}

Event parseEvent(const QByteArray& text)
{
    Event e;
    const QJsonObject o = QJsonDocument::fromJson(text).object();
    const QString event = o.value(u"event").toString();
    if (event == u"progress") {
        e.kind = Event::Kind::Progress;
        e.progress = progressFromJson(o);
        e.activity = o.contains(u"activity") ? o.value(u"activity").toInteger() : -1;
        e.progress.activity = e.activity;
    } else if (event == u"finished" || event == u"failed" || event == u"stopped" || event == u"interrupted"
        || event == u"returned") {
        e.kind = Event::Kind::Outcome;
        e.outcome = outcomeFromJson(o);
    }
    return e;
}

} // namespace vtfarm::jobs::protocol
