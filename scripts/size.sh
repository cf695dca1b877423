#!/usr/bin/env bash
# Prints ONE line: raw, gzip and brotli bytes of the wasm and JS that a first visit to DIST downloads,
# then the gzip bytes of the kubectl module (DIST/kubectl/), fetched on the first kubectl command.
#
# Usage: scripts/size.sh [DIST] [--ceiling BYTES]   (default: dist). With --ceiling it also fails when
# the gzip total is over BYTES (make test-size: no unnoticed growth). Max compression levels (gzip -9,
# brotli -q 11), as a host serving precompressed static files would use. brotli comes from the
# `brotli` command or, failing that, Python's brotli module (scripts/tools.sh ensure brotli installs one).
set -euo pipefail
dist=dist ceiling=
while (($#)); do
    case "$1" in
        --ceiling) ceiling=${2:?--ceiling needs a byte count}; shift 2 ;;
        *) dist=$1; shift ;;
    esac
done
[[ -z "$ceiling" || "$ceiling" =~ ^[0-9]+$ ]] || { echo "FAILED: size: --ceiling must be a byte count, not '$ceiling'" >&2; exit 2; }
[[ -f "$dist/index.html" ]] || { echo "FAILED: size: $dist/index.html is missing (run make dist)" >&2; exit 1; }

brotli_size() {
    if command -v brotli >/dev/null; then
        brotli -c -q 11 -- "$1" | wc -c
    else
        python3 -c 'import brotli,sys; print(len(brotli.compress(open(sys.argv[1],"rb").read(), quality=11)))' "$1"
    fi
}

declare -A raw=([wasm]=0 [js]=0) gz=([wasm]=0 [js]=0) br=([wasm]=0 [js]=0)
while IFS= read -r -d '' file; do
    kind=${file##*.}
    raw[$kind]=$(( raw[$kind] + $(wc -c <"$file") ))
    gz[$kind]=$(( gz[$kind] + $(gzip -9 -c -- "$file" | wc -c) ))
    br[$kind]=$(( br[$kind] + $(brotli_size "$file") ))
done < <(find "$dist" -path "$dist/kubectl" -prune -o -type f \( -name '*.wasm' -o -name '*.js' \) -print0)

later=0
while IFS= read -r -d '' file; do
    later=$(( later + $(gzip -9 -c -- "$file" | wc -c) ))
done < <(find "$dist/kubectl" -type f \( -name '*.wasm' -o -name '*.js' \) -print0 2>/dev/null)

(( raw[wasm] > 0 )) || { echo "FAILED: size: no .wasm file in $dist" >&2; exit 1; }
printf 'size: wasm+js %d B raw, %d B gzip, %d B brotli (wasm %d/%d/%d, js %d/%d/%d); kubectl module on first command %d B gzip\n' \
    $(( raw[wasm] + raw[js] )) $(( gz[wasm] + gz[js] )) $(( br[wasm] + br[js] )) \
    "${raw[wasm]}" "${gz[wasm]}" "${br[wasm]}" "${raw[js]}" "${gz[js]}" "${br[js]}" "$later"

if [[ -n "$ceiling" ]]; then
    total=$(( gz[wasm] + gz[js] ))
    if (( total > ceiling )); then
        echo "FAILED: size: $total B gzip is over the ceiling of $ceiling B (Makefile SIZE_CEILING; README 'Download size')"
        exit 1
    fi
    echo "size: $total B gzip is within the ceiling of $ceiling B"
fi
