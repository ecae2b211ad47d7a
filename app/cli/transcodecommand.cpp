#include "commands.h"
#include "farmoptions.h"
#include "jobmanager.h"
#include "settingsoptions.h"
#include "signalwatcher.h"
#include "terminalprogress.h"
#include "transcoder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QLocale>
#include <cstdio>

namespace vtfarm::cli {

int transcodeCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli", "Transcode one file."));
    p.addHelpOption();
    p.addPositionalArgument("input", QCoreApplication::translate("vtfarm::cli", "The file to transcode."));
    p.addOption({ { "o", "output" },
        QCoreApplication::translate("vtfarm::cli",
            "The file to write; its extension picks the container (mp4, mkv, webm, mov, m4a)."),
        "file" });
    addSettingsOptions(p);
    addSplitOptions(p);
    addFarmOptions(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("transcode"), args, &status))
        return status;
    if (p.positionalArguments().size() != 1 || !p.isSet("output")) {
        printLine(stderr,
            QCoreApplication::translate(
                "vtfarm::cli", "usage: vtfarm-cli transcode INPUT -o OUTPUT [options]   (see --help)"));
        return ExitUsage;
    }
    const QString input = p.positionalArguments().first();
    const QString output = p.value("output");
    auto options = settingsFromOptions(p);
    if (!options) {
        printErrors({ options.error() });
        return ExitUsage;
    }
    const media::TranscodeSettings& settings = options->settings;
    if (const QList<Error> errors = media::validate(settings, media::containerForPath(output));
        !errors.isEmpty()) {
        printErrors(errors);
        return ExitUsage;
    }
    auto managerOptions = managerOptionsFrom(p);
    if (!managerOptions) {
        printErrors({ managerOptions.error() });
        return ExitUsage;
    }
    jobs::JobSpec spec;
    if (auto r = applySplitOptions(p, spec); !r) {
        printErrors({ r.error() });
        return ExitUsage;
    }
    spec.input = QFileInfo(input).absoluteFilePath();
    spec.output = QFileInfo(output).absoluteFilePath();
    spec.container = media::containerForPath(output);
    spec.settings = settings;
    spec.presetName = options->presetName;
    spec.source = jobs::JobSource::Cli;
    const int slots = managerOptions->maxConcurrent > 0 ? managerOptions->maxConcurrent
                                                        : jobs::JobManager::defaultConcurrency();
    // In segments on the local slots, through a queue (which `vtfarm-cli run` resumes after an
    // interruption); an explicit length that cannot be honoured is refused there, by name.
    const auto asked = jobs::splitSeconds(spec.split);
    if ((asked && *asked > 0) || jobs::splitLength(spec, slots) > 0) {
        if (auto r = media::checkOutputPath(spec.input, spec.output, settings.overwrite); !r) {
            printErrors({ r.error() });
            return ExitFailed;
        }
        return runJobs(*managerOptions, { spec });
    }

    media::Transcoder transcoder(input, output, settings);
    TerminalProgress bar;
    const QString label = QFileInfo(input).fileName();
    transcoder.setProgressCallback(
        [&](const media::TranscodeProgress& progress) { bar.update(label, progress); },
        bar.interactive() ? 100 : 1000);
    SignalWatcher watcher([&](int) { transcoder.cancel(); });
    const auto result = transcoder.run();
    bar.finish();
    if (!result) {
        if (result.error().code == ErrorCode::Canceled) {
            printLine(stderr,
                QCoreApplication::translate(
                    "vtfarm::cli", "vtfarm-cli: interrupted; the partial output was removed"));
            return ExitInterrupted;
        }
        printErrors({ result.error() });
        return result.error().code == ErrorCode::InvalidArgument ? ExitUsage : ExitFailed;
    }
    for (const QString& w : result->warnings)
        printLine(stderr, QCoreApplication::translate("vtfarm::cli", "vtfarm-cli: warning: %1").arg(w));
    if (result->inputKept)
        return ExitOk; // the warning said why there is no output

    const QLocale locale;
    printLine(stdout,
        QCoreApplication::translate("vtfarm::cli", "%1: %2, %3 frames, %4 s of media in %5 s (%6x)")
            .arg(output, TerminalProgress::formatBytes(result->outputBytes), locale.toString(result->frames),
                locale.toString(result->mediaSeconds, 'f', 1),
                locale.toString(result->elapsedSeconds, 'f', 1),
                locale.toString(
                    result->elapsedSeconds > 0 ? result->mediaSeconds / result->elapsedSeconds : 0.0, 'f',
                    2)));
    if (result->quality.measured())
        std::printf("%s\n",
            qPrintable(
                QCoreApplication::translate("vtfarm::cli", "%1: quality %2 (%3 frames compared in %4 s)")
                    .arg(output, describeQuality(result->quality))
                    .arg(result->quality.framesCompared)
                    .arg(result->quality.seconds, 0, 'f', 1)));
    return ExitOk;
}

} // namespace vtfarm::cli
