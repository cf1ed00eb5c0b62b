#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh: one bounded libFuzzer run, as the test suite runs each target (tests/fuzz/meson.build).
#
#   run.sh FUZZER SEED_CORPUS SECONDS [LIBFUZZER_FLAG...]
#
# FUZZ_SECONDS in the environment overrides SECONDS.
# The seeds are only read: new inputs go to a temporary directory that is removed afterwards, so
# the committed corpus never grows. Prints one line per target: runs, exec/s, the final cov: and
# ft: figures and the corpus size. Exits 1 on a crash, a sanitizer report (leaks included), a
# broken invariant (the targets abort), an input slower than 10 s or more than 2 GB of memory;
# the reproducer is kept in FUZZER's directory, artifacts/NAME/, and its path printed.
set -euo pipefail

fuzzer=$1
seeds=$2
seconds=${FUZZ_SECONDS:-$3}
shift 3
name=$(basename "$fuzzer")
artifacts=$(dirname "$fuzzer")/artifacts/$name
work=$(mktemp -d "${TMPDIR:-/tmp}/sandns-$name-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"

# Sanitizer reports are failures; ours come last so that they win over the caller's, and the
# target's own (FUZZ_ASAN_OPTIONS, from meson.build) last of all.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:halt_on_error=1"
export ASAN_OPTIONS="$ASAN_OPTIONS${FUZZ_ASAN_OPTIONS:+:$FUZZ_ASAN_OPTIONS}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
# Leaks inside the libraries (libldns), each explained there.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(dirname "$0")/lsan.supp"
# Reports with file:line (Debian's llvm-14 has the symbolizer under a versioned name only).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
	export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

rc=0
# The test runs from the build tree: the targets find the zones through SANDNS_SOURCE_ROOT.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$@" "$work/corpus" "$seeds" >"$work/log" 2>&1 || rc=$?

seeds_n=$(find "$seeds" -type f | wc -l)
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1 || true)
if [ "$rc" -ne 0 ] || [ -z "$done_line" ]; then
	# The report from its first line (the frames that tell where), then the end of the output.
	first=$(grep -nE '^==[0-9]+==ERROR|runtime error:|^INFO: a leak|deadly signal|^fuzz-[a-z]+: ' \
		"$work/log" | head -n 1 | cut -d: -f1 || true)
	if [ -n "$first" ]; then
		echo "$name: FAILED (exit $rc); the report, from line $first of libFuzzer's output:"
		sed -n "${first},$((first + 40))p" "$work/log"
		echo "[...] the end of the output:"
	else
		echo "$name: FAILED (exit $rc); the end of libFuzzer's output:"
	fi
	tail -n 30 "$work/log"
	# Each reproducer's path; a small one also as base64, so that a CI log alone reproduces it
	# (base64 -d > crash; FUZZER crash).
	for f in "$artifacts"/*; do
		[ -f "$f" ] || continue
		echo "reproducer: $f ($(stat -c %s "$f") octets)"
		if [ "$(stat -c %s "$f")" -le 8192 ]; then
			base64 -w 76 "$f" | sed 's/^/  /'
		fi
	done
	exit 1
fi
# "#123456  DONE   cov: 1234 ft: 5678 corp: 120/30Kb lim: 4096 exec/s: 2743 rss: 100Mb"
runs=${done_line%%[[:space:]]*}
runs=${runs#\#}
field() { sed -nE "s|.*[[:space:]]$1:? ([^[:space:]]+).*|\\1|p" <<<"$done_line"; }
echo "$name: $runs runs in ${seconds} s, $(field exec/s) exec/s, cov: $(field cov)" \
	"ft: $(field ft), corpus $(field corp) (from $seeds_n seeds), rss $(field rss)"
