#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# csum_frames.py: DNS queries over UDP/IPv4 as raw Ethernet frames on one interface, some with a
# wrong checksum, and the answers that come back: what the dataplane does with checksums, from
# the wire. Frames (each with its own DNS id and source port):
#   good     right IPv4 header and UDP checksums: answered
#   bad-udp  the UDP checksum wrong (not zero): dropped
#   bad-ip   the IPv4 header checksum wrong: dropped
# Prints one line per frame, "NAME answered" or "NAME unanswered", then exits 0; exit 2 on a
# usage or socket error. Needs CAP_NET_RAW (run it in the client's namespace). Bounded: WAIT
# seconds (default 2) for the answers, after the last frame.
import argparse
import select
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def frame(dst_mac, src_mac, src, dst, sport, payload, bad_udp=False, bad_ip=False):
    ulen = 8 + len(payload)
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    phdr = saddr + daddr + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, 53, ulen, 0) + payload
    uc = csum(phdr + udp)
    if bad_udp:
        uc ^= 0x0101
    udp = udp[:6] + struct.pack("!H", uc or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 1, 0, 64, 17, 0, saddr, daddr)
    ic = csum(ip)
    if bad_ip:
        ic ^= 0x0101
    ip = ip[:10] + struct.pack("!H", ic) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True, help="the server's MAC")
    ap.add_argument("--src", required=True, help="our IPv4 address on IFACE")
    ap.add_argument("--dst", required=True, help="the server's IPv4 address")
    ap.add_argument("--name", default="example.com")
    ap.add_argument("--wait", type=float, default=2.0)
    a = ap.parse_args()
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        s.bind((a.iface, 0))
        src_mac = s.getsockname()[4][:6]
    except OSError as e:
        print("csum_frames: %s: %s" % (a.iface, e), file=sys.stderr)
        return 2
    kinds = [("good", {}), ("bad-udp", {"bad_udp": True}), ("bad-ip", {"bad_ip": True})]
    sent = {}
    for i, (kind, bad) in enumerate(kinds):
        qid, sport = 0x5A00 + i, 41000 + i
        s.send(frame(mac(a.dst_mac), src_mac, a.src, a.dst, sport, query(qid, a.name), **bad))
        sent[(sport, qid)] = kind
    got = set()
    end = time.monotonic() + a.wait
    while len(got) < len(sent):
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        f = s.recv(65535)
        if len(f) < 14 + 20 + 8 + 12 or f[12:14] != b"\x08\x00" or f[23] != 17:
            continue
        ihl = (f[14] & 0xF) * 4
        sport, dport = struct.unpack("!HH", f[14 + ihl : 14 + ihl + 4])
        qid = struct.unpack("!H", f[14 + ihl + 8 : 14 + ihl + 10])[0]
        if sport == 53 and (dport, qid) in sent:
            got.add((dport, qid))
    for key, kind in sent.items():
        print("%s %s" % (kind, "answered" if key in got else "unanswered"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
