#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# propagation.sh: the fleet, side by side in one run, everything on 127.0.0.1.
#
# Part 1, propagation: one Knot DNS primary, three secondaries, NOTIFY from the primary. ROUNDS
# (20) rounds, each measuring in turn:
#   knot->sandns   a change committed on the Knot primary (knotc zone-begin/zone-set before the
#                  clock starts, zone-commit timed) until all three sandnsd secondaries serve it
#   knot->knot     the same to three Knot secondaries
#   sandns->knot   sandnsd as the primary (NOTIFY out, IXFR out from its history): its file
#                  replaced by the next version (before the clock), `sandnsctl reload ZONE` timed,
#                  until the same three Knot secondaries serve it
# Each setup has its own zone (pa.test, pb.test, pc.test), so a change wakes only its own
# secondaries; all processes run throughout. The clock starts just before the committing command;
# each secondary is asked for the zone's SOA every INTERVAL (3 ms) over UDP, a reply counting when
# it is received (bench/propagation.py wait): no client timeout quantizes the figures.
#
# Part 2, a RECORDS (1,000,000) record secondary zone receiving an IXFR of CHANGES (100) changed
# records: a Knot primary, one sandnsd and one Knot secondary, both NOTIFYed by the same commit
# (they run at the same time). BIG_RUNS (3) commits; for each, the seconds until each secondary
# serves the new serial, and the resident memory of each (before, the peak sampled every 10 ms
# and VmHWM reset at the commit, SETTLE (3) s after the last one serves it); sandnsd's phases from
# the time stamps of its log, the primary's log and its copy on disk (the IXFR applied to the
# version held in memory and handed over: "IXFR from" logged; reloaded: compiled and published;
# then, off that path, the copy written: its temporary file appears, then it replaces the copy).
#
#   bash bench/propagation.sh                   # both parts
#   bash bench/propagation.sh --quick           # a smoke check, under a minute
#   PARTS=1 ROUNDS=10 bash bench/propagation.sh
#
# Environment: SANDNSD, SANDNSCTL (build/control/...), ROUNDS (20), ZONE_RECORDS (1000, part 1's
# zones), RECORDS (1000000), CHANGES (100), BIG_RUNS (3), PARTS ("1 2"), INTERVAL (0.003),
# SETTLE (3), KEEP=1 keeps the temporary directory (configurations, time-stamped logs,
# results.jsonl). Measured runs hold /tmp/sandns-bench.lock (LOCK). Needs knotd, knotc, python3;
# root is not needed. Only the processes started here are ended, by PID; every wait is bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}
PY=/usr/bin/python3
HELPER=$HERE/propagation.py
QUICK=0
[ "${1:-}" = --quick ] && QUICK=1
if [ "$QUICK" = 1 ]; then
	ROUNDS=${ROUNDS:-3}
	RECORDS=${RECORDS:-20000}
	BIG_RUNS=${BIG_RUNS:-1}
	SETTLE=${SETTLE:-0.5}
	ZONE_RECORDS=${ZONE_RECORDS:-200}
fi
ROUNDS=${ROUNDS:-20}
ZONE_RECORDS=${ZONE_RECORDS:-1000}
RECORDS=${RECORDS:-1000000}
CHANGES=${CHANGES:-100}
BIG_RUNS=${BIG_RUNS:-3}
PARTS=${PARTS:-1 2}
INTERVAL=${INTERVAL:-0.003}
SETTLE=${SETTLE:-3}

die() { echo "propagation: $*" >&2; exit 1; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
{ [ -n "$KNOTD" ] && [ -n "$KNOTC" ]; } || die "knotd/knotc not found (scripts/deps.sh installs knot)"
for c in awk flock ss; do command -v "$c" >/dev/null || die "$c not found"; done
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

TMP=$(mktemp -d /tmp/sandns-propagation.XXXXXX)
PIDS=()
# shellcheck disable=SC2317 # reached through the trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p" 20 "propagation: pid $p" >/dev/null 2>&1; done
	if [ "${KEEP:-0}" = 1 ]; then echo "propagation: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NPORT=0
# port: a free port, never one handed out before in this run (sets P)
port() {
	NPORT=$((NPORT + 1))
	P=$(pick_port $((20000 + ($$ * 13 + NPORT * 211) % 12000))) || die "no free port"
}

# stamped LOG CMD...: CMD in the background, its output time-stamped into LOG; sets SPID (CMD's)
stamped() {
	local log=$1
	shift
	"$@" > >("$PY" "$HELPER" stamp >"$log") 2>&1 &
	SPID=$!
	PIDS+=("$SPID")
}

# soa PORT ZONE: the serial served (empty when none)
soa() {
	kdig @127.0.0.1 -p "$1" +norec +time=1 +retry=0 +short "$2" SOA 2>/dev/null | awk '{ print $3 }'
}
# until_serial SECONDS WANT ZONE PORT...: every PORT serves ZONE at serial WANT within SECONDS
until_serial() {
	local secs=$1 want=$2 zone=$3 p ok
	shift 3
	for _ in $(seq 1 $((secs * 10))); do
		ok=1
		for p in "$@"; do [ "$(soa "$p" "$zone")" = "$want" ] || { ok=0; break; }; done
		[ "$ok" = 1 ] && return 0
		sleep 0.1
	done
	for p in "$@"; do echo "propagation: $zone at port $p: serial '$(soa "$p" "$zone")', want $want" >&2; done
	return 1
}

# zone_file ORIGIN SERIAL HOSTS: a zone with an SOA (refresh an hour: only NOTIFY brings changes),
# two NS, then HOSTS A records h0000000... (coldstart.sh's generator)
zone_file() {
	awk -v o="$1" -v s="$2" -v n="$3" 'BEGIN {
		printf "$ORIGIN %s\n$TTL 3600\n", o
		printf "@ IN SOA ns1 hostmaster %d 3600 60 1209600 300\n", s
		print "@ IN NS ns1\n@ IN NS ns2\nns1 IN A 198.18.4.53\nns2 IN A 198.18.5.53"
		for (h = 0; h < n; h++)
			printf "h%07d IN A 10.%d.%d.%d\n", h, int(h / 65536) % 256, int(h / 256) % 256, h % 256
	}'
}

# knot_conf DIR PORT: the server part of a Knot configuration (one UDP and one TCP worker, as
# sandnsd's default of one UDP worker; logs to stderr, time-stamped by the caller)
knot_conf() {
	mkdir -p "$1/db"
	cat <<-EOF
	server:
	    rundir: "$1"
	    listen: 127.0.0.1@$2
	    udp-workers: 1
	    tcp-workers: 1
	database:
	    storage: "$1/db"
	log:
	  - target: stderr
	    any: info
	EOF
}
knotc_at() { local d=$1; shift; "$KNOTC" -c "$d/knot.conf" -t 20 "$@"; }

# stats: "median p90 min max" of the numbers on stdin (p90: the value at rank ceil(0.9 n))
stats() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		r = int(0.9 * NR); if (r < 0.9 * NR) r++; printf "%.4f %.4f %.4f %.4f\n", m, v[r], v[1], v[NR] }'
}
jget() { "$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); v = eval(sys.argv[2], {"d": d}); print("-" if v is None else v)' "$1" "$2"; }

exec 9>"${LOCK:-/tmp/sandns-bench.lock}"
echo "propagation: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), knotd $("$KNOTD" --version | awk '{ print $NF }')"
echo "propagation: load: $(uptime | sed 's/.*load average/load average/')"
flock -w 600 9 || die "another benchmark holds ${LOCK:-/tmp/sandns-bench.lock}"

# ================================================================ part 1: propagation
part1() {
	local d=$TMP/p1 i r s k want cur out line kp sp names
	mkdir -p "$d/kp" "$d/sp"
	port; kp=$P
	port; sp=$P
	local SPORTS=() KPORTS=()
	for i in 1 2 3; do port; SPORTS+=("$P"); done
	for i in 1 2 3; do port; KPORTS+=("$P"); done
	for z in pa pb pc; do zone_file "$z.test." 1 "$ZONE_RECORDS" >"$d/$z.zone"; done
	cp "$d/pa.zone" "$d/pb.zone" "$d/kp/"

	# the Knot primary: pa.test NOTIFYs the sandnsd secondaries, pb.test the Knot ones
	{
		knot_conf "$d/kp" "$kp"
		echo "remote:"
		for i in 1 2 3; do printf '  - id: s%d\n    address: 127.0.0.1@%s\n' "$i" "${SPORTS[i - 1]}"; done
		for i in 1 2 3; do printf '  - id: k%d\n    address: 127.0.0.1@%s\n' "$i" "${KPORTS[i - 1]}"; done
		cat <<-EOF
		acl:
		  - id: xfr
		    address: 127.0.0.0/8
		    action: transfer
		template:
		  - id: default
		    storage: "$d/kp"
		    zonefile-sync: -1
		    zonefile-load: whole
		    journal-content: changes
		    serial-policy: increment
		    semantic-checks: off
		    acl: xfr
		zone:
		  - domain: pa.test.
		    file: pa.zone
		    notify: [s1, s2, s3]
		  - domain: pb.test.
		    file: pb.zone
		    notify: [k1, k2, k3]
		EOF
	} >"$d/kp/knot.conf"
	stamped "$d/kp.log" "$KNOTD" -c "$d/kp/knot.conf"

	# sandnsd as the primary of pc.test, NOTIFY to the three Knot secondaries
	{
		echo "zone pc.test. $d/sp/pc.zone"
		echo "listen 127.0.0.1@$sp"
		echo "allow-transfer 127.0.0.0/8"
		for i in 1 2 3; do echo "notify pc.test. 127.0.0.1@${KPORTS[i - 1]}"; done
	} >"$d/sp/sandns.conf"
	cp "$d/pc.zone" "$d/sp/pc.zone"
	stamped "$d/sp.log" "$SANDNSD" --foreground --io socket --config "$d/sp/sandns.conf" \
		--control "$d/sp/ctl.sock" --state-dir "$d/sp/state"


	# three sandnsd secondaries of pa.test
	for i in 1 2 3; do
		mkdir -p "$d/s$i"
		stamped "$d/s$i.log" "$SANDNSD" --foreground --io socket --listen "127.0.0.1@${SPORTS[i - 1]}" \
			--zone "pa.test.=$d/s$i/pa.zone" --primary "pa.test. 127.0.0.1@$kp" \
			--allow-notify 127.0.0.1 --control "$d/s$i/ctl.sock" --state-dir "$d/s$i/state"
	done
	# three Knot secondaries of pb.test (from the Knot primary) and pc.test (from sandnsd)
	for i in 1 2 3; do
		mkdir -p "$d/k$i"
		{
			knot_conf "$d/k$i" "${KPORTS[i - 1]}"
			cat <<-EOF
			remote:
			  - id: knot
			    address: 127.0.0.1@$kp
			  - id: sandns
			    address: 127.0.0.1@$sp
			acl:
			  - id: notify
			    address: 127.0.0.1
			    action: notify
			template:
			  - id: default
			    storage: "$d/k$i"
			    acl: notify
			zone:
			  - domain: pb.test.
			    master: knot
			  - domain: pc.test.
			    master: sandns
			EOF
		} >"$d/k$i/knot.conf"
		stamped "$d/k$i.log" "$KNOTD" -c "$d/k$i/knot.conf"
	done
	until_serial 60 1 pa.test. "${SPORTS[@]}" || die "the sandnsd secondaries did not get pa.test"
	until_serial 60 1 pb.test. "${KPORTS[@]}" || die "the Knot secondaries did not get pb.test"
	until_serial 60 1 pc.test. "${KPORTS[@]}" || die "the Knot secondaries did not get pc.test from sandnsd"
	echo "propagation: part 1: $ZONE_RECORDS-record zones; all seven servers hold their zones"

	local pa=1 pb=1 pc=1 res=$TMP/part1.jsonl
	: >"$res"
	for r in $(seq 1 "$ROUNDS"); do
		for setup in knot-sandns knot-knot sandns-knot; do
			case $setup in
			knot-sandns | knot-knot)
				if [ $setup = knot-sandns ]; then z=pa; cur=$pa; names=("${SPORTS[@]}"); else z=pb; cur=$pb; names=("${KPORTS[@]}"); fi
				want=$((cur + 1))
				knotc_at "$d/kp" zone-begin "$z.test." >/dev/null &&
					knotc_at "$d/kp" zone-set "$z.test." "r$r" 300 TXT "round $r" >/dev/null ||
					die "knotc zone-begin/zone-set failed"
				cmd=("$KNOTC" -c "$d/kp/knot.conf" -t 20 zone-commit "$z.test.")
				;;
			sandns-knot)
				z=pc; cur=$pc; names=("${KPORTS[@]}")
				want=$((cur + 1))
				{ sed "s/ IN SOA ns1 hostmaster $cur / IN SOA ns1 hostmaster $want /" "$d/sp/pc.zone"
				  echo "r$r 300 IN TXT \"round $r\""; } >"$d/sp/pc.zone.next" &&
					mv "$d/sp/pc.zone.next" "$d/sp/pc.zone" || die "cannot write pc.zone"
				cmd=("$SANDNSCTL" --control "$d/sp/ctl.sock" reload pc.test.)
				;;
			esac
			tg=()
			for i in 1 2 3; do tg+=(--target "s$i=${names[i - 1]}"); done
			out=$("$PY" "$HELPER" wait --zone "$z.test." --serial "$want" --interval "$INTERVAL" \
				--timeout 60 "${tg[@]}" -- "${cmd[@]}")
			echo "{\"round\": $r, \"setup\": \"$setup\", \"result\": $out}" >>"$res"
			line=$(jget "$out" '"all %s s; each %s; the command %s s (exit %s%s)" % (d["all"], " ".join("%s" % d["times"][k] for k in sorted(d["times"])), d["command_secs"], d["command_rc"], (": " + d["command_err"]) if d["command_rc"] else "")')
			echo "round $r $setup: $line"
			[ "$(jget "$out" 'd["all"]')" = - ] && die "round $r $setup: not every secondary served serial $want within 60 s"
			case $z in pa) pa=$want ;; pb) pb=$want ;; pc) pc=$want ;; esac
			sleep 0.2
		done
	done

	echo
	echo "Part 1: $ROUNDS changes each, seconds from the commit until all three secondaries serve the new serial"
	echo "(and until the first of them); load before: $LOAD1"
	echo
	echo "| primary -> secondaries | all three: median | p90 | min..max | the first: median | the command alone: median |"
	echo "|---|---:|---:|---|---:|---:|"
	for setup in knot-sandns knot-knot sandns-knot; do
		read -r m p lo hi <<<"$("$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["setup"] == sys.argv[2]: print(d["result"]["all"])' "$res" "$setup" | stats)"
		read -r fm _ <<<"$("$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["setup"] == sys.argv[2]: print(min(v for v in d["result"]["times"].values()))' "$res" "$setup" | stats)"
		read -r cm _ <<<"$("$PY" -c 'import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["setup"] == sys.argv[2]: print(d["result"]["command_secs"])' "$res" "$setup" | stats)"
		echo "| ${setup/-/ -> } x3 | $m | $p | $lo..$hi | $fm | $cm |"
		declare -g "MED_${setup//-/_}=$m" "P90_${setup//-/_}=$p"
	done
	echo
	# per round ratios, then their median (each pair measured one after the other)
	"$PY" - "$res" <<-'PYEOF'
	import json, sys, statistics
	by = {}
	for l in open(sys.argv[1]):
	    d = json.loads(l)
	    by.setdefault(d["round"], {})[d["setup"]] = d["result"]["all"]
	def ratio(a, b):
	    r = [v[a] / v[b] for v in by.values() if v.get(a) and v.get(b)]
	    return "%.2f (per round %.2f..%.2f)" % (statistics.median(r), min(r), max(r)) if r else "-"
	print("ratio, sandns secondaries / Knot secondaries (Knot primary), median of the per-round ratios:", ratio("knot-sandns", "knot-knot"))
	print("ratio, sandns primary / Knot primary (Knot secondaries), median of the per-round ratios:", ratio("sandns-knot", "knot-knot"))
	PYEOF
	for m in MED_knot_sandns:MED_knot_knot MED_sandns_knot:MED_knot_knot P90_knot_sandns:P90_knot_knot P90_sandns_knot:P90_knot_knot; do
		a=${m%%:*}; b=${m##*:}
		echo "ratio of the ${a%%_*}s, $a / $b: $(awk -v x="${!a}" -v y="${!b}" 'BEGIN { if (y > 0) printf "%.2f", x / y; else print "-" }')"
	done
	for p in "${PIDS[@]}"; do stop_pid "$p" 20 "propagation: pid $p" >/dev/null 2>&1; done
	PIDS=()
}

# ================================================================ part 2: a large secondary zone
part2() {
	local d=$TMP/p2 kp s k run want out i
	mkdir -p "$d/kp" "$d/s" "$d/k"
	port; kp=$P
	port; s=$P
	port; k=$P
	local zone=big.test.
	zone_file "$zone" 1 $((RECORDS - 5)) >"$d/kp/big.zone"
	echo "propagation: part 2: $RECORDS records ($(du -m "$d/kp/big.zone" | cut -f1) MiB)"
	{
		knot_conf "$d/kp" "$kp"
		cat <<-EOF
		remote:
		  - id: s
		    address: 127.0.0.1@$s
		  - id: k
		    address: 127.0.0.1@$k
		acl:
		  - id: xfr
		    address: 127.0.0.0/8
		    action: transfer
		zone:
		  - domain: $zone
		    storage: "$d/kp"
		    file: big.zone
		    zonefile-sync: -1
		    zonefile-load: whole
		    journal-content: changes
		    serial-policy: increment
		    semantic-checks: off
		    notify: [s, k]
		    acl: xfr
		EOF
	} >"$d/kp/knot.conf"
	stamped "$d/kp.log" "$KNOTD" -c "$d/kp/knot.conf"
	until_serial 300 1 "$zone" "$kp" || die "the Knot primary did not load $zone"
	# the secondaries: sandnsd (its copy in $d/s/big.zone) and Knot with its defaults (journal of
	# changes, the zone file written at once after each change: zonefile-sync 0)
	stamped "$d/s.log" "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$s" \
		--zone "$zone=$d/s/big.zone" --primary "$zone 127.0.0.1@$kp" --allow-notify 127.0.0.1 \
		--control "$d/s/ctl.sock" --state-dir "$d/s/state"
	local spid=$SPID
	{
		knot_conf "$d/k" "$k"
		cat <<-EOF
		remote:
		  - id: knot
		    address: 127.0.0.1@$kp
		acl:
		  - id: notify
		    address: 127.0.0.1
		    action: notify
		zone:
		  - domain: $zone
		    storage: "$d/k"
		    master: knot
		    acl: notify
		EOF
	} >"$d/k/knot.conf"
	stamped "$d/k.log" "$KNOTD" -c "$d/k/knot.conf"
	local kpid=$SPID
	local t0
	t0=$(date +%s.%N)
	until_serial 900 1 "$zone" "$s" "$k" || die "the secondaries did not get $zone (logs: KEEP=1)"
	echo "propagation: part 2: both secondaries serve $zone serial 1 ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after they started)"
	sleep "$SETTLE"

	local res=$TMP/part2.jsonl
	: >"$res"
	want=1
	for run in $(seq 1 "$BIG_RUNS"); do
		want=$((want + 1))
		# CHANGES hosts get a new address: CHANGES deletions and additions, one transaction
		{
			echo "zone-begin $zone"
			for i in $(seq 0 $((CHANGES - 1))); do
				h=$(((run * 7919 + i * 104729) % (RECORDS - 5)))
				printf 'zone-unset %s h%07d A\n' "$zone" "$h"
				printf 'zone-set %s h%07d 3600 A 198.51.%d.%d\n' "$zone" "$h" "$run" $((i % 250))
			done
		} | "$KNOTC" -c "$d/kp/knot.conf" -t 60 >"$d/knotc.$run.out" 2>&1
		grep -qi error "$d/knotc.$run.out" && die "knotc: $(grep -i -m1 error "$d/knotc.$run.out")"
		out=$("$PY" "$HELPER" wait --zone "$zone" --serial "$want" --interval "$INTERVAL" \
			--timeout 600 --settle "$SETTLE" --target "sandns=$s" --target "knot=$k" \
			--rss "sandns=$spid" --rss "knot=$kpid" --watch "sandns=$d/s/big.zone" \
			-- "$KNOTC" -c "$d/kp/knot.conf" -t 60 zone-commit "$zone")
		echo "{\"run\": $run, \"result\": $out}" >>"$res"
		[ "$(jget "$out" 'd["all"]')" = - ] && die "run $run: not both served serial $want within 600 s: $out"
		phases "$out" "$d" "$run" "$s" "$k"
		sleep 1
	done
	echo
	echo "Part 2: $RECORDS records, an IXFR of $CHANGES changed records ($BIG_RUNS commits), both secondaries NOTIFYed by the same commit"
	echo
	echo "| secondary | new serial served after, s (median, min..max) | RSS MiB before | peak sampled | VmHWM since the commit | ${SETTLE} s after |"
	echo "|---|---:|---:|---:|---:|---:|"
	for who in sandns knot; do
		"$PY" - "$res" "$who" <<-'PYEOF'
		import json, sys, statistics
		rows = [json.loads(l)["result"] for l in open(sys.argv[1])]
		w = sys.argv[2]
		def col(f):
		    v = [f(r) for r in rows if f(r) is not None]
		    if not v:
		        return "-"
		    return "%s (%s..%s)" % (round(statistics.median(v), 3), min(v), max(v)) if len(v) > 1 else "%s" % v[0]
		print("| %s | %s | %s | %s | %s | %s |" % (w, col(lambda r: r["times"][w]),
		      col(lambda r: r["rss"][w]["before"]), col(lambda r: r["rss"][w]["peak"]),
		      col(lambda r: r["rss"][w]["hwm"]), col(lambda r: r["rss"][w]["after"])))
		PYEOF
	done
	"$PY" - "$res" <<-'PYEOF'
	import json, sys, statistics
	r = [json.loads(l)["result"]["times"] for l in open(sys.argv[1])]
	q = [x["sandns"] / x["knot"] for x in r if x["sandns"] and x["knot"]]
	print("\nratio sandns / knot (time to serve), median of the per-commit ratios: %.2f (%s)" % (statistics.median(q), " ".join("%.2f" % x for x in q)))
	PYEOF
	# the reload phase alone: the same zone reloaded (the version the transfer thread holds: no
	# file read; compile and publish), nothing else happening
	local rl=() t1 t2
	for i in 1 2 3; do
		t1=$(date +%s%N)
		"$SANDNSCTL" --control "$d/s/ctl.sock" reload "$zone" >/dev/null 2>&1 || rl+=(failed)
		t2=$(date +%s%N)
		rl+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')")
	done
	echo "sandnsd secondary: \`sandnsctl reload $zone\` (the version held: compile + publish) alone, 3 times: ${rl[*]} s"
	for p in "${PIDS[@]}"; do stop_pid "$p" 30 "propagation: pid $p" >/dev/null 2>&1; done
	PIDS=()
}

# phases OUT DIR RUN SPORT KPORT: where the time of one large IXFR went, from the time-stamped logs
phases() {
	"$PY" - "$1" "$2" "$3" "$4" "$5" <<-'PYEOF'
	import json, sys
	out, d, run, sport, kport = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
	t0 = out["t0"]
	def first(path, *needles):
	    for line in open(path, errors="replace"):
	        ts, _, text = line.partition(" ")
	        try:
	            t = float(ts)
	        except ValueError:
	            continue
	        if t >= t0 and all(n in text for n in needles):
	            return t - t0, text.strip()
	    return None, None
	def show(t):
	    return "-" if t is None else "%.3f" % t
	ev = out["events"]
	def times(path, *needles):
	    t = []
	    for line in open(path, errors="replace"):
	        ts, _, text = line.partition(" ")
	        try:
	            v = float(ts)
	        except ValueError:
	            continue
	        if v >= t0 and all(n in text for n in needles):
	            t.append(v - t0)
	    return t
	p_n, _ = first(d + "/kp.log", "notify, outgoing")
	p_x = times(d + "/kp.log", "IXFR, outgoing", "started")
	s_ixfr, s_text = first(d + "/s.log", "IXFR from")
	s_rel, _ = first(d + "/s.log", "reloaded, serial")
	s_wr, _ = first(d + "/s.log", "copy written, serial")
	k_start, _ = first(d + "/k.log", "IXFR, incoming", "started")
	k_done, k_text = first(d + "/k.log", "IXFR, incoming", "finished")
	k_upd, _ = first(d + "/k.log", "zone updated")
	k_flush, _ = first(d + "/k.log", "zone file updated")
	print("run %s: sandns served %s s, knot %s s; commit returned %s s" % (run, out["times"]["sandns"], out["times"]["knot"], out["command_secs"]))
	print("  primary: first NOTIFY sent %s | IXFRs served from %s" % (show(p_n), ", ".join(show(x) for x in p_x) or "-"))
	print("  sandns: the IXFR applied in memory, handed over (logged) %s | reloaded (compile+publish) %s"
	      " | served %s | then the copy: its temporary file appears %s, renamed %s, logged %s" %
	      (show(s_ixfr), show(s_rel), show(out["times"]["sandns"]), show(ev.get("sandns:tmp")),
	       show(ev.get("sandns:renamed")), show(s_wr)))
	print("  knot:   IXFR started %s | finished %s | zone updated (logged) %s | served %s | zone file written %s" %
	      (show(k_start), show(k_done), show(k_upd), show(out["times"]["knot"]), show(k_flush)))
	if s_text:
	    print("  sandns log: " + s_text)
	if k_text:
	    print("  knot log:   " + k_text)
	r = out["rss"]
	print("  RSS MiB before / peak sampled / VmHWM since the commit / after: sandns %s / %s / %s / %s, knot %s / %s / %s / %s" %
	      tuple(r[w][f] for w in ("sandns", "knot") for f in ("before", "peak", "hwm", "after")))
	PYEOF
}

LOAD1=$(uptime | sed 's/.*load average: //')
START=$(date +%s)
for part in $PARTS; do
	case $part in
	1) part1 ;;
	2) part2 ;;
	*) die "unknown part $part" ;;
	esac
done
echo
echo "propagation: done in $(($(date +%s) - START)) s; load after: $(uptime | sed 's/.*load average: //')"
exit 0
