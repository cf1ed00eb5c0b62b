#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ixfr.sh: IXFR out (RFC 1995) and the state directory, end to end: a Knot secondary on loopback
# transfers a zone from sandnsd, then after a change and `sandnsctl reload` refreshes it
# incrementally (Knot's log says IXFR, not AXFR); after a restart of sandnsd its journal still
# reaches back; kdig IXFR from a serial older than the history gets the zone AXFR-style, from
# the current serial the SOA alone. Then, with no serial-state setting, a restart with a lower
# serial in the file (or the policy's edits gone) never serves a lower serial than before.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/), KNOTD and KNOTC (PATH or /usr/sbin),
# KEEP=1 keeps the temporary directory. Only 127.0.0.1; ends only the processes it started.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}
SAMPLE=$ROOT/zones/sample

die() { echo "ixfr: $*" >&2; exit 1; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL"
if [ -z "$KNOTD" ] || [ -z "$KNOTC" ] || ! command -v kdig >/dev/null; then
	echo "SKIP: needs knotd, knotc and kdig (apt-get install knot knot-dnsutils)"
	exit 77
fi

TMP=$(mktemp -d /tmp/sandns-ixfr.XXXXXX)
PID=
KNOT_PID=
PORT=
SOCK=
LOG=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	stop_sandnsd >/dev/null 2>&1
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 10 "ixfr: knotd"
	if [ "${KEEP:-0}" = 1 ] || [ "$failed" -gt 0 ]; then
		echo "logs kept in $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

ZONE=$TMP/ixfr.test.zone
# write_zone SERIAL WWW MAIL_TTL TXT: the zone, two records and a TTL that the steps change.
write_zone() {
	cat >"$ZONE.new" <<ZEOF
\$ORIGIN ixfr.test.
\$TTL 3600
@ IN SOA ns1 hostmaster $1 7200 3600 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.53
www IN A $2
mail $3 IN A 192.0.2.25
note IN TXT "$4"
$(for i in $(seq 1 40); do echo "h$i IN A 192.0.2.$i"; done)
ZEOF
	mv "$ZONE.new" "$ZONE"
}

ctl() { timeout 20 "$SANDNSCTL" --control "$SOCK" "$@"; }
# stopped NAME: stops the sandnsd running and checks its exit status (ASan: no leak either).
stopped() {
	local rc
	stop_sandnsd
	rc=$?
	check "sandnsd ($1) stopped with status 0 (got $rc)" test "$rc" = 0
}
# kq PORT ARGS...: kdig to 127.0.0.1@PORT, answers only.
kq() {
	local port=$1
	shift
	timeout 20 kdig @127.0.0.1 -p "$port" +time=3 +retry=1 "$@" 2>&1
}
serial_at() { kq "$1" +short SOA "$2" | awk '{print $3}'; }
# wait_serial PORT ZONE SERIAL: up to 20 s for the SOA there to say SERIAL.
wait_serial() {
	for _ in $(seq 1 200); do
		[ "$(serial_at "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# ================================================================ sandnsd primary, Knot secondary
write_zone 1 192.0.2.80 3600 one
start_sandnsd primary --allow-transfer 127.0.0.0/8 --zone "ixfr.test.=$ZONE" || exit 1
check "the state directory is made, mode 0700" test "$(stat -c %a "$TMP/primary.state")" = 700

KNOT_PORT=$(pick_port $((20000 + ($$ * 3 + 777) % 12000)) "$PORT") || die "no free port for knotd"
mkdir -p "$TMP/knot/db"
cat >"$TMP/knot.conf" <<KEOF
server:
    rundir: "$TMP/knot"
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$TMP/knot/knot.sock"
database:
    storage: "$TMP/knot/db"
log:
  - target: "$TMP/knot.log"
    any: info
remote:
  - id: sandns
    address: 127.0.0.1@$PORT
template:
  - id: default
    storage: "$TMP/knot"
    zonefile-sync: -1
    semantic-checks: off
zone:
  - domain: ixfr.test.
    master: sandns
KEOF
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!
kc() { timeout 20 "$KNOTC" -c "$TMP/knot.conf" -s "$TMP/knot/knot.sock" "$@"; }

check "Knot transfers the zone (serial 1)" wait_serial "$KNOT_PORT" ixfr.test. 1
check "... whole: Knot's log says AXFR" grep -q "AXFR, incoming, remote 127.0.0.1@$PORT, finished" "$TMP/knot.log"

# ---- two records and the serial change; reload; Knot refreshes
write_zone 2 192.0.2.81 600 one
check "sandnsctl reload" ctl reload
check "sandnsd serves serial 2" wait_serial "$PORT" ixfr.test. 2
check "its journal is in the state directory" test -s "$TMP/primary.state/ixfr.test.journal"
kc zone-refresh ixfr.test. >/dev/null
check "Knot refreshes to serial 2" wait_serial "$KNOT_PORT" ixfr.test. 2
incremental() {
	# Knot 3.2: "[Z] IXFR, incoming, remote A, finished, ..." after a changeset applied; an
	# answer AXFR-style is logged "receiving AXFR-style IXFR" and then "AXFR, incoming".
	local n
	n=$(grep -c "IXFR, incoming, remote 127.0.0.1@[0-9]*, finished" "$TMP/knot.log")
	[ "$n" -ge "$1" ] && ! grep -q "AXFR-style IXFR" "$TMP/knot.log"
}
check "... incrementally: Knot's log says IXFR finished, never AXFR-style" incremental 1
check "Knot serves the changed A" test "$(kq "$KNOT_PORT" +short www.ixfr.test. A)" = 192.0.2.81
check "Knot serves the changed TTL" \
	test "$(kq "$KNOT_PORT" +noall +answer mail.ixfr.test. A | awk '{print $2}')" = 600

# ---- a restart: the journal is read back, then another change
stopped primary
start_sandnsd primary --allow-transfer 127.0.0.0/8 --zone "ixfr.test.=$ZONE" || exit 1
check "after the restart: the log says the history was read" \
	grep -q "zone ixfr.test.: IXFR history from serial 1 to 2" "$LOG"
# The remote's port changed with the restart: Knot is told.
sed -i "s/address: 127.0.0.1@.*/address: 127.0.0.1@$PORT/" "$TMP/knot.conf"
kc reload >/dev/null
write_zone 3 192.0.2.81 600 two
check "sandnsctl reload (serial 3)" ctl reload
check "sandnsd serves serial 3" wait_serial "$PORT" ixfr.test. 3
kc zone-refresh ixfr.test. >/dev/null
check "Knot refreshes to serial 3" wait_serial "$KNOT_PORT" ixfr.test. 3
check "... incrementally again" incremental 2
check "Knot serves the changed TXT" test "$(kq "$KNOT_PORT" +short note.ixfr.test. TXT)" = '"two"'

# ---- kdig IXFR from 1 (across the restart), from 0 (older than the history), from 3
ix=$(kq "$PORT" +noall +answer IXFR=1 ixfr.test.)
echo "$ix" | sed -n '1,12s/^/     IXFR=1: /p'
soas=$(awk '$4 == "SOA" {print $7}' <<<"$ix" | tr '\n' ' ')
check "IXFR=1: the journal survived: SOAs 3 1 2 2 3 3 (got $soas)" test "$soas" = "3 1 2 2 3 3 "
check "IXFR=1: the old A removed, the new one added" \
	test "$(grep -c 'www.ixfr.test.*192.0.2.8[01]' <<<"$ix")" = 2
ix=$(kq "$PORT" +noall +answer IXFR=0 ixfr.test.)
n=$(grep -c . <<<"$ix")
check "IXFR=0 (older than the history): the whole zone AXFR-style (SOA first and last, 47 RRs: got $n)" \
	test "$n" = 47 -a "$(awk 'NR == 2 {print $4}' <<<"$ix")" = NS
ix=$(kq "$PORT" +noall +answer +tcp IXFR=3 ixfr.test.)
check "IXFR=3 (current): the SOA alone" test "$(grep -c . <<<"$ix")" = 1 -a \
	"$(awk '{print $4, $7}' <<<"$ix")" = "SOA 3"
ix=$(kq "$PORT" +noall +answer +notcp IXFR=1 ixfr.test.)
check "IXFR=1 over UDP: the SOA alone" test "$(awk '{print $4, $7}' <<<"$ix")" = "SOA 3"
stopped primary
stop_pid "$KNOT_PID" 10 "ixfr: knotd"
KNOT_PID=

# ================================================================ serials never go back
# No serial-state: the state directory's default file keeps them (here $TMP/serials.state).
EZONE=$TMP/example.com.zone
set_serial() { sed "s/2024060101 ; serial/$1 ; serial/" "$SAMPLE/example.com.zone" >"$EZONE"; }
set_serial 100
start_sandnsd serials --cert "$SAMPLE/mail.example.com.pem" --zone "example.com.=$EZONE" || exit 1
s1=$(serial_at "$PORT" example.com.)
check "the policy edits example.com: serial 100 is served raised (got $s1)" test "$s1" = 101
stopped serials
set_serial 99
start_sandnsd serials --cert "$SAMPLE/mail.example.com.pem" --zone "example.com.=$EZONE" || exit 1
s2=$(serial_at "$PORT" example.com.)
check "a restart with a lower serial in the file: served $s2, newer than $s1" test "$s2" -gt "$s1"
stopped serials
set_serial 100
start_sandnsd serials --zone "example.com.=$EZONE" || exit 1
s3=$(serial_at "$PORT" example.com.)
check "a restart with the policy's edits gone: served $s3, newer than $s2" test "$s3" -gt "$s2"
stopped serials
start_sandnsd serials --cert "$SAMPLE/mail.example.com.pem" --zone "example.com.=$EZONE" || exit 1
s4=$(serial_at "$PORT" example.com.)
check "a restart with the same file serial, edited again: served $s4, newer than $s3" test "$s4" -gt "$s3"
stopped serials

# ================================================================ a state directory it cannot use
new_port
out=$(timeout 20 "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
	--zone "example.net.=$SAMPLE/example.net.zone" --state-dir "$ZONE/sub" 2>&1)
rc=$?
check "state-dir under a file: sandnsd refuses to start, status 2 (got $rc)" test "$rc" = 2
check "... naming the directory, the reason and --state-dir" \
	has "$out" "state-dir $ZONE/sub: cannot create it: Not a directory (choose another with --state-dir"

echo "ixfr: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
