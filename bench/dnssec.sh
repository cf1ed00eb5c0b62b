#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dnssec.sh: what DNSSEC costs the answer engine, side by side in one run: sandns-bench's standard
# mix on the sample zones unsigned, unsigned with the DO bit, signed by the build as sandnsd signs
# them (example.com NSEC, example.net NSEC3), and signed with the DO bit on every query (the
# issue's target: within 10% of the unsigned rate). For each: the median of RUNS runs of queries
# per second (the runs of the four interleaved, so that a busy spell of the machine falls on all
# of them alike) and the instructions per query that bench/callgrind.sh counts (load-independent).
# Holds /tmp/sandns-bench.lock while it measures (the machine's cores are shared).
#
# Usage: bench/dnssec.sh [--records N]   (N: a generated domain of N records instead, signed NSEC)
# Environment: BENCH (default build/bench/sandns-bench), RUNS (5), SECONDS_EACH (2), CPU (1),
# N queries for callgrind (204800), CALLGRIND=0 skips the instruction counts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/build/bench/sandns-bench}
RUNS=${RUNS:-5}
SECONDS_EACH=${SECONDS_EACH:-2}
CPU=${CPU:-1}
export N=${N:-204800}
[ -x "$BENCH" ] || { echo "dnssec.sh: no $BENCH (build first)" >&2; exit 2; }

base=()
sign=(--dnssec "example.com. nsec" --dnssec "example.net. nsec3")
if [ "${1:-}" = --records ]; then
	base=(--records "$2")
	sign=(--dnssec "example.com. nsec")
fi
names=(unsigned unsigned+DO signed signed+DO)
args_of() {
	case $1 in
	unsigned) echo "" ;;
	unsigned+DO) echo "--do" ;;
	signed) echo "S" ;;
	signed+DO) echo "S --do" ;;
	esac
}
# run NAME OPTS...: the command line of configuration NAME, with OPTS before its own
run() {
	local name=$1 a
	shift
	a=$(args_of "$name")
	if [ "${a%% *}" = S ]; then
		# shellcheck disable=SC2086 # the --do word, or none
		"$@" "${base[@]}" "${sign[@]}" ${a#S}
	else
		# shellcheck disable=SC2086
		"$@" "${base[@]}" $a
	fi
}

exec 9>/tmp/sandns-bench.lock
flock 9
echo "dnssec.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, pinned to CPU $CPU, $RUNS runs of ${SECONDS_EACH} s each${base[*]:+, ${base[*]}}"
declare -A qps
for r in $(seq 1 "$RUNS"); do
	for n in "${names[@]}"; do
		out=$(run "$n" "$BENCH" --quick --seconds "$SECONDS_EACH" --cpu "$CPU" 2>/dev/null)
		m=$(sed -n 's/^answer: \([0-9.]*\) Mqps.*/\1/p' <<<"$out")
		[ -n "$m" ] || { echo "dnssec.sh: $n: no answer line:" >&2; echo "$out" >&2; exit 1; }
		qps[$n]="${qps[$n]:-} $m"
	done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
u=$(median <<<"${qps[unsigned]}")
printf '%-12s %10s %8s  %s\n' configuration "Mqps(med)" "vs unsg" "runs (Mqps)"
for n in "${names[@]}"; do
	m=$(median <<<"${qps[$n]}")
	printf '%-12s %10s %7.1f%%  %s\n' "$n" "$m" "$(awk -v a="$m" -v b="$u" 'BEGIN { print 100 * a / b }')" "${qps[$n]# }"
done
if [ "${CALLGRIND:-1}" = 1 ]; then
	for n in "${names[@]}"; do
		printf '%-12s ' "$n"
		run "$n" bash "$ROOT/bench/callgrind.sh"
	done
fi
