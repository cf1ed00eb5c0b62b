#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk.sh: sandnsd --io dpdk end to end: a server namespace whose veth sandnsd drives with
# net_af_packet (then net_af_xdp), a client namespace with no static neighbours: kdig over IPv4
# and IPv6, ping, TCP through the exception TAP, a truncated answer retried over TCP, a few
# seconds of dnsperf with nothing lost, sandnsctl stats and status (counting the dataplane's
# answers), a clean stop on SIGTERM; the query log (dnstap) of what the workers and the
# kernel-socket threads answered, read back with dnstap-ldns.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Traffic stays inside the namespaces it makes (198.18.0.0/24, 2001:db8::/64); they are removed
# on exit. Ends only the processes it started, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample

die() { echo "dpdk: $*" >&2; exit 1; }
skip() { echo "dpdk: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, DPDK)"
for c in ip kdig dnsperf ping ethtool dnstap-ldns; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs it)"
done

SRV=sandns-dpdk-srv-$$
CLI=sandns-dpdk-cli-$$
VS=veth-s$$
VC=veth-c$$
TMP=$(mktemp -d /tmp/sandns-dpdk.XXXXXX)
PID=
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=dpdk

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "dpdk: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Under ASan: libxdp (DPDK 22.11's af_xdp PMD) leaks its umem handle when the port closes.
printf '# libxdp: the umem struct xsk_umem__create allocates is not freed on close\nleak:xsk_umem__create\n' \
	>"$TMP/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp"

# ---------------------------------------------------------------- topology
# 198.18.0.1 and 2001:db8::1 on the client's end; real checksums on the wire (scripts/topo.sh)
topo_pair --ipv6 "$SRV" "$VS" "$CLI" "$VC" || die "cannot make the namespaces and their veth"

# A zone with a TXT set too big for 512 bytes: the UDP answer is truncated, TCP carries it.
cp "$SAMPLE/example.com.zone" "$TMP/example.com.zone"
{
	for i in $(seq 1 12); do
		printf 'big 300 IN TXT "%s-%02d"\n' "$(printf 'x%.0s' $(seq 1 60))" "$i"
	done
} >>"$TMP/example.com.zone"

C() { ip netns exec "$CLI" "$@"; }
q() { C kdig +norec +time=2 +retry=1 "$@" 2>&1; }

# run_pmd PMD FULL: starts sandnsd on net_PMD (af_packet, af_xdp), runs the checks (all of them
# when FULL=1). Returns 2 when sandnsd did not come up, with its log in $TMP/PMD.log.
# A TSIG key for the signed queries the workers hand to the kernel (tsig.sh tests TSIG itself).
TSIG_SECRET=$(head -c 32 /dev/urandom | base64)

run_pmd() {
	local name=$1 full=$2 log=$TMP/$1.log sock=$TMP/$1.sock out rc st all udp tcp eal=()
	topo_eal eal "$name" "$VS" 0 "sandns$$-$name" --log-level=lib.eal:notice
	ip netns exec "$SRV" timeout -s KILL 200 "$SANDNSD" --foreground --io dpdk \
		--zone "example.com.=$TMP/example.com.zone" \
		--listen 198.18.0.2 --listen 2001:db8::2 --control "$sock" --state-dir "$TMP/$name.state" \
		--key "xfr hmac-sha256 $TSIG_SECRET" --dnstap "$TMP/$name.tap" -- "${eal[@]}" >"$log" 2>&1 &
	PID=$!
	if ! wait_serving "$log" "$PID" 60; then
		stop_sandnsd
		return 2
	fi
	ok "$name: sandnsd serves ($(grep '^sandnsd: serving' "$log" | sed 's/.*(dpdk: //; s/)$//'))"

	out=$(q @198.18.0.2 autodiscover.example.com A +short)
	check "$name: kdig IPv4 autodiscover.example.com A" has "$out" '^198.18.0.25$'
	out=$(q @2001:db8::2 autodiscover.example.com AAAA +short)
	check "$name: kdig IPv6 autodiscover.example.com AAAA" has "$out" '^2001:db8:25::25$'
	out=$(q @2001:db8::2 autodiscover.example.com A +short)
	check "$name: kdig IPv6 transport, A record" has "$out" '^198.18.0.25$'
	out=$(C timeout 10 ping -c 2 -W 2 198.18.0.2 2>&1)
	check "$name: ping 198.18.0.2" has "$out" ' 2 received, 0% packet loss'
	check "$name: ping 198.18.0.2 without duplicates" test -z "$(grep duplicates <<<"$out")"
	out=$(C timeout 10 ping -6 -c 2 -W 2 2001:db8::2 2>&1)
	check "$name: ping -6 2001:db8::2" has "$out" ' 2 received, 0% packet loss'
	out=$(q @198.18.0.2 +tcp example.com SOA)
	check "$name: kdig +tcp IPv4 (exception path)" has "$out" 'TCP'
	check "$name: kdig +tcp IPv4 answer" has "$out" 'status: NOERROR'
	out=$(q @2001:db8::2 +tcp www.example.com A +short)
	check "$name: kdig +tcp IPv6" test -n "$out" -a -z "$(grep -i 'error\|timeout' <<<"$out")"
	[ "$full" = 1 ] || return 0

	out=$(q @198.18.0.2 big.example.com TXT +ignore +noedns)
	check "$name: big TXT over UDP is truncated" has "$out" 'lags: qr aa tc'
	out=$(q @198.18.0.2 big.example.com TXT +noedns)
	check "$name: truncated answer retried over TCP" has "$out" '@53(TCP)'
	check "$name: ... with all 12 records" test "$(grep -c 'IN.TXT' <<<"$(grep -v '^;' <<<"$out")")" = 12

	printf 'autodiscover.example.com A\nexample.com SOA\nwww.example.com AAAA\nnope.example.com A\n' \
		>"$TMP/queries"
	out=$(C timeout 20 dnsperf -s 198.18.0.2 -d "$TMP/queries" -l 3 -Q 200 -t 2 2>&1)
	check "$name: dnsperf 3 s at 200 qps: queries completed" has "$out" 'Queries completed:'
	check "$name: dnsperf: 0 lost" has "$out" 'Queries lost: *0 '
	grep -E 'Queries (sent|completed|lost)|Queries per second' <<<"$out" | sed 's/^/     /'

	out=$(timeout 10 "$SANDNSCTL" --control "$sock" stats 2>&1)
	check "$name: sandnsctl stats shows the dataplane" has "$out" '^dataplane: rx='
	check "$name: stats count DNS answers" has "$(grep '^dataplane:' <<<"$out")" ' udp-answered=[1-9]'
	check "$name: stats count exceptions (TCP)" has "$out" 'exception=[1-9]'
	grep -E '^(lcore|dataplane)' <<<"$out" | sed 's/^/     /'

	# status counts what the dataplane answered (UDP) with what the TCP thread did, as stats
	# says (no query is in flight between the two)
	st=$(timeout 10 "$SANDNSCTL" --control "$sock" status 2>&1)
	grep '^queries answered' <<<"$st" | sed 's/^/     /'
	read -r all udp tcp < <(sed -n 's/^queries answered: \([0-9]*\) (udp \([0-9]*\), tcp \([0-9]*\))$/\1 \2 \3/p' <<<"$st")
	check "$name: status counts the dataplane's answers (udp ${udp:-?} > 0)" test "${udp:-0}" -gt 0
	check "$name: ... as many as stats (udp-answered=$(stat_of "$out" udp-answered))" \
		test "${udp:-0}" = "$(stat_of "$out" udp-answered)"
	check "$name: ... and TCP's as stats (tcp-answered=$(stat_of "$out" tcp-answered))" \
		test "${tcp:--1}" = "$(stat_of "$out" tcp-answered)" -a "${all:--1}" = $((${udp:-0} + ${tcp:-0}))
	st=$(timeout 10 "$SANDNSCTL" --control "$sock" --json status 2>&1)
	check "$name: status --json: udp_answered as stats" \
		has "$st" "\"udp_answered\":$(stat_of "$out" udp-answered),"
	# Signed (TSIG): the workers pass it through the TAP, the kernel-socket UDP thread answers
	# (after the counts above: its answers are not the dataplane's).
	for a in 198.18.0.2 2001:db8::2; do
		out=$(q @$a -y "hmac-sha256:xfr:$TSIG_SECRET" example.com SOA)
		check "$name: a signed query over UDP to $a: answered signed (exception path)" \
			bash -c 'grep -q "status: NOERROR" <<<"$1" && grep -q "TSIG PSEUDOSECTION" <<<"$1" &&
				grep -q "(UDP)" <<<"$1" && ! grep -q WARNING <<<"$1"' _ "$out"
	done
	return 0
}

# run PMD: starts, checks, stops; the stop must be clean (status 0).
finish() {
	local name=$1 rc
	stop_sandnsd
	rc=$?
	check "$name: SIGTERM: exit status 0 (got $rc)" test "$rc" = 0
	check "$name: the TAP is gone" test -z "$(ip -n "$SRV" -o link show | grep -E '^[0-9]+: sandns')"
	check "$name: the source rules are gone" test -z "$(ip -n "$SRV" rule | grep 198.18.0.2)"
}

# check_dnstap PMD: the query log of run_pmd's queries (written out once sandnsd stopped): the
# workers' UDP queries from both client addresses, each with its response (dnsperf's 600 at
# least), and TCP (the exception path, answered by the kernel-socket thread) logged too.
check_dnstap() {
	local name=$1 tap aq ar
	tap=$(dnstap-ldns -r "$TMP/$name.tap" 2>&1)
	aq=$(grep -c ' AQ 198\.18\.0\.1 UDP ' <<<"$tap")
	ar=$(grep -c ' AR 198\.18\.0\.1 UDP ' <<<"$tap")
	check "$name: dnstap: the workers' UDP queries logged ($aq >= 600)" test "$aq" -ge 600
	check "$name: dnstap: each with its response ($ar)" test "$aq" = "$ar"
	check "$name: dnstap: IPv6 clients too" has "$tap" ' AQ 2001:db8::1 UDP '
	check "$name: dnstap: TCP through the exception path" has "$tap" ' AR 198\.18\.0\.1 TCP '
}

# ---------------------------------------------------------------- net_af_packet: must work
run_pmd af_packet 1
rc=$?
if [ $rc = 2 ]; then
	bad "af_packet: sandnsd did not come up:"
	sed 's/^/     /' "$TMP/af_packet.log"
else
	finish af_packet
	check_dnstap af_packet
fi

# ---------------------------------------------------------------- net_af_xdp: when it exists
# The kernel or the driver may refuse AF_XDP (no XDP support, old libbpf): then SKIP, say why.
run_pmd af_xdp 1
rc=$?
if [ $rc = 2 ]; then
	if grep -qiE 'af_xdp|xdp|xsk|bpf' "$TMP/af_xdp.log"; then
		echo "SKIP af_xdp: the kernel or the driver refused AF_XDP here:"
		grep -iE 'af_xdp|xdp|xsk|bpf|sandnsd:' "$TMP/af_xdp.log" | head -5 | sed 's/^/     /'
	else
		bad "af_xdp: sandnsd did not come up:"
		sed 's/^/     /' "$TMP/af_xdp.log"
	fi
else
	finish af_xdp
	check_dnstap af_xdp
fi

# ---------------------------------------------------------------- rate limiting on the fast path
# 5 answers a second per client network and answer, every 2nd limited one truncated: a burst
# of 200 from the client namespace gets 5 to 10 whole answers, truncated ones and silence.
topo_eal eal af_packet "$VS" 0 "sandns$$-rrl" --log-level=lib.eal:notice
ip netns exec "$SRV" timeout -s KILL 100 "$SANDNSD" --foreground --io dpdk \
	--zone "example.com.=$TMP/example.com.zone" --rate-limit 5 --rate-limit-slip 2 \
	--listen 198.18.0.2 --control "$TMP/rrl.sock" --state-dir "$TMP/rrl.state" -- "${eal[@]}" \
	>"$TMP/rrl.log" 2>&1 &
PID=$!
if wait_serving "$TMP/rrl.log" "$PID" 60; then
	# the first query also teaches the neighbours (ARP) both ways
	q @198.18.0.2 www.example.com A +short >/dev/null
	out=$(C /usr/bin/python3 "$HERE/rrl_burst.py" 198.18.0.2 53 200 mail.example.com)
	echo "     dpdk, 200 x mail.example.com A: $out"
	whole=$(sed -n 's/.*whole=\([0-9]*\).*/\1/p' <<<"$out")
	secs=$(sed -n 's/.*seconds=\([0-9]*\).*/\1/p' <<<"$out")
	check "rrl (dpdk): 5 whole answers a second ($out)" \
		test "${whole:-0}" -ge 5 -a "${whole:-0}" -le $((5 * (${secs:-1} + 1)))
	check "rrl (dpdk): some go out truncated" has "$out" 'truncated=[1-9]'
	out=$(timeout 10 "$SANDNSCTL" --control "$TMP/rrl.sock" stats 2>&1)
	check "rrl (dpdk): stats count rrl-dropped" has "$(grep '^dataplane:' <<<"$out")" ' rrl-dropped=[1-9]'
	check "rrl (dpdk): stats count rrl-slipped" has "$out" 'rrl-slipped=[1-9]'
	finish rrl
else
	bad "rrl: sandnsd --rate-limit 5 did not come up:"
	sed 's/^/     /' "$TMP/rrl.log"
	stop_sandnsd
fi

# ---------------------------------------------------------------- set-up errors
topo_eal eal none "" 0 "sandns$$-noport"
out=$(ip netns exec "$SRV" timeout 30 "$SANDNSD" --foreground --io dpdk \
	--zone "example.com.=$TMP/example.com.zone" --listen 198.18.0.2 \
	--state-dir "$TMP/eal-fail.state" -- "${eal[@]}" 2>&1)
rc=$?
check "no data port: exit status 2 (got $rc)" test "$rc" = 2
check "no data port: says so" has "$out" 'no data port'
topo_eal eal none "" 0 "sandns$$-bad" --bogus-eal-flag
out=$(ip netns exec "$SRV" timeout 30 "$SANDNSD" --foreground --io dpdk \
	--zone "example.com.=$TMP/example.com.zone" --listen 198.18.0.2 \
	--state-dir "$TMP/eal-fail.state" -- "${eal[@]}" 2>&1)
rc=$?
check "bad EAL arguments: exit status 2 (got $rc)" test "$rc" = 2
check "bad EAL arguments: says so" has "$out" 'EAL initialisation failed'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
