#!/usr/bin/env bash
# Builds kubeplay and starts it: an interactive shell over a simulated
# 4-node kubeadm cluster. Extra arguments go to kubeplay, e.g.
#   bash scripts/play.sh --profile minikube --seed 7
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
cargo build --release --quiet -p cli
exec ./target/release/kubeplay "$@"
