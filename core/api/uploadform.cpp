#include "uploadform.h"

#include "boundedhttpserver.h"
#include "filenames.h"
#include "mediafiles.h"

#include <QDir>
#include <QUuid>
#include <cerrno>
#include <sys/statvfs.h>

namespace vtfarm::api {

namespace {

// Free space is re-read after this many bytes: often enough to stop well before the disk is full.
constexpr qint64 kSpaceCheckBytes = 64LL << 20;

QString formatMiB(qint64 bytes)
{
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1 << 20), 0, 'f', 0);
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

Result<void> UploadForm::read(
    const httplib::ContentReader& reader, ConnectionStream* connection, qint64 expectedBytes)
{
    m_connection = connection;
    if (!QDir().mkpath(m_uploadDir))
        return Error { ErrorCode::IoError, QStringLiteral("The server cannot create its upload folder."),
            {} };
    const qint64 free = freeBytes(m_uploadDir);
    if (free >= 0 && free - std::max<qint64>(expectedBytes, 0) < m_limits.minFreeBytes)
        return Error { ErrorCode::StorageFull,
            QStringLiteral("The server has %1 free; this upload would leave less than the %2 it keeps free.")
                .arg(formatMiB(free), formatMiB(m_limits.minFreeBytes)),
            "file" };
    if (connection)
        connection->requireDelivery();

    const bool ok
        = reader([this](const httplib::MultipartFormData& part) { return onPart(part.name, part.filename); },
            [this](const char* data, size_t size) { return onData(data, size); });
    if (ok && !m_currentField.isEmpty())
        m_fields.insert(m_currentField, QString::fromUtf8(m_fieldValue));
    if (m_file && ok && !m_file->flush()) {
        m_error
            = Error { ErrorCode::IoError, QStringLiteral("The server could not store the upload."), "file" };
    }
    if (m_error) {
        discardFile();
        return *m_error;
    }
    if (!ok) {
        discardFile();
        if (connection && connection->bodyLimitExceeded())
            return Error { ErrorCode::LimitExceeded,
                QStringLiteral("The request body is larger than the %1 this server accepts.")
                    .arg(formatMiB(qint64(connection->bodyLimit()))),
                "file" };
        return Error::invalid(
            "file", QStringLiteral("The upload ended early or is not a well-formed multipart form."));
    }
    if (m_file)
        m_file->close();
    return {};
}

bool UploadForm::onPart(const std::string& name, const std::string& fileName)
{
    if (!m_currentField.isEmpty()) {
        m_fields.insert(m_currentField, QString::fromUtf8(m_fieldValue));
        m_currentField.clear();
        m_fieldValue.clear();
    }
    if (++m_parts > m_limits.maxParts) {
        m_error = Error { ErrorCode::LimitExceeded,
            QStringLiteral("A form may have at most %1 parts.").arg(m_limits.maxParts), {} };
        return false;
    }
    const QString field = QString::fromUtf8(name.data(), qsizetype(name.size()));
    if (field.isEmpty() || field.size() > 64) {
        m_error = Error::invalid({}, QStringLiteral("A form part has no name, or too long a name."));
        return false;
    }
    if (field == u"file") {
        if (m_file || !m_path.isEmpty()) {
            m_error = Error::invalid("file", QStringLiteral("Send one file per request."));
            return false;
        }
        m_clientFileName = fileName;
        const QString ext = media::mediaExtension(displayName(fileName));
        // The stored name is ours alone; the client's name never becomes a path.
        const QString base = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_path = QDir(m_uploadDir).filePath(ext.isEmpty() ? base : base + u'.' + ext);
        m_file = std::make_unique<QFile>(m_path);
        if (!m_file->open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
            m_error = Error { ErrorCode::IoError, QStringLiteral("The server could not store the upload."),
                "file" };
            m_file.reset();
            m_path.clear();
            return false;
        }
        return true;
    }
    if (m_fields.contains(field)) {
        m_error = Error::invalid(field, QStringLiteral("The field %1 is given twice.").arg(field));
        return false;
    }
    m_currentField = field;
    return true;
}

bool UploadForm::onData(const char* data, size_t size)
{
    if (m_connection)
        m_connection->delivered();
    if (!m_currentField.isEmpty()) {
        if (m_fieldValue.size() + qsizetype(size) > m_limits.maxFieldBytes) {
            m_error = Error::invalid(m_currentField,
                QStringLiteral("The field %1 is longer than %2 bytes.")
                    .arg(m_currentField)
                    .arg(m_limits.maxFieldBytes));
            return false;
        }
        m_fieldValue.append(data, qsizetype(size));
        return true;
    }
    if (!m_file)
        return true;
    m_fileBytes += qint64(size);
    if (m_fileBytes > m_limits.maxFileBytes) {
        m_error = Error { ErrorCode::LimitExceeded,
            QStringLiteral("The file is larger than the %1 this server accepts.")
                .arg(formatMiB(m_limits.maxFileBytes)),
            "file" };
        return false;
    }
    if (m_file->write(data, qint64(size)) != qint64(size)) {
        const bool full = m_file->error() == QFileDevice::ResourceError || errno == ENOSPC;
        m_error = full
            ? Error { ErrorCode::StorageFull, QStringLiteral("The server's disk is full."), "file" }
            : Error { ErrorCode::IoError, QStringLiteral("The server could not store the upload."), "file" };
        return false;
    }
    if (m_onFileBytes)
        m_onFileBytes(qint64(size));
    m_sinceSpaceCheck += qint64(size);
    if (m_sinceSpaceCheck >= kSpaceCheckBytes) {
        m_sinceSpaceCheck = 0;
        const qint64 free = freeBytes(m_uploadDir);
        if (free >= 0 && free < m_limits.minFreeBytes) {
            m_error = Error { ErrorCode::StorageFull,
                QStringLiteral("The server's disk is nearly full (%1 left).").arg(formatMiB(free)), "file" };
            return false;
        }
    }
    return true;
}

} // namespace vtfarm::api
