#!/usr/bin/env bash
# Proves the README's two commands on what a fresh machine has, so that a warm machine cannot hide a
# missing step: a fresh clone of HEAD, with no dist/, no target/, no .tools/, and cargo's registry
# empty (CARGO_HOME is a new folder; the installed tools stay on PATH, as after `make tools`).
#
#   1. `make serve` in the fresh clone, on a free loopback port, with one empty registry: it must
#      build and answer with the page, its JS and its wasm.
#   2. `make dist` in the same clone with another empty registry: the release site (build-std, the
#      kubectl module) must build with nothing fetched beforehand.
#
# Usage: scripts/fresh-clone.sh   (make test-fresh). Prints one line per step and the time it took;
# on a failure, the tail of that step's log. Leaves nothing behind but what it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# How long `make serve` may take to answer (its first build compiles every dependency).
SERVE_TIMEOUT=${SERVE_TIMEOUT:-900}

fail() { echo "FAILED: fresh clone: $*"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/k8s-sandbox-fresh.XXXXXX")
serve_pid=
cleanup() {
    # make serve runs trunk in its own process group (set -m below): end all of it.
    [[ -n "$serve_pid" ]] && kill -- "-$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The tools stay where they are installed, found through PATH before CARGO_HOME moves. rustup's
# toolchains live under RUSTUP_HOME, which does not move either.
PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
unset CARGO_TARGET_DIR E2E_DIST

git clone --quiet --no-hardlinks "$repo" "$work/clone"
# The manifest corpus sits beside the checkout, as it does beside this one.
[[ -e "$repo/../shared" ]] && ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
clone="$work/clone"

# Shows the tail of a step's log, then fails with its name.
step_failed() {
    echo "--- last 40 lines of $2"
    tail -n 40 "$2"
    fail "$1"
}

# How many crates a step had to fetch into its registry, which was empty: the proof that it started
# from nothing.
fetched() { find "$1/registry/cache" -name '*.crate' 2>/dev/null | wc -l; }

# A free loopback port, asked of the kernel.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Step 1: make serve answers.
port=$(free_port)
log="$work/serve.log"
start=$SECONDS
set -m
CARGO_HOME="$work/cargo-serve" make -C "$clone" serve SERVE_PORT="$port" >"$log" 2>&1 &
serve_pid=$!
set +m
url="http://127.0.0.1:$port/"
until page=$(curl -sf "$url" 2>/dev/null) && [[ "$page" == *".wasm"* ]]; do
    kill -0 "$serve_pid" 2>/dev/null || step_failed "make serve stopped before the page answered" "$log"
    ((SECONDS - start < SERVE_TIMEOUT)) || step_failed "make serve did not answer on $url within ${SERVE_TIMEOUT}s" "$log"
    sleep 2
done
# The page names its JS and wasm; both must be served, as the browser would fetch them.
for asset in $(grep -oE '[A-Za-z0-9_./-]+\.(js|wasm)' <<<"$page" | sort -u); do
    curl -sf -o /dev/null "$url${asset#./}" || step_failed "make serve answers the page but not $asset" "$log"
done
echo "fresh clone: make serve answered on its port with the page, its JS and wasm ($((SECONDS - start)) s;" \
    "$(fetched "$work/cargo-serve") crates fetched into an empty registry)"
kill -- "-$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=

# Step 2: make dist, with a registry that is empty again (std's dependencies included).
log="$work/dist.log"
start=$SECONDS
CARGO_HOME="$work/cargo-dist" make -C "$clone" dist >"$log" 2>&1 || step_failed "make dist" "$log"
[[ -f "$clone/dist/index.html" ]] || step_failed "make dist left no dist/index.html" "$log"
ls "$clone"/dist/*.wasm >/dev/null 2>&1 || step_failed "make dist left no wasm in dist/" "$log"
echo "fresh clone: make dist built the release site ($((SECONDS - start)) s;" \
    "$(fetched "$work/cargo-dist") crates fetched into an empty registry)"
