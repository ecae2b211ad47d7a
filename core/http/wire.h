#pragma once

#include "httpserver.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vtfarm::http::internal {

/// ASCII case-insensitive equality, as field names and tokens compare.
bool iequals(std::string_view a, std::string_view b);
/// Without the optional whitespace (SP, HTAB) around a field value or list element.
std::string_view trimWhitespace(std::string_view s);
/// Whether a comma-separated field value lists \a token (case-insensitively).
bool listContains(std::string_view value, std::string_view token);
const char* reasonPhrase(int status);

/// The status line and header fields of \a response, ending in the empty line. The framing is
/// the server's: Content-Length \a length (none for 204 and 304) and Connection, whatever the
/// handler set. A handler's own "Connection: close" sets \a close.
std::string responseHead(
    const Response& response, std::uint64_t length, unsigned requestVersion, bool& close);

} // namespace vtfarm::http::internal
