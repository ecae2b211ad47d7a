#!/usr/bin/env bash
# API benchmark on loopback: memory and throughput of a 1 GiB upload, /healthz latency while 1,000
# connections send half a header and wait, and GET /status under 64 concurrent clients while two
# transcodes run. Usage: bench/api.sh [seconds of wrk, default 10]
# Uses the build in $VTFARM_BUILD_DIR (default build/), building it when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
. "$root/bench/lib.sh"
install_missing "${VTFARM_BUILD_PACKAGES[@]}" ffmpeg curl wrk python3
build=${VTFARM_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target vtfarm-cli >/dev/null
cli="$build/app/cli/vtfarm-cli"
duration=${1:-10}

work=$(mktemp -d /tmp/vtfarm-bench-api.XXXXXX)
server=""
cleanup() {
    [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# 64 clients from one address: the per-address limit (32 by default) is raised for the benchmark.
ulimit -n 8192
"$cli" serve --port 0 --data-dir "$work/data" -j 2 --max-connections-per-address 64 >"$work/serve.log" 2>&1 </dev/null &
server=$!
port=$(serve_port "$work/serve.log") || { echo "the server did not start:"; cat "$work/serve.log"; exit 1; }
base="http://127.0.0.1:$port"
kib() { awk -v k="$1" '/^'"$1"':/{print $2}' "/proc/$server/status"; }

# 1. Memory and throughput of a 1 GiB upload (a sparse file: the disk is not what is measured).
truncate -s 1G "$work/big.bin"
idle=$(kib VmRSS)
upload=$(curl -s -o "$work/upload.json" -w '%{http_code} %{speed_upload} %{time_total}' -X POST "$base/transcode" -F "file=@$work/big.bin")
read -r code speed seconds <<<"$upload"
hwm=$(kib VmHWM)
rm -f "$work/big.bin"
grow=$(( (hwm - idle) / 1024 ))
printf 'upload 1 GiB: HTTP %s (zeros are not media: stored, probed, refused), %s MiB/s, %.2f s\n' \
    "$code" "$(awk -v s="$speed" 'BEGIN { printf "%.0f", s / 1048576 }')" "$seconds"
printf 'server RSS: idle %d MiB, peak %d MiB, growth %d MiB (target < 64)\n' $((idle / 1024)) $((hwm / 1024)) "$grow"

# 2. /healthz while 1,000 connections (25 from each of 127.0.0.2-41) have sent half a header.
cat >"$work/slow.py" <<'PY'
import socket, sys, time, statistics
port = int(sys.argv[1])
held = []
for a in range(2, 42):
    for _ in range(25):
        s = socket.socket(); s.bind(("127.0.0.%d" % a, 0)); s.connect(("127.0.0.1", port))
        s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        held.append(s)
time.sleep(1)
times = []
for _ in range(200):
    c = socket.socket(); c.bind(("127.0.0.250", 0))
    t = time.perf_counter(); c.connect(("127.0.0.1", port))
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += c.recv(4096)
    times.append((time.perf_counter() - t) * 1000); c.close()
    assert data.startswith(b"HTTP/1.1 200"), data[:40]
times.sort()
print("healthz under %d half-open connections: p50 %.2f ms, p99 %.2f ms, worst %.2f ms"
      % (len(held), times[len(times) // 2], times[int(len(times) * 0.99)], times[-1]))
PY
python3 "$work/slow.py" "$port"

# 3. GET /status under load while two transcodes run.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=60" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$work/long.mp4"
ids=()
for _ in 1 2; do
    r=$(curl -s -X POST "$base/transcode" -F "file=@$work/long.mp4" -F "resolution=1280x720")
    ids+=("$(echo "$r" | python3 -c 'import sys,json; print(json.load(sys.stdin)["job_id"])')")
done
for _ in $(seq 100); do
    busy=$(curl -s "$base/healthz" | python3 -c 'import sys,json; print(json.load(sys.stdin)["workers_busy"])')
    [ "$busy" = 2 ] && break
    sleep 0.1
done
wrk -t 2 -c 64 -d "${duration}s" --latency "$base/status/${ids[0]}" >"$work/wrk.txt"
rps=$(awk '/^Requests\/sec/{print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%"{print $2}' "$work/wrk.txt")
p99=$(awk '$1=="99%"{print $2}' "$work/wrk.txt")
errors=$(awk '/Socket errors|Non-2xx/{print}' "$work/wrk.txt")
states=$(for id in "${ids[@]}"; do curl -s "$base/status/$id" | python3 -c 'import sys,json; print(json.load(sys.stdin)["status"])'; done | tr '\n' ' ')
echo "GET /status, 64 clients, ${duration} s, transcodes running: $busy (now: $states)"
echo "  $rps requests/s, p50 $p50, p99 $p99"
[ -n "$errors" ] && echo "  $errors"
exit 0
