#!/usr/bin/env bash
# Engine benchmark: the Python service's default job (1080p30 H.264+AAC -> 1280x720 libx264 1000k + AAC)
# done by vtfarm-cli, by the ffmpeg CLI with the same settings, and by HandBrakeCLI with matching ones.
# The tools take turns, starting with a different one each round, so that none always runs on a cold
# or a warm machine. Prints each tool's median wall time and peak RSS and the ratios to ffmpeg.
#
# Usage: bench/engine.sh [RUNS]         (RUNS defaults to 5)
# Environment: VTFARM_CLI   the vtfarm-cli to measure (default: build/app/cli/vtfarm-cli)
#              BENCH_DIR    where to keep the source clip and outputs (default: a temporary folder)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
cli=${VTFARM_CLI:-$root/build/app/cli/vtfarm-cli}
timer=/usr/bin/time

die() { echo "engine.sh: $*" >&2; exit 1; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[ -x "$cli" ] || die "no vtfarm-cli at $cli; build it (cmake -S . -B build -G Ninja && ninja -C build) or set VTFARM_CLI"
command -v ffmpeg >/dev/null || die "ffmpeg is not installed (apt-get install ffmpeg)"
command -v ffprobe >/dev/null || die "ffprobe is not installed (apt-get install ffmpeg)"
[ -x "$timer" ] || die "$timer is not installed (apt-get install time)"

if [ -n "${BENCH_DIR:-}" ]; then
    work=$BENCH_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d -t vtfarm-bench.XXXXXX)
    trap 'rm -rf "$work"' EXIT
fi

tools=(vtfarm ffmpeg)
if command -v HandBrakeCLI >/dev/null; then
    tools+=(handbrake)
else
    echo "HandBrakeCLI is not installed; skipping it (apt-get install handbrake-cli)."
fi

# The source: 10 s of 1920x1080 at 30 fps, made the way the acceptance checks make theirs.
src=$work/bench1080.mp4
if [ ! -s "$src" ]; then
    echo "Generating $src ..."
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=10" \
        -f lavfi -i "sine=frequency=440:duration=10:sample_rate=48000" \
        -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -c:a aac -b:a 128k -shortest "$src"
fi

# Sets cmd to the command line with which tool $1 does the job, writing $2.
command_for() {
    local tool=$1 out=$2
    case $tool in
    vtfarm)
        cmd=("$cli" transcode "$src" -o "$out" --codec libx264 --bitrate 1000k --resolution 1280x720 --overwrite)
        ;;
    ffmpeg)
        cmd=(ffmpeg -nostdin -hide_banner -loglevel error -y -i "$src" -c:v libx264 -b:v 1000k -s 1280x720 -c:a aac "$out")
        ;;
    handbrake)
        # HandBrake's defaults add filters, crop black borders and pick another x264 preset; switch
        # all of that off so that it does the same work as the other two.
        cmd=(HandBrakeCLI -i "$src" -o "$out" -e x264 --encoder-preset medium -b 1000 --no-two-pass
            -w 1280 -l 720 --non-anamorphic --crop 0:0:0:0 --vfr -E av_aac
            --no-comb-detect --no-deinterlace --no-decomb --no-detelecine --no-hqdn3d --no-nlmeans
            --no-chroma-smooth --no-unsharp --no-lapsharp --no-deblock)
        ;;
    esac
}

# Runs one measured transcode; appends "WALL_SECONDS PEAK_RSS_KB" to $work/TOOL.results.
measure() {
    local tool=$1 out=$work/out-$1.mp4
    local cmd=()
    command_for "$tool" "$out"
    rm -f "$out"
    if ! "$timer" -f "%e %M" -o "$work/$tool.time" "${cmd[@]}" </dev/null >"$work/$tool.log" 2>&1; then
        tail -n 20 "$work/$tool.log" >&2
        die "$tool failed (log above)"
    fi
    tail -n 1 "$work/$tool.time" >>"$work/$tool.results"
    local got
    got=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$out")
    [ "$got" = "h264,1280,720" ] || die "$tool wrote '$got', not h264,1280,720"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for tool in "${tools[@]}"; do
    : >"$work/$tool.results"
done

echo "Transcoding $src to 1280x720 libx264 1000k + AAC: ${#tools[@]} tools, $runs runs each, taking turns."
for ((run = 0; run < runs; run++)); do
    for ((k = 0; k < ${#tools[@]}; k++)); do
        tool=${tools[$(((run + k) % ${#tools[@]}))]}
        measure "$tool"
        read -r seconds kb < <(tail -n 1 "$work/$tool.results")
        printf '  run %d %-9s %6.2f s  %7d KB\n' $((run + 1)) "$tool" "$seconds" "$kb"
    done
done

echo
printf '%-10s %14s %16s %16s\n' tool "median wall s" "median peak RSS" "output kbit/s"
declare -A wall
for tool in "${tools[@]}"; do
    wall[$tool]=$(cut -d' ' -f1 "$work/$tool.results" | median)
    rss=$(cut -d' ' -f2 "$work/$tool.results" | median)
    kbps=$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$work/out-$tool.mp4" | awk '{ printf "%d", $1 / 1000 }')
    printf '%-10s %14.2f %13.0f MB %16s\n' "$tool" "${wall[$tool]}" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$kbps"
done
echo
awk -v a="${wall[vtfarm]}" -v b="${wall[ffmpeg]}" 'BEGIN { printf "wall-time ratio vtfarm/ffmpeg:    %.3f\n", a / b }'
if [ -n "${wall[handbrake]:-}" ]; then
    awk -v a="${wall[handbrake]}" -v b="${wall[ffmpeg]}" 'BEGIN { printf "wall-time ratio handbrake/ffmpeg: %.3f\n", a / b }'
fi
