// Client file names, download names, job ids and input paths: what may and may not become a path.

#include "filenames.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace vtfarm::api;

class FileNamesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void displayNames_data()
    {
        QTest::addColumn<QByteArray>("client");
        QTest::addColumn<QString>("shown");
        QTest::newRow("plain") << QByteArray("video.mp4") << "video.mp4";
        QTest::newRow("traversal") << QByteArray("../../etc/x.mp4") << "x.mp4";
        QTest::newRow("absolute") << QByteArray("/etc/passwd") << "passwd";
        QTest::newRow("backslashes") << QByteArray("C:\\Users\\me\\clip.mov") << "clip.mov";
        QTest::newRow("control characters") << QByteArray("a\x01\x1b[31mb.mp4") << "a[31mb.mp4";
        QTest::newRow("nul") << QByteArray("x\0y.mp4", 7) << "xy.mp4";
        QTest::newRow("quotes") << QByteArray("say \"hi\".mp4") << "say _hi_.mp4";
        QTest::newRow("hidden") << QByteArray(".profile") << "profile";
        QTest::newRow("empty") << QByteArray("") << "upload";
        QTest::newRow("dots") << QByteArray("...") << "upload";
        QTest::newRow("unicode") << QByteArray("vídeo café.mkv") << QString::fromUtf8("vídeo café.mkv");
    }
    void displayNames()
    {
        QFETCH(QByteArray, client);
        QFETCH(QString, shown);
        QCOMPARE(displayName(std::string_view(client.constData(), size_t(client.size()))), shown);
    }

    void longNamesAreCut()
    {
        const std::string longName = std::string(1000, 'a') + ".mp4";
        const QString shown = displayName(longName);
        QVERIFY(shown.size() <= 200);
        QVERIFY(shown.endsWith(u".mp4"));
    }

    void contentDispositionIsRfc6266()
    {
        QCOMPARE(contentDisposition(QStringLiteral("clip.mp4")),
            QByteArray("attachment; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4"));
        QCOMPARE(contentDisposition(QString::fromUtf8("café \"1\".mp4")),
            QByteArray("attachment; filename=\"caf_ _1_.mp4\"; filename*=UTF-8''caf%C3%A9%20%221%22.mp4"));
    }

    void jobIds()
    {
        QVERIFY(parseJobId("6b7f7f7e-3a1c-4f0e-9a55-0d4c5a8e9b10").has_value());
        QVERIFY(parseJobId("6B7F7F7E-3A1C-4F0E-9A55-0D4C5A8E9B10").has_value());
        QVERIFY(!parseJobId("{6b7f7f7e-3a1c-4f0e-9a55-0d4c5a8e9b10}"));
        QVERIFY(!parseJobId("6b7f7f7e3a1c4f0e9a550d4c5a8e9b10"));
        QVERIFY(!parseJobId("6b7f7f7e-3a1c-4f0e-9a55-0d4c5a8e9b1g"));
        QVERIFY(!parseJobId("../../../../etc/passwd"));
        QVERIFY(!parseJobId(""));
    }

    void inputPaths()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("in"));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/a")));
        QFile(root + QStringLiteral("/a/v.mp4")).open(QIODevice::WriteOnly);
        QFile(dir.filePath(QStringLiteral("secret.mp4"))).open(QIODevice::WriteOnly);
        QVERIFY(
            QFile::link(dir.filePath(QStringLiteral("secret.mp4")), root + QStringLiteral("/a/link.mp4")));
        QVERIFY(QFile::link(dir.path(), root + QStringLiteral("/up")));
        QVERIFY(QFile::link(root + QStringLiteral("/a/v.mp4"), root + QStringLiteral("/inside.mp4")));

        const auto ok = resolveInputPath(root, QStringLiteral("a/v.mp4"));
        QVERIFY(ok.ok());
        QCOMPARE(*ok, QFileInfo(root + QStringLiteral("/a/v.mp4")).canonicalFilePath());
        QVERIFY(resolveInputPath(root, QStringLiteral("inside.mp4")).ok());
        for (const QString& bad :
            QStringList { QStringLiteral("../secret.mp4"), QStringLiteral("a/../../secret.mp4"),
                dir.filePath(QStringLiteral("secret.mp4")), QStringLiteral("a/link.mp4"),
                QStringLiteral("up/secret.mp4"), QStringLiteral("a/v.mp4") + QChar(0) + QStringLiteral("x"),
                QStringLiteral("a"), QString(), QStringLiteral("~/x.mp4"), QString(5000, u'a') }) {
            const auto r = resolveInputPath(root, bad);
            QVERIFY2(!r.ok(), qPrintable(bad.left(80)));
            QCOMPARE(r.error().field, QStringLiteral("input"));
        }
        QCOMPARE(
            resolveInputPath(root, QStringLiteral("a/none.mp4")).error().code, vtfarm::ErrorCode::NotFound);
        QVERIFY(!resolveInputPath(QString(), QStringLiteral("a/v.mp4")).ok());
    }
};

QTEST_GUILESS_MAIN(FileNamesTest)
#include "tst_filenames.moc"
