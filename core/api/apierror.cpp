#include "apierror.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace vtfarm::api {

int httpStatus(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::AlreadyExists:
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::LimitExceeded:
        return 413;
    case ErrorCode::UnsupportedInput:
        return 422;
    case ErrorCode::IoError:
    case ErrorCode::Damaged:
    case ErrorCode::Internal:
        return 500;
    case ErrorCode::Canceled: // the server is stopping: the request may be repeated elsewhere or later
        return 503;
    case ErrorCode::StorageFull:
        return 507;
    }
    return 500;
}

QByteArray errorBody(const Error& error)
{
    const QJsonObject inner {
        { "code", errorCodeName(error.code) },
        { "message", error.message },
        { "field", error.field.isEmpty() ? QJsonValue() : QJsonValue(error.field) },
    };
    return QJsonDocument(QJsonObject { { "error", inner } }).toJson(QJsonDocument::Compact);
}

} // namespace vtfarm::api
