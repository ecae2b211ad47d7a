#include "requestparser.h"

#include "wire.h"

#include <boost/beast/http/error.hpp>

namespace vtfarm::http::internal {

namespace beasthttp = boost::beast::http;

namespace {

std::string_view view(boost::beast::string_view s)
{
    return { s.data(), s.size() };
}

/// uri-host [ ":" port ] (RFC 3986 reg-name, IPv4 or IP-literal): anything else in Host is a
/// request no origin server could have been meant to get.
bool isHostChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("-._~%!$&'()*+,;=:[]").find(c) != std::string_view::npos;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

RequestParser::RequestParser(const Limits& limits)
    : m_limits(limits)
{
    // Our own count of the whole header is the limit (Beast's applies to each unparsed run); this
    // one only keeps Beast from waiting on a run longer than the whole header may be.
    header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.maxHeaderBytes + 1, UINT32_MAX)));
    // Body limits are per route and counted after de-chunking, in takeBody().
    body_limit(boost::none);
    eager(false);
}

void RequestParser::reject(int status, std::string message, error_code& ec)
{
    m_rejectStatus = status;
    m_rejectMessage = std::move(message);
    ec = beasthttp::error::bad_value;
}

void RequestParser::on_request_impl(
    beasthttp::verb, string_view methodString, string_view target, int version, error_code& ec)
{
    m_method = std::string(view(methodString));
    m_version = static_cast<unsigned>(version);
    if (target.size() > m_limits.maxTargetBytes)
        return reject(414, "request target too long", ec);
    // Beast lets obs-text and '#' through; neither may appear in a request-target (RFC 9112 §3.2).
    for (char c : target) {
        if (static_cast<unsigned char>(c) >= 0x80 || c == '#')
            return reject(400, "invalid character in the request target", ec);
    }
    m_target = std::string(view(target));
}

void RequestParser::on_field_impl(beasthttp::field, string_view nameString, string_view value, error_code&)
{
    // Chunked trailers come here too; nothing reads them.
    if (is_header_done())
        return;
    m_headers.add(std::string(view(nameString)), std::string(view(value)));
}

void RequestParser::on_header_impl(error_code& ec)
{
    const std::size_t hosts = m_headers.count("host");
    if (hosts > 1)
        return reject(400, "more than one Host field", ec);
    if (hosts == 0 && m_version >= 11)
        return reject(400, "missing Host field", ec);
    if (hosts == 1) {
        const std::string host = *m_headers.get("host");
        for (char c : host) {
            if (!isHostChar(c))
                return reject(400, "invalid Host field", ec);
        }
    }

    // Beast takes "gzip, chunked" for chunked and "chunked, gzip" for no body at all; a server
    // must decode every coding or refuse (RFC 9112 §6.1), and chunked may only come last.
    std::vector<std::string_view> codings;
    bool anyTransferEncoding = false;
    for (const auto& [name, value] : m_headers.fields()) {
        if (!iequals(name, "transfer-encoding"))
            continue;
        anyTransferEncoding = true;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view element = trimWhitespace(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (!element.empty())
                codings.push_back(element);
        }
    }
    if (!anyTransferEncoding)
        return;
    if (m_version < 11)
        return reject(400, "Transfer-Encoding in an HTTP/1.0 request", ec);
    if (m_headers.contains("content-length"))
        return reject(400, "both Transfer-Encoding and Content-Length", ec);
    if (codings.empty())
        return reject(400, "empty Transfer-Encoding", ec);
    bool unknown = false;
    for (std::size_t i = 0; i < codings.size(); ++i) {
        const std::string_view name = trimWhitespace(codings[i].substr(0, codings[i].find(';')));
        if (iequals(name, "chunked")) {
            if (i + 1 != codings.size() || name.size() != codings[i].size())
                return reject(400, "chunked must be the last transfer coding, once", ec);
        } else {
            unknown = true;
        }
    }
    if (unknown)
        return reject(501, "unsupported transfer coding", ec);
}

std::size_t RequestParser::takeBody(string_view data, error_code& ec)
{
    if (!m_bodyOut || m_bodyBytes + data.size() > m_maxBodyBytes) {
        reject(413, "request body too large", ec);
        return 0;
    }
    m_bodyOut->append(data.data(), data.size());
    m_bodyBytes += data.size();
    return data.size();
}

ParseFailure describeHeaderOverflow(std::string_view unparsed, bool requestLineDone, const Limits& limits)
{
    if (!requestLineDone) {
        const std::string_view line = unparsed.substr(0, unparsed.find_first_of("\r\n"));
        const auto space = line.find(' ');
        if (space != std::string_view::npos) {
            const std::string_view target = line.substr(space + 1);
            if (target.substr(0, target.find(' ')).size() > limits.maxTargetBytes)
                return { 414, "request target too long" };
        }
    }
    return { 431, "request header too large" };
}

ParseFailure describeParseError(const boost::beast::error_code& ec, const RequestParser& parser,
    std::string_view unparsed, const Limits& limits)
{
    if (parser.rejectStatus() != 0)
        return { parser.rejectStatus(), parser.rejectMessage() };
    using beasthttp::error;
    if (ec == error::header_limit)
        return describeHeaderOverflow(unparsed, !parser.method().empty(), limits);
    if (ec == error::bad_version) {
        // Beast reports "HTTP/2.0" and "HTTP/1.1 " alike; only the first is a version we lack.
        const std::string_view line = unparsed.substr(0, unparsed.find_first_of("\r\n"));
        const auto space = line.rfind(' ');
        const std::string_view v = space == std::string_view::npos ? line : line.substr(space + 1);
        if (v.size() == 8 && v.substr(0, 5) == "HTTP/" && isDigit(v[5]) && v[6] == '.' && isDigit(v[7])
            && v != "HTTP/1.0" && v != "HTTP/1.1")
            return { 505, "HTTP version not supported" };
        return { 400, "malformed request line" };
    }
    if (ec == error::body_limit)
        return { 413, "request body too large" };
    if (ec == error::bad_method || ec == error::bad_target)
        return { 400, "malformed request line" };
    if (ec == error::bad_content_length || ec == error::multiple_content_length)
        return { 400, "invalid Content-Length" };
    if (ec == error::bad_transfer_encoding)
        return { 400, "invalid Transfer-Encoding" };
    if (ec == error::bad_chunk || ec == error::bad_chunk_extension)
        return { 400, "malformed chunked body" };
    if (ec == error::bad_field || ec == error::bad_value || ec == error::bad_line_ending)
        return { 400, "malformed header field" };
    return { 400, "malformed request: " + ec.message() };
}

bool hasObsFold(std::string_view data, std::size_t& scanned, bool& headerEnded)
{
    std::size_t i = scanned;
    for (; i + 2 < data.size(); ++i) {
        if (data[i] != '\r' || data[i + 1] != '\n')
            continue;
        const char next = data[i + 2];
        if (next == ' ' || next == '\t')
            return true;
        if (next == '\r') {
            // The empty line: what follows is body.
            headerEnded = true;
            return false;
        }
    }
    scanned = i;
    return false;
}

bool hasBareLineFeed(std::string_view unparsed)
{
    for (std::size_t i = 0; i < unparsed.size(); ++i) {
        if (unparsed[i] == '\n' && (i == 0 || unparsed[i - 1] != '\r'))
            return true;
    }
    return false;
}

} // namespace vtfarm::http::internal
