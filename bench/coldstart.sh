#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# coldstart.sh: a zone of RECORDS records (default 1,000,000 hosts under example.com) from a cold
# start, side by side: sandnsd (socket mode, with the sample certificate: the policy applied),
# Knot DNS and NSD load the same file; for each, the seconds from exec until the last host of
# the file is answered, and the resident memory: when it first answers, SETTLE (3) seconds later
# (what it keeps while serving) and its peak (VmHWM) by then. RUNS (3) runs each, medians and
# min..max; a markdown table last.
#
#   bench/coldstart.sh                 # as root or not; needs knotd, nsd, python3-dnspython
#   RECORDS=200000 RUNS=1 bench/coldstart.sh
#
# Everything listens on 127.0.0.1 ports picked here; knotd and nsd get their own configuration
# and run directories in a temporary directory (KEEP=1 keeps it). Only the processes started
# here are ended, by PID. Measured runs hold /tmp/sandns-bench.lock, so that no other benchmark
# on this machine runs at the same time.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
SERVERS=${SERVERS:-sandnsd knot nsd}
TIMEOUT=${TIMEOUT:-120}
SETTLE=${SETTLE:-3}

die() { echo "coldstart: $*" >&2; exit 1; }
/usr/bin/python3 -c 'import dns.message' 2>/dev/null || die "python3-dnspython not found (scripts/deps.sh)"
for c in knotd nsd flock awk; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs knot, knot-dnsutils, nsd)"
done
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=genzone.sh
. "$ROOT/bench/genzone.sh"

# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
bench_tmpdir coldstart 10

# The zone: the sample's mail server and autodiscover, then hosts h0000000... with addresses.
ZONE=$TMP/example.com.zone
hosts=$((RECORDS - 12))
gen_mail_zone "$hosts" 2026112601 >"$ZONE" || die "cannot write $ZONE"
LAST=$(printf 'h%07d.example.com.' $((hosts - 1)))
WANT=$(printf '10.%d.%d.%d' $(((hosts - 1) / 65536 % 256)) $(((hosts - 1) / 256 % 256)) $(((hosts - 1) % 256)))
echo "coldstart: $RECORDS records ($(du -m "$ZONE" | cut -f1) MiB), the last host $LAST $WANT"

# rss_of PID [FIELD]: resident MiB of PID and its children (nsd forks its servers), one decimal;
# FIELD VmHWM gives their peaks instead (each process's own, summed).
rss_of() {
	local pids kb=0 p r field=${2:-VmRSS}
	pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
	for p in $pids; do
		r=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null)
		kb=$((kb + ${r:-0}))
	done
	awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'
}

# start SERVER PORT: starts it in the background (PID set), its output in $LOGF; each start gets
# a directory of its own (a stopped nsd's children may still be leaving the previous one).
start() {
	local s=$1 port=$2 d=$TMP/$1.$2
	mkdir -p "$d"
	LOGF=$d.log
	case "$s" in
	sandnsd)
		"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$port" \
			--zone "example.com.=$ZONE" --cert "$ROOT/zones/sample/mail.example.com.pem" \
			--state-dir "$d/state" >"$d.log" 2>&1 &
		;;
	knot)
		cat >"$d/knot.conf" <<-EOF
		server:
		    listen: 127.0.0.1@$port
		    rundir: $d
		    background-workers: 1
		database:
		    storage: $d/db
		template:
		  - id: default
		    storage: $TMP
		    journal-content: none
		    zonefile-sync: -1
		zone:
		  - domain: example.com
		    file: $ZONE
		log:
		  - target: stderr
		    any: notice
		EOF
		knotd -c "$d/knot.conf" >"$d.log" 2>&1 &
		;;
	nsd)
		cat >"$d/nsd.conf" <<-EOF
		server:
		    ip-address: 127.0.0.1
		    port: $port
		    username: ""
		    chroot: ""
		    database: ""
		    zonelistfile: "$d/zone.list"
		    xfrdfile: "$d/xfrd.state"
		    xfrdir: "$d"
		    pidfile: "$d/nsd.pid"
		    logfile: "$d/nsd.log"
		    server-count: 1
		    rrl-ratelimit: 0
		remote-control:
		    control-enable: no
		zone:
		    name: example.com
		    zonefile: "$ZONE"
		EOF
		nsd -d -c "$d/nsd.conf" >"$d.log" 2>&1 &
		;;
	esac
	PID=$!
}

# Asks NAME A of 127.0.0.1:PORT every 10 ms (each try waits 10 ms) until the answer is ADDR or
# PID ends; prints the seconds since T0 (a time.time() value). One process: no start-up per try.
POLL='import socket, sys, time, os
import dns.message
t0, port, name, want, pid, limit = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.01)
while time.time() - t0 < limit:
	q = dns.message.make_query(name, "A")
	try:
		s.sendto(q.to_wire(), ("127.0.0.1", port))
		r = dns.message.from_wire(s.recv(4096))
		# any reply counts: a slow one may answer an earlier try
		if any(rd.to_text() == want for rr in r.answer for rd in rr):
			print("%.2f" % (time.time() - t0))
			sys.exit(0)
	except (socket.timeout, ConnectionRefusedError, dns.exception.DNSException):
		pass
	except Exception as e:
		print("poll:", repr(e), file=sys.stderr)
	try:
		os.kill(pid, 0)
	except OSError:
		break
	time.sleep(0.01)
sys.exit(1)'

# one SERVER: prints "SECONDS RSS_MIB SETTLED_MIB PEAK_MIB", or fails: resident memory when it
# first answers, SETTLE seconds later (what it keeps while serving), and its peak by then.
one() {
	local s=$1 port t0 secs
	port=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || return 1
	t0=$(date +%s.%N)
	start "$s" "$port"
	if secs=$(/usr/bin/python3 -c "$POLL" "$t0" "$port" "$LAST" "$WANT" "$PID" "$TIMEOUT"); then
		local first
		first=$(rss_of "$PID")
		sleep "$SETTLE"
		echo "$secs $first $(rss_of "$PID") $(rss_of "$PID" VmHWM)"
		stop_pid "$PID" 20 "coldstart: $s" >/dev/null 2>&1
		PID=
		return 0
	fi
	echo "coldstart: $s did not answer $LAST (log: $LOGF)" >&2
	tail -5 "$LOGF" >&2
	stop_pid "$PID" 20 "coldstart: $s" >/dev/null 2>&1
	PID=
	return 1
}

# median / min / max of the numbers on stdin

declare -A T M S P
exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
for r in $(seq 1 "$RUNS"); do
	for s in $SERVERS; do
		flock 9
		out=$(one "$s")
		rc=$?
		flock -u 9
		if [ $rc = 0 ]; then
			read -r secs first settled peak <<<"$out"
			echo "run $r $s: answering after $secs s; resident MiB: $first then, $settled ${SETTLE} s later, peak $peak"
			T[$s]+="$secs "
			M[$s]+="$first "
			S[$s]+="$settled "
			P[$s]+="$peak "
		else
			echo "run $r $s: failed"
		fi
	done
done

echo
echo "| server | answering after, s (median, min..max) | resident MiB at the first answer | ${SETTLE} s later | peak (VmHWM) |"
echo "|---|---:|---:|---:|---:|"
for s in $SERVERS; do
	read -r tm tl th <<<"$(tr ' ' '\n' <<<"${T[$s]:-}" | grep . | stats)"
	read -r mm ml mh <<<"$(tr ' ' '\n' <<<"${M[$s]:-}" | grep . | stats)"
	read -r sm sl sh <<<"$(tr ' ' '\n' <<<"${S[$s]:-}" | grep . | stats)"
	read -r pm pl ph <<<"$(tr ' ' '\n' <<<"${P[$s]:-}" | grep . | stats)"
	echo "| $s | $tm ($tl..$th) | $mm ($ml..$mh) | $sm ($sl..$sh) | $pm ($pl..$ph) |"
done
echo "($RECORDS records, $RUNS runs each, $(date -u '+%Y-%m-%d %H:%M UTC'))"
