#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# manysec.sh: ZONES secondary zones (default 12,000; each `zone sN.test FILE` and `primary sN.test
# 127.0.0.1@9`, a closed port: every zone loads from its file and its refreshes fail) in sandnsd:
# seconds from exec until the last zone answers, the time of `sandnsctl reload` (which waits for
# the publish), then NOTIFYs for the last zone (one checked to be answered NOERROR, then COUNT
# sent one after another: NOTIFYs per second). PERF=1: `perf record -g` of the reload, top
# symbols printed.
#
#   ZONES=12000 bench/manysec.sh          # needs python3-dnspython
#   SANDNSD=... SANDNSCTL=... bench/manysec.sh   # another build (before/after)
#
# Listens on 127.0.0.1 on a port picked here; everything in a temporary directory (KEEP=1 keeps
# it). Only the server started here is ended, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
ZONES=${ZONES:-12000}
COUNT=${COUNT:-2000}
TIMEOUT=${TIMEOUT:-300}

die() { echo "manysec: $*" >&2; exit 1; }
/usr/bin/python3 -c 'import dns.message' 2>/dev/null || die "python3-dnspython not found (scripts/deps.sh)"
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
bench_tmpdir manysec 30

port=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || die "no free port"
mkdir -p "$TMP/z"
awk -v n="$ZONES" -v d="$TMP/z" 'BEGIN { for (i = 0; i < n; i++) {
	f = d "/" i
	printf "$TTL 300\n@ SOA ns hostmaster 1 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.1\n" >f
	close(f) } }'
{
	echo "listen 127.0.0.1@$port"
	echo "control $TMP/ctl.sock"
	echo "state-dir $TMP/state"
	echo "allow-notify 127.0.0.1"
	# relative paths (to the file's directory): the file stays under its 1 MiB up to ~18,000 zones
	awk -v n="$ZONES" 'BEGIN { for (i = 0; i < n; i++)
		printf "zone s%d.test z/%d\nprimary s%d.test 127.0.0.1@9\n", i, i, i }'
} >"$TMP/sandns.conf"

LAST=s$((ZONES - 1)).test.
echo "manysec: $ZONES secondary zones, git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
"$SANDNSD" --foreground --io socket --config "$TMP/sandns.conf" >"$TMP/log" 2>&1 &
PID=$!

# PY MODE: soa T0 (seconds until LAST answers its SOA) | notify N (one checked, N timed)
PY='import os, socket, sys, time
import dns.message, dns.opcode, dns.rcode, dns.rdatatype
mode, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def ask(q, wait):
	s.settimeout(wait)
	s.sendto(q.to_wire(), ("127.0.0.1", port))
	while True:
		r = dns.message.from_wire(s.recv(4096))
		if r.id == q.id:
			return r
if mode == "soa":
	t0, limit, pid = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
	while time.time() - t0 < limit:
		try:
			os.kill(pid, 0)
		except OSError:
			break
		try:
			r = ask(dns.message.make_query(name, "SOA"), 0.05)
			if any(rr.rdtype == dns.rdatatype.SOA for rr in r.answer):
				print("%.2f" % (time.time() - t0)); sys.exit(0)
		except (socket.timeout, ConnectionRefusedError, dns.exception.DNSException):
			pass
		time.sleep(0.02)
	sys.exit(1)
def notify():
	q = dns.message.make_query(name, "SOA")
	q.set_opcode(dns.opcode.NOTIFY)
	q.flags |= dns.flags.AA
	return q
r = ask(notify(), 2)
if r.opcode() != dns.opcode.NOTIFY or r.rcode() != dns.rcode.NOERROR:
	print("NOTIFY for %s: opcode %s rcode %s" % (name, dns.opcode.to_text(r.opcode()), dns.rcode.to_text(r.rcode())))
	sys.exit(1)
n, t = int(sys.argv[4]), time.time()
for i in range(n):
	ask(notify(), 2)
d = time.time() - t
print("NOTIFY for %s answered NOERROR; %d more in %.2f s: %.0f per second" % (name, n, d, n / d))'

a=$(/usr/bin/python3 -c "$PY" soa "$port" "$LAST" "$t0" "$TIMEOUT" "$PID") || die "the last zone does not answer (log: $TMP/log)"
echo "start: the last zone answers after $a s"
sleep 1
if [ "${PERF:-0}" = 1 ]; then
	perf record -g -o "$TMP/perf.data" -p "$PID" >/dev/null 2>&1 &
	PP=$!
	sleep 1
fi
t0=$(date +%s.%N)
"$SANDNSCTL" --control "$TMP/ctl.sock" reload >/dev/null || die "reload failed"
t1=$(date +%s.%N)
echo "reload: sandnsctl reload took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
if [ "${PERF:-0}" = 1 ]; then
	kill -INT "$PP"
	wait "$PP" 2>/dev/null
	perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1.5 2>/dev/null |
		grep -E '^ +[0-9.]+%' | head -15
fi
/usr/bin/python3 -c "$PY" notify "$port" "$LAST" "$COUNT" || die "NOTIFY not accepted"
