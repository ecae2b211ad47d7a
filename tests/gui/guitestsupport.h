#pragma once

// Shared by the GUI tests: small media made at test time, and a JobManager set up for tests.

#include "jobmanager.h"
#include "presets.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QProcess>
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
    QDir().mkpath(QFileInfo(path).absolutePath());
    QProcess ffmpeg;
    const QString duration = QString::number(seconds);
    ffmpeg.start(QStringLiteral("ffmpeg"),
        { "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            QStringLiteral("testsrc2=size=%1x%2:rate=25:duration=%3").arg(size.width()).arg(size.height()).arg(duration), "-f",
            "lavfi", "-i", QStringLiteral("sine=frequency=440:duration=%1:sample_rate=48000").arg(duration), "-c:v", "libx264",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path });
    if (!ffmpeg.waitForFinished(60000) || ffmpeg.exitStatus() != QProcess::NormalExit || ffmpeg.exitCode() != 0)
        return {};
    return path;
}

inline void writeText(const QString& path, const QByteArray& text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(text);
}

/// Transcodes on the manager's pool threads (no worker processes), one at a time.
inline jobs::JobManager::Options managerOptions(const QString& dataDir, bool autoStart = true, int workers = 1)
{
    jobs::JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = workers;
    o.autoStart = autoStart;
    o.worker.mode = jobs::WorkerProcess::Mode::InProcess;
    return o;
}

/// Small and quick: what the tests queue when the preset is not what they check.
inline media::Preset tinyPreset()
{
    media::Preset p;
    p.name = QStringLiteral("Test tiny");
    p.description = QStringLiteral("Small and fast, for tests.");
    p.container = QStringLiteral("mp4");
    p.settings.videoCodec = QStringLiteral("libx264");
    p.settings.resolution = media::Resolution::exact(160, 120);
    p.settings.encoderPreset = QStringLiteral("ultrafast");
    p.settings.videoBitrate = 200'000;
    p.settings.audioCodec = QStringLiteral("aac");
    return p;
}

/// A spec for \a input with the tiny preset's settings, written into \a outputDir.
inline jobs::JobSpec tinySpec(const QString& input, const QString& outputDir, const QString& pattern = QStringLiteral("{name}"))
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
