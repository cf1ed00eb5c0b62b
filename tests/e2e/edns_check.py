#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# edns_check.py: the same EDNS queries (NSID, COOKIE, Padding, malformed options) to Knot and to
# sandnsd, the answers' EDNS parts compared: rcode, flags, counts, the options in their order,
# NSID octet for octet, a cookie by its client half and the server half's form and validity
# (RFC 9018: version 1, a fresh timestamp, SipHash-2-4 under the shared secret over the client's
# address). Knot's cookie taken by sandnsd and sandnsd's by Knot: one secret, one fleet.
# Prints `ok ...` / `FAIL ...` lines (tests/e2e/lib.sh run_counted); exit 1 on any failure.
#
# Usage: edns_check.py --ref ADDR:PORT --cand ADDR:PORT --secret HEX --ref-client IP
#        --cand-client IP --nsid TEXT [--name LABEL]
import argparse
import os
import socket
import struct
import sys
import time

failures = 0


def ok(msg):
    print(f"ok   {msg}")


def bad(msg):
    global failures
    failures += 1
    print(f"FAIL {msg}")


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xFFFFFFFFFFFFFFFF


def siphash24(key, data):
    """SipHash-2-4 (written from the paper): its 8 octets, least significant first."""
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261,
         k1 ^ 0x7465646279746573]
    mask = 0xFFFFFFFFFFFFFFFF

    def rnd():
        v[0] = (v[0] + v[1]) & mask
        v[1] = rotl(v[1], 13) ^ v[0]
        v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & mask
        v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & mask
        v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & mask
        v[1] = rotl(v[1], 17) ^ v[2]
        v[2] = rotl(v[2], 32)

    tail = len(data) % 8
    blocks = [struct.unpack_from("<Q", data, i)[0] for i in range(0, len(data) - tail, 8)]
    last = (len(data) & 0xFF) << 56
    for j in range(tail):
        last |= data[len(data) - tail + j] << (8 * j)
    for m in blocks + [last]:
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return struct.pack("<Q", v[0] ^ v[1] ^ v[2] ^ v[3])


def server_cookie(secret, client, ts, ip):
    head = bytes([1, 0, 0, 0]) + struct.pack(">I", ts)
    return head + siphash24(secret, client + head + ip)


def name_wire(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, opts, qid=0x5151, qtype=1, version=0, flags=0x0100, payload=1232):
    """A query for NAME with an OPT whose RDATA is OPTS (raw octets, lengths as given)."""
    head = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1)
    q = name_wire(name) + struct.pack(">HH", qtype, 1)
    opt = b"\0" + struct.pack(">HHIH", 41, payload, version << 16, len(opts)) + opts
    return head + q + opt


def option(code, data):
    return struct.pack(">HH", code, len(data)) + data


def ask(server, msg, tcp):
    host, port = server.rsplit(":", 1)
    if tcp:
        with socket.create_connection((host, int(port)), timeout=3) as s:
            s.sendall(struct.pack(">H", len(msg)) + msg)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
                chunk = s.recv(65535)
                if not chunk:
                    break
                buf += chunk
            return buf[2:]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        for _ in range(3):
            s.sendto(msg, (host, int(port)))
            try:
                return s.recv(65535)
            except socket.timeout:
                continue
    return None


def skip_name(m, o):
    while True:
        n = m[o]
        if n >= 0xC0:
            return o + 2
        o += n + 1
        if n == 0:
            return o


def parse(m):
    """What the comparison looks at: header facts and the OPT's options, in order."""
    if m is None or len(m) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", m[:12])
    o = 12
    for _ in range(qd):
        o = skip_name(m, o) + 4
    r = {"flags": flags & 0x87F0, "counts": (qd, an, ns, ar), "rcode": flags & 0xF,
         "opt": False, "options": []}
    for i in range(an + ns + ar):
        o = skip_name(m, o)
        rtype, cls, ttl, rdlen = struct.unpack(">HHIH", m[o:o + 10])
        rd = m[o + 10:o + 10 + rdlen]
        o += 10 + rdlen
        if rtype != 41:
            continue
        r["opt"] = True
        r["rcode"] |= (ttl >> 24) << 4
        r["payload"] = cls
        p = 0
        while p + 4 <= len(rd):
            code, olen = struct.unpack(">HH", rd[p:p + 4])
            r["options"].append((code, rd[p + 4:p + 4 + olen]))
            p += 4 + olen
    return r


def cookie_of(r):
    for code, data in r["options"]:
        if code == 10:
            return data
    return None


def shape(r):
    """The answer with each cookie's server half replaced by its length."""
    opts = []
    for code, data in r["options"]:
        opts.append((code, data[:8].hex() + f"+{len(data) - 8}") if code == 10 else (code, data.hex()))
    return {k: r[k] for k in ("flags", "counts", "rcode", "opt")} | {"options": opts}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True)
    ap.add_argument("--cand", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--ref-client", required=True)
    ap.add_argument("--cand-client", required=True)
    ap.add_argument("--nsid", required=True)
    ap.add_argument("--name", default="socket")
    a = ap.parse_args()
    secret = bytes.fromhex(a.secret)
    servers = {"knot": (a.ref, socket.inet_aton(a.ref_client)),
               "sandns": (a.cand, socket.inet_aton(a.cand_client))}
    www = "www.example.com"

    def valid(who, cookie, client):
        """Whether COOKIE (client + server halves) is a good one from WHO, made just now."""
        if cookie is None or len(cookie) != 24 or cookie[:8] != client:
            return False
        ts = struct.unpack(">I", cookie[12:16])[0]
        if cookie[8:12] != b"\1\0\0\0" or abs(ts - time.time()) > 5:
            return False
        return server_cookie(secret, client, ts, servers[who][1]) == cookie[8:]

    def both(desc, msg, tcp=False, expect=None, cookie_from=None):
        """Sends MSG to both; compares the shapes; returns the parsed answers by server."""
        got = {}
        for who, (addr, _) in servers.items():
            m = msg(who) if callable(msg) else msg
            got[who] = parse(ask(addr, m, tcp))
        k, s = got["knot"], got["sandns"]
        if k is None or s is None:
            bad(f"{a.name}: {desc}: no answer (knot {k is not None}, sandns {s is not None})")
            return got
        if shape(k) != shape(s):
            bad(f"{a.name}: {desc}: knot {shape(k)} != sandns {shape(s)}")
        else:
            ok(f"{a.name}: {desc}: as Knot (rcode {s['rcode']}, options "
               f"{[c for c, _ in s['options']]})")
        if expect is not None and s["rcode"] != expect:
            bad(f"{a.name}: {desc}: rcode {s['rcode']}, want {expect}")
        if cookie_from is not None:
            for who in got:
                c = cookie_of(got[who])
                if not valid(who, c, cookie_from):
                    bad(f"{a.name}: {desc}: {who}'s cookie {c.hex() if c else None} not valid")
        return got

    nsid = option(3, b"")
    both("NSID asked", query(www, nsid), expect=0)
    r = both("NSID asked, TCP", query(www, nsid), tcp=True, expect=0)
    if r.get("sandns") and dict(r["sandns"]["options"]).get(3) == a.nsid.encode():
        ok(f"{a.name}: NSID is the configured '{a.nsid}'")
    else:
        bad(f"{a.name}: NSID: {r.get('sandns')}")
    both("NSID with content in the query", query(www, option(3, b"\xab\xcd")), expect=0)
    both("no NSID asked", query(www, b""), expect=0)
    both("NSID on a REFUSED name (then EDE)", query("www.example.org", nsid), expect=5)

    cc = os.urandom(8)
    first = both("client cookie alone, UDP", query(www, nsid + option(10, cc)), expect=23,
                 cookie_from=cc)
    both("client cookie alone, TCP", query(www, option(10, cc)), tcp=True, expect=0,
         cookie_from=cc)
    own = {}
    if all(first.get(w) and cookie_of(first[w]) for w in servers):
        own = {w: cookie_of(first[w]) for w in servers}
        r = both("the server cookie returned", lambda w: query(www, option(10, own[w])),
                 expect=0)
        for w in servers:
            if r.get(w) and cookie_of(r[w]) == own[w]:
                ok(f"{a.name}: {w} echoes a valid cookie as it came")
            else:
                bad(f"{a.name}: {w} did not echo its valid cookie")
        other = {"knot": own["sandns"], "sandns": own["knot"]}
        if a.ref_client == a.cand_client:
            both("the other server's cookie (one secret: a fleet)",
                 lambda w: query(www, option(10, other[w])), expect=0)
        else:
            both("the other server's cookie, made for another address",
                 lambda w: query(www, option(10, other[w])), expect=23, cookie_from=cc)
        broken = {w: own[w][:-1] + bytes([own[w][-1] ^ 0x55]) for w in servers}
        both("a corrupted server cookie, UDP", lambda w: query(www, option(10, broken[w])),
             expect=23, cookie_from=cc)
        both("a corrupted server cookie, TCP", lambda w: query(www, option(10, broken[w])),
             tcp=True, expect=0, cookie_from=cc)
    old = cc + server_cookie(secret, cc, int(time.time()) - 7200, servers["sandns"][1])
    old_ref = cc + server_cookie(secret, cc, int(time.time()) - 7200, servers["knot"][1])
    both("an expired server cookie (2 hours)",
         lambda w: query(www, option(10, old if w == "sandns" else old_ref)), expect=23,
         cookie_from=cc)
    for n in (0, 7, 9, 15, 41):
        both(f"a COOKIE of {n} octets", query(www, nsid + option(10, os.urandom(n))), expect=1)
    both("two COOKIE options", query(www, option(10, os.urandom(8)) + option(10, cc)),
         expect=23, cookie_from=cc)
    lying = bytearray(option(10, cc))
    lying[3] = 12
    both("an option longer than the OPT", query(www, bytes(lying)))
    both("an option header cut short", query(www, nsid + b"\x00\x0a\x00"))
    both("Padding asked, UDP", query(www, option(12, bytes(32))), expect=0)
    both("Padding asked, TCP", query(www, nsid + option(12, b"")), tcp=True, expect=0)
    both("NSID and cookie on a REFUSED name", query("www.example.org", nsid + option(10, cc)),
         expect=23, cookie_from=cc)
    both("EDNS version 1 with NSID and a cookie: BADVERS",
         query(www, nsid + option(10, cc), version=1), expect=16)
    for op, name in ((4, "NOTIFY"), (5, "UPDATE"), (2, "STATUS")):
        both(f"{name} with a client cookie, UDP",
             query("example.com", nsid + option(10, cc), qtype=6, flags=op << 11), expect=23)
    both("NOTIFY with a client cookie, TCP",
         query("example.com", option(10, cc), qtype=6, flags=4 << 11), tcp=True, expect=9)
    for size in (512, 560, 600):
        both(f"a large answer at {size} octets with NSID and a cookie (room for them)",
             lambda w: query("big.example.com", nsid + option(10, own[w] if w in own else cc),
                             qtype=16, payload=size))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
