#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# notify.sh: NOTIFY out (RFC 1996) to real secondaries. sandnsd is the primary of a copy of
# example.com (SOA refresh 7200 s) with `notify` lines for a Knot and an NSD secondary on
# loopback; both transfer it at start. Then: the zone file edited (serial and a record) and
# `sandnsctl reload`: both serve the new serial within 10 s; a certificate that changes the
# autodiscover decision and `policy reload`: both serve the policy's answer within 10 s; Knot
# stopped, the zone changed again: the NOTIFY to the dead port is tried a bounded number of
# times (5, about 15 s) and logged as failed once, `status` answering within 1 s meanwhile; Knot
# restarted on its stale copy (its refresh timer far away) catches up on `zone-notify`. Every
# NOTIFY, SOA query and transfer between them is signed with a TSIG key both secondaries require.
# A notify line for a zone not served, or naming a key not defined, stops the start with status 2.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KNOTD, NSD (default from PATH or
# /usr/sbin), KEEP=1 keeps the temporary dir with the configs and logs.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; waits are bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no knotd, nsd, kdig or openssl).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
KNOTD=${KNOTD:-$(PATH=$PATH:/usr/sbin:/sbin command -v knotd || true)}
NSD=${NSD:-$(PATH=$PATH:/usr/sbin:/sbin command -v nsd || true)}
SAMPLE=$ROOT/zones/sample

die() { echo "notify: $*" >&2; exit 1; }
skip() { echo "notify: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
{ [ -n "$KNOTD" ] && [ -x "$KNOTD" ]; } || skip "knotd not found (apt-get install knot)"
{ [ -n "$NSD" ] && [ -x "$NSD" ]; } || skip "nsd not found (apt-get install nsd)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"
command -v openssl >/dev/null || skip "openssl not found (apt-get install openssl)"

TMP=$(mktemp -d /tmp/sandns-notify.XXXXXX)
# The TSIG secret sandnsd shares with both secondaries (any base64 will do).
TSIG_SECRET=c2FuZG5zLW5vdGlmeS10ZXN0LWtleS0zMi1vY3RldHM=
PID=      # sandnsd
KNOT_PID= # knotd
NSD_PID=  # nsd (its main process; it ends its children)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

stop_knot() { [ -z "$KNOT_PID" ] || stop_pid "$KNOT_PID" 10 "notify: knotd"; KNOT_PID=; }
stop_nsd() { [ -z "$NSD_PID" ] || stop_pid "$NSD_PID" 10 "notify: nsd"; NSD_PID=; }
cleanup() {
	local rc=$?
	stop_knot >/dev/null 2>&1
	stop_nsd >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
		for f in "$TMP/main.log" "$TMP/knot.log" "$TMP/nsd.log"; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "notify: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=
SOCK=
LOG=
ctl() { timeout 20 "$SANDNSCTL" --control "$SOCK" "$@"; }
now_ms() { date +%s%3N; }
# sq PORT NAME TYPE: kdig against a secondary, short form
sq() { kdig @127.0.0.1 -p "$1" +norec +time=1 +retry=0 +short "$2" "$3" 2>/dev/null; }
serial_at() { sq "$1" example.com SOA | awk '{ print $3 }'; }
# within MS WHAT COMMAND...: polls COMMAND every 50 ms until it succeeds or MS pass; sets TOOK
within() {
	local limit=$1 t0
	shift
	t0=$(now_ms)
	while :; do
		if "$@"; then TOOK=$(($(now_ms) - t0)); return 0; fi
		TOOK=$(($(now_ms) - t0))
		[ "$TOOK" -ge "$limit" ] && return 1
		sleep 0.05
	done
}
serial_is() { [ "$(serial_at "$1")" = "$2" ]; }

# ---------------------------------------------------------------- ports, certificates, zone
new_port
KPORT=$PORT
NPORT=$(pick_port $(( (KPORT - 20000 + 3001) % 12000 + 20000 )) "$KPORT") || die "no port for nsd"
mkdir -p "$TMP/pki" "$TMP/knot/db" "$TMP/nsd"
cd "$TMP/pki" || die "cannot enter $TMP/pki"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 -new "${EC[@]}" -keyout ca.key -out ca.pem -days 30 \
	-subj "/CN=sandns notify test CA" >>openssl.log 2>&1 || die "openssl: CA: $(tail -3 openssl.log)"
# leaf NAME SANS: NAME.pem (leaf then CA)
leaf() {
	openssl req -new "${EC[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=mail.example.com" \
		>>openssl.log 2>&1 || return 1
	echo "subjectAltName=$2" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
		-days 30 -extfile "$1.ext" -out "$1.leaf" >>openssl.log 2>&1 || return 1
	cat "$1.leaf" ca.pem >"$1.pem"
}
# covers: autodiscover.example.com keeps its A; uncovered: A withheld, an SRV synthesized
leaf covers "DNS:mail.example.com,DNS:autodiscover.example.com" || die "openssl: $(tail -3 openssl.log)"
leaf uncovered "DNS:mail.example.com,DNS:owa.example.com" || die "openssl: $(tail -3 openssl.log)"
cd "$ROOT" || die "cannot enter $ROOT"
CERT=$TMP/cert.pem
cp "$TMP/pki/covers.pem" "$CERT"
ZONE=$TMP/example.com.zone
cp "$SAMPLE/example.com.zone" "$ZONE"
chmod u+w "$ZONE"

# ---------------------------------------------------------------- configuration errors
new_port
printf 'zone example.com. %s\nlisten 127.0.0.1@%s\nnotify example.org. 127.0.0.1@%s\n' \
	"$ZONE" "$PORT" "$KPORT" >"$TMP/bad1.conf"
timeout 15 "$SANDNSD" --foreground --config "$TMP/bad1.conf" >"$TMP/bad1.log" 2>&1
rc=$?
check "notify for a zone not served: exit 2 (got $rc)" test "$rc" = 2
check "... the message names file:line" has "$(cat "$TMP/bad1.log")" "bad1.conf:3: notify example.org."
printf 'zone example.com. %s\nlisten 127.0.0.1@%s\nnotify example.com. 127.0.0.1@%s key k1\n' \
	"$ZONE" "$PORT" "$KPORT" >"$TMP/bad2.conf"
timeout 15 "$SANDNSD" --foreground --config "$TMP/bad2.conf" >"$TMP/bad2.log" 2>&1
rc=$?
check "notify with an undefined TSIG key: refused, exit 2 (got $rc)" test "$rc" = 2
check "... saying the key is not defined, at file:line" \
	has "$(cat "$TMP/bad2.log")" "bad2.conf:3: .*no key k1 is defined"

# ---------------------------------------------------------------- the primary and its secondaries
{
	echo "zone example.com. $ZONE"
	# Signed (TSIG): the NOTIFYs, the secondaries' SOA queries and transfers; both secondaries
	# verify every message, and accept a NOTIFY only signed with k1.
	echo "key k1 hmac-sha256 $TSIG_SECRET"
	echo "allow-transfer 127.0.0.0/8 key k1"
	echo "cert $CERT"
	echo "notify example.com. 127.0.0.1@$KPORT key k1"
	echo "notify example.com. 127.0.0.1@$NPORT key k1"
} >"$TMP/sandns.conf"
# start_sandnsd serves example.net from the sample too (no notify lines: never NOTIFYed).
start_sandnsd main --config "$TMP/sandns.conf" || die "sandnsd did not start"
MAIN_PORT=$PORT

cat >"$TMP/knot.conf" <<EOF
server:
    rundir: "$TMP/knot"
    listen: 127.0.0.1@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$TMP/knot/db"
log:
  - target: "$TMP/knot.log"
    any: info
key:
  - id: k1
    algorithm: hmac-sha256
    secret: $TSIG_SECRET
remote:
  - id: primary
    address: 127.0.0.1@$MAIN_PORT
    key: k1
acl:
  - id: notify_from_primary
    address: 127.0.0.1
    key: k1
    action: notify
template:
  - id: default
    storage: "$TMP/knot"
    zonefile-sync: 0
    journal-content: changes
zone:
  - domain: example.com.
    file: "example.com.secondary"
    master: primary
    acl: notify_from_primary
EOF
start_knot() {
	"$KNOTD" -c "$TMP/knot.conf" >>"$TMP/knotd.out" 2>&1 &
	KNOT_PID=$!
}
cat >"$TMP/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$NPORT
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$TMP/nsd"
    database: ""
    pidfile: "$TMP/nsd/nsd.pid"
    xfrdfile: "$TMP/nsd/xfrd.state"
    xfrdir: "$TMP/nsd"
    zonelistfile: "$TMP/nsd/zone.list"
    logfile: "$TMP/nsd.log"
    verbosity: 2
    server-count: 1
    hide-version: yes
remote-control:
    control-enable: no
key:
    name: k1
    algorithm: hmac-sha256
    secret: "$TSIG_SECRET"
zone:
    name: example.com.
    zonefile: "example.com.secondary"
    request-xfr: AXFR 127.0.0.1@$MAIN_PORT k1
    allow-notify: 127.0.0.1 k1
EOF
start_knot
"$NSD" -d -c "$TMP/nsd.conf" >>"$TMP/nsd.out" 2>&1 &
NSD_PID=$!

FILE_SERIAL=2024060101
within 20000 serial_is "$KPORT" "$FILE_SERIAL"
check "knotd (pid $KNOT_PID) transferred example.com serial $FILE_SERIAL (${TOOK} ms)" \
	serial_is "$KPORT" "$FILE_SERIAL"
within 20000 serial_is "$NPORT" "$FILE_SERIAL"
check "nsd (pid $NSD_PID) transferred example.com serial $FILE_SERIAL (${TOOK} ms)" \
	serial_is "$NPORT" "$FILE_SERIAL"
# At start sandnsd NOTIFYed both (as Knot does when it loads a zone): both answered.
within 5000 grep -q "NOTIFY example.com. to 127.0.0.1@$KPORT: serial $FILE_SERIAL acknowledged" "$LOG"
check "NOTIFY at start acknowledged by knotd" \
	grep -q "NOTIFY example.com. to 127.0.0.1@$KPORT: serial $FILE_SERIAL acknowledged" "$LOG"
within 5000 grep -q "NOTIFY example.com. to 127.0.0.1@$NPORT: serial $FILE_SERIAL acknowledged" "$LOG"
check "NOTIFY at start acknowledged by nsd" \
	grep -q "NOTIFY example.com. to 127.0.0.1@$NPORT: serial $FILE_SERIAL acknowledged" "$LOG"
st=$(ctl status 2>&1)
check "status: knotd's last NOTIFY ok" has "$st" "notify example.com. to 127.0.0.1@$KPORT: serial $FILE_SERIAL ok"
check "status: nsd's last NOTIFY ok" has "$st" "notify example.com. to 127.0.0.1@$NPORT: serial $FILE_SERIAL ok"
JSON=$(ctl --json status 2>&1)
check "status --json: the targets with their result" python3 -c '
import json, sys
d = json.loads(sys.argv[1])["data"]
n = {x["target"]: x for x in d["notify"]}
assert n["127.0.0.1@'"$KPORT"'"]["result"] == "ok", n
assert n["127.0.0.1@'"$NPORT"'"]["serial"] == '"$FILE_SERIAL"', n
assert d["notify_counters"]["ok"] >= 2, d["notify_counters"]' "$JSON"

# ---------------------------------------------------------------- a zone reload
S2=2024060201
sed -i "s/2024060101 ; serial/$S2 ; serial/" "$ZONE"
echo "notify-test 300 IN TXT \"reload one\"" >>"$ZONE"
out=$(ctl reload 2>&1)
t0=$(now_ms)
check "reload: exit 0, serial $S2 served" has "$out" "zone example.com. serial $S2"
within 10000 serial_is "$KPORT" "$S2"
check "knotd serves serial $S2 within 10 s of the reload (took $(($(now_ms) - t0)) ms)" \
	serial_is "$KPORT" "$S2"
within 10000 serial_is "$NPORT" "$S2"
check "nsd serves serial $S2 within 10 s of the reload (took $(($(now_ms) - t0)) ms)" \
	serial_is "$NPORT" "$S2"
check "knotd has the new record" test "$(sq "$KPORT" notify-test.example.com TXT)" = '"reload one"'
check "nsd has the new record" test "$(sq "$NPORT" notify-test.example.com TXT)" = '"reload one"'

# ---------------------------------------------------------------- a policy reload
# The certificate stops covering autodiscover.example.com: its A is withheld and an SRV to
# mail.example.com synthesized, the served serial raised (docs/autodiscover-policy.md).
srv_at() { [ "$(sq "$1" _autodiscover._tcp.example.com SRV)" = "0 0 443 mail.example.com." ]; }
no_a_at() { [ -z "$(sq "$1" autodiscover.example.com A)" ] && serial_is "$1" "$S3"; }
check "before: knotd serves autodiscover.example.com A" \
	test "$(sq "$KPORT" autodiscover.example.com A)" = 198.18.0.25
cp "$TMP/pki/uncovered.pem" "$CERT"
out=$(ctl policy reload 2>&1)
t0=$(now_ms)
S3=$(ctl status | awk '$1 == "zone" && $2 == "example.com." { print $4 }' | tr -d ,)
check "policy reload: serial raised above $S2 (got '$S3')" test "${S3:-0}" -gt "$S2"
within 10000 srv_at "$KPORT"
check "knotd serves the synthesized SRV within 10 s of the policy reload (took $(($(now_ms) - t0)) ms)" \
	srv_at "$KPORT"
within 10000 srv_at "$NPORT"
check "nsd serves the synthesized SRV within 10 s of the policy reload (took $(($(now_ms) - t0)) ms)" \
	srv_at "$NPORT"
check "knotd: autodiscover.example.com A withheld, serial $S3" no_a_at "$KPORT"
check "nsd: autodiscover.example.com A withheld, serial $S3" no_a_at "$NPORT"

# ---------------------------------------------------------------- a target that does not answer
# knotd stopped: its port is dead. The zone changes; the NOTIFY to it is tried 5 times (1+2+4+4+4
# s) and given up with one log line, while status answers meanwhile.
stop_knot
sent0=$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["notify_counters"]["sent"])')
S4=2024060301
sed -i "s/$S2 ; serial/$S4 ; serial/" "$ZONE"
echo "notify-test2 300 IN TXT \"reload two\"" >>"$ZONE"
S4=$(ctl reload | awk '$1 == "zone" && $2 == "example.com." { print $4 }')
t0=$(now_ms)
worst=0
saw_sending=0
# Each answer that shows a try to the dead port in progress: "TRY MS" (the try's number, when the
# answer came). Two answers showing the same try at least a second apart were given while that
# try's answer was awaited (1, 2, then 4 s): the control thread did not wait for the target. No
# bound on one answer's time: under a sanitizer on a loaded machine, sandnsctl alone can take
# seconds to start.
: >"$TMP/tries_seen"
while [ $(($(now_ms) - t0)) -lt 12000 ]; do
	t1=$(now_ms)
	st=$(ctl status 2>&1)
	t2=$(now_ms)
	took=$((t2 - t1))
	[ "$took" -gt "$worst" ] && worst=$took
	try=$(sed -n "s/^.*notify example.com. to 127.0.0.1@$KPORT: serial $S4 sending (try \([0-9]*\) of.*$/\1/p" <<<"$st" | head -1)
	if [ -n "$try" ]; then
		saw_sending=1
		echo "$try $t2" >>"$TMP/tries_seen"
	fi
	sleep 0.2
done
# awaited: the longest time between two answers that showed the same try
awaited=$(awk '{ if (!($1 in lo)) lo[$1] = $2; hi[$1] = $2 }
	END { m = 0; for (t in lo) if (hi[t] - lo[t] > m) m = hi[t] - lo[t]; print m }' "$TMP/tries_seen")
check "status answered while a try awaited its answer (same try shown ${awaited} ms apart; slowest status ${worst} ms)" \
	test "$awaited" -ge 1000
check "status showed the NOTIFY to the dead port being tried" test "$saw_sending" = 1
fail_re="NOTIFY example.com. to 127.0.0.1@$KPORT: failed after 5 tries (timeout)"
within 10000 grep -q "$fail_re" "$LOG"
check "given up after 5 tries, about 15 s after the reload (took $(($(now_ms) - t0)) ms)" \
	grep -q "$fail_re" "$LOG"
sleep 1.5
n=$(grep -c "NOTIFY example.com. to 127.0.0.1@$KPORT: failed" "$LOG")
check "one failure line in the log (got $n)" test "$n" = 1
JSON=$(ctl --json status 2>&1)
tries=$(python3 -c 'import json, sys
d = json.loads(sys.argv[1])["data"]
print([x.get("tries") for x in d["notify"] if x["target"] == sys.argv[2]][0])' "$JSON" "127.0.0.1@$KPORT")
check "status --json: 5 tries to the dead port (got $tries)" test "$tries" = 5
sent1=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["data"]["notify_counters"]["sent"])' "$JSON")
# 5 to the dead port, 1 to nsd (2 if nsd was slow to answer the first)
check "6 datagrams sent: 5 to the dead port, 1 to nsd (got $((sent1 - sent0)))" \
	test "$((sent1 - sent0))" -ge 6 -a "$((sent1 - sent0))" -le 7
st=$(ctl status 2>&1)
check "status: the dead target failed after 5 tries" \
	has "$st" "notify example.com. to 127.0.0.1@$KPORT: serial $S4 failed .* after 5 tries (timeout)"
check "nsd got serial $S4 meanwhile" serial_is "$NPORT" "$S4"

# ---------------------------------------------------------------- zone-notify
# knotd back on its stale copy: its refresh timer (SOA refresh 7200 s) is far away.
start_knot
within 20000 serial_is "$KPORT" "$S3"
check "knotd restarted on its stale copy: serial $S3 (${TOOK} ms)" serial_is "$KPORT" "$S3"
sleep 1
check "knotd still serves the stale serial a second later" serial_is "$KPORT" "$S3"
out=$(ctl zone-notify example.com 2>&1)
rc=$?
t0=$(now_ms)
check "zone-notify example.com: exit 0 (got $rc: $out)" test "$rc" = 0
check "... names the serial and the targets" has "$out" "serial $S4: sending to 2 targets"
within 10000 serial_is "$KPORT" "$S4"
check "knotd catches up to serial $S4 within 10 s of zone-notify (took $(($(now_ms) - t0)) ms)" \
	serial_is "$KPORT" "$S4"
check "knotd's log shows the NOTIFY received" grep -qi "notify, incoming" "$TMP/knot.log"
out=$(ctl zone-notify example.org 2>&1)
rc=$?
check "zone-notify of a zone not served: exit 1 (got $rc)" test "$rc" = 1
check "... saying so" has "$out" "no zone example.org is configured"
out=$(ctl zone-notify example.net. 2>&1)
rc=$?
check "zone-notify of a zone without targets: exit 1 (got $rc)" test "$rc" = 1
check "... saying so" has "$out" "no notify targets"

stop_knot
stop_nsd
stop_sandnsd
rc=$?
check "sandnsd: SIGTERM exit status 0 (got $rc)" test "$rc" = 0

echo "notify: $passed passed, $failed failed"
[ $failed -eq 0 ]
