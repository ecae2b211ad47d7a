#include "fakeworkers.h"
#include "guitestsupport.h"
#include "jobmanager.h"
#include "jobtablemodel.h"
#include "statefilterproxy.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace vtfarm;
using jobs::JobManager;
using jobs::JobState;
using ui::JobTableModel;

class TestJobTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void staysConsistentWhileTheQueueChanges();
    void cellsShowTheJob();
    void filtersAndSortsByState();
    void listsASplitJobsSegmentsUnderIt();
    void loadsTenThousandJobs();

private:
    QTemporaryDir m_dir;
    QString m_clip;
};

void TestJobTableModel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_clip = testing::makeClip(m_dir.filePath("media/clip.mp4"));
    QVERIFY2(!m_clip.isEmpty(), "ffmpeg could not make a test clip");
}

void TestJobTableModel::listsASplitJobsSegmentsUnderIt()
{
    // Workers that hold what they are given: the split job stays split, with segments running and
    // queued, while the view is looked at.
    auto workers = std::make_shared<test::FakeWorkers>();
    JobManager manager(testing::managerOptions(m_dir.filePath("data-family"), true, 2, workers));
    QVERIFY(manager.open().ok());
    JobTableModel model(manager);
    ui::StateFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.sort(JobTableModel::Position);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    const QString out = m_dir.filePath("out-family");
    jobs::JobSpec first = testing::tinySpec(m_clip, out, QStringLiteral("first"));
    jobs::JobSpec split = testing::tinySpec(m_clip, out, QStringLiteral("split"));
    jobs::JobSpec last = testing::tinySpec(m_clip, out, QStringLiteral("last"));
    first.split = last.split = QStringLiteral("off");
    split.split = QStringLiteral("1");
    auto ids = manager.submitMany({ first, split, last });
    QVERIFY(ids.ok());
    const QUuid a = ids->at(0), s = ids->at(1), b = ids->at(2);
    QTRY_VERIFY_WITH_TIMEOUT(manager.find(s)->isParent() && model.rowCount() > 3, 30000);
    const int children = model.rowCount() - 3;
    QVERIFY(manager.find(s)->segmentsTotal() >= 2);

    // The queue lists three jobs, numbered 1 to 3; the split job's segments are folded under it.
    QCOMPARE(model.jobCount(), 3);
    QCOMPARE(model.placeOf(b), 2);
    QCOMPARE(proxy.rowCount(), 3);
    const auto idAt = [&proxy](int row) { return proxy.index(row, 0).data(JobTableModel::IdRole).toUuid(); };
    const auto nameAt = [&proxy](int row) { return proxy.index(row, JobTableModel::Name).data().toString(); };
    QCOMPARE(idAt(1), s);
    QCOMPARE(proxy.index(2, JobTableModel::Position).data().toInt(), 3);
    QVERIFY2(nameAt(1).startsWith(QStringLiteral("\u25B8 ")), qPrintable(nameAt(1)));

    // Expanded: the segments right under it, in queue order, with no number of their own.
    proxy.setExpanded(s, true);
    QCOMPARE(proxy.rowCount(), 3 + children);
    QVERIFY2(nameAt(1).startsWith(QStringLiteral("\u25BE ")), qPrintable(nameAt(1)));
    QCOMPARE(idAt(0), a);
    QCOMPARE(idAt(1), s);
    QCOMPARE(idAt(2 + children), b);
    QStringList names;
    for (int row = 2; row < 2 + children; ++row) {
        QCOMPARE(proxy.index(row, 0).data(JobTableModel::ParentRole).toUuid(), s);
        QVERIFY(!proxy.index(row, JobTableModel::Position).data().isValid());
        names << nameAt(row);
    }
    QVERIFY2(names.contains(QStringLiteral("Segment 1 of %1").arg(manager.find(s)->segmentsTotal())),
        qPrintable(names.join(u", ")));
    // Sorted the other way, the segments stay under their job.
    proxy.sort(JobTableModel::Position, Qt::DescendingOrder);
    QCOMPARE(idAt(0), b);
    QCOMPARE(idAt(1), s);
    QCOMPARE(proxy.index(2, 0).data(JobTableModel::ParentRole).toUuid(), s);
    QCOMPARE(idAt(2 + children), a);
    QStringList descending;
    for (int row = 2; row < 2 + children; ++row)
        descending << nameAt(row);
    QCOMPARE(descending, names);
    proxy.sort(JobTableModel::Position);

    // Up passes the job above, not the segments appended after it; a segment is not moved alone.
    QVERIFY(manager.move(b, JobManager::Move::Up).ok());
    QCOMPARE(model.placeOf(b), 1);
    QCOMPARE(idAt(1), b);
    QCOMPARE(idAt(2), s);
    const QUuid segment = proxy.index(3, 0).data(JobTableModel::IdRole).toUuid();
    QCOMPARE(manager.move(segment, JobManager::Move::Up).error().code, ErrorCode::Conflict);

    proxy.setExpanded(s, false);
    QCOMPARE(proxy.rowCount(), 3);
    manager.shutdown();
}

void TestJobTableModel::staysConsistentWhileTheQueueChanges()
{
    JobManager manager(testing::managerOptions(m_dir.filePath("data-consistency"), false));
    QVERIFY(manager.open().ok());
    JobTableModel model(manager);
    ui::StateFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.sort(JobTableModel::Position);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    QList<jobs::JobSpec> specs;
    for (int i = 0; i < 4; ++i)
        specs.append(
            testing::tinySpec(m_clip, m_dir.filePath("out-consistency"), QStringLiteral("{name}-%1").arg(i)));
    auto ids = manager.submitMany(specs);
    QVERIFY(ids.ok());
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(proxy.rowCount(), 4);

    // Reordering keeps a selection-like persistent index on its job.
    const QPersistentModelIndex first = model.index(0, JobTableModel::Name);
    QVERIFY(manager.move(ids->at(0), JobManager::Move::Bottom).ok());
    QCOMPARE(first.row(), 3);
    QCOMPARE(model.idAt(3), ids->at(0));
    QVERIFY(manager.move(ids->at(2), JobManager::Move::Up).ok());
    QCOMPARE(model.idAt(0), ids->at(2));
    QCOMPARE(model.index(0, JobTableModel::Position).data().toInt(), 1);
    for (int r = 0; r < model.rowCount(); ++r)
        QCOMPARE(model.idAt(r), manager.order().at(r));

    // Progress and state changes arrive as dataChanged for the job's row.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    manager.resume();
    QTRY_VERIFY_WITH_TIMEOUT(manager.counts().finished == 4, 120000);
    QVERIFY(changed.count() >= 4 * 2);

    QVERIFY(manager.remove(ids->at(1)).ok());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowOf(ids->at(1)), -1);
    QCOMPARE(manager.clearFinished(), 3);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(proxy.rowCount(), 0);
}

void TestJobTableModel::cellsShowTheJob()
{
    JobManager manager(testing::managerOptions(m_dir.filePath("data-cells")));
    QVERIFY(manager.open().ok());
    JobTableModel model(manager);
    auto id = manager.submit(testing::tinySpec(m_clip, m_dir.filePath("out-cells")));
    QVERIFY(id.ok());
    QTRY_COMPARE_WITH_TIMEOUT(testing::stateOf(manager, *id), QStringLiteral("finished"), 60000);

    const int row = model.rowOf(*id);
    auto cell = [&](int column, int role = Qt::DisplayRole) { return model.index(row, column).data(role); };
    QCOMPARE(cell(JobTableModel::Name).toString(), QStringLiteral("clip.mp4"));
    QCOMPARE(cell(JobTableModel::Preset).toString(), QStringLiteral("Test tiny"));
    QCOMPARE(cell(JobTableModel::State).toString(), QStringLiteral("Finished"));
    QCOMPARE(cell(JobTableModel::Progress, JobTableModel::ProgressRole).toDouble(), 1.0);
    QCOMPARE(cell(JobTableModel::Progress).toString(), QStringLiteral("100%"));
    QCOMPARE(cell(0, JobTableModel::StateRole).toInt(), int(JobState::Finished));
    QCOMPARE(cell(0, JobTableModel::IdRole).toUuid(), *id);
    QVERIFY2(cell(JobTableModel::Sizes).toString().contains(QStringLiteral("→")),
        qPrintable(cell(JobTableModel::Sizes).toString()));
    QVERIFY(!cell(JobTableModel::Speed).toString().isEmpty());
    QVERIFY(cell(JobTableModel::Error).toString().isEmpty());
    QCOMPARE(cell(0, JobTableModel::OutputPathRole).toString(), manager.find(*id)->outputPath);
    for (int c = 0; c < JobTableModel::ColumnCount; ++c)
        QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
}

void TestJobTableModel::filtersAndSortsByState()
{
    JobManager manager(testing::managerOptions(m_dir.filePath("data-filter"), false));
    QVERIFY(manager.open().ok());
    JobTableModel model(manager);
    ui::StateFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<jobs::JobSpec> specs;
    for (int i = 0; i < 5; ++i)
        specs.append(
            testing::tinySpec(m_clip, m_dir.filePath("out-filter"), QStringLiteral("{name}-%1").arg(i)));
    auto ids = manager.submitMany(specs);
    QVERIFY(ids.ok());
    QVERIFY(manager.cancel(ids->at(1)).ok());
    QVERIFY(manager.cancel(ids->at(3)).ok());

    proxy.setStateFilter(JobState::Canceled);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setStateFilter(JobState::Queued);
    QCOMPARE(proxy.rowCount(), 3);
    // A job that changes state leaves the filtered view by itself.
    QVERIFY(manager.cancel(ids->at(0)).ok());
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setStateFilter(std::nullopt);
    QCOMPARE(proxy.rowCount(), 5);

    proxy.sort(JobTableModel::State, Qt::AscendingOrder);
    QCOMPARE(
        proxy.index(0, JobTableModel::State).data(JobTableModel::StateRole).toInt(), int(JobState::Queued));
    QCOMPARE(
        proxy.index(4, JobTableModel::State).data(JobTableModel::StateRole).toInt(), int(JobState::Canceled));
    proxy.sort(JobTableModel::Position, Qt::AscendingOrder);
    QCOMPARE(proxy.index(0, 0).data(JobTableModel::IdRole).toUuid(), ids->at(0));

    proxy.setNameFilter(QStringLiteral("CLIP.m"));
    QCOMPARE(proxy.rowCount(), 5);
    proxy.setNameFilter(QStringLiteral("nothing like it"));
    QCOMPARE(proxy.rowCount(), 0);
}

void TestJobTableModel::loadsTenThousandJobs()
{
    // Correctness only; bench_largequeue (bench/gui.sh) measures how long this takes.
    constexpr int count = 10000;
    const QString data = m_dir.filePath("data-large");
    {
        JobManager manager(testing::managerOptions(data, false));
        QVERIFY(manager.open().ok());
        JobTableModel model(manager);
        QList<jobs::JobSpec> specs;
        specs.reserve(count);
        for (int i = 0; i < count; ++i)
            specs.append(
                testing::tinySpec(m_clip, m_dir.filePath("out-large"), QStringLiteral("{name}-%1").arg(i)));
        QVERIFY(manager.submitMany(specs).ok());
        QCOMPARE(model.rowCount(), count);
        QCOMPARE(model.idAt(count - 1), manager.order().last());
    }
    JobManager reopened(testing::managerOptions(data, false));
    QVERIFY(reopened.open().ok());
    JobTableModel model(reopened);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), count);
    QCOMPARE(model.index(count - 1, JobTableModel::Position).data().toInt(), count);
    QCOMPARE(model.index(count - 1, JobTableModel::State).data().toString(), QStringLiteral("Queued"));
}

QTEST_MAIN(TestJobTableModel)
#include "tst_jobtablemodel.moc"
