#pragma once

#include "result.h"

#include <QString>

namespace vtfarm::media {

/// Where an output is written until it is complete: OUTPUT.part, renamed to OUTPUT on success.
inline QString partPath(const QString& outputPath)
{
    return outputPath + QStringLiteral(".part");
}

/// \brief Renames the complete \a part to \a outputPath; without \a overwrite an existing file is
/// never replaced (the rename fails instead), so the final name appears only for a whole file.
Result<void> commitPartFile(const QString& part, const QString& outputPath, bool overwrite);

} // namespace vtfarm::media
