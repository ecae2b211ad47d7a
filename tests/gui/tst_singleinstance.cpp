// A second launch of the real `vtfarm` program hands its file to the first one and exits.
#include "guitestsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

class TestSingleInstance : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void secondLaunchHandsItsFileToTheFirst()
    {
        vtfarm::test::MediaFixtures media;
        const QString clip = media.clip();
        QVERIFY2(!clip.isEmpty(), qPrintable(media.errorString()));
        QTemporaryDir home;
        const QDir h(home.path());
        const QProcessEnvironment env = vtfarm::testing::isolatedEnvironment(home.path());
        QProcess first;
        first.setProcessEnvironment(env);
        first.setProgram(QStringLiteral(VTFARM_GUI_PATH));
        first.start();
        QVERIFY(first.waitForStarted());
        auto listening = [&] {
            return !QDir(h.filePath(QStringLiteral("runtime")))
                        .entryList({ QStringLiteral("vtfarm-*.socket") }, QDir::System)
                        .isEmpty();
        };
        QTRY_VERIFY_WITH_TIMEOUT(listening(), 30000);

        QProcess second;
        second.setProcessEnvironment(env);
        second.setWorkingDirectory(QFileInfo(clip).absolutePath());
        second.start(
            QStringLiteral(VTFARM_GUI_PATH), { QFileInfo(clip).fileName() }); // relative to its own folder
        QVERIFY(second.waitForFinished(30000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        QCOMPARE(first.state(), QProcess::Running);

        // The first window queued it: its store says so.
        auto queuedInputs = [&] {
            QProcess jobs;
            jobs.start(QStringLiteral(VTFARM_CLI_PATH),
                { QStringLiteral("jobs"), QStringLiteral("--json"), QStringLiteral("--data-dir"),
                    h.filePath(QStringLiteral("data/vtfarm")) });
            jobs.waitForFinished();
            QStringList inputs;
            for (const QJsonValue& v : QJsonDocument::fromJson(jobs.readAllStandardOutput()).array())
                inputs.append(v.toObject().value(u"name").toString());
            return inputs;
        };
        QTRY_COMPARE_WITH_TIMEOUT(queuedInputs(), QStringList { QFileInfo(clip).fileName() }, 30000);

        first.kill();
        first.waitForFinished();
    }
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
