/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_store.c: the loaded zone's records: appended in wire form, read back, freed */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "zload_pvt.h"

int zload_add_file(zload_zone_t *z, const char *name)
{
	char **files = realloc(z->files, (z->nfiles + 1) * sizeof(*files));

	if (files == NULL)
		return -ENOMEM;
	z->files = files;
	files[z->nfiles] = strdup(name);
	if (files[z->nfiles] == NULL)
		return -ENOMEM;
	return (int)z->nfiles++;
}

size_t zload_store_room = SIZE_MAX;

size_t zload_store_room_for(size_t len)
{
	size_t room = zload_store_room != SIZE_MAX ? zload_store_room : len / 2 + ((size_t)1 << 20);

	/* Data offsets are 32-bit. */
	if (len >= UINT32_MAX - 1)
		return 0;
	return room < UINT32_MAX - 1 - len ? room : UINT32_MAX - 1 - len;
}

/* The store S dropped by one holder; the last frees it. */
static void store_drop(struct zload_store *s)
{
	if (__atomic_fetch_sub(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(s->data);
	free(s);
}

bool zload_store_make(zload_zone_t *z)
{
	struct zload_store *s;

	if (z->store != NULL)
		return true;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return false;
	*s = (struct zload_store){
	    .data = z->data, .cap = z->data_cap, .tip = z->data_len, .refs = 0};
	z->store = s;
	z->data_cap = z->data_len;
	return true;
}

bool zload_store_share(zload_zone_t *z, const zload_zone_t *base, size_t more)
{
	struct zload_store *s = base->store;
	size_t tip;

	if (s == NULL || z->store != NULL || z->data != NULL)
		return false;
	/* The room claimed past the tip: whoever else appends (another version made from an
	 * older one) claims past this. */
	tip = __atomic_load_n(&s->tip, __ATOMIC_ACQUIRE);
	do {
		if (tip < base->data_len || tip > s->cap || s->cap - tip < more ||
		    tip + more >= UINT32_MAX)
			return false;
	} while (!__atomic_compare_exchange_n(&s->tip, &tip, tip + more, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	z->store = s;
	z->data = s->data;
	z->data_len = tip;
	z->data_cap = tip + more;
	/* What other versions appended between BASE's octets and the room: read by none here. */
	z->garbage = base->garbage + (tip - base->data_len);
	return true;
}

/*
 * Z's octets made its own again before an append past its room: the store's buffer itself
 * when Z holds it alone (no version reads it), else a copy. False without memory.
 */
static bool store_unshare(zload_zone_t *z)
{
	struct zload_store *s = z->store;
	uint8_t *d;

	if (__atomic_load_n(&s->refs, __ATOMIC_ACQUIRE) == 0) {
		z->data_cap = s->cap;
		free(s);
		z->store = NULL;
		return true;
	}
	d = malloc(z->data_len ? z->data_len : 1);
	if (d == NULL)
		return false;
	memcpy(d, z->data, z->data_len);
	store_drop(s);
	z->store = NULL;
	z->data = d;
	z->data_cap = z->data_len ? z->data_len : 1;
	return true;
}

bool zload_reserve(zload_zone_t *z, size_t need, size_t more_data, bool exact)
{
	/* Record numbers and data offsets are 32-bit (the sort's keys, the snapshot's offsets). */
	if (z->nrecs + need >= UINT32_MAX || z->data_len + more_data >= UINT32_MAX)
		return false;
	if (z->store != NULL && z->data_len + more_data > z->data_cap && !store_unshare(z))
		return false;
	if (z->nrecs + need > z->cap) {
		size_t cap = z->cap ? z->cap : 256;
		zload_rec_t *r;

		while (cap < z->nrecs + need)
			cap *= 2;
		if (exact)
			cap = z->nrecs + need;
		r = realloc(z->recs, cap * sizeof(*r));
		if (r == NULL)
			return false;
		z->recs = r;
		z->cap = cap;
	}
	/* Files and lines for the records past LINED only (zload_pvt.h), as many as recs holds;
	 * none for a zone that keeps none (NO_LINES). */
	if (!z->no_lines && z->cap - z->lined > z->lcap) {
		size_t lcap = z->cap - z->lined;
		unsigned *f = realloc(z->rr_file, lcap * sizeof(*f));
		int *l;

		if (f == NULL)
			return false;
		z->rr_file = f;
		l = realloc(z->rr_line, lcap * sizeof(*l));
		if (l == NULL)
			return false;
		z->rr_line = l;
		z->lcap = lcap;
	}
	if (z->data_len + more_data > z->data_cap) {
		size_t cap = z->data_cap ? z->data_cap : 4096;
		uint8_t *d;

		while (cap < z->data_len + more_data)
			cap *= 2;
		if (exact)
			cap = z->data_len + more_data;
		d = realloc(z->data, cap);
		if (d == NULL)
			return false;
		z->data = d;
		z->data_cap = cap;
	}
	return true;
}

bool zload_reserve_huge(zload_zone_t *z, size_t need, size_t more_data)
{
	if (z->nrecs != 0 || z->data_len != 0 || z->cap != 0 || z->data_cap != 0)
		return zload_reserve(z, need, more_data, true);
	if (need >= UINT32_MAX || more_data >= UINT32_MAX)
		return false;
	/* One allocation each, hinted before a page of it is touched. */
	z->recs = malloc((need ? need : 1) * sizeof(*z->recs));
	z->rr_file = malloc((need ? need : 1) * sizeof(*z->rr_file));
	z->rr_line = malloc((need ? need : 1) * sizeof(*z->rr_line));
	z->data = malloc(more_data ? more_data : 1);
	if (z->recs == NULL || z->rr_file == NULL || z->rr_line == NULL || z->data == NULL)
		return false; /* what was got is freed with the zone */
	z->cap = z->lcap = need ? need : 1;
	z->data_cap = more_data ? more_data : 1;
	huge_hint(z->recs, need * sizeof(*z->recs));
	huge_hint(z->rr_file, need * sizeof(*z->rr_file));
	huge_hint(z->rr_line, need * sizeof(*z->rr_line));
	huge_hint(z->data, more_data);
	return true;
}

int zload_push_wire(zload_zone_t *z, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, size_t rdlen, unsigned file, int line)
{
	size_t n = z->nrecs;
	zload_rec_t *r;
	bool same_owner;

	if (olen > WIRE_NAME_MAX || rdlen > UINT16_MAX)
		return -EINVAL;
	if (!zload_reserve(z, 1, olen + rdlen, false))
		return -ENOMEM;
	r = &z->recs[n];
	/* A name's records are usually together: they share its octets. */
	same_owner = n > 0 && wire_name_len(z->data + z->recs[n - 1].owner) == olen &&
		     memcmp(z->data + z->recs[n - 1].owner, owner, olen) == 0;
	if (same_owner) {
		r->owner = z->recs[n - 1].owner;
	} else {
		r->owner = (uint32_t)z->data_len;
		memcpy(z->data + z->data_len, owner, olen);
		z->data_len += olen;
	}
	r->rdata = (uint32_t)z->data_len;
	if (rdlen > 0)
		memcpy(z->data + z->data_len, rdata, rdlen);
	z->data_len += rdlen;
	r->rdlen = (uint16_t)rdlen;
	r->type = type;
	r->ttl = ttl;
	zload_rec_set_line(z, n, file, line);
	z->nrecs++;
	return 0;
}

int zload_push(zload_zone_t *z, ldns_rr *rr, unsigned file, int line)
{
	ldns_buffer *buf = ldns_buffer_new(512);
	const ldns_rdf *o = ldns_rr_owner(rr);
	int ret = -ENOMEM;

	if (buf != NULL && ldns_rr_rdata2buffer_wire(buf, rr) == LDNS_STATUS_OK)
		ret = zload_push_wire(
		    z, ldns_rdf_data(o), ldns_rdf_size(o), (uint16_t)ldns_rr_get_type(rr),
		    ldns_rr_ttl(rr), ldns_buffer_begin(buf), ldns_buffer_position(buf), file, line);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	return ret;
}

bool zload_adopt(zload_zone_t *zone, const zload_zone_t *piece)
{
	size_t n = piece->nrecs, base = zone->data_len;

	/* A copy of a zone whose first records have no lines (a transfer's): nor have its. */
	if (zone->nrecs == 0 && zone->cap == 0 && zone->lined == 0) {
		zone->lined = piece->lined;
		zone->unlined_file = piece->unlined_file;
	}
	if (!zload_reserve(zone, n, piece->data_len, false))
		return false;
	if (piece->data_len > 0)
		memcpy(zone->data + base, piece->data, piece->data_len);
	zone->data_len += piece->data_len;
	for (size_t i = 0; i < n; i++) {
		zload_rec_t *r = &zone->recs[zone->nrecs + i];

		*r = piece->recs[i];
		r->owner += (uint32_t)base;
		r->rdata += (uint32_t)base;
	}
	if (n > 0 && piece->lined == 0 && zone->nrecs >= zone->lined) {
		size_t at = zone->nrecs - zone->lined;

		memcpy(zone->rr_file + at, piece->rr_file, n * sizeof(*piece->rr_file));
		memcpy(zone->rr_line + at, piece->rr_line, n * sizeof(*piece->rr_line));
	} else {
		for (size_t i = 0; i < n; i++)
			zload_rec_set_line(zone, zone->nrecs + i, zload_rec_file(piece, i),
					   zload_rec_line(piece, i));
	}
	zone->nrecs += n;
	return true;
}

ldns_rr *zload_rr(const zload_zone_t *z, size_t i)
{
	const zload_rec_t *r = &z->recs[i];
	size_t olen = wire_name_len(z->data + r->owner), pos = 0;
	uint8_t *wire = malloc(olen + 10u + r->rdlen);
	ldns_rr *rr = NULL;

	if (wire == NULL)
		return NULL;
	memcpy(wire, z->data + r->owner, olen);
	wire_put16(wire + olen, r->type);
	wire_put16(wire + olen + 2, 1); /* IN: zload reads no other class */
	wire_put32(wire + olen + 4, r->ttl);
	wire_put16(wire + olen + 8, r->rdlen);
	memcpy(wire + olen + 10, z->data + r->rdata, r->rdlen);
	if (ldns_wire2rr(&rr, wire, olen + 10u + r->rdlen, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		rr = NULL;
	free(wire);
	return rr;
}

const char *zload_rr_file(const zload_zone_t *z, size_t i)
{
	return z->files[zload_rec_file(z, i)];
}

const char *zload_origin(const zload_zone_t *zone)
{
	return zone->origin_text;
}

size_t zload_rr_count(const zload_zone_t *zone)
{
	return zone->nrecs;
}

unsigned long zload_serial(const zload_zone_t *zone)
{
	return zone->serial;
}

bool zload_is_signed(const zload_zone_t *zone)
{
	return zone->is_signed;
}

zload_zone_t *zload_ref(zload_zone_t *zone)
{
	/* Atomic: the reload thread and the control thread's previews share the zones as read. */
	__atomic_add_fetch(&zone->refs, 1, __ATOMIC_RELAXED);
	return zone;
}

void zload_free(zload_zone_t **zone)
{
	zload_zone_t *z;

	if (zone == NULL || *zone == NULL)
		return;
	z = *zone;
	*zone = NULL;
	/* The last holder (no reference left to drop) frees: refs counts the others. */
	if (__atomic_fetch_sub(&z->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	/* No one reads Z now: a transfer's version hands its arrays to the next one. */
	zload_spare_put(z);
	free(z->recs);
	if (z->store != NULL)
		store_drop(z->store);
	else
		free(z->data);
	ldns_rdf_deep_free(z->origin);
	for (size_t i = 0; i < z->nfiles; i++)
		free(z->files[i]);
	free(z->files);
	free(z->rr_file);
	free(z->rr_line);
	free(z->origin_text);
	for (size_t i = 0; i < z->nempty; i++)
		ldns_rdf_deep_free(z->empty[i]);
	free(z->empty);
	free(z->by_owner);
	free(z->sign_order);
	zload_deltas_free(z);
	zload_stamps_free(z);
	free(z);
}
