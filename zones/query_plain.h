/* SPDX-License-Identifier: BSD-3-Clause */
/* query_plain.h: the common query recognised and read in one pass (the engine's fast path) */
#ifndef QUERY_PLAIN_H
#define QUERY_PLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "edns.h"
#include "query.h"
#include "wire.h"

/*
 * Most queries: QUERY, opcode 0, one question of class IN and an ordinary type, nothing after
 * it or exactly one OPT without options (EDNS version 0). True when QUERY is one (Q holds it);
 * else the general path reads it again from the start, and nothing here was kept.
 */
static inline bool query_plain(const uint8_t *query, size_t qlen, struct zt_query *q)
{
	/* QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1: one load (wire order). */
	const uint64_t counts_none = 0x0000000000000100ull, counts_opt = 0x0100000000000100ull;
	wire_ctx_t c;
	uint64_t counts;

	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || qlen < WIRE_HDR_LEN + 5 ||
	    (wire_get16(query + 2) & (F_QR | F_OPCODE_MASK)) != 0)
		return false;
	memcpy(&counts, query + 4, 8);
	if (counts != counts_none && counts != counts_opt)
		return false;
	wire_ctx_init(&c, query, qlen);
	c.pos += WIRE_HDR_LEN;
	if (!query_parse_qname(&c, q) || wire_ctx_left(&c) < 4)
		return false;
	q->qtype = wire_get16(c.pos);
	q->qclass = wire_get16(c.pos + 2);
	c.pos += 4;
	if (q->qclass != C_IN || (uint16_t)(q->qtype - 1) >= T_IXFR - 1)
		return false;
	q->has_question = true;
	q->rcode = 0;
	if (counts == counts_none) {
		q->edns = 0;
		q->dnssec = false;
		q->edns_version = 0;
		q->payload = 512;
		return c.pos == c.end;
	}
	return edns_parse_plain(&c, q, 0, 0, 1) && q->edns_version == 0;
}

#endif
