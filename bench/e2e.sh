#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e.sh: the whole path. Replies/s of sandnsd --io dpdk next to Knot DNS (XDP and kernel UDP),
# NSD (kernel UDP) and a bare DPDK reflector (the floor), on the same path, in one run. Two
# namespaces (generator sandns-bench-gen-$$, server sandns-bench-srv-$$) joined by one veth pair
# (scripts/topo.sh makes them and removes them); the generator (GEN: sandns-dpgen, bench/dpgen.c,
# on net_af_xdp by default, or kxdpgun) and its veth NAPI thread on core 0, the server and its
# veth NAPI thread on core 1 (docs/benchmarks.md).
# The servers, all with the sample zones (zones/sample/example.com and example.net):
#   sandnsd-af_xdp      sandnsd --io dpdk, net_af_xdp on the server's veth, --cert as in run.sh
#   sandnsd-af_packet   the same on net_af_packet
#   knot-xdp            knotd, `xdp: listen: <veth>@53` (AF_XDP on the same veth); where the
#                       kernel refuses libknot's XDP program (6.18.44 does: bpf_xdp_adjust_meta),
#                       reported as "not available on this kernel", with no figure
#   knot-udp            knotd on kernel UDP
#   nsd-udp             nsd on kernel UDP (rrl-ratelimit: 0)
#   reflector-af_xdp    bench/sandns-reflector (swap and send back), net_af_xdp: the floor
#   reflector-af_packet the reflector on net_af_packet (not in the default list)
#   sandnsd-af_xdp-dnstap  sandnsd-af_xdp with the query log on (dnstap to a file in the temporary
#                       directory; not in the default list): the cost of the log, and what it
#                       dropped (its dnstap-queued and dnstap-dropped are printed after each run)
#   sandnsd-af_xdp-metrics sandnsd-af_xdp with the Prometheus endpoint on (127.0.0.1@9953 in the
#                       server's namespace; not in the default list), scraped every SCRAPE seconds
#                       (1) by curl while it is measured: the cost of the endpoint and its scrapes
#                       (the counters themselves are always counted); the scrapes and the last
#                       sandns_queries_total are printed after each run
#   sandnsd-af_xdp-alt  sandnsd-af_xdp run from SANDNSD_ALT, another build (not in the default
#                       list): two builds side by side in one run, e.g. a change's cost
# RUNS times, round robin (run 1 of every server, then run 2, ...), each server is started, gets
# the generator for DURATION seconds at each offered rate, and is stopped; a run's best replies/s is
# kept with its offered rate, its loss and the CPU use of both cores while it ran (/proc/stat).
# Prints every run, then a markdown table of medians and min..max over the runs, then the
# ratios. Once per server (run 1), before the sweep: one dnsperf run at a modest rate, for the
# answers and the loss (dnsperf measures itself, not the server: docs/benchmarks.md).
#
# Environment: GEN (dpgen, the default, or kxdpgun), GEN_PMD (dpgen's port: af_xdp, the default,
# or af_packet), GEN_NAPI_FIFO (1: the generator's veth NAPI thread runs SCHED_FIFO; 0: not),
# SANDNSD, SANDNSCTL, REFLECTOR, DPGEN (default build/...), SANDNSD_ALT (for -alt), SERVERS (the six above), RUNS (3),
# DURATION (5), RATES (one list for every server; default: KERNEL_RATES for knot-udp and
# nsd-udp, "50000 100000 150000 200000 250000 300000", XDP_RATES for the others, "100000
# 200000 350000 500000 650000 800000"), DNSPERF_QPS (20000; 0: no dnsperf), DNSPERF_TIME (5),
# GEN_CPU (0), SRV_CPU (1), KEEP=1 keeps the logs, LOCK (/tmp/sandns-bench.lock), LOCK_WAIT
# (3600 s), OTHERS_MAX (20), SCRAPE (1: seconds between the metrics variant's scrapes). Each server's run (start, sweep, stop) holds LOCK, so that
# benchmarks sharing the machine don't overlap. Builds and tests of others don't take it: a rate
# during which processes not of this benchmark took OTHERS_MAX % of a core or more is measured
# once more, and the quieter of the two is kept; the "others" columns say what was left.
# Traffic stays inside the namespaces it makes (198.18.0.0/24); they are removed on exit. knotd
# and nsd get their own configuration and run directories in a temporary directory; no system
# service is touched. Ends only the processes it started, by PID (and, as a
# last resort, what is left in its own namespaces); every wait is bounded. About 17 minutes of
# measuring, plus whatever others hold the lock for (27 minutes in all on 2026-11-26, 10 of them
# waiting).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
REFLECTOR=${REFLECTOR:-$ROOT/build/bench/sandns-reflector}
DPGEN=${DPGEN:-$ROOT/build/bench/sandns-dpgen}
GEN=${GEN:-dpgen}
GEN_PMD=${GEN_PMD:-af_xdp}
GEN_NAPI_FIFO=${GEN_NAPI_FIFO:-1}
ZDIR=$ROOT/zones/sample
CERT=$ZDIR/mail.example.com.pem
KERNEL_RATES=${KERNEL_RATES:-50000 100000 150000 200000 250000 300000}
XDP_RATES=${XDP_RATES:-100000 200000 350000 500000 650000 800000}
RATES=${RATES:-}
DURATION=${DURATION:-5}
RUNS=${RUNS:-3}
SERVERS=${SERVERS:-sandnsd-af_xdp sandnsd-af_packet knot-xdp knot-udp nsd-udp reflector-af_xdp}
DNSPERF_QPS=${DNSPERF_QPS:-20000}
DNSPERF_TIME=${DNSPERF_TIME:-5}
GEN_CPU=${GEN_CPU:-0}
SRV_CPU=${SRV_CPU:-1}
LOCK=${LOCK:-/tmp/sandns-bench.lock}
LOCK_WAIT=${LOCK_WAIT:-3600}
OTHERS_MAX=${OTHERS_MAX:-20}

die() { echo "bench: $*" >&2; exit 1; }
skip() { echo "bench: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, DPDK, XDP)"
case "$DURATION$RUNS" in *[!0-9]*) die "DURATION and RUNS must be whole numbers" ;; esac
if [ "$DURATION" -lt 2 ] || [ "$RUNS" -lt 1 ]; then die "DURATION must be at least 2 and RUNS at least 1"; fi
case $GEN in dpgen | kxdpgun) ;; *) die "GEN must be dpgen or kxdpgun" ;; esac
case $GEN_PMD in af_xdp | af_packet) ;; *) die "GEN_PMD must be af_xdp or af_packet" ;; esac
case $GEN_NAPI_FIFO in 0 | 1) ;; *) die "GEN_NAPI_FIFO must be 0 or 1" ;; esac
# A build in progress (others share the tree) replaces the binaries: up to 60 s for them.
for _ in $(seq 1 60); do
	[ -x "$SANDNSD" ] && [ -x "$REFLECTOR" ] && { [ "$GEN" != dpgen ] || [ -x "$DPGEN" ]; } && break
	sleep 1
done
NEED=(ip ethtool taskset chrt kdig timeout flock)
if [ "$GEN" = kxdpgun ]; then
	NEED+=(kxdpgun)
else
	[ -x "$DPGEN" ] || die "no sandns-dpgen at $DPGEN (build first, or set DPGEN)"
fi
for name in $SERVERS; do
	case $name in
	sandnsd-af_xdp | sandnsd-af_packet | sandnsd-af_xdp-dnstap | sandnsd-af_xdp-metrics | sandnsd-af_xdp-alt)
		[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
		[ "$name" = "${name%-alt}" ] || [ -x "${SANDNSD_ALT:-}" ] ||
			die "sandnsd-af_xdp-alt needs SANDNSD_ALT, another sandnsd to run"
		[ "$name" = "${name%-metrics}" ] || NEED+=(curl)
		;;
	reflector-af_xdp | reflector-af_packet)
		[ -x "$REFLECTOR" ] || die "no reflector at $REFLECTOR (build first, or set REFLECTOR)" ;;
	knot-xdp | knot-udp) NEED+=(knotd) ;;
	nsd-udp) NEED+=(nsd) ;;
	*) die "unknown server $name" ;;
	esac
done
[ "$DNSPERF_QPS" = 0 ] || NEED+=(dnsperf)
for c in "${NEED[@]}"; do
	command -v "$c" >/dev/null || die "$c not found (scripts/deps.sh; knot-dnsutils has kdig and kxdpgun)"
done
exec 9>>"$LOCK" || die "cannot open the lock file $LOCK"

# shellcheck source=../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=bench
GNS=sandns-bench-gen-$$
SRV=sandns-bench-srv-$$
VG=vg$$
VS=vs$$
SADDR=$TOPO_SRV4
TMP=$(mktemp -d /tmp/sandns-bench.XXXXXX)
chmod 755 "$TMP"
# Copies: every run uses the same binaries, whatever is rebuilt meanwhile.
cp "$SANDNSD" "$TMP/sandnsd" 2>/dev/null && SANDNSD=$TMP/sandnsd
if [ -n "${SANDNSD_ALT:-}" ]; then cp "$SANDNSD_ALT" "$TMP/sandnsd-alt" 2>/dev/null && SANDNSD_ALT=$TMP/sandnsd-alt; fi
cp "$REFLECTOR" "$TMP/sandns-reflector" 2>/dev/null && REFLECTOR=$TMP/sandns-reflector
[ "$GEN" = dpgen ] && cp "$DPGEN" "$TMP/sandns-dpgen" 2>/dev/null && DPGEN=$TMP/sandns-dpgen
CG=/sys/fs/cgroup/cpuset/sandns-bench-$$
PID=
SCRAPER=
MPORT=9953
SCRAPE=${SCRAPE:-1}
PINNER=
KADDR=0
declare -A NA # server -> why it cannot run here ("not available on this kernel: ...")

# Ends our server: SIGTERM, up to 15 s, then SIGKILL; then whatever it left in our server
# namespace (nsd's children, say), by PID.
# The metrics variant's scraper: curl in the server's namespace every SCRAPE seconds (each
# bounded to 1 s), the last body kept in $TMP/scrape, one line per scrape in $TMP/scrapes.
start_scraper() {
	: >"$TMP/scrapes"
	: >"$TMP/scrape.err"
	(
		while :; do
			if ip netns exec "$SRV" curl -s -m 1 -o "$TMP/scrape.new" \
				"http://127.0.0.1:$MPORT/metrics"; then
				mv "$TMP/scrape.new" "$TMP/scrape" && echo ok >>"$TMP/scrapes"
			else
				echo failed >>"$TMP/scrape.err"
			fi
			sleep "$SCRAPE"
		done
	) 9>&- &
	SCRAPER=$!
}
stop_scraper() {
	[ -n "$SCRAPER" ] || return 0
	kill "$SCRAPER" 2>/dev/null
	wait "$SCRAPER" 2>/dev/null
	SCRAPER=
}

stop_server() {
	stop_scraper
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	for _ in $(seq 1 150); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$PID" 2>/dev/null; then
		echo "bench: server (pid $PID) ignored SIGTERM for 15 s, killing it" >&2
		kill -KILL "$PID" 2>/dev/null
	fi
	wait "$PID" 2>/dev/null
	PID=
	topo_reap "$SRV"
	ip -n "$SRV" link set dev "$VS" xdp off 2>/dev/null
	if [ "$KADDR" = 1 ]; then
		ip -n "$SRV" addr del "$SADDR/24" dev "$VS" 2>/dev/null
		KADDR=0
	fi
}

stop_pinner() {
	[ -n "$PINNER" ] || return 0
	kill -TERM "$PINNER" 2>/dev/null
	wait "$PINNER" 2>/dev/null
	PINNER=
}

# shellcheck disable=SC2317 # reached through the trap
cleanup() {
	local rc=$?
	stop_pinner
	stop_server
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $TMP"; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- topology
# 198.18.0.1/24 on the generator's end, none on the server's. Real checksums on the wire; GRO on
# so that veth receive runs in NAPI, which threaded NAPI then lets us pin to the receiving side's
# core (--napi).
topo_pair --napi "$SRV" "$VS" "$GNS" "$VG" || die "cannot make the namespaces and their veth"
SMAC=$(ip netns exec "$SRV" cat "/sys/class/net/$VS/address")

# ON_GEN / ON_SRV CMD...: runs CMD on that side's core, in a cpuset cgroup (v1) when there is
# one: taskset alone does not hold threads that pin themselves (knotd does). An exec chain (sh,
# taskset, ip netns exec, timeout), so that $! of `"${ON_SRV[@]}" ... &` is the PID that gets our
# signals and forwards them.
topo_cpusets "$CG" "$GEN_CPU" "$SRV_CPU" || echo "bench: no cpuset cgroup, pinning with taskset only"

# dpgen's EAL arguments: one file prefix for all its runs, one after another (topo_cleanup
# removes its runtime directory).
GEAL=()
if [ "$GEN" = dpgen ]; then
	topo_eal GEAL "$GEN_PMD" "$VG" "$GEN_CPU" "sandnsbench$$-gen" --log-level=lib.eal:notice ||
		die "cannot make the generator's EAL arguments"
fi

# The NAPI kthreads (napi/<dev>-<id>) come and go with XDP programs: pinned again and again.
# The generator's gets SCHED_FIFO (GEN_NAPI_FIFO=1): the generator never sleeps once it is behind,
# and at equal priority its NAPI thread, which takes in the replies, waited long enough for the
# veth ring to overflow: replies lost on the generator's side, counted against the server. The
# server's side is left as it was (its idle back-off is part of what is measured).
pin_napi() {
	topo_pin_napi "$VG" "$GEN_CPU" "$VS" "$SRV_CPU"
	[ "$GEN_NAPI_FIFO" = 1 ] && topo_fifo_napi "$VG"
	return 0
}
pin_napi
NAPIS=$(topo_napi_threads "$VG" "$VS")
echo "bench: NAPI threads: ${NAPIS:-none (threaded NAPI missing?)}; the generator's SCHED_FIFO: $([ "$GEN_NAPI_FIFO" = 1 ] && echo yes || echo no)"

# Every name in both zones' kinds of answer: data, a referral-free MX, NODATA (autodiscover,
# which sandnsd's policy withholds: --cert), NXDOMAIN, and the example.net wildcard.
printf '%s\n' 'autodiscover.example.com A' 'example.com MX' 'mail.example.com A' \
	'nx.example.com A' 'www.example.net A' 'example.net MX' >"$TMP/queries"

# Waits up to 60 s for LINE in LOG; fails early when the server ends.
wait_line() {
	for _ in $(seq 1 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Waits up to 30 s for an answer from SADDR (zones load after the daemon says it started).
wait_answer() {
	for _ in $(seq 1 30); do
		kill -0 "$PID" 2>/dev/null || return 1
		ip netns exec "$GNS" kdig +time=1 +retry=0 +norec @"$SADDR" mail.example.com A 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		sleep 0.5
	done
	return 1
}

rates_of() {
	if [ -n "$RATES" ]; then echo "$RATES"; return; fi
	case $1 in *-udp) echo "$KERNEL_RATES" ;; *) echo "$XDP_RATES" ;; esac
}

# knot_conf NAME DIR: knotd's configuration for knot-udp or knot-xdp, in DIR.
knot_conf() {
	local name=$1 dir=$2
	cat <<EOF
server:
    rundir: "$dir"
    pidfile: "$dir/knot.pid"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
EOF
	if [ "$name" = knot-xdp ]; then
		printf 'xdp:\n    listen: %s@53\n    udp: on\n    tcp: off\n' "$VS"
	else
		printf '    listen: %s@53\n' "$SADDR"
	fi
	cat <<EOF
control:
    listen: "$dir/knot.sock"
database:
    storage: "$dir/db"
log:
  - target: stderr
    any: info
template:
  - id: default
    storage: "$ZDIR"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: example.com.
    file: example.com.zone
  - domain: example.net.
    file: example.net.zone
EOF
}

# nsd_conf DIR: nsd's configuration (no database, no privilege drop, no RRL), in DIR.
nsd_conf() {
	local dir=$1
	cat <<EOF
server:
    ip-address: $SADDR
    port: 53
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$ZDIR"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    verbosity: 1
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: example.com
    zonefile: example.com.zone
zone:
    name: example.net
    zonefile: example.net.zone
EOF
}

# start_server NAME RUN: starts NAME in the server namespace on core SRV_CPU; 0 when it answers.
# Lives at most LIFE seconds (timeout -s KILL).
start_server() {
	local name=$1 run=$2 eal=() log=$TMP/$1-r$2.log ready='' dir=$TMP/$1-r$2.d
	local life=$((60 + DNSPERF_TIME + 15 + $(rates_of "$name" | wc -w) * (DURATION + 25)))
	local pmd=${name#*-} tap=()
	pmd=${pmd%-dnstap}
	pmd=${pmd%-metrics}
	pmd=${pmd%-alt}
	local bin=$SANDNSD
	[ "$name" = "${name%-alt}" ] || bin=$SANDNSD_ALT
	[ "$name" = "${name%-dnstap}" ] || tap=(--dnstap "$TMP/$name-r$run.tap")
	if [ "$name" != "${name%-metrics}" ]; then
		ip -n "$SRV" link set lo up
		tap=(--metrics "127.0.0.1@$MPORT")
	fi
	case $name in
	sandnsd-* | reflector-*)
		topo_eal eal "$pmd" "$VS" "$SRV_CPU" "sandnsbench$$-$name-r$run" \
			--log-level=lib.eal:notice || return 1
		;;
	esac
	case $name in
	knot-* | nsd-*)
		# Kernel servers (and Knot's XDP, for ARP) need the address on the veth.
		ip -n "$SRV" addr add "$SADDR/24" dev "$VS" && KADDR=1
		mkdir -p "$dir/db"
		;;
	esac
	case $name in
	sandnsd-*)
		"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL "$life" "$bin" --foreground \
			--io dpdk --zone "example.com.=$ZDIR/example.com.zone" \
			--zone "example.net.=$ZDIR/example.net.zone" --cert "$CERT" --listen "$SADDR" \
			--control "$TMP/$name-r$run.sock" --state-dir "$TMP/$name-r$run.state" \
			"${tap[@]}" -- "${eal[@]}" >"$log" 2>&1 9>&- &
		ready='^sandnsd: serving'
		;;
	reflector-*)
		"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL "$life" "$REFLECTOR" \
			"${eal[@]}" -- "$SADDR" >"$log" 2>&1 9>&- &
		ready='^sandns-reflector: serving'
		;;
	knot-*)
		knot_conf "$name" "$dir" >"$dir/knot.conf"
		"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL "$life" knotd -c "$dir/knot.conf" \
			>"$log" 2>&1 9>&- &
		ready='server started'
		;;
	nsd-*)
		nsd_conf "$dir" >"$dir/nsd.conf"
		"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL "$life" nsd -d -c "$dir/nsd.conf" \
			>"$log" 2>&1 9>&- &
		;;
	esac
	PID=$!
	if { [ -n "$ready" ] && ! wait_line "$log" "$ready"; } || { resolve "$name" && ! wait_answer; }; then
		# libknot's XDP program uses bpf_xdp_adjust_meta, which newer kernels (6.18.44) refuse
		# for it: no figure for knot-xdp there, and no more tries.
		if [ "$name" = knot-xdp ] && grep -q 'BPF program load failed\|program not loaded' "$log"; then
			NA[$name]="not available on this kernel ($(uname -r): $(grep -m1 -o 'program of this type cannot use helper [a-z_]*' "$log" || echo "its XDP program is refused"))"
			echo "bench: $name: ${NA[$name]}"
			stop_server
			return 1
		fi
		echo "bench: $name (run $run) did not come up:"
		sed 's/^/     /' "$log" | tail -15
		stop_server
		return 1
	fi
	pin_napi
	return 0
}

# The generator's kernel resolves the server through ARP (every server answers it: sandnsd and
# the reflector themselves, the kernel for the others); a static entry when that fails, said so.
resolve() {
	local name=$1
	ip -n "$GNS" neigh flush dev "$VG" >/dev/null 2>&1
	ip netns exec "$GNS" timeout 5 ping -c 1 -W 1 "$SADDR" >/dev/null 2>&1
	if ip -n "$GNS" neigh show "$SADDR" dev "$VG" | grep -qi "lladdr $SMAC"; then
		return 0
	fi
	echo "bench: $name: ARP did not resolve $SADDR, static neighbour entry used"
	ip -n "$GNS" neigh replace "$SADDR" lladdr "$SMAC" dev "$VG" nud permanent
}

# cpu_snap: "user kernel idle steal" jiffies of the generator's and the server's core.
cpu_snap() {
	awk -v g="cpu$GEN_CPU" -v s="cpu$SRV_CPU" '
		$1 == g { G = ($2 + $3) " " ($4 + $7 + $8) " " ($5 + $6) " " $9 }
		$1 == s { S = ($2 + $3) " " ($4 + $7 + $8) " " ($5 + $6) " " $9 }
		END { print G, S }' /proc/stat
}

# cpu_use BEFORE AFTER: "gen_busy% srv_busy% srv_user% srv_kernel%" between two cpu_snaps.
cpu_use() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 8; i++) d[i] = y[i] - x[i]
		gt = d[1] + d[2] + d[3] + d[4]; st = d[5] + d[6] + d[7] + d[8]
		if (gt <= 0 || st <= 0) { print "- - - -"; exit }
		printf "%.0f %.0f %.0f %.0f\n", 100 * (d[1] + d[2]) / gt, 100 * (d[5] + d[6]) / st,
			100 * d[5] / st, 100 * d[6] / st }'
}

# proc_snap FILE: "pid ppid own reaped comm" of every process into FILE: clock ticks (user +
# system) of its own, and of the children it reaped.
proc_snap() {
	awk '{ o = index($0, "("); c = 0
		for (i = length($0); i > o; i--) if (substr($0, i, 1) == ")") { c = i; break }
		if (!c) next
		split(substr($0, c + 2), f, " ")
		comm = substr($0, o + 1, c - o - 1); gsub(/[ \t]/, "_", comm)
		print $1, f[2], f[12] + f[13], f[14] + f[15], comm }' /proc/[0-9]*/stat 2>/dev/null >"$1"
}

# ours_now: the PIDs of this benchmark (this script, its pinner, whatever is in our namespaces).
ours_now() {
	echo " $$ $BASHPID ${PINNER:-} $(ip netns pids "$GNS" 2>/dev/null | tr '\n' ' ') $(ip netns pids "$SRV" 2>/dev/null | tr '\n' ' ') "
}

# others BEFORE AFTER SECONDS OURS: CPU that processes other than OURS took in that window, in %
# of one core: "total top-process:its%". Also not counted: our veth NAPI threads and ksoftirqd
# (the path's softirq work). The machine is shared: this says when a figure was taken with
# someone else on the cores. A process's growth in own and reaped ticks, less what the children
# it reaped in the window had taken before it; processes born in the window count in full.
others() {
	awk -v ours="$4" -v hz="$(getconf CLK_TCK)" -v secs="$3" -v vg="napi/$VG-" -v vs="napi/$VS-" '
		NR == FNR { p0[$1] = $2; o0[$1] = $3; c0[$1] = $4; next }
		{ seen[$1] = 1; o1[$1] = $3; c1[$1] = $4; comm[$1] = $5 }
		END {
			for (p in o0) if (!(p in seen)) gone[p0[p]] += o0[p] + c0[p]
			for (p in seen) {
				if (index(ours, " " p " ") || index(comm[p], vg) == 1 || index(comm[p], vs) == 1 ||
					comm[p] ~ /^ksoftirqd/) continue
				d = o1[p] - o0[p] + c1[p] - c0[p] - gone[p]
				if (d <= 0) continue
				sum += d
				if (d > top) { top = d; who = comm[p] }
			}
			f = 100 / (hz * secs)
			if (sum * f < 1) { print "0 -"; exit }
			printf "%.0f %s:%.0f\n", sum * f, who, top * f }' "$1" "$2"
}

# run_gun NAME RUN RATE: one generator run (GEN); prints "sent replies gen% srv% srv_user%
# srv_kernel% others% top-other gun-cpu% rcodes" ("0 0 ..." when it failed); gun-cpu% is the CPU
# the generator process itself got over its run (dpgen's cpu%; "-" for kxdpgun). The CPU window is from 1 s
# after the generator starts sending to 1 s before it ends.
run_gun() {
	local name=$1 rate=$3 out=$TMP/$1-r$2-$3.gun sent replies gun c0 c1 ours rcodes=- gcpu=-
	local win=$((DURATION - 2)).5
	( for _ in $(seq 1 $((DURATION * 2 + 8))); do pin_napi; sleep 0.5; done ) 9>&- &
	PINNER=$!
	if [ "$GEN" = dpgen ]; then
		"${ON_GEN[@]}" ip netns exec "$GNS" timeout -s KILL $((DURATION + 20)) "$DPGEN" \
			"${GEAL[@]}" -- -t "$DURATION" -Q "$rate" -i "$TMP/queries" -s "$TOPO_GEN4" \
			"$SADDR" >"$out" 2>&1 9>&- &
		gun=$!
		# EAL and ARP first: the window starts with the sending.
		for _ in $(seq 1 100); do
			grep -q '^sandns-dpgen: [0-9]* q/s' "$out" 2>/dev/null && break
			kill -0 "$gun" 2>/dev/null || break
			sleep 0.1
		done
	else
		"${ON_GEN[@]}" ip netns exec "$GNS" timeout -s KILL $((DURATION + 20)) kxdpgun \
			-t "$DURATION" -Q "$rate" -F "$GEN_CPU" -I "$VG" -i "$TMP/queries" "$SADDR" >"$out" 2>&1 9>&- &
		gun=$!
	fi
	sleep 1
	c0=$(cpu_snap)
	proc_snap "$TMP/procs0"
	sleep "$win"
	c1=$(cpu_snap)
	proc_snap "$TMP/procs1"
	ours=$(ours_now)
	wait "$gun"
	stop_pinner
	# kxdpgun leaves its XDP program on the interface (and so would a killed dpgen): kernel UDP
	# replies to kdig and dnsperf would be swallowed by it. Off, until the next run puts it back.
	ip -n "$GNS" link set dev "$VG" xdp off 2>/dev/null
	if [ "$GEN" = dpgen ]; then
		sent=$(sed -n 's/^dpgen-result .* sent=\([0-9]*\) .*/\1/p' "$out" | head -1)
		replies=$(sed -n 's/^dpgen-result .* replies=\([0-9]*\) .*/\1/p' "$out" | head -1)
		rcodes=$(sed -n 's/^dpgen-rcodes *//p' "$out" | head -1 | tr ' ' ',')
		gcpu=$(sed -n 's/^dpgen-result .* cpu%=\([0-9]*\).*/\1/p' "$out" | head -1)
	else
		sent=$(sed -n 's/^total queries: *\([0-9]*\).*/\1/p' "$out" | head -1)
		replies=$(sed -n 's/^total replies: *\([0-9]*\).*/\1/p' "$out" | head -1)
	fi
	echo "${sent:-0} ${replies:-0} $(cpu_use "$c0" "$c1") $(others "$TMP/procs0" "$TMP/procs1" "$win" "$ours") ${gcpu:--} ${rcodes:--}"
}

# run_dnsperf NAME: one dnsperf run from the generator's kernel, DNSPERF_QPS for DNSPERF_TIME s.
run_dnsperf() {
	local name=$1 out=$TMP/$1.dnsperf sent compl lost rcodes qps
	"${ON_GEN[@]}" ip netns exec "$GNS" timeout -s KILL $((DNSPERF_TIME + 20)) dnsperf \
		-s "$SADDR" -d "$TMP/queries" -l "$DNSPERF_TIME" -Q "$DNSPERF_QPS" -c 1 -T 1 -t 1 \
		>"$out" 2>&1 9>&-
	sent=$(sed -n 's/^ *Queries sent: *\([0-9]*\).*/\1/p' "$out")
	compl=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$out")
	lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$out")
	qps=$(sed -n 's/^ *Queries per second: *\([0-9]*\).*/\1/p' "$out")
	rcodes=$(sed -n 's/^ *Response codes: *//p' "$out")
	if [ -z "$sent" ]; then
		echo "bench: $name: dnsperf failed:"
		tail -5 "$out" | sed 's/^/     /'
		echo "| $name | failed | | | | |" >>"$TMP/dnsperf"
		return
	fi
	printf '  %-20s dnsperf: sent %s, completed %s, lost %s, %s q/s; %s\n' "$name" "$sent" \
		"${compl:-?}" "${lost:-?}" "${qps:-?}" "${rcodes:-no answers}"
	echo "| $name | $sent | ${compl:-?} | ${lost:-?} | ${qps:-?} | ${rcodes:-none} |" >>"$TMP/dnsperf"
}

# median [FMT] < numbers: the median (mean of the middle two for an even count), or "-".
median() {
	sort -g | awk -v f="${1:-%.0f}" '{ a[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		printf f "\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
minmax() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print (NR ? lo ".." hi : "-") }'; }

# ---------------------------------------------------------------- the runs
if [ "$GEN" = dpgen ]; then
	GENDESC="sandns-dpgen $(sha256sum "$DPGEN" | cut -c1-12) on net_$GEN_PMD"
else
	GENDESC=$(kxdpgun -V 2>&1 | head -1)
fi
echo "bench: $(nproc) cores, kernel $(uname -r), generator: $GENDESC, $(knotd -V 2>&1 | head -1), $(nsd -v 2>&1 | head -1)"
echo "bench: sandnsd $(sha256sum "$SANDNSD" | cut -c1-12) (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" status --porcelain -uno 2>/dev/null | grep -q . && echo ', work tree modified'))"
[ -z "${SANDNSD_ALT:-}" ] || echo "bench: sandnsd-af_xdp-alt runs $(sha256sum "$SANDNSD_ALT" | cut -c1-12)"
echo "bench: generator cpu $GEN_CPU, server cpu $SRV_CPU; $RUNS runs; $DURATION s per rate; servers: $SERVERS"
if [ -n "$RATES" ]; then echo "bench: rates: $RATES"; else
	echo "bench: rates: $KERNEL_RATES (knot-udp, nsd-udp); $XDP_RATES (the others)"; fi
# shellcheck disable=SC2034 # read through col's nameref
declare -A R_RPS R_Q R_LOSS R_GEN R_SRV R_SRVU R_SRVK R_OTH
{
	echo "| server | run | offered q/s | sent | replies | replies/s | loss % | core $GEN_CPU % | core $SRV_CPU % (user/kernel) | others % (top) | generator's own CPU % | rcodes |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"
} >"$TMP/detail"
{
	echo "| server | sent | completed | lost | q/s (dnsperf's own) | response codes |"
	echo "|---|---:|---:|---:|---:|---|"
} >"$TMP/dnsperf"
START=$SECONDS
WAITED=0
AGAIN=0
for run in $(seq 1 "$RUNS"); do
	for name in $SERVERS; do
		[ -n "${NA[$name]:-}" ] && continue
		waited=$SECONDS
		flock -w "$LOCK_WAIT" 9 || die "$LOCK still held by someone else after $LOCK_WAIT s"
		waited=$((SECONDS - waited))
		WAITED=$((WAITED + waited))
		[ "$waited" -gt 1 ] && echo "bench: waited $waited s for $LOCK"
		if ! start_server "$name" "$run"; then
			flock -u 9
			continue
		fi
		chk=$(ip netns exec "$GNS" kdig +time=1 +retry=1 +norec @"$SADDR" autodiscover.example.com A 2>&1)
		if ! grep -q 'status: NOERROR' <<<"$chk"; then
			echo "bench: $name: kdig got no answer:"
			head -5 <<<"$chk" | sed 's/^/     /'
		fi
		[ "$run" = 1 ] && [ "$DNSPERF_QPS" != 0 ] && run_dnsperf "$name"
		case $name in *-metrics) start_scraper ;; esac
		best=0
		for rate in $(rates_of "$name"); do
			read -r sent replies cg cs csu csk oth othtop gc rc < <(run_gun "$name" "$run" "$rate")
			# Someone else on the cores: once more, after a pause; the quieter of the two counts.
			if [ "$sent" != 0 ] && [ "${oth:-0}" -ge "$OTHERS_MAX" ] 2>/dev/null; then
				echo "  $name run $run at $rate: others took $oth% of a core ($othtop), once more in 3 s"
				AGAIN=$((AGAIN + 1))
				sleep 3
				read -r s2 r2 cg2 cs2 csu2 csk2 oth2 othtop2 gc2 rc2 < <(run_gun "$name" "$run" "$rate")
				if [ "${s2:-0}" != 0 ] && [ "${oth2:-0}" -lt "$oth" ] 2>/dev/null; then
					sent=$s2 replies=$r2 cg=$cg2 cs=$cs2 csu=$csu2 csk=$csk2 oth=$oth2 othtop=$othtop2 gc=$gc2 rc=$rc2
				fi
			fi
			if [ "${sent:-0}" = 0 ]; then
				echo "bench: $name at $rate q/s: the generator ($GEN) failed:"
				sed 's/^/     /' "$TMP/$name-r$run-$rate.gun" | tail -5
				continue
			fi
			rps=$((replies / DURATION))
			loss=$(awk -v s="$sent" -v r="$replies" 'BEGIN { printf "%.1f", (s > 0) ? 100 * (s - r) / s : 0 }')
			printf '  %-19s run %s offered %6s  sent %7s  replies %7s  %6s replies/s  loss %4s%%  cpu %s%% %s%% (%s/%s)  others %s%% %s  generator got %s%%  %s\n' \
				"$name" "$run" "$rate" "$sent" "$replies" "$rps" "$loss" "$cg" "$cs" "$csu" "$csk" "$oth" "$othtop" "$gc" "$rc"
			echo "| $name | $run | $rate | $sent | $replies | $rps | $loss | $cg | $cs ($csu/$csk) | $oth ($othtop) | $gc | $rc |" >>"$TMP/detail"
			# shellcheck disable=SC2034 # read through col's nameref
			if [ "$rps" -gt "$best" ]; then
				best=$rps
				R_RPS[$name,$run]=$rps
				R_Q[$name,$run]=$rate
				R_LOSS[$name,$run]=$loss
				R_GEN[$name,$run]=$cg
				R_SRV[$name,$run]=$cs
				R_SRVU[$name,$run]=$csu
				R_SRVK[$name,$run]=$csk
				R_OTH[$name,$run]=$oth
			fi
			sleep 0.5
		done
		case $name in
		*-metrics)
			stop_scraper
			echo "  $name run $run: $(wc -l <"$TMP/scrapes") scrapes;" \
				"$(grep -c . "$TMP/scrape.err") failed;" \
				"$(awk '/^sandns_queries_total/ { n += $NF } END { printf "last scrape: sandns_queries_total %d", n }' "$TMP/scrape")"
			;;
		*-dnstap) "$SANDNSCTL" --control "$TMP/$name-r$run.sock" stats 2>&1 | grep '^dnstap:' |
			sed "s/^/  $name run $run: /" ;;
		esac
		stop_server
		rm -f "$TMP/$name-r$run.tap"
		flock -u 9
		case $name in
		reflector-*) grep '^sandns-reflector: rx=' "$TMP/$name-r$run.log" | sed 's/^/  /' ;;
		esac
	done
done
ELAPSED=$((SECONDS - START))

# ---------------------------------------------------------------- the table
# col ARRAY NAME: that server's per-run values of ARRAY, one a line (runs that gave none left out).
col() {
	local -n arr=$1
	local r
	for r in $(seq 1 "$RUNS"); do
		[ -n "${arr[$2,$r]:-}" ] && [ "${arr[$2,$r]}" != - ] && echo "${arr[$2,$r]}"
	done
}
MED_RPS() { col R_RPS "$1" | median; }
ratio() {
	local a b
	a=$(MED_RPS "$1")
	b=$(MED_RPS "$2")
	case "$a" in '' | *[!0-9]*) echo "n/a"; return ;; esac
	case "$b" in '' | *[!0-9]* | 0) echo "n/a"; return ;; esac
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }'
}
# Per run: run i of A over run i of B (the two ran minutes apart, not at the same moment).
ratios_per_run() {
	local r out=
	for r in $(seq 1 "$RUNS"); do
		if [ -n "${R_RPS[$1,$r]:-}" ] && [ "${R_RPS[$2,$r]:-0}" -gt 0 ]; then
			out+="$(awk -v a="${R_RPS[$1,$r]}" -v b="${R_RPS[$2,$r]}" 'BEGIN { printf "%.2f", a / b }') "
		else
			out+="n/a "
		fi
	done
	echo "${out% }"
}
echo
echo "Every generator run ($GENDESC, $DURATION s each; CPU: busy % of each core from /proc/stat, from 1 s after the start to 1 s before the end; others: CPU taken in that window by processes not of this benchmark, in % of one core, and the biggest of them; the generator's own CPU: what its process got over its run, well under 100 when it sent less than offered means it was starved of its core):"
echo
cat "$TMP/detail"
if [ "$DNSPERF_QPS" != 0 ]; then
	echo
	echo "dnsperf, once per server (run 1, before the sweep), $DNSPERF_QPS q/s offered for $DNSPERF_TIME s, 1 client, timeout 1 s. dnsperf measures itself (it tops out at 60-95k/s on its core), not the server: answers and loss at a modest rate, not throughput:"
	echo
	cat "$TMP/dnsperf"
fi
echo
echo "Best replies/s of each run; medians over the $RUNS runs, min..max in brackets ($DURATION s per rate, $GENDESC; loss and CPU are those of each run's best, medians):"
echo
echo "| server | runs | best replies/s (median) | min..max | offered at best (q/s, per run) | loss % at best | core $GEN_CPU (generator) busy % | core $SRV_CPU (server) busy % | core $SRV_CPU user / kernel % | others' CPU % (per run) |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---|"
for name in $SERVERS; do
	n=$(col R_RPS "$name" | wc -l)
	if [ -n "${NA[$name]:-}" ]; then
		echo "| $name | 0/$RUNS | ${NA[$name]} | | | | | | | |"
		continue
	fi
	if [ "$n" = 0 ]; then
		echo "| $name | 0/$RUNS | failed | | | | | | | |"
		continue
	fi
	qs=$(for r in $(seq 1 "$RUNS"); do printf '%s ' "${R_Q[$name,$r]:--}"; done)
	os=$(for r in $(seq 1 "$RUNS"); do printf '%s ' "${R_OTH[$name,$r]:--}"; done)
	echo "| $name | $n/$RUNS | $(col R_RPS "$name" | median) | $(col R_RPS "$name" | minmax) | ${qs% } |" \
		"$(col R_LOSS "$name" | median %.1f) ($(col R_LOSS "$name" | minmax)) | $(col R_GEN "$name" | median) |" \
		"$(col R_SRV "$name" | median) | $(col R_SRVU "$name" | median) / $(col R_SRVK "$name" | median) | ${os% } |"
done
echo
echo "bench: took $((ELAPSED / 60)) min $((ELAPSED % 60)) s, of which $((WAITED / 60)) min $((WAITED % 60)) s waiting for $LOCK; $AGAIN rates measured once more"
echo
if [ -n "${NA[knot-xdp]:-}" ]; then
	echo "sandnsd-af_xdp / knot-xdp: none, knot-xdp ${NA[knot-xdp]}"
else
	echo "sandnsd-af_xdp / knot-xdp = $(ratio sandnsd-af_xdp knot-xdp) (medians; run by run: $(ratios_per_run sandnsd-af_xdp knot-xdp))"
fi
echo "sandnsd-af_xdp / reflector-af_xdp (the floor) = $(ratio sandnsd-af_xdp reflector-af_xdp) (medians; run by run: $(ratios_per_run sandnsd-af_xdp reflector-af_xdp))"
exit 0
