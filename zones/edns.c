/* SPDX-License-Identifier: BSD-3-Clause */
/* edns.c: EDNS (RFC 6891): the OPT record of a query read, its options dispatched, ours written */
#include "edns.h"

/*
 * One option of the query's OPT record (CODE, LEN octets at DATA, inside the record). None
 * changes the answer yet: unknown options are ignored (RFC 6891 6.1.2), and so are those we do
 * not answer (NSID, cookies, padding). Their handling goes here.
 */
static void edns_option_read(struct zt_query *q, uint16_t code, const uint8_t *data, uint16_t len)
{
	(void)q;
	(void)data;
	(void)len;
	switch (code) {
	case EDNS_OPTION_NSID:
	case EDNS_OPTION_COOKIE:
	case EDNS_OPTION_PADDING:
	default:
		break;
	}
}

/* The options of an OPT record's RDATA (RD, RDLEN octets): false when one overruns it. */
static bool edns_options_read(struct zt_query *q, const uint8_t *rd, uint16_t rdlen)
{
	for (size_t o = 0; o < rdlen;) {
		uint16_t len;

		if (rdlen - o < 4 || rdlen - o - 4 < wire_get16(rd + o + 2))
			return false;
		len = wire_get16(rd + o + 2);
		edns_option_read(q, wire_get16(rd + o), rd + o + 4, len);
		o += 4u + len;
	}
	return true;
}

/* Reads the rest of the message: only the OPT record matters to us (RFC 6891). */
void edns_parse_records(wire_ctx_t *c, struct zt_query *q, uint16_t an, uint16_t ns, uint16_t ar)
{
	unsigned total = (unsigned)an + ns + ar;
	bool seen_opt = false;

	q->tsig = false;
	if (edns_parse_plain(c, q, an, ns, ar))
		return;

	for (unsigned i = 0; i < total; i++) {
		const uint8_t *owner = c->pos;
		size_t owner_len = wire_ctx_skip_name(c);
		uint16_t type = wire_ctx_read16(c);
		uint16_t cls = wire_ctx_read16(c);
		uint16_t ttl_hi = wire_ctx_read16(c);
		uint16_t ttl_lo = wire_ctx_read16(c);
		uint16_t rdlen = wire_ctx_read16(c);
		const uint8_t *rd = c->pos;

		wire_ctx_skip(c, rdlen);
		if (c->err != 0) {
			q->rcode = RC_FORMERR;
			q->edns = false;
			return;
		}
		/* A TSIG (RFC 8945 5.1) only last, in the additional section; the caller verifies
		 * it (zones/tsig.c). Other records are skipped. */
		if (type == T_TSIG) {
			if (i + 1 != total || i < (unsigned)an + ns) {
				q->rcode = RC_FORMERR;
				q->edns = false;
				return;
			}
			q->tsig = true;
			continue;
		}
		if (type != T_OPT)
			continue;
		/* One OPT, in the additional section, owned by the root, options well formed. */
		if (i < (unsigned)an + ns || seen_opt || owner_len != 1 || owner[0] != 0 ||
		    !edns_options_read(q, rd, rdlen)) {
			q->rcode = RC_FORMERR;
			q->edns = false;
			return;
		}
		seen_opt = true;
		q->edns = true;
		q->payload = cls < 512 ? 512 : cls;
		q->edns_version = (uint8_t)(ttl_hi & 0xff);
		q->dnssec = (ttl_lo & EDNS_DO) != 0;
	}
}

/* Appends option CODE with LEN octets of DATA at P; returns the octets written. */
static size_t edns_option_put(uint8_t *p, uint16_t code, const uint8_t *data, uint16_t len)
{
	wire_put16(p, code);
	wire_put16(p + 2, len);
	memcpy(p + 4, data, len);
	return 4u + len;
}

size_t edns_put_opt(uint8_t *p, const zt_t *zt, const struct zt_query *q, uint8_t ext_rcode,
		    int ede)
{
	size_t len = edns_put_opt_plain(p, zt, q, ext_rcode);

	/* The options, each after the last; RDLENGTH (octets 9 and 10) counts them. */
	if (ede != EDE_NONE) {
		uint8_t code[2];

		wire_put16(code, (uint16_t)ede);
		len += edns_option_put(p + len, EDNS_OPTION_EDE, code, sizeof(code));
	}
	wire_put16(p + 9, (uint16_t)(len - EDNS_OPT_LEN));
	return len;
}
