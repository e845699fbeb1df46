#!/usr/bin/env bash
# Measures the "Daily store" figures in docs/benchmarks.md: the release portal configured as for
# a real tenant (client credentials, Graph and the identity platform on the release graph-sim,
# today the clock's UTC date) with a store of 365 days of history.
#   (a) backfill: `dialout-portal sync --once` into an empty store. Wall time; the simulator's
#       report requests (and 429s) against the expected count, the sum over the days of
#       max(1, ceil(rows of the day / 1000)) with each day's rows from /_sim/truth; the store
#       file's size (.sqlite plus -wal and -shm).
#   (b) restart: `dialout-portal serve` on that store. The dashboard `GET /` (first load, then
#       p50/p99 of 50 loads), the time until the history's days are in memory (/readyz),
#       `POST /api/summary` for the whole history (first, i.e. uncached, and two more uncached
#       ranges a day shorter, then p50/p99 of 100 cached calls; its totals checked against
#       /_sim/truth), the server's RSS after them, and the Graph report requests the simulator
#       saw meanwhile (the point: 0).
#   (c) a summary table.
# MODE: `limits` = the simulator enforces Graph's documented limits and answers after 300 ms
# (the real-tenant figure); `fast` = no limits, no latency. In both the portal keeps to Graph's
# documented rate itself (tenant mode): the sync uses PORTAL_SYNC_GRAPH_SHARE (0.5) of 50 report
# requests a minute, so the backfill takes about requests / 25 minutes in either mode; the
# script prints the expected requests and that estimate before it starts.
# Needs `cargo leptos build --release` (target/release/dialout-portal, target/site) and
# `cargo build --release -p graph-sim`. Servers listen on free loopback ports; the temp folder
# (store, logs) is removed at exit.
# Usage: bench/store.sh [USERS (100000)] [MODE (fast|limits)]
#   BENCH_HISTORY_DAYS (365) shortens the history, to try the script out; BENCH_KEEP=1 keeps
#   the temp folder. BENCH_STORE=FILE skips (a) and restarts on that store (one an earlier run
#   kept, synced from a simulator with the same users on the same day, and at the same address:
#   the store names the Graph it was synced from, so pass that one as BENCH_SIM_ADDR) after a
#   catch-up `sync --once`. BENCH_PORTAL_BIN and
#   BENCH_SIM_BIN run other builds (say, copies taken before a long backfill).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USERS="${1:-100000}"
MODE="${2:-fast}"
DAYS="${BENCH_HISTORY_DAYS:-365}"
SIM_BIN="${BENCH_SIM_BIN:-$REPO/target/release/graph-sim}"
PORTAL_BIN="${BENCH_PORTAL_BIN:-$REPO/target/release/dialout-portal}"
TENANT=6f1c2a9e-4b7d-4e3a-9c58-2d0e7b3f5a61
PAGE_ROWS=1000 # graph-sim's default --page-size, as Graph pages the report
cd "$REPO"

case "$MODE" in
  limits) SIM_FAULTS=(--enforce-limits --latency-ms 300) ;;
  fast) SIM_FAULTS=() ;;
  *) echo "MODE must be 'fast' or 'limits', not '$MODE'" >&2; exit 2 ;;
esac
[[ "$USERS" =~ ^[0-9]+$ ]] || { echo "USERS must be a number, not '$USERS'" >&2; exit 2; }
for file in "$SIM_BIN" "$PORTAL_BIN" target/site/pkg; do
  [[ -e "$file" ]] || {
    echo "$file is missing: run 'cargo leptos build --release' and 'cargo build --release -p graph-sim'" >&2
    exit 1
  }
done

WORK="$(mktemp -d /tmp/dialout-store-bench.XXXXXX)"
SIM="" SERVER="" SYNC=""
cleanup() {
  local status=$?
  for pid in $SERVER $SYNC $SIM; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $SERVER $SYNC $SIM; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    for log in "$WORK"/*.log; do
      [[ -s "$log" ]] && { echo "--- last lines of $(basename "$log"):" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
stat_of() { curl -fsS "$SIM_URL/_sim/stats" | jq -r "$1"; }
store_bytes() {
  local file total=0
  for file in "$DB" "$DB"-wal "$DB"-shm; do
    [[ -f "$file" ]] && total=$((total + $(du -b "$file" | cut -f1)))
  done
  echo "$total"
}

TODAY="$(date -u +%F)"
FIRST="$(date -u -d "$TODAY - $((DAYS - 1)) days" +%F)"
DB="${BENCH_STORE:-$WORK/store.sqlite}"

# The simulator: --addr port 0, the port read from its "listening on" line.
"$SIM_BIN" --addr "${BENCH_SIM_ADDR:-127.0.0.1:0}" --users "$USERS" --today "$TODAY" --tenant-id "$TENANT" \
  --client-id app-1 --client-secret s "${SIM_FAULTS[@]}" >"$WORK/sim.log" 2>&1 &
SIM=$!
SIM_URL="$(sim_url "$WORK/sim.log" "$SIM")"

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
portal() { # always started in the background (a subshell that exec replaces)
  # exec: the background job's PID is the portal's own.
  exec env -u PORTAL_CONFIG -u AZURE_CLIENT_CERTIFICATE_PATH -u PORTAL_DEMO_USERS -u PORTAL_DEMO_TODAY \
    AZURE_TENANT_ID="$TENANT" AZURE_CLIENT_ID=app-1 AZURE_CLIENT_SECRET=s \
    AZURE_AUTHORITY_HOST="$SIM_URL" GRAPH_ENDPOINT="$SIM_URL" PORTAL_AUTH=none \
    LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PORTAL_DATABASE_URL="$DB" PORTAL_HISTORY_DAYS="$DAYS" \
    "$PORTAL_BIN" "$@"
}

echo "store benchmark: $USERS users, $DAYS days ($FIRST..$TODAY), mode $MODE, simulator $SIM_URL"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Expected report requests: one chain of pages per day, at least one request for an empty day.
EXPECTED="$(python3 - "$SIM_URL" "$FIRST" "$DAYS" "$PAGE_ROWS" <<'PY'
import datetime, json, sys, urllib.request
base, first, days, page = sys.argv[1], datetime.date.fromisoformat(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
requests = rows = 0
for n in range(days):
    day = (first + datetime.timedelta(days=n)).isoformat()
    with urllib.request.urlopen(f"{base}/_sim/truth?from={day}&to={day}") as answer:
        day_rows = json.load(answer)["rows"]
    rows += day_rows
    requests += max(1, -(-day_rows // page))
print(requests, rows)
PY
)"
read -r EXPECTED_REQUESTS TRUTH_ROWS <<<"$EXPECTED"
echo "truth: $TRUTH_ROWS report rows over the $DAYS days; expected report requests: $EXPECTED_REQUESTS"
echo "  (the portal keeps to PORTAL_SYNC_GRAPH_SHARE 0.5 of 50 requests a minute: about $(((EXPECTED_REQUESTS + 24) / 25)) min)"

# (a) backfill (skipped with BENCH_STORE: its figures are those of the run that made it)
SYNC_SECONDS=- SYNC_REQUESTS=- SYNC_429=- REQUESTS_OK=- sync_status=- STORE_BYTES=-
if [[ -z "${BENCH_STORE:-}" ]]; then
  curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
  start=$(now)
  portal sync --once >"$WORK/sync.out" 2>"$WORK/sync.log" &
  SYNC=$!
  sync_status=0
  wait "$SYNC" || sync_status=$?
  SYNC=""
  SYNC_SECONDS=$(seconds_since "$start")
  SYNC_REQUESTS=$(stat_of .report_requests)
  SYNC_PAGES=$(stat_of .pages_served)
  SYNC_429=$(stat_of '.responses_by_status["429"] // 0')
  SYNC_TOKENS=$(stat_of .token_requests)
  STORE_BYTES=$(store_bytes)
  echo "(a) sync --once: exit $sync_status after $SYNC_SECONDS s: $(cat "$WORK/sync.out")"
  echo "    simulator: $SYNC_REQUESTS report requests ($SYNC_PAGES pages answered 200, $SYNC_429 answered 429), $SYNC_TOKENS token requests"
  echo "    statuses: $(curl -fsS "$SIM_URL/_sim/stats" | jq -c .responses_by_status)"
  if [[ "$SYNC_REQUESTS" == "$EXPECTED_REQUESTS" ]]; then REQUESTS_OK=yes; else REQUESTS_OK=NO; fi
  echo "    report requests = expected ($EXPECTED_REQUESTS): $REQUESTS_OK"
  echo "    store: $STORE_BYTES bytes ($(ls "$DB"* | xargs -n1 basename | tr '\n' ' '))"
  if [[ $sync_status -ne 0 ]]; then
    echo "sync --once failed: its log follows" >&2
    tail -n 30 "$WORK/sync.log" >&2
    exit 1
  fi
else
  [[ -f "$DB" ]] || { echo "BENCH_STORE $DB is not a file" >&2; exit 1; }
  echo "(a) skipped: restarting on $DB ($(store_bytes) bytes)"
  # A catch-up sync first, as the portal that made the store would have run one by now: the
  # days within the lag read again (and any day since), so (b) restarts right after a sync.
  before=$(stat_of .report_requests)
  (portal sync --once) >"$WORK/sync.out" 2>"$WORK/sync.log" || {
    echo "the catch-up sync failed: its log follows" >&2
    tail -n 30 "$WORK/sync.log" >&2
    exit 1
  }
  echo "    catch-up sync --once: $(cat "$WORK/sync.out"); $(($(stat_of .report_requests) - before)) report requests"
fi

# (b) restart on the synced store
BEFORE_SERVE=$(stat_of .report_requests)
portal serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
start=$(now)
until curl -fsS "$BASE/healthz" >/dev/null 2>&1; do
  kill -0 "$SERVER" 2>/dev/null || { echo "dialout-portal serve did not start" >&2; exit 1; }
  sleep 0.05
done
HEALTHY_SECONDS=$(seconds_since "$start")
echo "(b) serve: /healthz answered $HEALTHY_SECONDS s after start"

# curl's total time of one request; fails unless the answer is 200.
timed() {
  local out
  out=$(curl -sS -o "$WORK/body" -w '%{http_code} %{time_total}' "$@")
  [[ "${out% *}" == 200 ]] || { echo "HTTP ${out% *} from $*: $(head -c 300 "$WORK/body")" >&2; return 1; }
  echo "${out#* }"
}
page() { timed -H 'Accept-Encoding: gzip, br' "$BASE/"; }
FORM="from=$FIRST&to=$TODAY"
summary() {
  timed -X POST -H 'content-type: application/x-www-form-urlencoded' --data "$FORM" "$BASE/api/summary"
}

t=$(page)
PAGE_FIRST_MS=$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')
for _ in $(seq 50); do page; done >"$WORK/page.times"
PAGE_P50=$(percentile_ms 50 <"$WORK/page.times")
PAGE_P99=$(percentile_ms 99 <"$WORK/page.times")
echo "    GET / : first $PAGE_FIRST_MS ms; 50 loads: p50 $PAGE_P50 ms, p99 $PAGE_P99 ms"

# The server reads the history's days into memory after the dashboard's (it says so in
# /readyz): the summaries below are built from memory, as any long range is a few seconds after
# a start.
# (At most 5 minutes: with PORTAL_STORE_CACHE_ROWS below the history's rows they never all are.)
IN_MEMORY_SECONDS="not all after 300"
for _ in $(seq 1500); do
  kill -0 "$SERVER" 2>/dev/null || { echo "dialout-portal serve stopped" >&2; exit 1; }
  if [[ "$(curl -fsS "$BASE/readyz" | jq '.history.in_memory_days == .history.stored_days')" == true ]]; then
    IN_MEMORY_SECONDS=$(seconds_since "$start")
    break
  fi
  sleep 0.2
done
echo "    the history's days in memory $IN_MEMORY_SECONDS s after start"
RSS_IDLE_KB=$(ps -o rss= -p "$SERVER" | tr -d ' ')

t=$(summary)
SUMMARY_FIRST_MS=$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')
cp "$WORK/body" "$WORK/summary.json"
# Two more ranges nobody asked for yet (a day shorter at either end): uncached too.
SUMMARY_OTHERS=""
for other in "from=$(date -u -d "$FIRST + 1 day" +%F)&to=$TODAY" "from=$FIRST&to=$(date -u -d "$TODAY - 1 day" +%F)"; do
  t=$(timed -X POST -H 'content-type: application/x-www-form-urlencoded' --data "$other" "$BASE/api/summary")
  SUMMARY_OTHERS="$SUMMARY_OTHERS $(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')"
done
for _ in $(seq 100); do summary; done >"$WORK/summary.times"
SUMMARY_P50=$(percentile_ms 50 <"$WORK/summary.times")
SUMMARY_P99=$(percentile_ms 99 <"$WORK/summary.times")
echo "    POST /api/summary $FORM: first $SUMMARY_FIRST_MS ms (other uncached ranges:$SUMMARY_OTHERS ms); 100 cached: p50 $SUMMARY_P50 ms, p99 $SUMMARY_P99 ms"
# The summary's totals per currency against the simulator's truth for the same days.
curl -fsS "$SIM_URL/_sim/truth?from=$FIRST&to=$TODAY" >"$WORK/truth.json"
SUMMARY_CHECK=$(python3 - "$WORK/summary.json" "$WORK/truth.json" <<'PY'
import json, sys
from decimal import Decimal
summary, truth = (json.load(open(path)) for path in sys.argv[1:3])
got = {c["currency"]: (c["totals"]["calls"], c["totals"]["seconds"], Decimal(str(c["totals"]["charge"])))
       for c in summary["currencies"]}
want = {code: (t["calls"], t["seconds"], Decimal(t["charge"])) for code, t in truth["currencies"].items()}
calls = sum(t[0] for t in got.values())
if summary.get("missing"):
    print(f"INCOMPLETE: days missing {summary['missing']}")
elif got == want:
    print(f"equal to the truth ({len(got)} currencies, {calls} calls)")
else:
    wrong = sorted(code for code in set(got) | set(want) if got.get(code) != want.get(code))
    print(f"DIFFERENT from the truth in {wrong}")
PY
)
echo "    summary totals: $SUMMARY_CHECK"

RSS_KB=$(ps -o rss= -p "$SERVER" | tr -d ' ')
AFTER_SERVE=$(stat_of .report_requests)
GRAPH_AFTER_RESTART=$((AFTER_SERVE - BEFORE_SERVE))
echo "    server RSS after these requests: $RSS_KB KiB"
echo "    Graph report requests during (b): $GRAPH_AFTER_RESTART (want 0)"
if [[ $GRAPH_AFTER_RESTART -ne 0 ]]; then
  echo "    the server's log about them:"
  grep -E 'sync|Graph|graph|WARN|ERROR' "$WORK/serve.log" | grep -v 'request{' | tail -n 10 | sed 's/^/      /' || true
fi
STORE_BYTES_AFTER=$(store_bytes)
[[ "$(date -u +%F)" == "$TODAY" ]] || echo "WARNING: the UTC date changed during the run: figures of (b) may include a new day"

# (c)
echo
echo "summary: $USERS users, $DAYS days ending $TODAY, mode $MODE ($(nproc) cores)"
row() { printf '  %-52s %s\n' "$1" "$2"; }
row "report rows in the history (truth)" "$TRUTH_ROWS"
row "(a) sync --once wall time" "$SYNC_SECONDS s (exit $sync_status)"
row "(a) report requests: simulator / expected / equal" "$SYNC_REQUESTS / $EXPECTED_REQUESTS / $REQUESTS_OK"
row "(a) 429 answers" "$SYNC_429"
row "(a) store size after sync (.sqlite+-wal+-shm)" "$STORE_BYTES bytes"
row "(b) serve start until /healthz" "$HEALTHY_SECONDS s"
row "(b) GET / first after restart" "$PAGE_FIRST_MS ms"
row "(b) GET / 50 loads p50 / p99" "$PAGE_P50 / $PAGE_P99 ms"
row "(b) history's days in memory after start" "$IN_MEMORY_SECONDS s (RSS then $RSS_IDLE_KB KiB)"
row "(b) POST /api/summary ($DAYS days) first" "$SUMMARY_FIRST_MS ms"
row "(b) same, ranges a day shorter (uncached)" "$SUMMARY_OTHERS ms"
row "(b) POST /api/summary 100 cached p50 / p99" "$SUMMARY_P50 / $SUMMARY_P99 ms"
row "(b) summary totals vs truth" "$SUMMARY_CHECK"
row "(b) server RSS after the requests" "$RSS_KB KiB"
row "(b) Graph report requests after restart (want 0)" "$GRAPH_AFTER_RESTART"
row "store size after serve" "$STORE_BYTES_AFTER bytes"
