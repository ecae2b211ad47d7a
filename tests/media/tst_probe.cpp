// probe(): what it reports about generated media, cross-checked with ffprobe where both can say.

#include "fixtures.h"
#include "mediainfo.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QTest>
#include <cmath>

using namespace vtfarm;
using namespace vtfarm::media;
using vtfarm::test::Ffprobe;

namespace {

const StreamInfo* nth(const MediaInfo& info, StreamInfo::Type type, int n = 0)
{
    for (const StreamInfo& s : info.streams) {
        if (s.type == type && n-- == 0)
            return &s;
    }
    return nullptr;
}

} // namespace

class TestProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void identifyChecksTheHeader();
    void videoAndAudioClip();
    void agreesWithFfprobe();
    void rotation_data();
    void rotation();
    void interlacedAndTenBit();
    void oddSizeAndVariableFrameRate();
    void audioOnly();
    void surroundLayout();
    void twoAudioTracks();
    void textSubtitles_data();
    void textSubtitles();
    void jsonForm();
    void missingFile();

private:
    Result<MediaInfo> probeFixture(const QString& path);
    test::MediaFixtures m_fx;
};

void TestProbe::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_fx.isValid(), qPrintable(m_fx.errorString()));
}

Result<MediaInfo> TestProbe::probeFixture(const QString& path)
{
    if (path.isEmpty())
        return Error { ErrorCode::Internal, QStringLiteral("fixture: ") + m_fx.errorString(), {} };
    return probe(path);
}

#define PROBE_OK(var, fixture)                                                                               \
    const Result<MediaInfo> var##Result = probeFixture(fixture);                                             \
    QVERIFY2(var##Result.ok(), qPrintable(var##Result.ok() ? QString() : var##Result.error().message));      \
    const MediaInfo& var = var##Result.value()

void TestProbe::videoAndAudioClip()
{
    PROBE_OK(info, m_fx.clip());
    QCOMPARE(info.container, QStringLiteral("mov,mp4,m4a,3gp,3g2,mj2"));
    QVERIFY(std::abs(info.durationSeconds - 2.0) < 0.05);
    QVERIFY(info.bitRate > 0);
    QCOMPARE(info.sizeBytes, QFileInfo(m_fx.clip()).size());
    QCOMPARE(info.streams.size(), 2);
    QVERIFY(info.hasVideo());
    QVERIFY(info.hasAudio());

    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    QCOMPARE(v->index, 0);
    QCOMPARE(v->codec, QStringLiteral("h264"));
    QCOMPARE(v->width, 320);
    QCOMPARE(v->height, 240);
    QCOMPARE(v->frameRate, 30.0);
    QCOMPARE(v->pixelFormat, QStringLiteral("yuv420p"));
    QCOMPARE(v->bitDepth, 8);
    QCOMPARE(v->rotation, 0);
    QVERIFY(!v->interlaced);

    const StreamInfo* a = nth(info, StreamInfo::Type::Audio);
    QVERIFY(a);
    QCOMPARE(a->index, 1);
    QCOMPARE(a->codec, QStringLiteral("aac"));
    QCOMPARE(a->sampleRate, 48000);
    QCOMPARE(a->channels, 2);
    QCOMPARE(a->channelLayout, QStringLiteral("stereo"));
    QCOMPARE(a->language, QStringLiteral("eng"));
}

void TestProbe::agreesWithFfprobe()
{
    const QString path = m_fx.twoAudioTracks();
    PROBE_OK(info, path);
    const QJsonObject ff = Ffprobe::info(path);
    const QJsonObject format = ff.value(u"format").toObject();
    QVERIFY(!format.isEmpty());
    QCOMPARE(info.container, format.value(u"format_name").toString());
    QVERIFY(std::abs(info.durationSeconds - format.value(u"duration").toString().toDouble()) < 0.001);
    QCOMPARE(info.bitRate, format.value(u"bit_rate").toString().toLongLong());
    const QJsonArray streams = ff.value(u"streams").toArray();
    QCOMPARE(info.streams.size(), streams.size());
    for (int i = 0; i < streams.size(); ++i) {
        const QJsonObject s = streams[i].toObject();
        const StreamInfo& mine = info.streams[i];
        QCOMPARE(mine.index, s.value(u"index").toInt());
        QCOMPARE(streamTypeName(mine.type), s.value(u"codec_type").toString());
        QCOMPARE(mine.codec, s.value(u"codec_name").toString());
        QCOMPARE(mine.language, s.value(u"tags").toObject().value(u"language").toString());
        if (mine.type == StreamInfo::Type::Video) {
            QCOMPARE(mine.width, s.value(u"width").toInt());
            QCOMPARE(mine.height, s.value(u"height").toInt());
            QCOMPARE(mine.pixelFormat, s.value(u"pix_fmt").toString());
        } else if (mine.type == StreamInfo::Type::Audio) {
            QCOMPARE(mine.sampleRate, s.value(u"sample_rate").toString().toInt());
            QCOMPARE(mine.channels, s.value(u"channels").toInt());
            QCOMPARE(mine.channelLayout, s.value(u"channel_layout").toString());
        }
    }
}

void TestProbe::rotation_data()
{
    QTest::addColumn<int>("tag");
    QTest::newRow("90") << 90;
    QTest::newRow("180") << 180;
    QTest::newRow("270") << 270;
}

void TestProbe::rotation()
{
    QFETCH(int, tag);
    const QString path = m_fx.rotated(tag);
    PROBE_OK(info, path);
    const StreamInfo* v = info.primaryVideo();
    QVERIFY(v);
    // The stored picture keeps its size; the rotation says how a player turns it.
    QCOMPARE(v->width, 320);
    QCOMPARE(v->height, 240);
    QVERIFY(v->rotation != 0);
    // libavutil reports the matrix's angle counter-clockwise; probe() reports the clockwise turn.
    const int ffprobeRotation = Ffprobe::displayRotation(path);
    QVERIFY(ffprobeRotation != 0);
    QCOMPARE(v->rotation, ((-ffprobeRotation) % 360 + 360) % 360);
}

void TestProbe::interlacedAndTenBit()
{
    PROBE_OK(interlaced, m_fx.interlaced());
    QVERIFY(interlaced.primaryVideo());
    QVERIFY(interlaced.primaryVideo()->interlaced);
    QCOMPARE(interlaced.primaryVideo()->frameRate, 30.0);

    PROBE_OK(deep, m_fx.tenBit());
    QVERIFY(deep.primaryVideo());
    QCOMPARE(deep.primaryVideo()->pixelFormat, QStringLiteral("yuv420p10le"));
    QCOMPARE(deep.primaryVideo()->bitDepth, 10);
    QVERIFY(!deep.primaryVideo()->interlaced);
}

void TestProbe::oddSizeAndVariableFrameRate()
{
    PROBE_OK(odd, m_fx.oddSized());
    QVERIFY(odd.primaryVideo());
    QCOMPARE(odd.primaryVideo()->codec, QStringLiteral("ffv1"));
    QCOMPARE(odd.primaryVideo()->width, 161);
    QCOMPARE(odd.primaryVideo()->height, 121);
    QCOMPARE(odd.container, QStringLiteral("matroska,webm"));

    // Matroska states a nominal frame rate (its default frame duration) even when frames are irregular.
    PROBE_OK(vfr, m_fx.variableFrameRate());
    QVERIFY(vfr.primaryVideo());
    const QJsonArray ff = Ffprobe::streams(m_fx.variableFrameRate(), QStringLiteral("video"));
    QCOMPARE(ff.size(), 1);
    const QStringList rate = ff.first().toObject().value(u"avg_frame_rate").toString().split(u'/');
    QCOMPARE(rate.size(), 2);
    QCOMPARE(vfr.primaryVideo()->frameRate, rate[0].toDouble() / rate[1].toDouble());
}

void TestProbe::audioOnly()
{
    PROBE_OK(info, m_fx.audioOnly());
    QVERIFY(!info.hasVideo());
    QVERIFY(info.hasAudio());
    QCOMPARE(info.streams.size(), 1);
    QVERIFY(info.container.contains(QStringLiteral("m4a")));
    QVERIFY(std::abs(info.durationSeconds - 2.0) < 0.05);
    QCOMPARE(info.streams.first().sampleRate, 48000);
}

void TestProbe::surroundLayout()
{
    PROBE_OK(back, m_fx.surround());
    const StreamInfo* a = nth(back, StreamInfo::Type::Audio);
    QVERIFY(a);
    QCOMPARE(a->channels, 6);
    QCOMPARE(a->channelLayout, QStringLiteral("5.1"));

    PROBE_OK(side, m_fx.surround(QStringLiteral("5.1(side)"), QStringLiteral("ac3"), QStringLiteral("mkv")));
    a = nth(side, StreamInfo::Type::Audio);
    QVERIFY(a);
    QCOMPARE(a->codec, QStringLiteral("ac3"));
    QCOMPARE(a->channels, 6);
    QCOMPARE(a->channelLayout, QStringLiteral("5.1(side)"));
}

void TestProbe::twoAudioTracks()
{
    PROBE_OK(info, m_fx.twoAudioTracks());
    const StreamInfo* first = nth(info, StreamInfo::Type::Audio, 0);
    const StreamInfo* second = nth(info, StreamInfo::Type::Audio, 1);
    QVERIFY(first && second);
    QCOMPARE(first->language, QStringLiteral("eng"));
    QCOMPARE(first->sampleRate, 48000);
    QCOMPARE(first->channelLayout, QStringLiteral("stereo"));
    QCOMPARE(second->language, QStringLiteral("fra"));
    QCOMPARE(second->sampleRate, 44100);
    QCOMPARE(second->channels, 1);
    QCOMPARE(second->channelLayout, QStringLiteral("mono"));
}

void TestProbe::textSubtitles_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("codec");
    QTest::newRow("mkv") << "mkv"
                         << "subrip";
    QTest::newRow("mp4") << "mp4"
                         << "mov_text";
}

void TestProbe::textSubtitles()
{
    QFETCH(QString, extension);
    QFETCH(QString, codec);
    PROBE_OK(info, m_fx.subtitled(extension));
    const StreamInfo* s = nth(info, StreamInfo::Type::Subtitle);
    QVERIFY(s);
    QCOMPARE(s->codec, codec);
    QVERIFY(s->textSubtitle);
    QCOMPARE(s->language, QStringLiteral("eng"));
}

void TestProbe::jsonForm()
{
    PROBE_OK(info, m_fx.clip());
    const QJsonObject o = info.toJson();
    QCOMPARE(o.value(u"container").toString(), info.container);
    QCOMPARE(o.value(u"duration").toDouble(), info.durationSeconds);
    const QJsonArray streams = o.value(u"streams").toArray();
    QCOMPARE(streams.size(), 2);
    const QJsonObject v = streams[0].toObject();
    QCOMPARE(v.value(u"type").toString(), QStringLiteral("video"));
    QCOMPARE(v.value(u"width").toInt(), 320);
    QCOMPARE(v.value(u"height").toInt(), 240);
    QCOMPARE(v.value(u"rotation").toInt(), 0);
    QCOMPARE(v.value(u"pixel_format").toString(), QStringLiteral("yuv420p"));
    const QJsonObject a = streams[1].toObject();
    QCOMPARE(a.value(u"type").toString(), QStringLiteral("audio"));
    QCOMPARE(a.value(u"sample_rate").toInt(), 48000);
    QCOMPARE(a.value(u"channel_layout").toString(), QStringLiteral("stereo"));
    QCOMPARE(a.value(u"language").toString(), QStringLiteral("eng"));
    QVERIFY(info.toText().contains(QStringLiteral("320x240")));
}

void TestProbe::missingFile()
{
    const auto r = probe(m_fx.path(QStringLiteral("no such file.mp4")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::NotFound);
    QVERIFY(!r.error().message.isEmpty());
}

void TestProbe::identifyChecksTheHeader()
{
    const QString clip = m_fx.clip();
    QVERIFY(!clip.isEmpty());
    const auto good = identify(clip);
    QVERIFY2(good.ok(), qPrintable(good.ok() ? QString() : good.error().message));
    QVERIFY(good->contains(QStringLiteral("QuickTime")));
    QVERIFY(identify(m_fx.audioOnly()).ok());

    const QString playlist = m_fx.path(QStringLiteral("list.mp4"));
    QFile f(playlist);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nclip.mp4\n#EXT-X-ENDLIST\n");
    f.close();
    QCOMPARE(identify(playlist).error().code, ErrorCode::UnsupportedInput);
    const QString zeros = m_fx.path(QStringLiteral("zeros.mkv"));
    QFile z(zeros);
    QVERIFY(z.open(QIODevice::WriteOnly));
    z.write(QByteArray(65536, '\0'));
    z.close();
    QVERIFY(!identify(zeros).ok());
}

QTEST_GUILESS_MAIN(TestProbe)
#include "tst_probe.moc"
