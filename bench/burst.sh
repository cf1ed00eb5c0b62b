#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# burst.sh: the issue's target "a 1,000,000-record zone within 10% of the sample zones' rate",
# side by side in one run: sandns-bench's standard mix on the sample zones and on a generated
# domain of RECORDS records, each answered as the UDP threads answer (--dgram, one query at a
# time) and as the DPDK workers answer (--burst 32: read ahead). The four are interleaved run by
# run, so that a busy spell of the machine falls on all of them alike; for each, the median of
# RUNS runs of queries a second of the wall clock and of the thread's CPU time (which leaves out
# the time other processes run), with min..max, and the large zone's rate over the sample
# zones'. Holds /tmp/sandns-bench.lock while it measures.
#
# Usage: bench/burst.sh
# Environment: BENCH (default build/bench/sandns-bench), RUNS (5), SECONDS_EACH (2), CPU (1),
# RECORDS (1000000), BURST (32).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/build/bench/sandns-bench}
RUNS=${RUNS:-5}
SECONDS_EACH=${SECONDS_EACH:-2}
CPU=${CPU:-1}
RECORDS=${RECORDS:-1000000}
BURST=${BURST:-32}
[ -x "$BENCH" ] || { echo "burst.sh: no $BENCH (build first)" >&2; exit 2; }

names=(sample-dgram large-dgram sample-burst large-burst)
args_of() {
	case $1 in
	sample-dgram) echo "--dgram" ;;
	large-dgram) echo "--records $RECORDS --dgram" ;;
	sample-burst) echo "--burst $BURST" ;;
	large-burst) echo "--records $RECORDS --burst $BURST" ;;
	esac
}
# stats V...: median min..max of the numbers V
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		printf "%.1f (%.1f..%.1f)", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'
}
median() { stats "$@" | cut -d' ' -f1; }

exec 9>/tmp/sandns-bench.lock
flock 9
echo "burst.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, pinned to CPU $CPU, $RUNS runs of ${SECONDS_EACH} s each, load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A wall cpu
for r in $(seq 1 "$RUNS"); do
	for n in "${names[@]}"; do
		# shellcheck disable=SC2046 # the options are words
		out=$("$BENCH" --quick --seconds "$SECONDS_EACH" --cpu "$CPU" $(args_of "$n") 2>/dev/null)
		w=$(sed -n 's/^answer: \([0-9.]*\) Mqps.*/\1/p' <<<"$out")
		c=$(sed -n 's/^cpu: \([0-9.]*\) Mqps.*/\1/p' <<<"$out")
		if [ -z "$w" ] || [ -z "$c" ]; then
			echo "burst.sh: $n: no answer line:" >&2
			echo "$out" >&2
			exit 1
		fi
		wall[$n]="${wall[$n]:-} $w"
		cpu[$n]="${cpu[$n]:-} $c"
		echo "run $r $n: $w Mqps, $c Mqps a CPU second"
	done
done
echo
echo "| path | sample zones, Mqps | $RECORDS records, Mqps | ratio | sample, Mqps a CPU second | $RECORDS records, a CPU second | ratio |"
echo "|---|---|---|---:|---|---|---:|"
for p in dgram burst; do
	# shellcheck disable=SC2086 # the runs' figures are words
	{
		ws=$(median ${wall[sample-$p]})
		wl=$(median ${wall[large-$p]})
		cs=$(median ${cpu[sample-$p]})
		cl=$(median ${cpu[large-$p]})
		echo "| --$p$([ $p = burst ] && echo " $BURST") | $(stats ${wall[sample-$p]}) | $(stats ${wall[large-$p]}) | $(awk -v a="$wl" -v b="$ws" 'BEGIN { printf "%.2f", a / b }') | $(stats ${cpu[sample-$p]}) | $(stats ${cpu[large-$p]}) | $(awk -v a="$cl" -v b="$cs" 'BEGIN { printf "%.2f", a / b }') |"
	}
done
