#!/usr/bin/env bash
# CI on Debian 13 (trixie), from whatever Debian system runs it: in a fresh trixie chroot,
# scripts/check-package.sh builds the Debian 13 package in a tree that holds the tests too,
# installs it there and uses it, then the README's test command (scripts/test.sh) runs every test
# in that tree. .ci/run calls it after the Debian 12 part. Needs root (debootstrap, chroot, mount)
# and the Debian archive.
#
# The chroot comes from a debootstrap minbase tarball cached in $VTFARM_CI_CACHE
# (/var/cache/vtfarm-ci), made anew when older than $VTFARM_CI_BASE_MAX_AGE_DAYS (7); the
# packages apt fetches are kept there too. The chroot itself is made anew each run and removed
# at the end ($VTFARM_CI_KEEP_CHROOT=1 keeps it), and its mounts are undone on every way out.
# Each part's time is printed as "--- debian13: PART: N s".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "ci-debian13.sh: needs root (debootstrap, chroot, mount)" >&2; exit 1; }

suite=trixie
cache=${VTFARM_CI_CACHE:-/var/cache/vtfarm-ci}
max_age_days=${VTFARM_CI_BASE_MAX_AGE_DAYS:-7}
mirror=${VTFARM_CI_MIRROR:-http://deb.debian.org/debian}
base=$cache/$suite-minbase.tar
archives=$cache/$suite-apt-archives
mkdir -p "$cache" "$archives"

part_start=0
part() { part_name=$1; part_start=$(date +%s); echo "--- debian13: $part_name ..."; }
part_done() { echo "--- debian13: $part_name: $(($(date +%s) - part_start)) s"; }
total_start=$(date +%s)

# --- the base: debootstrap once a week ---------------------------------------------------
part "debootstrap"
if [ -s "$base" ] && [ -n "$(find "$base" -mtime -"$max_age_days" 2>/dev/null)" ]; then
    echo "cached base $base from $(date -r "$base" '+%F %T')"
else
    if ! command -v debootstrap >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
    work=$(mktemp -d /var/tmp/vtfarm-ci-debootstrap.XXXXXX)
    # Only this folder, and nothing is mounted in it: debootstrap unmounts what it mounted.
    if ! debootstrap --variant=minbase "$suite" "$work" "$mirror" >"$cache/debootstrap.log" 2>&1; then
        tail -20 "$cache/debootstrap.log" >&2
        echo "ci-debian13.sh: debootstrap $suite failed (see $cache/debootstrap.log)" >&2
        rm -rf --one-file-system "$work"
        exit 1
    fi
    chmod 755 "$work"
    tar -C "$work" -cf "$base.new" . && mv "$base.new" "$base"
    rm -rf --one-file-system "$work"
fi
part_done

# --- the chroot, and leaving it clean on every way out ------------------------------------
chroot_dir=$(mktemp -d /var/tmp/vtfarm-ci-$suite.XXXXXX)
mounts=(proc dev dev/pts dev/shm var/cache/apt/archives)

mounted_here() { grep -q " $chroot_dir/$1 " /proc/mounts; }

cleanup() {
    local rc=$? p m left=""
    # Whatever the tests or the package left running in the chroot (a server, a worker), by id.
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$chroot_dir" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        m=${mounts[i]}
        mounted_here "$m" && { umount "$chroot_dir/$m" 2>/dev/null || umount -l "$chroot_dir/$m"; }
        mounted_here "$m" && left="$left $m"
    done
    if [ -n "$left" ]; then
        echo "ci-debian13.sh: still mounted in $chroot_dir:$left; not removing it" >&2
        exit 1
    fi
    if [ "${VTFARM_CI_KEEP_CHROOT:-}" = 1 ]; then
        echo "kept the chroot $chroot_dir"
    else
        rm -rf --one-file-system "$chroot_dir"
    fi
    echo "--- debian13: total: $(($(date +%s) - total_start)) s"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tar -C "$chroot_dir" -xf "$base"
# mktemp made it 0700, and so was the tarball's "./": as the chroot's /, apt's _apt user and the
# services must be able to enter it.
chmod 755 "$chroot_dir"
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
# The certificate authorities this machine trusts (a proxy's or a company's among them) are
# trusted in the chroot too: npm fetches over HTTPS, and a minbase system has no CA bundle at all.
host_ca=/etc/ssl/certs/ca-certificates.crt
chroot_ca=
if [ -s "$host_ca" ]; then
    chroot_ca=/etc/ssl/vtfarm-ci-host-ca.crt
    mkdir -p "$chroot_dir/etc/ssl"
    cp "$host_ca" "$chroot_dir$chroot_ca"
fi
# No service the packages bring (redis-server, prometheus) starts on its own in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$chroot_dir/usr/sbin/policy-rc.d"
chmod 755 "$chroot_dir/usr/sbin/policy-rc.d"
mount -t proc proc "$chroot_dir/proc"
mount --bind /dev "$chroot_dir/dev"
mount --bind /dev/pts "$chroot_dir/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$chroot_dir/dev/shm"
# Fetched packages are kept between runs; apt checks each against the lists it fetched.
rm -f "$chroot_dir/etc/apt/apt.conf.d/docker-clean"
mount --bind "$archives" "$chroot_dir/var/cache/apt/archives"

# The checkout's files as they are (committed or not), without build trees.
src=/src/vtfarm
mkdir -p "$chroot_dir$src"
git -C "$root" ls-files -z --cached --others --exclude-standard \
    | tar -C "$root" --null -T - --ignore-failed-read -cf - | tar -C "$chroot_dir$src" -xf -

# In the background and waited for, so that a TERM or INT is handled at once (bash runs a trap
# only when its foreground command ends) and the cleanup ends what runs in the chroot.
in_chroot() {
    chroot "$chroot_dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
        ${chroot_ca:+NODE_EXTRA_CA_CERTS=$chroot_ca} \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/bash -c "set -euo pipefail; cd $src; $1" </dev/null &
    wait $!
}

# shellcheck disable=SC2016 # expanded in the chroot
in_chroot '. /etc/os-release && echo "chroot: $PRETTY_NAME"'

part "apt install"
in_chroot './scripts/deps.sh dpkg-dev file lintian'
part_done

# As on Debian 12 (.ci/run): the package's tree holds the tests, and the test command runs in it.
part "package"
in_chroot 'VTFARM_PACKAGE_TESTS=ON ./scripts/check-package.sh'
out=${PACKAGE_OUT:-$root/out}
mkdir -p "$out"
cp "$chroot_dir$src"/out/vtfarm_*.deb "$out/"
echo "Debian 13 package: $(cd "$out" && ls vtfarm_*~deb13_*.deb)"
part_done

part "tests"
in_chroot 'VTFARM_BUILD_DIR=build-package ./scripts/test.sh'
part_done
