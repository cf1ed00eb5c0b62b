#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bind_fleet.sh: sandnsd in a fleet with BIND 9 (named, from Debian), every message signed with
# one TSIG key. BIND is sandnsd's secondary for a.test. (AXFR, then a change: NOTIFY and IXFR),
# sandnsd is BIND's secondary for b.test. (a dynamic update on BIND: NOTIFY and IXFR), and BIND
# consumes the catalog sandnsd produces (cat.test., RFC 9432): the members sandnsd serves become
# BIND's secondary zones, a zone added to sandnsd's configuration joins them, one removed leaves.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), NAMED, NSUPDATE, KEEP=1 keeps the
# temporary directory. Talks only to 127.0.0.1; ends only the processes it started, by PID.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no named, nsupdate or kdig).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
NAMED=${NAMED:-$(PATH=$PATH:/usr/sbin:/sbin command -v named || true)}
NSUPDATE=${NSUPDATE:-$(command -v nsupdate || true)}

die() { echo "bind_fleet: $*" >&2; exit 1; }
skip() { echo "bind_fleet: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
{ [ -n "$NAMED" ] && [ -x "$NAMED" ]; } || skip "named not found (apt-get install bind9)"
[ -n "$NSUPDATE" ] || skip "nsupdate not found (apt-get install bind9-dnsutils)"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-bind.XXXXXX)
NAMED_PID=
PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$NAMED_PID" ] && stop_pid "$NAMED_PID" 10 "bind_fleet: named"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/named.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "bind_fleet: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BPORT=$(pick_port $(( 20000 + ($$ * 29) % 12000 ))) || die "no free port for named"
PORT=$(pick_port $(( (BPORT - 20000 + 41) % 12000 + 20000 )) "$BPORT") || die "no free port"
mkdir -p "$TMP/bind/catz" "$TMP/zones"
SECRET=$(openssl rand -base64 32)

# zone ORIGIN SERIAL [RECORD...]: sandnsd's zone file for ORIGIN (refresh an hour: NOTIFYs count).
zone() {
	local origin=$1 serial=$2 r
	shift 2
	{
		printf '$ORIGIN %s\n$TTL 300\n' "$origin"
		printf '@ IN SOA ns1 hostmaster %s 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 192.0.2.1\n' "$serial"
		for r in "$@"; do printf '%s\n' "$r"; done
	} >"$TMP/zones/$origin.new"
	mv "$TMP/zones/$origin.new" "$TMP/zones/${origin}zone"
}
zone a.test. 1 "www IN A 192.0.2.10"
zone c.test. 1 "www IN A 192.0.2.30"
zone d.test. 1 "www IN A 192.0.2.40"
: >"$TMP/zones/cat.test.zone"

cat >"$TMP/bind/b.test.db" <<ZONE
\$ORIGIN b.test.
\$TTL 300
@	IN SOA ns1 hostmaster 1 3600 600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.20
ZONE
cat >"$TMP/named.conf" <<CONF
options {
	directory "$TMP/bind";
	pid-file "$TMP/bind/named.pid";
	session-keyfile "$TMP/bind/session.key";
	managed-keys-directory "$TMP/bind";
	listen-on port $BPORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify explicit;
	allow-transfer { key xfr; };
	catalog-zones {
		zone "cat.test." default-primaries { 127.0.0.1 port $PORT key xfr; }
			zone-directory "catz" min-update-interval 1;
	};
};
controls { };
key "xfr" { algorithm hmac-sha256; secret "$SECRET"; };
zone "a.test" { type secondary; file "a.test.bk"; primaries { 127.0.0.1 port $PORT key xfr; }; };
zone "cat.test" { type secondary; file "cat.test.bk"; primaries { 127.0.0.1 port $PORT key xfr; }; };
zone "b.test" {
	type primary;
	file "b.test.db";
	allow-update { key xfr; };
	also-notify { 127.0.0.1 port $PORT key xfr; };
};
CONF

LOG=$TMP/sandnsd.log
cat >"$TMP/sandns.conf" <<CONF
listen 127.0.0.1@$PORT
control $TMP/ctl.sock
state-dir $TMP/state
key xfr hmac-sha256 $SECRET
allow-transfer 127.0.0.1 key xfr
allow-notify 127.0.0.1 key xfr
zone a.test. $TMP/zones/a.test.zone
notify a.test. 127.0.0.1@$BPORT key xfr
zone c.test. $TMP/zones/c.test.zone
zone cat.test. $TMP/zones/cat.test.zone
catalog cat.test. producer
notify cat.test. 127.0.0.1@$BPORT key xfr
zone b.test. $TMP/b.test.zone
primary b.test. 127.0.0.1@$BPORT key xfr
CONF
"$SANDNSD" --foreground --io socket --config "$TMP/sandns.conf" >"$LOG" 2>&1 &
PID=$!
wait_serving "$LOG" "$PID" || die "sandnsd did not start; its log: $(cat "$LOG")"
ctl() { "$SANDNSCTL" --control "$TMP/ctl.sock" "$@"; }
# named after sandnsd: a secondary zone's first refresh that fails (no primary listening yet) is
# retried by named only a minute later, and a NOTIFY that comes during that refresh is not acted
# on sooner. sandnsd's own first refresh of b.test. may fail the same way; named's NOTIFY when it
# loads b.test. sends sandnsd to it again (checked below: within 15 s, not sandnsd's 30 s retry).
"$NAMED" -g -c "$TMP/named.conf" -n 1 >"$TMP/named.log" 2>&1 &
NAMED_PID=$!

# www_is PORT NAME ADDRESS SECONDS: NAME answers ADDRESS at 127.0.0.1@PORT within SECONDS.
www_is() {
	local got
	for _ in $(seq 1 $(($4 * 10))); do
		got=$(kdig @127.0.0.1 -p "$1" +norec +time=1 +retry=0 +short "$2" A 2>/dev/null)
		[ "$got" = "$3" ] && return 0
		sleep 0.1
	done
	echo "     $2 at port $1: '$got', not $3"
	return 1
}
# refused_at PORT NAME SECONDS: NAME is answered REFUSED at 127.0.0.1@PORT within SECONDS.
refused_at() {
	for _ in $(seq 1 $(($3 * 10))); do
		kdig @127.0.0.1 -p "$1" +norec +time=1 +retry=0 "$2" SOA 2>/dev/null | grep -q 'status: REFUSED' &&
			return 0
		sleep 0.1
	done
	return 1
}

# ---- BIND, sandnsd's secondary: a.test. by AXFR, TSIG-signed
check "named serves a.test. transferred from sandnsd within 15 s" www_is "$BPORT" www.a.test. 192.0.2.10 15
check "... its transfer TSIG-signed (named's log)" grep -q "zone a.test/IN: transferred serial 1: TSIG 'xfr'" "$TMP/named.log"
# ---- sandnsd, BIND's secondary: b.test.
check "sandnsd serves b.test. transferred from named within 15 s" www_is "$PORT" www.b.test. 192.0.2.20 15
check "... by AXFR from named" grep -q "zone b.test.: AXFR from 127.0.0.1@$BPORT: serial 1" "$LOG"
# ---- BIND consumes sandnsd's catalog: c.test. is a member
check "named serves c.test., a member of sandnsd's catalog, within 15 s" www_is "$BPORT" www.c.test. 192.0.2.30 15
check "named took c.test. from the catalog (its log)" grep -q "catz: adding zone 'c.test'" "$TMP/named.log"

# ---- a change on sandnsd: NOTIFY, IXFR to BIND
zone a.test. 2 "www IN A 192.0.2.11" "new IN A 192.0.2.12"
check "sandnsctl reload a.test." eval 'ctl reload a.test. >/dev/null'
check "named serves a.test.'s change within 10 s" www_is "$BPORT" new.a.test. 192.0.2.12 10
# named logs the kind of transfer only when debugging: 7 records are an IXFR's (SOA 2, SOA 1,
# the old www, SOA 2, the new www and new, SOA 2), an AXFR of serial 2 has 6.
check "... by IXFR, TSIG-signed (named's log: 7 records)" bash -c "grep -q \"zone a.test/IN: transferred serial 2: TSIG 'xfr'\" '$TMP/named.log' && grep -q \"transfer of 'a.test/IN' from 127.0.0.1#$PORT: Transfer completed: 1 messages, 7 records.*(serial 2)\" '$TMP/named.log'"
check "www.a.test. changed at named" www_is "$BPORT" www.a.test. 192.0.2.11 5

# ---- a dynamic update on BIND: NOTIFY (signed), IXFR to sandnsd
printf 'server 127.0.0.1 %s\nkey hmac-sha256:xfr %s\nzone b.test.\nupdate add new.b.test. 300 IN A 192.0.2.21\nsend\n' \
	"$BPORT" "$SECRET" | timeout 10 "$NSUPDATE" >"$TMP/nsupdate.out" 2>&1
check "nsupdate on named succeeded" [ $? -eq 0 ]
check "sandnsd serves b.test.'s update within 10 s" www_is "$PORT" new.b.test. 192.0.2.21 10
check "... by IXFR from named" grep -q "zone b.test.: IXFR from 127.0.0.1@$BPORT: serial 1 -> 2" "$LOG"

# ---- a zone added to sandnsd joins the catalog; BIND serves it; removed, it leaves
echo "zone d.test. $TMP/zones/d.test.zone" >>"$TMP/sandns.conf"
check "sandnsctl reload (d.test. added)" eval 'ctl reload >/dev/null'
check "named serves d.test. from the catalog within 15 s" www_is "$BPORT" www.d.test. 192.0.2.40 15
sed -i '/^zone d.test. /d' "$TMP/sandns.conf"
check "sandnsctl reload (d.test. removed)" eval 'ctl reload >/dev/null'
check "named drops d.test. (REFUSED) within 15 s" refused_at "$BPORT" d.test. 15
check "named still serves c.test." www_is "$BPORT" www.c.test. 192.0.2.30 2

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
echo "bind_fleet: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
