#include "result.h"

#include <array>

namespace vtfarm {

namespace {

constexpr std::array<std::pair<ErrorCode, const char*>, 12> kNames { {
    { ErrorCode::InvalidArgument, "invalid_argument" },
    { ErrorCode::UnsupportedInput, "unsupported_input" },
    { ErrorCode::NotFound, "not_found" },
    { ErrorCode::AlreadyExists, "already_exists" },
    { ErrorCode::IoError, "io_error" },
    { ErrorCode::LimitExceeded, "limit_exceeded" },
    { ErrorCode::Canceled, "canceled" },
    { ErrorCode::Conflict, "conflict" },
    { ErrorCode::Unauthorized, "unauthorized" },
    { ErrorCode::StorageFull, "storage_full" },
    { ErrorCode::Damaged, "damaged" },
    { ErrorCode::Internal, "internal" },
} };

} // namespace

QString errorCodeName(ErrorCode code)
{
    for (const auto& [c, name] : kNames) {
        if (c == code)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("internal");
}

QStringList errorCodeNames()
{
    QStringList names;
    for (const auto& entry : kNames)
        names << QString::fromLatin1(entry.second);
    return names;
}

ErrorCode errorCodeFromName(const QString& name)
{
    for (const auto& [c, n] : kNames) {
        if (name == QLatin1String(n))
            return c;
    }
    return ErrorCode::Internal;
}

} // namespace vtfarm
