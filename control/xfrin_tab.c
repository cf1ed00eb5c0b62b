/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_tab.c: the secondary zones' table, indexed by origin, zone number and wire name */
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "xfrin_tab.h"

/* ASCII lower case, as the wire names of the table are (ldns_dname2canonical). */
static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static uint64_t wire_hash(const uint8_t *w, size_t len)
{
	uint64_t h = FNV_START;

	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, lower(w[i]));
	return h;
}

/* The slot holding the zone whose name is the LEN octets at W (any case), or the empty one. */
static size_t wire_probe(const struct xtab *t, const uint8_t *w, size_t len)
{
	size_t i = (size_t)wire_hash(w, len) & t->wire_mask;

	for (;;) {
		uint32_t v = t->wire[i];
		const ldns_rdf *n;
		size_t k;

		if (v == 0)
			return i;
		n = t->wnames[v - 1];
		if (n != NULL && ldns_rdf_size(n) == len) {
			const uint8_t *d = ldns_rdf_data(n);

			for (k = 0; k < len && lower(w[k]) == d[k]; k++)
				;
			if (k == len)
				return i;
		}
		i = (i + 1) & t->wire_mask;
	}
}

struct xtab *xtab_new(const cfg_t *cfg, struct xz *z, size_t max, size_t nzones)
{
	struct xtab *t = calloc(1, sizeof(*t));
	size_t slots = 16;

	if (t == NULL || max > UINT32_MAX / 2)
		goto fail;
	*t = (struct xtab){.cfg = cfg, .z = z, .nzones = nzones};
	while (slots < 2 * max)
		slots *= 2;
	t->wire_mask = slots - 1;
	t->names = calloc(max + 1, sizeof(*t->names));
	t->wnames = calloc(max + 1, sizeof(*t->wnames));
	t->by_zone = calloc(nzones + 1, sizeof(*t->by_zone));
	t->wire = calloc(slots, sizeof(*t->wire));
	if (t->names == NULL || t->wnames == NULL || t->by_zone == NULL || t->wire == NULL)
		goto fail;
	return t;
fail:
	xtab_free(t);
	return NULL;
}

void xtab_index(struct xtab *t, size_t nz)
{
	t->nz = nz;
	for (size_t i = 0; i < nz; i++) {
		t->names[i] = t->z[i].origin;
		t->wnames[i] = t->z[i].name;
	}
	/* Out of memory: a pass over the zones finds an origin (xtab_origin). */
	t->by_origin = origins_new(t->names, nz);
	/* The same zone twice (never after cfg_check()): the first, as a pass over Z finds. */
	for (size_t i = nz; i-- > 0;)
		if (t->z[i].zone < t->nzones)
			t->by_zone[t->z[i].zone] = (uint32_t)(i + 1);
	for (size_t i = 0; i < nz; i++) {
		size_t s;

		if (t->wnames[i] == NULL)
			continue;
		s = wire_probe(t, ldns_rdf_data(t->wnames[i]), ldns_rdf_size(t->wnames[i]));
		if (t->wire[s] == 0)
			t->wire[s] = (uint32_t)(i + 1);
	}
}

void xtab_free(struct xtab *t)
{
	if (t == NULL)
		return;
	origins_free(t->by_origin);
	free(t->names);
	free(t->by_zone);
	free(t->wire);
	free(t->wnames);
	free(t);
}

struct xz *xtab_zone(const struct xtab *t, size_t zone)
{
	if (t == NULL || zone >= t->nzones || t->by_zone[zone] == 0)
		return NULL;
	return &t->z[t->by_zone[zone] - 1];
}

struct xz *xtab_origin(const struct xtab *t, const char *origin)
{
	long i = -1;

	if (t != NULL && t->by_origin != NULL)
		i = origins_exact(t->by_origin, origin);
	for (size_t k = 0; t != NULL && t->by_origin == NULL && i < 0 && k < t->nz; k++)
		if (cfg_same_origin(t->names[k], origin))
			i = (long)k;
	return i < 0 ? NULL : &t->z[i];
}

struct xz *xtab_wire(const struct xtab *t, const uint8_t *msg, size_t len)
{
	size_t pos = 12;
	uint32_t v;

	/* The name's length: its labels up to the root's; a pointer or a cut name is no zone. */
	for (;;) {
		if (pos >= len || msg[pos] > 63)
			return NULL;
		if (msg[pos] == 0)
			break;
		pos += 1u + msg[pos];
	}
	pos++;
	if (t == NULL || pos - 12 > LDNS_MAX_DOMAINLEN)
		return NULL;
	v = t->wire[wire_probe(t, msg + 12, pos - 12)];
	return v == 0 ? NULL : &t->z[v - 1];
}
