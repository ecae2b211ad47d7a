#pragma once

#include "appsettings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;

namespace vtfarm::watch {
class WatchFolders;
}

namespace vtfarm::ui {

class FarmPage;
class WatchFoldersPage;

/// \brief Edits AppSettings: the farm, where files go, notifications, the API server and the watch
/// folders.
/// Nothing is written until OK, and OK is refused while a value would be unsafe.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(AppSettings& settings, QWidget* parent = nullptr);

    /// Writes the dialog's values to the settings; false (and a message in the dialog) when one is wrong.
    bool apply();
    /// The problem that blocks OK, or empty.
    QString problem() const;
    static QString generateToken();

    QSpinBox* workerBox() const { return m_workers; }
    QSpinBox* threadsBox() const { return m_threads; }
    QLineEdit* bindAddressEdit() const { return m_bindAddress; }
    QLineEdit* tokenEdit() const { return m_token; }
    QCheckBox* apiEnabledBox() const { return m_apiEnabled; }
    QLabel* apiWarningLabel() const { return m_apiWarning; }
    FarmPage* farmPage() const { return m_farm; }
    WatchFoldersPage* watchFoldersPage() const { return m_watchPage; }
    QTabWidget* tabs() const { return m_tabs; }
    /// The running watch folders, whose status the Watch folders page shows, and the presets it offers.
    void setWatchFolders(const watch::WatchFolders* running, const QStringList& presetNames);

    void accept() override;

private:
    void load();
    void refresh();
    void browse();

    AppSettings& m_settings;
    QSpinBox* m_workers;
    QSpinBox* m_threads;
    QSpinBox* m_stallTimeout;
    QLineEdit* m_outputFolder;
    QComboBox* m_overwrite;
    QCheckBox* m_notifications;
    QComboBox* m_language;
    QCheckBox* m_apiEnabled;
    QLineEdit* m_bindAddress;
    QSpinBox* m_port;
    QLineEdit* m_token;
    QLabel* m_apiWarning;
    FarmPage* m_farm;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
    QTabWidget* m_tabs;
    WatchFoldersPage* m_watchPage;
};

} // namespace vtfarm::ui
