#include "presetpicker.h"

#include "icons.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

namespace vtfarm::ui {

PresetPicker::PresetPicker(media::PresetLibrary& library, QWidget* parent)
    : QWidget(parent)
    , m_library(library)
    , m_combo(new QComboBox(this))
    , m_menuButton(new QToolButton(this))
    , m_description(new QLabel(this))
{
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(16);
    m_description->setWordWrap(true);
    m_description->setForegroundRole(QPalette::PlaceholderText);

    auto* menu = new QMenu(tr("&Presets"), this);
    m_menu = menu;
    m_save = menu->addAction(
        icon(QStringLiteral("add")), tr("Save settings as a preset…"), this, &PresetPicker::promptSave);
    m_rename = menu->addAction(tr("Rename preset…"), this, &PresetPicker::promptRename);
    m_remove = menu->addAction(
        icon(QStringLiteral("remove")), tr("Delete preset"), this, &PresetPicker::promptRemove);
    menu->addSeparator();
    m_import = menu->addAction(tr("Import preset…"), this, &PresetPicker::promptImport);
    m_export = menu->addAction(tr("Export preset…"), this, &PresetPicker::promptExport);
    m_menuButton->setMenu(menu);
    m_menuButton->setPopupMode(QToolButton::InstantPopup);
    m_menuButton->setIcon(icon(QStringLiteral("settings")));
    m_menuButton->setToolTip(tr("Save, rename, delete, import or export presets"));
    m_menuButton->setAccessibleName(tr("Preset actions"));

    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_combo, 1);
    row->addWidget(m_menuButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(3);
    layout->addLayout(row);
    layout->addWidget(m_description);

    connect(m_combo, &QComboBox::currentIndexChanged, this, &PresetPicker::onIndexChanged);
    reloadCombo({});
}

void PresetPicker::reloadCombo(const QString& select)
{
    m_filling = true;
    m_combo->clear();
    bool separated = false;
    for (const media::Preset& p : m_library.presets()) {
        if (!p.builtIn && !separated) {
            m_combo->insertSeparator(m_combo->count());
            separated = true;
        }
        m_combo->addItem(p.name, p.name);
        m_combo->setItemData(m_combo->count() - 1, p.description, Qt::ToolTipRole);
    }
    const int i = m_combo->findData(select, Qt::UserRole, Qt::MatchFixedString);
    m_combo->setCurrentIndex(i >= 0 ? i : 0);
    m_filling = false;
    onIndexChanged();
}

const media::Preset* PresetPicker::selected() const
{
    return m_library.find(m_combo->currentData().toString());
}

QString PresetPicker::selectedName() const
{
    return m_combo->currentData().toString();
}

bool PresetPicker::select(const QString& name)
{
    const int i = m_combo->findData(name, Qt::UserRole, Qt::MatchFixedString);
    if (i < 0)
        return false;
    if (i == m_combo->currentIndex())
        onIndexChanged();
    else
        m_combo->setCurrentIndex(i);
    return true;
}

void PresetPicker::onIndexChanged()
{
    if (m_filling)
        return;
    const media::Preset* p = selected();
    m_description->setText(p ? p->description : QString());
    m_modified = false;
    for (int i = 0; i < m_combo->count(); ++i) {
        if (m_combo->itemData(i).isValid())
            m_combo->setItemText(i, m_combo->itemData(i).toString());
    }
    updateActions();
    if (p)
        Q_EMIT presetSelected(*p);
}

void PresetPicker::setCurrent(const QString& container, const media::TranscodeSettings& settings, bool valid)
{
    m_container = container;
    m_current = settings;
    m_currentValid = valid;
    const media::Preset* p = selected();
    // Overwrite and threads come from the application settings, not from presets.
    media::TranscodeSettings a = settings, b = p ? p->settings : media::TranscodeSettings {};
    a.overwrite = b.overwrite = false;
    a.threads = b.threads = 0;
    m_modified = p && (!(a == b) || container != p->container);
    const QString name = p ? p->name : QString();
    const int i = m_combo->currentIndex();
    if (i >= 0)
        m_combo->setItemText(i, m_modified ? tr("%1 (modified)").arg(name) : name);
    updateActions();
}

QString PresetPicker::jobLabel() const
{
    const QString name = selectedName();
    return m_modified ? tr("%1 (modified)").arg(name) : name;
}

void PresetPicker::updateActions()
{
    const media::Preset* p = selected();
    const bool user = p && !p->builtIn;
    m_save->setEnabled(m_currentValid);
    m_rename->setEnabled(user);
    m_remove->setEnabled(user);
    m_export->setEnabled(p != nullptr);
}

Result<void> PresetPicker::saveAs(const QString& name)
{
    media::Preset preset;
    preset.name = name.trimmed();
    preset.container = m_container;
    preset.settings = m_current;
    preset.settings.overwrite = false;
    preset.settings.threads = 0;
    if (const media::Preset* base = selected();
        base && base->name.compare(preset.name, Qt::CaseInsensitive) == 0)
        preset.description = base->description;
    else
        preset.description = tr("Saved from the settings panel.");
    if (auto r = m_library.save(preset); !r)
        return r;
    reloadCombo(preset.name);
    return {};
}

Result<void> PresetPicker::renameSelected(const QString& to)
{
    if (auto r = m_library.rename(selectedName(), to); !r)
        return r;
    reloadCombo(to.trimmed());
    return {};
}

Result<void> PresetPicker::removeSelected()
{
    if (auto r = m_library.remove(selectedName()); !r)
        return r;
    reloadCombo({});
    return {};
}

Result<void> PresetPicker::importFrom(const QString& path)
{
    auto imported = m_library.importFile(path);
    if (!imported)
        return imported.error();
    reloadCombo(imported->name);
    return {};
}

Result<void> PresetPicker::exportSelected(const QString& path)
{
    return m_library.exportFile(selectedName(), path);
}

void PresetPicker::report(const Error& error)
{
    QMessageBox::warning(this, tr("Presets"), error.message);
}

void PresetPicker::promptSave()
{
    const media::Preset* p = selected();
    const QString suggestion = p && !p->builtIn ? p->name : tr("My preset");
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Save preset"), tr("Name of the new preset:"), QLineEdit::Normal, suggestion, &ok);
    if (!ok || name.trimmed().isEmpty())
        return;
    if (const media::Preset* existing = m_library.find(name); existing && !existing->builtIn) {
        if (QMessageBox::question(this, tr("Save preset"), tr("Replace the preset “%1”?").arg(existing->name))
            != QMessageBox::Yes)
            return;
    }
    if (auto r = saveAs(name); !r)
        report(r.error());
}

void PresetPicker::promptRename()
{
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Rename preset"), tr("New name:"), QLineEdit::Normal, selectedName(), &ok);
    if (!ok || name.trimmed().isEmpty() || name == selectedName())
        return;
    if (auto r = renameSelected(name); !r)
        report(r.error());
}

void PresetPicker::promptRemove()
{
    if (QMessageBox::question(this, tr("Delete preset"), tr("Delete the preset “%1”?").arg(selectedName()))
        != QMessageBox::Yes)
        return;
    if (auto r = removeSelected(); !r)
        report(r.error());
}

void PresetPicker::promptImport()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import preset"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation), tr("Presets (*.json)"));
    if (path.isEmpty())
        return;
    if (auto r = importFrom(path); !r)
        report(r.error());
}

void PresetPicker::promptExport()
{
    QString fileName = selectedName();
    for (QChar& c : fileName) {
        if (!c.isLetterOrNumber() && c != u'-' && c != u'.')
            c = u'-';
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export preset"),
        QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .filePath(fileName + QStringLiteral(".json")),
        tr("Presets (*.json)"));
    if (path.isEmpty())
        return;
    if (auto r = exportSelected(path); !r)
        report(r.error());
}

} // namespace vtfarm::ui
