#!/usr/bin/env bash
# The farm on one machine, each node confined to one core with taskset: how long a batch of short
# jobs, and one of 8 longer clips, takes on one node and on two (the ratio should be near 0.5;
# the coordinator shares the two cores with the nodes) beside the ffmpeg CLI doing the same clips on
# one core and on two (what the machine itself gives), how long a queued job waits for
# a free node to take it (dispatch latency, from the coordinator's histogram), and how fast a
# node's download of an input runs over loopback.
# Usage: bench/cluster.sh [jobs, default 40]
# Uses the build in $VTFARM_BUILD_DIR (default build/), building it when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
. "$root/bench/lib.sh"
install_missing "${VTFARM_BUILD_PACKAGES[@]}" ffmpeg curl python3 redis-server
build=${VTFARM_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target vtfarm-cli >/dev/null
cli="$build/app/cli/vtfarm-cli"
jobs=${1:-40}
[ "$(nproc)" -ge 2 ] || { echo "bench/cluster.sh: needs two cores (one per node)" >&2; exit 1; }

work=$(mktemp -d /tmp/vtfarm-bench-cluster.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/inputs"
farm_coordinator --data-dir "$work/data" --input-dir "$work/inputs"

ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=2 \
    -f lavfi -i sine=frequency=440:duration=2:sample_rate=48000 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$work/short.mp4"
# Clips whose encode, rather than each job's fixed cost, takes most of the time.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=10 \
    -f lavfi -i sine=frequency=440:duration=10:sample_rate=48000 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$work/clip.mp4"

batch() { # COUNT FILE RESOLUTION NODE_PIDS... -> seconds from the first job's start to the last one's end
    local ids=() count=$1 file=$2 size=$3
    shift 3
    # The whole batch is queued before the nodes take any: how fast the client submits is not timed.
    [ $# -gt 0 ] && kill -STOP "$@"
    for _ in $(seq "$count"); do
        ids+=("$(curl -s -H "$auth" -F file=@"$file" -F codec=libx264 -F bitrate=500k \
            -F resolution="$size" "$url/transcode" | python3 -c 'import sys,json; print(json.load(sys.stdin)["job_id"])')")
    done
    [ $# -gt 0 ] && kill -CONT "$@"
    # The span is read off the coordinator's own timestamps: the client's polling is not timed.
    job_span "${ids[@]}"
}

cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# The same 8 clips by the ffmpeg CLI with the same settings, confined the same way: one after the
# other on core 0, then four on each core at once. Its ratio is what this machine's two cores give
# two encoders; the farm's ratio is read against it.
peer_clips() { # CORE COUNT
    for i in $(seq "$2"); do
        taskset -c "$1" ffmpeg -nostdin -hide_banner -loglevel error -y -i "$work/clip.mp4" \
            -c:v libx264 -b:v 500k -s 640x360 -c:a aac "$work/peer-$1-$i.mp4"
    done
}

farm_node n1 0
until [ "$(farm_nodes_listed)" = 1 ]; do sleep 0.2; done
one=$(batch "$jobs" "$work/short.mp4" 320x240 "$node_n1")
farm_node n2 1
until [ "$(farm_nodes_listed)" = 2 ]; do sleep 0.2; done
serve_cpu0=$(cpu_ms "$serve")
two=$(batch "$jobs" "$work/short.mp4" 320x240 "$node_n1" "$node_n2")
serve_cpu1=$(cpu_ms "$serve")

# The clips: three rounds of one node, two nodes, the ffmpeg CLI on one core and on two, one after
# the other, so that a change in the machine's speed shows in every column of a round; the medians
# of the rounds' ratios are reported.
one_clips=() two_clips=() peer_one=() peer_two=() farm_ratios=() peer_ratios=()
ratio() { python3 -c "print(f'{$2 / $1:.2f}')"; }
for round in 1 2 3; do
    kill -TERM "$node_n2"
    wait "$node_n2" 2>/dev/null || true
    until [ "$(farm_nodes_listed)" = 1 ]; do sleep 0.2; done
    one_clips+=("$(batch 8 "$work/clip.mp4" 640x360 "$node_n1")")
    farm_node n2 1
    until [ "$(farm_nodes_listed)" = 2 ]; do sleep 0.2; done
    two_clips+=("$(batch 8 "$work/clip.mp4" 640x360 "$node_n1" "$node_n2")")
    t0=$(now)
    peer_clips 0 8
    t1=$(now)
    peer_clips 0 4 &
    peer0=$!
    peer_clips 1 4
    wait "$peer0"
    t2=$(now)
    peer_one+=("$(span "$t0" "$t1")")
    peer_two+=("$(span "$t1" "$t2")")
    farm_ratios+=("$(ratio "${one_clips[-1]}" "${two_clips[-1]}")")
    peer_ratios+=("$(ratio "${peer_one[-1]}" "${peer_two[-1]}")")
done

# Dispatch latency with a node free: one job at a time, ten times; the coordinator's histogram
# before and after, its quantiles read off the buckets of the difference.
curl -s "$url/metrics" >"$work/metrics.before"
for _ in $(seq 10); do batch 1 "$work/short.mp4" 320x240 >/dev/null; done
curl -s "$url/metrics" >"$work/metrics.after"
latency=$(python3 - "$work/metrics.before" "$work/metrics.after" <<'PY'
import re, sys
def read(path):
    b = {}
    for line in open(path):
        m = re.match(r'vtfarm_dispatch_latency_seconds_bucket\{le="([^"]+)"\} (\S+)', line)
        if m:
            b[float("inf") if m[1] == "+Inf" else float(m[1])] = float(m[2])
    return b
before, after = read(sys.argv[1]), read(sys.argv[2])
delta = sorted((le, after[le] - before.get(le, 0)) for le in after)
count = delta[-1][1]
def q(p):
    return next(le for le, c in delta if c >= p * count)
print(f"p50 <= {q(0.5) * 1000:.0f} ms, p99 <= {q(0.99) * 1000:.0f} ms over {int(count)} jobs")
PY
)

# A node's download, as the node makes it: one 256 MiB input over loopback.
head -c $((256 << 20)) /dev/urandom >"$work/big.mkv"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=25:duration=2 \
    -c:v libx264 -preset ultrafast "$work/tiny.mkv"
kill -STOP "$node_n1" "$node_n2"
big=$(curl -s -H "$auth" -F file=@"$work/tiny.mkv" -F codec=libx264 "$url/transcode" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["job_id"])')
input=$(find "$work/data/uploads" -type f -newer "$work/big.mkv" | head -1)
cp "$work/big.mkv" "$input"
rate=$(curl -s -o /dev/null -w '%{speed_download}' -H "$auth" "$url/api/v1/jobs/$big/input")

# A coordinator with 10,000 queued jobs (the nodes stopped, so that they stay queued): its memory,
# and GET /status latency over one keep-alive connection.
cp "$work/short.mp4" "$work/inputs/short.mp4"
queue=$(python3 - "$port" "$(cat "$work/token")" <<'PY'
import http.client, json, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
ids = []
for _ in range(10000):
    c.request("POST", "/api/v1/jobs", json.dumps({"input": "short.mp4", "resolution": "320x240"}), h)
    r = c.getresponse(); body = r.read()
    if r.status not in (200, 201, 202):
        sys.exit(f"POST /api/v1/jobs: {r.status} {body[:200]}")
    ids.append(json.loads(body)["id"])
times = []
for i in range(2000):
    t = time.perf_counter()
    c.request("GET", "/status/" + ids[i * 5], headers=h)
    c.getresponse().read()
    times.append(time.perf_counter() - t)
times.sort()
print(f"GET /status p50 {times[1000] * 1000:.2f} ms, p99 {times[1980] * 1000:.2f} ms")
PY
)
rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$serve/status")
kill -CONT "$node_n1" "$node_n2"

echo "farm of single-core nodes, $jobs short jobs (2 s at 320x240):"
echo "  one node:  ${one} s"
echo "  two nodes: ${two} s  (ratio $(ratio "$one" "$two"))"
echo "farm of single-core nodes, 8 clips (10 s at 640x360), three rounds:"
echo "  one node:  ${one_clips[*]} s"
echo "  two nodes: ${two_clips[*]} s  (ratios ${farm_ratios[*]}, median $(printf '%s\n' "${farm_ratios[@]}" | median))"
echo "  the ffmpeg CLI on one core: ${peer_one[*]} s, on two: ${peer_two[*]} s  (ratios ${peer_ratios[*]}, median $(printf '%s\n' "${peer_ratios[@]}" | median))"
echo "  coordinator CPU per job: $(( (serve_cpu1 - serve_cpu0) / jobs )) ms (the uploads it takes and the outputs it stores included)"
echo "dispatch latency, a node free: $latency"
echo "input download over loopback: $(python3 -c "print(f'{$rate / 1048576:.0f}')") MiB/s"
echo "coordinator with 10,000 queued jobs: RSS ${rss} MiB, $queue"
