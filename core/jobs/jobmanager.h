#pragma once

#include "job.h"
#include "result.h"
#include "workerprocess.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QReadWriteLock>
#include <QSet>
#include <QUuid>

#include <atomic>
#include <memory>
#include <optional>

class QLockFile;
class QThreadPool;

namespace vtfarm::jobs {

class JobStore;

/// \brief A page of jobs, in queue order, for callers that list (the API, `vtfarm-cli jobs`).
struct JobQuery
{
    std::optional<JobState> state;
    int limit = 100;
    QUuid after; ///< cursor: the id of the last job of the previous page
};
struct JobPage
{
    QList<Job> jobs;
    QUuid next; ///< null on the last page
};

/// \brief How many jobs are in each state, and the farm's load.
struct JobCounts
{
    int queued = 0, started = 0, finished = 0, failed = 0, canceled = 0;
    int running = 0; ///< workers busy
    int maxConcurrent = 0;
    bool paused = false;
    int total() const { return queued + started + finished + failed + canceled; }
};

/// \brief The one owner of every job: submits, schedules workers on a thread pool, records every
/// state change in the JobStore, and tells the world through signals.
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
        int maxConcurrent = 0; ///< 0: defaultConcurrency()
        int threadsPerJob = 0; ///< libav threads per decoder/encoder; 0: automaticThreads()
        WorkerProcess::Options worker;
        int maxAttempts = 3; ///< a job interrupted this many times fails
        bool autoStart = true; ///< start queued jobs as soon as open() returns
    };
    enum class Move { Up, Down, Top, Bottom };

    explicit JobManager(Options options, QObject* parent = nullptr);
    ~JobManager() override;

    /// Locks the data directory, opens the store, recovers what an earlier run left started.
    Result<void> open();
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
    int runningCount() const;

    /// Main thread only: the job without a copy, or nullptr. Valid until control returns to the loop.
    const Job* find(const QUuid& id) const;
    /// Main thread only: every job id in queue order.
    const QList<QUuid>& order() const { return m_order; }

    // Thread-safe reads.
    std::optional<Job> job(const QUuid& id) const;
    JobPage jobs(const JobQuery& query) const;
    JobCounts counts() const;

    /// Both cores busy without oversubscribing them; see the farm benchmark.
    static int defaultConcurrency();
    /// libav threads for a job that shares the cores with \a sharing - 1 others (0: automatic).
    static int automaticThreads(int sharing);
    QString dataDir() const { return m_options.dataDir; }

Q_SIGNALS:
    void jobAdded(const QUuid& id);
    void jobRemoved(const QUuid& id);
    void jobStateChanged(const QUuid& id, vtfarm::jobs::JobState from, vtfarm::jobs::JobState to);
    /// Progress or any other field; at most ~10 a second per job.
    void jobChanged(const QUuid& id);
    void orderChanged();
    void pausedChanged(bool paused);
    void runningCountChanged(int running);
    /// Nothing queued and nothing running any more.
    void queueDrained();

private:
    struct Running;
    friend class JobTask;

    /// BestEffort: the state changes in memory even when the store cannot record it (for what
    /// has already happened, such as a worker that ended).
    enum class Persist { Required, BestEffort };
    Result<void> transition(Job& job, JobState to, const QString& error = {}, Persist persist = Persist::Required);
    void applyOutcome(Job& job, const WorkerOutcome& outcome, bool requeue);
    /// \a suffixes: for each wanted output path, where the search for a free name goes on.
    Result<Job> prepare(JobSpec spec, const QSet<QString>& reserved, QHash<QString, int>* suffixes) const;
    void schedule();
    bool start(Job& job);
    void onProgress(const QUuid& id, const media::TranscodeProgress& progress);
    void onWorkerDone(const QUuid& id, const WorkerOutcome& outcome);
    void recover();
    void removeStaleParts();
    Job* mutableJob(const QUuid& id);
    QSet<QString> reservedOutputs() const;

    Options m_options;
    std::unique_ptr<JobStore> m_store;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<QThreadPool> m_pool;
    mutable QReadWriteLock m_lockJobs; // guards m_jobs and m_order for readers on other threads
    QHash<QUuid, Job> m_jobs;
    QList<QUuid> m_order;
    QHash<QUuid, std::shared_ptr<Running>> m_running;
    std::atomic<bool> m_paused { false };
    std::atomic<int> m_runningCount { 0 }; // m_running's size, for readers on other threads
    bool m_shuttingDown = false;
    bool m_open = false;
    bool m_hadWork = false;
};

} // namespace vtfarm::jobs
