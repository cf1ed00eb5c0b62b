/* SPDX-License-Identifier: BSD-3-Clause */
/* answer.c: the answer engine: query bytes + snapshot -> response bytes, no allocation */
#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "burst.h"
#include "denial.h"
#include "edns.h"
#include "ixfr.h"
#include "notify_soa.h"
#include "query.h"
#include "query_plain.h"
#include "render.h"
#include "resolve.h"
#include "zt_index.h"
#include "zt_pvt.h"

#define UDP_PAYLOAD_MAX 65507 /* the largest UDP payload over IPv4 */

/* A response tail to send after the question: a precomputed blob or a live rendering. */
struct tail {
	uint16_t flags;
	uint16_t an, ns, ar;
	const uint8_t *data;
	size_t len;
	uint64_t id; /* what the answer is, whatever the name asked (zt_answer_info) */
	const uint16_t *fix;
	unsigned nfix;
	int delta;     /* how far the blob moves (real minus reference qname length) */
	uint32_t zone; /* 1 + the answering zone's index (zt_answer_info) */
};

/* The live path renders here: per thread, so the engine never allocates. */
static __thread uint8_t live_buf[65536];
static __thread res_t live_res;
static __thread res_item_t live_items[RES_LIVE_ITEMS]; /* any answer a message can carry */
static __thread rbuf_t live_rb;

/* Header, question (as asked, 0x20 case kept) and nothing else; the start of every response. */
static size_t put_head(uint8_t *resp, const uint8_t *query, const struct zt_query *q,
		       uint16_t flags)
{
	uint16_t qflags = wire_get16(query + 2);

	if (resp != query)
		memmove(resp, query, 2);
	wire_put16(resp + 2, (uint16_t)(F_QR | (qflags & (F_OPCODE_MASK | F_RD)) | flags));
	wire_put16(resp + 4, q->has_question ? 1 : 0);
	memset(resp + 6, 0, 6);
	if (!q->has_question)
		return WIRE_HDR_LEN;
	if (resp != query)
		memmove(resp + WIRE_HDR_LEN, q->qname, q->qname_len + 4);
	return WIRE_HDR_LEN + q->qname_len + 4;
}

/* An answer with no records: errors, REFUSED, NOTIMP. */
static size_t answer_empty(const zt_t *zt, const uint8_t *query, const struct zt_query *q,
			   uint8_t *resp, uint16_t flags, uint8_t ext_rcode, int ede)
{
	size_t len = put_head(resp, query, q, flags);

	if (q->edns) {
		len += edns_put_opt(resp + len, zt, q, ext_rcode, ede);
		wire_put16(resp + 10, 1);
	}
	return len;
}

/* Header, question, the tail (its pointers moved by delta) and OPT. The tail fits: checked. */
static size_t emit(const zt_t *zt, const uint8_t *query, const struct zt_query *q, uint8_t *resp,
		   const struct tail *t)
{
	uint16_t ar = t->ar;
	size_t len = WIRE_HDR_LEN + q->qname_len + 4;

	/* put_head() with the counts at once: the header is written once. */
	if (resp != query) {
		memcpy(resp, query, 2);
		memcpy(resp + WIRE_HDR_LEN, q->qname, q->qname_len + 4);
	}
	wire_put16(resp + 2,
		   (uint16_t)(F_QR | (wire_get16(query + 2) & (F_OPCODE_MASK | F_RD)) | t->flags));
	wire_put16(resp + 4, 1);
	/* A denial composed in RESP is where it goes already. */
	if (t->data != resp + len)
		memcpy(resp + len, t->data, t->len);
	if (t->delta != 0) {
		for (unsigned i = 0; i < t->nfix; i++)
			zt_ptr_move(resp + len + t->fix[i], t->delta);
	}
	len += t->len;
	if (q->edns) {
		len += edns_put_opt_answer(resp + len, zt, q);
		ar++;
	}
	wire_put16(resp + 6, t->an);
	wire_put16(resp + 8, t->ns);
	wire_put16(resp + 10, ar);
	return len;
}

/* False when the blob at OFF cannot move DELTA octets (its pointers would pass 16383). */
static inline bool blob_moves(const zt_t *zt, uint32_t off, int delta)
{
	return zt_blob_moves(zt_blob(zt, off), delta);
}

/*
 * The precomputed answer B moved by DELTA: header and question (as asked) copied at once, the
 * blob, its pointers moved, our OPT; the header's words written once. It fits: checked.
 */
static inline size_t emit_blob(const zt_t *zt, const uint8_t *query, const struct zt_query *q,
			       uint8_t *resp, const zt_blob_t *b, int delta)
{
	const size_t head = WIRE_HDR_LEN + q->qname_len + 4;
	const uint16_t qflags = wire_get16(query + 2);
	uint8_t *p = resp + head;
	uint16_t ar = b->ar;
	size_t len = head + b->len;

	if (resp != query)
		memcpy(resp, query, head);
	memcpy(p, zt_blob_data(b), b->len);
	if (delta != 0) {
		const uint16_t *fix = zt_blob_fix(b);
		const uint8_t *src = zt_blob_data(b);
		const unsigned nfix = b->nfix;

		for (unsigned i = 0; i < nfix; i++)
			zt_ptr_put_moved(p + fix[i], src + fix[i], delta);
	}
	if (q->edns) {
		len += edns_put_opt_answer(resp + len, zt, q);
		ar++;
	}
#ifdef __SSE4_2__
	/*
	 * The header in one store with the question's first four octets (QUERY's sixteen, which
	 * RESP holds too): the blob's flags and counts (host order, ARCOUNT with our OPT) moved
	 * to octets 2..11 big-endian, QR and QDCOUNT's 1 added, the query's opcode and RD kept.
	 */
	{
		const __m128i order = _mm_setr_epi8(-128, -128, 1, 0, -128, -128, 3, 2, 5, 4, 7, 6,
						    -128, -128, -128, -128);
		const __m128i fixed =
		    _mm_setr_epi8(0, 0, (char)(F_QR >> 8), 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
		const __m128i keep = _mm_setr_epi8(0, 0, (char)((F_OPCODE_MASK | F_RD) >> 8),
						   (char)((F_OPCODE_MASK | F_RD) & 0xff), 0, 0, 0,
						   0, 0, 0, 0, 0, 0, 0, 0, 0);
		const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)query);
		__m128i h = _mm_loadl_epi64((const __m128i *)(const void *)b);

		(void)qflags;
		h = _mm_insert_epi16(h, ar, 3);
		h = _mm_or_si128(_mm_shuffle_epi8(h, order),
				 _mm_or_si128(fixed, _mm_and_si128(v, keep)));
		_mm_storeu_si128((__m128i *)(void *)resp, _mm_blend_epi16(v, h, 0x3e));
	}
#else
	wire_put16(resp + 2, (uint16_t)(F_QR | (qflags & (F_OPCODE_MASK | F_RD)) | b->flags));
	wire_put16(resp + 4, 1);
	wire_put16(resp + 6, b->an);
	wire_put16(resp + 8, b->ns);
	wire_put16(resp + 10, ar);
#endif
	return len;
}

/*
 * The rare path: resolve and render now, for what has no blob (DNAME, DNSSEC denial with DO)
 * and for answers larger than the client takes, which are truncated as Knot truncates them.
 * LIMIT is the whole message's size without our OPT record.
 */
static bool tail_live(struct tail *t, const zt_t *zt, const struct zt_query *q, size_t limit)
{
	rbuf_t *rb = &live_rb;
	res_t *r = &live_res;
	uint16_t counts[3];
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;

	res_init(r, live_items, RES_LIVE_ITEMS);
	r->limit = limit;
	res_resolve(zt, q->qname, q->qtype, q->dnssec, r);
	if (r->overflow)
		return false;
	rbuf_start(rb, live_buf, sizeof(live_buf), q->qname, q->qtype, q->qclass, false,
		   wire_name_labels(q->qname));
	rb->limit = limit;
	rbuf_put_res(rb, zt, r, counts);
	if (rb->err != 0)
		return false;
	t->flags = (uint16_t)(r->flags | (rb->tc ? F_TC : 0));
	t->an = counts[0];
	t->ns = counts[1];
	t->ar = counts[2];
	t->data = rb->buf + head;
	t->len = rb->len - head;
	/* Rendered live: the first RRset it holds (an SOA for negative answers, a wildcard's). */
	t->id = r->n != 0 && r->item[0].rrset != ZT_NONE ? (1ull << 32 | r->item[0].rrset) : 0;
	t->fix = NULL;
	t->nfix = 0;
	t->delta = 0;
	return true;
}

static uint32_t find_ans(const zt_t *zt, uint32_t first, uint16_t n, uint16_t qtype)
{
	for (uint32_t i = first; i < first + n; i++)
		if (zt->ans[i].qtype == qtype)
			return zt->ans[i].blob;
	return ZT_NONE;
}

/* The precomputed answer for a node that the question reached, or ZT_NONE / ZT_LIVE to go
 * live. Inlined: the common answer is its first line, a call would cost more than the rest. */
static inline __attribute__((always_inline)) uint32_t
node_blob(const zt_t *zt, const zt_node_t *node, uint16_t qtype, bool dnssec)
{
	uint32_t b;

	if (dnssec) {
		b = find_ans(zt, node->ans_do, node->nans_do, qtype);
		return b != ZT_NONE ? b : node->ans_default_do;
	}
	if (node->ans0_qtype == qtype)
		return node->ans0_blob;
	b = find_ans(zt, node->ans, node->nans, qtype);
	if (b != ZT_NONE)
		return b;
	/* Most nodes' NODATA is their zone's (a patch renders it again with a new SOA). */
	return node->ans_default == ZT_ZONE_NODATA ? zt->zones[node->zone].nodata
						   : node->ans_default;
}

/* What lookup() found for a question. */
enum lookup_outcome {
	LOOKUP_BLOB,	/* a precomputed answer: its offset and how far it moves */
	LOOKUP_LIVE,	/* none that serves: resolve and render now (tail_live()) */
	LOOKUP_DENIAL,	/* a name that does not exist, DO set, signed: composed (denial.c) */
	LOOKUP_NODATA,	/* a NODATA with DO kept in parts (ZT_NODATA_SPLIT): joined (denial.c) */
	LOOKUP_REFUSED, /* no served zone holds the name */
};

/* The blob at OFF moved by DELTA (into *OFF and *DELTA), or LOOKUP_LIVE when it cannot move
 * that far. */
static inline enum lookup_outcome found_blob(const zt_t *zt, uint32_t blob, int move, uint32_t *off,
					     int *delta)
{
	*off = blob;
	*delta = move;
	return blob_moves(zt, blob, move) ? LOOKUP_BLOB : LOOKUP_LIVE;
}

/*
 * Finds the precomputed answer for Q: its blob's offset and move when there is one; *ZONE is 1 +
 * the index of the zone that holds the name.
 */
static inline __attribute__((always_inline)) enum lookup_outcome
lookup(const zt_t *zt, const struct zt_query *q, uint32_t *off, int *delta, uint32_t *zone)
{
	const uint8_t *k = q->key;
	size_t len = q->qname_len;
	uint32_t n = zt_find_slack_h(zt, k, len, q->hash);
	const zt_node_t *node;
	bool dnssec;
	uint32_t blob;
	uint32_t ref_len;

	if (n != ZT_NONE) {
		/* DS lives on the parent side of a cut (RFC 4035 3.1.4.1). */
		if (q->qtype == T_DS && zt->nodes[n].parent_side != ZT_NONE)
			n = zt->nodes[n].parent_side;
		node = &zt->nodes[n];
		*zone = node->zone + 1;
		dnssec = q->dnssec && (node->flags & ZN_SIGNED);
		if (node->deleg != ZT_NONE) {
			const zt_node_t *d = &zt->nodes[node->deleg];

			if (!(d->flags & ZN_CUT))
				return LOOKUP_LIVE;
			if (!(node->deleg == n && q->qtype == T_DS)) {
				/* Glue names have a referral of their own; others use the cut's. */
				const zt_node_t *from = node->referral != ZT_NONE ? node : d;

				blob = dnssec ? from->referral_do : from->referral;
				if (blob >= ZT_LIVE)
					return LOOKUP_LIVE;
				return found_blob(zt, blob, (int)len - (int)from->name_len, off,
						  delta);
			}
		}
		blob = node_blob(zt, node, q->qtype, dnssec);
		if (blob >= ZT_NODATA_SPLIT) {
			*off = n;
			return blob == ZT_NODATA_SPLIT ? LOOKUP_NODATA : LOOKUP_LIVE;
		}
		ref_len = zt_blob(zt, blob)->ref_qlen;
		return found_blob(zt, blob, (int)len - (int)ref_len, off, delta);
	}
	while (*k != 0) {
		len -= (size_t)*k + 1;
		k += *k + 1;
		n = zt_find_slack(zt, k, len);
		if (n != ZT_NONE)
			break;
	}
	if (n == ZT_NONE)
		return LOOKUP_REFUSED;
	node = &zt->nodes[n];
	*zone = node->zone + 1;
	dnssec = q->dnssec && (node->flags & ZN_SIGNED);
	if (node->deleg != ZT_NONE) {
		const zt_node_t *d = &zt->nodes[node->deleg];
		const zt_node_t *from = node->referral != ZT_NONE ? node : d;

		if (!(d->flags & ZN_CUT))
			return LOOKUP_LIVE;
		blob = dnssec ? from->referral_do : from->referral;
		if (blob >= ZT_LIVE)
			return LOOKUP_LIVE;
		return found_blob(zt, blob, (int)q->qname_len - (int)from->name_len, off, delta);
	}
	if (node->flags & ZN_DNAME)
		return LOOKUP_LIVE;
	if (dnssec) {
		*off = n; /* the closest encloser */
		return LOOKUP_DENIAL;
	}
	if (node->wildcard != ZT_NONE) {
		blob = node_blob(zt, &zt->nodes[node->wildcard], q->qtype, false);
		if (blob >= ZT_LIVE)
			return LOOKUP_LIVE;
	} else {
		blob = zt->zones[node->zone].nxdomain;
	}
	ref_len = zt_blob(zt, blob)->ref_qlen;
	return found_blob(zt, blob, (int)q->qname_len - (int)ref_len, off, delta);
}

/*
 * Whether KEY (LEN octets, a lower-case wire name) is at or under a zone served with no data (an
 * expired secondary zone): SERVFAIL there, as Knot answers. Only on the way to REFUSED.
 */
static bool under_absent(const zt_t *zt, const uint8_t *key, size_t len)
{
	for (const uint8_t *a = zt->absent; a < zt->absent + zt->absent_len;) {
		size_t alen = wire_name_len(a);
		const uint8_t *k = key;
		size_t klen = len;

		while (klen > alen) {
			klen -= (size_t)*k + 1;
			k += *k + 1;
		}
		if (klen == alen && memcmp(k, a, alen) == 0)
			return true;
		a += alen;
	}
	return false;
}

/* The serial of the SOA we serve: its RDATA after MNAME and RNAME. */
static uint32_t soa_serial(const zt_t *zt, const zt_zone_t *zone)
{
	const uint8_t *rd = zt->arena + zt->rrsets[zone->soa].data + 2;

	rd += wire_name_len(rd);
	rd += wire_name_len(rd);
	return wire_get32(rd);
}

/*
 * The zone's SOA alone in the answer, AA clear, as Knot answers IXFR over UDP and IXFR from a
 * client whose serial is current (RFC 1995 2 and 4); the message fits LIMIT (TC if not).
 */
static bool tail_soa(struct tail *t, const zt_t *zt, const struct zt_query *q,
		     const zt_zone_t *zone, size_t limit)
{
	rbuf_t *rb = &live_rb;
	res_t *r = &live_res;
	uint16_t counts[3];
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;

	res_init(r, live_items, RES_LIVE_ITEMS);
	r->item[0] = (res_item_t){.section = 1,
				  .owner_kind = OWN_NODE,
				  .node = zone->apex,
				  .rrset = zone->soa,
				  .ttl_override = ZT_NONE};
	r->n = 1;
	rbuf_start(rb, live_buf, sizeof(live_buf), q->qname, q->qtype, q->qclass, false,
		   wire_name_labels(q->qname));
	rb->limit = limit;
	rbuf_put_res(rb, zt, r, counts);
	if (rb->err != 0)
		return false;
	t->flags = rb->tc ? F_TC : 0;
	t->an = counts[0];
	t->ns = t->ar = 0;
	t->data = rb->buf + head;
	t->len = rb->len - head;
	t->id = 1ull << 32 | zone->soa;
	t->fix = NULL;
	t->nfix = 0;
	t->delta = 0;
	return true;
}

/*
 * IXFR (RFC 1995) without history: the SOA alone over UDP and to a client as new as we are (or
 * newer), else the whole zone AXFR-style (zt_xfr_render(), question kept). Knot without a
 * journal answers so. True when T holds the SOA answer to emit; else *LEN is the answer (an
 * error), or 0 for a transfer (info->xfr).
 */
static bool answer_ixfr(const zt_t *zt, const uint8_t *query, size_t qlen, const struct zt_query *q,
			uint8_t *resp, size_t limit, const zt_answer_ctx_t *ctx,
			const zt_zone_t *zone, zt_answer_info_t *info, struct tail *t, size_t *len)
{
	uint32_t theirs, ours;
	uint8_t rcode = RC_SERVFAIL;

	*len = 0;
	if (!ctx->xfr_allowed && ctx->xfr_ask) {
		/* The caller has not looked at the transfer ACL yet (UDP): it does, then again. */
		info->xfr_ask = true;
		return false;
	}
	if (!ctx->xfr_allowed) {
		rcode = RC_NOTAUTH;
	} else if (!ixfr_query_serial(query, qlen, q, &theirs)) {
		rcode = RC_FORMERR;
	} else {
		ours = soa_serial(zt, zone);
		/* RFC 1982: ours at most theirs (a difference of exactly 2^31 is neither way). */
		if (ctx->transport == ZT_TCP && (int32_t)(theirs - ours) < 0) {
			info->xfr = true;
			return false;
		}
		if (tail_soa(t, zt, q, zone, limit - edns_reserve(q)))
			return true;
	}
	info->rcode = rcode;
	*len = answer_empty(zt, query, q, resp, rcode, 0, EDE_NONE);
	return false;
}

/* CHAOS-class TXT about the server (RFC 4892), only what the operator configured. */
static size_t answer_chaos(const zt_t *zt, const uint8_t *query, const struct zt_query *q,
			   uint8_t *resp, size_t limit)
{
	static const uint8_t id_server[] = "\002id\006server";
	static const uint8_t hostname_bind[] = "\010hostname\004bind";
	static const uint8_t version_server[] = "\007version\006server";
	static const uint8_t version_bind[] = "\007version\004bind";
	const char *text = NULL;
	size_t len, tlen;

	if (q->qtype == T_TXT || q->qtype == T_ANY) {
		if (memcmp(q->key, id_server, sizeof(id_server)) == 0 ||
		    memcmp(q->key, hostname_bind, sizeof(hostname_bind)) == 0)
			text = zt->identity;
		else if (memcmp(q->key, version_server, sizeof(version_server)) == 0 ||
			 memcmp(q->key, version_bind, sizeof(version_bind)) == 0)
			text = zt->version;
	}
	if (text == NULL)
		return answer_empty(zt, query, q, resp, RC_REFUSED, 0, EDE_NONE);
	tlen = strlen(text);
	if (tlen > 255)
		tlen = 255;
	/* Not authoritative data: AA stays clear (as Knot and NSD). */
	if (WIRE_HDR_LEN + q->qname_len + 4 + 12 + 1 + tlen + edns_reserve(q) > limit)
		return answer_empty(zt, query, q, resp, F_TC, 0, EDE_NONE);
	len = put_head(resp, query, q, 0);
	wire_put16(resp + len, 0xc000 | WIRE_HDR_LEN);
	wire_put16(resp + len + 2, T_TXT);
	wire_put16(resp + len + 4, C_CH);
	wire_put32(resp + len + 6, 0);
	wire_put16(resp + len + 10, (uint16_t)(tlen + 1));
	resp[len + 12] = (uint8_t)tlen;
	memcpy(resp + len + 13, text, tlen);
	len += 13 + tlen;
	wire_put16(resp + 6, 1);
	if (q->edns) {
		len += edns_put_opt_answer(resp + len, zt, q);
		wire_put16(resp + 10, 1);
	}
	return len;
}

/* What records_rest() found past the question. */
enum rest { REST_ON, REST_TSIG, REST_BADCOOKIE, REST_OPT_FORMERR };

/*
 * The records after the question when they are more than one plain OPT (off the common path):
 * REST_TSIG for a signed query (RFC 8945: nothing written until the caller verified and
 * stripped it); REST_BADCOOKIE when the cookie asks for that answer whatever the opcode (Knot),
 * unless the message is FORMERR (octets past its records, no question); REST_OPT_FORMERR when an
 * option is malformed (a COOKIE of a length RFC 7873 does not allow): FORMERR whatever the opcode,
 * as Knot answers; else REST_ON, with NSID and cookies settled (the room their answer takes).
 */
static enum rest __attribute__((noinline))
records_rest(const zt_t *zt, const zt_answer_ctx_t *ctx, wire_ctx_t *c, struct zt_query *q,
	     uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	edns_parse_records(c, q, an, ns, ar);
	if (q->tsig && q->rcode == 0 && c->err == 0 && c->pos == c->end)
		return REST_TSIG;
	if (q->opts != 0) {
		const bool was_formerr = q->rcode == RC_FORMERR;

		if (edns_settle(zt, ctx, q) && c->err == 0 && c->pos == c->end && qd == 1)
			return REST_BADCOOKIE;
		if (!was_formerr && q->rcode == RC_FORMERR && c->err == 0 && c->pos == c->end &&
		    qd == 1)
			return REST_OPT_FORMERR;
	}
	return REST_ON;
}

/* The largest response to Q: the client's EDNS size within ours over UDP, else 512; never below. */
static size_t answer_limit(const zt_t *zt, const struct zt_query *q, const zt_answer_ctx_t *ctx,
			   size_t cap)
{
	size_t limit;

	if (ctx->transport == ZT_TCP) {
		limit = cap < 65535 ? cap : 65535;
	} else {
		limit = q->edns ? (q->payload < zt->udp_max ? q->payload : zt->udp_max) : 512;
		/* What one UDP datagram can carry over IPv4 (65535 - 20 - 8): more is never sent.
		 */
		if (limit > UDP_PAYLOAD_MAX)
			limit = UDP_PAYLOAD_MAX;
	}
	return limit < cap ? limit : cap;
}

/* Q's answer with the tail T after its question; INFO says what it is. */
static size_t __attribute__((noinline))
answer_tail(const zt_t *zt, const uint8_t *query, const struct zt_query *q, uint8_t *resp,
	    const struct tail *t, zt_answer_info_t *info)
{
	size_t len;

	info->zone = t->zone;
	info->truncated = (t->flags & F_TC) != 0;
	info->answer = t->id;
	len = emit(zt, query, q, resp, t);
	info->rcode = (uint8_t)(wire_get16(resp + 2) & 0xf);
	return len;
}

/*
 * What lookup() FOUND that is no blob sent as it is (out of the common path): a signed zone's
 * denial with DO (a blob made at compile time, else composed by denial.c), a NODATA with DO kept
 * in parts, or the live path (nothing precomputed, or a blob over the client's size). OFF and
 * ZONE as lookup() gave them; LIMIT 0 when not computed yet.
 */
static size_t __attribute__((noinline))
answer_rest(const zt_t *zt, const zt_answer_ctx_t *ctx, const uint8_t *query,
	    const struct zt_query *q, uint8_t *resp, size_t cap, size_t limit,
	    enum lookup_outcome found, uint32_t off, uint32_t zone, zt_answer_info_t *info)
{
	struct tail t = {.zone = zone};
	struct denial_tail d;
	bool composed = false;

	if (limit == 0)
		limit = answer_limit(zt, q, ctx, cap);
	if (found == LOOKUP_DENIAL) {
		/* No blob made whole that fits (answer_denial()). Composed in RESP itself (LIMIT is
		 * within CAP): emit() copies none of it. In place, what it overwrites past the
		 * question was read (Q), as a blob overwrites it. */
		composed = denial_n3_answer(zt, q, off, limit - edns_reserve(q), resp, cap, &d) ||
			   denial_answer(zt, q, off, limit - edns_reserve(q), resp, cap, &d);
	} else if (found == LOOKUP_NODATA) {
		composed = denial_nodata(zt, q, off, limit - edns_reserve(q), resp, cap, &d);
	}
	if (composed) {
		t = (struct tail){.flags = d.flags,
				  .an = d.an,
				  .ns = d.ns,
				  .ar = d.ar,
				  .data = d.data,
				  .len = d.len,
				  .id = d.id,
				  .zone = zone};
	} else if (!tail_live(&t, zt, q, limit - edns_reserve(q)) ||
		   (live_rb.cut && ctx->transport == ZT_TCP)) {
		/* Over TCP an answer or authority section that does not fit the largest message
		 * is SERVFAIL; a referral whose glue does not fit keeps TC (both as Knot). */
		info->rcode = RC_SERVFAIL;
		return answer_empty(zt, query, q, resp, RC_SERVFAIL, 0, EDE_NONE);
	}
	return answer_tail(zt, query, q, resp, &t, info);
}

/*
 * A name that does not exist, DO set, in a signed zone (LOOKUP_DENIAL, CE its closest encloser):
 * an NSEC zone's NXDOMAIN or wildcard answer made whole at compile time, sent as a blob when
 * it fits as answer_found() sends one; else answer_rest(). Apart from answer_rest(): its frame
 * is larger, and these denials are a common answer of signed zones.
 */
static size_t __attribute__((noinline))
answer_denial(const zt_t *zt, const zt_answer_ctx_t *ctx, const uint8_t *query,
	      const struct zt_query *q, uint8_t *resp, size_t cap, size_t limit, uint32_t ce,
	      uint32_t zone, zt_answer_info_t *info)
{
	uint64_t id;
	int delta;
	const uint32_t nb = denial_blob(zt, q, ce, &delta, &id);

	if (nb != ZT_NONE) {
		const zt_blob_t *b = zt_blob(zt, nb);
		const size_t need = WIRE_HDR_LEN + q->qname_len + 4 + b->len + edns_reserve(q);

		if (__builtin_expect(need <= 512, 1) ||
		    need <= (limit != 0 ? limit : (limit = answer_limit(zt, q, ctx, cap)))) {
			info->zone = zone;
			info->answer = id;
			info->rcode = (uint8_t)(b->flags & 0xf);
			return emit_blob(zt, query, q, resp, b, delta);
		}
	}
	return answer_rest(zt, ctx, query, q, resp, cap, limit, LOOKUP_DENIAL, ce, zone, info);
}

/*
 * The question Q read (a plain query, or one the general path let through): its lookup, and the
 * precomputed answer sent as it is when it fits, else answer_rest(). LIMIT 0 when not computed
 * yet. Inlined into answer() and zt_answer_parsed().
 */
static inline __attribute__((always_inline)) size_t
answer_found(const zt_t *zt, const uint8_t *query, const struct zt_query *q, uint8_t *resp,
	     size_t cap, size_t limit, const zt_answer_ctx_t *ctx, zt_answer_info_t *info)
{
	uint32_t off = 0, zone;
	int delta;
	enum lookup_outcome found;

	found = lookup(zt, q, &off, &delta, &zone);
	switch (__builtin_expect(found, LOOKUP_BLOB)) {
	case LOOKUP_REFUSED:
		if (zt->absent_len != 0 && under_absent(zt, q->key, q->qname_len)) {
			info->rcode = RC_SERVFAIL;
			return answer_empty(zt, query, q, resp, RC_SERVFAIL, 0, EDE_NONE);
		}
		info->rcode = RC_REFUSED;
		return answer_empty(zt, query, q, resp, RC_REFUSED, 0, EDE_NOT_AUTHORITATIVE);
	case LOOKUP_BLOB: {
		/* The precomputed answer when it fits with our OPT (any answer fits 512 octets,
		 * the least limit); else rendered live, truncated. */
		const zt_blob_t *b = zt_blob(zt, off);
		const size_t need = WIRE_HDR_LEN + q->qname_len + 4 + b->len + edns_reserve(q);

		if (__builtin_expect(need <= 512, 1) ||
		    need <= (limit != 0 ? limit : (limit = answer_limit(zt, q, ctx, cap)))) {
			/* Never truncated (make_blob() keeps no rendering with TC): info->truncated
			 * stays false. */
			info->zone = zone;
			info->answer = (uint64_t)off + 1;
			info->rcode = (uint8_t)(b->flags & 0xf);
			return emit_blob(zt, query, q, resp, b, delta);
		}
		found = LOOKUP_LIVE;
	}
		/* fall through */
	default:
		if (found == LOOKUP_DENIAL)
			return answer_denial(zt, ctx, query, q, resp, cap, limit, off, zone, info);
		return answer_rest(zt, ctx, query, q, resp, cap, limit, found, off, zone, info);
	}
}

/*
 * The engine, inlined into its two entries: zt_answer(), and zt_answer_inplace() for the UDP
 * paths, where RESP is QUERY (the header and question stay where they are: the tests and copies
 * for that fold away, and the call takes six arguments, all in registers).
 */
static inline __attribute__((always_inline)) size_t answer(const zt_t *zt, const uint8_t *query,
							   size_t qlen, uint8_t *resp, size_t cap,
							   const zt_answer_ctx_t *ctx,
							   zt_answer_info_t *info)
{
	struct zt_query q;
	wire_ctx_t c;
	uint16_t flags, qd, an, ns, ar;
	size_t limit = 0; /* 0: not needed yet (answer_limit()) */
	struct tail t;
	size_t len;

	memset(info, 0, sizeof(*info));
	if (__builtin_expect(cap >= 512 && query_plain(query, qlen, &q), 1)) {
		info->qtype = q.qtype;
		goto lookup;
	}
	if (qlen < WIRE_HDR_LEN || cap < 512) {
		info->dropped = true;
		return 0;
	}
	flags = wire_get16(query + 2);
	if (flags & F_QR) {
		/* Never answer a response: that is how reflection loops start. */
		info->dropped = true;
		return 0;
	}
	q.has_question = false;
	q.edns = 0;
	q.dnssec = false;
	q.rcode = 0;
	q.edns_version = 0;
	q.payload = 512;
	q.qname_len = 0;
	qd = wire_get16(query + 4);
	an = wire_get16(query + 6);
	ns = wire_get16(query + 8);
	ar = wire_get16(query + 10);
	wire_ctx_init(&c, query, qlen);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	if (qd == 1) {
		if (query_parse_qname(&c, &q) && wire_ctx_left(&c) >= 4) {
			/* Four octets are there: read without the cursor's checks. */
			q.qtype = wire_get16(c.pos);
			q.qclass = wire_get16(c.pos + 2);
			info->qtype = q.qtype;
			c.pos += 4;
			q.has_question = true;
		} else if (ctx->transport == ZT_TCP) {
			/* A stream that lies about its content: the caller closes it (as Knot). */
			info->dropped = true;
			return 0;
		} else {
			q.rcode = RC_FORMERR;
			c.err = -1;
		}
	} else if (qd != 0) {
		q.rcode = RC_FORMERR;
		c.err = -1;
	}
	/* Even a question-less query may carry an OPT that its FORMERR should echo. */
	if (c.err == 0 && (an | ns | ar) != 0 && !edns_parse_plain(&c, &q, an, ns, ar)) {
		switch (records_rest(zt, ctx, &c, &q, qd, an, ns, ar)) {
		case REST_TSIG:
			info->tsig = true;
			return 0;
		case REST_BADCOOKIE:
			info->rcode = RC_BADCOOKIE;
			return answer_empty(zt, query, &q, resp, RC_BADCOOKIE & 0xf,
					    RC_BADCOOKIE >> 4, EDE_NONE);
		case REST_OPT_FORMERR:
			info->rcode = RC_FORMERR;
			return answer_empty(zt, query, &q, resp, RC_FORMERR, 0, EDE_NONE);
		default:
			break;
		}
	}
	/* Octets past what the counts announce: FORMERR whatever the opcode, without OPT (Knot's
	 * parser refuses the whole message; the question it read is echoed). */
	if (c.err == 0 && c.pos != c.end) {
		q.edns = 0;
		info->rcode = RC_FORMERR;
		return answer_empty(zt, query, &q, resp, RC_FORMERR, 0, EDE_NONE);
	}
	/* No question: FORMERR, unless a QUERY asks for a server cookie with a well-formed COOKIE
	 * and cookies are on (RFC 7873 5.4; edns_settle() chose NOERROR or BADCOOKIE). */
	if (qd == 0 &&
	    !(c.err == 0 && (flags & F_OPCODE_MASK) == 0 && q.edns && (q.opts & EDNS_Q_COOKIE)))
		q.rcode = RC_FORMERR;
	limit = answer_limit(zt, &q, ctx, cap);
	info->rcode = q.rcode;
	/* An EDNS version we do not speak is BADVERS whatever the opcode (RFC 6891 6.1.3). */
	if (q.rcode == 0 && q.edns && q.edns_version > 0) {
		info->rcode = RC_BADVERS;
		return answer_empty(zt, query, &q, resp, 0, 1, EDE_NONE);
	}
	switch ((flags & F_OPCODE_MASK) >> 11) {
	case 0:
		break;
	case 4:
		/* NOTIFY is defined for an SOA only (RFC 1996 3.2): another question is FORMERR, as
		 * Knot and BIND answer it, and flags no refresh. */
		if (q.rcode == 0 && q.has_question && q.qtype != T_SOA) {
			info->rcode = RC_FORMERR;
			return answer_empty(zt, query, &q, resp, RC_FORMERR, 0, EDE_NONE);
		}
		/* NOTAUTH, as Knot answers it for a zone it is no secondary of or from a peer not
		 * allowed; the caller may make it NOERROR (info->notify, control/). */
		info->notify = q.rcode == 0 && q.has_question;
		/* Read before the answer is written over the query. */
		info->notify_soa =
		    info->notify && an != 0 &&
		    notify_soa_serial(query, qlen, q.qname_len, &info->notify_serial);
		info->rcode = RC_NOTAUTH;
		return answer_empty(zt, query, &q, resp, RC_NOTAUTH, 0, EDE_NONE);
	default:
		info->rcode = RC_NOTIMP;
		return answer_empty(zt, query, &q, resp, RC_NOTIMP, 0, EDE_NONE);
	}
	if (q.rcode != 0) {
		/* Echo nothing we could not read. */
		q.has_question = q.has_question && c.err == 0;
		return answer_empty(zt, query, &q, resp, q.rcode & 0xf, (uint8_t)(q.rcode >> 4),
				    EDE_NONE);
	}
	/* The server cookie asked for (above): an empty NOERROR with it. */
	if (qd == 0)
		return answer_empty(zt, query, &q, resp, 0, 0, EDE_NONE);
	/* Class IN and an ordinary type (not 0, AXFR, IXFR): one test for what most queries are. */
	if (q.qclass == C_IN && (uint16_t)(q.qtype - 1) < T_IXFR - 1)
		goto lookup;
	if (q.qclass == C_CH) {
		len = answer_chaos(zt, query, &q, resp, limit);
		info->rcode = (uint8_t)(wire_get16(resp + 2) & 0xf);
		return len;
	}
	if (q.qclass != C_IN && q.qclass != C_ANY) {
		info->rcode = RC_REFUSED;
		return answer_empty(zt, query, &q, resp, RC_REFUSED, 0, EDE_NONE);
	}
	if (q.qtype == 0) {
		info->rcode = RC_NOTIMP;
		return answer_empty(zt, query, &q, resp, RC_NOTIMP, 0, EDE_NONE);
	}
	if (q.qtype == T_AXFR || q.qtype == T_IXFR) {
		uint32_t n = zt_find(zt, q.key, q.qname_len);

		if (ctx->transport != ZT_TCP && q.qtype == T_AXFR) {
			info->rcode = RC_NOTIMP;
			return answer_empty(zt, query, &q, resp, info->rcode, 0, EDE_NONE);
		}
		if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX)) {
			info->rcode = RC_NOTAUTH;
			return answer_empty(zt, query, &q, resp, RC_NOTAUTH, 0, EDE_NONE);
		}
		info->zone = t.zone = zt->nodes[n].zone + 1;
		if (q.qtype == T_IXFR) {
			if (answer_ixfr(zt, query, qlen, &q, resp, limit, ctx,
					&zt->zones[zt->nodes[n].zone], info, &t, &len))
				goto answer;
			return len;
		}
		if (!ctx->xfr_allowed) {
			info->rcode = RC_NOTAUTH;
			return answer_empty(zt, query, &q, resp, RC_NOTAUTH, 0, EDE_NONE);
		}
		info->xfr = true;
		return 0;
	}
lookup:
	return answer_found(zt, query, &q, resp, cap, limit, ctx, info);
answer:
	return answer_tail(zt, query, &q, resp, &t, info);
}

size_t zt_answer(const zt_t *zt, const uint8_t *query, size_t qlen, uint8_t *resp, size_t cap,
		 const zt_answer_ctx_t *ctx, zt_answer_info_t *info)
{
	return answer(zt, query, qlen, resp, cap, ctx, info);
}

size_t zt_answer_inplace(const zt_t *zt, uint8_t *buf, size_t qlen, size_t cap,
			 const zt_answer_ctx_t *ctx, zt_answer_info_t *info)
{
	return answer(zt, buf, qlen, buf, cap, ctx, info);
}

size_t zt_answer_parsed(const zt_t *zt, uint8_t *buf, const struct zt_query *q, size_t cap,
			const zt_answer_ctx_t *ctx, zt_answer_info_t *info)
{
	memset(info, 0, sizeof(*info));
	info->qtype = q->qtype;
	return answer_found(zt, buf, q, buf, cap, 0, ctx, info);
}
