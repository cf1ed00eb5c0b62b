#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# reload_thread.sh: reloads run off the control thread. sandnsd serves a generated zone of
# RECORDS (default 600000) A records, slow enough to compile that a reload takes a while. While
# `sandnsctl reload` runs: `status` answers and says a reload is in progress before the reload's
# reply comes (an ordering check, not a timing one), and `zone-status`, `stats` and `help` answer
# too. Two more reloads asked meanwhile (one in JSON), after the zone file got a new serial, are
# merged: both answered with the new serial, the `reloads` counter up by 2 for the 3 requests.
# A reload of a broken zone file fails with the reason and the last good snapshot stays served;
# `reload` of a zone not configured fails at once. SIGTERM during a reload: sandnsd stops with
# status 0 (the build dropped, no leak under ASan) and the waiting client gets an answer or EOF.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), RECORDS, KEEP=1 keeps the
# temporary dir. Talks only to 127.0.0.1; ends only the processes it started, by PID; waits are
# bounded. Exit status: 0 all passed, 1 a check failed, 77 skipped (no kdig).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
RECORDS=${RECORDS:-600000}

die() { echo "reload-thread: $*" >&2; exit 1; }
skip() { echo "reload-thread: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"

TMP=$(mktemp -d /tmp/sandns-reload-thread.XXXXXX)
PID=           # sandnsd
PORT= SOCK= LOG=
BG=()          # sandnsctl clients in the background
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# Sanitizer builds take longer to compile the zone and to exit.
STOP_SECS=60

cleanup() {
	local rc=$?
	for p in "${BG[@]}"; do stop_pid "$p" 5 "reload-thread: sandnsctl" >/dev/null 2>&1; done
	stop_sandnsd >/dev/null 2>&1
	if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
		[ -s "$TMP/main.log" ] && { echo "--- last lines of main.log"; tail -n 40 "$TMP/main.log"; }
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "reload-thread: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ctl() { timeout 120 "$SANDNSCTL" --control "$SOCK" "$@"; }
q() { kdig @127.0.0.1 -p "$PORT" +norec +time=3 +retry=0 "$@" 2>&1; }

# zone_file SERIAL: big.test's zone file (atomically replaced), the records in big.inc.
zone_file() {
	cat >"$TMP/big.zone.new" <<EOF
\$ORIGIN big.test.
\$TTL 3600
@ IN SOA ns1.big.test. hostmaster.big.test. $1 7200 3600 1209600 300
@ IN NS ns1.big.test.
ns1 IN A 192.0.2.1
serial IN TXT "v$1"
\$INCLUDE $TMP/big.inc
EOF
	mv "$TMP/big.zone.new" "$TMP/big.zone"
}

# bg_ctl NAME ARGS...: sandnsctl ARGS in the background; its output in $TMP/NAME.out, its exit
# status in $TMP/NAME.rc once it is done.
bg_ctl() {
	local name=$1
	shift
	( ctl "$@" >"$TMP/$name.out" 2>&1; echo $? >"$TMP/$name.rc" ) &
	BG+=($!)
}

# wait_file FILE SECONDS: until FILE exists (bounded).
wait_file() {
	for _ in $(seq 1 $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_reloading SECONDS: polls `status` until it says a reload is in progress; each reply is
# in $ST. Fails when the reload FILE given as $2 is answered first.
wait_reloading() {
	for _ in $(seq 1 $(($1 * 10))); do
		ST=$(ctl status 2>&1)
		grep -q '^reload: in progress' <<<"$ST" && return 0
		[ -e "$2" ] && return 1
		sleep 0.1
	done
	return 1
}

# log_clean LOG: no sanitizer report (ASan, LeakSanitizer, UBSan, TSan) in LOG.
log_clean() {
	! grep -E 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:|SUMMARY: ' "$1" ||
		{ echo "     sanitizer report in $1"; return 1; }
}

reloads_of() { grep -o 'reloads: [0-9]* done' <<<"$1" | grep -o '[0-9]*'; }

awk -v n="$RECORDS" 'BEGIN { for (i = 0; i < n; i++)
	printf "h%d 3600 IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' \
	>"$TMP/big.inc" || die "cannot write the zone"
zone_file 1

start_sandnsd main --zone "big.test.=$TMP/big.zone" || exit 1
LOG=$TMP/main.log
check "big.test serves serial 1" answer_is serial.big.test TXT '"v1"'

st=$(ctl status)
R0=$(reloads_of "$st")
check "status says no reload runs while none does" hasnt "$st" '^reload:'

# 1. status answers while a reload runs, before the reload's reply.
zone_file 2
bg_ctl a reload
if wait_reloading 60 "$TMP/a.rc"; then
	ok "status answered while the reload runs: 'reload: in progress' before the reload's reply"
else
	bad "status never answered during the reload (the reload's reply came first, or none)"
	echo "     last status: $(head -c 400 <<<"${ST:-}")"
fi
ZS=$(ctl zone-status big.test.)
ST2=$(ctl stats)
HL=$(ctl help)
if [ ! -e "$TMP/a.rc" ]; then
	ok "zone-status, stats and help answered before the reload's reply too"
else
	bad "the reload ended before zone-status, stats and help were asked: use more RECORDS"
fi
check "zone-status during the reload shows the served serial 1" has "$ZS" 'zone big.test. serial 1 '
check "stats during the reload answers" has "$ST2" 'total:'
check "help during the reload answers" has "$HL" '^reload'

# 2. Two more reloads while the first runs, after the file changed again: merged into one.
zone_file 3
bg_ctl b reload
bg_ctl c json reload big.test.
merged=no
for _ in $(seq 1 600); do
	ST=$(ctl status 2>&1)
	if grep -q '(2 more requests waiting' <<<"$ST"; then merged=yes; break; fi
	[ -e "$TMP/a.rc" ] && break
	sleep 0.1
done
if [ "$merged" = yes ] && [ ! -e "$TMP/a.rc" ]; then
	ok "both reloads asked during the first wait for the next one (status: 2 waiting)"
else
	bad "the two reloads were not seen waiting while the first ran (status: $(grep '^reload' <<<"$ST"))"
fi
for n in a b c; do
	wait_file "$TMP/$n.rc" 120 || bad "reload $n: no reply within 120 s"
done
check "reload a answered ok" has "$(cat "$TMP/a.out")" '^reloaded every zone: 2 zones'
check "reload a exited 0" test "$(cat "$TMP/a.rc" 2>/dev/null)" = 0
check "reload b (asked during a) answered with serial 3" has "$(cat "$TMP/b.out")" \
	'^zone big.test. serial 3$'
check "reload b exited 0" test "$(cat "$TMP/b.rc" 2>/dev/null)" = 0
check "json reload big.test. (asked during a) answered with serial 3" has "$(cat "$TMP/c.out")" \
	'"ok":true.*"big.test.":3'
check "json reload c exited 0" test "$(cat "$TMP/c.rc" 2>/dev/null)" = 0
st=$(ctl status)
check "three requests, two reloads: the counter went from $R0 to $((R0 + 2))" \
	test "$(reloads_of "$st")" = $((R0 + 2))
check "status after the reloads says none runs" hasnt "$st" '^reload:'
check "big.test serves serial 3" answer_is serial.big.test TXT '"v3"'
check "the log says each request was reloaded" \
	test "$(grep -c 'on request' "$LOG")" = 3

# 3. A failed reload keeps the last good snapshot; an unknown zone fails at once.
printf 'this is not a zone file\n' >"$TMP/broken.zone"
cp "$TMP/big.zone" "$TMP/big.zone.good"
mv "$TMP/broken.zone" "$TMP/big.zone"
out=$(ctl reload 2>&1)
rc=$?
check "a broken zone file: reload fails (exit $rc)" test "$rc" != 0
check "... with the file and line" has "$out" 'big.zone:1'
check "... and says the previous snapshot stays" has "$out" 'previous snapshot is still served'
check "... big.test still serves serial 3" answer_is serial.big.test TXT '"v3"'
out=$(ctl reload nosuch.test. 2>&1)
check "reload of a zone not configured fails" has "$out" 'no zone nosuch.test. is configured'
mv "$TMP/big.zone.good" "$TMP/big.zone"

# 4. SIGTERM while a reload runs: a clean stop, the client answered or its socket closed.
zone_file 4
bg_ctl d reload
if wait_reloading 60 "$TMP/d.rc"; then
	kill -TERM "$PID"
	stop_sandnsd
	rc=$?
	check "SIGTERM during a reload: sandnsd exits with status 0 (got $rc)" test "$rc" = 0
	check "... and the waiting client ends" wait_file "$TMP/d.rc" 20
	check "... without a serial 4 published after the stop" \
		bash -c "! sed -n '/SIGTERM/,\$p' '$LOG' | grep -q 'reloaded every zone'"
else
	bad "the reload before SIGTERM was not seen running"
fi
check "sandnsd log: no sanitizer report" log_clean "$LOG"

echo "reload-thread: $passed passed, $failed failed"
[ "$failed" = 0 ]
