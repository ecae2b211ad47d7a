#pragma once

#include <QSet>
#include <QString>

namespace vtfarm::jobs {

/// The file name a pattern gives for an input: "{name}" is the input's base name. Characters that
/// cannot be in a file name are replaced; the result is never empty and has no folder part.
QString expandNamePattern(const QString& pattern, const QString& inputPath);

/// \a wanted if nothing is there and no queued job has reserved it, else the first free
/// "NAME (1).EXT", "NAME (2).EXT", ... Paths in \a reserved are absolute and clean.
/// \a firstSuffix, when given, is where the search for \a wanted starts and is left after the
/// name found: many jobs named alike in one submit then cost one look each, not one per earlier job.
QString uniqueOutputPath(const QString& wanted, const QSet<QString>& reserved, int* firstSuffix = nullptr);

} // namespace vtfarm::jobs
