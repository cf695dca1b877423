#!/usr/bin/env bash
# Coverage-guided fuzzing of what a learner's input reaches (make fuzz; not part of make test):
# cargo-fuzz with libFuzzer on the nightly toolchain, the targets in fuzz/fuzz_targets/.
#
# Usage: scripts/fuzz.sh   Knobs: FUZZ_SECONDS per target (600), FUZZ_TARGETS ("apply kubectl script exec"),
# FUZZ_PARALLEL targets at once (the number of cores). Each target starts from seeds of real input
# (the shared manifest corpus, the runner's scripts, the kubectl lines they hold) and keeps what it
# learns in fuzz/corpus/TARGET/ for the next run. Prints one line per target, "fuzz: TARGET: N inputs
# in S s, ...", and a total; a crash leaves its input in fuzz/artifacts/TARGET/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-apply kubectl script exec}
parallel=${FUZZ_PARALLEL:-$(nproc)}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "FAILED: fuzz: FUZZ_SECONDS must be a whole number of seconds" >&2; exit 2; }

# Seeds: every manifest of the corpus for apply; the kubectl lines of the scripts for kubectl (without
# their heredocs); the scripts themselves for script; the commands the scripts exec for exec.
seed() {
    local target=$1 dir=fuzz/corpus/$1
    mkdir -p "$dir"
    case "$target" in
        apply)
            [[ -d ../shared/manifests ]] &&
                find ../shared/manifests -name '*.yaml' -o -name '*.yml' -o -name '*.json' |
                while read -r f; do cp "$f" "$dir/seed-$(sha1sum <"$f" | cut -c1-16)"; done ;;
        kubectl)
            grep -h '^kubectl ' tests/scripts/*.sh | sed 's/^kubectl //; s/ <<.*//' | sort -u |
                while IFS= read -r line; do printf '%s' "$line" >"$dir/seed-$(printf '%s' "$line" | sha1sum | cut -c1-16)"; done ;;
        script)
            for f in tests/scripts/*.sh; do cp "$f" "$dir/seed-$(basename "$f")"; done ;;
        exec)
            grep -h '^kubectl exec .* -- ' tests/scripts/*.sh | sed 's/^.* -- //' | sort -u |
                while IFS= read -r line; do printf '%s' "$line" >"$dir/seed-$(printf '%s' "$line" | sha1sum | cut -c1-16)"; done ;;
    esac
}

# One build of every target (cargo fuzz builds one target, or all of them).
cargo +nightly fuzz build -O --sanitizer none

run_one() {
    local target=$1 log=fuzz/$1.log
    seed "$target"
    local status=0
    # -timeout: an input that takes 10 s is a hang worth keeping; -rss_limit_mb: a few targets on 24 GiB.
    cargo +nightly fuzz run -O --sanitizer none "$target" -- -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=4096 >"$log" 2>&1 || status=$?
    local runs secs
    runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n1)
    secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' | tail -n1)
    if ((status != 0)); then
        echo "fuzz: $target: FAILED after ${runs:-?} inputs: $(grep -m1 -E 'panicked at|ERROR: libFuzzer|deadly signal' "$log" || echo "exit $status")"
        echo "fuzz: $target: input kept in fuzz/artifacts/$target/, log in $log"
        return 1
    fi
    echo "fuzz: $target: ${runs:-?} inputs in ${secs:-$seconds} s, no crash (corpus fuzz/corpus/$target/, log $log)"
}

export -f seed run_one
export seconds
failed=0
printf '%s\n' $targets | xargs -P "$parallel" -I{} bash -c 'run_one "$1"' _ {} || failed=1
total=$(cat $(printf 'fuzz/%s.log ' $targets) | grep -oE 'stat::number_of_executed_units: [0-9]+' |
    awk '{ n += $2 } END { print n + 0 }')
echo "fuzz: total $total inputs"
exit "$failed"
