#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# signkeep.sh: a zone sandnsd signs keeps its signatures across a restart. sandnsd signs
# example.com (NSEC3) and example.net (NSEC); once it says the signed zones are saved in its
# state directory it is restarted: the same serials, the same RRSIG octets (SOA, an A record, the
# DNSKEY set), no signature made. Then example.com's file is edited while sandnsd is down (one
# address changed, the file's serial left as it was): after the restart that RRset's signature
# is new, an unchanged one is the same, and the serial is newer. Then a change reloaded while it
# runs (saved again), and a restart: the same serial, and an IXFR from the serial before the reload
# is incremental (the journal's history goes on). Then the saved file damaged (one octet): it is
# ignored with a log line naming it and why, the zone signed anew. Then example.net's dnssec
# line removed while sandnsd is down: served unsigned with a newer serial (secondaries compare
# serials), the same after a restart; and the line back while down: signed again, newer still.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; waits are bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no kdig).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample

die() { echo "signkeep: $*" >&2; exit 1; }
skip() { echo "signkeep: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"

TMP=$(mktemp -d /tmp/sandns-signkeep.XXXXXX)
PID=
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "signkeep: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

q() { kdig @127.0.0.1 -p "$PORT" +time=2 +retry=1 "$@"; }
serial_of() { q "$1" SOA +short | awk '{print $3}'; }
# sig_of NAME TYPE: the RRSIG records over NAME's TYPE, their data only, sorted, on one line.
sig_of() {
	q "$1" "$2" +dnssec +noall +answer | awk -v t="$2" '$4 == "RRSIG" && $5 == t' |
		cut -f5- | sort | tr '\n' ' '
}

ECOM=$TMP/example.com.zone
cp "$SAMPLE/example.com.zone" "$ECOM"
STATE=$TMP/keep.state

# start: sandnsd signing both zones; waits until it says both signed zones are in the state dir
# when they were signed anew (WAIT_SAVED=1).
# NET_SIGNED=0: example.net not signed (no --dnssec for it).
start() {
	local net=(--dnssec "example.net nsec")
	[ "${NET_SIGNED:-1}" = 1 ] || net=()
	start_sandnsd keep --zone "example.com.=$ECOM" --dnssec "example.com. nsec3" \
		"${net[@]}" --allow-transfer 127.0.0.0/8 || exit 1
	[ "${WAIT_SAVED:-0}" = 1 ] || return 0
	for _ in $(seq 1 300); do
		[ "$(grep -c 'signed zone saved to' "$LOG")" -ge "${NSAVED:-2}" ] && return 0
		sleep 0.1
	done
	bad "the signed zones were not saved within 30 s; the log:"
	sed 's/^/     /' "$LOG"
	exit 1
}

# snapshot TAG: what is served now, into variables TAG_*.
snapshot() {
	local t=$1
	printf -v "${t}_com" '%s' "$(serial_of example.com.)"
	printf -v "${t}_net" '%s' "$(serial_of example.net.)"
	printf -v "${t}_soa" '%s' "$(sig_of example.com. SOA)"
	printf -v "${t}_mail" '%s' "$(sig_of mail.example.com. A)"
	printf -v "${t}_owa" '%s' "$(sig_of owa.example.com. A)"
	printf -v "${t}_key" '%s' "$(sig_of example.com. DNSKEY)"
	printf -v "${t}_host" '%s' "$(sig_of host.example.net. A)"
}

WAIT_SAVED=1 start
snapshot a
check "signed: RRSIGs served (SOA, mail A, owa A, DNSKEY, example.net's host A)" \
	test -n "$a_soa" -a -n "$a_mail" -a -n "$a_owa" -a -n "$a_key" -a -n "$a_host"
check "the signed zones are in the state directory (example.com.signed, example.net.signed)" \
	test -s "$STATE/example.com.signed" -a -s "$STATE/example.net.signed"
check "... mode 0600" test "$(stat -c %a "$STATE/example.com.signed")" = 600
check "sandnsd stops cleanly (status 0; under ASan: nothing leaked)" stop_sandnsd

# ---- a restart, nothing changed
start
snapshot b
check "restart: the log says the signed zones were kept" \
	test "$(grep -c 'signed version kept across the restart' "$LOG")" = 2
check "restart: no signature made" hasnt "$(cat "$LOG")" ': signed (NSEC'
check "restart: example.com's serial is the same ($a_com)" test "$b_com" = "$a_com"
check "restart: example.net's serial is the same ($a_net)" test "$b_net" = "$a_net"
check "restart: the SOA's RRSIG is the same" test "$b_soa" = "$a_soa"
check "restart: mail A's RRSIG is the same" test "$b_mail" = "$a_mail"
check "restart: the DNSKEY set's RRSIG is the same" test "$b_key" = "$a_key"
check "restart: example.net host A's RRSIG is the same" test "$b_host" = "$a_host"
check "sandnsd stops cleanly" stop_sandnsd

# ---- edited while down: owa's address (the file's serial as it was)
sed -i 's/^owa\( *\)IN  A     198.18.0.25/owa\1IN  A     198.18.0.26/' "$ECOM"
grep -q '^owa.*198.18.0.26' "$ECOM" || die "the sample zone's owa line is not as expected"
NSAVED=1 WAIT_SAVED=1 start
snapshot c
check "edited while down: owa A is the new address" has "$(q owa.example.com. A +short)" \
	'^198.18.0.26$'
check "edited while down: the log says the kept version was signed from another zone" \
	grep -q 'example.com.signed: signed from another version of the zone (edited since)' "$LOG"
check "edited while down: example.com's serial is newer ($a_com -> $c_com)" \
	test "$c_com" -gt "$a_com"
check "edited while down: owa A is signed anew" test "$c_owa" != "$a_owa"
check "edited while down: the SOA is signed anew" test "$c_soa" != "$a_soa"
check "edited while down: mail A's RRSIG is the same" test "$c_mail" = "$a_mail"
check "edited while down: the DNSKEY set's RRSIG is the same" test "$c_key" = "$a_key"
check "edited while down: example.net kept as it was (serial $a_net)" test "$c_net" = "$a_net"
check "edited while down: example.net host A's RRSIG is the same" test "$c_host" = "$a_host"
check "sandnsd stops cleanly" stop_sandnsd

# ---- a change reloaded, then a restart: the IXFR history goes on (the serial served is the same)
start
sed -i 's/^owa\( *\)IN  AAAA  2001:db8:25::25/owa\1IN  AAAA  2001:db8:25::26/' "$ECOM"
grep -q '^owa.*2001:db8:25::26' "$ECOM" || die "the sample zone's owa AAAA line is not as expected"
"$SANDNSCTL" --control "$SOCK" reload example.com. >/dev/null
i_com=$(serial_of example.com.)
check "reloaded: example.com's serial is newer ($c_com -> $i_com)" test "$i_com" -gt "$c_com"
for _ in $(seq 1 100); do
	[ "$(grep -c 'signed zone saved to' "$LOG")" -ge 1 ] && break
	sleep 0.1
done
check "reloaded: the new signed zone saved" grep -q "signed zone saved to .*example.com.signed (serial $i_com" "$LOG"
check "sandnsd stops cleanly" stop_sandnsd
start
check "restart after the reload: the same serial ($i_com)" test "$(serial_of example.com.)" = "$i_com"
ixfr=$(q example.com. "IXFR=$c_com" +nocomments +nostats | awk '$4 == "SOA" {print $7}' | tr '\n' ' ')
check "restart after the reload: IXFR from $c_com is incremental (SOAs $i_com $c_com $i_com $i_com)" \
	test "$ixfr" = "$i_com $c_com $i_com $i_com "
check "sandnsd stops cleanly" stop_sandnsd
c_com=$i_com

# ---- the saved file damaged: ignored, naming it; signed anew
size=$(stat -c %s "$STATE/example.com.signed")
printf 'X' | dd of="$STATE/example.com.signed" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
NSAVED=1 WAIT_SAVED=1 start
snapshot d
check "damaged: the log names the file and why" \
	grep -q "signed zone $STATE/example.com.signed: damaged (its SHA-256 does not match): ignored" \
	"$LOG"
check "damaged: signed anew, a newer serial ($c_com -> $d_com)" test "$d_com" -gt "$c_com"
check "damaged: mail A signed anew" test "$d_mail" != "$c_mail"
check "damaged: example.net still kept (serial $a_net)" test "$d_net" = "$a_net"
check "sandnsd stops cleanly" stop_sandnsd

# ---- example.net no longer signed while down: what is served changed, so does the serial
NET_SIGNED=0 start
e_net=$(serial_of example.net.)
check "unsigned while down: example.net's serial is newer ($d_net -> $e_net)" \
	test -n "$e_net" -a "$e_net" -gt "$d_net"
check "unsigned while down: no RRSIG for host.example.net A" test -z "$(sig_of host.example.net. A)"
check "unsigned while down: no DNSKEY at example.net" test -z "$(q example.net. DNSKEY +short)"
check "sandnsd stops cleanly" stop_sandnsd
NET_SIGNED=0 start
check "unsigned, restart with nothing changed: the same serial ($e_net)" \
	test "$(serial_of example.net.)" = "$e_net"
check "sandnsd stops cleanly" stop_sandnsd

# ---- signed again while down: newer again
NSAVED=1 WAIT_SAVED=1 start
f_net=$(serial_of example.net.)
check "signed again while down: example.net's serial is newer ($e_net -> $f_net)" \
	test -n "$f_net" -a "$f_net" -gt "$e_net"
check "signed again while down: host.example.net A signed" test -n "$(sig_of host.example.net. A)"
check "sandnsd stops cleanly" stop_sandnsd

echo "signkeep: $passed passed, $failed failed"
[ "$failed" = 0 ]
