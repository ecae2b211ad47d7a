#pragma once

#include "farm.h"
#include "farmprotocol.h"
#include "redis.h"
#include "workerbackend.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <memory>
#include <mutex>
#include <vector>

class QTimer;

namespace vtfarm::jobs {
class JobManager;
}
namespace vtfarm::metrics {
class Metrics;
}

namespace vtfarm::cluster {

class RedisThread;

/// \brief The coordinator's side of the farm: hands jobs to nodes through Redis, follows what
/// they report, takes back what a node gone silent held, and brings back nodes' results.
///
/// A WorkerBackend beside the local slots of the JobManager, whose store stays the one truth:
/// Redis carries work and events only. Lives on the JobManager's thread; its Redis connections
/// run on threads of their own and touch no Qt object. Leases are the entries' idle time in the
/// consumer group's pending list: a node renews them while it works; one idle longer than the
/// lease is taken back, and its job runs again with the next attempt, which fences the late
/// result of the node that was only slow.
class Dispatcher : public QObject, public jobs::WorkerBackend, public jobs::Farm
{
    Q_OBJECT
public:
    struct Options
    {
        RedisUrl redis;
        int leaseSeconds = 30;
        bool noLocalSlots
            = false; ///< a coordinator only: one job waits in the stream even with no node, to wake one
    };

    Dispatcher(
        Options options, jobs::JobManager* manager, metrics::Metrics* metrics, QObject* parent = nullptr);
    ~Dispatcher() override;

    /// Connects (the errors say why it cannot: unreachable, wrong password), takes up what the
    /// store and Redis say is in flight, and joins the manager's lanes. Call once, on its thread.
    Result<void> start();

    // jobs::WorkerBackend
    std::shared_ptr<jobs::WorkerRun> start(
        const jobs::WorkerRequest& request, jobs::WorkerEvents events) override;
    void shutdown() override;
    std::shared_ptr<jobs::WorkerRun> adopt(
        const jobs::WorkerRequest& request, jobs::WorkerEvents events, bool begun) override;

    // jobs::Farm
    QList<jobs::NodeInfo> nodes() const override;
    Result<void> deliver(const QUuid& job, int attempt, const media::TranscodeReport& report) override;
    void countTransfer(bool toNode, qint64 bytes) override;
    void countRefusedResult() override;

    /// How many of the farm's runs may be going at once: every node's slots, one more each in
    /// the stream, and one more to wake a node that scales with the stream's lag.
    int capacity() const;

Q_SIGNALS:
    /// Redis was lost (\a problem says why) or is back (empty).
    void redisStatusChanged(const QString& problem);

private:
    struct Run;
    struct Snapshot;
    friend struct Run;

    void cancel(const std::shared_ptr<Run>& run);
    void finish(const std::shared_ptr<Run>& run, const jobs::WorkerOutcome& outcome);
    void post(std::function<void()> fn);
    void addEntry(const std::shared_ptr<Run>& run);
    void onEvents(const std::vector<FarmEvent>& events);
    void onLost(
        const QList<std::pair<QUuid, int>>& entries, const QStringList& nodes, const QStringList& ids);
    void onSnapshot(const Snapshot& snapshot);
    void onNodes(const QList<jobs::NodeInfo>& nodes);
    void tick();
    void sendCancel(const QString& node, const QUuid& job, int attempt);
    void adoptFromStore(const Snapshot& snapshot);

    Options m_options;
    jobs::JobManager* m_manager;
    metrics::Metrics* m_metrics;
    std::unique_ptr<RedisThread> m_commands;
    std::unique_ptr<RedisThread> m_events;
    QTimer* m_timer = nullptr;
    QElapsedTimer m_sinceReclaim;
    QHash<QUuid, std::shared_ptr<Run>> m_runs;
    QHash<QUuid, QStringList> m_triedNodes; ///< the nodes each job ran on, for the error of a poison job
    QHash<QUuid, QString> m_adoptedEntries; ///< entry ids of runs taken up at start, for adopt()
    bool m_adopted = false;
    /// Events read before the store's jobs were taken up (the events stream is read from the cursor an
    /// earlier coordinator left): handled once they are, so that a node's run is not taken for a stray.
    std::vector<FarmEvent> m_earlyEvents;
    bool m_shutDown = false;
    std::shared_ptr<bool> m_alive; ///< what the Redis threads' posts check before they touch this
    mutable std::mutex m_nodesMutex;
    QList<jobs::NodeInfo> m_nodes;
    std::mutex m_cursorMutex;
    std::string m_eventsCursor = "$";
};

} // namespace vtfarm::cluster
