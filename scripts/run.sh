#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh: installs what is missing (Debian 12, as root), builds sandns into build/ and serves the
# sample mail zones (zones/sample/) in the foreground until Ctrl-C, printing the kdig and
# sandnsctl lines to try once sandnsd answers.
#
#   bash scripts/run.sh                      # DPDK: --no-huge, net_af_packet on a veth, in a
#                                            # network namespace it makes (client: another one)
#   SANDNS_IO=socket bash scripts/run.sh     # kernel sockets on 127.0.0.1/::1 instead
#   SANDNS_PORT=5300 SANDNS_IO=socket ...    # another port (socket mode; default 5353)
#   SANDNS_CERT= bash scripts/run.sh         # without the certificate: the policy is off
#
# DPDK mode: namespaces sandns-srv-PID and sandns-cli-PID joined by a veth; sandnsd answers on
# 198.18.0.2 and 2001:db8::2 (benchmark/documentation ranges, inside the namespaces only), the
# client side has 198.18.0.1 and 2001:db8::1. Both namespaces go away when it stops.
# The control socket lives in build/run/ (SANDNS_RUN_DIR to change), and so does the state
# directory (serials served, IXFR journals): the sample zones served from a checkout are not the
# machine's, so they keep their state beside the build, across runs, never in /var/lib/sandns.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${SANDNS_PORT:-5353}
IO=${SANDNS_IO:-dpdk}
RUN_DIR=${SANDNS_RUN_DIR:-$ROOT/build/run}
SANDNSD=$ROOT/build/control/sandnsd
SANDNSCTL=$ROOT/build/control/sandnsctl

case "$PORT" in
'' | *[!0-9]*) echo "run.sh: SANDNS_PORT must be a port number" >&2; exit 2 ;;
esac

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build

case "$IO" in
socket | dpdk) ;;
*) echo "run.sh: SANDNS_IO must be dpdk or socket" >&2; exit 2 ;;
esac

# shellcheck source=topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=run.sh
SRV=sandns-srv-$$
CLI=sandns-cli-$$
VS=sandns-s$$
VC=sandns-c$$
# What topo.sh made goes with us, however we end (sandnsd is stopped first: stop below).
trap topo_cleanup EXIT
if [ "$IO" = dpdk ]; then
	[ "$(id -u)" = 0 ] || { echo "run.sh: DPDK mode needs root (or SANDNS_IO=socket)" >&2; exit 2; }
	topo_pair --ipv6 "$SRV" "$VS" "$CLI" "$VC" || exit 1
	eal=()
	topo_eal eal af_packet "$VS" 0 "sandns$$"
	listen=(--listen 198.18.0.2 --listen 2001:db8::2)
	shown="198.18.0.2 and 2001:db8::2 in namespace $SRV"
	server=198.18.0.2
	port_opt=
	in_cli="ip netns exec $CLI "
else
	if [ -n "$(ss -Hlnu "sport = :$PORT" 2>/dev/null)" ] ||
		[ -n "$(ss -Hlnt "sport = :$PORT" 2>/dev/null)" ]; then
		echo "run.sh: port $PORT is already in use (an mDNS responder?); try SANDNS_PORT=5300" >&2
		exit 1
	fi
	listen=(--listen "127.0.0.1@$PORT")
	# ::1 only where the loopback has IPv6
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null &&
		listen+=(--listen "::1@$PORT")
	shown="127.0.0.1@$PORT${listen[2]:+ and ::1@$PORT}"
	server=127.0.0.1
	port_opt="-p $PORT "
	in_cli=
fi

mkdir -p "$RUN_DIR"
chmod 700 "$RUN_DIR"
LOG=$RUN_DIR/sandnsd.log
: >"$LOG"
SOCK=$RUN_DIR/sandns.sock

# The sample zones and the certificate the sample Exchange server presents: the autodiscover
# policy is on (SANDNS_CERT= with an empty value turns it off).
zones=(--zone "example.com.=$ROOT/zones/sample/example.com.zone"
	--zone "example.net.=$ROOT/zones/sample/example.net.zone")
CERT=${SANDNS_CERT-$ROOT/zones/sample/mail.example.com.pem}
zones+=(--state-dir "$RUN_DIR/state")
[ -n "$CERT" ] && zones+=(--cert "$CERT")
# sandnsd stays in the foreground, logging to stderr: shown here and kept in $LOG.
if [ "$IO" = dpdk ]; then
	ip netns exec "$SRV" "$SANDNSD" --foreground --io dpdk "${listen[@]}" --control "$SOCK" \
		"${zones[@]}" -- "${eal[@]}" 2> >(tee -a "$LOG" >&2) &
else
	"$SANDNSD" --foreground --io socket "${listen[@]}" --control "$SOCK" "${zones[@]}" \
		2> >(tee -a "$LOG" >&2) &
fi
PID=$!

stop() {
	trap - INT TERM
	if kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
	fi
	wait "$PID" 2>/dev/null || true
	echo "run.sh: sandnsd stopped"
	exit 0
}
trap stop INT TERM

# Up to 30 s for "sandnsd: serving" and an answer to the first query we suggest.
up=0
for _ in $(seq 1 150); do
	kill -0 "$PID" 2>/dev/null || break
	if grep -q '^sandnsd: serving' "$LOG" &&
		[[ "$(${in_cli}kdig @$server ${port_opt}+norec +time=1 +retry=0 \
			autodiscover.example.com A 2>/dev/null)" == *'status: NOERROR'* ]]; then
		up=1
		break
	fi
	sleep 0.2
done
if [ $up = 0 ]; then
	if kill -0 "$PID" 2>/dev/null; then
		echo "run.sh: sandnsd does not answer on $server after 30 s" >&2
		kill -TERM "$PID" 2>/dev/null || true
	fi
	wait "$PID" 2>/dev/null
	rc=$?
	echo "run.sh: sandnsd did not start (status $rc); its messages are above and in $LOG" >&2
	exit 1
fi

cat <<EOF

sandnsd ($IO) is serving example.com and example.net on $shown (pid $PID).
try:
  ${in_cli}kdig @$server ${port_opt}autodiscover.example.com A       # withheld: NODATA
  ${in_cli}kdig @$server ${port_opt}_autodiscover._tcp.example.com SRV  # in its place
  ${in_cli}kdig @$server ${port_opt}example.com MX
  ${in_cli}kdig @$server ${port_opt}anything.example.net A +tcp
  $SANDNSCTL --control $SOCK policy show
  $SANDNSCTL --control $SOCK explain autodiscover.example.com A
  $SANDNSCTL --control $SOCK status
Ctrl-C stops it.

EOF

# Until Ctrl-C (the trap) or until sandnsd ends by itself.
set +e
wait "$PID"
rc=$?
echo "run.sh: sandnsd exited with status $rc" >&2
exit $rc
