#include "commands.h"
#include "settingsoptions.h"
#include "translations.h"

#include <QCoreApplication>

extern "C" {
#include <libavutil/log.h>
}

#include <cstdio>
#include <cstring>

namespace {

void printUsage(FILE* out)
{
    std::fputs(qPrintable(QCoreApplication::translate("vtfarm::cli",
                   "usage: vtfarm-cli COMMAND [options]\n"
                   "\n"
                   "Commands:\n"
                   "  transcode INPUT -o OUTPUT   transcode one file, with a progress bar\n"
                   "  probe INPUT [--json]        describe a media file\n"
                   "  batch PATHS... [-o DIR]     queue files and folders, run them, report each\n"
                   "  run                         process the queued jobs (resumes after a crash)\n"
                   "  jobs [--state S] [--json]   list the jobs in the queue\n"
                   "  presets [--json]            list the presets\n"
                   "  serve [--port 8000]         serve the REST API and metrics, run the jobs\n"
                   "  watch DIR -o OUTDIR         transcode each video file that appears in a folder\n"
                   "  node --redis URL --server URL --token-file F\n"
                   "                              take and run jobs of a farm's coordinator\n"
                   "\n"
                   "  vtfarm-cli COMMAND --help   options of a command\n"
                   "  vtfarm-cli --version\n")),
        out);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("vtfarm");
    QCoreApplication::setApplicationVersion(VTFARM_VERSION);
    // The messages and help in the user's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG).
    vtfarm::installTranslations(app);
    av_log_set_level(std::getenv("VTFARM_AV_LOG") ? AV_LOG_INFO : AV_LOG_QUIET);

    QStringList args = app.arguments().mid(1);
    if (args.isEmpty()) {
        printUsage(stderr);
        return vtfarm::cli::ExitUsage;
    }
    const QString command = args.takeFirst();
    if (command == u"--version" || command == u"-v") {
        std::printf("vtfarm-cli %s\n", VTFARM_VERSION);
        return vtfarm::cli::ExitOk;
    }
    if (command == u"--help" || command == u"-h" || command == u"help") {
        printUsage(stdout);
        return vtfarm::cli::ExitOk;
    }
    if (command == u"transcode")
        return vtfarm::cli::transcodeCommand(args);
    if (command == u"probe")
        return vtfarm::cli::probeCommand(args);
    if (command == u"batch")
        return vtfarm::cli::batchCommand(args);
    if (command == u"run")
        return vtfarm::cli::runCommand(args);
    if (command == u"jobs")
        return vtfarm::cli::jobsCommand(args);
    if (command == u"presets")
        return vtfarm::cli::presetsCommand(args);
    if (command == u"serve")
        return vtfarm::cli::serveCommand(args);
    if (command == u"node")
        return vtfarm::cli::nodeCommand(args);
    if (command == u"watch")
        return vtfarm::cli::watchCommand(args);
    if (command == u"worker")
        return vtfarm::cli::workerCommand(args);
    vtfarm::cli::printLine(
        stderr, QCoreApplication::translate("vtfarm::cli", "vtfarm-cli: unknown command '%1'").arg(command));
    printUsage(stderr);
    return vtfarm::cli::ExitUsage;
}
