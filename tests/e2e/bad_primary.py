#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# bad_primary.py: a primary nobody should trust, for secondary.sh: on 127.0.0.1@PORT it answers the
# SOA query of ZONE with serial 999 (UDP), and over TCP sends an AXFR/IXFR whose second record lies
# outside the zone, or (MODE stall) reads the request and then says nothing, or (MODE soa-alone)
# answers an IXFR with its SOA alone, as over UDP (RFC 1995 4), and an AXFR with a whole zone.
# Runs until killed; what it did is logged on stdout.
import socket
import struct
import sys
import threading

import dns.message
import dns.rrset

zone, port = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "lie"
SOA = f"ns1.{zone} h.{zone} 999 3600 1 10 60"


def answer(wire):
    q = dns.message.from_wire(wire)
    r = dns.message.make_response(q)
    r.flags |= 0x0400  # AA
    r.answer.append(dns.rrset.from_text(zone, 300, "IN", "SOA", SOA))
    if mode == "soa-alone" and q.question[0].rdtype == 251:
        print("answered an IXFR with the SOA alone", flush=True)
    elif mode == "soa-alone" and q.question[0].rdtype == 252:
        r.answer.append(dns.rrset.from_text(zone, 300, "IN", "NS", f"ns1.{zone}"))
        r.answer.append(dns.rrset.from_text(f"ns1.{zone}", 300, "IN", "A", "192.0.2.53"))
        r.answer.append(dns.rrset.from_text(f"www.{zone}", 300, "IN", "A", "192.0.2.99"))
        r.answer.append(dns.rrset.from_text(zone, 300, "IN", "SOA", SOA))
    elif q.question[0].rdtype in (251, 252):
        r.answer.append(dns.rrset.from_text("evil.example.", 300, "IN", "A", "192.0.2.66"))
        r.answer.append(dns.rrset.from_text(zone, 300, "IN", "SOA", SOA))
    return r.to_wire()


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        data, peer = s.recvfrom(65535)
        try:
            s.sendto(answer(data), peer)
        except Exception:  # pylint: disable=broad-except
            pass


def tcp_one(c):
    try:
        n = struct.unpack("!H", c.recv(2))[0]
        data = b""
        while len(data) < n:
            data += c.recv(n - len(data))
        if mode == "stall":
            print("stalling a transfer", flush=True)
            threading.Event().wait()
        out = answer(data)
        c.sendall(struct.pack("!H", len(out)) + out)
        print("served a transfer", flush=True)
    except Exception:  # pylint: disable=broad-except
        pass
    c.close()


t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port))
t.listen(4)
threading.Thread(target=udp, daemon=True).start()
print("ready", flush=True)
while True:
    conn, _ = t.accept()
    threading.Thread(target=tcp_one, args=(conn,), daemon=True).start()
