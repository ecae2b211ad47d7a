#pragma once

#include "inputlimits.h"
#include "result.h"
#include "segmentplan.h"
#include "transcodereport.h"

#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <optional>

namespace vtfarm::media {

/// \brief How joinSegments checks and writes.
struct JoinOptions
{
    bool overwrite = false; ///< replace an existing output
    /// The plan the segments were encoded from, in the same order. With it, each segment's
    /// picture count is checked (where the frame rate was kept) and, for an input of variable
    /// frame rate, each segment is placed at its own start on the input's timeline. Without it the
    /// segments are laid end to end.
    std::optional<SegmentPlan> plan;
    /// What the audio file's timestamps were moved by when it was written (audioSettings does so).
    double audioTimestampOffset = kAudioPassTimestampOffset;
    InputLimits limits; ///< for opening the segments and the audio file
    const std::atomic<bool>* cancel = nullptr; ///< when set, the join stops with ErrorCode::Canceled
    /// Called after each segment is written; frames and positionSeconds are of the output so far.
    std::function<void(const TranscodeProgress&)> progress;
};

/// \brief Joins the video of \a videoSegments (intermediates written with segmentSettings, in
/// order) with the audio and subtitle streams of \a audioAndSubtitles (written with audioSettings;
/// may be empty) into \a output, whose extension picks the container (mp4, mkv, webm, mov). No
/// packet is re-encoded: the segments' timestamps are made continuous (a constant frame duration
/// across every join for a constant frame rate) and the audio keeps its own.
///
/// Refuses, naming the segment, what cannot join cleanly: a missing or unreadable file, codec
/// parameters or extradata that differ between segments, a segment that does not start with a
/// keyframe (an IDR for H.264 and H.265), one that overlaps the one before or, with a plan, has
/// other than the pictures of its range. Writes OUTPUT.part and renames it on success; an
/// existing output is kept unless \a options says overwrite.
Result<TranscodeReport> joinSegments(const QStringList& videoSegments, const QString& audioAndSubtitles,
    const QString& output, const JoinOptions& options = {});

} // namespace vtfarm::media
