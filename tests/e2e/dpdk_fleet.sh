#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk_fleet.sh: the fleet features through sandnsd --io dpdk (net_af_packet), with Knot and NSD
# peers in the client namespace, every message signed with TSIG key k1:
# 1. sandnsd PRIMARY with `notify ... key k1` to a Knot and an NSD secondary: the first transfers
#    (TCP through the TAP), the NOTIFYs acknowledged (they leave through the TAP, their answers
#    come back there), then an edit + `sandnsctl reload`: both serve the new serial within 10 s;
#    NSD's signed IXFR over UDP (request-xfr: UDP), which the workers hand to the kernel, is
#    answered by the kernel-socket UDP thread (Knot 3.2 sends its SOA query over TCP).
# 2. sandnsd SECONDARY of a Knot primary: the first AXFR (the transfer thread's traffic goes out
#    through the kernel and the TAP), a change on the primary (knotc) -> its NOTIFY -> sandnsd
#    serves the new serial within 10 s, zone-status shows it; a signed NOTIFY over UDP (dnspython)
#    goes through the dataplane to the kernel and is answered NOERROR, an unsigned one NOTAUTH.
# 3. plain UDP SOA queries stay with the workers, in both runs: the dataplane's udp-answered
#    moves, the kernel UDP thread's counters do not.
# Each part was checked by hand to fail with its path broken: notify_to_kernel forced false (the
# unsigned NOTIFY from an address allowed without a key is answered NOTAUTH by the workers);
# every DNS datagram sent to the TAP (part 3 fails: dataplane +0, kernel +20); signed queries and
# IXFR kept from the TAP (NSD's UDP IXFR unanswered, its refresh later than 2 s); the notify
# thread not binding a listen address (no NOTIFY leaves: "Network is unreachable"); the transfer
# thread not binding one (part 2's first AXFR never comes).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, KNOTC, NSD, KEEP=1 keeps the
# temporary dir. Root only (namespaces, DPDK): exit 77 otherwise, or without knotd, knotc, nsd, kdig
# or python3-dnspython. Traffic stays in the namespaces it makes (198.18.0.0/24), removed on exit;
# ends only the processes it started, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}
NSD=${NSD:-$(PATH=$PATH:/usr/sbin:/sbin command -v nsd || true)}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3

die() { echo "dpdk-fleet: $*" >&2; exit 1; }
skip() { echo "dpdk-fleet: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, DPDK)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found (apt-get install knot)"
{ [ -n "$NSD" ] && [ -x "$NSD" ]; } || skip "nsd not found (apt-get install nsd)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"
$PY -c 'import dns.tsigkeyring' 2>/dev/null || skip "$PY lacks dnspython"
for c in ip ethtool; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs it)"
done

SRV=sandns-fleet-srv-$$
CLI=sandns-fleet-cli-$$
VS=veth-fs$$
VC=veth-fc$$
TMP=$(mktemp -d /tmp/sandns-dpdk-fleet.XXXXXX)
PID=
KNOT_PID=
NSD_PID=
STOP_SECS=${STOP_SECS:-15}
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=dpdk-fleet

stop_nsd() { [ -z "$NSD_PID" ] || stop_pid "$NSD_PID" 10 "dpdk-fleet: nsd"; NSD_PID=; }
stop_knot() { [ -z "$KNOT_PID" ] || stop_pid "$KNOT_PID" 10 "dpdk-fleet: knotd"; KNOT_PID=; }
cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	stop_knot >/dev/null 2>&1
	stop_nsd >/dev/null 2>&1
	if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
		for f in "$TMP"/sandnsd*.log "$TMP"/knot*.log "$TMP/nsd.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 30 "$f"; }
		done
	fi
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "dpdk-fleet: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SECRET=c2FuZG5zLWRwZGstZmxlZXQtdGVzdC1rZXktMzItb2M=
S4=198.18.0.2 # sandnsd (the dataplane), port 53
C4=198.18.0.1 # the client namespace's veth: the Knot peers
C4B=198.18.0.4 # a second client address, allowed to NOTIFY unsigned
topo_pair "$SRV" "$VS" "$CLI" "$VC" || die "cannot make the namespaces and their veth"
ip -n "$CLI" addr add "$C4B/24" dev "$VC" || die "cannot add $C4B to $VC"

C() { ip netns exec "$CLI" "$@"; }
now_ms() { date +%s%3N; }
# within MS COMMAND...: polls COMMAND every 50 ms until it succeeds or MS pass; sets TOOK
within() {
	local limit=$1 t0
	shift
	t0=$(now_ms)
	while :; do
		if "$@"; then TOOK=$(($(now_ms) - t0)); return 0; fi
		TOOK=$(($(now_ms) - t0))
		[ "$TOOK" -ge "$limit" ] && return 1
		sleep 0.05
	done
}
# serial_at ADDR PORT ZONE: the SOA serial served there, asked from the client namespace
serial_at() {
	C kdig @"$1" -p "$2" +norec +time=1 +retry=0 +short "$3" SOA 2>/dev/null | awk '{ print $3 }'
}
serial_is() { [ "$(serial_at "$1" "$2" "$3")" = "$4" ]; }
ctl() { timeout 10 "$SANDNSCTL" --control "$SOCK" "$@"; }

# start_dpdk NAME ARGS...: sandnsd --io dpdk on net_af_packet in SRV, listening on S4@53.
start_dpdk() {
	local name=$1 eal=()
	shift
	SOCK=$TMP/$name.sock
	LOG=$TMP/$name.log
	topo_eal eal af_packet "$VS" 0 "sandns$$-$name" --log-level=lib.eal:notice
	ip netns exec "$SRV" timeout -s KILL 150 "$SANDNSD" --foreground --io dpdk --listen "$S4" \
		--control "$SOCK" --state-dir "$TMP/$name.state" --key "k1 hmac-sha256 $SECRET" "$@" \
		-- "${eal[@]}" >"$LOG" 2>&1 &
	PID=$!
	if ! wait_serving "$LOG" "$PID" 60; then
		bad "sandnsd ($name) did not come up; its log:"
		sed 's/^/     /' "$LOG"
		stop_sandnsd
		return 1
	fi
	ok "sandnsd ($name) serves with --io dpdk ($(grep '^sandnsd: serving' "$LOG" | sed 's/.*(dpdk: //; s/)$//'))"
}
start_knot() {
	ip netns exec "$CLI" "$KNOTD" -c "$1" >>"$TMP/knotd.out" 2>&1 &
	KNOT_PID=$!
}
# kstat TEXT THREAD NAME: counter NAME on THREAD's line of `sandnsctl stats` output TEXT
kstat() { stat_of "$(grep "^$2:" <<<"$1")" "$3"; }
# the kernel-socket UDP thread's name in stats (the one with a udp-received counter, not the
# dataplane's lines)
udp_thread() { grep -o '^udp[^:]*' <<<"$1" | head -n 1; }

# plain_udp_stays ZONE SERIAL WHAT: 20 plain UDP SOA queries for ZONE, answered SERIAL by the
# workers: the dataplane's udp-answered moves by 20, the kernel UDP thread's udp-received not at all.
plain_udp_stays() {
	local zone=$1 serial=$2 what=$3 st0 st1 out n d_dp d_k args=()
	st0=$(ctl stats)
	for _ in $(seq 1 20); do args+=("$zone" SOA); done
	out=$(C kdig @$S4 +norec +time=2 +retry=1 +short "${args[@]}" 2>&1)
	n=$(grep -c " $serial " <<<"$out")
	check "$what 20 plain UDP SOA queries answered with serial $serial (got $n)" test "$n" = 20
	st1=$(ctl stats)
	d_dp=$(($(stat_of "$(grep '^dataplane:' <<<"$st1")" udp-answered) -
		$(stat_of "$(grep '^dataplane:' <<<"$st0")" udp-answered)))
	d_k=$(($(kstat "$st1" "$UDPT" udp-received) - $(kstat "$st0" "$UDPT" udp-received)))
	check "$what ... by the workers: the dataplane's udp-answered +$d_dp (>= 20)" test "$d_dp" -ge 20
	check "$what ... not by the kernel: $UDPT udp-received +$d_k (0)" test "$d_k" = 0
}

# ================================================================ 1. sandnsd primary, Knot secondary
KSPORT=$(pick_port $(( 20000 + ($$ * 5) % 12000 ))) || die "no port"
ZONE=$TMP/example.com.zone
cp "$SAMPLE/example.com.zone" "$ZONE"
chmod u+w "$ZONE"
mkdir -p "$TMP/knotsec/db"
cat >"$TMP/knotsec.conf" <<EOF
server:
    rundir: "$TMP/knotsec"
    listen: $C4@$KSPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knotsec/db"
log:
  - target: "$TMP/knotsec.log"
    any: debug
key:
  - id: k1
    algorithm: hmac-sha256
    secret: $SECRET
remote:
  - id: primary
    address: $S4@53
    key: k1
acl:
  - id: notify_from_primary
    address: $S4
    key: k1
    action: notify
template:
  - id: default
    storage: "$TMP/knotsec"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: example.com.
    file: "example.com.secondary"
    master: primary
    acl: notify_from_primary
EOF
# NSD asks IXFR over UDP first (request-xfr: UDP), signed: the workers hand it to the kernel,
# whose UDP thread answers it with the SOA alone (RFC 1995), and NSD goes on over TCP.
NSPORT=$(pick_port $(( (KSPORT - 20000 + 3001) % 12000 + 20000 )) "$KSPORT") || die "no port"
mkdir -p "$TMP/nsd"
cat >"$TMP/nsd.conf" <<EOF
server:
    ip-address: $C4@$NSPORT
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$TMP/nsd"
    database: ""
    pidfile: "$TMP/nsd/nsd.pid"
    xfrdfile: "$TMP/nsd/xfrd.state"
    xfrdir: "$TMP/nsd"
    zonelistfile: "$TMP/nsd/zone.list"
    logfile: "$TMP/nsd.log"
    verbosity: 2
    server-count: 1
remote-control:
    control-enable: no
key:
    name: k1
    algorithm: hmac-sha256
    secret: "$SECRET"
zone:
    name: example.com.
    zonefile: "example.com.secondary"
    request-xfr: UDP $S4 k1
    allow-notify: $S4 k1
EOF
start_dpdk sandnsd-primary --zone "example.com.=$ZONE" --allow-transfer "$C4/32 key k1" \
	--notify "example.com. $C4@$KSPORT key k1" --notify "example.com. $C4@$NSPORT key k1" || exit 1
UDPT=$(udp_thread "$(ctl stats)")
check "stats name the kernel-socket UDP thread ('$UDPT')" test -n "$UDPT"
start_knot "$TMP/knotsec.conf"
ip netns exec "$CLI" "$NSD" -d -c "$TMP/nsd.conf" >>"$TMP/nsd.out" 2>&1 &
NSD_PID=$!
S1=2024060101
within 20000 serial_is "$C4" "$NSPORT" example.com "$S1"
check "the NSD secondary (pid $NSD_PID) transferred example.com serial $S1 (${TOOK} ms)" \
	serial_is "$C4" "$NSPORT" example.com "$S1"
within 20000 serial_is "$C4" "$KSPORT" example.com "$S1"
check "the Knot secondary (pid $KNOT_PID) transferred example.com serial $S1 (${TOOK} ms)" \
	serial_is "$C4" "$KSPORT" example.com "$S1"
check "... over TCP through the TAP (Knot: AXFR incoming from $S4@53 finished)" \
	grep -Eq "AXFR, incoming, remote $S4@53.*finished" "$TMP/knotsec.log"
ack="NOTIFY example.com. to $C4@$KSPORT: serial $S1 acknowledged"
within 5000 grep -q "$ack" "$LOG"
check "the NOTIFY to Knot at start left through the TAP, its signed answer came back ($TOOK ms)" grep -q "$ack" "$LOG"
check "Knot accepted the signed NOTIFY" grep -Eq "notify, incoming, remote $S4@[0-9]+.*serial $S1" "$TMP/knotsec.log"

st0=$(ctl stats)
S2=2024060201
sed -i "s/$S1 ; serial/$S2 ; serial/" "$ZONE"
echo "fleet-test 300 IN TXT \"reload one\"" >>"$ZONE"
out=$(ctl reload 2>&1)
t0=$(now_ms)
check "reload: serial $S2 served" has "$out" "zone example.com. serial $S2"
within 10000 serial_is "$C4" "$KSPORT" example.com "$S2"
check "the Knot secondary serves serial $S2 within 10 s of the reload (took $(($(now_ms) - t0)) ms)" \
	serial_is "$C4" "$KSPORT" example.com "$S2"
within 10000 serial_is "$C4" "$NSPORT" example.com "$S2"
check "the NSD secondary serves serial $S2 within 10 s of the reload (took $(($(now_ms) - t0)) ms)" \
	serial_is "$C4" "$NSPORT" example.com "$S2"
check "... and the new record" \
	test "$(C kdig @$C4 -p "$KSPORT" +short +time=1 +retry=0 fleet-test.example.com TXT)" = '"reload one"'
within 3000 grep -q "NOTIFY example.com. to $C4@$KSPORT: serial $S2 acknowledged" "$LOG"
check "the reload's NOTIFY acknowledged" grep -q "NOTIFY example.com. to $C4@$KSPORT: serial $S2 acknowledged" "$LOG"
within 3000 grep -q "NOTIFY example.com. to $C4@$NSPORT: serial $S2 acknowledged" "$LOG"
check "... by NSD too" grep -q "NOTIFY example.com. to $C4@$NSPORT: serial $S2 acknowledged" "$LOG"
check "Knot refreshed (signed SOA query, over TCP as Knot 3.2 asks): remote serial $S2 (its log)" \
	grep -Eq "refresh, remote $S4@53.*remote serial $S2" "$TMP/knotsec.log"
st1=$(ctl stats)
d_udp=$(($(kstat "$st1" "$UDPT" udp-answered) - $(kstat "$st0" "$UDPT" udp-answered)))
check "NSD's signed IXFR over UDP, handed to the kernel: the kernel UDP thread answered (+$d_udp)" \
	test "$d_udp" -ge 1
d_xfr=$(($(kstat "$st1" total xfr) - $(kstat "$st0" total xfr)))
check "... then the transfer over TCP (xfr +$d_xfr)" test "$d_xfr" -ge 1

plain_udp_stays example.com "$S2" "(primary)"
stop_knot
stop_nsd
stop_sandnsd
rc=$?
check "sandnsd (primary): SIGTERM exit status 0 (got $rc)" test "$rc" = 0

# ================================================================ 2. sandnsd secondary of a Knot primary
KPPORT=$(pick_port $(( (KSPORT - 20000 + 13) % 12000 + 20000 )) "$KSPORT") || die "no port"
SZ=sec.test.
mkdir -p "$TMP/knotpri" "$TMP/primary" "$TMP/secondary"
cat >"$TMP/primary/sec.test.zone" <<ZONEEOF
\$ORIGIN sec.test.
\$TTL 300
@	IN SOA ns1.sec.test. hostmaster.sec.test. 100 3600 60 3600 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.80
ZONEEOF
cat >"$TMP/knotpri.conf" <<EOF
server:
    rundir: "$TMP/knotpri"
    listen: $C4@$KPPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knotpri"
log:
  - target: "$TMP/knotpri.log"
    any: debug
key:
  - id: k1
    algorithm: hmac-sha256
    secret: $SECRET
remote:
  - id: sandns
    address: $S4@53
    key: k1
acl:
  - id: xfr
    address: $S4
    key: k1
    action: transfer
zone:
  - domain: $SZ
    file: "$TMP/primary/sec.test.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: changes
    serial-policy: increment
    semantic-checks: off
    notify: sandns
    acl: xfr
EOF
knotc() { C "$KNOTC" -c "$TMP/knotpri.conf" -t 5 "$@"; }
start_knot "$TMP/knotpri.conf"
within 10000 serial_is "$C4" "$KPPORT" "$SZ" 100
check "the Knot primary (pid $KNOT_PID) serves $SZ serial 100" serial_is "$C4" "$KPPORT" "$SZ" 100
start_dpdk sandnsd-secondary --zone "$SZ=$TMP/secondary/sec.test.zone" \
	--primary "$SZ $C4@$KPPORT key k1" --allow-notify "$C4 key k1" --allow-notify "$C4B" || exit 1
within 10000 serial_is "$S4" 53 "$SZ" 100
check "the first AXFR through the kernel and the TAP: serial 100 served ($TOOK ms)" \
	serial_is "$S4" 53 "$SZ" 100
check "... the log says AXFR" grep -q "zone $SZ: AXFR from $C4@$KPPORT: serial 100" "$LOG"
knotc zone-begin "$SZ" >/dev/null &&
	knotc zone-set "$SZ" new 300 A 192.0.2.10 >/dev/null &&
	knotc zone-commit "$SZ" >/dev/null
t0=$(now_ms)
check "knotc changed the zone on the primary: serial 101" serial_is "$C4" "$KPPORT" "$SZ" 101
within 10000 serial_is "$S4" 53 "$SZ" 101
check "Knot's NOTIFY through the dataplane: sandnsd serves serial 101 within 10 s (took $(($(now_ms) - t0)) ms)" \
	serial_is "$S4" 53 "$SZ" 101
check "... the added record" test "$(C kdig @$S4 +short +time=1 +retry=0 new.$SZ A)" = 192.0.2.10
check "... Knot's NOTIFY was answered (its log, no error)" bash -c \
	"grep -Eq 'notify, outgoing, remote $S4@53.*serial 101' '$TMP/knotpri.log' &&
	 ! grep -Eq 'notify, outgoing.*(failed|NOTAUTH|timeout)' '$TMP/knotpri.log'"
check "... an IXFR (sandnsd's log)" grep -q "zone $SZ: IXFR from $C4@$KPPORT: serial 100 -> 101" "$LOG"
zs=$(ctl zone-status "$SZ")
check "zone-status: serial 101 from the primary" has "$zs" "zone $SZ serial 101 source primary $C4@$KPPORT"
check "zone-status: the NOTIFY counted" has "$zs" "notifies [1-9]"

# A NOTIFY over UDP (Knot 3.2 may use TCP for its own): the workers hand it to the kernel, whose
# UDP thread checks allow-notify (key k1) and answers. Without that path the workers answer
# NOTAUTH in place, so NOERROR proves it.
notify() {
	C $PY - "$S4" "$SZ" "$SECRET" "$1" "$2" <<'PYEOF'
import sys, dns.message, dns.opcode, dns.query, dns.rdatatype, dns.rcode, dns.flags, dns.tsigkeyring
addr, zone, secret, signed = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "signed"
source = sys.argv[5]
q = dns.message.make_query(zone, dns.rdatatype.SOA)
q.flags = dns.flags.AA  # the opcode lives in the flags: set it after them
q.set_opcode(dns.opcode.NOTIFY)
if signed:
    q.use_tsig(dns.tsigkeyring.from_text({"k1": secret}), keyname="k1", algorithm="hmac-sha256")
try:
    r = dns.query.udp(q, addr, port=53, timeout=3, source=source)
except Exception as e:
    print("error", type(e).__name__, e)
    sys.exit(0)
print(dns.rcode.to_text(r.rcode()), "aa" if r.flags & dns.flags.AA else "noaa",
      "signed" if r.had_tsig else "unsigned")
PYEOF
}
n0=$(ctl zone-status "$SZ" | grep -o 'notifies [0-9]*' | awk '{ print $2 }')
out=$(notify signed "$C4")
check "a signed NOTIFY over UDP through the dataplane: NOERROR aa, signed (got: $out)" \
	test "$out" = "NOERROR aa signed"
n1=$(ctl zone-status "$SZ" | grep -o 'notifies [0-9]*' | awk '{ print $2 }')
check "... counted by zone-status (notifies ${n0:-?} -> ${n1:-?})" test "${n1:-0}" -gt "${n0:-0}"
out=$(notify unsigned "$C4")
check "an unsigned one: NOTAUTH (allow-notify wants key k1) (got: $out)" has "$out" "^NOTAUTH"
# Unsigned, from an address allowed without a key: only notify_to_kernel takes it to the kernel
# (a signed one goes there anyway, as every signed query); the workers would answer NOTAUTH.
out=$(notify unsigned "$C4B")
check "an unsigned NOTIFY over UDP from $C4B (allowed without a key): NOERROR aa (got: $out)" \
	test "$out" = "NOERROR aa unsigned"
n2=$(ctl zone-status "$SZ" | grep -o 'notifies [0-9]*' | awk '{ print $2 }')
check "... counted by zone-status (notifies ${n1:-?} -> ${n2:-?})" test "${n2:-0}" -gt "${n1:-0}"
# 3. with secondary zones the workers hand NOTIFY to the kernel, and nothing else
plain_udp_stays "$SZ" 101 "(secondary)"

stop_knot
stop_sandnsd
rc=$?
check "sandnsd (secondary): SIGTERM exit status 0 (got $rc)" test "$rc" = 0

echo "dpdk-fleet: $passed passed, $failed failed"
[ "$failed" = 0 ]
