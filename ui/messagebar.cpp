#include "messagebar.h"

#include "icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace vtfarm::ui {

MessageBar::MessageBar(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_close(new QToolButton(this))
    , m_hideTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("messageBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Close"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    m_hideTimer->setSingleShot(true);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    connect(m_hideTimer, &QTimer::timeout, this, &QWidget::hide);
    hide();
}

void MessageBar::showMessage(const QString& text, Kind kind, const QString& details)
{
    m_kind = kind;
    m_text->setText(text);
    setToolTip(details);
    QColor background, border;
    QString iconName;
    switch (kind) {
    case Kind::Info:
        background = QColor(0xe3, 0xf2, 0xfd);
        border = QColor(0x90, 0xb4, 0xd8);
        iconName = QStringLiteral("info");
        break;
    case Kind::Warning:
        background = QColor(0xff, 0xf4, 0xdc);
        border = QColor(0xe0, 0xb0, 0x50);
        iconName = QStringLiteral("warning");
        break;
    case Kind::Error:
        background = QColor(0xfd, 0xe4, 0xe4);
        border = QColor(0xd8, 0x8a, 0x8a);
        iconName = QStringLiteral("cancel");
        break;
    }
    QPalette pal = palette();
    pal.setColor(QPalette::Window, background);
    pal.setColor(QPalette::WindowText, QColor(0x21, 0x21, 0x21));
    setPalette(pal);
    setStyleSheet(QStringLiteral("#messageBar { border: 1px solid %1; border-radius: 4px; background: %2; }")
                      .arg(border.name(), background.name()));
    m_icon->setPixmap(icon(iconName).pixmap(QSize(16, 16), devicePixelRatioF()));
    show();
    // A success note goes away by itself; a problem stays until it is read and closed.
    if (kind == Kind::Info)
        m_hideTimer->start(12000);
    else
        m_hideTimer->stop();
}

QString MessageBar::text() const
{
    return m_text->text();
}

} // namespace vtfarm::ui
