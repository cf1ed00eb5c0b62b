#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# autodiscover_client.py: runs exchangelib's POX autodiscover (MS-OXDISCO) for one address and
# reports, step by step, what the client met: for autodiscover.sh.
#
# Usage: autodiscover_client.py EMAIL
# The caller sets TMPDIR (exchangelib keeps its autodiscover cache there: one per run),
# REQUESTS_CA_BUNDLE (the CA the client trusts) and /etc/resolv.conf (through `ip netns exec`).
# exchangelib resolves names itself with dnspython (SRV, and an A check before each URL) and
# connects with requests (getaddrinfo). Output, one fact per line:
#   exchangelib: LOGGER: MESSAGE     every record exchangelib's autodiscover code logs (its steps)
#   http: METHOD URL -> STATUS | EXCEPTION: TEXT       every request that went through requests
#   tls-error: host=H kind=K code=N: MESSAGE         each requests SSLError, with the certificate
#                                                    verification error inside it (kind is
#                                                    hostname-mismatch, untrusted, ... or other)
#   ews: GET URL -> STATUS | EXCEPTION: TEXT         the EWS URL autodiscover returned, fetched
#                                                    with basic authentication (test password)
#   summary: tls_errors=N logged_tls_errors=M outcome=ok|failed endpoint=URL ews=URL
#            ews_status=S steps=1,2,...
# tls_errors counts requests' SSLError exceptions (raised in the HTTP adapter); logged_tls_errors
# counts exchangelib's own log records that report one (the TransportError it turns it into).
# Exit status 0 when the run could be reported (whatever its outcome), 2 otherwise.
import logging
import os
import re
import ssl
import sys
import tempfile


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: autodiscover_client.py EMAIL")
    email = sys.argv[1]
    # imported here so that the cache path follows this process's TMPDIR
    import requests
    from exchangelib import Credentials
    from exchangelib.autodiscover import cache as ad_cache
    from exchangelib.autodiscover.discovery.pox import PoxAutodiscovery
    from exchangelib.autodiscover.protocol import AutodiscoverProtocol
    from exchangelib.util import get_domain

    steps = []
    logged_tls = []

    class Report(logging.Handler):
        def emit(self, record):
            msg = record.getMessage()
            print("exchangelib: %s: %s" % (record.name, msg), flush=True)
            m = re.match(r"Step (\d):", msg)
            if m:
                steps.append(m.group(1))
            # exchangelib turns requests' SSLError into TransportError(str(e)) and logs it
            if "SSLError(" in msg or "CERTIFICATE_VERIFY_FAILED" in msg:
                logged_tls.append(msg)

    log = logging.getLogger("exchangelib.autodiscover")
    log.setLevel(logging.DEBUG)
    log.addHandler(Report())
    log.propagate = False

    tls_errors = []
    orig_send = requests.adapters.HTTPAdapter.send

    def send(self, request, **kwargs):
        try:
            r = orig_send(self, request, **kwargs)
        except requests.exceptions.SSLError as e:
            host = requests.utils.urlparse(request.url).hostname
            kind, code, text = describe(e)
            tls_errors.append((host, kind))
            print("http: %s %s -> SSLError: %s" % (request.method, request.url, e), flush=True)
            print("tls-error: host=%s kind=%s code=%s: %s" % (host, kind, code, text), flush=True)
            raise
        except Exception as e:
            print("http: %s %s -> %s: %s" % (request.method, request.url, type(e).__name__, e),
                  flush=True)
            raise
        print("http: %s %s -> %d" % (request.method, request.url, r.status_code), flush=True)
        return r

    requests.adapters.HTTPAdapter.send = send

    cache_file = str(ad_cache.AUTODISCOVER_PERSISTENT_STORAGE)
    print("client: exchangelib cache %s (TMPDIR %s)" % (cache_file, tempfile.gettempdir()))
    print("client: CA bundle %s" % os.environ.get("REQUESTS_CA_BUNDLE"))
    domain = get_domain(email)
    # a test password: the stand-in's autodiscover answer asks for basic authentication
    creds = Credentials(email, "sandns-test")
    if (domain, creds) in ad_cache.autodiscover_cache:
        print("client: the cache already knows %s: not a fresh run" % domain)
        return 2

    ad = PoxAutodiscovery(email=email, credentials=creds)
    print("client: dnspython asks %s" % ad.resolver.nameservers, flush=True)
    outcome, endpoint, ews, ews_status = "failed", "-", "-", "-"
    try:
        response, protocol = ad.discover()
        outcome = "ok"
        ews = protocol.service_endpoint
        endpoint = ad_cache.autodiscover_cache[(domain, creds)].service_endpoint
        print("client: autodiscover answered at %s: EWS URL %s" % (endpoint, ews))
    except Exception as e:  # AutoDiscoverFailed, or whatever else stopped it: reported
        print("client: autodiscover failed: %s: %s" % (type(e).__name__, e))

    if outcome == "ok":
        try:
            with AutodiscoverProtocol.raw_session(ews) as s:
                r = s.get(ews, timeout=10, auth=(email, "sandns-test"))
            ews_status = str(r.status_code)
            print("ews: GET %s -> %s" % (ews, ews_status))
        except requests.exceptions.RequestException as e:
            ews_status = type(e).__name__
            print("ews: GET %s -> %s: %s" % (ews, ews_status, e))

    print("summary: tls_errors=%d logged_tls_errors=%d outcome=%s endpoint=%s ews=%s "
          "ews_status=%s steps=%s" % (len(tls_errors), len(logged_tls), outcome, endpoint, ews,
                                      ews_status, ",".join(steps) or "-"), flush=True)
    return 0


def describe(exc):
    """The certificate verification error inside a requests SSLError: (kind, code, message)."""
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen or not isinstance(e, BaseException):
            continue
        seen.add(id(e))
        # urllib3 1.26 matches the name itself (the context does not): CertificateError
        if type(e).__name__ == "CertificateError":
            return "hostname-mismatch", "-", str(e)
        if isinstance(e, ssl.SSLCertVerificationError):
            msg = e.verify_message or str(e)
            if "Hostname mismatch" in msg or "IP address mismatch" in msg:
                kind = "hostname-mismatch"
            elif "unable to get local issuer" in msg or "self-signed" in msg or \
                    "self signed" in msg:
                kind = "untrusted"
            elif "expired" in msg or "not yet valid" in msg:
                kind = "validity"
            else:
                kind = "other"
            return kind, e.verify_code, msg
        todo.extend(a for a in e.args if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            v = getattr(e, attr, None)
            if isinstance(v, BaseException):
                todo.append(v)
    return "other", "-", str(exc)


if __name__ == "__main__":
    sys.exit(main())
