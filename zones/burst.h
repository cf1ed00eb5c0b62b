/* SPDX-License-Identifier: BSD-3-Clause */
/* burst.h: a burst of UDP queries answered together, their lookups' lines fetched ahead */
#ifndef BURST_H
#define BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "zt.h"

/* The most queries one burst takes (the DPDK workers' receive burst). */
#define ZT_BURST_MAX 32

/*
 * Below this many nodes (256 KiB of them) a snapshot's lines stay in the caches whatever is
 * asked, and reading ahead costs more instructions than it saves waits: such a snapshot's bursts
 * are answered query by query (zt_burst_t.min_nodes; bench/RESULTS.md has the figures). A build
 * with -Dc_args=-DZT_BURST_MIN_NODES=0 reads every burst ahead: the end-to-end tests then take
 * that path on the small zones they serve.
 */
#ifndef ZT_BURST_MIN_NODES
#define ZT_BURST_MIN_NODES 4096
#endif

/*
 * A burst's queries as zt_burst_prepare() read them, for zt_burst_answer(). One per answering
 * thread, made before it answers (no allocation on the answer path); its contents belong to the
 * last zt_burst_prepare() until the next.
 */
typedef struct zt_burst {
	const zt_t *zt; /* the snapshot they were read for */
	unsigned n;	/* queries in this burst (0: none read, each is read as it is answered) */
	uint32_t min_nodes; /* snapshots with fewer nodes are not read ahead (ZT_BURST_MIN_NODES) */
	const uint8_t *buf[ZT_BURST_MAX]; /* each query where it was read (NULL: none) */
	uint16_t qlen[ZT_BURST_MAX];
	bool plain[ZT_BURST_MAX];    /* a plain query (query_plain.h), read into q[i] */
	uint32_t node[ZT_BURST_MAX]; /* the node its index slot names (ZT_NONE: none seen) */
	struct zt_query q[ZT_BURST_MAX];
} zt_burst_t;

/* A burst with nothing read yet, the default minimum (ZT_BURST_MIN_NODES); no allocation. */
void zt_burst_init(zt_burst_t *b);

/* Whether zt_burst_prepare() reads a burst ahead for ZT (else the caller need not find its
 * queries). */
bool zt_burst_reads(const zt_burst_t *b, const zt_t *zt);

/*
 * Reads the N (at most ZT_BURST_MAX) queries BUFS[i] (QLENS[i] octets; a NULL buffer is no query)
 * for answers from ZT, and has the lines their lookups need fetched, in stages over the whole
 * burst so that the fetches of one stage overlap: each plain query is parsed, lower-cased and
 * hashed, and its index slot prefetched; then the slots are read and the nodes they name
 * prefetched; then the nodes are read and their names and first answers prefetched. Nothing is
 * written into the queries; no allocation, lock or system call. A snapshot of fewer than
 * b->min_nodes nodes (or none) gets nothing read: zt_burst_answer() reads each query itself.
 */
void zt_burst_prepare(zt_burst_t *b, const zt_t *zt, const uint8_t *const *bufs,
		      const uint16_t *qlens, unsigned n);

/*
 * zt_answer_inplace() for a plain query Q already read from BUF (the fast path only: the lookup
 * and its answer). CAP at least 512. Used by zt_burst_answer().
 */
size_t zt_answer_parsed(const zt_t *zt, uint8_t *buf, const struct zt_query *q, size_t cap,
			const zt_answer_ctx_t *ctx, zt_answer_info_t *info);

/*
 * The answer to query I of the burst B, in place in BUF (QLEN octets, CAP of room), as
 * zt_answer_inplace() writes it, octet for octet: from the question zt_burst_prepare() read when
 * it is that burst's query I from the same buffer and snapshot and a plain one, else read again.
 */
static inline size_t zt_burst_answer(const zt_burst_t *b, unsigned i, const zt_t *zt, uint8_t *buf,
				     size_t qlen, size_t cap, const zt_answer_ctx_t *ctx,
				     zt_answer_info_t *info)
{
	if (i < b->n && b->plain[i] && b->buf[i] == buf && b->qlen[i] == qlen && b->zt == zt &&
	    cap >= 512)
		return zt_answer_parsed(zt, buf, &b->q[i], cap, ctx, info);
	return zt_answer_inplace(zt, buf, qlen, cap, ctx, info);
}

#endif
