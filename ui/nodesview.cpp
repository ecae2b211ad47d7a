#include "nodesview.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace vtfarm::ui {

NodesView::NodesView(std::function<std::optional<QList<jobs::NodeInfo>>()> nodes, QWidget* parent)
    : QDialog(parent)
    , m_nodes(std::move(nodes))
    , m_table(new QTableWidget(0, 7, this))
    , m_status(new QLabel(this))
    , m_timer(new QTimer(this))
{
    setWindowTitle(tr("Nodes"));
    resize(720, 320);
    m_table->setHorizontalHeaderLabels(
        { tr("Name"), tr("Host"), tr("Slots"), tr("Busy"), tr("Jobs done"), tr("Last seen"), tr("Version") });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_status->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    m_timer->setInterval(2000);
    connect(m_timer, &QTimer::timeout, this, &NodesView::refresh);
    m_timer->start();
    refresh();
}

void NodesView::refresh()
{
    const std::optional<QList<jobs::NodeInfo>> nodes = m_nodes ? m_nodes() : std::nullopt;
    if (!nodes) {
        m_table->setRowCount(0);
        m_status->setText(tr("This computer coordinates no farm. Settings → Farm turns it on; the nodes "
                             "are other computers running “vtfarm-cli node”."));
        return;
    }
    const QLocale locale;
    int slots = 0, busy = 0;
    m_table->setRowCount(int(nodes->size()));
    for (int row = 0; row < nodes->size(); ++row) {
        const jobs::NodeInfo& n = nodes->at(row);
        slots += n.slots;
        busy += n.busy;
        const QString seen = n.lastSeen.isValid()
            ? locale.toString(n.lastSeen.toLocalTime().time(), QLocale::LongFormat)
            : QString();
        const QStringList cells = { n.name, n.host, locale.toString(n.slots), locale.toString(n.busy),
            locale.toString(n.jobsDone), seen, n.version };
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells.at(column));
            if (column >= 2 && column <= 4)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, column, item);
        }
    }
    m_status->setText(nodes->isEmpty()
            ? tr("No node is connected. Start “vtfarm-cli node --redis … --server … --token-file …” on "
                 "another computer.")
            : tr("%n node(s), %1 of %2 slots busy.", nullptr, int(nodes->size()))
                  .arg(locale.toString(busy), locale.toString(slots)));
}

} // namespace vtfarm::ui
