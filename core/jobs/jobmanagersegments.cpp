// The JobManager's split jobs: a parent plans its segments from a packet scan, each segment (and
// the one audio pass) is a child job that any lane runs, and the parent joins them at the end.
#include "farm.h"
#include "jobmanager.h"
#include "mediainfo.h"
#include "partfile.h"
#include "segmentjoin.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace vtfarm::jobs {

QString JobManager::segmentFolder(const QUuid& id) const
{
    return QDir(m_options.dataDir).filePath(QStringLiteral("segments/") + id.toString(QUuid::WithoutBraces));
}

QList<const Job*> JobManager::childrenOf(const QUuid& id) const
{
    QList<const Job*> children;
    for (const QUuid& other : m_queue->order()) {
        const Job* job = m_queue->find(other);
        if (job->parent == id)
            children.append(job);
    }
    return children;
}

double JobManager::splitDecision(const Job& job) const
{
    int slots = m_options.noLocalSlots ? 0 : m_options.maxConcurrent;
    if (const Farm* farm = m_farm.load()) {
        for (const NodeInfo& node : farm->nodes())
            slots += node.slots;
    }
    return splitLength(job.spec, slots);
}

double splitLength(const JobSpec& spec, int slots)
{
    const auto seconds = splitSeconds(spec.split);
    if (!seconds || *seconds < 0 || !media::checkSplittable(spec.settings))
        return 0;
    if (*seconds > 0)
        return *seconds;
    // Automatic: only where two slots can take segments at once, and only for a long job (a short
    // one would pay the joins' overhead for nothing).
    if (slots < 2)
        return 0;
    const auto info = media::probe(spec.input);
    if (!info)
        return 0;
    double length = info->durationSeconds;
    if (spec.settings.endSeconds >= 0)
        length = std::min(length, spec.settings.endSeconds);
    length -= spec.settings.startSeconds;
    return length > spec.splitMinSeconds ? kAutoSegmentSeconds : 0;
}

bool JobManager::takeSplitJob(const Job& job)
{
    if (job.isChild() || m_unsplit.contains(job.id))
        return false;
    if (job.isParent()) {
        // Retried, or requeued before its segments were recorded: its plan stands.
        if (auto r = startFamily(job.id); !r)
            qCWarning(lcJobs) << "cannot restart the segments of job" << job.idString() << r.error().message;
        return true;
    }
    if (m_planning.contains(job.id))
        return true;
    const double seconds = splitDecision(job);
    if (seconds <= 0) {
        m_unsplit.insert(job.id);
        return false;
    }
    m_planning.insert(job.id);
    m_hadWork = true;
    const QUuid id = job.id;
    const QString input = job.spec.input;
    const double start = job.spec.settings.startSeconds;
    const double end = job.spec.settings.endSeconds;
    const double preroll = media::segmentPreroll(job.spec.settings);
    m_segmentPool.start([this, id, input, seconds, start, end, preroll] {
        auto plan = media::planSegments(input, seconds, start, end, preroll);
        QMetaObject::invokeMethod(
            this, [this, id, plan] { onPlanned(id, plan); }, Qt::QueuedConnection);
    });
    return true;
}

void JobManager::onPlanned(const QUuid& id, const Result<media::SegmentPlan>& plan)
{
    m_planning.remove(id);
    const Job* job = find(id);
    if (m_shuttingDown || !m_open || !job || job->state != JobState::Queued) {
        emitDrainedWhenIdle();
        return;
    }
    if (!plan) {
        (void)transition(*job, JobState::Failed,
            QStringLiteral("The input cannot be planned in segments: %1").arg(plan.error().message));
    } else if (plan->segments.size() < 2) {
        m_unsplit.insert(id); // one keyframe, or shorter than a segment: it runs whole
    } else {
        Job planned = *job;
        planned.plan = plan->toJson();
        planned.segmentsDone = 0;
        if (auto r = m_queue->save(planned); !r)
            (void)transition(*job, JobState::Failed, r.error().message, Persist::BestEffort);
        else if (auto started = startFamily(id); !started)
            qCWarning(lcJobs) << "cannot start the segments of job" << planned.idString()
                              << started.error().message;
    }
    schedule();
    emitDrainedWhenIdle();
}

Result<void> JobManager::startFamily(const QUuid& id)
{
    const Job* found = find(id);
    if (!found)
        return notFound(id);
    const Job parent = *found;
    auto plan = media::SegmentPlan::fromJson(parent.plan);
    if (!plan) {
        (void)transition(parent, JobState::Failed, plan.error().message, Persist::BestEffort);
        return plan.error();
    }
    const QString folder = segmentFolder(id);
    if (!QDir().mkpath(folder)) {
        const QString reason = QStringLiteral("Cannot create the segments' folder %1.").arg(folder);
        (void)transition(parent, JobState::Failed, reason, Persist::BestEffort);
        return Error { ErrorCode::IoError, reason, {} };
    }
    QSet<int> present;
    for (const Job* child : childrenOf(id))
        present.insert(child->segment);

    // The audio pass first, then the segments in order. The pass reads the whole range: for a long
    // film it takes as long as a segment or longer, and last it would be a tail that one slot runs
    // while the others wait. First, it runs beside the segments, and a job stopped part-way has it.
    QList<Job> missing;
    qint64 position = m_queue->nextPosition();
    const QString container = QFileInfo(parent.outputPath).suffix().toLower();
    const auto makeChild = [&](int index, const media::TranscodeSettings& settings, const QString& file,
                               const QString& label) {
        Job child;
        child.id = QUuid::createUuid();
        child.parent = id;
        child.segment = index;
        child.createdAt = QDateTime::currentDateTimeUtc();
        child.inputBytes = parent.inputBytes;
        child.position = position++;
        child.spec = parent.spec;
        child.spec.settings = settings;
        child.spec.removeInputWhenDone = false;
        child.spec.split = QStringLiteral("off");
        child.spec.output = QDir(folder).filePath(file);
        child.spec.outputDir.clear();
        child.spec.container = QFileInfo(file).suffix();
        child.spec.displayName = QStringLiteral("%1 (%2)").arg(parent.name(), label);
        child.outputPath = child.spec.output;
        missing.append(child);
    };
    if (media::needsAudioPass(parent.spec.settings, *plan) && !present.contains(kAudioPassSegment))
        makeChild(kAudioPassSegment,
            media::audioSettings(parent.spec.settings, plan->rangeStart, plan->rangeEnd),
            QStringLiteral("audio.") + container, QStringLiteral("audio"));
    const qsizetype total = plan->segments.size();
    const QString videoContainer = media::segmentContainer(parent.spec.settings);
    for (const media::Segment& segment : std::as_const(plan->segments)) {
        if (present.contains(segment.index))
            continue;
        makeChild(segment.index, media::segmentSettings(parent.spec.settings, segment),
            QStringLiteral("segment-%1.%2").arg(segment.index).arg(videoContainer),
            QStringLiteral("segment %1/%2").arg(segment.index + 1).arg(total));
    }
    if (!missing.isEmpty()) {
        if (auto r = m_queue->append(missing); !r) {
            (void)transition(parent, JobState::Failed, r.error().message, Persist::BestEffort);
            return r;
        }
        for (const Job& child : std::as_const(missing))
            Q_EMIT jobAdded(child.id);
    }
    // What an earlier run left failed or canceled runs again; what finished is kept.
    for (const Job* child : childrenOf(id)) {
        if (child->state == JobState::Failed || child->state == JobState::Canceled)
            (void)transition(
                *child, JobState::Queued, {}, Persist::BestEffort, [](Job& j) { j.attempts = 0; });
    }
    if (const Job* now = find(id); now && now->state == JobState::Queued) {
        if (auto r
            = transition(*now, JobState::Started, {}, Persist::Required, [](Job& j) { j.node.clear(); });
            !r)
            return r;
    }
    m_hadWork = true;
    updateFamily(id);
    const QList<const Job*> children = childrenOf(id);
    if (std::all_of(
            children.cbegin(), children.cend(), [](const Job* c) { return c->state == JobState::Finished; }))
        startJoin(id);
    return {};
}

void JobManager::resumeFamilies()
{
    QList<QUuid> parents;
    for (const QUuid& id : m_queue->order()) {
        const Job* job = m_queue->find(id);
        if (job->isParent() && job->state == JobState::Started)
            parents.append(id);
    }
    for (const QUuid& id : std::as_const(parents)) {
        qCInfo(lcJobs) << "resuming the segments of job" << id.toString(QUuid::WithoutBraces);
        (void)startFamily(id);
    }
}

void JobManager::updateFamily(const QUuid& id)
{
    const Job* parent = find(id);
    if (!parent || !parent->isParent())
        return;
    const QJsonArray segments = parent->plan.value(u"segments").toArray();
    QHash<int, double> lengths;
    double total = 0;
    for (const QJsonValue& v : segments) {
        const QJsonObject o = v.toObject();
        const double seconds = o.value(u"end").toDouble() - o.value(u"start").toDouble();
        lengths.insert(o.value(u"index").toInt(), seconds);
        total += seconds;
    }
    double doneSeconds = 0, fps = 0, speed = 0;
    qint64 frames = 0;
    int done = 0;
    QJsonArray children;
    for (const Job* child : childrenOf(id)) {
        children.append(QJsonObject { { "id", child->idString() }, { "segment", child->segment },
            { "status", jobStateName(child->state) },
            { "node", child->node.isEmpty() ? QJsonValue() : QJsonValue(child->node) },
            { "progress", child->progress }, { "started_at", jsonTime(child->startedAt) },
            { "ended_at", jsonTime(child->endedAt) } });
        if (child->segment == kAudioPassSegment)
            continue;
        const double seconds = lengths.value(child->segment);
        if (child->state == JobState::Finished) {
            doneSeconds += seconds;
            frames += child->frames;
            ++done;
        } else if (child->state == JobState::Started) {
            doneSeconds += seconds * child->progress;
            frames += child->frames;
            fps += child->fps;
            speed += child->speed;
        }
    }
    const bool running = parent->state == JobState::Started;
    const bool doneChanged = done != parent->segmentsDone;
    m_queue->modify(id, [&](Job& j) {
        j.children = children;
        j.segmentsDone = done;
        if (!running)
            return;
        j.progress = total > 0 ? std::min(0.99, doneSeconds / total) : 0;
        j.frames = frames;
        j.fps = fps;
        j.speed = speed;
        j.etaSeconds = speed > 0 ? (total - doneSeconds) / speed : -1;
    });
    if (doneChanged) {
        if (const Job* now = find(id))
            (void)m_queue->save(*now); // `jobs --json` reads the count from the store
    }
    Q_EMIT jobChanged(id);
}

void JobManager::onChildEnded(const QUuid& childId)
{
    const Job* child = find(childId);
    if (!child)
        return;
    const QUuid parentId = child->parent;
    // The child's transition has listed its new state in the parent (updateFamily).
    const Job* parent = find(parentId);
    if (!parent || parent->state != JobState::Started)
        return;
    switch (child->state) {
    case JobState::Failed:
        if (child->attempts < m_options.maxAttempts) {
            // Another slot (or node) may do better: the segment runs again before the job fails.
            qCWarning(lcJobs) << "segment" << child->segment << "of job" << parent->idString()
                              << "failed; retrying it:" << child->error;
            (void)transition(*child, JobState::Queued, {}, Persist::BestEffort,
                [attempts = child->attempts](Job& j) { j.attempts = attempts; });
        } else {
            failFamily(parentId, QStringLiteral("%1 failed: %2").arg(child->name(), child->error));
            return;
        }
        break;
    case JobState::Canceled:
        (void)cancel(parentId);
        return;
    default:
        break;
    }
    const QList<const Job*> children = childrenOf(parentId);
    if (std::all_of(
            children.cbegin(), children.cend(), [](const Job* c) { return c->state == JobState::Finished; }))
        startJoin(parentId);
}

void JobManager::cancelChildren(const QUuid& id)
{
    QList<QUuid> ids;
    for (const Job* child : childrenOf(id))
        ids.append(child->id);
    for (const QUuid& childId : std::as_const(ids)) {
        const Job* child = find(childId);
        if (!child || !canCancel(child->state))
            continue;
        if (m_running.contains(childId))
            (void)cancel(childId);
        else
            (void)transition(*child, JobState::Canceled, QStringLiteral("Canceled."), Persist::BestEffort);
    }
}

void JobManager::failFamily(const QUuid& id, const QString& error)
{
    cancelChildren(id);
    if (const Job* parent = find(id); parent && parent->state == JobState::Started)
        (void)transition(*parent, JobState::Failed, error, Persist::BestEffort);
    updateFamily(id);
}

void JobManager::startJoin(const QUuid& id)
{
    const Job* parent = find(id);
    if (m_shuttingDown || !parent || parent->state != JobState::Started || m_joining.contains(id))
        return;
    auto plan = media::SegmentPlan::fromJson(parent->plan);
    if (!plan) {
        failFamily(id, plan.error().message);
        return;
    }
    QMap<int, QString> segments;
    QString audio;
    for (const Job* child : childrenOf(id)) {
        if (child->segment == kAudioPassSegment)
            audio = child->outputPath;
        else
            segments.insert(child->segment, child->outputPath);
    }
    media::JoinOptions options;
    options.plan = *plan;
    options.overwrite = parent->spec.settings.overwrite;
    auto flag = std::make_shared<std::atomic<bool>>(false);
    options.cancel = flag.get();
    m_joining.insert(id, flag);
    const QString output = parent->outputPath;
    (void)m_queue->store().recordPartFile(media::partPath(output));
    const QStringList paths = segments.values();
    m_segmentPool.start([this, id, paths, audio, output, options, flag] {
        auto report = media::joinSegments(paths, audio, output, options);
        QMetaObject::invokeMethod(
            this, [this, id, report] { onJoined(id, report); }, Qt::QueuedConnection);
    });
}

void JobManager::onJoined(const QUuid& id, const Result<media::TranscodeReport>& report)
{
    m_joining.remove(id);
    if (m_shuttingDown || !m_open)
        return;
    const Job* parent = find(id);
    if (parent)
        (void)m_queue->store().forgetPartFile(media::partPath(parent->outputPath));
    if (!parent || parent->state != JobState::Started) {
        emitDrainedWhenIdle();
        return;
    }
    if (!report) {
        (void)transition(*parent, JobState::Failed,
            QStringLiteral("Joining the segments failed: %1").arg(report.error().message),
            Persist::BestEffort);
        emitDrainedWhenIdle();
        return;
    }
    // The children's own speed: media seconds over the wall time from the first start to the join.
    const double elapsed = parent->startedAt.isValid()
        ? parent->startedAt.msecsTo(QDateTime::currentDateTimeUtc()) / 1000.0
        : 0;
    const bool removeInput = parent->spec.removeInputWhenDone;
    const QString input = parent->spec.input;
    (void)transition(*parent, JobState::Finished, {}, Persist::BestEffort, [&](Job& j) {
        j.outputBytes = report->outputBytes;
        j.frames = report->frames;
        j.warnings = report->warnings;
        j.speed = elapsed > 0 ? report->mediaSeconds / elapsed : 0;
        j.fps = 0;
        j.children = {};
    });
    // Finished segments are kept only until their parent ends.
    QList<QUuid> children;
    for (const Job* child : childrenOf(id))
        children.append(child->id);
    if (!children.isEmpty() && m_queue->remove(children)) {
        for (const QUuid& child : std::as_const(children))
            Q_EMIT jobRemoved(child);
    }
    QDir(segmentFolder(id)).removeRecursively();
    if (removeInput)
        QFile::remove(input);
    emitDrainedWhenIdle();
}

Result<void> JobManager::removeFamily(const QUuid& id)
{
    const Job* parent = find(id);
    if (!parent)
        return notFound(id);
    if (parent->state == JobState::Started)
        (void)cancel(id);
    parent = find(id);
    const bool removeInput = parent && parent->spec.removeInputWhenDone;
    const QString input = parent ? parent->spec.input : QString();
    QList<QUuid> ids;
    for (const Job* child : childrenOf(id))
        ids.append(child->id);
    ids.append(id);
    if (auto r = m_queue->remove(ids); !r)
        return r;
    QDir(segmentFolder(id)).removeRecursively();
    if (removeInput)
        QFile::remove(input);
    for (const QUuid& gone : std::as_const(ids))
        Q_EMIT jobRemoved(gone);
    return {};
}

} // namespace vtfarm::jobs
