# Helpers the bench scripts share (sourced, not run).

now() { date +%s.%N; }
# Seconds since a `now` reading, to the hundredth.
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# A loopback port nothing listens on.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# The URL a graph-sim started with `--addr …:0` says it listens on, read from its output in
# file $1 (its pid is $2); fails when it stops or does not say within 10 s.
sim_url() {
  local log=$1 pid=$2 url
  for _ in $(seq 100); do
    url="$(sed -n 's/^graph-sim listening on \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)"
    [[ -n "$url" ]] && { echo "$url"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "graph-sim did not start: see $log" >&2; return 1; }
    sleep 0.1
  done
  echo "graph-sim did not say where it listens" >&2
  return 1
}
# Stops the processes whose pids are given (SIGTERM) and waits for each.
stop_processes() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}
# Nearest-rank percentile $1 (0-100) of the numbers on stdin (seconds), in milliseconds.
percentile_ms() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }'; }
# Seconds (a curl time) as milliseconds, to the tenth.
ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }
# The last lines of each log in folder $1 (when a script fails).
show_logs() {
  local log
  for log in "$1"/*.log; do
    [[ -s "$log" ]] && { echo "--- last lines of $(basename "$log"):" >&2; tail -n 15 "$log" >&2; }
  done
  return 0
}

# A throwaway PostgreSQL cluster from the workspace's pg-cluster (target/debug/pg-cluster), its
# fifos and log in folder $1: sets PG_URL (a database named bench) and PG_CLUSTER_PID.
# `pg_cluster stop|start` stops or starts its server; `pg_cluster_end` removes it.
pg_cluster_start() {
  mkfifo "$1/cluster.in" "$1/cluster.out"
  "$REPO/target/debug/pg-cluster" bench <"$1/cluster.in" >"$1/cluster.out" 2>"$1/cluster.log" &
  PG_CLUSTER_PID=$!
  exec {PG_CLUSTER_IN}>"$1/cluster.in" {PG_CLUSTER_OUT}<"$1/cluster.out"
  read -r -t 60 PG_URL <&"$PG_CLUSTER_OUT" || { echo "pg-cluster did not start" >&2; return 1; }
}
pg_cluster() {
  local answer
  echo "$1" >&"$PG_CLUSTER_IN"
  read -r -t 60 answer <&"$PG_CLUSTER_OUT"
  [[ "$answer" == ok ]] || { echo "pg-cluster $1: $answer" >&2; return 1; }
}
pg_cluster_end() {
  [[ -n "${PG_CLUSTER_PID:-}" ]] || return 0
  exec {PG_CLUSTER_IN}>&- # its stdin ends: it stops the server and removes the folder
  wait "$PG_CLUSTER_PID" 2>/dev/null || true
  PG_CLUSTER_PID=""
}

# Whether the summary in JSON file $1 has the totals of the truth in JSON file $2 (the
# simulator's /_sim/truth for the same days), per currency: "equal (N currencies)", or not.
truth_check() {
  python3 - "$1" "$2" <<'PY'
import json, sys
from decimal import Decimal
summary, truth = (json.load(open(path)) for path in sys.argv[1:3])
got = {c["currency"]: (c["totals"]["calls"], c["totals"]["seconds"], Decimal(str(c["totals"]["charge"])))
       for c in summary["currencies"]}
want = {code: (t["calls"], t["seconds"], Decimal(t["charge"])) for code, t in truth["currencies"].items()}
if summary.get("missing"):
    print(f"INCOMPLETE ({summary['missing']})")
elif got == want:
    print(f"equal ({len(got)} currencies)")
else:
    print("DIFFERENT in " + ",".join(sorted(c for c in set(got) | set(want) if got.get(c) != want.get(c))))
PY
}
