#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dnssec_dpdk.sh: answers of zones sandnsd signs, and of a presigned zone with one signature
# tampered with, validated by unbound (the zones' DNSKEYs as trust anchors) on the kernel-socket
# path and then through the DPDK workers (--io dpdk on net_af_packet, unbound in a client
# namespace). The zones: copies of the sample zones sandnsd signs (example.com NSEC with three
# delegations: sub.example.com, secure, its DS in the parent and the child served and signed
# too; insecure.example.com without DS, the child served unsigned; ext.example.com without DS,
# not served; example.net NSEC3 with a delegation without DS), and example.org signed by
# ldns-signzone with one RRSIG's signature octets changed. Every answer must come back secure
# (AD): positive, CNAME, wildcard, NXDOMAIN, NODATA, the policy's withheld autodiscover A and its
# synthesized SRV, the DS of the secure delegation and the proofs of no DS, an answer from the
# signed child (through the DS); the insecure child's answer comes back without AD; the tampered
# name SERVFAIL while its zone's other names stay secure. The referrals themselves as sandnsd
# gives them (DS and its RRSIG, or the NSEC proving none); kzonecheck and ldns-verify-zone accept
# each signed zone's AXFR. A presigned zone whose signatures all expired is served, with a warning
# naming its file.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.1 and inside the namespaces it makes (198.18.0.0/24), removed on exit.
# Ends only the processes it started, by PID; every wait is bounded. Exit status: 0 all passed,
# 1 a check failed, 77 skipped (no kdig, unbound, ldns tools or kzonecheck). Not root: the
# kernel-socket part only (the DPDK part says SKIP).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample

die() { echo "dnssec_dpdk: $*" >&2; exit 1; }
skip() { echo "dnssec_dpdk: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
for c in kdig ldns-keygen ldns-signzone ldns-key2ds ldns-verify-zone kzonecheck; do
	command -v "$c" >/dev/null || skip "$c not found (scripts/deps.sh installs it)"
done
UNBOUND=${UNBOUND:-$(PATH=$PATH:/usr/sbin:/sbin command -v unbound || true)}
[ -n "$UNBOUND" ] || skip "unbound not found (apt-get install unbound)"

TMP=$(mktemp -d /tmp/sandns-dnssec.XXXXXX)
PID=
UNBOUND_PID=
SRV=sandns-dv-srv-$$
CLI=sandns-dv-cli-$$
VS=veth-dvs$$
VC=veth-dvc$$
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=../../scripts/topo.sh
. "$ROOT/scripts/topo.sh"
TOPO_WHO=dnssec_dpdk

stop_unbound() {
	[ -n "$UNBOUND_PID" ] || return 0
	stop_pid "$UNBOUND_PID" 5 "dnssec_dpdk: unbound"
	UNBOUND_PID=
	return 0
}

cleanup() {
	local rc=$?
	stop_unbound >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	topo_cleanup >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "dnssec_dpdk: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------- the zones
# example.com: the sample with three delegations; sub's DS from the key made here for it (in the
# state directory's keys/, where sandnsd finds it and signs sub.example.com with it).
STATE=$TMP/state
mkdir -p -m 700 "$STATE" "$STATE/keys"
subkey=$(cd "$STATE/keys" && ldns-keygen -a ECDSAP256SHA256 -k sub.example.com.) ||
	die "ldns-keygen failed"
sub_ds=$(ldns-key2ds -n -2 "$STATE/keys/$subkey.key") || die "ldns-key2ds failed"
mkdir -m 700 "$TMP/ext"
extkey=$(cd "$TMP/ext" && ldns-keygen -a ECDSAP256SHA256 -k secure-ext.example.com.) ||
	die "ldns-keygen failed"
ext_ds=$(ldns-key2ds -n -2 "$TMP/ext/$extkey.key") || die "ldns-key2ds failed"
{
	cat "$SAMPLE/example.com.zone"
	echo 'sub 3600 IN NS ns.sub'
	echo 'ns.sub 3600 IN A 198.18.0.2'
	echo "$sub_ds"
	echo 'insecure 3600 IN NS ns.insecure'
	echo 'ns.insecure 3600 IN A 198.18.0.2'
	echo 'ext 3600 IN NS ns.ext'
	echo 'ns.ext 3600 IN A 198.18.0.77'
	echo 'secure-ext 3600 IN NS ns.ext'
	echo "$ext_ds"
} >"$TMP/example.com.zone"
{
	cat "$SAMPLE/example.net.zone"
	echo 'nods 3600 IN NS ns1.example.net.'
} >"$TMP/example.net.zone"
child() {
	printf '$ORIGIN %s\n$TTL 3600\n' "$1"
	echo '@ IN SOA ns hostmaster.example.com. 1 7200 3600 1209600 300'
	echo '@ IN NS ns'
	echo 'ns IN A 198.18.0.2'
	echo 'host IN A 198.18.0.99'
	echo 'www IN CNAME host'
}
child sub.example.com. >"$TMP/sub.example.com.zone"
child insecure.example.com. >"$TMP/insecure.example.com.zone"
# example.org: signed by ldns-signzone; then one signature's octets changed (www's A).
{
	printf '$ORIGIN example.org.\n$TTL 3600\n'
	echo '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300'
	echo '@ IN NS ns1'
	echo 'ns1 IN A 198.18.3.53'
	echo 'www IN A 198.18.3.80'
	echo 'mail IN A 198.18.3.25'
	echo 'mail IN TXT "untouched"'
} >"$TMP/example.org.zone"
orgkey=$(cd "$TMP" && ldns-keygen -a ECDSAP256SHA256 -k example.org.) || die "ldns-keygen failed"
(cd "$TMP" && ldns-signzone -f example.org.signed example.org.zone "$orgkey") ||
	die "ldns-signzone failed"
# the 20th character of the base64 of the RRSIG over www.example.org A, changed
awk 'BEGIN { OFS = "\t" }
$1 == "www.example.org." && $4 == "RRSIG" && $5 == "A" && !done {
	s = $NF; c = substr(s, 20, 1); r = (c == "A") ? "B" : "A"
	$NF = substr(s, 1, 19) r substr(s, 21); done = 1
}
{ print }' "$TMP/example.org.signed" >"$TMP/example.org.tampered"
check "example.org: one RRSIG tampered with (the rest as signed)" \
	test "$(diff "$TMP/example.org.signed" "$TMP/example.org.tampered" | grep -c '^>')" = 1
check "ldns-verify-zone rejects the tampered file (the tampering is real)" \
	bash -c '! ldns-verify-zone "$1" >/dev/null 2>&1' _ "$TMP/example.org.tampered"

# stale.example: presigned, every signature expired in 2020: served, with a warning naming the file.
{
	printf '$ORIGIN stale.example.\n$TTL 3600\n'
	echo '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300'
	echo '@ IN NS ns1'
	echo 'ns1 IN A 198.18.3.53'
} >"$TMP/stale.zone"
stalekey=$(cd "$TMP" && ldns-keygen -a ECDSAP256SHA256 -k stale.example.) || die "ldns-keygen failed"
(cd "$TMP" && ldns-signzone -i 20200101000000 -e 20200201000000 -f stale.signed stale.zone \
	"$stalekey") || die "ldns-signzone failed"

ZONES=(--zone "example.com.=$TMP/example.com.zone" --zone "example.net.=$TMP/example.net.zone"
	--zone "stale.example.=$TMP/stale.signed"
	--zone "sub.example.com.=$TMP/sub.example.com.zone"
	--zone "insecure.example.com.=$TMP/insecure.example.com.zone"
	--zone "example.org.=$TMP/example.org.tampered"
	--dnssec "example.com. nsec" --dnssec "example.net. nsec3" --dnssec "sub.example.com. nsec"
	--cert "$SAMPLE/mail.example.com.pem" --state-dir "$STATE")

# ---------------------------------------------------------------- unbound
# unbound_conf TAG ADDR PORT UPORT: its configuration, sandnsd at ADDR@PORT the only server (stub
# zones), the anchors in $TMP/anchors, listening on 127.0.0.1@UPORT.
unbound_conf() {
	local tag=$1 addr=$2 port=$3 uport=$4 o
	{
		echo "server:"
		echo "    interface: 127.0.0.1"
		echo "    port: $uport"
		echo "    do-daemonize: no"
		echo "    username: \"\""
		echo "    chroot: \"\""
		echo "    directory: \"$TMP\""
		echo "    pidfile: \"\""
		echo "    use-syslog: no"
		echo "    logfile: \"$TMP/unbound-$tag.log\""
		echo "    do-ip6: no"
		echo "    do-not-query-localhost: no"
		echo "    num-threads: 1"
		echo "    val-log-level: 2"
		echo "    module-config: \"validator iterator\""
		echo "    trust-anchor-file: \"$TMP/anchors\""
		echo "remote-control:"
		echo "    control-enable: no"
		for o in . example.com. example.net. example.org. sub.example.com. insecure.example.com.; do
			echo "stub-zone:"
			echo "    name: \"$o\""
			echo "    stub-addr: $addr@$port"
		done
	} >"$TMP/unbound-$tag.conf"
}

# validate TAG RUN...: unbound started through RUN (nothing, or ip netns exec NS) on a free port,
# then each question of the table below asked: its rcode, AD set ("ad") or not ("-"), the type
# of answer expected ("-": no answer section).
validate() {
	local tag=$1 uport out qn qt want ad ans n=0 nbad=0
	shift
	uport=$(pick_port $(( (PORT - 20000 + 11) % 12000 + 20000 )) "$PORT") ||
		die "no free port for unbound"
	unbound_conf "$tag" "$SERVER" "$PORT" "$uport"
	"$@" "$UNBOUND" -d -c "$TMP/unbound-$tag.conf" >"$TMP/unbound-$tag.out" 2>&1 &
	UNBOUND_PID=$!
	for _ in $(seq 1 50); do
		"$@" kdig @127.0.0.1 -p "$uport" +time=1 +retry=0 example.com. SOA 2>/dev/null |
			grep -q 'status: NOERROR' && break
		kill -0 "$UNBOUND_PID" 2>/dev/null || die "unbound exited (see $TMP/unbound-$tag.out)"
		sleep 0.2
	done
	while read -r qn qt want ad ans; do
		n=$((n + 1))
		out=$("$@" kdig @127.0.0.1 -p "$uport" +time=3 +retry=1 +dnssec "$qn" "$qt" 2>&1)
		if ! grep -q "status: $want" <<<"$out" ||
			{ [ "$ad" = ad ] && ! grep -q 'Flags: qr rd ra ad;' <<<"$out"; } ||
			{ [ "$ad" = - ] && grep -q 'Flags: .* ad;' <<<"$out"; } ||
			{ [ "$ans" != - ] && ! grep -qP "\tIN\t$ans\t" <<<"$out"; } ||
			{ [ "$ans" = - ] && grep -q '^;; ANSWER SECTION' <<<"$out"; }; then
			bad "$tag: unbound: $qn $qt is not $want, AD ${ad/-/clear}, answer $ans:"
			grep -E 'status|Flags|IN' <<<"$out" | head -12 | sed 's/^/     /'
			nbad=$((nbad + 1))
		fi
	done <<'EOF'
example.com. SOA NOERROR ad SOA
mail.example.com. A NOERROR ad A
www.example.com. A NOERROR ad CNAME
nx.example.com. A NXDOMAIN ad -
a.b.nx.example.com. TXT NXDOMAIN ad -
mail.example.com. TXT NOERROR ad -
autodiscover.example.com. A NOERROR ad -
_autodiscover._tcp.example.com. SRV NOERROR ad SRV
example.net. MX NOERROR ad MX
host.example.net. A NOERROR ad A
host.example.net. TXT NOERROR ad -
x._dmarc.example.net. A NXDOMAIN ad -
sub.example.com. DS NOERROR ad DS
host.sub.example.com. A NOERROR ad A
www.sub.example.com. A NOERROR ad CNAME
nx.sub.example.com. A NXDOMAIN ad -
secure-ext.example.com. DS NOERROR ad DS
insecure.example.com. DS NOERROR ad -
ext.example.com. DS NOERROR ad -
nods.example.net. DS NOERROR ad -
host.insecure.example.com. A NOERROR - A
example.org. SOA NOERROR ad SOA
mail.example.org. A NOERROR ad A
mail.example.org. TXT NOERROR ad TXT
nx.example.org. A NXDOMAIN ad -
www.example.org. A SERVFAIL - -
EOF
	[ "$nbad" = 0 ] && ok "$tag: unbound: all $n answers as expected (secure but for the insecure child and the tampered name)"
	check "$tag: unbound logged the tampered signature as bogus" \
		grep -q 'validation failure <www.example.org. A IN>' "$TMP/unbound-$tag.log"
	stop_unbound
}

# expect DESC TEXT REGEX...: each REGEX (grep -P) found in TEXT, or, written !REGEX, not found.
expect() {
	local desc=$1 text=$2 r
	shift 2
	for r in "$@"; do
		if [ "${r:0:1}" = '!' ]; then
			grep -qP -- "${r:1}" <<<"$text" || continue
		else
			! grep -qP -- "$r" <<<"$text" || continue
		fi
		bad "$desc (${r}):"
		sed -n '/HEADER/,/^;; Received/p' <<<"$text" | sed 's/^/     /'
		return
	done
	ok "$desc"
}

# referrals TAG RUN...: the referrals as sandnsd gives them (asked directly, no recursion).
referrals() {
	local tag=$1 name
	shift
	ask() { "$@" kdig @"$SERVER" -p "$PORT" +time=2 +retry=1 +norec +dnssec "$name" A 2>&1; }
	name=host.secure-ext.example.com.
	expect "$tag: secure referral: NS, DS and its RRSIG in authority, not authoritative" \
		"$(ask "$@")" 'status: NOERROR' '^secure-ext\.example\.com\.\s+\d+\s+IN\s+NS\s' \
		'^secure-ext\.example\.com\.\s+\d+\s+IN\s+DS\s' '\sIN\s+RRSIG\s+DS 13 3 ' \
		'!Flags: qr aa' '!ANSWER SECTION'
	name=host.ext.example.com.
	expect "$tag: insecure referral: NS, the NSEC proving no DS (signed), glue" "$(ask "$@")" \
		'status: NOERROR' '^ext\.example\.com\.\s+\d+\s+IN\s+NS\s' \
		'^ext\.example\.com\.\s+\d+\s+IN\s+NSEC\s+\S+ NS RRSIG NSEC$' \
		'\sIN\s+RRSIG\s+NSEC 13 3 ' '!\sIN\s+DS\s' \
		'^ns\.ext\.example\.com\.\s+\d+\s+IN\s+A\s+198\.18\.0\.77$' '!Flags: qr aa'
	name=host.nods.example.net.
	expect "$tag: insecure referral under NSEC3: NS, the NSEC3 of the cut (NS only), signed" \
		"$(ask "$@")" 'status: NOERROR' '^nods\.example\.net\.\s+\d+\s+IN\s+NS\s' \
		'\sIN\s+NSEC3\s+1 0 0 - \S+ NS$' '\sIN\s+RRSIG\s+NSEC3 13 3 ' '!\sIN\s+DS\s'
}

# ---------------------------------------------------------------- the kernel-socket path
new_port
SERVER=127.0.0.1
LOG=$TMP/socket.log
SOCK=$TMP/socket.sock
"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
	--allow-transfer 127.0.0.0/8 "${ZONES[@]}" >"$LOG" 2>&1 &
PID=$!
wait_serving "$LOG" "$PID" || { sed 's/^/     /' "$LOG"; die "sandnsd did not start serving"; }
ok "socket: sandnsd serving on 127.0.0.1@$PORT (pid $PID)"
check "socket: a presigned zone with every signature expired: a warning naming its file" grep -q \
	"$TMP/stale.signed: zone stale.example.: none of its [0-9]* RRSIGs is valid now (.*): [0-9]* expired, 0 not yet valid" "$LOG"
check "socket: ... and the zone is served" has "$(kdig @127.0.0.1 -p "$PORT" +short stale.example. SOA)" '^ns1.stale.example. '
check "socket: sub.example.com signed with the key made for it" \
	has "$("$SANDNSCTL" --control "$SOCK" zone-keys sub.example.com.)" "$(awk '{print $5}' <<<"$sub_ds") 13 2"
: >"$TMP/anchors"
for z in example.com. example.net.; do
	kdig @127.0.0.1 -p "$PORT" +time=2 "$z" DNSKEY +noall +answer | awk '$4 == "DNSKEY"' >>"$TMP/anchors"
done
grep -P '\tDNSKEY\t' "$TMP/example.org.signed" >>"$TMP/anchors"
check "anchors: the DNSKEYs of example.com, example.net, example.org (not sub.example.com)" \
	test "$(awk '{print $1}' "$TMP/anchors" | sort -u | tr '\n' ' ')" = "example.com. example.net. example.org. "
validate socket
referrals socket
for z in example.com. example.net. sub.example.com.; do
	kdig @127.0.0.1 -p "$PORT" +time=2 "$z" AXFR +nocomments +nostats >"$TMP/$z.axfr"
	if out=$(kzonecheck -d on -o "$z" "$TMP/$z.axfr" 2>&1); then
		ok "kzonecheck -d on accepts the AXFR of $z"
	else
		bad "kzonecheck -d on rejects the AXFR of $z:"
		head -8 <<<"$out" | sed 's/^/     /'
	fi
	if out=$(ldns-verify-zone "$TMP/$z.axfr" 2>&1); then
		ok "ldns-verify-zone accepts the AXFR of $z"
	else
		bad "ldns-verify-zone rejects the AXFR of $z:"
		head -5 <<<"$out" | sed 's/^/     /'
	fi
done
check "socket: sandnsd stops cleanly (status 0)" stop_sandnsd

# ---------------------------------------------------------------- the DPDK path
if [ "$(id -u)" != 0 ]; then
	echo "SKIP dpdk: needs root (network namespaces, DPDK)"
else
	topo_pair "$SRV" "$VS" "$CLI" "$VC" || die "cannot make the namespaces and their veth"
	topo_eal eal af_packet "$VS" 0 "sandns$$-dv" --log-level=lib.eal:notice
	LOG=$TMP/dpdk.log
	ip netns exec "$SRV" timeout -s KILL 200 "$SANDNSD" --foreground --io dpdk \
		--listen "$TOPO_SRV4" --control "$TMP/dpdk.sock" "${ZONES[@]}" -- "${eal[@]}" \
		>"$LOG" 2>&1 &
	PID=$!
	if wait_serving "$LOG" "$PID" 60; then
		ok "dpdk: sandnsd serves ($(grep '^sandnsd: serving' "$LOG" | sed 's/.*(dpdk: //; s/)$//'))"
		SERVER=$TOPO_SRV4
		PORT=53
		validate dpdk ip netns exec "$CLI"
		referrals dpdk ip netns exec "$CLI"
		st=$(timeout 10 "$SANDNSCTL" --control "$TMP/dpdk.sock" stats 2>&1)
		check "dpdk: the workers answered (udp-answered=$(stat_of "$(grep '^dataplane:' <<<"$st")" udp-answered))" \
			test "$(stat_of "$(grep '^dataplane:' <<<"$st")" udp-answered)" -gt 20
		check "dpdk: sandnsd stops cleanly (status 0)" stop_sandnsd
	else
		bad "dpdk: sandnsd did not come up:"
		sed 's/^/     /' "$LOG"
		stop_sandnsd
	fi
fi

echo "dnssec_dpdk: $passed passed, $failed failed"
[ "$failed" = 0 ]
