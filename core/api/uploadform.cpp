#include "uploadform.h"

#include "filenames.h"
#include "mediafiles.h"

#include <QDir>
#include <QUuid>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <sys/statvfs.h>

namespace vtfarm::api {

namespace {

// Free space is re-read after this many bytes: often enough to stop well before the disk is full.
constexpr qint64 kSpaceCheckBytes = 64LL << 20;
constexpr std::size_t kMaxBoundary = 70; // RFC 2046

QString formatMiB(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1 << 20), 0, 'f', 0);
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// The parameters of a header value after its first `;`: `name="x"; filename="a b.mp4"`. Quoted
/// strings may escape characters with a backslash; names are compared without regard to case.
std::optional<std::string> parameter(std::string_view value, std::string_view wanted)
{
    std::size_t i = value.find(';');
    while (i != std::string_view::npos && i < value.size()) {
        ++i;
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
            ++i;
        const std::size_t eq = value.find('=', i);
        if (eq == std::string_view::npos)
            return std::nullopt;
        const std::string_view name = trimmed(value.substr(i, eq - i));
        std::string text;
        std::size_t j = eq + 1;
        while (j < value.size() && (value[j] == ' ' || value[j] == '\t'))
            ++j;
        if (j < value.size() && value[j] == '"') {
            for (++j; j < value.size() && value[j] != '"'; ++j) {
                if (value[j] == '\\' && j + 1 < value.size())
                    ++j;
                text += value[j];
            }
            i = value.find(';', j);
        } else {
            const std::size_t end = value.find(';', j);
            text = std::string(
                trimmed(value.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j)));
            i = end;
        }
        if (equalsIgnoringCase(name, wanted))
            return text;
    }
    return std::nullopt;
}

} // namespace

UploadForm::UploadForm(QString uploadDir, Limits limits, std::function<void(qint64)> onFileBytes)
    : m_uploadDir(std::move(uploadDir))
    , m_limits(limits)
    , m_onFileBytes(std::move(onFileBytes))
{ }

UploadForm::~UploadForm()
{
    discardFile();
}

qint64 UploadForm::freeBytes(const QString& path)
{
    struct statvfs s
    {
    };
    if (::statvfs(QFile::encodeName(path).constData(), &s) != 0)
        return -1;
    return qint64(s.f_bavail) * qint64(s.f_frsize);
}

std::optional<std::string> UploadForm::boundaryOf(std::string_view contentType)
{
    const std::string_view type = trimmed(contentType.substr(0, contentType.find(';')));
    if (!equalsIgnoringCase(type, "multipart/form-data"))
        return std::nullopt;
    auto boundary = parameter(contentType, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary)
        return std::nullopt;
    return boundary;
}

QString UploadForm::takeFile()
{
    if (m_file)
        m_file->close();
    m_file.reset();
    return std::exchange(m_path, QString());
}

void UploadForm::discardFile()
{
    if (m_file) {
        m_file->close();
        m_file.reset();
    }
    if (!m_path.isEmpty()) {
        QFile::remove(m_path);
        m_path.clear();
    }
}

Result<void> UploadForm::fail(Error error)
{
    discardFile();
    m_error = error;
    return error;
}

Result<void> UploadForm::begin(std::string_view contentType, qint64 expectedBytes)
{
    const auto boundary = boundaryOf(contentType);
    if (!boundary)
        return fail(
            Error::invalid("file", QStringLiteral("Send a multipart form (curl -F file=@video.mp4).")));
    m_delimiter = "\r\n--" + *boundary;
    // The first delimiter may open the body: as if a line ended just before it.
    m_pending = "\r\n";
    if (!QDir().mkpath(m_uploadDir))
        return fail(
            { ErrorCode::IoError, QStringLiteral("The server cannot create its upload folder."), {} });
    const qint64 free = freeBytes(m_uploadDir);
    if (free >= 0 && free - std::max<qint64>(expectedBytes, 0) < m_limits.minFreeBytes)
        return fail({ ErrorCode::StorageFull,
            QStringLiteral("The server has %1 free; this upload would leave less than the %2 it keeps free.")
                .arg(formatMiB(free), formatMiB(m_limits.minFreeBytes)),
            "file" });
    return {};
}

Result<void> UploadForm::feed(std::string_view data)
{
    if (m_error)
        return *m_error;
    m_pending.append(data);
    const std::size_t keep = m_delimiter.size() - 1; // a delimiter may begin in what is kept
    for (;;) {
        switch (m_state) {
        case State::Preamble: {
            const std::size_t at = m_pending.find(m_delimiter);
            if (at == std::string::npos) {
                if (m_pending.size() > keep)
                    m_pending.erase(0, m_pending.size() - keep);
                return {};
            }
            m_pending.erase(0, at + m_delimiter.size());
            m_state = State::AfterDelimiter;
            break;
        }
        case State::AfterDelimiter: {
            // "--" ends the form; otherwise the line ends (after optional padding) and headers follow.
            std::size_t i = 0;
            while (i < m_pending.size() && (m_pending[i] == ' ' || m_pending[i] == '\t'))
                ++i;
            if (m_pending.size() - i < 2)
                return {};
            if (m_pending.compare(i, 2, "--") == 0) {
                m_state = State::Epilogue;
                break;
            }
            if (m_pending.compare(i, 2, "\r\n") != 0)
                return fail(Error::invalid(
                    "file", QStringLiteral("The upload is not a well-formed multipart form.")));
            m_pending.erase(0, i); // the CRLF stays: headers are searched as CRLF ... CRLF CRLF
            m_state = State::PartHeaders;
            break;
        }
        case State::PartHeaders: {
            const std::size_t end = m_pending.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (m_pending.size() > std::size_t(m_limits.maxPartHeaderBytes))
                    return fail({ ErrorCode::LimitExceeded,
                        QStringLiteral("A form part's headers are longer than %1 bytes.")
                            .arg(m_limits.maxPartHeaderBytes),
                        {} });
                return {};
            }
            const std::string headers = m_pending.substr(2, end >= 2 ? end - 2 : 0);
            m_pending.erase(0, end + 4);
            if (auto r = startPart(headers); !r)
                return r;
            m_state = State::PartBody;
            break;
        }
        case State::PartBody: {
            const std::size_t at = m_pending.find(m_delimiter);
            if (at == std::string::npos) {
                if (m_pending.size() > keep) {
                    const std::size_t n = m_pending.size() - keep;
                    if (auto r = partData(std::string_view(m_pending).substr(0, n)); !r)
                        return r;
                    m_pending.erase(0, n);
                }
                return {};
            }
            if (auto r = partData(std::string_view(m_pending).substr(0, at)); !r)
                return r;
            m_pending.erase(0, at + m_delimiter.size());
            if (auto r = endPart(); !r)
                return r;
            m_state = State::AfterDelimiter;
            break;
        }
        case State::Epilogue:
            m_pending.clear();
            return {};
        }
    }
}

Result<void> UploadForm::finish()
{
    if (m_error)
        return *m_error;
    if (m_state != State::Epilogue)
        return fail(Error::invalid(
            "file", QStringLiteral("The upload ended early or is not a well-formed multipart form.")));
    if (m_file) {
        if (!m_file->flush())
            return fail(
                { ErrorCode::IoError, QStringLiteral("The server could not store the upload."), "file" });
        m_file->close();
    }
    return {};
}

Result<void> UploadForm::startPart(std::string_view headers)
{
    if (++m_parts > m_limits.maxParts)
        return fail({ ErrorCode::LimitExceeded,
            QStringLiteral("A form may have at most %1 parts.").arg(m_limits.maxParts), {} });
    std::optional<std::string> name, fileName;
    std::size_t start = 0;
    while (start <= headers.size()) {
        const std::size_t end = std::min(headers.find("\r\n", start), headers.size());
        const std::string_view line = headers.substr(start, end - start);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos
            && equalsIgnoringCase(trimmed(line.substr(0, colon)), "content-disposition")) {
            const std::string_view value = trimmed(line.substr(colon + 1));
            if (!equalsIgnoringCase(trimmed(value.substr(0, value.find(';'))), "form-data"))
                return fail(Error::invalid({}, QStringLiteral("A form part is not form-data.")));
            name = parameter(value, "name");
            fileName = parameter(value, "filename");
        }
        start = end + 2;
    }
    const QString field = name ? QString::fromUtf8(name->data(), qsizetype(name->size())) : QString();
    if (field.isEmpty() || field.size() > 64)
        return fail(Error::invalid({}, QStringLiteral("A form part has no name, or too long a name.")));
    if (field == u"file") {
        if (m_file || !m_path.isEmpty())
            return fail(Error::invalid("file", QStringLiteral("Send one file per request.")));
        m_clientFileName = fileName.value_or(std::string());
        const QString ext = media::mediaExtension(displayName(m_clientFileName));
        // The stored name is ours alone; the client's name never becomes a path.
        const QString base = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_path = QDir(m_uploadDir).filePath(ext.isEmpty() ? base : base + u'.' + ext);
        m_file = std::make_unique<QFile>(m_path);
        if (!m_file->open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            m_file.reset();
            m_path.clear();
            return fail(
                { ErrorCode::IoError, QStringLiteral("The server could not store the upload."), "file" });
        }
        m_inFilePart = true;
        m_currentField.clear();
        return {};
    }
    if (m_fields.contains(field))
        return fail(Error::invalid(field, QStringLiteral("The field %1 is given twice.").arg(field)));
    m_inFilePart = false;
    m_currentField = field;
    m_fieldValue.clear();
    return {};
}

Result<void> UploadForm::partData(std::string_view data)
{
    if (data.empty())
        return {};
    if (!m_inFilePart) {
        if (m_fieldValue.size() + qsizetype(data.size()) > m_limits.maxFieldBytes)
            return fail(Error::invalid(m_currentField,
                QStringLiteral("The field %1 is longer than %2 bytes.")
                    .arg(m_currentField)
                    .arg(m_limits.maxFieldBytes)));
        m_fieldValue.append(data.data(), qsizetype(data.size()));
        return {};
    }
    m_fileBytes += qint64(data.size());
    if (m_fileBytes > m_limits.maxFileBytes)
        return fail({ ErrorCode::LimitExceeded,
            QStringLiteral("The file is larger than the %1 this server accepts.")
                .arg(formatMiB(m_limits.maxFileBytes)),
            "file" });
    if (m_file->write(data.data(), qint64(data.size())) != qint64(data.size())) {
        const bool full = m_file->error() == QFileDevice::ResourceError || errno == ENOSPC;
        return fail(full
                ? Error { ErrorCode::StorageFull, QStringLiteral("The server's disk is full."), "file" }
                : Error {
                    ErrorCode::IoError, QStringLiteral("The server could not store the upload."), "file" });
    }
    if (m_onFileBytes)
        m_onFileBytes(qint64(data.size()));
    m_sinceSpaceCheck += qint64(data.size());
    if (m_sinceSpaceCheck >= kSpaceCheckBytes) {
        m_sinceSpaceCheck = 0;
        const qint64 free = freeBytes(m_uploadDir);
        if (free >= 0 && free < m_limits.minFreeBytes)
            return fail({ ErrorCode::StorageFull,
                QStringLiteral("The server's disk is nearly full (%1 left).").arg(formatMiB(free)), "file" });
    }
    return {};
}

Result<void> UploadForm::endPart()
{
    if (!m_inFilePart && !m_currentField.isEmpty()) {
        m_fields.insert(m_currentField, QString::fromUtf8(m_fieldValue));
        m_currentField.clear();
        m_fieldValue.clear();
    }
    m_inFilePart = false;
    return {};
}

} // namespace vtfarm::api
