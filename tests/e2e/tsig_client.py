#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# tsig_client.py: dnspython as the TSIG client of tsig.sh. Default: a query signed with a clock
# OFFSET seconds off, over UDP or TCP; prints the answer's rcode, the TSIG error, its MAC size and
# whether Other Data holds our time: "rcode=9 error=18 mac=32 other-now=True" (BADTIME, RFC 8945
# 5.2.3). --axfr: a signed AXFR of QNAME, dnspython verifying every message's TSIG in the chain
# (RFC 8945 5.3.1); prints "axfr messages=N records=M", or the error.
#   tsig_client.py --port P --key NAME --secret B64 --offset -1000 [--tcp] [--qtype SOA]
#   tsig_client.py --port P --key NAME --secret B64 --axfr --qname big.test.
import argparse
import io
import socket
import struct
import time

import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TSIG as T
import dns.tsig

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--secret", required=True)
ap.add_argument("--offset", type=int, default=0)
ap.add_argument("--axfr", action="store_true")
ap.add_argument("--qname", default="example.net.")
ap.add_argument("--qtype", default="SOA")
ap.add_argument("--tcp", action="store_true")
a = ap.parse_args()

key = dns.tsig.Key(a.key, a.secret, dns.tsig.HMAC_SHA256)
if a.axfr:
    import dns.query
    msgs = recs = 0
    try:
        for m in dns.query.xfr("127.0.0.1", a.qname, port=a.port, keyring=key, keyname=key.name,
                               timeout=10, lifetime=30):
            if m.tsig is None:
                raise Exception("message %d is not signed" % (msgs + 1))
            msgs += 1
            recs += sum(len(r) for r in m.answer)
        print("axfr messages=%d records=%d" % (msgs, recs))
    except Exception as e:  # what broke, for the test's message
        print("axfr failed after %d messages: %r" % (msgs, e))
    raise SystemExit(0)
q = dns.message.make_query(a.qname, a.qtype).to_wire()
rd = T.TSIG(dns.rdataclass.ANY, dns.rdatatype.TSIG, key.algorithm, 0, 300, b"",
            struct.unpack("!H", q[:2])[0], 0, b"")
tsig, _ = dns.tsig.sign(q, key, rd, int(time.time()) + a.offset, None)
f = io.BytesIO()
tsig.to_wire(f)
rdw = f.getvalue()
wire = (q[:10] + struct.pack("!H", 1) + q[12:] + key.name.to_wire() +
        struct.pack("!HHIH", 250, 255, 0, len(rdw)) + rdw)

if a.tcp:
    s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
    s.sendall(struct.pack("!H", len(wire)) + wire)
    n = struct.unpack("!H", s.recv(2))[0]
    d = b""
    while len(d) < n:
        d += s.recv(n - len(d))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(wire, ("127.0.0.1", a.port))
    d = s.recv(65535)

# The TSIG: the last record; read its RDATA after the owner (uncompressed, ours).
ar = struct.unpack("!H", d[10:12])[0]
out = ["rcode=%d" % (d[3] & 15)]
owner = key.name.to_wire()
p = d.rfind(owner + b"\x00\xfa\x00\xff")
if ar and p > 0:
    r = d[p + len(owner) + 10:]
    i = 0
    while r[i]:
        i += r[i] + 1
    i += 1
    maclen = struct.unpack("!H", r[i + 8:i + 10])[0]
    i += 10 + maclen
    _, err, olen = struct.unpack("!HHH", r[i:i + 6])
    other = int.from_bytes(r[i + 6:i + 6 + olen], "big") if olen == 6 else None
    out += ["error=%d" % err, "mac=%d" % maclen,
            "other-now=%s" % ("none" if other is None else abs(other - int(time.time())) <= 2)]
else:
    out.append("no-tsig")
print(" ".join(out))
