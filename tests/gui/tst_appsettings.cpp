#include "appsettings.h"
#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace vtfarm;
using ui::ApiServerSettings;
using ui::AppSettings;

class TestAppSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaults();
    void persistAcrossRestart();
    void loopbackAddresses();
    void dialogAppliesAndGuardsTheApiServer();

private:
    QTemporaryDir m_dir;
};

void TestAppSettings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestAppSettings::defaults()
{
    AppSettings s(m_dir.filePath("defaults.ini"));
    QCOMPARE(s.workerCount(), 0);
    QCOMPARE(s.threadsPerJob(), 0);
    QCOMPARE(s.defaultOutputFolder(), QString());
    QCOMPARE(s.namePattern(), QStringLiteral("{name}"));
    QCOMPARE(s.overwritePolicy(), AppSettings::OverwritePolicy::NewName);
    QVERIFY(s.notificationsEnabled());
    const ApiServerSettings api = s.apiServer();
    QVERIFY(!api.enabled);
    QCOMPARE(api.bindAddress, QStringLiteral("127.0.0.1"));
    QCOMPARE(api.port, 8000);
    QVERIFY(api.token.isEmpty());
}

void TestAppSettings::persistAcrossRestart()
{
    const QString file = m_dir.filePath("restart.ini");
    ApiServerSettings api;
    api.enabled = true;
    api.bindAddress = QStringLiteral("0.0.0.0");
    api.port = 9123;
    api.token = QStringLiteral("a-token-that-is-long-enough");
    {
        AppSettings s(file);
        s.setWorkerCount(3);
        s.setThreadsPerJob(2);
        s.setDefaultOutputFolder(QStringLiteral("/srv/videos/out"));
        s.setNamePattern(QStringLiteral("{name}-small"));
        s.setOverwritePolicy(AppSettings::OverwritePolicy::Overwrite);
        s.setNotificationsEnabled(false);
        s.setApiServer(api);
        s.setLastPreset(QStringLiteral("AV1 1080p"));
        s.setWindowGeometry(QByteArray("geometry-bytes"));
        s.setQueueHeaderState(QByteArray("\x01\x02\x00\x03", 4));
    }
    AppSettings s(file);
    QCOMPARE(s.workerCount(), 3);
    QCOMPARE(s.threadsPerJob(), 2);
    QCOMPARE(s.defaultOutputFolder(), QStringLiteral("/srv/videos/out"));
    QCOMPARE(s.namePattern(), QStringLiteral("{name}-small"));
    QCOMPARE(s.overwritePolicy(), AppSettings::OverwritePolicy::Overwrite);
    QVERIFY(!s.notificationsEnabled());
    QCOMPARE(s.apiServer(), api);
    QCOMPARE(s.lastPreset(), QStringLiteral("AV1 1080p"));
    QCOMPARE(s.windowGeometry(), QByteArray("geometry-bytes"));
    QCOMPARE(s.queueHeaderState(), QByteArray("\x01\x02\x00\x03", 4));
    QCOMPARE(s.fileName(), file);
}

void TestAppSettings::loopbackAddresses()
{
    QVERIFY(ApiServerSettings::isLoopback(QStringLiteral("127.0.0.1")));
    QVERIFY(ApiServerSettings::isLoopback(QStringLiteral("127.0.0.53")));
    QVERIFY(ApiServerSettings::isLoopback(QStringLiteral("::1")));
    QVERIFY(ApiServerSettings::isLoopback(QStringLiteral("localhost")));
    QVERIFY(!ApiServerSettings::isLoopback(QStringLiteral("0.0.0.0")));
    QVERIFY(!ApiServerSettings::isLoopback(QStringLiteral("::")));
    QVERIFY(!ApiServerSettings::isLoopback(QStringLiteral("192.168.1.20")));
    QVERIFY(!ApiServerSettings::isLoopback(QStringLiteral("example.org")));
}

void TestAppSettings::dialogAppliesAndGuardsTheApiServer()
{
    const QString file = m_dir.filePath("dialog.ini");
    {
        AppSettings s(file);
        ui::SettingsDialog dialog(s);
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        dialog.workerBox()->setValue(2);
        dialog.threadsBox()->setValue(1);
        dialog.apiEnabledBox()->setChecked(true);
        QVERIFY(dialog.problem().isEmpty());
        QVERIFY(dialog.apiWarningLabel()->isHidden());

        // Beyond loopback: a warning, and no OK without a token.
        dialog.bindAddressEdit()->setText(QStringLiteral("0.0.0.0"));
        QVERIFY(!dialog.apiWarningLabel()->isHidden());
        QVERIFY(!dialog.apiWarningLabel()->text().isEmpty());
        QVERIFY(!dialog.problem().isEmpty());
        QVERIFY(!ok->isEnabled());
        QVERIFY(!dialog.apply());

        const QString token = ui::SettingsDialog::generateToken();
        QVERIFY(token.size() >= 40);
        QVERIFY(token != ui::SettingsDialog::generateToken());
        for (QPushButton* button : dialog.findChildren<QPushButton*>()) {
            if (button->text() == QStringLiteral("Generate"))
                button->click();
        }
        QVERIFY(dialog.tokenEdit()->text().size() >= 40);
        QVERIFY(dialog.problem().isEmpty());
        QVERIFY(ok->isEnabled());
        QVERIFY(dialog.apply());
    }
    AppSettings s(file);
    QCOMPARE(s.workerCount(), 2);
    QCOMPARE(s.threadsPerJob(), 1);
    QVERIFY(s.apiServer().enabled);
    QCOMPARE(s.apiServer().bindAddress, QStringLiteral("0.0.0.0"));
    QVERIFY(s.apiServer().token.size() >= 40);
}

QTEST_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
