#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# signkeep.sh: the time to answer after a restart of a zone sandnsd signs, with and without the
# signed zone it kept in its state directory. The zone of bench/sign.sh (RECORDS records, default
# 100,000 hosts under example.com, NSEC3, one CSK) is signed once from cold (keys made, the signed
# zone saved as STATE-DIR/example.com.signed); then RUNS (3) rounds of two restarts each: "kept"
# (the file there: served as it was) and "anew" (the file removed first: every signature made
# again, as every restart did before the file existed), alternating. Each: the seconds from exec
# until the last host of the file is answered with its RRSIG (a DO query every 10 ms), the peak
# resident memory (VmHWM) by then, and whether the SOA serial is the one served before the restart.
#
#   bench/signkeep.sh                      # needs python3-dnspython
#   RECORDS=1000000 RUNS=2 bench/signkeep.sh
#
# Listens on 127.0.0.1 ports picked here; its files in a temporary directory (KEEP=1 keeps it).
# Only the processes started here are ended, by PID. Each server run holds /tmp/sandns-bench.lock.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
RECORDS=${RECORDS:-100000}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-900}

die() { echo "signkeep: $*" >&2; exit 1; }
/usr/bin/python3 -c 'import dns.message' 2>/dev/null || die "python3-dnspython not found (scripts/deps.sh)"
command -v flock >/dev/null || die "flock not found"
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=genzone.sh
. "$ROOT/bench/genzone.sh"
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
bench_tmpdir signkeep 30

hosts=$((RECORDS - 12))
gen_mail_zone "$hosts" 2026112601 >"$TMP/example.com.zone" || die "cannot write the zone"
LAST=$(printf 'h%07d.example.com.' $((hosts - 1)))
WANT=$(printf '10.%d.%d.%d' $(((hosts - 1) / 65536 % 256)) $(((hosts - 1) / 256 % 256)) $(((hosts - 1) % 256)))
STATE=$TMP/state
LOGF=$TMP/sandnsd.log
echo "signkeep: $RECORDS records ($(du -m "$TMP/example.com.zone" | cut -f1) MiB), the last host" \
	"$LAST $WANT; $(nproc) CPUs"

rss_of() {
	awk -v f="${2:-VmRSS}:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

SERIAL='import socket, sys, dns.message
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(dns.message.make_query("example.com.", "SOA").to_wire(), ("127.0.0.1", int(sys.argv[1])))
print(dns.message.from_wire(s.recv(4096)).answer[0][0].serial)'

# run: sandnsd started, timed until it answers the last host signed; prints "SECONDS PEAK SERIAL";
# waits for the signed zone to be saved when it was signed anew, then stops it.
run() {
	local t0 secs peak serial
	PORT=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || return 1
	t0=$(date +%s.%N)
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
		--zone "example.com.=$TMP/example.com.zone" --dnssec "example.com. nsec3" \
		--state-dir "$STATE" >"$LOGF" 2>&1 &
	PID=$!
	if ! secs=$(/usr/bin/python3 "$HERE/poll_signed.py" "$t0" "$PORT" "$LAST" "$WANT" "$PID" "$TIMEOUT"); then
		echo "signkeep: sandnsd did not answer $LAST signed (log: $LOGF)" >&2
		tail -5 "$LOGF" >&2
		return 1
	fi
	peak=$(rss_of "$PID" VmHWM)
	serial=$(/usr/bin/python3 -c "$SERIAL" "$PORT")
	if grep -q ': signed (' "$LOGF"; then
		for _ in $(seq 1 $((TIMEOUT * 10))); do
			grep -q 'signed zone saved to' "$LOGF" && break
			sleep 0.1
		done
		grep -o 'signed zone saved to .*' "$LOGF" >&2
	fi
	stop_pid "$PID" 30 "signkeep: sandnsd" >/dev/null 2>&1
	PID=
	echo "$secs $peak $serial"
}

exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
flock 9
read -r cold cpeak serial0 <<<"$(run)" || die "the first start failed"
flock -u 9
[ -n "$cold" ] || die "the first start failed"
echo "first start (keys made, signed from cold): answering after $cold s, peak $cpeak MiB," \
	"serial $serial0; $(stat -c %s "$STATE/example.com.signed") bytes kept"
declare -A T P S
for r in $(seq 1 "$RUNS"); do
	for mode in kept anew; do
		[ "$mode" = anew ] && rm -f "$STATE/example.com.signed"
		flock 9
		out=$(run)
		flock -u 9
		read -r secs peak serial <<<"$out"
		if [ -z "$secs" ]; then
			echo "run $r $mode: failed"
			continue
		fi
		same=no
		[ "$serial" = "$serial0" ] && same=yes
		echo "run $r $mode: answering after $secs s, peak $peak MiB, serial $serial (the one" \
			"before: $same)"
		T[$mode]+="$secs "
		P[$mode]+="$peak "
		[ "$mode" = kept ] && S[$mode]+="$same "
		# the next restart starts from what this one served (and saved, when it signed)
		serial0=$serial
	done
done

echo
echo "| restart | answering signed, s (median, min..max) | peak MiB (VmHWM) |"
echo "|---|---:|---:|"
for mode in anew kept; do
	read -r tm tl th <<<"$(tr ' ' '\n' <<<"${T[$mode]:-}" | grep . | stats)"
	read -r pm pl ph <<<"$(tr ' ' '\n' <<<"${P[$mode]:-}" | grep . | stats)"
	echo "| $mode | $tm ($tl..$th) | $pm ($pl..$ph) |"
done
echo "kept restarts serving the serial served before: ${S[kept]:-none}"
echo "($RECORDS records, $RUNS runs each, $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'))"
