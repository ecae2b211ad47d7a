#include "dispatcher.h"

#include "jobmanager.h"
#include "metrics.h"
#include "redisthread.h"
#include "workerprotocol.h"

#include <QFileInfo>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QTimer>
#include <utility>

Q_LOGGING_CATEGORY(lcFarm, "vtfarm.farm")

namespace vtfarm::cluster {

using jobs::WorkerOutcome;

namespace {

constexpr int kEventsBlockMs = 1000;
constexpr int kEventsBatch = 200;
constexpr int kEventsKept = 10'000; // MAXLEN ~ of the events stream
constexpr int kTickMs = 1000;

/// Whether \a entryId (an event's, a pending entry's) is \a runEntry, the run's own. An attempt
/// number alone does not tell: a job handed back unfinished runs again with the same attempt, in a
/// new entry. Either unknown yet: taken as the same.
bool sameEntry(const QString& runEntry, const QString& entryId)
{
    return runEntry.isEmpty() || entryId.isEmpty() || runEntry == entryId;
}

} // namespace

/// A job handed to the farm.
struct Dispatcher::Run : jobs::WorkerRun
{
    Dispatcher* dispatcher = nullptr;
    QUuid job;
    int attempt = 0;
    QString name;
    jobs::WorkerEvents events;
    QString entryId; ///< its entry in the jobs stream, once XADD answered
    QString node; ///< the node that took it
    bool begun = false;
    bool ended = false;
    bool stopRequested = false;
    int missing = 0; ///< snapshots in a row that did not have its entry
    QElapsedTimer dispatched;
    QElapsedTimer lastHeard; ///< since its node last said something about it

    void stop() override
    {
        // Later, on the dispatcher's thread: stop() comes from the manager in the middle of a
        // cancel, which must be recorded before the run reports its end.
        Dispatcher* d = dispatcher;
        QMetaObject::invokeMethod(
            d,
            [d, weak = self] {
                if (auto run = weak.lock())
                    d->cancel(run);
            },
            Qt::QueuedConnection);
    }
    std::weak_ptr<Run> self;
};

/// What Redis holds of the farm's jobs at one moment.
struct Dispatcher::Snapshot
{
    struct Entry
    {
        QString id;
        QUuid job;
        int attempt = 0;
        QString consumer; ///< the node that took it; empty while no node has
    };
    QList<Entry> entries;
};

Dispatcher::Dispatcher(Options options, jobs::JobManager* manager, metrics::Metrics* metrics, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_manager(manager)
    , m_metrics(metrics)
{ }

Dispatcher::~Dispatcher()
{
    shutdown();
}

void Dispatcher::post(std::function<void()> fn)
{
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

Result<void> Dispatcher::start()
{
    // Once, here, what a person must fix is said and nothing starts: Redis unreachable at
    // start-up is a reason to wait (it may start later); a wrong password is not.
    auto first = Redis::connect(m_options.redis, std::chrono::seconds(5));
    if (!first && first.error().code != ErrorCode::IoError)
        return first.error();
    if (!first)
        qCWarning(lcFarm).noquote() << first.error().message << "- trying again";

    const auto status = [this](const QString& problem) {
        post([this, problem] {
            if (problem.isEmpty())
                qCInfo(lcFarm).noquote() << "Redis is back at" << m_options.redis.display();
            else
                qCWarning(lcFarm).noquote() << problem;
            Q_EMIT redisStatusChanged(problem);
        });
    };
    m_commands = std::make_unique<RedisThread>(m_options.redis, nullptr, status);
    // The events nodes send, read from where the last coordinator left off.
    m_commands->post([this](Redis& redis) {
        auto r = redis.command({ "HGET", keys::coordinator, "events_cursor" });
        if (!r)
            return false;
        if (r->value().isString() && !r->value().text().empty()) {
            std::lock_guard lock(m_cursorMutex);
            m_eventsCursor = std::string(r->value().text());
        }
        return true;
    });
    m_events = std::make_unique<RedisThread>(m_options.redis, [this](Redis& redis) {
        std::string cursor;
        {
            std::lock_guard lock(m_cursorMutex);
            cursor = m_eventsCursor;
        }
        redis.setTimeout(std::chrono::milliseconds(kEventsBlockMs + 5000));
        auto r = redis.command({ "XREAD", "COUNT", std::to_string(kEventsBatch), "BLOCK",
            std::to_string(kEventsBlockMs), "STREAMS", keys::events, cursor });
        if (!r || r->value().isNil() || r->value().isError())
            return;
        std::vector<FarmEvent> events;
        const RedisValue streams = r->value();
        for (std::size_t s = 0; s < streams.size(); ++s) {
            for (const StreamEntry& e : streamEntries(streams.at(s).at(1))) {
                events.push_back(FarmEvent::fromFields(e.fields));
                cursor = e.id;
            }
        }
        {
            std::lock_guard lock(m_cursorMutex);
            m_eventsCursor = cursor;
        }
        if (!events.empty())
            post([this, events] { onEvents(events); });
    });

    m_timer = new QTimer(this);
    m_timer->setInterval(kTickMs);
    connect(m_timer, &QTimer::timeout, this, &Dispatcher::tick);
    m_timer->start();
    m_sinceReclaim.start();
    m_manager->setFarm(this);
    tick();
    return {};
}

void Dispatcher::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    if (m_timer)
        m_timer->stop();
    // The nodes go on with what they hold; the store says what was in flight for the next start.
    if (m_commands) {
        std::string cursor;
        {
            std::lock_guard lock(m_cursorMutex);
            cursor = m_eventsCursor;
        }
        if (cursor != "$")
            m_commands->post([cursor](Redis& redis) {
                return bool(redis.command({ "HSET", keys::coordinator, "events_cursor", cursor }));
            });
    }
    m_events.reset();
    // The last tasks (an XADD, the cursor) get a moment to go out.
    if (m_commands) {
        std::atomic<bool> flushed { false };
        m_commands->post([&flushed](Redis&) {
            flushed = true;
            return true;
        });
        for (int i = 0; i < 20 && !flushed && m_commands->connected(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        m_commands.reset();
    }
    m_runs.clear();
    if (m_manager && m_manager->farm() == this)
        m_manager->setFarm(nullptr);
}

int Dispatcher::capacity() const
{
    std::lock_guard lock(m_nodesMutex);
    if (m_nodes.isEmpty())
        return m_options.noLocalSlots ? 1 : 0;
    int slots = 0;
    for (const jobs::NodeInfo& n : m_nodes)
        slots += n.slots;
    return slots + int(m_nodes.size()) + 1;
}

QList<jobs::NodeInfo> Dispatcher::nodes() const
{
    std::lock_guard lock(m_nodesMutex);
    return m_nodes;
}

// ---- runs -----------------------------------------------------------------------------------

std::shared_ptr<jobs::WorkerRun> Dispatcher::start(
    const jobs::WorkerRequest& request, jobs::WorkerEvents events)
{
    auto run = std::make_shared<Run>();
    run->self = run;
    run->dispatcher = this;
    run->job = request.job;
    run->attempt = request.attempt;
    run->events = std::move(events);
    if (const jobs::Job* job = m_manager->find(request.job))
        run->name = job->name();
    run->dispatched.start();
    run->lastHeard.start();
    m_runs.insert(run->job, run);
    addEntry(run);
    if (m_metrics)
        m_metrics->jobDispatched();
    return run;
}

std::shared_ptr<jobs::WorkerRun> Dispatcher::adopt(
    const jobs::WorkerRequest& request, jobs::WorkerEvents events, bool begun)
{
    auto run = std::make_shared<Run>();
    run->self = run;
    run->dispatcher = this;
    run->job = request.job;
    run->attempt = request.attempt;
    run->events = std::move(events);
    run->begun = begun;
    run->entryId = m_adoptedEntries.take(request.job);
    if (const jobs::Job* job = m_manager->find(request.job)) {
        run->name = job->name();
        run->node = job->node;
    }
    run->dispatched.start();
    run->lastHeard.start();
    m_runs.insert(run->job, run);
    return run;
}

void Dispatcher::cancel(const std::shared_ptr<Run>& run)
{
    if (run->ended || run->stopRequested)
        return;
    run->stopRequested = true;
    if (!run->begun) {
        // No node has it yet: the entry goes, and with it the job's place in the farm.
        if (!run->entryId.isEmpty()) {
            const std::string id = run->entryId.toStdString();
            m_commands->post([id](Redis& r) { return bool(r.command({ "XDEL", keys::jobs, id })); });
        }
        finish(run, { WorkerOutcome::Kind::Stopped, {}, {} });
        return;
    }
    // Its node stops it and says so; one gone silent is taken back by the lease.
    sendCancel(run->node, run->job, run->attempt);
}

void Dispatcher::sendCancel(const QString& node, const QUuid& job, int attempt)
{
    if (node.isEmpty())
        return;
    const std::string stream = keys::control(node);
    const std::string jobId = job.toString(QUuid::WithoutBraces).toStdString();
    m_commands->post([stream, jobId, attempt](Redis& r) {
        return bool(r.command({ "XADD", stream, "MAXLEN", "~", "1000", "*", "type", "cancel", "job", jobId,
            "attempt", std::to_string(attempt) }));
    });
}

void Dispatcher::finish(const std::shared_ptr<Run>& run, const WorkerOutcome& outcome)
{
    if (run->ended)
        return;
    run->ended = true;
    if (m_runs.value(run->job) == run)
        m_runs.remove(run->job);
    if (outcome.kind != WorkerOutcome::Kind::Interrupted)
        m_triedNodes.remove(run->job);
    // The manager takes it from here (on this thread, at once).
    run->events.finished(outcome);
}

Result<void> Dispatcher::deliver(const QUuid& job, int attempt, const media::TranscodeReport& report)
{
    const auto run = m_runs.value(job);
    if (!run || run->ended || run->attempt != attempt || !run->begun)
        return Error { ErrorCode::Conflict,
            QStringLiteral("Attempt %1 is no longer the job's current one; this result is discarded.")
                .arg(attempt),
            {} };
    const QString node = run->node;
    finish(run, { WorkerOutcome::Kind::Finished, {}, report });
    if (m_metrics)
        m_metrics->nodeJobFinished(node);
    return {};
}

void Dispatcher::countTransfer(bool toNode, qint64 bytes)
{
    if (m_metrics)
        m_metrics->farmTransfer(toNode, bytes);
}

void Dispatcher::countRefusedResult()
{
    if (m_metrics)
        m_metrics->resultRefused();
}

// ---- what nodes say -------------------------------------------------------------------------

void Dispatcher::onEvents(const std::vector<FarmEvent>& events)
{
    if (!m_adopted) {
        m_earlyEvents.insert(m_earlyEvents.end(), events.begin(), events.end());
        return;
    }
    for (const FarmEvent& e : events) {
        const auto run = m_runs.value(e.job);
        const bool current
            = run && !run->ended && run->attempt == e.attempt && sameEntry(run->entryId, e.entryId);
        switch (e.type) {
        case FarmEvent::Type::Taken:
            if (!current || run->stopRequested) {
                // A node took what is no longer wanted (canceled, or an attempt since taken back).
                sendCancel(e.node, e.job, e.attempt);
                break;
            }
            run->entryId = e.entryId.isEmpty() ? run->entryId : e.entryId;
            run->node = e.node;
            run->lastHeard.restart();
            if (!m_triedNodes[e.job].contains(e.node))
                m_triedNodes[e.job].append(e.node);
            if (!run->begun) {
                run->begun = true;
                if (m_metrics)
                    m_metrics->dispatchLatency(run->dispatched.elapsed() / 1000.0);
                run->events.started(e.node);
            }
            break;
        case FarmEvent::Type::Progress:
            if (current && run->begun) {
                run->lastHeard.restart();
                run->events.progress(jobs::protocol::progressFromJson(e.payload));
            }
            break;
        case FarmEvent::Type::Failed:
            if (current) {
                WorkerOutcome outcome = jobs::protocol::outcomeFromJson(e.payload);
                const QString on = QStringLiteral("On node %1: %2").arg(e.node, outcome.error.message);
                // A file that cannot be read fails wherever it runs; a crash or a limit may be the
                // node's: another node tries, and after the last attempt the error names them all.
                const bool theInput = outcome.error.code == ErrorCode::UnsupportedInput
                    || outcome.error.code == ErrorCode::InvalidArgument;
                outcome.kind = theInput ? WorkerOutcome::Kind::Failed : WorkerOutcome::Kind::Interrupted;
                outcome.error.message = theInput
                    ? on
                    : QStringLiteral("%1 (nodes tried: %2)")
                          .arg(on, m_triedNodes.value(e.job).join(QStringLiteral(", ")));
                finish(run, outcome);
            }
            break;
        case FarmEvent::Type::Stopped:
            if (current)
                finish(run,
                    run->stopRequested ? WorkerOutcome { WorkerOutcome::Kind::Stopped, {}, {} }
                                       : WorkerOutcome { WorkerOutcome::Kind::Interrupted,
                                           { ErrorCode::Internal,
                                               QStringLiteral("Node %1 stopped the job.").arg(e.node), {} },
                                           {} });
            break;
        case FarmEvent::Type::Returned:
            if (current)
                finish(run, { WorkerOutcome::Kind::Returned, {}, {} });
            break;
        case FarmEvent::Type::Unknown:
            break;
        }
    }
}

void Dispatcher::onLost(
    const QList<std::pair<QUuid, int>>& entries, const QStringList& nodes, const QStringList& ids)
{
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const auto [job, attempt] = entries.at(i);
        const auto run = m_runs.value(job);
        if (!run || run->ended || run->attempt != attempt || !sameEntry(run->entryId, ids.value(i)))
            continue;
        if (m_metrics)
            m_metrics->jobReclaimed();
        if (run->stopRequested) {
            finish(run, { WorkerOutcome::Kind::Stopped, {}, {} });
            continue;
        }
        const QString node = nodes.value(i);
        qCWarning(lcFarm).noquote() << QStringLiteral("node %1 let the lease of job %2 expire; it runs again")
                                           .arg(node, job.toString(QUuid::WithoutBraces));
        finish(run,
            { WorkerOutcome::Kind::Interrupted,
                { ErrorCode::Internal,
                    QStringLiteral("Node %1 stopped renewing its lease (%2 s) (nodes tried: %3)")
                        .arg(node)
                        .arg(m_options.leaseSeconds)
                        .arg(m_triedNodes.value(job).join(QStringLiteral(", "))),
                    {} },
                {} });
    }
}

// ---- every second ---------------------------------------------------------------------------

void Dispatcher::tick()
{
    if (m_shutDown)
        return;
    const int leaseMs = m_options.leaseSeconds * 1000;
    const bool reclaim = m_sinceReclaim.elapsed() >= leaseMs / 3;
    if (reclaim)
        m_sinceReclaim.restart();
    std::string cursor;
    {
        std::lock_guard lock(m_cursorMutex);
        cursor = m_eventsCursor;
    }
    m_commands->post([this, leaseMs, reclaim, cursor](Redis& redis) {
        // The group, made again if Redis was emptied; the coordinator's version for the nodes.
        auto group = redis.command({ "XGROUP", "CREATE", keys::jobs, keys::group, "0", "MKSTREAM" });
        if (!group)
            return false;
        if (!redis.command({ "HSET", keys::coordinator, "version", VTFARM_VERSION, "protocol",
                std::to_string(kFarmProtocol), "host", QHostInfo::localHostName().toStdString() }))
            return false;
        if (cursor != "$")
            (void)redis.command({ "HSET", keys::coordinator, "events_cursor", cursor });
        (void)redis.command({ "XTRIM", keys::events, "MAXLEN", "~", std::to_string(kEventsKept) });

        // What a node gone silent held: idle in the pending list longer than the lease.
        if (reclaim) {
            auto pending = redis.command(
                { "XPENDING", keys::jobs, keys::group, "IDLE", std::to_string(leaseMs), "-", "+", "100" });
            if (!pending)
                return false;
            QList<std::pair<QUuid, int>> lost;
            QStringList nodes, ids;
            for (std::size_t i = 0; i < pending->value().size(); ++i) {
                const RedisValue p = pending->value().at(i);
                const std::string id(p.at(0).text());
                const QString consumer = p.at(1).qtext();
                auto claimed = redis.command(
                    { "XCLAIM", keys::jobs, keys::group, "coordinator", std::to_string(leaseMs), id });
                if (!claimed)
                    return false;
                const auto entries = streamEntries(claimed->value());
                if (entries.empty())
                    continue; // renewed meanwhile
                auto entry = JobEntry::fromFields(entries.front().fields);
                (void)redis.command({ "XACK", keys::jobs, keys::group, id });
                (void)redis.command({ "XDEL", keys::jobs, id });
                if (entry) {
                    lost.append({ entry->job, entry->attempt });
                    nodes.append(consumer);
                    ids.append(QString::fromStdString(id));
                }
            }
            if (!lost.isEmpty())
                post([this, lost, nodes, ids] { onLost(lost, nodes, ids); });
        }

        // What is in the stream now, and which node took what.
        Snapshot snapshot;
        auto range = redis.command({ "XRANGE", keys::jobs, "-", "+", "COUNT", "10000" });
        if (!range)
            return false;
        QHash<QString, int> byId;
        for (const StreamEntry& e : streamEntries(range->value())) {
            auto entry = JobEntry::fromFields(e.fields);
            if (!entry)
                continue;
            byId.insert(QString::fromStdString(e.id), int(snapshot.entries.size()));
            snapshot.entries.append({ QString::fromStdString(e.id), entry->job, entry->attempt, {} });
        }
        auto taken = redis.command({ "XPENDING", keys::jobs, keys::group, "-", "+", "10000" });
        if (!taken)
            return false;
        for (std::size_t i = 0; i < taken->value().size(); ++i) {
            const RedisValue p = taken->value().at(i);
            const auto it = byId.constFind(p.at(0).qtext());
            if (it != byId.cend())
                snapshot.entries[*it].consumer = p.at(1).qtext();
        }

        // The nodes that said they are alive within their time to live.
        QList<jobs::NodeInfo> nodes;
        std::string scan = "0";
        do {
            auto page = redis.command({ "SCAN", scan, "MATCH", keys::nodePrefix + "*", "COUNT", "100" });
            if (!page)
                return false;
            scan = std::string(page->value().at(0).text());
            const RedisValue names = page->value().at(1);
            for (std::size_t i = 0; i < names.size(); ++i) {
                auto hash = redis.command({ "HGETALL", std::string(names.at(i).text()) });
                if (!hash)
                    return false;
                jobs::NodeInfo n;
                const RedisValue h = hash->value();
                for (std::size_t f = 0; f + 1 < h.size(); f += 2) {
                    const std::string_view key = h.at(f).text();
                    const QString value = h.at(f + 1).qtext();
                    if (key == "name")
                        n.name = value;
                    else if (key == "host")
                        n.host = value;
                    else if (key == "version")
                        n.version = value;
                    else if (key == "slots")
                        n.slots = value.toInt();
                    else if (key == "busy")
                        n.busy = value.toInt();
                    else if (key == "jobs_done")
                        n.jobsDone = value.toLongLong();
                    else if (key == "last_seen")
                        n.lastSeen = QDateTime::fromMSecsSinceEpoch(value.toLongLong()).toUTC();
                }
                if (!n.name.isEmpty())
                    nodes.append(n);
            }
        } while (scan != "0");
        std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        post([this, snapshot, nodes] {
            onNodes(nodes);
            onSnapshot(snapshot);
        });
        return true;
    });
}

void Dispatcher::onNodes(const QList<jobs::NodeInfo>& nodes)
{
    bool changed = false;
    {
        std::lock_guard lock(m_nodesMutex);
        changed = nodes.size() != m_nodes.size();
        for (qsizetype i = 0; !changed && i < nodes.size(); ++i)
            changed = nodes[i].name != m_nodes[i].name || nodes[i].slots != m_nodes[i].slots;
        m_nodes = nodes;
    }
    if (m_metrics)
        m_metrics->setNodes(nodes);
    if (changed && m_adopted)
        m_manager->schedule();
}

void Dispatcher::onSnapshot(const Snapshot& snapshot)
{
    if (!m_adopted) {
        adoptFromStore(snapshot);
        return;
    }
    QHash<QUuid, const Snapshot::Entry*> byJob;
    for (const Snapshot::Entry& e : snapshot.entries)
        byJob.insert(e.job, &e);
    const qint64 leaseMs = qint64(m_options.leaseSeconds) * 1000;
    const auto runs = m_runs;
    for (const auto& run : runs) {
        const Snapshot::Entry* e = byJob.value(run->job);
        const bool present = e && e->attempt == run->attempt && sameEntry(run->entryId, e->id);
        if (present) {
            run->missing = 0;
            // Taken while no event reached us (the coordinator was down): the pending list says who.
            if (!run->begun && !e->consumer.isEmpty() && e->consumer != u"coordinator")
                onEvents(
                    { FarmEvent { FarmEvent::Type::Taken, run->job, run->attempt, e->consumer, e->id, {} } });
            continue;
        }
        if (run->entryId.isEmpty() && run->dispatched.elapsed() < leaseMs)
            continue; // its XADD has not been answered yet
        ++run->missing;
        if (!run->begun) {
            // Redis lost the entry (emptied, or restarted without its file): it goes in again.
            if (run->missing >= 2) {
                qCWarning(lcFarm) << "the jobs stream lost job" << run->job.toString(QUuid::WithoutBraces)
                                  << "- adding it again";
                run->entryId.clear();
                run->missing = 0;
                run->dispatched.restart();
                addEntry(run);
            }
        } else if (run->lastHeard.elapsed() > leaseMs) {
            // A node holds no lease on it any more, and has said nothing for a lease.
            onLost({ { run->job, run->attempt } }, { run->node }, { run->entryId });
        }
    }
    // Entries for jobs that are no longer the farm's (ended, removed): gone from the stream.
    for (const Snapshot::Entry& e : snapshot.entries) {
        const auto run = m_runs.value(e.job);
        if ((!run || run->attempt != e.attempt) && e.consumer != u"coordinator") {
            const jobs::Job* job = m_manager->find(e.job);
            if (!job || jobs::isFinal(job->state) || (run && run->attempt > e.attempt)) {
                const std::string id = e.id.toStdString();
                m_commands->post([id](Redis& r) {
                    (void)r.command({ "XACK", keys::jobs, keys::group, id });
                    return bool(r.command({ "XDEL", keys::jobs, id }));
                });
            }
        }
    }
}

void Dispatcher::addEntry(const std::shared_ptr<Run>& run)
{
    const jobs::Job* job = m_manager->find(run->job);
    if (!job)
        return;
    JobEntry entry;
    entry.job = run->job;
    entry.attempt = run->attempt;
    entry.name = run->name;
    entry.container = QFileInfo(job->outputPath).suffix().toLower();
    entry.inputBytes = QFileInfo(job->spec.input).size();
    // A split job's segments all read the parent's input.
    entry.inputKey = (job->isChild() ? job->parent : job->id).toString(QUuid::WithoutBraces);
    entry.settings = job->spec.settings;
    const std::vector<std::string> fields = entry.fields();
    std::weak_ptr<Run> weak = run;
    m_commands->post([this, fields, weak](Redis& redis) {
        std::vector<std::string> args { "XADD", keys::jobs, "*" };
        args.insert(args.end(), fields.begin(), fields.end());
        auto r = redis.command(args);
        if (!r)
            return false;
        if (r->value().isError()) {
            qCWarning(lcFarm).noquote() << "XADD refused:" << r->value().qtext();
            return true;
        }
        const QString id = r->value().qtext();
        post([this, weak, id] {
            if (auto run = weak.lock()) {
                run->entryId = id;
                run->missing = 0;
                // Canceled before the entry was there: it goes now.
                if (run->ended)
                    m_commands->post([id](Redis& r) {
                        return bool(r.command({ "XDEL", keys::jobs, id.toStdString() }));
                    });
            }
        });
        return true;
    });
}

void Dispatcher::adoptFromStore(const Snapshot& snapshot)
{
    // What an earlier coordinator handed over is taken up again, not handed over twice: jobs the
    // store has as started on a node, and queued jobs whose entry waits in the stream.
    QHash<QUuid, const Snapshot::Entry*> byJob;
    for (const Snapshot::Entry& e : snapshot.entries)
        byJob.insert(e.job, &e);
    // A lane of the manager's from now on; nothing goes to it before what it holds is taken up.
    m_manager->addBackend(std::shared_ptr<jobs::WorkerBackend>(this, [](jobs::WorkerBackend*) {}),
        [this] { return capacity(); });
    int adopted = 0;
    for (const QUuid& id : m_manager->order()) {
        const jobs::Job* job = m_manager->find(id);
        const Snapshot::Entry* e = byJob.value(id);
        if (job->state == jobs::JobState::Started && !job->node.isEmpty()) {
            if (e && e->attempt == job->attempts)
                m_adoptedEntries.insert(id, e->id);
            if (m_manager->adopt(this, id, job->attempts, true))
                ++adopted;
        } else if (job->state == jobs::JobState::Queued && e && e->attempt == job->attempts + 1) {
            m_adoptedEntries.insert(id, e->id);
            if (m_manager->adopt(this, id, e->attempt, false)) {
                ++adopted;
                if (!e->consumer.isEmpty() && e->consumer != u"coordinator")
                    onEvents(
                        { FarmEvent { FarmEvent::Type::Taken, id, e->attempt, e->consumer, e->id, {} } });
            }
        }
    }
    if (adopted)
        qCInfo(lcFarm) << "took up" << adopted << "jobs the farm held before this start";
    m_adopted = true;
    if (!m_earlyEvents.empty()) {
        const std::vector<FarmEvent> early = std::exchange(m_earlyEvents, {});
        onEvents(early);
    }
    m_manager->schedule();
}

} // namespace vtfarm::cluster
