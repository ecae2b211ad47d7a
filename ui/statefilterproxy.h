#pragma once

#include "jobstate.h"

#include <QSet>
#include <QSortFilterProxyModel>
#include <QUuid>
#include <optional>

namespace vtfarm::ui {

/// \brief Sorts the queue by any column and shows only the jobs in one state and/or whose name
/// contains some text.
///
/// A split job's segments are listed right under it, in queue order, however the queue is sorted,
/// and only once the job is expanded; its name says which way (▸ or ▾).
class StateFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit StateFilterProxy(QObject* parent = nullptr);

    /// nullopt: every state.
    void setStateFilter(std::optional<jobs::JobState> state);
    std::optional<jobs::JobState> stateFilter() const { return m_state; }
    void setNameFilter(const QString& text);

    /// Whether the segments of the split job \a id are listed.
    bool isExpanded(const QUuid& id) const { return m_expanded.contains(id); }
    void setExpanded(const QUuid& id, bool expanded);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    bool acceptsJob(int sourceRow) const;
    /// The source row of the job itself, or of the split job a segment belongs to.
    int familyRow(int sourceRow) const;

    std::optional<jobs::JobState> m_state;
    QString m_name;
    QSet<QUuid> m_expanded;
};

} // namespace vtfarm::ui
