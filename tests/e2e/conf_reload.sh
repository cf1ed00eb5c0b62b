#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# conf_reload.sh: `sandnsctl reload` and SIGHUP read the configuration file again, as `knotc
# reload`: sandnsd starts with two file zones; a third file zone and a secondary zone of a Knot
# primary are added (served, the secondary transferred, zone-status shows it), a listen line
# changed (kept, the reply says "warning: listen changed: restart sandnsd to apply"), zones
# removed (REFUSED, gone from zone-status), a broken configuration (the reply names FILE:LINE, the
# zones stay served), a zone added back on SIGHUP, signing switched on and off (the serial moves each
# time; an unrelated edit keeps signatures and serial); all the while a UDP query loop on the zones
# that stay must lose nothing and see only NOERROR.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, KEEP=1 keeps the temporary
# directory. Talks only to 127.0.0.1; ends only the processes it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
PY=/usr/bin/python3

die() { echo "conf-reload: $*" >&2; exit 1; }
skip() { echo "conf-reload: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ]; } || skip "knotd not found"
command -v kdig >/dev/null || skip "kdig not found"
$PY -c 'import dns.message' 2>/dev/null || skip "$PY lacks dnspython"

TMP=$(mktemp -d /tmp/sandns-confreload.XXXXXX)
KNOT_PID=
PID=
LOAD_PID=
STOP_SECS=${STOP_SECS:-15}

# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	[ -n "$LOAD_PID" ] && stop_pid "$LOAD_PID" 5 "conf-reload: query loop"
	stop_sandnsd
	[ -n "$KNOT_PID" ] && stop_pid "$KNOT_PID" 5 "conf-reload: knotd"
	if [ "$failed" -ne 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$TMP/sandnsd.log" "$TMP/knot.log" "$TMP/load.out"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "conf-reload: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KPORT=$(pick_port $(( 20000 + ($$ * 5) % 12000 ))) || die "no free port for knotd"
PORT=$(pick_port $(( (KPORT - 20000 + 13) % 12000 + 20000 )) "$KPORT") || die "no free port"
OTHER=$(pick_port $(( (PORT - 20000 + 29) % 12000 + 20000 )) "$PORT") || die "no free port"
mkdir -p "$TMP/knot" "$TMP/zones" "$TMP/sec"

zone_file() { # zone_file ORIGIN SERIAL
	cat >"$TMP/zones/$1zone" <<ZONE
\$ORIGIN $1
\$TTL 300
@	IN SOA ns1.$1 hostmaster.$1 $2 3600 600 86400 60
	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.80
ZONE
}
zone_file a.test. 1
zone_file b.test. 1
zone_file c.test. 7
cp "$TMP/zones/c.test.zone" "$TMP/zones/sec.test.zone"
sed -i 's/c\.test\./sec.test./g; s/ 7 / 100 /' "$TMP/zones/sec.test.zone"

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
acl:
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
zone:
  - domain: sec.test.
    file: "$TMP/zones/sec.test.zone"
    zonefile-sync: -1
    journal-content: none
    semantic-checks: off
    acl: xfr
CONF
"$KNOTD" -c "$TMP/knot.conf" >"$TMP/knotd.out" 2>&1 &
KNOT_PID=$!

CONF=$TMP/sandns.conf
base_conf() {
	cat >"$CONF" <<CONF
# the test's configuration: rewritten between reloads
listen 127.0.0.1@$PORT
control $TMP/ctl.sock
state-dir $TMP/state
allow-notify 127.0.0.1
zone a.test. zones/a.test.zone
zone b.test. zones/b.test.zone
CONF
}
base_conf
"$SANDNSD" --foreground --io socket --config "$CONF" >"$TMP/sandnsd.log" 2>&1 &
PID=$!
wait_serving "$TMP/sandnsd.log" "$PID" || die "sandnsd did not start serving within 30 s"
ok "sandnsd serving a.test and b.test from $CONF on 127.0.0.1@$PORT"

ctl() { "$SANDNSCTL" --control "$TMP/ctl.sock" "$@" 2>&1; }
q() { kdig @127.0.0.1 -p "$1" +norec +time=2 +retry=0 "${@:2}" 2>&1; }
rcode_is() { # rcode_is NAME WANT
	local out
	out=$(q "$PORT" "$1" SOA)
	grep -q "status: $2" <<<"$out" || { echo "     $1 SOA: want $2, got: $(grep -m1 status <<<"$out")"; return 1; }
}
serial_is() { # serial_is ZONE SERIAL SECONDS
	local got=
	for _ in $(seq 1 $(($3 * 10))); do
		got=$(q "$PORT" "$1" SOA +short | awk '{ print $3 }')
		[ "$got" = "$2" ] && return 0
		sleep 0.1
	done
	echo "     $1: serial '$got', want $2"
	return 1
}

for _ in $(seq 1 100); do
	q "$KPORT" sec.test. SOA | grep -q 'status: NOERROR' && break
	sleep 0.1
done
check "knotd primary serves sec.test. serial 100" \
	bash -c "kdig @127.0.0.1 -p $KPORT +short sec.test. SOA | grep -q ' 100 '"
check "sec.test. is not served by sandnsd yet (REFUSED)" rcode_is sec.test. REFUSED

# The query loop: a.test and b.test, which every configuration keeps, 200 queries a second.
$PY - "$PORT" "$TMP/load.stop" >"$TMP/load.out" 2>&1 <<'PYEOF' &
import os, select, socket, sys, time
import dns.message, dns.rcode
port, stop = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
pending, sent, answered, bad, qid = {}, 0, 0, 0, 0
names = ["a.test.", "b.test.", "www.a.test.", "www.b.test."]
def drain(wait):
    global answered, bad
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return
        wire = s.recv(4096)
        try:
            m = dns.message.from_wire(wire)
        except Exception:
            bad += 1
            continue
        if pending.pop(m.id, None) is None:
            continue
        answered += 1
        if m.rcode() != dns.rcode.NOERROR or not m.answer:
            bad += 1
            print("bad answer:", dns.rcode.to_text(m.rcode()), m.question[0].name, flush=True)
while not os.path.exists(stop):
    qid = (qid + 1) & 0xffff
    m = dns.message.make_query(names[sent % len(names)], "A" if "www" in names[sent % len(names)] else "SOA")
    m.id = qid
    pending[qid] = time.monotonic()
    s.sendto(m.to_wire(), ("127.0.0.1", port))
    sent += 1
    drain(0.005)
drain(2.0)
print(f"sent={sent} answered={answered} lost={len(pending)} bad={bad}", flush=True)
PYEOF
LOAD_PID=$!

axfr_of() { kdig @127.0.0.1 -p "$PORT" +time=2 +retry=0 a.test. AXFR 2>&1; }
check "AXFR of a.test. refused before (no allow-transfer)" bash -c "! kdig @127.0.0.1 -p $PORT +time=2 +retry=0 a.test. AXFR 2>&1 | grep -q 'www.a.test.'"

# ---- 1. a file zone, a secondary zone and a transfer ACL added
base_conf
cat >>"$CONF" <<CONF
allow-transfer 127.0.0.0/8
zone c.test. zones/c.test.zone
zone sec.test. sec/sec.test.zone
primary sec.test. 127.0.0.1@$KPORT
CONF
out=$(ctl reload); rc=$?
check "reload with two zones added succeeds" [ "$rc" -eq 0 ]
check "the reply lists c.test." has "$out" "zone c.test. serial 7"
check "c.test. is served at once" rcode_is c.test. NOERROR
check "the secondary sec.test. is transferred: serial 100 within 5 s" serial_is sec.test. 100 5
# The writer writes it once the reload said it served it: a moment after it answers.
check "its copy was written within 5 s" until_ok 5 grep -q 'www' "$TMP/sec/sec.test.zone"
out=$(ctl zone-status sec.test.)
check "zone-status sec.test. shows its primary" has "$out" "127.0.0.1@$KPORT"
check "the new allow-transfer applies: AXFR of a.test. served" has "$(axfr_of)" "www.a.test."

# ---- 2. a setting that needs a restart: kept, and said
sed -i "s/^listen .*/listen 127.0.0.1@$OTHER/" "$CONF"
out=$(ctl reload); rc=$?
check "reload with listen changed succeeds" [ "$rc" -eq 0 ]
check "the reply says listen needs a restart" has "$out" "warning: listen changed: restart sandnsd to apply"
check "the old address still serves" rcode_is a.test. NOERROR
check "the new address is not listened on" bash -c "! kdig @127.0.0.1 -p $OTHER +time=1 +retry=0 a.test. SOA >/dev/null 2>&1 || ! kdig @127.0.0.1 -p $OTHER +time=1 +retry=0 a.test. SOA | grep -q NOERROR"
check "the warning is logged" grep -q "listen changed: restart sandnsd to apply" "$TMP/sandnsd.log"
sed -i "s/^listen .*/listen 127.0.0.1@$PORT/" "$CONF"

# ---- 3. zones removed: REFUSED as any unknown zone, their state gone
base_conf
out=$(ctl reload); rc=$?
check "reload with c.test. and sec.test. removed succeeds" [ "$rc" -eq 0 ]
check "c.test. is REFUSED" rcode_is c.test. REFUSED
check "sec.test. is REFUSED" rcode_is sec.test. REFUSED
out=$(ctl zone-status sec.test.)
check "zone-status no longer knows sec.test." has "$out" "no zone sec.test. is served"
check "the log says its refreshes stop" grep -q "zone sec.test.: no longer a secondary zone" "$TMP/sandnsd.log"
out=$(ctl status)
check "status counts 2 zones" has "$out" "2 zones"
check "allow-transfer removed: AXFR of a.test. refused again" hasnt "$(axfr_of)" "www.a.test."

# ---- 4. a broken configuration: an error naming FILE:LINE, nothing changes
base_conf
echo "zone c.test. zones/c.test.zone" >>"$CONF"
echo "listen 127.0.0.1@70000" >>"$CONF"
line=$(grep -n '@70000' "$CONF" | cut -d: -f1)
out=$(ctl reload); rc=$?
check "reload of a broken configuration fails" [ "$rc" -ne 0 ]
check "the error names the file and line" has "$out" "sandns.conf:$line: "
check "the previous snapshot is still served (a.test.)" rcode_is a.test. NOERROR
check "c.test. of the broken configuration is not served" rcode_is c.test. REFUSED
base_conf
echo "zone d.test. zones/missing.zone" >>"$CONF"
out=$(ctl reload); rc=$?
check "a zone file that cannot be read fails the reload" [ "$rc" -ne 0 ]
check "... naming the file" has "$out" "missing.zone"
check "a.test. still served" rcode_is a.test. NOERROR
check "d.test. not served" rcode_is d.test. REFUSED

# ---- 5. SIGHUP reads it again too
base_conf
echo "zone c.test. zones/c.test.zone" >>"$CONF"
kill -HUP "$PID"
ok_hup=0
for _ in $(seq 1 50); do
	rcode_is c.test. NOERROR >/dev/null 2>&1 && { ok_hup=1; break; }
	sleep 0.1
done
check "after SIGHUP c.test. is served again" [ "$ok_hup" = 1 ]

# ---- 6. signing switched on and off at run time: each moves the serial; a change elsewhere in
# the file keeps the signatures and the serial
soa_serial() { q "$PORT" c.test. SOA +short | awk '{ print $3 }'; }
dnskeys() { q "$PORT" c.test. DNSKEY +short | grep -c .; }
s0=$(soa_serial)
echo "dnssec c.test. nsec" >>"$CONF"
out=$(ctl reload)
s1=$(soa_serial)
check "dnssec added by reload: c.test. gets its DNSKEY" [ "$(dnskeys)" -ge 1 ]
check "... and a newer serial ($s0 -> $s1)" [ "${s1:-0}" -gt "${s0:-0}" ]
signed=$(grep -c 'zone c.test.: signed' "$TMP/sandnsd.log")
echo "identity conf-reload" >>"$CONF"
out=$(ctl reload)
check "an unrelated line added: c.test.'s serial stays ($(soa_serial))" [ "$(soa_serial)" = "$s1" ]
check "... and it is not signed again" [ "$(grep -c 'zone c.test.: signed' "$TMP/sandnsd.log")" = "$signed" ]
sed -i '/^dnssec c.test./d' "$CONF"
out=$(ctl reload)
s2=$(soa_serial)
check "dnssec removed by reload: no DNSKEY" [ "$(dnskeys)" = 0 ]
check "... and the serial moves on ($s1 -> $s2), so secondaries see the change" \
	[ "${s2:-0}" -gt "${s1:-0}" ]

# ---- the query loop lost nothing
touch "$TMP/load.stop"
wait "$LOAD_PID"
LOAD_PID=
res=$(tail -n 1 "$TMP/load.out")
echo "     query loop: $res"
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$res")
check "the query loop sent queries throughout" [ "${sent:-0}" -gt 200 ]
check "no query lost, none answered other than NOERROR" has "$res" "lost=0 bad=0"

stop_sandnsd
check "sandnsd stopped cleanly" [ $? -eq 0 ]
echo "conf-reload: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
