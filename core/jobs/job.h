#pragma once

#include "jobstate.h"
#include "qualityscores.h"
#include "result.h"
#include "transcodesettings.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUuid>

namespace vtfarm::jobs {

QString jobSourceName(JobSource source);
JobSource jobSourceFromString(const QString& text);

/// \brief What to do: one input, where to write, and how.
struct JobSpec
{
    QString input;
    /// The output file. When empty, the output is named from outputDir, namePattern and the container.
    QString output;
    QString outputDir; ///< empty: next to the input
    QString namePattern = QStringLiteral("{name}"); ///< {name} is the input's base name
    QString container = QStringLiteral("mp4"); ///< used when output is empty
    media::TranscodeSettings settings;
    QString presetName; ///< for display; the settings are what runs
    int priority = 0; ///< higher runs first
    JobSource source = JobSource::Gui;
    QString displayName; ///< shown instead of the input's file name (uploads keep the client's name here)
    bool removeInputWhenDone = false; ///< for uploaded inputs the server owns
    /// Whether the job is encoded in segments on many slots at once: "auto" (when it is longer than
    /// splitMinSeconds and two slots, local or on the farm's nodes, can take work), "off", or the
    /// segments' length in seconds ("10", "60").
    QString split = QStringLiteral("auto");
    double splitMinSeconds = 120; ///< for "auto"

    QJsonObject toJson() const;
    static Result<JobSpec> fromJson(const QJsonObject& json);
};

/// \brief The segment length \a split (JobSpec::split) asks for: 0 for "auto", -1 for "off", an
/// error naming the field "split" for anything else than those or seconds from 1 to 3600.
Result<double> splitSeconds(const QString& split);

/// The segment length an "auto" split uses.
inline constexpr double kAutoSegmentSeconds = 60;
/// \brief The segment length \a spec is encoded in when \a slots (local or on nodes) can take
/// work at once; 0: it runs whole. "auto" splits a job longer than its splitMinSeconds on two slots
/// or more; a job that cannot run split (checkSplittable) runs whole. Probes the input for "auto".
double splitLength(const JobSpec& spec, int slots);
/// Job::segment of the child that encodes the audio and subtitles of a split job.
inline constexpr int kAudioPassSegment = -1;

/// A time as the API writes it: ISO 8601 in UTC with milliseconds, or null when \a t is not set.
QJsonValue jsonTime(const QDateTime& t);

/// \brief One job: its spec and everything that happened to it.
struct Job
{
    QUuid id;
    JobSpec spec;
    JobState state = JobState::Queued;
    qint64 position = 0; ///< queue order; lower runs first among equal priorities
    int attempts = 0; ///< how many times a worker started it
    QString error;
    QStringList warnings;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime endedAt;
    QString outputPath; ///< decided at submit; unique among the queue's jobs
    QString node; ///< the farm's node that runs (or ran) it; empty when it ran on this machine
    /// A split job's segment (a child job): its parent. Null for a job of its own.
    QUuid parent;
    int segment = kAudioPassSegment; ///< a child's segment index, or kAudioPassSegment
    /// A split job (a parent): its media::SegmentPlan as JSON, empty until it is planned and for a
    /// job that runs whole.
    QJsonObject plan;
    int segmentsDone = 0; ///< a parent's video segments that are finished
    /// A parent's children as the API shows them (index, status, node, times); not stored.
    QJsonArray children;
    qint64 inputBytes = 0;
    qint64 outputBytes = 0;
    // live progress; not stored while it runs
    double progress = 0; ///< 0..1
    qint64 frames = 0;
    double fps = 0;
    double speed = 0;
    double etaSeconds = -1;
    media::QualityScores quality; ///< measured when the settings asked for the quality check
    bool inputKept = false; ///< finished without an output: it was larger than the input (skip_if_larger)

    bool isParent() const { return !plan.isEmpty(); }
    bool isChild() const { return !parent.isNull(); }
    int segmentsTotal() const; ///< a parent's video segments
    QString name() const; ///< the display name, or the input's file name
    QString idString() const { return id.toString(QUuid::WithoutBraces); }
    /// The fields the API and `vtfarm-cli jobs --json` show.
    QJsonObject toJson() const;
};

} // namespace vtfarm::jobs
