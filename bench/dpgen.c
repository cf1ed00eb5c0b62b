/* SPDX-License-Identifier: BSD-3-Clause */
/* dpgen.c: a DPDK DNS query generator at a fixed offered rate that counts the replies */
/*
 *   sandns-dpgen [EAL arguments] -- -i QUERYFILE -s SRC_IPV4 [-t SECONDS] [-Q RATE]
 *                [-p PORT] [-m DST_MAC] DST_IPV4
 *
 * EAL comes up from the arguments before `--` (bench/e2e.sh gives scripts/topo.sh's topo_eal:
 * `--no-huge -m 512 --no-pci -l CPU --vdev=net_af_xdp0,iface=VETH ...`); the first port gets one
 * RX and one TX queue. QUERYFILE is kxdpgun's format: one query a line, "NAME TYPE [FLAG]", FLAG
 * E (EDNS) or D (EDNS with DO). The frames are Ethernet/IPv4/UDP/DNS from the port's MAC and
 * SRC_IPV4 to DST_MAC (or the MAC that one ARP request for DST_IPV4 learns, asked up to 3 times)
 * and DST_IPV4, with real IPv4 and UDP checksums; the list is taken round robin, each query with
 * the next source port (1024-65535) and the next DNS ID.
 *
 * Sending: RATE queries/s (default 100000) for SECONDS (default 5, at most 3600): a token bucket
 * on rte_rdtsc() that sends bursts of 32 (it holds at most 10 ms' worth, or 4 bursts, so that
 * a time slice lost to the scheduler is made up but a long stall does not turn into a flood); what
 * the TX ring does not take is counted (tx-full), not retried. When nothing came in and the next
 * burst is more than IDLE_MIN_NS away, the loop sleeps until then (at most IDLE_MAX_NS), which
 * leaves the core to the kernel work that feeds it (veth NAPI). Receiving: a reply counts when it
 * is IPv4/UDP from DST_IPV4:PORT to SRC_IPV4 on one of our source ports, its UDP checksum is right
 * (or 0), and it has a DNS header with QR set and opcode QUERY; its RCODE is counted. Other frames
 * count as "other" (ARP requests for SRC_IPV4 from DST_IPV4 are answered, so that a kernel server
 * resolves us). Replies are taken for DRAIN_MS more after the last send. cpu% is the CPU time
 * this process got (user and system) over the run's time: well under 100 at a rate it could not
 * send means that it was starved of its core.
 *
 * Nothing goes anywhere but DST: the queries, one ARP request for DST_IPV4 (broadcast, as ARP
 * is), and ARP replies to DST_IPV4 alone. SIGINT/SIGTERM end the run early (the summary then
 * says "interrupted" and its time is the time taken). The end, one line each, for scripts:
 *   dpgen-result offered=Q seconds=S sent=N tx-full=N replies=N replies/s=N loss%=X other=N cpu%=C
 *   dpgen-rcodes NOERROR=N NXDOMAIN=N ... (only those seen)
 * Exit: 0 after a run, 1 when the destination's MAC could not be learned, 2 on usage or set-up
 * errors.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#define BURST 32
#define BUCKET_BURSTS 4
#define BUCKET_MS 10
#define NB_RXD 4096
#define NB_TXD 4096
#define MBUF_CACHE 256
#define IDLE_MIN_NS 20000
#define IDLE_MAX_NS 50000
#define DRAIN_MS 300
#define ARP_TRIES 3
#define ARP_WAIT_MS 1000
#define SPORT_MIN 1024u
#define SPORT_SPAN (65536u - SPORT_MIN)
#define MAX_SECONDS 3600
#define MAX_RATE 100000000UL
#define DNS_HDR_LEN 12
#define QMAX 512 /* the largest DNS query we build (name 255, OPT 11, header 12, type, class) */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct query {
	uint16_t len; /* of the whole frame */
	uint8_t frame[sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
		      sizeof(struct rte_udp_hdr) + QMAX];
};

struct gen {
	uint16_t port, dport;
	rte_be32_t src, dst;
	struct rte_ether_addr mac, dmac;
	struct rte_mempool *pool;
	struct query *q;
	size_t nq, next;
	uint32_t seq;
	uint64_t sent, tx_full, replies, other, rcode[16];
};

static const struct {
	const char *name;
	uint16_t type;
} types[] = {
    {"A", 1},	    {"NS", 2},	   {"CNAME", 5},  {"SOA", 6},	 {"PTR", 12},
    {"HINFO", 13},  {"MX", 15},	   {"TXT", 16},	  {"AAAA", 28},	 {"SRV", 33},
    {"NAPTR", 35},  {"DS", 43},	   {"SSHFP", 44}, {"RRSIG", 46}, {"NSEC", 47},
    {"DNSKEY", 48}, {"NSEC3", 50}, {"TLSA", 52},  {"CDS", 59},	 {"CDNSKEY", 60},
    {"SVCB", 64},   {"HTTPS", 65}, {"CAA", 257},  {"ANY", 255},	 {"NSEC3PARAM", 51},
};

static const char *const rcode_names[16] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "RCODE11",  "RCODE12", "RCODE13", "RCODE14",  "RCODE15",
};

static int parse_type(const char *s, uint16_t *type)
{
	size_t i;
	char *end;
	unsigned long v;

	for (i = 0; i < RTE_DIM(types); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			*type = types[i].type;
			return 0;
		}
	}
	if (strncasecmp(s, "TYPE", 4) == 0 && isdigit((unsigned char)s[4])) {
		errno = 0;
		v = strtoul(s + 4, &end, 10);
		if (errno == 0 && *end == '\0' && v <= 65535) {
			*type = (uint16_t)v;
			return 0;
		}
	}
	return -1;
}

/* NAME in wire form into OUT (at most 255 bytes); its length, or -1. No escapes. */
static int name_to_wire(const char *name, uint8_t *out)
{
	size_t len = 0, n;
	const char *p = name, *dot;

	if (strcmp(name, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63 || len + 1 + n + 1 > 255 || memchr(p, '\\', n) != NULL)
			return -1;
		out[len++] = (uint8_t)n;
		memcpy(out + len, p, n);
		len += n;
		p += n;
		if (*p == '.')
			p++;
	}
	out[len++] = 0;
	return (int)len;
}

/* The frame of one query (source port and DNS ID 0, UDP checksum left for the send). */
static void build_frame(struct gen *g, struct query *q, const uint8_t *qname, int qlen,
			uint16_t type, char flag)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)q->frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *dns = (uint8_t *)(udp + 1), *p = dns;
	uint16_t dlen;

	memset(q->frame, 0, sizeof(q->frame));
	/* Header: ID 0, flags 0 (a plain non-recursive query), QDCOUNT 1, ARCOUNT 1 with EDNS. */
	p[5] = 1;
	p[11] = flag != 0;
	p += DNS_HDR_LEN;
	memcpy(p, qname, (size_t)qlen);
	p += qlen;
	*p++ = (uint8_t)(type >> 8);
	*p++ = (uint8_t)type;
	*p++ = 0;
	*p++ = 1; /* class IN */
	if (flag != 0) {
		/* OPT: root owner, type 41, UDP size 1232, extended RCODE 0, version 0, DO. */
		static const uint8_t opt[] = {0, 0, 41, 1232 >> 8, 1232 & 0xff, 0, 0, 0, 0, 0, 0};

		memcpy(p, opt, sizeof(opt));
		if (flag == 'D')
			p[7] = 0x80;
		p += sizeof(opt);
	}
	dlen = (uint16_t)(p - dns);

	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	rte_ether_addr_copy(&g->mac, &eth->src_addr);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*udp) + dlen);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = g->src;
	ip->dst_addr = g->dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dst_port = rte_cpu_to_be_16(g->dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + dlen);
	q->len = (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + dlen);
}

/* The query file into G->q; 0, or -1 having said why. */
static int load_queries(struct gen *g, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024], name[300], type[64], flag[8];
	uint8_t wire[256];
	size_t cap = 0, lineno = 0;
	uint16_t t;
	int n, qlen;

	if (f == NULL) {
		fprintf(stderr, "sandns-dpgen: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		flag[0] = '\0';
		n = sscanf(line, "%299s %63s %7s", name, type, flag);
		if (n <= 0 || name[0] == '#' || name[0] == ';')
			continue;
		if (n < 2 || parse_type(type, &t) != 0 || (qlen = name_to_wire(name, wire)) < 0 ||
		    (n == 3 && (strlen(flag) != 1 || (flag[0] != 'E' && flag[0] != 'D')))) {
			fprintf(stderr, "sandns-dpgen: %s:%zu: not \"NAME TYPE [E|D]\"\n", path,
				lineno);
			fclose(f);
			return -1;
		}
		if (g->nq == cap) {
			struct query *nqs;

			cap = cap ? 2 * cap : 16;
			nqs = realloc(g->q, cap * sizeof(*nqs));
			if (nqs == NULL) {
				fprintf(stderr, "sandns-dpgen: out of memory\n");
				fclose(f);
				return -1;
			}
			g->q = nqs;
		}
		build_frame(g, &g->q[g->nq++], wire, qlen, t, n == 3 ? flag[0] : 0);
	}
	fclose(f);
	if (g->nq == 0) {
		fprintf(stderr, "sandns-dpgen: no queries in %s\n", path);
		return -1;
	}
	return 0;
}

static int port_setup(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD;
	int socket = rte_eth_dev_socket_id(port), rc;
	unsigned sock = socket < 0 ? 0 : (unsigned)socket;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, nb_rxd, sock, NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, nb_txd, sock, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

/* An ARP frame (OP: request to broadcast, or reply to THA) into a new mbuf, sent. */
static void arp_send(struct gen *g, uint16_t op, const struct rte_ether_addr *tha)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	arp = (struct rte_arp_hdr *)(eth + 1);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	rte_ether_addr_copy(&g->mac, &eth->src_addr);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&g->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = g->src;
	arp->arp_data.arp_tip = g->dst;
	if (op == RTE_ARP_OP_REQUEST) {
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
		memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	} else {
		rte_ether_addr_copy(tha, &eth->dst_addr);
		rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	}
	if (rte_eth_tx_burst(g->port, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

/* An ARP frame from DST: a request for SRC is answered; a reply's sender MAC into LEARNT. */
static void arp_input(struct gen *g, const struct rte_mbuf *m, const struct rte_ether_hdr *eth,
		      struct rte_ether_addr *learnt, bool *got)
{
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

	if (m->data_len < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_data.arp_sip != g->dst) {
		g->other++;
		return;
	}
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    arp->arp_data.arp_tip == g->src) {
		arp_send(g, RTE_ARP_OP_REPLY, &arp->arp_data.arp_sha);
	} else if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) && learnt != NULL &&
		   rte_is_unicast_ether_addr(&arp->arp_data.arp_sha)) {
		rte_ether_addr_copy(&arp->arp_data.arp_sha, learnt);
		*got = true;
	} else {
		g->other++;
	}
}

/* A received IPv4 frame: a reply to us is counted with its RCODE; 1 when it was one. */
static int reply_input(struct gen *g, const struct rte_mbuf *m, const struct rte_ether_hdr *eth)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_udp_hdr *udp;
	const uint8_t *dns;
	unsigned ihl;
	uint16_t ulen;

	if (m->data_len < sizeof(*eth) + sizeof(*ip) + sizeof(*udp))
		return 0;
	ihl = (ip->version_ihl & 0x0f) * 4u;
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || ip->next_proto_id != IPPROTO_UDP ||
	    ip->src_addr != g->dst || ip->dst_addr != g->src ||
	    (ip->fragment_offset &
	     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
	    m->data_len < sizeof(*eth) + ihl + sizeof(*udp))
		return 0;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (udp->src_port != rte_cpu_to_be_16(g->dport) ||
	    rte_be_to_cpu_16(udp->dst_port) < SPORT_MIN || ulen < sizeof(*udp) + DNS_HDR_LEN ||
	    m->data_len < sizeof(*eth) + ihl + ulen ||
	    rte_be_to_cpu_16(ip->total_length) < ihl + ulen)
		return 0;
	if (udp->dgram_cksum != 0) {
		/* The sum over the datagram with its checksum and the pseudo-header is all ones. */
		uint32_t sum = rte_raw_cksum(udp, ulen) + rte_ipv4_phdr_cksum(ip, 0);

		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff)
			return 0;
	}
	dns = (const uint8_t *)(udp + 1);
	if ((dns[2] & 0x80) == 0 || (dns[2] & 0x78) != 0)
		return 0;
	g->rcode[dns[3] & 0x0f]++;
	g->replies++;
	return 1;
}

/* One RX burst, every frame looked at and freed; the number received. */
static uint16_t rx_poll(struct gen *g, struct rte_ether_addr *learnt, bool *got)
{
	struct rte_mbuf *rx[BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(g->port, 0, rx, BURST);
	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = rx[i];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (unlikely(m->data_len < sizeof(*eth)))
			g->other++;
		else if (likely(eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)))
			g->other += reply_input(g, m, eth) == 0;
		else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
			arp_input(g, m, eth, learnt, got);
		else
			g->other++;
	}
	rte_pktmbuf_free_bulk(rx, n);
	return n;
}

/* The destination's MAC by ARP, ARP_TRIES requests ARP_WAIT_MS apart; 0 or -1. */
static int learn_mac(struct gen *g)
{
	uint64_t hz = rte_get_tsc_hz(), until;
	bool got = false;
	int i;

	for (i = 0; i < ARP_TRIES && !got && !stop; i++) {
		arp_send(g, RTE_ARP_OP_REQUEST, NULL);
		until = rte_rdtsc() + hz * ARP_WAIT_MS / 1000;
		while (!got && !stop && rte_rdtsc() < until) {
			if (rx_poll(g, &g->dmac, &got) == 0)
				rte_delay_us_sleep(1000);
		}
	}
	return got ? 0 : -1;
}

/* N queries into TX, each with the next source port and DNS ID and its UDP checksum. */
static unsigned fill(struct gen *g, struct rte_mbuf **tx, unsigned n)
{
	unsigned i;

	if (rte_pktmbuf_alloc_bulk(g->pool, tx, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		const struct query *q = &g->q[g->next];
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(tx[i], q->len);
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
		uint8_t *dns = (uint8_t *)(udp + 1);
		uint32_t s = g->seq++;

		if (++g->next == g->nq)
			g->next = 0;
		rte_memcpy(d, q->frame, q->len);
		rte_ether_addr_copy(&g->dmac, &eth->dst_addr);
		udp->src_port = rte_cpu_to_be_16((uint16_t)(SPORT_MIN + s % SPORT_SPAN));
		dns[0] = (uint8_t)(s >> 8);
		dns[1] = (uint8_t)s;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	return n;
}

/* The run: RATE queries/s for SECONDS, then DRAIN_MS of receiving; the seconds it took. */
static double run(struct gen *g, uint64_t rate, unsigned seconds)
{
	const uint64_t hz = rte_get_tsc_hz(), cost = hz, full = (uint64_t)BURST * hz;
	const uint64_t cap = RTE_MAX((uint64_t)BUCKET_BURSTS * BURST, rate / 1000 * BUCKET_MS) * hz;
	uint64_t start = rte_rdtsc(), last = start, end = start + (uint64_t)seconds * hz, now;
	uint64_t credit = 0, drain;
	struct rte_mbuf *tx[BURST];

	while (!stop && (now = rte_rdtsc()) < end) {
		uint16_t got = rx_poll(g, NULL, NULL);

		credit += (now - last) * rate;
		last = now;
		if (credit > cap)
			credit = cap;
		if (credit >= full) {
			unsigned n = fill(g, tx, BURST), sent;

			credit -= (uint64_t)BURST * cost;
			sent = rte_eth_tx_burst(g->port, 0, tx, (uint16_t)n);
			g->sent += sent;
			g->tx_full += BURST - sent;
			if (sent < n)
				rte_pktmbuf_free_bulk(tx + sent, n - sent);
		} else if (got == 0) {
			/* Nanoseconds until the next burst is due. */
			double ns = (double)((full - credit) / rate) * 1e9 / (double)hz;

			if (ns >= IDLE_MIN_NS) {
				struct timespec nap = {.tv_sec = 0,
						       .tv_nsec = ns < IDLE_MAX_NS ? (long)ns
										   : IDLE_MAX_NS};

				nanosleep(&nap, NULL);
			}
		}
	}
	now = rte_rdtsc();
	drain = now + hz * DRAIN_MS / 1000;
	while (!stop && rte_rdtsc() < drain) {
		if (rx_poll(g, NULL, NULL) == 0)
			rte_delay_us_sleep(100);
	}
	return (double)(now - start) / (double)hz;
}

static void usage(void)
{
	fprintf(stderr, "usage: sandns-dpgen [EAL arguments] -- -i QUERYFILE -s SRC_IPV4 "
			"[-t SECONDS] [-Q RATE] [-p PORT] [-m DST_MAC] DST_IPV4\n");
}

/* The options after EAL's into G and the rest; 0, or -1 having said why. */
static int parse_args(int argc, char **argv, struct gen *g, const char **file, uint64_t *rate,
		      unsigned *seconds, bool *have_dmac)
{
	struct in_addr ia;
	unsigned long v;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "i:s:t:Q:p:m:")) != -1) {
		errno = 0;
		switch (c) {
		case 'i':
			*file = optarg;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &ia) != 1)
				return -1;
			g->src = ia.s_addr;
			break;
		case 't':
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > MAX_SECONDS)
				return -1;
			*seconds = (unsigned)v;
			break;
		case 'Q':
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > MAX_RATE)
				return -1;
			*rate = v;
			break;
		case 'p':
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
				return -1;
			g->dport = (uint16_t)v;
			break;
		case 'm':
			if (rte_ether_unformat_addr(optarg, &g->dmac) != 0 ||
			    !rte_is_unicast_ether_addr(&g->dmac))
				return -1;
			*have_dmac = true;
			break;
		default:
			return -1;
		}
	}
	if (*file == NULL || g->src == 0 || optind != argc - 1 ||
	    inet_pton(AF_INET, argv[optind], &ia) != 1 || ia.s_addr == 0)
		return -1;
	g->dst = ia.s_addr;
	return 0;
}

/* User and system CPU seconds of this process so far. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0.0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void report(const struct gen *g, uint64_t rate, double secs, double cpu, bool interrupted)
{
	double loss =
	    g->sent ? 100.0 * (double)(g->sent - RTE_MIN(g->replies, g->sent)) / (double)g->sent
		    : 0.0;
	unsigned i;

	printf("dpgen-result offered=%" PRIu64 " seconds=%.3f sent=%" PRIu64 " tx-full=%" PRIu64
	       " replies=%" PRIu64 " replies/s=%.0f loss%%=%.2f other=%" PRIu64 " cpu%%=%.0f%s\n",
	       rate, secs, g->sent, g->tx_full, g->replies,
	       secs > 0 ? (double)g->replies / secs : 0.0, loss, g->other,
	       secs > 0 ? 100.0 * cpu / secs : 0.0, interrupted ? " interrupted" : "");
	printf("dpgen-rcodes");
	for (i = 0; i < 16; i++)
		if (g->rcode[i] != 0)
			printf(" %s=%" PRIu64, rcode_names[i], g->rcode[i]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct gen g;
	const char *file = NULL;
	uint64_t rate = 100000;
	unsigned seconds = 5, nmbufs;
	bool have_dmac = false;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	double secs, cpu;
	int used, rc, status = 0;

	memset(&g, 0, sizeof(g));
	g.dport = 53;
	/* From the start, so that a signal during the set-up still ends in an orderly close. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "sandns-dpgen: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	argc -= used;
	argv += used;
	if (parse_args(argc, argv, &g, &file, &rate, &seconds, &have_dmac) != 0) {
		usage();
		rte_eal_cleanup();
		return 2;
	}
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "sandns-dpgen: no port (give EAL a --vdev or a PCI device)\n");
		rte_eal_cleanup();
		return 2;
	}
	RTE_ETH_FOREACH_DEV(g.port)
	{
		break;
	}
	rte_eth_macaddr_get(g.port, &g.mac);
	if (load_queries(&g, file) != 0) {
		free(g.q);
		rte_eal_cleanup();
		return 2;
	}

	/* Both rings full, a burst in flight, the lcore cache, some slack. */
	nmbufs = NB_RXD + NB_TXD + MBUF_CACHE + 4 * BURST + 2048;
	g.pool = rte_pktmbuf_pool_create("dpgen_mbufs", nmbufs, MBUF_CACHE, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (g.pool == NULL) {
		fprintf(stderr, "sandns-dpgen: cannot allocate %u mbufs: %s (raise EAL -m)\n",
			nmbufs, rte_strerror(rte_errno));
		free(g.q);
		rte_eal_cleanup();
		return 2;
	}
	rc = port_setup(g.port, g.pool);
	if (rc != 0) {
		fprintf(stderr, "sandns-dpgen: cannot set up port %u: %s\n", g.port,
			rte_strerror(rc < 0 ? -rc : rc));
		status = 2;
		goto out;
	}
	/* Short naps are meant short: no 50 us of timer slack on top of them. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	if (!have_dmac && learn_mac(&g) != 0) {
		fprintf(stderr, "sandns-dpgen: %s %s\n",
			stop ? "interrupted before a reply from" : "no ARP reply from",
			argv[argc - 1]);
		status = stop ? 0 : 1;
		goto out;
	}
	rte_ether_format_addr(mac, sizeof(mac), &g.dmac);
	printf("sandns-dpgen: %" PRIu64 " q/s for %u s to %s (%s) port %u, %zu queries in %s, "
	       "lcore %u\n",
	       rate, seconds, argv[argc - 1], mac, g.dport, g.nq, file, rte_lcore_id());
	fflush(stdout);
	memset(g.rcode, 0, sizeof(g.rcode));
	g.other = 0;

	cpu = cpu_seconds();
	secs = run(&g, rate, seconds);
	report(&g, rate, secs, cpu_seconds() - cpu, stop != 0);
out:
	rte_eth_dev_stop(g.port);
	rte_eth_dev_close(g.port);
	rte_mempool_free(g.pool);
	free(g.q);
	rte_eal_cleanup();
	return status;
}
