#include "jobstore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

Job makeJob(int n)
{
    Job job;
    job.id = QUuid::createUuid();
    job.position = n;
    job.spec.input = QStringLiteral("/videos/clip %1 ünï.mp4").arg(n);
    job.spec.settings.videoBitrate = 2'500'000;
    job.spec.settings.resolution = media::Resolution::maxHeight(720);
    job.spec.presetName = QStringLiteral("H.264 720p 1000k");
    job.spec.source = JobSource::Api;
    job.spec.priority = n % 3;
    job.createdAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + n);
    job.outputPath = QStringLiteral("/out/clip %1.mp4").arg(n);
    job.inputBytes = 1000 + n;
    return job;
}

} // namespace

class TestJobStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        Job job = makeJob(7);
        job.state = JobState::Failed;
        job.attempts = 2;
        job.error = QStringLiteral("Worker crashed: SIGSEGV");
        job.warnings = { QStringLiteral("one"), QStringLiteral("two") };
        job.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'100'000);
        job.endedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'200'000);
        {
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
            QCOMPARE(store.schemaVersion(), JobStore::latestSchemaVersion());
            QVERIFY(store.insert({ job }).ok());
        }
        JobStore store(dir.path());
        QVERIFY(store.open().ok());
        auto loaded = store.loadAll();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->size(), 1);
        const Job& got = loaded->first();
        QCOMPARE(got.id, job.id);
        QCOMPARE(got.state, JobState::Failed);
        QCOMPARE(got.attempts, 2);
        QCOMPARE(got.error, job.error);
        QCOMPARE(got.warnings, job.warnings);
        QCOMPARE(got.spec.input, job.spec.input);
        QCOMPARE(got.spec.settings, job.spec.settings);
        QCOMPARE(got.spec.presetName, job.spec.presetName);
        QCOMPARE(got.spec.source, JobSource::Api);
        QCOMPARE(got.spec.priority, job.spec.priority);
        QCOMPARE(got.createdAt, job.createdAt);
        QCOMPARE(got.startedAt, job.startedAt);
        QCOMPARE(got.endedAt, job.endedAt);
        QCOMPARE(got.outputPath, job.outputPath);
        QCOMPARE(got.inputBytes, job.inputBytes);
    }

    void updateRemoveAndOrder()
    {
        QTemporaryDir dir;
        JobStore store(dir.path());
        QVERIFY(store.open().ok());
        Job a = makeJob(1), b = makeJob(2), c = makeJob(3);
        QVERIFY(store.insert({ a, b, c }).ok());
        a.state = JobState::Finished;
        a.outputBytes = 4242;
        QVERIFY(store.update(a).ok());
        std::swap(a.position, c.position);
        QVERIFY(store.updatePositions({ a, c }).ok());
        QVERIFY(store.remove({ b.id }).ok());
        auto loaded = store.loadAll();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->size(), 2);
        QCOMPARE(loaded->at(0).id, c.id); // ordered by position
        QCOMPARE(loaded->at(1).id, a.id);
        QCOMPARE(loaded->at(1).state, JobState::Finished);
        QCOMPARE(loaded->at(1).outputBytes, 4242);
        // Updating a job that is not stored is an error, not a silent no-op.
        QCOMPARE(store.update(b).error().code, ErrorCode::NotFound);
    }

    void durablePragmas()
    {
        QTemporaryDir dir;
        JobStore store(dir.path());
        QVERIFY(store.open().ok());
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(store.databasePath());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        q.finish();
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    void qualityRoundTripsAndOlderStoresMigrate()
    {
        QTemporaryDir dir;
        Job scored = makeJob(1);
        scored.state = JobState::Finished;
        scored.quality.ssim = 0.9731;
        scored.quality.psnr = 38.25;
        Job kept = makeJob(2);
        kept.state = JobState::Finished;
        kept.inputKept = true;
        kept.spec.settings.minSsim = 0.95;
        kept.spec.settings.skipIfLarger = true;
        kept.spec.source = JobSource::Watch;
        {
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
            QVERIFY(store.insert({ scored, kept }).ok());
        }
        {
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
            auto loaded = store.loadAll();
            QVERIFY(loaded.ok());
            QCOMPARE(loaded->at(0).quality.ssim, scored.quality.ssim);
            QCOMPARE(loaded->at(0).quality.psnr, scored.quality.psnr);
            QVERIFY(!loaded->at(0).quality.vmaf);
            QVERIFY(!loaded->at(0).inputKept);
            QVERIFY(!loaded->at(1).quality.measured());
            QVERIFY(loaded->at(1).inputKept);
            QCOMPARE(loaded->at(1).spec.settings, kept.spec.settings);
            QCOMPARE(loaded->at(1).spec.source, JobSource::Watch);
        }
        // Made a store of schema 4 (jobs have their node), from before watch folders, the quality check
        // and split jobs, by hand.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            db.setDatabaseName(QDir(dir.path()).filePath(QStringLiteral("jobs.sqlite")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const char* sql : { "DROP TABLE watch_seen", "ALTER TABLE jobs DROP COLUMN ssim",
                     "ALTER TABLE jobs DROP COLUMN psnr", "ALTER TABLE jobs DROP COLUMN vmaf",
                     "ALTER TABLE jobs DROP COLUMN input_kept", "DROP INDEX jobs_by_parent",
                     "ALTER TABLE jobs DROP COLUMN parent", "ALTER TABLE jobs DROP COLUMN segment",
                     "ALTER TABLE jobs DROP COLUMN plan", "ALTER TABLE jobs DROP COLUMN segments_done",
                     "UPDATE schema_version SET version = 4" })
                QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
            q.finish();
            db.close();
            db = {};
            QSqlDatabase::removeDatabase(QStringLiteral("old"));
        }
        // A damaged store of that schema is read with the columns it has.
        {
            auto recovery = JobStore::recover(dir.path(), QStringLiteral("a test"));
            QVERIFY2(recovery.ok(), qPrintable(recovery.ok() ? QString() : recovery.error().message));
            QCOMPARE(recovery->recovered, 2);
            QVERIFY(!recovery->lostJobs());
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
            QCOMPARE(store.loadAll()->size(), 2);
        }
        // And an undamaged one comes up to date, its jobs intact.
        const auto damaged = QDir(dir.path()).entryList({ QStringLiteral("jobs.sqlite.damaged-*") });
        QCOMPARE(damaged.size(), 1);
        QTemporaryDir other;
        QVERIFY(QFile::copy(QDir(dir.path()).filePath(damaged.first()),
            QDir(other.path()).filePath(QStringLiteral("jobs.sqlite"))));
        JobStore store(other.path());
        QVERIFY(store.open().ok());
        QCOMPARE(store.schemaVersion(), JobStore::latestSchemaVersion());
        auto loaded = store.loadAll();
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->size(), 2);
        QVERIFY(!loaded->at(0).quality.measured());
        QVERIFY(loaded->at(1).spec.settings.skipIfLarger);
        QVERIFY(
            store.markSeen({ QStringLiteral("/in/a.mp4"), 1, 2, {}, QStringLiteral("w"), scored.id }).ok());
    }

    void newerSchemaRefused()
    {
        QTemporaryDir dir;
        {
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
            db.setDatabaseName(QDir(dir.path()).filePath(QStringLiteral("jobs.sqlite")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE schema_version SET version = 99")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("bump"));
        JobStore store(dir.path());
        const auto r = store.open();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Conflict);
        QVERIFY(r.error().message.contains(QStringLiteral("newer")));
    }

    void unreadableRowIsReported()
    {
        QTemporaryDir dir;
        {
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
            QVERIFY(store.insert({ makeJob(1) }).ok());
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("break"));
            db.setDatabaseName(QDir(dir.path()).filePath(QStringLiteral("jobs.sqlite")));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE jobs SET state = 'exploded'")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("break"));
        JobStore store(dir.path());
        QVERIFY(store.open().ok());
        const auto loaded = store.loadAll();
        QVERIFY(!loaded.ok()); // never silently dropped
    }

    void tenThousandJobs()
    {
        QTemporaryDir dir;
        QList<Job> jobs;
        for (int i = 0; i < 10000; ++i)
            jobs.append(makeJob(i));
        QElapsedTimer t;
        {
            JobStore store(dir.path());
            QVERIFY(store.open().ok());
            t.start();
            QVERIFY(store.insert(jobs).ok());
            qInfo("inserting 10000 jobs in one transaction: %lld ms", t.elapsed());
        }
        JobStore store(dir.path());
        QVERIFY(store.open().ok());
        t.start();
        auto loaded = store.loadAll();
        qInfo("loading 10000 jobs: %lld ms", t.elapsed());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->size(), 10000);
        QCOMPARE(loaded->first().id, jobs.first().id);
        QCOMPARE(loaded->last().id, jobs.last().id);
        QCOMPARE(loaded->at(5000).spec.input, jobs.at(5000).spec.input);
    }
};

QTEST_GUILESS_MAIN(TestJobStore)
#include "tst_jobstore.moc"
