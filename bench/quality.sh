#!/usr/bin/env bash
# What the quality check costs: the service's default job (1080p30 H.264 -> 1280x720 libx264 1000k)
# run by vtfarm-cli without and with --quality-check, in turns, starting with a different one each
# round. Prints the median wall time of each, the check's own time as vtfarm-cli reports it, and
# both as a share of the encode without the check (the issue's target: at most 15 %).
#
# Usage: bench/quality.sh [RUNS] [SECONDS]   (RUNS defaults to 5, SECONDS of source to 20)
# Environment: VTFARM_CLI   the vtfarm-cli to measure (default: build/app/cli/vtfarm-cli)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
seconds=${2:-20}
cli=${VTFARM_CLI:-$root/build/app/cli/vtfarm-cli}

die() { echo "quality.sh: $*" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[ -x "$cli" ] || die "no vtfarm-cli at $cli; build it or set VTFARM_CLI"
command -v ffmpeg >/dev/null || die "ffmpeg is not installed (apt-get install ffmpeg)"

work=$(mktemp -d -t vtfarm-quality.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/source.mp4
# A camera-like source: moving test pattern, a keyframe every 2 s.
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$seconds" \
    -f lavfi -i "sine=frequency=440:duration=$seconds" -c:v libx264 -preset veryfast -crf 20 -g 60 \
    -pix_fmt yuv420p -c:a aac -shortest "$src"

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
plain=() checked=() check=()
run() { # run with|without
    local start end out
    start=$(now)
    if [ "$1" = with ]; then
        out=$(LANG=C.UTF-8 LANGUAGE= "$cli" transcode "$src" -o "$work/out.mp4" --overwrite --quality-check 2>/dev/null)
        end=$(now)
        checked+=("$(echo "$end - $start" | bc)")
        # "OUT: quality SSIM …, PSNR … dB (N frames compared in S s)"
        check+=("$(sed -nE 's/.*frames compared in ([0-9.]+) s\)$/\1/p' <<<"$out")")
        echo "  with check:    $(echo "$end - $start" | bc) s; $(grep 'quality' <<<"$out" | sed 's/^[^:]*: //')"
    else
        LANG=C.UTF-8 LANGUAGE= "$cli" transcode "$src" -o "$work/out.mp4" --overwrite >/dev/null 2>&1
        end=$(now)
        plain+=("$(echo "$end - $start" | bc)")
        echo "  without check: $(echo "$end - $start" | bc) s"
    fi
}
for ((i = 0; i < runs; i++)); do
    echo "round $((i + 1))/$runs"
    if ((i % 2)); then run with; run without; else run without; run with; fi
done
p=$(printf '%s\n' "${plain[@]}" | median)
c=$(printf '%s\n' "${checked[@]}" | median)
k=$(printf '%s\n' "${check[@]}" | median)
echo
echo "source: ${seconds} s 1920x1080 H.264; job: 1280x720 libx264 1000k + AAC; $(nproc) cores; $runs rounds"
printf 'encode without the check (median): %.2f s\n' "$p"
printf 'encode with the check (median):    %.2f s  (+%.1f %%)\n' "$c" "$(echo "($c - $p) * 100 / $p" | bc -l)"
printf "the check's own time (median):     %.2f s  (%.1f %% of the encode)\n" "$k" "$(echo "$k * 100 / $p" | bc -l)"
