/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_order.c: a patched zone's transfer order: the old one with the changed names merged */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_patch_pvt.h"

/* ---- the transfer order ---- */

static int cmp_pn_canon(const void *a, const void *b)
{
	const struct pn *x = *(const struct pn *const *)a, *y = *(const struct pn *const *)b;

	return wire_name_cmp_canonical(x->key, y->key);
}

/*
 * The zone's transfer order: BASE's without the changed names' RRsets, and theirs merged in
 * where their names go (canonical order): one pass over it, a binary search per name.
 */
int zt_patch_axfr(struct patch *p)
{
	const zt_t *base = p->base, *zt = p->zt;
	const zt_zone_t *bz = &base->zones[p->z];
	zt_zone_t *nz = &p->zt->zones[p->z];
	uint8_t *gone = calloc(base->nnodes / 8 + 1, 1);
	const struct pn **add = malloc((p->npn ? p->npn : 1) * sizeof(*add));
	size_t nadd = 0, total = bz->naxfr, na = 0, at = 0;
	uint32_t *out = NULL;

	if (gone == NULL || add == NULL)
		goto nomem;
	for (size_t i = 0; i < p->npn; i++) {
		const struct pn *pn = &p->pn[i];

		if (pn->old != ZT_NONE)
			gone[pn->old / 8] |= (uint8_t)(1u << (pn->old % 8));
		if (pn->node != ZT_NONE && zt->nodes[pn->node].nrrsets > 0) {
			add[nadd++] = pn;
			total += zt->nodes[pn->node].nrrsets;
		}
	}
	qsort(add, nadd, sizeof(*add), cmp_pn_canon);
	out = malloc((total ? total : 1) * sizeof(*out));
	if (out == NULL)
		goto nomem;
	for (size_t j = 0; j <= nadd; j++) {
		const zt_node_t *node = j < nadd ? &zt->nodes[add[j]->node] : NULL;
		size_t lo = node != NULL ? at : bz->naxfr, hi = bz->naxfr;

		/* The first of BASE's after the name (all of them after the last name). */
		while (node != NULL && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const zt_node_t *o = &base->nodes[base->rrsets[bz->axfr[mid]].node];

			if (wire_name_cmp_canonical(base->arena + o->name, add[j]->key) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; at < lo; at++) {
			uint32_t o = base->rrsets[bz->axfr[at]].node;

			if (!(gone[o / 8] & (1u << (o % 8))))
				out[na++] = bz->axfr[at];
		}
		for (uint32_t s = 0; node != NULL && s < node->nrrsets; s++)
			if (node->rrsets + s != nz->soa)
				out[na++] = node->rrsets + s;
	}
	free(gone);
	free(add);
	nz->axfr = out;
	nz->naxfr = (uint32_t)na;
	return 0;
nomem:
	free(gone);
	free(add);
	free(out);
	return -ENOMEM;
}
