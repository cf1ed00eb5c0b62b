/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_sides.c: a zone's parent-side names (its records below a zone served under it), by name */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zt_build.h"
#include "zt_sides.h"

static bool is_side(const zt_t *zt, const zt_node_t *node)
{
	return (node->flags & ZN_SHADOW) && !zt_rrsets_nsec3_only(zt, node);
}

/* By zone, then as the table is searched: name length, then octets. */
static int cmp_side(const void *a, const void *b, void *arg)
{
	const zt_t *zt = arg;
	const zt_node_t *x = &zt->nodes[*(const uint32_t *)a];
	const zt_node_t *y = &zt->nodes[*(const uint32_t *)b];

	if (x->zone != y->zone)
		return x->zone < y->zone ? -1 : 1;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return memcmp(zt->arena + x->name, zt->arena + y->name, x->name_len);
}

int zt_sides_make(struct zt_build *b)
{
	zt_t *zt = b->zt;
	uint32_t *list, n = 0;
	int ret = 0;

	for (uint32_t i = 0; i < zt->nnodes; i++)
		n += is_side(zt, &zt->nodes[i]);
	if (n == 0)
		return 0;
	list = malloc(n * sizeof(*list));
	if (list == NULL)
		return -ENOMEM;
	n = 0;
	for (uint32_t i = 0; i < zt->nnodes; i++)
		if (is_side(zt, &zt->nodes[i]))
			list[n++] = i;
	qsort_r(list, n, sizeof(*list), cmp_side, zt);
	for (uint32_t i = 0, j; i < n; i = j) {
		uint32_t z = zt->nodes[list[i]].zone, off;

		for (j = i; j < n && zt->nodes[list[j]].zone == z; j++)
			;
		off = zt_mem_arena_put(&b->mem, list + i, (j - i) * sizeof(*list), sizeof(*list));
		if (off == ZT_NONE) {
			ret = -ENOMEM;
			break;
		}
		zt->zones[z].sides = off;
		zt->zones[z].nsides = j - i;
	}
	free(list);
	return ret;
}

uint32_t zt_sides_find(const zt_t *zt, uint32_t z, const uint8_t *key, size_t len)
{
	const zt_zone_t *zone = &zt->zones[z];
	uint32_t lo = 0, hi = zone->nsides;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, n;
		const zt_node_t *node;
		int c;

		memcpy(&n, zt->arena + zone->sides + (size_t)mid * sizeof(n), sizeof(n));
		node = &zt->nodes[n];
		c = node->name_len != len ? (node->name_len < len ? -1 : 1)
					  : memcmp(zt->arena + node->name, key, len);
		if (c == 0)
			return n;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ZT_NONE;
}
