/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_worker.c: the poll loop: rx burst, answer in place, tx burst; the TAP both ways */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <urcu-qsbr.h>

#include "dp_pvt.h"
#include "sandns_err.h"
#include "zpub.h"

const char *const dp_stat_names[DP_ST_COUNT] = {
    [DP_ST_RX] = "rx",
    [DP_ST_TX] = "tx",
    [DP_ST_EXCEPTION] = "exception",
    [DP_ST_TAP_RX] = "tap-rx",
    [DP_ST_TAP_TX] = "tap-tx",
    [DP_ST_TX_FULL] = "tx-full",
    [DP_ST_MULTISEG] = "drop-multiseg",
    [DP_ST_IDLE_SLEEPS] = "idle-sleeps",
    [DP_ST_RX_CSUM_HW] = "rx-csum-offloaded",
    [DP_ST_TX_CSUM_HW] = "tx-csum-offloaded",
    [DP_ST_DROP_FIRST + DP_DROP_NONE] = "drop-other",
    [DP_ST_DROP_FIRST + DP_DROP_RUNT] = "drop-runt",
    [DP_ST_DROP_FIRST + DP_DROP_NOT_OURS] = "drop-not-ours",
    [DP_ST_DROP_FIRST + DP_DROP_BAD_IP] = "drop-bad-ip",
    [DP_ST_DROP_FIRST + DP_DROP_BAD_CSUM] = "drop-bad-csum",
    [DP_ST_DROP_FIRST + DP_DROP_UNSUPPORTED] = "drop-unsupported",
    DGRAM_STAT_NAMES(DP_ST_DGRAM),
};

/*
 * Frames dp_pkt drops that the kernel behind the TAP still needs: what answers the kernel's own
 * ARP and ND (an ARP reply, a Neighbour Advertisement to its link-local address) comes unicast
 * to our MAC and is not for any of our --listen addresses. Only ARP and IPv6 sent to our MAC
 * qualify, so traffic for other hosts is still dropped and counted.
 */
static inline bool dp_for_kernel(const struct dp *dp, const uint8_t *frame, uint16_t len,
				 enum dp_drop_reason reason)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	uint16_t type;

	if (reason != DP_DROP_NOT_OURS && reason != DP_DROP_UNSUPPORTED)
		return false;
	if (len < sizeof(*eth) + 4 || !rte_is_same_ether_addr(&eth->dst_addr, &dp->addrs.mac))
		return false;
	type = eth->ether_type;
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN))
		type = *(const uint16_t *)(frame + sizeof(*eth) + 2);
	return type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) ||
	       type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
}

/* Sends N frames on PORT/Q; what the queue does not take is freed and counted. */
static inline void dp_send(struct dp_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(port, w->queue, pkts, n);
	if (unlikely(sent < n)) {
		dp_stat_add(w, DP_ST_TX_FULL, n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/* One burst from the data port: answered frames go back out, the kernel's go to the TAP. */
static inline uint16_t dp_poll_port(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	struct rte_mbuf *rx[DP_BURST], *tx[DP_BURST], *exc[DP_BURST];
	uint16_t n, i, ntx = 0, nexc = 0;
	const zt_t *zt;
	zt_burst_t *burst;
	dp_result_t res;
	uint64_t rx_hw = 0, tx_hw = 0;

	n = rte_eth_rx_burst(dp->port, w->queue, rx, DP_BURST);
	if (n == 0)
		return 0;
	dp_stat_add(w, DP_ST_RX, n);
	zt = zpub_current();
	if (w->dg.rrl != NULL)
		rrl_tick(w->dg.rrl);
	/*
	 * A large snapshot's lookups wait on memory: the burst's DNS queries are read first and
	 * the lines their lookups need fetched for all of them at once (zones/burst.h); each is
	 * then answered below without being read again. A small one is answered frame by frame.
	 */
	burst = zt_burst_reads(&w->burst, zt) ? &w->burst : NULL;
	if (burst != NULL) {
		const uint8_t *dns[DP_BURST];
		uint16_t dlen[DP_BURST];

		for (i = 0; i < n; i++) {
			dlen[i] = 0;
			dns[i] = rx[i]->nb_segs == 1
				     ? dp_pkt_dns(&dp->addrs, rte_pktmbuf_mtod(rx[i], uint8_t *),
						  rx[i]->data_len, &dlen[i])
				     : NULL;
		}
		zt_burst_prepare(burst, zt, dns, dlen, n);
	}
	for (i = 0; i < n && i < DP_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(rx[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rx[i];
		uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
		uint32_t room = (uint32_t)m->buf_len - m->data_off;
		/* The answer must fit the link: its MTU plus this frame's own L2 header. */
		uint32_t frame_max = dp->mtu + RTE_ETHER_HDR_LEN +
				     (m->data_len >= RTE_ETHER_HDR_LEN &&
					      ((const struct rte_ether_hdr *)frame)->ether_type ==
						  rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)
					  ? RTE_VLAN_HLEN
					  : 0);

		if (room > frame_max && m->data_len <= frame_max)
			room = frame_max;
		if (i + DP_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(rx[i + DP_PREFETCH], void *));
		if (unlikely(m->nb_segs != 1)) {
			dp_stat_add(w, DP_ST_MULTISEG, 1);
			rte_pktmbuf_free(m);
			continue;
		}
		unsigned rx_ok = 0;

		if (dp->rx_csum) {
			/* Only what the port found good is taken; the rest is checked again. */
			if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
			    RTE_MBUF_F_RX_IP_CKSUM_GOOD)
				rx_ok |= DP_RX_IP_GOOD;
			if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			    RTE_MBUF_F_RX_L4_CKSUM_GOOD)
				rx_ok |= DP_RX_L4_GOOD;
			rx_hw += rx_ok == (DP_RX_IP_GOOD | DP_RX_L4_GOOD);
		}
		dp_pkt_handle_burst(&dp->addrs, zt, &w->dg, burst, i, frame, m->data_len,
				    (uint16_t)(room > UINT16_MAX ? UINT16_MAX : room), rx_ok, &res);
		switch (res.verdict) {
		case DP_TX:
			m->data_len = res.len;
			m->pkt_len = res.len;
			m->ol_flags = 0;
			if (res.tx_csum != 0) {
				m->ol_flags = res.tx_csum == 4
						  ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
							RTE_MBUF_F_TX_UDP_CKSUM
						  : RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
				m->l2_len = res.l2_len;
				m->l3_len = res.l3_len;
				tx_hw++;
			}
			tx[ntx++] = m;
			break;
		case DP_EXCEPTION:
			exc[nexc++] = m;
			break;
		default:
			if (dp_for_kernel(dp, frame, m->data_len, res.reason)) {
				exc[nexc++] = m;
				break;
			}
			/* A DNS query's (DP_DROP_COUNTED on) is counted by dgram_answer() already.
			 */
			if (res.reason < DP_DROP_COUNTED)
				dp_stat_add(w, (enum dp_stat)(DP_ST_DROP_FIRST + res.reason), 1);
			rte_pktmbuf_free(m);
			break;
		}
	}
	dp_stat_add(w, DP_ST_TX, ntx);
	dp_stat_add(w, DP_ST_EXCEPTION, nexc);
	if (dp->rx_csum | dp->addrs.tx_csum) {
		dp_stat_add(w, DP_ST_RX_CSUM_HW, rx_hw);
		dp_stat_add(w, DP_ST_TX_CSUM_HW, tx_hw);
	}
	dp_send(w, dp->port, tx, ntx);
	dp_send(w, dp->tap_port, exc, nexc);
	return n;
}

/* What the kernel sends out of the TAP (SYN-ACKs, TCP answers, its ARP and ND) goes on the wire. */
static inline uint16_t dp_poll_tap(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	struct rte_mbuf *rx[DP_BURST];
	uint16_t n, sent;

	n = rte_eth_rx_burst(dp->tap_port, w->queue, rx, DP_BURST);
	if (n == 0)
		return 0;
	dp_stat_add(w, DP_ST_TAP_RX, n);
	sent = rte_eth_tx_burst(dp->port, w->queue, rx, n);
	dp_stat_add(w, DP_ST_TAP_TX, sent);
	if (unlikely(sent < n)) {
		dp_stat_add(w, DP_ST_TX_FULL, n - sent);
		rte_pktmbuf_free_bulk(rx + sent, n - sent);
	}
	return n;
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	const struct timespec nap = {.tv_sec = 0, .tv_nsec = DP_IDLE_SLEEP_NS};
	unsigned empty = 0;

	/*
	 * The nap is short on purpose; the default timer slack (50 us) would stretch it to about
	 * twice that, and an answer waiting behind it with it (bench/reload.sh saw a median of
	 * 120 us on the dpdk path against 36 us on sockets).
	 */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	rcu_register_thread();
	while (!CMM_LOAD_SHARED(w->dp->stop)) {
		uint16_t got = dp_poll_port(w);

		got += dp_poll_tap(w);
		rcu_quiescent_state();
		if (likely(got != 0)) {
			empty = 0;
			continue;
		}
		/*
		 * Adaptive back-off: a few empty polls are spun through (traffic in flight), then
		 * the core is yielded. Sleeping is online in QSBR terms, which is fine: a grace
		 * period waits at most one nap for us, as we announced quiescence just above.
		 */
		if (++empty >= DP_IDLE_SPINS) {
			dp_stat_add(w, DP_ST_IDLE_SLEEPS, 1);
			nanosleep(&nap, NULL);
		}
	}
	rcu_unregister_thread();
	return 0;
}

int dp_start(dp_t *dp, char *err, size_t errlen)
{
	unsigned i;
	int rc;

	if (dp->main_polls)
		return SANDNS_EOK;
	for (i = 0; i < dp->nworkers; i++) {
		rc = rte_eal_remote_launch(dp_worker_main, &dp->workers[i], dp->workers[i].lcore);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start the worker on lcore %u: %s",
				 dp->workers[i].lcore, strerror(-rc));
			dp->remote_running = true;
			dp_stop(dp);
			return rc;
		}
	}
	dp->remote_running = true;
	return SANDNS_EOK;
}

void dp_poll_main(dp_t *dp)
{
	if (dp->main_polls)
		dp_worker_main(&dp->workers[0]);
}

void dp_request_stop(dp_t *dp)
{
	CMM_STORE_SHARED(dp->stop, 1);
}

void dp_stop(dp_t *dp)
{
	if (dp == NULL)
		return;
	dp_request_stop(dp);
	if (dp->remote_running) {
		rte_eal_mp_wait_lcore();
		dp->remote_running = false;
	}
}
