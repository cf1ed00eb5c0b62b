/* SPDX-License-Identifier: BSD-3-Clause */
/* denial.c: DNSSEC denial with the DO bit off the live path: proofs composed from parts */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "denial.h"
#include "denial_keys.h"
#include "nsec3.h"
#include "resolve.h" /* ZT_LIVE */
#include "wire.h"
#include "zt_index.h"

static uint32_t node_rrset(const zt_t *zt, uint32_t n, uint16_t type)
{
	const zt_node_t *node = &zt->nodes[n];

	/* From the last: the types sought here (NSEC, NSEC3, RRSIG) sort late. */
	for (uint32_t i = node->rrsets + node->nrrsets; i-- > node->rrsets;)
		if (zt->rrsets[i].type == type)
			return i;
	return ZT_NONE;
}

static uint32_t node_sigs(const zt_t *zt, uint32_t n, uint16_t covered)
{
	const zt_node_t *node = &zt->nodes[n];

	for (uint32_t i = node->rrsets + node->nrrsets; i-- > node->rrsets;)
		if (zt->rrsets[i].type == T_RRSIG && zt->rrsets[i].covered == covered)
			return i;
	return ZT_NONE;
}

/*
 * Whether node N is in its zone's NSEC3 chain (RFC 5155 7.1): the apex, and the names that
 * have an NSEC3. Opt-out leaves out insecure delegations and the empty non-terminals above only
 * them; names below a cut have none (nsec3.c). Knot's answers take the same view.
 */
static bool n3_in_chain(const zt_t *zt, const zt_zone_t *z, uint32_t n)
{
	return (zt->nodes[n].flags & ZN_APEX) || nsec3_match(z, n) != ZT_NONE;
}

uint32_t denial_n3_encloser(const zt_t *zt, const zt_zone_t *z, uint32_t n)
{
	while (!n3_in_chain(zt, z, n)) {
		const zt_node_t *node = &zt->nodes[n];
		const uint8_t *name = zt_node_name(zt, node);
		uint32_t p = zt_find(zt, name + name[0] + 1, node->name_len - name[0] - 1u);

		if (p == ZT_NONE || zt->nodes[p].zone != node->zone)
			return z->apex;
		n = p;
	}
	return n;
}

uint32_t denial_n3_next_closer(const zt_t *zt, const zt_zone_t *z, uint32_t cpe,
			       const uint8_t *name)
{
	unsigned labels = wire_name_labels(name), ce = zt->nodes[cpe].labels;
	uint32_t cover = ZT_NONE;

	if (labels <= ce)
		return ZT_NONE;
	for (unsigned i = labels - ce - 1; i > 0; i--)
		name += *name + 1;
	nsec3_lookup(zt, z, name, &cover);
	return cover;
}

bool denial_n3_next_closer_hash(const zt_t *zt, const zt_zone_t *z, uint32_t cpe,
				const uint8_t *key, uint8_t *md)
{
	unsigned labels = 0, ce = zt->nodes[cpe].labels;
	const uint8_t *p = key;

	for (; *p != 0; p += *p + 1)
		labels++;
	if (labels <= ce)
		return false;
	for (unsigned i = labels - ce - 1; i > 0; i--)
		key += *key + 1;
	nsec3_hash_lower(z, key, (size_t)(p - key) + 1, md);
	return true;
}

uint32_t denial_n3_next_closer_key(const zt_t *zt, const zt_zone_t *z, uint32_t cpe,
				   const uint8_t *key)
{
	uint8_t md[NSEC3_HASH_LEN];

	return denial_n3_next_closer_hash(zt, z, cpe, key, md) ? nsec3_cover_md(zt, z, md)
							       : ZT_NONE;
}

/* The message being written, as render.c's rbuf_t keeps it for what is written here. */
struct dw {
	uint8_t *buf;
	size_t len, limit;
	size_t ref;	    /* the name an owner is compared with first (rbuf_t's sfx_pos) */
	size_t owner_pos;   /* where the last owner written whole went (rbuf_t's owner_pos) */
	const uint8_t *key; /* the question in lower case */
	uint16_t qpos[128]; /* where its labels start in it */
	unsigned qn;
	unsigned apex_labels; /* the zone's apex: the question and every owner end with it */
	bool err;
	uint16_t *fix; /* rendering a blob (denial_render()): where its pointers go, or NULL */
	unsigned nfix, fcap;
	/* Rendering an NSEC3 NXDOMAIN without its next closer's NSEC3 (denial_n3_render()):
	 * where that NSEC3 and its signatures would go. */
	size_t hole[2];
};

/* A proof's place for the next closer name's NSEC3, left empty (denial_n3_render()). */
#define N3_HOLE (ZT_NONE - 1)

/* Rendering a blob: a pointer at POS of the message moves with the question's length. */
static void fix_add(struct dw *w, size_t pos)
{
	if (w->nfix == w->fcap)
		w->err = true;
	else
		w->fix[w->nfix++] = (uint16_t)pos;
}

static void put_bytes(struct dw *w, const uint8_t *p, size_t n)
{
	if (w->err || w->len + n > w->limit) {
		w->err = true;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_ptr(struct dw *w, size_t target)
{
	uint8_t p[2] = {(uint8_t)(0xc0 | target >> 8), (uint8_t)target};

	/* Only a pointer to the question itself stays where it is (none is written here). */
	if (w->fix != NULL && target != WIRE_HDR_LEN)
		fix_add(w, w->len);
	put_bytes(w, p, 2);
}

/*
 * How many labels NAME (a lower-case name of the zone: it ends with the apex, as the question
 * does) of LABELS labels ends with that the question ends with too: render.c's compression
 * against the question. NAME's labels go to LAB.
 */
static unsigned q_tail(const struct dw *w, const uint8_t *name, unsigned labels,
		       const uint8_t **lab)
{
	unsigned k = w->apex_labels, n = 0;

	for (const uint8_t *p = name; *p != 0 && n < labels; p += *p + 1)
		lab[n++] = p;
	while (k < w->qn && k < n) {
		const uint8_t *x = lab[n - 1 - k], *y = w->key + w->qpos[w->qn - 1 - k];

		if (*x != *y || memcmp(x + 1, y + 1, *x) != 0)
			break;
		k++;
	}
	return k;
}

/*
 * An owner NAME (lower case) of the authority section as render.c's rb_owner() writes it: the
 * root whole; a repeated owner (REPEAT) as a pointer to the last; the reference name when it is
 * that one; else compressed against the question, the longest common tail of whole labels.
 */
static void put_owner(struct dw *w, const uint8_t *name, unsigned labels, bool repeat)
{
	const uint8_t *lab[128];
	unsigned k;
	size_t start;

	if (name[0] == 0) {
		w->owner_pos = w->len;
		put_bytes(w, name, 1);
		w->ref = WIRE_HDR_LEN;
		return;
	}
	if (repeat && w->owner_pos <= WIRE_PTR_MAX) {
		put_ptr(w, w->owner_pos);
		return;
	}
	w->owner_pos = w->len;
	if (w->ref <= WIRE_PTR_MAX && wire_name_at_eq(w->buf, w->ref, name)) {
		put_ptr(w, w->ref);
		return;
	}
	w->ref = WIRE_HDR_LEN;
	k = q_tail(w, name, labels, lab);
	start = w->len;
	if (k == 0) {
		put_bytes(w, name, wire_name_len(name));
	} else {
		put_bytes(w, name, (size_t)(lab[labels - k] - name));
		put_ptr(w, WIRE_HDR_LEN + w->qpos[w->qn - k]);
	}
	if (!w->err && w->len - start > 2 && w->len < WIRE_PTR_MAX)
		w->ref = start;
}

/* RRset S of node N, its records' data as they are (NSEC, NSEC3, RRSIG); its record count. */
static uint16_t put_set(struct dw *w, const zt_t *zt, uint32_t s, uint32_t n, bool repeat)
{
	const zt_rrset_t *set = &zt->rrsets[s];
	const uint8_t *p = zt->arena + set->data;
	const uint8_t *name = zt_node_name(zt, &zt->nodes[n]);
	unsigned labels = zt->nodes[n].labels;
	uint8_t head[8];

	wire_put16(head, set->type);
	wire_put16(head + 2, C_IN);
	wire_put32(head + 4, set->ttl);
	for (uint16_t k = 0; k < set->count; k++) {
		size_t rd = 2u + wire_get16(p); /* its length and data, as the arena holds them */

		put_owner(w, name, labels, repeat || k > 0);
		if (w->err || w->len + 8 + rd > w->limit) {
			w->err = true;
			return 0;
		}
		memcpy(w->buf + w->len, head, 8);
		memcpy(w->buf + w->len + 8, p, rd);
		w->len += 8 + rd;
		p += rd;
	}
	return set->count;
}

/* Copies [FROM, TO) of blob B to the message, its pointers moved by DELTA. */
static void put_blob(struct dw *w, const zt_blob_t *b, uint32_t from, uint32_t to, int delta)
{
	const uint16_t *fix = zt_blob_fix(b);
	size_t at = w->len;

	put_bytes(w, zt_blob_data(b) + from, to - from);
	if (w->err || (delta == 0 && w->fix == NULL))
		return;
	for (unsigned i = 0; i < b->nfix; i++)
		if (fix[i] >= from && fix[i] < to) {
			if (delta != 0)
				zt_ptr_move(w->buf + at + (fix[i] - from), delta);
			if (w->fix != NULL)
				fix_add(w, at + (fix[i] - from));
		}
}

/* The proof's RRsets (TYPE, each of its nodes once) in order, then their signatures. */
static uint16_t put_proof(struct dw *w, const zt_t *zt, const uint32_t *cand, unsigned nc,
			  uint16_t type, uint32_t prev, const zt_blob_t *b, uint32_t split,
			  int delta)
{
	uint32_t node[3], pos[3];
	unsigned n = 0, hole = 3;
	uint16_t count = 0;

	for (unsigned i = 0; i < nc; i++) {
		uint32_t s;
		bool seen = false;

		if (cand[i] == N3_HOLE) {
			w->hole[0] = w->len;
			hole = n;
			continue;
		}
		if (cand[i] == ZT_NONE)
			continue;
		for (unsigned j = 0; j < n; j++)
			seen = seen || node[j] == cand[i];
		s = node_rrset(zt, cand[i], type);
		if (seen || s == ZT_NONE)
			continue;
		/* An owner is repeated when the record before had it (render.c's same_owner()). */
		count = (uint16_t)(count + put_set(w, zt, s, cand[i], cand[i] == prev));
		prev = cand[i];
		pos[n] = (uint32_t)w->owner_pos;
		node[n++] = cand[i];
	}
	if (b != NULL)
		put_blob(w, b, split, b->len, delta);
	for (unsigned i = 0; i < n; i++) {
		uint32_t sig;

		if (i == hole)
			w->hole[1] = w->len;
		sig = node_sigs(zt, node[i], type);
		if (sig == ZT_NONE)
			continue;
		w->owner_pos = pos[i];
		count = (uint16_t)(count + put_set(w, zt, sig, node[i], true));
	}
	if (hole == n)
		w->hole[1] = w->len;
	return count;
}

/*
 * Whether the SOA's MNAME or RNAME ends with more of the question than the apex: the live path
 * compresses it further than the relocatable SOA (anchored at the apex) does.
 */
static bool soa_below(const struct dw *w, const zt_zone_t *z)
{
	const uint8_t *y;

	if (w->qn <= w->apex_labels)
		return false;
	y = w->key + w->qpos[w->qn - 1 - w->apex_labels];
	for (int i = 0; i < 2; i++)
		if (z->nx_soa_lab[i][0] != 0 && z->nx_soa_lab[i][0] == *y &&
		    memcmp(z->nx_soa_lab[i] + 1, y + 1, *y) == 0)
			return true;
	return false;
}

/*
 * NXDOMAIN below CE (resolve.c's walk_name()): the SOA, the proof, their signatures. COVER: the
 * NSEC covering the question (a node), or ZT_NONE to search for it.
 */
static bool nxdomain(struct dw *w, const zt_t *zt, const struct zt_query *q, uint32_t ce,
		     uint32_t cover, struct denial_tail *t)
{
	const zt_node_t *node = &zt->nodes[ce];
	const zt_zone_t *z = &zt->zones[node->zone];
	const zt_blob_t *b;
	uint32_t cand[3] = {ZT_NONE, ZT_NONE, ZT_NONE};
	uint16_t type = T_NSEC;
	int delta;

	if (z->nx_do >= ZT_LIVE || soa_below(w, z))
		return false;
	b = zt_blob(zt, z->nx_do);
	delta = (int)q->qname_len - (int)b->ref_qlen;
	if (!zt_blob_moves(b, delta))
		return false;
	if (z->has_nsec3) {
		uint32_t cpe = denial_n3_encloser(zt, z, ce);

		/* RFC 5155 7.2.2: closest encloser proof, no wildcard at the encloser. */
		cand[0] = nsec3_match(z, cpe);
		cand[1] =
		    cover == N3_HOLE ? N3_HOLE : denial_n3_next_closer_key(zt, z, cpe, q->key);
		cand[2] = nsec3_wildcard(z, cpe);
		type = T_NSEC3;
	} else if (z->nsec_keys != NULL) {
		uint8_t key[KEY_MAX + 2];
		uint16_t bnd[129];
		size_t klen = denial_canon_key(
		    key, q->key, q->qname_len - zt->nodes[z->apex].name_len, bnd, NULL);

		cand[0] = cover != ZT_NONE ? cover : denial_cover_key(z, key, klen);
		if (node->name_len + 2u <= WIRE_NAME_MAX) {
			/* The wildcard's key: the encloser's (the question's first labels), then
			 * '*'. */
			klen = bnd[node->labels - w->apex_labels];
			key[klen++] = '*';
			key[klen++] = 0;
			cand[1] = denial_cover_key(z, key, klen);
		}
	}
	put_blob(w, b, 0, z->nx_split, delta);
	w->ref = z->nx_ref == UINT16_MAX ? WIRE_HDR_LEN : w->len - z->nx_split + z->nx_ref;
	w->owner_pos = w->len - z->nx_split;
	t->ns = (uint16_t)(b->ns + put_proof(w, zt, cand, 3, type, z->apex, b, z->nx_split, delta));
	t->an = t->ar = 0;
	t->flags = b->flags;
	t->id = 1ull << 32 | z->soa;
	return true;
}

/* Whether RDATA of TYPE holds names that render.c compresses (they move its reference name). */
static bool type_has_names(uint16_t type)
{
	return (type >= T_NS && type <= 9) || type == T_PTR || type == 14 || type == T_MX;
}

/*
 * A wildcard's answer below CE (its blob) and the proof that the name does not exist. COVER: the
 * NSEC covering the question (a node), or ZT_NONE to search for it.
 */
static bool wildcard(struct dw *w, const zt_t *zt, const struct zt_query *q, uint32_t ce,
		     uint32_t cover, struct denial_tail *t)
{
	const zt_node_t *node = &zt->nodes[ce];
	const zt_zone_t *z = &zt->zones[node->zone];
	uint32_t wild = node->wildcard, set, blob = ZT_NONE, cand = ZT_NONE;
	uint8_t key[KEY_MAX];
	const zt_node_t *wn = &zt->nodes[wild];
	const zt_blob_t *b;
	int delta;

	if ((wn->flags & (ZN_CNAME | ZN_DNAME)) || q->qtype == T_ANY || q->qtype == T_RRSIG ||
	    type_has_names(q->qtype) || (set = node_rrset(zt, wild, q->qtype)) == ZT_NONE)
		return false;
	for (uint32_t i = wn->ans_do; i < wn->ans_do + wn->nans_do; i++)
		if (zt->ans[i].qtype == q->qtype) {
			blob = zt->ans[i].blob;
			break;
		}
	if (blob >= ZT_LIVE)
		return false;
	b = zt_blob(zt, blob);
	delta = (int)q->qname_len - (int)b->ref_qlen;
	/* Its answer only: a reference name left where the question is. */
	if (b->ns != 0 || b->ar != 0 || (b->flags & 0xf) != 0 || !zt_blob_moves(b, delta))
		return false;
	put_blob(w, b, 0, b->len, delta);
	t->an = b->an;
	t->ar = 0;
	t->flags = b->flags;
	t->id = 1ull << 32 | set;
	if (z->has_nsec3)
		cand = denial_n3_next_closer_key(zt, z, denial_n3_encloser(zt, z, ce), q->key);
	else if (cover != ZT_NONE)
		cand = cover;
	else if (z->nsec_keys != NULL)
		cand = denial_cover_key(z, key,
					denial_canon_key(key, q->key,
							 q->qname_len - zt->nodes[z->apex].name_len,
							 NULL, NULL));
	w->ref = WIRE_HDR_LEN;
	t->ns = put_proof(w, zt, &cand, 1, z->has_nsec3 ? T_NSEC3 : T_NSEC, ZT_NONE, NULL, 0, 0);
	return true;
}

/*
 * A wildcard's NODATA below CE in an NSEC zone (RFC 4035 3.1.3.4: resolve.c's walk_node() at the
 * wildcard, then walk_name()): the SOA, the wildcard's NSEC (without the type asked) and the NSEC
 * covering the question, their signatures. COVER as nxdomain()'s. False when the wildcard has
 * the type, or is a CNAME or DNAME, or Q asks ANY or RRSIG.
 */
static bool wild_nodata(struct dw *w, const zt_t *zt, const struct zt_query *q, uint32_t ce,
			uint32_t cover, struct denial_tail *t)
{
	const zt_node_t *node = &zt->nodes[ce];
	const zt_zone_t *z = &zt->zones[node->zone];
	uint32_t wild = node->wildcard, cand[2];
	unsigned nc;
	uint8_t key[KEY_MAX];
	const zt_blob_t *b;
	int delta;

	if (z->has_nsec3 || (cover == ZT_NONE && z->nsec_keys == NULL) || z->nx_do >= ZT_LIVE ||
	    (zt->nodes[wild].flags & (ZN_CNAME | ZN_DNAME)) || q->qtype == T_ANY ||
	    q->qtype == T_RRSIG || node_rrset(zt, wild, q->qtype) != ZT_NONE ||
	    node_rrset(zt, wild, T_NSEC) == ZT_NONE || soa_below(w, z))
		return false;
	b = zt_blob(zt, z->nx_do);
	delta = (int)q->qname_len - (int)b->ref_qlen;
	if (!zt_blob_moves(b, delta))
		return false;
	cand[0] = wild;
	cand[1] =
	    cover != ZT_NONE
		? cover
		: denial_cover_key(z, key,
				   denial_canon_key(key, q->key,
						    q->qname_len - zt->nodes[z->apex].name_len,
						    NULL, NULL));
	/* The cover may be the wildcard's own NSEC (in a patched snapshot perhaps as another
	 * node of the same name, sharing the RRset): once, as the live path adds an RRset. */
	nc = cand[1] != ZT_NONE && node_rrset(zt, cand[1], T_NSEC) == node_rrset(zt, wild, T_NSEC)
		 ? 1
		 : 2;
	put_blob(w, b, 0, z->nx_split, delta);
	w->ref = z->nx_ref == UINT16_MAX ? WIRE_HDR_LEN : w->len - z->nx_split + z->nx_ref;
	w->owner_pos = w->len - z->nx_split;
	t->ns =
	    (uint16_t)(b->ns + put_proof(w, zt, cand, nc, T_NSEC, z->apex, b, z->nx_split, delta));
	t->an = t->ar = 0;
	t->flags = (uint16_t)(b->flags & ~0xf);
	t->id = 1ull << 32 | z->soa;
	return true;
}

/* The message's writer for Q below CE in BUF (CAP octets), the question copied; false when the
 * question does not fit LIMIT. */
static bool dw_start(struct dw *w, const zt_t *zt, const struct zt_query *q, uint32_t ce,
		     size_t limit, uint8_t *buf, size_t cap)
{
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;

	if (limit > cap)
		limit = cap;
	/* Every position written stays one a pointer can name. */
	if (limit > WIRE_PTR_MAX)
		limit = WIRE_PTR_MAX;
	if (head > limit || !q->has_question)
		return false;
	if (buf + WIRE_HDR_LEN != q->qname) /* the question itself when answered in place */
		memcpy(buf + WIRE_HDR_LEN, q->qname, q->qname_len + 4);
	w->buf = buf;
	w->len = head;
	w->limit = limit;
	w->err = false;
	w->ref = WIRE_HDR_LEN;
	w->owner_pos = 0;
	w->qn = 0;
	w->key = q->key;
	w->apex_labels = zt->nodes[zt->zones[zt->nodes[ce].zone].apex].labels;
	w->fix = NULL;
	w->nfix = w->fcap = 0;
	for (size_t o = 0; q->key[o] != 0 && w->qn < 128; o += q->key[o] + 1u)
		w->qpos[w->qn++] = (uint16_t)o;
	return true;
}

bool denial_answer(const zt_t *zt, const struct zt_query *q, uint32_t ce, size_t limit,
		   uint8_t *buf, size_t cap, struct denial_tail *t)
{
	struct dw w;
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;
	bool ok;

	if (!dw_start(&w, zt, q, ce, limit, buf, cap))
		return false;
	if (zt->nodes[ce].wildcard != ZT_NONE)
		ok = wildcard(&w, zt, q, ce, ZT_NONE, t) || wild_nodata(&w, zt, q, ce, ZT_NONE, t);
	else
		ok = nxdomain(&w, zt, q, ce, ZT_NONE, t);
	if (!ok || w.err)
		return false;
	t->data = buf + head;
	t->len = w.len - head;
	return true;
}

bool denial_nodata(const zt_t *zt, const struct zt_query *q, uint32_t n, size_t limit, uint8_t *buf,
		   size_t cap, struct denial_tail *t)
{
	const zt_node_t *node = &zt->nodes[n];
	const zt_zone_t *z = &zt->zones[node->zone];
	uint32_t off = zt->ans[node->ans_do + node->nans_do].blob;
	const zt_blob_t *h = zt_blob(zt, z->nx_do), *p = zt_blob(zt, off);
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;
	uint32_t split = z->nx_split;
	int delta = (int)q->qname_len - (int)h->ref_qlen;
	uint8_t *o = buf + head;

	if (limit > cap)
		limit = cap;
	/* The proof was made for this name (zt_blobs.c). */
	if (head + h->len + p->len > limit || p->ref_qlen != q->qname_len ||
	    !zt_blob_moves(h, delta))
		return false;
	/* SOA, the proof's records, the SOA's RRSIG, the proof's: only the SOA's part moves. */
	memcpy(o, zt_blob_data(h), split);
	memcpy(o + split, zt_blob_data(p), p->part);
	memcpy(o + split + p->part, zt_blob_data(h) + split, h->len - split);
	memcpy(o + h->len + p->part, zt_blob_data(p) + p->part, p->len - p->part);
	for (unsigned i = 0; i < h->nfix && delta != 0; i++) {
		uint16_t at = zt_blob_fix(h)[i];

		zt_ptr_move(o + at + (at >= split ? p->part : 0), delta);
	}
	t->flags = p->flags;
	t->an = 0;
	t->ns = (uint16_t)(h->ns + p->ns);
	t->ar = 0;
	t->data = buf + head;
	t->len = h->len + p->len;
	t->id = (uint64_t)off + 1;
	return true;
}

/*
 * A question one label below CE that no name of the zone has, a label the SOA's names do not
 * compress to, into Q (NAME its wire form, QTYPE 0: T_A): its owners compress to it only as far
 * as CE, as every question's whose closest encloser is CE. False when there is none.
 */
static bool render_question(const zt_t *zt, const zt_zone_t *zone, uint32_t ce, uint16_t qtype,
			    struct zt_query *q, uint8_t name[WIRE_NAME_MAX + 4])
{
	const zt_node_t *node = &zt->nodes[ce];
	unsigned c;

	if (node->name_len + 2u > WIRE_NAME_MAX)
		return false;
	memset(q, 0, sizeof(*q));
	for (c = 0; c < 256; c++) {
		if (c >= 'A' && c <= 'Z')
			continue;
		name[0] = 1;
		name[1] = (uint8_t)c;
		memcpy(name + 2, zt_node_name(zt, node), node->name_len);
		memcpy(q->key, name, node->name_len + 2u);
		if (zt_find(zt, q->key, node->name_len + 2u) == ZT_NONE &&
		    (ce != zone->apex || !denial_soa_label(zone, q->key)))
			break;
	}
	if (c == 256)
		return false;
	q->qname_len = node->name_len + 2u;
	wire_put16(name + q->qname_len, qtype != 0 ? qtype : T_A); /* NXDOMAIN: any type */
	wire_put16(name + q->qname_len + 2, C_IN);
	q->qname = name;
	q->qtype = qtype != 0 ? qtype : T_A;
	q->qclass = C_IN;
	q->has_question = true;
	q->dnssec = true;
	return true;
}

/* The tail W wrote for Q (T its counts) as OUT, its fix-ups made relative to the tail. */
static void render_out(const struct dw *w, const struct zt_query *q, const struct denial_tail *t,
		       uint16_t *fix, struct denial_built *out)
{
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;

	out->flags = t->flags;
	out->an = t->an;
	out->ns = t->ns;
	out->ar = t->ar;
	out->ref_qlen = (uint16_t)q->qname_len;
	out->what = (uint32_t)t->id;
	out->data = w->buf + head;
	out->len = w->len - head;
	out->nfix = w->nfix;
	out->max_ptr = 0;
	for (unsigned k = 0; k < w->nfix; k++) {
		uint16_t target = wire_get16(w->buf + fix[k]) & WIRE_PTR_MAX;

		if (target > out->max_ptr)
			out->max_ptr = target;
		fix[k] = (uint16_t)(fix[k] - head);
	}
}

bool denial_render(const zt_t *zt, uint32_t z, uint32_t i, uint32_t ce, uint32_t qtype,
		   uint8_t *buf, size_t cap, uint16_t *fix, unsigned fcap, struct denial_built *out)
{
	const zt_zone_t *zone = &zt->zones[z];
	const zt_node_t *node = &zt->nodes[ce];
	struct zt_query q;
	uint8_t name[WIRE_NAME_MAX + 4];
	struct denial_tail t;
	struct dw w;
	uint16_t asked = (uint16_t)qtype;
	bool ok;

	/* A wildcard's NODATA: asked for the first type it lacks (the same for every such type). */
	if (qtype == DENIAL_WILD_NODATA) {
		if (node->wildcard == ZT_NONE)
			return false;
		for (asked = 1; node_rrset(zt, node->wildcard, asked) != ZT_NONE; asked++)
			;
	}
	if (!render_question(zt, zone, ce, asked, &q, name) ||
	    !dw_start(&w, zt, &q, ce, cap, buf, cap))
		return false;
	w.fix = fix;
	w.fcap = fcap;
	if (qtype == DENIAL_WILD_NODATA)
		ok = wild_nodata(&w, zt, &q, ce, zone->nsec[i], &t);
	else if (node->wildcard != ZT_NONE)
		ok = wildcard(&w, zt, &q, ce, zone->nsec[i], &t);
	else
		ok = nxdomain(&w, zt, &q, ce, zone->nsec[i], &t);
	if (!ok || w.err)
		return false;
	render_out(&w, &q, &t, fix, out);
	return true;
}

void denial_nsec_octets(const zt_t *zt, uint32_t n, size_t *lo, size_t *hi, unsigned *owners)
{
	uint32_t set[2] = {node_rrset(zt, n, T_NSEC), node_sigs(zt, n, T_NSEC)};
	size_t name_len = zt->nodes[n].name_len;

	*lo = *hi = 0;
	*owners = 0;
	/* put_proof() writes the signatures of the nodes whose NSEC it wrote only. */
	for (int k = 0; k < 2 && set[0] != ZT_NONE; k++) {
		const zt_rrset_t *s;

		if (set[k] == ZT_NONE)
			continue;
		s = &zt->rrsets[set[k]];
		/* put_set(): an owner, type, class and TTL, then the length and data as held. */
		*lo += s->data_len + (1u + 8u) * s->count;
		*hi += s->data_len + (name_len + 8u) * s->count;
		*owners += s->count;
	}
}

bool denial_n3_render(const zt_t *zt, uint32_t z, uint32_t cpe, uint8_t *buf, size_t cap,
		      uint16_t *fix, unsigned fcap, struct denial_built *out, uint16_t hole[2])
{
	const zt_zone_t *zone = &zt->zones[z];
	struct zt_query q;
	uint8_t name[WIRE_NAME_MAX + 4];
	struct denial_tail t;
	struct dw w;
	size_t head;

	/* Its own closest provable encloser, with an NSEC3 of its own: the next closer's is
	 * compared with that one's, never with the SOA's names. */
	if (!zone->has_nsec3 || zone->nx_do >= ZT_LIVE ||
	    denial_n3_encloser(zt, zone, cpe) != cpe || nsec3_match(zone, cpe) == ZT_NONE ||
	    !render_question(zt, zone, cpe, 0, &q, name) ||
	    !dw_start(&w, zt, &q, cpe, cap, buf, cap))
		return false;
	/* Below the apex, the label above it is the question's and the encloser's: a hashed
	 * owner's label there compresses the owners further (denial_n3.c answers otherwise). */
	if (w.qn > w.apex_labels && q.key[w.qpos[w.qn - 1 - w.apex_labels]] == NSEC3_LABEL_LEN)
		return false;
	w.fix = fix;
	w.fcap = fcap;
	w.hole[0] = w.hole[1] = 0;
	if (!nxdomain(&w, zt, &q, cpe, N3_HOLE, &t) || w.err || w.hole[0] == 0 || w.hole[1] == 0)
		return false;
	head = WIRE_HDR_LEN + q.qname_len + 4;
	render_out(&w, &q, &t, fix, out);
	hole[0] = (uint16_t)(w.hole[0] - head);
	hole[1] = (uint16_t)(w.hole[1] - head);
	return true;
}
