#pragma once

#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace vtfarm::media {

/// \brief One stream of a media file as probe() sees it.
struct StreamInfo
{
    enum class Type
    {
        Video,
        Audio,
        Subtitle,
        Data,
        Attachment,
        Unknown
    };
    int index = 0;
    Type type = Type::Unknown;
    QString codec; ///< libavcodec's short name, e.g. "h264"
    QString codecLongName;
    qint64 bitRate = 0;
    QString language;
    QString title;
    // video
    int width = 0;
    int height = 0;
    double frameRate = 0;
    QString pixelFormat;
    int bitDepth = 0;
    int rotation = 0; ///< degrees clockwise a player turns the picture
    bool interlaced = false;
    bool attachedPicture = false; ///< cover art, not a moving picture
    // audio
    int sampleRate = 0;
    int channels = 0;
    QString channelLayout;
    // subtitles
    bool textSubtitle = false;

    QJsonObject toJson() const;
};

/// \brief What probe() learns about a file: container, duration, bit rate and the streams.
struct MediaInfo
{
    QString path;
    QString container; ///< demuxer short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    QString containerLongName;
    double durationSeconds = 0;
    qint64 bitRate = 0;
    qint64 sizeBytes = 0;
    QList<StreamInfo> streams;

    bool hasVideo() const;
    bool hasAudio() const;
    /// The first video stream that is a moving picture, or nullptr.
    const StreamInfo* primaryVideo() const;
    QJsonObject toJson() const;
    /// Several lines for a person, as `vtfarm-cli probe` prints them.
    QString toText() const;
};

/// Reads container and stream information with the same safety rules as the transcoder.
Result<MediaInfo> probe(const QString& path);

/// Checks that \a path is a container vtfarm accepts with an audio or video stream, reading its
/// header only: no decoder runs, so a hostile file cannot take the caller's process down through
/// one (servers check uploads with this; the workers do the rest). Returns the container's name.
Result<QString> identify(const QString& path);

QString streamTypeName(StreamInfo::Type type);

} // namespace vtfarm::media
