// Raw loopback sockets for the HTTP server tests: bytes go out exactly as written, so that
// malformed requests reach the server as malformed as they were meant to be.
#pragma once

#include "httpserver.h"

#include <QtGlobal>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace httptest {

using namespace vtfarm::http;
using Clock = std::chrono::steady_clock;

/// \brief One parsed response, as a client sees it.
struct Reply
{
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::optional<std::string> header(std::string_view name) const
    {
        for (const auto& [n, v] : headers) {
            if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0)
                return v;
        }
        return std::nullopt;
    }
};

/// \brief A blocking TCP client with deadlines on every wait.
class RawClient
{
public:
    RawClient() = default;
    ~RawClient() { close(); }
    RawClient(RawClient&& other) noexcept
        : m_fd(std::exchange(other.m_fd, -1))
        , m_pending(std::move(other.m_pending))
    { }
    RawClient& operator=(RawClient&& other) noexcept
    {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_pending = std::move(other.m_pending);
        return *this;
    }

    /// Connects to the server on \a port of 127.0.0.1 (or \a host), from \a source when given
    /// (any 127/8 address works as a source on Linux).
    bool connect(int port, const char* source = nullptr, const char* host = "127.0.0.1")
    {
        close();
        const bool v6 = std::strchr(host, ':') != nullptr;
        m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return false;
        int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (source) {
            sockaddr_in local {};
            local.sin_family = AF_INET;
            ::inet_pton(AF_INET, source, &local.sin_addr);
            if (::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
                return false;
        }
        if (v6) {
            sockaddr_in6 addr {};
            addr.sin6_family = AF_INET6;
            addr.sin6_port = htons(static_cast<uint16_t>(port));
            ::inet_pton(AF_INET6, host, &addr.sin6_addr);
            return ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        }
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET, host, &addr.sin_addr);
        return ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }

    bool isOpen() const { return m_fd >= 0; }
    int fd() const { return m_fd; }

    void setReceiveBuffer(int bytes) { ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }

    /// Sends everything, or false (the server closed, or \a timeoutMs passed with no room).
    bool send(std::string_view data, int timeoutMs = 10'000)
    {
        const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
        while (!data.empty()) {
            if (!waitFor(POLLOUT, deadline))
                return false;
            const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// Reads one response (an interim 1xx too). \a headRequest: a response to HEAD has no body.
    std::optional<Reply> readResponse(int timeoutMs = 10'000, bool headRequest = false)
    {
        const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
        std::size_t end;
        while ((end = m_pending.find("\r\n\r\n")) == std::string::npos) {
            if (!fill(deadline))
                return std::nullopt;
        }
        Reply reply;
        const std::string head = m_pending.substr(0, end + 2);
        m_pending.erase(0, end + 4);
        std::size_t lineEnd = head.find("\r\n");
        const std::string statusLine = head.substr(0, lineEnd);
        if (statusLine.size() < 12 || statusLine.compare(0, 5, "HTTP/") != 0)
            return std::nullopt;
        reply.status = std::atoi(statusLine.c_str() + 9);
        std::size_t pos = lineEnd + 2;
        while (pos < head.size()) {
            lineEnd = head.find("\r\n", pos);
            const std::string line = head.substr(pos, lineEnd - pos);
            pos = lineEnd + 2;
            const auto colon = line.find(':');
            if (colon == std::string::npos)
                return std::nullopt;
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ')
                value.erase(0, 1);
            reply.headers.emplace_back(line.substr(0, colon), value);
        }
        if (reply.status < 200 || headRequest)
            return reply;
        const auto length = reply.header("Content-Length");
        const std::size_t want = length ? std::stoull(*length) : 0;
        while (m_pending.size() < want) {
            if (!fill(deadline))
                return std::nullopt;
        }
        reply.body = m_pending.substr(0, want);
        m_pending.erase(0, want);
        return reply;
    }

    /// Whether the server closes the connection (end of stream or reset) within \a timeoutMs;
    /// whatever else arrives is kept for readResponse() but does not count.
    bool waitClosed(int timeoutMs = 10'000)
    {
        const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
        for (;;) {
            if (!waitFor(POLLIN, deadline))
                return false;
            char buffer[16384];
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return true;
            m_pending.append(buffer, static_cast<std::size_t>(n));
        }
    }

    /// Bytes that arrived after the last response read.
    const std::string& pending() const { return m_pending; }

    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        m_pending.clear();
    }

private:
    bool waitFor(short events, Clock::time_point deadline)
    {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() < 0)
                return false;
            pollfd p { m_fd, events, 0 };
            const int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return false;
            return true;
        }
    }

    bool fill(Clock::time_point deadline)
    {
        if (!waitFor(POLLIN, deadline))
            return false;
        char buffer[65536];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        m_pending.append(buffer, static_cast<std::size_t>(n));
        return true;
    }

    int m_fd = -1;
    std::string m_pending;
};

/// Connects, sends \a request and reads one response.
inline std::optional<Reply> exchange(int port, std::string_view request, int timeoutMs = 5'000)
{
    RawClient client;
    if (!client.connect(port) || !client.send(request))
        return std::nullopt;
    return client.readResponse(timeoutMs);
}

/// Starts a server on a free loopback port, or returns null (with the reason in \a error).
inline std::unique_ptr<HttpServer> startServer(std::vector<Route> routes, Limits limits = {},
    HttpServer::Hooks hooks = {}, std::string* error = nullptr, const std::string& address = "127.0.0.1")
{
    auto server = std::make_unique<HttpServer>(std::move(routes), limits, std::move(hooks));
    if (auto failure = server->listen(address, 0)) {
        if (error)
            *error = *failure;
        return nullptr;
    }
    return server;
}

inline Route route(std::string method, std::string pattern, Handler handler, int tag = -1)
{
    Route r;
    r.method = std::move(method);
    r.pattern = std::move(pattern);
    r.handler = std::move(handler);
    r.tag = tag;
    return r;
}

/// A field of /proc/self/status, in KiB (VmHWM, VmRSS).
inline long procStatusKiB(const char* field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(field) + ":";
    while (std::getline(in, line)) {
        if (line.compare(0, prefix.size(), prefix) == 0)
            return std::atol(line.c_str() + prefix.size());
    }
    return -1;
}

/// A chunked encoding of \a body in chunks of \a chunk bytes.
inline std::string chunked(std::string_view body, std::size_t chunk)
{
    std::string out;
    while (!body.empty()) {
        const std::size_t n = std::min(chunk, body.size());
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", n);
        out += size;
        out += body.substr(0, n);
        out += "\r\n";
        body.remove_prefix(n);
    }
    out += "0\r\n\r\n";
    return out;
}

} // namespace httptest
