#pragma once

#include "result.h"
#include "transcodereport.h"
#include "transcodesettings.h"

#include <QString>
#include <QUuid>
#include <functional>
#include <memory>

namespace vtfarm::jobs {

/// \brief What a worker transcodes.
struct WorkerRequest
{
    QString input;
    QString output;
    media::TranscodeSettings settings;
    QUuid job;
    int attempt = 0; ///< the job's attempt this run is; a result for another attempt is stale
};

/// \brief How a run ended.
struct WorkerOutcome
{
    enum class Kind
    {
        Finished,
        Failed, ///< the job itself failed: running it again would fail again
        Stopped, ///< stop() was asked
        Interrupted, ///< the run was lost (a worker that hung, a node gone): the job may run again
        Returned, ///< handed back unfinished (a node that stops): the job runs again, no attempt spent
    };
    Kind kind = Kind::Failed;
    Error error; ///< when Failed or Interrupted
    media::TranscodeReport report; ///< when Finished
};

/// \brief What a run tells the one who started it. Called from any thread; `finished` exactly
/// once and last.
struct WorkerEvents
{
    /// The request has begun to run on \a node (empty: on this machine).
    std::function<void(const QString& node)> started;
    std::function<void(const media::TranscodeProgress&)> progress;
    std::function<void(const WorkerOutcome&)> finished;
};

/// \brief A request a backend is running.
class WorkerRun
{
public:
    virtual ~WorkerRun() = default;
    /// Asks the run to end early; `finished` then reports Stopped, or the result if it came first.
    /// Thread-safe; returns at once.
    virtual void stop() = 0;
};

/// \brief Where requests run: "run this request, report progress, stop when asked".
///
/// Worker processes on this machine and transcodes inside this process are two backends; remote
/// nodes are a third; tests use a controllable fake. How many requests a backend gets at once is
/// the JobManager's business (its slots), not the backend's.
class WorkerBackend
{
public:
    virtual ~WorkerBackend() = default;
    /// Starts \a request and returns at once; \a events report on it.
    virtual std::shared_ptr<WorkerRun> start(const WorkerRequest& request, WorkerEvents events) = 0;
    /// Ends every run (each reports `finished`, most as Stopped) and returns once all have.
    /// A backend whose runs go on without this process (remote nodes) reports nothing instead.
    virtual void shutdown() = 0;
    /// Takes up again a run this backend was given by an earlier process (the job is in the
    /// store as \a begun ? started : queued): nullptr when it cannot.
    virtual std::shared_ptr<WorkerRun> adopt(const WorkerRequest& request, WorkerEvents events, bool begun)
    {
        (void)request;
        (void)events;
        (void)begun;
        return nullptr;
    }
};

} // namespace vtfarm::jobs
