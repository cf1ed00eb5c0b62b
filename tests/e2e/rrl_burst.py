#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# rrl_burst.py: sends a burst of UDP queries to a server and counts what came back: whole
# answers, truncated ones (TC, no records), and silence. Used by smoke.sh for rate limiting.
#
#   rrl_burst.py ADDR PORT COUNT NAME [NAME...]
#
# The names are asked in turn (type A), as fast as the socket takes them; then it waits up to
# 2 s for the replies. Prints one line: "whole=W truncated=T silent=S seconds=F" where F is how
# many distinct wall-clock seconds the sending spanned. Exit status 2 on a reply that is not a
# well-formed response to one of our queries.
import socket
import struct
import sys
import time


def query(qid, name):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + wire + struct.pack("!HH", 1, 1)


def main():
    addr, port, count, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sent = {}
    seconds = set()
    for i in range(count):
        q = query(i + 1, names[i % len(names)])
        sent[i + 1] = q
        seconds.add(int(time.monotonic()))
        s.sendto(q, (addr, port))
    whole = trunc = 0
    s.settimeout(2.0)
    seen = set()
    try:
        while len(seen) < count:
            r = s.recv(65535)
            qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", r[:12])
            if qid not in sent or qid in seen or not flags & 0x8000:
                print(f"bad reply: {r.hex()}")
                sys.exit(2)
            seen.add(qid)
            if flags & 0x0200:
                if an or ns or ar or r[12:] != sent[qid][12:]:
                    print(f"bad truncated reply: {r.hex()}")
                    sys.exit(2)
                trunc += 1
            else:
                whole += 1
    except socket.timeout:
        pass
    print(f"whole={whole} truncated={trunc} silent={count - whole - trunc} seconds={len(seconds)}")


main()
