/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_order.c: a patched zone's transfer order: the old one with the changed names merged */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zt_patch_pvt.h"
#include "zt_spare.h"

/* Where a changed name's RRsets go in BASE's order: SKIP of them from POS are its old ones. */
struct cut {
	size_t pos, skip;
	const struct pn *pn;
};

static int cmp_cut(const void *a, const void *b)
{
	const struct cut *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return wire_name_cmp_canonical(x->pn->key, y->pn->key);
}

/* The first of zone BZ's transfer order (of BASE) whose owner comes after KEY, or (AFTER false)
 * is not before it. */
static size_t bound(const zt_t *base, const zt_zone_t *bz, const uint8_t *key, bool after)
{
	size_t lo = 0, hi = bz->naxfr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const zt_node_t *o = &base->nodes[base->rrsets[bz->axfr[mid]].node];
		int c = wire_name_cmp_canonical(base->arena + o->name, key);

		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The zone's transfer order: BASE's without the changed names' RRsets, and theirs put in where
 * their names go (canonical order): two binary searches per name, the rest copied in runs.
 */
int zt_patch_axfr(struct patch *p)
{
	const zt_t *base = p->base, *zt = p->zt;
	const zt_zone_t *bz = &base->zones[p->z];
	zt_zone_t *nz = &p->zt->zones[p->z];
	struct cut *cut = malloc((p->npn ? p->npn : 1) * sizeof(*cut));
	size_t ncut = 0, total = bz->naxfr, na = 0, at = 0;
	uint32_t *out = NULL;

	if (cut == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < p->npn; i++) {
		const struct pn *pn = &p->pn[i];
		size_t lo = bound(base, bz, pn->key, false), hi = bound(base, bz, pn->key, true);

		cut[ncut++] = (struct cut){.pos = lo, .skip = hi - lo, .pn = pn};
		if (pn->node != ZT_NONE)
			total += zt->nodes[pn->node].nrrsets;
	}
	qsort(cut, ncut, sizeof(*cut), cmp_cut);
	out = zt_big_alloc((total ? total : 1) * sizeof(*out));
	if (out == NULL) {
		free(cut);
		return -ENOMEM;
	}
	for (size_t j = 0; j < ncut; j++) {
		const zt_node_t *node =
		    cut[j].pn->node != ZT_NONE ? &zt->nodes[cut[j].pn->node] : NULL;

		memcpy(out + na, bz->axfr + at, (cut[j].pos - at) * sizeof(*out));
		na += cut[j].pos - at;
		for (uint32_t s = 0; node != NULL && s < node->nrrsets; s++)
			if (node->rrsets + s != nz->soa)
				out[na++] = node->rrsets + s;
		at = cut[j].pos + cut[j].skip;
	}
	memcpy(out + na, bz->axfr + at, (bz->naxfr - at) * sizeof(*out));
	na += bz->naxfr - at;
	free(cut);
	nz->axfr = out;
	nz->naxfr = (uint32_t)na;
	return 0;
}
