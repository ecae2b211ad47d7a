#include "transcoder.h"

#include "avcompat.h"
#include "avhandles.h"
#include "boundedqueue.h"
#include "inputfile.h"
#include "qualitycheck.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace vtfarm::media {

namespace {

constexpr size_t kVideoQueueFrames = 8;
// Microseconds before a preroll's first picture where pictures nothing refers to are decoded again
// (Impl::seekToRange).
constexpr int64_t kLeadInMarginUs = 500'000;

QString rationalText(AVRational r)
{
    return QStringLiteral("%1/%2").arg(r.num).arg(r.den);
}

bool isTextSubtitle(AVCodecID id)
{
    const AVCodecDescriptor* d = avcodec_descriptor_get(id);
    return d && (d->props & AV_CODEC_PROP_TEXT_SUB);
}

// The text subtitle encoder that suits a container, or nullptr where it holds none.
const char* textSubtitleEncoder(const QString& container, AVCodecID source)
{
    if (container == u"mp4" || container == u"mov")
        return "mov_text";
    if (container == u"webm")
        return "webvtt";
    if (container == u"mkv")
        return source == AV_CODEC_ID_ASS || source == AV_CODEC_ID_SSA ? "ass" : "srt";
    return nullptr;
}

AVPixelFormat chooseEncoderPixelFormat(const AVCodec* enc, AVPixelFormat source, const QString& codec)
{
    const std::span<const AVPixelFormat> formats = encoderPixelFormats(enc);
    if (formats.empty())
        return source;
    auto supports
        = [&](AVPixelFormat f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(source);
    const bool deep = desc && desc->comp[0].depth > 8;
    // 8-bit 4:2:0 H.264 is what every player decodes; the newer codecs keep 10-bit sources 10-bit.
    if (deep && codec != u"libx264" && supports(AV_PIX_FMT_YUV420P10LE))
        return AV_PIX_FMT_YUV420P10LE;
    if (supports(AV_PIX_FMT_YUV420P))
        return AV_PIX_FMT_YUV420P;
    // What avcodec_find_best_pix_fmt_of_list does, without needing the list's terminator.
    AVPixelFormat best = AV_PIX_FMT_NONE;
    for (const AVPixelFormat f : formats)
        best = av_find_best_pix_fmt_of_2(best, f, source, 0, nullptr);
    return best;
}

// libopus lists no channel layouts, yet for 1 to 8 channels it opens only with the Vorbis order of
// that many channels; 5.1(side), what AC-3 and DTS decode to, and 2.1, 4.0, ... make it fail.
AVChannelLayout opusLayout(int channels)
{
    static const AVChannelLayout vorbis[] = { AV_CHANNEL_LAYOUT_MONO, AV_CHANNEL_LAYOUT_STEREO,
        AV_CHANNEL_LAYOUT_SURROUND, AV_CHANNEL_LAYOUT_QUAD, AV_CHANNEL_LAYOUT_5POINT0_BACK,
        AV_CHANNEL_LAYOUT_5POINT1_BACK, AV_CHANNEL_LAYOUT_6POINT1, AV_CHANNEL_LAYOUT_7POINT1 };
    return channels >= 1 && channels <= 8 ? vorbis[channels - 1] : AVChannelLayout(AV_CHANNEL_LAYOUT_STEREO);
}

struct OutStream
{
    enum class Kind
    {
        Video,
        Audio,
        Subtitle,
        Copy
    };
    Kind kind = Kind::Copy;
    AVStream* ist = nullptr;
    AVStream* ost = nullptr;
    CodecContextPtr dec;
    CodecContextPtr enc;
    FilterGraphPtr graph;
    AVFilterContext* src = nullptr;
    AVFilterContext* sink = nullptr;
    QString filterSpec; // the filters between src and sink
    QString qualityFilters; // those that make the input's pictures the output's (no frame rate change)
    // what the graph was built for; a decoded frame that differs rebuilds it
    int srcWidth = 0, srcHeight = 0, srcFormat = -1, srcRate = 0;
    AVChannelLayout srcLayout {};
    qint64 frames = 0;
    qint64 decodeErrors = 0;
    qint64 packetsIn = 0;
    std::vector<uint8_t> subtitleBuffer;
    // trimming: the latest picture before the range's start, the one on screen when it begins
    FramePtr held;
    bool pastEnd = false; // a decoded frame reached the range's end; nothing more is written
    bool warmingUp = false; // encoding the preroll: packets are dropped up to the start's IDR
    // Decoding up to the preroll (leadInEnd, in the input's time base) only for the pictures that
    // later ones refer to: the others are not decoded (AVDISCARD_NONREF).
    bool skipLeadIn = false;
    int64_t leadInEnd = 0;
    int64_t nextSample = AV_NOPTS_VALUE; // audio: where the next decoded frame starts, 1/sample_rate

    ~OutStream() { av_channel_layout_uninit(&srcLayout); }
};

} // namespace

struct Transcoder::Impl
{
    QString inputPath, outputPath;
    TranscodeSettings settings;
    InputLimits limits;
    ProgressCallback progress;
    int progressIntervalMs = 100;

    std::atomic<bool> canceled { false };
    std::atomic<bool> failed { false };
    std::atomic<qint64> activity { 0 };
    std::mutex errorMutex;
    Error error;
    QStringList warnings;

    InputContextPtr in;
    OutputContextPtr out;
    QString container;
    std::vector<std::unique_ptr<OutStream>> streams;
    std::vector<OutStream*> byInput;
    OutStream* video = nullptr;
    int64_t startTime = 0; // AV_TIME_BASE units subtracted from every input timestamp
    // The range written, on the timeline after that subtraction, which puts its start at 0.
    bool trimming = false;
    int64_t rangeEnd = INT64_MAX; // AV_TIME_BASE units; INT64_MAX: the input's end
    int64_t preroll = 0; // AV_TIME_BASE units of video encoded before the range's start, then dropped
    int64_t discontinuityOffset = 0; // AV_TIME_BASE units added where the input's clock jumped
    int64_t lastDts = AV_NOPTS_VALUE; // AV_TIME_BASE, offset applied, of the last packet read
    double duration = 0;
    std::mutex muxMutex;
    BoundedQueue<FramePtr> videoQueue { kVideoQueueFrames };

    QElapsedTimer clock;
    std::mutex progressMutex;
    qint64 lastReportMs = -1;
    double position = 0;

    // ---- errors ----------------------------------------------------------------------------
    void fail(Error e)
    {
        {
            std::lock_guard lock(errorMutex);
            if (!failed.exchange(true))
                error = std::move(e);
        }
        videoQueue.abort();
    }
    /// \a doing: "opening the decoder for stream 1".
    static Error outOfMemory(const QString& doing)
    {
        return { ErrorCode::Internal, QStringLiteral("Out of memory %1.").arg(doing), {} };
    }
    void failAv(const QString& what, int averror)
    {
        fail({ ErrorCode::Internal, QStringLiteral("%1: %2.").arg(what, avErrorString(averror)), {} });
    }
    bool stopping() const
    {
        return canceled.load(std::memory_order_relaxed) || failed.load(std::memory_order_relaxed);
    }
    void warn(const QString& text)
    {
        std::lock_guard lock(errorMutex);
        if (!warnings.contains(text))
            warnings.append(text);
    }

    // ---- progress ----------------------------------------------------------------------------
    void noteProgress(double seconds, qint64 frames, bool final)
    {
        std::lock_guard lock(progressMutex);
        position = std::max(position, seconds);
        if (!progress)
            return;
        const qint64 now = clock.elapsed();
        if (!final && lastReportMs >= 0 && now - lastReportMs < progressIntervalMs)
            return;
        lastReportMs = now;
        TranscodeProgress p;
        p.positionSeconds = position;
        p.durationSeconds = duration;
        p.frames = frames;
        const double elapsed = std::max(0.001, now / 1000.0);
        p.fps = frames / elapsed;
        p.speed = position / elapsed;
        p.fraction = final ? 1.0 : (duration > 0 ? std::clamp(position / duration, 0.0, 0.999) : 0.0);
        p.etaSeconds = final
            ? 0.0
            : (duration > 0 && p.speed > 0 ? std::max(0.0, (duration - position) / p.speed) : -1.0);
        progress(p);
    }

    // ---- setup -------------------------------------------------------------------------------
    Result<void> openDecoder(OutStream& os)
    {
        const AVCodec* codec = avcodec_find_decoder(os.ist->codecpar->codec_id);
        if (!codec)
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral("Stream %1 uses %2, which this build of libavcodec cannot decode.")
                    .arg(os.ist->index)
                    .arg(QString::fromLatin1(avcodec_get_name(os.ist->codecpar->codec_id))),
                "input" };
        os.dec.reset(avcodec_alloc_context3(codec));
        if (!os.dec)
            return outOfMemory(QStringLiteral("opening the decoder for stream %1").arg(os.ist->index));
        if (int ret = avcodec_parameters_to_context(os.dec.get(), os.ist->codecpar); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot set up the decoder for stream %1: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                {} };
        os.dec->pkt_timebase = os.ist->time_base;
        os.dec->thread_count = settings.threads;
        os.dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        os.dec->max_pixels = limits.maxPixelsPerFrame;
        if (os.kind == OutStream::Kind::Video)
            os.dec->framerate = av_guess_frame_rate(in.get(), os.ist, nullptr);
        if (int ret = avcodec_open2(os.dec.get(), codec, nullptr); ret < 0)
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral("Cannot open the decoder for stream %1: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                "input" };
        return {};
    }

    // Output size for the video, after rotation, following the settings' resolution rule.
    std::pair<int, int> outputSize(int rotatedW, int rotatedH, AVRational sar) const
    {
        const Resolution& r = settings.resolution;
        auto even = [](int v) { return std::max(2, v & ~1); };
        if (r.kind == Resolution::Kind::Exact)
            return { r.width, r.height };
        if (r.kind == Resolution::Kind::Height && rotatedH > r.height) {
            const double displayW = sar.num > 0 && sar.den > 0 ? rotatedW * av_q2d(sar) : rotatedW;
            const int w = int(std::lround(displayW * r.height / rotatedH / 2.0)) * 2;
            return { std::max(2, w), r.height };
        }
        return { even(rotatedW), even(rotatedH) };
    }

    Result<void> buildVideoGraph(OutStream& os, int width, int height, int format, AVRational sar)
    {
        os.graph.reset(avfilter_graph_alloc());
        if (!os.graph)
            return Error { ErrorCode::Internal, QStringLiteral("Out of memory building the video filters."),
                {} };
        os.graph->scale_sws_opts = av_strdup("flags=bicubic"); // what the ffmpeg CLI scales with
        if (!os.graph->scale_sws_opts)
            return outOfMemory(QStringLiteral("building the video filters"));
        if (settings.threads > 0)
            os.graph->nb_threads = settings.threads;
        const AVRational fr = av_guess_frame_rate(in.get(), os.ist, nullptr);
        const QByteArray args
            = QStringLiteral("video_size=%1x%2:pix_fmt=%3:time_base=%4:pixel_aspect=%5%6")
                  .arg(width)
                  .arg(height)
                  .arg(format)
                  .arg(rationalText(os.ist->time_base))
                  .arg(rationalText(sar.num > 0 ? sar : AVRational { 1, 1 }))
                  .arg(fr.num > 0 ? QStringLiteral(":frame_rate=") + rationalText(fr) : QString())
                  .toLatin1();
        int ret = avfilter_graph_create_filter(
            &os.src, avfilter_get_by_name("buffer"), "in", args.constData(), nullptr, os.graph.get());
        if (ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot set up the video filters: %1.").arg(avErrorString(ret)), {} };
        ret = avfilter_graph_create_filter(
            &os.sink, avfilter_get_by_name("buffersink"), "out", nullptr, nullptr, os.graph.get());
        if (ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot set up the video filters: %1.").arg(avErrorString(ret)), {} };
        ret = linkGraph(os);
        if (ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot set up the video filters '%1': %2.")
                    .arg(os.filterSpec, avErrorString(ret)),
                {} };
        os.srcWidth = width;
        os.srcHeight = height;
        os.srcFormat = format;
        return {};
    }

    int linkGraph(OutStream& os)
    {
        AVFilterInOut* outputs = avfilter_inout_alloc();
        AVFilterInOut* inputs = avfilter_inout_alloc();
        if (outputs) {
            outputs->name = av_strdup("in");
            outputs->filter_ctx = os.src;
            outputs->pad_idx = 0;
            outputs->next = nullptr;
        }
        if (inputs) {
            inputs->name = av_strdup("out");
            inputs->filter_ctx = os.sink;
            inputs->pad_idx = 0;
            inputs->next = nullptr;
        }
        const QByteArray spec = os.filterSpec.toLatin1();
        // avfilter_inout_free takes what was allocated and nullptr alike.
        int ret = !outputs || !inputs || !outputs->name || !inputs->name
            ? AVERROR(ENOMEM)
            : avfilter_graph_parse_ptr(os.graph.get(), spec.constData(), &inputs, &outputs, nullptr);
        avfilter_inout_free(&inputs);
        avfilter_inout_free(&outputs);
        if (ret >= 0)
            ret = avfilter_graph_config(os.graph.get(), nullptr);
        return ret;
    }

    Result<void> setupVideo(OutStream& os)
    {
        if (auto r = openDecoder(os); !r)
            return r;
        const AVCodec* codec = avcodec_find_encoder_by_name(settings.videoCodec.toLatin1().constData());
        const AVCodecParameters* par = os.ist->codecpar;
        if (par->format < 0 || par->width <= 0 || par->height <= 0)
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral("The picture size or format of video stream %1 cannot be determined; the file "
                               "may be damaged.")
                    .arg(os.ist->index),
                "input" };
        const int rotation = streamRotation(os.ist);
        const bool sideways = rotation == 90 || rotation == 270;
        const int rotW = sideways ? par->height : par->width;
        const int rotH = sideways ? par->width : par->height;
        AVRational sar = par->sample_aspect_ratio;
        if (sideways && sar.num > 0)
            sar = { sar.den, sar.num };
        const auto [outW, outH] = outputSize(rotW, rotH, sar);
        const AVPixelFormat outFormat
            = chooseEncoderPixelFormat(codec, AVPixelFormat(par->format), settings.videoCodec);

        QStringList filters;
        if (par->field_order != AV_FIELD_UNKNOWN && par->field_order != AV_FIELD_PROGRESSIVE)
            filters << QStringLiteral("bwdif=mode=send_frame:deint=interlaced");
        if (rotation == 90)
            filters << QStringLiteral("transpose=clock");
        else if (rotation == 180)
            filters << QStringLiteral("hflip") << QStringLiteral("vflip");
        else if (rotation == 270)
            filters << QStringLiteral("transpose=cclock");
        // Always name the size, so that a mid-stream change of input size still lands on it.
        filters << QStringLiteral("scale=%1:%2").arg(outW).arg(outH);
        filters
            << QStringLiteral("format=pix_fmts=%1").arg(QString::fromLatin1(av_get_pix_fmt_name(outFormat)));
        os.qualityFilters = filters.join(u',');
        if (settings.fpsNum > 0)
            filters << QStringLiteral("fps=%1/%2").arg(settings.fpsNum).arg(settings.fpsDen);
        os.filterSpec = filters.join(u',');
        if (auto r = buildVideoGraph(os, par->width, par->height, par->format, par->sample_aspect_ratio); !r)
            return r;

        os.enc.reset(avcodec_alloc_context3(codec));
        if (!os.enc)
            return outOfMemory(QStringLiteral("opening the %1 encoder").arg(settings.videoCodec));
        AVCodecContext* enc = os.enc.get();
        enc->width = av_buffersink_get_w(os.sink);
        enc->height = av_buffersink_get_h(os.sink);
        enc->pix_fmt = AVPixelFormat(av_buffersink_get_format(os.sink));
        enc->sample_aspect_ratio = av_buffersink_get_sample_aspect_ratio(os.sink);
        enc->time_base = av_buffersink_get_time_base(os.sink);
        // A configured graph knows all of these; should it not, say so here rather than have the
        // encoder refuse a picture of no size.
        if (enc->width <= 0 || enc->height <= 0 || enc->pix_fmt == AV_PIX_FMT_NONE || enc->time_base.num <= 0
            || enc->time_base.den <= 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("The video filters '%1' gave no picture size, format or time base.")
                    .arg(os.filterSpec),
                {} };
        AVRational rate = av_buffersink_get_frame_rate(os.sink);
        if (rate.num <= 0)
            rate = av_guess_frame_rate(in.get(), os.ist, nullptr);
        if (rate.num > 0)
            enc->framerate = rate;
        enc->color_range = par->color_range;
        enc->color_primaries = par->color_primaries;
        enc->color_trc = par->color_trc;
        enc->colorspace = par->color_space;
        enc->chroma_sample_location = par->chroma_location;
        enc->thread_count = settings.threads;
        if (out->oformat->flags & AVFMT_GLOBALHEADER)
            enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

        Dictionary opts;
        const QByteArray preset = settings.encoderPreset.toLatin1();
        const QByteArray crf = QByteArray::number(settings.crf);
        if (settings.crf >= 0) {
            opts.set("crf", crf.constData());
            enc->bit_rate = 0;
        } else {
            enc->bit_rate = settings.videoBitrate;
        }
        if (settings.videoCodec == u"libx264" || settings.videoCodec == u"libx265") {
            if (!preset.isEmpty())
                opts.set("preset", preset.constData());
            // A forced keyframe (the first, see videoEncoderLoop) is then an IDR, and no picture
            // refers across a keyframe: what a segment of a split job must be to join the others.
            if (settings.closedGop)
                opts.set("forced-idr", "1");
            if (settings.videoCodec == u"libx265")
                opts.set(
                    "x265-params", settings.closedGop ? "log-level=error:open-gop=0" : "log-level=error");
            else if (settings.closedGop)
                opts.set("x264-params", "open-gop=0");
        } else if (settings.videoCodec == u"libvpx-vp9") {
            opts.set("row-mt", "1");
            if (!preset.isEmpty())
                opts.set("cpu-used", preset.constData());
        } else if (settings.videoCodec == u"libsvtav1") {
            if (!preset.isEmpty())
                opts.set("preset", preset.constData());
        }
        if (!opts.ok())
            return outOfMemory(QStringLiteral("setting the %1 encoder's options").arg(settings.videoCodec));
        if (int ret = avcodec_open2(enc, codec, opts.get()); ret < 0)
            return Error { ErrorCode::InvalidArgument,
                QStringLiteral("The %1 encoder refused these settings (%2x%3, %4): %5.")
                    .arg(settings.videoCodec)
                    .arg(enc->width)
                    .arg(enc->height)
                    .arg(QString::fromLatin1(av_get_pix_fmt_name(enc->pix_fmt)), avErrorString(ret)),
                "codec" };
        if (AVDictionaryEntry* unused = av_dict_get(*opts.get(), "", nullptr, AV_DICT_IGNORE_SUFFIX))
            return Error::invalid(
                QString::fromLatin1(unused->key) == u"crf" ? QStringLiteral("crf") : QStringLiteral("preset"),
                QStringLiteral("The %1 encoder has no option '%2'.")
                    .arg(settings.videoCodec, QString::fromLatin1(unused->key)));
        if (int ret = avcodec_parameters_from_context(os.ost->codecpar, enc); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot describe the %1 stream to the muxer: %2.")
                    .arg(settings.videoCodec, avErrorString(ret)),
                {} };
        os.ost->time_base = enc->time_base;
        os.ost->avg_frame_rate = enc->framerate;
        os.ost->sample_aspect_ratio = enc->sample_aspect_ratio;
        return {};
    }

    Result<void> buildAudioGraph(OutStream& os, const AVFrame* first)
    {
        const int rate = first ? first->sample_rate : os.dec->sample_rate;
        const int format = first ? first->format : os.dec->sample_fmt;
        AVChannelLayout layout {};
        if (av_channel_layout_copy(&layout, first ? &first->ch_layout : &os.dec->ch_layout) < 0) {
            av_channel_layout_uninit(&layout);
            return outOfMemory(QStringLiteral("building the audio filters for stream %1").arg(os.ist->index));
        }
        if (layout.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&layout, layout.nb_channels);
        char layoutName[128] = {};
        const int described = av_channel_layout_describe(&layout, layoutName, sizeof layoutName);

        // The layout is the graph's from here on, whatever happens next.
        av_channel_layout_uninit(&os.srcLayout);
        os.srcLayout = layout;
        if (described < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot name the channel layout of audio stream %1: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(described)),
                {} };
        os.graph.reset(avfilter_graph_alloc());
        if (!os.graph)
            return outOfMemory(QStringLiteral("building the audio filters for stream %1").arg(os.ist->index));
        const QByteArray args = QStringLiteral("time_base=%1:sample_rate=%2:sample_fmt=%3:channel_layout=%4")
                                    .arg(rationalText(os.ist->time_base))
                                    .arg(rate)
                                    .arg(QString::fromLatin1(av_get_sample_fmt_name(AVSampleFormat(format))),
                                        QString::fromLatin1(layoutName))
                                    .toLatin1();
        os.srcRate = rate;
        os.srcFormat = format;
        int ret = avfilter_graph_create_filter(
            &os.src, avfilter_get_by_name("abuffer"), "in", args.constData(), nullptr, os.graph.get());
        if (ret >= 0)
            ret = avfilter_graph_create_filter(
                &os.sink, avfilter_get_by_name("abuffersink"), "out", nullptr, nullptr, os.graph.get());
        if (ret >= 0)
            ret = linkGraph(os);
        if (ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot set up the audio filters for stream %1: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                {} };
        if (!(os.enc->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE))
            av_buffersink_set_frame_size(os.sink, unsigned(os.enc->frame_size));
        return {};
    }

    Result<void> setupAudio(OutStream& os)
    {
        if (auto r = openDecoder(os); !r)
            return r;
        const AVCodec* codec = avcodec_find_encoder_by_name(settings.audioCodec.toLatin1().constData());
        os.enc.reset(avcodec_alloc_context3(codec));
        if (!os.enc)
            return outOfMemory(QStringLiteral("opening the %1 encoder").arg(settings.audioCodec));
        AVCodecContext* enc = os.enc.get();
        AVCodecContext* dec = os.dec.get();
        if (dec->sample_rate <= 0 || dec->ch_layout.nb_channels <= 0)
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral("The sample rate or channels of audio stream %1 cannot be determined; the "
                               "file may be damaged.")
                    .arg(os.ist->index),
                "input" };

        const std::span<const AVSampleFormat> sampleFormats = encoderSampleFormats(codec);
        enc->sample_fmt = !sampleFormats.empty() ? sampleFormats[0] : dec->sample_fmt;
        for (const AVSampleFormat f : sampleFormats) {
            if (f == dec->sample_fmt)
                enc->sample_fmt = f;
        }
        enc->sample_rate = dec->sample_rate;
        if (const std::span<const int> rates = encoderSampleRates(codec); !rates.empty()) {
            int best = rates[0];
            for (const int r : rates) {
                if (r == dec->sample_rate) {
                    best = r;
                    break;
                }
                if (std::abs(r - dec->sample_rate) < std::abs(best - dec->sample_rate))
                    best = r;
            }
            enc->sample_rate = best;
        }
        // av_channel_layout_copy empties its destination first; each copy can fail only for a
        // custom order, whose channel map it allocates.
        AVChannelLayout want {};
        int copied = av_channel_layout_copy(&want, &dec->ch_layout);
        if (copied >= 0 && want.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&want, want.nb_channels);
        if (const std::span<const AVChannelLayout> layouts = encoderChannelLayouts(codec);
            copied >= 0 && !layouts.empty()) {
            bool found = false;
            for (const AVChannelLayout& l : layouts)
                found = found || !av_channel_layout_compare(&l, &want);
            if (!found) {
                const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
                copied
                    = av_channel_layout_copy(&want, dec->ch_layout.nb_channels >= 2 ? &stereo : &layouts[0]);
            }
        } else if (copied >= 0 && settings.audioCodec == u"libopus") {
            const AVChannelLayout opus = opusLayout(want.nb_channels);
            copied = av_channel_layout_copy(&want, &opus);
        }
        if (copied >= 0)
            copied = av_channel_layout_copy(&enc->ch_layout, &want);
        av_channel_layout_uninit(&want);
        if (copied < 0)
            return outOfMemory(QStringLiteral("choosing the channels of audio stream %1").arg(os.ist->index));
        enc->time_base = { 1, enc->sample_rate };
        // 0 lets the encoder choose by channels, as with the ffmpeg CLI (AAC: 69k mono, 128k stereo).
        enc->bit_rate = settings.audioBitrate;
        enc->thread_count = settings.threads;
        if (out->oformat->flags & AVFMT_GLOBALHEADER)
            enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (int ret = avcodec_open2(enc, codec, nullptr); ret < 0)
            return Error { ErrorCode::InvalidArgument,
                QStringLiteral("The %1 encoder refused audio stream %2: %3.")
                    .arg(settings.audioCodec)
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                "audio_codec" };

        char layoutName[128] = {};
        if (int ret = av_channel_layout_describe(&enc->ch_layout, layoutName, sizeof layoutName); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot name the channel layout the %1 encoder takes: %2.")
                    .arg(settings.audioCodec, avErrorString(ret)),
                {} };
        os.filterSpec = QStringLiteral("aformat=sample_fmts=%1:sample_rates=%2:channel_layouts=%3")
                            .arg(QString::fromLatin1(av_get_sample_fmt_name(enc->sample_fmt)))
                            .arg(enc->sample_rate)
                            .arg(QString::fromLatin1(layoutName));
        if (auto r = buildAudioGraph(os, nullptr); !r)
            return r;
        if (int ret = avcodec_parameters_from_context(os.ost->codecpar, enc); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot describe audio stream %1 to the muxer: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                {} };
        os.ost->time_base = enc->time_base;
        return {};
    }

    Result<void> setupSubtitle(OutStream& os, const char* encoderName)
    {
        if (auto r = openDecoder(os); !r)
            return r;
        const AVCodec* codec = avcodec_find_encoder_by_name(encoderName);
        if (!codec)
            return Error { ErrorCode::Internal,
                QStringLiteral("The %1 subtitle encoder is missing.").arg(QString::fromLatin1(encoderName)),
                {} };
        os.enc.reset(avcodec_alloc_context3(codec));
        if (!os.enc)
            return outOfMemory(QStringLiteral("converting subtitle stream %1").arg(os.ist->index));
        AVCodecContext* enc = os.enc.get();
        enc->time_base = AV_TIME_BASE_Q;
        if (os.dec->subtitle_header && os.dec->subtitle_header_size > 0) {
            enc->subtitle_header
                = static_cast<uint8_t*>(av_mallocz(size_t(os.dec->subtitle_header_size) + 1));
            if (!enc->subtitle_header)
                return outOfMemory(QStringLiteral("converting subtitle stream %1").arg(os.ist->index));
            memcpy(enc->subtitle_header, os.dec->subtitle_header, size_t(os.dec->subtitle_header_size));
            enc->subtitle_header_size = os.dec->subtitle_header_size;
        }
        if (out->oformat->flags & AVFMT_GLOBALHEADER)
            enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (int ret = avcodec_open2(enc, codec, nullptr); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot convert subtitle stream %1: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                {} };
        if (int ret = avcodec_parameters_from_context(os.ost->codecpar, enc); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot describe subtitle stream %1 to the muxer: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                {} };
        os.ost->time_base = enc->time_base;
        os.subtitleBuffer.resize(1 << 20);
        return {};
    }

    Result<void> setupCopy(OutStream& os)
    {
        if (int ret = avcodec_parameters_copy(os.ost->codecpar, os.ist->codecpar); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot copy stream %1: %2.").arg(os.ist->index).arg(avErrorString(ret)), {} };
        os.ost->codecpar->codec_tag = 0;
        os.ost->time_base = os.ist->time_base;
        os.ost->avg_frame_rate = os.ist->avg_frame_rate;
        os.ost->sample_aspect_ratio = os.ist->sample_aspect_ratio;
        // A copied picture keeps its display matrix, so players still turn it upright.
        if (int ret = copyStreamSideData(os.ost, os.ist); ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot copy the side data of stream %1: %2.")
                    .arg(os.ist->index)
                    .arg(avErrorString(ret)),
                {} };
        return {};
    }

    // An output stream for \a ist, set up as \a kind needs (\a subtitleEncoder: which converts text
    // subtitles).
    Result<void> addStream(AVStream* ist, OutStream::Kind kind, const char* subtitleEncoder = nullptr)
    {
        auto os = std::make_unique<OutStream>();
        os->kind = kind;
        os->ist = ist;
        os->ost = avformat_new_stream(out.get(), nullptr);
        if (!os->ost)
            return outOfMemory(QStringLiteral("adding stream %1 to the output").arg(ist->index));
        if (av_dict_copy(&os->ost->metadata, ist->metadata, 0) < 0)
            return outOfMemory(QStringLiteral("copying the tags of stream %1").arg(ist->index));
        os->ost->disposition = ist->disposition & ~AV_DISPOSITION_ATTACHED_PIC;
        byInput[size_t(ist->index)] = os.get();
        streams.push_back(std::move(os));
        OutStream& added = *streams.back();
        switch (kind) {
        case OutStream::Kind::Video:
            video = &added;
            return setupVideo(added);
        case OutStream::Kind::Audio:
            return setupAudio(added);
        case OutStream::Kind::Subtitle:
            return setupSubtitle(added, subtitleEncoder);
        case OutStream::Kind::Copy:
            break;
        }
        return setupCopy(added);
    }

    bool containerTakes(AVCodecID id) const
    {
        return avformat_query_codec(out->oformat, id, FF_COMPLIANCE_NORMAL) == 1;
    }

    Result<void> setupStreams()
    {
        byInput.assign(in->nb_streams, nullptr);
        const bool wantVideo = settings.videoCodec != u"none";
        const bool wantAudio = settings.audioCodec != u"none";
        int bestVideo = -1;
        for (unsigned i = 0; i < in->nb_streams && wantVideo; ++i) {
            const AVStream* st = in->streams[i];
            if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO
                && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
                bestVideo = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
                if (bestVideo < 0 || (in->streams[bestVideo]->disposition & AV_DISPOSITION_ATTACHED_PIC))
                    bestVideo = int(i);
                break;
            }
        }
        for (unsigned i = 0; i < in->nb_streams; ++i) {
            AVStream* st = in->streams[i];
            const AVCodecParameters* par = st->codecpar;
            if (par->codec_type == AVMEDIA_TYPE_VIDEO && int(i) == bestVideo) {
                if (settings.videoCodec == u"copy") {
                    if (!containerTakes(par->codec_id))
                        return Error::invalid("codec",
                            QStringLiteral("The video is %1, which a .%2 file cannot hold; choose a video "
                                           "codec instead of copy.")
                                .arg(QString::fromLatin1(avcodec_get_name(par->codec_id)), container));
                    if (auto r = addStream(st, OutStream::Kind::Copy); !r)
                        return r;
                } else if (auto r = addStream(st, OutStream::Kind::Video); !r) {
                    return r;
                }
            } else if (par->codec_type == AVMEDIA_TYPE_AUDIO && wantAudio) {
                if (par->sample_rate <= 0 || par->ch_layout.nb_channels <= 0) {
                    warn(QStringLiteral(
                        "Audio stream %1 was dropped: its sample rate or channels could not be read.")
                             .arg(i));
                    continue;
                }
                if (settings.audioCodec == u"copy") {
                    if (!containerTakes(par->codec_id)) {
                        warn(QStringLiteral("Audio stream %1 (%2) was dropped: a .%3 file cannot hold it; "
                                            "choose an audio codec to keep it.")
                                 .arg(i)
                                 .arg(QString::fromLatin1(avcodec_get_name(par->codec_id)), container));
                        continue;
                    }
                    if (auto r = addStream(st, OutStream::Kind::Copy); !r)
                        return r;
                } else if (auto r = addStream(st, OutStream::Kind::Audio); !r) {
                    return r;
                }
            } else if (par->codec_type == AVMEDIA_TYPE_SUBTITLE && settings.subtitles) {
                if (isTextSubtitle(par->codec_id)) {
                    const char* encoder = textSubtitleEncoder(container, par->codec_id);
                    if (!encoder) {
                        warn(QStringLiteral("Subtitle stream %1 was dropped: a .%2 file holds no subtitles.")
                                 .arg(i)
                                 .arg(container));
                        continue;
                    }
                    if (auto r = addStream(st, OutStream::Kind::Subtitle, encoder); !r)
                        return r;
                } else if (containerTakes(par->codec_id)) {
                    if (auto r = addStream(st, OutStream::Kind::Copy); !r)
                        return r;
                } else {
                    warn(QStringLiteral(
                        "Subtitle stream %1 (%2, a picture subtitle) was dropped: a .%3 file cannot hold it.")
                             .arg(i)
                             .arg(QString::fromLatin1(avcodec_get_name(par->codec_id)), container));
                }
            }
        }
        if (streams.empty())
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral("%1 has no video or audio stream to write with these settings.")
                    .arg(QFileInfo(inputPath).fileName()),
                "input" };
        return {};
    }

    // ---- muxing ------------------------------------------------------------------------------
    void writePacket(OutStream& os, AVPacket* pkt)
    {
        pkt->stream_index = os.ost->index;
        activity.fetch_add(1, std::memory_order_relaxed);
        if (settings.timestampOffsetSeconds != 0) {
            const int64_t offset = av_rescale_q(std::llround(settings.timestampOffsetSeconds * AV_TIME_BASE),
                AV_TIME_BASE_Q, os.ost->time_base);
            if (pkt->pts != AV_NOPTS_VALUE)
                pkt->pts += offset;
            if (pkt->dts != AV_NOPTS_VALUE)
                pkt->dts += offset;
        }
        std::lock_guard lock(muxMutex);
        if (failed)
            return;
        if (int ret = av_interleaved_write_frame(out.get(), pkt); ret < 0) {
            if (canceled)
                return;
            fail({ ret == AVERROR(ENOSPC) ? ErrorCode::StorageFull : ErrorCode::IoError,
                QStringLiteral("Cannot write %1: %2.").arg(outputPath, avErrorString(ret)), "output" });
        }
    }

    void encode(OutStream& os, AVFrame* frame, AVPacket* pkt)
    {
        int ret = avcodec_send_frame(os.enc.get(), frame);
        if (ret < 0 && ret != AVERROR_EOF) {
            failAv(QStringLiteral("Encoding stream %1 failed").arg(os.ist->index), ret);
            return;
        }
        while (!stopping()) {
            ret = avcodec_receive_packet(os.enc.get(), pkt);
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
                break;
            if (ret < 0) {
                failAv(QStringLiteral("Encoding stream %1 failed").arg(os.ist->index), ret);
                return;
            }
            if (os.warmingUp && !endWarmUp(os, pkt)) {
                av_packet_unref(pkt);
                continue;
            }
            av_packet_rescale_ts(pkt, os.enc->time_base, os.ost->time_base);
            writePacket(os, pkt);
            av_packet_unref(pkt);
        }
    }

    // Whether \a pkt, encoded during the preroll, is the start's IDR that ends it; the packets before
    // it (in decoding order) are the preroll's pictures, which nothing after a closed GOP's IDR needs.
    bool endWarmUp(OutStream& os, const AVPacket* pkt)
    {
        if (pkt->pts == AV_NOPTS_VALUE || pkt->pts < -toleranceIn(os.enc->time_base))
            return false;
        if (!(pkt->flags & AV_PKT_FLAG_KEY)) {
            fail({ ErrorCode::Internal,
                QStringLiteral("The %1 encoder did not start the range with a keyframe; encode it without a "
                               "preroll.")
                    .arg(settings.videoCodec),
                "preroll" });
            return false;
        }
        os.warmingUp = false;
        return true;
    }

    void videoEncoderLoop()
    {
        PacketPtr pkt = makePacket();
        if (!pkt) {
            fail(outOfMemory(QStringLiteral("encoding the video")));
            return;
        }
        OutStream& os = *video;
        const AVRational tb = os.enc->time_base;
        const int64_t tolerance = toleranceIn(tb);
        os.warmingUp = preroll > 0;
        while (std::optional<FramePtr> frame = videoQueue.pop()) {
            const double seconds = (*frame)->pts != AV_NOPTS_VALUE ? (*frame)->pts * av_q2d(tb) : 0.0;
            // The preroll's pictures are before the start; the first at it starts a closed GOP.
            const bool warmUp = preroll > 0 && (*frame)->pts != AV_NOPTS_VALUE && (*frame)->pts < -tolerance;
            if (settings.closedGop && os.frames == 0 && !warmUp)
                (*frame)->pict_type = AV_PICTURE_TYPE_I;
            encode(os, frame->get(), pkt.get());
            activity.fetch_add(1, std::memory_order_relaxed);
            if (!warmUp) {
                ++os.frames;
                noteProgress(seconds, os.frames, false);
            }
        }
        if (!stopping())
            encode(os, nullptr, pkt.get());
    }

    // ---- decoding and filtering ----------------------------------------------------------------
    void deliverFiltered(OutStream& os, FramePtr frame, AVPacket* pkt)
    {
        if (os.kind == OutStream::Kind::Video) {
            frame->pict_type = AV_PICTURE_TYPE_NONE;
            videoQueue.push(std::move(frame));
            return;
        }
        if (frame->pts != AV_NOPTS_VALUE)
            frame->pts = av_rescale_q(frame->pts, av_buffersink_get_time_base(os.sink), os.enc->time_base);
        const double seconds = frame->pts != AV_NOPTS_VALUE ? frame->pts * av_q2d(os.enc->time_base) : 0.0;
        encode(os, frame.get(), pkt);
        if (!video)
            noteProgress(seconds, 0, false);
    }

    void drainFilter(OutStream& os, AVPacket* pkt)
    {
        while (!stopping()) {
            FramePtr filtered = makeFrame();
            if (!filtered) {
                fail(outOfMemory(QStringLiteral("filtering stream %1").arg(os.ist->index)));
                return;
            }
            const int ret = av_buffersink_get_frame(os.sink, filtered.get());
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
                return;
            if (ret < 0) {
                failAv(QStringLiteral("Filtering stream %1 failed").arg(os.ist->index), ret);
                return;
            }
            deliverFiltered(os, std::move(filtered), pkt);
        }
    }

    void closeFilterInput(OutStream& os)
    {
        if (int ret = av_buffersrc_add_frame_flags(os.src, nullptr, 0); ret < 0)
            failAv(QStringLiteral("Filtering stream %1 failed").arg(os.ist->index), ret);
    }

    void filterFrame(OutStream& os, AVFrame* frame, AVPacket* pkt)
    {
        const bool changed = os.kind == OutStream::Kind::Video
            ? frame->width != os.srcWidth || frame->height != os.srcHeight || frame->format != os.srcFormat
            : frame->sample_rate != os.srcRate || frame->format != os.srcFormat
                || (frame->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC
                    && av_channel_layout_compare(&frame->ch_layout, &os.srcLayout));
        if (changed) {
            // Flush what the old graph holds, then rebuild it for the new input; the output stays the same.
            closeFilterInput(os);
            drainFilter(os, pkt);
            const Result<void> r = os.kind == OutStream::Kind::Video
                ? buildVideoGraph(os, frame->width, frame->height, frame->format, frame->sample_aspect_ratio)
                : buildAudioGraph(os, frame);
            if (!r) {
                fail(r.error());
                return;
            }
        }
        if (int ret = av_buffersrc_add_frame_flags(os.src, frame, AV_BUFFERSRC_FLAG_KEEP_REF); ret < 0) {
            failAv(QStringLiteral("Filtering stream %1 failed").arg(os.ist->index), ret);
            return;
        }
        drainFilter(os, pkt);
    }

    void decode(OutStream& os, const AVPacket* packet, AVFrame* frame, AVPacket* pkt)
    {
        if (os.skipLeadIn && packet) {
            // Read per packet, frame threads included: it applies from this packet on.
            const bool leadIn = packet->pts != AV_NOPTS_VALUE && packet->pts < os.leadInEnd;
            os.dec->skip_frame = leadIn ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
            if (packet->pts != AV_NOPTS_VALUE && packet->pts >= 0)
                os.skipLeadIn = false; // at the range: every picture from here on
        }
        int ret = avcodec_send_packet(os.dec.get(), packet);
        if (ret < 0 && ret != AVERROR_EOF) {
            // A damaged packet costs a frame, not the job, as with the ffmpeg CLI.
            ++os.decodeErrors;
            if (ret != AVERROR_INVALIDDATA && ret != AVERROR(EAGAIN)) {
                failAv(QStringLiteral("Decoding stream %1 failed").arg(os.ist->index), ret);
                return;
            }
        }
        while (!stopping()) {
            ret = avcodec_receive_frame(os.dec.get(), frame);
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
                return;
            if (ret < 0) {
                ++os.decodeErrors;
                if (ret == AVERROR_INVALIDDATA)
                    continue;
                failAv(QStringLiteral("Decoding stream %1 failed").arg(os.ist->index), ret);
                return;
            }
            frame->pts = frame->best_effort_timestamp;
            if (!trimming)
                filterFrame(os, frame, pkt);
            else if (os.kind == OutStream::Kind::Video)
                trimVideo(os, frame, pkt);
            else
                trimAudio(os, frame, pkt);
            av_frame_unref(frame);
        }
    }

    // ---- trimming ------------------------------------------------------------------------------
    int64_t toleranceIn(AVRational tb) const
    {
        return std::max<int64_t>(1, av_rescale_q(kRangeToleranceUs, AV_TIME_BASE_Q, tb));
    }
    int64_t rangeEndIn(AVRational tb) const
    {
        return rangeEnd == INT64_MAX ? INT64_MAX : av_rescale_q(rangeEnd, AV_TIME_BASE_Q, tb);
    }

    // The held picture starts the range: it is on screen at its start, so it is shown from 0.
    void releaseHeld(OutStream& os, AVPacket* pkt)
    {
        if (!os.held)
            return;
        FramePtr held = std::move(os.held);
        held->pts = std::max<int64_t>(held->pts, 0);
        filterFrame(os, held.get(), pkt);
    }

    void trimVideo(OutStream& os, AVFrame* frame, AVPacket* pkt)
    {
        if (os.pastEnd)
            return;
        if (frame->pts == AV_NOPTS_VALUE) {
            filterFrame(os, frame, pkt);
            return;
        }
        const int64_t tolerance = toleranceIn(os.ist->time_base);
        const int64_t end = rangeEndIn(os.ist->time_base);
        if (end != INT64_MAX && frame->pts + tolerance >= end) {
            // A range shorter than a picture still shows the one that covers it.
            releaseHeld(os, pkt);
            os.pastEnd = true;
            return;
        }
        if (preroll > 0 && frame->pts < -tolerance) {
            // Warms the encoder up; its packets are dropped (endWarmUp).
            if (frame->pts >= -av_rescale_q(preroll, AV_TIME_BASE_Q, os.ist->time_base) - tolerance)
                filterFrame(os, frame, pkt);
            return;
        }
        if (frame->pts <= tolerance) {
            // Decoders return pictures in presentation order: this one replaces the one held, and
            // stays held until a later picture shows that it is the last before the start.
            if (!os.held)
                os.held = makeFrame();
            if (!os.held) {
                fail(outOfMemory(QStringLiteral("trimming stream %1").arg(os.ist->index)));
                return;
            }
            av_frame_unref(os.held.get());
            av_frame_move_ref(os.held.get(), frame);
            return;
        }
        releaseHeld(os, pkt);
        if (!stopping())
            filterFrame(os, frame, pkt);
    }

    void trimAudio(OutStream& os, AVFrame* frame, AVPacket* pkt)
    {
        if (os.pastEnd || frame->sample_rate <= 0 || frame->nb_samples <= 0)
            return;
        const AVRational tb = os.ist->time_base;
        const AVRational sampleTb { 1, frame->sample_rate };
        // Where the frame starts, in samples from the range's start: counted on from the frame
        // before where timestamps only jitter (a millisecond time base rounds), else from its own.
        int64_t first = frame->pts != AV_NOPTS_VALUE ? av_rescale_q(frame->pts, tb, sampleTb) : os.nextSample;
        if (first == AV_NOPTS_VALUE)
            first = 0;
        const int64_t jitter = av_rescale_q(2 * kRangeToleranceUs, AV_TIME_BASE_Q, sampleTb);
        if (os.nextSample != AV_NOPTS_VALUE && std::abs(first - os.nextSample) <= jitter)
            first = os.nextSample;
        os.nextSample = first + frame->nb_samples;
        const int64_t endSample
            = rangeEnd == INT64_MAX ? INT64_MAX : av_rescale(rangeEnd, frame->sample_rate, AV_TIME_BASE);
        if (first >= endSample) {
            os.pastEnd = true;
            return;
        }
        const int64_t from = std::max<int64_t>(0, -first);
        const int64_t to = std::min<int64_t>(frame->nb_samples, endSample - first);
        if (to <= from)
            return;
        if (from == 0 && to == frame->nb_samples) {
            filterFrame(os, frame, pkt);
            return;
        }
        // Sample-accurate edges: the part of the frame inside the range, as a frame of its own.
        FramePtr part = makeFrame();
        const int count = int(to - from);
        int ret = part ? av_frame_copy_props(part.get(), frame) : AVERROR(ENOMEM);
        if (ret >= 0) {
            part->format = frame->format;
            part->sample_rate = frame->sample_rate;
            part->nb_samples = count;
            ret = av_channel_layout_copy(&part->ch_layout, &frame->ch_layout);
        }
        if (ret >= 0)
            ret = av_frame_get_buffer(part.get(), 0);
        if (ret >= 0)
            ret = av_samples_copy(part->extended_data, frame->extended_data, 0, int(from), count,
                frame->ch_layout.nb_channels, AVSampleFormat(frame->format));
        if (ret < 0) {
            failAv(QStringLiteral("Trimming audio stream %1 failed").arg(os.ist->index), ret);
            return;
        }
        part->pts = av_rescale_q(first + from, sampleTb, tb);
        filterFrame(os, part.get(), pkt);
    }

    // A packet that is not decoded (a picture subtitle) is kept when it shows within the range.
    bool trimPacket(const OutStream& os, AVPacket* packet) const
    {
        if (!trimming || packet->pts == AV_NOPTS_VALUE)
            return true;
        const int64_t end = rangeEndIn(os.ist->time_base);
        const int64_t shownUntil = packet->pts + std::max<int64_t>(packet->duration, 0);
        if (packet->pts >= end || (packet->duration > 0 && shownUntil <= 0)
            || (packet->duration <= 0 && packet->pts < 0))
            return false;
        if (packet->pts < 0) {
            packet->duration = shownUntil;
            packet->pts = 0;
            packet->dts = 0;
        }
        return true;
    }

    void decodeSubtitle(OutStream& os, AVPacket* packet, AVPacket* pkt)
    {
        AVSubtitle sub {};
        int got = 0;
        const int ret = avcodec_decode_subtitle2(os.dec.get(), &sub, &got, packet);
        if (ret < 0) {
            ++os.decodeErrors;
            return;
        }
        if (!got)
            return;
        if (sub.pts != AV_NOPTS_VALUE) {
            sub.pts += av_rescale_q(sub.start_display_time, { 1, 1000 }, AV_TIME_BASE_Q);
            sub.end_display_time -= sub.start_display_time;
            sub.start_display_time = 0;
        }
        if (sub.pts != AV_NOPTS_VALUE && trimming && !trimSubtitle(sub)) {
            avsubtitle_free(&sub);
            return;
        }
        if (sub.pts != AV_NOPTS_VALUE) {
            const int size = avcodec_encode_subtitle(
                os.enc.get(), os.subtitleBuffer.data(), int(os.subtitleBuffer.size()), &sub);
            if (size > 0) {
                if (int ret = av_new_packet(pkt, size); ret < 0) {
                    failAv(QStringLiteral("Converting subtitle stream %1 failed").arg(os.ist->index), ret);
                } else {
                    memcpy(pkt->data, os.subtitleBuffer.data(), size_t(size));
                    pkt->pts = pkt->dts = av_rescale_q(sub.pts, AV_TIME_BASE_Q, os.ost->time_base);
                    pkt->duration = av_rescale_q(sub.end_display_time, { 1, 1000 }, os.ost->time_base);
                    writePacket(os, pkt);
                    av_packet_unref(pkt);
                }
            }
        }
        avsubtitle_free(&sub);
    }

    // Keeps the part of a cue (times in AV_TIME_BASE and milliseconds) inside the range; false when
    // none of it is.
    bool trimSubtitle(AVSubtitle& sub) const
    {
        const int64_t shownUntil = sub.pts + int64_t(sub.end_display_time) * 1000;
        if (sub.pts >= rangeEnd || shownUntil <= 0)
            return false;
        if (sub.pts < 0) {
            sub.end_display_time = uint32_t(shownUntil / 1000);
            sub.pts = 0;
        }
        if (rangeEnd != INT64_MAX && shownUntil > rangeEnd)
            sub.end_display_time = uint32_t((rangeEnd - sub.pts) / 1000);
        return true;
    }

    // Whether every decoded stream has reached the range's end, so that reading can stop.
    bool rangeDone() const
    {
        if (!trimming || rangeEnd == INT64_MAX)
            return false;
        bool decoded = false;
        for (const auto& os : streams) {
            if (os->kind == OutStream::Kind::Video || os->kind == OutStream::Kind::Audio) {
                decoded = true;
                if (!os->pastEnd)
                    return false;
            }
        }
        return decoded;
    }

    void flushStream(OutStream& os, AVFrame* frame, AVPacket* pkt)
    {
        if (os.kind == OutStream::Kind::Video || os.kind == OutStream::Kind::Audio) {
            decode(os, nullptr, frame, pkt);
            if (stopping())
                return;
            if (os.kind == OutStream::Kind::Video)
                releaseHeld(os, pkt);
            if (stopping())
                return;
            closeFilterInput(os);
            drainFilter(os, pkt);
            if (os.kind == OutStream::Kind::Audio && !stopping())
                encode(os, nullptr, pkt);
        }
    }

    // Joined transport streams restart their clock. As the ffmpeg CLI does for such formats, a jump
    // back, or forward by more than 10 s, is taken as a cut and the timeline continues across it.
    void followDiscontinuity(const OutStream& os, const AVPacket* packet)
    {
        if (!(in->iformat->flags & AVFMT_TS_DISCONT) || packet->dts == AV_NOPTS_VALUE)
            return;
        const int64_t dts
            = av_rescale_q(packet->dts, os.ist->time_base, AV_TIME_BASE_Q) + discontinuityOffset;
        if (lastDts != AV_NOPTS_VALUE) {
            const int64_t delta = dts - lastDts;
            if (delta < -AV_TIME_BASE / 2 || delta > 10LL * AV_TIME_BASE) {
                const AVRational rate = av_guess_frame_rate(in.get(), os.ist, nullptr);
                const int64_t step = rate.num > 0 && rate.den > 0
                    ? av_rescale_q(1, av_inv_q(rate), AV_TIME_BASE_Q)
                    : AV_TIME_BASE / 50;
                discontinuityOffset -= delta - step;
                lastDts += step;
                return;
            }
        }
        lastDts = std::max(lastDts == AV_NOPTS_VALUE ? dts : lastDts, dts);
    }

    void demuxLoop()
    {
        PacketPtr packet = makePacket();
        PacketPtr pkt = makePacket();
        FramePtr frame = makeFrame();
        if (!packet || !pkt || !frame) {
            fail(outOfMemory(QStringLiteral("reading the input")));
            return;
        }
        qint64 packetsRead = 0;
        while (!stopping()) {
            int ret = av_read_frame(in.get(), packet.get());
            if (ret == AVERROR(EAGAIN))
                continue;
            if (ret < 0) {
                if (ret != AVERROR_EOF && !canceled)
                    warn(QStringLiteral("Reading the input stopped early (%1); the file may be truncated.")
                             .arg(avErrorString(ret)));
                break;
            }
            ++packetsRead;
            activity.fetch_add(1, std::memory_order_relaxed);
            // MPEG-TS, FLV and PS can add streams mid-file; what was not there at setup is not written.
            OutStream* os = size_t(packet->stream_index) < byInput.size()
                ? byInput[size_t(packet->stream_index)]
                : nullptr;
            if (!os) {
                av_packet_unref(packet.get());
                continue;
            }
            ++os->packetsIn;
            followDiscontinuity(*os, packet.get());
            if (const int64_t shift = startTime - discontinuityOffset; shift != 0) {
                const int64_t offset = av_rescale_q(shift, AV_TIME_BASE_Q, os->ist->time_base);
                if (packet->pts != AV_NOPTS_VALUE)
                    packet->pts -= offset;
                if (packet->dts != AV_NOPTS_VALUE)
                    packet->dts -= offset;
            }
            switch (os->kind) {
            case OutStream::Kind::Copy:
                if (!trimPacket(*os, packet.get()))
                    break;
                if (!video && packet->pts != AV_NOPTS_VALUE
                    && os->ist->codecpar->codec_type != AVMEDIA_TYPE_SUBTITLE)
                    noteProgress(packet->pts * av_q2d(os->ist->time_base), 0, false);
                av_packet_rescale_ts(packet.get(), os->ist->time_base, os->ost->time_base);
                packet->pos = -1;
                writePacket(*os, packet.get());
                break;
            case OutStream::Kind::Subtitle:
                decodeSubtitle(*os, packet.get(), pkt.get());
                break;
            case OutStream::Kind::Video:
            case OutStream::Kind::Audio:
                decode(*os, packet.get(), frame.get(), pkt.get());
                break;
            }
            av_packet_unref(packet.get());
            if (rangeDone())
                break;
        }
        if (!stopping()) {
            for (auto& os : streams)
                flushStream(*os, frame.get(), pkt.get());
        }
        if (packetsRead == 0 && !stopping())
            fail({ ErrorCode::UnsupportedInput,
                QStringLiteral("%1 holds no data that could be read; it may be truncated.")
                    .arg(QFileInfo(inputPath).fileName()),
                "input" });
    }

    // ---- after the encode ----------------------------------------------------------------------
    /// What the settings ask of a complete output still named \a part: an output larger than its
    /// input is removed (report.inputKept), and the quality check measures it (report.quality),
    /// failing it below min_ssim.
    Result<void> judgeOutput(const QString& part, TranscodeReport& report)
    {
        const qint64 outputBytes = QFileInfo(part).size();
        const qint64 inputBytes = QFileInfo(inputPath).size();
        if (settings.skipIfLarger && outputBytes > inputBytes) {
            QFile::remove(part);
            report.inputKept = true;
            const QLocale locale;
            warn(QCoreApplication::translate("vtfarm::media::Transcoder",
                "The output (%1) was larger than the input (%2), so it was removed and the input kept.")
                     .arg(locale.formattedDataSize(outputBytes, 1, QLocale::DataSizeSIFormat),
                         locale.formattedDataSize(inputBytes, 1, QLocale::DataSizeSIFormat)));
            return {};
        }
        if (!settings.checksQuality())
            return {};
        if (!video || video->kind != OutStream::Kind::Video) {
            warn(QCoreApplication::translate("vtfarm::media::Transcoder",
                "The quality check was skipped: the output has no encoded video."));
            return {};
        }
        QualityCheck::Options options;
        options.referenceFilters = video->qualityFilters;
        options.inputStream = video->ist->index;
        options.threads = settings.threads;
        options.limits = limits;
        options.cancel = &canceled;
        options.activity = &activity;
        options.durationSeconds = position;
        options.frames = video->frames;
        auto scores = QualityCheck(inputPath, part, options).run();
        if (!scores) {
            if (scores.error().code == ErrorCode::Canceled || settings.minSsim > 0)
                return scores.error();
            warn(QCoreApplication::translate(
                "vtfarm::media::Transcoder", "The quality check could not run: %1")
                     .arg(scores.error().message));
            return {};
        }
        report.quality = *scores;
        if (settings.minSsim > 0 && *scores->ssim < settings.minSsim)
            return Error { ErrorCode::LimitExceeded,
                QCoreApplication::translate("vtfarm::media::Transcoder",
                    "The output's SSIM is %1, below the %2 asked for (PSNR %3 dB); it was removed. A higher "
                    "bitrate or a lower CRF gives a closer copy.")
                    .arg(*scores->ssim, 0, 'f', 4)
                    .arg(settings.minSsim, 0, 'f', 4)
                    .arg(scores->psnr.value_or(0), 0, 'f', 1),
                "min_ssim" };
        return {};
    }

    // ---- the whole job -------------------------------------------------------------------------
    Result<TranscodeReport> run()
    {
        clock.start();
        container = containerForPath(outputPath);
        if (const QList<Error> errors = validate(settings, container); !errors.isEmpty())
            return errors.first();
        if (auto r = checkOutputPath(inputPath, outputPath, settings.overwrite); !r)
            return r.error();
        const QFileInfo outInfo(outputPath);

        auto opened = openInput(inputPath, limits, &canceled);
        if (!opened)
            return opened.error();
        in = std::move(opened.value());
        duration = in->duration != AV_NOPTS_VALUE ? double(in->duration) / AV_TIME_BASE : 0.0;
        startTime = in->start_time != AV_NOPTS_VALUE ? in->start_time : 0;
        if (auto r = setupRange(); !r)
            return r.error();

        const QString part = partPath(outInfo.absoluteFilePath());
        const QByteArray partUrl = "file:" + QFile::encodeName(part);
        AVFormatContext* oc = nullptr;
        if (int ret
            = avformat_alloc_output_context2(&oc, nullptr, muxerForContainer(container), partUrl.constData());
            ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot create a .%1 file: %2.").arg(container, avErrorString(ret)),
                "output" };
        out.reset(oc);
        out->interrupt_callback
            = { [](void* flag) { return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0; }, &canceled };
        out->protocol_whitelist = av_strdup("file");
        if (!out->protocol_whitelist)
            return outOfMemory(QStringLiteral("creating the output"));

        Result<void> setup = setupStreams();
        if (!setup)
            return setup.error();
        seekToRange();
        if (av_dict_copy(&out->metadata, in->metadata, 0) < 0)
            return outOfMemory(QStringLiteral("copying the input's tags"));

        Dictionary ioOpts;
        ioOpts.set("protocol_whitelist", "file");
        if (!ioOpts.ok())
            return outOfMemory(QStringLiteral("creating the output"));
        if (int ret = avio_open2(
                &out->pb, partUrl.constData(), AVIO_FLAG_WRITE, &out->interrupt_callback, ioOpts.get());
            ret < 0)
            return Error { ret == AVERROR(ENOSPC) ? ErrorCode::StorageFull : ErrorCode::IoError,
                QStringLiteral("Cannot create %1: %2.").arg(part, avErrorString(ret)), "output" };
        auto result = transcode(part);
        if (!result) {
            out.reset();
            QFile::remove(part);
        }
        return result;
    }

    // Puts the range's start at 0 on the timeline every timestamp is read on, and the progress's
    // whole at the range's length.
    Result<void> setupRange()
    {
        trimming = settings.trims();
        if (!trimming)
            return {};
        const int64_t start = std::llround(settings.startSeconds * AV_TIME_BASE);
        if (duration > 0 && settings.startSeconds >= duration)
            return Error::invalid("start",
                QStringLiteral("The start (%1 s) is at or after the end of %2, which lasts %3 s.")
                    .arg(formatTimestamp(settings.startSeconds), QFileInfo(inputPath).fileName())
                    .arg(duration, 0, 'f', 3));
        startTime += start;
        if (settings.endSeconds >= 0)
            rangeEnd = std::llround(settings.endSeconds * AV_TIME_BASE) - start;
        const double until = settings.endSeconds >= 0 && (duration <= 0 || settings.endSeconds < duration)
            ? settings.endSeconds
            : duration;
        duration = std::max(0.0, until - settings.startSeconds);
        return {};
    }

    // To the keyframe before the range's start (and its preroll); what lies between is decoded and
    // dropped.
    void seekToRange()
    {
        if (!trimming || settings.startSeconds <= 0)
            return;
        if (settings.prerollSeconds > 0 && video && video->enc)
            preroll = std::min<int64_t>(std::llround(settings.prerollSeconds * AV_TIME_BASE),
                std::llround(settings.startSeconds * AV_TIME_BASE));
        int64_t target = startTime - preroll;
        // What lies before the preroll is decoded only for the pictures after it that refer to it.
        // H.264 marks the pictures nothing refers to (nal_ref_idc 0: about half of them with
        // B-frames), so they need not be decoded at all; half a second is kept clear of the
        // preroll, should a picture's timestamp differ from its packet's.
        if (preroll > 0 && video && video->dec && video->dec->codec_id == AV_CODEC_ID_H264) {
            video->skipLeadIn = true;
            video->leadInEnd
                = -av_rescale_q(preroll + kLeadInMarginUs, AV_TIME_BASE_Q, video->ist->time_base);
        }
        // As the ffmpeg CLI: where seeking goes by decoding time, a picture shown at the start
        // can be decoded a little before it.
        if (!(in->iformat->flags & AVFMT_SEEK_TO_PTS) && video && video->ist->codecpar->video_delay > 0)
            target -= 3 * AV_TIME_BASE / 23;
        // Should seeking fail, reading from the beginning gives the same frames, only later.
        if (avformat_seek_file(in.get(), -1, INT64_MIN, target, target, 0) < 0)
            avformat_seek_file(
                in.get(), -1, INT64_MIN, in->start_time != AV_NOPTS_VALUE ? in->start_time : 0, INT64_MAX, 0);
    }

    Result<TranscodeReport> transcode(const QString& part)
    {
        Dictionary muxOpts;
        if (container == u"mp4" || container == u"mov" || container == u"m4a")
            muxOpts.set("movflags", "+faststart"); // playable while it downloads
        if (!muxOpts.ok())
            return outOfMemory(QStringLiteral("starting the output"));
        if (int ret = avformat_write_header(out.get(), muxOpts.get()); ret < 0)
            return Error { ErrorCode::IoError,
                QStringLiteral("Cannot start writing %1: %2.").arg(outputPath, avErrorString(ret)),
                "output" };

        std::thread encoderThread;
        videoQueue.reset();
        if (video)
            encoderThread = std::thread([this] { videoEncoderLoop(); });
        demuxLoop();
        videoQueue.close();
        if (encoderThread.joinable())
            encoderThread.join();

        if (canceled)
            return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
        if (failed) {
            std::lock_guard lock(errorMutex);
            return error;
        }
        if (video && video->frames == 0 && trimming)
            return Error::invalid("start",
                QStringLiteral("%1 has no picture from %2 s on; choose an earlier start.")
                    .arg(QFileInfo(inputPath).fileName(), formatTimestamp(settings.startSeconds)));
        if (video && video->frames == 0)
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral(
                    "No picture could be decoded from video stream %1; the file is damaged or truncated.")
                    .arg(video->ist->index),
                "input" };
        for (const auto& os : streams) {
            if (os->decodeErrors > 0)
                warn(QStringLiteral("%1 damaged packet(s) in stream %2 were skipped.")
                         .arg(os->decodeErrors)
                         .arg(os->ist->index));
        }
        if (int ret = av_write_trailer(out.get()); ret < 0) {
            if (canceled)
                return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
            return Error { ret == AVERROR(ENOSPC) ? ErrorCode::StorageFull : ErrorCode::IoError,
                QStringLiteral("Cannot finish writing %1: %2.").arg(outputPath, avErrorString(ret)),
                "output" };
        }
        if (int ret = avio_closep(&out->pb); ret < 0)
            return Error { ErrorCode::IoError,
                QStringLiteral("Cannot finish writing %1: %2.").arg(outputPath, avErrorString(ret)),
                "output" };
        if (duration > 1.0 && position < duration * 0.9)
            warn(QStringLiteral("The input ended at %1 s of the %2 s it declares; it may be truncated.")
                     .arg(position, 0, 'f', 1)
                     .arg(duration, 0, 'f', 1));

        TranscodeReport report;
        if (auto kept = judgeOutput(part, report); !kept)
            return kept.error();
        if (report.inputKept) {
            report.outputPath = outputPath;
            report.frames = video ? video->frames : 0;
            report.mediaSeconds = position;
            report.elapsedSeconds = clock.elapsed() / 1000.0;
            noteProgress(position, report.frames, true);
            std::lock_guard lock(errorMutex);
            report.warnings = warnings;
            return report;
        }

        if (Result<void> committed = commitPartFile(part, outputPath, settings.overwrite); !committed)
            return committed.error();

        report.outputPath = outputPath;
        report.outputBytes = QFileInfo(outputPath).size();
        report.frames = video ? video->frames : 0;
        report.mediaSeconds = position;
        report.elapsedSeconds = clock.elapsed() / 1000.0;
        noteProgress(position, report.frames, true);
        std::lock_guard lock(errorMutex);
        report.warnings = warnings;
        return report;
    }
};

Transcoder::Transcoder(QString inputPath, QString outputPath, TranscodeSettings settings)
    : d(std::make_unique<Impl>())
{
    d->inputPath = std::move(inputPath);
    d->outputPath = std::move(outputPath);
    d->settings = std::move(settings);
}

Transcoder::~Transcoder() = default;

void Transcoder::setProgressCallback(ProgressCallback callback, int intervalMs)
{
    d->progress = std::move(callback);
    d->progressIntervalMs = intervalMs;
}

void Transcoder::setLimits(const InputLimits& limits)
{
    d->limits = limits;
}

Result<TranscodeReport> Transcoder::run()
{
    auto result = d->run();
    // Whatever a cancel interrupted (opening, the header, the trailer), it was the cancel.
    if (!result && d->canceled.load() && result.error().code != ErrorCode::Canceled)
        return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
    return result;
}

qint64 Transcoder::activity() const
{
    return d->activity.load(std::memory_order_relaxed);
}

void Transcoder::cancel()
{
    d->canceled = true;
    d->videoQueue.abort();
}

} // namespace vtfarm::media
