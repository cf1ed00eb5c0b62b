#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sign.sh: signing a zone of RECORDS records (default 1,000,000 hosts under example.com, the zone
# of bench/coldstart.sh) from cold, side by side: sandnsd (`--dnssec "example.com. nsec3"`) and
# Knot DNS's automatic signing (dnssec-signing: on; a policy of ecdsap256sha256, one CSK as
# sandns makes, NSEC3 with RFC 9276's parameters: 0 iterations, no salt; signing-threads
# KNOT_THREADS, by default one per online CPU as sandns uses; Knot's own default is 1) sign the
# same file. For each: the seconds from exec until the last host of the file
# is answered with its RRSIG (both serve a zone only once it is signed), and the peak resident
# memory (VmHWM) by then; for sandnsd also when its log says the zone is signed (the rest, until
# it answers, is the compile of the signed zone and its publication). Then, on the running
# server, CHANGES (100) hosts get new addresses: the file replaced and `sandnsctl reload
# example.com.` / `knotc zone-reload example.com`, the seconds until the last changed host is
# answered with its new address and an RRSIG; for Knot also the same number of changes through a
# knotc transaction (zone-begin, zone-set/unset, then zone-commit timed until served: its
# incremental signing, without reading the file). RUNS (3) rounds, the servers alternating;
# medians and min..max; a markdown table last.
#
#   bench/sign.sh                      # needs knotd, knotc, python3-dnspython
#   RECORDS=100000 RUNS=1 bench/sign.sh
#
# Everything listens on 127.0.0.1 ports picked here; each server gets its own copy of the zone
# file, keys and run directory in a temporary directory (KEEP=1 keeps it). Only the processes
# started here are ended, by PID. Each server's run holds /tmp/sandns-bench.lock, so that no
# other benchmark on this machine runs at the same time.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
CHANGES=${CHANGES:-100}
SERVERS=${SERVERS:-sandnsd knot}
TIMEOUT=${TIMEOUT:-900}
CPUS=$(nproc)
KNOT_THREADS=${KNOT_THREADS:-$CPUS}

die() { echo "sign: $*" >&2; exit 1; }
/usr/bin/python3 -c 'import dns.message' 2>/dev/null || die "python3-dnspython not found (scripts/deps.sh)"
for c in knotd knotc flock awk; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh installs knot, knot-dnsutils)"
done
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=genzone.sh
. "$ROOT/bench/genzone.sh"

# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
bench_tmpdir sign 20

# The zone (coldstart.sh's), and a copy with CHANGES hosts, spread over it, at new addresses
# and the serial moved forward.
hosts=$((RECORDS - 12))
gen_mail_zone "$hosts" 2026112601 >"$TMP/zone.orig" || die "cannot write the zone"
gen_mail_zone "$hosts" 2026112602 "$CHANGES" >"$TMP/zone.changed" || die "cannot write the changed zone"
STEP=$((hosts / CHANGES))
LAST=$(printf 'h%07d.example.com.' $((hosts - 1)))
WANT=$(printf '10.%d.%d.%d' $(((hosts - 1) / 65536 % 256)) $(((hosts - 1) / 256 % 256)) $(((hosts - 1) % 256)))
CH=$((STEP * CHANGES - 1))
CHNAME=$(printf 'h%07d.example.com.' "$CH")
CHWANT=$(printf '10.255.%d.%d' $((CH / 256 % 256)) $((CH % 256)))
echo "sign: $RECORDS records ($(du -m "$TMP/zone.orig" | cut -f1) MiB), the last host $LAST $WANT;" \
	"$CHANGES changed, the last $CHNAME $CHWANT; $CPUS CPUs, Knot's signing-threads $KNOT_THREADS"

# rss_of PID [FIELD]: resident MiB of PID (FIELD VmHWM: its peak), one decimal.
rss_of() {
	awk -v f="${2:-VmRSS}:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

# start SERVER PORT: starts it in the background (PID set) on its own copy of the zone.
start() {
	local s=$1 port=$2
	D=$TMP/$s.$port
	mkdir -p "$D/db"
	cp "$TMP/zone.orig" "$D/example.com.zone"
	LOGF=$D.log
	case "$s" in
	sandnsd)
		SOCK=$D/ctl.sock
		"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$port" --control "$SOCK" \
			--zone "example.com.=$D/example.com.zone" --dnssec "example.com. nsec3" \
			--state-dir "$D/state" >"$LOGF" 2>&1 &
		;;
	knot)
		cat >"$D/knot.conf" <<-EOF
		server:
		    listen: 127.0.0.1@$port
		    rundir: $D
		control:
		    listen: $D/knot.sock
		database:
		    storage: $D/db
		policy:
		  - id: bench
		    algorithm: ecdsap256sha256
		    single-type-signing: on
		    nsec3: on
		    nsec3-iterations: 0
		    nsec3-salt-length: 0
		    signing-threads: $KNOT_THREADS
		template:
		  - id: default
		    storage: $D
		    journal-content: none
		    zonefile-sync: -1
		zone:
		  - domain: example.com
		    file: $D/example.com.zone
		    dnssec-signing: on
		    dnssec-policy: bench
		log:
		  - target: stderr
		    any: info
		EOF
		knotd -c "$D/knot.conf" >"$LOGF" 2>&1 &
		;;
	esac
	PID=$!
}


poll() { /usr/bin/python3 "$HERE/poll_signed.py" "$1" "$PORT" "$2" "$3" "$PID" "$TIMEOUT"; }

# knot_txn: CHANGES other hosts (those after the changed ones) moved to 10.254.x.y in a knotc
# transaction, not committed yet (the commit is timed: each knotc call here is a process).
knot_txn() {
	local k=(knotc -c "$D/knot.conf" -s "$D/knot.sock") h
	"${k[@]}" zone-begin example.com >/dev/null || return 1
	for i in $(seq 1 "$CHANGES"); do
		h=$((STEP * i - 2))
		"${k[@]}" zone-unset example.com "$(printf 'h%07d' $h)" A >/dev/null || return 1
		"${k[@]}" zone-set example.com "$(printf 'h%07d' $h)" 3600 A \
			"$(printf '10.254.%d.%d' $((h / 256 % 256)) $((h % 256)))" >/dev/null || return 1
	done
}

# one SERVER: prints "COLD_S PEAK_MIB RELOAD_S PEAK_AFTER_MIB TXN_S KEPT SIGNED" (TXN_S "-" for
# sandnsd; KEPT: the signatures sandnsd says it kept, SIGNED: "SECONDS/PEAK_MIB" when its log
# said the zone was signed, "-" for knot); the server stopped after.
one() {
	local rc
	measure "$@"
	rc=$?
	[ -n "$PID" ] && stop_pid "$PID" 30 "sign: $1" >/dev/null 2>&1
	PID=
	return $rc
}

measure() {
	local s=$1 t0 cold peak reload txn=- h ctl kept=- signed=- watch=
	PORT=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || return 1
	t0=$(date +%s.%N)
	start "$s" "$PORT"
	if [ "$s" = sandnsd ]; then
		(while ! grep -q ': signed (' "$LOGF" 2>/dev/null; do
			kill -0 "$PID" 2>/dev/null || exit 0
			sleep 0.05
		done
		echo "$(date +%s.%N) $(rss_of "$PID" VmHWM)" >"$D/signed_at") &
		watch=$!
	fi
	if ! cold=$(poll "$t0" "$LAST" "$WANT"); then
		echo "sign: $s did not answer $LAST signed (log: $LOGF)" >&2
		tail -5 "$LOGF" >&2
		return 1
	fi
	peak=$(rss_of "$PID" VmHWM)
	if [ -n "$watch" ]; then
		wait "$watch"
		[ -s "$D/signed_at" ] &&
			signed=$(awk -v a="$t0" '{ printf "%.2f/%s", $1 - a, $2 }' "$D/signed_at")
	fi
	cp "$TMP/zone.changed" "$D/example.com.zone"
	t0=$(date +%s.%N)
	if [ "$s" = sandnsd ]; then
		"$SANDNSCTL" --control "$SOCK" reload example.com. >/dev/null 2>&1 &
	else
		knotc -c "$D/knot.conf" -s "$D/knot.sock" zone-reload example.com >/dev/null 2>&1 &
	fi
	ctl=$!
	if ! reload=$(poll "$t0" "$CHNAME" "$CHWANT"); then
		echo "sign: $s did not answer $CHNAME $CHWANT signed after the reload (log: $LOGF)" >&2
		tail -5 "$LOGF" >&2
		return 1
	fi
	wait "$ctl"
	if [ "$s" = sandnsd ]; then
		kept=$(grep -o 'signed ([^)]*)' "$LOGF" | tail -1 | grep -o '[0-9]* signatures kept' |
			awk '{print $1}')
	fi
	if [ "$s" = knot ]; then
		h=$((STEP * CHANGES - 2))
		if knot_txn; then
			t0=$(date +%s.%N)
			knotc -c "$D/knot.conf" -s "$D/knot.sock" zone-commit example.com >/dev/null 2>&1 &
			ctl=$!
			txn=$(poll "$t0" "$(printf 'h%07d.example.com.' $h)" \
				"$(printf '10.254.%d.%d' $((h / 256 % 256)) $((h % 256)))") || txn=-
			wait "$ctl"
		fi
	fi
	echo "$cold $peak $reload $(rss_of "$PID" VmHWM) $txn ${kept:--} $signed"
	return 0
}

# median / min / max of the numbers on stdin

declare -A C P R Q X G H
exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
for r in $(seq 1 "$RUNS"); do
	for s in $SERVERS; do
		flock 9
		out=$(one "$s")
		rc=$?
		flock -u 9
		if [ $rc = 0 ]; then
			read -r cold peak reload after txn kept signed <<<"$out"
			echo "run $r $s: signed and answering after $cold s, peak $peak MiB;" \
				"$CHANGES changes served signed $reload s after the reload (peak then $after MiB)" \
				"$([ "$txn" != - ] && echo "; through a transaction: $txn s")"
			[ "$signed" != - ] && echo "    its log said signed after ${signed%/*} s, peak by then" \
				"${signed#*/} MiB (then compiled and published)"
			[ "$kept" != - ] && echo "    the reload kept $kept signatures"
			[ "$signed" != - ] && G[$s]+="${signed%/*} " && H[$s]+="${signed#*/} "
			C[$s]+="$cold "
			P[$s]+="$peak "
			R[$s]+="$reload "
			Q[$s]+="$after "
			[ "$txn" != - ] && X[$s]+="$txn "
		else
			echo "run $r $s: failed"
		fi
	done
done

echo
echo "| server | signed and answering, s (median, min..max) | peak MiB (VmHWM) | $CHANGES changes: reload to served signed, s | peak MiB after | knotc zone-commit, s |"
echo "|---|---:|---:|---:|---:|---:|"
for s in $SERVERS; do
	read -r cm cl ch <<<"$(tr ' ' '\n' <<<"${C[$s]:-}" | grep . | stats)"
	read -r pm pl ph <<<"$(tr ' ' '\n' <<<"${P[$s]:-}" | grep . | stats)"
	read -r rm rl rh <<<"$(tr ' ' '\n' <<<"${R[$s]:-}" | grep . | stats)"
	read -r qm ql qh <<<"$(tr ' ' '\n' <<<"${Q[$s]:-}" | grep . | stats)"
	read -r xm xl xh <<<"$(tr ' ' '\n' <<<"${X[$s]:-}" | grep . | stats)"
	echo "| $s | $cm ($cl..$ch) | $pm ($pl..$ph) | $rm ($rl..$rh) | $qm ($ql..$qh) | $xm ($xl..$xh) |"
done
for s in $SERVERS; do
	[ -n "${G[$s]:-}" ] || continue
	read -r gm gl gh <<<"$(tr ' ' '\n' <<<"${G[$s]}" | grep . | stats)"
	read -r hm hl hh <<<"$(tr ' ' '\n' <<<"${H[$s]}" | grep . | stats)"
	echo "$s: its log said signed after $gm s ($gl..$gh), peak $hm MiB ($hl..$hh) by then;" \
		"the rest is the compile and publication"
done
echo "($RECORDS records, $CHANGES changes, $RUNS runs each, $CPUS CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'))"
