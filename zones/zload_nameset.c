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

/* The digest of wire NAME (LEN octets) without case. */
static uint64_t name_digest(const uint8_t *name, size_t len)
{
	uint64_t h = FNV_START;

	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, wire_lower(name[i]));
	return h;
}

/* The labels of wire NAME (its root label not counted). */
static size_t labels(const uint8_t *name)
{
	size_t n = 0;

	for (; *name != 0; name += *name + 1)
		n++;
	return n;
}

/*
 * Writes to OUT (when not NULL) the digests of NAME and of each name above it down to the depth
 * of the zone's origin (ODEPTH labels); returns how many.
 */
static size_t add_name(uint64_t *out, const uint8_t *name, size_t odepth)
{
	size_t d = labels(name), len = wire_name_len(name), n = 0;

	for (; d >= odepth; d--) {
		if (out != NULL)
			out[n] = name_digest(name, len);
		n++;
		if (d == odepth)
			break;
		len -= (size_t)name[0] + 1;
		name += name[0] + 1;
	}
	return n;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : (a > b);
}

/* Below this many digests qsort(); from it on, a radix sort (its counts cost 512 KiB a pass). */
#define RADIX_MIN 65536

/* Sorts the N digests at A, TMP as room for N more. 0, or -ENOMEM. */
static int sort_digests(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t *count;

	if (n < RADIX_MIN) {
		qsort(a, n, sizeof(*a), cmp_u64);
		return 0;
	}
	count = malloc(65537 * sizeof(*count));
	if (count == NULL)
		return -ENOMEM;
	for (unsigned shift = 0; shift < 64; shift += 16) {
		memset(count, 0, 65537 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xffff) + 1]++;
		for (size_t k = 1; k <= 65536; k++)
			count[k] += count[k - 1];
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xffff]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
	free(count);
	return 0;
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
		room += add_name(NULL, zload_rec_owner(z, i), odepth);
	for (size_t i = 0; i < z->nempty; i++)
		room += add_name(NULL, ldns_rdf_data(z->empty[i]), odepth);
	a = malloc((room + 1) * sizeof(*a));
	tmp = malloc((room + 1) * sizeof(*tmp));
	if (a == NULL || tmp == NULL)
		goto fail;
	for (size_t i = 0; i < z->nrecs; i++) {
		const uint8_t *owner = zload_rec_owner(z, i);

		/* A name's records are together in the owner index: each name once there. */
		if (z->by_owner != NULL) {
			owner = zload_rec_owner(z, z->by_owner[i]);
			if (i > 0 && wire_name_eq(owner, zload_rec_owner(z, z->by_owner[i - 1])))
				continue;
		}
		n += add_name(a + n, owner, odepth);
	}
	for (size_t i = 0; i < z->nempty; i++)
		n += add_name(a + n, ldns_rdf_data(z->empty[i]), odepth);
	if (sort_digests(a, tmp, n) != 0)
		goto fail;
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
	h = name_digest(ldns_rdf_data(rdf), ldns_rdf_size(rdf));
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
