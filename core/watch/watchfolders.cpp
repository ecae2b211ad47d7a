#include "watchfolders.h"

#include <QDir>
#include <algorithm>

namespace vtfarm::watch {

WatchFolders::WatchFolders(jobs::JobManager& manager, QObject* parent)
    : QObject(parent)
    , m_manager(manager)
{ }

WatchFolders::~WatchFolders() = default;

Result<WatchFolder*> WatchFolders::add(const WatchFolderConfig& config)
{
    remove(config.displayName());
    auto folder = std::make_unique<WatchFolder>(config, m_manager);
    if (auto r = folder->start(); !r)
        return r.error();
    WatchFolder* f = folder.get();
    const QString name = f->name();
    connect(f, &WatchFolder::fileTaken, this,
        [this, name](const QString& path, const QUuid& job) { Q_EMIT fileTaken(name, path, job); });
    connect(f, &WatchFolder::changed, this, [this, name] { Q_EMIT changed(name); });
    connect(f, &WatchFolder::notice, this,
        [this, name](const QString& text, bool problem) { Q_EMIT notice(name, text, problem); });
    m_folders.push_back(std::move(folder));
    Q_EMIT changed(name);
    return f;
}

void WatchFolders::remove(const QString& name)
{
    const auto it = std::find_if(
        m_folders.begin(), m_folders.end(), [&name](const auto& f) { return f->name() == name; });
    if (it == m_folders.end())
        return;
    (*it)->stop();
    m_folders.erase(it);
    Q_EMIT changed(name);
}

void WatchFolders::clear()
{
    while (!m_folders.empty())
        remove(m_folders.back()->name());
}

QList<Error> WatchFolders::apply(const QList<WatchFolderConfig>& configs)
{
    QStringList wanted;
    for (const WatchFolderConfig& c : configs)
        wanted << c.displayName();
    for (WatchFolder* f : folders()) {
        if (!wanted.contains(f->name()))
            remove(f->name());
    }
    QList<Error> errors;
    for (const WatchFolderConfig& config : configs) {
        if (WatchFolder* existing = find(config.displayName())) {
            WatchFolderConfig same = config;
            same.folder = QDir::cleanPath(same.folder);
            same.outputDir = QDir::cleanPath(same.outputDir);
            same.paused = existing->isPaused();
            if (same == existing->config()) {
                existing->setPaused(config.paused);
                continue;
            }
        }
        if (auto r = add(config); !r) {
            Error e = r.error();
            e.message = tr("%1: %2").arg(config.displayName(), e.message);
            errors.append(e);
        }
    }
    return errors;
}

WatchFolder* WatchFolders::find(const QString& name) const
{
    for (const auto& f : m_folders) {
        if (f->name() == name)
            return f.get();
    }
    return nullptr;
}

QList<WatchFolder*> WatchFolders::folders() const
{
    QList<WatchFolder*> list;
    for (const auto& f : m_folders)
        list.append(f.get());
    return list;
}

} // namespace vtfarm::watch
