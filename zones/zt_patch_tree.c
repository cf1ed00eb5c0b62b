/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_tree.c: a patch's new nodes: the changed names, the tree around them, what they touch */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_patch_pvt.h"

/* ---- the name set ---- */

int zt_patch_nset_init(struct nset *s, size_t want)
{
	uint32_t size = 16;

	while (size < want * 2)
		size *= 2;
	s->t = calloc(size, sizeof(*s->t));
	s->mask = size - 1;
	s->n = 0;
	return s->t != NULL ? 0 : -ENOMEM;
}

static struct nent *nset_slot(const struct nset *s, const uint8_t *k, size_t len)
{
	for (uint32_t i = (uint32_t)zt_hash(k, len) & s->mask;; i = (i + 1) & s->mask) {
		struct nent *e = &s->t[i];

		if (e->k == NULL || (e->len == len && memcmp(e->k, k, len) == 0))
			return e;
	}
}

/* VAL of K, or ZT_NONE. */
uint32_t zt_patch_nset_get(const struct nset *s, const uint8_t *k, size_t len)
{
	const struct nent *e = nset_slot(s, k, len);

	return e->k != NULL ? e->val : ZT_NONE;
}

/* Adds K (if not there yet: 1; there: 0); -ENOMEM. */
int zt_patch_nset_add(struct nset *s, const uint8_t *k, size_t len, uint32_t val)
{
	struct nent *e;

	if ((s->n + 1u) * 2 > s->mask + 1u) {
		struct nset bigger;

		if (zt_patch_nset_init(&bigger, (size_t)(s->mask + 1u)) != 0)
			return -ENOMEM;
		for (uint32_t i = 0; i <= s->mask; i++)
			if (s->t[i].k != NULL)
				*nset_slot(&bigger, s->t[i].k, s->t[i].len) = s->t[i];
		bigger.n = s->n;
		free(s->t);
		*s = bigger;
	}
	e = nset_slot(s, k, len);
	if (e->k != NULL)
		return 0;
	*e = (struct nent){.k = k, .len = (uint32_t)len, .val = val};
	s->n++;
	return 1;
}

int zt_patch_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		uint32_t *m = realloc(*v, ncap * sizeof(**v));

		if (m == NULL)
			return -ENOMEM;
		*v = m;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* ---- nodes ---- */

/* A node appended: a copy of FROM (a node of the snapshot) or, FROM = ZT_NONE, blank. */
static uint32_t node_append(struct patch *p, uint32_t from)
{
	zt_t *zt = p->zt;
	uint32_t n;

	if (zt_mem_grow(&p->b->mem, ZT_ARR_NODES, (zt->nnodes + 1u) * sizeof(zt_node_t)) != 0)
		return ZT_NONE;
	n = zt->nnodes++;
	if (from != ZT_NONE) {
		zt->nodes[n] = zt->nodes[from];
		if (zt->nodes[n].deleg == from)
			zt->nodes[n].deleg = n; /* a cut is its own */
		return n;
	}
	memset(&zt->nodes[n], 0, sizeof(zt->nodes[n]));
	return n;
}

/* Clears the answers and records of node N (to be given new ones). */
static void node_blank(zt_node_t *node)
{
	node->rrsets = ZT_NONE;
	node->nrrsets = 0;
	node->nans = 0;
	node->ans = ZT_NONE;
	node->ans_default = ZT_NONE;
	node->referral = ZT_NONE;
	node->nans_do = 0;
	node->ans0_qtype = 0;
	node->ans_do = ZT_NONE;
	node->ans_default_do = ZT_NONE;
	node->referral_do = ZT_NONE;
	node->ans0_blob = ZT_NONE;
}

/*
 * The node that holds N's name in the new snapshot, made the patch's own (copied) if it is
 * still BASE's: its copy takes its place in the index, and a wildcard's parent points at it.
 */
static uint32_t cow(struct patch *p, uint32_t n)
{
	zt_t *zt = p->zt;
	const uint8_t *name;
	uint32_t c;

	if (n >= p->first_new)
		return n;
	c = node_append(p, n);
	if (c == ZT_NONE || zt_patch_push(&p->dead, &p->ndead, &p->cdead, n) != 0)
		return ZT_NONE;
	zt_index_replace(zt, n, c);
	if ((zt->nodes[c].flags & ZN_APEX) && zt->zones[zt->nodes[c].zone].apex == n)
		zt->zones[zt->nodes[c].zone].apex = c;
	name = zt->arena + zt->nodes[c].name;
	if (name[0] == 1 && name[1] == '*' && !(zt->nodes[c].flags & ZN_APEX)) {
		size_t len = zt->nodes[c].name_len;
		const uint8_t *pk = zt_patch_parent(name, &len);
		uint32_t par = zt_find(zt, pk, len);

		if (par != ZT_NONE) {
			par = cow(p, par);
			if (par == ZT_NONE)
				return ZT_NONE;
			zt->nodes[par].wildcard = c;
		}
	}
	return c;
}

/* A new node for a name the snapshot does not hold (no parent links needed: see checks()). */
static uint32_t node_new(struct patch *p, const uint8_t *key, size_t len)
{
	zt_t *zt = p->zt;
	uint32_t n, name;

	if (zt_index_room(zt) != 0)
		return ZT_NONE;
	name = zt_mem_arena_put(&p->b->mem, key, len, 1);
	if (name == ZT_NONE)
		return ZT_NONE;
	n = node_append(p, ZT_NONE);
	if (n == ZT_NONE)
		return ZT_NONE;
	zt->nodes[n].name = name;
	zt->nodes[n].name_len = (uint16_t)len;
	zt->nodes[n].labels = (uint8_t)wire_name_labels(key);
	zt->nodes[n].zone = p->z;
	zt->nodes[n].wildcard = ZT_NONE;
	zt->nodes[n].deleg = ZT_NONE;
	zt->nodes[n].parent_side = ZT_NONE;
	node_blank(&zt->nodes[n]);
	zt_index_insert(zt, n);
	return n;
}

/* ---- the records of a changed name ---- */

/* As zt_rrsets.c's order: type, covered type, then RDATA in binary order, then place in file. */
static int cmp_prec(const void *a, const void *b)
{
	const struct prec *x = a, *y = b;
	int c;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	c = memcmp(x->rd, y->rd, x->rdlen < y->rdlen ? x->rdlen : y->rdlen);
	if (c != 0)
		return c;
	if (x->rdlen != y->rdlen)
		return x->rdlen < y->rdlen ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* Node N gets the records of PN as RRsets appended (contiguous, by type, as zt_new's). */
static int node_records(struct patch *p, const struct pn *pn, uint32_t n)
{
	zt_t *zt = p->zt;
	size_t cnt = zt_patch_recs(p, pn, NULL);
	struct prec *r = malloc((cnt ? cnt : 1) * sizeof(*r));

	if (r == NULL)
		return -ENOMEM;
	zt_patch_recs(p, pn, r);
	/* An RRSIG RRset per type it covers, as zt_nodes.c reads them. */
	for (size_t k = 0; k < cnt; k++)
		r[k].covered = r[k].type == T_RRSIG && r[k].rdlen >= 2 ? wire_get16(r[k].rd) : 0;
	qsort(r, cnt, sizeof(*r), cmp_prec);
	for (size_t i = 0, j; i < cnt; i = j) {
		uint32_t first = r[i].order, ttl = r[i].ttl, start = ZT_NONE;
		size_t count = 0;
		zt_rrset_t *set;

		for (j = i + 1; j < cnt && r[j].type == r[i].type && r[j].covered == r[i].covered;
		     j++)
			if (r[j].order < first) {
				first = r[j].order;
				ttl = r[j].ttl;
			}
		if (zt_mem_grow(&p->b->mem, ZT_ARR_RRSETS,
				(zt->nrrsets + 1u) * sizeof(zt_rrset_t)) != 0)
			goto nomem;
		for (size_t k = i; k < j; k++) {
			uint32_t off;

			if (k > i && r[k].rdlen == r[k - 1].rdlen &&
			    memcmp(r[k].rd, r[k - 1].rd, r[k].rdlen) == 0)
				continue;
			off = zt_mem_arena_put(&p->b->mem, NULL, (size_t)r[k].rdlen + 2, 1);
			if (off == ZT_NONE)
				goto nomem;
			wire_put16(zt->arena + off, r[k].rdlen);
			memcpy(zt->arena + off + 2, r[k].rd, r[k].rdlen);
			/* The served serial, when the policy's edits set it (zt_nodes.c's rule). */
			if (r[k].type == T_SOA && p->in->edits != NULL) {
				const uint8_t *rd = zt->arena + off + 2;
				size_t at = wire_name_len(rd);

				at += wire_name_len(rd + at);
				if (at + 4 <= r[k].rdlen)
					wire_put32(zt->arena + off + 2 + at,
						   (uint32_t)p->in->edits->serial);
			}
			if (start == ZT_NONE)
				start = off;
			count++;
		}
		set = &zt->rrsets[zt->nrrsets];
		*set = (zt_rrset_t){.type = r[i].type,
				    .covered = r[i].covered,
				    .count = (uint16_t)count,
				    .node = n,
				    .ttl = ttl,
				    .data = start,
				    .data_len = (uint32_t)(zt->arena_len - start)};
		if (zt->nodes[n].nrrsets == 0)
			zt->nodes[n].rrsets = zt->nrrsets;
		zt->nodes[n].nrrsets++;
		if (set->type == T_CNAME)
			zt->nodes[n].flags |= ZN_CNAME;
		if (set->type == T_NS && !(zt->nodes[n].flags & ZN_APEX))
			zt->nodes[n].flags |= ZN_CUT; /* a delegation kept (pn->cut) */
		if (set->type == T_SOA)
			zt->zones[p->z].soa = zt->nrrsets;
		zt->nrrsets++;
	}
	free(r);
	return 0;
nomem:
	free(r);
	return -ENOMEM;
}

/* ---- the new tree ---- */

/* The node of name KEY (LEN) in the new snapshot, made the patch's; ZT_NONE: none, or no room. */
static uint32_t mine(struct patch *p, const uint8_t *key, size_t len)
{
	uint32_t n = zt_find(p->zt, key, len);

	return n == ZT_NONE ? ZT_NONE : cow(p, n);
}

uint32_t zt_patch_mine(struct patch *p, const uint8_t *key, size_t len)
{
	return mine(p, key, len);
}

/* As zt_patch_pvt.h says: BASE's names below KEY follow it in its transfer order. */
bool zt_patch_has_kids(const struct patch *p, const uint8_t *key, size_t len)
{
	const zt_t *base = p->base;
	const zt_zone_t *bz = &base->zones[p->z];
	size_t lo;

	if (zt_patch_nset_get(&p->under, key, len) != ZT_NONE)
		return true;
	/* BASE's names below KEY follow it in canonical order. */
	lo = zt_patch_axfr_after(base, bz, key);
	for (; lo < bz->naxfr; lo++) {
		const zt_node_t *o = &base->nodes[base->rrsets[bz->axfr[lo]].node];
		const uint8_t *on = base->arena + o->name;
		uint32_t c;

		if (!wire_name_is_sub(on, key))
			break;
		if (o->flags & ZN_SHADOW)
			continue; /* another zone's: no empty non-terminal above it */
		c = zt_patch_nset_get(&p->changed, on, o->name_len);
		if (c == ZT_NONE || p->pn[c].has)
			return true;
	}
	return false;
}

/* The ancestors of added name PN: empty non-terminals made up to the first that exists. */
static int link_up(struct patch *p, const struct pn *pn)
{
	const uint8_t *k = pn->key;
	size_t len = pn->len;

	while (len > p->apex_len) {
		uint32_t n;

		k = zt_patch_parent(k, &len);
		if (zt_find(p->zt, k, len) != ZT_NONE)
			return 0;
		n = node_new(p, k, len);
		if (n == ZT_NONE || zt_patch_push(&p->ents, &p->nents, &p->cents, n) != 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Takes out the names above removed name KEY (LEN) that were there only for it: BASE's empty
 * non-terminals that no name given changes, with nothing left below them.
 */
static int unlink_up(struct patch *p, const uint8_t *key, size_t len)
{
	zt_t *zt = p->zt;

	for (;;) {
		uint32_t n;

		key = zt_patch_parent(key, &len);
		if (len <= p->apex_len || zt_patch_nset_get(&p->changed, key, len) != ZT_NONE ||
		    zt_patch_kept(p, key, len))
			return 0;
		n = zt_find(zt, key, len);
		if (n == ZT_NONE || zt->nodes[n].nrrsets > 0 || zt_patch_has_kids(p, key, len))
			return 0;
		zt_index_remove(zt, n);
		if (zt_patch_push(&p->gone, &p->ngone, &p->cgone, n) != 0 ||
		    zt_patch_push(&p->dead, &p->ndead, &p->cdead, n) != 0)
			return -ENOMEM;
	}
}

/* Every changed name's node made again (or taken out), with the tree around it. */
int zt_patch_build_tree(struct patch *p)
{
	zt_t *zt = p->zt;

	for (size_t i = 0; i < p->npn; i++) {
		struct pn *pn = &p->pn[i];
		uint32_t n;

		pn->node = ZT_NONE;
		if (!pn->has && !pn->ent) {
			if (pn->old == ZT_NONE)
				continue;
			n = zt_find(zt, pn->key, pn->len);
			zt_index_remove(zt, n);
			if (zt_patch_push(&p->dead, &p->ndead, &p->cdead, n) != 0 ||
			    unlink_up(p, pn->key, pn->len) != 0)
				return -ENOMEM;
			continue;
		}
		if (pn->old != ZT_NONE) {
			n = mine(p, pn->key, pn->len);
			if (n == ZT_NONE)
				return -ENOMEM;
			zt->nodes[n].flags &= ZN_APEX;
			node_blank(&zt->nodes[n]);
		} else {
			/* A name the snapshot did not hold: maybe made just now as an empty
			 * non-terminal of another. */
			n = zt_find(zt, pn->key, pn->len);
			if (n == ZT_NONE) {
				n = node_new(p, pn->key, pn->len);
				if (n == ZT_NONE)
					return -ENOMEM;
			}
			if (link_up(p, pn) != 0)
				return -ENOMEM;
		}
		pn->node = n;
		if (pn->has && node_records(p, pn, n) != 0)
			return -ENOMEM;
		/* An NSEC3 owner (made, or given another next hash) is no name of the zone, as
		 * zt_new() has it (zt_rrsets.c): out of the index, answered as one that does not
		 * exist. The chain's table names it (zt_patch_n3.c). */
		if (pn->has && zt_rrsets_nsec3_only(zt, &zt->nodes[n])) {
			zt->nodes[n].flags |= ZN_SHADOW;
			zt_index_remove(zt, n);
		}
		if (zt->nodes[n].flags & ZN_APEX)
			zt->zones[p->z].apex = n;
	}
	/* An empty non-terminal made for one name and then given records as another: not one. */
	for (size_t i = 0; i < p->nents;) {
		uint32_t c = zt_patch_nset_get(&p->changed, zt->arena + zt->nodes[p->ents[i]].name,
					       zt->nodes[p->ents[i]].name_len);

		if (c != ZT_NONE && p->pn[c].node == p->ents[i])
			p->ents[i] = p->ents[--p->nents];
		else
			i++;
	}
	return 0;
}

/* ---- the answers that change with them ---- */

/* Names whose referrers are looked for, and those already looked at or to be rendered. */
struct closure {
	struct nset sides; /* served children's apexes whose parent side is rendered again */
	struct nset cuts;  /* cuts whose referrals are rendered again */
	struct nset seen;
	const uint8_t **work;
	uint16_t *wlen;
	uint8_t *wchain;
	size_t nwork, cwork;
	struct nset rend;
};

/*
 * K (LEN octets) to look up the referrers of: all of them (its records or its absence
 * changed), or, CHAIN, only those that reach it through a CNAME (its answer changed, not its
 * records: a CNAME chain ending there holds that answer). Each name once each way.
 */
static int work_push(struct closure *c, const uint8_t *k, size_t len, bool chain)
{
	struct nent *e = nset_slot(&c->seen, k, len);
	uint32_t want = chain ? 1 : 2;

	if (e->k != NULL && e->val >= want)
		return 0;
	if (e->k != NULL)
		e->val = want;
	else if (zt_patch_nset_add(&c->seen, k, len, want) < 0)
		return -ENOMEM;
	if (c->nwork == c->cwork) {
		size_t ncap = c->cwork ? c->cwork * 2 : 64;
		const uint8_t **w = realloc(c->work, ncap * sizeof(*w));
		uint16_t *l = realloc(c->wlen, ncap * sizeof(*l));
		uint8_t *ch = realloc(c->wchain, ncap);

		if (w != NULL)
			c->work = w;
		if (l != NULL)
			c->wlen = l;
		if (ch != NULL)
			c->wchain = ch;
		if (w == NULL || l == NULL || ch == NULL)
			return -ENOMEM;
		c->cwork = ncap;
	}
	c->work[c->nwork] = k;
	c->wchain[c->nwork] = chain;
	c->wlen[c->nwork++] = (uint16_t)len;
	return 0;
}

/* The name at arena offset NAME (LEN octets), a referrer, rendered again if it is served here. */
static int referrer(struct patch *p, struct closure *c, const struct zt_dep *e, bool soa)
{
	const zt_t *zt = p->zt;
	const uint8_t *k = zt->arena + e->name;
	uint32_t n;

	if (zt_patch_nset_get(&p->changed, k, e->len) != ZT_NONE)
		return 0; /* rendered anyway */
	n = zt_find(zt, k, e->len);
	if (n == ZT_NONE)
		return 0;
	if (zt->nodes[n].zone != p->z) {
		uint32_t side = zt->nodes[n].parent_side;

		/* A served child's apex: its parent side here answers DS, NODATA with our SOA
		 * when it has none. */
		if (soa && side != ZT_NONE && zt->nodes[side].zone == p->z &&
		    zt_patch_nset_add(&c->sides, k, e->len, n) < 0)
			return -ENOMEM;
		return 0;
	}
	if (zt->nodes[n].deleg != ZT_NONE && zt->nodes[n].deleg != n)
		return 0; /* below a cut: the cut's referral */
	if ((zt->nodes[n].flags & ZN_CUT) && !soa) {
		/* An NS target of the delegation: its referral, and its names' below it. */
		return zt_patch_nset_add(&c->cuts, k, e->len, n) < 0 ? -ENOMEM : 0;
	}
	if (zt_patch_nset_add(&c->rend, k, e->len, n) < 0)
		return -ENOMEM;
	/* Its answer changes: the chains that end in it too (through a CNAME: all, as before). */
	return work_push(c, k, e->len, !e->cname);
}

/*
 * The cut KEY (LEN octets) copied, its referral listed to be rendered again, and every name
 * below it (BASE's owners there, in its transfer order, and the empty non-terminals above
 * them) copied, pointed at the copy and listed: each has its own copy of the referral.
 */
static int redo_cut(struct patch *p, const uint8_t *key, size_t len)
{
	const zt_t *base = p->base;
	const zt_zone_t *bz = &base->zones[p->z];
	zt_t *zt = p->zt;
	struct nset below;
	size_t lo = 0, hi = bz->naxfr;
	uint32_t cut = mine(p, key, len);
	int ret = -ENOMEM;

	if (cut == ZT_NONE || zt_patch_nset_init(&below, 64) != 0)
		return -ENOMEM;
	if (zt_patch_push(&p->cuts, &p->ncuts, &p->ccuts, cut) != 0 ||
	    zt_patch_push(&p->render, &p->nrender, &p->crender, cut) != 0)
		goto out;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const zt_node_t *o = &base->nodes[base->rrsets[bz->axfr[mid]].node];

		if (wire_name_cmp_canonical(base->arena + o->name, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < bz->naxfr; lo++) {
		const zt_node_t *o = &base->nodes[base->rrsets[bz->axfr[lo]].node];
		const uint8_t *on = base->arena + o->name;
		size_t olen = o->name_len;

		if (!wire_name_is_sub(on, key))
			break;
		for (; olen > len; on = zt_patch_parent(on, &olen))
			if (zt_patch_nset_add(&below, on, olen, 0) < 0)
				goto out;
	}
	for (uint32_t i = 0; i <= below.mask; i++) {
		uint32_t n;

		if (below.t[i].k == NULL)
			continue;
		n = zt_find(zt, below.t[i].k, below.t[i].len);
		if (n == ZT_NONE || zt->nodes[n].zone != p->z)
			continue; /* a parent side, out of the index */
		n = cow(p, n);
		if (n == ZT_NONE || zt_patch_push(&p->render, &p->nrender, &p->crender, n) != 0)
			goto out;
		zt->nodes[n].deleg = cut;
	}
	ret = 0;
out:
	free(below.t);
	return ret;
}

/*
 * The nodes to render again though their records stay: those whose answers hold a changed
 * name's records or its absence (zt_patch_pvt.h), through CNAME chains; with a new SOA, those
 * whose answers hold it. Each made the patch's own (cow()) and listed in p->render.
 */
int zt_patch_redo_cut(struct patch *p, const uint8_t *key, size_t len)
{
	return redo_cut(p, key, len);
}

int zt_patch_collect(struct patch *p, bool soa)
{
	struct closure c = {0};
	const struct zt_deps *d = p->deps;
	int ret = -ENOMEM;

	if (zt_patch_nset_init(&c.sides, 16) != 0 || zt_patch_nset_init(&c.cuts, 16) != 0 ||
	    zt_patch_nset_init(&c.seen, p->npn + p->nents + 16) != 0 ||
	    zt_patch_nset_init(&c.rend, p->npn + p->nents + 16) != 0)
		goto out;
	for (size_t i = 0; i < p->npn; i++)
		if ((p->pn[i].has || p->pn[i].old != ZT_NONE || p->pn[i].ent) &&
		    work_push(&c, p->pn[i].key, p->pn[i].len, false) < 0)
			goto out;
	/* A delegation changed: its referral, and the copies below it (redo_cut()). */
	for (size_t i = 0; i < p->npn; i++)
		if (p->pn[i].cut && zt_patch_nset_add(&c.cuts, p->pn[i].key, p->pn[i].len, 0) < 0)
			goto out;
	for (size_t i = 0; i < p->ngone; i++) {
		const zt_node_t *e = &p->zt->nodes[p->gone[i]];

		if (work_push(&c, p->zt->arena + e->name, e->name_len, false) < 0)
			goto out;
	}
	for (size_t i = 0; i < p->nents; i++) {
		const zt_node_t *e = &p->zt->nodes[p->ents[i]];

		if (work_push(&c, p->zt->arena + e->name, e->name_len, false) < 0)
			goto out;
	}
	while (c.nwork > 0) {
		const uint8_t *k = c.work[--c.nwork];
		size_t len = c.wlen[c.nwork], m0, m1, e0, e1;
		bool chain = c.wchain[c.nwork];

		zt_deps_find(d, k, len, &m0, &m1, &e0, &e1);
		for (size_t i = m0; i < m1; i++)
			if ((!chain || d->main[i].cname) &&
			    (ret = referrer(p, &c, &d->main[i], false)) != 0)
				goto out;
		for (size_t i = e0; i < e1; i++)
			if ((!chain || d->extra[i].cname) &&
			    (ret = referrer(p, &c, &d->extra[i], false)) != 0)
				goto out;
		ret = -ENOMEM;
	}
	for (size_t i = 0; soa && i < d->neg[p->z].n; i++) {
		struct zt_dep e = {.name = d->neg[p->z].name[i], .len = d->neg[p->z].len[i]};

		if ((ret = referrer(p, &c, &e, true)) != 0)
			goto out;
		ret = -ENOMEM;
	}
	for (uint32_t i = 0; i <= c.rend.mask; i++) {
		uint32_t n;

		if (c.rend.t[i].k == NULL)
			continue;
		n = mine(p, c.rend.t[i].k, c.rend.t[i].len);
		if (n == ZT_NONE || zt_patch_push(&p->render, &p->nrender, &p->crender, n) != 0)
			goto out;
	}
	for (uint32_t i = 0; i <= c.cuts.mask; i++)
		if (c.cuts.t[i].k != NULL && redo_cut(p, c.cuts.t[i].k, c.cuts.t[i].len) != 0)
			goto out;
	/* A parent side is out of the index: copied, and its child's apex (copied too) points at
	 * the copy, which the answers to DS read. */
	for (uint32_t i = 0; i <= c.sides.mask; i++) {
		zt_t *zt = p->zt;
		uint32_t ap, side;

		if (c.sides.t[i].k == NULL)
			continue;
		/* A signed child's NSEC owners and NSEC3 matches (its zone's tables, shared, not
		 * this patch's) name its apex's node, and the answers compare the nodes they find
		 * with the zone's apex: its copy would be another node to them. */
		ap = zt_find(zt, c.sides.t[i].k, c.sides.t[i].len);
		if (ap != ZT_NONE && (zt->zones[zt->nodes[ap].zone].is_signed ||
				      zt->zones[zt->nodes[ap].zone].has_nsec3)) {
			ret =
			    zt_patch_full(p, "zone %s: its apex answers DS from here and is signed",
					  zt->zones[zt->nodes[ap].zone].origin);
			goto out;
		}
		ap = mine(p, c.sides.t[i].k, c.sides.t[i].len);
		side = ap != ZT_NONE ? node_append(p, zt->nodes[ap].parent_side) : ZT_NONE;
		if (side == ZT_NONE ||
		    zt_patch_push(&p->render, &p->nrender, &p->crender, side) != 0)
			goto out;
		zt->nodes[ap].parent_side = side;
	}
	ret = 0;
out:
	free(c.sides.t);
	free(c.cuts.t);
	free(c.seen.t);
	free(c.rend.t);
	free(c.work);
	free(c.wlen);
	free(c.wchain);
	return ret;
}
