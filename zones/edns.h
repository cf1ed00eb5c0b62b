/* SPDX-License-Identifier: BSD-3-Clause */
/* edns.h: EDNS (RFC 6891): the OPT record of a query read, ours written (zones/ only) */
#ifndef EDNS_H
#define EDNS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "query.h"
#include "wire.h"
#include "zt_pvt.h"

/* An OPT record without options: root owner, type, class, TTL, RDLENGTH (no RDATA). */
#define EDNS_OPT_LEN 11

/*
 * Room a response keeps for our OPT record: an answer is rendered to fit the client's size less
 * this. The options a query asks for (NSID, cookies) add theirs to q->edns (edns_settle()).
 */
#define EDNS_OPT_RESERVE EDNS_OPT_LEN

/* EDNS option codes (IANA "DNS EDNS0 Option Codes"). */
enum edns_option {
	EDNS_OPTION_NSID = 3,	  /* RFC 5001 */
	EDNS_OPTION_COOKIE = 10,  /* RFC 7873 */
	EDNS_OPTION_PADDING = 12, /* RFC 7830 */
	EDNS_OPTION_EDE = 15,	  /* RFC 8914, extended DNS errors */
};

/* What the options of a query's OPT asked for (q->opts). */
enum edns_q_opt {
	EDNS_Q_NSID = 1,       /* an NSID option (its content, which should be empty, ignored) */
	EDNS_Q_COOKIE = 2,     /* a COOKIE option (the last one counts, as Knot): in q->cookie */
	EDNS_Q_COOKIE_BAD = 4, /* a COOKIE option of a length RFC 7873 4 does not allow */
	EDNS_Q_PADDING = 8,    /* a Padding option: never answered with padding (as Knot 3.2 over
				* UDP and TCP: it pads only encrypted transports, which we lack) */
};

/* Extended DNS error codes we send (RFC 8914 4), or EDE_NONE. */
#define EDE_NONE (-1)
#define EDE_NOT_AUTHORITATIVE 20

/* The room to keep for our OPT record in the response to Q (none without EDNS). */
static inline size_t edns_reserve(const struct zt_query *q)
{
	return q->edns;
}

/*
 * Most queries with EDNS: one OPT without options, last in the message. True when the records
 * after the question are exactly that (read into Q); else edns_parse_records() reads them.
 */
static inline bool edns_parse_plain(wire_ctx_t *c, struct zt_query *q, uint16_t an, uint16_t ns,
				    uint16_t ar)
{
	uint16_t cls;

	if ((an | ns) != 0 || ar != 1 || wire_ctx_left(c) != EDNS_OPT_LEN || c->pos[0] != 0 ||
	    wire_get16(c->pos + 1) != T_OPT || wire_get16(c->pos + 9) != 0)
		return false;
	cls = wire_get16(c->pos + 3);
	q->edns = EDNS_OPT_LEN;
	q->payload = cls < 512 ? 512 : cls;
	q->edns_version = c->pos[6];
	q->dnssec = (wire_get16(c->pos + 7) & EDNS_DO) != 0;
	c->pos += EDNS_OPT_LEN;
	return true;
}

/*
 * Reads the records after the question; finds the OPT record (sets q->edns...) or FORMERR. The
 * options it carries are noted (q->opts, q->cookie) for edns_settle(); q->edns stays the room of
 * an OPT without options.
 */
void edns_parse_records(wire_ctx_t *c, struct zt_query *q, uint16_t an, uint16_t ns, uint16_t ar);

/*
 * What the options noted in Q get in the answer from ZT to the client of CTX: NSID when one is
 * configured; a COOKIE (RFC 7873, 9018) when cookies are on, the client's address is known and
 * the EDNS version is 0: a valid server cookie echoed, else a fresh one (with BADCOOKIE in
 * q->rcode over UDP, any opcode, as Knot's mod-cookies), a malformed one FORMERR. Sets q->edns
 * to the room our OPT takes with them; true for BADCOOKIE. Only for queries whose OPT has
 * options.
 */
bool edns_settle(const zt_t *zt, const zt_answer_ctx_t *ctx, struct zt_query *q);

/*
 * Our OPT record without options at P (EDNS_OPT_LEN octets): our payload size, EXT_RCODE, DO
 * echoed. Returns its length. Every answer's: inline.
 */
static inline size_t edns_put_opt_plain(uint8_t *p, const zt_t *zt, const struct zt_query *q,
					uint8_t ext_rcode)
{
	/* Root owner, type OPT, our payload size, rcode, version: one store (then DO, RDLENGTH). */
	const uint8_t head[8] = {0,
				 T_OPT >> 8,
				 T_OPT & 0xff,
				 (uint8_t)(zt->udp_max >> 8),
				 (uint8_t)zt->udp_max,
				 ext_rcode,
				 0,
				 0};

	memcpy(p, head, 8);
	wire_put16(p + 7, q->dnssec ? EDNS_DO : 0);
	wire_put16(p + 9, 0);
	return EDNS_OPT_LEN;
}

/*
 * Our OPT record at P with the options the response carries: those edns_settle() kept (NSID,
 * COOKIE), then EDE (RFC 8914) when EDE is not EDE_NONE (6 octets more). Returns its length.
 */
size_t edns_put_opt(uint8_t *p, const zt_t *zt, const struct zt_query *q, uint8_t ext_rcode,
		    int ede);

/* The first 8 octets of our OPT without options for UDP_MAX, in wire order (zt_t.opt_head). */
static inline uint64_t edns_opt_head(uint16_t udp_max)
{
	const uint8_t head[8] = {
	    0, T_OPT >> 8, T_OPT & 0xff, (uint8_t)(udp_max >> 8), (uint8_t)udp_max, 0, 0, 0};
	uint64_t v;

	memcpy(&v, head, 8);
	return v;
}

/*
 * Our OPT record for an answer (NOERROR or NXDOMAIN): without options on the common path, two
 * stores: the snapshot's first 8 octets, then the flags' first octet (DO echoed) with the
 * second and RDLENGTH's 0.
 */
static inline size_t edns_put_opt_answer(uint8_t *p, const zt_t *zt, const struct zt_query *q)
{
	if (__builtin_expect(q->edns == EDNS_OPT_LEN, 1)) {
		const uint32_t tail = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
					  ? (uint32_t)q->dnssec << 7
					  : (uint32_t)q->dnssec << 31;

		memcpy(p, &zt->opt_head, 8);
		memcpy(p + 7, &tail, 4);
		return EDNS_OPT_LEN;
	}
	return edns_put_opt(p, zt, q, 0, EDE_NONE);
}

#endif
