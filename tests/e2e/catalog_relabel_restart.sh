#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# catalog_relabel_restart.sh: a catalog member whose unique label changed while sandnsd was not
# running is reset at its start (RFC 9432 5.5), its copy dropped and the primary's zone
# transferred whole, even at a lower serial. A Knot primary serves a catalog written by hand
# listing r1.test. and r2.test.; sandnsd consumes it. sandnsd is stopped, the primary starts
# r1.test. again at a lower serial with other data and lists it under another label; then
# sandnsd starts again:
#  1. from the catalog's copy (the old version): the member is added under its old label, and
#     the catalog's transfer then resets it;
#  2. without the catalog's copy (lost, or a new path for it), i.e. the first version sandnsd
#     reads is the new one, as after a label change read whose apply failed: the member's copy
#     was made under another label than the catalog now gives, which only the label kept
#     beside the copy tells.
# r2.test., its label unchanged, keeps its copy across both restarts; then, its label file
# removed (a copy made by an older sandnsd), it keeps it again and its label is recorded.
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

die() { echo "catalog_relabel_restart: $*" >&2; exit 1; }
skip() { echo "catalog_relabel_restart: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-catrelabel.XXXXXX)
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
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "catalog_relabel_restart: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "catalog_relabel_restart: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=${KPORT:-$(pick_port $(( 20000 + ($$ * 17) % 12000 )))} || die "no free port for knotd"
PORT=${PORT:-$(pick_port $(( (KPORT - 20000 + 31) % 12000 + 20000 )) "$KPORT")} ||
	die "no free port"
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
catalog() { # catalog SERIAL LABEL: cat.test. lists r1.test. under LABEL, r2.test. under keep2
	cat >"$TMP/zones/cat.test.zone.new" <<ZONE
\$ORIGIN cat.test.
\$TTL 0
@ IN SOA invalid. invalid. $1 2 2 86400 0
@ IN NS invalid.
version IN TXT "2"
$2.zones IN PTR r1.test.
keep2.zones IN PTR r2.test.
ZONE
	mv "$TMP/zones/cat.test.zone.new" "$TMP/zones/cat.test.zone"
}
zone_file r1.test. 10 192.0.2.10
zone_file r2.test. 20 192.0.2.20
catalog 1 first1

KNOT_NOTIFY=no knot_conf cat.test. r1.test. r2.test. # its transfers counted
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!

serial_of() { kq "$1" +short "$2" SOA | awk '{print $3}'; }
check "Knot serves r1.test. (serial 10)" at "$KPORT" r1.test. 192.0.2.10 10

LOG=$TMP/sandnsd.log
start() { # sandnsd started again, its log appended to
	echo "---- start" >>"$LOG"
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
		--state-dir "$TMP/state" --zone "cat.test.=$TMP/cat.test.zone" \
		--primary "cat.test. 127.0.0.1@$KPORT" --catalog "cat.test. consumer" \
		>>"$LOG" 2>&1 &
	PID=$!
	wait_serving "$LOG" "$PID" || die "sandnsd did not start; its log: $(cat "$LOG")"
}
r2_axfrs() { grep -c "zone r2.test.: AXFR from" "$LOG"; }
# relabel SERIAL LABEL ADDRESS: the primary starts r1.test. again at SERIAL, listed under LABEL
# (the catalog's serial moves on)
cat_serial=1
relabel() {
	cat_serial=$((cat_serial + 1))
	zone_file r1.test. "$1" "$3"
	catalog "$cat_serial" "$2"
	knotc zone-reload r1.test. >/dev/null
	knotc zone-reload cat.test. >/dev/null
	at "$KPORT" r1.test. "$3" 10
}
# copied ADDRESS [ZONE]: sandnsd's copy of ZONE (r1.test.) holds ADDRESS within 10 s (written
# after a publish, by the writer thread)
copied() {
	for _ in $(seq 1 100); do
		grep -q "$1" "$TMP/state/catalog/${2:-r1.test.}zone" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start
check "sandnsd serves the member r1.test. within 10 s" at "$PORT" r1.test. 192.0.2.10 10
check "... and r2.test." at "$PORT" r2.test. 192.0.2.20 10
check "r1.test.'s copy is written" copied 192.0.2.10
# Stopped before the writer wrote r2.test.'s copy, the next start would transfer it again
# (a slower build did): its transfers are counted below.
check "... and r2.test.'s" copied 192.0.2.20 r2.test.
stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

# ---- 1. relabeled while sandnsd is stopped; it starts from the catalog's old copy
check "Knot serves r1.test. started again at serial 5, under label second1" \
	relabel 5 second1 192.0.2.55
start
check "after the start sandnsd serves the primary's r1.test. within 10 s" \
	at "$PORT" r1.test. 192.0.2.55 10
check "... at serial 5" [ "$(serial_of "$PORT" r1.test.)" = 5 ]
check "its copy holds the new data" copied 192.0.2.55
check "r2.test. is still served" at "$PORT" r2.test. 192.0.2.20 1
stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

# ---- 2. relabeled while sandnsd is stopped; the first catalog version it reads is the new one
check "Knot serves r1.test. started again at serial 2, under label third1" \
	relabel 2 third1 192.0.2.22
rm -f "$TMP/cat.test.zone"
start
check "after the start sandnsd serves the primary's r1.test. within 10 s" \
	at "$PORT" r1.test. 192.0.2.22 10
check "... at serial 2" [ "$(serial_of "$PORT" r1.test.)" = 2 ]
check "the log says r1.test.'s copy was made under another label" \
	grep -q "catalog cat.test.: member r1.test.: its copy was made under label second1, now third1" "$LOG"
check "its copy holds the new data" copied 192.0.2.22
check "r2.test. is still served" at "$PORT" r2.test. 192.0.2.20 10
check "... and was transferred once in all (its copy kept its label)" [ "$(r2_axfrs)" = 1 ]
check "r1.test.'s label is recorded beside its copy" \
	grep -qx "sandns-catalog-label 2 third1 cat.test." "$TMP/state/catalog/r1.test.zone.label"
stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

# ---- 3. a copy with no label recorded (an older sandnsd's) is kept, its label recorded
rm -f "$TMP/state/catalog/r2.test.zone.label"
start
check "r2.test. is served from its copy" at "$PORT" r2.test. 192.0.2.20 10
check "... its label recorded" \
	grep -qx "sandns-catalog-label 2 keep2 cat.test." "$TMP/state/catalog/r2.test.zone.label"
check "... and not transferred again" [ "$(r2_axfrs)" = 1 ]
stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]

echo "catalog_relabel_restart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
