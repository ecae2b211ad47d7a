#pragma once

#include "job.h"
#include "result.h"

#include <QList>
#include <QString>
#include <QStringList>

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

    Result<void> open();
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

private:
    Result<void> migrate();
    QString m_directory;
    QString m_connection;
    int m_schemaVersion = 0;
};

} // namespace vtfarm::jobs
