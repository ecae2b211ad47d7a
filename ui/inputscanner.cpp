#include "inputscanner.h"

#include "mediafiles.h"
#include "mediainfo.h"

#include <QCoreApplication>
#include <QtConcurrent/QtConcurrentRun>

namespace vtfarm::ui {

InputScanner::InputScanner(QObject* parent)
    : QObject(parent)
{ }

InputScanner::~InputScanner()
{
    for (auto* watcher : std::as_const(m_watchers)) {
        watcher->cancel();
        watcher->waitForFinished();
    }
}

int InputScanner::scan(const QStringList& paths)
{
    const int number = m_nextScan++;
    auto* watcher = new QFutureWatcher<ScanResult>(this);
    m_watchers.append(watcher);
    connect(watcher, &QFutureWatcher<ScanResult>::progressValueChanged, this,
        [this, watcher](int value) { Q_EMIT progress(value, watcher->progressMaximum()); });
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
    media::InputSearchOptions options;
    options.canceled = canceled;
    const media::InputSearch found = media::findInputs(paths, options);
    if (found.canceled) {
        result.canceled = true;
        return result;
    }
    for (const media::InputSearch::Skipped& s : found.skipped)
        result.skipped.append({ s.path, s.text() });
    const QStringList& candidates = found.files;
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
            result.skipped.append(
                { file, QCoreApplication::translate("vtfarm::ui::InputScanner", "has no video") });
        else
            result.videos.append(file);
        if (progress)
            progress(i + 1, total);
    }
    return result;
}

} // namespace vtfarm::ui
