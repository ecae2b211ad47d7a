#include "partfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>

namespace vtfarm::media {

Result<void> checkOutputPath(const QString& inputPath, const QString& outputPath, bool overwrite)
{
    const QFileInfo inInfo(inputPath), outInfo(outputPath);
    if (!inputPath.isEmpty() && inInfo.exists() && outInfo.exists()
        && inInfo.canonicalFilePath() == outInfo.canonicalFilePath())
        return Error::invalid(
            "output", QStringLiteral("The output would overwrite the input; choose another output name."));
    if (outInfo.exists() && !overwrite)
        return Error { ErrorCode::AlreadyExists,
            QStringLiteral("%1 already exists; choose another name or allow overwriting.").arg(outputPath),
            "output" };
    if (!outInfo.absoluteDir().exists())
        return Error { ErrorCode::NotFound,
            QStringLiteral("The output folder %1 does not exist.").arg(outInfo.absolutePath()), "output" };
    return {};
}

Result<void> commitPartFile(const QString& part, const QString& outputPath, bool overwrite)
{
    const QByteArray from = QFile::encodeName(part);
    const QByteArray to = QFile::encodeName(QFileInfo(outputPath).absoluteFilePath());
    const int rc = overwrite
        ? ::rename(from.constData(), to.constData())
        : renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_NOREPLACE);
    if (rc != 0)
        return Error { errno == EEXIST ? ErrorCode::AlreadyExists : ErrorCode::IoError,
            QStringLiteral("Cannot rename %1 to %2: %3.")
                .arg(part, outputPath, QString::fromLocal8Bit(strerror(errno))),
            "output" };
    return {};
}

} // namespace vtfarm::media
