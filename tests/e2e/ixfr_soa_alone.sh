#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ixfr_soa_alone.sh: a primary that answers an IXFR over TCP with its newer SOA alone (as RFC 1995
# 4 has it over UDP, to say "not here"; BIND asks for an AXFR then) is asked for an AXFR at once:
# sandnsd, holding a copy at serial 5, serves the primary's serial 999 within seconds, its log
# saying why, rather than failing the same IXFR at every retry until the zone expires.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary
# directory. Needs /usr/bin/python3 with dnspython. Only 127.0.0.1; ends only what it started.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
PY=/usr/bin/python3

die() { echo "ixfr_soa_alone: $*" >&2; exit 1; }
skip() { echo "ixfr_soa_alone: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
command -v kdig >/dev/null || skip "kdig not found"
$PY -c 'import dns.message' 2>/dev/null || skip "$PY lacks dnspython"

TMP=$(mktemp -d /tmp/sandns-soaalone.XXXXXX)
PID=
BAD_PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$BAD_PID" ] && stop_pid "$BAD_PID" 5 "ixfr_soa_alone: bad_primary.py"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/bad_primary.out"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 20 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "ixfr_soa_alone: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ZONE=alone.test.
BPORT=$(pick_port $(( 20000 + ($$ * 13) % 12000 ))) || die "no free port"
PORT=$(pick_port $(( (BPORT - 20000 + 29) % 12000 + 20000 )) "$BPORT") || die "no free port"

# The copy sandnsd holds: serial 5, so that it asks the primary for an IXFR from there.
cat >"$TMP/alone.test.zone" <<ZEOF
alone.test. 300 IN SOA ns1.alone.test. h.alone.test. 5 3600 1 600 60
alone.test. 300 IN NS ns1.alone.test.
ns1.alone.test. 300 IN A 192.0.2.53
www.alone.test. 300 IN A 192.0.2.5
ZEOF

"$PY" "$HERE/bad_primary.py" "$ZONE" "$BPORT" soa-alone >"$TMP/bad_primary.out" 2>&1 &
BAD_PID=$!
for _ in $(seq 1 50); do grep -q ready "$TMP/bad_primary.out" && break; sleep 0.1; done
check "the primary answering IXFR with its SOA alone is up" grep -q ready "$TMP/bad_primary.out"

SOCK=$TMP/sandnsd.sock
LOG=$TMP/sandnsd.log
"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
	--state-dir "$TMP/state" --zone "$ZONE=$TMP/alone.test.zone" \
	--primary "$ZONE 127.0.0.1@$BPORT" >"$LOG" 2>&1 &
PID=$!
wait_serving "$LOG" "$PID" || die "sandnsd did not start; its log: $(cat "$LOG")"

www() { timeout 10 kdig @127.0.0.1 -p "$PORT" +time=2 +retry=1 +short "www.$ZONE" A 2>/dev/null; }
served_within() {
	for _ in $(seq 1 $(($2 * 10))); do
		[ "$(www)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "     www.$ZONE: '$(www)', not $1"
	return 1
}
check "the primary's zone (serial 999) is served within 8 s" served_within 192.0.2.99 8
check "sandnsd asked for an IXFR first" grep -q "answered an IXFR with the SOA alone" "$TMP/bad_primary.out"
check "its log says why it asked for an AXFR" \
	grep -q "IXFR from 127.0.0.1@$BPORT: a newer SOA (serial 999) alone, then nothing: .*; AXFR instead" "$LOG"
check "then transferred it whole" grep -q "zone $ZONE: AXFR from 127.0.0.1@$BPORT: serial 999," "$LOG"

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

echo "ixfr_soa_alone: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
