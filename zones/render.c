/* SPDX-License-Identifier: BSD-3-Clause */
/* render.c: a resolver's answer to DNS wire format, compressed as Knot compresses names */
#include <string.h>

#include "render.h"

static int dict_find(const rbuf_t *rb, const uint8_t *s)
{
	for (unsigned i = 0; i < rb->ndict; i++)
		if (wire_name_at_eq(rb->buf, rb->dict[i], s))
			return rb->dict[i];
	return -1;
}

static void dict_add(rbuf_t *rb, size_t off)
{
	if (off <= WIRE_PTR_MAX && rb->ndict < sizeof(rb->dict) / sizeof(rb->dict[0]))
		rb->dict[rb->ndict++] = (uint16_t)off;
}

static void rb_need(rbuf_t *rb, size_t n)
{
	if (rb->len + n > rb->cap)
		rb->err = -1;
}

static void rb_ptr(rbuf_t *rb, uint16_t target)
{
	rb_need(rb, 2);
	if (rb->err)
		return;
	/* In a relocatable blob every pointer moves with the question's length (rb_owner()
	 * writes the one that does not, to the question itself, on its own). */
	if (rb->reloc) {
		if (rb->nfix < sizeof(rb->fix) / sizeof(rb->fix[0]))
			rb->fix[rb->nfix++] = (uint16_t)rb->len;
		else
			rb->err = -1;
		if (target > rb->max_ptr)
			rb->max_ptr = target;
	}
	wire_put16(rb->buf + rb->len, (uint16_t)(0xc000 | target));
	rb->len += 2;
}

static void rb_name(rbuf_t *rb, const uint8_t *name, bool compress)
{
	const uint8_t *s = name;

	while (*s != 0) {
		int at = compress ? dict_find(rb, s) : -1;

		if (at >= 0) {
			rb_ptr(rb, (uint16_t)at);
			return;
		}
		rb_need(rb, (size_t)*s + 1);
		if (rb->err)
			return;
		/* Even names written whole are pointed at later (Knot's glue owners are). */
		dict_add(rb, rb->len);
		memcpy(rb->buf + rb->len, s, (size_t)*s + 1);
		rb->len += (size_t)*s + 1;
		s += *s + 1;
	}
	rb_need(rb, 1);
	if (rb->err)
		return;
	rb->buf[rb->len++] = 0;
}

void rbuf_start(rbuf_t *rb, uint8_t *buf, size_t cap, const uint8_t *qname, uint16_t qtype,
		uint16_t qclass, bool reloc, unsigned anchor_labels)
{
	size_t qlen = wire_name_len(qname);
	unsigned labels = wire_name_labels(qname);
	const uint8_t *s = qname;

	rb->buf = buf;
	rb->cap = cap;
	rb->len = 0;
	rb->limit = cap;
	rb->ndict = 0;
	rb->nfix = 0;
	rb->max_ptr = 0;
	rb->tc = false;
	rb->cut = false;
	rb->sfx_pos = WIRE_HDR_LEN;
	/* A relocatable blob at the root still serves names with labels. */
	rb->q_labels = reloc && labels == 0 ? 1 : labels;
	rb->sfx_labels = rb->q_labels;
	rb->anchor_labels = anchor_labels;
	rb->reloc = reloc;
	rb->err = 0;
	if (cap < WIRE_HDR_LEN + qlen + 4) {
		rb->err = -1;
		return;
	}
	memset(buf, 0, WIRE_HDR_LEN);
	memcpy(buf + WIRE_HDR_LEN, qname, qlen);
	wire_put16(buf + WIRE_HDR_LEN + qlen, qtype);
	wire_put16(buf + WIRE_HDR_LEN + qlen + 2, qclass);
	rb->len = WIRE_HDR_LEN + qlen + 4;
	for (unsigned i = 0; *s != 0; i++, s += *s + 1)
		if (!reloc || labels - i <= anchor_labels)
			dict_add(rb, WIRE_HDR_LEN + (size_t)(s - qname));
}

/*
 * Compression as Knot DNS does it, so that our messages have Knot's sizes and truncation and the
 * additional section agree with it. A name is compressed only against one reference name: the
 * question at first, then the last name written that was more than a pointer (Knot's
 * "similar names are grouped together"); the longest common tail of whole labels becomes a
 * pointer. In a relocatable blob only the question's ANCHOR labels are known, so no more of
 * them may match.
 */
static void rb_name_knot(rbuf_t *rb, const uint8_t *name)
{
	size_t spos[128];
	const uint8_t *npos[128];
	unsigned sn = 0, nl = 0, usable, k = 0;
	size_t off = rb->sfx_pos, start = rb->len;

	for (const uint8_t *p = name; *p != 0 && nl < 128; p += *p + 1)
		npos[nl++] = p;
	if (nl == 0) {
		rb_name(rb, name, false);
		return;
	}
	for (unsigned guard = 0; guard < 256 && sn < 128 && rb->sfx_labels > 0; guard++) {
		uint8_t l = rb->buf[off];

		if ((l & 0xc0) == 0xc0) {
			off = (size_t)((l & 0x3f) << 8 | rb->buf[off + 1]);
			continue;
		}
		if (l == 0)
			break;
		spos[sn++] = off;
		off += (size_t)l + 1;
	}
	usable = sn;
	if (rb->reloc && rb->sfx_pos == WIRE_HDR_LEN && rb->anchor_labels < sn)
		usable = rb->anchor_labels;
	while (k < usable && k < nl && spos[sn - 1 - k] <= WIRE_PTR_MAX) {
		const uint8_t *x = npos[nl - 1 - k];
		const uint8_t *y = rb->buf + spos[sn - 1 - k];

		if (*x != *y)
			break;
		for (uint8_t i = 1; i <= *x; i++)
			if (wire_lower(x[i]) != wire_lower(y[i]))
				goto mismatch;
		k++;
	}
mismatch:
	if (k == 0) {
		rb_name(rb, name, false);
	} else {
		size_t lit = (size_t)(npos[nl - k] - name);

		rb_need(rb, lit);
		if (rb->err)
			return;
		for (unsigned i = 0; i < nl - k; i++)
			dict_add(rb, rb->len + (size_t)(npos[i] - name));
		memcpy(rb->buf + rb->len, name, lit);
		rb->len += lit;
		rb_ptr(rb, (uint16_t)spos[sn - k]);
	}
	if (rb->err == 0 && rb->len - start > 2 && rb->len < WIRE_PTR_MAX) {
		rb->sfx_pos = start;
		rb->sfx_labels = nl;
	}
}

/* RDATA of the RFC 1035 types whose names may be compressed (RFC 3597 4); others verbatim. */
static void rb_rdata(rbuf_t *rb, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	size_t names = 0, fixed_before = 0;

	switch (type) {
	case T_NS:
	case T_MD:
	case T_MF:
	case T_CNAME:
	case T_MB:
	case T_MG:
	case T_MR:
	case T_PTR:
		names = 1;
		break;
	case T_MX:
		names = 1;
		fixed_before = 2;
		break;
	case T_SOA:
	case T_MINFO:
		names = 2;
		break;
	default:
		break;
	}
	if (names == 0 || rdlen <= fixed_before) {
		rb_need(rb, rdlen);
		if (rb->err)
			return;
		memcpy(rb->buf + rb->len, rd, rdlen);
		/* An SRV target is written whole, and its address records point at it. */
		if (type == T_SRV && rdlen > 6)
			for (size_t o = 6; o < rdlen && rd[o] != 0; o += (size_t)rd[o] + 1)
				dict_add(rb, rb->len + o);
		rb->len += rdlen;
		return;
	}
	{
		const uint8_t *p = rd, *end = rd + rdlen;

		rb_need(rb, fixed_before);
		if (rb->err)
			return;
		memcpy(rb->buf + rb->len, p, fixed_before);
		rb->len += fixed_before;
		p += fixed_before;
		for (size_t i = 0; i < names && p < end; i++) {
			rb_name_knot(rb, p);
			p += wire_name_len(p);
		}
		if (p < end) {
			rb_need(rb, (size_t)(end - p));
			if (rb->err)
				return;
			memcpy(rb->buf + rb->len, p, (size_t)(end - p));
			rb->len += (size_t)(end - p);
		}
	}
}

/* Knot's write_owner(): a hint, the reference name itself, or compression from the question. */
static void rb_owner(rbuf_t *rb, const zt_t *zt, const res_item_t *it, bool repeat)
{
	const uint8_t *owner = it->owner_kind == OWN_NODE   ? zt_node_name(zt, &zt->nodes[it->node])
			       : it->owner_kind == OWN_NAME ? it->name
							    : rb->buf + WIRE_HDR_LEN;

	if (owner[0] == 0) {
		/* The root has no hint; writing it resets the reference to the question. */
		rb->owner_pos = rb->len;
		rb_need(rb, 1);
		if (rb->err)
			return;
		rb->buf[rb->len++] = 0;
		rb->sfx_pos = rb->q_labels ? WIRE_HDR_LEN : 0;
		rb->sfx_labels = rb->q_labels;
		return;
	}
	if (it->owner_kind == OWN_QNAME) {
		/* The question itself: this pointer never moves, even in a relocatable blob. */
		rb->owner_pos = WIRE_HDR_LEN;
		rb_need(rb, 2);
		if (rb->err)
			return;
		wire_put16(rb->buf + rb->len, 0xc000 | WIRE_HDR_LEN);
		rb->len += 2;
		return;
	}
	/* Hints: an RRset's later owners point at its first, glue owners at the target that
	 * named them (of the first 15 records of that RRset only, as Knot). */
	if (repeat && rb->owner_pos <= WIRE_PTR_MAX) {
		rb_ptr(rb, (uint16_t)rb->owner_pos);
		return;
	}
	rb->owner_pos = rb->len;
	if (it->section == 3 && it->hint) {
		rb_name(rb, owner, true);
		return;
	}
	if (rb->sfx_pos != 0 && rb->sfx_pos <= WIRE_PTR_MAX &&
	    wire_name_at_eq(rb->buf, rb->sfx_pos, owner) &&
	    !(rb->reloc && rb->sfx_pos == WIRE_HDR_LEN)) {
		rb_ptr(rb, (uint16_t)rb->sfx_pos);
		return;
	}
	/* A message without a question (later AXFR messages) has no reference to go back to. */
	rb->sfx_pos = rb->q_labels ? WIRE_HDR_LEN : 0;
	rb->sfx_labels = rb->q_labels;
	rb_name_knot(rb, owner);
}

static void rb_rr_head(rbuf_t *rb, const zt_t *zt, const res_item_t *it, uint16_t type,
		       uint32_t ttl, bool repeat)
{
	rb_owner(rb, zt, it, repeat);
	rb_need(rb, 8);
	if (rb->err)
		return;
	wire_put16(rb->buf + rb->len, type);
	wire_put16(rb->buf + rb->len + 2, C_IN);
	wire_put32(rb->buf + rb->len + 4, ttl);
	rb->len += 8;
}

/* One RRset (or the synthesized CNAME) of the resolver's answer; returns its record count. */
static uint16_t rb_item(rbuf_t *rb, const zt_t *zt, const res_item_t *it, bool repeat)
{
	size_t rdl_at;

	if (it->rrset == ZT_NONE) {
		rb_rr_head(rb, zt, it, T_CNAME, it->ttl_override, repeat);
		rb_need(rb, 2);
		if (rb->err)
			return 0;
		rdl_at = rb->len;
		rb->len += 2;
		rb_name_knot(rb, it->cname_target);
		if (rb->err)
			return 0;
		wire_put16(rb->buf + rdl_at, (uint16_t)(rb->len - rdl_at - 2));
		return 1;
	}
	{
		const zt_rrset_t *set = &zt->rrsets[it->rrset];
		const uint8_t *p = zt->arena + set->data;
		uint32_t ttl = it->ttl_override != ZT_NONE ? it->ttl_override : set->ttl;

		for (uint16_t k = 0; k < set->count; k++) {
			uint16_t rdlen = wire_get16(p);

			rb_rr_head(rb, zt, it, set->type, ttl, repeat || k > 0);
			rb_need(rb, 2);
			if (rb->err)
				return 0;
			rdl_at = rb->len;
			rb->len += 2;
			rb_rdata(rb, set->type, p + 2, rdlen);
			if (rb->err)
				return 0;
			wire_put16(rb->buf + rdl_at, (uint16_t)(rb->len - rdl_at - 2));
			p += 2 + rdlen;
		}
		return set->count;
	}
}

static bool same_owner(const res_item_t *a, const res_item_t *b)
{
	return a->owner_kind == b->owner_kind && a->node == b->node && a->name == b->name;
}

/* What rbuf_put_res() keeps while it writes one section (each item keeps whether it was
 * written, and where its owner went). */
struct put_state {
	const res_item_t *prev;	   /* the last item written, for its owner hint */
	const res_item_t *skipped; /* the last additional item that did not fit */
};

/* Writes item I if it fits in rb->limit, else leaves the message as it was: its record count,
 * 0 when it did not fit. */
static uint16_t put_item(rbuf_t *rb, const zt_t *zt, res_t *r, unsigned i, struct put_state *st)
{
	res_item_t *it = &r->item[i];
	size_t len = rb->len, sfx_pos = rb->sfx_pos, owner_pos = rb->owner_pos;
	unsigned sfx_labels = rb->sfx_labels;
	unsigned ndict = rb->ndict, nfix = rb->nfix;
	uint16_t max_ptr = rb->max_ptr;
	bool repeat = st->prev != NULL && same_owner(st->prev, it);
	uint16_t n;

	/* A signature's owner points at its RRset's (Knot's owner hint). */
	if (it->sig) {
		rb->owner_pos = r->item[i - 1].owner_pos;
		repeat = true;
	}
	n = rb_item(rb, zt, it, repeat);
	if (rb->err == 0 && rb->len <= rb->limit) {
		it->put = true;
		it->owner_pos = (uint32_t)rb->owner_pos;
		st->prev = it;
		return n;
	}
	/* It does not fit: whole RRsets only (RFC 2181 9). */
	rb->len = len;
	rb->ndict = ndict;
	rb->nfix = nfix;
	rb->max_ptr = max_ptr;
	rb->sfx_pos = sfx_pos;
	rb->sfx_labels = sfx_labels;
	rb->owner_pos = owner_pos;
	rb->err = 0;
	return 0;
}

/*
 * One section as Knot writes it: its RRsets in order, then the signatures of those written.
 * In the answer and authority sections what does not fit stops the message with TC. In the
 * additional section an RRset that does not fit is skipped with the rest of its owner's (TC
 * only for required glue); when the last one tried did not fit no signature follows, and the
 * signatures stop at the first that does not fit (Knot's solve_additional_dnssec()).
 */
static bool put_section(rbuf_t *rb, const zt_t *zt, res_t *r, uint8_t sec, struct put_state *st,
			uint16_t *count)
{
	bool last_failed = false;
	uint16_t n;

	for (unsigned i = 0; i < r->n; i++) {
		const res_item_t *it = &r->item[i];

		if (it->section != sec || it->sig)
			continue;
		if (sec == 3 && st->skipped != NULL && same_owner(st->skipped, it))
			continue;
		n = put_item(rb, zt, r, i, st);
		if (n != 0) {
			*count = (uint16_t)(*count + n);
			last_failed = false;
			continue;
		}
		if (sec < 3 || it->required)
			rb->tc = true;
		if (sec < 3) {
			rb->cut = true;
			return false;
		}
		st->skipped = it;
		last_failed = true;
	}
	if (last_failed)
		return true;
	for (unsigned i = 1; i < r->n; i++) {
		const res_item_t *it = &r->item[i];

		if (it->section != sec || !it->sig || !r->item[i - 1].put)
			continue;
		n = put_item(rb, zt, r, i, st);
		if (n != 0) {
			*count = (uint16_t)(*count + n);
			continue;
		}
		if (sec < 3) {
			rb->tc = true;
			rb->cut = true;
			return false;
		}
		break;
	}
	return true;
}

void rbuf_put_res(rbuf_t *rb, const zt_t *zt, res_t *r, uint16_t counts[3])
{
	struct put_state st = {.prev = NULL, .skipped = NULL};

	counts[0] = counts[1] = counts[2] = 0;
	for (unsigned i = 0; i < r->n; i++)
		r->item[i].put = false;
	/* Sections in order, whatever order the resolver found them in; a section cut short
	 * ends the message (Knot stops there). */
	for (uint8_t sec = 1; sec <= 3 && rb->err == 0; sec++)
		if (!put_section(rb, zt, r, sec, &st, &counts[sec - 1]))
			break;
}
