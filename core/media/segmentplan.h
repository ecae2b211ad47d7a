#pragma once

#include "inputlimits.h"
#include "result.h"
#include "transcodesettings.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <atomic>

namespace vtfarm::media {

/// \brief One piece of a split job: the part of the input that one worker encodes.
///
/// Times are seconds on the input's timeline, which starts at its first timestamp: the timeline
/// TranscodeSettings::startSeconds and endSeconds are on.
struct Segment
{
    int index = 0;
    double start = 0; ///< a picture's time (a keyframe's where one is near), or the range's start
    double end = 0; ///< exclusive: the next segment's start, or the range's end
    qint64 frames = 0; ///< the input's video frames in [start, end): what the encode must give
    /// The last segment of a range that runs to the input's end: it is encoded to the end, however
    /// long the input turns out to be.
    bool toInputEnd = false;

    double seconds() const { return end - start; }
    QJsonObject toJson() const;
    static Result<Segment> fromJson(const QJsonObject& json);
    bool operator==(const Segment&) const = default;
};

/// \brief Where a long input is cut for a split job, and what the input holds.
struct SegmentPlan
{
    QList<Segment> segments;
    double rangeStart = 0;
    double rangeEnd = -1; ///< as asked; -1: the input's end
    double duration = 0; ///< the input's, in seconds (its longest stream, as the container says)
    double videoDuration = 0; ///< to the end of the last video frame
    int frameRateNum = 0; ///< the video's frame rate; 0 when it is variable
    int frameRateDen = 1;
    bool variableFrameRate = false;
    qint64 frames = 0; ///< video frames in the range
    qint64 keyframes = 0; ///< keyframes in the whole input
    bool hasAudio = false;
    bool hasSubtitles = false;

    QJsonObject toJson() const;
    static Result<SegmentPlan> fromJson(const QJsonObject& json);
    bool operator==(const SegmentPlan&) const = default;
};

/// \brief Seconds of the input before a segment (after the first) that its encoder is warmed up
/// on and then drops: an encoder's first pictures would otherwise be worse than those around them
/// (x264 in bitrate mode: SSIM 0.980 for 0.994 around a join). Not for SVT-AV1, which does not make
/// the keyframe the start needs.
inline constexpr double kSegmentPrerollSeconds = 1.0;

/// \brief Plans a split job from a scan of the input's video packets (their keyframe flags and
/// timestamps; nothing is decoded). Cuts fall near each multiple of \a segmentSeconds after
/// \a rangeStart: \a prerollSeconds (what segmentPreroll() gives the segments) after an input keyframe
/// within 15 % of a segment (at most 3 s) of it, so that a segment decodes only what it encodes; else
/// on the first picture at or after it, so that segments are even however sparse the keyframes are.
/// \a rangeEnd -1 is the input's end. The input is opened as untrusted (openInput).
Result<SegmentPlan> planSegments(const QString& input, double segmentSeconds = 60, double rangeStart = 0,
    double rangeEnd = -1, double prerollSeconds = kSegmentPrerollSeconds, const InputLimits& limits = {},
    const std::atomic<bool>* cancel = nullptr);

/// \brief Whether \a job can run split, as an error naming the field that stops it: the video must
/// be encoded (a copy cannot start between keyframes, and without video there is nothing to split),
/// and a job that checks its quality or keeps the smaller file runs whole.
Result<void> checkSplittable(const TranscodeSettings& job);

/// \brief The container the segments' video intermediates are written in: "mp4", which keeps every
/// packet's decoding and presentation times exactly, or "mkv" for a codec mp4 cannot hold.
QString segmentContainer(const TranscodeSettings& job);

/// \brief The preroll of the segments of \a job after the first: kSegmentPrerollSeconds, or none for a
/// codec that cannot start a segment on a forced keyframe.
double segmentPreroll(const TranscodeSettings& job);

/// \brief The settings one segment is encoded with: the job's, trimmed to the segment, video
/// only, keyframes closed IDRs (TranscodeSettings::closedGop), a preroll after the first segment,
/// overwriting a leftover of an earlier attempt. Every segment of a job gets the same encoder
/// settings, so they join.
TranscodeSettings segmentSettings(const TranscodeSettings& job, const Segment& segment);

/// \brief Seconds the audio pass's timestamps are moved by (TranscodeSettings::timestampOffsetSeconds),
/// and the join moves back (JoinOptions::audioTimestampOffset): enough for any encoder's delay.
inline constexpr double kAudioPassTimestampOffset = 1.0;

/// \brief The settings of the one pass that encodes the audio and subtitles of the whole range
/// (\a rangeEnd -1: to the input's end): no video, everything else as the job says, timestamps
/// moved by kAudioPassTimestampOffset. Write it in the job's own container, so that subtitles are
/// already in the form the output takes.
TranscodeSettings audioSettings(const TranscodeSettings& job, double rangeStart, double rangeEnd);

/// \brief Whether a split job needs that pass: the input has audio the job keeps, or subtitles it
/// keeps (subtitles ride with the audio: a job without audio drops them).
bool needsAudioPass(const TranscodeSettings& job, const SegmentPlan& plan);

} // namespace vtfarm::media
