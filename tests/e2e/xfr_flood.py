#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# xfr_flood.py: transfers streamed under a bounded buffer (hardening item 2), against a running
# sandnsd: clients that ask AXFR and never read, the transfers-out cap, and a transfer that spans a
# reload. xfr_flood.sh starts sandnsd and runs it; prints `ok ...`/`FAIL ...` lines (lib.sh's
# run_counted) and exits 1 when a check failed.
#
#  gen    ZONEFILE ORIGIN COUNT SERIAL: writes a zone of COUNT A records (serial SERIAL);
#         --changed makes the "after the reload" version (100 records gone, 100 new, SOA SERIAL)
#  flood  --port P --pid PID --ctl SANDNSCTL --sock SOCK --zone FILE --origin O --clients N
#         --extra K --old-file FILE_BEFORE_RELOAD ...  (see main())
import argparse
import json
import socket
import struct
import subprocess
import sys
import time

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone

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


def kernel_send_max():
    """The most a TCP socket's send buffer grows to by itself (tcp_wmem's third field)."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as f:
            return int(f.read().split()[2])
    except (OSError, IndexError, ValueError):
        return 4 << 20


def gen(path, origin, count, serial, changed):
    """COUNT records, every other one a TXT of as many 200-octet strings as make the transfer
    half as large again as a socket's send buffer may grow: the kernel cannot take a transfer
    whole, so a client that does not read keeps it under way on the server's side."""
    ntxt = count // 2
    strings = max(1, -(-(kernel_send_max() * 5 // 4 - count * 23) // (max(ntxt, 1) * 201)))
    txt = " ".join('"%s"' % (chr(ord("a") + k % 26) * 200) for k in range(strings))
    with open(path, "w") as f:
        f.write("$ORIGIN %s\n$TTL 300\n" % origin)
        f.write("@ SOA ns1 hostmaster %d 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n" % serial)
        for i in range(count):
            if changed and i < 100:
                continue
            if i % 2:
                f.write("h%d TXT %s\n" % (i, txt))
            else:
                f.write("h%d A 10.%d.%d.%d\n" % (i, i >> 16, (i >> 8) & 255, i & 255))
        if changed:
            for i in range(100):
                f.write("n%d AAAA 2001:db8::%x\n" % (i, i + 1))
    print("     %s: %d records, TXT of %d strings of 200 octets every other one (a transfer of "
          "about %d KiB; tcp_wmem max %d KiB)" % (path.split("/")[-1], count + 3, strings,
                                                   (count * 23 + ntxt * 201 * strings) >> 10,
                                                   kernel_send_max() >> 10))


def zone_set(path, origin):
    z = dns.zone.from_file(path, origin=origin, relativize=False, check_origin=True)
    out = set()
    for name, ttl, rd in z.iterate_rdatas():
        out.add((name.to_text().lower(), ttl, rd.rdtype, rd.to_text().lower()))
    return out


# ---------------------------------------------------------------- a transfer, read by hand


def _with_id(msg, qid):
    msg.id = qid
    return msg.to_wire()


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
    return dns.message.from_wire(recv_exact(s, n), one_rr_per_rrset=True)


def rrs_of(msg):
    out = []
    for rrset in msg.answer:
        for rd in rrset:
            out.append((rrset.name.to_text().lower(), rrset.ttl, rd.rdtype, rd.to_text().lower()))
    return out


class Transfer:
    """An AXFR read message by message: its records in order and whether it ended."""

    def __init__(self, s):
        self.s = s
        self.records = []
        self.msgs = 0
        self.rcode = None

    def read_one(self):
        m = recv_msg(self.s)
        self.msgs += 1
        if self.rcode is None:
            self.rcode = m.rcode()
        self.records.extend(rrs_of(m))
        return m

    def read_all(self, limit=100000):
        while self.msgs < limit:
            self.read_one()
            if self.rcode != dns.rcode.NOERROR:
                return
            if len(self.records) >= 2 and self.records[-1][2] == dns.rdatatype.SOA:
                return


def serial_of(rec):
    return int(rec[3].split()[2])


def check_transfer(t, want, label):
    """T's records are exactly WANT (a set), SOA first and last, nothing twice."""
    r = t.records
    if not check(t.rcode == dns.rcode.NOERROR and len(r) >= 2, "%s: a transfer with records (%d)" % (label, len(r))):
        return
    check(r[0][2] == dns.rdatatype.SOA and r[-1][2] == dns.rdatatype.SOA and r[0] == r[-1],
          "%s: SOA first and last, the same one (serial %d)" % (label, serial_of(r[0])))
    body = r[:-1]
    got = set(body)
    check(len(body) == len(got), "%s: no record twice (%d records, %d distinct)" % (label, len(body), len(got)))
    missing, extra = want - got, got - want
    check(not missing and not extra,
          "%s: equal to the zone file as a set (%d records; %d missing, %d extra%s)" %
          (label, len(got), len(missing), len(extra),
           "; e.g. " + repr(sorted(missing | extra)[:2]) if missing or extra else ""))


def full_axfr(port, origin, timeout=60):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        send_query(s, _with_id(dns.message.make_query(origin, dns.rdatatype.AXFR), 7))
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
    q = dns.message.make_query(qname, dns.rdatatype.SOA)
    t0 = time.monotonic()
    try:
        if tcp:
            r = dns.query.tcp(q, "127.0.0.1", port=opts.port, timeout=2)
        else:
            r = dns.query.udp(q, "127.0.0.1", port=opts.port, timeout=2)
    except Exception as e:  # noqa: BLE001 (any failure is the verdict)
        return None, time.monotonic() - t0, str(e)
    return r, time.monotonic() - t0, ""


def soa_serial_udp(opts):
    r, _, _ = timed_query(opts, opts.origin, False)
    if r is None or not r.answer:
        return None
    return r.answer[0][0].serial


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
        send_query(s, _with_id(dns.message.make_query(opts.origin, dns.rdatatype.AXFR), i + 1))
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

    rc, out, took = ctl(["status"], opts)
    check(rc == 0 and took < 1.0, "sandnsctl status answers within 1 s during the flood (%.0f ms)" % (took * 1000))
    for tcp in (True, False):
        r, took, err = timed_query(opts, opts.origin, tcp)
        check(r is not None and r.rcode() == dns.rcode.NOERROR and took < 1.0,
              "a %s SOA query is answered within 1 s during the flood (%.0f ms%s)" %
              ("TCP" if tcp else "UDP", took * 1000, ", " + err if err else ""))

    # Beyond transfers-out: REFUSED at once, counted, logged now and then.
    ref0 = stat(opts, "xfr-refused")
    refused = 0
    for i in range(opts.extra):
        try:
            s = socket.create_connection(("127.0.0.1", opts.port), timeout=5)
            send_query(s, _with_id(dns.message.make_query(opts.origin, dns.rdatatype.AXFR), 900 + i))
            m = recv_msg(s)
            refused += m.rcode() == dns.rcode.REFUSED and len(m.question) == 1 and not m.answer
            s.close()
        except (OSError, EOFError) as e:
            print("     extra client %d: %s" % (i, e))
    check(refused == opts.extra, "%d transfers beyond transfers-out answered REFUSED (%d)" % (opts.extra, refused))
    ref1 = stat(opts, "xfr-refused")
    check(ref1 - ref0 == opts.extra, "xfr-refused counts them (%d -> %d)" % (ref0, ref1))
    rc, out, _ = ctl(["--json", "stats"], opts)
    try:
        js = sum(t.get("xfr_refused", 0) for t in json.loads(out)["threads"])
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
    send_query(s, _with_id(dns.message.make_query(opts.origin, dns.rdatatype.AXFR), 4242))
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
    f.add_argument("--clients", type=int, default=100)
    f.add_argument("--extra", type=int, default=10)
    f.add_argument("--per-conn-kib", type=int, default=200)
    f.add_argument("--slack-kib", type=int, default=16384)
    f.add_argument("--skip-reload", action="store_true")
    opts = ap.parse_args()
    if opts.cmd == "gen":
        gen(opts.file, opts.origin, opts.count, opts.serial, opts.changed)
        return 0
    want_old = zone_set(opts.zone, opts.origin)
    part_flood(opts, want_old)
    if not opts.skip_reload:
        part_reload(opts, want_old, zone_set(opts.new_file, opts.origin))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
