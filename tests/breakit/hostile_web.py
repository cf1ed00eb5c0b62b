#!/usr/bin/python3
# hostile_web.py CERT KEY MODE: port 443 (TLS with CERT) and port 80 on 127.0.0.1 misbehave per MODE:
#   drip: one octet of an HTTP head every 0.5 s, never ending; bighead: a 1 MiB header line;
#   longloc: a redirect with a 100 KB Location; tlsdrip: a TLS port that accepts and says nothing.
# Run it in a private network namespace (unshare -n) so that ports 80 and 443 are ours.
import socket, ssl, sys, threading, time
cert, key, mode = sys.argv[1], sys.argv[2], sys.argv[3]
def http(c):
    try:
        c.recv(4096)
        if mode == "drip":
            c.sendall(b"HTTP/1.1 302 Found\r\n")
            while True:
                c.sendall(b"X")
                time.sleep(0.5)
        elif mode == "bighead":
            c.sendall(b"HTTP/1.1 302 Found\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
        elif mode == "longloc":
            c.sendall(b"HTTP/1.1 302 Found\r\nLocation: https://" + b"a" * 100000 + b"/\r\n\r\n")
        else:
            c.sendall(b"HTTP/1.1 302 Found\r\nLocation: https://autodiscover.example.com/x\r\n\r\n")
    except Exception:
        pass
    c.close()
def tls(c):
    if mode == "tlsdrip":
        time.sleep(60)
        c.close()
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    try:
        s = ctx.wrap_socket(c, server_side=True)
        s.recv(100)
        s.close()
    except Exception:
        c.close()
def listen(port, fn):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port))
    l.listen(16)
    while True:
        c, _ = l.accept()
        threading.Thread(target=fn, args=(c,), daemon=True).start()
threading.Thread(target=listen, args=(80, http), daemon=True).start()
listen(443, tls)
