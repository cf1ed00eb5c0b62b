# SPDX-License-Identifier: BSD-3-Clause
# lib.sh: what the end-to-end scripts share (sourced): verdict counting, stopping a process we
# started, and a free loopback port. The caller sets `set -u` and its own die().

passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

# until_ok SECONDS CMD...: CMD succeeds within SECONDS (tried every 0.1 s, its output dropped)
until_ok() {
	local tenths=$(($1 * 10))
	shift
	for _ in $(seq 1 "$tenths"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid PID SECONDS NAME: SIGTERM to a child of this shell, SIGKILL after SECONDS; returns its
# exit status (wait works only in the shell that started it, hence a sourced function).
stop_pid() {
	local pid=$1 secs=$2 name=$3
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name (pid $pid) ignored SIGTERM for $secs s, killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null
}

# stop_sandnsd: ends the sandnsd this script started, its PID in $PID, within $STOP_SECS seconds
# (15 unless the script sets it: sanitizer builds take longer to exit); clears PID and returns
# sandnsd's exit status (0 when none runs).
stop_sandnsd() {
	local rc
	[ -n "${PID:-}" ] || return 0
	stop_pid "$PID" "${STOP_SECS:-15}" "$(basename "$0" .sh): sandnsd"
	rc=$?
	PID=
	return $rc
}

# pick_port START [AVOID]: a port free for UDP and TCP in 20000-31999, below the kernel's ephemeral
# ports (a client connection or TIME_WAIT there would make bind() fail), at most 100 tries from
# START (derive it from $$ so parallel runs start apart).
port_free() {
	# Captured, not piped into "grep -q": under pipefail a writer cut off by grep's early exit
	# fails the pipeline.
	[ -z "$(ss -Hanu "sport = :$1" 2>/dev/null)" ] &&
		[ -z "$(ss -Hant "( sport = :$1 or dport = :$1 )" 2>/dev/null)" ]
}
pick_port() {
	local p=$(( ($1 - 20000) % 12000 + 20000 ))
	for _ in $(seq 1 100); do
		if port_free "$p" && [ "$p" != "${2:-}" ]; then echo "$p"; return 0; fi
		p=$(( (p - 20000 + 7) % 12000 + 20000 ))
	done
	return 1
}

# wait_serving LOG PID [SECONDS]: waits (default 30 s: ASan builds start slower) for LOG to say
# "sandnsd: serving"; fails early when PID ends.
wait_serving() {
	local log=$1 pid=$2 secs=${3:-30}
	for _ in $(seq 1 $((secs * 10))); do
		grep -q '^sandnsd: serving' "$log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# new_port: a port for each sandnsd, picked when it starts (a stopped one may leave TIME_WAIT
# behind), other than TLSPORT's; sets PORT.
seq_port=0
new_port() {
	seq_port=$((seq_port + 1))
	PORT=$(pick_port $(( 20000 + ($$ * 2 + 1 + seq_port * 1000) % 12000 )) "${TLSPORT:-}") ||
		die "no free port"
}

# start_sandnsd NAME ARGS...: a sandnsd on a new port, control socket $TMP/NAME.sock, log
# $TMP/NAME.log, state directory $TMP/NAME.state (never the machine's), serving example.net from $SAMPLE; fails (and says why) when it does not come
# up within 30 s. Sets PORT, SOCK, LOG and PID (the caller declares them, with TMP and SAMPLE).
start_sandnsd() {
	local name=$1
	shift
	new_port
	SOCK=$TMP/$name.sock
	LOG=$TMP/$name.log
	"$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" --control "$SOCK" \
		--state-dir "$TMP/$name.state" --zone "example.net.=$SAMPLE/example.net.zone" "$@" \
		>"$LOG" 2>&1 &
	PID=$!
	if ! wait_serving "$LOG" "$PID"; then
		bad "sandnsd ($name) did not start serving within 30 s; its log:"
		sed 's/^/     /' "$LOG"
		stop_sandnsd
		return 1
	fi
	ok "sandnsd ($name) serving on 127.0.0.1@$PORT (pid $PID)"
}

# has TEXT PATTERN / hasnt TEXT PATTERN: grep TEXT, saying what was there when it fails.
has() { grep -q -- "$2" <<<"$1" || { echo "     no '$2' in: $(head -c 600 <<<"$1")"; return 1; }; }
hasnt() { ! grep -q -- "$2" <<<"$1" || { echo "     '$2' in: $(head -c 600 <<<"$1")"; return 1; }; }

# answer_of QNAME TYPE [kdig options]: the answer section's RDATA, sorted, on one line; answer_is
# QNAME TYPE EXPECTED [kdig options] compares it. Both ask through the caller's q() (kdig).
answer_of() {
	local name=$1 type=$2
	shift 2
	q "$name" "$type" +short "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
answer_is() {
	local name=$1 type=$2 want=$3
	shift 3
	local got
	got=$(answer_of "$name" "$type" "$@")
	[ "$got" = "$want" ] || { echo "     $name $type $*: got '$got', want '$want'"; return 1; }
}

# run_counted DESC COMMAND...: runs a checker that prints its own `ok ...`/`FAIL ...` lines
# (malformed.py, tcp_abuse.py), showing its output as it comes, and adds those lines to the
# counts. A non-zero exit without a FAIL line, or an exit 0 with no ok line, counts once as
# DESC. Leaves the output in $COUNTED_OUT and the exit status in $COUNTED_RC.
run_counted() {
	local desc=$1 f nok nfail
	shift
	f=$(mktemp "${TMPDIR:-/tmp}/sandns-counted.XXXXXX")
	"$@" 2>&1 | tee "$f"
	COUNTED_RC=${PIPESTATUS[0]}
	COUNTED_OUT=$(cat "$f")
	rm -f "$f"
	nok=$(grep -c '^ok ' <<<"$COUNTED_OUT")
	nfail=$(grep -c '^FAIL ' <<<"$COUNTED_OUT")
	passed=$((passed + nok))
	failed=$((failed + nfail))
	if [ "$COUNTED_RC" != 0 ] && [ "$nfail" = 0 ]; then
		bad "$desc (exit status $COUNTED_RC)"
	elif [ "$COUNTED_RC" = 0 ] && [ "$nok" = 0 ]; then
		ok "$desc"
	fi
}

# stat_of TEXT NAME: the value of NAME=N in sandnsctl stats output TEXT, from its last line
# that has it (the `total:` or `dataplane:` line); 0 when absent.
stat_of() {
	local v
	v=$(grep -o "\(^\| \)$2=[0-9]*" <<<"$1" | tail -n 1 | sed 's/.*=//')
	echo "${v:-0}"
}
