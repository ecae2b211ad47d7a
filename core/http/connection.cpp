#include "connection.h"

#include "server.h"
#include "wire.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <unistd.h>

namespace vtfarm::http::internal {

namespace asio = boost::asio;
namespace beasthttp = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr std::size_t kHeaderRead = 1024; ///< a header needs no more at first; the buffer grows if it does
constexpr std::size_t kBodyRead = 64 * 1024;
constexpr std::size_t kPiece = 256 * 1024; ///< streamed body handed to a sink at a time
constexpr std::size_t kFilePiece = 256 * 1024;
constexpr std::size_t kWritePiece = 256 * 1024;
constexpr std::size_t kIdleBufferKeep = 4 * 1024;
/// After the last response of a connection: how long, and how much, to read what the client
/// still sends, so that closing does not reset the connection before it has read the answer.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::uint64_t kLingerBytes = 8 * 1024 * 1024;

const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

Connection::Connection(
    Server& server, Server::Loop& loop, asio::ip::tcp::socket socket, std::string remoteAddress)
    : m_server(server)
    , m_loop(loop)
    , m_socket(std::move(socket))
    , m_timer(loop.io)
    , m_remote(std::move(remoteAddress))
    , m_buffer(server.limits().maxHeaderBytes + kBodyRead + 4096)
{ }

Connection::~Connection() = default;

void Connection::start()
{
    waitForRequest();
}

void Connection::reject(int status, std::string_view message)
{
    m_request.remoteAddress = m_remote;
    m_requestStart = Clock::now();
    m_keepAlive = false;
    respond(m_server.errorResponse(status, message), true);
}

void Connection::closeNow()
{
    hardClose();
}

std::string_view Connection::bufferedView() const
{
    const auto data = m_buffer.data();
    return { static_cast<const char*>(data.data()), data.size() };
}

// --- the request header -------------------------------------------------------------------------

void Connection::waitForRequest()
{
    m_parser.reset();
    m_route = nullptr;
    m_failStatus = 0;
    m_expectContinue = false;
    m_headerBytes = 0;
    m_request = Request {};
    m_request.remoteAddress = m_remote;
    std::string().swap(m_piece);

    if (m_buffer.size() > 0) {
        // Pipelined: the next request is already here, its header deadline runs from now.
        beginHeader();
        parseHeader();
        return;
    }
    m_phase = Phase::Idle;
    if (m_requestsServed > 0)
        m_server.becameIdle(*this);
    if (m_buffer.capacity() > kIdleBufferKeep)
        m_buffer.shrink_to_fit();
    armTimer(TimerPurpose::Idle, m_server.limits().idleTimeout);
    readSome();
}

void Connection::beginHeader()
{
    m_server.leftIdle(*this);
    m_phase = Phase::Header;
    m_requestStart = Clock::now();
    m_headerBytes = 0;
    m_foldScanned = 0;
    m_headerEnded = false;
    m_parser.emplace(m_server.limits());
    armTimer(TimerPurpose::Header, m_server.limits().headerTimeout);
}

void Connection::readSome()
{
    std::size_t want = kBodyRead;
    if (m_phase != Phase::Body) {
        // Never more than the rest of the header may be: a header past the limit is known as
        // soon as one byte too many is in.
        const std::size_t allowance = m_server.limits().maxHeaderBytes + 1;
        const std::size_t used = m_headerBytes + m_buffer.size();
        want = used < allowance
            ? std::min(allowance - used, std::max(kHeaderRead, m_buffer.capacity() - m_buffer.size()))
            : 1;
    }
    want = std::min(want, m_buffer.max_size() - m_buffer.size());
    if (want == 0) {
        hardClose();
        return;
    }
    m_readPending = true;
    m_readStart = Clock::now();
    m_socket.async_read_some(m_buffer.prepare(want),
        [self = shared_from_this()](const error_code& ec, std::size_t bytes) { self->onRead(ec, bytes); });
}

void Connection::onRead(const error_code& ec, std::size_t bytes)
{
    m_readPending = false;
    if (m_phase == Phase::Body)
        m_tickWaited += Clock::now() - m_readStart;
    if (m_closed)
        return;
    if (!ec)
        m_buffer.commit(bytes);
    if (m_failStatus != 0) {
        const int status = std::exchange(m_failStatus, 0);
        if (m_phase == Phase::Body)
            bodyFailed(status, "request body too slow");
        else
            failRequest(status, "request header timeout");
        return;
    }
    if (ec) {
        clientGone();
        return;
    }
    if (m_phase == Phase::Body)
        m_tickBytes += bytes;
    if (m_phase == Phase::Idle)
        beginHeader();
    if (m_phase == Phase::Header)
        parseHeader();
    else if (m_phase == Phase::Body)
        parseBody();
}

void Connection::parseHeader()
{
    const Limits& limits = m_server.limits();
    if (!m_parser->got_some()) {
        // RFC 9112 §2.2: a server should ignore at least one empty line before a request line.
        const std::string_view data = bufferedView();
        std::size_t skip = 0;
        while (skip < 8 && data.size() - skip >= 2 && data[skip] == '\r' && data[skip + 1] == '\n')
            skip += 2;
        m_buffer.consume(skip);
        if (m_buffer.size() == 0 || bufferedView() == "\r") {
            readSome();
            return;
        }
    }
    if (!m_headerEnded && hasObsFold(bufferedView(), m_foldScanned, m_headerEnded)) {
        failRequest(400, "obsolete line folding in a header field");
        return;
    }
    boost::beast::error_code ec;
    const std::size_t used = m_parser->put(m_buffer.data(), ec);
    m_buffer.consume(used);
    m_headerBytes += used;
    m_foldScanned -= std::min(used, m_foldScanned);
    if (ec == beasthttp::error::need_more) {
        if (m_headerBytes + m_buffer.size() > limits.maxHeaderBytes) {
            const ParseFailure f
                = describeHeaderOverflow(bufferedView(), !m_parser->method().empty(), limits);
            failRequest(f.status, f.message);
            return;
        }
        readSome();
        return;
    }
    if (ec) {
        const ParseFailure f = describeParseError(ec, *m_parser, bufferedView(), limits);
        failRequest(f.status, f.message);
        return;
    }
    if (!m_parser->is_header_done()) {
        readSome();
        return;
    }
    if (m_headerBytes > limits.maxHeaderBytes) {
        failRequest(431, "request header too large");
        return;
    }
    onHeader();
}

void Connection::onHeader()
{
    cancelTimer();
    m_phase = Phase::Dispatch;
    RequestParser& parser = *m_parser;
    m_request.method = parser.method();
    m_request.target = parser.target();
    m_request.version = parser.version();
    m_request.headers = parser.takeHeaders();
    if (const auto length = parser.content_length())
        m_request.contentLength = *length;
    m_request.chunked = parser.chunked();
    m_keepAlive = parser.keep_alive();
    const bool hasBody = !parser.is_done();

    if (m_request.target == "*" && m_request.method == "OPTIONS") {
        // asterisk-form names the server itself, never a route (RFC 9112 §3.2.4).
        m_request.path = "*";
    } else if (!parseTarget(m_request.target, m_request.path, m_request.query)) {
        failRequest(400, "malformed request target");
        return;
    }
    RouteMatch match = m_server.routes().match(m_request.method, m_request.path);
    m_route = match.route;
    m_request.params = std::move(match.params);
    m_request.routeTag = m_route ? m_route->tag : -1;

    // An answer before the body is read leaves the body on the wire: the connection closes after.
    if (auto answer = m_server.admit(m_request, m_route)) {
        respond(std::move(*answer), hasBody);
        return;
    }
    if (!m_route) {
        if (match.allowed.empty()) {
            respond(m_server.errorResponse(404, "not found"), hasBody);
            return;
        }
        Response response = m_server.errorResponse(405, "method not allowed");
        std::string allow;
        for (const auto& m : match.allowed)
            allow += (allow.empty() ? "" : ", ") + m;
        response.headers.set("Allow", allow);
        respond(std::move(response), hasBody);
        return;
    }
    const std::uint64_t maxBody = m_route->body == BodyMode::None ? 0 : m_route->maxBodyBytes;
    if (m_request.contentLength && *m_request.contentLength > maxBody) {
        respond(m_server.errorResponse(413, "request body too large"), true);
        return;
    }
    const auto expect = m_request.headers.get("expect");
    m_expectContinue
        = hasBody && m_request.version >= 11 && expect && iequals(trimWhitespace(*expect), "100-continue");
    if (m_route->body == BodyMode::Streamed) {
        runStreamHandler();
        return;
    }
    if (hasBody) {
        if (m_request.contentLength)
            m_request.body.reserve(static_cast<std::size_t>(*m_request.contentLength));
        parser.setBodyTarget(&m_request.body, maxBody);
        startBody();
        return;
    }
    runHandler();
}

void Connection::failRequest(int status, std::string message)
{
    cancelTimer();
    if (m_parser) {
        m_request.method = m_parser->method();
        m_request.target = m_parser->target();
        m_request.version = m_parser->version();
    }
    m_keepAlive = false;
    respond(m_server.errorResponse(status, message), true);
}

void Connection::clientGone()
{
    // A client that leaves mid-body made a bad request, as far as the log goes (nginx says 400).
    if (m_phase == Phase::Body)
        m_server.notifyDone(m_request, 400, secondsSinceStart());
    hardClose();
}

// --- handlers and the body ----------------------------------------------------------------------

bool Connection::runOnPool(bool bounded, std::function<void()> work, std::function<void()> then)
{
    m_poolBusy = true;
    auto task = [self = shared_from_this(), work = std::move(work), then = std::move(then)]() mutable {
        try {
            work();
        } catch (...) { }
        asio::post(self->m_loop.io, [self, then = std::move(then)]() mutable {
            self->m_poolBusy = false;
            if (self->m_closed) {
                self->afterClose();
                return;
            }
            then();
        });
    };
    if (!m_server.pool().post(std::move(task), bounded)) {
        m_poolBusy = false;
        return false;
    }
    return true;
}

void Connection::runHandler()
{
    const Route* route = m_route;
    if (route->execution == Execution::Inline) {
        Response response;
        bool failed = false;
        try {
            response = route->handler(m_request);
        } catch (...) {
            failed = true;
        }
        respond(failed ? m_server.errorResponse(500, "internal error") : std::move(response), false);
        return;
    }
    m_poolFailed = false;
    m_poolSkipped = false;
    const bool posted = runOnPool(
        true,
        [this, route] {
            if (m_server.stopping()) {
                m_poolSkipped = true;
                return;
            }
            try {
                m_poolResponse = route->handler(m_request);
            } catch (...) {
                m_poolFailed = true;
            }
        },
        [this] {
            if (m_poolSkipped) {
                hardClose();
                return;
            }
            respond(m_poolFailed ? m_server.errorResponse(500, "internal error") : std::move(m_poolResponse),
                false);
        });
    if (!posted)
        respond(m_server.errorResponse(503, "server busy"), false);
}

void Connection::runStreamHandler()
{
    const Route* route = m_route;
    const bool hasBody = !m_parser->is_done();
    m_poolFailed = false;
    m_poolSkipped = false;
    auto work = [this, route] {
        if (m_server.stopping()) {
            m_poolSkipped = true;
            return;
        }
        try {
            auto result = route->streamHandler(m_request);
            if (auto* response = std::get_if<Response>(&result)) {
                m_poolResponse = std::move(*response);
            } else {
                // Taken here, not back on the I/O thread: a stop meanwhile must still abort it.
                m_sink = std::move(std::get<std::unique_ptr<BodySink>>(result));
                m_poolFailed = m_sink == nullptr;
            }
        } catch (...) {
            m_poolFailed = true;
        }
    };
    auto then = [this, hasBody] {
        if (m_poolSkipped) {
            hardClose();
            return;
        }
        if (m_poolFailed) {
            respond(m_server.errorResponse(500, "internal error"), hasBody);
            return;
        }
        if (!m_sink) {
            respond(std::move(m_poolResponse), hasBody);
            return;
        }
        m_parser->setBodyTarget(&m_piece, m_route->maxBodyBytes);
        startBody();
    };
    if (route->execution == Execution::Inline) {
        work();
        then();
        return;
    }
    if (!runOnPool(true, std::move(work), std::move(then)))
        respond(m_server.errorResponse(503, "server busy"), hasBody);
}

void Connection::startBody()
{
    if (m_parser->is_done()) {
        bodyDone();
        return;
    }
    if (!m_expectContinue) {
        beginBody();
        return;
    }
    m_expectContinue = false;
    armTimer(TimerPurpose::Write, m_server.limits().writeTimeout);
    asio::async_write(
        m_socket, asio::buffer(kContinue), [self = shared_from_this()](const error_code& ec, std::size_t) {
            if (self->m_closed)
                return;
            self->cancelTimer();
            if (ec) {
                self->hardClose();
                return;
            }
            self->beginBody();
        });
}

void Connection::beginBody()
{
    m_phase = Phase::Body;
    m_parser->eager(true);
    m_rateSlots.clear();
    m_tickBytes = 0;
    m_tickWaited = {};
    armTimer(TimerPurpose::RateTick, std::chrono::seconds(1));
    parseBody();
}

void Connection::parseBody()
{
    const Limits& limits = m_server.limits();
    while (m_buffer.size() > 0 && !m_parser->is_done()) {
        boost::beast::error_code ec;
        const std::size_t used = m_parser->put(m_buffer.data(), ec);
        m_buffer.consume(used);
        if (ec == beasthttp::error::need_more) {
            // Beast takes body bytes as they come, so what it leaves is chunk framing; framing
            // with a bare LF, or longer than a header may be, would have it wait forever.
            const std::string_view rest = bufferedView();
            if (hasBareLineFeed(rest) || rest.size() > limits.maxHeaderBytes) {
                bodyFailed(400, "malformed chunked body");
                return;
            }
            break;
        }
        if (ec) {
            const ParseFailure f = describeParseError(ec, *m_parser, bufferedView(), limits);
            bodyFailed(f.status, f.message);
            return;
        }
        if (m_sink && m_piece.size() >= kPiece) {
            deliverPiece(false);
            return;
        }
        if (used == 0)
            break;
    }
    if (m_parser->is_done()) {
        bodyDone();
        return;
    }
    readSome();
}

void Connection::bodyDone()
{
    cancelTimer();
    m_phase = Phase::Dispatch;
    if (m_sink) {
        deliverPiece(true);
        return;
    }
    runHandler();
}

void Connection::bodyFailed(int status, std::string message)
{
    cancelTimer();
    m_phase = Phase::Dispatch;
    m_keepAlive = false;
    if (m_sink) {
        abortSink(
            status, [this, status, message] { respond(m_server.errorResponse(status, message), true); });
        return;
    }
    respond(m_server.errorResponse(status, message), true);
}

void Connection::deliverPiece(bool last)
{
    m_sinkResult = SinkResult::Continue;
    runOnPool(
        false,
        [this, last] {
            if (m_server.stopping()) {
                endSink(0);
                m_sinkResult = SinkResult::Stopped;
                return;
            }
            try {
                std::optional<Response> answer;
                if (!m_piece.empty())
                    answer = m_sink->write(m_piece);
                m_piece.clear();
                if (answer) {
                    m_poolResponse = std::move(*answer);
                    m_sink.reset();
                    m_sinkResult = SinkResult::Refused;
                } else if (last) {
                    m_poolResponse = m_sink->finish();
                    m_sink.reset();
                    m_sinkResult = SinkResult::Finished;
                }
            } catch (...) {
                // A sink that threw is told to clean up as for any body that will not complete.
                endSink(500);
                m_sinkResult = SinkResult::Failed;
            }
        },
        [this] {
            const bool unread = !m_parser->is_done();
            switch (m_sinkResult) {
            case SinkResult::Continue:
                parseBody();
                return;
            case SinkResult::Refused:
                // BodySink::write(): an answer refuses the rest, and the connection closes.
                respond(std::move(m_poolResponse), true);
                return;
            case SinkResult::Finished:
                respond(std::move(m_poolResponse), false);
                return;
            case SinkResult::Failed:
                respond(m_server.errorResponse(500, "internal error"), unread);
                return;
            case SinkResult::Stopped:
                hardClose();
                return;
            }
        });
}

void Connection::abortSink(int status, std::function<void()> then)
{
    runOnPool(
        false, [this, status] { endSink(status); }, std::move(then));
}

void Connection::endSink(int status)
{
    try {
        m_sink->abort(status);
    } catch (...) { }
    // Destroyed here too: a sink may hold a file, and closing one is the pool's kind of work.
    m_sink.reset();
}

// --- the response -------------------------------------------------------------------------------

void Connection::respond(Response response, bool close)
{
    cancelTimer();
    m_phase = Phase::Respond;
    m_response = std::move(response);
    if (m_response.status < 200 || m_response.status > 999)
        m_response.status = 500;
    m_status = m_response.status;

    const bool bodyless = m_status == 204 || m_status == 304;
    m_sendBody = !bodyless && m_request.method != "HEAD";
    const std::uint64_t length = m_response.file ? m_response.file->length : m_response.body.size();
    bool closing = close || m_response.close || !m_keepAlive || m_server.stopping();
    m_head = responseHead(m_response, length, m_request.version, closing);
    m_closeAfter = closing;
    m_headSent = false;

    if (m_response.file && m_sendBody && length > 0) {
        m_fileOffset = m_response.file->offset;
        m_fileLeft = length;
        writeFilePiece();
        return;
    }
    closeFile();
    writeHead();
}

void Connection::closeFile()
{
    if (m_response.file) {
        if (m_response.file->fd >= 0)
            ::close(m_response.file->fd);
        m_response.file.reset();
    }
}

void Connection::writeHead()
{
    m_bodySent = 0;
    writeBodyPiece();
}

void Connection::writeBodyPiece()
{
    // A piece at a time, so that the write deadline is for a client that stopped reading, not
    // for one that reads a large body slowly.
    const std::size_t left = m_sendBody ? m_response.body.size() - m_bodySent : 0;
    const std::size_t n = std::min(left, kWritePiece);
    const std::array<asio::const_buffer, 2> buffers {
        m_headSent ? asio::const_buffer() : asio::buffer(m_head),
        asio::buffer(m_response.body.data() + m_bodySent, n),
    };
    m_headSent = true;
    m_bodySent += n;
    armTimer(TimerPurpose::Write, m_server.limits().writeTimeout);
    asio::async_write(m_socket, buffers, [self = shared_from_this()](const error_code& ec, std::size_t) {
        self->onWritten(ec, [self] {
            if (self->m_sendBody && self->m_bodySent < self->m_response.body.size())
                self->writeBodyPiece();
            else
                self->responseSent();
        });
    });
}

void Connection::writeFilePiece()
{
    const int fd = m_response.file->fd;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(m_fileLeft, kFilePiece));
    m_fileBuffer.resize(want);
    ssize_t got;
    do {
        got = ::pread(fd, m_fileBuffer.data(), want, static_cast<off_t>(m_fileOffset));
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        // The file ended (or failed) before the length promised. Before the head is out that can
        // still be said; after, only closing tells the client the body is short.
        if (!m_headSent) {
            respond(m_server.errorResponse(500, "file could not be read"), true);
            return;
        }
        m_server.notifyDone(m_request, m_status, secondsSinceStart());
        hardClose();
        return;
    }
    m_fileOffset += static_cast<std::uint64_t>(got);
    m_fileLeft -= static_cast<std::uint64_t>(got);
    const std::array<asio::const_buffer, 2> buffers {
        m_headSent ? asio::const_buffer() : asio::buffer(m_head),
        asio::buffer(m_fileBuffer.data(), static_cast<std::size_t>(got)),
    };
    m_headSent = true;
    armTimer(TimerPurpose::Write, m_server.limits().writeTimeout);
    asio::async_write(m_socket, buffers, [self = shared_from_this()](const error_code& ec, std::size_t) {
        self->onWritten(ec, [self] {
            if (self->m_fileLeft > 0)
                self->writeFilePiece();
            else
                self->responseSent();
        });
    });
}

void Connection::onWritten(const error_code& ec, const std::function<void()>& next)
{
    if (m_closed)
        return;
    if (ec) {
        m_server.notifyDone(m_request, m_status, secondsSinceStart());
        hardClose();
        return;
    }
    next();
}

void Connection::responseSent()
{
    cancelTimer();
    ++m_requestsServed;
    closeFile();
    m_response = Response {};
    std::string().swap(m_fileBuffer);
    m_server.notifyDone(m_request, m_status, secondsSinceStart());
    if (m_closeAfter)
        lingeringClose();
    else
        waitForRequest();
}

void Connection::lingeringClose()
{
    m_phase = Phase::Lingering;
    m_server.releaseSlot(*this);
    m_parser.reset();
    m_buffer.clear();
    m_buffer.shrink_to_fit();
    std::string().swap(m_piece);
    error_code ignored;
    m_socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    armTimer(TimerPurpose::Linger, kLingerTime);
    m_drained = 0;
    drain();
}

void Connection::drain()
{
    m_socket.async_read_some(
        asio::buffer(m_loop.discard), [self = shared_from_this()](const error_code& ec, std::size_t bytes) {
            if (self->m_closed)
                return;
            self->m_drained += bytes;
            if (ec || self->m_drained > kLingerBytes) {
                self->hardClose();
                return;
            }
            self->drain();
        });
}

void Connection::hardClose()
{
    if (m_closed)
        return;
    m_closed = true;
    m_phase = Phase::Closed;
    error_code ignored;
    m_socket.close(ignored);
    cancelTimer();
    closeFile();
    m_server.socketClosed(*this);
    afterClose();
}

void Connection::afterClose()
{
    if (m_poolBusy || m_unregistered)
        return;
    if (m_sink) {
        // The client went away, or the server is stopping, mid-body.
        runOnPool(
            false, [this] { endSink(0); }, [] {});
        return;
    }
    m_unregistered = true;
    const auto self = shared_from_this();
    m_server.unregister(*this);
}

// --- deadlines ----------------------------------------------------------------------------------

void Connection::armTimer(TimerPurpose purpose, Clock::duration after)
{
    m_timerPurpose = purpose;
    const unsigned generation = ++m_timerGeneration;
    m_timer.expires_after(after);
    m_timer.async_wait([self = shared_from_this(), generation](const error_code& ec) {
        if (ec || generation != self->m_timerGeneration || self->m_closed)
            return;
        self->onTimer();
    });
}

void Connection::cancelTimer()
{
    if (m_timerPurpose == TimerPurpose::None)
        return;
    ++m_timerGeneration;
    m_timerPurpose = TimerPurpose::None;
    m_timer.cancel();
}

void Connection::cancelRead(int status)
{
    if (!m_readPending) {
        failRequest(status, "request timeout");
        return;
    }
    // The read returns (aborted) and answers the status: a read and a write must not overlap.
    m_failStatus = status;
    error_code ignored;
    m_socket.cancel(ignored);
}

void Connection::onTimer()
{
    const TimerPurpose purpose = std::exchange(m_timerPurpose, TimerPurpose::None);
    switch (purpose) {
    case TimerPurpose::None:
        return;
    case TimerPurpose::Idle:
    case TimerPurpose::Linger:
        hardClose();
        return;
    case TimerPurpose::Header:
        cancelRead(408);
        return;
    case TimerPurpose::RateTick:
        rateTick();
        return;
    case TimerPurpose::Write:
        if (m_phase == Phase::Respond)
            m_server.notifyDone(m_request, m_status, secondsSinceStart());
        hardClose();
        return;
    }
}

void Connection::rateTick()
{
    const Limits& limits = m_server.limits();
    const auto now = Clock::now();
    if (m_readPending) {
        m_tickWaited += now - m_readStart;
        m_readStart = now;
    }
    // A second the sink had the body to itself is no second the client was slow in.
    if (m_tickWaited > Clock::duration::zero())
        m_rateSlots.push_back({ m_tickBytes, m_tickWaited });
    m_tickBytes = 0;
    m_tickWaited = {};
    const auto windowSeconds
        = std::chrono::duration_cast<std::chrono::seconds>(limits.bodyRateWindow).count();
    while (m_rateSlots.size() > static_cast<std::size_t>(windowSeconds) * 4 + 4)
        m_rateSlots.pop_front();
    if (m_readPending && tooSlow()) {
        cancelRead(408);
        return;
    }
    armTimer(TimerPurpose::RateTick, std::chrono::seconds(1));
}

bool Connection::tooSlow() const
{
    const Limits& limits = m_server.limits();
    if (limits.minBodyBytesPerSecond == 0 || limits.bodyRateWindow <= std::chrono::milliseconds::zero())
        return false;
    std::uint64_t bytes = 0;
    Clock::duration waited {};
    for (auto it = m_rateSlots.rbegin(); it != m_rateSlots.rend(); ++it) {
        bytes += it->bytes;
        waited += it->waited;
        if (waited >= limits.bodyRateWindow) {
            const double seconds = std::chrono::duration<double>(waited).count();
            return static_cast<double>(bytes) < static_cast<double>(limits.minBodyBytesPerSecond) * seconds;
        }
    }
    return false;
}

double Connection::secondsSinceStart() const
{
    return std::chrono::duration<double>(Clock::now() - m_requestStart).count();
}

} // namespace vtfarm::http::internal
