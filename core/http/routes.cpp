#include "routes.h"

#include <algorithm>

namespace vtfarm::http::internal {

namespace {

std::vector<std::string_view> splitPath(std::string_view path)
{
    // "/a/b" → {"a", "b"}; "/" → {""}; empty segments are kept, so "/a/" is not "/a".
    std::vector<std::string_view> segments;
    if (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    for (;;) {
        const auto slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const char c = s[i] >= 'A' && s[i] <= 'Z' ? char(s[i] - 'A' + 'a') : s[i];
        if (c != prefix[i])
            return false;
    }
    return true;
}

} // namespace

RouteTable::RouteTable(std::vector<Route> routes)
{
    m_entries.reserve(routes.size());
    for (auto& route : routes) {
        Entry entry;
        for (std::string_view s : splitPath(route.pattern)) {
            Segment segment;
            segment.param = s.size() >= 2 && s.front() == '{' && s.back() == '}';
            if (!segment.param)
                segment.literal = std::string(s);
            entry.segments.push_back(std::move(segment));
        }
        entry.route = std::move(route);
        m_entries.push_back(std::move(entry));
    }
}

bool RouteTable::matches(
    const Entry& entry, const std::vector<std::string_view>& segments, std::vector<std::string>* params) const
{
    if (entry.segments.size() != segments.size())
        return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const Segment& s = entry.segments[i];
        if (s.param ? segments[i].empty() : s.literal != segments[i])
            return false;
    }
    if (params) {
        params->clear();
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (entry.segments[i].param)
                params->emplace_back(segments[i]);
        }
    }
    return true;
}

RouteMatch RouteTable::match(std::string_view method, std::string_view path) const
{
    RouteMatch result;
    if (path.empty() || path.front() != '/')
        return result;
    const auto segments = splitPath(path);
    for (const Entry& entry : m_entries) {
        const std::string& m = entry.route.method;
        if ((m == method || (method == "HEAD" && m == "GET")) && matches(entry, segments, &result.params)) {
            result.route = &entry.route;
            result.allowed.clear();
            return result;
        }
    }
    auto allow = [&](const std::string& m) {
        if (std::find(result.allowed.begin(), result.allowed.end(), m) == result.allowed.end())
            result.allowed.push_back(m);
    };
    for (const Entry& entry : m_entries) {
        // The routes' own methods; HEAD goes without saying where GET is (RFC 9110 §9.3.2).
        if (matches(entry, segments, nullptr))
            allow(entry.route.method);
    }
    return result;
}

bool percentDecode(std::string_view in, bool plusIsSpace, std::string& out)
{
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size())
                return false;
            const int hi = hexValue(in[i + 1]);
            const int lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plusIsSpace) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

bool parseTarget(
    std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& query)
{
    // absolute-form (RFC 9112 §3.2.2: a server must accept it): drop the scheme and authority.
    std::string rooted;
    for (std::string_view scheme : { std::string_view("http://"), std::string_view("https://") }) {
        if (startsWithNoCase(target, scheme)) {
            target.remove_prefix(scheme.size());
            const auto slash = target.find_first_of("/?");
            rooted = slash == std::string_view::npos || target[slash] == '?' ? "/" : "";
            if (slash != std::string_view::npos)
                rooted += target.substr(slash);
            target = rooted;
            break;
        }
    }
    if (target.empty() || target.front() != '/')
        return false;
    const auto mark = target.find('?');
    if (!percentDecode(target.substr(0, mark), false, path))
        return false;
    // A NUL in a path is never a name anything here should look up.
    if (path.find('\0') != std::string::npos)
        return false;
    query.clear();
    if (mark == std::string_view::npos)
        return true;
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        std::string name;
        std::string value;
        if (!percentDecode(pair.substr(0, eq), true, name))
            return false;
        if (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), true, value))
            return false;
        query.emplace_back(std::move(name), std::move(value));
    }
    return true;
}

} // namespace vtfarm::http::internal
