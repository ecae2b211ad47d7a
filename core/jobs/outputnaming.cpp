#include "outputnaming.h"

#include <QDir>
#include <QFileInfo>

namespace vtfarm::jobs {

QString expandNamePattern(const QString& pattern, const QString& inputPath)
{
    QString name = pattern.isEmpty() ? QStringLiteral("{name}") : pattern;
    name.replace(QStringLiteral("{name}"), QFileInfo(inputPath).completeBaseName());
    // No folders, no control characters, nothing a file system refuses.
    for (QChar& c : name) {
        if (c == u'/' || c == u'\\' || c.unicode() < 0x20 || c == QChar(0x7f))
            c = u'_';
    }
    name = name.trimmed();
    while (name.startsWith(u'.'))
        name.remove(0, 1);
    if (name.isEmpty())
        name = QStringLiteral("output");
    // File systems count bytes: leave room for " (99999).webm.part" within 255.
    while (name.toUtf8().size() > 200) {
        name.chop(1);
        if (!name.isEmpty() && name.back().isHighSurrogate())
            name.chop(1); // never half a character
    }
    return name;
}

QString uniqueOutputPath(const QString& wanted, const QSet<QString>& reserved, int* firstSuffix)
{
    const QFileInfo info(wanted);
    const QString dir = info.absolutePath();
    const QString base = info.completeBaseName();
    const QString suffix = info.suffix().isEmpty() ? QString() : QStringLiteral(".") + info.suffix();
    auto taken = [&](const QString& path) {
        return reserved.contains(path) || QFileInfo::exists(path)
            || QFileInfo::exists(path + QStringLiteral(".part"));
    };
    auto numbered = [&](int n) {
        return n == 0 ? QDir::cleanPath(info.absoluteFilePath())
                      : QDir::cleanPath(dir + u'/' + base + QStringLiteral(" (%1)").arg(n) + suffix);
    };
    int n = firstSuffix ? *firstSuffix : 0;
    while (taken(numbered(n)) && n < 1000000)
        ++n;
    if (firstSuffix)
        *firstSuffix = n + 1;
    return numbered(n);
}

} // namespace vtfarm::jobs
