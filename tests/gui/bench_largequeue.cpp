// Measures the queue window with ten thousand jobs: submitting them, reopening the queue, building
// the window over it, and scrolling the view from top to bottom. Prints one line per measurement.

#include "appsettings.h"
#include "guitestsupport.h"
#include "jobmanager.h"
#include "jobtablemodel.h"
#include "mainwindow.h"
#include "statefilterproxy.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdio>

using namespace vtfarm;

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const int count = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 10000;
    QTemporaryDir dir;
    const QString clip = testing::makeClip(dir.filePath("clip.mp4"));
    if (clip.isEmpty()) {
        std::fprintf(stderr, "ffmpeg could not make a clip\n");
        return 1;
    }
    auto report = [](const char* what, double ms) { std::printf("%-52s %9.1f ms\n", what, ms); };
    const QString data = dir.filePath("data");
    QElapsedTimer t;
    {
        // The same submit with no window: what the job store and the manager cost on their own.
        jobs::JobManager bare(testing::managerOptions(dir.filePath("bare"), false));
        if (!bare.open())
            return 1;
        QList<jobs::JobSpec> specs;
        for (int i = 0; i < count; ++i)
            specs.append(
                testing::tinySpec(clip, dir.filePath("out-bare"), QStringLiteral("{name}-%1").arg(i)));
        t.start();
        if (!bare.submitMany(specs))
            return 1;
        report(qPrintable(QStringLiteral("submit %1 jobs, no window").arg(count)), t.nsecsElapsed() / 1e6);
    }
    {
        jobs::JobManager manager(testing::managerOptions(data, false));
        if (!manager.open())
            return 1;
        media::PresetLibrary presets(dir.filePath("presets"));
        ui::AppSettings settings(dir.filePath("settings.ini"));
        ui::MainWindow window(manager, presets, settings);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return 1;
        QList<jobs::JobSpec> specs;
        for (int i = 0; i < count; ++i)
            specs.append(testing::tinySpec(clip, dir.filePath("out"), QStringLiteral("{name}-%1").arg(i)));
        t.start();
        if (!manager.submitMany(specs))
            return 1;
        const double submitted = t.nsecsElapsed() / 1e6;
        QCoreApplication::processEvents();
        report(qPrintable(QStringLiteral("submit %1 jobs into an open window").arg(count)), submitted);
        report("  ... and repaint the window", t.nsecsElapsed() / 1e6 - submitted);
    }
    t.start();
    jobs::JobManager manager(testing::managerOptions(data, false));
    if (!manager.open())
        return 1;
    report(qPrintable(QStringLiteral("open the queue of %1 jobs (JobStore load)").arg(count)),
        t.nsecsElapsed() / 1e6);
    t.start();
    {
        ui::JobTableModel model(manager);
        report("JobTableModel over it", t.nsecsElapsed() / 1e6);
    }
    media::PresetLibrary presets(dir.filePath("presets"));
    ui::AppSettings settings(dir.filePath("settings.ini"));
    t.start();
    ui::MainWindow window(manager, presets, settings);
    window.resize(1280, 800);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    QCoreApplication::processEvents();
    report("build, show and paint the window", t.nsecsElapsed() / 1e6);

    QTableView* view = window.queueView();
    QScrollBar* bar = view->verticalScrollBar();
    const int steps = 200;
    double worst = 0, total = 0;
    for (int i = 1; i <= steps; ++i) {
        QElapsedTimer step;
        step.start();
        bar->setValue(bar->maximum() * i / steps);
        view->viewport()->repaint();
        QCoreApplication::processEvents();
        const double ms = step.nsecsElapsed() / 1e6;
        worst = std::max(worst, ms);
        total += ms;
    }
    report("scroll to the bottom in 200 steps: mean step", total / steps);
    report("  worst step", worst);

    t.start();
    view->sortByColumn(ui::JobTableModel::Name, Qt::DescendingOrder);
    QCoreApplication::processEvents();
    report("sort by name", t.nsecsElapsed() / 1e6);
    view->sortByColumn(ui::JobTableModel::Position, Qt::AscendingOrder);

    t.start();
    for (int i = 0; i < 100; ++i)
        (void)manager.move(manager.order().last(), jobs::JobManager::Move::Top);
    QCoreApplication::processEvents();
    report("move 100 jobs to the top, one at a time", t.nsecsElapsed() / 1e6);

    t.start();
    const QList<QUuid> some = manager.order().mid(0, 1000);
    for (const QUuid& id : some)
        (void)manager.cancel(id);
    QCoreApplication::processEvents();
    report("cancel 1000 jobs, one at a time", t.nsecsElapsed() / 1e6);
    t.start();
    for (const QUuid& id : some)
        (void)manager.remove(id);
    QCoreApplication::processEvents();
    report("remove those 1000 jobs, one at a time", t.nsecsElapsed() / 1e6);
    return 0;
}
