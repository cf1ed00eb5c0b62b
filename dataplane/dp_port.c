/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_port.c: EAL start-up, the data port and the TAP port set up, torn down in reverse */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp_pvt.h"
#include "sandns_err.h"

#define DP_NB_RXD 1024
#define DP_NB_TXD 1024
#define DP_MBUF_CACHE 256
#define DP_TAP_VDEV "net_tap_sandns0"

/* Runs EAL on a copy of the arguments (it permutes them) with our TAP vdev added. */
static int dp_eal_init(struct dp *dp, const dp_conf_t *conf, char *err, size_t errlen)
{
	char tap_arg[128];
	char **argv;
	int argc = 0, rc;
	size_t i;

	argv = calloc(conf->neal_args + 3, sizeof(argv[0]));
	if (argv == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	dp_tap_devarg(tap_arg, sizeof(tap_arg), dp->tap_ifname, sizeof(dp->tap_ifname));
	argv[argc++] = (char *)"sandnsd";
	for (i = 0; i < conf->neal_args; i++)
		argv[argc++] = (char *)conf->eal_args[i];
	argv[argc++] = tap_arg;
	argv[argc] = NULL;
	rc = rte_eal_init(argc, argv);
	free(argv);
	if (rc < 0) {
		snprintf(err, errlen,
			 "EAL initialisation failed (%s); check the EAL arguments after --, e.g. "
			 "--no-huge -m 512 --no-pci -l 0 --vdev=net_af_packet0,iface=eth0",
			 rte_strerror(rte_errno));
		return SANDNS_ECONFIG;
	}
	dp->eal_ready = true;
	return SANDNS_EOK;
}

/* The checksum offloads taken when the data port offers them, both or neither (dp_port_setup). */
#define DP_CSUM_RX (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
#define DP_CSUM_TX (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

/* The first port that is not our TAP is the data port. */
static int dp_find_ports(struct dp *dp, char *err, size_t errlen)
{
	uint16_t pid;
	bool found = false;

	if (rte_eth_dev_get_port_by_name(DP_TAP_VDEV, &dp->tap_port) != 0) {
		snprintf(err, errlen, "the exception TAP %s did not come up (net_tap missing?)",
			 dp->tap_ifname);
		return -ENODEV;
	}
	RTE_ETH_FOREACH_DEV(pid)
	{
		if (pid != dp->tap_port) {
			dp->port = pid;
			found = true;
			break;
		}
	}
	if (!found) {
		snprintf(err, errlen,
			 "no data port: give EAL a device after --, e.g. "
			 "--vdev=net_af_xdp0,iface=eth0 or a PCI address");
		return SANDNS_ECONFIG;
	}
	return SANDNS_EOK;
}

/*
 * NQ queue pairs on PORT, RSS across them when the port has it, checksum offloads when CSUM (the
 * data port) and the port has them, then started.
 */
static int dp_port_setup(struct dp *dp, uint16_t port, uint16_t nq, bool csum, char *err,
			 size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = DP_NB_RXD, nb_txd = DP_NB_TXD, q;
	int rc, socket = rte_eth_dev_socket_id(port);

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		goto fail;
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		snprintf(err, errlen, "port %u (%s) has at most %u RX and %u TX queues, %u needed",
			 port, info.driver_name, info.max_rx_queues, info.max_tx_queues, nq);
		return -EINVAL;
	}
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
		    (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) &
		    info.flow_type_rss_offloads;
	}
	/*
	 * Checksums: where the port offers to verify (RX) or write (TX) both the IPv4 header's and
	 * UDP's, it is asked to; dp_pkt does the rest, and all of it on ports that offer nothing
	 * (af_packet, af_xdp). IPv6 has no header checksum: its UDP one goes with the same flag.
	 */
	if (csum && (info.rx_offload_capa & DP_CSUM_RX) == DP_CSUM_RX) {
		conf.rxmode.offloads |= DP_CSUM_RX;
		dp->rx_csum = true;
	}
	if (csum && (info.tx_offload_capa & DP_CSUM_TX) == DP_CSUM_TX) {
		conf.txmode.offloads |= DP_CSUM_TX;
		dp->addrs.tx_csum = true;
	}
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		goto fail;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc != 0)
		goto fail;
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_rxd, socket < 0 ? 0 : (unsigned)socket,
					    NULL, dp->pool);
		if (rc != 0)
			goto fail;
		rc = rte_eth_tx_queue_setup(port, q, nb_txd, socket < 0 ? 0 : (unsigned)socket,
					    NULL);
		if (rc != 0)
			goto fail;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		goto fail;
	/* IPv6 Neighbour Solicitations go to solicited-node multicast groups. */
	rte_eth_allmulticast_enable(port);
	return SANDNS_EOK;

fail:
	snprintf(err, errlen, "cannot set up port %u (%s): %s", port,
		 rc == 0 ? "?" : info.driver_name, rte_strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

static int dp_pool_create(struct dp *dp, char *err, size_t errlen)
{
	/* Both ports' rings full, every worker's bursts in flight, the per-lcore caches. */
	unsigned n = 2 * dp->nworkers * (DP_NB_RXD + DP_NB_TXD) +
		     rte_lcore_count() * (DP_MBUF_CACHE + 4 * DP_BURST) + 2048;

	dp->pool = rte_pktmbuf_pool_create("sandns_mbufs", n, DP_MBUF_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, errlen, "cannot allocate %u packet buffers: %s (raise EAL -m)", n,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return SANDNS_EOK;
}

/* One worker per lcore; a single lcore polls itself and leaves the control plane to threads. */
static int dp_workers_new(struct dp *dp, const rrl_cfg_t *rrl, char *err, size_t errlen)
{
	unsigned lcore, i = 0;

	dp->main_polls = rte_lcore_count() == 1;
	dp->nworkers = dp->main_polls ? 1 : rte_lcore_count() - 1;
	dp->workers = aligned_alloc(RTE_CACHE_LINE_SIZE, dp->nworkers * sizeof(dp->workers[0]));
	if (dp->workers == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(dp->workers, 0, dp->nworkers * sizeof(dp->workers[0]));
	if (dp->main_polls) {
		dp->workers[0].lcore = rte_get_main_lcore();
	} else {
		RTE_LCORE_FOREACH_WORKER(lcore)
		{
			dp->workers[i].lcore = lcore;
			dp->workers[i].queue = (uint16_t)i;
			i++;
		}
	}
	/* The rate limit's tables together are bounded, as for udp-workers (cfg_check). */
	if (rrl->rate > 0 && rrl_table_bytes(rrl->table_size) * dp->nworkers > RRL_TABLES_MAX) {
		snprintf(err, errlen,
			 "rate-limit-table-size %u with %u DPDK workers: the rate limit's tables "
			 "would take %.1f GiB, more than %llu GiB; lower rate-limit-table-size",
			 rrl->table_size, dp->nworkers,
			 (double)(rrl_table_bytes(rrl->table_size) * dp->nworkers) / (1 << 30),
			 (unsigned long long)(RRL_TABLES_MAX >> 30));
		return SANDNS_ECONFIG;
	}
	for (i = 0; i < dp->nworkers; i++) {
		dp->workers[i].dp = dp;
		dp->workers[i].dg.stats = &dp->workers[i].stats[DP_ST_DGRAM];
		dp->workers[i].dg.detail = dp->workers[i].detail;
		zt_burst_init(&dp->workers[i].burst);
		if (rrl->rate == 0)
			continue;
		/* Each worker limits what it answers by itself: no state is shared. */
		dp->workers[i].dg.rrl = rrl_new(rrl);
		if (dp->workers[i].dg.rrl == NULL) {
			snprintf(err, errlen, "out of memory for the rate limit's tables");
			return -ENOMEM;
		}
	}
	return SANDNS_EOK;
}

dp_t *dp_new(const dp_conf_t *conf, int *errcode, char *err, size_t errlen)
{
	struct dp *dp;
	int rc;

	dp = calloc(1, sizeof(*dp));
	if (dp == NULL) {
		snprintf(err, errlen, "out of memory");
		*errcode = -ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&dp->stats_lock, NULL);
	if (sched_getaffinity(0, sizeof(dp->cpus_before_eal), &dp->cpus_before_eal) != 0)
		CPU_ZERO(&dp->cpus_before_eal);
	dp->addrs = conf->addrs;
	dp->addrs.dns_port = conf->addrs.dns_port != 0 ? conf->addrs.dns_port : DP_DNS_PORT;

	rc = dp_eal_init(dp, conf, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;
	rc = dp_find_ports(dp, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;
	rc = rte_eth_macaddr_get(dp->port, &dp->addrs.mac);
	if (rc != 0) {
		snprintf(err, errlen, "cannot read the MAC address of port %u", dp->port);
		goto out_free;
	}
	{
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(dp->port, &info) == 0) {
			snprintf(dp->driver, sizeof(dp->driver), "%s", info.driver_name);
			/* A tap's kernel side is the peer, not our own port: left as it is. */
			if (strcmp(info.driver_name, "net_tap") != 0)
				dp_port_kernel_quiet(dp, info.if_index);
		}
	}
	rc = dp_workers_new(dp, &conf->rrl, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;
	rc = dp_pool_create(dp, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;

	/* The kernel's replies must carry the data port's MAC: the TAP takes it first. */
	rc = rte_eth_dev_default_mac_addr_set(dp->tap_port, &dp->addrs.mac);
	if (rc != 0) {
		snprintf(err, errlen, "cannot give the TAP %s the data port's MAC: %s",
			 dp->tap_ifname, rte_strerror(-rc));
		goto out_free;
	}
	rc = dp_port_setup(dp, dp->port, (uint16_t)dp->nworkers, true, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;
	dp->port_started = true;
	{
		/* Answers never outgrow a frame the link carries (a large udp-max-payload). */
		uint16_t mtu = RTE_ETHER_MTU;

		if (rte_eth_dev_get_mtu(dp->port, &mtu) != 0 || mtu < RTE_ETHER_MIN_MTU)
			mtu = RTE_ETHER_MTU;
		dp->mtu = mtu;
	}
	rc = dp_port_setup(dp, dp->tap_port, (uint16_t)dp->nworkers, false, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;
	dp->tap_started = true;
	rc = dp_tap_configure(dp, err, errlen);
	if (rc != SANDNS_EOK)
		goto out_free;
	return dp;

out_free:
	*errcode = rc;
	dp_free(&dp);
	return NULL;
}

const char *dp_tap_name(const dp_t *dp)
{
	return dp->tap_ifname;
}

const char *dp_port_driver(const dp_t *dp)
{
	return dp->driver;
}

const char *dp_port_csum_text(const dp_t *dp)
{
	static const char *const text[2][2] = {{"rx software, tx software", "rx software, tx port"},
					       {"rx port, tx software", "rx port, tx port"}};

	return text[dp->rx_csum][dp->addrs.tx_csum];
}

void dp_port_mac_text(const dp_t *dp, char *buf, size_t len)
{
	rte_ether_format_addr(buf, (uint16_t)len, &dp->addrs.mac);
}

void dp_control_cpus(const dp_t *dp, cpu_set_t *out)
{
	unsigned i, cpu;

	*out = dp->cpus_before_eal;
	for (i = 0; i < dp->nworkers; i++) {
		rte_cpuset_t lc = rte_lcore_cpuset(dp->workers[i].lcore);

		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &lc))
				CPU_CLR(cpu, out);
	}
	if (CPU_COUNT(out) == 0)
		*out = dp->cpus_before_eal;
}

void dp_set_dnstap(dp_t *dp, dnstap_t *tap)
{
	for (unsigned i = 0; i < dp->nworkers; i++)
		dp->workers[i].dg.tap = dnstap_queue(tap);
}

unsigned dp_worker_count(const dp_t *dp)
{
	return dp->nworkers;
}

bool dp_main_polls(const dp_t *dp)
{
	return dp->main_polls;
}

unsigned dp_worker_lcore(const dp_t *dp, unsigned i)
{
	return dp->workers[i].lcore;
}

void dp_worker_stats(const dp_t *dp, unsigned i, uint64_t out[DP_ST_COUNT])
{
	unsigned s;

	for (s = 0; s < DP_ST_DGRAM; s++)
		out[s] = __atomic_load_n(&dp->workers[i].stats[s], __ATOMIC_RELAXED);
	dgram_stats_read(dp->workers[i].dg.stats, dp->workers[i].detail, &out[DP_ST_DGRAM]);
}

void dp_dgram_stats(const dp_t *dp, uint64_t out[DGRAM_STAT_COUNT])
{
	uint64_t one[DGRAM_STAT_COUNT];
	unsigned i, s;

	memset(out, 0, sizeof(one));
	for (i = 0; i < dp->nworkers; i++) {
		dgram_stats_read(dp->workers[i].dg.stats, dp->workers[i].detail, one);
		for (s = 0; s < DGRAM_STAT_COUNT; s++)
			out[s] += one[s];
	}
}

void dp_zone_stats(const dp_t *dp, uint64_t out[DGRAM_ZONES])
{
	for (unsigned i = 0; i < dp->nworkers; i++)
		dgram_zones_add(dp->workers[i].detail, out);
}

bool dp_port_stats(dp_t *dp, dp_port_stats_t *out)
{
	struct rte_eth_stats st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!dp->port_started)
		return false;
	/* Ethdev's control functions are not thread-safe on one port: the control thread and
	 * the metrics thread take turns. The workers never call it. */
	pthread_mutex_lock(&dp->stats_lock);
	rc = rte_eth_stats_get(dp->port, &st);
	pthread_mutex_unlock(&dp->stats_lock);
	if (rc != 0)
		return false;
	out->ipackets = st.ipackets;
	out->opackets = st.opackets;
	out->ibytes = st.ibytes;
	out->obytes = st.obytes;
	out->imissed = st.imissed;
	out->ierrors = st.ierrors;
	out->oerrors = st.oerrors;
	out->rx_nombuf = st.rx_nombuf;
	return true;
}

void dp_free(dp_t **dpp)
{
	struct dp *dp;

	if (dpp == NULL || *dpp == NULL)
		return;
	dp = *dpp;
	dp_stop(dp);
	dp_tap_unconfigure(dp);
	dp_port_kernel_restore(dp);
	/* Closing detaches what the PMD attached (AF_XDP program, TAP interface). */
	if (dp->tap_started)
		rte_eth_dev_stop(dp->tap_port);
	if (dp->port_started)
		rte_eth_dev_stop(dp->port);
	if (dp->eal_ready) {
		uint16_t pid;

		RTE_ETH_FOREACH_DEV(pid)
		rte_eth_dev_close(pid);
		rte_mempool_free(dp->pool);
		rte_eal_cleanup();
	}
	for (unsigned i = 0; dp->workers != NULL && i < dp->nworkers; i++)
		rrl_free(&dp->workers[i].dg.rrl);
	free(dp->workers);
	pthread_mutex_destroy(&dp->stats_lock);
	free(dp);
	*dpp = NULL;
}
