#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# zonerepl.sh: what a reload costs when one zone of two large ones changed and the zones are not
# kept in memory, and when nothing changed and they are; two builds side by side. sandnsd serves
# example.com. (HOSTS one-A-record names, genzone.sh) and example.net. (NET_HOSTS, HOSTS unless
# set). Per run and build:
#   replace   keep-zones KEEP_ZONES (no unless set; `auto` keeps no zone above 250,000 records):
#             one record of example.net. changed (and its serial), `sandnsctl reload`; the time
#             until sandnsd answers the new address, its peak resident memory over that time
#             (VmHWM, reset before through clear_refs) and before, and whether its log says the
#             zone was replaced by a patch or the snapshot compiled whole;
#   nochange  keep-zones yes, nothing changed, `sandnsctl reload` (which returns once the
#             snapshot is published); its time, and whether the log says the snapshot was shared.
# BUILDS alternate run by run: BASE_BUILD (the base's build directory) then BUILD (this tree's),
# RUNS (3) times; medians and min..max per build. CASES ("replace nochange") the cases run. KEEP=1
# keeps the logs. Holds /tmp/sandns-bench.lock while it measures. Loopback only; ends only the
# servers it started, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BASE_BUILD=${BASE_BUILD:?BASE_BUILD: the build directory of the base to compare with}
HOSTS=${HOSTS:-1000000}
NET_HOSTS=${NET_HOSTS:-$HOSTS}
KEEP_ZONES=${KEEP_ZONES:-no}
CASES=${CASES:-replace nochange}
RUNS=${RUNS:-3}
KDIG=${KDIG:-kdig}

# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=genzone.sh
. "$HERE/genzone.sh"

die() { echo "zonerepl: $*" >&2; exit 1; }
command -v "$KDIG" >/dev/null || die "kdig is needed"
bench_tmpdir zonerepl 30

stop_all() {
	[ -n "$PID" ] && stop_pid "$PID" 30 "zonerepl: sandnsd" >/dev/null 2>&1
	PID=
}
trap 'stop_all; bench_cleanup' EXIT

gen_mail_zone "$HOSTS" 1 >"$TMP/example.com.zone"
gen_mail_zone "$NET_HOSTS" 1 | sed 's/^\$ORIGIN example\.com\./$ORIGIN example.net./' >"$TMP/net.orig"
# The change: h0000007's address and the serial.
sed -e 's/^\(@ IN SOA ns1 hostmaster\) 1 /\1 2 /' -e 's/^h0000007 IN A .*/h0000007 IN A 10.254.0.7/' \
	"$TMP/net.orig" >"$TMP/net.changed"
cmp -s "$TMP/net.orig" "$TMP/net.changed" && die "the change did not apply"

now_ms() { date +%s%3N; }
# answered_within NAME ADDRESS SECONDS: sandnsd answers NAME A with ADDRESS within SECONDS
answered_within() {
	local end=$(($(now_ms) + $3 * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		[ "$("$KDIG" @127.0.0.1 -p "$PORT" +short +time=1 +retry=0 "$1" A 2>/dev/null)" = "$2" ] &&
			return 0
		sleep 0.01
	done
	return 1
}
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$PID/status"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }

# start BUILD_DIR DIR KEEP: sandnsd of BUILD_DIR serving both zones (keep-zones KEEP) from DIR
start() {
	local bdir=$1 d=$2
	mkdir -p "$d"
	cp "$TMP/example.com.zone" "$d/example.com.zone"
	cp "$TMP/net.orig" "$d/example.net.zone"
	# Written well before sandnsd reads them, as on a server (a file modified within a second
	# before its reading is read again at every reload).
	touch -d '-1 minute' "$d"/*.zone
	PORT=$(pick_port $((20000 + ($$ + RANDOM) % 12000))) || die "no free port"
	cat >"$d/sandnsd.conf" <<CONF
listen 127.0.0.1@$PORT
control $d/s.sock
state-dir $d/state
keep-zones $3
zone example.com. $d/example.com.zone
zone example.net. $d/example.net.zone
CONF
	"$bdir/control/sandnsd" --foreground --io socket --config "$d/sandnsd.conf" >"$d/log" 2>&1 &
	PID=$!
	wait_serving "$d/log" "$PID" 300 || die "sandnsd did not start: $(tail -3 "$d/log")"
	sleep 3 # the work after the first snapshot settled (transfer orders, zones freed)
	answered_within h0000007.example.net. 10.0.0.7 30 || die "not answering example.net."
}

# run_one BUILD_DIR LABEL N: one run of each case; appends "LABEL CASE MS PEAK_MB BEFORE_MB HOW"
run_one() {
	local bdir=$1 label=$2 n=$3 d t0 t1 before how
	case " $CASES " in *" replace "*)
		d="$TMP/$label.$n.replace"
		start "$bdir" "$d" "$KEEP_ZONES"
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		cp "$TMP/net.changed" "$d/example.net.zone.new"
		mv "$d/example.net.zone.new" "$d/example.net.zone"
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/s.sock" reload >/dev/null || die "$label: reload failed"
		answered_within h0000007.example.net. 10.254.0.7 120 || die "$label: the change is not served"
		t1=$(now_ms)
		sleep 1
		how=whole
		grep -q "snapshot patched: zone example.net. replaced" "$d/log" && how=replaced
		echo "$label replace $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $how" >>"$TMP/results"
		answered_within h0000007.example.com. 10.0.0.7 5 || die "$label: example.com. lost"
		stop_all
		;;
	esac
	case " $CASES " in *" nochange "*)
		d="$TMP/$label.$n.nochange"
		start "$bdir" "$d" yes
		before=$(rss_kb)
		echo 5 >"/proc/$PID/clear_refs"
		t0=$(now_ms)
		"$bdir/control/sandnsctl" --control "$d/s.sock" reload >/dev/null || die "$label: reload failed"
		t1=$(now_ms)
		how=whole
		grep -q "snapshot patched: no zone's data changed" "$d/log" && how=shared
		echo "$label nochange $((t1 - t0)) $(($(hwm_kb) / 1024)) $((before / 1024)) $how" >>"$TMP/results"
		answered_within h0000007.example.net. 10.0.0.7 5 || die "$label: example.net. lost"
		stop_all
		;;
	esac
}

exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
flock 9
: >"$TMP/results"
for n in $(seq 1 "$RUNS"); do
	run_one "$BASE_BUILD" base "$n"
	run_one "$BUILD" new "$n"
done
flock -u 9
echo "zonerepl: example.com. and example.net., $HOSTS and $NET_HOSTS hosts; replace: keep-zones $KEEP_ZONES," \
	"nochange: keep-zones yes; $RUNS runs per build (ms; MB)"
printf '%-6s %-9s %-22s %-22s %-22s %s\n' build case "ms median (min..max)" "peak RSS MB" \
	"RSS before MB" "snapshot"
for c in replace nochange; do
	for b in base new; do
		ms=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $3 }' "$TMP/results" | stats)
		pk=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $4 }' "$TMP/results" | stats)
		bf=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $5 }' "$TMP/results" | stats)
		how=$(awk -v b=$b -v c=$c '$1 == b && $2 == c { print $6 }' "$TMP/results" | sort | uniq -c |
			awk '{ s = s (NR > 1 ? ", " : "") $2 " x" $1 } END { print s }')
		[ -z "$how" ] && continue
		read -r m1 m2 m3 <<<"$ms"
		read -r p1 p2 p3 <<<"$pk"
		read -r f1 f2 f3 <<<"$bf"
		printf '%-6s %-9s %-22s %-22s %-22s %s\n' "$b" "$c" "$m1 ($m2..$m3)" "$p1 ($p2..$p3)" \
			"$f1 ($f2..$f3)" "$how"
	done
done
