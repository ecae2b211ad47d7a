#pragma once

#include "workerbackend.h"

#include <QString>
#include <atomic>
#include <functional>

namespace vtfarm::jobs {

/// \brief Runs one transcode in a child process, `vtfarm-cli worker`, and is that child's side too.
///
/// The child gets an address-space limit, a wall-clock limit and dies with its parent
/// (PR_SET_PDEATHSIG, and EOF on its stdin); it runs at a lower CPU and I/O priority than its
/// parent. The request goes as one JSON line on stdin; progress and the result come back as JSON
/// lines on stdout (workerprotocol.h). A crash, a limit or a stall becomes the job's error text.
class WorkerProcess
{
public:
    enum class Mode
    {
        ChildProcess,
        InProcess
    };
    struct Options
    {
        Mode mode = Mode::ChildProcess; ///< which local backend makeLocalWorkers() builds
        QString program; ///< the vtfarm-cli executable
        qint64 memoryLimitBytes = 8LL << 30;
        int timeLimitSeconds = 6 * 3600; ///< the last resort against a worker that never ends
        /// A worker that reports no progress for this long is stuck (or stopped): it is killed and
        /// the job runs again. 0: never.
        int stallTimeoutSeconds = 120;
        /// Workers yield the CPU and the disk to the server and the window. By default they run
        /// in the idle scheduling class: they get the CPU time nothing else wants, which on an
        /// otherwise quiet machine is all of it, and a server or window thread that wakes up takes
        /// a core from them at once. With 64 clients (all let in) asking for a job's status while
        /// two transcodes ran, p99 was 3.0-3.9 ms in the idle class against 3.7-4.7 ms at nice 19.
        bool idleCpu = true;
        /// Without idleCpu: batch scheduling (a worker never preempts them) at this nice value.
        int niceness = 19;
        bool idleIo = false;
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
    Options m_options;
};

} // namespace vtfarm::jobs
