/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.h: the serving counters by transport, and the Prometheus /metrics endpoint */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cfg.h"
#include "dgram.h"
#include "srv.h"

enum metrics_transport { METRICS_UDP, METRICS_TCP, METRICS_DPDK, METRICS_TRANSPORTS };
extern const char *const metrics_transport_names[METRICS_TRANSPORTS]; /* "udp", "tcp", "dpdk" */

/* A DPDK data port's own counters (dp.h's dp_port_stats_t, copied). */
typedef struct metrics_port {
	uint64_t ipackets, opackets, ibytes, obytes, imissed, ierrors, oerrors, rx_nombuf;
} metrics_port_t;

/*
 * Where the counters are: the kernel-socket threads, and the DPDK workers through FNs that
 * sandnsd sets (NULL without DPDK). Each FN may be called from the control thread and from the
 * metrics thread; none waits for a worker.
 */
typedef struct metrics_src {
	const srv_t *srv;
	void (*dp_dgram)(void *arg, uint64_t out[DGRAM_STAT_COUNT]);
	void (*dp_zones)(void *arg, uint64_t out[DGRAM_ZONES]); /* adds into OUT */
	bool (*dp_port)(void *arg, metrics_port_t *out);
	void *dp_arg;
} metrics_src_t;

/* Every thread's counters added up by transport, read with relaxed loads. */
typedef struct metrics_counts {
	uint64_t dg[METRICS_TRANSPORTS][DGRAM_STAT_COUNT]; /* enum dgram_stat */
	uint64_t srv[SRV_DGRAM];			   /* enum srv_stat below SRV_DGRAM */
	uint64_t zones[DGRAM_ZONES];			   /* dgram.h's slots, every transport */
	bool dpdk;
	bool has_port;
	metrics_port_t port;
} metrics_counts_t;

void metrics_gather(const metrics_src_t *src, metrics_counts_t *out);

/*
 * What the control thread knows for the scrapes, set after each publish and reload (copied):
 * per zone slot (dgram.h: 1 + the snapshot's index) its origin or NULL, the count the slot had
 * when the snapshot's zones last changed (subtracted) and what its zone had counted before
 * that, in whatever slot (added: a zone's counter goes on across zone list changes, a zone new
 * to the list starts at 0), and GAUGES, the rest of the exposition already in text (serials,
 * snapshot, reloads, policy).
 */
typedef struct metrics_view {
	const char *const *zone_names; /* DGRAM_ZONES of them */
	const uint64_t *zone_base;     /* DGRAM_ZONES of them */
	const uint64_t *zone_carry;    /* DGRAM_ZONES of them */
	const char *gauges;
} metrics_view_t;

typedef struct metrics metrics_t;

/*
 * Binds and listens on cfg->metrics (call it before the fork, so that a bad address or one in
 * use stops sandnsd at start, the key named in ERR); no thread yet.
 */
metrics_t *metrics_new(const cfg_t *cfg, char *err, size_t errlen);

/*
 * Starts serving on libmicrohttpd's own thread (after the fork), the counters read from SRC
 * (copied). SANDNS_EOK or an error (ERR says why).
 */
int metrics_start(metrics_t *m, const metrics_src_t *src, char *err, size_t errlen);

/* Replaces the view (any thread but the metrics one; a short lock the scrapes take too). */
int metrics_set_view(metrics_t *m, const metrics_view_t *v);

/* Stops the thread, closes the socket, frees *M (NULL is fine) and leaves NULL. */
void metrics_free(metrics_t **m);

/* Appends the exposition of C and V to B (what a scrape gets; exposed for `stats` and tests). */
void metrics_render(buf_t *b, const metrics_counts_t *c, const metrics_view_t *v);

/* The label of a named dgram counter S: its rcode or type upper-cased ("NXDOMAIN", "AAAA"). */
#define METRICS_LABEL_MAX 24
void metrics_stat_label(size_t s, char out[METRICS_LABEL_MAX]);

/* Appends NAME as a Prometheus label value: quotes, with \\, \" and \n escaped. */
void metrics_label(buf_t *b, const char *value);

/* The per-zone count of slot Z less its base (0 when the counter went backwards). */
static inline uint64_t metrics_zone_value(const metrics_counts_t *c, const uint64_t *base,
					  const uint64_t *carry, size_t z)
{
	return (c->zones[z] > base[z] ? c->zones[z] - base[z] : 0) + carry[z];
}

#endif
