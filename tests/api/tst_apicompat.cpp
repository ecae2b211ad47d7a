// The Python service's two curl commands, verbatim, against a real `vtfarm-cli serve` with its
// worker processes; then the output downloaded and probed, /metrics through promtool, and SIGTERM.

#include "apitestsupport.h"
#include "mediainfo.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace apitest;

class ApiCompatTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_server;
    int m_port = 0;

    /// Starts `vtfarm-cli serve` on a free port and returns that port, or 0.
    int startServer(QProcess& server, const QStringList& extra)
    {
        server.setProgram(QStringLiteral(VTFARM_CLI));
        server.setArguments(
            QStringList { "serve", "--port", "0", "--data-dir", m_dir.filePath(QStringLiteral("data")) }
            + extra);
        server.setProcessChannelMode(QProcess::SeparateChannels);
        server.start();
        if (!server.waitForStarted())
            return 0;
        static const QRegularExpression re(QStringLiteral("serving on http://[^:]+:(\\d+)/"));
        QByteArray out;
        QRegularExpressionMatch m;
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(
                (out += server.readAllStandardOutput(), m = re.match(QString::fromUtf8(out)), m.hasMatch())
                    || server.state() != QProcess::Running,
                20'000);
        }();
        return m.hasMatch() ? m.captured(1).toInt() : 0;
    }

    /// Runs a command line through the shell, as a person would type it, in the fixture folder.
    QByteArray shell(const QString& command, int* exitCode = nullptr)
    {
        QProcess sh;
        sh.setWorkingDirectory(m_dir.path());
        sh.start(QStringLiteral("/bin/sh"), { "-c", command });
        sh.waitForFinished(60'000);
        if (exitCode)
            *exitCode = sh.exitCode();
        return sh.readAllStandardOutput();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(!QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty());
        QVERIFY(!makeClip(m_dir.path(), QStringLiteral("video.mp4"), QStringLiteral("640x360"), 2).isEmpty());
        m_port = startServer(m_server, {});
        QVERIFY2(m_port > 0, m_server.readAllStandardError().constData());
    }

    void cleanupTestCase()
    {
        if (m_server.state() == QProcess::Running) {
            m_server.kill();
            m_server.waitForFinished();
        }
    }

    void pythonServiceCurlCommandsVerbatim()
    {
        // The README's commands with only the port changed.
        const QString submit = QStringLiteral("curl -X POST http://localhost:%1/transcode \\\n"
                                              "  -F \"file=@video.mp4\" \\\n"
                                              "  -F \"codec=libx264\" \\\n"
                                              "  -F \"bitrate=1000k\" \\\n"
                                              "  -F \"resolution=1280x720\"")
                                   .arg(m_port);
        int exitCode = -1;
        const QByteArray answer = shell(submit, &exitCode);
        QCOMPARE(exitCode, 0);
        static const QRegularExpression shape(
            QStringLiteral("^\\{\"job_id\":\"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\","
                           "\"status\":\"queued\"\\}$"));
        QVERIFY2(shape.match(QString::fromUtf8(answer)).hasMatch(), answer.constData());
        const QString id = QJsonDocument::fromJson(answer).object().value(u"job_id").toString();

        QString status;
        const QString poll = QStringLiteral("curl http://localhost:%1/status/%2").arg(m_port).arg(id);
        QTRY_VERIFY_WITH_TIMEOUT(
            (status = QJsonDocument::fromJson(shell(poll)).object().value(u"status").toString(),
                status == u"finished" || status == u"failed"),
            120'000);
        QCOMPARE(status, QStringLiteral("finished"));

        auto c = client(m_port);
        const auto whole = c.Get(("/api/v1/jobs/" + id.toStdString() + "/output").c_str());
        QVERIFY(whole);
        QCOMPARE(whole->status, 200);
        const QString saved = m_dir.filePath(QStringLiteral("downloaded.mp4"));
        {
            QFile f(saved);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(whole->body.data(), qint64(whole->body.size()));
        }
        auto info = vtfarm::media::probe(saved);
        QVERIFY2(info.ok(), info.ok() ? "" : qPrintable(info.error().message));
        QVERIFY(info->primaryVideo());
        QCOMPARE(info->primaryVideo()->width, 1280);
        QCOMPARE(info->primaryVideo()->height, 720);
        QCOMPARE(info->primaryVideo()->codec, QStringLiteral("h264"));

        const auto range = c.Get(
            ("/api/v1/jobs/" + id.toStdString() + "/output").c_str(), { { "Range", "bytes=0-1023" } });
        QVERIFY(range);
        QCOMPARE(range->status, 206);
        QCOMPARE(range->body, whole->body.substr(0, 1024));

        // The upload is gone with its job done.
        QTRY_VERIFY(QDir(m_dir.filePath(QStringLiteral("data/uploads"))).isEmpty());
    }

    void unknownJobIs404()
    {
        auto c = client(m_port);
        const auto r = c.Get("/status/00000000-0000-0000-0000-000000000000");
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        QVERIFY(r->body.find("\"error\"") != std::string::npos);
    }

    void metricsPassPromtool()
    {
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        if (promtool.isEmpty())
            QSKIP("promtool is missing (Debian package prometheus; scripts/deps.sh installs it)");
        auto c = client(m_port);
        const auto r = c.Get("/metrics");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        for (const char* family :
            { "vtfarm_jobs_submitted_total", "vtfarm_jobs_completed_total", "vtfarm_queue_jobs",
                "vtfarm_workers_busy", "vtfarm_workers_max", "vtfarm_transcode_duration_seconds_bucket",
                "vtfarm_encoded_frames_total", "vtfarm_media_seconds_total", "vtfarm_upload_bytes_total",
                "vtfarm_output_bytes_total", "vtfarm_http_requests_total",
                "vtfarm_http_request_duration_seconds_bucket", "vtfarm_build_info" })
            QVERIFY2(r->body.find(std::string("\n") + family) != std::string::npos, family);
        QVERIFY(r->body.find("vtfarm_jobs_completed_total{state=\"finished\"} 1") != std::string::npos);
        QVERIFY(r->body.find("vtfarm_jobs_submitted_total{source=\"api\"} 1") != std::string::npos);
        QVERIFY(r->body.find("vtfarm_transcode_duration_seconds_count 1") != std::string::npos);
        QProcess check;
        check.start(promtool, { "check", "metrics" });
        QVERIFY(check.waitForStarted());
        check.write(r->body.data(), qint64(r->body.size()));
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30'000));
        QVERIFY2(check.exitCode() == 0,
            QByteArray(check.readAllStandardOutput() + check.readAllStandardError()).constData());
    }

    void publicAddressNeedsTokenAndTokenIsChecked()
    {
        QProcess refused;
        refused.start(QStringLiteral(VTFARM_CLI),
            { "serve", "--bind", "0.0.0.0", "--port", "0", "--data-dir",
                m_dir.filePath(QStringLiteral("other")) });
        QVERIFY(refused.waitForFinished(20'000));
        QCOMPARE(refused.exitCode(), 2);
        QVERIFY(refused.readAllStandardError().contains("token"));

        const QString tokenFile = m_dir.filePath(QStringLiteral("token"));
        {
            QFile f(tokenFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("a-long-enough-secret-token\n");
            f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
        QProcess guarded;
        QTemporaryDir data;
        guarded.setProgram(QStringLiteral(VTFARM_CLI));
        guarded.setArguments(
            { "serve", "--port", "0", "--data-dir", data.path(), "--token-file", tokenFile });
        guarded.start();
        QVERIFY(guarded.waitForStarted());
        static const QRegularExpression re(QStringLiteral("serving on http://[^:]+:(\\d+)/"));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += guarded.readAllStandardOutput(), re.match(QString::fromUtf8(out)).hasMatch()), 20'000);
        const int port = re.match(QString::fromUtf8(out)).captured(1).toInt();
        QCOMPARE(client(port).Get("/api/v1/jobs")->status, 401);
        QCOMPARE(client(port, "wrong-wrong-wrong-wrong").Get("/api/v1/jobs")->status, 401);
        QCOMPARE(client(port, "a-long-enough-secret-token").Get("/api/v1/jobs")->status, 200);
        ::kill(pid_t(guarded.processId()), SIGTERM);
        QVERIFY(guarded.waitForFinished(20'000));
        QCOMPARE(guarded.exitStatus(), QProcess::NormalExit);
        QCOMPARE(guarded.exitCode(), 0);
    }

    void sigtermRequeuesAndExitsZero()
    {
        // A long job is running when the server is told to stop: it goes back to the queue.
        const QString longClip
            = makeClip(m_dir.path(), QStringLiteral("long.mp4"), QStringLiteral("640x360"), 20);
        QVERIFY(!longClip.isEmpty());
        auto c = client(m_port);
        httplib::MultipartFormDataItems items { filePart(readFile(longClip), "long.mp4"),
            { "resolution", "1280x720", "", "" } };
        const auto r = c.Post("/api/v1/jobs", items);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
        const std::string id = QJsonDocument::fromJson(QByteArray::fromStdString(r->body))
                                   .object()
                                   .value(u"id")
                                   .toString()
                                   .toStdString();
        QTRY_VERIFY_WITH_TIMEOUT(
            client(m_port).Get(("/api/v1/jobs/" + id).c_str())->body.find("\"status\":\"started\"")
                != std::string::npos,
            30'000);
        ::kill(pid_t(m_server.processId()), SIGTERM);
        QVERIFY(m_server.waitForFinished(30'000));
        QCOMPARE(m_server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_server.exitCode(), 0);
        int exitCode = -1;
        const QByteArray listed
            = shell(QStringLiteral("'%1' jobs --data-dir '%2' --state queued")
                        .arg(QStringLiteral(VTFARM_CLI), m_dir.filePath(QStringLiteral("data"))),
                &exitCode);
        QCOMPARE(exitCode, 0);
        QVERIFY2(listed.contains(QByteArray::fromStdString(id)), listed.constData());
    }
};

QTEST_GUILESS_MAIN(ApiCompatTest)
#include "tst_apicompat.moc"
