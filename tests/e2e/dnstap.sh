#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dnstap.sh: the query log (dnstap), read back by readers nobody here wrote: kdig -G (Knot) and
# dnstap-ldns, and fstrm_capture as the socket reader.
#  1. `dnstap FILE`: 12 UDP queries (answers, NXDOMAIN, REFUSED), 4 over TCP and one AXFR; once
#     sandnsd has stopped, the file holds an AUTH_QUERY for each of the 17 and an AUTH_RESPONSE
#     for each of the 16 answered alike (the transfer: its query only), by transport, with our
#     identity; kdig -G prints the 16 responses; `stats` said dnstap-queued 33, dropped 0.
#  2. `dnstap unix:PATH` with fstrm_capture reading: the same messages arrive there.
#  3. `dnstap unix:PATH` with no reader, under load (sandns-loadgen, 20,000 queries at 20,000
#     q/s): every query answered, queued + dropped = twice the queries.
#  4. A reader that takes the handshake and then never reads (dnstap_stall_reader.py), the same
#     load: every query answered, the messages that could not be kept counted as dropped
#     (dropped > 0, queued + dropped = twice the queries), and SIGTERM still stops sandnsd
#     (after the 3 s it gives the writer), saying what it left.
#  5. A log that cannot be opened (a missing directory): sandnsd exits 2, naming the file.
#
# Environment: SANDNSD, SANDNSCTL, SANDNS_LOADGEN (default build/...), KEEP=1.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; every wait is bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no kdig, dnstap-ldns or fstrm_capture).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
LOADGEN=${SANDNS_LOADGEN:-$ROOT/build/bench/sandns-loadgen}
SAMPLE=$ROOT/zones/sample

die() { echo "dnstap: $*" >&2; exit 1; }
skip() { echo "dnstap: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$LOADGEN" ] || die "no sandns-loadgen at $LOADGEN"
for c in kdig dnstap-ldns fstrm_capture; do
	command -v "$c" >/dev/null || skip "$c not found (scripts/deps.sh installs it)"
done

TMP=$(mktemp -d /tmp/sandns-dnstap.XXXXXX)
PID=
PORT=
SOCK=
LOG=
CAP=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -z "$CAP" ] || stop_pid "$CAP" 5 fstrm_capture >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "dnstap: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

q() { kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 "$@" >/dev/null 2>&1; }
# count TEXT PATTERN: lines of TEXT matching the extended regular expression PATTERN
count() { grep -Ec -- "$2" <<<"$1"; }

# the queries of parts 1 and 2: 12 over UDP, 4 over TCP, one AXFR
ask() {
	local i
	for i in 1 2 3 4 5 6; do q mail.example.net A; done
	for i in 1 2 3; do q "nx$i.ns1.example.net" A; done
	for i in 1 2 3; do q www.example.org A; done
	for i in 1 2 3 4; do q +tcp example.net MX; done
	q +tcp example.net AXFR
}

# check_log NAME FILE: the messages of ask() in FILE
check_log() {
	local name=$1 file=$2 all
	all=$(dnstap-ldns -r "$file" 2>&1)
	check "$name: 17 queries logged ($(count "$all" ' AQ '))" test "$(count "$all" ' AQ ')" = 17
	check "$name: 16 responses logged ($(count "$all" ' AR '))" test "$(count "$all" ' AR ')" = 16
	check "$name: 12 UDP queries, 12 UDP responses" \
		test "$(count "$all" ' AQ 127\.0\.0\.1 UDP '):$(count "$all" ' AR 127\.0\.0\.1 UDP ')" = 12:12
	check "$name: 5 TCP queries (one AXFR), 4 TCP responses" \
		test "$(count "$all" ' AQ 127\.0\.0\.1 TCP '):$(count "$all" ' AR 127\.0\.0\.1 TCP ')" = 5:4
	check "$name: the AXFR's query" has "$all" 'AQ 127.0.0.1 TCP .* "example.net." IN AXFR'
	check "$name: identity and version in every message" \
		test "$(dnstap-ldns -y -r "$file" | grep -c '^identity: "ns1.test"')" = 33
	dnstap-ldns -r "$file" | head -3 | sed 's/^/     /'
}

# 1. a file
start_sandnsd file --dnstap "$TMP/q.tap" --identity ns1.test --allow-transfer 127.0.0.0/8 || exit 1
ask
st=$("$SANDNSCTL" --control "$SOCK" stats 2>&1)
check "file: stats: dnstap-queued 33 dnstap-dropped 0" has "$st" '^dnstap: dnstap-queued 33 dnstap-dropped 0$'
st=$("$SANDNSCTL" --control "$SOCK" --json stats 2>&1)
check "file: stats --json: the same" has "$st" '"dnstap":{"dnstap-queued":33,"dnstap-dropped":0}'
stop_sandnsd
check "file: sandnsd stopped cleanly" test $? = 0
check_log file "$TMP/q.tap"
out=$(kdig -G "$TMP/q.tap" 2>&1)
check "file: kdig -G reads the 16 responses ($(count "$out" '->>HEADER<<-'))" \
	test "$(count "$out" '->>HEADER<<-')" = 16
check "file: kdig -G: NXDOMAIN and REFUSED among them" \
	test "$(count "$out" 'status: NXDOMAIN'):$(count "$out" 'status: REFUSED')" = 3:3

# 2. a socket reader
fstrm_capture -t protobuf:dnstap.Dnstap -u "$TMP/tap.sock" -w "$TMP/cap.tap" >"$TMP/cap.log" 2>&1 &
CAP=$!
for _ in $(seq 1 50); do [ -S "$TMP/tap.sock" ] && break; sleep 0.1; done
start_sandnsd sock --dnstap "unix:$TMP/tap.sock" --identity ns1.test \
	--allow-transfer 127.0.0.0/8 || exit 1
ask
stop_sandnsd
check "sock: sandnsd stopped cleanly" test $? = 0
stop_pid "$CAP" 5 fstrm_capture
CAP=
check_log sock "$TMP/cap.tap"

# 3. no reader, under load
start_sandnsd noreader --dnstap "unix:$TMP/nobody.sock" || exit 1
out=$("$LOADGEN" --rate 20000 --duration 1 --drain 1 --name mail.example.net. --type A \
	"127.0.0.1@$PORT" 2>&1)
echo "     $out"
check "noreader: every query answered" grep -q 'sent=20000 answered=20000 lost=0 ' <<<"$out"
st=$("$SANDNSCTL" --control "$SOCK" stats 2>&1)
read -r queued dropped < <(sed -n 's/^dnstap: dnstap-queued \([0-9]*\) dnstap-dropped \([0-9]*\)$/\1 \2/p' <<<"$st")
echo "     dnstap-queued ${queued:-?} dnstap-dropped ${dropped:-?}"
check "noreader: queued + dropped = 2 x 20000" test $((${queued:-0} + ${dropped:-0})) = 40000
stop_sandnsd
check "noreader: sandnsd stopped cleanly" test $? = 0

# 4. a reader that stalls
/usr/bin/python3 "$HERE/dnstap_stall_reader.py" "$TMP/reader.sock" >"$TMP/reader.log" 2>&1 &
CAP=$!
for _ in $(seq 1 100); do grep -q ready "$TMP/reader.log" && break; sleep 0.1; done
start_sandnsd stall --dnstap "unix:$TMP/reader.sock" || exit 1
for _ in $(seq 1 100); do grep -q accepted "$TMP/reader.log" && break; sleep 0.1; done
check "stall: the reader took the handshake" grep -q accepted "$TMP/reader.log"
out=$("$LOADGEN" --rate 20000 --duration 1 --drain 1 --name mail.example.net. --type A \
	"127.0.0.1@$PORT" 2>&1)
echo "     $out"
check "stall: every query answered" grep -q 'sent=20000 answered=20000 lost=0 ' <<<"$out"
st=$("$SANDNSCTL" --control "$SOCK" stats 2>&1)
out=$(timeout 5 "$SANDNSCTL" --control "$SOCK" status 2>&1)
check "stall: status answered" test $? = 0
read -r queued dropped < <(sed -n 's/^dnstap: dnstap-queued \([0-9]*\) dnstap-dropped \([0-9]*\)$/\1 \2/p' <<<"$st")
echo "     dnstap-queued ${queued:-?} dnstap-dropped ${dropped:-?}"
check "stall: what could not be kept is counted as dropped" test "${dropped:-0}" -gt 0
check "stall: queued + dropped = 2 x 20000" test $((${queued:-0} + ${dropped:-0})) = 40000
t0=$(date +%s%N)
stop_sandnsd
rc=$?
t1=$(date +%s%N)
check "stall: SIGTERM stops sandnsd ($(( (t1 - t0) / 1000000 )) ms, exit $rc)" test "$rc" = 0
check "stall: ... saying what it left" grep -q 'the reader has not read for 3 s' "$LOG"
stop_pid "$CAP" 5 stall_reader
CAP=

# 5. a log that cannot be opened
new_port
out=$(timeout 30 "$SANDNSD" --foreground --listen "127.0.0.1@$PORT" --state-dir "$TMP/bad.state" \
	--zone "example.net.=$SAMPLE/example.net.zone" --dnstap "$TMP/missing/q.tap" 2>&1)
rc=$?
check "bad path: exit 2 ($rc)" test "$rc" = 2
check "bad path: the file named" has "$out" "dnstap $TMP/missing/q.tap: No such file or directory"

echo "dnstap: $passed passed, $failed failed"
[ "$failed" = 0 ]
