#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# smoke.sh: sandnsd end to end on loopback: the sample zones answer over UDP and TCP, AXFR and
# its ACL, sandnsctl status, configuration and zone errors named by file and line, a good reload
# that changes the answers, one whose serial was not raised (warned about) and a broken one that
# keeps them, a clean exit on SIGTERM, signals while the zones load (SIGHUP remembered, SIGUSR1/2
# ignored, SIGTERM stops at once).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.1 and ::1; ends only the processes it started, by PID; waits are bounded.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3

die() { echo "smoke: $*" >&2; exit 1; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v kdig >/dev/null || die "kdig not found (apt-get install knot-dnsutils)"

TMP=$(mktemp -d /tmp/sandns-smoke.XXXXXX)
PID=
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "smoke: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(pick_port $(( 20000 + ($$ * 2 + 1) % 12000 ))) || die "no free port"

# ::1 only where the loopback has IPv6
HAVE_V6=0
grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null && HAVE_V6=1

# Runs sandnsd with ARGS in the foreground, expecting it to refuse to start: waits at most 20 s
# and leaves its exit status in $RC and its stderr in $TMP/fail.log.
run_failing() {
	timeout 20 "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
		--control "$TMP/fail.sock" --state-dir "$TMP/fail.state" "$@" >"$TMP/fail.log" 2>&1
	RC=$?
}

q() { kdig @127.0.0.1 -p "$PORT" +norec +time=2 +retry=0 "$@" 2>&1; }

# ---------------------------------------------------------------- errors before serving
# A configuration error names the file and the line, and sandnsd exits 2 without serving.
printf '# smoke test: line 3 is wrong\nzone example.com. %s\nlisten 127.0.0.1@70000\n' \
	"$SAMPLE/example.com.zone" >"$TMP/bad.conf"
run_failing --config "$TMP/bad.conf"
check "bad config: exit status 2 (got $RC)" test "$RC" = 2
check "bad config: message names bad.conf:3" has "$(cat "$TMP/fail.log")" "bad.conf:3"

# A zone file error names the file and the line, and sandnsd does not start.
{
	echo '$ORIGIN example.com.'
	echo '$TTL 300'
	echo '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300'
	echo '@ IN NS ns1'
	echo 'ns1 IN A 198.18.0.53'
	echo 'www IN A 198.18.0.300'
} >"$TMP/broken.zone"
run_failing --zone "example.com.=$TMP/broken.zone"
check "bad zone: startup fails (exit status $RC)" test "$RC" != 0 -a "$RC" != 124
check "bad zone: message names broken.zone:6" has "$(cat "$TMP/fail.log")" "broken.zone:6"

# The serials cannot be written to the state directory (a directory where its file should be:
# chmod stops no root): sandnsd does not start, naming the file and the reason.
mkdir -p "$TMP/fail.state/serials/x"
run_failing --zone "example.com.=$SAMPLE/example.com.zone"
check "serial state not writable at start: exit status 1 (got $RC)" test "$RC" = 1
check "serial state not writable at start: the file and the reason" \
	has "$(cat "$TMP/fail.log")" "serial-state $TMP/fail.state/serials: cannot write: Is a directory: not starting"
rm -rf "$TMP/fail.state"

# ---------------------------------------------------------------- serving the sample zones
# example.com is served from a copy that the reload checks below rewrite.
cp "$SAMPLE/example.com.zone" "$TMP/example.com.zone"
listen=(--listen "127.0.0.1@$PORT")
[ "$HAVE_V6" = 1 ] && listen+=(--listen "::1@$PORT")
"$SANDNSD" --foreground --io socket "${listen[@]}" --allow-transfer 127.0.0.0/8 \
	--control "$TMP/sandns.sock" --state-dir "$TMP/main.state" \
	--zone "example.com.=$TMP/example.com.zone" \
	--zone "example.net.=$SAMPLE/example.net.zone" >"$TMP/sandnsd.log" 2>&1 &
PID=$!
if ! wait_serving "$TMP/sandnsd.log" "$PID"; then
	echo "--- sandnsd log"
	cat "$TMP/sandnsd.log"
	die "sandnsd did not start serving within 30 s"
fi
ok "sandnsd serving on 127.0.0.1@$PORT$([ "$HAVE_V6" = 1 ] && echo " and ::1@$PORT") (pid $PID)"

check "autodiscover.example.com A" answer_is autodiscover.example.com A 198.18.0.25
check "autodiscover.example.com AAAA" answer_is autodiscover.example.com AAAA 2001:db8:25::25
out=$(q autodiscover.example.com A)
check "autodiscover.example.com: NOERROR" has "$out" "status: NOERROR"
check "autodiscover.example.com: authoritative (aa)" has "$out" "Flags: qr aa"
check "_autodiscover._tcp.example.com SRV: NXDOMAIN" \
	has "$(q _autodiscover._tcp.example.com SRV)" "status: NXDOMAIN"
check "example.com MX" answer_is example.com MX "10 mail.example.com."
check "www.example.com CNAME to the apex" answer_is www.example.com A "198.18.0.10 example.com."
check "example.net wildcard: anything.example.net A" \
	answer_is anything.example.net A 198.18.2.80
check "example.net wildcard: autodiscover.example.net A" \
	answer_is autodiscover.example.net A 198.18.2.80
check "example.net MX" answer_is example.net MX "10 mail.example.com."
check "TCP: mail.example.com AAAA +tcp" answer_is mail.example.com AAAA 2001:db8:25::25 +tcp
check "outside every zone: REFUSED" has "$(q www.example.invalid A)" "status: REFUSED"
if [ "$HAVE_V6" = 1 ]; then
	check "::1: owa.example.com A" test "$(kdig @::1 -p "$PORT" +norec +time=2 +retry=0 \
		+short owa.example.com A 2>&1)" = 198.18.0.25
fi

# AXFR: every record of the zone, SOA first and last (python3-dnspython counts the file)
want=$($PY -c 'import sys, dns.zone
z = dns.zone.from_file(sys.argv[1], "example.com.", relativize=False)
print(sum(len(rds) for _, node in z.nodes.items() for rds in node.rdatasets) + 1)' \
	"$SAMPLE/example.com.zone")
axfr=$(q example.com AXFR +tcp +noall +answer | grep -v '^;' | grep -c .)
check "AXFR example.com: $want records with the closing SOA (got $axfr)" test "$axfr" = "$want"
axfr_soa=$(q example.com AXFR +tcp +noall +answer | grep -v '^;' | sed -n '1p;$p' |
	awk '{print $4}' | tr '\n' ' ')
check "AXFR example.com: SOA first and last (got '$axfr_soa')" test "$axfr_soa" = "SOA SOA "
if [ "$HAVE_V6" = 1 ]; then
	# ::1 is not in --allow-transfer 127.0.0.0/8: no records
	n=$(kdig @::1 -p "$PORT" +time=2 +retry=0 example.com AXFR +tcp +noall +answer 2>&1 |
		grep -v '^;' | grep -c .)
	check "AXFR from ::1 (not allowed): no records (got $n)" test "$n" = 0
fi

# ---------------------------------------------------------------- the control socket
st=$("$SANDNSCTL" --control "$TMP/sandns.sock" status 2>&1)
rc=$?
check "sandnsctl status: exit 0 (got $rc)" test "$rc" = 0
check "sandnsctl status: lists example.com" has "$st" "example.com"
check "control socket mode 0600" test "$(stat -c %a "$TMP/sandns.sock" 2>/dev/null)" = 600

# sandnsctl --json: one document for every command, however it ends, with the exit status as
# documented: {"version":1,"ok":true,"data":{...}} or {"version":1,"ok":false,"error":"..."};
# no string in it holds a newline (lists are arrays).
# envelope RC OK [--control PATH] ARGS...: sandnsctl --json ARGS exits RC and prints that.
envelope() {
	local want_rc=$1 want_ok=$2 out rc sock=$TMP/sandns.sock
	shift 2
	if [ "$1" = --control ]; then
		sock=$2
		shift 2
	fi
	out=$("$SANDNSCTL" --control "$sock" --json "$@" 2>/dev/null)
	rc=$?
	$PY -c 'import json, sys
want_rc, rc, want_ok, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "true", sys.argv[4]
def lines_in(x, where):
	if isinstance(x, str) and "\n" in x:
		sys.exit("     a newline in %s: %r" % (where, x[:200]))
	for k, v in (x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else []):
		lines_in(v, "%s.%s" % (where, k))
if rc != want_rc:
	sys.exit("     exit %d, not %d: %r" % (rc, want_rc, out[:300]))
try:
	d = json.loads(out)  # the whole output: one document, nothing after it
except ValueError as e:
	sys.exit("     not one JSON document (%s): %r" % (e, out[:300]))
if not isinstance(d, dict) or d.get("version") != 1 or d.get("ok") is not want_ok:
	sys.exit("     not version 1 with ok %s: %r" % (want_ok, out[:300]))
if want_ok and not (isinstance(d.get("data"), dict) and "error" not in d):
	sys.exit("     ok without a data object, or with an error: %r" % out[:300])
if not want_ok and not (isinstance(d.get("error"), str) and d["error"]):
	sys.exit("     not ok without an error: %r" % out[:300])
if want_ok and "ok" in d["data"]:
	sys.exit("     an ok inside the data: %r" % out[:300])
lines_in(d, "")
if sys.argv[5:7] == ["explain", "www.example.com"]:
	x = d["data"]
	for k in ("records", "sources"):
		if not isinstance(x.get(k), list) or not x[k] or not all(isinstance(l, str) for l in x[k]):
			sys.exit("     explain: %s is not an array of lines: %r" % (k, x.get(k)))
	if not any(l.startswith("answer: www.example.com.") for l in x["records"]):
		sys.exit("     explain: no answer line in %r" % x["records"])
' "$want_rc" "$rc" "$want_ok" "$out" "$@"
}
check "--json status: version 1, ok, data, exit 0" envelope 0 true status
check "--json stats: the same" envelope 0 true stats
check "--json zone-status: the same" envelope 0 true zone-status
check "--json policy show: the same" envelope 0 true policy show
check "--json explain: the same, records and sources arrays of lines" \
	envelope 0 true explain www.example.com A
check "--json help: the same" envelope 0 true help
check "json status (the word): the same envelope" envelope 0 true json status
check "--json reload nosuch.: ok false, the error, exit 1" envelope 1 false reload nosuch.
check "--json an unknown command: ok false, the error, exit 1" envelope 1 false frobnicate
check "--json explain with one word: ok false (usage), exit 1" envelope 1 false explain www
check "--json to no daemon: ok false, the error, exit 2" \
	envelope 2 false --control "$TMP/nobody.sock" status
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" --json reload nosuch. 2>&1 >/dev/null)
check "--json reload nosuch.: the reason on stderr too" has "$out" "^sandnsctl: no zone nosuch. is configured$"

# ---------------------------------------------------------------- reloads
# A good change is served after `sandnsctl reload`.
sed -i -e 's/2024060101 ; serial/2024060102 ; serial/' \
	-e 's/^autodiscover    300     IN  A     198.18.0.25$/autodiscover    300     IN  A     198.18.0.26/' \
	"$TMP/example.com.zone"
grep -q '198.18.0.26' "$TMP/example.com.zone" || die "could not edit the zone copy"
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" reload 2>&1)
rc=$?
check "reload (good zone): exit 0 (got $rc: $out)" test "$rc" = 0
check "reload (good zone): new autodiscover A served" \
	answer_is autodiscover.example.com A 198.18.0.26
check "reload (good zone): new serial" has "$(q example.com SOA +short)" " 2024060102 "

# A change without a new serial is served, and said: secondaries would never ask for it.
stale="example.com.: zone file changed but its serial 2024060102 did not; secondaries will not see the change"
sed -i -e 's/^autodiscover    300     IN  A     198.18.0.26$/autodiscover    300     IN  A     198.18.0.28/' \
	"$TMP/example.com.zone"
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" reload 2>&1)
rc=$?
check "reload (changed, same serial): exit 0 (got $rc)" test "$rc" = 0
check "reload (changed, same serial): the reply warns" has "$out" "warning: $stale"
check "reload (changed, same serial): the log warns" grep -qF "$stale" "$TMP/sandnsd.log"
check "reload (changed, same serial): the change is served" \
	answer_is autodiscover.example.com A 198.18.0.28
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" --json reload 2>&1)
check "reload (unchanged): nothing to warn about (json: no warning)" has "$out" '"warnings":\[\]'
sed -i -e 's/^autodiscover    300     IN  A     198.18.0.28$/autodiscover    300     IN  A     198.18.0.26/' \
	"$TMP/example.com.zone"
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" --json reload 2>&1)
check "reload (changed back, same serial): json warnings name it" has "$out" "\"warnings\":\[\"$stale\"\]"

# A broken zone on reload changes nothing that is served, and says where it is broken.
cp "$TMP/example.com.zone" "$TMP/example.com.zone.good"
sed -i -e 's/2024060102 ; serial/2024060103 ; serial/' \
	-e 's/^autodiscover    300     IN  A     198.18.0.26$/autodiscover    300     IN  A     198.18.0.27/' \
	"$TMP/example.com.zone"
echo "broken                  IN  A     198.18.0.999" >>"$TMP/example.com.zone"
line=$(wc -l <"$TMP/example.com.zone")
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" reload 2>&1)
rc=$?
echo "     sandnsctl reload (broken zone) said ($rc): $out"
check "reload (broken zone): sandnsctl exits non-zero (got $rc)" test "$rc" != 0
check "reload (broken zone): the error names example.com.zone:$line" \
	has "$out$(cat "$TMP/sandnsd.log")" "example.com.zone:$line"
check "reload (broken zone): still serves the old autodiscover A" \
	answer_is autodiscover.example.com A 198.18.0.26
check "reload (broken zone): still serves the old serial" \
	has "$(q example.com SOA +short)" " 2024060102 "
check "reload (broken zone): example.net still served" \
	answer_is anything.example.net A 198.18.2.80
check "sandnsd still running after the failed reload" kill -0 "$PID"

# The zone mended, but its serials cannot be written (a directory where serial-state's file
# is): the reload fails naming the file and the reason, the last snapshot keeps serving; the
# next reload, the file writable again, publishes it with its serial on disk.
cp "$TMP/example.com.zone.good" "$TMP/example.com.zone"
sed -i -e 's/2024060102 ; serial/2024060103 ; serial/' \
	-e 's/^autodiscover    300     IN  A     198.18.0.26$/autodiscover    300     IN  A     198.18.0.27/' \
	"$TMP/example.com.zone"
mv "$TMP/main.state/serials" "$TMP/serials.kept"
mkdir -p "$TMP/main.state/serials/x"
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" reload 2>&1)
rc=$?
echo "     sandnsd reload (serials not writable) said ($rc): $out"
why="serial-state $TMP/main.state/serials: cannot write: Is a directory"
check "reload (serials not writable): sandnsctl exits non-zero (got $rc)" test "$rc" != 0
check "reload (serials not writable): the reply names the file and the reason" has "$out" "$why"
check "reload (serials not writable): the log says the previous snapshot is served" \
	grep -qF "$why: the new snapshot is not published, the previous one is still served" \
	"$TMP/sandnsd.log"
check "reload (serials not writable): still the old autodiscover A" \
	answer_is autodiscover.example.com A 198.18.0.26
check "reload (serials not writable): still the old serial" \
	has "$(q example.com SOA +short)" " 2024060102 "
rm -rf "$TMP/main.state/serials"
mv "$TMP/serials.kept" "$TMP/main.state/serials"
out=$("$SANDNSCTL" --control "$TMP/sandns.sock" reload 2>&1)
rc=$?
check "reload (serials writable again): exit 0 (got $rc: $out)" test "$rc" = 0
check "reload (serials writable again): the new autodiscover A" \
	answer_is autodiscover.example.com A 198.18.0.27
check "reload (serials writable again): the new serial" \
	has "$(q example.com SOA +short)" " 2024060103 "
check "reload (serials writable again): the serial on disk" \
	grep -q "^example.com. 2024060103 2024060103 " "$TMP/main.state/serials"

# ---------------------------------------------------------------- shutdown
stop_sandnsd
rc=$?
# Under ASan a leak or error found at exit shows here as a non-zero status.
check "SIGTERM: sandnsd exits with status 0 (got $rc)" test "$rc" = 0

# ---------------------------------------------------------------- response rate limiting
# 5 answers a second per client network and answer; every 2nd limited one truncated.
"$SANDNSD" --foreground --io socket "${listen[@]}" --control "$TMP/rrl.sock" \
	--state-dir "$TMP/rrl.state" --rate-limit 5 --rate-limit-slip 2 \
	--zone "example.com.=$SAMPLE/example.com.zone" >"$TMP/sandnsd.log" 2>&1 &
PID=$!
if wait_serving "$TMP/sandnsd.log" "$PID"; then
	ok "sandnsd --rate-limit 5 serving (pid $PID)"
	BURST="/usr/bin/python3 $(dirname "$0")/rrl_burst.py"
	# within_rate WHOLE SECONDS: at most 5 a second (one more second for the clocks' edges)
	within_rate() { [ "$1" -ge 5 ] && [ "$1" -le $((5 * ($2 + 1))) ]; }
	field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
	# Answering over UDP before the burst (another answer: another bucket): the burst waits 2 s
	# for its answers, which an ASan build on a loaded machine may not give right after start.
	for _ in $(seq 1 20); do
		q example.com SOA +short | grep -q hostmaster && break
		sleep 0.25
	done
	out=$($BURST 127.0.0.1 "$PORT" 200 mail.example.com)
	echo "     200 x mail.example.com A: $out"
	check "rrl: 5 whole answers a second ($out)" \
		within_rate "$(field whole "$out")" "$(field seconds "$out")"
	check "rrl: some limited answers go out truncated" test "$(field truncated "$out")" -gt 0
	check "rrl: the others are dropped" test "$(field silent "$out")" -gt 0
	out=$($BURST 127.0.0.1 "$PORT" 200 nx1.example.com nx2.example.com a.b.nx3.example.com)
	echo "     200 x random NXDOMAIN names: $out"
	check "rrl: random NXDOMAIN names share one bucket ($out)" \
		within_rate "$(field whole "$out")" "$(field seconds "$out")"
	out=$($BURST 127.0.0.1 "$PORT" 200 www.example.org mail.example.net x.test)
	echo "     200 x names outside our zones: $out"
	check "rrl: REFUSED answers share one bucket ($out)" \
		within_rate "$(field whole "$out")" "$(field seconds "$out")"
	check "rrl: TCP is never limited" answer_is mail.example.com A 198.18.0.25 +tcp
	if [ "$HAVE_V6" = 1 ]; then
		out=$($BURST ::1 "$PORT" 20 mail.example.com)
		check "rrl: another client network has its own buckets ($out)" \
			test "$(field whole "$out")" -ge 5
	fi
	st=$("$SANDNSCTL" --control "$TMP/rrl.sock" stats)
	check "rrl: stats count rrl-dropped" grep -Eq 'rrl-dropped=[1-9]' <<<"$st"
	check "rrl: stats count rrl-slipped" grep -Eq 'rrl-slipped=[1-9]' <<<"$st"
else
	bad "sandnsd --rate-limit 5 did not start"
fi
stop_sandnsd
rc=$?
check "SIGTERM (rate limiting): sandnsd exits with status 0 (got $rc)" test "$rc" = 0

# ---------------------------------------------------------------- signals during start-up
# A zone that takes a while to load. The signals are set up first thing in main(): SIGUSR1
# ignored (SigIgn in /proc shows it) says the process got there. A SIGHUP while loading is
# remembered and reloads once serving (as knotd and nsd do), SIGUSR1/SIGUSR2 are ignored at any
# time, SIGTERM while loading stops it at once with status 0 and a line saying so.
$PY - "$TMP/big.zone" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n@ NS ns1\n")
    f.write("ns1 A 192.0.2.1\n")
    f.writelines("h%d A 192.0.2.%d\n" % (i, i % 250 + 1) for i in range(120000))
PYEOF
# starting PID: waits (3 s at most) until PID ignores SIGUSR1, then says whether it still loads.
starting() {
	local pid=$1 log=$2 ign
	for _ in $(seq 1 300); do
		ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
		[ -n "$ign" ] && (( (16#$ign >> 9) & 1 )) && break
		sleep 0.01
	done
	check "start-up: SIGUSR1 is ignored from the start (SigIgn ${ign:-none})" \
		test -n "$ign" -a $(( (16#${ign:-0} >> 9) & 1 )) = 1
	check "start-up: ... while the zone still loads" sh -c "! grep -q '^sandnsd: serving' $log"
}
biglisten=(--listen "127.0.0.1@$PORT")
"$SANDNSD" --foreground --io socket "${biglisten[@]}" --control "$TMP/big.sock" \
	--zone "big.test.=$TMP/big.zone" >"$TMP/sandnsd.log" 2>&1 &
PID=$!
starting "$PID" "$TMP/sandnsd.log"
kill -HUP "$PID"
kill -USR1 "$PID"
kill -USR2 "$PID"
if wait_serving "$TMP/sandnsd.log" "$PID" 60; then
	ok "start-up: SIGHUP, SIGUSR1 and SIGUSR2 while loading: serving (pid $PID)"
	reloaded=0
	for _ in $(seq 1 600); do
		grep -q 'reloaded 1 zones .* on SIGHUP' "$TMP/sandnsd.log" && { reloaded=1; break; }
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	check "start-up: the SIGHUP that came while loading reloads once serving" test "$reloaded" = 1
	check "start-up: ... logged with how it was made (patched N names, or full compile)" \
		grep -Eq 'reloaded 1 zones .* on SIGHUP, (patched [0-9]+ names|full compile)$' "$TMP/sandnsd.log"
	kill -USR1 "$PID"
	kill -USR2 "$PID"
	sleep 0.2
	check "start-up: SIGUSR1 and SIGUSR2 while serving are ignored" kill -0 "$PID"
	check "start-up: it answers" answer_is h7.big.test A 192.0.2.8
else
	wait "$PID"
	bad "start-up: sandnsd did not survive SIGHUP/SIGUSR1/SIGUSR2 while loading (status $?)"
	PID=
fi
stop_sandnsd
rc=$?
check "start-up: then SIGTERM: status 0 (got $rc)" test "$rc" = 0
"$SANDNSD" --foreground --io socket "${biglisten[@]}" --control "$TMP/big.sock" \
	--zone "big.test.=$TMP/big.zone" >"$TMP/sandnsd.log" 2>&1 &
PID=$!
starting "$PID" "$TMP/sandnsd.log"
t0=$(date +%s%3N)
kill -TERM "$PID"
for _ in $(seq 1 40); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
took=$(($(date +%s%3N) - t0))
if kill -0 "$PID" 2>/dev/null; then
	bad "start-up: SIGTERM while loading: still running after $took ms"
	stop_sandnsd
else
	wait "$PID"
	rc=$?
	PID=
	check "start-up: SIGTERM while loading stops it in $took ms (limit 2000), status $rc" \
		test "$took" -le 2000 -a "$rc" = 0
	check "start-up: ... saying so" grep -q 'SIGTERM during start-up: stopping' "$TMP/sandnsd.log"
fi
# In the background the zones load before the fork: a SIGHUP meanwhile must reach the child.
"$SANDNSD" "${biglisten[@]}" --control "$TMP/bigbg.sock" --zone "big.test.=$TMP/big.zone" \
	>"$TMP/bigbg.out" 2>&1 &
P0=$!
starting "$P0" "$TMP/bigbg.out"
kill -HUP "$P0"
wait "$P0"
rc=$?
check "start-up, background: SIGHUP while loading, the parent returns 0 once the child serves (got $rc)" \
	test "$rc" = 0
BGPID=$(timeout 10 "$SANDNSCTL" --control "$TMP/bigbg.sock" status 2>/dev/null |
	sed -n 's/^sandnsd [^,]*, pid \([0-9]*\),.*/\1/p')
if [ -n "$BGPID" ] && kill -0 "$BGPID" 2>/dev/null; then
	reloaded=0
	for _ in $(seq 1 600); do
		timeout 10 "$SANDNSCTL" --control "$TMP/bigbg.sock" status 2>/dev/null |
			grep -q 'reloads: 1 done' && { reloaded=1; break; }
		sleep 0.1
	done
	check "start-up, background: the child reloads for that SIGHUP once serving" test "$reloaded" = 1
	kill -TERM "$BGPID"
	for _ in $(seq 1 100); do kill -0 "$BGPID" 2>/dev/null || break; sleep 0.1; done
	check "start-up, background: SIGTERM stops it within 10 s" sh -c "! kill -0 $BGPID 2>/dev/null"
	kill -0 "$BGPID" 2>/dev/null && kill -KILL "$BGPID"
else
	bad "start-up, background: no child serving ($(head -c 300 "$TMP/bigbg.out"))"
fi

# ---------------------------------------------------------------- in the background
# Without --foreground sandnsd forks; the child must still hear SIGHUP and SIGTERM (epoll hears
# a signalfd through the process that added it: the parent, unless the child adds it again).
out=$(timeout 30 "$SANDNSD" "${listen[@]}" --control "$TMP/bg.sock" --state-dir "$TMP/bg.state" \
	--zone "example.com.=$SAMPLE/example.com.zone" 2>&1)
rc=$?
check "background: sandnsd returns 0 once the child serves (got $rc)" test "$rc" = 0
BGPID=$(timeout 10 "$SANDNSCTL" --control "$TMP/bg.sock" status 2>/dev/null |
	sed -n 's/^sandnsd [^,]*, pid \([0-9]*\),.*/\1/p')
if [ -n "$BGPID" ] && kill -0 "$BGPID" 2>/dev/null; then
	ok "background: the child serves (pid $BGPID)"
	check "background: it answers" answer_is mail.example.com A 198.18.0.25
	kill -HUP "$BGPID"
	reloaded=0
	for _ in $(seq 1 50); do
		timeout 10 "$SANDNSCTL" --control "$TMP/bg.sock" status 2>/dev/null |
			grep -q 'reloads: 1 done' && { reloaded=1; break; }
		sleep 0.1
	done
	check "background: SIGHUP reloads the zones" test "$reloaded" = 1
	kill -TERM "$BGPID"
	for _ in $(seq 1 100); do kill -0 "$BGPID" 2>/dev/null || break; sleep 0.1; done
	check "background: SIGTERM stops it within 10 s" sh -c "! kill -0 $BGPID 2>/dev/null"
	kill -0 "$BGPID" 2>/dev/null && kill -KILL "$BGPID"
else
	bad "background: no pid from sandnsctl status ($out)"
fi

if [ $failed -ne 0 ]; then
	echo "--- sandnsd log"
	tail -n 40 "$TMP/sandnsd.log"
fi
echo "smoke: $passed passed, $failed failed"
[ $failed -eq 0 ]
