#include "fixtures.h"
#include "jobmanager.h"
#include "jobstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <utime.h>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

constexpr int kJobTimeoutMs = 90'000;

QList<pid_t> childrenOf(qint64 pid)
{
    QList<pid_t> pids;
    QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(task) + QStringLiteral("/children"));
        if (f.open(QIODevice::ReadOnly)) {
            for (const QByteArray& p : f.readAll().split(' ')) {
                if (!p.trimmed().isEmpty())
                    pids.append(pid_t(p.trimmed().toInt()));
            }
        }
    }
    return pids;
}

/// Gone, or dead and waiting to be reaped by init: either way it runs no more.
bool notRunning(pid_t pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray s = stat.readAll();
    const qsizetype close = s.lastIndexOf(')');
    return close < 0 || s.mid(close + 2, 1) == "Z" || s.mid(close + 2, 1) == "X";
}

void touchOld(const QString& path, const QByteArray& content, qint64 secondsAgo)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
    f.close();
    if (secondsAgo > 0) {
        const time_t t = time(nullptr) - secondsAgo;
        const struct utimbuf times
        {
            t, t
        };
        QCOMPARE(::utime(QFile::encodeName(path).constData(), &times), 0);
    }
}

JobManager::Options inProcess(const QString& dataDir)
{
    JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = 1;
    o.worker.mode = WorkerProcess::Mode::InProcess;
    return o;
}

} // namespace

class TestRecovery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        test::quietLibavLog();
        QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
        m_long = m_media.sized(QStringLiteral("long.mp4"), QSize(640, 360), 12.0);
        QVERIFY2(!m_long.isEmpty(), qPrintable(m_media.errorString()));
    }

    void killedMidTranscodeIsRequeuedAndFinishes()
    {
        QTemporaryDir data, out;
        QProcess batch;
        batch.setProgram(QStringLiteral(VTFARM_CLI_PATH));
        batch.setArguments({ QStringLiteral("batch"), m_long, QStringLiteral("--data-dir"), data.path(),
            QStringLiteral("-o"), out.path(), QStringLiteral("-j"), QStringLiteral("1"),
            QStringLiteral("--resolution"), QStringLiteral("320x180"), QStringLiteral("--preset"),
            QStringLiteral("slow") });
        batch.setStandardInputFile(QProcess::nullDevice());
        batch.start();
        QVERIFY(batch.waitForStarted());
        const QString output = QDir(out.path()).filePath(QStringLiteral("long.mp4"));
        const QString part = output + QStringLiteral(".part");
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() > 0, kJobTimeoutMs);
        const QList<pid_t> workers = childrenOf(batch.processId());
        QCOMPARE(workers.size(), 1);

        ::kill(pid_t(batch.processId()), SIGKILL);
        QVERIFY(batch.waitForFinished());
        // The worker dies with the program that started it.
        QTRY_VERIFY_WITH_TIMEOUT(notRunning(workers.first()), 5000);

        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        QCOMPARE(manager.order().size(), 1);
        const QUuid id = manager.order().first();
        // It was requeued (and, with a free slot, has started again), one attempt spent.
        QVERIFY(manager.find(id)->state == JobState::Started || manager.find(id)->state == JobState::Queued);
        QVERIFY(manager.find(id)->attempts >= 1);
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(id)->state, JobState::Finished, kJobTimeoutMs);
        QCOMPARE(manager.find(id)->attempts, 2);
        QVERIFY(QFileInfo::exists(output));
        QVERIFY(!QFileInfo::exists(part));
        QCOMPARE(test::Ffprobe::streams(output, QStringLiteral("video"))
                     .first()
                     .toObject()
                     .value(u"width")
                     .toInt(),
            320);
    }

    void interruptedTooOftenFails()
    {
        QTemporaryDir data, out;
        Job job;
        job.id = QUuid::createUuid();
        job.spec.input = m_long;
        job.state = JobState::Started;
        job.attempts = 3;
        job.createdAt = job.startedAt = QDateTime::currentDateTimeUtc();
        job.outputPath = QDir(out.path()).filePath(QStringLiteral("long.mp4"));
        {
            JobStore store(data.path());
            QVERIFY(store.open().ok());
            QVERIFY(store.insert({ job }).ok());
        }
        touchOld(job.outputPath + QStringLiteral(".part"), "partial", 0);
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        QCOMPARE(manager.find(job.id)->state, JobState::Failed);
        QVERIFY(manager.find(job.id)->error.contains(QStringLiteral("Interrupted 3 times")));
        QVERIFY(!QFileInfo::exists(job.outputPath + QStringLiteral(".part")));
    }

    void stalePartialOutputsAreRemovedOnlyWhenOurs()
    {
        QTemporaryDir data, out, elsewhere;
        Job known;
        known.id = QUuid::createUuid();
        known.spec.input = m_long;
        known.state = JobState::Failed;
        known.createdAt = QDateTime::currentDateTimeUtc();
        known.outputPath = QDir(out.path()).filePath(QStringLiteral("known.mp4"));
        const QDir o(out.path());
        {
            JobStore store(data.path());
            QVERIFY(store.open().ok());
            QVERIFY(store.insert({ known }).ok());
            // a worker was writing this when the program died, and its job was removed meanwhile
            QVERIFY(store.recordPartFile(o.filePath(QStringLiteral("orphan.mkv.part"))).ok());
        }
        touchOld(o.filePath(QStringLiteral("known.mp4.part")), "x", 0);
        touchOld(o.filePath(QStringLiteral("orphan.mkv.part")), "x", 0);
        touchOld(
            o.filePath(QStringLiteral("stranger.mp4.part")), "x", 3600); // e.g. a browser's paused download
        touchOld(QDir(elsewhere.path()).filePath(QStringLiteral("old.mp4.part")), "x", 3600);
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        QVERIFY(!QFileInfo::exists(o.filePath(QStringLiteral("known.mp4.part"))));
        QVERIFY(!QFileInfo::exists(o.filePath(QStringLiteral("orphan.mkv.part"))));
        // vtfarm did not write these: never touched, however old, even in a folder it writes to
        QVERIFY(QFileInfo::exists(o.filePath(QStringLiteral("stranger.mp4.part"))));
        QVERIFY(QFileInfo::exists(QDir(elsewhere.path()).filePath(QStringLiteral("old.mp4.part"))));
    }

    void batchReportsFailuresInItsExitStatus()
    {
        QTemporaryDir data, out, in;
        QVERIFY(QFile::copy(m_long, QDir(in.path()).filePath(QStringLiteral("good.mp4"))));
        touchOld(QDir(in.path()).filePath(QStringLiteral("broken.mkv")), "not a video at all", 0);
        touchOld(QDir(in.path()).filePath(QStringLiteral("notes.txt")), "ignored: not a video file name", 0);
        QProcess batch;
        batch.setProgram(QStringLiteral(VTFARM_CLI_PATH));
        batch.setArguments({ QStringLiteral("batch"), in.path(), QStringLiteral("--data-dir"), data.path(),
            QStringLiteral("-o"), out.path(), QStringLiteral("--resolution"), QStringLiteral("160x120"),
            QStringLiteral("--preset"), QStringLiteral("ultrafast") });
        batch.setStandardInputFile(QProcess::nullDevice());
        batch.start();
        QVERIFY(batch.waitForFinished(kJobTimeoutMs));
        const QString stdoutText = QString::fromUtf8(batch.readAllStandardOutput());
        QCOMPARE(batch.exitCode(), 1);
        QVERIFY2(stdoutText.contains(QStringLiteral("2 jobs: 1 finished, 1 failed")), qPrintable(stdoutText));
        QVERIFY(QFileInfo::exists(QDir(out.path()).filePath(QStringLiteral("good.mp4"))));

        QProcess jobs;
        jobs.start(QStringLiteral(VTFARM_CLI_PATH),
            { QStringLiteral("jobs"), QStringLiteral("--data-dir"), data.path(), QStringLiteral("--json") });
        QVERIFY(jobs.waitForFinished());
        const QJsonArray list = QJsonDocument::fromJson(jobs.readAllStandardOutput()).array();
        QCOMPARE(list.size(), 2);
        QStringList states;
        for (const QJsonValue& v : list)
            states.append(v.toObject().value(u"status").toString());
        states.sort();
        QCOMPARE(states, (QStringList { QStringLiteral("failed"), QStringLiteral("finished") }));
    }

    void batchPrintsTheWarningsOfFinishedJobs()
    {
        // A truncated file finishes with half its length: batch says so, in its line and at the end.
        QTemporaryDir data, out, in;
        const QString truncated = QDir(in.path()).filePath(QStringLiteral("cut.mkv"));
        QProcess remux;
        remux.start(test::ffmpegProgram(), { "-v", "error", "-y", "-i", m_long, "-c", "copy", truncated });
        QVERIFY(remux.waitForFinished(60'000) && remux.exitCode() == 0);
        QFile f(truncated);
        QVERIFY(f.resize(f.size() / 2));
        QProcess batch;
        batch.setProgram(QStringLiteral(VTFARM_CLI_PATH));
        batch.setArguments({ QStringLiteral("batch"), truncated, QStringLiteral("--data-dir"), data.path(),
            QStringLiteral("-o"), out.path(), QStringLiteral("--resolution"), QStringLiteral("160x120"),
            QStringLiteral("--preset"), QStringLiteral("ultrafast") });
        batch.setStandardInputFile(QProcess::nullDevice());
        batch.start();
        QVERIFY(batch.waitForFinished(kJobTimeoutMs));
        const QStringList lines
            = QString::fromUtf8(batch.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(batch.exitCode(), 0);
        const auto jobLine = std::find_if(
            lines.cbegin(), lines.cend(), [](const QString& l) { return l.startsWith(u"[1/1]"); });
        QVERIFY(jobLine != lines.cend());
        QVERIFY2(jobLine->contains(QStringLiteral("finished"))
                && jobLine->contains(QStringLiteral("warning:"))
                && jobLine->contains(QStringLiteral("truncated")),
            qPrintable(*jobLine));
        QVERIFY2(lines.join(u'\n').contains(QStringLiteral("1 finished (1 with warnings)")),
            qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.last().startsWith(QStringLiteral("warning: cut.mkv:")), qPrintable(lines.last()));
    }

private:
    test::MediaFixtures m_media;
    QString m_long;
};

QTEST_GUILESS_MAIN(TestRecovery)
#include "tst_recovery.moc"
