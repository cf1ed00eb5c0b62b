#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# xfr_flood.py: transfers streamed under a bounded buffer (hardening item 2), against a running
# sandnsd: clients that ask AXFR and never read, the transfers-out cap, and a transfer that spans a
# reload. xfr_flood.sh starts sandnsd and runs it; prints `ok ...`/`FAIL ...` lines (lib.sh's
# run_counted) and exits 1 when a check failed.
#
#  gen    ZONEFILE ORIGIN COUNT SERIAL [--changed]: writes the zone (zone_records());
#  flood  --port P --pid PID --ctl SANDNSCTL --sock SOCK --zone FILE --new-file NEXT --origin O
#         --records COUNT --clients N --extra K: the checks (see part_flood(), part_reload()).
# DNS messages are built and read here by hand (no dnspython): parsing 50,000 records with it took
# longer than the rest of the test on a loaded machine.
import argparse
import json
import socket
import struct
import subprocess
import sys
import time

T_A, T_NS, T_SOA, T_TXT, T_AAAA, T_AXFR = 1, 2, 6, 16, 28, 252
RCODE_NOERROR, RCODE_REFUSED = 0, 5

failures = 0


def ok(msg):
    print("ok   " + msg, flush=True)


def bad(msg):
    global failures
    failures += 1
    print("FAIL " + msg, flush=True)


def check(cond, msg):
    (ok if cond else bad)(msg)
    return cond


# ---------------------------------------------------------------- the zone
# A record is (owner, ttl, type, rdata): the owner in lower case with the final dot; the RDATA as
# the wire has it once names are expanded (A, AAAA, TXT: the octets; NS: the name; SOA: the two
# names and the five numbers). The zone file is written from the same list.


def kernel_send_max():
    """The most a TCP socket's send buffer grows to by itself (tcp_wmem's third field)."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as f:
            return int(f.read().split()[2])
    except (OSError, IndexError, ValueError):
        return 4 << 20


def zone_records(origin, count, serial, changed):
    """COUNT records, every other one a TXT of as many 200-octet strings as make the transfer
    half as large again as a socket's send buffer may grow: the kernel cannot take a transfer
    whole, so a client that does not read keeps it under way on the server's side. CHANGED: the
    next version (the first 100 gone, 100 AAAA records new)."""
    ntxt = count // 2
    strings = max(1, -(-(kernel_send_max() * 5 // 4 - count * 23) // (max(ntxt, 1) * 201)))
    txt = b"".join(bytes([200]) + bytes([ord("a") + k % 26]) * 200 for k in range(strings))
    o = origin
    recs = [(o, 300, T_SOA, ("ns1." + o, "hostmaster." + o, serial, 3600, 600, 86400, 300)),
            (o, 300, T_NS, "ns1." + o), ("ns1." + o, 300, T_A, socket.inet_aton("192.0.2.1"))]
    for i in range(count):
        if changed and i < 100:
            continue
        if i % 2:
            recs.append(("h%d.%s" % (i, o), 300, T_TXT, txt))
        else:
            recs.append(("h%d.%s" % (i, o), 300, T_A,
                         bytes([10, i >> 16, (i >> 8) & 255, i & 255])))
    if changed:
        for i in range(100):
            recs.append(("n%d.%s" % (i, o), 300, T_AAAA,
                         socket.inet_pton(socket.AF_INET6, "2001:db8::%x" % (i + 1))))
    return recs, strings


def rdata_text(t, rd):
    if t == T_SOA:
        return "%s %s %d %d %d %d %d" % rd
    if t == T_NS:
        return rd
    if t == T_A:
        return socket.inet_ntoa(rd)
    if t == T_AAAA:
        return socket.inet_ntop(socket.AF_INET6, rd)
    out, p = [], 0
    while p < len(rd):
        out.append('"%s"' % rd[p + 1:p + 1 + rd[p]].decode())
        p += 1 + rd[p]
    return " ".join(out)


TYPE_NAMES = {T_A: "A", T_NS: "NS", T_SOA: "SOA", T_TXT: "TXT", T_AAAA: "AAAA"}


def gen(path, origin, count, serial, changed):
    recs, strings = zone_records(origin, count, serial, changed)
    with open(path, "w") as f:
        f.write("$ORIGIN %s\n" % origin)
        for owner, ttl, t, rd in recs:
            f.write("%s %d IN %s %s\n" % (owner, ttl, TYPE_NAMES[t], rdata_text(t, rd)))
    size = sum(len(r[3]) + 20 if isinstance(r[3], bytes) else 60 for r in recs)
    print("     %s: %d records, TXT of %d strings of 200 octets every other one (a transfer of "
          "about %d KiB; tcp_wmem max %d KiB)" % (path.split("/")[-1], len(recs), strings,
                                                   size >> 10, kernel_send_max() >> 10))


# ---------------------------------------------------------------- DNS messages, by hand


def name_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def make_query(qname, qtype, qid):
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + name_wire(qname) + struct.pack("!HH", qtype, 1)


def read_name(msg, p):
    """The name at P (compression followed, at most 128 jumps): (text, offset after it)."""
    labels, end, jumps = [], None, 0
    while True:
        n = msg[p]
        if n >= 0xC0:
            if end is None:
                end = p + 2
            p = ((n & 0x3F) << 8) | msg[p + 1]
            jumps += 1
            if jumps > 128:
                raise ValueError("compression loop")
            continue
        if n == 0:
            p += 1
            break
        labels.append(msg[p + 1:p + 1 + n].decode("ascii").lower())
        p += 1 + n
    return ".".join(labels) + ".", end if end is not None else p


class Msg:
    """A response: header fields, question count, answer records as zone_records() has them."""

    def __init__(self, msg):
        (self.id, flags, qd, an, ns, ar) = struct.unpack("!HHHHHH", msg[:12])
        self.rcode = flags & 15
        self.qdcount = qd
        self.records = []
        p = 12
        for _ in range(qd):
            p = read_name(msg, p)[1] + 4
        for _ in range(an):
            owner, p = read_name(msg, p)
            t, _cls, ttl, rdlen = struct.unpack("!HHIH", msg[p:p + 10])
            p += 10
            rd = msg[p:p + rdlen]
            if t == T_NS:
                rd = read_name(msg, p)[0]
            elif t == T_SOA:
                mname, q = read_name(msg, p)
                rname, q = read_name(msg, q)
                rd = (mname, rname) + struct.unpack("!IIIII", msg[q:q + 20])
            p += rdlen
            self.records.append((owner, ttl, t, rd))


def send_query(s, wire):
    s.sendall(struct.pack("!H", len(wire)) + wire)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d octets" % (len(buf), n))
        buf += chunk
    return buf


def recv_msg(s):
    (n,) = struct.unpack("!H", recv_exact(s, 2))
    return Msg(recv_exact(s, n))


class Transfer:
    """An AXFR read message by message: its records in order."""

    def __init__(self, s):
        self.s = s
        self.records = []
        self.msgs = 0
        self.rcode = None

    def read_one(self):
        m = recv_msg(self.s)
        self.msgs += 1
        if self.rcode is None:
            self.rcode = m.rcode
        self.records.extend(m.records)
        return m

    def read_all(self, limit=100000):
        while self.msgs < limit:
            self.read_one()
            if self.rcode != RCODE_NOERROR:
                return
            if len(self.records) >= 2 and self.records[-1][2] == T_SOA:
                return


def serial_of(rec):
    return rec[3][2]


def check_transfer(t, want, label):
    """T's records are exactly WANT (a set), SOA first and last, nothing twice."""
    r = t.records
    if not check(t.rcode == RCODE_NOERROR and len(r) >= 2,
                 "%s: a transfer with records (%d)" % (label, len(r))):
        return
    check(r[0][2] == T_SOA and r[-1][2] == T_SOA and r[0] == r[-1],
          "%s: SOA first and last, the same one (serial %d)" % (label, serial_of(r[0])))
    body = r[:-1]
    got = set(body)
    check(len(body) == len(got), "%s: no record twice (%d records, %d distinct)" % (label, len(body), len(got)))
    missing, extra = want - got, got - want
    check(not missing and not extra,
          "%s: equal to the zone file as a set (%d records; %d missing, %d extra%s)" %
          (label, len(got), len(missing), len(extra),
           "; e.g. " + repr(sorted(missing | extra, key=repr)[:2])[:300] if missing or extra else ""))


def full_axfr(port, origin, timeout=60):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        send_query(s, make_query(origin, T_AXFR, 7))
        t = Transfer(s)
        t.read_all()
        return t
    finally:
        s.close()


# ---------------------------------------------------------------- the daemon seen from outside


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def ctl(args, opts, timeout=10):
    t0 = time.monotonic()
    p = subprocess.run([opts.ctl, "--control", opts.sock] + args, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


def stat(opts, name):
    rc, out, _ = ctl(["stats"], opts)
    for line in out.splitlines():
        if line.startswith("total:"):
            for tok in line.split():
                if tok.startswith(name + "="):
                    return int(tok.split("=", 1)[1])
    return -1


def timed_query(opts, qname, tcp):
    """An SOA query over TCP or UDP: (Msg or None, seconds, error)."""
    q = make_query(qname, T_SOA, 0x5A5A)
    t0 = time.monotonic()
    try:
        if tcp:
            with socket.create_connection(("127.0.0.1", opts.port), timeout=2) as s:
                send_query(s, q)
                m = recv_msg(s)
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(2)
                s.sendto(q, ("127.0.0.1", opts.port))
                m = Msg(s.recv(65535))
    except (OSError, EOFError, ValueError, struct.error) as e:
        return None, time.monotonic() - t0, str(e)
    return m, time.monotonic() - t0, ""


def soa_serial_udp(opts):
    m, _, _ = timed_query(opts, opts.origin, False)
    if m is None or not m.records or m.records[0][2] != T_SOA:
        return None
    return serial_of(m.records[0])


# ---------------------------------------------------------------- the parts


def part_flood(opts, want):
    print("--- %d clients ask AXFR of %s and never read" % (opts.clients, opts.origin), flush=True)
    t = full_axfr(opts.port, opts.origin)
    check_transfer(t, want, "before the flood, a full AXFR")
    time.sleep(0.5)
    idle = rss_kib(opts.pid)
    xfr0 = stat(opts, "xfr")
    held = []
    for i in range(opts.clients):
        s = socket.create_connection(("127.0.0.1", opts.port), timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        send_query(s, make_query(opts.origin, T_AXFR, i + 1))
        held.append(s)
    # Until every transfer has started and the memory has settled (no growth for 1 s).
    deadline = time.monotonic() + 15
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = rss_kib(opts.pid)
        if stat(opts, "xfr") >= xfr0 + opts.clients and now <= last:
            if time.monotonic() - since >= 1:
                break
        else:
            since = time.monotonic()
        last = max(last, now)
        time.sleep(0.2)
    peak = max(last, rss_kib(opts.pid))
    bound = opts.clients * opts.per_conn_kib + opts.slack_kib
    print("     VmRSS idle %d KiB, with %d transfers held %d KiB: +%d KiB (bound +%d KiB = %d x %d "
          "+ %d)" % (idle, opts.clients, peak, peak - idle, bound, opts.clients, opts.per_conn_kib,
                     opts.slack_kib), flush=True)
    check(stat(opts, "xfr") >= xfr0 + opts.clients,
          "all %d transfers started (xfr %d -> %d)" % (opts.clients, xfr0, stat(opts, "xfr")))
    check(peak - idle <= bound, "RSS under the flood: +%d KiB, at most +%d KiB" % (peak - idle, bound))

    # The held transfers never end on their own: a thread that waited on them would never
    # answer. The time limits are the requests' own timeouts (10 s, and a query's); no tighter
    # bound, which under a sanitizer on a loaded machine a start-up alone can pass.
    rc, out, took = ctl(["status"], opts)
    check(rc == 0, "sandnsctl status answers during the flood (%.0f ms)" % (took * 1000))
    for tcp in (True, False):
        r, took, err = timed_query(opts, opts.origin, tcp)
        check(r is not None and r.rcode == RCODE_NOERROR and r.records,
              "a %s SOA query is answered during the flood (%.0f ms%s)" %
              ("TCP" if tcp else "UDP", took * 1000, ", " + err if err else ""))

    # Beyond transfers-out: REFUSED at once, counted, logged now and then.
    ref0 = stat(opts, "xfr-refused")
    refused = 0
    for i in range(opts.extra):
        try:
            s = socket.create_connection(("127.0.0.1", opts.port), timeout=5)
            send_query(s, make_query(opts.origin, T_AXFR, 900 + i))
            m = recv_msg(s)
            refused += m.rcode == RCODE_REFUSED and m.qdcount == 1 and not m.records
            s.close()
        except (OSError, EOFError, ValueError, struct.error) as e:
            print("     extra client %d: %s" % (i, e))
    check(refused == opts.extra, "%d transfers beyond transfers-out answered REFUSED (%d)" % (opts.extra, refused))
    ref1 = stat(opts, "xfr-refused")
    check(ref1 - ref0 == opts.extra, "xfr-refused counts them (%d -> %d)" % (ref0, ref1))
    rc, out, _ = ctl(["--json", "stats"], opts)
    try:
        js = sum(t.get("xfr_refused", 0) for t in json.loads(out)["data"]["threads"])
    except (ValueError, KeyError, TypeError, AttributeError):
        js = None
    check(js == ref1, "stats --json says so too (xfr_refused %s)" % js)

    for s in held:
        s.close()
    time.sleep(1)
    after = rss_kib(opts.pid)
    print("     VmRSS after the clients left: %d KiB" % after, flush=True)
    t = full_axfr(opts.port, opts.origin)
    check_transfer(t, want, "after the flood, a full AXFR")


def part_reload(opts, want_old, want_new):
    print("--- a transfer started before a reload that changes the zone", flush=True)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small window: the rest of the zone stays on the server's side until it is read.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(30)
    s.connect(("127.0.0.1", opts.port))
    send_query(s, make_query(opts.origin, T_AXFR, 4242))
    t = Transfer(s)
    t.read_one()
    old_serial = serial_of(t.records[0])
    time.sleep(0.5)
    answered = stat(opts, "tcp-answered")
    subprocess.run(["cp", opts.new_file, opts.zone], check=True)
    rc, out, _ = ctl(["reload"], opts, timeout=60)
    check(rc == 0, "sandnsctl reload of the changed zone (%s)" % out.strip().replace("\n", " ")[:200])
    new_serial = None
    for _ in range(100):
        new_serial = soa_serial_udp(opts)
        if new_serial is not None and new_serial != old_serial:
            break
        time.sleep(0.1)
    check(new_serial is not None and new_serial != old_serial,
          "the new serial is served over UDP (%s, was %d)" % (new_serial, old_serial))
    check(stat(opts, "tcp-answered") == answered,
          "the transfer is still under way on the server's side across the reload (tcp-answered %d)" % answered)
    t.read_all()
    check_transfer(t, want_old, "the transfer begun before the reload (serial %d)" % old_serial)
    check(serial_of(t.records[-1]) == old_serial, "it ends with the old serial %d" % old_serial)
    check(stat(opts, "tcp-answered") == answered + 1, "then it is done (tcp-answered %d)" % (answered + 1))
    s.close()
    t2 = full_axfr(opts.port, opts.origin)
    check_transfer(t2, want_new, "a transfer after the reload (serial %s)" % new_serial)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("file")
    g.add_argument("origin")
    g.add_argument("count", type=int)
    g.add_argument("serial", type=int)
    g.add_argument("--changed", action="store_true")
    f = sub.add_parser("flood")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--pid", type=int, required=True)
    f.add_argument("--ctl", required=True)
    f.add_argument("--sock", required=True)
    f.add_argument("--zone", required=True, help="the zone file sandnsd serves")
    f.add_argument("--new-file", required=True, help="its next version, copied over it to reload")
    f.add_argument("--origin", required=True)
    f.add_argument("--records", type=int, required=True, help="gen's COUNT for both versions")
    f.add_argument("--clients", type=int, default=100)
    f.add_argument("--extra", type=int, default=10)
    f.add_argument("--per-conn-kib", type=int, default=200)
    f.add_argument("--slack-kib", type=int, default=16384)
    f.add_argument("--skip-reload", action="store_true")
    opts = ap.parse_args()
    if opts.cmd == "gen":
        gen(opts.file, opts.origin, opts.count, opts.serial, opts.changed)
        return 0
    old_recs, _ = zone_records(opts.origin, opts.records, 1, False)
    want_old = set(old_recs)
    parts = [("the flood", lambda: part_flood(opts, want_old))]
    if not opts.skip_reload:
        new_recs, _ = zone_records(opts.origin, opts.records, 2, True)
        parts.append(("the reload", lambda: part_reload(opts, want_old, set(new_recs))))
    for label, part in parts:
        try:
            part()
        except (OSError, EOFError, ValueError, IndexError, struct.error,
                subprocess.SubprocessError) as e:
            bad("%s: stopped by %s: %s" % (label, type(e).__name__, e))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
