#pragma once

#include "jobstate.h"

#include <QObject>
#include <QUuid>

class QMenu;
class QSystemTrayIcon;
class QWidget;

namespace vtfarm::jobs {
class JobManager;
}

namespace vtfarm::ui {

class AppSettings;

/// \brief The tray icon: overall progress in its tooltip, a notice when a job fails and when the
/// queue is done. Does nothing where the desktop has no tray.
class TrayNotifier : public QObject
{
    Q_OBJECT
public:
    TrayNotifier(jobs::JobManager& manager, AppSettings& settings, QWidget* window);

    bool isAvailable() const { return m_tray != nullptr; }
    void setToolTip(const QString& text);
    /// The last notice shown (title and text); for tests, where no tray may exist.
    QString lastNotice() const { return m_lastNotice; }

Q_SIGNALS:
    void noticeShown(const QString& title, const QString& text);

private:
    void onStateChanged(const QUuid& id, jobs::JobState from, jobs::JobState to);
    void onQueueDrained();
    void notify(const QString& title, const QString& text, bool failure);

    jobs::JobManager& m_manager;
    AppSettings& m_settings;
    QWidget* m_window;
    QSystemTrayIcon* m_tray = nullptr;
    QString m_lastNotice;
};

} // namespace vtfarm::ui
