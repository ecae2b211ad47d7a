#include "jobtablemodel.h"

#include "formatting.h"
#include "jobmanager.h"
#include "partfile.h"
#include "qualitycheck.h"

#include <QFileInfo>
#include <QLocale>

namespace vtfarm::ui {

using jobs::Job;
using jobs::JobState;

JobTableModel::JobTableModel(jobs::JobManager& manager, QObject* parent)
    : QAbstractTableModel(parent)
    , m_manager(manager)
    , m_ids(manager.order())
{
    countPlaces();
    connect(&m_manager, &jobs::JobManager::jobAdded, this, &JobTableModel::onJobAdded);
    connect(&m_manager, &jobs::JobManager::jobRemoved, this, &JobTableModel::onJobRemoved);
    connect(&m_manager, &jobs::JobManager::jobChanged, this, &JobTableModel::onJobChanged);
    connect(&m_manager, &jobs::JobManager::orderChanged, this, &JobTableModel::onOrderChanged);
}

int JobTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int JobTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

// Numbers line up on the right, in the header as in the cells.
QVariant columnAlignment(int column)
{
    switch (column) {
    case JobTableModel::Position:
    case JobTableModel::Fps:
    case JobTableModel::Speed:
    case JobTableModel::Eta:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
}

} // namespace

QVariant JobTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return columnAlignment(section);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Position:
            return tr("Place in the queue; sort by this column to see the queue order");
        case Fps:
            return tr("Frames encoded per second");
        case Speed:
            return tr("Seconds of video written per second (2.0× is twice real time)");
        case Eta:
            return tr("Time left");
        case Sizes:
            return tr("Size of the source file → size of the output file");
        case Node:
            return tr("The farm's node that runs the job; empty: this computer");
        case Quality:
            return tr("How close the output is to the source (SSIM, 1 is identical, and PSNR), where the "
                      "preset asks for the quality check");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Position:
        return tr("#");
    case Name:
        return tr("Name");
    case Preset:
        return tr("Preset");
    case State:
        return tr("State");
    case Progress:
        return tr("Progress");
    case Fps:
        return tr("FPS");
    case Speed:
        return tr("Speed");
    case Eta:
        return tr("ETA");
    case Sizes:
        return tr("Size");
    case Node:
        return tr("Node");
    case Error:
        return tr("Error");
    case Quality:
        return tr("Quality");
    }
    return {};
}

QVariant JobTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Job* job = m_manager.find(m_ids.at(index.row()));
    if (!job)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(*job, index.row(), column);
    case IdRole:
        return QVariant::fromValue(job->id);
    case StateRole:
        return int(job->state);
    case ProgressRole:
        return job->progress;
    case SortRole:
        return sortData(*job, index.row(), column);
    case OutputPathRole:
        return job->outputPath;
    case ErrorRole:
        return job->error;
    case ParentRole:
        return QVariant::fromValue(job->parent);
    case SegmentsRole:
        return job->isParent() ? job->segmentsTotal() : 0;
    case Qt::ToolTipRole:
        switch (column) {
        case Name:
            return tr("%1\n→ %2").arg(job->spec.input, job->outputPath);
        case State:
            return job->attempts > 1 ? tr("%1 (attempt %2)").arg(stateText(job->state)).arg(job->attempts)
                                     : stateText(job->state);
        case Quality:
            return qualityToolTip(*job);
        case Error: {
            QString text = job->error;
            if (!job->warnings.isEmpty())
                text += (text.isEmpty() ? QString() : QStringLiteral("\n\n")) + job->warnings.join(u'\n');
            return text.isEmpty() ? QVariant() : QVariant(text);
        }
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (column == State)
            return stateColor(job->state);
        if (column == Error && job->state == JobState::Failed)
            return stateColor(JobState::Failed);
        return {};
    case Qt::TextAlignmentRole:
        return columnAlignment(column);
    default:
        return {};
    }
}

QVariant JobTableModel::displayData(const Job& job, int row, int column) const
{
    const bool running = job.state == JobState::Started;
    switch (column) {
    case Position:
        // A segment is listed under its job, and has no place of its own.
        return job.isChild() ? QVariant() : QVariant(m_places.value(row) + 1);
    case Name:
        if (job.isChild()) {
            if (job.segment == jobs::kAudioPassSegment)
                return tr("Audio and subtitles");
            const Job* parent = m_manager.find(job.parent);
            return tr("Segment %1 of %2").arg(job.segment + 1).arg(parent ? parent->segmentsTotal() : 0);
        }
        return job.name();
    case Preset:
        return job.spec.presetName.isEmpty() ? tr("Custom") : job.spec.presetName;
    case State:
        // A split job says how far its segments are ("12/40 segments").
        if (job.isParent() && !isFinal(job.state))
            return tr("%1, %2/%3 segments")
                .arg(stateText(job.state))
                .arg(job.segmentsDone)
                .arg(job.segmentsTotal());
        return stateText(job.state);
    case Progress:
        return QStringLiteral("%1%").arg(int(job.progress * 100));
    case Fps:
        // A finished job keeps the rate it ended at, which is what a person compares presets by.
        return (running || job.state == JobState::Finished) && job.fps > 0
            ? QLocale().toString(job.fps, 'f', 0)
            : QString();
    case Speed:
        if (job.speed <= 0 || (!running && job.state != JobState::Finished))
            return QString();
        return tr("%1×").arg(QLocale().toString(job.speed, 'f', job.speed < 10 ? 2 : 1));
    case Eta:
        return running ? formatDuration(job.etaSeconds) : QString();
    case Sizes: {
        qint64 out = job.outputBytes;
        if (running)
            out = m_partBytes.value(job.id);
        const QString in = formatBytes(job.inputBytes);
        if (out > 0)
            return tr("%1 → %2").arg(in, formatBytes(out));
        return in;
    }
    case Node:
        return job.node;
    case Error:
        // A cancel is the person's own doing, and the state says it; the column is for what went wrong.
        if (job.state == JobState::Canceled)
            return QString();
        // One line in the table; the tooltip and "Copy error" have the whole text.
        return job.error.section(u'\n', 0, 0);
    case Quality:
        if (job.inputKept)
            return tr("Source kept");
        if (!job.quality.measured())
            return QString();
        return tr("%1 · %2 dB")
            .arg(QLocale().toString(*job.quality.ssim, 'f', 3),
                QLocale().toString(job.quality.psnr.value_or(0), 'f', 1));
    }
    return {};
}

QVariant JobTableModel::sortData(const Job& job, int row, int column) const
{
    switch (column) {
    case Position:
        return row;
    case Name:
        return job.name();
    case Preset:
        return job.spec.presetName;
    case State:
        return int(job.state);
    case Progress:
        return job.progress;
    case Fps:
        return job.fps;
    case Speed:
        return job.speed;
    case Eta:
        return job.etaSeconds;
    case Sizes:
        return job.inputBytes;
    case Node:
        return job.node;
    case Error:
        return job.error;
    case Quality:
        return job.quality.ssim.value_or(-1);
    }
    return {};
}

QVariant JobTableModel::qualityToolTip(const Job& job) const
{
    if (job.inputKept)
        return tr("The output was larger than the source, so it was removed and the source kept.");
    if (!job.quality.measured())
        return {};
    QString text = tr("SSIM %1, PSNR %2 dB")
                       .arg(QLocale().toString(*job.quality.ssim, 'f', 4),
                           QLocale().toString(job.quality.psnr.value_or(0), 'f', 2));
    if (job.quality.vmaf)
        text += tr(", VMAF %1").arg(QLocale().toString(*job.quality.vmaf, 'f', 1));
    else if (!media::vmafAvailable())
        text += u'\n' + tr("VMAF is not measured: this FFmpeg was built without libvmaf.");
    return text;
}

void JobTableModel::onJobAdded(const QUuid& id)
{
    const QList<QUuid>& order = m_manager.order();
    const qsizetype have = m_ids.size();
    // submitMany() appends every job before it announces the first: the whole tail goes in as one
    // insertion, and the announcements of the others find their rows there already.
    if (order.size() == have && have > 0 && order.last() == m_ids.last())
        return;
    const bool appended = order.size() > have
        && (have == 0 || (order.first() == m_ids.first() && order.at(have - 1) == m_ids.last()))
        && order.mid(have).contains(id);
    if (!appended) {
        resetFromManager();
        return;
    }
    beginInsertRows({}, int(have), int(order.size()) - 1);
    m_ids = order;
    for (qsizetype row = have; row < m_ids.size(); ++row) {
        const Job* job = m_manager.find(m_ids.at(row));
        m_places.append(job && job->isChild() ? -1 : m_jobCount++);
    }
    endInsertRows();
}

void JobTableModel::onJobRemoved(const QUuid& id)
{
    m_partBytes.remove(id);
    const int row = rowOf(id);
    if (row < 0)
        return;
    // The position column of the rows below changes with their row, as views expect of a removal;
    // announcing it for thousands of rows would make a sorted proxy re-sort each time.
    beginRemoveRows({}, row, row);
    m_ids.removeAt(row);
    // Without a lookup per job: clearing thousands of finished jobs removes them one by one.
    if (m_places.takeAt(row) >= 0) {
        --m_jobCount;
        for (qsizetype r = row; r < m_places.size(); ++r) {
            if (m_places[r] >= 0)
                --m_places[r];
        }
    }
    endRemoveRows();
}

void JobTableModel::onJobChanged(const QUuid& id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    if (const Job* job = m_manager.find(id); job && job->state == JobState::Started)
        m_partBytes.insert(id, QFileInfo(media::partPath(job->outputPath)).size());
    else
        m_partBytes.remove(id);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void JobTableModel::onOrderChanged()
{
    const QList<QUuid>& order = m_manager.order();
    if (order.size() != m_ids.size()) {
        resetFromManager();
        return;
    }
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList persistent = persistentIndexList();
    QList<QUuid> persistentIds;
    persistentIds.reserve(persistent.size());
    for (const QModelIndex& i : persistent)
        persistentIds.append(m_ids.at(i.row()));
    m_ids = order;
    countPlaces();
    QHash<QUuid, int> newRow;
    newRow.reserve(m_ids.size());
    for (int r = 0; r < m_ids.size(); ++r)
        newRow.insert(m_ids.at(r), r);
    for (int i = 0; i < persistent.size(); ++i) {
        const QModelIndex& from = persistent.at(i);
        const int r = newRow.value(persistentIds.at(i), -1);
        changePersistentIndex(from, r < 0 ? QModelIndex() : index(r, from.column()));
    }
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void JobTableModel::resetFromManager()
{
    beginResetModel();
    m_ids = m_manager.order();
    countPlaces();
    m_partBytes.clear();
    endResetModel();
}

int JobTableModel::placeOf(const QUuid& id) const
{
    return m_places.value(rowOf(id), -1);
}

void JobTableModel::countPlaces()
{
    m_places.resize(m_ids.size());
    int place = 0;
    for (qsizetype row = 0; row < m_ids.size(); ++row) {
        const Job* job = m_manager.find(m_ids.at(row));
        m_places[row] = job && job->isChild() ? -1 : place++;
    }
    m_jobCount = place;
}

} // namespace vtfarm::ui
