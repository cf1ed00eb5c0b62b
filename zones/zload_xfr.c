/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_xfr.c: a zone's next version from a transfer (an IXFR applied, an AXFR) */
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
	size_t *dels;	/* the records of BASE deleted, in the order they were */
	size_t dels_cap;
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
	/* An AXFR's records keep no place in it, not even while it is checked: 8 octets a record
	 * that its messages do not need (they name the transfer and the owner). */
	if (base == NULL) {
		x->adds->no_lines = true;
		x->adds->unlined_file = x->file;
	}
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
	free(x->dels);
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
		const uint32_t *idx = base->by_owner;
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
	if (x->adds->lined > r)
		x->adds->lined = r;
}

/* The record found (find()) is deleted. False without memory (nothing done). */
static bool drop(zload_xfr_t *x, size_t in_adds, size_t in_base)
{
	if (in_adds != 0) {
		x->add_gone[in_adds - 1] = true;
	} else if (in_base != 0) {
		if (x->deleted == x->dels_cap) {
			size_t cap = x->dels_cap ? x->dels_cap * 2 : 64;
			size_t *d = realloc(x->dels, cap * sizeof(*d));

			if (d == NULL)
				return false;
			x->dels = d;
			x->dels_cap = cap;
		}
		x->dels[x->deleted++] = in_base - 1;
		x->gone[in_base - 1] = true;
	}
	return true;
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
	return drop(x, in_adds, in_base) ? 0 : -ENOMEM;
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
	return drop(x, in_adds, in_base) ? 0 : -ENOMEM;
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
	return zload_rec_order(ctx, *(const uint32_t *)a, *(const uint32_t *)b);
}

/*
 * Large arrays about to be filled (a zone's copy: tens of MiB) asked for in huge pages: a fault
 * per 2 MiB rather than per 4 KiB, which is most of a copy's time in a virtual machine. A hint.
 */
static void *big_alloc(size_t len)
{
	void *p = malloc(len);

	huge_hint(p, len);
	return p;
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : (x > y);
}

/* Survivors of BASE are numbered in blocks of this many when their new numbers are made. */
#define RENUM_BLOCK_SHIFT 10

/*
 * SURV: BASE's survivors (all but DELS, sorted, ND of them) in BASE's order (by_owner), each with
 * its number in the new version (its old one less the deletions before it). One pass, no table
 * per record: the deletions before each block of records are counted once.
 */
static void survivors(const zload_zone_t *base, const size_t *dels, size_t nd, size_t *blk,
		      uint32_t *surv)
{
	size_t nb = (base->nrecs >> RENUM_BLOCK_SHIFT) + 1, j = 0, k = 0;

	for (size_t b = 0; b <= nb; b++) {
		while (j < nd && dels[j] < (b << RENUM_BLOCK_SHIFT))
			j++;
		blk[b] = j;
	}
	for (size_t i = 0; i < base->nrecs; i++) {
		size_t old = base->by_owner[i], b = old >> RENUM_BLOCK_SHIFT, r = blk[b];

		if (blk[b + 1] != r) {
			while (r < nd && dels[r] < old)
				r++;
			if (r < nd && dels[r] == old)
				continue;
		}
		surv[k++] = (uint32_t)(old - r);
	}
}

/*
 * The order zload_finish() would sort Z into, in IDX: BASE's survivors (Z's first NSURV records
 * in BASE's order) are at IDX[NADD..], Z's others (ADDS, NADD: the additions, few) are sorted
 * and each put in place by a search, the survivors moved down before it in runs (a run never
 * reaches what is still to be read).
 */
static void merge_adds(const zload_zone_t *z, uint32_t *idx, size_t nsurv, uint32_t *adds,
		       size_t nadd)
{
	const uint32_t *surv = idx + nadd;
	size_t from = 0, k = 0;

	qsort_r(adds, nadd, sizeof(*adds), order_cmp, (void *)z);
	for (size_t b = 0; b < nadd; b++) {
		size_t lo = from, hi = nsurv;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (zload_rec_order(z, surv[mid], adds[b]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(idx + k, surv + from, (lo - from) * sizeof(*idx));
		k += lo - from;
		from = lo;
		idx[k++] = adds[b];
	}
	/* The survivors after the last addition are in place already (K == NADD + FROM). */
}

/* The positions of IDX (Z's N records sorted) that hold OWNER's records: [*FROM, *TO). */
static void owner_span(const zload_zone_t *z, const uint32_t *idx, size_t n, const uint8_t *owner,
		       struct zload_span *sp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (owner_cmp(zload_rec_owner(z, idx[mid]), owner) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	sp->from = lo;
	while (lo < n && owner_cmp(zload_rec_owner(z, idx[lo]), owner) == 0)
		lo++;
	sp->to = lo;
}

static int span_cmp(const void *a, const void *b)
{
	const struct zload_span *x = a, *y = b;

	return x->from < y->from ? -1 : (x->from > y->from);
}

/*
 * The spans of IDX the rules look at again: each name of NM (the owners touched), with its
 * ancestors up to the apex (a delegation above an address deleted needs its glue still), in
 * order, each once. *NSP; NULL without memory.
 */
static struct zload_span *touched_spans(const zload_zone_t *z, const uint32_t *idx,
					const zload_names_t *nm, size_t *nsp)
{
	const uint8_t *origin = ldns_rdf_data(z->origin);
	size_t olen = wire_name_len(origin), n, cap = 16, m = 0;
	const uint8_t *const *names = zload_names_list(nm, &n);
	struct zload_span *sp = malloc(cap * sizeof(*sp));

	if (sp == NULL)
		return NULL;
	owner_span(z, idx, z->nrecs, origin, &sp[m++]);
	for (size_t i = 0; i < n; i++) {
		/* The name, then each parent until the apex (or a name out of the zone ends). */
		for (const uint8_t *p = names[i]; wire_name_len(p) > olen && *p != 0; p += *p + 1) {
			if (m == cap) {
				struct zload_span *g = realloc(sp, 2 * cap * sizeof(*sp));

				if (g == NULL) {
					free(sp);
					return NULL;
				}
				sp = g;
				cap *= 2;
			}
			owner_span(z, idx, z->nrecs, p, &sp[m]);
			if (sp[m].to > sp[m].from)
				m++;
		}
	}
	qsort(sp, m, sizeof(*sp), span_cmp);
	n = 0;
	for (size_t i = 0; i < m; i++)
		if (n == 0 || sp[i].from >= sp[n - 1].to)
			sp[n++] = sp[i];
	*nsp = n;
	return sp;
}

/* Whether a deletion took a DNSKEY or an RRSIG away: then whether Z is still signed is looked for.
 */
static bool still_signed(const zload_zone_t *base, const size_t *dels, size_t nd,
			 const zload_zone_t *z)
{
	bool lost = false;

	for (size_t i = 0; i < nd && !lost; i++)
		lost = base->recs[dels[i]].type == T_DNSKEY || base->recs[dels[i]].type == T_RRSIG;
	if (!lost)
		return base->is_signed;
	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == T_DNSKEY || z->recs[i].type == T_RRSIG)
			return true;
	return false;
}

/* Octets of the versions' store no record reads: past this share of a version's, it is made anew.
 */
#define GARBAGE_DIV 4

/*
 * Entries for arrays of N that a later version may take again (zload_spare.c): a little more,
 * so that one that has grown by a few changes still fits.
 */
static size_t with_slack(size_t n)
{
	return n < zload_spare_min ? (n ? n : 1) : n + n / 256 + 256;
}

/*
 * Room for N records in Z's (empty) RECS: a freed version's (the spare) when it fits, else
 * made, in huge pages where they come. Files and lines for those past the first NOLINE only
 * (zload_pvt.h's LINED): the records Z holds from the version before have none.
 */
static bool recs_alloc(zload_zone_t *z, size_t n, size_t noline)
{
	if (!zload_spare_recs(z, n)) {
		z->cap = with_slack(n);
		z->recs = big_alloc(z->cap * sizeof(*z->recs));
	}
	z->lined = noline;
	z->lcap = z->cap - noline;
	z->rr_file = malloc((z->lcap ? z->lcap : 1) * sizeof(*z->rr_file));
	z->rr_line = malloc((z->lcap ? z->lcap : 1) * sizeof(*z->rr_line));
	return z->recs != NULL && z->rr_file != NULL && z->rr_line != NULL;
}

/* Room for Z's sorted index of N entries: the spare's when it fits, else made (*CAP set). */
static uint32_t *index_alloc(size_t n, size_t *cap)
{
	uint32_t *idx = zload_spare_index(n, cap);

	if (idx != NULL)
		return idx;
	*cap = with_slack(n);
	return big_alloc(*cap * sizeof(*idx));
}

/*
 * Z's records (BASE's survivors, copied) given octets of Z's own: each record's owner and data
 * copied from BASE, the garbage left behind, with room for MORE octets and then some. Two
 * passes per record (the octets counted, then copied): a version made anew (BASE's octets not
 * shared, or their store full or mostly garbage). False without memory.
 */
static bool compact(zload_zone_t *z, const zload_zone_t *base, size_t more)
{
	size_t cap = 0, at = 0;
	uint32_t last = UINT32_MAX, moved = 0;
	uint8_t *d;

	/* Records in a row share their owner's octets, as they did in BASE. */
	for (size_t i = 0; i < z->nrecs; i++) {
		const zload_rec_t *r = &z->recs[i];

		if (r->owner != last)
			cap += wire_name_len(base->data + r->owner);
		last = r->owner;
		cap += r->rdlen;
	}
	cap += more;
	if (cap >= UINT32_MAX - 1)
		return false;
	cap += zload_store_room_for(cap);
	d = big_alloc(cap ? cap : 1);
	if (d == NULL)
		return false;
	last = UINT32_MAX;
	for (size_t i = 0; i < z->nrecs; i++) {
		zload_rec_t *r = &z->recs[i];

		if (r->owner != last) {
			size_t olen = wire_name_len(base->data + r->owner);

			last = r->owner;
			memcpy(d + at, base->data + r->owner, olen);
			moved = (uint32_t)at;
			at += olen;
		}
		r->owner = moved;
		memcpy(d + at, base->data + r->rdata, r->rdlen);
		r->rdata = (uint32_t)at;
		at += r->rdlen;
	}
	z->data = d;
	z->data_len = at;
	z->data_cap = cap ? cap : 1;
	z->garbage = 0;
	return true;
}

/*
 * An IXFR's new version from BASE (sorted) without a pass per record but copies: BASE's
 * octets shared (their store: zload_store.c), its records but the deleted ones copied in runs,
 * the additions pushed past the store's tip; BASE's order with the additions put in place; the
 * rules checked on the owners touched only (BASE passed them). Octets made anew (compact())
 * when the store has no room or its garbage passes a share. Z: the new version begun (origin,
 * files). The names touched go to *TOUCHED. 0, or -ENOMEM, or the rules' error.
 */
static int next_version(zload_xfr_t *x, zload_zone_t *z, struct zload_state *st,
			zload_names_t **touched)
{
	const zload_zone_t *base = x->base, *ad = x->adds;
	size_t nd = x->deleted, nsurv = base->nrecs - nd, nadd = 0, w = 0, nsp = 0;
	size_t more = 0, dead = 0, *blk = NULL;
	uint32_t *idx = NULL, *adds = NULL;
	struct zload_span *sp = NULL;
	zload_names_t *nm = zload_names_new();
	bool shared;
	int ret = -ENOMEM;

	for (size_t i = 0; i < ad->nrecs; i++)
		if (!x->add_gone[i]) {
			nadd++;
			more += wire_name_len(zload_rec_owner(ad, i)) + ad->recs[i].rdlen;
		}
	/* The octets deleted (an owner counted each time: from above). */
	for (size_t d = 0; d < nd; d++)
		dead +=
		    wire_name_len(zload_rec_owner(base, x->dels[d])) + base->recs[x->dels[d]].rdlen;
	if (nd > 1)
		qsort(x->dels, nd, sizeof(*x->dels), size_cmp);
	if (nm == NULL || !recs_alloc(z, nsurv + nadd, nsurv))
		goto out;
	shared = base->garbage + dead <= base->data_len / GARBAGE_DIV &&
		 zload_store_share(z, base, more);
	if (shared)
		z->garbage += dead;

	/* BASE's records but the deleted ones, in runs; the owners of those deleted noted. */
	for (size_t d = 0, from = 0; d <= nd; d++) {
		size_t to = d < nd ? x->dels[d] : base->nrecs;

		memcpy(z->recs + w, base->recs + from, (to - from) * sizeof(*z->recs));
		w += to - from;
		from = to + 1;
		if (d < nd && !zload_names_add(nm, zload_rec_owner(base, x->dels[d])))
			goto out;
	}
	z->nrecs = w;
	if (!shared && !compact(z, base, more))
		goto out;

	for (size_t i = 0; i < ad->nrecs; i++) {
		const zload_rec_t *r = &ad->recs[i];
		const uint8_t *o = zload_rec_owner(ad, i);

		/* An addition deleted again touched its owner all the same: noted, harmless. */
		if (!zload_names_add(nm, o))
			goto out;
		if (x->add_gone[i])
			continue;
		/* The transfer's record: its source's name (Z's first file), its line in it. */
		if (zload_push_wire(z, o, wire_name_len(o), r->type, r->ttl, zload_rec_rdata(ad, i),
				    r->rdlen, 0, zload_rec_line(ad, i)) != 0)
			goto out;
	}
	if (!zload_names_seal(nm))
		goto out;
	idx = index_alloc(z->nrecs + 1, &z->owner_cap);
	adds = malloc((nadd + 1) * sizeof(*adds));
	blk = malloc(((base->nrecs >> RENUM_BLOCK_SHIFT) + 2) * sizeof(*blk));
	if (idx == NULL || adds == NULL || blk == NULL)
		goto out;

	survivors(base, x->dels, nd, blk, idx + nadd);

	for (size_t i = 0; i < nadd; i++)
		adds[i] = (uint32_t)(nsurv + i);
	merge_adds(z, idx, nsurv, adds, nadd);
	z->is_signed = still_signed(base, x->dels, nd, z) ||
		       zload_is_signed(ad) /* never set on ADDS: looked for below */;
	for (size_t i = nsurv; i < z->nrecs && !z->is_signed; i++)
		z->is_signed = z->recs[i].type == T_DNSKEY || z->recs[i].type == T_RRSIG;

	sp = touched_spans(z, idx, nm, &nsp);
	if (sp == NULL)
		goto out;
	ret = zload_finish_touched(st, idx, sp, nsp);
	idx = NULL; /* taken over */

	if (ret == 0) {
		*touched = nm;
		nm = NULL;
	}
out:
	free(idx);
	free(adds);
	free(blk);
	free(sp);
	zload_names_free(&nm);
	return ret;
}

zload_zone_t *zload_xfr_finish(zload_xfr_t **xp, zload_warn_fn warn, void *warn_ctx, char *err,
			       size_t errlen)
{
	zload_xfr_t *x = *xp;
	const zload_zone_t *base = x->base;
	zload_zone_t *z = NULL, *ad = x->adds;
	struct zload_state st = {.warn = warn, .warn_ctx = warn_ctx, .err = err, .errlen = errlen};
	zload_names_t *touched = NULL;
	struct zload_keep keep = {0};
	int ret;

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
		if (base->by_owner != NULL) {
			/* Two files: the transfer (its records' lines are their places in it)
			 * and the version it applies to, whose records Z holds without lines. */
			char held[WIRE_NAME_MAX * 4 + 32];

			snprintf(held, sizeof(held), "%s at serial %lu", base->origin_text,
				 base->serial);
			if (zload_add_file(z, ad->files[x->file]) < 0 ||
			    zload_add_file(z, held) < 0)
				goto nomem;
			z->unlined_file = 1;
		} else {
			for (size_t i = 0; i < ad->nfiles; i++)
				if (zload_add_file(z, ad->files[i]) < 0)
					goto nomem;
		}
	}
	st.zone = z;
	if (base != NULL && base->by_owner != NULL) {
		/* The usual IXFR: work that grows with the change, copies apart. */
		ret = next_version(x, z, &st, &touched);
		/* Z learns what changed since BASE (and since what BASE knew): a reload then
		 * compiles those names again only. */
		if (ret == 0)
			zload_names_delta(z, base, touched);
		zload_xfr_free(xp);
	} else {
		if (base != NULL) {
			/* BASE never sorted: its octets whole, its records left, sorted whole. */
			if (!zload_adopt(z, base))
				goto nomem;
			for (size_t i = 0; i < base->nrecs; i++)
				if (!x->gone[i])
					zload_rec_keep(z, &keep, i);
			zload_recs_kept(z, &keep);
			for (size_t i = 0; i < ad->nrecs; i++) {
				const zload_rec_t *r = &ad->recs[i];
				const uint8_t *o = zload_rec_owner(ad, i);

				if (x->add_gone[i])
					continue;
				if (zload_push_wire(z, o, wire_name_len(o), r->type, r->ttl,
						    zload_rec_rdata(ad, i), r->rdlen,
						    zload_rec_file(ad, i),
						    zload_rec_line(ad, i)) != 0)
					goto nomem;
			}
		}
		zload_xfr_free(xp);
		/* Sorted, checked against the zone rules exactly as a file is (zload_finish). */
		ret = zload_finish(&st);
	}
	if (ret != 0) {
		if (errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "%s: out of memory", z->origin_text);
		zload_free(&z);
		return NULL;
	}
	/* Its octets a store its next versions share (a shared version's are one already). */
	(void)zload_store_make(z);
	/* Freed, its arrays serve the next version (zload_spare.c). */
	z->give_back = true;
	/* After an AXFR, the arrays the first IXFR's version takes are made now. */
	if (base == NULL)
		zload_xfr_prepare(z);
	return z;
nomem:
	snprintf(err, errlen, "%s: out of memory", ad->origin_text);
	zload_free(&z);
	zload_xfr_free(xp);
	return NULL;
}

void zload_xfr_prepare(zload_zone_t *held)
{
	if (held == NULL)
		return;
	zload_spare_seed(with_slack(held->nrecs), with_slack(held->nrecs + 1));
	/* Read only by the free of its last reference (zload_spare_put()), after every other. */
	held->give_back = true;
}
