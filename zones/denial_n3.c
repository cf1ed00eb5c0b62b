/* SPDX-License-Identifier: BSD-3-Clause */
/* denial_n3.c: NSEC3 denial with DO joined from parts made ahead and the next closer's NSEC3 */
#include <string.h>

#include "denial.h"
#include "nsec3.h"
#include "resolve.h" /* ZT_LIVE */
#include "wire.h"

/* RRset of TYPE of node N (RRSIG: the one covering COVERED), from the last, or ZT_NONE. */
static uint32_t set_of(const zt_t *zt, uint32_t n, uint16_t type, uint16_t covered)
{
	const zt_node_t *node = &zt->nodes[n];

	for (uint32_t i = node->rrsets + node->nrrsets; i-- > node->rrsets;)
		if (zt->rrsets[i].type == type &&
		    (type != T_RRSIG || zt->rrsets[i].covered == covered))
			return i;
	return ZT_NONE;
}

/*
 * Node X's NSEC3 RRset (SETS[0]) and the RRSIG RRset covering it (SETS[1], ZT_NONE: none), found
 * in one pass over its RRsets from the last. False when X has no NSEC3.
 */
static bool n3_sets(const zt_t *zt, uint32_t x, uint32_t sets[2])
{
	const zt_node_t *node = &zt->nodes[x];

	sets[0] = sets[1] = ZT_NONE;
	for (uint32_t i = node->rrsets + node->nrrsets; i-- > node->rrsets;) {
		const zt_rrset_t *s = &zt->rrsets[i];

		if (s->type == T_NSEC3 && sets[0] == ZT_NONE)
			sets[0] = i;
		else if (s->type == T_RRSIG && s->covered == T_NSEC3 && sets[1] == ZT_NONE)
			sets[1] = i;
	}
	return sets[0] != ZT_NONE;
}

/*
 * RRset S (n3_sets(): an NSEC3 owner's NSEC3, or its signatures; ZT_NONE: none) of the owner
 * NAME at O (ROOM octets) as denial.c writes a proof's: the NSEC3's first owner its hashed label
 * then a pointer to the question's apex (APTR; 0: the root zone, written whole), every other
 * owner a pointer to the first's (message offset AT). Its octets (0 for none), SIZE_MAX when
 * they do not fit; *COUNT gets its records added.
 */
static size_t put_set_at(uint8_t *o, size_t room, const zt_t *zt, const uint8_t *name, uint32_t s,
			 size_t at, size_t aptr, uint16_t *count)
{
	const zt_rrset_t *set;
	const uint8_t *p;
	size_t len = 0;

	if (s == ZT_NONE)
		return 0;
	set = &zt->rrsets[s];
	p = zt->arena + set->data;
	for (uint16_t k = 0; k < set->count; k++) {
		size_t rd = 2u + wire_get16(p);
		size_t own =
		    set->type == T_NSEC3 && k == 0 ? 1u + name[0] + (aptr != 0 ? 2 : 1) : 2;

		if (len + own + 8 + rd > room)
			return SIZE_MAX;
		if (own == 2) {
			wire_put16(o + len, (uint16_t)(0xc000 | at));
		} else {
			/* An owner's hashed label (nsec3_is_owner()): a copy of known length. */
			if (name[0] == NSEC3_LABEL_LEN)
				memcpy(o + len, name, 1u + NSEC3_LABEL_LEN);
			else
				memcpy(o + len, name, 1u + name[0]);
			if (aptr != 0)
				wire_put16(o + len + 1 + name[0], (uint16_t)(0xc000 | aptr));
			else
				o[len + 1 + name[0]] = 0;
		}
		len += own;
		wire_put16(o + len, set->type);
		wire_put16(o + len + 2, C_IN);
		wire_put32(o + len + 4, set->ttl);
		memcpy(o + len + 8, p, rd);
		len += 8 + rd;
		p += rd;
	}
	*count = (uint16_t)(*count + set->count);
	return len;
}

/*
 * Whether the question's label just above its zone's apex is one the precomputed parts assume
 * a question's is not: a hashed owner's length (the owners would compress to it), or for an
 * NXDOMAIN (SOA) the SOA's names' label below the apex.
 */
static bool label_odd(const zt_t *zt, const zt_zone_t *z, const struct zt_query *q, bool soa)
{
	const uint8_t *k = q->key, *above = NULL;
	size_t rest = q->qname_len, alen = zt->nodes[z->apex].name_len;

	while (rest > alen && *k != 0) {
		above = k;
		rest -= (size_t)*k + 1;
		k += *k + 1;
	}
	if (above == NULL || *above == NSEC3_LABEL_LEN)
		return true;
	for (int i = 0; soa && i < 2; i++)
		if (z->nx_soa_lab[i][0] != 0 && z->nx_soa_lab[i][0] == *above &&
		    memcmp(z->nx_soa_lab[i] + 1, above + 1, *above) == 0)
			return true;
	return false;
}

/* The triple of TAB (COUNT of them, sorted by the first) that begins with KEY, or NULL. */
static const uint32_t *triple_of(const uint32_t *tab, uint32_t count, uint32_t key)
{
	uint32_t lo = 0, hi = count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (tab[3 * mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < count && tab[3 * lo] == key ? tab + 3 * lo : NULL;
}

/* Zone Z's NXDOMAIN parts for the closest provable encloser CPE (its n3nx triple), or NULL. */
static const uint32_t *parts_of(const zt_zone_t *z, uint32_t cpe)
{
	/* The apex (most NXDOMAINs) is mostly the zone's first node: its triple the first. */
	if (z->n3nx[0] == cpe)
		return z->n3nx;
	return triple_of(z->n3nx, z->n3nx_count, cpe);
}

/*
 * Pointer targets and positions in a part made for a question of REF octets, moved to a message
 * whose question is DELTA octets longer and whose next closer NSEC3 (L1 octets) and signatures
 * (L2) went in at S1 and S2 of the tail (RHEAD: where the part's tail began).
 */
struct shift {
	size_t rhead, s1, s2, l1, l2;
	int delta;
};

static inline size_t shifted(const struct shift *sh, size_t at)
{
	return at + (at >= sh->s1 ? sh->l1 : 0) + (at >= sh->s2 ? sh->l2 : 0);
}

/*
 * Cover C (zone->n3cv: an owner's NSEC3 and RRSIGs written ahead) copied: its NSEC3 to N3, its
 * RRSIGs to SIGS, its pointers to the question's apex at APEX and to the NSEC3's owner at
 * OWNER (message offsets).
 */
static inline void cover_put(uint8_t *n3, uint8_t *sigs, const zt_blob_t *c, size_t apex,
			     size_t owner)
{
	const uint8_t *cd = zt_blob_data(c);
	const uint16_t *f = zt_blob_fix(c);

	memcpy(n3, cd, c->part);
	memcpy(sigs, cd + c->part, c->len - c->part);
	for (unsigned k = 0; k < c->nfix; k++) {
		uint8_t *p = f[k] < c->part ? n3 + f[k] : sigs + (f[k] - c->part);

		wire_put16(p, (uint16_t)(0xc000 | (f[k] == 1 + NSEC3_LABEL_LEN ? apex : owner)));
	}
}

/*
 * The owner covering hash MD (ZT_NONE: one matches it) and in *CV its cover written ahead
 * (zone->n3cv; ZT_NONE: none).
 */
static inline uint32_t cover_of(const zt_t *zt, const zt_zone_t *z, const uint8_t *md, uint32_t *cv)
{
	uint32_t i;

	*cv = ZT_NONE;
	if (z->n3cv == NULL)
		return nsec3_cover_md(zt, z, md);
	i = nsec3_cover_pos(zt, z, md);
	if (i == ZT_NONE)
		return ZT_NONE;
	*cv = z->n3cv[i];
	return z->nsec3[i];
}

/*
 * The answer to Q joined in BUF after its question from parts B (made ahead: the next closer's
 * NSEC3 goes at its PART, that NSEC3's signatures at HOLE1) and the NSEC3 covering the next
 * closer name's hash MD (NULL: the owner X, ZT_NONE for none; none either when it is HELD0 or
 * HELD1, which the parts hold: they are the whole answer), within LIMIT. The hash is looked up
 * after the parts' first octets are copied: that copy runs while its rounds do.
 */
static inline __attribute__((always_inline)) bool
join(const zt_t *zt, const zt_zone_t *z, const struct zt_query *q, const zt_blob_t *b,
     uint32_t hole1, const uint8_t *md, uint32_t x, uint32_t held0, uint32_t held1, size_t limit,
     uint8_t *buf, struct denial_tail *t)
{
	const uint8_t *d = zt_blob_data(b);
	const uint16_t *fix = zt_blob_fix(b);
	size_t head = WIRE_HDR_LEN + q->qname_len + 4, end = limit - head;
	uint8_t *o = buf + head;
	uint16_t count = 0;
	struct shift sh;
	uint32_t cv = ZT_NONE;

	sh.s1 = b->part;
	sh.s2 = hole1;
	sh.l1 = sh.l2 = 0;
	sh.delta = (int)q->qname_len - (int)b->ref_qlen;
	sh.rhead = WIRE_HDR_LEN + b->ref_qlen + 4;
	if (head > limit || b->len > end)
		return false;
	memcpy(o, d, sh.s1);
	if (md != NULL)
		x = cover_of(zt, z, md, &cv);
	if (x == held0 || x == held1)
		x = ZT_NONE;
	if (x != ZT_NONE && cv != ZT_NONE) {
		/* Its NSEC3 and RRSIGs written ahead: copied, their pointers set. */
		const zt_blob_t *c = zt_blob(zt, cv);
		size_t apex = zt->nodes[z->apex].labels != 0
				  ? WIRE_HDR_LEN + q->qname_len - zt->nodes[z->apex].name_len
				  : 0;

		if (c->len > end - b->len)
			return false;
		sh.l1 = c->part;
		sh.l2 = c->len - c->part;
		cover_put(o + sh.s1, o + sh.s2 + sh.l1, c, apex, head + sh.s1);
		count = c->ns;
		memcpy(o + sh.s1 + sh.l1, d + sh.s1, sh.s2 - sh.s1);
		memcpy(o + sh.s2 + sh.l1 + sh.l2, d + sh.s2, b->len - sh.s2);
	} else if (x != ZT_NONE) {
		size_t apex = zt->nodes[z->apex].labels != 0
				  ? WIRE_HDR_LEN + q->qname_len - zt->nodes[z->apex].name_len
				  : 0;
		const uint8_t *name = zt_node_name(zt, &zt->nodes[x]);
		uint32_t sets[2];

		if (!n3_sets(zt, x, sets))
			return false;
		sh.l1 = put_set_at(o + sh.s1, end - b->len, zt, name, sets[0], head + sh.s1, apex,
				   &count);
		if (sh.l1 == SIZE_MAX)
			return false;
		memcpy(o + sh.s1 + sh.l1, d + sh.s1, sh.s2 - sh.s1);
		sh.l2 = put_set_at(o + sh.s2 + sh.l1, end - b->len - sh.l1, zt, name, sets[1],
				   head + sh.s1, 0, &count);
		if (sh.l2 == SIZE_MAX)
			return false;
		memcpy(o + sh.s2 + sh.l1 + sh.l2, d + sh.s2, b->len - sh.s2);
	} else {
		memcpy(o + sh.s1, d + sh.s1, b->len - sh.s1);
	}
	/* The parts' pointers: to the question's apex and to owners before them. */
	for (unsigned i = 0; i < b->nfix; i++) {
		uint8_t *p = o + shifted(&sh, fix[i]);
		size_t target = wire_get16(p) & WIRE_PTR_MAX;

		if (target >= sh.rhead)
			target = head + shifted(&sh, target - sh.rhead);
		else
			target = (size_t)((int)target + sh.delta);
		if (target > WIRE_PTR_MAX)
			return false;
		wire_put16(p, (uint16_t)(0xc000 | target));
	}
	t->flags = b->flags;
	t->an = t->ar = 0;
	t->ns = (uint16_t)(b->ns + count);
	t->data = o;
	t->len = b->len + sh.l1 + sh.l2;
	t->id = 1ull << 32 | z->soa;
	return true;
}

/*
 * The NXDOMAIN joined ahead (zone->n3ax) for the next closer's hash MD, copied to BUF after Q's
 * question and its pointers moved; false when there is none for it (a hash an owner matches,
 * none made), or it does not fit LIMIT or cannot move: join() then, which answers the same.
 */
static bool ahead(const zt_t *zt, const zt_zone_t *z, const struct zt_query *q, const uint8_t *md,
		  size_t limit, uint8_t *buf, struct denial_tail *t)
{
	uint32_t i = nsec3_cover_pos(zt, z, md), off;
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;
	uint8_t *o = buf + head;
	const zt_blob_t *b;
	const uint16_t *fix;
	int delta;

	if (i == ZT_NONE || (off = z->n3ax[i]) == ZT_NONE)
		return false;
	b = zt_blob(zt, off);
	delta = (int)q->qname_len - (int)b->ref_qlen;
	if (head > limit || b->len > limit - head || !zt_blob_moves(b, delta))
		return false;
	memcpy(o, zt_blob_data(b), b->len);
	fix = zt_blob_fix(b);
	for (unsigned k = 0; k < b->nfix && delta != 0; k++)
		zt_ptr_move(o + fix[k], delta);
	t->flags = b->flags;
	t->an = t->ar = 0;
	t->ns = b->ns;
	t->data = o;
	t->len = b->len;
	t->id = 1ull << 32 | z->soa;
	return true;
}

/* The NXDOMAIN below CE: the parts of its closest provable encloser, the next closer's joined. */
static bool nxdomain(const zt_t *zt, const zt_zone_t *z, const struct zt_query *q, uint32_t ce,
		     size_t limit, uint8_t *buf, struct denial_tail *t)
{
	uint32_t cpe = denial_n3_encloser(zt, z, ce);
	const uint32_t *e = z->n3nx != NULL ? parts_of(z, cpe) : NULL;
	uint8_t md[NSEC3_HASH_LEN];
	bool nc;

	if (e == NULL || label_odd(zt, z, q, true))
		return false;
	nc = denial_n3_next_closer_hash(zt, z, cpe, q->key, md);
	/* The first triple's encloser (the apex, mostly): the whole answer made ahead. */
	if (nc && e == z->n3nx && z->n3ax != NULL && ahead(zt, z, q, md, limit, buf, t))
		return true;
	/* One the parts hold already (or none): they are the whole answer. */
	return join(zt, z, q, zt_blob(zt, e[1]), e[2], nc ? md : NULL, ZT_NONE, nsec3_match(z, cpe),
		    nsec3_wildcard(z, cpe), limit, buf, t);
}

/*
 * Where RRset S of the NSEC3 owner NAME, written by put_set_at() at O (APTR as it was given),
 * has pointers: their offsets from O (plus AT) added to FIX (*N of them, FCAP at most); *MAX
 * gets their greatest target. Its octets; SIZE_MAX past FCAP.
 */
static size_t set_ptrs(const zt_t *zt, const uint8_t *o, const uint8_t *name, uint32_t s,
		       size_t aptr, size_t at, uint16_t *fix, unsigned fcap, unsigned *n,
		       uint16_t *max)
{
	size_t len = 0;

	for (uint16_t k = 0; s != ZT_NONE && k < zt->rrsets[s].count; k++) {
		size_t own = 2, p = len;

		if (zt->rrsets[s].type == T_NSEC3 && k == 0) {
			own = 1u + name[0] + (aptr != 0 ? 2 : 1);
			p = aptr != 0 ? len + 1 + name[0] : SIZE_MAX;
		}
		if (p != SIZE_MAX) {
			uint16_t target = wire_get16(o + p) & WIRE_PTR_MAX;

			if (*n >= fcap)
				return SIZE_MAX;
			fix[(*n)++] = (uint16_t)(at + p);
			*max = target > *max ? target : *max;
		}
		len += own + 10 + wire_get16(o + len + own + 8);
	}
	return len;
}

bool denial_n3_cover(const zt_t *zt, uint32_t zi, uint32_t pos, uint8_t *buf, size_t cap,
		     uint16_t *fix, unsigned fcap, struct denial_built *out, uint16_t *part)
{
	const zt_zone_t *z = &zt->zones[zi];
	size_t aptr = zt->nodes[z->apex].labels != 0 ? 1 : 0, l1, l2;
	const uint8_t *name;
	uint32_t x, sets[2];
	uint16_t count = 0, max = 0;
	unsigned n = 0;

	if (pos >= z->nnsec3 || !n3_sets(zt, x = z->nsec3[pos], sets))
		return false;
	name = zt_node_name(zt, &zt->nodes[x]);
	/* The pointers' targets are the question's: left 0 (the apex's 1), set when copied. */
	l1 = put_set_at(buf, cap, zt, name, sets[0], 0, aptr, &count);
	if (l1 == SIZE_MAX || l1 > UINT16_MAX)
		return false;
	l2 = put_set_at(buf + l1, cap - l1, zt, name, sets[1], 0, 0, &count);
	if (l2 == SIZE_MAX ||
	    set_ptrs(zt, buf, name, sets[0], aptr, 0, fix, fcap, &n, &max) != l1 ||
	    set_ptrs(zt, buf + l1, name, sets[1], 0, l1, fix, fcap, &n, &max) != l2)
		return false;
	memset(out, 0, sizeof(*out));
	out->ns = count;
	out->data = buf;
	out->len = l1 + l2;
	out->nfix = n;
	*part = (uint16_t)l1;
	return true;
}

bool denial_n3_ahead(const zt_t *zt, uint32_t zi, uint32_t pos, uint8_t *buf, size_t cap,
		     uint16_t *fix, unsigned fcap, struct denial_built *out)
{
	const zt_zone_t *z = &zt->zones[zi];
	const uint32_t *e = z->n3nx;
	const zt_blob_t *b;
	const uint16_t *bfix;
	struct zt_query q;
	struct denial_tail t;
	size_t limit = cap < WIRE_PTR_MAX ? cap : WIRE_PTR_MAX, l1 = 0, l2 = 0, s1, s2;
	uint32_t x, held0, held1, sets[2];
	uint16_t max = 0;
	unsigned n = 0;

	if (e == NULL || pos >= z->nnsec3)
		return false;
	b = zt_blob(zt, e[1]);
	bfix = zt_blob_fix(b);
	held0 = nsec3_match(z, e[0]);
	held1 = nsec3_wildcard(z, e[0]);
	x = z->nsec3[pos];
	/* A question as long as the one the parts were made for: their pointers stay. */
	memset(&q, 0, sizeof(q));
	q.qname_len = b->ref_qlen;
	if (!join(zt, z, &q, b, e[2], NULL, x, held0, held1, limit, buf, &t))
		return false;
	s1 = b->part;
	s2 = e[2];
	if (x != held0 && x != held1) {
		const uint8_t *name = zt_node_name(zt, &zt->nodes[x]);
		size_t aptr = zt->nodes[z->apex].labels != 0 ? 1 : 0;

		if (!n3_sets(zt, x, sets))
			return false;
		l1 = set_ptrs(zt, t.data + s1, name, sets[0], aptr, s1, fix, fcap, &n, &max);
		if (l1 == SIZE_MAX)
			return false;
		l2 = set_ptrs(zt, t.data + s2 + l1, name, sets[1], 0, s2 + l1, fix, fcap, &n, &max);
		if (l2 == SIZE_MAX || b->len + l1 + l2 != t.len)
			return false;
	}
	/* The parts' own pointers, where join() put them. */
	for (unsigned k = 0; k < b->nfix; k++) {
		size_t at = bfix[k] + (bfix[k] >= s1 ? l1 : 0) + (bfix[k] >= s2 ? l2 : 0);
		uint16_t target = wire_get16(t.data + at) & WIRE_PTR_MAX;

		if (n >= fcap)
			return false;
		fix[n++] = (uint16_t)at;
		max = target > max ? target : max;
	}
	out->what = z->soa;
	out->flags = t.flags;
	out->an = out->ar = 0;
	out->ns = t.ns;
	out->ref_qlen = b->ref_qlen;
	out->max_ptr = max;
	out->data = t.data;
	out->len = t.len;
	out->nfix = n;
	return true;
}

/*
 * The NODATA below CE for a type its wildcard lacks (RFC 5155 7.2.5): the parts made for CE's
 * wildcard (the SOA, the wildcard's and the closest provable encloser's NSEC3), the next
 * closer's NSEC3 joined. The wildcard has no RRset of the type asked (the caller saw). Not
 * inlined: the wildcard's answer and the NXDOMAIN keep their code.
 */
static bool __attribute__((noinline))
wild_nodata(const zt_t *zt, const zt_zone_t *z, const struct zt_query *q, uint32_t ce, size_t limit,
	    uint8_t *buf, struct denial_tail *t)
{
	uint32_t wild = zt->nodes[ce].wildcard, cpe;
	uint8_t md[NSEC3_HASH_LEN];
	const uint32_t *e;
	bool nc;

	if (z->n3wn == NULL || q->qtype == T_ANY || q->qtype == T_RRSIG ||
	    (e = triple_of(z->n3wn, z->n3wn_count, ce)) == NULL || label_odd(zt, z, q, true))
		return false;
	cpe = denial_n3_encloser(zt, z, ce);
	nc = denial_n3_next_closer_hash(zt, z, cpe, q->key, md);
	return join(zt, z, q, zt_blob(zt, e[1]), e[2], nc ? md : NULL, ZT_NONE,
		    nsec3_match(z, wild), nsec3_match(z, cpe), limit, buf, t);
}

/* Whether RDATA of TYPE holds names that render.c compresses (as denial.c: no such answer here). */
static bool type_has_names(uint16_t type)
{
	return (type >= T_NS && type <= 9) || type == T_PTR || type == 14 || type == T_MX;
}

/* The wildcard's answer below CE (its blob; SET the wildcard's RRset asked) and the next closer's
 * NSEC3: the name does not exist (RFC 5155 7.2.6). */
static bool wildcard(const zt_t *zt, const zt_zone_t *z, const struct zt_query *q, uint32_t ce,
		     uint32_t set, size_t limit, uint8_t *buf, struct denial_tail *t)
{
	uint32_t wild = zt->nodes[ce].wildcard, blob = ZT_NONE, x, cv = ZT_NONE;
	const zt_node_t *wn = &zt->nodes[wild];
	uint8_t md[NSEC3_HASH_LEN];
	bool nc;
	size_t head = WIRE_HDR_LEN + q->qname_len + 4, len, l;
	uint8_t *o = buf + head;
	const zt_blob_t *b;
	uint16_t count = 0;
	int delta;

	if ((wn->flags & (ZN_CNAME | ZN_DNAME)) || q->qtype == T_ANY || q->qtype == T_RRSIG ||
	    type_has_names(q->qtype))
		return false;
	for (uint32_t i = wn->ans_do; i < wn->ans_do + wn->nans_do; i++)
		if (zt->ans[i].qtype == q->qtype) {
			blob = zt->ans[i].blob;
			break;
		}
	if (blob >= ZT_LIVE || label_odd(zt, z, q, false))
		return false;
	b = zt_blob(zt, blob);
	delta = (int)q->qname_len - (int)b->ref_qlen;
	/* Its answer only: a reference name left where the question is. */
	if (b->ns != 0 || b->ar != 0 || (b->flags & 0xf) != 0 || !zt_blob_moves(b, delta) ||
	    head > limit || b->len > limit - head)
		return false;
	/* The next closer's hash first: its rounds run while the wildcard's answer is copied. */
	nc = denial_n3_next_closer_hash(zt, z, denial_n3_encloser(zt, z, ce), q->key, md);
	memcpy(o, zt_blob_data(b), b->len);
	for (unsigned i = 0; i < b->nfix && delta != 0; i++)
		zt_ptr_move(o + zt_blob_fix(b)[i], delta);
	len = b->len;
	x = nc ? cover_of(zt, z, md, &cv) : ZT_NONE;
	if (x != ZT_NONE && cv != ZT_NONE) {
		/* Its NSEC3 and RRSIGs written ahead: copied, their pointers set. */
		const zt_blob_t *c = zt_blob(zt, cv);
		size_t apex = zt->nodes[z->apex].labels != 0
				  ? WIRE_HDR_LEN + q->qname_len - zt->nodes[z->apex].name_len
				  : 0;

		if (c->len > limit - head - len)
			return false;
		cover_put(o + len, o + len + c->part, c, apex, head + len);
		count = c->ns;
		len += c->len;
	} else if (x != ZT_NONE) {
		size_t apex = zt->nodes[z->apex].labels != 0
				  ? WIRE_HDR_LEN + q->qname_len - zt->nodes[z->apex].name_len
				  : 0;
		const uint8_t *name = zt_node_name(zt, &zt->nodes[x]);
		uint32_t sets[2];

		if (!n3_sets(zt, x, sets))
			return false;
		l = put_set_at(o + len, limit - head - len, zt, name, sets[0], head + len, apex,
			       &count);
		if (l == SIZE_MAX)
			return false;
		len += l;
		l = put_set_at(o + len, limit - head - len, zt, name, sets[1], head + len - l, 0,
			       &count);
		if (l == SIZE_MAX)
			return false;
		len += l;
	}
	t->flags = b->flags;
	t->an = b->an;
	t->ns = count;
	t->ar = 0;
	t->data = o;
	t->len = len;
	t->id = 1ull << 32 | set;
	return true;
}

bool denial_n3_answer(const zt_t *zt, const struct zt_query *q, uint32_t ce, size_t limit,
		      uint8_t *buf, size_t cap, struct denial_tail *t)
{
	const zt_zone_t *z = &zt->zones[zt->nodes[ce].zone];

	if (!z->has_nsec3 || !q->has_question)
		return false;
	if (limit > cap)
		limit = cap;
	/* Every position written stays one a pointer can name. */
	if (limit > WIRE_PTR_MAX)
		limit = WIRE_PTR_MAX;
	if (WIRE_HDR_LEN + q->qname_len + 4 > limit)
		return false;
	if (buf + WIRE_HDR_LEN != q->qname) /* the question itself when answered in place */
		memcpy(buf + WIRE_HDR_LEN, q->qname, q->qname_len + 4);
	if (zt->nodes[ce].wildcard != ZT_NONE) {
		/* The wildcard's RRset of the type asked (its answer), or none (its NODATA). */
		uint32_t set = set_of(zt, zt->nodes[ce].wildcard, q->qtype, 0);

		return set != ZT_NONE ? wildcard(zt, z, q, ce, set, limit, buf, t)
				      : wild_nodata(zt, z, q, ce, limit, buf, t);
	}
	return nxdomain(zt, z, q, ce, limit, buf, t);
}
