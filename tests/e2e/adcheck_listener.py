#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# adcheck_listener.py: the odd servers autodiscover.sh puts in sandnsctl autodiscover-check's way.
#
# Usage: adcheck_listener.py mute ADDR PORT            accepts and never says a word (a TLS
#                                                       handshake to it can only time out)
#        adcheck_listener.py redirect ADDR PORT URL    answers every HTTP request 302 Location URL
# Prints "listener: listening" once bound; "listener: GET PATH host=HOST" per request. Ends on
# SIGTERM.
import signal
import socket
import sys


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    print("listener: listening", flush=True)
    held = []
    while True:
        c, _ = s.accept()
        if mode == "mute":
            held.append(c)
            continue
        c.settimeout(5)
        head = b""
        try:
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = c.recv(4096)
                if not chunk:
                    break
                head += chunk
        except OSError:
            pass
        lines = head.decode("latin-1").split("\r\n")
        host = next((l[5:].strip() for l in lines if l.lower().startswith("host:")), "")
        print("listener: %s host=%s" % (" ".join(lines[0].split(" ")[:2]), host), flush=True)
        body = b"moved\n"
        c.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + sys.argv[4].encode() +
                  b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        c.close()


if __name__ == "__main__":
    main()
