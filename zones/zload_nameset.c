/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_nameset.c: a zone's names as a sorted set of digests, to say "nothing there" without it */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "sandns_err.h"
#include "wire.h"
#include "zload_nameset.h"
#include "zload_pvt.h"

struct zload_nameset {
	uint64_t *h; /* sorted, distinct */
	size_t n;
	uint8_t origin[256]; /* the zone's, wire form */
};

/*
 * Writes to OUT (when not NULL) the digests of wire NAME and of each name above it down to the
 * depth of the zone's origin (ODEPTH labels); returns how many. A name's digest is taken label by
 * label from the root (FNV-1a over each label's length and octets without case), so that one
 * pass over NAME gives every name above it on the way.
 */
static size_t add_name(uint64_t *out, const uint8_t *name, size_t odepth)
{
	const uint8_t *label[128];
	size_t d = 0, n = 0;
	uint64_t h = FNV_START;

	for (const uint8_t *p = name; *p != 0 && d < 128; p += *p + 1)
		label[d++] = p;
	if (odepth == 0) { /* the root zone: its apex too */
		if (out != NULL)
			out[n] = h;
		n++;
	}
	for (size_t k = d; k-- > 0;) {
		const uint8_t *l = label[k];

		h = fnv_byte(h, l[0]);
		for (size_t i = 1; i <= l[0]; i++)
			h = fnv_byte(h, wire_lower(l[i]));
		if (d - k >= odepth) {
			if (out != NULL)
				out[n] = h;
			n++;
		}
	}
	return n;
}

/* The labels of wire NAME (its root label not counted). */
static size_t labels(const uint8_t *name)
{
	size_t n = 0;

	for (; *name != 0; name += *name + 1)
		n++;
	return n;
}

/* How many digests add_name() writes for NAME. */
static size_t room_of(const uint8_t *name, size_t odepth)
{
	const size_t d = labels(name);

	return d >= odepth ? d - odepth + 1 : 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : (a > b);
}

/* Below this many digests qsort(); from it on, a radix sort. */
#define RADIX_MIN 4096
/* The radix sort's digit: 8 bits, so that a pass scatters to few places at a time. */
#define RADIX_BITS 8
_Static_assert(64 % RADIX_BITS == 0 && 64 / RADIX_BITS % 2 == 0,
	       "whole digits, an even number of passes (the sorted digests end where they began)");

/* Sorts the N digests at A, TMP as room for N more. */
static void sort_digests(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t count[(1u << RADIX_BITS) + 1];
	const uint64_t mask = (1u << RADIX_BITS) - 1;

	if (n < RADIX_MIN) {
		qsort(a, n, sizeof(*a), cmp_u64);
		return;
	}
	for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
		uint64_t *from = a, *to = tmp;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[((from[i] >> shift) & mask) + 1]++;
		for (size_t k = 1; k <= mask + 1; k++)
			count[k] += count[k - 1];
		for (size_t i = 0; i < n; i++)
			to[count[(from[i] >> shift) & mask]++] = from[i];
		/* The passes alternate between the two arrays: an even number ends in A. */
		tmp = from;
		a = to;
	}
}

zload_nameset_t *zload_nameset_new(const zload_zone_t *z)
{
	const size_t odepth = labels(ldns_rdf_data(z->origin));
	zload_nameset_t *s = calloc(1, sizeof(*s));
	size_t room = 0, n = 0, k;
	uint64_t *a = NULL, *tmp = NULL;

	if (s == NULL)
		return NULL;
	memcpy(s->origin, ldns_rdf_data(z->origin), wire_name_len(ldns_rdf_data(z->origin)));
	/* Room for each owner and its names down to the origin. */
	for (size_t i = 0; i < z->nrecs; i++)
		if (i == 0 || !wire_name_eq(zload_rec_owner(z, i), zload_rec_owner(z, i - 1)))
			room += room_of(zload_rec_owner(z, i), odepth);
	for (size_t i = 0; i < z->nempty; i++)
		room += room_of(ldns_rdf_data(z->empty[i]), odepth);
	a = malloc((room + 1) * sizeof(*a));
	tmp = malloc((room + 1) * sizeof(*tmp));
	if (a == NULL || tmp == NULL)
		goto fail;
	/* In file order (the octets read one after the other); a name's repeats sorted out. */
	for (size_t i = 0; i < z->nrecs; i++) {
		const uint8_t *owner = zload_rec_owner(z, i);

		if (i > 0 && wire_name_eq(owner, zload_rec_owner(z, i - 1)))
			continue;
		n += add_name(a + n, owner, odepth);
	}
	for (size_t i = 0; i < z->nempty; i++)
		n += add_name(a + n, ldns_rdf_data(z->empty[i]), odepth);
	sort_digests(a, tmp, n);
	free(tmp);
	for (k = 0; k < n; k++)
		if (k == 0 || a[k] != a[s->n - 1])
			a[s->n++] = a[k];
	s->h = realloc(a, (s->n + 1) * sizeof(*a));
	if (s->h == NULL)
		s->h = a; /* the larger block stays */
	return s;
fail:
	free(a);
	free(tmp);
	free(s);
	return NULL;
}

void zload_nameset_free(zload_nameset_t **s)
{
	if (*s == NULL)
		return;
	free((*s)->h);
	free(*s);
	*s = NULL;
}

size_t zload_nameset_count(const zload_nameset_t *s)
{
	return s->n;
}

int zload_nameset_has(const zload_nameset_t *s, const char *name)
{
	ldns_rdf *rdf = NULL;
	uint64_t h;
	size_t lo = 0, hi = s->n;
	ldns_status st = ldns_str2rdf_dname(&rdf, name);

	if (st != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(rdf);
		return st == LDNS_STATUS_MEM_ERR ? -ENOMEM : SANDNS_EPARSE;
	}
	/* Above the origin or beside it: the zone's names do not say (records may be below). */
	if (!wire_name_is_sub(ldns_rdf_data(rdf), s->origin)) {
		ldns_rdf_deep_free(rdf);
		return 1;
	}
	{
		uint64_t up[129];
		const size_t k = add_name(up, ldns_rdf_data(rdf), 0);

		h = up[k - 1]; /* the name's own, the deepest */
	}
	ldns_rdf_deep_free(rdf);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->h[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->h[lo] == h;
}
