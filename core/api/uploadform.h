#pragma once

#include "result.h"

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QString>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vtfarm::api {

/// \brief A multipart/form-data body (RFC 7578) read as it arrives: small fields kept in memory,
/// the one `file` part streamed straight to a file under a server-generated name.
///
/// Fed the body in pieces of any size; memory stays bounded whatever the file's size. The file
/// is removed when the form is destroyed, unless takeFile() handed it on.
class UploadForm
{
public:
    struct Limits
    {
        qint64 maxFileBytes = 8LL << 30;
        int maxParts = 32;
        int maxFieldBytes = 4096;
        int maxPartHeaderBytes = 8192;
        qint64 minFreeBytes = 256LL << 20; ///< refuse (507) rather than leave the disk with less
    };

    UploadForm(QString uploadDir, Limits limits, std::function<void(qint64)> onFileBytes = {});
    ~UploadForm();
    UploadForm(const UploadForm&) = delete;
    UploadForm& operator=(const UploadForm&) = delete;

    /// Reads the boundary from \a contentType and checks the free space for \a expectedBytes
    /// (the Content-Length, or -1), before any byte is written.
    Result<void> begin(std::string_view contentType, qint64 expectedBytes);
    /// The next piece of the body.
    Result<void> feed(std::string_view data);
    /// The body has ended: it must have ended with the closing boundary.
    Result<void> finish();

    const QHash<QString, QString>& fields() const { return m_fields; }
    bool hasFile() const { return !m_path.isEmpty(); }
    QString filePath() const { return m_path; }
    /// The client's name for the file, as sent (not sanitized).
    const std::string& clientFileName() const { return m_clientFileName; }
    qint64 fileBytes() const { return m_fileBytes; }
    /// The caller owns the file from now on.
    QString takeFile();
    void discardFile();

    /// Free bytes on the file system holding \a path, or -1 when unknown.
    static qint64 freeBytes(const QString& path);
    /// The boundary of a `multipart/form-data; boundary=...` Content-Type, or nullopt.
    static std::optional<std::string> boundaryOf(std::string_view contentType);

private:
    enum class State
    {
        Preamble,
        AfterDelimiter,
        PartHeaders,
        PartBody,
        Epilogue
    };
    Result<void> fail(Error error);
    Result<void> startPart(std::string_view headers);
    Result<void> partData(std::string_view data);
    Result<void> endPart();

    QString m_uploadDir;
    Limits m_limits;
    std::function<void(qint64)> m_onFileBytes;
    std::string m_delimiter; ///< "\r\n--BOUNDARY"
    State m_state = State::Preamble;
    std::string m_pending; ///< bytes that may be the start of a delimiter or of a part's headers
    QHash<QString, QString> m_fields;
    std::unique_ptr<QFile> m_file;
    QString m_path;
    std::string m_clientFileName;
    qint64 m_fileBytes = 0;
    qint64 m_sinceSpaceCheck = 0;
    int m_parts = 0;
    QString m_currentField; ///< empty while the file part is current
    QByteArray m_fieldValue;
    bool m_inFilePart = false;
    std::optional<Error> m_error;
};

} // namespace vtfarm::api
