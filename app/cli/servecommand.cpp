#include "apiserver.h"
#include "commands.h"
#include "dispatcher.h"
#include "jobmanager.h"
#include "metrics.h"
#include "presets.h"
#include "settingsoptions.h"
#include "watchconfig.h"
#include "watchfolders.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <cstdio>

namespace vtfarm::cli {

namespace {

/// The server's settings: the config file's, then the command line's over them.
struct ServeSettings
{
    api::ApiServer::Options api;
    int workers = 0;
    jobs::WorkerProcess::Options worker;
    bool inProcess = false;
    QString redis; ///< a coordinator of a farm: the Redis its nodes take jobs from
    int leaseSeconds = 30;
    bool noLocalSlots = false; ///< -j 0: a coordinator only
    QList<watch::WatchFolderConfig> watches; ///< the config file's [watch.NAME] sections
};

/// The config file's [watch.NAME] sections, each key's text, for watchFolderFromFields().
QList<std::pair<QString, QMap<QString, QString>>> watchSections(QSettings& ini)
{
    QList<std::pair<QString, QMap<QString, QString>>> sections;
    for (const QString& group : ini.childGroups()) {
        if (!group.startsWith(QStringLiteral("watch.")))
            continue;
        ini.beginGroup(group);
        QMap<QString, QString> fields;
        for (const QString& key : ini.childKeys()) {
            // QSettings reads a value with a comma as a list: the text was what it says.
            const QVariant v = ini.value(key);
            fields.insert(key,
                v.metaType().id() == QMetaType::QStringList ? v.toStringList().join(QStringLiteral(", "))
                                                            : v.toString());
        }
        ini.endGroup();
        sections.append({ group.mid(6), fields });
    }
    return sections;
}

/// \brief A numeric setting: its INI key (the option is the same with dashes), its range, and
/// where it goes. Every one is read from the config file, then from the command line.
struct NumberSetting
{
    const char* key;
    const char* help;
    qint64 min, max;
    std::function<void(ServeSettings&, qint64)> set;
};

const std::vector<NumberSetting>& numberSettings()
{
    using S = ServeSettings;
    static const std::vector<NumberSetting> list = {
        { "port", "Port to listen on (default 8000; 0 picks a free one).", 0, 65535,
            [](S& s, qint64 v) { s.api.port = int(v); } },
        { "workers", nullptr, 0, 64,
            [](S& s, qint64 v) {
                s.workers = int(v);
                s.noLocalSlots = v == 0;
            } },
        { "lease",
            "With --redis: seconds a node may go without renewing its job before the job is taken back and "
            "runs elsewhere (default 30).",
            3, 3600, [](S& s, qint64 v) { s.leaseSeconds = int(v); } },
        { "max_upload_mb", "Largest upload accepted, in MiB (default 8192).", 1, 1 << 30,
            [](S& s, qint64 v) { s.api.maxUploadBytes = v << 20; } },
        { "max_connections",
            "Connections at once, in all (default 1024); beyond, the oldest idle one is closed, else 503.", 1,
            1 << 20, [](S& s, qint64 v) { s.api.maxConnections = int(v); } },
        { "max_connections_per_address",
            "Connections at once from one client address (default 32); beyond, 503.", 1, 1 << 20,
            [](S& s, qint64 v) { s.api.maxConnectionsPerAddress = int(v); } },
        { "header_timeout",
            "Seconds for a request's whole header, from its first byte (default 10); then 408.", 1, 3600,
            [](S& s, qint64 v) { s.api.headerTimeoutMs = int(v * 1000); } },
        { "min_body_rate", "KiB/s a request body must keep on average (default 16; 0: no minimum) ...", 0,
            1 << 20, [](S& s, qint64 v) { s.api.minBodyBytesPerSecond = v * 1024; } },
        { "body_rate_window",
            "... over any window of this many seconds (default 30), or 408 and the upload removed.", 1, 3600,
            [](S& s, qint64 v) { s.api.bodyRateWindowMs = int(v * 1000); } },
        { "idle_timeout", "Seconds an idle keep-alive connection stays open (default 30).", 1, 86'400,
            [](S& s, qint64 v) { s.api.idleTimeoutMs = int(v * 1000); } },
    };
    return list;
}

Result<void> applyNumber(const NumberSetting& setting, const QString& text, ServeSettings& s)
{
    bool ok = false;
    const qint64 n = text.trimmed().toLongLong(&ok);
    const QString option = QString::fromLatin1(setting.key).replace(u'_', u'-');
    if (!ok || n < setting.min || n > setting.max)
        return Error::invalid(option == u"workers" ? QStringLiteral("jobs") : option,
            QStringLiteral("'%1' is not a number from %2 to %3").arg(text).arg(setting.min).arg(setting.max));
    setting.set(s, n);
    return {};
}

Result<ServeSettings> settingsFrom(const QCommandLineParser& p)
{
    ServeSettings s;
    s.api.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QString tokenFile;
    QList<std::pair<QString, QMap<QString, QString>>> watches;
    QString configDir;

    if (p.isSet("config")) {
        const QString path = p.value("config");
        if (!QFileInfo(path).isFile())
            return Error::invalid("config", QStringLiteral("no config file %1").arg(path));
        QSettings ini(path, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError)
            return Error::invalid("config", QStringLiteral("%1 is not an INI file").arg(path));
        const QDir base = QFileInfo(path).absoluteDir();
        configDir = base.absolutePath();
        watches = watchSections(ini);
        // Relative paths in the file are relative to the file, wherever the server starts from.
        const auto pathValue = [&](const char* key) {
            return QDir::cleanPath(base.absoluteFilePath(ini.value(key).toString()));
        };
        if (ini.contains("bind"))
            s.api.bindAddress = ini.value("bind").toString();
        if (ini.contains("token_file"))
            tokenFile = pathValue("token_file");
        if (ini.contains("data_dir"))
            s.api.dataDir = pathValue("data_dir");
        if (ini.contains("input_dir"))
            s.api.inputDir = pathValue("input_dir");
        if (ini.contains("redis"))
            s.redis = ini.value("redis").toString();
        for (const NumberSetting& setting : numberSettings()) {
            if (ini.contains(QLatin1String(setting.key))) {
                if (auto r = applyNumber(setting, ini.value(QLatin1String(setting.key)).toString(), s); !r)
                    return r.error();
            }
        }
        for (const char* key : { "stall_timeout", "worker_nice", "worker_io" }) {
            if (ini.contains(QLatin1String(key))) {
                if (auto r = applyWorkerSetting(
                        QLatin1String(key), ini.value(QLatin1String(key)).toString(), s.worker);
                    !r)
                    return r.error();
            }
        }
    }

    if (p.isSet("bind"))
        s.api.bindAddress = p.value("bind");
    for (const NumberSetting& setting : numberSettings()) {
        const QString option = setting.key == std::string_view("workers")
            ? QStringLiteral("jobs")
            : QString::fromLatin1(setting.key).replace(u'_', u'-');
        if (p.isSet(option)) {
            if (auto r = applyNumber(setting, p.value(option), s); !r)
                return r.error();
        }
    }
    if (auto r = applyWorkerOptions(p, s.worker); !r)
        return r.error();
    if (p.isSet("data-dir"))
        s.api.dataDir = QFileInfo(p.value("data-dir")).absoluteFilePath();
    if (p.isSet("input-dir"))
        s.api.inputDir = QFileInfo(p.value("input-dir")).absoluteFilePath();
    if (p.isSet("redis"))
        s.redis = p.value("redis");
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
    if (!s.redis.isEmpty()) {
        if (auto url = cluster::RedisUrl::parse(s.redis); !url)
            return url.error();
        // Nodes fetch inputs and deliver outputs through the API: never without a token.
        if (s.api.token.isEmpty())
            return Error::invalid("token-file",
                QStringLiteral(
                    "a farm's coordinator needs a token (--token-file): its nodes fetch and deliver files "
                    "through the API"));
    } else if (s.noLocalSlots) {
        return Error::invalid(
            "jobs", QStringLiteral("-j 0 (no local transcodes) needs --redis: nothing would run the jobs"));
    }
    s.api.presetsDir = QDir(s.api.dataDir).filePath(QStringLiteral("presets"));
    s.inProcess = p.isSet("in-process");
    if (!watches.isEmpty()) {
        const media::PresetLibrary presets(s.api.presetsDir);
        for (const auto& [name, fields] : std::as_const(watches)) {
            auto config = watch::watchFolderFromFields(name, fields, presets, configDir);
            if (!config)
                return Error { ErrorCode::InvalidArgument,
                    QCoreApplication::translate("vtfarm::cli", "[watch.%1] %2: %3")
                        .arg(name, config.error().field, config.error().message),
                    {} };
            s.watches.append(*config);
        }
    }
    return s;
}

} // namespace

int serveCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli",
        "Serve the REST API and Prometheus metrics, and run the jobs submitted through it.\n"
        "Listens on 127.0.0.1 unless told otherwise; any other address needs a token."));
    p.addHelpOption();
    p.addOption({ "bind",
        QCoreApplication::translate("vtfarm::cli", "Address to listen on (default 127.0.0.1)."), "addr" });
    p.addOption({ "token",
        QCoreApplication::translate("vtfarm::cli",
            "Token clients send as 'Authorization: Bearer TOKEN' (other users can see it in ps; prefer "
            "--token-file)."),
        "token" });
    p.addOption({ "token-file", QCoreApplication::translate("vtfarm::cli", "Read the token from this file."),
        "file" });
    p.addOption({ "data-dir",
        QCoreApplication::translate(
            "vtfarm::cli", "Job queue, uploads and outputs (default: the user's vtfarm data folder)."),
        "dir" });
    p.addOption({ "input-dir",
        QCoreApplication::translate(
            "vtfarm::cli", "Let jobs name files in this folder instead of uploading them."),
        "dir" });
    p.addOption({ { "j", "jobs" },
        QCoreApplication::translate("vtfarm::cli",
            "How many transcodes run here at once (default: what fills the cores; 0 with --redis: none, the "
            "nodes "
            "run them all)."),
        "n" });
    p.addOption({ "redis",
        QCoreApplication::translate("vtfarm::cli",
            "Coordinate a farm: nodes on other machines (vtfarm-cli node) take jobs through this Redis, "
            "redis://[:PASSWORD@]HOST[:PORT][/DB]. Needs a token."),
        "url" });
    QStringList keys = { "bind", "token_file", "data_dir", "input_dir", "redis", "stall_timeout",
        "worker_nice", "worker_io" };
    for (const NumberSetting& setting : numberSettings()) {
        keys << QLatin1String(setting.key);
        if (setting.help)
            p.addOption(
                { QString::fromLatin1(setting.key).replace(u'_', u'-'), QLatin1String(setting.help), "n" });
    }
    p.addOption({ "config",
        QStringLiteral("INI file with the keys %1; options given here win. [watch.NAME] sections add watch "
                       "folders, with the keys %2.")
            .arg(keys.join(u", "), watch::watchFolderKeys().join(u", ")),
        QCoreApplication::translate("vtfarm::cli", "file") });
    p.addOption({ "in-process",
        QCoreApplication::translate("vtfarm::cli",
            "Run transcodes inside this process instead of worker processes (for debugging).") });
    addWorkerOptions(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("serve"), args, &status))
        return status;
    if (!p.positionalArguments().isEmpty()) {
        printLine(stderr,
            QCoreApplication::translate("vtfarm::cli",
                "usage: vtfarm-cli serve [--bind ADDR] [--port N] [--token-file F] [--data-dir D] [-j N] "
                "(see --help)"));
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
    managerOptions.worker = settings->worker;
    managerOptions.worker.program = QCoreApplication::applicationFilePath();
    managerOptions.worker.mode = settings->inProcess ? jobs::WorkerProcess::Mode::InProcess
                                                     : jobs::WorkerProcess::Mode::ChildProcess;
    const bool farm = !settings->redis.isEmpty();
    managerOptions.noLocalSlots = settings->noLocalSlots;
    // A coordinator's jobs on nodes may still be running there: the farm takes them up again.
    managerOptions.keepRemoteRuns = farm;
    jobs::JobManager manager(managerOptions);
    if (auto r = openManager(manager); !r) {
        printErrors({ r.error() });
        return ExitFailed;
    }
    metrics::Metrics metrics;
    metrics.attach(&manager);
    std::unique_ptr<cluster::Dispatcher> dispatcher;
    if (farm) {
        cluster::Dispatcher::Options farmOptions;
        farmOptions.redis = *cluster::RedisUrl::parse(settings->redis);
        farmOptions.leaseSeconds = settings->leaseSeconds;
        farmOptions.noLocalSlots = managerOptions.noLocalSlots;
        dispatcher = std::make_unique<cluster::Dispatcher>(farmOptions, &manager, &metrics);
        if (auto r = dispatcher->start(); !r) {
            printErrors({ r.error() });
            return ExitUsage;
        }
    }
    api::ApiServer server(settings->api, &manager, &metrics);
    if (auto r = server.start(); !r) {
        printErrors({ r.error() });
        return r.error().code == ErrorCode::InvalidArgument ? ExitUsage : ExitFailed;
    }
    const QString local = managerOptions.noLocalSlots
        ? QCoreApplication::translate("vtfarm::cli", "no transcodes here")
        : QCoreApplication::translate("vtfarm::cli", "%1 transcodes at a time").arg(manager.maxConcurrent());
    QString extra;
    if (farm)
        extra += QCoreApplication::translate("vtfarm::cli", ", farm on %1")
                     .arg(cluster::RedisUrl::parse(settings->redis)->display());
    if (!settings->api.token.isEmpty())
        extra += QCoreApplication::translate("vtfarm::cli", ", token required");
    printLine(stdout,
        QCoreApplication::translate("vtfarm::cli", "vtfarm %1 serving on http://%2:%3/ (data in %4, %5%6)")
            .arg(QStringLiteral(VTFARM_VERSION),
                settings->api.bindAddress.contains(u':') ? u'[' + settings->api.bindAddress + u']'
                                                         : settings->api.bindAddress)
            .arg(server.port())
            .arg(settings->api.dataDir, local, extra));
    std::fflush(stdout);

    watch::WatchFolders watchers(manager);
    QObject::connect(&watchers, &watch::WatchFolders::notice, &watchers,
        [](const QString& name, const QString& text, bool problem) {
            printLine(stderr,
                (problem ? QCoreApplication::translate("vtfarm::cli", "vtfarm-cli: warning: %1: %2")
                         : QStringLiteral("vtfarm-cli: %1: %2"))
                    .arg(name, text));
            std::fflush(stderr);
        });
    QObject::connect(&watchers, &watch::WatchFolders::fileTaken, &watchers,
        [](const QString& name, const QString& path, const QUuid& id) {
            std::printf("%s\n",
                qPrintable(QCoreApplication::translate("vtfarm::cli", "watch %1 took %2 (job %3)")
                               .arg(name, path, id.toString(QUuid::WithoutBraces))));
            std::fflush(stdout);
        });
    for (const watch::WatchFolderConfig& config : std::as_const(settings->watches)) {
        if (auto r = watchers.add(config); !r) {
            printErrors({ { r.error().code,
                QCoreApplication::translate("vtfarm::cli", "[watch.%1]: %2")
                    .arg(config.name, r.error().message),
                {} } });
            server.stop();
            metrics.detach();
            manager.shutdown();
            return ExitFailed;
        }
        std::printf("%s\n",
            qPrintable(QCoreApplication::translate("vtfarm::cli", "watching %1: %2 -> %3")
                           .arg(config.name, config.folder, config.outputDir)));
    }
    std::fflush(stdout);

    const int signal = runUntilSignal();
    printLine(stderr,
        QCoreApplication::translate(
            "vtfarm::cli", "vtfarm-cli: %1: stopping; running jobs go back to the queue")
            .arg(QString::fromLocal8Bit(signal ? strsignal(signal) : "stopped")));
    watchers.clear();
    server.stop();
    if (dispatcher)
        dispatcher->shutdown();
    metrics.detach();
    manager.shutdown();
    return ExitOk;
}

} // namespace vtfarm::cli
