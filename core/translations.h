#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace vtfarm {

/// \brief The languages vtfarm speaks besides English (the source), as QLocale names ("es").
QStringList availableLanguages();

/// Installs on \a app the translation of vtfarm (and Qt's own, where it is installed) for
/// \a language, a QLocale name; empty: the system's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), "en":
/// none. A language chosen by name also becomes QLocale's default, so that numbers, sizes and
/// times follow it. The translation is looked for in share/vtfarm/translations beside the program,
/// then in the one built into it. Returns the language installed; empty when English.
QString installTranslations(QCoreApplication& app, const QString& language = {});

} // namespace vtfarm
