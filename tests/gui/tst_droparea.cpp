#include "advancedpanel.h"
#include "appsettings.h"
#include "droparea.h"
#include "guitestsupport.h"
#include "jobmanager.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "presetpicker.h"

#include <QDropEvent>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace vtfarm;
using jobs::JobManager;

class TestDropArea : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void dropQueuesVideosWithTheChosenPreset();
    void dropOfNothingButOtherFilesSaysSo();
    void dragWithoutLocalFilesIsRefused();
    void fiveHundredFilesDoNotBlockTheWindow();

private:
    bool drop(QWidget* target, const QList<QUrl>& urls);
    QTemporaryDir m_dir;
    QString m_folder;
    QString m_single;
};

void TestDropArea::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    // A folder as a person has it: videos at two depths, a text file, and a "video" that is not one.
    m_folder = m_dir.filePath("holiday");
    QVERIFY(!testing::makeClip(m_folder + "/beach.mp4").isEmpty());
    QVERIFY(!testing::makeClip(m_folder + "/day 2/boat.mov", { 320, 240 }).isEmpty());
    testing::writeText(m_folder + "/notes.txt", "list of shots\n");
    testing::writeText(m_folder + "/day 2/broken.mkv", "this is not a matroska file\n");
    m_single = testing::makeClip(m_dir.filePath("elsewhere/single.mp4"));
    QVERIFY(!m_single.isEmpty());
}

bool TestDropArea::drop(QWidget* target, const QList<QUrl>& urls)
{
    QMimeData mime;
    mime.setUrls(urls);
    const QPoint pos = target->rect().center();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent dropEvent(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropEvent);
    return dropEvent.isAccepted();
}

void TestDropArea::dropQueuesVideosWithTheChosenPreset()
{
    JobManager manager(testing::managerOptions(m_dir.filePath("data-drop"), false));
    QVERIFY(manager.open().ok());
    media::PresetLibrary presets(m_dir.filePath("presets-drop"));
    ui::AppSettings settings(m_dir.filePath("drop.ini"));
    ui::MainWindow window(manager, presets, settings);
    QVERIFY(window.presetPicker()->select(QStringLiteral("VP9 WebM 720p")));
    const media::Preset* vp9 = presets.find(QStringLiteral("VP9 WebM 720p"));
    QVERIFY(vp9);

    QSignalSpy processed(&window, &ui::MainWindow::pathsProcessed);
    QVERIFY(drop(window.dropArea(), { QUrl::fromLocalFile(m_folder), QUrl::fromLocalFile(m_single) }));
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), 1, 30000);
    QCOMPARE(processed.first().at(0).toInt(), 3);
    QCOMPARE(processed.first().at(1).toInt(), 2);

    QStringList inputs;
    for (const QUuid& id : manager.order()) {
        const jobs::Job* job = manager.find(id);
        inputs.append(job->spec.input);
        QCOMPARE(job->spec.presetName, QStringLiteral("VP9 WebM 720p"));
        QCOMPARE(job->spec.container, QStringLiteral("webm"));
        QCOMPARE(job->spec.settings.videoCodec, vp9->settings.videoCodec);
        QCOMPARE(job->spec.settings.resolution, vp9->settings.resolution);
        QCOMPARE(jobs::jobStateName(job->state), QStringLiteral("queued"));
        QVERIFY(job->outputPath.endsWith(QStringLiteral(".webm")));
    }
    // Folder contents sorted as a file manager shows them, then the single file.
    QCOMPARE(inputs, QStringList({ m_folder + "/beach.mp4", m_folder + "/day 2/boat.mov", m_single }));

    // The skipped files are named once, in one notice, and the job count matches the queue.
    const QString notice = window.messageBar()->text();
    QVERIFY2(notice.contains(QStringLiteral("Queued 3 videos")), qPrintable(notice));
    QVERIFY2(notice.contains(QStringLiteral("notes.txt")) && notice.contains(QStringLiteral("broken.mkv")),
        qPrintable(notice));
    QCOMPARE(window.messageBar()->kind(), ui::MessageBar::Kind::Warning);
    QVERIFY(window.messageBar()->toolTip().contains(QStringLiteral("not a video file")));

    // Dropping on the queue side of the window works the same way.
    processed.clear();
    QVERIFY(drop(&window, { QUrl::fromLocalFile(m_single) }));
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), 1, 30000);
    QCOMPARE(manager.order().size(), 4);
}

void TestDropArea::dropOfNothingButOtherFilesSaysSo()
{
    JobManager manager(testing::managerOptions(m_dir.filePath("data-none"), false));
    QVERIFY(manager.open().ok());
    media::PresetLibrary presets(m_dir.filePath("presets-none"));
    ui::AppSettings settings(m_dir.filePath("none.ini"));
    ui::MainWindow window(manager, presets, settings);
    QSignalSpy processed(&window, &ui::MainWindow::pathsProcessed);
    QVERIFY(drop(window.dropArea(), { QUrl::fromLocalFile(m_folder + "/notes.txt") }));
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), 1, 30000);
    QCOMPARE(manager.order().size(), 0);
    QVERIFY2(window.messageBar()->text().contains(QStringLiteral("notes.txt")),
        qPrintable(window.messageBar()->text()));
    QVERIFY(window.messageBar()->isVisibleTo(&window));
}

void TestDropArea::dragWithoutLocalFilesIsRefused()
{
    ui::DropArea area;
    QMimeData mime;
    mime.setText(QStringLiteral("just text"));
    QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&area, &enter);
    QVERIFY(!enter.isAccepted());
    mime.setUrls({ QUrl(QStringLiteral("https://example.org/video.mp4")) });
    QDragEnterEvent remote(QPoint(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&area, &remote);
    QVERIFY(!remote.isAccepted());
}

void TestDropArea::fiveHundredFilesDoNotBlockTheWindow()
{
    // 500 copies of a clip: the drop returns at once and the event loop keeps running while they are probed.
    const QString many = m_dir.filePath("many");
    QDir().mkpath(many);
    for (int i = 0; i < 500; ++i)
        QVERIFY(QFile::copy(
            m_single, QStringLiteral("%1/clip-%2.mp4").arg(many).arg(i, 3, 10, QLatin1Char('0'))));
    JobManager manager(testing::managerOptions(m_dir.filePath("data-many"), false));
    QVERIFY(manager.open().ok());
    media::PresetLibrary presets(m_dir.filePath("presets-many"));
    ui::AppSettings settings(m_dir.filePath("many.ini"));
    ui::MainWindow window(manager, presets, settings);
    QSignalSpy processed(&window, &ui::MainWindow::pathsProcessed);

    QElapsedTimer clock;
    clock.start();
    QVERIFY(drop(window.dropArea(), { QUrl::fromLocalFile(many) }));
    const qint64 dropMs = clock.elapsed();
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(10);
    QTRY_COMPARE_WITH_TIMEOUT(processed.count(), 1, 120000);
    qInfo("500 files: drop handled in %lld ms, probed and queued in %lld ms, event loop ticked %d times "
          "meanwhile",
        dropMs, clock.elapsed(), ticks);
    QCOMPARE(manager.order().size(), 500);
    QVERIFY2(dropMs < 1000, "the drop handler waited for the probing");
}

QTEST_MAIN(TestDropArea)
#include "tst_droparea.moc"
