#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""malformed.py: tens of thousands of malformed DNS messages over UDP, then a liveness check.

Generates (seeded, so every run sends the same bytes) messages in categories: random bytes of
0..600 octets, headers of 0..11 octets, truncated questions, compression pointers to themselves,
forward, in loops (A->B->A) and past the end, reserved label types (0x40-0xBF), names over 255
octets (and of exactly 255), lying QD/AN/NS/AR counts (more and fewer than present), OPT records
with option lengths past the end, two OPTs, OPT not at the root or outside the additional
section, EDNS versions 1..255 (BADVERS, RFC 6891 6.1.3, with any opcode), responses (QR=1: no
reply at all), opcodes 1..15, classes CH/HS/NONE/ANY/0/odd, qtypes 0/65535/OPT/AXFR/IXFR/ANY/
meta, queries of 512..1472 and of 65507 octets, answers whose size the client limits (big TXT
sets with EDNS sizes from none to 65535), out-of-zone names, and random mutations of good
queries. It sends them at a bounded rate and checks every reply:

  - it parses (dnspython; an opcode dnspython does not know is patched to 0 first), or it is a
    header-only FORMERR;
  - QR=1, the ID and the opcode of its query, the question echoed octet for octet;
  - no larger than the query allowed: 512 octets without EDNS, else max(512, the EDNS size),
    and never more than a UDP datagram carries (65507 over IPv4);
  - its rcode is one the category expects (RFC 1035/6891/8482, as Knot DNS answers; where
    servers legitimately differ, the set holds each answer that is right), and a message that
    must not be answered (QR=1, shorter than a header) gets no reply at all;
  - no zone data for names outside our zones: REFUSED has empty answer and authority sections,
    and every owner name in any reply is inside a zone we serve;
  - ANY (RFC 8482) answers with one RRset at most.

Messages that need a reply and got none are sent again, slowly, before they count as failures
(UDP may lose a packet under load; a server that never answers them is a failure).

Before and after the barrage, a fixed list of good queries (UDP and TCP: the sample zones'
answers, the autodiscover policy's, NXDOMAIN, out-of-zone names REFUSED without records, ANY
minimal) is asked; the answers must be right and identical octet for octet before and after.
Prints a table (per category: sent, replied, no reply, bad, rcodes seen), `ok`/`FAIL` lines with
the query's octets in hex as the reproducer, and exits 1 on any failure.

Usage: malformed.py --server ADDR --port N [--count N] [--rate R] [--seed S] [--policy]
                    [--big-name NAME] [--huge-name NAME] [--no-fragments] [--label TEXT]
                    [--zone ORIGIN=FILE]... [--skip-barrage]
"""
import argparse
import collections
import random
import select
import socket
import struct
import sys
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode

FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, NOTAUTH, BADVERS = 1, 2, 3, 4, 5, 9, 16
NOERROR = 0
RCODE_NAMES = {0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP',
               5: 'REFUSED', 9: 'NOTAUTH', 16: 'BADVERS'}
ANSWERED = frozenset((NOERROR, NXDOMAIN, REFUSED))  # what a well-formed query may get
ZONES = (dns.name.from_text('example.com.'), dns.name.from_text('example.net.'))

IN_ZONE = ['example.com', 'mail.example.com', 'www.example.com', 'owa.example.com',
           'autodiscover.example.com', '_autodiscover._tcp.example.com', '_dmarc.example.com',
           'nope.example.com', 'a.b.c.example.com', 'ns1.example.com', 'example.net',
           'anything.example.net', 'autodiscover.example.net', '_dmarc.example.net',
           'x.y.example.net', 'ns1.example.net']
OUT_OF_ZONE = ['', 'com', 'net', 'org', 'example.org', 'www.example.org', 'xexample.com',
               'wwwexample.net', 'example.co', 'example.com.evil', 'example.net.example.org',
               'com.example', 'mail.example.com.attacker.test', 'localhost', 'in-addr.arpa',
               '1.0.0.127.in-addr.arpa', 'example', 'exampleAcom']
QTYPES = [1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 43, 46, 48, 52, 64, 65, 99, 255, 256, 4096, 65534]


def rcode_name(rc):
    return RCODE_NAMES.get(rc, 'RCODE%d' % rc)


def wname(text):
    """Wire form of a presentation name (no escapes: the pools are plain)."""
    out = b''
    for label in text.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def header(flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack('!6H', 0, flags, qd, an, ns, ar)


def question(name, qtype=1, qclass=1):
    return (wname(name) if isinstance(name, str) else name) + struct.pack('!HH', qtype, qclass)


def opt(payload=1232, version=0, do=False, rdata=b'', owner=b'\0', rdlen=None, ext_rcode=0):
    return owner + struct.pack('!HHBBHH', 41, payload, ext_rcode, version,
                               0x8000 if do else 0,
                               len(rdata) if rdlen is None else rdlen) + rdata


def option(code, data):
    return struct.pack('!HH', code, len(data)) + data


def rr(owner, rtype=1, rclass=1, ttl=0, rdata=b'\x01\x02\x03\x04'):
    return owner + struct.pack('!HHIH', rtype, rclass, ttl, len(rdata)) + rdata


def plain_question(wire):
    """The question's bytes when the query has a plain one (no compression), else None."""
    if len(wire) < 12 or struct.unpack('!H', wire[4:6])[0] < 1:
        return None
    p, total = 12, 0
    while True:
        if p >= len(wire):
            return None
        ln = wire[p]
        if ln > 63:
            return None
        total += ln + 1
        if total > 255:
            return None
        p += ln + 1
        if ln == 0:
            break
    if p + 4 > len(wire):
        return None
    return wire[12:p + 4]


class Msg:
    """One message: its category, bytes, what may answer it and how big the answer may be.

    expect: None (anything well-formed, or nothing), 'none' (no reply at all), or a frozenset
    of rcodes one of which the reply must carry; may_drop: no reply is fine too.
    """
    __slots__ = ('cat', 'wire', 'expect', 'may_drop', 'allowed', 'qtype', 'note')

    def __init__(self, cat, wire, expect=None, may_drop=False, allowed=512, qtype=None,
                 note=''):
        self.cat, self.wire, self.expect, self.may_drop = cat, wire, expect, may_drop
        self.allowed, self.qtype, self.note = allowed, qtype, note


def edns_allowed(payload):
    return max(512, payload)


# ---------------------------------------------------------------------------- generators
# Each takes the random generator (and the options) and returns one Msg.

def g_random(r, o):
    n = r.randint(0, 600)
    b = bytearray(r.getrandbits(8) for _ in range(n))
    if n >= 3 and r.random() < 0.6:
        b[2] &= 0x7f  # a query: the server reads further
        if r.random() < 0.5:
            b[2] &= 0x87  # opcode 0
            if n >= 6:
                b[4:6] = b'\x00\x01'
    if n < 12 or b[2] & 0x80:
        return Msg('random', bytes(b), 'none')
    return Msg('random', bytes(b))


def g_short_header(r, o):
    n = r.randint(0, 11)
    b = bytearray(r.getrandbits(8) for _ in range(n))
    if n >= 3:
        b[2] &= 0x7f
    return Msg('short-header', bytes(b), 'none')


def good_query(r, o, name=None, qtype=None, edns=None):
    name = name if name is not None else r.choice(IN_ZONE + OUT_OF_ZONE)
    qtype = qtype if qtype is not None else r.choice(QTYPES)
    if edns is None:
        edns = r.random() < 0.5
    if edns:
        return header(ar=1) + question(name, qtype) + opt(r.choice([512, 1232, 4096])), qtype
    return header() + question(name, qtype), qtype


def g_trunc_question(r, o):
    wire, _ = good_query(r, o)
    qlen = len(plain_question(wire))
    cut = r.randint(12, 12 + qlen - 1)
    return Msg('trunc-question', wire[:cut], frozenset([FORMERR]), may_drop=True)


def g_ptr_self(r, o):
    k = r.randrange(4)
    if k == 0:  # the question name is a pointer to itself
        wire = header() + b'\xc0\x0c' + struct.pack('!HH', 1, 1)
    elif k == 1:  # labels, then a pointer to that pointer
        lab = wname(r.choice(IN_ZONE))[:-1]
        off = 12 + len(lab)
        wire = header() + lab + struct.pack('!H', 0xc000 | off) + struct.pack('!HH', 1, 1)
    else:  # a record owner pointing at itself, in the answer or additional section
        q = question(r.choice(IN_ZONE), 1)
        off = 12 + len(q)
        an, ar = (1, 0) if k == 2 else (0, 1)
        wire = header(an=an, ar=ar) + q + rr(struct.pack('!H', 0xc000 | off))
    return Msg('ptr-self', wire, frozenset([FORMERR]), may_drop=True)


def g_ptr_forward(r, o):
    k = r.randrange(3)
    q = question(r.choice(IN_ZONE), 1)
    if k == 0:  # question name pointing forward to a name after the question
        target = 12 + 2 + 4
        wire = header(ar=1) + struct.pack('!H', 0xc000 | target) + struct.pack('!HH', 1, 1) + \
            rr(wname('example.com'))
    else:  # a record owner pointing forward to the next record's owner (a valid name)
        first = rr(b'\xc0\x00')
        target = 12 + len(q) + len(first)
        first = rr(struct.pack('!H', 0xc000 | target))
        an, ar = (2, 0) if k == 1 else (0, 2)
        wire = header(an=an, ar=ar) + q + first + rr(wname('mail.example.com'))
    return Msg('ptr-forward', wire, frozenset([FORMERR]), may_drop=True)


def g_ptr_loop(r, o):
    k = r.randrange(3)
    q = question(r.choice(IN_ZONE), 1)
    if k == 0:  # two record owners pointing at each other: A -> B -> A
        a = 12 + len(q)
        b = a + len(rr(b'\xc0\x00'))
        wire = header(ar=2) + q + rr(struct.pack('!H', 0xc000 | b)) + \
            rr(struct.pack('!H', 0xc000 | a))
    elif k == 1:  # label + pointer to a label + pointer back to the first: a loop with text
        a = 12 + len(q)
        b = a + 3
        wire = header(an=1) + q + b'\x01x' + struct.pack('!H', 0xc000 | b) + b'\x01y' + \
            struct.pack('!H', 0xc000 | a) + struct.pack('!HHIH', 1, 1, 0, 0)
    else:  # the question name points into an additional record that points back to it
        x = 12 + 2 + 2 + 4
        wire = header(ar=1) + b'\x01a' + struct.pack('!H', 0xc000 | x) + \
            struct.pack('!HH', 1, 1) + rr(struct.pack('!H', 0xc000 | 12))
    return Msg('ptr-loop', wire, frozenset([FORMERR]), may_drop=True)


def g_ptr_past_end(r, o):
    k = r.randrange(3)
    q = question(r.choice(IN_ZONE), 1)
    if k == 0:
        wire = header() + struct.pack('!H', 0xc000 | r.randint(18, 0x3fff)) + \
            struct.pack('!HH', 1, 1)
    else:
        body = header(an=1 if k == 1 else 0, ar=1 if k == 2 else 0) + q
        end = len(body) + 2 + 14
        wire = body + rr(struct.pack('!H', 0xc000 | r.randint(end, 0x3fff)))
    return Msg('ptr-past-end', wire, frozenset([FORMERR]), may_drop=True)


def g_label_reserved(r, o):
    ln = r.randint(0x40, 0xbf)
    bad = bytes([ln]) + bytes(r.getrandbits(8) for _ in range(r.randint(0, 70)))
    k = r.randrange(3)
    if k == 0:  # first label of the question
        wire = header() + bad + b'\0' + struct.pack('!HH', 1, 1)
    elif k == 1:  # in the middle of the question name
        wire = header() + b'\x03www' + bad + wname('example.com') + struct.pack('!HH', 1, 1)
    else:  # a record owner
        wire = header(ar=1) + question(r.choice(IN_ZONE), 1) + bad + b'\0' + \
            struct.pack('!HHIH', 1, 1, 0, 0)
    return Msg('label-reserved', wire, frozenset([FORMERR]), may_drop=True)


def labels_of(total, rng):
    """Random labels (1..63) filling exactly TOTAL octets (TOTAL >= 2)."""
    out, left = b'', total
    while left > 0:
        if left <= 64:
            ln = left - 1
        else:  # never leave a single octet: it would be a root label inside the name
            ln = rng.randint(1, min(63, left - 3))
        out += bytes([ln]) + bytes(rng.choice(b'abcdefghij') for _ in range(ln))
        left -= ln + 1
    return out


def g_long_name(r, o):
    k = r.randrange(5)
    if k == 0:  # 256..600 octets in the question
        wire = header() + labels_of(r.randint(255, 599), r) + b'\0' + struct.pack('!HH', 1, 1)
        return Msg('long-name', wire, frozenset([FORMERR]), may_drop=True)
    if k == 1:  # exactly 255 octets under example.com: a valid name, NXDOMAIN
        suffix = wname('example.com')
        wire = header() + labels_of(255 - len(suffix), r) + suffix + struct.pack('!HH', 1, 1)
        return Msg('long-name', wire, frozenset([NXDOMAIN]), note='255 octets in zone')
    if k == 2:  # exactly 255 octets, not ours: REFUSED
        wire = header() + labels_of(254, r) + b'\0' + struct.pack('!HH', 1, 1)
        return Msg('long-name', wire, frozenset([REFUSED]), note='255 octets')
    if k == 3:  # 256 octets under example.com
        suffix = wname('example.com')
        wire = header() + labels_of(256 - len(suffix), r) + suffix + struct.pack('!HH', 1, 1)
        return Msg('long-name', wire, frozenset([FORMERR]), may_drop=True)
    # a record owner that passes 255 octets through a pointer to a 250-octet question name
    q = labels_of(249, r) + b'\0' + struct.pack('!HH', 1, 1)
    owner = labels_of(r.randint(8, 40), r) + b'\xc0\x0c'
    wire = header(ar=1) + q + owner + struct.pack('!HHIH', 1, 1, 0, 0)
    return Msg('long-name', wire, frozenset([FORMERR]), may_drop=True)


def g_lying_counts(r, o):
    k = r.randrange(7)
    name = r.choice(IN_ZONE + OUT_OF_ZONE)
    q = question(name, r.choice([1, 6, 15, 28]))
    if k == 0:  # QDCOUNT 0 with a question present
        return Msg('lying-counts', header(qd=0) + q, frozenset([FORMERR]))
    if k == 1:  # QDCOUNT 2..65535 with one question
        return Msg('lying-counts', header(qd=r.choice([2, 3, 255, 65535])) + q,
                   frozenset([FORMERR]), may_drop=True)
    if k in (2, 3):  # more records counted than present
        an, ns, ar = [r.choice([0, 0, 1, 2, 65535]) for _ in range(3)]
        present = r.randint(0, 1)
        if an + ns + ar <= present:
            ar = present + 1
        body = b''.join(rr(wname('example.com')) for _ in range(present))
        return Msg('lying-counts', header(an=an, ns=ns, ar=ar) + q + body,
                   frozenset([FORMERR]))
    if k == 4:  # an OPT that ARCOUNT does not count: the answer must fit 512 without EDNS
        big = o.big_name if r.random() < 0.5 and o.big_name else name
        return Msg('lying-counts', header(ar=0) + question(big, 16) + opt(4096),
                   ANSWERED | {FORMERR}, allowed=512)
    if k == 5:  # fewer records counted than present: trailing records
        extra = b''.join(rr(wname('example.com')) for _ in range(r.randint(1, 3)))
        return Msg('lying-counts', header() + q + extra, ANSWERED | {FORMERR})
    # a record cut short (its RDLENGTH passes the end)
    return Msg('lying-counts', header(an=1) + q + rr(wname('example.com'))[:-r.randint(1, 4)],
               frozenset([FORMERR]))


def g_opt_badlen(r, o):
    q = question(r.choice(IN_ZONE + OUT_OF_ZONE), 1)
    k = r.randrange(4)
    if k == 0:  # an option whose length passes the end of the RDATA
        data = bytes(r.getrandbits(8) for _ in range(r.randint(0, 8)))
        rd = struct.pack('!HH', r.choice([3, 8, 10, 12, 65001]), len(data) + r.randint(1, 600))
        wire = header(ar=1) + q + opt(rdata=rd + data)
    elif k == 1:  # RDLENGTH past the end of the message
        wire = header(ar=1) + q + opt(rdata=b'\0\x0a\0\x02ab', rdlen=r.randint(7, 65535))
    elif k == 2:  # a partial option header
        wire = header(ar=1) + q + opt(rdata=bytes(r.getrandbits(8)
                                                   for _ in range(r.randint(1, 3))))
    else:  # a good option, then a lying one
        rd = option(10, b'12345678') + struct.pack('!HH', 12, 500) + b'\0' * 10
        wire = header(ar=1) + q + opt(rdata=rd)
    return Msg('opt-badlen', wire, frozenset([FORMERR]))


def g_two_opt(r, o):
    q = question(r.choice(IN_ZONE + OUT_OF_ZONE), 1)
    first = opt(r.choice([512, 1232, 4096]), do=r.random() < 0.5)
    second = opt(r.choice([512, 4096]), version=r.choice([0, 0, 1]),
                 rdata=option(10, b'abcdefgh') if r.random() < 0.3 else b'')
    mid = rr(wname('example.com')) if r.random() < 0.3 else b''
    wire = header(ar=2 + (1 if mid else 0)) + q + first + mid + second
    return Msg('two-opt', wire, frozenset([FORMERR]))


def g_opt_misplaced(r, o):
    q = question(r.choice(IN_ZONE), 1)
    k = r.randrange(3)
    if k == 0:  # owner is not the root (RFC 6891 6.1.1: MUST be 0); Knot ignores it
        owner = r.choice([wname('example.com'), b'\xc0\x0c', b'\x01a\0'])
        return Msg('opt-not-root', header(ar=1) + q + opt(owner=owner),
                   ANSWERED | {FORMERR}, allowed=512)
    # an OPT in the answer or authority section
    an, ns = (1, 0) if k == 1 else (0, 1)
    return Msg('opt-not-root', header(an=an, ns=ns) + q + opt(), frozenset([FORMERR]),
               allowed=512)


def g_badvers(r, o):
    name = r.choice(IN_ZONE + OUT_OF_ZONE + ['version.bind', 'id.server'])
    qclass = r.choice([1, 1, 1, 3, 4, 255])
    payload = r.choice([512, 1232, 4096])
    wire = header(ar=1) + question(name, r.choice(QTYPES), qclass) + \
        opt(payload, version=r.randint(1, 255), do=r.random() < 0.5)
    return Msg('badvers', wire, frozenset([BADVERS]), allowed=edns_allowed(payload))


def g_badvers_opcode(r, o):
    # RFC 6891 6.1.3: a responder that does not implement the VERSION MUST answer BADVERS;
    # Knot DNS does so whatever the opcode.
    op = r.randint(1, 15)
    wire = header(flags=op << 11, ar=1) + question(r.choice(IN_ZONE), 6) + \
        opt(1232, version=r.randint(1, 255))
    return Msg('badvers-opcode', wire, frozenset([BADVERS]), allowed=1232)


def g_response(r, o):
    k = r.randrange(4)
    if k == 0:  # a well-formed response, as a server would send it
        m = dns.message.make_query(r.choice(IN_ZONE + OUT_OF_ZONE) + '.', r.choice([1, 28, 6]),
                                   use_edns=r.random() < 0.5)
        resp = dns.message.make_response(m)
        resp.set_rcode(r.choice([0, 1, 3, 5]))
        wire = bytearray(resp.to_wire())
    elif k == 1:  # a query with QR set, any opcode
        wire = bytearray(good_query(r, o)[0])
        wire[2] = 0x80 | (r.randint(0, 15) << 3) | (wire[2] & 0x07)
    elif k == 2:  # garbage with QR set
        wire = bytearray(r.getrandbits(8) for _ in range(r.randint(12, 400)))
        wire[2] |= 0x80
    else:  # a response with a lying count or a broken name
        wire = bytearray(header(flags=0x8400, an=r.randint(1, 5)) +
                         question(r.choice(IN_ZONE), 1) + b'\xc0\xff')
    return Msg('response', bytes(wire), 'none')


def g_opcode(r, o):
    op = r.randint(1, 15)
    edns = r.random() < 0.3
    q = question(r.choice(IN_ZONE + OUT_OF_ZONE), r.choice([1, 6]))
    wire = header(flags=op << 11 | (0x0400 if op == 4 else 0), ar=1 if edns else 0) + q + \
        (opt(1232) if edns else b'')
    if op == 4:  # NOTIFY: we are nobody's secondary
        exp = frozenset([NOTAUTH, NOTIMP, REFUSED, FORMERR])
    elif op == 5:  # UPDATE: not supported
        exp = frozenset([NOTIMP, NOTAUTH, REFUSED])
    else:
        exp = frozenset([NOTIMP])
    return Msg('opcode', wire, exp, allowed=1232 if edns else 512)


def g_class(r, o):
    qclass = r.choice([3, 3, 4, 254, 0, 2, 5, 77, 256, 65280, 65535, 255, 255])
    name = r.choice(IN_ZONE + OUT_OF_ZONE + ['version.bind', 'version.server',
                                             'id.server', 'hostname.bind'])
    qtype = r.choice([1, 16, 6, 255])
    wire = header() + question(name, qtype, qclass)
    if qclass == 255:  # CLASS ANY: answered as IN
        return Msg('class', wire, ANSWERED, qtype=qtype)
    return Msg('class', wire, frozenset([REFUSED, NOTIMP]))


def g_qtype(r, o):
    qtype = r.choice([0, 65535, 41, 252, 251, 255, 255, 250, 249, 253, 254, 128, 46, 47, 50])
    name = r.choice(IN_ZONE + OUT_OF_ZONE)
    edns = r.random() < 0.5
    wire = header(ar=1 if edns else 0) + question(name, qtype) + (opt(4096) if edns else b'')
    allowed = 4096 if edns else 512
    exp = {0: [NOTIMP, FORMERR], 41: [NOERROR, NXDOMAIN, REFUSED, FORMERR, NOTIMP],
           252: [NOTIMP, REFUSED, FORMERR, NOTAUTH],
           251: [FORMERR, NOTAUTH, NOTIMP, REFUSED]}.get(qtype, list(ANSWERED))
    return Msg('qtype', wire, frozenset(exp), allowed=allowed, qtype=qtype)


def g_big(r, o):
    k = r.randrange(10)
    name = r.choice(IN_ZONE + OUT_OF_ZONE)
    q = question(name, r.choice([1, 6, 15]))
    if k < 7:  # 512..1472 octets, RFC 7830 padding in the OPT
        total = r.randint(512, 1472)
        payload = r.choice([512, 1232, 4096])
        pad = total - 12 - len(q) - 11 - 4
        wire = header(ar=1) + q + opt(payload, rdata=option(12, b'\0' * pad))
        return Msg('big', wire, ANSWERED, allowed=edns_allowed(payload))
    # 65507 octets, the most a UDP datagram over IPv4 carries
    if k == 7:  # one huge option
        pad = 65507 - 12 - len(q) - 11 - 4
        wire = header(ar=1) + q + opt(4096, rdata=option(65001, b'\0' * pad))
        allowed = 4096
    elif k == 8:  # many small options
        n = (65507 - 12 - len(q) - 11) // 8
        rd = option(65002, b'abcd') * n
        wire = header(ar=1) + q + opt(1232, rdata=rd)
        wire += b'\0' * (65507 - len(wire))  # trailing octets: the OPT stays the last record
        allowed = 1232
    else:  # trailing zeros after the question
        wire = header() + q + b'\0' * (65507 - 12 - len(q))
        allowed = 512
    # Over a link of MTU 1500 this arrives in fragments: a dataplane hands those to the kernel,
    # where nothing listens (--no-fragments: no reply is fine).
    return Msg('big', wire, ANSWERED | {FORMERR}, may_drop=o.no_fragments, allowed=allowed)


def g_size(r, o):
    names = [o.big_name] * 3 if o.big_name else []
    name = r.choice(names + ['example.com', 'example.net', 'mail.example.com'])
    qtype = r.choice([16, 16, 255, 1, 28, 2, 15])
    payload = r.choice([None, None, 0, 1, 100, 511, 512, 513, 600, 1000, 1231, 1232, 1233,
                        1400, 4096, 65535])
    if payload is None:
        wire = header() + question(name, qtype)
        allowed = 512
    else:
        wire = header(ar=1) + question(name, qtype) + opt(payload, do=r.random() < 0.3)
        allowed = edns_allowed(payload)
    return Msg('size', wire, frozenset([NOERROR]), allowed=allowed, qtype=qtype)


def g_udp_max(r, o):
    # The largest answers: a TXT set of about 64 KiB, asked with the largest EDNS sizes. An
    # answer must fit one UDP datagram (65507 octets over IPv4) or come truncated, never be lost.
    payload = r.choice([None, 4096, 32768, 65000, 65507, 65535])
    name = o.huge_name or o.big_name or 'example.com'
    if payload is None:
        return Msg('udp-max', header() + question(name, 16), frozenset([NOERROR]), qtype=16)
    return Msg('udp-max', header(ar=1) + question(name, 16) + opt(payload),
               frozenset([NOERROR]), allowed=min(edns_allowed(payload), 65507), qtype=16)


def g_out_of_zone(r, o):
    base = r.choice(OUT_OF_ZONE)
    if r.random() < 0.4:
        lab = ''.join(r.choice('abcdefghijklmnopqrstuvwxyz0123456789-') for _ in
                      range(r.randint(1, 20)))
        base = lab + ('.' + base if base else '')
    qtype = r.choice([1, 2, 6, 15, 16, 28, 33, 43, 46, 48, 255, 65535])
    edns = r.random() < 0.5
    wire = header(ar=1 if edns else 0) + question(base, qtype, r.choice([1, 1, 1, 255])) + \
        (opt(4096, do=r.random() < 0.5) if edns else b'')
    return Msg('out-of-zone', wire, frozenset([REFUSED]), allowed=4096 if edns else 512,
               qtype=qtype)


def g_mutated(r, o):
    wire, qtype = good_query(r, o)
    b = bytearray(wire)
    for _ in range(r.randint(1, 4)):
        i = r.randrange(len(b))
        b[i] = r.getrandbits(8) if r.random() < 0.5 else b[i] ^ (1 << r.randrange(8))
    if r.random() < 0.2:
        b = b[:r.randint(12, len(b))]
    if b[2] & 0x80:
        return Msg('mutated', bytes(b), 'none')
    # a mutated OPT may ask for a bigger payload: answers outside the big name are small
    return Msg('mutated', bytes(b), allowed=65535 if len(b) > len(wire) - 11 else 512)


CATEGORIES = [  # name, share of the total, generator
    ('random', 10, g_random),
    ('short-header', 2, g_short_header),
    ('trunc-question', 5, g_trunc_question),
    ('ptr-self', 4, g_ptr_self),
    ('ptr-forward', 4, g_ptr_forward),
    ('ptr-loop', 4, g_ptr_loop),
    ('ptr-past-end', 4, g_ptr_past_end),
    ('label-reserved', 4, g_label_reserved),
    ('long-name', 4, g_long_name),
    ('lying-counts', 6, g_lying_counts),
    ('opt-badlen', 4, g_opt_badlen),
    ('two-opt', 3, g_two_opt),
    ('opt-not-root', 3, g_opt_misplaced),
    ('badvers', 4, g_badvers),
    ('badvers-opcode', 1, g_badvers_opcode),
    ('response', 6, g_response),
    ('opcode', 4, g_opcode),
    ('class', 4, g_class),
    ('qtype', 5, g_qtype),
    ('big', 2, g_big),
    ('size', 6, g_size),
    ('udp-max', 0, g_udp_max),
    ('out-of-zone', 6, g_out_of_zone),
    ('mutated', 10, g_mutated),
]
BIG_MAX = 60  # 65507-octet messages per run at most: they cost time, not coverage


def generate(o):
    r = random.Random(o.seed)
    total_share = sum(c[1] for c in CATEGORIES)
    msgs = []
    for name, share, gen in CATEGORIES:
        n = max(50, o.count * share // total_share) if share else (60 if o.huge_name else 0)
        big = 0
        for _ in range(n):
            m = gen(r, o)
            if len(m.wire) > 1500:
                big += 1
                if big > BIG_MAX:
                    continue
            if m.qtype is None:
                pq = plain_question(m.wire)
                if pq is not None:
                    m.qtype = struct.unpack('!H', pq[-4:-2])[0]
            msgs.append(m)
    r.shuffle(msgs)
    return msgs


# ---------------------------------------------------------------------------- checking

def is_ours(name):
    return any(name.is_subdomain(z) for z in ZONES)


def check_reply(m, wire, reply):
    """(the problems with REPLY to M, sent as WIRE, as strings; the reply's rcode or None)."""
    errs = []
    if len(reply) < 12:
        return ['reply shorter than a header (%d octets)' % len(reply)], None
    if m.expect == 'none':
        errs.append('a reply to a message that must get none')
    rid, flags, qd, an, ns, ar = struct.unpack('!6H', reply[:12])
    if not flags & 0x8000:
        errs.append('QR=0 in the reply')
    if rid != struct.unpack('!H', wire[:2])[0]:
        errs.append('ID %d, query had %d' % (rid, struct.unpack('!H', wire[:2])[0]))
    if len(wire) >= 3 and (flags >> 11) & 15 != (wire[2] >> 3) & 15:
        errs.append('opcode %d, query had %d' % ((flags >> 11) & 15, (wire[2] >> 3) & 15))
    if len(reply) > m.allowed:
        errs.append('reply of %d octets, the query allowed %d' % (len(reply), m.allowed))
    rc = flags & 15
    if len(reply) == 12 and rc == FORMERR and qd == an == ns == ar == 0:
        msg = None  # a header-only FORMERR
    else:
        patched = bytearray(reply)
        patched[2] &= 0x87  # dnspython knows opcodes 0-2, 4, 5 only: checked above
        try:
            msg = dns.message.from_wire(bytes(patched))
        except Exception as e:  # noqa: BLE001: any parse error is the finding
            return errs + ['reply does not parse: %s: %s' % (type(e).__name__, e)], rc
        rc = msg.rcode()
        if rc == BADVERS and msg.edns != 0:
            errs.append('BADVERS without an OPT of version 0')
    if qd > 1:
        errs.append('QDCOUNT %d in the reply' % qd)
    if qd == 1:
        pq = plain_question(wire)
        if pq is None or reply[12:12 + len(pq)] != pq:
            errs.append('the question is not the query\'s')
    if isinstance(m.expect, frozenset) and rc not in m.expect:
        errs.append('rcode %s, expected %s' % (rcode_name(rc),
                                                '/'.join(rcode_name(x) for x in
                                                         sorted(m.expect))))
    if msg is not None:
        if rc == REFUSED and (msg.answer or msg.authority):
            errs.append('REFUSED with records in answer/authority')
        for sec in (msg.answer, msg.authority, msg.additional):
            for rrset in sec:
                if not is_ours(rrset.name):
                    errs.append('zone data for %s, outside our zones' % rrset.name)
        if m.qtype == 255 and rc == NOERROR:
            sets = {(x.name, x.rdtype) for x in msg.answer if x.rdtype != 46}
            if len(sets) > 1:
                errs.append('ANY answered with %d RRsets (RFC 8482: one)' % len(sets))
    return errs, rc


class Sender:
    """UDP to one server; replies matched by (socket, ID): 65536 IDs per socket."""

    def __init__(self, server, port, nmsgs):
        fam = socket.AF_INET6 if ':' in server else socket.AF_INET
        self.addr = (server, port)
        self.socks = []
        for _ in range(nmsgs // 65536 + 1):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            for opt_ in (getattr(socket, 'SO_RCVBUFFORCE', 33), socket.SO_RCVBUF):
                try:
                    s.setsockopt(socket.SOL_SOCKET, opt_, 8 << 20)
                    break
                except OSError:
                    continue
            s.setblocking(False)
            self.socks.append(s)
        self.fdmap = {s.fileno(): i for i, s in enumerate(self.socks)}
        self.replies = collections.defaultdict(list)  # msg index -> [reply bytes]
        self.unknown = []
        self.send_errors = 0
        self.sent = 0
        self.received = 0

    @staticmethod
    def with_id(i, wire):
        if len(wire) < 2:
            return wire
        return struct.pack('!H', i & 0xffff) + wire[2:]

    def send(self, i, wire):
        try:
            self.socks[i >> 16].sendto(wire, self.addr)
            self.sent += 1
        except BlockingIOError:
            time.sleep(0.001)
            try:
                self.socks[i >> 16].sendto(wire, self.addr)
                self.sent += 1
            except OSError:
                self.send_errors += 1
        except OSError:
            self.send_errors += 1

    def drain(self, timeout, nmsgs):
        """Reads replies for up to TIMEOUT seconds (0: what is there). Returns how many."""
        got = 0
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            rd, _, _ = select.select(self.socks, [], [], max(0.0, left))
            if not rd:
                return got
            for s in rd:
                k = self.fdmap[s.fileno()]
                while True:
                    try:
                        data = s.recv(70000)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break  # ICMP errors (port unreachable for a fragment): no reply
                    got += 1
                    self.received += 1
                    if len(data) < 2:
                        self.unknown.append(data)
                        continue
                    i = (k << 16) | struct.unpack('!H', data[:2])[0]
                    if i >= nmsgs:
                        self.unknown.append(data)
                    else:
                        self.replies[i].append(data)
            if timeout == 0:
                continue


def hexdump(b, limit=160):
    h = b[:limit].hex()
    return h + ('...(%d octets)' % len(b) if len(b) > limit else '')


def barrage(o, msgs):
    snd = Sender(o.server, o.port, len(msgs))
    wires = [Sender.with_id(i, m.wire) for i, m in enumerate(msgs)]
    t0 = time.monotonic()
    for i, w in enumerate(wires):
        due = t0 + i / o.rate
        now = time.monotonic()
        if due > now:
            snd.drain(due - now, len(msgs))
        elif i % 64 == 0:
            snd.drain(0, len(msgs))
        snd.send(i, w)
    sent_s = time.monotonic() - t0
    # stragglers: until 1 s passes without a reply (5 s at most)
    end = time.monotonic() + 5
    while time.monotonic() < end and snd.drain(1.0, len(msgs)) > 0:
        pass
    # a second chance, in up to 3 slow rounds, for what must be answered and was not (lost
    # under load); bounded: --max-resend messages at 500/s, then 1 s for the replies
    def missing():
        return [i for i, m in enumerate(msgs) if i not in snd.replies and
                isinstance(m.expect, frozenset) and not m.may_drop]
    first = missing()
    resent = 0
    for _ in range(3):
        resend = missing()[:o.max_resend]
        if not resend:
            break
        for i in resend:
            snd.send(i, wires[i])
            resent += 1
            snd.drain(0.002, len(msgs))
        snd.drain(o.resend_timeout, len(msgs))
    return snd, wires, sent_s, len(first), resent


def run_barrage(o):
    msgs = generate(o)
    print('malformed: %d messages in %d categories to %s port %d at %d/s (seed %d)' %
          (len(msgs), len(CATEGORIES), o.server, o.port, o.rate, o.seed), flush=True)
    snd, wires, secs, nmissing, resent = barrage(o, msgs)
    print('malformed: sent in %.1f s; %d replies; %d needed a second chance (%d resent)' %
          (secs, sum(len(v) for v in snd.replies.values()), nmissing, resent), flush=True)
    stats = collections.OrderedDict((c[0], {'sent': 0, 'replied': 0, 'noreply': 0,
                                            'rcodes': collections.Counter(), 'bad': 0})
                                    for c in CATEGORIES)
    failures = collections.defaultdict(list)
    for i, m in enumerate(msgs):
        st = stats[m.cat]
        st['sent'] += 1
        reps = snd.replies.get(i, [])
        if not reps:
            st['noreply'] += 1
            if isinstance(m.expect, frozenset) and not m.may_drop:
                st['bad'] += 1
                failures[(m.cat, 'no reply')].append((wires[i], None))
            continue
        st['replied'] += 1
        distinct = set(reps)
        if len(distinct) > 1:
            st['bad'] += 1
            failures[(m.cat, 'different replies to one message')].append((wires[i], reps[0]))
        rep = reps[0]
        errs, rc = check_reply(m, wires[i], rep)
        if rc is not None:
            st['rcodes'][rcode_name(rc)] += 1
        if errs:
            st['bad'] += 1
            for e in errs:
                failures[(m.cat, e)].append((wires[i], rep))
    if snd.unknown:
        failures[('?', 'replies with an ID we never sent')].extend((b'', u) for u in snd.unknown)
    if snd.send_errors:
        print('malformed: %d sends failed (local errors)' % snd.send_errors)
    # for the caller to compare with the server's counters
    print('malformed: counters: barrage-sent=%d barrage-replies=%d' % (snd.sent, snd.received))

    print('%-16s %7s %7s %7s %5s  %s' % ('category', 'sent', 'replied', 'none', 'bad',
                                         'rcodes seen'))
    for cat, st in stats.items():
        if not st['sent']:
            continue
        rcs = ' '.join('%s=%d' % kv for kv in sorted(st['rcodes'].items()))
        print('%-16s %7d %7d %7d %5d  %s' % (cat, st['sent'], st['replied'], st['noreply'],
                                             st['bad'], rcs))
    tot = {k: sum(s[k] for s in stats.values()) for k in ('sent', 'replied', 'noreply', 'bad')}
    print('%-16s %7d %7d %7d %5d' % ('total', tot['sent'], tot['replied'], tot['noreply'],
                                     tot['bad']))
    failed_cats = {cat for cat, _ in failures}
    for cat, st in stats.items():
        if st['sent'] and cat not in failed_cats:
            print('ok   %s%s: %d sent, %d replies, every one as expected' %
                  (LABEL[0], cat, st['sent'], st['replied']))
    for (cat, what), ex in sorted(failures.items()):
        print('FAIL %s%s: %s (%d messages); first ones:' % (LABEL[0], cat, what, len(ex)))
        for q, rep in ex[:3]:
            print('       query  %s' % hexdump(q))
            if rep is not None:
                print('       reply  %s' % hexdump(rep))
    return not failures


# ---------------------------------------------------------------------------- liveness

def liveness_queries(o):
    """(label, query wire, transport) of the fixed good queries."""
    out = []

    def add(label, name, rdtype, tcp=False, edns=False, rdclass='IN', qid=None):
        q = dns.message.make_query(name, rdtype, rdclass, use_edns=0 if edns else False)
        q.flags &= ~dns.flags.RD
        q.id = qid if qid is not None else (len(out) + 1)
        out.append((label, q.to_wire(), tcp))

    add('mail A', 'mail.example.com.', 'A')
    add('mail AAAA tcp', 'mail.example.com.', 'AAAA', tcp=True)
    add('apex SOA', 'example.com.', 'SOA')
    add('apex SOA edns', 'example.com.', 'SOA', edns=True)
    add('apex MX', 'example.com.', 'MX')
    add('www CNAME', 'www.example.com.', 'A')
    add('autodiscover A', 'autodiscover.example.com.', 'A')
    add('autodiscover SRV', '_autodiscover._tcp.example.com.', 'SRV')
    add('nxdomain', 'nope.example.com.', 'A')
    add('wildcard', 'anything.example.net.', 'A')
    add('example.net SOA tcp', 'example.net.', 'SOA', tcp=True)
    add('outside A', 'www.example.org.', 'A')
    add('outside ANY', 'example.org.', 'ANY')
    add('outside suffix', 'wwwexample.com.', 'A')
    add('outside root', '.', 'SOA')
    add('apex ANY', 'example.com.', 'ANY')
    add('apex ANY edns', 'example.com.', 'ANY', edns=True)
    add('apex ANY tcp', 'example.com.', 'ANY', tcp=True)
    add('chaos version', 'version.bind.', 'TXT', rdclass='CH')
    if o.big_name:
        add('big TXT tcp', o.big_name + '.', 'TXT', tcp=True)
    return out


LIVENESS_UDP = [0]  # UDP queries the liveness checks sent
LABEL = ['']  # --label


def ask(o, wire, tcp):
    """The raw reply to WIRE (3 tries), or None."""
    fam = socket.AF_INET6 if ':' in o.server else socket.AF_INET
    for _ in range(3):
        s = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        s.settimeout(o.query_timeout)
        try:
            if tcp:
                s.connect((o.server, o.port))
                s.sendall(struct.pack('!H', len(wire)) + wire)
                buf = b''
                while len(buf) < 2 or len(buf) < 2 + struct.unpack('!H', buf[:2])[0]:
                    chunk = s.recv(65537)
                    if not chunk:
                        raise EOFError
                    buf += chunk
                return buf[2:2 + struct.unpack('!H', buf[:2])[0]]
            s.sendto(wire, (o.server, o.port))
            LIVENESS_UDP[0] += 1
            end = time.monotonic() + o.query_timeout
            while time.monotonic() < end:
                data = s.recv(65535)
                if data[:2] == wire[:2]:
                    return data
        except (OSError, EOFError):
            time.sleep(0.2)
        finally:
            s.close()
    return None


def liveness(o, label):
    """Asks the fixed queries; returns ({label: reply wire}, [problems])."""
    got, errs = {}, []
    t0 = time.monotonic()
    for name, wire, tcp in liveness_queries(o):
        w = ask(o, wire, tcp)
        if w is None:
            errs.append('%s: %s: no answer (%s)' % (label, name, 'TCP' if tcp else 'UDP'))
            continue
        try:
            got[name] = (dns.message.from_wire(w), w)
        except Exception as e:  # noqa: BLE001
            errs.append('%s: %s: the answer does not parse: %s' % (label, name, e))
    secs = time.monotonic() - t0

    def need(cond, what):
        if not cond:
            errs.append('%s: %s' % (label, what))

    def rrs(name, sec='answer'):
        r = got.get(name)
        return [] if r is None else getattr(r[0], sec)

    def rc(name):
        r = got.get(name)
        return None if r is None else r[0].rcode()

    def texts(name, sec='answer'):
        return sorted(rd.to_text() for s in rrs(name, sec) for rd in s)

    need(texts('mail A') == ['198.18.0.25'], 'mail.example.com A: %s' % texts('mail A'))
    need(texts('mail AAAA tcp') == ['2001:db8:25::25'], 'mail AAAA over TCP: %s' %
         texts('mail AAAA tcp'))
    for n in ('apex SOA', 'apex SOA edns', 'example.net SOA tcp'):
        need(rc(n) == NOERROR and len(rrs(n)) == 1 and rrs(n)[0].rdtype == 6,
             '%s: rcode %s, %d RRsets' % (n, rc(n), len(rrs(n))))
    need(texts('apex MX') == ['10 mail.example.com.'], 'example.com MX: %s' % texts('apex MX'))
    need('example.com.' in texts('www CNAME'), 'www.example.com CNAME: %s' %
         texts('www CNAME'))
    if o.policy:
        need(rc('autodiscover A') == NOERROR and not rrs('autodiscover A'),
             'autodiscover.example.com A: withheld (NODATA) under the policy, got %s' %
             texts('autodiscover A'))
        need(texts('autodiscover SRV') == ['0 0 443 mail.example.com.'],
             '_autodiscover._tcp SRV: %s' % texts('autodiscover SRV'))
    else:
        need(texts('autodiscover A') == ['198.18.0.25'], 'autodiscover A: %s' %
             texts('autodiscover A'))
    need(rc('nxdomain') == NXDOMAIN and len(rrs('nxdomain', 'authority')) == 1,
         'nope.example.com: NXDOMAIN with the SOA, got %s' % rc('nxdomain'))
    need(texts('wildcard') == ['198.18.2.80'], 'wildcard: %s' % texts('wildcard'))
    for n in ('outside A', 'outside ANY', 'outside suffix', 'outside root', 'chaos version'):
        need(rc(n) == REFUSED and not rrs(n) and not rrs(n, 'authority'),
             '%s: REFUSED with no records, got rcode %s, %d/%d RRsets' %
             (n, rc(n), len(rrs(n)), len(rrs(n, 'authority'))))
    for n in ('apex ANY', 'apex ANY edns', 'apex ANY tcp'):
        r = got.get(n)
        if r is None:
            continue
        need(r[0].rcode() == NOERROR and len(r[0].answer) == 1 and
             not r[0].authority and len(r[1]) <= 128 and len(r[1]) * 4 < o.zone_octets,
             '%s: RFC 8482 minimal: 1 RRset, under 128 octets (zone: %d), got %d RRsets, '
             '%d octets' % (n, o.zone_octets, len(r[0].answer), len(r[1])))
    if o.big_name:
        need(len(texts('big TXT tcp')) >= 10, 'big TXT over TCP: %d records' %
             len(texts('big TXT tcp')))
    return {k: v[1] for k, v in got.items()}, errs, secs


def zone_octets(files):
    import dns.zone
    total = 0
    for origin, path in files:
        z = dns.zone.from_file(path, origin, relativize=False, check_origin=False)
        for name, node in z.nodes.items():
            for rds in node.rdatasets:
                for rd in rds:
                    total += len(name.to_wire()) + 10 + len(rd.to_wire())
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=53)
    ap.add_argument('--count', type=int, default=32000, help='messages (default 32000)')
    ap.add_argument('--rate', type=int, default=5000, help='messages per second (5000)')
    ap.add_argument('--seed', type=int, default=6)
    ap.add_argument('--policy', action='store_true',
                    help='the autodiscover policy is on (sample certificate)')
    ap.add_argument('--big-name', default='', help='a name with a TXT set over 512 octets')
    ap.add_argument('--huge-name', default='',
                    help='a name whose TXT answer is 65508..65535 octets '
                    '(udp-max-payload 65535)')
    ap.add_argument('--label', default='', help='prefix of the ok/FAIL lines')
    ap.add_argument('--no-fragments', action='store_true',
                    help='queries over the MTU may go unanswered (a dataplane)')
    ap.add_argument('--zone', action='append', default=[], metavar='ORIGIN=FILE',
                    help='the zone files served, to size the ANY check')
    ap.add_argument('--query-timeout', type=float, default=2.0)
    ap.add_argument('--resend-timeout', type=float, default=1.0)
    ap.add_argument('--max-resend', type=int, default=300)
    ap.add_argument('--skip-barrage', action='store_true', help='liveness only')
    o = ap.parse_args()
    LABEL[0] = o.label + ': ' if o.label else ''
    o.zone_octets = zone_octets([z.split('=', 1) for z in o.zone]) if o.zone else 1 << 20

    ok = True
    before, errs, secs = liveness(o, 'before')
    print('malformed: liveness before: %d answers in %.1f s' % (len(before), secs))
    for e in errs:
        print('FAIL %sliveness %s' % (LABEL[0], e))
        ok = False
    if not errs:
        print('ok   %sliveness before: %d good queries answered correctly' % (LABEL[0],
                                                                            len(before)))
    if not o.skip_barrage:
        t0 = time.monotonic()
        ok = run_barrage(o) and ok
        print('malformed: barrage done in %.1f s' % (time.monotonic() - t0))
    after, errs, secs = liveness(o, 'after')
    print('malformed: liveness after: %d answers in %.1f s' % (len(after), secs))
    for e in errs:
        print('FAIL %sliveness %s' % (LABEL[0], e))
        ok = False
    if not errs:
        print('ok   %sliveness after: %d good queries answered correctly' % (LABEL[0],
                                                                           len(after)))
    changed = [k for k in before if k in after and before[k] != after[k]]
    for k in changed:
        print('FAIL %sliveness: %s: the answer changed:\n       before %s\n       after  %s' %
              (LABEL[0], k, hexdump(before[k], 400), hexdump(after[k], 400)))
    if not changed and before and len(after) == len(before):
        print('ok   %sliveness: the %d answers after are the ones before, octet for octet' %
              (LABEL[0], len(after)))
    ok = ok and not changed
    print('malformed: counters: liveness-udp=%d' % LIVENESS_UDP[0])
    print('malformed: %s' % ('ok' if ok else 'FAILED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
