#include "droparea.h"

#include "icons.h"

#include <QDragEnterEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QVBoxLayout>

namespace vtfarm::ui {

DropArea::DropArea(QWidget* parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_addFiles(new QPushButton(icon(QStringLiteral("file")), tr("Add files…"), this))
    , m_addFolder(new QPushButton(icon(QStringLiteral("folder")), tr("Add folder…"), this))
{
    setAcceptDrops(true);
    setMinimumHeight(130);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);

    auto* art = new QLabel(this);
    art->setPixmap(icon(QStringLiteral("vtfarm")).pixmap(QSize(40, 40), devicePixelRatioF()));
    art->setAlignment(Qt::AlignCenter);
    m_title->setText(tr("Drop videos or folders here"));
    m_title->setAlignment(Qt::AlignCenter);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_hint->setText(tr("They are queued with the preset below."));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setForegroundRole(QPalette::PlaceholderText);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_addFiles);
    buttons->addWidget(m_addFolder);
    buttons->addStretch();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(4);
    layout->addWidget(art);
    layout->addWidget(m_title);
    layout->addWidget(m_hint);
    layout->addSpacing(4);
    layout->addLayout(buttons);

    connect(m_addFiles, &QPushButton::clicked, this, &DropArea::addFilesClicked);
    connect(m_addFolder, &QPushButton::clicked, this, &DropArea::addFolderClicked);
}

QStringList DropArea::localPaths(const QMimeData* mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    }
    return paths;
}

void DropArea::setBusyText(const QString& text)
{
    m_hint->setText(text.isEmpty() ? tr("They are queued with the preset below.") : text);
}

void DropArea::dragEnterEvent(QDragEnterEvent* event)
{
    if (localPaths(event->mimeData()).isEmpty())
        return;
    event->acceptProposedAction();
    setHighlighted(true);
}

void DropArea::dragMoveEvent(QDragMoveEvent* event)
{
    if (!localPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void DropArea::dragLeaveEvent(QDragLeaveEvent* event)
{
    setHighlighted(false);
    QFrame::dragLeaveEvent(event);
}

void DropArea::dropEvent(QDropEvent* event)
{
    setHighlighted(false);
    const QStringList paths = localPaths(event->mimeData());
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    Q_EMIT pathsDropped(paths);
}

void DropArea::setHighlighted(bool on)
{
    if (m_highlighted == on)
        return;
    m_highlighted = on;
    update();
}

void DropArea::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    QPainterPath path;
    path.addRoundedRect(r, 8, 8);
    const QColor highlight = palette().color(QPalette::Highlight);
    QColor fill = palette().color(QPalette::Base);
    if (m_highlighted) {
        fill = highlight;
        fill.setAlpha(40);
    }
    p.fillPath(path, fill);
    QPen pen(
        m_highlighted ? highlight : palette().color(QPalette::Mid), m_highlighted ? 2.0 : 1.5, Qt::DashLine);
    pen.setDashPattern({ 5, 4 });
    p.setPen(pen);
    p.drawPath(path);
}

} // namespace vtfarm::ui
