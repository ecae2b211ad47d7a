#pragma once

#include "job.h"
#include "jobcounts.h"
#include "result.h"

#include <QHash>
#include <QList>
#include <QReadWriteLock>
#include <QUuid>
#include <functional>
#include <memory>
#include <optional>

namespace vtfarm::jobs {

class JobStore;

/// \brief A page of jobs, in queue order, for callers that list (the API, `vtfarm-cli jobs`).
struct JobQuery
{
    std::optional<JobState> state;
    int limit = 100;
    QUuid after; ///< cursor: the id of the last job of the previous page
    bool children = false; ///< also the segments of split jobs (their parents list them)
};
struct JobPage
{
    QList<Job> jobs;
    QUuid next; ///< null on the last page
};

/// \brief The queue: every job in order, kept in memory and in its JobStore, and the rule for
/// which queued job runs next.
///
/// Changes are written to the store first and take effect in memory only when that worked. The
/// JobManager changes it on its thread; the local scheduler and the farm's dispatcher both pick
/// the next job through next(). job(), page() and counts() are safe from any thread.
class JobQueue
{
public:
    explicit JobQueue(std::unique_ptr<JobStore> store);
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    /// Reads every job from the store, replacing what is in memory.
    Result<void> load();
    JobStore& store() { return *m_store; }
    /// Closes the store; what is in memory stays readable.
    void closeStore();

    const Job* find(const QUuid& id) const;
    const QList<QUuid>& order() const { return m_order; }
    bool isEmpty() const { return m_order.isEmpty(); }
    qsizetype size() const { return m_order.size(); }
    /// Where a job added now goes.
    qint64 nextPosition() const;

    /// The queued job to start next: the highest priority, then the earliest in the queue, among
    /// those \a eligible accepts; nullptr when there is none. A split job's segments rank in its
    /// place and at its priority, not where they were appended (behind the jobs queued then).
    const Job* next(const std::function<bool(const Job&)>& eligible = {}) const;
    int queuedCount() const;

    /// Records \a job (same id) in the store, then in memory.
    Result<void> save(const Job& job);
    /// Changes a job in memory only (live progress, fields that are not kept).
    void modify(const QUuid& id, const std::function<void(Job&)>& change);
    /// All or nothing: every job is stored, at the end of the queue, or none is.
    Result<void> append(QList<Job> jobs);
    Result<void> remove(const QList<QUuid>& ids);
    /// Moves the job at \a from to index \a to (one place, or an end), storing the positions that
    /// changed.
    Result<void> move(qsizetype from, qsizetype to);
    /// Swaps the places of the jobs at \a a and \a b; what lies between stays.
    Result<void> swap(qsizetype a, qsizetype b);

    // Thread-safe reads; they return copies.
    std::optional<Job> job(const QUuid& id) const;
    JobPage page(const JobQuery& query) const;
    /// Counted under one lock; the farm's fields (running, maxConcurrent, paused) are left to the caller.
    JobCounts counts() const;

private:
    std::unique_ptr<JobStore> m_store;
    mutable QReadWriteLock m_lock; // guards m_jobs and m_order for readers on other threads
    QHash<QUuid, Job> m_jobs;
    QList<QUuid> m_order;
};

} // namespace vtfarm::jobs
