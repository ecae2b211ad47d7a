#pragma once

#include "handlerpool.h"
#include "httpserver.h"
#include "routes.h"

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

namespace vtfarm::http::internal {

class Connection;

/// \brief One server's I/O loop, acceptor and handler pool, and the books on its connections.
class Server
{
public:
    Server(std::vector<Route> routes, Limits limits, HttpServer::Hooks hooks);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::optional<std::string> listen(const std::string& address, int port);
    void stop();
    bool stopping() const { return m_stopping.load(); }
    bool isRunning() const { return m_started.load() && !m_stopping.load(); }
    int port() const { return m_port.load(); }
    int connectionCount() const { return m_open.load(); }

    /// One I/O thread and what its connections share.
    struct Loop
    {
        boost::asio::io_context io { 1 };
        std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
        std::thread thread;
        /// Where closing connections read what the client still sends, to throw it away.
        std::array<char, 16 * 1024> discard {};
    };

    const Limits& limits() const { return m_limits; }
    const RouteTable& routes() const { return m_routes; }
    HandlerPool& pool() { return m_pool; }

    // The rest runs on the I/O threads; the books on connections are kept under one lock.

    std::optional<Response> admit(const Request& request, const Route* route);
    /// The application's body for an answer the server makes itself.
    Response errorResponse(int status, std::string_view message);
    void notifyDone(const Request& request, int status, double seconds);
    /// A keep-alive connection waiting for its next request: the first to go when all are taken.
    void becameIdle(Connection& c);
    void leftIdle(Connection& c);
    /// The connection no longer counts against the limits (it is closing).
    void releaseSlot(Connection& c);
    void socketClosed(Connection& c);
    /// Nothing of the connection is under way any more; stop() waits for every one to get here.
    void unregister(Connection& c);

private:
    void accept();
    void onAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
    /// A connection just accepted: admitted within the limits, or refused with 503.
    void adopt(boost::asio::ip::tcp::socket socket, const boost::asio::ip::tcp::endpoint& remote);
    /// Answers 503 on \a socket at once and closes it, on the accepting thread: a refusal costs a
    /// few system calls, so that a client that retries in a loop takes little from the others.
    void refuse(boost::asio::ip::tcp::socket& socket, const std::string& remoteAddress, const char* why);
    void shutdown();
    /// Under m_books: frees the slot of the oldest idle connection and has it closed.
    bool closeOldestIdle();
    void leftIdleLocked(Connection& c);
    void releaseSlotLocked(Connection& c);
    void endWorkLocked();

    const Limits m_limits;
    const RouteTable m_routes;
    const HttpServer::Hooks m_hooks;

    std::vector<std::unique_ptr<Loop>> m_loops;
    std::atomic<unsigned> m_nextLoop { 0 };
    /// The acceptor has a thread of its own: refusals (503) are answered there, not between the
    /// requests of the connections on an I/O thread.
    Loop m_acceptLoop;
    boost::asio::ip::tcp::acceptor m_acceptor { m_acceptLoop.io };
    boost::asio::steady_timer m_acceptRetry { m_acceptLoop.io };
    boost::asio::ip::tcp::endpoint m_peer; ///< of the connection being accepted (acceptor only)
    HandlerPool m_pool;
    std::mutex m_joinMutex;

    std::atomic<bool> m_started { false };
    std::atomic<bool> m_stopping { false };
    std::atomic<int> m_port { 0 };
    std::atomic<int> m_open { 0 };

    std::mutex m_books; ///< guards what follows, and each Connection's m_counted and idle entry
    std::unordered_map<Connection*, std::shared_ptr<Connection>> m_connections;
    std::unordered_map<std::string, int> m_perAddress;
    int m_counted = 0;
    std::list<Connection*> m_idle; ///< oldest first
    std::unordered_map<std::string, std::string>
        m_refusals; ///< the bytes of each 503, made once (acceptor only)
};

} // namespace vtfarm::http::internal
