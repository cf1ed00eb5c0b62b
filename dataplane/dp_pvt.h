/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_pvt.h: the runtime's state, shared by dp_port.c, dp_worker.c and dp_tap.c only */
#ifndef DP_PVT_H
#define DP_PVT_H

#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mempool.h>

#include "burst.h"
#include "dp.h"

#define DP_BURST 32
#define DP_PREFETCH 3
/* Empty polls in a row before the worker sleeps, and how long: the empty path is not the fast
 * path, and on veth (AF_XDP copy mode, af_packet) the kernel work that feeds us shares our core. */
#define DP_IDLE_SPINS 8
#define DP_IDLE_SLEEP_NS 50000

/* One worker: its queue pair on both ports and its counters, alone on its cache lines. */
struct dp_worker {
	uint64_t stats[DP_ST_COUNT];
	uint64_t detail[DGRAM_DETAIL]; /* by rcode and type, by zone (dgram.h) */
	struct dp *dp;
	dgram_ctx_t dg;	  /* its response rate limiter (or NULL), its counters from DP_ST_DGRAM */
	zt_burst_t burst; /* each receive burst's DNS queries read ahead (zones/burst.h) */
	unsigned lcore;
	uint16_t queue;
} __rte_cache_aligned;

struct dp {
	dp_addrs_t addrs; /* read-only once the workers run */
	uint16_t port;	  /* the data port */
	uint16_t tap_port;
	uint16_t mtu; /* the data port's: answers never make bigger IP packets */
	bool rx_csum; /* the port verifies IPv4 header and UDP checksums (its RX flags say how) */
	struct rte_mempool *pool;
	struct dp_worker *workers;
	unsigned nworkers;
	bool main_polls; /* a single lcore: the main lcore is the only worker */
	int stop;	 /* CMM_STORE_SHARED once; the loops poll it */
	/* rte_eth_stats_get() from one thread at a time (never a worker lcore). */
	pthread_mutex_t stats_lock;

	cpu_set_t cpus_before_eal;
	bool eal_ready, port_started, tap_started, remote_running;
	char driver[32];

	/* The exception path's kernel side (dp_tap.c). */
	char tap_ifname[IF_NAMESIZE];
	int tap_ifindex;
	uint32_t tap_table; /* routing table with the on-link default route through the TAP */
	bool tap_rules;	    /* source rules installed: remove them at the end */

	/*
	 * A data port backed by a kernel interface (af_packet, af_xdp): the sysctls that keep the
	 * kernel's own stack from answering what reaches it there too, and their former values.
	 */
	char port_ifname[IF_NAMESIZE];
	char port_sysctl_old[3][16];
	bool port_sysctl_set[3];
};

static inline void dp_stat_add(struct dp_worker *w, enum dp_stat s, uint64_t n)
{
	__atomic_store_n(&w->stats[s], w->stats[s] + n, __ATOMIC_RELAXED);
}

/* dp_tap.c: the vdev argument EAL gets, then the kernel side once the TAP port exists. */
void dp_tap_devarg(char *buf, size_t len, char *ifname, size_t iflen);
int dp_tap_configure(struct dp *dp, char *err, size_t errlen);
void dp_tap_unconfigure(struct dp *dp);
void dp_port_kernel_quiet(struct dp *dp, unsigned if_index);
void dp_port_kernel_restore(struct dp *dp);

/* dp_worker.c: one worker's loop (arg: struct dp_worker *), for rte_eal_remote_launch too. */
int dp_worker_main(void *arg);

#endif
