#include "commands.h"
#include "datafolder.h"
#include "farmoptions.h"
#include "jobmanager.h"
#include "jobstore.h"
#include "mediafiles.h"
#include "presets.h"
#include "settingsoptions.h"
#include "signalwatcher.h"
#include "terminalprogress.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>

extern "C" {
#include <libavutil/log.h>
}

#include <cstdio>
#include <unistd.h>

namespace vtfarm::cli {

using jobs::Job;
using jobs::JobManager;
using jobs::JobState;

void addFarmOptions(QCommandLineParser& p)
{
    p.addOption({ "data-dir",
        QCoreApplication::translate(
            "vtfarm::cli", "Where the job queue is kept (default: the user's vtfarm data folder)."),
        "dir" });
    p.addOption({ { "j", "jobs" },
        QCoreApplication::translate(
            "vtfarm::cli", "How many transcodes run at once (default: what fills the cores)."),
        "n" });
    p.addOption({ "in-process",
        QCoreApplication::translate("vtfarm::cli",
            "Run transcodes inside this process instead of worker processes (for debugging).") });
    addWorkerOptions(p);
}

QString dataDirFrom(const QCommandLineParser& p)
{
    return p.isSet("data-dir") ? p.value("data-dir")
                               : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

Result<JobManager::Options> managerOptionsFrom(const QCommandLineParser& p)
{
    JobManager::Options o;
    o.dataDir = dataDirFrom(p);
    if (p.isSet("jobs")) {
        bool ok = false;
        o.maxConcurrent = p.value("jobs").toInt(&ok);
        if (!ok || o.maxConcurrent < 1 || o.maxConcurrent > 64)
            return Error::invalid("jobs", QStringLiteral("-j takes a number of jobs from 1 to 64"));
    }
    o.worker.program = QCoreApplication::applicationFilePath();
    o.worker.mode = p.isSet("in-process") ? jobs::WorkerProcess::Mode::InProcess
                                          : jobs::WorkerProcess::Mode::ChildProcess;
    if (auto r = applyWorkerOptions(p, o.worker); !r)
        return r.error();
    return o;
}

void reportRecovery(const jobs::JobStore::Recovery& recovery)
{
    printLine(stderr, QStringLiteral("vtfarm-cli: %1").arg(recovery.message()));
}

Result<void> openManager(JobManager& manager)
{
    auto r = manager.open();
    if (r && manager.storeRecovery())
        reportRecovery(*manager.storeRecovery());
    return r;
}

namespace {

/// Files named directly are taken as they are; folders are searched for video files.
QStringList collectInputs(const QStringList& paths, QStringList* problems)
{
    const media::InputSearch found = media::findInputs(paths);
    for (const media::InputSearch::Skipped& s : found.skipped) {
        if (s.reason != media::InputSearch::Reason::NotVideo)
            problems->append(QStringLiteral("%1: %2").arg(s.path, s.text()));
    }
    return found.files;
}

/// Runs the event loop until \a done says so; SIGINT/SIGTERM end it early. Returns false when interrupted.
bool runUntil(JobManager& manager, const std::function<bool()>& done)
{
    if (done())
        return true;
    bool interrupted = false;
    SignalWatcher watcher([&](int) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [&] {
                interrupted = true;
                QCoreApplication::quit();
            },
            Qt::QueuedConnection);
    });
    auto check = [&] {
        if (done())
            QCoreApplication::quit();
    };
    const auto c1 = QObject::connect(
        &manager, &JobManager::jobStateChanged, QCoreApplication::instance(), check, Qt::QueuedConnection);
    const auto c2 = QObject::connect(&manager, &JobManager::runningCountChanged, QCoreApplication::instance(),
        check, Qt::QueuedConnection);
    QCoreApplication::exec();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    return !interrupted;
}

} // namespace

QString describeEnd(const Job& job)
{
    switch (job.state) {
    case JobState::Finished: {
        QString text = job.inputKept
            ? QCoreApplication::translate("vtfarm::cli", "finished, input kept (the output was larger)")
            : QCoreApplication::translate("vtfarm::cli", "finished -> %1 (%2, %3x)")
                  .arg(job.outputPath, TerminalProgress::formatBytes(job.outputBytes))
                  .arg(QLocale().toString(job.speed, 'f', 2));
        if (job.quality.measured())
            text += QStringLiteral("; %1").arg(describeQuality(job.quality));
        for (const QString& warning : job.warnings)
            text += QCoreApplication::translate("vtfarm::cli", "; warning: %1").arg(warning);
        return text;
    }
    case JobState::Failed:
        return QCoreApplication::translate("vtfarm::cli", "failed: %1").arg(job.error);
    case JobState::Canceled:
        return QCoreApplication::translate("vtfarm::cli", "canceled");
    default:
        return jobStateName(job.state);
    }
}

QString describeQuality(const media::QualityScores& quality)
{
    QString text = QCoreApplication::translate("vtfarm::cli", "SSIM %1, PSNR %2 dB")
                       .arg(quality.ssim.value_or(0), 0, 'f', 4)
                       .arg(quality.psnr.value_or(0), 0, 'f', 1);
    if (quality.vmaf)
        text += QCoreApplication::translate("vtfarm::cli", ", VMAF %1").arg(*quality.vmaf, 0, 'f', 1);
    return text;
}

namespace {

/// Follows a set of jobs: a line as each ends, a live status line on a terminal.
class BatchReporter
{
public:
    BatchReporter(JobManager& manager, QList<QUuid> ids)
        : m_manager(manager)
        , m_ids(std::move(ids))
        , m_tty(isatty(fileno(stderr)))
    {
        m_clock.start();
        QObject::connect(
            &manager, &JobManager::jobStateChanged, &manager, [this](const QUuid& id, JobState, JobState to) {
                if (!m_ids.contains(id) || !jobs::isFinal(to))
                    return;
                clearStatus();
                const Job* job = m_manager.find(id);
                ++m_ended;
                printLine(stdout,
                    QStringLiteral("[%1/%2] %3: %4")
                        .arg(m_ended)
                        .arg(m_ids.size())
                        .arg(job->name(), describeEnd(*job)));
                std::fflush(stdout);
            });
        if (m_tty)
            QObject::connect(
                &manager, &JobManager::jobChanged, &manager, [this](const QUuid& id) { drawStatus(id); });
    }

    bool allEnded() const
    {
        return std::all_of(m_ids.begin(), m_ids.end(), [this](const QUuid& id) {
            const Job* job = m_manager.find(id);
            return !job || jobs::isFinal(job->state);
        });
    }

    int summarize()
    {
        clearStatus();
        int finished = 0, failed = 0, canceled = 0, pending = 0, warned = 0;
        QStringList warnings;
        for (const QUuid& id : std::as_const(m_ids)) {
            const Job* job = m_manager.find(id);
            if (!job)
                continue;
            finished += job->state == JobState::Finished;
            failed += job->state == JobState::Failed;
            canceled += job->state == JobState::Canceled;
            pending += !jobs::isFinal(job->state);
            if (job->state == JobState::Finished && !job->warnings.isEmpty()) {
                ++warned;
                for (const QString& w : job->warnings)
                    warnings
                        << QCoreApplication::translate("vtfarm::cli", "warning: %1: %2").arg(job->name(), w);
            }
        }
        const QLocale locale;
        printLine(stdout,
            QCoreApplication::translate(
                "vtfarm::cli", "%1 jobs: %2 finished%3, %4 failed, %5 canceled%6 in %7 s")
                .arg(locale.toString(m_ids.size()), locale.toString(finished),
                    warned ? QCoreApplication::translate("vtfarm::cli", " (%1 with warnings)").arg(warned)
                           : QString(),
                    locale.toString(failed), locale.toString(canceled),
                    pending
                        ? QCoreApplication::translate("vtfarm::cli", ", %1 left in the queue").arg(pending)
                        : QString(),
                    locale.toString(m_clock.elapsed() / 1000.0, 'f', 1)));
        for (const QString& line : std::as_const(warnings))
            printLine(stdout, line);
        return failed + canceled + pending;
    }

private:
    void drawStatus(const QUuid& id)
    {
        const Job* job = m_manager.find(id);
        if (!job || job->state != JobState::Started
            || (m_statusClock.isValid() && m_statusClock.elapsed() < 200))
            return;
        m_statusClock.start();
        const QLocale locale;
        const QString line
            = QCoreApplication::translate("vtfarm::cli", "%1 running, %2/%3 done | %4 %5% %6 fps %7x ETA %8")
                  .arg(locale.toString(m_manager.runningCount()), locale.toString(m_ended),
                      locale.toString(m_ids.size()), job->name().left(30),
                      locale.toString(job->progress * 100.0, 'f', 0), locale.toString(job->fps, 'f', 0),
                      locale.toString(job->speed, 'f', 2), TerminalProgress::formatDuration(job->etaSeconds));
        std::fprintf(stderr, "\r%s\x1b[K", line.toLocal8Bit().constData());
        std::fflush(stderr);
        m_statusShown = true;
    }
    void clearStatus()
    {
        if (m_statusShown) {
            std::fputs("\r\x1b[K", stderr);
            m_statusShown = false;
        }
    }

    JobManager& m_manager;
    QList<QUuid> m_ids;
    bool m_tty;
    bool m_statusShown = false;
    qint64 m_ended = 0;
    QElapsedTimer m_clock, m_statusClock;
};

/// Runs \a ids to their end with a line for each, then the summary; the command's exit status.
/// Jobs lost from a damaged store make it a failure, however the rest went.
int runToEnd(JobManager& manager, const QList<QUuid>& ids)
{
    const bool lost = manager.storeRecovery() && manager.storeRecovery()->lostJobs();
    BatchReporter reporter(manager, ids);
    const bool completed = runUntil(manager, [&] { return reporter.allEnded(); });
    manager.shutdown();
    const int bad = reporter.summarize();
    if (!completed) {
        printLine(stderr,
            QCoreApplication::translate("vtfarm::cli",
                "vtfarm-cli: interrupted; unfinished jobs stay queued: `vtfarm-cli run` resumes them"));
        return ExitInterrupted;
    }
    if (lost)
        printLine(stderr,
            QCoreApplication::translate("vtfarm::cli", "vtfarm-cli: jobs of the damaged store were lost: %1")
                .arg(manager.storeRecovery()->message()));
    return bad || lost ? ExitFailed : ExitOk;
}

} // namespace

int batchCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QCoreApplication::translate("vtfarm::cli", "Transcode many files or folders through the job queue."));
    p.addHelpOption();
    p.addPositionalArgument("paths",
        QCoreApplication::translate("vtfarm::cli", "Files, or folders searched recursively for video files."),
        "PATHS...");
    p.addOption({ { "o", "output-dir" },
        QCoreApplication::translate("vtfarm::cli", "Write the outputs here (default: next to each input)."),
        "dir" });
    p.addOption({ "container",
        QCoreApplication::translate(
            "vtfarm::cli", "Output container: mp4, mkv, webm, mov, m4a (default: the preset's, else mp4)."),
        "ext" });
    p.addOption({ "name",
        QCoreApplication::translate(
            "vtfarm::cli", "Output file name pattern; {name} is the input's name (default {name})."),
        "pattern" });
    addSettingsOptions(p);
    addSplitOptions(p);
    addFarmOptions(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("batch"), args, &status))
        return status;
    if (p.positionalArguments().isEmpty()) {
        printLine(stderr,
            QCoreApplication::translate("vtfarm::cli",
                "usage: vtfarm-cli batch PATHS... [-o DIR] [--preset NAME | options] [-j N]   (see --help)"));
        return ExitUsage;
    }

    auto settings = settingsFromOptions(p);
    if (!settings) {
        printErrors({ settings.error() });
        return ExitUsage;
    }
    QString container = settings->container.isEmpty() ? QStringLiteral("mp4") : settings->container;
    if (p.isSet("container"))
        container = p.value("container").toLower();
    if (const QList<Error> errors = media::validate(settings->settings, container); !errors.isEmpty()) {
        printErrors(errors);
        return ExitUsage;
    }
    auto options = managerOptionsFrom(p);
    if (!options) {
        printErrors({ options.error() });
        return ExitUsage;
    }
    jobs::JobSpec splitSpec;
    if (auto r = applySplitOptions(p, splitSpec); !r) {
        printErrors({ r.error() });
        return ExitUsage;
    }

    QStringList problems;
    const QStringList inputs = collectInputs(p.positionalArguments(), &problems);
    for (const QString& problem : std::as_const(problems))
        printLine(stderr, QStringLiteral("vtfarm-cli: %1").arg(problem));
    if (inputs.isEmpty()) {
        printLine(
            stderr, QCoreApplication::translate("vtfarm::cli", "vtfarm-cli: no video files to transcode"));
        return ExitFailed;
    }

    QList<jobs::JobSpec> specs;
    for (const QString& input : inputs) {
        jobs::JobSpec spec;
        spec.input = input;
        spec.outputDir = p.value("output-dir");
        if (p.isSet("name"))
            spec.namePattern = p.value("name");
        spec.container = container;
        spec.settings = settings->settings;
        spec.presetName = settings->presetName;
        spec.source = jobs::JobSource::Cli;
        spec.split = splitSpec.split;
        spec.splitMinSeconds = splitSpec.splitMinSeconds;
        specs.append(spec);
    }
    return runJobs(*options, specs);
}

int runJobs(const JobManager::Options& options, const QList<jobs::JobSpec>& specs)
{
    JobManager manager(options);
    if (auto r = openManager(manager); !r) {
        printErrors({ r.error() });
        return ExitFailed;
    }
    auto ids = manager.submitMany(specs);
    if (!ids) {
        printErrors({ ids.error() });
        return ExitFailed;
    }
    printLine(stdout,
        QCoreApplication::translate("vtfarm::cli", "queued %1 jobs, %2 at a time")
            .arg(QLocale().toString(ids->size()), QLocale().toString(manager.maxConcurrent())));
    std::fflush(stdout);
    return runToEnd(manager, *ids);
}

int runCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli",
        "Process the queued jobs until none is left (resumes after a crash or an interruption)."));
    p.addHelpOption();
    addFarmOptions(p);
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("run"), args, &status))
        return status;
    auto options = managerOptionsFrom(p);
    if (!options) {
        printErrors({ options.error() });
        return ExitUsage;
    }
    JobManager manager(*options);
    if (auto r = openManager(manager); !r) {
        printErrors({ r.error() });
        return ExitFailed;
    }
    QList<QUuid> pending;
    for (const QUuid& id : manager.order()) {
        const Job* job = manager.find(id);
        if (!jobs::isFinal(job->state) && !job->isChild())
            pending.append(id);
    }
    if (pending.isEmpty()) {
        printLine(stdout, QCoreApplication::translate("vtfarm::cli", "nothing queued"));
        return ExitOk;
    }
    printLine(stdout,
        QCoreApplication::translate("vtfarm::cli", "resuming %1 jobs, %2 at a time")
            .arg(QLocale().toString(pending.size()), QLocale().toString(manager.maxConcurrent())));
    std::fflush(stdout);
    return runToEnd(manager, pending);
}

int jobsCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli", "List the jobs in the queue."));
    p.addHelpOption();
    p.addOption({ "data-dir",
        QCoreApplication::translate(
            "vtfarm::cli", "Where the job queue is kept (default: the user's vtfarm data folder)."),
        "dir" });
    p.addOption({ "state",
        QCoreApplication::translate(
            "vtfarm::cli", "Only jobs in this state: queued, started, finished, failed, canceled."),
        "state" });
    p.addOption({ "json", QCoreApplication::translate("vtfarm::cli", "Print a JSON array.") });
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("jobs"), args, &status))
        return status;
    std::optional<JobState> state;
    if (p.isSet("state")) {
        state = jobs::jobStateFromString(p.value("state"));
        if (!state) {
            printLine(stderr,
                QCoreApplication::translate("vtfarm::cli",
                    "vtfarm-cli: --state: '%1' is not one of queued, started, finished, failed, canceled")
                    .arg(p.value("state")));
            return ExitUsage;
        }
    }
    // Read the store directly: SQLite's WAL lets this run beside a process that holds the queue.
    const QString dataDir = dataDirFrom(p);
    auto all = [&dataDir]() -> Result<QList<Job>> {
        jobs::JobStore store(dataDir);
        auto r = store.open();
        return r ? store.loadAll() : Result<QList<Job>>(r.error());
    }();
    bool lost = false;
    if (!all && all.error().code == ErrorCode::Damaged) {
        // Never a short list for the whole queue: the store is recovered, by whoever holds it.
        auto lock = jobs::lockDataFolder(dataDir);
        if (!lock) {
            printErrors({ all.error(),
                { ErrorCode::Damaged,
                    lock.error().code == ErrorCode::Conflict
                        ? QStringLiteral("%1 It recovers the store when it next starts.")
                              .arg(lock.error().message)
                        : lock.error().message,
                    {} } });
            return ExitFailed;
        }
        auto recovery = jobs::JobStore::recover(dataDir, all.error().message);
        if (!recovery) {
            printErrors({ all.error(), recovery.error() });
            return ExitFailed;
        }
        reportRecovery(*recovery);
        lost = recovery->lostJobs();
        jobs::JobStore store(dataDir);
        auto r = store.open();
        all = r ? store.loadAll() : Result<QList<Job>>(r.error());
    }
    if (!all) {
        printErrors({ all.error() });
        return ExitFailed;
    }
    // A split job's segments are listed with it, not as jobs of their own.
    QHash<QUuid, QJsonArray> children;
    for (const Job& job : std::as_const(*all)) {
        if (job.isChild())
            children[job.parent].append(QJsonObject { { "id", job.idString() }, { "segment", job.segment },
                { "status", jobStateName(job.state) },
                { "node", job.node.isEmpty() ? QJsonValue() : QJsonValue(job.node) } });
    }
    QJsonArray array;
    for (Job job : std::as_const(*all)) {
        if ((state && job.state != *state) || job.isChild())
            continue;
        job.children = children.value(job.id);
        if (p.isSet("json")) {
            array.append(job.toJson());
            continue;
        }
        std::printf("%s  %-9s %s -> %s%s\n", qPrintable(job.idString()), qPrintable(jobStateName(job.state)),
            qPrintable(job.spec.input), qPrintable(job.outputPath),
            job.error.isEmpty() ? "" : qPrintable(QStringLiteral("  (") + job.error + u')'));
    }
    if (p.isSet("json"))
        std::fputs(QJsonDocument(array).toJson(QJsonDocument::Indented).constData(), stdout);
    // The list is all there is, but not all there was.
    return lost ? ExitFailed : ExitOk;
}

int presetsCommand(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("vtfarm::cli", "List the presets."));
    p.addHelpOption();
    p.addOption({ "json", QCoreApplication::translate("vtfarm::cli", "Print a JSON array.") });
    int status = ExitOk;
    if (!parseCommand(p, QStringLiteral("presets"), args, &status))
        return status;
    const media::PresetLibrary library;
    QJsonArray array;
    for (const media::Preset& preset : library.presets()) {
        if (p.isSet("json"))
            array.append(preset.toJson());
        else
            std::printf("%-22s .%-4s %s\n", qPrintable(preset.name), qPrintable(preset.container),
                qPrintable(preset.description));
    }
    if (p.isSet("json"))
        std::fputs(QJsonDocument(array).toJson(QJsonDocument::Indented).constData(), stdout);
    return ExitOk;
}

int workerCommand(const QStringList&)
{
    av_log_set_level(AV_LOG_ERROR);
    return jobs::WorkerProcess::serveChild();
}

} // namespace vtfarm::cli
