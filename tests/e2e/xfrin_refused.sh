#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# xfrin_refused.sh: a transferred version that the build refuses is never written to the zone's
# file. sandnsd signs sec.test. (`dnssec sec.test. nsec`), a secondary of a Knot primary; the
# primary commits a version holding a DNSKEY (a presigned zone cannot be signed again: the build
# refuses it). The previous version stays served, the file keeps it (serial-state names it as
# the one served), a stop does not write the refused copy either, and a restart serves the file
# (not SERVFAIL, as a newer copy there would get: none this sandnsd served) while the refused
# version is refused again. The primary's next good version is served and written.
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

die() { echo "xfrin-refused: $*" >&2; exit 1; }
skip() { echo "xfrin-refused: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-xfrref.XXXXXX)
KNOT_PID=
PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=knot_primary.sh
. "$HERE/knot_primary.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "xfrin-refused: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "xfrin-refused: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=$(pick_port $(( 20000 + ($$ * 11) % 12000 ))) || die "no free port for knotd"
PORT=$(pick_port $(( (KPORT - 20000 + 23) % 12000 + 20000 )) "$KPORT") || die "no free port"
mkdir -p "$TMP/knot" "$TMP/zones" "$TMP/sec"

# Refresh an hour: only NOTIFYs (and a start) bring a version.
cat >"$TMP/zones/sec.test.zone" <<ZONE
\$ORIGIN sec.test.
\$TTL 300
@	IN SOA ns1 hostmaster 100 3600 600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.80
ZONE
knot_conf sec.test.
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!
kserial() { kdig @127.0.0.1 -p "$KPORT" +norec +time=1 +retry=0 sec.test. SOA +short 2>/dev/null | awk '{ print $3 }'; }
for _ in $(seq 1 100); do
	[ "$(kserial)" = 100 ] && break
	sleep 0.1
done
[ "$(kserial)" = 100 ] || die "knotd did not serve sec.test. within 10 s"
# commit SERIAL RECORD...: one version on the primary (each RECORD "OWNER TTL TYPE RDATA...").
commit() {
	local serial=$1 r
	shift
	knotc zone-begin sec.test. >/dev/null || return 1
	for r in "$@"; do
		# shellcheck disable=SC2086
		knotc zone-set sec.test. $r >/dev/null || return 1
	done
	knotc zone-set sec.test. @ 300 SOA ns1.sec.test. hostmaster.sec.test. "$serial" 3600 600 86400 60 >/dev/null &&
		knotc zone-commit sec.test. >/dev/null
}

CONF=$TMP/sandns.conf
cat >"$CONF" <<CONF
listen 127.0.0.1@$PORT
control $TMP/ctl.sock
state-dir $TMP/state
allow-notify 127.0.0.1
zone sec.test. sec/sec.test.zone
primary sec.test. 127.0.0.1@$KPORT
dnssec sec.test. nsec
CONF
start() {
	"$SANDNSD" --foreground --io socket --config "$CONF" >>"$TMP/sandnsd.log" 2>&1 &
	PID=$!
	wait_serving "$TMP/sandnsd.log" "$PID" || die "sandnsd did not start serving within 30 s"
}
start
q() { kdig @127.0.0.1 -p "$PORT" +norec +dnssec +time=1 +retry=0 "$@" 2>/dev/null; }
copy_serial() { awk '{ for (i = 1; i <= NF; i++) if ($i == "SOA") { print $(i + 3); exit } }' "$TMP/sec/sec.test.zone" 2>/dev/null; }
wait_for() { # wait_for SECONDS COMMAND...: COMMAND succeeds within SECONDS
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
# NAME is answered NOERROR with a signed A record.
signed_a() { local o; o=$(q "$1" A); grep -q 'status: NOERROR' <<<"$o" && grep -q "RRSIG.*A 13" <<<"$o"; }
copy_is() { [ "$(copy_serial)" = "$1" ]; }
logged() { grep -c "$1" "$TMP/sandnsd.log"; }
check "sec.test. transferred and signed: www served with its RRSIG" wait_for 10 signed_a www.sec.test.
check "its copy written with serial 100" wait_for 5 copy_is 100

# ---- a version the build refuses: a DNSKEY (presigned)
commit 101 "new 300 A 192.0.2.10" "@ 300 DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==" ||
	die "the primary did not commit serial 101"
check "the primary serves serial 101" [ "$(kserial)" = 101 ]
check "the transfer to 101 is refused by the build (logged)" \
	wait_for 5 grep -q 'zone sec.test.: the transferred copy is not served.*presigned' "$TMP/sandnsd.log"
check "www still served, signed" signed_a www.sec.test.
check "new.sec.test. (only in 101) is not served" bash -c "kdig @127.0.0.1 -p $PORT +norec +time=1 +retry=0 new.sec.test. A | grep -q NXDOMAIN"
sleep 2
check "its copy still holds 100 two seconds later (101 never served, never written)" copy_is 100
check "'copy written, serial 101' is not logged" [ "$(logged 'copy written, serial 101')" = 0 ]

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
check "the stop did not write the refused copy: it holds 100" copy_is 100
check "the stop says so" grep -q 'zone sec.test.: its copy of serial 101, never served, is not written' "$TMP/sandnsd.log"

# ---- a restart serves the file (100), asks the primary, and refuses 101 again
refused=$(logged 'zone sec.test.: the transferred copy is not served')
start
check "after a restart www is served, signed (not SERVFAIL)" wait_for 5 signed_a www.sec.test.
check "no 'not a copy this sandnsd wrote' at the restart" bash -c "! grep -q 'not a copy this sandnsd wrote' '$TMP/sandnsd.log'"
check "the restart asked the primary and refused 101 again" \
	wait_for 10 bash -c "[ \$(grep -c 'zone sec.test.: the transferred copy is not served' '$TMP/sandnsd.log') -gt $refused ]"
check "www still served after that" signed_a www.sec.test.

# ---- the primary's next good version: served and written
knotc zone-begin sec.test. >/dev/null && knotc zone-unset sec.test. @ DNSKEY >/dev/null &&
	knotc zone-set sec.test. @ 300 SOA ns1.sec.test. hostmaster.sec.test. 102 3600 600 86400 60 >/dev/null &&
	knotc zone-commit sec.test. >/dev/null || die "the primary did not commit serial 102"
check "102 served: new.sec.test. signed" wait_for 10 signed_a new.sec.test.
check "its copy written with serial 102" wait_for 5 copy_is 102

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
echo "xfrin-refused: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
