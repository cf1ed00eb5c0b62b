#!/usr/bin/python3
# hostile_resolver.py PORT MODE: a UDP "resolver" for sandnsctl autodiscover-check --resolver that
# answers every question per MODE: loop, many, bigsrv, dotsrv, longname, junk, mismatch, txtrdata,
# wrongid (another message id), wrongq (the right id, another question): sandnsctl ignores both
# until its timeout now (unit suite adcheck checks it); the other modes are for hand runs.
# usage: hostile_resolver.py PORT MODE &  sandnsctl autodiscover-check a@example.com --resolver 127.0.0.1@PORT
import socket, struct, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
def name(n):
    out = b""
    for l in n.strip(".").split("."):
        out += bytes([len(l)]) + l.encode()
    return out + b"\x00"
while True:
    q, a = s.recvfrom(4096)
    qid = q[:2]
    qd = q[12:]
    end = qd.index(b"\x00") + 5
    question = qd[:end]
    qtype = struct.unpack("!H", question[-4:-2])[0]
    hdr = lambda an, flags=0x8400: qid + struct.pack("!5H", flags, 1, an, 0, 0)
    if mode == "loop":
        # an answer whose owner is a pointer to itself
        rr = b"\xc0" + bytes([12 + len(question)]) + struct.pack("!HHIH", qtype, 1, 60, 4) + b"\x7f\x00\x00\x01"
        s.sendto(hdr(1) + question + rr, a)
    elif mode == "many":
        rrs = b""
        for i in range(4000):
            rrs += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([127, 0, i >> 8 & 255, i & 255])
        s.sendto(hdr(4000) + question + rrs[:65000], a)
    elif mode in ("bigsrv", "dotsrv", "longname"):
        if qtype == 33:
            tgt = b"\x00" if mode == "dotsrv" else (b"\x3f" + b"a" * 63) * 3 + b"\x3d" + b"b" * 61 + b"\x00"
            rd = struct.pack("!HHH", 0, 0, 443) + tgt
            rr = b"\xc0\x0c" + struct.pack("!HHIH", 33, 1, 60, len(rd)) + rd
            s.sendto(hdr(1) + question + rr, a)
        else:
            rr = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, 4 if qtype == 1 else 16) + (b"\x7f\x00\x00\x01" if qtype == 1 else b"\x00" * 15 + b"\x01")
            s.sendto(hdr(1) + question + rr, a)
    elif mode == "junk":
        s.sendto(qid + b"\x84\x00\xff\xff\xff\xff\xff\xff" + b"\xc0" * 100, a)
    elif mode == "mismatch":
        # a wrong id, then the right one 1 s later, then again
        s.sendto(b"\x00\x00" + hdr(0)[2:] + question, a)
        time.sleep(1)
        s.sendto(hdr(0) + question, a)
    elif mode in ("wrongid", "wrongq"):
        # an off-path spoofer's answer: another id, or the right id for another question
        rid = b"\x42\x42" if mode == "wrongid" else qid
        qq = question if mode == "wrongid" else name("evil.example.") + question[-4:]
        rd = b"\xc6\x33\x64\x07" if qtype == 1 else b"\x20\x01\x0d\xb8" + b"\x00" * 10 + b"\x66\x66"
        if qtype == 33:
            rd = struct.pack("!HHH", 0, 0, 443) + name("evil.example.")
        rr = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rd)) + rd
        s.sendto(rid + struct.pack("!5H", 0x8400, 1, 1, 0, 0) + qq + rr, a)
    elif mode == "txtrdata":
        rd = b"\x05\x05\x05"
        rr = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, 1000) + b"\x01" * 1000
        s.sendto(hdr(1) + question + rr, a)
