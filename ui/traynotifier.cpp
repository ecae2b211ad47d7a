#include "traynotifier.h"

#include "appsettings.h"
#include "icons.h"
#include "jobmanager.h"

#include <QMenu>
#include <QSystemTrayIcon>
#include <QWidget>

namespace vtfarm::ui {

TrayNotifier::TrayNotifier(jobs::JobManager& manager, AppSettings& settings, QWidget* window)
    : QObject(window)
    , m_manager(manager)
    , m_settings(settings)
    , m_window(window)
{
    connect(&m_manager, &jobs::JobManager::jobStateChanged, this, &TrayNotifier::onStateChanged);
    connect(&m_manager, &jobs::JobManager::queueDrained, this, &TrayNotifier::onQueueDrained);
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(icon(QStringLiteral("vtfarm")), this);
    auto* menu = new QMenu(window);
    menu->addAction(tr("Show vtfarm"), window, [window] {
        window->showNormal();
        window->raise();
        window->activateWindow();
    });
    menu->addSeparator();
    menu->addAction(tr("Quit"), window, &QWidget::close);
    m_tray->setContextMenu(menu);
    m_tray->setToolTip(tr("vtfarm"));
    connect(m_tray, &QSystemTrayIcon::activated, window, [window](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger) {
            window->showNormal();
            window->raise();
            window->activateWindow();
        }
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, window, [window] {
        window->showNormal();
        window->raise();
        window->activateWindow();
    });
    m_tray->show();
}

void TrayNotifier::setToolTip(const QString& text)
{
    if (m_tray)
        m_tray->setToolTip(text);
}

void TrayNotifier::onStateChanged(const QUuid& id, jobs::JobState, jobs::JobState to)
{
    if (to != jobs::JobState::Failed)
        return;
    const jobs::Job* job = m_manager.find(id);
    if (!job)
        return;
    notify(tr("A job failed: %1").arg(job->name()), job->error.section(u'\n', 0, 0), true);
}

void TrayNotifier::onQueueDrained()
{
    const jobs::JobCounts c = m_manager.counts();
    QString text = c.finished == 1 ? tr("1 job finished") : tr("%1 jobs finished").arg(c.finished);
    if (c.failed > 0)
        text += tr(", %n failed", nullptr, c.failed);
    notify(tr("The queue is done"), text + u'.', c.failed > 0);
}

void TrayNotifier::notify(const QString& title, const QString& text, bool failure)
{
    if (!m_settings.notificationsEnabled())
        return;
    m_lastNotice = title + u'\n' + text;
    Q_EMIT noticeShown(title, text);
    if (m_tray && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(
            title, text, failure ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information, 8000);
}

} // namespace vtfarm::ui
