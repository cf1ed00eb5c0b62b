/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_xfr.c: a zone's next version from a transfer (an IXFR applied, an AXFR), and its copy */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "sandns_err.h"
#include "wire.h"
#include "zload_owner.h"
#include "zload_state.h"

/*
 * An IXFR never touches BASE (a zone as loaded is never changed): deletions mark its records
 * GONE, additions go to a store of their own (ADDS, found again through a hash of owner and
 * type, for a later sequence that deletes them), and zload_xfr_finish() copies what is left
 * into the new version. An AXFR (no BASE) appends to ADDS only. No ldns object per record.
 */
struct zload_xfr {
	const zload_zone_t
	    *base;	    /* the version an IXFR applies to (its caller keeps it); or NULL */
	bool *gone;	    /* per record of BASE: deleted */
	zload_zone_t *adds; /* the records added (every record for an AXFR) */
	bool *add_gone;	    /* per record of ADDS: deleted by a later sequence */
	size_t add_cap;
	uint32_t
	    *head; /* IXFR: per bucket, the last record of ADDS hashed there, plus one (0: none) */
	uint32_t *next; /* per record of ADDS: the one before it in its bucket, plus one */
	size_t nbuckets;
	unsigned file;	/* SOURCE's index in ADDS's files */
	int line;	/* records given so far: their "line" in messages */
	size_t deleted; /* records of BASE deleted */
};

/* The bucket of OWNER (any case) and TYPE. */
static size_t bucket(const zload_xfr_t *x, const uint8_t *owner, uint16_t type)
{
	uint8_t low[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(low, owner);
	uint64_t h = fnv_bytes(FNV_START, low, len);

	h = fnv_bytes(h, &type, sizeof(type));
	return (size_t)(h ^ (h >> 29)) & (x->nbuckets - 1);
}

/* Puts record I of ADDS in its bucket; the table doubles when it is full. False: no memory. */
static bool hash_add(zload_xfr_t *x, size_t i)
{
	if (x->base == NULL)
		return true; /* an AXFR deletes nothing: no lookups */
	if (i >= x->nbuckets) {
		size_t nb = x->nbuckets != 0 ? x->nbuckets * 2 : 256;
		uint32_t *head = calloc(nb, sizeof(*head));

		if (head == NULL)
			return false;
		free(x->head);
		x->head = head;
		x->nbuckets = nb;
		for (size_t k = 0; k < i; k++) {
			size_t b = bucket(x, zload_rec_owner(x->adds, k), x->adds->recs[k].type);

			x->next[k] = x->head[b];
			x->head[b] = (uint32_t)k + 1;
		}
	}
	{
		size_t b = bucket(x, zload_rec_owner(x->adds, i), x->adds->recs[i].type);

		x->next[i] = x->head[b];
		x->head[b] = (uint32_t)i + 1;
	}
	return true;
}

/* Room for one more record of ADDS in the per-record arrays. */
static bool adds_room(zload_xfr_t *x)
{
	size_t n = x->adds->nrecs;

	if (n < x->add_cap)
		return true;
	{
		size_t cap = x->add_cap != 0 ? x->add_cap * 2 : 256;
		bool *g = realloc(x->add_gone, cap * sizeof(*g));
		uint32_t *nx;

		if (g == NULL)
			return false;
		x->add_gone = g;
		nx = realloc(x->next, cap * sizeof(*nx));
		if (nx == NULL)
			return false;
		x->next = nx;
		x->add_cap = cap;
	}
	return true;
}

zload_xfr_t *zload_xfr_new(const char *origin, const zload_zone_t *base, const char *source)
{
	zload_xfr_t *x = calloc(1, sizeof(*x));
	size_t olen = strlen(origin);
	int f;

	if (x == NULL)
		return NULL;
	x->base = base;
	x->adds = calloc(1, sizeof(*x->adds));
	if (x->adds == NULL)
		goto fail;
	if (base != NULL) {
		x->gone = calloc(base->nrecs + 1, sizeof(*x->gone));
		x->adds->origin_text = strdup(base->origin_text);
		x->adds->origin = ldns_rdf_clone(base->origin);
	} else {
		x->adds->origin_text = malloc(olen + 2);
		if (x->adds->origin_text != NULL) {
			memcpy(x->adds->origin_text, origin, olen + 1);
			if (olen == 0 || origin[olen - 1] != '.')
				strcat(x->adds->origin_text, ".");
			if (ldns_str2rdf_dname(&x->adds->origin, x->adds->origin_text) !=
			    LDNS_STATUS_OK)
				x->adds->origin = NULL;
		}
	}
	if ((base != NULL && x->gone == NULL) || x->adds->origin_text == NULL ||
	    x->adds->origin == NULL)
		goto fail;
	ldns_dname2canonical(x->adds->origin);
	free(x->adds->origin_text);
	x->adds->origin_text = ldns_rdf2str(x->adds->origin);
	if (x->adds->origin_text == NULL)
		goto fail;
	/* An IXFR's new version names the files of BASE first: its records keep their lines. */
	for (size_t i = 0; base != NULL && i < base->nfiles; i++)
		if (zload_add_file(x->adds, base->files[i]) < 0)
			goto fail;
	f = zload_add_file(x->adds, source != NULL ? source : "(transfer)");
	if (f < 0)
		goto fail;
	x->file = (unsigned)f;
	return x;
fail:
	zload_xfr_free(&x);
	return NULL;
}

void zload_xfr_free(zload_xfr_t **xp)
{
	zload_xfr_t *x = xp != NULL ? *xp : NULL;

	if (x == NULL)
		return;
	free(x->gone);
	zload_free(&x->adds);
	free(x->add_gone);
	free(x->head);
	free(x->next);
	free(x);
	*xp = NULL;
}

/* The serial in an SOA's data, or false when it has none. */
static bool soa_serial(const uint8_t *rd, size_t len, uint32_t *serial)
{
	size_t at = 0;

	for (int k = 0; k < 2; k++) {
		while (at < len && rd[at] != 0)
			at += (size_t)rd[at] + 1;
		at++;
	}
	if (at + 4 > len)
		return false;
	*serial = wire_get32(rd + at);
	return true;
}

/*
 * Whether record I of A and record J of B hold the same data, as ldns_rr_compare() has it (the
 * names in the data of RFC 4034 6.2's types without case, everything else exactly): octets
 * first; ldns records only when they differ in case alone. Owner and type are the caller's.
 */
static bool rdata_same(const zload_zone_t *a, size_t i, const zload_zone_t *b, size_t j)
{
	const zload_rec_t *ra = &a->recs[i], *rb = &b->recs[j];
	const uint8_t *da = a->data + ra->rdata, *db = b->data + rb->rdata;
	ldns_rr *x, *y;
	bool same;

	if (ra->rdlen != rb->rdlen)
		return false;
	if (memcmp(da, db, ra->rdlen) == 0)
		return true;
	for (size_t k = 0; k < ra->rdlen; k++)
		if (wire_lower(da[k]) != wire_lower(db[k]))
			return false;
	x = zload_rr(a, i);
	y = zload_rr(b, j);
	/* Without memory: not the same (a deletion then fails: AXFR instead). */
	same = x != NULL && y != NULL && ldns_rr_compare(x, y) == 0;
	ldns_rr_free(x);
	ldns_rr_free(y);
	return same;
}

/*
 * Whether record I of Z is record R of AD: the same data as ldns_rr_compare() has it, or, BY_SERIAL
 * (an SOA matched by serial), an SOA of serial WANT.
 */
static bool same_rec(const zload_zone_t *z, size_t i, const zload_zone_t *ad, size_t r,
		     bool by_serial, uint32_t want)
{
	uint32_t have;

	if (by_serial)
		return soa_serial(zload_rec_rdata(z, i), z->recs[i].rdlen, &have) && have == want;
	return rdata_same(z, i, ad, r);
}

/*
 * Record R (the last of ADDS, just pushed) among what the version holds now: in ADDS before it
 * (an index plus one, in *IN_ADDS) or in BASE (*IN_BASE), not deleted. An SOA matches the SOA
 * held whatever its data when SOA_BY_SERIAL says so and their serials agree.
 */
static void find(const zload_xfr_t *x, size_t r, bool soa_by_serial, size_t *in_adds,
		 size_t *in_base)
{
	const zload_zone_t *ad = x->adds, *base = x->base;
	const uint8_t *owner = zload_rec_owner(ad, r);
	uint16_t type = ad->recs[r].type;
	uint32_t want = 0;
	bool by_serial = type == T_SOA && soa_by_serial &&
			 soa_serial(zload_rec_rdata(ad, r), ad->recs[r].rdlen, &want);

	*in_adds = *in_base = 0;
	for (uint32_t k = x->nbuckets != 0 ? x->head[bucket(x, owner, type)] : 0; k != 0;
	     k = x->next[k - 1]) {
		size_t i = k - 1;

		if (i == r || x->add_gone[i] || ad->recs[i].type != type ||
		    !wire_name_eq(zload_rec_owner(ad, i), owner))
			continue;
		if (same_rec(ad, i, ad, r, by_serial, want)) {
			*in_adds = i + 1;
			return;
		}
	}
	if (base == NULL)
		return;
	if (base->by_owner == NULL) {
		/* A zone never sorted (not one zload_file() or this file made): a walk. */
		for (size_t i = 0; i < base->nrecs; i++) {
			if (x->gone[i] || base->recs[i].type != type ||
			    !wire_name_eq(zload_rec_owner(base, i), owner))
				continue;
			if (same_rec(base, i, ad, r, by_serial, want)) {
				*in_base = i + 1;
				return;
			}
		}
		return;
	}
	{
		/* BY_OWNER: by owner (owner_cmp), then type, then data: the first at owner+type. */
		const size_t *idx = base->by_owner;
		size_t lo = 0, hi = base->nrecs;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = owner_cmp(zload_rec_owner(base, idx[mid]), owner);

			if (c < 0 || (c == 0 && base->recs[idx[mid]].type < type))
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < base->nrecs; lo++) {
			size_t i = idx[lo];

			if (base->recs[i].type != type ||
			    owner_cmp(zload_rec_owner(base, i), owner) != 0)
				break;
			if (x->gone[i])
				continue;
			if (same_rec(base, i, ad, r, by_serial, want)) {
				*in_base = i + 1;
				return;
			}
		}
	}
}

/* The record pushed onto ADDS (index R, the store's octets DATA_LEN before it) taken off. */
static void unpush(zload_xfr_t *x, size_t r, size_t data_len)
{
	x->adds->nrecs = r;
	x->adds->data_len = data_len;
}

/* The record found (find()) is deleted. */
static void drop(zload_xfr_t *x, size_t in_adds, size_t in_base)
{
	if (in_adds != 0) {
		x->add_gone[in_adds - 1] = true;
	} else if (in_base != 0) {
		x->gone[in_base - 1] = true;
		x->deleted++;
	}
}

int zload_xfr_del(zload_xfr_t *x, const uint8_t *owner, uint16_t type, uint32_t ttl,
		  const uint8_t *rdata, size_t rdlen)
{
	size_t r = x->adds->nrecs, dl = x->adds->data_len, in_adds, in_base;
	int rc;

	if (x->base == NULL)
		return SANDNS_EPARSE; /* an AXFR deletes nothing */
	/* Pushed to be compared in the store's form, then taken off again. */
	rc = zload_push_wire(x->adds, owner, wire_name_len(owner), type, ttl, rdata, rdlen, x->file,
			     ++x->line);
	if (rc != 0)
		return rc;
	x->line--; /* a deletion is no line of the new version */
	find(x, r, true, &in_adds, &in_base);
	unpush(x, r, dl);
	if (in_adds == 0 && in_base == 0)
		return -ENOENT;
	drop(x, in_adds, in_base);
	return 0;
}

int zload_xfr_add(zload_xfr_t *x, const uint8_t *owner, uint16_t type, uint32_t ttl,
		  const uint8_t *rdata, size_t rdlen)
{
	size_t r = x->adds->nrecs, dl = x->adds->data_len, in_adds, in_base;
	int rc;

	if (!adds_room(x))
		return -ENOMEM;
	rc = zload_push_wire(x->adds, owner, wire_name_len(owner), type, ttl, rdata, rdlen, x->file,
			     ++x->line);
	if (rc != 0)
		return rc;
	x->add_gone[r] = false;
	if (x->base == NULL)
		return 0;
	/* A record held already (its TTL apart): the addition replaces it, held once. */
	find(x, r, false, &in_adds, &in_base);
	if (!hash_add(x, r)) {
		unpush(x, r, dl);
		return -ENOMEM;
	}
	drop(x, in_adds, in_base);
	return 0;
}

size_t zload_xfr_count(const zload_xfr_t *x)
{
	size_t n = (x->base != NULL ? x->base->nrecs - x->deleted : 0);

	for (size_t i = 0; i < x->adds->nrecs; i++)
		n += !x->add_gone[i];
	return n;
}

static int order_cmp(const void *a, const void *b, void *ctx)
{
	return zload_rec_order(ctx, *(const size_t *)a, *(const size_t *)b);
}

/*
 * The order zload_finish() would sort Z into (zload_rec_order), made from BASE's (its survivors,
 * not GONE, are Z's first NBASE records, in BASE's order) and Z's other records (the additions,
 * few) sorted and merged in. NULL without memory (then zload_finish sorts).
 */
static size_t *merged_order(const zload_zone_t *base, const bool *gone, const zload_zone_t *z,
			    size_t nbase)
{
	size_t n = z->nrecs, nadd = n - nbase, a = 0, b = 0, k = 0, w = 0;
	size_t *renum = malloc((base->nrecs + 1) * sizeof(*renum));
	size_t *adds = malloc((nadd + 1) * sizeof(*adds));
	size_t *idx = malloc((n + 1) * sizeof(*idx));
	size_t *surv = renum;

	if (renum == NULL || adds == NULL || idx == NULL) {
		free(renum);
		free(adds);
		free(idx);
		return NULL;
	}
	for (size_t i = 0; i < base->nrecs; i++)
		renum[i] = gone[i] ? SIZE_MAX : w++;
	/* The survivors in BASE's order, renumbered (in place: each is read before written). */
	for (size_t i = 0; i < base->nrecs; i++)
		if (renum[base->by_owner[i]] != SIZE_MAX)
			idx[k++] = renum[base->by_owner[i]];
	memcpy(surv, idx, k * sizeof(*surv));
	for (size_t i = 0; i < nadd; i++)
		adds[i] = nbase + i;
	qsort_r(adds, nadd, sizeof(*adds), order_cmp, (void *)z);
	for (k = 0; a < nbase || b < nadd;)
		idx[k++] = b == nadd || (a < nbase && zload_rec_order(z, surv[a], adds[b]) < 0)
			       ? surv[a++]
			       : adds[b++];
	free(renum);
	free(adds);
	return idx;
}

zload_zone_t *zload_xfr_finish(zload_xfr_t **xp, zload_warn_fn warn, void *warn_ctx, char *err,
			       size_t errlen)
{
	zload_xfr_t *x = *xp;
	const zload_zone_t *base = x->base;
	zload_zone_t *z = NULL, *ad = x->adds;
	struct zload_state st = {.warn = warn, .warn_ctx = warn_ctx, .err = err, .errlen = errlen};
	size_t w = 0, nbase = 0, *sorted;

	if (errlen > 0)
		err[0] = '\0';
	if (base == NULL) {
		/* An AXFR: its store is the new version. */
		z = ad;
		x->adds = NULL;
	} else {
		z = calloc(1, sizeof(*z));
		if (z == NULL)
			goto nomem;
		z->origin_text = strdup(ad->origin_text);
		z->origin = ldns_rdf_clone(ad->origin);
		if (z->origin_text == NULL || z->origin == NULL)
			goto nomem;
		for (size_t i = 0; i < ad->nfiles; i++)
			if (zload_add_file(z, ad->files[i]) < 0)
				goto nomem;
		/* BASE's octets whole (what was deleted stays unused in them), its records left. */
		if (!zload_adopt(z, base))
			goto nomem;
		for (size_t i = 0; i < base->nrecs; i++) {
			if (x->gone[i])
				continue;
			zload_rec_move(z, w, i);
			w++;
		}
		z->nrecs = w;
		nbase = w;
		for (size_t i = 0; i < ad->nrecs; i++) {
			const zload_rec_t *r = &ad->recs[i];
			const uint8_t *o = zload_rec_owner(ad, i);

			if (x->add_gone[i])
				continue;
			if (zload_push_wire(z, o, wire_name_len(o), r->type, r->ttl,
					    zload_rec_rdata(ad, i), r->rdlen, ad->rr_file[i],
					    ad->rr_line[i]) != 0)
				goto nomem;
		}
	}
	/* BASE's order kept, the additions merged in: no sort of the whole zone. */
	sorted =
	    base != NULL && base->by_owner != NULL ? merged_order(base, x->gone, z, nbase) : NULL;
	zload_xfr_free(xp);
	st.zone = z;
	/* Sorted, checked against the zone rules exactly as a file is (zload_finish). */
	if ((sorted != NULL ? zload_finish_sorted(&st, sorted) : zload_finish(&st)) != 0) {
		if (errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "%s: out of memory", z->origin_text);
		zload_free(&z);
		return NULL;
	}
	return z;
nomem:
	snprintf(err, errlen, "%s: out of memory", ad->origin_text);
	zload_free(&z);
	zload_xfr_free(xp);
	return NULL;
}

int zload_xfr_print(const zload_zone_t *z, FILE *f)
{
	/* The SOA first, as zone files have it; then the rest in the version's order. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < z->nrecs; i++) {
			ldns_rr *rr;

			if ((z->recs[i].type == T_SOA) != (pass == 0))
				continue;
			rr = zload_rr(z, i);
			if (rr == NULL)
				return -ENOMEM;
			ldns_rr_print(f, rr);
			ldns_rr_free(rr);
		}
	return ferror(f) ? -EIO : 0;
}
