#!/usr/bin/env bash
# Farm throughput: 8 generated 5 s 1080p clips transcoded to 1280x720 libx264 1000k by
#   vtfarm-cli batch            (the farm, its default concurrency unless -j is given in VTFARM_BATCH_ARGS)
#   ffmpeg, one after another   (sequential)
#   ffmpeg, two at a time       (xargs -P2)
# Prints the median total wall time of each over ROUNDS rounds and the ratios, then the queue's
# start-up time and memory with 10,000 jobs in the store.
# Usage: bench/farm.sh [ROUNDS]   (VTFARM_CLI overrides the binary; run it on an otherwise idle machine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${VTFARM_CLI:-$root/build/app/cli/vtfarm-cli}
rounds=${1:-3}
work=$(mktemp -d /tmp/vtfarm-bench-farm.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -x "$cli" ] || { echo "no vtfarm-cli at $cli; build first or set VTFARM_CLI" >&2; exit 2; }

mkdir -p "$work/in"
echo "generating 8 clips (5 s, 1920x1080, 30 fps, H.264 + AAC)..."
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=5" \
    -f lavfi -i "sine=frequency=440:duration=5:sample_rate=48000" -c:v libx264 -preset veryfast -crf 20 \
    -pix_fmt yuv420p -c:a aac -b:a 128k -shortest "$work/clip.mp4"
for i in 1 2 3 4 5 6 7 8; do cp "$work/clip.mp4" "$work/in/c$i.mp4"; done

. "$root/bench/lib.sh"
ff_one() { ffmpeg -nostdin -hide_banner -loglevel error -y -i "$1" -c:v libx264 -b:v 1000k -s 1280x720 -c:a aac "$2"; }
export -f ff_one

: >"$work/vt"; : >"$work/seq"; : >"$work/par"
for r in $(seq "$rounds"); do
    rm -rf "$work/out" "$work/data" "$work/ff"; mkdir -p "$work/ff"
    t0=$(now)
    # shellcheck disable=SC2086
    "$cli" batch "$work/in" --data-dir "$work/data" -o "$work/out" --codec libx264 --bitrate 1000k \
        --resolution 1280x720 ${VTFARM_BATCH_ARGS:-} >/dev/null </dev/null
    t1=$(now)
    for f in "$work"/in/*.mp4; do ff_one "$f" "$work/ff/$(basename "$f")"; done
    t2=$(now)
    ls "$work"/in/*.mp4 | xargs -P2 -I{} bash -c 'ff_one "$1" "$2/$(basename "$1" .mp4).par.mp4"' _ {} "$work/ff"
    t3=$(now)
    echo "$t0 $t1" | awk '{printf "%.3f\n", $2-$1}' >>"$work/vt"
    echo "$t1 $t2" | awk '{printf "%.3f\n", $2-$1}' >>"$work/seq"
    echo "$t2 $t3" | awk '{printf "%.3f\n", $2-$1}' >>"$work/par"
    echo "round $r: vtfarm $(tail -1 "$work/vt") s, ffmpeg sequential $(tail -1 "$work/seq") s, ffmpeg -P2 $(tail -1 "$work/par") s"
done
vt=$(median <"$work/vt"); seq=$(median <"$work/seq"); par=$(median <"$work/par")
echo
echo "median wall time over $rounds rounds (8 clips):"
echo "  vtfarm-cli batch        $vt s"
echo "  ffmpeg sequential       $seq s"
echo "  ffmpeg 2 in parallel    $par s"
awk -v v="$vt" -v s="$seq" -v p="$par" 'BEGIN{b=(s<p)?s:p; printf "  ratio vtfarm/sequential %.3f, vtfarm/parallel %.3f, vtfarm/best %.3f (target <= 1.00)\n", v/s, v/p, v/b}'

# 10,000 jobs in the store: how long opening the queue takes, and its memory.
echo
echo "a store of 10,000 jobs:"
"$cli" batch "$work/in/c1.mp4" --data-dir "$work/big" -o "$work/bigout" --resolution 160x90 --preset ultrafast >/dev/null </dev/null
python3 - "$work/big/jobs.sqlite" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT * FROM jobs LIMIT 1").fetchone()
cols = [d[0] for d in db.execute("SELECT * FROM jobs LIMIT 1").description]
rows = []
for i in range(9999):
    r = list(row)
    r[cols.index("id")] = str(uuid.uuid4())
    r[cols.index("position")] = i + 1
    r[cols.index("output_path")] = row[cols.index("output_path")].replace(".mp4", " %d.mp4" % i)
    rows.append(r)
db.executemany("INSERT INTO jobs VALUES (%s)" % ",".join("?" * len(cols)), rows)
db.commit()
print("  jobs in the store:", db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])
PY
/usr/bin/time -f "  vtfarm-cli run (open the queue, recover, nothing to do): %e s, peak RSS %M KiB" \
    "$cli" run --data-dir "$work/big" >/dev/null </dev/null
/usr/bin/time -f "  vtfarm-cli jobs --json (load and print all): %e s, peak RSS %M KiB" \
    "$cli" jobs --data-dir "$work/big" --json >/dev/null </dev/null
