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

    boost::asio::io_context& io() { return m_io; }
    const Limits& limits() const { return m_limits; }
    const RouteTable& routes() const { return m_routes; }
    HandlerPool& pool() { return m_pool; }

    // The rest runs on the I/O thread only.

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
    /// Where closing connections read what the client still sends, to throw it away.
    std::array<char, 16 * 1024>& discardBuffer() { return m_discard; }

private:
    void accept();
    void onAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
    void shutdown();
    bool closeOldestIdle();

    const Limits m_limits;
    const RouteTable m_routes;
    const HttpServer::Hooks m_hooks;

    boost::asio::io_context m_io { 1 };
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> m_work;
    boost::asio::ip::tcp::acceptor m_acceptor { m_io };
    boost::asio::steady_timer m_acceptRetry { m_io };
    HandlerPool m_pool;
    std::thread m_ioThread;
    std::mutex m_joinMutex;

    std::atomic<bool> m_started { false };
    std::atomic<bool> m_stopping { false };
    std::atomic<int> m_port { 0 };
    std::atomic<int> m_open { 0 };

    std::unordered_map<Connection*, std::shared_ptr<Connection>> m_connections;
    std::unordered_map<std::string, int> m_perAddress;
    int m_counted = 0;
    std::list<Connection*> m_idle; ///< oldest first
    std::array<char, 16 * 1024> m_discard {};
};

} // namespace vtfarm::http::internal
