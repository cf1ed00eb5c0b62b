#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# metrics_hold.sh: a ninth connection from one address is refused (8 each), counted apart. Then
# a local client takes every place of the metrics endpoint (32 connections from four loopback
# addresses, 8 each) and keeps them alive by sending one octet of a request line every second,
# which its idle timeout never ends. Once they are 3 s old a scraper still gets /metrics: the
# connection quiet the longest gives way, counted as evicted; before that a newcomer is refused,
# counted too. DNS keeps answering.
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.0/8; ends only the processes it started, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3

die() { echo "metrics_hold: $*" >&2; exit 1; }
skip() { echo "metrics_hold: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
command -v kdig >/dev/null || skip "kdig not found (scripts/deps.sh installs knot-dnsutils)"

TMP=$(mktemp -d /tmp/sandns-metrics-hold.XXXXXX)
PID=
HOLD=
# shellcheck source=lib.sh
. "$HERE/lib.sh"
cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "metrics_hold: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MPORT=$(pick_port $((20000 + ($$ * 5) % 12000))) || die "no free port"
start_sandnsd m --metrics "127.0.0.1@$MPORT" || exit 1
URL=http://127.0.0.1:$MPORT/metrics

# scrape SECONDS: the body of one GET, or nothing when none came within SECONDS.
scrape() {
	timeout $(($1 + 2)) $PY -c "
import sys, urllib.request
try: print(urllib.request.urlopen('$URL', timeout=$1).read().decode())
except Exception as e: print('no answer:', e, file=sys.stderr)" 2>>"$TMP/scrape.err"
}

# One address's share: 8 connections from 127.0.0.6 are taken, a ninth is closed at once,
# counted apart; the 8 are closed before the holder comes.
$PY -c "
import socket
held = []
for _ in range(9):
    s = socket.socket()
    s.bind(('127.0.0.6', 0))
    s.connect(('127.0.0.1', $MPORT))
    held.append(s)
def closed(s):
    s.settimeout(2)
    try:
        return s.recv(1) == b''
    except socket.timeout:
        return False
    except OSError:
        return True
print('ninth closed', closed(held[8]))
held[0].settimeout(0.3)
try:
    print('first open', held[0].recv(1) != b'')
except socket.timeout:
    print('first open', True)
" >"$TMP/share.out" 2>&1
check "a ninth connection from one address is closed at once, the first kept" \
	test "$(tr '\n' ' ' <"$TMP/share.out")" = "ninth closed True first open True "
out=$(scrape 5)
check "... counted as refused_per_address" \
	has "$out" '^sandns_metrics_connections_total{result="refused_per_address"} 1$'
check "... not as refused" has "$out" '^sandns_metrics_connections_total{result="refused"} 0$'

# The holder: 32 connections, one octet each a second, for 20 s (then it ends by itself).
$PY -c "
import socket, sys, time
held = []
for a in range(2, 6):
    for _ in range(8):
        s = socket.socket()
        s.bind(('127.0.0.%d' % a, 0))
        s.connect(('127.0.0.1', $MPORT))
        s.send(b'GET /metrics HTTP/1.1\r\nX-Slow: ')
        held.append(s)
print('held', len(held), flush=True)
for _ in range(20):
    time.sleep(1)
    for s in held:
        try:
            s.send(b'x')
        except OSError:
            pass
" >"$TMP/hold.out" 2>&1 &
HOLD=$!
for _ in $(seq 1 50); do grep -q held "$TMP/hold.out" && break; sleep 0.1; done
check "the holder has its 32 connections" grep -q 'held 32' "$TMP/hold.out"

# Within the first 3 s every place is taken by a connection too young to give way.
out=$(scrape 1)
check "a scraper while they are young is refused" test -z "$out"
sleep 3
out=$(scrape 5)
check "once they are 3 s old a scraper gets /metrics" has "$out" '^sandns_zones '
check "the one that gave way is counted" \
	has "$out" '^sandns_metrics_connections_total{result="evicted"} [1-9]'
check "the refused one is counted" \
	has "$out" '^sandns_metrics_connections_total{result="refused"} [1-9]'
check "DNS is answered meanwhile" \
	test -n "$(kdig @127.0.0.1 -p "$PORT" +short +time=2 +retry=0 www.example.net A)"
status_ok() { timeout 5 "$SANDNSCTL" --control "$SOCK" status >/dev/null; }
check "sandnsctl status answers meanwhile" status_ok

kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
HOLD=
stop_sandnsd
check "sandnsd stopped cleanly" test $? -eq 0

echo "metrics_hold: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
