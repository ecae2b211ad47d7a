#include "appsettings.h"
#include "jobmanager.h"
#include "mainwindow.h"
#include "presets.h"
#include "singleinstance.h"
#include "workerlocator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTimer>

using namespace vtfarm;

Q_LOGGING_CATEGORY(lcGui, "vtfarm.gui")

namespace {

// The API server (core/api) is started, restarted and stopped here once it exists; until then the
// settings are only recorded, and saying so keeps nobody guessing why nothing listens.
void applyApiServerSettings(const ui::ApiServerSettings& api)
{
    if (api.enabled)
        qCInfo(lcGui) << "API server requested on" << api.bindAddress << api.port << "- not available in this build";
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("vtfarm"));
    QApplication::setApplicationDisplayName(QStringLiteral("vtfarm"));
    QApplication::setApplicationVersion(QStringLiteral(VTFARM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.vtfarm.Vtfarm"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Desktop video transcoder with a local worker farm."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"), QApplication::translate("main", "Videos or folders to queue with the current preset."),
        QStringLiteral("[FILE_OR_FOLDER...]"));
    parser.process(app);

    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    // "Open with vtfarm" on a file while vtfarm runs: the running window queues it.
    gui::SingleInstance instance(dataDir);
    if (instance.handOver(parser.positionalArguments()))
        return 0;

    ui::AppSettings settings;
    jobs::JobManager::Options options;
    options.dataDir = dataDir;
    options.maxConcurrent = settings.workerCount();
    options.threadsPerJob = settings.threadsPerJob();
    options.worker.program = gui::findWorkerProgram();
    if (options.worker.program.isEmpty()) {
        // Without vtfarm-cli a crashing decoder takes the window with it, but the queue still works.
        qCWarning(lcGui) << "vtfarm-cli not found next to vtfarm or on PATH; transcoding inside the window's process";
        options.worker.mode = jobs::WorkerProcess::Mode::InProcess;
    }
    jobs::JobManager manager(options);
    if (auto opened = manager.open(); !opened) {
        const bool busy = opened.error().code == ErrorCode::Conflict;
        QMessageBox::critical(nullptr, QApplication::translate("main", "vtfarm"),
            busy ? QApplication::translate("main", "vtfarm is already running for this user.\n\n%1").arg(opened.error().message)
                 : QApplication::translate("main", "The job queue cannot be opened.\n\n%1").arg(opened.error().message));
        return 1;
    }

    media::PresetLibrary presets;
    ui::MainWindow window(manager, presets, settings);
    QObject::connect(&window, &ui::MainWindow::apiServerSettingsChanged, &app, &applyApiServerSettings);
    applyApiServerSettings(settings.apiServer());
    window.show();
    if (!instance.listen())
        qCWarning(lcGui) << "cannot listen on" << instance.serverName() << "- a second launch will not find this window";
    QObject::connect(&instance, &gui::SingleInstance::activated, &window, [&window](const QStringList& paths) {
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
    // Running jobs go back to the queue; the next start picks them up.
    manager.shutdown();
    return status;
}
