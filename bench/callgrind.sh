#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# callgrind.sh: instructions per query of the answer engine (sandns-bench's timed loop only),
# counted by valgrind --tool=callgrind: the same for the same binary and inputs whatever else the
# machine does, unlike seconds. Usage: bench/callgrind.sh [sandns-bench options, e.g. --records N]
# Environment: BENCH (default build/bench/sandns-bench), N queries (409600), KEEP=1 keeps the
# callgrind output (for callgrind_annotate).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/build/bench/sandns-bench}
N=${N:-409600}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
[ -x "$BENCH" ] || { echo "callgrind.sh: no $BENCH (build first)" >&2; exit 2; }
out=$(mktemp /tmp/sandns-callgrind.XXXXXX)
# Only run_mix (the loop around zt_answer) is counted: loading and checking are not.
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
	--toggle-collect=run_mix "$BENCH" --quick --iterations "$N" "$@" >/dev/null 2>"$out.log" ||
	{ cat "$out.log" >&2; exit 1; }
ir=$(awk '/^summary:/ { print $2 }' "$out")
echo "callgrind: $(awk -v ir="$ir" -v n="$N" 'BEGIN { printf "%.0f", ir / n }') instructions/query ($ir in $N queries, mix=standard${*:+, $*})"
if [ "${KEEP:-0}" = 1 ]; then echo "kept $out"; else rm -f "$out" "$out.log"; fi
