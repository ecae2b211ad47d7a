// A stand-in for `vtfarm-cli worker` that speaks the worker protocol and behaves as the test's
// input file is named, so that tests of supervision (crashes, limits, stalls, stops) wait for
// nothing but the supervisor:
//   hold*    reports progress, moving, every 100 ms until told to stop
//   stall*   reports every 100 ms, but its pipeline never moves (a decoder stuck in a loop)
//   silent*  reports once, then says nothing more until told to stop
//   anything else: copies the input to the output (through OUTPUT.part) and finishes
#include "partfile.h"
#include "workerprotocol.h"

#include <QFile>
#include <QFileInfo>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>

using namespace vtfarm;
using namespace vtfarm::jobs;

namespace {

void emitLine(const QByteArray& line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || std::string(argv[1]) != "worker")
        return 2;
    std::string carry, line;
    if (!protocol::readLine(STDIN_FILENO, carry, line))
        return 1;
    auto request = protocol::parseRequest(QByteArray::fromStdString(line));
    if (!request) {
        emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Failed, request.error(), {} }));
        return 1;
    }
    const QString name = QFileInfo(request->input).fileName();
    const bool hold = name.startsWith(u"hold"), stall = name.startsWith(u"stall"),
               silent = name.startsWith(u"silent");
    if (!hold && !stall && !silent) {
        const QString part = media::partPath(request->output);
        QFile::remove(part);
        if (!QFile::copy(request->input, part) || !QFile::rename(part, request->output)) {
            emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Failed,
                { ErrorCode::IoError, QStringLiteral("copy failed"), {} }, {} }));
            return 1;
        }
        WorkerOutcome done { WorkerOutcome::Kind::Finished, {}, {} };
        done.report.outputBytes = QFileInfo(request->output).size();
        done.report.frames = 1;
        emitLine(protocol::outcomeLine(done));
        return 0;
    }
    std::atomic<bool> stop { false };
    std::thread reader([&stop, carry = std::move(carry)]() mutable {
        std::string command;
        while (protocol::readLine(STDIN_FILENO, carry, command)) {
            if (protocol::isStop(QByteArray::fromStdString(command)))
                break;
        }
        stop = true;
    });
    reader.detach();
    QFile part(media::partPath(request->output));
    part.open(QIODevice::WriteOnly); // a partial output, as a real worker leaves one
    media::TranscodeProgress p;
    p.durationSeconds = 100;
    qint64 activity = 0;
    for (int tick = 0; !stop; ++tick) {
        if (hold || tick == 0) {
            ++activity;
            p.frames = activity;
            p.positionSeconds = double(activity) / 10;
            p.fraction = std::min(0.99, p.positionSeconds / p.durationSeconds);
        }
        if (!silent || tick == 0)
            emitLine(protocol::progressLine(p, activity));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    part.remove();
    emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Stopped, {}, {} }));
    return 130;
}
