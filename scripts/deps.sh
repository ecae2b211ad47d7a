#!/usr/bin/env bash
# Installs, with apt-get, whatever vtfarm needs to build, test and run on Debian 12 that is missing.
# Idempotent and quiet when nothing is missing. Sourced or run by run.sh, test.sh and package.sh.
set -euo pipefail

VTFARM_BUILD_PACKAGES=(
    cmake ninja-build g++ pkg-config git
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
    libqt6svg6 qt6-qpa-plugins libgl-dev
    libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev
    prometheus-cpp-dev libcpp-httplib-dev
)
VTFARM_TEST_PACKAGES=(
    ffmpeg xvfb xauth curl python3 prometheus
)

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
    done
}

install_missing() {
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing: $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    install_missing "${VTFARM_BUILD_PACKAGES[@]}" "${VTFARM_TEST_PACKAGES[@]}" "$@"
fi
