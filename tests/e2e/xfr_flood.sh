#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# xfr_flood.sh: zone transfers streamed from the snapshot under a bounded buffer, and the
# transfers-out cap (hardening item 2). sandnsd serves a generated zone of ZONE_RECORDS records
# (50,000) with transfers-out CLIENTS (100); xfr_flood.py then:
#  1. opens CLIENTS connections that each ask AXFR and never read: sandnsd's VmRSS may grow by at
#     most CLIENTS x 200 KiB (a connection's input buffer, 64 KiB, and its output, at most 128 KiB
#     during a transfer; 2.5 MB for 100 in all where malloc leaves untouched pages alone, 19 MB
#     under meson, whose MALLOC_PERTURB_ writes every octet allocated) plus SLACK_KIB;
#     meanwhile `sandnsctl status`, a TCP query and a UDP query are answered, and
#     EXTRA more transfers are answered REFUSED and counted (xfr-refused); after the clients
#     leave, a full AXFR is complete and equal to the zone file as a set of records (before
#     transfers were streamed, each held one was rendered whole: 650 MB more for these 100);
#  2. starts a transfer with a small receive window, reads one message, changes the zone file
#     and reloads: the new serial is served at once, the transfer (still under way on the
#     server's side: tcp-answered unchanged) completes with the old serial's records exactly;
#     a new transfer has the new ones.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir,
# ZONE_RECORDS, CLIENTS, EXTRA, SLACK_KIB. Talks only to 127.0.0.1; ends only the processes it
# started, by PID. Exit status: 0 all passed, 1 a check failed, 77 skipped (no python3).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3
ZONE_RECORDS=${ZONE_RECORDS:-50000}
CLIENTS=${CLIENTS:-100}
EXTRA=${EXTRA:-10}
# Beside the connections: glibc's arenas and the kernel's view of a busy heap; under ASan its
# allocator's bookkeeping too.
SLACK_KIB=${SLACK_KIB:-8192}

die() { echo "xfr_flood: $*" >&2; exit 1; }
skip() { echo "xfr_flood: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ -x "$PY" ] || skip "no $PY"

TMP=$(mktemp -d /tmp/sandns-xfrflood.XXXXXX)
PID=
PORT=
SOCK=
LOG=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "xfr_flood: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ORIGIN=flood.test.
ZONE=$TMP/flood.zone
$PY "$HERE/xfr_flood.py" gen "$ZONE" "$ORIGIN" "$ZONE_RECORDS" 1 || die "cannot write the zone"
$PY "$HERE/xfr_flood.py" gen "$TMP/flood2.zone" "$ORIGIN" "$ZONE_RECORDS" 2 --changed ||
	die "cannot write the zone's next version"

# Idle clients are not closed while the checks run (tcp-idle-timeout 60).
start_sandnsd flood --zone "$ORIGIN=$ZONE" --allow-transfer 127.0.0.0/8 \
	--transfers-out "$CLIENTS" --tcp-max-clients $((CLIENTS * 2 + 50)) --tcp-idle-timeout 60 ||
	exit 1

run_counted "xfr_flood.py" timeout 150 $PY "$HERE/xfr_flood.py" flood --port "$PORT" --pid "$PID" \
	--ctl "$SANDNSCTL" --sock "$SOCK" --zone "$ZONE" --new-file "$TMP/flood2.zone" \
	--origin "$ORIGIN" --records "$ZONE_RECORDS" --clients "$CLIENTS" --extra "$EXTRA" --slack-kib "$SLACK_KIB"

n=$(grep -c 'zone transfer refused' "$LOG")
check "the refused transfers are logged once or twice, not $EXTRA times ($n)" \
	test "$n" -ge 1 -a "$n" -le 2
check "no transfer stopped on an error" hasnt "$(cat "$LOG")" 'zone transfer stopped'

stop_sandnsd
rc=$?
check "SIGTERM: sandnsd exits with status 0 (got $rc)" test "$rc" = 0
if [ "$failed" -ne 0 ]; then
	echo "--- sandnsd log (last 20 lines, cut to 200 characters)"
	tail -n 20 "$LOG" | cut -c1-200 | sed 's/^/     /'
fi
echo "xfr_flood: $passed passed, $failed failed"
[ "$failed" = 0 ]
