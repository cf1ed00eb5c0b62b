/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_pkt.c: the packet layer: parse one frame, answer ARP/ND/echo/DNS in place, or classify it */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dp_pkt.h"
#include "zt.h"

/*
 * Alignment: FRAME must be 2-byte aligned (mbuf data always is: the headroom is a multiple of
 * the cache line). rte_ether_hdr and rte_arp_hdr are 2-aligned, and a single 802.1Q tag keeps
 * that; the IP, UDP and ICMP structs are packed, so the compiler reads their fields with
 * unaligned-safe loads wherever they sit. Checksums go through rte_raw_cksum, which memcpy()s.
 */

#define DP_REPLY_TTL 64
#define DP_ND_HOP_LIMIT 255

/* ICMPv6 (RFC 4443) and Neighbour Discovery (RFC 4861): DPDK 22.11 has no structs for them. */
#define DP_ICMP6_ECHO_REQUEST 128
#define DP_ICMP6_ECHO_REPLY 129
#define DP_ND_NEIGHBOR_SOLICIT 135
#define DP_ND_NEIGHBOR_ADVERT 136
#define DP_ND_OPT_SOURCE_LLADDR 1
#define DP_ND_OPT_TARGET_LLADDR 2
#define DP_NA_FLAG_SOLICITED 0x40000000u
#define DP_NA_FLAG_OVERRIDE 0x20000000u

struct dp_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
} __rte_packed;

/* Neighbour Solicitation and Advertisement share this layout (flags are reserved in an NS). */
struct dp_nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t flags;
	uint8_t target[16];
} __rte_packed;

/* A link-layer address option for Ethernet: 8 bytes, length 1 (in units of 8 octets). */
struct dp_nd_opt_lla {
	uint8_t type;
	uint8_t len;
	uint8_t mac[RTE_ETHER_ADDR_LEN];
} __rte_packed;

#define DP_NA_LEN (sizeof(struct dp_nd_msg) + sizeof(struct dp_nd_opt_lla))

static const uint8_t ip6_all_nodes[16] = {0xff, 0x02, [15] = 0x01};
static const struct rte_ether_addr mac_all_nodes = {{0x33, 0x33, 0, 0, 0, 0x01}};

/*
 * Each handler returns why the frame is dropped, or DP_DROP_NONE when it has set the verdict
 * (DP_TX with the new length, or DP_EXCEPTION).
 */
static inline enum dp_drop_reason exception(dp_result_t *res)
{
	res->verdict = DP_EXCEPTION;
	return DP_DROP_NONE;
}

/* Folds a 32-bit sum of 16-bit words; a correct Internet checksum region sums to 0xffff. */
static inline bool cksum_ok(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* UDP/ICMP over IPv4: the L4 length comes from total_length, which the caller has bounded. */
static inline bool l4_cksum_ok_v4(const struct rte_ipv4_hdr *ip, const void *l4, uint16_t l4len)
{
	return cksum_ok((uint32_t)rte_raw_cksum(l4, l4len) + rte_ipv4_phdr_cksum(ip, 0));
}

/* UDP/ICMPv6 over IPv6 without extension headers: the L4 length is payload_len. */
static inline bool l4_cksum_ok_v6(const struct rte_ipv6_hdr *ip6, const void *l4, uint16_t l4len)
{
	return cksum_ok((uint32_t)rte_raw_cksum(l4, l4len) + rte_ipv6_phdr_cksum(ip6, 0));
}

static inline bool ip4_is_ours(const dp_addrs_t *a, rte_be32_t ip)
{
	for (unsigned i = 0; i < a->n_ip4 && i < DP_MAX_ADDRS; i++)
		if (a->ip4[i] == ip)
			return true;
	return false;
}

static inline bool ip6_is_ours(const dp_addrs_t *a, const uint8_t *ip)
{
	for (unsigned i = 0; i < a->n_ip6 && i < DP_MAX_ADDRS; i++)
		if (memcmp(a->ip6[i], ip, 16) == 0)
			return true;
	return false;
}

/* ff02::1:ffXX:XXXX for one of our addresses (RFC 4291 2.7.1). */
static inline bool ip6_is_our_solicited_node(const dp_addrs_t *a, const uint8_t *ip)
{
	static const uint8_t prefix[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	if (memcmp(ip, prefix, sizeof(prefix)) != 0)
		return false;
	for (unsigned i = 0; i < a->n_ip6 && i < DP_MAX_ADDRS; i++)
		if (memcmp(a->ip6[i] + 13, ip + 13, 3) == 0)
			return true;
	return false;
}

/* A source we must never answer: unspecified, multicast, limited broadcast. */
static inline bool ip4_src_bad(rte_be32_t src)
{
	uint32_t s = rte_be_to_cpu_32(src);

	return s == 0 || (s & 0xf0000000u) == 0xe0000000u || s == 0xffffffffu;
}

static inline bool ip6_is_unspecified(const uint8_t *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip, zero, 16) == 0;
}

/* Addresses swapped, our MAC as the source: every reply leaves the way the request came. */
static inline void eth_reply(struct rte_ether_hdr *eth, const dp_addrs_t *a)
{
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&a->mac, &eth->src_addr);
}

/* ------------------------------------------------------------------ ARP */

static enum dp_drop_reason handle_arp(const dp_addrs_t *a, struct rte_ether_hdr *eth, uint8_t *l3,
				      uint16_t l3len, dp_result_t *res, uint16_t len)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)l3;
	rte_be32_t tip;

	if (l3len < sizeof(*arp))
		return DP_DROP_RUNT;
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return DP_DROP_UNSUPPORTED;
	tip = arp->arp_data.arp_tip;
	if (!ip4_is_ours(a, tip))
		return DP_DROP_NOT_OURS;
	if (arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST)) {
		/*
		 * Replies (and anything else) for our addresses belong to the kernel behind the
		 * TAP: it resolves its own neighbours for the TCP answers it sends.
		 */
		return exception(res);
	}
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	rte_ether_addr_copy(&a->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sip = tip;
	eth_reply(eth, a);
	res->verdict = DP_TX;
	res->len = len; /* padding to the Ethernet minimum, if any, goes back as it came */
	return DP_DROP_NONE;
}

/* ------------------------------------------------------------------ DNS, both families */

/*
 * Answers the DNS query at DNS (QLEN bytes) in place, rate-limited and counted (dgram_answer).
 * ROOM is what the buffer holds from DNS on, LIMIT what the IP length fields allow. Returns the
 * answer's length, 0 when there is none (res->rrl_action says whether the rate limit took it).
 */
static inline uint16_t dns_answer(const zt_t *zt, uint8_t *dns, uint16_t qlen, size_t room,
				  size_t limit, const uint8_t *client, size_t alen,
				  dp_result_t *res)
{
	/* The client's port, for the query log: the UDP header is right before DNS. */
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(dns - sizeof(*udp));
	size_t n = dgram_answer_from_burst(
	    res->dg, zt, res->burst, res->bi, dns, qlen, RTE_MIN(room, limit), client, alen,
	    rte_be_to_cpu_16(udp->src_port), &res->info, &res->rrl_action);

	res->dns = n != 0;
	return (uint16_t)n;
}

/*
 * No answer from dns_answer(): the rate limit took it, or the engine had none; or the query is
 * signed (TSIG) or an IXFR, which need the keys and the transfer ACL that only the kernel-socket
 * path has (dgram_answer() wrote nothing): the kernel behind the TAP answers those.
 */
static inline enum dp_drop_reason dns_unanswered(dp_result_t *res)
{
	if (unlikely(res->info.tsig | res->info.xfr_ask))
		return exception(res);
	return res->rrl_action == RRL_DROP ? DP_DROP_RRL : DP_DROP_DNS;
}

/*
 * The UDP header at UDP, in L4LEN bytes of IP payload: not for our DNS port -> the exception path
 * (res->verdict set); a length that lies -> RUNT; else *ULEN, the datagram's own length, which
 * may be less than L4LEN (the caller trims the IP length to it).
 */
static inline enum dp_drop_reason udp_datagram(const dp_addrs_t *a, const struct rte_udp_hdr *udp,
					       uint16_t l4len, dp_result_t *res, uint16_t *ulen)
{
	if (l4len < sizeof(*udp))
		return DP_DROP_RUNT;
	if (udp->dst_port != rte_cpu_to_be_16(a->dns_port))
		return exception(res);
	*ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (*ulen < sizeof(*udp) || *ulen > l4len)
		return DP_DROP_RUNT;
	/* NOTIFY (opcode 4) is for the secondary side: sandnsd's kernel socket, via the TAP. */
	if (unlikely(a->notify_to_kernel && *ulen >= sizeof(*udp) + 3 &&
		     (((const uint8_t *)(udp + 1))[2] & 0x78) == 0x20))
		return exception(res);
	return DP_DROP_NONE;
}

/* The answer's UDP header: ports swapped, length for N bytes of DNS (checksum: the caller). */
static inline void udp_reply(struct rte_udp_hdr *udp, uint16_t n)
{
	rte_be16_t port = udp->src_port;

	udp->src_port = udp->dst_port;
	udp->dst_port = port;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + n));
}

/* ------------------------------------------------------------------ IPv4 */

static enum dp_drop_reason handle_udp4(const dp_addrs_t *a, const zt_t *zt,
				       struct rte_ether_hdr *eth, struct rte_ipv4_hdr *ip,
				       uint16_t l4_off, uint16_t l4len, uint16_t room,
				       dp_result_t *res)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)eth + l4_off);
	const uint16_t dns_off = l4_off + sizeof(*udp);
	enum dp_drop_reason r;
	uint16_t ulen, n;
	rte_be32_t tmp;

	r = udp_datagram(a, udp, l4len, res, &ulen);
	if (r != DP_DROP_NONE || res->verdict == DP_EXCEPTION)
		return r;
	/* Bytes after the datagram inside the IP packet: the datagram is what counts. */
	if (ulen < l4len)
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + ulen));
	if (udp->dgram_cksum != 0 && !(res->rx_ok & DP_RX_L4_GOOD) &&
	    !l4_cksum_ok_v4(ip, udp, ulen))
		return DP_DROP_BAD_CSUM;
	if (ip4_src_bad(ip->src_addr))
		return DP_DROP_BAD_IP;

	n = dns_answer(zt, (uint8_t *)eth + dns_off, ulen - sizeof(*udp), room - dns_off,
		       RTE_IPV4_MAX_PKT_LEN - sizeof(*ip) - sizeof(*udp),
		       (const uint8_t *)&ip->src_addr, 4, res);
	if (n == 0)
		return dns_unanswered(res);
	udp_reply(udp, n);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + n));
	ip->fragment_offset = 0;
	ip->time_to_live = DP_REPLY_TTL;
	ip->hdr_checksum = 0;
	if (a->tx_csum) {
		/* The port writes both: the UDP field holds the pseudo-header's sum for it. */
		udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, 0);
		res->tx_csum = 4;
		res->l2_len = (uint8_t)((uint8_t *)ip - (uint8_t *)eth);
		res->l3_len = sizeof(*ip);
	} else {
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	eth_reply(eth, a);
	res->verdict = DP_TX;
	res->len = (uint16_t)(dns_off + n);
	return DP_DROP_NONE;
}

static enum dp_drop_reason handle_icmp4(const dp_addrs_t *a, struct rte_ether_hdr *eth,
					struct rte_ipv4_hdr *ip, uint8_t *l4, uint16_t l4len,
					dp_result_t *res)
{
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)l4;
	rte_be32_t tmp;

	if (l4len < sizeof(*icmp))
		return DP_DROP_RUNT;
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		return exception(res);
	}
	if (!cksum_ok(rte_raw_cksum(icmp, l4len)))
		return DP_DROP_BAD_CSUM;
	if (ip4_src_bad(ip->src_addr))
		return DP_DROP_BAD_IP;

	/* Echo is rare next to DNS: a full recompute is simpler than RFC 1624 and as right. */
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, l4len);
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->fragment_offset = 0;
	ip->time_to_live = DP_REPLY_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	eth_reply(eth, a);
	res->verdict = DP_TX;
	res->len = (uint16_t)(l4 - (uint8_t *)eth + l4len);
	return DP_DROP_NONE;
}

static enum dp_drop_reason handle_ipv4(const dp_addrs_t *a, const zt_t *zt,
				       struct rte_ether_hdr *eth, uint16_t l3_off, uint16_t len,
				       uint16_t room, dp_result_t *res)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)((uint8_t *)eth + l3_off);
	const uint16_t l3len = len - l3_off;
	uint16_t ihl, tot, frag;

	if (l3len < sizeof(*ip))
		return DP_DROP_RUNT;
	ihl = rte_ipv4_hdr_len(ip);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip))
		return DP_DROP_BAD_IP;
	if (ihl > l3len)
		return DP_DROP_RUNT;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < ihl || tot > l3len)
		return DP_DROP_BAD_IP;
	/* Over the whole header, stored checksum included, a correct one sums to 0xffff. */
	if (!(res->rx_ok & DP_RX_IP_GOOD) && rte_ipv4_cksum(ip) != 0)
		return DP_DROP_BAD_CSUM;
	if (!ip4_is_ours(a, ip->dst_addr))
		return DP_DROP_NOT_OURS;

	frag = rte_be_to_cpu_16(ip->fragment_offset);
	/* Fragments need reassembly, options need a real IP stack: both are the kernel's. */
	if ((frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 || ihl != sizeof(*ip)) {
		return exception(res);
	}
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		return handle_udp4(a, zt, eth, ip, l3_off + ihl, tot - ihl, room, res);
	case IPPROTO_ICMP:
		return handle_icmp4(a, eth, ip, (uint8_t *)ip + ihl, tot - ihl, res);
	default:
		return exception(res);
	}
}

/* ------------------------------------------------------------------ IPv6 */

static void ip6_reply(struct rte_ipv6_hdr *ip6, uint8_t hop_limit)
{
	uint8_t tmp[16];

	memcpy(tmp, ip6->src_addr, 16);
	memcpy(ip6->src_addr, ip6->dst_addr, 16);
	memcpy(ip6->dst_addr, tmp, 16);
	ip6->hop_limits = hop_limit;
}

static enum dp_drop_reason handle_udp6(const dp_addrs_t *a, const zt_t *zt,
				       struct rte_ether_hdr *eth, struct rte_ipv6_hdr *ip6,
				       uint16_t l4_off, uint16_t l4len, uint16_t room,
				       dp_result_t *res)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)eth + l4_off);
	const uint16_t dns_off = l4_off + sizeof(*udp);
	enum dp_drop_reason r;
	uint16_t ulen, n;

	r = udp_datagram(a, udp, l4len, res, &ulen);
	if (r != DP_DROP_NONE || res->verdict == DP_EXCEPTION)
		return r;
	if (ulen < l4len)
		ip6->payload_len = rte_cpu_to_be_16(ulen);
	/* RFC 8200 8.1: over IPv6 a zero UDP checksum is not "none", it is wrong. */
	if (udp->dgram_cksum == 0 ||
	    (!(res->rx_ok & DP_RX_L4_GOOD) && !l4_cksum_ok_v6(ip6, udp, ulen)))
		return DP_DROP_BAD_CSUM;

	n = dns_answer(zt, (uint8_t *)eth + dns_off, ulen - sizeof(*udp), room - dns_off,
		       UINT16_MAX - sizeof(*udp), ip6->src_addr, 16, res);
	if (n == 0)
		return dns_unanswered(res);
	udp_reply(udp, n);
	ip6->payload_len = udp->dgram_len;
	ip6_reply(ip6, DP_REPLY_TTL);
	if (a->tx_csum) {
		udp->dgram_cksum = rte_ipv6_phdr_cksum(ip6, 0);
		res->tx_csum = 6;
		res->l2_len = (uint8_t)((uint8_t *)ip6 - (uint8_t *)eth);
		res->l3_len = sizeof(*ip6);
	} else {
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
	}
	eth_reply(eth, a);
	res->verdict = DP_TX;
	res->len = (uint16_t)(dns_off + n);
	return DP_DROP_NONE;
}

/*
 * Neighbour Solicitation (RFC 4861 7.1.1 validation, 7.2.4 reply). The advertisement is written
 * over the solicitation: 32 bytes, which may be more than an NS without options had.
 */
static enum dp_drop_reason handle_ns(const dp_addrs_t *a, struct rte_ether_hdr *eth,
				     struct rte_ipv6_hdr *ip6, uint16_t l4_off, uint16_t l4len,
				     uint16_t room, dp_result_t *res)
{
	struct dp_nd_msg *nd = (struct dp_nd_msg *)((uint8_t *)eth + l4_off);
	const bool from_unspec = ip6_is_unspecified(ip6->src_addr);
	struct dp_nd_opt_lla *opt;
	bool has_slla = false;
	uint16_t off;

	if (l4len < sizeof(*nd))
		return DP_DROP_RUNT;
	if (ip6->hop_limits != DP_ND_HOP_LIMIT || nd->code != 0 || nd->target[0] == 0xff)
		return DP_DROP_UNSUPPORTED;
	if (!l4_cksum_ok_v6(ip6, nd, l4len))
		return DP_DROP_BAD_CSUM;
	/* Options: each at least 8 bytes and inside the message, else the whole NS is invalid. */
	for (off = sizeof(*nd); off < l4len;) {
		const uint8_t *o = (const uint8_t *)nd + off;
		uint16_t olen;

		if (l4len - off < 2 || o[1] == 0)
			return DP_DROP_UNSUPPORTED;
		olen = (uint16_t)(o[1] * 8);
		if (olen > l4len - off)
			return DP_DROP_UNSUPPORTED;
		if (o[0] == DP_ND_OPT_SOURCE_LLADDR)
			has_slla = true;
		off += olen;
	}
	if (from_unspec && (has_slla || !ip6_is_our_solicited_node(a, ip6->dst_addr)))
		return DP_DROP_UNSUPPORTED;
	/* Not one of ours: the kernel behind the TAP has our addresses only, so nobody's. */
	if (!ip6_is_ours(a, nd->target))
		return DP_DROP_NOT_OURS;
	if ((uint32_t)l4_off + DP_NA_LEN > room)
		return DP_DROP_RUNT;

	/* Source: the target (ours); destination: the soliciting node, or all-nodes for DAD. */
	memcpy(ip6->dst_addr, from_unspec ? ip6_all_nodes : ip6->src_addr, 16);
	memcpy(ip6->src_addr, nd->target, 16);
	ip6->hop_limits = DP_ND_HOP_LIMIT;
	ip6->payload_len = rte_cpu_to_be_16(DP_NA_LEN);
	nd->type = DP_ND_NEIGHBOR_ADVERT;
	/* RFC 4861 7.2.4: Solicited only in answer to a unicast-sourced solicitation. */
	nd->flags =
	    rte_cpu_to_be_32(DP_NA_FLAG_OVERRIDE | (from_unspec ? 0 : DP_NA_FLAG_SOLICITED));
	opt = (struct dp_nd_opt_lla *)(nd + 1);
	opt->type = DP_ND_OPT_TARGET_LLADDR;
	opt->len = 1;
	memcpy(opt->mac, a->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nd->cksum = 0;
	nd->cksum = rte_ipv6_udptcp_cksum(ip6, nd);
	if (from_unspec)
		rte_ether_addr_copy(&mac_all_nodes, &eth->dst_addr);
	else
		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&a->mac, &eth->src_addr);
	res->verdict = DP_TX;
	res->len = (uint16_t)(l4_off + DP_NA_LEN);
	return DP_DROP_NONE;
}

static enum dp_drop_reason handle_icmp6(const dp_addrs_t *a, struct rte_ether_hdr *eth,
					struct rte_ipv6_hdr *ip6, uint16_t l4_off, uint16_t l4len,
					uint16_t room, bool dst_ours, dp_result_t *res)
{
	struct dp_icmp6_hdr *icmp = (struct dp_icmp6_hdr *)((uint8_t *)eth + l4_off);

	if (l4len < sizeof(*icmp))
		return DP_DROP_RUNT;
	if (icmp->type == DP_ND_NEIGHBOR_SOLICIT)
		return handle_ns(a, eth, ip6, l4_off, l4len, room, res);
	/* Solicited-node multicast carries NS only. */
	if (!dst_ours)
		return DP_DROP_NOT_OURS;
	if (icmp->type != DP_ICMP6_ECHO_REQUEST || icmp->code != 0) {
		return exception(res);
	}
	if (!l4_cksum_ok_v6(ip6, icmp, l4len))
		return DP_DROP_BAD_CSUM;
	if (ip6->src_addr[0] == 0xff || ip6_is_unspecified(ip6->src_addr))
		return DP_DROP_BAD_IP;

	ip6_reply(ip6, DP_REPLY_TTL);
	icmp->type = DP_ICMP6_ECHO_REPLY;
	icmp->cksum = 0;
	icmp->cksum = rte_ipv6_udptcp_cksum(ip6, icmp);
	eth_reply(eth, a);
	res->verdict = DP_TX;
	res->len = (uint16_t)(l4_off + l4len);
	return DP_DROP_NONE;
}

static enum dp_drop_reason handle_ipv6(const dp_addrs_t *a, const zt_t *zt,
				       struct rte_ether_hdr *eth, uint16_t l3_off, uint16_t len,
				       uint16_t room, dp_result_t *res)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)((uint8_t *)eth + l3_off);
	const uint16_t l3len = len - l3_off;
	const uint16_t l4_off = l3_off + sizeof(*ip6);
	uint16_t plen;
	bool dst_ours;

	if (l3len < sizeof(*ip6))
		return DP_DROP_RUNT;
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return DP_DROP_BAD_IP;
	plen = rte_be_to_cpu_16(ip6->payload_len);
	/* A zero payload length means a jumbogram (RFC 2675): never on our links. */
	if (plen > l3len - sizeof(*ip6))
		return DP_DROP_BAD_IP;
	dst_ours = ip6_is_ours(a, ip6->dst_addr);
	if (!dst_ours &&
	    !(ip6->proto == IPPROTO_ICMPV6 && ip6_is_our_solicited_node(a, ip6->dst_addr)))
		return DP_DROP_NOT_OURS;

	switch (ip6->proto) {
	case IPPROTO_UDP:
		if (ip6->src_addr[0] == 0xff || ip6_is_unspecified(ip6->src_addr))
			return DP_DROP_BAD_IP;
		return handle_udp6(a, zt, eth, ip6, l4_off, plen, room, res);
	case IPPROTO_ICMPV6:
		return handle_icmp6(a, eth, ip6, l4_off, plen, room, dst_ours, res);
	default:
		/* TCP, extension headers (fragments included), anything else: the kernel's. */
		return exception(res);
	}
}

/* ------------------------------------------------------------------ Ethernet */

static enum dp_drop_reason handle_eth(const dp_addrs_t *addrs, const zt_t *zt, uint8_t *frame,
				      uint16_t len, uint16_t room, dp_result_t *res)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	uint16_t l3_off = sizeof(*eth);
	uint16_t type;
	bool mcast6 = false;

	if (unlikely(len < sizeof(*eth)))
		return DP_DROP_RUNT;

	if (!rte_is_same_ether_addr(&eth->dst_addr, &addrs->mac) &&
	    !rte_is_broadcast_ether_addr(&eth->dst_addr)) {
		/* 33:33:x (RFC 2464 7): IPv6 multicast, which carries Neighbour Solicitations. */
		if (eth->dst_addr.addr_bytes[0] != 0x33 || eth->dst_addr.addr_bytes[1] != 0x33)
			return DP_DROP_NOT_OURS;
		mcast6 = true;
	}
	/* A reply must never go to a group address. */
	if (rte_is_multicast_ether_addr(&eth->src_addr))
		return DP_DROP_NOT_OURS;

	type = rte_be_to_cpu_16(eth->ether_type);
	if (type == RTE_ETHER_TYPE_VLAN) {
		const struct rte_vlan_hdr *vlan = (const struct rte_vlan_hdr *)(eth + 1);

		if (len < sizeof(*eth) + sizeof(*vlan))
			return DP_DROP_RUNT;
		type = rte_be_to_cpu_16(vlan->eth_proto);
		l3_off += sizeof(*vlan);
	}
	if (mcast6 && type != RTE_ETHER_TYPE_IPV6)
		return DP_DROP_NOT_OURS;

	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		return handle_ipv4(addrs, zt, eth, l3_off, len, room, res);
	case RTE_ETHER_TYPE_IPV6:
		return handle_ipv6(addrs, zt, eth, l3_off, len, room, res);
	case RTE_ETHER_TYPE_ARP:
		return handle_arp(addrs, eth, frame + l3_off, len - l3_off, res, len);
	default:
		return DP_DROP_UNSUPPORTED;
	}
}

void dp_pkt_handle_burst(const dp_addrs_t *addrs, const zt_t *zt, const dgram_ctx_t *dg,
			 const zt_burst_t *burst, unsigned bi, uint8_t *frame, uint16_t len,
			 uint16_t room, unsigned rx_ok, dp_result_t *res)
{
	enum dp_drop_reason reason;

	memset(res, 0, sizeof(*res));
	res->dg = dg;
	res->burst = burst;
	res->bi = bi;
	res->rx_ok = rx_ok;
	reason = handle_eth(addrs, zt, frame, RTE_MIN(len, room), room, res);
	if (reason != DP_DROP_NONE) {
		res->verdict = DP_DROP;
		res->reason = reason;
		res->len = 0;
		res->dns = false; /* info stays: the engine's reason for sending nothing */
	}
}

void dp_pkt_handle(const dp_addrs_t *addrs, const zt_t *zt, const dgram_ctx_t *dg, uint8_t *frame,
		   uint16_t len, uint16_t room, unsigned rx_ok, dp_result_t *res)
{
	dp_pkt_handle_burst(addrs, zt, dg, NULL, 0, frame, len, room, rx_ok, res);
}

const uint8_t *dp_pkt_dns(const dp_addrs_t *addrs, const uint8_t *frame, uint16_t len,
			  uint16_t *qlen)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	uint16_t off = sizeof(*eth), type, l4_off, ulen;
	const struct rte_udp_hdr *udp;

	if (len < sizeof(*eth) + sizeof(struct rte_vlan_hdr))
		return NULL;
	type = rte_be_to_cpu_16(eth->ether_type);
	if (type == RTE_ETHER_TYPE_VLAN) {
		type = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(eth + 1))->eth_proto);
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(frame + off);

		if (len < off + sizeof(*ip) || (ip->version_ihl >> 4) != 4 ||
		    ip->next_proto_id != IPPROTO_UDP ||
		    (rte_be_to_cpu_16(ip->fragment_offset) & 0x3fff) != 0)
			return NULL;
		l4_off = (uint16_t)(off + (ip->version_ihl & 0xf) * 4u);
	} else if (type == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(frame + off);

		if (len < off + sizeof(*ip6) || ip6->proto != IPPROTO_UDP)
			return NULL;
		l4_off = (uint16_t)(off + sizeof(*ip6));
	} else {
		return NULL;
	}
	if ((uint32_t)l4_off + sizeof(*udp) > len)
		return NULL;
	udp = (const struct rte_udp_hdr *)(frame + l4_off);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (udp->dst_port != rte_cpu_to_be_16(addrs->dns_port) || ulen < sizeof(*udp) ||
	    (uint32_t)l4_off + ulen > len)
		return NULL;
	*qlen = (uint16_t)(ulen - sizeof(*udp));
	return (const uint8_t *)(udp + 1);
}
