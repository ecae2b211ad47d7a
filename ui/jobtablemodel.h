#pragma once

#include "jobstate.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QUuid>

namespace vtfarm::jobs {
class JobManager;
struct Job;
} // namespace vtfarm::jobs

namespace vtfarm::ui {

/// \brief The job queue as a table, one row per job in queue order.
///
/// Holds only the ids, in the manager's order; every cell is read from JobManager::find() when a view
/// asks, so there is one copy of job state: the manager's.
class JobTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    /// Position is the place in the queue: logically last, so column 0 (the name) is what stays with
    /// a row when rows above it go; the view shows it first.
    enum Column
    {
        Name,
        Preset,
        State,
        Progress,
        Fps,
        Speed,
        Eta,
        Sizes,
        Node, ///< the farm's node that runs or ran the job; empty for this computer
        Error,
        Position,
        Quality, ///< the quality check's SSIM and PSNR; after Position so saved column layouts still fit
        ColumnCount
    };
    enum Role
    {
        IdRole = Qt::UserRole + 1, ///< QUuid
        StateRole, ///< int(jobs::JobState)
        ProgressRole, ///< double 0..1
        SortRole, ///< a number or string that sorts the column the way a person expects
        OutputPathRole,
        ErrorRole,
        ParentRole, ///< QUuid: the split job a segment belongs to; null for a job of its own
        SegmentsRole, ///< int: a split job's segments; 0 for a job that is not split
    };

    explicit JobTableModel(jobs::JobManager& manager, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QUuid idAt(int row) const { return m_ids.value(row); }
    int rowOf(const QUuid& id) const { return int(m_ids.indexOf(id)); }
    /// A job's place among the jobs of the queue (what the # column shows, from 0), leaving out
    /// the segments of split jobs, which are listed under their job; -1 for a segment.
    int placeOf(const QUuid& id) const;
    /// The jobs of the queue, without the segments of split jobs.
    int jobCount() const { return m_jobCount; }

private:
    void onJobAdded(const QUuid& id);
    void onJobRemoved(const QUuid& id);
    void onJobChanged(const QUuid& id);
    void onOrderChanged();
    void resetFromManager();
    void countPlaces();
    QVariant displayData(const jobs::Job& job, int row, int column) const;
    QVariant sortData(const jobs::Job& job, int row, int column) const;
    QVariant qualityToolTip(const jobs::Job& job) const;

    jobs::JobManager& m_manager;
    QList<QUuid> m_ids;
    QList<int> m_places; // per row: placeOf(), so that the # column counts jobs, not segments
    int m_jobCount = 0;
    // Bytes written so far to a running job's .part file: a fact of the file system, not of the job.
    QHash<QUuid, qint64> m_partBytes;
};

} // namespace vtfarm::ui
