#!/usr/bin/env bash
# Runs every test kubeplay has. Used by .ci/run and by developers:
#   bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Rust is the machine's toolchain; nothing else is needed yet.
command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }

# Determinism is enforced by lint: no wall clock, no hash-ordered maps in the core.
cargo clippy --workspace --all-targets --quiet -- -A clippy::all -D clippy::disallowed_methods -D clippy::disallowed_types

# Unit tests of every crate, the transcript tests (tests/transcripts) and the
# determinism and bad-input tests.
cargo test --workspace
