#pragma once

#include "job.h"
#include "result.h"
#include "transcodesettings.h"
#include "workerprocess.h"

class QCommandLineParser;

namespace vtfarm::cli {

/// Parses \a args for `vtfarm-cli COMMAND`; false when the command should return at once with
/// *\a status (its --help was printed, or the command line is wrong and that was said).
bool parseCommand(QCommandLineParser& parser, const QString& command, const QStringList& args, int* status);

/// Adds --codec, --bitrate, --crf, --resolution, --fps, --preset, --audio-codec, --audio-bitrate,
/// --threads, --start, --end, --overwrite, --quality-check, --min-ssim and --skip-if-larger.
void addSettingsOptions(QCommandLineParser& parser);

/// \brief What the settings options of a command line ask for.
struct CommandSettings
{
    media::TranscodeSettings settings;
    QString container; ///< the vtfarm preset's, or empty
    QString presetName; ///< the vtfarm preset's, or empty
};

/// Reads those options over the defaults, through the same parser the API and the worker use.
/// --preset names a vtfarm preset (whose settings the other options then override) or, when no
/// preset has that name, the encoder's own preset (x264 "medium", a VP9/AV1 speed).
Result<CommandSettings> settingsFromOptions(const QCommandLineParser& parser);

/// Adds --split and --split-min (batch, watch).
void addSplitOptions(QCommandLineParser& parser);
/// Sets JobSpec::split and splitMinSeconds from those options.
Result<void> applySplitOptions(const QCommandLineParser& parser, jobs::JobSpec& spec);

/// Adds --stall-timeout, --worker-nice and --worker-io (serve, run, batch).
void addWorkerOptions(QCommandLineParser& parser);
/// Sets what those options give in \a worker.
Result<void> applyWorkerOptions(const QCommandLineParser& parser, jobs::WorkerProcess::Options& worker);
/// One worker setting by its INI key (stall_timeout, worker_nice, worker_io) or option name.
Result<void> applyWorkerSetting(
    const QString& key, const QString& value, jobs::WorkerProcess::Options& worker);

/// "--audio-bitrate" for the field "audio_bitrate".
QString optionForField(const QString& field);

/// The first line of a token file; warns when other users can read it.
Result<QString> readTokenFile(const QString& path);

/// Runs the event loop until SIGTERM or SIGINT; returns that signal (0: the loop ended otherwise).
int runUntilSignal();

/// Prints each error as "vtfarm-cli: --field: message" on stderr.
void printErrors(const QList<Error>& errors);
/// Writes \a text and a newline to \a out, in the terminal's encoding.
void printLine(FILE* out, const QString& text);

} // namespace vtfarm::cli
