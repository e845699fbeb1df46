#!/usr/bin/env bash
# Measures the build figures recorded in docs/benchmarks.md, from a fresh clone of this
# repository (tools already installed by scripts/setup.sh count as "installed"):
#   1. a clean `make test` (every check, Playwright included);
#   2. a clean `make run` up to the moment the portal answers (in a second fresh clone);
#   3. a second `make run` in the same clone (everything installed and built);
#   4. an incremental release rebuild after a one-line change in app/;
#   5. the WASM bundle, raw and gzipped.
# Usage: bench/build.sh [WORKDIR]   (default: a new temp folder; it is left for inspection)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-$(mktemp -d /tmp/dialout-build-bench.XXXXXX)}"
PORT="${BENCH_PORT:-3290}"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

# Starts `make run` in $1 and waits for the portal to answer; prints the seconds it took.
time_make_run() {
  local dir="$1" start pid
  start=$(now)
  (cd "$dir" && LEPTOS_SITE_ADDR="127.0.0.1:$PORT" make run >"$dir/make-run.log" 2>&1) &
  pid=$!
  until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "make run failed: see $dir/make-run.log" >&2; exit 1; fi
    sleep 1
  done
  elapsed "$start" "$(now)"
  pkill -TERM -f "target/release/dialout-portal serve" || true
  wait "$pid" 2>/dev/null || true
}

git clone -q "$REPO" "$WORK/test"
start=$(now)
(cd "$WORK/test" && make test >"$WORK/make-test.log" 2>&1)
echo "clean make test: $(elapsed "$start" "$(now)") s"

git clone -q "$REPO" "$WORK/run"
echo "clean make run (until the portal answers): $(time_make_run "$WORK/run") s"
echo "second make run: $(time_make_run "$WORK/run") s"

cd "$WORK/run"
echo "// touched by bench/build.sh" >>app/src/lib.rs
start=$(now)
PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH" cargo leptos build --release >/dev/null 2>&1
echo "incremental release rebuild after a one-line change in app/: $(elapsed "$start" "$(now)") s"
git checkout -q app/src/lib.rs

wasm="$WORK/run/target/site/pkg/dialout-portal.wasm"
echo "WASM: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzipped"
