#pragma once
// A WorkerBackend whose runs do nothing until the test says: for the scheduler's rules (which job
// runs next, how many at once, what a cancel or a lost run does), without waiting for real encodes.

#include "workerbackend.h"

#include <QHash>
#include <QList>
#include <QUuid>
#include <atomic>
#include <memory>
#include <mutex>

namespace vtfarm::test {

class FakeWorkers final : public jobs::WorkerBackend
{
public:
    struct Run : jobs::WorkerRun
    {
        jobs::WorkerRequest request;
        jobs::WorkerEvents events;
        std::atomic<bool> stopRequested { false };
        bool ended = false;
        void stop() override { stopRequested = true; }
    };

    /// When true, runs report `started` only when the test calls begin() (as a farm's do).
    explicit FakeWorkers(bool startsLater = false)
        : m_startsLater(startsLater)
    { }

    std::shared_ptr<jobs::WorkerRun> start(
        const jobs::WorkerRequest& request, jobs::WorkerEvents events) override
    {
        auto run = std::make_shared<Run>();
        run->request = request;
        run->events = std::move(events);
        {
            std::lock_guard lock(m_mutex);
            m_runs.append(run);
            m_order.append(request.job);
        }
        if (!m_startsLater && run->events.started)
            run->events.started(QString());
        return run;
    }

    /// Every run still going ends as Stopped, as a backend's shutdown does.
    void shutdown() override
    {
        for (const auto& run : runs()) {
            if (!run->ended)
                end(run, { jobs::WorkerOutcome::Kind::Stopped, {}, {} });
        }
    }

    /// The jobs handed to this backend, in the order they were.
    QList<QUuid> startOrder() const
    {
        std::lock_guard lock(m_mutex);
        return m_order;
    }
    /// The runs that have not ended.
    QList<std::shared_ptr<Run>> running() const
    {
        QList<std::shared_ptr<Run>> list;
        for (const auto& run : runs()) {
            if (!run->ended)
                list.append(run);
        }
        return list;
    }
    std::shared_ptr<Run> runOf(const QUuid& job) const
    {
        const auto all = runs();
        for (auto it = all.crbegin(); it != all.crend(); ++it) {
            if ((*it)->request.job == job)
                return *it;
        }
        return {};
    }

    void begin(const QUuid& job, const QString& node) { runOf(job)->events.started(node); }
    void progress(const QUuid& job, double fraction)
    {
        media::TranscodeProgress p;
        p.fraction = fraction;
        p.frames = qint64(fraction * 100);
        runOf(job)->events.progress(p);
    }
    void finish(const QUuid& job)
    {
        jobs::WorkerOutcome outcome { jobs::WorkerOutcome::Kind::Finished, {}, {} };
        outcome.report.outputPath = runOf(job)->request.output;
        outcome.report.frames = 100;
        end(runOf(job), outcome);
    }
    void fail(const QUuid& job, const QString& message)
    {
        end(runOf(job), { jobs::WorkerOutcome::Kind::Failed, { ErrorCode::Internal, message, {} }, {} });
    }
    void interrupt(const QUuid& job, const QString& message)
    {
        end(runOf(job),
            { jobs::WorkerOutcome::Kind::Interrupted, { ErrorCode::LimitExceeded, message, {} }, {} });
    }
    /// Ends a run whose stop was asked for, as a worker that has stopped.
    void acknowledgeStop(const QUuid& job)
    {
        end(runOf(job), { jobs::WorkerOutcome::Kind::Stopped, {}, {} });
    }

private:
    QList<std::shared_ptr<Run>> runs() const
    {
        std::lock_guard lock(m_mutex);
        return m_runs;
    }
    static void end(const std::shared_ptr<Run>& run, const jobs::WorkerOutcome& outcome)
    {
        run->ended = true;
        run->events.finished(outcome);
    }

    const bool m_startsLater;
    mutable std::mutex m_mutex;
    QList<std::shared_ptr<Run>> m_runs;
    QList<QUuid> m_order;
};

} // namespace vtfarm::test
