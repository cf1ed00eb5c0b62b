#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# autodiscover.sh: the mission end to end with a real autodiscover client (exchangelib, MS-OXDISCO):
# no certificate error for Outlook's autodiscover once sandnsd's policy is on.
#
# A test CA signs the stand-in Exchange server's certificate (mail.example.com, owa.example.com;
# not autodiscover.example.com). In a network namespace made here, with the sample zone's
# addresses on lo and /etc/netns/NS/resolv.conf pointing at sandnsd (so getaddrinfo and
# dnspython both ask it), exchange_standin.py answers POX autodiscover on 198.18.0.25:443 (and
# [2001:db8:25::25]:443) and autodiscover_client.py runs exchangelib's discovery for
# user@example.com, trusting only the test CA (the one possible TLS error is a name mismatch):
#   1. policy off (no --cert): the client meets the hostname mismatch at
#      https://autodiscover.example.com (the zone's A record) and finds nothing;
#   2. policy on (--cert the stand-in's certificate): 0 TLS errors, autodiscover.example.com has
#      no address, the client follows _autodiscover._tcp SRV to https://mail.example.com and
#      reaches the EWS URL;
#   3. renewal: the certificate file now also names autodiscover.example.com, `sandnsctl policy
#      reload`: the client gets its answer at https://autodiscover.example.com, 0 TLS errors.
# Run with sandnsd --io socket (in the client's namespace, 127.0.0.1@53), then --io dpdk
# (net_af_packet on a veth in a second namespace, 198.18.0.2@53, as dpdk.sh does). The namespaces,
# the veth, the lo addresses and the EAL arguments come from scripts/topo.sh.
# TLS errors are counted from the client's own reporting: requests' SSLError exceptions and
# exchangelib's log records of them (autodiscover_client.py).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir,
# AD_MODES ("socket dpdk") the modes to run.
# Needs root (namespaces, port 443), openssl, ip, python3-exchangelib. Traffic stays inside the
# namespaces it makes, which go on exit with /etc/netns/NS; ends only the processes it started,
# by PID; every wait is bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (a needed tool or root is missing).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3
MODES=${AD_MODES:-socket dpdk}
EMAIL=user@example.com
AD_URL_PATH=/Autodiscover/Autodiscover.xml
EWS_URL=https://mail.example.com/EWS/Exchange.asmx

die() { echo "autodiscover: $*" >&2; exit 1; }
skip() { echo "autodiscover: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, port 443, DPDK)"
for c in ip openssl getent timeout; do
	command -v "$c" >/dev/null || skip "$c not found (scripts/deps.sh installs it)"
done
$PY -c 'import exchangelib.autodiscover, dns.resolver, requests' 2>/dev/null ||
	skip "no exchangelib for $PY (apt-get install python3-exchangelib)"

CNS=sandns-adc-$$   # the client's namespace: stand-in, client, sandnsd in socket mode
SNS=sandns-ads-$$   # the server's namespace in DPDK mode
VS=veth-as$$
VC=veth-ac$$
TMP=$(mktemp -d /tmp/sandns-autodiscover.XXXXXX)
PKI=$TMP/pki
MADE_NETNS_DIR=0
PID=      # sandnsd
SPID=     # exchange_standin.py
SOCK=
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=autodiscover

stop_standin() {
	[ -n "$SPID" ] || return 0
	stop_pid "$SPID" 5 "autodiscover: exchange_standin.py"
	SPID=
	return 0
}

cleanup() {
	local rc=$?
	stop_standin >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	topo_cleanup
	rm -rf "/etc/netns/$CNS"
	[ "$MADE_NETNS_DIR" = 1 ] && rmdir /etc/netns 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "autodiscover: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the test CA and the leaves
mkdir -p "$PKI"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 -new "${EC[@]}" -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 30 \
	-subj "/CN=sandns autodiscover test CA" >>"$PKI/openssl.log" 2>&1 ||
	die "openssl: CA: $(tail -3 "$PKI/openssl.log")"
openssl req -new "${EC[@]}" -keyout "$PKI/server.key" -out "$PKI/server.csr" \
	-subj "/CN=mail.example.com" >>"$PKI/openssl.log" 2>&1 ||
	die "openssl: key: $(tail -3 "$PKI/openssl.log")"
# leaf NAME SANS: a certificate for the one key, signed by the CA, naming SANS (DNS:...,...)
leaf() {
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$2" \
		>"$PKI/$1.ext"
	openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 30 -extfile "$PKI/$1.ext" \
		-out "$PKI/$1.pem" >>"$PKI/openssl.log" 2>&1 ||
		die "openssl: leaf $1: $(tail -3 "$PKI/openssl.log")"
}
leaf old "DNS:mail.example.com,DNS:owa.example.com"
leaf renewed "DNS:mail.example.com,DNS:owa.example.com,DNS:autodiscover.example.com"
# The file both the stand-in and sandnsd read; renewal replaces it (rename: never half written).
CERT=$PKI/server.pem
use_cert() { cp "$PKI/$1.pem" "$CERT.new" && mv -f "$CERT.new" "$CERT"; }

# ---------------------------------------------------------------- the namespaces
# With DPDK mode to run (and ethtool for it), the client's namespace comes with the server's,
# joined by a veth whose client end has 198.18.0.1/24 and real checksums (scripts/topo.sh);
# otherwise it is alone.
pair=0
for m in $MODES; do [ "$m" = dpdk ] && pair=1; done
command -v ethtool >/dev/null || pair=0
if [ $pair = 1 ]; then
	topo_pair "$SNS" "$VS" "$CNS" "$VC" || die "cannot make the namespaces and their veth"
else
	topo_ns "$CNS" || die "cannot make namespace $CNS"
fi
# The sample zone's web (apex) and Exchange addresses: step 1 (https://example.com) is refused
# there, the Exchange server answers on .25.
topo_lo_addr "$CNS" 198.18.0.10/32 198.18.0.25/32 2001:db8:10::10/128 2001:db8:25::25/128 ||
	die "cannot add the sample zone's addresses to lo in $CNS"
[ -d /etc/netns ] || MADE_NETNS_DIR=1
mkdir -p "/etc/netns/$CNS" || die "cannot make /etc/netns/$CNS"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"/etc/netns/$CNS/hosts"
# C CMD...: CMD in the client's namespace (not for background jobs: $! must be ip's own PID,
# which execs the command, so that stop_pid reaches it)
C() { ip netns exec "$CNS" "$@"; }

# resolver ADDR: the client namespace's resolv.conf names ADDR (port 53) only
resolver() {
	printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$1" >"/etc/netns/$CNS/resolv.conf"
}

start_standin() {
	ip netns exec "$CNS" timeout -s KILL 600 "$PY" "$HERE/exchange_standin.py" \
		--cert "$CERT" --key "$PKI/server.key" --listen 198.18.0.25 --listen 2001:db8:25::25 \
		--port 443 --ews-url "$EWS_URL" \
		>"$TMP/standin.log" 2>&1 &
	SPID=$!
	for _ in $(seq 1 100); do
		grep -q '^standin: listening' "$TMP/standin.log" && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/     /' "$TMP/standin.log"
	die "exchange_standin.py did not start within 10 s"
}

# start_sandnsd MODE NAME ARGS...: sandnsd serving example.com for the client's resolver, in
# socket mode inside the client's namespace on 127.0.0.1@53, in DPDK mode in the server's
# namespace on $TOPO_SRV4@53; control socket $TMP/NAME.sock.
start_sandnsd() {
	local mode=$1 name=$2 log=$TMP/$2.log
	local -a eal
	shift 2
	SOCK=$TMP/$name.sock
	if [ "$mode" = socket ]; then
		ip netns exec "$CNS" timeout -s KILL 300 "$SANDNSD" --foreground --io socket \
			--listen 127.0.0.1@53 --control "$SOCK" --zone "example.com.=$SAMPLE/example.com.zone" \
			"$@" >"$log" 2>&1 &
	else
		topo_eal eal af_packet "$VS" 0 "sandns-ad$$-$name" --log-level=lib.eal:notice ||
			{ bad "$name: no EAL arguments"; return 1; }
		ip netns exec "$SNS" timeout -s KILL 300 "$SANDNSD" --foreground --io dpdk \
			--listen "$TOPO_SRV4" --control "$SOCK" --zone "example.com.=$SAMPLE/example.com.zone" \
			"$@" -- "${eal[@]}" >"$log" 2>&1 &
	fi
	PID=$!
	if ! wait_serving "$log" "$PID" 60; then
		bad "$name: sandnsd did not start serving within 60 s; its log:"
		sed 's/^/     /' "$log"
		stop_sandnsd
		return 1
	fi
	ok "$name: sandnsd serving (pid $PID): $(grep '^sandnsd: serving' "$log" | head -n 1)"
}

ctl() { timeout 15 "$SANDNSCTL" --control "$SOCK" "$@"; }

# addr_of NAME: the IPv4 addresses getaddrinfo gives NAME in the client's namespace (from sandnsd)
addr_of() {
	C timeout 10 getent ahostsv4 "$1" 2>/dev/null | awk '{ print $1 }' | sort -u | tr '\n' ' '
}

# run_client NAME: exchangelib's discovery for $EMAIL in the client's namespace with its own
# TMPDIR (a fresh autodiscover cache); its output in $OUT (shown), its summary fields in S_*,
# the stand-in's log lines of this run in $SLOG.
run_client() {
	local name=$1 tmpdir before rc
	tmpdir=$TMP/tmpdir-$(tr -cs 'a-z0-9' '-' <<<"$name" | sed 's/-$//')
	mkdir -p "$tmpdir"
	before=$(wc -l <"$TMP/standin.log")
	OUT=$(C env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u all_proxy \
		-u ALL_PROXY -u no_proxy -u NO_PROXY -u CURL_CA_BUNDLE \
		TMPDIR="$tmpdir" REQUESTS_CA_BUNDLE="$PKI/ca.pem" \
		timeout 120 "$PY" "$HERE/autodiscover_client.py" "$EMAIL" 2>&1)
	rc=$?
	echo "     ---- $name: the client, step by step"
	sed 's/^/     | /' <<<"$OUT"
	SLOG=$(tail -n +$((before + 1)) "$TMP/standin.log")
	echo "     ---- $name: what the stand-in saw"
	sed 's/^/     | /' <<<"$SLOG"
	local sum
	sum=$(grep '^summary: ' <<<"$OUT" | tail -n 1)
	check "$name: the client ran to its summary (exit status $rc)" test "$rc" = 0 -a -n "$sum"
	field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" ${sum#summary: }"; }
	S_TLS=$(field tls_errors)
	S_LOGGED=$(field logged_tls_errors)
	S_OUTCOME=$(field outcome)
	S_ENDPOINT=$(field endpoint)
	S_EWS=$(field ews)
	S_EWS_STATUS=$(field ews_status)
	S_STEPS=$(field steps)
	check "$name: the cache file is this run's own" has "$OUT" "^client: exchangelib cache $tmpdir/"
}

# case_off MODE: 1, policy off
case_off() {
	local m=$1 n="$1 case 1 (policy off)"
	use_cert old
	start_sandnsd "$m" "$m-off" || return 0
	check "$n: autodiscover.example.com has its A record (getaddrinfo)" \
		test "$(addr_of autodiscover.example.com)" = "198.18.0.25 "
	run_client "$n"
	check "$n: the client met a TLS error (tls_errors=$S_TLS)" test "${S_TLS:-0}" -ge 1
	check "$n: exchangelib reported it (logged_tls_errors=$S_LOGGED)" test "${S_LOGGED:-0}" -ge 1
	check "$n: ... a hostname mismatch for autodiscover.example.com" \
		has "$OUT" '^tls-error: host=autodiscover.example.com kind=hostname-mismatch '
	check "$n: ... at step 2, https://autodiscover.example.com" \
		has "$(sed '/^tls-error: /q' <<<"$OUT" | grep 'Step [0-9]' | tail -n 1)" \
		"Step 2: Trying autodiscover on 'https://autodiscover.example.com$AD_URL_PATH'"
	check "$n: no TLS error of another kind" \
		test -z "$(grep '^tls-error: ' <<<"$OUT" | grep -v 'kind=hostname-mismatch')"
	check "$n: the stand-in saw the client's handshake for autodiscover.example.com" \
		has "$SLOG" '^standin: handshake sni=autodiscover.example.com '
	check "$n: ... after which the client sent no request (it refused the certificate)" \
		hasnt "$SLOG" '^standin: sni=autodiscover.example.com '
	check "$n: no autodiscover answer was reached (outcome=$S_OUTCOME)" test "$S_OUTCOME" = failed
	finish "$m-off"
}

# finish NAME: stops sandnsd; the stop must be clean (status 0; under ASan: no leak report)
finish() {
	local rc
	stop_sandnsd
	rc=$?
	check "$1: sandnsd stopped on SIGTERM with status 0 (got $rc)" test "$rc" = 0
}

# case_on MODE: 2, policy on; then 3, renewal
case_on() {
	local m=$1 n="$1 case 2 (policy on)" out rc
	use_cert old
	start_sandnsd "$m" "$m-on" --cert "$CERT" || return 0
	out=$(ctl policy show example.com 2>&1)
	echo "     ---- $n: sandnsctl policy show example.com"
	grep -E '^policy|autodiscover.example.com\. (A|AAAA):|_autodiscover' <<<"$out" | sed 's/^/     | /'
	check "$n: autodiscover.example.com has no address (getaddrinfo)" \
		test -z "$(addr_of autodiscover.example.com)"
	run_client "$n"
	check "$n: 0 TLS errors (tls_errors=$S_TLS)" test "$S_TLS" = 0
	check "$n: 0 reported by exchangelib (logged_tls_errors=$S_LOGGED)" test "$S_LOGGED" = 0
	check "$n: autodiscover answered (outcome=$S_OUTCOME)" test "$S_OUTCOME" = ok
	check "$n: through step 4, the SRV record (steps=$S_STEPS)" test "$S_STEPS" = 1,2,3,4,5
	check "$n: ... at https://mail.example.com (endpoint=$S_ENDPOINT)" \
		test "$S_ENDPOINT" = "https://mail.example.com$AD_URL_PATH"
	check "$n: the EWS URL is $EWS_URL (ews=$S_EWS)" test "$S_EWS" = "$EWS_URL"
	check "$n: the client reached the EWS URL (status $S_EWS_STATUS)" test "$S_EWS_STATUS" = 200
	check "$n: the stand-in answered autodiscover for SNI mail.example.com" \
		has "$SLOG" "^standin: sni=mail.example.com host=mail.example.com POST $AD_URL_PATH -> 200"
	check "$n: no failed handshake at the stand-in" hasnt "$SLOG" 'tls-failed'
	check "$n: nobody asked the stand-in for autodiscover.example.com" \
		hasnt "$SLOG" 'sni=autodiscover.example.com'
	if [ "$m" = dpdk ]; then
		out=$(ctl stats 2>&1)
		grep -E '^(lcore|dataplane)' <<<"$out" | sed 's/^/     /'
		check "$n: the answers came from the DPDK workers (sandnsctl stats)" \
			has "$out" '^dataplane: .*udp-answered=[1-9]'
	fi

	n="$m case 3 (renewal)"
	use_cert renewed
	out=$(ctl policy reload 2>&1)
	rc=$?
	check "$n: sandnsctl policy reload (exit status $rc: $(head -n 1 <<<"$out"))" test "$rc" = 0
	check "$n: autodiscover.example.com has its A record again (getaddrinfo)" \
		test "$(addr_of autodiscover.example.com)" = "198.18.0.25 "
	run_client "$n"
	check "$n: 0 TLS errors (tls_errors=$S_TLS)" test "$S_TLS" = 0
	check "$n: 0 reported by exchangelib (logged_tls_errors=$S_LOGGED)" test "$S_LOGGED" = 0
	check "$n: autodiscover answered (outcome=$S_OUTCOME)" test "$S_OUTCOME" = ok
	check "$n: straight at step 2, no redirect or SRV step (steps=$S_STEPS)" test "$S_STEPS" = 1,2,5
	check "$n: ... at https://autodiscover.example.com (endpoint=$S_ENDPOINT)" \
		test "$S_ENDPOINT" = "https://autodiscover.example.com$AD_URL_PATH"
	check "$n: the client reached the EWS URL (status $S_EWS_STATUS)" test "$S_EWS_STATUS" = 200
	check "$n: the stand-in answered autodiscover for SNI autodiscover.example.com" \
		has "$SLOG" \
		"^standin: sni=autodiscover.example.com host=autodiscover.example.com POST $AD_URL_PATH -> 200"
	check "$n: no failed handshake at the stand-in" hasnt "$SLOG" 'tls-failed'
	finish "$m-on"
}

start_standin
ok "stand-in Exchange server on 198.18.0.25:443 and [2001:db8:25::25]:443 (pid $SPID)"

for mode in $MODES; do
	case $mode in
	socket)
		echo "---- sandnsd --io socket on 127.0.0.1@53 in $CNS"
		resolver 127.0.0.1
		;;
	dpdk)
		echo "---- sandnsd --io dpdk (net_af_packet) on $TOPO_SRV4@53 in $SNS"
		if ! command -v ethtool >/dev/null; then
			bad "dpdk: ethtool not found (scripts/deps.sh installs it)"
			continue
		fi
		resolver "$TOPO_SRV4"
		;;
	*) die "unknown mode '$mode' in AD_MODES" ;;
	esac
	case_off "$mode"
	case_on "$mode"
done

stop_standin
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
