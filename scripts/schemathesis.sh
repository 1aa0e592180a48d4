#!/usr/bin/env bash
# Property-based API check: the served OpenAPI document against the running api.
#
# Starts redis-server, SecantusDB and the built api on free loopback ports (with a little data
# from the built importer, aggregator and dumper), runs schemathesis with a fixed seed and a
# bounded budget, and exits non-zero on any failure. Stops everything it started.
#
# Environment:
#   SCRATCH_PATH          SwiftPM scratch path of the build to use (default .build); the
#                         executables are built there first if missing
#   SCHEMATHESIS_SEED     generation seed (default 20260120)
#   SCHEMATHESIS_EXAMPLES max examples per operation (default 100)
#   SCHEMATHESIS_REPORT   directory for a JUnit report (default: none)
set -euo pipefail

cd "$(dirname "$0")/.."
SCRATCH_PATH=${SCRATCH_PATH:-.build}
SEED=${SCHEMATHESIS_SEED:-20260120}
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-100}
TOKEN=schemathesis-token
TODAY=2026-01-20

if ! command -v schemathesis >/dev/null 2>&1; then
    python3 -m pip install -q schemathesis || python3 -m pip install -q --break-system-packages schemathesis
fi
SCHEMATHESIS=$(command -v schemathesis || echo "python3 -m schemathesis.cli")

BIN=$(swift build --scratch-path "$SCRATCH_PATH" --show-bin-path)
for exe in api importer aggregator dumper; do
    if [ ! -x "$BIN/$exe" ]; then
        swift build --scratch-path "$SCRATCH_PATH"
        break
    fi
done

WORK=$(mktemp -d -t txstats-schemathesis.XXXXXX)
PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ] && [ -f "$WORK/api.log" ]; then
        echo "--- api log (tail) ---" >&2
        tail -n 30 "$WORK/api.log" >&2 || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {
    local port=$1 what=$2
    for _ in $(seq 1 200); do
        if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "$what did not listen on 127.0.0.1:$port" >&2
    return 1
}

REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
MONGO_PORT=$(free_port)
secantusd-py --host 127.0.0.1 --port "$MONGO_PORT" --storage-path :memory: >"$WORK/mongo.log" 2>&1 &
PIDS+=($!)
wait_port "$REDIS_PORT" redis-server
wait_port "$MONGO_PORT" SecantusDB

export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/" MONGODB_DATABASE=txstats_schemathesis
export TXSTATS_TODAY=$TODAY TXSTATS_CUTOFF_DAYS=7 TXSTATS_TIMEZONE=UTC LOG_LEVEL=warning

# A little data: December and January, some days in MongoDB (before the cut-off), some in Redis.
"$BIN/importer" generate --rows 3000 --days 51 --start 2025-12-01 --seed 7 --with-status --out "$WORK/sample.csv"
"$BIN/importer" --no-sleep "$WORK/sample.csv" >/dev/null
"$BIN/aggregator" --drain --worker-id schemathesis >/dev/null
"$BIN/dumper" --once >/dev/null

API_PORT=$(free_port)
# Both tokens set (to the same value, so one Authorization header serves every operation):
# the read routes' and the admin routes' security is exercised.
TXSTATS_READ_TOKEN=$TOKEN TXSTATS_ADMIN_TOKEN=$TOKEN "$BIN/api" --port "$API_PORT" >"$WORK/api.log" 2>&1 &
API_PID=$!
PIDS+=($API_PID)
for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$API_PORT/healthz" >/dev/null 2>&1; then break; fi
    kill -0 "$API_PID" 2>/dev/null || { echo "api exited before answering" >&2; exit 1; }
    sleep 0.1
done

REPORT=()
if [ -n "${SCHEMATHESIS_REPORT:-}" ]; then
    mkdir -p "$SCHEMATHESIS_REPORT"
    REPORT=(--report junit --report-dir "$(cd "$SCHEMATHESIS_REPORT" && pwd)")
fi

set +e
# From the temporary directory: schemathesis keeps its crash cache in ./.schemathesis.
cd "$WORK"
$SCHEMATHESIS run "http://127.0.0.1:$API_PORT/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,unsupported_method \
    --seed "$SEED" --max-examples "$EXAMPLES" --workers 1 \
    --generation-database none --request-timeout 10 --no-color "${REPORT[@]}"
STATUS=$?
set -e

if ! kill -0 "$API_PID" 2>/dev/null; then
    echo "the api died during the run" >&2
    STATUS=1
fi
exit "$STATUS"
