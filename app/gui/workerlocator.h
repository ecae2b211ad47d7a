#pragma once

#include <QString>

namespace vtfarm::gui {

/// The vtfarm-cli that runs transcodes as workers: next to this program when installed, in
/// app/cli when run from the build tree, else on PATH. Empty when there is none.
QString findWorkerProgram();

} // namespace vtfarm::gui
