// What the coordinator and its nodes say through Redis, against a real redis-server started here:
// Redis URLs (and that a password never reaches a message), the client's errors, and job entries
// and events written with XADD and read back with XRANGE as the other side reads them.

#include "farmprotocol.h"
#include "redis.h"

#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::cluster;

class TestFarmProtocol : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QProcess m_redis;
    int m_port = 0;
    std::unique_ptr<Redis> m_client;

    RedisUrl url() const
    {
        RedisUrl u;
        u.port = m_port;
        u.password = QStringLiteral("proto-secret");
        return u;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!QStandardPaths::findExecutable(QStringLiteral("redis-server")).isEmpty());
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        m_port = s.serverPort();
        s.close();
        m_redis.start(QStringLiteral("redis-server"),
            { "--port", QString::number(m_port), "--bind", "127.0.0.1", "--requirepass", "proto-secret",
                "--save", "", "--appendonly", "no", "--dir", m_dir.path() });
        QVERIFY(m_redis.waitForStarted());
        for (int i = 0; i < 100 && !m_client; ++i) {
            if (auto c = Redis::connect(url(), std::chrono::seconds(2)))
                m_client = std::move(*c);
            else
                QTest::qWait(100);
        }
        QVERIFY(m_client);
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_redis.kill();
        m_redis.waitForFinished();
    }

    void urls()
    {
        auto full = RedisUrl::parse(QStringLiteral("redis://:s%40cret@farm.example.org:6380/3"));
        QVERIFY(full.ok());
        QCOMPARE(full->host, QStringLiteral("farm.example.org"));
        QCOMPARE(full->port, 6380);
        QCOMPARE(full->db, 3);
        QCOMPARE(full->password, QStringLiteral("s@cret"));
        QCOMPARE(full->display(), QStringLiteral("redis://:***@farm.example.org:6380/3"));
        auto plain = RedisUrl::parse(QStringLiteral("redis://10.0.0.5"));
        QVERIFY(plain.ok());
        QCOMPARE(plain->port, 6379);
        QCOMPARE(plain->db, 0);
        auto socket = RedisUrl::parse(QStringLiteral("unix:///run/redis/redis.sock?db=2"));
        QVERIFY(socket.ok());
        QCOMPARE(socket->socketPath, QStringLiteral("/run/redis/redis.sock"));
        QCOMPARE(socket->db, 2);
        for (const char* bad :
            { "http://:hunter2@host", "redis://:hunter2@/", "redis://:hunter2@host/x", "" }) {
            auto r = RedisUrl::parse(QString::fromLatin1(bad));
            QVERIFY2(!r.ok(), bad);
            QVERIFY2(!r.error().message.contains(u"hunter2"), qPrintable(r.error().message));
        }
    }

    void connectionErrorsSayWhy()
    {
        RedisUrl wrong = url();
        wrong.password = QStringLiteral("not-it");
        auto refused = Redis::connect(wrong, std::chrono::seconds(2));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().code != ErrorCode::IoError); // not worth retrying
        QVERIFY2(!refused.error().message.contains(u"not-it"), qPrintable(refused.error().message));
        RedisUrl nobody;
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        nobody.port = s.serverPort();
        s.close();
        auto unreachable = Redis::connect(nobody, std::chrono::seconds(2));
        QVERIFY(!unreachable.ok());
        QCOMPARE(unreachable.error().code, ErrorCode::IoError); // may come later: retried
        auto r = m_client->command({ "NOSUCHCOMMAND" });
        QVERIFY(r.ok());
        QVERIFY(r->value().isError());
        QVERIFY(!m_client->broken());
    }

    void jobEntriesRoundTrip()
    {
        JobEntry e;
        e.job = QUuid::createUuid();
        e.attempt = 3;
        e.name = QStringLiteral("película.mkv");
        e.container = QStringLiteral("mkv");
        e.inputBytes = 123'456'789;
        e.inputKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
        e.settings.videoCodec = QStringLiteral("libx265");
        e.settings.crf = 26;
        std::vector<std::string> args { "XADD", "test:jobs", "*" };
        const auto fields = e.fields();
        args.insert(args.end(), fields.begin(), fields.end());
        QVERIFY(m_client->command(args).ok());
        auto range = m_client->command({ "XRANGE", "test:jobs", "-", "+" });
        QVERIFY(range.ok());
        const auto entries = streamEntries(range->value());
        QCOMPARE(entries.size(), std::size_t(1));
        auto back = JobEntry::fromFields(entries.front().fields);
        QVERIFY2(back.ok(), qPrintable(back ? QString() : back.error().message));
        QCOMPARE(back->job, e.job);
        QCOMPARE(back->attempt, 3);
        QCOMPARE(back->name, e.name);
        QCOMPARE(back->container, e.container);
        QCOMPARE(back->inputBytes, e.inputBytes);
        QCOMPARE(back->inputKey, e.inputKey);
        QCOMPARE(back->settings.videoCodec, QStringLiteral("libx265"));
        QCOMPARE(back->settings.crf, 26);

        // An entry of another protocol version is refused with both versions named.
        QVERIFY(m_client
                    ->command({ "XADD", "test:other", "*", "job",
                        e.job.toString(QUuid::WithoutBraces).toStdString(), "attempt", "1", "settings", "{}",
                        "protocol", "99" })
                    .ok());
        auto other = m_client->command({ "XRANGE", "test:other", "-", "+" });
        QVERIFY(other.ok());
        auto refused = JobEntry::fromFields(streamEntries(other->value()).front().fields);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QVERIFY(refused.error().message.contains(u"99"));
    }

    void eventsRoundTrip()
    {
        FarmEvent e { FarmEvent::Type::Returned, QUuid::createUuid(), 2, QStringLiteral("encoder-1"),
            QStringLiteral("1700000000000-0"), QJsonObject { { "fraction", 0.5 } } };
        std::vector<std::string> args { "XADD", "test:events", "*" };
        const auto fields = e.fields();
        args.insert(args.end(), fields.begin(), fields.end());
        QVERIFY(m_client->command(args).ok());
        auto range = m_client->command({ "XRANGE", "test:events", "-", "+" });
        QVERIFY(range.ok());
        const FarmEvent back = FarmEvent::fromFields(streamEntries(range->value()).front().fields);
        QCOMPARE(back.type, FarmEvent::Type::Returned);
        QCOMPARE(back.job, e.job);
        QCOMPARE(back.attempt, 2);
        QCOMPARE(back.node, e.node);
        QCOMPARE(back.entryId, e.entryId);
        QCOMPARE(back.payload.value(u"fraction").toDouble(), 0.5);
    }
};

QTEST_GUILESS_MAIN(TestFarmProtocol)
#include "tst_farmprotocol.moc"
