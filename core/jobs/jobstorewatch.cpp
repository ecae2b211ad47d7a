// The job store's record of the files watch folders took (core/watch), beside the jobs.
#include "jobstore.h"
#include "jobstoresql.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace vtfarm::jobs {

Result<void> JobStore::markSeen(const SeenFile& file)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("INSERT OR REPLACE INTO watch_seen (path, size, mtime, seen_at, watch, job) "
              "VALUES (:path, :size, :mtime, :seen_at, :watch, :job)");
    q.bindValue(":path", file.path);
    q.bindValue(":size", file.size);
    q.bindValue(":mtime", file.mtimeMs);
    q.bindValue(":seen_at",
        (file.seenAt.isValid() ? file.seenAt : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch());
    q.bindValue(":watch", file.watch);
    q.bindValue(":job",
        file.job.isNull() ? QVariant(QMetaType::fromType<QString>())
                          : QVariant(file.job.toString(QUuid::WithoutBraces)));
    if (!q.exec())
        return sqlError("record a watched file", q.lastError());
    return {};
}

Result<bool> JobStore::isSeen(const QString& path, qint64 size, qint64 mtimeMs) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT size, mtime FROM watch_seen WHERE path = :path");
    q.bindValue(":path", path);
    if (!q.exec())
        return sqlError("look up a watched file", q.lastError());
    return q.next() && q.value(0).toLongLong() == size && q.value(1).toLongLong() == mtimeMs;
}

Result<QList<JobStore::SeenFile>> JobStore::seenFiles(const QString& folder) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    q.prepare("SELECT path, size, mtime, seen_at, watch, job FROM watch_seen "
              "WHERE substr(path, 1, :length) = :folder");
    q.bindValue(":length", folder.size());
    q.bindValue(":folder", folder);
    if (!q.exec())
        return sqlError("list watched files", q.lastError());
    QList<SeenFile> files;
    while (q.next()) {
        SeenFile f;
        f.path = q.value(0).toString();
        f.size = q.value(1).toLongLong();
        f.mtimeMs = q.value(2).toLongLong();
        f.seenAt = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong());
        f.watch = q.value(4).toString();
        f.job = QUuid::fromString(q.value(5).toString());
        files.append(f);
    }
    if (q.lastError().isValid())
        return sqlError("list watched files", q.lastError());
    return files;
}

Result<int> JobStore::seenCount(const QString& watch) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare("SELECT count(*) FROM watch_seen WHERE watch = :watch AND job IS NOT NULL");
    q.bindValue(":watch", watch);
    if (!q.exec() || !q.next())
        return sqlError("count a watch folder's jobs", q.lastError());
    return q.value(0).toInt();
}

} // namespace vtfarm::jobs
