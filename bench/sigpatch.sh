#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sigpatch.sh: a 100-record change to a presigned zone of RECORDS records (default 1,000,000 hosts
# under example.com, the zone of bench/coldstart.sh and bench/sign.sh), side by side for two
# sandnsd builds (SANDNSD_A, the base, and SANDNSD_B): the zone signed once with ldns-signzone
# (NSEC, ECDSA P-256, fixed validity so that a cached copy stays the same; SIGNED=FILE takes one
# signed before), then a copy with CHANGES (100) hosts spread over it at new addresses, their
# A RRSIGs and the SOA's (serial moved forward) changed as a re-signing changes them (signature
# octets: nothing validates them here), the NSEC records untouched (the types stay); NSEC3=1 signs
# with NSEC3 instead (`ldns-signzone -n -t 0`: no salt, no extra iteration, RFC 9276), the NSEC3
# records untouched likewise. Each server
# serves the file (`--keep-zones yes`, so that a reload can compare the versions); once it answers
# the last host, the changed file replaces it and `sandnsctl reload example.com.`: the seconds
# until the last changed host is answered with its new address and an RRSIG (DNSSEC OK), the
# peak resident memory (VmHWM) before and after the reload, and whether the log says the reload
# was patched. RUNS (3) rounds, the builds alternating; medians, min..max; a markdown table last.
#
# SIGNER=sandns: the zone sandns signs itself (`--dnssec "example.com. nsec"`, keys made in the
# run's state directory) from the unsigned file, then a copy with the CHANGES hosts at new
# addresses and the serial moved (bench/sign.sh's): the reload signs them again (the other
# signatures kept) and serves the new signed version (issue 14: "a reload that changes 100
# records of that signed zone: time to serve the re-signed data"). With NSEC3=1 sandns signs it
# with NSEC3 (`--dnssec "example.com. nsec3"`: no salt, no extra iteration).
#
#   SANDNSD_A=/path/base/sandnsd SANDNSD_B=build/control/sandnsd bench/sigpatch.sh
#   RECORDS=100000 RUNS=1 bench/sigpatch.sh
#   NSEC3=1 RECORDS=400000 bench/sigpatch.sh
#   SIGNER=sandns RECORDS=100000 bench/sigpatch.sh
#   SIGNER=sandns NSEC3=1 RECORDS=400000 bench/sigpatch.sh
#   SIGNER=sandns KEEP_ZONES=auto bench/sigpatch.sh   # the default: a large zone not kept
#   RENEW=1 RECORDS=100000 RUNS=2 bench/sigpatch.sh     # the first renewal at its due time
#   LOG_LEVEL=debug KEEP=1 SIGNER=sandns bench/sigpatch.sh  # each run's log says where the reload's
#                                                   # time went (a build that logs its phases)
#   RESTART=1 SIGNER=sandns KEEP_ZONES=auto bench/sigpatch.sh  # the change made while it is down
#
# RESTART=1 (SIGNER=sandns): instead of a reload, the server is stopped once it answers, the
# changed file put in place, and the server started again on the same state directory: the first
# build after a start signs from the version the state directory kept (read back, no walk order
# of its own). The reload column is then the seconds from that exec until the last changed host
# is answered with its new address and an RRSIG, and the last column the signer's "kept
# signatures" phase in ms (its debug log line; that start logs at debug level).
#
# RENEW=1 (issue 14: renewals without a command): the zone sandns signs itself (NSEC) with
# `dnssec-policy bench rrsig-lifetime LIFETIME rrsig-refresh REFRESH` (240 s and 60 s: short, so
# that a renewal comes within minutes; a build with rrsig-jitter takes its default, half of the
# difference), and nothing changed: once answering, the server is left alone until its first
# renewal (the due time its log says, `renewed from`), VmHWM reset through clear_refs just before.
# For each build: the seconds from the due time until the new serial is answered, the CPU
# seconds the server spent over that time (utime + stime, every thread), the peak resident memory
# over it, whether it was patched (the log says "compiled whole" otherwise), and the signatures
# remade (the zone's
# 2 x hosts + 18 RRSIGs less those the log says were kept).
#
# Needs ldns-signzone, ldns-keygen (ldnsutils) and python3-dnspython. Everything listens on
# 127.0.0.1 ports picked here, in a temporary directory (KEEP=1 keeps it). Each run holds
# /tmp/sandns-bench.lock. Only the processes started here are ended, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD_B=${SANDNSD_B:-$ROOT/build/control/sandnsd}
SANDNSD_A=${SANDNSD_A:-$SANDNSD_B}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
CHANGES=${CHANGES:-100}
TIMEOUT=${TIMEOUT:-600}
SIGNED=${SIGNED:-}
NSEC3=${NSEC3:-0}
SIGNER=${SIGNER:-ldns}
KEEP_ZONES=${KEEP_ZONES:-yes}
RENEW=${RENEW:-0}
LIFETIME=${LIFETIME:-240}
REFRESH=${REFRESH:-60}
LOG_LEVEL=${LOG_LEVEL:-info}
RESTART=${RESTART:-0}
[ "$RENEW" = 1 ] && SIGNER=sandns
[ "$RESTART" = 1 ] && [ "$SIGNER" != sandns ] && { echo "sigpatch: RESTART=1 needs SIGNER=sandns" >&2; exit 1; }

die() { echo "sigpatch: $*" >&2; exit 1; }
/usr/bin/python3 -c 'import dns.message' 2>/dev/null || die "python3-dnspython not found (scripts/deps.sh)"
for c in ldns-signzone ldns-keygen flock awk; do
	command -v "$c" >/dev/null || die "$c not found"
done
for b in "$SANDNSD_A" "$SANDNSD_B" "$SANDNSCTL"; do
	[ -x "$b" ] || die "no $b (build first)"
done
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=genzone.sh
. "$ROOT/bench/genzone.sh"
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
bench_tmpdir sigpatch 20

hosts=$((RECORDS - 12))
STEP=$((hosts / CHANGES))
DNSSEC=()
if [ "$SIGNER" = sandns ]; then
	gen_mail_zone "$hosts" 2026120601 >"$TMP/zone.txt" || die "cannot write the zone"
	gen_mail_zone "$hosts" 2026120602 "$CHANGES" >"$TMP/zone.changed" ||
		die "cannot write the changed zone"
	SIGNED=$TMP/zone.txt
	DNSSEC=(--dnssec "example.com. nsec")
	[ "$RENEW" = 1 ] && DNSSEC=(--dnssec-policy "bench rrsig-lifetime $LIFETIME rrsig-refresh $REFRESH"
		--dnssec-signing "example.com. policy bench")
	[ "$NSEC3" = 1 ] && DNSSEC=(--dnssec "example.com. nsec3")
elif [ -z "$SIGNED" ]; then
	gen_mail_zone "$hosts" 2026120601 >"$TMP/zone.txt" || die "cannot write the zone"
	key=$(cd "$TMP" && ldns-keygen -a ECDSAP256SHA256 -k example.com.) || die "ldns-keygen failed"
	denial=(NSEC)
	n3=()
	[ "$NSEC3" = 1 ] && denial=(NSEC3) && n3=(-n -t 0)
	echo "sigpatch: signing $RECORDS records with ldns-signzone (${denial[0]})"
	(cd "$TMP" && ldns-signzone "${n3[@]}" -o example.com. -i 20261201000000 -e 20270601000000 \
		-f zone.signed zone.txt "$key") || die "ldns-signzone failed"
	SIGNED=$TMP/zone.signed
fi
# The changed version: CHANGES hosts at 10.255.y.z, their A signatures and the SOA's changed
# (the first four base64 characters of the signature: the same length), the serial + 1.
[ "$SIGNER" = sandns ] || awk -v step="$STEP" -v changes="$CHANGES" '
function host(o) { return o ~ /^h[0-9][0-9][0-9][0-9][0-9][0-9][0-9]\.example\.com\.$/ ? substr(o, 2, 7) + 0 : -1 }
function changed(h) { return h >= 0 && h % step == step - 1 && int(h / step) < changes }
function resig(line,   n, w, i) {
	n = split(line, w, " ")
	w[n] = (substr(w[n], 1, 4) == "QUJD" ? "REVG" : "QUJD") substr(w[n], 5)
	line = w[1]
	for (i = 2; i <= n; i++) line = line " " w[i]
	return line
}
{
	split($0, f, "\t")
	h = host(f[1])
	if (f[4] == "SOA") { split(f[5], s, " "); sub(" " s[3] " ", " " s[3] + 1 " ", $0); print; next }
	if (f[1] == "example.com." && f[4] == "RRSIG" && f[5] ~ /^SOA /) { print resig($0); next }
	if (changed(h) && f[4] == "A") {
		printf "%s\t%s\t%s\t%s\t10.255.%d.%d\n", f[1], f[2], f[3], f[4], int(h / 256) % 256, h % 256
		next
	}
	if (changed(h) && f[4] == "RRSIG" && f[5] ~ /^A /) { print resig($0); next }
	print
}' "$SIGNED" >"$TMP/zone.changed" || die "cannot write the changed zone"
LAST=$(printf 'h%07d.example.com.' $((hosts - 1)))
WANT=$(printf '10.%d.%d.%d' $(((hosts - 1) / 65536 % 256)) $(((hosts - 1) / 256 % 256)) $(((hosts - 1) % 256)))
CH=$((STEP * CHANGES - 1))
CHNAME=$(printf 'h%07d.example.com.' "$CH")
CHWANT=$(printf '10.255.%d.%d' $((CH / 256 % 256)) $((CH % 256)))
ndiff=$(diff "$SIGNED" "$TMP/zone.changed" | grep -c '^>')
[ "$RENEW" = 1 ] && ndiff=0 && CHNAME="(none: renewals, policy lifetime $LIFETIME s, refresh $REFRESH s)" && CHWANT=
echo "sigpatch: $RECORDS records, $(du -m "$SIGNED" | cut -f1) MiB (signed by $SIGNER); $ndiff records changed" \
	"(the last host $CHNAME $CHWANT); A: $SANDNSD_A, B: $SANDNSD_B"

rss_of() {
	awk -v f="${2:-VmRSS}:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

poll() { /usr/bin/python3 "$HERE/poll_signed.py" "$1" "$PORT" "$2" "$3" "$PID" "$TIMEOUT"; }

# one BIN: prints "COLD_S PEAK_MIB RELOAD_S PEAK_AFTER_MIB PATCHED"; the server stopped after.
one() {
	local bin=$1 t0 cold peak reload after patched D
	PORT=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || return 1
	D=$(mktemp -d "$TMP/run.XXXX")
	cp "$SIGNED" "$D/example.com.zone"
	t0=$(date +%s.%N)
	"$bin" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$D/ctl.sock" \
		--zone "example.com.=$D/example.com.zone" --keep-zones "$KEEP_ZONES" "${DNSSEC[@]}" \
		--state-dir "$D/state" --log-level "$LOG_LEVEL" >"$D/log" 2>&1 &
	PID=$!
	if ! cold=$(poll "$t0" "$LAST" "$WANT"); then
		echo "sigpatch: $bin did not answer (log: $D/log)" >&2
		tail -5 "$D/log" >&2
		stop_pid "$PID" 30 sigpatch >/dev/null 2>&1
		PID=
		return 1
	fi
	peak=$(rss_of "$PID" VmHWM)
	if [ "$RESTART" = 1 ]; then
		stop_pid "$PID" 30 sigpatch >/dev/null 2>&1
		cp "$TMP/zone.changed" "$D/example.com.zone"
		t0=$(date +%s.%N)
		"$bin" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$D/ctl.sock" \
			--zone "example.com.=$D/example.com.zone" --keep-zones "$KEEP_ZONES" \
			"${DNSSEC[@]}" --state-dir "$D/state" --log-level debug >"$D/log2" 2>&1 &
		PID=$!
		reload=$(poll "$t0" "$CHNAME" "$CHWANT") || reload=-
		after=$(rss_of "$PID" VmHWM)
		patched=$(grep -o 'kept signatures [0-9]*' "$D/log2" | head -1 | awk '{ print $3 }')
		stop_pid "$PID" 30 sigpatch >/dev/null 2>&1
		PID=
		echo "$cold $peak $reload $after ${patched:--}"
		return 0
	fi
	cp "$TMP/zone.changed" "$D/example.com.zone.new" && mv "$D/example.com.zone.new" "$D/example.com.zone"
	t0=$(date +%s.%N)
	"$SANDNSCTL" --control "$D/ctl.sock" reload example.com. >/dev/null 2>&1 &
	reload=$(poll "$t0" "$CHNAME" "$CHWANT") || reload=-
	wait $! 2>/dev/null
	sleep 0.5
	after=$(rss_of "$PID" VmHWM)
	patched=no
	grep -q 'patched' "$D/log" && patched=yes
	stop_pid "$PID" 30 sigpatch >/dev/null 2>&1
	PID=
	echo "$cold $peak $reload $after $patched"
}

SOAPOLL='import socket, sys, time, dns.message
port, s0, due, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.01)
while time.time() < due + limit:
    try:
        s.sendto(dns.message.make_query("example.com.", "SOA").to_wire(), ("127.0.0.1", port))
        r = dns.message.from_wire(s.recv(4096))
        if r.answer and r.answer[0][0].serial != s0:
            print("%.3f" % (time.time() - due))
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.01)
sys.exit(1)'

serial_of() {
	/usr/bin/python3 -c 'import socket, sys, dns.message
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(dns.message.make_query("example.com.", "SOA").to_wire(), ("127.0.0.1", int(sys.argv[1])))
print(dns.message.from_wire(s.recv(4096)).answer[0][0].serial)' "$1"
}

# CPU seconds PID has spent (utime + stime of every thread).
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

# renew BIN: prints "COLD_S RENEW_S CPU_S PEAK_MIB PATCHED REMADE"; the server stopped after.
renew() {
	local bin=$1 t0 cold due s0 c0 c1 secs peak patched kept D
	PORT=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || return 1
	D=$(mktemp -d "$TMP/run.XXXX")
	cp "$SIGNED" "$D/example.com.zone"
	t0=$(date +%s.%N)
	"$bin" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$D/ctl.sock" \
		--zone "example.com.=$D/example.com.zone" --keep-zones "$KEEP_ZONES" "${DNSSEC[@]}" \
		--state-dir "$D/state" >"$D/log" 2>&1 &
	PID=$!
	if ! cold=$(poll "$t0" "$LAST" "$WANT"); then
		echo "sigpatch: $bin did not answer (log: $D/log)" >&2
		stop_pid "$PID" 30 sigpatch >/dev/null 2>&1
		PID=
		return 1
	fi
	due=$(grep -o 'renewed from [0-9T:Z-]*' "$D/log" | tail -1 | cut -d' ' -f3)
	due=$(date -d "$due" +%s) || return 1
	while [ "$(date +%s)" -lt $((due - 2)) ]; do sleep 0.5; done
	s0=$(serial_of "$PORT")
	echo 5 >"/proc/$PID/clear_refs"
	c0=$(cpu_of "$PID")
	secs=$(/usr/bin/python3 -c "$SOAPOLL" "$PORT" "$s0" "$due" "$TIMEOUT") || secs=-
	for _ in $(seq 1 600); do
		[ "$(grep -c 'signatures renewed' "$D/log")" -ge 1 ] && break
		sleep 0.1
	done
	c1=$(cpu_of "$PID")
	peak=$(rss_of "$PID" VmHWM)
	# the renewal's lines: from its "signed (" line to "signatures renewed"; a snapshot compiled
	# whole says so there (a patched one is not logged on this path)
	patched=$(awk '/: signed \(/ { n++ } n == 2 && /compiled whole/ { w = 1 }
		/signatures renewed/ { exit } END { print w ? "no" : "yes" }' "$D/log")
	kept=$(grep -o '[0-9]* signatures kept' "$D/log" | sed -n 2p | cut -d' ' -f1)
	stop_pid "$PID" 30 sigpatch >/dev/null 2>&1
	PID=
	echo "$cold $secs $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') $peak $patched" \
		"$((2 * hosts + 18 - ${kept:-0}))"
}

if [ "$RENEW" = 1 ]; then
	declare -A res
	for r in $(seq 1 "$RUNS"); do
		for which in A B; do
			bin=SANDNSD_$which
			out=$( (flock 9 && renew "${!bin}") 9>/tmp/sandns-bench.lock) || out="- - - - - -"
			echo "sigpatch: renewal run $r $which: $out"
			res[$which]+="$out"$'\n'
		done
	done
	med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%s (%s..%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
	echo
	echo "| build | due to new serial served (s) | CPU s over it | peak MiB over it | patched | signatures remade (of $((2 * hosts + 18))) |"
	echo "|---|---|---|---|---|---|"
	for which in A B; do
		col() { printf '%s' "${res[$which]}" | awk -v c="$1" 'NF { print $c }' | grep -v '^-$' | med; }
		p=$(printf '%s' "${res[$which]}" | awk 'NF { print $5 }' | sort | uniq -c | tr '\n' ' ')
		echo "| $which | $(col 2) | $(col 3) | $(col 4) | $p| $(col 6) |"
	done
	exit 0
fi

declare -A res
for r in $(seq 1 "$RUNS"); do
	for which in A B; do
		bin=SANDNSD_$which
		out=$( (flock 9 && one "${!bin}") 9>/tmp/sandns-bench.lock) || out="- - - - -"
		echo "sigpatch: run $r $which: cold ${out%% *} s; $out"
		res[$which]+="$out"$'\n'
	done
done

med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%s (%s..%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
echo
if [ "$RESTART" = 1 ]; then
	echo "| build | first answer (s) | peak MiB served | restart to the change served (s) | peak MiB after | kept signatures (ms) |"
else
	echo "| build | first answer (s) | peak MiB served | reload to the change served (s) | peak MiB after | patched |"
fi
echo "|---|---|---|---|---|---|"
for which in A B; do
	col() { printf '%s' "${res[$which]}" | awk -v c="$1" 'NF { print $c }' | grep -v '^-$' | med; }
	p=$(printf '%s' "${res[$which]}" | awk 'NF { print $5 }' | sort | uniq -c | tr '\n' ' ')
	[ "$RESTART" = 1 ] && p="$(col 5) "
	echo "| $which | $(col 1) | $(col 2) | $(col 3) | $(col 4) | $p|"
done
