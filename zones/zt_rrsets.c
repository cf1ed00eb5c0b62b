/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_rrsets.c: loaded records grouped into RRsets, and the nodes linked: cuts, wildcards, zones */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sandns_err.h"
#include "wire.h"
#include "zt_build.h"
#include "zt_index.h"
#include "zt_order.h"

/* Records by node, type, covered type, then RDATA in binary order (Knot's, for like answers). */
static int cmp_pending(const void *a, const void *b, void *ctx)
{
	const struct zt_pending *x = a, *y = b;
	const uint8_t *arena = ctx;
	uint16_t lx, ly;
	int c;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	lx = wire_get16(arena + x->rdata);
	ly = wire_get16(arena + y->rdata);
	c = memcmp(arena + x->rdata + 2, arena + y->rdata + 2, lx < ly ? lx : ly);
	if (c != 0)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* Groups the pending records into RRsets; the nodes' RRsets become contiguous, by type. */
int zt_rrsets_make(struct zt_build *b)
{
	zt_t *zt = b->zt;
	struct zt_pending *pend = b->pend;
	size_t npend = b->npend;

	/*
	 * Records come in file order, and a name's records are usually together: the pending
	 * array is then already ordered by node, and only each node's few records need sorting
	 * (the same order a full sort gives, node being its first key). Otherwise, a full sort.
	 */
	{
		bool by_node = true;

		for (size_t i = 1; i < npend && by_node; i++)
			by_node = pend[i].node >= pend[i - 1].node;
		if (!by_node) {
			qsort_r(pend, npend, sizeof(*pend), cmp_pending, b->pdata);
		} else {
			for (size_t i = 0, j; i < npend; i = j) {
				for (j = i + 1; j < npend && pend[j].node == pend[i].node; j++)
					;
				if (j - i > 1)
					qsort_r(pend + i, j - i, sizeof(*pend), cmp_pending,
						b->pdata);
			}
		}
	}
	for (size_t i = 0; i < npend;) {
		size_t j = i + 1;
		zt_rrset_t *set;
		zt_node_t *node = &zt->nodes[pend[i].node];
		uint32_t start = (uint32_t)zt->arena_len;
		uint32_t first_order = pend[i].order, ttl = pend[i].ttl;
		size_t count;

		while (j < npend && pend[j].node == pend[i].node && pend[j].type == pend[i].type &&
		       pend[j].covered == pend[i].covered) {
			/* The TTL served is the file's first record's (zload warns about the
			 * others). */
			if (pend[j].order < first_order) {
				first_order = pend[j].order;
				ttl = pend[j].ttl;
			}
			j++;
		}
		if (j - i > UINT16_MAX || node->nrrsets == UINT16_MAX) {
			char owner[WIRE_NAME_MAX * 4 + 1];

			wire_name_to_text(zt->arena + node->name, owner, sizeof(owner));
			zt_build_fail(b,
				      "%s: more than %u records in one RRset or RRsets at one name",
				      owner, UINT16_MAX);
			return SANDNS_ETOOBIG;
		}
		if (zt_mem_grow(&b->mem, ZT_ARR_RRSETS, (zt->nrrsets + 1u) * sizeof(zt_rrset_t)) !=
		    0)
			return -ENOMEM;
		/*
		 * Copy the records together so that an RRset is one run of bytes. A record twice
		 * (an edit adding what the file has) is kept once: they sort next to each other.
		 */
		start = ZT_NONE;
		count = 0;
		for (size_t k = i; k < j; k++) {
			uint16_t len = wire_get16(b->pdata + pend[k].rdata);
			uint32_t off;

			if (k > i && len == wire_get16(b->pdata + pend[k - 1].rdata) &&
			    memcmp(b->pdata + pend[k].rdata, b->pdata + pend[k - 1].rdata,
				   (size_t)len + 2) == 0)
				continue;
			off = zt_mem_arena_put(&b->mem, NULL, (size_t)len + 2, 1);
			if (off == ZT_NONE)
				return -ENOMEM;
			memcpy(zt->arena + off, b->pdata + pend[k].rdata, (size_t)len + 2);
			if (start == ZT_NONE)
				start = off;
			count++;
		}
		set = &zt->rrsets[zt->nrrsets];
		set->type = pend[i].type;
		set->covered = pend[i].covered;
		set->count = (uint16_t)count;
		set->node = pend[i].node;
		set->ttl = ttl;
		set->data = start;
		set->data_len = (uint32_t)(zt->arena_len - start);
		if (node->nrrsets == 0)
			node->rrsets = zt->nrrsets;
		node->nrrsets++;
		switch (set->type) {
		case T_CNAME:
			node->flags |= ZN_CNAME;
			break;
		case T_DNAME:
			node->flags |= ZN_DNAME;
			break;
		case T_NS:
			if (!(node->flags & ZN_APEX))
				node->flags |= ZN_CUT;
			break;
		case T_SOA:
			zt->zones[node->zone].soa = zt->nrrsets;
			break;
		case T_DNSKEY:
		case T_RRSIG:
			zt->zones[node->zone].is_signed = true;
			break;
		default:
			break;
		}
		zt->nrrsets++;
		i = j;
	}
	return 0;
}

static uint32_t parent_of(const zt_t *zt, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];
	const uint8_t *name = zt->arena + node->name;

	if (node->flags & ZN_APEX)
		return ZT_NONE;
	return zt_find(zt, name + name[0] + 1, node->name_len - name[0] - 1u);
}

/* DONE: a flag per node from FROM on (the nodes linked); parents are among them. */
static uint32_t deleg_of(zt_t *zt, uint32_t n, uint8_t *done, uint32_t from)
{
	zt_node_t *node = &zt->nodes[n];
	uint32_t p, d = ZT_NONE;

	if (done[n - from])
		return node->deleg;
	if (node->flags & ZN_SHADOW) {
		/* Only the parent-side cut itself answers anything (DS). */
		node->deleg = (node->flags & ZN_CUT) ? n : ZT_NONE;
		done[n - from] = 1;
		return node->deleg;
	}
	p = parent_of(zt, n);
	if (p != ZT_NONE) {
		d = deleg_of(zt, p, done, from);
		if (d == ZT_NONE && (zt->nodes[p].flags & ZN_DNAME))
			d = p;
	}
	if (d == ZT_NONE && (node->flags & ZN_CUT))
		d = n;
	node->deleg = d;
	done[n - from] = 1;
	return d;
}

bool zt_rrsets_nsec3_only(const zt_t *zt, const zt_node_t *node)
{
	if (node->nrrsets == 0 || (node->flags & ZN_APEX))
		return false;
	for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++) {
		const zt_rrset_t *set = &zt->rrsets[i];

		if (set->type != T_NSEC3 && !(set->type == T_RRSIG && set->covered == T_NSEC3))
			return false;
	}
	return true;
}

/*
 * NSEC3 owners (hashed names) are no names of the zone (RFC 5155 7.2.8): out of the index, a
 * query for one is answered as for a name that does not exist, as Knot keeps them in a tree of
 * their own. They stay nodes of their zone, so its transfers still carry them.
 */
static int nsec3_hide(zt_t *zt)
{
	uint32_t hidden = 0;

	for (uint32_t n = 0; n < zt->nnodes; n++) {
		if (!(zt->nodes[n].flags & ZN_SHADOW) && zt_rrsets_nsec3_only(zt, &zt->nodes[n])) {
			zt->nodes[n].flags |= ZN_SHADOW;
			hidden++;
		}
	}
	return hidden == 0 ? 0 : zt_index_resize(zt, zt->nnodes);
}

/*
 * Nodes [FROM, nnodes) linked: delegations, wildcards, parent sides. The parent of each is
 * among them, or is an apex (a zone added to a patched snapshot: no served zone above it).
 */
static int link_nodes(zt_t *zt, uint32_t from)
{
	uint8_t *done = calloc(zt->nnodes > from ? zt->nnodes - from : 1, 1);

	if (done == NULL)
		return -ENOMEM;
	for (uint32_t n = from; n < zt->nnodes; n++) {
		zt_node_t *node = &zt->nodes[n];
		const uint8_t *name = zt->arena + node->name;

		if (zt->zones[node->zone].is_signed)
			node->flags |= ZN_SIGNED;
		deleg_of(zt, n, done, from);
		if (node->flags & ZN_SHADOW) {
			uint32_t child = zt_find(zt, name, node->name_len);

			if ((node->flags & ZN_CUT) && child != ZT_NONE &&
			    (zt->nodes[child].flags & ZN_APEX))
				zt->nodes[child].parent_side = n;
			continue;
		}
		if (name[0] == 1 && name[1] == '*' && !(node->flags & ZN_APEX)) {
			uint32_t p = parent_of(zt, n);

			if (p != ZT_NONE)
				zt->nodes[p].wildcard = n;
		}
	}
	free(done);
	return 0;
}

/* Zone Z's facts: negative TTL, NSEC chain, transfer order (LATER: it may wait). */
static int zone_facts(zt_t *zt, uint32_t z, bool later)
{
	zt_zone_t *zone = &zt->zones[z];
	const zt_rrset_t *soa = &zt->rrsets[zone->soa];
	const uint8_t *rd = zt->arena + soa->data + 2;
	size_t l1 = wire_name_len(rd), l2 = wire_name_len(rd + l1);
	uint32_t minimum = wire_get32(rd + l1 + l2 + 16);
	uint32_t nn, na;

	zone->neg_ttl = soa->ttl < minimum ? soa->ttl : minimum;
	zt_order_counts(zt, z, &nn, &na);
	zt->memsize += (nn + na) * sizeof(uint32_t);
	/*
	 * An unsigned zone's transfer order waits (zt_order_start(), zt_order_wait()): nothing
	 * but a transfer needs it. A signed zone's answers need its NSEC chain now.
	 */
	zone->order_later =
	    later && !zone->is_signed && nn == 0 && zt->nnodes >= zt_order_async_min;
	if (!zone->order_later && zt_order_zone(zt, z) != 0)
		return -ENOMEM;
	return 0;
}

int zt_rrsets_link(struct zt_build *b)
{
	zt_t *zt = b->zt;

	if (nsec3_hide(zt) != 0 || link_nodes(zt, 0) != 0)
		return -ENOMEM;
	for (uint32_t z = 0; z < zt->nzones; z++)
		if (zone_facts(zt, z, true) != 0)
			return -ENOMEM;
	return 0;
}

int zt_rrsets_link_zone(struct zt_build *b, uint32_t z)
{
	zt_t *zt = b->zt;

	/* Unsigned (zt_patch_zones() checks): no NSEC3 owner to hide. */
	if (link_nodes(zt, zt->zones[z].first_node) != 0)
		return -ENOMEM;
	return zone_facts(zt, z, false);
}
