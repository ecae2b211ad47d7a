#!/usr/bin/env bash
# Builds the installable packages: a .deb and a .tar.gz of the install tree, in ${PACKAGE_OUT:-out/}.
# Installs what is missing, builds a Release tree of its own (build-package/, no tests), runs
# CPack, then checks the .deb: lintian must report no error or warning, apt must be able to
# resolve its dependencies, and the packaged vtfarm-cli must run. See docs/INSTALL.md.
# VTFARM_PACKAGE_TESTS=ON builds the tests in the same tree (nothing of them is packaged), so that
# CI runs them against the very programs it packages and compiles the project once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
VTFARM_PACKAGE_TOOLS=(dpkg-dev file lintian)
install_missing "${VTFARM_BUILD_PACKAGES[@]}" "${VTFARM_PACKAGE_TOOLS[@]}"

build=${VTFARM_PACKAGE_BUILD_DIR:-$root/build-package}
tests=${VTFARM_PACKAGE_TESTS:-OFF}
out=${PACKAGE_OUT:-$root/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Debian's hardening flags (fortify, stack protector, relro, bindnow), as a Debian build would
# use them. No -g: CPack strips the programs anyway. CMake reads these only when it first
# configures a build tree, so a tree configured without them is configured anew.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
export DEB_CXXFLAGS_MAINT_STRIP="-g -Werror=format-security"
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CXXFLAGS LDFLAGS
stamp="$build/.vtfarm-package-flags"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$CXXFLAGS $LDFLAGS" ]; then
    rm -rf "$build"
fi
cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX=/usr \
    -DVTFARM_TESTS="$tests" >/dev/null
echo "$CXXFLAGS $LDFLAGS" >"$stamp"
cmake --build "$build" -j"${VTFARM_JOBS:-$(nproc)}"

# A package of an earlier version must not be mistaken for this one.
rm -f "$build"/vtfarm*.deb "$build"/vtfarm*.tar.gz
(cd "$build" && cpack -G "DEB;TGZ")
deb=$(find "$build" -maxdepth 1 -name 'vtfarm_*.deb' | head -1)
tgz=$(find "$build" -maxdepth 1 -name 'vtfarm-*.tar.gz' | head -1)
if [ -z "$deb" ] || [ -z "$tgz" ]; then
    echo "package.sh: cpack made no .deb or .tar.gz" >&2
    exit 1
fi

echo "--- lintian $(basename "$deb")"
lintian --info "$deb" | tee "$build/lintian.txt" || true
# Warnings too: the package is lintian clean on Debian 12 and 13, and stays so.
if grep -qE '^(E|W):' "$build/lintian.txt"; then
    echo "package.sh: lintian reports errors or warnings" >&2
    exit 1
fi

# apt can install it here: every dependency exists (the machine that built it has them all).
apt-get install --simulate --no-install-recommends "$deb" >/dev/null

# The packaged program runs and carries the project's version.
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
version=$(dpkg-deb -f "$deb" Version)
"$unpacked/usr/bin/vtfarm-cli" --version | grep -qF "${version%-*}" \
    || { echo "package.sh: the packaged vtfarm-cli does not report version ${version%-*}" >&2; exit 1; }

cp "$deb" "$tgz" "$out/"
echo "Packages in $out:"
ls -l "$out/$(basename "$deb")" "$out/$(basename "$tgz")"
