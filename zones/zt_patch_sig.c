/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_sig.c: a signed zone patched: what it may change, its NSEC owners, what they cover */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "denial.h"
#include "resolve.h" /* ZT_LIVE */
#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_patch_pvt.h"
#include "zt_spare.h"

/* At most this many names above a changed name (empty non-terminals) go with it. */
#define ENTS_PER_NAME (WIRE_NAME_MAX / 2)

/* Whether zone ZONE of ZT has RRSIG or DNSKEY records at its apex (which keep it signed). */
static bool apex_keyed(const zt_t *zt, const zt_zone_t *zone)
{
	const zt_node_t *apex = &zt->nodes[zone->apex];

	for (uint32_t s = apex->rrsets; apex->nrrsets > 0 && s < apex->rrsets + apex->nrrsets; s++)
		if (zt->rrsets[s].type == T_RRSIG || zt->rrsets[s].type == T_DNSKEY)
			return true;
	return false;
}

/*
 * How many of IN's names the new version holds no record at (removed): only those take nodes out
 * of the snapshot, each with at most ENTS_PER_NAME empty non-terminals above it; a name changed
 * that still has records keeps its node and those above it (a renewal's names: none removed).
 * Without an index by owner, every name.
 */
static size_t names_gone(const zt_patch_in_t *in)
{
	const zload_zone_t *z = in->zone;
	size_t gone = 0;

	if (z->by_owner == NULL)
		return in->nnames;
	for (size_t i = 0; i < in->nnames; i++) {
		size_t r0, r1;

		zload_owner_range(z, in->names[i], &r0, &r1);
		gone += r0 == r1;
	}
	return gone;
}

/* Why no change of ZONE can be patched (the names aside), or NULL. */
static const char *zone_blocked(const zt_zone_t *zone)
{
	if (!zone->is_signed && !zone->has_nsec3)
		return NULL;
	if (zone->has_nsec3 && zt_patch_n3_parts_below(zone))
		return "keeps NSEC3 NXDOMAIN parts below its apex (zt_denial_budget)";
	if (zone->nxb_idx != NULL)
		return "keeps its denial answers whole (zt_denial_budget)";
	if (zone->nx_do >= ZT_LIVE)
		return "answers its NXDOMAIN with DO live";
	return NULL;
}

const char *zt_patch_blocked(const zt_t *base, const char *origin)
{
	ldns_rdf *d = base != NULL && origin != NULL ? ldns_dname_new_frm_str(origin) : NULL;
	uint8_t key[WIRE_NAME_MAX + 1];
	uint32_t n = ZT_NONE;

	/* Its apex through the index, as zt_patch() finds it: no pass over the zones. */
	if (d != NULL && ldns_rdf_size(d) <= WIRE_NAME_MAX)
		n = zt_find(base, key, wire_name_lower(key, ldns_rdf_data(d)));
	ldns_rdf_deep_free(d);
	if (n == ZT_NONE || !(base->nodes[n].flags & ZN_APEX))
		return NULL;
	return zone_blocked(&base->zones[base->nodes[n].zone]);
}

int zt_patch_sig_check(struct patch *p)
{
	const zt_zone_t *zone = &p->base->zones[p->z];
	const char *why = zone_blocked(zone);

	if (!zone->is_signed && !zone->has_nsec3)
		return 0;
	if (why != NULL)
		return zt_patch_full(p, "zone %s %s", zone->origin, why);
	if (!apex_keyed(p->base, zone))
		return zt_patch_full(p, "zone %s is signed but not at its apex", zone->origin);
	/* Its names' NODATA with DO hold their proof alone both in BASE and once compiled whole
	 * (ZT_NODATA_SPLIT): the snapshot keeps that many names with those removed taken out. */
	if (zt_blobs_split_min > 0 &&
	    (p->base->index_count < zt_blobs_split_min ||
	     p->base->index_count - zt_blobs_split_min < names_gone(p->in) * (ENTS_PER_NAME + 1)))
		return zt_patch_full(p,
				     "zone %s is signed and the snapshot too small to split its "
				     "NODATA (zt_blobs_split_min): each holds the SOA",
				     zone->origin);
	return 0;
}

/* The SOA's MNAME and RNAME of RDATA RD (RDLEN octets): their length, 0 when malformed. */
static size_t soa_names(const uint8_t *rd, size_t rdlen)
{
	size_t l1, l2;

	if (rdlen < 2)
		return 0;
	l1 = wire_name_len(rd);
	if (l1 == 0 || l1 >= rdlen)
		return 0;
	l2 = wire_name_len(rd + l1);
	return l2 == 0 || l1 + l2 > rdlen ? 0 : l1 + l2;
}

int zt_patch_sig_apex(struct patch *p, const struct pn *apex)
{
	const zt_t *base = p->base;
	const zt_zone_t *zone = &base->zones[p->z];
	const zt_rrset_t *bsoa = &base->rrsets[zone->soa];
	const uint8_t *brd = base->arena + bsoa->data + 2;
	size_t blen = soa_names(brd, wire_get16(base->arena + bsoa->data)), cnt, sigs = 0;
	size_t bsigs = 0;
	bool keyed = false, soa_same = false;
	struct prec *r;

	if (!zone->is_signed)
		return 0;
	cnt = zt_patch_recs(p, apex, NULL);
	r = malloc((cnt ? cnt : 1) * sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	zt_patch_recs(p, apex, r);
	for (size_t i = 0; i < cnt; i++) {
		if (r[i].type == T_RRSIG || r[i].type == T_DNSKEY)
			keyed = true;
		if (r[i].type == T_SOA)
			soa_same = blen > 0 && soa_names(r[i].rd, r[i].rdlen) == blen &&
				   memcmp(r[i].rd, brd, blen) == 0;
		if (r[i].type == T_RRSIG && r[i].rdlen >= 2 && wire_get16(r[i].rd) == T_SOA)
			sigs += 2u + r[i].rdlen;
	}
	free(r);
	for (uint32_t s = 0; s < base->nodes[zone->apex].nrrsets; s++) {
		const zt_rrset_t *set = &base->rrsets[base->nodes[zone->apex].rrsets + s];

		if (set->type == T_RRSIG && set->covered == T_SOA)
			bsigs = set->data_len;
	}
	/* Whether the zone is still signed: its apex says (a zone unsigned compiles whole). */
	if (!keyed)
		return zt_patch_full(p, "zone %s is no longer signed at its apex", zone->origin);
	/* The names' NODATA proofs were split against the SOA and its signatures as they were:
	 * the same names and the same length of signatures make the same octets around them. */
	if (!soa_same)
		return zt_patch_full(p, "zone %s: its SOA's names changed", zone->origin);
	if (sigs != bsigs)
		return zt_patch_full(p, "zone %s: its SOA's signatures changed in size",
				     zone->origin);
	return 0;
}

void zt_patch_sig_flags(struct patch *p)
{
	zt_t *zt = p->zt;

	if (!zt->zones[p->z].is_signed)
		return;
	for (uint32_t n = p->first_new; n < zt->nnodes; n++)
		if (zt->nodes[n].zone == p->z)
			zt->nodes[n].flags |= ZN_SIGNED;
}

/* Whether node N owns an NSEC RRset. */
static bool has_nsec(const zt_t *zt, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];

	for (uint32_t s = node->rrsets; node->nrrsets > 0 && s < node->rrsets + node->nrrsets; s++)
		if (zt->rrsets[s].type == T_NSEC)
			return true;
	return false;
}

/* The first of BASE's NSEC owners (of zone BZ) whose name comes after KEY, or (AFTER false)
 * is not before it. */
static uint32_t nsec_bound(const zt_t *zt, const zt_zone_t *zone, const uint8_t *key, bool after)
{
	uint32_t lo = 0, hi = zone->nnsec;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = wire_name_cmp_canonical(zt->arena + zt->nodes[zone->nsec[mid]].name, key);

		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct ins {
	uint32_t pos;	    /* in BASE's table */
	bool drop;	    /* BASE's entry there is the name's (taken out) */
	uint32_t node;	    /* the name's new node with an NSEC, or ZT_NONE */
	const uint8_t *key; /* the name, for a stable order */
};

static int cmp_ins(const void *a, const void *b)
{
	const struct ins *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return wire_name_cmp_canonical(x->key, y->key);
}

/*
 * BASE's NSEC owners with the changed names' taken out and put in where their names go (as
 * zt_order.c orders them). An owner this patch copied without changing it stays named by its
 * node in BASE, as its RRsets name it: the same name and records, all that the denial answers
 * read of it (both its NSEC owners a proof compares come from this table). *FROM: of each
 * owner, its place in BASE's table (ZT_NONE: a name put in), so that its key is copied.
 */
static int merge_nsec(struct patch *p, uint32_t **out, uint32_t **from, uint32_t *nout)
{
	const zt_t *base = p->base;
	const zt_zone_t *bz = &base->zones[p->z];
	zt_t *zt = p->zt;
	struct ins *ins = malloc((p->npn ? p->npn : 1) * sizeof(*ins));
	uint32_t *v = zt_big_alloc((bz->nnsec + p->npn + 1) * sizeof(*v));
	uint32_t *f = zt_big_alloc((bz->nnsec + p->npn + 1) * sizeof(*f));
	size_t n = 0, at = 0;

	if (ins == NULL || v == NULL || f == NULL) {
		free(ins);
		zt_big_free(v);
		zt_big_free(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->npn; i++) {
		const struct pn *pn = &p->pn[i];
		uint32_t lo = nsec_bound(base, bz, pn->key, false);

		ins[i] = (struct ins){
		    .pos = lo,
		    .drop = lo < bz->nnsec &&
			    wire_name_cmp_canonical(base->arena + base->nodes[bz->nsec[lo]].name,
						    pn->key) == 0,
		    .node = pn->node != ZT_NONE && has_nsec(zt, pn->node) ? pn->node : ZT_NONE,
		    .key = pn->key};
	}
	qsort(ins, p->npn, sizeof(*ins), cmp_ins);
	for (size_t j = 0; j <= p->npn; j++) {
		uint32_t end = j < p->npn ? ins[j].pos : bz->nnsec;

		if (end > at) {
			memcpy(v + n, bz->nsec + at, (end - at) * sizeof(*v));
			for (; at < end; at++)
				f[n++] = (uint32_t)at;
		}
		if (j == p->npn)
			break;
		if (ins[j].drop && at == ins[j].pos)
			at++;
		if (ins[j].node != ZT_NONE) {
			f[n] = ZT_NONE;
			v[n++] = ins[j].node;
		}
	}
	free(ins);
	*out = v;
	*from = f;
	*nout = (uint32_t)n;
	return 0;
}

int zt_patch_sig_tables(struct patch *p)
{
	zt_t *zt = p->zt;
	zt_zone_t *zone = &zt->zones[p->z];
	uint32_t *v, *from, n;
	int ret;

	if (!zone->is_signed)
		return 0;
	if ((ret = merge_nsec(p, &v, &from, &n)) != 0)
		return ret;
	zone->nsec = v;
	zone->nnsec = n;
	/* The owners kept from BASE keep their keys: copied, not made again. */
	ret = denial_keys_from(zt, p->z, &p->base->zones[p->z], from);
	zt_big_free(from);
	return ret;
}

/* Node N rendered again (copied first if BASE's), when it is one of zone p->z's own names. */
static int again(struct patch *p, uint32_t n)
{
	zt_t *zt = p->zt;
	const zt_node_t *node = &zt->nodes[n];

	if (n >= p->first_new || node->zone != p->z || (node->flags & ZN_SHADOW) ||
	    node->deleg != ZT_NONE)
		return 0; /* rendered already, another zone's, or a referral */
	n = zt_patch_mine(p, zt->arena + node->name, node->name_len);
	if (n == ZT_NONE)
		return -ENOMEM;
	zt->nodes[n].flags |= ZN_SIGNED;
	return zt_patch_push(&p->render, &p->nrender, &p->crender, n);
}

/* The names above KEY (LEN octets) and below the apex that hold no NSEC, rendered again. */
static int above(struct patch *p, const uint8_t *key, size_t len)
{
	while (len > p->apex_len) {
		uint32_t n;

		key = zt_patch_parent(key, &len);
		if (len <= p->apex_len)
			break;
		n = zt_find(p->zt, key, len);
		if (n != ZT_NONE && !has_nsec(p->zt, n) && again(p, n) != 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The names without an NSEC of their own (empty non-terminals, mostly) answer NODATA with the
 * NSEC that covers them (resolve.c), the owner before them: those between a changed name's
 * NSEC neighbours may be covered by another NSEC, or by one whose records changed. They are
 * the ancestors of the changed name and of the owner after it (every name between two owners
 * is above the second), and the owners of RRsets without NSEC between the two.
 */
int zt_patch_sig_covers(struct patch *p)
{
	zt_t *zt = p->zt;
	const zt_zone_t *zone = &zt->zones[p->z];

	if (!zone->is_signed || zone->nnsec == 0)
		return 0;
	for (size_t i = 0; i < p->npn; i++) {
		const struct pn *pn = &p->pn[i];
		uint32_t lo = nsec_bound(zt, zone, pn->key, false);
		uint32_t hi = nsec_bound(zt, zone, pn->key, true);
		uint32_t prev = lo > 0 ? zone->nsec[lo - 1] : ZT_NONE;
		uint32_t next = hi < zone->nnsec ? zone->nsec[hi] : ZT_NONE;
		const zt_node_t *nx = next != ZT_NONE ? &zt->nodes[next] : NULL;
		size_t a = 0;

		if (above(p, pn->key, pn->len) != 0 ||
		    (nx != NULL && above(p, zt->arena + nx->name, nx->name_len) != 0))
			return -ENOMEM;
		/* The transfer order's owners from PREV (exclusive) to NEXT (exclusive). */
		if (prev != ZT_NONE)
			a = zt_patch_axfr_after(zt, zone, zt->arena + zt->nodes[prev].name);
		for (; a < zone->naxfr; a++) {
			const zt_node_t *o = &zt->nodes[zt->rrsets[zone->axfr[a]].node];
			uint32_t n;

			if (nx != NULL &&
			    wire_name_cmp_canonical(zt->arena + o->name, zt->arena + nx->name) >= 0)
				break;
			n = zt_find(zt, zt->arena + o->name, o->name_len);
			if (n != ZT_NONE && !has_nsec(zt, n) && again(p, n) != 0)
				return -ENOMEM;
		}
	}
	return 0;
}

int zt_patch_sig_denial(struct patch *p)
{
	const zt_zone_t *zone = &p->zt->zones[p->z];
	size_t share;
	int ret;

	if (!zone->is_signed)
		return 0;
	/* The names not rendered again keep their proofs split against the NXDOMAIN head. */
	if (zone->nx_do >= ZT_LIVE)
		return zt_patch_full(p, "zone %s: its NXDOMAIN with DO is no longer a blob",
				     zone->origin);
	if (zone->has_nsec3)
		return 0; /* zt_patch_n3_denial() */
	/* The blobs a compile would keep are those within the zone's share, the other zones
	 * holding theirs; this one keeps none. */
	ret = zt_denial_share(p->zt, p->z, 0, &share);
	if (ret == 0)
		return zt_patch_full(p,
				     "zone %s: the other zones hold more of zt_denial_budget "
				     "than a compile leaves them",
				     zone->origin);
	if (ret > 0)
		ret = zt_denial_fits(p->b, p->z, share);
	if (ret < 0)
		return ret;
	return ret > 0
		   ? zt_patch_full(p, "zone %s would keep its denial answers whole", zone->origin)
		   : 0;
}
