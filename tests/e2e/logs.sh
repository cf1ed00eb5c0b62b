#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# logs.sh: sandnsd's log targets (log-target, log-level) end to end, sandnsd on loopback:
#  1. files and levels: one file at debug, one at warning, stderr at the default level (info):
#     each line where its level lets it go, none elsewhere; file lines "TIMESTAMP LEVEL: text";
#     a bad target or level refused at start naming it;
#  2. logrotate: the file renamed, then SIGUSR1: a new file takes the lines from then on, the
#     renamed one none; renamed again, then `sandnsctl log-reopen`: the same; the new file is
#     made again when it went missing;
#  3. syslog (root, or an unprivileged user namespace: a private mount namespace whose /dev is
#     a tmpfs of our own, so that /dev/log is a python datagram socket of this test): the lines
#     arrive as "<PRI>TIMESTAMP sandnsd[PID]: text" at their level, facility daemon; with the
#     receiver gone, the lines go to stderr and stderr says so once; with it back, syslog has
#     the lines again and says it was unreachable; with no /dev/log at start, stderr says so
#     once and has every line.
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; every wait is bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no python3).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3

die() { echo "logs: $*" >&2; exit 1; }
skip() { echo "logs: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
[ -x "$PY" ] || skip "no $PY"
SANDNSD=$(cd "$(dirname "$SANDNSD")" && pwd)/$(basename "$SANDNSD")
SANDNSCTL=$(cd "$(dirname "$SANDNSCTL")" && pwd)/$(basename "$SANDNSCTL")

passed=0
failed=0
PID=
RECV=
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# ---------------------------------------------------------------- part 3, in its namespace
# (the script runs itself again there: `logs.sh --syslog-ns TMP`)
if [ "${1:-}" = --syslog-ns ]; then
	TMP=$2
	cleanup_ns() {
		local rc=$?
		[ -n "$RECV" ] && stop_pid "$RECV" 5 receiver
		stop_sandnsd >/dev/null 2>&1
		exit $rc
	}
	trap cleanup_ns EXIT
	# /dev of our own: what sandnsd and the shell use, and room for our /dev/log.
	mkdir -p "$TMP/olddev"
	mount --rbind /dev "$TMP/olddev" && mount -t tmpfs -o mode=755 sandns-dev /dev ||
		die "cannot mount a /dev of our own in the namespace"
	for n in null zero random urandom full; do
		touch "/dev/$n" && mount --bind "$TMP/olddev/$n" "/dev/$n" || die "cannot bind /dev/$n"
	done
	ln -s /proc/self/fd /dev/fd

	# receive: a datagram socket at /dev/log, each datagram a line of $TMP/syslog.txt
	receive() {
		rm -f /dev/log
		$PY - "$TMP/syslog.txt" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
EOF
		RECV=$!
		for _ in $(seq 1 50); do [ -S /dev/log ] && return 0; sleep 0.1; done
		die "the syslog receiver did not bind /dev/log"
	}
	# wait_for FILE PATTERN [SECONDS]: FILE has a line matching PATTERN within SECONDS (5)
	wait_for() {
		for _ in $(seq 1 $((${3:-5} * 10))); do
			grep -q -- "$2" "$1" 2>/dev/null && return 0
			sleep 0.1
		done
		echo "     no '$2' in $1: $(head -c 600 "$1" 2>/dev/null)"
		return 1
	}
	count() { grep -c -- "$2" "$1" 2>/dev/null; }
	ctl() { "$SANDNSCTL" --control "$SOCK" "$@" >/dev/null 2>&1; }

	receive
	new_port
	SOCK=$TMP/ns.sock
	LOG=$TMP/ns.log
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
		--state-dir "$TMP/ns.state" --zone "example.net.=$SAMPLE/example.net.zone" \
		--log-target "syslog level info" >"$LOG" 2>&1 &
	PID=$!
	check "syslog: the start-up line arrives, notice, facility daemon, with the pid" \
		wait_for "$TMP/syslog.txt" "^<29>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} sandnsd\[$PID\]: serving 1 zone" 30
	ctl reload
	check "syslog: an info line arrives as info" \
		wait_for "$TMP/syslog.txt" "^<30>.* sandnsd\[$PID\]: reloaded every zone"
	ctl status
	sleep 0.3
	check "syslog: a debug line, below the target's level, does not" \
		test "$(count "$TMP/syslog.txt" 'control: status')" = 0
	check "syslog: stderr has nothing while syslog takes the lines" \
		test ! -s "$LOG"

	# The receiver goes: the lines go to stderr, said once.
	stop_pid "$RECV" 5 receiver
	RECV=
	ctl reload
	ctl reload
	check "syslog gone: stderr says so" \
		wait_for "$LOG" "^sandnsd: syslog: cannot reach /dev/log (.*): messages for syslog go to stderr instead"
	check "syslog gone: the lines are on stderr" \
		test "$(count "$LOG" '^sandnsd: reloaded every zone')" = 2
	check "syslog gone: said once" test "$(count "$LOG" 'cannot reach /dev/log')" = 1
	# It comes back: after the retry interval (1 s) the lines reach it again, with a word.
	: >"$TMP/syslog.txt"
	receive
	sleep 1.2
	ctl reload
	check "syslog back: the line arrives" \
		wait_for "$TMP/syslog.txt" "sandnsd\[$PID\]: reloaded every zone"
	check "syslog back: it says the lines went to stderr meanwhile" \
		wait_for "$TMP/syslog.txt" "^<29>.*syslog is reachable again"
	check "syslog back: that line not on stderr" \
		test "$(count "$LOG" '^sandnsd: reloaded every zone')" = 2
	stop_sandnsd
	rc=$?
	check "SIGTERM: exit status 0 (got $rc)" test "$rc" = 0

	# No /dev/log at all when sandnsd starts.
	stop_pid "$RECV" 5 receiver
	RECV=
	rm -f /dev/log
	new_port
	LOG=$TMP/ns2.log
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
		--state-dir "$TMP/ns.state" --zone "example.net.=$SAMPLE/example.net.zone" \
		--log-target syslog >"$LOG" 2>&1 &
	PID=$!
	check "no /dev/log at start: stderr says so" \
		wait_for "$LOG" "^sandnsd: syslog: cannot reach /dev/log (No such file or directory)" 30
	check "no /dev/log at start: the start-up line is on stderr" \
		wait_for "$LOG" "^sandnsd: serving 1 zone" 30
	ctl reload
	check "no /dev/log: later lines on stderr too" wait_for "$LOG" "^sandnsd: reloaded every zone"
	check "no /dev/log: said once" test "$(count "$LOG" 'cannot reach /dev/log')" = 1
	stop_sandnsd
	echo "logs (syslog namespace): $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
fi

TMP=$(mktemp -d /tmp/sandns-logs.XXXXXX)
cleanup() {
	local rc=$?
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "logs: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ctl() { "$SANDNSCTL" --control "$SOCK" "$@"; }
# lines FILE LEVEL: how many lines of FILE are at LEVEL
lines() { grep -c "^[0-9-]*T[0-9:.]*[+-][0-9]\{4\} $2: " "$1" 2>/dev/null; }
# eventually COMMAND...: true within 3 s
eventually() {
	for _ in $(seq 1 30); do "$@" && return 0; sleep 0.1; done
	"$@"
}

# ---------------------------------------------------------------- 1. files and levels
start_sandnsd files --log-target "$TMP/debug.log level debug" \
	--log-target "$TMP/warn.log level warning" --log-target stderr --log-level info ||
	die "sandnsd did not start"
ctl status >/dev/null
ctl reload >/dev/null
ctl reload no.such.zone >/dev/null 2>&1
sleep 0.2
D=$(cat "$TMP/debug.log")
W=$(cat "$TMP/warn.log")
check "file: the lines have a timestamp and a level" \
	has "$D" "^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}[+-][0-9]\{4\} notice: serving 1 zone"
check "file at debug: debug lines" has "$D" " debug: control: status$"
check "file at debug: info lines" has "$D" " info: reloaded every zone"
check "file at debug: error lines" has "$D" " error: reload failed, still serving the previous snapshot: no zone no.such.zone"
check "file at warning: the error" has "$W" " error: reload failed, still serving the previous snapshot"
check "file at warning: nothing below warning" \
	test "$(lines "$TMP/warn.log" notice)$(lines "$TMP/warn.log" info)$(lines "$TMP/warn.log" debug)" = 000
check "file at warning: one line (the error)" test "$(wc -l <"$TMP/warn.log")" = 1
E=$(cat "$LOG")
check "stderr at the default level (info): info lines" has "$E" "^sandnsd: reloaded every zone"
check "stderr at info: no debug line" hasnt "$E" "control: status"

# ---------------------------------------------------------------- 2. logrotate
mv "$TMP/debug.log" "$TMP/debug.log.1"
kill -USR1 "$PID"
check "SIGUSR1: a new file" eventually test -s "$TMP/debug.log"
ctl reload >/dev/null
check "SIGUSR1: the new file takes the lines" \
	eventually grep -q " info: reloaded every zone" "$TMP/debug.log"
check "SIGUSR1: the renamed file none after it" \
	test "$(grep -c "reloaded every zone" "$TMP/debug.log.1")" = 1
check "SIGUSR1: the reopening is logged" has "$(cat "$TMP/debug.log")" " info: log files reopened"
mv "$TMP/debug.log" "$TMP/debug.log.2"
OUT=$(ctl log-reopen)
check "log-reopen: answered" has "$OUT" "^reopened 2 log files"
ctl reload >/dev/null
check "log-reopen: the new file takes the lines" \
	eventually grep -q " info: reloaded every zone" "$TMP/debug.log"
check "log-reopen: the renamed file none after it" \
	test "$(grep -c "reloaded every zone" "$TMP/debug.log.2")" = 1
check "the warning file is still written after two reopenings" \
	eventually test "$(grep -c " error: " "$TMP/warn.log")" = 1
ctl reload no.such.zone >/dev/null 2>&1
check "the warning file: the next error in it" \
	eventually test "$(grep -c " error: reload failed" "$TMP/warn.log")" = 2
OUT=$(ctl json log-reopen)
check "log-reopen (json)" has "$OUT" '"reopened":2'
stop_sandnsd
rc=$?
check "SIGTERM: exit status 0 (LeakSanitizer's verdict under ASan; got $rc)" test "$rc" = 0
check "stopped: the last lines in the files" has "$(cat "$TMP/debug.log")" " notice: stopped$"

# Refused at start, naming what is wrong (exit status 2, configuration).
OUT=$("$SANDNSD" --foreground --zone "example.net.=$SAMPLE/example.net.zone" \
	--state-dir "$TMP/bad.state" --log-target "$TMP/x.log level loud" 2>&1)
check "a bad level is refused, named" has "$OUT" "log-target $TMP/x.log: level loud: expected error, warning, notice, info or debug"
OUT=$("$SANDNSD" --foreground --zone "example.net.=$SAMPLE/example.net.zone" \
	--state-dir "$TMP/bad.state" --log-level chatty 2>&1)
check "a bad log-level is refused" has "$OUT" "log-level: expected error, warning, notice, info or debug, not 'chatty'"
OUT=$("$SANDNSD" --foreground --zone "example.net.=$SAMPLE/example.net.zone" \
	--state-dir "$TMP/bad.state" --log-target "$TMP" 2>&1)
check "a directory as the log file is refused" has "$OUT" "cannot open the log file $TMP: Is a directory"

# ---------------------------------------------------------------- 3. syslog, in a namespace
if [ "$(id -u)" = 0 ]; then
	run_counted "syslog namespace" unshare -m --propagation private "$BASH" "$0" --syslog-ns "$TMP"
elif unshare -rm true 2>/dev/null; then
	run_counted "syslog namespace" unshare -rm --propagation private "$BASH" "$0" --syslog-ns "$TMP"
else
	echo "logs: syslog part skipped: no mount namespace (neither root nor user namespaces)"
fi

echo "logs: $passed passed, $failed failed"
[ "$failed" = 0 ]
