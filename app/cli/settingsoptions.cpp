#include "settingsoptions.h"

#include "presets.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonObject>
#include <cmath>
#include <cstdio>
#include <sys/stat.h>

namespace vtfarm::cli {

bool parseCommand(QCommandLineParser& p, const QString& command, const QStringList& args, int* status)
{
    const QString program = QStringLiteral("vtfarm-cli ") + command;
    if (!p.parse(QStringList { program } + args)) {
        printLine(stderr, QStringLiteral("vtfarm-cli: %1").arg(p.errorText()));
        *status = 2; // ExitUsage
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        // The parser's usage line names the executable as it was started ("Usage: /usr/bin/vtfarm-cli
        // [options]"); it should read "Usage: vtfarm-cli COMMAND [options]".
        QString help = p.helpText();
        const qsizetype start = help.indexOf(u' ') + 1;
        const qsizetype end = help.indexOf(u' ', start);
        if (start > 0 && end > start && end < help.indexOf(u'\n'))
            help.replace(start, end - start, program);
        std::fputs(qPrintable(help), stdout);
        *status = 0;
        return false;
    }
    return true;
}

void addSettingsOptions(QCommandLineParser& p)
{
    p.addOption({ "codec",
        QStringLiteral("Video codec: %1 (default libx264).").arg(media::videoCodecNames().join(u", ")),
        QCoreApplication::translate("vtfarm::cli", "codec") });
    p.addOption({ "bitrate",
        QCoreApplication::translate("vtfarm::cli", "Video bitrate, e.g. 1000k or 2.5M (default 1000k)."),
        "rate" });
    p.addOption({ "crf",
        QCoreApplication::translate(
            "vtfarm::cli", "Constant quality instead of a bitrate (x264/x265 0-51, VP9/AV1 0-63)."),
        "n" });
    p.addOption({ "resolution",
        QCoreApplication::translate("vtfarm::cli",
            "WIDTHxHEIGHT (exactly that size), a height such as 720p (keeps the aspect "
            "ratio, never upscales) or keep (default 1280x720)."),
        "size" });
    p.addOption({ "fps",
        QCoreApplication::translate(
            "vtfarm::cli", "Frame rate, e.g. 30 or 30000/1001 (default: keep the input's)."),
        "rate" });
    p.addOption({ "preset",
        QCoreApplication::translate("vtfarm::cli",
            "A vtfarm preset (see `vtfarm-cli presets`; other options override it), or the encoder's "
            "preset: ultrafast..placebo for x264/x265, a speed 0-8 for VP9 or 0-13 for AV1."),
        "name" });
    p.addOption({ "audio-codec",
        QStringLiteral("Audio codec: %1 (default aac).").arg(media::audioCodecNames().join(u", ")),
        QCoreApplication::translate("vtfarm::cli", "codec") });
    p.addOption({ "audio-bitrate",
        QCoreApplication::translate("vtfarm::cli",
            "Audio bitrate, e.g. 128k (default: the encoder's, for AAC 69k mono, 128k stereo)."),
        "rate" });
    p.addOption({ "threads",
        QCoreApplication::translate(
            "vtfarm::cli", "libav threads per decoder and encoder (default 0: automatic)."),
        "n" });
    p.addOption({ "start",
        QCoreApplication::translate("vtfarm::cli",
            "Write the input from this time on, frame-accurately: seconds (12.5) or HH:MM:SS.s "
            "(00:01:02.5). Not with copy."),
        "time" });
    p.addOption({ "end",
        QCoreApplication::translate(
            "vtfarm::cli", "Write the input up to this time (exclusive; default: its end). Not with copy."),
        "time" });
    p.addOption(
        { "overwrite", QCoreApplication::translate("vtfarm::cli", "Replace an existing output file.") });
    p.addOption({ "quality-check",
        QCoreApplication::translate("vtfarm::cli",
            "After the encode, measure the output's SSIM and PSNR against the input (on a sample of "
            "frames; VMAF too where libavfilter has it).") });
    p.addOption({ "min-ssim",
        QCoreApplication::translate("vtfarm::cli",
            "Fail the job, removing the output, when its SSIM is below this (0-1, e.g. 0.95); implies "
            "--quality-check."),
        "x" });
    p.addOption({ "skip-if-larger",
        QCoreApplication::translate("vtfarm::cli",
            "Remove an output larger than its input and keep the input; the job ends finished with a "
            "warning.") });
}

Result<CommandSettings> settingsFromOptions(const QCommandLineParser& p)
{
    // The options are the fields of a job request, as the API takes them, under their own names.
    QJsonObject fields;
    for (const char* key : { "codec", "bitrate", "crf", "resolution", "fps", "preset", "audio-codec",
             "audio-bitrate", "threads", "start", "end" }) {
        const QString name = QString::fromLatin1(key);
        if (p.isSet(name))
            fields[QString(name).replace(u'-', u'_')] = p.value(name);
    }
    if (p.isSet("overwrite"))
        fields[u"overwrite"] = true;
    if (p.isSet("quality-check"))
        fields[u"quality_check"] = true;
    if (p.isSet("min-ssim"))
        fields[u"min_ssim"] = p.value("min-ssim");
    if (p.isSet("skip-if-larger"))
        fields[u"skip_if_larger"] = true;
    const media::PresetLibrary library;
    auto choice = media::chooseSettings(fields, library);
    if (!choice)
        return choice.error();
    return CommandSettings { choice->settings, choice->container, choice->presetName };
}

void addSplitOptions(QCommandLineParser& p)
{
    p.addOption({ "split",
        QCoreApplication::translate("vtfarm::cli",
            "Encode each file in segments on all slots at once: auto (when longer than --split-min and two "
            "slots, local or on the farm's nodes, can take work), off, or the segments' length in seconds "
            "(default auto)."),
        "auto|off|seconds" });
    p.addOption({ "split-min",
        QCoreApplication::translate(
            "vtfarm::cli", "With --split auto: the shortest file that is split (default 120 s)."),
        "seconds" });
}

Result<void> applySplitOptions(const QCommandLineParser& p, jobs::JobSpec& spec)
{
    if (p.isSet("split")) {
        if (auto seconds = jobs::splitSeconds(p.value("split")); !seconds)
            return seconds.error();
        spec.split = p.value("split").trimmed().toLower();
    }
    if (p.isSet("split-min")) {
        bool ok = false;
        const double seconds = p.value("split-min").toDouble(&ok);
        if (!ok || !std::isfinite(seconds) || seconds < 0)
            return Error::invalid("split_min",
                QCoreApplication::translate("vtfarm::cli", "--split-min takes seconds, 0 or more"));
        spec.splitMinSeconds = seconds;
    }
    return {};
}

void addWorkerOptions(QCommandLineParser& p)
{
    p.addOption({ "stall-timeout",
        QCoreApplication::translate("vtfarm::cli",
            "A worker that makes no progress for this many seconds is stopped and its job runs again "
            "(default "
            "120; "
            "0: never)."),
        "seconds" });
    p.addOption({ "worker-nice",
        QCoreApplication::translate("vtfarm::cli",
            "How worker processes yield the CPU to the server and the window: idle (the CPU time "
            "nothing else wants, default) or a nice value 0-19 with batch scheduling."),
        "idle|n" });
    p.addOption({ "worker-io",
        QCoreApplication::translate("vtfarm::cli",
            "The I/O priority of worker processes: best-effort (the lowest level, default) or idle."),
        "class" });
}

Result<void> applyWorkerSetting(
    const QString& key, const QString& value, jobs::WorkerProcess::Options& worker)
{
    const QString name = QString(key).replace(u'_', u'-');
    bool ok = false;
    const int n = value.trimmed().toInt(&ok);
    if (name == u"stall-timeout") {
        if (!ok || n < 0 || n > 86'400)
            return Error::invalid(
                name, QStringLiteral("'%1' is not a number of seconds from 0 to 86400").arg(value));
        worker.stallTimeoutSeconds = n;
    } else if (name == u"worker-nice") {
        if (value.trimmed().toLower() == u"idle") {
            worker.idleCpu = true;
            return {};
        }
        if (!ok || n < 0 || n > 19)
            return Error::invalid(
                name, QStringLiteral("'%1' is not idle or a nice value from 0 to 19").arg(value));
        worker.idleCpu = false;
        worker.niceness = n;
    } else if (name == u"worker-io") {
        const QString v = value.trimmed().toLower();
        if (v != u"idle" && v != u"best-effort")
            return Error::invalid(name, QStringLiteral("'%1' is not idle or best-effort").arg(value));
        worker.idleIo = v == u"idle";
    }
    return {};
}

Result<void> applyWorkerOptions(const QCommandLineParser& p, jobs::WorkerProcess::Options& worker)
{
    for (const char* option : { "stall-timeout", "worker-nice", "worker-io" }) {
        if (p.isSet(QLatin1String(option))) {
            if (auto r = applyWorkerSetting(QLatin1String(option), p.value(QLatin1String(option)), worker);
                !r)
                return r;
        }
    }
    return {};
}

QString optionForField(const QString& field)
{
    if (field.isEmpty())
        return {};
    if (field == u"input" || field == u"output")
        return field;
    return QStringLiteral("--") + QString(field).replace(u'_', u'-');
}

void printErrors(const QList<Error>& errors)
{
    for (const Error& e : errors) {
        const QString where = optionForField(e.field);
        printLine(stderr,
            where.isEmpty() ? QStringLiteral("vtfarm-cli: %1").arg(e.message)
                            : QStringLiteral("vtfarm-cli: %1: %2").arg(where, e.message));
    }
}

Result<QString> readTokenFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::invalid("token-file", QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) == 0 && (st.st_mode & S_IRWXO))
        printLine(stderr,
            QCoreApplication::translate(
                "vtfarm::cli", "vtfarm-cli: warning: %1 can be read by every user; chmod o-r it")
                .arg(path));
    const QString token = QString::fromUtf8(f.read(4096)).trimmed();
    if (token.isEmpty())
        return Error::invalid("token-file", QStringLiteral("%1 is empty").arg(path));
    return token;
}

void printLine(FILE* out, const QString& text)
{
    std::fputs(text.toLocal8Bit().constData(), out);
    std::fputc('\n', out);
}

int runUntilSignal()
{
    int signal = 0;
    SignalWatcher watcher([&signal](int sig) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [&signal, sig] {
                signal = sig;
                QCoreApplication::quit();
            },
            Qt::QueuedConnection);
    });
    QCoreApplication::exec();
    return signal;
}

} // namespace vtfarm::cli
