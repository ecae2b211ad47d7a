// RFC 9112 strictness: every malformed or ambiguous request, sent as raw bytes, gets its status
// and a closed connection; the lenient-but-valid forms are still served on a kept-alive one.

#include "httptestsupport.h"

#include <QTest>

using namespace httptest;

Q_DECLARE_METATYPE(std::string)

namespace {

const std::string kPost = "POST /echo HTTP/1.1\r\nHost: t\r\n";
const std::string kChunkedPost = kPost + "Transfer-Encoding: chunked\r\n\r\n";

} // namespace

class HttpStrictTest : public QObject
{
    Q_OBJECT

    std::unique_ptr<HttpServer> m_server;

private Q_SLOTS:
    void initTestCase()
    {
        Route echo = route("POST", "/echo",
            [](Request& r) { return Response(200, "text/plain", std::to_string(r.body.size())); });
        echo.body = BodyMode::Buffered;
        Limits limits;
        limits.maxTargetBytes = 1024;
        limits.maxHeaderBytes = 4096;
        limits.headerTimeout = std::chrono::milliseconds(5000);
        m_server = startServer(
            { route("GET", "/", [](Request&) { return Response(200, "text/plain", "root"); }), echo },
            limits);
        QVERIFY(m_server);
    }

    void rejected_data()
    {
        QTest::addColumn<std::string>("request");
        QTest::addColumn<int>("status");
        auto add = [](const char* name, std::string request, int status) {
            QTest::newRow(name) << request << status;
        };

        // The request line (RFC 9112 §3).
        add("bare LF line ends", "GET / HTTP/1.1\nHost: t\n\n", 400);
        add("two spaces", "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("leading space", " GET / HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("space after version", "GET / HTTP/1.1 \r\nHost: t\r\n\r\n", 400);
        add("no version", "GET /\r\n\r\n", 400);
        add("method not a token", "G(T / HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("tab in target", "GET /a\tb HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("fragment in target", "GET /a#b HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("non-ASCII target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("bad escape", "GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("truncated escape", "GET /a%2 HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("escaped NUL", "GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("bad query escape", "GET /?q=%g1 HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("not origin-form", "GET foo HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("asterisk for GET", "GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400);
        add("lowercase version", "GET / http/1.1\r\nHost: t\r\n\r\n", 400);
        add("version 1.10", "GET / HTTP/1.10\r\nHost: t\r\n\r\n", 400);
        add("version 11", "GET / HTTP/11\r\nHost: t\r\n\r\n", 400);
        add("HTTP/2.0", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505);
        add("HTTP/1.2", "GET / HTTP/1.2\r\nHost: t\r\n\r\n", 505);
        add("HTTP/0.9", "GET / HTTP/0.9\r\nHost: t\r\n\r\n", 505);
        add("target over maxTargetBytes", "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
            414);
        add("target over maxHeaderBytes", "GET /" + std::string(6000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
            414);

        // Header fields (§5).
        add("space before colon", "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400);
        add("tab before colon", "GET / HTTP/1.1\r\nHost\t: t\r\n\r\n", 400);
        add("whitespace line after request line", "GET / HTTP/1.1\r\n Host: t\r\n\r\n", 400);
        add("obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX-A: b\r\n c\r\n\r\n", 400);
        add("obs-fold with tab", "GET / HTTP/1.1\r\nHost: t\r\nX-A: b\r\n\tc\r\n\r\n", 400);
        add("no colon", "GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n", 400);
        add("empty name", "GET / HTTP/1.1\r\nHost: t\r\n: v\r\n\r\n", 400);
        add("control in value", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\x01z\r\n\r\n", 400);
        add("DEL in value", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\x7fz\r\n\r\n", 400);
        add("NUL in value", std::string("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\0z\r\n\r\n", 38), 400);
        add("CR in value", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rz\r\n\r\n", 400);
        add("bare LF in value", "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\nz\r\n\r\n", 400);
        add("non-ASCII name", "GET / HTTP/1.1\r\nHost: t\r\nX\xc3\xa9: v\r\n\r\n", 400);
        add(
            "header over maxHeaderBytes, many fields",
            "GET / HTTP/1.1\r\nHost: t\r\n" +
                [] {
                    std::string s;
                    for (int i = 0; i < 100; ++i)
                        s += "X-Field-" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n";
                    return s;
                }()
                + "\r\n",
            431);
        add("header over maxHeaderBytes, one field",
            "GET / HTTP/1.1\r\nHost: t\r\nX-A: " + std::string(5000, 'v') + "\r\n\r\n", 431);

        // Host (§3.2).
        add("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400);
        add("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
        add("two Host fields in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400);
        add("space in Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
        add("slash in Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);

        // Content-Length (§6.3).
        add("length not digits", kPost + "Content-Length: 3x\r\n\r\nabc", 400);
        add("negative length", kPost + "Content-Length: -3\r\n\r\nabc", 400);
        add("signed length", kPost + "Content-Length: +3\r\n\r\nabc", 400);
        add("empty length", kPost + "Content-Length: \r\n\r\nabc", 400);
        add("hex length", kPost + "Content-Length: 0x3\r\n\r\nabc", 400);
        add("length overflows", kPost + "Content-Length: 99999999999999999999999\r\n\r\nabc", 400);
        add("two lengths in one field", kPost + "Content-Length: 3, 4\r\n\r\nabc", 400);
        add("two different length fields", kPost + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400);

        // Transfer-Encoding (§6.1).
        add("CL then TE",
            kPost + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);
        add("TE then CL",
            kPost + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);
        add("unknown TE with CL", kPost + "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", 400);
        add("gzip then chunked", kPost + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            501);
        add("gzip only", kPost + "Transfer-Encoding: gzip\r\n\r\nabc", 501);
        add("identity", kPost + "Transfer-Encoding: identity\r\n\r\nabc", 501);
        add("gzip and chunked fields",
            kPost + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            501);
        add("chunked then gzip", kPost + "Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            400);
        add("chunked twice", kPost + "Transfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);
        add("chunked fields twice",
            kPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            400);
        add("empty TE", kPost + "Transfer-Encoding: \r\n\r\n", 400);
        add("TE in HTTP/1.0",
            "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400);

        // Chunked framing (§7.1).
        add("chunk size not hex", kChunkedPost + "x\r\nabc\r\n0\r\n\r\n", 400);
        add("negative chunk size", kChunkedPost + "-3\r\nabc\r\n0\r\n\r\n", 400);
        add("chunk size overflows", kChunkedPost + "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400);
        add("chunk longer than its size", kChunkedPost + "3\r\nabcd\r\n0\r\n\r\n", 400);
        add("no CRLF after chunk", kChunkedPost + "3\r\nabc0\r\n\r\n", 400);
        add("space after chunk size", kChunkedPost + "3 \r\nabc\r\n0\r\n\r\n", 400);
        add("bare LF in chunk framing", kChunkedPost + "3\nabc\n0\n\n", 400);
        add("bare LF after chunk data", kChunkedPost + "3\r\nabc\n0\r\n\r\n", 400);
        add("endless chunk extension", kChunkedPost + "3;" + std::string(6000, 'e'), 400);
    }

    void rejected()
    {
        QFETCH(std::string, request);
        QFETCH(int, status);
        RawClient c;
        QVERIFY(c.connect(m_server->port()));
        QVERIFY(c.send(request));
        auto reply = c.readResponse(3000);
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        QCOMPARE(reply->header("Connection").value_or(""), std::string("close"));
        QVERIFY(c.waitClosed(3000));
        QVERIFY(c.pending().empty());
    }

    void accepted_data()
    {
        QTest::addColumn<std::string>("request");
        QTest::addColumn<std::string>("body");
        auto add = [](const char* name, std::string request, std::string body) {
            QTest::newRow(name) << request << body;
        };
        add("plain", "GET / HTTP/1.1\r\nHost: t\r\n\r\n", "root");
        add("empty lines before the request line", "\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n", "root");
        add("HTTP/1.0 without Host", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "root");
        add("absolute-form", "GET http://t/ HTTP/1.1\r\nHost: t\r\n\r\n", "root");
        add("absolute-form without path", "GET http://t HTTP/1.1\r\nHost: t\r\n\r\n", "root");
        add("whitespace around a value", "GET / HTTP/1.1\r\nHost:  t \t\r\nX-A:\tv \r\n\r\n", "root");
        add("obs-text in a value", "GET / HTTP/1.1\r\nHost: t\r\nX-A: caf\xc3\xa9\r\n\r\n", "root");
        add("empty Host in 1.1", "GET / HTTP/1.1\r\nHost:\r\n\r\n", "root");
        add("Host with port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "root");
        add("same length twice in one field", kPost + "Content-Length: 3, 3\r\n\r\nabc", "3");
        add("same length in two fields", kPost + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", "3");
        add("uppercase chunked", kPost + "Transfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "3");
        add("chunk extensions", kChunkedPost + "3;a=b;c=\"d e\"\r\nabc\r\n0;z\r\n\r\n", "3");
        add("uppercase hex chunk size", kChunkedPost + "A\r\n0123456789\r\n0\r\n\r\n", "10");
        add("trailer fields", kChunkedPost + "3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n", "3");
        add("Expect on a bodiless request", "GET / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n",
            "root");
    }

    void accepted()
    {
        QFETCH(std::string, request);
        QFETCH(std::string, body);
        RawClient c;
        QVERIFY(c.connect(m_server->port()));
        QVERIFY(c.send(request));
        auto reply = c.readResponse(3000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->body, body);
        QVERIFY(reply->header("Connection").value_or("") != "close");
        // Framing was understood exactly: the next request on the connection is served too.
        QVERIFY(c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
        reply = c.readResponse(3000);
        QVERIFY(reply);
        QCOMPARE(reply->body, std::string("root"));
    }

    void optionsAsterisk()
    {
        // OPTIONS * is well-formed; no route can match it.
        auto reply = exchange(m_server->port(), "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 404);
    }

    void cleanupTestCase() { m_server.reset(); }
};

QTEST_GUILESS_MAIN(HttpStrictTest)
#include "tst_httpstrict.moc"
