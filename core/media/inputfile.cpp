#include "inputfile.h"

#include "avcompat.h"

extern "C" {
#include <libavutil/avstring.h>
#include <libavutil/display.h>
}

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace vtfarm::media {

namespace {

int interruptCallback(void* opaque)
{
    const auto* flag = static_cast<const std::atomic<bool>*>(opaque);
    return flag && flag->load(std::memory_order_relaxed) ? 1 : 0;
}

bool whitelisted(const char* demuxerName)
{
    return av_match_list(demuxerName, demuxerWhitelist(), ',') > 0;
}

// Detects the container with our own reads, so that a playlist or a script is refused before
// libavformat gets a chance to follow what it names. The steps are libavformat's own: 2 KiB,
// doubled until a demuxer is sure enough or a megabyte is read. Most files are known from their
// first 2 KiB; every demuxer's probe over a whole megabyte took tens of milliseconds per open.
const AVInputFormat* sniffFormat(const QString& path, int* score)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return nullptr;
    constexpr qint64 kFirstProbeBytes = 2048;
    constexpr qint64 kProbeBytes = 1 << 20;
    const QByteArray name = QFile::encodeName(path);
    std::vector<unsigned char> buf;
    qint64 have = 0;
    for (qint64 size = kFirstProbeBytes;; size = std::min(size * 2, kProbeBytes)) {
        buf.resize(size_t(size) + AVPROBE_PADDING_SIZE);
        const qint64 got = f.read(reinterpret_cast<char*>(buf.data()) + have, size - have);
        if (got > 0)
            have += got;
        std::fill(buf.begin() + have, buf.end(), 0);
        const bool last = have < size || size >= kProbeBytes;
        AVProbeData pd {};
        pd.filename = name.constData();
        pd.buf = buf.data();
        pd.buf_size = int(have);
        const AVInputFormat* format = av_probe_input_format3(&pd, 1, score);
        if (last || (format && *score > AVPROBE_SCORE_RETRY))
            return format;
    }
}

} // namespace

QString avErrorString(int averror)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(averror, buf, sizeof buf);
    return QString::fromUtf8(buf);
}

const char* demuxerWhitelist()
{
    return "mov,matroska,avi,flv,mpegts,mpeg,asf,ogg,mxf,dv,nut,wav,w64,mp3,aac,flac,h264,hevc,m4v,ivf,"
           "yuv4mpegpipe,rm,wtv";
}

int streamRotation(const AVStream* stream)
{
    // A display matrix is nine 32-bit numbers; a shorter one is damaged, not a rotation.
    const AVPacketSideData* sd = streamSideData(stream, AV_PKT_DATA_DISPLAYMATRIX);
    if (!sd || sd->size < 9 * sizeof(int32_t))
        return 0;
    const double theta = -av_display_rotation_get(reinterpret_cast<const int32_t*>(sd->data));
    if (std::isnan(theta))
        return 0;
    int degrees = int(std::lround(theta / 90.0)) * 90 % 360;
    if (degrees < 0)
        degrees += 360;
    return degrees;
}

Result<InputContextPtr> openInput(
    const QString& path, const InputLimits& limits, const std::atomic<bool>* cancel, bool readStreamInfo)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error { ErrorCode::NotFound,
            QCoreApplication::translate("vtfarm::media::InputFile", "The input file %1 does not exist.")
                .arg(path),
            "input" };
    if (info.isDir())
        return Error { ErrorCode::UnsupportedInput,
            QStringLiteral("%1 is a folder, not a video file.").arg(path), "input" };
    if (!info.isReadable())
        return Error { ErrorCode::IoError,
            QCoreApplication::translate(
                "vtfarm::media::InputFile", "The input file %1 cannot be read (permission denied).")
                .arg(path),
            "input" };
    if (info.size() == 0)
        return Error { ErrorCode::UnsupportedInput,
            QCoreApplication::translate("vtfarm::media::InputFile", "The input file %1 is empty.").arg(path),
            "input" };

    int score = 0;
    if (const AVInputFormat* sniffed = sniffFormat(path, &score); sniffed && !whitelisted(sniffed->name)) {
        return Error { ErrorCode::UnsupportedInput,
            QCoreApplication::translate("vtfarm::media::InputFile",
                "Refused %1: it is a '%2' file, not a video container. Playlists and scripts "
                "that point at other files are not accepted.")
                .arg(info.fileName(), QString::fromLatin1(sniffed->name)),
            "input" };
    }

    Dictionary opts;
    opts.set("protocol_whitelist", "file");
    opts.set("format_whitelist", demuxerWhitelist());
    AVFormatContext* raw = opts.ok() ? avformat_alloc_context() : nullptr;
    if (!raw)
        return Error { ErrorCode::Internal,
            QCoreApplication::translate("vtfarm::media::InputFile", "Out of memory opening the input."),
            "input" };
    raw->interrupt_callback = { interruptCallback, const_cast<std::atomic<bool>*>(cancel) };
    // "file:" keeps a name with a colon in it from being read as another protocol.
    const QByteArray url = "file:" + QFile::encodeName(info.absoluteFilePath());
    int ret = avformat_open_input(&raw, url.constData(), nullptr, opts.get());
    if (ret < 0) {
        // avformat_open_input frees the context on failure.
        if (cancel && cancel->load())
            return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
        if (ret == AVERROR_INVALIDDATA || ret == AVERROR(EINVAL))
            return Error { ErrorCode::UnsupportedInput,
                QStringLiteral(
                    "%1 is not a video or audio file vtfarm can read, or it is damaged or incomplete.")
                    .arg(info.fileName()),
                "input" };
        return Error { ErrorCode::IoError,
            QCoreApplication::translate("vtfarm::media::InputFile", "Cannot open %1: %2.")
                .arg(info.fileName(), avErrorString(ret)),
            "input" };
    }
    InputContextPtr ctx(raw);
    if (!whitelisted(ctx->iformat->name))
        return Error { ErrorCode::UnsupportedInput,
            QCoreApplication::translate(
                "vtfarm::media::InputFile", "Refused %1: '%2' is not a container vtfarm accepts.")
                .arg(info.fileName(), QString::fromLatin1(ctx->iformat->name)),
            "input" };
    if (int(ctx->nb_streams) > limits.maxStreams)
        return Error { ErrorCode::LimitExceeded,
            QStringLiteral("%1 has %2 streams; vtfarm accepts at most %3.")
                .arg(info.fileName())
                .arg(ctx->nb_streams)
                .arg(limits.maxStreams),
            "input" };
    ret = readStreamInfo ? avformat_find_stream_info(ctx.get(), nullptr) : 0;
    if (ret < 0) {
        if (cancel && cancel->load())
            return Error { ErrorCode::Canceled, QStringLiteral("Canceled."), {} };
        return Error { ErrorCode::UnsupportedInput,
            QCoreApplication::translate("vtfarm::media::InputFile", "Cannot read the streams of %1: %2.")
                .arg(info.fileName(), avErrorString(ret)),
            "input" };
    }
    if (int(ctx->nb_streams) > limits.maxStreams)
        return Error { ErrorCode::LimitExceeded,
            QStringLiteral("%1 has %2 streams; vtfarm accepts at most %3.")
                .arg(info.fileName())
                .arg(ctx->nb_streams)
                .arg(limits.maxStreams),
            "input" };
    if (ctx->duration != AV_NOPTS_VALUE && double(ctx->duration) / AV_TIME_BASE > limits.maxDurationSeconds)
        return Error { ErrorCode::LimitExceeded,
            QStringLiteral("%1 lasts %2 hours; vtfarm accepts at most %3 hours.")
                .arg(info.fileName())
                .arg(double(ctx->duration) / AV_TIME_BASE / 3600.0, 0, 'f', 1)
                .arg(limits.maxDurationSeconds / 3600.0, 0, 'f', 1),
            "input" };
    for (unsigned i = 0; i < ctx->nb_streams; ++i) {
        const AVCodecParameters* par = ctx->streams[i]->codecpar;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO
            && qint64(par->width) * par->height > limits.maxPixelsPerFrame)
            return Error { ErrorCode::LimitExceeded,
                QCoreApplication::translate("vtfarm::media::InputFile",
                    "Stream %1 of %2 is %3x%4 pixels, larger than vtfarm accepts.")
                    .arg(i)
                    .arg(info.fileName())
                    .arg(par->width)
                    .arg(par->height),
                "input" };
    }
    return ctx;
}

} // namespace vtfarm::media
