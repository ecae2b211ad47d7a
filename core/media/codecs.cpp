#include "codecs.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <QHash>
#include <QtGlobal>
#include <mutex>

namespace vtfarm::media {

namespace {

// The labels are English; the window translates them in the "vtfarm::media::Codecs" context.
const QStringList kX26xPresets = { "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
    "slower", "veryslow", "placebo" };

} // namespace

QStringList VideoCodec::presets() const
{
    if (presetKind == Presets::Named)
        return presetNames;
    QStringList speeds;
    if (presetKind == Presets::Speed) {
        for (int i = 0; i <= maxSpeed; ++i)
            speeds << QString::number(i);
    }
    return speeds;
}

const QList<VideoCodec>& videoCodecs()
{
    using P = VideoCodec::Presets;
    static const QList<VideoCodec> list = {
        { "libx264", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "H.264 (x264)"), CrfRange { 0, 51, 23 },
            P::Named, kX26xPresets, 0, false },
        { "libx265", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "H.265 / HEVC (x265)"),
            CrfRange { 0, 51, 28 }, P::Named, kX26xPresets, 0, true },
        { "libvpx-vp9", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "VP9"), CrfRange { 0, 63, 32 }, P::Speed,
            {}, 8, true },
        { "libsvtav1", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "AV1 (SVT-AV1)"), CrfRange { 0, 63, 35 },
            P::Speed, {}, 13, true },
        { "copy", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "Copy without re-encoding"), std::nullopt,
            P::None, {}, 0, false },
        { "none", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "None (drop the picture)"), std::nullopt,
            P::None, {}, 0, false },
    };
    return list;
}

const QList<AudioCodec>& audioCodecs()
{
    static const QList<AudioCodec> list = {
        { "aac", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "AAC") },
        { "libopus", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "Opus") },
        { "copy", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "Copy without re-encoding") },
        { "none", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "None (drop the sound)") },
    };
    return list;
}

const QList<Container>& containers()
{
    static const QList<Container> list = {
        { "mp4", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "MP4 (.mp4)"), "mp4", "video/mp4", false },
        { "mkv", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "Matroska (.mkv)"), "matroska",
            "video/x-matroska", false },
        { "webm", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "WebM (.webm)"), "webm", "video/webm", false },
        { "mov", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "QuickTime (.mov)"), "mov", "video/quicktime",
            false },
        { "m4a", QT_TRANSLATE_NOOP("vtfarm::media::Codecs", "Audio only (.m4a)"), "ipod", "audio/mp4", true },
    };
    return list;
}

const VideoCodec* findVideoCodec(const QString& name)
{
    for (const VideoCodec& c : videoCodecs()) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

const AudioCodec* findAudioCodec(const QString& name)
{
    for (const AudioCodec& c : audioCodecs()) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

const Container* findContainer(const QString& extension)
{
    for (const Container& c : containers()) {
        if (c.extension == extension)
            return &c;
    }
    return nullptr;
}

QStringList videoCodecNames()
{
    QStringList names;
    for (const VideoCodec& c : videoCodecs())
        names << c.name;
    return names;
}

QStringList audioCodecNames()
{
    QStringList names;
    for (const AudioCodec& c : audioCodecs())
        names << c.name;
    return names;
}

QStringList containerExtensions()
{
    QStringList names;
    for (const Container& c : containers())
        names << c.extension;
    return names;
}

bool containerHolds(const QString& container, const QString& encoderName)
{
    // libavformat's answer does not change while the program runs; the window asks it on every edit.
    static std::mutex mutex;
    static QHash<QString, bool> answers;
    const QString key = container + u'/' + encoderName;
    std::lock_guard lock(mutex);
    if (const auto it = answers.constFind(key); it != answers.cend())
        return *it;
    const Container* c = findContainer(container);
    const AVOutputFormat* fmt = c ? av_guess_format(c->muxer, nullptr, nullptr) : nullptr;
    const AVCodec* enc = avcodec_find_encoder_by_name(encoderName.toLatin1().constData());
    const bool holds = fmt && enc && avformat_query_codec(fmt, enc->id, FF_COMPLIANCE_NORMAL) == 1;
    answers.insert(key, holds);
    return holds;
}

} // namespace vtfarm::media
