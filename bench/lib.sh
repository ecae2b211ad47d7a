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

# Starts node NAME of the farm_coordinator's farm, confined to core CORE, one transcode at a time;
# sets node_NAME to its pid and adds it to pids.
farm_node() { # NAME CORE
    taskset -c "$2" "$cli" node --redis "redis://127.0.0.1:$rport" --server "$url" --token-file "$work/token" \
        -j 1 --name "$1" --work-dir "$work/w-$1" >"$work/node-$1.log" 2>&1 </dev/null &
    pids+=($!)
    eval "node_$1=$!"
}
# How many nodes the coordinator lists.
farm_nodes_listed() { curl -s -H "$auth" "$url/api/v1/nodes" | python3 -c 'import sys,json; print(len(json.load(sys.stdin)["nodes"]))'; }

# Waits for the coordinator's jobs IDS to finish, polling twice a second over one connection, and
# prints the seconds from the first one's start to the last one's end, off the coordinator's own
# timestamps (so the polling is not timed). Fails if one fails or is canceled.
job_span() { # IDS...
    python3 - "$port" "$(cat "$work/token")" "$@" <<'PY'
import http.client, json, sys, time
from datetime import datetime
port, token, ids = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
c = http.client.HTTPConnection("127.0.0.1", port)
def job(i):
    c.request("GET", "/api/v1/jobs/" + i, headers={"Authorization": "Bearer " + token})
    return json.loads(c.getresponse().read())
while True:
    jobs = [job(i) for i in ids]
    if any(j["status"] in ("failed", "canceled") for j in jobs):
        sys.exit("a job did not finish: " + json.dumps(jobs))
    if all(j["status"] == "finished" for j in jobs):
        break
    time.sleep(0.5)  # more often takes CPU from the nodes; the span is not timed by it
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print(f"{max(t(j['ended_at']) for j in jobs) - min(t(j['started_at']) for j in jobs):.2f}")
PY
}
