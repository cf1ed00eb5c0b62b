#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# xfrin_renumber.sh: a secondary zone's new version handed to the reload thread while a
# configuration reload that numbers the zones anew is under way. sandnsd serves a.test., b.test.
# and sec.test. (a secondary of a Knot primary: zone number 2); `sandnsctl reload` of a
# configuration where sec.test. comes first and b.test. third runs on the reload thread, held for
# a while before it builds (SANDNS_TEST_RELOAD_DELAY_MS, read by tests only), and meanwhile the
# primary's change arrives (NOTIFY, IXFR, handed over). Once the reload is done, the transfer's
# reload must name sec.test. (now zone 0), not the zone that has its old number: sec.test.'s
# reload logged, its copy written with the new serial (the writer writes only once told the
# version is served), no reload error in zone-status, no transferred reload said of b.test.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, KNOTC, KEEP=1 keeps the
# temporary directory. Talks only to 127.0.0.1; ends only the processes it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}

die() { echo "xfrin-renumber: $*" >&2; exit 1; }
skip() { echo "xfrin-renumber: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-renumber.XXXXXX)
KNOT_PID=
PID=
RELOAD_PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	[ -n "$RELOAD_PID" ] && stop_pid "$RELOAD_PID" 5 "xfrin-renumber: sandnsctl reload"
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "xfrin-renumber: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "xfrin-renumber: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=$(pick_port $(( 20000 + ($$ * 7) % 12000 ))) || die "no free port for knotd"
PORT=$(pick_port $(( (KPORT - 20000 + 17) % 12000 + 20000 )) "$KPORT") || die "no free port"
mkdir -p "$TMP/knot" "$TMP/zones" "$TMP/sec"

for z in a b c; do
	cat >"$TMP/zones/$z.test.zone" <<ZONE
\$ORIGIN $z.test.
\$TTL 300
@	IN SOA ns1 hostmaster 1 3600 600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
ZONE
done
# Refresh an hour: only the NOTIFY brings the change.
cat >"$TMP/sec.test.zone" <<ZONE
\$ORIGIN sec.test.
\$TTL 300
@	IN SOA ns1 hostmaster 100 3600 600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.80
ZONE

cat >"$TMP/knot.conf" <<CONF
server:
    rundir: "$TMP/knot"
    listen: 127.0.0.1@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot"
log:
  - target: "$TMP/knot.log"
    any: info
remote:
  - id: sandns
    address: 127.0.0.1@$PORT
acl:
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
zone:
  - domain: sec.test.
    file: "$TMP/sec.test.zone"
    zonefile-sync: -1
    journal-content: changes
    semantic-checks: off
    notify: sandns
    acl: xfr
CONF
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!
knotc() { "$KNOTC" -c "$TMP/knot.conf" -t 5 "$@"; }
kserial() { kdig @127.0.0.1 -p "$KPORT" +norec +time=1 +retry=0 sec.test. SOA +short 2>/dev/null | awk '{ print $3 }'; }
for _ in $(seq 1 100); do
	[ "$(kserial)" = 100 ] && break
	sleep 0.1
done
[ "$(kserial)" = 100 ] || die "knotd did not serve sec.test. within 10 s"

CONF=$TMP/sandns.conf
cat >"$CONF" <<CONF
listen 127.0.0.1@$PORT
control $TMP/ctl.sock
state-dir $TMP/state
allow-notify 127.0.0.1
zone a.test. zones/a.test.zone
zone b.test. zones/b.test.zone
zone sec.test. sec/sec.test.zone
primary sec.test. 127.0.0.1@$KPORT
CONF
SANDNS_TEST_RELOAD_DELAY_MS=2000 "$SANDNSD" --foreground --io socket --config "$CONF" \
	>"$TMP/sandnsd.log" 2>&1 &
PID=$!
wait_serving "$TMP/sandnsd.log" "$PID" || die "sandnsd did not start serving within 30 s"
ctl() { "$SANDNSCTL" --control "$TMP/ctl.sock" "$@" 2>&1; }
serial_of() { kdig @127.0.0.1 -p "$PORT" +norec +time=1 +retry=0 "$1" SOA +short 2>/dev/null | awk '{ print $3 }'; }
copy_serial() { awk '$4 == "SOA" || $3 == "SOA" { for (i = 1; i <= NF; i++) if ($i == "SOA") { print $(i + 3); exit } }' "$TMP/sec/sec.test.zone" 2>/dev/null; }
wait_for() { # wait_for SECONDS COMMAND...: COMMAND succeeds within SECONDS
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
served_is() { [ "$(serial_of sec.test.)" = "$1" ]; }
copy_is() { [ "$(copy_serial)" = "$1" ]; }
check "sec.test. transferred: serial 100 served within 10 s" wait_for 10 served_is 100
check "its copy written with serial 100" wait_for 5 copy_is 100

# ---- the configuration numbers the zones anew: sec.test. 2 -> 0, b.test. 1 -> 2
cat >"$CONF" <<CONF
listen 127.0.0.1@$PORT
control $TMP/ctl.sock
state-dir $TMP/state
allow-notify 127.0.0.1
zone sec.test. sec/sec.test.zone
primary sec.test. 127.0.0.1@$KPORT
zone c.test. zones/c.test.zone
zone b.test. zones/b.test.zone
CONF
ctl reload >"$TMP/reload.out" &
RELOAD_PID=$!
sleep 0.3
knotc zone-begin sec.test. >/dev/null &&
	knotc zone-set sec.test. new 300 A 192.0.2.10 >/dev/null &&
	knotc zone-set sec.test. @ 300 SOA ns1.sec.test. hostmaster.sec.test. 101 3600 600 86400 60 >/dev/null &&
	knotc zone-commit sec.test. >/dev/null
check "the primary serves serial 101" [ "$(kserial)" = 101 ]
check "the IXFR to 101 is applied while the reload waits" \
	wait_for 2 grep -q 'zone sec.test.: IXFR from .* -> 101' "$TMP/sandnsd.log"
check "... and before it is done" kill -0 "$RELOAD_PID"
wait "$RELOAD_PID"
rc=$?
RELOAD_PID=
check "the reload succeeded" [ "$rc" -eq 0 ]
check "its reply lists c.test." grep -q 'zone c.test. serial 1' "$TMP/reload.out"
check "a.test. is gone (REFUSED)" bash -c "kdig @127.0.0.1 -p $PORT +norec +time=1 +retry=0 a.test. SOA | grep -q REFUSED"
check "sec.test. serves 101" wait_for 3 served_is 101
check "the transfer's reload named sec.test.: 'reloaded, serial 101 served' logged" \
	wait_for 3 grep -q 'zone sec.test.: reloaded, serial 101 served' "$TMP/sandnsd.log"
check "the writer was told: its copy holds 101 within 5 s" wait_for 5 copy_is 101
check "no transferred reload said of b.test. (sec.test.'s old number)" \
	bash -c "! grep -q 'zone b.test.: reloaded\|zone b.test.: the transferred' '$TMP/sandnsd.log'"
out=$(ctl zone-status sec.test.)
check "zone-status sec.test.: serial 101, no reload error" \
	bash -c "grep -q 'zone sec.test. serial 101' <<<'$out' && ! grep -q 'last reload failed' <<<'$out'"

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
echo "xfrin-renumber: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
