#pragma once

#include "result.h"
#include "transcodereport.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QUuid>

namespace vtfarm::jobs {

/// \brief A machine of the farm, as the coordinator last heard of it.
struct NodeInfo
{
    QString name;
    QString host;
    QString version;
    int slots = 0;
    int busy = 0;
    qint64 jobsDone = 0;
    QDateTime lastSeen;
};

/// \brief What the API asks of the farm beside the local slots (cluster::Dispatcher is one).
///
/// The job store stays the one truth: the farm only carries work to nodes and their results back.
class Farm
{
public:
    virtual ~Farm() = default;
    /// The nodes heard from within their time to live. Thread-safe.
    virtual QList<NodeInfo> nodes() const = 0;
    /// A node's output for \a job is in place (renamed to the job's output): the run of
    /// \a attempt ends finished. Conflict when that attempt is not the job's current one on a node.
    /// On the JobManager's thread.
    virtual Result<void> deliver(const QUuid& job, int attempt, const media::TranscodeReport& report) = 0;
    /// Bytes that went to or came from nodes, for the metrics.
    virtual void countTransfer(bool toNode, qint64 bytes) = 0;
    /// A result refused because its attempt was no longer current.
    virtual void countRefusedResult() = 0;
};

} // namespace vtfarm::jobs
