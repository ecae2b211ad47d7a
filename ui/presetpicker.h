#pragma once

#include "presets.h"

#include <QWidget>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QToolButton;

namespace vtfarm::ui {

/// \brief Chooses a preset and manages the user's own: save the current settings as a preset,
/// rename, delete, import and export JSON. PresetLibrary does the work; this is its face.
class PresetPicker : public QWidget
{
    Q_OBJECT
public:
    explicit PresetPicker(media::PresetLibrary& library, QWidget* parent = nullptr);

    /// The chosen preset, by name (nullptr if the library has none).
    const media::Preset* selected() const;
    QString selectedName() const;
    /// Selects by name; false when there is no such preset.
    bool select(const QString& name);
    /// What the advanced panel holds now; saved by "Save as preset", compared to mark "modified".
    void setCurrent(const QString& container, const media::TranscodeSettings& settings, bool valid);
    /// True when the current settings differ from the chosen preset's.
    bool isModified() const { return m_modified; }
    /// The name jobs are labelled with: the preset's, with a mark when the settings were changed.
    QString jobLabel() const;

    QComboBox* comboBox() const { return m_combo; }
    QAction* saveAction() const { return m_save; }
    /// Save, rename, delete, import, export: for the window's menu bar too.
    QMenu* actionsMenu() const { return m_menu; }

    // The dialogs' work without the dialogs, for the menu and for tests.
    Result<void> saveAs(const QString& name);
    Result<void> renameSelected(const QString& to);
    Result<void> removeSelected();
    Result<void> importFrom(const QString& path);
    Result<void> exportSelected(const QString& path);

Q_SIGNALS:
    /// A preset was chosen (by the person or by select()); load it into the settings.
    void presetSelected(const vtfarm::media::Preset& preset);

private:
    void reloadCombo(const QString& select);
    void onIndexChanged();
    void updateActions();
    void promptSave();
    void promptRename();
    void promptRemove();
    void promptImport();
    void promptExport();
    void report(const Error& error);

    media::PresetLibrary& m_library;
    QComboBox* m_combo;
    QToolButton* m_menuButton;
    QMenu* m_menu;
    QLabel* m_description;
    QAction* m_save;
    QAction* m_rename;
    QAction* m_remove;
    QAction* m_import;
    QAction* m_export;
    QString m_container;
    media::TranscodeSettings m_current;
    bool m_currentValid = true;
    bool m_modified = false;
    bool m_filling = false;
};

} // namespace vtfarm::ui
