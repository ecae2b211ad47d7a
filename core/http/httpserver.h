#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vtfarm::http {

/// \brief Header fields in the order they came, looked up without regard to case.
class Headers
{
public:
    /// The first value of \a name, or nullopt.
    std::optional<std::string> get(std::string_view name) const;
    std::size_t count(std::string_view name) const;
    bool contains(std::string_view name) const { return count(name) > 0; }
    void add(std::string name, std::string value);
    /// Replaces every field of that name with one.
    void set(std::string name, std::string value);
    void remove(std::string_view name);
    const std::vector<std::pair<std::string, std::string>>& fields() const { return m_fields; }

private:
    std::vector<std::pair<std::string, std::string>> m_fields;
};

/// \brief One request, as the handlers see it.
struct Request
{
    std::string method; ///< as sent: "GET"
    std::string target; ///< as sent: "/api/v1/jobs?state=queued"
    std::string path; ///< the target without its query, percent-decoded
    std::vector<std::pair<std::string, std::string>> query; ///< decoded, in order
    Headers headers;
    std::string remoteAddress; ///< "127.0.0.1", "::1"
    unsigned version = 11; ///< 10 or 11
    std::vector<std::string> params; ///< what the route's {name} parts matched, in order
    std::optional<std::uint64_t> contentLength; ///< when the request framed its body so
    bool chunked = false;
    std::string body; ///< BodyMode::Buffered only: the whole body
    int routeTag = -1; ///< the matched route's tag

    std::optional<std::string> queryValue(std::string_view name) const;
    std::optional<std::string> header(std::string_view name) const { return headers.get(name); }
};

/// \brief A byte range of an open file, sent as the body; the server closes the descriptor.
struct FileBody
{
    int fd = -1;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// \brief One response. Either \a body (sent with Content-Length) or \a file.
struct Response
{
    Response() = default;
    Response(int status, std::string contentType, std::string body);
    Response(Response&& other) noexcept;
    Response& operator=(Response&& other) noexcept;
    Response(const Response&) = delete;
    Response& operator=(const Response&) = delete;
    ~Response();

    int status = 200;
    Headers headers;
    std::string body;
    std::optional<FileBody> file;
    /// The connection closes once this response is sent (what is left of the request is not read).
    bool close = false;
};

/// \brief Where a streamed request body goes, a piece at a time.
///
/// Every call runs on a handler thread, one at a time, in order; while write() runs no more of the
/// body is read from the client, so a slow sink slows the client, never the server's memory.
class BodySink
{
public:
    virtual ~BodySink() = default;
    /// The next bytes of the body (chunked framing already removed). An answer refuses the rest:
    /// it is sent and the connection closes.
    virtual std::optional<Response> write(std::string_view data) = 0;
    /// The whole body is in; the answer to the request.
    virtual Response finish() = 0;
    /// The body will not be complete: the client went away (\a status 0), sent it too slowly
    /// (408), or sent more than the route allows (413). Remove what was written. The server stopping
    /// is 0 as well; a write() or finish() that threw is followed by abort(500).
    virtual void abort(int status) = 0;
};

enum class BodyMode
{
    None, ///< a body is refused (413) unless empty
    Buffered, ///< read whole (up to maxBodyBytes) into Request::body before the handler runs
    Streamed, ///< the handler returns a BodySink, or an answer without reading the body
};

/// Where a handler runs. Inline handlers run on an I/O thread and must not block (memory reads,
/// no disk, no waiting for other threads); the rest run on the bounded handler pool.
enum class Execution
{
    Inline,
    Pool
};

using Handler = std::function<Response(Request&)>;
using StreamHandler = std::function<std::variant<Response, std::unique_ptr<BodySink>>(Request&)>;

/// \brief A route: a method and a path template ("/api/v1/jobs/{id}", each {name} one segment).
struct Route
{
    std::string method; ///< a GET route answers HEAD as well, without the body
    std::string pattern;
    BodyMode body = BodyMode::None;
    std::uint64_t maxBodyBytes = 64 * 1024; ///< Buffered and Streamed: bytes of body, after de-chunking
    Execution execution = Execution::Pool;
    Handler handler; ///< None and Buffered
    StreamHandler streamHandler; ///< Streamed
    int tag = -1; ///< the application's name for the route; passed back in Request::routeTag
};

/// \brief Bounds on clients, each a setting (see docs/API.md), the way nginx and qBittorrent set them.
struct Limits
{
    std::size_t maxHeaderBytes = 32 * 1024; ///< request line and header fields: beyond, 431
    std::size_t maxTargetBytes = 8 * 1024; ///< request target: beyond, 414
    std::chrono::milliseconds headerTimeout {
        10'000
    }; ///< the whole header, from the first byte (or from the end of the previous request): else 408
    std::uint64_t minBodyBytesPerSecond = 16 * 1024; ///< a body slower than this on average ...
    std::chrono::milliseconds bodyRateWindow { 30'000 }; ///< ... over any window this long gets 408
    std::chrono::milliseconds idleTimeout {
        30'000
    }; ///< a keep-alive connection with no request (or a new one before its first byte)
    std::chrono::milliseconds writeTimeout { 30'000 }; ///< a response the client does not read
    int maxConnectionsPerAddress = 32; ///< beyond: 503 and closed
    int maxConnections = 1024; ///< beyond: the oldest idle keep-alive connection is closed, else 503
    int handlerThreads = 4; ///< the pool that runs Execution::Pool handlers and BodySinks
    /// Threads that serve connections (each connection stays on one); 0: one per two cores. The
    /// transcodes run in the idle class and take no core from them; a thread more than the cores
    /// can run (with the acceptor's and a busy client's) only waits for its turn. On 2 cores, with
    /// 64 clients from one address while 2 transcodes run, GET /status p99 was 2.8 ms (median of
    /// 42 runs) with one thread against 4.9 ms with two.
    int ioThreads = 0;
    int maxQueuedHandlers = 1024; ///< waiting for a pool thread: beyond, 503
};

/// \brief An event-driven HTTP/1.1 server (Boost.Beast on Asio).
///
/// Connections are served by a few I/O threads (Limits::ioThreads), each connection by one of
/// them: a connection that has not sent a whole request
/// header costs a socket and a small buffer, never a thread. Handlers that may block run on a
/// bounded pool. Requests are parsed as strictly as RFC 9112 asks of a server: conflicting or
/// malformed framing, malformed header lines and over-long targets get 400, 414, 431 or 501.
///
/// `Expect: 100-continue` is answered once admit accepted the request, its Content-Length is
/// within the route's limit and (Streamed) the handler returned a sink; any other answer is sent
/// instead, and the connection closes. A response sent before its request's body was read closes
/// the connection too.
class HttpServer
{
public:
    /// All three run on the I/O threads, possibly at the same time: they must be thread-safe and
    /// must not block.
    struct Hooks
    {
        /// Runs on an I/O thread once a request's header is in and its route is known, before
        /// any body byte is read (and before 100 Continue): an answer here is sent instead (the
        /// token check, a lockout). \a route is null when no route matched.
        std::function<std::optional<Response>(const Request&, const Route* route)> admit;
        /// The body of every answer the server makes itself (400, 404, 405, 408, 413, 414, 431,
        /// 501, 503, 505), so that they share the application's error shape.
        std::function<Response(int status, std::string_view message)> error;
        /// After each response is sent (or the client went away: status as it would have been).
        std::function<void(const Request&, int status, double seconds)> done;
    };

    HttpServer(std::vector<Route> routes, Limits limits, Hooks hooks);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds (port 0: any free one) and starts serving on its own threads. The error says why not.
    std::optional<std::string> listen(const std::string& address, int port);
    int port() const;
    bool isRunning() const;
    /// Stops accepting, closes every connection, waits for running handlers. Idempotent. Called from
    /// a handler or a hook it only begins: the destructor, on another thread, does the waiting.
    void stop();
    /// Whether stop() has begun; long-running handlers and sinks check it to end early.
    bool stopping() const;

    /// Connections open now (for metrics and tests).
    int connectionCount() const;

private:
    struct Impl;
    std::shared_ptr<Impl> d;
};

} // namespace vtfarm::http
