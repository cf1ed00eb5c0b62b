#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tcp_abuse.py: DNS over TCP abuse against one server; prints `ok ...`/`FAIL ...` lines.

While these are held open:
  - more idle connections than tcp-max-clients (the oldest must be closed: the cap holds);
  - a 65535 length prefix followed by a few octets, then nothing;
  - half a message, then nothing;
  - garbage; a length prefix of 0 (closed at once); a response (QR=1) framed (closed, no reply);
  - a client that pipelines queries without reading a single answer (the server must stop
    reading: its memory, VmRSS of --pid, stays bounded, and the client's sending stalls);
new UDP queries and new TCP clients must get correct answers within --query-timeout seconds.
After tcp-idle-timeout every connection left must have been closed by the server (EOF), the
server's file descriptors back where they were.

--drip then fills every slot with connections that send one octet of an endless message every
second: they are never idle, so they are never closed, yet they carry nothing. A new TCP
client must still be answered within the idle timeout (Knot DNS closes a connection that takes
longer than tcp-io-timeout, 500 ms, to deliver one message).

Usage: tcp_abuse.py --server ADDR --port N --max-clients C --idle-timeout T [--pid PID]
                    [--idle N] [--drip] [--rss-growth-mb M]
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

import dns.message
import dns.rcode

results = {'ok': 0, 'fail': 0}
LABEL = ['']  # --label


def ok(msg):
    results['ok'] += 1
    print('ok   ' + LABEL[0] + msg, flush=True)


def fail(msg):
    results['fail'] += 1
    print('FAIL ' + LABEL[0] + msg, flush=True)


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


def info(msg):
    print('     ' + msg, flush=True)


def rss_kb(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def sockets_of(pid):
    try:
        return sum(1 for f in os.listdir('/proc/%d/fd' % pid)
                   if os.readlink('/proc/%d/fd/%s' % (pid, f)).startswith('socket:'))
    except OSError:
        return None


def query(name, rdtype, qid):
    q = dns.message.make_query(name, rdtype)
    q.id = qid
    return q.to_wire()


def framed(wire):
    return struct.pack('!H', len(wire)) + wire


class Probe:
    """The expected answers, asked over UDP or a new TCP connection."""

    def __init__(self, o):
        self.o = o
        self.fam = socket.AF_INET6 if ':' in o.server else socket.AF_INET
        self.qid = 1000

    def want(self):
        self.qid += 1
        k = self.qid % 3
        if k == 0:
            return query('mail.example.com.', 'A', self.qid), ['198.18.0.25']
        if k == 1:
            return query('example.com.', 'MX', self.qid), ['10 mail.example.com.']
        return query('anything.example.net.', 'A', self.qid), ['198.18.2.80']

    @staticmethod
    def answer_ok(wire, q, want):
        try:
            m = dns.message.from_wire(wire)
        except Exception as e:  # noqa: BLE001
            return 'does not parse: %s' % e
        if m.id != struct.unpack('!H', q[:2])[0]:
            return 'wrong ID'
        got = sorted(rd.to_text() for s in m.answer for rd in s)
        if m.rcode() != 0 or got != want:
            return 'rcode %s, answer %s' % (dns.rcode.to_text(m.rcode()), got)
        return None

    def udp(self):
        q, want = self.want()
        s = socket.socket(self.fam, socket.SOCK_DGRAM)
        s.settimeout(self.o.query_timeout)
        t0 = time.monotonic()
        try:
            s.sendto(q, (self.o.server, self.o.port))
            while True:
                data = s.recv(65535)
                if data[:2] == q[:2]:
                    break
        except OSError as e:
            return 'no answer (%s)' % e, time.monotonic() - t0
        finally:
            s.close()
        return self.answer_ok(data, q, want), time.monotonic() - t0

    def tcp(self):
        q, want = self.want()
        t0 = time.monotonic()
        s = socket.socket(self.fam, socket.SOCK_STREAM)
        s.settimeout(self.o.query_timeout)
        try:
            s.connect((self.o.server, self.o.port))
            s.sendall(framed(q))
            buf = b''
            while len(buf) < 2 or len(buf) < 2 + struct.unpack('!H', buf[:2])[0]:
                left = self.o.query_timeout - (time.monotonic() - t0)
                if left <= 0:
                    raise socket.timeout('timed out')
                s.settimeout(left)
                chunk = s.recv(65537)
                if not chunk:
                    return 'connection closed without an answer', time.monotonic() - t0
                buf += chunk
        except OSError as e:
            return 'no answer (%s)' % e, time.monotonic() - t0
        finally:
            s.close()
        return self.answer_ok(buf[2:], q, want), time.monotonic() - t0


def connect(o, fam, n, what):
    """N connections (2 s each, 30 s in all at most); fewer when they are refused."""
    out = []
    deadline = time.monotonic() + 30
    for _ in range(n):
        if time.monotonic() > deadline:
            info('%s: 30 s passed after %d connections' % (what, len(out)))
            break
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect((o.server, o.port))
        except OSError as e:
            info('%s: connect failed after %d: %s' % (what, len(out), e))
            s.close()
            break
        s.setblocking(False)
        out.append(s)
    return out


TCP_ESTABLISHED = 1


def state(s):
    """'open' or 'eof' (the server closed it: FIN or RST came), from the kernel's TCP state:
    reading would let the server make progress, and progress resets its idle timer."""
    try:
        st = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
    except OSError:
        return 'eof'
    return 'open' if st == TCP_ESTABLISHED else 'eof'


def read_until_eof(s, secs, limit=64 << 20):
    """Reads for up to SECS; returns (octets read, True when EOF/RST came)."""
    got = 0
    end = time.monotonic() + secs
    while time.monotonic() < end and got < limit:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            continue
        try:
            data = s.recv(1 << 16)
        except BlockingIOError:
            continue
        except OSError:
            return got, True
        if not data:
            return got, True
        got += len(data)
    return got, False


def wait_closed(conns, secs):
    """Waits up to SECS for the server to close every connection; returns how many it did not."""
    end = time.monotonic() + secs
    left = list(conns)
    while left and time.monotonic() < end:
        left = [s for s in left if state(s) == 'open']
        if left:
            time.sleep(0.1)
    return len(left)


def pipeline(o, fam):
    """A connection that pushes queries and never reads. Returns (socket, octets pushed)."""
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect((o.server, o.port))
    s.setblocking(False)
    chunk = b''.join(framed(query('mail.example.com.', 'A', i & 0xffff)) for i in range(2000))
    pushed, stalled_since = 0, None
    t_end = time.monotonic() + o.pipeline_secs
    limit = o.pipeline_mb << 20
    while pushed < limit and time.monotonic() < t_end:
        try:
            n = s.send(chunk)
            pushed += n
            stalled_since = None
            if n < len(chunk):
                chunk = chunk[n:] + chunk[:n]  # keep the framing: rotate, do not cut
        except BlockingIOError:
            now = time.monotonic()
            stalled_since = stalled_since or now
            if now - stalled_since >= 1.0:
                break
            select.select([], [s], [], 0.2)
    return s, pushed, stalled_since is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--server', default='127.0.0.1')
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--pid', type=int, default=0, help="the server's PID (RSS, descriptors)")
    ap.add_argument('--max-clients', type=int, required=True, help="the server's tcp-max-clients")
    ap.add_argument('--idle-timeout', type=float, required=True,
                    help="the server's tcp-idle-timeout, seconds")
    ap.add_argument('--idle', type=int, default=300, help='idle connections to open (300)')
    ap.add_argument('--garbage', type=int, default=4, help='garbage connections (4)')
    ap.add_argument('--pipeline-mb', type=int, default=64,
                    help='the pipelining client stops after this much (64 MiB)')
    ap.add_argument('--pipeline-secs', type=float, default=8.0)
    ap.add_argument('--rss-growth-mb', type=float, default=0,
                    help='bound on VmRSS growth (default: computed from --max-clients)')
    ap.add_argument('--query-timeout', type=float, default=3.0)
    ap.add_argument('--drip', action='store_true', help='the slow-drip phase (see above)')
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--label', default='', help='prefix of the ok/FAIL lines')
    o = ap.parse_args()
    LABEL[0] = o.label + ': ' if o.label else ''
    r = random.Random(o.seed)
    probe = Probe(o)
    fam = probe.fam
    C, T = o.max_clients, o.idle_timeout
    t_start = time.monotonic()

    def probes(label, n=3):
        for _ in range(n):
            err, secs = probe.udp()
            check(err is None, '%s: UDP query answered correctly (%.2f s)%s' %
                  (label, secs, '' if err is None else ': ' + err))
        for _ in range(n):
            err, secs = probe.tcp()
            check(err is None, '%s: new TCP client answered correctly (%.2f s)%s' %
                  (label, secs, '' if err is None else ': ' + err))

    probes('before', 1)
    rss0 = rss_kb(o.pid) if o.pid else None
    socks0 = sockets_of(o.pid) if o.pid else None

    # -------------------------------------------------------------- idle connections
    idle = connect(o, fam, o.idle, 'idle')
    check(len(idle) == o.idle, '%d idle connections opened (asked %d, tcp-max-clients %d)' %
          (len(idle), o.idle, C))
    deadline = time.monotonic() + 5
    while True:  # the server closes the oldest as the newer come: give it time to get there
        evicted = sum(1 for s in idle if state(s) == 'eof')
        if evicted >= len(idle) - C or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(evicted >= len(idle) - C,
          'the cap holds: %d of %d idle connections closed by the server (at least %d)' %
          (evicted, len(idle), len(idle) - C))
    t_idle = time.monotonic()

    # -------------------------------------------------------------- abusers
    fam_conn = lambda what: connect(o, fam, 1, what)  # noqa: E731
    abusers = {}
    for what, data in (('65535 prefix + 10 octets', b'\xff\xff' + b'\x00' * 10),
                       ('half a message', framed(query('mail.example.com.', 'A', 7))[:20])):
        c = fam_conn(what)
        if c:
            c[0].send(data)
            abusers[what] = c[0]
    garbage = []
    for i in range(o.garbage):
        c = fam_conn('garbage')
        if c:
            c[0].send(bytes(r.getrandbits(8) for _ in range(r.randint(50, 3000))))
            garbage.append(c[0])
    zero = fam_conn('zero prefix')
    zero_after = fam_conn('query then zero prefix')
    qr1 = fam_conn('QR=1')
    if zero:
        zero[0].send(b'\x00\x00')
    if zero_after:
        zero_after[0].send(framed(query('mail.example.com.', 'A', 99)) + b'\x00\x00' +
                           framed(query('mail.example.com.', 'A', 100)))
    if qr1:
        resp = bytearray(query('mail.example.com.', 'A', 5))
        resp[2] |= 0x80
        qr1[0].send(framed(bytes(resp)))
    pipe, pushed, stalled = pipeline(o, fam)
    info('pipelining client pushed %.1f MiB of queries without reading, %s' %
         (pushed / 1048576, 'then stalled (the server stopped reading)' if stalled
          else 'without stalling'))
    check(stalled and pushed < (o.pipeline_mb << 20),
          'pipelining without reading: the server stops reading (the client stalled after '
          '%.1f MiB)' % (pushed / 1048576))

    # zero prefix: closed at once, no data; query + zero: one answer, then closed
    if zero:
        got, eof = read_until_eof(zero[0], 3)
        check(eof and got == 0, 'length prefix 0: closed at once without a reply (%d octets, %s)'
              % (got, 'EOF' if eof else 'still open'))
    if zero_after:
        got, eof = read_until_eof(zero_after[0], 3)
        check(eof and 20 < got < 200,
              'query then length prefix 0: the first answered (%d octets), then closed (%s)' %
              (got, 'EOF' if eof else 'still open'))
    if qr1:
        got, eof = read_until_eof(qr1[0], 3)
        check(eof and got == 0, 'a response (QR=1) over TCP: no reply, closed (%d octets, %s)' %
              (got, 'EOF' if eof else 'still open'))
    time.sleep(0.3)
    info('garbage connections: %s' % ', '.join(state(s) for s in garbage))

    # -------------------------------------------------------------- while all that is held
    held = [s for s in idle if state(s) == 'open']
    info('held now: %d idle, %d stalled abusers, the pipelining client (%.1f s after the '
         'idle ones opened)' % (len(held), len(abusers), time.monotonic() - t_idle))
    if o.pid and socks0 is not None:
        socks1 = sockets_of(o.pid)
        check(socks1 is not None and socks1 - socks0 <= C,
              'server sockets while held: %s more than before (tcp-max-clients %d)' %
              (socks1 - socks0 if socks1 is not None else '?', C))
        rss1 = rss_kb(o.pid)
        # Per connection: struct tcp_conn holds one whole message of input (2 + 65535 octets)
        # and at most TCP_OUT_SOFT (64 KiB) of answers waiting plus one whole answer of
        # reserve, which tcp_out_reserve() doubles into at most 256 KiB: 322 KiB at worst, and
        # pages never touched are not resident. C of them, plus 16 MiB for what the threads,
        # the allocator and the sanitizers add. With the stall checked above this bounds the
        # buffering: a server that kept reading would let the client push all --pipeline-mb
        # (64 MiB) and hold 1.6 times that in answers.
        bound = o.rss_growth_mb * 1024 if o.rss_growth_mb else C * 322 + 16 * 1024
        if rss0 is not None and rss1 is not None:
            check(rss1 - rss0 <= bound,
                  'server VmRSS %d -> %d KiB (+%d KiB, bound %d KiB for %d connections; '
                  '%.1f MiB pushed by the pipelining client)' %
                  (rss0, rss1, rss1 - rss0, bound, C, pushed / 1048576))
    probes('held', 3)
    if o.pid:
        check(os.path.exists('/proc/%d' % o.pid), 'the server is alive')

    # the pipelining client reads a few answers: in order, each one well-formed
    got = b''
    end = time.monotonic() + 2
    while len(got) < 4000 and time.monotonic() < end:
        rr, _, _ = select.select([pipe], [], [], 0.2)
        if rr:
            try:
                got += pipe.recv(4096)
            except OSError:
                break
    n, off, good = 0, 0, True
    while off + 2 <= len(got) and n < 20:
        ln = struct.unpack('!H', got[off:off + 2])[0]
        if off + 2 + ln > len(got):
            break
        try:
            m = dns.message.from_wire(got[off + 2:off + 2 + ln])
            good = good and m.id == n and m.rcode() == 0 and len(m.answer) == 1
        except Exception:  # noqa: BLE001
            good = False
        off += 2 + ln
        n += 1
    check(n >= 10 and good, 'the pipelining client reads its first answers in order: %d well '
          'formed' % n)

    # -------------------------------------------------------------- the idle timeout
    # Nothing moves on these any more: the server must close them all once T has passed.
    stalled_conns = held + list(abusers.values()) + [s for s in garbage
                                                     if state(s) == 'open'] + [pipe]
    # The last progress on any of them was before now: T (+3 s for a slow server) is enough.
    t_wait = time.monotonic()
    left = wait_closed(stalled_conns, T + 3)
    info('the held connections were closed within %.1f s' % (time.monotonic() - t_wait))
    check(left == 0, 'after tcp-idle-timeout (%g s) the server closed every held connection: '
          '%d of %d still open' % (T, left, len(stalled_conns)))
    if o.pid and socks0 is not None:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and (sockets_of(o.pid) or 0) > socks0:
            time.sleep(0.1)
        s2 = sockets_of(o.pid)
        check(s2 is not None and s2 <= socks0, 'server sockets back to %s (now %s)' %
              (socks0, s2))
    for s in idle + garbage + list(abusers.values()) + [pipe] + zero + zero_after + qr1:
        s.close()
    probes('after', 1)

    # -------------------------------------------------------------- drip
    if o.drip:
        drip = connect(o, fam, C, 'drip')
        for s in drip:
            s.send(b'\xff')  # the first octet of a 65535-octet message
        t0 = time.monotonic()
        served, tries, k = 0, 0, 0
        # one octet per second on each: never idle for the server, and nothing ever complete
        while time.monotonic() - t0 < T + 2:
            time.sleep(1)
            for s in drip:
                try:
                    s.send(b'\x00')
                except OSError:
                    pass
            k += 1
            if time.monotonic() - t0 > T:
                err, secs = probe.tcp()
                tries += 1
                served += err is None
        check(served == tries and tries > 0,
              'slow drip: %d connections each sending 1 octet/s of a 65535-octet message; '
              'after tcp-idle-timeout (%g s) a new TCP client is answered: %d of %d' %
              (len(drip), T, served, tries))
        err, secs = probe.udp()
        check(err is None, 'slow drip: UDP still answered')
        for s in drip:
            s.close()
        # the slots free themselves once the dripping stops
        deadline = time.monotonic() + T + 3
        err = 'not tried'
        while time.monotonic() < deadline:
            err, secs = probe.tcp()
            if err is None:
                break
            time.sleep(0.5)
        check(err is None, 'slow drip stopped: new TCP clients answered again')

    print('tcp_abuse: %d passed, %d failed in %.1f s' %
          (results['ok'], results['fail'], time.monotonic() - t_start))
    return 0 if results['fail'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
