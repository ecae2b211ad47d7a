#!/usr/bin/env bash
# The queue window with many jobs: submit, reopen, build the window, scroll, sort, move, cancel, remove.
# Usage: bench/gui.sh [JOBS]   (default 10000). Runs offscreen; needs the build from scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VTFARM_BUILD_DIR:-$root/build}
cmake --build "$build" --target bench_largequeue >/dev/null
QT_QPA_PLATFORM=offscreen "$build/tests/gui/bench_largequeue" "${1:-10000}" 2>/dev/null
