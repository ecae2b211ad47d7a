#pragma once

#include "httpserver.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtfarm::http::internal {

/// \brief What a request's method and path found among the routes.
struct RouteMatch
{
    const Route* route = nullptr;
    std::vector<std::string> params;
    /// With no route: the methods of the routes whose pattern matched, for 405's Allow.
    std::vector<std::string> allowed;
};

/// \brief The routes, their patterns split into segments once.
class RouteTable
{
public:
    explicit RouteTable(std::vector<Route> routes);

    /// The first route whose method and pattern match; a GET route matches HEAD too.
    RouteMatch match(std::string_view method, std::string_view path) const;

private:
    struct Segment
    {
        bool param = false;
        std::string literal;
    };
    struct Entry
    {
        Route route;
        std::vector<Segment> segments;
    };

    bool matches(const Entry& entry, const std::vector<std::string_view>& segments,
        std::vector<std::string>* params) const;

    std::vector<Entry> m_entries;
};

/// Decodes %XX escapes (and '+' as a space when \a plusIsSpace); false when an escape is malformed.
bool percentDecode(std::string_view in, bool plusIsSpace, std::string& out);

/// Splits a request target (origin-form or absolute-form) into its decoded path and query; false
/// when the target is of neither form or badly escaped.
bool parseTarget(
    std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& query);

} // namespace vtfarm::http::internal
