#!/usr/bin/env bash
# Validates the packaging files that need no package build, one check per call:
#   check_packaging_files.sh CHECK SOURCE_DIR PROJECT_VERSION VTFARM_CLI
# CHECK is desktop, metainfo, manpages, systemd, prometheus, grafana, compose or kubernetes.
# Each fails on any complaint of its validator, warnings included. The tools come from
# scripts/deps.sh; the npm packages of the kubernetes check from its install_node_packages.
set -euo pipefail
check=$1 src=$2 version=$3 cli=$4
app_id=io.github.vtfarm.Vtfarm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is not installed (package $2; scripts/deps.sh installs it)"; }
# Runs a validator; fails if it exits non-zero or prints anything at all.
quiet() {
    local out
    out=$("$@" 2>&1) || fail "$* exited non-zero:"$'\n'"$out"
    [ -z "$out" ] || fail "$* complained:"$'\n'"$out"
}
python=/usr/bin/python3 # Debian's, the one python3-yaml is installed for
[ -x "$python" ] || python=python3

case $check in
desktop)
    need desktop-file-validate desktop-file-utils
    quiet desktop-file-validate "$src/resources/$app_id.desktop"
    grep -q "^Icon=$app_id$" "$src/resources/$app_id.desktop" || fail "the desktop entry's Icon is not $app_id"
    [ -f "$src/resources/$app_id.svg" ] || fail "no resources/$app_id.svg for the desktop entry's icon"
    ;;
metainfo)
    need appstreamcli appstream
    out=$(appstreamcli validate --no-net --no-color "$src/resources/$app_id.metainfo.xml" 2>&1) \
        || fail "appstreamcli validate:"$'\n'"$out"
    # Infos are allowed (appstream 0.16 knows no newer tags); errors and warnings are not.
    if grep -E '^[EW]:' <<<"$out"; then fail "appstreamcli validate reports problems"; fi
    newest=$("$python" -c 'import sys, xml.etree.ElementTree as t
r = t.parse(sys.argv[1]).getroot().find("releases/release")
print(r.get("version") if r is not None else "")' "$src/resources/$app_id.metainfo.xml")
    [ "$newest" = "$version" ] || fail "the newest release in the metainfo is '$newest', the project's version is $version"
    ;;
manpages)
    need man man-db
    for page in "$src"/docs/*.1; do
        # What lintian runs on a packaged man page: any message on stderr is a fault.
        out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) \
            || fail "man could not format $page:"$'\n'"$out"
        [ -z "$out" ] || fail "$page:"$'\n'"$out"
    done
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$src/docs/vtfarm-cli.1" 2>/dev/null)
    for command in transcode probe batch run jobs serve; do
        grep -qE "^ +vtfarm-cli $command" <<<"$out" || fail "vtfarm-cli.1 has no synopsis for $command"
    done
    ;;
systemd)
    need systemd-analyze systemd
    [ -x "$cli" ] || fail "no vtfarm-cli at $cli"
    # The server (a coordinator when it names a Redis) and a farm's node, each with its settings.
    for pair in "vtfarm.service serve vtfarm.conf" "vtfarm-node.service node node.conf"; do
        read -r unit command conf <<<"$pair"
        # verify wants the program the unit starts to exist: point it at the one just built.
        sed "s|^ExecStart=/usr/bin/vtfarm-cli |ExecStart=$cli |" "$src/packaging/systemd/$unit" >"$tmp/$unit"
        grep -q "^ExecStart=$cli $command --config /etc/vtfarm/$conf$" "$tmp/$unit" \
            || fail "$unit does not start /usr/bin/vtfarm-cli $command --config /etc/vtfarm/$conf"
        # --man=no: the man page is not installed on the machine that runs the tests.
        quiet systemd-analyze verify --man=no "$tmp/$unit"
    done
    grep -qE '^u vtfarm ' "$src/packaging/systemd/vtfarm.sysusers" || fail "vtfarm.sysusers does not create the user vtfarm"
    # The configurations name only keys the programs read (set or commented out).
    keys() { sed -nE 's/^;?([a-z_]+) *=.*/\1/p' "$1" | sort -u | tr '\n' ' '; }
    # vtfarm.conf's [watch.NAME] sections: the keys of core/watch/watchconfig.cpp.
    watchkeys="folder output preset pattern recursive settle rescan container priority codec bitrate crf"
    watchkeys+=" resolution fps audio_codec audio_bitrate threads overwrite quality_check min_ssim skip_if_larger"
    for pair in "vtfarm.conf bind data_dir input_dir lease port redis token_file workers $watchkeys" \
                "vtfarm-node.conf grace lease name redis server token_file work_dir workers"; do
        read -r conf known <<<"$pair"
        for key in $(keys "$src/packaging/$conf"); do
            grep -qw "$key" <<<"$known" || fail "$conf has the key '$key', which vtfarm-cli does not read"
        done
    done
    for key in redis server token_file work_dir; do
        grep -qE "^;?$key *= *[^ ]" "$src/packaging/vtfarm-node.conf" || fail "vtfarm-node.conf does not show the key $key"
    done
    # The node: stopped with SIGTERM to it alone (its workers live on while it finishes or hands
    # back its job), and killed only after its grace; its work folder is its state directory.
    node_unit=$src/packaging/systemd/vtfarm-node.service
    value() { sed -nE "s/^$1=(.*)/\1/p" "$2" | tail -1; }
    [ "$(value KillMode "$node_unit")" = mixed ] || fail "vtfarm-node.service needs KillMode=mixed"
    [ "$(value KillSignal "$node_unit")" = SIGTERM ] || fail "vtfarm-node.service needs KillSignal=SIGTERM"
    grace=$(sed -nE 's/^grace *= *([0-9]+).*/\1/p' "$src/packaging/vtfarm-node.conf")
    grace=${grace:-25} # vtfarm-cli node's default
    stop=$(value TimeoutStopSec "$node_unit")
    [[ $stop =~ ^[0-9]+$ ]] && [ "$stop" -gt "$grace" ] \
        || fail "vtfarm-node.service: TimeoutStopSec ($stop) must be a number of seconds above the node's grace ($grace)"
    work_dir=$(sed -nE 's/^work_dir *= *(.*)/\1/p' "$src/packaging/vtfarm-node.conf")
    [ "$work_dir" = "/var/lib/$(value StateDirectory "$node_unit")" ] \
        || fail "vtfarm-node.conf's work_dir ($work_dir) is not the unit's StateDirectory"
    ;;
prometheus)
    need promtool prometheus
    promtool check config "$src/packaging/docker/prometheus.yml" >"$tmp/out" 2>&1 || fail "promtool:"$'\n'"$(cat "$tmp/out")"
    # The Python service's prometheus.yml, which operators keep using, scrapes api:8000.
    "$python" - "$src/packaging/docker/prometheus.yml" <<'EOF' || fail "prometheus.yml does not scrape api:8000 as job video-transcoder"
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
jobs = {j["job_name"]: j for j in config["scrape_configs"]}
targets = [t for c in jobs["video-transcoder"]["static_configs"] for t in c["targets"]]
sys.exit(0 if "api:8000" in targets else 1)
EOF
    ;;
grafana)
    need promtool prometheus
    "$python" "$src/tests/packaging/check_docker_files.py" grafana "$src" "$(command -v promtool)"
    ;;
compose)
    "$python" "$src/tests/packaging/check_docker_files.py" compose "$src"
    # Compose itself validates offline too, where it is installed (Debian 12's docker-compose, or
    # the plugin); not required. The token is the operator's to create: a stand-in here.
    compose=()
    if docker compose version >/dev/null 2>&1; then compose=(docker compose)
    elif command -v docker-compose >/dev/null; then compose=(docker-compose); fi
    if [ ${#compose[@]} -gt 0 ]; then
        cp -r "$src/packaging/docker/." "$tmp/"
        touch "$tmp/vtfarm_token"
        quiet "${compose[@]}" -f "$tmp/docker-compose.yml" config --quiet
    fi
    ;;
kubernetes)
    need node nodejs
    # Fails (never skips) when the npm packages are missing; prints a summary when all holds.
    out=$(node "$src/tests/packaging/check_kubernetes.mjs" "$src" 2>&1) || fail "check_kubernetes.mjs:"$'\n'"$out"
    echo "$out"
    ;;
*)
    fail "unknown check '$check'"
    ;;
esac
echo "ok: $check"
