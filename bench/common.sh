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
