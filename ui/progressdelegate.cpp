#include "progressdelegate.h"

#include "formatting.h"
#include "jobtablemodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <cmath>

namespace vtfarm::ui {

using jobs::JobState;

void ProgressDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    // The selection background and focus frame come from the style, the bar from us.
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto state = JobState(index.data(JobTableModel::StateRole).toInt());
    const double progress = std::clamp(index.data(JobTableModel::ProgressRole).toDouble(), 0.0, 1.0);
    // A job that never got going has no bar: its state column says enough.
    if (state == JobState::Queued || (progress <= 0 && state != JobState::Started))
        return;

    const QRectF bar = QRectF(option.rect).adjusted(4, 4, -4, -4);
    if (bar.width() < 8 || bar.height() < 6)
        return;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const qreal radius = std::min<qreal>(4, bar.height() / 2);
    QPainterPath frame;
    frame.addRoundedRect(bar, radius, radius);
    const QColor accent = stateColor(state);
    QColor track = option.palette.color(QPalette::Base);
    track = track.lightness() > 128 ? track.darker(108) : track.lighter(130);
    painter->fillPath(frame, track);
    const QRectF filled(bar.left(), bar.top(), bar.width() * progress, bar.height());
    painter->save();
    painter->setClipRect(filled);
    QColor fill = accent;
    if (state != JobState::Started && state != JobState::Finished)
        fill.setAlpha(150);
    painter->fillPath(frame, fill);
    painter->restore();
    painter->setPen(QPen(accent.darker(115), 1));
    painter->drawPath(frame);

    // The percentage is drawn twice, clipped: light on the filled part, dark on the track.
    const QString text = QStringLiteral("%1%").arg(int(std::floor(progress * 100)));
    QFont font = option.font;
    font.setBold(state == JobState::Started);
    painter->setFont(font);
    painter->save();
    painter->setClipRect(filled);
    painter->setPen(Qt::white);
    painter->drawText(bar, Qt::AlignCenter, text);
    painter->restore();
    painter->setClipRect(QRectF(filled.right(), bar.top(), bar.right() - filled.right(), bar.height()));
    painter->setPen(option.palette.color(QPalette::Text));
    painter->drawText(bar, Qt::AlignCenter, text);
    painter->restore();
}

QSize ProgressDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), option.fontMetrics.horizontalAdvance(QStringLiteral("100%")) * 3));
    return size;
}

} // namespace vtfarm::ui
