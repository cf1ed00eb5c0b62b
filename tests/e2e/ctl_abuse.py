#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""ctl_abuse.py: raw clients of sandnsd's control socket for ctl_abuse.sh.

Each subcommand is one check: it prints what it saw (indented, for the log) and exits 0 when the
daemon behaved, 1 when it did not. The protocol is control/ctl_proto.h: one request line of at
most CTL_LINE_MAX (4096) bytes with its newline; a response is a status line ("ok" or
"error: REASON"), the body, and a line holding a single ".".

    longline N          a request of N bytes and its newline (N >= 4096): an error naming the
                        limit, then the daemon closes the connection
    maxline             a request of exactly 4096 bytes with its newline: answered as a request
                        (unknown command), and the connection stays usable
    garbage KIND        nul | ff | noeol | mixed | random: binary garbage; an error or a close,
                        never a hang, and the next client is served
    unknown             unknown commands, extra arguments, an empty line, json errors: each an
                        "error: ..." response, the connection usable after each
    stall SANDNSCTL     a client that says nothing and one that sent half a line stay connected
                        while `SANDNSCTL status` (and a raw client) are served
    many N              N clients at once, each sending status: all end with "ok" (one told
                        "too many control clients", the daemon's limit, asks again: 40 tries)
    flood N SANDNSCTL   one client sends N requests without reading; another is served
                        meanwhile; then all N replies arrive, in order
    hangup N            N clients send status and close at once, without reading
    refused             (run as a user the daemon refuses) the permission-denied response and
                        EOF, whether the client sends a request or says nothing
    hold N SECS [--unread]  N connections that say nothing (--unread: that send many status
                        requests and never read), for SECS seconds ("held N" once open)
    fakedaemon SANDNSCTL  a fake daemon at --control (a path of our own) sends hostile replies
                        (NUL octets, no status line, no end, 64 MiB): SANDNSCTL status exits 2
                        saying why, never killed by a signal; well-formed replies still work
    reload-loop ...     the reload loop: see reload_loop() and --help

Talks only to the Unix socket given by --control (fakedaemon listens there). Every read is bounded (--timeout); a connect
waits while the daemon's listen queue is full, as sandnsctl's does: run it under `timeout`.
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

LINE_MAX = 4096
BUSY = b"error: too many control clients"


def say(msg):
    print("     " + msg, flush=True)


class Closed(Exception):
    """The daemon closed the connection before a whole response arrived."""


class Client:
    """One control connection: send lines, read framed responses (bounded in time)."""

    def __init__(self, path, timeout):
        self.path = path
        self.timeout = timeout
        self.buf = b""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A blocking connect, as sandnsctl does: it waits while the listen queue is full (with a
        # timeout the socket would be non-blocking, and EAGAIN would come back instead). The
        # caller's `timeout` command bounds it.
        self.sock.connect(path)
        self.sock.settimeout(timeout)

    def send(self, data):
        self.sock.sendall(data)

    def _more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete response within %.1f s (have %r)"
                               % (self.timeout, self.buf[:200]))
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            raise Closed("closed after %r" % self.buf[:200])
        self.buf += data

    def response(self):
        """(status line, body lines) of the next response, dot-unstuffed."""
        deadline = time.monotonic() + self.timeout
        while True:
            lines = self.buf.split(b"\n")
            # a complete response: a "." line after the status line
            for i in range(1, len(lines) - 1):
                if lines[i] == b".":
                    self.buf = b"\n".join(lines[i + 1:])
                    body = [ln[1:] if ln.startswith(b".") else ln for ln in lines[1:i]]
                    return lines[0], body
            self._more(deadline)

    def rest(self):
        """Whatever arrives until the daemon closes (bounded); the buffered bytes first."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._more(deadline)
            except (Closed, ConnectionResetError):
                # A reset is a close too: on a Unix socket the daemon that closes with our
                # request unread makes the next read after its data fail so.
                out, self.buf = self.buf, b""
                return out

    def ask(self, line):
        self.send(line + b"\n")
        return self.response()

    def close(self):
        self.sock.close()


def alive(path, timeout):
    """A fresh connection gets ok for status."""
    try:
        c = Client(path, timeout)
        st, body = c.ask(b"status")
        c.close()
    except (OSError, Closed) as e:
        say("status on a fresh connection: %r" % e)
        return False
    if st != b"ok":
        say("status on a fresh connection: %r %r" % (st, body[:3]))
        return False
    return True


def ctl_status(sandnsctl, path, secs):
    """`sandnsctl status` within SECS: True when it exits 0."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([sandnsctl, "--control", path, "status"], capture_output=True,
                           timeout=secs)
    except subprocess.TimeoutExpired:
        say("sandnsctl status: no answer within %d s" % secs)
        return False
    took = time.monotonic() - t0
    if p.returncode != 0:
        say("sandnsctl status: exit %d: %r" % (p.returncode, p.stderr[:300]))
        return False
    say("sandnsctl status: ok in %.3f s" % took)
    return True


# ------------------------------------------------------------------------ the checks

def cmd_longline(a):
    n = a.n
    c = Client(a.control, a.timeout)
    err = [None]

    # A long request is sent from a thread: the daemon stops reading after 4096 bytes, so
    # sendall of a large one completes only once the daemon drains (or fails when it closes).
    def sender():
        try:
            c.send(b"x" * n + b"\n")
        except OSError as e:
            err[0] = e
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    try:
        st, body = c.response()
    except (OSError, Closed) as e:
        say("a %d-byte request: no response: %r" % (n, e))
        return 1
    rest = c.rest()
    t.join(a.timeout)
    say("a %d-byte request: %r, then %d more bytes and EOF (sender: %s)"
        % (n, st, len(rest), err[0] or "all sent"))
    ok = st.startswith(b"error: ") and b"%d" % LINE_MAX in st and rest == b""
    if not ok:
        say("want 'error: ... %d ...' and the connection closed" % LINE_MAX)
    c.close()
    return 0 if ok and alive(a.control, a.timeout) else 1


def cmd_maxline(a):
    # 4095 octets and the newline: 4096, the longest request the protocol allows. It must be
    # read as a request (an unknown command), not refused as too long.
    line = b"z" * (LINE_MAX - 1)
    c = Client(a.control, a.timeout)
    try:
        st, _ = c.ask(line)
        st2, _ = c.ask(b"status")
    except (OSError, Closed) as e:
        say("a %d-byte line: %r" % (LINE_MAX, e))
        return 1
    c.close()
    say("a request of exactly %d bytes with its newline: %r; then status: %r"
        % (LINE_MAX, st[:80], st2))
    ok = st.startswith(b"error: unknown command") and st2 == b"ok"
    return 0 if ok else 1


def cmd_garbage(a):
    rnd = random.Random(6)  # the same garbage every run
    kinds = {
        # NULs and a newline: the request is empty as a C string
        "nul": (b"\x00" * 100 + b"\n", True),
        # 0xff octets, a newline at the end: an unknown command
        "ff": (b"\xff\xfe" * 300 + b"\n", True),
        # no newline at all, the client then shuts its side: the daemon answers what came
        "noeol": (b"\x00\xff\x01\x80" * 200, False),
        # NUL inside a command, CR, escapes, UTF-8 broken halfway
        "mixed": (b"status\x00extra\nsta\rtus\n\x1b[2J\n\xc3\n\tstatus \xff\n", True),
        # 64 KiB of random octets (newlines included by chance): many errors or a close
        "random": (bytes(rnd.getrandbits(8) for _ in range(65536)), False),
    }
    data, keep_open = kinds[a.kind]
    c = Client(a.control, a.timeout)
    err = [None]

    def sender():
        try:
            c.send(data)
            if not keep_open:
                c.sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            err[0] = e
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    statuses = []
    closed = False
    try:
        # every complete request line gets one response; stop at the first close
        want = data.count(b"\n") + (0 if keep_open or data.endswith(b"\n") else 1)
        for _ in range(want):
            st, _ = c.response()
            statuses.append(st)
    except Closed:
        closed = True
    except OSError as e:
        say("garbage %s: %r after %d responses" % (a.kind, e, len(statuses)))
        return 1
    t.join(a.timeout)
    c.close()
    bad = [s for s in statuses if s != b"ok" and not s.startswith(b"error: ")]
    say("garbage %s (%d bytes): %d responses (%d errors, %d ok)%s%s"
        % (a.kind, len(data), len(statuses), sum(s.startswith(b"error: ") for s in statuses),
           statuses.count(b"ok"), ", then closed" if closed else "",
           "; first: %r" % statuses[0][:90] if statuses else ""))
    if bad:
        say("responses that are neither ok nor error: %r" % bad[:3])
        return 1
    if not statuses and not closed:
        say("neither a response nor a close")
        return 1
    if a.kind in ("nul", "ff", "noeol") and not (statuses and statuses[0].startswith(b"error: ")):
        say("want an error response for garbage %s" % a.kind)
        return 1
    # Errors echo what was asked as printable ASCII only (a JSON reply must stay valid UTF-8).
    if a.kind == "ff" and not all(0x20 <= ch < 0x7f for ch in statuses[0]):
        say("the error echoes octets that are not printable: %r" % statuses[0][:60])
        return 1
    # A NUL inside a request makes it no request: "status\0extra" must not run status.
    if a.kind in ("nul", "mixed") and not (statuses and statuses[0].startswith(b"error: the request holds a NUL")):
        say("want 'error: the request holds a NUL byte' first for garbage %s" % a.kind)
        return 1
    return 0 if alive(a.control, a.timeout) else 1


def cmd_unknown(a):
    cases = [
        (b"frobnicate", b"error: unknown command 'frobnicate'"),
        (b"STATUS", b"error: unknown command 'STATUS'"),
        (b"status now", b"error: status takes no argument"),
        (b"stop please", b"error: stop takes no argument"),
        (b"reload a b c", b"error: usage: reload"),
        (b"policy", b"error: usage: policy"),
        (b"explain onlyname", b"error: usage: explain"),
        (b"", b"error: empty request"),
        (b"   \t ", b"error: empty request"),
        (b"json", b"error: empty request"),
        (b"y" * 200, b"error: unknown command '" + b"y" * 64 + b"'"),
    ]
    c = Client(a.control, a.timeout)
    fails = 0
    for req, want in cases:
        try:
            st, body = c.ask(req)
        except (OSError, Closed) as e:
            say("%r: %r" % (req[:40], e))
            return 1
        if not st.startswith(want):
            say("%r: got %r, want %r..." % (req[:40], st[:120], want[:80]))
            fails += 1
    # json: the error in the status line and as a JSON document in the body
    try:
        st, body = c.ask(b"json frobnicate")
        doc = json.loads(b"\n".join(body))
    except (OSError, Closed, ValueError) as e:
        say("json frobnicate: %r" % e)
        return 1
    if not st.startswith(b"error: unknown command") or doc.get("ok") is not False or \
            "unknown command" not in doc.get("error", ""):
        say("json frobnicate: %r %r" % (st, doc))
        fails += 1
    # and the same connection still serves a real request
    st, _ = c.ask(b"status")
    c.close()
    say("%d malformed requests on one connection: %d answered as expected; status after: %r"
        % (len(cases) + 1, len(cases) + 1 - fails, st))
    return 0 if fails == 0 and st == b"ok" else 1


def cmd_stall(a):
    held = []
    try:
        silent = Client(a.control, a.timeout)       # connects, says nothing
        half = Client(a.control, a.timeout)         # half a request, then nothing
        half.send(b"stat")
        quiet = Client(a.control, a.timeout)        # asks, never reads (the reply fits)
        quiet.send(b"status\n")
        held = [silent, half, quiet]
        time.sleep(0.3)
        ok = ctl_status(a.sandnsctl, a.control, 10) and alive(a.control, a.timeout)
        # the half line, completed later, is still answered as one request
        half.send(b"us\n")
        st, _ = half.response()
        say("the half line completed after %.1f s: %r" % (0.3, st))
        ok = ok and st == b"ok"
    except (OSError, Closed) as e:
        say("stalled clients: %r" % e)
        return 1
    finally:
        for c in held:
            c.close()
    return 0 if ok else 1


def cmd_many(a):
    n = a.n
    results = [None] * n
    refused_first = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def one(i):
        try:
            barrier.wait(a.timeout)
        except threading.BrokenBarrierError:
            pass
        for attempt in range(40):
            try:
                c = Client(a.control, a.timeout)
                try:
                    c.send(b"status\n")
                except BrokenPipeError:
                    pass  # refused before the request went out: the reason is still there
                st, _ = c.response()
                c.close()
            except (OSError, Closed) as e:
                results[i] = "attempt %d: %r" % (attempt + 1, e)
                return
            if st == b"ok":
                results[i] = "ok"
                return
            if st.startswith(BUSY):
                # the documented refusal at CTL_CLIENTS_MAX: try again shortly
                if attempt == 0:
                    with lock:
                        refused_first[0] += 1
                time.sleep(0.02 + random.random() * 0.05)
                continue
            results[i] = "attempt %d: %r" % (attempt + 1, st)
            return
        results[i] = "refused 40 times"

    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + a.timeout * 3
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    took = time.monotonic() - t0
    oks = results.count("ok")
    other = [r for r in results if r != "ok"]
    say("%d clients at once: %d ok in %.2f s; %d were first told '%s' and asked again"
        % (n, oks, took, refused_first[0], BUSY.decode()))
    for r in other[:5]:
        say("  not ok: %s" % (r or "no result (hung)"))
    print("MANY refused_first=%d" % refused_first[0], flush=True)
    return 0 if oks == n else 1


def cmd_flood(a):
    n = a.n
    c = Client(a.control, a.timeout)
    sent = [0]
    err = [None]
    done = threading.Event()

    def sender():
        try:
            for i in range(0, n, 100):
                k = min(100, n - i)
                c.send(b"status\n" * k)
                sent[0] += k
        except OSError as e:
            err[0] = e
        done.set()
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    # while this client's replies pile up unread, another one is served
    time.sleep(1.0)
    blocked = not done.is_set()
    say("flood: %d of %d requests sent, no reply read after 1 s%s"
        % (sent[0], n, " (the sender is blocked: the daemon stopped reading)" if blocked
           else ""))
    ok = ctl_status(a.sandnsctl, a.control, 10)
    got = 0
    try:
        while got < n:
            st, _ = c.response()
            if st != b"ok":
                say("flood: reply %d: %r" % (got + 1, st[:100]))
                ok = False
                break
            got += 1
    except (OSError, Closed) as e:
        say("flood: after %d replies: %r" % (got, e))
        ok = False
    done.wait(a.timeout)
    c.close()
    say("flood: %d of %d replies read back, all ok" % (got, n) if got == n else
        "flood: %d of %d replies" % (got, n))
    return 0 if ok and got == n and err[0] is None else 1


def cmd_hangup(a):
    for _ in range(a.n):
        c = Client(a.control, a.timeout)
        c.send(b"status\n")
        c.close()
    # and a few that connect and close at once
    for _ in range(a.n):
        Client(a.control, a.timeout).close()
    time.sleep(0.2)
    ok = alive(a.control, a.timeout)
    say("%d clients sent status and hung up, %d connected and hung up: daemon %s"
        % (a.n, a.n, "serves" if ok else "does NOT serve"))
    return 0 if ok else 1


def cmd_hold(a):
    """Opens N connections that say nothing (--unread: that ask for more status replies than
    the socket holds and never read them), prints 'held N', keeps them SECS, closes them."""
    held = []
    t_end = time.monotonic() + a.secs
    for _ in range(a.n):
        try:
            c = Client(a.control, a.timeout)
            held.append(c)
            if a.unread:
                # Whole requests within one read of the daemon (LINE_MAX), each reply about
                # 1 KB: hundreds of KiB wait unsent behind the first.
                c.send(b"status\n" * (LINE_MAX // 7 - 1))
        except OSError as e:
            say("hold: connection %d: %r" % (len(held) + 1, e))
            break
    print("held %d" % len(held), flush=True)
    time.sleep(max(0.0, t_end - time.monotonic()))
    for c in held:
        c.close()
    return 0


def cmd_refused(a):
    uid = os.geteuid()
    want = b"error: permission denied: uid %d may not use the control socket\n.\n" % uid
    ok = True
    for what in ("status", "silent"):
        try:
            c = Client(a.control, a.timeout)
        except OSError as e:
            say("uid %d: connect: %r" % (uid, e))
            return 1
        if what == "status":
            try:
                c.send(b"status\n")
            except BrokenPipeError:
                pass
        try:
            got = c.rest()   # the whole response, then EOF: the daemon closed
        except OSError as e:
            say("uid %d (%s): %r" % (uid, what, e))
            return 1
        c.close()
        say("uid %d (%s): %r then EOF" % (uid, what, got))
        if got != want:
            say("want %r then EOF" % want)
            ok = False
    return 0 if ok else 1


FAKE_REPLIES = [
    # name, reply, sandnsctl's exit status, what its stdout or stderr must hold
    ("well-formed", b"ok\nline one\n..dot\n.\n", 0, b"line one\n.dot\n"),
    ("refusal", b"error: no such thing\n.\n", 1, b"no such thing"),
    ("nul first", b"\x00\n.\n", 2, b"NUL"),
    ("nul in the status", b"ok\x00\n.\n", 2, b"NUL"),
    ("nul in the body", b"ok\nab\x00cd\n.\n", 2, b"NUL"),
    ("nul in a refusal", b"error: x\x00y\n.\n", 2, b"NUL"),
    ("the end line alone", b".\n", 2, b"unexpected reply"),
    ("an empty status", b"\n.\n", 2, b"unexpected reply"),
    ("an unknown status", b"maybe\n.\n", 2, b"unexpected reply"),
    ("no end, then closed", b"ok\nbody\n", 2, b"closed the connection"),
    ("64 MiB", b"ok\n" + b"a" * (64 << 20) + b"\n.\n", 2, b"too long"),
]


def cmd_fakedaemon(a):
    ok = True
    for name, data, want_rc, want in FAKE_REPLIES:
        if os.path.exists(a.control):
            os.unlink(a.control)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(a.control)
        srv.listen(1)
        srv.settimeout(a.timeout)

        def serve():
            try:
                c, _ = srv.accept()
            except OSError:
                return
            c.settimeout(a.timeout)
            try:
                c.recv(4096)
                c.sendall(data)
            except OSError:
                pass
            c.close()
        th = threading.Thread(target=serve)
        th.start()
        p = subprocess.run([a.sandnsctl, "--control", a.control, "status"],
                           capture_output=True, timeout=a.timeout + 20)
        th.join()
        srv.close()
        seen = p.stdout + p.stderr
        good = p.returncode == want_rc and want in seen
        if want_rc == 2:
            good = good and p.stderr.startswith(b"sandnsctl: ")
        say("%-20s exit %d %r" % (name, p.returncode, seen[:120]))
        if not good:
            say("want exit %d and %r in its output" % (want_rc, want))
            ok = False
    os.unlink(a.control)
    return 0 if ok else 1


# ------------------------------------------------------------------------ the reload loop

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def reload_loop(a):
    """COUNT reloads of ZONE over one connection; the served file alternates between V1 and V2
    (the serial BASE+i each time, written aside and renamed over FILE), so that every reload
    compiles and swaps a snapshot that differs from the one before. After WARMUP reloads and at
    the end: VmRSS of PID and the snapshot size the daemon reports (json status)."""
    texts = []
    for path in (a.v1, a.v2):
        with open(path) as f:
            t = f.read()
        if a.serial_mark not in t:
            say("%s has no '%s'" % (path, a.serial_mark))
            return 1
        texts.append(t)
    c = Client(a.control, a.timeout)
    figures = {}
    t0 = time.monotonic()
    deadline = t0 + a.limit
    zone = a.zone.encode()
    sizes = (set(), set())  # the snapshot sizes the reloads reported, per version
    for i in range(1, a.count + 1):
        serial = a.base + i
        tmp = a.file + ".tmp"
        with open(tmp, "w") as f:
            f.write(texts[i % 2].replace(a.serial_mark, "%d ; serial" % serial, 1))
        os.rename(tmp, a.file)
        st, body = c.ask(b"json reload " + zone)
        if st != b"ok":
            say("reload %d: %r %r" % (i, st, body[:2]))
            return 1
        doc = json.loads(b"\n".join(body))
        got = doc.get("serials", {}).get(a.zone)
        if got != serial:
            say("reload %d: serial %r served, want %d (the file was not swapped?)"
                % (i, got, serial))
            return 1
        sizes[i % 2].add(doc.get("snapshot_bytes"))
        if i in (a.warmup, a.count):
            st, body = c.ask(b"json status")
            status = json.loads(b"\n".join(body))
            figures[i] = (rss_kib(a.pid), status["snapshot_bytes"], status["reloads"],
                          status["reload_failures"], time.monotonic() - t0)
            say("after %4d reloads: VmRSS %d KiB, snapshot %d bytes (status: %d reloads, "
                "%d failed), %.2f s" % ((i,) + figures[i]))
        if time.monotonic() > deadline:
            say("reload %d: over the %d s limit" % (i, a.limit))
            return 1
    c.close()
    took = time.monotonic() - t0
    (r1, s1, _, _, t1), (r2, s2, n2, f2, _) = figures[a.warmup], figures[a.count]
    # sizes_vN: every size the reloads of version N reported (one value when builds are
    # deterministic: the same file, the same snapshot)
    distinct = [",".join(str(x) for x in sorted(v, key=str)[:12]) for v in (sizes[1], sizes[0])]
    print("RELOADLOOP reloads=%d secs=%.2f per_reload_ms=%.2f rss_warm_kib=%d rss_end_kib=%d "
          "rss_growth_kib=%d snapshot_warm=%d snapshot_end=%d status_reloads=%d "
          "status_failures=%d sizes_v1=%s sizes_v2=%s"
          % (a.count, took, 1000 * (took - t1) / (a.count - a.warmup), r1, r2, r2 - r1, s1, s2,
             n2, f2, distinct[0], distinct[1]), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--control", required=True, help="the control socket")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds for each response")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("longline")
    s.add_argument("n", type=int)
    sub.add_parser("maxline")
    s = sub.add_parser("garbage")
    s.add_argument("kind", choices=["nul", "ff", "noeol", "mixed", "random"])
    sub.add_parser("unknown")
    s = sub.add_parser("stall")
    s.add_argument("sandnsctl")
    s = sub.add_parser("many")
    s.add_argument("n", type=int)
    s = sub.add_parser("flood")
    s.add_argument("n", type=int)
    s.add_argument("sandnsctl")
    s = sub.add_parser("hangup")
    s.add_argument("n", type=int)
    sub.add_parser("refused")
    s = sub.add_parser("hold")
    s.add_argument("n", type=int)
    s.add_argument("--unread", action="store_true",
                   help="each connection asks and never reads (else it says nothing)")
    s.add_argument("secs", type=float)
    s = sub.add_parser("fakedaemon")
    s.add_argument("sandnsctl")
    s = sub.add_parser("reload-loop")
    s.add_argument("--pid", type=int, required=True, help="sandnsd's pid (for VmRSS)")
    s.add_argument("--zone", required=True, help="the zone to reload, e.g. example.com.")
    s.add_argument("--file", required=True, help="the zone file sandnsd serves it from")
    s.add_argument("--v1", required=True, help="version 1 of the file")
    s.add_argument("--v2", required=True, help="version 2 of the file")
    s.add_argument("--serial-mark", default="2024060101 ; serial",
                   help="the serial in V1/V2, replaced by BASE+i")
    s.add_argument("--base", type=int, default=2024070000)
    s.add_argument("--count", type=int, default=1000)
    s.add_argument("--warmup", type=int, default=100)
    s.add_argument("--limit", type=float, default=120.0, help="seconds for the whole loop")
    a = p.parse_args()
    fn = {"longline": cmd_longline, "maxline": cmd_maxline, "garbage": cmd_garbage,
          "unknown": cmd_unknown, "stall": cmd_stall, "many": cmd_many, "flood": cmd_flood,
          "hangup": cmd_hangup, "refused": cmd_refused, "hold": cmd_hold,
          "fakedaemon": cmd_fakedaemon,
          "reload-loop": reload_loop}[a.cmd]
    try:
        return fn(a)
    except (OSError, Closed, TimeoutError) as e:
        say("%s: %r" % (a.cmd, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
