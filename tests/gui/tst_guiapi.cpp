// The window's own REST API: turned on in its settings, the real `vtfarm` program serves the Python
// service's routes and /metrics over the queue it shows.
#include "guitestsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {

int freePort()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

/// curl ARGS; stdout, or an empty string when curl fails.
QByteArray curl(const QStringList& args, const QString& workdir = {})
{
    QProcess p;
    if (!workdir.isEmpty())
        p.setWorkingDirectory(workdir);
    p.start(QStringLiteral("curl"),
        QStringList { QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("20") } + args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        return {};
    return p.readAllStandardOutput();
}

} // namespace

class TestGuiApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void apiServesTheWindowsQueue()
    {
        vtfarm::test::MediaFixtures media;
        const QString clip = media.clip();
        QVERIFY2(!clip.isEmpty(), qPrintable(media.errorString()));
        QTemporaryDir home;
        const QDir h(home.path());
        const QProcessEnvironment env = vtfarm::testing::isolatedEnvironment(home.path());
        const int port = freePort();
        QVERIFY(port > 0);
        {
            QSettings ini(h.filePath(QStringLiteral("config/vtfarm/vtfarm.ini")), QSettings::IniFormat);
            ini.setValue(QStringLiteral("api/enabled"), true);
            ini.setValue(QStringLiteral("api/bindAddress"), QStringLiteral("127.0.0.1"));
            ini.setValue(QStringLiteral("api/port"), port);
        }
        QProcess gui;
        gui.setProcessEnvironment(env);
        gui.start(QStringLiteral(VTFARM_GUI_PATH), QStringList {});
        QVERIFY(gui.waitForStarted());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
        QTRY_VERIFY_WITH_TIMEOUT(!curl({ base + QStringLiteral("/healthz") }).isEmpty(), 30000);

        // The Python service's command, as its users type it.
        const QByteArray answer
            = curl({ QStringLiteral("-X"), QStringLiteral("POST"), base + QStringLiteral("/transcode"),
                       QStringLiteral("-F"), QStringLiteral("file=@%1").arg(QFileInfo(clip).fileName()),
                       QStringLiteral("-F"), QStringLiteral("codec=libx264"), QStringLiteral("-F"),
                       QStringLiteral("bitrate=1000k"), QStringLiteral("-F"),
                       QStringLiteral("resolution=1280x720") },
                QFileInfo(clip).absolutePath());
        const QString id = QJsonDocument::fromJson(answer).object().value(u"job_id").toString();
        QVERIFY2(!id.isEmpty(), answer.constData());
        auto status = [&] {
            return QJsonDocument::fromJson(curl({ base + QStringLiteral("/status/") + id }))
                .object()
                .value(u"status")
                .toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(status(), QStringLiteral("finished"), 90000);
        const QByteArray metrics = curl({ base + QStringLiteral("/metrics") });
        QVERIFY2(metrics.contains("vtfarm_jobs_completed_total{state=\"finished\"} 1"), metrics.constData());
        QVERIFY(metrics.contains("vtfarm_jobs_submitted_total{source=\"api\"} 1"));

        gui.kill();
        gui.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestGuiApi)
#include "tst_guiapi.moc"
