#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# secondary.sh: sandnsd as a secondary of a Knot DNS primary on loopback: the first transfer
# (AXFR, the copy written to its file), a change on the primary -> NOTIFY -> IXFR served within
# 2 s through a snapshot patched with its names (a new delegation: the whole compile), a primary
# restarted without its journal (AXFR instead), sandnsd restarted with the primary
# down (the saved copy served at once), a lying and a stalling primary, expiry (SERVFAIL),
# zone-status, NOTIFY refused to others, and the autodiscover policy editing a secondary zone (the
# served serial: the primary's + 1, and newer at every change); then TSIG: a primary whose
# transfer ACL requires key k1 (signed SOA queries and IXFR, every message verified), and the
# wrong secret (the refresh fails, zone-status says TSIG, nothing changes).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, KEEP=1 keeps the temporary
# directory. Talks only to 127.0.0.x; ends only the processes it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
KNOTC=${KNOTC:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotc || true)}
PY=/usr/bin/python3

die() { echo "secondary: $*" >&2; exit 1; }
skip() { echo "secondary: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ] && [ -n "$KNOTC" ]; } || skip "knotd/knotc not found"
command -v kdig >/dev/null || skip "kdig not found"
$PY -c 'import dns.message' 2>/dev/null || skip "$PY lacks dnspython"
command -v openssl >/dev/null || skip "openssl not found"

TMP=$(mktemp -d /tmp/sandns-secondary.XXXXXX)
KNOT_PID=
BAD_PID=
PID=
PORT=
SOCK=
LOG=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "secondary: knotd"
	[ -n "$BAD_PID" ] && stop_pid "$BAD_PID" 5 "secondary: bad_primary.py"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP"/sandnsd*.log "$TMP/knot.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "secondary: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ZONE=sec.test.
KPORT=$(pick_port $(( 20000 + ($$ * 3) % 12000 ))) || die "no free port for knotd"
mkdir -p "$TMP/knot" "$TMP/primary" "$TMP/secondary"
# refresh an hour: only a NOTIFY brings a change within the 2 s the test allows. Retry 1 s. Expire
# an hour at first; 10 s once the primary restarts (step 4), for the expiry steps.
cat >"$TMP/primary/sec.test.zone" <<ZONE
\$ORIGIN sec.test.
\$TTL 300
@	IN SOA ns1.sec.test. hostmaster.sec.test. 100 3600 1 3600 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.80
old	IN A 192.0.2.99
mail	IN MX 10 ns1
ZONE

# The test stops and starts knotd and sandnsd several times: each sandnsd gets a new port.
SPORT=$(pick_port $(( (KPORT - 20000 + 11) % 12000 + 20000 )) "$KPORT") || die "no free port"

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
    journal-db: "$TMP/knot/journal"
    timer-db: "$TMP/knot/timers"
log:
  - target: "$TMP/knot.log"
    any: info
remote:
  - id: sandns
    address: 127.0.0.1@$SPORT
acl:
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
zone:
  - domain: $ZONE
    file: "$TMP/primary/sec.test.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: changes
    serial-policy: increment
    semantic-checks: off
    notify: sandns
    acl: xfr
CONF
}

start_knot() {
	"$KNOTD" -c "$TMP/knot.conf" >>"$TMP/knotd.out" 2>&1 &
	KNOT_PID=$!
	for _ in $(seq 1 100); do
		kdig @127.0.0.1 -p "$KPORT" +norec +time=1 +retry=0 "$ZONE" SOA 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		kill -0 "$KNOT_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "knotd did not serve $ZONE within 10 s"
}
stop_knot() { stop_pid "$KNOT_PID" 5 "secondary: knotd"; KNOT_PID=; }
knotc() { "$KNOTC" -c "$TMP/knot.conf" -t 5 "$@"; }

ctl() { "$SANDNSCTL" --control "$SOCK" "$@"; }
q() { kdig @127.0.0.1 -p "$SPORT" +norec +time=2 +retry=0 "$@" 2>&1; }
serial_of() { q "$1" SOA +short | awk '{ print $3 }'; }
kserial() { kdig @127.0.0.1 -p "$KPORT" +norec +time=2 +retry=0 "$ZONE" SOA +short | awk '{ print $3 }'; }
# wait_serial SERIAL SECONDS: sandnsd serves SERIAL for the zone within SECONDS
wait_serial() {
	local want=$1 tenths=$(($2 * 10)) got=
	for _ in $(seq 1 "$tenths"); do
		got=$(serial_of "$ZONE")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	echo "     serial served: '$got', want $want"
	return 1
}
# file_serial: the SOA serial of the copy on disk (sandnsd writes it with the SOA first)
file_serial() { awk '$4 == "SOA" { print $7; exit }' "$TMP/secondary/sec.test.zone"; }
rcode_is() {
	local out
	out=$(q "$1" "$2")
	grep -q "status: $3" <<<"$out" || { echo "     $1 $2: want $3, got: $(grep -m1 status <<<"$out")"; return 1; }
}

# sandnsd as the secondary: port SPORT (Knot notifies it there), its copy in $TMP/secondary.
start_secondary() {
	local name=$1
	shift
	SOCK=$TMP/$name.sock
	LOG=$TMP/$name.log
	PORT=$SPORT
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$SPORT" --control "$SOCK" \
		--zone "$ZONE=$TMP/secondary/sec.test.zone" \
		--zone "example.net.=$ROOT/zones/sample/example.net.zone" \
		--primary "$ZONE 127.0.0.1@$KPORT${PKEY:+ key $PKEY}" --allow-notify 127.0.0.1 \
		--state-dir "$TMP/state" "$@" >"$LOG" 2>&1 &
	PID=$!
	if ! wait_serving "$LOG" "$PID"; then
		bad "sandnsd ($name) did not start serving within 30 s"
		return 1
	fi
	ok "sandnsd ($name) serving on 127.0.0.1@$SPORT (pid $PID)"
}

# notify SOURCE ZONE: sends a NOTIFY from SOURCE (127.0.0.x); prints the rcode and flags
notify() {
	$PY - "$1" "$2" "$SPORT" <<'PYEOF'
import sys, dns.message, dns.opcode, dns.query, dns.rdatatype, dns.rcode, dns.flags
src, zone, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = dns.message.make_query(zone, dns.rdatatype.SOA)
q.set_opcode(dns.opcode.NOTIFY)
q.flags &= ~dns.flags.RD
r = dns.query.udp(q, "127.0.0.1", port=port, source=src, timeout=3)
print(dns.rcode.to_text(r.rcode()), "aa" if r.flags & dns.flags.AA else "noaa",
      "q=" + (r.question[0].name.to_text() if r.question else "-"))
PYEOF
}

# ---- 1. the first transfer: nothing to serve before it, the zone and its file after it
knot_conf
start_knot
check "knotd primary serves $ZONE serial 100" [ "$(kserial)" = 100 ]
start_secondary sandnsd1 || exit 1
check "the first AXFR: sandnsd serves serial 100 within 5 s" wait_serial 100 5
check "the transferred records are served" bash -c "kdig @127.0.0.1 -p $SPORT +short www.$ZONE A | grep -qx 192.0.2.80"
check "the copy was written to its file (after it was served)" until_ok 5 grep -q '192.0.2.99' "$TMP/secondary/sec.test.zone"
check "the log says AXFR" grep -q "zone $ZONE: AXFR from 127.0.0.1@$KPORT: serial 100" "$LOG"
check "a file zone beside it is served" rcode_is example.net. SOA NOERROR

# ---- 2. a change on the primary: NOTIFY, IXFR, served within 2 s
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" new 300 A 192.0.2.10 >/dev/null &&
	knotc zone-unset "$ZONE" old A >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
check "knotc changed the zone: serial 101" [ "$(kserial)" = 101 ]
check "NOTIFY -> sandnsd serves serial 101 within 10 s" wait_serial 101 10
check "the added record is served" bash -c "kdig @127.0.0.1 -p $SPORT +short new.$ZONE A | grep -qx 192.0.2.10"
check "the deleted record is gone" rcode_is "old.$ZONE" A NXDOMAIN
check "sandnsd applied an IXFR (its log)" grep -q "zone $ZONE: IXFR from 127.0.0.1@$KPORT: serial 100 -> 101" "$LOG"
check "Knot sent an incremental transfer (its log)" grep -Eq "IXFR, outgoing.*started, serial 100 -> 101" "$TMP/knot.log"
check "Knot's NOTIFYs (over TCP) were all accepted" bash -c "grep -q 'notify, outgoing, remote 127.0.0.1@$SPORT, serial 101' '$TMP/knot.log' && ! grep -q NOTAUTH '$TMP/knot.log'"
check "the copy on disk has the change (written after it was served)" until_ok 5 bash -c "grep -q 192.0.2.10 '$TMP/secondary/sec.test.zone' && ! grep -q 192.0.2.99 '$TMP/secondary/sec.test.zone'"
st=$(ctl zone-status "$ZONE")
check "zone-status: serial, source, primary" has "$st" "zone $ZONE serial 101 source primary 127.0.0.1@$KPORT"
check "zone-status: last refresh ok, an IXFR, the NOTIFY counted" bash -c "grep -q 'ixfr 1' <<<'$st' && grep -q 'notifies [1-9]' <<<'$st'"
check "zone-status: the times" bash -c "grep -q 'last refresh 20..-' <<<'$st' && grep -q 'next refresh 20..-' <<<'$st' && grep -q 'expires 20..-' <<<'$st'"
st=$(ctl json zone-status)
check "zone-status --json lists the file zone and the secondary" bash -c "$PY -c 'import json,sys; d=json.load(sys.stdin)[\"data\"]; z={x[\"zone\"]:x for x in d[\"zones\"]}; assert z[\"$ZONE\"][\"source\"]==\"primary\" and z[\"$ZONE\"][\"serial\"]==101 and z[\"example.net.\"][\"source\"]==\"file\"' <<<'$st'"

# ---- 2b. the IXFR's few names patched into the snapshot served, not every zone compiled again;
# a change a patch does not make (a new delegation with its glue) takes the whole compile
builds() { ctl json status | $PY -c "import json,sys; print(json.load(sys.stdin)['data']['builds_$1'])"; }
check "the IXFR was served by a patched snapshot (status builds_patched)" [ "$(builds patched)" -ge 1 ]
check "the reload's log line says patched" grep -Eq "zone $ZONE: reloaded, serial 101 served, patched [0-9]+ names" "$LOG"
check "status counts the patched snapshots" bash -c "'$SANDNSCTL' --control '$SOCK' status | grep -Eq 'snapshots [1-9][0-9]* patched'"
full_before=$(builds full)
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" sub 300 NS ns.sub >/dev/null &&
	knotc zone-set "$ZONE" ns.sub 300 A 192.0.2.11 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
check "NOTIFY -> the delegation served (serial 102) within 10 s" wait_serial 102 10
check "the delegation is a referral with its glue" bash -c "kdig @127.0.0.1 -p $SPORT +norec www.sub.$ZONE A | grep -q 'ns.sub.$ZONE.*192.0.2.11'"
check "the delegation took the whole compile (status builds_full)" [ "$(builds full)" -gt "$full_before" ]

# ---- 3. NOTIFY: accepted from allow-notify only, and only for a secondary zone
check "NOTIFY from 127.0.0.1 (allowed): NOERROR aa" has "$(notify 127.0.0.1 "$ZONE")" "NOERROR aa q=$ZONE"
check "NOTIFY from 127.0.0.2 (not allowed): NOTAUTH" has "$(notify 127.0.0.2 "$ZONE")" "NOTAUTH noaa"
check "NOTIFY for a zone served from a file: NOTAUTH" has "$(notify 127.0.0.1 example.net.)" "NOTAUTH noaa"
check "NOTIFY for a zone not served: NOTAUTH" has "$(notify 127.0.0.1 nowhere.test.)" "NOTAUTH noaa"
check "zone-refresh of a file zone is refused" bash -c "! '$SANDNSCTL' --control '$SOCK' zone-refresh example.net. >/dev/null 2>&1"

# ---- 4. the primary restarted without its journal, the zone changed: AXFR instead of IXFR
stop_knot
rm -rf "$TMP/knot/journal" "$TMP/knot/timers"
sed -i 's/ 100 3600 1 3600 60/ 150 3600 1 10 60/; s/^www.*/www\tIN A 192.0.2.81/' "$TMP/primary/sec.test.zone"
start_knot
check "the primary restarted at serial 150" [ "$(kserial)" = 150 ]
ctl zone-refresh "$ZONE" >/dev/null
check "zone-refresh -> sandnsd serves serial 150 within 5 s" wait_serial 150 5
check "the changed record is served" bash -c "kdig @127.0.0.1 -p $SPORT +short www.$ZONE A | grep -qx 192.0.2.81"
check "no history on the primary: a whole transfer (AXFR), not an IXFR" grep -q "zone $ZONE: AXFR from 127.0.0.1@$KPORT: serial 150" "$LOG"
ctl zone-retransfer "$ZONE" >/dev/null
check "zone-retransfer: one more AXFR" bash -c "for i in \$(seq 1 50); do [ \$(grep -c 'AXFR from 127.0.0.1@$KPORT: serial 150' '$LOG') -ge 2 ] && exit 0; sleep 0.1; done; exit 1"

# ---- 5. sandnsd restarted with the primary down: the saved copy served at once
stop_sandnsd
stop_knot
start_secondary sandnsd2 || exit 1
check "restart, primary down: serial 150 served at once" [ "$(serial_of "$ZONE")" = 150 ]
check "restart: the records from the file" bash -c "kdig @127.0.0.1 -p $SPORT +short www.$ZONE A | grep -qx 192.0.2.81"
sleep 1.5
st=$(ctl zone-status "$ZONE")
check "zone-status: the refresh failed, the copy is served" bash -c "grep -q 'zone $ZONE serial 150 source primary' <<<'$st' && grep -q 'failed' <<<'$st'"

# ---- 5b. a primary that lies (a newer serial, then a transfer with a record outside the zone):
# refused, the copy we have is still served, zone-status says why
"$PY" "$HERE/bad_primary.py" "$ZONE" "$KPORT" >"$TMP/bad_primary.out" 2>&1 &
BAD_PID=$!
for _ in $(seq 1 50); do grep -q ready "$TMP/bad_primary.out" && break; sleep 0.1; done
ctl zone-refresh "$ZONE" >/dev/null
bad_refused() {
	for _ in $(seq 1 50); do
		grep -q "not the zone's" <<<"$(ctl zone-status "$ZONE")" && return 0
		sleep 0.1
	done
	ctl zone-status "$ZONE"
	return 1
}
check "a transfer with a record outside the zone is refused (zone-status says why)" bad_refused
check "the lying primary was asked for a transfer" grep -q "served a transfer" "$TMP/bad_primary.out"
check "after it, serial 150 is still served" [ "$(serial_of "$ZONE")" = 150 ]
check "the copy on disk is untouched" bash -c "! grep -q evil '$TMP/secondary/sec.test.zone'"
stop_pid "$BAD_PID" 5 "secondary: bad_primary.py"
BAD_PID=

# ---- 5c. a primary that stalls mid-transfer: the control socket and the answers do not wait
"$PY" "$HERE/bad_primary.py" "$ZONE" "$KPORT" stall >"$TMP/bad_primary.out" 2>&1 &
BAD_PID=$!
for _ in $(seq 1 50); do grep -q ready "$TMP/bad_primary.out" && break; sleep 0.1; done
ctl zone-retransfer "$ZONE" >/dev/null
for _ in $(seq 1 50); do grep -q stalling "$TMP/bad_primary.out" && break; sleep 0.1; done
check "the stalling primary holds a transfer open" grep -q stalling "$TMP/bad_primary.out"
# A control thread that waited on the stalled read would hold the answer for 10 s (a read's
# limit): zone-status must come back within 5 s. No tighter bound: under a sanitizer on a loaded
# machine, sandnsctl alone can take seconds to start.
t0=$(date +%s%N)
rc=0
st=$(timeout 5 "$SANDNSCTL" --control "$SOCK" zone-status "$ZONE") || rc=$?
t1=$(date +%s%N)
check "zone-status answers while a transfer stalls (exit $rc, $(((t1 - t0) / 1000000)) ms)" \
	test "$rc" = 0
check "zone-status names the zone" has "$st" "$ZONE"
check "queries are answered meanwhile (serial 150)" [ "$(serial_of "$ZONE")" = 150 ]
stop_pid "$BAD_PID" 5 "secondary: bad_primary.py"
BAD_PID=

# ---- 6. the primary stays down past expire (10 s from the last refresh): SERVFAIL
ok_expired() {
	for _ in $(seq 1 150); do
		q "www.$ZONE" A | grep -q 'status: SERVFAIL' && return 0
		sleep 0.1
	done
	q "www.$ZONE" A | grep status
	return 1
}
check "past expire: SERVFAIL for the zone" ok_expired
check "past expire: SERVFAIL for its apex too" rcode_is "$ZONE" SOA SERVFAIL
check "the file zone is still served" rcode_is example.net. SOA NOERROR
check "zone-status says expired" has "$(ctl zone-status "$ZONE")" "expired"
check "the log says expired" grep -q "zone $ZONE: expired" "$LOG"

# ---- 7. the primary back: served again
start_knot
ctl zone-refresh "$ZONE" >/dev/null
check "primary back: serial 150 served again within 5 s" wait_serial 150 5

# ---- 8. the autodiscover policy edits a secondary zone: served serial = the primary's + 1, and
# newer than the one served before at every change (docs/design.md, "Secondary zones")
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" autodiscover 300 A 192.0.2.25 >/dev/null &&
	knotc zone-set "$ZONE" mail 300 A 192.0.2.25 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
check "NOTIFY -> serial 151, no policy: the primary's serial" wait_serial 151 2
stop_sandnsd
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=mail.sec.test" -addext "subjectAltName=DNS:mail.sec.test" \
	-keyout "$TMP/leaf.key" -out "$TMP/leaf.pem" >"$TMP/openssl.log" 2>&1 ||
	die "openssl: $(tail -3 "$TMP/openssl.log")"
start_secondary sandnsd3 --cert "$TMP/leaf.pem" || exit 1
check "the policy edits the secondary zone: serial 152 (primary 151 + 1)" [ "$(serial_of "$ZONE")" = 152 ]
check "... autodiscover's A withheld (the certificate does not name it)" \
	bash -c "[ -z \"\$(kdig @127.0.0.1 -p $SPORT +short autodiscover.$ZONE A)\" ]"
check "... an SRV to mail.sec.test published" \
	bash -c "kdig @127.0.0.1 -p $SPORT +short _autodiscover._tcp.$ZONE SRV | grep -q 'mail.sec.test.'"
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" new3 300 A 192.0.2.13 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
check "a change on the primary (152) -> served 153: newer than the 152 served before" wait_serial 153 2
check "zone-status: serial 153 served, primary serial 152" \
	bash -c "st=\$('$SANDNSCTL' --control '$SOCK' zone-status $ZONE); grep -q 'serial 153 source primary' <<<\"\$st\" && grep -q 'primary serial 152' <<<\"\$st\""

# ---- 9. TSIG: the primary's transfer ACL requires key k1 and it signs its NOTIFYs with it;
# sandnsd verifies the NOTIFY, signs its SOA queries and transfer requests and verifies every
# message; with the wrong secret nothing is taken
stop_sandnsd
stop_knot
TSIG_SECRET=c2FuZG5zLXNlY29uZGFyeS10c2lnLWtleS0zMi1vY3Q=
knot_conf
"$PY" - "$TMP/knot.conf" "$TSIG_SECRET" <<'PYEOF'
import sys
p, secret = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("remote:\n", "key:\n  - id: k1\n    algorithm: hmac-sha256\n    secret: %s\nremote:\n" % secret, 1)
s = s.replace("    address: 127.0.0.0/8\n", "    address: 127.0.0.0/8\n    key: k1\n", 1)
s = s.replace("  - id: sandns\n    address: 127.0.0.1@", "  - id: sandns\n    key: k1\n    address: 127.0.0.1@", 1)
open(p, "w").write(s)
PYEOF
start_knot
PKEY=k1 start_secondary sandnsd4 --key "k1 hmac-sha256 $TSIG_SECRET" || exit 1
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" signed 300 A 192.0.2.14 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
has_signed() {
	for _ in $(seq 1 50); do
		[ "$(kdig @127.0.0.1 -p "$SPORT" +short "signed.$ZONE" A)" = 192.0.2.14 ] && return 0
		sleep 0.1
	done
	return 1
}
check "signed NOTIFY taken: the change is served within 5 s, no zone-refresh" has_signed
check "signed: an IXFR from the primary (its log)" grep -q "zone $ZONE: IXFR from 127.0.0.1@$KPORT: serial 152 -> 153" "$LOG"
check "signed: Knot let the transfer through its key-only ACL" bash -c "! grep -q 'denied' '$TMP/knot.log'"
stop_sandnsd
PKEY=k1 start_secondary sandnsd5 --key "k1 hmac-sha256 d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==" || exit 1
before=$(serial_of "$ZONE")
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" signed2 300 A 192.0.2.15 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
ctl zone-refresh "$ZONE" >/dev/null
tsig_failed() {
	for _ in $(seq 1 50); do
		grep -q "TSIG with key k1" <<<"$(ctl zone-status "$ZONE")" && return 0
		sleep 0.1
	done
	ctl zone-status "$ZONE"
	return 1
}
check "the wrong secret: the refresh fails, zone-status says TSIG" tsig_failed
check "the wrong secret: serial $before still served, without the change" \
	bash -c "[ '$(serial_of "$ZONE")' = '$before' ] && [ -z \"\$(kdig @127.0.0.1 -p $SPORT +short signed2.$ZONE A)\" ]"
check "the secret appears nowhere in the log" bash -c "! grep -q '$TSIG_SECRET' '$LOG'"

# ---- 10. served before written (docs/design.md, "Secondary zones"): the writer is held 4 s
# after each serve by SANDNS_TEST_XFRIN_WRITE_DELAY_MS (read by tests only). An IXFR is served
# while the file still holds the previous serial, the file is written afterwards, and a restart
# (the primary down) serves the new serial from it at once. Then kill -9 between the serving and
# the write: the restart never serves the older copy (SERVFAIL until the primary is asked, at
# once) and the served serial does not go back. The policy of step 8 raised the served serials
# above the primary's (state-dir remembers them): the primary's are those of the copy on disk.
stop_sandnsd
COPY=$TMP/secondary/sec.test.zone
# served_after OLD SECONDS: prints the serial served once it is another than OLD
served_after() {
	local got
	for _ in $(seq 1 $(($2 * 10))); do
		got=$(serial_of "$ZONE")
		[ -n "$got" ] && [ "$got" != "$1" ] && { echo "$got"; return 0; }
		sleep 0.1
	done
	return 1
}
# file_is SERIAL SECONDS: the copy on disk holds SERIAL within SECONDS
file_is() { until_ok "$2" bash -c "[ \"\$(awk '\$4 == \"SOA\" { print \$7; exit }' '$COPY')\" = $1 ]"; }
SANDNS_TEST_XFRIN_WRITE_DELAY_MS=4000 PKEY=k1 start_secondary sandnsd6 --key "k1 hmac-sha256 $TSIG_SECRET" || exit 1
p0=$(kserial)
check "the primary's serial $p0 transferred and written (the first refresh)" file_is "$p0" 15
v0=$(serial_of "$ZONE")
p1=$((p0 + 1))
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" fast 300 A 192.0.2.16 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
v1=$(served_after "$v0" 2)
check "NOTIFY -> primary serial $p1 served within 2 s (serial $v1, after $v0)" [ -n "$v1" ]
check "... served before its file is written: the copy on disk still holds $p0" [ "$(file_serial)" = "$p0" ]
# serial-state (state-dir's serials, two slots: the newest holds the publish's line) says which
# serial of the copy is served: the one a restart must find in the copy (no mark beside it now).
state_says() { grep -aq "^$ZONE [0-9]* $1 " "$TMP/state/serials"; }
check "... serial-state says the copy served is serial $p1 (synced before it was served)" state_says "$p1"
check "... and no mark is written beside the copy" [ ! -e "$COPY.serial" ]
check "the copy is written afterwards (within 10 s): serial $p1" file_is "$p1" 10
check "... with the change" grep -q 192.0.2.16 "$COPY"
check "the log says it was written" grep -q "zone $ZONE: copy written, serial $p1" "$LOG"
stop_sandnsd
stop_knot
PKEY=k1 start_secondary sandnsd7 --key "k1 hmac-sha256 $TSIG_SECRET" || exit 1
check "a restart after it, the primary down: serial $v1 served at once" [ "$(serial_of "$ZONE")" = "$v1" ]
check "... with the change" bash -c "kdig @127.0.0.1 -p $SPORT +short fast.$ZONE A | grep -qx 192.0.2.16"
stop_sandnsd
start_knot
SANDNS_TEST_XFRIN_WRITE_DELAY_MS=8000 PKEY=k1 start_secondary sandnsd8 --key "k1 hmac-sha256 $TSIG_SECRET" || exit 1
p2=$((p1 + 1))
knotc zone-begin "$ZONE" >/dev/null &&
	knotc zone-set "$ZONE" crash 300 A 192.0.2.17 >/dev/null &&
	knotc zone-commit "$ZONE" >/dev/null
v2=$(served_after "$v1" 2)
check "NOTIFY -> primary serial $p2 served within 2 s (serial $v2)" [ -n "$v2" ]
check "... its file not written yet (still $p1)" [ "$(file_serial)" = "$p1" ]
kill -9 "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
PID=
check "killed (-9) between the serving and the write: the file still holds $p1" [ "$(file_serial)" = "$p1" ]
check "... while serial-state says serial $p2 of the copy was served" state_says "$p2"
stop_knot
PKEY=k1 start_secondary sandnsd9 --key "k1 hmac-sha256 $TSIG_SECRET" || exit 1
check "the restart (primary down) never serves the older copy: SERVFAIL, not serial $v1" rcode_is "$ZONE" SOA SERVFAIL
check "... and says why" grep -q "serial $p2 was served and not written" "$LOG"
start_knot
ctl zone-refresh "$ZONE" >/dev/null
check "the primary back: serial $v2 served again within 5 s (never lower)" wait_serial "$v2" 5
check "... with the change" bash -c "kdig @127.0.0.1 -p $SPORT +short crash.$ZONE A | grep -qx 192.0.2.17"
check "... and written to the file" file_is "$p2" 10

stop_sandnsd
rc=$?
check "sandnsd exits cleanly" [ "$rc" = 0 ]
echo "secondary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
