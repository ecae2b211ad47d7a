#pragma once

#include "inputlimits.h"
#include "result.h"
#include "transcodesettings.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

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
};

/// \brief What a finished transcode produced.
struct TranscodeReport
{
    QString outputPath;
    qint64 outputBytes = 0;
    qint64 frames = 0;
    double mediaSeconds = 0;
    double elapsedSeconds = 0;
    QStringList warnings;
};

/// \brief Transcodes one input file to one output file with libav.
///
/// Demuxing, decoding and filtering run on the calling thread and video encoding on a second one, so
/// both overlap. Output goes to OUTPUT.part, renamed to OUTPUT only on success and removed otherwise.
/// One pipeline per instance; instances share nothing.
class Transcoder
{
public:
    using ProgressCallback = std::function<void(const TranscodeProgress&)>;

    Transcoder(QString inputPath, QString outputPath, TranscodeSettings settings);
    ~Transcoder();
    Transcoder(const Transcoder&) = delete;
    Transcoder& operator=(const Transcoder&) = delete;

    /// Called from the transcoding threads, at most every \a intervalMs and once at the end.
    void setProgressCallback(ProgressCallback callback, int intervalMs = 100);
    void setLimits(const InputLimits& limits);

    /// Blocks until done. Returns ErrorCode::Canceled after cancel().
    Result<TranscodeReport> run();

    /// Thread-safe; run() returns within a fraction of a second.
    void cancel();

    static QString partPath(const QString& outputPath) { return outputPath + QStringLiteral(".part"); }

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace vtfarm::media
