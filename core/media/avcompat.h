#pragma once
// Internal to core/media: the libav calls that differ between FFmpeg 5.1 (Debian 12) and 7.1
// (Debian 13). Each is decided here, once, by the libraries' version, so that no other file needs
// an #if and neither release warns of a deprecated declaration.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cstddef>
#include <cstdint>
#include <span>

namespace vtfarm::media {

/// \brief What an encoder accepts, from avcodec_get_supported_config on FFmpeg 7.1 and from the
/// AVCodec fields it replaces before. Empty where the encoder takes any value (or does not say).
std::span<const AVPixelFormat> encoderPixelFormats(const AVCodec* codec);
std::span<const AVSampleFormat> encoderSampleFormats(const AVCodec* codec);
std::span<const int> encoderSampleRates(const AVCodec* codec);
std::span<const AVChannelLayout> encoderChannelLayouts(const AVCodec* codec);

/// \brief The stream-wide side data of \a type (the display matrix, ...), or nullptr: the codec
/// parameters' coded_side_data on FFmpeg 6.1 and later, the AVStream's own before.
const AVPacketSideData* streamSideData(const AVStream* stream, AVPacketSideDataType type);

/// \brief Gives \a stream side data of \a type and \a size, replacing one of that type, and
/// returns the bytes to fill in; nullptr when out of memory.
uint8_t* addStreamSideData(AVStream* stream, AVPacketSideDataType type, std::size_t size);

/// \brief After avcodec_parameters_copy(to->codecpar, from->codecpar): copies the side data that
/// the copy left behind, which is all of it where it still lives in the AVStream (before FFmpeg
/// 6.1) and none after. Returns 0 or a negative AVERROR.
int copyStreamSideData(AVStream* to, const AVStream* from);

} // namespace vtfarm::media
