#include "avcompat.h"

#include <cstring>

// avcodec_get_supported_config arrived in libavcodec 61.13.100 (FFmpeg 7.1), which deprecated the
// AVCodec lists it replaces.
#define VTFARM_HAVE_SUPPORTED_CONFIG (LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100))
// libavformat 60.15.100 (FFmpeg 6.1) moved stream side data into AVCodecParameters::coded_side_data,
// read and written with libavcodec's av_packet_side_data_* of the same release, and deprecated the
// AVStream side data.
#define VTFARM_HAVE_CODECPAR_SIDE_DATA (LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100))

namespace vtfarm::media {

namespace {

#if VTFARM_HAVE_SUPPORTED_CONFIG
template <class T> std::span<const T> supportedConfig(const AVCodec* codec, AVCodecConfig config)
{
    const void* list = nullptr;
    int count = 0;
    // Without a codec context libavcodec answers with the encoder's own defaults, as the old fields did.
    if (!codec || avcodec_get_supported_config(nullptr, codec, config, 0, &list, &count) < 0 || !list
        || count <= 0)
        return {};
    return { static_cast<const T*>(list), std::size_t(count) };
}
#else
// The AVCodec lists end with a terminator that \a isEnd recognises.
template <class T, class End> std::span<const T> terminatedList(const T* list, End isEnd)
{
    std::size_t count = 0;
    while (list && !isEnd(list[count]))
        ++count;
    return { list, count };
}
#endif

} // namespace

std::span<const AVPixelFormat> encoderPixelFormats(const AVCodec* codec)
{
#if VTFARM_HAVE_SUPPORTED_CONFIG
    return supportedConfig<AVPixelFormat>(codec, AV_CODEC_CONFIG_PIX_FORMAT);
#else
    return terminatedList(
        codec ? codec->pix_fmts : nullptr, [](AVPixelFormat f) { return f == AV_PIX_FMT_NONE; });
#endif
}

std::span<const AVSampleFormat> encoderSampleFormats(const AVCodec* codec)
{
#if VTFARM_HAVE_SUPPORTED_CONFIG
    return supportedConfig<AVSampleFormat>(codec, AV_CODEC_CONFIG_SAMPLE_FORMAT);
#else
    return terminatedList(
        codec ? codec->sample_fmts : nullptr, [](AVSampleFormat f) { return f == AV_SAMPLE_FMT_NONE; });
#endif
}

std::span<const int> encoderSampleRates(const AVCodec* codec)
{
#if VTFARM_HAVE_SUPPORTED_CONFIG
    return supportedConfig<int>(codec, AV_CODEC_CONFIG_SAMPLE_RATE);
#else
    return terminatedList(codec ? codec->supported_samplerates : nullptr, [](int rate) { return rate == 0; });
#endif
}

std::span<const AVChannelLayout> encoderChannelLayouts(const AVCodec* codec)
{
#if VTFARM_HAVE_SUPPORTED_CONFIG
    return supportedConfig<AVChannelLayout>(codec, AV_CODEC_CONFIG_CHANNEL_LAYOUT);
#else
    return terminatedList(
        codec ? codec->ch_layouts : nullptr, [](const AVChannelLayout& l) { return l.nb_channels == 0; });
#endif
}

const AVPacketSideData* streamSideData(const AVStream* stream, AVPacketSideDataType type)
{
#if VTFARM_HAVE_CODECPAR_SIDE_DATA
    const AVCodecParameters* par = stream->codecpar;
    return av_packet_side_data_get(par->coded_side_data, par->nb_coded_side_data, type);
#else
    for (int i = 0; i < stream->nb_side_data; ++i) {
        if (stream->side_data[i].type == type)
            return &stream->side_data[i];
    }
    return nullptr;
#endif
}

uint8_t* addStreamSideData(AVStream* stream, AVPacketSideDataType type, std::size_t size)
{
#if VTFARM_HAVE_CODECPAR_SIDE_DATA
    AVCodecParameters* par = stream->codecpar;
    AVPacketSideData* sd
        = av_packet_side_data_new(&par->coded_side_data, &par->nb_coded_side_data, type, size, 0);
    return sd ? sd->data : nullptr;
#else
    return av_stream_new_side_data(stream, type, size);
#endif
}

int copyStreamSideData([[maybe_unused]] AVStream* to, [[maybe_unused]] const AVStream* from)
{
#if VTFARM_HAVE_CODECPAR_SIDE_DATA
    // Nothing: avcodec_parameters_copy has copied coded_side_data with the rest of the parameters.
#else
    for (int i = 0; i < from->nb_side_data; ++i) {
        const AVPacketSideData& sd = from->side_data[i];
        uint8_t* dst = av_stream_new_side_data(to, sd.type, sd.size);
        if (!dst)
            return AVERROR(ENOMEM);
        std::memcpy(dst, sd.data, sd.size);
    }
#endif
    return 0;
}

} // namespace vtfarm::media
