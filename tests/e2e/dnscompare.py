#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnscompare.py: differential test of two authoritative servers serving the same zones.

Builds a query list from the zone files, sends every query (the same bytes) to a reference
server (Knot DNS) and to the candidate (sandnsd), and compares the responses field by field:
rcode, opcode, ID, header flags, the question (case-sensitive: 0x20 must be echoed), the
answer, authority and additional sections as sorted lists of (owner lower-cased, class, type,
TTL, canonical RDATA), and EDNS (presence, version, DO, payload size, option codes). AXFR of
every zone is compared as a multiset of records.

Prints every mismatch and, last, exactly `N passed, M failed`; exits 1 when anything failed.
Only Debian's python3-dnspython; talks only to the addresses given (loopback in the suite);
every loop is bounded by the query list and every wait by a timeout.

    dnscompare.py --zone example.com.=zones/sample/example.com.zone ... \
        --ref 127.0.0.1:5301 --cand 127.0.0.1:5399
"""

import argparse
import random
import socket
import struct
import sys
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

# Types asked at every owner (plus the owner's own types).
BASE_TYPES = ["A", "AAAA", "NS", "SOA", "MX", "TXT", "SRV", "CNAME", "DS", "DNAME", "PTR",
              "CAA", "ANY"]
FLAGS = [("QR", dns.flags.QR), ("AA", dns.flags.AA), ("TC", dns.flags.TC),
         ("RD", dns.flags.RD), ("RA", dns.flags.RA), ("AD", dns.flags.AD),
         ("CD", dns.flags.CD)]
SECTIONS = ["answer", "authority", "additional"]


class Profile:
    """How a query is sent: transport, EDNS and header flags."""

    def __init__(self, name, edns=0, payload=1232, do=False, tcp=False, flags=0):
        self.name, self.edns, self.payload = name, edns, payload
        self.do, self.tcp, self.flags = do, tcp, flags


P_EDNS = Profile("edns")                       # EDNS 0, 1232: the common case
P_NOEDNS = Profile("noedns", edns=None)        # plain DNS: 512-byte limit
P_DO = Profile("do", payload=4096, do=True)    # DNSSEC OK on unsigned zones
P_V1 = Profile("ednsv1", edns=1)               # BADVERS
P_512 = Profile("edns512", payload=512)        # EDNS with the smallest payload
P_DO512 = Profile("do512", payload=512, do=True)  # DNSSEC OK in 512: signed answers cut
P_TCP = Profile("tcp", tcp=True)
P_TCP_NOEDNS = Profile("tcp-noedns", edns=None, tcp=True)
P_TCP_DO = Profile("tcp-do", payload=4096, do=True, tcp=True)
P_RD = Profile("rd", flags=dns.flags.RD)       # RD echoed, RA stays clear
P_CD = Profile("cd", flags=dns.flags.CD)       # CD echoed


class Query:
    __slots__ = ("desc", "wire", "tcp", "qtype", "qid", "malformed")

    def __init__(self, desc, wire, tcp, qtype, qid, malformed=False):
        self.desc, self.wire, self.tcp, self.qtype, self.qid = desc, wire, tcp, qtype, qid
        self.malformed = malformed


class Zone:
    """What the query generator needs to know about a zone file."""

    def __init__(self, origin, path):
        self.origin = dns.name.from_text(origin)
        z = dns.zone.from_file(path, self.origin, relativize=False, check_origin=False)
        self.types = {}
        self.targets = set()
        for name, node in z.nodes.items():
            for rds in node.rdatasets:
                self.types.setdefault(name, []).append(rds.rdtype)
                for rd in rds:
                    for attr in ("target", "exchange"):
                        t = getattr(rd, attr, None)
                        if isinstance(t, dns.name.Name) and t.is_subdomain(self.origin):
                            self.targets.add(t)
        self.owners = sorted(self.types)
        self.cuts = [o for o in self.owners
                     if o != self.origin and dns.rdatatype.NS in self.types[o]]
        self.dnames = [o for o in self.owners if dns.rdatatype.DNAME in self.types[o]]
        self.wildcards = [o for o in self.owners if o.labels[0] == b"*"]
        ents = set()
        for o in self.owners:  # bounded by the labels of each owner
            p = o
            while len(p) > len(self.origin):
                p = p.parent()
                if p not in self.types:
                    ents.add(p)
        self.ents = sorted(ents)
        self.serial = z.get_rdataset(self.origin, dns.rdatatype.SOA)[0].serial
        self.nsec3 = [o for o in self.owners if dns.rdatatype.NSEC3 in self.types[o]]


class Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.queries = []
        self.seen = set()
        self.next_id = self.rng.randrange(65536)

    def case_variant(self, name):
        labels = []
        for lab in name.labels:
            b = bytearray(lab)
            for i, c in enumerate(b):
                if chr(c).isalpha() and self.rng.random() < 0.5:
                    b[i] = c ^ 0x20
            labels.append(bytes(b))
        return dns.name.Name(labels)

    def add(self, qname, qtype, prof=P_EDNS, rdclass="IN", opcode=0, tag=""):
        if isinstance(qname, str):
            qname = dns.name.from_text(qname)
        key = (qname.to_text(), str(qtype), prof.name, rdclass, opcode)
        if key in self.seen:
            return
        self.seen.add(key)
        qid = self.next_id
        self.next_id = (self.next_id + 1) % 65536
        m = dns.message.make_query(qname, qtype, rdclass, use_edns=False, id=qid,
                                   flags=prof.flags)
        m.set_opcode(opcode)
        if prof.edns is not None:
            m.use_edns(edns=prof.edns, ednsflags=dns.flags.DO if prof.do else 0,
                       payload=prof.payload)
        desc = "%s %s %s %s%s%s" % (qname.to_text(), rdclass, qtype, prof.name,
                                    " opcode=%d" % opcode if opcode else "",
                                    " (%s)" % tag if tag else "")
        self.queries.append(Query(desc, m.to_wire(), prof.tcp,
                                  dns.rdatatype.from_text(qtype), qid))

    def add_ixfr(self, zone, serial, desc, tcp=False):
        """IXFR for ZONE with the client's SOA (RFC 1995 3) at SERIAL; None: without it."""
        qid = self.next_id
        self.next_id = (self.next_id + 1) % 65536
        m = dns.message.make_query(zone.origin, "IXFR", use_edns=False, id=qid, flags=0)
        if serial is not None:
            m.authority.append(dns.rrset.from_text(
                zone.origin, 0, "IN", "SOA", ". . %d 0 0 0 0" % (serial % 2**32)))
        self.queries.append(Query("%s IN IXFR %s%s" % (zone.origin, desc, " tcp" if tcp else ""),
                                  m.to_wire(), tcp, dns.rdatatype.IXFR, qid))

    def add_raw(self, desc, wire, qid, malformed=False, tcp=False):
        self.queries.append(Query(desc, wire, tcp, None, qid, malformed))


def build_nsec3_queries(b, z):
    """A zone signed with NSEC3 (RFC 5155 7.2), with DO unless said: NXDOMAIN (closest encloser,
    next closer, wildcard), NODATA, empty non-terminals, wildcard answers and wildcard NODATA,
    DS and no DS at delegations (opted out or not), and the NSEC3 owners themselves, which are
    no names of the zone (7.2.8): NXDOMAIN whatever the type. The zone's own names are asked
    too by build_queries() when it is also given as a --zone."""
    b.add(z.origin, "SOA")
    b.add(z.origin, "NSEC3PARAM", P_DO)
    for o in z.nsec3:
        for t in ("NSEC3", "A", "RRSIG", "TXT", "ANY"):
            b.add(o, t)
            b.add(o, t, P_DO)
        for prof in (P_NOEDNS, P_TCP):
            b.add(o, "NSEC3", prof)
        b.add(b.case_variant(o), "NSEC3", P_DO, tag="case")
        b.add(dns.name.from_text("below", o), "A")
        b.add(dns.name.from_text("below", o), "A", P_DO)
    names = [o for o in z.owners if o not in z.nsec3] + list(z.ents)
    for n in names:
        for t in ("A", "TXT", "DS", "NSEC3", "NSEC", "RRSIG", "ANY"):
            b.add(n, t, P_DO)
        b.add(n, "MX", P_DO512)
        for nx in ("sandns-nx", "x.y.sandns-nx", "*"):
            b.add(dns.name.from_text(nx, n), "A", P_DO)
        b.add(dns.name.from_text("sandns-nx", n), "TXT", P_DO512)
        b.add(dns.name.from_text("sandns-nx", n), "DS", P_TCP_DO)
    for w in z.wildcards:
        parent = w.parent()
        for label in ("anything", "a.b", "host-x.y.z"):
            n = dns.name.from_text(label, parent)
            for t in ("A", "MX", "TXT", "AAAA", "DS", "NSEC3", "ANY"):
                b.add(n, t, P_DO)
            b.add(b.case_variant(n), "A", P_DO, tag="case")
    for c in z.cuts:
        for n in (c, dns.name.from_text("www", c), dns.name.from_text("a.b", c)):
            for t in ("A", "DS", "NS", "TXT"):
                b.add(n, t, P_DO)
            b.add(n, "DS", P_TCP_DO)


def build_queries(zones, seed, nsec3_zones=()):
    b = Builder(seed)
    for z in nsec3_zones:
        build_nsec3_queries(b, z)
    for z in zones:
        tname = dns.rdatatype.to_text
        for o in z.owners:
            own = [tname(t) for t in z.types[o]]
            for t in BASE_TYPES + own:
                b.add(o, t)
            for t in ["A"] + own:
                for prof in (P_NOEDNS, P_DO, P_512, P_DO512, P_TCP_NOEDNS):
                    b.add(o, t, prof)
            b.add(o, own[0], P_V1)
            b.add(o, own[0], P_TCP)
            b.add(o, "A", P_RD)
            b.add(o, "A", P_CD)
            # 0x20: the question must come back exactly as sent
            b.add(b.case_variant(o), "A", tag="case")
            b.add(b.case_variant(o), own[0], P_NOEDNS, tag="case")
            # nonexistent names below and beside every owner
            b.add(dns.name.from_text("sandns-nx", o), "A")
            b.add(dns.name.from_text("sandns-nx", o), "MX", P_NOEDNS)
            if o != z.origin:
                beside = dns.name.Name((o.labels[0] + b"-nx",) + o.labels[1:])
                b.add(beside, "A")
                b.add(beside, "TXT", P_DO)
        for e in z.ents:  # empty non-terminals: NODATA
            for t in ("A", "TXT", "MX", "ANY", "DS", "NS"):
                b.add(e, t)
            b.add(e, "A", P_NOEDNS)
            b.add(b.case_variant(e), "AAAA", tag="case")
            b.add(dns.name.from_text("sandns-nx", e), "A")
        for w in z.wildcards:  # names the wildcard covers, and names below them
            parent = w.parent()
            for label in ("anything", "a.b", "host-x.y.z", "*"):
                n = dns.name.from_text(label, parent) if label != "*" else w
                for t in ("A", "AAAA", "MX", "TXT", "CNAME", "NS", "SRV", "DS", "ANY"):
                    b.add(n, t)
                b.add(n, "A", P_NOEDNS)
                b.add(n, "MX", P_DO)
                b.add(b.case_variant(n), "A", tag="case")
            # below a real name under the wildcard: the wildcard does not apply
            for o in z.owners:
                if o.parent() == parent and o != w:
                    b.add(dns.name.from_text("below", o), "A")
        for c in z.cuts:  # at and below delegations: referrals, DS at the parent
            for n in (c, dns.name.from_text("www", c), dns.name.from_text("a.b.c", c)):
                for t in ("A", "AAAA", "NS", "DS", "SOA", "MX", "TXT", "ANY"):
                    b.add(n, t)
                for prof in (P_NOEDNS, P_512, P_DO, P_TCP_NOEDNS):
                    b.add(n, "A", prof)
                    b.add(n, "DS", prof)
                b.add(b.case_variant(n), "A", tag="case")
        for d in z.dnames:  # DNAME substitution
            for n in (dns.name.from_text("www", d), dns.name.from_text("mail", d),
                      dns.name.from_text("x.y", d), dns.name.from_text("sandns-nx", d)):
                for t in ("A", "AAAA", "MX", "CNAME", "DNAME", "TXT", "ANY"):
                    b.add(n, t)
                b.add(n, "A", P_NOEDNS)
                b.add(n, "A", P_TCP)
                b.add(b.case_variant(n), "A", tag="case")
        for t in sorted(z.targets):  # MX/SRV/CNAME targets, existing or not
            b.add(t, "A")
            b.add(t, "AAAA")
        # out of zone: parents and siblings of the origin, and other classes
        if len(z.origin) > 1:
            b.add(z.origin.parent(), "SOA", tag="out of zone")
            b.add(z.origin.parent(), "NS", tag="out of zone")
            b.add(dns.name.from_text("sandns-other", z.origin.parent()), "A",
                  tag="out of zone")
        # IXFR without history (RFC 1995): over UDP the SOA whatever the client's serial
        for desc, serial in (("current", z.serial), ("older", z.serial - 1),
                             ("newer", z.serial + 1), ("2^31 away", z.serial + 2**31),
                             ("without SOA", None)):
            b.add_ixfr(z, serial, desc)
        # over TCP: the SOA alone to a client as new as we are (the rest: ixfr_transfer())
        for desc, serial in (("current", z.serial), ("newer", z.serial + 1),
                             ("without SOA", None)):
            b.add_ixfr(z, serial, desc, tcp=True)
        b.add(z.origin, "SOA", rdclass="CH", tag="class CH")
        b.add(z.origin, "SOA", opcode=2, tag="opcode STATUS")
    for n in (".", "invalid.", "www.example.invalid.", "localhost.", "com."):
        b.add(n, "A", tag="out of zone")
        b.add(n, "SOA", P_NOEDNS, tag="out of zone")
    for n in ("id.server.", "hostname.bind.", "version.bind.", "version.server."):
        b.add(n, "TXT", rdclass="CH", tag="CHAOS")
        b.add(n, "TXT", P_NOEDNS, rdclass="CH", tag="CHAOS")
    # header-only and malformed queries that still have a header
    z0 = zones[0].origin
    qid = b.next_id
    b.add_raw("QDCOUNT 0", struct.pack("!HHHHHH", qid, 0, 0, 0, 0, 0), qid)
    qid = (qid + 1) % 65536
    m = dns.message.make_query(z0, "SOA", use_edns=False, id=qid, flags=0).to_wire()
    b.add_raw("question cut short", m[:-3], qid, malformed=True)
    # octets after the records the counts announce: FORMERR (Knot), whatever else the query is
    trailing = [("", z0, "SOA", 0, None), (" EDNS DO", z0, "SOA", 0, 0),
                (" EDNS version 1", z0, "SOA", 0, 1), (" NOTIFY", z0, "SOA", 4, None),
                (" CHAOS", "version.bind.", "TXT", 0, None), (" AXFR", z0, "AXFR", 0, None)]
    for desc, name, qtype, opcode, edns in trailing:
        for tcp in (False, True):
            qid = (qid + 1) % 65536
            m = dns.message.make_query(name, qtype, "CH" if desc == " CHAOS" else "IN",
                                       use_edns=False, id=qid, flags=0)
            m.set_opcode(opcode)
            if edns is not None:
                m.use_edns(edns=edns, ednsflags=dns.flags.DO, payload=1232)
            b.add_raw("octets after the records%s%s" % (desc, " tcp" if tcp else ""),
                      m.to_wire() + b"\x00", qid, tcp=tcp)
    qid = (qid + 1) % 65536
    b.add_raw("QDCOUNT 0, OPT, octets after it",
              struct.pack("!HHHHHH", qid, 0, 0, 0, 0, 1) + b"\x00\x00\x29\x04\xd0" +
              b"\x00" * 6 + b"\x00", qid)
    return b.queries


# ------------------------------------------------------------------ transport


def ask_udp(sock, addr, q, timeout):
    sock.sendto(q.wire, addr)
    deadline = time.monotonic() + timeout
    while True:  # bounded by the deadline; stale answers to timed-out queries are dropped
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            return None
        if len(data) >= 2 and struct.unpack("!H", data[:2])[0] == q.qid:
            return data


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:  # bounded by n and the socket timeout
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def ask_tcp(addr, q, timeout):
    try:
        with socket.create_connection(addr, timeout=timeout) as s:
            s.sendall(struct.pack("!H", len(q.wire)) + q.wire)
            hdr = recv_exact(s, 2)
            if hdr is None:
                return None
            return recv_exact(s, struct.unpack("!H", hdr)[0])
    except (socket.timeout, OSError):
        return None


# ------------------------------------------------------------------ comparison


def canon_rdata(rd):
    """RDATA in RFC 4034 canonical form (names in RDATA lower-cased), shown as text."""
    try:
        wire = rd.to_digestable()
        return dns.rdata.from_wire(rd.rdclass, rd.rdtype, wire, 0, len(wire)).to_text()
    except Exception:  # an odd type dnspython cannot canonicalise: compare as sent
        return rd.to_text()


def section_rrs(rrsets):
    out = []
    for rrset in rrsets:
        for rd in rrset:
            out.append((rrset.name.to_text().lower(), dns.rdataclass.to_text(rrset.rdclass),
                        dns.rdatatype.to_text(rrset.rdtype), rrset.ttl, canon_rdata(rd)))
    return sorted(out)


def summarize(data):
    """Response bytes -> dict of comparable fields."""
    if data is None:
        return {"response": "none (timeout or dropped)"}
    try:
        m = dns.message.from_wire(data, one_rr_per_rrset=True)
    except Exception as e:
        return {"response": "unparseable (%s): %s" % (type(e).__name__, data[:64].hex())}
    s = {"response": "ok", "id": m.id, "rcode": dns.rcode.to_text(m.rcode()),
         "opcode": dns.opcode.to_text(m.opcode()),
         "question": [r.to_text() for r in m.question]}
    for name, bit in FLAGS:
        s["flag " + name] = bool(m.flags & bit)
    if m.edns >= 0:
        s["edns"] = "version %d" % m.edns
        s["edns DO"] = bool(m.ednsflags & dns.flags.DO)
        s["edns payload"] = m.payload
        s["edns options"] = sorted(int(o.otype) for o in m.options)
    else:
        s["edns"] = "absent"
    for sec in SECTIONS:
        s[sec] = section_rrs(getattr(m, sec))
    return s


def additional_targets(s):
    """Names whose A/AAAA may be in the additional section: MX, NS and SRV targets."""
    names = set()
    for sec in ("answer", "authority"):
        for _owner, _cls, rtype, _ttl, rdata in s.get(sec, []):
            if rtype in ("MX", "SRV"):
                names.add(rdata.split()[-1].lower())
            elif rtype == "NS":
                names.add(rdata.lower())
    return names


def compare(q, ref, cand, strict_additional):
    """Returns [(field, ref value, cand value)] for the fields that differ."""
    r, c = summarize(ref), summarize(cand)
    if q.malformed and c.get("rcode") == "FORMERR" and c.get("question") == []:
        # A malformed query with a readable header: Knot drops some of these, NSD answers
        # FORMERR, and sandns answers FORMERR with an empty question. Both pass.
        return []
    if r["response"] != "ok" or c["response"] != "ok":
        return [] if r["response"] == c["response"] or (ref is None and cand is None) \
            else [("response", r["response"], c["response"])]
    skip = set()
    if q.qtype == dns.rdatatype.ANY:
        # RFC 8482: a server may answer ANY with all, some or one RRset (Knot gives all,
        # or one over UDP); how much it gives also decides TC. rcode and flags still count.
        skip |= {"answer", "authority", "additional", "flag TC"}
    if not strict_additional and r["flag AA"] and c["flag AA"]:
        # Additional A/AAAA for MX/NS/SRV targets in a positive answer is optional (NSD with
        # minimal-responses leaves it out; RFC 1035 4.3.2 allows it). Referrals (AA clear)
        # are not affected: their glue is required and compared.
        for s in (r, c):
            t = additional_targets(s)
            s["additional"] = [rr for rr in s["additional"]
                               if not (rr[2] in ("A", "AAAA") and rr[0] in t)]
    diffs = []
    for k in sorted(set(r) | set(c)):
        if k in skip or k == "response":
            continue
        if r.get(k) != c.get(k):
            diffs.append((k, r.get(k), c.get(k)))
    return diffs


def fmt(v):
    if isinstance(v, list) and v and isinstance(v[0], tuple):
        return "\n" + "\n".join("        %s %s %s %s %s" % rr for rr in v)
    if isinstance(v, list) and not v:
        return "(empty)"
    return str(v)


def show_diffs(desc, diffs, rname, cname):
    print("FAIL %s" % desc)
    for field, rv, cv in diffs:
        if isinstance(rv, list) and isinstance(cv, list) and (rv or cv) and \
                isinstance((rv or cv)[0], tuple):
            only_r = [x for x in rv if x not in cv]
            only_c = [x for x in cv if x not in rv]
            print("    %s: only %s:%s" % (field, rname, fmt(only_r)))
            print("    %s: only %s:%s" % (field, cname, fmt(only_c)))
        else:
            print("    %s: %s=%s %s=%s" % (field, rname, fmt(rv), cname, fmt(cv)))


def axfr(addr, origin, timeout):
    try:
        rrs = []
        for msg in dns.query.xfr(addr[0], origin, port=addr[1], timeout=timeout,
                                 lifetime=10 * timeout, relativize=False):
            rrs += section_rrs(msg.answer)
        return sorted(rrs)
    except Exception as e:
        return "AXFR failed: %s: %s" % (type(e).__name__, e)


def ixfr_transfer(addr, origin, serial, timeout):
    """IXFR over TCP from an older SERIAL, without history: the zone AXFR-style (RFC 1995 4).
    Returns the rcode, the question of the first message (it must stay IXFR: BIND checks it)
    and the records as a sorted list, or a string saying what went wrong."""
    m = dns.message.make_query(origin, "IXFR", use_edns=False)
    m.authority.append(dns.rrset.from_text(origin, 0, "IN", "SOA",
                                           ". . %d 0 0 0 0" % (serial % 2**32)))
    wire = m.to_wire()
    rrs, question, rcode = [], None, None
    try:
        with socket.create_connection(addr, timeout=timeout) as s:
            s.sendall(struct.pack("!H", len(wire)) + wire)
            for _ in range(10000):  # bounded: a transfer of our test zones is a few messages
                hdr = recv_exact(s, 2)
                if hdr is None:
                    return "IXFR: connection closed after %d records" % len(rrs)
                body = recv_exact(s, struct.unpack("!H", hdr)[0])
                if body is None:
                    return "IXFR: connection closed inside a message"
                r = dns.message.from_wire(body, one_rr_per_rrset=True)
                if question is None:
                    question = [q.to_text() for q in r.question]
                    rcode = dns.rcode.to_text(r.rcode())
                rrs += section_rrs(r.answer)
                nsoa = sum(1 for rr in rrs if rr[2] == "SOA")
                # the end: an error, the SOA alone, or the zone's SOA again at the end
                if r.rcode() != 0 or (len(rrs) == 1 and nsoa == 1) or \
                        (nsoa >= 2 and r.answer[-1].rdtype == dns.rdatatype.SOA):
                    return {"rcode": rcode, "question": question, "records": sorted(rrs)}
    except (socket.timeout, OSError, dns.exception.DNSException) as e:
        return "IXFR failed: %s: %s" % (type(e).__name__, e)
    return "IXFR: no final SOA after %d records" % len(rrs)


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zone", action="append", required=True, metavar="ORIGIN=FILE")
    ap.add_argument("--nsec3-zone", action="append", default=[], metavar="ORIGIN=FILE",
                    help="a zone signed with NSEC3: its denial proofs are asked for (with DO); "
                    "give it as --zone too for the rest")
    ap.add_argument("--ref", required=True, metavar="HOST:PORT")
    ap.add_argument("--cand", required=True, metavar="HOST:PORT")
    ap.add_argument("--ref-name", default="knot")
    ap.add_argument("--cand-name", default="sandns")
    ap.add_argument("--timeout", type=float, default=2.0, help="seconds per query")
    ap.add_argument("--seed", type=int, default=2024, help="case variants and query IDs")
    ap.add_argument("--strict-additional", action="store_true",
                    help="compare additional A/AAAA of MX/NS/SRV targets too")
    ap.add_argument("--max-silent", type=int, default=25,
                    help="give up after this many unanswered queries in a row")
    ap.add_argument("--list", action="store_true", help="print the queries and exit")
    args = ap.parse_args()

    zones = []
    for z in args.zone:
        origin, _, path = z.partition("=")
        zones.append(Zone(origin, path))
    nsec3_zones = []
    for z in args.nsec3_zone:
        origin, _, path = z.partition("=")
        nsec3_zones.append(Zone(origin, path))
    queries = build_queries(zones, args.seed, nsec3_zones)
    if args.list:
        for q in queries:
            print(q.desc)
        return 0
    ref, cand = hostport(args.ref), hostport(args.cand)
    print("dnscompare: %d queries over %d zones, %s=%s:%d %s=%s:%d"
          % (len(queries), len(zones), args.ref_name, ref[0], ref[1], args.cand_name,
             cand[0], cand[1]))
    fam = socket.AF_INET6 if ":" in ref[0] else socket.AF_INET
    rsock = socket.socket(fam, socket.SOCK_DGRAM)
    csock = socket.socket(socket.AF_INET6 if ":" in cand[0] else socket.AF_INET,
                          socket.SOCK_DGRAM)
    passed = failed = silent = 0
    for q in queries:
        if q.tcp:
            rwire, cwire = ask_tcp(ref, q, args.timeout), ask_tcp(cand, q, args.timeout)
        else:
            rwire = ask_udp(rsock, ref, q, args.timeout)
            cwire = ask_udp(csock, cand, q, args.timeout)
        diffs = compare(q, rwire, cwire, args.strict_additional)
        if diffs:
            failed += 1
            show_diffs(q.desc, diffs, args.ref_name, args.cand_name)
        else:
            passed += 1
        silent = silent + 1 if rwire is None or cwire is None else 0
        if silent >= args.max_silent:
            left = len(queries) - passed - failed
            print("ABORT: %d queries in a row without an answer; %d queries not sent"
                  % (silent, left))
            failed += left
            break
    else:
        only3 = [z for z in nsec3_zones if z.origin not in {y.origin for y in zones}]
        for z in zones + only3:  # zone transfers, compared as multisets of records
            ra, ca = axfr(ref, z.origin, args.timeout), axfr(cand, z.origin, args.timeout)
            desc = "%s AXFR tcp" % z.origin.to_text()
            # Both refused alike with an rcode (a zone holding an RRset no message holds:
            # SERVFAIL) is agreement; any other failure is not.
            same_refusal = isinstance(ra, str) and ra == ca and "TransferError" in ra
            if not same_refusal and (isinstance(ra, str) or isinstance(ca, str) or ra != ca):
                failed += 1
                show_diffs(desc, [("axfr", ra, ca)], args.ref_name, args.cand_name)
            else:
                passed += 1
            # IXFR from an older serial, without history: the zone AXFR-style, question IXFR
            rx = ixfr_transfer(ref, z.origin, z.serial - 1, args.timeout)
            cx = ixfr_transfer(cand, z.origin, z.serial - 1, args.timeout)
            if isinstance(rx, str) or isinstance(cx, str):
                failed += 1
                show_diffs("%s IXFR older tcp (AXFR-style)" % z.origin.to_text(),
                           [("ixfr", rx, cx)], args.ref_name, args.cand_name)
            elif rx != cx:
                failed += 1
                show_diffs("%s IXFR older tcp (AXFR-style)" % z.origin.to_text(),
                           [(k, rx[k], cx[k]) for k in rx if rx[k] != cx[k]],
                           args.ref_name, args.cand_name)
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
