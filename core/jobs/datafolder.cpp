#include "datafolder.h"

#include <QDir>
#include <QFile>
#include <QLockFile>
#include <cerrno>
#include <cstring>
#include <sys/statvfs.h>
#include <unistd.h>

namespace vtfarm::jobs {

namespace {

// The nearest folder that exists: where a missing one would have been made.
QString existingAncestor(const QString& folder)
{
    QDir dir(QDir::cleanPath(QDir(folder).absolutePath()));
    while (!dir.exists() && !dir.isRoot())
        dir.setPath(QDir::cleanPath(dir.absoluteFilePath(QStringLiteral(".."))));
    return dir.absolutePath();
}

} // namespace

QString unwritableReason(const QString& folder, const QString& what)
{
    const QString at = existingAncestor(folder);
    const QByteArray path = QFile::encodeName(at);
    struct statvfs fs
    {
    };
    if (::statvfs(path.constData(), &fs) == 0) {
        if (fs.f_flag & ST_RDONLY)
            return QStringLiteral("The %1 %2 is on a read-only file system.").arg(what, folder);
        if (fs.f_bavail == 0 || (fs.f_favail == 0 && fs.f_files > 0))
            return QStringLiteral("The %1 %2 is full: its disk has no space left.").arg(what, folder);
    }
    if (::access(path.constData(), W_OK | X_OK) != 0) {
        if (errno == EROFS)
            return QStringLiteral("The %1 %2 is on a read-only file system.").arg(what, folder);
        if (errno == EACCES || errno == EPERM)
            return QStringLiteral("The %1 %2 cannot be written: permission denied for this user.")
                .arg(what, folder);
        return QStringLiteral("The %1 %2 cannot be written: %3.")
            .arg(what, folder, QString::fromLocal8Bit(std::strerror(errno)));
    }
    return {};
}

Result<std::unique_ptr<QLockFile>> lockDataFolder(const QString& folder)
{
    if (folder.isEmpty())
        return Error { ErrorCode::InvalidArgument, QStringLiteral("No data folder given."), "data_dir" };
    const auto cannot = [&folder](const QString& fallback) {
        QString reason = unwritableReason(folder);
        const bool full = reason.contains(QStringLiteral(" is full"));
        if (reason.isEmpty())
            reason = fallback;
        return Error { full ? ErrorCode::StorageFull : ErrorCode::IoError, reason, "data_dir" };
    };
    if (!QDir().mkpath(folder))
        return cannot(QStringLiteral("Cannot create the data folder %1.").arg(folder));
    auto lock = std::make_unique<QLockFile>(QDir(folder).filePath(QStringLiteral("lock")));
    if (lock->tryLock(0))
        return lock;
    if (lock->error() == QLockFile::LockFailedError) {
        qint64 pid = 0;
        QString host, app;
        lock->getLockInfo(&pid, &host, &app);
        return Error { ErrorCode::Conflict,
            QStringLiteral("Another vtfarm process (pid %1) is using the data folder %2.")
                .arg(pid)
                .arg(folder),
            "data_dir" };
    }
    return cannot(QStringLiteral("Cannot lock the data folder %1.").arg(folder));
}

} // namespace vtfarm::jobs
