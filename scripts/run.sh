#!/usr/bin/env bash
# The main job: the whole fleet on a generated sample month, servers on loopback.
# Installs what is missing, builds in release mode, starts redis-server on a free port with its
# data in .txstats/, generates a month of transactions, imports them while two aggregators
# aggregate, prints the aggregates, and stops everything it started on exit or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${ROWS:-200000}
DAYS=${DAYS:-30}
STATE="$ROOT/.txstats"
mkdir -p "$STATE/redis"

scripts/setup.sh
swift build -c release --product importer >&2
swift build -c release --product aggregator >&2
BIN=$(swift build -c release --show-bin-path)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE/redis" --appendonly yes --save '' \
  --logfile "$STATE/redis.log" &
PIDS+=($!)
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
echo "redis-server on 127.0.0.1:$REDIS_PORT (data in $STATE/redis)" >&2

SAMPLE="$STATE/sample-$ROWS-$DAYS.csv"
[ -f "$SAMPLE" ] || "$BIN/importer" generate --rows "$ROWS" --days "$DAYS" --with-status --out "$SAMPLE"

for i in 1 2; do
  "$BIN/aggregator" --worker-id "demo-$i" 2>>"$STATE/aggregator-$i.log" &
  PIDS+=($!)
done
"$BIN/importer" --no-sleep "$SAMPLE"
# Wait until the queue and the in-flight lists are empty, then show the result.
while [ "$(redis-cli -p "$REDIS_PORT" eval "local n = redis.call('LLEN', KEYS[1]) for _, w in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do n = n + redis.call('LLEN', '{TransactionQueue}:inflight:' .. w) end return n" 2 TransactionQueue '{TransactionQueue}:workers')" != "0" ]; do
  sleep 0.1
done
echo
echo "Aggregates in Redis (amounts of successful transactions, in cents), first three days:"
for day in $(redis-cli -p "$REDIS_PORT" zrange '{TransactionQueue}:days' 0 2); do
  for type in deposits withdrawals; do
    echo "  agg:$day:$type: $(redis-cli -p "$REDIS_PORT" hgetall "agg:$day:$type:{TransactionQueue}" | paste -sd' ')"
  done
done
echo "Dead letters: $(redis-cli -p "$REDIS_PORT" llen '{TransactionQueue}:dead')"
if [ -t 0 ] && [ -z "${TXSTATS_NO_WAIT:-}" ]; then
  echo "Fleet is running (REDIS_URL=$REDIS_URL). Ctrl-C stops everything."
  wait
fi
