#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace vtfarm::media {

/// \brief The constant-quality scale an encoder takes.
struct CrfRange
{
    int min = 0;
    int max = 0;
    int typical = 0; ///< what the window offers first
};

/// \brief A video codec vtfarm offers: the one table validation, the CLI's help, the window's
/// lists, presets and the OpenAPI document read.
struct VideoCodec
{
    enum class Presets
    {
        None, ///< copy and none take no preset
        Named, ///< x264/x265: ultrafast ... placebo
        Speed, ///< VP9 / AV1: a number from 0 (slowest) to maxSpeed (fastest)
    };
    QString name; ///< libavcodec's encoder name ("libx264"), or "copy" / "none"
    const char* label; ///< what people are shown, in English (translated by the window)
    std::optional<CrfRange> crf; ///< nullopt when not encoded
    Presets presetKind = Presets::None;
    QStringList presetNames; ///< Presets::Named
    int maxSpeed = 0; ///< Presets::Speed
    bool keepsHighBitDepth = false; ///< 10-bit sources stay 10-bit (x264 output stays 8-bit for players)

    /// Whether it is a real encoder (not copy or none).
    bool encodes() const { return crf.has_value(); }
    /// The presets a setting may name: presetNames, or "0" ... maxSpeed.
    QStringList presets() const;
};

/// \brief An audio codec vtfarm offers.
struct AudioCodec
{
    QString name; ///< "aac", "libopus", "copy", "none"
    const char* label;
    bool encodes() const { return name != u"copy" && name != u"none"; }
};

/// \brief A container vtfarm writes, by file extension.
struct Container
{
    QString extension; ///< "mp4"
    const char* label; ///< "MP4 (.mp4)"
    const char* muxer; ///< libavformat's muxer name ("matroska" for mkv)
    const char* mimeType; ///< for downloads
    bool audioOnly = false;
};

const QList<VideoCodec>& videoCodecs();
const QList<AudioCodec>& audioCodecs();
const QList<Container>& containers();

const VideoCodec* findVideoCodec(const QString& name);
const AudioCodec* findAudioCodec(const QString& name);
const Container* findContainer(const QString& extension);

/// The names, in the table's order: for help texts, error messages and the OpenAPI enums.
QStringList videoCodecNames();
QStringList audioCodecNames();
QStringList containerExtensions();

/// Whether a file of \a container can hold what \a encoderName writes (asked of libavformat once).
bool containerHolds(const QString& container, const QString& encoderName);

} // namespace vtfarm::media
