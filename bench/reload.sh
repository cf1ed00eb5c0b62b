#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# reload.sh: zone reloads under load. While bench/sandns-loadgen sends ver.example.com
# TXT at a fixed rate, RELOADS hot swaps alternate two versions of example.com; each answer must
# be one whole version ("vN-a", "vN-b"). Per mode, first BASE_SECS without reloads (the rate's
# own figures), then DURATION seconds with the reloads spread evenly over them (from 1 s after the
# start to 1 s before the end, at fixed times): queries sent, answered, lost, answers that mix
# versions, the longest gap without answers (and its part that is not the generator's own
# pause), latencies, how long each `sandnsctl reload` took and which gaps fell during one; and,
# to find where time or queries went: CPU time and run-queue wait of each sandnsd thread
# (schedstat), UDP error counters, veth drop counters, hypervisor steal, `sandnsctl stats`.
#   socket  sandnsd --io socket on 127.0.0.1 (a free port), the generator on the same host
#   dpdk    sandnsd --io dpdk on net_af_xdp (PMD=af_packet for net_af_packet) in a server
#           namespace, the generator in a client namespace, one veth pair between them
# The server runs on core SRV_CPU (all its threads: the UDP worker or the DPDK poll loop, and the
# control thread that compiles and publishes the snapshot), the generator on GEN_CPU, in cpuset
# cgroups when there are (v1) plus taskset; in dpdk mode the veth NAPI threads are pinned as
# bench/e2e.sh does. The reload driver (this shell and what it runs: sed, mv, sandnsctl) is
# pinned to DRIVER_CPU (GEN_CPU): forked onto the server's core it would take that core from
# sandnsd's worker, a cost of the test, not of sandnsd. A reload writes the other version with
# the next serial aside, renames it over the served file, then runs `sandnsctl --control SOCK
# reload example.com.`, which must exit 0.
#
# Environment: RATE (50000 q/s), DURATION (30 s), RELOADS (100), BASE_SECS (10; 0 skips the run
# without reloads), MODES ("socket dpdk"), PMD (af_xdp), GEN_CPU (0), SRV_CPU (1), SRV_CPUS (the
# cores sandnsd's process may use, SRV_CPU; "0,1" in dpdk mode keeps the poll loop on SRV_CPU,
# EAL's lcore, and lets sandnsd put its control thread on the other core), DRIVER_CPU (GEN_CPU),
# GAP_LOG_MS (2: gaps longer than this are counted and set against the reloads), PAD (0: the
# zone is example.com as sampled plus ver; N adds N one-A-record names, of which PAD_CHANGE (100)
# change with each reload: the reload of a large zone with a small change; every version is
# written aside before the run, so with PAD=1000000 keep RELOADS near 10), SANDNSD_ARGS (more
# options for sandnsd, e.g. "--keep-zones yes" so that a large zone's reload is a patch), NOBUILD=1
# skips the build (meson setup + ninja in build/), KEEP=1 keeps the logs. Measured runs on a
# shared machine: `flock /tmp/sandns-bench.lock bash bench/reload.sh`. Needs root for the dpdk
# mode (skipped, said so, otherwise). Traffic: 127.0.0.1, and 198.18.0.0/24 inside the
# namespaces it makes, removed on exit. Ends only the processes it started, by PID; every wait
# is bounded. About 100 s with the defaults.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SANDNSD=$BUILD/control/sandnsd
SANDNSCTL=$BUILD/control/sandnsctl
LOADGEN=$BUILD/bench/sandns-loadgen
SAMPLE=$ROOT/zones/sample
RATE=${RATE:-50000}
DURATION=${DURATION:-30}
RELOADS=${RELOADS:-100}
BASE_SECS=${BASE_SECS:-10}
MODES=${MODES:-socket dpdk}
PMD=${PMD:-af_xdp}
GEN_CPU=${GEN_CPU:-0}
SRV_CPU=${SRV_CPU:-1}
SRV_CPUS=${SRV_CPUS:-$SRV_CPU}
DRIVER_CPU=${DRIVER_CPU:-$GEN_CPU}
GAP_LOG_MS=${GAP_LOG_MS:-2}
PAD=${PAD:-0}
PAD_CHANGE=${PAD_CHANGE:-100}
read -r -a SANDNSD_ARGS <<<"${SANDNSD_ARGS:-}"

die() { echo "reload: $*" >&2; exit 1; }

# ---------------------------------------------------------------- build
if [ "${NOBUILD:-0}" != 1 ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$ROOT" >/dev/null || die "meson setup $BUILD failed"
	fi
	ninja -C "$BUILD" >"/tmp/sandns-reload-build.$$" 2>&1 || {
		tail -20 "/tmp/sandns-reload-build.$$"
		rm -f "/tmp/sandns-reload-build.$$"
		die "the build failed"
	}
	rm -f "/tmp/sandns-reload-build.$$"
fi
for b in "$SANDNSD" "$SANDNSCTL" "$LOADGEN"; do
	[ -x "$b" ] || die "no $b (build first)"
done
for c in taskset timeout awk ss; do
	command -v "$c" >/dev/null || die "$c not found"
done

TMP=$(mktemp -d /tmp/sandns-reload.XXXXXX)
CLI=sandns-reload-cli-$$
SRV=sandns-reload-srv-$$
VC=rlc$$
VS=rls$$
CG=/sys/fs/cgroup/cpuset/sandns-reload-$$
PID=     # our sandnsd (the timeout at the end of the exec chain that runs it)
SPID=    # sandnsd itself
GENPID=  # our sandns-loadgen
NETNS=0  # the namespaces exist
# shellcheck source=../tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"
# shellcheck source=../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=reload

# shellcheck disable=SC2317 # reached through the trap
cleanup() {
	local rc=$?
	[ -z "$GENPID" ] || stop_pid "$GENPID" 5 "reload: sandns-loadgen" >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "reload: kept $TMP"; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- pinning
# ON_GEN / ON_SRV CMD...: on GEN_CPU / SRV_CPUS, in cpuset cgroups (v1) when there are: taskset
# alone does not hold threads that pin themselves (EAL's). See scripts/topo.sh.
if topo_cpusets "$CG" "$GEN_CPU" "$SRV_CPUS"; then
	PINNING="cpuset cgroups + taskset"
else
	PINNING="taskset only (no cpuset cgroup)"
fi

# ---------------------------------------------------------------- the two versions
# As tests/e2e/reload_load.py: example.com with a two-record TXT RRset at ver, "vN-a" "vN-b".
# With PAD, PAD more names pad0..pad(PAD-1) with an A record each: the same in both versions but
# for the first PAD_CHANGE of them, whose addresses differ (a large zone with a small change).
for v in v1 v2; do
	{
		cat "$SAMPLE/example.com.zone"
		printf 'ver                     IN  TXT   "%s-a"\n' "$v"
		printf 'ver                     IN  TXT   "%s-b"\n' "$v"
		if [ "$PAD" -gt 0 ]; then
			awk -v n="$PAD" -v c="$PAD_CHANGE" -v w="${v#v}" 'BEGIN {
				for (i = 0; i < n; i++)
					printf "pad%d IN A 10.%d.%d.%d\n", i, (i < c ? w : 0),
						int(i / 256) % 256, i % 256 }'
		fi
	} >"$TMP/$v.zone"
done
LZONE=$TMP/example.com.zone
SERIAL=2024070100
# install VERSION SERIAL [TO]: VERSION with SERIAL written aside, then renamed over TO ($LZONE)
install_version() {
	local to=${3:-$LZONE}
	sed -e "s/2024060101 ; serial/$2 ; serial/" "$TMP/$1.zone" >"$to.tmp" &&
		grep -q "$2 ; serial" "$to.tmp" && mv "$to.tmp" "$to"
}

# now_ns: CLOCK_REALTIME in ns without a fork (the generator's gap log uses the same clock)
now_ns() { local t=${EPOCHREALTIME/./}; echo "${t}000"; }

# cpu_busy: how busy each core was over the last second (others' work shows here: the machine is
# shared), e.g. "cpu0 3% cpu1 100%"
cpu_busy() {
	local a b
	a=$(grep '^cpu[0-9]' /proc/stat)
	sleep 1
	b=$(grep '^cpu[0-9]' /proc/stat)
	paste <(echo "$a") <(echo "$b") | awk '{ n = NF / 2; t0 = 0; t1 = 0
		for (i = 2; i <= n; i++) { t0 += $i; t1 += $(i + n) }
		idle = ($(n + 5) + $(n + 6)) - ($5 + $6); tot = t1 - t0
		printf "%s %d%% ", $1, (tot > 0 ? 100 * (tot - idle) / tot : 0) }' | sed 's/ $//'
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# snmp_udp: "InErrors RcvbufErrors SndbufErrors" of UDP in the current namespace
# shellcheck disable=SC2317 # run through bash -c in the namespace
snmp_udp() {
	awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 } else
		print $(n["InErrors"]), $(n["RcvbufErrors"]), $(n["SndbufErrors"]) }' /proc/net/snmp
}

# link_drops: in dpdk mode, "tx_dropped rx_dropped" of the client's veth, then of the server's
# (a veth counts in tx_dropped what its peer's 256-frame ring had no room for)
link_drops() {
	[ "$NETNS" = 1 ] || return 0
	ip netns exec "$CLI" cat "/sys/class/net/$VC/statistics/tx_dropped" \
		"/sys/class/net/$VC/statistics/rx_dropped" 2>/dev/null | tr '\n' ' '
	ip netns exec "$SRV" cat "/sys/class/net/$VS/statistics/tx_dropped" \
		"/sys/class/net/$VS/statistics/rx_dropped" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}

# thread_sched: per thread of our sandnsd, "TID NAME CPU_NS WAIT_NS" (/proc/.../schedstat: time
# on the CPU, time runnable but waiting for it); SPID is sandnsd itself (timeout's child)
thread_sched() {
	local t c run wait
	[ -n "$SPID" ] || return 0
	for t in /proc/"$SPID"/task/*; do
		read -r c <"$t/comm" 2>/dev/null || continue
		read -r run wait _ <"$t/schedstat" 2>/dev/null || continue
		echo "${t##*/} ${c// /_} $run $wait"
	done
}
# sched_delta BEFORE AFTER: per thread, ms on the CPU and ms waiting for it during the run
sched_delta() {
	awk 'NR == FNR { r[$1] = $3; w[$1] = $4; next }
		{ printf "%s%s %.1f/%.1f", sep, $2, ($3 - r[$1]) / 1e6, ($4 - w[$1]) / 1e6; sep = ", " }' \
		<(echo "$1") <(echo "$2")
}

# steal_ticks: per core, the ticks the hypervisor ran something else while the core had work
steal_ticks() { awk '/^cpu[0-9]/ { printf "%s ", $9 }' /proc/stat; }

# ---------------------------------------------------------------- one measured run
# run_load MODE PHASE SECS NRELOADS: the generator for SECS seconds (GEN_RUN: its command line up
# to the address) with NRELOADS reloads spread over them; appends a table row.
run_load() {
	local mode=$1 phase=$2 secs=$3 nrel=$4 out=$TMP/$1-$2 i v t0 gap at wait ok=0 fail=0 s e rc
	local line snmp0 snmp1 link0 link1 sch0 sch1 st0 st1 cur=${CURV}
	: >"$out.reloads"
	# the versions the reloads will install, each with the next serial, written aside now
	NEXTV=()
	v=$cur
	for i in $(seq 1 "$nrel"); do
		if [ "$v" = v1 ]; then v=v2; else v=v1; fi
		SERIAL=$((SERIAL + 1))
		install_version "$v" "$SERIAL" "$TMP/next-$i.zone" || die "could not write $TMP/next-$i.zone"
		NEXTV[i]=$v
	done
	link0=$(link_drops)
	sch0=$(thread_sched)
	st0=$(steal_ticks)
	echo "  $mode, $phase: cores busy in the second before: $(cpu_busy)"
	snmp0=$("${IN_GEN[@]}" bash -c "$(declare -f snmp_udp); snmp_udp")
	"${ON_GEN[@]}" "${IN_GEN[@]}" timeout -s KILL $((secs + 30)) "$LOADGEN" --rate "$RATE" \
		--duration "$secs" --gap-log "$GAP_LOG_MS" "$TARGET" >"$out.gen" 2>"$out.gaps" &
	GENPID=$!
	t0=$(now_ns)
	if [ "$nrel" -gt 0 ]; then
		# The loop forks only mv and sandnsctl (sandnsctl bounds its own wait, 120 s): times
		# from $EPOCHREALTIME, sleeps in read -t, the next versions written aside before.
		# From 1 s after the start to 1 s before the end, at fixed times (not after each other).
		gap=$(((secs - 2) * 1000000000 / nrel))
		for i in $(seq 1 "$nrel"); do
			at=$((t0 + 1000000000 + (i - 1) * gap))
			wait=$(((at - $(now_ns)) / 1000))
			if [ "$wait" -gt 0 ]; then
				read -r -t "$((wait / 1000000)).$(printf '%06d' $((wait % 1000000)))" -u "$SLEEPFD"
			fi
			v=${NEXTV[$i]}
			s=$(now_ns)
			if ! mv "$TMP/next-$i.zone" "$LZONE"; then
				fail=$((fail + 1))
				echo "reload $i: could not rename $TMP/next-$i.zone over $LZONE" >>"$out.reloads"
				continue
			fi
			"$SANDNSCTL" --control "$SOCK" reload example.com. >"$out.ctl" 2>&1
			rc=$?
			e=$(now_ns)
			echo "$i $v $s $e $rc" >>"$out.reloads"
			if [ "$rc" = 0 ]; then
				ok=$((ok + 1))
				cur=$v
			else
				fail=$((fail + 1))
				echo "reload $i ($v) failed ($rc): $(head -c 300 "$out.ctl")"
			fi
		done
	fi
	# bounded: the generator's own timeout
	wait "$GENPID"
	rc=$?
	GENPID=
	CURV=$cur
	snmp1=$("${IN_GEN[@]}" bash -c "$(declare -f snmp_udp); snmp_udp")
	line=$(grep '^sent=' "$out.gen" | tail -n 1)
	[ -n "$line" ] || line="(sandns-loadgen: no result, exit $rc: $(head -c 300 "$out.gaps"))"
	echo "  $mode, $phase: $line"
	[ "$nrel" -gt 0 ] && echo "  $mode, $phase: reloads done $ok, failed $fail"
	# the server's and the generator's namespace UDP error counters, before/after
	echo "  $mode, $phase: UDP InErrors/RcvbufErrors/SndbufErrors on the generator's side: $snmp0 -> $snmp1"
	sch1=$(thread_sched)
	st1=$(steal_ticks)
	echo "  $mode, $phase: steal ticks per core (1/$(getconf CLK_TCK) s each): $st0-> $st1"
	echo "  $mode, $phase: sandnsd threads, ms on the CPU / ms runnable but waiting for it: $(sched_delta "$sch0" "$sch1")"
	link1=$(link_drops)
	[ -z "$link1" ] || echo "  $mode, $phase: veth drops (tx_dropped rx_dropped of $VC, then of $VS): $link0 -> $link1"
	summarize "$mode" "$phase" "$out" "$line" "$ok" "$fail" "$nrel" "$secs"
}

# summarize MODE PHASE OUT LINE OK FAIL NREL SECS: reload times, gaps during reloads, the table row
summarize() {
	local mode=$1 phase=$2 out=$3 line=$4 ok=$5 fail=$6 nrel=$7 secs=$8 rt gaps ngaps
	rt=-
	if [ "$nrel" -gt 0 ]; then
		# sandnsctl reload wall time (fork+exec included): median and max, ms
		rt=$(awk 'NF == 5 { print ($4 - $3) / 1e6 }' "$out.reloads" | sort -n |
			awk '{ a[NR] = $1 } END { if (NR) printf "%.1f / %.1f", a[int((NR + 1) / 2)], a[NR]; else print "-" }')
		echo "  $mode, $phase: sandnsctl reload wall time, median / max ms: $rt"
	fi
	# gaps longer than GAP_LOG_MS: how many; how many still are once the generator's own pause
	# is taken off (server); how many of those overlap a reload (sandnsctl's run)
	ngaps=$(grep -c '^gap ' "$out.gaps")
	gaps=$(awk -v win="$out.reloads" -v thr="$GAP_LOG_MS" -v secs="$secs" 'BEGIN {
			while ((getline l < win) > 0) {
				split(l, f, " "); if (f[5] != "") { n++; s[n] = f[3]; e[n] = f[4]; busy += f[4] - f[3] } } }
		/^gap / { ms = $2; from = $8; sub(/\)$/, "", from); srv = $10; if (srv <= thr) next
			sg++; len += ms * 1e6; to = from + ms * 1e6
			for (i = 1; i <= n; i++) if (from < e[i] && to > s[i]) { in_r++; break } }
		END { # were the gaps spread at random, this many would overlap a reload by chance
			chance = sg ? sg * (busy + n * len / sg) / (secs * 1e9) : 0
			printf "%d", sg; if (n) printf ", %d during a reload, %.1f by chance", in_r, chance }' "$out.gaps")
	gaps="$ngaps (server's: $gaps)"
	echo "  $mode, $phase: reply gaps > $GAP_LOG_MS ms: $gaps"
	if [ "$ngaps" -gt 0 ]; then
		sort -t' ' -k2,2 -rn "$out.gaps" | head -3 | sed "s/^/    $mode, $phase: /"
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
		"$mode" "$phase" "$RATE" "$(field sent "$line")" "$(field answered "$line")" \
		"$(field lost "$line")" "$(field mixed "$line")" "$(field versions "$line")" \
		"$(field longest_gap_ms "$line")" "$(field longest_server_gap_ms "$line")" \
		"$(field p50_us "$line")" "$(field p99_us "$line")" \
		"$(field max_us "$line")" "$( [ "$nrel" -gt 0 ] && echo "$ok / $fail" || echo -)" \
		"$rt" "$gaps" >>"$TMP/table"
}

# ---------------------------------------------------------------- the modes
# start_socket / start_dpdk: sandnsd serving $LZONE (v1); set TARGET, SOCK, IN_GEN, CHECK
start_socket() {
	local port
	port=$(pick_port $((20000 + ($$ * 7) % 12000))) || { echo "  socket: no free port"; return 1; }
	SOCK=$TMP/socket.sock
	"${ON_SRV[@]}" timeout -s KILL $((BASE_SECS + DURATION + 200)) "$SANDNSD" --foreground \
		--io socket --zone "example.com.=$LZONE" --listen "127.0.0.1@$port" --control "$SOCK" \
		--state-dir "$TMP/socket.state" "${SANDNSD_ARGS[@]}" >"$TMP/socket.log" 2>&1 &
	PID=$!
	TARGET=127.0.0.1@$port
	IN_GEN=()
	CHECK=(kdig +norec +time=1 +retry=1 -p "$port" @127.0.0.1)
	wait_serving "$TMP/socket.log" "$PID" 30
}

# The NAPI kthreads come and go with XDP programs: pinned again during the runs.
pin_napi() { topo_pin_napi "$VC" "$GEN_CPU" "$VS" "$SRV_CPU"; }

start_dpdk() {
	local eal=()
	# real checksums; GRO on so veth receive runs in NAPI, threaded and pinned (bench/e2e.sh)
	topo_pair --napi "$SRV" "$VS" "$CLI" "$VC" || return 1
	NETNS=1
	pin_napi
	topo_eal eal "$PMD" "$VS" "$SRV_CPU" "sandnsreload$$-$PMD" --log-level=lib.eal:notice || return 1
	SOCK=$TMP/dpdk.sock
	"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL $((BASE_SECS + DURATION + 200)) \
		"$SANDNSD" --foreground --io dpdk --zone "example.com.=$LZONE" --listen 198.18.0.2 \
		--control "$SOCK" --state-dir "$TMP/dpdk.state" "${SANDNSD_ARGS[@]}" -- "${eal[@]}" \
		>"$TMP/dpdk.log" 2>&1 &
	PID=$!
	TARGET=198.18.0.2
	IN_GEN=(ip netns exec "$CLI")
	CHECK=(ip netns exec "$CLI" kdig +norec +time=1 +retry=1 @198.18.0.2)
	wait_serving "$TMP/dpdk.log" "$PID" 60 || return 1
	pin_napi
	# ARP through sandnsd, and a first answer
	ip netns exec "$CLI" timeout 5 ping -c 1 -W 1 198.18.0.2 >/dev/null 2>&1
	return 0
}

ver_served() { "${CHECK[@]}" ver.example.com TXT +short 2>&1 | sort | tr '\n' ' ' | sed 's/ $//'; }

run_mode() {
	local mode=$1 rc got want
	SERIAL=$((SERIAL + 1))
	install_version v1 "$SERIAL" || die "could not write $LZONE"
	CURV=v1
	case $mode in
	socket) start_socket ;;
	dpdk)
		if [ "$(id -u)" != 0 ]; then
			echo "reload: SKIP dpdk: needs root (namespaces, DPDK)"
			return 0
		fi
		start_dpdk
		;;
	*) die "unknown mode $mode" ;;
	esac
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "reload: $mode: sandnsd did not come up:"
		tail -15 "$TMP/$mode.log" | sed 's/^/     /'
		stop_sandnsd
		echo "| $mode | (did not start) | $RATE | | | | | | | | | | | | | |" >>"$TMP/table"
		return 1
	fi
	echo "reload: $mode: $(grep '^sandnsd: serving' "$TMP/$mode.log")"
	# sandnsd is the child of timeout, the end of the exec chain $PID
	SPID=$(ps -o pid= --ppid "$PID" | head -1 | tr -d ' ')
	got=$(ver_served)
	[ "$got" = '"v1-a" "v1-b"' ] || echo "reload: $mode: ver.example.com TXT is '$got', not v1 (the runs go on)"
	if [ "$BASE_SECS" != 0 ]; then
		run_load "$mode" "no reloads" "$BASE_SECS" 0
		[ "$mode" = dpdk ] && pin_napi
	fi
	run_load "$mode" "$RELOADS reloads" "$DURATION" "$RELOADS"
	want="\"$CURV-a\" \"$CURV-b\""
	got=$(ver_served)
	if [ "$got" = "$want" ]; then
		echo "  $mode: after the reloads, $CURV is served (serial $SERIAL)"
	else
		echo "  $mode: after the reloads, ver.example.com TXT is '$got', not $CURV"
	fi
	timeout 10 "$SANDNSCTL" --control "$SOCK" stats >"$TMP/$mode.stats" 2>&1
	grep -E '^(udp|snapshot|dataplane|lcore)' "$TMP/$mode.stats" | sed "s/^/  $mode stats: /"
	if [ "$mode" = dpdk ]; then
		ip netns exec "$SRV" ethtool -S "$VS" 2>/dev/null | grep -E 'drops|xdp_redirect|full' |
			awk '$2 != 0' | tr -s ' ' | tr '\n' ';' | sed "s/^/  $mode veth (server side): /; s/;\$/\\n/"
	fi
	stop_sandnsd
	rc=$?
	SPID=
	[ "$rc" = 0 ] || echo "  $mode: sandnsd exit status $rc on SIGTERM"
	if [ "$mode" = dpdk ]; then
		topo_del "$CLI" "$SRV"
		NETNS=0
	fi
}

# The reload driver (this shell and what it forks during a run: mv, sandnsctl) on DRIVER_CPU, so
# that the server's core sees only sandnsd's own reload work.
taskset -pc "$DRIVER_CPU" $$ >/dev/null 2>&1 || echo "reload: could not pin the driver to cpu $DRIVER_CPU"
# read -t on a FIFO that nobody writes: a sleep without a fork
mkfifo "$TMP/sleep" || die "mkfifo failed"
exec {SLEEPFD}<>"$TMP/sleep"
START=$(date +%s)
echo "reload: $(nproc --all) cores, kernel $(uname -r); $RATE q/s of ver.example.com TXT; $RELOADS reloads in $DURATION s" \
	"(+ $BASE_SECS s without); server cpu $SRV_CPU (process: $SRV_CPUS), generator cpu $GEN_CPU," \
	"reload driver cpu $DRIVER_CPU ($PINNING); modes: $MODES" \
	"(dpdk: net_$PMD)"
{
	echo "| mode | run | offered q/s | sent | answered | lost | mixed | versions | longest gap ms | server's part ms | p50 us | p99 us | max us | reloads ok / failed | sandnsctl reload ms median / max | gaps > $GAP_LOG_MS ms |"
	echo "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$TMP/table"
for m in $MODES; do
	run_mode "$m"
done
echo
cat "$TMP/table"
echo
echo "reload: $(($(date +%s) - START)) s"
exit 0
