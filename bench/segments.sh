#!/usr/bin/env bash
# Segments benchmark: a 1080p clip encoded to 720p.
# - local: on one machine, split across the local slots (--split) against the same job unsplit
#   (--split off), both with -j 2;
# - resume: the split job killed at about 70 % of its segments and resumed with `vtfarm-cli run`,
#   the time to finish as a fraction of the full split encode;
# - farm: on the distributed farm (a coordinator with no slots of its own, Redis), the file unsplit
#   on one single-core node (taskset) against the file split across two such nodes.
# Not a test: it prints numbers.
#   The resume part splits at 10 s whatever the segment length: a kill at 70 % means something only
#   when the file has many segments.
# Usage: bench/segments.sh [seconds of clip, default 120] [segment seconds, default 60: the product's]
#                          [runs, default 1] [parts, default local,resume,farm]
# Uses the build in $VTFARM_BUILD_DIR (default build/), building it when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/deps.sh"
. "$root/bench/lib.sh"
install_missing "${VTFARM_BUILD_PACKAGES[@]}" ffmpeg python3 curl redis-server
build=${VTFARM_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target vtfarm-cli >/dev/null
cli="$build/app/cli/vtfarm-cli"
seconds=${1:-120}
segment=${2:-60}
runs=${3:-1}
parts=${4:-local,resume,farm}
want_part() { [[ ",$parts," == *",$1,"* ]]; }

work=$(mktemp -d /tmp/vtfarm-bench-segments.XXXXXX)
batch=""
pids=()
cleanup() {
    [ -n "$batch" ] && kill -9 "$batch" 2>/dev/null
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

src="$work/clip1080.mp4"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$seconds" \
    -f lavfi -i "sine=frequency=440:duration=$seconds:sample_rate=48000" -c:v libx264 -preset veryfast \
    -crf 20 -pix_fmt yuv420p -c:a aac -b:a 128k -shortest "$src"
opts=(--codec libx264 --preset veryfast --bitrate 2500k --resolution 1280x720)

# One batch run; prints its wall time.
encode() { # NAME SPLIT
    rm -rf "$work/$1" "$work/$1-data"
    local a b
    a=$(now)
    "$cli" batch "$src" -o "$work/$1" --data-dir "$work/$1-data" -j 2 --split "$2" "${opts[@]}" \
        >"$work/$1.log" 2>&1 </dev/null || { echo "$1 failed:"; tail -3 "$work/$1.log"; exit 1; }
    b=$(now)
    echo "$a $b" | awk '{printf "%.2f", $2-$1}'
}
frames() { ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }

echo "clip: ${seconds} s 1920x1080 30 fps -> 1280x720 x264 veryfast 2500k; -j 2 on $(nproc) cores"
whole=""
want_part local && for run in $(seq "$runs"); do
    whole=$(encode whole off)
    split=$(encode split "$segment")
    w=$(ls "$work"/whole/*.mp4) s=$(ls "$work"/split/*.mp4)
    echo "run $run: unsplit ${whole} s, split (${segment} s segments) ${split} s, ratio" \
        "$(echo "$split $whole" | awk '{printf "%.3f", $1/$2}'); frames $(frames "$w") / $(frames "$s")"
done

# Resume: kill -9 once about 70 % of the segments are done, then `run` finishes the job.
want_part resume && {
resume_segment=10
total=$(python3 -c "import math; print(math.ceil($seconds / $resume_segment))")
want=$(python3 -c "import math; print(max(1, math.floor($total * 0.7)))")
rm -rf "$work/res" "$work/res-data"
"$cli" batch "$src" -o "$work/res" --data-dir "$work/res-data" -j 2 --split "$resume_segment" "${opts[@]}" \
    >"$work/res1.log" 2>&1 </dev/null &
batch=$!
done_=0
while kill -0 "$batch" 2>/dev/null; do
    done_=$("$cli" jobs --data-dir "$work/res-data" --json 2>/dev/null </dev/null \
        | python3 -c 'import sys,json; j=json.load(sys.stdin); print(j[0].get("segments",{}).get("done",0) if j else 0)' \
        2>/dev/null || echo 0)
    [ "${done_:-0}" -ge "$want" ] && break
    sleep 0.2
done
kill -9 "$batch" 2>/dev/null || true
pkill -9 -P "$batch" 2>/dev/null || true
batch=""
sleep 1
a=$(now)
"$cli" run --data-dir "$work/res-data" -j 2 >"$work/res2.log" 2>&1 </dev/null
b=$(now)
resume=$(echo "$a $b" | awk '{printf "%.2f", $2-$1}')
of_full="" # the fraction, when the local part timed the full encode
[ -n "$whole" ] && of_full=", $(echo "$resume $whole" | awk '{printf "%.3f", $1/$2}') of the full (unsplit) encode"
echo "resume after $done_ of $total segments: ${resume} s${of_full}; frames $(frames "$(ls "$work"/res/*.mp4)")"
}

# The farm: a coordinator with no slots, Redis, and two nodes confined to one core each. Each run
# encodes the file unsplit (one job: one single-core node works, the other has nothing to take),
# then split across both, one after the other so that the machine's drift between them is small;
# the times are the coordinator's, from the job's start to its end, so that how often this script
# polls is not timed.
want_part farm || exit 0
[ "$(nproc)" -ge 2 ] || { echo "farm: needs two cores (one per node)" >&2; exit 1; }
farm_coordinator --data-dir "$work/farm-data"
farm_job() { # SPLIT -> seconds from the job's start to its end
    job_span "$(curl -s -H "$auth" -F file=@"$src" -F codec=libx264 -F preset=veryfast -F bitrate=2500k \
        -F resolution=1280x720 -F split="$1" "$url/api/v1/jobs" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])')"
}
farm_node a 0
farm_node b 1
until [ "$(farm_nodes_listed)" = 2 ]; do sleep 0.2; done
ratios=()
for run in $(seq "$runs"); do
    one=$(farm_job off)
    two=$(farm_job "$segment")
    ratios+=("$(echo "$two $one" | awk '{printf "%.3f", $1/$2}')")
    echo "farm run $run: one single-core node unsplit ${one} s, two split (${segment} s segments) ${two} s," \
        "ratio ${ratios[-1]}"
done
[ "$runs" -gt 1 ] && echo "farm: median ratio $(printf '%s\n' "${ratios[@]}" | median) of $runs runs"
exit 0
