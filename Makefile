# Dialout Portal: `make run` serves the portal on the embedded demo data, `make test` runs every
# check. Both install what is missing first (scripts/setup.sh, pinned versions, skipped when
# already satisfied).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Tools installed by scripts/setup.sh: cargo's bin folder and the pinned npm build tools
# (wasm-opt from binaryen) come before anything else of the same name, such as Debian's
# wasm-opt, which builds but breaks hydration.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

# The browser build (the WASM the portal ships) names no folder of the build machine: panic
# locations and debug strings say /cargo/... and /dialout-portal/... instead. Set for the wasm32
# target only, so the server and the host tests keep their build cache. (cargo-leptos adds
# `--cfg erase_components` to both builds: `always-erase-components` in Cargo.toml.)
CARGO_HOME ?= $(HOME)/.cargo
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS := --remap-path-prefix=$(CARGO_HOME)=/cargo \
	--remap-path-prefix=$(CURDIR)=/dialout-portal

LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
PORTAL_ENV = LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
	LEPTOS_SITE_ADDR=$(LEPTOS_SITE_ADDR)

.PHONY: run test setup setup-test build fmt-check clippy unit e2e clean

run: build
	$(PORTAL_ENV) ./target/release/dialout-portal serve

test: setup-test fmt-check clippy unit build e2e

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

build: setup
	cargo leptos build --release

fmt-check:
	cargo fmt --all -- --check

clippy: setup
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test --workspace
	# The store's tests that hold for both databases, again on PostgreSQL (throwaway clusters).
	STORE_TEST_DATABASE=postgres cargo test -p report-store --test days --test sync --test directory

e2e: setup-test
	# The throwaway PostgreSQL the two-instance scenario starts (instances.spec.ts).
	cargo build -p pg-cluster --bin pg-cluster
	cd end2end && npx playwright test

clean:
	cargo clean
