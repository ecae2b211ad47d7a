#include "filenames.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace vtfarm::api {

namespace {

constexpr int kMaxDisplayName = 200;
constexpr int kMaxInputPath = 4096;

bool isFileNameChar(char32_t c)
{
    // Controls, DEL and the C1 controls, and the characters that separate or quote paths.
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        return false;
    return c != u'/' && c != u'\\' && c != u'"' && c != u':' && c != u'*' && c != u'?' && c != u'<'
        && c != u'>' && c != u'|';
}

} // namespace

QString displayName(std::string_view clientName)
{
    const QString raw = QString::fromUtf8(clientName.data(), qsizetype(clientName.size()));
    // Whatever separator the client's system used, only the last component is a name.
    const qsizetype cut = std::max(raw.lastIndexOf(u'/'), raw.lastIndexOf(u'\\'));
    const QString last = raw.mid(cut + 1);
    QString name;
    name.reserve(last.size());
    for (const char32_t c : last.toUcs4()) {
        if (isFileNameChar(c))
            name += QString::fromUcs4(&c, 1);
        else if (c >= 0x20)
            name += u'_';
    }
    while (name.startsWith(u'.') || name.startsWith(u' '))
        name.remove(0, 1);
    name = name.trimmed();
    if (name.size() > kMaxDisplayName) {
        const QString ext = QFileInfo(name).suffix().left(10);
        name = name.left(kMaxDisplayName - ext.size() - 1);
        if (name.back().isHighSurrogate())
            name.chop(1);
        if (!ext.isEmpty())
            name += u'.' + ext;
    }
    return name.isEmpty() ? QStringLiteral("upload") : name;
}

QByteArray contentDisposition(const QString& fileName)
{
    QByteArray ascii;
    for (const QChar c : fileName)
        ascii += (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'"' && c != u'\\') ? char(c.unicode())
                                                                                        : '_';
    // RFC 5987 attr-char: everything else is percent-encoded.
    const QByteArray exact = fileName.toUtf8().toPercentEncoding("!#$&+-.^_`|~");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + exact;
}

std::optional<QUuid> parseJobId(std::string_view text)
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    if (text.size() != 36)
        return std::nullopt;
    const QString s = QString::fromLatin1(text.data(), qsizetype(text.size()));
    if (!re.match(s).hasMatch())
        return std::nullopt;
    const QUuid id = QUuid::fromString(s);
    if (id.isNull())
        return std::nullopt;
    return id;
}

Result<QString> resolveInputPath(const QString& inputDir, const QString& requested)
{
    const QString field = QStringLiteral("input");
    if (inputDir.isEmpty())
        return Error::invalid(
            field, QStringLiteral("This server takes no input by path; upload the file instead."));
    if (requested.isEmpty())
        return Error::invalid(field, QStringLiteral("No input file given."));
    if (requested.size() > kMaxInputPath)
        return Error::invalid(
            field, QStringLiteral("The input path is longer than %1 characters.").arg(kMaxInputPath));
    if (requested.contains(QChar(0)))
        return Error::invalid(field, QStringLiteral("The input path contains a NUL character."));
    if (QDir::isAbsolutePath(requested) || requested.startsWith(u'~'))
        return Error::invalid(
            field, QStringLiteral("Give the input path relative to the server's input folder."));
    const QStringList parts = requested.split(u'/');
    if (parts.contains(QStringLiteral("..")))
        return Error::invalid(field, QStringLiteral("The input path may not contain '..'."));

    const QString root = QFileInfo(inputDir).canonicalFilePath();
    if (root.isEmpty())
        return Error { ErrorCode::NotFound, QStringLiteral("The server's input folder does not exist."),
            field };
    const QFileInfo wanted(QDir(root).filePath(requested));
    // Resolves every symlink on the way, so a link inside pointing outside is seen for what it is.
    const QString canonical = wanted.canonicalFilePath();
    if (canonical.isEmpty())
        return Error { ErrorCode::NotFound, QStringLiteral("No file %1 in the input folder.").arg(requested),
            field };
    if (!canonical.startsWith(root + u'/'))
        return Error::invalid(field, QStringLiteral("%1 leads outside the input folder.").arg(requested));
    if (!QFileInfo(canonical).isFile())
        return Error::invalid(field, QStringLiteral("%1 is not a file.").arg(requested));
    return canonical;
}

} // namespace vtfarm::api
