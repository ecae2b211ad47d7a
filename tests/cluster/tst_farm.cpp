// The farm end to end, as separate processes on loopback: a real redis-server started here (with
// its append-only file, so that a restart keeps the queue), `vtfarm-cli serve --redis -j 0` as the
// coordinator and `vtfarm-cli node` processes, killed, stopped and restarted as an operator's
// machines would be. Nothing here waits for a fixed time: every step waits for a condition, with a
// generous limit. A job is held in the middle of its run by stopping its worker process (SIGSTOP),
// so that "kill the node mid-job" cannot race the job's end.

#include "fixtures.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <httplib.h>
#include <memory>

namespace {

constexpr int kLease = 3; // seconds, for the coordinator and the nodes
constexpr int kLong = 180'000; // ms: the limit of every wait for something that takes a lease or an encode

int freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

/// The children of \a pid (a node's worker processes).
QList<qint64> childrenOf(qint64 pid)
{
    QList<qint64> list;
    QDir proc(QStringLiteral("/proc"));
    for (const QString& entry : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const qint64 child = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
        const QList<QByteArray> rest = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (rest.size() > 1 && rest.at(1).toLongLong() == pid)
            list.append(child);
    }
    return list;
}

} // namespace

class TestFarm : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_token = QStringLiteral("farm-test-token-0123456789");
    QString m_tokenFile;
    QString m_short, m_long;
    int m_redisPort = 0;
    std::unique_ptr<QProcess> m_redis;
    std::unique_ptr<QProcess> m_serve;
    int m_apiPort = 0;
    std::map<QString, std::unique_ptr<QProcess>> m_nodes;

    // ---- the processes ------------------------------------------------------------------------

    QString redisCli(const QStringList& args, int port = 0)
    {
        QProcess p;
        p.start(QStringLiteral("redis-cli"),
            QStringList { "-p", QString::number(port ? port : m_redisPort) } + args);
        p.waitForFinished(10'000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

    bool startRedis()
    {
        m_redis = std::make_unique<QProcess>();
        m_redis->setProcessChannelMode(QProcess::MergedChannels);
        m_redis->setStandardOutputFile(m_dir.filePath(QStringLiteral("redis.log")), QIODevice::Append);
        m_redis->start(QStringLiteral("redis-server"),
            { "--port", QString::number(m_redisPort), "--bind", "127.0.0.1", "--dir", m_dir.filePath("redis"),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no" });
        if (!m_redis->waitForStarted())
            return false;
        for (int i = 0; i < 100; ++i) {
            if (redisCli({ "ping" }) == u"PONG")
                return true;
            QTest::qWait(100);
        }
        return false;
    }

    QString redisUrl() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_redisPort); }

    bool startServe()
    {
        m_serve = std::make_unique<QProcess>();
        m_serve->setProcessChannelMode(QProcess::SeparateChannels);
        m_serve->setStandardErrorFile(m_dir.filePath(QStringLiteral("serve.log")), QIODevice::Append);
        m_serve->start(QStringLiteral(VTFARM_CLI),
            { "serve", "--port", QString::number(m_apiPort), "--redis", redisUrl(), "-j", "0", "--lease",
                QString::number(kLease), "--token-file", m_tokenFile, "--data-dir", m_dir.filePath("data") });
        if (!m_serve->waitForStarted())
            return false;
        QByteArray out;
        for (int i = 0; i < 200 && m_serve->state() == QProcess::Running; ++i) {
            m_serve->waitForReadyRead(100);
            out += m_serve->readAllStandardOutput();
            if (out.contains("serving on"))
                return true;
        }
        return false;
    }

    QProcess* startNode(const QString& name, const QStringList& extra = {}, bool wait = true)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->setStandardOutputFile(m_dir.filePath(QStringLiteral("node-%1.log").arg(name)), QIODevice::Append);
        p->start(QStringLiteral(VTFARM_CLI),
            QStringList { "node", "--redis", redisUrl(), "--server",
                QStringLiteral("http://127.0.0.1:%1").arg(m_apiPort), "--token-file", m_tokenFile, "-j", "1",
                "--name", name, "--work-dir", m_dir.filePath("work-" + name), "--lease",
                QString::number(kLease), "--grace", "2" }
                + extra);
        if (!p->waitForStarted())
            return nullptr;
        QProcess* raw = p.get();
        m_nodes[name] = std::move(p);
        if (wait) {
            const bool listed = waitFor([&] { return nodeNames().contains(name); }, 90'000);
            if (!listed)
                qWarning() << "node" << name << "not listed:" << nodeLog(name);
        }
        return raw;
    }

    QString nodeLog(const QString& name) const
    {
        QFile f(m_dir.filePath(QStringLiteral("node-%1.log").arg(name)));
        f.open(QIODevice::ReadOnly);
        return QString::fromUtf8(f.readAll());
    }

    void killNode(const QString& name)
    {
        auto it = m_nodes.find(name);
        if (it == m_nodes.end())
            return;
        for (qint64 child : childrenOf(it->second->processId()))
            ::kill(pid_t(child), SIGKILL);
        it->second->kill();
        it->second->waitForFinished();
        m_nodes.erase(it);
    }

    /// Stops the worker \a node runs (it must have one within the limit); its pid, or 0.
    qint64 holdWorker(const QString& node)
    {
        qint64 worker = 0;
        waitFor(
            [&] {
                const auto children = childrenOf(m_nodes.at(node)->processId());
                worker = children.isEmpty() ? 0 : children.first();
                return worker != 0;
            },
            90'000);
        if (worker)
            ::kill(pid_t(worker), SIGSTOP);
        return worker;
    }

    /// Submits the long clip and, once a node runs it, stops its worker: the job's id, its node
    /// and the stopped worker's pid, or a worker of 0 and why.
    struct HeldJob
    {
        QString id, node;
        qint64 worker = 0;
        QString why;
    };
    HeldJob submitAndHold()
    {
        HeldJob held { submit(m_long), {}, 0, QStringLiteral("the coordinator refused the job") };
        if (held.id.isEmpty())
            return held;
        if (!waitState(held.id, QStringLiteral("started"))
            || !waitFor([&] { return !job(held.id).value(u"node").toString().isEmpty(); }, 10'000)) {
            held.why = describe(held.id);
            return held;
        }
        held.node = job(held.id).value(u"node").toString();
        held.worker = holdWorker(held.node);
        held.why = held.worker ? QString() : nodeLog(held.node);
        return held;
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    httplib::Client client() const
    {
        httplib::Client c("127.0.0.1", m_apiPort);
        c.set_bearer_token_auth(m_token.toStdString());
        c.set_read_timeout(30, 0);
        return c;
    }

    QJsonObject getJson(const std::string& path) const
    {
        auto c = client();
        auto r = c.Get(path.c_str());
        return r && r->status == 200 ? QJsonDocument::fromJson(QByteArray::fromStdString(r->body)).object()
                                     : QJsonObject();
    }

    QStringList nodeNames() const
    {
        QStringList names;
        for (const QJsonValue& n : getJson("/api/v1/nodes").value(u"nodes").toArray())
            names << n.toObject().value(u"name").toString();
        return names;
    }

    QString submit(const QString& file, const QString& resolution = QStringLiteral("320x240"))
    {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        httplib::MultipartFormDataItems items = {
            { "file", f.readAll().toStdString(), QFileInfo(file).fileName().toStdString(), "video/mp4" },
            { "codec", "libx264", "", "" },
            { "bitrate", "500k", "", "" },
            { "resolution", resolution.toStdString(), "", "" },
        };
        auto c = client();
        auto r = c.Post("/transcode", items);
        if (!r || r->status != 200)
            return {};
        return QJsonDocument::fromJson(QByteArray::fromStdString(r->body))
            .object()
            .value(u"job_id")
            .toString();
    }

    QJsonObject job(const QString& id) const { return getJson("/api/v1/jobs/" + id.toStdString()); }

    bool waitFor(const std::function<bool()>& condition, int ms)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            if (condition())
                return true;
            QTest::qWait(100);
        }
        return condition();
    }

    bool waitState(const QString& id, const QString& state, int ms = kLong)
    {
        return waitFor([&] { return job(id).value(u"status").toString() == state; }, ms);
    }

    QString describe(const QString& id) const
    {
        return QString::fromUtf8(QJsonDocument(job(id)).toJson(QJsonDocument::Compact));
    }

    /// Outputs in the data folder that a duplicate or a partial delivery would leave.
    QStringList strayFiles() const
    {
        QStringList found;
        QDirIterator it(m_dir.filePath(QStringLiteral("data")), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString f = it.next();
            if (f.endsWith(u".part") || f.contains(u"(1)"))
                found << f;
        }
        return found;
    }

    /// The sum of a metric's series, or of those whose labels contain \a labels.
    double metric(const QString& name, QStringView labels = {})
    {
        httplib::Client c("127.0.0.1", m_apiPort);
        auto r = c.Get("/metrics");
        if (!r)
            return -1;
        const QRegularExpression re(
            QStringLiteral("^%1(\\{[^}]*\\})? ([0-9.e+]+)$").arg(name), QRegularExpression::MultilineOption);
        double sum = 0;
        for (auto m = re.globalMatch(QString::fromStdString(r->body)); m.hasNext();) {
            const auto match = m.next();
            if (match.capturedView(1).contains(labels))
                sum += match.captured(2).toDouble();
        }
        return sum;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty(),
            "redis-server is needed (scripts/deps.sh installs it)");
        QDir().mkpath(m_dir.filePath(QStringLiteral("redis")));
        m_tokenFile = m_dir.filePath(QStringLiteral("token"));
        QFile t(m_tokenFile);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write(m_token.toUtf8() + '\n');
        t.close();
        QFile::setPermissions(m_tokenFile, QFile::ReadOwner | QFile::WriteOwner);
        m_short = vtfarm::test::writeClip(m_dir.filePath(QStringLiteral("short.mp4")), { 160, 120 }, 2);
        m_long = vtfarm::test::writeClip(m_dir.filePath(QStringLiteral("long.mp4")), { 320, 240 }, 8);
        QVERIFY(!m_short.isEmpty() && !m_long.isEmpty());
        m_redisPort = freePort();
        m_apiPort = freePort();
        QVERIFY(startRedis());
        QVERIFY(startServe());
        QVERIFY(startNode(QStringLiteral("n1")));
        QVERIFY(startNode(QStringLiteral("n2")));
        QCOMPARE(nodeNames(), QStringList({ "n1", "n2" }));
    }

    void cleanup()
    {
        // What each process said, when a step failed: the reason is usually there.
        if (!QTest::currentTestFailed())
            return;
        for (const QString& log : QDir(m_dir.path()).entryList({ "*.log" }, QDir::Files)) {
            QFile f(m_dir.filePath(log));
            f.open(QIODevice::ReadOnly);
            qWarning().noquote() << "----" << log << "\n" << QString::fromUtf8(f.readAll()).right(6000);
        }
    }

    void cleanupTestCase()
    {
        for (auto& [name, p] : m_nodes) {
            for (qint64 child : childrenOf(p->processId()))
                ::kill(pid_t(child), SIGKILL);
            p->kill();
            p->waitForFinished();
        }
        if (m_serve) {
            m_serve->kill();
            m_serve->waitForFinished();
        }
        if (m_redis) {
            m_redis->kill();
            m_redis->waitForFinished();
        }
    }

    void twoNodesShareTheQueue()
    {
        QStringList ids;
        for (int i = 0; i < 4; ++i)
            ids << submit(m_short);
        QSet<QString> used;
        for (const QString& id : ids) {
            QVERIFY(!id.isEmpty());
            QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
            const QJsonObject j = job(id);
            used << j.value(u"node").toString();
            QCOMPARE(j.value(u"attempts").toInt(), 1);
        }
        QCOMPARE(used, QSet<QString>({ "n1", "n2" }));
        // The output the coordinator took from a node is the transcode asked for.
        auto c = client();
        auto out = c.Get(("/api/v1/jobs/" + ids.first().toStdString() + "/output").c_str());
        QVERIFY(out && out->status == 200);
        const QString path = m_dir.filePath(QStringLiteral("fetched.mp4"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(out->body.data(), qint64(out->body.size()));
        f.close();
        const QJsonArray videos = vtfarm::test::Ffprobe::streams(path, QStringLiteral("video"));
        QCOMPARE(videos.size(), 1);
        const QJsonObject video = videos.first().toObject();
        QCOMPARE(video.value(u"width").toInt(), 320);
        QCOMPARE(video.value(u"height").toInt(), 240);
        QVERIFY(strayFiles().isEmpty());
        QVERIFY(metric(QStringLiteral("vtfarm_transfer_bytes_total")) > 0);
    }

    void aSplitJobRunsOnTheNodesAndIsDownloadedOncePerNode()
    {
        const double sentBefore
            = metric(QStringLiteral("vtfarm_transfer_bytes_total"), u"direction=\"input\"");
        std::map<QString, qsizetype> logBefore;
        for (const auto& [name, p] : m_nodes)
            logBefore[name] = nodeLog(name).size();
        QFile f(m_long);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        httplib::MultipartFormDataItems items = {
            { "file", bytes.toStdString(), "long.mp4", "video/mp4" },
            { "codec", "libx264", "", "" },
            { "bitrate", "500k", "", "" },
            { "resolution", "320x240", "", "" },
            { "split", "2", "", "" },
        };
        auto c = client();
        auto r = c.Post("/api/v1/jobs", items);
        QVERIFY(r);
        QVERIFY2(r->status == 201 || r->status == 200, r->body.c_str());
        const QString id
            = QJsonDocument::fromJson(QByteArray::fromStdString(r->body)).object().value(u"id").toString();
        QVERIFY(!id.isEmpty());
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        const QJsonObject segments = job(id).value(u"segments").toObject();
        const int total = segments.value(u"total").toInt();
        QVERIFY2(total >= 2, qPrintable(describe(id)));
        QCOMPARE(segments.value(u"done").toInt(), total);

        // The nodes that ran a segment (or the audio) each downloaded the input once, not once
        // per segment.
        QSet<QString> nodes;
        int children = 0;
        for (const auto& [name, before] : logBefore) {
            const int took = int(nodeLog(name).mid(before).count(QStringLiteral("(long.mp4 (")));
            children += took;
            if (took > 0)
                nodes << name;
        }
        QCOMPARE(children, total + 1); // the video segments and the audio
        const double sent
            = metric(QStringLiteral("vtfarm_transfer_bytes_total"), u"direction=\"input\"") - sentBefore;
        QCOMPARE(qint64(sent), qint64(nodes.size()) * bytes.size());
        // What the nodes keep for the next segment is one input at most, and no job's folder.
        for (const QString& name : nodes) {
            const QDir work(m_dir.filePath("work-" + name));
            QVERIFY2(work.entryList(QDir::Dirs | QDir::NoDotAndDotDot).size() <= 1,
                qPrintable(work.entryList().join(u' ')));
            QVERIFY(QDir(work.filePath(QStringLiteral("inputs"))).entryList(QDir::Files).size() <= 1);
        }

        // The joined output has every frame of the input.
        auto out = c.Get(("/api/v1/jobs/" + id.toStdString() + "/output").c_str());
        QVERIFY(out && out->status == 200);
        const QString path = m_dir.filePath(QStringLiteral("fetched-split.mp4"));
        QFile o(path);
        QVERIFY(o.open(QIODevice::WriteOnly));
        o.write(out->body.data(), qint64(out->body.size()));
        o.close();
        QCOMPARE(vtfarm::test::Ffprobe::packetCount(path), vtfarm::test::Ffprobe::packetCount(m_long));
        QVERIFY(vtfarm::test::Ffprobe::packetCount(path, QStringLiteral("a")) > 0);
        QVERIFY(strayFiles().isEmpty());
    }

    void aKilledNodesJobRunsElsewhere()
    {
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString first = held.node;
        QCOMPARE(job(id).value(u"status").toString(), QStringLiteral("started"));
        killNode(first);
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        const QJsonObject j = job(id);
        QVERIFY(j.value(u"node").toString() != first);
        QCOMPARE(j.value(u"attempts").toInt(), 2);
        QVERIFY(metric(QStringLiteral("vtfarm_jobs_reclaimed_total")) >= 1);
        QVERIFY(startNode(first));
        QVERIFY(strayFiles().isEmpty());
    }

    void aLateResultIsRefused()
    {
        // A node that was only slow (stopped past its lease) delivers after another node did.
        const double refusedBefore = metric(QStringLiteral("vtfarm_results_refused_total"));
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString slow = held.node;
        QProcess* node = m_nodes.at(slow).get();
        const qint64 worker = held.worker;
        ::kill(pid_t(node->processId()), SIGSTOP);
        QVERIFY2(waitFor(
                     [&] {
                         const QString now = job(id).value(u"node").toString();
                         return !now.isEmpty() && now != slow;
                     },
                     kLong),
            qPrintable(describe(id)));
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        const QString winner = job(id).value(u"node").toString();
        ::kill(pid_t(node->processId()), SIGCONT);
        ::kill(pid_t(worker), SIGCONT);
        // The slow node finishes its encode, uploads, is told 409 and throws its output away.
        QVERIFY2(waitFor([&] { return nodeLog(slow).contains(u"discarded the output of " + id); }, kLong),
            qPrintable(nodeLog(slow)));
        QVERIFY(metric(QStringLiteral("vtfarm_results_refused_total")) > refusedBefore);
        const QJsonObject j = job(id);
        QCOMPARE(j.value(u"status").toString(), QStringLiteral("finished"));
        QCOMPARE(j.value(u"node").toString(), winner);
        QVERIFY(strayFiles().isEmpty());
        // And the slow node takes work again.
        const QString next = submit(m_short);
        QVERIFY2(waitState(next, QStringLiteral("finished")), qPrintable(describe(next)));
    }

    void outputsAreChecked()
    {
        // The node routes refuse what a node must not deliver: a stale attempt, a damaged file.
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString node = held.node;
        const qint64 worker = held.worker;
        const int attempt = job(id).value(u"attempts").toInt();
        QFile f(m_short);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::string body = f.readAll().toStdString();
        const std::string path = "/api/v1/jobs/" + id.toStdString() + "/output";
        const std::string wrongDigest(64, 'a');
        auto c = client();
        auto stale = c.Put(path.c_str(),
            { { "X-Vtfarm-Attempt", std::to_string(attempt + 1) }, { "X-Vtfarm-Sha256", wrongDigest } }, body,
            "application/octet-stream");
        QVERIFY(stale);
        QCOMPARE(stale->status, 409);
        auto damaged = c.Put(path.c_str(),
            { { "X-Vtfarm-Attempt", std::to_string(attempt) }, { "X-Vtfarm-Sha256", wrongDigest } }, body,
            "application/octet-stream");
        QVERIFY(damaged);
        QCOMPARE(damaged->status, 400);
        QVERIFY(QString::fromStdString(damaged->body).contains(u"X-Vtfarm-Sha256"));
        // Without the token: refused like every route.
        httplib::Client anonymous("127.0.0.1", m_apiPort);
        auto noToken = anonymous.Get(("/api/v1/jobs/" + id.toStdString() + "/input").c_str());
        QVERIFY(noToken);
        QCOMPARE(noToken->status, 401);
        QCOMPARE(job(id).value(u"status").toString(), QStringLiteral("started"));
        ::kill(pid_t(worker), SIGCONT);
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        QCOMPARE(job(id).value(u"attempts").toInt(), attempt);
        QVERIFY(strayFiles().isEmpty());
    }

    void cancelReachesTheNode()
    {
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString node = held.node;
        const qint64 worker = held.worker;
        auto c = client();
        auto r = c.Post(("/api/v1/jobs/" + id.toStdString() + "/cancel").c_str());
        QVERIFY(r && r->status == 200);
        QVERIFY2(waitState(id, QStringLiteral("canceled")), qPrintable(describe(id)));
        // The node stops its worker (a stopped one is killed) and is free for the next job.
        QVERIFY2(waitFor([&] { return childrenOf(m_nodes.at(node)->processId()).isEmpty(); }, 90'000),
            qPrintable(nodeLog(node)));
        QVERIFY(nodeLog(node).contains(u"the coordinator canceled " + id));
        QVERIFY(!QDir(m_dir.filePath("work-" + node))
                     .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                     .contains(id + QStringLiteral("-a1")));
        const QString next = submit(m_short);
        QVERIFY2(waitState(next, QStringLiteral("finished")), qPrintable(describe(next)));
    }

    void theCoordinatorRestarts()
    {
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString node = held.node;
        const qint64 worker = held.worker;
        m_serve->kill();
        m_serve->waitForFinished();
        const QString queued = submit(m_short); // refused: nobody listens
        QVERIFY(queued.isEmpty());
        ::kill(pid_t(worker), SIGCONT);
        // The node finishes meanwhile and keeps its output until the coordinator is back.
        QVERIFY2(waitFor([&] { return nodeLog(node).contains(u"uploading the output"); }, kLong),
            qPrintable(nodeLog(node)));
        QVERIFY(startServe());
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        QCOMPARE(job(id).value(u"attempts").toInt(), 1);
        QCOMPARE(job(id).value(u"node").toString(), node);
        QVERIFY(strayFiles().isEmpty());
    }

    void redisRestartsAndIsEmptied()
    {
        QStringList ids;
        for (int i = 0; i < 3; ++i)
            ids << submit(m_short);
        redisCli({ "shutdown" });
        m_redis->waitForFinished();
        QVERIFY(startRedis());
        for (const QString& id : ids)
            QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        // Emptied outright (FLUSHALL): the coordinator's store still has the jobs, and puts them
        // in again.
        ids.clear();
        for (int i = 0; i < 3; ++i)
            ids << submit(m_short);
        redisCli({ "flushall" });
        for (const QString& id : ids)
            QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        QVERIFY(waitFor([&] { return nodeNames().size() == 2; }, 90'000));
        QVERIFY(strayFiles().isEmpty());
    }

    void sigtermHandsTheJobBack()
    {
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString node = held.node;
        // A node whose grace is shorter than the job hands it back; the job loses no attempt.
        QProcess* p = m_nodes.at(node).get();
        p->terminate();
        QVERIFY(p->waitForFinished(60'000));
        QCOMPARE(p->exitStatus(), QProcess::NormalExit);
        QCOMPARE(p->exitCode(), 0);
        m_nodes.erase(node);
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        const QJsonObject j = job(id);
        QVERIFY(j.value(u"node").toString() != node);
        QCOMPARE(j.value(u"attempts").toInt(), 1);
        // The node left the farm's list (the coordinator reads it every second).
        QVERIFY(waitFor([&] { return !nodeNames().contains(node); }, 90'000));
        QVERIFY(startNode(node));
    }

    void aTokenRefusedMidJobHandsTheJobBack()
    {
        // The coordinator is started again with another token while a node holds a job: the node
        // cannot deliver, so it hands the job back (no attempt spent) and ends saying why, rather
        // than holding the job and retrying forever.
        const HeldJob held = submitAndHold();
        QVERIFY2(held.worker, qPrintable(held.why));
        const QString id = held.id;
        const QString node = held.node;
        const qint64 worker = held.worker;
        // The other node would take the job when it comes back, and be refused in turn.
        killNode(node == u"n1" ? QStringLiteral("n2") : QStringLiteral("n1"));
        const QString token = m_token;
        const auto restartWith = [this](const QString& t) {
            m_serve->kill();
            m_serve->waitForFinished();
            QFile f(m_tokenFile);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(t.toUtf8() + '\n') <= 0)
                return false;
            f.close();
            m_token = t;
            return startServe();
        };
        QVERIFY(restartWith(token + QStringLiteral("-another")));
        ::kill(pid_t(worker), SIGCONT);
        QProcess* p = m_nodes.at(node).get();
        QVERIFY2(p->waitForFinished(kLong), qPrintable(nodeLog(node)));
        QCOMPARE(p->exitStatus(), QProcess::NormalExit);
        QCOMPARE(p->exitCode(), 2);
        m_nodes.erase(node);
        const QString said = nodeLog(node);
        QVERIFY2(said.contains(u"refused this node's token") && said.contains(u"Handing back 1 job(s)"),
            qPrintable(said));
        QVERIFY2(waitState(id, QStringLiteral("queued"), 30'000), qPrintable(describe(id)));
        QCOMPARE(job(id).value(u"attempts").toInt(), 0);
        QVERIFY2(job(id).value(u"node").isNull(), qPrintable(describe(id))); // back in the queue, on no node
        // With the token the nodes have, the job runs again on its first attempt.
        QVERIFY(restartWith(token));
        QVERIFY(startNode(QStringLiteral("n1")));
        QVERIFY(startNode(QStringLiteral("n2")));
        QVERIFY2(waitState(id, QStringLiteral("finished")), qPrintable(describe(id)));
        QCOMPARE(job(id).value(u"attempts").toInt(), 1);
        QVERIFY(strayFiles().isEmpty());
    }

    void aPoisonJobFailsNamingItsNodes()
    {
        // A job whose worker hangs wherever it runs (each worker here is stopped as soon as it
        // appears, and the nodes' stall watchdog kills it): retried on the nodes until its last
        // attempt, then failed with the nodes it ran on in the error, not retried forever.
        for (const QString& name : { QStringLiteral("n1"), QStringLiteral("n2") }) {
            killNode(name);
            QVERIFY(startNode(name, { "--stall-timeout", "2" }));
        }
        const QString id = submit(m_long);
        QVERIFY(!id.isEmpty());
        QSet<qint64> held;
        const bool failed = waitFor(
            [&] {
                for (const auto& [name, p] : m_nodes) {
                    for (qint64 worker : childrenOf(p->processId())) {
                        if (!held.contains(worker)) {
                            ::kill(pid_t(worker), SIGSTOP);
                            held.insert(worker);
                        }
                    }
                }
                return job(id).value(u"status").toString() == u"failed";
            },
            kLong * 2);
        QVERIFY2(failed, qPrintable(describe(id)));
        const QJsonObject j = job(id);
        QCOMPARE(j.value(u"attempts").toInt(), 3);
        const QString error = j.value(u"error").toString();
        QVERIFY2(error.contains(u"nodes tried:"), qPrintable(error));
        QVERIFY2(error.contains(u"n1") || error.contains(u"n2"), qPrintable(error));
        QVERIFY(held.size() >= 3);
        for (const QString& name : { QStringLiteral("n1"), QStringLiteral("n2") }) {
            killNode(name);
            QVERIFY(startNode(name));
        }
    }

    void mistakesAPersonMustFixEndTheNode()
    {
        // A wrong token: said, and the node ends (exit status 2) rather than retrying forever.
        const QString wrong = m_dir.filePath(QStringLiteral("wrong-token"));
        QFile t(wrong);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("not-the-coordinators-token\n");
        t.close();
        QFile::setPermissions(wrong, QFile::ReadOwner | QFile::WriteOwner);
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral(VTFARM_CLI),
            { "node", "--redis", redisUrl(), "--server", QStringLiteral("http://127.0.0.1:%1").arg(m_apiPort),
                "--token-file", wrong, "--name", "wrongtoken", "--work-dir", m_dir.filePath("work-wrong") });
        QVERIFY(p.waitForFinished(60'000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(
            p.readAll().contains("refused this node's token"), qPrintable(QString::number(p.exitCode())));

        // A Redis that wants a password the URL lacks.
        const int lockedPort = freePort();
        QProcess locked;
        locked.start(QStringLiteral("redis-server"),
            { "--port", QString::number(lockedPort), "--bind", "127.0.0.1", "--requirepass",
                "s3cret-password", "--save", "", "--appendonly", "no" });
        QVERIFY(locked.waitForStarted());
        QVERIFY(waitFor([&] { return redisCli({ "ping" }, lockedPort).contains(u"NOAUTH"); }, 10'000));
        QProcess noPassword;
        noPassword.setProcessChannelMode(QProcess::MergedChannels);
        noPassword.start(QStringLiteral(VTFARM_CLI),
            { "node", "--redis", QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(lockedPort), "--server",
                QStringLiteral("http://127.0.0.1:%1").arg(m_apiPort), "--token-file", m_tokenFile, "--name",
                "nopassword", "--work-dir", m_dir.filePath("work-nopassword") });
        QVERIFY(noPassword.waitForFinished(60'000));
        const QByteArray said = noPassword.readAll();
        QCOMPARE(noPassword.exitCode(), 2);
        QVERIFY2(said.contains("password") || said.contains("WRONGPASS"), said.constData());
        locked.kill();
        locked.waitForFinished();

        // A coordinator of another farm protocol: said, with both versions.
        const int otherPort = freePort();
        QProcess other;
        other.start(QStringLiteral("redis-server"),
            { "--port", QString::number(otherPort), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                "no" });
        QVERIFY(other.waitForStarted());
        QVERIFY(waitFor([&] { return redisCli({ "ping" }, otherPort) == u"PONG"; }, 10'000));
        redisCli({ "hset", "vtfarm:coordinator", "protocol", "99", "version", "9.9.9", "host", "elsewhere" },
            otherPort);
        QProcess mismatch;
        mismatch.setProcessChannelMode(QProcess::MergedChannels);
        mismatch.start(QStringLiteral(VTFARM_CLI),
            { "node", "--redis", QStringLiteral("redis://127.0.0.1:%1").arg(otherPort), "--server",
                QStringLiteral("http://127.0.0.1:%1").arg(m_apiPort), "--token-file", m_tokenFile, "--name",
                "mismatch", "--work-dir", m_dir.filePath("work-mismatch") });
        QVERIFY(mismatch.waitForFinished(60'000));
        const QByteArray versions = mismatch.readAll();
        QCOMPARE(mismatch.exitCode(), 2);
        QVERIFY2(versions.contains("9.9.9") && versions.contains("protocol 99"), versions.constData());
        other.kill();
        other.waitForFinished();

        // Settings that cannot work are refused before anything starts.
        QProcess noServer;
        noServer.setProcessChannelMode(QProcess::MergedChannels);
        noServer.start(
            QStringLiteral(VTFARM_CLI), { "node", "--redis", redisUrl(), "--token-file", m_tokenFile });
        QVERIFY(noServer.waitForFinished(90'000));
        QCOMPARE(noServer.exitCode(), 2);
        QVERIFY(noServer.readAll().contains("--server"));
    }
};

QTEST_GUILESS_MAIN(TestFarm)
#include "tst_farm.moc"
