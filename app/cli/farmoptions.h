#pragma once
// What the commands that run a queue share: batch, run, watch, and transcode when it splits.

#include "job.h"
#include "jobmanager.h"
#include "qualityscores.h"
#include "result.h"

#include <QString>

class QCommandLineParser;

namespace vtfarm::cli {

/// Adds --data-dir, -j, --in-process and the worker options.
void addFarmOptions(QCommandLineParser& parser);
/// --data-dir, or the user's vtfarm data folder.
QString dataDirFrom(const QCommandLineParser& parser);
/// The JobManager those options ask for.
Result<jobs::JobManager::Options> managerOptionsFrom(const QCommandLineParser& parser);
/// Queues \a specs in a JobManager with \a options, runs them to their end (or a signal) with a
/// line per job, and returns the command's exit status.
int runJobs(const jobs::JobManager::Options& options, const QList<jobs::JobSpec>& specs);
/// How a job ended, for a line of the command's output: "finished -> OUT (12.3 MB, 4.56x)".
QString describeEnd(const jobs::Job& job);
/// "SSIM 0.9731, PSNR 38.2 dB".
QString describeQuality(const media::QualityScores& quality);

} // namespace vtfarm::cli
