// The Spanish translation: loaded as the programs load it, the window's main actions and menus and a
// command line error come out in Spanish, and lupdate finds no string of the sources left
// untranslated.

#include "appsettings.h"
#include "guitestsupport.h"
#include "mainwindow.h"
#include "translations.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLocale>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace vtfarm;

class TestTranslations : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    /// The texts of the window's menus and of every action in them, without accelerators.
    static QStringList menuTexts(const ui::MainWindow& window)
    {
        QStringList texts;
        for (QAction* menu : window.menuBar()->actions()) {
            texts << menu->text().remove(u'&');
            if (menu->menu()) {
                for (QAction* a : menu->menu()->actions()) {
                    if (!a->isSeparator())
                        texts << a->text().remove(u'&');
                }
            }
        }
        return texts;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void theWindowSpeaksSpanish()
    {
        QStringList english;
        {
            jobs::JobManager manager(
                testing::managerOptions(m_dir.filePath(QStringLiteral("data-en")), false));
            QVERIFY(manager.open().ok());
            media::PresetLibrary presets(m_dir.filePath(QStringLiteral("presets-en")));
            ui::AppSettings settings(m_dir.filePath(QStringLiteral("en.ini")));
            ui::MainWindow window(manager, presets, settings);
            english = menuTexts(window);
        }
        QVERIFY(english.contains(QStringLiteral("Add files…")));
        QVERIFY(english.contains(QStringLiteral("Settings…")));

        // As the window's main() does with "es" chosen in the settings.
        QCOMPARE(installTranslations(*qApp, QStringLiteral("es")), QStringLiteral("es_ES"));
        QCOMPARE(QLocale().language(), QLocale::Spanish);
        jobs::JobManager manager(testing::managerOptions(m_dir.filePath(QStringLiteral("data-es")), false));
        QVERIFY(manager.open().ok());
        media::PresetLibrary presets(m_dir.filePath(QStringLiteral("presets-es")));
        ui::AppSettings settings(m_dir.filePath(QStringLiteral("es.ini")));
        ui::MainWindow window(manager, presets, settings);
        const QStringList spanish = menuTexts(window);
        for (const QString& text : { QStringLiteral("Archivo"), QStringLiteral("Cola"),
                 QStringLiteral("Ayuda"), QStringLiteral("Añadir archivos…"),
                 QStringLiteral("Añadir carpeta…"), QStringLiteral("Preferencias…"), QStringLiteral("Salir"),
                 QStringLiteral("Reintentar"), QStringLiteral("Cancelar"), QStringLiteral("Quitar") })
            QVERIFY2(
                spanish.contains(text), qPrintable(text + QStringLiteral(" not in ") + spanish.join(u'|')));
        QCOMPARE(spanish.size(), english.size());
        // Every action is translated, none left as the English text (a few are the same in both).
        int same = 0;
        for (qsizetype i = 0; i < spanish.size(); ++i)
            same += spanish.at(i) == english.at(i);
        QCOMPARE(same, 0);
        // Numbers and plurals through the locale and the translation's plural forms.
        QCOMPARE(QCoreApplication::translate("vtfarm::ui::MainWindow", "%n finished", nullptr, 1),
            QStringLiteral("1 terminado"));
        QCOMPARE(QCoreApplication::translate("vtfarm::ui::MainWindow", "%n finished", nullptr, 3),
            QStringLiteral("3 terminados"));
        QCOMPARE(QLocale().toString(0.5, 'f', 1), QStringLiteral("0,5"));
    }

    void theCommandLineSpeaksSpanish()
    {
        const QString out = m_dir.filePath(QStringLiteral("out.mp4"));
        const auto run = [&out](const QString& lang, const QString& language) {
            QProcess cli;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("LC_ALL"));
            env.remove(QStringLiteral("LC_MESSAGES"));
            env.insert(QStringLiteral("LANG"), lang);
            env.insert(QStringLiteral("LANGUAGE"), language);
            cli.setProcessEnvironment(env);
            cli.start(QStringLiteral(VTFARM_CLI_PATH),
                { QStringLiteral("transcode"), QStringLiteral("/nonexistent/clip.mp4"), QStringLiteral("-o"),
                    out });
            if (!cli.waitForFinished(30000))
                return QString();
            // The last line: before it, Qt may warn that the locale LANG names is not installed.
            return QString::fromLocal8Bit(cli.readAllStandardError()).trimmed().split(u'\n').last();
        };
        QCOMPARE(run(QStringLiteral("C.UTF-8"), QString()),
            QStringLiteral("vtfarm-cli: input: The input file /nonexistent/clip.mp4 does not exist."));
        QCOMPARE(run(QStringLiteral("es_ES.UTF-8"), QString()),
            QStringLiteral("vtfarm-cli: input: El archivo de entrada /nonexistent/clip.mp4 no existe."));
        // LANGUAGE goes before LANG, as gettext has it.
        QCOMPARE(run(QStringLiteral("C.UTF-8"), QStringLiteral("es")),
            QStringLiteral("vtfarm-cli: input: El archivo de entrada /nonexistent/clip.mp4 no existe."));
    }

    void lupdateFindsNothingUnfinished()
    {
        // lupdate over the sources into a copy of the translation: every string it finds must have
        // a translation there already.
        const QString ts = m_dir.filePath(QStringLiteral("vtfarm_es.ts"));
        QVERIFY(QFile::copy(QStringLiteral(VTFARM_TS_FILE), ts));
        QFile::setPermissions(ts, QFile::ReadOwner | QFile::WriteOwner);
        QProcess lupdate;
        lupdate.setWorkingDirectory(QStringLiteral(VTFARM_SOURCE_DIR));
        lupdate.start(QStringLiteral(VTFARM_LUPDATE),
            { QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-no-obsolete"),
                QStringLiteral("core"), QStringLiteral("ui"), QStringLiteral("app"), QStringLiteral("-ts"),
                ts });
        QVERIFY(lupdate.waitForFinished(120000));
        const QString report = QString::fromLocal8Bit(lupdate.readAllStandardOutput());
        QCOMPARE(lupdate.exitCode(), 0);
        QFile f(ts);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        const qsizetype messages = text.count(QStringLiteral("<message"));
        QVERIFY2(messages > 400, qPrintable(report));
        QVERIFY2(!text.contains(QStringLiteral("type=\"unfinished\"")),
            qPrintable(QStringLiteral("untranslated strings; lupdate said: ") + report));
        QVERIFY2(!report.contains(QRegularExpression(QStringLiteral("[1-9][0-9]* new"))), qPrintable(report));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
