#include "partfile.h"

#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>

namespace vtfarm::media {

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
