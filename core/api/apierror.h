#pragma once

#include "result.h"

#include <QByteArray>

namespace vtfarm::api {

/// The HTTP status for each kind of error: the one place the API decides it.
int httpStatus(ErrorCode code);

/// `{"error": {"code": "...", "message": "...", "field": ...}}`, the one error shape of the API.
QByteArray errorBody(const Error& error);

} // namespace vtfarm::api
