#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# zone_check.sh: sandnsd --check-zone ORIGIN=FILE [--cert FILE]... (as knotc zone-check and
# nsd-checkzone): no socket, no privilege (run as user nobody when this runs as root):
#  1. a zone file with errors of every kind, one in its $INCLUDE: each listed as FILE:LINE:
#     reason, in that order for the syntax, then the zone rules; the count; exit status 2;
#  2. the sample zones: no error, exit 0; a zone of 1500 bad records: 1000 listed, then "stopped
#     after 1000 errors";
#  3. with --cert (the sample certificate): the autodiscover policy's verdict for the zone, as
#     `sandnsctl policy show` prints it (example.com: SRV synthesized to mail.example.com.,
#     example.net: kept with an alert); none for a zone with errors;
#  4. sandnsd serves nothing meanwhile: no socket is opened (strace, when installed).
#
# Environment: SANDNSD (default build/control/sandnsd), KEEP=1 keeps the temporary dir.
# Exit status: 0 all passed, 1 a check failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SAMPLE=$ROOT/zones/sample

die() { echo "zone_check: $*" >&2; exit 1; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
SANDNSD=$(cd "$(dirname "$SANDNSD")" && pwd)/$(basename "$SANDNSD")

passed=0
failed=0
PID=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

TMP=$(mktemp -d /tmp/sandns-zcheck.XXXXXX)
chmod 755 "$TMP"
cleanup() {
	local rc=$?
	if [ "${KEEP:-0}" = 1 ]; then echo "zone_check: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# As nobody when we are root: the check needs no privilege.
AS=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	AS=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
fi
# zcheck ARGS...: sandnsd --check-zone ARGS from $TMP; OUT its output, RC its exit status
zcheck() {
	OUT=$(cd "$TMP" && "${AS[@]}" "$SANDNSD" --check-zone "$@" 2>&1)
	RC=$?
}
# line N: line N of OUT
line() { sed -n "${1}p" <<<"$OUT"; }

# ---------------------------------------------------------------- 1. every error, file:line
cat >"$TMP/bad.zone" <<'EOF'
$ORIGIN example.org.
$TTL 3600
@       IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@       IN NS  ns1
ns1     IN A   192.0.2.1
www 1x2y IN A  192.0.2.2
mail    IN A   192.0.2.300
alias   IN CNAME www
alias   IN A   192.0.2.4
other.example.com. IN A 192.0.2.5
$INCLUDE inc.zone
txt     IN TXT "fine"
mx      IN MX  10
EOF
cat >"$TMP/inc.zone" <<'EOF'
; included
good    IN A    192.0.2.9
broken  IN AAAA 192.0.2.10
EOF
chmod 644 "$TMP/bad.zone" "$TMP/inc.zone"
zcheck example.org=bad.zone
check "errors: exit status 2" test "$RC" = 2
check "bad TTL, its line" test "$(line 1)" = "bad.zone:6: bad TTL '1x2y' (a number of seconds up to 4294967295, or with units: 1h30m)"
check "bad rdata (an A of 192.0.2.300), its line" has "$(line 2)" "^bad.zone:7: .*rdata"
check "the \$INCLUDE's error, in the included file, its line" has "$(line 3)" "^inc.zone:3: .*rdata"
check "bad rdata after the \$INCLUDE (MX without its name), its line" has "$(line 4)" "^bad.zone:13: Syntax error"
check "out-of-zone record, its line" test "$(line 5)" = "bad.zone:10: other.example.com. is out of zone example.org."
check "CNAME beside other data, its line" test "$(line 6)" = "bad.zone:9: CNAME beside other data at alias.example.org. (RFC 1034 3.6.2)"
check "the count" test "$(line 7)" = "bad.zone: zone example.org: 6 errors, 0 warnings"
check "nothing else" test "$(wc -l <<<"$OUT")" = 7

# A missing SOA, a missing $INCLUDE and an unknown type, each said.
printf '%s\n' '$ORIGIN example.org.' 'www IN A 192.0.2.1' '$INCLUDE missing.zone' \
	'x IN FROB 1' >"$TMP/nosoa.zone"
chmod 644 "$TMP/nosoa.zone"
zcheck example.org=nosoa.zone
check "no SOA: exit status 2" test "$RC" = 2
check "a missing \$INCLUDE, its line" has "$OUT" "^nosoa.zone:3: \$INCLUDE missing.zone: No such file or directory$"
check "an unknown type, its line" has "$OUT" "^nosoa.zone:4: "
check "no SOA" has "$OUT" "^nosoa.zone: no SOA record at the zone apex example.org.$"
check "no apex NS" has "$OUT" "^nosoa.zone: no NS record at the zone apex example.org.$"
zcheck example.org=nothere.zone
check "a missing zone file: said, exit status 2" \
	test "$RC:$OUT" = "2:nothere.zone: No such file or directory
nothere.zone: zone example.org: 1 error, 0 warnings"

# ---------------------------------------------------------------- 2. good zones; the bound
zcheck "example.com=$SAMPLE/example.com.zone"
check "the sample example.com: exit status 0" test "$RC" = 0
check "the sample example.com: no error" has "$OUT" "zone example.com: 0 errors, 0 warnings$"
zcheck "example.net=$SAMPLE/example.net.zone"
check "the sample example.net: exit status 0" test "$RC:$(wc -l <<<"$OUT")" = 0:1
{
	printf '%s\n' '$ORIGIN many.test.' '@ IN SOA ns hm 1 2 3 4 5' '@ IN NS ns' 'ns IN A 192.0.2.1'
	for i in $(seq 1 1500); do echo "h$i IN A 192.0.2.$i.5"; done
} >"$TMP/many.zone"
chmod 644 "$TMP/many.zone"
zcheck many.test=many.zone
check "1500 errors: exit status 2" test "$RC" = 2
check "1500 errors: 1000 listed" test "$(grep -c '^many.zone:[0-9]*: ' <<<"$OUT")" = 1000
check "1500 errors: the last listed is line 1004" has "$OUT" "^many.zone:1004: "
check "1500 errors: stopped, and said so" has "$OUT" "^many.zone: stopped after 1000 errors; there may be more$"

# ---------------------------------------------------------------- 3. the policy's verdict
cp "$SAMPLE/mail.example.com.pem" "$TMP/cert.pem"
chmod 644 "$TMP/cert.pem"
zcheck "example.com=$SAMPLE/example.com.zone" --cert cert.pem
check "--cert: exit status 0" test "$RC" = 0
check "--cert: the policy is on" has "$OUT" "^policy: on, 1 certificate$"
check "--cert: the certificate" has "$OUT" "^certificate $TMP/cert.pem: SANs mail.example.com owa.example.com example.com$"
check "--cert example.com: the SRV to mail.example.com., applied" \
	has "$OUT" "^  autodiscover.example.com. A: synthesize-srv -> mail.example.com. (applied)$"
check "--cert example.com: the reason" has "$OUT" "why: autodiscover.example.com. A (198.18.0.25) not covered by any certificate"
check "--cert example.com: the serial raised" has "$OUT" "^domain example.com. serial 2024060102 (file 2024060101"
check "--cert example.com: what the zone data becomes" \
	has "$OUT" "^    add _autodiscover._tcp.example.com. SRV 3600 0 0 443 mail.example.com.$"
zcheck "example.net=$SAMPLE/example.net.zone" --cert cert.pem
check "--cert example.net: kept, with an alert" \
	has "$OUT" "^  autodiscover.example.net. A: keep-alert (ALERT, not applied)$"
check "--cert example.net: the wildcard said" has "$OUT" "exists only through the wildcard"
zcheck example.org=bad.zone --cert cert.pem
check "--cert on a zone with errors: no verdict, exit status 2" \
	test "$RC:$(tail -n 1 <<<"$OUT")" = "2:policy: no verdict: the zone does not load"
zcheck "example.com=$SAMPLE/example.com.zone" --cert missing.pem
check "--cert of a missing file: said, exit status 2" \
	test "$RC:$(grep -c 'missing.pem' <<<"$OUT")" = 2:1

# ---------------------------------------------------------------- 4. serves nothing
if command -v strace >/dev/null; then
	OUT=$(cd "$TMP" && strace -f -qq -e trace=execve,socket,bind -o "$TMP/strace.txt" \
		"$SANDNSD" --check-zone "example.com=$SAMPLE/example.com.zone" --cert cert.pem 2>&1)
	# execve: the trace worked (an empty one would prove nothing)
	check "no socket opened (strace)" \
		test "$(grep -c '^[0-9]* *execve(' "$TMP/strace.txt"):$(grep -c 'socket(\|bind(' "$TMP/strace.txt")" = 1:0
else
	echo "zone_check: no strace: the no-socket check skipped"
fi

echo "zone_check: $passed passed, $failed failed"
[ "$failed" = 0 ]
