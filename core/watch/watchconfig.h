#pragma once

#include "result.h"
#include "watchfolder.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace vtfarm::media {
class PresetLibrary;
}

namespace vtfarm::watch {

/// The keys a watch folder is described with, as a `[watch.NAME]` section of serve.ini holds them:
/// folder, output, preset, pattern, recursive, settle, rescan, container, priority, and the
/// settings of a job (codec, bitrate, crf, resolution, fps, audio_codec, audio_bitrate, threads,
/// overwrite, quality_check, min_ssim, skip_if_larger).
QStringList watchFolderKeys();

/// Reads a watch folder from those keys, all text. `preset` names a vtfarm preset whose settings
/// the other keys override, as in a job request; relative paths are relative to \a baseDir.
/// Errors name the key.
Result<WatchFolderConfig> watchFolderFromFields(const QString& name, const QMap<QString, QString>& fields,
    const media::PresetLibrary& presets, const QString& baseDir = {});

} // namespace vtfarm::watch
