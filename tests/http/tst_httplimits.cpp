// The server's bounds under hostile or careless clients, over real loopback sockets: memory for
// huge bodies, a flood of half-sent headers, per-address and total connection limits, the
// header deadline, the body rate, idle keep-alive and unread responses.

#include "httptestsupport.h"

#include <QElapsedTimer>
#include <QTest>
#include <atomic>
#include <mutex>
#include <thread>

using namespace httptest;

namespace {

/// \brief A sink that counts what it gets (optionally taking its time) and records aborts.
class CountingSink : public BodySink
{
public:
    struct Log
    {
        std::atomic<std::uint64_t> bytes { 0 };
        std::atomic<int> writes { 0 };
        std::mutex mutex;
        std::vector<int> aborts;
        std::atomic<bool> finished { false };
        std::chrono::milliseconds delay { 0 };

        std::vector<int> abortsCopy()
        {
            std::lock_guard lock(mutex);
            return aborts;
        }
    };

    explicit CountingSink(std::shared_ptr<Log> log)
        : m_log(std::move(log))
    { }
    std::optional<Response> write(std::string_view data) override
    {
        if (m_log->delay.count() > 0)
            std::this_thread::sleep_for(m_log->delay);
        m_log->bytes += data.size();
        ++m_log->writes;
        return std::nullopt;
    }
    Response finish() override
    {
        m_log->finished = true;
        return Response(201, "text/plain", std::to_string(m_log->bytes.load()));
    }
    void abort(int status) override
    {
        std::lock_guard lock(m_log->mutex);
        m_log->aborts.push_back(status);
    }

private:
    std::shared_ptr<Log> m_log;
};

Route uploadRoute(std::shared_ptr<CountingSink::Log> log, std::uint64_t maxBody)
{
    Route r;
    r.method = "POST";
    r.pattern = "/upload";
    r.body = BodyMode::Streamed;
    r.maxBodyBytes = maxBody;
    r.streamHandler = [log](Request&) -> std::variant<Response, std::unique_ptr<BodySink>> {
        return std::make_unique<CountingSink>(log);
    };
    return r;
}

Route healthRoute()
{
    Route r = route("GET", "/healthz", [](Request&) { return Response(200, "text/plain", "ok"); });
    r.execution = Execution::Inline;
    return r;
}

const std::string kHealth = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

/// How long to wait for the server to notice a close or a deadline: the machine running the
/// tests is shared, and a check that merely waits should not fail because it is busy.
constexpr int kPatience = 15'000;

HttpServer::Hooks errorHooks()
{
    HttpServer::Hooks hooks;
    hooks.error = [](int status, std::string_view) {
        return Response(status, "text/plain", "E" + std::to_string(status));
    };
    return hooks;
}

/// Whether a new connection from \a source is served (not refused with 503).
bool servedFrom(int port, const char* source)
{
    RawClient c;
    if (!c.connect(port, source) || !c.send(kHealth))
        return false;
    auto r = c.readResponse(5000);
    return r && r->status == 200;
}

} // namespace

class HttpLimitsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // First, so that the peak before it is not the flood's.
    void hugeStreamedBodiesKeepMemoryFlat()
    {
        auto log = std::make_shared<CountingSink::Log>();
        // A sink slower than loopback: without backpressure the body would pile up in memory.
        log->delay = std::chrono::milliseconds(1);
        auto server = startServer({ uploadRoute(log, 2ull << 30) });
        QVERIFY(server);
        const std::string block(1 << 20, 'x');
        RawClient c;
        QVERIFY(c.connect(server->port()));

        {
            std::ofstream reset("/proc/self/clear_refs");
            reset << "5"; // resets VmHWM to the current RSS
        }
        const long before = procStatusKiB("VmHWM");
        QVERIFY(before > 0);
        QElapsedTimer timer;
        timer.start();

        const std::uint64_t lengthBody = 300ull << 20;
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(lengthBody)
            + "\r\n\r\n"));
        for (std::uint64_t sent = 0; sent < lengthBody; sent += block.size())
            QVERIFY(c.send(block, 30'000));
        auto r = c.readResponse(30'000);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
        QCOMPARE(r->body, std::to_string(lengthBody));

        log->bytes = 0;
        const std::uint64_t chunkedBody = 256ull << 20;
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", block.size());
        for (std::uint64_t sent = 0; sent < chunkedBody; sent += block.size())
            QVERIFY(c.send(size + block + "\r\n", 30'000));
        QVERIFY(c.send("0\r\n\r\n"));
        r = c.readResponse(30'000);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
        QCOMPARE(r->body, std::to_string(chunkedBody));

        const long after = procStatusKiB("VmHWM");
        const double seconds = timer.elapsed() / 1000.0;
        qInfo("556 MiB streamed in %.1f s (%d sink writes); VmHWM %ld -> %ld KiB, growth %ld KiB", seconds,
            log->writes.load(), before, after, after - before);
        QVERIFY2(after - before < 32 * 1024, std::to_string(after - before).c_str());
    }

    void halfOpenFloodDoesNotStall()
    {
        Limits limits;
        limits.maxConnections = 1300;
        limits.maxConnectionsPerAddress = 1100;
        limits.headerTimeout = std::chrono::seconds(60);
        limits.idleTimeout = std::chrono::seconds(60);
        auto server = startServer({ healthRoute() }, limits);
        QVERIFY(server);

        const long rssBefore = procStatusKiB("VmRSS");
        std::vector<RawClient> flood(1200);
        const std::string half = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ";
        for (std::size_t i = 0; i < flood.size(); ++i) {
            const std::string source = i < 1000 ? "127.0.0.1" : "127.0.0." + std::to_string(2 + (i - 1000));
            QVERIFY2(flood[i].connect(server->port(), source.c_str()), std::strerror(errno));
            QVERIFY(flood[i].send(half));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 1200, 20'000);
        // Client and server share the process: this is an upper bound on the server's share.
        qInfo("1200 half-open connections: VmRSS +%ld KiB (%.1f KiB each, client side included)",
            procStatusKiB("VmRSS") - rssBefore, (procStatusKiB("VmRSS") - rssBefore) / 1200.0);

        double worst = 0;
        for (int probe = 0; probe < 20; ++probe) {
            QElapsedTimer timer;
            timer.start();
            RawClient c;
            QVERIFY(c.connect(server->port(), "127.0.0.250"));
            QVERIFY(c.send(kHealth));
            auto r = c.readResponse(2000);
            QVERIFY2(r, ("probe " + std::to_string(probe) + " not answered within 2 s").c_str());
            QCOMPARE(r->status, 200);
            worst = std::max(worst, timer.nsecsElapsed() / 1e6);
            // The flood keeps trickling: one more header byte from each of them.
            for (auto& f : flood)
                QVERIFY(f.send("x"));
        }
        qInfo("1200 half-open connections: worst /healthz latency %.2f ms over 20 probes", worst);
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 1200, kPatience);
        flood.clear();
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, 2 * kPatience);
    }

    void perAddressLimit()
    {
        Limits limits;
        limits.maxConnectionsPerAddress = 3;
        std::atomic<int> refusedDone { 0 };
        HttpServer::Hooks hooks = errorHooks();
        hooks.done = [&](const Request& r, int status, double) {
            if (status == 503 && r.remoteAddress == "127.0.0.5")
                ++refusedDone;
        };
        auto server = startServer({ healthRoute() }, limits, hooks);
        QVERIFY(server);
        std::vector<RawClient> held(3);
        for (auto& c : held)
            QVERIFY(c.connect(server->port(), "127.0.0.5"));
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 3, kPatience);
        RawClient extra;
        QVERIFY(extra.connect(server->port(), "127.0.0.5"));
        auto r = extra.readResponse(3000);
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->body, std::string("E503"));
        QCOMPARE(r->header("Connection").value_or(""), std::string("close"));
        QVERIFY(extra.waitClosed());
        QTRY_COMPARE_WITH_TIMEOUT(refusedDone.load(), 1, kPatience);
        // Other addresses are not held back.
        QVERIFY(servedFrom(server->port(), "127.0.0.6"));
        // A slot freed is a slot taken. Retrying until served would refuse (and leave behind) a
        // connection per try: wait for the server to see the close instead, then try once.
        extra.close();
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 3, kPatience);
        held[0].close();
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 2, kPatience);
        QVERIFY(servedFrom(server->port(), "127.0.0.5"));
    }

    void totalLimitWithNoIdleConnection()
    {
        Limits limits;
        limits.maxConnections = 3;
        auto server = startServer({ healthRoute() }, limits, errorHooks());
        QVERIFY(server);
        // Connected but mid-header: none of them is idle, so none makes room.
        std::vector<RawClient> held(3);
        for (auto& c : held) {
            QVERIFY(c.connect(server->port()));
            QVERIFY(c.send("GET /healthz HTTP/1.1\r\n"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 3, kPatience);
        RawClient extra;
        QVERIFY(extra.connect(server->port(), "127.0.0.7"));
        auto r = extra.readResponse(3000);
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QVERIFY(extra.waitClosed());
        for (auto& c : held) {
            QVERIFY(c.send("Host: t\r\n\r\n"));
            auto ok = c.readResponse();
            QVERIFY(ok);
            QCOMPARE(ok->status, 200);
        }
    }

    void oldestIdleClosedToMakeRoom()
    {
        Limits limits;
        limits.maxConnections = 3;
        auto server = startServer({ healthRoute() }, limits, errorHooks());
        QVERIFY(server);
        RawClient a, b, c;
        for (RawClient* client : { &a, &b, &c }) {
            QVERIFY(client->connect(server->port()));
            QVERIFY(client->send(kHealth));
            QCOMPARE(client->readResponse()->status, 200);
        }
        // a has been idle longest.
        RawClient d;
        QVERIFY(d.connect(server->port()));
        QVERIFY(a.waitClosed());
        QVERIFY(d.send(kHealth));
        QCOMPARE(d.readResponse()->status, 200);
        QVERIFY(b.send(kHealth));
        QCOMPARE(b.readResponse()->status, 200);
        // b was just used, so now c is the oldest idle one.
        RawClient e;
        QVERIFY(e.connect(server->port()));
        QVERIFY(c.waitClosed());
        QVERIFY(e.send(kHealth));
        QCOMPARE(e.readResponse()->status, 200);
    }

    void headerDeadline()
    {
        Limits limits;
        limits.headerTimeout = std::chrono::seconds(1);
        auto server = startServer({ healthRoute() }, limits, errorHooks());
        QVERIFY(server);

        QElapsedTimer timer;
        timer.start();
        RawClient half;
        QVERIFY(half.connect(server->port()));
        QVERIFY(half.send("GET /healthz HTTP/1.1\r\nHost: t\r\n"));
        auto r = half.readResponse(5000);
        QVERIFY(r);
        QCOMPARE(r->status, 408);
        QCOMPARE(r->body, std::string("E408"));
        QVERIFY(timer.elapsed() >= 900);
        QVERIFY(half.waitClosed());

        // A byte every 100 ms keeps no read waiting long, yet the whole header is still late.
        timer.restart();
        RawClient trickle;
        QVERIFY(trickle.connect(server->port()));
        const std::string header
            = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Long-Field-Name: " + std::string(100, 'v');
        r.reset();
        for (std::size_t i = 0; i < header.size() && !r; ++i) {
            trickle.send(header.substr(i, 1));
            r = trickle.readResponse(100);
        }
        QVERIFY(r);
        QCOMPARE(r->status, 408);
        qInfo("a header trickled a byte per 100 ms answered 408 after %lld ms",
            static_cast<long long>(timer.elapsed()));
        QVERIFY(timer.elapsed() >= 900);
        QVERIFY(timer.elapsed() < 5000);
        QVERIFY(trickle.waitClosed());
    }

    void slowBodyGets408()
    {
        Limits limits;
        limits.bodyRateWindow = std::chrono::seconds(2);
        limits.minBodyBytesPerSecond = 4096;
        auto log = std::make_shared<CountingSink::Log>();
        auto server = startServer({ uploadRoute(log, 1 << 20) }, limits, errorHooks());
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"));
        QElapsedTimer timer;
        timer.start();
        // 800 bytes a second: a fifth of the minimum.
        std::optional<Reply> r;
        while (timer.elapsed() < 15'000) {
            c.send(std::string(200, 'b'));
            r = c.readResponse(250);
            if (r)
                break;
        }
        QVERIFY(r);
        QCOMPARE(r->status, 408);
        qInfo("a body at 800 B/s answered 408 after %lld ms", static_cast<long long>(timer.elapsed()));
        QVERIFY(timer.elapsed() >= 1900);
        QVERIFY(c.waitClosed());
        QTRY_COMPARE_WITH_TIMEOUT(log->abortsCopy(), std::vector<int> { 408 }, kPatience);
        QVERIFY(!log->finished);
    }

    void slowSinkIsNotASlowClient()
    {
        Limits limits;
        limits.bodyRateWindow = std::chrono::seconds(2);
        limits.minBodyBytesPerSecond = 4096;
        auto log = std::make_shared<CountingSink::Log>();
        // Each write takes longer than the window: only the client's time may count.
        log->delay = std::chrono::milliseconds(700);
        auto server = startServer({ uploadRoute(log, 8 << 20) }, limits, errorHooks());
        QVERIFY(server);
        const std::string body(1536 * 1024, 'z');
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size())
            + "\r\n\r\n"));
        QVERIFY(c.send(body, 30'000));
        auto r = c.readResponse(30'000);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
        QVERIFY(log->abortsCopy().empty());
    }

    void idleKeepAliveClosed()
    {
        Limits limits;
        limits.idleTimeout = std::chrono::seconds(1);
        auto server = startServer({ healthRoute() }, limits);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(kHealth));
        QCOMPARE(c.readResponse()->status, 200);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(c.waitClosed(5000));
        QVERIFY(timer.elapsed() >= 900);
        QVERIFY(c.pending().empty());
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, kPatience);
    }

    void slowReaderIsNotCut()
    {
        // The write deadline is for a client that stops reading, not for a long response.
        Limits limits;
        limits.writeTimeout = std::chrono::seconds(1);
        const std::size_t size = 8 << 20;
        auto server = startServer(
            { route("GET", "/big", [size](Request&) { return Response(200, "", std::string(size, 'B')); }) },
            limits);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        c.setReceiveBuffer(64 * 1024);
        QVERIFY(c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
        QElapsedTimer timer;
        timer.start();
        std::size_t received = 0;
        std::string buffer(512 * 1024, '\0');
        while (received < size + 30 && timer.elapsed() < 30'000) {
            QTest::qSleep(50);
            const ssize_t n = ::recv(c.fd(), buffer.data(), buffer.size(), MSG_DONTWAIT);
            if (n == 0)
                break;
            if (n > 0)
                received += static_cast<std::size_t>(n);
        }
        qInfo("an 8 MiB response read through a 64 KiB window every 50 ms took %lld ms",
            static_cast<long long>(timer.elapsed()));
        QVERIFY(timer.elapsed() > 1500);
        QVERIFY2(received > size, std::to_string(received).c_str());
    }

    void unreadResponseClosedAfterWriteTimeout()
    {
        Limits limits;
        limits.writeTimeout = std::chrono::seconds(1);
        std::atomic<int> doneStatus { 0 };
        HttpServer::Hooks hooks;
        hooks.done = [&](const Request&, int status, double) { doneStatus = status; };
        auto server = startServer(
            { route("GET", "/big", [](Request&) { return Response(200, "", std::string(64 << 20, 'B')); }) },
            limits, hooks);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        c.setReceiveBuffer(4096);
        QVERIFY(c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 1, kPatience);
        // Never read: the server gives up on the response and closes.
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, 2 * kPatience);
        QCOMPARE(doneStatus.load(), 200);
    }
};

QTEST_GUILESS_MAIN(HttpLimitsTest)
#include "tst_httplimits.moc"
