#include "job.h"

#include <QFileInfo>
#include <QJsonArray>
#include <cmath>

namespace vtfarm::jobs {

QString jobSourceName(JobSource source)
{
    switch (source) {
    case JobSource::Gui:
        return QStringLiteral("gui");
    case JobSource::Cli:
        return QStringLiteral("cli");
    case JobSource::Api:
        return QStringLiteral("api");
    case JobSource::Watch:
        return QStringLiteral("watch");
    }
    return {};
}

JobSource jobSourceFromString(const QString& text)
{
    if (text == u"cli")
        return JobSource::Cli;
    if (text == u"api")
        return JobSource::Api;
    if (text == u"watch")
        return JobSource::Watch;
    return JobSource::Gui;
}

QJsonObject JobSpec::toJson() const
{
    QJsonObject o { { "input", input }, { "settings", settings.toJson() },
        { "source", jobSourceName(source) } };
    if (!output.isEmpty())
        o["output"] = output;
    if (!outputDir.isEmpty())
        o["output_dir"] = outputDir;
    o["name_pattern"] = namePattern;
    o["container"] = container;
    if (!presetName.isEmpty())
        o["preset"] = presetName;
    if (priority)
        o["priority"] = priority;
    if (!displayName.isEmpty())
        o["display_name"] = displayName;
    if (removeInputWhenDone)
        o["remove_input_when_done"] = true;
    if (split != u"auto")
        o["split"] = split;
    if (splitMinSeconds != 120)
        o["split_min"] = splitMinSeconds;
    return o;
}

Result<JobSpec> JobSpec::fromJson(const QJsonObject& o)
{
    JobSpec s;
    s.input = o.value(u"input").toString();
    s.output = o.value(u"output").toString();
    s.outputDir = o.value(u"output_dir").toString();
    s.namePattern = o.value(u"name_pattern").toString(s.namePattern);
    s.container = o.value(u"container").toString(s.container);
    s.presetName = o.value(u"preset").toString();
    s.priority = o.value(u"priority").toInt();
    s.source = jobSourceFromString(o.value(u"source").toString());
    s.displayName = o.value(u"display_name").toString();
    s.removeInputWhenDone = o.value(u"remove_input_when_done").toBool();
    s.split = o.value(u"split").toString(s.split);
    s.splitMinSeconds = o.value(u"split_min").toDouble(s.splitMinSeconds);
    auto settings = media::TranscodeSettings::fromJson(o.value(u"settings").toObject());
    if (!settings)
        return settings.error();
    s.settings = *settings;
    return s;
}

Result<double> splitSeconds(const QString& split)
{
    const QString text = split.trimmed().toLower();
    if (text.isEmpty() || text == u"auto")
        return 0.0;
    if (text == u"off")
        return -1.0;
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 1 || seconds > 3600)
        return Error::invalid("split",
            QStringLiteral("'%1' is not auto, off or a segment length from 1 to 3600 seconds").arg(split));
    return seconds;
}

int Job::segmentsTotal() const
{
    return int(plan.value(u"segments").toArray().size());
}

QString Job::name() const
{
    return spec.displayName.isEmpty() ? QFileInfo(spec.input).fileName() : spec.displayName;
}

QJsonValue jsonTime(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonObject Job::toJson() const
{
    QJsonObject o {
        { "id", idString() },
        { "name", name() },
        { "status", jobStateName(state) },
        { "progress", progress },
        { "frames", frames },
        { "fps", fps },
        { "speed", speed },
        { "eta_seconds", etaSeconds >= 0 ? QJsonValue(etaSeconds) : QJsonValue() },
        { "attempts", attempts },
        { "node", node.isEmpty() ? QJsonValue() : QJsonValue(node) },
        { "error", error.isEmpty() ? QJsonValue() : QJsonValue(error) },
        { "warnings", QJsonArray::fromStringList(warnings) },
        { "created_at", jsonTime(createdAt) },
        { "started_at", jsonTime(startedAt) },
        { "ended_at", jsonTime(endedAt) },
        { "input_bytes", inputBytes },
        { "output_bytes", outputBytes },
        { "output", outputPath },
        { "source", jobSourceName(spec.source) },
        { "preset", spec.presetName.isEmpty() ? QJsonValue() : QJsonValue(spec.presetName) },
        { "priority", spec.priority },
        { "settings", spec.settings.toJson() },
        { "quality", quality.toJson() },
        { "input_kept", inputKept },
    };
    if (isParent()) {
        QJsonObject segments { { "total", segmentsTotal() }, { "done", segmentsDone } };
        if (!children.isEmpty())
            segments["children"] = children;
        o["segments"] = segments;
    }
    if (isChild()) {
        o["parent"] = parent.toString(QUuid::WithoutBraces);
        o["segment"] = segment;
    }
    return o;
}

} // namespace vtfarm::jobs
