#pragma once

#include <QtGlobal>

namespace vtfarm::media {

/// \brief Bounds on what an input may ask of us; inputs beyond them are refused before decoding.
struct InputLimits
{
    qint64 maxPixelsPerFrame = 8192LL * 8192LL;
    int maxStreams = 64;
    double maxDurationSeconds = 24.0 * 3600.0;
};

} // namespace vtfarm::media
