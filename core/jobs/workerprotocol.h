#pragma once

#include "workerbackend.h"

#include <QByteArray>
#include <QJsonObject>
#include <optional>
#include <string>

namespace vtfarm::jobs::protocol {

/// The version of the worker protocol: JSON lines between a job's supervisor and its worker
/// process (and, for progress and outcomes, between a node and its coordinator). A worker
/// refuses a request of another version.
inline constexpr int kVersion = 1;

/// Supervisor to worker: the request, as the first line.
QByteArray requestLine(const WorkerRequest& request);
Result<WorkerRequest> parseRequest(const QByteArray& line);
/// Supervisor to worker: stop now (removing the partial output).
QByteArray stopLine();
bool isStop(const QByteArray& line);

/// Worker to supervisor: where the transcode is. \a activity counts the pipeline's steps (packets
/// read, frames written), so that a worker stuck inside a decoder shows as stuck although it
/// still reports every second.
QByteArray progressLine(const media::TranscodeProgress& progress, qint64 activity);
/// Worker to supervisor: how it ended (the last line).
QByteArray outcomeLine(const WorkerOutcome& outcome);

QJsonObject progressJson(const media::TranscodeProgress& progress);
media::TranscodeProgress progressFromJson(const QJsonObject& o);
QJsonObject outcomeJson(const WorkerOutcome& outcome);
WorkerOutcome outcomeFromJson(const QJsonObject& o);

/// The next line read from \a fd with read(2); \a carry keeps what came after it. A last line
/// without its newline counts; false at the end. Not std::cin: a thread blocked reading it holds
/// stdin's FILE lock, and exit() waits for that lock on glibc 2.41 (Debian 13), so a finished
/// worker would not end until its parent wrote again.
bool readLine(int fd, std::string& carry, std::string& line);

/// \brief One line from a worker.
struct Event
{
    enum class Kind
    {
        Progress,
        Outcome,
        Invalid
    };
    Kind kind = Kind::Invalid;
    media::TranscodeProgress progress;
    qint64 activity = -1; ///< -1 when the worker did not say
    WorkerOutcome outcome;
};
Event parseEvent(const QByteArray& line);

} // namespace vtfarm::jobs::protocol
