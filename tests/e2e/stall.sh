#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stall.sh: the control thread never waits on what an outsider controls (a TLS endpoint that
# accepts and never speaks, a FIFO where a certificate file or the serial-state file should be).
# With a tls:// source that stalls, `sandnsctl status` answers while a `policy reload`
# waits for the endpoint, a second `policy reload` meanwhile is told one is in progress, the
# first answers once its probe gives up, and SIGTERM during a stalled reload or periodic probe
# ends sandnsd within 2 s with status 0. A FIFO as --cert stops start-up at once (status 2,
# "not a regular file (a fifo)"), a certificate file replaced by a FIFO makes `policy reload`
# fail at once, and a FIFO as serial-state is refused with a warning while sandnsd starts. Two
# policy reloads sent in one write on one connection are both answered.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; waits are bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no openssl).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3

die() { echo "stall: $*" >&2; exit 1; }
skip() { echo "stall: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v openssl >/dev/null || skip "openssl not found (apt-get install openssl)"

TMP=$(mktemp -d /tmp/sandns-stall.XXXXXX)
PID=    # the sandnsd running now
EPPID=  # stall_endpoint.py
BGPID=  # a sandnsctl in the background
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	local rc=$?
	[ -z "$BGPID" ] || stop_pid "$BGPID" 5 "stall: sandnsctl" >/dev/null 2>&1
	[ -z "$EPPID" ] || stop_pid "$EPPID" 5 "stall: endpoint" >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "stall: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=
SOCK=
LOG=

ctl() { timeout 20 "$SANDNSCTL" --control "$SOCK" "$@"; }
now_ms() { date +%s%3N; }

# sigterm_within MS WHAT: SIGTERM to sandnsd; it must end within MS with status 0.
sigterm_within() {
	local limit=$1 what=$2 t0 rc=0 i
	t0=$(now_ms)
	kill -TERM "$PID"
	for i in $(seq 1 100); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$PID" 2>/dev/null; then
		bad "$what: sandnsd still running $(($(now_ms) - t0)) ms after SIGTERM"
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=
		return
	fi
	wait "$PID" || rc=$?
	local took=$(($(now_ms) - t0))
	PID=
	check "$what: sandnsd ended ${took} ms after SIGTERM (limit $limit), status $rc" \
		test "$took" -le "$limit" -a "$rc" = 0
}

# ---------------------------------------------------------------- a leaf and the endpoint
cd "$TMP" || die "cannot enter $TMP"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout leaf.key -out leaf.pem -days 30 -subj "/CN=mail.example.com" \
	-addext "subjectAltName=DNS:mail.example.com" >openssl.log 2>&1 ||
	die "openssl: $(tail -3 openssl.log)"
TLSPORT=$(pick_port $(( 20000 + ($$ * 7) % 12000 ))) || die "no free port"
$PY "$HERE/stall_endpoint.py" "$TLSPORT" leaf.pem leaf.key "$TMP/stall" >endpoint.log 2>&1 &
EPPID=$!
for _ in $(seq 1 50); do grep -q listening endpoint.log && break; sleep 0.1; done
grep -q listening endpoint.log || die "the endpoint did not start: $(cat endpoint.log)"
TLSSRC="tls://mail.example.com:$TLSPORT@127.0.0.1"

# ---------------------------------------------------------------- a stalled policy reload
start_sandnsd reload --cert "$TLSSRC" --serial-state "$TMP/serials" || exit 1
touch "$TMP/stall"
t0=$(now_ms)
ctl policy reload >"$TMP/reload1.out" 2>&1 &
BGPID=$!
sleep 0.3
# The endpoint holds the reload's probe now: status must not wait for it.
t1=$(now_ms)
out=$(ctl status 2>&1)
took=$(($(now_ms) - t1))
# Answered while the reload still waits (its probe gives up after 5 s): no bound on the time of
# one answer, which under a sanitizer on a loaded machine can take seconds.
waiting=0
kill -0 "$BGPID" 2>/dev/null && waiting=1
since=$(($(now_ms) - t0))
# And before the probe could have given up (5 s from the reload's start): a status held behind the
# reload would come just before the reload's own answer, its client maybe not yet gone.
check "status during a stalled policy reload answered (${took} ms, ${since} ms into the reload), the reload still waiting" \
	test -n "$(grep -i 'zones' <<<"$out")" -a "$waiting" = 1 -a "$since" -lt 4800
t1=$(now_ms)
out=$(ctl policy reload 2>&1)
took=$(($(now_ms) - t1))
check "a second policy reload meanwhile is told one is in progress (${took} ms)" \
	has "$out" "in progress"
check "... while the first still waits" kill -0 "$BGPID"
wait "$BGPID"
rc=$?
BGPID=
took=$(($(now_ms) - t0))
check "the stalled policy reload answers ok once its probe gives up (${took} ms, status $rc)" \
	test "$rc" = 0 -a "$took" -le 15000
check "... keeping the leaf seen before" grep -q "keeping the leaf" "$LOG"
out=$(ctl status 2>&1)
check "status after it answers" has "$out" "zones"
# A client that goes away while its reload waits: the reload still ends, nothing else notices.
n0=$(grep -c "policy reloaded" "$LOG")
timeout 0.5 "$SANDNSCTL" --control "$SOCK" policy reload >/dev/null 2>&1
out=$(ctl status 2>&1)
check "status after a waiting client went away" has "$out" "zones"
for _ in $(seq 1 80); do
	[ "$(grep -c "policy reloaded" "$LOG")" -gt "$n0" ] && break
	sleep 0.1
done
check "... its reload still ends (logged)" test "$(grep -c "policy reloaded" "$LOG")" -gt "$n0"
out=$(ctl status 2>&1)
check "... and status answers after it" has "$out" "zones"
# SIGTERM while a reload waits for the endpoint.
ctl policy reload >/dev/null 2>&1 &
BGPID=$!
sleep 0.5
sigterm_within 2000 "stalled policy reload"
wait "$BGPID" 2>/dev/null
BGPID=

# ---------------------------------------------------------------- a stalled periodic probe
rm -f "$TMP/stall"
start_sandnsd probe --cert "$TLSSRC" --cert-probe-interval 1 || exit 1
# The endpoint answering: the reply deferred for its fetch, in JSON as asked.
out=$(ctl json policy reload 2>&1)
check "json policy reload with a live endpoint" has "$out" '^{"version":1,"ok":true,"data":{"zones":'
# Two policy reloads in one write on one connection: answering the first reads the second, which
# waits for a fetch of its own; it must be answered too (it once was lost, its client left waiting).
n=$($PY - "$SOCK" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(1)
s.connect(sys.argv[1])
s.sendall(b"policy reload\npolicy reload\n")
data, deadline = b"", time.monotonic() + 20
while data.count(b"\n.\n") < 2 and time.monotonic() < deadline:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        continue
    if not chunk:
        break
    data += chunk
print(data.count(b"\n.\n"))
EOF
)
check "two policy reloads on one connection: both answered ($n of 2)" test "${n:-0}" = 2
touch "$TMP/stall"
sleep 1.2 # a probe is due every second: one is held by the endpoint now, for 5 s (its timeout)
t1=$(now_ms)
out=$(ctl status 2>&1)
took=$(($(now_ms) - t1))
# Waiting for the held probe would take 3.8 s at least.
check "status during a stalled periodic probe answered in ${took} ms (limit 3000)" \
	test "$took" -le 3000 -a -n "$(grep -i 'zones' <<<"$out")"
sigterm_within 2000 "stalled periodic probe"

# ---------------------------------------------------------------- FIFOs
mkfifo "$TMP/cert.fifo" "$TMP/serial.fifo" || die "mkfifo failed"
new_port
t1=$(now_ms)
timeout 15 "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
	--control "$TMP/fail.sock" --zone "example.net.=$SAMPLE/example.net.zone" \
	--state-dir "$TMP/fail.state" --cert "$TMP/cert.fifo" >"$TMP/fail.log" 2>&1
rc=$?
took=$(($(now_ms) - t1))
check "a FIFO as --cert stops start-up in ${took} ms with status 2 (got $rc)" \
	test "$rc" = 2 -a "$took" -le 2000
check "... saying it is not a regular file (a fifo)" \
	grep -q "cert.fifo: not a regular file (a fifo)" "$TMP/fail.log"

cp leaf.pem file.pem
start_sandnsd fifo --cert "$TMP/file.pem" || exit 1
rm -f file.pem && mkfifo file.pem
t1=$(now_ms)
out=$(ctl policy reload 2>&1)
took=$(($(now_ms) - t1))
check "policy reload with a FIFO as certificate file fails in ${took} ms (limit 5000)" \
	test "$took" -le 5000
check "... with the reason" has "$out" "not a regular file (a fifo)"
out=$(ctl status 2>&1)
check "status still answers" has "$out" "zones"
sigterm_within 2000 "after the FIFO certificate"

t1=$(now_ms)
start_sandnsd serial --serial-state "$TMP/serial.fifo"
took=$(($(now_ms) - t1))
check "a FIFO as serial-state does not hold the start (${took} ms)" test -n "$PID" -a "$took" -le 5000
check "... it is refused with a warning" grep -q "serial.fifo: not a regular file (a fifo)" "$LOG"
[ -z "$PID" ] || sigterm_within 2000 "after the FIFO serial-state"

echo "stall: $passed passed, $failed failed"
[ $failed -eq 0 ]
