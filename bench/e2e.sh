#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# e2e.sh: replies/s of sandnsd --io dpdk next to a bare DPDK reflector on the same path, from
# one run. Two namespaces (generator gen-$$, server srv-$$) joined by one veth pair; the
# generator (kxdpgun, AF_XDP) on core 0, the server and its veth NAPI thread on core 1
# (../shared/BENCH-FACTS.md). Each server in turn:
#   sandnsd-af_xdp      sandnsd --io dpdk, net_af_xdp on the server's veth
#   sandnsd-af_packet   sandnsd --io dpdk, net_af_packet
#   reflector-af_xdp    bench/sandns-reflector (swap and send back), net_af_xdp
#   reflector-af_packet the reflector on net_af_packet
# gets kxdpgun for DURATION seconds at each offered rate in RATES; the best replies/s per
# server is kept, with its offered rate and loss. Prints a markdown table and the ratios.
#
# Environment: SANDNSD, REFLECTOR (default build/...), RATES ("200000 350000 500000 650000 800000"),
# DURATION (5), SERVERS (the four above), GEN_CPU (0), SRV_CPU (1), KEEP=1 keeps the logs.
# Traffic stays inside the namespaces it makes (198.18.0.0/24); they are removed on exit. Ends
# only the processes it started, by PID; every wait is bounded. About 2.5 minutes.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
REFLECTOR=${REFLECTOR:-$ROOT/build/bench/sandns-reflector}
ZONE=$ROOT/zones/sample/example.com.zone
RATES=${RATES:-200000 350000 500000 650000 800000}
DURATION=${DURATION:-5}
SERVERS=${SERVERS:-sandnsd-af_xdp sandnsd-af_packet reflector-af_xdp reflector-af_packet}
GEN_CPU=${GEN_CPU:-0}
SRV_CPU=${SRV_CPU:-1}

die() { echo "bench: $*" >&2; exit 1; }
skip() { echo "bench: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, DPDK, XDP)"
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$REFLECTOR" ] || die "no reflector at $REFLECTOR (build first, or set REFLECTOR)"
for c in ip ethtool taskset kdig kxdpgun timeout; do
	command -v "$c" >/dev/null || die "$c not found (knot-dnsutils has kdig and kxdpgun)"
done

GEN=gen-$$
SRV=srv-$$
VG=vg$$
VS=vs$$
SADDR=198.18.0.2
GADDR=198.18.0.1
TMP=$(mktemp -d /tmp/sandns-bench.XXXXXX)
CG=/sys/fs/cgroup/cpuset/sandns-bench-$$
PID=
PINNER=

# Ends our server: SIGTERM, up to 15 s, then SIGKILL.
stop_server() {
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
	ip netns del "$GEN" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	rm -rf "/var/run/dpdk/sandnsbench$$"-* 2>/dev/null
	rmdir "$CG/gen" "$CG/srv" "$CG" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $TMP"; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- topology
ip netns add "$GEN" || die "cannot create namespace $GEN"
ip netns add "$SRV" || die "cannot create namespace $SRV"
ip link add "$VG" type veth peer name "$VS" || die "cannot create a veth pair"
ip link set "$VG" netns "$GEN"
ip link set "$VS" netns "$SRV"
ip -n "$GEN" link set lo up
ip -n "$SRV" link set lo up
ip -n "$GEN" addr add "$GADDR/24" dev "$VG"
# Real checksums on the wire; GRO on so that veth receive runs in NAPI, which threaded NAPI
# then lets us pin to the receiving side's core.
ip netns exec "$GEN" ethtool -K "$VG" tx off rx off tso off gso off gro on >/dev/null 2>&1 ||
	echo "bench: ethtool -K $VG failed"
ip netns exec "$SRV" ethtool -K "$VS" tx off rx off tso off gso off gro on >/dev/null 2>&1 ||
	echo "bench: ethtool -K $VS failed"
ip -n "$GEN" link set "$VG" up
ip -n "$SRV" link set "$VS" up
ip netns exec "$GEN" sh -c "echo 1 > /sys/class/net/$VG/threaded" || echo "bench: no threaded NAPI on $VG"
ip netns exec "$SRV" sh -c "echo 1 > /sys/class/net/$VS/threaded" || echo "bench: no threaded NAPI on $VS"
SMAC=$(ip netns exec "$SRV" cat "/sys/class/net/$VS/address")

# cpuset cgroups (v1 here) when there are: taskset alone does not hold threads that pin
# themselves. A process joins before `ip netns exec`, which remounts /sys.
CGOK=0
if [ -d /sys/fs/cgroup/cpuset ] && mkdir "$CG" 2>/dev/null; then
	if cat /sys/fs/cgroup/cpuset/cpuset.mems >"$CG/cpuset.mems" &&
		echo "$GEN_CPU,$SRV_CPU" >"$CG/cpuset.cpus" && mkdir "$CG/gen" "$CG/srv" &&
		echo "$GEN_CPU" >"$CG/gen/cpuset.cpus" && cat "$CG/cpuset.mems" >"$CG/gen/cpuset.mems" &&
		echo "$SRV_CPU" >"$CG/srv/cpuset.cpus" && cat "$CG/cpuset.mems" >"$CG/srv/cpuset.mems"; then
		CGOK=1
	fi
fi
[ "$CGOK" = 1 ] || echo "bench: no cpuset cgroup, pinning with taskset only"
# ON_GEN / ON_SRV CMD...: runs CMD in that side's cpuset (when there is one), under taskset. An
# exec chain (sh, taskset, ip netns exec, timeout), so that $! of `"${ON_SRV[@]}" ... &` is the
# PID that gets our signals and forwards them.
if [ "$CGOK" = 1 ]; then
	# shellcheck disable=SC2016 # $$ and $0 are the inner shell's
	ON_GEN=(sh -c 'echo $$ > "$0/tasks" && exec "$@"' "$CG/gen" taskset -c "$GEN_CPU")
	# shellcheck disable=SC2016
	ON_SRV=(sh -c 'echo $$ > "$0/tasks" && exec "$@"' "$CG/srv" taskset -c "$SRV_CPU")
else
	ON_GEN=(taskset -c "$GEN_CPU")
	ON_SRV=(taskset -c "$SRV_CPU")
fi

# The NAPI kthreads (napi/<dev>-<id>) come and go with XDP programs: pinned again and again.
pin_napi() {
	local p comm
	for p in /proc/[0-9]*; do
		read -r comm <"$p/comm" 2>/dev/null || continue
		case $comm in
		"napi/$VG-"*) taskset -pc "$GEN_CPU" "${p#/proc/}" >/dev/null 2>&1 ;;
		"napi/$VS-"*) taskset -pc "$SRV_CPU" "${p#/proc/}" >/dev/null 2>&1 ;;
		esac
	done
}
pin_napi
NAPIS=$(for p in /proc/[0-9]*; do
	read -r comm <"$p/comm" 2>/dev/null || continue
	case $comm in "napi/$VG-"* | "napi/$VS-"*) echo "$comm@cpu$(taskset -pc "${p#/proc/}" 2>/dev/null | sed 's/.*: //')" ;; esac
done | tr '\n' ' ')
echo "bench: NAPI threads: ${NAPIS:-none (threaded NAPI missing?)}"

printf 'autodiscover.example.com A\nexample.com MX\nmail.example.com A\nnx.example.com A\n' \
	>"$TMP/queries"

# Waits up to 60 s for LINE in LOG; fails early when the server ends.
wait_line() {
	for _ in $(seq 1 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_server NAME: starts NAME in the server namespace on core SRV_CPU; 0 when it serves.
start_server() {
	local name=$1 vdev eal log=$TMP/$1.log ready
	case $name in
	*-af_xdp) vdev="net_af_xdp0,iface=$VS" ;;
	*-af_packet) vdev="net_af_packet0,iface=$VS" ;;
	*) die "unknown server $name" ;;
	esac
	eal=(--no-huge -m 512 --no-pci -l "$SRV_CPU" "--vdev=$vdev" "--file-prefix=sandnsbench$$-$name"
		--log-level=lib.eal:notice)
	case $name in
	sandnsd-*)
		"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL 300 "$SANDNSD" --foreground \
			--io dpdk --zone "example.com.=$ZONE" --listen "$SADDR" \
			--control "$TMP/$name.sock" -- "${eal[@]}" >"$log" 2>&1 &
		ready='^sandnsd: serving'
		;;
	reflector-*)
		"${ON_SRV[@]}" ip netns exec "$SRV" timeout -s KILL 300 "$REFLECTOR" \
			"${eal[@]}" -- "$SADDR" >"$log" 2>&1 &
		ready='^sandns-reflector: serving'
		;;
	esac
	PID=$!
	if ! wait_line "$log" "$ready"; then
		echo "bench: $name did not come up:"
		sed 's/^/     /' "$log" | tail -15
		stop_server
		return 1
	fi
	pin_napi
	return 0
}

# The generator's kernel resolves the server through ARP (both servers answer it); a static
# entry when that fails, said so.
resolve() {
	local name=$1
	ip -n "$GEN" neigh flush dev "$VG" >/dev/null 2>&1
	ip netns exec "$GEN" timeout 5 ping -c 1 -W 1 "$SADDR" >/dev/null 2>&1
	if ip -n "$GEN" neigh show "$SADDR" dev "$VG" | grep -qi "lladdr $SMAC"; then
		return 0
	fi
	echo "bench: $name: ARP did not resolve $SADDR, static neighbour entry used"
	ip -n "$GEN" neigh replace "$SADDR" lladdr "$SMAC" dev "$VG" nud permanent
}

# run_gun NAME RATE: one kxdpgun run; prints "sent replies" (0 0 when it failed).
run_gun() {
	local name=$1 rate=$2 out=$TMP/$1-$2.gun sent replies
	( for _ in $(seq 1 $((DURATION * 2 + 8))); do pin_napi; sleep 0.5; done ) &
	PINNER=$!
	"${ON_GEN[@]}" ip netns exec "$GEN" timeout -s KILL $((DURATION + 20)) kxdpgun \
		-t "$DURATION" -Q "$rate" -F "$GEN_CPU" -I "$VG" -i "$TMP/queries" "$SADDR" >"$out" 2>&1
	stop_pinner
	# kxdpgun leaves its XDP program on the interface: kernel UDP replies to kdig would be
	# swallowed by it. Off, until the next run puts it back.
	ip -n "$GEN" link set dev "$VG" xdp off 2>/dev/null
	sent=$(sed -n 's/^total queries: *\([0-9]*\).*/\1/p' "$out" | head -1)
	replies=$(sed -n 's/^total replies: *\([0-9]*\).*/\1/p' "$out" | head -1)
	echo "${sent:-0} ${replies:-0}"
}

# ---------------------------------------------------------------- the runs
echo "bench: $(nproc) cores, kernel $(uname -r), $(kxdpgun -V 2>&1 | head -1); generator cpu $GEN_CPU, server cpu $SRV_CPU"
echo "bench: rates: $RATES; $DURATION s each; servers: $SERVERS"
declare -A BEST BEST_Q BEST_LOSS
{
	echo "| server | offered q/s | sent | replies | replies/s | loss % |"
	echo "|---|---:|---:|---:|---:|---:|"
} >"$TMP/detail"
for name in $SERVERS; do
	BEST[$name]=0
	BEST_Q[$name]=-
	BEST_LOSS[$name]=-
	if ! start_server "$name"; then
		BEST[$name]=failed
		continue
	fi
	resolve "$name"
	chk=$(ip netns exec "$GEN" kdig +time=1 +retry=1 +norec @"$SADDR" autodiscover.example.com A 2>&1)
	if ! grep -q 'status: NOERROR' <<<"$chk"; then
		echo "bench: $name: kdig got no answer:"
		head -5 <<<"$chk" | sed 's/^/     /'
	fi
	for rate in $RATES; do
		read -r sent replies < <(run_gun "$name" "$rate")
		if [ "$sent" = 0 ]; then
			echo "bench: $name at $rate q/s: kxdpgun failed:"
			sed 's/^/     /' "$TMP/$name-$rate.gun" | tail -5
			continue
		fi
		rps=$((replies / DURATION))
		loss=$(awk -v s="$sent" -v r="$replies" 'BEGIN { printf "%.1f", (s > 0) ? 100 * (s - r) / s : 0 }')
		printf '  %-20s offered %7s  sent %8s  replies %8s  %7s replies/s  loss %5s%%\n' \
			"$name" "$rate" "$sent" "$replies" "$rps" "$loss"
		echo "| $name | $rate | $sent | $replies | $rps | $loss |" >>"$TMP/detail"
		if [ "$rps" -gt "${BEST[$name]}" ]; then
			BEST[$name]=$rps
			BEST_Q[$name]=$rate
			BEST_LOSS[$name]=$loss
		fi
		sleep 0.5
	done
	stop_server
	case $name in
	reflector-*) grep '^sandns-reflector: rx=' "$TMP/$name.log" | sed 's/^/  /' ;;
	esac
done

# ---------------------------------------------------------------- the table
ratio() {
	local a=${BEST[$1]:-x} b=${BEST[$2]:-x}
	case "$a" in '' | *[!0-9]*) echo "n/a"; return ;; esac
	case "$b" in '' | *[!0-9]* | 0) echo "n/a"; return ;; esac
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }'
}
echo
echo "Per run:"
echo
cat "$TMP/detail"
echo
echo "Best of each server ($DURATION s runs, kxdpgun, offered $RATES q/s):"
echo
echo "| server | best replies/s | offered at best (q/s) | loss % at best |"
echo "|---|---:|---:|---:|"
for name in $SERVERS; do
	echo "| $name | ${BEST[$name]} | ${BEST_Q[$name]} | ${BEST_LOSS[$name]} |"
done
echo
echo "sandnsd-af_xdp / reflector-af_xdp = $(ratio sandnsd-af_xdp reflector-af_xdp)"
echo "sandnsd-af_packet / reflector-af_packet = $(ratio sandnsd-af_packet reflector-af_packet)"
exit 0
