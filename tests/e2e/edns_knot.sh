#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# edns_knot.sh: NSID, DNS cookies and Padding as Knot DNS 3.2 answers them. Knot (nsid, the
# cookies module with a fixed secret) and sandnsd (--nsid, --cookies yes, the same
# --cookie-secret) serve one zone; kdig +nsid and +cookie (a first query, the server cookie
# returned, then a corrupted one) and edns_check.py (options malformed, repeated, lying about
# their length, Padding, TCP, Knot's cookie taken by sandnsd) compare their answers' EDNS parts.
# Once with sandnsd on kernel sockets, once (as root) with sandnsd --io dpdk in a namespace and
# both servers asked from a client namespace (Knot on that namespace's loopback).
#
# Environment: SANDNSD (default build/control/sandnsd), KNOTD (knotd from PATH or /usr/sbin),
# KEEP=1 keeps the temporary directory. Ends only the processes it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
SECRET=e5e973e5a6b2a43f48e7dc849e37bfcf # a test's, RFC 9018's example
NSID=sandns-e2e

die() { echo "edns_knot: $*" >&2; exit 1; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ]; } || die "knotd not found (apt-get install knot)"
command -v kdig >/dev/null || die "kdig not found (apt-get install knot-dnsutils)"

TMP=$(mktemp -d /tmp/sandns-edns.XXXXXX)
PID=
KNOT_PID=
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=edns_knot

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "edns_knot: knotd"
	topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "edns_knot: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$TMP/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
EOF
# A TXT set of about 500 octets: NSID and a cookie decide whether it fits 512, 560 or 600.
for i in 1 2 3 4 5 6 7; do
	printf 'big TXT "%s-%d"\n' "$(printf 'y%.0s' $(seq 1 52))" "$i"
done >>"$TMP/example.com.zone"

# start_knot PREFIX PORT: knotd (run through PREFIX, e.g. `ip netns exec NS`) on 127.0.0.1@PORT
# with the NSID and the cookies module; sets KNOT_PID, waits until it answers.
start_knot() {
	local port=$2 dir=$TMP/knot-$2
	mkdir -p "$dir/db"
	cat >"$dir/knot.conf" <<EOF
server:
    rundir: "$dir"
    listen: 127.0.0.1@$port
    nsid: "$NSID"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$dir/db"
log:
  - target: "$dir/knot.log"
    any: info
mod-cookies:
  - id: fleet
    secret: 0x$SECRET
template:
  - id: default
    storage: "$TMP"
    global-module: mod-cookies/fleet
zone:
  - domain: example.com.
    file: "$TMP/example.com.zone"
EOF
	$1 "$KNOTD" -c "$dir/knot.conf" >"$dir/knotd.out" 2>&1 &
	KNOT_PID=$!
	for _ in $(seq 1 100); do
		$1 kdig @127.0.0.1 -p "$port" +time=1 +retry=0 example.com SOA 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		kill -0 "$KNOT_PID" 2>/dev/null || break
		sleep 0.2
	done
	bad "knotd did not serve within 20 s; its log:"
	sed 's/^/     /' "$dir/knot.log" "$dir/knotd.out" 2>/dev/null
	return 1
}

# edns_part TEXT: kdig's EDNS section and status, a server cookie shown by its length.
edns_part() {
	grep -E 'status:|^;; (Version|NSID|COOKIE|PADDING|EDE)' <<<"$1" |
		sed -E 's/id: [0-9]+//; s/(COOKIE: [0-9A-F]{16})([0-9A-F]*)/\1+server(\2)/' |
		sed -E 's/\+server\(([0-9A-F]{32})\)/+server16/; s/\+server\(([0-9A-F]*)\)/+server?\1/'
}

# cookie_of TEXT: the whole COOKIE kdig showed (hex).
cookie_of() { sed -n 's/^;; COOKIE: \([0-9A-F]*\).*/\1/p' <<<"$1" | head -n 1; }

# corrupt HEX: HEX with its last digit changed.
corrupt() { if [ "${1: -1}" = 0 ]; then echo "${1%?}1"; else echo "${1%?}0"; fi; }

# compare_kdig MODE PREFIX KNOT_AT SANDNS_AT: the kdig flows against both servers.
compare_kdig() {
	local mode=$1 pre=$2 cc k s kc sc w
	local -a kq=($pre kdig "@${3%:*}" -p "${3##*:}" +time=2 +retry=1 www.example.com)
	local -a sq=($pre kdig "@${4%:*}" -p "${4##*:}" +time=2 +retry=1 www.example.com)
	k=$("${kq[@]}" +nsid 2>&1)
	s=$("${sq[@]}" +nsid 2>&1)
	check "$mode: kdig +nsid: NSID $NSID" has "$s" "^;; NSID: .*\"$NSID\""
	check "$mode: kdig +nsid: EDNS as Knot's" test "$(edns_part "$k")" = "$(edns_part "$s")"
	s=$("${sq[@]}" 2>&1)
	check "$mode: kdig without +nsid: no NSID" hasnt "$s" '^;; NSID'
	cc=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
	k=$("${kq[@]}" +nsid +cookie="$cc" +nobadcookie 2>&1)
	s=$("${sq[@]}" +nsid +cookie="$cc" +nobadcookie 2>&1)
	check "$mode: kdig +cookie, first query: BADCOOKIE" has "$s" 'status: BADCOOKIE'
	check "$mode: kdig +cookie, first query: EDNS as Knot's" \
		test "$(edns_part "$k")" = "$(edns_part "$s")"
	kc=$(cookie_of "$k")
	sc=$(cookie_of "$s")
	check "$mode: kdig +cookie: our cookie has 16 octets of server cookie" test "${#sc}" = 48
	k=$("${kq[@]}" +nsid +cookie="$kc" +nobadcookie 2>&1)
	s=$("${sq[@]}" +nsid +cookie="$sc" +nobadcookie 2>&1)
	check "$mode: kdig +cookie=returned: NOERROR with the answer" has "$s" 'status: NOERROR'
	check "$mode: kdig +cookie=returned: the same cookie back" test "$(cookie_of "$s")" = "$sc"
	check "$mode: kdig +cookie=returned: EDNS as Knot's" \
		test "$(edns_part "$k")" = "$(edns_part "$s")"
	w=$(corrupt "$sc")
	k=$("${kq[@]}" +cookie="$(corrupt "$kc")" +nobadcookie 2>&1)
	s=$("${sq[@]}" +cookie="$w" +nobadcookie 2>&1)
	check "$mode: kdig +cookie=corrupted: BADCOOKIE" has "$s" 'status: BADCOOKIE'
	check "$mode: kdig +cookie=corrupted: a fresh cookie" test "$(cookie_of "$s")" != "$w"
	check "$mode: kdig +cookie=corrupted: EDNS as Knot's" \
		test "$(edns_part "$k")" = "$(edns_part "$s")"
	s=$("${sq[@]}" +cookie="$w" 2>&1)
	check "$mode: kdig +cookie=corrupted retried by kdig: NOERROR" has "$s" 'status: NOERROR'
	k=$("${kq[@]}" +tcp +nsid +cookie="$cc" 2>&1)
	s=$("${sq[@]}" +tcp +nsid +cookie="$cc" 2>&1)
	check "$mode: kdig +tcp +cookie: NOERROR, as Knot" \
		test "$(edns_part "$k")" = "$(edns_part "$s")" -a -n "$(grep 'status: NOERROR' <<<"$s")"
	k=$("${kq[@]}" +padding=64 2>&1)
	s=$("${sq[@]}" +padding=64 2>&1)
	check "$mode: kdig +padding: not padded over UDP, as Knot" \
		test "$(edns_part "$k")" = "$(edns_part "$s")" -a -z "$(grep PADDING <<<"$s")"
}

# ---------------------------------------------------------------- kernel sockets
KPORT=$(pick_port $(( 20000 + ($$ * 3) % 12000 ))) || die "no free port for knotd"
start_knot "" "$KPORT" || exit 1
SAMPLE=$ROOT/zones/sample
start_sandnsd socket --zone "example.com.=$TMP/example.com.zone" --nsid "$NSID" --cookies yes \
	--cookie-secret "$SECRET" || exit 1
compare_kdig socket "" "127.0.0.1:$KPORT" "127.0.0.1:$PORT"
run_counted "socket: edns_check.py" timeout 120 python3 "$HERE/edns_check.py" --name socket \
	--ref "127.0.0.1:$KPORT" --cand "127.0.0.1:$PORT" --secret "$SECRET" \
	--ref-client 127.0.0.1 --cand-client 127.0.0.1 --nsid "$NSID"
check "socket: the cookie secret in no log line" hasnt "$(cat "$LOG")" "$SECRET"
stop_sandnsd
check "socket: sandnsd stopped cleanly" test $? = 0
# A hex NSID (Knot's 0x form) and cookies off (the default): options ignored.
start_sandnsd hexnsid --zone "example.com.=$TMP/example.com.zone" --nsid 0x00ff7e || exit 1
out=$(kdig @127.0.0.1 -p "$PORT" www.example.com +nsid +cookie +nobadcookie 2>&1)
check "socket: --nsid 0x00ff7e answered as those 3 octets" has "$out" '^;; NSID: 00FF7E$'
check "socket: cookies off by default: answered, no COOKIE" \
	test -n "$(grep 'status: NOERROR' <<<"$out")" -a -z "$(grep '^;; COOKIE' <<<"$out")"
stop_sandnsd
stop_pid "$KNOT_PID" 5 "edns_knot: knotd"
KNOT_PID=

# ---------------------------------------------------------------- DPDK
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v ethtool >/dev/null; then
	echo "edns_knot: DPDK part skipped (needs root, ip and ethtool)"
else
	SRV=sandns-edns-srv-$$
	CLI=sandns-edns-cli-$$
	if ! topo_pair "$SRV" "veth-es$$" "$CLI" "veth-ec$$"; then
		bad "dpdk: cannot make the namespaces"
	else
		C="ip netns exec $CLI"
		start_knot "$C" 5353 || exit 1
		topo_eal eal af_packet "veth-es$$" 0 "sandns$$-edns" --log-level=lib.eal:notice
		ip netns exec "$SRV" timeout -s KILL 200 "$SANDNSD" --foreground --io dpdk \
			--zone "example.com.=$TMP/example.com.zone" --listen 198.18.0.2 \
			--state-dir "$TMP/dpdk.state" --nsid "$NSID" --cookies yes \
			--cookie-secret "$SECRET" -- "${eal[@]}" >"$TMP/dpdk.log" 2>&1 &
		PID=$!
		if wait_serving "$TMP/dpdk.log" "$PID" 60; then
			ok "dpdk: sandnsd serves on net_af_packet"
			compare_kdig dpdk "$C" "127.0.0.1:5353" "198.18.0.2:53"
			run_counted "dpdk: edns_check.py" timeout 120 $C python3 "$HERE/edns_check.py" \
				--name dpdk --ref 127.0.0.1:5353 --cand 198.18.0.2:53 --secret "$SECRET" \
				--ref-client 127.0.0.1 --cand-client 198.18.0.1 --nsid "$NSID"
			stop_sandnsd
			check "dpdk: sandnsd stopped cleanly" test $? = 0
		else
			bad "dpdk: sandnsd --io dpdk did not come up; its log:"
			sed 's/^/     /' "$TMP/dpdk.log"
			stop_sandnsd
		fi
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
