# Helpers the benchmarks share. Source it: . "$(dirname "$0")/lib.sh"
now() { date +%s.%N; }
# The median of the numbers on stdin, one per line (of an even count, the upper middle one).
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
