#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh: installs what is missing (Debian 12, as root), builds sandns into build/ and serves the
# sample mail zones (zones/sample/) on 127.0.0.1 and ::1, port 5353, in the foreground until
# Ctrl-C. Prints the kdig and sandnsctl lines to try once sandnsd answers.
#
#   bash scripts/run.sh
#   SANDNS_PORT=5300 bash scripts/run.sh     # another port
#
# The control socket lives in build/run/ (SANDNS_RUN_DIR to change).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${SANDNS_PORT:-5353}
RUN_DIR=${SANDNS_RUN_DIR:-$ROOT/build/run}
SANDNSD=$ROOT/build/control/sandnsd
SANDNSCTL=$ROOT/build/control/sandnsctl

case "$PORT" in
'' | *[!0-9]*) echo "run.sh: SANDNS_PORT must be a port number" >&2; exit 2 ;;
esac

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
meson compile -C build

if ss -Hlnu "sport = :$PORT" 2>/dev/null | grep -q . ||
	ss -Hlnt "sport = :$PORT" 2>/dev/null | grep -q .; then
	echo "run.sh: port $PORT is already in use (an mDNS responder?); try SANDNS_PORT=5300" >&2
	exit 1
fi

listen=(--listen "127.0.0.1@$PORT")
# ::1 only where the loopback has IPv6
grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null &&
	listen+=(--listen "::1@$PORT")

mkdir -p "$RUN_DIR"
chmod 700 "$RUN_DIR"
LOG=$RUN_DIR/sandnsd.log
: >"$LOG"
SOCK=$RUN_DIR/sandns.sock

# sandnsd stays in the foreground, logging to stderr: shown here and kept in $LOG.
"$SANDNSD" --foreground --io socket "${listen[@]}" --control "$SOCK" \
	--zone "example.com.=$ROOT/zones/sample/example.com.zone" \
	--zone "example.net.=$ROOT/zones/sample/example.net.zone" \
	2> >(tee -a "$LOG" >&2) &
PID=$!

stop() {
	trap - INT TERM
	if kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
	fi
	wait "$PID" 2>/dev/null || true
	echo "run.sh: sandnsd stopped"
	exit 0
}
trap stop INT TERM

# Up to 30 s for "sandnsd: serving" and an answer to the first query we suggest.
up=0
for _ in $(seq 1 150); do
	kill -0 "$PID" 2>/dev/null || break
	if grep -q '^sandnsd: serving' "$LOG" &&
		kdig @127.0.0.1 -p "$PORT" +norec +time=1 +retry=0 autodiscover.example.com A \
			2>/dev/null | grep -q 'status: NOERROR'; then
		up=1
		break
	fi
	sleep 0.2
done
if [ $up = 0 ]; then
	if kill -0 "$PID" 2>/dev/null; then
		echo "run.sh: sandnsd does not answer on 127.0.0.1@$PORT after 30 s" >&2
		kill -TERM "$PID" 2>/dev/null || true
	fi
	wait "$PID" 2>/dev/null
	rc=$?
	echo "run.sh: sandnsd did not start (status $rc); its messages are above and in $LOG" >&2
	exit 1
fi

cat <<EOF

sandnsd is serving example.com and example.net on 127.0.0.1@$PORT${listen[3]:+ and ::1@$PORT} (pid $PID).
try:
  kdig @127.0.0.1 -p $PORT autodiscover.example.com A
  kdig @127.0.0.1 -p $PORT example.com MX
  kdig @127.0.0.1 -p $PORT anything.example.net A +tcp
  $SANDNSCTL --control $SOCK status
Ctrl-C stops it.

EOF

# Until Ctrl-C (the trap) or until sandnsd ends by itself.
set +e
wait "$PID"
rc=$?
echo "run.sh: sandnsd exited with status $rc" >&2
exit $rc
