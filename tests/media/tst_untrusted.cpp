// Hostile and broken inputs: playlists and scripts are refused without opening what they name;
// empty, random and truncated files fail with an error a person can act on; limits hold.

#include "fixtures.h"
#include "mediainfo.h"
#include "transcoder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTest>
#include <cerrno>
#include <sys/inotify.h>
#include <unistd.h>

using namespace vtfarm;
using namespace vtfarm::media;
using vtfarm::test::errorText;

namespace {

/// Counts every open(2) of a file, and of anything in a folder, through Linux inotify.
class OpenWatch
{
public:
    explicit OpenWatch(const QStringList& paths)
    {
        m_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        for (const QString& p : paths) {
            if (m_fd < 0
                || inotify_add_watch(m_fd, QFile::encodeName(p).constData(), IN_OPEN | IN_ACCESS) < 0)
                m_ok = false;
        }
        m_ok = m_ok && m_fd >= 0;
    }
    ~OpenWatch()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    OpenWatch(const OpenWatch&) = delete;
    OpenWatch& operator=(const OpenWatch&) = delete;

    bool isValid() const { return m_ok; }

    /// Names of what was opened or read since the last call ("." for the folder itself).
    QStringList takeEvents()
    {
        QStringList names;
        alignas(inotify_event) char buf[4096];
        for (;;) {
            const ssize_t n = ::read(m_fd, buf, sizeof buf);
            if (n <= 0)
                break;
            for (ssize_t at = 0; at < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
                names << (e->len > 0 ? QString::fromUtf8(e->name) : QStringLiteral("."));
                at += ssize_t(sizeof(inotify_event)) + e->len;
            }
        }
        names.removeDuplicates();
        return names;
    }

private:
    int m_fd = -1;
    bool m_ok = true;
};

void writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(data);
}

} // namespace

class TestUntrusted : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void pointingFilesRefusedUnopened_data();
    void pointingFilesRefusedUnopened();
    void brokenInputsFailCleanly_data();
    void brokenInputsFailCleanly();
    void truncatedWithIndexFirst();
    void missingInput();
    void streamAddedMidFile();
    void limits_data();
    void limits();

private:
    test::MediaFixtures m_fx;
    QString m_secret; ///< a real clip that playlists point at
    QString m_outDir;
};

void TestUntrusted::initTestCase()
{
    test::quietLibavLog();
    QVERIFY2(m_fx.isValid(), qPrintable(m_fx.errorString()));
    const QString clip = m_fx.clip();
    QVERIFY2(!clip.isEmpty(), qPrintable(m_fx.errorString()));
    QVERIFY(QDir().mkpath(m_fx.path(QStringLiteral("private"))));
    m_secret = m_fx.path(QStringLiteral("private/secret.mp4"));
    QVERIFY(QFile::copy(clip, m_secret));
    m_outDir = m_fx.path(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(m_outDir));
}

void TestUntrusted::cleanup()
{
    QVERIFY2(QDir(m_outDir).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        "output or .part left behind");
}

void TestUntrusted::pointingFilesRefusedUnopened_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    const QByteArray hls = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n"
                           "#EXTINF:2.0,\nprivate/secret.mp4\n#EXT-X-ENDLIST\n";
    // Without the tags libavformat's HLS probe looks for.
    const QByteArray bareHls = "#EXTM3U\n#EXTINF:2.0,\nprivate/secret.mp4\n#EXT-X-ENDLIST\n";
    const QByteArray concat = "ffconcat version 1.0\nfile private/secret.mp4\n";
    const QByteArray absoluteHls = "#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:2.0,\nfile:"
        + QFile::encodeName(m_secret) + "\n#EXT-X-ENDLIST\n";
    QTest::newRow("m3u8 as .mp4") << "playlist.mp4" << hls;
    QTest::newRow("m3u8 as .avi") << "playlist.avi" << hls;
    QTest::newRow("m3u8 as .mkv") << "playlist.mkv" << hls;
    QTest::newRow("bare m3u8 as .mp4") << "bare.mp4" << bareHls;
    QTest::newRow("bare m3u8 as .avi") << "bare.avi" << bareHls;
    QTest::newRow("m3u8 with a file: URL as .mp4") << "absolute.mp4" << absoluteHls;
    QTest::newRow("ffconcat as .mp4") << "script.mp4" << concat;
    QTest::newRow("ffconcat as .avi") << "script.avi" << concat;
}

void TestUntrusted::pointingFilesRefusedUnopened()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    const QString path = m_fx.path(name);
    writeFile(path, content);

    OpenWatch watch({ m_secret, QFileInfo(m_secret).absolutePath() });
    QVERIFY2(watch.isValid(), qPrintable(QString::fromLocal8Bit(strerror(errno))));

    const auto info = probe(path);
    QVERIFY2(!info.ok(), qPrintable(info.ok() ? info->toText() : QString()));
    QCOMPARE(info.error().code, ErrorCode::UnsupportedInput);
    QVERIFY(!info.error().message.isEmpty());

    const QString out = QDir(m_outDir).filePath(QStringLiteral("out.mp4"));
    TranscodeSettings s;
    s.encoderPreset = QStringLiteral("ultrafast");
    Transcoder t(path, out, s);
    const auto result = t.run();
    QVERIFY2(!result.ok(), "a playlist was transcoded");
    QCOMPARE(result.error().code, ErrorCode::UnsupportedInput);
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(!QFileInfo::exists(out));

    const QStringList opened = watch.takeEvents();
    QVERIFY2(opened.isEmpty(), qPrintable(QStringLiteral("opened: ") + opened.join(u", ")));
    // The watch does see an open: the check above could have failed.
    QFile target(m_secret);
    QVERIFY(target.open(QIODevice::ReadOnly));
    target.close();
    QVERIFY(!watch.takeEvents().isEmpty());
}

void TestUntrusted::brokenInputsFailCleanly_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    const QString clip = m_fx.clip();
    QFile f(clip);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray whole = f.readAll();
    QVERIFY(whole.size() > 1000);
    QVERIFY2(whole.indexOf("moov") > whole.indexOf("mdat"), "the fixture should have its index at the end");

    QTest::newRow("empty") << "empty.mp4" << QByteArray();
    QTest::newRow("one byte") << "byte.mp4" << QByteArray("\0", 1);
    QTest::newRow("truncated mp4 (first half)") << "half.mp4" << whole.left(whole.size() / 2);
    QTest::newRow("truncated mp4 (first 100 bytes)") << "head.mp4" << whole.left(100);
    QTest::newRow("text") << "notes.mp4" << QByteArray("This is not a video.\n").repeated(100);
    QRandomGenerator random(20240611); // fixed: the same bytes on every run
    for (int i = 0; i < 6; ++i) {
        QByteArray bytes(64 * 1024 << i, Qt::Uninitialized);
        random.fillRange(reinterpret_cast<quint32*>(bytes.data()), bytes.size() / 4);
        QTest::addRow("random %lld bytes", qlonglong(bytes.size()))
            << QStringLiteral("random%1.mp4").arg(i) << bytes;
    }
    // Random bytes behind real container signatures reach the demuxers' parsers.
    QByteArray mp4Noise = whole.left(32);
    mp4Noise.append(QByteArray(256 * 1024, Qt::Uninitialized));
    random.fillRange(reinterpret_cast<quint32*>(mp4Noise.data() + 32), (mp4Noise.size() - 32) / 4);
    QTest::newRow("mp4 header, random body") << "noise.mp4" << mp4Noise;
    QByteArray mkvNoise = QByteArray::fromHex("1a45dfa3");
    mkvNoise.append(QByteArray(256 * 1024, Qt::Uninitialized));
    random.fillRange(reinterpret_cast<quint32*>(mkvNoise.data() + 4), (mkvNoise.size() - 4) / 4);
    QTest::newRow("Matroska magic, random body") << "noise.mkv" << mkvNoise;
}

void TestUntrusted::brokenInputsFailCleanly()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    const QString path = m_fx.path(name);
    writeFile(path, content);
    QCOMPARE(QFileInfo(path).size(), content.size());

    const auto info = probe(path);
    QVERIFY2(!info.ok() || !info->hasVideo(), qPrintable(errorText(info)));
    if (!info.ok()) {
        QVERIFY(info.error().code != ErrorCode::Internal);
        QVERIFY(!info.error().message.isEmpty());
    }

    const QString out = QDir(m_outDir).filePath(QStringLiteral("out.mp4"));
    TranscodeSettings s;
    s.encoderPreset = QStringLiteral("ultrafast");
    Transcoder t(path, out, s);
    const auto result = t.run();
    QVERIFY2(!result.ok(), qPrintable(QStringLiteral("%1 was transcoded").arg(name)));
    QVERIFY2(result.error().code == ErrorCode::UnsupportedInput, qPrintable(errorText(result)));
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY2(result.error().message.contains(name), qPrintable(result.error().message)); // names the file
    QVERIFY(!QFileInfo::exists(out));
}

void TestUntrusted::truncatedWithIndexFirst()
{
    // With the index at the front, the first half is a shorter clip: it is transcoded as far as it
    // goes, and the report says the input looks truncated.
    const QString faststart = m_fx.path(QStringLiteral("faststart.mp4"));
    QVERIFY2(m_fx.runFfmpeg({ "-i", m_fx.clip(), "-c", "copy", "-movflags", "+faststart", faststart }),
        qPrintable(m_fx.errorString()));
    QFile f(faststart);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray whole = f.readAll();
    QVERIFY(whole.indexOf("moov") < whole.indexOf("mdat"));
    const QString half = m_fx.path(QStringLiteral("faststart-half.mp4"));
    writeFile(half, whole.left(whole.size() / 2));

    const QString out = QDir(m_outDir).filePath(QStringLiteral("half.mp4"));
    TranscodeSettings s;
    s.encoderPreset = QStringLiteral("ultrafast");
    s.resolution = Resolution::keep();
    Transcoder t(half, out, s);
    const auto result = t.run();
    if (result.ok()) {
        QVERIFY2(result->warnings.join(u' ').contains(QStringLiteral("truncated")),
            qPrintable(result->warnings.join(u'\n')));
        QVERIFY(result->mediaSeconds < 1.9);
        QVERIFY(QFileInfo::exists(out));
        QVERIFY(QFile::remove(out));
    } else {
        QCOMPARE(result.error().code, ErrorCode::UnsupportedInput);
        QVERIFY(!result.error().message.isEmpty());
    }
}

void TestUntrusted::streamAddedMidFile()
{
    // Concatenated transport streams (camera .MTS files joined, broadcast captures) can bring a
    // stream that was not there when the file was opened; it is left out, nothing crashes.
    const QString videoOnly = m_fx.path(QStringLiteral("v.ts"));
    const QString withAudio = m_fx.path(QStringLiteral("va.ts"));
    // Longer than libavformat's look at the start, so the audio is found only while transcoding.
    QVERIFY2(
        m_fx.runFfmpeg({ "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=7", "-c:v", "libx264",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-mpegts_service_id", "1", videoOnly }),
        qPrintable(m_fx.errorString()));
    QVERIFY2(m_fx.runFfmpeg({ "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=1", "-f", "lavfi",
                 "-i", "sine=duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-mpegts_service_id", "1", "-tables_version", "1", withAudio }),
        qPrintable(m_fx.errorString()));
    QByteArray joined;
    for (const QString& part : { videoOnly, withAudio, videoOnly }) {
        QFile f(part);
        QVERIFY(f.open(QIODevice::ReadOnly));
        joined += f.readAll();
    }
    const QString input = m_fx.path(QStringLiteral("joined.ts"));
    writeFile(input, joined);
    const QString out = QDir(m_outDir).filePath(QStringLiteral("joined.mp4"));
    TranscodeSettings s;
    s.encoderPreset = QStringLiteral("ultrafast");
    s.resolution = Resolution::keep();
    Transcoder t(input, out, s);
    const auto result = t.run();
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QVERIFY2(result->frames > 7 * 25, qPrintable(QString::number(result->frames)));
    QVERIFY(QFile::remove(out));
}

void TestUntrusted::missingInput()
{
    const QString path = m_fx.path(QStringLiteral("gone.mp4"));
    const auto info = probe(path);
    QVERIFY(!info.ok());
    QCOMPARE(info.error().code, ErrorCode::NotFound);
    QVERIFY(!info.error().message.isEmpty());

    Transcoder t(path, QDir(m_outDir).filePath(QStringLiteral("out.mp4")), TranscodeSettings {});
    const auto result = t.run();
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::NotFound);
    QVERIFY(result.error().message.contains(QStringLiteral("gone.mp4")));
}

void TestUntrusted::limits_data()
{
    QTest::addColumn<qint64>("maxPixels");
    QTest::addColumn<int>("maxStreams");
    QTest::addColumn<double>("maxSeconds");
    const InputLimits defaults;
    QTest::newRow("pixels per frame")
        << qint64(320 * 240 - 1) << defaults.maxStreams << defaults.maxDurationSeconds;
    QTest::newRow("streams") << defaults.maxPixelsPerFrame << 1 << defaults.maxDurationSeconds;
    QTest::newRow("duration") << defaults.maxPixelsPerFrame << defaults.maxStreams << 1.0;
}

void TestUntrusted::limits()
{
    QFETCH(qint64, maxPixels);
    QFETCH(int, maxStreams);
    QFETCH(double, maxSeconds);
    InputLimits limits;
    limits.maxPixelsPerFrame = maxPixels;
    limits.maxStreams = maxStreams;
    limits.maxDurationSeconds = maxSeconds;
    TranscodeSettings s;
    s.encoderPreset = QStringLiteral("ultrafast");
    s.resolution = Resolution::keep();
    const QString out = QDir(m_outDir).filePath(QStringLiteral("limited.mp4"));
    Transcoder t(m_fx.clip(), out, s);
    t.setLimits(limits);
    const auto result = t.run();
    QVERIFY2(!result.ok(), "an input beyond the limits was transcoded");
    QCOMPARE(result.error().code, ErrorCode::LimitExceeded);
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(!QFileInfo::exists(out));

    // The same clip within the default limits goes through.
    Transcoder unlimited(m_fx.clip(), out, s);
    const auto ok = unlimited.run();
    QVERIFY2(ok.ok(), qPrintable(errorText(ok)));
    QVERIFY(QFile::remove(out));
}

QTEST_GUILESS_MAIN(TestUntrusted)
#include "tst_untrusted.moc"
