#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# tsig_vectors.py: writes tsig_vectors.h, TSIG (RFC 8945) messages signed by dnspython, an
# implementation this project did not write, for test_tsig.c. Run from tests/zones/:
#   /usr/bin/python3 tsig_vectors.py > tsig_vectors.h && clang-format -i tsig_vectors.h
import hashlib
import io
import struct

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TSIG as T
import dns.tsig

TIME = 1700000000
ID = 0x1234
KEYNAME = "xfr.example."
ALGS = [("hmac-sha1", dns.tsig.HMAC_SHA1), ("hmac-sha256", dns.tsig.HMAC_SHA256),
        ("hmac-sha384", dns.tsig.HMAC_SHA384), ("hmac-sha512", dns.tsig.HMAC_SHA512)]


def name(text):
    return dns.name.from_text(text).to_wire()


def header(id_, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", id_, flags, qd, an, ns, ar)


def a_rr(owner, addr):
    return name(owner) + struct.pack("!HHIH", 1, 1, 3600, 4) + bytes(addr)


def tsig_rr(key, rd):
    f = io.BytesIO()
    rd.to_wire(f)
    w = f.getvalue()
    return key.name.to_wire() + struct.pack("!HHIH", 250, 255, 0, len(w)) + w


def signed(wire, key, time, request_mac=None, ctx=None, multi=False, mac_len=None):
    """WIRE with a TSIG appended (ARCOUNT + 1), its MAC, and dnspython's context."""
    rd = T.TSIG(dns.rdataclass.ANY, dns.rdatatype.TSIG, key.algorithm, 0, 300, b"",
                struct.unpack("!H", wire[:2])[0], 0, b"")
    tsig, ctx = dns.tsig.sign(wire, key, rd, time, request_mac, ctx, multi)
    if mac_len is not None:
        tsig = tsig.replace(mac=tsig.mac[:mac_len])
    ar = struct.unpack("!H", wire[10:12])[0] + 1
    return wire[:10] + struct.pack("!H", ar) + wire[12:] + tsig_rr(key, tsig), tsig.mac, ctx


def carray(cname, data):
    body = ", ".join("0x%02x" % b for b in data)
    return "static const uint8_t %s[] = {%s};\n" % (cname, body)


out = io.StringIO()
out.write("/* SPDX-License-Identifier: BSD-3-Clause */\n")
out.write("/* tsig_vectors.h: TSIG messages signed by dnspython (tsig_vectors.py writes it) */\n")
out.write("#define TV_TIME %dULL\n#define TV_KEYNAME \"%s\"\n\n" % (TIME, KEYNAME))
query = header(ID, 0x0000, 1, 0, 0, 0) + name("example.net.") + struct.pack("!HH", 6, 1)
resp = (header(ID, 0x8400, 1, 1, 0, 0) + name("example.net.") + struct.pack("!HH", 1, 1) +
        a_rr("example.net.", [192, 0, 2, 1]))
m1 = (header(ID, 0x8400, 1, 2, 0, 0) + name("example.net.") + struct.pack("!HH", 252, 1) +
      a_rr("a.example.net.", [192, 0, 2, 1]) + a_rr("b.example.net.", [192, 0, 2, 2]))
m2 = header(ID, 0x8400, 0, 1, 0, 0) + a_rr("c.example.net.", [192, 0, 2, 3])
m3 = header(ID, 0x8400, 0, 1, 0, 0) + a_rr("d.example.net.", [192, 0, 2, 4])
out.write(carray("tv_query", query))
out.write(carray("tv_resp", resp))
out.write(carray("tv_m1", m1))
out.write(carray("tv_m2", m2))
out.write(carray("tv_m3", m3))
out.write("\n")
for alg, dalg in ALGS:
    secret = hashlib.sha256(alg.encode()).digest()
    key = dns.tsig.Key(KEYNAME, secret, dalg)
    c = alg.replace("-", "_")
    import base64
    out.write("#define TV_%s_SECRET \"%s\"\n" % (c.upper(), base64.b64encode(secret).decode()))
    q, qmac, _ = signed(query, key, TIME)
    out.write(carray("tv_%s_query" % c, q))
    r, _, _ = signed(resp, key, TIME, request_mac=qmac)
    out.write(carray("tv_%s_resp" % c, r))
    s1, _, ctx = signed(m1, key, TIME, request_mac=qmac, multi=True)
    s2, _, ctx2 = signed(m2, key, TIME, ctx=ctx, multi=True)
    s3, _, _ = signed(m3, key, TIME, ctx=ctx2, multi=True)
    out.write(carray("tv_%s_m1" % c, s1))
    out.write(carray("tv_%s_m2" % c, s2))
    out.write(carray("tv_%s_m3" % c, s3))
    # m2 unsigned: dnspython's context takes it whole, m3 signed over both (RFC 8945 5.3.1)
    s1, _, ctx = signed(m1, key, TIME, request_mac=qmac, multi=True)
    ctx.update(m2)
    s3u, _, _ = signed(m3, key, TIME, ctx=ctx, multi=True)
    out.write(carray("tv_%s_m3_after_unsigned" % c, s3u))
    if alg == "hmac-sha256":
        t16, _, _ = signed(query, key, TIME, mac_len=16)
        t8, _, _ = signed(query, key, TIME, mac_len=8)
        out.write(carray("tv_sha256_query_mac16", t16))
        out.write(carray("tv_sha256_query_mac8", t8))
    out.write("\n")
print(out.getvalue(), end="")
