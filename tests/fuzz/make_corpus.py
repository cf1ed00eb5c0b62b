#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# make_corpus.py: writes the seed corpus of the DNS, packet, zone and control targets under
# corpus/ (make-corpus.sh runs it, then makes the certificates with openssl). Deterministic: the
# same files every run. Needs python3-dnspython.
import os
import random
import re
import struct
import sys

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rdataclass
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
OUT = os.path.join(HERE, 'corpus')
rng = random.Random(6)


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def query(name, rdtype, rdclass='IN', edns=-1, payload=1232, do=False, options=None, qid=None,
          flags=None, opcode=None):
    m = dns.message.make_query(name, rdtype, rdclass, use_edns=edns, payload=payload,
                               want_dnssec=do, options=options)
    m.id = qid if qid is not None else rng.randrange(65536)
    if flags is not None:
        m.flags = flags
    if opcode is not None:
        m.set_opcode(dns.opcode.from_text(opcode))
    return m.to_wire()


def mixcase(name):
    return ''.join(c.upper() if c.isalpha() and rng.random() < .5 else c for c in name)


# ---- fuzz-answer: one query per file

QUESTIONS = [
    ('example.com.', 'SOA'), ('example.com.', 'NS'), ('example.com.', 'MX'), ('example.com.', 'ANY'),
    ('example.com.', 'TXT'), ('example.com.', 'DNSKEY'), ('mail.example.com.', 'A'),
    ('mail.example.com.', 'AAAA'), ('autodiscover.example.com.', 'A'),
    ('autodiscover.example.com.', 'AAAA'), ('_autodiscover._tcp.example.com.', 'SRV'),
    ('_sandns.autodiscover.example.com.', 'TXT'), ('nope.example.com.', 'A'),
    ('a.b.autodiscover.example.com.', 'A'), ('anything.example.net.', 'A'),
    ('autodiscover.example.net.', 'A'), ('_autodiscover._tcp.example.net.', 'SRV'),
    ('example.org.', 'MX'), ('_sip._tcp.example.org.', 'SRV'), ('x.wild.example.org.', 'TXT'),
    ('q.cnwild.example.org.', 'A'), ('c1.example.org.', 'A'), ('dangling.example.org.', 'A'),
    ('cwild.example.org.', 'AAAA'), ('z.x.deep.example.org.', 'A'), ('bigtxt.example.org.', 'TXT'),
    ('mixedcase.example.org.', 'A'), ('caa.example.org.', 'CAA'), ('b.c.example.org.', 'A'),
    ('www.sub.deleg.test.', 'A'), ('sub.deleg.test.', 'DS'), ('sub.deleg.test.', 'NS'),
    ('hosted.deleg.test.', 'SOA'), ('www.hosted.deleg.test.', 'A'), ('x.dn.deleg.test.', 'A'),
    ('deleg.test.', 'NS'), ('outside.invalid.', 'A'), ('.', 'NS'), ('com.', 'SOA'),
    ('example.com.', 'TYPE65'), ('mail.example.com.', 'TYPE0'), ('example.com.', 'RRSIG'),
]
for i, (name, t) in enumerate(QUESTIONS):
    base = re.sub(r'[^a-z0-9]+', '_', (name + t).lower()).strip('_')
    write('fuzz-answer', f'q{i:02d}-{base}', query(name, t))
    if i % 3 == 0:
        write('fuzz-answer', f'q{i:02d}-{base}-edns', query(mixcase(name), t, edns=0, do=True))
    if i % 5 == 0:
        write('fuzz-answer', f'q{i:02d}-{base}-edns512', query(name, t, edns=0, payload=512))
for z in ('example.com.', 'example.net.', 'example.org.', 'deleg.test.', 'hosted.deleg.test.'):
    write('fuzz-answer', f'axfr-{z.rstrip(".").replace(".", "_")}', query(z, 'AXFR'))
write('fuzz-answer', 'ixfr-example_com', query('example.com.', 'IXFR'))
write('fuzz-answer', 'chaos-version_bind', query('version.bind.', 'TXT', 'CH'))
write('fuzz-answer', 'chaos-id_server', query('id.server.', 'TXT', 'CH'))
write('fuzz-answer', 'chaos-hostname_bind', query('hostname.bind.', 'TXT', 'CH'))
write('fuzz-answer', 'class-any', query('mail.example.com.', 'A', 'ANY'))
write('fuzz-answer', 'class-hs', query('mail.example.com.', 'A', 'HS'))
write('fuzz-answer', 'edns-version1', query('example.com.', 'SOA', edns=1))
write('fuzz-answer', 'edns-options', query('example.com.', 'A', edns=0, options=[
    dns.edns.GenericOption(dns.edns.NSID, b''),
    dns.edns.GenericOption(dns.edns.COOKIE, bytes(range(8))),
    dns.edns.ECSOption('198.18.0.0', 24),
    dns.edns.GenericOption(dns.edns.PADDING, bytes(16))]))
# NSID, cookies and padding (fz_snapshot() answers NSID and cookies): well formed, then lying
ck = bytes(range(1, 9))
write('fuzz-answer', 'edns-nsid', query('mail.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(3, b'')]))
write('fuzz-answer', 'edns-nsid-content', query('mail.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(3, b'\xab\xcd')]))
write('fuzz-answer', 'edns-cookie-client', query('mail.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(10, ck)]))
write('fuzz-answer', 'edns-cookie-server', query('mail.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(3, b''),
    dns.edns.GenericOption(10, ck + bytes([1, 0, 0, 0, 0x6b, 0x14, 0x4a, 0xd6]) + bytes(8))]))
write('fuzz-answer', 'edns-cookie-bad-length', query('mail.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(10, ck + b'\x01')]))
write('fuzz-answer', 'edns-cookie-twice', query('nope.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(10, ck), dns.edns.GenericOption(10, ck[::-1] + bytes(32))]))
write('fuzz-answer', 'edns-padding', query('example.com.', 'SOA', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(12, bytes(48))]))
q = query('example.com.', 'SOA', edns=0, qid=0x4544, options=[dns.edns.GenericOption(10, ck)])
write('fuzz-answer', 'edns-cookie-lying', q[:-10] + b'\x00\x20' + q[-8:])
write('fuzz-answer', 'edns-cookie-chaos', query('id.server.', 'TXT', 'CH', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(3, b''), dns.edns.GenericOption(10, ck)]))
write('fuzz-answer', 'opcode-notify', query('example.com.', 'SOA', opcode='NOTIFY'))
write('fuzz-answer', 'opcode-update', query('example.com.', 'SOA', opcode='UPDATE'))
write('fuzz-answer', 'opcode-status', query('example.com.', 'SOA', opcode='STATUS'))
# A NOTIFY with the SOA its primary's version gives (RFC 1996 3.7), read from the answer section.
notify = dns.message.make_query('example.com.', 'SOA', use_edns=-1)
notify.id = 4660
notify.set_opcode(dns.opcode.NOTIFY)
notify.answer.append(dns.rrset.from_text('example.com.', 3600, 'IN', 'SOA',
                                         'ns1.example.com. h.example.com. 2026120701 7200 900 '
                                         '1209600 300'))
write('fuzz-answer', 'notify-soa', notify.to_wire())
write('fuzz-answer', 'flag-qr', query('example.com.', 'SOA', flags=dns.flags.QR))
write('fuzz-answer', 'flag-tc-cd-ad', query('example.com.', 'SOA',
                                            flags=dns.flags.TC | dns.flags.CD | dns.flags.AD))
q = query('example.com.', 'A', qid=0x1234)
write('fuzz-answer', 'header-only', q[:12])
write('fuzz-answer', 'short-7', q[:7])
write('fuzz-answer', 'question-cut', q[:20])
write('fuzz-answer', 'qdcount0', q[:4] + b'\x00\x00' + q[6:12])
write('fuzz-answer', 'qdcount2', q[:4] + b'\x00\x02' + q[6:] + q[12:])
write('fuzz-answer', 'ancount1', q[:6] + b'\x00\x01' + q[8:] + b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc6\x12\x00\x19')
write('fuzz-answer', 'qname-pointer', q[:12] + b'\xc0\x0c\x00\x01\x00\x01')
write('fuzz-answer', 'qname-escape', query('a\\000b.example.com.', 'A'))
write('fuzz-answer', 'qname-long', query('.'.join(['a' * 63] * 3) + '.' + 'b' * 57 + '.', 'A'))
write('fuzz-answer', 'opt-twice', query('example.com.', 'A', edns=0)[:-11] +
      query('example.com.', 'A', edns=0)[-11:] * 2)
write('fuzz-answer', 'trailing-junk', q + b'\x00' * 8)

# ---- fuzz-pkt: whole Ethernet frames for a server at 02:00:00:00:00:01, 192.0.2.53, 2001:db8::53

MAC_US = bytes.fromhex('020000000001')
MAC_PEER = bytes.fromhex('020000000002')
IP4_US = bytes([192, 0, 2, 53])
IP4_US2 = bytes([198, 18, 0, 2])
IP4_PEER = bytes([198, 51, 100, 7])
IP6_US = bytes.fromhex('20010db8000000000000000000000053')
IP6_PEER = bytes.fromhex('20010db8000000000000000000000107')


def csum(data):
    if len(data) % 2:
        data += b'\x00'
    s = sum(struct.unpack(f'!{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(payload, etype, dst=MAC_US, src=MAC_PEER, vlan=None):
    h = dst + src
    if vlan is not None:
        h += struct.pack('!HH', 0x8100, vlan)
    return h + struct.pack('!H', etype) + payload


def ip4(payload, proto, src=IP4_PEER, dst=IP4_US, frag=0, opts=b''):
    ihl = 5 + len(opts) // 4
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, ihl * 4 + len(payload), rng.randrange(65536),
                    frag, 64, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload


def ip6(payload, proto, src=IP6_PEER, dst=IP6_US, hop=64):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), proto, hop, src, dst) + payload


def l4_v6(body, proto, src, dst, cs_off):
    ph = src + dst + struct.pack('!IxxxB', len(body), proto)
    c = csum(ph + body)
    return body[:cs_off] + struct.pack('!H', c) + body[cs_off + 2:]


def udp4(dns_payload, src=IP4_PEER, dst=IP4_US, sport=40000, dport=53, with_csum=True):
    u = struct.pack('!HHHH', sport, dport, 8 + len(dns_payload), 0) + dns_payload
    if with_csum:
        ph = src + dst + struct.pack('!xBH', 17, len(u))
        u = u[:6] + struct.pack('!H', csum(ph + u) or 0xffff) + u[8:]
    return ip4(u, 17, src, dst)


def udp6(dns_payload, src=IP6_PEER, dst=IP6_US, sport=40000, dport=53):
    u = struct.pack('!HHHH', sport, dport, 8 + len(dns_payload), 0) + dns_payload
    return ip6(l4_v6(u, 17, src, dst, 6), 17, src, dst)


PKT = 'fuzz-pkt'
write(PKT, 'udp4-a', eth(udp4(query('mail.example.com.', 'A')), 0x0800))
write(PKT, 'udp4-nocsum-srv', eth(udp4(query('_autodiscover._tcp.example.com.', 'SRV'),
                                       with_csum=False), 0x0800))
write(PKT, 'udp4-edns-bigtxt', eth(udp4(query('bigtxt.example.org.', 'TXT', edns=0)), 0x0800))
write(PKT, 'udp4-any-512', eth(udp4(query('example.com.', 'ANY')), 0x0800))
write(PKT, 'udp4-addr2', eth(udp4(query('example.net.', 'MX'), dst=IP4_US2), 0x0800))
write(PKT, 'udp4-vlan', eth(udp4(query('x.example.net.', 'A')), 0x0800, vlan=100))
write(PKT, 'udp4-axfr', eth(udp4(query('example.com.', 'AXFR')), 0x0800))
write(PKT, 'udp4-response', eth(udp4(query('example.com.', 'SOA', flags=dns.flags.QR)), 0x0800))
write(PKT, 'udp4-padded', eth(udp4(b'\x12\x34' + b'\x00' * 4), 0x0800) + b'\x00' * 12)
write(PKT, 'udp4-port', eth(udp4(query('example.com.', 'SOA'), dport=5353), 0x0800))
write(PKT, 'udp4-bcast-src', eth(udp4(query('example.com.', 'SOA'), src=bytes([255] * 4)), 0x0800))
write(PKT, 'udp6-aaaa', eth(udp6(query('mail.example.com.', 'AAAA')), 0x86dd))
write(PKT, 'udp6-edns-any', eth(udp6(query('example.org.', 'ANY', edns=0, do=True)), 0x86dd))
write(PKT, 'udp6-vlan-nx', eth(udp6(query('nx.deleg.test.', 'A')), 0x86dd, vlan=7))
write(PKT, 'ip4-frag', eth(ip4(b'\x00' * 16, 17, frag=0x2000), 0x0800))
write(PKT, 'ip4-options', eth(ip4(b'\x00' * 16, 17, opts=b'\x01\x01\x01\x00'), 0x0800))
write(PKT, 'tcp4-syn', eth(ip4(struct.pack('!HHIIBBHHH', 40000, 53, 1, 0, 0x50, 0x02, 65535, 0,
                                           0), 6), 0x0800))
write(PKT, 'tcp6-syn', eth(ip6(struct.pack('!HHIIBBHHH', 40000, 53, 1, 0, 0x50, 0x02, 65535, 0,
                                           0), 6), 0x86dd))
arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, MAC_PEER, IP4_PEER, b'\x00' * 6, IP4_US)
write(PKT, 'arp-request', eth(arp, 0x0806, dst=b'\xff' * 6) + b'\x00' * 18)
write(PKT, 'arp-reply', eth(arp[:6] + b'\x00\x02' + arp[8:], 0x0806))
write(PKT, 'arp-other', eth(arp[:24] + IP4_PEER, 0x0806, dst=b'\xff' * 6))
echo = struct.pack('!BBHHH', 8, 0, 0, 0x42, 1) + b'ping' * 8
echo = echo[:2] + struct.pack('!H', csum(echo)) + echo[4:]
write(PKT, 'icmp4-echo', eth(ip4(echo, 1), 0x0800))
write(PKT, 'icmp4-unreach', eth(ip4(b'\x03\x03\x00\x00' + b'\x00' * 4, 1), 0x0800))
echo6 = struct.pack('!BBHHH', 128, 0, 0, 0x42, 1) + b'ping' * 8
write(PKT, 'icmp6-echo', eth(ip6(l4_v6(echo6, 58, IP6_PEER, IP6_US, 2), 58), 0x86dd))
sn = bytes.fromhex('ff0200000000000000000001ff000053')
ns = struct.pack('!BBHI16s', 135, 0, 0, 0, IP6_US) + struct.pack('!BB6s', 1, 1, MAC_PEER)
write(PKT, 'nd-ns', eth(ip6(l4_v6(ns, 58, IP6_PEER, sn, 2), 58, dst=sn, hop=255), 0x86dd,
                        dst=bytes.fromhex('3333ff000053')))
unspec = bytes(16)
dad = struct.pack('!BBHI16s', 135, 0, 0, 0, IP6_US)
write(PKT, 'nd-ns-dad', eth(ip6(l4_v6(dad, 58, unspec, sn, 2), 58, src=unspec, dst=sn, hop=255),
                            0x86dd, dst=bytes.fromhex('3333ff000053')))
write(PKT, 'nd-ns-unicast', eth(ip6(l4_v6(dad, 58, IP6_PEER, IP6_US, 2), 58, hop=255), 0x86dd))
write(PKT, 'other-mac', eth(udp4(query('example.com.', 'SOA')), 0x0800, dst=bytes.fromhex('020000000099')))
write(PKT, 'ethertype-lldp', eth(b'\x00' * 46, 0x88cc))
write(PKT, 'runt', MAC_US + MAC_PEER[:3])

# ---- fuzz-zload: master files for example.com.


def as_example_com(path):
    text = open(path).read()
    text = re.sub(r'^;.*\n', '', text, flags=re.M)
    for origin in ('hosted.deleg.test', 'deleg.test', 'example.org', 'example.net', 'example.com'):
        text = text.replace(origin + '.', 'example.com.')
    return text


ZL = 'fuzz-zload'
for rel in ('zones/sample/example.com.zone', 'zones/sample/example.net.zone',
            'tests/data/peer/example.org.zone', 'tests/data/peer/deleg.test.zone',
            'tests/data/peer/hosted.deleg.test.zone'):
    write(ZL, 'zone-' + os.path.basename(rel).replace('.zone', '').replace('.', '_'),
          as_example_com(os.path.join(ROOT, rel)))
SOA = '@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ 3600 IN NS ns1\nns1 3600 IN A 192.0.2.53\n'
write(ZL, 'minimal', '$ORIGIN example.com.\n' + SOA)
write(ZL, 'ttl-paren', '$TTL 1h\n@ IN SOA ns1.example.com. h.example.com. (\n 1 ; serial\n 2h 1h 2w\n 5m )\n'
      '@ NS ns1\nns1 A 192.0.2.1\nmail 300 IN MX 10 mail\n')
write(ZL, 'rfc3597', '$ORIGIN example.com.\n' + SOA + 'x 3600 IN TYPE65534 \\# 4 0a000001\n'
      'y 3600 CLASS1 A \\# 4 c0000201\nz 3600 IN TXT "a" "b\\"c" \\065\n')
write(ZL, 'types', '$ORIGIN example.com.\n' + SOA +
      'srv 3600 IN SRV 0 5 443 mail\ncaa 3600 IN CAA 0 issuewild ";"\nptr 3600 IN PTR mail\n'
      'naptr 3600 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp\nsshfp 3600 IN SSHFP 1 1 0123456789abcdef\n'
      'tlsa 3600 IN TLSA 3 1 1 00112233\nhinfo 3600 IN HINFO "x" "y"\naaaa 3600 IN AAAA ::ffff:1.2.3.4\n'
      'loc 3600 IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n')
write(ZL, 'cname-dname-wild', '$ORIGIN example.com.\n' + SOA +
      'c 3600 IN CNAME d\nd 3600 IN CNAME c\ndn 3600 IN DNAME example.net.\n*.w 3600 IN A 192.0.2.2\n'
      '*.w 3600 IN MX 10 mail\nsub 3600 IN NS ns.sub\nns.sub 3600 IN A 192.0.2.3\nsub 3600 IN DS 1 8 2 00ff\n'
      'autodiscover 3600 IN A 192.0.2.25\nautodiscover 3600 IN AAAA 2001:db8::25\nmail 3600 IN A 192.0.2.25\n')
write(ZL, 'signed', '$ORIGIN example.com.\n' + SOA +
      '@ 3600 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n'
      '@ 3600 IN RRSIG SOA 13 2 3600 20300101000000 20200101000000 12345 example.com. AAAA\n')
write(ZL, 'errors', '$ORIGIN example.com.\n' + SOA + 'bad 3600 IN A 999.1.1.1\n')
write(ZL, 'escapes', '$ORIGIN example.com.\n' + SOA + 'a\\.b 3600 IN A 192.0.2.9\n\\032x 3600 IN TXT "\\010"\n'
      'UPPER.Case 3600 IN A 192.0.2.10\n@ 3600 IN NS ns2.example.net.\n')
write(ZL, 'origin-change', '$ORIGIN example.com.\n' + SOA + '$ORIGIN sub.example.com.\nwww 60 A 192.0.2.11\n'
      '$TTL 30\n$ORIGIN example.com.\nlast AAAA 2001:db8::1\n')
write(ZL, 'out-of-zone', '$ORIGIN example.com.\n' + SOA + 'www.example.net. 3600 IN A 192.0.2.1\n')

# ---- fuzz-ctl: request lines (a file with several lines is one session)

CTL = 'fuzz-ctl'
for i, line in enumerate([
        'status', 'json status', 'stats', 'json stats', 'help', 'json help', 'policy show',
        'policy show example.com', 'json policy show example.net.', 'policy show nowhere.test',
        'explain autodiscover.example.com A', 'json explain autodiscover.example.com. AAAA',
        'explain _autodiscover._tcp.example.net SRV', 'explain x.wild.example.org TXT',
        'explain www.sub.deleg.test A', 'explain q.dn.deleg.test TYPE65',
        'explain a\\032b.example.com ANY', 'explain . NS', 'explain mail.example.com BOGUS',
        'reload', 'reload example.com.', 'json reload example.org', 'reload nowhere.', 'policy reload',
        'json policy reload', 'stop', 'json stop', 'status extra', '', '   ', 'unknown command',
        'json', 'policy', 'explain onlyname']):
    write(CTL, f'l{i:02d}-' + (re.sub(r'[^a-z0-9]+', '_', line.lower()).strip('_') or 'empty'), line + '\n')
write(CTL, 'session', 'status\nexplain mail.example.com A\nreload example.net.\npolicy show\nstop\n')
write(CTL, 'session-crlf', 'json status\r\nexplain\texample.com.\tSOA\r\n')

# ---- fuzz-tsig and fuzz-xfrin: a mode octet, then messages, each behind a 2-octet length
# (fuzz_tsig.c and fuzz_xfrin.c say what the mode's bits mean). The TSIG records are made at the
# targets' fixed clock, NOW, with their keys.
import time  # noqa: E402

import dns.name  # noqa: E402
import dns.rrset  # noqa: E402
import dns.tsig  # noqa: E402
import dns.tsigkeyring  # noqa: E402

NOW = 1700000000
time.time = lambda: NOW
TSIG_KEYS = [('k1.fuzz.', dns.tsig.HMAC_SHA1, 'c2FuZG5zLWZ1enotc2hhMS1zZWNyZXQ='),
             ('k256.fuzz.', dns.tsig.HMAC_SHA256, 'c2FuZG5zLWZ1enotc2hhMjU2LXNlY3JldC1rZXk='),
             ('k384.fuzz.', dns.tsig.HMAC_SHA384, 'c2FuZG5zLWZ1enotc2hhMzg0LXNlY3JldC1rZXktMzg0'),
             ('k512.fuzz.', dns.tsig.HMAC_SHA512,
              'c2FuZG5zLWZ1enotc2hhNTEyLXNlY3JldC1rZXktNTEyLTUxMg==')]


def framed(mode, *msgs):
    return bytes([mode]) + b''.join(struct.pack('!H', len(m)) + m for m in msgs)


def keyring(i):
    name, alg, secret = TSIG_KEYS[i]
    return dns.tsigkeyring.from_text({name: secret}), dns.name.from_text(name), alg


def plain_query(qid, name, rdtype):
    m = dns.message.make_query(name, rdtype)
    m.id = qid
    m.flags = 0
    return m


def response(q, rrs, rcode=0):
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    r.set_rcode(rcode)
    for text in rrs:
        r.answer.append(dns.rrset.from_text(*text.split(None, 4)))
    return r


ZONE_SOA = 'example.com. 3600 IN SOA ns1.example.com. host.example.com. {} 7200 900 1209600 300'
ZONE_RRS = ['example.com. 3600 IN NS ns1.example.com.', 'ns1.example.com. 3600 IN A 192.0.2.1',
            'mail.example.com. 3600 IN A 192.0.2.25', 'www.example.com. 300 IN CNAME mail.example.com.']

TS = 'fuzz-tsig'
for i in range(4):
    ring, kname, alg = keyring(i)
    # Signed by the target itself (mode bit 2): a query, then a transfer's three messages.
    q = plain_query(0x1234, 'example.com.', 'AXFR')
    parts = [response(q, [ZONE_SOA.format(20)] + ZONE_RRS[:2]).to_wire(),
             response(q, ZONE_RRS[2:]).to_wire(), response(q, [ZONE_SOA.format(20)]).to_wire()]
    write(TS, f'selfsigned-{i}', framed(4 | i, q.to_wire(), *parts))
    write(TS, f'selfsigned-unsigned-middle-{i}', framed(4 | 8 | i, *parts))
    # Signed here, at NOW: the request verifies (server side), the response to the target's own
    # request verifies (client side, its MAC chained to that request's).
    q.use_tsig(ring, kname, algorithm=alg)
    qw = q.to_wire()
    r = response(q, [ZONE_SOA.format(20)] + ZONE_RRS + [ZONE_SOA.format(20)])
    write(TS, f'signed-request-{i}', framed(i, qw))
    write(TS, f'signed-response-{i}', framed(i, r.to_wire()))
    # A transfer in three messages, each signed, chained (RFC 8945 5.3.1).
    parts, ctx = [], None
    for rrs in ([ZONE_SOA.format(20)] + ZONE_RRS[:2], ZONE_RRS[2:], [ZONE_SOA.format(20)]):
        r = response(q, rrs)
        parts.append(r.to_wire(multi=True, tsig_ctx=ctx))
        ctx = r.tsig_ctx
    write(TS, f'signed-transfer-{i}', framed(i, *parts))
    # The same with the middle message unsigned: the third one's MAC covers it.
    r = response(q, ZONE_RRS[2:])
    r.keyring, r.tsig = None, None
    parts[1] = r.to_wire()
    first = response(q, [ZONE_SOA.format(20)] + ZONE_RRS[:2])
    parts[0] = first.to_wire(multi=True)
    first.tsig_ctx.update(parts[1])
    parts[2] = response(q, [ZONE_SOA.format(20)]).to_wire(multi=True, tsig_ctx=first.tsig_ctx)
    write(TS, f'signed-transfer-unsigned-middle-{i}', framed(i, *parts))
    # An unknown key, a wrong secret, BADTIME (signed an hour early).
    q2 = plain_query(0x4321, 'example.com.', 'SOA')
    q2.use_tsig(dns.tsigkeyring.from_text({'nokey.fuzz.': TSIG_KEYS[i][2]}), 'nokey.fuzz.',
                algorithm=alg)
    write(TS, f'badkey-{i}', framed(i, q2.to_wire()))
    q3 = plain_query(0x4321, 'example.com.', 'SOA')
    q3.use_tsig(dns.tsigkeyring.from_text({TSIG_KEYS[i][0]: 'AAAAAAAAAAAAAAAAAAAAAA=='}),
                TSIG_KEYS[i][0], algorithm=alg)
    write(TS, f'badsig-{i}', framed(i, q3.to_wire()))
    time.time = lambda: NOW - 3600
    q4 = plain_query(0x4321, 'example.com.', 'SOA')
    q4.use_tsig(ring, kname, algorithm=alg)
    write(TS, f'badtime-{i}', framed(i, q4.to_wire()))
    time.time = lambda: NOW
write(TS, 'unsigned', framed(0, plain_query(7, 'example.com.', 'SOA').to_wire()))

XF = 'fuzz-xfrin'
q = plain_query(0x5a5a, 'example.com.', 'AXFR')
soa20 = ZONE_SOA.format(20)
axfr1 = response(q, [soa20] + ZONE_RRS + [soa20]).to_wire()
axfr3 = [response(q, [soa20] + ZONE_RRS[:2]).to_wire(), response(q, ZONE_RRS[2:]).to_wire(),
         response(q, [soa20]).to_wire()]
for mode in (0, 2):
    write(XF, f'axfr-one-{mode}', framed(mode, axfr1))
    write(XF, f'axfr-three-{mode}', framed(mode, *axfr3))
write(XF, 'axfr-soa-only', framed(0, response(q, [soa20, soa20]).to_wire()))
write(XF, 'axfr-refused', framed(0, response(q, [], rcode=5).to_wire()))
iq = plain_query(0x5a5a, 'example.com.', 'IXFR')
iq.authority.append(dns.rrset.from_text(*ZONE_SOA.format(10).split(None, 4)))
ixfr = [ZONE_SOA.format(12), ZONE_SOA.format(10), 'mail.example.com. 3600 IN A 192.0.2.25',
        ZONE_SOA.format(11), 'mail.example.com. 3600 IN A 192.0.2.26',
        ZONE_SOA.format(11), 'www.example.com. 300 IN CNAME mail.example.com.',
        ZONE_SOA.format(12), 'www.example.com. 300 IN A 192.0.2.80', ZONE_SOA.format(12)]
for mode in (1, 3):
    write(XF, f'ixfr-{mode}', framed(mode, response(iq, ixfr).to_wire()))
    write(XF, f'ixfr-split-{mode}', framed(mode, response(iq, ixfr[:4]).to_wire(),
                                           response(iq, ixfr[4:]).to_wire()))
write(XF, 'ixfr-uptodate', framed(1, response(iq, [ZONE_SOA.format(10)]).to_wire()))
write(XF, 'ixfr-as-axfr', framed(1, response(iq, [soa20] + ZONE_RRS + [soa20]).to_wire()))
write(XF, 'ixfr-notimp', framed(1, response(iq, [], rcode=4).to_wire()))

# ---- fuzz-pkt: DNS cookies and NSID through the dataplane (last: they draw no random numbers
# the seeds above depend on)
write(PKT, 'udp4-cookie-nsid', eth(udp4(query('mail.example.com.', 'A', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(3, b''), dns.edns.GenericOption(10, bytes(range(8)))])), 0x0800))
write(PKT, 'udp6-cookie', eth(udp6(query('mail.example.com.', 'AAAA', edns=0, qid=0x4544, options=[
    dns.edns.GenericOption(10, bytes(range(8)) + bytes([1, 0, 0, 0]) + bytes(12))])), 0x86dd))

# ---- fuzz-answer: denial with DO in the signed peer zones (NSEC, NSEC3, NSEC3 opt-out): NXDOMAIN,
# wildcard answers and their NODATA, composed off the live path (zones/denial.c). Fixed IDs, last
# in this file: the seeds above keep their bytes.
for i, (name, t) in enumerate([
        ('nx.nsec.test.', 'A'), ('a.b.nx.NSEC.test.', 'TXT'), ('x.wild.nsec.test.', 'A'),
        ('nx.nsec3.test.', 'A'), ('Deep.NX.nsec3.test.', 'MX'), ('x.wild.nsec3.test.', 'TXT'),
        ('nx.optout.test.', 'A'), ('a.b.wild.optout.test.', 'A'), ('x.ent2.optout.test.', 'AAAA')]):
    base = re.sub(r'[^a-z0-9]+', '_', (name + t).lower()).strip('_')
    write('fuzz-answer', f'do-{base}', query(name, t, edns=0, do=True, qid=0x4400 + i))
