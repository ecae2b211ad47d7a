// Watch folders on real folders and files: a file is taken once, when complete, across restarts.

#include "fixtures.h"
#include "jobmanager.h"
#include "jobstore.h"
#include "presets.h"
#include "watchconfig.h"
#include "watchfolder.h"
#include "watchfolders.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::watch;
using jobs::JobManager;
using jobs::JobState;

namespace {

constexpr int kTimeoutMs = 60'000;

JobManager::Options inProcess(const QString& dataDir)
{
    JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = 2;
    o.worker.mode = jobs::WorkerProcess::Mode::InProcess;
    return o;
}

/// A watch of \a folder into \a output that settles in 1 s and looks every 0.2 s, so that a test
/// waits for conditions rather than for the default 5 and 10 s.
WatchFolderConfig quickWatch(const QString& folder, const QString& output)
{
    WatchFolderConfig c;
    c.folder = folder;
    c.outputDir = output;
    c.settings = test::fastSettings();
    c.settleMs = 1000;
    c.rescanMs = 200;
    return c;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

int jobCount(const JobManager& manager)
{
    return int(manager.order().size());
}

bool allEnded(const JobManager& manager)
{
    for (const QUuid& id : manager.order()) {
        if (!jobs::isFinal(manager.find(id)->state))
            return false;
    }
    return true;
}

} // namespace

class TestWatchFolder : public QObject
{
    Q_OBJECT

private:
    test::MediaFixtures m_media;
    QString m_clip, m_other;

    /// Waits until \a folder has looked at its folder \a n more times (its rescan interval), so that a
    /// check that nothing happened comes after it had every chance to happen.
    static bool waitForRescans(WatchFolder& folder, int n)
    {
        QSignalSpy scans(&folder, &WatchFolder::scanned);
        return QTest::qWaitFor([&] { return scans.count() >= n; }, kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        test::quietLibavLog();
        QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
        m_clip = m_media.clip();
        QVERIFY2(!m_clip.isEmpty(), qPrintable(m_media.errorString()));
        m_other = m_media.sized(QStringLiteral("other.mp4"), { 320, 240 }, 1.0);
        QVERIFY2(!m_other.isEmpty(), qPrintable(m_media.errorString()));
    }

    void incompleteNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("incomplete");
        QTest::newRow("video") << "clip.mp4" << false;
        QTest::newRow("dots") << "my.holiday.2024.mkv" << false;
        QTest::newRow("hidden") << ".clip.mp4" << true;
        QTest::newRow("part") << "clip.mp4.part" << true;
        QTest::newRow("part inside") << "clip.part.mp4" << true;
        QTest::newRow("tilde") << "clip.mp4~" << true;
        QTest::newRow("office lock") << "~$clip.mp4" << true;
        QTest::newRow("tmp") << "clip.mp4.tmp" << true;
        QTest::newRow("chrome") << "clip.mp4.crdownload" << true;
        QTest::newRow("partial") << "clip.mp4.partial" << true;
        QTest::newRow("qbittorrent") << "clip.mp4.!qB" << true;
        QTest::newRow("safari") << "clip.mp4.download" << true;
        QTest::newRow("rsync") << ".clip.mp4.Xy12Ab" << true;
    }

    void incompleteNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, incomplete);
        QCOMPARE(isIncompleteFileName(name), incomplete);
    }

    void aSlowlyWrittenFileBecomesOneJobAfterItsLastWrite()
    {
        QTemporaryDir data, in, out;
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolder folder(quickWatch(in.path(), out.path()), manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QVERIFY(folder.start().ok());
        QCOMPARE(folder.state(), WatchFolder::State::Watching);

        // Twelve pieces, one every half second: about 6 s, far longer than the 1 s settle time.
        const QByteArray bytes = readAll(m_clip);
        QVERIFY(!bytes.isEmpty());
        const QString target = QDir(in.path()).filePath(QStringLiteral("slow.mp4"));
        QFile file(target);
        QVERIFY(file.open(QIODevice::WriteOnly));
        constexpr int kPieces = 12;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < kPieces; ++i) {
            const qsizetype from = bytes.size() * i / kPieces, to = bytes.size() * (i + 1) / kPieces;
            QCOMPARE(file.write(bytes.mid(from, to - from)), to - from);
            QVERIFY(file.flush());
            QTest::qWait(500);
            QCOMPARE(taken.count(), 0); // nothing while the file grows
            QCOMPARE(jobCount(manager), 0);
        }
        const qint64 lastWrite = clock.elapsed() - 500;
        file.close();
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        const qint64 takenAt = clock.elapsed();
        qInfo("taken %lld ms after the last write (settle time 1000 ms)", takenAt - lastWrite);
        QVERIFY(takenAt - lastWrite >= 1000);
        QCOMPARE(taken.first().at(0).toString(), target);
        QCOMPARE(jobCount(manager), 1);
        const QUuid id = taken.first().at(1).toUuid();
        QCOMPARE(manager.find(id)->spec.source, jobs::JobSource::Watch);
        QTRY_COMPARE_WITH_TIMEOUT(manager.find(id)->state, JobState::Finished, kTimeoutMs);
        QCOMPARE(manager.find(id)->outputPath, QDir(out.path()).filePath(QStringLiteral("slow.mp4")));
        QVERIFY(QFileInfo::exists(manager.find(id)->outputPath));
        // Still one job once the folder has been looked at again and again.
        QVERIFY(waitForRescans(folder, 5));
        QCOMPARE(jobCount(manager), 1);
        QCOMPARE(folder.jobCount(), 1);
    }

    void unfinishedNamesWaitForTheirFinalName()
    {
        QTemporaryDir data, in, out;
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolder folder(quickWatch(in.path(), out.path()), manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QVERIFY(folder.start().ok());
        const QByteArray bytes = readAll(m_clip);
        const QDir dir(in.path());
        for (const char* name : { "clip.mp4.part", ".clip.mp4", "clip.mp4~", "clip.part.mp4", "clip.mp4.tmp",
                 "clip.mp4.crdownload", "clip.mp4.!qB", "notes.txt" })
            QVERIFY(writeFile(dir.filePath(QLatin1String(name)), bytes));
        // A complete file written after them is taken; had any of them been taken, it would have
        // been by then, as they settled first.
        QVERIFY(writeFile(dir.filePath(QStringLiteral("control.mp4")), bytes));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QCOMPARE(taken.first().at(0).toString(), dir.filePath(QStringLiteral("control.mp4")));
        QVERIFY(waitForRescans(folder, 3));
        QCOMPARE(taken.count(), 1);
        QCOMPARE(jobCount(manager), 1);
        // Renamed to its final name, it is a new file that settles and is taken.
        QVERIFY(QFile::rename(
            dir.filePath(QStringLiteral("clip.mp4.part")), dir.filePath(QStringLiteral("clip.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 2, kTimeoutMs);
        QCOMPARE(taken.last().at(0).toString(), dir.filePath(QStringLiteral("clip.mp4")));
        QVERIFY(waitForRescans(folder, 3));
        QCOMPARE(jobCount(manager), 2);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
    }

    void aRestartDoesNotTakeAFileAgainButAReplacedFileIsTaken()
    {
        QTemporaryDir data, in, out;
        const QString path = QDir(in.path()).filePath(QStringLiteral("clip.mp4"));
        QVERIFY(QFile::copy(m_clip, path));
        {
            JobManager manager(inProcess(data.path()));
            QVERIFY(manager.open().ok());
            WatchFolder folder(quickWatch(in.path(), out.path()), manager);
            QSignalSpy taken(&folder, &WatchFolder::fileTaken);
            QVERIFY(folder.start().ok());
            QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
            QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
        }
        {
            JobManager manager(inProcess(data.path()));
            QVERIFY(manager.open().ok());
            QCOMPARE(jobCount(manager), 1);
            WatchFolder folder(quickWatch(in.path(), out.path()), manager);
            QSignalSpy taken(&folder, &WatchFolder::fileTaken);
            QVERIFY(folder.start().ok());
            QCOMPARE(folder.jobCount(), 1); // the store's count, from the first run
            // A new file is taken; the old one, there all along, is not.
            const QString fresh = QDir(in.path()).filePath(QStringLiteral("fresh.mp4"));
            QVERIFY(QFile::copy(m_clip, fresh));
            QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
            QCOMPARE(taken.first().at(0).toString(), fresh);
            QVERIFY(waitForRescans(folder, 3));
            QCOMPARE(taken.count(), 1);
            QCOMPARE(jobCount(manager), 2);

            // Another file under the old name: another size and time.
            QVERIFY(QFile::remove(path));
            QVERIFY(QFile::copy(m_other, path));
            QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 2, kTimeoutMs);
            QCOMPARE(taken.last().at(0).toString(), path);
            QCOMPARE(jobCount(manager), 3);
            QCOMPARE(folder.jobCount(), 3);
            QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
            // The second output did not overwrite the first.
            QVERIFY(QFileInfo::exists(QDir(out.path()).filePath(QStringLiteral("clip.mp4"))));
            QVERIFY(QFileInfo::exists(QDir(out.path()).filePath(QStringLiteral("clip (1).mp4"))));
        }
    }

    void aFolderThatDisappearsIsReportedAndPickedUpWhenItReturns()
    {
        QTemporaryDir data, root, out;
        const QString in = QDir(root.path()).filePath(QStringLiteral("mount"));
        QVERIFY(QDir().mkpath(in));
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolder folder(quickWatch(in, out.path()), manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QSignalSpy notices(&folder, &WatchFolder::notice);
        QVERIFY(folder.start().ok());
        QCOMPARE(folder.state(), WatchFolder::State::Watching);

        QVERIFY(QDir(in).removeRecursively());
        QTRY_COMPARE_WITH_TIMEOUT(folder.state(), WatchFolder::State::Missing, kTimeoutMs);
        QCOMPARE(notices.count(), 1);
        QVERIFY(notices.first().at(1).toBool()); // a problem
        QVERIFY(notices.first().at(0).toString().contains(in));
        QVERIFY(folder.statusText().contains(QStringLiteral("missing")));
        // Said once, however often it is looked for.
        QVERIFY(waitForRescans(folder, 3));
        QCOMPARE(notices.count(), 1);

        QVERIFY(QDir().mkpath(in));
        QVERIFY(QFile::copy(m_clip, QDir(in).filePath(QStringLiteral("back.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(folder.state(), WatchFolder::State::Watching, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QCOMPARE(notices.count(), 2);
        QVERIFY(!notices.last().at(1).toBool()); // back to normal
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
    }

    void aFolderMissingAtTheStartIsWaitedFor()
    {
        QTemporaryDir data, root, out;
        const QString in = QDir(root.path()).filePath(QStringLiteral("later"));
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolder folder(quickWatch(in, out.path()), manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QVERIFY(folder.start().ok());
        QCOMPARE(folder.state(), WatchFolder::State::Missing);
        QVERIFY(QDir().mkpath(in));
        QVERIFY(QFile::copy(m_clip, QDir(in).filePath(QStringLiteral("clip.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
    }

    void recursiveOrNot()
    {
        QTemporaryDir data, in, out;
        const QDir dir(in.path());
        QVERIFY(dir.mkpath(QStringLiteral("day1/cam")));
        QVERIFY(QFile::copy(m_clip, dir.filePath(QStringLiteral("top.mp4"))));
        QVERIFY(QFile::copy(m_clip, dir.filePath(QStringLiteral("day1/cam/deep.mp4"))));
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        {
            WatchFolder flat(quickWatch(in.path(), out.path()), manager);
            QSignalSpy taken(&flat, &WatchFolder::fileTaken);
            QVERIFY(flat.start().ok());
            // deep.mp4, there as long as top.mp4, would have been taken with it.
            QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
            QCOMPARE(taken.first().at(0).toString(), dir.filePath(QStringLiteral("top.mp4")));
            QVERIFY(waitForRescans(flat, 3));
            QCOMPARE(taken.count(), 1);
        }
        WatchFolderConfig config = quickWatch(in.path(), out.path());
        config.name = QStringLiteral("deep");
        config.recursive = true;
        WatchFolder deep(config, manager);
        QSignalSpy taken(&deep, &WatchFolder::fileTaken);
        QVERIFY(deep.start().ok());
        // top.mp4 was taken already (the store says so, whichever watch took it).
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QCOMPARE(taken.first().at(0).toString(), dir.filePath(QStringLiteral("day1/cam/deep.mp4")));
        // A file that appears in a subfolder made after the watch began is found too.
        QVERIFY(dir.mkpath(QStringLiteral("day2")));
        QVERIFY(QFile::copy(m_clip, dir.filePath(QStringLiteral("day2/later.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 2, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
        // The subfolders are mirrored in the output folder.
        QVERIFY(QFileInfo::exists(QDir(out.path()).filePath(QStringLiteral("day1/cam/deep.mp4"))));
        QVERIFY(QFileInfo::exists(QDir(out.path()).filePath(QStringLiteral("day2/later.mp4"))));
        QCOMPARE(deep.jobCount(), 2);
    }

    void outputsInsideARecursiveWatchAreNotTakenAgain()
    {
        QTemporaryDir data, in;
        const QString out = QDir(in.path()).filePath(QStringLiteral("done"));
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolderConfig config = quickWatch(in.path(), out);
        config.recursive = true;
        WatchFolder folder(config, manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QVERIFY(folder.start().ok());
        QVERIFY(QFile::copy(m_clip, QDir(in.path()).filePath(QStringLiteral("clip.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
        QVERIFY(QFileInfo::exists(QDir(out).filePath(QStringLiteral("clip.mp4"))));
        // A file copied in after the output was written is taken; the output is not.
        QVERIFY(QFile::copy(m_clip, QDir(in.path()).filePath(QStringLiteral("next.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 2, kTimeoutMs);
        QCOMPARE(taken.last().at(0).toString(), QDir(in.path()).filePath(QStringLiteral("next.mp4")));
        QVERIFY(waitForRescans(folder, 3));
        QCOMPARE(taken.count(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
        // The output folder being the watched folder itself is refused outright.
        WatchFolder same(quickWatch(in.path(), in.path()), manager);
        QCOMPARE(same.start().error().field, QStringLiteral("output"));
    }

    void aPausedFolderTakesNothingUntilResumed()
    {
        QTemporaryDir data, in, out;
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolderConfig config = quickWatch(in.path(), out.path());
        config.paused = true;
        WatchFolder folder(config, manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QVERIFY(folder.start().ok());
        QCOMPARE(folder.state(), WatchFolder::State::Paused);
        QVERIFY(QFile::copy(m_clip, QDir(in.path()).filePath(QStringLiteral("clip.mp4"))));
        // Ten rescan intervals: twice the settle time.
        QVERIFY(waitForRescans(folder, 10));
        QCOMPARE(taken.count(), 0);
        folder.setPaused(false);
        QCOMPARE(folder.state(), WatchFolder::State::Watching);
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
    }

    void aFileThatCannotBeQueuedIsReportedAndTriedAgain()
    {
        QTemporaryDir data, in, root;
        // The output folder cannot be made: a file is in its way.
        const QString blocker = QDir(root.path()).filePath(QStringLiteral("blocked"));
        QVERIFY(writeFile(blocker, "x"));
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolder folder(quickWatch(in.path(), QDir(blocker).filePath(QStringLiteral("out"))), manager);
        QSignalSpy taken(&folder, &WatchFolder::fileTaken);
        QSignalSpy notices(&folder, &WatchFolder::notice);
        QVERIFY(folder.start().ok());
        QVERIFY(QFile::copy(m_clip, QDir(in.path()).filePath(QStringLiteral("clip.mp4"))));
        QTRY_COMPARE_WITH_TIMEOUT(notices.count(), 1, kTimeoutMs);
        QVERIFY(notices.first().at(0).toString().contains(QStringLiteral("could not be queued")));
        QVERIFY(!folder.lastProblem().isEmpty());
        QVERIFY(folder.statusText().contains(folder.lastProblem()));
        QCOMPARE(taken.count(), 0);
        // Once the way is clear, the next try takes it.
        QVERIFY(QFile::remove(blocker));
        QTRY_COMPARE_WITH_TIMEOUT(taken.count(), 1, kTimeoutMs);
        QVERIFY(folder.lastProblem().isEmpty());
        QCOMPARE(notices.count(), 1); // the same problem was said once
        QTRY_VERIFY_WITH_TIMEOUT(allEnded(manager), kTimeoutMs);
    }

    void theStoreRecordsWhatWasTaken()
    {
        QTemporaryDir data;
        jobs::JobStore store(data.path());
        QVERIFY(store.open().ok());
        const QUuid job = QUuid::createUuid();
        QVERIFY(
            store.markSeen({ QStringLiteral("/in/a.mp4"), 100, 5000, {}, QStringLiteral("cam"), job }).ok());
        QVERIFY(
            store.markSeen({ QStringLiteral("/in/sub/b.mp4"), 7, 9, {}, QStringLiteral("cam"), {} }).ok());
        QVERIFY(store.markSeen({ QStringLiteral("/elsewhere/c.mp4"), 1, 1, {}, QStringLiteral("other"), job })
                    .ok());
        QVERIFY(*store.isSeen(QStringLiteral("/in/a.mp4"), 100, 5000));
        QVERIFY(!*store.isSeen(QStringLiteral("/in/a.mp4"), 101, 5000));
        QVERIFY(!*store.isSeen(QStringLiteral("/in/a.mp4"), 100, 5001));
        QVERIFY(!*store.isSeen(QStringLiteral("/in/none.mp4"), 100, 5000));
        QCOMPARE(store.seenFiles(QStringLiteral("/in/"))->size(), 2);
        QCOMPARE(*store.seenCount(QStringLiteral("cam")), 1); // a file that made no job is not counted
        // Replaced: the path's record is the new file's.
        QVERIFY(
            store.markSeen({ QStringLiteral("/in/a.mp4"), 200, 6000, {}, QStringLiteral("cam"), job }).ok());
        QVERIFY(*store.isSeen(QStringLiteral("/in/a.mp4"), 200, 6000));
        QVERIFY(!*store.isSeen(QStringLiteral("/in/a.mp4"), 100, 5000));
        QCOMPARE(store.seenFiles(QStringLiteral("/in/"))->size(), 2);
    }

    void folderSetsApplyAList()
    {
        QTemporaryDir data, a, b, out;
        JobManager manager(inProcess(data.path()));
        QVERIFY(manager.open().ok());
        WatchFolders set(manager);
        WatchFolderConfig first = quickWatch(a.path(), out.path());
        first.name = QStringLiteral("a");
        WatchFolderConfig second = quickWatch(b.path(), out.path());
        second.name = QStringLiteral("b");
        QVERIFY(set.apply({ first, second }).isEmpty());
        QCOMPARE(set.folders().size(), 2);
        WatchFolder* kept = set.find(QStringLiteral("a"));
        // Pausing alone does not restart a folder.
        first.paused = true;
        QVERIFY(set.apply({ first }).isEmpty());
        QCOMPARE(set.folders().size(), 1);
        QCOMPARE(set.find(QStringLiteral("a")), kept);
        QCOMPARE(kept->state(), WatchFolder::State::Paused);
        // A bad one is reported by name; the others run.
        WatchFolderConfig bad = quickWatch(QStringLiteral("relative/path"), out.path());
        bad.name = QStringLiteral("bad");
        const QList<Error> errors = set.apply({ first, bad });
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().message.startsWith(QStringLiteral("bad: ")));
        QCOMPARE(set.folders().size(), 1);
    }

    void configFromIniKeys()
    {
        QTemporaryDir base;
        const media::PresetLibrary presets(QDir(base.path()).filePath(QStringLiteral("presets")));
        QMap<QString, QString> fields { { "folder", "camera" }, { "output", "/srv/out" },
            { "preset", "H.264 720p 1000k" }, { "pattern", "{name}-small" }, { "recursive", "yes" },
            { "settle", "2.5" }, { "bitrate", "2M" }, { "min_ssim", "0.95" }, { "skip_if_larger", "true" } };
        auto config = watchFolderFromFields(QStringLiteral("camera"), fields, presets, base.path());
        QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
        QCOMPARE(config->name, QStringLiteral("camera"));
        QCOMPARE(config->folder, QDir(base.path()).filePath(QStringLiteral("camera")));
        QCOMPARE(config->outputDir, QStringLiteral("/srv/out"));
        QCOMPARE(config->namePattern, QStringLiteral("{name}-small"));
        QVERIFY(config->recursive);
        QCOMPARE(config->settleMs, 2500);
        QCOMPARE(config->rescanMs, 10000);
        QCOMPARE(config->presetName, QStringLiteral("H.264 720p 1000k"));
        QCOMPARE(config->settings.videoBitrate, 2'000'000);
        QCOMPARE(config->settings.minSsim, 0.95);
        QVERIFY(config->settings.checksQuality());
        QVERIFY(config->settings.skipIfLarger);

        fields.insert(QStringLiteral("colour"), QStringLiteral("blue"));
        QCOMPARE(watchFolderFromFields(QStringLiteral("x"), fields, presets).error().field,
            QStringLiteral("colour"));
        fields.remove(QStringLiteral("colour"));
        fields.insert(QStringLiteral("settle"), QStringLiteral("soon"));
        QCOMPARE(watchFolderFromFields(QStringLiteral("x"), fields, presets).error().field,
            QStringLiteral("settle"));
        fields.insert(QStringLiteral("settle"), QStringLiteral("1"));
        fields.insert(QStringLiteral("bitrate"), QStringLiteral("fast"));
        QCOMPARE(watchFolderFromFields(QStringLiteral("x"), fields, presets).error().field,
            QStringLiteral("bitrate"));
        fields.remove(QStringLiteral("bitrate"));
        fields.remove(QStringLiteral("output"));
        QCOMPARE(watchFolderFromFields(QStringLiteral("x"), fields, presets).error().field,
            QStringLiteral("output"));
    }
};

QTEST_GUILESS_MAIN(TestWatchFolder)
#include "tst_watchfolder.moc"
