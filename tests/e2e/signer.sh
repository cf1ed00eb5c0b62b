#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# signer.sh: sandnsd as the DNSSEC signer of the sample zones, checked by validators nobody here
# wrote. Two runs: algorithm 13 (one CSK; example.com NSEC, example.net NSEC3) and algorithm 15
# (KSK+ZSK; example.com NSEC3, example.net NSEC with a KSK ldns-keygen made), the policy on (the sample
# certificate does not cover autodiscover.example.com). In each, unbound, validating with the
# zones' DNSKEYs as trust anchors and sandnsd as its only server, must find secure (AD) answers:
# positive, CNAME, wildcard, NXDOMAIN, NODATA, autodiscover.example.com A (the policy's NODATA)
# and the policy's _autodiscover._tcp SRV; ldns-verify-zone and kzonecheck accept each zone as
# AXFR gives it;
# zone-keys shows the DNSKEYs and the DS. Then: a reload with nothing changed keeps the serial
# (fresh signatures reused); a restart keeps the keys, the signed zone and its serial; a broken
# key file (or a FIFO in its place, never waited on) makes the reload fail naming the file while
# the last zone keeps serving; signatures due for renewal are renewed with no command; a
# presigned zone set to be signed is refused.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; waits are bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no kdig, unbound, delv, ldns-verify-zone or
# kzonecheck).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample

die() { echo "signer: $*" >&2; exit 1; }
skip() { echo "signer: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"
command -v ldns-verify-zone >/dev/null || skip "ldns-verify-zone not found (apt-get install ldnsutils)"
command -v kzonecheck >/dev/null || skip "kzonecheck not found (apt-get install knot-dnssecutils)"
UNBOUND=${UNBOUND:-$(PATH=$PATH:/usr/sbin:/sbin command -v unbound || true)}
[ -n "$UNBOUND" ] || skip "unbound not found (apt-get install unbound)"
DELV=${DELV:-$(command -v delv || true)}
[ -n "$DELV" ] || skip "delv not found (apt-get install bind9-dnsutils)"

TMP=$(mktemp -d /tmp/sandns-signer.XXXXXX)
PID=
UNBOUND_PID=
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

stop_unbound() {
	[ -n "$UNBOUND_PID" ] || return 0
	stop_pid "$UNBOUND_PID" 5 "signer: unbound"
	UNBOUND_PID=
	return 0
}

cleanup() {
	local rc=$?
	stop_unbound >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "signer: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ctl() { "$SANDNSCTL" --control "$SOCK" "$@"; }
q() { kdig @127.0.0.1 -p "$PORT" +time=2 +retry=1 "$@"; }
serial_of() { q "$1" SOA +short | awk '{print $3}'; }

# start NAME ARGS...: sandnsd serving example.com and example.net, signed as ARGS say, the
# policy on; state in $TMP/NAME.state (start_sandnsd's), AXFR allowed from loopback.
start() {
	local name=$1
	shift
	start_sandnsd "$name" --zone "example.com.=${ECOM:-$SAMPLE/example.com.zone}" \
		--cert "$SAMPLE/mail.example.com.pem" --allow-transfer 127.0.0.0/8 "$@"
}

# The questions validated: name type status answer-type ("-": none).
QUERIES=$(cat <<'EOF'
example.com. SOA NOERROR SOA
mail.example.com. A NOERROR A
www.example.com. A NOERROR CNAME
nx.example.com. A NXDOMAIN -
a.b.nx.example.com. TXT NXDOMAIN -
mail.example.com. TXT NOERROR -
autodiscover.example.com. A NOERROR -
autodiscover.example.com. AAAA NOERROR -
_autodiscover._tcp.example.com. SRV NOERROR SRV
example.net. MX NOERROR MX
host.example.net. A NOERROR A
host.example.net. TXT NOERROR -
x._dmarc.example.net. A NXDOMAIN -
_dmarc.example.net. A NOERROR -
EOF
)

# validate TAG: unbound with the served DNSKEYs as anchors; every answer secure (AD);
# then BIND's validator (delv) the same way.
validate() {
	local tag=$1 ub_port out line qn qt want ans n=0 nbad=0
	: >"$TMP/anchors"
	for z in example.com. example.net.; do
		q "$z" DNSKEY +noall +answer | awk '$4 == "DNSKEY"' >>"$TMP/anchors"
	done
	check "$tag: DNSKEYs served for both zones" test "$(grep -c DNSKEY "$TMP/anchors")" -ge 2
	ub_port=$(pick_port $(( (PORT - 20000 + 5) % 12000 + 20000 )) "$PORT") ||
		die "no free port for unbound"
	{
		echo "server:"
		echo "    interface: 127.0.0.1"
		echo "    port: $ub_port"
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
		for o in . example.com. example.net.; do
			echo "stub-zone:"
			echo "    name: \"$o\""
			echo "    stub-addr: 127.0.0.1@$PORT"
		done
	} >"$TMP/unbound-$tag.conf"
	"$UNBOUND" -d -c "$TMP/unbound-$tag.conf" >"$TMP/unbound-$tag.out" 2>&1 &
	UNBOUND_PID=$!
	for _ in $(seq 1 50); do
		kdig @127.0.0.1 -p "$ub_port" +time=1 +retry=0 example.com. SOA 2>/dev/null |
			grep -q 'status: NOERROR' && break
		kill -0 "$UNBOUND_PID" 2>/dev/null || die "unbound exited (see $TMP/unbound-$tag.out)"
		sleep 0.2
	done
	# name type status answer-type ("-": none)
	while read -r qn qt want ans; do
		n=$((n + 1))
		out=$(kdig @127.0.0.1 -p "$ub_port" +time=3 +retry=1 +dnssec "$qn" "$qt" 2>&1)
		if ! grep -q "status: $want" <<<"$out" || ! grep -q 'Flags: qr rd ra ad;' <<<"$out" ||
			{ [ "$ans" != - ] && ! grep -qP "\tIN\t$ans\t" <<<"$out"; } ||
			{ [ "$ans" = - ] && grep -q '^;; ANSWER SECTION' <<<"$out"; }; then
			bad "$tag: unbound: $qn $qt is not a secure $want ($ans):"
			grep -E 'status|Flags|IN' <<<"$out" | head -12 | sed 's/^/     /'
			nbad=$((nbad + 1))
		fi
	done <<<"$QUERIES"
	[ "$nbad" = 0 ] && ok "$tag: unbound validated all $n answers (AD set)"
	stop_unbound
	delv_validate "$tag"
}

# delv_validate TAG: BIND's validator (delv, asking sandnsd, the served DNSKEYs of $TMP/anchors
# as static trust anchors) finds every answer of QUERIES fully validated: the records expected,
# or the NXDOMAIN or NODATA proven; with the other zone's key as example.com's anchor, not.
delv_validate() {
	local tag=$1 qn qt want ans zone expect out n=0 nbad=0
	{
		echo "trust-anchors {"
		awk '{ k = ""; for (i = 8; i <= NF; i++) k = k $i
			printf "\t%s static-key %s %s %s \"%s\";\n", $1, $5, $6, $7, k }' "$TMP/anchors"
		echo "};"
	} >"$TMP/delv-$tag.anchors"
	while read -r qn qt want ans; do
		n=$((n + 1))
		zone=example.com.
		[[ $qn == *example.net. ]] && zone=example.net.
		out=$(timeout 10 "$DELV" @127.0.0.1 -p "$PORT" -a "$TMP/delv-$tag.anchors" +root="$zone" \
			"$qn" "$qt" 2>&1)
		case $want/$ans in
		NOERROR/-) expect='ncache nxrrset' ;;
		NXDOMAIN/-) expect='ncache nxdomain' ;;
		*) expect="[[:space:]]IN[[:space:]]+$ans[[:space:]]" ;;
		esac
		if ! grep -qE '^; (negative response, )?fully validated$' <<<"$out" ||
			! grep -qE "$expect" <<<"$out"; then
			bad "$tag: delv: $qn $qt is not a validated $want ($ans):"
			head -6 <<<"$out" | sed 's/^/     /'
			nbad=$((nbad + 1))
		fi
	done <<<"$QUERIES"
	[ "$nbad" = 0 ] && ok "$tag: delv (BIND's validator) validated all $n answers"
	# The check can fail: example.net.'s key as example.com.'s anchor breaks the chain.
	grep -v 'example.com. static-key' "$TMP/delv-$tag.anchors" |
		sed 's/^\texample.net. static-key/\texample.com. static-key/' >"$TMP/delv-$tag.wrong"
	out=$(timeout 10 "$DELV" @127.0.0.1 -p "$PORT" -a "$TMP/delv-$tag.wrong" +root=example.com. \
		example.com. SOA 2>&1)
	check "$tag: delv with another key as example.com.'s anchor does not validate" \
		bash -c "! grep -q 'fully validated' <<<'$out' && grep -q 'no valid signature\|broken trust chain' <<<'$out'"
}

# axfr_verified TAG: ldns-verify-zone and kzonecheck (Knot's semantic checks, DNSSEC's too)
# accept both zones as AXFR gives them.
axfr_verified() {
	local tag=$1 z
	for z in example.com. example.net.; do
		q "$z" AXFR +nocomments +nostats >"$TMP/$tag-$z.axfr"
		if out=$(ldns-verify-zone "$TMP/$tag-$z.axfr" 2>&1); then
			ok "$tag: ldns-verify-zone accepts the AXFR of $z"
		else
			bad "$tag: ldns-verify-zone rejects the AXFR of $z:"
			head -5 <<<"$out" | sed 's/^/     /'
		fi
		if out=$(kzonecheck -d on -o "$z" "$TMP/$tag-$z.axfr" 2>&1); then
			ok "$tag: kzonecheck -d on accepts the AXFR of $z"
		else
			bad "$tag: kzonecheck -d on rejects the AXFR of $z:"
			head -8 <<<"$out" | sed 's/^/     /'
		fi
	done
}

# ---- run 1: algorithm 13, one CSK each (the defaults); example.com from a copy it changes
ECOM=$TMP/example.com.zone
cp "$SAMPLE/example.com.zone" "$ECOM"
start alg13 --dnssec "example.com. nsec" --dnssec "example.net nsec3" || exit 1
check "alg13: example.com's keys made (one CSK, 0600 .private)" \
	test "$(stat -c %a "$TMP"/alg13.state/keys/Kexample.com.+013+*.private)" = 600
check "alg13: example.com answers NSEC" has "$(q nx.example.com. A +dnssec)" 'IN.NSEC.'
check "alg13: example.net answers NSEC3" has "$(q x._dmarc.example.net. A +dnssec)" 'IN.NSEC3.'
check "alg13: NSEC3 of RFC 9276: SHA-1, no flag, 0 iterations, no salt" has \
	"$(q x._dmarc.example.net. A +dnssec)" 'IN.NSEC3.1 0 0 - '
check "alg13: NSEC3PARAM 1 0 0 -" has "$(q example.net. NSEC3PARAM +short)" '^1 0 0 -$'
keys=$(ctl zone-keys example.com.)
check "alg13: zone-keys shows a CSK's DNSKEY and its DS" has "$keys" \
	'IN DS [0-9]* 13 2 [0-9a-f]\{64\}$'
check "alg13: zone-keys --json" has "$(ctl --json zone-keys example.net)" '"denial":"nsec3"'
check "alg13: zone-keys of an unsigned zone is an error" \
	has "$(ctl zone-keys example.org. 2>&1)" 'no zone example.org'
validate alg13
axfr_verified alg13
s1=$(serial_of example.com.)
ctl reload >/dev/null
check "alg13: a reload with nothing changed keeps the serial (signatures reused)" \
	test "$(serial_of example.com.)" = "$s1"
tag1=$(grep -o 'DNSKEY 257 3 13 [^ ]*' <<<"$keys")
check "sandnsd stops cleanly (status 0; under ASan: nothing leaked)" stop_sandnsd

start alg13 --dnssec "example.com. nsec" --dnssec "example.net nsec3" || exit 1
check "alg13: after a restart the same key" has "$(ctl zone-keys example.com.)" "$tag1"
s2=$(serial_of example.com.)
# The signed zone kept in the state directory (nothing changed): served again as it was.
check "alg13: after a restart the same serial ($s1; the signed zone kept)" test "$s2" = "$s1"
# A broken key file: the reload fails naming it, the last snapshot keeps serving.
priv=$(ls "$TMP"/alg13.state/keys/Kexample.com.+013+*.private)
cp "$priv" "$TMP/priv.saved"
echo "Private-key-format: v1.2" >"$priv"
out=$(ctl reload 2>&1)
check "alg13: a broken .private makes the reload fail, naming the file" has "$out" \
	"$(basename "$priv")"
check "alg13: ... and the last snapshot still serves, signed" has \
	"$(q example.com. SOA +dnssec)" "RRSIG.SOA 13 2 3600"
check "alg13: ... with its serial" test "$(serial_of example.com.)" = "$s2"
out=$("$SANDNSD" --check-config --state-dir "$TMP/alg13.state" \
	--zone "example.com.=$SAMPLE/example.com.zone" --dnssec "example.com. nsec" 2>&1)
check "alg13: --check-config names the broken key file too" has "$out" "$(basename "$priv")"
# A FIFO in its place: refused at once, never waited on (neither the reload thread, nor the
# control thread for zone-keys); the answers go on. Bounded: without that, our writer's open
# below lets a thread that waited go.
rm -f "$priv"
mkfifo "$priv"
out=$(timeout 10 "$SANDNSCTL" --control "$SOCK" reload 2>&1)
check "alg13: a FIFO for the .private makes the reload fail at once, naming it" has "$out" \
	"$(basename "$priv"): not a regular file (a fifo)"
out=$(timeout 10 "$SANDNSCTL" --control "$SOCK" zone-keys example.com. 2>&1)
check "alg13: ... zone-keys too" has "$out" "$(basename "$priv"): not a regular file (a fifo)"
timeout 2 sh -c ': >"$1"' sh "$priv" 2>/dev/null
check "alg13: ... the control socket still answers" \
	has "$(timeout 10 "$SANDNSCTL" --control "$SOCK" status 2>&1)" '^sandnsd '
check "alg13: ... and the last snapshot still serves, with its serial" \
	test "$(serial_of example.com.)" = "$s2"
rm -f "$priv"
cp "$TMP/priv.saved" "$priv"
pub=${priv%.private}.key
cp "$pub" "$TMP/pub.saved"
other=$(grep -o 'DNSKEY 257 3 13 [^ ]*' "$TMP"/alg13.state/keys/Kexample.net.+013+*.key | awk '{print $5}')
sed -i "s|\(DNSKEY 257 3 13 \).*|\1$other|" "$pub"
check "alg13: a .key that is not the .private's half is refused, naming it" \
	has "$(ctl reload 2>&1)" "$(basename "$pub").*mismatched"
cp "$TMP/pub.saved" "$pub"
check "alg13: the key files mended, the reload goes through" ctl reload
# A change: only what changed is signed anew, the rest keeps its signatures; all verify.
sed -i 's/2024060101 ; serial/2024060201 ; serial/' "$ECOM"
echo 'new IN A 198.18.0.77' >>"$ECOM"
ctl reload example.com. >/dev/null
check "alg13: after a change, the unchanged RRsets' signatures kept" \
	grep -q 'example.com.: signed (NSEC, algorithm 13, 1 key, [1-9][0-9]* signatures kept), serial 2024060202' "$LOG"
check "alg13: ... the new record served signed" has "$(q new.example.com. A +dnssec)" 'RRSIG.A 13 3'
axfr_verified alg13-changed
# The zone's key files gone: a new CSK signs it, and the log warns that the parent's DS no
# longer matches.
rm -f "$TMP"/alg13.state/keys/Kexample.com.+013+*
ctl reload >/dev/null
check "alg13: keys deleted: a new key signs the zone" hasnt "$(ctl zone-keys example.com.)" "$tag1"
check "alg13: ... and the log warns that the parent's DS is now wrong" \
	grep -q 'zone example.com.: signed before, but no key-signing key .* until the parent.s DS is the new key.s' "$LOG"
check "sandnsd stops cleanly (status 0; under ASan: nothing leaked)" stop_sandnsd
# The same while sandnsd was down: the signed zone kept is dropped (other keys), yet serial-state
# says the zone was signed, and the start warns as the reload did.
rm -f "$TMP"/alg13.state/keys/Kexample.com.+013+*
start alg13 --dnssec "example.com. nsec" --dnssec "example.net nsec3" || exit 1
check "alg13: keys deleted while down: the start warns that the parent's DS is now wrong" \
	grep -q 'zone example.com.: signed before, but no key-signing key' "$LOG"
check "sandnsd stops cleanly (status 0; under ASan: nothing leaked)" stop_sandnsd

ECOM=
# ---- run 2: algorithm 15, KSK+ZSK; signatures of 40 s renewed 34 s before they expire
# example.net's KSK made by ldns-keygen beforehand (keys move between signers), in a key
# directory of its own.
mkdir -m 700 "$TMP/keys15"
ldnstag=$(cd "$TMP/keys15" && ldns-keygen -a ED25519 -k example.net.) ||
	die "ldns-keygen failed"
pol="algorithm ed25519 single-type-signing no rrsig-lifetime 40s rrsig-refresh 34s"
start alg15 --dnssec-policy "ed3 $pol nsec3 yes" --dnssec-policy "ed $pol" \
	--dnssec-signing "example.com. policy ed3" --dnssec-signing "example.net. policy ed" \
	--dnssec-key-dir "$TMP/keys15" || exit 1
check "alg15: example.net signs with the KSK ldns-keygen made ($ldnstag)" has \
	"$(ctl zone-keys example.net.)" "^key $((10#${ldnstag##*+})): key-signing"
keys=$(ctl zone-keys example.com.)
check "alg15: a KSK and a ZSK" test "$(grep -c 'DNSKEY 25[67] 3 15' <<<"$keys")" = 2
check "alg15: example.com answers NSEC3" has "$(q nx.example.com. A +dnssec)" 'IN.NSEC3.'
check "alg15: example.net answers NSEC" has "$(q x._dmarc.example.net. A +dnssec)" 'IN.NSEC.'
check "alg15: ... not NSEC3" hasnt "$(q x._dmarc.example.net. A +dnssec)" 'IN.NSEC3.'
s1=$(serial_of example.com.)
validate alg15
axfr_verified alg15
# Due 6 s after signing: renewed (a new serial) without any command.
for _ in $(seq 1 40); do
	[ "$(serial_of example.com.)" != "$s1" ] && break
	sleep 0.5
done
check "alg15: signatures renewed by themselves (serial $s1 -> $(serial_of example.com.))" \
	test "$(serial_of example.com.)" -gt "$s1"
# The reload's reply (logged) comes after its snapshot is published: wait for the line too.
for _ in $(seq 1 20); do
	grep -q 'example.com.: signatures renewed' "$LOG" && break
	sleep 0.5
done
check "alg15: ... said in the log" grep -q 'example.com.: signatures renewed' "$LOG"
# Said as a reload asked for says it: patched (how many names) or compiled whole.
check "alg15: ... with how it was made (patched N names, or full compile)" \
	grep -Eq 'example.com.: signatures renewed, (patched [0-9]+ names|full compile)$' "$LOG"
axfr_verified alg15-renewed
check "sandnsd stops cleanly (status 0; under ASan: nothing leaked)" stop_sandnsd

# ---- a zone both presigned and set to be signed: refused at start, naming the zone
q2=$(mktemp "$TMP/presigned.XXXX")
{
	cat "$SAMPLE/example.com.zone"
	grep DNSKEY "$TMP/alg13.state/keys/"Kexample.com.+013+*.key
} >"$q2"
new_port
"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --state-dir "$TMP/pre.state" \
	--zone "example.com.=$q2" --dnssec "example.com. nsec" >"$TMP/pre.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
stop_sandnsd
prc=$?
check "a presigned zone set to be signed: sandnsd exits with status 2 ($prc)" test "$prc" = 2
check "a presigned zone set to be signed is refused, naming the zone, its file and line" \
	grep -q "zone example.com.: $q2 line [0-9]* holds a DNSSEC record (DNSKEY): the zone is presigned" "$TMP/pre.log"
check "... and no key made for it" bash -c "! ls '$TMP/pre.state/keys/'K* >/dev/null 2>&1"

echo "signer: $passed passed, $failed failed"
[ "$failed" = 0 ]
