#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# diff_knot.sh: differential test: Knot DNS and sandnsd serve the same zones on loopback, the same
# queries go to both (tests/e2e/dnscompare.py) and the answers are compared field by field.
#
#   tests/e2e/diff_knot.sh [extra dnscompare.py arguments]
#
# Environment: SANDNSD (default build/control/sandnsd), KNOTD (default knotd from PATH or
# /usr/sbin), KEEP=1 keeps the temporary directory with configs and logs.
# Talks only to 127.0.0.1; ends only the two processes it started, by PID; every wait is bounded.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
PY=/usr/bin/python3 # Debian's, which has python3-dnspython (not a pyenv or venv python)

ZONES=(
	"example.com.=$ROOT/zones/sample/example.com.zone"
	"example.net.=$ROOT/zones/sample/example.net.zone"
	"example.org.=$ROOT/tests/data/peer/example.org.zone"
	"deleg.test.=$ROOT/tests/data/peer/deleg.test.zone"
	"hosted.deleg.test.=$ROOT/tests/data/peer/hosted.deleg.test.zone"
	"nsec.test.=$ROOT/tests/data/peer/nsec.test.zone"
	"nsec3.test.=$ROOT/tests/data/peer/nsec3.test.zone"
	"optout.test.=$ROOT/tests/data/peer/optout.test.zone"
)
# Signed with NSEC3 (Knot's signer, and ldns-signzone -n below): their denial proofs are asked
# for besides (dnscompare.py --nsec3-zone).
NSEC3_ZONES=(
	"nsec3.test.=$ROOT/tests/data/peer/nsec3.test.zone"
	"optout.test.=$ROOT/tests/data/peer/optout.test.zone"
)

die() { echo "diff_knot: $*" >&2; exit 1; }
command -v ldns-signzone >/dev/null || die "ldns-signzone not found (apt-get install ldnsutils)"
UNBOUND=${UNBOUND:-$(PATH=$PATH:/usr/sbin:/sbin command -v unbound || true)}
[ -n "$UNBOUND" ] || die "unbound not found (apt-get install unbound)"
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ]; } || die "knotd not found (apt-get install knot)"
command -v kdig >/dev/null || die "kdig not found (apt-get install knot-dnsutils)"
$PY -c 'import dns.message' 2>/dev/null || die "$PY lacks dnspython (apt-get install python3-dnspython)"

TMP=$(mktemp -d /tmp/sandns-diff.XXXXXX)
KNOT_PID=
SANDNS_PID=
UNBOUND_PID=

# shellcheck source=lib.sh
. "$HERE/lib.sh"

# big.test: answers larger than a message or than a precomputed table once held: an SRV with 50
# targets (A and AAAA each), one with 20, a delegation to 48 in-zone name servers with glue, RRsets over
# 64 KiB (300 TXT of 255 octets, 5,000 A, 3,000 MX) and a name with 70 types.
big_zone() {
	local i pad
	pad=$(printf 'x%.0s' $(seq 1 250))
	printf '$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n'
	printf '@ NS ns1\nns1 A 192.0.2.1\n'
	for i in $(seq 0 49); do
		printf '_ldap._tcp SRV 0 100 389 dc%d.big.test.\n' "$i"
		printf 'dc%d A 192.0.2.%d\ndc%d AAAA 2001:db8::%d\n' "$i" $((i + 10)) "$i" $((i + 10))
	done
	# 20 targets: more than the 15 whose names Knot remembers for its glue owners
	for i in $(seq 0 19); do
		printf '_kerberos._udp SRV 0 100 88 kdc%d.big.test.\n' "$i"
		printf 'kdc%d A 192.0.4.%d\nkdc%d AAAA 2001:db8:4::%d\n' "$i" $((i + 1)) "$i" $((i + 1))
	done
	for i in $(seq 0 47); do
		printf 'sub NS ns%d.sub.big.test.\n' "$i"
		printf 'ns%d.sub A 192.0.3.%d\nns%d.sub AAAA 2001:db8:3::%d\n' "$i" $((i + 1)) "$i" $((i + 1))
	done
	for i in $(seq 1000 1299); do printf 'huge TXT "%d%s"\n' "$i" "$pad"; done
	for i in $(seq 0 4999); do
		printf 'many A 10.%d.%d.%d\n' $((i / 65536)) $((i / 256 % 256)) $((i % 256))
	done
	for i in $(seq 0 2999); do printf 'mx MX %d mail%d.example.\n' "$i" "$i"; done
	for i in $(seq 1 70); do printf 'types TYPE%d \\# 1 0%d\n' $((65279 + i)) $((i % 10)); done
}
big_zone >"$TMP/big.test.zone"
ZONES+=("big.test.=$TMP/big.test.zone")

# NSEC3 zones signed now by ldns-signzone -n with a key made for the run (RFC 5155 7.2 cases):
# names, empty non-terminals (b.c, c, ent), a wildcard with a real name beside it, CNAMEs to a
# name and below a wildcard, delegations with DS, without, below an empty non-terminal, and to a
# name server of the zone's own (its signed A and AAAA in the referral's additional section).
# Signed four ways: no salt; a salt; a salt and 5 iterations; opt-out (-p). The salted two differ
# from the first only in their hashes: they get the NSEC3 queries, not the whole list again
# (GENERIC_SKIP), which keeps the run's length.
nsec3_zone() {
	printf '$ORIGIN %s\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n@ NS ns1\n' "$1"
	printf 'ns1 A 192.0.2.1\nwww A 192.0.2.2\nwww AAAA 2001:db8::2\na.b.c A 192.0.2.3\n'
	printf '*.wild A 192.0.2.4\n*.wild MX 10 www\nx.wild TXT "real"\ncname CNAME www\n'
	printf 'wcname CNAME x.wild\nmail MX 10 www\nsecure NS ns.secure\nns.secure A 192.0.2.5\n'
	printf 'secure DS 12345 13 2 %s\n' 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
	printf 'insecure NS ns.insecure\nns.insecure A 192.0.2.6\ndeleg.ent NS ns.example.\n'
	printf 'inzone NS www\n'
}
GENERIC_SKIP=
for v in "n3a:-t 0" "n3s:-t 0 -s cafe0123" "n3i:-t 5 -s 00ff" "n3o:-t 0 -p"; do
	o=${v%%:*}.test.
	nsec3_zone "$o" >"$TMP/${o}zone"
	key=$(cd "$TMP" && ldns-keygen -a ECDSAP256SHA256 -k "$o") || die "ldns-keygen failed"
	# shellcheck disable=SC2086 # the options are words
	(cd "$TMP" && ldns-signzone -n ${v#*:} -f "${o}signed" "${o}zone" "$key") ||
		die "ldns-signzone failed for $o"
	ZONES+=("$o=$TMP/${o}signed")
	NSEC3_ZONES+=("$o=$TMP/${o}signed")
	case $o in n3s.* | n3i.*) GENERIC_SKIP+=" $o " ;; esac
	cat "$TMP/$key.key" >>"$TMP/anchors"
done

# stop_one PID NAME: SIGTERM, up to 5 s, then SIGKILL. Only PIDs this script started. Leaves the
# exit status in STOP_RC.
STOP_RC=0
stop_one() {
	STOP_RC=0
	[ -n "$1" ] || return 0
	stop_pid "$1" 5 "diff_knot: $2" || STOP_RC=$?
}

cleanup() {
	local rc=$?
	stop_one "$UNBOUND_PID" unbound
	stop_one "$SANDNS_PID" sandnsd
	stop_one "$KNOT_PID" knotd
	if [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log" "$TMP/unbound.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 60 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "diff_knot: kept $TMP"; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KNOT_PORT=$(pick_port $(( 20000 + ($$ * 2) % 12000 ))) || die "no free port for knotd"
SANDNS_PORT=$(pick_port $(( (KNOT_PORT - 20000 + 1) % 12000 + 20000 )) "$KNOT_PORT") ||
	die "no free port for sandnsd"

# ---- Knot DNS: every zone loaded whole from its file, no journal, no semantic checks, an
# identity (id.server and hostname.bind answered, as by sandnsd --identity) and no version (so
# version.server and version.bind are refused, as sandnsd refuses them by default).
mkdir -p "$TMP/knot/db"
{
	echo "server:"
	echo "    rundir: \"$TMP/knot\""
	echo "    listen: 127.0.0.1@$KNOT_PORT"
	echo "    identity: \"sandns-diff\""
	echo "    version: \"\""
	echo "    udp-workers: 1"
	echo "    tcp-workers: 1"
	echo "    background-workers: 1"
	echo "database:"
	echo "    storage: \"$TMP/knot/db\""
	echo "log:"
	echo "  - target: \"$TMP/knot.log\""
	echo "    any: info"
	echo "acl:"
	echo "  - id: loopback_xfr"
	echo "    address: 127.0.0.0/8"
	echo "    action: transfer"
	echo "template:"
	echo "  - id: default"
	echo "    storage: \"$TMP\""
	echo "    semantic-checks: off"
	echo "    zonefile-sync: -1"
	echo "    zonefile-load: whole"
	echo "    journal-content: none"
	echo "    acl: loopback_xfr"
	echo "zone:"
	for z in "${ZONES[@]}"; do
		echo "  - domain: \"${z%%=*}\""
		echo "    file: \"${z#*=}\""
	done
} >"$TMP/knot.conf"
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!

# ---- sandnsd on kernel sockets
zargs=()
served=()
for z in "${ZONES[@]}"; do
	served+=(--zone "$z")
	[[ $GENERIC_SKIP == *" ${z%%=*} "* ]] || zargs+=(--zone "$z")
done
n3args=()
for z in "${NSEC3_ZONES[@]}"; do n3args+=(--nsec3-zone "$z"); done
"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$SANDNS_PORT" \
	--allow-transfer 127.0.0.0/8 --identity sandns-diff --control "$TMP/sandns.sock" "${served[@]}" \
	--state-dir "$TMP/sandnsd.state" >"$TMP/sandnsd.log" 2>&1 &
SANDNS_PID=$!

# sandnsd says when its sockets are bound; give it 30 s (ASan builds start slower)
for i in $(seq 1 300); do
	grep -q '^sandnsd: serving' "$TMP/sandnsd.log" 2>/dev/null && break
	kill -0 "$SANDNS_PID" 2>/dev/null || die "sandnsd exited before serving"
	sleep 0.1
done
grep -q '^sandnsd: serving' "$TMP/sandnsd.log" || die "sandnsd not serving after 30 s"

# Knot loads zones in the background: wait until every apex answers its SOA
for z in "${ZONES[@]}"; do
	o=${z%%=*}
	for i in $(seq 1 100); do
		if kdig @127.0.0.1 -p "$KNOT_PORT" +norec +time=1 +retry=0 "$o" SOA 2>/dev/null |
			grep -q 'status: NOERROR'; then
			break
		fi
		kill -0 "$KNOT_PID" 2>/dev/null || die "knotd exited (see $TMP/knot.log)"
		[ "$i" = 100 ] && die "knotd does not serve $o after 20 s"
		sleep 0.2
	done
done
echo "diff_knot: knotd pid $KNOT_PID on 127.0.0.1@$KNOT_PORT, sandnsd pid $SANDNS_PID on 127.0.0.1@$SANDNS_PORT"

# the comparison itself: bounded by its query list and a per-query timeout. Knot is the
# reference: the additional section is compared whole (NSD's minimal responses differ).
set +e
timeout 600 $PY "$HERE/dnscompare.py" "${zargs[@]}" "${n3args[@]}" \
	--ref "127.0.0.1:$KNOT_PORT" --ref-name knot \
	--cand "127.0.0.1:$SANDNS_PORT" --cand-name sandns --strict-additional "$@"
rc=$?

# A validating resolver (unbound) with the NSEC3 zones' keys as trust anchors, sandnsd their
# only server (every other name, the root's too, is sent to sandnsd, which refuses it: nothing
# leaves loopback): NXDOMAIN, NODATA, empty non-terminals, wildcard answers and NODATA, DS and
# no DS must come back secure (AD), neither SERVFAIL (bogus) nor insecure. Where a proof rests on
# an NSEC3 with the opt-out flag covering a name (RFC 5155 9.2), the answer is insecure by
# design: in n3o.test (every NSEC3 opts out) and optout.test those ("-") must only not be bogus.
UB_PORT=$(pick_port $(( (SANDNS_PORT - 20000 + 3) % 12000 + 20000 )) "$SANDNS_PORT") ||
	die "no free port for unbound"
grep -v '^;' "$ROOT/tests/data/peer/optout.test.zone" | awk '$3 == "DNSKEY"' >>"$TMP/anchors"
{
	echo "server:"
	echo "    interface: 127.0.0.1"
	echo "    port: $UB_PORT"
	echo "    do-daemonize: no"
	echo "    username: \"\""
	echo "    chroot: \"\""
	echo "    directory: \"$TMP\""
	echo "    pidfile: \"\""
	echo "    use-syslog: no"
	echo "    logfile: \"$TMP/unbound.log\""
	echo "    do-ip6: no"
	echo "    do-not-query-localhost: no"
	echo "    num-threads: 1"
	echo "    val-log-level: 2"
	echo "    module-config: \"validator iterator\""
	echo "    trust-anchor-file: \"$TMP/anchors\""
	echo "    local-zone: \"test.\" nodefault"
	echo "remote-control:"
	echo "    control-enable: no"
	for o in . n3a.test. n3s.test. n3i.test. n3o.test. optout.test.; do
		echo "stub-zone:"
		echo "    name: \"$o\""
		echo "    stub-addr: 127.0.0.1@$SANDNS_PORT"
	done
} >"$TMP/unbound.conf"
"$UNBOUND" -d -c "$TMP/unbound.conf" >"$TMP/unbound.out" 2>&1 &
UNBOUND_PID=$!
for i in $(seq 1 50); do
	kdig @127.0.0.1 -p "$UB_PORT" +time=1 +retry=0 n3a.test. SOA 2>/dev/null |
		grep -q 'status: NOERROR' && break
	kill -0 "$UNBOUND_PID" 2>/dev/null || die "unbound exited (see $TMP/unbound.out)"
	sleep 0.2
done
ub_bad=0
ub_n=0
for z in n3a.test. n3s.test. n3i.test. n3o.test. optout.test.; do
	oo=ad
	[ "$z" = n3a.test. ] || [ "$z" = n3s.test. ] || [ "$z" = n3i.test. ] || oo=-
	oz=ad
	[ "$z" = optout.test. ] && oz=-
	for q in "nx.$z A NXDOMAIN $oo" "x.y.nx.$z TXT NXDOMAIN $oo" "www.$z TXT NOERROR ad" \
		"b.c.$z A NOERROR ad" "c.$z MX NOERROR ad" "host.wild.$z A NOERROR $oo" \
		"a.b.wild.$z TXT NOERROR $oo" "x.wild.$z A NOERROR ad" "secure.$z DS NOERROR ad" \
		"insecure.$z DS NOERROR $oz" "deleg.ent.$z DS NOERROR $oz" "ent.$z A NOERROR $oz"; do
		read -r qn qt want ad <<<"$q"
		ub_n=$((ub_n + 1))
		out=$(kdig @127.0.0.1 -p "$UB_PORT" +time=3 +retry=1 +dnssec "$qn" "$qt" 2>&1)
		if ! grep -q "status: $want" <<<"$out" ||
			{ [ "$ad" = ad ] && ! grep -q 'Flags: qr rd ra ad;' <<<"$out"; }; then
			what=" (not bogus)"
			[ "$ad" = ad ] && what=" and secure (AD)"
			echo "diff_knot: FAIL: unbound: $qn $qt is not $want$what:"
			grep -E 'status|Flags' <<<"$out" | sed 's/^/    /'
			ub_bad=$((ub_bad + 1))
		fi
	done
done
echo "diff_knot: unbound validated $((ub_n - ub_bad)) of $ub_n answers (NSEC3 zones)"
[ "$ub_bad" = 0 ] || rc=1
stop_one "$UNBOUND_PID" unbound
UNBOUND_PID=

# sandnsd must survive the run and exit 0 on SIGTERM: in the ASan build a sanitizer report
# (an error during the run, or a leak at exit) shows up here as a non-zero status.
stop_one "$SANDNS_PID" sandnsd
SANDNS_PID=
if [ "$STOP_RC" != 0 ]; then
	echo "diff_knot: FAIL: sandnsd exited with status $STOP_RC on SIGTERM (log below)"
	rc=1
fi
exit $rc
