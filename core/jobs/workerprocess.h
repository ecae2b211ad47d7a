#pragma once

#include "result.h"
#include "transcoder.h"

#include <QString>

#include <atomic>
#include <functional>

namespace vtfarm::jobs {

/// \brief What a worker transcodes.
struct WorkerRequest
{
    QString input;
    QString output;
    media::TranscodeSettings settings;
};

/// \brief How a worker ended.
struct WorkerOutcome
{
    enum class Kind { Finished, Failed, Stopped };
    Kind kind = Kind::Failed;
    Error error; ///< when Failed
    media::TranscodeReport report; ///< when Finished
};

/// \brief Runs one transcode, in a child process (`vtfarm-cli worker`) or, for tests and debugging,
/// on the calling thread.
///
/// The child gets an address-space limit, a wall-clock limit and dies with its parent
/// (PR_SET_PDEATHSIG, and EOF on its stdin). Its request goes as one JSON line on stdin; progress
/// and the result come back as JSON lines on stdout. A crash or a limit becomes the job's error text.
class WorkerProcess
{
public:
    enum class Mode { ChildProcess, InProcess };
    struct Options
    {
        Mode mode = Mode::ChildProcess;
        QString program; ///< the vtfarm-cli executable
        qint64 memoryLimitBytes = 8LL << 30;
        int timeLimitSeconds = 6 * 3600;
    };

    explicit WorkerProcess(Options options);

    /// Blocks until the transcode ends. \a stop set to true from any thread ends it early
    /// (Kind::Stopped, partial output removed). \a onProgress is called on this thread.
    WorkerOutcome run(const WorkerRequest& request, const std::atomic<bool>& stop,
        const std::function<void(const media::TranscodeProgress&)>& onProgress);

    /// The child side: reads the request from stdin, transcodes, writes JSON lines to stdout.
    /// Returns the process exit status (0 finished, 1 failed, 130 stopped).
    static int serveChild();

private:
    WorkerOutcome runChild(const WorkerRequest& request, const std::atomic<bool>& stop,
        const std::function<void(const media::TranscodeProgress&)>& onProgress);
    WorkerOutcome runInProcess(const WorkerRequest& request, const std::atomic<bool>& stop,
        const std::function<void(const media::TranscodeProgress&)>& onProgress);
    Options m_options;
};

} // namespace vtfarm::jobs
