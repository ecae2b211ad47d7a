#pragma once

#include "farm.h"
#include "job.h"
#include "jobcounts.h"
#include "jobqueue.h"
#include "jobstore.h"
#include "result.h"
#include "segmentplan.h"
#include "transcodereport.h"
#include "workerbackend.h"
#include "workerprocess.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QThreadPool>
#include <QUuid>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QLockFile;
class QTimer;

namespace vtfarm::jobs {

/// \brief The one owner of every job: submits, schedules them on worker backends, records every
/// state change in the queue's store, and tells the world through signals.
///
/// Lives on the thread that created it (the main thread) and is the only code that changes a job.
/// Its mutating functions must be called on that thread; job(), jobs(), counts() are safe from any
/// thread and return copies.
class JobManager : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString dataDir; ///< holds jobs.sqlite and the lock; created when missing
        int maxConcurrent = 0; ///< local slots; 0: defaultConcurrency()
        int threadsPerJob = 0; ///< libav threads per decoder/encoder; 0: automaticThreads()
        WorkerProcess::Options worker; ///< how local jobs run, unless \a backend is given
        /// Where local jobs run; null: the backend worker.mode names (makeLocalWorkers()).
        std::shared_ptr<WorkerBackend> backend;
        int maxAttempts = 3; ///< a job interrupted this many times fails
        bool autoStart = true; ///< start queued jobs as soon as open() returns
        /// No local slots: every job goes to the farm (a coordinator with `-j 0`).
        bool noLocalSlots = false;
        /// A job the store has as started on a node stays so at open(), for the farm to adopt
        /// (its node may still hold it); otherwise it is requeued like any interrupted job.
        bool keepRemoteRuns = false;
    };
    enum class Move
    {
        Up,
        Down,
        Top,
        Bottom
    };

    explicit JobManager(Options options, QObject* parent = nullptr);
    ~JobManager() override;

    /// Locks the data directory, opens the store, recovers what an earlier run left started.
    Result<void> open();
    /// The same with a store made by the caller.
    Result<void> open(std::unique_ptr<JobStore> store);
    /// Stops every worker; running jobs go back to the queue for the next start. Blocks until done.
    void shutdown();

    Result<QUuid> submit(JobSpec spec);
    /// All or nothing: either every spec is valid and queued, or none is.
    Result<QList<QUuid>> submitMany(QList<JobSpec> specs);
    Result<void> cancel(const QUuid& id);
    Result<void> retry(const QUuid& id);
    /// Removes a job that is not running (a running one is canceled first).
    Result<void> remove(const QUuid& id);
    int clearFinished();
    Result<void> move(const QUuid& id, Move where);

    void pause();
    void resume();
    bool isPaused() const;
    void setMaxConcurrent(int n);
    int maxConcurrent() const;
    void setThreadsPerJob(int n);
    /// For the local worker processes started from now on (WorkerProcess::Options).
    void setStallTimeout(int seconds);
    /// Jobs running now, on every backend.
    int runningCount() const;

    /// \brief A farm beside the local slots (remote nodes): jobs go to it while fewer than
    /// \a capacity() of its runs are going. Its runs count as started when they report `started`
    /// (with the node's name), and go on without this process: shutdown() leaves them to it.
    /// Nothing goes to it before the next schedule().
    void addBackend(std::shared_ptr<WorkerBackend> backend, std::function<int()> capacity);
    /// The farm's run of job \a id (attempt \a attempt) that an earlier process dispatched: taken up
    /// again through \a backend's adopt(). \a begun: a node had taken it (the store says started).
    Result<void> adopt(WorkerBackend* backend, const QUuid& id, int attempt, bool begun);
    /// The farm beside the local slots (set by it), for the API's node routes; or null. Thread-safe.
    Farm* farm() const { return m_farm.load(); }
    void setFarm(Farm* farm)
    {
        if (m_farm.exchange(farm) != farm)
            Q_EMIT farmChanged();
    }
    /// Starts what the free slots of every backend can take; backends call it when they have room.
    void schedule();

    /// Main thread only: the job without a copy, or nullptr. Valid until control returns to the loop.
    const Job* find(const QUuid& id) const;
    /// Main thread only: every job id in queue order.
    const QList<QUuid>& order() const;
    /// Main thread only: the open store, for what other modules keep beside the jobs (the files
    /// watch folders took); nullptr while the manager is not open.
    JobStore* store();

    // Thread-safe reads.
    std::optional<Job> job(const QUuid& id) const;
    JobPage jobs(const JobQuery& query) const;
    JobCounts counts() const;

    /// Both cores busy without oversubscribing them; see the farm benchmark.
    static int defaultConcurrency();
    /// libav threads for a job that shares the cores with \a sharing - 1 others (0: automatic).
    static int automaticThreads(int sharing);
    QString dataDir() const { return m_options.dataDir; }

    /// What open() did to a damaged store, when it found one.
    const std::optional<JobStore::Recovery>& storeRecovery() const { return m_recovery; }
    /// Non-empty when the store was rebuilt from a damaged one (now or earlier): it may lack jobs
    /// it once had, so nothing may be deleted because it does not name it. The damaged copy's path.
    QString storeRecoveredFrom() const { return m_recoveredFrom; }

Q_SIGNALS:
    void jobAdded(const QUuid& id);
    void jobRemoved(const QUuid& id);
    void jobStateChanged(const QUuid& id, vtfarm::jobs::JobState from, vtfarm::jobs::JobState to);
    /// Progress or any other field; at most ~10 a second per job.
    void jobChanged(const QUuid& id);
    /// A run was lost and the job runs again or, after its last attempt, failed. \a code says how:
    /// LimitExceeded for a worker the stall watchdog stopped.
    void jobInterrupted(const QUuid& id, vtfarm::ErrorCode code, const QString& reason);
    void orderChanged();
    void pausedChanged(bool paused);
    void runningCountChanged(int running);
    /// This manager's jobs go to a farm's nodes from now on, or no longer (setFarm()).
    void farmChanged();
    /// Nothing queued and nothing running any more.
    void queueDrained();

private:
    struct Lane;
    struct Running;

    /// BestEffort: the state changes in memory even when the store cannot record it (for what
    /// has already happened, such as a worker that ended).
    enum class Persist
    {
        Required,
        BestEffort
    };
    Result<void> transition(const Job& job, JobState to, const QString& error = {},
        Persist persist = Persist::Required, const std::function<void(Job&)>& alsoChange = {});
    void applyOutcome(const Job& job, const WorkerOutcome& outcome, bool requeue);
    /// \a suffixes: for each wanted output path, where the search for a free name goes on.
    Result<Job> prepare(JobSpec spec, const QSet<QString>& reserved, QHash<QString, int>* suffixes) const;
    bool dispatch(const Job& job, Lane& lane);
    /// The Running of a run handed to \a lane, and the events that report on it.
    std::pair<std::shared_ptr<Running>, WorkerEvents> newRun(
        const QUuid& id, Lane& lane, int attempt, bool begun, const QString& outputPath);
    void onRunStarted(quint64 serial, const QString& node);
    void onProgress(quint64 serial, const media::TranscodeProgress& progress);
    void onRunFinished(quint64 serial, const WorkerOutcome& outcome);
    void recover();
    void removeStaleParts();
    QSet<QString> reservedOutputs() const;
    int runningOn(const Lane& lane) const;
    void setRunningCount();
    void checkStalls();
    Result<void> notFound(const QUuid& id) const;
    void emitDrainedWhenIdle();

    // Split jobs (jobmanagersegments.cpp): a parent job plans its segments, which run as child
    // jobs through the same lanes, then joins them.
    /// Whether schedule() leaves queued \a job to the split machinery instead of dispatching it.
    bool takeSplitJob(const Job& job);
    /// The segment length \a job is split into; 0: it runs whole.
    double splitDecision(const Job& job) const;
    void onPlanned(const QUuid& id, const Result<media::SegmentPlan>& plan);
    /// Adds the children a parent's plan lacks, requeues those that failed or were canceled, and
    /// marks the parent started; joins when every child is done.
    Result<void> startFamily(const QUuid& id);
    void onChildEnded(const QUuid& childId);
    void updateFamily(const QUuid& id);
    void cancelChildren(const QUuid& id);
    void failFamily(const QUuid& id, const QString& error);
    void startJoin(const QUuid& id);
    void onJoined(const QUuid& id, const Result<media::TranscodeReport>& report);
    Result<void> removeFamily(const QUuid& id);
    void resumeFamilies();
    QList<const Job*> childrenOf(const QUuid& id) const;
    QString segmentFolder(const QUuid& id) const;

    Options m_options;
    std::atomic<int> m_maxConcurrent { 0 }; // m_options.maxConcurrent, for counts() on other threads
    std::unique_ptr<JobQueue> m_queue;
    std::unique_ptr<QLockFile> m_lock;
    std::optional<JobStore::Recovery> m_recovery;
    QString m_recoveredFrom;
    QList<std::shared_ptr<Lane>> m_lanes; // the local slots first
    QHash<QUuid, std::shared_ptr<Running>> m_running;
    quint64 m_nextSerial = 1;
    std::atomic<bool> m_paused { false };
    std::atomic<int> m_runningCount { 0 }; // m_running's size, for readers on other threads
    std::atomic<int> m_stalledCount { 0 }; // running jobs whose pipeline has not moved for a while
    QTimer* m_stallTimer = nullptr;
    bool m_shuttingDown = false;
    bool m_open = false;
    bool m_hadWork = false;
    std::atomic<Farm*> m_farm { nullptr };
    QSet<QUuid> m_planning; // parents whose input is being scanned
    QSet<QUuid> m_unsplit; // queued jobs found not to need splitting
    QHash<QUuid, std::shared_ptr<std::atomic<bool>>> m_joining; // parents being joined: their cancel flags
    QThreadPool m_segmentPool; // plans and joins; waited for by shutdown()
};

} // namespace vtfarm::jobs
