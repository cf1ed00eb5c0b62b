/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_part.c: the records of a zone at a few owners, as a version of their own */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zload_owner.h"
#include "zload_pvt.h"

/* Ascending record numbers: file order. */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The numbers of ZONE's records at KEY (a wire name) appended to IDX (room for MAX, *N used):
 * false when there would be more than MAX.
 */
static bool owner_recs(const zload_zone_t *zone, const uint8_t *key, uint32_t *idx, size_t *n,
		       size_t max)
{
	size_t r0, r1;

	if (zone->by_owner == NULL) {
		/* Not indexed (not seen for a zone read from a file): walked. */
		for (size_t i = 0; i < zone->nrecs; i++)
			if (owner_cmp(zload_rec_owner(zone, i), key) == 0) {
				if (*n == max)
					return false;
				idx[(*n)++] = (uint32_t)i;
			}
		return true;
	}
	zload_owner_range(zone, key, &r0, &r1);
	if (r1 - r0 > max - *n)
		return false;
	for (size_t k = r0; k < r1; k++)
		idx[(*n)++] = zone->by_owner[k];
	return true;
}

zload_zone_t *zload_part(const zload_zone_t *zone, const char *const *owners, size_t nowners,
			 size_t max_recs, size_t max_octets, int *why)
{
	uint32_t *idx = calloc(max_recs + 1, sizeof(*idx));
	zload_zone_t *z = calloc(1, sizeof(*z));
	size_t n = 0, octets = 0;
	int file;

	*why = -ENOMEM;
	if (idx == NULL || z == NULL)
		goto fail;
	for (size_t k = 0; k < nowners; k++) {
		ldns_rdf *name = NULL;
		uint8_t key[WIRE_NAME_MAX + 1];
		bool room;

		if (ldns_str2rdf_dname(&name, owners[k]) != LDNS_STATUS_OK) {
			*why = -EINVAL;
			goto fail;
		}
		wire_name_lower(key, ldns_rdf_data(name));
		ldns_rdf_deep_free(name);
		if (!wire_name_is_sub(key, ldns_rdf_data(zone->origin))) {
			*why = -EINVAL;
			goto fail;
		}
		/* A name given twice: its records once. */
		for (size_t j = 0; j < k; j++)
			if (strcasecmp(owners[j], owners[k]) == 0)
				goto next;
		room = owner_recs(zone, key, idx, &n, max_recs);
		if (!room) {
			*why = -E2BIG;
			goto fail;
		}
	next:;
	}
	qsort(idx, n, sizeof(*idx), cmp_u32);
	for (size_t i = 0; i < n; i++)
		octets += wire_name_len(zload_rec_owner(zone, idx[i])) + zone->recs[idx[i]].rdlen;
	if (octets > max_octets) {
		*why = -E2BIG;
		goto fail;
	}
	z->origin_text = strdup(zone->origin_text);
	z->origin = ldns_rdf_clone(zone->origin);
	z->no_lines = true;
	if (z->origin_text == NULL || z->origin == NULL)
		goto fail;
	file = zload_add_file(z, zone->nfiles > 0 ? zone->files[0] : zone->origin_text);
	if (file < 0)
		goto fail;
	z->unlined_file = (unsigned)file;
	if (n > 0 && !zload_reserve(z, n, octets, true))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const zload_rec_t *r = &zone->recs[idx[i]];
		const uint8_t *o = zload_rec_owner(zone, idx[i]);

		if (zload_push_wire(z, o, wire_name_len(o), r->type, r->ttl,
				    zload_rec_rdata(zone, idx[i]), r->rdlen, (unsigned)file,
				    0) != 0)
			goto fail;
	}
	if (zone->nempty > 0) {
		z->empty = calloc(zone->nempty, sizeof(*z->empty));
		if (z->empty == NULL)
			goto fail;
		for (; z->nempty < zone->nempty; z->nempty++) {
			z->empty[z->nempty] = ldns_rdf_clone(zone->empty[z->nempty]);
			if (z->empty[z->nempty] == NULL)
				goto fail;
		}
	}
	z->serial = zone->serial;
	z->is_signed = zone->is_signed;
	z->stamps_bad = true; /* no file of its own: never told unchanged by stamps */
	if (zload_index_owners(z) != 0)
		goto fail;
	free(idx);
	*why = 0;
	return z;
fail:
	free(idx);
	zload_free(&z);
	return NULL;
}
