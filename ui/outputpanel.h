#pragma once

#include "result.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace vtfarm::ui {

/// \brief Where new jobs write: next to each source or into one folder, and the file-name pattern.
class OutputPanel : public QWidget
{
    Q_OBJECT
public:
    explicit OutputPanel(QWidget* parent = nullptr);

    /// Empty: next to each source file.
    QString outputFolder() const;
    void setOutputFolder(const QString& folder);
    QString namePattern() const;
    void setNamePattern(const QString& pattern);
    /// The folder must be chosen when "In a folder" is; the pattern must name something.
    Result<void> check() const;
    /// Shows what a source named \a example would become (the container's extension appended).
    void setExample(const QString& container);

Q_SIGNALS:
    void changed();

private:
    void browse();
    void refresh();

    QComboBox* m_where;
    QLineEdit* m_folder;
    QToolButton* m_browse;
    QLineEdit* m_pattern;
    QLabel* m_preview;
    QLabel* m_error;
    QString m_container = QStringLiteral("mp4");
};

} // namespace vtfarm::ui
