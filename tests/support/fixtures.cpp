#include "fixtures.h"

extern "C" {
#include <libavutil/log.h>
}

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <algorithm>
#include <cmath>

namespace vtfarm::test {

namespace {

// Generous: a fixture takes well under a second; a stuck ffmpeg must not hang the suite.
constexpr int kProcessTimeoutMs = 60'000;

struct ProcessResult
{
    bool ok = false;
    QByteArray out;
    QString error;
};

ProcessResult runProgram(const QString& program, const QStringList& args)
{
    ProcessResult r;
    if (program.isEmpty()) {
        r.error = QStringLiteral("the program is not installed");
        return r;
    }
    QProcess p;
    p.setProgram(program);
    p.setArguments(args);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start();
    if (!p.waitForStarted()) {
        r.error = QStringLiteral("%1 did not start: %2").arg(program, p.errorString());
        return r;
    }
    if (!p.waitForFinished(kProcessTimeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.error = QStringLiteral("%1 %2 timed out").arg(program, args.join(u' '));
        return r;
    }
    r.out = p.readAllStandardOutput();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        r.error = QStringLiteral("%1 %2 failed: %3")
                      .arg(program, args.join(u' '), QString::fromUtf8(p.readAllStandardError()).trimmed());
        return r;
    }
    r.ok = true;
    return r;
}

QString secondsText(double s)
{
    return QString::number(s, 'f', 3);
}

const char kSubtitles[] = "1\n00:00:00,200 --> 00:00:00,900\nHello\n\n"
                          "2\n00:00:01,000 --> 00:00:01,800\nWorld\n\n";

} // namespace

void quietLibavLog()
{
    av_log_set_level(qEnvironmentVariableIsSet("VTFARM_AV_LOG") ? AV_LOG_INFO : AV_LOG_QUIET);
}

QString ffmpegProgram()
{
    static const QString path = QStandardPaths::findExecutable(QStringLiteral("ffmpeg"));
    return path;
}

QString ffprobeProgram()
{
    static const QString path = QStandardPaths::findExecutable(QStringLiteral("ffprobe"));
    return path;
}

MediaFixtures::MediaFixtures()
{
    if (!m_dir.isValid())
        m_error = QStringLiteral("cannot create a temporary folder: %1").arg(m_dir.errorString());
    else if (ffmpegProgram().isEmpty() || ffprobeProgram().isEmpty())
        m_error = QStringLiteral(
            "the ffmpeg and ffprobe programs are needed to make test media (apt-get install ffmpeg)");
}

bool MediaFixtures::isValid() const
{
    return m_dir.isValid() && !ffmpegProgram().isEmpty() && !ffprobeProgram().isEmpty();
}

QString MediaFixtures::path(const QString& name) const
{
    return m_dir.filePath(name);
}

QString MediaFixtures::fail(const QString& message)
{
    m_error = message;
    return {};
}

media::TranscodeSettings fastSettings()
{
    media::TranscodeSettings s;
    s.resolution = media::Resolution::exact(160, 120);
    s.videoBitrate = 200'000;
    s.encoderPreset = QStringLiteral("ultrafast");
    return s;
}

QString writeClip(const QString& path, const QSize& size, double seconds)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QString duration = QString::number(seconds);
    const ProcessResult r = runProgram(ffmpegProgram(),
        { "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            QStringLiteral("testsrc2=size=%1x%2:rate=25:duration=%3")
                .arg(size.width())
                .arg(size.height())
                .arg(duration),
            "-f", "lavfi", "-i",
            QStringLiteral("sine=frequency=440:duration=%1:sample_rate=48000").arg(duration), "-c:v",
            "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path });
    return r.ok ? path : QString();
}

bool MediaFixtures::runFfmpeg(const QStringList& args)
{
    const ProcessResult r = runProgram(
        ffmpegProgram(), QStringList { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" } + args);
    if (!r.ok)
        m_error = r.error;
    return r.ok;
}

QString MediaFixtures::generate(const ClipSpec& spec)
{
    const QString out = path(spec.fileName);
    if (QFileInfo::exists(out))
        return out;
    const QString duration = secondsText(spec.seconds);
    QStringList args;
    QStringList maps;
    QStringList videoFilters;
    int input = 0;
    if (spec.video) {
        const bool odd = spec.size.width() % 2 || spec.size.height() % 2;
        // testsrc2 makes even sizes only; an odd one is cut from a 4:4:4 picture one pixel larger.
        const QSize source = odd ? QSize(spec.size.width() + 1, spec.size.height() + 1) : spec.size;
        args << "-f"
             << "lavfi"
             << "-i"
             << QStringLiteral("testsrc2=size=%1x%2:rate=%3:duration=%4")
                    .arg(source.width())
                    .arg(source.height())
                    .arg(spec.frameRate)
                    .arg(duration);
        maps << "-map" << QStringLiteral("%1:v").arg(input++);
        if (odd)
            videoFilters << QStringLiteral("format=yuv444p,crop=%1:%2:0:0")
                                .arg(spec.size.width())
                                .arg(spec.size.height());
        videoFilters << spec.videoFilters;
    }
    for (const AudioTrack& a : spec.audio) {
        args << "-f"
             << "lavfi"
             << "-i"
             << QStringLiteral("sine=frequency=%1:sample_rate=%2:duration=%3")
                    .arg(a.frequency)
                    .arg(a.sampleRate)
                    .arg(duration);
        maps << "-map" << QStringLiteral("%1:a").arg(input++);
    }
    if (!spec.subtitleEncoder.isEmpty()) {
        const QString srt = path(QFileInfo(spec.fileName).completeBaseName() + QStringLiteral(".srt"));
        QFile f(srt);
        if (!f.open(QIODevice::WriteOnly) || f.write(kSubtitles) < 0)
            return fail(QStringLiteral("cannot write %1").arg(srt));
        f.close();
        args << "-i" << srt;
        maps << "-map" << QStringLiteral("%1:s").arg(input++);
    }
    args << maps;
    if (spec.video) {
        if (!videoFilters.isEmpty())
            args << "-filter:v" << videoFilters.join(u',');
        args << "-c:v" << spec.videoEncoder << "-pix_fmt" << spec.pixelFormat;
        if (spec.videoEncoder == u"libx264" || spec.videoEncoder == u"libx265")
            args << "-preset"
                 << "ultrafast";
        args << spec.videoOptions;
    }
    for (int i = 0; i < spec.audio.size(); ++i) {
        const AudioTrack& a = spec.audio[i];
        const QString n = QString::number(i);
        args << "-filter:a:" + n << "aformat=channel_layouts=" + a.channelLayout;
        args << "-c:a:" + n << a.encoder;
        if (!a.language.isEmpty())
            args << "-metadata:s:a:" + n << "language=" + a.language;
    }
    if (!spec.subtitleEncoder.isEmpty())
        args << "-c:s" << spec.subtitleEncoder << "-metadata:s:s:0"
             << "language=eng";
    args << "-t" << duration << spec.outputOptions << out;
    if (!runFfmpeg(args)) {
        QFile::remove(out);
        return {};
    }
    return out;
}

QString MediaFixtures::clip()
{
    return generate(ClipSpec {});
}

QString MediaFixtures::sized(const QString& name, const QSize& size, double seconds, int frameRate)
{
    ClipSpec spec;
    spec.fileName = name;
    spec.size = size;
    spec.seconds = seconds;
    spec.frameRate = frameRate;
    return generate(spec);
}

QString MediaFixtures::rotated(int degrees)
{
    const QString out = path(QStringLiteral("rotated-%1.mp4").arg(degrees));
    if (QFileInfo::exists(out))
        return out;
    const QString source = clip();
    if (source.isEmpty())
        return {};
    // FFmpeg 6.0 and later ignore the "rotate" tag that FFmpeg 5.1 turns into the display matrix,
    // and set it with -display_rotation, which 5.1 lacks; both make the same matrix of a degree.
    if (runFfmpeg({ "-display_rotation:v:0", QString::number(degrees), "-i", source, "-map", "0", "-c",
            "copy", out }))
        return out;
    if (!runFfmpeg({ "-i", source, "-map", "0", "-c", "copy", "-metadata:s:v:0",
            QStringLiteral("rotate=%1").arg(degrees), out }))
        return {};
    return out;
}

QString MediaFixtures::variableFrameRate()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("vfr.mkv");
    // Keep three frames of every five: the gaps between frames alternate between 1/30 s and 3/30 s.
    spec.videoFilters << QStringLiteral("select=lt(mod(n\\,5)\\,3)");
    spec.outputOptions << "-fps_mode"
                       << "vfr";
    return generate(spec);
}

QString MediaFixtures::interlaced()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("interlaced.mp4");
    spec.frameRate = 60; // two progressive frames weave into one interlaced frame: 30 fps
    spec.videoFilters << QStringLiteral("tinterlace=mode=interleave_top") << QStringLiteral("setfield=tff");
    spec.videoOptions << "-flags"
                      << "+ilme+ildct"
                      << "-top"
                      << "1";
    return generate(spec);
}

QString MediaFixtures::tenBit()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("tenbit.mp4");
    spec.pixelFormat = QStringLiteral("yuv420p10le");
    return generate(spec);
}

QString MediaFixtures::oddSized()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("odd.mkv");
    spec.size = { 161, 121 };
    spec.videoEncoder = QStringLiteral("ffv1");
    return generate(spec);
}

QString MediaFixtures::audioOnly()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("audio.m4a");
    spec.video = false;
    return generate(spec);
}

QString MediaFixtures::videoOnly()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("video.mp4");
    spec.audio.clear();
    return generate(spec);
}

QString MediaFixtures::surround(const QString& layout, const QString& encoder, const QString& extension)
{
    ClipSpec spec;
    QString tag = layout;
    tag.remove(u'(').remove(u')');
    spec.fileName = QStringLiteral("surround-%1-%2.%3").arg(tag, encoder, extension);
    spec.audio.first().channelLayout = layout;
    spec.audio.first().encoder = encoder;
    return generate(spec);
}

QString MediaFixtures::twoAudioTracks()
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("two-audio.mkv");
    AudioTrack second;
    second.sampleRate = 44100;
    second.channelLayout = QStringLiteral("mono");
    second.language = QStringLiteral("fra");
    second.frequency = 880;
    spec.audio << second;
    return generate(spec);
}

QString MediaFixtures::subtitled(const QString& extension)
{
    ClipSpec spec;
    spec.fileName = QStringLiteral("subtitled.%1").arg(extension);
    spec.subtitleEncoder = extension == u"mkv" ? QStringLiteral("srt") : QStringLiteral("mov_text");
    return generate(spec);
}

// ---- ffprobe --------------------------------------------------------------------------------

QJsonObject Ffprobe::info(const QString& path, QString* error)
{
    const ProcessResult r = runProgram(
        ffprobeProgram(), { "-v", "error", "-show_format", "-show_streams", "-of", "json", path });
    if (!r.ok) {
        if (error)
            *error = r.error;
        return {};
    }
    return QJsonDocument::fromJson(r.out).object();
}

QJsonArray Ffprobe::streams(const QString& path, const QString& type)
{
    QJsonArray list;
    for (const QJsonValue& s : info(path).value(u"streams").toArray()) {
        if (s.toObject().value(u"codec_type").toString() == type)
            list.append(s);
    }
    return list;
}

qint64 Ffprobe::packetCount(const QString& path, const QString& type)
{
    const ProcessResult r = runProgram(ffprobeProgram(),
        { "-v", "error", "-count_packets", "-select_streams", type + ":0", "-show_entries",
            "stream=nb_read_packets", "-of", "csv=p=0", path });
    bool ok = false;
    const qint64 n = QString::fromUtf8(r.out).trimmed().toLongLong(&ok);
    return r.ok && ok ? n : -1;
}

QList<qint64> Ffprobe::packetSizes(const QString& path, const QString& type)
{
    const ProcessResult r = runProgram(ffprobeProgram(),
        { "-v", "error", "-select_streams", type + ":0", "-show_entries", "packet=size", "-of", "csv=p=0",
            path });
    QList<qint64> sizes;
    if (!r.ok)
        return sizes;
    for (const QByteArray& line : r.out.split('\n')) {
        if (!line.trimmed().isEmpty())
            sizes << line.trimmed().toLongLong();
    }
    return sizes;
}

QList<double> Ffprobe::packetTimes(const QString& path, const QString& type)
{
    const ProcessResult r = runProgram(ffprobeProgram(),
        { "-v", "error", "-select_streams", type + ":0", "-show_entries", "packet=pts_time", "-of", "csv=p=0",
            path });
    QList<double> times;
    if (!r.ok)
        return times;
    for (const QByteArray& line : r.out.split('\n')) {
        if (!line.trimmed().isEmpty())
            times << line.trimmed().toDouble();
    }
    std::sort(times.begin(), times.end());
    return times;
}

int Ffprobe::displayRotation(const QString& path)
{
    const QJsonArray video = streams(path, QStringLiteral("video"));
    if (video.isEmpty())
        return 0;
    for (const QJsonValue& sd : video.first().toObject().value(u"side_data_list").toArray()) {
        const QJsonObject o = sd.toObject();
        if (o.value(u"side_data_type").toString() == u"Display Matrix")
            return int(std::lround(o.value(u"rotation").toDouble()));
    }
    return 0;
}

QString Ffprobe::subtitleText(const QString& path)
{
    // -copyts: the cues at the file's own times, as packetTimes() reports them. Without it the CLI
    // moves them by the file's start, which FFmpeg 7.1's Matroska muxer leaves below zero where
    // the AAC encoder's delay puts the first audio packet (5.1's shifted the whole file to 0).
    const ProcessResult r = runProgram(ffmpegProgram(),
        { "-nostdin", "-v", "error", "-copyts", "-i", path, "-map", "0:s:0", "-c:s", "srt", "-f", "srt",
            "-" });
    return r.ok ? QString::fromUtf8(r.out) : QString();
}

QByteArray grayPicture(const QString& path, double seconds, int width, int height)
{
    const ProcessResult r = runProgram(ffmpegProgram(),
        { "-nostdin", "-v", "error", "-ss", secondsText(seconds), "-i", path, "-frames:v", "1", "-vf",
            QStringLiteral("scale=%1:%2:flags=area").arg(width).arg(height), "-pix_fmt", "gray", "-f",
            "rawvideo", "-" });
    if (!r.ok || r.out.size() != qsizetype(width) * height)
        return {};
    return r.out;
}

double meanAbsoluteDifference(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size() || a.isEmpty())
        return -1;
    qint64 sum = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        sum += std::abs(int(uchar(a[i])) - int(uchar(b[i])));
    return double(sum) / double(a.size());
}

QList<std::pair<double, double>> subRipCues(const QString& text)
{
    static const QRegularExpression re(
        QStringLiteral("(\\d+):(\\d\\d):(\\d\\d),(\\d{3}) --> (\\d+):(\\d\\d):(\\d\\d),(\\d{3})"));
    QList<std::pair<double, double>> cues;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        auto seconds = [&](int first) {
            return m.captured(first).toInt() * 3600.0 + m.captured(first + 1).toInt() * 60.0
                + m.captured(first + 2).toInt() + m.captured(first + 3).toInt() / 1000.0;
        };
        cues.append({ seconds(1), seconds(5) });
    }
    return cues;
}

} // namespace vtfarm::test
