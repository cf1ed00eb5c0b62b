#!/usr/bin/python3
# ctl_deferred.py SOCK: `policy reload` (its tls:// endpoint stalled, so the reply is deferred) from
# a client that hangs up at once; new clients then take its place; prints what each one reads.
import socket, sys, time
path = sys.argv[1]
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(path)
c.sendall(b"policy reload\n")
c.close()
time.sleep(0.2)
others = []
for i in range(5):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(12)
    others.append(s)
# one of them asks policy reload too, the others stay silent
others[0].sendall(b"policy reload\n")
time.sleep(8)
for i, s in enumerate(others):
    s.setblocking(False)
    try:
        d = s.recv(65536)
    except BlockingIOError:
        d = b"(nothing)"
    print(i, d[:200])
