// The scheduler's rules with a backend the test drives: which job runs next, how many at once,
// what a cancel, a lost run or a shutdown does. No encode runs, so nothing here waits for one.
#include "fakeworkers.h"
#include "fixtures.h"
#include "jobmanager.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::jobs;
using test::FakeWorkers;

namespace {

JobManager::Options withBackend(const QString& dataDir, std::shared_ptr<FakeWorkers> backend, int slots)
{
    JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = slots;
    o.backend = std::move(backend);
    return o;
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_in.isValid() && m_out.isValid());
        m_input = m_in.filePath(QStringLiteral("clip.mp4"));
        QFile f(m_input);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("the scheduler never opens its inputs");
    }

    void priorityFirstThenQueueOrder()
    {
        QTemporaryDir data;
        auto fake = std::make_shared<FakeWorkers>();
        auto options = withBackend(data.path(), fake, 1);
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        const QUuid a = *manager.submit(spec(0)), b = *manager.submit(spec(0)), c = *manager.submit(spec(5)),
                    d = *manager.submit(spec(5)), e = *manager.submit(spec(-1));
        QVERIFY(fake->startOrder().isEmpty());
        manager.resume();
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(fake->running().size(), 1);
            fake->finish(fake->running().first()->request.job);
            QTRY_COMPARE(manager.counts().finished, i + 1);
        }
        QCOMPARE(fake->startOrder(), (QList<QUuid> { c, d, a, b, e }));
    }

    void moreSlotsStartMoreAtOnceFewerStopNothing()
    {
        QTemporaryDir data;
        auto fake = std::make_shared<FakeWorkers>();
        JobManager manager(withBackend(data.path(), fake, 2));
        QVERIFY(manager.open().ok());
        QList<JobSpec> specs;
        for (int i = 0; i < 6; ++i)
            specs.append(spec(0));
        QVERIFY(manager.submitMany(specs).ok());
        QCOMPARE(fake->running().size(), 2);
        QCOMPARE(manager.counts().started, 2);

        manager.setMaxConcurrent(4);
        QCOMPARE(fake->running().size(), 4);
        QCOMPARE(manager.counts().maxConcurrent, 4);

        // Fewer slots stop no running job; the next starts only once fewer than that run.
        manager.setMaxConcurrent(1);
        QCOMPARE(fake->running().size(), 4);
        for (int i = 0; i < 3; ++i) {
            fake->finish(fake->running().first()->request.job);
            QTRY_COMPARE(manager.counts().finished, i + 1);
            QCOMPARE(fake->running().size(), 3 - i);
        }
        QCOMPARE(manager.counts().queued, 2);
        fake->finish(fake->running().first()->request.job);
        QTRY_COMPARE(manager.counts().finished, 4);
        QCOMPARE(fake->running().size(), 1);
        QCOMPARE(manager.counts().queued, 1);
    }

    void aCanceledRunKeepsItsSlotAndNameUntilItHasStopped()
    {
        QTemporaryDir data;
        auto fake = std::make_shared<FakeWorkers>();
        JobManager manager(withBackend(data.path(), fake, 1));
        QVERIFY(manager.open().ok());
        const QUuid a = *manager.submit(spec(0));
        const QUuid b = *manager.submit(spec(0));
        QCOMPARE(manager.find(a)->state, JobState::Started);
        fake->progress(a, 0.4);
        QTRY_COMPARE(manager.find(a)->progress, 0.4);

        QVERIFY(manager.cancel(a).ok());
        QCOMPARE(manager.find(a)->state, JobState::Canceled);
        QVERIFY(fake->runOf(a)->stopRequested);
        QCOMPARE(manager.find(b)->state, JobState::Queued); // the slot is not free yet
        // Nor is the output name: the stopping worker may still be removing its .part.
        const QUuid c = *manager.submit(spec(0));
        QVERIFY(manager.find(c)->outputPath != manager.find(a)->outputPath);
        QCOMPARE(manager.retry(a).error().code, ErrorCode::Conflict);

        fake->acknowledgeStop(a);
        QTRY_COMPARE(manager.find(b)->state, JobState::Started);
        QCOMPARE(manager.find(a)->state, JobState::Canceled);
        QVERIFY(manager.find(a)->error.contains(QStringLiteral("Canceled")));
        // Canceling what has ended is refused; what was canceled can run again.
        QCOMPARE(manager.cancel(a).error().code, ErrorCode::Conflict);
        QVERIFY(manager.retry(a).ok());
        QCOMPARE(manager.find(a)->state, JobState::Queued);
        QCOMPARE(manager.find(a)->attempts, 0);
    }

    void aLostRunRunsAgainUntilItsLastAttempt()
    {
        QTemporaryDir data;
        auto fake = std::make_shared<FakeWorkers>();
        auto options = withBackend(data.path(), fake, 1);
        options.maxAttempts = 2;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QSignalSpy interrupted(&manager, &JobManager::jobInterrupted);
        const QUuid a = *manager.submit(spec(0));
        QCOMPARE(fake->runOf(a)->request.attempt, 1);
        fake->interrupt(a, QStringLiteral("No progress for 5 s at 35%."));
        // Back in the queue with the attempt spent, and started again at once.
        QTRY_COMPARE(fake->startOrder().size(), 2);
        QCOMPARE(fake->runOf(a)->request.attempt, 2);
        QCOMPARE(manager.find(a)->state, JobState::Started);
        QCOMPARE(manager.find(a)->attempts, 2);
        fake->interrupt(a, QStringLiteral("No progress for 5 s at 70%."));
        QTRY_COMPARE(manager.find(a)->state, JobState::Failed);
        QCOMPARE(fake->startOrder().size(), 2);
        QVERIFY2(manager.find(a)->error.contains(QStringLiteral("Interrupted 2 times"))
                && manager.find(a)->error.contains(QStringLiteral("70%")),
            qPrintable(manager.find(a)->error));
        QCOMPARE(interrupted.count(), 2);
    }

    void aFailedRunFailsItsJobAndRetryRunsItAgain()
    {
        QTemporaryDir data;
        auto fake = std::make_shared<FakeWorkers>();
        JobManager manager(withBackend(data.path(), fake, 1));
        QVERIFY(manager.open().ok());
        const QUuid a = *manager.submit(spec(0));
        fake->fail(a, QStringLiteral("The input is damaged."));
        QTRY_COMPARE(manager.find(a)->state, JobState::Failed);
        QCOMPARE(manager.find(a)->error, QStringLiteral("The input is damaged."));
        QVERIFY(manager.retry(a).ok());
        QCOMPARE(manager.find(a)->state, JobState::Started);
        fake->finish(a);
        QTRY_COMPARE(manager.find(a)->state, JobState::Finished);
        QCOMPARE(manager.find(a)->attempts, 1);
    }

    void aFarmBesideTheLocalSlotsStartsAJobWhenANodeTakesIt()
    {
        QTemporaryDir data;
        auto local = std::make_shared<FakeWorkers>();
        auto farm = std::make_shared<FakeWorkers>(true);
        JobManager manager(withBackend(data.path(), local, 1));
        QVERIFY(manager.open().ok());
        int farmSlots = 2;
        manager.addBackend(farm, [&farmSlots] { return farmSlots; });
        manager.schedule();
        QList<JobSpec> specs;
        for (int i = 0; i < 4; ++i)
            specs.append(spec(0));
        const QList<QUuid> ids = *manager.submitMany(specs);
        QCOMPARE(local->startOrder(), QList<QUuid> { ids[0] });
        QCOMPARE(farm->startOrder(), (QList<QUuid> { ids[1], ids[2] }));
        // Handed to the farm, but no node has it yet: still queued.
        QCOMPARE(manager.find(ids[1])->state, JobState::Queued);
        QCOMPARE(manager.runningCount(), 3);
        farm->begin(ids[1], QStringLiteral("n1"));
        QTRY_COMPARE(manager.find(ids[1])->state, JobState::Started);
        QCOMPARE(manager.find(ids[1])->attempts, 1);
        // A cancel before any node took it stops the hand-over and frees its farm slot.
        QVERIFY(manager.cancel(ids[2]).ok());
        QCOMPARE(manager.find(ids[2])->state, JobState::Canceled);
        QVERIFY(farm->runOf(ids[2])->stopRequested);
        farm->acknowledgeStop(ids[2]);
        QTRY_COMPARE(farm->startOrder().size(), 3);
        QCOMPARE(farm->startOrder().last(), ids[3]);
        // More room in the farm is taken when the farm says so.
        farm->finish(ids[1]);
        QTRY_COMPARE(manager.find(ids[1])->state, JobState::Finished);
        farmSlots = 0;
        manager.schedule();
        QCOMPARE(farm->running().size(), 1);
    }

    void shutdownPutsRunningJobsBackWithoutSpendingAnAttempt()
    {
        QTemporaryDir data;
        QUuid a, b;
        {
            auto fake = std::make_shared<FakeWorkers>();
            JobManager manager(withBackend(data.path(), fake, 1));
            QVERIFY(manager.open().ok());
            a = *manager.submit(spec(0));
            b = *manager.submit(spec(0));
            QCOMPARE(manager.find(a)->state, JobState::Started);
            manager.shutdown();
            QVERIFY(fake->runOf(a)->stopRequested);
        }
        auto fake = std::make_shared<FakeWorkers>();
        auto options = withBackend(data.path(), fake, 1);
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QCOMPARE(manager.find(a)->state, JobState::Queued);
        QCOMPARE(manager.find(a)->attempts, 0);
        QCOMPARE(manager.find(b)->state, JobState::Queued);
        QCOMPARE(manager.order(), (QList<QUuid> { a, b }));
    }

private:
    JobSpec spec(int priority) const
    {
        JobSpec s;
        s.input = m_input;
        s.outputDir = m_out.path();
        s.priority = priority;
        s.source = JobSource::Cli;
        return s;
    }

    QTemporaryDir m_in, m_out;
    QString m_input;
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
