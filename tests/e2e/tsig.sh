#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tsig.sh: TSIG (RFC 8945) end to end. sandnsd with a key file (tsig-keygen's format) and a transfer
# ACL that needs the key: kdig -y verifies signed SOA answers over UDP and TCP; a multi-message
# AXFR is verified message by message by dnspython (tsig_client.py --axfr; kdig 3.2 checks the
# first message only) and by a Knot secondary; a wrong key name is BADKEY, a wrong secret BADSIG, another valid key
# BADKEY, an unsigned AXFR or UDP IXFR NOTAUTH (as Knot 3.2 answers); a request signed 1000 s off
# is BADTIME, answered signed with our time (tsig_client.py); a Knot secondary with the key
# transfers the zone (Knot verifies every message) and serves it; the secret shows nowhere: not
# in the log, status --json, stats, error messages or --help.
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Exit 77 (skipped) without kdig, knotd, openssl or python3-dnspython.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}

die() { echo "tsig: $*" >&2; exit 1; }
skip() { echo "tsig: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"
command -v openssl >/dev/null || skip "openssl not found"
[ -n "$KNOTD" ] || skip "knotd not found (apt-get install knot)"
[ -x "$PY" ] && $PY -c 'import dns.tsig' 2>/dev/null || skip "python3-dnspython is not installed"

TMP=$(mktemp -d /tmp/sandns-tsig.XXXXXX)
PID=
KNOT_PID=
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 10 knotd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "tsig: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SECRET=$(openssl rand -base64 32)
WRONG=$(openssl rand -base64 32)
OTHER=$(openssl rand -base64 32)
cat >"$TMP/keys.conf" <<KEYS
# as tsig-keygen writes them
key "xfr" {
	algorithm hmac-sha256;
	secret "$SECRET";
};
key "other" {
	algorithm hmac-sha256;
	secret "$OTHER";
};
KEYS

# A zone of several AXFR messages (about 16 KiB each): 3000 names with an A and a TXT.
{
	echo "\$ORIGIN big.test."
	echo "\$TTL 300"
	echo "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300"
	echo "@ IN NS ns1"
	echo "ns1 IN A 192.0.2.1"
	for i in $(seq 1 20); do
		echo "many IN TXT \"one of twenty strings that do not fit 512 octets together, $i\""
	done
	for i in $(seq 1 3000); do
		echo "h$i IN A 10.$((i / 250)).$((i % 250)).1"
		echo "h$i IN TXT \"record $i of the transfer that is signed message by message\""
	done
} >"$TMP/big.test.zone"

start_sandnsd main --zone "big.test.=$TMP/big.test.zone" --key-file "$TMP/keys.conf" \
	--allow-transfer "127.0.0.0/8 key xfr" || exit 1

Y="hmac-sha256:xfr:$SECRET"
q() { kdig -p "$PORT" @127.0.0.1 +retry=0 +time=5 "$@" 2>&1; }
# signed_ok OUTPUT: a NOERROR answer whose TSIG kdig verified (it warns when it cannot).
signed_ok() {
	has "$1" "status: NOERROR" && has "$1" "TSIG PSEUDOSECTION" && hasnt "$1" "WARNING" &&
		hasnt "$1" ";; ERROR"
}

# ---- signed answers: SOA over UDP and TCP, a multi-message AXFR
out=$(q -y "$Y" example.net SOA +notcp)
check "SOA over UDP, signed: kdig verifies the answer" signed_ok "$out"
out=$(q -y "$Y" example.net SOA +tcp)
check "SOA over TCP, signed: kdig verifies the answer" signed_ok "$out"
out=$(q -y "$Y" example.net A +notcp +dnssec)
check "a query with EDNS, signed" signed_ok "$out"
q -y "$Y" big.test AXFR >"$TMP/axfr.out"
msgs=$(sed -n 's/.*Received [0-9]* B (\([0-9]*\) messages, \([0-9]*\) records).*/\1 \2/p' \
	"$TMP/axfr.out")
check "AXFR of big.test, signed: kdig verifies it" \
	bash -c "! grep -q -e WARNING -e ';; ERROR' '$TMP/axfr.out'"
check "AXFR of big.test came in several messages, every record ($msgs)" \
	test "${msgs%% *}" -gt 3 -a "${msgs##* }" = 6024
cnt=$(grep -c "TSIG	hmac-sha256" "$TMP/axfr.out" || true)
check "AXFR: a TSIG in each of the ${msgs%% *} messages ($cnt)" test "$cnt" = "${msgs%% *}"
out=$($PY "$HERE/tsig_client.py" --port "$PORT" --key xfr --secret "$SECRET" --axfr \
	--qname big.test. 2>&1)
check "AXFR of big.test: dnspython verifies every message's TSIG ($out)" \
	test "$out" = "axfr messages=${msgs%% *} records=6024"
out=$(q -y "$Y" many.big.test TXT +notcp +noedns +ignore)
check "a signed answer too big for UDP: TC, signed, verified" \
	bash -c 'grep -q "Flags: qr aa tc" <<<"$1" && grep -q "TSIG PSEUDOSECTION" <<<"$1" &&
		! grep -q WARNING <<<"$1"' _ "$out"
out=$(q -y "$Y" many.big.test TXT +tcp)
check "the same over TCP: every record, signed" \
	bash -c '[ "$(grep -c "^many.*IN	TXT" <<<"$1")" = 20 ] && ! grep -q WARNING <<<"$1"' _ "$out"
out=$(q -y "$Y" big.test IXFR=2024010100 +notcp)
check "IXFR over UDP, signed with the ACL's key: the SOA" \
	bash -c 'grep -q "big.test.*SOA.*2024010101" <<<"$1" && ! grep -q WARNING <<<"$1"' _ "$out"

# ---- refusals, as Knot 3.2 answers them
out=$(q -y "hmac-sha256:nokey:$SECRET" example.net SOA)
check "an unknown key name: BADKEY" has "$out" "status: BADKEY"
check "BADKEY: the TSIG has no MAC (unsigned)" has "$out" "TSIG	hmac-sha256. [0-9]* 300 0 "
out=$(q -y "hmac-sha256:xfr:$WRONG" example.net SOA)
check "a wrong secret: BADSIG" has "$out" "status: BADSIG"
out=$(q -y "hmac-sha512:xfr:$SECRET" example.net SOA)
check "the key's name with another algorithm: BADKEY" has "$out" "status: BADKEY"
out=$(q big.test AXFR)
check "an unsigned AXFR where the ACL needs a key: NOTAUTH" has "$out" "error 'NOTAUTH'"
out=$(q -y "hmac-sha256:other:$OTHER" big.test AXFR)
check "an AXFR signed with a key the ACL does not name: BADKEY" has "$out" "error 'BADKEY'"
out=$(q big.test IXFR=2024010100 +notcp)
check "an unsigned IXFR over UDP outside the ACL: NOTAUTH" has "$out" "error 'NOTAUTH'"
out=$(q -y "hmac-sha256:other:$OTHER" example.net SOA)
check "the other key still signs ordinary queries" signed_ok "$out"
out=$(q example.net SOA)
check "an unsigned query is answered as ever" has "$out" "status: NOERROR"

# ---- BADTIME: a request signed 1000 s off, answered signed with our clock in Other Data
for t in "" --tcp; do
	out=$($PY "$HERE/tsig_client.py" --port "$PORT" --key xfr --secret "$SECRET" \
		--offset -1000 $t 2>&1)
	check "BADTIME ${t:-udp}: NOTAUTH, signed, our time ($out)" \
		test "$out" = "rcode=9 error=18 mac=32 other-now=True"
	out=$($PY "$HERE/tsig_client.py" --port "$PORT" --key xfr --secret "$SECRET" \
		--offset 100 $t 2>&1)
	check "within the fudge ${t:-udp}: answered ($out)" test "$out" = "rcode=0 error=0 mac=32 other-now=none"
done

# ---- a Knot secondary with the key transfers big.test (it verifies every message) and serves it
KNOT_PORT=$(pick_port $(( (PORT - 20000 + 11) % 12000 + 20000 )) "$PORT") || die "no port for knotd"
mkdir -p "$TMP/knot/db"
cat >"$TMP/knot.conf" <<KNOT
server:
    rundir: "$TMP/knot"
    listen: 127.0.0.1@$KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot/db"
log:
  - target: "$TMP/knot.log"
    any: info
key:
  - id: xfr
    algorithm: hmac-sha256
    secret: $SECRET
remote:
  - id: sandns
    address: 127.0.0.1@$PORT
    key: xfr
template:
  - id: default
    storage: "$TMP/knot"
    zonefile-sync: -1
zone:
  - domain: big.test
    master: sandns
KNOT
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!
serial=
for _ in $(seq 1 300); do
	serial=$(kdig -p "$KNOT_PORT" @127.0.0.1 +retry=0 +time=1 +short big.test SOA 2>/dev/null |
		awk '{print $3}')
	[ -n "$serial" ] && break
	sleep 0.1
done
check "knotd transferred big.test from sandnsd with the key (serial '$serial')" \
	test "$serial" = 2024010101
n=$(kdig -p "$KNOT_PORT" @127.0.0.1 +retry=0 +time=5 h2999.big.test TXT +short 2>/dev/null)
check "knotd serves the transferred zone" has "$n" "record 2999 of"
check "knotd logged the transfer with its key" \
	bash -c "grep -q 'big.test.*AXFR, incoming.*key xfr' '$TMP/knot.log' ||
		grep -q \"big.test.*AXFR, incoming.*finished\" '$TMP/knot.log'"
check "knotd saw no TSIG failure" bash -c "! grep -qi -e 'bad signature' -e 'BADSIG' -e 'failed to verify' '$TMP/knot.log'"

# ---- the secret nowhere
st=$("$SANDNSCTL" --control "$SOCK" --json status 2>&1)
check "status --json answers" has "$st" "{"
check "the secret is not in status --json" hasnt "$st" "$SECRET"
st=$("$SANDNSCTL" --control "$SOCK" status 2>&1; "$SANDNSCTL" --control "$SOCK" stats 2>&1;
	"$SANDNSCTL" --control "$SOCK" --json stats 2>&1)
check "the secrets are not in status or stats" \
	bash -c '! grep -qF -e "$1" -e "$2" <<<"$3"' _ "$SECRET" "$OTHER" "$st"
stop_sandnsd
rc=$?
check "sandnsd stops with status 0 (got $rc; under ASan: no leak)" test "$rc" = 0
check "the secrets are not in the log" \
	bash -c '! grep -qF -e "$1" -e "$2" "$3"' _ "$SECRET" "$OTHER" "$LOG"
out=$("$SANDNSD" --key "k hmac-sha256 $SECRET" --help 2>&1)
check "sandnsd --help runs" has "$out" "usage"
check "the secret is not in --help" hasnt "$out" "$SECRET"
printf 'key "k" {\n\talgorithm hmac-md5;\n\tsecret "%s";\n};\n' "$SECRET" >"$TMP/bad.key"
out=$("$SANDNSD" --foreground --zone "example.net.=$SAMPLE/example.net.zone" \
	--key-file "$TMP/bad.key" 2>&1)
check "a bad key file is refused with file:line and reason" \
	has "$out" "bad.key:2: key k: unknown algorithm 'hmac-md5'"
check "the secret is not in that error" hasnt "$out" "$SECRET"
out=$("$SANDNSD" --foreground --zone "example.net.=$SAMPLE/example.net.zone" \
	--key "k hmac-sha256 ${SECRET}!" 2>&1)
check "a bad secret is refused" has "$out" "not valid base64"
check "the secret is not in that error" hasnt "$out" "$SECRET"

if [ $failed -ne 0 ]; then
	echo "--- sandnsd log"
	tail -n 30 "$LOG"
	[ -f "$TMP/knot.log" ] && { echo "--- knot log"; tail -n 30 "$TMP/knot.log"; }
fi
echo "tsig: $passed passed, $failed failed"
[ $failed -eq 0 ]
