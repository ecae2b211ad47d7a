// The Watch folders page of the settings, its entries in AppSettings, and the window running them.

#include "appsettings.h"
#include "guitestsupport.h"
#include "jobtablemodel.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "watchfolders.h"
#include "watchfolderspage.h"

#include <QDir>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace vtfarm;
using ui::AppSettings;
using ui::WatchFolderSettings;
using ui::WatchFoldersPage;

class TestWatchFoldersPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_clip = testing::makeClip(m_dir.filePath(QStringLiteral("media/clip.mp4")));
        QVERIFY(!m_clip.isEmpty());
    }

    void entriesPersist()
    {
        const QString file = m_dir.filePath(QStringLiteral("persist.ini"));
        WatchFolderSettings a { QStringLiteral("/srv/camera"), QStringLiteral("/srv/web"),
            QStringLiteral("H.264 720p 1000k"), QStringLiteral("{name}-web"), true, 12, true };
        WatchFolderSettings b;
        b.folder = QStringLiteral("/srv/drop");
        b.outputFolder = QStringLiteral("/srv/out");
        {
            AppSettings s(file);
            QVERIFY(s.watchFolders().isEmpty());
            s.setWatchFolders({ a, b });
        }
        {
            AppSettings s(file);
            QCOMPARE(s.watchFolders(), (QList<WatchFolderSettings> { a, b }));
            s.setWatchFolders({ b });
        }
        AppSettings s(file);
        QCOMPARE(s.watchFolders(), QList<WatchFolderSettings> { b });
    }

    void thePageAddsRemovesAndPauses()
    {
        WatchFoldersPage page;
        WatchFolderSettings e;
        e.folder = m_dir.filePath(QStringLiteral("in"));
        e.outputFolder = m_dir.filePath(QStringLiteral("out"));
        QVERIFY(page.addEntry(e).ok());
        QCOMPARE(page.table()->rowCount(), 1);
        QCOMPARE(page.table()->item(0, WatchFoldersPage::Folder)->text(), e.folder);
        QCOMPARE(page.table()->item(0, WatchFoldersPage::Status)->text(),
            QStringLiteral("Starts when the settings are saved"));
        // Refused: the same folder twice, a relative path, outputs into the watched folder.
        QCOMPARE(page.addEntry(e).error().field, QStringLiteral("folder"));
        WatchFolderSettings relative = e;
        relative.folder = QStringLiteral("videos");
        QCOMPARE(page.addEntry(relative).error().field, QStringLiteral("folder"));
        WatchFolderSettings loop = e;
        loop.folder = m_dir.filePath(QStringLiteral("other"));
        loop.outputFolder = loop.folder;
        QCOMPARE(page.addEntry(loop).error().field, QStringLiteral("output"));
        QCOMPARE(page.entries().size(), 1);

        page.table()->selectRow(0);
        QVERIFY(page.pauseButton()->isEnabled());
        QCOMPARE(page.pauseButton()->text(), QStringLiteral("Pause"));
        page.pauseButton()->click();
        QVERIFY(page.entries().first().paused);
        QCOMPARE(page.table()->item(0, WatchFoldersPage::Status)->text(), QStringLiteral("Paused"));
        QCOMPARE(page.pauseButton()->text(), QStringLiteral("Resume"));
        page.removeButton()->click();
        QVERIFY(page.entries().isEmpty());
        QCOMPARE(page.table()->rowCount(), 0);
    }

    void theDialogSavesThePage()
    {
        const QString file = m_dir.filePath(QStringLiteral("dialog.ini"));
        WatchFolderSettings e;
        e.folder = m_dir.filePath(QStringLiteral("in"));
        e.outputFolder = m_dir.filePath(QStringLiteral("out"));
        {
            AppSettings s(file);
            ui::SettingsDialog dialog(s);
            QCOMPARE(dialog.tabs()->tabText(1), QStringLiteral("Watch folders"));
            QVERIFY(dialog.watchFoldersPage()->addEntry(e).ok());
            QVERIFY(dialog.apply());
        }
        AppSettings s(file);
        QCOMPARE(s.watchFolders(), QList<WatchFolderSettings> { e });
        ui::SettingsDialog again(s);
        QCOMPARE(again.watchFoldersPage()->entries(), QList<WatchFolderSettings> { e });
    }

    void theWindowRunsTheFoldersAndThePageShowsThem()
    {
        const QString root = m_dir.filePath(QStringLiteral("window"));
        const QString in = QDir(root).filePath(QStringLiteral("in"));
        const QString out = QDir(root).filePath(QStringLiteral("out"));
        QVERIFY(QDir().mkpath(in));
        jobs::JobManager manager(testing::managerOptions(root + "/data"));
        QVERIFY(manager.open().ok());
        media::PresetLibrary presets(root + "/presets");
        QVERIFY(presets.save(testing::tinyPreset()).ok());
        AppSettings settings(root + "/settings.ini");
        WatchFolderSettings e;
        e.folder = in;
        e.outputFolder = out;
        e.preset = testing::tinyPreset().name;
        e.settleSeconds = 1;
        settings.setWatchFolders({ e });

        ui::MainWindow window(manager, presets, settings);
        watch::WatchFolders folders(manager);
        window.setWatchFolders(&folders);
        QCOMPARE(folders.folders().size(), 1);
        watch::WatchFolder* folder = folders.find(QDir::cleanPath(in));
        QVERIFY(folder);
        QCOMPARE(folder->state(), watch::WatchFolder::State::Watching);
        QCOMPARE(folder->config().presetName, testing::tinyPreset().name);

        WatchFoldersPage page;
        page.setEntries(settings.watchFolders());
        page.setRunning(&folders);
        QCOMPARE(page.table()->item(0, WatchFoldersPage::Status)->text(), QStringLiteral("Watching"));
        QCOMPARE(page.table()->item(0, WatchFoldersPage::Jobs)->text(), QStringLiteral("0"));

        QVERIFY(QFile::copy(m_clip, QDir(in).filePath(QStringLiteral("clip.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(
            page.table()->item(0, WatchFoldersPage::Jobs)->text(), QStringLiteral("1"), 30'000);
        QCOMPARE(manager.order().size(), 1);
        const QUuid id = manager.order().first();
        QCOMPARE(manager.find(id)->spec.source, jobs::JobSource::Watch);
        QTRY_COMPARE_WITH_TIMEOUT(testing::stateOf(manager, id), QStringLiteral("finished"), 60'000);

        // Paused in the settings: the window pauses the running folder without restarting it.
        e.paused = true;
        settings.setWatchFolders({ e });
        window.setWatchFolders(&folders);
        QCOMPARE(folders.find(QDir::cleanPath(in)), folder);
        QCOMPARE(folder->state(), watch::WatchFolder::State::Paused);
        // Removed from the settings: it stops.
        settings.setWatchFolders({});
        window.setWatchFolders(&folders);
        QVERIFY(folders.folders().isEmpty());
        window.setWatchFolders(nullptr);
    }

private:
    QTemporaryDir m_dir;
    QString m_clip;
};

QTEST_MAIN(TestWatchFoldersPage)
#include "tst_watchfolderspage.moc"
