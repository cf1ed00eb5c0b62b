#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# manyzones.sh: ZONES small zones (default 20,000, all from one file) side by side, sandnsd
# against Knot DNS (knot: as configured for speed, no journal; knot-ixfr: keeping each reload's
# differences in its journal, as sandnsd keeps them for IXFR): seconds from exec until they answer; from a change of every zone's file
# (a new serial) and a reload (sandnsctl reload / knotc reload) until they serve the new serial;
# from one zone line added to the configuration and the same reload until the new zone answers.
# A served zone is probed by its SOA serial at three places of the list (the first, the middle
# and the last zone): a server that loads zones one by one may still be loading others. RUNS (3)
# runs each, medians with min..max.
#
#   bench/manyzones.sh                 # needs knotd, knotc, python3-dnspython
#   ZONES=10000 RUNS=1 bench/manyzones.sh
#
# Everything listens on 127.0.0.1 ports picked here; each server gets its configuration and
# directories in a temporary directory (KEEP=1 keeps it). Only the processes started here are
# ended, by PID. Measured runs hold /tmp/sandns-bench.lock.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
ZONES=${ZONES:-20000}
RUNS=${RUNS:-3}
SERVERS=${SERVERS:-sandnsd knot knot-ixfr}
TIMEOUT=${TIMEOUT:-300}

die() { echo "manyzones: $*" >&2; exit 1; }
/usr/bin/python3 -c 'import dns.message' 2>/dev/null || die "python3-dnspython not found (scripts/deps.sh)"
for c in knotd knotc flock awk; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs knot, knot-dnsutils)"
done
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
bench_tmpdir manyzones 20

# The one zone file every zone is read from (relative names: each zone gets its own origin).
ZFILE=$TMP/zone.db
write_zone() { # SERIAL: written aside and renamed, as an editor or a deployment would
	printf '$TTL 300\n@ SOA ns hostmaster %s 7200 900 1209600 300\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n' \
		"$1" >"$ZFILE.new" && mv "$ZFILE.new" "$ZFILE"
}
LAST=$((ZONES - 1))
PROBES="z0.test. z$((ZONES / 2)).test. z$LAST.test."

# Polls SOA of each name given every 10 ms (10 ms timeouts) until all serve SERIAL or PID ends;
# prints the seconds since T0 (a time.time() value).
POLL='import socket, sys, time, os
import dns.message, dns.rdatatype
t0, port, serial, pid, limit = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
names = sys.argv[6:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.01)
while names and time.time() - t0 < limit:
	q = dns.message.make_query(names[0], "SOA")
	try:
		s.sendto(q.to_wire(), ("127.0.0.1", port))
		while True:
			r = dns.message.from_wire(s.recv(4096))
			if r.id == q.id:
				break
		if any(rr.rdtype == dns.rdatatype.SOA and rd.serial == serial for rr in r.answer for rd in rr):
			names.pop(0)
			continue
	except (socket.timeout, ConnectionRefusedError, dns.exception.DNSException):
		pass
	try:
		os.kill(pid, 0)
	except OSError:
		break
	time.sleep(0.01)
if names:
	sys.exit(1)
print("%.2f" % (time.time() - t0))'

# zone_lines SERVER FROM TO: the configuration of zones z FROM .. z TO-1
zone_lines() {
	awk -v s="$1" -v a="$2" -v b="$3" -v f="$ZFILE" 'BEGIN {
		for (i = a; i < b; i++)
			if (s ~ /^knot/) printf "  - domain: z%d.test\n    file: %s\n", i, f
			else printf "zone z%d.test %s\n", i, f }'
}

# start SERVER DIR PORT: its configuration in DIR, the server in the background (PID set)
start() {
	local s=$1 d=$2 port=$3
	case "$s" in
	sandnsd)
		{
			echo "listen 127.0.0.1@$port"
			echo "control $d/ctl.sock"
			echo "state-dir $d/state"
			zone_lines sandnsd 0 "$ZONES"
		} >"$d/sandns.conf"
		"$SANDNSD" --foreground --io socket --config "$d/sandns.conf" >"$d/log" 2>&1 &
		;;
	knot | knot-ixfr)
		# knot-ixfr: Knot keeping the differences of each reload (as sandnsd does, for IXFR)
		local diff="zonefile-load: whole" jc=none
		[ "$s" = knot-ixfr ] && diff="zonefile-load: difference" && jc=changes
		mkdir -p "$d/db"
		cat >"$d/knot.conf" <<-EOF
		server:
		    listen: 127.0.0.1@$port
		    rundir: $d
		    background-workers: 2
		database:
		    storage: $d/db
		template:
		  - id: default
		    storage: $d
		    journal-content: $jc
		    $diff
		    zonefile-sync: -1
		log:
		  - target: stderr
		    any: warning
		zone:
		EOF
		zone_lines knot 0 "$ZONES" >>"$d/knot.conf"
		knotd -c "$d/knot.conf" >"$d/log" 2>&1 &
		;;
	esac
	PID=$!
}

reload() { # SERVER DIR
	case "$1" in
	sandnsd) "$SANDNSCTL" --control "$2/ctl.sock" reload >/dev/null ;;
	knot*) knotc -c "$2/knot.conf" reload >/dev/null ;;
	esac
}

# one SERVER: prints "START RELOAD ADD" seconds, or fails; the server is stopped either way (this
# runs in a command substitution: the caller never sees its PID)
one() {
	local s=$1 d port rc
	d=$(mktemp -d "$TMP/$s.XXXX")
	port=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || return 1
	write_zone 1
	measure "$s" "$d" "$port"
	rc=$?
	[ -n "$PID" ] && stop_pid "$PID" 30 "manyzones: $s" >/dev/null 2>&1
	PID=
	return $rc
}

# measure SERVER DIR PORT: starts it (PID) and prints the three figures, or fails
measure() {
	local s=$1 d=$2 port=$3 t0 a b c
	t0=$(date +%s.%N)
	start "$s" "$d" "$port"
	# shellcheck disable=SC2086
	a=$(/usr/bin/python3 -c "$POLL" "$t0" "$port" 1 "$PID" "$TIMEOUT" $PROBES) || { echo "start" >&2; return 1; }
	sleep 1
	write_zone 2
	t0=$(date +%s.%N)
	reload "$s" "$d"
	# shellcheck disable=SC2086
	b=$(/usr/bin/python3 -c "$POLL" "$t0" "$port" 2 "$PID" "$TIMEOUT" $PROBES) || { echo "reload" >&2; return 1; }
	sleep 1
	zone_lines "$s" "$ZONES" $((ZONES + 1)) >>"$d/$([ "$s" = sandnsd ] && echo sandns.conf || echo knot.conf)"
	t0=$(date +%s.%N)
	reload "$s" "$d"
	c=$(/usr/bin/python3 -c "$POLL" "$t0" "$port" 2 "$PID" "$TIMEOUT" "z$ZONES.test.") || { echo "add" >&2; return 1; }
	echo "$a $b $c"
}


echo "manyzones: $ZONES zones, $RUNS runs, git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A A B C
exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
for r in $(seq 1 "$RUNS"); do
	for s in $SERVERS; do
		flock 9
		out=$(one "$s")
		rc=$?
		flock -u 9
		if [ $rc = 0 ]; then
			read -r a b c <<<"$out"
			echo "run $r $s: answering after $a s; reload of every zone $b s; one zone added $c s"
			A[$s]+="$a "
			B[$s]+="$b "
			C[$s]+="$c "
		else
			echo "run $r $s: failed"
		fi
	done
done
echo
echo "| server | start, s | reload of $ZONES changed zones, s | one zone added, s |"
echo "|---|---:|---:|---:|"
for s in $SERVERS; do
	fmt() { read -r m lo hi; echo "$m ($lo..$hi)"; }
	echo "| $s | $(tr ' ' '\n' <<<"${A[$s]:-}" | grep . | stats | fmt) | $(tr ' ' '\n' <<<"${B[$s]:-}" | grep . | stats | fmt) | $(tr ' ' '\n' <<<"${C[$s]:-}" | grep . | stats | fmt) |"
done
