/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sandns-reflector: the bare figure of a DPDK path, to set sandnsd's replies/s against.
 *
 *   sandns-reflector [EAL arguments] -- IPV4
 *
 * EAL comes up from the arguments before `--` (for example `--no-huge -m 512 --no-pci -l 1
 * --vdev=net_af_xdp0,iface=veth0`); the first port gets one RX and one TX queue. The loop: an RX
 * burst of 32; each IPv4/UDP frame for IPV4 goes back where it came from (Ethernet, IPv4 and UDP
 * source and destination swapped, which leaves every checksum as it was; the DNS QR bit set with
 * the UDP checksum fixed incrementally, RFC 1624); ARP requests for IPV4 are answered so that the
 * generator's kernel resolves us; the rest is dropped; a TX burst. After 8 empty polls in a row
 * the loop sleeps 50 us, the same adaptive back-off as sandnsd's workers, so that both pay the
 * same for sharing the core with the kernel work (veth NAPI) that feeds them.
 * SIGINT/SIGTERM stop it; it prints its counters and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define BURST 32
#define NB_RXD 1024
#define NB_TXD 1024
#define MBUF_CACHE 256
#define IDLE_SPINS 8
#define IDLE_SLEEP_NS 50000
#define DNS_HDR_LEN 12

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct counters {
	uint64_t rx, reflected, arp, dropped, tx_full, idle_sleeps;
};

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in host order on the 16-bit words. */
static inline uint16_t csum_update16(uint16_t hc, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~hc + (uint16_t)~old + (uint32_t) new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An ARP request for ADDR becomes our reply, in place. */
static bool arp_answer(struct rte_mbuf *m, struct rte_ether_hdr *eth, rte_be32_t addr,
		       const struct rte_ether_addr *mac)
{
	struct rte_arp_hdr *arp;
	rte_be32_t sip;

	if (m->data_len < sizeof(*eth) + sizeof(*arp))
		return false;
	arp = (struct rte_arp_hdr *)(eth + 1);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
	    arp->arp_data.arp_tip != addr)
		return false;
	sip = arp->arp_data.arp_sip;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = sip;
	rte_ether_addr_copy(mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = addr;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	return true;
}

/* An IPv4/UDP frame for ADDR (any address when 0) goes back, in place. */
static bool udp_reflect(struct rte_mbuf *m, struct rte_ether_hdr *eth, rte_be32_t addr)
{
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct rte_ether_addr tmac;
	rte_be32_t tip;
	rte_be16_t tport;
	unsigned ihl;

	if (m->data_len < sizeof(*eth) + sizeof(*ip) + sizeof(*udp))
		return false;
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ihl = (ip->version_ihl & 0x0f) * 4u;
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || ip->next_proto_id != IPPROTO_UDP ||
	    (addr != 0 && ip->dst_addr != addr) || m->data_len < sizeof(*eth) + ihl + sizeof(*udp))
		return false;
	udp = (struct rte_udp_hdr *)((uint8_t *)ip + ihl);

	rte_ether_addr_copy(&eth->src_addr, &tmac);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&tmac, &eth->dst_addr);
	tip = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tip;
	tport = udp->src_port;
	udp->src_port = udp->dst_port;
	udp->dst_port = tport;

	/* The DNS flags word sits at an even offset from the UDP header: one 16-bit update. */
	if (m->data_len >= sizeof(*eth) + ihl + sizeof(*udp) + DNS_HDR_LEN &&
	    rte_be_to_cpu_16(udp->dgram_len) >= sizeof(*udp) + DNS_HDR_LEN) {
		rte_be16_t *flags = (rte_be16_t *)((uint8_t *)(udp + 1) + 2);
		uint16_t old = rte_be_to_cpu_16(*flags), new = old | 0x8000;

		if (new != old) {
			*flags = rte_cpu_to_be_16(new);
			if (udp->dgram_cksum != 0) {
				uint16_t c =
				    csum_update16(rte_be_to_cpu_16(udp->dgram_cksum), old, new);
				udp->dgram_cksum = rte_cpu_to_be_16(c == 0 ? 0xffff : c);
			}
		}
	}
	return true;
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

static void loop(uint16_t port, rte_be32_t addr, const struct rte_ether_addr *mac,
		 struct counters *c)
{
	const struct timespec nap = {.tv_sec = 0, .tv_nsec = IDLE_SLEEP_NS};
	struct rte_mbuf *rx[BURST], *tx[BURST];
	unsigned empty = 0;

	while (!stop) {
		uint16_t n, i, ntx = 0, sent;

		n = rte_eth_rx_burst(port, 0, rx, BURST);
		if (n == 0) {
			if (++empty >= IDLE_SPINS) {
				c->idle_sleeps++;
				nanosleep(&nap, NULL);
			}
			continue;
		}
		empty = 0;
		c->rx += n;
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = rx[i];
			struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
			bool keep = false;

			if (likely(m->data_len >= sizeof(*eth))) {
				if (likely(eth->ether_type ==
					   rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))) {
					keep = udp_reflect(m, eth, addr);
					c->reflected += keep;
				} else if (eth->ether_type ==
					       rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) &&
					   addr != 0) {
					keep = arp_answer(m, eth, addr, mac);
					c->arp += keep;
				}
			}
			if (likely(keep)) {
				tx[ntx++] = m;
			} else {
				c->dropped++;
				rte_pktmbuf_free(m);
			}
		}
		sent = rte_eth_tx_burst(port, 0, tx, ntx);
		if (unlikely(sent < ntx)) {
			c->tx_full += ntx - sent;
			rte_pktmbuf_free_bulk(tx + sent, ntx - sent);
		}
	}
}

int main(int argc, char **argv)
{
	struct counters c;
	struct rte_mempool *pool;
	struct rte_ether_addr mac;
	struct in_addr ia = {.s_addr = 0};
	uint16_t port;
	unsigned nmbufs;
	int used, rc;

	used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "sandns-reflector: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	argc -= used;
	argv += used;
	if (argc > 2 || (argc == 2 && inet_pton(AF_INET, argv[1], &ia) != 1)) {
		fprintf(stderr, "usage: sandns-reflector [EAL arguments] -- [IPV4]\n");
		rte_eal_cleanup();
		return 2;
	}
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "sandns-reflector: no port (give EAL a --vdev or a PCI device)\n");
		rte_eal_cleanup();
		return 2;
	}
	port = 0;
	RTE_ETH_FOREACH_DEV(port)
	{
		break;
	}

	/* Both rings full, a burst in flight, the lcore cache, some slack. */
	nmbufs = NB_RXD + NB_TXD + MBUF_CACHE + 4 * BURST + 2048;
	pool = rte_pktmbuf_pool_create("reflector_mbufs", nmbufs, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "sandns-reflector: cannot allocate %u mbufs: %s (raise EAL -m)\n",
			nmbufs, rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 2;
	}
	rc = port_setup(port, pool);
	if (rc != 0) {
		fprintf(stderr, "sandns-reflector: cannot set up port %u: %s\n", port,
			rte_strerror(rc < 0 ? -rc : rc));
		rte_eth_dev_close(port);
		rte_mempool_free(pool);
		rte_eal_cleanup();
		return 2;
	}
	rte_eth_macaddr_get(port, &mac);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	memset(&c, 0, sizeof(c));
	printf("sandns-reflector: serving on port %u, lcore %u, %s\n", port, rte_lcore_id(),
	       ia.s_addr != 0 ? argv[1] : "any IPv4 address");
	fflush(stdout);

	loop(port, ia.s_addr, &mac, &c);

	printf("sandns-reflector: rx=%" PRIu64 " reflected=%" PRIu64 " arp=%" PRIu64
	       " dropped=%" PRIu64 " tx-full=%" PRIu64 " idle-sleeps=%" PRIu64 "\n",
	       c.rx, c.reflected, c.arp, c.dropped, c.tx_full, c.idle_sleeps);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
