#!/usr/bin/env bash
# Installs what is missing, builds, and starts vtfarm. Arguments go to the program.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
install_missing "${VTFARM_BUILD_PACKAGES[@]}"

build=${VTFARM_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j"$(nproc)"
# With a display, the desktop window (files and folders given are queued with the current preset).
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/gui/vtfarm" ]; then
    exec "$build/app/gui/vtfarm" "$@"
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    # No display: the headless server, on loopback only. Arguments go to `vtfarm-cli serve`.
    exec "$build/app/cli/vtfarm-cli" serve --bind 127.0.0.1 --port 8000 "$@"
fi
exec "$build/app/cli/vtfarm-cli" "$@"
