#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dorate.sh: the DO bit's cost in queries a second (issue 14's target: sandns-bench with DO on a
# signed zone within 10% of the unsigned rate), measured natively, where instruction counts miss
# what the CPU does faster than callgrind's virtual one (SHA-1 by the SHA extensions, wide copies).
# For each set of zones, a pair of runs of the same binary: unsigned without DO, then signed with
# DO on every query; the pairs of all sets interleaved, RUNS rounds, pinned to one CPU, so that a
# busy spell of the shared machine falls on both halves of a pair alike. Per set: the medians of
# both rates (the wall clock's and a second of the thread's CPU time), the ratio of the medians and
# the median with min..max of the pairs' own ratios. With BASE (another build's sandns-bench, e.g.
# the main branch's) each round runs BASE's pair then BENCH's, and the table has a row for each.
# Holds /tmp/sandns-bench.lock.
#
# Usage: bench/dorate.sh [SET...]  (standard n3n3 nsecnsec r10k-n3 r10k-nsec; default: all)
# Environment: BENCH (default build/bench/sandns-bench), RUNS (7), SECONDS_EACH (1), CPU (1),
# EXTRA (more sandns-bench options for every run, e.g. --dgram), BASE (a second binary).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/build/bench/sandns-bench}
RUNS=${RUNS:-7}
SECONDS_EACH=${SECONDS_EACH:-1}
CPU=${CPU:-1}
EXTRA=${EXTRA:-}
[ -x "$BENCH" ] || { echo "dorate.sh: no $BENCH (build first)" >&2; exit 2; }
bins=(this)
if [ -n "${BASE:-}" ]; then
	[ -x "$BASE" ] || { echo "dorate.sh: no $BASE" >&2; exit 2; }
	bins=(base this)
fi
command -v taskset >/dev/null || { echo "dorate.sh: taskset not found" >&2; exit 2; }

sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(standard n3n3 nsecnsec r10k-n3 r10k-nsec)
for s in "${sets[@]}"; do
	case $s in
	standard | n3n3 | nsecnsec | r10k-n3 | r10k-nsec) ;;
	*) echo "dorate.sh: unknown set $s (standard n3n3 nsecnsec r10k-n3 r10k-nsec)" >&2; exit 2 ;;
	esac
done
# base SET: the zones' options; sign SET: the signing options (both one option a line)
base() {
	case $1 in
	r10k-*) printf '%s\n' --records 10000 ;;
	esac
}
sign() {
	case $1 in
	standard) printf '%s\n' --dnssec "example.com. nsec" --dnssec "example.net. nsec3" ;;
	n3n3) printf '%s\n' --dnssec "example.com. nsec3" --dnssec "example.net. nsec3" ;;
	nsecnsec) printf '%s\n' --dnssec "example.com. nsec" --dnssec "example.net. nsec" ;;
	r10k-n3) printf '%s\n' --dnssec "example.com. nsec3" ;;
	r10k-nsec) printf '%s\n' --dnssec "example.com. nsec" ;;
	esac
}
# one SET signed|unsigned BIN: "WALL CPU" Mqps of one run of BIN (base or this)
one() {
	local -a a
	local bin=$BENCH
	[ "$3" = base ] && bin=$BASE
	mapfile -t a < <(base "$1")
	[ "$2" = signed ] && mapfile -t -O "${#a[@]}" a < <(sign "$1") && a+=(--do)
	# shellcheck disable=SC2086 # EXTRA is words
	out=$(taskset -c "$CPU" "$bin" --quick --seconds "$SECONDS_EACH" --cpu "$CPU" "${a[@]}" $EXTRA 2>&1) ||
		{ echo "dorate.sh: $1 $2 failed:" >&2; echo "$out" >&2; exit 1; }
	w=$(sed -n 's/^answer: \([0-9.]*\) Mqps.*/\1/p' <<<"$out")
	c=$(sed -n 's/^cpu: \([0-9.]*\) Mqps.*/\1/p' <<<"$out")
	if [ -z "$w" ] || [ -z "$c" ]; then
		echo "dorate.sh: $1 $2: no rate in:" >&2
		echo "$out" >&2
		exit 1
	fi
	echo "$w $c"
}
stats() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - -"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'; }

exec 9>/tmp/sandns-bench.lock
flock 9
echo "dorate.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
	"pinned to CPU $CPU, $RUNS rounds of ${SECONDS_EACH} s a run${EXTRA:+, $EXTRA}, this: ${BENCH#"$ROOT"/}${BASE:+, base: ${BASE#"$ROOT"/}}"
declare -A uw uc sw sc rw rc
for r in $(seq 1 "$RUNS"); do
	for s in "${sets[@]}"; do
		for bn in "${bins[@]}"; do
			k="$s $bn"
			u=$(one "$s" unsigned "$bn") || exit 1
			v=$(one "$s" signed "$bn") || exit 1
			read -r a b <<<"$u"
			read -r c d <<<"$v"
			uw[$k]+=" $a" uc[$k]+=" $b" sw[$k]+=" $c" sc[$k]+=" $d"
			rw[$k]+=" $(awk -v x="$c" -v y="$a" 'BEGIN { printf "%.1f", 100 * x / y }')"
			rc[$k]+=" $(awk -v x="$d" -v y="$b" 'BEGIN { printf "%.1f", 100 * x / y }')"
			echo "round $r $s $bn: unsigned $a (cpu $b), signed+DO $c (cpu $d) Mqps"
		done
	done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
med() { tr ' ' '\n' | grep . | stats; }
echo
echo "| set | binary | unsigned Mqps | signed+DO Mqps | ratio of medians | pair ratios med (min..max) | cpu: unsigned | cpu: signed+DO | cpu: ratio of medians | cpu: pair ratios med (min..max) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in "${sets[@]}"; do
	for bn in "${bins[@]}"; do
		k="$s $bn"
		read -r a _ _ < <(med <<<"${uw[$k]}")
		read -r c _ _ < <(med <<<"${sw[$k]}")
		read -r b _ _ < <(med <<<"${uc[$k]}")
		read -r d _ _ < <(med <<<"${sc[$k]}")
		read -r m lo hi < <(med <<<"${rw[$k]}")
		read -r m2 lo2 hi2 < <(med <<<"${rc[$k]}")
		printf '| %s | %s | %s | %s | %.1f%% | %s%% (%s..%s) | %s | %s | %.1f%% | %s%% (%s..%s) |\n' \
			"$s" "$bn" "$a" "$c" "$(awk -v x="$c" -v y="$a" 'BEGIN { print 100 * x / y }')" \
			"$m" "$lo" "$hi" "$b" "$d" "$(awk -v x="$d" -v y="$b" 'BEGIN { print 100 * x / y }')" \
			"$m2" "$lo2" "$hi2"
	done
done
