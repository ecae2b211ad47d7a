#include "segmentplan.h"

#include "avhandles.h"
#include "codecs.h"
#include "inputfile.h"

#include <QFileInfo>
#include <QJsonArray>
#include <algorithm>
#include <cmath>
#include <vector>

namespace vtfarm::media {

namespace {

struct VideoPacket
{
    int64_t time = 0; // microseconds on the input's timeline
    bool key = false;
};

Error invalidNumber(const char* field)
{
    return Error::invalid(QString::fromLatin1(field), QStringLiteral("must be a number"));
}

// Reads a number member; false (with *error set) when it is there but not a number.
bool readNumber(const QJsonObject& o, const char* key, double& out, std::optional<Error>& error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isDouble()) {
        error = invalidNumber(key);
        return false;
    }
    out = v.toDouble();
    return true;
}

} // namespace

QJsonObject Segment::toJson() const
{
    QJsonObject o { { "index", index }, { "start", start }, { "end", end }, { "frames", frames } };
    if (toInputEnd)
        o[u"to_input_end"] = true;
    return o;
}

Result<Segment> Segment::fromJson(const QJsonObject& o)
{
    Segment s;
    std::optional<Error> error;
    double index = 0, frames = 0;
    if (!readNumber(o, "index", index, error) || !readNumber(o, "start", s.start, error)
        || !readNumber(o, "end", s.end, error) || !readNumber(o, "frames", frames, error))
        return *error;
    s.index = int(index);
    s.frames = qint64(frames);
    s.toInputEnd = o.value(u"to_input_end").toBool();
    if (s.index < 0 || s.start < 0 || s.end <= s.start || s.frames < 0)
        return Error::invalid("segments",
            QStringLiteral("Segment %1 (%2 s to %3 s) is not a range of the input.")
                .arg(s.index)
                .arg(s.start)
                .arg(s.end));
    return s;
}

QJsonObject SegmentPlan::toJson() const
{
    QJsonArray list;
    for (const Segment& s : segments)
        list.append(s.toJson());
    QJsonObject o { { "segments", list }, { "range_start", rangeStart }, { "range_end", rangeEnd },
        { "duration", duration }, { "video_duration", videoDuration }, { "frames", frames },
        { "keyframes", keyframes }, { "has_audio", hasAudio }, { "has_subtitles", hasSubtitles } };
    if (variableFrameRate)
        o[u"frame_rate"] = QStringLiteral("variable");
    else
        o[u"frame_rate"] = QStringLiteral("%1/%2").arg(frameRateNum).arg(frameRateDen);
    return o;
}

Result<SegmentPlan> SegmentPlan::fromJson(const QJsonObject& o)
{
    SegmentPlan p;
    std::optional<Error> error;
    double frames = 0, keyframes = 0;
    if (!readNumber(o, "range_start", p.rangeStart, error) || !readNumber(o, "range_end", p.rangeEnd, error)
        || !readNumber(o, "duration", p.duration, error)
        || !readNumber(o, "video_duration", p.videoDuration, error) || !readNumber(o, "frames", frames, error)
        || !readNumber(o, "keyframes", keyframes, error))
        return *error;
    p.frames = qint64(frames);
    p.keyframes = qint64(keyframes);
    p.hasAudio = o.value(u"has_audio").toBool();
    p.hasSubtitles = o.value(u"has_subtitles").toBool();
    const QString rate = o.value(u"frame_rate").toString();
    if (rate == u"variable") {
        p.variableFrameRate = true;
    } else if (const auto r = parseFrameRate(rate)) {
        p.frameRateNum = r->first;
        p.frameRateDen = r->second;
    } else if (!rate.isEmpty()) {
        return Error::invalid("frame_rate", QStringLiteral("'%1' is not a frame rate.").arg(rate.left(32)));
    }
    for (const QJsonValue& v : o.value(u"segments").toArray()) {
        auto s = Segment::fromJson(v.toObject());
        if (!s)
            return s.error();
        p.segments.append(*s);
    }
    if (p.segments.isEmpty())
        return Error::invalid("segments", QStringLiteral("A plan has at least one segment."));
    return p;
}

Result<SegmentPlan> planSegments(const QString& input, double segmentSeconds, double rangeStart,
    double rangeEnd, double prerollSeconds, const InputLimits& limits, const std::atomic<bool>* cancel)
{
    if (!std::isfinite(segmentSeconds) || segmentSeconds < 1)
        return Error::invalid("segment_seconds",
            QStringLiteral("Segments must be at least a second long, not %1 s.").arg(segmentSeconds));
    if (!std::isfinite(rangeStart) || rangeStart < 0)
        return Error::invalid("start", QStringLiteral("The start must be 0 or later, in seconds."));
    if (rangeEnd != -1 && (!std::isfinite(rangeEnd) || rangeEnd <= rangeStart))
        return Error::invalid(
            "end", QStringLiteral("The end must be later than the start, or -1 for the input's end."));

    // Stream information as the Transcoder reads it, so that both put the timeline's 0 at the
    // same start time; the scan itself reads packets only.
    auto opened = openInput(input, limits, cancel);
    if (!opened)
        return opened.error();
    InputContextPtr in = std::move(opened.value());
    SegmentPlan plan;
    plan.rangeStart = rangeStart;
    plan.rangeEnd = rangeEnd;
    plan.duration = in->duration != AV_NOPTS_VALUE ? double(in->duration) / AV_TIME_BASE : 0.0;
    int videoIndex = -1;
    for (unsigned i = 0; i < in->nb_streams; ++i) {
        const AVStream* st = in->streams[i];
        const AVMediaType type = st->codecpar->codec_type;
        plan.hasAudio = plan.hasAudio || type == AVMEDIA_TYPE_AUDIO;
        plan.hasSubtitles = plan.hasSubtitles || type == AVMEDIA_TYPE_SUBTITLE;
        // The stream the Transcoder encodes: the best one that is not a cover picture.
        if (type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)
            && videoIndex < 0) {
            const int best = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
            videoIndex = best >= 0 && !(in->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC)
                ? best
                : int(i);
        }
    }
    const QString name = QFileInfo(input).fileName();
    if (videoIndex < 0)
        return Error { ErrorCode::UnsupportedInput,
            QStringLiteral("%1 has no video to split; transcode it whole.").arg(name), "input" };
    for (unsigned i = 0; i < in->nb_streams; ++i)
        in->streams[i]->discard = int(i) == videoIndex ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    AVStream* video = in->streams[videoIndex];
    const AVRational tb = video->time_base;
    const int64_t startTime = in->start_time != AV_NOPTS_VALUE ? in->start_time : 0;

    std::vector<VideoPacket> packets;
    int64_t videoEnd = 0;
    PacketPtr packet = makePacket();
    if (!packet)
        return Error { ErrorCode::Internal, QStringLiteral("Out of memory reading %1.").arg(name), {} };
    for (;;) {
        const int ret = av_read_frame(in.get(), packet.get());
        if (ret == AVERROR(EAGAIN))
            continue;
        if (ret < 0) {
            if (cancel && cancel->load())
                return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
            if (ret != AVERROR_EOF && packets.empty())
                return Error { ErrorCode::UnsupportedInput,
                    QStringLiteral("Cannot read %1: %2.").arg(name, avErrorString(ret)), "input" };
            break; // a truncated file is planned as far as it goes, as it is transcoded
        }
        if (packet->stream_index == videoIndex) {
            const int64_t ts = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
            if (ts != AV_NOPTS_VALUE) {
                const int64_t time = av_rescale_q(ts, tb, AV_TIME_BASE_Q) - startTime;
                packets.push_back({ time, (packet->flags & AV_PKT_FLAG_KEY) != 0 });
                const int64_t duration
                    = packet->duration > 0 ? av_rescale_q(packet->duration, tb, AV_TIME_BASE_Q) : 0;
                videoEnd = std::max(videoEnd, time + duration);
            }
        }
        av_packet_unref(packet.get());
    }
    if (packets.empty())
        return Error { ErrorCode::UnsupportedInput,
            QStringLiteral("%1 holds no video packets that could be read; it may be damaged.").arg(name),
            "input" };
    // Presentation order: B-frames are stored before the pictures they are shown after.
    std::stable_sort(packets.begin(), packets.end(),
        [](const VideoPacket& a, const VideoPacket& b) { return a.time < b.time; });

    // Constant frame rate: every gap the same, to the time base's rounding (a millisecond in
    // Matroska makes 30 fps 33 and 34 ms).
    int64_t minGap = INT64_MAX, maxGap = 0;
    for (size_t i = 1; i < packets.size(); ++i) {
        const int64_t gap = packets[i].time - packets[i - 1].time;
        minGap = std::min(minGap, gap);
        maxGap = std::max(maxGap, gap);
    }
    const int64_t tick = std::max<int64_t>(1, av_rescale_q(1, tb, AV_TIME_BASE_Q));
    plan.variableFrameRate = packets.size() > 2 && maxGap - minGap > tick;
    if (!plan.variableFrameRate) {
        AVRational rate = av_guess_frame_rate(in.get(), video, nullptr);
        if (rate.num <= 0 && packets.size() > 1)
            rate = av_d2q(double(packets.size() - 1) * AV_TIME_BASE
                    / double(packets.back().time - packets.front().time),
                100000);
        plan.frameRateNum = rate.num;
        plan.frameRateDen = rate.den > 0 ? rate.den : 1;
    }
    // The last picture lasts as long as the one before it when the container does not say.
    if (videoEnd <= packets.back().time)
        videoEnd = packets.back().time + (packets.size() > 1 ? minGap : 0);
    plan.videoDuration = double(videoEnd) / AV_TIME_BASE;
    for (const VideoPacket& p : packets)
        plan.keyframes += p.key;

    const int64_t rangeStartUs = std::llround(rangeStart * AV_TIME_BASE);
    const int64_t rangeEndUs = rangeEnd >= 0 ? std::llround(rangeEnd * AV_TIME_BASE) : INT64_MAX;
    if (rangeStartUs + kRangeToleranceUs >= videoEnd)
        return Error::invalid("start",
            QStringLiteral("The start (%1 s) is at or after the end of the video of %2, which lasts %3 s.")
                .arg(formatTimestamp(rangeStart), name)
                .arg(plan.videoDuration, 0, 'f', 3));

    // Cuts: near each multiple of the segment length after the range's start. A segment decodes
    // from the input's keyframe at or before its start less its preroll, and encodes from there
    // on, so the cut is best a preroll after a keyframe: nothing is decoded that is not encoded.
    // Where a keyframe is that near the multiple (within 15 % of a segment, 3 s at most), the cut
    // is there. Else it is on the first picture at or after the multiple, so that sparse keyframes
    // (x264's default is one every 250 frames) do not make segments uneven: the pictures from the
    // keyframe before are then only decoded, which costs a small part of encoding them, as long as
    // they are no more than a segment. Where they would be more, the cut is a preroll after the
    // keyframe nearest the multiple. No cut nearer than half a segment to the one before or to the
    // range's end, so that no segment is a sliver.
    std::vector<int64_t> keys, allKeys;
    for (const VideoPacket& p : packets) {
        if (p.key)
            allKeys.push_back(p.time);
        if (p.key && p.time > rangeStartUs + kRangeToleranceUs && p.time + kRangeToleranceUs < rangeEndUs)
            keys.push_back(p.time);
    }
    const int64_t step = std::llround(segmentSeconds * AV_TIME_BASE);
    const int64_t snap = std::min<int64_t>(step * 15 / 100, 3 * AV_TIME_BASE);
    const int64_t lastUs = rangeEndUs != INT64_MAX
        ? rangeEndUs
        : std::max<int64_t>(videoEnd, std::llround(plan.duration * AV_TIME_BASE));
    std::vector<int64_t> cuts { rangeStartUs };
    const int64_t warm = std::llround(std::clamp(prerollSeconds, 0.0, 60.0) * AV_TIME_BASE);
    const auto firstPictureFrom = [&packets](int64_t t) {
        return std::lower_bound(packets.begin(), packets.end(), t - kRangeToleranceUs,
            [](const VideoPacket& p, int64_t v) { return p.time < v; });
    };
    for (int64_t target = rangeStartUs + step; target < lastUs; target += step) {
        const int64_t want = target - warm;
        int64_t key = -1;
        const auto after = std::lower_bound(keys.begin(), keys.end(), want);
        if (after != keys.end() && *after - want <= snap)
            key = *after;
        if (after != keys.begin() && want - *(after - 1) <= snap
            && (key < 0 || want - *(after - 1) < key - want))
            key = *(after - 1);
        if (key < 0) {
            // Decoded from the input's keyframe at or before the preroll's start.
            const auto before = std::upper_bound(allKeys.begin(), allKeys.end(), want);
            const int64_t from = before == allKeys.begin() ? packets.front().time : *(before - 1);
            if (want - from > step) {
                if (keys.empty())
                    continue;
                key = after == keys.end() || (after != keys.begin() && want - *(after - 1) < *after - want)
                    ? *(after - 1)
                    : *after;
            }
        }
        const auto picture = firstPictureFrom(key >= 0 ? key + warm : target);
        if (picture == packets.end())
            break;
        const int64_t cut = picture->time;
        if (cut - cuts.back() >= step / 2 && lastUs - cut >= step / 2)
            cuts.push_back(cut);
    }

    // Frames in each [cut, next cut), counted as the Transcoder's trim keeps them: the picture on
    // screen at a segment's start, then every one before its end.
    for (size_t i = 0; i < cuts.size(); ++i) {
        Segment s;
        s.index = int(i);
        s.start = double(cuts[i]) / AV_TIME_BASE;
        const bool last = i + 1 == cuts.size();
        const int64_t endUs = last ? rangeEndUs : cuts[i + 1];
        s.toInputEnd = last && rangeEnd < 0;
        s.end = last ? (rangeEnd >= 0 ? rangeEnd : double(lastUs) / AV_TIME_BASE)
                     : double(endUs) / AV_TIME_BASE;
        const auto byTime = [](const VideoPacket& p, int64_t t) { return p.time < t; };
        // The first picture after the start, and the first at or after the end.
        const auto later = std::upper_bound(packets.begin(), packets.end(), cuts[i] + kRangeToleranceUs,
            [](int64_t t, const VideoPacket& p) { return t < p.time; });
        const auto beyond = endUs == INT64_MAX
            ? packets.end()
            : std::lower_bound(packets.begin(), packets.end(), endUs - kRangeToleranceUs, byTime);
        s.frames = std::max<qint64>(0, beyond - later);
        if (later != packets.begin() && later - 1 < beyond)
            ++s.frames; // the picture on screen at the start
        plan.frames += s.frames;
        plan.segments.append(s);
    }
    return plan;
}

Result<void> checkSplittable(const TranscodeSettings& job)
{
    if (job.videoCodec == u"copy")
        return Error::invalid("codec",
            QStringLiteral("A copied video cannot be split: a copy can only be cut on the input's keyframes. "
                           "Choose a video codec, or transcode the file whole."));
    if (job.videoCodec == u"none")
        return Error::invalid(
            "codec", QStringLiteral("Without video there is nothing to split; transcode the file whole."));
    if (job.checksQuality())
        return Error::invalid(job.minSsim > 0 ? "min_ssim" : "quality_check",
            QStringLiteral(
                "The quality check measures a whole encode against its input; a job that checks its "
                "quality runs whole (split off)."));
    if (job.skipIfLarger)
        return Error::invalid("skip_if_larger",
            QStringLiteral("A job that keeps the smaller of its input and output runs whole (split off)."));
    if (const VideoCodec* codec = findVideoCodec(job.videoCodec); !codec || !codec->encodes())
        return Error::invalid(
            "codec", QStringLiteral("'%1' is not a video codec vtfarm offers.").arg(job.videoCodec));
    return {};
}

double segmentPreroll(const TranscodeSettings& job)
{
    // SVT-AV1 (through FFmpeg 5.1 at least) makes no keyframe where one is asked for, so its
    // segments start cold: each is a whole encode of its own.
    return job.videoCodec == u"libsvtav1" ? 0.0 : kSegmentPrerollSeconds;
}

QString segmentContainer(const TranscodeSettings& job)
{
    return containerHolds(QStringLiteral("mp4"), job.videoCodec) ? QStringLiteral("mp4")
                                                                 : QStringLiteral("mkv");
}

TranscodeSettings segmentSettings(const TranscodeSettings& job, const Segment& segment)
{
    TranscodeSettings s = job;
    s.startSeconds = segment.start;
    s.endSeconds = segment.toInputEnd ? -1 : segment.end;
    s.audioCodec = QStringLiteral("none");
    s.audioBitrate = 0;
    s.subtitles = false;
    s.closedGop = true;
    s.prerollSeconds = segment.index > 0 ? segmentPreroll(job) : 0.0;
    s.overwrite = true;
    return s;
}

TranscodeSettings audioSettings(const TranscodeSettings& job, double rangeStart, double rangeEnd)
{
    TranscodeSettings s = job;
    s.videoCodec = QStringLiteral("none");
    s.videoBitrate = TranscodeSettings {}.videoBitrate;
    s.crf = -1;
    s.resolution = Resolution::keep();
    s.fpsNum = 0;
    s.fpsDen = 1;
    s.encoderPreset.clear();
    s.closedGop = false;
    s.prerollSeconds = 0;
    s.timestampOffsetSeconds = kAudioPassTimestampOffset;
    s.startSeconds = rangeStart;
    s.endSeconds = rangeEnd;
    s.overwrite = true;
    return s;
}

bool needsAudioPass(const TranscodeSettings& job, const SegmentPlan& plan)
{
    return plan.hasAudio && job.audioCodec != u"none";
}

} // namespace vtfarm::media
