#pragma once

#include <QFrame>
#include <QStringList>

class QLabel;
class QMimeData;
class QPushButton;

namespace vtfarm::ui {

/// \brief The place to drop files and folders from a file manager, with buttons for people who
/// prefer a file dialog. Emits local paths only; what is a video is decided later, off the GUI thread.
class DropArea : public QFrame
{
    Q_OBJECT
public:
    explicit DropArea(QWidget* parent = nullptr);

    /// The local files and folders in a drag, or nothing when it holds none.
    static QStringList localPaths(const QMimeData* mime);
    /// Shows that dropped files are being checked ("Checking 12 of 500…"); empty text hides it.
    void setBusyText(const QString& text);

Q_SIGNALS:
    void pathsDropped(const QStringList& paths);
    void addFilesClicked();
    void addFolderClicked();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void setHighlighted(bool on);
    bool m_highlighted = false;
    QLabel* m_title;
    QLabel* m_hint;
    QPushButton* m_addFiles;
    QPushButton* m_addFolder;
};

} // namespace vtfarm::ui
