#pragma once

#include <QFutureWatcher>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

namespace vtfarm::ui {

/// \brief What a scan of dropped or chosen paths found.
struct ScanResult
{
    struct Skipped
    {
        QString path;
        QString reason;
    };
    QStringList videos; ///< absolute paths, in the order they were found, without duplicates
    QList<Skipped> skipped;
    bool canceled = false;
};

/// \brief Turns files and folders into the list of video files among them: searches them as
/// media::findInputs does and probes every candidate, on the global thread pool, never on the
/// caller's thread.
///
/// Each scan() is independent and reports once, through finished(); a scan in flight when the
/// scanner is destroyed is canceled and waited for.
class InputScanner : public QObject
{
    Q_OBJECT
public:
    explicit InputScanner(QObject* parent = nullptr);
    ~InputScanner() override;

    /// Starts a scan and returns its number, which finished() carries.
    int scan(const QStringList& paths);
    bool isBusy() const { return !m_watchers.isEmpty(); }

    /// The work of one scan, synchronous; what scan() runs off the caller's thread.
    static ScanResult scanBlocking(const QStringList& paths,
        const std::function<void(int done, int total)>& progress = {},
        const std::function<bool()>& canceled = {});

Q_SIGNALS:
    void progress(int done, int total);
    void finished(int scan, const vtfarm::ui::ScanResult& result);

private:
    QList<QFutureWatcher<ScanResult>*> m_watchers;
    int m_nextScan = 1;
};

} // namespace vtfarm::ui
