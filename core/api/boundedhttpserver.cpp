#include "boundedhttpserver.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vtfarm::api {

namespace {

using Clock = std::chrono::steady_clock;

thread_local ConnectionStream* t_current = nullptr;

// Long enough for few wake-ups, short enough that a stopping server is not kept waiting.
constexpr std::chrono::milliseconds kStopCheckInterval { 200 };
constexpr std::size_t kBufferBytes = 64 * 1024;
// After refusing a body, read (and drop) this much of it at most so that the client, still
// sending, gets to read the answer instead of a connection reset.
constexpr std::size_t kLingerBytes = 4 << 20;
constexpr std::chrono::milliseconds kLingerTime { 1000 };

void addressOf(const sockaddr_storage& addr, std::string& ip, int& port)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
        inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        port = ntohs(a->sin6_port);
    }
    ip = text;
}

struct CurrentConnection
{
    explicit CurrentConnection(ConnectionStream* stream) { t_current = stream; }
    ~CurrentConnection() { t_current = nullptr; }
};

} // namespace

ConnectionStream::ConnectionStream(int fd, const ConnectionLimits& limits, const std::atomic<bool>& stopping)
    : m_fd(fd)
    , m_limits(limits)
    , m_stopping(stopping)
    , m_buffer(kBufferBytes)
{
    // Responses are gathered and sent whole (see write()), so nothing is gained by waiting.
    const int on = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

ConnectionStream::~ConnectionStream()
{
    close();
}

bool ConnectionStream::waitFor(short events, Clock::time_point deadline, bool honourStop) const
{
    for (;;) {
        if (honourStop && m_stopping.load())
            return false;
        const auto now = Clock::now();
        if (now >= deadline)
            return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        pollfd p { m_fd, events, 0 };
        const int r = ::poll(&p, 1, int(std::min(left, kStopCheckInterval).count()) + 1);
        if (r > 0)
            return (p.revents & (events | POLLHUP | POLLERR)) != 0;
        if (r < 0 && errno != EINTR)
            return false;
    }
}

bool ConnectionStream::is_readable() const
{
    return m_begin < m_end || waitFor(POLLIN, Clock::now() + m_limits.readTimeout, true);
}

bool ConnectionStream::is_writable() const
{
    return waitFor(POLLOUT, Clock::now() + m_limits.writeTimeout, true);
}

ssize_t ConnectionStream::fill(Clock::time_point deadline)
{
    if (!waitFor(POLLIN, deadline, true))
        return -1;
    for (;;) {
        const ssize_t n = ::recv(m_fd, m_buffer.data(), m_buffer.size(), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            m_begin = 0;
            m_end = std::size_t(n);
        }
        return n;
    }
}

ssize_t ConnectionStream::read(char* ptr, size_t size)
{
    if (m_failed || m_stopping.load()) {
        m_failed = true;
        return -1;
    }
    std::size_t allowed = size;
    Clock::time_point deadline = Clock::now() + m_limits.readTimeout;
    if (m_phase == Phase::Headers) {
        if (m_headerBytes >= m_limits.maxHeaderBytes) {
            m_failed = true;
            return -1;
        }
        allowed = std::min<std::size_t>(allowed, m_limits.maxHeaderBytes - m_headerBytes);
        deadline = std::min(deadline, m_headerDeadline);
    } else {
        if (m_bodyBytes >= m_bodyLimit) {
            m_bodyLimitExceeded = true;
            m_failed = true;
            return -1;
        }
        if (m_requireDelivery && m_sinceDelivery > m_limits.maxUndeliveredBytes) {
            m_failed = true;
            return -1;
        }
        allowed = std::size_t(std::min<std::uint64_t>(allowed, m_bodyLimit - m_bodyBytes));
    }
    if (m_begin == m_end) {
        if (!m_out.empty() && !flush())
            return -1;
        const ssize_t n = fill(deadline);
        if (n <= 0) {
            m_failed = m_failed || n < 0;
            return n;
        }
    }
    const std::size_t n = std::min(allowed, m_end - m_begin);
    std::memcpy(ptr, m_buffer.data() + m_begin, n);
    m_begin += n;
    if (m_phase == Phase::Headers) {
        m_headerBytes += n;
    } else {
        m_bodyBytes += n;
        m_sinceDelivery += n;
    }
    return ssize_t(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size)
{
    if (m_out.size() + size > kBufferBytes && !flush())
        return -1;
    m_out.append(ptr, size);
    if (m_out.size() >= kBufferBytes && !flush())
        return -1;
    return ssize_t(size);
}

bool ConnectionStream::flush()
{
    std::size_t sent = 0;
    while (sent < m_out.size()) {
        if (!waitFor(POLLOUT, Clock::now() + m_limits.writeTimeout, true)) {
            m_failed = true;
            break;
        }
        const ssize_t n = ::send(m_fd, m_out.data() + sent, m_out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            m_failed = true;
            break;
        }
        sent += std::size_t(n);
    }
    m_out.clear();
    return !m_failed;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const
{
    sockaddr_storage addr {};
    socklen_t len = sizeof addr;
    if (::getpeername(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        addressOf(addr, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const
{
    sockaddr_storage addr {};
    socklen_t len = sizeof addr;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        addressOf(addr, ip, port);
}

bool ConnectionStream::waitForRequest(std::chrono::milliseconds timeout)
{
    return m_begin < m_end || waitFor(POLLIN, Clock::now() + timeout, true);
}

void ConnectionStream::beginRequest()
{
    m_phase = Phase::Headers;
    m_headerBytes = 0;
    m_headerDeadline = Clock::now() + m_limits.headerTimeout;
    m_bodyBytes = 0;
    m_bodyLimit = m_limits.defaultBodyBytes;
    m_sinceDelivery = 0;
    m_requireDelivery = false;
    m_bodyLimitExceeded = false;
    notes = {};
    notes.start = Clock::now();
}

void ConnectionStream::beginBody()
{
    m_phase = Phase::Body;
}

void ConnectionStream::close()
{
    if (m_fd < 0)
        return;
    flush();
    if ((m_closeRequested || m_failed) && !m_stopping.load()) {
        ::shutdown(m_fd, SHUT_WR);
        const auto deadline = Clock::now() + kLingerTime;
        std::size_t drained = 0;
        while (drained < kLingerBytes && waitFor(POLLIN, deadline, true)) {
            const ssize_t n = ::recv(m_fd, m_buffer.data(), m_buffer.size(), 0);
            if (n <= 0 && !(n < 0 && errno == EINTR))
                break;
            drained += std::size_t(std::max<ssize_t>(n, 0));
        }
    }
    ::close(m_fd);
    m_fd = -1;
}

namespace {

// Set while the accept thread turns a connection away (see BoundedTaskQueue).
thread_local bool t_rejectConnection = false;

/// httplib's thread pool with a bound on the connections waiting for a thread.
class BoundedTaskQueue final : public httplib::TaskQueue
{
public:
    BoundedTaskQueue(std::size_t threads, std::size_t maxPending)
        : m_pool(threads)
        , m_maxPending(maxPending)
    { }

    void enqueue(std::function<void()> fn) override
    {
        if (m_pending.load() >= m_maxPending) {
            // Runs on the accept thread, which answers 503 and closes without reading.
            t_rejectConnection = true;
            fn();
            t_rejectConnection = false;
            return;
        }
        ++m_pending;
        m_pool.enqueue([this, fn = std::move(fn)] {
            --m_pending;
            fn();
        });
    }
    void shutdown() override { m_pool.shutdown(); }

private:
    httplib::ThreadPool m_pool;
    std::size_t m_maxPending;
    std::atomic<std::size_t> m_pending { 0 };
};

} // namespace

BoundedHttpServer::BoundedHttpServer(ConnectionLimits limits, int threads)
    : m_limits(limits)
{
    new_task_queue = [threads, pending = limits.maxPendingConnections] {
        return new BoundedTaskQueue(std::size_t(std::max(1, threads)), pending);
    };
}

void BoundedHttpServer::widenBacklog()
{
    // listen() on a listening socket only changes its backlog.
    if (svr_sock_ != INVALID_SOCKET)
        ::listen(svr_sock_, SOMAXCONN);
}

ConnectionStream* BoundedHttpServer::currentConnection()
{
    return t_current;
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock)
{
    if (t_rejectConnection) {
        static const char busy[]
            = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
              "Content-Length: 0\r\n\r\n";
        // Never waits: this is the accept thread. A client whose request arrives after the close
        // sees a reset instead of the 503; either way it is not kept.
        [[maybe_unused]] const ssize_t n = ::send(sock, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        ::shutdown(sock, SHUT_WR);
        char drain[4096];
        while (::recv(sock, drain, sizeof drain, MSG_DONTWAIT) > 0) { }
        ::close(sock);
        return false;
    }
    ConnectionStream stream(sock, m_limits, m_stopping);
    const CurrentConnection current(&stream);
    bool ok = false;
    bool first = true;
    for (int left = std::max(1, m_limits.keepAliveMaxRequests); left > 0; --left) {
        if (m_stopping.load() || svr_sock_ == INVALID_SOCKET)
            break;
        if (!stream.waitForRequest(first ? m_limits.headerTimeout : m_limits.keepAliveTimeout))
            break;
        first = false;
        stream.beginRequest();
        bool closed = false;
        ok = process_request(stream, left == 1, closed, [this, &stream](httplib::Request& req) {
            stream.beginBody();
            if (m_setup)
                m_setup(req, stream);
        });
        if (!stream.flush() || !ok || closed || stream.closeRequested() || stream.failed())
            break;
    }
    return ok;
}

} // namespace vtfarm::api
