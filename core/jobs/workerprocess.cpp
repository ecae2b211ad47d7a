#include "workerprocess.h"

#include "partfile.h"
#include "transcoder.h"
#include "workerprotocol.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <sched.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace vtfarm::jobs {

namespace {

constexpr int kStopGraceMs = 3000;
constexpr int kExitStopped = 130;
constexpr int kHeartbeatMs = 1000;

// ioprio_set(2): the class in the top bits, the level (0 highest .. 7 lowest) below.
constexpr int kIoprioClassBestEffort = 2;
constexpr int kIoprioClassIdle = 3;
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioLowestLevel = 7;

std::mutex g_stdoutMutex;

void emitLine(const QByteArray& line)
{
    std::lock_guard lock(g_stdoutMutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

QString signalName(int sig)
{
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? QStringLiteral("SIG") + QString::fromLatin1(abbrev)
                  : QStringLiteral("signal %1").arg(sig);
}

// Where the worker was when it ended, for the error text.
QString whereItWas(const media::TranscodeProgress& last)
{
    if (last.frames == 0 && last.positionSeconds == 0)
        return QStringLiteral("before the first frame was written");
    return QStringLiteral("at %1% (%2 s, frame %3)")
        .arg(last.fraction * 100.0, 0, 'f', 0)
        .arg(last.positionSeconds, 0, 'f', 1)
        .arg(last.frames);
}

} // namespace

WorkerProcess::WorkerProcess(Options options)
    : m_options(std::move(options))
{ }

WorkerOutcome WorkerProcess::run(const WorkerRequest& request, const std::atomic<bool>& stop,
    const std::function<void(const media::TranscodeProgress&)>& onProgress)
{
    WorkerOutcome outcome;
    QProcess proc;
    proc.setProgram(m_options.program);
    proc.setArguments({ QStringLiteral("worker") });
    const pid_t parent = getpid();
    const rlim_t memoryLimit
        = m_options.memoryLimitBytes > 0 ? rlim_t(m_options.memoryLimitBytes) : RLIM_INFINITY;
    // Worker processes yield the CPU and the disk to the server and the window, so that the API
    // and the GUI answer while every core transcodes.
    const int policy = m_options.idleCpu ? SCHED_IDLE : SCHED_BATCH;
    const int niceness = m_options.idleCpu ? 19 : std::clamp(m_options.niceness, 0, 19);
    const int ioPriority = m_options.idleIo
        ? kIoprioClassIdle << kIoprioClassShift
        : (kIoprioClassBestEffort << kIoprioClassShift) | kIoprioLowestLevel;
    // Runs in the child between fork and exec: async-signal-safe calls only.
    proc.setChildProcessModifier([parent, memoryLimit, policy, niceness, ioPriority] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // dies with the thread that started it
        if (::getppid() != parent)
            ::_exit(111); // the parent is already gone
        ::setpgid(0, 0); // a terminal's Ctrl+C goes to the parent, which stops the worker itself
        const struct rlimit rl
        {
            memoryLimit, memoryLimit
        };
        ::setrlimit(RLIMIT_AS, &rl);
        const struct sched_param param
        {
            0
        };
        ::sched_setscheduler(0, policy, &param);
        ::setpriority(PRIO_PROCESS, 0, niceness);
        ::syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, ioPriority);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
    });
    proc.start(QIODevice::ReadWrite);
    if (!proc.waitForStarted(10000)) {
        outcome.error = { ErrorCode::Internal,
            QStringLiteral("Cannot start the worker program %1: %2.")
                .arg(m_options.program, proc.errorString()),
            {} };
        return outcome;
    }
    proc.write(protocol::requestLine(request));

    QElapsedTimer clock;
    clock.start();
    QElapsedTimer stopClock;
    QElapsedTimer sinceActivity; // since the pipeline last moved
    sinceActivity.start();
    qint64 lastActivity = -2;
    bool stopSent = false, timedOut = false, stalled = false, gotResult = false;
    media::TranscodeProgress last;
    QByteArray pending;
    QStringList stderrTail;

    auto readLines = [&] {
        pending += proc.readAllStandardOutput();
        qsizetype nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const protocol::Event event = protocol::parseEvent(pending.left(nl));
            pending.remove(0, nl + 1);
            if (event.kind == protocol::Event::Kind::Progress) {
                // A worker that says nothing about its activity counts as moving whenever it reports.
                if (event.activity < 0 || event.activity != lastActivity) {
                    lastActivity = event.activity;
                    sinceActivity.restart();
                }
                last = event.progress;
                if (onProgress)
                    onProgress(last);
            } else if (event.kind == protocol::Event::Kind::Outcome) {
                gotResult = true;
                outcome = event.outcome;
                if (outcome.kind == WorkerOutcome::Kind::Finished)
                    outcome.report.outputPath = request.output;
            }
        }
        for (const QByteArray& line : proc.readAllStandardError().split('\n')) {
            if (!line.trimmed().isEmpty())
                stderrTail.append(QString::fromUtf8(line.trimmed()));
        }
        while (stderrTail.size() > 3)
            stderrTail.removeFirst();
    };

    while (proc.state() != QProcess::NotRunning) {
        proc.waitForReadyRead(100);
        readLines();
        if (stop.load() && !stopSent) {
            proc.write(protocol::stopLine());
            stopSent = true;
            stopClock.start();
        }
        if (stopSent && stopClock.elapsed() > kStopGraceMs)
            proc.kill();
        if (!stopSent && !timedOut && !stalled && m_options.stallTimeoutSeconds > 0
            && sinceActivity.elapsed() > qint64(m_options.stallTimeoutSeconds) * 1000) {
            stalled = true;
            proc.kill(); // SIGKILL ends a stopped (SIGSTOP) process too
        }
        if (!stopSent && !timedOut && !stalled && m_options.timeLimitSeconds > 0
            && clock.elapsed() > qint64(m_options.timeLimitSeconds) * 1000) {
            timedOut = true;
            proc.kill();
        }
    }
    proc.waitForFinished(-1);
    readLines();

    const bool crashed = proc.exitStatus() == QProcess::CrashExit;
    const int code = proc.exitCode();
    if (stopSent && (!gotResult || outcome.kind != WorkerOutcome::Kind::Finished)) {
        outcome.kind = WorkerOutcome::Kind::Stopped;
    } else if (stalled) {
        outcome.kind = WorkerOutcome::Kind::Interrupted;
        outcome.error = { ErrorCode::LimitExceeded,
            QStringLiteral("No progress for %1 s %2; the worker was stopped.")
                .arg(m_options.stallTimeoutSeconds)
                .arg(whereItWas(last)),
            {} };
    } else if (timedOut) {
        outcome.kind = WorkerOutcome::Kind::Failed;
        outcome.error = { ErrorCode::LimitExceeded,
            QStringLiteral("The worker exceeded the time limit of %1 s %2 and was stopped.")
                .arg(m_options.timeLimitSeconds)
                .arg(whereItWas(last)),
            {} };
    } else if (crashed) {
        outcome.kind = WorkerOutcome::Kind::Failed;
        QString text = QStringLiteral("Worker crashed: %1 %2").arg(signalName(code), whereItWas(last));
        if (!stderrTail.isEmpty())
            text += QStringLiteral(" (last message: %1)").arg(stderrTail.last());
        if (code == SIGKILL || code == SIGABRT || code == SIGSEGV)
            text += QStringLiteral(". A damaged input or the worker's memory limit (%1 MiB) can cause this.")
                        .arg(m_options.memoryLimitBytes >> 20);
        outcome.error = { ErrorCode::Internal, text, {} };
    } else if (!gotResult) {
        outcome.kind = WorkerOutcome::Kind::Failed;
        outcome.error = { ErrorCode::Internal,
            QStringLiteral("The worker exited with status %1 without a result%2.")
                .arg(code)
                .arg(stderrTail.isEmpty() ? QString() : QStringLiteral(": ") + stderrTail.join(u' ')),
            {} };
    }
    if (outcome.kind != WorkerOutcome::Kind::Finished)
        QFile::remove(media::partPath(request.output));
    return outcome;
}

int WorkerProcess::serveChild()
{
    std::string carry, line;
    if (!protocol::readLine(STDIN_FILENO, carry, line)) {
        emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Failed,
            Error::invalid({}, QStringLiteral("No request on standard input.")), {} }));
        return 1;
    }
    auto request = protocol::parseRequest(QByteArray::fromStdString(line));
    if (!request) {
        emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Failed, request.error(), {} }));
        return 1;
    }
    // Shared with the stdin watcher, which may still hold it while the process exits.
    auto transcoder = std::make_shared<media::Transcoder>(request->input, request->output, request->settings);
    auto lastProgress = std::make_shared<std::pair<std::mutex, media::TranscodeProgress>>();
    transcoder->setProgressCallback(
        [transcoder = transcoder.get(), lastProgress](const media::TranscodeProgress& p) {
            {
                std::lock_guard lock(lastProgress->first);
                lastProgress->second = p;
            }
            emitLine(protocol::progressLine(p, transcoder->activity()));
        });
    // "stop" or the end of stdin (the parent is gone) stops the transcode.
    std::thread stdinWatcher([transcoder, carry = std::move(carry)]() mutable {
        std::string command;
        while (protocol::readLine(STDIN_FILENO, carry, command)) {
            if (protocol::isStop(QByteArray::fromStdString(command)))
                break;
        }
        transcoder->cancel();
    });
    stdinWatcher.detach(); // may still be blocked in read when we exit; the process ends it
    // At least one line a second, also while the pipeline seeks, flushes or waits: the
    // supervisor tells a busy worker from a stuck one by whether the activity count moves.
    std::mutex heartbeatMutex;
    std::condition_variable heartbeatCv;
    bool finished = false;
    std::thread heartbeat([&] {
        std::unique_lock lock(heartbeatMutex);
        while (
            !heartbeatCv.wait_for(lock, std::chrono::milliseconds(kHeartbeatMs), [&] { return finished; })) {
            media::TranscodeProgress p;
            {
                std::lock_guard progressLock(lastProgress->first);
                p = lastProgress->second;
            }
            emitLine(protocol::progressLine(p, transcoder->activity()));
        }
    });
    auto result = transcoder->run();
    {
        std::lock_guard lock(heartbeatMutex);
        finished = true;
    }
    heartbeatCv.notify_all();
    heartbeat.join();
    if (result) {
        emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Finished, {}, *result }));
        return 0;
    }
    if (result.error().code == ErrorCode::Canceled) {
        emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Stopped, {}, {} }));
        return kExitStopped;
    }
    emitLine(protocol::outcomeLine({ WorkerOutcome::Kind::Failed, result.error(), {} }));
    return 1;
}

} // namespace vtfarm::jobs
