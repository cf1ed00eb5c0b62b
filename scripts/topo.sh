# SPDX-License-Identifier: BSD-3-Clause
# topo.sh: the test topologies (sourced): namespaces joined by a veth, EAL arguments, their removal.
# shellcheck shell=bash disable=SC2034 # TOPO_SRV4, ON_GEN and the like are for the caller
#
# Used by scripts/run.sh, tests/e2e/dpdk.sh, tests/e2e/abuse.sh, tests/e2e/autodiscover.sh,
# bench/e2e.sh and bench/reload.sh.
# The caller picks the names, each with its own PID ($$) in it so that two runs never collide,
# and calls topo_cleanup from its EXIT trap (after stopping its servers). Everything here records
# what it made and topo_cleanup removes only that: a namespace that already existed (someone
# else's) makes topo_pair fail and is left alone.
#
# The addresses (documentation and benchmark ranges; they exist only inside the namespaces):
TOPO_SRV4=198.18.0.2   # the server's, answered by sandnsd itself (no address on the veth)
TOPO_CLI4=198.18.0.1   # the client's (or the generator's), /24
TOPO_GEN4=198.18.0.3   # a DPDK generator's own (bench/dpgen.c): on no interface, it answers ARP itself
TOPO_SRV6=2001:db8::2
TOPO_CLI6=2001:db8::1  # /64, with topo_pair --ipv6
#
# No sysctl is needed: net_af_packet and net_af_xdp take the veth as it is, and the client's
# kernel resolves the server through ARP and ND, which sandnsd answers. What the far side of the
# PMD needs is real checksums: a veth would hand over partial ones (transmit offload), so
# topo_pair turns it off on both ends. The exception path (TCP and the rest) is a net_tap that
# sandnsd adds to its own EAL arguments (dataplane/dp_tap.c) inside the server's namespace; it
# goes with sandnsd, or with the namespace. The MTU is the veth default (1500); nothing sets it.
#
# Messages start with "$TOPO_WHO: " (the caller's name; "topo" when unset).

TOPO_NS=()    # namespaces made here, in order
TOPO_VETH=()  # veth ends made here and still in this namespace (not yet moved)
TOPO_DPDK=()  # EAL file prefixes handed out (their runtime directories)
TOPO_CG=      # the cpuset cgroup made here

topo_say() { echo "${TOPO_WHO:-topo}: $*" >&2; }

# topo_ns NS...: namespaces NS, each with lo up and nothing else (no veth: for a client and
# servers that meet on its lo). Returns 1, saying why, when a step fails; what it made by then is
# removed by topo_cleanup.
topo_ns() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || { topo_say "cannot create namespace $ns"; return 1; }
		TOPO_NS+=("$ns")
		ip -n "$ns" link set lo up || { topo_say "cannot set up lo in $ns"; return 1; }
	done
	return 0
}

# topo_lo_addr NS ADDR/LEN...: adds each address to lo in the namespace NS (made here, e.g. by
# topo_ns or topo_pair), IPv6 ones without duplicate address detection: addresses that servers
# in NS listen on and clients in NS reach. They go with the namespace. Returns 1, saying which,
# when one cannot be added.
topo_lo_addr() {
	local ns=$1 a
	shift
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev lo nodad ;;
		*) ip -n "$ns" addr add "$a" dev lo ;;
		esac || { topo_say "cannot add $a to lo in $ns"; return 1; }
	done
	return 0
}

# topo_pair [--ipv6] [--napi] [--queues N] SRV VS CLI VC: namespaces SRV and CLI, each with lo up, joined by
# a veth whose end VS is in SRV and VC in CLI, both up. VC gets TOPO_CLI4/24 (and TOPO_CLI6/64
# without duplicate address detection with --ipv6); VS gets no address (the PMD drives it).
# Transmit checksum offload off on both ends. --napi (the benchmarks): also rx, tso and gso off
# and GRO on, so that veth receive runs in NAPI, and threaded NAPI on both ends, so that its
# kthreads (napi/DEV-N) can be pinned (topo_pin_napi). --queues N: N receive and N transmit queues
# on both ends (the client's kernel spreads its flows over them by hash, each arriving on the queue
# of the same number at the far end). Returns 1, saying why, when a step fails;
# what it made by then is removed by topo_cleanup.
topo_pair() {
	local ipv6=0 napi=0 queues=1 srv vs cli vc off dev ns
	while [ $# -gt 0 ]; do
		case $1 in
		--ipv6) ipv6=1 ;;
		--napi) napi=1 ;;
		--queues) queues=$2; shift ;;
		*) break ;;
		esac
		shift
	done
	[ $# = 4 ] || { topo_say "topo_pair [--ipv6] [--napi] [--queues N] SRV VS CLI VC"; return 1; }
	srv=$1 vs=$2 cli=$3 vc=$4
	for ns in "$srv" "$cli"; do
		ip netns add "$ns" || { topo_say "cannot create namespace $ns"; return 1; }
		TOPO_NS+=("$ns")
	done
	ip link add "$vs" numtxqueues "$queues" numrxqueues "$queues" type veth peer name "$vc" \
		numtxqueues "$queues" numrxqueues "$queues" || { topo_say "cannot create a veth pair"; return 1; }
	TOPO_VETH+=("$vs")
	if ! ip link set "$vs" netns "$srv" || ! ip link set "$vc" netns "$cli"; then
		topo_say "cannot move the veth $vs/$vc into $srv/$cli"
		return 1
	fi
	topo_forget_veth "$vs"
	if ! ip -n "$srv" link set lo up || ! ip -n "$cli" link set lo up ||
		! ip -n "$cli" addr add "$TOPO_CLI4/24" dev "$vc"; then
		topo_say "cannot set up lo, or $TOPO_CLI4 on $vc"
		return 1
	fi
	if [ $ipv6 = 1 ]; then
		ip -n "$cli" addr add "$TOPO_CLI6/64" dev "$vc" nodad ||
			{ topo_say "cannot add $TOPO_CLI6 to $vc"; return 1; }
	fi
	off=(tx off)
	if [ $napi = 1 ]; then off=(tx off rx off tso off gso off gro on); fi
	ip netns exec "$cli" ethtool -K "$vc" "${off[@]}" >/dev/null 2>&1 || topo_say "ethtool -K $vc failed"
	ip netns exec "$srv" ethtool -K "$vs" "${off[@]}" >/dev/null 2>&1 || topo_say "ethtool -K $vs failed"
	if ! ip -n "$cli" link set "$vc" up || ! ip -n "$srv" link set "$vs" up; then
		topo_say "cannot bring $vc/$vs up"
		return 1
	fi
	if [ $napi = 1 ]; then
		for dev in "$cli:$vc" "$srv:$vs"; do
			ip netns exec "${dev%%:*}" sh -c "echo 1 > /sys/class/net/${dev#*:}/threaded" 2>/dev/null ||
				topo_say "no threaded NAPI on ${dev#*:}"
		done
	fi
	return 0
}

topo_forget_veth() {
	local i
	for i in "${!TOPO_VETH[@]}"; do
		[ "${TOPO_VETH[i]}" = "$1" ] && unset 'TOPO_VETH[i]'
	done
	TOPO_VETH=("${TOPO_VETH[@]}")
}

# topo_eal VAR PMD IFACE LCORES PREFIX [MORE...]: sets the array VAR to the EAL arguments for a
# DPDK process on the veth end IFACE: no huge pages (512 MB of ordinary memory), no PCI scan,
# lcores LCORES (EAL's -l; a map with @, such as '(0-2)@(0-1)': --lcores, more lcores than
# CPUs), one virtual port for PMD (af_packet: net_af_packet0, af_xdp: net_af_xdp0; tap:
# net_tap_data0, a tap whose kernel interface IFACE it makes, the peer's side; none:
# no port; af_packet,qpairs=2 or af_xdp,queue_count=2: the driver's arguments after the name), the runtime file prefix PREFIX (unique per process: it names /var/run/dpdk/PREFIX,
# which topo_cleanup removes), then MORE as they are (e.g. --log-level=lib.eal:notice).
topo_eal() {
	local -n topo_eal_out=$1
	local pmd=$2 iface=$3 cores=$4 prefix=$5
	shift 5
	case $prefix in
	'' | */* | .*) topo_say "topo_eal: bad file prefix '$prefix'"; return 1 ;;
	esac
	case $cores in
	*@*) topo_eal_out=(--no-huge -m 512 --no-pci --lcores "$cores") ;;
	*) topo_eal_out=(--no-huge -m 512 --no-pci -l "$cores") ;;
	esac
	case $pmd in
	af_packet | af_xdp) topo_eal_out+=("--vdev=net_${pmd}0,iface=$iface") ;;
	af_packet,* | af_xdp,*) topo_eal_out+=("--vdev=net_${pmd%%,*}0,iface=$iface,${pmd#*,}") ;;
	tap) topo_eal_out+=("--vdev=net_tap_data0,iface=$iface") ;;
	none) ;;
	*) topo_say "topo_eal: unknown PMD '$pmd' (af_packet, af_xdp, tap or none)"; return 1 ;;
	esac
	topo_eal_out+=("--file-prefix=$prefix" "$@")
	TOPO_DPDK+=("$prefix")
}

# topo_pin_napi DEV CPU [DEV CPU...]: pins the NAPI kthreads of each veth end DEV (napi/DEV-N)
# to CPU. They come and go with XDP programs: call it again after each start.
topo_pin_napi() {
	local p comm i
	local -a pairs=("$@")
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == napi/* ]] || continue
		for ((i = 0; i + 1 < ${#pairs[@]}; i += 2)); do
			if [[ $comm == "napi/${pairs[i]}-"* ]]; then
				taskset -pc "${pairs[i + 1]}" "${p#/proc/}" >/dev/null 2>&1
				break
			fi
		done
	done
	return 0
}

# topo_fifo_napi DEV...: the NAPI kthreads of those veth ends (napi/DEV-N) get SCHED_FIFO
# priority 1, the precedence over processes that the softirq they stand for would have had: a
# busy process on the same core (a load generator) then cannot hold them off until the veth ring
# (256 frames) overflows. Like topo_pin_napi, again after each XDP start.
topo_fifo_napi() {
	local p comm d
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		[[ $comm == napi/* ]] || continue
		for d in "$@"; do
			if [[ $comm == "napi/$d-"* ]]; then
				chrt -f -p 1 "${p#/proc/}" >/dev/null 2>&1
				break
			fi
		done
	done
	return 0
}

# topo_napi_threads DEV...: the NAPI kthreads of those veth ends and their CPUs, on one line
# ("napi/vg123-8@cpu0 ...").
topo_napi_threads() {
	local p comm d
	for p in /proc/[0-9]*; do
		read -r comm 2>/dev/null <"$p/comm" || continue
		for d in "$@"; do
			if [[ $comm == "napi/$d-"* ]]; then
				echo "$comm@cpu$(taskset -pc "${p#/proc/}" 2>/dev/null | sed 's/.*: //')"
				break
			fi
		done
	done | tr '\n' ' '
}

# topo_cpusets CG GEN_CPUS SRV_CPUS: sets the arrays ON_GEN and ON_SRV, command prefixes that
# run a command on GEN_CPUS (the generator's side) or SRV_CPUS (the server's): taskset, inside
# the cpuset cgroups CG/gen and CG/srv (v1) when they can be made (as root), because taskset
# alone does not hold threads that pin themselves (EAL's, knotd's). Each is an exec chain, so
# that $! of `"${ON_SRV[@]}" CMD &` is the PID that gets the caller's signals; a process joins
# its cgroup before `ip netns exec`, which remounts /sys. Returns 0 with cgroups, 1 with taskset
# only. topo_cleanup removes CG.
topo_cpusets() {
	local cg=$1 gen=$2 srv=$3 ok=0
	if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/cpuset ] && mkdir "$cg" 2>/dev/null; then
		TOPO_CG=$cg
		if cat /sys/fs/cgroup/cpuset/cpuset.mems >"$cg/cpuset.mems" &&
			echo "$gen,$srv" >"$cg/cpuset.cpus" && mkdir "$cg/gen" "$cg/srv" &&
			echo "$gen" >"$cg/gen/cpuset.cpus" && cat "$cg/cpuset.mems" >"$cg/gen/cpuset.mems" &&
			echo "$srv" >"$cg/srv/cpuset.cpus" && cat "$cg/cpuset.mems" >"$cg/srv/cpuset.mems"; then
			ok=1
		fi
	fi
	if [ $ok = 1 ]; then
		# shellcheck disable=SC2016 # $$ and $0 are the inner shell's
		ON_GEN=(sh -c 'echo $$ > "$0/tasks" && exec "$@"' "$cg/gen" taskset -c "$gen")
		# shellcheck disable=SC2016
		ON_SRV=(sh -c 'echo $$ > "$0/tasks" && exec "$@"' "$cg/srv" taskset -c "$srv")
		return 0
	fi
	ON_GEN=(taskset -c "$gen")
	ON_SRV=(taskset -c "$srv")
	return 1
}

# topo_reap NS: ends what is still running in our namespace NS (all of it ours: nothing else
# knows the name), by PID: SIGTERM, up to 5 s, then SIGKILL. A namespace with a process in it
# outlives `ip netns del`. Says what it found.
topo_reap() {
	local pids p
	pids=$(ip netns pids "$1" 2>/dev/null) || pids=
	[ -n "$pids" ] || return 0
	topo_say "left in $1: $(for p in $pids; do printf '%s(%s) ' "$p" "$(cat "/proc/$p/comm" 2>/dev/null)"; done)"
	# shellcheck disable=SC2086 # a list of PIDs
	kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 1 50); do
		[ -z "$(ip netns pids "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	pids=$(ip netns pids "$1" 2>/dev/null) || pids=
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	return 0
}

# topo_del NS...: ends what runs in those namespaces (topo_reap) and deletes them, if made here.
topo_del() {
	local ns i
	for ns in "$@"; do
		for i in "${!TOPO_NS[@]}"; do
			[ "${TOPO_NS[i]}" = "$ns" ] || continue
			topo_reap "$ns"
			ip netns del "$ns" 2>/dev/null || topo_say "could not delete namespace $ns"
			unset 'TOPO_NS[i]'
		done
	done
	TOPO_NS=("${TOPO_NS[@]}")
	return 0
}

# topo_cleanup: removes what this file made: the namespaces (after topo_reap; the veth goes with
# them), a veth end never moved into one, the DPDK runtime directories of the prefixes handed
# out, the cpuset cgroup. For the caller's EXIT trap, after it stopped its own processes.
topo_cleanup() {
	local i
	for ((i = ${#TOPO_NS[@]} - 1; i >= 0; i--)); do
		topo_del "${TOPO_NS[i]}"
	done
	for i in "${TOPO_VETH[@]}"; do
		ip link del "$i" 2>/dev/null || true
	done
	TOPO_VETH=()
	for i in "${TOPO_DPDK[@]}"; do
		rm -rf "/var/run/dpdk/$i" 2>/dev/null || true
	done
	TOPO_DPDK=()
	if [ -n "$TOPO_CG" ]; then
		rmdir "$TOPO_CG/gen" "$TOPO_CG/srv" "$TOPO_CG" 2>/dev/null || true
		TOPO_CG=
	fi
	return 0
}
