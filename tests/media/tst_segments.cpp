// Split jobs' media layer: the plan, the segment and audio encodes, the join; the joined output
// checked against an unsplit encode of the same input with ffprobe, a decode and SSIM.

#include "fixtures.h"
#include "segmentjoin.h"
#include "segmentplan.h"
#include "transcoder.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <cmath>
#include <numeric>

using namespace vtfarm;
using namespace vtfarm::media;
using vtfarm::test::errorText;
using vtfarm::test::Ffprobe;

namespace {

QList<double> keyframeTimes(const QString& path)
{
    QProcess p;
    p.start(test::ffprobeProgram(),
        { "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0",
            path });
    p.waitForFinished(60'000);
    QList<double> times;
    for (const QByteArray& line : p.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> fields = line.trimmed().split(',');
        if (fields.size() >= 2 && fields[1].contains('K'))
            times << fields[0].toDouble();
    }
    std::sort(times.begin(), times.end());
    return times;
}

double streamDuration(const QJsonValue& stream)
{
    return stream.toObject().value(u"duration").toString().toDouble();
}

// What `ffmpeg -v error -i PATH -f null -` prints: nothing for a file that decodes cleanly.
QString decodeErrors(const QString& path)
{
    QProcess p;
    p.start(test::ffmpegProgram(), { "-nostdin", "-v", "error", "-i", path, "-f", "null", "-" });
    if (!p.waitForFinished(120'000))
        return QStringLiteral("ffmpeg timed out");
    return QString::fromUtf8(p.readAllStandardError()).trimmed();
}

// SSIM (all planes) of each picture of \a path against the source's range, scaled to its size as
// the ffmpeg CLI would; empty on failure.
QList<double> ssimPerFrame(
    const QString& path, const QString& source, double start, double end, const QString& statsFile)
{
    const QJsonArray video = Ffprobe::streams(path, QStringLiteral("video"));
    if (video.isEmpty())
        return {};
    const int w = video.first().toObject().value(u"width").toInt();
    const int h = video.first().toObject().value(u"height").toInt();
    QStringList args { "-nostdin", "-v", "error", "-i", path };
    if (start > 0)
        args << "-ss" << QString::number(start, 'f', 6);
    if (end >= 0)
        args << "-to" << QString::number(end, 'f', 6);
    args << "-i" << source << "-lavfi"
         << QStringLiteral("[1:v]scale=%1:%2:flags=bicubic[r];[0:v][r]ssim=stats_file=%3")
                .arg(w)
                .arg(h)
                .arg(statsFile)
         << "-f"
         << "null"
         << "-";
    QProcess p;
    p.start(test::ffmpegProgram(), args);
    if (!p.waitForFinished(180'000) || p.exitCode() != 0)
        return {};
    QFile f(statsFile);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression all(QStringLiteral("All:([0-9.]+)"));
    QList<double> values;
    for (const QByteArray& line : f.readAll().split('\n')) {
        const auto m = all.match(QString::fromLatin1(line));
        if (m.hasMatch())
            values << m.captured(1).toDouble();
    }
    return values;
}

double mean(const QList<double>& values, qsizetype from = 0, qsizetype to = -1)
{
    if (to < 0)
        to = values.size();
    from = std::clamp<qsizetype>(from, 0, values.size());
    to = std::clamp<qsizetype>(to, from, values.size());
    return to > from ? std::accumulate(values.begin() + from, values.begin() + to, 0.0) / double(to - from)
                     : 0.0;
}

// Bits per second of the first video stream's packets over its duration.
double videoBitrate(const QString& path)
{
    const QList<qint64> sizes = Ffprobe::packetSizes(path);
    const QJsonArray video = Ffprobe::streams(path, QStringLiteral("video"));
    const double seconds = video.isEmpty() ? 0 : streamDuration(video.first());
    return seconds > 0 ? std::accumulate(sizes.begin(), sizes.end(), 0.0) * 8.0 / seconds : 0;
}

constexpr double kFrame = 1.0 / 30.0;

} // namespace

class TestSegments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void planCutsOnKeyframes();
    void planSparseKeyframes();
    void planOneKeyframe();
    void planRange();
    void planDescribesTheInput();
    void planRefusals();
    void settingsForTheParts();

    void splitMatchesUnsplit();
    void splitTrimmedRange();
    void splitVariableFrameRate();
    void splitRotated();
    void splitBFramesAndOpenGop();
    void splitTwoAudioTracksAndSubtitles();
    void splitOtherCodecs_data();
    void splitOtherCodecs();

    void joinRefusesMissingOrForeignSegments();
    void joinRefusesSegmentNotStartingWithIdr();
    void joinRefusesIncompleteSegment();
    void joinKeepsExistingOutput();

private:
    /// A clip of \a seconds at 30 fps with a keyframe every \a gop pictures (0: x264's own choice).
    QString clip(const QString& name, double seconds, int gop, const QSize& size = { 320, 180 },
        const QStringList& extra = {});
    /// The split job as the orchestrator runs it: plan, every segment, the audio pass, the join.
    Result<TranscodeReport> split(const QString& input, const TranscodeSettings& job, const QString& output,
        double segmentSeconds, SegmentPlan* planOut = nullptr);
    Result<TranscodeReport> unsplit(
        const QString& input, const TranscodeSettings& job, const QString& output);
    /// Every check of a split output against the unsplit one; QVERIFY failures end the caller.
    void compare(
        const QString& splitOut, const QString& unsplitOut, const SegmentPlan& plan, bool constantRate);
    /// SSIM of both against \a source, overall and over five pictures on each side of every join.
    void compareSsim(const QString& splitOut, const QString& unsplitOut, const QString& source,
        const SegmentPlan& plan, double* splitAll = nullptr, double* unsplitAll = nullptr);
    QString outPath(const QString& name) const { return QDir(m_outDir).filePath(name); }

    test::MediaFixtures m_fx;
    QString m_outDir;
    QElapsedTimer m_testClock;
};

void TestSegments::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_fx.isValid(), qPrintable(m_fx.errorString()));
    m_outDir = m_fx.path(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(m_outDir));
}

void TestSegments::init()
{
    m_testClock.start();
}

void TestSegments::cleanup()
{
    qInfo("%s took %.1f s", QTest::currentTestFunction(), m_testClock.elapsed() / 1000.0);
    const QStringList parts = QDir(m_outDir).entryList({ QStringLiteral("*.part") }, QDir::Files);
    QVERIFY2(parts.isEmpty(), qPrintable(parts.join(u", ")));
    if (qEnvironmentVariableIsSet("VTFARM_KEEP")) {
        QDir().rename(m_outDir, QStringLiteral("/tmp/sm/keep-") + QTest::currentTestFunction());
        m_fx.runFfmpeg({}); // DEBUG
    }
    QDir(m_outDir).removeRecursively();
    QVERIFY(QDir().mkpath(m_outDir));
}

QString TestSegments::clip(
    const QString& name, double seconds, int gop, const QSize& size, const QStringList& extra)
{
    test::ClipSpec spec;
    spec.fileName = name;
    spec.seconds = seconds;
    spec.size = size;
    if (gop > 0)
        spec.videoOptions << "-g" << QString::number(gop) << "-sc_threshold"
                          << "0";
    spec.videoOptions << extra;
    return m_fx.generate(spec);
}

Result<TranscodeReport> TestSegments::split(const QString& input, const TranscodeSettings& job,
    const QString& output, double segmentSeconds, SegmentPlan* planOut)
{
    if (input.isEmpty())
        return Error { ErrorCode::Internal, QStringLiteral("fixture: ") + m_fx.errorString(), {} };
    if (auto ok = checkSplittable(job); !ok)
        return ok.error();
    auto plan = planSegments(input, segmentSeconds, job.startSeconds, job.endSeconds);
    if (!plan)
        return plan.error();
    if (planOut)
        *planOut = *plan;
    const QString dir = output + QStringLiteral("-parts");
    QDir().mkpath(dir);
    QStringList segments;
    for (const Segment& s : plan->segments) {
        const QString path
            = QStringLiteral("%1/segment-%2.%3").arg(dir).arg(s.index).arg(segmentContainer(job));
        // As a worker gets them: through JSON.
        auto settings = TranscodeSettings::fromJson(segmentSettings(job, s).toJson());
        if (!settings)
            return settings.error();
        Transcoder t(input, path, *settings);
        auto r = t.run();
        if (!r)
            return r.error();
        segments << path;
    }
    QString audio;
    if (needsAudioPass(job, *plan)) {
        audio = QStringLiteral("%1/audio.%2").arg(dir, QFileInfo(output).suffix());
        Transcoder t(input, audio, audioSettings(job, plan->rangeStart, plan->rangeEnd));
        auto r = t.run();
        if (!r)
            return r.error();
    }
    JoinOptions options;
    options.plan = *plan;
    return joinSegments(segments, audio, output, options);
}

Result<TranscodeReport> TestSegments::unsplit(
    const QString& input, const TranscodeSettings& job, const QString& output)
{
    Transcoder t(input, output, job);
    return t.run();
}

void TestSegments::compare(
    const QString& splitOut, const QString& unsplitOut, const SegmentPlan& plan, bool constantRate)
{
    // The same pictures at the same times: none missing or doubled at a join.
    const qint64 frames = Ffprobe::packetCount(splitOut);
    QCOMPARE(frames, Ffprobe::packetCount(unsplitOut));
    QCOMPARE(frames, plan.frames);
    const QList<double> times = Ffprobe::packetTimes(splitOut);
    // Timestamps are as precise as the input's: from Matroska (milliseconds) 30 fps is 33 and
    // 34 ms apart, in the unsplit encode too, whose own jitter is what the split one may have.
    const QList<double> unsplitTimes = Ffprobe::packetTimes(unsplitOut);
    double jitter = 0;
    for (qsizetype i = 1; constantRate && i < unsplitTimes.size(); ++i)
        jitter = std::max(jitter, std::abs(unsplitTimes[i] - unsplitTimes[i - 1] - kFrame));
    QVERIFY2(jitter < 1.1e-3,
        qPrintable(QStringLiteral("the unsplit encode's frame times vary by %1 s").arg(jitter)));
    const double rounding = jitter + 1e-4;
    QCOMPARE(times.size(), unsplitTimes.size());
    for (qsizetype i = 1; i < times.size(); ++i) {
        QVERIFY2(
            times[i] > times[i - 1], qPrintable(QStringLiteral("picture %1 at %2 s").arg(i).arg(times[i])));
        if (constantRate)
            QVERIFY2(std::abs(times[i] - times[i - 1] - kFrame) < rounding,
                qPrintable(QStringLiteral("picture %1 %2 s after the one before")
                               .arg(i)
                               .arg(times[i] - times[i - 1])));
        QVERIFY2(std::abs(times[i] - unsplitTimes[i]) < 1e-3,
            qPrintable(QStringLiteral("picture %1 at %2 s, unsplit %3 s")
                           .arg(i)
                           .arg(times[i])
                           .arg(unsplitTimes[i])));
    }
    const QJsonArray video = Ffprobe::streams(splitOut, QStringLiteral("video"));
    const QJsonArray unsplitVideo = Ffprobe::streams(unsplitOut, QStringLiteral("video"));
    QCOMPARE(video.size(), 1);
    QVERIFY2(std::abs(streamDuration(video.first()) - streamDuration(unsplitVideo.first())) <= kFrame + 1e-6,
        qPrintable(QStringLiteral("video %1 s, unsplit %2 s")
                       .arg(streamDuration(video.first()))
                       .arg(streamDuration(unsplitVideo.first()))));
    for (const char* key : { "width", "height", "pix_fmt", "codec_name", "profile" })
        QCOMPARE(video.first().toObject().value(QLatin1String(key)),
            unsplitVideo.first().toObject().value(QLatin1String(key)));
    QCOMPARE(Ffprobe::displayRotation(splitOut), Ffprobe::displayRotation(unsplitOut));

    // Every audio track as long as the unsplit one's, to an audio frame.
    const QJsonArray audio = Ffprobe::streams(splitOut, QStringLiteral("audio"));
    const QJsonArray unsplitAudio = Ffprobe::streams(unsplitOut, QStringLiteral("audio"));
    QCOMPARE(audio.size(), unsplitAudio.size());
    for (qsizetype i = 0; i < audio.size(); ++i) {
        const double rate = audio[i].toObject().value(u"sample_rate").toString().toDouble();
        QVERIFY(rate > 0);
        QVERIFY2(std::abs(streamDuration(audio[i]) - streamDuration(unsplitAudio[i])) <= 1024.0 / rate,
            qPrintable(QStringLiteral("audio %1: %2 s, unsplit %3 s")
                           .arg(i)
                           .arg(streamDuration(audio[i]))
                           .arg(streamDuration(unsplitAudio[i]))));
        QCOMPARE(audio[i].toObject().value(u"tags").toObject().value(u"language"),
            unsplitAudio[i].toObject().value(u"tags").toObject().value(u"language"));
    }
    QCOMPARE(Ffprobe::streams(splitOut, QStringLiteral("subtitle")).size(),
        Ffprobe::streams(unsplitOut, QStringLiteral("subtitle")).size());
    const QString errors = decodeErrors(splitOut);
    QVERIFY2(errors.isEmpty(), qPrintable(errors));
}

void TestSegments::compareSsim(const QString& splitOut, const QString& unsplitOut, const QString& source,
    const SegmentPlan& plan, double* splitAll, double* unsplitAll)
{
    const QList<double> s = ssimPerFrame(
        splitOut, source, plan.rangeStart, plan.rangeEnd, outPath(QStringLiteral("split.ssim")));
    const QList<double> u = ssimPerFrame(
        unsplitOut, source, plan.rangeStart, plan.rangeEnd, outPath(QStringLiteral("unsplit.ssim")));
    QCOMPARE(s.size(), qsizetype(plan.frames));
    QCOMPARE(u.size(), qsizetype(plan.frames));
    QVERIFY2(mean(s) >= mean(u) - 0.005,
        qPrintable(QStringLiteral("SSIM %1, unsplit %2").arg(mean(s)).arg(mean(u))));
    if (splitAll)
        *splitAll = mean(s);
    if (unsplitAll)
        *unsplitAll = mean(u);
    // Five pictures on each side of every join.
    qsizetype join = 0;
    double worst = 1;
    for (qsizetype i = 0; i + 1 < plan.segments.size(); ++i) {
        join += plan.segments[i].frames;
        if (qEnvironmentVariableIsSet("VTFARM_SSIM_DEBUG")) {
            QStringList line;
            for (qsizetype k = join - 8; k < join + 8; ++k)
                line << QStringLiteral("%1:%2/%3")
                            .arg(k - join)
                            .arg(s.value(k), 0, 'f', 4)
                            .arg(u.value(k), 0, 'f', 4);
            qInfo("%s", qPrintable(line.join(u' ')));
        }
        const double near = mean(s, join - 5, join + 5);
        const double unsplitNear = mean(u, join - 5, join + 5);
        worst = std::min(worst, near - unsplitNear);
        QVERIFY2(near >= unsplitNear - 0.005,
            qPrintable(QStringLiteral("SSIM around the join at picture %1: %2, unsplit %3")
                           .arg(join)
                           .arg(near)
                           .arg(unsplitNear)));
    }
    qInfo("SSIM split %.5f, unsplit %.5f; around the joins at worst %+.5f of the unsplit", mean(s), mean(u),
        worst);
}

// ---- the plan ---------------------------------------------------------------------------------

void TestSegments::planCutsOnKeyframes()
{
    const QString in = clip(QStringLiteral("g30.mp4"), 12, 30);
    auto plan = planSegments(in, 2);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QCOMPARE(plan->segments.size(), 6);
    for (int i = 0; i < 6; ++i) {
        const Segment& s = plan->segments[i];
        QCOMPARE(s.index, i);
        QCOMPARE(s.start, 2.0 * i);
        QCOMPARE(s.frames, 60);
        if (i < 5)
            QCOMPARE(s.end, 2.0 * (i + 1));
    }
    QVERIFY(plan->segments.last().toInputEnd);
    QVERIFY(plan->segments.last().end >= 12.0 - 1e-6);
    QCOMPARE(plan->frames, 360);
    QCOMPARE(plan->keyframes, 12);
    // Every cut is a keyframe of the input.
    const QList<double> keys = keyframeTimes(in);
    for (const Segment& s : plan->segments)
        QVERIFY(
            std::any_of(keys.begin(), keys.end(), [&](double k) { return std::abs(k - s.start) < 1e-6; }));
}

void TestSegments::planSparseKeyframes()
{
    const QString in = clip(QStringLiteral("g90.mp4"), 12, 90);
    auto plan = planSegments(in, 2);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    // A keyframe every 3 s, cut every 2 s: even segments all the same, cut between keyframes.
    QList<double> starts;
    for (const Segment& s : plan->segments)
        starts << s.start;
    QCOMPARE(starts, (QList<double> { 0, 2, 4, 6, 8, 10 }));
    for (const Segment& s : plan->segments)
        QCOMPARE(s.frames, 60);
    QCOMPARE(plan->frames, 360);

    // Without a preroll, a keyframe within 15 % of a segment of the cut is taken (3 for 2.8, 6 for
    // 5.6); 8.4 has none that near (9 is 0.6 s away), and 11.2 leaves too little of a segment after it.
    auto snapped = planSegments(in, 2.8, 0, -1, 0);
    QVERIFY2(snapped.ok(), qPrintable(errorText(snapped)));
    QList<qint64> ms;
    for (const Segment& s : snapped->segments)
        ms << std::llround(s.start * 1000);
    QCOMPARE(ms, (QList<qint64> { 0, 3000, 6000, 8400 }));
    QCOMPARE(snapped->segments[2].frames, 72);
    QCOMPARE(snapped->frames, 360);
    // With one, the cut is that preroll after the keyframe: 3.2 is 0.2 s after 3, from where the
    // segment decodes; 5.4 has no keyframe near it, so the cut is at 5.6.
    auto warmed = planSegments(in, 2.8, 0, -1, 0.2);
    QVERIFY2(warmed.ok(), qPrintable(errorText(warmed)));
    ms.clear();
    for (const Segment& s : warmed->segments)
        ms << std::llround(s.start * 1000);
    QCOMPARE(ms, (QList<qint64> { 0, 3200, 5600, 8400 }));
    QCOMPARE(warmed->segments[1].frames, 72);
    QCOMPARE(warmed->frames, 360);

    // A keyframe every 6 s cut every 4: between keyframes, since no segment then decodes more than
    // a segment before its start (4 from 0, 8 from 6).
    const QString rare = clip(QStringLiteral("g180.mp4"), 12, 180);
    auto even = planSegments(rare, 4, 0, -1, 0);
    QVERIFY2(even.ok(), qPrintable(errorText(even)));
    QCOMPARE(even->segments.size(), 3);
    for (const Segment& s : even->segments)
        QCOMPARE(s.frames, 120);
    QCOMPARE(even->segments[2].start, 8.0);
    // Cut every second, the pictures between keyframes would be decoded six times over: the cuts
    // fall there only where the keyframe before is no more than a second away (1 and 7), else on
    // the keyframe (6).
    auto sparse = planSegments(rare, 1, 0, -1, 0);
    QVERIFY2(sparse.ok(), qPrintable(errorText(sparse)));
    QList<double> sparseStarts;
    for (const Segment& s : sparse->segments)
        sparseStarts << s.start;
    QCOMPARE(sparseStarts, (QList<double> { 0, 1, 6, 7 }));
}

void TestSegments::planOneKeyframe()
{
    const QString in = clip(QStringLiteral("onekey.mp4"), 8, 1000);
    auto plan = planSegments(in, 2);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QCOMPARE(plan->keyframes, 1);
    // Everything decodes from the one keyframe: a cut at 2 s (its preroll from 1 s) decodes a
    // second more than it encodes; one at 4 s would decode more than a segment, so the second
    // segment runs to the end.
    QCOMPARE(plan->segments.size(), 2);
    QCOMPARE(plan->segments.first().start, 0.0);
    QCOMPARE(plan->segments.first().frames, 60);
    QCOMPARE(plan->segments.last().start, 2.0);
    QCOMPARE(plan->segments.last().frames, 180);
    QVERIFY(plan->segments.last().toInputEnd);
}

void TestSegments::planRange()
{
    const QString in = clip(QStringLiteral("g30.mp4"), 12, 30);
    auto plan = planSegments(in, 2, 2.5, 9.5);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QVERIFY(plan->segments.size() >= 2);
    QCOMPARE(plan->segments.first().start, 2.5);
    QCOMPARE(plan->segments.last().end, 9.5);
    QVERIFY(!plan->segments.last().toInputEnd);
    QCOMPARE(plan->frames, 210);
    qint64 frames = 0;
    for (qsizetype i = 0; i < plan->segments.size(); ++i) {
        const Segment& s = plan->segments[i];
        frames += s.frames;
        QVERIFY(s.start >= 2.5 && s.end <= 9.5 && s.end > s.start);
        if (i > 0) {
            QCOMPARE(s.start, plan->segments[i - 1].end);
            QCOMPARE(std::llround(s.start * 1000) % 500, 0); // a multiple of 2 s after 2.5, on a picture
        }
    }
    QCOMPARE(frames, 210);
    // The same range transcoded has the frames the plan counts.
    TranscodeSettings s;
    s.resolution = Resolution::keep();
    s.encoderPreset = QStringLiteral("ultrafast");
    s.startSeconds = 2.5;
    s.endSeconds = 9.5;
    Transcoder t(in, outPath(QStringLiteral("range.mp4")), s);
    const auto report = t.run();
    QVERIFY2(report.ok(), qPrintable(errorText(report)));
    QCOMPARE(report->frames, plan->frames);
    // Only the start: to the input's end.
    auto tail = planSegments(in, 4, 5);
    QVERIFY2(tail.ok(), qPrintable(errorText(tail)));
    QCOMPARE(tail->frames, 210);
    QVERIFY(tail->segments.last().toInputEnd);
}

void TestSegments::planDescribesTheInput()
{
    auto cfr = planSegments(m_fx.subtitled(QStringLiteral("mkv")), 60);
    QVERIFY2(cfr.ok(), qPrintable(errorText(cfr)));
    QVERIFY(!cfr->variableFrameRate);
    QCOMPARE(cfr->frameRateNum, 30);
    QCOMPARE(cfr->frameRateDen, 1);
    QVERIFY(cfr->hasAudio);
    QVERIFY(cfr->hasSubtitles);
    QVERIFY(std::abs(cfr->duration - 2.0) < 0.1);
    QVERIFY(std::abs(cfr->videoDuration - 2.0) < 0.05);

    auto vfr = planSegments(m_fx.variableFrameRate(), 60);
    QVERIFY2(vfr.ok(), qPrintable(errorText(vfr)));
    QVERIFY(vfr->variableFrameRate);
    QCOMPARE(vfr->frameRateNum, 0);
    QVERIFY(!vfr->hasSubtitles);

    auto silent = planSegments(m_fx.videoOnly(), 60);
    QVERIFY2(silent.ok(), qPrintable(errorText(silent)));
    QVERIFY(!silent->hasAudio);

    // The orchestrator keeps a plan as JSON, through text.
    const QByteArray text = QJsonDocument(cfr->toJson()).toJson(QJsonDocument::Compact);
    auto back = SegmentPlan::fromJson(QJsonDocument::fromJson(text).object());
    QVERIFY2(back.ok(), qPrintable(errorText(back)));
    QVERIFY2(*back == *cfr, text.constData());
    auto vfrBack = SegmentPlan::fromJson(vfr->toJson());
    QVERIFY(vfrBack.ok());
    QVERIFY(*vfrBack == *vfr);
    QVERIFY(!SegmentPlan::fromJson(QJsonObject {}).ok());
}

void TestSegments::planRefusals()
{
    auto missing = planSegments(m_fx.path(QStringLiteral("nothing.mp4")), 10);
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    auto audioOnly = planSegments(m_fx.audioOnly(), 10);
    QVERIFY(!audioOnly.ok());
    QCOMPARE(audioOnly.error().field, QStringLiteral("input"));
    const QString in = m_fx.clip();
    for (const auto& [length, start, end, field] :
        { std::tuple { 0.0, 0.0, -1.0, "segment_seconds" }, std::tuple { 10.0, -1.0, -1.0, "start" },
            std::tuple { 10.0, 1.0, 0.5, "end" }, std::tuple { 10.0, 3.0, -1.0, "start" } }) {
        auto plan = planSegments(in, length, start, end);
        QVERIFY(!plan.ok());
        QCOMPARE(plan.error().field, QString::fromLatin1(field));
        QVERIFY(!plan.error().message.isEmpty());
    }
}

void TestSegments::settingsForTheParts()
{
    TranscodeSettings job;
    job.videoBitrate = 800'000;
    job.resolution = Resolution::exact(640, 360);
    job.audioBitrate = 96'000;
    job.startSeconds = 7.3;
    job.endSeconds = 41.9;
    QVERIFY(checkSplittable(job).ok());
    QCOMPARE(segmentContainer(job), QStringLiteral("mp4"));

    Segment seg;
    seg.index = 2;
    seg.start = 16.6667;
    seg.end = 33.3333;
    const TranscodeSettings s = segmentSettings(job, seg);
    QCOMPARE(s.startSeconds, seg.start);
    QCOMPARE(s.endSeconds, seg.end);
    QCOMPARE(s.audioCodec, QStringLiteral("none"));
    QVERIFY(!s.subtitles);
    QVERIFY(s.closedGop);
    QCOMPARE(s.videoBitrate, job.videoBitrate); // each segment at the job's bitrate
    QCOMPARE(s.resolution, job.resolution);
    QVERIFY2(validate(s, segmentContainer(job)).isEmpty(),
        qPrintable(validate(s, segmentContainer(job)).value(0).message));
    seg.toInputEnd = true;
    QCOMPARE(segmentSettings(job, seg).endSeconds, -1.0);

    const TranscodeSettings a = audioSettings(job, 7.3, 41.9);
    QCOMPARE(a.videoCodec, QStringLiteral("none"));
    QCOMPARE(a.audioCodec, job.audioCodec);
    QCOMPARE(a.audioBitrate, job.audioBitrate);
    QVERIFY(a.subtitles);
    QCOMPARE(a.startSeconds, 7.3);
    QCOMPARE(a.endSeconds, 41.9);
    for (const QString& container : { QStringLiteral("mp4"), QStringLiteral("mkv"), QStringLiteral("mov") })
        QVERIFY2(validate(a, container).isEmpty(), qPrintable(validate(a, container).value(0).message));

    SegmentPlan plan;
    plan.hasAudio = true;
    QVERIFY(needsAudioPass(job, plan));
    job.audioCodec = QStringLiteral("none");
    QVERIFY(!needsAudioPass(job, plan));

    TranscodeSettings copy;
    copy.videoCodec = QStringLiteral("copy");
    QCOMPARE(checkSplittable(copy).error().field, QStringLiteral("codec"));
    copy.videoCodec = QStringLiteral("none");
    QCOMPARE(checkSplittable(copy).error().field, QStringLiteral("codec"));
    TranscodeSettings vp9;
    vp9.videoCodec = QStringLiteral("libvpx-vp9");
    QVERIFY(checkSplittable(vp9).ok());
    QCOMPARE(segmentContainer(vp9), QStringLiteral("mp4"));
}

// ---- split against unsplit ----------------------------------------------------------------------

void TestSegments::splitMatchesUnsplit()
{
    // What the acceptance check does: 60 s, libx264 at 800k in 640x360, 10 s segments.
    const QString in = clip(QStringLiteral("sixty.mp4"), 60, 0, { 640, 360 });
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    TranscodeSettings job;
    job.videoBitrate = 800'000;
    job.resolution = Resolution::exact(640, 360);
    const QString whole = outPath(QStringLiteral("whole.mp4"));
    const QString joined = outPath(QStringLiteral("split.mp4"));
    QElapsedTimer clock;
    clock.start();
    const auto u = unsplit(in, job, whole);
    QVERIFY2(u.ok(), qPrintable(errorText(u)));
    const double unsplitSeconds = clock.restart() / 1000.0;
    SegmentPlan plan;
    const auto s = split(in, job, joined, 10, &plan);
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    const double splitSeconds = clock.elapsed() / 1000.0;
    QVERIFY(plan.segments.size() >= 4);
    QCOMPARE(s->frames, 1800);
    QCOMPARE(s->frames, u->frames);
    compare(joined, whole, plan, true);
    if (QTest::currentTestFailed())
        return;
    double ssimSplit = 0, ssimWhole = 0;
    compareSsim(joined, whole, in, plan, &ssimSplit, &ssimWhole);
    if (QTest::currentTestFailed())
        return;

    // Measured, not asserted: the bitrate each gets of the 800k asked for.
    const double rateSplit = videoBitrate(joined), rateWhole = videoBitrate(whole);
    QStringList cuts;
    for (const Segment& seg : plan.segments)
        cuts << QString::number(seg.start, 'f', 3);
    qInfo("60 s at 800k: %lld segments (cuts %s); frames %lld / %lld; video %.3f / %.3f s; SSIM split %.5f, "
          "unsplit %.5f; video bitrate split %.0f (%+.1f%% of the target), unsplit %.0f (%+.1f%%); encode "
          "%.1f s split (one after another), %.1f s unsplit",
        qlonglong(plan.segments.size()), qPrintable(cuts.join(u' ')), qlonglong(Ffprobe::packetCount(joined)),
        qlonglong(Ffprobe::packetCount(whole)),
        streamDuration(Ffprobe::streams(joined, QStringLiteral("video")).first()),
        streamDuration(Ffprobe::streams(whole, QStringLiteral("video")).first()), ssimSplit, ssimWhole,
        rateSplit, (rateSplit / 800'000 - 1) * 100, rateWhole, (rateWhole / 800'000 - 1) * 100, splitSeconds,
        unsplitSeconds);
}

void TestSegments::splitTrimmedRange()
{
    const QString in = clip(QStringLiteral("sixty.mp4"), 60, 0, { 640, 360 });
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    TranscodeSettings job;
    job.videoBitrate = 400'000;
    job.resolution = Resolution::exact(320, 180);
    job.encoderPreset = QStringLiteral("veryfast");
    job.startSeconds = 7.3;
    job.endSeconds = 41.9;
    const QString whole = outPath(QStringLiteral("whole.mp4"));
    const QString joined = outPath(QStringLiteral("split.mp4"));
    const auto u = unsplit(in, job, whole);
    QVERIFY2(u.ok(), qPrintable(errorText(u)));
    SegmentPlan plan;
    const auto s = split(in, job, joined, 10, &plan);
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    QCOMPARE(plan.segments.first().start, 7.3);
    QCOMPARE(plan.segments.last().end, 41.9);
    QCOMPARE(plan.frames, 1038); // 7.3 s to 41.9 s at 30 fps
    compare(joined, whole, plan, true);
    if (QTest::currentTestFailed())
        return;
    compareSsim(joined, whole, in, plan);
}

void TestSegments::splitVariableFrameRate()
{
    // Three pictures of every five kept: gaps of 1/30 and 3/30 s.
    test::ClipSpec spec;
    spec.fileName = QStringLiteral("vfr-long.mkv");
    spec.seconds = 12;
    spec.videoFilters << QStringLiteral("select=lt(mod(n\\,5)\\,3)");
    spec.videoOptions << "-g"
                      << "15";
    spec.outputOptions << "-fps_mode"
                       << "vfr";
    const QString in = m_fx.generate(spec);
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    TranscodeSettings job;
    job.resolution = Resolution::keep();
    job.encoderPreset = QStringLiteral("veryfast");
    job.videoBitrate = 300'000;
    const QString whole = outPath(QStringLiteral("whole.mp4"));
    const QString joined = outPath(QStringLiteral("split.mp4"));
    QVERIFY2(unsplit(in, job, whole).ok(), "the unsplit encode failed");
    SegmentPlan plan;
    const auto s = split(in, job, joined, 3, &plan);
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    QVERIFY(plan.variableFrameRate);
    QVERIFY(plan.segments.size() >= 3);
    compare(joined, whole, plan, false);
    if (QTest::currentTestFailed())
        return;
    compareSsim(joined, whole, in, plan);
}

void TestSegments::splitRotated()
{
    // A phone clip: stored sideways, with a display matrix that turns it upright.
    const QString source = clip(QStringLiteral("phone-source.mp4"), 8, 30);
    const QString in = m_fx.path(QStringLiteral("phone.mp4"));
    QVERIFY2(m_fx.runFfmpeg({ "-display_rotation:v:0", "90", "-i", source, "-map", "0", "-c", "copy", in })
            || m_fx.runFfmpeg(
                { "-i", source, "-map", "0", "-c", "copy", "-metadata:s:v:0", "rotate=90", in }),
        qPrintable(m_fx.errorString()));
    QCOMPARE(Ffprobe::displayRotation(in), 90);
    TranscodeSettings job;
    job.resolution = Resolution::keep();
    job.encoderPreset = QStringLiteral("veryfast");
    job.videoBitrate = 400'000;
    const QString whole = outPath(QStringLiteral("whole.mp4"));
    const QString joined = outPath(QStringLiteral("split.mp4"));
    QVERIFY2(unsplit(in, job, whole).ok(), "the unsplit encode failed");
    SegmentPlan plan;
    const auto s = split(in, job, joined, 2, &plan);
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    QCOMPARE(plan.segments.size(), 4);
    compare(joined, whole, plan, true);
    if (QTest::currentTestFailed())
        return;
    // Upright as the unsplit encode: turned pictures and no display matrix, as the Transcoder makes it.
    const QJsonObject v = Ffprobe::streams(joined, QStringLiteral("video")).first().toObject();
    QCOMPARE(v.value(u"width").toInt(), 180);
    QCOMPARE(v.value(u"height").toInt(), 320);
    QCOMPARE(Ffprobe::displayRotation(joined), 0);
    compareSsim(joined, whole, in, plan);
}

void TestSegments::splitBFramesAndOpenGop()
{
    // The source has B-frames and open GOPs; the encode has B-frames too (negative decoding times).
    const QString in = clip(QStringLiteral("opengop.mp4"), 12, 0, { 320, 180 },
        { "-x264-params", "bframes=3:b-pyramid=normal:keyint=60:min-keyint=20:open-gop=1" });
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    TranscodeSettings job;
    job.resolution = Resolution::keep();
    job.encoderPreset = QStringLiteral("veryfast");
    job.videoBitrate = 300'000;
    const QString whole = outPath(QStringLiteral("whole.mp4"));
    const QString joined = outPath(QStringLiteral("split.mp4"));
    QVERIFY2(unsplit(in, job, whole).ok(), "the unsplit encode failed");
    SegmentPlan plan;
    const auto s = split(in, job, joined, 3, &plan);
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    QVERIFY(plan.segments.size() >= 3);
    compare(joined, whole, plan, true);
    if (QTest::currentTestFailed())
        return;
    compareSsim(joined, whole, in, plan);
}

void TestSegments::splitTwoAudioTracksAndSubtitles()
{
    test::ClipSpec spec;
    spec.fileName = QStringLiteral("tracks.mkv");
    spec.seconds = 8;
    spec.videoOptions << "-g"
                      << "30";
    test::AudioTrack second;
    second.sampleRate = 44100;
    second.channelLayout = QStringLiteral("mono");
    second.language = QStringLiteral("fra");
    second.frequency = 880;
    spec.audio << second;
    spec.subtitleEncoder = QStringLiteral("srt");
    const QString in = m_fx.generate(spec);
    QVERIFY2(!in.isEmpty(), qPrintable(m_fx.errorString()));
    for (const QString& container : { QStringLiteral("mkv"), QStringLiteral("mp4") }) {
        TranscodeSettings job;
        job.resolution = Resolution::keep();
        job.encoderPreset = QStringLiteral("ultrafast");
        const QString whole = outPath(QStringLiteral("whole.") + container);
        const QString joined = outPath(QStringLiteral("split.") + container);
        QVERIFY2(unsplit(in, job, whole).ok(), "the unsplit encode failed");
        SegmentPlan plan;
        const auto s = split(in, job, joined, 2, &plan);
        QVERIFY2(s.ok(), qPrintable(errorText(s)));
        QVERIFY(plan.hasSubtitles);
        compare(joined, whole, plan, true);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(Ffprobe::streams(joined, QStringLiteral("audio")).size(), 2);
        QCOMPARE(Ffprobe::streams(joined, QStringLiteral("subtitle")).size(), 1);
        const QString subtitles = Ffprobe::subtitleText(joined);
        QVERIFY2(subtitles.contains(u"Hello") && subtitles.contains(u"World"), qPrintable(subtitles));
        QCOMPARE(subtitles, Ffprobe::subtitleText(whole));
    }
}

void TestSegments::splitOtherCodecs_data()
{
    QTest::addColumn<QString>("codec");
    QTest::addColumn<QString>("container");
    QTest::addColumn<QString>("preset");
    QTest::newRow("x265") << "libx265"
                          << "mp4"
                          << "ultrafast";
    QTest::newRow("vp9") << "libvpx-vp9"
                         << "webm"
                         << "8";
    QTest::newRow("av1") << "libsvtav1"
                         << "mkv"
                         << "12";
}

void TestSegments::splitOtherCodecs()
{
    QFETCH(QString, codec);
    QFETCH(QString, container);
    QFETCH(QString, preset);
    TranscodeSettings probe;
    probe.videoCodec = codec;
    if (!validate(probe, QStringLiteral("mkv")).isEmpty())
        QSKIP("this libavcodec has no such encoder");
    const QString in = clip(QStringLiteral("g30-small.mp4"), 6, 30, { 160, 96 });
    TranscodeSettings job;
    job.videoCodec = codec;
    job.resolution = Resolution::keep();
    job.encoderPreset = preset;
    job.videoBitrate = 200'000;
    job.audioCodec = container == u"webm" ? QStringLiteral("libopus") : QStringLiteral("aac");
    const QString whole = outPath(QStringLiteral("whole.") + container);
    const QString joined = outPath(QStringLiteral("split.") + container);
    const auto u = unsplit(in, job, whole);
    QVERIFY2(u.ok(), qPrintable(errorText(u)));
    SegmentPlan plan;
    const auto s = split(in, job, joined, 2, &plan);
    QVERIFY2(s.ok(), qPrintable(errorText(s)));
    QCOMPARE(plan.segments.size(), 3);
    compare(joined, whole, plan, true);
}

// ---- refusals ---------------------------------------------------------------------------------

void TestSegments::joinRefusesMissingOrForeignSegments()
{
    const QString in = clip(QStringLiteral("g30.mp4"), 12, 30);
    TranscodeSettings job;
    job.resolution = Resolution::exact(160, 90);
    job.encoderPreset = QStringLiteral("ultrafast");
    auto plan = planSegments(in, 4);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QCOMPARE(plan->segments.size(), 3);
    QStringList parts;
    for (const Segment& s : plan->segments) {
        parts << outPath(QStringLiteral("part-%1.mp4").arg(s.index));
        TranscodeSettings settings = segmentSettings(job, s);
        if (s.index == 1)
            settings.resolution = Resolution::exact(160, 120); // encoded otherwise
        Transcoder t(in, parts.last(), settings);
        QVERIFY(t.run().ok());
    }
    JoinOptions options;
    options.plan = *plan;
    const QString out = outPath(QStringLiteral("joined.mp4"));
    auto r = joinSegments(parts, {}, out, options);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().field, QStringLiteral("segments"));
    QVERIFY2(r.error().message.contains(u"Segment 2 of 3") && r.error().message.contains(u"160x120"),
        qPrintable(r.error().message));
    QVERIFY(!QFileInfo::exists(out));

    QStringList missing = parts;
    missing[2] = outPath(QStringLiteral("never-written.mp4"));
    r = joinSegments(missing, {}, out, options);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::NotFound);
    QVERIFY2(
        r.error().message.contains(u"Segment 3 of 3") && r.error().message.contains(u"never-written.mp4"),
        qPrintable(r.error().message));

    r = joinSegments(parts.mid(0, 2), {}, out, options);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(u"3 segments"), qPrintable(r.error().message));

    r = joinSegments(parts, {}, outPath(QStringLiteral("joined.m4a")), {});
    QVERIFY(!r.ok());
    QCOMPARE(r.error().field, QStringLiteral("output"));
}

void TestSegments::joinRefusesSegmentNotStartingWithIdr()
{
    const QString in = clip(QStringLiteral("g30.mp4"), 12, 30);
    TranscodeSettings job;
    job.resolution = Resolution::exact(160, 90);
    job.encoderPreset = QStringLiteral("ultrafast");
    auto plan = planSegments(in, 6);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QCOMPARE(plan->segments.size(), 2);
    QStringList parts;
    for (const Segment& s : plan->segments) {
        parts << outPath(QStringLiteral("part-%1.mp4").arg(s.index));
        Transcoder t(in, parts.last(), segmentSettings(job, s));
        QVERIFY(t.run().ok());
    }
    // The second without its first picture: it starts with one that refers to it.
    const QString cut = outPath(QStringLiteral("cut.mp4"));
    QVERIFY2(m_fx.runFfmpeg({ "-i", parts[1], "-c", "copy", "-bsf:v", "noise=drop=eq(n\\,0)", cut }),
        qPrintable(m_fx.errorString()));
    auto r = joinSegments({ parts[0], cut }, {}, outPath(QStringLiteral("joined.mp4")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().field, QStringLiteral("segments"));
    QVERIFY2(r.error().message.contains(u"Segment 2 of 2") && r.error().message.contains(u"keyframe"),
        qPrintable(r.error().message));

    // Whole, they join, with or without the plan.
    auto joined = joinSegments(parts, {}, outPath(QStringLiteral("joined.mp4")));
    QVERIFY2(joined.ok(), qPrintable(errorText(joined)));
    QCOMPARE(joined->frames, 360);
    QVERIFY(decodeErrors(outPath(QStringLiteral("joined.mp4"))).isEmpty());
}

void TestSegments::joinRefusesIncompleteSegment()
{
    const QString in = clip(QStringLiteral("g30.mp4"), 12, 30);
    TranscodeSettings job;
    job.resolution = Resolution::exact(160, 90);
    job.encoderPreset = QStringLiteral("ultrafast");
    auto plan = planSegments(in, 6);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QStringList parts;
    for (const Segment& s : plan->segments) {
        parts << outPath(QStringLiteral("part-%1.mp4").arg(s.index));
        TranscodeSettings settings = segmentSettings(job, s);
        if (s.index == 0)
            settings.endSeconds = s.end - 1; // a second short
        Transcoder t(in, parts.last(), settings);
        QVERIFY(t.run().ok());
    }
    JoinOptions options;
    options.plan = *plan;
    auto r = joinSegments(parts, {}, outPath(QStringLiteral("joined.mp4")), options);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(u"Segment 1 of 2") && r.error().message.contains(u"150"),
        qPrintable(r.error().message));
}

void TestSegments::joinKeepsExistingOutput()
{
    const QString in = clip(QStringLiteral("g30.mp4"), 12, 30);
    TranscodeSettings job;
    job.resolution = Resolution::exact(160, 90);
    job.encoderPreset = QStringLiteral("ultrafast");
    auto plan = planSegments(in, 6);
    QVERIFY2(plan.ok(), qPrintable(errorText(plan)));
    QStringList parts;
    for (const Segment& s : plan->segments) {
        parts << outPath(QStringLiteral("part-%1.mp4").arg(s.index));
        Transcoder t(in, parts.last(), segmentSettings(job, s));
        QVERIFY(t.run().ok());
    }
    const QString out = outPath(QStringLiteral("joined.mkv"));
    QFile existing(out);
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.write("keep me");
    existing.close();
    auto r = joinSegments(parts, {}, out);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::AlreadyExists);
    QCOMPARE(QFileInfo(out).size(), 7);
    JoinOptions options;
    options.overwrite = true;
    QList<double> fractions;
    options.progress = [&](const TranscodeProgress& p) { fractions << p.fraction; };
    r = joinSegments(parts, {}, out, options);
    QVERIFY2(r.ok(), qPrintable(errorText(r)));
    QCOMPARE(r->frames, 360);
    QCOMPARE(r->outputBytes, QFileInfo(out).size());
    QVERIFY(std::abs(r->mediaSeconds - 12.0) < 1e-3);
    QCOMPARE(fractions, (QList<double> { 0.5, 1.0 }));
    QCOMPARE(Ffprobe::packetCount(out), 360);

    std::atomic<bool> cancel { true };
    options.cancel = &cancel;
    r = joinSegments(parts, {}, outPath(QStringLiteral("canceled.mp4")), options);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::Canceled);
    QVERIFY(!QFileInfo::exists(outPath(QStringLiteral("canceled.mp4"))));
}

QTEST_GUILESS_MAIN(TestSegments)
#include "tst_segments.moc"
