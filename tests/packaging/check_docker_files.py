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


def check_compose(docker):
    compose = load_yaml(docker / "docker-compose.yml")
    if not isinstance(compose, dict):
        problem("docker-compose.yml: not a mapping")
        return
    services = compose.get("services") or {}
    # The Python service's clients and its prometheus.yml know these names and ports.
    for name, port in (("api", "8000:8000"), ("prometheus", "9090:9090"), ("grafana", "3000:3000")):
        service = services.get(name)
        if not isinstance(service, dict):
            problem(f"docker-compose.yml: no service '{name}'")
            continue
        if port not in [str(p) for p in service.get("ports", [])]:
            problem(f"docker-compose.yml: service '{name}' does not publish {port}")
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith((".", "/")) and not (docker / source).exists():
                problem(f"docker-compose.yml: service '{name}' mounts {source}, which does not exist")
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            if not (docker / context / dockerfile).is_file():
                problem(f"docker-compose.yml: service '{name}' builds from a missing {context}/{dockerfile}")
    api = services.get("api") or {}
    command = api.get("command") or []
    if command[:1] != ["serve"] or "--bind" not in command or "--token-file" not in command:
        problem("docker-compose.yml: api must run serve with --bind and --token-file")
    for secret in api.get("secrets", []):
        if secret not in (compose.get("secrets") or {}):
            problem(f"docker-compose.yml: api uses the undeclared secret '{secret}'")
    named = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")) and source not in named:
                problem(f"docker-compose.yml: service '{name}' mounts the undeclared volume '{source}'")

    dockerfile = (docker / "Dockerfile").read_text(encoding="utf-8")
    for needed in ("FROM debian:12", "apt-get install", "./vtfarm_*.deb", "EXPOSE 8000"):
        if needed not in dockerfile:
            problem(f"Dockerfile: lacks '{needed}'")


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
    for path in dashboards:
        try:
            dashboard = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            problem(f"{path.name}: {e}")
            continue
        if not dashboard.get("uid") or not dashboard.get("title"):
            problem(f"{path.name}: needs a uid and a title")
        ids = [p.get("id") for p in dashboard.get("panels", [])]
        if len(ids) != len(set(ids)):
            problem(f"{path.name}: panel ids repeat")
        for panel in dashboard.get("panels", []):
            for target in panel.get("targets", []):
                uid = (target.get("datasource") or panel.get("datasource") or {}).get("uid")
                if uid not in uids:
                    problem(f"{path.name}: panel '{panel.get('title')}' uses data source '{uid}', not provisioned")
                if target.get("expr"):
                    exprs.append((panel.get("title"), target["expr"]))

    used = {m for _, e in exprs for m in re.findall(r"\bvtfarm_[a-z_]+", e)}
    for missing in sorted(REQUIRED_METRICS - used):
        problem(f"dashboard: no panel shows {missing}")

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
