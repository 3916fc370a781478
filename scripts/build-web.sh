#!/usr/bin/env bash
# Builds the browser playground into static/: installs what is missing
# (the wasm32 target, wasm-bindgen-cli at the lockfile's version, wasm-pack,
# the npm packages), then wasm-pack → wasm-opt -Oz → esbuild.
#   bash scripts/build-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found: install Node.js (apt-get install -y nodejs npm)" >&2; exit 1; }

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# wasm-bindgen's CLI must be exactly the library version in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WB_VERSION"; then
  echo "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)" >&2
  cargo install wasm-bindgen-cli --version "=$WB_VERSION"
fi
if ! command -v wasm-pack >/dev/null; then
  echo "installing wasm-pack (a few minutes, once)" >&2
  cargo install wasm-pack
fi
if [ ! -x web/node_modules/.bin/esbuild ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

# The core and the UI, size-optimised (profile.small in Cargo.toml).
wasm-pack --quiet build crates/web --profile small --target web --out-dir ../../static/pkg --no-typescript --no-pack --no-opt
# The same optimisation once more keeping the name section (-g): it tells
# where the bytes go (tests/browser/wasm-size.mjs, reported by the bench).
mkdir -p target/web
web/node_modules/.bin/wasm-opt -Oz -g static/pkg/web_bg.wasm -o target/web/web_bg.opt-names.wasm
web/node_modules/.bin/wasm-opt -Oz static/pkg/web_bg.wasm -o static/pkg/web_bg.wasm
rm -f static/pkg/.gitignore
# The JS boundary (xterm.js; Monaco as a lazily loaded chunk).
(cd web && node build.mjs)
# The editor's field completion, read from the API types by the native CLI.
cargo run --release --quiet -p cli -- fields > static/dist/k8s-fields.json
echo "built static/ ($(du -k static/pkg/web_bg.wasm | cut -f1) KiB wasm)"
