#!/usr/bin/env bash
# Checks the project's pinned tools and installs only what is missing or at the wrong version.
#
# Usage: scripts/tools.sh ensure TOOL...     TOOL: wasm-target rust-src crates std-crates trunk wasm-bindgen
#                                                  wasm-opt chromium brotli cargo-fuzz
#        scripts/tools.sh wasm-bindgen-version   (prints the `=` pin read from Cargo.toml)
#
# Every tool is checked by asking it for its version first, so a second run installs nothing and
# prints nothing. A tool that must be installed gets exactly one line saying which and how; Debian
# packages are installed only as root (otherwise the exact install line is printed and we stop).
# Nothing here downloads a prebuilt binary: Rust tools come from crates.io, wasm-opt from npm's
# binaryen package, Chromium from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

# The pins. wasm-bindgen's is not here on purpose: Cargo.toml's `=` pin is the only copy.
TRUNK_VERSION=0.21.14
CARGO_FUZZ_VERSION=0.13.2
BINARYEN_VERSION=123
TOOLS_DIR=.tools

# Tools installed by cargo and npm must be found even when the caller's PATH lacks them.
export PATH="$PWD/$TOOLS_DIR/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { echo "tools: $*"; }
die() { echo "FAILED: $*" >&2; exit 1; }

# Reads `wasm-bindgen = "=X.Y.Z"` (or the table form with `version = "=X.Y.Z"`) from Cargo.toml.
wasm_bindgen_version() {
    local v
    v=$(sed -n -E 's/^wasm-bindgen[[:space:]]*=[[:space:]]*(\{.*version[[:space:]]*=[[:space:]]*)?"=([0-9][0-9.]*)".*/\2/p' Cargo.toml)
    [[ -n "$v" ]] || die "Cargo.toml has no exact pin for wasm-bindgen (wasm-bindgen = \"=X.Y.Z\")"
    echo "$v"
}

# Prints the second word of `TOOL --version`, or "none" when the tool is absent or broken.
version_of() {
    local out
    out=$("$@" --version 2>/dev/null | head -n1) || { echo none; return; }
    set -- $out
    echo "${2:-none}"
}

# Runs an install command after announcing it on one line; names the tool if the install fails.
install() {
    local name=$1 found=$2; shift 2
    say "$name is ${found}; installing it: $*"
    "$@" >"$TOOLS_LOG" 2>&1 || { tail -n 30 "$TOOLS_LOG" >&2; die "installing $name ($*)"; }
}
TOOLS_LOG=$(mktemp "${TMPDIR:-/tmp}/k8s-sandbox-tools.XXXXXX")
trap 'rm -f "$TOOLS_LOG"' EXIT

# Waits for another `cargo install` of the same crate (e.g. started by hand) instead of racing it.
wait_for_cargo_install() {
    local crate=$1 waited=0
    while pgrep -f "cargo install .*$crate" >/dev/null 2>&1; do
        ((waited == 0)) && say "waiting for a running 'cargo install $crate' to finish"
        sleep 10; waited=$((waited + 10))
    done
}

ensure_wasm_target() {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown && return
    install "the wasm32-unknown-unknown target" missing rustup target add wasm32-unknown-unknown
}

# std's source, for the release build's build-std (Makefile: RELEASE_ENV). A rustup component of the
# toolchain in use, so its version always matches rustc.
ensure_rust_src() {
    rustup component list --installed 2>/dev/null | grep -qx rust-src && return
    install "the rust-src component" missing rustup component add rust-src
}

# Trunk runs cargo with --offline (Trunk.toml), so every crate a build needs must already be in
# cargo's registry: the crate's own dependencies for every target (`cargo fetch` without --target takes
# all platforms, native and wasm32 alike), and for the release build's build-std, std's own
# dependencies, which only the toolchain's library/Cargo.lock names. `cargo fetch --offline` succeeds
# without a word when all is there, so a second run fetches nothing and prints nothing.
fetch_crates() {
    local what=$1; shift
    cargo fetch --locked --offline "$@" >/dev/null 2>&1 && return
    say "$what are not all in cargo's registry; fetching them: cargo fetch --locked${*:+ $*}"
    if ! cargo fetch --locked "$@" >"$TOOLS_LOG" 2>&1; then
        tail -n 30 "$TOOLS_LOG" >&2
        local crate
        # cargo's words for a crate it could not have: failed to get `x` as a dependency, no matching
        # package named `x` found, failed to download `x v1.2.3`.
        crate=$(grep -oE '(failed to get|no matching package named|failed to download) `[^`]+`' "$TOOLS_LOG" |
            head -n1 | grep -oE '`[^`]+`' || true)
        die "fetching $what: cargo could not fetch ${crate:-a crate}; this machine needs the crates registry (crates.io) once, after which builds are offline"
    fi
}

ensure_crates() { fetch_crates "the crate's dependencies"; }

# RUSTC_BOOTSTRAP: std's manifest uses unstable cargo features, as build-std itself does.
ensure_std_crates() {
    local library
    library="$(rustc --print sysroot)/lib/rustlib/src/rust/library"
    [[ -f "$library/Cargo.lock" ]] || ensure_rust_src
    RUSTC_BOOTSTRAP=1 fetch_crates "std's dependencies (for build-std)" --manifest-path "$library/Cargo.toml"
}

ensure_trunk() {
    [[ "$(version_of trunk)" == "$TRUNK_VERSION" ]] && return
    wait_for_cargo_install trunk
    local found; found=$(version_of trunk)
    [[ "$found" == "$TRUNK_VERSION" ]] && return
    install "trunk $TRUNK_VERSION" "$( [[ $found == none ]] && echo missing || echo "at $found")" \
        cargo install --locked trunk --version "$TRUNK_VERSION"
}

# wasm-bindgen-cli also provides wasm-bindgen-test-runner, which must match too.
# Not --locked: its lock file pins a webpki-roots release that the registry mirror lacks.
ensure_wasm_bindgen() {
    local want; want=$(wasm_bindgen_version)
    local trunk_pin
    trunk_pin=$(sed -n -E 's/^wasm_bindgen[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' Trunk.toml)
    [[ "$trunk_pin" == "$want" ]] ||
        die "Trunk.toml [tools] wasm_bindgen is \"$trunk_pin\" but Cargo.toml pins wasm-bindgen =$want: make them equal"
    if [[ "$(version_of wasm-bindgen)" == "$want" && "$(version_of wasm-bindgen-test-runner)" == "$want" ]]; then
        return
    fi
    wait_for_cargo_install wasm-bindgen-cli
    local found; found=$(version_of wasm-bindgen)
    [[ "$found" == "$want" && "$(version_of wasm-bindgen-test-runner)" == "$want" ]] && return
    install "wasm-bindgen-cli $want" "$( [[ $found == none ]] && echo missing || echo "at $found")" \
        cargo install wasm-bindgen-cli --version "$want"
}

# make fuzz: cargo-fuzz drives libFuzzer, which needs the nightly toolchain's sanitizer flags. rustup
# cannot fetch a toolchain on a closed network, so a missing nightly is named, not installed.
ensure_cargo_fuzz() {
    rustup toolchain list 2>/dev/null | grep -q '^nightly' ||
        die "make fuzz needs a nightly toolchain, and none is installed: rustup toolchain install nightly"
    [[ "$(version_of cargo-fuzz)" == "$CARGO_FUZZ_VERSION" ]] && return
    wait_for_cargo_install cargo-fuzz
    local found; found=$(version_of cargo-fuzz)
    [[ "$found" == "$CARGO_FUZZ_VERSION" ]] && return
    install "cargo-fuzz $CARGO_FUZZ_VERSION" "$( [[ $found == none ]] && echo missing || echo "at $found")" \
        cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
}

# Debian's binaryen is too old to parse current rustc output; npm's binaryen ships a portable build.
ensure_wasm_opt() {
    local bin="$TOOLS_DIR/node_modules/.bin/wasm-opt" out
    out=$("$bin" --version 2>/dev/null || true)
    [[ "$out" == *"(version_$BINARYEN_VERSION)"* ]] && return
    command -v npm >/dev/null || die "wasm-opt needs npm (Node.js): apt-get install -y nodejs npm"
    install "wasm-opt (npm binaryen@$BINARYEN_VERSION)" "$( [[ -z $out ]] && echo missing || echo "at '$out'")" \
        npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --no-save "binaryen@$BINARYEN_VERSION"
}

APT_UPDATED=0
# Installs Debian packages as root; otherwise prints the exact command and stops.
apt_install() {
    local name=$1 found=$2; shift 2
    if [[ $(id -u) -ne 0 ]]; then
        die "$name is $found; install it with: sudo apt-get update && sudo apt-get install -y $*"
    fi
    if ((APT_UPDATED == 0)); then
        apt-get update >"$TOOLS_LOG" 2>&1 || { tail -n 30 "$TOOLS_LOG" >&2; die "apt-get update"; }
        APT_UPDATED=1
    fi
    install "$name" "$found" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# Chromium and ChromeDriver come from the same Debian source package, so their versions must agree.
ensure_chromium() {
    local browser driver
    browser=$(chromium --version 2>/dev/null | grep -oE '[0-9]+(\.[0-9]+)+' | head -n1 || true)
    driver=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+(\.[0-9]+)+' | head -n1 || true)
    if [[ -n "$browser" && "$browser" == "$driver" ]]; then return; fi
    local found="missing"
    [[ -n "$browser$driver" ]] && found="mismatched (chromium ${browser:-none}, chromedriver ${driver:-none})"
    apt_install "Chromium + ChromeDriver" "$found" chromium chromium-driver
}

ensure_brotli() {
    command -v brotli >/dev/null && return
    python3 -c 'import brotli' 2>/dev/null && return
    apt_install "brotli" missing brotli
}

case "${1:-}" in
    wasm-bindgen-version) wasm_bindgen_version ;;
    ensure)
        shift
        for tool in "$@"; do
            case "$tool" in
                wasm-target) ensure_wasm_target ;;
                rust-src) ensure_rust_src ;;
                crates) ensure_crates ;;
                std-crates) ensure_std_crates ;;
                trunk) ensure_trunk ;;
                wasm-bindgen) ensure_wasm_bindgen ;;
                wasm-opt) ensure_wasm_opt ;;
                chromium) ensure_chromium ;;
                brotli) ensure_brotli ;;
                cargo-fuzz) ensure_cargo_fuzz ;;
                *) die "unknown tool '$tool'" ;;
            esac
        done ;;
    *) echo "usage: $0 ensure TOOL... | wasm-bindgen-version" >&2; exit 2 ;;
esac
