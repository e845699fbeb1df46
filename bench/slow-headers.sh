#!/usr/bin/env bash
# Measures the "Connection limits" figures in docs/benchmarks.md: the release build in demo
# mode, then N connections (default 2,000) from another loopback address (127.0.0.2) that each
# send half a request head and wait. Prints how fast /healthz answers meanwhile, how many of
# the slow connections the server has closed after the header-read timeout (10 s, the default,
# plus 1.5 s), and the server's resident memory and open descriptors before and after.
# Needs `cargo leptos build --release` (target/release/dialout-portal, target/site).
# Usage: bench/slow-headers.sh   (BENCH_PORT, BENCH_CONNECTIONS to change)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${BENCH_PORT:-3293}"
CONNECTIONS="${BENCH_CONNECTIONS:-2000}"
cd "$REPO"

LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn AZURE_CLIENT_ID= AZURE_CLIENT_SECRET= \
  AZURE_TENANT_ID= AZURE_CLIENT_CERTIFICATE_PATH= ./target/release/dialout-portal serve &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done
memory() { echo "$1: RSS $(awk '/VmRSS/ {print $2, $3}' "/proc/$SERVER/status"), $(ls "/proc/$SERVER/fd" | wc -l) descriptors"; }
memory before
python3 - "$PORT" "$CONNECTIONS" <<'PY'
import socket, sys, time, urllib.request
port, count = int(sys.argv[1]), int(sys.argv[2])
slow, refused = [], 0
for _ in range(count):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    try:
        s.connect(("127.0.0.1", port))
        s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(s)
    except OSError:
        refused += 1
times = []
for _ in range(20):
    start = time.perf_counter()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
    times.append(time.perf_counter() - start)
times.sort()
print(f"{len(slow)} slow connections open ({refused} refused by the kernel); "
      f"/healthz meanwhile: median {times[10]*1000:.1f} ms, max {times[-1]*1000:.1f} ms")
time.sleep(11.5)
closed = 0
for s in slow:
    s.settimeout(0.01)
    try:
        s.recv(100)
        closed += 1  # data (a 408) or end of stream: the server closed it
    except socket.timeout:
        pass
    except OSError:
        closed += 1
print(f"closed by the server 11.5 s later: {closed} of {len(slow)}")
PY
memory after
