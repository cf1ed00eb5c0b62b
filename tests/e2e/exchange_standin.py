#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# exchange_standin.py: a stand-in Exchange server for autodiscover.sh: HTTPS with one
# certificate, answering POX autodiscover with an EWS URL.
#
# Usage: exchange_standin.py --cert PEM --key KEY --listen ADDR [--listen ADDR]... [--port 443]
#                            --ews-url URL
# Serves on every ADDR (IPv4 or IPv6) with the certificate PEM (leaf first, chain after):
#   POST /Autodiscover/Autodiscover.xml  -> 200, a POX autodiscover response (Action settings, an
#                                           EXPR protocol whose EwsUrl is URL) for the address asked
#   GET/HEAD of that path                -> 200, empty (the client's "does it answer" probe)
#   any method on /EWS/Exchange.asmx     -> 200 with basic authentication (any password), else 401
#   anything else                        -> 404
# The certificate file is read once per connection, so replacing it takes effect on the next one.
# Logged on stdout: each TLS handshake, `standin: handshake sni=NAME peer=ADDR VERSION`, or
# `standin: tls-failed sni=NAME peer=ADDR: REASON`; each request, `standin: sni=NAME host=HOST
# METHOD PATH -> STATUS`; `standin: listening` once every socket is bound. Ends on SIGTERM.
import argparse
import http.server
import re
import signal
import socket
import ssl
import sys
import threading

AD_PATH = "/autodiscover/autodiscover.xml"
EWS_PATH = "/ews/exchange.asmx"
RESPONSE = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>Test User</DisplayName>
      <AutoDiscoverSMTPAddress>{email}</AutoDiscoverSMTPAddress>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>EXPR</Type>
        <Server>mail.example.com</Server>
        <ServerVersion>73C18880</ServerVersion>
        <EwsUrl>{ews}</EwsUrl>
        <AuthPackage>basic</AuthPackage>
        <SSL>On</SSL>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
"""

out_lock = threading.Lock()


def say(text):
    with out_lock:
        print("standin: " + text, flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "exchange-standin"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # the one line per request below replaces it
        pass

    def reply(self, status, body=b"", ctype="text/plain", extra=None):
        sni = getattr(self.request, "standin_sni", None)
        say("sni=%s host=%s %s %s -> %d" %
            (sni, self.headers.get("Host"), self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def route(self):
        path = self.path.split("?")[0].lower()
        data = self.body()
        if path == AD_PATH and self.command == "POST":
            m = re.search(rb"<EMailAddress>([^<]*)</EMailAddress>", data)
            email = m.group(1).decode() if m else "unknown@example.com"
            xml = RESPONSE.format(email=email, ews=self.server.ews_url).encode()
            self.reply(200, xml, "text/xml; charset=utf-8")
        elif path == AD_PATH:
            self.reply(200)
        elif path == EWS_PATH and (self.headers.get("Authorization") or "").startswith("Basic "):
            self.reply(200, b"EWS stand-in\n")
        elif path == EWS_PATH:
            self.reply(401, b"", extra={"WWW-Authenticate": 'Basic realm="mail.example.com"'})
        else:
            self.reply(404)

    do_GET = do_HEAD = do_POST = route


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, port, args):
        self.address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.args = args
        self.ews_url = args.ews_url
        super().__init__((addr, port), Handler)

    def context(self, names):
        """A server context with the certificate as the file holds it now; records the SNI."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.args.cert, self.args.key)

        def on_sni(sslobj, name, _ctx):
            names.append(name)

        ctx.sni_callback = on_sni
        return ctx

    def finish_request(self, request, client_address):
        names = []
        request.settimeout(10)  # a client that connects and says nothing cannot hold a thread
        try:
            tls = self.context(names).wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            say("tls-failed sni=%s peer=%s: %s" %
                (names[0] if names else None, client_address[0], e))
            return
        tls.standin_sni = names[0] if names else None
        say("handshake sni=%s peer=%s %s" % (tls.standin_sni, client_address[0], tls.version()))
        try:
            Handler(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        say("error with peer %s: %s" % (client_address[0], sys.exc_info()[1]))


def main():
    ap = argparse.ArgumentParser(description="stand-in Exchange server (POX autodiscover)")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--listen", action="append", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--ews-url", required=True)
    args = ap.parse_args()

    servers = [Server(a, args.port, args) for a in args.listen]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    say("listening on %s port %d" % (" ".join(args.listen), args.port))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1):
        pass
    for s in servers:
        s.shutdown()
        s.server_close()
    say("stopped")


if __name__ == "__main__":
    main()
