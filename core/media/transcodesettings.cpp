#include "transcodesettings.h"

#include "codecs.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonValue>
#include <QLocale>
#include <QRegularExpression>
#include <cmath>

namespace vtfarm::media {

namespace {

// The encoders among the table's whose output a container of that kind can hold.
template <class List> QString encodersFor(const QString& container, const List& offered)
{
    QStringList names;
    for (const auto& codec : offered) {
        if (codec.encodes() && containerHolds(container, codec.name))
            names << codec.name;
    }
    return names.join(u", ");
}

} // namespace

std::optional<Resolution> Resolution::parse(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t.isEmpty() || t == u"keep" || t == u"source")
        return keep();
    static const QRegularExpression exactRe(QStringLiteral("^(\\d{1,5})\\s*[x:]\\s*(\\d{1,5})$"));
    static const QRegularExpression heightRe(QStringLiteral("^(\\d{1,5})p$"));
    if (const auto m = exactRe.match(t); m.hasMatch())
        return exact(m.captured(1).toInt(), m.captured(2).toInt());
    if (const auto m = heightRe.match(t); m.hasMatch())
        return maxHeight(m.captured(1).toInt());
    return std::nullopt;
}

QString Resolution::toString() const
{
    switch (kind) {
    case Kind::Keep:
        return QStringLiteral("keep");
    case Kind::Exact:
        return QStringLiteral("%1x%2").arg(width).arg(height);
    case Kind::Height:
        return QStringLiteral("%1p").arg(height);
    }
    return {};
}

const char* muxerForContainer(const QString& container)
{
    const Container* c = findContainer(container);
    return c ? c->muxer : nullptr;
}

QString containerForPath(const QString& path)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    return findContainer(ext) ? ext : QString();
}

std::optional<qint64> parseBitrate(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+(?:\\.\\d+)?)\\s*([kKmM]?)(?:bps|b/s|b)?$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    double value = m.captured(1).toDouble();
    const QString unit = m.captured(2).toLower();
    if (unit == u"k")
        value *= 1e3;
    else if (unit == u"m")
        value *= 1e6;
    if (!std::isfinite(value) || value > 1e12)
        return std::nullopt;
    return static_cast<qint64>(std::llround(value));
}

QString formatBitrate(qint64 bps)
{
    if (bps > 0 && bps % 1'000'000 == 0)
        return QStringLiteral("%1M").arg(bps / 1'000'000);
    if (bps > 0 && bps % 1000 == 0)
        return QStringLiteral("%1k").arg(bps / 1000);
    return QString::number(bps);
}

std::optional<std::pair<int, int>> parseFrameRate(const QString& text)
{
    const QString t = text.trimmed();
    static const QRegularExpression ratioRe(QStringLiteral("^(\\d{1,6})/(\\d{1,6})$"));
    if (const auto m = ratioRe.match(t); m.hasMatch()) {
        const int num = m.captured(1).toInt(), den = m.captured(2).toInt();
        if (den == 0)
            return std::nullopt;
        return std::pair { num, den };
    }
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < 0 || v > 1e6)
        return std::nullopt;
    if (std::abs(v - 29.97) < 0.005)
        return std::pair { 30000, 1001 };
    if (std::abs(v - 59.94) < 0.005)
        return std::pair { 60000, 1001 };
    if (std::abs(v - 23.976) < 0.0005)
        return std::pair { 24000, 1001 };
    const AVRational q = av_d2q(v, 100000);
    return std::pair { q.num, q.den };
}

std::optional<double> parseTimestamp(const QString& text)
{
    // [[HH:]MM:]SS[.fraction]; minutes and seconds below 60 once a larger unit is written.
    static const QRegularExpression re(
        QStringLiteral("^(?:(?:(\\d{1,6}):)?(\\d{1,6}):)?(\\d{1,9}(?:\\.\\d{0,9})?|\\.\\d{1,9})$"));
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const bool hasHours = !m.captured(1).isEmpty();
    const bool hasMinutes = !m.captured(2).isEmpty();
    const double hours = hasHours ? m.captured(1).toDouble() : 0.0;
    const double minutes = hasMinutes ? m.captured(2).toDouble() : 0.0;
    const double seconds = m.captured(3).toDouble();
    if ((hasHours && minutes >= 60) || (hasMinutes && seconds >= 60))
        return std::nullopt;
    const double total = hours * 3600.0 + minutes * 60.0 + seconds;
    if (!std::isfinite(total))
        return std::nullopt;
    return total;
}

QString formatTimestamp(double seconds)
{
    return QString::number(seconds, 'g', QLocale::FloatingPointShortest);
}

QJsonObject TranscodeSettings::toJson() const
{
    QJsonObject o;
    o[u"codec"] = videoCodec;
    o[u"bitrate"] = formatBitrate(videoBitrate);
    if (crf >= 0)
        o[u"crf"] = crf;
    o[u"resolution"] = resolution.toString();
    if (fpsNum > 0)
        o[u"fps"] = fpsDen == 1 ? QString::number(fpsNum) : QStringLiteral("%1/%2").arg(fpsNum).arg(fpsDen);
    if (!encoderPreset.isEmpty())
        o[u"preset"] = encoderPreset;
    o[u"audio_codec"] = audioCodec;
    if (audioBitrate > 0)
        o[u"audio_bitrate"] = formatBitrate(audioBitrate);
    if (threads > 0)
        o[u"threads"] = threads;
    if (overwrite)
        o[u"overwrite"] = true;
    if (startSeconds != 0)
        o[u"start"] = startSeconds;
    if (endSeconds != -1)
        o[u"end"] = endSeconds;
    if (!subtitles)
        o[u"subtitles"] = false;
    if (closedGop)
        o[u"closed_gop"] = true;
    if (prerollSeconds != 0)
        o[u"preroll"] = prerollSeconds;
    if (timestampOffsetSeconds != 0)
        o[u"timestamp_offset"] = timestampOffsetSeconds;
    if (qualityCheck)
        o[u"quality_check"] = true;
    if (minSsim > 0)
        o[u"min_ssim"] = minSsim;
    if (skipIfLarger)
        o[u"skip_if_larger"] = true;
    return o;
}

Result<TranscodeSettings> TranscodeSettings::fromJson(const QJsonObject& o)
{
    TranscodeSettings s;
    auto str = [&](const char16_t* key, QString& out) -> std::optional<Error> {
        const QJsonValue v = o.value(QStringView(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (!v.isString())
            return Error::invalid(QString::fromUtf16(key), QStringLiteral("must be a string"));
        out = v.toString();
        return std::nullopt;
    };
    auto integer = [&](const char16_t* key, int& out) -> std::optional<Error> {
        const QJsonValue v = o.value(QStringView(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (!v.isDouble() || v.toDouble() != std::floor(v.toDouble()))
            return Error::invalid(QString::fromUtf16(key), QStringLiteral("must be a whole number"));
        out = v.toInt();
        return std::nullopt;
    };
    QString bitrate, resolution, fps, audioBitrate;
    for (auto e : { str(u"codec", s.videoCodec), str(u"bitrate", bitrate), integer(u"crf", s.crf),
             str(u"resolution", resolution), str(u"fps", fps), str(u"preset", s.encoderPreset),
             str(u"audio_codec", s.audioCodec), str(u"audio_bitrate", audioBitrate),
             integer(u"threads", s.threads) }) {
        if (e)
            return *e;
    }
    if (!bitrate.isEmpty()) {
        const auto b = parseBitrate(bitrate);
        if (!b)
            return Error::invalid(
                "bitrate", QStringLiteral("'%1' is not a bitrate; write it like 1000k or 2.5M").arg(bitrate));
        s.videoBitrate = *b;
    }
    if (o.contains(u"resolution")) {
        const auto r = Resolution::parse(resolution);
        if (!r)
            return Error::invalid("resolution",
                QStringLiteral(
                    "'%1' is not a resolution; write WIDTHxHEIGHT (1280x720), a height (720p) or keep")
                    .arg(resolution));
        s.resolution = *r;
    }
    if (!fps.isEmpty()) {
        const auto f = parseFrameRate(fps);
        if (!f)
            return Error::invalid(
                "fps", QStringLiteral("'%1' is not a frame rate; write 30, 29.97 or 30000/1001").arg(fps));
        s.fpsNum = f->first;
        s.fpsDen = f->second;
    }
    if (!audioBitrate.isEmpty()) {
        const auto b = parseBitrate(audioBitrate);
        if (!b)
            return Error::invalid("audio_bitrate",
                QStringLiteral("'%1' is not a bitrate; write it like 128k").arg(audioBitrate));
        s.audioBitrate = *b;
    }
    const std::pair<const char16_t*, bool*> flags[]
        = { { u"overwrite", &s.overwrite }, { u"subtitles", &s.subtitles }, { u"closed_gop", &s.closedGop },
              { u"quality_check", &s.qualityCheck }, { u"skip_if_larger", &s.skipIfLarger } };
    for (const auto& [key, flag] : flags) {
        if (const QJsonValue v = o.value(QStringView(key)); v.isBool())
            *flag = v.toBool();
        else if (!v.isUndefined() && !v.isNull())
            return Error::invalid(QString::fromUtf16(key),
                QCoreApplication::translate("vtfarm::media::TranscodeSettings", "must be true or false"));
    }
    if (const QJsonValue v = o.value(u"min_ssim"); v.isDouble())
        s.minSsim = v.toDouble();
    else if (!v.isUndefined() && !v.isNull())
        return Error::invalid("min_ssim",
            QCoreApplication::translate("vtfarm::media::TranscodeSettings", "must be a number from 0 to 1"));
    // Seconds as a number, or as text such as "12.5" or "00:01:02.5".
    for (auto [key, out] : { std::pair { u"start", &s.startSeconds }, std::pair { u"end", &s.endSeconds },
             std::pair { u"preroll", &s.prerollSeconds },
             std::pair { u"timestamp_offset", &s.timestampOffsetSeconds } }) {
        const QJsonValue v = o.value(QStringView(key));
        if (v.isDouble()) {
            *out = v.toDouble();
        } else if (v.isString()) {
            const auto t = parseTimestamp(v.toString());
            if (!t)
                return Error::invalid(QString::fromUtf16(key),
                    QStringLiteral("'%1' is not a time; write seconds (12.5) or HH:MM:SS.s (00:01:02.5)")
                        .arg(v.toString().left(32)));
            *out = *t;
        } else if (!v.isUndefined() && !v.isNull()) {
            return Error::invalid(QString::fromUtf16(key),
                QStringLiteral("must be a number of seconds or a time such as 00:01:02.5"));
        }
    }
    return s;
}

QList<Error> validate(const TranscodeSettings& s, const QString& container)
{
    QList<Error> errors;
    auto fail = [&](const char* field, QString message) {
        errors.append(Error::invalid(QString::fromLatin1(field), std::move(message)));
    };

    const Container* out = findContainer(container);
    const bool containerOk = out != nullptr;
    if (!containerOk)
        fail("output",
            QStringLiteral("'%1' is not a container vtfarm writes; use one of: %2")
                .arg(container.isEmpty() ? QStringLiteral("(no extension)") : container,
                    containerExtensions().join(u", ")));

    const VideoCodec* video = findVideoCodec(s.videoCodec);
    const bool videoCoded = video && video->encodes();
    if (!video) {
        fail("codec",
            QStringLiteral("'%1' is not a video codec vtfarm offers; use one of: %2")
                .arg(s.videoCodec, videoCodecNames().join(u", ")));
    } else if (videoCoded && !avcodec_find_encoder_by_name(s.videoCodec.toLatin1().constData())) {
        fail("codec",
            QStringLiteral("the %1 encoder is not available in this build of libavcodec").arg(s.videoCodec));
    } else if (videoCoded && containerOk && !containerHolds(container, s.videoCodec)) {
        fail("codec",
            QStringLiteral("a .%1 file cannot hold %2 video; for .%1 use one of: %3")
                .arg(container, s.videoCodec, encodersFor(container, videoCodecs())));
    } else if (out && out->audioOnly && s.videoCodec != u"none") {
        fail("codec",
            QStringLiteral("a .%1 file holds audio only; set the video codec to none").arg(container));
    }

    if (videoCoded) {
        if (s.crf >= 0) {
            const CrfRange range = *video->crf;
            if (s.crf < range.min || s.crf > range.max)
                fail("crf",
                    QStringLiteral("%1 quality (CRF) goes from %2 to %3, not %4")
                        .arg(s.videoCodec)
                        .arg(range.min)
                        .arg(range.max)
                        .arg(s.crf));
        } else if (s.videoBitrate < 10'000 || s.videoBitrate > 500'000'000) {
            fail("bitrate", QStringLiteral("%1 is outside 10k to 500M").arg(formatBitrate(s.videoBitrate)));
        }
        if (!s.encoderPreset.isEmpty() && !video->presets().contains(s.encoderPreset)) {
            if (video->presetKind == VideoCodec::Presets::Named)
                fail("preset",
                    QStringLiteral("'%1' is not a %2 preset; use one of: %3")
                        .arg(s.encoderPreset, s.videoCodec, video->presetNames.join(u", ")));
            else
                fail("preset",
                    QStringLiteral("%1 presets are speeds from 0 (slowest) to %2 (fastest), not '%3'")
                        .arg(s.videoCodec)
                        .arg(video->maxSpeed)
                        .arg(s.encoderPreset));
        }
    } else if (video) {
        const QString what = s.videoCodec == u"copy" ? QStringLiteral("copied") : QStringLiteral("dropped");
        if (s.resolution.kind != Resolution::Kind::Keep)
            fail("resolution",
                QStringLiteral("the picture cannot be resized when the video is %1; use keep").arg(what));
        if (s.fpsNum > 0)
            fail("fps", QStringLiteral("the frame rate cannot change when the video is %1").arg(what));
        if (!s.encoderPreset.isEmpty())
            fail("preset", QStringLiteral("an encoder preset has no effect when the video is %1").arg(what));
    }

    const Resolution& r = s.resolution;
    if (r.kind == Resolution::Kind::Exact) {
        if (r.width < 16 || r.height < 16 || r.width > 16384 || r.height > 16384)
            fail("resolution", QStringLiteral("%1 is outside 16x16 to 16384x16384").arg(r.toString()));
        else if (r.width % 2 || r.height % 2)
            fail("resolution",
                QStringLiteral("%1 has an odd side; width and height must be even").arg(r.toString()));
    } else if (r.kind == Resolution::Kind::Height) {
        if (r.height < 16 || r.height > 16384 || r.height % 2)
            fail("resolution",
                QStringLiteral("%1 must be an even height from 16p to 16384p").arg(r.toString()));
    }

    if (s.fpsNum < 0 || s.fpsDen <= 0 || (s.fpsNum > 0 && double(s.fpsNum) / s.fpsDen > 240.0)
        || (s.fpsNum > 0 && double(s.fpsNum) / s.fpsDen < 1.0))
        fail("fps", QStringLiteral("the frame rate must be from 1 to 240 frames a second"));

    const AudioCodec* audio = findAudioCodec(s.audioCodec);
    if (!audio) {
        fail("audio_codec",
            QStringLiteral("'%1' is not an audio codec vtfarm offers; use one of: %2")
                .arg(s.audioCodec, audioCodecNames().join(u", ")));
    } else if (audio->encodes()) {
        if (!avcodec_find_encoder_by_name(s.audioCodec.toLatin1().constData()))
            fail("audio_codec",
                QStringLiteral("the %1 encoder is not available in this build of libavcodec")
                    .arg(s.audioCodec));
        else if (containerOk && !containerHolds(container, s.audioCodec))
            fail("audio_codec",
                QStringLiteral("a .%1 file cannot hold %2 audio; for .%1 use one of: %3")
                    .arg(container, s.audioCodec, encodersFor(container, audioCodecs())));
        if (s.audioBitrate != 0 && (s.audioBitrate < 6'000 || s.audioBitrate > 1'024'000))
            fail("audio_bitrate",
                QStringLiteral("%1 is outside 6k to 1024k").arg(formatBitrate(s.audioBitrate)));
    }
    if (s.videoCodec == u"none" && s.audioCodec == u"none")
        fail(
            "audio_codec", QStringLiteral("with both video and audio set to none there is nothing to write"));
    if (s.threads < 0 || s.threads > 64)
        fail("threads", QStringLiteral("threads per job must be from 0 (automatic) to 64"));

    if (!std::isfinite(s.startSeconds) || s.startSeconds < 0)
        fail("start", QStringLiteral("the start must be 0 or later, in seconds from the input's beginning"));
    if (s.endSeconds != -1 && (!std::isfinite(s.endSeconds) || s.endSeconds <= s.startSeconds))
        fail("end",
            QStringLiteral(
                "the end (%1 s) must be later than the start (%2 s), or left out for the input's end")
                .arg(formatTimestamp(s.endSeconds), formatTimestamp(s.startSeconds)));
    if (!std::isfinite(s.prerollSeconds) || s.prerollSeconds < 0 || s.prerollSeconds > 60)
        fail("preroll", QStringLiteral("the preroll must be from 0 to 60 seconds"));
    else if (s.prerollSeconds > 0 && (!s.closedGop || !videoCoded))
        fail("preroll",
            QStringLiteral("a preroll needs closed GOPs (closed_gop) and an encoded video: its pictures are "
                           "dropped up to a forced IDR"));
    if (!std::isfinite(s.timestampOffsetSeconds) || s.timestampOffsetSeconds < 0
        || s.timestampOffsetSeconds > 3600)
        fail("timestamp_offset", QStringLiteral("the timestamp offset must be from 0 to 3600 seconds"));
    if (s.trims() && (s.videoCodec == u"copy" || s.audioCodec == u"copy"))
        fail(s.startSeconds > 0 ? "start" : "end",
            QStringLiteral("a part of the input cannot be copied, since a copy can only start and end on the "
                           "input's keyframes; choose a %1 codec instead of copy, or leave out start and end")
                .arg(s.videoCodec == u"copy" ? QStringLiteral("video") : QStringLiteral("audio")));
    if (!std::isfinite(s.minSsim) || s.minSsim < 0 || s.minSsim > 1)
        fail("min_ssim",
            QCoreApplication::translate("vtfarm::media::TranscodeSettings",
                "the lowest SSIM accepted is a number from 0 (none) to 1"));
    if (s.checksQuality() && s.trims())
        fail(s.minSsim > 0 ? "min_ssim" : "quality_check",
            QCoreApplication::translate("vtfarm::media::TranscodeSettings",
                "the quality check compares the whole input with the output; it does not apply to a part of "
                "the input (start, end)"));
    else if (s.checksQuality() && !videoCoded && video)
        fail(s.minSsim > 0 ? "min_ssim" : "quality_check",
            s.videoCodec == u"copy"
                ? QCoreApplication::translate("vtfarm::media::TranscodeSettings",
                    "the quality check compares re-encoded video with the input; it does not apply "
                    "when the video is copied")
                : QCoreApplication::translate("vtfarm::media::TranscodeSettings",
                    "the quality check compares re-encoded video with the input; it does not apply "
                    "when the video is dropped"));
    return errors;
}

} // namespace vtfarm::media
