#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# ixfr_question.py: chain.sh's IXFR client, strict as BIND's xfrin is: a TSIG-signed IXFR for ZONE
# from SERIAL, over TCP (or UDP), every answer message checked: the query's ID, QR, opcode QUERY,
# NOERROR, the TSIG verified (each chained to the one before, RFC 8945 5.3.1), and the question:
# the first message must echo ZONE IN IXFR, a later one holds none or the same (BIND drops a transfer
# whose answer names another type, "question type mismatch"). Reads the answer as RFC 1995 lays it
# out until its last SOA and prints one line:
#   style=incremental|axfr|soa msgs=N rrs=M soas=103,101,102,102,103,103 dels=D adds=A
# with the records removed and added (incremental), or "error: WHY" (exit status 1).
#   ixfr_question.py --port P --zone chain.test. --serial 101 --key b --secret B64 [--udp]
import argparse
import socket
import struct

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--zone", required=True)
ap.add_argument("--serial", type=int, required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--secret", required=True)
ap.add_argument("--udp", action="store_true")
ap.add_argument("--show", action="store_true", help="print the records removed and added")
a = ap.parse_args()

key = dns.tsig.Key(a.key, a.secret, dns.tsig.HMAC_SHA256)
q = dns.message.make_query(a.zone, dns.rdatatype.IXFR)
q.flags = 0
q.authority.append(dns.rrset.from_text(a.zone, 0, "IN", "SOA", ". . %d 0 0 0 0" % a.serial))
q.use_tsig(keyring=key, keyname=key.name)
wire = q.to_wire()
zone = dns.name.from_text(a.zone)


def fail(why):
    print("error: " + why)
    raise SystemExit(1)


def recv_exact(s, n):
    d = b""
    while len(d) < n:
        c = s.recv(n - len(d))
        if not c:
            fail("the connection closed after %d of %d octets" % (len(d), n))
        d += c
    return d


def check(m, first):
    if m.id != q.id or not m.flags & dns.flags.QR or m.opcode() != dns.opcode.QUERY:
        fail("message %d: not the answer to our query" % msgs)
    if m.rcode() != dns.rcode.NOERROR:
        fail("message %d: rcode %s" % (msgs, dns.rcode.to_text(m.rcode())))
    if not m.had_tsig:
        fail("message %d: not signed" % msgs)
    if (first and len(m.question) != 1) or len(m.question) > 1:
        fail("message %d: %d questions" % (msgs, len(m.question)))
    for r in m.question:
        if (r.name != zone or r.rdtype != dns.rdatatype.IXFR or r.rdclass != dns.rdataclass.IN):
            fail("message %d: question type mismatch: %s %s %s, we asked %s IN IXFR" %
                 (msgs, r.name, dns.rdataclass.to_text(r.rdclass),
                  dns.rdatatype.to_text(r.rdtype), zone))


msgs = 0
rrs = []  # (name, type, text) in the order received
try:
    if a.udp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(wire, ("127.0.0.1", a.port))
        d = s.recv(65535)
        msgs = 1
        m = dns.message.from_wire(d, keyring=key, request_mac=q.mac, one_rr_per_rrset=True)
        check(m, True)
        for r in m.answer:
            for rd in r:
                rrs.append((r.name, r.rdtype, rd))
    else:
        s = socket.create_connection(("127.0.0.1", a.port), timeout=10)
        s.sendall(struct.pack("!H", len(wire)) + wire)
        ctx = None
        mac = q.mac
        done = False
        state = "start"  # start, second, axfr, dels, adds
        last = None
        while not done:
            n = struct.unpack("!H", recv_exact(s, 2))[0]
            d = recv_exact(s, n)
            msgs += 1
            m = dns.message.from_wire(d, keyring=key, request_mac=mac, xfr=True, tsig_ctx=ctx,
                                      multi=True, one_rr_per_rrset=True)
            ctx = m.tsig_ctx
            mac = m.mac
            check(m, msgs == 1)
            if not m.answer:
                fail("message %d: no answer records" % msgs)
            for r in m.answer:
                for rd in r:
                    if done:
                        fail("records after the last SOA")
                    rrs.append((r.name, r.rdtype, rd))
                    soa = r.rdtype == dns.rdatatype.SOA
                    if state == "start":
                        if not soa:
                            fail("the first record is not the SOA")
                        last = rd.serial
                        state = "second"
                    elif state == "second":
                        state = "dels" if soa else "axfr"
                    elif state == "axfr":
                        done = soa
                    elif soa and state == "dels":
                        state = "adds"
                    elif soa and state == "adds":
                        if rd.serial == last:
                            done = True
                        else:
                            state = "dels"
            # the SOA alone: up to date
            if state == "second" and msgs == 1:
                done = True
except (dns.exception.DNSException, OSError) as e:
    fail("%s after %d messages: %r" % ("UDP" if a.udp else "TCP", msgs, e))

soas = [str(rd.serial) for _, t, rd in rrs if t == dns.rdatatype.SOA]
if len(rrs) == 1:
    style = "soa"
elif len(rrs) > 1 and rrs[1][1] == dns.rdatatype.SOA:
    style = "incremental"
else:
    style = "axfr"
# incremental: which records each changeset removes and adds (the SOAs aside)
dels, adds, cur = [], [], None
if style == "incremental":
    k = 0
    for name, t, rd in rrs[1:-1]:
        if t == dns.rdatatype.SOA:
            k += 1
            cur = dels if k % 2 == 1 else adds
            continue
        cur.append("%s %s %s" % (name, dns.rdatatype.to_text(t), rd))
print("style=%s msgs=%d rrs=%d soas=%s dels=%d adds=%d" %
      (style, msgs, len(rrs), ",".join(soas), len(dels), len(adds)))
if a.show:
    for x in dels:
        print("- " + x)
    for x in adds:
        print("+ " + x)
