#pragma once

#include "job.h"
#include "presets.h"
#include "result.h"

#include <QJsonObject>
#include <QString>

namespace vtfarm::api {

/// The settings the fields of a job request (a form or a JSON body) ask for, checked against the
/// container they go in (\a defaultContainer when neither the fields nor a preset name one).
/// Errors name the request's field.
Result<media::SettingsChoice> jobChoice(
    const QJsonObject& fields, const media::PresetLibrary& presets, const QString& defaultContainer);

/// The job an API request queues: \a input with those settings, its output in \a outputsDir.
jobs::JobSpec jobSpec(const media::SettingsChoice& choice, const QString& input, const QString& outputsDir);

/// Sets what a job request's fields ask of the job beyond its settings: `split` (auto, off or
/// seconds, as text or a number).
Result<void> applyJobFields(const QJsonObject& fields, jobs::JobSpec& spec);

} // namespace vtfarm::api
