#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <httplib.h>
#include <string>
#include <vector>

namespace vtfarm::api {

/// \brief Bounds on one client connection.
struct ConnectionLimits
{
    std::size_t maxHeaderBytes = 32 * 1024; ///< request line and headers of one request
    std::chrono::milliseconds headerTimeout { 10'000 }; ///< to receive them, however slowly they trickle in
    std::chrono::milliseconds readTimeout { 30'000 }; ///< longest wait for the next bytes of a body
    std::chrono::milliseconds writeTimeout { 30'000 };
    std::chrono::milliseconds keepAliveTimeout { 5'000 };
    int keepAliveMaxRequests = 100;
    /// Accepted connections waiting for a free thread; beyond this a new one is answered 503 and
    /// closed at once, so that idle clients cannot hold every file descriptor.
    std::size_t maxPendingConnections = 256;
    std::uint64_t defaultBodyBytes = 64 * 1024; ///< per request, unless the request setup allows more
    /// A body reader that takes in this much without handing any of it on is hoarding it: refused.
    std::uint64_t maxUndeliveredBytes = 1 << 20;
};

/// \brief One client connection: the httplib::Stream the server reads requests from, enforcing
/// ConnectionLimits, plus what the handlers of its current request note about it.
class ConnectionStream final : public httplib::Stream
{
public:
    ConnectionStream(int fd, const ConnectionLimits& limits, const std::atomic<bool>& stopping);
    ~ConnectionStream() override;
    ConnectionStream(const ConnectionStream&) = delete;
    ConnectionStream& operator=(const ConnectionStream&) = delete;

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_fd; }

    /// The body of this request may be this long (bytes on the wire, chunk framing included).
    void setBodyLimit(std::uint64_t bytes) { m_bodyLimit = bytes; }
    std::uint64_t bodyLimit() const { return m_bodyLimit; }
    /// Whether a read failed because the body went past its limit.
    bool bodyLimitExceeded() const { return m_bodyLimitExceeded; }
    /// From now on, bytes read must reach the handler (see delivered()) within maxUndeliveredBytes.
    void requireDelivery() { m_requireDelivery = true; }
    void delivered() { m_sinceDelivery = 0; }
    /// The connection closes after this response: what is left of the request is not read.
    void closeAfterResponse() { m_closeRequested = true; }
    bool closeRequested() const { return m_closeRequested; }
    bool failed() const { return m_failed; }

    /// What the server's own hooks note about the current request, from setup to the log line.
    struct RequestNotes
    {
        int route = -1;
        bool admitted = false;
        std::chrono::steady_clock::time_point start;
    };
    RequestNotes notes;

private:
    friend class BoundedHttpServer;
    enum class Phase
    {
        Headers,
        Body
    };

    bool waitForRequest(std::chrono::milliseconds timeout);
    void beginRequest();
    void beginBody();
    /// Sends what write() gathered; false when the client is gone or too slow.
    bool flush();
    void close();
    /// Waits until the socket has \a events or the deadline passes; false on timeout, error or stop.
    bool waitFor(short events, std::chrono::steady_clock::time_point deadline, bool honourStop) const;
    ssize_t fill(std::chrono::steady_clock::time_point deadline);

    int m_fd;
    const ConnectionLimits& m_limits;
    const std::atomic<bool>& m_stopping;
    std::vector<char> m_buffer;
    std::string m_out; ///< httplib writes a response in many small pieces: sent together
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    Phase m_phase = Phase::Headers;
    std::chrono::steady_clock::time_point m_headerDeadline;
    std::size_t m_headerBytes = 0;
    std::uint64_t m_bodyBytes = 0;
    std::uint64_t m_bodyLimit = 0;
    std::uint64_t m_sinceDelivery = 0;
    bool m_requireDelivery = false;
    bool m_bodyLimitExceeded = false;
    bool m_closeRequested = false;
    bool m_failed = false;
};

/// \brief An httplib::Server whose connections are ConnectionStreams.
///
/// The packaged cpp-httplib (0.11.4) reads a request line or a header line of any length into
/// memory, has no bound on the number of headers or on a chunked body, no deadline for headers
/// sent a byte at a time, and keeps reading a connection after a handler refused its body, taking
/// the rest of that body for the next request. This class runs httplib's own request processing
/// over a stream that bounds all of that and closes the connection when a handler asks.
class BoundedHttpServer : public httplib::Server
{
public:
    using RequestSetup = std::function<void(httplib::Request&, ConnectionStream&)>;

    BoundedHttpServer(ConnectionLimits limits, int threads);

    /// Runs once a request's headers are read, before httplib routes it or reads its body.
    void setRequestSetup(RequestSetup setup) { m_setup = std::move(setup); }
    /// Every connection stops reading and writing; call before stop() so that it returns promptly.
    void beginShutdown() { m_stopping = true; }
    bool stopping() const { return m_stopping; }

    /// After binding: lets SOMAXCONN connections wait to be accepted. httplib 0.11.4 listens with
    /// a backlog of 5, so a burst of clients finds the queue full and waits a second to retry.
    void widenBacklog();

    /// The connection whose request the calling thread serves, or nullptr outside a handler.
    static ConnectionStream* currentConnection();

private:
    bool process_and_close_socket(socket_t sock) override;

    ConnectionLimits m_limits;
    RequestSetup m_setup;
    std::atomic<bool> m_stopping { false };
};

} // namespace vtfarm::api
