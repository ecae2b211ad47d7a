#pragma once

#include "workerbackend.h"
#include "workerprocess.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <set>

class QThreadPool;

namespace vtfarm::jobs {

/// \brief A backend that runs each request on a thread of its own, blocking there until it ends.
///
/// The threads are kept for the life of the backend: a worker process dies with the thread that
/// started it (PR_SET_PDEATHSIG), so a thread must not expire while its worker runs.
class ThreadedWorkers : public WorkerBackend
{
public:
    ThreadedWorkers();
    ~ThreadedWorkers() override;
    std::shared_ptr<WorkerRun> start(const WorkerRequest& request, WorkerEvents events) final;
    void shutdown() final;

protected:
    using ProgressFn = std::function<void(const media::TranscodeProgress&)>;
    /// Runs \a request to its end on the calling thread; \a stop set to true from any thread ends it early.
    virtual WorkerOutcome runBlocking(
        const WorkerRequest& request, const std::atomic<bool>& stop, const ProgressFn& onProgress)
        = 0;

private:
    struct Run;
    std::unique_ptr<QThreadPool> m_pool;
    std::mutex m_mutex;
    std::set<std::shared_ptr<Run>> m_runs;
};

/// \brief Each request in a worker process (`vtfarm-cli worker`): a crash on a hostile file ends one job.
class ChildProcessWorkers final : public ThreadedWorkers
{
public:
    explicit ChildProcessWorkers(WorkerProcess::Options options);
    ~ChildProcessWorkers() override;
    /// For the runs started from now on.
    void setStallTimeout(int seconds);

protected:
    WorkerOutcome runBlocking(
        const WorkerRequest& request, const std::atomic<bool>& stop, const ProgressFn& onProgress) override;

private:
    std::mutex m_optionsMutex;
    WorkerProcess::Options m_options;
};

/// \brief Each request inside this process, on the pool thread: for tests and debugging.
class InProcessWorkers final : public ThreadedWorkers
{
public:
    ~InProcessWorkers() override;

protected:
    WorkerOutcome runBlocking(
        const WorkerRequest& request, const std::atomic<bool>& stop, const ProgressFn& onProgress) override;
};

/// The local backend \a options.mode names.
std::shared_ptr<WorkerBackend> makeLocalWorkers(const WorkerProcess::Options& options);

} // namespace vtfarm::jobs
