#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# metrics_check.py: scrapes sandnsd's /metrics, parses it with prometheus_client's own text
# parser, and checks it against the counts expected and against `sandnsctl --json stats`.
# Usage: metrics_check.py URL STATS_JSON_FILE EXPECTED_JSON    (prints ok/FAIL lines)
#        metrics_check.py --hold URL N SECONDS   (N connections that send half a request and
#                                                  never read, held SECONDS; for the abuse check)
import json
import socket
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

failed = 0


def verdict(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failed += 1


def samples(text):
    """{(family, frozenset(labels)): value} over every sample of the exposition."""
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(sm, name, **labels):
    return sm.get((name, frozenset(labels.items())))


def hold(url, n, secs):
    host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection((host, int(port)), timeout=2)
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finished
            socks.append(s)
        except OSError:
            break
    print("held %d connections" % len(socks), flush=True)
    time.sleep(secs)
    for s in socks:
        s.close()


def main():
    if sys.argv[1] == "--hold":
        hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return 0
    url, stats_file, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    with urllib.request.urlopen(url, timeout=10) as r:
        ctype = r.headers.get("Content-Type", "")
        text = r.read().decode()
    verdict(ctype.startswith("text/plain"), "Content-Type text/plain (%s)" % ctype)
    sm = samples(text)
    with open(stats_file) as f:
        stats = json.load(f)["data"]  # sandnsctl's envelope: the document is its data
    by = stats.get("by_transport", {})
    # sandns_queries_total and sandns_responses_total: exactly what was sent, per transport.
    for fam, label, key in (("sandns_queries_total", "qtype", "qtype"),
                            ("sandns_responses_total", "rcode", "rcode")):
        want = expected.get(key, {})
        for (name, labels), v in sm.items():
            if name != fam:
                continue
            d = dict(labels)
            t, lv = d["transport"], d[label]
            if t not in expected["transports"]:
                continue
            exp = want.get(t, {}).get(lv, 0)
            if v != exp or exp != 0:
                verdict(v == exp, "%s{transport=%s,%s=%s} = %g (want %d)" % (fam, t, label, lv, v, exp))
            st = by.get(t, {}).get(key, {}).get(lv, 0)
            if v != st:
                verdict(False, "%s{transport=%s,%s=%s} = %g, sandnsctl stats says %d" % (fam, t, label, lv, v, st))
        for t, m in want.items():
            for lv, exp in m.items():
                if value(sm, fam, transport=t, **{label: lv}) is None:
                    verdict(False, "%s{transport=%s,%s=%s} missing" % (fam, t, label, lv))
    for t in expected["transports"]:
        v = value(sm, "sandns_received_total", transport=t)
        if "received" in expected:
            verdict(v == expected["received"][t], "sandns_received_total{transport=%s} = %s (want %d)" % (t, v, expected["received"][t]))
        verdict(v == by.get(t, {}).get("received"), "sandns_received_total{transport=%s} agrees with stats" % t)
    for zone, exp in expected.get("zones", {}).items():
        v = value(sm, "sandns_zone_queries_total", zone=zone)
        verdict(v == exp, "sandns_zone_queries_total{zone=%s} = %s (want %d)" % (zone, v, exp))
        verdict(stats.get("zones", {}).get(zone) == exp, "stats zones %s = %s" % (zone, stats.get("zones", {}).get(zone)))
    for zone, serial in expected.get("serials", {}).items():
        verdict(value(sm, "sandns_zone_serial", zone=zone) == serial, "sandns_zone_serial{zone=%s} = %d" % (zone, serial))
    for domain, name, family, decision in expected.get("policy", []):
        v = [val for (n, labels), val in sm.items() if n == "sandns_policy_decision" and dict(labels).get("domain") == domain
             and dict(labels).get("name") == name and dict(labels).get("family") == family]
        got = [dict(labels)["decision"] for (n, labels), val in sm.items() if n == "sandns_policy_decision"
               and dict(labels).get("name") == name and dict(labels).get("family") == family]
        verdict(v == [1.0] and got == [decision], "sandns_policy_decision %s %s %s: %s (want %s)" % (domain, name, family, got, decision))
    if "reload_ok" in expected:
        verdict(value(sm, "sandns_last_reload_success") == expected["reload_ok"], "sandns_last_reload_success = %s" % expected["reload_ok"])
        verdict(value(sm, "sandns_reloads_total", result="failed") == expected["reload_failed"], "sandns_reloads_total{result=failed} = %s" % expected["reload_failed"])
    verdict((value(sm, "sandns_snapshot_bytes") or 0) > 0, "sandns_snapshot_bytes > 0")
    if expected.get("dpdk_port"):
        for fam, labels in (("sandns_dpdk_port_missed_total", {}), ("sandns_dpdk_port_nombuf_total", {}),
                            ("sandns_dpdk_port_errors_total", {"direction": "rx"}),
                            ("sandns_dpdk_port_errors_total", {"direction": "tx"})):
            verdict(value(sm, fam, **labels) is not None, "%s%s present" % (fam, labels))
        rx = value(sm, "sandns_dpdk_port_packets_total", direction="rx") or 0
        verdict(rx >= expected["dpdk_port"], "sandns_dpdk_port_packets_total{direction=rx} = %g >= %d" % (rx, expected["dpdk_port"]))
        verdict("dpdk_port" in stats, "sandnsctl stats shows the DPDK port's counters")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
