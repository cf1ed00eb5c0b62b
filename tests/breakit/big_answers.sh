#!/usr/bin/env bash
# big_answers.sh: answers with many RRsets, or an RRset larger than 64 KiB, come out as NODATA
# (NOERROR, AA, SOA) or SERVFAIL. Knot 3.2 answers them (TC where they do not fit).
# usage: big_answers.sh [SANDNSD]   (run from the source tree; port 2xxxx on 127.0.0.1)
set -u
SANDNSD=${1:-build/control/sandnsd}
T=$(mktemp -d)
PORT=$((20000 + $$ % 12000))
{
	printf '$ORIGIN ad.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n'
	# an AD site: 50 domain controllers behind one SRV, each with A and AAAA
	for i in $(seq 0 49); do
		echo "_ldap._tcp SRV 0 100 389 dc$i.ad.test."
		echo "dc$i A 192.0.2.$((i + 10))"
		echo "dc$i AAAA 2001:db8::$((i + 10))"
	done
	# a delegation with 48 in-bailiwick name servers, A and AAAA glue
	for i in $(seq 0 47); do
		echo "sub NS ns$i.sub.ad.test."
		echo "ns$i.sub A 192.0.3.$((i + 1))"
		echo "ns$i.sub AAAA 2001:db8:3::$((i + 1))"
	done
	# one TXT RRset of 300 x 255 octets (78 KiB): larger than any message
	for i in $(seq 1000 1299); do echo "huge TXT \"$i$(printf 'x%.0s' $(seq 1 250))\""; done
} >"$T/ad.zone"
"$SANDNSD" --foreground --io socket --listen 127.0.0.1@$PORT --control "$T/s.sock" \
	--zone "ad.test.=$T/ad.zone" >"$T/log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do grep -q '^sandnsd: serving' "$T/log" && break; sleep 0.1; done
for q in "_ldap._tcp.ad.test SRV +tcp" "x.sub.ad.test A +tcp" "huge.ad.test TXT +tcp"; do
	# shellcheck disable=SC2086
	echo "$q: $(kdig @127.0.0.1 -p $PORT $q | grep -Eo 'status: [A-Z]+|ANSWER: [0-9]+|AUTHORITY: [0-9]+' | tr '\n' ' ')"
done
kill "$PID"
wait "$PID"
rm -rf "$T"
# Seen (14:35 UTC, Knot 3.2 on the same zone in brackets):
#  _ldap._tcp.ad.test SRV: NOERROR ANSWER: 0 AUTHORITY: 1    [NOERROR ANSWER: 50 ADDITIONAL: 100]
#  x.sub.ad.test A:        SERVFAIL                          [NOERROR AUTHORITY: 48 ADDITIONAL: 96]
#  huge.ad.test TXT:       NOERROR ANSWER: 0 AUTHORITY: 1    [SERVFAIL]
