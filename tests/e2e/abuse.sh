#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# abuse.sh: sandnsd under malformed input and TCP abuse (issue 6), on kernel sockets and with
# DPDK. For each mode: malformed.py sends tens of thousands of malformed UDP messages (random
# bytes, truncated headers, compression loops, long names, lying counts, broken OPTs, responses,
# odd opcodes, classes and types, 64 KiB queries) and checks every reply and a fixed list of
# good answers before and after; tcp_abuse.py holds more idle connections than the cap, stalled
# and garbage streams and a client that pipelines without reading, while new UDP and TCP
# clients must be answered, then checks that the idle timeout closes them all; sandnsctl stats
# must agree with what was sent; SIGTERM must end sandnsd with status 0 (under ASan, a leak or
# any error found makes that non-zero). In socket mode the metrics endpoint and the query log
# (dnstap) are on throughout, /metrics scraped every 0.2 s while the abuse goes on: afterwards a
# scrape still answers and the query log reads back whole (dnstap-ldns).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir,
# RATE (UDP messages per second, 5000; lower it for slow builds), COUNT (messages in socket
# mode, 32000), DPDK_COUNT (12000), NO_DPDK=1 skips the DPDK part.
# Traffic goes to 127.0.0.1 and to the namespaces it makes (198.18.0.0/24), which it removes on
# exit. Ends only the processes it started, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3
RATE=${RATE:-5000}
COUNT=${COUNT:-32000}
DPDK_COUNT=${DPDK_COUNT:-12000}
# small, so that the test passes them quickly: the cap, and the idle timeout it waits for
MAX_CLIENTS=64
IDLE_TIMEOUT=4

die() { echo "abuse: $*" >&2; exit 1; }
skip() { echo "abuse: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ -x "$PY" ] || skip "no $PY"
$PY -c 'import dns.message' 2>/dev/null || skip "python3-dnspython is not installed"

TMP=$(mktemp -d /tmp/sandns-abuse.XXXXXX)
PID=
SRV=sandns-abuse-srv-$$
CLI=sandns-abuse-cli-$$
VS=veth-as$$
VC=veth-ac$$
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=abuse

SCRAPER=
cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -z "$SCRAPER" ] || kill "$SCRAPER" 2>/dev/null
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "abuse: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(date +%s)
elapsed() { echo "$(($(date +%s) - T0)) s"; }

# The sample zones, served with the sample certificate (the policy on). example.com gets a TXT
# set too big for 512 octets (big: the size checks need answers that must be truncated), and
# one of 65,487 octets (huge: with udp-max-payload 65535, its answer is 65,521 octets, more than
# a UDP datagram over IPv4 can carry, 65,507).
cp "$SAMPLE/example.com.zone" "$TMP/example.com.zone"
x60=$(printf 'x%.0s' $(seq 1 60))
y247=$(printf 'y%.0s' $(seq 1 247))
{
	for i in $(seq 1 12); do printf 'big 300 IN TXT "%s-%02d"\n' "$x60" "$i"; done
	for i in $(seq 0 248); do printf 'huge 300 IN TXT "%03d%s"\n' "$i" "$y247"; done
} >>"$TMP/example.com.zone"
ZONE_ARGS=(--zone "example.com.=$TMP/example.com.zone"
	--zone "example.net.=$SAMPLE/example.net.zone"
	--cert "$SAMPLE/mail.example.com.pem")
MAL_ARGS=(--policy --big-name big.example.com --rate "$RATE"
	--zone "example.com.=$TMP/example.com.zone" --zone "example.net.=$SAMPLE/example.net.zone")

# stats_check LABEL SOCK BEFORE: compares the server's UDP counters since BEFORE with what
# malformed.py says it sent ($COUNTED_OUT): every datagram it received and did not answer is
# one malformed.py got no reply to, and every answer it made went out.
stats_check() {
	local label=$1 sock=$2 before=$3 after sent replies live drecv ddrop dfail desc
	after=$(timeout 10 "$SANDNSCTL" --control "$sock" stats 2>&1)
	grep -E '^(udp|tcp|total)' <<<"$after" | sed 's/^/     /'
	sent=$(grep -o 'barrage-sent=[0-9]*' <<<"$COUNTED_OUT" | sed 's/.*=//')
	replies=$(grep -o 'barrage-replies=[0-9]*' <<<"$COUNTED_OUT" | sed 's/.*=//')
	live=$(grep -o 'liveness-udp=[0-9]*' <<<"$COUNTED_OUT" | sed 's/.*=//')
	drecv=$(($(stat_of "$after" udp-received) - $(stat_of "$before" udp-received)))
	ddrop=$(($(stat_of "$after" udp-dropped) - $(stat_of "$before" udp-dropped)))
	dfail=$(($(stat_of "$after" udp-send-failed) - $(stat_of "$before" udp-send-failed)))
	check "$label: stats count FORMERR answers" test "$(stat_of "$after" formerr)" -gt 0
	check "$label: stats count BADVERS answers" test "$(stat_of "$after" badvers)" -gt 0
	check "$label: stats: every answer made was sent (udp-send-failed +$dfail)" test "$dfail" = 0
	if [ -z "$sent" ] || [ -z "$replies" ] || [ -z "$live" ]; then
		bad "$label: malformed.py printed no counters"
	elif [ "$drecv" = $((sent + live)) ]; then
		desc="$label: stats: udp-dropped +$ddrop, udp-send-failed +$dfail:"
		desc+=" the messages without a reply, $((sent - replies))"
		check "$desc" test $((ddrop + dfail)) = $((sent - replies))
	else
		# the kernel dropped some under load: the counts cannot be compared one to one
		echo "     $label: sandnsd received $drecv of $((sent + live)) datagrams (the rest lost" \
			"before it read them): udp-dropped not compared"
	fi
}

# ================================================================ kernel sockets
PORT=$(pick_port $(( 20000 + ($$ * 3 + 2) % 12000 ))) || die "no free port"
MPORT=$(pick_port $((PORT + 11)) "$PORT") || die "no free port"
SOCK=$TMP/sandns.sock
"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
	--state-dir "$TMP/sandnsd.state" --tcp-max-clients "$MAX_CLIENTS" --tcp-idle-timeout "$IDLE_TIMEOUT" --udp-max-payload 65535 \
	--metrics "127.0.0.1@$MPORT" --dnstap "$TMP/abuse.tap" \
	"${ZONE_ARGS[@]}" >"$TMP/sandnsd.log" 2>&1 &
PID=$!
if ! wait_serving "$TMP/sandnsd.log" "$PID"; then
	sed 's/^/     /' "$TMP/sandnsd.log"
	die "sandnsd did not start serving within 30 s"
fi
ok "socket: sandnsd serving on 127.0.0.1@$PORT (pid $PID, tcp-max-clients $MAX_CLIENTS," \
	"tcp-idle-timeout $IDLE_TIMEOUT s, udp-max-payload 65535)"

# a scraper all along, as Prometheus would be (every 0.2 s, each scrape bounded)
( while kill -0 "$PID" 2>/dev/null; do
	curl -s -m 2 -o /dev/null "http://127.0.0.1:$MPORT/metrics"
	sleep 0.2
done ) &
SCRAPER=$!
before=$(timeout 10 "$SANDNSCTL" --control "$SOCK" stats 2>&1)
echo "--- socket: malformed.py ($COUNT messages at $RATE/s)"
run_counted "socket: malformed.py" timeout 240 $PY "$HERE/malformed.py" --server 127.0.0.1 \
	--port "$PORT" --count "$COUNT" --huge-name huge.example.com --label socket "${MAL_ARGS[@]}"
check "socket: sandnsd alive after the barrage" kill -0 "$PID"
stats_check socket "$SOCK" "$before"

echo "--- socket: tcp_abuse.py ($(elapsed))"
run_counted "socket: tcp_abuse.py" timeout 180 $PY "$HERE/tcp_abuse.py" --server 127.0.0.1 \
	--port "$PORT" --pid "$PID" --max-clients "$MAX_CLIENTS" --idle-timeout "$IDLE_TIMEOUT" \
	--idle 300 --drip --label socket
check "socket: sandnsd alive after the TCP abuse" kill -0 "$PID"
st=$(timeout 10 "$SANDNSCTL" --control "$SOCK" stats 2>&1)
grep '^tcp' <<<"$st" | sed 's/^/     /'
check "socket: stats count evictions at the cap" test "$(stat_of "$st" tcp-evicted)" -gt 0
check "socket: stats count idle timeouts" test "$(stat_of "$st" tcp-timeouts)" -gt 0

echo "--- socket: the good answers once more ($(elapsed))"
run_counted "socket: liveness after the TCP abuse" timeout 60 $PY "$HERE/malformed.py" \
	--server 127.0.0.1 --port "$PORT" --skip-barrage --label "socket, after TCP" "${MAL_ARGS[@]}"
out=$(curl -s -m 5 "http://127.0.0.1:$MPORT/metrics" 2>&1)
check "socket: /metrics answers after the abuse ($(grep -c '^sandns_' <<<"$out") samples)" \
	has "$out" '^sandns_responses_total{transport="udp",rcode="FORMERR"} [1-9]'
st=$(timeout 10 "$SANDNSCTL" --control "$SOCK" stats 2>&1)
grep '^dnstap:' <<<"$st" | sed 's/^/     /'

stop_sandnsd
rc=$?
check "socket: SIGTERM: sandnsd exits with status 0 (got $rc)" test "$rc" = 0
kill "$SCRAPER" 2>/dev/null
wait "$SCRAPER" 2>/dev/null
if command -v dnstap-ldns >/dev/null; then
	dnstap-ldns -r "$TMP/abuse.tap" >"$TMP/abuse.tap.txt" 2>&1
	rc=$?
	tap=$(grep -c ' A[QR] ' "$TMP/abuse.tap.txt")
	check "socket: the query log reads back after the abuse (exit $rc, $tap messages)" \
		test "$rc" = 0 -a "$tap" -gt 1000
fi
if [ "$failed" -ne 0 ]; then
	echo "--- socket: sandnsd log (last 30 lines)"
	tail -n 30 "$TMP/sandnsd.log" | sed 's/^/     /'
fi
echo "abuse: socket mode done ($(elapsed))"

# ================================================================ DPDK
dpdk_part() {
	local log=$TMP/dpdk.log sock=$TMP/dpdk.sock dpid rc out before eal=()
	for c in ip ethtool; do
		command -v "$c" >/dev/null || { echo "SKIP dpdk: $c not found"; return 0; }
	done
	# two namespaces and a veth, as dpdk.sh makes them (IPv4 only: scripts/topo.sh)
	topo_pair "$SRV" "$VS" "$CLI" "$VC" || { bad "dpdk: cannot make the namespaces and their veth"; return 0; }
	topo_eal eal af_packet "$VS" 0 "sandns$$-abuse" --log-level=lib.eal:notice

	ip netns exec "$SRV" timeout -s KILL 400 "$SANDNSD" --foreground --io dpdk \
		--listen 198.18.0.2 --control "$sock" --state-dir "$TMP/dpdk.state" \
		--tcp-max-clients 16 --tcp-idle-timeout 3 \
		"${ZONE_ARGS[@]}" -- "${eal[@]}" >"$log" 2>&1 &
	PID=$!
	if ! wait_serving "$log" "$PID" 60; then
		bad "dpdk: sandnsd did not come up:"
		sed 's/^/     /' "$log"
		stop_sandnsd
		return 0
	fi
	# `timeout` runs sandnsd as its child: memory and descriptors are the child's
	dpid=$(awk '{print $1}' "/proc/$PID/task/$PID/children" 2>/dev/null)
	ok "dpdk: sandnsd serves on 198.18.0.2 (net_af_packet, pid ${dpid:-?})"

	before=$(timeout 10 "$SANDNSCTL" --control "$sock" stats 2>&1)
	echo "--- dpdk: malformed.py ($DPDK_COUNT messages at $RATE/s, from $CLI)"
	run_counted "dpdk: malformed.py" timeout 240 ip netns exec "$CLI" $PY "$HERE/malformed.py" \
		--server 198.18.0.2 --port 53 --count "$DPDK_COUNT" --no-fragments --label dpdk "${MAL_ARGS[@]}"
	check "dpdk: sandnsd alive after the barrage" kill -0 "$PID"
	out=$(timeout 10 "$SANDNSCTL" --control "$sock" stats 2>&1)
	grep -E '^(lcore|dataplane)' <<<"$out" | sed 's/^/     /'
	check "dpdk: stats: the dataplane dropped what must get no answer (udp-dropped)" \
		test "$(stat_of "$out" udp-dropped)" -gt "$(stat_of "$before" udp-dropped)"
	check "dpdk: stats: the dataplane answered FORMERR (formerr=$(stat_of "$out" formerr))" \
		test "$(stat_of "$out" formerr)" -gt 0
	check "dpdk: stats: the dataplane answered BADVERS (badvers=$(stat_of "$out" badvers))" \
		test "$(stat_of "$out" badvers)" -gt 0

	echo "--- dpdk: tcp_abuse.py through the exception path ($(elapsed))"
	run_counted "dpdk: tcp_abuse.py" timeout 120 ip netns exec "$CLI" $PY "$HERE/tcp_abuse.py" \
		--server 198.18.0.2 --port 53 ${dpid:+--pid "$dpid"} --max-clients 16 --idle-timeout 3 \
		--idle 40 --garbage 2 --pipeline-mb 16 --label dpdk
	check "dpdk: sandnsd alive after the TCP abuse" kill -0 "$PID"

	stop_sandnsd
	rc=$?
	check "dpdk: SIGTERM: sandnsd exits with status 0 (got $rc)" test "$rc" = 0
	check "dpdk: the TAP is gone" test -z "$(ip -n "$SRV" -o link show | grep -E '^[0-9]+: sandns')"
	if [ "$failed" -ne 0 ]; then
		echo "--- dpdk: sandnsd log (last 30 lines)"
		tail -n 30 "$log" | sed 's/^/     /'
	fi
}

if [ "${NO_DPDK:-0}" = 1 ]; then
	echo "SKIP dpdk: NO_DPDK=1"
elif [ "$(id -u)" != 0 ]; then
	echo "SKIP dpdk: needs root (network namespaces, DPDK)"
	# the socket part ran: its verdict stands, unless there was nothing else to say
else
	dpdk_part
fi

echo "abuse: $passed passed, $failed failed in $(elapsed)"
[ "$failed" = 0 ]
