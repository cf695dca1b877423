#!/usr/bin/env bash
# Builds the release site's kubectl module into DIST/kubectl/HASH/ and names it in DIST/index.html.
#
# Usage: scripts/kubectl-module.sh DIST   (run by `make dist` after trunk, with the release build's
# environment, so that the library is compiled once for both wasm modules). The page loads the
# module the first time the learner runs kubectl (src/ui/bridge/kubectl.rs); its files (the glue, the
# wasm and wasm-bindgen's snippets) sit in a directory named by a hash of their content, so a
# browser never pairs a cached module with a newer page.
set -euo pipefail
dist=${1:?usage: scripts/kubectl-module.sh DIST}
cd "$(dirname "$0")/.."
[[ -f "$dist/index.html" ]] || { echo "FAILED: kubectl module: $dist/index.html is missing (trunk build first)" >&2; exit 1; }
grep -q '<meta name="kubectl-module"' "$dist/index.html" || { echo "FAILED: kubectl module: $dist/index.html has no kubectl-module meta tag" >&2; exit 1; }

target=${CARGO_TARGET_DIR:-target}
cargo build --release --target wasm32-unknown-unknown --bin kubectl-module
out=$target/kubectl-module
rm -rf "$out" "$dist/kubectl"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name kubectl \
    "$target/wasm32-unknown-unknown/release/kubectl-module.wasm"
# The same wasm-opt features as index.html gives trunk for the page's module (strip = true drops
# the section that would tell wasm-opt which features rustc enabled).
wasm-opt -Oz --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong --enable-multivalue \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
    "$out/kubectl_bg.wasm" -o "$out/kubectl_bg.wasm"

hash=$(cd "$out" && find . -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
mkdir -p "$dist/kubectl"
cp -r "$out" "$dist/kubectl/$hash"
js=kubectl/$hash/kubectl.js wasm=kubectl/$hash/kubectl_bg.wasm
sed -i -E "s|<meta name=\"kubectl-module\"[^>]*>|<meta name=\"kubectl-module\" content=\"$js\" data-wasm=\"$wasm\" />|" "$dist/index.html"
grep -q "content=\"$js\"" "$dist/index.html" || { echo "FAILED: kubectl module: could not name it in $dist/index.html" >&2; exit 1; }
