#include "commands.h"
#include "jobmanager.h"
#include "noderunner.h"
#include "settingsoptions.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <QRegularExpression>
#include <QSettings>
#include <cstdio>
#include <cstring>

namespace vtfarm::cli {

namespace {

struct NodeSettings
{
    cluster::NodeRunner::Options node;
    QString redis;
    QString server;
    QString tokenFile;
};

/// A whole number in [min, max], or the error naming \a option.
Result<int> number(const QString& option, const QString& text, int min, int max)
{
    bool ok = false;
    const int n = text.trimmed().toInt(&ok);
    if (!ok || n < min || n > max)
        return Error::invalid(
            option, QStringLiteral("'%1' is not a number from %2 to %3").arg(text).arg(min).arg(max));
    return n;
}

Result<NodeSettings> settingsFrom(const QCommandLineParser& p)
{
    NodeSettings s;
    s.node.name = QHostInfo::localHostName();
    s.node.slots = jobs::JobManager::defaultConcurrency();
    s.node.workDir = QDir::current().filePath(QStringLiteral("vtfarm-node"));
    // Each setting from the config file, then from the command line: (INI key, option).
    const auto apply = [&s](const QString& option, const QString& value, const QDir& base) -> Result<void> {
        if (option == u"redis")
            s.redis = value;
        else if (option == u"server")
            s.server = value;
        else if (option == u"token-file")
            s.tokenFile = QDir::cleanPath(base.absoluteFilePath(value));
        else if (option == u"name")
            s.node.name = value.trimmed();
        else if (option == u"work-dir")
            s.node.workDir = QDir::cleanPath(base.absoluteFilePath(value));
        else if (option == u"jobs") {
            auto n = number(QStringLiteral("jobs"), value, 1, 64);
            if (!n)
                return n.error();
            s.node.slots = *n;
        } else if (option == u"lease") {
            auto n = number(option, value, 3, 3600);
            if (!n)
                return n.error();
            s.node.leaseSeconds = *n;
        } else if (option == u"grace") {
            auto n = number(option, value, 0, 3600);
            if (!n)
                return n.error();
            s.node.graceSeconds = *n;
        } else {
            return applyWorkerSetting(option, value, s.node.worker);
        }
        return {};
    };
    const QList<std::pair<QString, QString>> settings = { { "redis", "redis" }, { "server", "server" },
        { "token_file", "token-file" }, { "name", "name" }, { "work_dir", "work-dir" }, { "workers", "jobs" },
        { "lease", "lease" }, { "grace", "grace" }, { "stall_timeout", "stall_timeout" },
        { "worker_nice", "worker_nice" }, { "worker_io", "worker_io" } };

    if (p.isSet("config")) {
        const QString path = p.value("config");
        if (!QFileInfo(path).isFile())
            return Error::invalid("config", QStringLiteral("no config file %1").arg(path));
        QSettings ini(path, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError)
            return Error::invalid("config", QStringLiteral("%1 is not an INI file").arg(path));
        // Relative paths in the file are relative to the file.
        const QDir base = QFileInfo(path).absoluteDir();
        for (const auto& [key, option] : settings) {
            if (ini.contains(key)) {
                if (auto r = apply(option, ini.value(key).toString(), base); !r)
                    return r.error();
            }
        }
    }
    for (const auto& [key, option] : settings) {
        if (option.contains(u'_'))
            continue; // the worker options, read below
        if (p.isSet(option)) {
            if (auto r = apply(option, p.value(option), QDir::current()); !r)
                return r.error();
        }
    }
    if (auto r = applyWorkerOptions(p, s.node.worker); !r)
        return r.error();

    if (s.redis.isEmpty())
        return Error::invalid(
            "redis", QStringLiteral("say where the farm's Redis is: --redis redis://HOST:PORT"));
    auto redis = cluster::RedisUrl::parse(s.redis);
    if (!redis)
        return redis.error();
    s.node.redis = *redis;
    if (s.server.isEmpty())
        return Error::invalid(
            "server", QStringLiteral("say where the coordinator's API is: --server http://HOST:PORT"));
    s.node.server = QUrl(s.server);
    if (!s.node.server.isValid() || (s.node.server.scheme() != u"http" && s.node.server.scheme() != u"https")
        || s.node.server.host().isEmpty())
        return Error::invalid(
            "server", QStringLiteral("'%1' is not an http:// or https:// URL").arg(s.server));
    if (s.tokenFile.isEmpty())
        return Error::invalid(
            "token-file", QStringLiteral("a node needs the coordinator's token: --token-file FILE"));
    auto token = readTokenFile(s.tokenFile);
    if (!token)
        return token.error();
    s.node.token = *token;
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"));
    if (!validName.match(s.node.name).hasMatch())
        return Error::invalid("name",
            QStringLiteral("'%1' is not a node name (letters, digits, '.', '_' and '-', up to 63)")
                .arg(s.node.name));
    return s;
}

} // namespace

int nodeCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli",
        "Be a node of a farm: take jobs from the coordinator's Redis, download each input from the\n"
        "coordinator's API, transcode it here in worker processes, upload the output, and take the next.\n"
        "SIGTERM: take no more jobs; finish or hand back the current ones within the grace; exit 0."));
    p.addHelpOption();
    p.addOption({ "redis",
        QCoreApplication::translate(
            "vtfarm::cli", "The coordinator's Redis, redis://[:PASSWORD@]HOST[:PORT][/DB]."),
        "url" });
    p.addOption({ "server",
        QCoreApplication::translate("vtfarm::cli", "The coordinator's API, http://HOST:PORT."), "url" });
    p.addOption({ "token-file",
        QCoreApplication::translate("vtfarm::cli", "A file with the coordinator's token."), "file" });
    p.addOption({ { "j", "jobs" },
        QCoreApplication::translate(
            "vtfarm::cli", "How many transcodes run here at once (default: what fills the cores)."),
        "n" });
    p.addOption({ "name",
        QCoreApplication::translate("vtfarm::cli", "This node's name in the farm (default: the host name)."),
        "name" });
    p.addOption({ "work-dir",
        QCoreApplication::translate(
            "vtfarm::cli", "Inputs and outputs while they are here (default: ./vtfarm-node)."),
        "dir" });
    p.addOption({ "lease",
        QCoreApplication::translate("vtfarm::cli",
            "Seconds a job stays this node's without a renewal, as the coordinator's --lease (default 30)."),
        "s" });
    p.addOption({ "grace",
        QCoreApplication::translate("vtfarm::cli",
            "Seconds after SIGTERM to finish the current jobs before they go back (default 25)."),
        "s" });
    p.addOption({ "config",
        QCoreApplication::translate("vtfarm::cli",
            "INI file with the keys redis, server, token_file, workers, name, work_dir, lease, grace, "
            "stall_timeout, worker_nice, worker_io; options given here win."),
        "file" });
    addWorkerOptions(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("node"), args, &status))
        return status;
    if (!p.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "%s\n",
            qPrintable(QCoreApplication::translate("vtfarm::cli",
                "usage: vtfarm-cli node --redis URL --server URL --token-file FILE [-j N] [--name NAME] "
                "(see --help)")));
        return ExitUsage;
    }
    auto settings = settingsFrom(p);
    if (!settings) {
        printErrors({ settings.error() });
        return ExitUsage;
    }
    settings->node.worker.program = QCoreApplication::applicationFilePath();
    settings->node.worker.mode = jobs::WorkerProcess::Mode::ChildProcess;
    if (!QDir().mkpath(settings->node.workDir)) {
        printErrors({ Error::invalid(
            "work-dir", QStringLiteral("cannot make the work folder %1").arg(settings->node.workDir)) });
        return ExitUsage;
    }

    cluster::NodeRunner runner(settings->node);
    int exitStatus = ExitOk;
    QObject::connect(&runner, &cluster::NodeRunner::fatal, &runner, [&exitStatus](const Error& error) {
        printErrors({ error });
        exitStatus = error.code == ErrorCode::IoError ? ExitFailed : ExitUsage;
        QCoreApplication::exit(exitStatus);
    });
    QObject::connect(&runner, &cluster::NodeRunner::ready, &runner, [&settings] {
        const QString banner = QCoreApplication::translate(
            "vtfarm::cli", "vtfarm %1 node %2: %3 transcodes at a time, jobs from %4, files from %5")
                                   .arg(QStringLiteral(VTFARM_VERSION), settings->node.name)
                                   .arg(settings->node.slots)
                                   .arg(settings->node.redis.display(), settings->node.server.toString());
        std::printf("%s\n", qPrintable(banner));
        std::fflush(stdout);
    });
    QObject::connect(&runner, &cluster::NodeRunner::stopped, &runner, [] { QCoreApplication::exit(ExitOk); });
    runner.start();

    int signal = 0;
    {
        SignalWatcher watcher([&signal, &runner](int sig) {
            QMetaObject::invokeMethod(
                &runner,
                [&signal, &runner, sig] {
                    if (!signal)
                        std::fprintf(stderr, "vtfarm-cli: %s\n",
                            qPrintable(QCoreApplication::translate("vtfarm::cli", "%1: taking no more jobs")
                                           .arg(QString::fromLocal8Bit(strsignal(sig)))));
                    signal = sig;
                    runner.stop();
                },
                Qt::QueuedConnection);
        });
        const int code = QCoreApplication::exec();
        if (code != ExitOk)
            exitStatus = code;
    }
    return exitStatus;
}

} // namespace vtfarm::cli
