#pragma once

#include "jobstate.h"

#include <QColor>
#include <QString>

namespace vtfarm::ui {

/// "1.4 MB"; sizes a person reads, in the locale's number format.
QString formatBytes(qint64 bytes);
/// "1:05:09", "4:02", "0:07"; empty when unknown (negative).
QString formatDuration(double seconds);
/// The state as a person reads it in the queue ("Running" for started).
QString stateText(jobs::JobState state);
/// The accent used for a state's text and progress bar.
QColor stateColor(jobs::JobState state);

} // namespace vtfarm::ui
