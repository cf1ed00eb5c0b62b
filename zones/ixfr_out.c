/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_out.c: an IXFR response rendered from the history as TCP messages (today's path) */
#include <string.h>

#include "edns.h"
#include "ixfr.h"
#include "query.h"
#include "sandns_err.h"
#include "zt_index.h"
#include "zt_pvt.h"

#define OUT_MSG_MAX 65535
/* Sent once past this size, as xfr.c's AXFR messages: about Knot's. */
#define OUT_MSG_SOFT 16384

struct out_msg {
	uint8_t buf[OUT_MSG_MAX];
	size_t len;
	size_t cap; /* room for records: our OPT record is kept room for */
	uint16_t count;
};

/* A new message: the query's ID and RD, QR and AA; the question in the first one only. */
static void msg_start(struct out_msg *m, const uint8_t *query, const struct zt_query *q,
		      bool question)
{
	memset(m->buf, 0, WIRE_HDR_LEN);
	memcpy(m->buf, query, 2);
	wire_put16(m->buf + 2, (uint16_t)(F_QR | F_AA | (wire_get16(query + 2) & F_RD)));
	m->len = WIRE_HDR_LEN;
	if (question) {
		/* The question as asked, case kept (RFC 1995 4: IXFR stays its type). */
		wire_put16(m->buf + 4, 1);
		memcpy(m->buf + m->len, query + WIRE_HDR_LEN, q->qname_len + 4);
		m->len += q->qname_len + 4;
	}
	m->cap = sizeof(m->buf) - edns_reserve(q);
	m->count = 0;
}

static int msg_flush(struct out_msg *m, const zt_t *zt, const struct zt_query *q, zt_xfr_sink sink,
		     void *ctx)
{
	size_t len = m->len;

	wire_put16(m->buf + 6, m->count);
	if (q->edns) {
		len += edns_put_opt_plain(m->buf + len, zt, q, 0);
		wire_put16(m->buf + 10, 1);
	}
	return sink(ctx, m->buf, len) != 0 ? SANDNS_ELIMIT : 0;
}

/* The serial in the IXFR query's authority SOA (answer.c checked it is there). */
static bool query_serial(const uint8_t *query, size_t qlen, const struct zt_query *q,
			 uint32_t *serial)
{
	uint16_t an = wire_get16(query + 6), ns = wire_get16(query + 8);
	wire_ctx_t c;

	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN + q->qname_len + 4);
	for (unsigned i = 0; i < an; i++) {
		wire_ctx_skip_name(&c);
		wire_ctx_skip(&c, 8);
		wire_ctx_skip(&c, wire_ctx_read16(&c));
	}
	if (ns == 0)
		return false;
	wire_ctx_skip_name(&c);
	if (wire_ctx_read16(&c) != T_SOA)
		return false;
	wire_ctx_skip(&c, 8);
	wire_ctx_skip_name(&c);
	wire_ctx_skip_name(&c);
	if (c.err != 0 || wire_ctx_left(&c) < 4)
		return false;
	*serial = wire_get32(c.pos);
	return true;
}

int ixfr_out_prepare(const zt_t *zt, const uint8_t *query, size_t qlen, struct zt_query *q,
		     ixfr_iter_t *it)
{
	wire_ctx_t c;
	uint32_t n, theirs;

	if (qlen < WIRE_HDR_LEN)
		return SANDNS_EMALF;
	memset(q, 0, sizeof(*q));
	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	if (!query_parse_qname(&c, q) || wire_ctx_left(&c) < 4)
		return SANDNS_EMALF;
	q->qtype = wire_get16(c.pos);
	if (q->qtype != T_IXFR)
		return IXFR_OUT_AXFR;
	wire_ctx_skip(&c, 4);
	edns_parse_records(&c, q, wire_get16(query + 6), wire_get16(query + 8),
			   wire_get16(query + 10));
	if (c.err != 0 || q->rcode != 0 || !query_serial(query, qlen, q, &theirs))
		return SANDNS_EMALF;
	n = zt_find(zt, q->key, q->qname_len);
	if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX))
		return SANDNS_ENOZONE;
	if (!ixfr_iter_start(it, zt->zones[zt->nodes[n].zone].ixfr, theirs))
		return IXFR_OUT_AXFR;
	return 0;
}

int ixfr_out_render(const zt_t *zt, const uint8_t *query, size_t qlen, zt_xfr_sink sink, void *ctx)
{
	static __thread struct out_msg m;
	struct zt_query q;
	ixfr_iter_t it;
	const uint8_t *rr;
	size_t len;
	int ret = ixfr_out_prepare(zt, query, qlen, &q, &it);

	if (ret != 0)
		return ret;
	msg_start(&m, query, &q, true);
	while (ret == 0 && ixfr_iter_next(&it, &rr, &len)) {
		if (m.len + len > m.cap && m.count > 0) {
			ret = msg_flush(&m, zt, &q, sink, ctx);
			msg_start(&m, query, &q, false);
		}
		if (ret != 0)
			break;
		if (m.len + len > m.cap)
			return SANDNS_ETOOBIG;
		memcpy(m.buf + m.len, rr, len);
		m.len += len;
		m.count++;
		if (ret == 0 && m.len >= OUT_MSG_SOFT) {
			ret = msg_flush(&m, zt, &q, sink, ctx);
			msg_start(&m, query, &q, false);
		}
	}
	if (ret == 0 && m.count > 0)
		ret = msg_flush(&m, zt, &q, sink, ctx);
	return ret;
}
