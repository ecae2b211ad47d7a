#!/usr/bin/env bash
# Installs, with apt-get, whatever vtfarm needs to build, test and run on Debian 12 that is missing,
# and with npm the packages of the Kubernetes manifests' check. Idempotent and quiet when nothing
# is missing. Sourced or run by run.sh, test.sh and package.sh.
set -euo pipefail
VTFARM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

VTFARM_BUILD_PACKAGES=(
    cmake ninja-build g++ pkg-config git
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
    libqt6svg6 qt6-qpa-plugins libgl-dev
    libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev
    prometheus-cpp-dev libcpp-httplib-dev
    librsvg2-bin
)
VTFARM_TEST_PACKAGES=(
    ffmpeg xvfb xauth curl python3
    desktop-file-utils appstream systemd prometheus python3-yaml man-db
)
# node and npm run the Kubernetes manifests' check: Debian's, unless the machine has them from
# elsewhere already (NodeSource's nodejs carries its own npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    VTFARM_TEST_PACKAGES+=(nodejs npm)
fi

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

# The npm packages of tests/packaging/check_kubernetes.mjs, at the exact versions of
# tests/packaging/package-lock.json, into tests/packaging/node_modules: installed before the tests
# run, so that the tests themselves need no network. Again only when the lock file has changed.
install_node_packages() {
    local dir="$VTFARM_ROOT/tests/packaging"
    local stamp="$dir/node_modules/.vtfarm-package-lock.json"
    if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
        return 0
    fi
    echo "Installing the npm packages of tests/packaging (npm ci)"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    install_missing "${VTFARM_BUILD_PACKAGES[@]}" "${VTFARM_TEST_PACKAGES[@]}" "$@"
    install_node_packages
fi
