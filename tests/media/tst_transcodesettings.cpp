// TranscodeSettings: parsing of the text forms, the JSON form, and validation naming each bad field.

#include "transcodesettings.h"

#include <QJsonDocument>
#include <QTest>

using namespace vtfarm;
using namespace vtfarm::media;

Q_DECLARE_METATYPE(vtfarm::media::TranscodeSettings)

namespace {

QString describe(const QList<Error>& errors)
{
    QStringList lines;
    for (const Error& e : errors)
        lines << QStringLiteral("%1: %2").arg(e.field, e.message);
    return lines.isEmpty() ? QStringLiteral("(no errors)") : lines.join(u"; ");
}

} // namespace

class TestTranscodeSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseBitrate_data();
    void parseBitrate();
    void parseBitrateRejects_data();
    void parseBitrateRejects();
    void formatBitrateRoundTrips();

    void parseResolution_data();
    void parseResolution();
    void parseResolutionRejects_data();
    void parseResolutionRejects();

    void parseFrameRate_data();
    void parseFrameRate();
    void parseFrameRateRejects_data();
    void parseFrameRateRejects();

    void containerForPath_data();
    void containerForPath();

    void defaultsMatchTheService();
    void jsonRoundTrip_data();
    void jsonRoundTrip();
    void jsonMissingKeysKeepDefaults();
    void jsonRejects_data();
    void jsonRejects();

    void validSettingsPass_data();
    void validSettingsPass();
    void badSettingRejectedByName_data();
    void badSettingRejectedByName();
    void everyProblemReported();
};

// ---- bitrates ---------------------------------------------------------------------------------

void TestTranscodeSettings::parseBitrate_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bps");
    QTest::newRow("1000k") << "1000k" << qint64(1'000'000);
    QTest::newRow("2.5M") << "2.5M" << qint64(2'500'000);
    QTest::newRow("800000") << "800000" << qint64(800'000);
    QTest::newRow("lower-case m") << "3m" << qint64(3'000'000);
    QTest::newRow("upper-case K") << "128K" << qint64(128'000);
    QTest::newRow("spaces around") << " 96k " << qint64(96'000);
    QTest::newRow("fraction of k") << "0.5k" << qint64(500);
}

void TestTranscodeSettings::parseBitrate()
{
    QFETCH(QString, text);
    QFETCH(qint64, bps);
    const auto parsed = media::parseBitrate(text);
    QVERIFY2(parsed.has_value(), qPrintable(text));
    QCOMPARE(*parsed, bps);
}

void TestTranscodeSettings::parseBitrateRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("word") << "fast";
    QTest::newRow("negative") << "-1000k";
    QTest::newRow("unit only") << "k";
    QTest::newRow("unknown unit") << "1000x";
    QTest::newRow("giga") << "2G";
    QTest::newRow("two points") << "1.2.3M";
    QTest::newRow("exponent") << "1e6";
    QTest::newRow("unit first") << "k1000";
    QTest::newRow("absurdly large") << "99999999999999M";
}

void TestTranscodeSettings::parseBitrateRejects()
{
    QFETCH(QString, text);
    const auto parsed = media::parseBitrate(text);
    QVERIFY2(!parsed.has_value(),
        qPrintable(QStringLiteral("'%1' parsed as %2").arg(text).arg(parsed.value_or(0))));
}

void TestTranscodeSettings::formatBitrateRoundTrips()
{
    for (const qint64 bps :
        { qint64(1'000'000), qint64(2'500'000), qint64(128'000), qint64(999), qint64(1'234'567) }) {
        const QString text = formatBitrate(bps);
        QCOMPARE(media::parseBitrate(text).value_or(-1), bps);
    }
    QCOMPARE(formatBitrate(1'000'000), QStringLiteral("1M"));
    QCOMPARE(formatBitrate(128'000), QStringLiteral("128k"));
}

// ---- resolutions -------------------------------------------------------------------------------

void TestTranscodeSettings::parseResolution_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::newRow("WxH") << "1280x720" << int(Resolution::Kind::Exact) << 1280 << 720;
    QTest::newRow("upper-case X") << "640X360" << int(Resolution::Kind::Exact) << 640 << 360;
    QTest::newRow("colon") << "854:480" << int(Resolution::Kind::Exact) << 854 << 480;
    QTest::newRow("height") << "720p" << int(Resolution::Kind::Height) << 0 << 720;
    QTest::newRow("height upper-case") << "1080P" << int(Resolution::Kind::Height) << 0 << 1080;
    QTest::newRow("keep") << "keep" << int(Resolution::Kind::Keep) << 0 << 0;
    QTest::newRow("empty") << "" << int(Resolution::Kind::Keep) << 0 << 0;
}

void TestTranscodeSettings::parseResolution()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(int, width);
    QFETCH(int, height);
    const auto r = Resolution::parse(text);
    QVERIFY2(r.has_value(), qPrintable(text));
    QCOMPARE(int(r->kind), kind);
    QCOMPARE(r->width, width);
    QCOMPARE(r->height, height);
    // The text form reads back as the same resolution.
    QCOMPARE(Resolution::parse(r->toString()), r);
}

void TestTranscodeSettings::parseResolutionRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("number only") << "720";
    QTest::newRow("no height") << "1280x";
    QTest::newRow("no width") << "x720";
    QTest::newRow("negative") << "-1280x720";
    QTest::newRow("interlaced suffix") << "1080i";
    QTest::newRow("both forms") << "1280x720p";
    QTest::newRow("word") << "hd";
    QTest::newRow("fraction") << "1280.5x720";
    QTest::newRow("three sides") << "1x2x3";
}

void TestTranscodeSettings::parseResolutionRejects()
{
    QFETCH(QString, text);
    const auto r = Resolution::parse(text);
    QVERIFY2(!r.has_value(),
        qPrintable(QStringLiteral("'%1' parsed as %2").arg(text, r ? r->toString() : QString())));
}

// ---- frame rates -------------------------------------------------------------------------------

void TestTranscodeSettings::parseFrameRate_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("num");
    QTest::addColumn<int>("den");
    QTest::newRow("30") << "30" << 30 << 1;
    QTest::newRow("25") << "25" << 25 << 1;
    QTest::newRow("29.97") << "29.97" << 30000 << 1001;
    QTest::newRow("59.94") << "59.94" << 60000 << 1001;
    QTest::newRow("23.976") << "23.976" << 24000 << 1001;
    QTest::newRow("ratio") << "30000/1001" << 30000 << 1001;
    QTest::newRow("12.5") << "12.5" << 25 << 2;
}

void TestTranscodeSettings::parseFrameRate()
{
    QFETCH(QString, text);
    QFETCH(int, num);
    QFETCH(int, den);
    const auto f = media::parseFrameRate(text);
    QVERIFY2(f.has_value(), qPrintable(text));
    QCOMPARE(f->first, num);
    QCOMPARE(f->second, den);
}

void TestTranscodeSettings::parseFrameRateRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << "";
    QTest::newRow("word") << "fast";
    QTest::newRow("zero denominator") << "30/0";
    QTest::newRow("negative") << "-25";
    QTest::newRow("three parts") << "1/2/3";
    QTest::newRow("unit") << "30fps";
    QTest::newRow("infinite") << "inf";
}

void TestTranscodeSettings::parseFrameRateRejects()
{
    QFETCH(QString, text);
    const auto f = media::parseFrameRate(text);
    QVERIFY2(!f.has_value(),
        qPrintable(
            QStringLiteral("'%1' parsed as %2/%3").arg(text).arg(f ? f->first : 0).arg(f ? f->second : 0)));
}

// ---- containers --------------------------------------------------------------------------------

void TestTranscodeSettings::containerForPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("container");
    QTest::newRow("mp4") << "/a/b.mp4"
                         << "mp4";
    QTest::newRow("upper-case") << "/a/B.MKV"
                                << "mkv";
    QTest::newRow("webm") << "clip.webm"
                          << "webm";
    QTest::newRow("mov") << "x.y.mov"
                         << "mov";
    QTest::newRow("avi is not written") << "clip.avi"
                                        << "";
    QTest::newRow("no extension") << "/a/clip"
                                  << "";
    QTest::newRow("dot folder") << "/a.mp4/clip"
                                << "";
}

void TestTranscodeSettings::containerForPath()
{
    QFETCH(QString, path);
    QFETCH(QString, container);
    QCOMPARE(media::containerForPath(path), container);
}

// ---- JSON --------------------------------------------------------------------------------------

void TestTranscodeSettings::defaultsMatchTheService()
{
    const TranscodeSettings s;
    QCOMPARE(s.videoCodec, QStringLiteral("libx264"));
    QCOMPARE(s.videoBitrate, qint64(1'000'000));
    QCOMPARE(s.resolution, Resolution::exact(1280, 720));
    QCOMPARE(s.audioCodec, QStringLiteral("aac"));
    QVERIFY(s.encoderPreset.isEmpty()); // the encoder's own default, as the ffmpeg CLI
    QCOMPARE(s.crf, -1);
    QVERIFY(!s.overwrite);
    QVERIFY2(validate(s, QStringLiteral("mp4")).isEmpty(),
        qPrintable(describe(validate(s, QStringLiteral("mp4")))));
}

void TestTranscodeSettings::jsonRoundTrip_data()
{
    QTest::addColumn<TranscodeSettings>("settings");
    QTest::newRow("defaults") << TranscodeSettings {};

    TranscodeSettings all;
    all.videoCodec = QStringLiteral("libx265");
    all.videoBitrate = 2'500'000;
    all.crf = 23;
    all.resolution = Resolution::maxHeight(480);
    all.fpsNum = 30000;
    all.fpsDen = 1001;
    all.encoderPreset = QStringLiteral("fast");
    all.audioCodec = QStringLiteral("libopus");
    all.audioBitrate = 96'000;
    all.threads = 2;
    all.overwrite = true;
    QTest::newRow("every field") << all;

    TranscodeSettings keep;
    keep.videoCodec = QStringLiteral("copy");
    keep.resolution = Resolution::keep();
    keep.audioCodec = QStringLiteral("none");
    keep.fpsNum = 25;
    keep.videoBitrate = 1'234'567;
    QTest::newRow("copy, keep, odd bitrate") << keep;
}

void TestTranscodeSettings::jsonRoundTrip()
{
    QFETCH(TranscodeSettings, settings);
    // Through text as well, as the worker process and the API see it.
    const QByteArray text = QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact);
    const auto back = TranscodeSettings::fromJson(QJsonDocument::fromJson(text).object());
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message));
    QVERIFY2(back.value() == settings, text.constData());
}

void TestTranscodeSettings::jsonMissingKeysKeepDefaults()
{
    const auto s = TranscodeSettings::fromJson(QJsonObject { { "codec", "libvpx-vp9" } });
    QVERIFY(s.ok());
    TranscodeSettings expected;
    expected.videoCodec = QStringLiteral("libvpx-vp9");
    QVERIFY(s.value() == expected);
}

void TestTranscodeSettings::jsonRejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("bitrate text") << QByteArray(R"({"bitrate": "fast"})") << "bitrate";
    QTest::newRow("bitrate number") << QByteArray(R"({"bitrate": 1000})") << "bitrate";
    QTest::newRow("codec number") << QByteArray(R"({"codec": 264})") << "codec";
    QTest::newRow("crf text") << QByteArray(R"({"crf": "20"})") << "crf";
    QTest::newRow("crf fraction") << QByteArray(R"({"crf": 20.5})") << "crf";
    QTest::newRow("resolution") << QByteArray(R"({"resolution": "huge"})") << "resolution";
    QTest::newRow("fps") << QByteArray(R"({"fps": "thirty"})") << "fps";
    QTest::newRow("audio bitrate") << QByteArray(R"({"audio_bitrate": "loud"})") << "audio_bitrate";
    QTest::newRow("overwrite") << QByteArray(R"({"overwrite": "yes"})") << "overwrite";
    QTest::newRow("threads") << QByteArray(R"({"threads": "all"})") << "threads";
}

void TestTranscodeSettings::jsonRejects()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    const auto s = TranscodeSettings::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY2(!s.ok(), json.constData());
    QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(s.error().field, field);
    QVERIFY(!s.error().message.isEmpty());
}

// ---- validation --------------------------------------------------------------------------------

void TestTranscodeSettings::validSettingsPass_data()
{
    QTest::addColumn<TranscodeSettings>("settings");
    QTest::addColumn<QString>("container");

    QTest::newRow("defaults in mp4") << TranscodeSettings {} << "mp4";
    QTest::newRow("defaults in mkv") << TranscodeSettings {} << "mkv";
    QTest::newRow("defaults in mov") << TranscodeSettings {} << "mov";

    TranscodeSettings webm;
    webm.videoCodec = QStringLiteral("libvpx-vp9");
    webm.audioCodec = QStringLiteral("libopus");
    webm.encoderPreset = QStringLiteral("8");
    webm.crf = 63;
    QTest::newRow("vp9 + opus in webm, crf 63") << webm << "webm";

    TranscodeSettings av1;
    av1.videoCodec = QStringLiteral("libsvtav1");
    av1.encoderPreset = QStringLiteral("13");
    av1.resolution = Resolution::maxHeight(16);
    QTest::newRow("av1 preset 13, 16p") << av1 << "mkv";

    TranscodeSettings x265;
    x265.videoCodec = QStringLiteral("libx265");
    x265.crf = 51;
    x265.encoderPreset = QStringLiteral("placebo");
    x265.fpsNum = 240;
    QTest::newRow("x265 crf 51, 240 fps") << x265 << "mp4";

    TranscodeSettings copy;
    copy.videoCodec = QStringLiteral("copy");
    copy.resolution = Resolution::keep();
    copy.audioCodec = QStringLiteral("copy");
    QTest::newRow("copy everything") << copy << "mkv";

    TranscodeSettings audio;
    audio.videoCodec = QStringLiteral("none");
    audio.resolution = Resolution::keep();
    audio.audioBitrate = 6'000;
    QTest::newRow("audio only m4a, 6k") << audio << "m4a";

    TranscodeSettings limits;
    limits.videoBitrate = 10'000;
    limits.resolution = Resolution::exact(16384, 16);
    limits.audioBitrate = 1'024'000;
    limits.threads = 64;
    QTest::newRow("edges of the ranges") << limits << "mkv";
}

void TestTranscodeSettings::validSettingsPass()
{
    QFETCH(TranscodeSettings, settings);
    QFETCH(QString, container);
    const QList<Error> errors = validate(settings, container);
    QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
}

void TestTranscodeSettings::badSettingRejectedByName_data()
{
    QTest::addColumn<TranscodeSettings>("settings");
    QTest::addColumn<QString>("container");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QStringList>("mentions"); // what the message must name, e.g. the accepted values

    auto row = [](const char* name, auto change, const QString& container, const QString& field,
                   const QStringList& mentions) {
        TranscodeSettings s;
        change(s);
        QTest::newRow(name) << s << container << field << mentions;
    };
    const QStringList videoCodecs { "libx264", "libx265", "libvpx-vp9", "libsvtav1", "copy" };
    const QStringList audioCodecs { "aac", "libopus", "copy", "none" };

    row(
        "unknown codec", [](auto& s) { s.videoCodec = "h264"; }, "mp4", "codec",
        videoCodecs + QStringList { "h264" });
    row(
        "raw option string as codec", [](auto& s) { s.videoCodec = "libx264 -vf scale=1:1"; }, "mp4", "codec",
        videoCodecs);
    row("x264 in webm",
        [](auto& s) {
            s.videoCodec = "libx264";
            s.audioCodec = "libopus";
        },
        "webm", "codec", { "webm", "libx264", "libvpx-vp9", "libsvtav1" });
    row("video in m4a", [](auto& s) { s.resolution = Resolution::keep(); }, "m4a", "codec",
        { "m4a", "none" });
    row("bitrate too low", [](auto& s) { s.videoBitrate = 5'000; }, "mp4", "bitrate", { "10k", "500M" });
    row("bitrate zero", [](auto& s) { s.videoBitrate = 0; }, "mp4", "bitrate", { "10k", "500M" });
    row("bitrate too high", [](auto& s) { s.videoBitrate = 600'000'000; }, "mp4", "bitrate",
        { "10k", "500M" });
    row("x264 crf 52", [](auto& s) { s.crf = 52; }, "mp4", "crf", { "0", "51" });
    row("vp9 crf 64",
        [](auto& s) {
            s.videoCodec = "libvpx-vp9";
            s.audioCodec = "libopus";
            s.crf = 64;
        },
        "webm", "crf", { "0", "63" });
    row("odd width", [](auto& s) { s.resolution = Resolution::exact(1281, 720); }, "mp4", "resolution",
        { "even" });
    row("odd height", [](auto& s) { s.resolution = Resolution::exact(1280, 721); }, "mp4", "resolution",
        { "even" });
    row("too small", [](auto& s) { s.resolution = Resolution::exact(8, 8); }, "mp4", "resolution",
        { "16x16" });
    row("too large", [](auto& s) { s.resolution = Resolution::exact(20000, 720); }, "mp4", "resolution",
        { "16384" });
    row("odd height mode", [](auto& s) { s.resolution = Resolution::maxHeight(721); }, "mp4", "resolution",
        { "even" });
    row("height too small", [](auto& s) { s.resolution = Resolution::maxHeight(8); }, "mp4", "resolution",
        { "16p" });
    row("fps too high", [](auto& s) { s.fpsNum = 300; }, "mp4", "fps", { "1", "240" });
    row("fps below one",
        [](auto& s) {
            s.fpsNum = 1;
            s.fpsDen = 2;
        },
        "mp4", "fps", { "1", "240" });
    row("fps zero denominator",
        [](auto& s) {
            s.fpsNum = 30;
            s.fpsDen = 0;
        },
        "mp4", "fps", { "240" });
    row("x264 preset", [](auto& s) { s.encoderPreset = "turbo"; }, "mp4", "preset",
        { "turbo", "ultrafast", "veryslow" });
    row("x265 preset",
        [](auto& s) {
            s.videoCodec = "libx265";
            s.encoderPreset = "8";
        },
        "mp4", "preset", { "ultrafast", "placebo" });
    row("vp9 preset",
        [](auto& s) {
            s.videoCodec = "libvpx-vp9";
            s.audioCodec = "libopus";
            s.encoderPreset = "9";
        },
        "webm", "preset", { "0", "8" });
    row("av1 preset name",
        [](auto& s) {
            s.videoCodec = "libsvtav1";
            s.encoderPreset = "fast";
        },
        "mkv", "preset", { "0", "13" });
    row("av1 preset 14",
        [](auto& s) {
            s.videoCodec = "libsvtav1";
            s.encoderPreset = "14";
        },
        "mkv", "preset", { "0", "13" });
    row(
        "audio codec", [](auto& s) { s.audioCodec = "mp3"; }, "mp4", "audio_codec",
        audioCodecs + QStringList { "mp3" });
    row("audio bitrate low", [](auto& s) { s.audioBitrate = 1'000; }, "mp4", "audio_bitrate",
        { "6k", "1024k" });
    row("audio bitrate high", [](auto& s) { s.audioBitrate = 2'000'000; }, "mp4", "audio_bitrate",
        { "6k", "1024k" });
    row("aac in webm", [](auto& s) { s.videoCodec = "libvpx-vp9"; }, "webm", "audio_codec",
        { "webm", "aac", "libopus" });
    row("container avi", [](auto&) {}, "avi", "output", { "avi", "mp4", "mkv", "webm", "mov" });
    row("no extension", [](auto&) {}, "", "output", { "mp4", "mkv" });
    row("copy and resize", [](auto& s) { s.videoCodec = "copy"; }, "mkv", "resolution", { "copied", "keep" });
    row("copy and fps",
        [](auto& s) {
            s.videoCodec = "copy";
            s.resolution = Resolution::keep();
            s.fpsNum = 25;
        },
        "mkv", "fps", { "copied" });
    row("copy and preset",
        [](auto& s) {
            s.videoCodec = "copy";
            s.resolution = Resolution::keep();
            s.encoderPreset = "fast";
        },
        "mkv", "preset", { "copied" });
    row("nothing to write",
        [](auto& s) {
            s.videoCodec = "none";
            s.resolution = Resolution::keep();
            s.audioCodec = "none";
        },
        "mkv", "audio_codec", { "nothing" });
    row("threads", [](auto& s) { s.threads = -1; }, "mp4", "threads", { "0", "64" });
}

void TestTranscodeSettings::badSettingRejectedByName()
{
    QFETCH(TranscodeSettings, settings);
    QFETCH(QString, container);
    QFETCH(QString, field);
    QFETCH(QStringList, mentions);
    const QList<Error> errors = validate(settings, container);
    QVERIFY2(errors.size() == 1, qPrintable(describe(errors)));
    const Error& e = errors.first();
    QCOMPARE(e.code, ErrorCode::InvalidArgument);
    QCOMPARE(e.field, field);
    for (const QString& word : mentions)
        QVERIFY2(e.message.contains(word, Qt::CaseInsensitive),
            qPrintable(QStringLiteral("'%1' does not mention '%2'").arg(e.message, word)));
}

void TestTranscodeSettings::everyProblemReported()
{
    TranscodeSettings s;
    s.videoCodec = QStringLiteral("mpeg2");
    s.audioCodec = QStringLiteral("mp3");
    s.resolution = Resolution::exact(9, 9);
    const QList<Error> errors = validate(s, QStringLiteral("avi"));
    QStringList fields;
    for (const Error& e : errors)
        fields << e.field;
    fields.sort();
    QCOMPARE(fields, (QStringList { "audio_codec", "codec", "output", "resolution" }));
}

QTEST_GUILESS_MAIN(TestTranscodeSettings)
#include "tst_transcodesettings.moc"
