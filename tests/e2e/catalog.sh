#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# catalog.sh: catalog zones (RFC 9432, version 2), sandnsd as the consumer of a catalog that a Knot
# primary generates (catalog-role: generate): the first member served once the catalog is
# transferred, zone-status naming its catalog, its copy under state-dir/catalog/; a member added
# or removed patched into or out of the snapshot served (zt_patch_zones); a member added
# on the primary (config change + knotc reload) served within seconds, one removed REFUSED and its
# copy gone; a member that sandnsd serves from a file already left out (logged, the file's data
# still served); a restart serves the members from their copies at once. Then sandnsd the producer
# (catalog-role: interpret on a second Knot): the catalog it makes (version "2", a PTR per zone), its
# zones served by the Knot consumer, a zone added and one removed with `sandnsctl reload` followed
# by the consumer within seconds (NOTIFY, IXFR of the catalog).
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

die() { echo "catalog: $*" >&2; exit 1; }
skip() { echo "catalog: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"

TMP=$(mktemp -d /tmp/sandns-catalog.XXXXXX)
KNOT_PID=
PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "catalog: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log" "$TMP/producer.log" "$TMP/producer2.log" "$TMP/producer3.log" "$TMP/knot2.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "catalog: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=$(pick_port $(( 20000 + ($$ * 7) % 12000 ))) || die "no free port for knotd"
PORT=$(pick_port $(( (KPORT - 20000 + 17) % 12000 + 20000 )) "$KPORT") || die "no free port"
mkdir -p "$TMP/knot" "$TMP/zones" "$TMP/sec"

zone_file() { # zone_file ORIGIN SERIAL ADDRESS
	cat >"$TMP/zones/$1zone" <<ZONE
\$ORIGIN $1
\$TTL 300
@	IN SOA ns1.$1 hostmaster.$1 $2 3600 600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A $3
ZONE
}
zone_file m1.test. 11 192.0.2.11
zone_file m2.test. 22 192.0.2.22
zone_file a.test. 33 192.0.2.33
zone_file m3.test. 44 192.0.2.44
cp "$TMP/zones/a.test.zone" "$TMP/zones/a-local.zone"
sed -i 's/192.0.2.33/198.51.100.33/' "$TMP/zones/a-local.zone"

# knot_conf MEMBER...: Knot's configuration with these members in catalog.test.
knot_conf() {
	cat >"$TMP/knot.conf" <<CONF
server:
    rundir: "$TMP/knot"
    listen: 127.0.0.1@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot"
log:
  - target: "$TMP/knot.log"
    any: info
remote:
  - id: sandns
    address: 127.0.0.1@$PORT
acl:
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    acl: xfr
    notify: sandns
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
zone:
  - domain: catalog.test.
    catalog-role: generate
CONF
	for m in "$@"; do
		cat >>"$TMP/knot.conf" <<CONF
  - domain: $m
    file: "$TMP/zones/${m}zone"
    catalog-role: member
    catalog-zone: catalog.test.
CONF
	done
}
knotc() { "$KNOTC" -c "$TMP/knot.conf" -t 5 "$@"; }
knot_conf m1.test. m3.test.
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!
for _ in $(seq 1 100); do
	# Knot answers its catalog zones over TCP only.
	kdig @127.0.0.1 -p "$KPORT" +tcp +norec +time=1 +retry=0 catalog.test. SOA 2>/dev/null |
		grep -q 'status: NOERROR' && break
	sleep 0.1
done
check "knotd generates catalog.test. with version \"2\"" \
	bash -c "kdig @127.0.0.1 -p $KPORT catalog.test. AXFR | grep -q '^version.catalog.test.*TXT.*\"2\"'"

cat >"$TMP/sandns.conf" <<CONF
listen 127.0.0.1@$PORT
control $TMP/ctl.sock
state-dir $TMP/state
allow-notify 127.0.0.1
keep-zones ${KEEP_ZONES:-auto}
zone a.test. zones/a-local.zone
zone catalog.test. sec/catalog.test.zone
primary catalog.test. 127.0.0.1@$KPORT
catalog catalog.test. consumer
CONF
start_consumer() {
	"$SANDNSD" --foreground --io socket --config "$TMP/sandns.conf" >>"$TMP/sandnsd.log" 2>&1 &
	PID=$!
	wait_serving "$TMP/sandnsd.log" "$PID" || die "sandnsd did not start serving within 30 s"
}
start_consumer
ok "sandnsd consumer of catalog.test. on 127.0.0.1@$PORT"

ctl() { "$SANDNSCTL" --control "$TMP/ctl.sock" "$@" 2>&1; }
q() { kdig @127.0.0.1 -p "$PORT" +norec +time=2 +retry=0 "$@" 2>&1; }
# served_within NAME ADDRESS SECONDS: www.NAME answers ADDRESS within SECONDS
served_within() {
	local got=
	for _ in $(seq 1 $(($3 * 10))); do
		got=$(q "www.$1" A +short)
		[ "$got" = "$2" ] && return 0
		sleep 0.1
	done
	echo "     www.$1: '$got', want $2"
	return 1
}
refused_within() {
	for _ in $(seq 1 $(($2 * 10))); do
		q "$1" SOA | grep -q 'status: REFUSED' && return 0
		sleep 0.1
	done
	echo "     $1 SOA: $(q "$1" SOA | grep -m1 status)"
	return 1
}

check "the member m1.test. is served within 10 s" served_within m1.test. 192.0.2.11 10
check "the member m3.test. is served too" served_within m3.test. 192.0.2.44 10
out=$(ctl zone-status m1.test.)
check "zone-status m1.test. names its catalog" has "$out" "member of catalog catalog.test."
check "zone-status m1.test. shows its primary" has "$out" "127.0.0.1@$KPORT"
check "its copy is state-dir/catalog/m1.test.zone (written within 5 s of serving)" \
	until_ok 5 grep -q 192.0.2.11 "$TMP/state/catalog/m1.test.zone"
check "m2.test. is not served yet" refused_within m2.test. 1

# ---- a member added on the primary, another removed at the same time
knot_conf m1.test. m2.test.
knotc reload >/dev/null || bad "knotc reload failed"
check "m2.test. added on the primary is served within 10 s" served_within m2.test. 192.0.2.22 10
check "the log says a member was added and one removed" \
	grep -q "catalog catalog.test.: 1 member added, 1 removed" "$TMP/sandnsd.log"
check "m3.test. removed at the same time is REFUSED" refused_within m3.test. 5
check "the member added is patched into the snapshot served, not compiled with the others" \
	grep -q "snapshot patched: zone m2.test. added, the other zones untouched" "$TMP/sandnsd.log"
check "the member removed is taken out of it by a patch too" \
	grep -q "snapshot patched: zone m3.test. taken out, the other zones untouched" "$TMP/sandnsd.log"

# ---- a member removed on the primary
knot_conf m2.test.
knotc reload >/dev/null || bad "knotc reload failed"
check "m1.test. removed on the primary is REFUSED within 10 s" refused_within m1.test. 10
check "its copy is removed" bash -c "[ ! -e '$TMP/state/catalog/m1.test.zone' ]"
check "zone-status no longer knows m1.test." has "$(ctl zone-status m1.test.)" "no zone m1.test. is served"
check "m2.test. is still served" served_within m2.test. 192.0.2.22 1

# ---- a member sandnsd serves from a file already: left out, the file's data stays
knot_conf m2.test. a.test.
knotc reload >/dev/null || bad "knotc reload failed"
left=0
for _ in $(seq 1 100); do
	grep -q "member a.test. is left out: it is configured already" "$TMP/sandnsd.log" && { left=1; break; }
	sleep 0.1
done
check "a member configured as a file zone is left out, logged" [ "$left" = 1 ]
check "a.test. still answers from its file" served_within a.test. 198.51.100.33 1
check "m2.test. is still served" served_within m2.test. 192.0.2.22 1
# The zone line removed: the catalog's member comes in its place.
sed -i '/^zone a.test. /d' "$TMP/sandns.conf"
out=$(ctl reload)
check "its zone line removed (reload): a.test. is served as the catalog's member within 10 s" \
	served_within a.test. 192.0.2.33 10
check "... zone-status says so" has "$(ctl zone-status a.test.)" "member of catalog catalog.test."

# ---- a restart: the members from their copies, at once
stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
stop_pid "$KNOT_PID" 5 "catalog: knotd"
KNOT_PID=
start_consumer
check "after a restart with the primary down m2.test. is served from its copy" served_within m2.test. 192.0.2.22 5

stop_sandnsd

# ---- sandnsd the producer (catalog pcat.test. producer), a Knot consumer (catalog-role: interpret)
PPORT=$(pick_port $(( (PORT - 20000 + 31) % 12000 + 20000 )) "$KPORT") || die "no free port"
KPORT2=$(pick_port $(( (PPORT - 20000 + 37) % 12000 + 20000 )) "$PPORT") || die "no free port"
mkdir -p "$TMP/knot2"
cat >"$TMP/knot2.conf" <<CONF
server:
    rundir: "$TMP/knot2"
    listen: 127.0.0.1@$KPORT2
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot2"
log:
  - target: "$TMP/knot2.log"
    any: info
remote:
  - id: sandns
    address: 127.0.0.1@$PPORT
acl:
  - id: from_sandns
    address: 127.0.0.1
    action: notify
template:
  - id: default
    master: sandns
    acl: from_sandns
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
  - id: member
    master: sandns
    acl: from_sandns
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
zone:
  - domain: pcat.test.
    catalog-role: interpret
    catalog-template: member
CONF
"$KNOTD" -c "$TMP/knot2.conf" >"$TMP/knotd2.out" 2>&1 &
KNOT_PID=$!
producer_conf() { # producer_conf ZONE...: sandnsd's configuration serving these zones and pcat.test.
	{
		echo "listen 127.0.0.1@$PPORT"
		echo "control $TMP/pctl.sock"
		echo "state-dir $TMP/pstate"
		echo "allow-transfer 127.0.0.0/8"
		echo "zone pcat.test. made-by-sandns.zone"
		echo "catalog pcat.test. producer"
		echo "notify pcat.test. 127.0.0.1@$KPORT2"
		for z in "$@"; do echo "zone $z zones/${z}zone"; done
	} >"$TMP/producer.conf"
}
producer_conf m1.test.
"$SANDNSD" --foreground --io socket --config "$TMP/producer.conf" >"$TMP/producer.log" 2>&1 &
PID=$!
wait_serving "$TMP/producer.log" "$PID" || die "sandnsd (producer) did not start serving within 30 s"
ok "sandnsd producing pcat.test. on 127.0.0.1@$PPORT"
axfr=$(kdig @127.0.0.1 -p "$PPORT" +time=2 pcat.test. AXFR 2>&1)
check "the catalog sandnsd makes has version \"2\"" has "$axfr" 'version.pcat.test.*TXT.*"2"'
check "... and m1.test. as a member" has "$axfr" 'zones.pcat.test.*PTR.*m1.test.'
kq() { kdig @127.0.0.1 -p "$KPORT2" +norec +time=1 +retry=0 "$@" 2>&1; }
knot_serves() { # knot_serves NAME ADDRESS SECONDS
	local got=
	for _ in $(seq 1 $(($3 * 10))); do
		got=$(kq "www.$1" A +short)
		[ "$got" = "$2" ] && return 0
		sleep 0.1
	done
	echo "     knot: www.$1: '$got', want $2"
	return 1
}
check "the Knot consumer serves member m1.test. within 15 s" knot_serves m1.test. 192.0.2.11 15
producer_conf m1.test. m2.test.
pctl() { "$SANDNSCTL" --control "$TMP/pctl.sock" "$@" 2>&1; }
check "sandnsctl reload of the producer succeeds" pctl reload
check "a zone added to sandnsd (reload) is a member: Knot serves m2.test. within 15 s" \
	knot_serves m2.test. 192.0.2.22 15
# A zone's IXFR journal goes with the zone (after the publish that drops it). m1.test. was served
# at one serial only (no journal): it gets the catalog's, as a process before this one would have
# left it; the catalog's own (its serial changed with the members) stays.
check "the catalog's serial changed: its IXFR journal is in the state directory" [ -s "$TMP/pstate/pcat.test.journal" ]
cp "$TMP/pstate/pcat.test.journal" "$TMP/pstate/m1.test.journal"
producer_conf m2.test.
pctl reload >/dev/null
gone=0
for _ in $(seq 1 150); do
	kq m1.test. SOA | grep -q 'status: REFUSED' && { gone=1; break; }
	sleep 0.1
done
check "a zone removed from sandnsd leaves the Knot consumer within 15 s (REFUSED)" [ "$gone" = 1 ]
journal_gone() { # within 5 s
	for _ in $(seq 1 50); do
		[ ! -e "$TMP/pstate/m1.test.journal" ] && return 0
		sleep 0.1
	done
	return 1
}
check "... its IXFR journal removed from the state directory" journal_gone
check "... the catalog's kept" [ -s "$TMP/pstate/pcat.test.journal" ]
# A restart with the same zones serves the catalog at the same serial (serial-state keeps its
# members' hash): nothing for the consumers to transfer again. Other zones: a newer serial.
pserial() { kdig @127.0.0.1 -p "$PPORT" +norec +time=2 +retry=0 pcat.test. SOA +short 2>&1 | awk '{print $3}'; }
same_serial() { [ -n "$1" ] && [ "$1" = "$2" ]; }
newer_serial() { [ -n "$2" ] && [ "$(( ($2 - $1) & 0xffffffff ))" -gt 0 ] && [ "$(( ($2 - $1) & 0xffffffff ))" -lt 2147483648 ]; }
restart_producer() { # restart_producer LOG: sandnsd (producer) stopped, started again logging to LOG
	stop_sandnsd
	"$SANDNSD" --foreground --io socket --config "$TMP/producer.conf" >"$1" 2>&1 &
	PID=$!
	wait_serving "$1" "$PID" || die "sandnsd (producer) did not start again within 30 s"
}
s1=$(pserial)
restart_producer "$TMP/producer2.log"
s2=$(pserial)
check "restarted with the same zones: the catalog's serial the same ($s1, got $s2)" same_serial "$s1" "$s2"
producer_conf m1.test. m2.test.
restart_producer "$TMP/producer3.log"
s3=$(pserial)
check "restarted with a zone added: a newer catalog serial ($s2, got $s3)" newer_serial "$s2" "$s3"
check "... and Knot serves m1.test. again within 15 s" knot_serves m1.test. 192.0.2.11 15
stop_sandnsd

echo "catalog: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
