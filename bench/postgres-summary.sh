#!/usr/bin/env bash
# Measures the whole-history summary served from a PostgreSQL store at USERS users (docs/
# benchmarks.md, "Several instances"): the release portal in demo mode (its embedded simulator
# enforces no limits, so the backfill is bounded by the simulator and the database, not by
# Graph's budget) on a throwaway cluster (the workspace's pg-cluster helper).
#   (a) backfill: `serve` until every day of the history is stored (/readyz): seconds, and the
#       database's size.
#   (b) restart: until the history's days are in memory (read from PostgreSQL at start); the
#       whole history's summary first (uncached), two more uncached ranges a day shorter, and
#       p50/p99 of 100 cached calls; the totals against the simulator's /_sim/truth.
#   (c) restart with PORTAL_STORE_CACHE_ROWS=1000, its least (no day of a large tenant fits in
#       it): the same summary with every day read from PostgreSQL, first and two more ranges.
# Needs `cargo leptos build --release` and `cargo build -p pg-cluster --bin pg-cluster`.
# Usage: bench/postgres-summary.sh [USERS (100000)] [DAYS (365)]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USERS="${1:-100000}"
DAYS="${2:-365}"
TODAY=2026-03-15
PORTAL_BIN="$REPO/target/release/dialout-portal"
CLUSTER_BIN="$REPO/target/debug/pg-cluster"
cd "$REPO"
for number in "$USERS" "$DAYS"; do
  [[ "$number" =~ ^[0-9]+$ ]] || { echo "USERS and DAYS are numbers, not '$number'" >&2; exit 2; }
done
for file in "$PORTAL_BIN" "$CLUSTER_BIN" target/site/pkg; do
  [[ -e "$file" ]] || { echo "$file is missing: see the build commands at the top of $0" >&2; exit 1; }
done
command -v psql >/dev/null || { echo "psql is missing: scripts/setup.sh test installs postgresql" >&2; exit 1; }

WORK="$(mktemp -d /tmp/dialout-pg-summary-bench.XXXXXX)"
SERVER=""
stop_server() {
  stop_processes $SERVER
  SERVER=""
}
cleanup() {
  local status=$?
  stop_server
  pg_cluster_end
  [[ $status -eq 0 ]] || show_logs "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"

pg_cluster_start "$WORK"

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
serve() { # extra environment assignments
  env -u PORTAL_CONFIG -u AZURE_TENANT_ID -u AZURE_CLIENT_ID -u AZURE_CLIENT_SECRET \
    -u AZURE_CLIENT_CERTIFICATE_PATH PORTAL_AUTH=none PORTAL_DEMO_USERS="$USERS" \
    PORTAL_DEMO_TODAY="$TODAY" PORTAL_DEMO_SEED=42 PORTAL_HISTORY_DAYS="$DAYS" \
    PORTAL_DATABASE_URL="$PG_URL" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=info "$@" \
    "$PORTAL_BIN" serve >>"$WORK/serve.log" 2>&1 &
  SERVER=$!
  until curl -fsS "$BASE/healthz" >/dev/null 2>&1; do
    kill -0 "$SERVER" 2>/dev/null || { echo "dialout-portal serve did not start" >&2; exit 1; }
    sleep 0.05
  done
}
wait_until() { # JQ-CONDITION-ON-HISTORY LIMIT-SECONDS: seconds it took
  local start
  start=$(now)
  until [[ "$(curl -fsS "$BASE/readyz" 2>/dev/null | jq -r ".history | $1" 2>/dev/null)" == true ]]; do
    kill -0 "$SERVER" 2>/dev/null || { echo "dialout-portal serve stopped" >&2; exit 1; }
    (( $(printf '%.0f' "$(seconds_since "$start")") > $2 )) && { echo "not after $2 s" >&2; exit 1; }
    sleep 0.5
  done
  seconds_since "$start"
}
FIRST="$(date -u -d "$TODAY - $((DAYS - 1)) days" +%F)"
summary() { # FORM: seconds (the body in $WORK/body), fails unless 200
  local out
  out=$(curl -sS -o "$WORK/body" -w '%{http_code} %{time_total}' -X POST \
    -H 'content-type: application/x-www-form-urlencoded' --data "$1" "$BASE/api/summary")
  [[ "${out% *}" == 200 ]] || { echo "HTTP ${out% *}: $(head -c 300 "$WORK/body")" >&2; return 1; }
  echo "${out#* }"
}
WHOLE="from=$FIRST&to=$TODAY"
SHORTER=("from=$(date -u -d "$FIRST + 1 day" +%F)&to=$TODAY" "from=$FIRST&to=$(date -u -d "$TODAY - 1 day" +%F)")

echo "PostgreSQL summary benchmark: $USERS users, $DAYS days ($FIRST..$TODAY), demo mode"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $(psql -X -A -t "$PG_URL" -c 'SHOW server_version')"

# (a)
serve
BACKFILL=$(wait_until '.loading_days == 0' 7200)
ROWS=$(psql -X -A -t "$PG_URL" -c 'SELECT COUNT(*) FROM report_rows')
SIZE=$(psql -X -A -t "$PG_URL" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')
SIM_URL=$(curl -fsS "$BASE/healthz" | jq -r .simulator)
curl -fsS "$SIM_URL/_sim/truth?from=$FIRST&to=$TODAY" >"$WORK/truth.json"
echo "(a) backfill: $BACKFILL s; $ROWS rows stored; database $SIZE"
stop_server

# (b)
serve
IN_MEMORY=$(wait_until '.in_memory_days == .stored_days' 600)
FIRST_MS=$(ms "$(summary "$WHOLE")")
cp "$WORK/body" "$WORK/summary.json"
OTHERS=""
for form in "${SHORTER[@]}"; do OTHERS="$OTHERS $(ms "$(summary "$form")")"; done
for _ in $(seq 100); do summary "$WHOLE"; done >"$WORK/cached.times"
CHECK=$(truth_check "$WORK/summary.json" "$WORK/truth.json")
echo "(b) days in memory $IN_MEMORY s after start; summary first $FIRST_MS ms, others$OTHERS ms; cached p50 $(percentile_ms 50 <"$WORK/cached.times") / p99 $(percentile_ms 99 <"$WORK/cached.times") ms; totals $CHECK"
RSS=$(ps -o rss= -p "$SERVER" | tr -d ' ')
stop_server

# (c)
serve PORTAL_STORE_CACHE_ROWS=1000
sleep 2
COLD_MS=$(ms "$(summary "$WHOLE")")
COLD_OTHERS=""
for form in "${SHORTER[@]}"; do COLD_OTHERS="$COLD_OTHERS $(ms "$(summary "$form")")"; done
echo "(c) no day in memory: summary read from PostgreSQL first $COLD_MS ms, others$COLD_OTHERS ms"
stop_server

echo
echo "summary: $USERS users, $DAYS days, PostgreSQL ($(nproc) cores)"
printf '  %-52s %s\n' "(a) backfill (demo, no limits)" "$BACKFILL s; $ROWS rows; $SIZE" \
  "(b) days in memory after restart" "$IN_MEMORY s (RSS $RSS KiB)" \
  "(b) $DAYS-day summary, first (uncached, days in memory)" "$FIRST_MS ms" \
  "(b) ranges a day shorter (uncached)" "$OTHERS ms" \
  "(b) cached p50 / p99" "$(percentile_ms 50 <"$WORK/cached.times") / $(percentile_ms 99 <"$WORK/cached.times") ms" \
  "(b) totals vs truth" "$CHECK" \
  "(c) $DAYS-day summary, every day read from PostgreSQL" "$COLD_MS ms (others$COLD_OTHERS ms)"
