#include "inputscanner.h"

#include "mediainfo.h"
#include "transcodesettings.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QFileInfo>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

namespace vtfarm::ui {

namespace {

QString trScan(const char* text)
{
    return QCoreApplication::translate("vtfarm::ui::InputScanner", text);
}

} // namespace

InputScanner::InputScanner(QObject* parent)
    : QObject(parent)
{
}

InputScanner::~InputScanner()
{
    for (auto* watcher : std::as_const(m_watchers)) {
        watcher->cancel();
        watcher->waitForFinished();
    }
}

bool InputScanner::hasVideoExtension(const QString& path)
{
    return media::isVideoFileName(path);
}

int InputScanner::scan(const QStringList& paths)
{
    const int number = m_nextScan++;
    auto* watcher = new QFutureWatcher<ScanResult>(this);
    m_watchers.append(watcher);
    connect(watcher, &QFutureWatcher<ScanResult>::progressValueChanged, this, [this, watcher](int value) {
        Q_EMIT progress(value, watcher->progressMaximum());
    });
    connect(watcher, &QFutureWatcher<ScanResult>::finished, this, [this, watcher, number] {
        m_watchers.removeOne(watcher);
        watcher->deleteLater();
        ScanResult result;
        if (watcher->isCanceled() || watcher->future().resultCount() == 0)
            result.canceled = true;
        else
            result = watcher->result();
        Q_EMIT finished(number, result);
    });
    watcher->setFuture(QtConcurrent::run([paths](QPromise<ScanResult>& promise) {
        promise.addResult(scanBlocking(
            paths,
            [&promise](int done, int total) {
                promise.setProgressRange(0, total);
                promise.setProgressValue(done);
            },
            [&promise] { return promise.isCanceled(); }));
    }));
    return number;
}

ScanResult InputScanner::scanBlocking(const QStringList& paths, const std::function<void(int, int)>& progress,
    const std::function<bool()>& canceled)
{
    ScanResult result;
    QStringList candidates;
    QSet<QString> seen;
    auto consider = [&](const QString& path) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        if (seen.contains(absolute))
            return;
        seen.insert(absolute);
        if (hasVideoExtension(absolute))
            candidates.append(absolute);
        else
            result.skipped.append({ absolute, trScan("not a video file") });
    };
    for (const QString& path : paths) {
        const QFileInfo info(path);
        if (!info.exists()) {
            result.skipped.append({ path, trScan("does not exist") });
        } else if (info.isDir()) {
            // Sorted, so a folder's episodes are queued in the order a file manager shows them.
            QStringList inFolder;
            QDirIterator it(info.absoluteFilePath(), QDir::Files | QDir::Readable, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                inFolder.append(it.next());
                if (canceled && canceled()) {
                    result.canceled = true;
                    return result;
                }
            }
            inFolder.sort();
            for (const QString& file : std::as_const(inFolder))
                consider(file);
        } else {
            consider(path);
        }
    }
    const int total = int(candidates.size());
    if (progress)
        progress(0, total);
    for (int i = 0; i < total; ++i) {
        if (canceled && canceled()) {
            result.canceled = true;
            return result;
        }
        const QString& file = candidates.at(i);
        const auto info = media::probe(file);
        if (!info)
            result.skipped.append({ file, info.error().message });
        else if (!info->primaryVideo())
            result.skipped.append({ file, trScan("has no video") });
        else
            result.videos.append(file);
        if (progress)
            progress(i + 1, total);
    }
    return result;
}

} // namespace vtfarm::ui
