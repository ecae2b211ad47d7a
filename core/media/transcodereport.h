#pragma once

#include "qualityscores.h"

#include <QString>
#include <QStringList>

namespace vtfarm::media {

/// \brief Where a running transcode is; passed to the progress callback.
struct TranscodeProgress
{
    double fraction = 0; ///< 0..1 of the input's duration written
    qint64 frames = 0; ///< video frames encoded
    double fps = 0; ///< frames encoded per wall-clock second
    double speed = 0; ///< media seconds written per wall-clock second
    double etaSeconds = -1; ///< -1 while unknown
    double positionSeconds = 0;
    double durationSeconds = 0;
    /// Steps the pipeline has taken, when the reporter counts them (-1: not counted); a count
    /// that stands still means a stuck transcode, however often it is reported.
    qint64 activity = -1;
};

/// \brief What a finished transcode produced.
struct TranscodeReport
{
    QString outputPath;
    qint64 outputBytes = 0;
    qint64 frames = 0;
    double mediaSeconds = 0;
    double elapsedSeconds = 0; ///< the quality check's time included
    QStringList warnings;
    QualityScores quality; ///< when the settings asked for the quality check
    /// The output was larger than the input and skip_if_larger removed it: there is no output.
    bool inputKept = false;
};

} // namespace vtfarm::media
