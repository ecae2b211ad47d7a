#pragma once

#include <QIcon>
#include <QString>

namespace vtfarm::ui {

/// One of the SVG icons compiled into vtfarm_ui ("play", "pause", ... "vtfarm" for the application).
/// SVG through QIcon renders sharp at every device pixel ratio.
QIcon icon(const QString& name);

} // namespace vtfarm::ui
