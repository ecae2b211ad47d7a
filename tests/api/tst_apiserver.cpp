// The REST API over real HTTP on loopback, with a real JobManager transcoding in-process.

#include "apiserver.h"
#include "apitestsupport.h"
#include "jobmanager.h"
#include "mediainfo.h"
#include "metrics.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace vtfarm;
using namespace apitest;
using jobs::JobState;

namespace {

QJsonObject json(const Reply& r)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(r.body)).object();
}

QString errorField(const Reply& r)
{
    return json(r).value(u"error").toObject().value(u"field").toString();
}

QString errorCode(const Reply& r)
{
    return json(r).value(u"error").toObject().value(u"code").toString();
}

QStringList filesUnder(const QString& dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    return files;
}

const std::string kToken = "0123456789abcdef-test-token";

} // namespace

class ApiServerTest : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_fixtures;
    QString m_clip;
    std::string m_clipBytes;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<jobs::JobManager> m_manager;
    std::unique_ptr<metrics::Metrics> m_metrics;
    std::unique_ptr<api::ApiServer> m_server;
    int m_port = 0;

    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }
    QString uploadsDir() const { return QDir(dataDir()).filePath(QStringLiteral("uploads")); }

    void startServer(const std::function<void(api::ApiServer::Options&)>& tweak = {})
    {
        stopServer();
        api::ApiServer::Options o;
        o.port = 0;
        o.dataDir = dataDir();
        o.presetsDir = m_dir->filePath(QStringLiteral("presets"));
        o.threads = 4;
        if (tweak)
            tweak(o);
        m_server = std::make_unique<api::ApiServer>(o, m_manager.get(), m_metrics.get());
        auto r = m_server->start();
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        m_port = m_server->port();
    }
    void stopServer()
    {
        if (m_server)
            m_server->stop();
        m_server.reset();
    }
    /// The job the server made for \a reply, finished.
    QUuid waitFinished(const QString& id)
    {
        const QUuid uuid = QUuid::fromString(id);
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(
                m_manager->job(uuid) && jobs::isFinal(m_manager->job(uuid)->state), 120'000);
        }();
        return uuid;
    }
    Reply upload(const std::string& path, httplib::MultipartFormDataItems fields,
        const std::string& fileName = "clip.mp4", const std::string& token = {})
    {
        fields.push_back(filePart(m_clipBytes, fileName));
        return post(m_port, path, fields, token);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fixtures.isValid());
        m_clip = makeClip(m_fixtures.path(), QStringLiteral("clip.mp4"), QStringLiteral("320x240"), 2);
        QVERIFY2(!m_clip.isEmpty(), "ffmpeg could not make the test clip");
        m_clipBytes = readFile(m_clip);
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        jobs::JobManager::Options o;
        o.dataDir = m_dir->filePath(QStringLiteral("state"));
        o.worker.mode = jobs::WorkerProcess::Mode::InProcess;
        o.maxConcurrent = 1;
        m_manager = std::make_unique<jobs::JobManager>(o);
        QVERIFY(m_manager->open().ok());
        m_metrics = std::make_unique<metrics::Metrics>();
        m_metrics->attach(m_manager.get());
        startServer();
    }

    void cleanup()
    {
        stopServer();
        m_metrics.reset();
        m_manager.reset();
        m_dir.reset();
    }

    void createGetListAndDownload()
    {
        const Reply created = upload(
            "/api/v1/jobs", { { "preset", "veryfast", "", "" }, { "resolution", "320x240", "", "" } });
        QCOMPARE(created.status, 201);
        const QJsonObject job = json(created);
        const QString id = job.value(u"id").toString();
        QVERIFY(!QUuid::fromString(id).isNull());
        QCOMPARE(QString::fromStdString(created.header("Location")), QStringLiteral("/api/v1/jobs/") + id);
        QCOMPARE(job.value(u"name").toString(), QStringLiteral("clip.mp4"));
        QCOMPARE(job.value(u"source").toString(), QStringLiteral("api"));
        QVERIFY2(!job.contains(u"output"), "server paths are not shown");
        QCOMPARE(job.value(u"settings").toObject().value(u"preset").toString(), QStringLiteral("veryfast"));

        const QUuid uuid = waitFinished(id);
        QVERIFY(m_manager->job(uuid)->state == JobState::Finished);
        const Reply got = get(m_port, "/api/v1/jobs/" + id.toStdString());
        QCOMPARE(got.status, 200);
        QCOMPARE(json(got).value(u"status").toString(), QStringLiteral("finished"));
        QCOMPARE(json(got).value(u"progress").toDouble(), 1.0);
        QVERIFY(json(got).value(u"output_bytes").toInteger() > 0);
        QCOMPARE(json(got).value(u"output_url").toString(), QStringLiteral("/api/v1/jobs/%1/output").arg(id));

        // The uploaded input belongs to the server and goes when the job is done.
        QVERIFY2(filesUnder(uploadsDir()).isEmpty(), qPrintable(filesUnder(uploadsDir()).join(u' ')));

        const Reply list = get(m_port, "/api/v1/jobs?state=finished");
        QCOMPARE(list.status, 200);
        QCOMPARE(json(list).value(u"jobs").toArray().size(), 1);
        QCOMPARE(json(list).value(u"jobs").toArray().first().toObject().value(u"id").toString(), id);
        QCOMPARE(json(get(m_port, "/api/v1/jobs?state=queued")).value(u"jobs").toArray().size(), 0);

        const Reply whole = get(m_port, "/api/v1/jobs/" + id.toStdString() + "/output");
        QCOMPARE(whole.status, 200);
        QCOMPARE(QString::fromStdString(whole.header("Content-Type")), QStringLiteral("video/mp4"));
        QCOMPARE(QString::fromStdString(whole.header("Content-Disposition")),
            QStringLiteral("attachment; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4"));
        QCOMPARE(qint64(whole.body.size()), json(got).value(u"output_bytes").toInteger());
        const QString saved = m_dir->filePath(QStringLiteral("got.mp4"));
        {
            QFile f(saved);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(whole.body.data(), qint64(whole.body.size()));
        }
        auto info = media::probe(saved);
        QVERIFY(info.ok());
        QCOMPARE(info->primaryVideo()->width, 320);
        QCOMPARE(info->primaryVideo()->codec, QStringLiteral("h264"));

        const Reply part
            = get(m_port, "/api/v1/jobs/" + id.toStdString() + "/output", {}, { { "Range", "bytes=10-29" } });
        QCOMPARE(part.status, 206);
        QCOMPARE(part.body, whole.body.substr(10, 20));
        QCOMPARE(QString::fromStdString(part.header("Content-Range")),
            QStringLiteral("bytes 10-29/%1").arg(whole.body.size()));
        const Reply tail
            = get(m_port, "/api/v1/jobs/" + id.toStdString() + "/output", {}, { { "Range", "bytes=-16" } });
        QCOMPARE(tail.status, 206);
        QCOMPARE(tail.body, whole.body.substr(whole.body.size() - 16));
        const Reply beyond = get(
            m_port, "/api/v1/jobs/" + id.toStdString() + "/output", {}, { { "Range", "bytes=999999999-" } });
        QCOMPARE(beyond.status, 416);
        QCOMPARE(QString::fromStdString(beyond.header("Content-Range")),
            QStringLiteral("bytes */%1").arg(whole.body.size()));
    }

    void rangeAndSplitFields()
    {
        const Reply created = upload("/api/v1/jobs",
            { { "preset", "ultrafast", "", "" }, { "resolution", "160x120", "", "" },
                { "start", "0.4", "", "" }, { "end", "00:00:01.4", "", "" }, { "split", "off", "", "" } });
        QCOMPARE(created.status, 201);
        const QJsonObject settings = json(created).value(u"settings").toObject();
        QCOMPARE(settings.value(u"start").toDouble(), 0.4);
        QCOMPARE(settings.value(u"end").toDouble(), 1.4);
        const QUuid uuid = waitFinished(json(created).value(u"id").toString());
        const auto job = m_manager->job(uuid);
        QVERIFY(job->state == JobState::Finished);
        QCOMPARE(job->spec.split, QStringLiteral("off"));
        QVERIFY(!json(get(m_port, "/api/v1/jobs/" + uuid.toString(QUuid::WithoutBraces).toStdString()))
                     .contains(u"segments"));
        // One second of the 25 fps clip, from a picture's start.
        QCOMPARE(job->frames, 25);
    }

    void pagingWithCursor()
    {
        m_manager->pause();
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            const Reply r = upload("/api/v1/jobs", {});
            QCOMPARE(r.status, 201);
            ids << json(r).value(u"id").toString();
        }
        const Reply first = get(m_port, "/api/v1/jobs?limit=2");
        QCOMPARE(first.status, 200);
        const QJsonArray page1 = json(first).value(u"jobs").toArray();
        QCOMPARE(page1.size(), 2);
        QCOMPARE(page1.at(0).toObject().value(u"id").toString(), ids.at(0));
        const QString cursor = json(first).value(u"next_cursor").toString();
        QCOMPARE(cursor, ids.at(1));
        const Reply second = get(m_port, "/api/v1/jobs?limit=2&cursor=" + cursor.toStdString());
        const QJsonArray page2 = json(second).value(u"jobs").toArray();
        QCOMPARE(page2.size(), 1);
        QCOMPARE(page2.at(0).toObject().value(u"id").toString(), ids.at(2));
        QVERIFY(json(second).value(u"next_cursor").isNull());

        QCOMPARE(get(m_port, "/api/v1/jobs?state=sleeping").status, 400);
        QCOMPARE(errorField(get(m_port, "/api/v1/jobs?limit=0")), QStringLiteral("limit"));
        QCOMPARE(errorField(get(m_port, "/api/v1/jobs?cursor=nope")), QStringLiteral("cursor"));
    }

    void cancelRetryDelete()
    {
        m_manager->pause();
        const Reply created = upload("/api/v1/jobs", {});
        QCOMPARE(created.status, 201);
        const std::string id = json(created).value(u"id").toString().toStdString();
        QCOMPARE(json(created).value(u"status").toString(), QStringLiteral("queued"));
        QCOMPARE(filesUnder(uploadsDir()).size(), 1);

        QCOMPARE(get(m_port, "/api/v1/jobs/" + id + "/output").status, 409);
        QCOMPARE(postBody(m_port, "/api/v1/jobs/" + id + "/retry", "", "application/json").status, 409);
        const Reply canceled = postBody(m_port, "/api/v1/jobs/" + id + "/cancel", "", "application/json");
        QCOMPARE(canceled.status, 200);
        QCOMPARE(json(canceled).value(u"status").toString(), QStringLiteral("canceled"));
        QCOMPARE(postBody(m_port, "/api/v1/jobs/" + id + "/cancel", "", "application/json").status, 409);
        const Reply retried = postBody(m_port, "/api/v1/jobs/" + id + "/retry", "", "application/json");
        QCOMPARE(retried.status, 200);
        QCOMPARE(json(retried).value(u"status").toString(), QStringLiteral("queued"));

        QCOMPARE(del(m_port, "/api/v1/jobs/" + id).status, 204);
        QCOMPARE(get(m_port, "/api/v1/jobs/" + id).status, 404);
        QCOMPARE(del(m_port, "/api/v1/jobs/" + id).status, 404);
        QVERIFY2(filesUnder(uploadsDir()).isEmpty(), "deleting a job removes its upload");
        QCOMPARE(m_manager->counts().total(), 0);
    }

    void presetsHealthAndOpenApi()
    {
        const Reply presets = get(m_port, "/api/v1/presets");
        QCOMPARE(presets.status, 200);
        const QJsonArray list = json(presets).value(u"presets").toArray();
        QVERIFY(std::any_of(list.begin(), list.end(), [](const QJsonValue& p) {
            return p.toObject().value(u"name").toString() == u"H.264 720p 1000k";
        }));
        const Reply health = get(m_port, "/healthz");
        QCOMPARE(health.status, 200);
        QCOMPARE(json(health).value(u"status").toString(), QStringLiteral("ok"));
        QCOMPARE(json(health).value(u"workers_max").toInt(), 1);
        const Reply doc = get(m_port, "/openapi.json");
        QCOMPARE(doc.status, 200);
        QCOMPARE(json(doc).value(u"openapi").toString().left(4), QStringLiteral("3.0."));
        QCOMPARE(get(m_port, "/no/such/route").status, 404);
        QCOMPARE(errorCode(get(m_port, "/no/such/route")), QStringLiteral("not_found"));
        const Reply wrongMethod = del(m_port, "/healthz");
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(QString::fromStdString(wrongMethod.header("Allow")), QStringLiteral("GET"));
    }

    void namedPresetAndJsonInputFolder()
    {
        const QString inputs = m_dir->filePath(QStringLiteral("inputs"));
        QVERIFY(QDir().mkpath(inputs + QStringLiteral("/sub")));
        QVERIFY(QFile::copy(m_clip, inputs + QStringLiteral("/sub/in.mp4")));
        QVERIFY(QFile::link(m_clip, inputs + QStringLiteral("/outside.mp4")));
        startServer([&](api::ApiServer::Options& o) { o.inputDir = inputs; });
        m_manager->pause();

        const Reply ok = postBody(m_port, "/api/v1/jobs",
            R"({"input": "sub/in.mp4", "preset": "H.264 720p 1000k", "crf": 30})", "application/json");
        QCOMPARE(ok.status, 201);
        QCOMPARE(json(ok).value(u"preset").toString(), QStringLiteral("H.264 720p 1000k"));
        QCOMPARE(json(ok).value(u"settings").toObject().value(u"crf").toInt(), 30);
        QCOMPARE(json(ok).value(u"name").toString(), QStringLiteral("in.mp4"));

        const std::pair<const char*, int> refused[] = {
            { R"({"input": "../state/jobs.sqlite"})", 400 },
            { R"({"input": "sub/../../x.mp4"})", 400 },
            { R"({"input": "/etc/passwd"})", 400 },
            { R"({"input": "outside.mp4"})", 400 },
            { "{\"input\": \"sub/in.mp4\\u0000.txt\"}", 400 },
            { R"({"input": "sub/missing.mp4"})", 404 },
            { R"({"input": "sub"})", 400 },
            { R"({"input": "sub/in.mp4", "codec": "divx"})", 400 },
            { R"({"input": "sub/in.mp4", "colour": "red"})", 400 },
            { R"([1, 2])", 400 },
        };
        for (const auto& [body, status] : refused) {
            const Reply r = postBody(m_port, "/api/v1/jobs", body, "application/json");
            QVERIFY2(r.status == status, body);
        }
        const std::string huge
            = "{\"input\": \"sub/in.mp4\", \"codec\": \"" + std::string(200000, 'x') + "\"}";
        QCOMPARE(postBody(m_port, "/api/v1/jobs", huge, "application/json").status, 413);
        QCOMPARE(m_manager->counts().total(), 1);
        QCOMPARE(
            errorField(postBody(m_port, "/api/v1/jobs", R"({"input": "outside.mp4"})", "application/json")),
            QStringLiteral("input"));
    }

    void badFieldsAreNamed_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("codec") << "codec"
                               << "divx";
        QTest::newRow("bitrate") << "bitrate"
                                 << "fast";
        QTest::newRow("resolution") << "resolution"
                                    << "huge";
        QTest::newRow("odd resolution") << "resolution"
                                        << "641x361";
        QTest::newRow("crf") << "crf"
                             << "best";
        QTest::newRow("container") << "container"
                                   << "avi";
        QTest::newRow("unknown field") << "colour"
                                       << "red";
        QTest::newRow("split") << "split"
                               << "soon";
        QTest::newRow("start") << "start"
                               << "later";
        QTest::newRow("end before start") << "end"
                                          << "-3";
    }
    void badFieldsAreNamed()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        for (const char* route : { "/transcode", "/api/v1/jobs" }) {
            // The Python-compatible route ignores fields it never had, as the Python service did.
            const bool ignored = QByteArray(route) == "/transcode"
                && !QStringList { "codec", "bitrate", "resolution" }.contains(field);
            if (ignored)
                continue;
            const Reply r = upload(route, { { field.toStdString(), value.toStdString(), "", "" } });
            QCOMPARE(r.status, 400);
            QCOMPARE(errorCode(r), QStringLiteral("invalid_argument"));
            QCOMPARE(errorField(r), field);
            QVERIFY(!json(r).value(u"error").toObject().value(u"message").toString().isEmpty());
        }
        QCOMPARE(m_manager->counts().total(), 0);
        QVERIFY(filesUnder(uploadsDir()).isEmpty());
    }

    void missingFile()
    {
        for (const char* route : { "/transcode", "/api/v1/jobs" }) {
            const Reply r = post(m_port, route, { { "codec", "libx264", "", "" } });
            QCOMPARE(r.status, 400);
            QCOMPARE(errorField(r), QStringLiteral("file"));
            const Reply notAForm = postBody(m_port, route, "hello", "text/plain");
            QCOMPARE(notAForm.status, 400);
        }
        QCOMPARE(m_manager->counts().total(), 0);
    }

    void traversalNamesStayInStorage_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QString>("shown");
        QTest::newRow("dot-dot") << QByteArray("../../x.mp4") << "x.mp4";
        QTest::newRow("absolute") << QByteArray("/tmp/owned.mp4") << "owned.mp4";
        QTest::newRow("windows") << QByteArray("..\\..\\win.mp4") << "win.mp4";
        QTest::newRow("nul") << QByteArray("a\0/../b.mp4", 11) << "b.mp4";
        QTest::newRow("hidden") << QByteArray("../.bashrc") << "bashrc";
        QTest::newRow("only dots") << QByteArray("..") << "upload";
    }
    void traversalNamesStayInStorage()
    {
        QFETCH(QByteArray, name);
        QFETCH(QString, shown);
        m_manager->pause();
        const QStringList before = filesUnder(m_dir->path());
        const Reply r = upload("/api/v1/jobs", {}, name.toStdString());
        QCOMPARE(r.status, 201);
        QCOMPARE(json(r).value(u"name").toString(), shown);
        // The one new file is the upload, under a name the server chose.
        QStringList added = filesUnder(m_dir->path());
        for (const QString& f : before)
            added.removeAll(f);
        added.removeIf([](const QString& f) { return f.contains(u"/state/"); });
        QCOMPARE(added.size(), 1);
        QCOMPARE(QFileInfo(added.first()).absolutePath(), QFileInfo(uploadsDir()).absoluteFilePath());
        QVERIFY(!QUuid::fromString(QFileInfo(added.first()).completeBaseName()).isNull());
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/owned.mp4")));
    }

    void oversizedContentLengthRefusedBeforeReading()
    {
        startServer([](api::ApiServer::Options& o) { o.maxUploadBytes = 1 << 20; });
        const std::string head
            = "POST /transcode HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
              "Content-Length: 10737418240\r\n\r\n";
        // No body is sent at all: the answer must come from the headers alone.
        const std::string answer = rawExchange(m_port, head);
        QCOMPARE(statusOf(answer), 413);
        QVERIFY(answer.find("limit_exceeded") != std::string::npos);
        // curl's way: Expect: 100-continue gets the refusal instead of the go-ahead.
        const std::string expect = rawExchange(m_port,
            "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n");
        QCOMPARE(statusOf(expect), 413);
        QVERIFY(filesUnder(uploadsDir()).isEmpty());
    }

    void chunkedOversizedCutOff()
    {
        startServer([](api::ApiServer::Options& o) { o.maxUploadBytes = 1 << 20; });
        const std::string head
            = "POST /transcode HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
              "Transfer-Encoding: chunked\r\n\r\n";
        const std::string partHead
            = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n\r\n";
        const std::string answer = rawExchange(m_port, head, [&](int fd) {
            char line[32];
            std::snprintf(line, sizeof line, "%zx\r\n", partHead.size());
            ::send(fd, line, std::strlen(line), MSG_NOSIGNAL);
            ::send(fd, partHead.data(), partHead.size(), MSG_NOSIGNAL);
            ::send(fd, "\r\n", 2, MSG_NOSIGNAL);
            sendRepeated(fd, 64 << 20, 64 * 1024, true);
        });
        QCOMPARE(statusOf(answer), 413);
        QCOMPARE(m_manager->counts().total(), 0);
        QVERIFY2(filesUnder(uploadsDir()).isEmpty(), qPrintable(filesUnder(uploadsDir()).join(u' ')));
    }

    void disconnectMidUploadLeavesNothing()
    {
        auto uploaded = [this] {
            const std::string text = m_metrics->text();
            const auto at = text.find("\nvtfarm_upload_bytes_total ");
            return at == std::string::npos ? 0.0 : std::stod(text.substr(at + 27));
        };
        const std::string head
            = "POST /transcode HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
              "Content-Length: 50000000\r\n\r\n"
              "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.mp4\"\r\n\r\n";
        // Half a megabyte, then the client goes away.
        rawExchange(
            m_port, head, [](int fd) { sendRepeated(fd, 512 * 1024, 16 * 1024, false); }, 200);
        // The upload's file existed once bytes were counted; then it must go, and no job appear.
        QTRY_VERIFY_WITH_TIMEOUT(uploaded() >= 256 * 1024, 20'000);
        QTRY_VERIFY_WITH_TIMEOUT(filesUnder(uploadsDir()).isEmpty(), 20'000);
        QCOMPARE(m_manager->counts().total(), 0);
    }

    void playlistDisguisedAsVideoRefused()
    {
        const std::string playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,"
                                     "\nfile:///etc/passwd\n#EXT-X-ENDLIST\n";
        for (const char* route : { "/transcode", "/api/v1/jobs" }) {
            const Reply r = post(m_port, route, { filePart(playlist, "holiday.mp4") });
            QCOMPARE(r.status, 422);
            QCOMPARE(errorCode(r), QStringLiteral("unsupported_input"));
            QCOMPARE(errorField(r), QStringLiteral("file"));
            QVERIFY2(r.body.find(uploadsDir().toStdString()) == std::string::npos,
                "no server path in the message");
        }
        const Reply text = post(m_port, "/transcode", { filePart(std::string(5000, 'z'), "notes.mp4") });
        QCOMPARE(text.status, 422);
        QCOMPARE(m_manager->counts().total(), 0);
        QVERIFY(filesUnder(uploadsDir()).isEmpty());
    }

    void nonUuidIdsAreNotFound_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("word") << "abc";
        QTest::newRow("braces") << "{00000000-0000-0000-0000-000000000000}";
        QTest::newRow("short") << "00000000-0000-0000-0000-00000000000";
        QTest::newRow("dots") << "..";
        QTest::newRow("unknown uuid") << "6b7f7f7e-3a1c-4f0e-9a55-0d4c5a8e9b10";
    }
    void nonUuidIdsAreNotFound()
    {
        QFETCH(QString, id);
        const std::string i = QUrl::toPercentEncoding(id).toStdString();
        QCOMPARE(get(m_port, "/status/" + i).status, 404);
        QCOMPARE(errorCode(get(m_port, "/status/" + i)), QStringLiteral("not_found"));
        QCOMPARE(get(m_port, "/api/v1/jobs/" + i).status, 404);
        QCOMPARE(get(m_port, "/api/v1/jobs/" + i + "/output").status, 404);
        QCOMPARE(postBody(m_port, "/api/v1/jobs/" + i + "/cancel", "", "application/json").status, 404);
        QCOMPARE(postBody(m_port, "/api/v1/jobs/" + i + "/retry", "", "application/json").status, 404);
        QCOMPARE(del(m_port, "/api/v1/jobs/" + i).status, 404);
    }

    void tokenRequiredWhenConfigured()
    {
        startServer([](api::ApiServer::Options& o) {
            o.token = QString::fromStdString(kToken);
            o.authFailuresBeforeLockout = 100;
        });
        const Reply missing = get(m_port, "/api/v1/jobs");
        QCOMPARE(missing.status, 401);
        QCOMPARE(
            QString::fromStdString(missing.header("WWW-Authenticate")).left(6), QStringLiteral("Bearer"));
        QCOMPARE(errorCode(missing), QStringLiteral("unauthorized"));
        QCOMPARE(get(m_port, "/api/v1/jobs", "wrong-token-wrong-token").status, 401);
        QCOMPARE(get(m_port, "/api/v1/jobs", kToken + "x").status, 401);
        QCOMPARE(get(m_port, "/api/v1/jobs", kToken).status, 200);
        QCOMPARE(get(m_port, "/status/6b7f7f7e-3a1c-4f0e-9a55-0d4c5a8e9b10").status, 401);
        // An upload without the token is refused before its body is stored.
        QCOMPARE(upload("/transcode", {}).status, 401);
        QVERIFY(filesUnder(uploadsDir()).isEmpty());
        QCOMPARE(upload("/transcode", {}, "clip.mp4", kToken).status, 200);
        // Open by design: probes and Prometheus need no secret.
        QCOMPARE(get(m_port, "/healthz").status, 200);
        QCOMPARE(get(m_port, "/metrics").status, 200);
        QCOMPARE(get(m_port, "/openapi.json").status, 200);
    }

    void repeatedFailuresLockTheAddressOut()
    {
        startServer([](api::ApiServer::Options& o) {
            o.token = QString::fromStdString(kToken);
            o.authFailuresBeforeLockout = 3;
        });
        for (int i = 0; i < 3; ++i)
            QCOMPARE(get(m_port, "/api/v1/jobs", "guess-guess-guess-" + std::to_string(i)).status, 401);
        // Locked out: even the right token waits.
        const Reply locked = get(m_port, "/api/v1/jobs", kToken);
        QCOMPARE(locked.status, 401);
        QVERIFY(std::atoi(locked.header("Retry-After").c_str()) >= 1);
    }

    void nonLoopbackNeedsToken()
    {
        api::ApiServer::Options o;
        o.bindAddress = QStringLiteral("0.0.0.0");
        o.port = 0;
        o.dataDir = dataDir();
        api::ApiServer open(o, m_manager.get(), m_metrics.get());
        const auto r = open.start();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().field, QStringLiteral("token"));
        QVERIFY(!open.isRunning());
        QVERIFY(api::ApiServer::isLoopback(QStringLiteral("127.0.0.1")));
        QVERIFY(api::ApiServer::isLoopback(QStringLiteral("127.3.2.1")));
        QVERIFY(api::ApiServer::isLoopback(QStringLiteral("::1")));
        QVERIFY(!api::ApiServer::isLoopback(QStringLiteral("::")));
        QVERIFY(!api::ApiServer::isLoopback(QStringLiteral("192.168.1.2")));
    }

    void storageFullRefused()
    {
        startServer(
            [](api::ApiServer::Options& o) { o.minFreeBytes = std::numeric_limits<qint64>::max() / 2; });
        const Reply r = upload("/transcode", {});
        QCOMPARE(r.status, 507);
        QCOMPARE(errorCode(r), QStringLiteral("storage_full"));
        QCOMPARE(m_manager->counts().total(), 0);
        QVERIFY(filesUnder(uploadsDir()).isEmpty());
    }

    void oversizedHeadersRefused()
    {
        const std::string head
            = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(100'000, 'a') + "\r\n\r\n";
        // 431 Request Header Fields Too Large (RFC 6585), whether one field or many.
        const std::string answer = rawExchange(m_port, head);
        QCOMPARE(statusOf(answer), 431);
        std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 5000; ++i)
            many += "X-H" + std::to_string(i) + ": v\r\n";
        QCOMPARE(statusOf(rawExchange(m_port, many + "\r\n")), 431);
        QCOMPARE(get(m_port, "/healthz").status, 200);
    }

    void tooManyFormPartsRefused()
    {
        httplib::MultipartFormDataItems items;
        for (int i = 0; i < 40; ++i)
            items.push_back({ "f" + std::to_string(i), "v", "", "" });
        const Reply r = upload("/api/v1/jobs", items);
        QCOMPARE(r.status, 413);
        QCOMPARE(errorCode(r), QStringLiteral("limit_exceeded"));
        QCOMPARE(m_manager->counts().total(), 0);
        QVERIFY(filesUnder(uploadsDir()).isEmpty());
    }

    void slowHeadersAreCutOff()
    {
        startServer([](api::ApiServer::Options& o) { o.headerTimeoutMs = 300; });
        QElapsedTimer clock;
        clock.start();
        // Half a request, then silence: the server hangs up long before the client would.
        const std::string answer = rawExchange(m_port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", {}, 60'000);
        QVERIFY2(clock.elapsed() < 30'000, "the server kept a silent connection open");
        // 408 Request Timeout (RFC 9110 §15.5.9), then the connection closes.
        QVERIFY(statusOf(answer) == 0 || statusOf(answer) == 408);
        QCOMPARE(get(m_port, "/healthz").status, 200);
    }

    void idleConnectionsCannotHoldEveryDescriptor()
    {
        // Four connections from one address: of twelve idle clients at most four are kept; the
        // others are closed by the server at once (503), long before any header deadline.
        startServer([](api::ApiServer::Options& o) {
            o.maxConnectionsPerAddress = 4;
            o.headerTimeoutMs = 120'000;
        });
        std::vector<int> idle;
        for (int i = 0; i < 12; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in addr {};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(uint16_t(m_port));
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
            idle.push_back(fd);
        }
        auto closedByServer = [&] {
            int closed = 0;
            for (int fd : idle) {
                char buf[256];
                const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT | MSG_PEEK);
                if (n == 0 || (n > 0 && std::string(buf, size_t(n)).find(" 503 ") != std::string::npos)
                    || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                    ++closed;
            }
            return closed;
        };
        QTRY_VERIFY_WITH_TIMEOUT(closedByServer() >= 8, 30'000);
        for (int fd : idle)
            ::close(fd);
        QTRY_COMPARE_WITH_TIMEOUT(get(m_port, "/healthz").status, 200, 30'000);
    }

    void qualityFieldsAndScores()
    {
        QCOMPARE(upload("/api/v1/jobs", { { "min_ssim", "high", "", "" } }).status, 400);
        QCOMPARE(errorField(upload("/api/v1/jobs", { { "min_ssim", "high", "", "" } })),
            QStringLiteral("min_ssim"));
        QCOMPARE(
            errorField(upload("/api/v1/jobs", { { "min_ssim", "2", "", "" } })), QStringLiteral("min_ssim"));
        QCOMPARE(errorField(upload("/api/v1/jobs", { { "skip_if_larger", "perhaps", "", "" } })),
            QStringLiteral("skip_if_larger"));

        const Reply created = upload("/api/v1/jobs",
            { { "quality_check", "true", "", "" }, { "skip_if_larger", "false", "", "" },
                { "resolution", "320x240", "", "" } });
        QCOMPARE(created.status, 201);
        const QJsonObject settings = json(created).value(u"settings").toObject();
        QCOMPARE(settings.value(u"quality_check").toBool(), true);
        QVERIFY(!settings.contains(u"skip_if_larger"));
        QVERIFY(json(created).value(u"quality").isNull()); // not measured yet
        const QString id = json(created).value(u"id").toString();
        waitFinished(id);
        const QJsonObject job = json(get(m_port, "/api/v1/jobs/" + id.toStdString()));
        QCOMPARE(job.value(u"status").toString(), QStringLiteral("finished"));
        const QJsonObject quality = job.value(u"quality").toObject();
        QVERIFY2(quality.value(u"ssim").toDouble() > 0.5 && quality.value(u"ssim").toDouble() <= 1,
            qPrintable(QString::fromStdString(get(m_port, "/api/v1/jobs/" + id.toStdString()).body)));
        QVERIFY(quality.value(u"psnr").toDouble() > 10);
        QVERIFY(quality.contains(u"vmaf") && quality.contains(u"vmaf_available"));
        QCOMPARE(job.value(u"input_kept").toBool(), false);

        const std::string text = get(m_port, "/metrics").body;
        QVERIFY(text.find("vtfarm_output_ssim_count 1") != std::string::npos);
        QVERIFY(text.find("vtfarm_output_ssim_bucket{le=\"1\"} 1") != std::string::npos);
        QVERIFY(text.find("vtfarm_output_psnr_db_count 1") != std::string::npos);
        QVERIFY(text.find("vtfarm_jobs_submitted_total{source=\"watch\"} 0") != std::string::npos);
    }

    void metricsLabelRoutesByTemplate()
    {
        QCOMPARE(get(m_port, "/api/v1/jobs/6b7f7f7e-3a1c-4f0e-9a55-0d4c5a8e9b10").status, 404);
        QCOMPARE(get(m_port, "/whatever/else").status, 404);
        const Reply r = get(m_port, "/metrics");
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Content-Type").rfind("text/plain", 0) == 0);
        QVERIFY(r.body.find(
                    R"(vtfarm_http_requests_total{method="GET",route="/api/v1/jobs/{id}",status="404"} 1)")
            != std::string::npos);
        QVERIFY(r.body.find(R"(route="unmatched")") != std::string::npos);
        QVERIFY(r.body.find("6b7f7f7e") == std::string::npos);
        QVERIFY(r.body.find("/whatever") == std::string::npos);
        QVERIFY(r.body.find("vtfarm_build_info{version=\"" VTFARM_VERSION "\"} 1") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(ApiServerTest)
#include "tst_apiserver.moc"
