#pragma once

#include "result.h"

#include <QFile>
#include <QHash>
#include <QString>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace httplib {
class ContentReader;
}

namespace vtfarm::api {

class ConnectionStream;

/// \brief A multipart/form-data body read as it arrives: small fields kept in memory, the one
/// `file` part streamed straight to a file under a server-generated name.
///
/// The file is removed when the form is destroyed, unless takeFile() handed it on.
class UploadForm
{
public:
    struct Limits
    {
        qint64 maxFileBytes = 8LL << 30;
        int maxParts = 32;
        int maxFieldBytes = 4096;
        qint64 minFreeBytes = 256LL << 20; ///< refuse (507) rather than leave the disk with less
    };

    UploadForm(QString uploadDir, Limits limits, std::function<void(qint64)> onFileBytes = {});
    ~UploadForm();
    UploadForm(const UploadForm&) = delete;
    UploadForm& operator=(const UploadForm&) = delete;

    /// Reads the whole body. \a expectedBytes, the Content-Length when there is one, is checked
    /// against the free space before anything is written.
    Result<void> read(
        const httplib::ContentReader& reader, ConnectionStream* connection, qint64 expectedBytes);

    const QHash<QString, QString>& fields() const { return m_fields; }
    bool hasFile() const { return m_file != nullptr; }
    QString filePath() const { return m_path; }
    /// The client's name for the file, as sent (not sanitized).
    const std::string& clientFileName() const { return m_clientFileName; }
    qint64 fileBytes() const { return m_fileBytes; }
    /// The caller owns the file from now on.
    QString takeFile();
    void discardFile();

    /// Free bytes on the file system holding \a path, or -1 when unknown.
    static qint64 freeBytes(const QString& path);

private:
    bool onPart(const std::string& name, const std::string& fileName);
    bool onData(const char* data, size_t size);

    QString m_uploadDir;
    Limits m_limits;
    std::function<void(qint64)> m_onFileBytes;
    QHash<QString, QString> m_fields;
    std::unique_ptr<QFile> m_file;
    QString m_path;
    std::string m_clientFileName;
    qint64 m_fileBytes = 0;
    qint64 m_sinceSpaceCheck = 0;
    int m_parts = 0;
    QString m_currentField; ///< empty while the file part is current
    QByteArray m_fieldValue;
    ConnectionStream* m_connection = nullptr;
    std::optional<Error> m_error;
};

} // namespace vtfarm::api
