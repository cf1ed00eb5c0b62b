#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk_queues.sh: sandnsd --io dpdk with two workers on two queues of one port, end to end. The
# veth has two queues at each end; the client's kernel spreads its flows over them by hash.
# net_af_packet with qpairs=2: a PACKET_FANOUT group, the kernel hashing each flow to one of the
# two sockets. (net_af_xdp with queue_count=2 is refused on a veth: DPDK 22.11's driver takes the
# queues it may use from the device's combined channels, which a veth does not report; on a NIC
# with RSS it binds one AF_XDP socket per receive queue.) dnsperf with 16 sockets, 0 lost; both
# workers answered (each its own queue's share); the workers' answers add up to the dataplane's
# total and to what the clients got, so each query was answered once; TCP still reaches the
# kernel through the exception path.
#
# Three lcores on the machine's CPUs (--lcores '(0-2)@(0-1)': the main lcore and two workers,
# which share the CPUs with everything else on a 2-core machine): a check of behaviour, not of
# speed (bench/RESULTS.md has the scaling figures).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Traffic stays inside the namespaces it makes (198.18.0.0/24); they are removed on exit. Ends
# only the processes it started, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample

die() { echo "dpdk-queues: $*" >&2; exit 1; }
skip() { echo "dpdk-queues: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, DPDK)"
for c in ip kdig dnsperf ethtool; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs it)"
done

SRV=sandns-dpq-srv-$$
CLI=sandns-dpq-cli-$$
VS=veth-qs$$
VC=veth-qc$$
TMP=$(mktemp -d /tmp/sandns-dpq.XXXXXX)
PID=
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=dpdk-queues

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "dpdk-queues: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

topo_pair --queues 2 "$SRV" "$VS" "$CLI" "$VC" || die "cannot set up the namespaces"
C() { ip netns exec "$CLI" "$@"; }
q() { C kdig +norec +time=2 +retry=1 "$@" 2>&1; }

# A mix over several names, so that answers differ.
for n in autodiscover www mail nope; do
	printf '%s.example.com A\n' "$n"
done >"$TMP/queries"
printf 'example.com SOA\nexample.com MX\n' >>"$TMP/queries"

# run_pmd NAME PMD: sandnsd with two workers on PMD (with its queue arguments), the checks, the
# stop. Returns 2 when sandnsd did not come up, with its log in $TMP/NAME.log.
run_pmd() {
	local name=$1 pmd=$2 log=$TMP/$1.log sock=$TMP/$1.sock out st eal=() w sum=0 busy=0 lines
	local total completed rc
	topo_eal eal "$pmd" "$VS" '(0-2)@(0-1)' "sandns$$-$name" --log-level=lib.eal:notice
	ip netns exec "$SRV" timeout -s KILL 150 "$SANDNSD" --foreground --io dpdk \
		--zone "example.com.=$SAMPLE/example.com.zone" --listen 198.18.0.2 \
		--control "$sock" --state-dir "$TMP/$name.state" -- "${eal[@]}" >"$log" 2>&1 &
	PID=$!
	if ! wait_serving "$log" "$PID" 60; then
		stop_sandnsd
		return 2
	fi
	ok "$name: sandnsd serves ($(grep '^sandnsd: serving' "$log" | sed 's/.*(dpdk: //; s/)$//'))"
	check "$name: two workers" has "$(grep '^sandnsd: serving' "$log")" '2 workers'

	# The first queries also teach the neighbours (ARP) both ways.
	out=$(q @198.18.0.2 autodiscover.example.com A +short)
	check "$name: kdig autodiscover.example.com A" has "$out" '^198.18.0.25$'
	out=$(q @198.18.0.2 +tcp example.com SOA)
	check "$name: kdig +tcp (exception path)" has "$out" 'status: NOERROR'

	out=$(C timeout 30 dnsperf -s 198.18.0.2 -d "$TMP/queries" -l 4 -Q 1000 -c 16 -t 2 2>&1)
	check "$name: dnsperf, 16 sockets, 4 s at 1000 qps: 0 lost" has "$out" 'Queries lost: *0 '
	grep -E 'Queries (sent|completed|lost)' <<<"$out" | sed 's/^/     /'
	completed=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' <<<"$out")

	st=$(timeout 10 "$SANDNSCTL" --control "$sock" stats 2>&1)
	lines=$(grep -E '^lcore[0-9]+:' <<<"$st")
	grep -E '^(lcore|dataplane)' <<<"$st" | sed 's/^/     /'
	check "$name: stats has a line per worker (2)" test "$(grep -c . <<<"$lines")" = 2
	while read -r w; do
		sum=$((sum + w))
		if [ "$w" -gt 0 ]; then busy=$((busy + 1)); fi
	done < <(sed -n 's/.* udp-answered=\([0-9]*\).*/\1/p' <<<"$lines")
	total=$(stat_of "$(grep '^dataplane:' <<<"$st")" udp-answered)
	check "$name: both workers answered (their queues' share)" test "$busy" = 2
	check "$name: the workers' answers add up to the dataplane's ($sum = ${total:-?})" \
		test "$sum" = "${total:--1}"
	# Each query answered once: dnsperf's completed ones and the UDP kdig, nothing more (a
	# query answered twice would count twice; TCP is the kernel's).
	check "$name: answered once each ($sum = ${completed:-?} + 1 kdig)" \
		test "$sum" = $((${completed:--10} + 1))
	stop_sandnsd
	rc=$?
	check "$name: SIGTERM: exit status 0 (got $rc)" test "$rc" = 0
	return 0
}

run_pmd af_packet af_packet,qpairs=2
if [ $? = 2 ]; then
	bad "af_packet: sandnsd did not come up:"
	sed 's/^/     /' "$TMP/af_packet.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
