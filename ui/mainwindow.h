#pragma once

#include "appsettings.h"
#include "inputscanner.h"
#include "job.h"

#include <QHash>
#include <QMainWindow>
#include <QMap>
#include <QPointer>
#include <QUuid>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;

namespace vtfarm::jobs {
class JobManager;
}
namespace vtfarm::media {
class PresetLibrary;
}
namespace vtfarm::watch {
class WatchFolders;
}

namespace vtfarm::ui {

class AdvancedPanel;
class DropArea;
class JobTableModel;
class MessageBar;
class NodesView;
class OutputPanel;
class PresetPicker;
class StateFilterProxy;
class TrayNotifier;

/// \brief The window: where files are dropped and settings chosen on the left, the queue on the right.
///
/// Owns no job state: the queue is a view of the JobManager; what is persistent goes to AppSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Action
    {
        AddFiles,
        AddFolder,
        StartPause,
        Cancel,
        Retry,
        Remove,
        MoveUp,
        MoveDown,
        ClearFinished,
        OpenOutput,
        ShowInFolder,
        CopyError,
        Settings,
        Nodes,
        Quit
    };

    MainWindow(jobs::JobManager& manager, media::PresetLibrary& presets, AppSettings& settings,
        QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Files and folders, as from a drop or the command line: checked off the GUI thread, then the
    /// videos among them are queued with the settings chosen now. Reported in the message bar.
    void addPaths(const QStringList& paths);
    /// Queues these files now with the current settings. False, with a message, when the settings
    /// are not valid or the queue refuses them.
    bool submitFiles(const QStringList& files);
    /// The spec each new job starts from, or what is wrong with the settings.
    Result<jobs::JobSpec> specTemplate() const;

    /// The watch folders the settings' list runs in (the application owns them); applies the list now
    /// and whenever the settings change. Null: the list is kept but nothing runs.
    void setWatchFolders(watch::WatchFolders* folders);

    QAction* action(Action which) const { return m_actions.value(which); }
    QList<QUuid> selectedIds() const;

    JobTableModel* model() const { return m_model; }
    StateFilterProxy* proxy() const { return m_proxy; }
    QTableView* queueView() const { return m_view; }
    DropArea* dropArea() const { return m_dropArea; }
    AdvancedPanel* advancedPanel() const { return m_advanced; }
    PresetPicker* presetPicker() const { return m_presetPicker; }
    OutputPanel* outputPanel() const { return m_output; }
    MessageBar* messageBar() const { return m_messages; }
    TrayNotifier* trayNotifier() const { return m_tray; }
    QComboBox* stateFilterBox() const { return m_stateFilter; }
    QLabel* countsLabel() const { return m_countsLabel; }
    QLabel* workersLabel() const { return m_workersLabel; }
    QProgressBar* overallBar() const { return m_overallBar; }

Q_SIGNALS:
    /// A scan started by addPaths() ended and its videos were queued (or refused).
    void pathsProcessed(int queued, int skipped);
    /// The person changed the API server settings. The application starts, stops or restarts the
    /// server (core/api) on this; the window does not know the server.
    void apiServerSettingsChanged(const vtfarm::ui::ApiServerSettings& settings);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void createActions();
    void createMenusAndToolBar();
    QWidget* createSidePanel();
    QWidget* createQueuePanel();
    void createStatusBar();
    void restoreSession();
    void saveSession();

    void onScanFinished(int scan, const ScanResult& result);
    void scheduleRefresh();
    void refresh();
    void updateActions();
    void updateEmptyHint();
    void onSettingsChanged();
    void onDoubleClicked(const QModelIndex& index);
    void showContextMenu(const QPoint& pos);
    /// Lists or hides the segments of the split job in the row of \a index (a view index).
    void toggleSegments(const QModelIndex& index);

    void addFilesDialog();
    void addFolderDialog();
    void toggleQueue();
    void cancelSelected();
    void retrySelected();
    void removeSelected();
    void moveSelected(bool up);
    void clearFinished();
    void openOutput();
    void showInFolder();
    void copyError();
    void openSettings();
    void about();
    void openNodes();

    QList<const jobs::Job*> selectedJobs() const;
    void reportFailures(const QString& what, const QStringList& failures);

    jobs::JobManager& m_manager;
    media::PresetLibrary& m_presets;
    AppSettings& m_settings;
    JobTableModel* m_model;
    StateFilterProxy* m_proxy;
    InputScanner* m_scanner;
    QHash<int, jobs::JobSpec> m_pendingScans; // the settings each scan's videos are queued with
    QMap<Action, QAction*> m_actions;

    QSplitter* m_splitter = nullptr;
    DropArea* m_dropArea = nullptr;
    PresetPicker* m_presetPicker = nullptr;
    QToolButton* m_advancedToggle = nullptr;
    AdvancedPanel* m_advanced = nullptr;
    OutputPanel* m_output = nullptr;
    MessageBar* m_messages = nullptr;
    QComboBox* m_stateFilter = nullptr;
    QLineEdit* m_nameFilter = nullptr;
    QTableView* m_view = nullptr;
    QLabel* m_emptyHint = nullptr;
    QLabel* m_countsLabel = nullptr;
    QLabel* m_workersLabel = nullptr;
    QProgressBar* m_overallBar = nullptr;
    TrayNotifier* m_tray = nullptr;
    QPointer<NodesView> m_nodesView;
    QTimer* m_refreshTimer = nullptr;
    watch::WatchFolders* m_watchFolders = nullptr;
};

} // namespace vtfarm::ui
