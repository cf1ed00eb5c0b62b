/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_denial_share.c: how a snapshot's signed zones share zt_denial_budget, compiled or patched */
#include <errno.h>
#include <stdlib.h>

#include "resolve.h" /* ZT_LIVE */
#include "zt_build.h"

/*
 * Per snapshot, shared by its signed zones (zt_denial_make()): 64 MiB holds the NXDOMAIN blobs
 * of some 50,000 NSEC owners (two each, ~600 octets), or the NXDOMAIN parts of some 100,000
 * NSEC3 names.
 */
size_t zt_denial_budget = (size_t)64 << 20;

static int cmp_want(const void *a, const void *b)
{
	const struct zt_denial_want *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->z < y->z ? -1 : x->z > y->z;
}

uint32_t zt_denial_wants(const zt_t *zt, struct zt_denial_want *w)
{
	uint32_t nw = 0;

	for (uint32_t z = 0; z < zt->nzones; z++) {
		const zt_zone_t *zone = &zt->zones[z];

		if (zone->origin == NULL || !zone->is_signed || zone->nx_do >= ZT_LIVE)
			continue;
		if (zone->has_nsec3 && zone->nnsec3 > 0)
			w[nw++] = (struct zt_denial_want){z, zone->nnsec3};
		else if (!zone->has_nsec3 && zone->nsec_keys != NULL && zone->nnsec > 0)
			w[nw++] = (struct zt_denial_want){z, 2ull * zone->nnsec};
	}
	qsort(w, nw, sizeof(*w), cmp_want);
	return nw;
}

/*
 * A patch makes one zone's denial data again while the others keep theirs: walked as
 * zt_denial_make() shares the budget, each of the others taking what it holds. Zone Z's share
 * is then the one a compile gives it with the zones before it (wanting less) holding what they
 * hold. With Z taking USED, a zone that holds more than its share so was given more by the
 * compile or patch that made it (Z took less then, or the zones came in another order): a
 * compile now would keep less for it, and the snapshot could pass the budget. Each zone within
 * its share, the snapshot is within the budget. A zone that holds less than a compile would now
 * let it keep (Z takes less than before) is not seen: that would take making its data again,
 * and only means a part composed per question until the next compile (the same answers).
 */
int zt_denial_share(const zt_t *zt, uint32_t z, size_t used, size_t *share)
{
	struct zt_denial_want *w = malloc((zt->nzones ? zt->nzones : 1) * sizeof(*w));
	uint32_t nw;
	size_t left = zt_denial_budget;
	int fits = 1;

	if (w == NULL)
		return -ENOMEM;
	nw = zt_denial_wants(zt, w);
	*share = 0;
	for (uint32_t k = 0; k < nw; k++) {
		size_t s = left / (nw - k), take = zt->zones[w[k].z].denial_used;

		if (w[k].z == z) {
			*share = s;
			take = used;
		}
		if (take > s) {
			fits = 0;
			break;
		}
		left -= take;
	}
	free(w);
	return fits;
}
