#!/usr/bin/env bash
# Installs what is missing, builds kubeplay and serves the browser
# playground on http://127.0.0.1:8080/ (it prints the URL). Extra
# arguments go to `kubeplay play`, e.g. --port 9000.
#   bash scripts/play.sh
# The native shell over the same cluster: ./target/release/kubeplay
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
cargo build --release --quiet -p cli
exec ./target/release/kubeplay play "$@"
