#pragma once

#include "jobstore.h"
#include "result.h"

#include <QStringList>

namespace vtfarm::jobs {
class JobManager;
}

namespace vtfarm::cli {

/// Exit statuses of every vtfarm-cli command.
enum ExitStatus
{
    ExitOk = 0,
    ExitFailed = 1, ///< the work failed (a job, a file, the server)
    ExitUsage = 2, ///< the command line or the settings are wrong
    ExitInterrupted = 130, ///< SIGINT/SIGTERM; partial output removed
};

// Each takes the arguments after the command name and returns an ExitStatus.
int transcodeCommand(const QStringList& args);
int probeCommand(const QStringList& args);
int batchCommand(const QStringList& args);
int runCommand(const QStringList& args);
int jobsCommand(const QStringList& args);
int presetsCommand(const QStringList& args);
int serveCommand(const QStringList& args);
int nodeCommand(const QStringList& args);
int watchCommand(const QStringList& args);
/// Hidden: the child side of a WorkerProcess.
int workerCommand(const QStringList& args);

/// Says on stderr what a recovery of a damaged job store saved and where the damaged copy is.
void reportRecovery(const jobs::JobStore::Recovery& recovery);
/// Opens \a manager and reports a recovery of its store, as every queue command does.
Result<void> openManager(jobs::JobManager& manager);

} // namespace vtfarm::cli
