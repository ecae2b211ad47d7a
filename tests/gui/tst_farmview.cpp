// The window's side of the farm: the Farm settings and their rules, the Nodes view, and the
// queue's Node column, over a real JobManager whose farm is a stand-in that lists nodes (the
// farm end to end, with Redis and node processes, is tests/cluster).

#include "appsettings.h"
#include "fakeworkers.h"
#include "farm.h"
#include "farmpage.h"
#include "guitestsupport.h"
#include "jobmanager.h"
#include "jobtablemodel.h"
#include "mainwindow.h"
#include "nodesview.h"
#include "presets.h"
#include "redis.h"
#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace vtfarm;

namespace {

/// Nodes as a coordinator would list them.
class ListedFarm final : public jobs::Farm
{
public:
    QList<jobs::NodeInfo> list;
    QList<jobs::NodeInfo> nodes() const override { return list; }
    Result<void> deliver(const QUuid&, int, const media::TranscodeReport&) override { return {}; }
    void countTransfer(bool, qint64) override { }
    void countRefusedResult() override { }
};

jobs::NodeInfo node(const QString& name, int slots, int busy, qint64 done)
{
    jobs::NodeInfo n;
    n.name = name;
    n.host = name + QStringLiteral(".example.org");
    n.version = QStringLiteral(VTFARM_VERSION);
    n.slots = slots;
    n.busy = busy;
    n.jobsDone = done;
    n.lastSeen = QDateTime::currentDateTimeUtc();
    return n;
}

} // namespace

class TestFarmView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void theFarmNeedsTheApiServerAndItsToken()
    {
        ui::AppSettings settings(m_dir.filePath(QStringLiteral("farm.ini")));
        ui::SettingsDialog dialog(settings);
        QPushButton* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        ui::FarmPage* farm = dialog.farmPage();
        QVERIFY(dialog.problem().isEmpty());
        QVERIFY(!farm->redisEdit()->isEnabled());

        farm->enabledBox()->setChecked(true);
        QVERIFY(farm->redisEdit()->isEnabled());
        QVERIFY2(dialog.problem().contains(u"API server"), qPrintable(dialog.problem()));
        QVERIFY(!ok->isEnabled());

        dialog.apiEnabledBox()->setChecked(true);
        dialog.tokenEdit()->setText(QStringLiteral("short"));
        QVERIFY2(dialog.problem().contains(u"token"), qPrintable(dialog.problem()));
        dialog.tokenEdit()->setText(ui::SettingsDialog::generateToken());

        farm->redisEdit()->setText(QStringLiteral("http://not-redis"));
        QVERIFY2(dialog.problem().contains(u"Redis"), qPrintable(dialog.problem()));
        QVERIFY(!ok->isEnabled());

        farm->redisEdit()->setText(QStringLiteral("redis://farm.example.org:6380/2"));
        farm->passwordEdit()->setText(QStringLiteral("p@ss word"));
        farm->leaseBox()->setValue(45);
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
        QVERIFY(ok->isEnabled());
        QVERIFY(dialog.apply());

        // Written, read back, and the password goes into the URL the Redis client reads.
        ui::AppSettings again(settings.fileName());
        const ui::FarmSettings saved = again.farm();
        QVERIFY(saved.enabled);
        QCOMPARE(saved.redisUrl, QStringLiteral("redis://farm.example.org:6380/2"));
        QCOMPARE(saved.password, QStringLiteral("p@ss word"));
        QCOMPARE(saved.leaseSeconds, 45);
        auto url = cluster::RedisUrl::parse(saved.connectionUrl());
        QVERIFY2(url.ok(), qPrintable(url ? QString() : url.error().message));
        QCOMPARE(url->host, QStringLiteral("farm.example.org"));
        QCOMPARE(url->port, 6380);
        QCOMPARE(url->db, 2);
        QCOMPARE(url->password, QStringLiteral("p@ss word"));
        QVERIFY(!url->display().contains(u"p@ss"));

        // Turning the API server off again is refused while the farm is on.
        ui::SettingsDialog second(again);
        QVERIFY(second.farmPage()->enabledBox()->isChecked());
        second.apiEnabledBox()->setChecked(false);
        QVERIFY(!second.problem().isEmpty());
        QVERIFY(!second.apply());
    }

    void theNodesViewListsWhatTheFarmSays()
    {
        ListedFarm farm;
        bool coordinating = false;
        ui::NodesView view([&]() -> std::optional<QList<jobs::NodeInfo>> {
            if (!coordinating)
                return std::nullopt;
            return farm.nodes();
        });
        QCOMPARE(view.table()->rowCount(), 0);
        QVERIFY2(view.statusLabel()->text().contains(u"no farm"), qPrintable(view.statusLabel()->text()));

        coordinating = true;
        view.refresh();
        QCOMPARE(view.table()->rowCount(), 0);
        QVERIFY2(view.statusLabel()->text().contains(u"No node"), qPrintable(view.statusLabel()->text()));

        farm.list
            = { node(QStringLiteral("encoder-1"), 2, 1, 17), node(QStringLiteral("encoder-2"), 4, 4, 3) };
        view.refresh();
        QCOMPARE(view.table()->rowCount(), 2);
        QCOMPARE(view.table()->item(0, 0)->text(), QStringLiteral("encoder-1"));
        QCOMPARE(view.table()->item(0, 1)->text(), QStringLiteral("encoder-1.example.org"));
        QCOMPARE(view.table()->item(1, 2)->text(), QLocale().toString(4));
        QCOMPARE(view.table()->item(0, 4)->text(), QLocale().toString(17));
        QCOMPARE(view.table()->item(1, 6)->text(), QStringLiteral(VTFARM_VERSION));
        QVERIFY(!view.table()->item(0, 5)->text().isEmpty());
        QVERIFY2(view.statusLabel()->text().contains(u"5 of 6"), qPrintable(view.statusLabel()->text()));

        farm.list.removeFirst();
        view.refresh();
        QCOMPARE(view.table()->rowCount(), 1);
        QCOMPARE(view.table()->item(0, 0)->text(), QStringLiteral("encoder-2"));
    }

    void theQueueShowsEachJobsNode()
    {
        const QString root = m_dir.filePath(QStringLiteral("queue"));
        const QString clip = testing::makeClip(root + QStringLiteral("/clip.mp4"));
        QVERIFY(!clip.isEmpty());
        auto workers = std::make_shared<test::FakeWorkers>(true);
        // A coordinator without local slots: every job goes to the farm's lane, here the stand-in
        // backend whose runs start on a node when the test says.
        auto options = testing::managerOptions(root + "/data", true, 1);
        options.noLocalSlots = true;
        jobs::JobManager manager(options);
        QVERIFY(manager.open().ok());
        manager.addBackend(workers, [] { return 1; });
        media::PresetLibrary presets(root + "/presets");
        ui::AppSettings settings(root + "/settings.ini");
        ui::MainWindow window(manager, presets, settings);
        QHeaderView* header = window.queueView()->horizontalHeader();
        // No farm: no Node column.
        QVERIFY(header->isSectionHidden(ui::JobTableModel::Node));

        ListedFarm farm;
        farm.list = { node(QStringLiteral("encoder-7"), 1, 1, 0) };
        manager.setFarm(&farm);
        // The window looks again on its next refresh.
        QTRY_VERIFY(!header->isSectionHidden(ui::JobTableModel::Node));

        auto id = manager.submit(testing::tinySpec(clip, root + "/out"));
        QVERIFY(id.ok());
        QTRY_VERIFY(workers->runOf(*id));
        workers->begin(*id, QStringLiteral("encoder-7"));
        QAbstractItemModel* model = window.queueView()->model();
        QTRY_COMPARE(testing::stateOf(manager, *id), QStringLiteral("started"));
        const auto cell = [&] {
            for (int row = 0; row < model->rowCount(); ++row) {
                const QModelIndex name = model->index(row, ui::JobTableModel::Name);
                if (name.data(ui::JobTableModel::IdRole).toUuid() == *id)
                    return model->index(row, ui::JobTableModel::Node).data().toString();
            }
            return QString();
        };
        QTRY_COMPARE(cell(), QStringLiteral("encoder-7"));
        // The counts in the window are the nodes' slots.
        QCOMPARE(manager.counts().maxConcurrent, 1);
        workers->finish(*id);
        QTRY_COMPARE(testing::stateOf(manager, *id), QStringLiteral("finished"));
        QCOMPARE(cell(), QStringLiteral("encoder-7"));
        manager.setFarm(nullptr);
        manager.shutdown();
    }
};

QTEST_MAIN(TestFarmView)
#include "tst_farmview.moc"
