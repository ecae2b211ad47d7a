#!/usr/bin/env bash
# Builds the packages (scripts/package.sh: lintian, dependencies, version), installs the .deb into
# this machine with apt-get, and uses the installed programs: a one-clip transcode with
# /usr/bin/vtfarm-cli. CI runs it before the tests, with VTFARM_PACKAGE_TESTS=ON (package.sh).
# Needs root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
install_missing "${VTFARM_TEST_PACKAGES[@]}"
out=${PACKAGE_OUT:-$root/out}
PACKAGE_OUT=$out "$root/scripts/package.sh"
deb=$(ls -t "$out"/vtfarm_*.deb | head -1)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
echo "--- installed: $(dpkg-query -W -f='${Package} ${Version}' vtfarm)"
/usr/bin/vtfarm-cli --version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=320x240:rate=30:duration=2" \
    -f lavfi -i "sine=frequency=440:duration=2" -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$work/in.mp4"
/usr/bin/vtfarm-cli transcode "$work/in.mp4" -o "$work/out.mp4" --resolution 160x120 --preset ultrafast </dev/null
got=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$work/out.mp4")
[ "$got" = "h264,160,120" ] || { echo "check-package.sh: the installed vtfarm-cli wrote '$got', not h264,160,120" >&2; exit 1; }
for f in /usr/share/applications/io.github.vtfarm.Vtfarm.desktop /usr/share/metainfo/io.github.vtfarm.Vtfarm.metainfo.xml; do
    [ -f "$f" ] || { echo "check-package.sh: $f is not installed" >&2; exit 1; }
done
desktop-file-validate /usr/share/applications/io.github.vtfarm.Vtfarm.desktop
appstreamcli validate --no-net /usr/share/metainfo/io.github.vtfarm.Vtfarm.metainfo.xml >/dev/null
systemd-analyze verify --man=no /usr/lib/systemd/system/vtfarm.service /usr/lib/systemd/system/vtfarm-node.service
echo "package check passed"
