/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_denial.c: signed NSEC zones' NXDOMAIN answers with DO as blobs, within a budget */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "denial.h"
#include "resolve.h" /* ZT_LIVE */
#include "zt_build.h"
#include "zt_index.h"

/* Per zone: 32 MiB holds the NXDOMAIN blobs of a zone of some 25,000 NSEC owners (two each,
 * ~600 octets). */
size_t zt_denial_budget = (size_t)32 << 20;

/* A blob's pointers that move: an NXDOMAIN has a dozen. */
#define FIX_MAX 128

/* Closest enclosers of the names an NSEC covers. */
struct encl {
	uint32_t n[2 * WIRE_NAME_MAX];
	unsigned count;
};

/* Whether a question whose closest encloser is node N may be answered with a blob (answer.c
 * sends names below a cut or a DNAME elsewhere). */
static void encl_add(const zt_t *zt, struct encl *e, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];

	if (node->deleg != ZT_NONE || (node->flags & (ZN_DNAME | ZN_SHADOW)) ||
	    !(node->flags & ZN_SIGNED))
		return;
	for (unsigned i = 0; i < e->count; i++)
		if (e->n[i] == n)
			return;
	if (e->count < sizeof(e->n) / sizeof(e->n[0]))
		e->n[e->count++] = n;
}

/*
 * The names of zone Z under NAME (LEN octets, lower case) and above, to its apex, that are
 * nodes of the zone: NAME itself when SELF.
 */
static void encl_walk(const zt_t *zt, struct encl *e, uint32_t z, const uint8_t *name, size_t len,
		      bool self)
{
	size_t apex_len = zt->nodes[zt->zones[z].apex].name_len;

	if (!self) {
		if (name[0] == 0)
			return;
		len -= name[0] + 1u;
		name += name[0] + 1;
	}
	while (len >= apex_len) {
		uint32_t n = zt_find(zt, name, len);

		if (n != ZT_NONE && zt->nodes[n].zone == z)
			encl_add(zt, e, n);
		if (len == apex_len || name[0] == 0)
			break;
		len -= name[0] + 1u;
		name += name[0] + 1;
	}
}

/*
 * The enclosers of the names NSEC I covers: below its owner or one of the owner's ancestors,
 * or below an ancestor of the next name (the names between the two sort there).
 */
static void enclosers(const zt_t *zt, uint32_t z, uint32_t i, struct encl *e)
{
	const zt_zone_t *zone = &zt->zones[z];
	const zt_node_t *o = &zt->nodes[zone->nsec[i]];
	uint8_t owner[WIRE_NAME_MAX + 1], next[WIRE_NAME_MAX + 1];
	size_t nlen;

	e->count = 0;
	memcpy(owner, zt_node_name(zt, o), o->name_len);
	encl_walk(zt, e, z, owner, o->name_len, true);
	for (uint32_t s = o->rrsets; s < o->rrsets + o->nrrsets; s++)
		if (zt->rrsets[s].type == T_NSEC) {
			nlen = wire_name_lower(next, zt->arena + zt->rrsets[s].data + 2);
			encl_walk(zt, e, z, next, nlen, false);
			break;
		}
}

/* Blob D (its fix-ups in FIX) into the arena: its offset, or ZT_NONE without memory. */
static uint32_t put_blob(struct zt_build *b, const struct denial_built *d, const uint16_t *fix)
{
	uint32_t off =
	    zt_mem_arena_put(&b->mem, NULL, zt_blob_size((uint32_t)d->len, (uint16_t)d->nfix), 4);
	zt_blob_t *blob;
	uint8_t *data;

	if (off == ZT_NONE)
		return ZT_NONE;
	blob = (zt_blob_t *)(void *)(b->zt->arena + off);
	blob->flags = d->flags;
	blob->an = d->an;
	blob->ns = d->ns;
	blob->ar = d->ar;
	blob->ref_qlen = d->ref_qlen;
	blob->max_ptr = d->max_ptr;
	blob->nfix = (uint16_t)d->nfix;
	blob->len = (uint32_t)d->len;
	data = b->zt->arena + off + sizeof(zt_blob_t);
	memcpy(data, d->data, d->len);
	memcpy(data + ((d->len + 1) & ~(size_t)1), fix, d->nfix * sizeof(*fix));
	return off;
}

/*
 * Zone Z's blobs, all of them or (past the budget) none. 0 or -ENOMEM. MEASURE: none is kept,
 * only rendered to be counted: 1 when they would fit the budget (and the zone have them).
 */
static int zone_blobs(struct zt_build *b, uint32_t z, bool measure)
{
	zt_t *zt = b->zt;
	zt_zone_t *zone = &zt->zones[z];
	size_t start = zt->arena_len, used, nent = 0, cap = 0;
	uint32_t *idx, *ent = NULL;
	struct encl *e;
	uint16_t fix[FIX_MAX];

	if (!zone->is_signed || zone->has_nsec3 || zone->nsec_keys == NULL || zone->nnsec == 0 ||
	    zone->nx_do >= ZT_LIVE)
		return 0;
	used = (zone->nnsec + 1u) * sizeof(uint32_t);
	if (used > zt_denial_budget)
		return 0;
	idx = malloc(used);
	e = malloc(sizeof(*e));
	if (idx == NULL || e == NULL)
		goto nomem;
	for (uint32_t i = 0; i < zone->nnsec; i++) {
		idx[i] = (uint32_t)nent;
		enclosers(zt, z, i, e);
		for (unsigned k = 0; k < e->count; k++) {
			const zt_node_t *ce = &zt->nodes[e->n[k]];
			const zt_node_t *wn =
			    ce->wildcard != ZT_NONE ? &zt->nodes[ce->wildcard] : NULL;
			/* NXDOMAIN (qtype 0), or the wildcard's answer to each of its types. */
			uint32_t nq = wn != NULL ? wn->nans_do : 1;

			for (uint32_t a = 0; a < nq; a++) {
				uint16_t qtype = wn != NULL ? zt->ans[wn->ans_do + a].qtype : 0;
				struct denial_built d;
				uint32_t off;

				if (!denial_render(zt, z, i, e->n[k], qtype, b->scratch,
						   sizeof(b->scratch), fix, FIX_MAX, &d))
					continue; /* that one is composed, or answered live */
				used += zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) +
					4 * sizeof(*ent);
				if (used > zt_denial_budget)
					goto over;
				if (measure)
					continue;
				if (nent == cap) {
					uint32_t *more;

					cap = cap ? 2 * cap : 64;
					more = realloc(ent, 4 * cap * sizeof(*ent));
					if (more == NULL)
						goto nomem;
					ent = more;
				}
				off = put_blob(b, &d, fix);
				if (off == ZT_NONE)
					goto nomem;
				ent[4 * nent] = e->n[k];
				ent[4 * nent + 1] = qtype;
				ent[4 * nent + 2] = off;
				ent[4 * nent + 3] = d.what;
				nent++;
				ce = &zt->nodes[e->n[k]];
				wn = ce->wildcard != ZT_NONE ? &zt->nodes[ce->wildcard] : NULL;
			}
		}
	}
	idx[zone->nnsec] = (uint32_t)nent;
	free(e);
	if (measure) {
		free(idx);
		free(ent);
		return 1;
	}
	if (nent > 0 && nent < cap) {
		uint32_t *fit = realloc(ent, 4 * nent * sizeof(*ent));

		ent = fit != NULL ? fit : ent;
	}
	zone->nxb_idx = idx;
	zone->nxb = ent != NULL ? ent : malloc(sizeof(*ent));
	if (zone->nxb == NULL) {
		free(idx);
		zone->nxb_idx = NULL;
		return -ENOMEM;
	}
	zt->memsize += (zone->nnsec + 1u + 4 * nent) * sizeof(uint32_t);
	return 0;
over:
	/* Past the budget: the zone's blobs, the last put in the arena, are taken back. */
	zt->arena_len = start;
	free(idx);
	free(ent);
	free(e);
	return 0;
nomem:
	free(idx);
	free(ent);
	free(e);
	return -ENOMEM;
}

int zt_denial_make(struct zt_build *b)
{
	for (uint32_t z = 0; z < b->zt->nzones; z++)
		if (zone_blobs(b, z, false) != 0)
			return -ENOMEM;
	return 0;
}

int zt_denial_fits(struct zt_build *b, uint32_t z)
{
	return zone_blobs(b, z, true);
}
