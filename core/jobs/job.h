#pragma once

#include "jobstate.h"
#include "qualityscores.h"
#include "result.h"
#include "transcodesettings.h"

#include <QDateTime>
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

    QJsonObject toJson() const;
    static Result<JobSpec> fromJson(const QJsonObject& json);
};

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

    QString name() const; ///< the display name, or the input's file name
    QString idString() const { return id.toString(QUuid::WithoutBraces); }
    /// The fields the API and `vtfarm-cli jobs --json` show.
    QJsonObject toJson() const;
};

} // namespace vtfarm::jobs
