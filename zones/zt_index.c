/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_index.c: the snapshot's name index: open addressing from a name to its node */
#include <errno.h>
#include <string.h>

#include "zt_index.h"
#include "zt_mem.h"

uint32_t zt_find(const zt_t *zt, const uint8_t *key, size_t len)
{
	uint64_t h = zt_hash(key, len);
	const uint32_t tag = zt_index_tag(h);

	for (uint32_t i = (uint32_t)h & zt->index_mask;; i = (i + 1) & zt->index_mask) {
		uint32_t n = zt->index[i].node;
		const zt_node_t *node;

		if (n == ZT_NONE)
			return ZT_NONE;
		if (zt->index[i].tag != tag)
			continue;
		node = &zt->nodes[n];
		if (node->name_len == len && wire_mem_eq(zt->arena + node->name, key, len))
			return n;
	}
}

uint32_t zt_find_closest(const zt_t *zt, const uint8_t *key, size_t len, const uint8_t **at)
{
	uint32_t n;

	for (;;) {
		n = zt_find(zt, key, len);
		if (n != ZT_NONE || *key == 0)
			break;
		len -= (size_t)*key + 1;
		key += *key + 1;
	}
	*at = key;
	return n;
}

void zt_index_insert(zt_t *zt, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];
	uint64_t h = zt_hash(zt->arena + node->name, node->name_len);

	for (uint32_t i = (uint32_t)h & zt->index_mask;; i = (i + 1) & zt->index_mask) {
		if (zt->index[i].node == ZT_NONE) {
			zt->index[i] = (zt_slot_t){.node = n, .tag = zt_index_tag(h)};
			return;
		}
	}
}

int zt_index_resize(zt_t *zt, uint32_t want_nodes)
{
	uint32_t size = 16;

	if (want_nodes > (1u << 29))
		return -ENOMEM;
	while (size < want_nodes * 2u)
		size *= 2;
	/* Its own mapping from 2 MiB on, as the other big arrays get. */
	if (zt_mem_fresh(zt, ZT_ARR_INDEX, size * sizeof(zt_slot_t)) != 0)
		return -ENOMEM;
	memset(zt->index, 0xff, size * sizeof(zt_slot_t));
	zt->index_mask = size - 1;
	/* Parent-side nodes below a served child's apex stay out of the index. */
	for (uint32_t n = 0; n < zt->nnodes; n++)
		if (!(zt->nodes[n].flags & ZN_SHADOW))
			zt_index_insert(zt, n);
	return 0;
}
