#!/usr/bin/env bash
# Measures the "Browser bundle" figures in docs/benchmarks.md: the size of the WASM the portal
# ships (after wasm-opt), raw, gzipped (`gzip -9`) and with brotli when `brotli` is installed,
# then what takes the space, per crate, in the linked WASM before wasm-bindgen and wasm-opt
# (it still has its function names) when `twiggy` is installed (`cargo install twiggy`; a
# measuring tool only, not needed to build).
# Needs `make build` (target/site/pkg, target/front/.../frontend.wasm).
# Usage: bench/wasm-size.sh   (BENCH_TOP to list more crates)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHIPPED="$REPO/target/site/pkg/dialout-portal.wasm"
LINKED="$REPO/target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm"
TOP="${BENCH_TOP:-15}"

[[ -f "$SHIPPED" ]] || { echo "no $SHIPPED: run make build first" >&2; exit 1; }
echo "shipped WASM: $(stat -c %s "$SHIPPED") bytes raw, $(gzip -9 -c "$SHIPPED" | wc -c) gzipped"
if command -v brotli >/dev/null; then
  echo "              $(brotli -c -q 11 "$SHIPPED" | wc -c) with brotli (what the portal serves to browsers that take it)"
fi

if ! command -v twiggy >/dev/null || [[ ! -f "$LINKED" ]]; then
  echo "(no per-crate breakdown: needs twiggy and $LINKED)"
  exit 0
fi
twiggy top -n 1000000 -f csv "$LINKED" | python3 -c '
import csv, re, sys, collections
top = int(sys.argv[1])
by_crate = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    # Custom sections (names, wasm-bindgen descriptors) are stripped before shipping.
    if "subsection" in name or "custom section" in name or "describe" in name:
        continue
    plain = re.sub(r"\[[0-9a-f]+\]", "", name)
    # A trait impl for a type counts for the crate of the type (serde impls of charming types
    # are charming'"'"'s cost).
    implemented = re.search(r" for &?([a-z_][a-z0-9_]*)::", plain)
    crate = implemented.group(1) if implemented else None
    if crate is None:
        paths = re.findall(r"([a-z_][a-z0-9_]*)::", plain)
        crate = paths[0] if paths else ("data" if name.startswith("data") else "other")
    by_crate[crate] += size
total = sum(by_crate.values())
print(f"linked WASM before wasm-opt, code and data by crate ({total} bytes):")
for crate, size in by_crate.most_common(top):
    print(f"  {size:>9} {100 * size / total:5.1f}%  {crate}")
' "$TOP"
