#include "apiservercontroller.h"
#include "appsettings.h"
#include "dispatcher.h"
#include "jobmanager.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "presets.h"
#include "signalwatcher.h"
#include "singleinstance.h"
#include "translations.h"
#include "watchfolders.h"
#include "workerlocator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTimer>

using namespace vtfarm;

Q_LOGGING_CATEGORY(lcGui, "vtfarm.gui")

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("vtfarm"));
    QApplication::setApplicationDisplayName(QStringLiteral("vtfarm"));
    QApplication::setApplicationVersion(QStringLiteral(VTFARM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.vtfarm.Vtfarm"));

    // The language chosen in the settings, else the system's; worker processes inherit the choice.
    ui::AppSettings settings;
    if (const QString language = settings.language(); !language.isEmpty())
        qputenv("LANGUAGE", language.toUtf8());
    installTranslations(app, settings.language());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Desktop video transcoder with a local worker farm."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"),
        QApplication::translate("main", "Videos or folders to queue with the current preset."),
        QStringLiteral("[FILE_OR_FOLDER...]"));
    parser.process(app);

    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    // "Open with vtfarm" on a file while vtfarm runs: the running window queues it.
    gui::SingleInstance instance(dataDir);
    if (instance.handOver(parser.positionalArguments()))
        return 0;

    jobs::JobManager::Options options;
    options.dataDir = dataDir;
    options.maxConcurrent = settings.workerCount();
    options.threadsPerJob = settings.threadsPerJob();
    options.worker.stallTimeoutSeconds = settings.stallTimeoutSeconds();
    options.worker.program = gui::findWorkerProgram();
    // A coordinator's jobs on nodes may still be running there: the farm takes them up again.
    const ui::FarmSettings farmSettings = settings.farm();
    options.keepRemoteRuns = farmSettings.enabled;
    if (options.worker.program.isEmpty()) {
        // Without vtfarm-cli a crashing decoder takes the window with it, but the queue still works.
        qCWarning(lcGui)
            << "vtfarm-cli not found next to vtfarm or on PATH; transcoding inside the window's process";
        options.worker.mode = jobs::WorkerProcess::Mode::InProcess;
    }
    jobs::JobManager manager(options);
    if (auto opened = manager.open(); !opened) {
        const bool busy = opened.error().code == ErrorCode::Conflict;
        QMessageBox::critical(nullptr, QApplication::translate("main", "vtfarm"),
            busy ? QApplication::translate("main", "vtfarm is already running for this user.\n\n%1")
                       .arg(opened.error().message)
                 : QApplication::translate("main", "The job queue cannot be opened.\n\n%1")
                       .arg(opened.error().message));
        return 1;
    }

    media::PresetLibrary presets;
    ui::MainWindow window(manager, presets, settings);
    // The REST API and /metrics, off unless the settings turn them on.
    gui::ApiServerController api(manager, dataDir);
    auto applyApi = [&api, &window](const ui::ApiServerSettings& wanted) {
        if (auto r = api.apply(wanted); !r) {
            window.messageBar()->showMessage(
                QApplication::translate("main", "The API server did not start: %1").arg(r.error().message),
                ui::MessageBar::Kind::Error);
        } else if (api.isRunning()) {
            qCInfo(lcGui) << "API server on" << wanted.bindAddress << api.port();
        }
    };
    QObject::connect(&window, &ui::MainWindow::apiServerSettingsChanged, &app, applyApi);
    applyApi(settings.apiServer());
    // The farm, when the settings turn it on (at start only: see Settings → Farm). The nodes fetch
    // and deliver files through the API, so it needs the server running.
    std::unique_ptr<cluster::Dispatcher> farm;
    if (farmSettings.enabled) {
        auto url = cluster::RedisUrl::parse(farmSettings.connectionUrl());
        if (!api.isRunning()) {
            window.messageBar()->showMessage(QApplication::translate("main",
                                                 "The farm is off: it needs the API server, through which "
                                                 "its nodes fetch and deliver files (Settings)."),
                ui::MessageBar::Kind::Warning);
        } else if (!url) {
            window.messageBar()->showMessage(
                QApplication::translate("main", "The farm is off: %1").arg(url.error().message),
                ui::MessageBar::Kind::Error);
        } else {
            cluster::Dispatcher::Options farmOptions;
            farmOptions.redis = *url;
            farmOptions.leaseSeconds = farmSettings.leaseSeconds;
            farm = std::make_unique<cluster::Dispatcher>(farmOptions, &manager, api.metrics());
            QObject::connect(farm.get(), &cluster::Dispatcher::redisStatusChanged, &window,
                [&window](const QString& problem) {
                    if (problem.isEmpty())
                        window.messageBar()->showMessage(
                            QApplication::translate("main", "The farm's Redis is back."),
                            ui::MessageBar::Kind::Info);
                    else
                        window.messageBar()->showMessage(
                            QApplication::translate("main", "The farm cannot reach its Redis: %1")
                                .arg(problem),
                            ui::MessageBar::Kind::Warning);
                });
            if (auto r = farm->start(); !r) {
                window.messageBar()->showMessage(
                    QApplication::translate("main", "The farm did not start: %1").arg(r.error().message),
                    ui::MessageBar::Kind::Error);
                farm.reset();
            }
        }
    }
    // The settings' watch folders, run here for as long as the window is open.
    watch::WatchFolders watchFolders(manager);
    QObject::connect(&watchFolders, &watch::WatchFolders::notice, &app,
        [](const QString& name, const QString& text, bool problem) {
            if (problem)
                qCWarning(lcGui).noquote() << name << ":" << text;
            else
                qCInfo(lcGui).noquote() << name << ":" << text;
        });
    window.setWatchFolders(&watchFolders);
    // Once, when the queue was rebuilt from a damaged store at this start.
    if (const auto& recovery = manager.storeRecovery())
        window.messageBar()->showMessage(recovery->recovered == 1
                ? QApplication::translate(
                    "main", "The job queue was damaged and has been recovered: 1 job saved.")
                : QApplication::translate(
                    "main", "The job queue was damaged and has been recovered: %1 jobs saved.")
                      .arg(recovery->recovered),
            recovery->lostJobs() ? ui::MessageBar::Kind::Error : ui::MessageBar::Kind::Warning,
            recovery->message());
    window.show();
    // SIGTERM (a logout, a service manager) and SIGINT end the event loop like closing the window
    // does, so running jobs go back to the queue without spending one of their attempts.
    SignalWatcher termination([&app](int) {
        QMetaObject::invokeMethod(
            &app,
            [] {
                qCInfo(lcGui) << "terminating: running jobs go back to the queue";
                QApplication::exit(0); // not quit(): that would ask the window, which may ask the user
            },
            Qt::QueuedConnection);
    });
    if (!instance.listen())
        qCWarning(lcGui) << "cannot listen on" << instance.serverName()
                         << "- a second launch will not find this window";
    QObject::connect(
        &instance, &gui::SingleInstance::activated, &window, [&window](const QStringList& paths) {
            window.showNormal();
            window.raise();
            window.activateWindow();
            if (!paths.isEmpty())
                window.addPaths(paths);
        });

    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty())
        QTimer::singleShot(0, &window, [&window, files] { window.addPaths(files); });

    const int status = app.exec();
    window.setWatchFolders(nullptr);
    watchFolders.clear();
    api.stop();
    if (farm)
        farm->shutdown();
    // Running jobs go back to the queue; the next start picks them up.
    manager.shutdown();
    return status;
}
