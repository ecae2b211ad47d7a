#include "watchfolderspage.h"

#include "icons.h"
#include "presets.h"
#include "watchconfig.h"
#include "watchfolders.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace vtfarm::ui {

namespace {

QString folderName(const QString& path)
{
    return QDir::cleanPath(path);
}

/// The Add dialog: a folder, where its outputs go, and how.
class WatchFolderDialog : public QDialog
{
public:
    WatchFolderDialog(const QStringList& presets, QWidget* parent)
        : QDialog(parent)
        , m_folder(new QLineEdit(this))
        , m_output(new QLineEdit(this))
        , m_preset(new QComboBox(this))
        , m_pattern(new QLineEdit(QStringLiteral("{name}"), this))
        , m_recursive(new QCheckBox(WatchFoldersPage::tr("Also the folders inside it"), this))
        , m_settle(new QSpinBox(this))
        , m_problem(new QLabel(this))
        , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    {
        setWindowTitle(WatchFoldersPage::tr("Add a watch folder"));
        setMinimumWidth(480);
        m_preset->addItem(WatchFoldersPage::tr("Default settings (H.264 720p 1000k)"), QString());
        for (const QString& name : presets)
            m_preset->addItem(name, name);
        m_pattern->setToolTip(WatchFoldersPage::tr("{name} is the source file's name without its extension"));
        m_settle->setRange(0, 3600);
        m_settle->setValue(5);
        m_settle->setSuffix(WatchFoldersPage::tr(" s"));
        m_settle->setToolTip(WatchFoldersPage::tr(
            "A file is taken once its size and time have not changed for this long: a file still being "
            "copied in is left alone."));
        m_problem->setWordWrap(true);
        auto* form = new QFormLayout;
        form->addRow(
            WatchFoldersPage::tr("Watch"), withBrowse(m_folder, WatchFoldersPage::tr("Folder to watch")));
        form->addRow(QString(), m_recursive);
        form->addRow(WatchFoldersPage::tr("Save to"),
            withBrowse(m_output, WatchFoldersPage::tr("Folder the transcoded files go to")));
        form->addRow(WatchFoldersPage::tr("Preset"), m_preset);
        form->addRow(WatchFoldersPage::tr("File name"), m_pattern);
        form->addRow(WatchFoldersPage::tr("Wait until unchanged for"), m_settle);
        auto* layout = new QVBoxLayout(this);
        layout->addLayout(form);
        layout->addWidget(m_problem);
        layout->addWidget(m_buttons);
        connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
        connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    }

    WatchFolderSettings entry() const
    {
        WatchFolderSettings e;
        e.folder = m_folder->text().trimmed();
        e.outputFolder = m_output->text().trimmed();
        e.preset = m_preset->currentData().toString();
        e.namePattern = m_pattern->text().trimmed().isEmpty() ? QStringLiteral("{name}") : m_pattern->text();
        e.recursive = m_recursive->isChecked();
        e.settleSeconds = m_settle->value();
        return e;
    }
    void setProblem(const QString& text) { m_problem->setText(text); }

private:
    QWidget* withBrowse(QLineEdit* edit, const QString& title)
    {
        auto* row = new QWidget(this);
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto* browse = new QToolButton(row);
        browse->setIcon(icon(QStringLiteral("folder")));
        browse->setToolTip(WatchFoldersPage::tr("Choose a folder"));
        layout->addWidget(edit, 1);
        layout->addWidget(browse);
        connect(browse, &QToolButton::clicked, this, [this, edit, title] {
            const QString dir = QFileDialog::getExistingDirectory(this, title, edit->text());
            if (!dir.isEmpty())
                edit->setText(dir);
        });
        return row;
    }

    QLineEdit* m_folder;
    QLineEdit* m_output;
    QComboBox* m_preset;
    QLineEdit* m_pattern;
    QCheckBox* m_recursive;
    QSpinBox* m_settle;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace

Result<watch::WatchFolderConfig> watchFolderConfig(
    const WatchFolderSettings& entry, const media::PresetLibrary& presets)
{
    QMap<QString, QString> fields { { QStringLiteral("folder"), entry.folder },
        { QStringLiteral("output"), entry.outputFolder }, { QStringLiteral("pattern"), entry.namePattern },
        { QStringLiteral("recursive"), entry.recursive ? QStringLiteral("true") : QStringLiteral("false") },
        { QStringLiteral("settle"), QString::number(entry.settleSeconds) } };
    if (!entry.preset.isEmpty()) {
        if (!presets.find(entry.preset))
            return Error::invalid(QStringLiteral("preset"),
                WatchFoldersPage::tr(
                    "There is no preset named “%1” any more; remove the folder and add it again.")
                    .arg(entry.preset));
        fields.insert(QStringLiteral("preset"), entry.preset);
    }
    auto config = watch::watchFolderFromFields(folderName(entry.folder), fields, presets);
    if (config)
        config->paused = entry.paused;
    return config;
}

QList<watch::WatchFolderConfig> watchFolderConfigs(
    const QList<WatchFolderSettings>& entries, const media::PresetLibrary& presets, QStringList* problems)
{
    QList<watch::WatchFolderConfig> configs;
    for (const WatchFolderSettings& entry : entries) {
        auto config = watchFolderConfig(entry, presets);
        if (config)
            configs.append(*config);
        else if (problems)
            problems->append(WatchFoldersPage::tr("%1: %2").arg(entry.folder, config.error().message));
    }
    return configs;
}

WatchFoldersPage::WatchFoldersPage(QWidget* parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, ColumnCount, this))
    , m_add(new QPushButton(icon(QStringLiteral("add")), tr("Add…"), this))
    , m_remove(new QPushButton(icon(QStringLiteral("remove")), tr("Remove"), this))
    , m_pause(new QPushButton(icon(QStringLiteral("pause")), tr("Pause"), this))
{
    m_table->setHorizontalHeaderLabels(
        { tr("Folder"), tr("Saves to"), tr("Preset"), tr("Status"), tr("Jobs") });
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(Status, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);

    auto* hint = new QLabel(tr("Video files that appear in these folders are transcoded once they are "
                               "complete; each file once, also after a restart."),
        this);
    hint->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_pause);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);

    connect(m_add, &QPushButton::clicked, this, &WatchFoldersPage::showAddDialog);
    connect(m_remove, &QPushButton::clicked, this, &WatchFoldersPage::removeSelected);
    connect(m_pause, &QPushButton::clicked, this, &WatchFoldersPage::togglePaused);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &WatchFoldersPage::updateButtons);
    updateButtons();
}

void WatchFoldersPage::setEntries(const QList<WatchFolderSettings>& entries)
{
    m_entries = entries;
    rebuild();
}

void WatchFoldersPage::setRunning(const watch::WatchFolders* running)
{
    disconnect(m_runningConnection);
    m_running = running;
    if (running)
        m_runningConnection
            = connect(running, &watch::WatchFolders::changed, this, &WatchFoldersPage::refreshStatus);
    refreshStatus();
}

void WatchFoldersPage::setPresetNames(const QStringList& names)
{
    m_presetNames = names;
}

Result<void> WatchFoldersPage::addEntry(const WatchFolderSettings& entry)
{
    if (entry.folder.isEmpty() || !QDir::isAbsolutePath(entry.folder))
        return Error::invalid(QStringLiteral("folder"), tr("Choose the folder to watch."));
    if (entry.outputFolder.isEmpty() || !QDir::isAbsolutePath(entry.outputFolder))
        return Error::invalid(QStringLiteral("output"), tr("Choose the folder the transcoded files go to."));
    if (folderName(entry.folder) == folderName(entry.outputFolder))
        return Error::invalid(QStringLiteral("output"),
            tr("Save to another folder than the watched one: every output would be taken as a new video."));
    for (const WatchFolderSettings& e : std::as_const(m_entries)) {
        if (folderName(e.folder) == folderName(entry.folder))
            return Error::invalid(QStringLiteral("folder"), tr("%1 is watched already.").arg(entry.folder));
    }
    m_entries.append(entry);
    rebuild();
    m_table->selectRow(int(m_entries.size()) - 1);
    return {};
}

void WatchFoldersPage::removeSelected()
{
    const int row = selectedRow();
    if (row < 0)
        return;
    m_entries.removeAt(row);
    rebuild();
}

void WatchFoldersPage::togglePaused()
{
    const int row = selectedRow();
    if (row < 0)
        return;
    m_entries[row].paused = !m_entries[row].paused;
    refreshStatus();
    updateButtons();
}

int WatchFoldersPage::selectedRow() const
{
    const QList<QTableWidgetSelectionRange> ranges = m_table->selectedRanges();
    return ranges.isEmpty() ? -1 : ranges.first().topRow();
}

void WatchFoldersPage::rebuild()
{
    m_table->setRowCount(int(m_entries.size()));
    for (int row = 0; row < m_entries.size(); ++row) {
        const WatchFolderSettings& e = m_entries.at(row);
        const auto item = [this, row](int column, const QString& text) {
            auto* cell = new QTableWidgetItem(text);
            cell->setToolTip(text);
            m_table->setItem(row, column, cell);
        };
        item(Folder, e.recursive ? tr("%1 (and its folders)").arg(e.folder) : e.folder);
        item(Output, e.outputFolder);
        item(Preset, e.preset.isEmpty() ? tr("Default") : e.preset);
        item(Status, QString());
        item(Jobs, QString());
        m_table->item(row, Jobs)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    m_table->resizeColumnToContents(Jobs);
    refreshStatus();
    updateButtons();
}

void WatchFoldersPage::refreshStatus()
{
    for (int row = 0; row < m_entries.size() && row < m_table->rowCount(); ++row) {
        const WatchFolderSettings& e = m_entries.at(row);
        const watch::WatchFolder* live = m_running ? m_running->find(folderName(e.folder)) : nullptr;
        QString status;
        if (e.paused)
            status = tr("Paused");
        else if (live && !live->isPaused())
            status = live->statusText();
        else
            status = tr("Starts when the settings are saved");
        m_table->item(row, Status)->setText(status);
        m_table->item(row, Status)->setToolTip(status);
        m_table->item(row, Jobs)->setText(live ? QString::number(live->jobCount()) : QString());
    }
}

void WatchFoldersPage::updateButtons()
{
    const int row = selectedRow();
    m_remove->setEnabled(row >= 0);
    m_pause->setEnabled(row >= 0);
    const bool paused = row >= 0 && m_entries.at(row).paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(icon(paused ? QStringLiteral("play") : QStringLiteral("pause")));
}

void WatchFoldersPage::showAddDialog()
{
    WatchFolderDialog dialog(m_presetNames, this);
    while (dialog.exec() == QDialog::Accepted) {
        const auto added = addEntry(dialog.entry());
        if (added)
            return;
        dialog.setProblem(added.error().message);
    }
}

} // namespace vtfarm::ui
