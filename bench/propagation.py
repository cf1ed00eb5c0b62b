#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# propagation.py: the helpers of bench/propagation.sh.
#
#   propagation.py stamp                  # stdin to stdout, each line prefixed "EPOCH.MICROS "
#   propagation.py wait --zone Z --serial N --target NAME=PORT... [--rss NAME=PID...]
#                  [--watch NAME=FILE...] [--interval S] [--timeout S] [--settle S] -- COMMAND...
#
# wait: takes the time t0, starts COMMAND (the change: knotc zone-commit, sandnsctl reload), and
# asks every target for Z SOA over UDP on 127.0.0.1 every INTERVAL (3 ms) until each answers with
# serial N or newer (RFC 1982); a reply counts at the time it is received, whichever query it
# answers, so a slow server is never charged a timeout. Meanwhile it samples VmRSS of every --rss
# process every 10 ms (and resets its VmHWM first when it may: /proc/PID/clear_refs) and, for
# every --watch FILE, notes when a temporary file ".BASE.*" appears beside it (sandnsd writing
# its copy) and when FILE is replaced (a new inode). After the last target, SETTLE more seconds of
# RSS samples, then one JSON line: t0 (epoch), the seconds from t0 to each target's new serial,
# all (the last of them), the command's own seconds and exit status, rss (MiB: before, peak
# sampled, VmHWM since t0 when it could be reset, after) and the watched events (seconds).
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time


def stamp():
    out = sys.stdout
    for line in sys.stdin:
        out.write("%.6f %s" % (time.time(), line))
        out.flush()


def qname_wire(zone):
    wire = b""
    for label in zone.rstrip(".").split("."):
        if label:
            wire += bytes([len(label)]) + label.encode()
    return wire + b"\0"


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def soa_serial(msg, qid):
    """The serial of the first SOA in the answer section of reply msg to qid, or None."""
    if len(msg) < 12:
        return None
    rid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    if rid != qid or not flags & 0x8000 or flags & 0xF != 0 or an == 0:
        return None
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if rtype == 6:
            p = skip_name(msg, off)
            p = skip_name(msg, p)
            return struct.unpack("!I", msg[p:p + 4])[0]
        off += rdlen
    return None


def newer_or_same(got, want):
    return ((got - want) & 0xFFFFFFFF) < 0x80000000


def rss_kib(pid, field="VmRSS:"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def pairs(items):
    out = {}
    for it in items:
        k, v = it.split("=", 1)
        out[k] = v
    return out


def wait(argv):
    opts = {"--target": [], "--rss": [], "--watch": []}
    zone, want, interval, limit, settle = None, None, 0.003, 120.0, 0.0
    i = 0
    while i < len(argv) and argv[i] != "--":
        a, v = argv[i], argv[i + 1]
        if a in opts:
            opts[a].append(v)
        elif a == "--zone":
            zone = v
        elif a == "--serial":
            want = int(v)
        elif a == "--interval":
            interval = float(v)
        elif a == "--timeout":
            limit = float(v)
        elif a == "--settle":
            settle = float(v)
        else:
            sys.exit("propagation.py wait: unknown option " + a)
        i += 2
    cmd = argv[i + 1:]
    if zone is None or want is None or not cmd or not opts["--target"]:
        sys.exit("propagation.py wait: --zone, --serial, --target and -- COMMAND are needed")
    targets = {k: int(v) for k, v in pairs(opts["--target"]).items()}
    rss = {k: int(v) for k, v in pairs(opts["--rss"]).items()}
    watch = pairs(opts["--watch"])
    qtail = qname_wire(zone) + struct.pack("!HH", 6, 1)
    socks = {}
    for name in targets:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.connect(("127.0.0.1", targets[name]))
        socks[name] = s
    by_fd = {s.fileno(): n for n, s in socks.items()}
    qids = {n: set() for n in targets}
    nextid = int.from_bytes(os.urandom(2), "big")

    res_rss = {}
    hwm_reset = {}
    for name, pid in rss.items():
        k = rss_kib(pid)
        res_rss[name] = {"before": k, "peak": k}
        try:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")
            hwm_reset[name] = True
        except OSError:
            hwm_reset[name] = False
    inode = {}
    events = {}
    for name, path in watch.items():
        try:
            inode[name] = os.stat(path).st_ino
        except OSError:
            inode[name] = None

    done = {}
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cmd_secs, cmd_rc = None, None
    next_rss = t0
    last_send = 0.0
    end_at = None
    while True:
        now = time.time()
        if cmd_rc is None and proc.poll() is not None:
            cmd_rc, cmd_secs = proc.returncode, now - t0
        if now - t0 > limit:
            break
        if end_at is None and len(done) == len(targets):
            end_at = now + settle
        if end_at is not None and now >= end_at and cmd_rc is not None:
            break
        if now >= next_rss:
            next_rss = now + 0.010
            for name, pid in rss.items():
                k = rss_kib(pid)
                if k is not None:
                    r = res_rss[name]
                    r["peak"] = max(r["peak"] or 0, k)
                    r["after"] = k
            for name, path in watch.items():
                d, base = os.path.split(path)
                if name + ":tmp" not in events:
                    try:
                        if any(f.startswith("." + base + ".") for f in os.listdir(d or ".")):
                            events[name + ":tmp"] = now - t0
                    except OSError:
                        pass
                if name + ":renamed" not in events:
                    try:
                        if os.stat(path).st_ino != inode[name]:
                            events[name + ":renamed"] = now - t0
                    except OSError:
                        pass
        if end_at is None and now - last_send >= interval:
            last_send = now
            for name in targets:
                if name in done:
                    continue
                nextid = (nextid + 1) & 0xFFFF
                qids[name].add(nextid)
                msg = struct.pack("!HHHHHH", nextid, 0, 1, 0, 0, 0) + qtail
                try:
                    socks[name].send(msg)
                except OSError:
                    pass
        wake = min(last_send + interval, next_rss) if end_at is None else next_rss
        r, _, _ = select.select(list(by_fd), [], [], max(0.0, wake - time.time()))
        for fd in r:
            name = by_fd[fd]
            while True:
                try:
                    msg = socks[name].recv(4096)
                except OSError:
                    break
                if name in done or len(msg) < 2:
                    continue
                qid = struct.unpack("!H", msg[:2])[0]
                if qid not in qids[name]:
                    continue
                try:
                    serial = soa_serial(msg, qid)
                except (IndexError, struct.error):
                    serial = None
                if serial is not None and newer_or_same(serial, want):
                    done[name] = time.time() - t0
    if cmd_rc is None:
        proc.wait(timeout=30)
        cmd_rc, cmd_secs = proc.returncode, time.time() - t0
    err = proc.stderr.read().decode(errors="replace").strip()
    for name, pid in rss.items():
        h = rss_kib(pid, "VmHWM:") if hwm_reset[name] else None
        res_rss[name]["hwm"] = h
        for k in res_rss[name]:
            if res_rss[name][k] is not None:
                res_rss[name][k] = round(res_rss[name][k] / 1024.0, 1)
    out = {
        "t0": t0,
        "serial": want,
        "times": {n: (round(done[n], 4) if n in done else None) for n in targets},
        "all": round(max(done.values()), 4) if len(done) == len(targets) else None,
        "command_secs": round(cmd_secs, 4) if cmd_secs is not None else None,
        "command_rc": cmd_rc,
        "command_err": err[:300],
        "rss": res_rss,
        "events": {k: round(v, 4) for k, v in events.items()},
    }
    print(json.dumps(out), flush=True)
    return 0 if out["all"] is not None and cmd_rc == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "stamp":
        stamp()
    elif len(sys.argv) >= 2 and sys.argv[1] == "wait":
        sys.exit(wait(sys.argv[2:]))
    else:
        sys.exit("usage: propagation.py stamp | wait ... -- COMMAND...")
