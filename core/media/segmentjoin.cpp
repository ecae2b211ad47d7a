#include "segmentjoin.h"

#include "avcompat.h"
#include "avhandles.h"
#include "codecs.h"
#include "inputfile.h"
#include "partfile.h"

extern "C" {
#include <libavutil/mathematics.h>
#include <libavutil/pixdesc.h>
}

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cstring>
#include <vector>

namespace vtfarm::media {

namespace {

// What the first pass learns of one segment.
struct SegmentScan
{
    QString path;
    AVRational timeBase { 0, 1 };
    std::vector<int64_t> times; // presentation times of its pictures, sorted
    int64_t endTime = AV_NOPTS_VALUE; // where its last picture ends, when the file says
    int64_t frameDuration = 0; // the gap between pictures when it is constant, else 0
    int64_t offset = 0; // added to its timestamps in the output
};

QString segmentName(int index, int count, const QString& path)
{
    return QStringLiteral("Segment %1 of %2 (%3)").arg(index + 1).arg(count).arg(QFileInfo(path).fileName());
}

Error joinError(ErrorCode code, QString message)
{
    return { code, std::move(message), QStringLiteral("segments") };
}

Error outOfMemory(const QString& doing)
{
    return { ErrorCode::Internal, QStringLiteral("Out of memory %1.").arg(doing), {} };
}

int firstVideoStream(const AVFormatContext* in)
{
    for (unsigned i = 0; i < in->nb_streams; ++i) {
        const AVStream* st = in->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO
            && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return int(i);
    }
    return -1;
}

QString pixelFormatName(int format)
{
    const char* name = av_get_pix_fmt_name(AVPixelFormat(format));
    return name ? QString::fromLatin1(name) : QStringLiteral("none");
}

// How the segment's parameters differ from the first's, in words; empty when they do not.
QString parameterDifference(const AVCodecParameters* first, const AVCodecParameters* other)
{
    if (first->codec_id != other->codec_id)
        return QStringLiteral("it is %1 video, the first segment %2")
            .arg(QString::fromLatin1(avcodec_get_name(other->codec_id)),
                QString::fromLatin1(avcodec_get_name(first->codec_id)));
    if (first->width != other->width || first->height != other->height)
        return QStringLiteral("its pictures are %1x%2, the first segment's %3x%4")
            .arg(other->width)
            .arg(other->height)
            .arg(first->width)
            .arg(first->height);
    if (first->format != other->format)
        return QStringLiteral("its pixel format is %1, the first segment's %2")
            .arg(pixelFormatName(other->format), pixelFormatName(first->format));
    if (av_cmp_q(first->sample_aspect_ratio, other->sample_aspect_ratio) != 0)
        return QStringLiteral("its pixel aspect ratio is %1:%2, the first segment's %3:%4")
            .arg(other->sample_aspect_ratio.num)
            .arg(other->sample_aspect_ratio.den)
            .arg(first->sample_aspect_ratio.num)
            .arg(first->sample_aspect_ratio.den);
    if (first->profile != other->profile)
        return QStringLiteral("its codec profile is %1, the first segment's %2")
            .arg(other->profile)
            .arg(first->profile);
    if (first->field_order != other->field_order || first->color_range != other->color_range
        || first->color_space != other->color_space || first->color_primaries != other->color_primaries
        || first->color_trc != other->color_trc)
        return QStringLiteral("its colour description or field order differs from the first segment's");
    if (first->extradata_size != other->extradata_size
        || (first->extradata_size > 0
            && std::memcmp(first->extradata, other->extradata, size_t(first->extradata_size)) != 0))
        return QStringLiteral(
            "its encoder headers (extradata, %1 bytes) differ from the first segment's (%2 bytes)")
            .arg(other->extradata_size)
            .arg(first->extradata_size);
    return {};
}

// The NAL unit types in an H.264 or H.265 packet, as stored in mp4/mkv (lengths before each unit,
// as many bytes as the extradata says) or as an Annex B byte stream.
std::vector<int> nalTypes(const AVCodecParameters* par, const AVPacket* pkt)
{
    std::vector<int> types;
    const bool hevc = par->codec_id == AV_CODEC_ID_HEVC;
    const auto typeOf = [hevc](uint8_t header) { return hevc ? (header >> 1) & 0x3f : header & 0x1f; };
    const uint8_t* data = pkt->data;
    const int size = pkt->size;
    int lengthSize = 0;
    if (par->extradata && par->extradata_size > 0 && par->extradata[0] == 1) {
        if (!hevc && par->extradata_size >= 5)
            lengthSize = (par->extradata[4] & 3) + 1;
        else if (hevc && par->extradata_size >= 22)
            lengthSize = (par->extradata[21] & 3) + 1;
    }
    if (lengthSize > 0) {
        for (int at = 0; at + lengthSize < size;) {
            int64_t length = 0;
            for (int i = 0; i < lengthSize; ++i)
                length = (length << 8) | data[at + i];
            at += lengthSize;
            if (length <= 0 || at + length > size)
                break;
            types.push_back(typeOf(data[at]));
            at += int(length);
        }
        return types;
    }
    for (int at = 0; at + 3 < size; ++at) {
        if (data[at] == 0 && data[at + 1] == 0 && data[at + 2] == 1) {
            types.push_back(typeOf(data[at + 3]));
            at += 2;
        }
    }
    return types;
}

// Whether a decoder can start at this packet without anything before it: an IDR picture for
// H.264 and H.265 (a recovery point or CRA is not: pictures after it may refer to earlier ones),
// a keyframe for the others.
bool startsCleanly(const AVCodecParameters* par, const AVPacket* pkt)
{
    if (!(pkt->flags & AV_PKT_FLAG_KEY))
        return false;
    if (par->codec_id != AV_CODEC_ID_H264 && par->codec_id != AV_CODEC_ID_HEVC)
        return true;
    for (const int type : nalTypes(par, pkt)) {
        if (par->codec_id == AV_CODEC_ID_H264) {
            if (type == 5)
                return true;
            if (type == 1)
                return false;
        } else {
            if (type == 19 || type == 20)
                return true;
            if (type <= 21)
                return false; // another picture first: not an IDR
        }
    }
    return false;
}

class Joiner
{
public:
    Joiner(
        const QStringList& segments, const QString& audio, const QString& output, const JoinOptions& options)
        : m_segments(segments)
        , m_audioPath(audio)
        , m_output(output)
        , m_options(options)
    { }

    Result<TranscodeReport> run()
    {
        m_clock.start();
        if (auto r = checkArguments(); !r)
            return r.error();
        for (int i = 0; i < m_segments.size(); ++i) {
            if (auto r = scanSegment(i); !r)
                return r.error();
        }
        if (auto r = placeSegments(); !r)
            return r.error();
        const QString part = partPath(QFileInfo(m_output).absoluteFilePath());
        auto result = write(part);
        m_out.reset();
        if (!result) {
            QFile::remove(part);
            if (canceled())
                return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
        }
        return result;
    }

private:
    bool canceled() const { return m_options.cancel && m_options.cancel->load(); }

    Result<void> checkArguments()
    {
        if (m_segments.isEmpty())
            return Error::invalid("segments", QStringLiteral("There are no segments to join."));
        m_container = containerForPath(m_output);
        const Container* c = findContainer(m_container);
        if (!c || c->audioOnly)
            return Error::invalid("output",
                QStringLiteral(
                    "'%1' is not a video container vtfarm writes; name the output .mp4, .mkv, .webm or .mov.")
                    .arg(QFileInfo(m_output).suffix()));
        if (auto r = checkOutputPath({}, m_output, m_options.overwrite); !r)
            return r;
        const QFileInfo out(m_output);
        QStringList inputs = m_segments;
        if (!m_audioPath.isEmpty())
            inputs << m_audioPath;
        for (const QString& in : inputs) {
            const QFileInfo info(in);
            if (out.exists() && info.exists() && info.canonicalFilePath() == out.canonicalFilePath())
                return Error::invalid("output",
                    QStringLiteral("The output would overwrite %1; choose another output name.").arg(in));
        }
        // Every missing segment is one to encode again: say so before looking into the others.
        for (int i = 0; i < m_segments.size(); ++i) {
            if (!QFileInfo::exists(m_segments[i]))
                return joinError(ErrorCode::NotFound,
                    QStringLiteral("%1 is missing; encode that segment again.")
                        .arg(segmentName(i, int(m_segments.size()), m_segments[i])));
        }
        if (m_options.plan && m_options.plan->segments.size() != m_segments.size())
            return joinError(ErrorCode::InvalidArgument,
                QStringLiteral("The plan has %1 segments, but %2 files were given to join.")
                    .arg(m_options.plan->segments.size())
                    .arg(m_segments.size()));
        return {};
    }

    Result<InputContextPtr> openSegment(int i, int* videoIndex)
    {
        const QString& path = m_segments[i];
        const QString name = segmentName(i, int(m_segments.size()), path);
        if (!QFileInfo::exists(path))
            return joinError(
                ErrorCode::NotFound, QStringLiteral("%1 is missing; encode that segment again.").arg(name));
        auto opened = openInput(path, m_options.limits, m_options.cancel);
        if (!opened) {
            Error e = opened.error();
            if (e.code != ErrorCode::Canceled) {
                e.message = QStringLiteral("%1 cannot be read: %2").arg(name, e.message);
                e.field = QStringLiteral("segments");
            }
            return e;
        }
        *videoIndex = firstVideoStream(opened->get());
        if (*videoIndex < 0)
            return joinError(ErrorCode::UnsupportedInput, QStringLiteral("%1 holds no video.").arg(name));
        AVFormatContext* in = opened->get();
        for (unsigned s = 0; s < in->nb_streams; ++s)
            in->streams[s]->discard = int(s) == *videoIndex ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        return std::move(opened.value());
    }

    // First pass: the segment's parameters against the first's, its first picture, its times.
    Result<void> scanSegment(int i)
    {
        int videoIndex = -1;
        auto opened = openSegment(i, &videoIndex);
        if (!opened)
            return opened.error();
        InputContextPtr in = std::move(opened.value());
        const AVStream* st = in->streams[videoIndex];
        const QString name = segmentName(i, int(m_segments.size()), m_segments[i]);
        if (i == 0) {
            m_parameters.reset(avcodec_parameters_alloc());
            if (!m_parameters || avcodec_parameters_copy(m_parameters.get(), st->codecpar) < 0)
                return outOfMemory(QStringLiteral("reading the first segment"));
            m_frameRate = av_guess_frame_rate(in.get(), const_cast<AVStream*>(st), nullptr);
        } else if (const QString difference = parameterDifference(m_parameters.get(), st->codecpar);
                   !difference.isEmpty()) {
            return joinError(ErrorCode::Conflict,
                QStringLiteral("%1 cannot join the others: %2. Encode every segment with the same settings.")
                    .arg(name, difference));
        }
        SegmentScan scan;
        scan.path = m_segments[i];
        scan.timeBase = st->time_base;
        PacketPtr pkt = makePacket();
        if (!pkt)
            return outOfMemory(QStringLiteral("reading %1").arg(name));
        bool first = true;
        for (;;) {
            const int ret = av_read_frame(in.get(), pkt.get());
            if (ret == AVERROR(EAGAIN))
                continue;
            if (ret < 0) {
                if (canceled())
                    return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
                if (ret != AVERROR_EOF)
                    return joinError(ErrorCode::UnsupportedInput,
                        QStringLiteral("%1 cannot be read to its end (%2); encode that segment again.")
                            .arg(name, avErrorString(ret)));
                break;
            }
            if (pkt->stream_index == videoIndex) {
                if (first && !startsCleanly(st->codecpar, pkt.get()))
                    return joinError(ErrorCode::Conflict,
                        QStringLiteral(
                            "%1 does not start with a keyframe that needs nothing before it (an IDR "
                            "picture), so it cannot follow another segment; encode it with the "
                            "segment settings.")
                            .arg(name));
                first = false;
                const int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
                if (pts == AV_NOPTS_VALUE)
                    return joinError(ErrorCode::UnsupportedInput,
                        QStringLiteral("%1 has a picture without a timestamp.").arg(name));
                scan.times.push_back(pts);
                if (pkt->duration > 0)
                    scan.endTime = std::max(
                        scan.endTime == AV_NOPTS_VALUE ? INT64_MIN : scan.endTime, pts + pkt->duration);
            }
            av_packet_unref(pkt.get());
        }
        if (scan.times.empty())
            return joinError(ErrorCode::UnsupportedInput,
                QStringLiteral("%1 holds no pictures; encode that segment again.").arg(name));
        std::sort(scan.times.begin(), scan.times.end());
        if (std::adjacent_find(scan.times.begin(), scan.times.end()) != scan.times.end())
            return joinError(ErrorCode::UnsupportedInput,
                QStringLiteral("%1 has two pictures at the same time; encode that segment again.").arg(name));
        int64_t minGap = INT64_MAX, maxGap = 0;
        for (size_t k = 1; k < scan.times.size(); ++k) {
            minGap = std::min(minGap, scan.times[k] - scan.times[k - 1]);
            maxGap = std::max(maxGap, scan.times[k] - scan.times[k - 1]);
        }
        if (scan.times.size() > 1 && maxGap == minGap)
            scan.frameDuration = minGap;
        m_scans.push_back(std::move(scan));
        return {};
    }

    // The frame duration of a constant frame rate in \a tb, from the first segment's rate.
    int64_t nominalFrameDuration(AVRational tb) const
    {
        return m_frameRate.num > 0 && m_frameRate.den > 0 ? av_rescale_q(1, av_inv_q(m_frameRate), tb) : 0;
    }

    // Where each segment goes on the output's timeline.
    Result<void> placeSegments()
    {
        const int count = int(m_scans.size());
        m_timeBase = m_scans.front().timeBase;
        for (SegmentScan& s : m_scans) {
            // Segments written alike have one time base; should one differ, it is read in the first's.
            if (av_cmp_q(s.timeBase, m_timeBase) != 0) {
                for (int64_t& t : s.times)
                    t = av_rescale_q(t, s.timeBase, m_timeBase);
                if (s.endTime != AV_NOPTS_VALUE)
                    s.endTime = av_rescale_q(s.endTime, s.timeBase, m_timeBase);
                s.frameDuration
                    = s.frameDuration > 0 ? av_rescale_q(s.frameDuration, s.timeBase, m_timeBase) : 0;
            }
        }
        // A constant frame rate throughout: every segment follows the one before a frame later.
        int64_t frameDuration = 0;
        bool constant = true;
        for (const SegmentScan& s : m_scans) {
            if (s.times.size() < 2)
                continue;
            if (s.frameDuration <= 0 || (frameDuration > 0 && s.frameDuration != frameDuration))
                constant = false;
            frameDuration = s.frameDuration > 0 ? s.frameDuration : frameDuration;
        }
        if (frameDuration <= 0)
            frameDuration = nominalFrameDuration(m_timeBase);
        constant = constant && frameDuration > 0;
        m_frameDuration = frameDuration;

        const std::optional<SegmentPlan>& plan = m_options.plan;
        for (int i = 0; i < count; ++i) {
            SegmentScan& s = m_scans[size_t(i)];
            if (i == 0) {
                s.offset = 0;
            } else {
                const SegmentScan& before = m_scans[size_t(i) - 1];
                const int64_t lastBefore = before.times.back() + before.offset;
                if (constant) {
                    s.offset = lastBefore + frameDuration - s.times.front();
                } else if (plan) {
                    // Each encode starts its range at 0: it goes where its range starts.
                    const int64_t startUs = std::llround(plan->segments[i].start * AV_TIME_BASE)
                        - std::llround(plan->segments[0].start * AV_TIME_BASE);
                    s.offset = av_rescale_q(startUs, AV_TIME_BASE_Q, m_timeBase);
                } else {
                    const int64_t endBefore
                        = before.endTime != AV_NOPTS_VALUE && before.endTime > before.times.back()
                        ? before.endTime + before.offset
                        : lastBefore + std::max<int64_t>(1, frameDuration);
                    s.offset = endBefore - s.times.front();
                }
                if (s.times.front() + s.offset <= lastBefore)
                    return joinError(ErrorCode::Conflict,
                        QStringLiteral(
                            "%1 overlaps the segment before it: its first picture would be shown at "
                            "%2 s, not after that one's last at %3 s.")
                            .arg(segmentName(i, count, s.path))
                            .arg((s.times.front() + s.offset) * av_q2d(m_timeBase), 0, 'f', 3)
                            .arg(lastBefore * av_q2d(m_timeBase), 0, 'f', 3));
            }
            if (plan && framesComparable(*plan, constant, frameDuration)
                && qint64(s.times.size()) != plan->segments[i].frames)
                return joinError(ErrorCode::Conflict,
                    QStringLiteral(
                        "%1 has %2 pictures, but its range of the input (%3 s to %4 s) has %5; it is "
                        "incomplete or was encoded from another range. Encode it again.")
                        .arg(segmentName(i, count, s.path))
                        .arg(s.times.size())
                        .arg(plan->segments[i].start, 0, 'f', 3)
                        .arg(plan->segments[i].end, 0, 'f', 3)
                        .arg(plan->segments[i].frames));
        }
        return {};
    }

    // Whether the encodes kept the input's pictures one for one, so that the plan's counts hold:
    // not where a frame rate was set (the pictures were resampled).
    bool framesComparable(const SegmentPlan& plan, bool constant, int64_t frameDuration) const
    {
        if (plan.variableFrameRate)
            return !constant;
        if (!constant || plan.frameRateNum <= 0 || plan.frameRateDen <= 0)
            return false;
        const int64_t planned
            = av_rescale_q(1, AVRational { plan.frameRateDen, plan.frameRateNum }, m_timeBase);
        return std::abs(planned - frameDuration) <= 1;
    }

    Result<void> setupOutput(const QString& part)
    {
        const QByteArray url = "file:" + QFile::encodeName(part);
        AVFormatContext* oc = nullptr;
        if (int ret
            = avformat_alloc_output_context2(&oc, nullptr, muxerForContainer(m_container), url.constData());
            ret < 0)
            return Error { ErrorCode::Internal,
                QStringLiteral("Cannot create a .%1 file: %2.").arg(m_container, avErrorString(ret)),
                "output" };
        m_out.reset(oc);
        m_out->interrupt_callback = { [](void* flag) {
                                         const auto* f = static_cast<const std::atomic<bool>*>(flag);
                                         return f && f->load() ? 1 : 0;
                                     },
            const_cast<std::atomic<bool>*>(m_options.cancel) };
        m_out->protocol_whitelist = av_strdup("file");
        if (!m_out->protocol_whitelist)
            return outOfMemory(QStringLiteral("creating the output"));

        // The video as the segments have it: parameters, tags, and any display matrix (the
        // Transcoder turns the pictures upright itself, so an unsplit encode has none either).
        int videoIndex = -1;
        auto first = openSegment(0, &videoIndex);
        if (!first)
            return first.error();
        const AVStream* ist = (*first)->streams[videoIndex];
        m_video = avformat_new_stream(m_out.get(), nullptr);
        if (!m_video)
            return outOfMemory(QStringLiteral("adding the video to the output"));
        if (avcodec_parameters_copy(m_video->codecpar, ist->codecpar) < 0
            || copyStreamSideData(m_video, ist) < 0 || av_dict_copy(&m_video->metadata, ist->metadata, 0) < 0
            || av_dict_copy(&m_out->metadata, (*first)->metadata, 0) < 0)
            return outOfMemory(QStringLiteral("describing the video"));
        if (avformat_query_codec(m_out->oformat, ist->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1)
            return Error::invalid("output",
                QStringLiteral("A .%1 file cannot hold %2 video; join into another container.")
                    .arg(m_container, QString::fromLatin1(avcodec_get_name(ist->codecpar->codec_id))));
        m_video->codecpar->codec_tag = 0;
        m_video->time_base = m_timeBase;
        m_video->disposition = ist->disposition;
        m_video->sample_aspect_ratio = ist->codecpar->sample_aspect_ratio;
        if (m_frameRate.num > 0)
            m_video->avg_frame_rate = m_frameRate;

        if (!m_audioPath.isEmpty()) {
            auto opened = openInput(m_audioPath, m_options.limits, m_options.cancel);
            if (!opened) {
                Error e = opened.error();
                if (e.code != ErrorCode::Canceled) {
                    e.message = QStringLiteral("The audio and subtitles (%1) cannot be read: %2")
                                    .arg(QFileInfo(m_audioPath).fileName(), e.message);
                    e.field = QStringLiteral("audio");
                }
                return e;
            }
            m_audio = std::move(opened.value());
            m_audioMap.assign(m_audio->nb_streams, nullptr);
            for (unsigned i = 0; i < m_audio->nb_streams; ++i) {
                AVStream* st = m_audio->streams[i];
                const AVMediaType type = st->codecpar->codec_type;
                if (type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE) {
                    st->discard = AVDISCARD_ALL;
                    continue;
                }
                if (avformat_query_codec(m_out->oformat, st->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 1)
                    return Error { ErrorCode::Conflict,
                        QStringLiteral("Stream %1 of %2 (%3) cannot go in a .%4 file; encode the audio pass "
                                       "into a .%4 file.")
                            .arg(i)
                            .arg(QFileInfo(m_audioPath).fileName(),
                                QString::fromLatin1(avcodec_get_name(st->codecpar->codec_id)), m_container),
                        "audio" };
                AVStream* ost = avformat_new_stream(m_out.get(), nullptr);
                if (!ost || avcodec_parameters_copy(ost->codecpar, st->codecpar) < 0
                    || copyStreamSideData(ost, st) < 0 || av_dict_copy(&ost->metadata, st->metadata, 0) < 0)
                    return outOfMemory(QStringLiteral("adding the audio to the output"));
                ost->codecpar->codec_tag = 0;
                ost->time_base = st->time_base;
                ost->disposition = st->disposition;
                m_audioMap[i] = ost;
            }
            if (m_out->nb_streams == 1)
                return Error { ErrorCode::UnsupportedInput,
                    QStringLiteral("%1 holds neither audio nor subtitles.")
                        .arg(QFileInfo(m_audioPath).fileName()),
                    "audio" };
        }

        Dictionary ioOpts;
        ioOpts.set("protocol_whitelist", "file");
        if (!ioOpts.ok())
            return outOfMemory(QStringLiteral("creating the output"));
        if (int ret = avio_open2(
                &m_out->pb, url.constData(), AVIO_FLAG_WRITE, &m_out->interrupt_callback, ioOpts.get());
            ret < 0)
            return Error { ret == AVERROR(ENOSPC) ? ErrorCode::StorageFull : ErrorCode::IoError,
                QStringLiteral("Cannot create %1: %2.").arg(part, avErrorString(ret)), "output" };
        Dictionary muxOpts;
        if (m_container == u"mp4" || m_container == u"mov")
            muxOpts.set("movflags", "+faststart"); // as the Transcoder: playable while it downloads
        if (!muxOpts.ok())
            return outOfMemory(QStringLiteral("starting the output"));
        if (int ret = avformat_write_header(m_out.get(), muxOpts.get()); ret < 0)
            return Error { ErrorCode::IoError,
                QStringLiteral("Cannot start writing %1: %2.").arg(m_output, avErrorString(ret)), "output" };
        return {};
    }

    Error writeError(int ret) const
    {
        return { ret == AVERROR(ENOSPC) ? ErrorCode::StorageFull : ErrorCode::IoError,
            QStringLiteral("Cannot write %1: %2.").arg(m_output, avErrorString(ret)), "output" };
    }

    // The next packet of the audio file that is written, or false at its end.
    Result<bool> readAudio(AVPacket* pkt)
    {
        for (;;) {
            const int ret = av_read_frame(m_audio.get(), pkt);
            if (ret == AVERROR(EAGAIN))
                continue;
            if (ret == AVERROR_EOF)
                return false;
            if (ret < 0)
                return Error { ErrorCode::UnsupportedInput,
                    QStringLiteral("%1 cannot be read to its end: %2.")
                        .arg(QFileInfo(m_audioPath).fileName(), avErrorString(ret)),
                    "audio" };
            if (size_t(pkt->stream_index) < m_audioMap.size() && m_audioMap[size_t(pkt->stream_index)])
                return true;
            av_packet_unref(pkt);
        }
    }

    // When an audio file's packet is decoded, on the output's timeline (in its stream's time base).
    int64_t audioTime(const AVPacket* pkt) const
    {
        const int64_t t = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
        return t - audioShift(pkt->stream_index);
    }

    // What the audio file's stream \a index is moved back by: the pass's offset, less the codec
    // delay a Matroska demuxer takes off (its muxer adds it on writing, and does so again in the
    // output; without this the audio would be that delay early against the video).
    int64_t audioShift(int index) const
    {
        const AVStream* st = m_audio->streams[index];
        int64_t shift = av_rescale_q(
            std::llround(m_options.audioTimestampOffset * AV_TIME_BASE), AV_TIME_BASE_Q, st->time_base);
        if (std::strcmp(m_audio->iformat->name, "matroska,webm") == 0 && st->codecpar->initial_padding > 0
            && st->codecpar->codec_id == AV_CODEC_ID_OPUS)
            shift -= av_rescale_q(st->codecpar->initial_padding, AVRational { 1, 48000 }, st->time_base);
        return shift;
    }

    // How long the picture at \a time of segment \a i is shown: until the next one, across joins.
    int64_t displayDuration(size_t i, int64_t time) const
    {
        const SegmentScan& s = m_scans[i];
        const auto next = std::upper_bound(s.times.begin(), s.times.end(), time);
        if (next != s.times.end())
            return *next - time;
        if (i + 1 < m_scans.size())
            return m_scans[i + 1].times.front() + m_scans[i + 1].offset - (time + s.offset);
        if (s.endTime != AV_NOPTS_VALUE && s.endTime > time)
            return s.endTime - time;
        return m_frameDuration > 0 ? m_frameDuration : 1;
    }

    Result<TranscodeReport> write(const QString& part)
    {
        if (auto r = setupOutput(part); !r)
            return r.error();
        PacketPtr video = makePacket();
        PacketPtr audio = makePacket();
        if (!video || !audio)
            return outOfMemory(QStringLiteral("joining the segments"));
        bool audioPending = false;
        if (m_audio) {
            auto more = readAudio(audio.get());
            if (!more)
                return more.error();
            audioPending = *more;
        }
        const auto writeAudio = [&]() -> Result<void> {
            AVStream* ist = m_audio->streams[audio->stream_index];
            AVStream* ost = m_audioMap[size_t(audio->stream_index)];
            const int64_t offset = audioShift(audio->stream_index);
            if (audio->pts != AV_NOPTS_VALUE)
                audio->pts -= offset;
            if (audio->dts != AV_NOPTS_VALUE)
                audio->dts -= offset;
            // An mp4's subtitle track is filled from its start with empty samples: the one that
            // covers the offset is before the range (the output's muxer makes its own filler).
            const bool subtitle = ist->codecpar->codec_type == AVMEDIA_TYPE_SUBTITLE;
            const bool beforeRange = subtitle && audio->pts != AV_NOPTS_VALUE && audio->pts < 0
                && (audio->pts + std::max<int64_t>(audio->duration, 0) <= 0
                    || (ist->codecpar->codec_id == AV_CODEC_ID_MOV_TEXT && audio->size <= 2));
            if (beforeRange) {
                av_packet_unref(audio.get());
            } else {
                av_packet_rescale_ts(audio.get(), ist->time_base, ost->time_base);
                audio->stream_index = ost->index;
                audio->pos = -1;
                if (int ret = av_interleaved_write_frame(m_out.get(), audio.get()); ret < 0)
                    return writeError(ret);
            }
            auto more = readAudio(audio.get());
            if (!more)
                return more.error();
            audioPending = *more;
            return {};
        };

        int64_t lastDts = AV_NOPTS_VALUE; // in m_timeBase
        qint64 frames = 0;
        int64_t videoEnd = 0;
        const int count = int(m_scans.size());
        for (int i = 0; i < count; ++i) {
            int videoIndex = -1;
            auto opened = openSegment(i, &videoIndex);
            if (!opened)
                return opened.error();
            InputContextPtr in = std::move(opened.value());
            const AVStream* ist = in->streams[videoIndex];
            const SegmentScan& scan = m_scans[size_t(i)];
            for (;;) {
                if (canceled())
                    return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
                int ret = av_read_frame(in.get(), video.get());
                if (ret == AVERROR(EAGAIN))
                    continue;
                if (ret == AVERROR_EOF)
                    break;
                if (ret < 0)
                    return joinError(ErrorCode::UnsupportedInput,
                        QStringLiteral("%1 cannot be read to its end (%2).")
                            .arg(segmentName(i, count, scan.path), avErrorString(ret)));
                if (video->stream_index != videoIndex) {
                    av_packet_unref(video.get());
                    continue;
                }
                av_packet_rescale_ts(video.get(), ist->time_base, m_timeBase);
                if (video->pts == AV_NOPTS_VALUE)
                    video->pts = video->dts;
                video->duration = displayDuration(size_t(i), video->pts);
                video->pts += scan.offset;
                video->dts = video->dts != AV_NOPTS_VALUE ? video->dts + scan.offset : video->pts;
                // Decoding times rise strictly, also where an encoder's first ones (before its first
                // picture is shown) meet the segment before; they never pass the showing time.
                if (lastDts != AV_NOPTS_VALUE && video->dts <= lastDts)
                    video->dts = lastDts + 1;
                if (video->dts > video->pts)
                    return joinError(ErrorCode::Conflict,
                        QStringLiteral("%1 cannot follow the segment before it without re-encoding: its "
                                       "pictures would be decoded after they are shown.")
                            .arg(segmentName(i, count, scan.path)));
                lastDts = video->dts;
                videoEnd = std::max(videoEnd, video->pts + video->duration);
                // What comes first in the output's order goes first: audio decoded before this picture.
                while (audioPending
                    && av_compare_ts(audioTime(audio.get()), m_audio->streams[audio->stream_index]->time_base,
                           video->dts, m_timeBase)
                        <= 0) {
                    if (auto r = writeAudio(); !r)
                        return r.error();
                }
                video->stream_index = m_video->index;
                video->pos = -1;
                av_packet_rescale_ts(video.get(), m_timeBase, m_video->time_base);
                if (ret = av_interleaved_write_frame(m_out.get(), video.get()); ret < 0)
                    return writeError(ret);
                ++frames;
            }
            if (m_options.progress) {
                TranscodeProgress p;
                p.frames = frames;
                p.positionSeconds = videoEnd * av_q2d(m_timeBase);
                p.fraction = double(i + 1) / count;
                p.durationSeconds = p.fraction > 0 ? p.positionSeconds / p.fraction : 0;
                p.etaSeconds = i + 1 == count ? 0 : -1;
                m_options.progress(p);
            }
        }
        while (audioPending) {
            if (canceled())
                return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
            if (auto r = writeAudio(); !r)
                return r.error();
        }
        if (int ret = av_write_trailer(m_out.get()); ret < 0)
            return Error { ret == AVERROR(ENOSPC) ? ErrorCode::StorageFull : ErrorCode::IoError,
                QStringLiteral("Cannot finish writing %1: %2.").arg(m_output, avErrorString(ret)), "output" };
        if (int ret = avio_closep(&m_out->pb); ret < 0)
            return Error { ErrorCode::IoError,
                QStringLiteral("Cannot finish writing %1: %2.").arg(m_output, avErrorString(ret)), "output" };
        m_out.reset();
        if (auto r = commitPartFile(part, m_output, m_options.overwrite); !r)
            return r.error();

        TranscodeReport report;
        report.outputPath = m_output;
        report.outputBytes = QFileInfo(m_output).size();
        report.frames = frames;
        report.mediaSeconds = (videoEnd - (m_scans.front().times.front())) * av_q2d(m_timeBase);
        report.elapsedSeconds = m_clock.elapsed() / 1000.0;
        report.warnings = m_warnings;
        return report;
    }

    QStringList m_segments;
    QString m_audioPath;
    QString m_output;
    const JoinOptions& m_options;
    QString m_container;
    QElapsedTimer m_clock;
    CodecParametersPtr m_parameters;
    AVRational m_frameRate { 0, 1 };
    std::vector<SegmentScan> m_scans;
    AVRational m_timeBase { 0, 1 };
    int64_t m_frameDuration = 0;
    OutputContextPtr m_out;
    AVStream* m_video = nullptr;
    InputContextPtr m_audio;
    std::vector<AVStream*> m_audioMap;
    QStringList m_warnings;
};

} // namespace

Result<TranscodeReport> joinSegments(const QStringList& videoSegments, const QString& audioAndSubtitles,
    const QString& output, const JoinOptions& options)
{
    Joiner joiner(videoSegments, audioAndSubtitles, output, options);
    return joiner.run();
}

} // namespace vtfarm::media
