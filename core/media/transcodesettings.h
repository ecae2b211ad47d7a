#pragma once

#include "codecs.h"
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace vtfarm::media {

/// \brief Output picture size: keep the input's, exactly WxH, or a height that keeps the aspect ratio.
struct Resolution
{
    enum class Kind
    {
        Keep,
        Exact,
        Height
    };
    Kind kind = Kind::Keep;
    int width = 0;
    int height = 0;

    static Resolution keep() { return {}; }
    static Resolution exact(int w, int h) { return { Kind::Exact, w, h }; }
    static Resolution maxHeight(int h) { return { Kind::Height, 0, h }; }
    /// "1280x720", "720p", "keep" (or empty); nullopt when the text is none of these.
    static std::optional<Resolution> parse(const QString& text);
    QString toString() const;
    bool operator==(const Resolution&) const = default;
};

/// \brief How near a range's start or end, in microseconds, a timestamp counts as on it: a time in
/// seconds and a frame's timestamp in its stream's time base round differently. The Transcoder's
/// trim and the segment plan both count frames so.
inline constexpr qint64 kRangeToleranceUs = 1000;

/// \brief Everything that decides how one file is transcoded. Defaults are the Python service's form
/// defaults (libx264, 1000k, 1280x720, AAC audio) with the encoder's default preset.
struct TranscodeSettings
{
    QString videoCodec = QStringLiteral("libx264"); ///< libx264, libx265, libvpx-vp9, libsvtav1, copy, none
    qint64 videoBitrate = 1'000'000; ///< bits per second; ignored when crf >= 0
    int crf = -1; ///< constant quality; -1 selects bitrate mode
    Resolution resolution = Resolution::exact(1280, 720);
    int fpsNum = 0; ///< 0: keep the input's frame timing
    int fpsDen = 1;
    QString encoderPreset; ///< empty: the encoder's own default (x264/x265 "medium")
    QString audioCodec = QStringLiteral("aac"); ///< aac, libopus, copy, none
    qint64 audioBitrate = 0; ///< 0: the encoder's default
    int threads = 0; ///< libav threads per decoder/encoder; 0 = automatic, as the ffmpeg CLI
    bool overwrite = false;
    /// The range of the input written, in seconds from its start: the frame at (or covering)
    /// startSeconds is the output's first, at time 0; endSeconds is exclusive, -1 for the input's end.
    double startSeconds = 0;
    double endSeconds = -1;
    bool subtitles = true; ///< false drops every subtitle track
    /// Every video keyframe an IDR of a closed GOP, the first frame one of them: what the segments
    /// of a split job need so that their packets join into one valid stream.
    bool closedGop = false;
    /// With closedGop and a start: the video encoder is warmed up on this many seconds before the
    /// start, whose pictures are then dropped (the start is a forced IDR), so that the first
    /// pictures get the quality of the ones after them and not that of an encoder's first frames.
    double prerollSeconds = 0;
    /// Added to every timestamp written. An intermediate that is joined later keeps its encoders'
    /// delay (AAC's priming, before 0) with it so: Matroska (FFmpeg 5.1) would otherwise move the
    /// whole file by that delay, and the join could not tell by how much.
    double timestampOffsetSeconds = 0;

    /// Whether only part of the input is written.
    bool trims() const { return startSeconds > 0 || endSeconds >= 0; }
    // After the encode (qualitycheck.h), in the same worker:
    bool qualityCheck = false; ///< measure SSIM and PSNR of the output against the input
    double minSsim = 0; ///< 0: none; else below it the output is removed and the job fails
    bool skipIfLarger = false; ///< an output larger than its input is removed; the input is kept

    /// Whether the output's quality is measured: asked for, or needed for min_ssim.
    bool checksQuality() const { return qualityCheck || minSsim > 0; }
    QJsonObject toJson() const;
    /// Reads what toJson wrote; missing keys keep their defaults, wrong types and values are errors.
    static Result<TranscodeSettings> fromJson(const QJsonObject& json);
    bool operator==(const TranscodeSettings&) const = default;
};

/// "mp4" for "/a/b.MP4"; empty when the extension is not one vtfarm writes.
QString containerForPath(const QString& path);
/// libavformat's muxer for a container vtfarm writes ("matroska" for "mkv"), or nullptr.
const char* muxerForContainer(const QString& container);

/// "1000k", "2.5M", "800000" -> bits per second; nullopt when malformed.
std::optional<qint64> parseBitrate(const QString& text);
QString formatBitrate(qint64 bitsPerSecond);
/// "30", "29.97", "30000/1001" -> num/den; nullopt when malformed.
std::optional<std::pair<int, int>> parseFrameRate(const QString& text);
/// "12.5", "62", "1:02.5", "00:01:02.5" -> seconds; nullopt when malformed or negative.
std::optional<double> parseTimestamp(const QString& text);
/// 62.5 -> "62.5"; the shortest text that parseTimestamp reads back as the same number.
QString formatTimestamp(double seconds);

/// Every problem with these settings for that container, each naming its field; empty when valid.
QList<Error> validate(const TranscodeSettings& settings, const QString& container);

} // namespace vtfarm::media
