#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# notify_listen.py: stands in for systemd's notify socket (sd_notify(3)) for service.sh.
#
# notify_listen.py SOCKET OUT PORT LOG: binds a Unix datagram socket at SOCKET (mode 0666, so a
# sandnsd that has become another user still reaches it) and appends one line to OUT for each
# message: its fields joined by spaces. For a message with READY=1 it adds, measured at that very
# moment, whether LOG already held sandnsd's "serving" line (serving=yes|no) and whether an SOA
# query for example.net. to 127.0.0.1@PORT got an answer within 2 s (answered=yes|no). Runs until
# killed. Talks to 127.0.0.1 only.
import os
import socket
import struct
import sys


def soa_query_answered(port):
    """One UDP SOA query for example.net.; True when a response with its ID comes back."""
    qid = os.getpid() & 0xFFFF
    name = b"".join(bytes([len(p)]) + p for p in (b"example", b"net")) + b"\0"
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + name + struct.pack(">HH", 6, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        s.sendto(msg, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
        return len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid and data[2] & 0x80
    except OSError:
        return False
    finally:
        s.close()


def main():
    path, out, port, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(out, "a", buffering=1) as f:
        while True:
            data = s.recv(4096).decode(errors="replace")
            fields = [x for x in data.split("\n") if x]
            line = " ".join(f"<{x}>" for x in fields)
            if "READY=1" in fields:
                try:
                    with open(log, errors="replace") as lf:
                        serving = any(l.startswith("sandnsd: serving") for l in lf)
                except OSError:
                    serving = False
                answered = soa_query_answered(port)
                line += f" serving={'yes' if serving else 'no'}"
                line += f" answered={'yes' if answered else 'no'}"
            f.write(line + "\n")


if __name__ == "__main__":
    main()
