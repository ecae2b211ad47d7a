#include "jobstate.h"

namespace vtfarm::jobs {

QString jobStateName(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return QStringLiteral("queued");
    case JobState::Started:
        return QStringLiteral("started");
    case JobState::Finished:
        return QStringLiteral("finished");
    case JobState::Failed:
        return QStringLiteral("failed");
    case JobState::Canceled:
        return QStringLiteral("canceled");
    }
    return {};
}

std::optional<JobState> jobStateFromString(const QString& text)
{
    for (JobState s : kJobStates) {
        if (text == jobStateName(s))
            return s;
    }
    return std::nullopt;
}

bool isLegalTransition(JobState from, JobState to)
{
    switch (from) {
    case JobState::Queued:
        return to == JobState::Started || to == JobState::Canceled;
    case JobState::Started:
        // back to queued: the program stopped while the job ran, and it runs again
        return to == JobState::Finished || to == JobState::Failed || to == JobState::Canceled
            || to == JobState::Queued;
    case JobState::Failed:
    case JobState::Canceled:
        return to == JobState::Queued; // retry
    case JobState::Finished:
        return false;
    }
    return false;
}

} // namespace vtfarm::jobs
