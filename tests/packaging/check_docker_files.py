#!/usr/bin/env python3
"""Checks packaging/docker/: the compose file and the Grafana provisioning and dashboard.

usage: check_docker_files.py compose|grafana SOURCE_DIR [PROMTOOL]

Prints what is wrong and exits 1; exits 0 when everything holds.
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

# What the dashboard must show: queue depth, jobs by state, workers, throughput, durations, HTTP errors.
REQUIRED_METRICS = {
    "vtfarm_queue_jobs",
    "vtfarm_jobs_completed_total",
    "vtfarm_workers_busy",
    "vtfarm_workers_max",
    "vtfarm_encoded_frames_total",
    "vtfarm_media_seconds_total",
    "vtfarm_transcode_duration_seconds_bucket",
    "vtfarm_http_requests_total",
}

# What its row "Nodes" must show: the farm's metrics, exposed by the coordinator's /metrics.
NODE_METRICS = {
    "vtfarm_nodes_connected",
    "vtfarm_node_slots",
    "vtfarm_node_busy_slots",
    "vtfarm_node_jobs_finished_total",
    "vtfarm_jobs_dispatched_total",
    "vtfarm_jobs_reclaimed_total",
    "vtfarm_results_refused_total",
    "vtfarm_transfer_bytes_total",
    "vtfarm_dispatch_latency_seconds_bucket",
}
# Shown per node: grouped by the node label somewhere in that row.
PER_NODE_METRICS = {"vtfarm_node_slots", "vtfarm_node_busy_slots", "vtfarm_node_jobs_finished_total"}

# Every metric vtfarm exposes (core/metrics, and the farm's interface): a query may name no other.
HISTOGRAMS = {
    "vtfarm_transcode_duration_seconds",
    "vtfarm_http_request_duration_seconds",
    "vtfarm_dispatch_latency_seconds",
}
KNOWN_METRICS = {
    "vtfarm_build_info",
    "vtfarm_jobs_submitted_total",
    "vtfarm_jobs_completed_total",
    "vtfarm_queue_jobs",
    "vtfarm_workers_busy",
    "vtfarm_workers_max",
    "vtfarm_encoded_frames_total",
    "vtfarm_media_seconds_total",
    "vtfarm_upload_bytes_total",
    "vtfarm_output_bytes_total",
    "vtfarm_http_requests_total",
} | NODE_METRICS | {h + suffix for h in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")}

problems = []


def problem(text):
    problems.append(text)


def load_yaml(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        problem(f"{path}: {e}")
        return None


def option(command, name):
    """The value after NAME in a command list, or None."""
    if name in command:
        i = command.index(name)
        if i + 1 < len(command):
            return str(command[i + 1])
    return None


def seconds(duration):
    """A compose duration ("40s", "1m30s", "1h") in seconds, or None."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|m|s)", str(duration))
    if not parts or "".join(n + u for n, u in parts) != str(duration):
        return None
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


def url_parts(url):
    """(scheme, host, port) of scheme://[user:password@]host[:port][/path], or None."""
    m = re.fullmatch(r"([a-z]+)://(?:[^@/]*@)?([A-Za-z0-9.-]+)(?::(\d+))?(/.*)?", url or "")
    return (m.group(1), m.group(2), m.group(3)) if m else None


def depends_on(service):
    """{name: condition} of a service's depends_on, short or long form."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (d or {}).get("condition", "service_started") for name, d in deps.items()}


# The node's default --grace (vtfarm-cli node): the time it has after SIGTERM to finish or hand
# back its job. Whatever stops it must wait longer.
NODE_DEFAULT_GRACE = 25


def check_compose(docker):
    compose = load_yaml(docker / "docker-compose.yml")
    if not isinstance(compose, dict):
        problem("docker-compose.yml: not a mapping")
        return
    services = compose.get("services") or {}
    declared_secrets = compose.get("secrets") or {}
    # The Python service's clients and its prometheus.yml know these names and ports.
    for name, port in (("api", "8000:8000"), ("prometheus", "9090:9090"), ("grafana", "3000:3000")):
        service = services.get(name)
        if not isinstance(service, dict):
            problem(f"docker-compose.yml: no service '{name}'")
            continue
        if port not in [str(p) for p in service.get("ports", [])]:
            problem(f"docker-compose.yml: service '{name}' does not publish {port}")
    for name in ("redis", "worker"):
        if not isinstance(services.get(name), dict):
            problem(f"docker-compose.yml: no service '{name}'")
    for name, service in services.items():
        if not isinstance(service, dict):
            problem(f"docker-compose.yml: service '{name}' is not a mapping")
            continue
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if ":" in str(volume) and source.startswith((".", "/")) and not (docker / source).exists():
                problem(f"docker-compose.yml: service '{name}' mounts {source}, which does not exist")
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            if not (docker / context / dockerfile).is_file():
                problem(f"docker-compose.yml: service '{name}' builds from a missing {context}/{dockerfile}")
        for secret in service.get("secrets", []):
            secret_name = secret if isinstance(secret, str) else (secret or {}).get("source")
            if secret_name not in declared_secrets:
                problem(f"docker-compose.yml: service '{name}' uses the undeclared secret '{secret_name}'")
        for dep in depends_on(service):
            if dep not in services:
                problem(f"docker-compose.yml: service '{name}' depends on the missing service '{dep}'")
    named = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in (service or {}).get("volumes", []):
            if ":" not in str(volume):
                continue  # an anonymous volume: a container path alone
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")) and source not in named:
                problem(f"docker-compose.yml: service '{name}' mounts the undeclared volume '{source}'")
    # The token file is the operator's to make (and git ignores it): only its declaration is checked.
    for secret_name, secret in declared_secrets.items():
        if not isinstance(secret, dict) or not (secret.get("file") or secret.get("environment")):
            problem(f"docker-compose.yml: secret '{secret_name}' names no file")

    def token_secret(name, service, command):
        """--token-file must be the /run/secrets/ file of a secret the service mounts."""
        path = option(command, "--token-file") or ""
        mounted = [s if isinstance(s, str) else (s or {}).get("target") or (s or {}).get("source")
                   for s in service.get("secrets", [])]
        if not path.startswith("/run/secrets/") or path[len("/run/secrets/"):] not in mounted:
            problem(f"docker-compose.yml: {name}'s --token-file '{path}' is no secret it mounts")

    def redis_service(name, command):
        parts = url_parts(option(command, "--redis"))
        if not parts or parts[0] != "redis" or parts[1] not in services \
                or "redis" not in str(services[parts[1]].get("image", "")):
            problem(f"docker-compose.yml: {name} must be given --redis redis://SERVICE[:PORT] of the redis service")

    # redis: Redis 7 (streams with consumer-group lag), AOF on so that the streams survive a
    # restart, its data in a volume, a healthcheck the others wait for, and no published port
    # (it has no password: only the services of this file reach it).
    redis = services.get("redis") or {}
    if not str(redis.get("image", "")).startswith("redis:7"):
        problem("docker-compose.yml: redis must run the image redis:7")
    if option([str(c) for c in redis.get("command") or []], "--appendonly") != "yes":
        problem("docker-compose.yml: redis must run with --appendonly yes (AOF)")
    if not any(str(v).split(":")[0] in named and str(v).split(":")[1:2] == ["/data"]
               for v in redis.get("volumes", [])):
        problem("docker-compose.yml: redis must keep /data in a named volume")
    test = " ".join(str(t) for t in ((redis.get("healthcheck") or {}).get("test") or []))
    if "redis-cli" not in test or "ping" not in test:
        problem("docker-compose.yml: redis needs a healthcheck with redis-cli ping")
    if redis.get("ports"):
        problem("docker-compose.yml: redis must publish no port (it has no password)")

    # api: the coordinator. It dispatches through Redis and transcodes nothing itself.
    api = services.get("api") or {}
    command = [str(c) for c in api.get("command") or []]
    if command[:1] != ["serve"] or "--bind" not in command or "--token-file" not in command:
        problem("docker-compose.yml: api must run serve with --bind and --token-file")
    redis_service("api", command)
    if option(command, "-j") != "0" and option(command, "--jobs") != "0":
        problem("docker-compose.yml: api must run serve with -j 0 (the workers transcode)")
    token_secret("api", api, command)
    if depends_on(api).get("redis") != "service_healthy":
        problem("docker-compose.yml: api must depend on redis being healthy")
    api_port = option(command, "--port") or "8000"

    # worker: a node, any number of them (--scale worker=N).
    worker = services.get("worker") or {}
    command = [str(c) for c in worker.get("command") or []]
    if "container_name" in worker:
        problem("docker-compose.yml: worker must have no container_name (it would forbid --scale worker=N)")
    if command[:1] != ["node"]:
        problem("docker-compose.yml: worker must run node")
    redis_service("worker", command)
    server = url_parts(option(command, "--server"))
    if not server or server[0] != "http" or server[1] != "api" or (server[2] or "80") != api_port:
        problem(f"docker-compose.yml: worker's --server must be http://api:{api_port}, the api service")
    token_secret("worker", worker, command)
    if not option(command, "--work-dir"):
        problem("docker-compose.yml: worker must be given --work-dir")
    for volume in worker.get("volumes", []):
        if ":" in str(volume) and str(volume).split(":")[0] in named:
            problem(f"docker-compose.yml: worker mounts the named volume '{str(volume).split(':')[0]}', "
                    "which every replica would share")
    if worker.get("image") != api.get("image"):
        problem("docker-compose.yml: worker must run the api's image")
    if "redis" not in depends_on(worker):
        problem("docker-compose.yml: worker must depend on redis")
    grace = option(command, "--grace")
    grace = float(grace) if grace and re.fullmatch(r"\d+", grace) else NODE_DEFAULT_GRACE
    stop = seconds(worker.get("stop_grace_period", "10s"))
    if stop is None or stop <= grace:
        problem(f"docker-compose.yml: worker's stop_grace_period ({worker.get('stop_grace_period', '10s')}) "
                f"must exceed the node's grace of {grace:g} s")

    dockerfile = (docker / "Dockerfile").read_text(encoding="utf-8")
    for needed in ("FROM debian:12", "apt-get install", "./vtfarm_*.deb", "EXPOSE 8000", "/var/lib/vtfarm-node"):
        if needed not in dockerfile:
            problem(f"Dockerfile: lacks '{needed}'")
    # One image for both programs: the entry point is vtfarm-cli, the command its subcommand, so
    # that compose's and Kubernetes' `serve ...` and `node ...` replace the default command.
    entrypoint = re.findall(r"^ENTRYPOINT\s+(\[.*\])\s*$", dockerfile, re.M)
    cmd = re.findall(r"^CMD\s+(\[(?:.|\\\n)*?\])\s*$", dockerfile, re.M)
    try:
        entrypoint = json.loads(entrypoint[-1]) if entrypoint else []
        cmd = json.loads(cmd[-1].replace("\\\n", "")) if cmd else []
    except ValueError as e:
        problem(f"Dockerfile: ENTRYPOINT or CMD is not a JSON list: {e}")
        entrypoint, cmd = [], []
    if entrypoint[-1:] != ["/usr/bin/vtfarm-cli"]:
        problem("Dockerfile: the ENTRYPOINT must end with /usr/bin/vtfarm-cli (the command is its subcommand)")
    if cmd[:1] != ["serve"]:
        problem("Dockerfile: the default CMD must be serve")


def check_grafana(docker, promtool):
    provisioning = docker / "grafana" / "provisioning"
    datasources = load_yaml(provisioning / "datasources" / "prometheus.yml") or {}
    uids = {d.get("uid") for d in datasources.get("datasources", []) if d.get("type") == "prometheus"}
    if not uids:
        problem("grafana datasources: no Prometheus data source with a uid")
    providers = load_yaml(provisioning / "dashboards" / "vtfarm.yml") or {}
    if not providers.get("providers"):
        problem("grafana dashboards provisioning: no provider")

    dashboards = sorted((docker / "grafana" / "dashboards").glob("*.json"))
    if not dashboards:
        problem("grafana/dashboards: no dashboard")
    exprs = []
    node_row_exprs = []
    for path in dashboards:
        try:
            dashboard = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            problem(f"{path.name}: {e}")
            continue
        if not dashboard.get("uid") or not dashboard.get("title"):
            problem(f"{path.name}: needs a uid and a title")
        # Rows hold their panels when collapsed; otherwise a row's panels follow it.
        panels = []
        row = None
        for panel in dashboard.get("panels", []):
            if panel.get("type") == "row":
                row = panel.get("title")
                panels.append((None, panel))
                panels.extend((row, p) for p in panel.get("panels", []))
            else:
                panels.append((row, panel))
        ids = [p.get("id") for _, p in panels]
        if len(ids) != len(set(ids)):
            problem(f"{path.name}: panel ids repeat")
        if "Nodes" not in [p.get("title") for _, p in panels if p.get("type") == "row"]:
            problem(f"{path.name}: no row 'Nodes'")
        # Panels of the open layout must not overlap on the 24-column grid.
        cells = {}
        for panel in dashboard.get("panels", []):
            g = panel.get("gridPos") or {}
            for x in range(g.get("x", 0), g.get("x", 0) + g.get("w", 0)):
                for y in range(g.get("y", 0), g.get("y", 0) + g.get("h", 0)):
                    if (x, y) in cells:
                        problem(f"{path.name}: panels '{cells[(x, y)]}' and '{panel.get('title')}' overlap")
                        break
                    cells[(x, y)] = panel.get("title")
                else:
                    continue
                break
            if g.get("x", 0) + g.get("w", 0) > 24:
                problem(f"{path.name}: panel '{panel.get('title')}' is wider than the grid")
        for row, panel in panels:
            for target in panel.get("targets", []):
                uid = (target.get("datasource") or panel.get("datasource") or {}).get("uid")
                if uid not in uids:
                    problem(f"{path.name}: panel '{panel.get('title')}' uses data source '{uid}', not provisioned")
                if target.get("expr"):
                    exprs.append((panel.get("title"), target["expr"]))
                    if row == "Nodes":
                        node_row_exprs.append((panel.get("title"), target["expr"]))
        for variable in (dashboard.get("templating") or {}).get("list", []):
            query = variable.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            for name in re.findall(r"\bvtfarm_[a-z_]+", str(query or "")):
                if name not in KNOWN_METRICS:
                    problem(f"{path.name}: variable '{variable.get('name')}' queries {name}, which vtfarm does not expose")

    metrics_of = lambda e: set(re.findall(r"\bvtfarm_[a-z_]+", e))
    used = {m for _, e in exprs for m in metrics_of(e)}
    for missing in sorted(REQUIRED_METRICS - used):
        problem(f"dashboard: no panel shows {missing}")
    for title, e in exprs:
        for name in sorted(metrics_of(e) - KNOWN_METRICS):
            problem(f"dashboard: panel '{title}' queries {name}, which vtfarm does not expose")
    in_node_row = {m for _, e in node_row_exprs for m in metrics_of(e)}
    for missing in sorted(NODE_METRICS - in_node_row):
        problem(f"dashboard: no panel of the row 'Nodes' shows {missing}")
    for name in sorted(PER_NODE_METRICS):
        if not any(name in metrics_of(e) and re.search(r"\bby\s*\(\s*node\s*\)", e) for _, e in node_row_exprs):
            problem(f"dashboard: the row 'Nodes' does not show {name} by node")

    # promtool parses PromQL in recording rules: one rule per query, Grafana's variables replaced
    # by what they expand to.
    if exprs:
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:query{i}",
             "expr": e.replace("$__rate_interval", "1m").replace("$instance", ".*")}
            for i, (_, e) in enumerate(exprs)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            yaml.safe_dump(rules, f)
            f.flush()
            result = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
        if result.returncode != 0:
            problem("dashboard queries do not parse as PromQL:\n" + result.stdout + result.stderr)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("compose", "grafana"):
        sys.exit(__doc__)
    docker = pathlib.Path(sys.argv[2]) / "packaging" / "docker"
    if sys.argv[1] == "compose":
        check_compose(docker)
    else:
        check_grafana(docker, sys.argv[3] if len(sys.argv) > 3 else "promtool")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
