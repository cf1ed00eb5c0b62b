#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# poll_signed.py: waits until a server answers a name's A record signed (the signing benches).
#
#   poll_signed.py T0 PORT NAME ADDR PID LIMIT
#
# Asks NAME A with DNSSEC OK of 127.0.0.1:PORT every 10 ms (10 ms timeout) until the answer holds
# ADDR and an RRSIG over the A RRset, then prints the seconds since T0 (a time.time() value) with
# milliseconds and exits 0; exits 1 when PID ends or LIMIT seconds since T0 have passed.
import os
import socket
import sys
import time

import dns.exception
import dns.message
import dns.rdatatype

t0, port, name, want = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
pid, limit = int(sys.argv[5]), float(sys.argv[6])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.01)
while time.time() - t0 < limit:
    q = dns.message.make_query(name, "A", want_dnssec=True)
    try:
        s.sendto(q.to_wire(), ("127.0.0.1", port))
        r = dns.message.from_wire(s.recv(4096))
        addr = any(rd.to_text() == want for rr in r.answer for rd in rr)
        sig = any(rr.rdtype == dns.rdatatype.RRSIG and rr.covers == dns.rdatatype.A
                  for rr in r.answer)
        if addr and sig:
            print("%.3f" % (time.time() - t0))
            sys.exit(0)
    except (socket.timeout, ConnectionRefusedError, dns.exception.DNSException):
        pass
    except Exception as e:  # noqa: BLE001 (a bench: say what went wrong, keep polling)
        print("poll:", repr(e), file=sys.stderr)
    try:
        os.kill(pid, 0)
    except OSError:
        break
    time.sleep(0.01)
sys.exit(1)
