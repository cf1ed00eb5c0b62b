#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# stall_endpoint.py: a TLS endpoint on 127.0.0.1 that can be told to accept and then never speak.
#
#   stall_endpoint.py PORT CERT KEY STALL_FLAG
#
# While the file STALL_FLAG does not exist every connection gets a TLS handshake with CERT/KEY
# and is closed; once it exists, connections are accepted and held open without a byte sent
# (a peer that stalls). Runs until killed; each handshake is bounded (5 s).
import os
import socket
import ssl
import sys

port, cert, key, flag = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(64)
print("listening", flush=True)
held = []
while True:
    conn, _ = ls.accept()
    if os.path.exists(flag):
        held.append(conn)  # accepted, never answered
        continue
    conn.settimeout(5)
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            tls.do_handshake()
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()
