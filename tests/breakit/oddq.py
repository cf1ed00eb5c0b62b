#!/usr/bin/python3
# oddq.py: odd queries sent to sandnsd and to knotd (same zones); prints where header fields differ.
# usage: oddq.py SANDNS_PORT KNOT_PORT
import socket, struct, sys, dns.message, dns.rdatatype, dns.flags, dns.edns, dns.name

SP, KP = int(sys.argv[1]), int(sys.argv[2])

def ask(port, wire, tcp=False):
    try:
        if tcp:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(struct.pack("!H", len(wire)) + wire)
            hdr = s.recv(2)
            if len(hdr) < 2:
                return None
            n = struct.unpack("!H", hdr)[0]
            d = b""
            while len(d) < n:
                c = s.recv(n - len(d))
                if not c:
                    break
                d += c
            s.close()
            return d
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1.5)
        s.sendto(wire, ("127.0.0.1", port))
        d, _ = s.recvfrom(65535)
        return d
    except Exception as e:
        return None

def summary(d):
    if d is None:
        return "no answer"
    if len(d) < 12:
        return "short %d" % len(d)
    id_, fl, qd, an, ns, ar = struct.unpack("!6H", d[:12])
    out = "rcode=%d flags=%04x qd=%d an=%d ns=%d ar=%d" % (fl & 15, fl & 0xfbf0, qd, an, ns, ar)
    try:
        m = dns.message.from_wire(d)
        if m.edns >= 0:
            out += " edns=%d ercode=%d" % (m.edns, m.rcode() >> 4)
    except Exception as e:
        out += " (unparsable: %s)" % type(e).__name__
    return out

def q(name, t, cls=1, opcode=0, edns=None, flags=0x0100, extra=b"", qd=1, ednsopts=b"", ednsflags=0, ednsver=0, payload=1232):
    w = struct.pack("!6H", 0x1234, flags | (opcode << 11), qd, 0, 0, 1 if edns else 0)
    if qd:
        w += dns.name.from_text(name).to_wire() + struct.pack("!HH", t, cls)
    if edns:
        w += b"\x00" + struct.pack("!HHBBHH", 41, payload, 0, ednsver, ednsflags, len(ednsopts)) + ednsopts
    return w + extra

cases = []
for t in [0, 41, 250, 249, 251, 252, 253, 254, 255, 65535, 128, 99, 6, 1]:
    cases.append(("example.com type %d" % t, q("example.com.", t)))
    cases.append(("autodiscover.example.com type %d" % t, q("www.example.com.", t)))
for c in [3, 4, 254, 255, 0, 2, 1000]:
    cases.append(("class %d" % c, q("example.com.", 6, cls=c)))
for op in range(1, 16):
    cases.append(("opcode %d" % op, q("example.com.", 6, opcode=op)))
cases.append(("qdcount 0", q("example.com.", 6, qd=0)))
cases.append(("qdcount 0 edns", q("example.com.", 6, qd=0, edns=True)))
cases.append(("qdcount 2", q("example.com.", 6, qd=2) + dns.name.from_text("example.com.").to_wire() + b"\x00\x06\x00\x01"))
cases.append(("edns v1", q("example.com.", 6, edns=True, ednsver=1)))
cases.append(("edns v255", q("example.com.", 6, edns=True, ednsver=255)))
cases.append(("edns payload 0", q("example.com.", 6, edns=True, payload=0)))
cases.append(("edns payload 511", q("example.com.", 48, edns=True, payload=511)))
cases.append(("edns unknown opt", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 65001, 3) + b"abc")))
cases.append(("edns opt overruns", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 10, 30) + b"abc")))
cases.append(("edns cookie 8", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 10, 8) + b"abcdefgh")))
cases.append(("edns cookie 7", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 10, 7) + b"abcdefg")))
cases.append(("edns cookie 41", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 10, 41) + b"a" * 41)))
cases.append(("edns cookie 16", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 10, 16) + b"a" * 16)))
cases.append(("edns nsid", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 3, 0))))
cases.append(("edns ecs bad", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 8, 4) + b"\x00\x01\x40\x00")))
cases.append(("edns ecs ok", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 8, 7) + b"\x00\x01\x18\x00\x0a\x00\x00")))
cases.append(("edns padding", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 12, 100) + b"\x00" * 100)))
cases.append(("edns expire", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 9, 0))))
cases.append(("edns keepalive", q("example.com.", 6, edns=True, ednsopts=struct.pack("!HH", 11, 0))))
cases.append(("edns DO", q("example.com.", 6, edns=True, ednsflags=0x8000)))
cases.append(("edns Z bits", q("example.com.", 6, edns=True, ednsflags=0x7fff)))
opt = b"\x00" + struct.pack("!HHBBHH", 41, 1232, 0, 0, 0, 0)
w = bytearray(q("example.com.", 6, edns=True)); w[11] = 2
cases.append(("two OPT", bytes(w) + opt))
w = bytearray(q("example.com.", 6)); w[7] = 1
cases.append(("OPT in answer", bytes(w) + opt))
w = bytearray(q("example.com.", 6)); w[9] = 1
cases.append(("OPT in authority", bytes(w) + opt))
optname = b"\x03abc\x00" + struct.pack("!HHBBHH", 41, 1232, 0, 0, 0, 0)
w = bytearray(q("example.com.", 6)); w[11] = 1
cases.append(("OPT non-root owner", bytes(w) + optname))
w = bytearray(q("example.com.", 6)); w[11] = 1
cases.append(("ar junk", bytes(w) + b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x01\x02\x03\x04"))
w = bytearray(q("example.com.", 6)); w[11] = 1
cases.append(("ar truncated", bytes(w) + b"\x00\x00\x29"))
cases.append(("trailing junk", q("example.com.", 6) + b"\xff\xff"))
cases.append(("QR set", q("example.com.", 6, flags=0x8100)))
cases.append(("TC set", q("example.com.", 6, flags=0x0300)))
cases.append(("AA set", q("example.com.", 6, flags=0x0500)))
cases.append(("Z set", q("example.com.", 6, flags=0x0140)))
cases.append(("AD CD", q("example.com.", 6, flags=0x0130)))
cases.append(("rcode set", q("example.com.", 6, flags=0x0105)))
cases.append(("compressed qname", struct.pack("!6H", 1, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01"))
cases.append(("qname ptr fwd", struct.pack("!6H", 1, 0, 1, 0, 0, 0) + b"\xc0\x12\x00\x01\x00\x01\x07example\x03com\x00"))
cases.append(("label 0x40", struct.pack("!6H", 1, 0, 1, 0, 0, 0) + b"\x41a\x00\x00\x01\x00\x01"))
cases.append(("uppercase", q("EXAMPLE.COM.", 6)))
cases.append(("name 0 octet", q("a\\000.example.com.", 1)))
cases.append(("wildcard literal", q("*.example.net.", 1)))
cases.append(("below wildcard", q("a.b.example.net.", 1)))
cases.append(("dlv", q("example.com.", 32769)))
long = ".".join(["a" * 63] * 3) + "." + "a" * 49 + ".example.com."
cases.append(("name 255", q(long[len(long) - 254:] if False else long, 1)))

diff = 0
for tcp in (False, True):
    for name, w in cases:
        a, b = summary(ask(SP, w, tcp)), summary(ask(KP, w, tcp))
        if a != b:
            diff += 1
            print("%s %-28s sandns: %s\n%s %-28s knot:   %s" % ("tcp" if tcp else "udp", name, a, "   ", "", b))
print("differences:", diff, "of", 2 * len(cases))
