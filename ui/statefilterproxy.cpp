#include "statefilterproxy.h"

#include "jobtablemodel.h"

namespace vtfarm::ui {

StateFilterProxy::StateFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(JobTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(true);
}

void StateFilterProxy::setStateFilter(std::optional<jobs::JobState> state)
{
    if (m_state == state)
        return;
    m_state = state;
    invalidateRowsFilter();
}

void StateFilterProxy::setNameFilter(const QString& text)
{
    if (m_name == text.trimmed())
        return;
    m_name = text.trimmed();
    invalidateRowsFilter();
}

void StateFilterProxy::setExpanded(const QUuid& id, bool expanded)
{
    if (expanded == m_expanded.contains(id))
        return;
    if (expanded)
        m_expanded.insert(id);
    else
        m_expanded.remove(id);
    invalidateRowsFilter();
    if (const auto* jobs = qobject_cast<const JobTableModel*>(sourceModel())) {
        const QModelIndex name = mapFromSource(jobs->index(jobs->rowOf(id), JobTableModel::Name));
        if (name.isValid())
            Q_EMIT dataChanged(name, name, { Qt::DisplayRole });
    }
}

QVariant StateFilterProxy::data(const QModelIndex& index, int role) const
{
    QVariant value = QSortFilterProxyModel::data(index, role);
    if (role != Qt::DisplayRole || index.column() != JobTableModel::Name
        || index.data(JobTableModel::SegmentsRole).toInt() <= 0)
        return value;
    const bool open = isExpanded(index.data(JobTableModel::IdRole).toUuid());
    return QString((open ? QStringLiteral("\u25BE ") : QStringLiteral("\u25B8 ")) + value.toString());
}

bool StateFilterProxy::acceptsJob(int sourceRow) const
{
    if (!m_state && m_name.isEmpty())
        return true;
    const QModelIndex name = sourceModel()->index(sourceRow, JobTableModel::Name);
    if (m_state && name.data(JobTableModel::StateRole).toInt() != int(*m_state))
        return false;
    return m_name.isEmpty() || name.data(Qt::DisplayRole).toString().contains(m_name, Qt::CaseInsensitive);
}

int StateFilterProxy::familyRow(int sourceRow) const
{
    const auto* jobs = qobject_cast<const JobTableModel*>(sourceModel());
    if (!jobs)
        return sourceRow;
    const QUuid parent = jobs->index(sourceRow, 0).data(JobTableModel::ParentRole).toUuid();
    if (parent.isNull())
        return sourceRow;
    const int row = jobs->rowOf(parent);
    return row < 0 ? sourceRow : row;
}

bool StateFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    const int family = familyRow(sourceRow);
    if (family == sourceRow)
        return acceptsJob(sourceRow);
    // A segment: listed when its job is, and expanded.
    const QUuid parent = sourceModel()->index(family, 0).data(JobTableModel::IdRole).toUuid();
    return m_expanded.contains(parent) && acceptsJob(family);
}

bool StateFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const int leftFamily = familyRow(left.row()), rightFamily = familyRow(right.row());
    if (leftFamily == rightFamily) {
        // The job first, then its segments in queue order, whichever way the column sorts (a
        // descending sort asks the other way round).
        const bool before
            = left.row() == leftFamily || (right.row() != rightFamily && left.row() < right.row());
        return sortOrder() == Qt::AscendingOrder ? before : !before;
    }
    // Families sort by their jobs.
    const QModelIndex l = left.siblingAtRow(leftFamily), r = right.siblingAtRow(rightFamily);
    const QVariant lv = l.data(sortRole()), rv = r.data(sortRole());
    // Equal keys fall back to the queue order, so a sort is stable and predictable.
    if (QVariant::compare(lv, rv) == QPartialOrdering::Equivalent)
        return l.row() < r.row();
    return QSortFilterProxyModel::lessThan(l, r);
}

} // namespace vtfarm::ui
