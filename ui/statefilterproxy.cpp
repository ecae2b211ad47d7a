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

bool StateFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_state && m_name.isEmpty())
        return true;
    const QModelIndex name = sourceModel()->index(sourceRow, JobTableModel::Name, sourceParent);
    if (m_state && name.data(JobTableModel::StateRole).toInt() != int(*m_state))
        return false;
    return m_name.isEmpty() || name.data(Qt::DisplayRole).toString().contains(m_name, Qt::CaseInsensitive);
}

bool StateFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(sortRole()), r = right.data(sortRole());
    // Equal keys fall back to the queue order, so a sort is stable and predictable.
    if (QVariant::compare(l, r) == QPartialOrdering::Equivalent)
        return left.row() < right.row();
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace vtfarm::ui
