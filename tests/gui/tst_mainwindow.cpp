#include "advancedpanel.h"
#include "appsettings.h"
#include "fakeworkers.h"
#include "guitestsupport.h"
#include "jobmanager.h"
#include "jobtablemodel.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "presetpicker.h"
#include "statefilterproxy.h"
#include "traynotifier.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace vtfarm;
using jobs::JobManager;
using jobs::JobState;
using Action = ui::MainWindow::Action;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void progressReachesTheViewAndTheJobFinishes();
    void cancelAndRetryThroughTheActions();
    void cancelARunningJob();
    void moveRemoveAndClearThroughTheActions();
    void invalidAdvancedValuesBlockSubmit();
    void failureIsNotifiedAndCopyable();
    void layoutAndPresetAreRestored();
    void presetsCanBeSavedRenamedAndDeleted();
    void everyBuiltInPresetLoadsUnmodifiedAndValid();
    void closingWhileJobsRunAsks();

private:
    struct Fixture
    {
        /// With \a backend, jobs run only as far as the test drives them (test::FakeWorkers).
        Fixture(const QString& root, bool autoStart, std::shared_ptr<jobs::WorkerBackend> backend = {})
            : manager(testing::managerOptions(root + "/data", autoStart, 1, std::move(backend)))
            , presets(root + "/presets")
            , settings(root + "/settings.ini")
        { }
        JobManager manager;
        media::PresetLibrary presets;
        ui::AppSettings settings;
    };
    static void selectJob(ui::MainWindow& window, const QUuid& id);
    QString freshRoot(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    QTemporaryDir m_dir;
    QString m_clip;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_clip = testing::makeClip(m_dir.filePath("media/clip.mp4"), { 320, 240 }, 3);
    QVERIFY(!m_clip.isEmpty());
}

void TestMainWindow::selectJob(ui::MainWindow& window, const QUuid& id)
{
    QTableView* view = window.queueView();
    const QModelIndex source = window.model()->index(window.model()->rowOf(id), 0);
    const QModelIndex index = window.proxy()->mapFromSource(source);
    view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
}

void TestMainWindow::progressReachesTheViewAndTheJobFinishes()
{
    Fixture f(freshRoot("progress"), true);
    QVERIFY(f.manager.open().ok());
    QVERIFY(f.presets.save(testing::tinyPreset()).ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.presetPicker()->select(QStringLiteral("Test tiny")));

    QList<double> seen;
    connect(window.proxy(), &QAbstractItemModel::dataChanged, this,
        [&](const QModelIndex& tl, const QModelIndex& br) {
            for (int r = tl.row(); r <= br.row(); ++r) {
                const QModelIndex i = window.proxy()->index(r, ui::JobTableModel::Progress);
                if (JobState(i.data(ui::JobTableModel::StateRole).toInt()) == JobState::Started)
                    seen.append(i.data(ui::JobTableModel::ProgressRole).toDouble());
            }
        });
    QVERIFY(window.submitFiles({ m_clip }));
    QCOMPARE(f.manager.order().size(), 1);
    const QUuid id = f.manager.order().first();
    QTRY_COMPARE_WITH_TIMEOUT(testing::stateOf(f.manager, id), QStringLiteral("finished"), 60000);

    QVERIFY2(!seen.isEmpty(), "no progress reached the view while the job ran");
    QVERIFY(*std::max_element(seen.cbegin(), seen.cend()) > 0);
    const QModelIndex progress = window.proxy()->index(0, ui::JobTableModel::Progress);
    QCOMPARE(progress.data(ui::JobTableModel::ProgressRole).toDouble(), 1.0);
    QCOMPARE(
        window.proxy()->index(0, ui::JobTableModel::State).data().toString(), QStringLiteral("Finished"));
    QCOMPARE(f.manager.find(id)->spec.presetName, QStringLiteral("Test tiny"));
    QVERIFY(QFileInfo::exists(f.manager.find(id)->outputPath));
    // The delegate paints the finished bar; the status bar and title follow.
    QVERIFY(!window.queueView()->viewport()->grab().isNull());
    QTRY_VERIFY(window.countsLabel()->text().contains(QStringLiteral("1 finished")));
    QTRY_COMPARE(window.windowTitle(), QStringLiteral("vtfarm"));
    QVERIFY(window.workersLabel()->text().contains(QStringLiteral("0/1")));
}

void TestMainWindow::cancelAndRetryThroughTheActions()
{
    Fixture f(freshRoot("cancel-retry"), false);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    QVERIFY(f.manager.isPaused());
    QCOMPARE(window.action(Action::StartPause)->text(), QStringLiteral("&Start queue"));
    auto ids = f.manager.submitMany({ testing::tinySpec(m_clip, freshRoot("cancel-retry/out"), "{name}-a"),
        testing::tinySpec(m_clip, freshRoot("cancel-retry/out"), "{name}-b") });
    QVERIFY(ids.ok());

    selectJob(window, ids->at(0));
    QVERIFY(window.action(Action::Cancel)->isEnabled());
    QVERIFY(!window.action(Action::Retry)->isEnabled());
    window.action(Action::Cancel)->trigger();
    QCOMPARE(testing::stateOf(f.manager, ids->at(0)), QStringLiteral("canceled"));
    QTRY_VERIFY(window.action(Action::Retry)->isEnabled());
    QVERIFY(!window.action(Action::Cancel)->isEnabled());

    window.action(Action::Retry)->trigger();
    QCOMPARE(testing::stateOf(f.manager, ids->at(0)), QStringLiteral("queued"));

    // Start the queue with its action; both jobs run to the end.
    window.action(Action::StartPause)->trigger();
    QVERIFY(!f.manager.isPaused());
    QCOMPARE(window.action(Action::StartPause)->text(), QStringLiteral("&Pause queue"));
    QTRY_COMPARE_WITH_TIMEOUT(f.manager.counts().finished, 2, 60000);
}

void TestMainWindow::cancelARunningJob()
{
    // A job that runs until the test says otherwise: the cancel always finds it running.
    auto workers = std::make_shared<test::FakeWorkers>();
    Fixture f(freshRoot("cancel-running"), true, workers);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    auto id = f.manager.submit(testing::tinySpec(m_clip, freshRoot("cancel-running/out")));
    QVERIFY(id.ok());
    QCOMPARE(testing::stateOf(f.manager, *id), QStringLiteral("started"));
    workers->progress(*id, 0.25);
    QTRY_VERIFY(f.manager.find(*id)->progress > 0);
    selectJob(window, *id);
    QVERIFY(window.action(Action::Cancel)->isEnabled());
    window.action(Action::Cancel)->trigger();
    QCOMPARE(testing::stateOf(f.manager, *id), QStringLiteral("canceled"));
    QVERIFY(workers->runOf(*id)->stopRequested);
    QCOMPARE(f.manager.runningCount(), 1); // until its worker has stopped
    workers->acknowledgeStop(*id);
    QTRY_COMPARE(f.manager.runningCount(), 0);

    // Retried while the queue is paused, it waits in the queue.
    window.action(Action::StartPause)->trigger();
    QVERIFY(f.manager.isPaused());
    QTRY_VERIFY(window.action(Action::Retry)->isEnabled());
    window.action(Action::Retry)->trigger();
    QCOMPARE(testing::stateOf(f.manager, *id), QStringLiteral("queued"));
    QTRY_VERIFY(window.workersLabel()->text().startsWith(QStringLiteral("Paused")));
}

void TestMainWindow::moveRemoveAndClearThroughTheActions()
{
    Fixture f(freshRoot("move"), false);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    QList<jobs::JobSpec> specs;
    for (const char* p : { "{name}-1", "{name}-2", "{name}-3" })
        specs.append(testing::tinySpec(m_clip, freshRoot("move/out"), QString::fromLatin1(p)));
    auto ids = f.manager.submitMany(specs);
    QVERIFY(ids.ok());

    selectJob(window, ids->at(2));
    QVERIFY(window.action(Action::MoveUp)->isEnabled());
    QVERIFY(!window.action(Action::MoveDown)->isEnabled());
    window.action(Action::MoveUp)->trigger();
    window.action(Action::MoveUp)->trigger();
    QCOMPARE(f.manager.order(), QList<QUuid>({ ids->at(2), ids->at(0), ids->at(1) }));
    // The selection follows the moved job.
    QCOMPARE(window.selectedIds(), QList<QUuid>({ ids->at(2) }));
    QVERIFY(!window.action(Action::MoveUp)->isEnabled());
    window.action(Action::MoveDown)->trigger();
    QCOMPARE(f.manager.order(), QList<QUuid>({ ids->at(0), ids->at(2), ids->at(1) }));

    window.action(Action::Remove)->trigger();
    QCOMPARE(f.manager.order(), QList<QUuid>({ ids->at(0), ids->at(1) }));
    QCOMPARE(window.model()->rowCount(), 2);

    QTRY_VERIFY(!window.action(Action::ClearFinished)->isEnabled());
    window.action(Action::StartPause)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(f.manager.counts().finished, 2, 60000);
    QTRY_VERIFY(window.action(Action::ClearFinished)->isEnabled());
    selectJob(window, ids->at(0));
    QVERIFY(window.action(Action::OpenOutput)->isEnabled());
    QVERIFY(window.action(Action::ShowInFolder)->isEnabled());
    window.action(Action::ClearFinished)->trigger();
    QCOMPARE(f.manager.order().size(), 0);
    QCOMPARE(window.model()->rowCount(), 0);
}

void TestMainWindow::invalidAdvancedValuesBlockSubmit()
{
    Fixture f(freshRoot("invalid"), false);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    ui::AdvancedPanel* panel = window.advancedPanel();
    QVERIFY(panel->errors().isEmpty());

    // A bitrate that is not one: shown under the field as it is typed, and nothing is queued.
    panel->rateModeBox()->setCurrentIndex(0);
    panel->bitrateEdit()->setText(QStringLiteral("fast"));
    QVERIFY2(panel->errorText(QStringLiteral("bitrate")).contains(QStringLiteral("not a bitrate")),
        qPrintable(panel->errorText(QStringLiteral("bitrate"))));
    QVERIFY(!window.submitFiles({ m_clip }));
    QCOMPARE(f.manager.order().size(), 0);
    QCOMPARE(window.messageBar()->kind(), ui::MessageBar::Kind::Error);
    QVERIFY2(window.messageBar()->text().contains(QStringLiteral("bitrate")),
        qPrintable(window.messageBar()->text()));

    // Dropped or command-line paths are refused the same way, before any probing.
    QSignalSpy processed(&window, &ui::MainWindow::pathsProcessed);
    window.addPaths({ m_clip });
    QCOMPARE(processed.count(), 1);
    QCOMPARE(processed.first().at(0).toInt(), 0);
    QCOMPARE(f.manager.order().size(), 0);

    // Values the validator rejects for this codec and container are shown under their own fields.
    panel->bitrateEdit()->setText(QStringLiteral("1500k"));
    QVERIFY(panel->errorText(QStringLiteral("bitrate")).isEmpty());
    panel->rateModeBox()->setCurrentIndex(1);
    panel->crfBox()->setValue(60);
    QVERIFY2(panel->errorText(QStringLiteral("crf")).contains(QStringLiteral("0 to 51")),
        qPrintable(panel->errorText(QStringLiteral("crf"))));
    panel->crfBox()->setValue(23);
    panel->resolutionBox()->setEditText(QStringLiteral("721x480"));
    QVERIFY(panel->errorText(QStringLiteral("resolution")).contains(QStringLiteral("even")));
    panel->resolutionBox()->setEditText(QStringLiteral("huge"));
    QVERIFY(panel->errorText(QStringLiteral("resolution")).contains(QStringLiteral("not a resolution")));
    panel->resolutionBox()->setEditText(QStringLiteral("720p"));
    panel->fpsBox()->setEditText(QStringLiteral("1000"));
    QVERIFY(!panel->errorText(QStringLiteral("fps")).isEmpty());
    panel->fpsBox()->setEditText(QStringLiteral("25"));
    panel->containerBox()->setCurrentIndex(panel->containerBox()->findData(QStringLiteral("webm")));
    QVERIFY2(panel->errorText(QStringLiteral("codec")).contains(QStringLiteral("webm")),
        qPrintable(panel->errorText(QStringLiteral("codec"))));
    QVERIFY(!window.submitFiles({ m_clip }));
    QCOMPARE(f.manager.order().size(), 0);

    panel->videoCodecBox()->setCurrentIndex(panel->videoCodecBox()->findData(QStringLiteral("libvpx-vp9")));
    panel->audioCodecBox()->setCurrentIndex(panel->audioCodecBox()->findData(QStringLiteral("libopus")));
    QVERIFY2(panel->errors().isEmpty(), qPrintable(panel->errors().value(0).message));

    // The range: times as typed, checked as the job's start and end are.
    panel->rangeStartEdit()->setText(QStringLiteral("soon"));
    QVERIFY2(panel->errorText(QStringLiteral("start")).contains(QStringLiteral("not a time")),
        qPrintable(panel->errorText(QStringLiteral("start"))));
    panel->rangeStartEdit()->setText(QStringLiteral("00:00:01.5"));
    panel->rangeEndEdit()->setText(QStringLiteral("1"));
    QVERIFY2(!panel->errorText(QStringLiteral("end")).isEmpty(), "an end before the start");
    QVERIFY(!window.submitFiles({ m_clip }));
    panel->rangeEndEdit()->setText(QStringLiteral("2"));
    QCOMPARE(panel->splitBox()->currentData().toString(), QStringLiteral("auto"));
    panel->splitBox()->setCurrentIndex(panel->splitBox()->findData(QStringLiteral("off")));
    QVERIFY2(panel->errors().isEmpty(), qPrintable(panel->errors().value(0).message));
    QVERIFY(window.submitFiles({ m_clip }));
    QCOMPARE(f.manager.order().size(), 1);
    const jobs::Job* job = f.manager.find(f.manager.order().first());
    QCOMPARE(job->spec.container, QStringLiteral("webm"));
    QCOMPARE(job->spec.settings.crf, 23);
    QCOMPARE(job->spec.settings.resolution, media::Resolution::maxHeight(720));
    QCOMPARE(job->spec.settings.fpsNum, 25);
    QCOMPARE(job->spec.settings.startSeconds, 1.5);
    QCOMPARE(job->spec.settings.endSeconds, 2.0);
    QCOMPARE(job->spec.split, QStringLiteral("off"));
    QVERIFY(window.presetPicker()->isModified());
    QVERIFY(job->spec.presetName.contains(QStringLiteral("modified")));
}

void TestMainWindow::failureIsNotifiedAndCopyable()
{
    Fixture f(freshRoot("failure"), false);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    // An input that vanishes after it was queued makes a job fail at start.
    const QString doomed = freshRoot("failure/doomed.mp4");
    QVERIFY(QFile::copy(m_clip, doomed));
    auto id = f.manager.submit(testing::tinySpec(doomed, freshRoot("failure/out")));
    QVERIFY(id.ok());
    QVERIFY(QFile::remove(doomed));
    QSignalSpy notices(window.trayNotifier(), &ui::TrayNotifier::noticeShown);
    f.manager.resume();
    QTRY_COMPARE_WITH_TIMEOUT(testing::stateOf(f.manager, *id), QStringLiteral("failed"), 30000);
    QTRY_VERIFY(notices.count() >= 1);
    QVERIFY2(notices.first().at(0).toString().contains(QStringLiteral("doomed.mp4")),
        qPrintable(notices.first().at(0).toString()));
    QTRY_VERIFY(window.trayNotifier()->lastNotice().contains(QStringLiteral("queue is done")));

    const QString error = f.manager.find(*id)->error;
    QVERIFY(!error.isEmpty());
    QCOMPARE(
        window.proxy()->index(0, ui::JobTableModel::Error).data().toString(), error.section(u'\n', 0, 0));
    selectJob(window, *id);
    QVERIFY(window.action(Action::CopyError)->isEnabled());
    window.action(Action::CopyError)->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), error);
    QTRY_VERIFY(window.countsLabel()->text().contains(QStringLiteral("1 failed")));

    // With notifications off, nothing is shown.
    f.settings.setNotificationsEnabled(false);
    notices.clear();
    QVERIFY(window.action(Action::Retry)->isEnabled());
    window.action(Action::Retry)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(testing::stateOf(f.manager, *id), QStringLiteral("failed"), 30000);
    QTest::qWait(50);
    QCOMPARE(notices.count(), 0);
}

void TestMainWindow::layoutAndPresetAreRestored()
{
    const QString root = freshRoot("restore");
    int nameWidth = 0;
    {
        Fixture f(root, false);
        QVERIFY(f.manager.open().ok());
        ui::MainWindow window(f.manager, f.presets, f.settings);
        // Within the offscreen platform's 800x600 screen: Qt 6.8 fits a restored window onto it.
        window.resize(720, 560);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.presetPicker()->select(QStringLiteral("HEVC 1080p quality")));
        window.queueView()->horizontalHeader()->resizeSection(ui::JobTableModel::Name, 333);
        nameWidth = window.queueView()->horizontalHeader()->sectionSize(ui::JobTableModel::Name);
        QVERIFY(window.close());
    }
    Fixture f(root, false);
    QVERIFY(f.manager.open().ok());
    QCOMPARE(f.settings.lastPreset(), QStringLiteral("HEVC 1080p quality"));
    ui::MainWindow window(f.manager, f.presets, f.settings);
    QCOMPARE(window.presetPicker()->selectedName(), QStringLiteral("HEVC 1080p quality"));
    QCOMPARE(window.advancedPanel()->videoCodecBox()->currentData().toString(), QStringLiteral("libx265"));
    QCOMPARE(window.queueView()->horizontalHeader()->sectionSize(ui::JobTableModel::Name), nameWidth);
    QCOMPARE(window.size(), QSize(720, 560));
}

void TestMainWindow::presetsCanBeSavedRenamedAndDeleted()
{
    Fixture f(freshRoot("presets"), false);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    ui::PresetPicker* picker = window.presetPicker();
    QVERIFY(picker->select(QStringLiteral("H.264 1080p")));
    window.advancedPanel()->audioBitrateBox()->setEditText(QStringLiteral("192k"));
    QVERIFY(picker->isModified());
    QVERIFY(picker->saveAs(QStringLiteral("Mine")).ok());
    QCOMPARE(picker->selectedName(), QStringLiteral("Mine"));
    QVERIFY(!picker->isModified());
    QCOMPARE(f.presets.find(QStringLiteral("Mine"))->settings.audioBitrate, 192000);

    QVERIFY(picker->renameSelected(QStringLiteral("Mine, renamed")).ok());
    QVERIFY(!f.presets.find(QStringLiteral("Mine")));
    const QString exported = freshRoot("presets/exported.json");
    QVERIFY(picker->exportSelected(exported).ok());
    QVERIFY(picker->removeSelected().ok());
    QVERIFY(!f.presets.find(QStringLiteral("Mine, renamed")));
    QVERIFY(picker->importFrom(exported).ok());
    QCOMPARE(picker->selectedName(), QStringLiteral("Mine, renamed"));
    // Built-ins stay.
    QVERIFY(picker->select(QStringLiteral("H.264 720p 1000k")));
    QVERIFY(!picker->removeSelected().ok());
}

void TestMainWindow::everyBuiltInPresetLoadsUnmodifiedAndValid()
{
    Fixture f(freshRoot("builtins"), false);
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    int builtIns = 0;
    for (const media::Preset& preset : f.presets.presets()) {
        if (!preset.builtIn)
            continue;
        ++builtIns;
        QVERIFY(window.presetPicker()->select(preset.name));
        QVERIFY2(window.advancedPanel()->errors().isEmpty(), qPrintable(preset.name));
        QVERIFY2(!window.presetPicker()->isModified(), qPrintable(preset.name));
        auto spec = window.specTemplate();
        QVERIFY(spec.ok());
        QCOMPARE(spec->container, preset.container);
        QVERIFY2(spec->settings == preset.settings,
            qPrintable(preset.name + QStringLiteral(": ")
                + QString::fromUtf8(QJsonDocument(spec->settings.toJson()).toJson(QJsonDocument::Compact))));
        QCOMPARE(spec->presetName, preset.name);
    }
    QVERIFY(builtIns >= 6);
}

void TestMainWindow::closingWhileJobsRunAsks()
{
    // The job runs until the window's answer stops it: nothing here races an encode.
    Fixture f(freshRoot("closing"), true, std::make_shared<test::FakeWorkers>());
    QVERIFY(f.manager.open().ok());
    ui::MainWindow window(f.manager, f.presets, f.settings);
    window.show();
    auto id = f.manager.submit(testing::tinySpec(m_clip, freshRoot("closing/out")));
    QVERIFY(id.ok());
    QCOMPARE(f.manager.runningCount(), 1);

    // The question is modal; answer it from the event loop it runs.
    QString asked;
    auto answer = [&asked](const QString& button) {
        QTimer::singleShot(0, [&asked, button] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            asked = box->text();
            for (QAbstractButton* b : box->buttons()) {
                if (b->text() == button)
                    b->click();
            }
        });
    };
    answer(QStringLiteral("Cancel closing"));
    QVERIFY(!window.close());
    QVERIFY2(asked.contains(QStringLiteral("still running")), qPrintable(asked));
    QVERIFY(window.isVisible());
    QCOMPARE(testing::stateOf(f.manager, *id), QStringLiteral("started"));

    asked.clear();
    answer(QStringLiteral("Stop and requeue"));
    QVERIFY(window.close());
    QVERIFY(!asked.isEmpty());
    // The application shuts the manager down after the window; the job waits for the next start.
    f.manager.shutdown();
    JobManager reopened(testing::managerOptions(freshRoot("closing/data"), false));
    QVERIFY(reopened.open().ok());
    QCOMPARE(testing::stateOf(reopened, *id), QStringLiteral("queued"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
