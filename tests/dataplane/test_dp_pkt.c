/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dp_pkt.c: CUnit suite for the packet layer (dp_pkt_handle), one hand-built frame at a time
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "dp_pkt.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"

/*
 * Everything here is built and checked byte by byte with the test's own big-endian helpers and
 * its own checksum, never with DPDK's structs or helpers: the code under test uses those, and a
 * shared mistake would otherwise cancel out.
 */

#define S200                                                                                       \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaa"                                                                                     \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaa"                                                                                     \
	"aaaaaaaaaaaaaaaa"

static const char zone_text[] = "$ORIGIN example.com.\n"
				"$TTL 3600\n"
				"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
				"@ IN NS ns1\n"
				"@ IN A 192.0.2.1\n"
				"ns1 IN A 192.0.2.53\n"
				"big IN TXT \"" S200 "\" \"" S200 "\" \"" S200 "\"\n";

static zload_zone_t *zone;
static zt_t *zt;
static dp_addrs_t addrs;

static const uint8_t mac_us[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t mac_other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ip4_us[4] = {192, 0, 2, 53};
static const uint8_t ip4_us2[4] = {192, 0, 2, 54};
static const uint8_t ip4_peer[4] = {198, 51, 100, 7};
static const uint8_t ip4_other[4] = {192, 0, 2, 99};
static const uint8_t ip6_us[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53};
static const uint8_t ip6_peer[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x07};
static const uint8_t ip6_other[16] = {
    0x20, 0x01, 0x0d, 0xb8, [13] = 0x12, [14] = 0x34, [15] = 0x53};
static const uint8_t ip6_unspec[16];
static const uint8_t ip6_all_nodes[16] = {0xff, 0x02, [15] = 0x01};
/* ff02::1:ff00:53, the solicited-node group of 2001:db8::53 */
static const uint8_t ip6_sn_us[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff, [15] = 0x53};
static const uint8_t mac_sn_us[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x53};

#define ROOM 2048
#define VLAN_TCI 0x2064 /* priority 1, VLAN 100 */

/* Frames live at the start of a buffer as aligned as an mbuf's data. */
static uint8_t frame[ROOM] __attribute__((aligned(64)));
static uint8_t orig[ROOM];

static int dp_init(void)
{
	char err[512];

	zone = zload_string("example.com.", zone_text, "dp.zone", NULL, NULL, err, sizeof(err));
	if (zone == NULL) {
		fprintf(stderr, "dp_pkt suite: %s\n", err);
		return -1;
	}
	zt = zt_new(&zone, 1, NULL, err, sizeof(err));
	if (zt == NULL) {
		fprintf(stderr, "dp_pkt suite: %s\n", err);
		return -1;
	}
	memset(&addrs, 0, sizeof(addrs));
	memcpy(addrs.mac.addr_bytes, mac_us, 6);
	memcpy(&addrs.ip4[0], ip4_us, 4);
	memcpy(&addrs.ip4[1], ip4_us2, 4);
	addrs.n_ip4 = 2;
	memcpy(addrs.ip6[0], ip6_us, 16);
	addrs.n_ip6 = 1;
	addrs.dns_port = DP_DNS_PORT;
	return 0;
}

static int dp_cleanup(void)
{
	zt_free(&zt);
	zload_free(&zone);
	return 0;
}

/* ------------------------------------------------------------------ bytes and checksums */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 1071, big-endian words, odd byte padded with zero: the sum before complementing. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum to store: complement of the folded sum of the region with its field zeroed. */
static uint16_t cksum(const uint8_t *p, size_t len, uint32_t init)
{
	return (uint16_t)~fold(sum16(p, len, init));
}

static uint32_t phdr4(const uint8_t *ip, uint8_t proto, uint16_t l4len)
{
	return sum16(ip + 12, 8, 0) + proto + l4len;
}

static uint32_t phdr6(const uint8_t *ip6, uint8_t proto, uint32_t l4len)
{
	return sum16(ip6 + 8, 32, 0) + proto + (l4len >> 16) + (l4len & 0xffff);
}

/* A region whose stored checksum is right sums (pseudo-header included) to 0xffff. */
static int l4_valid4(const uint8_t *ip, const uint8_t *l4, uint16_t l4len)
{
	return fold(sum16(l4, l4len, phdr4(ip, ip[9], l4len))) == 0xffff;
}

static int l4_valid6(const uint8_t *ip6, const uint8_t *l4, uint16_t l4len)
{
	return fold(sum16(l4, l4len, phdr6(ip6, ip6[6], l4len))) == 0xffff;
}

/* ------------------------------------------------------------------ frame builders */

/* Ethernet (and an 802.1Q tag when tci != 0); returns the L3 offset. */
static size_t b_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t tci, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (tci == 0) {
		put16(f + 12, type);
		return 14;
	}
	put16(f + 12, 0x8100);
	put16(f + 14, tci);
	put16(f + 16, type);
	return 18;
}

/* IPv4 header without options, valid checksum. */
static void b_ip4(uint8_t *ip, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		  uint16_t l4len)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 17;	       /* an odd TTL, so that the reply's 64 is visibly ours */
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, cksum(ip, 20, 0));
}

static void ip4_recsum(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, cksum(ip, (size_t)(ip[0] & 0xf) * 4, 0));
}

static void b_ip6(uint8_t *ip6, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint8_t hops,
		  uint16_t plen)
{
	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	ip6[1] = 0x0a; /* traffic class 0x00, flow label 0xa5a5a: kept in replies */
	ip6[2] = 0x5a;
	ip6[3] = 0x5a;
	put16(ip6 + 4, plen);
	ip6[6] = proto;
	ip6[7] = hops;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
}

static size_t b_query(uint8_t *q, uint16_t id, uint16_t flags, const char *name, uint16_t qtype)
{
	return tu_query(q, id, flags, name, qtype, C_IN);
}

/* UDP header over DLEN bytes of payload already at udp + 8; checksum when csum. */
static void b_udp4(uint8_t *ip, uint8_t *udp, uint16_t sport, uint16_t dport, uint16_t dlen,
		   int csum)
{
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + dlen));
	put16(udp + 6, 0);
	if (csum) {
		uint16_t c = cksum(udp, 8u + dlen, phdr4(ip, 17, (uint16_t)(8 + dlen)));

		put16(udp + 6, c == 0 ? 0xffff : c);
	}
}

static void b_udp6(uint8_t *ip6, uint8_t *udp, uint16_t sport, uint16_t dport, uint16_t dlen)
{
	uint16_t c;

	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + dlen));
	put16(udp + 6, 0);
	c = cksum(udp, 8u + dlen, phdr6(ip6, 17, 8u + dlen));
	put16(udp + 6, c == 0 ? 0xffff : c);
}

/* A DNS query for NAME/QTYPE from the peer to us over IPv4; returns the frame length. */
static uint16_t f_dns4(uint16_t tci, uint16_t id, uint16_t flags, const char *name, uint16_t qtype,
		       int csum)
{
	size_t l3 = b_eth(frame, mac_us, mac_peer, tci, 0x0800);
	uint8_t *ip = frame + l3, *udp = ip + 20;
	size_t dlen = b_query(udp + 8, id, flags, name, qtype);

	b_ip4(ip, ip4_peer, ip4_us, 17, (uint16_t)(8 + dlen));
	b_udp4(ip, udp, 40000, 53, (uint16_t)dlen, csum);
	return (uint16_t)(l3 + 28 + dlen);
}

static uint16_t f_dns6(uint16_t tci, uint16_t id, const char *name, uint16_t qtype)
{
	size_t l3 = b_eth(frame, mac_us, mac_peer, tci, 0x86dd);
	uint8_t *ip6 = frame + l3, *udp = ip6 + 40;
	size_t dlen = b_query(udp + 8, id, 0x0100, name, qtype);

	b_ip6(ip6, ip6_peer, ip6_us, 17, 64, (uint16_t)(8 + dlen));
	b_udp6(ip6, udp, 40001, 53, (uint16_t)dlen);
	return (uint16_t)(l3 + 48 + dlen);
}

static uint16_t f_arp(const uint8_t *edst, uint16_t op, const uint8_t *tip)
{
	size_t l3 = b_eth(frame, edst, mac_peer, 0, 0x0806);
	uint8_t *a = frame + l3;

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, mac_peer, 6);
	memcpy(a + 14, ip4_peer, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, tip, 4);
	memset(a + 28, 0, 60 - 14 - 28); /* padded to the Ethernet minimum, as NICs deliver it */
	return 60;
}

/* ICMPv4 message of type/code with 32 bytes of data after an id/sequence word. */
static uint16_t f_icmp4(uint16_t tci, uint8_t type, uint8_t code)
{
	size_t l3 = b_eth(frame, mac_us, mac_peer, tci, 0x0800);
	uint8_t *ip = frame + l3, *ic = ip + 20;

	b_ip4(ip, ip4_peer, ip4_us, 1, 40);
	ic[0] = type;
	ic[1] = code;
	put16(ic + 2, 0);
	put16(ic + 4, 0x4242);
	put16(ic + 6, 7);
	for (int i = 0; i < 32; i++)
		ic[8 + i] = (uint8_t)(i * 7 + 1);
	put16(ic + 2, cksum(ic, 40, 0));
	return (uint16_t)(l3 + 60);
}

/* ICMPv6 message: header, then BODY (blen bytes); checksum right. */
static uint16_t f_icmp6(uint16_t tci, const uint8_t *edst, const uint8_t *src, const uint8_t *dst,
			uint8_t hops, uint8_t type, const uint8_t *body, uint16_t blen)
{
	size_t l3 = b_eth(frame, edst, mac_peer, tci, 0x86dd);
	uint8_t *ip6 = frame + l3, *ic = ip6 + 40;

	b_ip6(ip6, src, dst, 58, hops, (uint16_t)(4 + blen));
	ic[0] = type;
	ic[1] = 0;
	put16(ic + 2, 0);
	memcpy(ic + 4, body, blen);
	put16(ic + 2, cksum(ic, 4u + blen, phdr6(ip6, 58, 4u + blen)));
	return (uint16_t)(l3 + 44 + blen);
}

/* Neighbour Solicitation for TARGET, with a source link-layer option when slla. */
static uint16_t f_ns(const uint8_t *edst, const uint8_t *src, const uint8_t *dst,
		     const uint8_t *target, int slla)
{
	uint8_t body[28] = {0};

	memcpy(body + 4, target, 16);
	if (slla) {
		body[20] = 1;
		body[21] = 1;
		memcpy(body + 22, mac_peer, 6);
	}
	return f_icmp6(0, edst, src, dst, 255, 135, body, slla ? 28 : 20);
}

static uint16_t f_echo6(uint16_t tci)
{
	uint8_t body[4 + 24];

	put16(body, 0x77);
	put16(body + 2, 3);
	for (int i = 0; i < 24; i++)
		body[4 + i] = (uint8_t)(0xa0 + i);
	return f_icmp6(tci, mac_us, ip6_peer, ip6_us, 64, 128, body, sizeof(body));
}

/*
 * Runs the frame through dp_pkt_handle() in a heap buffer exactly ROOM bytes long, so that ASan
 * sees any access past it, then copies the result back into frame[].
 */
static uint64_t run_st[DGRAM_STAT_COUNT]; /* the UDP answering counters of every run() */
static uint64_t run_detail[DGRAM_DETAIL];
static dgram_ctx_t run_dg = {
    .rrl = NULL, .stats = run_st, .detail = run_detail}; /* normally no rate limiter */

/* Counter S of run_st as `sandnsctl stats` shows it. */
static uint64_t run_stat(enum dgram_stat s)
{
	uint64_t out[DGRAM_STAT_COUNT];

	dgram_stats_read(run_st, run_detail, out);
	return out[s];
}

/* What the port verified of the frames run() hands over (DP_RX_*): 0 unless a test says. */
static unsigned run_rx_ok;

static void run(uint16_t len, uint16_t room, dp_result_t *res)
{
	uint8_t *buf = malloc(room);

	CU_ASSERT_FATAL(buf != NULL && len <= room);
	memcpy(orig, frame, len);
	memcpy(buf, frame, len);
	memset(res, 0xa5, sizeof(*res)); /* the handler must set every field it reports */
	dp_pkt_handle(&addrs, zt, &run_dg, buf, len, room, run_rx_ok, res);
	memcpy(frame, buf, res->verdict == DP_TX && res->len > len ? res->len : len);
	free(buf);
}

/* Drops are checked with no room beyond the frame: reading past LEN is an ASan error. */
static void expect_drop(uint16_t len, enum dp_drop_reason reason)
{
	dp_result_t res;

	run(len, len, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_DROP);
	CU_ASSERT_EQUAL(res.reason, reason);
	CU_ASSERT_FALSE(res.dns);
}

static void expect_exception(uint16_t len)
{
	dp_result_t res;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_EXCEPTION);
	/* Handed to the kernel as it came: nothing rewritten. */
	CU_ASSERT_EQUAL(memcmp(frame, orig, len), 0);
}

/* The reply's Ethernet header: back to the peer from us, the tag as it came. */
static void check_eth_reply(size_t l3, uint16_t tci, uint16_t type)
{
	CU_ASSERT_EQUAL(memcmp(frame, mac_peer, 6), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 6, mac_us, 6), 0);
	if (tci != 0) {
		CU_ASSERT_EQUAL(l3, 18);
		CU_ASSERT_EQUAL(get16(frame + 12), 0x8100);
		CU_ASSERT_EQUAL(get16(frame + 14), tci);
		CU_ASSERT_EQUAL(get16(frame + 16), type);
	} else {
		CU_ASSERT_EQUAL(get16(frame + 12), type);
	}
}

/* ------------------------------------------------------------------ ARP */

static void test_arp_request_ours(void)
{
	const uint8_t *targets[] = {ip4_us, ip4_us2};

	for (int i = 0; i < 2; i++) {
		const uint8_t *dsts[] = {mac_bcast, mac_us};

		for (int d = 0; d < 2; d++) {
			uint16_t len = f_arp(dsts[d], 1, targets[i]);
			dp_result_t res;
			const uint8_t *a = frame + 14;

			run(len, ROOM, &res);
			CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
			CU_ASSERT_EQUAL(res.len, 60);
			CU_ASSERT_FALSE(res.dns);
			check_eth_reply(14, 0, 0x0806);
			CU_ASSERT_EQUAL(get16(a), 1);
			CU_ASSERT_EQUAL(get16(a + 2), 0x0800);
			CU_ASSERT_EQUAL(get16(a + 6), 2);
			CU_ASSERT_EQUAL(memcmp(a + 8, mac_us, 6), 0);
			CU_ASSERT_EQUAL(memcmp(a + 14, targets[i], 4), 0);
			CU_ASSERT_EQUAL(memcmp(a + 18, mac_peer, 6), 0);
			CU_ASSERT_EQUAL(memcmp(a + 24, ip4_peer, 4), 0);
		}
	}
}

static void test_arp_not_ours(void)
{
	uint16_t len = f_arp(mac_bcast, 1, ip4_other);

	expect_drop(len, DP_DROP_NOT_OURS);
	/* A reply for us belongs to the kernel behind the TAP (it resolved a neighbour). */
	len = f_arp(mac_us, 2, ip4_us);
	expect_exception(len);
	/* Not Ethernet/IPv4 ARP. */
	len = f_arp(mac_bcast, 1, ip4_us);
	frame[14 + 5] = 16;
	expect_drop(len, DP_DROP_UNSUPPORTED);
	/* Truncated. */
	f_arp(mac_bcast, 1, ip4_us);
	expect_drop(14 + 20, DP_DROP_RUNT);
}

/* ------------------------------------------------------------------ Neighbour Discovery */

static void check_na(uint16_t len, const uint8_t *edst, const uint8_t *ipdst, uint32_t flags)
{
	dp_result_t res;
	const uint8_t *ip6 = frame + 14, *na = ip6 + 40;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_EQUAL(res.len, 14 + 40 + 32);
	CU_ASSERT_EQUAL(memcmp(frame, edst, 6), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 6, mac_us, 6), 0);
	CU_ASSERT_EQUAL(get16(frame + 12), 0x86dd);
	CU_ASSERT_EQUAL(ip6[0] >> 4, 6);
	CU_ASSERT_EQUAL(get16(ip6 + 4), 32);
	CU_ASSERT_EQUAL(ip6[6], 58);
	CU_ASSERT_EQUAL(ip6[7], 255);
	CU_ASSERT_EQUAL(memcmp(ip6 + 8, ip6_us, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip6 + 24, ipdst, 16), 0);
	CU_ASSERT_EQUAL(na[0], 136);
	CU_ASSERT_EQUAL(na[1], 0);
	CU_ASSERT_EQUAL(((uint32_t)na[4] << 24 | (uint32_t)na[5] << 16 | get16(na + 6)), flags);
	CU_ASSERT_EQUAL(memcmp(na + 8, ip6_us, 16), 0);
	CU_ASSERT_EQUAL(na[24], 2); /* target link-layer address */
	CU_ASSERT_EQUAL(na[25], 1);
	CU_ASSERT_EQUAL(memcmp(na + 26, mac_us, 6), 0);
	CU_ASSERT_TRUE(l4_valid6(ip6, na, 32));
}

static void test_ns_ours(void)
{
	/* To our solicited-node group, with and without a source link-layer option. */
	check_na(f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_us, 1), mac_peer, ip6_peer, 0x60000000u);
	check_na(f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_us, 0), mac_peer, ip6_peer, 0x60000000u);
	/* Unicast (neighbour unreachability detection). */
	check_na(f_ns(mac_us, ip6_peer, ip6_us, ip6_us, 1), mac_peer, ip6_peer, 0x60000000u);
}

static void test_ns_dad(void)
{
	static const uint8_t mac_all_nodes[6] = {0x33, 0x33, 0, 0, 0, 1};

	/* Duplicate address detection from ::: defended to all-nodes, not Solicited (RFC 4861). */
	check_na(f_ns(mac_sn_us, ip6_unspec, ip6_sn_us, ip6_us, 0), mac_all_nodes, ip6_all_nodes,
		 0x20000000u);
	/* From :: a source link-layer option is invalid. */
	expect_drop(f_ns(mac_sn_us, ip6_unspec, ip6_sn_us, ip6_us, 1), DP_DROP_UNSUPPORTED);
}

static void test_ns_invalid(void)
{
	uint16_t len;

	/* Another target: the group matches (same low 24 bits), the address does not. */
	expect_drop(f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_other, 1), DP_DROP_NOT_OURS);
	/* Another node's solicited-node group. */
	{
		static const uint8_t sn_other[16] = {
		    0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 0x12, [14] = 0x34, [15] = 0x56};
		static const uint8_t msn_other[6] = {0x33, 0x33, 0xff, 0x12, 0x34, 0x56};

		expect_drop(f_ns(msn_other, ip6_peer, sn_other, ip6_us, 1), DP_DROP_NOT_OURS);
	}
	/* Hop limit not 255: may have crossed a router. */
	len = f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_us, 1);
	frame[14 + 7] = 254;
	expect_drop(len, DP_DROP_UNSUPPORTED);
	/* Bad checksum. */
	len = f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_us, 1);
	frame[14 + 40 + 2] ^= 0x01;
	expect_drop(len, DP_DROP_BAD_CSUM);
	/* An option of length zero. */
	len = f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_us, 1);
	frame[14 + 40 + 25] = 0;
	put16(frame + 14 + 40 + 2, 0);
	put16(frame + 14 + 40 + 2, cksum(frame + 54, 32, phdr6(frame + 14, 58, 32)));
	expect_drop(len, DP_DROP_UNSUPPORTED);
	/* Truncated below its fixed part (payload length honest). */
	len = f_icmp6(0, mac_sn_us, ip6_peer, ip6_sn_us, 255, 135, ip6_us, 10);
	expect_drop(len, DP_DROP_RUNT);
}

static void test_icmp6_other(void)
{
	uint8_t body[12] = {0};

	/* A Router Advertisement to all-nodes: nothing for us or the kernel. */
	expect_drop(f_icmp6(0, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, ip6_peer, ip6_all_nodes,
			    255, 134, body, sizeof(body)),
		    DP_DROP_NOT_OURS);
	/* A Neighbour Advertisement to our address (answering the kernel's NS): the kernel's. */
	expect_exception(f_icmp6(0, mac_us, ip6_peer, ip6_us, 255, 136, body, sizeof(body)));
	/* Destination unreachable to us: the kernel's. */
	expect_exception(f_icmp6(0, mac_us, ip6_peer, ip6_us, 64, 1, body, sizeof(body)));
	/* Echo to all-nodes: not answered. */
	expect_drop(f_icmp6(0, (const uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, ip6_peer, ip6_all_nodes,
			    64, 128, body, sizeof(body)),
		    DP_DROP_NOT_OURS);
}

/* ------------------------------------------------------------------ echo */

static void check_echo4(uint16_t tci)
{
	uint16_t len = f_icmp4(tci, 8, 0);
	size_t l3 = tci ? 18 : 14;
	const uint8_t *ip = frame + l3, *ic = ip + 20;
	dp_result_t res;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_EQUAL(res.len, len);
	check_eth_reply(l3, tci, 0x0800);
	CU_ASSERT_EQUAL(memcmp(ip + 12, ip4_us, 4), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 16, ip4_peer, 4), 0);
	CU_ASSERT_EQUAL(get16(ip + 2), 60);
	CU_ASSERT_EQUAL(ip[8], 64);
	CU_ASSERT_EQUAL(fold(sum16(ip, 20, 0)), 0xffff);
	CU_ASSERT_EQUAL(ic[0], 0);
	CU_ASSERT_EQUAL(ic[1], 0);
	CU_ASSERT_EQUAL(get16(ic + 4), 0x4242);
	CU_ASSERT_EQUAL(get16(ic + 6), 7);
	CU_ASSERT_EQUAL(memcmp(ic + 8, orig + l3 + 28, 32), 0);
	CU_ASSERT_EQUAL(fold(sum16(ic, 40, 0)), 0xffff);
}

static void test_echo4(void)
{
	check_echo4(0);
	check_echo4(VLAN_TCI);
}

static void test_echo4_bad_csum(void)
{
	uint16_t len = f_icmp4(0, 8, 0);

	frame[14 + 20 + 10] ^= 0x40;
	expect_drop(len, DP_DROP_BAD_CSUM);
}

static void test_icmp4_other(void)
{
	/* Destination unreachable, timestamp: the kernel's. */
	expect_exception(f_icmp4(0, 3, 3));
	expect_exception(f_icmp4(0, 13, 0));
}

static void check_echo6(uint16_t tci)
{
	uint16_t len = f_echo6(tci);
	size_t l3 = tci ? 18 : 14;
	const uint8_t *ip6 = frame + l3, *ic = ip6 + 40;
	dp_result_t res;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_EQUAL(res.len, len);
	check_eth_reply(l3, tci, 0x86dd);
	CU_ASSERT_EQUAL(memcmp(ip6, orig + l3, 4), 0); /* version, class, flow label */
	CU_ASSERT_EQUAL(get16(ip6 + 4), 32);
	CU_ASSERT_EQUAL(ip6[6], 58);
	CU_ASSERT_EQUAL(ip6[7], 64);
	CU_ASSERT_EQUAL(memcmp(ip6 + 8, ip6_us, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip6 + 24, ip6_peer, 16), 0);
	CU_ASSERT_EQUAL(ic[0], 129);
	CU_ASSERT_EQUAL(ic[1], 0);
	CU_ASSERT_EQUAL(memcmp(ic + 4, orig + l3 + 44, 28), 0);
	CU_ASSERT_TRUE(l4_valid6(ip6, ic, 32));
}

static void test_echo6(void)
{
	uint16_t len;

	check_echo6(0);
	check_echo6(VLAN_TCI);
	len = f_echo6(0);
	frame[len - 1] ^= 0x10;
	expect_drop(len, DP_DROP_BAD_CSUM);
}

/* ------------------------------------------------------------------ DNS */

/* Skips a wire name in a message (pointers end it); returns the offset after it. */
static size_t skip_name(const uint8_t *m, size_t off, size_t len)
{
	while (off < len) {
		if (m[off] == 0)
			return off + 1;
		if ((m[off] & 0xc0) == 0xc0)
			return off + 2;
		off += 1u + m[off];
	}
	return len + 1;
}

/*
 * Checks the DNS response at DNS (dlen bytes): id, QR/AA, rcode, one question, counts, and when
 * a4 is given that the first answer is an A record with that address.
 */
static void check_dns(const uint8_t *dns, size_t dlen, uint16_t id, uint8_t rcode, uint16_t ancount,
		      const uint8_t *a4)
{
	size_t off;

	CU_ASSERT_FATAL(dlen >= 12);
	CU_ASSERT_EQUAL(get16(dns), id);
	CU_ASSERT_TRUE(get16(dns + 2) & F_QR);
	CU_ASSERT_EQUAL(get16(dns + 2) & 0xf, rcode);
	CU_ASSERT_EQUAL(get16(dns + 4), 1);
	CU_ASSERT_EQUAL(get16(dns + 6), ancount);
	if (a4 == NULL)
		return;
	CU_ASSERT_TRUE(get16(dns + 2) & F_AA);
	off = skip_name(dns, 12, dlen) + 4;
	off = skip_name(dns, off, dlen);
	CU_ASSERT_FATAL(off + 14 <= dlen);
	CU_ASSERT_EQUAL(get16(dns + off), T_A);
	CU_ASSERT_EQUAL(get16(dns + off + 2), C_IN);
	CU_ASSERT_EQUAL(get16(dns + off + 8), 4);
	CU_ASSERT_EQUAL(memcmp(dns + off + 10, a4, 4), 0);
}

static const uint8_t a_apex[4] = {192, 0, 2, 1};

static void check_dns4(uint16_t tci, int csum)
{
	uint16_t len = f_dns4(tci, 0xbeef, 0x0100, "example.com", T_A, csum);
	size_t l3 = tci ? 18 : 14;
	const uint8_t *ip = frame + l3, *udp = ip + 20, *dns = udp + 8;
	dp_result_t res;
	uint16_t ulen;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_TRUE(res.dns);
	CU_ASSERT_EQUAL(res.info.rcode, 0);
	CU_ASSERT_FALSE(res.info.truncated);
	check_eth_reply(l3, tci, 0x0800);
	CU_ASSERT_EQUAL(ip[0], 0x45);
	CU_ASSERT_EQUAL(ip[9], 17);
	CU_ASSERT_EQUAL(ip[8], 64);
	CU_ASSERT_EQUAL(memcmp(ip + 12, ip4_us, 4), 0);
	CU_ASSERT_EQUAL(memcmp(ip + 16, ip4_peer, 4), 0);
	CU_ASSERT_EQUAL(get16(ip + 6) & 0x3fff, 0); /* no MF, no offset */
	CU_ASSERT_EQUAL(fold(sum16(ip, 20, 0)), 0xffff);
	CU_ASSERT_EQUAL(get16(udp), 53);
	CU_ASSERT_EQUAL(get16(udp + 2), 40000);
	ulen = get16(udp + 4);
	CU_ASSERT_EQUAL(get16(ip + 2), 20 + ulen);
	CU_ASSERT_EQUAL(res.len, l3 + 20 + ulen);
	CU_ASSERT_TRUE(ulen > 8 + (len - l3 - 28)); /* an answer is longer than its question */
	CU_ASSERT_NOT_EQUAL(get16(udp + 6), 0); /* a real checksum, even if the query had none */
	CU_ASSERT_TRUE(l4_valid4(ip, udp, ulen));
	check_dns(dns, ulen - 8u, 0xbeef, 0, 1, a_apex);
}

static void test_dns4(void)
{
	check_dns4(0, 1);
}

/*
 * Response rate limiting on the fast path, both families: 2 answers a second go out whole; of
 * the rest every second one is dropped (rrl-dropped) and every other one goes out truncated,
 * with lengths and checksums that fit the shorter message.
 */
/*
 * A query signed with TSIG, or an IXFR (which needs the transfer ACL), is the kernel's to answer
 * (srv_udp.c has the keys): the exception path, untouched and uncounted. Ordinary queries are
 * still answered here.
 */
static void test_dns_tsig_exception(void)
{
	/* The record the engine looks at: owner k., type TSIG, class ANY, TTL 0, no RDATA. */
	static const uint8_t tsig[] = {1, 'k', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0};
	uint64_t dropped = run_stat(DGRAM_DROPPED), answered = run_stat(DGRAM_ANSWERED);
	size_t l3 = b_eth(frame, mac_us, mac_peer, 0, 0x0800);
	uint8_t *ip = frame + l3, *udp = ip + 20;
	size_t dlen = b_query(udp + 8, 7, 0x0100, "www.example.com", 1);
	dp_result_t res;

	memcpy(udp + 8 + dlen, tsig, sizeof(tsig));
	put16(udp + 8 + 10, 1);
	dlen += sizeof(tsig);
	b_ip4(ip, ip4_peer, ip4_us, 17, (uint16_t)(8 + dlen));
	b_udp4(ip, udp, 40000, 53, (uint16_t)dlen, 1);
	expect_exception((uint16_t)(l3 + 28 + dlen));

	/* IPv6 alike. */
	l3 = b_eth(frame, mac_us, mac_peer, 0, 0x86dd);
	ip = frame + l3;
	udp = ip + 40;
	dlen = b_query(udp + 8, 8, 0x0100, "www.example.com", 1);
	memcpy(udp + 8 + dlen, tsig, sizeof(tsig));
	put16(udp + 8 + 10, 1);
	dlen += sizeof(tsig);
	b_ip6(ip, ip6_peer, ip6_us, 17, 64, (uint16_t)(8 + dlen));
	b_udp6(ip, udp, 40001, 53, (uint16_t)dlen);
	expect_exception((uint16_t)(l3 + 48 + dlen));

	/* IXFR over UDP: the transfer ACL decides, in the kernel path. */
	expect_exception(f_dns4(0, 9, 0x0000, "example.com", T_IXFR, 1));
	CU_ASSERT_EQUAL(run_stat(DGRAM_DROPPED), dropped);
	CU_ASSERT_EQUAL(run_stat(DGRAM_ANSWERED), answered);

	/* The same query unsigned: answered here. */
	run(f_dns4(0, 10, 0x0100, "www.example.com", 1, 1), ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_TX);
}

/* NOTIFY (opcode 4): answered in place (NOTAUTH) unless secondary zones want it in the kernel. */
static void test_dns_notify(void)
{
	dp_result_t res;
	uint16_t len;

	len = f_dns4(0, 0x4444, 4 << 11, "example.com", 6, 1);
	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_TX);
	CU_ASSERT_TRUE(res.dns);
	CU_ASSERT_EQUAL(res.info.rcode, 9); /* NOTAUTH */
	addrs.notify_to_kernel = true;
	len = f_dns4(0, 0x4444, 4 << 11, "example.com", 6, 1);
	expect_exception(len);
	/* Any other query is still answered in place. */
	len = f_dns4(0, 0x4445, 0, "example.com", 6, 1);
	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_TX);
	addrs.notify_to_kernel = false;
}

static void test_dns_rrl(void)
{
	const rrl_cfg_t c = {
	    .rate = 2, .slip = 2, .table_size = 64, .ipv4_prefix = 24, .ipv6_prefix = 56};
	dp_result_t res;

	for (int fam = 4; fam <= 6; fam += 2) {
		size_t l3 = 14, l4 = l3 + (fam == 4 ? 20 : 40);
		const uint8_t *ip = frame + l3, *udp = frame + l4, *dns = udp + 8;
		unsigned whole = 0, dropped = 0, slipped = 0;

		run_dg.rrl = rrl_new(&c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(run_dg.rrl);
		rrl_tick_at(run_dg.rrl, 42);
		memset(run_st, 0, sizeof(run_st));
		memset(run_detail, 0, sizeof(run_detail));
		for (int i = 0; i < 6; i++) {
			uint16_t len = fam == 4 ? f_dns4(0, 0x77, 0x0100, "example.com", T_A, 1)
						: f_dns6(0, 0x77, "example.com", T_A);
			uint16_t ulen;

			run(len, ROOM, &res);
			if (res.verdict == DP_DROP) {
				CU_ASSERT_EQUAL(res.reason, DP_DROP_RRL);
				dropped++;
				continue;
			}
			CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
			ulen = get16(udp + 4);
			CU_ASSERT_EQUAL(res.len, l4 + ulen);
			if (fam == 4) {
				CU_ASSERT_EQUAL(get16(ip + 2), 20 + ulen);
				CU_ASSERT_EQUAL(fold(sum16(ip, 20, 0)), 0xffff);
				CU_ASSERT_TRUE(l4_valid4(ip, udp, ulen));
			} else {
				CU_ASSERT_EQUAL(get16(ip + 4), ulen);
				CU_ASSERT_TRUE(l4_valid6(ip, udp, ulen));
			}
			if (res.rrl_action == RRL_SLIP) {
				slipped++;
				CU_ASSERT(dns[2] & 0x02); /* TC */
				CU_ASSERT_EQUAL(get16(dns + 6) + get16(dns + 8) + get16(dns + 10),
						0);
				CU_ASSERT_EQUAL(
				    ulen, len - l4); /* the question alone: as long as the query */
			} else {
				whole++;
				CU_ASSERT_FALSE(dns[2] & 0x02);
				CU_ASSERT_EQUAL(get16(dns + 6), 1);
			}
		}
		CU_ASSERT_EQUAL(whole, 2);
		CU_ASSERT_EQUAL(dropped, 2);
		CU_ASSERT_EQUAL(slipped, 2);
		/* Counted as the kernel-socket workers count them (zones/dgram.h). */
		CU_ASSERT_EQUAL(run_stat(DGRAM_RECEIVED), 6);
		CU_ASSERT_EQUAL(run_stat(DGRAM_ANSWERED), 4);
		CU_ASSERT_EQUAL(run_stat(DGRAM_RRL_DROPPED), 2);
		CU_ASSERT_EQUAL(run_stat(DGRAM_RRL_SLIPPED), 2);
		CU_ASSERT_EQUAL(run_stat(DGRAM_RCODE_FIRST + 0), 4);
		CU_ASSERT_EQUAL(run_stat(DGRAM_DROPPED), 0);
		CU_ASSERT_EQUAL(run_stat(DGRAM_TRUNCATED), 0);
		rrl_free(&run_dg.rrl);
	}
}

static void test_dns4_vlan(void)
{
	check_dns4(VLAN_TCI, 1);
}

static void test_dns4_no_csum(void)
{
	check_dns4(0, 0);
}

static void check_dns6(uint16_t tci)
{
	uint16_t len = f_dns6(tci, 0x5151, "example.com", T_A);
	size_t l3 = tci ? 18 : 14;
	const uint8_t *ip6 = frame + l3, *udp = ip6 + 40, *dns = udp + 8;
	dp_result_t res;
	uint16_t ulen;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_TRUE(res.dns);
	CU_ASSERT_EQUAL(res.info.rcode, 0);
	check_eth_reply(l3, tci, 0x86dd);
	CU_ASSERT_EQUAL(memcmp(ip6, orig + l3, 4), 0);
	CU_ASSERT_EQUAL(ip6[6], 17);
	CU_ASSERT_EQUAL(ip6[7], 64);
	CU_ASSERT_EQUAL(memcmp(ip6 + 8, ip6_us, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ip6 + 24, ip6_peer, 16), 0);
	CU_ASSERT_EQUAL(get16(udp), 53);
	CU_ASSERT_EQUAL(get16(udp + 2), 40001);
	ulen = get16(udp + 4);
	CU_ASSERT_EQUAL(get16(ip6 + 4), ulen);
	CU_ASSERT_EQUAL(res.len, l3 + 40 + ulen);
	CU_ASSERT_NOT_EQUAL(get16(udp + 6), 0);
	CU_ASSERT_TRUE(l4_valid6(ip6, udp, ulen));
	check_dns(dns, ulen - 8u, 0x5151, 0, 1, a_apex);
}

static void test_dns6(void)
{
	check_dns6(0);
	check_dns6(VLAN_TCI);
}

static void test_dns_nxdomain(void)
{
	uint16_t len = f_dns4(0, 7, 0x0100, "nope.example.com", T_A, 1);
	dp_result_t res;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_EQUAL(res.info.rcode, RC_NXDOMAIN);
	check_dns(frame + 42, res.len - 42u, 7, RC_NXDOMAIN, 0, NULL);
	CU_ASSERT_TRUE(l4_valid4(frame + 14, frame + 34, (uint16_t)(res.len - 34)));
}

static void test_dns_truncated(void)
{
	uint16_t len = f_dns4(0, 0x7c7c, 0x0100, "big.example.com", T_TXT, 1);
	const uint8_t *ip = frame + 14, *udp = ip + 20, *dns = udp + 8;
	dp_result_t res;
	uint16_t ulen;

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_TRUE(res.dns);
	CU_ASSERT_TRUE(res.info.truncated);
	ulen = get16(udp + 4);
	CU_ASSERT_TRUE(ulen - 8 <= 512);
	CU_ASSERT_TRUE(get16(dns + 2) & F_TC);
	CU_ASSERT_EQUAL(get16(dns), 0x7c7c);
	CU_ASSERT_EQUAL(get16(ip + 2), 20 + ulen);
	CU_ASSERT_EQUAL(res.len, 14 + 20 + ulen);
	CU_ASSERT_EQUAL(fold(sum16(ip, 20, 0)), 0xffff);
	CU_ASSERT_TRUE(l4_valid4(ip, udp, ulen));
}

/* With room for any answer: the engine itself declines. */
static void expect_no_answer(uint16_t len)
{
	dp_result_t res;
	uint64_t received = run_stat(DGRAM_RECEIVED), dropped = run_stat(DGRAM_DROPPED);
	uint64_t answered = run_stat(DGRAM_ANSWERED);

	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_DROP);
	CU_ASSERT_EQUAL(res.reason, DP_DROP_DNS);
	CU_ASSERT_FALSE(res.dns);
	CU_ASSERT_TRUE(res.info.dropped);
	/* udp-dropped, not a drop-... counter of the worker (DP_DROP_DNS is past DP_DROP_COUNTED)
	 */
	CU_ASSERT_TRUE(res.reason >= DP_DROP_COUNTED);
	CU_ASSERT_EQUAL(run_stat(DGRAM_RECEIVED), received + 1);
	CU_ASSERT_EQUAL(run_stat(DGRAM_DROPPED), dropped + 1);
	CU_ASSERT_EQUAL(run_stat(DGRAM_ANSWERED), answered);
}

static void test_dns_response_dropped(void)
{
	size_t l3;

	/* QR=1: a response, never answered (no reflection loops). */
	expect_no_answer(f_dns4(0, 9, 0x8000, "example.com", T_A, 1));
	{
		uint16_t len = f_dns6(0, 9, "example.com", T_A);

		frame[14 + 48 + 2] |= 0x80;
		b_udp6(frame + 14, frame + 54, 40001, 53, (uint16_t)(len - 62));
		expect_no_answer(len);
	}
	/* Too short to carry a DNS header. */
	l3 = b_eth(frame, mac_us, mac_peer, 0, 0x0800);
	memset(frame + l3 + 28, 0, 5);
	b_ip4(frame + l3, ip4_peer, ip4_us, 17, 8 + 5);
	b_udp4(frame + l3, frame + l3 + 20, 1234, 53, 5, 1);
	expect_no_answer((uint16_t)(l3 + 28 + 5));
}

static void test_dns_small_room(void)
{
	/* Less than 512 bytes for the answer: the engine cannot promise a response, so none. */
	uint16_t len = f_dns4(0, 9, 0x0100, "example.com", T_A, 1);
	dp_result_t res;

	run(len, (uint16_t)(14 + 28 + 511), &res);
	CU_ASSERT_EQUAL(res.verdict, DP_DROP);
	CU_ASSERT_EQUAL(res.reason, DP_DROP_DNS);
	/* Exactly 512: answered, and inside the room. */
	len = f_dns4(0, 9, 0x0100, "example.com", T_A, 1);
	run(len, (uint16_t)(14 + 28 + 512), &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_TRUE(res.len <= 14 + 28 + 512);
}

static void test_dns_padded_frame(void)
{
	/* Ethernet padding after the IP packet is not part of it: the answer ignores it. */
	uint16_t len = f_dns4(0, 0xabcd, 0x0100, "example.com", T_A, 1);
	dp_result_t res;

	memset(frame + len, 0xee, 200);
	run((uint16_t)(len + 200), ROOM, &res);
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_EQUAL(res.len, 14 + get16(frame + 16));
	CU_ASSERT_TRUE(l4_valid4(frame + 14, frame + 34, get16(frame + 38)));
	check_dns(frame + 42, get16(frame + 38) - 8u, 0xabcd, 0, 1, a_apex);
}

/* ------------------------------------------------------------------ invalid IPv4 */

static void test_ip4_bad_csum(void)
{
	uint16_t len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);

	frame[14 + 10] ^= 0x01;
	expect_drop(len, DP_DROP_BAD_CSUM);
}

static void test_udp4_bad_csum(void)
{
	uint16_t len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);

	frame[len - 3] ^= 0x20; /* a byte of the question */
	expect_drop(len, DP_DROP_BAD_CSUM);
}

static void test_udp6_bad_csum(void)
{
	uint16_t len = f_dns6(0, 1, "example.com", T_A);

	frame[len - 3] ^= 0x20;
	expect_drop(len, DP_DROP_BAD_CSUM);
	/* Zero is not "no checksum" over IPv6. */
	len = f_dns6(0, 1, "example.com", T_A);
	put16(frame + 14 + 40 + 6, 0);
	expect_drop(len, DP_DROP_BAD_CSUM);
}

/*
 * A port that verifies checksums (RX): what it found good is not summed again (a frame it calls
 * good is answered even with wrong sums: none is computed), the rest is. Counted by the worker.
 */
static void test_rx_csum_offload(void)
{
	dp_result_t res;
	uint16_t len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);

	frame[14 + 10] ^= 0x01; /* the IPv4 header's sum */
	frame[len - 3] ^= 0x20; /* a byte of the question: the UDP sum */
	run_rx_ok = DP_RX_IP_GOOD | DP_RX_L4_GOOD;
	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_TX);
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	frame[len - 3] ^= 0x20;
	run_rx_ok = DP_RX_IP_GOOD; /* the port could not say for UDP: summed here */
	expect_drop(len, DP_DROP_BAD_CSUM);
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	frame[14 + 10] ^= 0x01;
	run_rx_ok = DP_RX_L4_GOOD;
	expect_drop(len, DP_DROP_BAD_CSUM);
	len = f_dns6(0, 1, "example.com", T_A);
	frame[len - 3] ^= 0x20;
	run_rx_ok = DP_RX_L4_GOOD;
	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.verdict, DP_TX);
	/* Zero over IPv6 is wrong whatever the port says. */
	len = f_dns6(0, 1, "example.com", T_A);
	put16(frame + 14 + 40 + 6, 0);
	expect_drop(len, DP_DROP_BAD_CSUM);
	run_rx_ok = 0;
}

/*
 * A port that writes checksums (TX): the answer leaves its IPv4 header sum 0 and its UDP field
 * holding the pseudo-header's folded sum (DPDK's contract), says which in res, and the sums a
 * port completes from there are right.
 */
static void check_tx_csum(uint16_t tci, bool v6)
{
	const size_t l3 = tci ? 18 : 14;
	uint8_t *ip = frame + l3, *udp = ip + (v6 ? 40 : 20);
	uint16_t len =
	    v6 ? f_dns6(tci, 7, "example.com", T_A) : f_dns4(tci, 7, 0x0100, "example.com", T_A, 1);
	dp_result_t res;
	uint16_t ulen;

	addrs.tx_csum = true;
	run(len, ROOM, &res);
	addrs.tx_csum = false;
	CU_ASSERT_EQUAL_FATAL(res.verdict, DP_TX);
	CU_ASSERT_EQUAL(res.tx_csum, v6 ? 6 : 4);
	CU_ASSERT_EQUAL(res.l2_len, l3);
	CU_ASSERT_EQUAL(res.l3_len, v6 ? 40 : 20);
	ulen = get16(udp + 4);
	if (v6) {
		CU_ASSERT_EQUAL(get16(udp + 6), fold(phdr6(ip, 17, ulen)));
	} else {
		CU_ASSERT_EQUAL(get16(ip + 10), 0);
		CU_ASSERT_EQUAL(get16(udp + 6), fold(phdr4(ip, 17, ulen)));
		put16(ip + 10, cksum(ip, 20, 0)); /* what the port writes */
		CU_ASSERT_EQUAL(fold(sum16(ip, 20, 0)), 0xffff);
	}
	/* The port sums the datagram from the field's value on, and stores the complement. */
	put16(udp + 6, (uint16_t)~fold(sum16(udp, ulen, 0)));
	CU_ASSERT_TRUE(v6 ? l4_valid6(ip, udp, ulen) : l4_valid4(ip, udp, ulen));
	check_dns(udp + 8, ulen - 8u, 7, 0, 1, a_apex);
	/* Without the offload, no flags and the sums written here. */
	len =
	    v6 ? f_dns6(tci, 7, "example.com", T_A) : f_dns4(tci, 7, 0x0100, "example.com", T_A, 1);
	run(len, ROOM, &res);
	CU_ASSERT_EQUAL(res.tx_csum, 0);
	CU_ASSERT_TRUE(v6 ? l4_valid6(ip, udp, get16(udp + 4))
			  : l4_valid4(ip, udp, get16(udp + 4)));
}

static void test_tx_csum_offload(void)
{
	check_tx_csum(0, false);
	check_tx_csum(VLAN_TCI, false);
	check_tx_csum(0, true);
	check_tx_csum(VLAN_TCI, true);
}

static void test_ip4_bad_header(void)
{
	uint16_t len;

	/* IHL 4. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	frame[14] = 0x44;
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_BAD_IP);
	/* Version 6 under the IPv4 EtherType. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	frame[14] = 0x65;
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_BAD_IP);
	/* Total length beyond the frame. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 16, (uint16_t)(get16(frame + 16) + 1));
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_BAD_IP);
	/* A frame claiming 1500 bytes of IP in 80. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 16, 1500);
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_BAD_IP);
	/* Total length below the header. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 16, 19);
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_BAD_IP);
	/* Broadcast source: never answered. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	memset(frame + 14 + 12, 0xff, 4);
	ip4_recsum(frame + 14);
	b_udp4(frame + 14, frame + 34, 40000, 53, (uint16_t)(len - 42), 1);
	expect_drop(len, DP_DROP_BAD_IP);
}

static void test_runts(void)
{
	uint16_t len;

	/* 10 bytes: not even an Ethernet header. */
	f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	expect_drop(10, DP_DROP_RUNT);
	/* VLAN tag cut. */
	f_dns4(VLAN_TCI, 1, 0x0100, "example.com", T_A, 1);
	expect_drop(16, DP_DROP_RUNT);
	/* Truncated IPv4 header. */
	f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	expect_drop(14 + 12, DP_DROP_RUNT);
	/* IHL 15 in a 40-byte packet. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	frame[14] = 0x4f;
	ip4_recsum(frame + 14);
	expect_drop(14 + 40, DP_DROP_RUNT);
	/* Truncated UDP: the IP packet (honestly) holds only 4 bytes of it. */
	f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 16, 24);
	ip4_recsum(frame + 14);
	expect_drop(14 + 24, DP_DROP_RUNT);
	/* UDP length claiming more than the IP packet holds. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 38, (uint16_t)(get16(frame + 38) + 10));
	expect_drop(len, DP_DROP_RUNT);
	/* UDP length below its header. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 38, 7);
	expect_drop(len, DP_DROP_RUNT);
	/* Truncated IPv6 header. */
	f_dns6(0, 1, "example.com", T_A);
	expect_drop(14 + 39, DP_DROP_RUNT);
	/* IPv6 payload length beyond the frame. */
	len = f_dns6(0, 1, "example.com", T_A);
	expect_drop((uint16_t)(len - 1), DP_DROP_BAD_IP);
	/* Truncated ICMP. */
	f_icmp4(0, 8, 0);
	put16(frame + 16, 24);
	ip4_recsum(frame + 14);
	expect_drop(14 + 24, DP_DROP_RUNT);
}

static void test_ip6_bad_version(void)
{
	uint16_t len = f_dns6(0, 1, "example.com", T_A);

	frame[14] = 0x40;
	expect_drop(len, DP_DROP_BAD_IP);
}

/* ------------------------------------------------------------------ the exception path */

static void test_fragments(void)
{
	uint16_t len;

	/* First fragment (MF) to us:53. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 20, 0x2000);
	ip4_recsum(frame + 14);
	expect_exception(len);
	/* A later fragment (offset 185 * 8). */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 20, 185);
	ip4_recsum(frame + 14);
	expect_exception(len);
	/* IPv6 fragment header to us. */
	len = f_dns6(0, 1, "example.com", T_A);
	frame[14 + 6] = 44;
	expect_exception(len);
	/* A fragment for someone else is still not ours. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 20, 0x2000);
	memcpy(frame + 14 + 16, ip4_other, 4);
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_NOT_OURS);
}

static void test_tcp(void)
{
	size_t l3 = b_eth(frame, mac_us, mac_peer, 0, 0x0800);
	uint8_t *tcp = frame + l3 + 20;

	memset(tcp, 0, 20);
	put16(tcp, 40002);
	put16(tcp + 2, 53);
	tcp[12] = 0x50;
	tcp[13] = 0x02; /* SYN */
	b_ip4(frame + l3, ip4_peer, ip4_us, 6, 20);
	expect_exception((uint16_t)(l3 + 40));
	/* Over IPv6. */
	l3 = b_eth(frame, mac_us, mac_peer, 0, 0x86dd);
	b_ip6(frame + l3, ip6_peer, ip6_us, 6, 64, 20);
	memset(frame + l3 + 40, 0, 20);
	put16(frame + l3 + 42, 53);
	frame[l3 + 52] = 0x50;
	frame[l3 + 53] = 0x02;
	expect_exception((uint16_t)(l3 + 60));
}

static void test_other_port(void)
{
	uint16_t len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);

	put16(frame + 36, 5353);
	expect_exception(len);
	len = f_dns6(0, 1, "example.com", T_A);
	put16(frame + 14 + 40 + 2, 123);
	expect_exception(len);
}

static void test_ip4_options(void)
{
	/* Options need an IP stack: the kernel's, even for DNS. */
	size_t l3 = b_eth(frame, mac_us, mac_peer, 0, 0x0800);
	uint8_t *ip = frame + l3;
	size_t dlen = b_query(ip + 24 + 8, 3, 0x0100, "example.com", T_A);

	b_ip4(ip, ip4_peer, ip4_us, 17, (uint16_t)(8 + dlen + 4));
	ip[0] = 0x46;
	memset(ip + 20, 1, 4); /* four NOPs */
	ip4_recsum(ip);
	put16(ip + 24, 40000);
	put16(ip + 26, 53);
	put16(ip + 28, (uint16_t)(8 + dlen));
	put16(ip + 30, 0);
	expect_exception((uint16_t)(l3 + 32 + dlen));
}

/* ------------------------------------------------------------------ not ours */

static void test_not_ours(void)
{
	uint16_t len;

	/* Another MAC. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	memcpy(frame, mac_other, 6);
	expect_drop(len, DP_DROP_NOT_OURS);
	/* Our MAC, another IPv4. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	memcpy(frame + 14 + 16, ip4_other, 4);
	ip4_recsum(frame + 14);
	expect_drop(len, DP_DROP_NOT_OURS);
	/* Our MAC, another IPv6. */
	len = f_dns6(0, 1, "example.com", T_A);
	memcpy(frame + 14 + 24, ip6_other, 16);
	expect_drop(len, DP_DROP_NOT_OURS);
	/* IPv4 to an IPv6 multicast MAC. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	memcpy(frame, mac_sn_us, 6);
	expect_drop(len, DP_DROP_NOT_OURS);
	/* A multicast source MAC: a reply must never go to a group. */
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	frame[6] |= 0x01;
	expect_drop(len, DP_DROP_NOT_OURS);
}

static void test_unsupported(void)
{
	uint16_t len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);

	put16(frame + 12, 0x88cc); /* LLDP */
	expect_drop(len, DP_DROP_UNSUPPORTED);
	/* QinQ: one tag only. */
	len = f_dns4(VLAN_TCI, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 16, 0x8100);
	expect_drop(len, DP_DROP_UNSUPPORTED);
	len = f_dns4(0, 1, 0x0100, "example.com", T_A, 1);
	put16(frame + 12, 0x88a8);
	expect_drop(len, DP_DROP_UNSUPPORTED);
}

/* ------------------------------------------------------------------ robustness */

/*
 * Random mutations of valid frames, at every length: whatever the verdict, nothing is read or
 * written outside the frame (ASan watches a buffer exactly LEN/ROOM long) and a reply fits.
 */
static void test_mutations(void)
{
	uint8_t *heap;
	unsigned seed = 12345;

	for (int round = 0; round < 4000; round++) {
		uint16_t len, room, cut;
		dp_result_t res;
		int kind = round % 6, flips;

		switch (kind) {
		case 0:
			len = f_dns4(round & 1 ? VLAN_TCI : 0, 1, 0x0100, "example.com", T_A, 1);
			break;
		case 1:
			len = f_dns6(round & 1 ? VLAN_TCI : 0, 1, "big.example.com", T_TXT);
			break;
		case 2:
			len = f_arp(mac_bcast, 1, ip4_us);
			break;
		case 3:
			len = f_ns(mac_sn_us, ip6_peer, ip6_sn_us, ip6_us, round & 1);
			break;
		case 4:
			len = f_icmp4(round & 1 ? VLAN_TCI : 0, 8, 0);
			break;
		default:
			len = f_echo6(0);
			break;
		}
		seed = seed * 1103515245u + 12345u;
		flips = (int)(seed >> 16) % 4;
		for (int i = 0; i < flips; i++) {
			seed = seed * 1103515245u + 12345u;
			frame[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 4) % 8));
		}
		seed = seed * 1103515245u + 12345u;
		cut = (uint16_t)((seed >> 8) % (len + 1u));
		if (round % 3 != 0)
			cut = len;
		seed = seed * 1103515245u + 12345u;
		room = (uint16_t)(cut + (seed >> 8) % 700);
		heap = malloc(room ? room : 1);
		CU_ASSERT_FATAL(heap != NULL);
		memcpy(heap, frame, cut);
		dp_pkt_handle(&addrs, zt, &run_dg, heap, cut, room, 0, &res);
		if (res.verdict == DP_TX) {
			CU_ASSERT_TRUE(res.len <= room);
			CU_ASSERT_TRUE(res.len >= 14);
		} else if (res.verdict == DP_DROP) {
			CU_ASSERT_TRUE(res.reason > DP_DROP_NONE && res.reason < DP_DROP_REASONS);
		} else {
			CU_ASSERT_EQUAL(res.verdict, DP_EXCEPTION);
		}
		free(heap);
	}
}

/*
 * A burst of frames as a worker takes it: dp_pkt_dns() finds each DNS query (and none in the
 * other frames), zt_burst_prepare() reads them ahead (no minimum of nodes), and
 * dp_pkt_handle_burst() gives each frame the verdict, length, octets and info that
 * dp_pkt_handle() gives it alone.
 */
static void test_burst(void)
{
	enum { NF = 10 };
	static uint8_t frames[NF][ROOM], alone[ROOM];
	const uint8_t *dns[NF];
	uint16_t lens[NF], dlen[NF], off[NF];
	bool plain[NF];
	/* the answers, the IXFR and the fragment to the kernel, the ARP reply, another port to the
	 * kernel, the short datagram dropped */
	static const enum dp_verdict verdict[NF] = {DP_TX,	  DP_TX,	DP_TX,	      DP_TX,
						    DP_TX,	  DP_EXCEPTION, DP_EXCEPTION, DP_TX,
						    DP_EXCEPTION, DP_DROP};
	zt_burst_t b;
	unsigned n = 0;

#define KEEP(l, o, p)                                                                              \
	do {                                                                                       \
		lens[n] = (l);                                                                     \
		off[n] = (o);                                                                      \
		plain[n] = (p);                                                                    \
		memcpy(frames[n++], frame, ROOM);                                                  \
	} while (0)
	KEEP(f_dns4(0, 1, 0x0100, "example.com", T_A, 1), 14 + 28, true);
	KEEP(f_dns4(VLAN_TCI, 2, 0x0100, "NS1.example.com", T_A, 1), 18 + 28, true);
	KEEP(f_dns6(0, 3, "example.com", T_NS), 14 + 48, true);
	KEEP(f_dns6(VLAN_TCI, 4, "nope.example.com", T_A), 18 + 48, true);
	KEEP(f_dns4(0, 5, 0x0100, "big.example.com", T_TXT, 1), 14 + 28, true);
	KEEP(f_dns4(0, 6, 0x0000, "example.com", T_IXFR, 1), 14 + 28, false);
	/* A fragment, ARP, another port, a datagram longer than its frame: no query found. */
	KEEP(f_dns4(0, 7, 0x0100, "example.com", T_A, 1), 0, false);
	put16(frames[n - 1] + 20, 0x2000);
	ip4_recsum(frames[n - 1] + 14);
	KEEP(f_arp(mac_us, 1, ip4_us), 0, false);
	KEEP(f_dns4(0, 8, 0x0100, "example.com", T_A, 0), 0, false);
	put16(frames[n - 1] + 14 + 22, 54);
	KEEP((uint16_t)(f_dns4(0, 9, 0x0100, "example.com", T_A, 1) - 3), 0, false);
#undef KEEP
	CU_ASSERT_EQUAL_FATAL(n, NF);
	for (unsigned i = 0; i < n; i++) {
		dns[i] = dp_pkt_dns(&addrs, frames[i], lens[i], &dlen[i]);
		CU_ASSERT_EQUAL(dns[i] != NULL, off[i] != 0);
		if (dns[i] == NULL) {
			dlen[i] = 0;
			continue;
		}
		CU_ASSERT_EQUAL(dns[i] - frames[i], off[i]);
		CU_ASSERT_EQUAL(dlen[i], lens[i] - off[i]);
	}
	zt_burst_init(&b);
	b.min_nodes = 0;
	zt_burst_prepare(&b, zt, dns, dlen, n);
	CU_ASSERT_EQUAL(b.n, n);
	for (unsigned i = 0; i < n; i++) {
		dp_result_t r1, r2;

		CU_ASSERT_EQUAL(b.plain[i], plain[i]);
		memcpy(alone, frames[i], ROOM);
		dp_pkt_handle(&addrs, zt, &run_dg, alone, lens[i], ROOM, 0, &r1);
		dp_pkt_handle_burst(&addrs, zt, &run_dg, &b, i, frames[i], lens[i], ROOM, 0, &r2);
		CU_ASSERT_EQUAL(r1.verdict, r2.verdict);
		CU_ASSERT_EQUAL(r1.reason, r2.reason);
		CU_ASSERT_EQUAL(r1.len, r2.len);
		CU_ASSERT_EQUAL(r1.dns, r2.dns);
		CU_ASSERT_EQUAL(memcmp(&r1.info, &r2.info, sizeof(r1.info)), 0);
		CU_ASSERT_EQUAL(memcmp(alone, frames[i], ROOM), 0);
		CU_ASSERT_EQUAL(r2.verdict, verdict[i]);
	}
}

void reg_cutest_dp_pkt(void)
{
	CU_pSuite s = CU_add_suite("dp_pkt", dp_init, dp_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "arp request for us", test_arp_request_ours);
	CU_add_test(s, "arp not for us, replies, bad", test_arp_not_ours);
	CU_add_test(s, "ns for us -> na", test_ns_ours);
	CU_add_test(s, "ns dad -> na to all-nodes", test_ns_dad);
	CU_add_test(s, "ns invalid or not ours", test_ns_invalid);
	CU_add_test(s, "icmpv6 other types", test_icmp6_other);
	CU_add_test(s, "icmp echo v4 (and vlan)", test_echo4);
	CU_add_test(s, "icmp echo v4 bad checksum", test_echo4_bad_csum);
	CU_add_test(s, "icmp v4 other types", test_icmp4_other);
	CU_add_test(s, "icmpv6 echo (and vlan)", test_echo6);
	CU_add_test(s, "dns over ipv4", test_dns4);
	CU_add_test(s, "dns over ipv4 with vlan", test_dns4_vlan);
	CU_add_test(s, "dns over ipv4, udp checksum 0", test_dns4_no_csum);
	CU_add_test(s, "dns over ipv6 (and vlan)", test_dns6);
	CU_add_test(s, "dns nxdomain", test_dns_nxdomain);
	CU_add_test(s, "dns truncated (TC)", test_dns_truncated);
	CU_add_test(s, "dns response or junk dropped", test_dns_response_dropped);
	CU_add_test(s, "dns with less room than 512", test_dns_small_room);
	CU_add_test(s, "dns in a padded frame", test_dns_padded_frame);
	CU_add_test(s, "ipv4 bad header checksum", test_ip4_bad_csum);
	CU_add_test(s, "udp/ipv4 bad checksum", test_udp4_bad_csum);
	CU_add_test(s, "udp/ipv6 bad or zero checksum", test_udp6_bad_csum);
	CU_add_test(s, "checksums the port verified are not summed again", test_rx_csum_offload);
	CU_add_test(s, "checksums left to the port: flags, lengths, pseudo-header",
		    test_tx_csum_offload);
	CU_add_test(s, "ipv4 bad headers", test_ip4_bad_header);
	CU_add_test(s, "runts", test_runts);
	CU_add_test(s, "ipv6 bad version", test_ip6_bad_version);
	CU_add_test(s, "fragments -> exception", test_fragments);
	CU_add_test(s, "tcp -> exception", test_tcp);
	CU_add_test(s, "udp other port -> exception", test_other_port);
	CU_add_test(s, "ipv4 options -> exception", test_ip4_options);
	CU_add_test(s, "not ours", test_not_ours);
	CU_add_test(s, "unsupported ethertypes", test_unsupported);
	CU_add_test(s, "random mutations stay in bounds", test_mutations);
	CU_add_test(s, "DNS under the rate limit: drops, truncated slips", test_dns_rrl);
	CU_add_test(s, "DNS signed (TSIG) or IXFR: the exception path", test_dns_tsig_exception);
	CU_add_test(s, "NOTIFY: in place, or to the kernel with secondary zones", test_dns_notify);
	CU_add_test(s, "a burst read ahead: each frame as alone", test_burst);
}
