#pragma once

#include "result.h"

#include <QString>

namespace vtfarm::media {

/// Where an output is written until it is complete: OUTPUT.part, renamed to OUTPUT on success.
inline QString partPath(const QString& outputPath)
{
    return outputPath + QStringLiteral(".part");
}

/// \brief Whether \a outputPath may be written for \a inputPath: not the input itself (an empty
/// \a inputPath is not compared), not an existing file unless \a overwrite, and in a folder that
/// exists.
Result<void> checkOutputPath(const QString& inputPath, const QString& outputPath, bool overwrite);

/// \brief Renames the complete \a part to \a outputPath; without \a overwrite an existing file is
/// never replaced (the rename fails instead), so the final name appears only for a whole file.
Result<void> commitPartFile(const QString& part, const QString& outputPath, bool overwrite);

} // namespace vtfarm::media
