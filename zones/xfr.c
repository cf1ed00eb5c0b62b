/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr.c: AXFR (RFC 5936) of a compiled zone, as a series of TCP messages (IXFR's fallback too) */
#include <string.h>

#include "edns.h"
#include "query.h"
#include "render.h"
#include "resolve.h"
#include "sandns_err.h"
#include "zt_index.h"
#include "zt_order.h"
#include "zt_pvt.h"

#define XFR_MSG_MAX 65535

/* xfr_put(): the transfer ended with a SERVFAIL message (an RRset no message holds). */
#define XFR_ENDED 1
/* A message is sent once it passes this size: Knot's messages are about 16 KiB too, and a
 * receiver gets data early without one record set ever being split. */
#define XFR_MSG_SOFT 16384

struct xfr_msg {
	rbuf_t rb;
	uint8_t buf[XFR_MSG_MAX];
	uint16_t count;
	size_t empty_len; /* length with no records yet */
};

/* A new message; the first has the question, its type as asked (an IXFR answered AXFR-style
 * keeps IXFR there, RFC 1995 4: secondaries such as BIND's check it). */
static void xfr_msg_start(struct xfr_msg *m, const uint8_t *query, const struct zt_query *q,
			  bool question)
{
	rbuf_start(&m->rb, m->buf, sizeof(m->buf) - EDNS_OPT_RESERVE, q->qname, q->qtype, C_IN,
		   false, wire_name_labels(q->qname));
	memcpy(m->buf, query, 2);
	wire_put16(m->buf + 2, (uint16_t)(F_QR | F_AA | (wire_get16(query + 2) & F_RD)));
	if (question) {
		wire_put16(m->buf + 4, 1);
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

/* Sends the message, with our OPT record when the query had one (room is kept for it). */
static int xfr_msg_flush(struct xfr_msg *m, const zt_t *zt, const struct zt_query *q,
			 zt_xfr_sink sink, void *ctx)
{
	size_t len = m->rb.len;

	wire_put16(m->buf + 6, m->count);
	if (q->edns) {
		len += edns_put_opt_plain(m->buf + len, zt, q, 0);
		wire_put16(m->buf + 10, 1);
	}
	return sink(ctx, m->buf, len) != 0 ? SANDNS_ELIMIT : 0;
}

/* Puts one RRset (owner node N) into the message, starting a new message when it is full. */
static int xfr_put(struct xfr_msg *m, const zt_t *zt, const uint8_t *query,
		   const struct zt_query *q, uint32_t node, uint32_t rrset, zt_xfr_sink sink,
		   void *ctx)
{
	static __thread res_t r;
	static __thread res_item_t item; /* one RRset at a time */
	uint16_t counts[3];
	size_t len = m->rb.len;
	unsigned ndict = m->rb.ndict;
	int ret;

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
		if (m->rb.len < XFR_MSG_SOFT)
			return 0;
		ret = xfr_msg_flush(m, zt, q, sink, ctx);
		if (ret == 0)
			xfr_msg_start(m, query, q, false);
		return ret;
	}
	/* rbuf_put_res() left the message as it was: send it, go on in a new one. */
	if (len == m->empty_len) {
		/* No message holds this RRset: a SERVFAIL with the question ends the transfer,
		 * as Knot ends it (its client sees why, not a closed connection). */
		xfr_msg_start(m, query, q, true);
		wire_put16(m->buf + 2,
			   (uint16_t)(F_QR | (wire_get16(query + 2) & F_RD) | RC_SERVFAIL));
		ret = xfr_msg_flush(m, zt, q, sink, ctx);
		return ret != 0 ? ret : XFR_ENDED;
	}
	m->rb.len = len;
	m->rb.ndict = ndict;
	m->rb.err = 0;
	m->rb.tc = false;
	ret = xfr_msg_flush(m, zt, q, sink, ctx);
	if (ret != 0)
		return ret;
	xfr_msg_start(m, query, q, false);
	return xfr_put(m, zt, query, q, node, rrset, sink, ctx);
}

int zt_xfr_render(const zt_t *zt, const uint8_t *query, size_t qlen, zt_xfr_sink sink, void *ctx)
{
	static __thread struct xfr_msg m;
	struct zt_query q;
	wire_ctx_t c;
	const zt_zone_t *zone;
	uint32_t n;
	int ret;

	if (qlen < WIRE_HDR_LEN)
		return SANDNS_EMALF;
	memset(&q, 0, sizeof(q));
	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	if (!query_parse_qname(&c, &q) || wire_ctx_left(&c) < 4)
		return SANDNS_EMALF;
	q.qtype = wire_get16(c.pos);
	if (q.qtype != T_IXFR)
		q.qtype = T_AXFR;
	wire_ctx_skip(&c, 4);
	edns_parse_records(&c, &q, wire_get16(query + 6), wire_get16(query + 8),
			   wire_get16(query + 10));
	if (c.err != 0 || q.rcode != 0)
		return SANDNS_EMALF;
	n = zt_find(zt, q.key, q.qname_len);
	if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX))
		return SANDNS_ENOZONE;
	zone = &zt->zones[zt->nodes[n].zone];
	ret = zt_order_wait(zt);
	if (ret != 0)
		return ret;
	xfr_msg_start(&m, query, &q, true);
	ret = xfr_put(&m, zt, query, &q, zone->apex, zone->soa, sink, ctx);
	for (uint32_t i = 0; ret == 0 && i < zone->naxfr; i++) {
		uint32_t s = zone->axfr[i];

		ret = xfr_put(&m, zt, query, &q, zt->rrsets[s].node, s, sink, ctx);
	}
	if (ret == 0)
		ret = xfr_put(&m, zt, query, &q, zone->apex, zone->soa, sink, ctx);
	if (ret == 0 && m.count > 0)
		ret = xfr_msg_flush(&m, zt, &q, sink, ctx);
	return ret == XFR_ENDED ? 0 : ret;
}
