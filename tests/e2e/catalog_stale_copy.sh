#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# catalog_stale_copy.sh: a catalog member reset (its unique label changed, RFC 9432 5.5) while
# the writer thread holds a version of it not yet written leaves no copy behind: the writer puts
# a copy in place only while its zone is still the one configured. Otherwise the stale version
# lands after the member's copy was removed, and with the member's primary not answering for it
# (a producer starting it again elsewhere, say), a restart serves that stale version. A Knot
# primary serves a catalog written by hand; SANDNS_TEST_XFRIN_WRITE_DELAY_MS holds each write.
#
# Environment: SANDNSD (default build/control/sandnsd), KNOTD, KNOTC, KPORT and PORT (else picked),
# KEEP=1 keeps the temporary directory. Talks only to 127.0.0.1; ends only the processes it
# started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}

die() { echo "catalog_stale_copy: $*" >&2; exit 1; }
skip() { echo "catalog_stale_copy: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-catstale.XXXXXX)
KNOT_PID=
PID=
STOP_SECS=${STOP_SECS:-15}
DELAY_MS=4000 # each write held so long: the reset comes while r1.test.'s is held

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=knot_primary.sh
. "$HERE/knot_primary.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "catalog_stale_copy: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "catalog_stale_copy: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=${KPORT:-$(pick_port $(( 20000 + ($$ * 13) % 12000 )))} || die "no free port for knotd"
PORT=${PORT:-$(pick_port $(( (KPORT - 20000 + 29) % 12000 + 20000 )) "$KPORT")} ||
	die "no free port"
mkdir -p "$TMP/knot" "$TMP/zones"

zone_file() { # zone_file ORIGIN SERIAL ADDRESS
	cat >"$TMP/zones/$1zone.new" <<ZONE
\$ORIGIN $1
\$TTL 300
@	IN SOA ns1.$1 hostmaster.$1 $2 2 2 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A $3
ZONE
	mv "$TMP/zones/$1zone.new" "$TMP/zones/$1zone"
}
catalog() { # catalog SERIAL LABEL: cat.test. lists r1.test. under LABEL
	cat >"$TMP/zones/cat.test.zone.new" <<ZONE
\$ORIGIN cat.test.
\$TTL 0
@ IN SOA invalid. invalid. $1 2 2 86400 0
@ IN NS invalid.
version IN TXT "2"
$2.zones IN PTR r1.test.
ZONE
	mv "$TMP/zones/cat.test.zone.new" "$TMP/zones/cat.test.zone"
}
zone_file r1.test. 10 192.0.2.10
catalog 1 first1
knot_conf cat.test. r1.test.
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!

rcode_of() { kq "$PORT" r1.test. SOA | grep -o 'status: [A-Z]*' | head -n 1; }
# logged PATTERN SECONDS: sandnsd's log has PATTERN within SECONDS
logged() {
	for _ in $(seq 1 $(($2 * 10))); do
		grep -q -- "$1" "$LOG" && return 0
		sleep 0.1
	done
	echo "     no '$1' in the log"
	return 1
}
check "Knot serves r1.test. (serial 10)" at "$KPORT" r1.test. 192.0.2.10 10

LOG=$TMP/sandnsd.log
COPY=$TMP/state/catalog/r1.test.zone
start() {
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
		--state-dir "$TMP/state" --zone "cat.test.=$TMP/cat.test.zone" \
		--primary "cat.test. 127.0.0.1@$KPORT" --catalog "cat.test. consumer" \
		--allow-notify 127.0.0.1 >>"$LOG" 2>&1 &
	PID=$!
	wait_serving "$LOG" "$PID" || die "sandnsd did not start; its log: $(cat "$LOG")"
}
SANDNS_TEST_XFRIN_WRITE_DELAY_MS=$DELAY_MS start
check "sandnsd serves the member r1.test. within 10 s" at "$PORT" r1.test. 192.0.2.10 10
check "... and writes its copy" logged "zone r1.test.: copy written, serial 10" 20

# ---- a new version, served; the writer holds it DELAY_MS before writing
zone_file r1.test. 11 192.0.2.11
knotc zone-reload r1.test. >/dev/null
check "sandnsd serves r1.test. at serial 11" at "$PORT" r1.test. 192.0.2.11 3
# ---- meanwhile the producer resets r1.test. (another label), its primary no longer has it
knot_conf cat.test.
knotc reload >/dev/null
catalog 2 second1
knotc zone-reload cat.test. >/dev/null
check "the reset is applied" logged "member r1.test.: its unique label changed (first1, now second1)" 3
check "... before the version held was written" \
	[ "$(grep -c "zone r1.test.: copy written, serial 11" "$LOG")" = 0 ]
sleep $((DELAY_MS / 1000 + 2)) # past the held write
check "no copy of r1.test. is left (the held version not put back)" [ ! -e "$COPY" ]
check "r1.test. answers SERVFAIL (nothing transferred since the reset)" \
	[ "$(rcode_of)" = "status: SERVFAIL" ]

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
echo "--- restart" >>"$LOG"
start
sleep 1
check "after a restart r1.test. still answers SERVFAIL, not the stale serial 11" \
	[ "$(rcode_of)" = "status: SERVFAIL" ]

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

echo "catalog_stale_copy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
