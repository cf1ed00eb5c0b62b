/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_validate.c: a zone's records sorted, deduplicated and checked against the zone rules */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandns_err.h"
#include "wire.h"
#include "zload_owner.h"
#include "zload_state.h"

/*
 * What the sort of a zone's records compares, gathered once per record: the owner's length and
 * first 16 octets, lower-cased and in big-endian order, decide most comparisons without
 * reading the owner.
 */
struct rrkey {
	uint64_t head[2];
	uint32_t idx;
	uint16_t olen;
	uint16_t type;
};

static void rrkey_set(struct rrkey *k, const zload_zone_t *z, size_t idx)
{
	const uint8_t *o = zload_rec_owner(z, idx);
	size_t len = wire_name_len(o);
	uint8_t head[16] = {0};

	memcpy(head, o, len < sizeof(head) ? len : sizeof(head));
	for (int w = 0; w < 2; w++) {
		uint64_t v;

		memcpy(&v, head + 8 * w, 8);
		k->head[w] = __builtin_bswap64(wire_lower8(v));
	}
	k->idx = (uint32_t)idx;
	k->olen = (uint16_t)len;
	k->type = z->recs[idx].type;
}

/*
 * Records I and J of Z (same owner and type) by their data: octets without case first, then
 * as ldns_rr_compare() has it (canonical form: names in the data of RFC 4034 6.2's types
 * without case, everything else exactly). Records that compare 0 are the same record. The
 * second step, which makes ldns records, is only for data equal but for case.
 */
static int rdata_cmp(const zload_zone_t *z, size_t i, size_t j)
{
	const zload_rec_t *a = &z->recs[i], *b = &z->recs[j];
	const uint8_t *da = z->data + a->rdata, *db = z->data + b->rdata;
	size_t n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	ldns_rr *x, *y;
	int c;

	for (size_t k = 0; k < n; k++) {
		uint8_t p = wire_lower(da[k]), q = wire_lower(db[k]);

		if (p != q)
			return p < q ? -1 : 1;
	}
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	if (memcmp(da, db, n) == 0)
		return 0;
	x = zload_rr(z, i);
	y = zload_rr(z, j);
	/* Without memory, the octets decide: a duplicate may then be kept, never a record lost. */
	c = x != NULL && y != NULL ? ldns_rr_compare(x, y) : memcmp(da, db, n);
	ldns_rr_free(x);
	ldns_rr_free(y);
	return c;
}

/*
 * Records by owner (owner_cmp), type, data (rdata_cmp), then file order; the owners are read
 * only when two records share the first 16 octets of theirs.
 */
static int cmp_rrkey(const void *pa, const void *pb, void *ctx)
{
	const struct rrkey *x = pa, *y = pb;
	const zload_zone_t *z = ctx;
	int c;

	if (x->olen != y->olen)
		return x->olen < y->olen ? -1 : 1;
	if (x->head[0] != y->head[0])
		return x->head[0] < y->head[0] ? -1 : 1;
	if (x->head[1] != y->head[1])
		return x->head[1] < y->head[1] ? -1 : 1;
	if (x->olen > 16) {
		c = owner_octets_cmp(zload_rec_owner(z, x->idx) + 16, x->olen - 16u,
				     zload_rec_owner(z, y->idx) + 16, y->olen - 16u);
		if (c != 0)
			return c;
	}
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	c = rdata_cmp(z, x->idx, y->idx);
	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

bool zload_rec_same(const zload_zone_t *z, size_t i, size_t j)
{
	return z->recs[i].type == z->recs[j].type &&
	       wire_name_eq(zload_rec_owner(z, i), zload_rec_owner(z, j)) &&
	       rdata_cmp(z, i, j) == 0;
}

/* Whether NAME has an address record in the zone (IDX: sorted by cmp_rrkey; a search). */
static bool has_address(const zload_zone_t *z, const uint32_t *idx, size_t n, const uint8_t *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (owner_cmp(zload_rec_owner(z, idx[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n; lo++) {
		uint16_t t = z->recs[idx[lo]].type;

		if (owner_cmp(zload_rec_owner(z, idx[lo]), name) != 0)
			break;
		if (t == T_A || t == T_AAAA)
			return true;
	}
	return false;
}

/*
 * Checks what Knot DNS and NSD refuse to serve (errors) and what they only note (warnings).
 * IDX is the records sorted by owner, type and RDATA, without duplicates.
 */
/* Where the one compressible name of type T starts in its data (RFC 3597 4), or -1. */
static int name_at(uint16_t t)
{
	switch (t) {
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_MD:
	case T_MF:
	case T_MB:
	case T_MG:
	case T_MR:
		return 0;
	case T_MX:
		return 2;
	default:
		return -1;
	}
}

/*
 * The fewest octets NAME, in the data of record K of the RRset IDX[FROM..TO] owned by OWNER,
 * takes in a message: a pointer when it is the end of a name written before it (the owner's,
 * another record's), else its first label too. EXACT: look at the other records (else every
 * name is taken as a pointer).
 */
static size_t name_min(const zload_zone_t *z, const uint32_t *idx, size_t from, size_t to, size_t k,
		       const uint8_t *owner, int at, bool exact)
{
	const uint8_t *name = zload_rec_rdata(z, idx[k]) + at;
	size_t whole = wire_name_len(name);

	if (!exact || whole <= 2 || wire_name_is_sub(owner, name))
		return whole < 2 ? whole : 2;
	for (size_t q = from; q <= to; q++)
		if (q != k && z->recs[idx[q]].rdlen > (size_t)at &&
		    wire_name_is_sub(zload_rec_rdata(z, idx[q]) + at, name))
			return 2;
	return whole < (size_t)name[0] + 3 ? whole : (size_t)name[0] + 3;
}

/* The fewest octets the RRset IDX[FROM..TO] takes in a message with its question. */
static size_t rrset_min(const zload_zone_t *z, const uint32_t *idx, size_t from, size_t to,
			bool exact)
{
	const uint8_t *owner = zload_rec_owner(z, idx[from]);
	int at = name_at(z->recs[idx[from]].type);
	size_t total = WIRE_HDR_LEN + wire_name_len(owner) + 4;

	for (size_t k = from; k <= to; k++) {
		const zload_rec_t *r = &z->recs[idx[k]];

		/* an owner pointer, type, class, TTL, length; then the data */
		total += 12;
		if (at < 0 || r->rdlen <= (size_t)at)
			total += r->rdlen;
		else
			total += (size_t)at + name_min(z, idx, from, to, k, owner, at, exact);
	}
	return total;
}

/*
 * Warns about an RRset (IDX[FROM..TO], FIRST its first record in the file) that no DNS message can
 * hold (65535 octets), however its names are compressed: queries for it are answered TC over UDP
 * and SERVFAIL over TCP, as Knot answers them. The exact look at names runs only when the quick one
 * cannot tell.
 */
static void rrset_size_check(struct zload_state *st, const uint32_t *idx, size_t from, size_t to,
			     size_t first)
{
	zload_zone_t *z = st->zone;
	size_t least = rrset_min(z, idx, from, to, false);
	char *o, *t;

	if (least <= UINT16_MAX && name_at(z->recs[idx[from]].type) >= 0)
		least = rrset_min(z, idx, from, to, true);
	if (least <= UINT16_MAX)
		return;
	o = name_str(zload_rec_owner(z, idx[from]));
	t = ldns_rr_type2str((ldns_rr_type)z->recs[idx[from]].type);
	zload_warn(st, zload_rr_file(z, first), zload_rec_line(z, first),
		   "the %s RRset at %s (%zu records) takes %zu octets at least, more than a DNS "
		   "message holds (65535): it is answered SERVFAIL over TCP, truncated over UDP",
		   t ? t : "", o ? o : "", to - from + 1, least);
	free(o);
	free(t);
}

/* Warns that record I's TTL is not that of FIRST, its RRset's first record. */
static void ttl_warn(struct zload_state *st, size_t i, size_t first)
{
	const zload_zone_t *z = st->zone;
	char where[32] = "";

	/* A transfer's record held from before has no line to name (zload_pvt.h's LINED). */
	if (zload_rec_line(z, first) > 0)
		snprintf(where, sizeof(where), " (line %d)", zload_rec_line(z, first));
	zload_warn(st, zload_rr_file(z, i), zload_rec_line(z, i),
		   "TTL %u differs from the RRset's TTL %u%s; the first one is served",
		   z->recs[i].ttl, z->recs[first].ttl, where);
}

/*
 * The zone rules over the positions SP[0..NSP) of IDX (N records sorted, without duplicates):
 * spans of whole owners, in order, the apex's among them; every record when the zone is new, the
 * owners an IXFR touched (and their ancestors) when the rest passed them already. Lookups
 * (glue) see all N.
 */
static int zload_validate(struct zload_state *st, uint32_t *idx, size_t n,
			  const struct zload_span *sp, size_t nsp)
{
	zload_zone_t *z = st->zone;
	const uint8_t *origin = ldns_rdf_data(z->origin);
	size_t soa_count = 0, apex_ns = 0;
	size_t soa_i = 0;

	for (size_t s = 0; s < nsp; s++)
		for (size_t k = sp[s].from; k < sp[s].to; k++) {
			size_t i = idx[k];
			const uint8_t *owner = zload_rec_owner(z, i);
			uint16_t t = z->recs[i].type;
			bool apex = owner_cmp(owner, origin) == 0;
			char *otext;

			if (!apex && !owner_below(owner, origin)) {
				otext = name_str(owner);
				zload_fail(st, zload_rr_file(z, i), zload_rec_line(z, i),
					   "%s is out of zone %s", otext ? otext : "owner",
					   z->origin_text);
				free(otext);
				if (!zload_go_on(st))
					return SANDNS_EZONE;
				continue;
			}
			if (t == T_SOA) {
				if (!apex) {
					zload_fail(st, zload_rr_file(z, i), zload_rec_line(z, i),
						   "SOA record not at the zone apex %s",
						   z->origin_text);
					if (!zload_go_on(st))
						return SANDNS_EZONE;
				} else if (++soa_count > 1) {
					zload_fail(st, zload_rr_file(z, i), zload_rec_line(z, i),
						   "more than one SOA record at %s",
						   z->origin_text);
					if (!zload_go_on(st))
						return SANDNS_EZONE;
				} else {
					soa_i = i;
				}
			}
			if (t == T_NS && apex)
				apex_ns++;
		}
	if (soa_count == 0) {
		zload_fail(st, z->files[0], 0, "no SOA record at the zone apex %s", z->origin_text);
		if (!zload_go_on(st))
			return SANDNS_EZONE;
	}
	if (apex_ns == 0) {
		if (soa_count > 0)
			zload_fail(st, zload_rr_file(z, soa_i), zload_rec_line(z, soa_i),
				   "no NS record at the zone apex %s", z->origin_text);
		else
			zload_fail(st, z->files[0], 0, "no NS record at the zone apex %s",
				   z->origin_text);
		if (!zload_go_on(st))
			return SANDNS_EZONE;
	}
	/* Per owner: CNAME beside other data, several CNAMEs, TTLs within an RRset. */
	for (size_t s = 0; s < nsp; s++)
		for (size_t k = sp[s].from; k < sp[s].to;) {
			size_t end = k + 1;
			size_t cname = 0, other = 0, cname_i = 0, other_i = 0;

			while (end < sp[s].to && owner_cmp(zload_rec_owner(z, idx[k]),
							   zload_rec_owner(z, idx[end])) == 0)
				end++;
			for (size_t j = k, set = k, first = idx[k]; j < end; j++) {
				const zload_rec_t *r = &z->recs[idx[j]];

				if (r->type == T_CNAME) {
					cname++;
					cname_i = idx[j];
				} else if (r->type != T_RRSIG && r->type != T_NSEC) {
					other++;
					other_i = idx[j];
				}
				/* An RRset's TTL is its first record's in the file (what is
				 * served). */
				if (z->recs[idx[set]].type != r->type) {
					set = j;
					first = idx[j];
				}
				if (idx[j] < first)
					first = idx[j];
				if (j + 1 < end && z->recs[idx[j + 1]].type == r->type)
					continue;
				rrset_size_check(st, idx, set, j, first);
				for (size_t q = set; q <= j && r->type != T_RRSIG; q++)
					if (z->recs[idx[q]].ttl != z->recs[first].ttl)
						ttl_warn(st, idx[q], first);
			}
			if (cname > 1 || (cname == 1 && other > 0)) {
				size_t at =
				    cname > 1 ? cname_i : (cname_i > other_i ? cname_i : other_i);
				char *o = name_str(zload_rec_owner(z, at));

				zload_fail(st, zload_rr_file(z, at), zload_rec_line(z, at),
					   cname > 1
					       ? "more than one CNAME record at %s"
					       : "CNAME beside other data at %s (RFC 1034 3.6.2)",
					   o ? o : "a name");
				free(o);
				if (!zload_go_on(st))
					return SANDNS_EZONE;
			}
			k = end;
		}
	/* Delegations: in-bailiwick NS targets need glue. */
	for (size_t s = 0; s < nsp; s++)
		for (size_t k = sp[s].from; k < sp[s].to; k++) {
			size_t i = idx[k];
			const uint8_t *owner = zload_rec_owner(z, i),
				      *target = zload_rec_rdata(z, i);
			bool apex;

			if (z->recs[i].type != T_NS || z->recs[i].rdlen < 1)
				continue;
			apex = owner_cmp(owner, origin) == 0;
			if (apex) {
				if (owner_below(target, origin) &&
				    !has_address(z, idx, n, target)) {
					char *t = name_str(target);

					zload_warn(st, zload_rr_file(z, i), zload_rec_line(z, i),
						   "name server %s has no address in the zone",
						   t ? t : "");
					free(t);
				}
				continue;
			}
			if ((owner_below(target, owner) || owner_cmp(target, owner) == 0) &&
			    !has_address(z, idx, n, target)) {
				char *t = name_str(target);

				zload_fail(
				    st, zload_rr_file(z, i), zload_rec_line(z, i),
				    "missing glue: delegation to %s, which has no A or AAAA record",
				    t ? t : "");
				free(t);
				if (!zload_go_on(st))
					return SANDNS_EZONE;
			}
		}
	/* The check mode: the errors were said; the zone is not loaded all the same. */
	return st->nerrors > 0 ? SANDNS_EZONE : 0;
}

/* Sorts, drops exact duplicates (with a warning, as Knot does), validates. */
int zload_rec_order(const zload_zone_t *z, size_t i, size_t j)
{
	int c = owner_cmp(zload_rec_owner(z, i), zload_rec_owner(z, j));

	if (c != 0)
		return c;
	if (z->recs[i].type != z->recs[j].type)
		return z->recs[i].type < z->recs[j].type ? -1 : 1;
	c = rdata_cmp(z, i, j);
	if (c != 0)
		return c;
	return i < j ? -1 : (i > j);
}

/*
 * Z's records in the sort's order (owner, type, data, file order): malloc'd with one entry
 * more, so that the next version a transfer makes of as many records may reuse it
 * (zload_spare.c, zload_xfr.c's next_version()); NULL without memory.
 */
static uint32_t *sorted_index(const zload_zone_t *z)
{
	size_t n = z->nrecs;
	uint32_t *idx = malloc((n + 1) * sizeof(*idx));
	struct rrkey *keys = malloc((n ? n : 1) * sizeof(*keys));

	if (idx == NULL || keys == NULL) {
		free(idx);
		free(keys);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		rrkey_set(&keys[i], z, i);
	qsort_r(keys, n, sizeof(*keys), cmp_rrkey, (void *)z);
	for (size_t i = 0; i < n; i++)
		idx[i] = keys[i].idx;
	free(keys);
	return idx;
}

int zload_index_owners(zload_zone_t *z)
{
	if (z->by_owner != NULL)
		return 0;
	z->by_owner = sorted_index(z);
	if (z->by_owner == NULL)
		return -ENOMEM;
	z->owner_cap = z->nrecs + 1;
	return 0;
}

static int cmp_rec_order(const void *a, const void *b, void *ctx)
{
	return zload_rec_order(ctx, *(const uint32_t *)a, *(const uint32_t *)b);
}

unsigned long zload_index_sorted_in;

int zload_index_owners_from(zload_zone_t *z, const zload_zone_t *prev, const uint32_t *to_new)
{
	size_t n = z->nrecs, na = 0, nb = 0;
	uint32_t *idx, *add;
	uint8_t *hit;

	if (z->by_owner != NULL)
		return 0;
	if (prev->by_owner == NULL)
		return zload_index_owners(z);
	idx = malloc((n + 1) * sizeof(*idx));
	hit = calloc(n ? n : 1, 1);
	if (idx == NULL || hit == NULL)
		goto nomem;
	/* PREV's order kept for the records it shares with Z (the same owner, type and data:
	 * the same place among the others)... */
	for (size_t k = 0; k < prev->nrecs; k++) {
		uint32_t to = to_new[prev->by_owner[k]];

		if (to == 0 || to > n || hit[to - 1])
			continue;
		hit[to - 1] = 1;
		idx[na++] = to - 1;
	}
	/* ...and Z's others sorted, each put where a bisection of those says. */
	add = malloc(((n - na) ? (n - na) : 1) * sizeof(*add));
	if (add == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (!hit[i])
			add[nb++] = (uint32_t)i;
	free(hit);
	hit = NULL;
	__atomic_add_fetch(&zload_index_sorted_in, nb, __ATOMIC_RELAXED);
	qsort_r(add, nb, sizeof(*add), cmp_rec_order, z);
	/* From the last: the records of IDX past the place of ADD's last move up by what is
	 * left of ADD, which goes just before them. */
	for (size_t a = na, b = nb; b > 0;) {
		size_t lo = 0, hi = a;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (zload_rec_order(z, idx[mid], add[b - 1]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(idx + lo + b, idx + lo, (a - lo) * sizeof(*idx));
		idx[lo + b - 1] = add[b - 1];
		b--;
		a = lo;
	}
	free(add);
	z->by_owner = idx;
	z->owner_cap = n + 1;
	return 0;
nomem:
	free(idx);
	free(hit);
	return -ENOMEM;
}

int zload_finish(struct zload_state *st)
{
	zload_zone_t *z = st->zone;
	size_t n = z->nrecs;
	uint32_t *idx = sorted_index(z);
	int ret;

	if (idx == NULL)
		return -ENOMEM;
	ret = zload_finish_sorted(st, idx);
	if (ret == 0)
		z->owner_cap = n + 1;
	return ret;
}

int zload_finish_sorted(struct zload_state *st, uint32_t *idx)
{
	zload_zone_t *z = st->zone;
	size_t n = z->nrecs;
	bool *dup = calloc(n ? n : 1, sizeof(*dup));
	size_t m = 0;
	int ret = -ENOMEM;

	if (dup == NULL)
		goto out;
	for (size_t k = 1; k < n; k++) {
		if (zload_rec_same(z, idx[k - 1], idx[k])) {
			dup[idx[k]] = true;
			zload_warn(st, zload_rr_file(z, idx[k]), zload_rec_line(z, idx[k]),
				   "duplicate record ignored");
		}
	}
	for (size_t k = 0; k < n; k++)
		if (!dup[idx[k]])
			idx[m++] = idx[k];
	{
		const struct zload_span all = {0, m};

		ret = zload_validate(st, idx, m, &all, 1);
	}
	if (ret != 0)
		goto out;
	/*
	 * Keep file order without the duplicates: compacted in place, so nothing can fail once
	 * RENUM (each old index's new one) is there. The sorted index is kept, renumbered.
	 */
	{
		struct zload_keep keep = {0};
		uint32_t *renum = malloc((n ? n : 1) * sizeof(*renum));

		if (renum == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			const zload_rec_t *r = &z->recs[i];

			if (dup[i]) {
				renum[i] = UINT32_MAX;
				continue;
			}
			if (r->type == T_SOA) {
				/* SOA data: two names, then the serial */
				const uint8_t *rd = z->data + r->rdata;
				size_t at = wire_name_len(rd);

				at += wire_name_len(rd + at);
				if (at + 4 <= r->rdlen)
					z->serial = wire_get32(rd + at);
			}
			if (r->type == T_DNSKEY || r->type == T_RRSIG)
				z->is_signed = true;
			renum[i] = (uint32_t)keep.w;
			zload_rec_keep(z, &keep, i);
		}
		zload_recs_kept(z, &keep);
		for (size_t k = 0; k < m; k++)
			idx[k] = renum[idx[k]];
		free(renum);
		z->by_owner = idx;
		idx = NULL;
	}
	ret = 0;
out:
	free(idx);
	free(dup);
	return ret;
}

int zload_finish_touched(struct zload_state *st, uint32_t *idx, const struct zload_span *sp,
			 size_t nsp)
{
	zload_zone_t *z = st->zone;
	int ret;

	/* A duplicate (none is expected: an addition replaces the record held) takes the whole
	 * way, which drops it and says so. */
	for (size_t s = 0; s < nsp; s++)
		for (size_t k = sp[s].from + 1; k < sp[s].to; k++)
			if (zload_rec_same(z, idx[k - 1], idx[k]))
				return zload_finish_sorted(st, idx);
	ret = zload_validate(st, idx, z->nrecs, sp, nsp);
	if (ret != 0) {
		free(idx);
		return ret;
	}
	/* The one SOA, at the apex (checked): the serial. */
	for (size_t s = 0; s < nsp; s++)
		for (size_t k = sp[s].from; k < sp[s].to; k++) {
			const zload_rec_t *r = &z->recs[idx[k]];
			const uint8_t *rd = z->data + r->rdata;
			size_t at;

			if (r->type != T_SOA)
				continue;
			at = wire_name_len(rd);
			at += wire_name_len(rd + at);
			if (at + 4 <= r->rdlen)
				z->serial = wire_get32(rd + at);
		}
	z->by_owner = idx;
	return 0;
}
