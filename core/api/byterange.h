#pragma once

#include <QtGlobal>
#include <string>

namespace vtfarm::api {

/// \brief A byte range of a file, from a Range header (RFC 9110 §14).
struct ByteRange
{
    enum class Kind
    {
        Whole,
        Part,
        Unsatisfiable
    };
    Kind kind = Kind::Whole;
    qint64 first = 0;
    qint64 last = 0;
};

/// The range \a header asks of a file of \a size bytes. Anything but one well-formed byte range
/// is ignored, as RFC 9110 allows: the whole file is then sent.
ByteRange parseRange(const std::string& header, qint64 size);

} // namespace vtfarm::api
