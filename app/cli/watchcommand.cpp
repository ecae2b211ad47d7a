#include "commands.h"
#include "farmoptions.h"
#include "jobmanager.h"
#include "settingsoptions.h"
#include "watchfolder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace vtfarm::cli {

namespace {

void say(FILE* to, const QString& line)
{
    std::fprintf(to, "%s\n", qPrintable(line));
    std::fflush(to);
}

/// "5", "0.5" seconds -> milliseconds within [min, max] seconds; nullopt otherwise.
std::optional<int> secondsOption(const QCommandLineParser& p, const char* name, double min, double max)
{
    bool ok = false;
    const double seconds = p.value(QLatin1String(name)).trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < min || seconds > max)
        return std::nullopt;
    return int(std::lround(seconds * 1000));
}

} // namespace

int watchCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli::watch",
        "Watch a folder and transcode each video file that appears in it, once the file is complete. "
        "Runs until stopped (Ctrl+C, SIGTERM); a file is taken once, also across restarts."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("folder"),
        QCoreApplication::translate("vtfarm::cli::watch", "The folder to watch."), QStringLiteral("DIR"));
    p.addOption({ { "o", "output-dir" },
        QCoreApplication::translate("vtfarm::cli::watch", "Write the outputs here (required)."), "dir" });
    p.addOption({ "container",
        QCoreApplication::translate("vtfarm::cli::watch",
            "Output container: mp4, mkv, webm, mov, m4a (default: the preset's, else mp4)."),
        "ext" });
    p.addOption({ "name",
        QCoreApplication::translate(
            "vtfarm::cli::watch", "Output file name pattern; {name} is the input's name (default {name})."),
        "pattern" });
    p.addOption({ "recursive",
        QCoreApplication::translate("vtfarm::cli::watch",
            "Watch the subfolders too; their outputs go to the same subfolders of the output folder.") });
    p.addOption({ "settle",
        QCoreApplication::translate("vtfarm::cli::watch",
            "Seconds a file's size and modification time must stand still before it is taken (default 5)."),
        "seconds" });
    p.addOption({ "rescan",
        QCoreApplication::translate("vtfarm::cli::watch",
            "Look at the folder this often, in seconds, besides when the system says it changed (default 10; "
            "inotify misses changes made on network mounts)."),
        "seconds" });
    addSettingsOptions(p);
    addSplitOptions(p);
    addFarmOptions(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("watch"), args, &status))
        return status;
    if (p.positionalArguments().size() != 1 || !p.isSet("output-dir")) {
        printLine(stderr,
            QCoreApplication::translate("vtfarm::cli::watch",
                "usage: vtfarm-cli watch DIR -o OUTDIR [--preset NAME | options] [--recursive] [--settle S] "
                "[-j N]   (see --help)"));
        return ExitUsage;
    }

    auto settings = settingsFromOptions(p);
    if (!settings) {
        printErrors({ settings.error() });
        return ExitUsage;
    }
    watch::WatchFolderConfig config;
    config.folder = QDir::cleanPath(QFileInfo(p.positionalArguments().first()).absoluteFilePath());
    config.name = config.folder;
    config.outputDir = QDir::cleanPath(QFileInfo(p.value("output-dir")).absoluteFilePath());
    config.settings = settings->settings;
    config.presetName = settings->presetName;
    config.container = settings->container.isEmpty() ? QStringLiteral("mp4") : settings->container;
    if (p.isSet("container"))
        config.container = p.value("container").toLower();
    if (p.isSet("name"))
        config.namePattern = p.value("name");
    config.recursive = p.isSet("recursive");
    jobs::JobSpec split;
    if (auto r = applySplitOptions(p, split); !r) {
        printErrors({ r.error() });
        return ExitUsage;
    }
    config.split = split.split;
    config.splitMinSeconds = split.splitMinSeconds;
    if (p.isSet("settle")) {
        const auto ms = secondsOption(p, "settle", 0, 3600);
        if (!ms) {
            printErrors({ Error::invalid("settle",
                QCoreApplication::translate(
                    "vtfarm::cli::watch", "'%1' is not a number of seconds from 0 to 3600")
                    .arg(p.value("settle"))) });
            return ExitUsage;
        }
        config.settleMs = *ms;
    }
    if (p.isSet("rescan")) {
        const auto ms = secondsOption(p, "rescan", 0.1, 3600);
        if (!ms) {
            printErrors({ Error::invalid("rescan",
                QCoreApplication::translate(
                    "vtfarm::cli::watch", "'%1' is not a number of seconds from 0.1 to 3600")
                    .arg(p.value("rescan"))) });
            return ExitUsage;
        }
        config.rescanMs = *ms;
    }
    if (const QList<Error> errors = media::validate(config.settings, config.container); !errors.isEmpty()) {
        printErrors(errors);
        return ExitUsage;
    }
    if (QList<Error> errors = config.validate(); !errors.isEmpty()) {
        for (Error& e : errors) {
            if (e.field == u"folder")
                e.field.clear();
            else if (e.field == u"output")
                e.field = QStringLiteral("output-dir");
            else if (e.field == u"pattern")
                e.field = QStringLiteral("name");
        }
        printErrors(errors);
        return ExitUsage;
    }
    auto options = managerOptionsFrom(p);
    if (!options) {
        printErrors({ options.error() });
        return ExitUsage;
    }

    jobs::JobManager manager(*options);
    if (auto r = openManager(manager); !r) {
        printErrors({ r.error() });
        return ExitFailed;
    }
    // Jobs taken by an earlier run that did not get to the end run now, and are followed too.
    QSet<QUuid> followed;
    for (const QUuid& id : manager.order()) {
        const jobs::Job* job = manager.find(id);
        if (job->spec.source == jobs::JobSource::Watch && !jobs::isFinal(job->state))
            followed.insert(id);
    }
    QObject::connect(&manager, &jobs::JobManager::jobStateChanged, &manager,
        [&](const QUuid& id, jobs::JobState, jobs::JobState to) {
            if (!followed.contains(id) || !jobs::isFinal(to))
                return;
            const jobs::Job* job = manager.find(id);
            say(stdout, QStringLiteral("%1: %2").arg(job->name(), describeEnd(*job)));
            followed.remove(id);
        });

    watch::WatchFolder folder(config, manager);
    QObject::connect(
        &folder, &watch::WatchFolder::fileTaken, &folder, [&](const QString& path, const QUuid& id) {
            followed.insert(id);
            const jobs::Job* job = manager.find(id);
            say(stdout,
                QCoreApplication::translate("vtfarm::cli::watch", "took %1 -> %2 (job %3)")
                    .arg(path, job ? job->outputPath : QString(), id.toString(QUuid::WithoutBraces)));
        });
    QObject::connect(&folder, &watch::WatchFolder::notice, &folder, [](const QString& text, bool problem) {
        say(stderr,
            (problem ? QCoreApplication::translate("vtfarm::cli::watch", "vtfarm-cli: warning: %1")
                     : QCoreApplication::translate("vtfarm::cli::watch", "vtfarm-cli: %1"))
                .arg(text));
    });
    if (auto r = folder.start(); !r) {
        printErrors({ r.error() });
        manager.shutdown();
        return ExitFailed;
    }
    say(stdout,
        QCoreApplication::translate("vtfarm::cli::watch",
            "watching %1 -> %2 (%3 transcodes at a time, a file is taken %4 s after it stops changing)")
            .arg(config.folder, config.outputDir)
            .arg(manager.maxConcurrent())
            .arg(config.settleMs / 1000.0));
    if (!followed.isEmpty())
        say(stdout,
            QCoreApplication::translate("vtfarm::cli::watch", "resuming %1 job(s) an earlier run took")
                .arg(followed.size()));

    const int signal = runUntilSignal();
    say(stderr,
        QCoreApplication::translate("vtfarm::cli::watch",
            "vtfarm-cli: %1: stopping; running jobs go back to the queue and run at the next start")
            .arg(QString::fromLocal8Bit(signal ? strsignal(signal) : "stopped")));
    folder.stop();
    manager.shutdown();
    return ExitOk;
}

} // namespace vtfarm::cli
