#pragma once

#include "result.h"
#include "transcodesettings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QUuid>

class QFileSystemWatcher;
class QTimer;

namespace vtfarm::jobs {
class JobManager;
}

namespace vtfarm::watch {

/// \brief A watch folder: where to look, and the job each new video file found there becomes.
struct WatchFolderConfig
{
    QString name; ///< names it in logs, the window and the store's record; empty: the folder's path
    QString folder; ///< absolute
    QString outputDir; ///< absolute; a recursive watch mirrors the subfolders there
    QString namePattern = QStringLiteral("{name}");
    QString container = QStringLiteral("mp4");
    media::TranscodeSettings settings;
    QString presetName; ///< for display; the settings are what runs
    bool recursive = false;
    int settleMs = 5000; ///< how long a file's size and time must stand still before it is taken
    int rescanMs = 10000; ///< the folder is looked at this often besides what inotify reports
    int priority = 0;
    QString split = QStringLiteral("auto"); ///< as jobs::JobSpec::split
    double splitMinSeconds = 120; ///< as jobs::JobSpec::splitMinSeconds
    bool paused = false; ///< starts paused

    QString displayName() const { return name.isEmpty() ? folder : name; }
    /// Every problem, each naming its field (folder, output, settle, rescan, or a setting's).
    QList<Error> validate() const;
    bool operator==(const WatchFolderConfig&) const = default;
};

/// Whether \a fileName is what programs name a file they have not finished: hidden, `.part`,
/// `~`, `.tmp`, `.crdownload`, `.partial`, `.!qB`, `.download` and the like. Such files are left
/// alone until they are renamed to their final name.
bool isIncompleteFileName(const QString& fileName);

/// \brief Watches one folder and makes a job of each video file that appears in it, once the file
/// is complete: its size and modification time have stood still for the settle time, it can be
/// opened for reading, and its name is not that of an unfinished file.
///
/// Each file is taken once: the job store records what was taken (path, size, modification
/// time), so a restart does not take it again, while a file replaced by another is taken anew.
/// inotify (QFileSystemWatcher) says when to look, and a periodic rescan catches what it misses
/// (network mounts); a folder that disappears is reported and looked for until it is back. The
/// command line, the service and the window all watch through this class. Main thread only.
class WatchFolder : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Stopped,
        Watching,
        Paused,
        Missing, ///< the folder does not exist (an unmounted disk): it is looked for again
    };
    Q_ENUM(State)

    WatchFolder(WatchFolderConfig config, jobs::JobManager& manager, QObject* parent = nullptr);
    ~WatchFolder() override;

    const WatchFolderConfig& config() const { return m_config; }
    QString name() const { return m_config.displayName(); }

    /// Starts watching (paused, when the configuration says so). Fails on a configuration with
    /// problems and when the manager is not open; a missing folder is not a failure but a state.
    Result<void> start();
    void stop();
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    State state() const { return m_state; }
    /// The state in a few words for the window, with the last problem.
    QString statusText() const;
    /// The last file that could not be read or queued, and why; empty once a file is taken.
    QString lastProblem() const { return m_lastProblem; }
    /// Jobs this folder has made, before this run too.
    int jobCount() const { return m_jobCount; }
    /// Files found that are still being written (or not readable yet).
    int pendingCount() const { return int(m_candidates.size()); }

    /// Looks at the folder now, as the periodic rescan does.
    void rescan();

Q_SIGNALS:
    void fileTaken(const QString& path, const QUuid& job);
    /// After each look at the folder (while paused, each time it would have looked).
    void scanned();
    /// The state, the count, the pending files or the last problem changed.
    void changed();
    /// Something a person should hear of: the folder gone or back, a file that cannot be read or
    /// queued (\a problem true), or back to normal (false).
    void notice(const QString& text, bool problem);

private:
    struct Candidate
    {
        qint64 size = -1;
        qint64 mtimeMs = 0;
        QElapsedTimer stable; ///< since the size or time last changed
        QElapsedTimer sinceFailure; ///< valid after a failed take: tried again after a rescan's interval
        QString problem; ///< said once per file and problem
    };

    void look();
    void setState(State state);
    void watchDirectories();
    bool excluded(const QString& path) const;
    void checkCandidates();
    void take(const QString& path, Candidate& candidate);
    void fail(const QString& path, Candidate& candidate, const QString& problem);
    QString outputDirFor(const QString& path) const;

    WatchFolderConfig m_config;
    jobs::JobManager& m_manager;
    QFileSystemWatcher* m_watcher = nullptr;
    QTimer* m_rescanTimer = nullptr;
    QTimer* m_settleTimer = nullptr;
    QTimer* m_changeTimer = nullptr;
    State m_state = State::Stopped;
    bool m_paused = false;
    QString m_lastProblem;
    int m_jobCount = 0;
    QMap<QString, Candidate> m_candidates; // by path: taken in name order
    QHash<QString, std::pair<qint64, qint64>> m_taken; // path -> size, modification time
};

} // namespace vtfarm::watch
