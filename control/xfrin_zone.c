/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_zone.c: a secondary zone's records in memory, as a transfer brings them or our copy holds
 */
#include <stdlib.h>
#include <string.h>

#include "xfrin_pvt.h"

uint32_t xfrin_soa_field(const ldns_rr *soa, size_t i)
{
	const ldns_rdf *f = ldns_rr_rdf(soa, i);

	return f != NULL && ldns_rdf_size(f) == 4 ? ldns_rdf2native_int32(f) : 0;
}

bool xfrin_zone_push(xfrin_zone_t *z, ldns_rr *rr)
{
	if (z->n == z->cap) {
		size_t cap = z->cap != 0 ? z->cap * 2 : 1024;
		ldns_rr **rrs = realloc(z->rrs, cap * sizeof(*rrs));
		uint8_t **keys;

		if (rrs == NULL)
			return false;
		z->rrs = rrs;
		keys = realloc(z->keys, cap * sizeof(*keys));
		if (keys == NULL)
			return false;
		z->keys = keys;
		z->cap = cap;
	}
	z->keys[z->n] = NULL;
	z->rrs[z->n++] = rr;
	return true;
}

void xfrin_zone_clear(xfrin_zone_t *z)
{
	for (size_t i = 0; i < z->n; i++) {
		ldns_rr_free(z->rrs[i]);
		if (z->keys != NULL)
			free(z->keys[i]);
	}
	ldns_rr_free(z->soa);
	free(z->rrs);
	free(z->keys);
	memset(z, 0, sizeof(*z));
}
