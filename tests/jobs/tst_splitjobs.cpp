// Split jobs through the JobManager: a parent with its segments as child jobs in the store, run by
// real worker processes, joined; cancel, retry and remove on the family; resume after a stop.
#include "fixtures.h"
#include "jobmanager.h"
#include "metrics.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

constexpr int kJobTimeoutMs = 120'000;

JobManager::Options workers(const QString& dataDir, int concurrent)
{
    JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = concurrent;
    o.worker.program = QStringLiteral(VTFARM_CLI_PATH);
    o.worker.mode = WorkerProcess::Mode::ChildProcess;
    return o;
}

QList<const Job*> childrenOf(const JobManager& manager, const QUuid& parent)
{
    QList<const Job*> children;
    for (const QUuid& id : manager.order()) {
        if (manager.find(id)->parent == parent)
            children.append(manager.find(id));
    }
    return children;
}

bool ended(const JobManager& manager, const QUuid& id)
{
    const Job* job = manager.find(id);
    return job && isFinal(job->state);
}

} // namespace

class TestSplitJobs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void splitJobMatchesUnsplit();
    void aSplitJobKeepsItsPlaceInTheQueue();
    void resumesOnlyTheUnfinishedSegments();
    void cancelRetryAndRemoveActOnTheFamily();
    void refusesWhatCannotBeSplit();
    void transcodeCommandSplits();

private:
    JobSpec spec(const QString& split, const QString& outDir) const
    {
        JobSpec s;
        s.input = m_clip;
        s.outputDir = outDir;
        s.settings = test::fastSettings();
        s.source = JobSource::Cli;
        s.split = split;
        return s;
    }

    test::MediaFixtures m_media;
    QString m_clip;
};

void TestSplitJobs::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
    test::ClipSpec clip;
    clip.fileName = QStringLiteral("eight.mp4");
    clip.seconds = 8;
    clip.size = { 320, 180 };
    clip.videoOptions << "-g"
                      << "30"
                      << "-sc_threshold"
                      << "0";
    m_clip = m_media.generate(clip);
    QVERIFY2(!m_clip.isEmpty(), qPrintable(m_media.errorString()));
}

void TestSplitJobs::splitJobMatchesUnsplit()
{
    QTemporaryDir data, splitOut, wholeOut;
    JobManager manager(workers(data.path(), 2));
    QVERIFY(manager.open().ok());
    QSignalSpy states(&manager, &JobManager::jobStateChanged);
    metrics::Metrics metrics;
    metrics.attach(&manager);
    int mostCounted = 0; // the queue's counts, which show a split job as one
    // The parent lists a segment as started as soon as it starts, not only at its first progress,
    // with when it started, and when it ended once it has.
    QStringList listedLate;
    int listedStarts = 0, listedEnds = 0;
    connect(&manager, &JobManager::jobStateChanged, &manager, [&](const QUuid& id, JobState, JobState to) {
        const Job* child = manager.find(id);
        mostCounted = std::max(mostCounted, manager.counts().total());
        if ((to != JobState::Started && to != JobState::Finished) || !child || !child->isChild())
            return;
        QJsonObject entry;
        for (const QJsonValue& c : manager.find(child->parent)->children) {
            if (c[u"id"].toString() == child->idString())
                entry = c.toObject();
        }
        const QString listed = entry.isEmpty() ? QStringLiteral("absent") : entry[u"status"].toString();
        const QDateTime started = QDateTime::fromString(entry[u"started_at"].toString(), Qt::ISODateWithMs);
        const QDateTime ended = QDateTime::fromString(entry[u"ended_at"].toString(), Qt::ISODateWithMs);
        if (to == JobState::Started && listed == u"started" && started.isValid()
            && entry[u"ended_at"].isNull())
            ++listedStarts;
        else if (to == JobState::Finished && listed == u"finished" && started.isValid() && ended >= started)
            ++listedEnds;
        else
            listedLate.append(
                QStringLiteral("segment %1 %2: %3")
                    .arg(child->segment)
                    .arg(jobStateName(to), QJsonDocument(entry).toJson(QJsonDocument::Compact)));
    });
    auto split = manager.submit(spec(QStringLiteral("2"), splitOut.path()));
    auto whole = manager.submit(spec(QStringLiteral("off"), wholeOut.path()));
    QVERIFY2(split.ok() && whole.ok(), qPrintable(split ? QString() : split.error().message));
    QTRY_VERIFY_WITH_TIMEOUT(ended(manager, *split) && ended(manager, *whole), kJobTimeoutMs);
    const Job* parent = manager.find(*split);
    QCOMPARE(jobStateName(parent->state), jobStateName(JobState::Finished));
    QCOMPARE(jobStateName(manager.find(*whole)->state), jobStateName(JobState::Finished));
    QVERIFY(!manager.find(*whole)->isParent());

    // Four segments of 2 s and the audio pass ran as jobs of their own, each started once.
    QVERIFY(parent->isParent());
    QCOMPARE(parent->segmentsTotal(), 4);
    QCOMPARE(parent->segmentsDone, 4);
    QSet<QUuid> childStarts;
    int starts = 0;
    for (const QList<QVariant>& change : std::as_const(states)) {
        const QUuid id = change.at(0).toUuid();
        if (id != *split && id != *whole && change.at(2).value<JobState>() == JobState::Started) {
            childStarts.insert(id);
            ++starts;
        }
    }
    QCOMPARE(childStarts.size(), 5);
    QCOMPARE(starts, 5);
    QVERIFY2(listedLate.isEmpty(), qPrintable(listedLate.join(u", ")));
    QCOMPARE(listedStarts, 5);
    QCOMPARE(listedEnds, 5);
    // Two jobs for the queue's counts and the metrics, however many segments one of them had.
    QCOMPARE(mostCounted, 2);
    const QString scrape = QString::fromStdString(metrics.text());
    for (const char* line : { "vtfarm_jobs_submitted_total{source=\"cli\"} 2",
             "vtfarm_jobs_completed_total{state=\"finished\"} 2", "vtfarm_transcode_duration_seconds_count 2",
             "vtfarm_encoded_frames_total 480" })
        QVERIFY2(scrape.contains(QLatin1String(line)), line);
    // Once the parent ends its segments go: from the queue, the store and the data folder.
    QCOMPARE(manager.order().size(), 2);
    QVERIFY(childrenOf(manager, *split).isEmpty());
    QVERIFY(!QFileInfo::exists(
        QDir(data.path()).filePath(QStringLiteral("segments/") + split->toString(QUuid::WithoutBraces))));
    QVERIFY(QFileInfo::exists(parent->outputPath));
    QVERIFY(!QFileInfo::exists(parent->outputPath + QStringLiteral(".part")));
    const QJsonObject json = parent->toJson();
    QCOMPARE(json.value(u"segments").toObject().value(u"total").toInt(), 4);
    QCOMPARE(json.value(u"segments").toObject().value(u"done").toInt(), 4);

    // The same video as the unsplit encode, and the audio too.
    const QString wholePath = manager.find(*whole)->outputPath;
    QCOMPARE(test::Ffprobe::packetCount(parent->outputPath), test::Ffprobe::packetCount(wholePath));
    QCOMPARE(test::Ffprobe::packetCount(parent->outputPath), 240);
    QCOMPARE(parent->frames, 240);
    const QJsonArray audio = test::Ffprobe::streams(parent->outputPath, QStringLiteral("audio"));
    const QJsonArray wholeAudio = test::Ffprobe::streams(wholePath, QStringLiteral("audio"));
    QCOMPARE(audio.size(), 1);
    QCOMPARE(wholeAudio.size(), 1);
    const double a = audio.first().toObject().value(u"duration").toString().toDouble();
    const double b = wholeAudio.first().toObject().value(u"duration").toString().toDouble();
    QVERIFY2(std::abs(a - b) < 0.03, qPrintable(QStringLiteral("audio %1 s, unsplit %2 s").arg(a).arg(b)));
    manager.shutdown();

    // The store has the parent, with its plan and count, and nothing of its children.
    JobStore store(data.path());
    QVERIFY(store.open().ok());
    auto all = store.loadAll();
    QVERIFY(all.ok());
    QCOMPARE(all->size(), 2);
    const auto stored
        = std::find_if(all->cbegin(), all->cend(), [&](const Job& j) { return j.id == *split; });
    QVERIFY(stored != all->cend());
    QCOMPARE(stored->segmentsTotal(), 4);
    QCOMPARE(stored->segmentsDone, 4);
}

void TestSplitJobs::aSplitJobKeepsItsPlaceInTheQueue()
{
    // One slot, a split job and then a whole one: the split job's segments are appended to the
    // queue after the whole job, but they run in the split job's place, before it; and while the
    // split job is being planned, the whole job does not take the slot.
    QTemporaryDir data, out;
    JobManager manager(workers(data.path(), 1));
    QVERIFY(manager.open().ok());
    QStringList starts;
    connect(&manager, &JobManager::jobStateChanged, &manager, [&](const QUuid& id, JobState, JobState to) {
        const Job* job = manager.find(id);
        if (to == JobState::Started && job)
            starts.append(job->isChild()
                    ? QStringLiteral("segment %1").arg(job->segment)
                    : (job->spec.split == u"off" ? QStringLiteral("whole") : QStringLiteral("split job")));
    });
    auto split = manager.submit(spec(QStringLiteral("2"), out.path()));
    auto whole = manager.submit(spec(QStringLiteral("off"), out.path()));
    QVERIFY(split.ok() && whole.ok());
    QTRY_VERIFY_WITH_TIMEOUT(ended(manager, *split) && ended(manager, *whole), kJobTimeoutMs);
    QCOMPARE(jobStateName(manager.find(*split)->state), jobStateName(JobState::Finished));
    QCOMPARE(starts,
        QStringList(
            { "split job", "segment -1", "segment 0", "segment 1", "segment 2", "segment 3", "whole" }));
}

void TestSplitJobs::resumesOnlyTheUnfinishedSegments()
{
    QTemporaryDir data, out;
    QUuid id;
    QSet<QUuid> finishedBefore;
    int children = 0;
    bool audioFinishedBefore = false;
    {
        JobManager manager(workers(data.path(), 1));
        QVERIFY(manager.open().ok());
        auto submitted = manager.submit(spec(QStringLiteral("2"), out.path()));
        QVERIFY(submitted.ok());
        id = *submitted;
        QTRY_VERIFY_WITH_TIMEOUT(manager.find(id)->segmentsDone >= 1, kJobTimeoutMs);
        manager.shutdown(); // as a stop would: what runs goes back to the queue
        for (const Job* child : childrenOf(manager, id)) {
            ++children;
            if (child->state == JobState::Finished) {
                finishedBefore.insert(child->id);
                QVERIFY(QFileInfo::exists(child->outputPath));
                audioFinishedBefore = audioFinishedBefore || child->segment == kAudioPassSegment;
            }
        }
    }
    QCOMPARE(children, 5);
    QVERIFY(!finishedBefore.isEmpty());
    // One slot runs the audio pass first: a video segment done means the pass is done, and kept.
    QVERIFY(audioFinishedBefore);

    JobManager manager(workers(data.path(), 2));
    QSignalSpy states(&manager, &JobManager::jobStateChanged);
    QVERIFY(manager.open().ok());
    QCOMPARE(childrenOf(manager, id).size(), 5);
    QTRY_VERIFY_WITH_TIMEOUT(ended(manager, id), kJobTimeoutMs);
    QCOMPARE(jobStateName(manager.find(id)->state), jobStateName(JobState::Finished));
    QSet<QUuid> startedAfter;
    for (const QList<QVariant>& change : std::as_const(states)) {
        if (change.at(2).value<JobState>() == JobState::Started)
            startedAfter.insert(change.at(0).toUuid());
    }
    // Only what had not finished ran again.
    QCOMPARE(startedAfter.size(), children - finishedBefore.size());
    for (const QUuid& child : std::as_const(finishedBefore))
        QVERIFY(!startedAfter.contains(child));
    QCOMPARE(test::Ffprobe::packetCount(manager.find(id)->outputPath), 240);
}

void TestSplitJobs::cancelRetryAndRemoveActOnTheFamily()
{
    QTemporaryDir data, out;
    JobManager manager(workers(data.path(), 2));
    QVERIFY(manager.open().ok());
    auto id = manager.submit(spec(QStringLiteral("2"), out.path()));
    QVERIFY(id.ok());
    QTRY_VERIFY_WITH_TIMEOUT(
        manager.runningCount() > 0 && !childrenOf(manager, *id).isEmpty(), kJobTimeoutMs);
    QVERIFY(manager.cancel(*id).ok());
    QCOMPARE(jobStateName(manager.find(*id)->state), jobStateName(JobState::Canceled));
    for (const Job* child : childrenOf(manager, *id))
        QVERIFY2(child->state == JobState::Canceled || child->state == JobState::Finished,
            qPrintable(jobStateName(child->state)));
    QTRY_COMPARE_WITH_TIMEOUT(manager.runningCount(), 0, kJobTimeoutMs);

    QVERIFY(manager.retry(*id).ok());
    QTRY_VERIFY_WITH_TIMEOUT(ended(manager, *id), kJobTimeoutMs);
    QCOMPARE(jobStateName(manager.find(*id)->state), jobStateName(JobState::Finished));
    QCOMPARE(test::Ffprobe::packetCount(manager.find(*id)->outputPath), 240);

    // A second one, removed while it runs: its segments and their folder go with it.
    auto other = manager.submit(spec(QStringLiteral("2"), out.path()));
    QVERIFY(other.ok());
    QTRY_VERIFY_WITH_TIMEOUT(!childrenOf(manager, *other).isEmpty(), kJobTimeoutMs);
    const QUuid child = childrenOf(manager, *other).first()->id;
    QCOMPARE(manager.remove(child).error().code, ErrorCode::Conflict);
    QVERIFY(manager.remove(*other).ok());
    QVERIFY(!manager.find(*other));
    QVERIFY(childrenOf(manager, *other).isEmpty());
    QVERIFY(!QFileInfo::exists(
        QDir(data.path()).filePath(QStringLiteral("segments/") + other->toString(QUuid::WithoutBraces))));
    QTRY_COMPARE_WITH_TIMEOUT(manager.runningCount(), 0, kJobTimeoutMs);
}

void TestSplitJobs::refusesWhatCannotBeSplit()
{
    QTemporaryDir data, out;
    JobManager manager(workers(data.path(), 2));
    QVERIFY(manager.open().ok());
    auto bad = manager.submit(spec(QStringLiteral("soon"), out.path()));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().field, QStringLiteral("split"));
    JobSpec copy = spec(QStringLiteral("2"), out.path());
    copy.settings.videoCodec = QStringLiteral("copy");
    copy.settings.resolution = media::Resolution::keep();
    copy.settings.videoBitrate = 0;
    auto copied = manager.submit(copy);
    QVERIFY(!copied.ok());
    // Automatic: an 8 s job is shorter than --split-min, and runs whole.
    auto automatic = manager.submit(spec(QStringLiteral("auto"), out.path()));
    QVERIFY(automatic.ok());
    QTRY_VERIFY_WITH_TIMEOUT(ended(manager, *automatic), kJobTimeoutMs);
    QVERIFY(!manager.find(*automatic)->isParent());
    QCOMPARE(manager.order().size(), 1);
}

void TestSplitJobs::transcodeCommandSplits()
{
    QTemporaryDir data, out;
    const auto cli = [&](const QStringList& args) {
        QProcess p;
        p.setStandardInputFile(QProcess::nullDevice());
        p.start(QStringLiteral(VTFARM_CLI_PATH), args + QStringList { "--data-dir", data.path() });
        p.waitForFinished(kJobTimeoutMs);
        QByteArray said = p.readAllStandardOutput();
        said += p.readAllStandardError();
        return std::pair<int, QByteArray> { p.exitCode(), said };
    };
    const QStringList settings { "--resolution", "320x180", "--bitrate", "300k", "--preset", "ultrafast" };
    const QString whole = QDir(out.path()).filePath(QStringLiteral("whole.mp4"));
    const QString split = QDir(out.path()).filePath(QStringLiteral("split.mp4"));

    // Shorter than --split-min: encoded here, whole, with nothing queued.
    auto [code, output] = cli(QStringList { "transcode", m_clip, "-o", whole } + settings);
    QVERIFY2(code == 0, output.constData());
    QCOMPARE(test::Ffprobe::packetCount(whole), 240);
    auto listed = cli({ "jobs", "--json" });
    QCOMPARE(QJsonDocument::fromJson(listed.second).array().size(), 0);

    // --split 2 on two slots: four segments through the queue, the same frames.
    std::tie(code, output)
        = cli(QStringList { "transcode", m_clip, "-o", split, "--split", "2", "-j", "2" } + settings);
    QVERIFY2(code == 0, output.constData());
    QCOMPARE(test::Ffprobe::packetCount(split), 240);
    listed = cli({ "jobs", "--json" });
    const QJsonArray jobs = QJsonDocument::fromJson(listed.second).array();
    QCOMPARE(jobs.size(), 1);
    const QJsonObject job = jobs.first().toObject();
    QCOMPARE(job.value(u"output").toString(), split);
    QCOMPARE(job.value(u"segments").toObject().value(u"total").toInt(), 4);
    QCOMPARE(job.value(u"segments").toObject().value(u"done").toInt(), 4);

    // Like the in-process path, it does not overwrite, and says why.
    std::tie(code, output) = cli(QStringList { "transcode", m_clip, "-o", split, "--split", "2" } + settings);
    QCOMPARE(code, 1);
    QVERIFY2(output.contains("already exists"), output.constData());
}

QTEST_GUILESS_MAIN(TestSplitJobs)
#include "tst_splitjobs.moc"
