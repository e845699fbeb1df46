#!/usr/bin/env bash
# Measures the "Portal back end" figures in docs/benchmarks.md on the release build, with a
# 100,000-user simulator (today pinned in demo mode, so every run sees the same data). Three
# portals, one after the other, the first two in demo mode (embedded simulator, no rate limit):
#   open       PORTAL_AUTH=none: no sign-in, the guard lets every request through.
#   signed in  PORTAL_AUTH=entra: the embedded simulator is the OpenID provider; the script signs
#              in as Ada Manager (the authorization code flow with curl, as a browser would) and
#              every measured request carries her session cookie, so each one pays for the guard
#              (cookie decrypted and checked, session looked up, role checked).
#   tenant     a real tenant's first view: the portal configured with client credentials against
#              the release graph-sim with Graph's documented limits enforced and 300 ms a
#              request, an empty store, today the clock's UTC date; Chromium opens the dashboard
#              and the time until its first chart is drawn is what a manager waits for.
# For the open and signed-in portals, in one run (compare them as a ratio):
#   1. the first (uncached) summary of a 90-day range, and its row count;
#   2. the summary server function on that range once cached: latency p50/p99 with wrk over
#      one connection (sequential requests) and over 8, and the payload gzipped as sent;
#   3. SSR throughput of the overview page (/, its default range cached) with wrk, 2 threads,
#      32 connections, gzip accepted as a browser does, and the page's gzipped size; then the
#      not-found page, which has the same shell and layers but no data, for comparison.
# wrk (Debian's package, pinned) runs on the same 2 cores as the server: a loopback test.
# Needs `make build` (cargo leptos build --release: the server binary and target/site); builds
# graph-sim itself. Usage: bench/portal.sh [open|signed-in|tenant ...] (default:
# all three). BENCH_USERS (100000), BENCH_SECONDS (20 per wrk run), BENCH_TENANT_USERS
# (BENCH_USERS), RUST_LOG change the run; BENCH_USERS=2000, the demo default, shows the server's
# own cost per page.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${BENCH_SECONDS:-20}"
WRK_VERSION="4.1.0-3+b2"
USERS="${BENCH_USERS:-100000}"
TENANT_USERS="${BENCH_TENANT_USERS:-$USERS}"
TODAY=2026-03-01
FROM=2025-12-01
TO=2026-02-28
TENANT=6f1c2a9e-4b7d-4e3a-9c58-2d0e7b3f5a61
ADA=aaaaaaaa-0000-4000-8000-000000000001 # graph-sim's test user holding the app role
RUNS=("$@")
[[ ${#RUNS[@]} -gt 0 ]] || RUNS=(open signed-in tenant)
cd "$REPO"

for run in "${RUNS[@]}"; do
  case "$run" in open | signed-in | tenant) ;; *) echo "unknown run '$run': open, signed-in or tenant" >&2; exit 2 ;; esac
done
if [ "$(dpkg-query -W -f='${Version}' wrk 2>/dev/null || true)" != "$WRK_VERSION" ]; then
  apt-get update -qq
  apt-get install -y -qq "wrk=$WRK_VERSION" >/dev/null
fi
[ -f target/site/pkg/dialout-portal.wasm ] || {
  echo "target/site is missing: run 'make build' (cargo leptos build --release) first" >&2
  exit 1
}
# The server must be cargo-leptos's build: it compiles the server with `--cfg erase_components`
# as it does the WASM (`always-erase-components`); a plain `cargo build` of the server renders
# other hydration markers than the browser expects, and every page then fails to hydrate.
[ -x target/release/dialout-portal ] && [ target/release/dialout-portal -nt Cargo.lock ] || {
  echo "target/release/dialout-portal is missing or older than Cargo.lock: run 'make build'" >&2
  exit 1
}
# graph-sim with the same flags as cargo-leptos's server build, so the two share one build cache.
RUSTFLAGS="--cfg erase_components" cargo build --release -q -p graph-sim

WORK="$(mktemp -d /tmp/dialout-portal-bench.XXXXXX)"
SERVER="" SIM=""
cleanup() {
  local status=$?
  stop_processes $SERVER $SIM
  if [[ $status -ne 0 ]]; then
    for log in "$WORK"/*.log; do
      [[ -s "$log" ]] && { echo "--- last lines of $(basename "$log"):" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/common.sh
source "$REPO/bench/common.sh"

# Starts the release portal (name, then VAR=value settings) on a free port; sets BASE and SERVER.
start_portal() {
  local name=$1 port
  shift
  port="$(free_port)"
  BASE="http://127.0.0.1:$port"
  env -u PORTAL_CONFIG -u AZURE_TENANT_ID -u AZURE_CLIENT_ID -u AZURE_CLIENT_SECRET \
    -u AZURE_CLIENT_CERTIFICATE_PATH -u PORTAL_DATABASE_URL -u PORTAL_DEMO_USERS -u PORTAL_DEMO_TODAY \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_ENV=PROD LEPTOS_OUTPUT_NAME=dialout-portal RUST_LOG="${RUST_LOG:-info}" "$@" \
    ./target/release/dialout-portal serve 2>"$WORK/$name.log" >&2 &
  SERVER=$!
  for _ in $(seq 1 200); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER" 2>/dev/null || { echo "the $name portal did not start" >&2; exit 1; }
    sleep 0.1
  done
  echo "the $name portal did not answer /healthz" >&2
  exit 1
}
stop_portal() { stop_processes $SERVER; SERVER=""; }

# Signs in as Ada on the portal at BASE through its OpenID provider, the way a browser does
# (login, the provider's account picker, the callback), and prints the session cookie.
sign_in() {
  local jar="$WORK/cookies" authorize page origin action key callback
  authorize=$(curl -fsS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/auth/login?return_to=%2F")
  page=$(curl -fsS -c "$jar" -b "$jar" "$authorize")
  origin=$(sed -E 's#^(https?://[^/]+).*#\1#' <<<"$authorize")
  action=$(grep -o '<form method="post" action="[^"]*"' <<<"$page" | sed -E 's/.*action="([^"]*)"/\1/')
  key=$(grep -o 'name="sign_in" value="[^"]*"' <<<"$page" | sed -E 's/.*value="([^"]*)"/\1/')
  callback=$(curl -fsS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "sign_in=$key" --data-urlencode "user=$ADA" "$origin$action")
  curl -fsS -c "$jar" -b "$jar" -o /dev/null "$callback"
  awk '$6 ~ /dialout_session$/ { print $6 "=" $7 }' "$jar"
}

export BENCH_FORM="from=$FROM&to=$TO"
# wrk's count of failed responses, when there were any.
non_2xx() { awk '/Non-2xx/ { printf ", %s NON-2XX RESPONSES", $NF }'; }
# wrk's latency distribution: the 50% and 99% lines.
percentiles() { awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { print "p50 " p50 ", p99 " p99 }'; }
requests_per_second() { awk '/Requests\/sec/ { print $2 }'; }

# The figures of one demo portal at BASE; HEADERS are sent with every request (the session
# cookie, and Sec-Fetch-Site as a browser sends with its own page's server function calls).
measure_demo() {
  local name=$1 connections threads out start rows status
  shift
  local headers=("$@") curl_headers=() wrk_headers=() header
  for header in "${headers[@]}"; do curl_headers+=(-H "$header"); wrk_headers+=(-H "$header"); done
  summary() {
    curl -fsS -X POST -H 'content-type: application/x-www-form-urlencoded' "${curl_headers[@]}" "$@" \
      --data "$BENCH_FORM" "$BASE/api/summary"
  }
  # The guard in the path: without the headers, the page and the server function are refused.
  if [[ ${#headers[@]} -gt 0 ]]; then
    status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'sec-fetch-site: same-origin' \
      --data "$BENCH_FORM" "$BASE/api/summary")
    [[ $status == 401 ]] || { echo "$name: the summary without a session answered $status, not 401" >&2; exit 1; }
    echo "$name: the summary without the session cookie: $status (the guard is in the path)"
  fi
  # The summary answers at once with the days it has and names the missing ones while the
  # portal fetches them: asked until none is missing, as the page does.
  start=$(now)
  until [[ "$(summary | jq '.missing | length')" == 0 ]]; do
    kill -0 "$SERVER" 2>/dev/null || { echo "the $name portal stopped" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name: the range complete (fetched from the simulator, none stored before): $(seconds_since "$start") s"
  rows=$(($(curl -fsS "${curl_headers[@]}" "$BASE/export/dialout.csv?$BENCH_FORM" | wc -l) - 1))
  echo "$name: report rows in the range: $rows"
  echo "$name: summary payload: $(summary | wc -c) bytes raw, $(summary -H 'accept-encoding: gzip' | wc -c) bytes gzipped"
  for connections in 1 8; do
    threads=$((connections < 2 ? 1 : 2))
    out=$(wrk -t"$threads" -c"$connections" -d"${SECONDS_PER_RUN}s" --latency "${wrk_headers[@]}" \
      -s bench/summary.lua "$BASE/api/summary")
    echo "$name: summary, cached, $connections connection(s): $(percentiles <<<"$out"), $(requests_per_second <<<"$out") requests/s$(non_2xx <<<"$out")"
  done
  curl -fsS "${curl_headers[@]}" -o /dev/null "$BASE/" # fetches and caches the page's default range
  echo "$name: overview page: $(curl -fsS "${curl_headers[@]}" "$BASE/" | wc -c) bytes raw, $(curl -fsS "${curl_headers[@]}" -H 'accept-encoding: gzip' "$BASE/" | wc -c) bytes gzipped"
  out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "${wrk_headers[@]}" -H 'Accept-Encoding: gzip, br' "$BASE/")
  echo "$name: SSR overview page, 32 connections: $(requests_per_second <<<"$out") pages/s, $(percentiles <<<"$out")$(non_2xx <<<"$out")"
  # The same shell and layers around a light page (the not-found page): the stack's own cost.
  out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "${wrk_headers[@]}" -H 'Accept-Encoding: gzip, br' "$BASE/no-such-page")
  echo "$name: SSR not-found page (light), 32 connections: $(requests_per_second <<<"$out") pages/s, $(percentiles <<<"$out")"
}

demo=(PORTAL_DEMO_USERS="$USERS" PORTAL_DEMO_TODAY="$TODAY")
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $SECONDS_PER_RUN s per wrk run"
for run in "${RUNS[@]}"; do
  case "$run" in
    open)
      echo "open: release build, demo mode, PORTAL_AUTH=none, $USERS simulated users, today $TODAY, range $FROM..$TO"
      start_portal open "${demo[@]}" PORTAL_AUTH=none
      measure_demo open
      stop_portal
      ;;
    signed-in)
      echo "signed-in: release build, demo mode, PORTAL_AUTH=entra, $USERS simulated users, today $TODAY, range $FROM..$TO"
      start_portal signed-in "${demo[@]}" PORTAL_AUTH=entra
      cookie=$(sign_in)
      [[ -n "$cookie" ]] || { echo "signing in gave no session cookie" >&2; exit 1; }
      echo "signed-in: signed in as Ada Manager (${#cookie}-byte cookie)"
      measure_demo signed-in "Cookie: $cookie" "Sec-Fetch-Site: same-origin"
      stop_portal
      ;;
    tenant)
      today="$(date -u +%F)"
      ./target/release/graph-sim --addr 127.0.0.1:0 --users "$TENANT_USERS" --today "$today" \
        --tenant-id "$TENANT" --client-id app-1 --client-secret s --enforce-limits --latency-ms 300 \
        >"$WORK/sim.log" 2>&1 &
      SIM=$!
      SIM_URL="$(sim_url "$WORK/sim.log" "$SIM")"
      echo "tenant: release build, client credentials, graph-sim --users $TENANT_USERS --enforce-limits --latency-ms 300, today $today, empty store"
      start=$(now)
      start_portal tenant PORTAL_AUTH=none AZURE_TENANT_ID="$TENANT" AZURE_CLIENT_ID=app-1 \
        AZURE_CLIENT_SECRET=s AZURE_AUTHORITY_HOST="$SIM_URL" GRAPH_ENDPOINT="$SIM_URL" \
        PORTAL_DATABASE_URL="$WORK/store.sqlite"
      echo "tenant: /healthz answered $(seconds_since "$start") s after start"
      # One browser run: the first view (nothing stored, everything from Graph), then the
      # same page again.
      FIRST_DRAW_TIMEOUT_MS=900000 node bench/first-draw.cjs "$BASE/" 1280 2 | sed 's/^/tenant: /'
      stats=$(curl -fsS "$SIM_URL/_sim/stats")
      echo "tenant: Graph report requests since start: $(jq .report_requests <<<"$stats"), answered 429: $(jq '.responses_by_status["429"] // 0' <<<"$stats")"
      echo "tenant: the dashboard's range: $(jq -c '.history // .' <<<"$(curl -fsS "$BASE/readyz")" | head -c 400)"
      stop_portal
      stop_processes $SIM
      SIM=""
      ;;
  esac
done
