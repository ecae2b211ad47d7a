#pragma once

#include "httpserver.h"

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace vtfarm::http::internal {

/// \brief Beast's request parser plus the checks of RFC 9112 that Beast leaves to the server.
///
/// Keeps the request line and header fields, and appends body bytes (de-chunked) to a string the
/// connection names, up to a limit. A check that fails sets rejectStatus() and stops the parse.
class RequestParser final : public boost::beast::http::basic_parser<true>
{
public:
    explicit RequestParser(const Limits& limits);

    const std::string& method() const { return m_method; }
    const std::string& target() const { return m_target; }
    unsigned version() const { return m_version; }
    const Headers& headers() const { return m_headers; }
    Headers takeHeaders() { return std::move(m_headers); }

    /// The status one of our own checks chose (0: none); the parse stopped with an error then.
    int rejectStatus() const { return m_rejectStatus; }
    const std::string& rejectMessage() const { return m_rejectMessage; }

    /// Where the body goes from now on, and how many body bytes the whole request may have.
    void setBodyTarget(std::string* out, std::uint64_t maxBytes)
    {
        m_bodyOut = out;
        m_maxBodyBytes = maxBytes;
    }
    std::uint64_t bodyBytes() const { return m_bodyBytes; }

private:
    using string_view = boost::beast::string_view;
    using error_code = boost::beast::error_code;

    void reject(int status, std::string message, error_code& ec);
    std::size_t takeBody(string_view data, error_code& ec);

    void on_request_impl(boost::beast::http::verb method, string_view methodString, string_view target,
        int version, error_code& ec) override;
    void on_response_impl(int, string_view, int, error_code&) override { }
    void on_field_impl(
        boost::beast::http::field name, string_view nameString, string_view value, error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override { }
    std::size_t on_body_impl(string_view body, error_code& ec) override { return takeBody(body, ec); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override { }
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override
    {
        return takeBody(body, ec);
    }
    void on_finish_impl(error_code&) override { }

    const Limits& m_limits;
    std::string m_method;
    std::string m_target;
    unsigned m_version = 11;
    Headers m_headers;
    int m_rejectStatus = 0;
    std::string m_rejectMessage;
    std::string* m_bodyOut = nullptr;
    std::uint64_t m_maxBodyBytes = 0;
    std::uint64_t m_bodyBytes = 0;
};

/// \brief Why a header could not be parsed, as a status and a message for the client.
struct ParseFailure
{
    int status = 400;
    std::string message;
};

/// The answer to a parse error. \a unparsed is what the parser left in the buffer: it tells a
/// well-formed but unsupported HTTP version (505) from a malformed one, and an over-long target
/// whose request line never ended (414) from an over-long header (431).
ParseFailure describeParseError(const boost::beast::error_code& ec, const RequestParser& parser,
    std::string_view unparsed, const Limits& limits);

/// What to answer when the header has grown past maxHeaderBytes without ending.
ParseFailure describeHeaderOverflow(std::string_view unparsed, bool requestLineDone, const Limits& limits);

/// Whether \a data (the header received so far, from its first byte) folds a field value over two
/// lines (obs-fold), which Beast would accept; RFC 9112 §5.2 lets a server refuse it with 400.
/// \a scanned is where the previous call stopped, updated for the next one.
bool hasObsFold(std::string_view data, std::size_t& scanned, bool& headerEnded);

/// Whether the framing Beast is still waiting on (chunk-size lines, trailers) uses a bare LF,
/// which Beast would wait on forever.
bool hasBareLineFeed(std::string_view unparsed);

} // namespace vtfarm::http::internal
