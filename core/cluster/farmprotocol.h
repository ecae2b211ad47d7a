#pragma once
// What the coordinator and its nodes say to each other through Redis: the names of the keys, a
// job's entry in the jobs stream, and the events nodes send back.

#include "redis.h"
#include "result.h"
#include "transcodesettings.h"

#include <QJsonObject>
#include <QString>
#include <QUuid>
#include <string>
#include <vector>

namespace vtfarm::cluster {

/// The version of what follows; a node refuses a coordinator of another one.
inline constexpr int kFarmProtocol = 1;

namespace keys {
/// The stream of jobs; its consumer group `nodes` holds what each node took (the leases).
inline const std::string jobs = "vtfarm:jobs";
inline const std::string group = "nodes";
/// The stream of what nodes report: taken, progress, failed, stopped, returned.
inline const std::string events = "vtfarm:events";
/// A hash: the coordinator's version and protocol, and where it read the events up to.
inline const std::string coordinator = "vtfarm:coordinator";
/// A hash per node, with a time to live: slots, busy, host, version, jobs done.
inline const std::string nodePrefix = "vtfarm:node:";
inline std::string node(const QString& name)
{
    return nodePrefix + name.toStdString();
}
/// A stream per node: what the coordinator asks of it (cancel).
inline std::string control(const QString& name)
{
    return "vtfarm:control:" + name.toStdString();
}
} // namespace keys

/// \brief A job as the jobs stream carries it.
struct JobEntry
{
    QUuid job;
    int attempt = 0;
    QString name; ///< the job's display name, for the node's log
    QString container; ///< the output's extension
    qint64 inputBytes = 0;
    /// Jobs with the same key read the same input (the segments of a split job), which a node
    /// then downloads once. Empty from a coordinator that does not say.
    QString inputKey;
    media::TranscodeSettings settings;

    /// Field, value, field, value... for XADD.
    std::vector<std::string> fields() const;
    /// From an entry's field array (XREAD/XRANGE).
    static Result<JobEntry> fromFields(const RedisValue& fields);
};

/// \brief What a node reports.
struct FarmEvent
{
    enum class Type
    {
        Taken,
        Progress,
        Failed,
        Stopped,
        Returned,
        Unknown
    };
    Type type = Type::Unknown;
    QUuid job;
    int attempt = 0;
    QString node;
    QString entryId; ///< the job's entry in the jobs stream
    QJsonObject payload; ///< progress, or the outcome (workerprotocol's JSON)

    std::vector<std::string> fields() const;
    static FarmEvent fromFields(const RedisValue& fields);
    static const char* typeName(Type type);
};

/// The id and the fields of each entry of an XRANGE/XREAD(GROUP) stream reply.
struct StreamEntry
{
    std::string id;
    RedisValue fields;
};
std::vector<StreamEntry> streamEntries(const RedisValue& entries);

} // namespace vtfarm::cluster
