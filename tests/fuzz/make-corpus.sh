#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# make-corpus.sh: regenerates the seed corpus of the libFuzzer targets, tests/fuzz/corpus/<target>/
# (committed: small files, under 200 KB in all).
#
#   bash tests/fuzz/make-corpus.sh
#
# make_corpus.py (python3-dnspython) writes the queries, frames, zone texts and control lines;
# the certificates are made here with openssl from throwaway keys that are deleted at once (no
# key is ever written to the corpus). The queries and frames come out the same every run; the
# certificates differ (fresh keys and dates). Inputs the fuzzers found (a crash once fixed, kept
# as a regression) are named crash-* or regress-* and are not touched here.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$HERE/corpus

for t in fuzz-answer fuzz-pkt fuzz-zload fuzz-ctl fuzz-cert fuzz-tsig fuzz-xfrin; do
	mkdir -p "$OUT/$t"
	find "$OUT/$t" -type f ! -name 'crash-*' ! -name 'regress-*' -delete
done
/usr/bin/python3 "$HERE/make_corpus.py"

# ---- fuzz-cert: PEM and DER leaves, chains, odd names
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
C=$OUT/fuzz-cert

# A self-signed leaf: NAME SUBJECT [SAN]; PEM to $tmp/NAME.pem, DER beside it.
leaf() {
	local name=$1 subj=$2 san=${3:-}
	local ext=()
	[ -n "$san" ] && ext=(-addext "subjectAltName=$san")
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/key" \
		-subj "$subj" -days 30 "${ext[@]}" -out "$tmp/$name.pem" 2>/dev/null
	openssl x509 -in "$tmp/$name.pem" -outform DER -out "$tmp/$name.der"
	rm -f "$tmp/key"
}

cp "$ROOT/zones/sample/mail.example.com.pem" "$C/sample.pem"
openssl x509 -in "$C/sample.pem" -outform DER -out "$C/sample.der"

leaf wild "/CN=example.com" "DNS:*.example.com,DNS:example.com"
leaf cn-only "/O=sandns/CN=autodiscover.example.com"
leaf two-cn "/CN=a.example.com/CN=b.example.com"
# Not dNSNames, and dNSNames in odd forms: upper case and a final dot, a partial wildcard, a
# leading dot.
mixed="IP:192.0.2.1,email:a@example.com,URI:https://example.com/"
mixed+=",DNS:Mail.Example.COM.,DNS:f*.example.com,DNS:.example.com"
leaf mixed "/CN=mixed.example.com" "$mixed"
leaf many "/CN=many" "$(printf 'DNS:h%d.example.com,' $(seq 1 40))DNS:last.example.com"
leaf idn "/CN=xn--bcher-kva.example" "DNS:xn--bcher-kva.example,DNS:*.xn--bcher-kva.example"
for n in wild cn-only two-cn mixed many idn; do
	cp "$tmp/$n.der" "$C/$n.der"
done
cp "$tmp/wild.pem" "$C/wild.pem"

# A chain: a CA, a leaf it signed; in front a PEM block of another kind, which is skipped.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" \
	-subj "/CN=sandns fuzz CA" -days 30 -out "$tmp/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/key" \
	-subj "/CN=mail.example.net" -out "$tmp/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:mail.example.net,DNS:autodiscover.example.net\n' >"$tmp/ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
	-days 30 -extfile "$tmp/ext" -out "$tmp/leaf.pem" 2>/dev/null
openssl ecparam -name prime256v1 >"$C/chain.pem"
cat "$tmp/leaf.pem" "$tmp/ca.pem" >>"$C/chain.pem"
rm -f "$tmp"/*.key "$tmp/key"

# Broken ones: a DER cut short, trailing octets, a PEM whose base64 is damaged, a second
# certificate in the chain that does not parse.
head -c 200 "$C/sample.der" >"$C/der-cut"
cat "$C/sample.der" >"$C/der-trailing" && printf '\0\0\0\0' >>"$C/der-trailing"
sed '3s/[A-Za-z]/!/' "$C/sample.pem" >"$C/pem-bad-base64"
{ cat "$tmp/leaf.pem"; sed '4s/^..../AAAA/' "$tmp/ca.pem"; } >"$C/chain-bad-second"

du -sb --apparent-size "$OUT"/* | sed 's|'"$OUT"'/||'
