#include "mainwindow.h"

#include "advancedpanel.h"
#include "droparea.h"
#include "formatting.h"
#include "icons.h"
#include "jobmanager.h"
#include "jobtablemodel.h"
#include "mediafiles.h"
#include "messagebar.h"
#include "nodesview.h"
#include "outputpanel.h"
#include "presetpicker.h"
#include "progressdelegate.h"
#include "settingsdialog.h"
#include "statefilterproxy.h"
#include "traynotifier.h"
#include "watchfolders.h"
#include "watchfolderspage.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>

namespace vtfarm::ui {

using jobs::Job;
using jobs::JobState;

namespace {

// How long changes are gathered before the status bar, title and actions are recomputed: a job
// reports ten times a second, and ten thousand rows need not be counted that often.
constexpr int kRefreshMs = 200;

QString listForPeople(const QStringList& names, int shown)
{
    QStringList head = names.mid(0, shown);
    if (names.size() > shown)
        return QCoreApplication::translate(
            "vtfarm::ui::MainWindow", "%1 and %n more", nullptr, int(names.size() - shown))
            .arg(head.join(QStringLiteral(", ")));
    return head.join(QStringLiteral(", "));
}

// Error messages say what matters first; their end may go, their start may not.
class ElideRightDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideRight;
    }
};

} // namespace

MainWindow::MainWindow(
    jobs::JobManager& manager, media::PresetLibrary& presets, AppSettings& settings, QWidget* parent)
    : QMainWindow(parent)
    , m_manager(manager)
    , m_presets(presets)
    , m_settings(settings)
    , m_model(new JobTableModel(manager, this))
    , m_proxy(new StateFilterProxy(this))
    , m_scanner(new InputScanner(this))
    , m_refreshTimer(new QTimer(this))
{
    setWindowTitle(tr("vtfarm"));
    setWindowIcon(icon(QStringLiteral("vtfarm")));
    setAcceptDrops(true);
    m_proxy->setSourceModel(m_model);

    createActions();
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(createSidePanel());
    m_splitter->addWidget(createQueuePanel());
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setCollapsible(1, false);
    m_splitter->setSizes({ 320, 960 });
    setCentralWidget(m_splitter);
    createMenusAndToolBar();
    createStatusBar();
    m_tray = new TrayNotifier(m_manager, m_settings, this);

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(kRefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    connect(&m_manager, &jobs::JobManager::jobAdded, this, &MainWindow::scheduleRefresh);
    connect(&m_manager, &jobs::JobManager::jobRemoved, this, &MainWindow::scheduleRefresh);
    connect(&m_manager, &jobs::JobManager::jobChanged, this, &MainWindow::scheduleRefresh);
    connect(&m_manager, &jobs::JobManager::orderChanged, this, &MainWindow::scheduleRefresh);
    connect(&m_manager, &jobs::JobManager::pausedChanged, this, &MainWindow::refresh);
    connect(&m_manager, &jobs::JobManager::runningCountChanged, this, &MainWindow::scheduleRefresh);
    connect(&m_manager, &jobs::JobManager::farmChanged, this, &MainWindow::scheduleRefresh);
    connect(
        m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(m_scanner, &InputScanner::finished, this, &MainWindow::onScanFinished);
    connect(m_scanner, &InputScanner::progress, this, [this](int done, int total) {
        m_dropArea->setBusyText(total > 0
                ? (total == 1 ? tr("Checking 1 file…") : tr("Checking %1 of %2 files…").arg(done).arg(total))
                : QString());
    });

    restoreSession();
    refresh();
    updateEmptyHint();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    auto make = [this](Action which, const QString& iconName, const QString& text, const QString& tip,
                    QAction::Priority priority = QAction::NormalPriority) {
        auto* a = new QAction(iconName.isEmpty() ? QIcon() : icon(iconName), text, this);
        a->setToolTip(tip);
        a->setStatusTip(tip);
        a->setPriority(priority);
        m_actions.insert(which, a);
        return a;
    };
    make(Action::AddFiles, QStringLiteral("file"), tr("Add &files…"),
        tr("Queue video files with the current preset"))
        ->setShortcut(QKeySequence::Open);
    make(Action::AddFolder, QStringLiteral("folder"), tr("Add f&older…"),
        tr("Queue every video in a folder and its subfolders"), QAction::LowPriority)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    make(Action::StartPause, QStringLiteral("pause"), tr("&Pause queue"),
        tr("Pause or start the queue (Space)"))
        ->setShortcut(QKeySequence(Qt::Key_Space));
    make(Action::Cancel, QStringLiteral("cancel"), tr("&Cancel"), tr("Stop the selected jobs")) //
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    make(Action::Retry, QStringLiteral("retry"), tr("&Retry"),
        tr("Queue the selected failed or canceled jobs again"))
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    make(Action::Remove, QStringLiteral("remove"), tr("Re&move"),
        tr("Remove the selected jobs from the queue (Delete)"))
        ->setShortcut(QKeySequence::Delete);
    make(Action::MoveUp, QStringLiteral("up"), tr("Move &up"), tr("Run the selected jobs earlier"),
        QAction::LowPriority)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Up));
    make(Action::MoveDown, QStringLiteral("down"), tr("Move &down"), tr("Run the selected jobs later"),
        QAction::LowPriority)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Down));
    make(Action::ClearFinished, QStringLiteral("clear"), tr("C&lear finished"),
        tr("Remove every finished job from the list"));
    make(Action::OpenOutput, QStringLiteral("play"), tr("&Open output"),
        tr("Open the transcoded file (double-click, Enter)"), QAction::LowPriority)
        ->setShortcuts({ QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter) });
    make(Action::ShowInFolder, QStringLiteral("folder"), tr("&Show in folder"),
        tr("Open the folder that holds the output"), QAction::LowPriority)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    make(Action::CopyError, QStringLiteral("copy"), tr("Cop&y error"),
        tr("Copy the selected jobs' error messages"), QAction::LowPriority)
        ->setShortcut(QKeySequence::Copy);
    make(Action::Settings, QStringLiteral("settings"), tr("&Settings…"),
        tr("Workers, output, notifications, API server"), QAction::LowPriority)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    make(Action::Nodes, QString(), tr("&Nodes…"),
        tr("The farm's nodes: the computers that take jobs from this queue"), QAction::LowPriority);
    make(Action::Quit, QString(), tr("&Quit"), tr("Close vtfarm"))->setShortcut(QKeySequence::Quit);

    connect(action(Action::AddFiles), &QAction::triggered, this, &MainWindow::addFilesDialog);
    connect(action(Action::AddFolder), &QAction::triggered, this, &MainWindow::addFolderDialog);
    connect(action(Action::StartPause), &QAction::triggered, this, &MainWindow::toggleQueue);
    connect(action(Action::Cancel), &QAction::triggered, this, &MainWindow::cancelSelected);
    connect(action(Action::Retry), &QAction::triggered, this, &MainWindow::retrySelected);
    connect(action(Action::Remove), &QAction::triggered, this, &MainWindow::removeSelected);
    connect(action(Action::MoveUp), &QAction::triggered, this, [this] { moveSelected(true); });
    connect(action(Action::MoveDown), &QAction::triggered, this, [this] { moveSelected(false); });
    connect(action(Action::ClearFinished), &QAction::triggered, this, &MainWindow::clearFinished);
    connect(action(Action::OpenOutput), &QAction::triggered, this, &MainWindow::openOutput);
    connect(action(Action::ShowInFolder), &QAction::triggered, this, &MainWindow::showInFolder);
    connect(action(Action::CopyError), &QAction::triggered, this, &MainWindow::copyError);
    connect(action(Action::Settings), &QAction::triggered, this, &MainWindow::openSettings);
    connect(action(Action::Nodes), &QAction::triggered, this, &MainWindow::openNodes);
    connect(action(Action::Quit), &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenusAndToolBar()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(Action::AddFiles));
    file->addAction(action(Action::AddFolder));
    file->addSeparator();
    file->addAction(action(Action::Settings));
    file->addAction(action(Action::Nodes));
    file->addSeparator();
    file->addAction(action(Action::Quit));

    QMenu* queue = menuBar()->addMenu(tr("&Queue"));
    for (Action a :
        { Action::StartPause, Action::Cancel, Action::Retry, Action::Remove, Action::MoveUp, Action::MoveDown,
            Action::ClearFinished, Action::OpenOutput, Action::ShowInFolder, Action::CopyError }) {
        queue->addAction(action(a));
        if (a == Action::StartPause || a == Action::Remove || a == Action::ClearFinished)
            queue->addSeparator();
    }

    menuBar()->addMenu(m_presetPicker->actionsMenu());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About vtfarm"), this, &MainWindow::about);

    QToolBar* bar = addToolBar(tr("Queue"));
    bar->setObjectName(QStringLiteral("queueToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(20, 20));
    bar->addAction(action(Action::AddFiles));
    bar->addAction(action(Action::AddFolder));
    bar->addSeparator();
    bar->addAction(action(Action::StartPause));
    bar->addSeparator();
    bar->addAction(action(Action::Cancel));
    bar->addAction(action(Action::Retry));
    bar->addAction(action(Action::Remove));
    bar->addAction(action(Action::MoveUp));
    bar->addAction(action(Action::MoveDown));
    bar->addSeparator();
    bar->addAction(action(Action::ClearFinished));
    bar->addAction(action(Action::OpenOutput));
    bar->addAction(action(Action::ShowInFolder));
    auto* spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    bar->addAction(action(Action::Settings));
}

QWidget* MainWindow::createSidePanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(10);

    m_dropArea = new DropArea(panel);
    layout->addWidget(m_dropArea);
    connect(m_dropArea, &DropArea::pathsDropped, this, &MainWindow::addPaths);
    connect(m_dropArea, &DropArea::addFilesClicked, action(Action::AddFiles), &QAction::trigger);
    connect(m_dropArea, &DropArea::addFolderClicked, action(Action::AddFolder), &QAction::trigger);

    auto* presetBox = new QGroupBox(tr("Preset"), panel);
    auto* presetLayout = new QVBoxLayout(presetBox);
    m_presetPicker = new PresetPicker(m_presets, presetBox);
    presetLayout->addWidget(m_presetPicker);
    m_advancedToggle = new QToolButton(presetBox);
    m_advancedToggle->setText(tr("Advanced settings"));
    m_advancedToggle->setCheckable(true);
    m_advancedToggle->setChecked(true);
    m_advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advancedToggle->setArrowType(Qt::DownArrow);
    m_advancedToggle->setAutoRaise(true);
    presetLayout->addWidget(m_advancedToggle);
    m_advanced = new AdvancedPanel(presetBox);
    presetLayout->addWidget(m_advanced);
    layout->addWidget(presetBox);
    connect(m_advancedToggle, &QToolButton::toggled, this, [this](bool on) {
        m_advanced->setVisible(on);
        m_advancedToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });

    auto* outputBox = new QGroupBox(tr("Output"), panel);
    auto* outputLayout = new QVBoxLayout(outputBox);
    m_output = new OutputPanel(outputBox);
    outputLayout->addWidget(m_output);
    layout->addWidget(outputBox);
    layout->addStretch(1);

    connect(m_presetPicker, &PresetPicker::presetSelected, this, [this](const media::Preset& preset) {
        m_advanced->setPreset(preset);
        m_settings.setLastPreset(preset.name);
    });
    connect(m_advanced, &AdvancedPanel::changed, this, [this] {
        QList<Error> errors;
        const auto choice = m_advanced->current();
        if (choice)
            m_presetPicker->setCurrent(choice->container, choice->settings, true);
        else
            m_presetPicker->setCurrent({}, {}, false);
        m_output->setExample(choice ? choice->container : QStringLiteral("mp4"));
    });
    m_output->setOutputFolder(m_settings.defaultOutputFolder());
    m_output->setNamePattern(m_settings.namePattern());
    connect(m_output, &OutputPanel::changed, this,
        [this] { m_settings.setNamePattern(m_output->namePattern()); });
    // Loads the preset into the panel, which reports back to the picker.
    if (!m_presetPicker->select(m_settings.lastPreset()))
        m_presetPicker->select(m_presetPicker->selectedName());

    auto* scroll = new QScrollArea;
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Narrow enough to leave the queue its columns on a 1280-pixel screen; the splitter widens it.
    scroll->setMinimumWidth(300);
    return scroll;
}

QWidget* MainWindow::createQueuePanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 8, 8, 4);
    layout->setSpacing(6);

    m_messages = new MessageBar(panel);
    layout->addWidget(m_messages);

    auto* filterRow = new QHBoxLayout;
    auto* title = new QLabel(tr("Queue"), panel);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    title->setFont(titleFont);
    m_stateFilter = new QComboBox(panel);
    m_stateFilter->addItem(tr("All jobs"), -1);
    for (JobState s : jobs::kJobStates)
        m_stateFilter->addItem(stateText(s), int(s));
    m_stateFilter->setToolTip(tr("Show only the jobs in one state"));
    m_stateFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_nameFilter = new QLineEdit(panel);
    m_nameFilter->setPlaceholderText(tr("Filter by name"));
    m_nameFilter->setClearButtonEnabled(true);
    m_nameFilter->setMaximumWidth(240);
    filterRow->addWidget(title);
    filterRow->addStretch(1);
    filterRow->addWidget(new QLabel(tr("Show"), panel));
    filterRow->addWidget(m_stateFilter);
    filterRow->addWidget(m_nameFilter);
    layout->addLayout(filterRow);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int s = m_stateFilter->currentData().toInt();
        m_proxy->setStateFilter(s < 0 ? std::nullopt : std::optional(JobState(s)));
        updateEmptyHint();
    });
    connect(m_nameFilter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setNameFilter(text);
        updateEmptyHint();
    });

    m_view = new QTableView(panel);
    m_view->setModel(m_proxy);
    m_view->setItemDelegateForColumn(JobTableModel::Progress, new ProgressDelegate(m_view));
    m_view->setItemDelegateForColumn(JobTableModel::Error, new ElideRightDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(JobTableModel::Position, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    // Fixed row heights let the view lay out ten thousand rows without asking each for its size.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 12);
    QHeaderView* header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->moveSection(header->visualIndex(JobTableModel::Position), 0);
    const QFontMetrics fm = m_view->fontMetrics();
    auto width = [&fm](const QString& sample) { return fm.horizontalAdvance(sample) + 16; };
    header->resizeSection(JobTableModel::Position, width(QStringLiteral("9999")) + 6);
    header->resizeSection(JobTableModel::Name, width(QStringLiteral("a-long-video-name.mp4")));
    header->resizeSection(JobTableModel::Preset, width(QStringLiteral("H.264 720p 1000k")));
    // A split job's state has its segments: "Running, 12/40 segments".
    header->resizeSection(JobTableModel::State, width(QStringLiteral("Running, 88/88 segments")));
    header->resizeSection(JobTableModel::Progress, width(QStringLiteral("100%")) * 2 + 10);
    header->resizeSection(JobTableModel::Fps, width(QStringLiteral("FPS")));
    header->resizeSection(JobTableModel::Speed, width(QStringLiteral("12.34×")));
    header->resizeSection(JobTableModel::Eta, width(QStringLiteral("10:00")));
    header->resizeSection(JobTableModel::Sizes, width(QStringLiteral("37.7 MB → 12.3 MB")));
    header->resizeSection(JobTableModel::Node, width(QStringLiteral("encoder-12")));
    // Shown once this computer coordinates a farm (refresh()).
    header->setSectionHidden(JobTableModel::Node, true);
    // The error stays last, where it has the room that is left.
    header->moveSection(
        header->visualIndex(JobTableModel::Quality), header->visualIndex(JobTableModel::Error));
    header->resizeSection(JobTableModel::Quality, width(QStringLiteral("0.987 · 41.2 dB")));
    layout->addWidget(m_view, 1);

    m_emptyHint = new QLabel(m_view->viewport());
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setForegroundRole(QPalette::PlaceholderText);
    auto* hintLayout = new QVBoxLayout(m_view->viewport());
    hintLayout->addWidget(m_emptyHint, 0, Qt::AlignCenter);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateEmptyHint);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateEmptyHint);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateEmptyHint);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateEmptyHint);

    // The queue's keys act only while the queue has the focus: elsewhere Space presses buttons,
    // Delete deletes text, Enter accepts and Ctrl+C copies.
    for (Action a : { Action::StartPause, Action::Cancel, Action::Retry, Action::Remove, Action::MoveUp,
             Action::MoveDown, Action::OpenOutput, Action::CopyError }) {
        action(a)->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_view->addAction(action(a));
    }
    // A click on a split job's arrow lists its segments, or hides them.
    m_view->viewport()->installEventFilter(this);
    connect(m_view, &QTableView::doubleClicked, this, &MainWindow::onDoubleClicked);
    connect(m_view, &QTableView::customContextMenuRequested, this, &MainWindow::showContextMenu);
    return panel;
}

void MainWindow::updateEmptyHint()
{
    const bool empty = m_proxy->rowCount() == 0;
    if (empty) {
        m_emptyHint->setText(m_model->rowCount() == 0
                ? tr("No jobs yet.\nDrop videos or folders anywhere on this window, or use Add files…")
                : tr("No job matches the filter."));
    }
    m_emptyHint->setVisible(empty);
}

void MainWindow::createStatusBar()
{
    m_countsLabel = new QLabel(this);
    m_workersLabel = new QLabel(this);
    m_overallBar = new QProgressBar(this);
    m_overallBar->setRange(0, 1000);
    m_overallBar->setMaximumWidth(220);
    m_overallBar->setMinimumWidth(160);
    m_overallBar->setTextVisible(true);
    m_overallBar->setFormat(QStringLiteral("%p%"));
    m_overallBar->setToolTip(
        tr("Overall progress of the jobs queued, running and finished since the queue was last empty"));
    statusBar()->addWidget(m_countsLabel, 1);
    statusBar()->addPermanentWidget(m_overallBar);
    statusBar()->addPermanentWidget(m_workersLabel);
}

void MainWindow::restoreSession()
{
    if (!restoreGeometry(m_settings.windowGeometry()))
        resize(QSize(1280, 800).boundedTo(screen()->availableGeometry().size()));
    restoreState(m_settings.windowState());
    if (const QByteArray s = m_settings.splitterState(); !s.isEmpty())
        m_splitter->restoreState(s);
    if (const QByteArray h = m_settings.queueHeaderState(); !h.isEmpty())
        m_view->horizontalHeader()->restoreState(h);
}

void MainWindow::saveSession()
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.setSplitterState(m_splitter->saveState());
    m_settings.setQueueHeaderState(m_view->horizontalHeader()->saveState());
    m_settings.setLastPreset(m_presetPicker->selectedName());
    m_settings.setNamePattern(m_output->namePattern());
    m_settings.sync();
}

Result<jobs::JobSpec> MainWindow::specTemplate() const
{
    auto choice = m_advanced->current();
    if (!choice)
        return choice.error();
    if (auto r = m_output->check(); !r)
        return r.error();
    jobs::JobSpec spec;
    spec.container = choice->container;
    spec.settings = choice->settings;
    spec.split = choice->split;
    spec.settings.overwrite = m_settings.overwritePolicy() == AppSettings::OverwritePolicy::Overwrite;
    spec.outputDir = m_output->outputFolder();
    spec.namePattern = m_output->namePattern();
    spec.presetName = m_presetPicker->jobLabel();
    spec.source = jobs::JobSource::Gui;
    return spec;
}

void MainWindow::addPaths(const QStringList& paths)
{
    if (paths.isEmpty())
        return;
    auto spec = specTemplate();
    if (!spec) {
        m_advancedToggle->setChecked(true);
        m_advanced->focusFirstError();
        m_messages->showMessage(
            tr("Nothing was queued: %1 Fix the highlighted setting and add the files again.")
                .arg(
                    spec.error().message.endsWith(u'.') ? spec.error().message : spec.error().message + u'.'),
            MessageBar::Kind::Error);
        Q_EMIT pathsProcessed(0, 0);
        return;
    }
    m_dropArea->setBusyText(tr("Checking the dropped files…"));
    m_pendingScans.insert(m_scanner->scan(paths), *spec);
}

void MainWindow::onScanFinished(int scan, const ScanResult& result)
{
    const jobs::JobSpec base = m_pendingScans.take(scan);
    if (!m_scanner->isBusy())
        m_dropArea->setBusyText({});
    if (result.canceled)
        return;

    QList<jobs::JobSpec> specs;
    specs.reserve(result.videos.size());
    for (const QString& file : result.videos) {
        jobs::JobSpec spec = base;
        spec.input = file;
        specs.append(spec);
    }
    QStringList refused;
    int queued = 0;
    if (!specs.isEmpty()) {
        if (auto ids = m_manager.submitMany(specs)) {
            queued = int(ids->size());
        } else {
            // All or nothing failed on one of them: queue the others and say which could not be.
            for (const jobs::JobSpec& spec : std::as_const(specs)) {
                if (auto id = m_manager.submit(spec))
                    ++queued;
                else
                    refused.append(tr("%1: %2").arg(QFileInfo(spec.input).fileName(), id.error().message));
            }
        }
    }

    QStringList skippedNames, details;
    for (const ScanResult::Skipped& s : result.skipped) {
        skippedNames.append(QFileInfo(s.path).fileName());
        details.append(tr("%1 — %2").arg(s.path, s.reason));
    }
    details += refused;
    QString text;
    if (queued > 0)
        text = queued == 1 ? tr("Queued 1 video with “%1”.").arg(base.presetName)
                           : tr("Queued %1 videos with “%2”.").arg(queued).arg(base.presetName);
    else if (result.videos.isEmpty())
        text = tr("No videos found there.");
    if (!skippedNames.isEmpty())
        text += u' '
            + (skippedNames.size() == 1
                    ? tr("Skipped 1 file that is not a video: %1.").arg(skippedNames.first())
                    : tr("Skipped %1 files that are not videos: %2.")
                          .arg(skippedNames.size())
                          .arg(listForPeople(skippedNames, 3)));
    if (!refused.isEmpty())
        text += u' ' + tr("%n could not be queued: %1", nullptr, int(refused.size())).arg(refused.first());
    const MessageBar::Kind kind = !refused.isEmpty() || queued == 0 ? MessageBar::Kind::Warning
        : skippedNames.isEmpty()                                    ? MessageBar::Kind::Info
                                                                    : MessageBar::Kind::Warning;
    m_messages->showMessage(text.trimmed(), kind, details.join(u'\n'));
    Q_EMIT pathsProcessed(queued, int(result.skipped.size() + refused.size()));
}

bool MainWindow::submitFiles(const QStringList& files)
{
    auto spec = specTemplate();
    if (!spec) {
        m_advancedToggle->setChecked(true);
        m_advanced->focusFirstError();
        m_messages->showMessage(
            tr("Nothing was queued: %1").arg(spec.error().message), MessageBar::Kind::Error);
        return false;
    }
    QList<jobs::JobSpec> specs;
    for (const QString& file : files) {
        jobs::JobSpec s = *spec;
        s.input = file;
        specs.append(s);
    }
    auto ids = m_manager.submitMany(specs);
    if (!ids) {
        m_messages->showMessage(
            tr("Nothing was queued: %1").arg(ids.error().message), MessageBar::Kind::Error);
        return false;
    }
    return true;
}

void MainWindow::scheduleRefresh()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void MainWindow::refresh()
{
    // The Node column, once this computer coordinates a farm.
    if (QHeaderView* header = m_view->horizontalHeader();
        header->isSectionHidden(JobTableModel::Node) == (m_manager.farm() != nullptr))
        header->setSectionHidden(JobTableModel::Node, m_manager.farm() == nullptr);
    const jobs::JobCounts counts = m_manager.counts();
    const int queued = counts.queued, running = counts.started, finished = counts.finished,
              failed = counts.failed, canceled = counts.canceled;
    const bool active = counts.pending() > 0;

    QStringList parts;
    if (running)
        parts.append(tr("%n running", nullptr, running));
    if (queued)
        parts.append(tr("%n queued", nullptr, queued));
    if (finished)
        parts.append(tr("%n finished", nullptr, finished));
    if (failed)
        parts.append(tr("%n failed", nullptr, failed));
    if (canceled)
        parts.append(tr("%n canceled", nullptr, canceled));
    m_countsLabel->setText(parts.isEmpty() ? tr("The queue is empty.") : parts.join(QStringLiteral(" · ")));

    const int busy = m_manager.runningCount(), max = m_manager.maxConcurrent();
    m_workersLabel->setText(m_manager.isPaused() ? tr("Paused · workers %1/%2").arg(busy).arg(max)
                                                 : tr("Workers %1/%2").arg(busy).arg(max));

    const double fraction = active ? counts.fractionDone() : 0;
    m_overallBar->setVisible(active);
    m_overallBar->setValue(int(fraction * 1000));
    if (active) {
        const QString done = QStringLiteral("%1%").arg(int(fraction * 100));
        setWindowTitle(tr("%1 · %n left — vtfarm", nullptr, counts.pending()).arg(done));
        m_tray->setToolTip(counts.pending() == 1
                ? tr("vtfarm: %1 done, 1 job left").arg(done)
                : tr("vtfarm: %1 done, %2 jobs left").arg(done).arg(counts.pending()));
    } else {
        setWindowTitle(tr("vtfarm"));
        m_tray->setToolTip(tr("vtfarm: idle"));
    }

    m_stateFilter->setItemText(0, tr("All jobs (%1)").arg(counts.total()));
    for (int i = 0; i < int(std::size(jobs::kJobStates)); ++i)
        m_stateFilter->setItemText(
            i + 1, tr("%1 (%2)").arg(stateText(jobs::kJobStates[i])).arg(counts.of(jobs::kJobStates[i])));

    QAction* toggle = action(Action::StartPause);
    if (m_manager.isPaused()) {
        toggle->setText(tr("&Start queue"));
        toggle->setIcon(icon(QStringLiteral("play")));
    } else {
        toggle->setText(tr("&Pause queue"));
        toggle->setIcon(icon(QStringLiteral("pause")));
    }
    action(Action::ClearFinished)->setEnabled(finished > 0);
    updateActions();
}

QList<QUuid> MainWindow::selectedIds() const
{
    // In queue order, whatever the view's sort, so that moves and reports follow the queue.
    // A segment stands for its job: what is done to it is done to the job.
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    rows.reserve(selected.size());
    for (const QModelIndex& index : selected) {
        const QUuid parent = index.data(JobTableModel::ParentRole).toUuid();
        const int row = parent.isNull() ? -1 : m_model->rowOf(parent);
        rows.append(row >= 0 ? row : m_proxy->mapToSource(index).row());
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    QList<QUuid> ids;
    ids.reserve(rows.size());
    for (int row : std::as_const(rows))
        ids.append(m_model->idAt(row));
    return ids;
}

QList<const Job*> MainWindow::selectedJobs() const
{
    QList<const Job*> jobs;
    for (const QUuid& id : selectedIds()) {
        if (const Job* job = m_manager.find(id))
            jobs.append(job);
    }
    return jobs;
}

void MainWindow::updateActions()
{
    const QList<const Job*> jobs = selectedJobs();
    auto any = [&jobs](auto pred) { return std::any_of(jobs.cbegin(), jobs.cend(), pred); };
    action(Action::Cancel)->setEnabled(any([](const Job* j) { return jobs::canCancel(j->state); }));
    action(Action::Retry)->setEnabled(any([](const Job* j) { return jobs::canRetry(j->state); }));
    action(Action::Remove)->setEnabled(!jobs.isEmpty());
    action(Action::MoveUp)->setEnabled(!jobs.isEmpty() && m_model->placeOf(jobs.first()->id) > 0);
    action(Action::MoveDown)
        ->setEnabled(!jobs.isEmpty() && m_model->placeOf(jobs.last()->id) < m_model->jobCount() - 1);
    const bool oneFinished = jobs.size() == 1 && jobs.first()->state == JobState::Finished;
    action(Action::OpenOutput)->setEnabled(oneFinished);
    action(Action::ShowInFolder)->setEnabled(jobs.size() == 1 && !jobs.first()->outputPath.isEmpty());
    action(Action::CopyError)->setEnabled(any([](const Job* j) { return !j->error.isEmpty(); }));
}

void MainWindow::reportFailures(const QString& what, const QStringList& failures)
{
    if (failures.isEmpty())
        return;
    m_messages->showMessage(
        tr("%1: %2").arg(what, failures.first()), MessageBar::Kind::Warning, failures.join(u'\n'));
}

void MainWindow::addFilesDialog()
{
    const QString filter = tr("Videos (%1);;All files (*)").arg(media::videoFileGlobs());
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add videos"), QStandardPaths::writableLocation(QStandardPaths::MoviesLocation), filter);
    addPaths(files);
}

void MainWindow::addFolderDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add every video in a folder"),
        QStandardPaths::writableLocation(QStandardPaths::MoviesLocation));
    if (!dir.isEmpty())
        addPaths({ dir });
}

void MainWindow::toggleQueue()
{
    if (m_manager.isPaused())
        m_manager.resume();
    else
        m_manager.pause();
}

void MainWindow::cancelSelected()
{
    QStringList failures;
    for (const Job* job : selectedJobs()) {
        if (job->state != JobState::Queued && job->state != JobState::Started)
            continue;
        const QString name = job->name();
        if (auto r = m_manager.cancel(job->id); !r)
            failures.append(tr("%1: %2").arg(name, r.error().message));
    }
    reportFailures(tr("Could not cancel"), failures);
}

void MainWindow::retrySelected()
{
    QStringList failures;
    for (const Job* job : selectedJobs()) {
        if (job->state != JobState::Failed && job->state != JobState::Canceled)
            continue;
        const QString name = job->name();
        if (auto r = m_manager.retry(job->id); !r)
            failures.append(tr("%1: %2").arg(name, r.error().message));
    }
    reportFailures(tr("Could not retry"), failures);
}

void MainWindow::removeSelected()
{
    const QList<QUuid> ids = selectedIds();
    if (ids.isEmpty())
        return;
    const int running = int(std::count_if(ids.cbegin(), ids.cend(), [this](const QUuid& id) {
        const Job* j = m_manager.find(id);
        return j && j->state == JobState::Started;
    }));
    if (running > 0
        && QMessageBox::question(this, tr("Remove jobs"),
               running == 1 ? tr("One of the selected jobs is running. Stop and remove it?")
                            : tr("%1 of the selected jobs are running. Stop and remove them?").arg(running))
            != QMessageBox::Yes)
        return;
    QStringList failures;
    for (const QUuid& id : ids) {
        if (auto r = m_manager.remove(id); !r)
            failures.append(r.error().message);
    }
    reportFailures(tr("Could not remove"), failures);
}

void MainWindow::moveSelected(bool up)
{
    QList<QUuid> ids = selectedIds();
    if (!up)
        std::reverse(ids.begin(), ids.end());
    // A block of selected jobs moves together and stops at the top or bottom without reordering itself.
    int limit = up ? 0 : m_model->rowCount() - 1;
    for (const QUuid& id : std::as_const(ids)) {
        const int row = m_model->rowOf(id);
        if (row == limit) {
            limit += up ? 1 : -1;
            continue;
        }
        (void)m_manager.move(id, up ? jobs::JobManager::Move::Up : jobs::JobManager::Move::Down);
    }
    updateActions();
}

void MainWindow::clearFinished()
{
    m_manager.clearFinished();
}

void MainWindow::openOutput()
{
    const QList<const Job*> jobs = selectedJobs();
    if (jobs.size() != 1)
        return;
    const Job* job = jobs.first();
    if (job->state != JobState::Finished || !QFileInfo::exists(job->outputPath)) {
        m_messages->showMessage(
            tr("%1 has no output file to open yet.").arg(job->name()), MessageBar::Kind::Warning);
        return;
    }
    QDesktopServices::openUrl(QUrl::fromLocalFile(job->outputPath));
}

void MainWindow::showInFolder()
{
    const QList<const Job*> jobs = selectedJobs();
    if (jobs.size() != 1)
        return;
    const QString folder = QFileInfo(jobs.first()->outputPath).absolutePath();
    QDesktopServices::openUrl(QUrl::fromLocalFile(folder));
}

void MainWindow::copyError()
{
    QStringList lines;
    const QList<const Job*> jobs = selectedJobs();
    for (const Job* job : jobs) {
        if (job->error.isEmpty())
            continue;
        lines.append(jobs.size() == 1 ? job->error : tr("%1: %2").arg(job->name(), job->error));
    }
    if (!lines.isEmpty())
        QGuiApplication::clipboard()->setText(lines.join(u'\n'));
}

void MainWindow::toggleSegments(const QModelIndex& index)
{
    const QModelIndex job = index.siblingAtColumn(JobTableModel::Name);
    if (job.data(JobTableModel::SegmentsRole).toInt() <= 0)
        return;
    const QUuid id = job.data(JobTableModel::IdRole).toUuid();
    m_proxy->setExpanded(id, !m_proxy->isExpanded(id));
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::MouseButtonPress) {
        const auto* press = static_cast<QMouseEvent*>(event);
        const QPoint at = press->position().toPoint();
        const QModelIndex index = m_view->indexAt(at);
        if (press->button() == Qt::LeftButton && index.column() == JobTableModel::Name
            && index.data(JobTableModel::SegmentsRole).toInt() > 0) {
            // The arrow is the name's first character.
            const int arrow = m_view->fontMetrics().horizontalAdvance(QStringLiteral("\u25BE ")) + 8;
            if (at.x() - m_view->visualRect(index).left() <= arrow) {
                toggleSegments(index);
                return true;
            }
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::onDoubleClicked(const QModelIndex& index)
{
    const auto state = JobState(index.data(JobTableModel::StateRole).toInt());
    if (index.data(JobTableModel::SegmentsRole).toInt() > 0 && !jobs::isFinal(state)) {
        toggleSegments(index);
    } else if (state == JobState::Finished) {
        openOutput();
    } else if (state == JobState::Failed) {
        m_messages->showMessage(tr("%1 failed: %2")
                                    .arg(index.siblingAtColumn(JobTableModel::Name).data().toString(),
                                        index.data(JobTableModel::ErrorRole).toString()),
            MessageBar::Kind::Error);
    }
}

void MainWindow::showContextMenu(const QPoint& pos)
{
    updateActions();
    QMenu menu(this);
    const QModelIndex clicked = m_view->indexAt(pos);
    if (clicked.data(JobTableModel::SegmentsRole).toInt() > 0) {
        const bool open = m_proxy->isExpanded(clicked.data(JobTableModel::IdRole).toUuid());
        menu.addAction(open ? tr("Hide segments") : tr("Show segments"), this,
            [this, clicked = QPersistentModelIndex(clicked)] { toggleSegments(clicked); });
        menu.addSeparator();
    }
    for (Action a : { Action::OpenOutput, Action::ShowInFolder, Action::CopyError }) {
        if (action(a)->isEnabled())
            menu.addAction(action(a));
    }
    if (!menu.isEmpty())
        menu.addSeparator();
    menu.addAction(action(Action::Cancel));
    menu.addAction(action(Action::Retry));
    menu.addAction(action(Action::Remove));
    menu.addSeparator();
    menu.addAction(action(Action::MoveUp));
    menu.addAction(action(Action::MoveDown));
    menu.addSeparator();
    menu.addAction(action(Action::StartPause));
    menu.addAction(action(Action::ClearFinished));
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void MainWindow::openSettings()
{
    const ApiServerSettings apiBefore = m_settings.apiServer();
    SettingsDialog dialog(m_settings, this);
    QStringList presetNames;
    for (const media::Preset& p : m_presets.presets())
        presetNames << p.name;
    dialog.setWatchFolders(m_watchFolders, presetNames);
    if (dialog.exec() != QDialog::Accepted)
        return;
    onSettingsChanged();
    if (const ApiServerSettings api = m_settings.apiServer(); !(api == apiBefore))
        Q_EMIT apiServerSettingsChanged(api);
}

void MainWindow::onSettingsChanged()
{
    m_manager.setMaxConcurrent(m_settings.workerCount());
    m_manager.setThreadsPerJob(m_settings.threadsPerJob());
    m_manager.setStallTimeout(m_settings.stallTimeoutSeconds());
    m_output->setOutputFolder(m_settings.defaultOutputFolder());
    setWatchFolders(m_watchFolders);
    refresh();
}

void MainWindow::openNodes()
{
    if (m_nodesView) {
        m_nodesView->raise();
        m_nodesView->activateWindow();
        return;
    }
    m_nodesView = new NodesView(
        [this]() -> std::optional<QList<jobs::NodeInfo>> {
            if (const jobs::Farm* farm = m_manager.farm())
                return farm->nodes();
            return std::nullopt;
        },
        this);
    m_nodesView->setAttribute(Qt::WA_DeleteOnClose);
    m_nodesView->show();
}

void MainWindow::setWatchFolders(watch::WatchFolders* folders)
{
    if (folders && folders != m_watchFolders)
        connect(folders, &watch::WatchFolders::notice, this,
            [this](const QString&, const QString& text, bool problem) {
                if (problem)
                    m_messages->showMessage(text, MessageBar::Kind::Warning);
            });
    m_watchFolders = folders;
    if (!folders)
        return;
    QStringList problems;
    const QList<watch::WatchFolderConfig> configs
        = watchFolderConfigs(m_settings.watchFolders(), m_presets, &problems);
    for (const Error& e : folders->apply(configs))
        problems << e.message;
    if (!problems.isEmpty())
        m_messages->showMessage(tr("A watch folder cannot run: %1").arg(problems.first()),
            MessageBar::Kind::Error, problems.join(u'\n'));
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About vtfarm"),
        tr("<h3>vtfarm %1</h3><p>A video transcoder with a local worker farm.</p>"
           "<p>Drop videos on the window, pick a preset and watch them transcode in parallel.</p>")
            .arg(QStringLiteral(VTFARM_VERSION)));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const int running = m_manager.runningCount();
    if (running > 0) {
        QMessageBox box(QMessageBox::Question, tr("Jobs are running"),
            running == 1 ? tr("A job is still running.") : tr("%1 jobs are still running.").arg(running),
            QMessageBox::NoButton, this);
        box.setInformativeText(
            tr("Stop them now? They go back to the queue and start again the next time you open vtfarm."));
        QPushButton* stop = box.addButton(tr("Stop and requeue"), QMessageBox::AcceptRole);
        box.addButton(tr("Cancel closing"), QMessageBox::RejectRole);
        box.setDefaultButton(stop);
        box.exec();
        if (box.clickedButton() != stop) {
            event->ignore();
            return;
        }
    }
    saveSession();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!DropArea::localPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList paths = DropArea::localPaths(event->mimeData());
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    addPaths(paths);
}

} // namespace vtfarm::ui
