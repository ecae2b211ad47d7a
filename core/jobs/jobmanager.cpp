#include "jobmanager.h"

#include "jobstore.h"
#include "outputnaming.h"

#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QRunnable>
#include <QThread>
#include <QThreadPool>

#include <exception>

Q_LOGGING_CATEGORY(lcJobs, "vtfarm.jobs")

namespace vtfarm::jobs {

namespace {


} // namespace

struct JobManager::Running
{
    std::atomic<bool> stop { false };
    bool requeue = false; ///< stopped for a shutdown: back to the queue, not canceled
    QString outputPath; ///< reserved until the worker has ended, even when the job is gone
    /// Written by the task before it reports; read by shutdown() once the pool is done.
    std::optional<WorkerOutcome> outcome;
};

/// Supervises one worker on a pool thread. Reports back to the manager's thread through queued
/// calls; no exception leaves run().
class JobTask : public QRunnable
{
public:
    JobTask(JobManager* manager, QUuid id, WorkerRequest request, WorkerProcess::Options options,
        std::shared_ptr<JobManager::Running> running)
        : m_manager(manager)
        , m_id(id)
        , m_request(std::move(request))
        , m_options(std::move(options))
        , m_running(std::move(running))
    {
    }

    void run() override
    {
        WorkerOutcome outcome;
        try {
            WorkerProcess worker(m_options);
            JobManager* manager = m_manager;
            const QUuid id = m_id;
            outcome = worker.run(m_request, m_running->stop, [manager, id](const media::TranscodeProgress& p) {
                QMetaObject::invokeMethod(manager, [manager, id, p] { manager->onProgress(id, p); }, Qt::QueuedConnection);
            });
        } catch (const std::exception& e) {
            outcome.kind = WorkerOutcome::Kind::Failed;
            outcome.error = { ErrorCode::Internal, QStringLiteral("Unexpected error: %1").arg(QString::fromLocal8Bit(e.what())), {} };
        } catch (...) {
            outcome.kind = WorkerOutcome::Kind::Failed;
            outcome.error = { ErrorCode::Internal, QStringLiteral("Unexpected error in the job's supervisor."), {} };
        }
        m_running->outcome = outcome;
        JobManager* manager = m_manager;
        const QUuid id = m_id;
        QMetaObject::invokeMethod(manager, [manager, id, outcome] { manager->onWorkerDone(id, outcome); }, Qt::QueuedConnection);
    }

private:
    JobManager* m_manager;
    QUuid m_id;
    WorkerRequest m_request;
    WorkerProcess::Options m_options;
    std::shared_ptr<JobManager::Running> m_running;
};

JobManager::JobManager(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_pool(std::make_unique<QThreadPool>())
{
    if (m_options.maxConcurrent <= 0)
        m_options.maxConcurrent = defaultConcurrency();
    m_pool->setMaxThreadCount(m_options.maxConcurrent);
    m_pool->setExpiryTimeout(-1); // a worker dies with the thread that started it: keep threads alive
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
    if (m_open)
        return {};
    if (m_options.dataDir.isEmpty())
        return Error { ErrorCode::InvalidArgument, QStringLiteral("No data folder given."), "data_dir" };
    if (!QDir().mkpath(m_options.dataDir))
        return Error { ErrorCode::IoError, QStringLiteral("Cannot create the data folder %1.").arg(m_options.dataDir), "data_dir" };
    m_lock = std::make_unique<QLockFile>(QDir(m_options.dataDir).filePath(QStringLiteral("lock")));
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        m_lock.reset();
        return Error { ErrorCode::Conflict,
            QStringLiteral("Another vtfarm process (pid %1) is using the data folder %2.").arg(pid).arg(m_options.dataDir), "data_dir" };
    }
    m_store = std::make_unique<JobStore>(m_options.dataDir);
    if (auto r = m_store->open(); !r)
        return r;
    auto loaded = m_store->loadAll();
    if (!loaded)
        return loaded.error();
    {
        QWriteLocker lock(&m_lockJobs);
        m_jobs.reserve(loaded->size());
        m_order.reserve(loaded->size());
        for (Job& job : *loaded) {
            m_order.append(job.id);
            m_jobs.insert(job.id, std::move(job));
        }
    }
    m_open = true;
    recover();
    removeStaleParts();
    if (!m_options.autoStart)
        m_paused = true;
    schedule();
    return {};
}

void JobManager::recover()
{
    const QList<QUuid> ids = m_order;
    for (const QUuid& id : ids) {
        Job* job = mutableJob(id);
        if (!job || job->state != JobState::Started)
            continue;
        QFile::remove(media::Transcoder::partPath(job->outputPath));
        if (job->attempts >= m_options.maxAttempts) {
            (void)transition(*job, JobState::Failed,
                QStringLiteral("Interrupted %1 times: vtfarm stopped while this job ran. It may crash the program; retry it alone to see.")
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
    if (auto recorded = m_store->takePartFiles())
        parts = QSet<QString>(recorded->cbegin(), recorded->cend());
    for (const Job& job : std::as_const(m_jobs)) {
        if (!job.outputPath.isEmpty())
            parts.insert(media::Transcoder::partPath(job.outputPath));
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
    for (const auto& running : std::as_const(m_running)) {
        running->requeue = true;
        running->stop = true;
    }
    m_pool->waitForDone();
    // What ended during the wait keeps its result; what was stopped goes back to the queue.
    const auto running = m_running;
    m_running.clear();
    m_runningCount = 0;
    for (auto it = running.cbegin(); it != running.cend(); ++it) {
        Job* job = mutableJob(it.key());
        const WorkerOutcome outcome = it.value()->outcome.value_or(WorkerOutcome { WorkerOutcome::Kind::Stopped, {}, {} });
        (void)m_store->forgetPartFile(media::Transcoder::partPath(it.value()->outputPath));
        if (job && job->state == JobState::Started)
            applyOutcome(*job, outcome, true);
    }
    m_store.reset();
    m_lock.reset();
    m_open = false;
}

Job* JobManager::mutableJob(const QUuid& id)
{
    auto it = m_jobs.find(id);
    return it == m_jobs.end() ? nullptr : &it.value();
}

const Job* JobManager::find(const QUuid& id) const
{
    auto it = m_jobs.constFind(id);
    return it == m_jobs.cend() ? nullptr : &it.value();
}

Result<void> JobManager::transition(Job& job, JobState to, const QString& error, Persist persist)
{
    const JobState from = job.state;
    if (!isLegalTransition(from, to)) {
        qCWarning(lcJobs) << "refused illegal transition" << jobStateName(from) << "->" << jobStateName(to) << "of job" << job.idString();
        return Error { ErrorCode::Conflict,
            QStringLiteral("Job %1 is %2; it cannot become %3.").arg(job.idString(), jobStateName(from), jobStateName(to)), {} };
    }
    Job next = job;
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
    }
    if (to != JobState::Failed && to != JobState::Canceled && !error.isEmpty())
        next.error = error;
    if (auto r = m_store->update(next); !r) {
        qCWarning(lcJobs) << "cannot record state change:" << r.error().message;
        if (persist == Persist::Required)
            return r;
    }
    {
        QWriteLocker lock(&m_lockJobs);
        job = std::move(next);
    }
    Q_EMIT jobStateChanged(job.id, from, to);
    Q_EMIT jobChanged(job.id);
    return {};
}

QSet<QString> JobManager::reservedOutputs() const
{
    QSet<QString> reserved;
    for (const Job& job : m_jobs) {
        if (job.state == JobState::Queued || job.state == JobState::Started)
            reserved.insert(job.outputPath);
    }
    // A canceled or removed job's worker may still be stopping, and removing its .part.
    for (const auto& running : m_running)
        reserved.insert(running->outputPath);
    return reserved;
}

Result<Job> JobManager::prepare(JobSpec spec, const QSet<QString>& reserved, QHash<QString, int>* suffixes) const
{
    const QFileInfo input(spec.input);
    if (spec.input.isEmpty())
        return Error::invalid("input", QStringLiteral("No input file given."));
    if (!input.exists())
        return Error { ErrorCode::NotFound, QStringLiteral("The input file %1 does not exist.").arg(spec.input), "input" };
    if (!input.isFile())
        return Error { ErrorCode::UnsupportedInput, QStringLiteral("%1 is not a file.").arg(spec.input), "input" };
    spec.input = input.absoluteFilePath();

    QString wanted;
    if (!spec.output.isEmpty()) {
        wanted = QFileInfo(spec.output).absoluteFilePath();
        spec.container = media::containerForPath(wanted);
    } else {
        spec.container = spec.container.toLower();
        const QString dir = spec.outputDir.isEmpty() ? input.absolutePath() : QFileInfo(spec.outputDir).absoluteFilePath();
        wanted = QDir(dir).filePath(expandNamePattern(spec.namePattern, spec.input) + u'.' + spec.container);
    }
    if (const QList<Error> errors = media::validate(spec.settings, spec.container); !errors.isEmpty())
        return errors.first();
    const QString dir = QFileInfo(wanted).absolutePath();
    if (!QDir().mkpath(dir))
        return Error { ErrorCode::IoError, QStringLiteral("Cannot create the output folder %1.").arg(dir), "output" };

    Job job;
    job.id = QUuid::createUuid();
    job.createdAt = QDateTime::currentDateTimeUtc();
    job.inputBytes = input.size();
    QSet<QString> taken = reserved;
    taken.insert(spec.input);
    if (spec.settings.overwrite && !reserved.contains(QDir::cleanPath(wanted)) && QDir::cleanPath(wanted) != spec.input)
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
    qint64 position = m_order.isEmpty() ? 0 : m_jobs.value(m_order.last()).position + 1;
    QHash<QString, int> suffixes;
    for (JobSpec& spec : specs) {
        auto job = prepare(std::move(spec), reserved, &suffixes);
        if (!job)
            return job.error();
        job->position = position++;
        reserved.insert(job->outputPath);
        jobs.append(std::move(job.value()));
    }
    if (auto r = m_store->insert(jobs); !r)
        return r.error();
    QList<QUuid> ids;
    {
        QWriteLocker lock(&m_lockJobs);
        for (Job& job : jobs) {
            ids.append(job.id);
            m_order.append(job.id);
            m_jobs.insert(job.id, std::move(job));
        }
    }
    for (const QUuid& id : std::as_const(ids))
        Q_EMIT jobAdded(id);
    schedule();
    return ids;
}

Result<void> JobManager::cancel(const QUuid& id)
{
    Job* job = mutableJob(id);
    if (!job)
        return Error { ErrorCode::NotFound, QStringLiteral("No job %1.").arg(id.toString(QUuid::WithoutBraces)), {} };
    if (job->state == JobState::Started) {
        if (auto running = m_running.value(id))
            running->stop = true; // the worker stops and removes its .part; its slot frees when it has
    }
    if (auto r = transition(*job, JobState::Canceled, QStringLiteral("Canceled.")); !r)
        return r;
    if (!m_running.contains(id))
        schedule();
    return {};
}

Result<void> JobManager::retry(const QUuid& id)
{
    Job* job = mutableJob(id);
    if (!job)
        return Error { ErrorCode::NotFound, QStringLiteral("No job %1.").arg(id.toString(QUuid::WithoutBraces)), {} };
    if (job->state != JobState::Failed && job->state != JobState::Canceled)
        return Error { ErrorCode::Conflict, QStringLiteral("Only a failed or canceled job can be retried; this one is %1.").arg(jobStateName(job->state)), {} };
    if (m_running.contains(id))
        return Error { ErrorCode::Conflict, QStringLiteral("The job's worker is still stopping; retry in a moment."), {} };
    // Its old name may have been taken since; a retried job still never overwrites.
    if (!job->spec.settings.overwrite) {
        QSet<QString> taken = reservedOutputs();
        taken.insert(job->spec.input);
        const QString path = uniqueOutputPath(job->outputPath, taken);
        if (path != job->outputPath) {
            QWriteLocker lock(&m_lockJobs);
            job->outputPath = path;
        }
    }
    {
        QWriteLocker lock(&m_lockJobs);
        job->attempts = 0;
    }
    if (auto r = transition(*job, JobState::Queued); !r)
        return r;
    schedule();
    return {};
}

Result<void> JobManager::remove(const QUuid& id)
{
    Job* job = mutableJob(id);
    if (!job)
        return Error { ErrorCode::NotFound, QStringLiteral("No job %1.").arg(id.toString(QUuid::WithoutBraces)), {} };
    if (job->state == JobState::Started) {
        if (auto r = cancel(id); !r)
            return r;
    }
    if (auto r = m_store->remove({ id }); !r)
        return r;
    const bool removeInput = job->spec.removeInputWhenDone;
    const QString input = job->spec.input;
    {
        QWriteLocker lock(&m_lockJobs);
        m_jobs.remove(id);
        m_order.removeOne(id);
    }
    if (removeInput)
        QFile::remove(input);
    Q_EMIT jobRemoved(id);
    return {};
}

int JobManager::clearFinished()
{
    QList<QUuid> ids;
    for (const QUuid& id : std::as_const(m_order)) {
        if (m_jobs.value(id).state == JobState::Finished)
            ids.append(id);
    }
    if (ids.isEmpty() || !m_store->remove(ids))
        return 0;
    {
        QWriteLocker lock(&m_lockJobs);
        for (const QUuid& id : std::as_const(ids)) {
            m_jobs.remove(id);
            m_order.removeOne(id);
        }
    }
    for (const QUuid& id : std::as_const(ids))
        Q_EMIT jobRemoved(id);
    return int(ids.size());
}

Result<void> JobManager::move(const QUuid& id, Move where)
{
    const qsizetype index = m_order.indexOf(id);
    if (index < 0)
        return Error { ErrorCode::NotFound, QStringLiteral("No job %1.").arg(id.toString(QUuid::WithoutBraces)), {} };
    qsizetype to = index;
    switch (where) {
    case Move::Up:
        to = std::max<qsizetype>(0, index - 1);
        break;
    case Move::Down:
        to = std::min<qsizetype>(m_order.size() - 1, index + 1);
        break;
    case Move::Top:
        to = 0;
        break;
    case Move::Bottom:
        to = m_order.size() - 1;
        break;
    }
    if (to == index)
        return {};
    QList<Job> changed;
    Job moved = m_jobs.value(id);
    if (where == Move::Up || where == Move::Down) {
        Job other = m_jobs.value(m_order.at(to));
        std::swap(moved.position, other.position);
        changed = { moved, other };
    } else {
        moved.position = where == Move::Top ? m_jobs.value(m_order.first()).position - 1 : m_jobs.value(m_order.last()).position + 1;
        changed = { moved };
    }
    if (auto r = m_store->updatePositions(changed); !r)
        return r;
    {
        QWriteLocker lock(&m_lockJobs);
        for (const Job& j : std::as_const(changed))
            m_jobs[j.id].position = j.position;
        m_order.move(index, to);
    }
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
    m_pool->setMaxThreadCount(std::max<int>(m_options.maxConcurrent, int(m_running.size())));
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

int JobManager::runningCount() const
{
    return int(m_running.size());
}

void JobManager::schedule()
{
    if (!m_open || m_paused || m_shuttingDown)
        return;
    QSet<QUuid> cannotStart; // this time round: their start could not be recorded
    while (m_running.size() < m_options.maxConcurrent) {
        Job* next = nullptr;
        for (const QUuid& id : std::as_const(m_order)) {
            Job& job = m_jobs[id];
            if (job.state == JobState::Queued && !cannotStart.contains(id) && (!next || job.spec.priority > next->spec.priority))
                next = &job;
        }
        if (!next)
            break;
        if (!start(*next))
            cannotStart.insert(next->id);
    }
}

bool JobManager::start(Job& job)
{
    // The name was free at submit; if something has taken it since, pick the next free one.
    if (!job.spec.settings.overwrite && (QFileInfo::exists(job.outputPath) || QFileInfo::exists(media::Transcoder::partPath(job.outputPath)))) {
        QSet<QString> taken = reservedOutputs();
        taken.remove(job.outputPath);
        taken.insert(job.spec.input);
        QWriteLocker lock(&m_lockJobs);
        job.outputPath = uniqueOutputPath(job.outputPath, taken);
    }
    // Jobs that will share the cores from now on: this one, those running, and those queued behind it.
    const qsizetype queued = std::count_if(m_jobs.cbegin(), m_jobs.cend(), [](const Job& j) { return j.state == JobState::Queued; });
    const int sharing = int(std::min<qsizetype>(m_options.maxConcurrent, m_running.size() + queued));
    const QString part = media::Transcoder::partPath(job.outputPath);
    if (!m_store->recordPartFile(part) || !transition(job, JobState::Started))
        return false;
    m_hadWork = true;
    auto running = std::make_shared<Running>();
    running->outputPath = job.outputPath;
    m_running.insert(job.id, running);
    WorkerRequest request { job.spec.input, job.outputPath, job.spec.settings };
    if (request.settings.threads == 0)
        request.settings.threads = m_options.threadsPerJob > 0 ? m_options.threadsPerJob : automaticThreads(sharing);
    if (m_pool->maxThreadCount() < m_running.size())
        m_pool->setMaxThreadCount(int(m_running.size()));
    m_pool->start(new JobTask(this, job.id, std::move(request), m_options.worker, running));
    m_runningCount = int(m_running.size());
    Q_EMIT runningCountChanged(int(m_running.size()));
    return true;
}

void JobManager::onProgress(const QUuid& id, const media::TranscodeProgress& p)
{
    Job* job = mutableJob(id);
    if (!job || job->state != JobState::Started)
        return;
    {
        QWriteLocker lock(&m_lockJobs);
        job->progress = p.fraction;
        job->frames = p.frames;
        job->fps = p.fps;
        job->speed = p.speed;
        job->etaSeconds = p.etaSeconds;
    }
    Q_EMIT jobChanged(id);
}

void JobManager::applyOutcome(Job& job, const WorkerOutcome& outcome, bool requeue)
{
    // The worker has ended whatever the store says: the job leaves `started` even if recording
    // that fails, so that it can be retried, canceled or removed.
    switch (outcome.kind) {
    case WorkerOutcome::Kind::Finished: {
        {
            QWriteLocker lock(&m_lockJobs);
            job.outputBytes = outcome.report.outputBytes;
            job.frames = outcome.report.frames;
            job.warnings = outcome.report.warnings;
            if (outcome.report.elapsedSeconds > 0)
                job.speed = outcome.report.mediaSeconds / outcome.report.elapsedSeconds;
        }
        (void)transition(job, JobState::Finished, {}, Persist::BestEffort);
        if (job.spec.removeInputWhenDone)
            QFile::remove(job.spec.input);
        break;
    }
    case WorkerOutcome::Kind::Failed:
        (void)transition(job, JobState::Failed, outcome.error.message, Persist::BestEffort);
        break;
    case WorkerOutcome::Kind::Stopped:
        if (requeue) {
            // Stopped by us, not by the job: this start does not count as an attempt.
            {
                QWriteLocker lock(&m_lockJobs);
                job.attempts = std::max(0, job.attempts - 1);
            }
            (void)transition(job, JobState::Queued, {}, Persist::BestEffort);
        } else {
            (void)transition(job, JobState::Canceled, QStringLiteral("Canceled."), Persist::BestEffort);
        }
        break;
    }
}

void JobManager::onWorkerDone(const QUuid& id, const WorkerOutcome& outcome)
{
    auto it = m_running.find(id);
    if (it == m_running.end())
        return; // handled by shutdown()
    const bool requeue = it.value()->requeue;
    (void)m_store->forgetPartFile(media::Transcoder::partPath(it.value()->outputPath));
    m_running.erase(it);
    m_runningCount = int(m_running.size());
    Q_EMIT runningCountChanged(int(m_running.size()));

    Job* job = mutableJob(id);
    if (job && job->state == JobState::Started)
        applyOutcome(*job, outcome, requeue);
    schedule();
    if (m_running.isEmpty()) {
        const bool anyQueued = std::any_of(m_jobs.cbegin(), m_jobs.cend(), [](const Job& j) { return j.state == JobState::Queued; });
        if (!anyQueued && m_hadWork) {
            m_hadWork = false;
            Q_EMIT queueDrained();
        }
    }
}

std::optional<Job> JobManager::job(const QUuid& id) const
{
    QReadLocker lock(&m_lockJobs);
    auto it = m_jobs.constFind(id);
    if (it == m_jobs.cend())
        return std::nullopt;
    return it.value();
}

JobPage JobManager::jobs(const JobQuery& query) const
{
    QReadLocker lock(&m_lockJobs);
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
        if (query.state && job.state != *query.state)
            continue;
        if (page.jobs.size() == limit) {
            page.next = page.jobs.last().id;
            break;
        }
        page.jobs.append(job);
    }
    return page;
}

JobCounts JobManager::counts() const
{
    QReadLocker lock(&m_lockJobs);
    JobCounts c;
    for (const Job& job : m_jobs) {
        switch (job.state) {
        case JobState::Queued:
            ++c.queued;
            break;
        case JobState::Started:
            ++c.started;
            break;
        case JobState::Finished:
            ++c.finished;
            break;
        case JobState::Failed:
            ++c.failed;
            break;
        case JobState::Canceled:
            ++c.canceled;
            break;
        }
    }
    c.running = m_runningCount.load();
    c.maxConcurrent = m_options.maxConcurrent;
    c.paused = m_paused;
    return c;
}

} // namespace vtfarm::jobs
