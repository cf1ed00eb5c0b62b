# SPDX-License-Identifier: BSD-3-Clause
# lib.sh: what the benchmark scripts share (sourced after tests/e2e/lib.sh, for stop_pid):
# their temporary directory and its cleanup, and the median with min..max of their figures.

# bench_tmpdir NAME [STOP_SECONDS]: TMP becomes a new /tmp/sandns-NAME.XXXXXX (KEEP=1 keeps it
# at exit), PID the server to stop at exit (given STOP_SECONDS, default 20, to stop).
bench_tmpdir() {
	BENCH_NAME=$1
	BENCH_STOP=${2:-20}
	TMP=$(mktemp -d "/tmp/sandns-$1.XXXXXX") || { echo "$1: cannot make a temporary directory" >&2; exit 1; }
	chmod 755 "$TMP"
	PID=
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cleanup() {
	[ -n "$PID" ] && stop_pid "$PID" "$BENCH_STOP" "$BENCH_NAME: server" >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "$BENCH_NAME: kept $TMP"; else rm -rf "$TMP"; fi
}

# stats: "MEDIAN MIN MAX" of the numbers on stdin, one a line ("- - -" for none)
stats() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - -"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'; }
