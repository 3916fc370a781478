#!/usr/bin/env bash
# Runs every test kubeplay has. Used by .ci/run and by developers:
#   bash scripts/test.sh
# Installs what the tests need when it is missing: Chromium (Debian), the
# wasm toolchain and npm packages (scripts/build-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }

# Determinism is enforced by lint: no wall clock, no hash-ordered maps in the core.
cargo clippy --workspace --all-targets --quiet -- -A clippy::all -D clippy::disallowed_methods -D clippy::disallowed_types

# Unit tests of every crate, the transcript tests (tests/transcripts), the
# determinism and bad-input tests, the playground's session and link tests,
# and the differential suite against real kubectl (tests/differential).
cargo test --workspace

# The browser tests (tests/browser) in Debian's Chromium.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  echo "installing chromium and fonts-noto-cjk (apt)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
bash scripts/build-web.sh
cargo build --release --quiet -p cli
node tests/browser/run.mjs
