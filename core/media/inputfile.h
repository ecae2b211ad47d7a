#pragma once
// Internal to core/media: opening files that may be hostile.

#include "avhandles.h"
#include "inputlimits.h"
#include "result.h"

#include <atomic>

namespace vtfarm::media {

/// The demuxers vtfarm accepts, as libavformat's comma-separated format_whitelist.
const char* demuxerWhitelist();

/// Opens \a path for reading with only the file protocol and the whitelisted demuxers, reads stream
/// information and checks \a limits. \a cancel (may be null) aborts blocking reads.
/// With \a readStreamInfo false only the container's header is read: no decoder runs.
Result<InputContextPtr> openInput(const QString& path, const InputLimits& limits,
    const std::atomic<bool>* cancel, bool readStreamInfo = true);

/// The stream's display rotation in degrees clockwise (0, 90, 180, 270), from its display matrix.
int streamRotation(const AVStream* stream);

} // namespace vtfarm::media
