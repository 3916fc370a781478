#!/usr/bin/env bash
# Builds the playground and measures it in headless Chromium (BENCHMARKS.md).
#   bash scripts/bench-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
cargo build --release --quiet -p cli
node tests/browser/bench.mjs
