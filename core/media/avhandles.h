#pragma once
// Internal to core/media: one owning handle per libav struct we use, and libav errors as std::error_code.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
}

#include <QString>
#include <memory>

namespace vtfarm::media {

struct InputContextDeleter
{
    void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
using InputContextPtr = std::unique_ptr<AVFormatContext, InputContextDeleter>;

struct OutputContextDeleter
{
    void operator()(AVFormatContext* c) const
    {
        if (c && c->oformat && !(c->oformat->flags & AVFMT_NOFILE))
            avio_closep(&c->pb);
        avformat_free_context(c);
    }
};
using OutputContextPtr = std::unique_ptr<AVFormatContext, OutputContextDeleter>;

struct CodecContextDeleter
{
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;

struct CodecParametersDeleter
{
    void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
};
using CodecParametersPtr = std::unique_ptr<AVCodecParameters, CodecParametersDeleter>;

struct FrameDeleter
{
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

struct PacketDeleter
{
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

struct FilterGraphDeleter
{
    void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
using FilterGraphPtr = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;

/// Owns an AVDictionary; get() hands libav the address it may replace.
class Dictionary
{
public:
    Dictionary() = default;
    Dictionary(const Dictionary&) = delete;
    Dictionary& operator=(const Dictionary&) = delete;
    ~Dictionary() { av_dict_free(&m_dict); }
    void set(const char* key, const char* value) { m_ok = av_dict_set(&m_dict, key, value, 0) >= 0 && m_ok; }
    void set(const char* key, int64_t value) { m_ok = av_dict_set_int(&m_dict, key, value, 0) >= 0 && m_ok; }
    /// false once a set() failed (out of memory): an entry is missing, and a whitelist among them
    /// would be no whitelist. Check before handing get() to libav.
    bool ok() const { return m_ok; }
    AVDictionary** get() { return &m_dict; }

private:
    AVDictionary* m_dict = nullptr;
    bool m_ok = true;
};

inline FramePtr makeFrame()
{
    return FramePtr(av_frame_alloc());
}
inline PacketPtr makePacket()
{
    return PacketPtr(av_packet_alloc());
}

/// av_strerror as a QString.
QString avErrorString(int averror);

} // namespace vtfarm::media
