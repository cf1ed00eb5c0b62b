/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_n3.c: a presigned NSEC3 zone patched: its chain, its names' facts, what they prove */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "nsec3.h"
#include "zt_index.h"
#include "zt_patch_pvt.h"

/* What one patch of an NSEC3 zone keeps from its tables to its answers. */
struct patch_n3 {
	uint32_t *added; /* the new nodes of owners BASE's chain did not have */
	size_t nadded, cadded;
	uint32_t *render; /* BASE's nodes whose matching NSEC3 changed */
	size_t nrender, crender;
};

/* An owner the patch changed: taken out of BASE's chain (OLD), put in (NODE), or both. */
struct chg {
	const uint8_t *label; /* its hashed label (NSEC3_LABEL_LEN octets, lower case) */
	uint32_t pos;	      /* the first of BASE's owners not before it */
	uint32_t old, node;   /* BASE's node, the new one; ZT_NONE: none */
};

/* What BASE's owner OLD becomes for its names' facts. */
struct remap {
	uint32_t old;
	uint32_t node; /* its new node, ZT_NONE when gone; OLD when it stays (REHASH alone) */
	bool changed;  /* its records changed or it is gone: the names it matches change */
	bool rehash;   /* wildcard hashes it covered may be covered by another now */
};

static int cmp_chg(const void *a, const void *b)
{
	const struct chg *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return memcmp(x->label, y->label, NSEC3_LABEL_LEN);
}

static int cmp_remap(const void *a, const void *b)
{
	const struct remap *x = a, *y = b;

	return x->old < y->old ? -1 : x->old > y->old;
}

/* Whether changed name PN is shaped as an NSEC3 owner: one hashed label below the apex. */
static bool owner_shaped(const struct patch *p, const struct pn *pn)
{
	return pn->key[0] == NSEC3_LABEL_LEN && pn->len == 1u + NSEC3_LABEL_LEN + p->apex_len;
}

/* The first of BASE zone BZ's owners whose label is not before LABEL. */
static uint32_t owner_bound(const zt_t *base, const zt_zone_t *bz, const uint8_t *label)
{
	uint64_t pre = nsec3_label_prefix(label);
	uint32_t lo = 0, hi = bz->nnsec3;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		bool lt = bz->n3pre[mid] < pre;

		if (bz->n3pre[mid] == pre)
			lt = memcmp(base->arena + base->nodes[bz->nsec3[mid]].name + 1, label,
				    NSEC3_LABEL_LEN) < 0;
		if (lt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool zt_patch_n3_moves(const struct patch *p)
{
	if (!p->base->zones[p->z].has_nsec3)
		return false;
	for (size_t i = 0; i < p->npn; i++)
		if (owner_shaped(p, &p->pn[i]))
			return true;
	return false;
}

bool zt_patch_n3_parts_below(const zt_zone_t *zone)
{
	/* The other enclosers' NXDOMAIN parts hold their NSEC3 records and their wildcards'
	 * covers: a zone that keeps them is made again whole. */
	return zone->n3nx_count > 1 || (zone->n3nx_count == 1 && zone->n3nx[0] != zone->apex);
}

int zt_patch_n3_apex(struct patch *p, const struct pn *apex)
{
	const zt_t *base = p->base;
	const zt_zone_t *zone = &base->zones[p->z];
	const zt_node_t *bn = &base->nodes[zone->apex];
	const uint8_t *brd = NULL;
	size_t cnt, nparam = 0, bparam = 0;
	bool same = false;
	struct prec *r;

	if (!zone->has_nsec3)
		return 0;
	for (uint32_t s = bn->rrsets; s < bn->rrsets + bn->nrrsets; s++)
		if (base->rrsets[s].type == T_NSEC3PARAM) {
			bparam = base->rrsets[s].count;
			brd = base->arena + base->rrsets[s].data;
		}
	cnt = zt_patch_recs(p, apex, NULL);
	r = malloc((cnt ? cnt : 1) * sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	zt_patch_recs(p, apex, r);
	for (size_t i = 0; i < cnt; i++) {
		if (r[i].type != T_NSEC3PARAM)
			continue;
		nparam++;
		same = brd != NULL && wire_get16(brd) == r[i].rdlen &&
		       memcmp(brd + 2, r[i].rd, r[i].rdlen) == 0;
	}
	free(r);
	/* The hash's parameters make the chain: another chain (or none) is compiled whole. */
	if (nparam != 1 || bparam != 1 || !same)
		return zt_patch_full(p, "zone %s: its NSEC3PARAM changed", zone->origin);
	return 0;
}

/* P's changed owners into *OUT (sorted by their place in BASE's chain): their number, or -1. */
static ssize_t changed_owners(struct patch *p, struct chg **out)
{
	const zt_t *base = p->base;
	const zt_zone_t *bz = &base->zones[p->z];
	struct chg *c = malloc((p->npn ? p->npn : 1) * sizeof(*c));
	size_t n = 0;

	if (c == NULL)
		return -1;
	for (size_t i = 0; i < p->npn; i++) {
		const struct pn *pn = &p->pn[i];
		uint32_t old = ZT_NONE, node = ZT_NONE;

		uint32_t pos;

		if (!owner_shaped(p, pn))
			continue;
		/* BASE's owner by its label: the table names the node it was made with, which a
		 * patch may have copied since (the same records) under the same name. */
		pos = owner_bound(base, bz, pn->key + 1);
		if (pos < bz->nnsec3 && memcmp(base->arena + base->nodes[bz->nsec3[pos]].name + 1,
					       pn->key + 1, NSEC3_LABEL_LEN) == 0)
			old = bz->nsec3[pos];
		if (pn->node != ZT_NONE && nsec3_is_owner(p->zt, pn->node, p->apex, p->apex_len))
			node = pn->node;
		if (old == ZT_NONE && node == ZT_NONE)
			continue;
		c[n++] = (struct chg){.label = pn->key + 1, .pos = pos, .old = old, .node = node};
	}
	qsort(c, n, sizeof(*c), cmp_chg);
	*out = c;
	return (ssize_t)n;
}

/*
 * Zone p->z's chain: BASE's owners with the changed ones taken out and put in where their
 * labels go (the rest copied in runs, with their prefixes), and its buckets. 0 or -ENOMEM.
 */
static int merge_chain(struct patch *p, const struct chg *c, size_t nc)
{
	const zt_zone_t *bz = &p->base->zones[p->z];
	zt_zone_t *zone = &p->zt->zones[p->z];
	uint32_t *v = malloc((bz->nnsec3 + nc + 1) * sizeof(*v));
	uint64_t *pre = malloc((bz->nnsec3 + nc + 1) * sizeof(*pre));
	size_t n = 0, at = 0;

	if (v == NULL || pre == NULL) {
		free(v);
		free(pre);
		return -ENOMEM;
	}
	for (size_t j = 0; j <= nc; j++) {
		uint32_t end = j < nc ? c[j].pos : bz->nnsec3;

		if (end > at) {
			memcpy(v + n, bz->nsec3 + at, (end - at) * sizeof(*v));
			memcpy(pre + n, bz->n3pre + at, (end - at) * sizeof(*pre));
			n += end - at;
			at = end;
		}
		if (j == nc)
			break;
		if (c[j].old != ZT_NONE && at == c[j].pos && at < bz->nnsec3 &&
		    bz->nsec3[at] == c[j].old)
			at++;
		if (c[j].node != ZT_NONE) {
			pre[n] = nsec3_label_prefix(c[j].label);
			v[n++] = c[j].node;
		}
	}
	zone->nsec3 = v;
	zone->n3pre = pre;
	zone->nnsec3 = (uint32_t)n;
	return nsec3_buckets(p->zt, zone);
}

/* The remaps of the changed owners C (NC) and of the owners before those added; sorted. */
static struct remap *remaps(struct patch *p, const struct chg *c, size_t nc, size_t *nout)
{
	const zt_zone_t *bz = &p->base->zones[p->z];
	struct remap *m = malloc((2 * nc + 1) * sizeof(*m));
	size_t n = 0, k = 0;

	if (m == NULL)
		return NULL;
	for (size_t j = 0; j < nc; j++) {
		if (c[j].old != ZT_NONE)
			m[n++] = (struct remap){c[j].old, c[j].node, true, c[j].node == ZT_NONE};
		else if (bz->nnsec3 > 0) {
			/* An owner added: the hashes after it were its predecessor's to cover. */
			uint32_t prev = bz->nsec3[c[j].pos > 0 ? c[j].pos - 1 : bz->nnsec3 - 1];

			m[n++] = (struct remap){prev, prev, false, true};
		}
	}
	qsort(m, n, sizeof(*m), cmp_remap);
	/* One per owner: changed and a predecessor both. */
	for (size_t j = 0; j < n; j++) {
		if (k > 0 && m[k - 1].old == m[j].old) {
			if (m[j].changed) {
				m[k - 1].node = m[j].node;
				m[k - 1].changed = true;
			}
			m[k - 1].rehash |= m[j].rehash;
			continue;
		}
		m[k++] = m[j];
	}
	*nout = k;
	return m;
}

static const struct remap *remap_of(const struct remap *m, size_t n, uint32_t old)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m[mid].old < old)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && m[lo].old == old ? &m[lo] : NULL;
}

/* Zone ZONE's n3 table grown to cover every node of ZT, the new entries ZT_NONE. 0 or -ENOMEM. */
static int n3_grow(zt_t *zt, zt_zone_t *zone)
{
	uint32_t want = zt->nnodes - zone->n3base;
	uint32_t *n3;

	if (want <= zone->n3count && zone->n3 != NULL)
		return 0;
	n3 = realloc(zone->n3, 2u * (want ? want : 1) * sizeof(*n3));
	if (n3 == NULL)
		return -ENOMEM;
	for (uint32_t i = 2 * zone->n3count; i < 2 * want; i++)
		n3[i] = ZT_NONE;
	zone->n3 = n3;
	zone->n3count = want;
	return 0;
}

/*
 * BASE's facts copied, and those that name a changed owner made again: a match moves to the
 * owner's new node (or none, the owner gone: the name is rendered again, its NODATA proof
 * changed); a wildcard's cover too, or is looked up again in the new chain when the hashes
 * its owner covered changed hands (an owner added after it, or it gone).
 */
static int facts(struct patch *p, const struct remap *m, size_t nm)
{
	const zt_t *base = p->base;
	const zt_zone_t *bz = &base->zones[p->z];
	zt_t *zt = p->zt;
	zt_zone_t *zone = &zt->zones[p->z];
	struct patch_n3 *x = p->n3;
	uint8_t *mark = calloc(base->nnodes / 8 + 1, 1);

	if (mark == NULL)
		return -ENOMEM;
	zone->n3 = malloc(2u * (bz->n3count ? bz->n3count : 1) * sizeof(uint32_t));
	if (zone->n3 == NULL) {
		free(mark);
		return -ENOMEM;
	}
	memcpy(zone->n3, bz->n3, 2u * bz->n3count * sizeof(uint32_t));
	zone->n3base = bz->n3base;
	zone->n3count = bz->n3count;
	for (size_t j = 0; j < nm; j++)
		mark[m[j].old / 8] |= (uint8_t)(1u << (m[j].old % 8));
	for (uint32_t i = 0; i < zone->n3count; i++) {
		uint32_t *f = zone->n3 + 2 * i;
		const struct remap *r;

		if (f[0] != ZT_NONE && (mark[f[0] / 8] & (1u << (f[0] % 8))) &&
		    (r = remap_of(m, nm, f[0]))->changed) {
			f[0] = r->node;
			if (zt_patch_push(&x->render, &x->nrender, &x->crender, zone->n3base + i) !=
			    0)
				goto nomem;
		}
		if (f[1] != ZT_NONE && (mark[f[1] / 8] & (1u << (f[1] % 8)))) {
			r = remap_of(m, nm, f[1]);
			if (!r->rehash) {
				f[1] = r->node;
			} else {
				uint32_t now[2];

				nsec3_facts(zt, zone, zone->n3base + i, now);
				f[1] = now[1];
			}
		}
	}
	free(mark);
	return 0;
nomem:
	free(mark);
	return -ENOMEM;
}

/*
 * The names whose NODATA proof (their matching NSEC3) changed, copied and listed to render
 * (ZN_SIGNED as the patch's nodes are), a delegation with the names below it. Empty
 * non-terminals and CNAMEs are rendered with the names whose answers hold the SOA
 * (zt_patch_collect(), told so by zt_patch_n3_moves()); the changed names are rendered anyway.
 */
static int render_matched(struct patch *p)
{
	struct patch_n3 *x = p->n3;
	zt_t *zt = p->zt;

	for (size_t i = 0; i < x->nrender; i++) {
		const zt_node_t *o = &zt->nodes[x->render[i]];
		const uint8_t *name = zt->arena + o->name;
		size_t len = o->name_len;
		uint32_t n = zt_find(zt, name, len);
		const zt_node_t *node;

		if (n == ZT_NONE || zt_patch_nset_get(&p->changed, name, len) != ZT_NONE)
			continue;
		node = &zt->nodes[n];
		if (node->zone != p->z || (node->flags & ZN_SHADOW) ||
		    (node->deleg != ZT_NONE && node->deleg != n) || node->nrrsets == 0 ||
		    (node->flags & ZN_CNAME))
			continue;
		/* A delegation's referral holds its NSEC3 (no DS), and so do the copies below. */
		if (node->deleg == n) {
			if (zt_patch_redo_cut(p, name, len) != 0)
				return -ENOMEM;
			continue;
		}
		n = zt_patch_mine(p, name, len);
		if (n == ZT_NONE)
			return -ENOMEM;
		zt->nodes[n].flags |= ZN_SIGNED;
		if (zt_patch_push(&p->render, &p->nrender, &p->crender, n) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* At most this many names out of the chain (opted out) are rendered again at each patch. */
#define OPTOUT_MAX 256

/*
 * The names out of the chain (opted out: insecure delegations, the empty non-terminals above
 * only those, or a presigned name without its NSEC3): their NODATA and referrals hold the
 * closest encloser proof, the NSEC3 of an ancestor and the one covering the next closer
 * name's hash, which only hashing them again would tell: rendered again (delegations with the
 * names below them), up to OPTOUT_MAX of them; past it, ZT_PATCH_FULL.
 */
static int opted_out(struct patch *p)
{
	const zt_t *base = p->base;
	const zt_zone_t *bz = &base->zones[p->z];
	zt_t *zt = p->zt;
	const zt_zone_t *zone = &zt->zones[p->z];
	uint8_t *own = calloc(base->nnodes / 8 + 1, 1);
	uint32_t *out = NULL, nout = 0;
	int ret = -ENOMEM;

	if (own == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < bz->nnsec3; k++)
		own[bz->nsec3[k] / 8] |= (uint8_t)(1u << (bz->nsec3[k] % 8));
	out = malloc(OPTOUT_MAX * sizeof(*out));
	if (out == NULL)
		goto done;
	for (uint32_t i = 0; i < bz->n3count; i++) {
		uint32_t n = bz->n3base + i;
		const zt_node_t *node = &base->nodes[n];

		if (zone->n3[2 * i] != ZT_NONE || (own[n / 8] & (1u << (n % 8))) ||
		    node->zone != p->z || (node->flags & (ZN_SHADOW | ZN_APEX)) ||
		    (node->deleg != ZT_NONE && node->deleg != n) ||
		    zt_find(base, base->arena + node->name, node->name_len) != n)
			continue;
		if (nout == OPTOUT_MAX) {
			ret = zt_patch_full(p,
					    "zone %s: more than %u names out of its NSEC3 chain "
					    "(opt-out): their proofs are not followed",
					    zone->origin, OPTOUT_MAX);
			goto done;
		}
		out[nout++] = n;
	}
	for (uint32_t k = 0; k < nout; k++) {
		const zt_node_t *o = &base->nodes[out[k]];
		const uint8_t *name = base->arena + o->name;
		uint32_t n;

		if (zt_patch_nset_get(&p->changed, name, o->name_len) != ZT_NONE ||
		    zt_find(zt, name, o->name_len) == ZT_NONE)
			continue; /* rendered anyway, or gone (an empty non-terminal) */
		if (o->deleg == out[k]) {
			if (zt_patch_redo_cut(p, name, o->name_len) != 0)
				goto done;
			continue;
		}
		n = zt_patch_mine(p, name, o->name_len);
		if (n == ZT_NONE)
			goto done;
		zt->nodes[n].flags |= ZN_SIGNED;
		if (zt_patch_push(&p->render, &p->nrender, &p->crender, n) != 0)
			goto done;
	}
	ret = 0;
done:
	free(own);
	free(out);
	return ret;
}

int zt_patch_n3_tables(struct patch *p)
{
	const zt_zone_t *bz = &p->base->zones[p->z];
	zt_zone_t *zone = &p->zt->zones[p->z];
	struct chg *c = NULL;
	struct remap *m = NULL;
	size_t nm = 0;
	ssize_t nc;
	int ret = -ENOMEM;

	if (!bz->has_nsec3)
		return 0;
	p->n3 = calloc(1, sizeof(*p->n3));
	if (p->n3 == NULL || (nc = changed_owners(p, &c)) < 0)
		goto out;
	if ((ret = merge_chain(p, c, (size_t)nc)) != 0)
		goto out;
	ret = -ENOMEM;
	for (ssize_t j = 0; j < nc; j++)
		if (c[j].old == ZT_NONE &&
		    zt_patch_push(&p->n3->added, &p->n3->nadded, &p->n3->cadded, c[j].node) != 0)
			goto out;
	if ((m = remaps(p, c, (size_t)nc, &nm)) == NULL)
		goto out;
	zone->n3 = NULL;
	if ((ret = facts(p, m, nm)) != 0 || (ret = render_matched(p)) != 0 ||
	    (zt_patch_n3_moves(p) && (ret = opted_out(p)) != 0))
		goto out;
	ret = 0;
out:
	free(c);
	free(m);
	return ret;
}

int zt_patch_n3_facts(struct patch *p)
{
	zt_t *zt = p->zt;
	zt_zone_t *zone = &zt->zones[p->z];
	struct patch_n3 *x = p->n3;
	uint8_t *seen;
	char t[WIRE_NAME_MAX * 4 + 1];

	if (x == NULL)
		return 0;
	if (n3_grow(zt, zone) != 0)
		return -ENOMEM;
	seen = calloc(zt->nnodes / 8 + 1, 1);
	if (seen == NULL)
		return -ENOMEM;
	for (uint32_t n = p->first_new; n < zt->nnodes; n++) {
		uint32_t *f = zone->n3 + 2 * (n - zone->n3base);

		/* BASE's node of the same name keeps its facts (updated): the names below a
		 * delegation copied without its referral still name it as their cut. */
		if (zt->nodes[n].zone != p->z)
			continue;
		nsec3_facts(zt, zone, n, f);
		if (f[0] != ZT_NONE)
			seen[f[0] / 8] |= (uint8_t)(1u << (f[0] % 8));
	}
	/* An owner added that none of the names the patch made matches: an unchanged name's
	 * (opted out before) or none. Which would take hashing every name. */
	for (size_t i = 0; i < x->nadded; i++) {
		uint32_t y = x->added[i];

		if (!(seen[y / 8] & (1u << (y % 8)))) {
			free(seen);
			return zt_patch_full(
			    p, "zone %s: NSEC3 %s matches no name the patch changed", zone->origin,
			    zt_patch_text(zt->arena + zt->nodes[y].name, t, sizeof(t)));
		}
	}
	free(seen);
	return 0;
}

/*
 * The nodes of the zone the patch took out of the index (BASE's copied, or names taken out)
 * lose their match in its facts (zone->n3, this snapshot's own): no answer reaches them, and
 * zt_denial_n3_apex() then takes for candidates the nodes with a match alone, never looking
 * each name of the zone up in the index at each patch. The next patch copies the facts, and
 * so every node the patches replaced since the last compile stays without. A cut or a DNAME
 * keeps its own (no candidate either way): the names below a delegation copied without its
 * referral still name BASE's node as their cut (zt_patch_n3_facts()).
 */
static void facts_dead(struct patch *p)
{
	const zt_t *zt = p->zt;
	zt_zone_t *zone = &p->zt->zones[p->z];

	for (size_t i = 0; i < p->ndead; i++) {
		const uint32_t n = p->dead[i];
		const zt_node_t *node = &zt->nodes[n];

		if (n - zone->n3base < zone->n3count && node->zone == p->z &&
		    node->deleg == ZT_NONE && !(node->flags & (ZN_CUT | ZN_DNAME)))
			zone->n3[2 * (n - zone->n3base)] = ZT_NONE;
	}
}

/*
 * The zone's parts made within the share a compile gives it (zt_denial_share()), the other
 * zones holding what they hold: not the whole budget, which they share (given it, a patch kept
 * parts no compile keeps, and the snapshot went past the budget). When the other zones hold
 * more than a compile would leave them (made when this one took less, or came after them), it
 * is compiled whole, which shares the budget again: rare, as this zone's parts seldom change
 * size. With a single signed zone the share is the whole budget, as before.
 */
int zt_patch_n3_denial(struct patch *p)
{
	const char *origin = p->zt->zones[p->z].origin;
	size_t share;
	int ret;

	if (p->n3 == NULL)
		return 0;
	facts_dead(p);
	/* The zone taking nothing first: if the others are past their shares then, they are with
	 * any parts it makes. */
	ret = zt_denial_share(p->zt, p->z, 0, &share);
	if (ret == 0)
		return zt_patch_full(p,
				     "zone %s: the other zones hold more of zt_denial_budget "
				     "than a compile leaves them",
				     origin);
	if (ret > 0)
		ret = zt_denial_n3_apex(p->b, p->z, share);
	if (ret < 0)
		return ret;
	if (ret > 0)
		return zt_patch_full(p,
				     "zone %s would keep NSEC3 NXDOMAIN parts below its apex "
				     "(zt_denial_budget)",
				     origin);
	ret = zt_denial_share(p->zt, p->z, p->zt->zones[p->z].denial_used, &share);
	if (ret < 0)
		return ret;
	return ret == 0 ? zt_patch_full(p,
					"zone %s: its NSEC3 parts leave the other zones less of "
					"zt_denial_budget than they hold",
					origin)
			: 0;
}

size_t zt_patch_n3_size(const zt_t *zt, uint32_t z)
{
	const zt_zone_t *zone = &zt->zones[z];

	if (!zone->has_nsec3)
		return 0;
	return zone->nnsec3 * (sizeof(uint32_t) + sizeof(uint64_t)) +
	       2u * zone->n3count * sizeof(uint32_t) +
	       (zone->n3bkt != NULL ? ((1u << zone->n3bits) + 1u) * sizeof(uint32_t) : 0) +
	       3u * (zone->n3nx_count + zone->n3wn_count) * sizeof(uint32_t) +
	       (zone->n3ax != NULL ? zone->nnsec3 * sizeof(uint32_t) : 0) +
	       (zone->n3cv != NULL ? zone->nnsec3 * sizeof(uint32_t) : 0);
}

void zt_patch_n3_free(struct patch *p)
{
	if (p->n3 == NULL)
		return;
	free(p->n3->added);
	free(p->n3->render);
	free(p->n3);
	p->n3 = NULL;
}
