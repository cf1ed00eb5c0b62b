/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_names.c: the owners that changed between two versions of a zone, noted or found */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "zload_owner.h"
#include "zload_pvt.h"

/* Past this many names, a union of changes is not kept: a reload finds them again. */
#define NAMES_UNION_MAX 65536
/* And a version remembers its changes since so many versions before it. */
#define DELTAS_MAX 4

struct zload_names {
	uint8_t *buf; /* the names, one after another */
	size_t len, cap;
	size_t *off; /* where each starts in BUF */
	size_t n, ncap;
	const uint8_t **list; /* made by zload_names_seal() */
};

zload_names_t *zload_names_new(void)
{
	return calloc(1, sizeof(zload_names_t));
}

void zload_names_free(zload_names_t **nm)
{
	if (nm == NULL || *nm == NULL)
		return;
	free((*nm)->buf);
	free((*nm)->off);
	free((*nm)->list);
	free(*nm);
	*nm = NULL;
}

bool zload_names_add(zload_names_t *nm, const uint8_t *name)
{
	size_t len = wire_name_len(name);

	if (nm->len + len > nm->cap) {
		size_t cap = nm->cap ? nm->cap : 1024;
		uint8_t *b;

		while (cap < nm->len + len)
			cap *= 2;
		b = realloc(nm->buf, cap);
		if (b == NULL)
			return false;
		nm->buf = b;
		nm->cap = cap;
	}
	if (nm->n == nm->ncap) {
		size_t cap = nm->ncap ? nm->ncap * 2 : 64;
		size_t *o = realloc(nm->off, cap * sizeof(*o));

		if (o == NULL)
			return false;
		nm->off = o;
		nm->ncap = cap;
	}
	nm->off[nm->n++] = nm->len;
	nm->len += wire_name_lower(nm->buf + nm->len, name);
	return true;
}

static int cmp_off(const void *a, const void *b, void *ctx)
{
	const uint8_t *buf = ctx;

	return owner_cmp(buf + *(const size_t *)a, buf + *(const size_t *)b);
}

bool zload_names_seal(zload_names_t *nm)
{
	size_t m = 0;

	if (nm->n > 1)
		qsort_r(nm->off, nm->n, sizeof(*nm->off), cmp_off, nm->buf);
	for (size_t i = 0; i < nm->n; i++)
		if (m == 0 || owner_cmp(nm->buf + nm->off[m - 1], nm->buf + nm->off[i]) != 0)
			nm->off[m++] = nm->off[i];
	nm->n = m;
	free(nm->list);
	nm->list = malloc((m + 1) * sizeof(*nm->list));
	if (nm->list == NULL)
		return false;
	for (size_t i = 0; i < m; i++)
		nm->list[i] = nm->buf + nm->off[i];
	return true;
}

const uint8_t *const *zload_names_list(const zload_names_t *nm, size_t *n)
{
	*n = nm->list != NULL ? nm->n : 0;
	return nm->list;
}

/* A copy of NM, sealed (NULL without memory). */
static zload_names_t *names_copy(const zload_names_t *nm, const zload_names_t *more)
{
	zload_names_t *c = zload_names_new();

	for (size_t i = 0; c != NULL && i < nm->n; i++)
		if (!zload_names_add(c, nm->buf + nm->off[i]))
			zload_names_free(&c);
	for (size_t i = 0; c != NULL && more != NULL && i < more->n; i++)
		if (!zload_names_add(c, more->buf + more->off[i]))
			zload_names_free(&c);
	if (c != NULL && !zload_names_seal(c))
		zload_names_free(&c);
	return c;
}

/* Z's version number, drawn the first time it is asked for (any thread). */
uint64_t zload_version(const zload_zone_t *z)
{
	static uint64_t next_ver;
	uint64_t *v = (uint64_t *)&((zload_zone_t *)z)->ver,
		 have = __atomic_load_n(v, __ATOMIC_ACQUIRE);
	uint64_t mine;

	if (have != 0)
		return have;
	mine = __atomic_add_fetch(&next_ver, 1, __ATOMIC_RELAXED);
	if (__atomic_compare_exchange_n(v, &have, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return mine;
	return have;
}

void zload_deltas_free(zload_zone_t *z)
{
	for (size_t i = 0; i < z->ndeltas; i++)
		zload_names_free(&z->deltas[i].names);
	free(z->deltas);
	z->deltas = NULL;
	z->ndeltas = 0;
}

bool zload_names_delta(zload_zone_t *z, const zload_zone_t *base, zload_names_t *touched)
{
	z->deltas = calloc(DELTAS_MAX, sizeof(*z->deltas));
	if (z->deltas == NULL) {
		zload_names_free(&touched);
		return false;
	}
	z->deltas[0] = (struct zload_delta){.from = zload_version(base), .names = touched};
	z->ndeltas = 1;
	for (size_t i = 0; i < base->ndeltas && z->ndeltas < DELTAS_MAX; i++) {
		const zload_names_t *before = base->deltas[i].names;
		zload_names_t *u;

		if (before->n + touched->n > NAMES_UNION_MAX)
			break;
		u = names_copy(before, touched);
		if (u == NULL)
			break;
		z->deltas[z->ndeltas++] =
		    (struct zload_delta){.from = base->deltas[i].from, .names = u};
	}
	return true;
}

/* Whether records I of A and J of B are the same, exactly (owner's case, TTL, data). */
static bool rec_equal(const zload_zone_t *a, size_t i, const zload_zone_t *b, size_t j)
{
	const zload_rec_t *x = &a->recs[i], *y = &b->recs[j];
	const uint8_t *oa = zload_rec_owner(a, i), *ob = zload_rec_owner(b, j);

	return x->type == y->type && x->ttl == y->ttl && x->rdlen == y->rdlen &&
	       memcmp(oa, ob, wire_name_len(oa)) == 0 &&
	       memcmp(zload_rec_rdata(a, i), zload_rec_rdata(b, j), x->rdlen) == 0;
}

/* Groups larger than this are taken as changed unless identical in file order too. */
#define GROUP_ORDER_MAX 32

/*
 * Whether the group A->by_owner[P..P+G) and B->by_owner[Q..Q+G) (one owner) hold the same
 * records, in the same file order among themselves (the first record of an RRset gives its TTL).
 */
static bool group_equal(const zload_zone_t *a, size_t p, const zload_zone_t *b, size_t q, size_t g)
{
	const uint32_t *ia = a->by_owner + p, *ib = b->by_owner + q;

	for (size_t k = 0; k < g; k++)
		if (!rec_equal(a, ia[k], b, ib[k]))
			return false;
	if (g > GROUP_ORDER_MAX)
		return false;
	for (size_t k = 0; k < g; k++)
		for (size_t m = k + 1; m < g; m++)
			if ((ia[k] < ia[m]) != (ib[k] < ib[m]))
				return false;
	return true;
}

/* The end of the group of owner at position P of Z's sorted records. */
static size_t group_end(const zload_zone_t *z, size_t p)
{
	const uint8_t *o = zload_rec_owner(z, z->by_owner[p]);
	size_t e = p + 1;

	while (e < z->nrecs && owner_cmp(zload_rec_owner(z, z->by_owner[e]), o) == 0)
		e++;
	return e;
}

/* Both versions' sorted records walked together: the owners whose groups differ. */
static int diff_walk(const zload_zone_t *a, const zload_zone_t *b, zload_names_t *nm)
{
	size_t p = 0, q = 0;

	while (p < a->nrecs || q < b->nrecs) {
		int c = p == a->nrecs	? 1
			: q == b->nrecs ? -1
					: owner_cmp(zload_rec_owner(a, a->by_owner[p]),
						    zload_rec_owner(b, b->by_owner[q]));
		size_t pe = c <= 0 ? group_end(a, p) : p, qe = c >= 0 ? group_end(b, q) : q;

		if (c < 0 && !zload_names_add(nm, zload_rec_owner(a, a->by_owner[p])))
			return -ENOMEM;
		if (c > 0 && !zload_names_add(nm, zload_rec_owner(b, b->by_owner[q])))
			return -ENOMEM;
		if (c == 0 && (pe - p != qe - q || !group_equal(a, p, b, q, pe - p)) &&
		    !zload_names_add(nm, zload_rec_owner(a, a->by_owner[p])))
			return -ENOMEM;
		p = pe;
		q = qe;
	}
	return 0;
}

int zload_changes_since(uint64_t from, const zload_zone_t *to, zload_names_t **out)
{
	*out = NULL;
	for (size_t i = 0; from != 0 && i < to->ndeltas; i++) {
		if (to->deltas[i].from != from)
			continue;
		*out = names_copy(to->deltas[i].names, NULL);
		return *out != NULL ? 0 : -ENOMEM;
	}
	return -ENOTSUP;
}

int zload_changes(const zload_zone_t *from, const zload_zone_t *to, zload_names_t **out)
{
	zload_names_t *nm;
	int rc;

	*out = NULL;
	if (from != to) {
		rc = zload_changes_since(zload_version(from), to, out);
		if (rc != -ENOTSUP)
			return rc;
	}
	if (from->by_owner == NULL || to->by_owner == NULL)
		return -ENOTSUP;
	nm = zload_names_new();
	if (nm == NULL)
		return -ENOMEM;
	rc = from == to ? 0 : diff_walk(from, to, nm);
	/* Names kept without records (the policy's, as a signed version carries them): both
	 * versions' listed, whether or not they changed (a few a zone at most). */
	for (size_t i = 0; rc == 0 && from != to && i < from->nempty + to->nempty; i++) {
		const ldns_rdf *e = i < from->nempty ? from->empty[i] : to->empty[i - from->nempty];

		if (!zload_names_add(nm, ldns_rdf_data(e)))
			rc = -ENOMEM;
	}
	if (rc == 0 && !zload_names_seal(nm))
		rc = -ENOMEM;
	if (rc != 0)
		zload_names_free(&nm);
	*out = nm;
	return rc;
}

int zload_names_owners(zload_names_t **nm, const zload_zone_t *zone, const char *const *owners,
		       size_t n)
{
	int rc = 0;

	if (*nm == NULL && (*nm = zload_names_new()) == NULL)
		return -ENOMEM;
	if (!zload_names_add(*nm, ldns_rdf_data(zone->origin)))
		return -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		ldns_rdf *name = NULL;

		/* As zt_patch_edits.c reads an owner; one that is no name is no edit applied. */
		if (ldns_str2rdf_dname(&name, owners[i]) != LDNS_STATUS_OK)
			continue;
		if (!zload_names_add(*nm, ldns_rdf_data(name)))
			rc = -ENOMEM;
		ldns_rdf_deep_free(name);
	}
	return rc == 0 && !zload_names_seal(*nm) ? -ENOMEM : rc;
}
