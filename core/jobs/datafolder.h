#pragma once

#include "result.h"

#include <QLockFile>
#include <QString>
#include <memory>

namespace vtfarm::jobs {

/// Why \a folder cannot be written, as a sentence that names it ("The data folder /x is full.");
/// empty when nothing is wrong that can be seen.
QString unwritableReason(const QString& folder, const QString& what = QStringLiteral("data folder"));

/// Creates \a folder when missing and takes its lock, which one vtfarm process holds at a time.
/// Conflict when another process holds it; otherwise the error says what is true (full,
/// read-only, permission denied), naming the folder.
Result<std::unique_ptr<QLockFile>> lockDataFolder(const QString& folder);

} // namespace vtfarm::jobs
