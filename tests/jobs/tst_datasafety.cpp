// Faults an operator meets: a job store damaged on disk, a data folder that is full or read-only,
// a worker that hangs. Real SQLite files damaged in place, real mounts (as root), a real worker
// stopped with SIGSTOP.
#include "apiserver.h"
#include "fixtures.h"
#include "jobmanager.h"
#include "jobstore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <random>
#include <unistd.h>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

constexpr int kStoreJobs = 300;
constexpr int kJobTimeoutMs = 90'000;

/// A store of kStoreJobs jobs in \a dir, each with a .part file as a crash leaves them; their ids.
QList<QUuid> writeStore(const QString& dir, const QString& outDir)
{
    QList<Job> jobs;
    const JobState states[] = { JobState::Queued, JobState::Finished, JobState::Failed, JobState::Started };
    for (int i = 0; i < kStoreJobs; ++i) {
        Job job;
        job.id = QUuid::createUuid();
        job.position = i;
        job.state = states[i % 4];
        job.spec.input = QStringLiteral("/media/holiday-%1.mp4").arg(i);
        job.spec.settings = test::fastSettings();
        job.spec.displayName = QStringLiteral("Holiday video %1, the long version with a long name").arg(i);
        job.createdAt = QDateTime::currentDateTimeUtc();
        job.outputPath = QDir(outDir).filePath(QStringLiteral("holiday-%1.mp4").arg(i));
        jobs.append(job);
    }
    JobStore store(dir);
    if (!store.open() || !store.insert(jobs))
        return {};
    QList<QUuid> ids;
    for (const Job& job : jobs) {
        ids.append(job.id);
        QFile part(job.outputPath + QStringLiteral(".part"));
        if (part.open(QIODevice::WriteOnly))
            part.write("partial");
    }
    return ids;
}

enum class Damage
{
    RandomBytes,
    Truncated,
    ZeroedHeader
};

void damage(const QString& file, Damage how)
{
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 size = f.size();
    switch (how) {
    case Damage::RandomBytes: {
        // 4 KiB of noise in the middle: one or two of the table's pages.
        std::mt19937 random(42);
        QByteArray noise(4096, Qt::Uninitialized);
        for (char& c : noise)
            c = char(random());
        f.seek(size / 2);
        f.write(noise);
        break;
    }
    case Damage::Truncated:
        QVERIFY(f.resize(size / 2));
        break;
    case Damage::ZeroedHeader:
        f.write(QByteArray(100, '\0'));
        break;
    }
}

/// A tmpfs mounted for the test's life; needs root.
class Tmpfs
{
public:
    Tmpfs(const QString& at, const QString& options)
        : m_at(at)
    {
        QDir().mkpath(at);
        m_mounted
            = QProcess::execute(QStringLiteral("mount"), { "-t", "tmpfs", "-o", options, "tmpfs", at }) == 0;
    }
    ~Tmpfs()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), { m_at });
    }
    bool mounted() const { return m_mounted; }

private:
    QString m_at;
    bool m_mounted = false;
};

void fill(const QString& dir)
{
    QFile f(QDir(dir).filePath(QStringLiteral("filler")));
    if (!f.open(QIODevice::WriteOnly))
        return;
    const QByteArray block(64 * 1024, 'x');
    while (f.write(block) == block.size()) { }
    // A tmpfs hands out whole pages: what the big file could not take, small writes can.
    for (int i = 0; i < 64 && f.write("x", 1) == 1 && f.flush(); ++i) { }
}

} // namespace

class TestDataSafety : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        test::quietLibavLog();
        QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
    }

    void aDamagedStoreIsKeptAsideAndWhatCanBeReadRecovered_data()
    {
        QTest::addColumn<int>("how");
        QTest::addColumn<int>("atLeast");
        // A page of noise costs the rows on it; half a file, roughly the rows in the other half;
        // a zeroed header, nothing once a header is written back.
        QTest::newRow("random bytes in a b-tree page") << int(Damage::RandomBytes) << kStoreJobs - 60;
        QTest::newRow("truncated to half") << int(Damage::Truncated) << kStoreJobs / 4;
        QTest::newRow("zeroed header") << int(Damage::ZeroedHeader) << kStoreJobs;
    }
    void aDamagedStoreIsKeptAsideAndWhatCanBeReadRecovered()
    {
        QFETCH(int, how);
        QFETCH(int, atLeast);
        QTemporaryDir data, out;
        const QList<QUuid> ids = writeStore(data.path(), out.path());
        QCOMPARE(ids.size(), kStoreJobs);
        const QString file = QDir(data.path()).filePath(QStringLiteral("jobs.sqlite"));
        damage(file, Damage(how));
        QByteArray damagedBytes;
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            damagedBytes = f.readAll();
        }

        // Opening it finds the damage: never a short list passing for the whole queue.
        {
            JobStore store(data.path());
            auto opened = store.open();
            auto loaded = opened ? store.loadAll() : Result<QList<Job>>(opened.error());
            QVERIFY(!loaded);
            QCOMPARE(loaded.error().code, ErrorCode::Damaged);
        }

        auto options = JobManager::Options {};
        options.dataDir = data.path();
        options.autoStart = false;
        options.worker.mode = WorkerProcess::Mode::InProcess;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QVERIFY(manager.storeRecovery().has_value());
        const JobStore::Recovery& r = *manager.storeRecovery();
        qInfo("recovered %d of %d jobs, %d rows unreadable, header rebuilt: %s", r.recovered, kStoreJobs,
            r.unreadable, r.headerRebuilt ? "yes" : "no");
        QVERIFY2(r.recovered >= atLeast, qPrintable(r.message()));
        QCOMPARE(int(manager.order().size()), r.recovered);
        QVERIFY(r.message().contains(r.damagedCopy));
        // The damaged copy is kept exactly as it was found.
        QFile copy(r.damagedCopy);
        QVERIFY(copy.open(QIODevice::ReadOnly));
        QCOMPARE(copy.readAll(), damagedBytes);
        // What was recovered is what was written, in queue order.
        const QSet<QUuid> written(ids.cbegin(), ids.cend());
        qint64 lastPosition = -1;
        for (const QUuid& id : manager.order()) {
            QVERIFY(written.contains(id));
            const Job* job = manager.find(id);
            const int i = int(ids.indexOf(id));
            QCOMPARE(job->spec.input, QStringLiteral("/media/holiday-%1.mp4").arg(i));
            QVERIFY(job->position > lastPosition);
            lastPosition = job->position;
        }
        // Nothing is deleted on the strength of it: every .part file is still there.
        int parts = 0;
        QDirIterator it(out.path(), { QStringLiteral("*.part") }, QDir::Files);
        while (it.hasNext()) {
            it.next();
            ++parts;
        }
        QCOMPARE(parts, kStoreJobs);
        QCOMPARE(manager.storeRecoveredFrom(), r.damagedCopy);
        manager.shutdown();

        // The next start opens the new store as it is, and still deletes nothing.
        JobManager again(options);
        QVERIFY(again.open().ok());
        QVERIFY(!again.storeRecovery().has_value());
        QCOMPARE(again.storeRecoveredFrom(), r.damagedCopy);
        QCOMPARE(int(again.order().size()), r.recovered);
    }

    void jobsSaysSoWhenItListsWhatADamagedStoreStillHeld()
    {
        QTemporaryDir data, out;
        QCOMPARE(writeStore(data.path(), out.path()).size(), kStoreJobs);
        damage(QDir(data.path()).filePath(QStringLiteral("jobs.sqlite")), Damage::RandomBytes);
        QProcess jobs;
        jobs.start(QStringLiteral(VTFARM_CLI_PATH), { "jobs", "--json", "--data-dir", data.path() });
        QVERIFY(jobs.waitForFinished(60'000));
        const QString err = QString::fromUtf8(jobs.readAllStandardError());
        const QJsonArray list = QJsonDocument::fromJson(jobs.readAllStandardOutput()).array();
        QVERIFY2(err.contains(QStringLiteral("damaged")) && err.contains(QStringLiteral("recovered")),
            qPrintable(err));
        // Exit 0 only with the whole queue.
        QVERIFY2(jobs.exitCode() != 0 || list.size() == kStoreJobs, qPrintable(err));
        QVERIFY(!list.isEmpty());
    }

    void aRecoveredStoreDeletesNoUpload()
    {
        QTemporaryDir data, out;
        QCOMPARE(writeStore(data.path(), out.path()).size(), kStoreJobs);
        damage(QDir(data.path()).filePath(QStringLiteral("jobs.sqlite")), Damage::RandomBytes);
        // Uploads that the lost jobs may have named.
        const QDir uploads(QDir(data.path()).filePath(QStringLiteral("uploads")));
        QVERIFY(uploads.mkpath(QStringLiteral(".")));
        for (int i = 0; i < 5; ++i) {
            QFile f(uploads.filePath(QStringLiteral("upload-%1").arg(i)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("an upload");
        }
        JobManager::Options options;
        options.dataDir = data.path();
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QVERIFY(!manager.storeRecoveredFrom().isEmpty());
        api::ApiServer::Options o;
        o.port = 0;
        o.dataDir = data.path();
        api::ApiServer server(o, &manager, nullptr);
        QVERIFY(server.start().ok());
        server.stop();
        QCOMPARE(uploads.entryList(QDir::Files).size(), 5);
    }

    void aFullOrReadOnlyDataFolderIsCalledSo()
    {
        QTemporaryDir root;
        const QString dir = QDir(root.path()).filePath(QStringLiteral("data"));
        if (::geteuid() != 0) {
            // Without root, no mount: a folder this user may not write.
            QVERIFY(QDir().mkpath(dir));
            QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner);
            JobManager manager(JobManager::Options { dir });
            auto r = manager.open();
            QVERIFY(!r);
            QVERIFY2(r.error().message.contains(QStringLiteral("permission denied")),
                qPrintable(r.error().message));
            QVERIFY(!r.error().message.contains(QStringLiteral("Another vtfarm process")));
            return;
        }
        {
            Tmpfs full(dir, QStringLiteral("size=256k"));
            QVERIFY2(full.mounted(), "mount -t tmpfs failed (this test runs as root)");
            fill(dir);
            JobManager::Options options;
            options.dataDir = dir;
            JobManager manager(options);
            auto r = manager.open();
            QVERIFY(!r);
            QVERIFY2(r.error().message.contains(QStringLiteral("is full")) && r.error().message.contains(dir),
                qPrintable(r.error().message));
            QCOMPARE(r.error().code, ErrorCode::StorageFull);
        }
        {
            Tmpfs readOnly(dir, QStringLiteral("size=256k,ro"));
            QVERIFY(readOnly.mounted());
            JobManager::Options options;
            options.dataDir = dir;
            JobManager manager(options);
            auto r = manager.open();
            QVERIFY(!r);
            QVERIFY2(
                r.error().message.contains(QStringLiteral("read-only")) && r.error().message.contains(dir),
                qPrintable(r.error().message));
        }
    }

    void aJsonJobOnAFullDiskIsStorageFullLikeAnUpload()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to mount a small tmpfs and fill it");
        QTemporaryDir root, inputs;
        QVERIFY(QFile::copy(m_media.clip(), QDir(inputs.path()).filePath(QStringLiteral("in.mp4"))));
        const QString dir = QDir(root.path()).filePath(QStringLiteral("data"));
        Tmpfs disk(dir, QStringLiteral("size=512k"));
        QVERIFY2(disk.mounted(), "mount -t tmpfs failed (this test runs as root)");
        JobManager::Options options;
        options.dataDir = dir;
        options.autoStart = false;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        api::ApiServer::Options o;
        o.port = 0;
        o.dataDir = dir;
        o.inputDir = inputs.path();
        o.minFreeBytes = 0;
        api::ApiServer server(o, &manager, nullptr);
        QVERIFY(server.start().ok());
        fill(dir);
        QProcess curl;
        curl.start(QStringLiteral("curl"),
            { "-s", "-o", "-", "-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data",
                R"({"input": "in.mp4"})",
                QStringLiteral("http://127.0.0.1:%1/api/v1/jobs").arg(server.port()) });
        QTRY_VERIFY_WITH_TIMEOUT(curl.state() == QProcess::NotRunning, 30'000);
        const QStringList lines = QString::fromUtf8(curl.readAllStandardOutput()).split(u'\n');
        server.stop();
        QVERIFY2(lines.last() == QStringLiteral("507"), qPrintable(lines.join(u' ')));
        const QJsonObject error
            = QJsonDocument::fromJson(lines.first().toUtf8()).object().value(u"error").toObject();
        QCOMPARE(error.value(u"code").toString(), QStringLiteral("storage_full"));
        QCOMPARE(manager.counts().total(), 0);
    }

    void aStoppedWorkerIsNoticedAndItsJobRunsAgain()
    {
        // A real worker, stopped with SIGSTOP as soon as it has begun: the watchdog ends it and
        // the job runs again (attempt 2), to the end.
        QTemporaryDir data, out;
        const QString clip = m_media.sized(QStringLiteral("stall.mp4"), QSize(320, 240), 6.0);
        QVERIFY2(!clip.isEmpty(), qPrintable(m_media.errorString()));
        JobManager::Options options;
        options.dataDir = data.path();
        options.maxConcurrent = 1;
        options.worker.program = QStringLiteral(VTFARM_CLI_PATH);
        options.worker.stallTimeoutSeconds = 2;
        JobManager manager(options);
        QVERIFY(manager.open().ok());
        QSignalSpy interrupted(&manager, &JobManager::jobInterrupted);
        // The rerun gets the default patience: on a busy machine a worker at nice 10 may wait
        // seconds for a core, and only the stopped one is under test. The signal comes before the
        // job is started again, so the rerun's worker is started with it.
        connect(&manager, &JobManager::jobInterrupted, this, [&manager] { manager.setStallTimeout(120); });
        bool stopped = false;
        connect(&manager, &JobManager::jobChanged, this, [&](const QUuid& id) {
            const Job* job = manager.find(id);
            if (stopped || !job || job->state != JobState::Started || job->frames == 0)
                return;
            QDirIterator tasks(QStringLiteral("/proc/self/task"), QDir::Dirs | QDir::NoDotAndDotDot);
            while (tasks.hasNext()) {
                QFile f(tasks.next() + QStringLiteral("/children"));
                if (!f.open(QIODevice::ReadOnly))
                    continue;
                for (const QByteArray& pid : f.readAll().split(' ')) {
                    if (!pid.trimmed().isEmpty() && ::kill(pid_t(pid.trimmed().toInt()), SIGSTOP) == 0)
                        stopped = true;
                }
            }
        });
        JobSpec spec;
        spec.input = clip;
        spec.outputDir = out.path();
        spec.settings = test::fastSettings();
        spec.settings.encoderPreset = QStringLiteral("veryslow");
        auto id = manager.submit(spec);
        QVERIFY(id.ok());
        QTRY_VERIFY_WITH_TIMEOUT(stopped, kJobTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(interrupted.count(), 1, kJobTimeoutMs);
        QCOMPARE(interrupted.first().at(1).value<ErrorCode>(), ErrorCode::LimitExceeded);
        QVERIFY2(interrupted.first().at(2).toString().contains(QStringLiteral("No progress for 2 s")),
            qPrintable(interrupted.first().at(2).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(*id)->state, JobState::Finished, kJobTimeoutMs);
        QCOMPARE(manager.find(*id)->attempts, 2);
    }

private:
    test::MediaFixtures m_media;
};

QTEST_GUILESS_MAIN(TestDataSafety)
#include "tst_datasafety.moc"
