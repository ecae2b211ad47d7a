#include "fixtures.h"
#include "jobmanager.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

constexpr int kJobTimeoutMs = 60'000;

JobManager::Options inProcess(const QString& dataDir, int concurrent = 2)
{
    JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = concurrent;
    o.worker.mode = WorkerProcess::Mode::InProcess;
    return o;
}

JobSpec specFor(const QString& input, const QString& outDir = {})
{
    JobSpec spec;
    spec.input = input;
    spec.outputDir = outDir;
    spec.settings = test::fastSettings();
    spec.source = JobSource::Cli;
    return spec;
}

} // namespace

class TestJobManager : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        test::quietLibavLog();
        QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
        m_clip = m_media.clip();
        QVERIFY2(!m_clip.isEmpty(), qPrintable(m_media.errorString()));
    }

    void runsAJobThroughItsStates()
    {
        QTemporaryDir data, out;
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        QSignalSpy added(&manager, &JobManager::jobAdded);
        QSignalSpy states(&manager, &JobManager::jobStateChanged);
        QSignalSpy drained(&manager, &JobManager::queueDrained);
        auto id = manager.submit(specFor(m_clip, out.path()));
        QVERIFY(id.ok());
        QCOMPARE(added.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*id)->state, JobState::Finished, kJobTimeoutMs);
        const Job job = *manager.job(*id);
        QCOMPARE(job.outputPath, QDir(out.path()).filePath(QStringLiteral("clip.mp4")));
        QVERIFY(QFileInfo::exists(job.outputPath));
        QCOMPARE(job.outputBytes, QFileInfo(job.outputPath).size());
        QVERIFY(!QFileInfo::exists(job.outputPath + QStringLiteral(".part")));
        QCOMPARE(job.attempts, 1);
        QCOMPARE(job.progress, 1.0);
        QVERIFY(job.startedAt.isValid() && job.endedAt.isValid() && job.endedAt >= job.startedAt);
        // queued -> started -> finished, in that order
        QCOMPARE(states.count(), 2);
        QCOMPARE(states.at(0).at(2).value<JobState>(), JobState::Started);
        QCOMPARE(states.at(1).at(2).value<JobState>(), JobState::Finished);
        QTRY_COMPARE(drained.count(), 1);
        QCOMPARE(test::Ffprobe::streams(job.outputPath, QStringLiteral("video"))
                     .first()
                     .toObject()
                     .value(u"width")
                     .toInt(),
            160);
    }

    void invalidSpecsAreRefusedAtSubmit()
    {
        QTemporaryDir data;
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        JobSpec missing = specFor(QStringLiteral("/nonexistent/clip.mp4"));
        QCOMPARE(manager.submit(missing).error().code, ErrorCode::NotFound);
        JobSpec badCodec = specFor(m_clip);
        badCodec.settings.videoCodec = QStringLiteral("mpeg2video");
        QCOMPARE(manager.submit(badCodec).error().field, QStringLiteral("codec"));
        // all or nothing
        auto many = manager.submitMany({ specFor(m_clip), badCodec });
        QVERIFY(!many.ok());
        QCOMPARE(manager.order().size(), 0);
    }

    void persistsAcrossRestart()
    {
        QTemporaryDir data, out;
        QUuid id;
        {
            auto options = inProcess(data.path());
            options.autoStart = false;
            JobManager manager(options);
            QVERIFY(manager.open().ok());
            QVERIFY(manager.isPaused());
            auto r = manager.submit(specFor(m_clip, out.path()));
            QVERIFY(r.ok());
            id = *r;
            QCOMPARE(manager.find(id)->state, JobState::Queued);
            QCOMPARE(manager.runningCount(), 0);
        }
        auto options = inProcess(data.path());
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QCOMPARE(manager.order(), QList<QUuid> { id });
        QCOMPARE(manager.find(id)->state, JobState::Queued);
        QCOMPARE(manager.find(id)->spec.settings, test::fastSettings());
        manager.resume();
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(id)->state, JobState::Finished, kJobTimeoutMs);
    }

    void secondManagerOnSameDataDirIsRefused()
    {
        QTemporaryDir data;
        JobManager first(inProcess(data.path()));
        QVERIFY(first.open().ok());
        JobManager second(inProcess(data.path()));
        const auto r = second.open();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Conflict);
    }

    void outputNamesNeverCollide()
    {
        QTemporaryDir data, out;
        QFile::copy(m_clip, QDir(out.path()).filePath(QStringLiteral("clip.mp4"))); // taken on disk
        auto options = inProcess(data.path());
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        auto ids = manager.submitMany({ specFor(m_clip, out.path()), specFor(m_clip, out.path()) });
        QVERIFY(ids.ok());
        QCOMPARE(
            manager.find(ids->at(0))->outputPath, QDir(out.path()).filePath(QStringLiteral("clip (1).mp4")));
        QCOMPARE(
            manager.find(ids->at(1))->outputPath, QDir(out.path()).filePath(QStringLiteral("clip (2).mp4")));
        // next to the input, the input itself is never the output
        auto beside = manager.submit(specFor(m_clip));
        QVERIFY(beside.ok());
        QVERIFY(manager.find(*beside)->outputPath != m_clip);
        QCOMPARE(
            QFileInfo(manager.find(*beside)->outputPath).absolutePath(), QFileInfo(m_clip).absolutePath());
        // an explicit output that exists is not overwritten unless asked
        JobSpec explicitOut = specFor(m_clip);
        explicitOut.output = QDir(out.path()).filePath(QStringLiteral("clip.mp4"));
        auto e = manager.submit(explicitOut);
        QVERIFY(e.ok());
        QCOMPARE(manager.find(*e)->outputPath, QDir(out.path()).filePath(QStringLiteral("clip (3).mp4")));
        explicitOut.settings.overwrite = true;
        auto o = manager.submit(explicitOut);
        QVERIFY(o.ok());
        QCOMPARE(manager.find(*o)->outputPath, QDir(out.path()).filePath(QStringLiteral("clip.mp4")));
    }

    void cancelAndRetryAQueuedJob()
    {
        // Canceling a running job, and its slot, are in tst_scheduler, without racing an encode.
        QTemporaryDir data, out;
        JobManager manager(inProcess(data.path(), 1));
        QVERIFY(manager.open().ok());
        manager.pause();
        auto later = manager.submit(specFor(m_clip, out.path()));
        QVERIFY(later.ok());
        QVERIFY(manager.cancel(*later).ok());
        QCOMPARE(manager.find(*later)->state, JobState::Canceled);
        QCOMPARE(manager.cancel(*later).error().code, ErrorCode::Conflict);
        QVERIFY(manager.retry(*later).ok());
        QCOMPARE(manager.find(*later)->state, JobState::Queued);
        manager.resume();
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*later)->state, JobState::Finished, kJobTimeoutMs);
        QVERIFY(QFileInfo::exists(manager.find(*later)->outputPath));
        // canceling or retrying what has finished is refused
        QCOMPARE(manager.cancel(*later).error().code, ErrorCode::Conflict);
        QCOMPARE(manager.retry(*later).error().code, ErrorCode::Conflict);
    }

    void retryFailedJob()
    {
        QTemporaryDir data, out, in;
        const QString input = QDir(in.path()).filePath(QStringLiteral("later.mp4"));
        QFile bad(input);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("this is not a video");
        bad.close();
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        auto id = manager.submit(specFor(input, out.path()));
        QVERIFY(id.ok());
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*id)->state, JobState::Failed, kJobTimeoutMs);
        QVERIFY(!manager.find(*id)->error.isEmpty());
        QVERIFY(QFile::remove(input));
        QVERIFY(QFile::copy(m_clip, input));
        QVERIFY(manager.retry(*id).ok());
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*id)->state, JobState::Finished, kJobTimeoutMs);
        QVERIFY(manager.find(*id)->error.isEmpty());
        QCOMPARE(manager.find(*id)->attempts, 1);
    }

    void concurrencyLimitHonoured()
    {
        QTemporaryDir data, out;
        JobManager manager(inProcess(data.path(), 2));
        QVERIFY(manager.open().ok());
        int maxRunning = 0;
        int maxStarted = 0;
        connect(&manager, &JobManager::runningCountChanged, this,
            [&](int n) { maxRunning = std::max(maxRunning, n); });
        connect(&manager, &JobManager::jobStateChanged, this,
            [&] { maxStarted = std::max(maxStarted, manager.counts().started); });
        QList<JobSpec> specs;
        for (int i = 0; i < 5; ++i)
            specs.append(specFor(m_clip, out.path()));
        auto ids = manager.submitMany(specs);
        QVERIFY(ids.ok());
        QCOMPARE(manager.runningCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(manager.counts().finished, 5, kJobTimeoutMs);
        QCOMPARE(maxRunning, 2);
        QCOMPARE(maxStarted, 2);
    }

    void pauseAndResume()
    {
        QTemporaryDir data, out;
        JobManager manager(inProcess(data.path(), 1));
        QVERIFY(manager.open().ok());
        QSignalSpy paused(&manager, &JobManager::pausedChanged);
        manager.pause();
        QCOMPARE(paused.count(), 1);
        auto a = manager.submit(specFor(m_clip, out.path()));
        QVERIFY(a.ok());
        QCOMPARE(manager.find(*a)->state, JobState::Queued);
        QCOMPARE(manager.runningCount(), 0);
        manager.resume();
        QCOMPARE(manager.find(*a)->state, JobState::Started);
        // pausing lets the running job finish but starts nothing new
        auto b = manager.submit(specFor(m_clip, out.path()));
        manager.pause();
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*a)->state, JobState::Finished, kJobTimeoutMs);
        QCOMPARE(manager.find(*b)->state, JobState::Queued);
        QCOMPARE(manager.runningCount(), 0);
        manager.resume();
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*b)->state, JobState::Finished, kJobTimeoutMs);
    }

    void reorderPersistsAndDecidesWhatRunsNext()
    {
        QTemporaryDir data, out;
        QList<QUuid> ids;
        {
            auto options = inProcess(data.path(), 1);
            options.autoStart = false;
            JobManager manager(options);
            QVERIFY(manager.open().ok());
            QList<JobSpec> specs;
            for (int i = 0; i < 4; ++i)
                specs.append(specFor(m_clip, out.path()));
            ids = *manager.submitMany(specs);
            const QUuid a = ids[0], b = ids[1], c = ids[2], d = ids[3];
            QSignalSpy order(&manager, &JobManager::orderChanged);
            QVERIFY(manager.move(c, JobManager::Move::Up).ok());
            QCOMPARE(manager.order(), (QList<QUuid> { a, c, b, d }));
            QVERIFY(manager.move(a, JobManager::Move::Bottom).ok());
            QCOMPARE(manager.order(), (QList<QUuid> { c, b, d, a }));
            QVERIFY(manager.move(d, JobManager::Move::Top).ok());
            QCOMPARE(manager.order(), (QList<QUuid> { d, c, b, a }));
            QVERIFY(manager.move(c, JobManager::Move::Down).ok());
            QCOMPARE(manager.order(), (QList<QUuid> { d, b, c, a }));
            QVERIFY(manager.move(d, JobManager::Move::Up).ok()); // already first: no change
            QCOMPARE(order.count(), 4);
        }
        auto options = inProcess(data.path(), 1);
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QCOMPARE(manager.order(), (QList<QUuid> { ids[3], ids[1], ids[2], ids[0] }));
        manager.resume();
        QCOMPARE(manager.find(ids[3])->state, JobState::Started); // the top one runs first
        QCOMPARE(manager.find(ids[0])->state, JobState::Queued);
    }

    void removeAndClearFinished()
    {
        QTemporaryDir data, out;
        JobManager manager(inProcess(data.path(), 2));
        QVERIFY(manager.open().ok());
        auto ids = manager.submitMany({ specFor(m_clip, out.path()), specFor(m_clip, out.path()) });
        QVERIFY(ids.ok());
        QTRY_COMPARE_WITH_TIMEOUT(manager.counts().finished, 2, kJobTimeoutMs);
        QSignalSpy removed(&manager, &JobManager::jobRemoved);
        QVERIFY(manager.remove(ids->at(0)).ok());
        QCOMPARE(removed.count(), 1);
        QCOMPARE(manager.remove(ids->at(0)).error().code, ErrorCode::NotFound);
        QCOMPARE(manager.clearFinished(), 1);
        QCOMPARE(manager.order().size(), 0);
        QCOMPARE(manager.counts().total(), 0);
    }

    void tenThousandQueuedJobsLoadAndPage()
    {
        QTemporaryDir data, out;
        {
            auto options = inProcess(data.path());
            options.autoStart = false;
            JobManager manager(options);
            QVERIFY(manager.open().ok());
            QList<JobSpec> specs;
            for (int i = 0; i < 10000; ++i)
                specs.append(specFor(m_clip, out.path()));
            QElapsedTimer t;
            t.start();
            QVERIFY(manager.submitMany(specs).ok());
            qInfo("submitting 10000 jobs: %lld ms", t.elapsed());
        }
        auto options = inProcess(data.path());
        options.autoStart = false;
        QElapsedTimer t;
        t.start();
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        qInfo("opening a queue of 10000 jobs: %lld ms", t.elapsed());
        QCOMPARE(manager.counts().queued, 10000);
        // Paging with the cursor visits every job once, in queue order.
        QSet<QUuid> seen;
        JobQuery query;
        query.limit = 333;
        query.state = JobState::Queued;
        int pages = 0;
        for (;;) {
            const JobPage page = manager.jobs(query);
            for (const Job& job : page.jobs)
                seen.insert(job.id);
            ++pages;
            if (page.next.isNull())
                break;
            query.after = page.next;
        }
        QCOMPARE(seen.size(), 10000);
        QCOMPARE(pages, 31);
        query.state = JobState::Finished;
        query.after = {};
        QCOMPARE(manager.jobs(query).jobs.size(), 0);
    }

private:
    test::MediaFixtures m_media;
    QString m_clip;
};

QTEST_GUILESS_MAIN(TestJobManager)
#include "tst_jobmanager.moc"
