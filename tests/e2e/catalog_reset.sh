#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# catalog_reset.sh: a catalog member whose unique label changes is reset (RFC 9432 5.5: removed
# with all its state, then added as a new member). A Knot primary serves a catalog written by
# hand (an ordinary zone to Knot) listing r1.test. and r2.test.; sandnsd consumes it. The primary
# then starts r1.test. again at a lower serial with other data: sandnsd's SOA checks find its copy
# "newer" and keep it. The catalog then lists r1.test. under another label: sandnsd drops its copy
# and transfers the primary's zone afresh, while r2.test., its label unchanged, is left alone.
# Then a member moves between catalogs (RFC 9432 5.6): cat2.test. lists r2.test. too (left out:
# it is cat.test.'s), then cat.test. drops it: cat2.test. is read again and takes it, though its
# serial did not change. r1.test.'s primary going back to an older serial is logged each time it
# does, a transfer in between. Last, cat.test. hands r1.test. over to cat2.test. by a coo property
# (RFC 9432 4.4.1) under the same label: cat2.test. takes it with its copy, no transfer.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, KNOTC, KEEP=1 keeps the
# temporary directory. Talks only to 127.0.0.1; ends only the processes it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}

die() { echo "catalog_reset: $*" >&2; exit 1; }
skip() { echo "catalog_reset: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-catreset.XXXXXX)
KNOT_PID=
PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=knot_primary.sh
. "$HERE/knot_primary.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "catalog_reset: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "catalog_reset: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=$(pick_port $(( 20000 + ($$ * 11) % 12000 ))) || die "no free port for knotd"
PORT=$(pick_port $(( (KPORT - 20000 + 23) % 12000 + 20000 )) "$KPORT") || die "no free port"
mkdir -p "$TMP/knot" "$TMP/zones"

zone_file() { # zone_file ORIGIN SERIAL ADDRESS: refresh and retry 2 s, so sandnsd asks often
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
catalog() { # catalog CATALOG SERIAL [LABEL MEMBER]...
	local c=$1 serial=$2
	shift 2
	{
		printf '$ORIGIN %s\n$TTL 0\n' "$c"
		printf '@ IN SOA invalid. invalid. %s 2 2 86400 0\n@ IN NS invalid.\n' "$serial"
		printf 'version IN TXT "2"\n'
		while [ $# -ge 2 ]; do
			printf '%s.zones IN PTR %s\n' "$1" "$2"
			shift 2
		done
	} >"$TMP/zones/${c}zone.new"
	mv "$TMP/zones/${c}zone.new" "$TMP/zones/${c}zone"
}
zone_file r1.test. 10 192.0.2.10
zone_file r2.test. 20 192.0.2.20
catalog cat.test. 1 first1 r1.test. keep2 r2.test.
catalog cat2.test. 1

knot_conf cat.test. cat2.test. r1.test. r2.test.
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!

serial_of() { kq "$1" +short "$2" SOA | awk '{print $3}'; }
check "Knot serves r1.test. (serial 10)" at "$KPORT" r1.test. 192.0.2.10 10

SOCK=$TMP/sandnsd.sock
LOG=$TMP/sandnsd.log
"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
	--state-dir "$TMP/state" --zone "cat.test.=$TMP/cat.test.zone" \
	--primary "cat.test. 127.0.0.1@$KPORT" --catalog "cat.test. consumer" \
	--zone "cat2.test.=$TMP/cat2.test.zone" --primary "cat2.test. 127.0.0.1@$KPORT" \
	--catalog "cat2.test. consumer" \
	--allow-notify 127.0.0.1 >"$LOG" 2>&1 &
PID=$!
wait_serving "$LOG" "$PID" || die "sandnsd did not start; its log: $(cat "$LOG")"
check "sandnsd serves the member r1.test. within 10 s" at "$PORT" r1.test. 192.0.2.10 10
check "... and r2.test." at "$PORT" r2.test. 192.0.2.20 10
r2_axfrs() { grep -c "zone r2.test.: AXFR from" "$LOG"; }
check "r2.test. transferred once" [ "$(r2_axfrs)" = 1 ]

# ---- the primary starts r1.test. again, at a lower serial: sandnsd's copy looks newer
zone_file r1.test. 1 192.0.2.99
knotc zone-reload r1.test. >/dev/null
check "Knot serves the new r1.test. (serial 1)" at "$KPORT" r1.test. 192.0.2.99 10
sleep 5 # past two of r1.test.'s refreshes: their SOA checks say "up to date"
check "sandnsd still serves its copy at serial 10, as RFC 1982 has it" \
	[ "$(serial_of "$PORT" r1.test.)" = 10 ]
check "... and logs the primary's older serial once" [ "$(grep -c "zone r1.test.: 127.0.0.1@$KPORT has serial 1, older than ours (10)" "$LOG")" = 1 ]

# ---- the producer resets r1.test.: another unique label
catalog cat.test. 2 second1 r1.test. keep2 r2.test.
knotc zone-reload cat.test. >/dev/null
check "after the label change sandnsd serves the primary's r1.test. within 10 s" \
	at "$PORT" r1.test. 192.0.2.99 10
check "... at serial 1" [ "$(serial_of "$PORT" r1.test.)" = 1 ]
check "the log says r1.test.'s label changed" \
	grep -q "catalog cat.test.: member r1.test.: its unique label changed (first1, now second1)" "$LOG"
check "r1.test. was transferred whole again" \
	grep -q "zone r1.test.: AXFR from 127.0.0.1@$KPORT: serial 1," "$LOG"
check "its copy holds the new data (written within 5 s)" \
	until_ok 5 grep -q 192.0.2.99 "$TMP/state/catalog/r1.test.zone"
check "r2.test. (same label) is still served" at "$PORT" r2.test. 192.0.2.20 1
check "... and was not transferred again" [ "$(r2_axfrs)" = 1 ]

# ---- r2.test. moves from cat.test. to cat2.test.
ctl() { timeout 20 "$SANDNSCTL" --control "$SOCK" "$@"; }
catalog cat2.test. 2 other2 r2.test.
knotc zone-reload cat2.test. >/dev/null
left_out() {
	for _ in $(seq 1 100); do
		grep -q "catalog cat2.test.: member r2.test. is left out: it is configured already (catalog cat.test.)" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}
check "cat2.test. listing r2.test. too is left out (it is cat.test.'s)" left_out
check "... r2.test. stays cat.test.'s" has "$(ctl zone-status r2.test.)" "member of catalog cat.test."
catalog cat.test. 3 second1 r1.test.
knotc zone-reload cat.test. >/dev/null
member_of() { # member_of CATALOG ZONE: within 10 s, zone-status says so
	for _ in $(seq 1 100); do
		grep -q "member of catalog $1" <<<"$(ctl zone-status "$2")" && return 0
		sleep 0.1
	done
	ctl zone-status "$2"
	return 1
}
check "cat.test. drops r2.test.: cat2.test. takes it within 10 s (its serial unchanged)" \
	member_of cat2.test. r2.test.
check "... and serves it" at "$PORT" r2.test. 192.0.2.20 10
check "r1.test. is still served" at "$PORT" r1.test. 192.0.2.99 1

# ---- r1.test.'s primary goes back, forward, then back to the same serial: logged each time back
older_than() { # older_than OURS: the line for r1.test.'s primary at serial 0, within 10 s
	for _ in $(seq 1 100); do
		grep -q "zone r1.test.: 127.0.0.1@$KPORT has serial 0, older than ours ($1)" "$LOG" &&
			return 0
		sleep 0.1
	done
	return 1
}
zone_file r1.test. 0 192.0.2.98
knotc zone-reload r1.test. >/dev/null
check "the primary back at serial 0 is logged as older than ours (1)" older_than 1
zone_file r1.test. 30 192.0.2.97
knotc zone-reload r1.test. >/dev/null
check "the primary at serial 30 is transferred within 10 s" at "$PORT" r1.test. 192.0.2.97 10
zone_file r1.test. 0 192.0.2.96
knotc zone-reload r1.test. >/dev/null
check "back at serial 0 again: logged as older than ours (30)" older_than 30

# ---- cat.test. hands r1.test. over to cat2.test. by a coo property (RFC 9432 4.4.1), the same label
r1_axfrs() { grep -c "zone r1.test.: AXFR from" "$LOG"; }
axfrs_before=$(r1_axfrs)
catalog cat2.test. 3 other2 r2.test. second1 r1.test.
knotc zone-reload cat2.test. >/dev/null
catalog cat.test. 4 second1 r1.test.
echo "coo.second1.zones IN PTR cat2.test." >>"$TMP/zones/cat.test.zone"
knotc zone-reload cat.test. >/dev/null
check "cat2.test. takes r1.test. within 10 s" member_of cat2.test. r1.test.
check "... logged as taken over, its copy kept" grep -q \
	"catalog cat2.test.: member r1.test. taken over from catalog cat.test., whose coo property hands it over: its copy and state kept" "$LOG"
check "... still served, not transferred again" bash -c \
	"[ \"\$(grep -c 'zone r1.test.: AXFR from' '$LOG')\" = '$axfrs_before' ]"
check "... its copy still there" test -s "$TMP/state/catalog/r1.test.zone"
check "r1.test. answers as before" at "$PORT" r1.test. 192.0.2.97 2

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

echo "catalog_reset: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
