#pragma once

#include <QString>

namespace vtfarm::media {

/// Where an output is written until it is complete: OUTPUT.part, renamed to OUTPUT on success.
inline QString partPath(const QString& outputPath)
{
    return outputPath + QStringLiteral(".part");
}

} // namespace vtfarm::media
