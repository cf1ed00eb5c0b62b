#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# propagation_notify.py: part 1 of a kept bench/propagation.sh run (KEEP=1), measured from the
# NOTIFY instead of the commit: for each secondary, the time from the Knot primary logging
# "notify, outgoing" to it (its time stamp) until the poller first received the new serial from
# it (t0 + its time in part1.jsonl); knotc zone-commit's own 30 to 50 ms drop out. Prints the
# medians per secondary for sandnsd (pa.test.) and Knot (pb.test.) secondaries, and the median
# of the per-round ratios of the slowest of each three (sandnsd / Knot).
#
#   python3 bench/propagation_notify.py /tmp/sandns-propagation.XXXXXX
import json
import re
import statistics
import sys


def main(d):
    kconf = open(d + "/p1/kp/knot.conf").read()
    kp = open(d + "/p1/kp.log").read().splitlines()

    def notifies(zone, name):
        port = re.search(r"id: %s\n\s+address: 127\.0\.0\.1@(\d+)" % name, kconf).group(1)
        pat = re.compile(r"(\d+\.\d+) .*\[%s\] notify, outgoing, remote 127\.0\.0\.1@%s, serial (\d+)"
                         % (re.escape(zone), port))
        out = {}
        for line in kp:
            m = pat.match(line)
            if m and int(m.group(2)) not in out:
                out[int(m.group(2))] = float(m.group(1))
        return out

    rounds = [json.loads(line) for line in open(d + "/part1.jsonl")]
    per, slowest = {}, {}
    for setup, zone, prefix in (("knot-sandns", "pa.test.", "s"), ("knot-knot", "pb.test.", "k")):
        per[setup], slowest[setup] = [[], [], []], {}
        for i in range(3):
            sent = notifies(zone, prefix + str(i + 1))
            for j in rounds:
                r, key = j["result"], "s%d" % (i + 1)
                if j["setup"] != setup or r["serial"] not in sent or key not in r["times"]:
                    continue
                ms = 1000 * (r["t0"] + r["times"][key] - sent[r["serial"]])
                per[setup][i].append(ms)
                slowest[setup][j["round"]] = max(slowest[setup].get(j["round"], 0), ms)
    ratios = [v / slowest["knot-knot"][k] for k, v in slowest["knot-sandns"].items()
              if slowest["knot-knot"].get(k, 0) > 0]

    def meds(x):
        return " / ".join("%.1f" % statistics.median(v) if v else "-" for v in x)

    print("NOTIFY -> served, ms, medians per secondary: sandnsd %s; Knot %s" %
          (meds(per["knot-sandns"]), meds(per["knot-knot"])))
    if ratios:
        print("sandnsd / Knot, the slowest of three, median of the per-round ratios: %.2f (%.2f..%.2f)" %
              (statistics.median(ratios), min(ratios), max(ratios)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: propagation_notify.py KEPT_DIRECTORY")
    main(sys.argv[1])
