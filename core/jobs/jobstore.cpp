#include "jobstore.h"

#include "datafolder.h"
#include "jobstoresql.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <functional>

namespace vtfarm::jobs {

namespace {

// Each entry takes the schema from version i to i+1. Append; never edit a released step.
const QStringList kMigrations[] = {
    {
        "CREATE TABLE jobs ("
        " id TEXT PRIMARY KEY,"
        " position INTEGER NOT NULL,"
        " priority INTEGER NOT NULL DEFAULT 0,"
        " state TEXT NOT NULL,"
        " spec TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " error TEXT,"
        " warnings TEXT,"
        " created_at INTEGER NOT NULL,"
        " started_at INTEGER,"
        " ended_at INTEGER,"
        " output_path TEXT,"
        " input_bytes INTEGER NOT NULL DEFAULT 0,"
        " output_bytes INTEGER NOT NULL DEFAULT 0,"
        " frames INTEGER NOT NULL DEFAULT 0,"
        " speed REAL NOT NULL DEFAULT 0)",
        "CREATE INDEX jobs_by_state ON jobs(state)",
        "CREATE INDEX jobs_by_position ON jobs(position)",
    },
    {
        // The partial outputs workers are writing, so that a crash's leftovers are found even for
        // jobs no longer in the store, and nothing vtfarm did not write is ever taken for one.
        "CREATE TABLE part_files (path TEXT PRIMARY KEY)",
    },
    {
        // Facts about the store itself: "recovered_from" marks a store rebuilt from a damaged one.
        "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    },
    {
        // The farm's node a job runs on, so that a restarted coordinator finds the jobs nodes hold.
        "ALTER TABLE jobs ADD COLUMN node TEXT",
    },
    {
        // The files watch folders have taken, so that a restart does not take them again; a file
        // of the same path with another size or modification time is another file.
        "CREATE TABLE watch_seen ("
        " path TEXT PRIMARY KEY,"
        " size INTEGER NOT NULL,"
        " mtime INTEGER NOT NULL,"
        " seen_at INTEGER NOT NULL,"
        " watch TEXT NOT NULL DEFAULT '',"
        " job TEXT)",
        "CREATE INDEX watch_seen_by_watch ON watch_seen(watch)",
    },
    {
        // What the quality check measured (NULL: not measured), and outputs removed for being
        // larger than their input.
        "ALTER TABLE jobs ADD COLUMN ssim REAL",
        "ALTER TABLE jobs ADD COLUMN psnr REAL",
        "ALTER TABLE jobs ADD COLUMN vmaf REAL",
        "ALTER TABLE jobs ADD COLUMN input_kept INTEGER NOT NULL DEFAULT 0",
    },
    {
        // Split jobs: a segment's parent and index, a parent's plan and finished segments.
        "ALTER TABLE jobs ADD COLUMN parent TEXT",
        "ALTER TABLE jobs ADD COLUMN segment INTEGER",
        "ALTER TABLE jobs ADD COLUMN plan TEXT",
        "ALTER TABLE jobs ADD COLUMN segments_done INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX jobs_by_parent ON jobs(parent)",
    },
};
constexpr int kLatest = int(std::size(kMigrations));

} // namespace

Error sqlError(const QString& what, const QSqlError& e)
{
    // SQLite's primary result codes: a full disk and a damaged file each say so, not "I/O error".
    constexpr int kSqliteCorrupt = 11, kSqliteFull = 13, kSqliteNotADatabase = 26;
    // Qt's driver does not pass the code on for a failed commit; SQLite's own text then says it.
    const int code = e.nativeErrorCode().toInt() & 0xff;
    const QString text = e.databaseText();
    const ErrorCode kind = code == kSqliteFull || text.contains(QStringLiteral("database or disk is full"))
        ? ErrorCode::StorageFull
        : code == kSqliteCorrupt || code == kSqliteNotADatabase || text.contains(QStringLiteral("malformed"))
            || text.contains(QStringLiteral("not a database"))
        ? ErrorCode::Damaged
        : ErrorCode::IoError;
    return { kind, QStringLiteral("Job store: %1: %2").arg(what, e.text()), {} };
}

namespace {

QVariant msecs(const QDateTime& t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>());
}

QDateTime fromMsecs(const QVariant& v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(v.toLongLong());
}

void bindJob(QSqlQuery& q, const Job& job)
{
    q.bindValue(":id", job.idString());
    q.bindValue(":position", job.position);
    q.bindValue(":priority", job.spec.priority);
    q.bindValue(":state", jobStateName(job.state));
    q.bindValue(":spec", QString::fromUtf8(QJsonDocument(job.spec.toJson()).toJson(QJsonDocument::Compact)));
    q.bindValue(":attempts", job.attempts);
    q.bindValue(
        ":error", job.error.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(job.error));
    q.bindValue(":warnings",
        job.warnings.isEmpty()
            ? QVariant(QMetaType::fromType<QString>())
            : QVariant(QString::fromUtf8(
                QJsonDocument(QJsonArray::fromStringList(job.warnings)).toJson(QJsonDocument::Compact))));
    q.bindValue(":created_at", msecs(job.createdAt));
    q.bindValue(":started_at", msecs(job.startedAt));
    q.bindValue(":ended_at", msecs(job.endedAt));
    q.bindValue(":output_path", job.outputPath);
    q.bindValue(":input_bytes", job.inputBytes);
    q.bindValue(":output_bytes", job.outputBytes);
    q.bindValue(":frames", job.frames);
    q.bindValue(":speed", job.speed);
    q.bindValue(":node", job.node.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(job.node));
    const auto score = [](const std::optional<double>& v) {
        return v ? QVariant(*v) : QVariant(QMetaType::fromType<double>());
    };
    q.bindValue(":ssim", score(job.quality.ssim));
    q.bindValue(":psnr", score(job.quality.psnr));
    q.bindValue(":vmaf", score(job.quality.vmaf));
    q.bindValue(":input_kept", job.inputKept ? 1 : 0);
    q.bindValue(":parent",
        job.parent.isNull() ? QVariant(QMetaType::fromType<QString>())
                            : QVariant(job.parent.toString(QUuid::WithoutBraces)));
    q.bindValue(":segment", job.isChild() ? QVariant(job.segment) : QVariant(QMetaType::fromType<int>()));
    q.bindValue(":plan",
        job.plan.isEmpty()
            ? QVariant(QMetaType::fromType<QString>())
            : QVariant(QString::fromUtf8(QJsonDocument(job.plan).toJson(QJsonDocument::Compact))));
    q.bindValue(":segments_done", job.segmentsDone);
}

// Runs \a sql once for each of \a count items, bound by \a bind, in one transaction: all or nothing.
Result<void> execEachInTransaction(QSqlDatabase db, const char* what, const QString& sql, qsizetype count,
    const std::function<void(QSqlQuery&, qsizetype)>& bind)
{
    if (!db.transaction())
        return sqlError(QStringLiteral("begin %1").arg(QLatin1String(what)), db.lastError());
    QSqlQuery q(db);
    q.prepare(sql);
    for (qsizetype i = 0; i < count; ++i) {
        bind(q, i);
        if (!q.exec()) {
            const Error e = sqlError(QLatin1String(what), q.lastError());
            db.rollback();
            return e;
        }
    }
    if (!db.commit()) {
        const Error e = sqlError(QStringLiteral("commit %1").arg(QLatin1String(what)), db.lastError());
        db.rollback();
        return e;
    }
    return {};
}

} // namespace

JobStore::JobStore(QString directory)
    : m_directory(std::move(directory))
    , m_connection(QStringLiteral("vtfarm-jobs-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

JobStore::~JobStore()
{
    close();
}

int JobStore::latestSchemaVersion()
{
    return kLatest;
}

QString JobStore::databasePath() const
{
    return QDir(m_directory).filePath(QStringLiteral("jobs.sqlite"));
}

bool JobStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection) && QSqlDatabase::database(m_connection, false).isOpen();
}

int JobStore::schemaVersion() const
{
    return m_schemaVersion;
}

Result<void> JobStore::open()
{
    if (!QDir().mkpath(m_directory)) {
        const QString reason = unwritableReason(m_directory);
        return Error { ErrorCode::IoError,
            reason.isEmpty() ? QStringLiteral("Cannot create the data folder %1.").arg(m_directory) : reason,
            {} };
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    if (!db.isValid())
        return Error { ErrorCode::Internal,
            QStringLiteral("The Qt SQLite driver is missing (install libqt6sql6-sqlite)."), {} };
    db.setDatabaseName(databasePath());
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return sqlError(QStringLiteral("cannot open %1").arg(databasePath()), db.lastError());
    QSqlQuery q(db);
    // Before anything is written: a damaged store is never written to (its pages could only get worse).
    // quick_check reads every page but compares no index with its table: about 10 ms for 10,000 jobs.
    if (!q.exec(QStringLiteral("PRAGMA quick_check")))
        return sqlError(QStringLiteral("check %1").arg(databasePath()), q.lastError());
    QStringList problems;
    while (q.next()) {
        const QString line = q.value(0).toString();
        if (line != u"ok")
            problems << line;
    }
    if (q.lastError().isValid())
        return sqlError(QStringLiteral("check %1").arg(databasePath()), q.lastError());
    if (!problems.isEmpty())
        return Error { ErrorCode::Damaged,
            QStringLiteral("Job store: %1 is damaged: %2").arg(databasePath(), problems.first()), {} };
    q.finish();
    // WAL keeps readers off the writer's back; FULL makes every committed state change survive power loss.
    for (const char* pragma :
        { "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON" }) {
        if (!q.exec(QString::fromLatin1(pragma)))
            return sqlError(QString::fromLatin1(pragma), q.lastError());
    }
    return migrate();
}

Result<void> JobStore::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    if (!q.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
        return sqlError("schema_version", q.lastError());
    // Each step holds the write lock from the moment it reads the version: another process that
    // opens the store at the same moment (`vtfarm-cli jobs` beside a starting batch) waits for it
    // and then finds the step done, where two deferred transactions would fail as "locked".
    const auto rollback = [&q] { q.exec(QStringLiteral("ROLLBACK")); };
    for (;;) {
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return sqlError("begin migration", q.lastError());
        if (!q.exec("SELECT version FROM schema_version")) {
            const Error e = sqlError("schema_version", q.lastError());
            rollback();
            return e;
        }
        int version = 0;
        const bool hasRow = q.next();
        if (hasRow)
            version = q.value(0).toInt();
        q.finish();
        if (version > kLatest) {
            rollback();
            return Error { ErrorCode::Conflict,
                QStringLiteral(
                    "The job store %1 was written by a newer vtfarm (schema %2; this one knows %3).")
                    .arg(databasePath())
                    .arg(version)
                    .arg(kLatest),
                {} };
        }
        if (version == kLatest) {
            if (!q.exec(QStringLiteral("COMMIT"))) {
                const Error e = sqlError("end migration", q.lastError());
                rollback();
                return e;
            }
            m_schemaVersion = version;
            return {};
        }
        for (const QString& statement : kMigrations[version]) {
            if (!q.exec(statement)) {
                const Error e
                    = sqlError(QStringLiteral("migration to schema %1").arg(version + 1), q.lastError());
                rollback();
                return e;
            }
        }
        const bool ok = (version == 0 && !hasRow)
            ? q.exec(QStringLiteral("INSERT INTO schema_version VALUES (%1)").arg(version + 1))
            : q.exec(QStringLiteral("UPDATE schema_version SET version = %1").arg(version + 1));
        if (!ok) {
            const Error e = sqlError("record schema version", q.lastError());
            rollback();
            return e;
        }
        if (!q.exec(QStringLiteral("COMMIT"))) {
            // The commit's own error, not the last statement's (which succeeded).
            const Error e
                = sqlError(QStringLiteral("commit migration to schema %1").arg(version + 1), q.lastError());
            rollback();
            return e;
        }
    }
}

Result<Job> jobFromRow(const QSqlQuery& q, int first)
{
    const auto value = [&q, first](int i) { return q.value(first + i); };
    Job job;
    job.id = QUuid::fromString(value(0).toString());
    job.position = value(1).toLongLong();
    const auto state = jobStateFromString(value(3).toString());
    QJsonParseError parsed;
    const QJsonDocument specJson = QJsonDocument::fromJson(value(4).toString().toUtf8(), &parsed);
    auto spec = JobSpec::fromJson(specJson.object());
    if (spec && (parsed.error != QJsonParseError::NoError || spec->input.isEmpty()))
        spec = Error { ErrorCode::Damaged, QStringLiteral("its spec is not a job's"), {} };
    if (job.id.isNull() || !state || !spec) {
        // A row we cannot read is reported, not silently dropped.
        return Error { ErrorCode::Damaged,
            QStringLiteral("Job store: job %1 cannot be read (%2).")
                .arg(value(0).toString().left(64),
                    spec ? QStringLiteral("bad state or id") : spec.error().message),
            {} };
    }
    job.state = *state;
    job.spec = *spec;
    job.spec.priority = value(2).toInt();
    job.attempts = value(5).toInt();
    job.error = value(6).toString();
    const QString warnings = value(7).toString();
    if (!warnings.isEmpty()) {
        for (const QJsonValue& v : QJsonDocument::fromJson(warnings.toUtf8()).array())
            job.warnings.append(v.toString());
    }
    job.createdAt = fromMsecs(value(8));
    job.startedAt = fromMsecs(value(9));
    job.endedAt = fromMsecs(value(10));
    job.outputPath = value(11).toString();
    job.inputBytes = value(12).toLongLong();
    job.outputBytes = value(13).toLongLong();
    job.frames = value(14).toLongLong();
    job.speed = value(15).toDouble();
    job.node = value(16).toString();
    const auto score = [&value](int column) {
        const QVariant v = value(column);
        return v.isNull() ? std::nullopt : std::optional(v.toDouble());
    };
    job.quality.ssim = score(17);
    job.quality.psnr = score(18);
    job.quality.vmaf = score(19);
    job.inputKept = value(20).toInt() != 0;
    job.parent = QUuid::fromString(value(21).toString());
    if (job.isChild())
        job.segment = value(22).toInt();
    const QString plan = value(23).toString();
    if (!plan.isEmpty())
        job.plan = QJsonDocument::fromJson(plan.toUtf8()).object();
    job.segmentsDone = value(24).toInt();
    job.progress = job.state == JobState::Finished ? 1.0 : 0.0;
    return job;
}

Result<QList<Job>> JobStore::loadAll() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    if (!q.exec(
            QStringLiteral("SELECT %1 FROM jobs ORDER BY position").arg(QString::fromLatin1(kJobColumns))))
        return sqlError("load jobs", q.lastError());
    QList<Job> jobs;
    while (q.next()) {
        auto job = jobFromRow(q);
        if (!job)
            return job.error();
        jobs.append(std::move(job.value()));
    }
    // next() is false at the end of the table and on an error alike: a damaged page ends the
    // scan early, and a short list must never pass for the whole queue.
    if (q.lastError().isValid())
        return sqlError("load jobs", q.lastError());
    return jobs;
}

Result<void> JobStore::insert(const QList<Job>& jobs)
{
    return execEachInTransaction(QSqlDatabase::database(m_connection), "insert jobs",
        QStringLiteral(
            "INSERT INTO jobs (%1) VALUES (:id, :position, :priority, :state, :spec, :attempts, :error, "
            ":warnings, :created_at, :started_at, :ended_at, :output_path, :input_bytes, :output_bytes, "
            ":frames, :speed, :node, :ssim, :psnr, :vmaf, :input_kept, :parent, :segment, :plan, "
            ":segments_done)")
            .arg(QString::fromLatin1(kJobColumns)),
        jobs.size(), [&](QSqlQuery& q, qsizetype i) { bindJob(q, jobs.at(i)); });
}

Result<void> JobStore::update(const Job& job)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("UPDATE jobs SET position = :position, priority = :priority, state = :state, spec = :spec, "
              "attempts = :attempts, error = :error, warnings = :warnings, created_at = :created_at, "
              "started_at = :started_at, ended_at = :ended_at, output_path = :output_path, input_bytes = "
              ":input_bytes, "
              "output_bytes = :output_bytes, frames = :frames, speed = :speed, node = :node, ssim = :ssim, "
              "psnr = :psnr, vmaf = :vmaf, input_kept = :input_kept, parent = :parent, segment = :segment, "
              "plan = :plan, segments_done = :segments_done WHERE id = :id");
    bindJob(q, job);
    if (!q.exec())
        return sqlError("update job", q.lastError());
    if (q.numRowsAffected() != 1)
        return Error { ErrorCode::NotFound,
            QStringLiteral("Job store: job %1 is not stored.").arg(job.idString()), {} };
    return {};
}

Result<void> JobStore::updatePositions(const QList<Job>& jobs)
{
    return execEachInTransaction(QSqlDatabase::database(m_connection), "reorder",
        QStringLiteral("UPDATE jobs SET position = :position WHERE id = :id"), jobs.size(),
        [&](QSqlQuery& q, qsizetype i) {
            q.bindValue(":position", jobs.at(i).position);
            q.bindValue(":id", jobs.at(i).idString());
        });
}

Result<void> JobStore::remove(const QList<QUuid>& ids)
{
    return execEachInTransaction(QSqlDatabase::database(m_connection), "remove jobs",
        QStringLiteral("DELETE FROM jobs WHERE id = :id"), ids.size(),
        [&](QSqlQuery& q, qsizetype i) { q.bindValue(":id", ids.at(i).toString(QUuid::WithoutBraces)); });
}

Result<void> JobStore::recordPartFile(const QString& path)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("INSERT OR IGNORE INTO part_files (path) VALUES (:path)");
    q.bindValue(":path", path);
    if (!q.exec())
        return sqlError("record partial output", q.lastError());
    return {};
}

Result<void> JobStore::forgetPartFile(const QString& path)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("DELETE FROM part_files WHERE path = :path");
    q.bindValue(":path", path);
    if (!q.exec())
        return sqlError("forget partial output", q.lastError());
    return {};
}

QString JobStore::recoveredFrom() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (q.exec(QStringLiteral("SELECT value FROM store_meta WHERE key = 'recovered_from'")) && q.next())
        return q.value(0).toString();
    return {};
}

Result<void> JobStore::markRecovered(const QString& damagedCopy)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        QStringLiteral("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('recovered_from', :value)"));
    q.bindValue(QStringLiteral(":value"), damagedCopy);
    if (!q.exec())
        return sqlError("record the recovery", q.lastError());
    return {};
}

void JobStore::close()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

Result<QStringList> JobStore::takePartFiles()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    if (!q.exec("SELECT path FROM part_files"))
        return sqlError("list partial outputs", q.lastError());
    QStringList paths;
    while (q.next())
        paths.append(q.value(0).toString());
    if (q.lastError().isValid())
        return sqlError("list partial outputs", q.lastError());
    q.finish();
    if (!q.exec("DELETE FROM part_files"))
        return sqlError("forget partial outputs", q.lastError());
    return paths;
}

} // namespace vtfarm::jobs
