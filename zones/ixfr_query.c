/* SPDX-License-Identifier: BSD-3-Clause */
/* ixfr_query.c: the serial an IXFR query asks from (its authority SOA), for every reader */
#include "ixfr.h"
#include "query.h"

/* Whether the name at OFF in MSG (compressed, already checked by wire_ctx_skip_name()) is KEY
 * (a lower-cased wire name). */
static bool msg_name_is(const uint8_t *msg, size_t off, const uint8_t *key)
{
	for (;;) {
		uint8_t l = msg[off];

		if ((l & 0xc0) == 0xc0) {
			off = (size_t)((l & 0x3f) << 8 | msg[off + 1]);
			continue;
		}
		if (l != *key)
			return false;
		if (l == 0)
			return true;
		for (uint8_t i = 1; i <= l; i++)
			if (wire_lower(msg[off + i]) != key[i])
				return false;
		off += (size_t)l + 1;
		key += l + 1;
	}
}

/* Skips one record at the cursor; its type (0 when the message ends inside it). */
static uint16_t skip_rr(wire_ctx_t *c)
{
	uint16_t type;

	wire_ctx_skip_name(c);
	type = wire_ctx_read16(c);
	wire_ctx_skip(c, 6);
	wire_ctx_skip(c, wire_ctx_read16(c));
	return c->err == 0 ? type : 0;
}

bool ixfr_query_serial(const uint8_t *query, size_t qlen, const struct zt_query *q,
		       uint32_t *serial)
{
	uint16_t an = wire_get16(query + 6), ns = wire_get16(query + 8);
	wire_ctx_t c;
	size_t owner;
	const uint8_t *end;

	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN + q->qname_len + 4);
	for (unsigned i = 0; i < an; i++)
		skip_rr(&c);
	if (ns == 0 || c.err != 0)
		return false;
	owner = (size_t)(c.pos - query);
	wire_ctx_skip_name(&c);
	if (wire_ctx_read16(&c) != T_SOA)
		return false;
	wire_ctx_skip(&c, 6);
	end = c.pos + 2 + wire_ctx_read16(&c);
	/* MNAME, RNAME (compressed or not), then the serial, all inside the RDATA. */
	wire_ctx_skip_name(&c);
	wire_ctx_skip_name(&c);
	wire_ctx_skip(&c, 4);
	if (c.err != 0 || c.pos > end || !msg_name_is(query, owner, q->key))
		return false;
	*serial = wire_get32(c.pos - 4);
	return true;
}
