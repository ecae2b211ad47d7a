#pragma once

#include <QString>
#include <QStringList>
#include <utility>
#include <variant>

namespace vtfarm {

/// \brief What kind of failure an Error is; the API maps each to one HTTP status in one place.
enum class ErrorCode
{
    InvalidArgument, ///< a setting or request field is wrong; Error::field names it
    UnsupportedInput, ///< the input is not media vtfarm accepts (or is hostile)
    NotFound,
    AlreadyExists,
    IoError,
    LimitExceeded,
    Canceled,
    Conflict, ///< the operation does not fit the object's current state
    Unauthorized,
    StorageFull,
    Damaged, ///< stored data cannot be read back as it was written (a damaged job store)
    Internal,
};

/// \brief A failure a person can act on: a sentence, and the field it is about when there is one.
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString field;

    static Error invalid(QString field, QString message)
    {
        return { ErrorCode::InvalidArgument, std::move(message), std::move(field) };
    }
};

/// \brief Either a value or an Error; used instead of exceptions across threads and the event loop.
template <class T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_v(std::move(value))
    { }
    Result(Error error)
        : m_v(std::move(error))
    { }

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    { }

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

} // namespace vtfarm

namespace vtfarm {

/// "invalid_argument" for ErrorCode::InvalidArgument; the names the API and the worker protocol use.
QString errorCodeName(ErrorCode code);
/// Every code's name, for the API's documentation.
QStringList errorCodeNames();
ErrorCode errorCodeFromName(const QString& name);

} // namespace vtfarm
