#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# policy.sh: the autodiscover policy end to end on loopback (docs/autodiscover-policy.md).
# A throwaway CA signs two leaves: (a) mail+owa, which does not cover autodiscover, and (b)
# mail+autodiscover.example.com+autodiscover.example.net, which does. With (a) the autodiscover
# A/AAAA answer NODATA (also where only a wildcard answered), an SRV to mail.example.com is
# synthesized, the serial is raised and AXFR shows exactly that; `policy reload` with (b) brings
# the addresses back, one with a garbage file is refused and changes nothing; an unreadable
# --cert stops start-up with status 2; a live tls:// endpoint (openssl s_server) that changes its
# certificate flips the answer by itself; with --watch yes a replaced certificate file is picked
# up and a zone file broken in place is refused; and 30 zone reloads under 2000 qps of UDP load
# lose no query and never mix two versions of an RRset (reload_load.py).
#
# Environment: SANDNSD, SANDNSCTL (default build/control/...), KEEP=1 keeps the temporary dir,
# LOAD_SECS (10) and LOAD_RATE (2000) size the reload-under-load part.
# Talks only to 127.0.0.1; ends only the processes it started, by PID; waits are bounded.
# Exit status: 0 all passed, 1 a check failed, 77 skipped (no openssl, kdig or dnspython).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SANDNSD=${SANDNSD:-$ROOT/build/control/sandnsd}
SANDNSCTL=${SANDNSCTL:-$ROOT/build/control/sandnsctl}
SAMPLE=$ROOT/zones/sample
PY=/usr/bin/python3
LOAD_SECS=${LOAD_SECS:-10}
LOAD_RATE=${LOAD_RATE:-2000}
RELOADS=30

die() { echo "policy: $*" >&2; exit 1; }
skip() { echo "policy: SKIP: $*"; exit 77; }
[ -x "$SANDNSD" ] || die "no sandnsd at $SANDNSD (build first, or set SANDNSD)"
[ -x "$SANDNSCTL" ] || die "no sandnsctl at $SANDNSCTL (build first, or set SANDNSCTL)"
command -v kdig >/dev/null || skip "kdig not found (apt-get install knot-dnsutils)"
command -v openssl >/dev/null || skip "openssl not found (apt-get install openssl)"
$PY -c 'import dns.message, dns.query' 2>/dev/null ||
	skip "no dnspython for $PY (apt-get install python3-dnspython)"

TMP=$(mktemp -d /tmp/sandns-policy.XXXXXX)
PID=      # the sandnsd running now
TLSPID=   # openssl s_server
LOADPID=  # reload_load.py (under timeout)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

stop_tls() {
	[ -n "$TLSPID" ] || return 0
	stop_pid "$TLSPID" 5 "policy: openssl s_server"
	TLSPID=
	return 0
}

cleanup() {
	local rc=$?
	[ -z "$LOADPID" ] || stop_pid "$LOADPID" 5 "policy: reload_load.py" >/dev/null 2>&1
	stop_tls >/dev/null 2>&1
	stop_sandnsd >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "policy: kept $TMP"; else rm -rf "$TMP"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=
SOCK=
LOG=

# Runs sandnsd with ARGS in the foreground, expecting it to refuse to start: waits at most 15 s
# and leaves its exit status in $RC and its stderr in $TMP/fail.log.
run_failing() {
	new_port
	timeout 15 "$SANDNSD" --foreground --io socket --listen "127.0.0.1@$PORT" \
		--control "$TMP/fail.sock" --state-dir "$TMP/fail.state" "$@" >"$TMP/fail.log" 2>&1
	RC=$?
}

ctl() { "$SANDNSCTL" --control "$SOCK" "$@"; }
q() { kdig @127.0.0.1 -p "$PORT" +norec +time=2 +retry=0 "$@" 2>&1; }
# nodata NAME TYPE ZONE: NOERROR, authoritative, no answer, ZONE's SOA in authority (not NXDOMAIN)
nodata() {
	local name=$1 type=$2 zone=$3 out
	out=$(q "$name" "$type")
	if grep -q 'status: NOERROR' <<<"$out" && grep -q 'Flags: qr aa' <<<"$out" &&
		grep -q 'ANSWER: 0;' <<<"$out" &&
		grep -Eq "^${zone//./\\.}[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA[[:space:]]" <<<"$out"; then
		return 0
	fi
	echo "     $name $type: want NODATA (NOERROR aa, no answer, $zone SOA in authority), got:"
	grep -v '^$' <<<"$out" | head -n 16 | sed 's/^/       /'
	return 1
}
# no_answer NAME TYPE: NXDOMAIN or NODATA, nothing in the answer section
no_answer() {
	local out
	out=$(q "$1" "$2")
	if grep -Eq 'status: (NXDOMAIN|NOERROR)' <<<"$out" && grep -q 'ANSWER: 0;' <<<"$out"; then
		return 0
	fi
	echo "     $1 $2: want NXDOMAIN or NODATA, got:"
	grep -v '^$' <<<"$out" | head -n 16 | sed 's/^/       /'
	return 1
}
# The TTL of the SOA in the authority section of NAME TYPE's answer
neg_ttl() { q "$1" "$2" +noall +authority | awk '$4 == "SOA" { print $2; exit }'; }
serial_of() { q "$1" SOA +short | awk '{ print $3 }'; }
srv_ttl() { q "$1" SRV +noall +answer | awk '$4 == "SRV" { print $2; exit }'; }

# policy_line TEXT NAME FAMILY: the first line of `policy show` about NAME's FAMILY decision
policy_line() {
	local text=$1 name=$2 fam=$3
	local other=AAAA
	[ "$fam" = AAAA ] && other=A
	grep -F -- "$name" <<<"$text" | grep -w -- "$fam" | grep -vw -- "$other" |
		grep -Ew -- 'covered|suppress-existing-srv|synthesize-srv|keep-alert|foreign-cname|apex|absent' |
		head -n 1
}
# decision_says TEXT NAME FAMILY WORD [NOT-WORD...]: that line has WORD and none of NOT-WORD
decision_says() {
	local text=$1 name=$2 fam=$3 word=$4 line w
	shift 4
	line=$(policy_line "$text" "$name" "$fam")
	if ! grep -qw -- "$word" <<<"$line"; then
		echo "     no '$name' $fam line saying '$word' in policy show:"
		head -n 30 <<<"$text" | sed 's/^/       /'
		return 1
	fi
	for w in "$@"; do
		if grep -qw -- "$w" <<<"$line"; then
			echo "     '$name' $fam line also says '$w': $line"
			return 1
		fi
	done
}

# Every JSON check starts with this: sandnsctl's envelope, parsed, in env, and the command's
# document (its data) in d (or a one-line failure)
JSON_LOAD='import json, sys
t = sys.stdin.read()
try:
	env = json.loads(t)
except ValueError as e:
	sys.exit("     not JSON (%s): %r" % (e, t[:300]))
if not isinstance(env, dict) or env.get("version") != 1 or "data" not in env:
	sys.exit("     not an envelope of version 1 with data: %r" % t[:300])
d = env["data"]
'
# json_decision NAME FAMILY DECISION TARGET APPLIED: `policy show --json` (stdin) has that
# decision; TARGET or APPLIED '-' are not checked
JSON_DECISION=$JSON_LOAD'name, fam, want, target, applied = sys.argv[1:6]
found = [x for dom in d.get("domains", []) for x in dom.get("decisions", [])
	 if x.get("name") == name and x.get("family") == fam]
if len(found) != 1:
	sys.exit("     %d decisions for %s %s in %s" % (len(found), name, fam, json.dumps(d)[:600]))
x = found[0]
bad = []
if x.get("decision") != want: bad.append("decision")
if target != "-" and x.get("target") != target: bad.append("target")
if applied != "-" and x.get("applied") is not (applied == "true"): bad.append("applied")
if bad:
	sys.exit("     %s %s: wrong %s: %s" % (name, fam, ",".join(bad), json.dumps(x)))'
json_decision() { $PY -c "$JSON_DECISION" "$@" <<<"$JSON"; }
# json_cert SOURCE SAN...: `policy show --json` lists the certificate from SOURCE with those SANs
JSON_CERT=$JSON_LOAD'src, sans = sys.argv[1], sys.argv[2:]
c = [c for c in d.get("certificates", []) if c.get("source") == src]
if len(c) != 1:
	sys.exit("     %d certificates from %s in %s" % (len(c), src, json.dumps(d.get("certificates"))[:600]))
have = {s.lower().rstrip(".") for s in c[0].get("sans", [])}
miss = [s for s in sans if s.rstrip(".") not in have]
if miss:
	sys.exit("     %s: SANs %s missing from %s" % (src, miss, sorted(have)))'
json_cert() { $PY -c "$JSON_CERT" "$@" <<<"$JSON"; }
# json_serial DOMAIN SERIAL
json_serial() {
	$PY -c "$JSON_LOAD"'s = [x.get("serial") for x in d.get("domains", []) if x.get("domain") == sys.argv[1]]
if s != [int(sys.argv[2])]:
	sys.exit("     %s serial in policy show --json: %s, served %s" % (sys.argv[1], s, sys.argv[2]))' \
		"$@" <<<"$JSON"
}

# ---------------------------------------------------------------- certificates
# A throwaway CA (EC P-256) and two leaves. Leaf (a)'s subject CN is autodiscover.example.com:
# only SANs count (the CN never does unless --legacy-cn-fallback yes), so (a) does not cover it.
mkdir -p "$TMP/pki"
cd "$TMP/pki" || die "cannot enter $TMP/pki"
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 -new "${EC[@]}" -keyout ca.key -out ca.pem -days 30 \
	-subj "/CN=sandns policy test CA" >>openssl.log 2>&1 || die "openssl: CA: $(tail -3 openssl.log)"
# leaf NAME CN SANS: NAME.key, NAME.pem (leaf), NAME.chain.pem (leaf then CA)
leaf() {
	openssl req -new "${EC[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" \
		>>openssl.log 2>&1 || return 1
	echo "subjectAltName=$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
		-days 30 -extfile "$1.ext" -out "$1.pem" >>openssl.log 2>&1 || return 1
	cat "$1.pem" ca.pem >"$1.chain.pem"
}
leaf leafA autodiscover.example.com "DNS:mail.example.com,DNS:owa.example.com" ||
	die "openssl: leaf (a): $(tail -3 openssl.log)"
leaf leafB mail.example.com \
	"DNS:mail.example.com,DNS:autodiscover.example.com,DNS:autodiscover.example.net" ||
	die "openssl: leaf (b): $(tail -3 openssl.log)"
# leaf_dated NAME SANS START END: NAME.pem valid only from START to END (openssl ca: x509 -req
# cannot date a certificate back), for the certificates out of their validity period.
leaf_dated() {
	mkdir -p cadb && : >cadb/index.txt && openssl rand -hex 8 >cadb/serial || return 1
	printf '%s\n' '[ca]' 'default_ca = tca' '[tca]' 'database = cadb/index.txt' \
		'new_certs_dir = cadb' 'serial = cadb/serial' 'default_md = sha256' 'policy = any' \
		'unique_subject = no' '[any]' 'commonName = supplied' >ca.cnf
	openssl req -new "${EC[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=mail.example.com" \
		>>openssl.log 2>&1 || return 1
	echo "subjectAltName=$2" >"$1.ext"
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in "$1.csr" -out "$1.pem" \
		-startdate "$3" -enddate "$4" -extfile "$1.ext" -notext >>openssl.log 2>&1
}
leaf_dated expired "DNS:mail.example.com,DNS:owa.example.com" 20200101000000Z 20200201000000Z ||
	die "openssl: expired leaf: $(tail -3 openssl.log)"
leaf_dated future "DNS:mail.example.com,DNS:autodiscover.example.com" 20900101000000Z \
	20910101000000Z || die "openssl: not-yet-valid leaf: $(tail -3 openssl.log)"
printf -- '-----BEGIN CERTIFICATE-----\nnot a certificate at all\n-----END CERTIFICATE-----\n' \
	>garbage.pem
mkfifo fifo.pem || die "cannot make a FIFO"
cd "$ROOT" || die "cannot enter $ROOT"
PKI=$TMP/pki
sans_a=$(openssl x509 -in "$PKI/leafA.pem" -noout -ext subjectAltName 2>/dev/null | tail -n 1)
check "test CA signed leaf (a): $sans_a" has "$sans_a" "DNS:owa.example.com"

# ---------------------------------------------------------------- (a): not covered
CERT=$TMP/served-cert.pem
cp "$PKI/leafA.chain.pem" "$CERT"
cp "$SAMPLE/example.com.zone" "$TMP/example.com.zone"
start_sandnsd main --allow-transfer 127.0.0.0/8 --cert "$CERT" \
	--zone "example.com.=$TMP/example.com.zone" || die "sandnsd with --cert $CERT did not start"

check "(a) autodiscover.example.com A: NODATA" nodata autodiscover.example.com A example.com.
check "(a) autodiscover.example.com AAAA: NODATA" nodata autodiscover.example.com AAAA example.com.
ttl=$(neg_ttl autodiscover.example.com A)
check "(a) NODATA negative TTL min(SOA TTL, MINIMUM) = 300 (got '$ttl')" test "$ttl" = 300
check "(a) _autodiscover._tcp.example.com SRV 0 0 443 mail.example.com." \
	answer_is _autodiscover._tcp.example.com SRV "0 0 443 mail.example.com."
ttl=$(srv_ttl _autodiscover._tcp.example.com)
check "(a) synthesized SRV TTL 3600 (got '$ttl')" test "$ttl" = 3600
serial_a=$(serial_of example.com)
check "(a) example.com serial raised by one: 2024060102 (got '$serial_a')" \
	test "$serial_a" = 2024060102
check "(a) mail.example.com A unchanged" answer_is mail.example.com A 198.18.0.25
check "(a) owa.example.com AAAA unchanged" answer_is owa.example.com AAAA 2001:db8:25::25
check "(a) apex example.com A never suppressed" answer_is example.com A 198.18.0.10
check "(a) autodiscover.example.net A (wildcard only): NODATA" \
	nodata autodiscover.example.net A example.net.
check "(a) foo.example.net A: the wildcard still answers" answer_is foo.example.net A 198.18.2.80
check "(a) _autodiscover._tcp.example.net SRV 0 0 443 mail.example.com." \
	answer_is _autodiscover._tcp.example.net SRV "0 0 443 mail.example.com."
net_serial=$(serial_of example.net)
check "(a) example.net serial raised (got '$net_serial')" test "${net_serial:-0}" -gt 2024060101
check "(a) autodiscover.example.com TXT: NODATA, not NXDOMAIN (RFC 8020)" \
	nodata autodiscover.example.com TXT example.com.

axfr=$(q example.com AXFR +noall +answer | grep -v '^;')
srv=$(awk '$1 == "_autodiscover._tcp.example.com." && $4 == "SRV" { print $5, $6, $7, $8 }' \
	<<<"$axfr")
check "(a) AXFR example.com: has the SRV (got '$srv')" test "$srv" = "0 0 443 mail.example.com."
n=$(awk '$1 == "autodiscover.example.com." && ($4 == "A" || $4 == "AAAA")' <<<"$axfr" | grep -c .)
check "(a) AXFR example.com: no autodiscover A/AAAA (got $n)" test "$n" = 0
# A record below the withheld name keeps it in the transferred data (an empty non-terminal), so
# that a secondary answers NODATA for it too, not NXDOMAIN.
n=$(awk '$1 == "_sandns.autodiscover.example.com." && $4 == "TXT"' <<<"$axfr" | grep -c .)
check "(a) AXFR example.com: _sandns.autodiscover.example.com TXT keeps the name (got $n)" \
	test "$n" = 1
s=$(awk '$4 == "SOA" { print $7; exit }' <<<"$axfr")
check "(a) AXFR example.com: SOA serial 2024060102 (got '$s')" test "$s" = 2024060102
n=$(awk '$1 == "mail.example.com." && $4 == "A"' <<<"$axfr" | grep -c .)
check "(a) AXFR example.com: mail.example.com A still there (got $n)" test "$n" = 1

show=$(ctl policy show 2>&1)
rc=$?
check "(a) policy show: exit 0 (got $rc)" test "$rc" = 0
check "(a) policy show: synthesize-srv" has "$show" "synthesize-srv"
check "(a) policy show: the target mail.example.com." has "$show" "mail\.example\.com\."
certline=$(grep -F "certificate $CERT" <<<"$show" | head -n 1)
check "(a) policy show: 'certificate $CERT' line with its SANs" \
	has "$certline" "owa.example.com"
check "(a) policy show: domain example.com. line" has "$show" "^domain example\.com\."
check "(a) policy show: domain example.net. line" has "$show" "^domain example\.net\."
check "(a) policy show: autodiscover.example.com. A synthesize-srv" \
	decision_says "$show" autodiscover.example.com. A synthesize-srv
check "(a) policy show: autodiscover.example.com. AAAA synthesize-srv" \
	decision_says "$show" autodiscover.example.com. AAAA synthesize-srv
check "(a) policy show: the apex example.com. is reported as apex" has "$show" "apex"
JSON=$(ctl --json policy show 2>&1)
rc=$?
check "(a) policy show --json: exit 0 (got $rc)" test "$rc" = 0
check "(a) json: autodiscover.example.com. A synthesize-srv mail.example.com., applied" \
	json_decision autodiscover.example.com. A synthesize-srv mail.example.com. true
check "(a) json: autodiscover.example.net. A synthesize-srv, applied" \
	json_decision autodiscover.example.net. A synthesize-srv mail.example.com. true
check "(a) json: the certificate and its SANs" \
	json_cert "$CERT" mail.example.com owa.example.com
check "(a) json: example.com. serial is the served one" json_serial example.com. "$serial_a"
show_d=$(ctl policy show example.net. 2>&1)
rc=$?
check "(a) policy show example.net.: exit 0 (got $rc)" test "$rc" = 0
check "(a) policy show example.net.: no example.com. domain line" \
	hasnt "$show_d" "^domain example\.com\."
# The domain as a name, however written: case, no final dot, an escape.
show_e=$(ctl policy show 'EX\097mple.NET' 2>&1)
rc=$?
check "(a) policy show 'EX\\097mple.NET': example.net. shown (exit $rc)" \
	test "$rc" = 0 -a -n "$(grep '^domain example\.net\.' <<<"$show_e")"
ex=$(ctl explain autodiscover.example.com A 2>&1)
rc=$?
check "(a) explain autodiscover.example.com A: exit 0 (got $rc)" test "$rc" = 0
check "(a) explain autodiscover.example.com A: mentions the policy" has "$ex" "[Pp]olicy"

# A zone reload compiles the policy in again: same answers, and the serial does not go back
out=$(ctl reload example.com. 2>&1)
rc=$?
[ "$rc" = 0 ] || echo "     sandnsctl reload example.com. said ($rc): $out"
check "(a) reload example.com. (file unchanged): exit 0 (got $rc)" test "$rc" = 0
check "(a) after the zone reload: autodiscover.example.com A still NODATA" \
	nodata autodiscover.example.com A example.com.
check "(a) after the zone reload: the SRV still there" \
	answer_is _autodiscover._tcp.example.com SRV "0 0 443 mail.example.com."
s=$(serial_of example.com)
check "(a) after the zone reload: serial still $serial_a (got '$s')" test "$s" = "$serial_a"

# ---------------------------------------------------------------- policy check: a preview
# With (a) served, `policy check --cert` leaf (b) shows what (b) would do (the A back, the SRV
# gone, the serial raised) and changes nothing: same answers, serial, reload count, decisions.
status0=$(ctl status 2>&1 | grep -E '^(zone|snapshot|policy)' | sed 's/loaded [0-9]*s ago //')
pc=$(ctl policy check --cert "$PKI/leafB.chain.pem" 2>&1)
rc=$?
echo "$pc" | sed 's/^/     | /'
check "check: policy check --cert leaf (b): exit 0 (got $rc)" test "$rc" = 0
check "check: the certificate shown is leaf (b) with its SANs" \
	has "$pc" "^certificate $PKI/leafB.chain.pem: SANs mail.example.com autodiscover.example.com"
check "check: autodiscover.example.com. A: synthesize-srv (applied) => covered" \
	has "$pc" '^  autodiscover.example.com. A: synthesize-srv -> mail.example.com. (applied) => covered (reported)$'
check "check: autodiscover.example.com. AAAA: synthesize-srv (applied) => covered" \
	has "$pc" '^  autodiscover.example.com. AAAA: synthesize-srv -> mail.example.com. (applied) => covered (reported)$'
check "check: the apex decision is unchanged" has "$pc" '^  example.com. A: apex (reported), unchanged$'
check "check: the A record comes back, with its zone file line" \
	has "$pc" "^    + served again: $TMP/example.com.zone:[0-9]*: autodiscover.example.com.[[:space:]]*300[[:space:]]*IN[[:space:]]*A[[:space:]]*198.18.0.25$"
check "check: the SRV record goes" \
	has "$pc" '^    - withdrawn: _autodiscover._tcp.example.com. SRV 3600 0 0 443 mail.example.com.$'
check "check: example.com's serial would be raised past $serial_a" \
	has "$pc" "^domain example.com. serial $serial_a -> $((serial_a + 1)) (file 2024060101)$"
check "check: the wildcard's name example.net is shown too" \
	has "$pc" '^  autodiscover.example.net. A: synthesize-srv -> mail.example.com. (applied) => covered (reported)$'
check "check: the summary: 2 of 2 domains would change" \
	has "$pc" '^policy check: 2 of 2 domains would change; nothing was published$'
pc=$(ctl policy check --cert "$PKI/leafB.chain.pem" --zone example.net 2>&1)
check "check: --zone example.net: only that domain" \
	test -n "$(grep '^domain example.net. ' <<<"$pc")" -a -z "$(grep '^domain example.com. ' <<<"$pc")"
JSON=$(ctl --json policy check --cert "$PKI/leafB.chain.pem" --zone example.com. 2>&1)
check "check: --json: before and after of autodiscover.example.com. A, the SRV going" \
	$PY -c "$JSON_LOAD"'
dom = d["domains"]
assert env["ok"] is True and d["preview"] is True and len(dom) == 1, env
x = [x for x in dom[0]["decisions"] if x["name"] == "autodiscover.example.com." and x["family"] == "A"]
assert len(x) == 1 and x[0]["changed"], x
assert x[0]["before"]["decision"] == "synthesize-srv" and x[0]["before"]["applied"], x
assert x[0]["after"]["decision"] == "covered" and not x[0]["after"]["applied"], x
assert dom[0]["serial"] == int(sys.argv[1]) and dom[0]["serial_after"] == int(sys.argv[1]) + 1, dom
assert "withdrawn: _autodiscover._tcp.example.com. SRV 3600 0 0 443 mail.example.com." in dom[0]["served_removed"], dom
assert dom[0]["edits"] == [] and d["domains_changed"] == 1, dom' "$serial_a" <<<"$JSON"
# Relative to sandnsctl's directory: sandnsctl names the file to sandnsd from its own.
pc=$(cd "$PKI" && "$SANDNSCTL" --control "$SOCK" policy check --cert leafB.pem --zone example.com 2>&1)
rc=$?
check "check: a relative --cert (leafB.pem in $PKI): exit 0 (got $rc)" test "$rc" = 0
check "check: ... read as $PKI/leafB.pem" has "$pc" "^certificate $PKI/leafB.pem: "
out=$(ctl lookup --cert "$PKI/leafB.chain.pem" autodiscover.example.com A 2>&1)
check "check: lookup --cert leaf (b): the preview's A record" \
	has "$out" '^autodiscover.example.com.[[:space:]]*300[[:space:]]*IN[[:space:]]*A[[:space:]]*198.18.0.25$'
out=$(ctl lookup autodiscover.example.com A 2>&1)
check "check: lookup without --cert: the served NODATA" test "$out" = "rcode NOERROR"
# What does not change: the answers, the serial, the decisions, the reload count.
check "check: after it, autodiscover.example.com A still NODATA" \
	nodata autodiscover.example.com A example.com.
check "check: ... the SRV still served" \
	answer_is _autodiscover._tcp.example.com SRV "0 0 443 mail.example.com."
check "check: ... autodiscover.example.net A still NODATA" nodata autodiscover.example.net A example.net.
s=$(serial_of example.com)
check "check: ... serial still $serial_a (got '$s')" test "$s" = "$serial_a"
status1=$(ctl status 2>&1 | grep -E '^(zone|snapshot|policy)' | sed 's/loaded [0-9]*s ago //')
check "check: ... status unchanged (zones, serials, reloads, policy)" test "$status0" = "$status1"
JSON=$(ctl --json policy show 2>&1)
check "check: ... policy show still has the served decision" \
	json_decision autodiscover.example.com. A synthesize-srv mail.example.com. true
check "check: ... and the served certificate" json_cert "$CERT" mail.example.com owa.example.com
# Refused with the reason, at once, and the daemon answers meanwhile.
# check_refused DESC FILE PATTERN: policy check --cert FILE exits 1 (within the 10 s timeout) saying PATTERN
check_refused() {
	local t0 ms out rc
	t0=$(date +%s%N)
	out=$(timeout 10 "$SANDNSCTL" --control "$SOCK" policy check --cert "$2" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "check: $1: exit 1 (got $rc, $ms ms: $out)" test "$rc" = 1
	check "check: $1: the reason names the file" has "$out" "^sandnsctl: policy check: $2: $3"
	check "check: $1: status answers at once after it" timeout 2 "$SANDNSCTL" --control "$SOCK" status
}
check_refused "a FIFO" "$PKI/fifo.pem" "not a regular file (a fifo)"
check_refused "a missing file" "$PKI/no-such.pem" "cannot open: No such file or directory"
check_refused "garbage PEM" "$PKI/garbage.pem" "the first certificate does not parse"
check_refused "a zone file" "$TMP/example.com.zone" "not a certificate"
check_refused "a directory" "$PKI" "not a regular file (a directory)"
out=$(ctl policy check --cert "$PKI/leafB.pem" --zone example.org 2>&1)
rc=$?
check "check: --zone example.org (not served): exit 1 saying so (got $rc: $out)" \
	test "$rc" = 1 -a "$out" = "sandnsctl: policy check: example.org is not a served zone"
out=$(ctl policy check --cert "tls://mail.example.com:443@127.0.0.1" 2>&1)
rc=$?
check "check: a tls:// source: exit 1, files only (got $rc: $out)" \
	test "$rc" = 1 -a -n "$(grep 'certificate files only' <<<"$out")"
out=$(ctl policy check --cert "$PKI/future.pem" --zone example.com 2>&1)
rc=$?
check "check: a not-yet-valid leaf: exit 1 (got $rc)" test "$rc" = 1
check "check: ... the reason" \
	has "$out" "^sandnsctl: policy check: certificate $PKI/future.pem is not yet valid (not before 2090-01-01T00:00:00Z): clients will refuse it"
check "check: ... and the preview all the same (its names decide)" \
	has "$out" '^  autodiscover.example.com. A: synthesize-srv -> mail.example.com. (applied) => covered (reported)$'
s=$(serial_of example.com)
check "check: after the refusals: serial still $serial_a (got '$s')" test "$s" = "$serial_a"

# ---------------------------------------------------------------- (b): covered
cp "$PKI/leafB.chain.pem" "$CERT"
out=$(ctl policy reload 2>&1)
rc=$?
[ "$rc" = 0 ] || echo "     sandnsctl policy reload said ($rc): $out"
check "(b) policy reload: exit 0 (got $rc)" test "$rc" = 0
check "(b) autodiscover.example.com A back" answer_is autodiscover.example.com A 198.18.0.25
check "(b) autodiscover.example.com AAAA back" \
	answer_is autodiscover.example.com AAAA 2001:db8:25::25
check "(b) _autodiscover._tcp.example.com SRV: gone" no_answer _autodiscover._tcp.example.com SRV
serial_b=$(serial_of example.com)
check "(b) example.com serial higher than $serial_a (got '$serial_b')" \
	test "${serial_b:-0}" -gt "${serial_a:-0}"
check "(b) autodiscover.example.net A: the wildcard answers again" \
	answer_is autodiscover.example.net A 198.18.2.80
check "(b) _autodiscover._tcp.example.net SRV: gone" no_answer _autodiscover._tcp.example.net SRV
show=$(ctl policy show 2>&1)
check "(b) policy show: autodiscover.example.com. A covered" \
	decision_says "$show" autodiscover.example.com. A covered synthesize-srv suppress-existing-srv
JSON=$(ctl --json policy show 2>&1)
check "(b) json: autodiscover.example.com. A covered, not applied" \
	json_decision autodiscover.example.com. A covered - false
check "(b) json: autodiscover.example.net. A covered" \
	json_decision autodiscover.example.net. A covered - false
check "(b) json: the new certificate's SANs" \
	json_cert "$CERT" mail.example.com autodiscover.example.com autodiscover.example.net

# ---------------------------------------------------------------- (c): garbage, refused
cp "$PKI/garbage.pem" "$CERT"
ctl policy reload >"$TMP/reload.out" 2>"$TMP/reload.err"
rc=$?
err=$(cat "$TMP/reload.err")
echo "     sandnsctl policy reload (garbage) said ($rc): $err"
check "(c) policy reload (garbage): exit 1 (got $rc)" test "$rc" = 1
check "(c) policy reload (garbage): the error names $CERT" has "$err" "$CERT"
check "(c) autodiscover.example.com A still served" \
	answer_is autodiscover.example.com A 198.18.0.25
check "(c) _autodiscover._tcp.example.com SRV still absent" \
	no_answer _autodiscover._tcp.example.com SRV
s=$(serial_of example.com)
check "(c) example.com serial unchanged $serial_b (got '$s')" test "$s" = "$serial_b"
check "(c) autodiscover.example.net A still the wildcard's" \
	answer_is autodiscover.example.net A 198.18.2.80
JSON=$(ctl --json policy show 2>&1)
check "(c) json: the last good policy (covered) is kept" \
	json_decision autodiscover.example.com. A covered - false

# ---------------------------------------------------------------- (e): expired, still the rule
# An expired leaf decides by its names (docs/autodiscover-policy.md): published, but the reload
# answers an error naming it, and sandnsctl exits 1.
cp "$PKI/expired.pem" "$CERT"
out=$(ctl policy reload 2>&1)
rc=$?
echo "     sandnsctl policy reload (expired) said ($rc): $(head -n 1 <<<"$out")"
check "(e) policy reload (expired): exit 1 (got $rc)" test "$rc" = 1
check "(e) ... the reason: expired, the date, published" \
	has "$out" "^sandnsctl: certificate $CERT is expired (not after 2020-02-01T00:00:00Z): clients will refuse it; its names still decide the policy; the policy was reloaded and published$"
check "(e) the expired leaf's names decide: autodiscover.example.com A NODATA" \
	nodata autodiscover.example.com A example.com.
check "(e) ... the SRV is back" answer_is _autodiscover._tcp.example.com SRV "0 0 443 mail.example.com."
JSON=$(ctl --json policy reload 2>/dev/null)
rc=$?
check "(e) policy reload --json (expired): exit 1, ok false, published true (got $rc)" \
	$PY -c "$JSON_LOAD"'
assert int(sys.argv[1]) == 1 and env["ok"] is False and d["published"] is True, env
assert "expired" in env["error"] and d["zones"] >= 1, env' "$rc" <<<"$JSON"
check "(e) policy show: the certificate is expired" has "$(ctl policy show 2>&1)" ": expired (critical: clients will refuse it)"
check "sandnsd (main) still running after the refused policy reload" kill -0 "$PID"
stop_sandnsd
rc=$?
check "sandnsd (main): SIGTERM exit status 0 (got $rc)" test "$rc" = 0
main_log=$LOG

# ---------------------------------------------------------------- unreadable --cert at start-up
run_failing --zone "example.com.=$SAMPLE/example.com.zone" --cert "$TMP/no-such-cert.pem"
check "missing --cert: exit status 2 (got $RC)" test "$RC" = 2
check "missing --cert: the message names the path" has "$(cat "$TMP/fail.log")" "$TMP/no-such-cert.pem"
run_failing --zone "example.com.=$SAMPLE/example.com.zone" --cert "$PKI/garbage.pem"
check "garbage --cert: exit status 2 (got $RC)" test "$RC" = 2
check "garbage --cert: the message names the path" has "$(cat "$TMP/fail.log")" "$PKI/garbage.pem"

# ---------------------------------------------------------------- live tls:// endpoint
TLSPORT=$(pick_port $(( 20000 + ($$ * 2 + 7000) % 12000 )) "$PORT") || die "no free TLS port"
# start_tls NAME: openssl s_server on 127.0.0.1:TLSPORT with leaf NAME; waits (10 s) for it
start_tls() {
	local try
	for try in 1 2 3; do
		openssl s_server -accept "127.0.0.1:$TLSPORT" -cert "$PKI/$1.pem" -key "$PKI/$1.key" \
			-www -quiet </dev/null >>"$TMP/s_server.log" 2>&1 &
		TLSPID=$!
		for _ in $(seq 1 100); do
			[ -n "$(ss -Hltn "sport = :$TLSPORT" 2>/dev/null)" ] && return 0
			kill -0 "$TLSPID" 2>/dev/null || break
			sleep 0.1
		done
		stop_tls
		echo "     s_server ($1) not listening on $TLSPORT (try $try)"
		sleep 1
	done
	return 1
}
TLSSRC="tls://mail.example.com:$TLSPORT@127.0.0.1"
# Leaf (a) served, then the endpoint down for 3 s, then leaf (b) on the same port.
tls_part() {
	local flipped t0 secs rc
	if ! start_tls leafA; then
		bad "openssl s_server with leaf (a) on 127.0.0.1:$TLSPORT: $(tail -3 "$TMP/s_server.log")"
		return
	fi
	ok "openssl s_server with leaf (a) on 127.0.0.1:$TLSPORT (pid $TLSPID)"
	start_sandnsd tls --cert "$TLSSRC" --cert-probe-interval 1 \
		--zone "example.com.=$SAMPLE/example.com.zone" || { stop_tls; return; }
	tls_log=$LOG
	show=$(ctl policy show 2>&1)
	certline=$(grep -F "certificate $TLSSRC" <<<"$show" | head -n 1)
	check "tls: policy show: 'certificate $TLSSRC' lists mail.example.com" \
		has "$certline" "mail.example.com"
	check "tls: leaf (a): autodiscover.example.com A NODATA" \
		nodata autodiscover.example.com A example.com.
	check "tls: leaf (a): SRV synthesized" \
		answer_is _autodiscover._tcp.example.com SRV "0 0 443 mail.example.com."
	# the endpoint goes away: failed probes keep the last good decision
	stop_tls
	sleep 3
	check "tls: endpoint down 3 s: autodiscover.example.com A still NODATA" \
		nodata autodiscover.example.com A example.com.
	# a reload while it is down keeps its last leaf: SIGHUP (zones) and policy reload both work
	kill -HUP "$PID"
	for _ in $(seq 1 50); do grep -q 'on SIGHUP' "$LOG" && break; sleep 0.1; done
	check "tls: endpoint down: SIGHUP reloads the zones (no certificate read)" \
		grep -q 'reloaded [0-9]* zones .* on SIGHUP' "$LOG"
	check "tls: endpoint down: policy reload keeps the last leaf (exit 0)" \
		ctl policy reload >/dev/null
	check "tls: endpoint down: ... and the decision" nodata autodiscover.example.com A example.com.
	if ! start_tls leafB; then
		bad "openssl s_server with leaf (b) on 127.0.0.1:$TLSPORT: $(tail -3 "$TMP/s_server.log")"
	else
		t0=$(date +%s.%N)
		flipped=0
		for _ in $(seq 1 30); do
			if [ "$(answer_of autodiscover.example.com A)" = 198.18.0.25 ]; then
				flipped=1
				break
			fi
			sleep 0.5
		done
		secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		check "tls: leaf (b) deployed: autodiscover.example.com A flips to 198.18.0.25 within 15 s (${secs} s)" \
			test "$flipped" = 1
		check "tls: leaf (b): SRV withdrawn" no_answer _autodiscover._tcp.example.com SRV
		show=$(ctl policy show 2>&1)
		certline=$(grep -F "certificate $TLSSRC" <<<"$show" | head -n 1)
		check "tls: policy show: the endpoint's SANs now list autodiscover.example.com" \
			has "$certline" "autodiscover.example.com"
		check "tls: policy show: autodiscover.example.com. A covered" \
			decision_says "$show" autodiscover.example.com. A covered synthesize-srv
	fi
	stop_tls
	stop_sandnsd
	rc=$?
	check "sandnsd (tls): SIGTERM exit status 0 (got $rc)" test "$rc" = 0
}
tls_part

# ---------------------------------------------------------------- watch yes
# A changed certificate file is picked up by itself; a zone file broken in place is refused and
# the last good snapshot keeps serving. With keep-zones no (the zones as read are dropped after
# each build), the reloads read the files again.
watch_part() {
	local wcert=$TMP/watch-cert.pem wzone=$TMP/watch.zone flipped=0 s rc
	cp "$PKI/leafA.chain.pem" "$wcert"
	cp "$SAMPLE/example.com.zone" "$wzone"
	# keep-zones no: every reload reads the files again; explain never does (it would hold the
	# control thread for seconds on a large zone): the served answer and the policy's edits
	# from memory, and a note that the zone file's lines are not kept.
	start_sandnsd watch --watch yes --keep-zones no --cert "$wcert" \
		--zone "example.com.=$wzone" || return
	s=$(ctl explain autodiscover.example.com A 2>&1)
	check "watch: keep-zones no: explain names what the policy withheld, from memory" \
		has "$s" "policy: withheld autodiscover.example.com. A (its lines are not kept in memory)"
	check "watch: keep-zones no: ... and says the file's lines are not kept" \
		has "$s" "note: the lines of file $wzone are not shown: the zones as read are not kept"
	check "watch: keep-zones no: ... without reading the file again (no line of it)" \
		hasnt "$s" "$wzone:[0-9]"
	s=$(ctl json explain autodiscover.example.com A 2>&1)
	check "watch: keep-zones no: json explain says lines_kept false" has "$s" '"lines_kept":false'
	check "watch: leaf (a): autodiscover.example.com A is NODATA" no_answer autodiscover.example.com A
	cp "$PKI/leafB.chain.pem" "$wcert"
	for _ in $(seq 1 50); do
		if [ "$(answer_of autodiscover.example.com A)" = 198.18.0.25 ]; then
			flipped=1
			break
		fi
		sleep 0.1
	done
	check "watch: the certificate file replaced: autodiscover A is back within 5 s" test "$flipped" = 1
	s=$(serial_of example.com)
	echo 'broken line with no type' >>"$wzone"
	sleep 1.5
	check "watch: a zone file broken in place: the log names file and line" \
		grep -q "watch: reload failed.*$wzone:[0-9]" "$LOG"
	check "watch: ... and the last good snapshot serves (serial $s)" test "$(serial_of example.com)" = "$s"
	check "watch: ... autodiscover A still answered" answer_is autodiscover.example.com A 198.18.0.25
	stop_sandnsd
	rc=$?
	check "sandnsd (watch): SIGTERM exit status 0 (got $rc)" test "$rc" = 0
}
watch_part

# ---------------------------------------------------------------- reloads under load
# Two versions of example.com, each with a two-record TXT RRset at ver; every reload installs the
# other one with the next serial (written aside, then renamed over the served file).
mkdir -p "$TMP/load"
for v in v1 v2; do
	{
		cat "$SAMPLE/example.com.zone"
		printf 'ver                     IN  TXT   "%s-a"\n' "$v"
		printf 'ver                     IN  TXT   "%s-b"\n' "$v"
	} >"$TMP/load/$v.zone"
done
LZONE=$TMP/load/example.com.zone
# install VERSION SERIAL
install_version() {
	sed -e "s/2024060101 ; serial/$2 ; serial/" "$TMP/load/$1.zone" >"$LZONE.tmp" &&
		grep -q "$2 ; serial" "$LZONE.tmp" && mv "$LZONE.tmp" "$LZONE"
}
install_version v1 2024070100 || die "could not write $LZONE"
# 30 reloads alternating v1 and v2 while reload_load.py queries ver.example.com TXT
load_part() {
	local v i gap lrc rc s sent answered lost mixed versions last_v reloads_ok out
	start_sandnsd load --cert "$PKI/leafB.chain.pem" --zone "example.com.=$LZONE" || return
	load_log=$LOG
	check "load: ver.example.com TXT is v1" answer_is ver.example.com TXT '"v1-a" "v1-b"'

	timeout $((LOAD_SECS + 20)) "$PY" "$HERE/reload_load.py" --port "$PORT" \
		--duration "$LOAD_SECS" --rate "$LOAD_RATE" >"$TMP/load.out" 2>"$TMP/load.err" &
	LOADPID=$!
	sleep 0.5
	reloads_ok=0
	# spread the reloads over the load's duration, less a second at each end
	gap=$(awk -v d="$LOAD_SECS" -v n="$RELOADS" 'BEGIN { g = (d - 2) / n; if (g < 0.05) g = 0.05; printf "%.3f", g }')
	for i in $(seq 1 $RELOADS); do
		v=v$((i % 2 + 1))
		if ! install_version "$v" $((2024070100 + i)); then
			echo "     could not write $LZONE for reload $i"
		elif out=$(ctl reload example.com. 2>&1); then
			reloads_ok=$((reloads_ok + 1))
		else
			echo "     reload $i ($v) failed ($?): $out"
		fi
		sleep "$gap"
	done
	last_v=v$((RELOADS % 2 + 1))
	wait "$LOADPID"
	lrc=$?
	LOADPID=
	line=$(grep '^sent=' "$TMP/load.out" | tail -n 1)
	echo "     reload_load: ${line:-(no result line; exit $lrc: $(tail -3 "$TMP/load.err"))}"
	[ -s "$TMP/load.err" ] && sed 's/^/     /' "$TMP/load.err"
	field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$line"; }
	sent=$(field sent)
	answered=$(field answered)
	lost=$(field lost)
	mixed=$(field mixed)
	versions=$(field versions)
	check "load: reload_load.py ran (exit $lrc)" test "$lrc" = 0 -a -n "$line"
	check "load: $RELOADS reloads, each exit 0 (got $reloads_ok)" test "$reloads_ok" = $RELOADS
	check "load: at least half the offered $LOAD_RATE qps sent (sent ${sent:-?} in $LOAD_SECS s)" \
		test "${sent:-0}" -ge $((LOAD_RATE * LOAD_SECS / 2))
	check "load: every query answered (answered ${answered:-?} of ${sent:-?}, lost ${lost:-?})" \
		test -n "$sent" -a "${answered:-x}" = "$sent" -a "${lost:-x}" = 0
	check "load: no answer mixes or misses a version (mixed ${mixed:-?})" test "${mixed:-x}" = 0
	check "load: both versions seen (${versions:-?})" test "$versions" = "v1,v2"
	check "load: the last reload's version ($last_v) is served" \
		answer_is ver.example.com TXT "\"$last_v-a\" \"$last_v-b\""
	s=$(serial_of example.com)
	check "load: serial of the last reload served (got '$s')" test "${s:-0}" -ge $((2024070100 + RELOADS))
	stop_sandnsd
	rc=$?
	check "sandnsd (load): SIGTERM exit status 0 (got $rc)" test "$rc" = 0
}
load_part

if [ $failed -ne 0 ]; then
	for l in "${main_log:-}" "${tls_log:-}" "${load_log:-}"; do
		if [ -z "$l" ] || [ ! -f "$l" ]; then continue; fi
		echo "--- $(basename "$l")"
		tail -n 25 "$l"
	done
fi
echo "policy: $passed passed, $failed failed${line:+ ($line)}"
[ $failed -eq 0 ]
