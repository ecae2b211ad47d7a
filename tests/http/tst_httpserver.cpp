// The HTTP server's behaviour over real loopback sockets: routing, HEAD, keep-alive,
// Expect: 100-continue, buffered and streamed bodies, file bodies, decoding and errors.

#include "httptestsupport.h"

#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <condition_variable>
#include <fcntl.h>
#include <mutex>
#include <thread>

using namespace httptest;

namespace {

/// Byte \a i of a test body: a pattern that shows a piece out of place.
char patternByte(std::uint64_t i)
{
    return static_cast<char>('a' + (i * 7 + i / 251) % 26);
}

std::string pattern(std::size_t size)
{
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = patternByte(i);
    return s;
}

/// What a RecordingSink saw.
struct SinkLog
{
    std::mutex mutex;
    std::uint64_t bytes = 0;
    bool inOrder = true;
    int writes = 0;
    std::size_t largestPiece = 0;
    std::atomic<int> inside { 0 };
    std::atomic<bool> overlapped { false };
    bool finished = false;
    std::vector<int> aborts;
    std::thread::id thread;
    /// write() answers this (once the body passes refuseAfter bytes) instead of taking more.
    int refuseWith = 0;
    std::uint64_t refuseAfter = 0;
    std::atomic<int> writesSeen { 0 };

    std::vector<int> abortsCopy()
    {
        std::lock_guard lock(mutex);
        return aborts;
    }
};

/// \brief A sink that checks the body against pattern() and records every call.
class RecordingSink : public BodySink
{
public:
    explicit RecordingSink(std::shared_ptr<SinkLog> log)
        : m_log(std::move(log))
    { }

    std::optional<Response> write(std::string_view data) override
    {
        if (m_log->inside.fetch_add(1) != 0)
            m_log->overlapped = true;
        std::lock_guard lock(m_log->mutex);
        for (std::size_t i = 0; i < data.size(); ++i) {
            if (data[i] != patternByte(m_log->bytes + i)) {
                m_log->inOrder = false;
                break;
            }
        }
        m_log->bytes += data.size();
        ++m_log->writes;
        ++m_log->writesSeen;
        m_log->largestPiece = std::max(m_log->largestPiece, data.size());
        m_log->thread = std::this_thread::get_id();
        m_log->inside.fetch_sub(1);
        if (m_log->refuseWith && m_log->bytes > m_log->refuseAfter)
            return Response(m_log->refuseWith, "text/plain", "refused");
        return std::nullopt;
    }

    Response finish() override
    {
        std::lock_guard lock(m_log->mutex);
        m_log->finished = true;
        return Response(201, "text/plain", std::to_string(m_log->bytes));
    }

    void abort(int status) override
    {
        std::lock_guard lock(m_log->mutex);
        m_log->aborts.push_back(status);
    }

private:
    std::shared_ptr<SinkLog> m_log;
};

Route streamRoute(std::string pattern, std::shared_ptr<SinkLog> log, std::uint64_t maxBody)
{
    Route r;
    r.method = "POST";
    r.pattern = std::move(pattern);
    r.body = BodyMode::Streamed;
    r.maxBodyBytes = maxBody;
    r.streamHandler = [log](Request&) -> std::variant<Response, std::unique_ptr<BodySink>> {
        return std::make_unique<RecordingSink>(log);
    };
    return r;
}

std::string post(std::string_view target, std::string_view body, std::string_view extra = {})
{
    return "POST " + std::string(target) + " HTTP/1.1\r\nHost: t\r\nContent-Length: "
        + std::to_string(body.size()) + "\r\n" + std::string(extra) + "\r\n" + std::string(body);
}

std::string get(std::string_view target, std::string_view extra = {})
{
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

} // namespace

class HttpServerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void routesAndParams()
    {
        auto server = startServer({
            route("GET", "/api/v1/jobs/{id}/files/{name}",
                [](Request& r) {
                    return Response(200, "text/plain", r.params.at(0) + "," + r.params.at(1));
                }),
            route("GET", "/api/v1/jobs", [](Request&) { return Response(200, "text/plain", "list"); }),
            route("GET", "/", [](Request&) { return Response(200, "text/plain", "root"); }),
        });
        QVERIFY(server);
        auto r = exchange(server->port(), get("/api/v1/jobs/42/files/out.mp4"));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, std::string("42,out.mp4"));
        QCOMPARE(r->header("Content-Type").value_or(""), std::string("text/plain"));
        r = exchange(server->port(), get("/api/v1/jobs"));
        QVERIFY(r);
        QCOMPARE(r->body, std::string("list"));
        r = exchange(server->port(), get("/"));
        QVERIFY(r);
        QCOMPARE(r->body, std::string("root"));
        // A {name} is one whole, non-empty segment; a trailing slash is another segment.
        QCOMPARE(exchange(server->port(), get("/api/v1/jobs/42/files/"))->status, 404);
        QCOMPARE(exchange(server->port(), get("/api/v1/jobs/"))->status, 404);
        QCOMPARE(exchange(server->port(), get("/api/v1/jobs/1/files/a/b"))->status, 404);
    }

    void firstMatchingRouteWins()
    {
        auto server = startServer({
            route("GET", "/jobs/new", [](Request&) { return Response(200, "text/plain", "literal"); }),
            route("GET", "/jobs/{id}", [](Request&) { return Response(200, "text/plain", "param"); }),
            route("GET", "/jobs/other", [](Request&) { return Response(200, "text/plain", "never"); }),
        });
        QVERIFY(server);
        QCOMPARE(exchange(server->port(), get("/jobs/new"))->body, std::string("literal"));
        QCOMPARE(exchange(server->port(), get("/jobs/other"))->body, std::string("param"));
    }

    void notFoundAndMethodNotAllowed()
    {
        HttpServer::Hooks hooks;
        hooks.error = [](int status, std::string_view message) {
            return Response(status, "application/json",
                "{\"status\":" + std::to_string(status) + ",\"message\":\"" + std::string(message) + "\"}");
        };
        auto ok = [](Request&) { return Response(200, "text/plain", "ok"); };
        auto server = startServer(
            { route("GET", "/jobs/{id}", ok), route("DELETE", "/jobs/{id}", ok), route("POST", "/jobs", ok) },
            {}, hooks);
        QVERIFY(server);
        auto r = exchange(server->port(), get("/nothing"));
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        QCOMPARE(r->header("Content-Type").value_or(""), std::string("application/json"));
        QVERIFY(r->body.find("\"status\":404") != std::string::npos);

        r = exchange(server->port(), "PUT /jobs/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 405);
        QCOMPARE(r->header("Allow").value_or(""), std::string("GET, DELETE"));
        QVERIFY(r->body.find("\"status\":405") != std::string::npos);

        // Methods are case-sensitive: "get" is another, unknown method.
        r = exchange(server->port(), "get /jobs/7 HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 405);
        r = exchange(server->port(), "BREW /jobs HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 405);
        QCOMPARE(r->header("Allow").value_or(""), std::string("POST"));
    }

    void headRunsGetWithoutBody()
    {
        std::atomic<int> calls { 0 };
        std::atomic<bool> sawHead { false };
        auto server = startServer({ route("GET", "/doc", [&](Request& r) {
            if (calls++ == 0)
                sawHead = r.method == "HEAD";
            return Response(200, "text/plain", "twelve bytes");
        }) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send("HEAD /doc HTTP/1.1\r\nHost: t\r\n\r\n"));
        auto head = c.readResponse(5000, true);
        QVERIFY(head);
        QCOMPARE(head->status, 200);
        QCOMPARE(head->header("Content-Length").value_or(""), std::string("12"));
        QVERIFY(sawHead.load());
        // No body followed: the next response on the connection starts right away.
        QVERIFY(c.send(get("/doc")));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->body, std::string("twelve bytes"));
        QVERIFY(c.pending().empty());
        QCOMPARE(calls.load(), 2);
    }

    void keepAliveAndClose()
    {
        auto server
            = startServer({ route("GET", "/n", [](Request&) { return Response(200, "text/plain", "n"); }) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(c.send(get("/n")));
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QVERIFY(!r->header("Connection"));
        }
        QCOMPARE(server->connectionCount(), 1);
        QVERIFY(c.send(get("/n", "Connection: close\r\n")));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->header("Connection").value_or(""), std::string("close"));
        QVERIFY(c.waitClosed());
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void pipelinedRequests()
    {
        auto server = startServer({ route(
            "GET", "/p/{n}", [](Request& r) { return Response(200, "text/plain", "p" + r.params[0]); }) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(get("/p/1") + get("/p/2") + get("/p/3")));
        for (int i = 1; i <= 3; ++i) {
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->body, "p" + std::to_string(i));
        }
    }

    void http10()
    {
        auto server
            = startServer({ route("GET", "/n", [](Request&) { return Response(200, "text/plain", "n"); }) });
        QVERIFY(server);
        {
            RawClient c;
            QVERIFY(c.connect(server->port()));
            QVERIFY(c.send("GET /n HTTP/1.0\r\n\r\n"));
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QCOMPARE(r->header("Connection").value_or(""), std::string("close"));
            QVERIFY(c.waitClosed());
        }
        RawClient c;
        QVERIFY(c.connect(server->port()));
        for (int i = 0; i < 2; ++i) {
            QVERIFY(c.send("GET /n HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->header("Connection").value_or(""), std::string("keep-alive"));
        }
    }

    void expectContinue()
    {
        auto log = std::make_shared<SinkLog>();
        Route buffered = route("POST", "/buffered",
            [](Request& r) { return Response(200, "text/plain", std::to_string(r.body.size())); });
        buffered.body = BodyMode::Buffered;
        auto server = startServer({ buffered, streamRoute("/upload", log, 1 << 20) });
        QVERIFY(server);
        for (const char* target : { "/buffered", "/upload" }) {
            RawClient c;
            QVERIFY(c.connect(server->port()));
            QVERIFY(c.send(std::string("POST ") + target
                + " HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"));
            auto interim = c.readResponse();
            QVERIFY(interim);
            QCOMPARE(interim->status, 100);
            QVERIFY(c.send(pattern(1000)));
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->body, std::string("1000"));
        }
        std::lock_guard lock(log->mutex);
        QVERIFY(log->finished);
    }

    void expectContinueRefusedByAdmit()
    {
        auto log = std::make_shared<SinkLog>();
        HttpServer::Hooks hooks;
        hooks.admit = [](const Request& r, const Route*) -> std::optional<Response> {
            if (r.header("Authorization").value_or("") != "Bearer yes")
                return Response(401, "text/plain", "token");
            return std::nullopt;
        };
        auto server = startServer({ streamRoute("/upload", log, 1 << 20) }, {}, hooks);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(
            "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 401);
        QCOMPARE(r->header("Connection").value_or(""), std::string("close"));
        QVERIFY(c.waitClosed());
        QCOMPARE(log->writesSeen.load(), 0);
    }

    void expectContinueTooLarge()
    {
        auto log = std::make_shared<SinkLog>();
        std::atomic<int> handlerCalls { 0 };
        Route r = streamRoute("/upload", log, 1000);
        auto inner = r.streamHandler;
        r.streamHandler = [&, inner](Request& q) {
            ++handlerCalls;
            return inner(q);
        };
        auto server = startServer({ r });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(
            "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\nExpect: 100-continue\r\n\r\n"));
        auto reply = c.readResponse();
        QVERIFY(reply);
        QCOMPARE(reply->status, 413);
        QVERIFY(c.waitClosed());
        QCOMPARE(handlerCalls.load(), 0);
    }

    void bufferedBody()
    {
        Route echo = route(
            "POST", "/echo", [](Request& r) { return Response(200, "application/octet-stream", r.body); });
        echo.body = BodyMode::Buffered;
        echo.maxBodyBytes = 100'000;
        auto server = startServer({ echo });
        QVERIFY(server);
        const std::string body = pattern(100'000);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(post("/echo", body)));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->body == body);
        QVERIFY(c.send(
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, 777)));
        r = c.readResponse();
        QVERIFY(r);
        QVERIFY(r->body == body);
        // Past the limit: 413, and the connection closes (the rest of the body is not read).
        QVERIFY(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(body + "x", 4096)));
        r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 413);
        QVERIFY(c.waitClosed());
        QCOMPARE(exchange(server->port(), post("/echo", body + "x"))->status, 413);
    }

    void noBodyRouteRefusesBody()
    {
        auto server = startServer({ route("POST", "/act", [](Request&) { return Response(204, "", ""); }) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(post("/act", "")));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 204);
        QVERIFY(!r->header("Content-Length"));
        // An empty chunked body is no body either.
        QVERIFY(c.send("POST /act HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        QCOMPARE(c.readResponse()->status, 204);
        QVERIFY(c.send(post("/act", "x")));
        QCOMPARE(c.readResponse()->status, 413);
        QVERIFY(c.waitClosed());
    }

    void streamedContentLength()
    {
        auto log = std::make_shared<SinkLog>();
        auto server = startServer({ streamRoute("/upload", log, 64 << 20) });
        QVERIFY(server);
        const std::string body = pattern(3 * 1024 * 1024 + 123);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(post("/upload", body)));
        auto r = c.readResponse(10'000);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
        QCOMPARE(r->body, std::to_string(body.size()));
        QVERIFY(log->abortsCopy().empty());
        {
            std::lock_guard lock(log->mutex);
            QVERIFY(log->inOrder);
            QVERIFY(!log->overlapped);
            QVERIFY(log->writes > 4);
            QVERIFY2(log->largestPiece <= 512 * 1024, std::to_string(log->largestPiece).c_str());
            QVERIFY(log->thread != std::this_thread::get_id());
        }
        // The connection is still good for another request.
        QVERIFY(c.send(post("/upload", "")));
        QCOMPARE(c.readResponse()->status, 201);
    }

    void streamedChunked()
    {
        auto log = std::make_shared<SinkLog>();
        auto server = startServer({ streamRoute("/upload", log, 64 << 20) });
        QVERIFY(server);
        const std::string body = pattern(2 * 1024 * 1024 + 5);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        // Chunks of all sizes, extensions and a trailer.
        std::string wire = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
        std::size_t at = 0;
        std::size_t size = 1;
        while (at < body.size()) {
            const std::size_t n = std::min(size, body.size() - at);
            char line[64];
            std::snprintf(line, sizeof line, "%zX;ext=\"v\"\r\n", n);
            wire += line;
            wire += body.substr(at, n);
            wire += "\r\n";
            at += n;
            size = size * 3 + 1;
        }
        wire += "0\r\nX-Trailer: t\r\n\r\n";
        QVERIFY(c.send(wire));
        auto r = c.readResponse(10'000);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
        QCOMPARE(r->body, std::to_string(body.size()));
        std::lock_guard lock(log->mutex);
        QVERIFY(log->inOrder);
        QVERIFY(!log->overlapped);
    }

    void sinkRefuses()
    {
        auto log = std::make_shared<SinkLog>();
        log->refuseWith = 507;
        log->refuseAfter = 0;
        auto server = startServer({ streamRoute("/upload", log, 64 << 20) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"));
        QVERIFY(c.send(pattern(1024 * 1024)));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 507);
        QCOMPARE(r->header("Connection").value_or(""), std::string("close"));
        QVERIFY(c.waitClosed());
        QCOMPARE(log->writesSeen.load(), 1);
        QVERIFY(log->abortsCopy().empty());

        // Refused on the last piece, with the whole body read: it still closes.
        auto whole = std::make_shared<SinkLog>();
        whole->refuseWith = 409;
        auto second = startServer({ streamRoute("/upload", whole, 64 << 20) });
        QVERIFY(second);
        RawClient d;
        QVERIFY(d.connect(second->port()));
        QVERIFY(d.send(post("/upload", pattern(1000))));
        r = d.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 409);
        QVERIFY(d.waitClosed());
        std::lock_guard lock(whole->mutex);
        QVERIFY(!whole->finished);
    }

    void streamedPastLimitAborts413()
    {
        auto log = std::make_shared<SinkLog>();
        auto server = startServer({ streamRoute("/upload", log, 600'000) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
        QVERIFY(c.send(chunked(pattern(700'000), 10'000)));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 413);
        QVERIFY(c.waitClosed());
        QCOMPARE(log->abortsCopy(), std::vector<int> { 413 });
        std::lock_guard lock(log->mutex);
        QVERIFY(log->bytes <= 600'000);
        QVERIFY(!log->finished);
    }

    void clientGoneAbortsSink()
    {
        auto log = std::make_shared<SinkLog>();
        std::mutex m;
        std::vector<int> statuses;
        HttpServer::Hooks hooks;
        hooks.done = [&](const Request&, int status, double) {
            std::lock_guard lock(m);
            statuses.push_back(status);
        };
        auto server = startServer({ streamRoute("/upload", log, 64 << 20) }, {}, hooks);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"));
        QVERIFY(c.send(pattern(1024 * 1024)));
        QTRY_VERIFY(log->writesSeen.load() > 0);
        c.close();
        QTRY_COMPARE(log->abortsCopy(), std::vector<int> { 0 });
        QTRY_COMPARE(server->connectionCount(), 0);
        std::lock_guard lock(m);
        QCOMPARE(statuses, std::vector<int> { 400 });
    }

    void fileBodyRanges()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("media.bin").toStdString();
        const std::string content = pattern(3 * 1024 * 1024 + 999);
        {
            std::ofstream out(path, std::ios::binary);
            out << content;
        }
        std::atomic<int> lastFd { -1 };
        auto server = startServer({ route("GET", "/file", [&](Request& r) {
            Response response;
            response.headers.set("Content-Type", "application/octet-stream");
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            lastFd = fd;
            response.file = FileBody { fd, std::stoull(r.queryValue("offset").value_or("0")),
                std::stoull(r.queryValue("length").value_or(std::to_string(content.size()))) };
            return response;
        }) });
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        const std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges { { 0, content.size() },
            { 12345, 1024 * 1024 + 17 }, { content.size() - 1, 1 }, { 7, 0 } };
        for (const auto& [offset, length] : ranges) {
            QVERIFY(
                c.send(get("/file?offset=" + std::to_string(offset) + "&length=" + std::to_string(length))));
            auto r = c.readResponse(10'000);
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QCOMPARE(r->header("Content-Length").value_or(""), std::to_string(length));
            QVERIFY(r->body == content.substr(offset, length));
            // The server closed the descriptor once it was sent.
            const int fd = lastFd;
            QTRY_VERIFY(::fcntl(fd, F_GETFD) == -1);
        }
        QVERIFY(c.send("HEAD /file HTTP/1.1\r\nHost: t\r\n\r\n"));
        auto head = c.readResponse(5000, true);
        QVERIFY(head);
        QCOMPARE(head->header("Content-Length").value_or(""), std::to_string(content.size()));
        const int fd = lastFd;
        QTRY_VERIFY(::fcntl(fd, F_GETFD) == -1);
        // A range past the end of the file: the head is not out yet, so it can still be a 500.
        QVERIFY(c.send(get("/file?offset=" + std::to_string(content.size()) + "&length=10")));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 500);
        QVERIFY(c.waitClosed());
    }

    void queryAndPathDecoding()
    {
        auto server = startServer({ route("GET", "/echo/{a}/{b}", [](Request& r) {
            std::string out = r.path + "\n" + r.params[0] + "|" + r.params[1] + "\n";
            for (const auto& [k, v] : r.query)
                out += "[" + k + "=" + v + "]";
            return Response(200, "text/plain", out);
        }) });
        QVERIFY(server);
        auto r
            = exchange(server->port(), get("/echo/a%20b/c+d%2b?x=1&y=hello+world&z=%26%3D%2B&empty&&=v&k="));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(
            r->body, std::string("/echo/a b/c+d+\na b|c+d+\n[x=1][y=hello world][z=&=+][empty=][=v][k=]"));
        // Matching is on the decoded path: an escaped slash separates segments.
        r = exchange(server->port(), get("/echo/a%2Fb"));
        QVERIFY(r);
        QCOMPARE(r->body, std::string("/echo/a/b\na|b\n"));
        // absolute-form targets are accepted.
        r = exchange(server->port(), get("http://t/echo/x/y?q=1"));
        QVERIFY(r);
        QCOMPARE(r->body, std::string("/echo/x/y\nx|y\n[q=1]"));
    }

    void handlerThrows()
    {
        HttpServer::Hooks hooks;
        hooks.error
            = [](int status, std::string_view) { return Response(status, "application/json", "{\"e\":1}"); };
        Route inlineThrow = route("GET", "/inline", [](Request&) -> Response { throw 42; });
        inlineThrow.execution = Execution::Inline;
        auto server = startServer(
            { route("GET", "/throw", [](Request&) -> Response { throw std::runtime_error("no"); }),
                inlineThrow,
                route("GET", "/ok", [](Request&) { return Response(200, "text/plain", "ok"); }) },
            {}, hooks);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        for (const char* target : { "/throw", "/inline" }) {
            QVERIFY(c.send(get(target)));
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->status, 500);
            QCOMPARE(r->body, std::string("{\"e\":1}"));
        }
        QVERIFY(c.send(get("/ok")));
        QCOMPARE(c.readResponse()->body, std::string("ok"));
    }

    void inlineAndPoolThreads()
    {
        std::mutex m;
        std::thread::id admitThread, inlineThread, poolThread;
        HttpServer::Hooks hooks;
        // Each request comes on a connection of its own, maybe on another I/O thread: the inline
        // handler runs on the thread that admitted its own request.
        hooks.admit = [&](const Request& req, const Route*) -> std::optional<Response> {
            std::lock_guard lock(m);
            if (req.path == "/inline")
                admitThread = std::this_thread::get_id();
            return std::nullopt;
        };
        Route inl = route("GET", "/inline", [&](Request&) {
            std::lock_guard lock(m);
            inlineThread = std::this_thread::get_id();
            return Response(200, "text/plain", "i");
        });
        inl.execution = Execution::Inline;
        auto server = startServer({ inl,
                                      route("GET", "/pool",
                                          [&](Request&) {
                                              std::lock_guard lock(m);
                                              poolThread = std::this_thread::get_id();
                                              return Response(200, "text/plain", "p");
                                          }) },
            {}, hooks);
        QVERIFY(server);
        QCOMPARE(exchange(server->port(), get("/inline"))->status, 200);
        QCOMPARE(exchange(server->port(), get("/pool"))->status, 200);
        std::lock_guard lock(m);
        QCOMPARE(inlineThread, admitThread);
        QVERIFY(poolThread != admitThread);
        QVERIFY(poolThread != std::this_thread::get_id());
    }

    void queueFullAnswers503()
    {
        std::mutex m;
        std::condition_variable cv;
        bool release = false;
        std::atomic<int> running { 0 };
        Limits limits;
        limits.handlerThreads = 1;
        limits.maxQueuedHandlers = 1;
        auto server = startServer({ route("GET", "/slow",
                                      [&](Request&) {
                                          ++running;
                                          std::unique_lock lock(m);
                                          cv.wait(lock, [&] { return release; });
                                          return Response(200, "text/plain", "done");
                                      }) },
            limits);
        QVERIFY(server);
        RawClient a, b, c;
        QVERIFY(a.connect(server->port()) && a.send(get("/slow")));
        QTRY_COMPARE(running.load(), 1);
        // One pool thread busy, room for one waiting: of two more, whichever comes second is refused.
        QVERIFY(b.connect(server->port()) && b.send(get("/slow")));
        QVERIFY(c.connect(server->port()) && c.send(get("/slow")));
        std::optional<Reply> busy;
        RawClient* waiting = nullptr;
        for (int i = 0; i < 100 && !busy; ++i) {
            for (RawClient* client : { &b, &c }) {
                if ((busy = client->readResponse(50))) {
                    waiting = client == &b ? &c : &b;
                    break;
                }
            }
        }
        QVERIFY(busy);
        QCOMPARE(busy->status, 503);
        {
            std::lock_guard lock(m);
            release = true;
        }
        cv.notify_all();
        QCOMPARE(a.readResponse()->status, 200);
        QCOMPARE(waiting->readResponse()->status, 200);
    }

    void doneHookReportsRouteTag()
    {
        struct Done
        {
            std::string target;
            int status;
            int tag;
            std::string remote;
        };
        std::mutex m;
        std::vector<Done> done;
        std::atomic<int> doneCount { 0 };
        std::atomic<bool> negativeTime { false };
        HttpServer::Hooks hooks;
        hooks.done = [&](const Request& r, int status, double seconds) {
            negativeTime = negativeTime || seconds < 0;
            std::lock_guard lock(m);
            done.push_back({ r.target, status, r.routeTag, r.remoteAddress });
            ++doneCount;
        };
        auto server = startServer({ route(
                                        "GET", "/a", [](Request&) { return Response(200, "", "a"); }, 7),
                                      route(
                                          "GET", "/b", [](Request&) { return Response(202, "", "b"); }, 8) },
            {}, hooks);
        QVERIFY(server);
        RawClient c;
        QVERIFY(c.connect(server->port()));
        QVERIFY(c.send(get("/a") + get("/b") + get("/c")));
        for (int i = 0; i < 3; ++i)
            QVERIFY(c.readResponse());
        QTRY_COMPARE(doneCount.load(), 3);
        QVERIFY(!negativeTime.load());
        std::lock_guard lock(m);
        QCOMPARE(done[0].target, std::string("/a"));
        QCOMPARE(done[0].tag, 7);
        QCOMPARE(done[0].status, 200);
        QCOMPARE(done[0].remote, std::string("127.0.0.1"));
        QCOMPARE(done[1].tag, 8);
        QCOMPARE(done[1].status, 202);
        QCOMPARE(done[2].tag, -1);
        QCOMPARE(done[2].status, 404);
    }

    void stopAbortsSinkAndWaitsForHandlers()
    {
        auto log = std::make_shared<SinkLog>();
        std::atomic<bool> handlerStarted { false };
        std::atomic<bool> handlerFinished { false };
        std::atomic<bool> sawStopping { false };
        std::atomic<HttpServer*> self { nullptr };
        auto server
            = startServer({ streamRoute("/upload", log, 64 << 20), route("GET", "/slow", [&](Request&) {
                               handlerStarted = true;
                               while (!self.load()->stopping())
                                   std::this_thread::sleep_for(std::chrono::milliseconds(5));
                               sawStopping = true;
                               std::this_thread::sleep_for(std::chrono::milliseconds(200));
                               handlerFinished = true;
                               return Response(200, "", "late");
                           }) });
        QVERIFY(server);
        self = server.get();
        RawClient upload, slow, idle;
        QVERIFY(upload.connect(server->port()));
        QVERIFY(upload.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n"));
        QVERIFY(upload.send(pattern(1024 * 1024)));
        QTRY_VERIFY(log->writesSeen.load() > 0);
        QVERIFY(slow.connect(server->port()) && slow.send(get("/slow")));
        QVERIFY(idle.connect(server->port()));
        QTRY_VERIFY(handlerStarted.load());
        QVERIFY(server->isRunning());
        server->stop();
        QVERIFY(!server->isRunning());
        QVERIFY(sawStopping.load());
        QVERIFY(handlerFinished.load());
        QCOMPARE(log->abortsCopy(), std::vector<int> { 0 });
        QCOMPARE(server->connectionCount(), 0);
        QVERIFY(idle.waitClosed());
        QVERIFY(upload.waitClosed());
        server->stop(); // idempotent
        server.reset();
    }

    void ipv6()
    {
        std::string error;
        auto server = startServer(
            { route("GET", "/", [](Request& r) { return Response(200, "", r.remoteAddress); }) }, {}, {},
            &error, "::1");
        if (!server)
            QSKIP(("no IPv6 loopback here: " + error).c_str());
        RawClient c;
        QVERIFY(c.connect(server->port(), nullptr, "::1"));
        QVERIFY(c.send(get("/")));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->body, std::string("::1"));
    }

    void listenErrors()
    {
        auto first = startServer({});
        QVERIFY(first);
        HttpServer second({}, {}, {});
        const auto error = second.listen("127.0.0.1", first->port());
        // SO_REUSEADDR does not let two servers listen on one port.
        QVERIFY(error);
        QVERIFY(!second.isRunning());
        HttpServer third({}, {}, {});
        QVERIFY(third.listen("no such host.invalid", 0));
    }
};

QTEST_GUILESS_MAIN(HttpServerTest)
#include "tst_httpserver.moc"
