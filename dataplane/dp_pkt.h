/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_pkt.h: the packet layer: one Ethernet frame in, answered in place, passed on or dropped */
#ifndef DP_PKT_H
#define DP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "burst.h"
#include "dgram.h"
#include "rrl.h"
#include "zt.h"

#define DP_MAX_ADDRS 8
#define DP_DNS_PORT 53

/* What the worker must do with the frame after dp_pkt_handle(). */
enum dp_verdict {
	DP_TX = 0, /* answered in place: send the frame (new length) back out of the port */
	DP_EXCEPTION =
	    1,	     /* ours but not for the fast path (TCP, fragments...): hand to the kernel */
	DP_DROP = 2, /* not ours or not valid: free it and count the reason */
};

enum dp_drop_reason {
	DP_DROP_NONE = 0,
	DP_DROP_RUNT,	     /* shorter than its headers say */
	DP_DROP_NOT_OURS,    /* another MAC or IP address, or a multicast we do not serve */
	DP_DROP_BAD_IP,	     /* IPv4 version/IHL/total length, IPv6 payload length */
	DP_DROP_BAD_CSUM,    /* IPv4 header or UDP checksum wrong */
	DP_DROP_UNSUPPORTED, /* an EtherType or protocol we neither answer nor pass on */
	/*
	 * The reasons above have a counter each (drop-...); those below are DNS queries without a
	 * response, which dgram_answer() counted already (udp-dropped, rrl-dropped).
	 */
	DP_DROP_COUNTED,
	DP_DROP_DNS = DP_DROP_COUNTED, /* the answer engine sent nothing (short, a response) */
	DP_DROP_RRL,		       /* over the response rate limit */
	DP_DROP_REASONS,
};

/* Addresses of this server on the port: it answers ARP/ND and DNS only for them. */
typedef struct dp_addrs {
	struct rte_ether_addr mac;
	uint32_t ip4[DP_MAX_ADDRS]; /* network byte order */
	unsigned n_ip4;
	uint8_t ip6[DP_MAX_ADDRS][16];
	unsigned n_ip6;
	uint16_t dns_port;     /* host byte order; DP_DNS_PORT */
	bool notify_to_kernel; /* NOTIFY goes through the TAP to sandnsd (secondary zones) */
	bool tx_csum; /* the port writes IPv4 header and UDP checksums (RTE_ETH_TX_OFFLOAD_*):
		       * an answer leaves them to it (dp_result_t.tx_csum) */
} dp_addrs_t;

/* What the port verified of a frame it received (its mbuf's RX checksum flags): dp_pkt_handle's
 * RX_OK. Only a good checksum is taken; a bad or unknown one is checked again in software. */
#define DP_RX_IP_GOOD 0x1 /* the IPv4 header checksum */
#define DP_RX_L4_GOOD 0x2 /* the UDP checksum */

typedef struct dp_result {
	enum dp_verdict verdict;
	enum dp_drop_reason reason; /* when DP_DROP */
	uint16_t len;		    /* when DP_TX: the frame's new length */
	bool dns;		    /* a DNS answer was written */
	uint8_t rrl_action;	    /* enum rrl_action: RRL_SLIP cut the answer short (TC) */
	zt_answer_info_t info;	    /* when dns */
	const dgram_ctx_t *dg;	    /* dp_pkt_handle()'s, for the handlers below it */
	const zt_burst_t *burst;    /* dp_pkt_handle_burst()'s (or NULL), likewise */
	unsigned bi;		    /* and the frame's place in that burst */
	unsigned rx_ok;		    /* dp_pkt_handle()'s RX_OK */
	/* When DP_TX with the port's checksums (addrs->tx_csum): 4 or 6, the IP version, else 0;
	 * the caller sets the mbuf's TX checksum flags and L2_LEN, L3_LEN for the port. */
	uint8_t tx_csum;
	uint8_t l2_len, l3_len;
} dp_result_t;

/*
 * Handles one frame of LEN bytes in a buffer of ROOM bytes (ROOM >= LEN): Ethernet with at most
 * one 802.1Q tag; ARP requests and IPv6 Neighbour Solicitations for our addresses get replies;
 * ICMP and ICMPv6 echo requests get echo replies; DNS over UDP to our addresses and port is
 * answered by zt_answer() in the same buffer. IPv4 headers (version, IHL, total length, header
 * checksum) and UDP checksums (IPv4 when not zero, IPv6 always) are verified; replies get real
 * checksums. Other packets to our addresses (TCP, other ports, fragments, other ICMP) are
 * DP_EXCEPTION; the rest DP_DROP with a reason. DNS queries go through dgram_answer() with the
 * worker's DG: its response rate limiter (NULL: none; call rrl_tick() once per burst) and its
 * UDP answering counters, which count every query that reaches the engine. RX_OK (DP_RX_*)
 * says which checksums the port verified already: those are not computed again. When
 * addrs->tx_csum, a DNS answer over UDP gets its IPv4 header checksum 0 and its UDP checksum
 * the pseudo-header's (what DPDK's checksum offload wants), and res->tx_csum says so. Never
 * allocates, locks or blocks.
 */
void dp_pkt_handle(const dp_addrs_t *addrs, const zt_t *zt, const dgram_ctx_t *dg, uint8_t *frame,
		   uint16_t len, uint16_t room, unsigned rx_ok, dp_result_t *res);

/*
 * dp_pkt_handle() for frame BI of a burst whose DNS queries zt_burst_prepare() read ahead into
 * BURST (found by dp_pkt_dns()): the same verdicts and octets, the query not read again.
 */
void dp_pkt_handle_burst(const dp_addrs_t *addrs, const zt_t *zt, const dgram_ctx_t *dg,
			 const zt_burst_t *burst, unsigned bi, uint8_t *frame, uint16_t len,
			 uint16_t room, unsigned rx_ok, dp_result_t *res);

/*
 * Where the DNS message of FRAME (LEN octets) starts when the frame looks like a UDP datagram to
 * our DNS port (IPv4 unfragmented or IPv6, at most one 802.1Q tag), and its length (*QLEN, as
 * the UDP header gives it): NULL when it does not. A guess for reading a burst ahead, without the
 * checks dp_pkt_handle() makes (addresses, checksums); it never reads past LEN.
 */
const uint8_t *dp_pkt_dns(const dp_addrs_t *addrs, const uint8_t *frame, uint16_t len,
			  uint16_t *qlen);

#endif
