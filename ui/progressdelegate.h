#pragma once

#include <QStyledItemDelegate>

namespace vtfarm::ui {

/// \brief Draws a job's progress as a bar in its state's colour with the percentage on it.
///
/// Reads JobTableModel::ProgressRole and StateRole, so it works through any proxy.
class ProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(
        QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace vtfarm::ui
