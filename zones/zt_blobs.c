/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_blobs.c: every answer rendered ahead of time, per node and qtype, as relocatable blobs */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "resolve.h"
#include "sandns_err.h"
#include "zt_build.h"
#include "zt_index.h"

bool zt_blobs_rrsig_live = true;
size_t zt_blobs_split_min = 65536;

/* What the blob maker keeps from node to node: resolutions on the heap (any size), qtypes. */
struct blob_ctx {
	res_t r, r0;	  /* a resolution, and the first type's (ANY may be the same) */
	uint16_t *qtypes; /* the qtypes of a node (node_qtypes()) */
	unsigned qcap;
	uint8_t *buf; /* split_nodata()'s copies */
	size_t cap;
};

/*
 * Renders R for the question name QNAME into a blob; RELOC blobs serve any name below the
 * ANCHOR_LABELS last labels of QNAME. Returns the blob's arena offset, or ZT_LIVE for an answer
 * that only the live path gives right: one that no message holds whole (TC over UDP, SERVFAIL
 * over TCP, as Knot), or that a blob cannot carry (too many pointers to move).
 */
static uint32_t make_blob(struct zt_build *b, res_t *r, const uint8_t *qname, bool reloc,
			  unsigned anchor_labels)
{
	rbuf_t rb;
	uint16_t counts[3];
	size_t qlen = wire_name_len(qname);
	size_t head = WIRE_HDR_LEN + qlen + 4;
	size_t len;
	zt_blob_t *blob;
	uint32_t off;
	uint8_t *data;

	if (r->overflow)
		return ZT_LIVE;
	rbuf_start(&rb, b->scratch, sizeof(b->scratch), qname, 0, C_IN, reloc, anchor_labels);
	rb.limit = 65535; /* the largest message (over TCP) */
	rbuf_put_res(&rb, b->zt, r, counts);
	if (rb.err != 0 || rb.tc)
		return ZT_LIVE;
	len = rb.len - head;
	off = zt_mem_arena_put(&b->mem, NULL, zt_blob_size((uint32_t)len, (uint16_t)rb.nfix), 4);
	if (off == ZT_NONE)
		return ZT_LIVE;
	blob = (zt_blob_t *)(void *)(b->zt->arena + off);
	blob->flags = r->flags;
	blob->an = counts[0];
	blob->ns = counts[1];
	blob->ar = counts[2];
	blob->ref_qlen = (uint16_t)qlen;
	blob->max_ptr = rb.max_ptr;
	blob->nfix = (uint16_t)rb.nfix;
	blob->len = (uint32_t)len;
	data = b->zt->arena + off + sizeof(zt_blob_t);
	memcpy(data, rb.buf + head, len);
	{
		uint16_t *fix = (uint16_t *)(void *)(data + ((len + 1) & ~(size_t)1));

		for (unsigned i = 0; i < rb.nfix; i++)
			fix[i] = (uint16_t)(rb.fix[i] - head);
	}
	return off;
}

static int add_ans(struct zt_build *b, uint16_t qtype, uint32_t blob)
{
	zt_t *zt = b->zt;

	if (zt_mem_grow(&b->mem, ZT_ARR_ANS, (zt->nans + 1u) * sizeof(zt_ans_t)) != 0)
		return -ENOMEM;
	zt->ans[zt->nans].qtype = qtype;
	zt->ans[zt->nans].blob = blob;
	zt->nans++;
	return 0;
}

static bool qtype_listed(const uint16_t *list, unsigned n, uint16_t t)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == t)
			return true;
	return false;
}

/* The qtypes that get a blob of their own at node N. */
static unsigned node_qtypes(const zt_t *zt, uint32_t n, uint16_t *list, unsigned max)
{
	const zt_node_t *node = &zt->nodes[n];
	unsigned k = 0;

	if (node->deleg == n) {
		list[k++] = T_DS; /* a cut answers only DS itself; the rest is a referral */
		return k;
	}
	for (uint32_t i = 0; i < node->nrrsets && k < max; i++) {
		uint16_t t = zt->rrsets[node->rrsets + i].type;

		if (!qtype_listed(list, k, t))
			list[k++] = t;
	}
	if (k < max)
		list[k++] = T_ANY;
	if ((node->flags & ZN_CNAME) && k + 8 < max) {
		/* Types the chain may end on: every type along it, and the common ones. */
		static const uint16_t common[] = {T_A, T_AAAA, T_MX, T_TXT, T_NS, T_SRV, T_SOA};
		const uint8_t *target = zt->arena + zt->rrsets[node->rrsets].data + 2;

		for (unsigned i = 0; i < sizeof(common) / sizeof(common[0]); i++)
			if (!qtype_listed(list, k, common[i]))
				list[k++] = common[i];
		for (unsigned hop = 0; hop < 8 && k < max; hop++) {
			uint8_t key[WIRE_NAME_MAX + 1];
			size_t len = wire_name_lower(key, target);
			uint32_t t = zt_find(zt, key, len);
			const zt_node_t *tn;

			if (t == ZT_NONE)
				break;
			tn = &zt->nodes[t];
			for (uint32_t i = 0; i < tn->nrrsets && k < max; i++) {
				uint16_t ty = zt->rrsets[tn->rrsets + i].type;

				if (!qtype_listed(list, k, ty))
					list[k++] = ty;
			}
			if (!(tn->flags & ZN_CNAME))
				break;
			target = zt->arena + zt->rrsets[tn->rrsets].data + 2;
		}
	}
	return k;
}

/* Node N's referral from CUT, relocatable below N (NAME is N's, copied out of the arena). */
static void make_referral(struct zt_build *b, struct blob_ctx *c, uint32_t n, uint32_t cut,
			  const uint8_t *name, bool dnssec)
{
	zt_t *zt = b->zt;
	uint32_t blob;

	res_reset(&c->r);
	res_referral(zt, cut, dnssec, &c->r);
	blob = make_blob(b, &c->r, name, true, zt->nodes[n].labels);
	if (dnssec)
		zt->nodes[n].referral_do = blob;
	else
		zt->nodes[n].referral = blob;
}

/*
 * Whether two resolutions are the same records in the same places (and so render the same
 * bytes for one question name). Those holding names made up on the way (DNAME) are never
 * taken as the same.
 */
static bool res_same(const res_t *x, const res_t *y)
{
	if (x->n != y->n || x->flags != y->flags || x->qname != y->qname || x->overflow ||
	    y->overflow || x->nnames > 0 || y->nnames > 0)
		return false;
	for (unsigned i = 0; i < x->n; i++) {
		const res_item_t *a = &x->item[i], *c = &y->item[i];

		if (a->section != c->section || a->owner_kind != c->owner_kind ||
		    a->node != c->node || a->name != c->name || a->rrset != c->rrset ||
		    a->ttl_override != c->ttl_override || a->cname_target != c->cname_target ||
		    a->required != c->required)
			return false;
	}
	return true;
}

/* Room in C for the qtypes of node N: its types, ANY, and a CNAME chain's. */
static int qtypes_room(struct blob_ctx *c, const zt_node_t *node)
{
	unsigned need = node->nrrsets + 1u + 64u;
	uint16_t *more;

	if (need <= c->qcap)
		return 0;
	more = realloc(c->qtypes, need * sizeof(*more));
	if (more == NULL)
		return -ENOMEM;
	c->qtypes = more;
	c->qcap = need;
	return 0;
}

/* A blob of the node's just made answers with the same bytes as BLOB, or ZT_NONE. */
static uint32_t same_blob(const zt_t *zt, uint32_t first, uint32_t blob)
{
	const zt_blob_t *y = zt_blob(zt, blob);
	size_t size = zt_blob_size(y->len, y->nfix);

	for (uint32_t k = first; k < zt->nans; k++) {
		const zt_blob_t *x;

		if (zt->ans[k].blob >= ZT_LIVE)
			continue;
		x = zt_blob(zt, zt->ans[k].blob);
		if (zt_blob_size(x->len, x->nfix) == size && memcmp(x, y, size) == 0)
			return zt->ans[k].blob;
	}
	return ZT_NONE;
}

/*
 * Node N's NODATA with DO, blob F (just made, at the arena's end), as its zone's SOA and RRSIG
 * (nx_do) with the node's proof: when F is nx_do moved to N's name with the proof's records
 * after the SOA and their signatures after the SOA's, F becomes the proof's blob alone (its
 * part: the records' octets), N's ans_default_do ZT_NODATA_SPLIT and the blob the zt->ans line
 * after N's DO answers, which must be the last made. Else F stays N's default.
 */
static int split_nodata(struct zt_build *b, struct blob_ctx *c, uint32_t n, uint32_t f)
{
	zt_t *zt = b->zt;
	const zt_zone_t *z = &zt->zones[zt->nodes[n].zone];
	const zt_blob_t *h, *fb = zt_blob(zt, f);
	const uint8_t *fd = zt_blob_data(fb);
	size_t split = z->nx_split, h2, xl, ylen, fsize;
	uint16_t nfix = 0, ns;
	int dh;
	uint32_t off;
	zt_blob_t *t;

	if (z->nx_do >= ZT_LIVE || f + zt_blob_size(fb->len, fb->nfix) != zt->arena_len)
		return 0;
	h = zt_blob(zt, z->nx_do);
	dh = (int)fb->ref_qlen - (int)h->ref_qlen;
	h2 = h->len - split;
	if (fb->an != 0 || fb->ar != 0 || h->an != 0 || h->ar != 0 || fb->ns <= h->ns ||
	    fb->len <= h->len || (fb->flags & 0xf) != 0 || !zt_blob_moves(h, dh) ||
	    (xl = wire_until_rrsig(fd, fb->len, split)) == SIZE_MAX || split + xl + h2 > fb->len ||
	    xl > UINT16_MAX)
		return 0;
	fsize = zt_blob_size(fb->len, fb->nfix);
	if (c->cap < fsize || c->cap < h->len) {
		size_t need = fsize > h->len ? fsize : h->len;
		uint8_t *more = realloc(c->buf, need);

		if (more == NULL)
			return -ENOMEM;
		c->buf = more;
		c->cap = need;
	}
	/* The SOA and its RRSIG, moved to this name, must be F's own octets. */
	memcpy(c->buf, zt_blob_data(h), h->len);
	for (unsigned i = 0; i < h->nfix && dh != 0; i++)
		zt_ptr_move(c->buf + zt_blob_fix(h)[i], dh);
	if (memcmp(c->buf, fd, split) != 0 || memcmp(c->buf + split, fd + split + xl, h2) != 0)
		return 0;
	/* The proof: F's octets but the SOA's and its RRSIG's, the pointers among them kept. */
	ylen = fb->len - split - xl - h2;
	ns = (uint16_t)(fb->ns - h->ns);
	/* F copied out (the proof's blob is written where it was). */
	memcpy(c->buf, fb, fsize);
	fb = (const zt_blob_t *)(const void *)c->buf;
	fd = zt_blob_data(fb);
	for (unsigned i = 0; i < fb->nfix; i++) {
		uint16_t pos = zt_blob_fix(fb)[i];

		nfix += (pos >= split && pos < split + xl) || pos >= split + xl + h2;
	}
	zt->arena_len = f;
	off = zt_mem_arena_put(&b->mem, NULL, zt_blob_size((uint32_t)(xl + ylen), nfix), 4);
	if (off == ZT_NONE)
		return -ENOMEM;
	t = (zt_blob_t *)(void *)(zt->arena + off);
	t->flags = fb->flags;
	t->ns = ns;
	t->ref_qlen = fb->ref_qlen;
	t->max_ptr = fb->max_ptr;
	t->nfix = nfix;
	t->part = (uint16_t)xl;
	t->len = (uint32_t)(xl + ylen);
	memcpy(zt->arena + off + sizeof(*t), fd + split, xl);
	memcpy(zt->arena + off + sizeof(*t) + xl, fd + split + xl + h2, ylen);
	{
		uint16_t *fix = (uint16_t *)(void *)(zt->arena + off + sizeof(*t) +
						     ((t->len + 1) & ~(size_t)1));
		unsigned k = 0;

		for (unsigned i = 0; i < fb->nfix; i++) {
			uint16_t pos = zt_blob_fix(fb)[i];

			if (pos >= split && pos < split + xl)
				fix[k++] = (uint16_t)(pos - split);
			else if (pos >= split + xl + h2)
				fix[k++] = (uint16_t)(pos - split - h2);
		}
	}
	if (add_ans(b, T_OPT, off) != 0)
		return -ENOMEM;
	zt->nodes[n].ans_default_do = ZT_NODATA_SPLIT;
	return 0;
}

static int make_node_answers(struct zt_build *b, struct blob_ctx *c, uint32_t n, bool dnssec)
{
	zt_t *zt = b->zt;
	zt_node_t *node = &zt->nodes[n];
	uint8_t name[WIRE_NAME_MAX + 1]; /* a copy: make_blob() may move the arena */
	bool wildcard;
	unsigned anchor;
	unsigned nq;
	uint32_t first = zt->nans;
	uint32_t blob, blob0 = ZT_LIVE;
	res_t *r = &c->r, *r0 = &c->r0;

	if ((node->flags & ZN_SHADOW) && !(node->flags & ZN_CUT))
		return 0;
	memcpy(name, zt->arena + node->name, node->name_len);
	if (node->deleg != ZT_NONE && node->deleg != n) {
		/*
		 * Below a cut (glue): the referral rendered for this name and the names below it,
		 * so that NS targets and glue owners compress to the question as Knot's do. Names
		 * below a DNAME are answered live.
		 */
		if (!(zt->nodes[node->deleg].flags & ZN_CUT))
			return 0;
		/* The cut's own (made first) is too big for a blob: so is this one. Thousands of
		 * glue names would each render it again only to find that. */
		if ((dnssec ? zt->nodes[node->deleg].referral_do
			    : zt->nodes[node->deleg].referral) == ZT_LIVE) {
			if (dnssec)
				node->referral_do = ZT_LIVE;
			else
				node->referral = ZT_LIVE;
			return 0;
		}
		make_referral(b, c, n, node->deleg, name, dnssec);
		return 0;
	}
	wildcard = name[0] == 1 && name[1] == '*' && !(node->flags & ZN_APEX);
	anchor = wildcard ? node->labels - 1u : node->labels;
	if (qtypes_room(c, node) != 0)
		return -ENOMEM;
	/* Every type of the node is listed (a type left out would answer NODATA). */
	nq = node_qtypes(zt, n, c->qtypes, c->qcap);
	if (nq > UINT16_MAX)
		nq = UINT16_MAX;
	for (unsigned i = 0; i < nq; i++) {
		size_t before = zt->arena_len;
		res_t *ri = i == 0 ? r0 : r;

		/*
		 * A question for the signatures themselves is answered live: no validator asks
		 * one (the signatures come with the answers they sign), and its blob, one RRSIG
		 * record or more per name of a signed zone, with DO and without, was a fifth of
		 * a signed zone's snapshot. The live path renders the octets the blob held.
		 */
		if (c->qtypes[i] == T_RRSIG && zt_blobs_rrsig_live) {
			if (add_ans(b, T_RRSIG, ZT_LIVE) != 0)
				return -ENOMEM;
			continue;
		}
		res_at_node(zt, n, c->qtypes[i], dnssec, ri);
		/*
		 * ANY is answered with one RRset, the lowest type's (resolve.c): when it resolves
		 * to just what the first type did, that type's answer is ANY's, unrendered.
		 */
		if (i > 0 && c->qtypes[i] == T_ANY && blob0 < ZT_LIVE && res_same(r, r0)) {
			if (add_ans(b, c->qtypes[i], blob0) != 0)
				return -ENOMEM;
			continue;
		}
		/*
		 * A wildcard's chain that came back to the wildcard's own name stopped there;
		 * for the names it stands for it goes on (resolve.c, res_has()): both live.
		 */
		if (wildcard && ri->qname_loop)
			blob = ZT_LIVE;
		else
			blob = make_blob(b, ri, name, wildcard, anchor);
		if (i == 0)
			blob0 = blob;
		/*
		 * The same bytes as an answer just made for this node (ANY at a name with one
		 * RRset is that RRset's answer): share it. A million hosts' worth of arena. An
		 * answer too big for a blob is marked to be answered live (ZT_LIVE).
		 */
		if (blob < ZT_LIVE) {
			uint32_t same = same_blob(zt, first, blob);

			if (same != ZT_NONE) {
				zt->arena_len = before;
				blob = same;
			}
		}
		if (add_ans(b, c->qtypes[i], blob) != 0)
			return -ENOMEM;
	}
	node = &zt->nodes[n];
	if (dnssec) {
		node->ans_do = first;
		node->nans_do = (uint16_t)(zt->nans - first);
	} else {
		node->ans = first;
		node->nans = (uint16_t)(zt->nans - first);
		if (node->nans > 0) {
			node->ans0_qtype = zt->ans[first].qtype;
			node->ans0_blob = zt->ans[first].blob;
		}
	}
	/*
	 * The default answer: NODATA. Unsigned, it is the zone's shared relocatable one; signed,
	 * the node's NSEC goes with it. A CNAME's default depends on its target: answered live.
	 */
	if (!dnssec && !(node->flags & ZN_CNAME) && !(node->flags & ZN_APEX)) {
		node->ans_default =
		    ZT_ZONE_NODATA; /* zt->zones[node->zone].nodata, at query time */
	} else if (!dnssec && !(node->flags & ZN_CNAME)) {
		/* The apex has its own: the root's question has no label to compress against. */
		res_at_node(zt, n, T_OPT, false, r);
		node->ans_default = make_blob(b, r, name, false, anchor);
		node = &zt->nodes[n];
	} else if (dnssec && !(node->flags & ZN_CNAME) && !wildcard) {
		/* OPT never has data in a zone: this renders the node's NODATA. */
		res_at_node(zt, n, T_OPT, true, r);
		node->ans_default_do = make_blob(b, r, name, false, anchor);
		if (node->ans_default_do < ZT_LIVE && zt->nnodes >= zt_blobs_split_min)
			return split_nodata(b, c, n, zt->nodes[n].ans_default_do);
	}
	return 0;
}

/* Zone Z's nx_soa_lab: of the SOA's MNAME and RNAME, the label below APEX (LABELS labels). */
static void soa_labels(zt_t *zt, uint32_t z, const uint8_t *apex, unsigned labels)
{
	const uint8_t *rd = zt->arena + zt->rrsets[zt->zones[z].soa].data + 2;

	for (int i = 0; i < 2; i++) {
		unsigned nl = wire_name_labels(rd);
		const uint8_t *l = rd;

		zt->zones[z].nx_soa_lab[i][0] = 0;
		if (nl > labels && wire_name_is_sub(rd, apex)) {
			for (unsigned k = nl - labels - 1; k > 0; k--)
				l += *l + 1;
			zt->zones[z].nx_soa_lab[i][0] = *l;
			for (unsigned j = 1; j <= *l; j++)
				zt->zones[z].nx_soa_lab[i][j] = wire_lower(l[j]);
		}
		rd += wire_name_len(rd);
	}
}

/*
 * Signed zone Z's NXDOMAIN with DO, but for its proof: the SOA and its RRSIG, relocatable below
 * the apex (APEX, LABELS), and where the proof goes between them (denial.c); the name its owners
 * are compared with first is the one the SOA's rendering left (render.c's reference name).
 */
static void make_nx_do(struct zt_build *b, struct blob_ctx *c, uint32_t z, const uint8_t *apex,
		       unsigned labels)
{
	zt_t *zt = b->zt;
	rbuf_t rb;
	uint16_t counts[3];
	size_t head = WIRE_HDR_LEN + wire_name_len(apex) + 4;
	uint32_t blob;

	zt->zones[z].nx_do = ZT_NONE;
	if (!zt->zones[z].is_signed)
		return;
	res_reset(&c->r);
	res_negative(zt, z, RC_NXDOMAIN, true, &c->r);
	blob = make_blob(b, &c->r, apex, true, labels);
	if (blob >= ZT_LIVE)
		return;
	/* The SOA alone (scratch is make_blob()'s: after it): the same octets, before the RRSIG. */
	res_reset(&c->r);
	res_negative(zt, z, RC_NXDOMAIN, false, &c->r);
	rbuf_start(&rb, b->scratch, sizeof(b->scratch), apex, 0, C_IN, true, labels);
	rbuf_put_res(&rb, zt, &c->r, counts);
	if (rb.err != 0 || rb.tc || rb.len - head >= UINT16_MAX ||
	    zt_blob(zt, blob)->len < rb.len - head ||
	    memcmp(zt_blob_data(zt_blob(zt, blob)), b->scratch + head, rb.len - head) != 0)
		return;
	soa_labels(zt, z, apex, labels);
	zt->zones[z].nx_split = (uint16_t)(rb.len - head);
	zt->zones[z].nx_ref = rb.sfx_pos >= head ? (uint16_t)(rb.sfx_pos - head) : UINT16_MAX;
	zt->zones[z].nx_do = blob;
}

/* The referrals of the cuts, before the names below them (make_node_answers()). */
static void make_cut_referrals(struct zt_build *b, struct blob_ctx *c)
{
	zt_t *zt = b->zt;

	for (uint32_t n = 0; n < zt->nnodes; n++) {
		uint8_t name[WIRE_NAME_MAX + 1];

		if (!(zt->nodes[n].flags & ZN_CUT) || zt->nodes[n].deleg != n)
			continue;
		memcpy(name, zt->arena + zt->nodes[n].name, zt->nodes[n].name_len);
		make_referral(b, c, n, n, name, false);
		if (zt->nodes[n].flags & ZN_SIGNED)
			make_referral(b, c, n, n, name, true);
	}
}

/* Zone Z's negative answers (NXDOMAIN, NODATA, and signed, NXDOMAIN's with DO). */
static int make_zone_negatives(struct zt_build *b, struct blob_ctx *c, uint32_t z)
{
	zt_t *zt = b->zt;
	zt_zone_t *zone = &zt->zones[z];
	uint8_t apex[WIRE_NAME_MAX + 1];
	unsigned labels = zt->nodes[zone->apex].labels;

	memcpy(apex, zt->arena + zt->nodes[zone->apex].name, zt->nodes[zone->apex].name_len);
	res_reset(&c->r);
	res_negative(zt, z, RC_NXDOMAIN, false, &c->r);
	zone->nxdomain = make_blob(b, &c->r, apex, true, labels);
	res_reset(&c->r);
	res_negative(zt, z, RC_NOERROR, false, &c->r);
	zone->nodata = make_blob(b, &c->r, apex, true, labels);
	make_nx_do(b, c, z, apex, labels);
	zone = &zt->zones[z];
	if (zone->nxdomain >= ZT_LIVE || zone->nodata >= ZT_LIVE) {
		zt_build_fail(b, "zone %s: cannot render its negative answer", zone->origin);
		return SANDNS_EZONE;
	}
	return 0;
}

int zt_blobs_patch(struct zt_build *b, uint32_t z, const uint32_t *cuts, size_t ncuts,
		   const uint32_t *nodes, size_t count)
{
	struct blob_ctx c = {.qtypes = NULL, .qcap = 0, .buf = NULL, .cap = 0};
	int ret = -ENOMEM;

	if (res_init_heap(&c.r) != 0 || res_init_heap(&c.r0) != 0)
		goto out;
	ret = make_zone_negatives(b, &c, z);
	/* The cuts' referrals before the names below them, as make_cut_referrals(). */
	for (size_t i = 0; i < ncuts && ret == 0; i++) {
		const zt_node_t *cut = &b->zt->nodes[cuts[i]];
		uint8_t name[WIRE_NAME_MAX + 1];

		memcpy(name, b->zt->arena + cut->name, cut->name_len);
		make_referral(b, &c, cuts[i], cuts[i], name, false);
		if (cut->flags & ZN_SIGNED)
			make_referral(b, &c, cuts[i], cuts[i], name, true);
	}
	for (size_t i = 0; i < count && ret == 0; i++) {
		ret = make_node_answers(b, &c, nodes[i], false);
		if (ret == 0 && (b->zt->nodes[nodes[i]].flags & ZN_SIGNED))
			ret = make_node_answers(b, &c, nodes[i], true);
	}
out:
	res_fini(&c.r);
	res_fini(&c.r0);
	free(c.qtypes);
	free(c.buf);
	return ret;
}

int zt_blobs_make(struct zt_build *b)
{
	zt_t *zt = b->zt;
	struct blob_ctx c = {.qtypes = NULL, .qcap = 0, .buf = NULL, .cap = 0};
	int ret = -ENOMEM;

	if (res_init_heap(&c.r) != 0 || res_init_heap(&c.r0) != 0)
		goto out;
	for (uint32_t z = 0; z < zt->nzones; z++) {
		ret = make_zone_negatives(b, &c, z);
		if (ret != 0)
			goto out;
	}
	ret = -ENOMEM;
	make_cut_referrals(b, &c);
	for (uint32_t n = 0; n < zt->nnodes; n++) {
		bool is_signed = zt->nodes[n].flags & ZN_SIGNED;

		if (make_node_answers(b, &c, n, false) != 0)
			goto out;
		if (is_signed && make_node_answers(b, &c, n, true) != 0)
			goto out;
	}
	ret = 0;
out:
	res_fini(&c.r);
	res_fini(&c.r0);
	free(c.qtypes);
	free(c.buf);
	return ret;
}
