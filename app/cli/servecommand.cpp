#include "apiserver.h"
#include "commands.h"
#include "jobmanager.h"
#include "metrics.h"
#include "settingsoptions.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <cstdio>
#include <sys/stat.h>

namespace vtfarm::cli {

namespace {

/// The server's settings: the config file's, then the command line's over them.
struct ServeSettings
{
    api::ApiServer::Options api;
    int workers = 0;
    int stallTimeoutSeconds = -1; ///< -1: the default
    bool inProcess = false;
};

Result<QString> readTokenFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::invalid("token-file", QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        std::fprintf(
            stderr, "vtfarm-cli: warning: %s can be read by other users; chmod 600 it\n", qPrintable(path));
    const QString token = QString::fromUtf8(f.read(4096)).trimmed();
    if (token.isEmpty())
        return Error::invalid("token-file", QStringLiteral("%1 is empty").arg(path));
    return token;
}

Result<int> parseCount(const QString& text, const char* field, int min, int max)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < min || n > max)
        return Error::invalid(QString::fromLatin1(field),
            QStringLiteral("'%1' is not a number from %2 to %3").arg(text).arg(min).arg(max));
    return n;
}

Result<ServeSettings> settingsFrom(const QCommandLineParser& p)
{
    ServeSettings s;
    s.api.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QString tokenFile;

    if (p.isSet("config")) {
        const QString path = p.value("config");
        if (!QFileInfo(path).isFile())
            return Error::invalid("config", QStringLiteral("no config file %1").arg(path));
        QSettings ini(path, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError)
            return Error::invalid("config", QStringLiteral("%1 is not an INI file").arg(path));
        const QDir base = QFileInfo(path).absoluteDir();
        // Relative paths in the file are relative to the file, wherever the server starts from.
        const auto pathValue = [&](const char* key) {
            return QDir::cleanPath(base.absoluteFilePath(ini.value(key).toString()));
        };
        if (ini.contains("bind"))
            s.api.bindAddress = ini.value("bind").toString();
        if (ini.contains("port")) {
            auto port = parseCount(ini.value("port").toString(), "port", 0, 65535);
            if (!port)
                return port.error();
            s.api.port = *port;
        }
        if (ini.contains("token_file"))
            tokenFile = pathValue("token_file");
        if (ini.contains("workers")) {
            auto n = parseCount(ini.value("workers").toString(), "jobs", 1, 64);
            if (!n)
                return n.error();
            s.workers = *n;
        }
        if (ini.contains("stall_timeout")) {
            auto n = parseCount(ini.value("stall_timeout").toString(), "stall-timeout", 0, 86'400);
            if (!n)
                return n.error();
            s.stallTimeoutSeconds = *n;
        }
        if (ini.contains("data_dir"))
            s.api.dataDir = pathValue("data_dir");
        if (ini.contains("input_dir"))
            s.api.inputDir = pathValue("input_dir");
    }

    if (p.isSet("bind"))
        s.api.bindAddress = p.value("bind");
    if (p.isSet("port")) {
        auto port = parseCount(p.value("port"), "port", 0, 65535);
        if (!port)
            return port.error();
        s.api.port = *port;
    }
    if (p.isSet("jobs")) {
        auto n = parseCount(p.value("jobs"), "jobs", 1, 64);
        if (!n)
            return n.error();
        s.workers = *n;
    }
    if (p.isSet("data-dir"))
        s.api.dataDir = QFileInfo(p.value("data-dir")).absoluteFilePath();
    if (p.isSet("input-dir"))
        s.api.inputDir = QFileInfo(p.value("input-dir")).absoluteFilePath();
    if (p.isSet("max-upload-mb")) {
        auto mb = parseCount(p.value("max-upload-mb"), "max-upload-mb", 1, 1 << 30);
        if (!mb)
            return mb.error();
        s.api.maxUploadBytes = qint64(*mb) << 20;
    }
    if (p.isSet("token") && p.isSet("token-file"))
        return Error::invalid("token", QStringLiteral("give --token or --token-file, not both"));
    if (p.isSet("token"))
        s.api.token = p.value("token");
    else if (p.isSet("token-file"))
        tokenFile = p.value("token-file");
    if (s.api.token.isEmpty() && !tokenFile.isEmpty()) {
        auto token = readTokenFile(tokenFile);
        if (!token)
            return token.error();
        s.api.token = *token;
    }
    if (!s.api.inputDir.isEmpty() && !QFileInfo(s.api.inputDir).isDir())
        return Error::invalid("input-dir", QStringLiteral("%1 is not a folder").arg(s.api.inputDir));
    s.api.presetsDir = QDir(s.api.dataDir).filePath(QStringLiteral("presets"));
    auto stall = stallTimeoutFrom(p);
    if (!stall)
        return stall.error();
    if (*stall >= 0)
        s.stallTimeoutSeconds = *stall;
    s.inProcess = p.isSet("in-process");
    return s;
}

} // namespace

int serveCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        "Serve the REST API and Prometheus metrics, and run the jobs submitted through it.\n"
        "Listens on 127.0.0.1 unless told otherwise; any other address needs a token.");
    p.addHelpOption();
    p.addOption({ "bind", "Address to listen on (default 127.0.0.1).", "addr" });
    p.addOption({ "port", "Port to listen on (default 8000; 0 picks a free one).", "port" });
    p.addOption({ "token",
        "Token clients send as 'Authorization: Bearer TOKEN' (other users can see it in ps; prefer "
        "--token-file).",
        "token" });
    p.addOption({ "token-file", "Read the token from this file.", "file" });
    p.addOption(
        { "data-dir", "Job queue, uploads and outputs (default: the user's vtfarm data folder).", "dir" });
    p.addOption({ "input-dir", "Let jobs name files in this folder instead of uploading them.", "dir" });
    p.addOption({ { "j", "jobs" }, "How many transcodes run at once (default: what fills the cores).", "n" });
    p.addOption({ "config",
        "INI file with keys bind, port, token_file, workers, data_dir, input_dir, stall_timeout; options "
        "given "
        "here win.",
        "file" });
    p.addOption({ "max-upload-mb", "Largest upload accepted, in MiB (default 8192).", "n" });
    p.addOption(
        { "in-process", "Run transcodes inside this process instead of worker processes (for debugging)." });
    addStallTimeoutOption(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("serve"), args, &status))
        return status;
    if (!p.positionalArguments().isEmpty()) {
        std::fputs("usage: vtfarm-cli serve [--bind ADDR] [--port N] [--token-file F] [--data-dir D] [-j N] "
                   "(see --help)\n",
            stderr);
        return ExitUsage;
    }
    auto settings = settingsFrom(p);
    if (!settings) {
        printErrors({ settings.error() });
        return ExitUsage;
    }

    jobs::JobManager::Options managerOptions;
    managerOptions.dataDir = settings->api.dataDir;
    managerOptions.maxConcurrent = settings->workers;
    managerOptions.worker.program = QCoreApplication::applicationFilePath();
    managerOptions.worker.mode = settings->inProcess ? jobs::WorkerProcess::Mode::InProcess
                                                     : jobs::WorkerProcess::Mode::ChildProcess;
    if (settings->stallTimeoutSeconds >= 0)
        managerOptions.worker.stallTimeoutSeconds = settings->stallTimeoutSeconds;
    jobs::JobManager manager(managerOptions);
    if (auto r = openManager(manager); !r) {
        printErrors({ r.error() });
        return ExitFailed;
    }
    metrics::Metrics metrics;
    metrics.attach(&manager);
    api::ApiServer server(settings->api, &manager, &metrics);
    if (auto r = server.start(); !r) {
        printErrors({ r.error() });
        return r.error().code == ErrorCode::InvalidArgument ? ExitUsage : ExitFailed;
    }
    std::printf("vtfarm %s serving on http://%s:%d/ (data in %s, %d transcodes at a time%s)\n",
        VTFARM_VERSION,
        qPrintable(settings->api.bindAddress.contains(u':') ? u'[' + settings->api.bindAddress + u']'
                                                            : settings->api.bindAddress),
        server.port(), qPrintable(settings->api.dataDir), manager.maxConcurrent(),
        settings->api.token.isEmpty() ? "" : ", token required");
    std::fflush(stdout);

    int signal = 0;
    {
        SignalWatcher watcher([&signal](int sig) {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [&signal, sig] {
                    signal = sig;
                    QCoreApplication::quit();
                },
                Qt::QueuedConnection);
        });
        QCoreApplication::exec();
    }
    std::fprintf(stderr, "vtfarm-cli: %s: stopping; running jobs go back to the queue\n",
        signal ? strsignal(signal) : "stopped");
    server.stop();
    metrics.detach();
    manager.shutdown();
    return ExitOk;
}

} // namespace vtfarm::cli
