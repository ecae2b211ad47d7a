#include "jobmanager.h"

#include "datafolder.h"
#include "farm.h"
#include "jobstore.h"
#include "localworkers.h"
#include "outputnaming.h"
#include "partfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QThread>
#include <QTimer>
#include <mutex>

Q_LOGGING_CATEGORY(lcJobs, "vtfarm.jobs")

namespace vtfarm::jobs {

/// A backend and how many of its runs may be going at once.
struct JobManager::Lane
{
    std::shared_ptr<WorkerBackend> backend;
    std::function<int()> capacity;
    bool local = false; ///< this machine's slots: a job counts as started when it is handed over
};

/// A run in flight. Its events come from the backend's threads and are handed to the manager's.
struct JobManager::Running
{
    quint64 serial = 0; ///< tells this run's events from those of an earlier run of the same job
    QUuid id;
    Lane* lane = nullptr;
    std::shared_ptr<WorkerRun> run;
    int attempt = 0;
    bool begun = false; ///< the job is `started` (a farm's run begins when a node takes it)
    bool requeue = false; ///< stopped for a shutdown: back to the queue, not canceled
    QElapsedTimer sinceMove; ///< since the run's pipeline last moved (or it began)
    qint64 lastActivity = -2;
    QString outputPath; ///< reserved until the run has ended, even when the job is gone
    /// Written by the backend's thread as the run ends; read by shutdown() once the backend is done.
    std::mutex mutex;
    std::optional<WorkerOutcome> outcome;
};

JobManager::JobManager(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    if (m_options.maxConcurrent <= 0)
        m_options.maxConcurrent = defaultConcurrency();
    m_maxConcurrent = m_options.maxConcurrent;
    auto local = std::make_shared<Lane>();
    local->backend = m_options.backend ? m_options.backend : makeLocalWorkers(m_options.worker);
    local->capacity = [this] { return m_options.noLocalSlots ? 0 : m_options.maxConcurrent; };
    local->local = true;
    m_lanes.append(local);
    m_segmentPool.setMaxThreadCount(2);
    m_stallTimer = new QTimer(this);
    m_stallTimer->setInterval(1000);
    connect(m_stallTimer, &QTimer::timeout, this, &JobManager::checkStalls);
}

JobManager::~JobManager()
{
    shutdown();
}

int JobManager::automaticThreads(int sharing)
{
    // Alone, a job takes what the ffmpeg CLI would (libav's automatic count). Shared, each gets its
    // part of the cores: its pipeline already overlaps decoding and encoding on two threads, and
    // more libav threads on top only oversubscribe (bench/farm.sh: -j 2 with 1 thread each is the
    // fastest on two cores).
    if (sharing <= 1)
        return 0;
    return std::max(1, QThread::idealThreadCount() / sharing);
}

int JobManager::defaultConcurrency()
{
    // Two transcodes overlap one's serial stretches (demuxing, start-up, the encoder's flush) with
    // the other's work; more than that only adds memory. Measured in bench/farm.sh.
    return std::clamp(QThread::idealThreadCount(), 1, 2);
}

Result<void> JobManager::open()
{
    return open(std::make_unique<JobStore>(m_options.dataDir));
}

Result<void> JobManager::open(std::unique_ptr<JobStore> store)
{
    if (m_open)
        return {};
    auto lock = lockDataFolder(m_options.dataDir);
    if (!lock)
        return lock.error();
    m_lock = std::move(lock.value());
    auto queue = std::make_unique<JobQueue>(std::move(store));
    Result<void> opened = queue->store().open();
    if (opened)
        opened = queue->load();
    if (!opened && opened.error().code == ErrorCode::Damaged) {
        // A short list must never pass for the queue: the damaged store is kept aside, and what
        // can be read of it becomes the queue.
        const QString problem = opened.error().message;
        queue->closeStore();
        auto recovery = JobStore::recover(m_options.dataDir, problem);
        if (!recovery) {
            m_lock.reset();
            return Error { recovery.error().code,
                QStringLiteral("%1 It could not be recovered: %2").arg(problem, recovery.error().message),
                {} };
        }
        m_recovery = *recovery;
        queue = std::make_unique<JobQueue>(std::make_unique<JobStore>(m_options.dataDir));
        opened = queue->store().open();
        if (opened)
            opened = queue->load();
    }
    if (!opened) {
        m_lock.reset();
        return opened;
    }
    m_recoveredFrom = queue->store().recoveredFrom();
    m_queue = std::move(queue);
    m_open = true;
    recover();
    resumeFamilies();
    if (m_recoveredFrom.isEmpty())
        removeStaleParts();
    else
        qCWarning(lcJobs) << "the job store was recovered from" << m_recoveredFrom
                          << "- partial outputs it does not name are kept";
    if (!m_options.autoStart)
        m_paused = true;
    schedule();
    return {};
}

void JobManager::recover()
{
    const QList<QUuid> ids = m_queue->order();
    for (const QUuid& id : ids) {
        const Job* job = m_queue->find(id);
        if (!job || job->state != JobState::Started)
            continue;
        if (job->isParent())
            continue; // its finished segments are kept: only the rest runs again (resumeFamilies)
        if (m_options.keepRemoteRuns && !job->node.isEmpty())
            continue; // its node may still hold it: the farm adopts it, or gives it back
        if (m_recoveredFrom.isEmpty())
            QFile::remove(media::partPath(job->outputPath));
        if (job->attempts >= m_options.maxAttempts) {
            (void)transition(*job, JobState::Failed,
                QStringLiteral("Interrupted %1 times: vtfarm stopped while this job ran. It may crash the "
                               "program; retry it alone to see.")
                    .arg(job->attempts),
                Persist::BestEffort);
        } else {
            qCInfo(lcJobs) << "requeuing interrupted job" << job->idString();
            (void)transition(*job, JobState::Queued, {}, Persist::BestEffort);
        }
    }
}

void JobManager::removeStaleParts()
{
    // Nothing of ours runs yet (we hold the data folder's lock), so every .part vtfarm wrote is
    // stale: those of the jobs in the store, and those recorded for jobs removed while they ran.
    // A .part vtfarm did not write (a browser's download, say) is never touched.
    QSet<QString> parts;
    if (auto recorded = m_queue->store().takePartFiles())
        parts = QSet<QString>(recorded->cbegin(), recorded->cend());
    for (const QUuid& id : m_queue->order()) {
        const Job* job = m_queue->find(id);
        if (!job->outputPath.isEmpty())
            parts.insert(media::partPath(job->outputPath));
    }
    for (const QString& path : std::as_const(parts)) {
        if (QFile::exists(path)) {
            qCInfo(lcJobs) << "removing stale partial output" << path;
            QFile::remove(path);
        }
    }
}

void JobManager::shutdown()
{
    if (!m_open || m_shuttingDown)
        return;
    m_shuttingDown = true;
    for (const auto& flag : std::as_const(m_joining))
        *flag = true;
    m_segmentPool.waitForDone();
    m_joining.clear();
    // A farm's runs go on without this process: the store keeps them as they are (started on a
    // node, or queued and handed over) for the next start to adopt.
    for (const auto& running : std::as_const(m_running)) {
        if (!running->lane->local)
            continue;
        running->requeue = true;
        running->run->stop();
    }
    for (const auto& lane : std::as_const(m_lanes))
        lane->backend->shutdown();
    for (auto it = m_running.begin(); it != m_running.end();) {
        if (!it.value()->lane->local)
            it = m_running.erase(it);
        else
            ++it;
    }
    // What ended during the wait keeps its result; what was stopped goes back to the queue.
    const auto running = m_running;
    m_running.clear();
    m_runningCount = 0;
    for (const auto& r : running) {
        std::optional<WorkerOutcome> outcome;
        {
            std::lock_guard lock(r->mutex);
            outcome = r->outcome;
        }
        (void)m_queue->store().forgetPartFile(media::partPath(r->outputPath));
        const Job* job = m_queue->find(r->id);
        if (job && job->state == JobState::Started)
            applyOutcome(
                *job, outcome.value_or(WorkerOutcome { WorkerOutcome::Kind::Stopped, {}, {} }), true);
    }
    // Readers on other threads may still look at the jobs; only the store closes.
    m_queue->closeStore();
    m_lock.reset();
    m_open = false;
}

const Job* JobManager::find(const QUuid& id) const
{
    return m_queue ? m_queue->find(id) : nullptr;
}

const QList<QUuid>& JobManager::order() const
{
    static const QList<QUuid> none;
    return m_queue ? m_queue->order() : none;
}

JobStore* JobManager::store()
{
    return m_open ? &m_queue->store() : nullptr;
}

Result<void> JobManager::notFound(const QUuid& id) const
{
    return Error { ErrorCode::NotFound, QStringLiteral("No job %1.").arg(id.toString(QUuid::WithoutBraces)),
        {} };
}

Result<void> JobManager::transition(const Job& job, JobState to, const QString& error, Persist persist,
    const std::function<void(Job&)>& alsoChange)
{
    const JobState from = job.state;
    if (!isLegalTransition(from, to)) {
        qCWarning(lcJobs) << "refused illegal transition" << jobStateName(from) << "->" << jobStateName(to)
                          << "of job" << job.idString();
        return Error { ErrorCode::Conflict,
            QStringLiteral("Job %1 is %2; it cannot become %3.")
                .arg(job.idString(), jobStateName(from), jobStateName(to)),
            {} };
    }
    Job next = job;
    if (alsoChange)
        alsoChange(next);
    next.state = to;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    switch (to) {
    case JobState::Started:
        next.startedAt = now;
        next.endedAt = {};
        next.attempts += 1;
        next.error.clear();
        break;
    case JobState::Queued:
        next.startedAt = {};
        next.endedAt = {};
        next.error.clear();
        next.warnings.clear();
        next.node.clear(); // a queued job runs nowhere, whichever node had it last
        break;
    case JobState::Finished:
        next.progress = 1.0;
        next.etaSeconds = 0;
        next.endedAt = now;
        break;
    case JobState::Failed:
    case JobState::Canceled:
        next.endedAt = now;
        next.error = error;
        break;
    }
    if (to == JobState::Queued || to == JobState::Started) {
        next.progress = 0;
        next.frames = 0;
        next.fps = next.speed = 0;
        next.etaSeconds = -1;
        next.outputBytes = 0;
        next.quality = {};
        next.inputKept = false;
    }
    if (to != JobState::Failed && to != JobState::Canceled && !error.isEmpty())
        next.error = error;
    const QUuid id = next.id;
    if (auto r = m_queue->save(next); !r) {
        if (persist == Persist::Required) {
            qCWarning(lcJobs) << "cannot record state change:" << r.error().message;
            return r;
        }
        // What happened stands in memory; the store still says what it said, and the next start
        // acts on that (a job it says is started runs again).
        qCWarning(lcJobs).noquote() << QStringLiteral(
            "cannot record that job %1 became %2 (%3); the store still says %4, "
            "and at the next start the job is treated as that")
                                           .arg(job.idString(), jobStateName(to), r.error().message,
                                               jobStateName(from));
        m_queue->modify(id, [&next](Job& j) { j = next; });
    }
    if (next.isChild())
        updateFamily(next.parent); // the parent lists its children's states, nodes and times
    Q_EMIT jobStateChanged(id, from, to);
    Q_EMIT jobChanged(id);
    return {};
}

QSet<QString> JobManager::reservedOutputs() const
{
    QSet<QString> reserved;
    for (const QUuid& id : m_queue->order()) {
        const Job* job = m_queue->find(id);
        if (job->state == JobState::Queued || job->state == JobState::Started)
            reserved.insert(job->outputPath);
    }
    // A canceled or removed job's worker may still be stopping, and removing its .part.
    for (const auto& running : m_running)
        reserved.insert(running->outputPath);
    return reserved;
}

Result<Job> JobManager::prepare(
    JobSpec spec, const QSet<QString>& reserved, QHash<QString, int>* suffixes) const
{
    const QFileInfo input(spec.input);
    if (spec.input.isEmpty())
        return Error::invalid(
            "input", QCoreApplication::translate("vtfarm::jobs::JobManager", "No input file given."));
    if (!input.exists())
        return Error { ErrorCode::NotFound,
            QCoreApplication::translate("vtfarm::jobs::JobManager", "The input file %1 does not exist.")
                .arg(spec.input),
            "input" };
    if (!input.isFile())
        return Error { ErrorCode::UnsupportedInput, QStringLiteral("%1 is not a file.").arg(spec.input),
            "input" };
    spec.input = input.absoluteFilePath();

    QString wanted;
    if (!spec.output.isEmpty()) {
        wanted = QFileInfo(spec.output).absoluteFilePath();
        spec.container = media::containerForPath(wanted);
    } else {
        spec.container = spec.container.toLower();
        const QString dir
            = spec.outputDir.isEmpty() ? input.absolutePath() : QFileInfo(spec.outputDir).absoluteFilePath();
        wanted = QDir(dir).filePath(expandNamePattern(spec.namePattern, spec.input) + u'.' + spec.container);
    }
    if (const QList<Error> errors = media::validate(spec.settings, spec.container); !errors.isEmpty())
        return errors.first();
    const auto split = splitSeconds(spec.split);
    if (!split)
        return split.error();
    if (*split > 0) {
        if (auto splittable = media::checkSplittable(spec.settings); !splittable)
            return splittable.error();
    }
    const QString dir = QFileInfo(wanted).absolutePath();
    if (!QDir().mkpath(dir)) {
        const QString reason = unwritableReason(dir, QStringLiteral("output folder"));
        return Error { reason.contains(QStringLiteral(" is full")) ? ErrorCode::StorageFull
                                                                   : ErrorCode::IoError,
            reason.isEmpty() ? QCoreApplication::translate(
                "vtfarm::jobs::JobManager", "Cannot create the output folder %1.")
                                   .arg(dir)
                             : reason,
            "output" };
    }

    Job job;
    job.id = QUuid::createUuid();
    job.createdAt = QDateTime::currentDateTimeUtc();
    job.inputBytes = input.size();
    QSet<QString> taken = reserved;
    taken.insert(spec.input);
    if (spec.settings.overwrite && !reserved.contains(QDir::cleanPath(wanted))
        && QDir::cleanPath(wanted) != spec.input)
        job.outputPath = QDir::cleanPath(wanted);
    else
        job.outputPath = uniqueOutputPath(wanted, taken, &(*suffixes)[QDir::cleanPath(wanted)]);
    job.spec = std::move(spec);
    return job;
}

Result<QUuid> JobManager::submit(JobSpec spec)
{
    auto ids = submitMany({ std::move(spec) });
    if (!ids)
        return ids.error();
    return ids->first();
}

Result<QList<QUuid>> JobManager::submitMany(QList<JobSpec> specs)
{
    if (!m_open)
        return Error { ErrorCode::Conflict, QStringLiteral("The job queue is not open."), {} };
    QSet<QString> reserved = reservedOutputs();
    QList<Job> jobs;
    jobs.reserve(specs.size());
    qint64 position = m_queue->nextPosition();
    QHash<QString, int> suffixes;
    for (JobSpec& spec : specs) {
        auto job = prepare(std::move(spec), reserved, &suffixes);
        if (!job)
            return job.error();
        job->position = position++;
        reserved.insert(job->outputPath);
        jobs.append(std::move(job.value()));
    }
    QList<QUuid> ids;
    ids.reserve(jobs.size());
    for (const Job& job : std::as_const(jobs))
        ids.append(job.id);
    if (auto r = m_queue->append(std::move(jobs)); !r)
        return r.error();
    for (const QUuid& id : std::as_const(ids))
        Q_EMIT jobAdded(id);
    schedule();
    return ids;
}

Result<void> JobManager::cancel(const QUuid& id)
{
    const Job* job = find(id);
    if (!job)
        return notFound(id);
    if (job->isChild()) {
        // A segment is canceled with its job.
        if (const Job* parent = find(job->parent); parent && parent->state == JobState::Started)
            return cancel(parent->id);
    }
    if (job->isParent() && job->state == JobState::Started) {
        // The parent first: its children, canceled after it, then leave it alone.
        if (auto r = transition(*job, JobState::Canceled, QStringLiteral("Canceled.")); !r)
            return r;
        if (auto flag = m_joining.value(id))
            *flag = true;
        cancelChildren(id);
        updateFamily(id);
        schedule();
        return {};
    }
    const auto running = m_running.value(id);
    // A farm's run that no node has taken yet is still `queued`; it is canceled like a started one.
    if (job->state == JobState::Queued && running && !running->begun) {
        running->run->stop();
        return transition(*job, JobState::Canceled, QStringLiteral("Canceled."));
    }
    if (job->state == JobState::Started && running)
        running->run->stop(); // the worker stops and removes its .part; its slot frees when it has
    if (auto r = transition(*job, JobState::Canceled, QStringLiteral("Canceled.")); !r)
        return r;
    if (!running)
        schedule();
    return {};
}

Result<void> JobManager::retry(const QUuid& id)
{
    const Job* job = find(id);
    if (!job)
        return notFound(id);
    if (!canRetry(job->state))
        return Error { ErrorCode::Conflict,
            QStringLiteral("Only a failed or canceled job can be retried; this one is %1.")
                .arg(jobStateName(job->state)),
            {} };
    if (m_running.contains(id))
        return Error { ErrorCode::Conflict,
            QStringLiteral("The job's worker is still stopping; retry in a moment."), {} };
    // Its old name may have been taken since; a retried job still never overwrites.
    QString path = job->outputPath;
    if (!job->spec.settings.overwrite) {
        QSet<QString> taken = reservedOutputs();
        taken.insert(job->spec.input);
        path = uniqueOutputPath(job->outputPath, taken);
    }
    if (auto r = transition(*job, JobState::Queued, {}, Persist::Required,
            [&path](Job& j) {
                j.outputPath = path;
                j.attempts = 0;
            });
        !r)
        return r;
    schedule();
    return {};
}

Result<void> JobManager::remove(const QUuid& id)
{
    const Job* job = find(id);
    if (!job)
        return notFound(id);
    if (job->isChild())
        return Error { ErrorCode::Conflict,
            QStringLiteral("Job %1 is a segment of job %2; remove that one.")
                .arg(job->idString(), job->parent.toString(QUuid::WithoutBraces)),
            {} };
    if (job->isParent())
        return removeFamily(id);
    if (canCancel(job->state) && m_running.contains(id)) {
        if (auto r = cancel(id); !r)
            return r;
        job = find(id);
    }
    const bool removeInput = job->spec.removeInputWhenDone;
    const QString input = job->spec.input;
    if (auto r = m_queue->remove({ id }); !r)
        return r;
    if (removeInput)
        QFile::remove(input);
    Q_EMIT jobRemoved(id);
    return {};
}

int JobManager::clearFinished()
{
    QList<QUuid> ids;
    for (const QUuid& id : m_queue->order()) {
        const Job* job = m_queue->find(id);
        if (job->state == JobState::Finished && !job->isChild())
            ids.append(id);
    }
    if (ids.isEmpty() || !m_queue->remove(ids))
        return 0;
    for (const QUuid& id : std::as_const(ids))
        Q_EMIT jobRemoved(id);
    return int(ids.size());
}

Result<void> JobManager::move(const QUuid& id, Move where)
{
    const QList<QUuid>& order = m_queue->order();
    const qsizetype index = order.indexOf(id);
    if (index < 0)
        return notFound(id);
    if (const Job* job = find(id); job->isChild())
        return Error { ErrorCode::Conflict,
            QStringLiteral("Job %1 is a segment of job %2; move that one.")
                .arg(job->idString(), job->parent.toString(QUuid::WithoutBraces)),
            {} };
    // Up and down pass the next job, not a split job's segments, which run in their job's place
    // wherever they are (JobQueue::next).
    const auto neighbour = [&](qsizetype step) {
        for (qsizetype i = index + step; i >= 0 && i < order.size(); i += step) {
            if (!find(order.at(i))->isChild())
                return i;
        }
        return index;
    };
    const qsizetype last = m_queue->size() - 1;
    qsizetype to = index;
    switch (where) {
    case Move::Up:
    case Move::Down:
        to = neighbour(where == Move::Up ? -1 : 1);
        if (to == index)
            return {};
        if (auto r = m_queue->swap(index, to); !r)
            return r;
        Q_EMIT orderChanged();
        return {};
    case Move::Top:
        to = 0;
        break;
    case Move::Bottom:
        to = last;
        break;
    }
    if (to == index)
        return {};
    if (auto r = m_queue->move(index, to); !r)
        return r;
    Q_EMIT orderChanged();
    return {};
}

void JobManager::pause()
{
    if (m_paused)
        return;
    m_paused = true;
    Q_EMIT pausedChanged(true);
}

void JobManager::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    Q_EMIT pausedChanged(false);
    schedule();
}

bool JobManager::isPaused() const
{
    return m_paused;
}

void JobManager::setMaxConcurrent(int n)
{
    m_options.maxConcurrent = n > 0 ? n : defaultConcurrency();
    m_maxConcurrent = m_options.maxConcurrent;
    schedule();
}

int JobManager::maxConcurrent() const
{
    return m_options.maxConcurrent;
}

void JobManager::setThreadsPerJob(int n)
{
    m_options.threadsPerJob = std::max(0, n);
}

void JobManager::setStallTimeout(int seconds)
{
    m_options.worker.stallTimeoutSeconds = std::max(0, seconds);
    if (auto* workers = dynamic_cast<ChildProcessWorkers*>(m_lanes.first()->backend.get()))
        workers->setStallTimeout(m_options.worker.stallTimeoutSeconds);
}

int JobManager::runningCount() const
{
    return int(m_running.size());
}

void JobManager::addBackend(std::shared_ptr<WorkerBackend> backend, std::function<int()> capacity)
{
    auto lane = std::make_shared<Lane>();
    lane->backend = std::move(backend);
    lane->capacity = std::move(capacity);
    m_lanes.append(lane);
}

int JobManager::runningOn(const Lane& lane) const
{
    return int(std::count_if(
        m_running.cbegin(), m_running.cend(), [&lane](const auto& r) { return r->lane == &lane; }));
}

void JobManager::setRunningCount()
{
    // The local workers busy; a farm's nodes say what theirs do.
    m_runningCount = m_lanes.isEmpty() ? int(m_running.size()) : runningOn(*m_lanes.first());
    if (m_running.isEmpty()) {
        m_stallTimer->stop();
        m_stalledCount = 0;
    } else if (!m_stallTimer->isActive()) {
        m_stallTimer->start();
    }
    Q_EMIT runningCountChanged(int(m_running.size()));
}

void JobManager::checkStalls()
{
    int stalled = 0;
    for (const auto& r : std::as_const(m_running)) {
        if (r->begun && r->sinceMove.elapsed() > JobCounts::kStalledAfterSeconds * 1000LL)
            ++stalled;
    }
    m_stalledCount = stalled;
}

void JobManager::schedule()
{
    if (!m_open || m_paused || m_shuttingDown)
        return;
    QSet<QUuid> cannotStart; // this time round: their start could not be recorded
    const auto eligible = [this, &cannotStart](const Job& j) {
        return !m_running.contains(j.id) && !cannotStart.contains(j.id);
    };
    for (const auto& lane : std::as_const(m_lanes)) {
        while (runningOn(*lane) < lane->capacity()) {
            const Job* next = m_queue->next(eligible);
            if (!next)
                break;
            const QUuid nextId = next->id;
            if (takeSplitJob(*next)) {
                // The job first in line is being cut into segments: they take the free slots when
                // the plan is ready (onPlanned schedules again). The jobs behind it wait, as behind
                // any job; given a slot now, one of them could hold it for hours.
                if (m_planning.contains(nextId))
                    return;
                cannotStart.insert(nextId);
                continue;
            }
            next = find(nextId);
            if (!next)
                continue;
            if (!dispatch(*next, *lane))
                cannotStart.insert(next->id);
        }
    }
}

bool JobManager::dispatch(const Job& job, Lane& lane)
{
    const QUuid id = job.id;
    // The name was free at submit; if something has taken it since, pick the next free one.
    QString outputPath = job.outputPath;
    if (!job.spec.settings.overwrite
        && (QFileInfo::exists(outputPath) || QFileInfo::exists(media::partPath(outputPath)))) {
        QSet<QString> taken = reservedOutputs();
        taken.remove(outputPath);
        taken.insert(job.spec.input);
        outputPath = uniqueOutputPath(outputPath, taken);
    }
    WorkerRequest request { job.spec.input, outputPath, job.spec.settings, id, job.attempts + 1 };
    if (lane.local && request.settings.threads == 0) {
        // Jobs that will share the cores from now on: this one, those running, and those queued behind it.
        const int sharing = std::min(m_options.maxConcurrent, runningOn(lane) + m_queue->queuedCount());
        request.settings.threads
            = m_options.threadsPerJob > 0 ? m_options.threadsPerJob : automaticThreads(sharing);
    }
    if (!m_queue->store().recordPartFile(media::partPath(outputPath)))
        return false;
    const auto setOutput = [&outputPath](Job& j) { j.outputPath = outputPath; };
    if (lane.local) {
        if (!transition(job, JobState::Started, {}, Persist::Required, [&setOutput](Job& j) {
                setOutput(j);
                j.node.clear();
            }))
            return false;
    } else if (outputPath != job.outputPath) {
        Job renamed = job;
        setOutput(renamed);
        if (!m_queue->save(renamed))
            return false;
    }
    m_hadWork = true;
    auto [running, events] = newRun(id, lane, request.attempt, lane.local, outputPath);
    running->run = lane.backend->start(request, std::move(events));
    setRunningCount();
    return true;
}

std::pair<std::shared_ptr<JobManager::Running>, WorkerEvents> JobManager::newRun(
    const QUuid& id, Lane& lane, int attempt, bool begun, const QString& outputPath)
{
    auto running = std::make_shared<Running>();
    running->serial = m_nextSerial++;
    running->id = id;
    running->lane = &lane;
    running->attempt = attempt;
    running->begun = begun;
    running->outputPath = outputPath;
    running->sinceMove.start();
    m_running.insert(id, running);

    // Events from other threads are handed to this one; one that comes on this thread (a farm's
    // result delivered through the API) takes effect before its caller goes on.
    const auto onThisThread = [this](std::function<void()> fn) {
        if (QThread::currentThread() == thread())
            fn();
        else
            QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
    };
    const quint64 serial = running->serial;
    WorkerEvents events;
    events.started = [this, serial, onThisThread](const QString& node) {
        onThisThread([this, serial, node] { onRunStarted(serial, node); });
    };
    events.progress = [this, serial, onThisThread](const media::TranscodeProgress& p) {
        onThisThread([this, serial, p] { onProgress(serial, p); });
    };
    std::weak_ptr<Running> weak = running;
    events.finished = [this, serial, weak, onThisThread](const WorkerOutcome& outcome) {
        if (auto r = weak.lock()) {
            std::lock_guard lock(r->mutex);
            r->outcome = outcome;
        }
        onThisThread([this, serial, outcome] { onRunFinished(serial, outcome); });
    };
    return { running, std::move(events) };
}

Result<void> JobManager::adopt(WorkerBackend* backend, const QUuid& id, int attempt, bool begun)
{
    const Job* job = find(id);
    if (!job)
        return notFound(id);
    if (m_running.contains(id))
        return Error { ErrorCode::Conflict, QStringLiteral("Job %1 is running already.").arg(job->idString()),
            {} };
    Lane* lane = nullptr;
    for (const auto& l : std::as_const(m_lanes)) {
        if (l->backend.get() == backend)
            lane = l.get();
    }
    if (!lane || lane->local)
        return Error { ErrorCode::InvalidArgument, QStringLiteral("That backend is not one of the farm's."),
            {} };
    if (job->state != (begun ? JobState::Started : JobState::Queued))
        return Error { ErrorCode::Conflict,
            QStringLiteral("Job %1 is %2; it cannot be taken up again.")
                .arg(job->idString(), jobStateName(job->state)),
            {} };
    if (begun && job->attempts != attempt)
        return Error { ErrorCode::Conflict,
            QStringLiteral("Attempt %1 of job %2 is not its current one.").arg(attempt).arg(job->idString()),
            {} };
    WorkerRequest request { job->spec.input, job->outputPath, job->spec.settings, id, attempt };
    auto [running, events] = newRun(id, *lane, attempt, begun, job->outputPath);
    running->run = backend->adopt(request, std::move(events), begun);
    if (!running->run) {
        m_running.remove(id);
        return Error { ErrorCode::Conflict,
            QStringLiteral("The farm cannot take up job %1 again.").arg(job->idString()), {} };
    }
    m_hadWork = true;
    setRunningCount();
    return {};
}

namespace {

template <class Map> typename Map::mapped_type runOf(const Map& running, quint64 serial)
{
    for (const auto& r : running) {
        if (r->serial == serial)
            return r;
    }
    return {};
}

} // namespace

void JobManager::onRunStarted(quint64 serial, const QString& node)
{
    const auto running = runOf(m_running, serial);
    if (!running || running->begun)
        return;
    const Job* job = find(running->id);
    if (!job || job->state != JobState::Queued)
        return;
    running->begun = true;
    (void)transition(*job, JobState::Started, {}, Persist::BestEffort, [&node](Job& j) { j.node = node; });
}

void JobManager::onProgress(quint64 serial, const media::TranscodeProgress& p)
{
    const auto running = runOf(m_running, serial);
    if (!running)
        return;
    if (p.activity < 0 || p.activity != running->lastActivity) {
        running->lastActivity = p.activity;
        running->sinceMove.restart();
    }
    const Job* job = find(running->id);
    if (!job || job->state != JobState::Started)
        return;
    m_queue->modify(running->id, [&p](Job& j) {
        j.progress = p.fraction;
        j.frames = p.frames;
        j.fps = p.fps;
        j.speed = p.speed;
        j.etaSeconds = p.etaSeconds;
    });
    Q_EMIT jobChanged(running->id);
    if (job->isChild())
        updateFamily(job->parent);
}

void JobManager::applyOutcome(const Job& job, const WorkerOutcome& outcome, bool requeue)
{
    const QUuid childId = job.isChild() ? job.id : QUuid();
    const auto familyAfter = qScopeGuard([this, childId] {
        if (!childId.isNull())
            onChildEnded(childId);
    });
    // The worker has ended whatever the store says: the job leaves `started` even if recording
    // that fails, so that it can be retried, canceled or removed.
    switch (outcome.kind) {
    case WorkerOutcome::Kind::Finished: {
        const media::TranscodeReport& report = outcome.report;
        (void)transition(job, JobState::Finished, {}, Persist::BestEffort, [&report](Job& j) {
            j.outputBytes = report.outputBytes;
            j.frames = report.frames;
            j.warnings = report.warnings;
            j.quality = report.quality;
            j.inputKept = report.inputKept;
            if (report.elapsedSeconds > 0)
                j.speed = report.mediaSeconds / report.elapsedSeconds;
        });
        if (job.spec.removeInputWhenDone)
            QFile::remove(job.spec.input);
        break;
    }
    case WorkerOutcome::Kind::Failed:
        (void)transition(job, JobState::Failed, outcome.error.message, Persist::BestEffort);
        break;
    case WorkerOutcome::Kind::Interrupted: {
        const QUuid id = job.id;
        const QString reason = outcome.error.message;
        const ErrorCode code = outcome.error.code;
        qCWarning(lcJobs) << "job" << job.idString() << "interrupted:" << reason;
        if (job.attempts >= m_options.maxAttempts)
            (void)transition(job, JobState::Failed,
                QStringLiteral("Interrupted %1 times; the last time: %2").arg(job.attempts).arg(reason),
                Persist::BestEffort);
        else
            (void)transition(job, JobState::Queued, {}, Persist::BestEffort);
        Q_EMIT jobInterrupted(id, code, reason);
        break;
    }
    case WorkerOutcome::Kind::Returned:
        // Handed back unfinished (a node that stops): it runs again without spending an attempt.
        (void)transition(job, JobState::Queued, {}, Persist::BestEffort,
            [](Job& j) { j.attempts = std::max(0, j.attempts - 1); });
        break;
    case WorkerOutcome::Kind::Stopped:
        if (requeue) {
            // Stopped by us, not by the job: this start does not count as an attempt.
            (void)transition(job, JobState::Queued, {}, Persist::BestEffort,
                [](Job& j) { j.attempts = std::max(0, j.attempts - 1); });
        } else {
            (void)transition(job, JobState::Canceled, QStringLiteral("Canceled."), Persist::BestEffort);
        }
        break;
    }
}

void JobManager::onRunFinished(quint64 serial, const WorkerOutcome& outcome)
{
    const auto running = runOf(m_running, serial);
    if (!running)
        return; // handled by shutdown()
    (void)m_queue->store().forgetPartFile(media::partPath(running->outputPath));
    m_running.remove(running->id);
    setRunningCount();

    const Job* job = find(running->id);
    if (job && job->state == JobState::Started)
        applyOutcome(*job, outcome, running->requeue);
    schedule();
    emitDrainedWhenIdle();
}

void JobManager::emitDrainedWhenIdle()
{
    if (m_running.isEmpty() && m_hadWork && m_queue->queuedCount() == 0 && m_joining.isEmpty()
        && m_planning.isEmpty()) {
        m_hadWork = false;
        Q_EMIT queueDrained();
    }
}

std::optional<Job> JobManager::job(const QUuid& id) const
{
    return m_queue ? m_queue->job(id) : std::nullopt;
}

JobPage JobManager::jobs(const JobQuery& query) const
{
    return m_queue ? m_queue->page(query) : JobPage {};
}

JobCounts JobManager::counts() const
{
    JobCounts c = m_queue ? m_queue->counts() : JobCounts {};
    c.running = m_runningCount.load();
    c.stalled = m_stalledCount.load();
    c.maxConcurrent = m_options.noLocalSlots ? 0 : m_maxConcurrent.load();
    if (const Farm* farm = m_farm.load()) {
        for (const NodeInfo& node : farm->nodes()) {
            c.running += node.busy;
            c.maxConcurrent += node.slots;
        }
    }
    c.paused = m_paused;
    return c;
}

} // namespace vtfarm::jobs
