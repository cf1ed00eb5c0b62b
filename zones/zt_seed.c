/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_seed.c: a snapshot's first patch given memory made ahead, as the patches after it get */
#include "zt_seed.h"

#include "zt_order.h"
#include "zt_pvt.h"
#include "zt_spare.h"

/*
 * A patch copies the index and makes some arrays of the zone it patches again whole (its
 * transfer order, a signed zone's NSEC owners, their keys and the scratch it merges them in).
 * Every patch after the first finds the mappings of the snapshot it replaced kept
 * (zt_spare.c); the first after a whole compile finds none, and the pages of fresh ones fault
 * in one by one: on the machines measured the index copy of a 1,000,000-name zone took 83-154
 * ms fresh against 5-15 ms reused (bench/RESULTS.md). Mappings of the sizes of ZT's are made
 * now, faulted in, and kept, unless kept ones already fit them (the snapshot before, freed):
 * for the zones patched without an operator only (OFTEN), a static zone's patch paying once.
 */
size_t zt_seed_spares(const zt_t *zt, bool (*often)(void *arg, const char *origin), void *arg)
{
	size_t len[ZT_SPARES];
	bool huge[ZT_SPARES], index = false, any = false;
	size_t n = 0;

	/* A patched snapshot: the one it replaced gave its arrays back, of about its sizes. */
	if (zt == NULL || zt->patch != NULL)
		return 0;
	/* A zone a patch took out is zeroed (zt_patch_zones.c): no origin. Without any zone
	 * patched often, nothing is made, and nothing waits for the transfer orders. */
	for (uint32_t z = 0; z < zt->nzones && !any; z++)
		any = zt->zones[z].origin != NULL && often(arg, zt->zones[z].origin);
	if (!any || zt_order_wait(zt) != 0)
		return 0;
	for (uint32_t z = 0; z < zt->nzones; z++) {
		const zt_zone_t *zone = &zt->zones[z];
		const void *arrays[] = {zone->axfr,	 zone->nsec,	  zone->nsec,	 zone->nsec,
					zone->nsec_keys, zone->nsec_koff, zone->nsec_pre};

		if (zone->origin == NULL || !often(arg, zone->origin))
			continue;
		/* The index, which a patch of any zone copies: once. */
		if (!index && zt->big_map[ZT_ARR_INDEX] > 0 && n < ZT_SPARES) {
			len[n] = zt->big_map[ZT_ARR_INDEX];
			huge[n++] = true;
		}
		index = true;
		/* The NSEC owners three times: the new ones, and a merge's two scratch arrays. */
		for (size_t a = 0; a < sizeof(arrays) / sizeof(arrays[0]) && n < ZT_SPARES; a++) {
			size_t m = zt_big_mapping(arrays[a]);

			/* A whole compile's keys have room for twice their names; a patch's copy
			 * is exact (denial_keys.c). */
			if (arrays[a] == zone->nsec_keys && m > 0)
				m = zt_big_map_len(zone->nsec_koff[zone->nnsec] + 8u);
			if (m > 0) {
				len[n] = m;
				huge[n++] = false;
			}
		}
	}
	return zt_spare_seed(len, huge, n);
}
