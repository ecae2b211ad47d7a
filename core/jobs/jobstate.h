#pragma once

#include <QMetaType>
#include <QString>
#include <optional>

namespace vtfarm::jobs {
Q_NAMESPACE

/// \brief A job's lifecycle, in the RQ vocabulary the Python service's clients already read.
enum class JobState
{
    Queued,
    Started,
    Finished,
    Failed,
    Canceled
};
Q_ENUM_NS(JobState)

/// \brief Who asked for a job.
enum class JobSource
{
    Gui,
    Cli,
    Api,
    Watch ///< a file that appeared in a watch folder (core/watch)
};
Q_ENUM_NS(JobSource)

QString jobStateName(JobState state);
std::optional<JobState> jobStateFromString(const QString& text);

/// Whether a job may go from \a from to \a to. The JobManager's one transition function asks this.
bool isLegalTransition(JobState from, JobState to);

/// Finished, failed and canceled jobs are done; only retry brings them back.
inline bool isFinal(JobState s)
{
    return s == JobState::Finished || s == JobState::Failed || s == JobState::Canceled;
}

/// Whether a job in this state can be canceled: one waiting or running.
inline bool canCancel(JobState s)
{
    return isLegalTransition(s, JobState::Canceled);
}

/// Whether a job in this state can be retried: one that failed or was canceled.
inline bool canRetry(JobState s)
{
    return s == JobState::Failed || s == JobState::Canceled;
}

/// Every state, in the order the window and the API list them.
inline constexpr JobState kJobStates[]
    = { JobState::Queued, JobState::Started, JobState::Finished, JobState::Failed, JobState::Canceled };

} // namespace vtfarm::jobs
