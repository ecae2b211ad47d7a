#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>
#include <QUuid>
#include <optional>
#include <string_view>

namespace vtfarm::api {

/// A client's file name made fit to show and to suggest for a download: the last path component,
/// without control characters, leading dots or trailing spaces, at most 200 characters;
/// "upload" when nothing is left. Never used as a path on the server.
QString displayName(std::string_view clientName);

/// `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266): an ASCII fallback and the exact name.
QByteArray contentDisposition(const QString& fileName);

/// The job id in a URL segment: only the canonical 36-character UUID form is one.
std::optional<QUuid> parseJobId(std::string_view text);

/// \a requested, relative to \a inputDir, as an absolute canonical path inside it: refuses
/// absolute paths, `..`, NUL, over-long names, symlinks leading out, and anything but a file.
Result<QString> resolveInputPath(const QString& inputDir, const QString& requested);

} // namespace vtfarm::api
