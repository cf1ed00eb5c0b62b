/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_index.c: the snapshot's name index: open addressing from a name to its node */
#include <errno.h>
#include <stdlib.h>
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
			zt->index_count++;
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
	zt->index_count = 0;
	/* Parent-side nodes below a served child's apex stay out of the index. */
	for (uint32_t n = 0; n < zt->nnodes; n++)
		if (!(zt->nodes[n].flags & ZN_SHADOW))
			zt_index_insert(zt, n);
	return 0;
}

/* The slot of node N's name, or ZT_NONE. */
static uint32_t slot_of(const zt_t *zt, const uint8_t *key, size_t len)
{
	uint64_t h = zt_hash(key, len);
	const uint32_t tag = zt_index_tag(h);

	for (uint32_t i = (uint32_t)h & zt->index_mask;; i = (i + 1) & zt->index_mask) {
		uint32_t n = zt->index[i].node;

		if (n == ZT_NONE)
			return ZT_NONE;
		if (zt->index[i].tag == tag && zt->nodes[n].name_len == len &&
		    wire_mem_eq(zt->arena + zt->nodes[n].name, key, len))
			return i;
	}
}

bool zt_index_replace(zt_t *zt, uint32_t old, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[old];
	uint32_t i = slot_of(zt, zt->arena + node->name, node->name_len);

	if (i == ZT_NONE || zt->index[i].node != old)
		return false;
	zt->index[i].node = n;
	return true;
}

/*
 * Backward-shift deletion (linear probing): the slots after the one emptied move back into it
 * when their home slot does not lie between, so that every probe still ends at an empty slot
 * only after passing its name. No tombstones: the index of a patched snapshot stays as fast.
 */
bool zt_index_remove(zt_t *zt, uint32_t old)
{
	const zt_node_t *node = &zt->nodes[old];
	uint32_t hole = slot_of(zt, zt->arena + node->name, node->name_len);
	const uint32_t mask = zt->index_mask;

	if (hole == ZT_NONE || zt->index[hole].node != old)
		return false;
	for (uint32_t j = (hole + 1) & mask;; j = (j + 1) & mask) {
		const zt_slot_t s = zt->index[j];
		const zt_node_t *sn;
		uint32_t home;

		if (s.node == ZT_NONE)
			break;
		sn = &zt->nodes[s.node];
		home = (uint32_t)zt_hash(zt->arena + sn->name, sn->name_len) & mask;
		/* J stays when its home lies cyclically in (hole, j]. */
		if (((j - home) & mask) < ((j - hole) & mask))
			continue;
		zt->index[hole] = s;
		hole = j;
	}
	zt->index[hole] = (zt_slot_t){.node = ZT_NONE, .tag = UINT32_MAX};
	zt->index_count--;
	return true;
}

int zt_index_room(zt_t *zt)
{
	zt_slot_t *old;
	uint32_t size = zt->index_mask + 1u;

	if ((zt->index_count + 1u) * 2u <= size)
		return 0;
	old = malloc(size * sizeof(*old));
	if (old == NULL)
		return -ENOMEM;
	memcpy(old, zt->index, size * sizeof(*old));
	if (zt_mem_fresh(zt, ZT_ARR_INDEX, 2u * size * sizeof(zt_slot_t)) != 0) {
		free(old);
		return -ENOMEM;
	}
	memset(zt->index, 0xff, 2u * size * sizeof(zt_slot_t));
	zt->index_mask = 2u * size - 1u;
	zt->index_count = 0;
	for (uint32_t i = 0; i < size; i++)
		if (old[i].node != ZT_NONE)
			zt_index_insert(zt, old[i].node);
	free(old);
	return 0;
}
