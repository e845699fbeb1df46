#!/usr/bin/env bash
# Measures the "Portal back end" figures in docs/benchmarks.md, on the release build in demo
# mode with a 100,000-user simulator (today pinned, so every run sees the same data):
#   1. the first (uncached) summary of a 90-day range, and its row count;
#   2. the summary server function on that range once cached: latency p50/p99 with wrk over
#      one connection (sequential requests) and over 8, and the payload gzipped as sent;
#   3. SSR throughput of the overview page (/, its default range cached) with wrk, 2 threads,
#      32 connections, gzip accepted as a browser does, and the page's gzipped size; then the
#      not-found page, which has the same shell and layers but no data, for comparison.
# wrk (Debian's package, pinned) runs on the same 2 cores as the server: a loopback test.
# Needs the site assets of `cargo leptos build --release` (target/site); builds the server
# binary itself. Usage: bench/portal.sh   (BENCH_USERS, BENCH_PORT, BENCH_SECONDS, RUST_LOG to
# change; BENCH_USERS=2000, the demo default, shows the server's own cost per page)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${BENCH_PORT:-3292}"
SECONDS_PER_RUN="${BENCH_SECONDS:-20}"
WRK_VERSION="4.1.0-3+b2"
USERS="${BENCH_USERS:-100000}"
TODAY=2026-03-01
FROM=2025-12-01
TO=2026-02-28
BASE="http://127.0.0.1:$PORT"
cd "$REPO"

if [ "$(dpkg-query -W -f='${Version}' wrk 2>/dev/null || true)" != "$WRK_VERSION" ]; then
  apt-get update -qq
  apt-get install -y -qq "wrk=$WRK_VERSION" >/dev/null
fi
[ -f target/site/pkg/dialout-portal.wasm ] || {
  echo "target/site is missing: run 'make build' (cargo leptos build --release) first" >&2
  exit 1
}
# The name cargo-leptos compiles in; the same value keeps its release build valid.
LEPTOS_OUTPUT_NAME=dialout-portal cargo build --release -q -p dialout-portal

LOG="$(mktemp /tmp/dialout-portal-bench.XXXXXX.log)"
env LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_ENV=PROD LEPTOS_OUTPUT_NAME=dialout-portal PORTAL_DEMO_USERS="$USERS" \
  PORTAL_DEMO_TODAY="$TODAY" RUST_LOG="${RUST_LOG:-info}" \
  AZURE_TENANT_ID= AZURE_CLIENT_ID= AZURE_CLIENT_SECRET= AZURE_CLIENT_CERTIFICATE_PATH= \
  ./target/release/dialout-portal serve 2>"$LOG" &
SERVER=$!
trap 'kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the portal did not start: see $LOG" >&2; exit 1; }
  sleep 0.2
done

export BENCH_FORM="from=$FROM&to=$TO"
summary() {
  curl -fsS -X POST -H 'content-type: application/x-www-form-urlencoded' "$@" \
    --data "$BENCH_FORM" "$BASE/api/summary"
}
# wrk's count of failed responses, when there were any.
non_2xx() { awk '/Non-2xx/ { printf ", %s NON-2XX RESPONSES", $NF }'; }
# wrk's latency distribution: the 50% and 99% lines.
percentiles() { awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { print "p50 " p50 ", p99 " p99 }'; }

echo "portal: release build, demo mode, $USERS simulated users, today $TODAY, range $FROM..$TO"
start=$(date +%s.%N)
summary -o /dev/null
echo "first summary (fetch from the simulator, uncached): $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
rows=$(($(curl -fsS "$BASE/export/dialout.csv?$BENCH_FORM" | wc -l) - 1))
echo "report rows in the range: $rows"
echo "summary payload: $(summary | wc -c) bytes raw, $(summary -H 'accept-encoding: gzip' | wc -c) bytes gzipped"

for connections in 1 8; do
  threads=$((connections < 2 ? 1 : 2))
  out=$(wrk -t"$threads" -c"$connections" -d"${SECONDS_PER_RUN}s" --latency -s bench/summary.lua "$BASE/api/summary")
  echo "summary, cached, $connections connection(s): $(percentiles <<<"$out"), $(awk '/Requests\/sec/ { print $2 }' <<<"$out") requests/s$(non_2xx <<<"$out")"
done

curl -fsS -o /dev/null "$BASE/"   # fetches and caches the page's default range
echo "overview page: $(curl -fsS "$BASE/" | wc -c) bytes raw, $(curl -fsS -H 'accept-encoding: gzip' "$BASE/" | wc -c) bytes gzipped"
out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H 'Accept-Encoding: gzip, br' "$BASE/")
echo "SSR overview page, 32 connections: $(awk '/Requests\/sec/ { print $2 }' <<<"$out") pages/s, $(percentiles <<<"$out")$(non_2xx <<<"$out")"
# The same shell and layers around a light page (the not-found page): the stack's own cost.
out=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H 'Accept-Encoding: gzip, br' "$BASE/no-such-page")
echo "SSR not-found page (light), 32 connections: $(awk '/Requests\/sec/ { print $2 }' <<<"$out") pages/s, $(percentiles <<<"$out")"
echo "server log: $LOG"
