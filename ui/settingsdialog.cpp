#include "settingsdialog.h"

#include "farmpage.h"
#include "icons.h"
#include "jobmanager.h"
#include "translations.h"
#include "watchfolderspage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace vtfarm::ui {

SettingsDialog::SettingsDialog(AppSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_workers(new QSpinBox(this))
    , m_threads(new QSpinBox(this))
    , m_stallTimeout(new QSpinBox(this))
    , m_outputFolder(new QLineEdit(this))
    , m_overwrite(new QComboBox(this))
    , m_notifications(new QCheckBox(tr("Notify when a job fails and when the queue is done"), this))
    , m_language(new QComboBox(this))
    , m_apiEnabled(new QCheckBox(tr("Accept jobs over HTTP (REST API and metrics)"), this))
    , m_bindAddress(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_token(new QLineEdit(this))
    , m_apiWarning(new QLabel(this))
    , m_farm(new FarmPage(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_tabs(new QTabWidget(this))
    , m_watchPage(new WatchFoldersPage(this))
{
    setWindowTitle(tr("Settings"));
    setMinimumWidth(560);
    setWindowIcon(icon(QStringLiteral("settings")));

    m_workers->setRange(0, 64);
    m_workers->setSpecialValueText(tr("Automatic (%1)").arg(jobs::JobManager::defaultConcurrency()));
    m_workers->setToolTip(tr("How many files are transcoded at the same time."));
    m_threads->setRange(0, 64);
    m_threads->setSpecialValueText(tr("Automatic"));
    m_threads->setToolTip(
        tr("Encoder threads per job. Workers × threads should be about the number of cores (%1).")
            .arg(QThread::idealThreadCount()));

    m_stallTimeout->setRange(0, 86'400);
    m_stallTimeout->setSuffix(tr(" s"));
    m_stallTimeout->setSpecialValueText(tr("Never"));
    m_stallTimeout->setToolTip(
        tr("A worker that makes no progress for this long is stopped, and its job runs again."));

    auto* farm = new QGroupBox(tr("Workers"), this);
    auto* farmForm = new QFormLayout(farm);
    farmForm->addRow(tr("Jobs at once"), m_workers);
    farmForm->addRow(tr("Threads per job"), m_threads);
    farmForm->addRow(tr("Stop a stuck worker after"), m_stallTimeout);

    m_outputFolder->setPlaceholderText(tr("Next to the source file"));
    auto* browse = new QToolButton(this);
    browse->setIcon(icon(QStringLiteral("folder")));
    browse->setToolTip(tr("Choose a folder"));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_outputFolder, 1);
    folderRow->addWidget(browse);
    m_overwrite->addItem(
        tr("Keep it and pick a new name, like “video (1).mp4”"), int(AppSettings::OverwritePolicy::NewName));
    m_overwrite->addItem(tr("Replace it"), int(AppSettings::OverwritePolicy::Overwrite));

    auto* output = new QGroupBox(tr("Output"), this);
    auto* outputForm = new QFormLayout(output);
    outputForm->addRow(tr("Default folder"), folderRow);
    outputForm->addRow(tr("When the file exists"), m_overwrite);
    outputForm->addRow(QString(), m_notifications);

    m_bindAddress->setPlaceholderText(QStringLiteral("127.0.0.1"));
    m_port->setRange(1, 65535);
    m_token->setPlaceholderText(tr("Required when listening beyond this computer"));
    m_token->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    auto* generate = new QPushButton(tr("Generate"), this);
    generate->setToolTip(tr("Make a new random token"));
    auto* tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(generate);
    m_apiWarning->setWordWrap(true);
    QPalette warn = m_apiWarning->palette();
    warn.setColor(QPalette::WindowText, QColor(0xb2, 0x5e, 0x00));
    m_apiWarning->setPalette(warn);

    auto* api = new QGroupBox(tr("API server"), this);
    auto* apiForm = new QFormLayout(api);
    apiForm->addRow(m_apiEnabled);
    apiForm->addRow(tr("Listen on address"), m_bindAddress);
    apiForm->addRow(tr("Port"), m_port);
    apiForm->addRow(tr("Access token"), tokenRow);
    apiForm->addRow(m_apiWarning);

    QPalette bad = m_problem->palette();
    bad.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_problem->setPalette(bad);
    m_problem->setWordWrap(true);

    // Each language by its own name, so that whoever cannot read the current one finds theirs.
    m_language->addItem(tr("The system's language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    for (const QString& name : availableLanguages()) {
        const QLocale locale(name);
        QString native = locale.nativeLanguageName();
        if (!native.isEmpty())
            native[0] = native[0].toUpper();
        m_language->addItem(native, name);
    }
    m_language->setToolTip(tr("The language of the window; it changes when vtfarm is started again."));
    auto* languageBox = new QGroupBox(tr("Language"), this);
    auto* languageForm = new QFormLayout(languageBox);
    languageForm->addRow(tr("Language"), m_language);
    languageForm->addRow(QString(), new QLabel(tr("Takes effect the next time vtfarm starts."), languageBox));

    auto* general = new QWidget(this);
    auto* generalLayout = new QVBoxLayout(general);
    generalLayout->addWidget(farm);
    generalLayout->addWidget(output);
    generalLayout->addWidget(api);
    generalLayout->addWidget(languageBox);
    generalLayout->addStretch(1);
    m_tabs->addTab(general, tr("General"));
    m_tabs->addTab(m_watchPage, tr("Watch folders"));
    auto* farmTab = new QWidget(this);
    auto* farmLayout = new QVBoxLayout(farmTab);
    farmLayout->addWidget(m_farm);
    farmLayout->addStretch(1);
    m_tabs->addTab(farmTab, tr("Farm"));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(browse, &QToolButton::clicked, this, &SettingsDialog::browse);
    connect(generate, &QPushButton::clicked, this, [this] {
        m_token->setEchoMode(QLineEdit::Normal);
        m_token->setText(generateToken());
    });
    connect(m_apiEnabled, &QCheckBox::toggled, this, &SettingsDialog::refresh);
    connect(m_bindAddress, &QLineEdit::textChanged, this, &SettingsDialog::refresh);
    connect(m_token, &QLineEdit::textChanged, this, &SettingsDialog::refresh);
    connect(m_farm, &FarmPage::changed, this, &SettingsDialog::refresh);
    load();
}

void SettingsDialog::load()
{
    m_workers->setValue(m_settings.workerCount());
    m_threads->setValue(m_settings.threadsPerJob());
    m_stallTimeout->setValue(m_settings.stallTimeoutSeconds());
    m_outputFolder->setText(m_settings.defaultOutputFolder());
    m_overwrite->setCurrentIndex(m_overwrite->findData(int(m_settings.overwritePolicy())));
    m_notifications->setChecked(m_settings.notificationsEnabled());
    m_language->setCurrentIndex(std::max(0, m_language->findData(m_settings.language())));
    const ApiServerSettings api = m_settings.apiServer();
    m_apiEnabled->setChecked(api.enabled);
    m_bindAddress->setText(api.bindAddress);
    m_port->setValue(api.port);
    m_token->setText(api.token);
    m_farm->load(m_settings.farm());
    m_watchPage->setEntries(m_settings.watchFolders());
    refresh();
}

void SettingsDialog::setWatchFolders(const watch::WatchFolders* running, const QStringList& presetNames)
{
    m_watchPage->setRunning(running);
    m_watchPage->setPresetNames(presetNames);
}

QString SettingsDialog::generateToken()
{
    // 32 random bytes from the system's generator, URL-safe so it fits a header and a shell line.
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(
        reinterpret_cast<quint32*>(bytes.data()), bytes.size() / int(sizeof(quint32)));
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString SettingsDialog::problem() const
{
    const QString folder = m_outputFolder->text().trimmed();
    if (!folder.isEmpty() && !QDir::isAbsolutePath(folder))
        return tr("The default folder must be a full path, like /home/me/Videos.");
    if (const QString farm = m_farm->problem(m_apiEnabled->isChecked(), m_token->text()); !farm.isEmpty())
        return farm;
    if (!m_apiEnabled->isChecked())
        return {};
    const QString address = m_bindAddress->text().trimmed();
    if (address.isEmpty())
        return tr("Enter the address the API server listens on; 127.0.0.1 keeps it on this computer.");
    if (!ApiServerSettings::isLoopback(address) && m_token->text().trimmed().size() < 16)
        return tr("Listening on %1 lets other computers connect: set an access token of at least 16 "
                  "characters (Generate makes one).")
            .arg(address);
    return {};
}

void SettingsDialog::refresh()
{
    const bool enabled = m_apiEnabled->isChecked();
    m_bindAddress->setEnabled(enabled);
    m_port->setEnabled(enabled);
    m_token->setEnabled(enabled);
    const QString address = m_bindAddress->text().trimmed();
    const bool beyond = enabled && !address.isEmpty() && !ApiServerSettings::isLoopback(address);
    m_apiWarning->setText(beyond
            ? tr("⚠ Other computers on the network can reach %1. Every request must carry the token; "
                 "for access from outside, prefer 127.0.0.1 behind a reverse proxy with TLS.")
                  .arg(address)
            : QString());
    const bool grew = (beyond && m_apiWarning->isHidden()) || (!problem().isEmpty() && m_problem->isHidden());
    m_apiWarning->setVisible(beyond);
    m_problem->setText(problem());
    m_problem->setVisible(!m_problem->text().isEmpty());
    // Wrapped notes need more height than the layout asks for on its own; make room once they show.
    if (grew)
        QTimer::singleShot(0, this, [this] {
            layout()->activate();
            const int wanted = heightForWidth(width());
            if (wanted > height())
                resize(width(), wanted);
        });
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_problem->text().isEmpty());
}

void SettingsDialog::browse()
{
    const QString dir
        = QFileDialog::getExistingDirectory(this, tr("Default output folder"), m_outputFolder->text());
    if (!dir.isEmpty())
        m_outputFolder->setText(dir);
}

bool SettingsDialog::apply()
{
    refresh();
    if (!problem().isEmpty())
        return false;
    m_settings.setWorkerCount(m_workers->value());
    m_settings.setThreadsPerJob(m_threads->value());
    m_settings.setStallTimeoutSeconds(m_stallTimeout->value());
    m_settings.setDefaultOutputFolder(m_outputFolder->text());
    m_settings.setOverwritePolicy(AppSettings::OverwritePolicy(m_overwrite->currentData().toInt()));
    m_settings.setNotificationsEnabled(m_notifications->isChecked());
    m_settings.setLanguage(m_language->currentData().toString());
    ApiServerSettings api;
    api.enabled = m_apiEnabled->isChecked();
    api.bindAddress = m_bindAddress->text().trimmed().isEmpty() ? QStringLiteral("127.0.0.1")
                                                                : m_bindAddress->text().trimmed();
    api.port = m_port->value();
    api.token = m_token->text().trimmed();
    m_settings.setApiServer(api);
    m_settings.setFarm(m_farm->value());
    m_settings.setWatchFolders(m_watchPage->entries());
    m_settings.sync();
    return true;
}

void SettingsDialog::accept()
{
    if (apply())
        QDialog::accept();
}

} // namespace vtfarm::ui
