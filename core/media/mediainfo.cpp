#include "mediainfo.h"

#include "inputfile.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
}

#include <QFileInfo>
#include <QJsonArray>

namespace vtfarm::media {

namespace {

QString dictValue(const AVDictionary* dict, const char* key)
{
    const AVDictionaryEntry* e = av_dict_get(dict, key, nullptr, 0);
    return e ? QString::fromUtf8(e->value) : QString();
}

bool isTextSubtitle(AVCodecID id)
{
    const AVCodecDescriptor* d = avcodec_descriptor_get(id);
    return d && (d->props & AV_CODEC_PROP_TEXT_SUB);
}

StreamInfo describe(const AVStream* st)
{
    const AVCodecParameters* par = st->codecpar;
    StreamInfo s;
    s.index = st->index;
    switch (par->codec_type) {
    case AVMEDIA_TYPE_VIDEO:
        s.type = StreamInfo::Type::Video;
        break;
    case AVMEDIA_TYPE_AUDIO:
        s.type = StreamInfo::Type::Audio;
        break;
    case AVMEDIA_TYPE_SUBTITLE:
        s.type = StreamInfo::Type::Subtitle;
        break;
    case AVMEDIA_TYPE_DATA:
        s.type = StreamInfo::Type::Data;
        break;
    case AVMEDIA_TYPE_ATTACHMENT:
        s.type = StreamInfo::Type::Attachment;
        break;
    default:
        break;
    }
    if (const AVCodecDescriptor* d = avcodec_descriptor_get(par->codec_id)) {
        s.codec = QString::fromLatin1(d->name);
        s.codecLongName = QString::fromLatin1(d->long_name ? d->long_name : d->name);
    } else {
        s.codec = QStringLiteral("unknown");
    }
    s.bitRate = par->bit_rate;
    s.language = dictValue(st->metadata, "language");
    s.title = dictValue(st->metadata, "title");
    if (s.type == StreamInfo::Type::Video) {
        s.width = par->width;
        s.height = par->height;
        const AVRational fr = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
        s.frameRate = fr.den ? av_q2d(fr) : 0;
        if (const AVPixFmtDescriptor* pd = av_pix_fmt_desc_get(AVPixelFormat(par->format))) {
            s.pixelFormat = QString::fromLatin1(pd->name);
            s.bitDepth = pd->comp[0].depth;
        }
        s.rotation = streamRotation(st);
        s.interlaced = par->field_order != AV_FIELD_UNKNOWN && par->field_order != AV_FIELD_PROGRESSIVE;
        s.attachedPicture = st->disposition & AV_DISPOSITION_ATTACHED_PIC;
    } else if (s.type == StreamInfo::Type::Audio) {
        s.sampleRate = par->sample_rate;
        s.channels = par->ch_layout.nb_channels;
        char buf[128] = {};
        if (av_channel_layout_describe(&par->ch_layout, buf, sizeof buf) > 0)
            s.channelLayout = QString::fromLatin1(buf);
    } else if (s.type == StreamInfo::Type::Subtitle) {
        s.textSubtitle = isTextSubtitle(par->codec_id);
    }
    return s;
}

} // namespace

QString streamTypeName(StreamInfo::Type type)
{
    switch (type) {
    case StreamInfo::Type::Video:
        return QStringLiteral("video");
    case StreamInfo::Type::Audio:
        return QStringLiteral("audio");
    case StreamInfo::Type::Subtitle:
        return QStringLiteral("subtitle");
    case StreamInfo::Type::Data:
        return QStringLiteral("data");
    case StreamInfo::Type::Attachment:
        return QStringLiteral("attachment");
    case StreamInfo::Type::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QJsonObject StreamInfo::toJson() const
{
    QJsonObject o { { "index", index }, { "type", streamTypeName(type) }, { "codec", codec },
        { "codec_long_name", codecLongName } };
    if (bitRate > 0)
        o["bit_rate"] = bitRate;
    if (!language.isEmpty())
        o["language"] = language;
    if (!title.isEmpty())
        o["title"] = title;
    if (type == Type::Video) {
        o["width"] = width;
        o["height"] = height;
        o["frame_rate"] = frameRate;
        o["pixel_format"] = pixelFormat;
        o["bit_depth"] = bitDepth;
        o["rotation"] = rotation;
        o["interlaced"] = interlaced;
        if (attachedPicture)
            o["attached_picture"] = true;
    } else if (type == Type::Audio) {
        o["sample_rate"] = sampleRate;
        o["channels"] = channels;
        o["channel_layout"] = channelLayout;
    } else if (type == Type::Subtitle) {
        o["text"] = textSubtitle;
    }
    return o;
}

bool MediaInfo::hasVideo() const
{
    return primaryVideo() != nullptr;
}

bool MediaInfo::hasAudio() const
{
    return std::any_of(streams.begin(), streams.end(),
        [](const StreamInfo& s) { return s.type == StreamInfo::Type::Audio; });
}

const StreamInfo* MediaInfo::primaryVideo() const
{
    for (const StreamInfo& s : streams) {
        if (s.type == StreamInfo::Type::Video && !s.attachedPicture)
            return &s;
    }
    return nullptr;
}

QJsonObject MediaInfo::toJson() const
{
    QJsonArray list;
    for (const StreamInfo& s : streams)
        list.append(s.toJson());
    return { { "path", path }, { "container", container }, { "container_long_name", containerLongName },
        { "duration", durationSeconds }, { "bit_rate", bitRate }, { "size", sizeBytes },
        { "streams", list } };
}

QString MediaInfo::toText() const
{
    QString out = QStringLiteral(
        "%1\n  container: %2 (%3)\n  duration:  %4 s\n  bit rate:  %5 kb/s\n  size:      %6 bytes\n")
                      .arg(path, containerLongName, container)
                      .arg(durationSeconds, 0, 'f', 3)
                      .arg(bitRate / 1000)
                      .arg(sizeBytes);
    for (const StreamInfo& s : streams) {
        out += QStringLiteral("  #%1 %2: %3").arg(s.index).arg(streamTypeName(s.type), s.codec);
        if (s.type == StreamInfo::Type::Video) {
            out += QStringLiteral(", %1x%2, %3 fps, %4")
                       .arg(s.width)
                       .arg(s.height)
                       .arg(s.frameRate, 0, 'f', 3)
                       .arg(s.pixelFormat);
            if (s.rotation)
                out += QStringLiteral(", rotated %1°").arg(s.rotation);
            if (s.interlaced)
                out += QStringLiteral(", interlaced");
            if (s.attachedPicture)
                out += QStringLiteral(", cover art");
        } else if (s.type == StreamInfo::Type::Audio) {
            out += QStringLiteral(", %1 Hz, %2").arg(s.sampleRate).arg(s.channelLayout);
        } else if (s.type == StreamInfo::Type::Subtitle) {
            out += s.textSubtitle ? QStringLiteral(", text") : QStringLiteral(", bitmap");
        }
        if (s.bitRate > 0)
            out += QStringLiteral(", %1 kb/s").arg(s.bitRate / 1000);
        if (!s.language.isEmpty())
            out += QStringLiteral(" [%1]").arg(s.language);
        out += u'\n';
    }
    return out;
}

Result<MediaInfo> probe(const QString& path)
{
    auto input = openInput(path, InputLimits {}, nullptr);
    if (!input)
        return input.error();
    const AVFormatContext* ctx = input->get();
    MediaInfo info;
    info.path = path;
    info.container = QString::fromLatin1(ctx->iformat->name);
    info.containerLongName
        = QString::fromLatin1(ctx->iformat->long_name ? ctx->iformat->long_name : ctx->iformat->name);
    info.durationSeconds = ctx->duration != AV_NOPTS_VALUE ? double(ctx->duration) / AV_TIME_BASE : 0.0;
    info.bitRate = ctx->bit_rate;
    info.sizeBytes = QFileInfo(path).size();
    for (unsigned i = 0; i < ctx->nb_streams; ++i)
        info.streams.append(describe(ctx->streams[i]));
    return info;
}

Result<QString> identify(const QString& path)
{
    auto input = openInput(path, InputLimits {}, nullptr, false);
    if (!input)
        return input.error();
    const AVFormatContext* ctx = input->get();
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVMediaType type = ctx->streams[i]->codecpar->codec_type;
        if (type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO)
            return QString::fromLatin1(
                ctx->iformat->long_name ? ctx->iformat->long_name : ctx->iformat->name);
    }
    return Error { ErrorCode::UnsupportedInput,
        QStringLiteral("%1 has no video or audio to transcode.").arg(QFileInfo(path).fileName()), "input" };
}

} // namespace vtfarm::media
