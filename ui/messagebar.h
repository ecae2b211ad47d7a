#pragma once

#include <QFrame>

class QLabel;
class QTimer;
class QToolButton;

namespace vtfarm::ui {

/// \brief A one-line notice above the queue that does not interrupt: what was added, what was
/// skipped and why, what blocks a submit. Closed by its button, replaced by the next notice.
class MessageBar : public QFrame
{
    Q_OBJECT
public:
    enum class Kind
    {
        Info,
        Warning,
        Error
    };
    explicit MessageBar(QWidget* parent = nullptr);

    /// \a details, when given, is the tooltip (e.g. the full list of skipped files).
    void showMessage(const QString& text, Kind kind, const QString& details = {});
    QString text() const;
    Kind kind() const { return m_kind; }

private:
    QLabel* m_icon;
    QLabel* m_text;
    QToolButton* m_close;
    QTimer* m_hideTimer;
    Kind m_kind = Kind::Info;
};

} // namespace vtfarm::ui
