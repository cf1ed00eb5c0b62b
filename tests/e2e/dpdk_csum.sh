#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk_csum.sh: checksum offloads on the DPDK path, with a port that offers them and one that
# offers none. sandnsd --io dpdk serves the sample zone twice:
#   tap        net_tap as the data port (it offers IPv4, UDP checksums both ways, done in its
#              driver); its kernel interface moved into the client's namespace, the client on it
#   af_packet  net_af_packet on a veth (it offers none: dp_pkt does all the sums)
# Each: the start-up line says who does the checksums; kdig over UDP (IPv4, IPv6) and TCP (the
# exception path) is answered, so the sums on the wire are right (the client's kernel drops a
# datagram with a wrong one); raw frames with a wrong UDP or IPv4 header checksum get no answer
# and are counted as drop-bad-csum, a right one is answered (csum_frames.py); the counters
# rx-csum-offloaded and tx-csum-offloaded say the port did the work (tap) or none (af_packet).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Traffic stays in the two namespaces it makes; ends only what it started, by PID; bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (not root).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=${PYTHON:-python3}

die() { echo "dpdk-csum: $*" >&2; exit 1; }
skip() { echo "dpdk-csum: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, DPDK)"
for c in ip kdig ethtool "$PY"; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs it)"
done

TMP=$(mktemp -d /tmp/sandns-dpcs.XXXXXX)
PID=
passed=0
failed=0
. "$HERE/lib.sh"
. "$ROOT/scripts/topo.sh"
TOPO_WHO=dpdk-csum

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "dpdk-csum: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run NAME PMD SRV CLI IFACE CIF WHO: sandnsd in SRV on PMD (tap: net_tap with kernel interface
# IFACE, then moved into CLI; af_packet: the veth end IFACE), the checks from CLI on its
# interface CIF, the stop. WHO is what its start-up line must say about checksums; ST gets its
# stats.
run() {
	local name=$1 pmd=$2 srv=$3 cli=$4 iface=$5 cif=$6 who=$7 log=$TMP/$1.log sock=$TMP/$1.sock
	local eal=() out mac
	topo_eal eal "$pmd" "$iface" 1 "sandns$$-$name" --log-level=lib.eal:notice
	ip netns exec "$srv" timeout -s KILL 120 "$SANDNSD" --foreground --io dpdk \
		--zone "example.com.=$SAMPLE/example.com.zone" --listen "$TOPO_SRV4" \
		--listen "$TOPO_SRV6" --control "$sock" --state-dir "$TMP/$name.state" \
		-- "${eal[@]}" >"$log" 2>&1 &
	PID=$!
	if ! wait_serving "$log" "$PID" 60; then
		bad "$name: sandnsd did not come up; its log:"
		sed 's/^/     /' "$log" | tail -20
		stop_sandnsd
		return 0
	fi
	ok "$name: sandnsd serves ($(grep '^sandnsd: serving' "$log" | sed 's/.*(dpdk: //; s/)$//'))"
	check "$name: checksums: $who" has "$(grep '^sandnsd: serving' "$log")" "checksums $who,"
	mac=$(grep '^sandnsd: serving' "$log" | sed -n 's/.* port \([0-9A-Fa-f:]*\),.*/\1/p')
	if [ "$pmd" = tap ]; then
		# The tap's kernel side is the client's: into its namespace, its own MAC and addresses.
		if ! ip -n "$srv" link set "$iface" netns "$cli" ||
			! ip -n "$cli" link set "$iface" address 02:00:00:00:0c:01 ||
			! ip -n "$cli" addr add "$TOPO_CLI4/24" dev "$iface" ||
			! ip -n "$cli" addr add "$TOPO_CLI6/64" dev "$iface" nodad ||
			! ip -n "$cli" link set "$iface" up; then
			bad "$name: cannot move the tap's interface $iface into $cli"
			stop_sandnsd
			return 0
		fi
	fi
	out=$(ip netns exec "$cli" kdig +norec +time=2 +retry=1 @"$TOPO_SRV4" www.example.com A 2>&1)
	check "$name: kdig over UDP/IPv4 answered" has "$out" 'status: NOERROR'
	out=$(ip netns exec "$cli" kdig +norec +time=2 +retry=1 @"$TOPO_SRV6" www.example.com A 2>&1)
	check "$name: kdig over UDP/IPv6 answered" has "$out" 'status: NOERROR'
	out=$(ip netns exec "$cli" kdig +norec +time=2 +retry=1 +tcp @"$TOPO_SRV4" example.com SOA 2>&1)
	check "$name: kdig over TCP (the exception path) answered" has "$out" 'status: NOERROR'
	out=$(timeout 20 ip netns exec "$cli" "$PY" "$HERE/csum_frames.py" --iface "$cif" \
		--dst-mac "$mac" --src "$TOPO_CLI4" --dst "$TOPO_SRV4" 2>&1)
	check "$name: a frame with right checksums: answered" has "$out" '^good answered$'
	check "$name: a wrong UDP checksum: no answer" has "$out" '^bad-udp unanswered$'
	check "$name: a wrong IPv4 header checksum: no answer" has "$out" '^bad-ip unanswered$'
	ST=$(timeout 10 "$SANDNSCTL" --control "$sock" stats 2>&1)
	check "$name: both counted as drop-bad-csum" test "$(stat_of "$(grep '^dataplane:' <<<"$ST")" drop-bad-csum)" = 2
	grep '^dataplane:' <<<"$ST" | tr ' ' '\n' | grep -E '^(rx|tx|exception|drop-bad-csum|rx-csum-offloaded|tx-csum-offloaded)=' |
		tr '\n' ' ' | sed 's/^/     /; s/$/\n/'
	stop_sandnsd
	check "$name: SIGTERM: exit status 0" test "$?" = 0
}

S1=sandns-dpcs-s1-$$
C1=sandns-dpcs-c1-$$
TAPIF=sdcs$$
topo_ns "$S1" "$C1" || die "cannot make the namespaces"
run tap tap "$S1" "$C1" "$TAPIF" "$TAPIF" "rx port, tx port"
n=$(stat_of "$(grep '^dataplane:' <<<"$ST")" tx-csum-offloaded)
check "tap: the port wrote the answers' checksums (tx-csum-offloaded=$n, 3 answers at least)" test "${n:-0}" -ge 3
n=$(stat_of "$(grep '^dataplane:' <<<"$ST")" rx-csum-offloaded)
check "tap: the port verified the queries' (rx-csum-offloaded=$n)" test "${n:-0}" -ge 3
topo_del "$S1" "$C1"

S2=sandns-dpcs-s2-$$
C2=sandns-dpcs-c2-$$
VS=vcs$$
VC=vcc$$
topo_pair --ipv6 "$S2" "$VS" "$C2" "$VC" || die "cannot make the namespaces and their veth"
run af_packet af_packet "$S2" "$C2" "$VS" "$VC" "rx software, tx software"
check "af_packet: no checksum left to the port" test "$(stat_of "$(grep '^dataplane:' <<<"$ST")" tx-csum-offloaded)" = 0
check "af_packet: none verified by it" test "$(stat_of "$(grep '^dataplane:' <<<"$ST")" rx-csum-offloaded)" = 0

echo "dpdk-csum: $passed passed, $failed failed"
[ "$failed" = 0 ]
