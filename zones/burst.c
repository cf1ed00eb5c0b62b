/* SPDX-License-Identifier: BSD-3-Clause */
/* burst.c: a burst's queries read, and their lookups' lines prefetched stage by stage */
#include "burst.h"
#include "query_plain.h"
#include "zt_index.h"
#include "zt_pvt.h"

/* Slots a prefetching probe looks at past the home slot before it leaves the rest to the lookup. */
#define PROBE_AHEAD 4

void zt_burst_init(zt_burst_t *b)
{
	b->zt = NULL;
	b->n = 0;
	b->min_nodes = ZT_BURST_MIN_NODES;
}

bool zt_burst_reads(const zt_burst_t *b, const zt_t *zt)
{
	return zt != NULL && zt->nnodes >= b->min_nodes;
}

void zt_burst_prepare(zt_burst_t *b, const zt_t *zt, const uint8_t *const *bufs,
		      const uint16_t *qlens, unsigned n)
{
	unsigned i;

	if (n > ZT_BURST_MAX)
		n = ZT_BURST_MAX;
	b->zt = zt;
	b->n = 0;
	if (!zt_burst_reads(b, zt))
		return;
	b->n = n;
	/* 1: each question read (lower-cased, hashed) and its index slot asked for. */
	for (i = 0; i < n; i++) {
		b->buf[i] = bufs[i];
		b->qlen[i] = bufs[i] != NULL ? qlens[i] : 0;
		b->plain[i] = bufs[i] != NULL && query_plain(bufs[i], qlens[i], &b->q[i]);
		if (b->plain[i])
			__builtin_prefetch(&zt->index[(uint32_t)b->q[i].hash & zt->index_mask]);
	}
	/* 2: the slots read, the nodes they name asked for (a name that is there, mostly). */
	for (i = 0; i < n; i++) {
		uint32_t tag, s;

		b->node[i] = ZT_NONE;
		if (!b->plain[i])
			continue;
		tag = zt_index_tag(b->q[i].hash);
		s = (uint32_t)b->q[i].hash & zt->index_mask;
		for (unsigned k = 0; k <= PROBE_AHEAD; k++, s = (s + 1) & zt->index_mask) {
			const zt_slot_t slot = zt->index[s];

			if (slot.node == ZT_NONE)
				break;
			if (slot.tag == tag) {
				b->node[i] = slot.node;
				__builtin_prefetch(&zt->nodes[slot.node]);
				break;
			}
		}
	}
	/* 3: the nodes read, their names and first answers (of the type asked) asked for. */
	for (i = 0; i < n; i++) {
		const zt_node_t *node;

		if (b->node[i] == ZT_NONE)
			continue;
		node = &zt->nodes[b->node[i]];
		__builtin_prefetch(zt->arena + node->name);
		if (node->ans0_qtype == b->q[i].qtype && node->ans0_blob < ZT_NODATA_SPLIT) {
			const uint8_t *blob = zt->arena + node->ans0_blob;

			__builtin_prefetch(blob);
			__builtin_prefetch(blob + 48);
		}
	}
}
