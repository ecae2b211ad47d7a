#pragma once

#include "inputlimits.h"
#include "qualityscores.h"
#include "result.h"

#include <QCoreApplication>
#include <QString>
#include <atomic>

namespace vtfarm::media {

/// Whether this libavfilter has the libvmaf filter (Debian's FFmpeg does not): asked at run time,
/// and the quality check computes VMAF only where it does.
bool vmafAvailable();

/// \brief Compares an encoded output with its input: SSIM and PSNR (and VMAF where available) with
/// libavfilter's own filters, on a sample of frames.
///
/// The input's pictures go through the encode's own filters (rotation, deinterlacing, the scaler
/// and its flags, the pixel format) so that what is measured is the loss of the encode alone. Cost
/// is kept to a fraction of the encode's by comparing a few short runs of consecutive frames spread
/// over the file, and by seeking to each run instead of decoding everything in between.
class QualityCheck
{
    Q_DECLARE_TR_FUNCTIONS(vtfarm::media::QualityCheck)
public:
    struct Options
    {
        /// The video filters the encode applied, without a frame rate change: the input's pictures
        /// become the output's size and format through them.
        QString referenceFilters;
        int inputStream = -1; ///< the input's video stream the encode read; -1: the best one
        int threads = 0; ///< libav threads for the decoders and filters (0: automatic)
        InputLimits limits;
        const std::atomic<bool>* cancel = nullptr; ///< when set to true, run() returns Canceled
        std::atomic<qint64>* activity = nullptr; ///< counts decoded frames, for a stall watchdog
        double durationSeconds = 0; ///< of the output; 0: as its container says
        qint64 frames = 0; ///< video frames in the output; 0: estimated from the duration
        int runs = 0; ///< runs of frames to compare; 0: about one every 3 s, from 3 to 20
        int framesPerRun = 5;
    };

    QualityCheck(QString input, QString output, Options options);
    Result<QualityScores> run();

private:
    QString m_input;
    QString m_output;
    Options m_options;
};

} // namespace vtfarm::media
