// avcompat: the libav calls that differ between FFmpeg 5.1 and 7.1 answer alike on both.

#include "avcompat.h"
#include "fixtures.h"
#include "inputfile.h"

extern "C" {
#include <libavutil/display.h>
}

#include <QTest>
#include <algorithm>
#include <cstring>

using namespace vtfarm;
using namespace vtfarm::media;

namespace {

template <class T> bool contains(std::span<const T> list, const T& value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

const AVCodec* encoder(const char* name)
{
    const AVCodec* codec = avcodec_find_encoder_by_name(name);
    if (!codec)
        qWarning("this libavcodec has no %s encoder", name);
    return codec;
}

// A format context with one video stream, as a muxer would be given it.
struct OneStream
{
    OutputContextPtr ctx { avformat_alloc_context() };
    AVStream* stream = ctx ? avformat_new_stream(ctx.get(), nullptr) : nullptr;
};

// Writes a display matrix that asks for a turn of \a clockwise degrees (av_display_rotation_set
// takes the clockwise angle; av_display_rotation_get answers counter-clockwise).
bool addRotation(AVStream* stream, int clockwise)
{
    uint8_t* data = addStreamSideData(stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
    if (!data)
        return false;
    av_display_rotation_set(reinterpret_cast<int32_t*>(data), clockwise);
    return true;
}

} // namespace

class TestAvCompat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void encoderPixelFormats();
    void encoderSampleFormats();
    void encoderSampleRates();
    void encoderChannelLayouts();
    void sideDataIsReadBack();
    void sideDataOfATypeIsReplaced();
    void copiedStreamKeepsSideData();
    void rotatedClip_data();
    void rotatedClip();

private:
    test::MediaFixtures m_fx;
};

void TestAvCompat::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_fx.isValid(), qPrintable(m_fx.errorString()));
}

void TestAvCompat::encoderPixelFormats()
{
    const AVCodec* x264 = encoder("libx264");
    QVERIFY(x264);
    QVERIFY(contains(media::encoderPixelFormats(x264), AV_PIX_FMT_YUV420P));
    QVERIFY(!contains(media::encoderPixelFormats(x264), AV_PIX_FMT_NONE)); // the terminator is not counted
    const AVCodec* png = encoder("png");
    QVERIFY(png);
    QVERIFY(contains(media::encoderPixelFormats(png), AV_PIX_FMT_RGBA));
    QVERIFY(!contains(media::encoderPixelFormats(png), AV_PIX_FMT_YUV420P));
    QVERIFY(media::encoderPixelFormats(nullptr).empty());
}

void TestAvCompat::encoderSampleFormats()
{
    const AVCodec* aac = encoder("aac");
    QVERIFY(aac);
    QVERIFY(contains(media::encoderSampleFormats(aac), AV_SAMPLE_FMT_FLTP));
    QVERIFY(!contains(media::encoderSampleFormats(aac), AV_SAMPLE_FMT_NONE));
    QVERIFY(media::encoderSampleFormats(nullptr).empty());
}

void TestAvCompat::encoderSampleRates()
{
    const AVCodec* opus = encoder("libopus");
    QVERIFY(opus);
    const std::span<const int> rates = media::encoderSampleRates(opus);
    QVERIFY(contains(rates, 48000));
    QVERIFY(!contains(rates, 44100)); // Opus has no 44.1 kHz mode
    QVERIFY(!contains(rates, 0));
    // The native FLAC encoder takes any rate and lists none.
    const AVCodec* flac = encoder("flac");
    QVERIFY(flac);
    QVERIFY(media::encoderSampleRates(flac).empty());
}

void TestAvCompat::encoderChannelLayouts()
{
    const AVCodec* ac3 = encoder("ac3");
    QVERIFY(ac3);
    const std::span<const AVChannelLayout> layouts = media::encoderChannelLayouts(ac3);
    QVERIFY(!layouts.empty());
    const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    const AVChannelLayout fivePointOne = AV_CHANNEL_LAYOUT_5POINT1;
    auto lists = [&](const AVChannelLayout& want) {
        return std::any_of(layouts.begin(), layouts.end(),
            [&](const AVChannelLayout& l) { return !av_channel_layout_compare(&l, &want); });
    };
    QVERIFY(lists(stereo));
    QVERIFY(lists(fivePointOne));
    QVERIFY(std::none_of(
        layouts.begin(), layouts.end(), [](const AVChannelLayout& l) { return l.nb_channels == 0; }));
    // libopus takes what it is given (vtfarm chooses its layouts itself).
    const AVCodec* opus = encoder("libopus");
    QVERIFY(opus);
    QVERIFY(media::encoderChannelLayouts(opus).empty());
}

void TestAvCompat::sideDataIsReadBack()
{
    OneStream s;
    QVERIFY(s.stream);
    QVERIFY(!streamSideData(s.stream, AV_PKT_DATA_DISPLAYMATRIX));
    QCOMPARE(streamRotation(s.stream), 0);
    QVERIFY(addRotation(s.stream, 90));
    const AVPacketSideData* sd = streamSideData(s.stream, AV_PKT_DATA_DISPLAYMATRIX);
    QVERIFY(sd);
    QCOMPARE(sd->type, AV_PKT_DATA_DISPLAYMATRIX);
    QCOMPARE(sd->size, 9 * sizeof(int32_t));
    QCOMPARE(av_display_rotation_get(reinterpret_cast<const int32_t*>(sd->data)), -90.0);
    QCOMPARE(streamRotation(s.stream), 90);
    QVERIFY(!streamSideData(s.stream, AV_PKT_DATA_STEREO3D));
}

void TestAvCompat::sideDataOfATypeIsReplaced()
{
    OneStream s;
    QVERIFY(s.stream);
    QVERIFY(addRotation(s.stream, 90));
    QVERIFY(addRotation(s.stream, 270));
    QCOMPARE(streamRotation(s.stream), 270);
}

void TestAvCompat::copiedStreamKeepsSideData()
{
    OneStream from, to;
    QVERIFY(from.stream && to.stream);
    from.stream->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
    from.stream->codecpar->codec_id = AV_CODEC_ID_H264;
    QVERIFY(addRotation(from.stream, 180));
    QVERIFY(avcodec_parameters_copy(to.stream->codecpar, from.stream->codecpar) >= 0);
    QCOMPARE(copyStreamSideData(to.stream, from.stream), 0);
    const AVPacketSideData* a = streamSideData(from.stream, AV_PKT_DATA_DISPLAYMATRIX);
    const AVPacketSideData* b = streamSideData(to.stream, AV_PKT_DATA_DISPLAYMATRIX);
    QVERIFY(a && b);
    QVERIFY(a->data != b->data); // a copy, not a second owner
    QCOMPARE(b->size, a->size);
    QVERIFY(std::memcmp(a->data, b->data, a->size) == 0);
    QCOMPARE(streamRotation(to.stream), 180);
}

void TestAvCompat::rotatedClip_data()
{
    QTest::addColumn<int>("counterClockwise");
    QTest::addColumn<int>("clockwise");
    QTest::newRow("270") << 270 << 90;
    QTest::newRow("90") << 90 << 270;
}

// A display matrix written by the ffmpeg CLI (demuxed by libavformat into whichever place this
// release keeps it) reads as the turn it asks for.
void TestAvCompat::rotatedClip()
{
    QFETCH(int, counterClockwise);
    QFETCH(int, clockwise);
    const QString path = m_fx.rotated(counterClockwise);
    QVERIFY2(!path.isEmpty(), qPrintable(m_fx.errorString()));
    auto input = openInput(path, InputLimits {}, nullptr);
    QVERIFY2(input.ok(), qPrintable(input.ok() ? QString() : input.error().message));
    const AVFormatContext* ctx = input->get();
    const int video
        = av_find_best_stream(const_cast<AVFormatContext*>(ctx), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    QVERIFY(video >= 0);
    QVERIFY(streamSideData(ctx->streams[video], AV_PKT_DATA_DISPLAYMATRIX));
    QCOMPARE(streamRotation(ctx->streams[video]), clockwise);
}

QTEST_GUILESS_MAIN(TestAvCompat)
#include "tst_avcompat.moc"
