#pragma once

#include "httpserver.h"
#include "requestparser.h"
#include "server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace vtfarm::http::internal {

/// \brief One client connection, served request after request on the I/O thread.
///
/// Everything here runs on the I/O thread except the work handed to the pool (a handler, a sink
/// call), which has the request to itself: the I/O thread leaves it alone until the result comes back.
class Connection : public std::enable_shared_from_this<Connection>
{
public:
    /// \a socket belongs to \a loop's io_context; the connection runs on that loop only.
    Connection(
        Server& server, Server::Loop& loop, boost::asio::ip::tcp::socket socket, std::string remoteAddress);
    ~Connection();

    const std::string& remoteAddress() const { return m_remote; }
    /// Serves requests until the client or a limit ends it.
    void start();
    /// Answers \a status at once and closes, reading no request.
    void reject(int status, std::string_view message);
    /// Closes without an answer (stop(), or an idle connection making room); a sink gets abort(0).
    void closeNow();

private:
    friend class Server;
    using Clock = std::chrono::steady_clock;

    enum class Phase
    {
        Idle,
        Header,
        Dispatch,
        Body,
        Respond,
        Lingering,
        Closed
    };
    enum class TimerPurpose
    {
        None,
        Idle,
        Header,
        RateTick,
        Write,
        Linger
    };
    enum class SinkResult
    {
        Continue,
        Refused,
        Finished,
        Failed,
        Stopped
    };

    void waitForRequest();
    void beginHeader();
    void readSome();
    void onRead(const boost::system::error_code& ec, std::size_t bytes);
    void parseHeader();
    void onHeader();
    void failRequest(int status, std::string message);
    void clientGone();

    void runHandler();
    void runStreamHandler();
    void startBody();
    void beginBody();
    void parseBody();
    void bodyDone();
    void bodyFailed(int status, std::string message);
    void deliverPiece(bool last);
    void abortSink(int status, std::function<void()> then);
    /// On the pool: abort(\a status) and let the sink go.
    void endSink(int status);

    /// Runs \a work on the pool, then \a then back here (unless the connection closed meanwhile).
    bool runOnPool(bool bounded, std::function<void()> work, std::function<void()> then);

    void respond(Response response, bool close);
    void writeHead();
    void writeBodyPiece();
    void writeFilePiece();
    void onWritten(const boost::system::error_code& ec, const std::function<void()>& next);
    void closeFile();
    void responseSent();
    void lingeringClose();
    void drain();
    void hardClose();
    /// After the socket closed: once no pool work is under way, a sink still open is aborted and
    /// the server is told this connection is done.
    void afterClose();

    std::string_view bufferedView() const;
    /// Ends the pending read so that its completion answers \a status.
    void cancelRead(int status);
    void armTimer(TimerPurpose purpose, Clock::duration after);
    void cancelTimer();
    void onTimer();
    void rateTick();
    bool tooSlow() const;
    double secondsSinceStart() const;

    Server& m_server;
    Server::Loop& m_loop;
    boost::asio::ip::tcp::socket m_socket;
    boost::asio::steady_timer m_timer;
    const std::string m_remote;
    boost::beast::flat_buffer m_buffer;

    Phase m_phase = Phase::Idle;
    TimerPurpose m_timerPurpose = TimerPurpose::None;
    unsigned m_timerGeneration = 0;
    bool m_readPending = false;
    bool m_poolBusy = false;
    bool m_closed = false;
    bool m_unregistered = false;
    int m_failStatus = 0; ///< a deadline that cancelled the pending read, answered when it returns
    int m_requestsServed = 0;

    // The request under way.
    std::optional<RequestParser> m_parser;
    Request m_request;
    const Route* m_route = nullptr;
    Clock::time_point m_requestStart;
    std::size_t m_headerBytes = 0;
    std::size_t m_foldScanned = 0;
    bool m_headerEnded = false;
    bool m_keepAlive = false;
    bool m_expectContinue = false;
    /// Set from the handler's answer until finish(), abort() or a refusal: touched on the pool only
    /// (or while no pool work is under way).
    std::unique_ptr<BodySink> m_sink;
    std::string m_piece; ///< the streamed body read since the last write()

    // Handed back by the pool.
    Response m_poolResponse;
    bool m_poolFailed = false;
    bool m_poolSkipped = false;
    SinkResult m_sinkResult = SinkResult::Continue;

    // The body's rate, over time spent waiting for the client only.
    struct RateSlot
    {
        std::uint64_t bytes = 0;
        Clock::duration waited {};
    };
    std::deque<RateSlot> m_rateSlots;
    std::uint64_t m_tickBytes = 0;
    Clock::duration m_tickWaited {};
    Clock::time_point m_readStart;

    // The response under way.
    Response m_response;
    int m_status = 0;
    bool m_closeAfter = false;
    bool m_sendBody = true;
    std::string m_head;
    bool m_headSent = false;
    std::size_t m_bodySent = 0;
    std::string m_fileBuffer;
    std::uint64_t m_fileOffset = 0;
    std::uint64_t m_fileLeft = 0;
    std::uint64_t m_drained = 0;

    // The server's books (kept under its lock).
    bool m_counted = false;
    bool m_idleListed = false;
    std::list<Connection*>::iterator m_idleEntry;
};

} // namespace vtfarm::http::internal
