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
#      Before it, `autodiscover-check --cert RENEWED` (DNS from sandnsd's preview, the stand-in's
#      configured leaf judged as RENEWED) predicts exactly that: step 2, no warning, exit 0; while
#      without --cert the walk still takes the SRV path and the served serial has not moved.
# In each case `sandnsctl autodiscover-check user@example.com --resolver SANDNSD --ca CA` walks the
# same steps in the client's namespace and must agree: case 1 exit 1, the warning at step 2;
# case 2 exit 0, step 2 without an address, step 4's SRV to mail.example.com; case 3 exit 0 at step
# 2. In socket mode it also runs asking sandnsd over --control (lookup), and once against a
# listener on the apex's address that never speaks TLS (step 1 times out within --timeout and the
# walk goes on) and, policy off, an http://autodiscover.example.com redirecting to
# https://mail.example.com (step 3 succeeds after step 2's warning: exit 1); adcheck_listener.py.
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
MPID=     # adcheck_listener.py (adcheck_stall, adcheck_redirect)
LLOG=     # its log
RESOLVER= # where sandnsd answers the client's namespace: 127.0.0.1 or $TOPO_SRV4
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

stop_mute() {
	[ -n "$MPID" ] || return 0
	stop_pid "$MPID" 5 "autodiscover: adcheck_listener.py"
	MPID=
	return 0
}

cleanup() {
	local rc=$?
	stop_standin >/dev/null 2>&1
	stop_mute >/dev/null 2>&1
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
			--state-dir "$TMP/$name.state" "$@" >"$log" 2>&1 &
	else
		topo_eal eal af_packet "$VS" 0 "sandns-ad$$-$name" --log-level=lib.eal:notice ||
			{ bad "$name: no EAL arguments"; return 1; }
		ip netns exec "$SNS" timeout -s KILL 300 "$SANDNSD" --foreground --io dpdk \
			--listen "$TOPO_SRV4" --control "$SOCK" --zone "example.com.=$SAMPLE/example.com.zone" \
			--state-dir "$TMP/$name.state" "$@" -- "${eal[@]}" >"$log" 2>&1 &
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

# run_adcheck NAME VIA [ARGS...]: sandnsctl autodiscover-check for $EMAIL in the client's namespace,
# trusting the test CA, DNS from sandnsd at $RESOLVER (VIA resolver) or over its control socket
# (VIA control); its output in $AD_OUT (shown), its exit status in $AD_RC, its time in $AD_MS.
run_adcheck() {
	local name=$1 via=$2 t0 t1
	local -a dns
	shift 2
	if [ "$via" = control ]; then dns=(--control "$SOCK"); else dns=(--resolver "$RESOLVER"); fi
	t0=$(date +%s%N)
	if [ "$via" = control ]; then
		AD_OUT=$(C timeout 60 "$SANDNSCTL" "${dns[@]}" autodiscover-check "$EMAIL" \
			--ca "$PKI/ca.pem" "$@" 2>&1)
	else
		AD_OUT=$(C timeout 60 "$SANDNSCTL" autodiscover-check "$EMAIL" "${dns[@]}" \
			--ca "$PKI/ca.pem" "$@" 2>&1)
	fi
	AD_RC=$?
	t1=$(date +%s%N)
	AD_MS=$(((t1 - t0) / 1000000))
	echo "     ---- $name: sandnsctl autodiscover-check ($via, exit status $AD_RC, $AD_MS ms)"
	sed 's/^/     | /' <<<"$AD_OUT"
}

# ad_step N: step N's lines of $AD_OUT
ad_step() { sed -n "/^step $1: /,/^\(step [0-9]\|result\):/p" <<<"$AD_OUT" | sed '$d'; }

# adcheck_case CASE NAME: run_adcheck (by $RESOLVER, and in socket mode over --control too) with
# the checks of case CASE (off, on, renewed).
adcheck_case() {
	local c=$1 name=$2 via
	local vias="resolver"
	[ "$mode" = socket ] && vias="resolver control"
	for via in $vias; do
		local n="$name: autodiscover-check ($via)"
		run_adcheck "$name" "$via" --timeout 3
		check "$n: step 1 https://example.com: connection refused, the walk goes on" \
			has "$(ad_step 1)" '^  tcp: 198.18.0.10:443 refused'
		check "$n: ... a silent failure" has "$(ad_step 1)" '^  verdict: fails silently: '
		case $c in
		off)
			check "$n: exit status 1 (got $AD_RC)" test "$AD_RC" = 1
			check "$n: step 2 has autodiscover.example.com's A record" \
				has "$(ad_step 2)" '^  dns: autodiscover.example.com A: 198.18.0.25$'
			check "$n: step 2: the handshake succeeds, the certificate verifies" \
				has "$(ad_step 2)" '^  certificate: verifies: yes; names autodiscover.example.com: no$'
			check "$n: step 2: the certificate's names are shown" \
				has "$(ad_step 2)" '^  certificate: CN mail.example.com; SANs mail.example.com, owa.example.com; valid '
			check "$n: step 2: a client would warn here (autodiscover.example.com not covered)" \
				has "$(ad_step 2)" \
				'^  verdict: a client would warn here: the certificate does not name autodiscover.example.com$'
			check "$n: step 4: no SRV record" \
				has "$(ad_step 4)" '^  dns: _autodiscover._tcp.example.com SRV: NXDOMAIN$'
			check "$n: no step succeeds" has "$AD_OUT" '^result: no step succeeds without a warning$'
			;;
		on)
			check "$n: exit status 0 (got $AD_RC)" test "$AD_RC" = 0
			check "$n: step 2: autodiscover.example.com has no A (NODATA)" \
				has "$(ad_step 2)" '^  dns: autodiscover.example.com A: NODATA$'
			check "$n: step 2: ... and no AAAA (NODATA)" \
				has "$(ad_step 2)" '^  dns: autodiscover.example.com AAAA: NODATA$'
			check "$n: step 2: fails silently, no connection tried" \
				test -z "$(ad_step 2 | grep -E '^  (tcp|tls):')" -a \
				-n "$(ad_step 2 | grep '^  verdict: fails silently: autodiscover.example.com has no address')"
			check "$n: step 3: no address either" \
				has "$(ad_step 3)" '^  verdict: fails silently: autodiscover.example.com has no address'
			check "$n: step 4: the SRV record names mail.example.com port 443" \
				has "$(ad_step 4)" '^  dns: _autodiscover._tcp.example.com SRV: 0 0 443 mail.example.com.$'
			check "$n: step 4: https://mail.example.com:443 with SNI mail.example.com" \
				has "$(ad_step 4)" '^  tls: SNI mail.example.com: ok$'
			check "$n: step 4: the certificate verifies and names mail.example.com" \
				has "$(ad_step 4)" '^  certificate: verifies: yes; names mail.example.com: yes$'
			check "$n: step 4: ok" has "$(ad_step 4)" '^  verdict: ok: '
			check "$n: a client succeeds at step 4" \
				has "$AD_OUT" '^result: a client succeeds at step 4 without a warning$'
			check "$n: no step warns" hasnt "$AD_OUT" 'a client would warn here'
			;;
		renewed)
			check "$n: exit status 0 (got $AD_RC)" test "$AD_RC" = 0
			check "$n: step 2: the certificate names autodiscover.example.com" \
				has "$(ad_step 2)" '^  certificate: verifies: yes; names autodiscover.example.com: yes$'
			check "$n: step 2: ok" has "$(ad_step 2)" '^  verdict: ok: '
			check "$n: the walk ends at step 2" test -z "$(grep -E '^step (3|4):' <<<"$AD_OUT")"
			check "$n: a client succeeds at step 2" \
				has "$AD_OUT" '^result: a client succeeds at step 2 without a warning$'
			;;
		esac
	done
	if [ "$c" = on ]; then
		local out rc
		out=$(C timeout 60 "$SANDNSCTL" --json autodiscover-check "$EMAIL" --resolver "$RESOLVER" \
			--ca "$PKI/ca.pem" --timeout 3 2>&1)
		rc=$?
		check "$name: autodiscover-check --json: one document, steps 1 to 4, step 4 ok, exit 0" \
			$PY -c '
import json, sys
e = json.loads(sys.argv[1])
assert e["version"] == 1 and e["ok"] is True and "error" not in e, e
d = e["data"]
s = d["steps"]
assert int(sys.argv[2]) == 0 and d["exit"] == 0 and d["succeeded_at"] == 4, d
assert [x["step"] for x in s] == [1, 2, 3, 4], s
assert s[1]["probes"][0]["dns"][0]["result"] == "nodata", s[1]
assert s[3]["srv"]["records"] == ["0 0 443 mail.example.com."], s[3]
c = s[3]["probes"][0]["certificate"]
assert c["verified"] and c["host_covered"] and "mail.example.com" in c["sans"], c
assert s[3]["verdict"] == "ok", s[3]
' "$out" "$rc"
	fi
}

# adcheck_preview NAME: (policy on, the old certificate served and deployed) before the renewal,
# `autodiscover-check --cert RENEWED` predicts what the client sees once it is deployed: DNS from
# sandnsd's preview (the A of autodiscover.example.com back), the stand-in's old leaf judged as
# RENEWED: straight through at step 2, exit 0. Without --cert the same walk still takes the SRV
# path, and nothing served changed (serial, answers). Leaves the predicted step in $PRED_STEP.
adcheck_preview() {
	local n="$1: preview" serial0 serial1 out rc
	PRED_STEP=
	serial0=$(C timeout 10 "$SANDNSCTL" --control "$SOCK" lookup example.com SOA | awk '$4 == "SOA" { print $7 }')
	run_adcheck "$n" control --timeout 3 --cert "$PKI/renewed.pem"
	check "$n: --cert renewed.pem: exit status 0 (got $AD_RC)" test "$AD_RC" = 0
	check "$n: DNS from sandnsd's preview with renewed.pem" \
		has "$AD_OUT" "; DNS from sandnsd's preview with $PKI/renewed.pem (lookup --cert on "
	check "$n: step 2: autodiscover.example.com has its A record in the preview" \
		has "$(ad_step 2)" '^  dns: autodiscover.example.com A: 198.18.0.25$'
	check "$n: step 2: the stand-in presents the configured (old) leaf, judged as renewed.pem" \
		has "$(ad_step 2)" "^  certificate: presented [0-9a-f]*\.\.\., a configured certificate: judged as $PKI/renewed.pem "
	check "$n: step 2: renewed.pem verifies and names autodiscover.example.com" \
		has "$(ad_step 2)" '^  certificate: verifies: yes; names autodiscover.example.com: yes$'
	check "$n: step 2: ok" has "$(ad_step 2)" '^  verdict: ok: '
	check "$n: the walk ends at step 2, no SRV" test -z "$(grep -E '^step (3|4):' <<<"$AD_OUT")"
	check "$n: predicted: a client succeeds at step 2 without a warning" \
		has "$AD_OUT" '^result: a client succeeds at step 2 without a warning$'
	PRED_STEP=$(sed -n 's/^result: a client succeeds at step \([0-9]\) without a warning$/\1/p' <<<"$AD_OUT")
	# The certificate actually served still decides the served data: the SRV path.
	run_adcheck "$n: without --cert" control --timeout 3
	check "$n: without --cert: step 2 has no address (NODATA)" \
		has "$(ad_step 2)" '^  dns: autodiscover.example.com A: NODATA$'
	check "$n: without --cert: a client succeeds at step 4 (SRV), exit 0 (got $AD_RC)" \
		test "$AD_RC" = 0 -a -n "$(grep '^result: a client succeeds at step 4 without a warning$' <<<"$AD_OUT")"
	check "$n: without --cert: no endpoint judged otherwise" hasnt "$AD_OUT" 'judged as'
	check "$n: the resolver still answers NODATA for autodiscover.example.com" \
		test -z "$(addr_of autodiscover.example.com)"
	serial1=$(C timeout 10 "$SANDNSCTL" --control "$SOCK" lookup example.com SOA | awk '$4 == "SOA" { print $7 }')
	check "$n: the served serial is unchanged ($serial0, now $serial1)" \
		test -n "$serial0" -a "$serial0" = "$serial1"
	out=$(C timeout 30 "$SANDNSCTL" --control "$SOCK" autodiscover-check "$EMAIL" --timeout 1 \
		--cert "$PKI/none.pem" 2>&1)
	rc=$?
	check "$n: --cert of a missing file: exit status 2, saying so (got $rc: $out)" \
		test "$rc" = 2 -a -n "$(grep 'none.pem: cannot open' <<<"$out")"
	out=$(C timeout 30 "$SANDNSCTL" autodiscover-check "$EMAIL" --resolver "$RESOLVER" \
		--cert "$PKI/renewed.pem" 2>&1)
	rc=$?
	check "$n: --cert with --resolver: usage, exit status 2 (got $rc)" test "$rc" = 2
}

# start_listener KIND ARGS...: adcheck_listener.py KIND ARGS in the client's namespace (MPID)
start_listener() {
	local log=$TMP/listener-$1.log
	ip netns exec "$CNS" timeout -s KILL 120 "$PY" "$HERE/adcheck_listener.py" "$@" >"$log" 2>&1 &
	MPID=$!
	LLOG=$log
	for _ in $(seq 1 50); do
		grep -q '^listener: listening' "$log" && return 0
		sleep 0.1
	done
	bad "adcheck_listener.py $1 did not start: $(cat "$log")"
	stop_mute
	return 1
}

# adcheck_stall NAME: a listener on the apex's address (198.18.0.10:443) that accepts and never
# speaks: step 1's handshake times out within --timeout 1 and the walk goes on to step 2.
adcheck_stall() {
	local n="$1: a mute listener at step 1"
	start_listener mute 198.18.0.10 443 || return 0
	run_adcheck "$n" resolver --timeout 1
	check "$n: step 1 connects" has "$(ad_step 1)" '^  tcp: 198.18.0.10:443 ok$'
	check "$n: step 1: the handshake times out within --timeout" \
		has "$(ad_step 1)" '^  tls: SNI example.com: failed: timed out: no handshake within 1000 ms$'
	check "$n: step 1: a silent failure" \
		has "$(ad_step 1)" '^  verdict: fails silently: the TLS handshake with example.com failed: timed out'
	check "$n: the walk goes on and succeeds at step 2 (exit status $AD_RC)" \
		test "$AD_RC" = 0 -a -n "$(grep '^result: a client succeeds at step 2 without a warning' <<<"$AD_OUT")"
	check "$n: the whole walk took under 4 s ($AD_MS ms)" test "$AD_MS" -lt 4000
	stop_mute
}

# adcheck_redirect NAME: (policy off) http://autodiscover.example.com answers 302 to
# https://mail.example.com: step 3 follows it once and succeeds there, but step 2 warned: exit 1.
adcheck_redirect() {
	local n="$1: a redirect at step 3" url="https://mail.example.com$AD_URL_PATH"
	start_listener redirect 198.18.0.25 80 "$url" || return 0
	run_adcheck "$n" resolver --timeout 3
	check "$n: step 3: the GET is answered 302 to $url" \
		has "$(ad_step 3)" "^  http: GET $AD_URL_PATH: status 302, Location $url\$"
	check "$n: ... which the listener saw for host autodiscover.example.com" \
		has "$(cat "$LLOG")" "^listener: GET $AD_URL_PATH host=autodiscover.example.com\$"
	check "$n: step 3: the redirect is followed" \
		has "$(ad_step 3)" "^  redirect followed: $url\$"
	check "$n: step 3: the redirect's host is checked: SNI mail.example.com" \
		has "$(ad_step 3)" '^  tls: SNI mail.example.com: ok$'
	check "$n: step 3: ok" has "$(ad_step 3)" '^  verdict: ok: the certificate verifies and names mail.example.com$'
	check "$n: the walk ends at step 3" test -z "$(grep '^step 4:' <<<"$AD_OUT")"
	check "$n: exit status 1: step 2 warned before (got $AD_RC)" test "$AD_RC" = 1
	check "$n: ... as the result says" \
		has "$AD_OUT" '^result: a client succeeds at step 3, after a warning at an earlier step$'
	stop_mute
}

# adcheck_usage: a resolver nobody answers for and bad arguments: exit status 2, bounded.
adcheck_usage() {
	local out rc t0 ms
	t0=$(date +%s%N)
	out=$(C timeout 30 "$SANDNSCTL" autodiscover-check "$EMAIL" --resolver 127.0.0.9@9 \
		--timeout 1 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "autodiscover-check --resolver 127.0.0.9@9 (nobody there): exit status 2 (got $rc, $ms ms)" \
		test "$rc" = 2 -a "$ms" -lt 5000
	check "... and it says why" has "$out" '^sandnsctl: autodiscover-check: cannot ask 127.0.0.9 port 9 for example.com A: '
	out=$(C timeout 30 "$SANDNSCTL" --control "$TMP/nobody.sock" autodiscover-check "$EMAIL" 2>&1)
	rc=$?
	check "autodiscover-check --control (no daemon there): exit status 2 (got $rc)" test "$rc" = 2
	check "... and it says why" has "$out" '^sandnsctl: autodiscover-check: cannot ask sandnsd '
	for args in "user.example.com" "$EMAIL --resolver ns1.example.com" "$EMAIL --timeout 0" \
		"$EMAIL --ca $TMP/none.pem" "$EMAIL --ca $PKI/openssl.log" "$EMAIL --frob"; do
		# shellcheck disable=SC2086 # the words of ARGS are the arguments
		out=$(C timeout 10 "$SANDNSCTL" autodiscover-check $args 2>&1)
		rc=$?
		check "autodiscover-check $args: usage, exit status 2 (got $rc: $(head -n 1 <<<"$out"))" \
			test "$rc" = 2
	done
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
	adcheck_case off "$n"
	if [ "$m" = socket ]; then
		adcheck_redirect "$n"
		adcheck_usage
	fi
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
	adcheck_case on "$n"
	if [ "$m" = dpdk ]; then
		out=$(ctl stats 2>&1)
		grep -E '^(lcore|dataplane)' <<<"$out" | sed 's/^/     /'
		check "$n: the answers came from the DPDK workers (sandnsctl stats)" \
			has "$out" '^dataplane: .*udp-answered=[1-9]'
	fi

	adcheck_preview "$n"

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
	check "$n: as autodiscover-check --cert predicted before the renewal (step ${PRED_STEP:-none})" \
		test "${PRED_STEP:-}" = 2
	check "$n: ... at https://autodiscover.example.com (endpoint=$S_ENDPOINT)" \
		test "$S_ENDPOINT" = "https://autodiscover.example.com$AD_URL_PATH"
	check "$n: the client reached the EWS URL (status $S_EWS_STATUS)" test "$S_EWS_STATUS" = 200
	check "$n: the stand-in answered autodiscover for SNI autodiscover.example.com" \
		has "$SLOG" \
		"^standin: sni=autodiscover.example.com host=autodiscover.example.com POST $AD_URL_PATH -> 200"
	check "$n: no failed handshake at the stand-in" hasnt "$SLOG" 'tls-failed'
	adcheck_case renewed "$n"
	[ "$m" = socket ] && adcheck_stall "$n"
	finish "$m-on"
}

start_standin
ok "stand-in Exchange server on 198.18.0.25:443 and [2001:db8:25::25]:443 (pid $SPID)"

for mode in $MODES; do
	case $mode in
	socket)
		echo "---- sandnsd --io socket on 127.0.0.1@53 in $CNS"
		resolver 127.0.0.1
		RESOLVER=127.0.0.1
		;;
	dpdk)
		echo "---- sandnsd --io dpdk (net_af_packet) on $TOPO_SRV4@53 in $SNS"
		if ! command -v ethtool >/dev/null; then
			bad "dpdk: ethtool not found (scripts/deps.sh installs it)"
			continue
		fi
		resolver "$TOPO_SRV4"
		RESOLVER=$TOPO_SRV4
		;;
	*) die "unknown mode '$mode' in AD_MODES" ;;
	esac
	case_off "$mode"
	case_on "$mode"
done

stop_standin
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
