/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_out.c: an IXFR query checked against the zone's history, and where its answer starts */
#include <string.h>

#include "edns.h"
#include "ixfr.h"
#include "query.h"
#include "sandns_err.h"
#include "zt_index.h"
#include "zt_pvt.h"

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
	if (c.err != 0 || q->rcode != 0 || !ixfr_query_serial(query, qlen, q, &theirs))
		return SANDNS_EMALF;
	n = zt_find(zt, q->key, q->qname_len);
	if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX))
		return SANDNS_ENOZONE;
	if (!ixfr_iter_start(it, zt->zones[zt->nodes[n].zone].ixfr, theirs))
		return IXFR_OUT_AXFR;
	return 0;
}
