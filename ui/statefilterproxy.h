#pragma once

#include "jobstate.h"

#include <QSortFilterProxyModel>
#include <optional>

namespace vtfarm::ui {

/// \brief Sorts the queue by any column and shows only the jobs in one state and/or whose name
/// contains some text.
class StateFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit StateFilterProxy(QObject* parent = nullptr);

    /// nullopt: every state.
    void setStateFilter(std::optional<jobs::JobState> state);
    std::optional<jobs::JobState> stateFilter() const { return m_state; }
    void setNameFilter(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    std::optional<jobs::JobState> m_state;
    QString m_name;
};

} // namespace vtfarm::ui
