#pragma once

#include "inputlimits.h"
#include "partfile.h"
#include "result.h"
#include "transcodereport.h"
#include "transcodesettings.h"

#include <QString>
#include <QStringList>
#include <functional>
#include <memory>

namespace vtfarm::media {

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

    /// Steps the pipeline has taken (packets read and written); thread-safe. It stands still only
    /// when the transcode is stuck.
    qint64 activity() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace vtfarm::media
