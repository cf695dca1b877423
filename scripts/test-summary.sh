#!/usr/bin/env bash
# Sums the `test result:` lines of every runner in a log into one closing line: "summary: N passed, N failed".
set -euo pipefail
log=${1:?usage: scripts/test-summary.sh LOG}
grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$log" |
    awk '{ passed += $4; failed += $6 } END { printf "summary: %d passed, %d failed\n", passed, failed }'
