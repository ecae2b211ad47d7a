#pragma once

#include "fixtures.h"

// Shared by the GUI tests: small media made at test time, and a JobManager set up for tests.

#include "jobmanager.h"
#include "presets.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSize>
#include <QString>
#include <QStringList>

namespace vtfarm::testing {

/// A job's state as the API names it ("finished"), for QCOMPARE; "(gone)" when there is no such job.
inline QString stateOf(const jobs::JobManager& manager, const QUuid& id)
{
    const jobs::Job* job = manager.find(id);
    return job ? jobs::jobStateName(job->state) : QStringLiteral("(gone)");
}

/// Writes a clip with a test pattern and a tone with the ffmpeg CLI; returns its path, or an empty
/// string when ffmpeg failed (the caller QVERIFYs it).
inline QString makeClip(const QString& path, QSize size = { 160, 120 }, double seconds = 2.0)
{
    return test::writeClip(path, size, seconds);
}

inline void writeText(const QString& path, const QByteArray& text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(text);
}

/// Transcodes on the manager's pool threads (no worker processes), one at a time.
/// With \a backend, jobs run there instead.
inline jobs::JobManager::Options managerOptions(const QString& dataDir, bool autoStart = true,
    int workers = 1, std::shared_ptr<jobs::WorkerBackend> backend = {})
{
    jobs::JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = workers;
    o.autoStart = autoStart;
    o.worker.mode = jobs::WorkerProcess::Mode::InProcess;
    o.backend = std::move(backend);
    return o;
}

/// Small and quick: what the tests queue when the preset is not what they check.
inline media::Preset tinyPreset()
{
    media::Preset p;
    p.name = QStringLiteral("Test tiny");
    p.description = QStringLiteral("Small and fast, for tests.");
    p.container = QStringLiteral("mp4");
    p.settings = test::fastSettings();
    return p;
}

/// HOME, XDG folders and an offscreen platform under \a home, for running the real `vtfarm`
/// program without touching the user's own settings, queue or running instance.
inline QProcessEnvironment isolatedEnvironment(const QString& home)
{
    const QDir h(home);
    for (const char* d : { "data", "config/vtfarm", "runtime" })
        h.mkpath(QString::fromLatin1(d));
    QFile::setPermissions(
        h.filePath(QStringLiteral("runtime")), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_DATA_HOME"), h.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), h.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), h.filePath(QStringLiteral("runtime")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    return env;
}

/// A spec for \a input with the tiny preset's settings, written into \a outputDir.
inline jobs::JobSpec tinySpec(
    const QString& input, const QString& outputDir, const QString& pattern = QStringLiteral("{name}"))
{
    const media::Preset p = tinyPreset();
    jobs::JobSpec s;
    s.input = input;
    s.outputDir = outputDir;
    s.namePattern = pattern;
    s.container = p.container;
    s.settings = p.settings;
    s.presetName = p.name;
    return s;
}

} // namespace vtfarm::testing
