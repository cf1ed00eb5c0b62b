/* SPDX-License-Identifier: BSD-3-Clause */
/* edns.c: EDNS (RFC 6891): the OPT record of a query read, its options dispatched, ours written */
#include "edns.h"

#include <time.h>

#include "cookie.h"

/*
 * One option of the query's OPT record (CODE, LEN octets at DATA, inside the record), noted in
 * Q: the message may be overwritten by its answer before edns_settle() decides. Unknown options
 * are ignored (RFC 6891 6.1.2).
 */
static void edns_option_read(struct zt_query *q, uint16_t code, const uint8_t *data, uint16_t len)
{
	switch (code) {
	case EDNS_OPTION_NSID:
		/* A query's NSID should be empty; Knot answers one that is not all the same. */
		q->opts |= EDNS_Q_NSID;
		break;
	case EDNS_OPTION_COOKIE:
		/* The last COOKIE option counts (as Knot). A client cookie of 8 octets, alone or
		 * with a server cookie of 8 to 32 (RFC 7873 4); any other length is FORMERR. */
		q->opts |= EDNS_Q_COOKIE;
		if (len != COOKIE_CLIENT_LEN && (len < COOKIE_CLIENT_LEN + COOKIE_SERVER_MIN ||
						 len > COOKIE_CLIENT_LEN + COOKIE_SERVER_MAX)) {
			q->opts |= EDNS_Q_COOKIE_BAD;
			break;
		}
		q->opts &= (uint8_t)~EDNS_Q_COOKIE_BAD;
		memcpy(q->cookie, data, len);
		q->cookie_len = (uint8_t)len;
		break;
	case EDNS_OPTION_PADDING:
		q->opts |= EDNS_Q_PADDING;
		break;
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
	q->opts = 0;
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
			q->edns = 0;
			return;
		}
		/* A TSIG (RFC 8945 5.1) only last, in the additional section; the caller verifies
		 * it (zones/tsig.c). Other records are skipped. */
		if (type == T_TSIG) {
			if (i + 1 != total || i < (unsigned)an + ns) {
				q->rcode = RC_FORMERR;
				q->edns = 0;
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
			q->edns = 0;
			return;
		}
		seen_opt = true;
		q->edns = EDNS_OPT_LEN;
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

bool edns_settle(const zt_t *zt, const zt_answer_ctx_t *ctx, struct zt_query *q)
{
	unsigned room = EDNS_OPT_LEN;

	if (q->edns == 0)
		return false;
	if ((q->opts & EDNS_Q_NSID) && zt->nsid_len != 0)
		room += 4u + zt->nsid_len;
	else
		q->opts &= (uint8_t)~EDNS_Q_NSID;
	/* BADVERS (an EDNS version we do not speak) comes first and without a cookie (Knot). */
	if (!(q->opts & EDNS_Q_COOKIE) || !zt->cookies || ctx->client_len == 0 ||
	    q->edns_version != 0) {
		q->opts &= (uint8_t) ~(EDNS_Q_COOKIE | EDNS_Q_COOKIE_BAD);
	} else if (q->opts & EDNS_Q_COOKIE_BAD) {
		/* Knot's mod-cookies: FORMERR, the OPT (and NSID) kept, no COOKIE. */
		q->opts &= (uint8_t) ~(EDNS_Q_COOKIE | EDNS_Q_COOKIE_BAD);
		if (q->rcode == 0)
			q->rcode = RC_FORMERR;
	} else {
		uint32_t now = (uint32_t)time(NULL);
		const bool had_server = q->cookie_len > COOKIE_CLIENT_LEN;

		if (!cookie_valid(q->cookie + COOKIE_CLIENT_LEN, q->cookie_len - COOKIE_CLIENT_LEN,
				  zt->cookie_secret, q->cookie, now, ctx->client,
				  ctx->client_len)) {
			/* None, or not ours, or too old: a fresh one. Over UDP nothing is answered
			 * but BADCOOKIE, whatever the opcode (RFC 7873 5.2.3, 5.4; Knot's
			 * badcookie-slip 1); over TCP the connection shows the client is where it
			 * says. A query without a question (no rcode yet, none read: QDCOUNT 0)
			 * asks for a server cookie (RFC 7873 5.4): NOERROR when it sent none,
			 * BADCOOKIE when the one it sent is not valid, whatever the transport. */
			cookie_make(q->cookie + COOKIE_CLIENT_LEN, zt->cookie_secret, q->cookie,
				    now, ctx->client, ctx->client_len);
			q->cookie_len = COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN;
			if (q->rcode == 0 &&
			    (q->has_question ? ctx->transport == ZT_UDP : had_server))
				q->rcode = RC_BADCOOKIE;
		}
		room += 4u + q->cookie_len;
	}
	q->edns = (uint8_t)room;
	return q->rcode == RC_BADCOOKIE;
}

size_t edns_put_opt(uint8_t *p, const zt_t *zt, const struct zt_query *q, uint8_t ext_rcode,
		    int ede)
{
	size_t len = edns_put_opt_plain(p, zt, q, ext_rcode);

	/* The options, each after the last; RDLENGTH (octets 9 and 10) counts them. Knot's
	 * order: NSID, COOKIE, EDE. */
	if (q->edns != EDNS_OPT_LEN) {
		if (q->opts & EDNS_Q_NSID)
			len += edns_option_put(p + len, EDNS_OPTION_NSID, zt->nsid, zt->nsid_len);
		if (q->opts & EDNS_Q_COOKIE)
			len +=
			    edns_option_put(p + len, EDNS_OPTION_COOKIE, q->cookie, q->cookie_len);
	}
	if (ede != EDE_NONE) {
		uint8_t code[2];

		wire_put16(code, (uint16_t)ede);
		len += edns_option_put(p + len, EDNS_OPTION_EDE, code, sizeof(code));
	}
	wire_put16(p + 9, (uint16_t)(len - EDNS_OPT_LEN));
	return len;
}
