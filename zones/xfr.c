/* SPDX-License-Identifier: BSD-3-Clause */
/* xfr.c: AXFR (RFC 5936) of a compiled zone, as a series of TCP messages */
#include <string.h>

#include "sandns_err.h"
#include "zt_pvt.h"

#define XFR_MSG_MAX 65535

struct xfr_msg {
	rbuf_t rb;
	uint8_t buf[XFR_MSG_MAX];
	uint16_t count;
	size_t empty_len;     /* length with no records yet */
};

static void xfr_msg_start(struct xfr_msg *m, const uint8_t *query, const uint8_t *qname,
			  bool question)
{
	rbuf_start(&m->rb, m->buf, sizeof(m->buf), qname, T_AXFR, C_IN, false,
		   wire_name_labels(qname));
	memcpy(m->buf, query, 2);
	wire_put16(m->buf + 2, (uint16_t)(F_QR | F_AA | (wire_get16(query + 2) & F_RD)));
	if (question) {
		wire_put16(m->buf + 4, 1);
	} else {
		/* Later messages carry no question (RFC 5936 2.2.1): drop it, keep names fresh. */
		m->rb.len = WIRE_HDR_LEN;
		m->rb.ndict = 0;
	}
	m->count = 0;
	m->empty_len = m->rb.len;
}

static int xfr_msg_flush(struct xfr_msg *m, zt_xfr_sink sink, void *ctx)
{
	wire_put16(m->buf + 6, m->count);
	return sink(ctx, m->buf, m->rb.len) != 0 ? SANDNS_ELIMIT : 0;
}

/* Puts one RRset (owner node N) into the message, starting a new message when it is full. */
static int xfr_put(struct xfr_msg *m, const zt_t *zt, const uint8_t *query, const uint8_t *qname,
		   uint32_t node, uint32_t rrset, zt_xfr_sink sink, void *ctx)
{
	static __thread res_t r;
	uint16_t counts[3];
	size_t len = m->rb.len;
	unsigned ndict = m->rb.ndict;
	int ret;

	res_reset(&r);
	r.item[0].section = 1;
	r.item[0].owner_kind = OWN_NODE;
	r.item[0].node = node;
	r.item[0].name = NULL;
	r.item[0].rrset = rrset;
	r.item[0].ttl_override = ZT_NONE;
	r.item[0].cname_target = NULL;
	r.n = 1;
	m->rb.nsets = 0;
	rbuf_put_res(&m->rb, zt, &r, counts);
	if (m->rb.err == 0) {
		m->count = (uint16_t)(m->count + counts[0]);
		return 0;
	}
	if (m->rb.len == m->empty_len || len == m->empty_len)
		return SANDNS_ETOOBIG;
	m->rb.len = len;
	m->rb.ndict = ndict;
	m->rb.err = 0;
	ret = xfr_msg_flush(m, sink, ctx);
	if (ret != 0)
		return ret;
	xfr_msg_start(m, query, qname, false);
	return xfr_put(m, zt, query, qname, node, rrset, sink, ctx);
}

int zt_xfr_render(const zt_t *zt, const uint8_t *query, size_t qlen, zt_xfr_sink sink, void *ctx)
{
	static __thread struct xfr_msg m;
	uint8_t key[WIRE_NAME_MAX + 1];
	wire_ctx_t c;
	const uint8_t *qname;
	const zt_zone_t *zone;
	uint32_t n;
	int ret;

	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	qname = c.pos;
	/* The question name must be plain (no pointers) and inside the message. */
	for (const uint8_t *p = qname;; p += *p + 1) {
		if (p >= c.end || *p > WIRE_LABEL_MAX || p + *p + 1 > c.end)
			return SANDNS_EMALF;
		if (*p == 0)
			break;
	}
	if (wire_name_len(qname) > WIRE_NAME_MAX)
		return SANDNS_EMALF;
	n = zt_find(zt, key, wire_name_lower(key, qname));
	if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX))
		return SANDNS_ENOZONE;
	zone = &zt->zones[zt->nodes[n].zone];
	xfr_msg_start(&m, query, qname, true);
	ret = xfr_put(&m, zt, query, qname, zone->apex, zone->soa, sink, ctx);
	for (uint32_t i = 0; ret == 0 && i < zone->naxfr; i++) {
		uint32_t s = zone->axfr[i];

		ret = xfr_put(&m, zt, query, qname, zt->rrsets[s].node, s, sink, ctx);
	}
	if (ret == 0)
		ret = xfr_put(&m, zt, query, qname, zone->apex, zone->soa, sink, ctx);
	if (ret == 0)
		ret = xfr_msg_flush(&m, sink, ctx);
	return ret;
}
