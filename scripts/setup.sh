#!/usr/bin/env bash
# Installs every tool the build and the tests need, each at a pinned version, and skips
# whatever is already satisfied (a second run takes seconds).
#
#   scripts/setup.sh build   # rustup target, cargo-leptos, wasm-bindgen-cli, npm build tools
#   scripts/setup.sh test    # the above, plus Chromium and the Playwright suite's packages
#
# Nothing here downloads a binary from outside the package registries: cargo-leptos would
# fetch wasm-bindgen and wasm-opt from GitHub if they were missing from PATH, so we install
# both ourselves (see ../shared/toolchain-notes.md for why these versions).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"   # 0.3.11 needs a newer rustc than Debian-machine stable 1.95
# wasm-bindgen-cli must match the wasm-bindgen crate pinned in Cargo.toml exactly.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml")"
if [[ -z "$WASM_BINDGEN_VERSION" ]]; then
  echo "setup: could not read the pinned wasm-bindgen version from Cargo.toml" >&2
  exit 1
fi

say() { printf 'setup: %s\n' "$*" >&2; }

ensure_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then return; fi
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

# cargo_tool BINARY EXPECTED_VERSION_LINE INSTALL_ARGS...
cargo_tool() {
  local bin="$1" want="$2"; shift 2
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -qF "$want"; then
    return
  fi
  say "installing $want (cargo install $*)"
  cargo install "$@"
}

# npm_ci DIR: installs DIR's locked npm packages when the lock file changed since the last install.
npm_ci() {
  local dir="$1" stamp="$1/node_modules/.setup-stamp"
  local want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  say "installing npm packages in ${dir#"$ROOT"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
  echo "$want" >"$stamp"
}

# apt_install PACKAGE: installs Debian's PACKAGE (as root), or says how to and stops.
apt_install() {
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's $1 package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    say "$1 is missing: install Debian's package (sudo apt-get install $1) and run again"
    exit 1
  fi
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
}

# Debian's PostgreSQL: the tests start throwaway clusters of their own with its initdb and
# pg_ctl (testing/pg-cluster), never a server someone else started; the package's own cluster is
# not needed.
ensure_postgresql() {
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || [[ -n "${PG_BIN:-}" ]]; then return; fi
  apt_install postgresql
}

build_tools() {
  ensure_wasm_target
  cargo_tool wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" \
    wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  cargo_tool cargo-leptos "cargo-leptos $CARGO_LEPTOS_VERSION" \
    cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  npm_ci "$ROOT/tools"
  # ECharts is served from our own site: copy it where cargo-leptos picks up public assets.
  install -m 0644 "$ROOT/tools/node_modules/echarts/dist/echarts.min.js" "$ROOT/public/echarts.min.js"
}

case "${1:-build}" in
  build) build_tools ;;
  test) build_tools; ensure_chromium; ensure_postgresql; npm_ci "$ROOT/end2end" ;;
  *) echo "usage: scripts/setup.sh [build|test]" >&2; exit 2 ;;
esac
