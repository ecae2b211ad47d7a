#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <optional>

namespace vtfarm::media {

/// \brief How close an output is to its input, as the quality check measured it on a sample of
/// frames (qualitycheck.h). Empty when it was not measured.
struct QualityScores
{
    std::optional<double> ssim; ///< 0..1, 1 for identical pictures (libavfilter's ssim, "All")
    std::optional<double> psnr; ///< dB, from the mean squared error of the compared frames; 100 if none
    std::optional<double> vmaf; ///< 0..100, only where libavfilter has libvmaf
    int framesCompared = 0;
    double seconds = 0; ///< how long the check took (not stored with a job)

    bool measured() const { return ssim.has_value(); }
    /// {"ssim", "psnr", "vmaf", "vmaf_available"}, or null when not measured: what a job's JSON
    /// shows as "quality".
    QJsonValue toJson() const;
    /// What toJson() wrote, plus the worker protocol's "frames" and "seconds".
    static QualityScores fromJson(const QJsonValue& json);
    bool operator==(const QualityScores&) const = default;
};

} // namespace vtfarm::media
