/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pkt.c: libFuzzer target for the packet layer: the input is one Ethernet frame handed to
 * dp_pkt_handle() for a server at 02:00:00:00:00:01, 192.0.2.53, 198.18.0.2, 2001:db8::53 and
 * 2001:db8::2, port 53, answering from the sample and peer zones. Each frame runs in a buffer
 * of 2048 octets (an mbuf's data room) and in one no larger than itself; then, when the frame
 * holds IPv4 or IPv6, with its IP, UDP, ICMP and ICMPv6 checksums made right, so that mutations
 * reach what lies behind the checksum checks: three times through a fresh response rate limiter
 * (one response a second, every other limited one slipped), then without one.
 */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "dp_pkt.h"
#include "fuzz_common.h"
#include "rrl.h"
#include "wire.h"

#define ROOM 2048
#define ETH_LEN 14
#define ETH_VLAN 0x8100
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define PROTO_ICMP 1
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

static const zt_t *zt;
static dp_addrs_t addrs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

	(void)argc;
	(void)argv;
	zt = fz_snapshot();
	memcpy(addrs.mac.addr_bytes, mac, sizeof(mac));
	inet_pton(AF_INET, "192.0.2.53", &addrs.ip4[0]);
	inet_pton(AF_INET, "198.18.0.2", &addrs.ip4[1]);
	addrs.n_ip4 = 2;
	inet_pton(AF_INET6, "2001:db8::53", addrs.ip6[0]);
	inet_pton(AF_INET6, "2001:db8::2", addrs.ip6[1]);
	addrs.n_ip6 = 2;
	addrs.dns_port = DP_DNS_PORT;
	return 0;
}

/* The one's complement sum (RFC 1071) of LEN octets, added to SUM, not folded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += wire_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The checksum of the L4 message L4 (LEN octets) over IPv6 header IP6, pseudo-header included,
 * written at CSUM (which lies inside the message). */
static void fix_l4_v6(const uint8_t *ip6, uint8_t *l4, uint16_t len, uint8_t proto, uint8_t *csum)
{
	uint32_t sum = sum16(0, ip6 + 8, 32) + len + proto;

	wire_put16(csum, 0);
	wire_put16(csum, fold(sum16(sum, l4, len)));
}

/*
 * Makes the checksums of FRAME (LEN octets) right where the headers say where they are, as a
 * sender would have: IPv4 header, ICMP, UDP (zero over IPv4: none); ICMPv6, UDP over IPv6.
 * Returns false when there is nothing to fix (no IP, or headers cut short).
 */
static bool fix_checksums(uint8_t *f, size_t len)
{
	size_t l3 = ETH_LEN;
	uint16_t type;

	if (len < ETH_LEN)
		return false;
	type = wire_get16(f + 12);
	if (type == ETH_VLAN && len >= ETH_LEN + 4) {
		type = wire_get16(f + 16);
		l3 += 4;
	}
	if (type == ETH_IPV4 && len >= l3 + 20) {
		uint8_t *ip = f + l3;
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4, tot = wire_get16(ip + 2);

		if (ihl < 20 || l3 + ihl > len)
			return false;
		wire_put16(ip + 10, 0);
		wire_put16(ip + 10, fold(sum16(0, ip, ihl)));
		if (tot < ihl || l3 + tot > len)
			return true;
		if (ip[9] == PROTO_UDP && tot - ihl >= 8)
			wire_put16(ip + ihl + 6, 0);
		if (ip[9] == PROTO_ICMP && tot - ihl >= 4) {
			wire_put16(ip + ihl + 2, 0);
			wire_put16(ip + ihl + 2, fold(sum16(0, ip + ihl, tot - ihl)));
		}
		return true;
	}
	if (type == ETH_IPV6 && len >= l3 + 40) {
		uint8_t *ip6 = f + l3, *l4 = ip6 + 40;
		uint16_t plen = wire_get16(ip6 + 4);

		if (l3 + 40 + plen > len)
			return false;
		if (ip6[6] == PROTO_UDP && plen >= 8) {
			uint16_t ulen = wire_get16(l4 + 4);

			/* The packet layer sums the datagram's own length (the IP one trimmed to
			 * it). */
			if (ulen >= 8 && ulen <= plen) {
				wire_put16(ip6 + 4, ulen);
				fix_l4_v6(ip6, l4, ulen, PROTO_UDP, l4 + 6);
				wire_put16(ip6 + 4, plen);
			}
		}
		if (ip6[6] == PROTO_ICMPV6 && plen >= 4)
			fix_l4_v6(ip6, l4, plen, PROTO_ICMPV6, l4 + 2);
		return true;
	}
	return false;
}

/* One run of FRAME (LEN octets) in a heap buffer of exactly ROOM octets. */
static void handle(const uint8_t *frame, uint16_t len, uint16_t room, rrl_t *rrl)
{
	static uint64_t st[DGRAM_STAT_COUNT], detail[DGRAM_DETAIL];
	const dgram_ctx_t dg = {.rrl = rrl, .stats = st, .detail = detail};
	uint8_t *buf = malloc(room);
	dp_result_t res;

	memcpy(buf, frame, len);
	/* The port's checksum offloads, both ways, on one input in four (by its length). */
	addrs.tx_csum = (len & 3) == 3;
	dp_pkt_handle(&addrs, zt, &dg, buf, len, room,
		      (len & 3) == 3 ? DP_RX_IP_GOOD | DP_RX_L4_GOOD : 0, &res);
	switch (res.verdict) {
	case DP_TX:
		FZ_CHECK(res.len >= ETH_LEN && res.len <= room, "a reply of %u octets in %u",
			 res.len, room);
		FZ_CHECK(res.tx_csum == 0 ||
			     (addrs.tx_csum && (res.l2_len == 14 || res.l2_len == 18) &&
			      res.l3_len == (res.tx_csum == 4 ? 20 : 40) && res.dns),
			 "checksums left to the port: %u, l2 %u, l3 %u", res.tx_csum, res.l2_len,
			 res.l3_len);
		break;
	case DP_EXCEPTION:
		break;
	case DP_DROP:
		FZ_CHECK(res.reason > DP_DROP_NONE && res.reason < DP_DROP_REASONS,
			 "drop reason %d", (int)res.reason);
		FZ_CHECK(!res.dns, "dropped with a DNS answer");
		break;
	default:
		FZ_CHECK(false, "verdict %d", (int)res.verdict);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const rrl_cfg_t rrl_cfg = {
	    .rate = 1, .slip = 2, .ipv4_prefix = 24, .ipv6_prefix = 56};
	uint8_t *fixed;
	uint16_t len;
	rrl_t *rrl;

	if (size > ROOM)
		return 0;
	len = (uint16_t)size;
	handle(data, len, ROOM, NULL);
	handle(data, len, len > 0 ? len : 1, NULL);

	fixed = malloc(ROOM);
	memcpy(fixed, data, size);
	if (fix_checksums(fixed, size)) {
		rrl = rrl_new(&rrl_cfg);
		rrl_tick_at(rrl, 1000);
		for (int i = 0; i < 3; i++)
			handle(fixed, len, ROOM, rrl);
		rrl_free(&rrl);
		handle(fixed, len, len > 0 ? len : 1, NULL);
	}
	free(fixed);
	return 0;
}
