#pragma once

#include "farm.h"

#include <QDialog>
#include <functional>
#include <optional>

class QLabel;
class QTableWidget;
class QTimer;

namespace vtfarm::ui {

/// \brief The farm's nodes as the coordinator last heard of them: name, host, slots, busy, jobs
/// done, last seen, version. Refreshed every two seconds while it is open.
class NodesView : public QDialog
{
    Q_OBJECT
public:
    /// \a nodes gives the list; it returns nothing when this desktop coordinates no farm.
    NodesView(std::function<std::optional<QList<jobs::NodeInfo>>()> nodes, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    QLabel* statusLabel() const { return m_status; }
    void refresh();

private:
    std::function<std::optional<QList<jobs::NodeInfo>>()> m_nodes;
    QTableWidget* m_table;
    QLabel* m_status;
    QTimer* m_timer;
};

} // namespace vtfarm::ui
