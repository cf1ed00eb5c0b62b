#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# loadtools.sh: the load tools on a zone that is not the sample. sandnsd serves a small zone the
# test writes (corp.test.); then
#  1. sandns-loadgen --zone draws its queries from that zone's names: exit 0, every answer
#     counted by rcode (NOERROR and NXDOMAIN only, both seen), none lost or mixed;
#  2. sandns-loadgen asking a name the server does not serve: every answer REFUSED, so it must
#     exit 1 and say FAILED; pointed at a port nobody answers: exit 1 too;
#  3. sandns-bench --zone on the same file: the mix is the zone's own (mix=zone), the rcodes
#     counted, exit 0; on a zone file that does not parse: exit non-zero with FILE:LINE.
#
# Environment: SANDNSD, SANDNSCTL, SANDNS_LOADGEN, SANDNS_BENCH (default build/...), KEEP=1.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; every wait is bounded.
# Exit status: 0 all passed, 1 a check failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
LOADGEN=${SANDNS_LOADGEN:-$ROOT/build/bench/sandns-loadgen}
BENCH=${SANDNS_BENCH:-$ROOT/build/bench/sandns-bench}
SAMPLE=$ROOT/zones/sample

die() { echo "loadtools: $*" >&2; exit 1; }
for b in "$SANDNSD" "$LOADGEN" "$BENCH"; do
	[ -x "$b" ] || die "no $b (build first)"
done

TMP=$(mktemp -d /tmp/sandns-loadtools.XXXXXX)
PID=
PORT=
SOCK=
LOG=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "loadtools: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ZONE=$TMP/corp.test.zone
{
	echo '$ORIGIN corp.test.'
	echo '$TTL 300'
	echo '@ IN SOA ns1 hostmaster 2026120501 3600 600 86400 300'
	echo '@ IN NS ns1'
	echo '@ IN MX 10 mx1'
	echo 'ns1 IN A 192.0.2.53'
	echo 'mx1 IN A 192.0.2.25'
	echo 'mx1 IN AAAA 2001:db8::25'
	echo 'www IN CNAME mx1'
	echo '_sip._tcp IN SRV 0 0 5060 mx1'
	for i in $(seq 1 60); do echo "host$i IN A 198.51.100.$i"; done
	echo 'lab IN NS ns.lab'
	echo 'ns.lab IN A 192.0.2.54'
} >"$ZONE"

start_sandnsd corp --zone "corp.test.=$ZONE" || exit 1

# 1. the zone's own mix
out=$("$LOADGEN" --rate 2000 --duration 1 --drain 1 --zone "corp.test.=$ZONE" "127.0.0.1@$PORT" 2>&1)
rc=$?
echo "     $out"
check "loadgen --zone: exit 0" [ "$rc" = 0 ]
check "loadgen --zone: NOERROR and NXDOMAIN counted" \
	grep -Eq 'rcodes=NOERROR:[0-9]+,NXDOMAIN:[0-9]+$' <<<"$out"
check "loadgen --zone: nothing lost or mixed" grep -q 'lost=0 mixed=0 ' <<<"$out"
sent=$(sed -nE 's/.*sent=([0-9]+).*/\1/p' <<<"$out")
counted=$(sed -nE 's/.*rcodes=([^ ]*)$/\1/p' <<<"$out" | tr ',' '\n' | awk -F: '{s += $2} END {print s + 0}')
check "loadgen --zone: every answer counted ($counted of $sent)" [ "$counted" = "$sent" ]

# 2. errors fail loudly
out=$("$LOADGEN" --rate 1000 --duration 0.5 --drain 1 --name www.example.org. --type A \
	"127.0.0.1@$PORT" 2>&1)
rc=$?
echo "     $out"
check "loadgen, a name not served: exit 1" [ "$rc" = 1 ]
check "loadgen, a name not served: FAILED, REFUSED said" grep -q 'FAILED: .* most REFUSED' <<<"$out"
check "loadgen, a name not served: REFUSED counted" grep -Eq 'rcodes=REFUSED:[0-9]+' <<<"$out"
dead=$(pick_port $((PORT + 7)) "$PORT") || die "no free port"
out=$("$LOADGEN" --rate 1000 --duration 0.3 --drain 0.3 --name mx1.corp.test. --type A \
	"127.0.0.1@$dead" 2>&1)
rc=$?
said=0
grep -q 'FAILED: none of' <<<"$out" && said=1
check "loadgen, nobody at the port: exit 1 ($rc), said" [ "$rc:$said" = 1:1 ]

# 3. sandns-bench on the same zone
out=$("$BENCH" --zone "corp.test.=$ZONE" --seconds 0.3 --warmup 0.05 2>&1)
rc=$?
echo "$out" | sed 's/^/     /'
check "sandns-bench --zone: exit 0" [ "$rc" = 0 ]
check "sandns-bench --zone: the zone's own mix" grep -q 'mix=zone, zone=corp.test.' <<<"$out"
check "sandns-bench --zone: rcodes counted" grep -Eq '^mix +rcodes: NOERROR [0-9]+ NXDOMAIN [0-9]+ \(of 8192\)' <<<"$out"
printf '$ORIGIN corp.test.\n@ IN SOA ns1 h 1 2 3 4 5\nbad IN A 300.1.2.3\n' >"$TMP/bad.zone"
out=$("$BENCH" --zone "corp.test.=$TMP/bad.zone" --seconds 0.1 2>&1)
rc=$?
said=0
grep -q "bad.zone:3" <<<"$out" && said=1
[ "$said" = 1 ] || echo "     $out"
[ "$rc" = 0 ] && said=0
check "sandns-bench, a zone that does not parse: exit non-zero ($rc), file:line" [ "$said" = 1 ]

echo "loadtools: $passed passed, $failed failed"
[ "$failed" = 0 ]
