# Helpers the benchmarks share. Source it: . "$(dirname "$0")/lib.sh"
now() { date +%s.%N; }
# The median of the numbers on stdin, one per line (of an even count, the upper middle one).
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The port `vtfarm-cli serve --port 0` says it serves on, in the file its output goes to; waits up
# to 10 s for it, and fails if it never comes.
serve_port() {
    local p=""
    for _ in $(seq 100); do
        p=$(sed -n 's|.*serving on http://[^:]*:\([0-9]*\)/.*|\1|p' "$1")
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1
    done
    return 1
}

# For a farm benchmark: starts Redis and a coordinator with no slots of its own (serve -j 0), both
# kept in the folder $work and run from $cli; more arguments go to serve. Sets rport (Redis's port),
# port, url, auth (the header) and serve (its pid), and adds both pids to the array pids.
farm_coordinator() {
    rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
    pids+=($!)
    until redis-cli -p "$rport" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/token"
    chmod 600 "$work/token"
    auth="Authorization: Bearer $(cat "$work/token")"
    "$cli" serve --port 0 --redis "redis://127.0.0.1:$rport" -j 0 --token-file "$work/token" "$@" \
        >"$work/serve.out" 2>"$work/serve.log" </dev/null &
    serve=$!
    pids+=($serve)
    port=$(serve_port "$work/serve.out") || { echo "serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
    url="http://127.0.0.1:$port"
}
