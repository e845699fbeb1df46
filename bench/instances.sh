#!/usr/bin/env bash
# Measures the "Several instances" figures in docs/benchmarks.md: INSTANCES release portals
# (tenant mode: client credentials, Graph and the identity platform on the release graph-sim)
# sharing one throwaway PostgreSQL cluster (the workspace's pg-cluster helper).
#   (a) the instances started together on an empty database, each asked for its dashboard every
#       2 s while the history loads (so the ones that do not sync want days too): seconds until
#       every instance holds the whole window, the simulator's report requests against the
#       expected count (each day's pages once in total: the sum over the days of
#       max(1, ceil(rows / 1000))), and which instance synced.
#   (b) on each instance: the whole window's summary, first (uncached) and p50/p99 of 100 cached
#       calls, its totals checked against /_sim/truth.
#   (c) a second database: the instances again, and once the syncer has stored a third of the
#       window it is killed (SIGKILL, mid-backfill): seconds until another holds the whole
#       window, report requests against the expected count (a day the killed one was reading is
#       read again), no day partial or doubled (each day's stored rows = its row_count, psql),
#       totals against the truth.
#   (d) PostgreSQL stopped (immediate shutdown): every /readyz answers 503 store_unavailable;
#       a range before the kept history answers 503 from /api/summary; PostgreSQL started
#       again: seconds until every /readyz answers 200 and that range's summary is served.
# MODE: `limits` = the simulator enforces Graph's documented limits and answers after 300 ms
# (the real-tenant figure); `fast` = neither. The portal keeps to PORTAL_SYNC_GRAPH_SHARE (0.5)
# of 50 report requests a minute in both, so the backfill takes about requests / 25 minutes.
# Needs `make build`, `RUSTFLAGS="--cfg erase_components" cargo build --release -p graph-sim`
# (the flags of make build's server: one build cache),
# `cargo build -p pg-cluster --bin pg-cluster`, and psql (Debian's postgresql). Everything
# listens on free loopback ports; the temp folder and the cluster are removed at exit.
# Usage: bench/instances.sh [INSTANCES (2)] [USERS (2000)] [DAYS (30)] [MODE (limits|fast)]
# DAYS of 29 or more keep the dashboard's days (the last 28 and today) inside the window: with
# fewer, the dashboards' requests add days outside it (each read once all the same).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INSTANCES="${1:-2}"
USERS="${2:-2000}"
DAYS="${3:-30}"
MODE="${4:-limits}"
SIM_BIN="$REPO/target/release/graph-sim"
PORTAL_BIN="$REPO/target/release/dialout-portal"
CLUSTER_BIN="$REPO/target/debug/pg-cluster"
TENANT=6f1c2a9e-4b7d-4e3a-9c58-2d0e7b3f5a61
PAGE_ROWS=1000
cd "$REPO"

case "$MODE" in
  limits) SIM_FAULTS=(--enforce-limits --latency-ms 300) ;;
  fast) SIM_FAULTS=() ;;
  *) echo "MODE must be 'fast' or 'limits', not '$MODE'" >&2; exit 2 ;;
esac
for number in "$INSTANCES" "$USERS" "$DAYS"; do
  [[ "$number" =~ ^[0-9]+$ ]] || { echo "INSTANCES, USERS and DAYS are numbers, not '$number'" >&2; exit 2; }
done
for file in "$SIM_BIN" "$PORTAL_BIN" "$CLUSTER_BIN" target/site/pkg; do
  [[ -e "$file" ]] || { echo "$file is missing: see the build commands at the top of $0" >&2; exit 1; }
done
command -v psql >/dev/null || { echo "psql is missing: scripts/setup.sh test installs postgresql" >&2; exit 1; }

WORK="$(mktemp -d /tmp/dialout-instances-bench.XXXXXX)"
SIM="" PORTALS=()
stop_portals() {
  stop_processes "${PORTALS[@]}"
  PORTALS=()
}
cleanup() {
  local status=$?
  stop_portals
  stop_processes $SIM
  pg_cluster_end
  [[ $status -eq 0 ]] || show_logs "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"
stat_of() { curl -fsS "$SIM_URL/_sim/stats" | jq -r "$1"; }

pg_cluster_start "$WORK"

TODAY="$(date -u +%F)"
FIRST="$(date -u -d "$TODAY - $((DAYS - 1)) days" +%F)"
"$SIM_BIN" --addr 127.0.0.1:0 --users "$USERS" --today "$TODAY" --tenant-id "$TENANT" \
  --client-id app-1 --client-secret s "${SIM_FAULTS[@]}" >"$WORK/sim.log" 2>&1 &
SIM=$!
SIM_URL="$(sim_url "$WORK/sim.log" "$SIM")"

BASES=()
start_portals() { # DATABASE_URL
  local n port
  BASES=()
  for n in $(seq "$INSTANCES"); do
    port="$(free_port)"
    BASES+=("http://127.0.0.1:$port")
    env -u PORTAL_CONFIG -u AZURE_CLIENT_CERTIFICATE_PATH -u PORTAL_DEMO_USERS -u PORTAL_DEMO_TODAY \
      AZURE_TENANT_ID="$TENANT" AZURE_CLIENT_ID=app-1 AZURE_CLIENT_SECRET=s \
      AZURE_AUTHORITY_HOST="$SIM_URL" GRAPH_ENDPOINT="$SIM_URL" PORTAL_AUTH=none \
      LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
      LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTAL_DATABASE_URL="$1" PORTAL_HISTORY_DAYS="$DAYS" \
      RUST_LOG=info "$PORTAL_BIN" serve >"$WORK/portal-$n.log" 2>&1 &
    PORTALS+=($!)
  done
  for n in $(seq "$INSTANCES"); do
    until curl -fsS "${BASES[$((n - 1))]}/healthz" >/dev/null 2>&1; do
      kill -0 "${PORTALS[$((n - 1))]}" 2>/dev/null || { echo "portal $n did not start" >&2; exit 1; }
      sleep 0.05
    done
  done
}
ready() { curl -sS "$1/readyz" 2>/dev/null || echo '{}'; }
loading() { ready "$1" | jq -r '.history.loading_days // "?"'; }
syncer_index() { # the index in BASES of the instance that syncs, or -1
  local i
  for i in "${!BASES[@]}"; do
    [[ "$(ready "${BASES[$i]}" | jq -r '.history.this_instance_syncs')" == true ]] && { echo "$i"; return; }
  done
  echo -1
}
# Waits until every live instance holds the whole window, asking each for its dashboard every
# 2 s meanwhile; prints the seconds it took. $1: seconds at most; $2: indexes to skip.
wait_for_window() {
  local limit=$1 skip=${2:-} start i all
  start=$(now)
  while true; do
    all=yes
    for i in "${!BASES[@]}"; do
      [[ " $skip " == *" $i "* ]] && continue
      curl -fsS -o /dev/null "${BASES[$i]}/" 2>/dev/null || true
      [[ "$(loading "${BASES[$i]}")" == 0 ]] || all=no
    done
    [[ $all == yes ]] && { seconds_since "$start"; return; }
    (( $(printf '%.0f' "$(seconds_since "$start")") > limit )) && { echo "the window was not loaded after $limit s" >&2; return 1; }
    sleep 2
  done
}
FORM="from=$FIRST&to=$TODAY"
summary_time() { # BASE [FORM]: seconds, the body in $WORK/body; fails unless 200
  local out
  out=$(curl -sS -o "$WORK/body" -w '%{http_code} %{time_total}' -X POST \
    -H 'content-type: application/x-www-form-urlencoded' --data "${2:-$FORM}" "$1/api/summary")
  [[ "${out% *}" == 200 ]] || { echo "HTTP ${out% *} from $1: $(head -c 300 "$WORK/body")" >&2; return 1; }
  echo "${out#* }"
}
# Each stored day's rows against its row_count, and days stored twice (the key is the day).
integrity() { # DATABASE_URL
  psql -X -A -t -q "$1" -c "SELECT (SELECT COUNT(*) FROM report_days d WHERE d.row_count <> \
    (SELECT COUNT(*) FROM report_rows r WHERE r.day = d.day)) || ' partial, ' || \
    (SELECT COUNT(*) - COUNT(DISTINCT day) FROM report_days) || ' doubled, ' || \
    (SELECT COUNT(*) FROM report_days) || ' days'"
}

echo "instances benchmark: $INSTANCES instances, $USERS users, $DAYS days ($FIRST..$TODAY), mode $MODE"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $(psql -X -A -t "$PG_URL" -c 'SHOW server_version')"
read -r EXPECTED_REQUESTS TRUTH_ROWS <<<"$(python3 - "$SIM_URL" "$FIRST" "$DAYS" "$PAGE_ROWS" <<'PY'
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
curl -fsS "$SIM_URL/_sim/truth?from=$FIRST&to=$TODAY" >"$WORK/truth.json"
echo "truth: $TRUTH_ROWS report rows; expected report requests: $EXPECTED_REQUESTS (about $(((EXPECTED_REQUESTS + 24) / 25)) min at the sync's share)"

# (a)
curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
start_portals "$PG_URL"
A_SECONDS=$(wait_for_window 3600)
A_REQUESTS=$(stat_of .report_requests)
A_429=$(stat_of '.responses_by_status["429"] // 0')
A_SYNCER=$(syncer_index)
A_INTEGRITY=$(integrity "$PG_URL")
echo "(a) every instance holds the window after $A_SECONDS s; syncer: instance $((A_SYNCER + 1))"
echo "    report requests $A_REQUESTS (expected $EXPECTED_REQUESTS), 429 answers $A_429; store: $A_INTEGRITY"

# (b)
B_ROWS=()
for i in "${!BASES[@]}"; do
  first=$(summary_time "${BASES[$i]}")
  check=$(truth_check "$WORK/body" "$WORK/truth.json")
  for _ in $(seq 100); do summary_time "${BASES[$i]}"; done >"$WORK/cached.times"
  B_ROWS+=("instance $((i + 1)): first $(ms "$first") ms, cached p50 $(percentile_ms 50 <"$WORK/cached.times") / p99 $(percentile_ms 99 <"$WORK/cached.times") ms, totals $check")
  echo "(b) ${B_ROWS[-1]}"
done
stop_portals

# (c)
psql -X -q "$PG_URL" -c 'CREATE DATABASE killed' >/dev/null
KILL_URL="${PG_URL%/*}/killed"
curl -fsS -X POST "$SIM_URL/_sim/stats/reset" >/dev/null
start_portals "$KILL_URL"
start=$(now)
while true; do
  stored=$(ready "${BASES[0]}" | jq -r '.history.stored_days // 0')
  (( stored * 3 >= DAYS )) && break
  (( $(printf '%.0f' "$(seconds_since "$start")") > 3600 )) && { echo "no progress" >&2; exit 1; }
  sleep 0.5
done
VICTIM=$(syncer_index)
[[ $VICTIM -ge 0 ]] || { echo "no instance syncs" >&2; exit 1; }
kill -KILL "${PORTALS[$VICTIM]}"
wait "${PORTALS[$VICTIM]}" 2>/dev/null || true
KILLED_AT=$stored
C_SECONDS=$(wait_for_window 3600 "$VICTIM")
survivor=$(( (VICTIM + 1) % INSTANCES ))
C_REQUESTS=$(stat_of .report_requests)
C_INTEGRITY=$(integrity "$KILL_URL")
summary_time "${BASES[$survivor]}" >/dev/null
C_TOTALS=$(truth_check "$WORK/body" "$WORK/truth.json")
C_SYNCER=$(syncer_index)
echo "(c) killed instance $((VICTIM + 1)) (the syncer) at $KILLED_AT of $DAYS days; instance $((C_SYNCER + 1)) finished $C_SECONDS s later"
echo "    report requests $C_REQUESTS (expected $EXPECTED_REQUESTS); store: $C_INTEGRITY; totals $C_TOTALS"

# (d) on the survivors of (c)
OLD_FORM="from=$(date -u -d "$FIRST - 20 days" +%F)&to=$(date -u -d "$FIRST - 10 days" +%F)"
pg_cluster stop
D_READY=""
for i in "${!BASES[@]}"; do
  [[ $i == "$VICTIM" ]] && continue
  code=$(curl -sS -o "$WORK/ready.json" -w '%{http_code}' "${BASES[$i]}/readyz")
  D_READY="$D_READY $code/$(jq -r '.reason // "-"' "$WORK/ready.json")"
done
D_PAGE=$(curl -sS -o "$WORK/old.json" -w '%{http_code}' -X POST -H 'content-type: application/x-www-form-urlencoded' \
  --data "$OLD_FORM" "${BASES[$survivor]}/api/summary")
D_SAYS=$(jq -r 'tostring' "$WORK/old.json" | head -c 160)
pg_cluster start
start=$(now)
until [[ "$(curl -sS -o /dev/null -w '%{http_code}' "${BASES[$survivor]}/readyz")" == 200 ]]; do
  (( $(printf '%.0f' "$(seconds_since "$start")") > 120 )) && { echo "not ready after 120 s" >&2; exit 1; }
  sleep 0.2
done
D_RECOVERED=$(seconds_since "$start")
summary_time "${BASES[$survivor]}" "$OLD_FORM" >/dev/null
D_AFTER=$(seconds_since "$start")
echo "(d) PostgreSQL stopped: /readyz$D_READY; an older range: HTTP $D_PAGE $D_SAYS"
echo "    started again: /readyz 200 after $D_RECOVERED s, the older range served after $D_AFTER s"

echo
echo "summary: $INSTANCES instances, $USERS users, $DAYS days ending $TODAY, mode $MODE ($(nproc) cores)"
row() { printf '  %-44s %s\n' "$1" "$2"; }
row "(a) all hold the window after" "$A_SECONDS s"
row "(a) report requests / expected" "$A_REQUESTS / $EXPECTED_REQUESTS ($A_429 answered 429)"
row "(a) store" "$A_INTEGRITY"
for line in "${B_ROWS[@]}"; do row "(b) summary of $DAYS days" "$line"; done
row "(c) syncer killed at" "$KILLED_AT of $DAYS days; finished $C_SECONDS s later"
row "(c) report requests / expected" "$C_REQUESTS / $EXPECTED_REQUESTS"
row "(c) store; totals" "$C_INTEGRITY; $C_TOTALS"
row "(d) stopped: /readyz; older range" "$D_READY; HTTP $D_PAGE"
row "(d) started: ready after; range after" "$D_RECOVERED s; $D_AFTER s"
