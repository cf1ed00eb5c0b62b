/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr.c: zone transfers (RFC 5936 AXFR, IXFR's bodies) rendered one TCP message at a time */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "edns.h"
#include "ixfr.h"
#include "render.h"
#include "resolve.h"
#include "sandns_err.h"
#include "xfr.h"
#include "zt_index.h"
#include "zt_order.h"
#include "zt_pvt.h"

/* A message is ended once it passes this size: Knot's messages are about 16 KiB too, and a
 * receiver gets data early without one record set ever being split. */
#define XFR_MSG_SOFT 16384

/* What putting one item (an RRset, a record) into the message did. */
enum xfr_put { XFR_PUT_OK, XFR_PUT_FULL };

/* The message being rendered (one call of zt_xfr_next()). */
struct xfr_msg {
	rbuf_t rb;
	uint16_t count;
	size_t empty_len; /* length with no records yet */
};

/* Reads QUERY's question and EDNS into Q; the qtype kept is IXFR or AXFR. */
static int xfr_parse(const uint8_t *query, size_t qlen, struct zt_query *q)
{
	wire_ctx_t c;

	if (qlen < WIRE_HDR_LEN || wire_get16(query + 4) == 0)
		return SANDNS_EMALF;
	memset(q, 0, sizeof(*q));
	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	if (!query_parse_qname(&c, q) || wire_ctx_left(&c) < 4)
		return SANDNS_EMALF;
	q->qtype = wire_get16(c.pos);
	if (q->qtype != T_IXFR)
		q->qtype = T_AXFR;
	wire_ctx_skip(&c, 4);
	edns_parse_records(&c, q, wire_get16(query + 6), wire_get16(query + 8),
			   wire_get16(query + 10));
	if (c.err != 0 || q->rcode != 0)
		return SANDNS_EMALF;
	return SANDNS_EOK;
}

static int xfr_begin(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen)
{
	uint32_t n;
	int ret;

	memset(x, 0, sizeof(*x));
	ret = xfr_parse(query, qlen, &x->q);
	if (ret != SANDNS_EOK)
		return ret;
	n = zt_find(zt, x->q.key, x->q.qname_len);
	if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX))
		return SANDNS_ENOZONE;
	memcpy(x->qname, x->q.qname, x->q.qname_len);
	x->q.qname = NULL; /* it pointed into QUERY */
	memcpy(x->id, query, 2);
	x->rd = wire_get16(query + 2) & F_RD;
	x->zone = zt->nodes[n].zone;
	x->zt = zt_ref(zt);
	return SANDNS_EOK;
}

int zt_xfr_begin(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen)
{
	int ret = xfr_begin(x, zt, query, qlen);

	if (ret == SANDNS_EOK)
		x->body = ZT_XFR_BODY_ZONE;
	return ret;
}

int zt_xfr_begin_rrs(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen,
		     const zt_xfr_rrs_t *rrs)
{
	int ret = xfr_begin(x, zt, query, qlen);

	if (ret != SANDNS_EOK) {
		if (rrs->done != NULL)
			rrs->done(rrs->ctx);
		return ret;
	}
	x->body = ZT_XFR_BODY_RRS;
	x->rrs = *rrs;
	return SANDNS_EOK;
}

/* An IXFR body: the history's records, walked by an iterator the cursor owns. */
static int ixfr_rrs_next(void *ctx, const uint8_t **rr, size_t *len)
{
	return ixfr_iter_next(ctx, rr, len) ? 1 : 0;
}

static void ixfr_rrs_done(void *ctx)
{
	free(ctx);
}

int zt_xfr_begin_query(zt_xfr_t *x, const zt_t *zt, const uint8_t *query, size_t qlen)
{
	struct zt_query q;
	ixfr_iter_t it;
	zt_xfr_rrs_t rrs = {.next = ixfr_rrs_next, .done = ixfr_rrs_done};
	/* The history hangs off ZT's zone: the cursor's reference on ZT keeps it. */
	int ret = ixfr_out_prepare(zt, query, qlen, &q, &it);

	if (ret == IXFR_OUT_AXFR)
		return zt_xfr_begin(x, zt, query, qlen);
	if (ret != SANDNS_EOK)
		return ret;
	rrs.ctx = malloc(sizeof(it));
	if (rrs.ctx == NULL)
		return -ENOMEM;
	memcpy(rrs.ctx, &it, sizeof(it));
	return zt_xfr_begin_rrs(x, zt, query, qlen, &rrs);
}

int zt_xfr_ready(const zt_xfr_t *x)
{
	return x->body == ZT_XFR_BODY_ZONE ? zt_order_ready(x->zt) : SANDNS_EOK;
}

void zt_xfr_end(zt_xfr_t *x)
{
	if (x->body == ZT_XFR_BODY_RRS && x->rrs.done != NULL)
		x->rrs.done(x->rrs.ctx);
	x->rrs.done = NULL;
	zt_free(&x->zt);
	x->done = true;
}

/* A new message in BUF; the first has the question, its type as asked (an IXFR answered
 * AXFR-style keeps IXFR there, RFC 1995 4: secondaries such as BIND's check it). */
static void xfr_msg_start(struct xfr_msg *m, const zt_xfr_t *x, uint8_t *buf, size_t cap)
{
	rbuf_start(&m->rb, buf, cap, x->qname, x->q.qtype, C_IN, false, wire_name_labels(x->qname));
	memcpy(buf, x->id, 2);
	wire_put16(buf + 2, (uint16_t)(F_QR | F_AA | x->rd));
	if (x->msgs == 0) {
		wire_put16(buf + 4, 1);
	} else {
		/* Later messages carry no question (RFC 5936 2.2.1): drop it and every name
		 * compression could point at, as Knot does with no question. */
		m->rb.len = WIRE_HDR_LEN;
		m->rb.ndict = 0;
		m->rb.sfx_pos = 0;
		m->rb.sfx_labels = 0;
		m->rb.q_labels = 0;
	}
	m->count = 0;
	m->empty_len = m->rb.len;
}

/* The counts, and our OPT record when the query had one (room was kept for it). */
static size_t xfr_msg_end(struct xfr_msg *m, const zt_xfr_t *x)
{
	size_t len = m->rb.len;

	wire_put16(m->rb.buf + 6, m->count);
	if (x->q.edns) {
		len += edns_put_opt_plain(m->rb.buf + len, x->zt, &x->q, 0);
		wire_put16(m->rb.buf + 10, 1);
	}
	return len;
}

/* Puts the RRset RRSET (owner node NODE) into the message, whole, or leaves it as it was. */
static int xfr_put_rrset(struct xfr_msg *m, const zt_t *zt, uint32_t node, uint32_t rrset)
{
	static __thread res_t r;
	static __thread res_item_t item; /* one RRset at a time */
	uint16_t counts[3];
	size_t len = m->rb.len;
	unsigned ndict = m->rb.ndict;

	res_init(&r, &item, 1);
	r.item[0].section = 1;
	r.item[0].owner_kind = OWN_NODE;
	r.item[0].node = node;
	r.item[0].name = NULL;
	r.item[0].rrset = rrset;
	r.item[0].ttl_override = ZT_NONE;
	r.item[0].cname_target = NULL;
	r.item[0].required = false;
	r.item[0].sig = false;
	r.n = 1;
	m->rb.tc = false;
	rbuf_put_res(&m->rb, zt, &r, counts);
	if (m->rb.err == 0 && !m->rb.tc) {
		m->count = (uint16_t)(m->count + counts[0]);
		return XFR_PUT_OK;
	}
	m->rb.len = len;
	m->rb.ndict = ndict;
	m->rb.err = 0;
	m->rb.tc = false;
	return XFR_PUT_FULL;
}

/* ZONE body: the next RRset (SOA, axfr[], SOA); sets X->done after the last. */
static int xfr_put_zone(struct xfr_msg *m, zt_xfr_t *x)
{
	const zt_t *zt = x->zt;
	const zt_zone_t *zone = &zt->zones[x->zone];
	uint32_t s = x->pos == 0 || x->pos > zone->naxfr ? zone->soa : zone->axfr[x->pos - 1];
	int ret = xfr_put_rrset(m, zt, zt->rrsets[s].node, s);

	if (ret == XFR_PUT_OK && ++x->pos > zone->naxfr + 1)
		x->done = true;
	return ret;
}

/* RRS body: the record held back, else the next one, copied as it is. */
static int xfr_put_rr(struct xfr_msg *m, zt_xfr_t *x)
{
	int ret;

	if (x->held == NULL) {
		ret = x->rrs.next(x->rrs.ctx, &x->held, &x->held_len);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			x->held = NULL;
			x->done = true;
			return XFR_PUT_OK;
		}
		/* Owner (at least the root), type, class, TTL, RDLENGTH. */
		if (x->held_len < 11)
			return SANDNS_EMALF;
	}
	if (m->rb.limit - m->rb.len < x->held_len || m->count == UINT16_MAX)
		return XFR_PUT_FULL;
	memcpy(m->rb.buf + m->rb.len, x->held, x->held_len);
	m->rb.len += x->held_len;
	m->count++;
	x->held = NULL;
	return XFR_PUT_OK;
}

/*
 * An RRset of the zone that no message holds: a SERVFAIL with the question ends the transfer,
 * as Knot ends it (its client sees why, not a closed connection). A raw record body (IXFR)
 * has no such answer: the transfer stops.
 */
static int xfr_servfail(struct xfr_msg *m, zt_xfr_t *x, uint8_t *buf, size_t *len)
{
	const unsigned sent = x->msgs;

	if (x->body != ZT_XFR_BODY_ZONE)
		return SANDNS_ETOOBIG;
	x->msgs = 0; /* with the question */
	xfr_msg_start(m, x, buf, ZT_XFR_MSG_MAX - ZT_XFR_TSIG_ROOM - edns_reserve(&x->q));
	x->msgs = sent + 1;
	wire_put16(buf + 2, (uint16_t)(F_QR | x->rd | RC_SERVFAIL));
	x->done = true;
	*len = xfr_msg_end(m, x);
	return SANDNS_EOK;
}

int zt_xfr_next(zt_xfr_t *x, uint8_t *buf, size_t cap, size_t *len)
{
	struct xfr_msg m;
	int ret;

	*len = 0;
	if (x->done || x->zt == NULL)
		return SANDNS_ELIMIT;
	if (cap < ZT_XFR_MSG_MAX)
		return SANDNS_ETOOBIG;
	if (x->body == ZT_XFR_BODY_ZONE) {
		ret = zt_order_wait(x->zt);
		if (ret != 0)
			return ret;
	}
	xfr_msg_start(&m, x, buf, ZT_XFR_MSG_MAX - ZT_XFR_TSIG_ROOM - edns_reserve(&x->q));
	if (m.rb.err != 0)
		return SANDNS_ETOOBIG;
	/* Whole items until the message passes XFR_MSG_SOFT or the next one does not fit. */
	while (!x->done && m.rb.len < XFR_MSG_SOFT) {
		ret = x->body == ZT_XFR_BODY_ZONE ? xfr_put_zone(&m, x) : xfr_put_rr(&m, x);
		if (ret < 0)
			return ret;
		if (ret == XFR_PUT_FULL) {
			/* An item larger than a whole message can never be sent. */
			if (m.rb.len == m.empty_len)
				return xfr_servfail(&m, x, buf, len);
			break;
		}
	}
	/* An RRS body may end with nothing left for this message. */
	if (m.count == 0 && x->msgs != 0)
		return SANDNS_EOK;
	*len = xfr_msg_end(&m, x);
	x->msgs++;
	return SANDNS_EOK;
}

size_t zt_xfr_refused(const zt_t *zt, const uint8_t *query, size_t qlen, uint8_t *resp, size_t cap)
{
	struct zt_query q;
	const uint8_t *qtail;
	rbuf_t rb;
	size_t len;

	if (xfr_parse(query, qlen, &q) != SANDNS_EOK)
		return 0;
	/* The question as asked: name, type and class. */
	qtail = query + WIRE_HDR_LEN + q.qname_len;
	rbuf_start(&rb, resp, cap - edns_reserve(&q), q.qname, wire_get16(qtail),
		   wire_get16(qtail + 2), false, 0);
	if (rb.err != 0)
		return 0;
	memcpy(resp, query, 2);
	wire_put16(resp + 2, (uint16_t)(F_QR | (wire_get16(query + 2) & (F_OPCODE_MASK | F_RD)) |
					RC_REFUSED));
	wire_put16(resp + 4, 1);
	len = rb.len;
	if (q.edns) {
		len += edns_put_opt_plain(resp + len, zt, &q, 0);
		wire_put16(resp + 10, 1);
	}
	return len;
}

int zt_xfr_render(const zt_t *zt, const uint8_t *query, size_t qlen, zt_xfr_sink sink, void *ctx)
{
	static __thread uint8_t buf[ZT_XFR_MSG_MAX];
	zt_xfr_t x;
	size_t len;
	int ret = zt_xfr_begin_query(&x, zt, query, qlen);

	if (ret != SANDNS_EOK)
		return ret;
	while (ret == SANDNS_EOK && !zt_xfr_done(&x)) {
		ret = zt_xfr_next(&x, buf, sizeof(buf), &len);
		if (ret == SANDNS_EOK && len != 0 && sink(ctx, buf, len) != 0)
			ret = SANDNS_ELIMIT;
	}
	zt_xfr_end(&x);
	return ret;
}
