#pragma once

#include "appsettings.h"
#include "result.h"
#include "watchfolder.h"

#include <QList>
#include <QPointer>
#include <QStringList>
#include <QWidget>

class QPushButton;
class QTableWidget;

namespace vtfarm::media {
class PresetLibrary;
}
namespace vtfarm::watch {
class WatchFolders;
}

namespace vtfarm::ui {

/// The watch folder an entry of the settings describes, with the settings of the preset it names.
Result<watch::WatchFolderConfig> watchFolderConfig(
    const WatchFolderSettings& entry, const media::PresetLibrary& presets);
/// Every entry that can run; \a problems (may be null) gets a sentence for each that cannot.
QList<watch::WatchFolderConfig> watchFolderConfigs(
    const QList<WatchFolderSettings>& entries, const media::PresetLibrary& presets, QStringList* problems);

/// \brief The "Watch folders" page of the settings: each folder with its status and the jobs it
/// made; add, remove, pause. Edits a list of entries; the window applies it when the dialog is
/// accepted.
class WatchFoldersPage : public QWidget
{
    Q_OBJECT
public:
    enum Column
    {
        Folder,
        Output,
        Preset,
        Status,
        Jobs,
        ColumnCount
    };

    explicit WatchFoldersPage(QWidget* parent = nullptr);

    void setEntries(const QList<WatchFolderSettings>& entries);
    QList<WatchFolderSettings> entries() const { return m_entries; }
    /// The running folders the status and the counts come from; null: none.
    void setRunning(const watch::WatchFolders* running);
    /// What the Add dialog offers; the default settings when none is chosen.
    void setPresetNames(const QStringList& names);

    /// What the Add dialog does once it is filled in: false, with the reason, for an entry that
    /// cannot be a watch folder.
    Result<void> addEntry(const WatchFolderSettings& entry);
    void removeSelected();
    /// Pauses the selected folder, or resumes it when paused.
    void togglePaused();

    QTableWidget* table() const { return m_table; }
    QPushButton* addButton() const { return m_add; }
    QPushButton* removeButton() const { return m_remove; }
    QPushButton* pauseButton() const { return m_pause; }

private:
    void rebuild();
    void refreshStatus();
    void updateButtons();
    void showAddDialog();
    int selectedRow() const;

    QList<WatchFolderSettings> m_entries;
    QStringList m_presetNames;
    QPointer<const watch::WatchFolders> m_running;
    QMetaObject::Connection m_runningConnection;
    QTableWidget* m_table;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_pause;
};

} // namespace vtfarm::ui
