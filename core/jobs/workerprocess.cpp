#include "workerprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace vtfarm::jobs {

namespace {

constexpr int kStopGraceMs = 3000;
constexpr int kExitStopped = 130;

QJsonObject progressJson(const media::TranscodeProgress& p)
{
    return { { "event", "progress" }, { "fraction", p.fraction }, { "frames", p.frames }, { "fps", p.fps },
        { "speed", p.speed }, { "eta", p.etaSeconds }, { "position", p.positionSeconds }, { "duration", p.durationSeconds } };
}

media::TranscodeProgress progressFromJson(const QJsonObject& o)
{
    media::TranscodeProgress p;
    p.fraction = o.value(u"fraction").toDouble();
    p.frames = o.value(u"frames").toInteger();
    p.fps = o.value(u"fps").toDouble();
    p.speed = o.value(u"speed").toDouble();
    p.etaSeconds = o.value(u"eta").toDouble(-1);
    p.positionSeconds = o.value(u"position").toDouble();
    p.durationSeconds = o.value(u"duration").toDouble();
    return p;
}

// One line of standard input read with read(2); \a carry keeps what came after it. Not with
// std::cin: the stdin watcher blocks in its read holding stdin's FILE lock, and exit() waits for
// that lock on Debian 13 (glibc 2.41), so a finished worker did not end until its parent wrote
// again or closed the pipe.
bool readStdinLine(std::string& carry, std::string& line)
{
    for (;;) {
        if (const size_t nl = carry.find('\n'); nl != std::string::npos) {
            line = carry.substr(0, nl);
            carry.erase(0, nl + 1);
            return true;
        }
        char buf[4096];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            // As with std::getline, a last line without its newline still counts.
            line = std::move(carry);
            carry.clear();
            return !line.empty();
        }
        carry.append(buf, size_t(n));
    }
}

void emitLine(const QJsonObject& o)
{
    const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

QString signalName(int sig)
{
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? QStringLiteral("SIG") + QString::fromLatin1(abbrev) : QStringLiteral("signal %1").arg(sig);
}

// Where the worker was when it ended, for the error text.
QString whereItWas(const media::TranscodeProgress& last)
{
    if (last.frames == 0 && last.positionSeconds == 0)
        return QStringLiteral("before the first frame was written");
    return QStringLiteral("at %1% (%2 s, frame %3)").arg(last.fraction * 100.0, 0, 'f', 0).arg(last.positionSeconds, 0, 'f', 1).arg(last.frames);
}

} // namespace

WorkerProcess::WorkerProcess(Options options)
    : m_options(std::move(options))
{
}

WorkerOutcome WorkerProcess::run(const WorkerRequest& request, const std::atomic<bool>& stop,
    const std::function<void(const media::TranscodeProgress&)>& onProgress)
{
    return m_options.mode == Mode::InProcess ? runInProcess(request, stop, onProgress) : runChild(request, stop, onProgress);
}

WorkerOutcome WorkerProcess::runInProcess(const WorkerRequest& request, const std::atomic<bool>& stop,
    const std::function<void(const media::TranscodeProgress&)>& onProgress)
{
    media::Transcoder transcoder(request.input, request.output, request.settings);
    transcoder.setProgressCallback(onProgress);
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::thread watcher([&] {
        std::unique_lock lock(mutex);
        while (!done) {
            if (stop.load()) {
                transcoder.cancel();
                return;
            }
            cv.wait_for(lock, std::chrono::milliseconds(20));
        }
    });
    auto result = transcoder.run();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    cv.notify_all();
    watcher.join();
    WorkerOutcome outcome;
    if (result) {
        outcome.kind = WorkerOutcome::Kind::Finished;
        outcome.report = *result;
    } else if (result.error().code == ErrorCode::Canceled) {
        outcome.kind = WorkerOutcome::Kind::Stopped;
    } else {
        outcome.kind = WorkerOutcome::Kind::Failed;
        outcome.error = result.error();
    }
    return outcome;
}

WorkerOutcome WorkerProcess::runChild(const WorkerRequest& request, const std::atomic<bool>& stop,
    const std::function<void(const media::TranscodeProgress&)>& onProgress)
{
    WorkerOutcome outcome;
    QProcess proc;
    proc.setProgram(m_options.program);
    proc.setArguments({ QStringLiteral("worker") });
    const pid_t parent = getpid();
    const rlim_t memoryLimit = m_options.memoryLimitBytes > 0 ? rlim_t(m_options.memoryLimitBytes) : RLIM_INFINITY;
    // Runs in the child between fork and exec: async-signal-safe calls only.
    proc.setChildProcessModifier([parent, memoryLimit] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // dies with the thread that started it
        if (::getppid() != parent)
            ::_exit(111); // the parent is already gone
        ::setpgid(0, 0); // a terminal's Ctrl+C goes to the parent, which stops the worker itself
        const struct rlimit rl { memoryLimit, memoryLimit };
        ::setrlimit(RLIMIT_AS, &rl);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
    });
    proc.start(QIODevice::ReadWrite);
    if (!proc.waitForStarted(10000)) {
        outcome.error = { ErrorCode::Internal,
            QStringLiteral("Cannot start the worker program %1: %2.").arg(m_options.program, proc.errorString()), {} };
        return outcome;
    }
    QJsonObject req { { "input", request.input }, { "output", request.output }, { "settings", request.settings.toJson() } };
    proc.write(QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n');

    QElapsedTimer clock;
    clock.start();
    QElapsedTimer stopClock;
    bool stopSent = false, timedOut = false, gotResult = false;
    media::TranscodeProgress last;
    QByteArray pending;
    QStringList stderrTail;

    auto readLines = [&] {
        pending += proc.readAllStandardOutput();
        qsizetype nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
            const QJsonObject o = QJsonDocument::fromJson(pending.left(nl)).object();
            pending.remove(0, nl + 1);
            const QString event = o.value(u"event").toString();
            if (event == u"progress") {
                last = progressFromJson(o);
                if (onProgress)
                    onProgress(last);
            } else if (event == u"finished") {
                gotResult = true;
                outcome.kind = WorkerOutcome::Kind::Finished;
                outcome.report.outputPath = request.output;
                outcome.report.outputBytes = o.value(u"output_bytes").toInteger();
                outcome.report.frames = o.value(u"frames").toInteger();
                outcome.report.mediaSeconds = o.value(u"media_seconds").toDouble();
                outcome.report.elapsedSeconds = o.value(u"elapsed").toDouble();
                for (const QJsonValue& w : o.value(u"warnings").toArray())
                    outcome.report.warnings.append(w.toString());
            } else if (event == u"failed") {
                gotResult = true;
                outcome.kind = WorkerOutcome::Kind::Failed;
                outcome.error = { errorCodeFromName(o.value(u"code").toString()), o.value(u"message").toString(), o.value(u"field").toString() };
            } else if (event == u"stopped") {
                gotResult = true;
                outcome.kind = WorkerOutcome::Kind::Stopped;
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
            proc.write("stop\n");
            stopSent = true;
            stopClock.start();
        }
        if (stopSent && stopClock.elapsed() > kStopGraceMs)
            proc.kill();
        if (!timedOut && m_options.timeLimitSeconds > 0 && clock.elapsed() > qint64(m_options.timeLimitSeconds) * 1000) {
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
    } else if (timedOut) {
        outcome.kind = WorkerOutcome::Kind::Failed;
        outcome.error = { ErrorCode::LimitExceeded,
            QStringLiteral("The worker exceeded the time limit of %1 s %2 and was stopped.").arg(m_options.timeLimitSeconds).arg(whereItWas(last)), {} };
    } else if (crashed) {
        outcome.kind = WorkerOutcome::Kind::Failed;
        QString text = QStringLiteral("Worker crashed: %1 %2").arg(signalName(code), whereItWas(last));
        if (!stderrTail.isEmpty())
            text += QStringLiteral(" (last message: %1)").arg(stderrTail.last());
        if (code == SIGKILL || code == SIGABRT || code == SIGSEGV)
            text += QStringLiteral(". A damaged input or the worker's memory limit (%1 MiB) can cause this.").arg(m_options.memoryLimitBytes >> 20);
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
        QFile::remove(media::Transcoder::partPath(request.output));
    return outcome;
}

int WorkerProcess::serveChild()
{
    std::string carry, line;
    if (!readStdinLine(carry, line)) {
        emitLine({ { "event", "failed" }, { "code", "invalid_argument" }, { "message", "No request on standard input." } });
        return 1;
    }
    QJsonParseError parseError {};
    const QJsonObject req = QJsonDocument::fromJson(QByteArray::fromStdString(line), &parseError).object();
    auto settings = media::TranscodeSettings::fromJson(req.value(u"settings").toObject());
    if (parseError.error != QJsonParseError::NoError || !settings) {
        emitLine({ { "event", "failed" }, { "code", "invalid_argument" },
            { "message", settings ? QStringLiteral("The request is not JSON: %1.").arg(parseError.errorString()) : settings.error().message },
            { "field", settings ? QString() : settings.error().field } });
        return 1;
    }
    // Shared with the stdin watcher, which may still hold it while the process exits.
    auto transcoder = std::make_shared<media::Transcoder>(req.value(u"input").toString(), req.value(u"output").toString(), *settings);
    transcoder->setProgressCallback([](const media::TranscodeProgress& p) { emitLine(progressJson(p)); });
    // "stop" or the end of stdin (the parent is gone) stops the transcode.
    std::thread stdinWatcher([transcoder, carry = std::move(carry)]() mutable {
        std::string command;
        while (readStdinLine(carry, command)) {
            if (command == "stop")
                break;
        }
        transcoder->cancel();
    });
    stdinWatcher.detach(); // may still be blocked in read when we exit; the process ends it
    auto result = transcoder->run();
    if (result) {
        emitLine({ { "event", "finished" }, { "output_bytes", result->outputBytes }, { "frames", result->frames },
            { "media_seconds", result->mediaSeconds }, { "elapsed", result->elapsedSeconds },
            { "warnings", QJsonArray::fromStringList(result->warnings) } });
        return 0;
    }
    if (result.error().code == ErrorCode::Canceled) {
        emitLine({ { "event", "stopped" } });
        return kExitStopped;
    }
    emitLine({ { "event", "failed" }, { "code", errorCodeName(result.error().code) }, { "message", result.error().message },
        { "field", result.error().field } });
    return 1;
}

} // namespace vtfarm::jobs
