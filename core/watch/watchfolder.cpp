#include "watchfolder.h"

#include "jobmanager.h"
#include "jobstore.h"
#include "mediafiles.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QLoggingCategory>
#include <QSet>
#include <QTimer>

// What a watch folder says goes out through notice(); this category only tells what it took.
Q_LOGGING_CATEGORY(lcWatch, "vtfarm.watch", QtInfoMsg)

namespace vtfarm::watch {

namespace {

// inotify watches are a per-user resource (8192 by default on Debian): a deep tree beyond this
// many folders is left to the periodic rescan.
constexpr int kMaxWatchedFolders = 1000;
// A directory changes several times while a file is created and written; one look follows them.
constexpr int kChangeDelayMs = 200;

bool isInside(const QString& path, const QString& folder)
{
    const QString f = QDir::cleanPath(folder);
    return path == f || path.startsWith(f.endsWith(u'/') ? f : f + u'/');
}

} // namespace

bool isIncompleteFileName(const QString& fileName)
{
    const QString name = fileName.toLower();
    if (name.startsWith(u'.') || name.startsWith(QStringLiteral("~$")) || name.endsWith(u'~'))
        return true;
    // Suffixes browsers, download managers, copy and sync tools give a file until it is complete.
    static const QStringList suffixes = { ".part", ".partial", ".tmp", ".temp", ".crdownload", ".download",
        ".!qb", ".!ut", ".opdownload", ".filepart", ".unconfirmed", ".swp", ".inprogress", ".copying" };
    for (const QString& suffix : suffixes) {
        if (name.endsWith(suffix))
            return true;
    }
    // "clip.part.mp4", "clip.tmp.mkv": some tools keep the extension last.
    static const QStringList infixes = { ".part.", ".partial.", ".tmp.", ".crdownload." };
    for (const QString& infix : infixes) {
        if (name.contains(infix))
            return true;
    }
    return false;
}

QList<Error> WatchFolderConfig::validate() const
{
    QList<Error> errors;
    const auto fail = [&errors](const char* field, const QString& message) {
        errors.append(Error::invalid(QString::fromLatin1(field), message));
    };
    if (folder.isEmpty() || !QDir::isAbsolutePath(folder))
        fail("folder", WatchFolder::tr("The watch folder must be a full path, like /srv/camera."));
    if (outputDir.isEmpty() || !QDir::isAbsolutePath(outputDir))
        fail("output", WatchFolder::tr("The output folder must be a full path, like /srv/transcoded."));
    else if (!folder.isEmpty() && QDir::cleanPath(outputDir) == QDir::cleanPath(folder))
        fail("output",
            WatchFolder::tr("The output folder must not be the watched folder: every output would be taken "
                            "as a new input."));
    if (settleMs < 0 || settleMs > 3'600'000)
        fail("settle", WatchFolder::tr("The settle time is a number of seconds from 0 to 3600."));
    if (rescanMs < 100 || rescanMs > 3'600'000)
        fail("rescan", WatchFolder::tr("The rescan interval is a number of seconds from 0.1 to 3600."));
    if (namePattern.trimmed().isEmpty())
        fail("pattern", WatchFolder::tr("The name pattern is empty; {name} is the input's name."));
    errors += media::validate(settings, container);
    return errors;
}

WatchFolder::WatchFolder(WatchFolderConfig config, jobs::JobManager& manager, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_manager(manager)
    , m_watcher(new QFileSystemWatcher(this))
    , m_rescanTimer(new QTimer(this))
    , m_settleTimer(new QTimer(this))
    , m_changeTimer(new QTimer(this))
{
    m_config.folder = QDir::cleanPath(m_config.folder);
    m_config.outputDir = QDir::cleanPath(m_config.outputDir);
    m_changeTimer->setSingleShot(true);
    m_changeTimer->setInterval(kChangeDelayMs);
    // The settle time is measured to within a quarter of itself, and at least every second.
    m_settleTimer->setInterval(std::clamp(m_config.settleMs / 4, 50, 1000));
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, m_changeTimer, qOverload<>(&QTimer::start));
    connect(m_changeTimer, &QTimer::timeout, this, &WatchFolder::rescan);
    connect(m_rescanTimer, &QTimer::timeout, this, &WatchFolder::rescan);
    connect(m_settleTimer, &QTimer::timeout, this, &WatchFolder::checkCandidates);
}

WatchFolder::~WatchFolder() = default;

Result<void> WatchFolder::start()
{
    if (const QList<Error> errors = m_config.validate(); !errors.isEmpty())
        return errors.first();
    jobs::JobStore* store = m_manager.store();
    if (!store)
        return Error { ErrorCode::Conflict, tr("The job queue is not open."), {} };
    auto seen = store->seenFiles(m_config.folder + u'/');
    if (!seen)
        return seen.error();
    m_taken.clear();
    for (const jobs::JobStore::SeenFile& f : std::as_const(*seen))
        m_taken.insert(f.path, { f.size, f.mtimeMs });
    if (auto count = store->seenCount(name()))
        m_jobCount = *count;
    m_paused = m_config.paused;
    m_rescanTimer->start(m_config.rescanMs);
    setState(m_paused ? State::Paused : State::Watching);
    rescan();
    return {};
}

void WatchFolder::stop()
{
    m_rescanTimer->stop();
    m_settleTimer->stop();
    m_changeTimer->stop();
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    m_candidates.clear();
    setState(State::Stopped);
}

void WatchFolder::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    m_config.paused = paused;
    if (m_state == State::Stopped)
        return;
    if (paused) {
        // What was being watched settles again after the pause: it may have changed meanwhile.
        m_settleTimer->stop();
        m_candidates.clear();
        setState(State::Paused);
    } else {
        setState(State::Watching);
        rescan();
    }
}

void WatchFolder::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT changed();
}

QString WatchFolder::statusText() const
{
    switch (m_state) {
    case State::Stopped:
        return tr("Stopped");
    case State::Paused:
        return tr("Paused");
    case State::Missing:
        return tr("Folder missing; looking for it every %1 s").arg(m_config.rescanMs / 1000.0);
    case State::Watching:
        break;
    }
    if (!m_lastProblem.isEmpty())
        return tr("Watching; %1").arg(m_lastProblem);
    if (!m_candidates.isEmpty())
        return tr("Watching; %n file(s) still being written", nullptr, int(m_candidates.size()));
    return tr("Watching");
}

bool WatchFolder::excluded(const QString& path) const
{
    if (isIncompleteFileName(QFileInfo(path).fileName()))
        return true;
    // The outputs of a recursive watch whose output folder is inside it are not new inputs.
    return isInside(path, m_config.outputDir);
}

QString WatchFolder::outputDirFor(const QString& path) const
{
    const QString relative = QDir(m_config.folder).relativeFilePath(QFileInfo(path).absolutePath());
    return relative == u"." ? m_config.outputDir : QDir::cleanPath(m_config.outputDir + u'/' + relative);
}

void WatchFolder::watchDirectories()
{
    QStringList wanted { m_config.folder };
    if (m_config.recursive) {
        QDirIterator it(m_config.folder, QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext() && wanted.size() < kMaxWatchedFolders) {
            const QString dir = it.next();
            if (!isInside(dir, m_config.outputDir))
                wanted << dir;
        }
    }
    const QStringList watched = m_watcher->directories();
    QStringList add;
    for (const QString& dir : std::as_const(wanted)) {
        if (!watched.contains(dir))
            add << dir;
    }
    if (!add.isEmpty())
        m_watcher->addPaths(add);
}

void WatchFolder::rescan()
{
    if (m_state == State::Stopped)
        return;
    if (m_paused) {
        Q_EMIT scanned();
        return;
    }
    look();
    Q_EMIT scanned();
}

void WatchFolder::look()
{
    const QFileInfo folder(m_config.folder);
    if (!folder.isDir()) {
        if (m_state != State::Missing) {
            const QString text
                = tr("The watch folder %1 is missing (an unmounted disk?); looking for it again every %2 s.")
                      .arg(m_config.folder)
                      .arg(m_config.rescanMs / 1000.0);
            m_candidates.clear();
            m_settleTimer->stop();
            setState(State::Missing);
            Q_EMIT notice(text, true);
        }
        if (!m_watcher->directories().isEmpty())
            m_watcher->removePaths(m_watcher->directories());
        // Its parent says when it is back, sooner than the rescan would.
        const QString parent = QFileInfo(m_config.folder).absolutePath();
        if (QFileInfo(parent).isDir())
            m_watcher->addPath(parent);
        return;
    }
    if (m_state == State::Missing) {
        if (!m_watcher->directories().isEmpty())
            m_watcher->removePaths(m_watcher->directories());
        const QString text = tr("The watch folder %1 is back.").arg(m_config.folder);
        setState(State::Watching);
        Q_EMIT notice(text, false);
    }
    watchDirectories();

    media::InputSearchOptions options;
    options.recursive = m_config.recursive;
    const media::InputSearch found = media::findInputs({ m_config.folder }, options);
    QSet<QString> present;
    bool grew = false;
    for (const QString& path : found.files) {
        if (excluded(path))
            continue;
        present.insert(path);
        if (m_candidates.contains(path))
            continue; // the settle check follows it
        const QFileInfo info(path);
        const qint64 size = info.size();
        const qint64 mtime = info.lastModified().toMSecsSinceEpoch();
        if (const auto it = m_taken.constFind(path); it != m_taken.cend() && *it == std::pair { size, mtime })
            continue;
        Candidate& c = m_candidates[path];
        c.size = size;
        c.mtimeMs = mtime;
        c.stable.start();
        grew = true;
    }
    // Gone, or renamed: a renamed file is found under its new name.
    for (auto it = m_candidates.begin(); it != m_candidates.end();) {
        if (present.contains(it.key()))
            ++it;
        else
            it = m_candidates.erase(it);
    }
    if (!m_candidates.isEmpty() && !m_settleTimer->isActive())
        m_settleTimer->start();
    if (grew)
        Q_EMIT changed();
    checkCandidates();
}

void WatchFolder::checkCandidates()
{
    if (m_state != State::Watching) {
        m_settleTimer->stop();
        return;
    }
    const QStringList paths = m_candidates.keys();
    for (const QString& path : paths) {
        auto it = m_candidates.find(path);
        if (it == m_candidates.end())
            continue;
        Candidate& c = *it;
        const QFileInfo info(path);
        if (!info.isFile()) {
            m_candidates.erase(it);
            continue;
        }
        const qint64 size = info.size();
        const qint64 mtime = info.lastModified().toMSecsSinceEpoch();
        if (size != c.size || mtime != c.mtimeMs) {
            c.size = size;
            c.mtimeMs = mtime;
            c.stable.restart();
            continue;
        }
        if (c.stable.elapsed() < m_config.settleMs || size == 0)
            continue;
        if (c.sinceFailure.isValid() && c.sinceFailure.elapsed() < m_config.rescanMs)
            continue;
        take(path, c);
    }
    if (m_candidates.isEmpty())
        m_settleTimer->stop();
}

void WatchFolder::fail(const QString& path, Candidate& candidate, const QString& problem)
{
    candidate.sinceFailure.start();
    const bool fresh = candidate.problem != problem;
    candidate.problem = problem;
    m_lastProblem = problem;
    if (fresh)
        Q_EMIT notice(problem, true);
    Q_UNUSED(path)
    Q_EMIT changed();
}

void WatchFolder::take(const QString& path, Candidate& candidate)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(path, candidate,
            tr("%1 cannot be opened for reading (%2); it is tried again.").arg(path, file.errorString()));
        return;
    }
    file.close();
    jobs::JobSpec spec;
    spec.input = path;
    spec.outputDir = outputDirFor(path);
    spec.namePattern = m_config.namePattern;
    spec.container = m_config.container;
    spec.settings = m_config.settings;
    spec.presetName = m_config.presetName;
    spec.priority = m_config.priority;
    spec.split = m_config.split;
    spec.splitMinSeconds = m_config.splitMinSeconds;
    spec.source = jobs::JobSource::Watch;
    auto id = m_manager.submit(spec);
    if (!id) {
        fail(path, candidate, tr("%1 could not be queued: %2").arg(path, id.error().message));
        return;
    }
    const qint64 size = candidate.size, mtime = candidate.mtimeMs;
    m_candidates.remove(path);
    m_taken.insert(path, { size, mtime });
    if (jobs::JobStore* store = m_manager.store()) {
        // Not recorded, the file would be taken again after a restart: said, but the job stands.
        if (auto r = store->markSeen({ path, size, mtime, QDateTime::currentDateTimeUtc(), name(), *id }); !r)
            Q_EMIT notice(r.error().message, true);
    }
    ++m_jobCount;
    m_lastProblem.clear();
    qCDebug(lcWatch).noquote() << "took" << path << "as job" << id->toString(QUuid::WithoutBraces);
    Q_EMIT fileTaken(path, *id);
    Q_EMIT changed();
}

} // namespace vtfarm::watch
