#include "qualitycheck.h"

#include "avhandles.h"
#include "inputfile.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/pixdesc.h>
}

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <limits>

// Debug messages say how many pictures a check decoded: QT_LOGGING_RULES="vtfarm.quality.debug=true".
Q_LOGGING_CATEGORY(lcQuality, "vtfarm.quality", QtInfoMsg)

namespace vtfarm::media {

namespace {

constexpr double kNoTime = -std::numeric_limits<double>::infinity();
/// PSNR of pictures that do not differ at all; a number JSON can hold, far above any encode's.
constexpr double kIdenticalPsnr = 100.0;
/// Without an index to say where keyframes are, decoding on is cheaper than a seek for gaps up to this.
constexpr double kBlindSeekGapSeconds = 10.0;
constexpr int kMaxFailures = 1000;
/// Where the index does not say, how far back the keyframe before a point is guessed to be.
constexpr double kUnknownGopSeconds = 1.0;
/// Keyframes considered as the start of one run (a file with an index entry per picture lists many).
constexpr int kMaxKeyframesPerRun = 64;

Error canceled()
{
    return { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
}

/// One video stream of a file, decoded in order, that can jump ahead to a keyframe.
class VideoReader
{
public:
    Result<void> open(const QString& path, int streamIndex, const QualityCheck::Options& options)
    {
        m_options = &options;
        auto opened = openInput(path, options.limits, options.cancel);
        if (!opened)
            return opened.error();
        m_format = std::move(opened.value());
        const int index = streamIndex >= 0 && streamIndex < int(m_format->nb_streams)
            ? streamIndex
            : av_find_best_stream(m_format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
        if (index < 0 || m_format->streams[index]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
            return Error { ErrorCode::UnsupportedInput,
                QualityCheck::tr("%1 has no video to compare.").arg(QFileInfo(path).fileName()), {} };
        m_stream = m_format->streams[index];
        // Only the compared stream is read from the file.
        for (unsigned i = 0; i < m_format->nb_streams; ++i) {
            if (int(i) != index)
                m_format->streams[i]->discard = AVDISCARD_ALL;
        }
        const AVCodec* codec = avcodec_find_decoder(m_stream->codecpar->codec_id);
        if (!codec)
            return Error { ErrorCode::UnsupportedInput,
                QualityCheck::tr("%1 cannot be decoded to compare it.").arg(QFileInfo(path).fileName()), {} };
        m_decoder.reset(avcodec_alloc_context3(codec));
        m_packet = makePacket();
        if (!m_decoder || !m_packet)
            return Error { ErrorCode::Internal, QualityCheck::tr("Out of memory starting the quality check."),
                {} };
        if (avcodec_parameters_to_context(m_decoder.get(), m_stream->codecpar) < 0)
            return Error { ErrorCode::Internal,
                QualityCheck::tr("Cannot set up a decoder for the quality check."), {} };
        m_decoder->pkt_timebase = m_stream->time_base;
        m_decoder->thread_count = options.threads;
        m_decoder->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
        m_decoder->max_pixels = options.limits.maxPixelsPerFrame;
        if (int ret = avcodec_open2(m_decoder.get(), codec, nullptr); ret < 0)
            return Error { ErrorCode::UnsupportedInput,
                QualityCheck::tr("Cannot open a decoder for %1 to compare it: %2.")
                    .arg(QFileInfo(path).fileName(), avErrorString(ret)),
                {} };
        m_start = m_format->start_time != AV_NOPTS_VALUE ? double(m_format->start_time) / AV_TIME_BASE : 0.0;
        const AVRational rate = av_guess_frame_rate(m_format.get(), m_stream, nullptr);
        m_frameSeconds = rate.num > 0 && rate.den > 0 ? av_q2d(av_inv_q(rate)) : 1.0 / 30.0;
        m_pixels = std::max(1.0, double(m_stream->codecpar->width) * m_stream->codecpar->height);
        return {};
    }

    /// Seconds from the start of the file, as the transcoder counts them (it subtracts the input's
    /// start time from every timestamp, so both files count from their own start).
    double duration() const
    {
        return m_format->duration != AV_NOPTS_VALUE ? double(m_format->duration) / AV_TIME_BASE : 0.0;
    }
    double frameSeconds() const { return m_frameSeconds; }

    /// What reaching \a seconds costs, in pixels decoded, from where the reader is (jumping to a
    /// keyframe where that saves decoding); infinity once the reader is past it.
    double costToReach(double seconds) const
    {
        if (m_position > seconds + m_frameSeconds / 2)
            return std::numeric_limits<double>::infinity();
        const double keyframe = keyframeAtOrBefore(seconds);
        double from = m_position;
        if (keyframe > kNoTime)
            from = std::max(keyframe, m_position);
        else if (m_position == kNoTime || seconds - m_position > kBlindSeekGapSeconds)
            from = seconds - kUnknownGopSeconds;
        return std::max(0.0, seconds - from) / m_frameSeconds * m_pixels;
    }

    /// The times of the keyframes from \a from to \a to that the container's index lists.
    QList<double> keyframesBetween(double from, double to) const
    {
        QList<double> times;
        const int count = avformat_index_get_entries_count(m_stream);
        for (int i = av_index_search_timestamp(m_stream, timestamp(from), 0); i >= 0 && i < count; ++i) {
            const AVIndexEntry* entry = avformat_index_get_entry(m_stream, i);
            if (!entry || times.size() >= kMaxKeyframesPerRun)
                break;
            const double at = double(entry->timestamp) * av_q2d(m_stream->time_base) - m_start;
            if (at > to)
                break;
            if (entry->flags & AVINDEX_KEYFRAME)
                times.append(at);
        }
        return times;
    }
    qint64 decoded() const { return m_decoded; }
    /// The time of the last picture decoded, or kNoTime.
    double position() const { return m_position; }

    /// Jumps to the keyframe before \a seconds when that skips pictures that decoding on would
    /// pass through; true when it jumped.
    bool jumpTowards(double seconds)
    {
        const double keyframe = keyframeAtOrBefore(seconds);
        const bool worth = keyframe > kNoTime ? keyframe > m_position + m_frameSeconds / 2
                                              : seconds - m_position > kBlindSeekGapSeconds;
        if (!worth)
            return false;
        if (av_seek_frame(m_format.get(), m_stream->index, timestamp(seconds), AVSEEK_FLAG_BACKWARD) < 0)
            return false;
        avcodec_flush_buffers(m_decoder.get());
        m_demuxed = m_flushed = false;
        m_position = kNoTime;
        return true;
    }

    /// The next picture, or null at the end of the stream.
    Result<FramePtr> next()
    {
        FramePtr frame = makeFrame();
        if (!frame)
            return Error { ErrorCode::Internal, QualityCheck::tr("Out of memory during the quality check."),
                {} };
        for (;;) {
            if (m_options->cancel && m_options->cancel->load(std::memory_order_relaxed))
                return canceled();
            int ret = avcodec_receive_frame(m_decoder.get(), frame.get());
            if (ret == 0) {
                if (m_options->activity)
                    m_options->activity->fetch_add(1, std::memory_order_relaxed);
                ++m_decoded;
                m_position = timeOf(frame.get());
                return frame;
            }
            if (ret == AVERROR_EOF)
                return FramePtr();
            if (ret != AVERROR(EAGAIN)) {
                // A picture that did not decode is left out of the comparison; a decoder that
                // only fails ends it.
                if (++m_failures > kMaxFailures)
                    return FramePtr();
                continue;
            }
            if (m_demuxed) {
                if (m_flushed)
                    return FramePtr();
                avcodec_send_packet(m_decoder.get(), nullptr);
                m_flushed = true;
                continue;
            }
            ret = av_read_frame(m_format.get(), m_packet.get());
            if (ret < 0) {
                if (m_options->cancel && m_options->cancel->load())
                    return canceled();
                m_demuxed = true;
                continue;
            }
            if (m_packet->stream_index == m_stream->index)
                avcodec_send_packet(m_decoder.get(), m_packet.get()); // a damaged packet is skipped
            av_packet_unref(m_packet.get());
        }
    }

private:
    int64_t timestamp(double seconds) const
    {
        return std::llround((seconds + m_start) / av_q2d(m_stream->time_base));
    }

    double keyframeAtOrBefore(double seconds) const
    {
        const int i = av_index_search_timestamp(m_stream, timestamp(seconds), AVSEEK_FLAG_BACKWARD);
        const AVIndexEntry* entry = i >= 0 ? avformat_index_get_entry(m_stream, i) : nullptr;
        if (!entry || entry->timestamp == AV_NOPTS_VALUE)
            return kNoTime;
        return double(entry->timestamp) * av_q2d(m_stream->time_base) - m_start;
    }

    double timeOf(const AVFrame* frame) const
    {
        int64_t ts = frame->best_effort_timestamp;
        if (ts == AV_NOPTS_VALUE)
            ts = frame->pts;
        if (ts == AV_NOPTS_VALUE)
            return m_position > kNoTime ? m_position + m_frameSeconds : 0.0;
        return double(ts) * av_q2d(m_stream->time_base) - m_start;
    }

    const QualityCheck::Options* m_options = nullptr;
    InputContextPtr m_format;
    AVStream* m_stream = nullptr;
    CodecContextPtr m_decoder;
    PacketPtr m_packet;
    bool m_demuxed = false; // every packet has been read
    bool m_flushed = false; // and the decoder told so
    double m_start = 0;
    double m_frameSeconds = 1.0 / 30.0;
    double m_pixels = 1;
    double m_position = kNoTime;
    int m_failures = 0;
    qint64 m_decoded = 0;
};

/// The input's picture shown at a given time of the output: the last one that began by then.
class ReferenceMatcher
{
public:
    explicit ReferenceMatcher(VideoReader& reader)
        : m_reader(reader)
    { }

    void reset()
    {
        m_current.reset();
        m_ahead.reset();
        m_ended = false;
    }

    /// The picture shown at \a seconds, or null when the input has none near it.
    Result<const AVFrame*> at(double seconds)
    {
        const double slack = m_reader.frameSeconds() / 2;
        for (;;) {
            if (!m_ahead && !m_ended) {
                auto next = m_reader.next();
                if (!next)
                    return next.error();
                m_ahead = std::move(next.value());
                m_aheadTime = m_reader.position();
                m_ended = !m_ahead;
            }
            if (!m_ahead || m_aheadTime > seconds + slack)
                break;
            m_current = std::move(m_ahead);
            m_currentTime = m_aheadTime;
        }
        if (m_current)
            return static_cast<const AVFrame*>(m_current.get());
        // The output's first picture may come a little before the input's.
        if (m_ahead && m_aheadTime - seconds <= 2 * slack)
            return static_cast<const AVFrame*>(m_ahead.get());
        return static_cast<const AVFrame*>(nullptr);
    }

private:
    VideoReader& m_reader;
    FramePtr m_current, m_ahead;
    double m_currentTime = kNoTime, m_aheadTime = kNoTime;
    bool m_ended = false;
};

/// libavfilter's ssim and psnr (and libvmaf) over pairs of pictures pushed in with equal
/// timestamps, so that the filters' frame sync pairs exactly the pictures chosen here.
class Comparer
{
public:
    Comparer(const QualityCheck::Options& options, QString vmafLog)
        : m_options(options)
        , m_vmafLog(std::move(vmafLog))
    { }

    Result<void> add(const AVFrame* reference, const AVFrame* output)
    {
        if (!m_graph) {
            if (auto r = build(reference, output); !r)
                return r;
        }
        // A picture of another size or format than the graph was built for (a stream that changes
        // size midway) is left out rather than compared wrongly.
        if (reference->width != m_refWidth || reference->height != m_refHeight
            || reference->format != m_refFormat || output->width != m_outWidth
            || output->height != m_outHeight || output->format != m_outFormat)
            return {};
        const std::pair<const AVFrame*, AVFilterContext*> feeds[]
            = { { reference, m_refSource }, { output, m_outSource } };
        for (const auto& [frame, source] : feeds) {
            FramePtr copy(av_frame_clone(frame));
            if (!copy)
                return Error { ErrorCode::Internal,
                    QualityCheck::tr("Out of memory during the quality check."), {} };
            copy->pts = m_nextPts;
            if (int ret = av_buffersrc_add_frame(source, copy.get()); ret < 0)
                return Error { ErrorCode::Internal,
                    QualityCheck::tr("The quality check's filters refused a picture: %1.")
                        .arg(avErrorString(ret)),
                    {} };
        }
        ++m_nextPts;
        return collect();
    }

    Result<void> finish()
    {
        if (!m_graph)
            return {};
        // The end of both inputs lets the filters give up the pictures they hold.
        const int ended = std::min(
            av_buffersrc_add_frame(m_refSource, nullptr), av_buffersrc_add_frame(m_outSource, nullptr));
        auto r = ended < 0
            ? Result<void>(Error { ErrorCode::Internal,
                QualityCheck::tr("The quality check's filters failed: %1.").arg(avErrorString(ended)), {} })
            : collect();
        m_graph.reset(); // libvmaf writes its log as it is freed
        return r;
    }

    int compared() const { return m_compared; }

    QualityScores scores() const
    {
        QualityScores s;
        if (m_compared == 0)
            return s;
        s.framesCompared = m_compared;
        s.ssim = std::clamp(m_ssimSum / m_compared, 0.0, 1.0);
        const double mse = m_mseSum / m_compared;
        s.psnr
            = mse > 0 ? std::min(kIdenticalPsnr, 10.0 * std::log10(m_peak * m_peak / mse)) : kIdenticalPsnr;
        if (!m_vmafLog.isEmpty())
            s.vmaf = readVmafLog(m_vmafLog);
        return s;
    }

private:
    static std::optional<double> readVmafLog(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return std::nullopt;
        const QJsonObject log = QJsonDocument::fromJson(f.readAll()).object();
        // libvmaf 2 pools into "pooled_metrics"; libvmaf 1 wrote "VMAF score".
        const QJsonValue pooled
            = log.value(u"pooled_metrics").toObject().value(u"vmaf").toObject().value(u"mean");
        if (pooled.isDouble())
            return pooled.toDouble();
        if (const QJsonValue v = log.value(u"VMAF score"); v.isDouble())
            return v.toDouble();
        return std::nullopt;
    }

    Result<void> build(const AVFrame* reference, const AVFrame* output)
    {
        m_refWidth = reference->width;
        m_refHeight = reference->height;
        m_refFormat = reference->format;
        m_outWidth = output->width;
        m_outHeight = output->height;
        m_outFormat = output->format;
        const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(AVPixelFormat(m_outFormat));
        if (!desc)
            return Error { ErrorCode::UnsupportedInput,
                QualityCheck::tr("The output's pictures have no known format."), {} };
        m_peak = double((1 << desc->comp[0].depth) - 1);
        const auto fail = [](int ret) {
            return Error { ErrorCode::Internal,
                QualityCheck::tr("Cannot set up the quality check's filters: %1.").arg(avErrorString(ret)),
                {} };
        };
        m_graph.reset(avfilter_graph_alloc());
        if (!m_graph)
            return fail(AVERROR(ENOMEM));
        // The scaler and its flags the encode used, so the reference is scaled as the output was.
        m_graph->scale_sws_opts = av_strdup("flags=bicubic");
        if (m_options.threads > 0)
            m_graph->nb_threads = m_options.threads;
        const auto sourceArgs = [](const AVFrame* f) {
            const AVRational sar
                = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio : AVRational { 1, 1 };
            return QStringLiteral("video_size=%1x%2:pix_fmt=%3:time_base=1/25:pixel_aspect=%4/%5")
                .arg(f->width)
                .arg(f->height)
                .arg(f->format)
                .arg(sar.num)
                .arg(sar.den)
                .toLatin1();
        };
        const QByteArray refArgs = sourceArgs(reference), outArgs = sourceArgs(output);
        int ret = avfilter_graph_create_filter(&m_refSource, avfilter_get_by_name("buffer"), "reference",
            refArgs.constData(), nullptr, m_graph.get());
        if (ret >= 0)
            ret = avfilter_graph_create_filter(&m_outSource, avfilter_get_by_name("buffer"), "output",
                outArgs.constData(), nullptr, m_graph.get());
        if (ret >= 0)
            ret = avfilter_graph_create_filter(
                &m_sink, avfilter_get_by_name("buffersink"), "scores", nullptr, nullptr, m_graph.get());
        if (ret < 0)
            return fail(ret);

        const QString size = QStringLiteral("scale=%1:%2,format=pix_fmts=%3")
                                 .arg(m_outWidth)
                                 .arg(m_outHeight)
                                 .arg(QString::fromLatin1(desc->name));
        const QString prefix
            = m_options.referenceFilters.isEmpty() ? QString() : m_options.referenceFilters + u',';
        const bool vmaf = !m_vmafLog.isEmpty();
        QString spec = QStringLiteral("[ref]%1%2,split=%3[r1][r2]%4;[out]%2[o];[o][r1]ssim[s];[s][r2]psnr")
                           .arg(prefix, size)
                           .arg(vmaf ? 3 : 2)
                           .arg(vmaf ? QStringLiteral("[r3]") : QString());
        if (vmaf) {
            // A temporary folder's path: no character the filter syntax would take for its own.
            spec += QStringLiteral("[p];[p][r3]libvmaf=log_fmt=json:log_path=%1").arg(m_vmafLog);
        }
        spec += QStringLiteral("[scores]");

        AVFilterInOut* outputs = avfilter_inout_alloc();
        AVFilterInOut* second = avfilter_inout_alloc();
        AVFilterInOut* inputs = avfilter_inout_alloc();
        // avfilter_inout_free frees a whole list, and takes nullptr.
        if (outputs)
            outputs->next = second;
        else
            avfilter_inout_free(&second);
        bool ok = outputs && second && inputs;
        if (ok) {
            outputs->name = av_strdup("ref");
            outputs->filter_ctx = m_refSource;
            second->name = av_strdup("out");
            second->filter_ctx = m_outSource;
            inputs->name = av_strdup("scores");
            inputs->filter_ctx = m_sink;
            ok = outputs->name && second->name && inputs->name;
        }
        const QByteArray specText = spec.toUtf8();
        ret = ok ? avfilter_graph_parse_ptr(m_graph.get(), specText.constData(), &inputs, &outputs, nullptr)
                 : AVERROR(ENOMEM);
        avfilter_inout_free(&inputs);
        avfilter_inout_free(&outputs);
        if (ret >= 0)
            ret = avfilter_graph_config(m_graph.get(), nullptr);
        if (ret < 0) {
            m_graph.reset();
            return fail(ret);
        }
        return {};
    }

    Result<void> collect()
    {
        FramePtr frame = makeFrame();
        if (!frame)
            return Error { ErrorCode::Internal, QualityCheck::tr("Out of memory during the quality check."),
                {} };
        for (;;) {
            const int ret = av_buffersink_get_frame(m_sink, frame.get());
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
                return {};
            if (ret < 0)
                return Error { ErrorCode::Internal,
                    QualityCheck::tr("The quality check's filters failed: %1.").arg(avErrorString(ret)), {} };
            const AVDictionaryEntry* ssim = av_dict_get(frame->metadata, "lavfi.ssim.All", nullptr, 0);
            const AVDictionaryEntry* mse = av_dict_get(frame->metadata, "lavfi.psnr.mse_avg", nullptr, 0);
            if (ssim && mse) {
                m_ssimSum += std::strtod(ssim->value, nullptr);
                m_mseSum += std::strtod(mse->value, nullptr);
                ++m_compared;
            }
            av_frame_unref(frame.get());
        }
    }

    const QualityCheck::Options& m_options;
    QString m_vmafLog;
    FilterGraphPtr m_graph;
    AVFilterContext* m_refSource = nullptr;
    AVFilterContext* m_outSource = nullptr;
    AVFilterContext* m_sink = nullptr;
    int m_refWidth = 0, m_refHeight = 0, m_refFormat = -1;
    int m_outWidth = 0, m_outHeight = 0, m_outFormat = -1;
    int64_t m_nextPts = 0;
    double m_peak = 255;
    double m_ssimSum = 0, m_mseSum = 0;
    int m_compared = 0;
};

} // namespace

bool vmafAvailable()
{
    return avfilter_get_by_name("libvmaf") != nullptr;
}

QJsonValue QualityScores::toJson() const
{
    if (!measured())
        return QJsonValue();
    const auto number = [](const std::optional<double>& v) { return v ? QJsonValue(*v) : QJsonValue(); };
    return QJsonObject { { "ssim", number(ssim) }, { "psnr", number(psnr) }, { "vmaf", number(vmaf) },
        { "vmaf_available", vmafAvailable() } };
}

QualityScores QualityScores::fromJson(const QJsonValue& json)
{
    QualityScores s;
    const QJsonObject o = json.toObject();
    const auto number = [&o](const char16_t* key) {
        const QJsonValue v = o.value(QStringView(key));
        return v.isDouble() && std::isfinite(v.toDouble()) ? std::optional(v.toDouble()) : std::nullopt;
    };
    s.ssim = number(u"ssim");
    s.psnr = number(u"psnr");
    s.vmaf = number(u"vmaf");
    s.framesCompared = o.value(u"frames").toInt();
    s.seconds = o.value(u"seconds").toDouble();
    return s;
}

QualityCheck::QualityCheck(QString input, QString output, Options options)
    : m_input(std::move(input))
    , m_output(std::move(output))
    , m_options(std::move(options))
{ }

Result<QualityScores> QualityCheck::run()
{
    QElapsedTimer clock;
    clock.start();
    VideoReader reference, output;
    if (auto r = output.open(m_output, -1, m_options); !r) {
        if (r.error().code == ErrorCode::Canceled)
            return r.error();
        return Error { r.error().code,
            tr("The output cannot be read back to check its quality: %1").arg(r.error().message), {} };
    }
    if (auto r = reference.open(m_input, m_options.inputStream, m_options); !r) {
        if (r.error().code == ErrorCode::Canceled)
            return r.error();
        return Error { r.error().code,
            tr("The input cannot be read again to check the output's quality: %1").arg(r.error().message),
            {} };
    }

    // A few short runs of consecutive frames spread over the file: where the encode struggles
    // (motion, a scene change) shows in any of them, and consecutive frames are what VMAF's motion
    // feature needs.
    const double duration = m_options.durationSeconds > 0 ? m_options.durationSeconds : output.duration();
    const double frameSeconds = output.frameSeconds();
    const qint64 frames
        = m_options.frames > 0 ? m_options.frames : qint64(std::llround(duration / frameSeconds));
    const int runs
        = m_options.runs > 0 ? m_options.runs : std::clamp(int(std::lround(duration / 3.0)), 3, 20);
    const int perRun = std::max(1, m_options.framesPerRun);
    // A file this short is compared whole: seeking would save nothing.
    const bool whole = frames <= qint64(2) * runs * perRun;

    QTemporaryDir scratch;
    const QString vmafLog = vmafAvailable() && scratch.isValid()
        ? QDir(scratch.path()).filePath(QStringLiteral("vmaf.json"))
        : QString();
    Comparer comparer(m_options, vmafLog);
    ReferenceMatcher matcher(reference);
    const double span = duration / runs;
    for (int run = 0; run < (whole ? 1 : runs); ++run) {
        double start = 0;
        if (!whole) {
            // Each run starts somewhere in its share of the file: where reaching it decodes the
            // least (just after a keyframe of either file), else in the middle.
            const double from = run * span, to = std::max(from, (run + 1) * span - perRun * frameSeconds);
            const double middle = (from + to) / 2;
            QList<double> candidates { middle, from };
            for (const double k : reference.keyframesBetween(from, to))
                candidates << k + 2 * reference.frameSeconds();
            for (const double k : output.keyframesBetween(from, to))
                candidates << k + 2 * frameSeconds;
            double best = std::numeric_limits<double>::infinity();
            start = middle;
            for (const double t : std::as_const(candidates)) {
                if (t > to)
                    continue;
                const double cost = reference.costToReach(t) + output.costToReach(t);
                if (cost < best || (cost == best && std::abs(t - middle) < std::abs(start - middle))) {
                    best = cost;
                    start = t;
                }
            }
            output.jumpTowards(start);
            if (reference.jumpTowards(start))
                matcher.reset();
        }
        int taken = 0;
        while (whole || taken < perRun) {
            auto picture = output.next();
            if (!picture)
                return picture.error();
            if (!picture.value())
                break;
            const double at = output.position();
            if (at < start - frameSeconds / 2)
                continue;
            auto match = matcher.at(at);
            if (!match)
                return match.error();
            if (!match.value())
                continue;
            if (auto r = comparer.add(match.value(), picture.value().get()); !r)
                return r.error();
            ++taken;
        }
    }
    if (auto r = comparer.finish(); !r)
        return r.error();
    QualityScores scores = comparer.scores();
    qCDebug(lcQuality) << "compared" << scores.framesCompared << "frames in" << clock.elapsed()
                       << "ms, decoding" << reference.decoded() << "of the input and" << output.decoded()
                       << "of the output";
    if (!scores.measured())
        return Error { ErrorCode::UnsupportedInput,
            tr("No picture of the output could be compared with the input."), {} };
    scores.seconds = clock.elapsed() / 1000.0;
    return scores;
}

} // namespace vtfarm::media
