#include "localworkers.h"

#include "transcoder.h"

#include <QRunnable>
#include <QThreadPool>
#include <condition_variable>
#include <exception>
#include <thread>

namespace vtfarm::jobs {

struct ThreadedWorkers::Run : WorkerRun
{
    std::atomic<bool> stopRequested { false };
    void stop() override { stopRequested = true; }
};

ThreadedWorkers::ThreadedWorkers()
    : m_pool(std::make_unique<QThreadPool>())
{
    m_pool->setMaxThreadCount(256); // the manager's slots bound how many run; the pool only hosts them
    m_pool->setExpiryTimeout(-1);
}

ThreadedWorkers::~ThreadedWorkers()
{
    // Derived destructors call shutdown() while runBlocking() can still be called.
}

std::shared_ptr<WorkerRun> ThreadedWorkers::start(const WorkerRequest& request, WorkerEvents events)
{
    auto run = std::make_shared<Run>();
    {
        std::lock_guard lock(m_mutex);
        m_runs.insert(run);
    }
    m_pool->start([this, run, request, events = std::move(events)] {
        // No exception leaves a pool task: it becomes the job's error.
        WorkerOutcome outcome;
        try {
            if (events.started)
                events.started(QString());
            outcome = runBlocking(request, run->stopRequested, events.progress);
        } catch (const std::exception& e) {
            outcome.kind = WorkerOutcome::Kind::Failed;
            outcome.error = { ErrorCode::Internal,
                QStringLiteral("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what())), {} };
        } catch (...) {
            outcome.kind = WorkerOutcome::Kind::Failed;
            outcome.error
                = { ErrorCode::Internal, QStringLiteral("Unexpected error in the job's supervisor."), {} };
        }
        {
            std::lock_guard lock(m_mutex);
            m_runs.erase(run);
        }
        events.finished(outcome);
    });
    return run;
}

void ThreadedWorkers::shutdown()
{
    {
        std::lock_guard lock(m_mutex);
        for (const auto& run : std::as_const(m_runs))
            run->stop();
    }
    m_pool->waitForDone();
}

ChildProcessWorkers::ChildProcessWorkers(WorkerProcess::Options options)
    : m_options(std::move(options))
{ }

ChildProcessWorkers::~ChildProcessWorkers()
{
    shutdown();
}

void ChildProcessWorkers::setStallTimeout(int seconds)
{
    std::lock_guard lock(m_optionsMutex);
    m_options.stallTimeoutSeconds = seconds;
}

WorkerOutcome ChildProcessWorkers::runBlocking(
    const WorkerRequest& request, const std::atomic<bool>& stop, const ProgressFn& onProgress)
{
    WorkerProcess::Options options;
    {
        std::lock_guard lock(m_optionsMutex);
        options = m_options;
    }
    return WorkerProcess(options).run(request, stop, onProgress);
}

InProcessWorkers::~InProcessWorkers()
{
    shutdown();
}

WorkerOutcome InProcessWorkers::runBlocking(
    const WorkerRequest& request, const std::atomic<bool>& stop, const ProgressFn& onProgress)
{
    media::Transcoder transcoder(request.input, request.output, request.settings);
    transcoder.setProgressCallback(onProgress);
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::thread watcher([&] {
        std::unique_lock lock(mutex);
        while (!done) {
            if (stop.load()) {
                transcoder.cancel();
                return;
            }
            cv.wait_for(lock, std::chrono::milliseconds(20));
        }
    });
    auto result = transcoder.run();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    cv.notify_all();
    watcher.join();
    WorkerOutcome outcome;
    if (result) {
        outcome.kind = WorkerOutcome::Kind::Finished;
        outcome.report = *result;
    } else if (result.error().code == ErrorCode::Canceled) {
        outcome.kind = WorkerOutcome::Kind::Stopped;
    } else {
        outcome.kind = WorkerOutcome::Kind::Failed;
        outcome.error = result.error();
    }
    return outcome;
}

std::shared_ptr<WorkerBackend> makeLocalWorkers(const WorkerProcess::Options& options)
{
    if (options.mode == WorkerProcess::Mode::InProcess)
        return std::make_shared<InProcessWorkers>();
    return std::make_shared<ChildProcessWorkers>(options);
}

} // namespace vtfarm::jobs
