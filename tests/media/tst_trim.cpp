// Trimming: a time range of the input, cut frame-accurately and sample-accurately, checked with
// ffprobe, against the ffmpeg CLI's accurate seek, and by looking at the pictures.

#include "fixtures.h"
#include "presets.h"
#include "transcoder.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <cmath>

using namespace vtfarm;
using namespace vtfarm::media;
using vtfarm::test::errorText;
using vtfarm::test::Ffprobe;
using vtfarm::test::subRipCues;

namespace {

// Keeps the picture as it is and encodes it well, so that a picture of the output can be told
// apart from its neighbours in the source.
TranscodeSettings sharp(double start, double end)
{
    TranscodeSettings s;
    s.resolution = Resolution::keep();
    s.encoderPreset = QStringLiteral("ultrafast");
    s.crf = 12;
    s.startSeconds = start;
    s.endSeconds = end;
    return s;
}

double streamDuration(const QString& path, const QString& type)
{
    const QJsonArray list = Ffprobe::streams(path, type);
    return list.isEmpty() ? -1 : list.first().toObject().value(u"duration").toString().toDouble();
}

double streamStart(const QString& path, const QString& type)
{
    const QJsonArray list = Ffprobe::streams(path, type);
    return list.isEmpty() ? -1 : list.first().toObject().value(u"start_time").toString().toDouble();
}

constexpr double kFrame = 1.0 / 30.0;
constexpr double kAudioFrame = 1024.0 / 48000.0;

} // namespace

class TestTrim : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void rangeHasTheFramesAndDuration();
    void firstPictureIsTheOneAtTheStart_data();
    void firstPictureIsTheOneAtTheStart();
    void sameFramesAsFfmpegAccurateSeek_data();
    void sameFramesAsFfmpegAccurateSeek();
    void startBetweenFramesShowsTheCoveringOne();
    void endBeyondTheInputEndsAtItsEnd();
    void bFramesAndOpenGop();
    void subtitlesShiftedIntoTheRange();
    void subtitlesCanBeDropped();
    void progressIsOfTheRange();
    void startAfterTheEndRefused();
    void copyCannotBeTrimmed();
    void validation_data();
    void validation();
    void timesParsed_data();
    void timesParsed();
    void jsonAndRequestFields();
    void commandLine();

private:
    Result<TranscodeReport> transcode(const QString& input, const QString& name, const TranscodeSettings& s);
    QString outPath(const QString& name) const { return QDir(m_outDir).filePath(name); }
    /// A 6 s 30 fps clip with a keyframe every second (at 0, 1, 2, ...).
    QString source();

    test::MediaFixtures m_fx;
    QString m_outDir;
};

void TestTrim::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_fx.isValid(), qPrintable(m_fx.errorString()));
    m_outDir = m_fx.path(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(m_outDir));
    QVERIFY2(!source().isEmpty(), qPrintable(m_fx.errorString()));
}

void TestTrim::cleanup()
{
    QVERIFY2(QDir(m_outDir).entryList({ QStringLiteral("*.part") }, QDir::Files).isEmpty(),
        "a .part file was left behind");
    QDir(m_outDir).removeRecursively();
    QVERIFY(QDir().mkpath(m_outDir));
}

QString TestTrim::source()
{
    test::ClipSpec spec;
    spec.fileName = QStringLiteral("six.mp4");
    spec.seconds = 6;
    spec.size = { 320, 240 };
    spec.videoOptions << "-g"
                      << "30"
                      << "-crf"
                      << "10";
    return m_fx.generate(spec);
}

Result<TranscodeReport> TestTrim::transcode(
    const QString& input, const QString& name, const TranscodeSettings& s)
{
    if (input.isEmpty())
        return Error { ErrorCode::Internal, QStringLiteral("fixture: ") + m_fx.errorString(), {} };
    Transcoder t(input, outPath(name), s);
    return t.run();
}

#define TRANSCODE_OK(report, input, name, settings)                                                          \
    const Result<TranscodeReport> report = transcode(input, name, settings);                                 \
    QVERIFY2(report.ok(), qPrintable(errorText(report)))

void TestTrim::rangeHasTheFramesAndDuration()
{
    TRANSCODE_OK(report, source(), QStringLiteral("range.mp4"), sharp(2.0, 4.5));
    const QString out = outPath(QStringLiteral("range.mp4"));
    QCOMPARE(report->frames, 75);
    QCOMPARE(Ffprobe::packetCount(out, QStringLiteral("v")), 75);
    QVERIFY2(std::abs(streamDuration(out, QStringLiteral("video")) - 2.5) <= kFrame + 1e-6,
        qPrintable(QString::number(streamDuration(out, QStringLiteral("video")))));
    const double audio = streamDuration(out, QStringLiteral("audio"));
    QVERIFY2(std::abs(audio - 2.5) <= kAudioFrame, qPrintable(QString::number(audio)));
    // Both start at 0: the cut keeps them in step.
    QVERIFY(std::abs(streamStart(out, QStringLiteral("video"))) < 1e-3);
    QVERIFY(std::abs(streamStart(out, QStringLiteral("audio"))) <= kAudioFrame);
    const QList<double> times = Ffprobe::packetTimes(out);
    QCOMPARE(times.size(), 75);
    QVERIFY(std::abs(times.first()) < 1e-6);
    QVERIFY(std::abs(times.last() - 74 * kFrame) < 1e-3);
    QCOMPARE(report->mediaSeconds > 2.4 && report->mediaSeconds <= 2.5 + 1e-6, true);
}

void TestTrim::firstPictureIsTheOneAtTheStart_data()
{
    QTest::addColumn<double>("start");
    QTest::newRow("on a keyframe") << 2.0;
    QTest::newRow("between keyframes") << 2.5;
    QTest::newRow("just after the first") << 1.0 / 30.0;
    QTest::newRow("near the end") << 5.4;
}

void TestTrim::firstPictureIsTheOneAtTheStart()
{
    QFETCH(double, start);
    TRANSCODE_OK(report, source(), QStringLiteral("first.mp4"), sharp(start, start + 0.5));
    QCOMPARE(report->frames, 15);
    const QString out = outPath(QStringLiteral("first.mp4"));
    const QByteArray first = test::grayPicture(out, 0, 160, 120);
    const QByteArray there = test::grayPicture(source(), start, 160, 120);
    // grayPicture seeks to a millisecond: half a picture away is the neighbour.
    const QByteArray before = test::grayPicture(source(), std::max(0.0, start - 1.5 * kFrame), 160, 120);
    const QByteArray after = test::grayPicture(source(), start + 1.5 * kFrame, 160, 120);
    QVERIFY(!first.isEmpty() && !there.isEmpty() && !before.isEmpty() && !after.isEmpty());
    const double same = test::meanAbsoluteDifference(first, there);
    QVERIFY2(same < 1.0, qPrintable(QString::number(same)));
    QVERIFY2(test::meanAbsoluteDifference(first, before) > same,
        qPrintable(QString::number(test::meanAbsoluteDifference(first, before))));
    QVERIFY2(test::meanAbsoluteDifference(first, after) > same,
        qPrintable(QString::number(test::meanAbsoluteDifference(first, after))));
}

void TestTrim::sameFramesAsFfmpegAccurateSeek_data()
{
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("end");
    QTest::newRow("2-4.5") << 2.0 << 4.5;
    QTest::newRow("2.5-4") << 2.5 << 4.0;
    QTest::newRow("0.1-1.234") << 0.1 << 1.234;
    QTest::newRow("0-3.3") << 0.0 << 3.3;
    QTest::newRow("4.9-end") << 4.9 << -1.0;
}

void TestTrim::sameFramesAsFfmpegAccurateSeek()
{
    QFETCH(double, start);
    QFETCH(double, end);
    TRANSCODE_OK(report, source(), QStringLiteral("ours.mp4"), sharp(start, end));
    QStringList args { "-ss", QString::number(start) };
    if (end >= 0)
        args << "-to" << QString::number(end);
    const QString theirs = outPath(QStringLiteral("theirs.mp4"));
    args << "-i" << source() << "-c:v"
         << "libx264"
         << "-preset"
         << "ultrafast" << theirs;
    QVERIFY2(m_fx.runFfmpeg(args), qPrintable(m_fx.errorString()));
    const qint64 ours = Ffprobe::packetCount(outPath(QStringLiteral("ours.mp4")));
    const qint64 expected = Ffprobe::packetCount(theirs);
    QVERIFY2(std::abs(ours - expected) <= 1, qPrintable(QStringLiteral("%1 vs %2").arg(ours).arg(expected)));
    const double audio = streamDuration(outPath(QStringLiteral("ours.mp4")), QStringLiteral("audio"));
    const double want = (end >= 0 ? end : 6.0) - start;
    QVERIFY2(std::abs(audio - want) <= kAudioFrame, qPrintable(QString::number(audio)));
}

void TestTrim::startBetweenFramesShowsTheCoveringOne()
{
    // 2.51 s falls inside the picture shown from 2.5 s: that picture starts the output, at 0.
    TRANSCODE_OK(report, source(), QStringLiteral("covering.mp4"), sharp(2.51, 3.0));
    const QString out = outPath(QStringLiteral("covering.mp4"));
    const QByteArray first = test::grayPicture(out, 0, 160, 120);
    const QByteArray there = test::grayPicture(source(), 2.5, 160, 120);
    QVERIFY(test::meanAbsoluteDifference(first, there) < 1.0);
    const QList<double> times = Ffprobe::packetTimes(out);
    QVERIFY(!times.isEmpty());
    QVERIFY(std::abs(times.first()) < 1e-6);
    // Then the pictures from 2.533 s on, at their own times from the start.
    QVERIFY2(times.size() >= 2 && std::abs(times[1] - (2.0 + 16 * kFrame - 2.51)) < 2e-3,
        qPrintable(QString::number(times.value(1))));
}

void TestTrim::endBeyondTheInputEndsAtItsEnd()
{
    TRANSCODE_OK(report, source(), QStringLiteral("beyond.mp4"), sharp(2.0, 100.0));
    const QString out = outPath(QStringLiteral("beyond.mp4"));
    QCOMPARE(report->frames, 120);
    QVERIFY(std::abs(streamDuration(out, QStringLiteral("video")) - 4.0) <= kFrame + 1e-6);
    QVERIFY(std::abs(streamDuration(out, QStringLiteral("audio")) - 4.0) <= kAudioFrame);
    QVERIFY2(report->warnings.isEmpty(), qPrintable(report->warnings.join(u'\n')));
}

void TestTrim::bFramesAndOpenGop()
{
    test::ClipSpec spec;
    spec.fileName = QStringLiteral("bframes.mp4");
    spec.seconds = 6;
    spec.videoOptions << "-x264-params"
                      << "bframes=3:keyint=45:open-gop=1:b-pyramid=normal"
                      << "-crf"
                      << "10";
    const QString in = m_fx.generate(spec);
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    for (const double start : { 1.5, 3.0, 3.1 }) {
        TRANSCODE_OK(report, in, QStringLiteral("b.mp4"), sharp(start, start + 1.5));
        const QString out = outPath(QStringLiteral("b.mp4"));
        QCOMPARE(Ffprobe::packetCount(out), 45);
        const double mad = test::meanAbsoluteDifference(
            test::grayPicture(out, 0, 160, 120), test::grayPicture(in, start, 160, 120));
        QVERIFY2(mad >= 0 && mad < 1.0, qPrintable(QStringLiteral("start %1: %2").arg(start).arg(mad)));
        QFile::remove(out);
    }
}

void TestTrim::subtitlesShiftedIntoTheRange()
{
    // "Hello" and "World" at about 0.2-0.9 s and 1.0-1.8 s (the muxer that made them moves them by
    // the AAC encoder's delay); the range 0.5-1.5 s keeps the end of one and the start of the other.
    const QString in = m_fx.subtitled(QStringLiteral("mkv"));
    const auto source = subRipCues(Ffprobe::subtitleText(in));
    QCOMPARE(source.size(), 2);
    const double sourceStart
        = Ffprobe::info(in).value(u"format").toObject().value(u"start_time").toString().toDouble();
    TRANSCODE_OK(report, in, QStringLiteral("subs.mkv"), sharp(0.5, 1.5));
    const QString out = outPath(QStringLiteral("subs.mkv"));
    const QString text = Ffprobe::subtitleText(out);
    QVERIFY2(text.contains(u"Hello") && text.contains(u"World"), qPrintable(text));
    const auto cues = subRipCues(text);
    QCOMPARE(cues.size(), 2);
    // Each cue's time in the range, from the output's first picture (the range's start).
    const double zero = Ffprobe::packetTimes(out).value(0);
    for (int i = 0; i < 2; ++i) {
        const double start = std::max(0.0, source[i].first - sourceStart - 0.5);
        const double end = std::min(1.0, source[i].second - sourceStart - 0.5);
        QVERIFY2(
            std::abs(cues[i].first - zero - start) < 0.003 && std::abs(cues[i].second - zero - end) < 0.003,
            qPrintable(QStringLiteral("cue %1: %2-%3, want %4-%5")
                           .arg(i)
                           .arg(cues[i].first - zero)
                           .arg(cues[i].second - zero)
                           .arg(start)
                           .arg(end)));
    }

    // A range after both shows none.
    TRANSCODE_OK(late, in, QStringLiteral("late.mkv"), sharp(1.9, 2.0));
    QVERIFY(!Ffprobe::subtitleText(outPath(QStringLiteral("late.mkv"))).contains(u"World"));
}

void TestTrim::subtitlesCanBeDropped()
{
    TranscodeSettings s = sharp(0, -1);
    s.subtitles = false;
    TRANSCODE_OK(report, m_fx.subtitled(QStringLiteral("mkv")), QStringLiteral("nosubs.mkv"), s);
    QVERIFY(Ffprobe::streams(outPath(QStringLiteral("nosubs.mkv")), QStringLiteral("subtitle")).isEmpty());
    QCOMPARE(Ffprobe::streams(outPath(QStringLiteral("nosubs.mkv")), QStringLiteral("audio")).size(), 1);
}

void TestTrim::progressIsOfTheRange()
{
    Transcoder t(source(), outPath(QStringLiteral("progress.mp4")), sharp(1.0, 3.0));
    QList<TranscodeProgress> seen;
    t.setProgressCallback([&](const TranscodeProgress& p) { seen.append(p); }, 0);
    const auto report = t.run();
    QVERIFY2(report.ok(), qPrintable(errorText(report)));
    QVERIFY(!seen.isEmpty());
    for (const TranscodeProgress& p : seen) {
        QVERIFY(std::abs(p.durationSeconds - 2.0) < 1e-6);
        QVERIFY(p.positionSeconds <= 2.0 + 1e-6);
    }
    QCOMPARE(seen.last().fraction, 1.0);
    QVERIFY(seen.size() > 2 && seen[seen.size() / 2].fraction > 0.1 && seen[seen.size() / 2].fraction < 0.9);
}

void TestTrim::startAfterTheEndRefused()
{
    const auto report = transcode(source(), QStringLiteral("late.mp4"), sharp(7.0, -1));
    QVERIFY(!report.ok());
    QCOMPARE(report.error().field, QStringLiteral("start"));
    QVERIFY2(report.error().message.contains(u"7"), qPrintable(report.error().message));
    QVERIFY(!QFileInfo::exists(outPath(QStringLiteral("late.mp4"))));
}

void TestTrim::copyCannotBeTrimmed()
{
    TranscodeSettings s;
    s.videoCodec = QStringLiteral("copy");
    s.resolution = Resolution::keep();
    s.startSeconds = 1;
    const auto report = transcode(source(), QStringLiteral("copy.mp4"), s);
    QVERIFY(!report.ok());
    QCOMPARE(report.error().field, QStringLiteral("start"));
    QVERIFY2(report.error().message.contains(u"keyframe"), qPrintable(report.error().message));

    s = sharp(1, -1);
    s.audioCodec = QStringLiteral("copy");
    const QList<Error> errors = validate(s, QStringLiteral("mp4"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().field, QStringLiteral("start"));
    // The whole input copies as before.
    s.startSeconds = 0;
    QVERIFY(validate(s, QStringLiteral("mp4")).isEmpty());
}

void TestTrim::validation_data()
{
    QTest::addColumn<double>("start");
    QTest::addColumn<double>("end");
    QTest::addColumn<QString>("field"); // empty: valid
    QTest::newRow("whole") << 0.0 << -1.0 << "";
    QTest::newRow("start only") << 12.5 << -1.0 << "";
    QTest::newRow("end only") << 0.0 << 3.0 << "";
    QTest::newRow("negative start") << -1.0 << -1.0 << "start";
    QTest::newRow("infinite start") << double(INFINITY) << -1.0 << "start";
    QTest::newRow("end before start") << 5.0 << 4.0 << "end";
    QTest::newRow("end at start") << 5.0 << 5.0 << "end";
    QTest::newRow("negative end") << 0.0 << -2.0 << "end";
    QTest::newRow("end not a number") << 0.0 << double(NAN) << "end";
}

void TestTrim::validation()
{
    QFETCH(double, start);
    QFETCH(double, end);
    QFETCH(QString, field);
    TranscodeSettings s;
    s.startSeconds = start;
    s.endSeconds = end;
    const QList<Error> errors = validate(s, QStringLiteral("mp4"));
    if (field.isEmpty()) {
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).message));
        return;
    }
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().field, field);
    QCOMPARE(errors.first().code, ErrorCode::InvalidArgument);
}

void TestTrim::timesParsed_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("seconds"); // -1: refused
    QTest::newRow("seconds") << "12.5" << 12.5;
    QTest::newRow("whole seconds") << "62" << 62.0;
    QTest::newRow("leading point") << ".5" << 0.5;
    QTest::newRow("minutes") << "1:02.5" << 62.5;
    QTest::newRow("hours") << "00:01:02.5" << 62.5;
    QTest::newRow("long") << "2:00:00" << 7200.0;
    QTest::newRow("spaces") << " 3 " << 3.0;
    QTest::newRow("60 seconds after minutes") << "1:60" << -1.0;
    QTest::newRow("negative") << "-3" << -1.0;
    QTest::newRow("words") << "soon" << -1.0;
    QTest::newRow("empty") << "" << -1.0;
    QTest::newRow("four parts") << "1:2:3:4" << -1.0;
}

void TestTrim::timesParsed()
{
    QFETCH(QString, text);
    QFETCH(double, seconds);
    const auto parsed = parseTimestamp(text);
    if (seconds < 0) {
        QVERIFY2(!parsed, qPrintable(text));
        return;
    }
    QVERIFY2(parsed, qPrintable(text));
    QCOMPARE(*parsed, seconds);
}

void TestTrim::jsonAndRequestFields()
{
    // Numbers and text alike, in the settings' JSON and in a job request.
    auto s = TranscodeSettings::fromJson(QJsonObject { { "start", "00:01:02.5" }, { "end", 70 } });
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    QCOMPARE(s->startSeconds, 62.5);
    QCOMPARE(s->endSeconds, 70.0);
    const auto back = TranscodeSettings::fromJson(s->toJson());
    QVERIFY(back.ok());
    QVERIFY(*back == *s);
    QCOMPARE(TranscodeSettings {}.toJson().contains(u"start"), false);
    QCOMPARE(TranscodeSettings {}.toJson().contains(u"end"), false);

    TranscodeSettings flags;
    flags.subtitles = false;
    flags.closedGop = true;
    flags.startSeconds = 1.0 / 3.0; // survives the text of a worker's stdin exactly
    const QByteArray text = QJsonDocument(flags.toJson()).toJson(QJsonDocument::Compact);
    const auto flagsBack = TranscodeSettings::fromJson(QJsonDocument::fromJson(text).object());
    QVERIFY(flagsBack.ok());
    QVERIFY2(*flagsBack == flags, text.constData());

    for (const auto& [json, field] : { std::pair { R"({"start": "soon"})", "start" },
             std::pair { R"({"end": true})", "end" }, std::pair { R"({"subtitles": "no"})", "subtitles" },
             std::pair { R"({"closed_gop": 1})", "closed_gop" } }) {
        const auto bad = TranscodeSettings::fromJson(QJsonDocument::fromJson(json).object());
        QVERIFY2(!bad.ok(), json);
        QCOMPARE(bad.error().field, QString::fromLatin1(field));
    }

    const PresetLibrary library(m_fx.path(QStringLiteral("presets")));
    auto choice = chooseSettings(QJsonObject { { "start", "7.3" }, { "end", 41.9 } }, library);
    QVERIFY2(choice.ok(), qPrintable(errorText(choice)));
    QCOMPARE(choice->settings.startSeconds, 7.3);
    QCOMPARE(choice->settings.endSeconds, 41.9);
    auto wrong = chooseSettings(QJsonObject { { "end", "later" } }, library);
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().field, QStringLiteral("end"));
    wrong = chooseSettings(QJsonObject { { "start", QJsonArray {} } }, library);
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().field, QStringLiteral("start"));
}

void TestTrim::commandLine()
{
    const QString out = outPath(QStringLiteral("cli.mp4"));
    QProcess p;
    p.start(QStringLiteral(VTFARM_CLI_PATH),
        { "transcode", source(), "-o", out, "--start", "2", "--end", "00:00:04.5", "--resolution", "keep",
            "--preset", "ultrafast" });
    QVERIFY(p.waitForFinished(60'000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    QCOMPARE(Ffprobe::packetCount(out), 75);

    p.start(QStringLiteral(VTFARM_CLI_PATH),
        { "transcode", source(), "-o", outPath(QStringLiteral("bad.mp4")), "--start", "4", "--end", "3" });
    QVERIFY(p.waitForFinished(60'000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(p.readAllStandardError().contains("--end"), "the error names --end");
}

QTEST_GUILESS_MAIN(TestTrim)
#include "tst_trim.moc"
