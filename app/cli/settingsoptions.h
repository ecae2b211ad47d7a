#pragma once

#include "result.h"
#include "transcodesettings.h"

class QCommandLineParser;

namespace vtfarm::cli {

/// Adds --codec, --bitrate, --crf, --resolution, --fps, --preset, --audio-codec, --audio-bitrate,
/// --threads and --overwrite.
void addSettingsOptions(QCommandLineParser& parser);

/// Reads those options over the defaults, through the same parser the API and the worker use.
Result<media::TranscodeSettings> settingsFromOptions(const QCommandLineParser& parser);

/// "--audio-bitrate" for the field "audio_bitrate".
QString optionForField(const QString& field);

/// Prints each error as "vtfarm-cli: --field: message" on stderr.
void printErrors(const QList<Error>& errors);

} // namespace vtfarm::cli
