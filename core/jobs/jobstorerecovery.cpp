// Recovery of a damaged job store: the damaged file is kept aside, and every job that can still be
// read is read, row by row past the bad pages, into a new store.
#include "jobstore.h"
#include "jobstoresql.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>
#include <QVariant>
#include <algorithm>

Q_LOGGING_CATEGORY(lcStore, "vtfarm.store")

namespace vtfarm::jobs {

namespace {

constexpr qint64 kPageSize = 4096; // SQLite's default, and what every vtfarm store has
constexpr int kHeaderBytes = 100;
constexpr int kRowsPerPageBound = 64; // far more job rows than a 4 KiB page holds

/// A connection to one file for as long as it lives.
class Connection
{
public:
    explicit Connection(const QString& path)
        : m_name(QStringLiteral("vtfarm-recovery-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_open = db.open();
    }
    ~Connection()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool isOpen() const { return m_open; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    /// Whether SQLite can read the schema at all (not so when the header is gone).
    bool readsSchema() const
    {
        QSqlQuery q(db());
        return q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) && q.next();
    }

private:
    QString m_name;
    bool m_open = false;
};

QString freeName(const QString& wanted)
{
    QString name = wanted;
    for (int i = 1; QFileInfo::exists(name); ++i)
        name = wanted + QStringLiteral("-%1").arg(i);
    return name;
}

void putBigEndian32(QByteArray& bytes, int offset, quint32 value)
{
    for (int i = 0; i < 4; ++i)
        bytes[offset + i] = char((value >> (24 - 8 * i)) & 0xff);
}

/// Gives \a path the header of a new, empty store, sized to the file, so that SQLite can read the
/// pages after it again. False when page 1 does not look like a table page (nothing to gain).
bool rebuildHeader(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite) || file.size() < kPageSize)
        return false;
    const QByteArray firstPage = file.read(kPageSize);
    // After the header, page 1 holds the schema's b-tree: 0x0d (a leaf) or 0x05 (interior).
    const char kind = firstPage.at(kHeaderBytes);
    if (kind != 0x0d && kind != 0x05)
        return false;
    QTemporaryDir scratch;
    QByteArray header;
    {
        JobStore fresh(scratch.path());
        if (!fresh.open())
            return false;
        fresh.close();
        QFile made(QDir(scratch.path()).filePath(QStringLiteral("jobs.sqlite")));
        if (!made.open(QIODevice::ReadOnly))
            return false;
        header = made.read(kHeaderBytes);
    }
    if (header.size() != kHeaderBytes)
        return false;
    putBigEndian32(header, 28, quint32(file.size() / kPageSize)); // pages in the file
    putBigEndian32(header, 32, 0); // no free-list: its pages, if any, are read as lost
    putBigEndian32(header, 36, 0);
    file.seek(0);
    return file.write(header) == kHeaderBytes;
}

/// kJobColumns as the damaged store has them: one written before a migration added a column
/// reads NULL for it.
QString columnsOf(const QSqlDatabase& db)
{
    QSet<QString> present;
    QSqlQuery info(db);
    if (info.exec(QStringLiteral("PRAGMA table_info(jobs)"))) {
        while (info.next())
            present.insert(info.value(1).toString());
    }
    QStringList columns = QString::fromLatin1(kJobColumns).split(QStringLiteral(", "));
    if (present.isEmpty())
        return columns.join(QStringLiteral(", "));
    for (QString& column : columns) {
        if (!present.contains(column))
            column = QStringLiteral("NULL");
    }
    return columns.join(QStringLiteral(", "));
}

struct Salvage
{
    QList<Job> jobs;
    int unreadable = 0;
    bool endUnreadable = false;
};

/// Every job row that can be read: a scan as far as it goes, then each rowid up to the last one
/// there is, so that a bad page costs the rows on it and not those after it.
Salvage salvageRows(const QSqlDatabase& db, qint64 fileBytes)
{
    Salvage s;
    QSet<qint64> done;
    qint64 highest = 0;
    const QString columns = columnsOf(db);
    QSqlQuery scan(db);
    scan.setForwardOnly(true);
    if (scan.exec(QStringLiteral("SELECT rowid, %1 FROM jobs").arg(columns))) {
        while (scan.next()) {
            const qint64 rowid = scan.value(0).toLongLong();
            highest = std::max(highest, rowid);
            done.insert(rowid);
            if (auto job = jobFromRow(scan, 1))
                s.jobs.append(std::move(job.value()));
            else
                ++s.unreadable;
        }
    }
    // The last rowid there is: the b-tree's rightmost path says, when it can be read; else a bound
    // from the file's size, and errors past the last row found are not counted as lost rows.
    QSqlQuery max(db);
    const bool maxKnown = max.exec(QStringLiteral("SELECT max(rowid) FROM jobs")) && max.next();
    highest = maxKnown ? std::max(highest, max.value(0).toLongLong())
                       : std::max(highest, fileBytes / kPageSize * kRowsPerPageBound);
    QSqlQuery probe(db);
    probe.setForwardOnly(true);
    probe.prepare(QStringLiteral("SELECT %1 FROM jobs WHERE rowid = :rowid").arg(columns));
    QList<qint64> failed;
    qint64 lastFound = 0;
    for (qint64 rowid = 1; rowid <= highest; ++rowid) {
        if (done.contains(rowid))
            continue;
        probe.bindValue(QStringLiteral(":rowid"), rowid);
        if (!probe.exec()) {
            failed.append(rowid);
        } else if (probe.next()) {
            lastFound = rowid;
            if (auto job = jobFromRow(probe))
                s.jobs.append(std::move(job.value()));
            else
                ++s.unreadable;
        } else if (probe.lastError().isValid()) {
            failed.append(rowid);
        }
        probe.finish();
    }
    for (qint64 rowid : std::as_const(failed)) {
        if (maxKnown || rowid < lastFound)
            ++s.unreadable;
        else
            s.endUnreadable = true;
    }
    std::sort(
        s.jobs.begin(), s.jobs.end(), [](const Job& a, const Job& b) { return a.position < b.position; });
    return s;
}

} // namespace

QString JobStore::Recovery::message() const
{
    QString text = QStringLiteral("The job store was damaged (%1). %2 job(s) were recovered into a new store")
                       .arg(problem)
                       .arg(recovered);
    if (unreadable > 0)
        text += QStringLiteral("; %1 could not be read and are lost").arg(unreadable);
    if (endUnreadable)
        text += QStringLiteral("; the end of the store could not be read, so more may be lost");
    text += QStringLiteral(
        ". The damaged copy is %1. Uploads and outputs that no recovered job names are kept, "
        "not deleted.")
                .arg(damagedCopy);
    return text;
}

Result<JobStore::Recovery> JobStore::recover(const QString& directory, const QString& problem)
{
    Recovery recovery;
    recovery.problem = problem;
    const QDir dir(directory);
    const QString path = dir.filePath(QStringLiteral("jobs.sqlite"));
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    recovery.damagedCopy = freeName(path + QStringLiteral(".damaged-") + stamp);
    for (const char* suffix : { "", "-wal", "-shm" }) {
        const QString from = path + QLatin1String(suffix);
        if (QFileInfo::exists(from) && !QFile::rename(from, recovery.damagedCopy + QLatin1String(suffix)))
            return Error { ErrorCode::IoError,
                QStringLiteral(
                    "Cannot move the damaged job store %1 aside: the data folder may be read-only.")
                    .arg(from),
                {} };
    }
    qCWarning(lcStore) << "damaged job store moved to" << recovery.damagedCopy << ":" << problem;

    // Read from a copy, so that the damaged file stays exactly as it was found.
    QTemporaryDir work(dir.filePath(QStringLiteral(".recovering-XXXXXX")));
    if (!work.isValid())
        return Error { ErrorCode::IoError,
            QStringLiteral("Cannot make a folder in %1 to recover the job store.").arg(directory), {} };
    const QString copy = QDir(work.path()).filePath(QStringLiteral("jobs.sqlite"));
    for (const char* suffix : { "", "-wal" }) {
        const QString from = recovery.damagedCopy + QLatin1String(suffix);
        if (QFileInfo::exists(from) && !QFile::copy(from, copy + QLatin1String(suffix)))
            return Error { ErrorCode::StorageFull,
                QStringLiteral("Cannot copy the damaged job store to recover it: is the disk full?"), {} };
    }
    Salvage salvage;
    {
        auto connection = std::make_unique<Connection>(copy);
        if (connection->isOpen() && !connection->readsSchema()) {
            connection.reset();
            recovery.headerRebuilt = rebuildHeader(copy);
            if (recovery.headerRebuilt)
                connection = std::make_unique<Connection>(copy);
        }
        if (connection && connection->isOpen())
            salvage = salvageRows(connection->db(), QFileInfo(copy).size());
    }
    recovery.recovered = int(salvage.jobs.size());
    recovery.unreadable = salvage.unreadable;
    recovery.endUnreadable = salvage.endUnreadable;

    JobStore fresh(directory);
    if (auto r = fresh.open(); !r)
        return r.error();
    if (auto r = fresh.insert(salvage.jobs); !r)
        return r.error();
    if (auto r = fresh.markRecovered(recovery.damagedCopy); !r)
        return r.error();
    qCWarning(lcStore).noquote() << recovery.message();
    return recovery;
}

} // namespace vtfarm::jobs
