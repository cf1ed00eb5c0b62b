#!/usr/bin/env bash
# sighup_start.sh: SIGHUP (logrotate, `systemctl reload`) while sandnsd loads its zones kills it
# (default action, exit 129, no log line): the signals are blocked only in ctl_new(), after
# ctl_build() loaded every zone and probed every tls:// source. SIGUSR1 kills it at any time.
# usage: sighup_start.sh [SANDNSD]   (run from the source tree; port 2xxxx on 127.0.0.1)
set -u
SANDNSD=${1:-build/control/sandnsd}
T=$(mktemp -d)
PORT=$((20000 + $$ % 12000))
{
	printf '$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n'
	for i in $(seq 1 200000); do echo "h$i A 192.0.2.$((i % 250 + 1))"; done
} >"$T/big.zone"
"$SANDNSD" --foreground --io socket --listen 127.0.0.1@$PORT --control "$T/s.sock" \
	--zone "big.test.=$T/big.zone" >"$T/log" 2>&1 &
PID=$!
sleep 0.3
kill -HUP "$PID"
wait "$PID"
echo "SIGHUP 0.3 s after start: exit status $? (129: killed by SIGHUP); log: $(cat "$T/log")"
rm -rf "$T"
