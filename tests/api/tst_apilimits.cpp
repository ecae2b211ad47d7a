// The API under clients that would stall a thread-per-connection server: connections that send
// half a header, uploads that trickle, a body of a gibibyte. Real sockets on loopback; any
// 127/8 address can be a client's.
#include "apiserver.h"
#include "apitestsupport.h"
#include "jobmanager.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <sys/resource.h>

using namespace vtfarm;
using namespace apitest;

namespace {

int connectFrom(const char* source, int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from {};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to {};
    to.sin_family = AF_INET;
    to.sin_port = htons(uint16_t(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0
        || ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    return fd;
}

/// GET /healthz from \a source: the status (0 when no answer within \a timeoutMs) and the time taken.
std::pair<int, qint64> healthFrom(const char* source, int port, int timeoutMs = 2000)
{
    QElapsedTimer clock;
    clock.start();
    const int fd = connectFrom(source, port);
    if (fd < 0)
        return { 0, clock.elapsed() };
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string answer;
    char buf[4096];
    while (answer.find("\r\n\r\n") == std::string::npos && clock.elapsed() < timeoutMs) {
        pollfd p { fd, POLLIN, 0 };
        if (::poll(&p, 1, 50) <= 0)
            continue;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        answer.append(buf, size_t(n));
    }
    ::close(fd);
    return { statusOf(answer), clock.elapsed() };
}

QStringList filesUnder(const QString& dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    return files;
}

qint64 highWaterKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

class ApiLimitsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // 1,200 client sockets and as many server ones.
        rlimit files {};
        ::getrlimit(RLIMIT_NOFILE, &files);
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, 16384);
        ::setrlimit(RLIMIT_NOFILE, &files);
        QVERIFY2(files.rlim_cur >= 4096, "needs 4096 file descriptors");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        jobs::JobManager::Options o;
        o.dataDir = m_dir->filePath(QStringLiteral("state"));
        o.autoStart = false;
        m_manager = std::make_unique<jobs::JobManager>(o);
        QVERIFY(m_manager->open().ok());
    }

    void cleanup()
    {
        if (m_server)
            m_server->stop();
        m_server.reset();
        m_manager.reset();
        m_dir.reset();
    }

    void halfHeadersFromEverywhereStallNothing()
    {
        startServer({});
        std::vector<int> held;
        const int port = m_port;
        offMainThread([&] {
            const std::string half = "POST /transcode HTTP/1.1\r\nHost: x\r\n";
            for (int i = 0; i < 1000; ++i) {
                if (const int fd = connectFrom("127.0.0.1", port); fd >= 0) {
                    ::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
                    held.push_back(fd);
                }
            }
            for (int a = 2; a <= 201; ++a) {
                const std::string source = "127.0.0." + std::to_string(a);
                if (const int fd = connectFrom(source.c_str(), port); fd >= 0) {
                    ::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
                    held.push_back(fd);
                }
            }
            return 0;
        });
        QCOMPARE(int(held.size()), 1200);
        qint64 worst = 0;
        for (int i = 0; i < 20; ++i) {
            const auto [status, ms] = offMainThread([port] { return healthFrom("127.0.0.250", port); });
            QCOMPARE(status, 200);
            worst = std::max(worst, ms);
        }
        qInfo("/healthz answered 20 times under 1,200 half-open connections, worst %lld ms",
            static_cast<long long>(worst));
        // From one address, only the first 32 are kept: the rest were told 503 and closed.
        int refused = 0;
        for (int i = 0; i < 1000; ++i) {
            char buf[64];
            pollfd p { held[std::size_t(i)], POLLIN, 0 };
            if (::poll(&p, 1, i == 999 ? 2000 : 0) > 0
                && ::recv(held[std::size_t(i)], buf, sizeof buf, MSG_PEEK) > 0
                && std::string(buf, 12).find(" 503") != std::string::npos)
                ++refused;
        }
        QVERIFY2(refused >= 1000 - 32 - 5, qPrintable(QString::number(refused)));
        for (int fd : held)
            ::close(fd);
    }

    void tricklingUploadsAreEndedAndLeaveNoFile()
    {
        startServer([](api::ApiServer::Options& o) {
            o.minBodyBytesPerSecond = 4096;
            o.bodyRateWindowMs = 2000;
        });
        const int port = m_port;
        constexpr int kClients = 100;
        std::vector<int> fds;
        offMainThread([&] {
            for (int a = 2; a < 2 + kClients; ++a) {
                const std::string source = "127.0.0." + std::to_string(a);
                const int fd = connectFrom(source.c_str(), port);
                const std::string head
                    = "POST /transcode HTTP/1.1\r\nHost: x\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000000\r\n\r\n"
                      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\n\r\n";
                ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
                fds.push_back(fd);
            }
            return 0;
        });
        QCOMPARE(int(fds.size()), kClients);
        // 1 KiB a second from each, while /healthz answers from elsewhere.
        std::vector<bool> ended(kClients, false);
        std::vector<int> statuses(kClients, 0);
        QElapsedTimer clock;
        clock.start();
        const std::string kib(1024, 'x');
        while (std::count(ended.begin(), ended.end(), true) < kClients && clock.elapsed() < 30'000) {
            for (int i = 0; i < kClients; ++i) {
                if (ended[std::size_t(i)])
                    continue;
                char buf[512];
                const ssize_t n = ::recv(fds[std::size_t(i)], buf, sizeof buf, MSG_DONTWAIT);
                if (n > 0)
                    statuses[std::size_t(i)] = statusOf(std::string(buf, size_t(n)));
                if (n == 0 || (n > 0)
                    || ::send(fds[std::size_t(i)], kib.data(), kib.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                    ended[std::size_t(i)] = true;
            }
            const auto [status, ms] = offMainThread([port] { return healthFrom("127.0.0.250", port); });
            QCOMPARE(status, 200);
            QTest::qWait(1000 - int(std::min<qint64>(ms, 900)));
        }
        qInfo("%d uploads at 1 KiB/s ended after %lld ms", kClients, static_cast<long long>(clock.elapsed()));
        QCOMPARE(int(std::count(ended.begin(), ended.end(), true)), kClients);
        QCOMPARE(int(std::count(statuses.begin(), statuses.end(), 408)), kClients);
        for (int fd : fds)
            ::close(fd);
        QTRY_VERIFY(filesUnder(QDir(dataDir()).filePath(QStringLiteral("uploads"))).isEmpty());
        QCOMPARE(m_manager->counts().total(), 0);
    }

    void aGibibyteStreamsInBoundedMemory_data()
    {
        QTest::addColumn<bool>("chunked");
        QTest::newRow("Content-Length") << false;
        QTest::newRow("chunked") << true;
    }
    void aGibibyteStreamsInBoundedMemory()
    {
        QFETCH(bool, chunked);
        startServer({});
        const qint64 before = highWaterKiB();
        constexpr std::size_t kFile = std::size_t(1) << 30;
        const std::string partHead
            = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n\r\n";
        const std::string tail = "\r\n--b--\r\n";
        std::string head
            = "POST /transcode HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n";
        head += chunked
            ? "Transfer-Encoding: chunked\r\n\r\n"
            : "Content-Length: " + std::to_string(partHead.size() + kFile + tail.size()) + "\r\n\r\n";
        const auto chunk = [chunked](int fd, const std::string& data) {
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", data.size());
            if (chunked)
                ::send(fd, size, std::strlen(size), MSG_NOSIGNAL);
            ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (chunked)
                ::send(fd, "\r\n", 2, MSG_NOSIGNAL);
        };
        const std::string answer = rawExchange(
            m_port, head,
            [&](int fd) {
                chunk(fd, partHead);
                const std::string piece(256 * 1024, 'x');
                for (std::size_t sent = 0; sent < kFile; sent += piece.size())
                    chunk(fd, piece);
                chunk(fd, tail);
                if (chunked)
                    ::send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
            },
            120'000);
        const qint64 growth = (highWaterKiB() - before) / 1024;
        qInfo("a 1 GiB %s upload grew the server's process by %lld MiB",
            chunked ? "chunked" : "Content-Length", static_cast<long long>(growth));
        QVERIFY2(growth <= 64, qPrintable(QString::number(growth)));
        // Zeros are no media: the whole body arrived, was stored, checked and refused, and removed.
        QVERIFY2(statusOf(answer) == 400 || statusOf(answer) == 422, answer.substr(0, 200).c_str());
        QTRY_VERIFY(filesUnder(QDir(dataDir()).filePath(QStringLiteral("uploads"))).isEmpty());
    }

private:
    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }
    void startServer(const std::function<void(api::ApiServer::Options&)>& tweak)
    {
        api::ApiServer::Options o;
        o.port = 0;
        o.dataDir = dataDir();
        o.presetsDir = m_dir->filePath(QStringLiteral("presets"));
        o.minFreeBytes = 0;
        if (tweak)
            tweak(o);
        m_server = std::make_unique<api::ApiServer>(o, m_manager.get(), nullptr);
        auto r = m_server->start();
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        m_port = m_server->port();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<jobs::JobManager> m_manager;
    std::unique_ptr<api::ApiServer> m_server;
    int m_port = 0;
};

QTEST_GUILESS_MAIN(ApiLimitsTest)
#include "tst_apilimits.moc"
