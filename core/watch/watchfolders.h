#pragma once

#include "result.h"
#include "watchfolder.h"

#include <QList>
#include <QObject>
#include <memory>
#include <vector>

namespace vtfarm::jobs {
class JobManager;
}

namespace vtfarm::watch {

/// \brief Every watch folder of a program (the command line's one, the service's sections, the
/// window's list), each by its name, on one JobManager. Main thread only.
class WatchFolders : public QObject
{
    Q_OBJECT
public:
    explicit WatchFolders(jobs::JobManager& manager, QObject* parent = nullptr);
    ~WatchFolders() override;

    /// Starts watching \a config, replacing a folder of the same name.
    Result<WatchFolder*> add(const WatchFolderConfig& config);
    void remove(const QString& name);
    void clear();
    /// Makes the set what \a configs say: new folders start, missing ones stop, changed ones
    /// restart, and a change of `paused` alone pauses or resumes. The problems of those that could
    /// not start, each naming the folder.
    QList<Error> apply(const QList<WatchFolderConfig>& configs);

    WatchFolder* find(const QString& name) const;
    QList<WatchFolder*> folders() const;

Q_SIGNALS:
    void fileTaken(const QString& name, const QString& path, const QUuid& job);
    void changed(const QString& name);
    void notice(const QString& name, const QString& text, bool problem);

private:
    jobs::JobManager& m_manager;
    std::vector<std::unique_ptr<WatchFolder>> m_folders;
};

} // namespace vtfarm::watch
