#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# dnstap_stall_reader.py: a Frame Streams reader on a unix socket that answers the writer's
# handshake (READY, then ACCEPT with the dnstap content type) and then never reads again, so the
# writer's socket fills and its writes block. Usage: dnstap_stall_reader.py PATH (runs until
# killed; says "ready" on stdout once listening, "accepted" for each writer).
import socket
import struct
import sys
import time

CONTENT_TYPE = b'protobuf:dnstap.Dnstap'
CONTROL_ACCEPT = 1
FIELD_CONTENT_TYPE = 1


def read_exact(sock, n):
    data = b''
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            raise EOFError
        data += part
    return data


def main():
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sys.argv[1])
    srv.listen(4)
    print('ready', flush=True)
    held = []
    while True:
        conn, _ = srv.accept()
        try:
            escape, length = struct.unpack('!II', read_exact(conn, 8))
            if escape != 0:
                conn.close()
                continue
            read_exact(conn, length)  # READY and the content types it offers
            body = struct.pack('!III', CONTROL_ACCEPT, FIELD_CONTENT_TYPE, len(CONTENT_TYPE))
            body += CONTENT_TYPE
            conn.sendall(struct.pack('!II', 0, len(body)) + body)
        except (EOFError, OSError):
            conn.close()
            continue
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        held.append(conn)
        print('accepted', flush=True)
        time.sleep(0.1)


if __name__ == '__main__':
    main()
