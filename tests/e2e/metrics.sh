#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# metrics.sh: the Prometheus endpoint (metrics ADDR@PORT): known queries over UDP and TCP (a few
# types, an NXDOMAIN, a REFUSED) counted exactly in /metrics, parsed with prometheus_client's
# parser, and the same numbers in `sandnsctl --json stats`; a reload's result; scrapers that hold
# connections and never read stop neither queries nor `sandnsctl status`; bad metrics settings
# stop sandnsd at start naming the key; the policy's decisions; then --io dpdk (net_af_packet in namespaces, root): the
# dpdk transport label and the port's counters.
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3
CHECK="$HERE/metrics_check.py"

die() { echo "metrics: $*" >&2; exit 1; }
skip() { echo "metrics: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
command -v kdig >/dev/null || skip "kdig not found (scripts/deps.sh installs knot-dnsutils)"
$PY -c 'import prometheus_client.parser' 2>/dev/null ||
	skip "python3-prometheus-client not installed (scripts/deps.sh installs it)"

TMP=$(mktemp -d /tmp/sandns-metrics.XXXXXX)
PID=
# shellcheck source=lib.sh
. "$HERE/lib.sh"
cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -n "${HOLD:-}" ] && kill "$HOLD" 2>/dev/null
	[ "$(type -t topo_cleanup)" = function ] && topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "metrics: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

quiet() { "$@" >/dev/null; }

# ---------------------------------------------------------------- kernel sockets
MPORT=$(pick_port $((20000 + ($$ * 7) % 12000))) || die "no free port"
cp "$SAMPLE/example.com.zone" "$TMP/example.com.zone"
# With the sample certificate: the autodiscover policy's decisions show as sandns_policy_decision.
start_sandnsd m --zone "example.com.=$TMP/example.com.zone" --metrics "127.0.0.1@$MPORT" \
	--cert "$SAMPLE/mail.example.com.pem" || exit 1
URL=http://127.0.0.1:$MPORT/metrics
q() { kdig @127.0.0.1 -p "$PORT" +norec +time=2 +retry=0 "$@" 2>&1; }
rc_of() { q "$@" | grep -o 'status: [A-Z]*' | head -n 1 | sed 's/status: //'; }

for _ in 1 2 3; do q www.example.net A +short >/dev/null; done
for _ in 1 2; do q ns1.example.net AAAA +short >/dev/null; done
q example.net MX +short >/dev/null
check "udp: a.ns1.example.net A is NXDOMAIN" test "$(rc_of a.ns1.example.net A)" = NXDOMAIN
check "udp: example.org A is REFUSED" test "$(rc_of example.org A)" = REFUSED
q example.com SOA +short >/dev/null
for _ in 1 2; do q +tcp example.net TXT +short >/dev/null; done
check "tcp: a.ns1.example.net AAAA is NXDOMAIN" test "$(rc_of +tcp a.ns1.example.net AAAA)" = NXDOMAIN
check "tcp: example.org NS is REFUSED" test "$(rc_of +tcp example.org NS)" = REFUSED

# A reload that fails (a broken zone file) shows as such, the serials stay.
echo "bad 3600 IN A not-an-address" >>"$TMP/example.com.zone"
"$SANDNSCTL" --control "$SOCK" reload >/dev/null 2>&1
"$SANDNSCTL" --control "$SOCK" --json stats >"$TMP/stats.json" || bad "sandnsctl --json stats"
"$SANDNSCTL" --control "$SOCK" stats >"$TMP/stats.txt"
check "sandnsctl stats shows the rcodes by transport" has "$(cat "$TMP/stats.txt")" \
	'^udp rcode: NOERROR=7 NXDOMAIN=1 REFUSED=1$'
check "sandnsctl stats shows the zones" has "$(cat "$TMP/stats.txt")" 'example.net.=10'
SERIAL=$("$SANDNSCTL" --control "$SOCK" --json status | $PY -c \
	'import json, sys; print([z["serial"] for z in json.load(sys.stdin)["data"]["zones"] if z["origin"] == "example.net."][0])')
EXPECTED='{"transports": ["udp", "tcp"],
 "qtype": {"udp": {"A": 5, "AAAA": 2, "MX": 1, "SOA": 1}, "tcp": {"TXT": 2, "AAAA": 1, "NS": 1}},
 "rcode": {"udp": {"NOERROR": 7, "NXDOMAIN": 1, "REFUSED": 1}, "tcp": {"NOERROR": 2, "NXDOMAIN": 1, "REFUSED": 1}},
 "received": {"udp": 9, "tcp": 4},
 "zones": {"example.net.": 10, "example.com.": 1, "(none)": 2},
 "serials": {"example.net.": '"$SERIAL"'},
 "policy": [["example.com.", "autodiscover.example.com.", "A", "synthesize-srv"]],
 "reload_ok": 0, "reload_failed": 1}'
run_counted "metrics match what was sent" $PY "$CHECK" "$URL" "$TMP/stats.json" "$EXPECTED"

# Scrapers that hold connections (half a request, never reading): queries and status go on.
$PY "$CHECK" --hold "$URL" 100 8 >"$TMP/hold.out" 2>&1 &
HOLD=$!
sleep 2
check "abusive scrapers: $(head -n 1 "$TMP/hold.out")" has "$(cat "$TMP/hold.out")" 'held'
check "abusive scrapers: a UDP query is answered" test -n "$(q www.example.net A +short)"
check "abusive scrapers: a TCP query is answered" test -n "$(q +tcp www.example.net A +short)"
check "abusive scrapers: sandnsctl status answers" quiet \
	timeout 5 "$SANDNSCTL" --control "$SOCK" status
wait "$HOLD"
HOLD=
out=$(timeout 10 $PY -c "import urllib.request; print(urllib.request.urlopen('$URL', timeout=5).read().decode())" 2>&1)
check "after them, /metrics answers again" has "$out" 'sandns_queries_total{transport="udp",qtype="A"} 6'
check "GET elsewhere is 404" has "$($PY -c "
import urllib.request, urllib.error
try: urllib.request.urlopen('http://127.0.0.1:$MPORT/', timeout=5)
except urllib.error.HTTPError as e: print(e.code)" 2>&1)" '^404$'
check "POST with a body is 405, answered" has "$($PY -c "
import urllib.request, urllib.error
try: urllib.request.urlopen(urllib.request.Request('$URL', data=b'x' * 100000, method='POST'), timeout=5)
except urllib.error.HTTPError as e: print(e.code)
except Exception as e: print('no answer:', e)" 2>&1)" '^405$'
stop_sandnsd
check "sandnsd stops cleanly" test $? = 0

# ---------------------------------------------------------------- bad settings
out=$("$SANDNSD" --foreground --listen "127.0.0.1@$PORT" --state-dir "$TMP/bad.state" \
	--zone "example.net.=$SAMPLE/example.net.zone" --metrics 127.0.0.1 2>&1)
check "metrics without a port: refused, naming the key" has "$out" 'metrics 127.0.0.1: give the port'
out=$("$SANDNSD" --foreground --listen "127.0.0.1@$PORT" --state-dir "$TMP/bad.state" \
	--zone "example.net.=$SAMPLE/example.net.zone" --metrics 300.1.1.1@80 2>&1)
check "metrics with a bad address: refused, naming the key" has "$out" "^sandnsd: --metrics: '300.1.1.1' is not"
out=$(timeout 20 "$SANDNSD" --foreground --listen "127.0.0.1@$PORT" --state-dir "$TMP/bad.state" \
	--zone "example.net.=$SAMPLE/example.net.zone" --metrics "127.0.0.1@$PORT" 2>&1)
check "metrics on a port in use: refused at start, naming the key" has "$out" \
	"^sandnsd: metrics 127.0.0.1@$PORT: cannot listen there: Address already in use"

# ------------------------------------------- per-zone counters across a change of the zone list
# Zones added by a configuration reload take slots before the others (deeper zones come first):
# each zone's counter goes on from its count, the new ones start at 0.
printf 'zone example.com. %s\n' "$TMP/example.com.zone" >"$TMP/zl.conf"
cp "$SAMPLE/example.com.zone" "$TMP/example.com.zone"
start_sandnsd zl --config "$TMP/zl.conf" --metrics "127.0.0.1@$MPORT" || exit 1
zone_count() { "$SANDNSCTL" --control "$SOCK" stats | tr ' ,:' '\n\n\n' | grep -x "$1=[0-9]*"; }
for _ in 1 2 3; do q www.example.net A +short >/dev/null; done
for _ in 1 2; do q example.com SOA +short >/dev/null; done
check "before: example.net. counted 3" test "$(zone_count example.net.)" = example.net.=3
check "before: example.com. counted 2" test "$(zone_count example.com.)" = example.com.=2
printf '$TTL 300\n@ SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.1\n' >"$TMP/sub.zone"
printf 'zone a.sub.example.net. %s\nzone sub.example.net. %s\n' "$TMP/sub.zone" "$TMP/sub.zone" >>"$TMP/zl.conf"
check "reload with two zones added before the others" quiet "$SANDNSCTL" --control "$SOCK" reload
q sub.example.net SOA +short >/dev/null
check "after: example.net. still 3" test "$(zone_count example.net.)" = example.net.=3
check "after: example.com. still 2" test "$(zone_count example.com.)" = example.com.=2
check "after: the new sub.example.net. counts from 0" test "$(zone_count sub.example.net.)" = sub.example.net.=1
q www.example.net A +short >/dev/null
check "after: example.net. goes on (4)" test "$(zone_count example.net.)" = example.net.=4
out=$(timeout 10 $PY -c "import urllib.request; print(urllib.request.urlopen('$URL', timeout=5).read().decode())" 2>&1)
check "/metrics says the same" has "$out" 'sandns_zone_queries_total{zone="example.com."} 2$'
stop_sandnsd

# ---------------------------------------------------------------- DPDK: the dpdk label, the port
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	echo "SKIP dpdk part: needs root and ip"
else
	SRV=sandns-metrics-srv-$$
	CLI=sandns-metrics-cli-$$
	VS=veth-ms$$
	VC=veth-mc$$
	# shellcheck source=../../scripts/topo.sh
	. "$ROOT/scripts/topo.sh"
	TOPO_WHO=metrics
	printf 'leak:xsk_umem__create\n' >"$TMP/lsan.supp"
	export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp"
	topo_pair "$SRV" "$VS" "$CLI" "$VC" || die "cannot make the namespaces and their veth"
	ip -n "$SRV" link set lo up
	eal=()
	topo_eal eal af_packet "$VS" 0 "sandns$$-metrics" --log-level=lib.eal:notice
	ip netns exec "$SRV" timeout -s KILL 100 "$SANDNSD" --foreground --io dpdk \
		--zone "example.com.=$SAMPLE/example.com.zone" --listen 198.18.0.2 \
		--control "$TMP/dp.sock" --state-dir "$TMP/dp.state" --metrics "127.0.0.1@$MPORT" \
		-- "${eal[@]}" >"$TMP/dp.log" 2>&1 &
	PID=$!
	if ! wait_serving "$TMP/dp.log" "$PID" 60; then
		bad "dpdk: sandnsd did not come up:"
		sed 's/^/     /' "$TMP/dp.log"
	else
		for _ in 1 2 3; do
			ip netns exec "$CLI" kdig @198.18.0.2 +norec +time=2 +retry=1 www.example.com A \
				+short >/dev/null 2>&1
		done
		check "dpdk: example.org A is REFUSED" test "$(ip netns exec "$CLI" kdig @198.18.0.2 \
			+norec +time=2 example.org A 2>&1 | grep -o 'status: [A-Z]*' | sed 's/.* //')" = REFUSED
		ip netns exec "$SRV" "$SANDNSCTL" --control "$TMP/dp.sock" --json stats >"$TMP/dp.json"
		run_counted "dpdk metrics" ip netns exec "$SRV" $PY "$CHECK" "$URL" "$TMP/dp.json" \
			'{"transports": ["dpdk"], "qtype": {"dpdk": {"A": 4}},
			  "rcode": {"dpdk": {"NOERROR": 3, "REFUSED": 1}}, "received": {"dpdk": 4},
			  "zones": {"example.com.": 3}, "dpdk_port": 4}'
		stop_sandnsd
		check "dpdk: sandnsd stops cleanly" test $? = 0
	fi
fi

echo "metrics: $passed passed, $failed failed"
[ "$failed" = 0 ]
