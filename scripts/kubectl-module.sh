#!/usr/bin/env bash
# Builds the release site's kubectl module into DIST/kubectl/ and names it in DIST/index.html.
#
# Usage: scripts/kubectl-module.sh DIST   (run by `make dist` after trunk, with the release build's
# environment, so that the library is compiled once for both wasm modules). The page loads the
# module the first time the learner runs kubectl (src/ui/kubectl_module.rs); its file names carry a
# hash of their content, so a browser never pairs a cached module with a newer page.
set -euo pipefail
dist=${1:?usage: scripts/kubectl-module.sh DIST}
cd "$(dirname "$0")/.."
[[ -f "$dist/index.html" ]] || { echo "FAILED: kubectl module: $dist/index.html is missing (trunk build first)" >&2; exit 1; }
grep -q '<meta name="kubectl-module"' "$dist/index.html" || { echo "FAILED: kubectl module: $dist/index.html has no kubectl-module meta tag" >&2; exit 1; }

cargo build --release --target wasm32-unknown-unknown --bin kubectl-module
out=target/kubectl-module
rm -rf "$out" "$dist/kubectl"
mkdir -p "$out" "$dist/kubectl"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name kubectl \
    target/wasm32-unknown-unknown/release/kubectl-module.wasm
# The same wasm-opt features as index.html gives trunk for the page's module (strip = true drops
# the section that would tell wasm-opt which features rustc enabled).
wasm-opt -Oz --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong --enable-multivalue \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
    "$out/kubectl_bg.wasm" -o "$out/kubectl_bg.wasm"

hash=$(cat "$out/kubectl.js" "$out/kubectl_bg.wasm" | sha256sum | cut -c1-16)
js=kubectl-$hash.js wasm=kubectl-${hash}_bg.wasm
cp "$out/kubectl.js" "$dist/kubectl/$js"
cp "$out/kubectl_bg.wasm" "$dist/kubectl/$wasm"
[[ -d "$out/snippets" ]] && cp -r "$out/snippets" "$dist/kubectl/"
sed -i -E "s|<meta name=\"kubectl-module\"[^>]*>|<meta name=\"kubectl-module\" content=\"kubectl/$js\" data-wasm=\"kubectl/$wasm\" />|" "$dist/index.html"
grep -q "content=\"kubectl/$js\"" "$dist/index.html" || { echo "FAILED: kubectl module: could not name it in $dist/index.html" >&2; exit 1; }
