#pragma once

#include "job.h"
#include "result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUuid>

namespace vtfarm::jobs {

/// \brief The queue on disk: SQLite through QtSql, WAL, synchronous=FULL, versioned schema.
///
/// Used from one thread (the JobManager's). Progress is not written while a job runs; every state
/// change is, before it is announced.
class JobStore
{
public:
    /// \a directory holds jobs.sqlite; it is created when missing.
    explicit JobStore(QString directory);
    ~JobStore();
    JobStore(const JobStore&) = delete;
    JobStore& operator=(const JobStore&) = delete;

    /// Opens the store, checks every page of it (PRAGMA quick_check) and brings its schema up to
    /// date. A damaged store is not written to: ErrorCode::Damaged, and recover() is the way on.
    Result<void> open();
    void close();
    bool isOpen() const;
    QString databasePath() const;
    int schemaVersion() const;
    static int latestSchemaVersion();

    Result<QList<Job>> loadAll() const;
    Result<void> insert(const QList<Job>& jobs);
    Result<void> update(const Job& job);
    Result<void> updatePositions(const QList<Job>& jobs);
    Result<void> remove(const QList<QUuid>& ids);

    /// The partial outputs being written: recorded before a worker starts, forgotten when it
    /// has ended; what is left after a crash is stale.
    Result<void> recordPartFile(const QString& path);
    Result<void> forgetPartFile(const QString& path);
    /// Every recorded partial output, forgetting them all.
    Result<QStringList> takePartFiles();

    /// \brief A file a watch folder took, as it was then.
    struct SeenFile
    {
        QString path;
        qint64 size = 0;
        qint64 mtimeMs = 0; ///< modification time, ms since the epoch
        QDateTime seenAt;
        QString watch; ///< the watch folder's name
        QUuid job; ///< the job made of it
    };
    /// Records that a watch folder took \a file, replacing what was recorded for its path.
    Result<void> markSeen(const SeenFile& file);
    /// Whether the file at \a path was taken with this size and modification time.
    Result<bool> isSeen(const QString& path, qint64 size, qint64 mtimeMs) const;
    /// Every file recorded under \a folder (a path that ends with a slash), for a watcher to keep.
    Result<QList<SeenFile>> seenFiles(const QString& folder) const;
    /// How many jobs the watch folder named \a watch has made.
    Result<int> seenCount(const QString& watch) const;

    /// Where the damaged store this one was rebuilt from is kept; empty for a store never damaged.
    /// Such a store may lack jobs it once had: nothing is deleted because it does not name it.
    QString recoveredFrom() const;
    Result<void> markRecovered(const QString& damagedCopy);

    /// \brief What recover() did.
    struct Recovery
    {
        QString problem; ///< what SQLite found wrong
        QString damagedCopy; ///< where the damaged jobs.sqlite (and its -wal, -shm) now is
        int recovered = 0; ///< jobs read back into the new store
        int unreadable = 0; ///< rows that could not be read; jobs lost, as far as can be told
        /// The end of the table could not be read: more jobs than \a unreadable may be lost.
        bool endUnreadable = false;
        /// Whether jobs were (or may have been) lost.
        bool lostJobs() const { return unreadable > 0 || endUnreadable; }
        bool headerRebuilt = false; ///< the file's header was unreadable and was rebuilt to read it
        /// One paragraph for a person: what happened, what was saved, where the copy is.
        QString message() const;
    };
    /// Moves the damaged store in \a directory aside (jobs.sqlite.damaged-TIME, with its -wal and
    /// -shm), reads every job that can still be read from a copy of it, row by row past the bad
    /// pages, and writes them to a new jobs.sqlite marked as recovered. The store must be closed.
    static Result<Recovery> recover(const QString& directory, const QString& problem);

private:
    Result<void> migrate();
    QString m_directory;
    QString m_connection;
    int m_schemaVersion = 0;
};

} // namespace vtfarm::jobs
