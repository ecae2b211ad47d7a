#include "farmprotocol.h"

#include <QJsonDocument>

namespace vtfarm::cluster {

namespace {

std::string text(const QString& s)
{
    return s.toStdString();
}

std::string json(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

/// The value of \a name in a field array, or empty.
QString fieldOf(const RedisValue& fields, std::string_view name)
{
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields.at(i).text() == name)
            return fields.at(i + 1).qtext();
    }
    return {};
}

} // namespace

std::vector<std::string> JobEntry::fields() const
{
    return { "job", text(job.toString(QUuid::WithoutBraces)), "attempt", std::to_string(attempt), "name",
        text(name), "container", text(container), "input_bytes", std::to_string(inputBytes), "input_key",
        text(inputKey), "settings", json(settings.toJson()), "protocol", std::to_string(kFarmProtocol) };
}

Result<JobEntry> JobEntry::fromFields(const RedisValue& fields)
{
    JobEntry e;
    e.job = QUuid::fromString(fieldOf(fields, "job"));
    e.attempt = fieldOf(fields, "attempt").toInt();
    e.name = fieldOf(fields, "name");
    e.container = fieldOf(fields, "container");
    e.inputBytes = fieldOf(fields, "input_bytes").toLongLong();
    e.inputKey = fieldOf(fields, "input_key");
    if (e.job.isNull() || e.attempt <= 0)
        return Error::invalid({}, QStringLiteral("A job entry without a job or an attempt."));
    if (const int protocol = fieldOf(fields, "protocol").toInt(); protocol != kFarmProtocol)
        return Error { ErrorCode::Conflict,
            QStringLiteral("A job entry of farm protocol %1; this node speaks %2: the coordinator is another "
                           "version of vtfarm.")
                .arg(protocol)
                .arg(kFarmProtocol),
            {} };
    auto settings = media::TranscodeSettings::fromJson(
        QJsonDocument::fromJson(fieldOf(fields, "settings").toUtf8()).object());
    if (!settings)
        return settings.error();
    e.settings = *settings;
    return e;
}

const char* FarmEvent::typeName(Type type)
{
    switch (type) {
    case Type::Taken:
        return "taken";
    case Type::Progress:
        return "progress";
    case Type::Failed:
        return "failed";
    case Type::Stopped:
        return "stopped";
    case Type::Returned:
        return "returned";
    case Type::Unknown:
        break;
    }
    return "unknown";
}

std::vector<std::string> FarmEvent::fields() const
{
    return { "type", typeName(type), "job", text(job.toString(QUuid::WithoutBraces)), "attempt",
        std::to_string(attempt), "node", text(node), "entry", text(entryId), "payload", json(payload) };
}

FarmEvent FarmEvent::fromFields(const RedisValue& fields)
{
    FarmEvent e;
    const QString type = fieldOf(fields, "type");
    for (Type t : { Type::Taken, Type::Progress, Type::Failed, Type::Stopped, Type::Returned }) {
        if (type == QLatin1String(typeName(t)))
            e.type = t;
    }
    e.job = QUuid::fromString(fieldOf(fields, "job"));
    e.attempt = fieldOf(fields, "attempt").toInt();
    e.node = fieldOf(fields, "node");
    e.entryId = fieldOf(fields, "entry");
    e.payload = QJsonDocument::fromJson(fieldOf(fields, "payload").toUtf8()).object();
    return e;
}

std::vector<StreamEntry> streamEntries(const RedisValue& entries)
{
    std::vector<StreamEntry> list;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const RedisValue entry = entries.at(i);
        if (entry.size() >= 2)
            list.push_back({ std::string(entry.at(0).text()), entry.at(1) });
    }
    return list;
}

} // namespace vtfarm::cluster
