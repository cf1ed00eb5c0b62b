/* SPDX-License-Identifier: BSD-3-Clause */
/* dp.h: the DPDK runtime: EAL, the data port, the exception TAP and the poll-mode workers */
#ifndef DP_H
#define DP_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnstap.h"
#include "dp_pkt.h"

typedef struct dp dp_t;

/* What sandnsd hands the dataplane: EAL arguments and the addresses it serves. */
typedef struct dp_conf {
	const char *const *eal_args; /* after `--` on sandnsd's command line */
	size_t neal_args;
	dp_addrs_t addrs; /* ip4/ip6 and dns_port; the MAC is filled from the port */
	rrl_cfg_t rrl;	  /* response rate limiting; off while rrl.rate is 0 */
} dp_conf_t;

/*
 * Counters of one worker lcore. Written by that lcore alone (relaxed stores), read by the
 * control thread with relaxed loads: nothing on the fast path shares a cache line. The DNS
 * queries are counted last, from DP_ST_DGRAM, with the counters and names of kernel-socket
 * serving (zones/dgram.h: udp-received, udp-answered, ..., rrl-dropped, noerror, ...).
 */
enum dp_stat {
	DP_ST_RX,	   /* frames received on the data port */
	DP_ST_TX,	   /* frames answered in place and sent (DNS, ARP, ND, echo) */
	DP_ST_EXCEPTION,   /* frames handed to the kernel through the TAP */
	DP_ST_TAP_RX,	   /* frames the kernel sent out of the TAP */
	DP_ST_TAP_TX,	   /* ...of which transmitted on the data port */
	DP_ST_TX_FULL,	   /* frames freed because a TX queue was full */
	DP_ST_MULTISEG,	   /* frames freed because they span several mbufs */
	DP_ST_IDLE_SLEEPS, /* back-off sleeps after empty polls */
	DP_ST_RX_CSUM_HW,  /* frames whose IP and L4 checksums the port found good (not summed here)
			    */
	DP_ST_TX_CSUM_HW,  /* answers whose IPv4 header and UDP checksums the port wrote */
	DP_ST_DROP_FIRST,  /* dropped by dp_pkt, one counter per reason below DP_DROP_COUNTED */
	DP_ST_DGRAM = DP_ST_DROP_FIRST + DP_DROP_COUNTED, /* enum dgram_stat from here on */
	DP_ST_COUNT = DP_ST_DGRAM + DGRAM_STAT_COUNT
};

/* Names of the counters ("rx", "tx", ..., "drop-runt", ..., "udp-received", ..., "noerror", ...).
 */
extern const char *const dp_stat_names[DP_ST_COUNT];

/*
 * Initialises EAL from conf->eal_args, takes the first port that is not our TAP as the data
 * port, creates the exception TAP (same MAC as the data port, our addresses, a source-routing
 * rule so the kernel's replies leave through it) and sets both ports up with one RX/TX queue
 * pair per worker lcore. Block SIGINT/SIGTERM/SIGHUP before calling it: EAL's own threads
 * inherit the mask. On failure returns NULL, err says why and *errcode is SANDNS_ECONFIG (bad
 * EAL arguments, no port) or another sandns error (the port or the TAP could not be set up).
 */
dp_t *dp_new(const dp_conf_t *conf, int *errcode, char *err, size_t errlen);

/* The name of the TAP interface, the data port's driver and its MAC, for the start-up line. */
const char *dp_tap_name(const dp_t *dp);
const char *dp_port_driver(const dp_t *dp);
void dp_port_mac_text(const dp_t *dp, char *buf, size_t len);
/* Who verifies and who writes the IPv4 and UDP checksums: "rx port, tx software" and the like. */
const char *dp_port_csum_text(const dp_t *dp);

/*
 * The CPUs for the control plane's threads: those sandnsd was allowed before EAL pinned it,
 * minus the worker lcores' (all of them when nothing is left). Set it on the thread that
 * creates the control threads: they inherit it instead of the main lcore's single CPU.
 */
void dp_control_cpus(const dp_t *dp, cpu_set_t *out);

/* Gives each worker a queue of the query log TAP (NULL: none); before dp_start(). */
void dp_set_dnstap(dp_t *dp, dnstap_t *tap);

/* Worker lcores (one per queue pair) and whether the main lcore is one of them (`-l N`). */
unsigned dp_worker_count(const dp_t *dp);
bool dp_main_polls(const dp_t *dp);

/*
 * Starts the workers on the other lcores; returns at once. When dp_main_polls(), the caller
 * then runs dp_poll_main() on the main thread and the control plane elsewhere.
 */
int dp_start(dp_t *dp, char *err, size_t errlen);

/* The main lcore's poll loop; returns once dp_request_stop() was called. */
void dp_poll_main(dp_t *dp);

/* Asks every worker to stop (any thread; async-signal-safe: a store). */
void dp_request_stop(dp_t *dp);

/* Requests the stop and waits for the workers on the other lcores; safe to call twice. */
void dp_stop(dp_t *dp);

/* Stops, closes both ports (AF_XDP detaches, the TAP and its rules go), cleans EAL up. */
void dp_free(dp_t **dp);

/* The counters of worker I (0..dp_worker_count()-1), its lcore id and a copy of its counters. */
unsigned dp_worker_lcore(const dp_t *dp, unsigned i);
void dp_worker_stats(const dp_t *dp, unsigned i, uint64_t out[DP_ST_COUNT]);

/*
 * The DNS query counters of every worker added up (enum dgram_stat, the block from DP_ST_DGRAM):
 * what the DPDK workers answered, with the same meaning as the kernel-socket workers' counters,
 * for `sandnsctl status` to count with them.
 */
void dp_dgram_stats(const dp_t *dp, uint64_t out[DGRAM_STAT_COUNT]);

/* The workers' responses per zone (dgram.h's slots) added into OUT. */
void dp_zone_stats(const dp_t *dp, uint64_t out[DGRAM_ZONES]);

/* The data port's own counters (rte_eth_stats_get): what the NIC or its driver saw. */
typedef struct dp_port_stats {
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed;   /* dropped by the port: the RX queues were full */
	uint64_t ierrors;   /* erroneous frames received */
	uint64_t oerrors;   /* frames that failed to go out */
	uint64_t rx_nombuf; /* RX mbuf allocation failures */
} dp_port_stats_t;

/*
 * Reads them into OUT (zeros and false when the port is not started or the driver fails). Any
 * thread but a worker lcore; calls are serialised inside (ethdev's control path is not
 * thread-safe on one port).
 */
bool dp_port_stats(dp_t *dp, dp_port_stats_t *out);

#endif
