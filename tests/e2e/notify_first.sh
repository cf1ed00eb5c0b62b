#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# notify_first.sh: a NOTIFY's sender is asked first. sandnsd is the secondary of n.test. with two
# Knot primaries: A on 127.0.0.1, listed first, and B on 127.0.0.2. B gets a new version and
# NOTIFYs sandnsd (from 127.0.0.2); A has not got it yet. Asked in the configured order, A would
# answer the SOA check with the serial sandnsd has, and the change would wait for the next refresh
# (an hour here). sandnsd must ask B first and serve its version at once; then A, NOTIFYing a
# newer version still, is asked first in its turn. A NOTIFY that gives the serial sandnsd serves
# needs no SOA check (zone-status counts it up to date); one with an older serial is checked (the
# primary's older serial logged). A third primary C on A's address (another port) NOTIFYs from
# there: A, asked first, is behind the NOTIFY's serial, so the others are asked until C has it.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, KNOTC, KEEP=1 keeps the temporary
# directory. Talks only to 127.0.0.1 and 127.0.0.2; ends only the processes it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}

die() { echo "notify_first: $*" >&2; exit 1; }
skip() { echo "notify_first: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-notifyfirst.XXXXXX)
KNOTA_PID=
KNOTB_PID=
KNOT3_PID=
PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=knot_primary.sh
. "$HERE/knot_primary.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$KNOTA_PID" ] && stop_pid "$KNOTA_PID" 5 "notify_first: knotd A"
	[ -n "$KNOTB_PID" ] && stop_pid "$KNOTB_PID" 5 "notify_first: knotd B"
	[ -n "$KNOT3_PID" ] && stop_pid "$KNOT3_PID" 5 "notify_first: knotd C"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knota.log" "$TMP/knotb.log" "$TMP/knot3.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 30 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "notify_first: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both Knots on KPORT, each on its address.
KPORT=${KPORT:-$(pick_port $(( 20000 + ($$ * 19) % 12000 )))} || die "no free port for knotd"
PORT=${PORT:-$(pick_port $(( (KPORT - 20000 + 37) % 12000 + 20000 )) "$KPORT")} ||
	die "no free port"
mkdir -p "$TMP/knota" "$TMP/knotb" "$TMP/zones-a" "$TMP/zones-b"

zone_file() { # zone_file DIR SERIAL ADDRESS: refresh and retry an hour, only NOTIFYs count
	cat >"$TMP/$1/n.test.zone.new" <<ZONE
\$ORIGIN n.test.
\$TTL 300
@	IN SOA ns1.n.test. hostmaster.n.test. $2 3600 3600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A $3
ZONE
	mv "$TMP/$1/n.test.zone.new" "$TMP/$1/n.test.zone"
}
zone_file zones-a 1 192.0.2.10
zone_file zones-b 1 192.0.2.10
KNOT_NAME=knota KNOT_ADDR=127.0.0.1 KNOT_ZONES=zones-a knot_conf n.test.
KNOT_NAME=knotb KNOT_ADDR=127.0.0.2 KNOT_ZONES=zones-b knot_conf n.test.
"$KNOTD" -c "$TMP/knota.conf" >"$TMP/knota.out" 2>&1 &
KNOTA_PID=$!
"$KNOTD" -c "$TMP/knotb.conf" >"$TMP/knotb.out" 2>&1 &
KNOTB_PID=$!
check "Knot A serves n.test. on 127.0.0.1" at "$KPORT" n.test. 192.0.2.10 10
check "Knot B serves n.test. on 127.0.0.2" env KQ_ADDR=127.0.0.2 bash -c \
	". '$HERE/knot_primary.sh'; at '$KPORT' n.test. 192.0.2.10 10"

LOG=$TMP/sandnsd.log
cat >"$TMP/sandns.conf" <<CONF
listen 127.0.0.1@$PORT
state-dir $TMP/state
zone n.test. $TMP/n.test.zone
primary n.test. 127.0.0.1@$KPORT
primary n.test. 127.0.0.2@$KPORT
allow-notify 127.0.0.0/8
CONF
"$SANDNSD" --foreground --io socket --config "$TMP/sandns.conf" --control "$TMP/ctl.sock" \
	>"$LOG" 2>&1 &
PID=$!
wait_serving "$LOG" "$PID" || die "sandnsd did not start; its log: $(cat "$LOG")"
check "sandnsd serves n.test. (serial 1) within 10 s" at "$PORT" n.test. 192.0.2.10 10

# B moves on and NOTIFYs from 127.0.0.2; A still has serial 1.
zone_file zones-b 2 192.0.2.20
KNOT_NAME=knotb knotc zone-reload n.test. >/dev/null
check "after B's NOTIFY sandnsd serves B's version within 10 s" at "$PORT" n.test. 192.0.2.20 10
check "... transferred from B" grep -qE "zone n.test.: [AI]XFR from 127.0.0.2@$KPORT" "$LOG"
check "... on the NOTIFY Knot B sent (from 127.0.0.2, its via)" \
	grep -q "notify, outgoing, remote 127.0.0.1@$PORT.*serial 2" "$TMP/knotb.log"

# A moves further and NOTIFYs from 127.0.0.1: it is asked first in its turn.
zone_file zones-a 3 192.0.2.30
KNOT_NAME=knota knotc zone-reload n.test. >/dev/null
check "after A's NOTIFY sandnsd serves A's version within 10 s" at "$PORT" n.test. 192.0.2.30 10
check "... transferred from A" grep -qE "zone n.test.: [AI]XFR from 127.0.0.1@$KPORT" "$LOG"

# A NOTIFYs serial 3 again: the copy served, no SOA check. Knot puts the SOA in its NOTIFY.
ctl() { "$SANDNSCTL" --control "$TMP/ctl.sock" "$@"; }
wait_for() { # wait_for SECS CMD...: CMD tried every 0.1 s until it succeeds
	local n=$(($1 * 10))
	shift
	until "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
uptodate() { ctl zone-status n.test. | grep -qE "notifies [0-9]+ \(coalesced [0-9]+, up to date $1\)"; }
check "no NOTIFY counted up to date before" uptodate 0
KNOT_NAME=knota knotc zone-notify n.test. >/dev/null
check "A's NOTIFY of the serial served is counted up to date within 10 s" \
	wait_for 10 uptodate 1
# B NOTIFYs its serial 2, older than ours: checked, B's older serial logged.
KNOT_NAME=knotb knotc zone-notify n.test. >/dev/null
check "B's NOTIFY of an older serial is checked: B's serial 2 logged within 10 s" \
	wait_for 10 grep -qE "n.test.*127.0.0.2@$KPORT.*serial 2" "$LOG"
check "... and not counted up to date" uptodate 1
check "sandnsd still serves A's version" at "$PORT" n.test. 192.0.2.30 2

# A third primary, C, on A's address at another port, listed last: its NOTIFY comes from A's
# address, so A is asked first and has the serial served. The NOTIFY's newer serial sends the
# question on to B (older) and C, which has it.
KPORT3=$(pick_port $(( (KPORT - 20000 + 53) % 12000 + 20000 )) "$PORT") || die "no free port"
mkdir -p "$TMP/knot3" "$TMP/zones-c"
zone_file zones-c 3 192.0.2.30
KPORT=$KPORT3 KNOT_NAME=knot3 KNOT_ADDR=127.0.0.1 KNOT_ZONES=zones-c knot_conf n.test.
"$KNOTD" -c "$TMP/knot3.conf" >"$TMP/knot3.out" 2>&1 &
KNOT3_PID=$!
check "Knot C serves n.test. on 127.0.0.1@$KPORT3" at "$KPORT3" n.test. 192.0.2.30 10
echo "primary n.test. 127.0.0.1@$KPORT3" >>"$TMP/sandns.conf"
check "sandnsd takes the configuration with C" eval 'ctl reload >/dev/null'
zone_file zones-c 4 192.0.2.40
KNOT_NAME=knot3 knotc zone-reload n.test. >/dev/null
check "after C's NOTIFY (from A's address) sandnsd serves C's version within 10 s" \
	at "$PORT" n.test. 192.0.2.40 10
check "... transferred from C" grep -qE "zone n.test.: [AI]XFR from 127.0.0.1@$KPORT3" "$LOG"
# C NOTIFYs again, A and B behind, the serial served: up to date, no SOA check (C's start
# NOTIFYed the serial served then too: counted from here).
n=$(ctl zone-status n.test. | sed -n 's/.*up to date \([0-9]*\)).*/\1/p')
KNOT_NAME=knot3 knotc zone-notify n.test. >/dev/null
check "C's NOTIFY of the serial served is counted up to date" wait_for 10 uptodate $((n + 1))

echo "notify_first: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
