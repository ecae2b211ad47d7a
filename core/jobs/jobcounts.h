#pragma once

#include "job.h"

namespace vtfarm::jobs {

/// \brief How many jobs are in each state, the work done, and the farm's load: counted once, in
/// JobManager::counts(), for the window, the API and the metrics.
struct JobCounts
{
    /// A running job whose pipeline has not moved for this long is stalled; the worker's watchdog
    /// (--stall-timeout) ends it later.
    static constexpr int kStalledAfterSeconds = 10;

    int queued = 0, started = 0, finished = 0, failed = 0, canceled = 0;
    /// Of the jobs queued, started and finished: finished ones count 1, started ones their progress.
    double workDone = 0;
    int running = 0; ///< workers busy: local ones, and the farm's nodes' busy slots
    int stalled = 0; ///< of those, how many have not moved for kStalledAfterSeconds
    int maxConcurrent = 0; ///< local slots, and the farm's nodes' slots
    bool paused = false;

    int total() const { return queued + started + finished + failed + canceled; }
    /// Jobs not yet ended.
    int pending() const { return queued + started; }
    int of(JobState state) const
    {
        switch (state) {
        case JobState::Queued:
            return queued;
        case JobState::Started:
            return started;
        case JobState::Finished:
            return finished;
        case JobState::Failed:
            return failed;
        case JobState::Canceled:
            return canceled;
        }
        return 0;
    }
    /// Of the work queued, started and finished, the part done (0..1); 0 when there is none.
    double fractionDone() const
    {
        const int batch = queued + started + finished;
        return batch > 0 ? workDone / batch : 0.0;
    }
    /// Counts \a job, unless it is a segment of a split job: that is counted as its parent, one job.
    void add(const Job& job)
    {
        if (job.isChild())
            return;
        switch (job.state) {
        case JobState::Queued:
            ++queued;
            break;
        case JobState::Started:
            ++started;
            workDone += job.progress;
            break;
        case JobState::Finished:
            ++finished;
            workDone += 1;
            break;
        case JobState::Failed:
            ++failed;
            break;
        case JobState::Canceled:
            ++canceled;
            break;
        }
    }
};

} // namespace vtfarm::jobs
