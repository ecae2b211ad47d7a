// The quality check on real encodes: SSIM and PSNR recorded, min_ssim fails a poor encode,
// skip_if_larger keeps the input, the scores travel from a worker process to the store, and what
// the check costs next to a 1080p -> 720p encode.

#include "fixtures.h"
#include "jobmanager.h"
#include "presets.h"
#include "qualitycheck.h"
#include "transcoder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm;
using media::TranscodeSettings;

namespace {

constexpr int kJobTimeoutMs = 120'000;

TranscodeSettings checked(TranscodeSettings s = test::fastSettings())
{
    s.qualityCheck = true;
    return s;
}

jobs::JobManager::Options childWorkers(const QString& dataDir)
{
    jobs::JobManager::Options o;
    o.dataDir = dataDir;
    o.maxConcurrent = 2;
    o.worker.program = QStringLiteral(VTFARM_CLI_PATH);
    return o;
}

} // namespace

class TestQualityCheck : public QObject
{
    Q_OBJECT

private:
    test::MediaFixtures m_media;
    QString m_clip;

private Q_SLOTS:
    void initTestCase()
    {
        test::quietLibavLog();
        QVERIFY2(m_media.isValid(), qPrintable(m_media.errorString()));
        m_clip = m_media.clip();
        QVERIFY2(!m_clip.isEmpty(), qPrintable(m_media.errorString()));
        qInfo("libvmaf in this libavfilter: %s", media::vmafAvailable() ? "yes" : "no");
    }

    void settingsReadWriteAndCheck()
    {
        TranscodeSettings s;
        s.qualityCheck = true;
        s.minSsim = 0.95;
        s.skipIfLarger = true;
        const QJsonObject json = s.toJson();
        QCOMPARE(json.value(u"quality_check").toBool(), true);
        QCOMPARE(json.value(u"min_ssim").toDouble(), 0.95);
        QCOMPARE(json.value(u"skip_if_larger").toBool(), true);
        QCOMPARE(*TranscodeSettings::fromJson(json), s);
        // Off is the default, and not written.
        QVERIFY(!TranscodeSettings().toJson().contains(u"quality_check"));
        QVERIFY(!TranscodeSettings().checksQuality());
        TranscodeSettings implied;
        implied.minSsim = 0.9;
        QVERIFY(implied.checksQuality());

        QCOMPARE(TranscodeSettings::fromJson({ { "quality_check", "yes" } }).error().field,
            QStringLiteral("quality_check"));
        QCOMPARE(TranscodeSettings::fromJson({ { "min_ssim", "high" } }).error().field,
            QStringLiteral("min_ssim"));
        TranscodeSettings bad;
        bad.minSsim = 1.5;
        QCOMPARE(media::validate(bad, QStringLiteral("mp4")).first().field, QStringLiteral("min_ssim"));
        TranscodeSettings copied;
        copied.videoCodec = QStringLiteral("copy");
        copied.resolution = media::Resolution::keep();
        copied.qualityCheck = true;
        QCOMPARE(
            media::validate(copied, QStringLiteral("mp4")).first().field, QStringLiteral("quality_check"));
        copied.skipIfLarger = true;
        copied.qualityCheck = false;
        QVERIFY(media::validate(copied, QStringLiteral("mp4")).isEmpty());
    }

    void requestFieldsAsTextOrJson()
    {
        QTemporaryDir dir;
        const media::PresetLibrary presets(dir.path());
        auto form = media::chooseSettings(
            { { "quality_check", "true" }, { "min_ssim", "0.97" }, { "skip_if_larger", "1" } }, presets);
        QVERIFY(form.ok());
        QVERIFY(form->settings.qualityCheck);
        QCOMPARE(form->settings.minSsim, 0.97);
        QVERIFY(form->settings.skipIfLarger);
        auto json = media::chooseSettings({ { "min_ssim", 0.9 }, { "skip_if_larger", false } }, presets);
        QVERIFY(json.ok());
        QCOMPARE(json->settings.minSsim, 0.9);
        QVERIFY(!json->settings.skipIfLarger);
        QCOMPARE(media::chooseSettings({ { "skip_if_larger", "maybe" } }, presets).error().field,
            QStringLiteral("skip_if_larger"));
        QCOMPARE(media::chooseSettings({ { "min_ssim", "lots" } }, presets).error().field,
            QStringLiteral("min_ssim"));
    }

    void aNormalEncodeIsScored()
    {
        QTemporaryDir out;
        const QString output = QDir(out.path()).filePath(QStringLiteral("scored.mp4"));
        media::Transcoder transcoder(m_clip, output, checked());
        auto report = transcoder.run();
        QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().message));
        const media::QualityScores& q = report->quality;
        QVERIFY(q.measured());
        qInfo("SSIM %.4f, PSNR %.2f dB over %d frames in %.2f s", *q.ssim, *q.psnr, q.framesCompared,
            q.seconds);
        QVERIFY(*q.ssim > 0.5 && *q.ssim <= 1.0);
        QVERIFY(*q.psnr > 10);
        QVERIFY(q.framesCompared > 0);
        QCOMPARE(q.vmaf.has_value(), media::vmafAvailable());
        QVERIFY(QFileInfo::exists(output));
        QVERIFY(report->warnings.isEmpty());
        const QJsonObject json = q.toJson().toObject();
        QCOMPARE(json.value(u"ssim").toDouble(), *q.ssim);
        QCOMPARE(json.value(u"vmaf_available").toBool(), media::vmafAvailable());
        QVERIFY(media::QualityScores().toJson().isNull());
    }

    void aCloserEncodeScoresHigher()
    {
        QTemporaryDir out;
        const auto ssimAt = [&](qint64 bitrate) -> double {
            TranscodeSettings s = checked();
            s.resolution = media::Resolution::keep();
            s.videoBitrate = bitrate;
            const QString output = QDir(out.path()).filePath(QStringLiteral("%1.mp4").arg(bitrate));
            auto report = media::Transcoder(m_clip, output, s).run();
            return report && report->quality.ssim ? *report->quality.ssim : -1;
        };
        const double poor = ssimAt(30'000), good = ssimAt(3'000'000);
        qInfo("SSIM at 30k %.4f, at 3M %.4f", poor, good);
        QVERIFY(poor > 0);
        QVERIFY(good > poor);
        QVERIFY(good > 0.95);
    }

    void belowMinSsimTheJobFailsAndLeavesNoOutput()
    {
        QTemporaryDir out;
        const QString output = QDir(out.path()).filePath(QStringLiteral("poor.mp4"));
        TranscodeSettings s = test::fastSettings();
        s.resolution = media::Resolution::exact(640, 360);
        s.videoBitrate = 50'000;
        s.minSsim = 0.999;
        auto report = media::Transcoder(m_clip, output, s).run();
        QVERIFY(!report.ok());
        QCOMPARE(report.error().code, ErrorCode::LimitExceeded);
        QCOMPARE(report.error().field, QStringLiteral("min_ssim"));
        QVERIFY2(report.error().message.contains(QStringLiteral("SSIM is 0.")),
            qPrintable(report.error().message));
        QVERIFY(report.error().message.contains(QStringLiteral("0.9990")));
        QVERIFY(!QFileInfo::exists(output));
        QVERIFY(!QFileInfo::exists(output + QStringLiteral(".part")));
    }

    void anOutputLargerThanItsInputIsRemovedAndTheInputKept()
    {
        QTemporaryDir out;
        const QString output = QDir(out.path()).filePath(QStringLiteral("large.mp4"));
        TranscodeSettings s;
        s.resolution = media::Resolution::keep();
        s.encoderPreset = QStringLiteral("ultrafast");
        s.videoBitrate = 20'000'000;
        s.skipIfLarger = true;
        auto report = media::Transcoder(m_clip, output, s).run();
        QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().message));
        QVERIFY(report->inputKept);
        QCOMPARE(report->outputBytes, 0);
        QVERIFY(!QFileInfo::exists(output));
        QVERIFY(!QFileInfo::exists(output + QStringLiteral(".part")));
        QVERIFY(QFileInfo::exists(m_clip));
        QCOMPARE(report->warnings.size(), 1);
        const QString warning = report->warnings.first();
        QVERIFY2(warning.contains(QStringLiteral("larger than the input")), qPrintable(warning));
        QCOMPARE(warning.count(QStringLiteral("kB")) + warning.count(QStringLiteral("MB")), 2); // both sizes
        // A smaller output is kept as usual.
        s.videoBitrate = 100'000;
        auto small = media::Transcoder(m_clip, output, s).run();
        QVERIFY(small.ok());
        QVERIFY(!small->inputKept);
        QVERIFY(QFileInfo::exists(output));
    }

    void scoresTravelFromTheWorkerToTheStore()
    {
        QTemporaryDir data, out;
        QUuid good, poor, large;
        {
            jobs::JobManager manager(childWorkers(data.path()));
            QVERIFY(manager.open().ok());
            jobs::JobSpec spec;
            spec.input = m_clip;
            spec.outputDir = out.path();
            spec.source = jobs::JobSource::Cli;
            spec.settings = checked();
            spec.namePattern = QStringLiteral("{name}-good");
            good = *manager.submit(spec);
            spec.settings = test::fastSettings();
            spec.settings.resolution = media::Resolution::exact(640, 360);
            spec.settings.videoBitrate = 50'000;
            spec.settings.minSsim = 0.999;
            spec.namePattern = QStringLiteral("{name}-poor");
            poor = *manager.submit(spec);
            spec.settings = TranscodeSettings();
            spec.settings.resolution = media::Resolution::keep();
            spec.settings.encoderPreset = QStringLiteral("ultrafast");
            spec.settings.videoBitrate = 20'000'000;
            spec.settings.skipIfLarger = true;
            spec.namePattern = QStringLiteral("{name}-large");
            large = *manager.submit(spec);
            QTRY_VERIFY_WITH_TIMEOUT(jobs::isFinal(manager.find(good)->state)
                    && jobs::isFinal(manager.find(poor)->state) && jobs::isFinal(manager.find(large)->state),
                kJobTimeoutMs);
        }
        jobs::JobManager manager(childWorkers(data.path()));
        QVERIFY(manager.open().ok());
        const jobs::Job* g = manager.find(good);
        QCOMPARE(g->state, jobs::JobState::Finished);
        QVERIFY(g->quality.ssim && *g->quality.ssim > 0.5 && *g->quality.ssim <= 1);
        QVERIFY(g->quality.psnr && *g->quality.psnr > 10);
        const QJsonObject quality = g->toJson().value(u"quality").toObject();
        QCOMPARE(quality.value(u"ssim").toDouble(), *g->quality.ssim);
        QCOMPARE(quality.value(u"psnr").toDouble(), *g->quality.psnr);
        QVERIFY(quality.contains(u"vmaf"));

        const jobs::Job* p = manager.find(poor);
        QCOMPARE(p->state, jobs::JobState::Failed);
        QVERIFY2(p->error.contains(QStringLiteral("SSIM")), qPrintable(p->error));
        QVERIFY(!QFileInfo::exists(p->outputPath));
        QVERIFY(p->toJson().value(u"quality").isNull());

        const jobs::Job* l = manager.find(large);
        QCOMPARE(l->state, jobs::JobState::Finished);
        QVERIFY(l->inputKept);
        QVERIFY(!QFileInfo::exists(l->outputPath));
        QCOMPARE(l->warnings.size(), 1);
        QVERIFY(l->toJson().value(u"input_kept").toBool());
    }

    void whatTheCheckCostsOnA1080pTo720pEncode()
    {
        // A camera-like source: 1080p30 H.264 with a keyframe every 2 s.
        test::ClipSpec spec;
        spec.fileName = QStringLiteral("hd.mp4");
        spec.size = { 1920, 1080 };
        spec.seconds = 10;
        spec.videoOptions = { "-preset", "veryfast", "-crf", "20", "-g", "60" };
        const QString source = m_media.generate(spec);
        QVERIFY2(!source.isEmpty(), qPrintable(m_media.errorString()));
        QTemporaryDir out;
        // The service's defaults: x264 at its default preset, 1000k, 1280x720.
        TranscodeSettings s;
        s.qualityCheck = true;
        auto report = media::Transcoder(source, QDir(out.path()).filePath(QStringLiteral("hd.mp4")), s).run();
        QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().message));
        const media::QualityScores& q = report->quality;
        QVERIFY(q.measured());
        const double encode = report->elapsedSeconds - q.seconds;
        const double cost = q.seconds / encode;
        qInfo("1080p -> 720p x264 (default preset, 1000k), %lld frames: encode %.2f s, quality check %.2f s "
              "over %d frames = %.1f%% of the encode; SSIM %.4f, PSNR %.2f dB",
            static_cast<long long>(report->frames), encode, q.seconds, q.framesCompared, cost * 100, *q.ssim,
            *q.psnr);
        QVERIFY(*q.ssim > 0.8);
        // The target is 15%; a loaded machine slows both sides alike, so only a gross miss fails.
        QVERIFY2(cost < 0.3, qPrintable(QStringLiteral("the check cost %1% of the encode").arg(cost * 100)));
    }
};

QTEST_GUILESS_MAIN(TestQualityCheck)
#include "tst_qualitycheck.moc"
