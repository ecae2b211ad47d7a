#include "fixtures.h"
#include "jobmanager.h"
#include "workerprocess.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <cerrno>
#include <csignal>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

constexpr int kJobTimeoutMs = 90'000;

/// The scripted worker (tests/support/scriptedworker.cpp): it behaves as its input is named.
WorkerProcess::Options scriptedOptions()
{
    WorkerProcess::Options o;
    o.program = QStringLiteral(VTFARM_SCRIPTED_WORKER);
    return o;
}

QString scriptedInput(const QTemporaryDir& dir, const char* name)
{
    const QString path = QDir(dir.path()).filePath(QString::fromLatin1(name));
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write("input for the scripted worker");
    return path;
}

WorkerProcess::Options childOptions()
{
    WorkerProcess::Options o;
    o.mode = WorkerProcess::Mode::ChildProcess;
    o.program = QStringLiteral(VTFARM_CLI_PATH);
    return o;
}

/// The pids of this process's children running `vtfarm-cli worker`.
QList<pid_t> workerChildren()
{
    QList<pid_t> pids;
    QDirIterator tasks(QStringLiteral("/proc/self/task"), QDir::Dirs | QDir::NoDotAndDotDot);
    while (tasks.hasNext()) {
        QFile f(tasks.next() + QStringLiteral("/children"));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray& pid : f.readAll().split(' ')) {
            if (pid.trimmed().isEmpty())
                continue;
            QFile cmd(QStringLiteral("/proc/%1/cmdline").arg(QString::fromLatin1(pid.trimmed())));
            if (cmd.open(QIODevice::ReadOnly) && cmd.readAll().contains("worker"))
                pids.append(pid_t(pid.trimmed().toInt()));
        }
    }
    return pids;
}

} // namespace

class TestWorkerProcess : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        test::quietLibavLog();
        QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
        m_clip = m_media.clip();
        m_long = m_media.sized(QStringLiteral("long.mp4"), QSize(640, 360), 20.0);
        QVERIFY2(!m_clip.isEmpty() && !m_long.isEmpty(), qPrintable(m_media.errorString()));
        QVERIFY(QFileInfo(QStringLiteral(VTFARM_CLI_PATH)).isExecutable());
    }

    void childFinishesAndReportsProgress()
    {
        QTemporaryDir out;
        WorkerProcess worker(childOptions());
        std::atomic<bool> stop { false };
        QList<double> fractions;
        const WorkerRequest request { m_clip, QDir(out.path()).filePath(QStringLiteral("o.mp4")),
            test::fastSettings() };
        const WorkerOutcome outcome = worker.run(
            request, stop, [&](const media::TranscodeProgress& p) { fractions.append(p.fraction); });
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Finished);
        QVERIFY(!fractions.isEmpty());
        QCOMPARE(fractions.last(), 1.0);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(outcome.report.outputBytes, QFileInfo(request.output).size());
        QVERIFY(outcome.report.frames > 0);
    }

    void childReportsEngineErrors()
    {
        QTemporaryDir out;
        WorkerProcess worker(childOptions());
        std::atomic<bool> stop { false };
        const WorkerRequest request { QStringLiteral("/nonexistent.mp4"),
            QDir(out.path()).filePath(QStringLiteral("o.mp4")), test::fastSettings() };
        const WorkerOutcome outcome = worker.run(request, stop, {});
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Failed);
        QCOMPARE(outcome.error.code, ErrorCode::NotFound);
        QVERIFY(outcome.error.message.contains(QStringLiteral("does not exist")));
    }

    void stopRemovesPartialOutput()
    {
        QTemporaryDir out;
        WorkerProcess worker(childOptions());
        std::atomic<bool> stop { false };
        media::TranscodeSettings slow = test::fastSettings();
        slow.encoderPreset = QStringLiteral("veryslow");
        slow.resolution = media::Resolution::keep();
        const WorkerRequest request { m_long, QDir(out.path()).filePath(QStringLiteral("o.mp4")), slow };
        const WorkerOutcome outcome = worker.run(request, stop, [&](const media::TranscodeProgress& p) {
            if (p.frames > 0)
                stop = true;
        });
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Stopped);
        QVERIFY(!QFileInfo::exists(request.output));
        QVERIFY(!QFileInfo::exists(request.output + QStringLiteral(".part")));
    }

    void timeLimitStopsTheChild()
    {
        // A worker that never ends by itself meets the wall-clock limit.
        QTemporaryDir out;
        auto options = scriptedOptions();
        options.timeLimitSeconds = 1;
        options.stallTimeoutSeconds = 0;
        WorkerProcess worker(options);
        std::atomic<bool> stop { false };
        const WorkerRequest request { scriptedInput(out, "hold.mp4"),
            QDir(out.path()).filePath(QStringLiteral("o.mp4")), test::fastSettings() };
        const WorkerOutcome outcome = worker.run(request, stop, {});
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Failed);
        QCOMPARE(outcome.error.code, ErrorCode::LimitExceeded);
        QVERIFY(outcome.error.message.contains(QStringLiteral("time limit")));
        QVERIFY(!QFileInfo::exists(request.output + QStringLiteral(".part")));
    }

    void aWorkerThatStopsMovingIsStoppedAndReportedLost_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("sigstop");
        QTest::newRow("reports, but its pipeline is stuck") << "stall.mp4" << false;
        QTest::newRow("says nothing") << "silent.mp4" << false;
        QTest::newRow("stopped with SIGSTOP") << "hold.mp4" << true;
    }
    void aWorkerThatStopsMovingIsStoppedAndReportedLost()
    {
        QFETCH(QString, input);
        QFETCH(bool, sigstop);
        QTemporaryDir out;
        auto options = scriptedOptions();
        options.stallTimeoutSeconds = 1;
        WorkerProcess worker(options);
        std::atomic<bool> stop { false };
        const WorkerRequest request { scriptedInput(out, input.toLatin1().constData()),
            QDir(out.path()).filePath(QStringLiteral("o.mp4")), test::fastSettings() };
        bool stopped = false;
        const WorkerOutcome outcome = worker.run(request, stop, [&](const media::TranscodeProgress&) {
            if (sigstop && !stopped) {
                for (pid_t pid : workerChildren())
                    ::kill(pid, SIGSTOP);
                stopped = true;
            }
        });
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Interrupted);
        QVERIFY2(outcome.error.message.contains(QStringLiteral("No progress for 1 s")),
            qPrintable(outcome.error.message));
        QVERIFY(!QFileInfo::exists(request.output + QStringLiteral(".part")));
        QTRY_COMPARE(workerChildren().size(), 0);
    }

    void workersYieldTheCpuAndTheDisk_data()
    {
        QTest::addColumn<bool>("idleCpu");
        QTest::addColumn<int>("niceness");
        QTest::addColumn<bool>("idleIo");
        QTest::addColumn<int>("policy");
        QTest::addColumn<int>("ioClass");
        QTest::newRow("default: idle CPU class, lowest best-effort I/O")
            << true << 19 << false << SCHED_IDLE << 2;
        QTest::newRow("nice 10 with batch scheduling, idle I/O") << false << 10 << true << SCHED_BATCH << 3;
    }
    void workersYieldTheCpuAndTheDisk()
    {
        QFETCH(bool, idleCpu);
        QFETCH(int, niceness);
        QFETCH(bool, idleIo);
        QFETCH(int, policy);
        QFETCH(int, ioClass);
        QTemporaryDir out;
        auto options = scriptedOptions();
        options.idleCpu = idleCpu;
        options.niceness = niceness;
        options.idleIo = idleIo;
        WorkerProcess worker(options);
        std::atomic<bool> stop { false };
        const WorkerRequest request { scriptedInput(out, "hold.mp4"),
            QDir(out.path()).filePath(QStringLiteral("o.mp4")), test::fastSettings() };
        int seenPolicy = -1, seenNice = -100, seenIo = -1;
        const WorkerOutcome outcome = worker.run(request, stop, [&](const media::TranscodeProgress&) {
            const QList<pid_t> children = workerChildren();
            if (children.size() == 1) {
                seenPolicy = ::sched_getscheduler(children.first());
                errno = 0;
                seenNice = ::getpriority(PRIO_PROCESS, id_t(children.first()));
                seenIo = int(::syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, children.first()));
            }
            stop = true;
        });
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Stopped);
        QCOMPARE(seenPolicy, policy);
        if (policy == SCHED_BATCH)
            QCOMPARE(seenNice, niceness);
        QCOMPARE(seenIo >> 13, ioClass); // the class is in the top bits (IOPRIO_CLASS_SHIFT)
        if (ioClass == 2)
            QCOMPARE(seenIo & 0xff, 7); // the lowest best-effort level
    }

    void memoryLimitFailsCleanly()
    {
        QTemporaryDir out;
        auto options = childOptions();
        options.memoryLimitBytes = 48LL << 20; // far too little for libav and x264
        WorkerProcess worker(options);
        std::atomic<bool> stop { false };
        const WorkerRequest request { m_clip, QDir(out.path()).filePath(QStringLiteral("o.mp4")),
            test::fastSettings() };
        const WorkerOutcome outcome = worker.run(request, stop, {});
        QCOMPARE(outcome.kind, WorkerOutcome::Kind::Failed);
        QVERIFY(!outcome.error.message.isEmpty());
        QVERIFY(!QFileInfo::exists(request.output));
        QVERIFY(!QFileInfo::exists(request.output + QStringLiteral(".part")));
    }

    void crashedWorkerFailsOnlyItsJob()
    {
        QTemporaryDir data, out, in;
        JobManager::Options options;
        options.dataDir = data.path();
        options.maxConcurrent = 2;
        options.worker = scriptedOptions();
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        JobSpec victimSpec;
        victimSpec.input = scriptedInput(in, "hold.mp4"); // runs until something ends it
        victimSpec.outputDir = out.path();
        victimSpec.settings = test::fastSettings();
        JobSpec bystanderSpec = victimSpec;
        bystanderSpec.input = scriptedInput(in, "clip.mp4"); // finishes at once
        auto victim = manager.submit(victimSpec);
        auto bystander = manager.submit(bystanderSpec);
        QVERIFY(victim.ok() && bystander.ok());
        // Once the bystander has finished, the one worker left is the victim's.
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*bystander)->state, JobState::Finished, kJobTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(manager.find(*victim)->frames > 0, kJobTimeoutMs);
        const QList<pid_t> workers = workerChildren();
        QCOMPARE(workers.size(), 1);
        QCOMPARE(::kill(workers.first(), SIGSEGV), 0);
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*victim)->state, JobState::Failed, kJobTimeoutMs);
        const QString error = manager.find(*victim)->error;
        QVERIFY2(error.contains(QStringLiteral("SIGSEGV")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("crashed")), qPrintable(error));
        QCOMPARE(manager.find(*bystander)->state, JobState::Finished);
        QVERIFY(!QFileInfo::exists(manager.find(*victim)->outputPath + QStringLiteral(".part")));
        QVERIFY(!QFileInfo::exists(manager.find(*victim)->outputPath));
    }

    void workersNeverExceedTheLimit()
    {
        QTemporaryDir data, out;
        JobManager::Options options;
        options.dataDir = data.path();
        options.maxConcurrent = 2;
        options.worker = childOptions();
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        qsizetype most = 0;
        connect(
            &manager, &JobManager::jobChanged, this, [&] { most = std::max(most, workerChildren().size()); });
        QList<JobSpec> specs;
        for (int i = 0; i < 5; ++i) {
            JobSpec spec;
            spec.input = m_clip;
            spec.outputDir = out.path();
            spec.settings = test::fastSettings();
            specs.append(spec);
        }
        QVERIFY(manager.submitMany(specs).ok());
        QTRY_COMPARE_WITH_TIMEOUT(manager.counts().finished, 5, kJobTimeoutMs);
        QVERIFY(most >= 1);
        QVERIFY2(most <= 2, qPrintable(QString::number(most)));
        QTRY_COMPARE(workerChildren().size(), 0);
    }

private:
    test::MediaFixtures m_media;
    QString m_clip, m_long;
};

QTEST_GUILESS_MAIN(TestWorkerProcess)
#include "tst_workerprocess.moc"
