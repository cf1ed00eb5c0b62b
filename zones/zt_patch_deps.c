/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_deps.c: which names' answers hold other names' records, for zt_patch() to redo */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "resolve.h"
#include "wire.h"
#include "zt_index.h"
#include "zt_patch_pvt.h"

static void deps_free(void *p)
{
	struct zt_deps *d = p;

	if (d == NULL)
		return;
	for (uint32_t z = 0; d->neg != NULL && z < d->nzones; z++) {
		free(d->neg[z].name);
		free(d->neg[z].len);
	}
	free(d->scanned);
	free(d->main);
	free(d->extra);
	free(d->neg);
	free(d);
}

static int dep_add(struct zt_deps *d, const uint8_t *target, const zt_node_t *ref, bool cname)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, target);

	if (!GROW(d->extra, d->cextra, d->nextra + 1, 256))
		return -ENOMEM;
	d->extra[d->nextra++] = (struct zt_dep){
	    .h = zt_hash(key, len), .name = ref->name, .len = ref->name_len, .cname = cname};
	return 0;
}

int zt_deps_add_node(struct zt_deps *d, const zt_t *zt, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];
	const zt_node_t *apex = &zt->nodes[zt->zones[node->zone].apex];
	const uint8_t *apex_name = zt->arena + apex->name;

	/* A signed name's NODATA with DO whole, not split (ZT_NODATA_SPLIT): it holds the SOA. */
	if (node->nrrsets == 0 || (node->flags & ZN_CNAME) || node->deleg == n ||
	    ((node->flags & ZN_SIGNED) && node->ans_default_do < ZT_NODATA_SPLIT)) {
		struct zt_neg *g = &d->neg[node->zone];
		size_t cap = g->cap;

		if (!GROW(g->name, cap, g->n + 1, 256) || !GROW(g->len, g->cap, g->n + 1, 256))
			return -ENOMEM;
		g->name[g->n] = node->name;
		g->len[g->n++] = node->name_len;
	}
	for (uint32_t s = node->rrsets; node->nrrsets > 0 && s < node->rrsets + node->nrrsets;
	     s++) {
		const zt_rrset_t *set = &zt->rrsets[s];
		/* the targets additional processing follows, and a CNAME's */
		int toff = set->type == T_CNAME ? 0 : res_target_offset(set->type);
		const uint8_t *p = zt->arena + set->data;

		if (toff < 0)
			continue;
		for (uint16_t i = 0; i < set->count; i++) {
			uint16_t rdlen = wire_get16(p);
			const uint8_t *t = p + 2 + toff;

			p += 2 + rdlen;
			if ((int)rdlen <= toff || !wire_name_is_sub(t, apex_name))
				continue;
			if (set->type != T_CNAME) {
				if (dep_add(d, t, node, false) != 0)
					return -ENOMEM;
				continue;
			}
			/* The chain's end depends on the target and on the names above it (which
			 * one exists decides its closest encloser), and on the wildcards that may
			 * stand for it (their own chains). */
			for (const uint8_t *target = t; wire_name_labels(t) >= apex->labels;
			     t += *t + 1) {
				uint8_t wild[WIRE_NAME_MAX + 1];
				size_t tl = wire_name_len(t);

				if (dep_add(d, t, node, true) != 0)
					return -ENOMEM;
				/* "*.T" never answers T itself: the names above it. */
				if (t != target && tl + 2 <= WIRE_NAME_MAX) {
					wild[0] = 1;
					wild[1] = '*';
					memcpy(wild + 2, t, tl);
					if (dep_add(d, wild, node, true) != 0)
						return -ENOMEM;
				}
				if (wire_name_labels(t) == apex->labels)
					break;
			}
		}
	}
	return 0;
}

static int cmp_dep(const void *a, const void *b)
{
	const struct zt_dep *x = a, *y = b;

	return x->h < y->h ? -1 : (x->h > y->h);
}

/* The sorted runs A (NA) and B (NB) merged into OUT. */
static void merge(struct zt_dep *out, const struct zt_dep *a, size_t na, const struct zt_dep *b,
		  size_t nb)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		out[k++] = b[j].h < a[i].h ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

/*
 * The new entries sorted and merged into the extras: time that grows with the extras, not the
 * map. When the extras pass a quarter of the main part, they join it (each entry joins once
 * per doubling of the map). Without memory for a merge, a sort of them all.
 */
void zt_deps_sort(struct zt_deps *d)
{
	size_t nnew = d->nextra - d->nsorted;
	struct zt_dep *tmp;

	if (nnew > 1)
		qsort(d->extra + d->nsorted, nnew, sizeof(*d->extra), cmp_dep);
	if (nnew > 0 && d->nsorted > 0) {
		tmp = malloc(d->nextra * sizeof(*tmp));
		if (tmp == NULL) {
			qsort(d->extra, d->nextra, sizeof(*d->extra), cmp_dep);
		} else {
			merge(tmp, d->extra, d->nsorted, d->extra + d->nsorted, nnew);
			memcpy(d->extra, tmp, d->nextra * sizeof(*tmp));
			free(tmp);
		}
	}
	d->nsorted = d->nextra;
	if (d->nextra > 4096 && d->nextra * 4 > d->nmain &&
	    (tmp = malloc((d->nmain + d->nextra) * sizeof(*tmp))) != NULL) {
		merge(tmp, d->main, d->nmain, d->extra, d->nextra);
		free(d->main);
		d->main = tmp;
		d->nmain += d->nextra;
		d->cmain = d->nmain;
		d->nextra = d->nsorted = 0;
	}
}

/* [*lo, *hi): the entries of the N sorted at V whose hash is H. */
static void range(const struct zt_dep *v, size_t n, uint64_t h, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (v[m].h < h)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < n && v[b].h == h; b++)
		;
	*hi = b;
}

void zt_deps_find(const struct zt_deps *d, const uint8_t *key, size_t len, size_t *m0, size_t *m1,
		  size_t *e0, size_t *e1)
{
	uint64_t h = zt_hash(key, len);

	range(d->main, d->nmain, h, m0, m1);
	range(d->extra, d->nextra, h, e0, e1);
}

/*
 * Zone Z's nodes into the map: the first patch of a zone in a store. A zone never patched in it
 * still has the nodes its compile made, one run of the array (zt_nodes.c): read in order, where
 * a walk of the index read a node at random per name (a tenth of a second for a million).
 */
static int scan_zone(struct zt_deps *d, const zt_t *zt, uint32_t z)
{
	uint32_t end = z + 1 < zt->nzones ? zt->zones[z + 1].first_node : zt->nnodes;

	for (uint32_t n = zt->zones[z].first_node; n < end; n++) {
		const zt_node_t *node = &zt->nodes[n];

		/* A parent side (out of the index) answers DS only: its NODATA holds the SOA. */
		if (node->zone == z && (!(node->flags & ZN_SHADOW) || node->deleg == n) &&
		    zt_deps_add_node(d, zt, n) != 0)
			return -ENOMEM;
	}
	/* The extras so far join the main part, sorted once. */
	if (!GROW(d->main, d->cmain, d->nmain + d->nextra, 256))
		return -ENOMEM;
	if (d->nextra > 0)
		memcpy(d->main + d->nmain, d->extra, d->nextra * sizeof(*d->extra));
	d->nmain += d->nextra;
	d->nextra = d->nsorted = 0;
	if (d->nmain > 1)
		qsort(d->main, d->nmain, sizeof(*d->main), cmp_dep);
	return 0;
}

/* Room in D for zone numbers below N (a patched snapshot's added zones): 0 or -ENOMEM. */
static int deps_zones(struct zt_deps *d, uint32_t n)
{
	uint32_t *scanned;
	struct zt_neg *neg;

	if (n <= d->nzones)
		return 0;
	scanned = realloc(d->scanned, n * sizeof(*scanned));
	if (scanned == NULL)
		return -ENOMEM;
	d->scanned = scanned;
	neg = realloc(d->neg, n * sizeof(*neg));
	if (neg == NULL)
		return -ENOMEM;
	d->neg = neg;
	memset(d->scanned + d->nzones, 0, (n - d->nzones) * sizeof(*scanned));
	memset(d->neg + d->nzones, 0, (n - d->nzones) * sizeof(*neg));
	d->nzones = n;
	return 0;
}

int zt_deps_get(zt_store_t *st, const zt_t *zt, uint32_t z, struct zt_deps **out)
{
	struct zt_deps *d = st->deps;

	if (d == NULL) {
		d = calloc(1, sizeof(*d));
		if (d == NULL)
			return -ENOMEM;
		st->deps = d;
		st->deps_free = deps_free;
	}
	if (z >= zt->nzones || deps_zones(d, zt->nzones) != 0)
		return z >= zt->nzones ? -EINVAL : -ENOMEM;
	/* Scanned: this very zone (the number may have been another's, taken out since). */
	if (d->scanned[z] != zt->zones[z].first_node + 1u) {
		zt_deps_sort(d);
		d->neg[z].n = 0;
		if (scan_zone(d, zt, z) != 0)
			return -ENOMEM;
		d->scanned[z] = zt->zones[z].first_node + 1u;
	}
	*out = d;
	return 0;
}
