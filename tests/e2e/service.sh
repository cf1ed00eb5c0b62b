#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# service.sh: sandnsd as a service. `meson install --destdir` puts the programs, the man pages
# (each renders without a warning and names every option of --help), the sample configuration,
# the unit (systemd-analyze verify) with its DPDK drop-in, sysusers.d and tmpfiles.d files in
# place; sandnsd speaks the notify protocol to a socket this test owns (READY=1 only once it
# serves and answers, RELOADING=1 with MONOTONIC_USEC then READY=1 around `sandnsctl reload` and
# SIGHUP, STOPPING=1 at SIGTERM); with `user nobody` (root only) no thread keeps a capability, the
# state directory and control socket are nobody's, and it still answers, reloads a changed zone
# and takes control requests; the pid file is written, held against a second sandnsd, removed at
# exit; --check-config lists every error of a bad file with its line (exit 2) and passes a good
# one and the installed sample (exit 0); with io dpdk as nobody (root, net_af_packet in
# namespaces of its own) only the main thread keeps capabilities, those the PMDs need at exit.
#
# Usage: service.sh [BUILD_DIR] (default ROOT/build). Environment: SANDNSD, SANDNSCTL, KEEP=1.
# Exit 77 (skipped) without python3 or kdig. Talks only to 127.0.0.1 and inside the namespaces it
# makes; ends only what it started, by PID.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
SANDNSD=${SANDNSD:-$BUILD/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$BUILD/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3

die() { echo "service: $*" >&2; exit 1; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ -x "$PY" ] || { echo "service: SKIP: no python3"; exit 77; }
command -v kdig >/dev/null || { echo "service: SKIP: kdig not found (knot-dnsutils)"; exit 77; }

TMP=$(mktemp -d /tmp/sandns-service.XXXXXX)
PID=
LPID=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	[ -n "$LPID" ] && stop_pid "$LPID" 5 listener >/dev/null 2>&1
	# the namespaces of the io dpdk part, once scripts/topo.sh is sourced
	declare -F topo_cleanup >/dev/null && topo_cleanup
	if [ "${KEEP:-0}" = 1 ]; then echo "service: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- meson install --destdir
DEST=$TMP/dest
if meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet >"$TMP/install.log" 2>&1; then
	ok "meson install --destdir"
else
	bad "meson install --destdir failed:"
	sed 's/^/     /' "$TMP/install.log"
fi
# installed FILE-PATTERN: the one file under DEST whose path ends in PATTERN
installed() { find "$DEST" -path "*/$1" -type f 2>/dev/null | head -1; }
for f in sbin/sandnsd bin/sandnsctl share/man/man8/sandnsd.8 share/man/man8/sandnsctl.8 \
	share/man/man5/sandnsd.conf.5 etc/sandns/sandnsd.conf.sample \
	lib/systemd/system/sandnsd.service lib/sysusers.d/sandns.conf lib/tmpfiles.d/sandns.conf \
	share/doc/sandns/examples/dpdk.conf; do
	check "installed: $f" test -n "$(installed "$f")"
done

# Each man page renders without a warning (groff's, and mandoc's where it is installed).
for m in man8/sandnsd.8 man8/sandnsctl.8 man5/sandnsd.conf.5; do
	page=$(installed "share/man/$m")
	[ -n "$page" ] || continue
	warn=$(LC_ALL=C MANWIDTH=80 man --warnings=w -l "$page" 2>&1 >/dev/null)
	check "man -l $m: renders without warnings" test -z "$warn"
	[ -z "$warn" ] || echo "     $warn" | head -5
	if command -v mandoc >/dev/null; then
		lint=$(mandoc -T lint -W warning "$page" 2>&1)
		check "mandoc -T lint $m: clean" test -z "$lint"
		[ -z "$lint" ] || echo "$lint" | head -5 | sed 's/^/     /'
	fi
done
if ! command -v mandoc >/dev/null; then
	echo "note mandoc not installed: the man pages are checked with man -l (groff) only"
fi
# Every option sandnsd --help lists is in sandnsd(8) or (as a key) in sandnsd.conf(5); every
# command of sandnsctl --help in sandnsctl(8).
pages=$(sed 's/\\-/-/g' "$(installed share/man/man8/sandnsd.8)" \
	"$(installed share/man/man5/sandnsd.conf.5)" 2>/dev/null)
missing=
for o in $("$SANDNSD" --help | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
	key=${o#--}
	[ "$key" = server-version ] && key=version
	grep -qw -- "$key" <<<"$pages" || missing="$missing $o"
done
check "every option of sandnsd --help is in sandnsd(8) or sandnsd.conf(5)${missing:+ (missing:$missing)}" \
	test -z "$missing"
ctlpage=$(sed 's/\\-/-/g' "$(installed share/man/man8/sandnsctl.8)" 2>/dev/null)
missing=
for c in $("$SANDNSCTL" --help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u); do
	grep -q -- "$c" <<<"$ctlpage" || missing="$missing $c"
done
check "every command of sandnsctl --help is in sandnsctl(8)${missing:+ (missing:$missing)}" \
	test -z "$missing"

# The unit: Type=notify, the check before the start, a reload that waits; systemd-analyze verify
# on a copy whose paths point into DEST (the installed programs and man pages), with and
# without the DPDK drop-in: no warning at all.
unit=$(installed lib/systemd/system/sandnsd.service)
if [ -n "$unit" ]; then
	check "unit: Type=notify" grep -q '^Type=notify$' "$unit"
	check "unit: ExecStartPre runs --check-config" grep -q '^ExecStartPre=.*sandnsd --check-config' "$unit"
	check "unit: ExecReload" grep -q '^ExecReload=.*sandnsctl .*reload' "$unit"
	prefix=$(sed -n 's|^ExecStart=\(.*\)/sbin/sandnsd .*|\1|p' "$unit")
	if command -v systemd-analyze >/dev/null; then
		sed "s|$prefix/|$DEST$prefix/|g" "$unit" >"$TMP/sandnsd.service"
		v=$(MANPATH=$DEST$prefix/share/man systemd-analyze verify "$TMP/sandnsd.service" 2>&1)
		check "systemd-analyze verify sandnsd.service: nothing to say" test -z "$v"
		[ -z "$v" ] || echo "$v" | head -8 | sed 's/^/     /'
		cat "$TMP/sandnsd.service" "$(installed share/doc/sandns/examples/dpdk.conf)" \
			>"$TMP/sandnsd-dpdk.service"
		v=$(MANPATH=$DEST$prefix/share/man systemd-analyze verify "$TMP/sandnsd-dpdk.service" 2>&1)
		check "systemd-analyze verify with the DPDK drop-in: nothing to say" test -z "$v"
		[ -z "$v" ] || echo "$v" | head -8 | sed 's/^/     /'
	else
		echo "note SKIP systemd-analyze verify: systemd-analyze is not installed"
	fi
fi
check "sysusers.d: the sandns system user" grep -q '^u *sandns ' "$(installed lib/sysusers.d/sandns.conf)"
check "tmpfiles.d: the state and run directories, the user's" \
	test "$(grep -c '^d .* sandns sandns' "$(installed lib/tmpfiles.d/sandns.conf)")" = 2

# ---------------------------------------------------------------- --check-config
# One bad file, errors on seven lines: every one is listed with its line, exit 2.
cat >"$TMP/bad.conf" <<EOF
zone example.net. $SAMPLE/example.net.zone
listen 127.0.0.1@70000
no-such-key yes
tcp-idle-timeout soon
zone example.org. $TMP/missing.zone
user no-such-user-sandns-test
cert $TMP/missing.pem
pid-file $TMP/nodir/sandnsd.pid
EOF
"$SANDNSD" --check-config --config "$TMP/bad.conf" >"$TMP/check.out" 2>&1
RC=$?
check "--check-config on a bad file: exit 2 (got $RC)" test "$RC" = 2
for l in 2 3 4 5 6 7 8; do
	check "--check-config: the error of line $l listed" grep -q "^$TMP/bad.conf:$l: " "$TMP/check.out"
done
check "--check-config: the missing zone file named" grep -q "bad.conf:5: zone example.org.: cannot read .*missing.zone" "$TMP/check.out"
lines=$(sed -n "s|^$TMP/bad.conf:\([0-9]*\): .*|\1|p" "$TMP/check.out" | tr '\n' ' ')
check "--check-config: the errors in the order of their lines ($lines)" \
	test "$lines" = "$(tr ' ' '\n' <<<"$lines" | grep . | sort -n | tr '\n' ' ')"
check "--check-config: no error for line 1" bash -c "! grep -q '^$TMP/bad.conf:1:' '$TMP/check.out'"
# An option's error is listed with the file's.
"$SANDNSD" --check-config --config "$TMP/bad.conf" --udp-workers 0 >"$TMP/check2.out" 2>&1
check "--check-config: an option's error listed too" grep -q '^--udp-workers: ' "$TMP/check2.out"
# What would stop the start later: the query log's directory, a log file's name, a socket path.
printf 'zone example.net. %s\nstate-dir %s\ndnstap %s/nodir/q.tap\nlog-target %s/%0300d.log\n' \
	"$SAMPLE/example.net.zone" "$TMP/gaps.state" "$TMP" "$TMP" 0 >"$TMP/gaps.conf"
"$SANDNSD" --check-config --config "$TMP/gaps.conf" >"$TMP/gaps.out" 2>&1
RC=$?
check "--check-config: dnstap's directory and a log file's name (exit $RC)" \
	test "$RC" = 2 -a -n "$(grep 'gaps.conf:3: dnstap .*nodir' "$TMP/gaps.out")" \
	-a -n "$(grep 'gaps.conf:4: log-target .*a file name of at most' "$TMP/gaps.out")"
[ "$failed" = 0 ] || sed 's/^/     /' "$TMP/check.out"
# What the check cannot see: the query log's file a link to a directory not there. The start
# fails, naming the line.
ln -s "$TMP/nodir/q.tap" "$TMP/dangling.tap"
new_port
printf 'zone example.net. %s\nstate-dir %s\ndnstap %s\nlisten 127.0.0.1@%s\ncontrol %s\n' \
	"$SAMPLE/example.net.zone" "$TMP/tap.state" "$TMP/dangling.tap" "$PORT" "$TMP/tap.sock" \
	>"$TMP/tap.conf"
timeout 20 "$SANDNSD" --foreground --io socket --config "$TMP/tap.conf" >"$TMP/tap.out" 2>&1
RC=$?
check "a query log that cannot be opened: no start, its line named (exit $RC)" \
	test "$RC" != 0 -a "$RC" != 124 -a -n "$(grep "tap.conf:3: dnstap .*dangling.tap.*not starting" "$TMP/tap.out")"

printf 'zone example.net. %s\nlisten 127.0.0.1@5353\nstate-dir %s\n' \
	"$SAMPLE/example.net.zone" "$TMP/good.state" >"$TMP/good.conf"
out=$("$SANDNSD" --check-config --config "$TMP/good.conf" 2>&1)
RC=$?
check "--check-config on a good file: exit 0 (got $RC: $out)" test "$RC" = 0
check "--check-config serves nothing and creates nothing" test ! -e "$TMP/good.state"
# The installed sample with a zone, this machine's user and places: valid.
sample=$(installed etc/sandns/sandnsd.conf.sample)
if [ -n "$sample" ]; then
	sed -e 's/^user sandns$/user nobody/' -e "s|^pid-file .*|pid-file $TMP/s.pid|" \
		-e "s|^control .*|control $TMP/s.sock|" -e "s|^state-dir .*|state-dir $TMP/s.state|" \
		"$sample" >"$TMP/sample.conf"
	echo "zone example.net. $SAMPLE/example.net.zone" >>"$TMP/sample.conf"
	out=$("$SANDNSD" --check-config --config "$TMP/sample.conf" 2>&1)
	RC=$?
	check "--check-config on the installed sample (with a zone): exit 0 (got $RC: $out)" \
		test "$RC" = 0
fi

# ---------------------------------------------------------------- the notify protocol, user
# The daemon's files where `nobody` can read them (zone) and write them (RUN: control socket,
# pid file), as tmpfiles.d makes /run/sandns.
chmod 755 "$TMP"
RUN=$TMP/run
mkdir -p "$RUN"
cp "$SAMPLE/example.net.zone" "$TMP/example.net.zone"
chmod 644 "$TMP/example.net.zone"
USER_ARGS=()
if [ "$(id -u)" = 0 ]; then
	chown nobody "$RUN"
	USER_ARGS=(--user nobody)
else
	echo "note not root: sandnsd keeps its user; the privilege checks are skipped"
fi
new_port
NSOCK=$TMP/notify.sock
NOUT=$TMP/notify.out
LOG=$TMP/d.log
: >"$NOUT"
"$PY" "$HERE/notify_listen.py" "$NSOCK" "$NOUT" "$PORT" "$LOG" &
LPID=$!
for _ in $(seq 1 100); do [ -S "$NSOCK" ] && break; sleep 0.1; done
[ -S "$NSOCK" ] || die "the notify listener did not bind $NSOCK"
SOCK=$RUN/ctl.sock
PIDFILE=$RUN/sandnsd.pid
NOTIFY_SOCKET=$NSOCK "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
	--control "$SOCK" --state-dir "$TMP/state" --pid-file "$PIDFILE" "${USER_ARGS[@]}" \
	--zone "example.net.=$TMP/example.net.zone" >"$LOG" 2>&1 &
PID=$!
# nlines PATTERN: how many notify messages match
nlines() { grep -c -- "$1" "$NOUT"; }
wait_notify() { # wait_notify PATTERN COUNT: at most 20 s (less once sandnsd is gone) for COUNT
	local gone=0
	for _ in $(seq 1 200); do
		[ "$(nlines "$1")" -ge "$2" ] && return 0
		if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
			gone=$((gone + 1))
			[ "$gone" -lt 10 ] || break
		fi
		sleep 0.1
	done
	echo "     notify messages so far:"; sed 's/^/       /' "$NOUT"
	return 1
}
check "READY=1 arrives" wait_notify '<READY=1>' 1
check "READY=1 comes after the serving line, and a query at that moment is answered" \
	grep -q '<READY=1>.*serving=yes answered=yes' "$NOUT"
check "READY=1 carries STATUS= and MAINPID=$PID" grep -q "<READY=1> <STATUS=serving 1 zone.*<MAINPID=$PID>" "$NOUT"
check "no RELOADING=1 before any reload" test "$(nlines RELOADING=1)" = 0

q() { kdig @127.0.0.1 -p "$PORT" +norec +time=2 +retry=0 "$@" 2>&1; }
check "the pid file holds sandnsd's pid" test "$(cat "$PIDFILE" 2>/dev/null)" = "$PID"

if [ ${#USER_ARGS[@]} -gt 0 ]; then
	uid=$(id -u nobody)
	allzero=yes
	for t in /proc/"$PID"/task/*; do
		st=$(cat "$t/status" 2>/dev/null) || continue
		for f in CapEff CapPrm CapInh CapAmb; do
			v=$(sed -n "s/^$f:\t*//p" <<<"$st")
			[ "$v" = 0000000000000000 ] || { allzero=no; echo "     $t: $f $v"; }
		done
		u=$(sed -n 's/^Uid:\t*//p' <<<"$st" | tr -s '\t ' ' ')
		[ "$u" = "$uid $uid $uid $uid" ] || { allzero=no; echo "     $t: Uid $u"; }
	done
	check "user nobody: every thread runs as nobody with no capability (CapEff, CapPrm, CapInh, CapAmb)" \
		test "$allzero" = yes
	check "user nobody: the state directory is nobody's" test "$(stat -c %U "$TMP/state")" = nobody
	check "user nobody: the control socket is nobody's" test "$(stat -c %U "$SOCK")" = nobody
	check "user nobody: logged" grep -q 'running as user nobody' "$LOG"
fi
check "it answers" has "$(q example.net SOA)" 'status: NOERROR'
out=$("$SANDNSCTL" --control "$SOCK" status 2>&1)
check "the control socket answers root (sandnsctl status)" has "$out" "example.net"
# sandnsctl --config: the control socket sandnsd's configuration names, a relative path taken
# from the file's directory (not sandnsctl's); a file without one is a usage error.
printf '# the daemon'"'"'s file\nzone example.net. x.zone\ncontrol %s   # relative\n' "$(basename "$SOCK")" \
	>"$(dirname "$SOCK")/ctl.conf"
out=$(cd / && "$SANDNSCTL" --config "$(dirname "$SOCK")/ctl.conf" status 2>&1)
check "sandnsctl --config FILE: the control socket FILE names" has "$out" "example.net"
printf 'zone example.net. x.zone\n' >"$TMP/noctl.conf"
out=$("$SANDNSCTL" --config "$TMP/noctl.conf" status 2>&1)
rc=$?
check "sandnsctl --config without a control line: exit 2, said ($rc)" \
	test "$rc" = 2 -a -n "$(grep 'has no control line' <<<"$out")"
# A long line (a comment) whose tail reads "control ..." from its 4096th octet, where a reader
# of 4 KiB lines would start a line: one line, no control line in it.
{
	printf 'zone example.net. x.zone   # '
	head -c $((4095 - 29)) /dev/zero | tr '\0' x
	printf 'control %s\n' "$SOCK"
} >"$TMP/longctl.conf"
out=$("$SANDNSCTL" --config "$TMP/longctl.conf" status 2>&1)
rc=$?
check "sandnsctl --config: a long line's tail is no control line (exit 2, $rc)" \
	test "$rc" = 2 -a -n "$(grep 'has no control line' <<<"$out")"
# A FIFO as the file: refused at once, never waited on.
mkfifo "$TMP/fifo.conf"
out=$(timeout 10 "$SANDNSCTL" --config "$TMP/fifo.conf" status 2>&1)
rc=$?
check "sandnsctl --config FIFO: refused at once (exit $rc), said" \
	test "$rc" != 124 -a -n "$(grep 'not a regular file' <<<"$out")"
# The FIFO as the control socket: no "Connection refused", but what is there.
out=$(timeout 10 "$SANDNSCTL" --control "$TMP/fifo.conf" status 2>&1)
rc=$?
check "sandnsctl --control FIFO: exit 2, not a socket but a fifo (exit $rc)" \
	test "$rc" = 2 -a -n "$(grep 'not a socket but a fifo' <<<"$out")"

# A changed zone, then `sandnsctl reload`: RELOADING=1 (with MONOTONIC_USEC) then READY=1, and
# the new record is served (read by the user the daemon now is).
sed -i -e 's/2024060101/2024060102/' "$TMP/example.net.zone"
echo 'svc-test 300 IN A 192.0.2.77' >>"$TMP/example.net.zone"
out=$("$SANDNSCTL" --control "$SOCK" reload 2>&1)
check "sandnsctl reload succeeds" has "$out" "reloaded"
check "reload: RELOADING=1 with MONOTONIC_USEC" wait_notify '<RELOADING=1> <MONOTONIC_USEC=[0-9][0-9]*>' 1
check "reload: READY=1 again after it" wait_notify '<READY=1>' 2
check "reload: RELOADING=1 comes before the second READY=1" \
	test "$(grep -n -m1 'RELOADING=1' "$NOUT" | cut -d: -f1)" -lt \
	"$(grep -n '<READY=1>' "$NOUT" | sed -n 2p | cut -d: -f1)"
check "reload: the changed zone is served" has "$(q svc-test.example.net A +short)" '192.0.2.77'
kill -HUP "$PID"
check "SIGHUP: RELOADING=1 then READY=1" wait_notify '<READY=1>' 3
check "SIGHUP: RELOADING=1 twice now" test "$(nlines RELOADING=1)" = 2

# A second sandnsd on the same pid file refuses to start, naming the first.
new_port
out=$(timeout 20 "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
	--state-dir "$TMP/state2" --pid-file "$PIDFILE" --zone "example.net.=$TMP/example.net.zone" 2>&1)
RC=$?
check "a second sandnsd on the pid file: exit 1 (got $RC)" test "$RC" = 1
check "a second sandnsd on the pid file: says who holds it" has "$out" "another sandnsd (pid $PID)"
check "the pid file still holds the first's pid" test "$(cat "$PIDFILE" 2>/dev/null)" = "$PID"

# SIGTERM: STOPPING=1, exit 0, the pid file and the control socket gone.
stop_sandnsd
RC=$?
check "SIGTERM: exit status 0 (got $RC)" test "$RC" = 0
check "SIGTERM: STOPPING=1" wait_notify '<STOPPING=1>' 1
check "the pid file is removed at exit" test ! -e "$PIDFILE"
check "the control socket is removed at exit" test ! -e "$SOCK"
# A pid file left by a sandnsd that died (nobody holds its lock) does not stop a start.
echo 999999 >"$PIDFILE"
start_sandnsd stale --pid-file "$PIDFILE"
check "a stale pid file is taken over" test "$(cat "$PIDFILE" 2>/dev/null)" = "$PID"
stop_sandnsd

# ---------------------------------------------------------------- io dpdk as nobody (root)
# net_af_packet in two namespaces (scripts/topo.sh): the main thread, which stops the dataplane,
# keeps exactly what the PMDs need at exit (svc.c), every other thread nothing; it answers,
# reloads as nobody and stops cleanly.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
	# shellcheck source=../../scripts/topo.sh
	. "$ROOT/scripts/topo.sh"
	TOPO_WHO=service
	SRVNS=sandns-svcs-$$ CLINS=sandns-svcc-$$ VS=svs$$ VC=svc$$
	if topo_pair "$SRVNS" "$VS" "$CLINS" "$VC"; then
		topo_eal eal af_packet "$VS" 0 "sandns$$-svc" --log-level=lib.eal:notice
		LOG=$TMP/dpdk.log
		ip netns exec "$SRVNS" "$SANDNSD" --foreground --io dpdk --user nobody \
			--zone "example.net.=$TMP/example.net.zone" --listen 198.18.0.2 \
			--control "$RUN/dpdk.sock" --state-dir "$TMP/dpdk.state" -- "${eal[@]}" >"$LOG" 2>&1 &
		PID=$!
		if wait_serving "$LOG" "$PID" 60; then
			# CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN, CAP_DAC_OVERRIDE, CAP_IPC_LOCK and,
			# where the kernel has it, CAP_BPF
			want=$(printf '%016x' $(( (1 << 12) | (1 << 13) | (1 << 21) | (1 << 1) | (1 << 14) |
				($(cat /proc/sys/kernel/cap_last_cap) >= 39 ? 1 << 39 : 0) )))
			main=$(sed -n 's/^CapEff:\t*//p' "/proc/$PID/status")
			check "dpdk as nobody: the main thread keeps what the PMDs need ($main, want $want)" \
				test "$main" = "$want"
			others=0
			for t in /proc/"$PID"/task/*; do
				[ "${t##*/}" = "$PID" ] && continue
				v=$(sed -n 's/^CapEff:\t*//p' "$t/status" 2>/dev/null)
				[ -z "$v" ] || [ "$v" = 0000000000000000 ] ||
					{ others=$((others + 1)); echo "     $(cat "$t/comm"): CapEff $v"; }
			done
			check "dpdk as nobody: every other thread keeps nothing" test "$others" = 0
			out=$(ip netns exec "$CLINS" kdig @198.18.0.2 +norec +time=2 +retry=1 example.net SOA 2>&1)
			check "dpdk as nobody: it answers" has "$out" 'status: NOERROR'
			out=$("$SANDNSCTL" --control "$RUN/dpdk.sock" reload 2>&1)
			check "dpdk as nobody: reload" has "$out" "reloaded"
			stop_sandnsd
			RC=$?
			check "dpdk as nobody: stops with status 0 (got $RC)" test "$RC" = 0
		else
			bad "dpdk as nobody: sandnsd did not serve; its log:"
			sed 's/^/     /' "$LOG"
			stop_sandnsd
		fi
	else
		bad "dpdk as nobody: cannot make the namespaces"
	fi
else
	echo "note not root: the io dpdk part as nobody is skipped"
fi

echo "service: $passed passed, $failed failed"
[ "$failed" = 0 ]
