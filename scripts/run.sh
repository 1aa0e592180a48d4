#!/usr/bin/env bash
# The main job: the whole fleet on a generated sample month, servers on loopback.
# Installs what is missing, builds in release mode, starts redis-server and a MongoDB
# wire-protocol server (SecantusDB) on free ports with their data in .txstats/, generates a
# month of transactions ending today, imports them while two aggregators aggregate, runs the
# dumper and the api, prints a GET /stats answer, and keeps the api up until Ctrl-C, which stops
# everything it started. A second run reuses what is installed, built and generated.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${ROWS:-200000}
DAYS=${DAYS:-30}
STATE="$ROOT/.txstats"
mkdir -p "$STATE/redis" "$STATE/mongo"

scripts/setup.sh
for product in importer aggregator dumper api; do swift build -c release --product "$product" >&2; done
BIN=$(swift build -c release --show-bin-path)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PIDS=()
cleanup() {
  trap - EXIT INT TERM
  echo "stopping the fleet" >&2
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE/redis" --appendonly yes --save '' \
  --hash-max-listpack-entries 128 --logfile "$STATE/redis.log" &
PIDS+=($!)
MONGO_PORT=$(free_port)
secantusd-py --host 127.0.0.1 --port "$MONGO_PORT" --storage-path "$STATE/mongo" >"$STATE/mongo.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
for _ in $(seq 200); do python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$MONGO_PORT),0.2)" 2>/dev/null && break; sleep 0.1; done
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT"
export TXSTATS_DUMP_INTERVAL_SECONDS=${TXSTATS_DUMP_INTERVAL_SECONDS:-2}
echo "redis-server on 127.0.0.1:$REDIS_PORT, SecantusDB on 127.0.0.1:$MONGO_PORT (data in $STATE)" >&2

TODAY=$(date -u +%F)
START=$(date -u -d "$TODAY - $((DAYS - 1)) days" +%F)
SAMPLE="$STATE/sample-$ROWS-$DAYS-$START.csv"
[ -f "$SAMPLE" ] || "$BIN/importer" generate --rows "$ROWS" --days "$DAYS" --start "$START" --with-status --out "$SAMPLE"

for i in 1 2; do
  "$BIN/aggregator" --worker-id "demo-$i" 2>>"$STATE/aggregator-$i.log" &
  PIDS+=($!)
done
"$BIN/dumper" 2>>"$STATE/dumper.log" &
PIDS+=($!)
API_PORT=${PORT:-$(free_port)}
"$BIN/api" --port "$API_PORT" 2>>"$STATE/api.log" &
PIDS+=($!)

# Re-running imports nothing twice: the importer resumes after the rows it already queued.
"$BIN/importer" --no-sleep "$SAMPLE"

# Wait until everything queued is committed and the dumper has copied and retired old days.
pending() {
  redis-cli -p "$REDIS_PORT" eval "local n = redis.call('LLEN', KEYS[1]) + redis.call('SCARD', KEYS[3]) + redis.call('SCARD', KEYS[4])
    for _, w in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do n = n + redis.call('LLEN', '{TransactionQueue}:inflight:' .. w) end
    return n" 4 TransactionQueue '{TransactionQueue}:workers' '{TransactionQueue}:dirty' '{TransactionQueue}:dumping'
}
settled=""
for _ in $(seq 600); do [ "$(pending)" = "0" ] && { settled=1; break; }; sleep 0.2; done
[ -n "$settled" ] || { echo "run: the fleet did not commit and dump everything within 2 minutes; logs in $STATE/" >&2; exit 1; }
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$API_PORT/healthz" >/dev/null && break; sleep 0.1; done

FROM=$(date -u -d "$TODAY - 9 days" +%F)
echo
echo "GET http://127.0.0.1:$API_PORT/stats?from_date=$FROM&to_date=$TODAY"
echo "(days before $(date -u -d "$TODAY - ${TXSTATS_CUTOFF_DAYS:-7} days" +%F) come from MongoDB, the rest from Redis)"
curl -sf "http://127.0.0.1:$API_PORT/stats?from_date=$FROM&to_date=$TODAY" || { echo "run: GET /stats failed; logs in $STATE/" >&2; exit 1; }
echo
echo "Dead letters: $(redis-cli -p "$REDIS_PORT" llen '{TransactionQueue}:dead'); logs in $STATE/"
if [ -z "${TXSTATS_NO_WAIT:-}" ]; then
  echo "The api is up at http://127.0.0.1:$API_PORT (try /openapi.json). Ctrl-C stops everything."
  wait
fi
