#include "workerlocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace vtfarm::gui {

QString findWorkerProgram()
{
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate :
        { here.filePath(QStringLiteral("vtfarm-cli")), here.filePath(QStringLiteral("../cli/vtfarm-cli")) }) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable())
            return info.canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("vtfarm-cli"));
}

} // namespace vtfarm::gui
