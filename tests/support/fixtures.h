#pragma once
// Test support: media made at test time with the ffmpeg CLI, and independent checks with ffprobe.

#include "transcodesettings.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <utility>

namespace vtfarm::test {

/// \brief A failed result's code, field and message, for a test's failure message; "(succeeded)"
/// for one that succeeded.
template <class T> QString errorText(const Result<T>& r)
{
    return r.ok()
        ? QStringLiteral("(succeeded)")
        : QStringLiteral("[%1] %2: %3").arg(int(r.error().code)).arg(r.error().field, r.error().message);
}

/// \brief Start and end, in seconds, of each cue of a SubRip text.
QList<std::pair<double, double>> subRipCues(const QString& text);

/// \brief Settings that transcode a test clip quickly: 160x120 H.264 (ultrafast) at 200k, AAC.
media::TranscodeSettings fastSettings();

/// \brief Writes a clip (test pattern and a tone, H.264 + AAC) to \a path with the ffmpeg CLI;
/// returns \a path, or an empty string when ffmpeg failed.
QString writeClip(const QString& path, const QSize& size = { 160, 120 }, double seconds = 2.0);

/// \brief Silences libav's own logging, as vtfarm-cli does, unless VTFARM_AV_LOG is set.
void quietLibavLog();

/// \brief The ffmpeg and ffprobe programs on PATH; empty when not installed.
QString ffmpegProgram();
QString ffprobeProgram();

/// \brief One generated audio track: a sine tone.
struct AudioTrack
{
    int sampleRate = 48000;
    QString channelLayout = QStringLiteral("stereo"); ///< any name libavfilter's aformat knows
    QString language = QStringLiteral("eng");
    int frequency = 440;
    QString encoder = QStringLiteral("aac");
};

/// \brief What a generated clip holds. The defaults make a 2 s 320x240 30 fps H.264 + stereo AAC mp4.
struct ClipSpec
{
    QString fileName = QStringLiteral("clip.mp4"); ///< the extension picks the container
    double seconds = 2.0;
    bool video = true;
    QSize size { 320, 240 }; ///< odd sizes are made by cropping a 4:4:4 picture
    int frameRate = 30;
    QString videoEncoder = QStringLiteral("libx264");
    QString pixelFormat = QStringLiteral("yuv420p");
    QStringList videoFilters; ///< applied after the test pattern
    QStringList videoOptions; ///< extra encoder options, e.g. {"-flags", "+ilme+ildct"}
    QList<AudioTrack> audio { AudioTrack {} };
    QString subtitleEncoder; ///< empty: no subtitles; else srt, ass, mov_text or webvtt
    QStringList outputOptions; ///< placed just before the output file name
};

/// \brief Generates test media into a temporary folder, each file once per instance.
///
/// Every generator returns the file's path, or an empty string with errorString() saying why.
class MediaFixtures
{
public:
    MediaFixtures();

    bool isValid() const;
    QString errorString() const { return m_error; }
    QString dir() const { return m_dir.path(); }
    /// \a name inside the fixture folder (nothing is created).
    QString path(const QString& name) const;

    QString generate(const ClipSpec& spec);
    /// The default clip: 2 s, 320x240, 30 fps, H.264 yuv420p, stereo 48 kHz AAC (eng), mp4.
    QString clip();
    /// The default clip remuxed with a display matrix of \a degrees (counter-clockwise, as ffprobe
    /// reports it): players turn it upright.
    QString rotated(int degrees);
    QString variableFrameRate();
    QString interlaced();
    QString tenBit();
    /// 161x121, 4:2:0 (FFV1 in mkv): both sides odd.
    QString oddSized();
    QString audioOnly();
    QString videoOnly();
    /// 5.1 AAC, or the given layout and encoder (e.g. "5.1(side)" with ac3 in mkv).
    QString surround(const QString& layout = QStringLiteral("5.1"),
        const QString& encoder = QStringLiteral("aac"), const QString& extension = QStringLiteral("mp4"));
    /// Two AAC tracks: 48 kHz stereo "eng" and 44.1 kHz mono "fra".
    QString twoAudioTracks();
    /// Video plus a text subtitle track ("Hello" 0.2–0.9 s, "World" 1.0–1.8 s, language eng):
    /// SubRip in mkv, mov_text in mp4/mov.
    QString subtitled(const QString& extension);
    /// The default clip at another size and length, e.g. a longer one that takes a while to transcode.
    QString sized(const QString& name, const QSize& size, double seconds, int frameRate = 30);

    /// Runs ffmpeg with these arguments (after -nostdin -hide_banner -loglevel error -y).
    bool runFfmpeg(const QStringList& args);

private:
    QString fail(const QString& message);

    QTemporaryDir m_dir;
    QString m_error;
};

/// \brief Independent checks of a media file with ffprobe.
class Ffprobe
{
public:
    /// ffprobe -show_format -show_streams as JSON; an empty object on failure.
    static QJsonObject info(const QString& path, QString* error = nullptr);
    /// The streams of one type ("video", "audio", "subtitle").
    static QJsonArray streams(const QString& path, const QString& type);
    /// Packets read from the first stream of \a type ("v", "a", "s"), or -1.
    static qint64 packetCount(const QString& path, const QString& type = QStringLiteral("v"));
    /// Presentation times in seconds of the packets of the first stream of \a type, sorted.
    static QList<double> packetTimes(const QString& path, const QString& type = QStringLiteral("v"));
    /// Packet sizes of the first stream of \a type, in file order.
    static QList<qint64> packetSizes(const QString& path, const QString& type = QStringLiteral("v"));
    /// The display rotation ffprobe reports for the first video stream (counter-clockwise degrees,
    /// as libavutil's av_display_rotation_get), 0 without a display matrix.
    static int displayRotation(const QString& path);
    /// The first subtitle track converted to SubRip text by ffmpeg.
    static QString subtitleText(const QString& path);
};

/// One picture of \a path at \a seconds as ffmpeg shows it (rotation applied), scaled to
/// \a width x \a height, one byte of luma per pixel; empty on failure.
QByteArray grayPicture(const QString& path, double seconds, int width, int height);
/// The mean absolute difference of two pictures of the same size, 0..255; -1 if sizes differ.
double meanAbsoluteDifference(const QByteArray& a, const QByteArray& b);

} // namespace vtfarm::test
