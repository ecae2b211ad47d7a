#!/usr/bin/env bash
# Installs, with apt-get, whatever vtfarm needs to build, test and run that is missing, on Debian 12
# (bookworm) or 13 (trixie), and with npm the packages of the Kubernetes manifests' check.
# Idempotent and quiet when nothing is missing. Sourced or run by run.sh, test.sh, package.sh and
# check-package.sh.
set -euo pipefail
VTFARM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# "debian 12", "debian 13", "ubuntu 24.04"... from /etc/os-release, in a subshell so that its
# NAME, ID, VERSION... do not land in the scripts that source this one. A Debian testing or sid
# system has no VERSION_ID, only a codename.
vtfarm_release() {
    (
        # shellcheck disable=SC1091
        . /etc/os-release 2>/dev/null || true
        version=${VERSION_ID:-}
        case "${ID:-}:${VERSION_CODENAME:-}" in
            debian:bookworm) version=12 ;;
            debian:trixie) version=13 ;;
        esac
        echo "${ID:-unknown} ${version:-unknown}"
    )
}
# VTFARM_RELEASE may be given, to see what another release would get.
VTFARM_RELEASE=${VTFARM_RELEASE:-$(vtfarm_release)}

# Whether apt knows a package it could install (a name only mentioned by another package, as
# libboost1.81-dev is on Debian 13, has no Version).
apt_has() {
    # Not grep -q: with pipefail, apt-cache killed by the closed pipe would fail the test.
    apt-cache show --no-all-versions "$1" 2>/dev/null | grep '^Version:' >/dev/null
}

# The one package of a kind that differs between releases: the names Debian 12 and 13 use are
# fixed; elsewhere the first of the candidates that apt knows, or a message naming them all.
release_package() {
    local bookworm=$1 trixie=$2 p
    case "$VTFARM_RELEASE" in
        "debian 12") echo "$bookworm" ;;
        "debian 13") echo "$trixie" ;;
        *)
            for p in "$trixie" "$bookworm"; do
                apt_has "$p" && { echo "$p"; return 0; }
            done
            # Nothing yet: the lists may be empty on a fresh system.
            if [ -z "${VTFARM_APT_UPDATED:-}" ]; then
                apt_update
                for p in "$trixie" "$bookworm"; do
                    apt_has "$p" && { echo "$p"; return 0; }
                done
            fi
            echo "deps.sh: $VTFARM_RELEASE is not Debian 12 or 13, and apt has neither $trixie nor $bookworm;" \
                "install the equivalent by hand (see README.md, Supported systems)" >&2
            return 1
            ;;
    esac
}

apt_update() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    VTFARM_APT_UPDATED=1
}

# Boost.Asio and Boost.Beast (header-only) for the HTTP server: Boost 1.81 on Debian 12, whose
# libboost-dev is still 1.74; 1.83 on Debian 13.
vtfarm_boost=$(release_package libboost1.81-dev libboost1.83-dev)

VTFARM_BUILD_PACKAGES=(
    cmake ninja-build g++ pkg-config git
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
    libqt6svg6 qt6-qpa-plugins libgl-dev
    libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev
    prometheus-cpp-dev "$vtfarm_boost" libhiredis-dev
    librsvg2-bin
)
# Needed to build the tests but not the programs: the API tests' HTTP client.
VTFARM_TEST_BUILD_PACKAGES=(libcpp-httplib-dev)
VTFARM_TEST_PACKAGES=(
    "${VTFARM_TEST_BUILD_PACKAGES[@]}"
    ffmpeg xvfb xauth curl python3
    desktop-file-utils appstream systemd prometheus python3-yaml man-db
    redis-server
)
unset vtfarm_boost
# node and npm run the Kubernetes manifests' check: Debian's, unless the machine has them from
# elsewhere already (NodeSource's nodejs carries its own npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    VTFARM_TEST_PACKAGES+=(nodejs npm)
fi

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
    done | awk '!seen[$0]++'
}

install_missing() {
    local missing p unknown=""
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # shellcheck disable=SC2086
    echo "Installing:" $missing
    export DEBIAN_FRONTEND=noninteractive
    apt_update
    for p in $missing; do
        apt_has "$p" || unknown="$unknown $p"
    done
    if [ -n "$unknown" ]; then
        echo "deps.sh: apt has no package named$unknown on $VTFARM_RELEASE; install the equivalent by hand" \
            "(see README.md, Supported systems)" >&2
        return 1
    fi
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# The npm packages of tests/packaging/check_kubernetes.mjs, at the exact versions of
# tests/packaging/package-lock.json, into tests/packaging/node_modules; only when the lock file
# has changed. The packaging.npm test runs it before the check.
install_node_packages() {
    local dir="$VTFARM_ROOT/tests/packaging"
    local stamp="$dir/node_modules/.vtfarm-package-lock.json"
    if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
        return 0
    fi
    echo "Installing the npm packages of tests/packaging (npm ci)"
    local log
    log=$(mktemp)
    if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) 2>"$log"; then
        # Behind a proxy that re-signs HTTPS with an authority this system does not know (a fresh
        # chroot, a container), TLS cannot be verified. Every tarball is still checked against the
        # SHA-512 the lock file records for it, so npm ci may go on without the certificate check.
        if grep -qE 'SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_UNTRUSTED' "$log"; then
            echo "deps.sh: the npm registry's certificate cannot be verified here; the packages are checked against the lock file's integrity hashes instead" >&2
            (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --strict-ssl=false)
        else
            cat "$log" >&2
            rm -f "$log"
            return 1
        fi
    fi
    rm -f "$log"
    cp "$dir/package-lock.json" "$stamp"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    install_missing "${VTFARM_BUILD_PACKAGES[@]}" "${VTFARM_TEST_PACKAGES[@]}" "$@"
    install_node_packages
fi
