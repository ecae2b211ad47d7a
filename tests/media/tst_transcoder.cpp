// Transcoder: what it writes, checked by probing the output with vtfarm's probe() and with ffprobe.

#include "fixtures.h"
#include "mediainfo.h"
#include "transcoder.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

using namespace vtfarm;
using namespace vtfarm::media;
using vtfarm::test::errorText;
using vtfarm::test::Ffprobe;
using vtfarm::test::subRipCues;

namespace {

// Settings that keep the picture size and encode as fast as x264 can, for tests where neither is under test.
TranscodeSettings fast()
{
    TranscodeSettings s;
    s.resolution = Resolution::keep();
    s.encoderPreset = QStringLiteral("ultrafast");
    return s;
}

QList<const StreamInfo*> streamsOf(const MediaInfo& info, StreamInfo::Type type)
{
    QList<const StreamInfo*> list;
    for (const StreamInfo& s : info.streams) {
        if (s.type == type)
            list << &s;
    }
    return list;
}

// The option string x264 writes into every stream it encodes ("... rc=abr ... bitrate=1000 ...").
QString x264Options(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = f.readAll();
    const qsizetype at = data.indexOf("x264 - core");
    if (at < 0)
        return {};
    const qsizetype end = data.indexOf('\0', at);
    return QString::fromLatin1(data.mid(at, end < 0 ? 2048 : end - at));
}

double videoStreamDuration(const QString& path)
{
    const QJsonArray video = Ffprobe::streams(path, QStringLiteral("video"));
    return video.isEmpty() ? -1 : video.first().toObject().value(u"duration").toString().toDouble();
}

} // namespace

class TestTranscoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void defaultSettings();
    void heightNeverUpscales();
    void heightKeepsAspect();
    void exactSizeIsExact();
    void oddSizedInputGivesEvenOutput();
    void rotatedInputPlaysUpright_data();
    void rotatedInputPlaysUpright();
    void difficultInputs_data();
    void difficultInputs();
    void audioOnlyInput();
    void videoOnlyInput();
    void everyAudioTrackKept();
    void surroundAudio_data();
    void surroundAudio();
    void containers_data();
    void containers();
    void videoCodecs_data();
    void videoCodecs();
    void videoCopy();
    void audioCopy();
    void audioNone();
    void videoNone();
    void bitrateCrfAndPreset();
    void frameRateChange();
    void textSubtitlesCarried_data();
    void textSubtitlesCarried();
    void progressReported();
    void cancelStopsWithinHalfASecond();
    void existingOutputIsKept();
    void overwriteReplaces();
    void unusualFileNames_data();
    void unusualFileNames();
    void badSettingsRefusedBeforeAnyWork();
    void missingInputAndFolder();

private:
    /// Runs a transcode to \a outName inside a fresh output folder.
    Result<TranscodeReport> transcode(
        const QString& input, const QString& outName, const TranscodeSettings& settings);
    QString outPath(const QString& name) const { return QDir(m_outDir).filePath(name); }
    bool noPartFiles() const;

    test::MediaFixtures m_fx;
    QString m_outDir;
};

void TestTranscoder::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_fx.isValid(), qPrintable(m_fx.errorString()));
    m_outDir = m_fx.path(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(m_outDir));
}

void TestTranscoder::cleanup()
{
    QVERIFY2(noPartFiles(), "a .part file was left behind");
    QDir(m_outDir).removeRecursively();
    QVERIFY(QDir().mkpath(m_outDir));
}

bool TestTranscoder::noPartFiles() const
{
    return QDir(m_outDir).entryList({ QStringLiteral("*.part") }, QDir::Files | QDir::Hidden).isEmpty();
}

Result<TranscodeReport> TestTranscoder::transcode(
    const QString& input, const QString& outName, const TranscodeSettings& settings)
{
    if (input.isEmpty())
        return Error { ErrorCode::Internal, QStringLiteral("fixture: ") + m_fx.errorString(), {} };
    Transcoder t(input, outPath(outName), settings);
    return t.run();
}

#define TRANSCODE_OK(report, input, outName, settings)                                                       \
    const Result<TranscodeReport> report = transcode(input, outName, settings);                              \
    QVERIFY2(report.ok(), qPrintable(errorText(report)))

#define PROBE_OK(info, path)                                                                                 \
    const Result<MediaInfo> info##Result = probe(path);                                                      \
    QVERIFY2(info##Result.ok(), qPrintable(errorText(info##Result)));                                        \
    const MediaInfo& info = info##Result.value()

void TestTranscoder::defaultSettings()
{
    // The Python service's form defaults: libx264, 1000k, 1280x720, AAC.
    const QString in = m_fx.clip();
    TRANSCODE_OK(report, in, QStringLiteral("default.mp4"), TranscodeSettings {});
    const QString out = outPath(QStringLiteral("default.mp4"));
    QCOMPARE(report->outputPath, out);
    QCOMPARE(report->outputBytes, QFileInfo(out).size());
    QCOMPARE(report->frames, 60);

    PROBE_OK(info, out);
    PROBE_OK(source, in);
    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    QCOMPARE(v->codec, QStringLiteral("h264"));
    QCOMPARE(v->width, 1280);
    QCOMPARE(v->height, 720);
    QCOMPARE(v->pixelFormat, QStringLiteral("yuv420p"));
    QCOMPARE(v->frameRate, 30.0);
    const QList<const StreamInfo*> audio = streamsOf(info, StreamInfo::Type::Audio);
    QCOMPARE(audio.size(), 1);
    QCOMPARE(audio.first()->codec, QStringLiteral("aac"));
    QCOMPARE(audio.first()->channels, 2);
    QCOMPARE(audio.first()->language, QStringLiteral("eng"));

    // Within one frame of the input, for the file and for the video stream.
    const double frame = 1.0 / 30.0;
    QVERIFY2(std::abs(info.durationSeconds - source.durationSeconds) <= frame,
        qPrintable(QStringLiteral("%1 s vs %2 s").arg(info.durationSeconds).arg(source.durationSeconds)));
    const double outVideo = videoStreamDuration(out), inVideo = videoStreamDuration(in);
    QVERIFY2(inVideo > 0 && std::abs(outVideo - inVideo) <= frame,
        qPrintable(QStringLiteral("%1 s vs %2 s").arg(outVideo).arg(inVideo)));
    QCOMPARE(Ffprobe::packetCount(out, QStringLiteral("v")), Ffprobe::packetCount(in, QStringLiteral("v")));

    // 1000k average bitrate at the ffmpeg CLI's default x264 preset (medium: subme=7).
    const QString x264 = x264Options(out);
    QVERIFY2(x264.contains(QStringLiteral(" rc=abr ")) && x264.contains(QStringLiteral(" bitrate=1000 ")),
        qPrintable(x264));
    QVERIFY2(x264.contains(QStringLiteral(" subme=7 ")), qPrintable(x264));
}

void TestTranscoder::heightNeverUpscales()
{
    const QString in = m_fx.sized(QStringLiteral("640x360.mp4"), { 640, 360 }, 1.0);
    TranscodeSettings s = fast();
    s.resolution = Resolution::maxHeight(720);
    TRANSCODE_OK(report, in, QStringLiteral("720p.mp4"), s);
    PROBE_OK(info, outPath(QStringLiteral("720p.mp4")));
    QVERIFY(info.primaryVideo());
    QCOMPARE(info.primaryVideo()->width, 640);
    QCOMPARE(info.primaryVideo()->height, 360);
}

void TestTranscoder::heightKeepsAspect()
{
    const QString in = m_fx.sized(QStringLiteral("640x360.mp4"), { 640, 360 }, 1.0);
    TranscodeSettings s = fast();
    s.resolution = Resolution::maxHeight(240);
    TRANSCODE_OK(report, in, QStringLiteral("240p.mp4"), s);
    PROBE_OK(info, outPath(QStringLiteral("240p.mp4")));
    QVERIFY(info.primaryVideo());
    // 640 * 240 / 360 = 426.7, rounded to an even width as `scale=-2:240` does.
    QCOMPARE(info.primaryVideo()->width, 426);
    QCOMPARE(info.primaryVideo()->height, 240);
}

void TestTranscoder::exactSizeIsExact()
{
    // WxH is that size exactly, even when the aspect ratio differs, as the service's `-s` was.
    TranscodeSettings s = fast();
    s.resolution = Resolution::exact(200, 200);
    TRANSCODE_OK(report, m_fx.clip(), QStringLiteral("200x200.mp4"), s);
    PROBE_OK(info, outPath(QStringLiteral("200x200.mp4")));
    QVERIFY(info.primaryVideo());
    QCOMPARE(info.primaryVideo()->width, 200);
    QCOMPARE(info.primaryVideo()->height, 200);
}

void TestTranscoder::oddSizedInputGivesEvenOutput()
{
    TRANSCODE_OK(report, m_fx.oddSized(), QStringLiteral("odd.mp4"), fast());
    PROBE_OK(info, outPath(QStringLiteral("odd.mp4")));
    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    QCOMPARE(v->codec, QStringLiteral("h264"));
    QCOMPARE(v->width % 2, 0);
    QCOMPARE(v->height % 2, 0);
    QVERIFY(std::abs(v->width - 161) <= 1);
    QVERIFY(std::abs(v->height - 121) <= 1);
    QCOMPARE(v->pixelFormat, QStringLiteral("yuv420p"));
}

void TestTranscoder::rotatedInputPlaysUpright_data()
{
    QTest::addColumn<int>("tag");
    QTest::newRow("90") << 90;
    QTest::newRow("180") << 180;
    QTest::newRow("270") << 270;
}

void TestTranscoder::rotatedInputPlaysUpright()
{
    QFETCH(int, tag);
    const QString in = m_fx.rotated(tag);
    const QString name = QStringLiteral("rotated-%1.mp4").arg(tag);
    TRANSCODE_OK(report, in, name, fast());
    const QString out = outPath(name);
    PROBE_OK(info, out);
    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    const bool sideways = tag != 180;
    QCOMPARE(v->width, sideways ? 240 : 320);
    QCOMPARE(v->height, sideways ? 320 : 240);
    QCOMPARE(v->rotation, 0);
    QCOMPARE(Ffprobe::displayRotation(out), 0);

    // The picture is what the ffmpeg CLI shows for the input, turned by its display matrix.
    const int w = v->width / 8, h = v->height / 8;
    const QByteArray expected = test::grayPicture(in, 1.0, w, h);
    const QByteArray actual = test::grayPicture(out, 1.0, w, h);
    QVERIFY(!expected.isEmpty() && !actual.isEmpty());
    const double difference = test::meanAbsoluteDifference(expected, actual);
    QVERIFY2(difference >= 0 && difference < 6.0,
        qPrintable(QStringLiteral("mean difference %1").arg(difference)));
    // The check can tell orientations apart: the same picture turned half round differs a lot.
    QByteArray turned = expected;
    std::reverse(turned.begin(), turned.end());
    QVERIFY(test::meanAbsoluteDifference(turned, actual) > 3 * difference + 10);
}

void TestTranscoder::difficultInputs_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("variable frame rate") << "vfr";
    QTest::newRow("interlaced") << "interlaced";
    QTest::newRow("10-bit") << "tenbit";
}

void TestTranscoder::difficultInputs()
{
    QFETCH(QString, kind);
    const QString in = kind == u"vfr" ? m_fx.variableFrameRate()
        : kind == u"interlaced"       ? m_fx.interlaced()
                                      : m_fx.tenBit();
    TRANSCODE_OK(report, in, kind + QStringLiteral(".mp4"), fast());
    const QString out = outPath(kind + QStringLiteral(".mp4"));
    PROBE_OK(info, out);
    PROBE_OK(source, in);
    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    QCOMPARE(v->codec, QStringLiteral("h264"));
    QCOMPARE(v->width, 320);
    QCOMPARE(v->height, 240);
    // H.264 is written as 8-bit 4:2:0, progressive: what every player decodes.
    QCOMPARE(v->pixelFormat, QStringLiteral("yuv420p"));
    QVERIFY(!v->interlaced);
    // Every input frame is written once, at its own time.
    QCOMPARE(Ffprobe::packetCount(out, QStringLiteral("v")), Ffprobe::packetCount(in, QStringLiteral("v")));
    QCOMPARE(report->frames, Ffprobe::packetCount(in, QStringLiteral("v")));
    const QList<double> before = Ffprobe::packetTimes(in), after = Ffprobe::packetTimes(out);
    QCOMPARE(after.size(), before.size());
    for (qsizetype i = 1; i < before.size(); ++i) {
        const double gapIn = before[i] - before[i - 1], gapOut = after[i] - after[i - 1];
        QVERIFY2(std::abs(gapIn - gapOut) < 0.002,
            qPrintable(QStringLiteral("frame %1: %2 s after the previous one, was %3 s")
                           .arg(i)
                           .arg(gapOut)
                           .arg(gapIn)));
    }
    QVERIFY2(std::abs(info.durationSeconds - source.durationSeconds) <= 0.1,
        qPrintable(QStringLiteral("%1 s vs %2 s").arg(info.durationSeconds).arg(source.durationSeconds)));
}

void TestTranscoder::audioOnlyInput()
{
    // The default settings name a video codec; an input without video still gives its audio.
    TRANSCODE_OK(report, m_fx.audioOnly(), QStringLiteral("audio.mp4"), TranscodeSettings {});
    PROBE_OK(info, outPath(QStringLiteral("audio.mp4")));
    QVERIFY(!info.hasVideo());
    const QList<const StreamInfo*> audio = streamsOf(info, StreamInfo::Type::Audio);
    QCOMPARE(audio.size(), 1);
    QCOMPARE(audio.first()->codec, QStringLiteral("aac"));
    QVERIFY(std::abs(info.durationSeconds - 2.0) < 0.05);
    QCOMPARE(report->frames, 0);
}

void TestTranscoder::videoOnlyInput()
{
    TRANSCODE_OK(report, m_fx.videoOnly(), QStringLiteral("video.mp4"), fast());
    PROBE_OK(info, outPath(QStringLiteral("video.mp4")));
    QVERIFY(!info.hasAudio());
    QVERIFY(info.primaryVideo());
    QCOMPARE(info.streams.size(), 1);
    QCOMPARE(report->frames, 60);
}

void TestTranscoder::everyAudioTrackKept()
{
    TRANSCODE_OK(report, m_fx.twoAudioTracks(), QStringLiteral("two.mp4"), fast());
    PROBE_OK(info, outPath(QStringLiteral("two.mp4")));
    const QList<const StreamInfo*> audio = streamsOf(info, StreamInfo::Type::Audio);
    QCOMPARE(audio.size(), 2);
    QCOMPARE(audio[0]->codec, QStringLiteral("aac"));
    QCOMPARE(audio[0]->language, QStringLiteral("eng"));
    QCOMPARE(audio[0]->channels, 2);
    QCOMPARE(audio[0]->sampleRate, 48000);
    QCOMPARE(audio[1]->codec, QStringLiteral("aac"));
    QCOMPARE(audio[1]->language, QStringLiteral("fra"));
    QCOMPARE(audio[1]->channels, 1);
    QCOMPARE(audio[1]->sampleRate, 44100);
    for (const QJsonValue& s : Ffprobe::streams(outPath(QStringLiteral("two.mp4")), QStringLiteral("audio")))
        QVERIFY(s.toObject().value(u"duration").toString().toDouble() > 1.9);
}

void TestTranscoder::surroundAudio_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("sourceCodec");
    QTest::addColumn<QString>("audioCodec");
    QTest::addColumn<QString>("container");
    QTest::newRow("5.1 aac to opus in webm") << "5.1"
                                             << "aac"
                                             << "libopus"
                                             << "webm";
    // AC-3, E-AC-3 and DTS decode to 5.1 with side channels.
    QTest::newRow("5.1(side) ac3 to opus in webm") << "5.1(side)"
                                                   << "ac3"
                                                   << "libopus"
                                                   << "webm";
    QTest::newRow("5.1(side) ac3 to aac in mp4") << "5.1(side)"
                                                 << "ac3"
                                                 << "aac"
                                                 << "mp4";
    QTest::newRow("5.1 aac to aac in mkv") << "5.1"
                                           << "aac"
                                           << "aac"
                                           << "mkv";
}

void TestTranscoder::surroundAudio()
{
    QFETCH(QString, layout);
    QFETCH(QString, sourceCodec);
    QFETCH(QString, audioCodec);
    QFETCH(QString, container);
    const QString in = m_fx.surround(
        layout, sourceCodec, sourceCodec == u"aac" ? QStringLiteral("mp4") : QStringLiteral("mkv"));
    TranscodeSettings s = fast();
    s.audioCodec = audioCodec;
    if (container == u"webm") {
        s.videoCodec = QStringLiteral("libvpx-vp9");
        s.encoderPreset = QStringLiteral("8");
    }
    const QString name = QStringLiteral("surround.") + container;
    TRANSCODE_OK(report, in, name, s);
    PROBE_OK(info, outPath(name));
    const QList<const StreamInfo*> audio = streamsOf(info, StreamInfo::Type::Audio);
    QCOMPARE(audio.size(), 1);
    QCOMPARE(audio.first()->codec, audioCodec == u"libopus" ? QStringLiteral("opus") : audioCodec);
    QCOMPARE(audio.first()->channels, 6);
    QCOMPARE(audio.first()->sampleRate, 48000);
}

void TestTranscoder::containers_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("videoCodec");
    QTest::addColumn<QString>("audioCodec");
    QTest::addColumn<QString>("formatName");
    QTest::addColumn<QString>("brand"); // mp4 and mov share a demuxer; the file type box tells them apart
    QTest::newRow("mkv") << "mkv"
                         << "libx264"
                         << "aac"
                         << "matroska,webm"
                         << "";
    QTest::newRow("webm") << "webm"
                          << "libvpx-vp9"
                          << "libopus"
                          << "matroska,webm"
                          << "";
    QTest::newRow("mov") << "mov"
                         << "libx264"
                         << "aac"
                         << "mov,mp4,m4a,3gp,3g2,mj2"
                         << "qt  ";
    QTest::newRow("mp4") << "mp4"
                         << "libx264"
                         << "aac"
                         << "mov,mp4,m4a,3gp,3g2,mj2"
                         << "isom";
}

void TestTranscoder::containers()
{
    QFETCH(QString, extension);
    QFETCH(QString, videoCodec);
    QFETCH(QString, audioCodec);
    QFETCH(QString, formatName);
    QFETCH(QString, brand);
    TranscodeSettings s = fast();
    s.videoCodec = videoCodec;
    s.audioCodec = audioCodec;
    if (videoCodec == u"libvpx-vp9")
        s.encoderPreset = QStringLiteral("8");
    const QString name = QStringLiteral("out.") + extension;
    TRANSCODE_OK(report, m_fx.clip(), name, s);
    const QString out = outPath(name);
    PROBE_OK(info, out);
    QCOMPARE(info.container, formatName);
    QVERIFY(info.primaryVideo());
    QCOMPARE(info.primaryVideo()->codec,
        videoCodec == u"libvpx-vp9" ? QStringLiteral("vp9") : QStringLiteral("h264"));
    const QList<const StreamInfo*> audio = streamsOf(info, StreamInfo::Type::Audio);
    QCOMPARE(audio.size(), 1);
    QCOMPARE(audio.first()->codec, audioCodec == u"libopus" ? QStringLiteral("opus") : audioCodec);
    if (!brand.isEmpty())
        QCOMPARE(Ffprobe::info(out)
                     .value(u"format")
                     .toObject()
                     .value(u"tags")
                     .toObject()
                     .value(u"major_brand")
                     .toString(),
            brand);
    if (extension == u"webm") {
        // A webm file says so in its EBML header (DocType), unlike a plain Matroska file.
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(64).contains("webm"));
    }
}

void TestTranscoder::videoCodecs_data()
{
    QTest::addColumn<QString>("encoder");
    QTest::addColumn<QString>("preset");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("codec");
    QTest::addColumn<QString>("pixelFormat");
    QTest::newRow("libx265") << "libx265"
                             << "ultrafast"
                             << "clip"
                             << "mp4"
                             << "hevc"
                             << "yuv420p";
    QTest::newRow("libx265 keeps 10-bit") << "libx265"
                                          << "ultrafast"
                                          << "tenbit"
                                          << "mkv"
                                          << "hevc"
                                          << "yuv420p10le";
    QTest::newRow("libvpx-vp9") << "libvpx-vp9"
                                << "8"
                                << "clip"
                                << "webm"
                                << "vp9"
                                << "yuv420p";
    QTest::newRow("libsvtav1") << "libsvtav1"
                               << "12"
                               << "clip"
                               << "mkv"
                               << "av1"
                               << "yuv420p";
}

void TestTranscoder::videoCodecs()
{
    QFETCH(QString, encoder);
    QFETCH(QString, preset);
    QFETCH(QString, source);
    QFETCH(QString, extension);
    QFETCH(QString, codec);
    QFETCH(QString, pixelFormat);
    TranscodeSettings s = fast();
    s.videoCodec = encoder;
    s.encoderPreset = preset;
    s.audioCodec = extension == u"webm" ? QStringLiteral("libopus") : QStringLiteral("aac");
    const QString name = encoder + QStringLiteral(".") + extension;
    TRANSCODE_OK(report, source == u"tenbit" ? m_fx.tenBit() : m_fx.clip(), name, s);
    const QString out = outPath(name);
    PROBE_OK(info, out);
    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    QCOMPARE(v->codec, codec);
    QCOMPARE(v->width, 320);
    QCOMPARE(v->height, 240);
    QCOMPARE(v->pixelFormat, pixelFormat);
    QCOMPARE(report->frames, 60);
    QCOMPARE(Ffprobe::packetCount(out, QStringLiteral("v")), 60);
}

void TestTranscoder::videoCopy()
{
    TranscodeSettings s;
    s.videoCodec = QStringLiteral("copy");
    s.resolution = Resolution::keep();
    const QString in = m_fx.clip();
    TRANSCODE_OK(report, in, QStringLiteral("copy.mkv"), s);
    const QString out = outPath(QStringLiteral("copy.mkv"));
    PROBE_OK(info, out);
    QVERIFY(info.primaryVideo());
    QCOMPARE(info.primaryVideo()->codec, QStringLiteral("h264"));
    QCOMPARE(info.primaryVideo()->width, 320);
    const QList<qint64> before = Ffprobe::packetSizes(in, QStringLiteral("v"));
    QCOMPARE(before.size(), 60);
    QCOMPARE(Ffprobe::packetSizes(out, QStringLiteral("v")), before);
    QVERIFY(!x264Options(out).isEmpty()); // the stream itself, not a re-encode: still the fixture's x264 ...
    QVERIFY(x264Options(out).contains(QStringLiteral(" subme=0 "))); // ... ultrafast one
    QCOMPARE(streamsOf(info, StreamInfo::Type::Audio).size(), 1);
}

void TestTranscoder::audioCopy()
{
    TranscodeSettings s = fast();
    s.audioCodec = QStringLiteral("copy");
    const QString in = m_fx.clip();
    TRANSCODE_OK(report, in, QStringLiteral("audiocopy.mp4"), s);
    const QString out = outPath(QStringLiteral("audiocopy.mp4"));
    const QList<qint64> before = Ffprobe::packetSizes(in, QStringLiteral("a"));
    QVERIFY(before.size() > 50);
    QCOMPARE(Ffprobe::packetSizes(out, QStringLiteral("a")), before);
}

void TestTranscoder::audioNone()
{
    TranscodeSettings s = fast();
    s.audioCodec = QStringLiteral("none");
    TRANSCODE_OK(report, m_fx.twoAudioTracks(), QStringLiteral("silent.mp4"), s);
    PROBE_OK(info, outPath(QStringLiteral("silent.mp4")));
    QVERIFY(!info.hasAudio());
    QVERIFY(info.primaryVideo());
}

void TestTranscoder::videoNone()
{
    TranscodeSettings s;
    s.videoCodec = QStringLiteral("none");
    s.resolution = Resolution::keep();
    TRANSCODE_OK(report, m_fx.clip(), QStringLiteral("sound.m4a"), s);
    PROBE_OK(info, outPath(QStringLiteral("sound.m4a")));
    QVERIFY(!info.hasVideo());
    QCOMPARE(streamsOf(info, StreamInfo::Type::Audio).size(), 1);
    QCOMPARE(Ffprobe::info(outPath(QStringLiteral("sound.m4a")))
                 .value(u"format")
                 .toObject()
                 .value(u"tags")
                 .toObject()
                 .value(u"major_brand")
                 .toString(),
        QStringLiteral("M4A "));
}

void TestTranscoder::bitrateCrfAndPreset()
{
    // x264 records its rate control and preset-derived options in the stream.
    TranscodeSettings crf = fast();
    crf.crf = 30;
    TRANSCODE_OK(crfReport, m_fx.clip(), QStringLiteral("crf.mp4"), crf);
    const QString crfOptions = x264Options(outPath(QStringLiteral("crf.mp4")));
    QVERIFY2(
        crfOptions.contains(QStringLiteral(" rc=crf ")) && crfOptions.contains(QStringLiteral(" crf=30.0 ")),
        qPrintable(crfOptions));
    QVERIFY2(crfOptions.contains(QStringLiteral(" subme=0 ")), qPrintable(crfOptions)); // ultrafast

    TranscodeSettings abr = fast();
    abr.videoBitrate = 2'500'000;
    abr.encoderPreset = QStringLiteral("veryfast");
    TRANSCODE_OK(abrReport, m_fx.clip(), QStringLiteral("abr.mp4"), abr);
    const QString abrOptions = x264Options(outPath(QStringLiteral("abr.mp4")));
    QVERIFY2(abrOptions.contains(QStringLiteral(" rc=abr "))
            && abrOptions.contains(QStringLiteral(" bitrate=2500 ")),
        qPrintable(abrOptions));
    QVERIFY2(abrOptions.contains(QStringLiteral(" subme=2 ")), qPrintable(abrOptions)); // veryfast
}

void TestTranscoder::frameRateChange()
{
    TranscodeSettings s = fast();
    s.fpsNum = 15;
    TRANSCODE_OK(report, m_fx.clip(), QStringLiteral("15fps.mp4"), s);
    const QString out = outPath(QStringLiteral("15fps.mp4"));
    PROBE_OK(info, out);
    QVERIFY(info.primaryVideo());
    QCOMPARE(info.primaryVideo()->frameRate, 15.0);
    const qint64 frames = Ffprobe::packetCount(out, QStringLiteral("v"));
    QVERIFY2(std::abs(frames - 30) <= 1, qPrintable(QString::number(frames)));
    QVERIFY(std::abs(info.durationSeconds - 2.0) <= 1.0 / 15);
}

void TestTranscoder::textSubtitlesCarried_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("codec");
    QTest::newRow("srt in mkv to mp4") << "mkv"
                                       << "mp4"
                                       << "mov_text";
    QTest::newRow("mov_text in mp4 to mkv") << "mp4"
                                            << "mkv"
                                            << "subrip";
    QTest::newRow("srt in mkv to mkv") << "mkv"
                                       << "mkv"
                                       << "subrip";
    QTest::newRow("mov_text in mp4 to mov") << "mp4"
                                            << "mov"
                                            << "mov_text";
}

void TestTranscoder::textSubtitlesCarried()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, codec);
    const QString name = QStringLiteral("subtitled.") + to;
    TRANSCODE_OK(report, m_fx.subtitled(from), name, fast());
    const QString out = outPath(name);
    PROBE_OK(info, out);
    const QList<const StreamInfo*> subs = streamsOf(info, StreamInfo::Type::Subtitle);
    QCOMPARE(subs.size(), 1);
    QCOMPARE(subs.first()->codec, codec);
    QCOMPARE(subs.first()->language, QStringLiteral("eng"));
    const QString text = Ffprobe::subtitleText(out);
    QVERIFY2(
        text.contains(QStringLiteral("Hello")) && text.contains(QStringLiteral("World")), qPrintable(text));
    // Each cue keeps its place relative to the pictures: audio encoder delay may move the whole file.
    const QList<double> video = Ffprobe::packetTimes(out);
    QVERIFY(!video.isEmpty());
    const QList<std::pair<double, double>> cues = subRipCues(text);
    QCOMPARE(cues.size(), 2);
    const std::pair<double, double> expected[] = { { 0.2, 0.9 }, { 1.0, 1.8 } };
    for (int i = 0; i < 2; ++i) {
        const double start = cues[i].first - video.first(), end = cues[i].second - video.first();
        QVERIFY2(std::abs(start - expected[i].first) < 0.003 && std::abs(end - expected[i].second) < 0.003,
            qPrintable(QStringLiteral("cue %1 at %2-%3 s after the first picture:\n%4")
                           .arg(i + 1)
                           .arg(start)
                           .arg(end)
                           .arg(text)));
    }
}

void TestTranscoder::progressReported()
{
    std::mutex mutex;
    QList<TranscodeProgress> seen;
    Transcoder t(m_fx.clip(), outPath(QStringLiteral("progress.mp4")), fast());
    t.setProgressCallback(
        [&](const TranscodeProgress& p) {
            std::lock_guard lock(mutex);
            seen << p;
        },
        0);
    const auto r = t.run();
    QVERIFY2(r.ok(), qPrintable(errorText(r)));
    std::lock_guard lock(mutex);
    QVERIFY2(seen.size() >= 3, qPrintable(QString::number(seen.size())));
    bool between = false;
    for (qsizetype i = 0; i < seen.size(); ++i) {
        const TranscodeProgress& p = seen[i];
        QVERIFY(p.fraction >= 0.0 && p.fraction <= 1.0);
        QVERIFY(std::abs(p.durationSeconds - 2.0) < 0.05);
        between = between || (p.fraction > 0.0 && p.fraction < 1.0);
        if (i > 0) {
            QVERIFY2(p.fraction >= seen[i - 1].fraction,
                qPrintable(QStringLiteral("%1 after %2").arg(p.fraction).arg(seen[i - 1].fraction)));
            QVERIFY(p.frames >= seen[i - 1].frames);
            QVERIFY(p.positionSeconds >= seen[i - 1].positionSeconds);
        }
    }
    QVERIFY(between);
    QCOMPARE(seen.last().fraction, 1.0);
    QCOMPARE(seen.last().frames, 60);
    QCOMPARE(seen.last().etaSeconds, 0.0);
    QVERIFY(seen.last().speed > 0);
    QVERIFY(seen.last().fps > 0);
    QCOMPARE(
        std::count_if(seen.begin(), seen.end(), [](const TranscodeProgress& p) { return p.fraction == 1.0; }),
        1);
}

void TestTranscoder::cancelStopsWithinHalfASecond()
{
    // Long enough that the default 1280x720 x264 encode is still busy when canceled.
    const QString in = m_fx.sized(QStringLiteral("long.mp4"), { 320, 240 }, 30.0);
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    const QString out = outPath(QStringLiteral("canceled.mp4"));
    Transcoder t(in, out, TranscodeSettings {});
    std::atomic<bool> running { false };
    t.setProgressCallback([&](const TranscodeProgress& p) { running = running || p.frames >= 10; }, 0);

    QElapsedTimer clock;
    clock.start();
    std::atomic<bool> finished { false };
    std::atomic<qint64> canceledAtNs { -1 };
    std::thread canceller([&] {
        while (!running && !finished)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (finished)
            return;
        canceledAtNs = clock.nsecsElapsed();
        t.cancel();
    });
    const auto r = t.run();
    const qint64 returnedAtNs = clock.nsecsElapsed();
    finished = true;
    canceller.join();

    QVERIFY2(canceledAtNs >= 0, "the transcode finished before it could be canceled");
    QVERIFY2(!r.ok(), "run() succeeded after cancel()");
    QCOMPARE(r.error().code, ErrorCode::Canceled);
    const double ms = (returnedAtNs - canceledAtNs) / 1e6;
    qInfo("run() returned %.1f ms after cancel()", ms);
    QVERIFY2(ms < 500.0, qPrintable(QStringLiteral("run() returned %1 ms after cancel()").arg(ms)));
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(!QFileInfo::exists(media::partPath(out)));
}

void TestTranscoder::existingOutputIsKept()
{
    const QString out = outPath(QStringLiteral("exists.mp4"));
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("precious");
    f.close();
    const auto r = transcode(m_fx.clip(), QStringLiteral("exists.mp4"), fast());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::AlreadyExists);
    QCOMPARE(r.error().field, QStringLiteral("output"));
    QVERIFY(!r.error().message.isEmpty());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("precious"));
}

void TestTranscoder::overwriteReplaces()
{
    const QString out = outPath(QStringLiteral("replace.mp4"));
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("old");
    f.close();
    TranscodeSettings s = fast();
    s.overwrite = true;
    TRANSCODE_OK(report, m_fx.clip(), QStringLiteral("replace.mp4"), s);
    PROBE_OK(info, out);
    QVERIFY(info.primaryVideo());
}

void TestTranscoder::unusualFileNames_data()
{
    QTest::addColumn<QString>("inputName");
    QTest::addColumn<QString>("outputName");
    QTest::newRow("quotes and non-ASCII")
        << QStringLiteral("clip \"ünïcødé\" 'x'.mp4") << QStringLiteral("out \"ünïcødé\" 'y'.mkv");
    QTest::newRow("CJK and emoji") << QStringLiteral("映像 🎬.mp4") << QStringLiteral("出力 🎞.mp4");
    QTest::newRow("colon, like a protocol")
        << QStringLiteral("concat:clip.mp4") << QStringLiteral("file:out.mp4");
    QTest::newRow("percent, like a pattern")
        << QStringLiteral("100%d clip.mp4") << QStringLiteral("out %03d.mp4");
    QTest::newRow("leading dash") << QStringLiteral("-i clip.mp4") << QStringLiteral("-y out.mov");
}

void TestTranscoder::unusualFileNames()
{
    QFETCH(QString, inputName);
    QFETCH(QString, outputName);
    const QString source = m_fx.clip();
    QVERIFY2(!source.isEmpty(), qPrintable(m_fx.errorString()));
    const QString in = m_fx.path(inputName);
    QFile::remove(in);
    QVERIFY(QFile::copy(source, in));

    PROBE_OK(input, in);
    QVERIFY(input.primaryVideo());
    TRANSCODE_OK(report, in, outputName, fast());
    const QString out = outPath(outputName);
    QVERIFY(QFileInfo::exists(out));
    QCOMPARE(QDir(m_outDir).entryList(QDir::Files), QStringList { outputName });
    PROBE_OK(info, out);
    QVERIFY(info.primaryVideo());
    QVERIFY(info.hasAudio());
}

void TestTranscoder::badSettingsRefusedBeforeAnyWork()
{
    TranscodeSettings s;
    s.videoCodec = QStringLiteral("libx264 -preset ultrafast");
    const auto r = transcode(m_fx.clip(), QStringLiteral("bad.mp4"), s);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(r.error().field, QStringLiteral("codec"));

    const auto container = transcode(m_fx.clip(), QStringLiteral("bad.avi"), fast());
    QVERIFY(!container.ok());
    QCOMPARE(container.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(container.error().field, QStringLiteral("output"));
    QVERIFY(QDir(m_outDir).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

void TestTranscoder::missingInputAndFolder()
{
    const auto missing
        = transcode(m_fx.path(QStringLiteral("nothing here.mp4")), QStringLiteral("x.mp4"), fast());
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QVERIFY(!missing.error().message.isEmpty());

    const auto folder = transcode(m_fx.clip(), QStringLiteral("no folder/x.mp4"), fast());
    QVERIFY(!folder.ok());
    QCOMPARE(folder.error().code, ErrorCode::NotFound);
    QCOMPARE(folder.error().field, QStringLiteral("output"));
    QVERIFY(QDir(m_outDir).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

QTEST_GUILESS_MAIN(TestTranscoder)
#include "tst_transcoder.moc"
