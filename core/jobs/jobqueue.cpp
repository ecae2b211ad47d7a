#include "jobqueue.h"

#include "jobstore.h"

#include <QHash>
#include <utility>

namespace vtfarm::jobs {

JobQueue::JobQueue(std::unique_ptr<JobStore> store)
    : m_store(std::move(store))
{ }

JobQueue::~JobQueue() = default;

void JobQueue::closeStore()
{
    m_store.reset();
}

Result<void> JobQueue::load()
{
    auto loaded = m_store->loadAll();
    if (!loaded)
        return loaded.error();
    QWriteLocker lock(&m_lock);
    m_jobs.clear();
    m_order.clear();
    m_jobs.reserve(loaded->size());
    m_order.reserve(loaded->size());
    for (Job& job : *loaded) {
        m_order.append(job.id);
        m_jobs.insert(job.id, std::move(job));
    }
    return {};
}

const Job* JobQueue::find(const QUuid& id) const
{
    auto it = m_jobs.constFind(id);
    return it == m_jobs.cend() ? nullptr : &it.value();
}

qint64 JobQueue::nextPosition() const
{
    return m_order.isEmpty() ? 0 : m_jobs.value(m_order.last()).position + 1;
}

const Job* JobQueue::next(const std::function<bool(const Job&)>& eligible) const
{
    // (priority, place of the job or of its parent, own place): the highest priority, then the
    // earliest place, wins.
    struct Rank
    {
        int priority;
        qsizetype place;
        qsizetype own;
    };
    QHash<QUuid, qsizetype> places; // filled when the first queued segment is met
    const Job* best = nullptr;
    Rank bestRank {};
    for (qsizetype i = 0; i < m_order.size(); ++i) {
        const Job& job = *m_jobs.constFind(m_order.at(i));
        if (job.state != JobState::Queued)
            continue;
        Rank rank { job.spec.priority, i, i };
        if (job.isChild()) {
            if (places.isEmpty()) {
                places.reserve(m_order.size());
                for (qsizetype k = 0; k < m_order.size(); ++k)
                    places.insert(m_order.at(k), k);
            }
            if (auto parent = m_jobs.constFind(job.parent); parent != m_jobs.cend()) {
                rank.priority = parent->spec.priority;
                rank.place = places.value(job.parent, i);
            }
        }
        if (best
            && (rank.priority < bestRank.priority
                || (rank.priority == bestRank.priority
                    && std::pair(rank.place, rank.own) > std::pair(bestRank.place, bestRank.own))))
            continue;
        if (!eligible || eligible(job)) {
            best = &job;
            bestRank = rank;
        }
    }
    return best;
}

int JobQueue::queuedCount() const
{
    return int(std::count_if(
        m_jobs.cbegin(), m_jobs.cend(), [](const Job& j) { return j.state == JobState::Queued; }));
}

Result<void> JobQueue::save(const Job& job)
{
    if (auto r = m_store->update(job); !r)
        return r;
    QWriteLocker lock(&m_lock);
    m_jobs[job.id] = job;
    return {};
}

void JobQueue::modify(const QUuid& id, const std::function<void(Job&)>& change)
{
    QWriteLocker lock(&m_lock);
    auto it = m_jobs.find(id);
    if (it != m_jobs.end())
        change(it.value());
}

Result<void> JobQueue::append(QList<Job> jobs)
{
    if (auto r = m_store->insert(jobs); !r)
        return r;
    QWriteLocker lock(&m_lock);
    for (Job& job : jobs) {
        m_order.append(job.id);
        m_jobs.insert(job.id, std::move(job));
    }
    return {};
}

Result<void> JobQueue::remove(const QList<QUuid>& ids)
{
    if (auto r = m_store->remove(ids); !r)
        return r;
    QWriteLocker lock(&m_lock);
    const QSet<QUuid> gone(ids.cbegin(), ids.cend());
    for (const QUuid& id : ids)
        m_jobs.remove(id);
    m_order.removeIf([&gone](const QUuid& id) { return gone.contains(id); });
    return {};
}

Result<void> JobQueue::move(qsizetype from, qsizetype to)
{
    if (from == to || from < 0 || to < 0 || from >= m_order.size() || to >= m_order.size())
        return {};
    // One step swaps two positions; a jump to an end takes one past that end.
    if (std::abs(to - from) == 1)
        return swap(from, to);
    QList<Job> changed;
    Job moved = m_jobs.value(m_order.at(from));
    if (to == 0 || to == m_order.size() - 1) {
        moved.position = to == 0 ? m_jobs.value(m_order.first()).position - 1
                                 : m_jobs.value(m_order.last()).position + 1;
        changed = { moved };
    } else {
        return Error { ErrorCode::InvalidArgument,
            QStringLiteral("A job moves one place or to an end of the queue."), {} };
    }
    if (auto r = m_store->updatePositions(changed); !r)
        return r;
    QWriteLocker lock(&m_lock);
    for (const Job& j : std::as_const(changed))
        m_jobs[j.id].position = j.position;
    m_order.move(from, to);
    return {};
}

Result<void> JobQueue::swap(qsizetype a, qsizetype b)
{
    if (a == b || a < 0 || b < 0 || a >= m_order.size() || b >= m_order.size())
        return {};
    Job first = m_jobs.value(m_order.at(a));
    Job second = m_jobs.value(m_order.at(b));
    std::swap(first.position, second.position);
    if (auto r = m_store->updatePositions({ first, second }); !r)
        return r;
    QWriteLocker lock(&m_lock);
    m_jobs[first.id].position = first.position;
    m_jobs[second.id].position = second.position;
    m_order.swapItemsAt(a, b);
    return {};
}

std::optional<Job> JobQueue::job(const QUuid& id) const
{
    QReadLocker lock(&m_lock);
    auto it = m_jobs.constFind(id);
    if (it == m_jobs.cend())
        return std::nullopt;
    return it.value();
}

JobPage JobQueue::page(const JobQuery& query) const
{
    QReadLocker lock(&m_lock);
    JobPage page;
    qsizetype i = 0;
    if (!query.after.isNull()) {
        i = m_order.indexOf(query.after);
        if (i < 0)
            return page;
        ++i;
    }
    const int limit = std::clamp(query.limit, 1, 1000);
    for (; i < m_order.size(); ++i) {
        const Job& job = *m_jobs.constFind(m_order.at(i));
        if ((query.state && job.state != *query.state) || (job.isChild() && !query.children))
            continue;
        if (page.jobs.size() == limit) {
            page.next = page.jobs.last().id;
            break;
        }
        page.jobs.append(job);
    }
    return page;
}

JobCounts JobQueue::counts() const
{
    QReadLocker lock(&m_lock);
    JobCounts c;
    for (const Job& job : m_jobs)
        c.add(job);
    return c;
}

} // namespace vtfarm::jobs
