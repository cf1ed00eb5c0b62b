#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""reload_load.py: steady UDP load on one TXT name while zone reloads change it.

Sends `NAME TXT` queries to 127.0.0.1:PORT at RATE per second for DURATION seconds from one
non-blocking UDP socket (a slow answer never stalls the pace), matches answers by message id,
and gives up on a query after TIMEOUT seconds. Every answer must be NOERROR and hold exactly the
two TXT records of one version ("v1-a", "v1-b" or "v2-a", "v2-b"); anything else (a mix of
versions, one of them missing, another rcode, a truncated reply) counts as mixed. Prints one line:

    sent=N answered=M lost=L mixed=X versions=v1,v2

Talks only to 127.0.0.1; bounded in time (DURATION + TIMEOUT + a little). Needs dnspython
(Debian's python3-dnspython: run it with /usr/bin/python3).
"""
import argparse
import re
import select
import socket
import sys
import time

import dns.flags
import dns.message
import dns.name
import dns.query  # noqa: F401  (the brief's import; dns.message does the work here)
import dns.rcode
import dns.rdatatype

VERSION_RE = re.compile(r"^(v\d+)-([ab])$")


def classify(wire, qname, cache):
    """'v1', 'v2', ... for a clean answer, None for a mixed or broken one."""
    key = wire[2:]  # the same answer but for the id: parse each distinct one once
    if key in cache:
        return cache[key]
    verdict = None
    try:
        msg = dns.message.from_wire(wire)
    except Exception:  # a reply dnspython cannot parse is not a clean answer
        cache[key] = None
        return None
    if msg.rcode() == dns.rcode.NOERROR and not msg.flags & dns.flags.TC:
        strings = []
        for rrset in msg.answer:
            if rrset.rdtype == dns.rdatatype.TXT and rrset.name == qname:
                for rd in rrset:
                    strings.append(b"".join(rd.strings).decode("ascii", "replace"))
        versions = set()
        parts = []
        for s in strings:
            m = VERSION_RE.match(s)
            if not m:
                versions.add(None)
                continue
            versions.add(m.group(1))
            parts.append(m.group(2))
        if len(versions) == 1 and None not in versions and sorted(parts) == ["a", "b"]:
            verdict = versions.pop()
    cache[key] = verdict
    return verdict


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=2000.0)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--name", default="ver.example.com.")
    args = ap.parse_args()
    if args.rate <= 0 or args.duration <= 0 or not 0 < args.port < 65536:
        ap.error("rate, duration and port must be positive")

    qname = dns.name.from_text(args.name)
    query = bytearray(dns.message.make_query(qname, dns.rdatatype.TXT, use_edns=False).to_wire())
    # a plain query: no RD, as from another name server
    query[2] &= ~0x01

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    except OSError:
        pass
    sock.connect(("127.0.0.1", args.port))
    sock.setblocking(False)

    pending = {}  # id -> deadline
    sent = answered = lost = mixed = late = 0
    seen = set()
    cache = {}
    interval = 1.0 / args.rate
    start = time.monotonic()
    end_send = start + args.duration
    next_send = start
    next_id = 0

    while True:
        now = time.monotonic()
        # send everything due (catching up after a slow turn)
        while next_send <= now and next_send < end_send:
            qid = next_id
            next_id = (next_id + 1) & 0xFFFF
            if qid in pending:  # 65536 queries in flight: never at these rates
                lost += 1
                del pending[qid]
            query[0] = qid >> 8
            query[1] = qid & 0xFF
            try:
                sock.send(query)
            except (BlockingIOError, InterruptedError):
                # the socket's send buffer is full: the query was not sent, try it next turn
                break
            except ConnectionRefusedError:
                # an ICMP port unreachable from an earlier query: the server is not there
                pass
            pending[qid] = now + args.timeout
            sent += 1
            next_send += interval
        # expire what waited too long
        if pending:
            expired = [q for q, dl in pending.items() if dl <= now]
            for q in expired:
                del pending[q]
                lost += 1
        if now >= end_send and not pending:
            break
        if now >= end_send + args.timeout + 1.0:  # bound, whatever happens
            lost += len(pending)
            pending.clear()
            break
        wait = (next_send - now) if next_send < end_send else 0.05
        wait = max(0.0, min(wait, 0.05))
        try:
            readable, _, _ = select.select([sock], [], [], wait)
        except InterruptedError:
            continue
        if not readable:
            continue
        while True:
            try:
                wire = sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                break
            except ConnectionRefusedError:
                continue
            if len(wire) < 12:
                continue
            qid = (wire[0] << 8) | wire[1]
            if qid not in pending:
                late += 1  # after its timeout (already counted lost) or a duplicate
                continue
            del pending[qid]
            answered += 1
            v = classify(wire, qname, cache)
            if v is None:
                mixed += 1
            else:
                seen.add(v)

    sock.close()
    print(
        "sent=%d answered=%d lost=%d mixed=%d versions=%s"
        % (sent, answered, lost, mixed, ",".join(sorted(seen)) or "-")
    )
    if late:
        print("reload_load: %d answers came after their %.1f s timeout" % (late, args.timeout),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
