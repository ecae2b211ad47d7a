#include "outputpanel.h"

#include "icons.h"
#include "outputnaming.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace vtfarm::ui {

namespace {
enum Where
{
    NextToSource = 0,
    InFolder = 1
};
}

OutputPanel::OutputPanel(QWidget* parent)
    : QWidget(parent)
    , m_where(new QComboBox(this))
    , m_folder(new QLineEdit(this))
    , m_browse(new QToolButton(this))
    , m_pattern(new QLineEdit(QStringLiteral("{name}"), this))
    , m_preview(new QLabel(this))
    , m_error(new QLabel(this))
{
    m_where->addItem(tr("Next to the source file"));
    m_where->addItem(tr("In this folder:"));
    m_where->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_where->setMinimumContentsLength(8);
    m_folder->setPlaceholderText(tr("Choose a folder…"));
    m_browse->setIcon(icon(QStringLiteral("folder")));
    m_browse->setToolTip(tr("Choose the output folder"));
    m_pattern->setToolTip(tr("{name} is the source file's name without its extension, e.g. {name}-small"));
    m_preview->setForegroundRole(QPalette::PlaceholderText);
    m_preview->setWordWrap(true);
    QPalette pal = m_error->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_error->setPalette(pal);
    m_error->setWordWrap(true);
    m_error->hide();

    auto* folderRow = new QWidget(this);
    auto* folderLayout = new QHBoxLayout(folderRow);
    folderLayout->setContentsMargins(0, 0, 0, 0);
    folderLayout->addWidget(m_folder, 1);
    folderLayout->addWidget(m_browse);

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Save"), m_where);
    form->addRow(QString(), folderRow);
    form->addRow(tr("File name"), m_pattern);
    form->addRow(QString(), m_preview);
    form->addRow(QString(), m_error);

    connect(m_where, &QComboBox::currentIndexChanged, this, &OutputPanel::refresh);
    connect(m_folder, &QLineEdit::textChanged, this, &OutputPanel::refresh);
    connect(m_pattern, &QLineEdit::textChanged, this, &OutputPanel::refresh);
    connect(m_browse, &QToolButton::clicked, this, &OutputPanel::browse);
    refresh();
}

QString OutputPanel::outputFolder() const
{
    return m_where->currentIndex() == InFolder ? m_folder->text().trimmed() : QString();
}

void OutputPanel::setOutputFolder(const QString& folder)
{
    m_folder->setText(folder);
    m_where->setCurrentIndex(folder.trimmed().isEmpty() ? NextToSource : InFolder);
}

QString OutputPanel::namePattern() const
{
    const QString p = m_pattern->text().trimmed();
    return p.isEmpty() ? QStringLiteral("{name}") : p;
}

void OutputPanel::setNamePattern(const QString& pattern)
{
    m_pattern->setText(pattern);
}

Result<void> OutputPanel::check() const
{
    if (m_where->currentIndex() == InFolder && m_folder->text().trimmed().isEmpty())
        return Error::invalid(QStringLiteral("output_dir"),
            tr("Choose the folder to save into, or save next to the source files."));
    if (m_where->currentIndex() == InFolder && !QDir::isAbsolutePath(m_folder->text().trimmed()))
        return Error::invalid(
            QStringLiteral("output_dir"), tr("The output folder must be a full path, like /home/me/Videos."));
    return {};
}

void OutputPanel::setExample(const QString& container)
{
    m_container = container;
    refresh();
}

void OutputPanel::browse()
{
    const QString dir
        = QFileDialog::getExistingDirectory(this, tr("Save transcoded files in"), m_folder->text());
    if (!dir.isEmpty())
        setOutputFolder(dir);
}

void OutputPanel::refresh()
{
    const bool inFolder = m_where->currentIndex() == InFolder;
    m_folder->setEnabled(inFolder);
    m_browse->setEnabled(inFolder);
    m_preview->setText(
        tr("holiday.mov → %1.%2")
            .arg(jobs::expandNamePattern(namePattern(), QStringLiteral("holiday.mov")), m_container));
    const auto ok = check();
    m_error->setText(ok ? QString() : ok.error().message);
    m_error->setVisible(!ok);
    Q_EMIT changed();
}

} // namespace vtfarm::ui
