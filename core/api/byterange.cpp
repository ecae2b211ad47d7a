#include "byterange.h"

#include <algorithm>
#include <regex>

namespace vtfarm::api {

ByteRange parseRange(const std::string& header, qint64 size)
{
    static const std::regex re(R"(^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$)");
    std::smatch m;
    if (header.empty() || !std::regex_match(header, m, re) || (m[1].length() == 0 && m[2].length() == 0)
        || m[1].length() > 18 || m[2].length() > 18)
        return {};
    ByteRange r;
    if (m[1].length() == 0) {
        const qint64 suffix = std::stoll(m[2].str());
        if (suffix == 0 || size == 0)
            return { ByteRange::Kind::Unsatisfiable };
        r.first = std::max<qint64>(0, size - suffix);
        r.last = size - 1;
    } else {
        r.first = std::stoll(m[1].str());
        if (m[2].length() && std::stoll(m[2].str()) < r.first)
            return {};
        if (r.first >= size)
            return { ByteRange::Kind::Unsatisfiable };
        r.last = m[2].length() ? std::min(std::stoll(m[2].str()), size - 1) : size - 1;
    }
    r.kind = ByteRange::Kind::Part;
    return r;
}

} // namespace vtfarm::api
