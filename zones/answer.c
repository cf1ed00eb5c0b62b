/* SPDX-License-Identifier: BSD-3-Clause */
/* answer.c: the answer engine: query bytes + snapshot -> response bytes, no allocation */
#include <string.h>

#include "zt_pvt.h"

#define OPT_RR_LEN 11
#define OPT_EDE 15
#define EDE_NONE (-1)
#define EDE_NOT_AUTHORITATIVE 20

/* What the one pass over the query found. */
struct query {
	const uint8_t *qname;   /* in the query, original case */
	size_t qname_len;
	uint8_t key[WIRE_NAME_MAX + 1]; /* lower-cased */
	uint16_t qtype;
	uint16_t qclass;
	bool has_question;
	bool edns;
	bool dnssec;
	uint8_t edns_version;
	uint16_t payload;
	uint8_t rcode;          /* an error found while parsing (FORMERR...) or 0 */
};

/* A response tail to send after the question: a precomputed blob or a live rendering. */
struct tail {
	uint16_t flags;
	uint16_t an, ns, ar;
	const uint8_t *data;
	size_t len;
	const uint16_t *fix;
	unsigned nfix;
	const uint32_t *sets;   /* pairs: end|section, count */
	unsigned nsets;
	int delta;              /* how far the blob moves (real minus reference qname length) */
};

/* The live path renders here: per thread, so the engine never allocates. */
static __thread uint8_t live_buf[65536];
static __thread res_t live_res;
static __thread rbuf_t live_rb;

static bool parse_qname(wire_ctx_t *c, struct query *q)
{
	const uint8_t *start = c->pos;
	size_t len = 0;

	for (;;) {
		uint8_t l;

		if (wire_ctx_left(c) < 1)
			return false;
		l = *c->pos;
		/* A question name is the first name: it has nothing to point back to. */
		if (l > WIRE_LABEL_MAX)
			return false;
		if (wire_ctx_left(c) < (size_t)l + 1 || len + l + 1 > WIRE_NAME_MAX)
			return false;
		q->key[len] = l;
		for (uint8_t i = 1; i <= l; i++)
			q->key[len + i] = wire_lower(c->pos[i]);
		len += (size_t)l + 1;
		c->pos += l + 1;
		if (l == 0)
			break;
	}
	q->qname = start;
	q->qname_len = len;
	return true;
}

/* Reads the rest of the message: only the OPT record matters to us (RFC 6891). */
static void parse_records(wire_ctx_t *c, struct query *q, uint16_t an, uint16_t ns, uint16_t ar)
{
	unsigned total = (unsigned)an + ns + ar;
	bool seen_opt = false;

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
			return;
		}
		if (type != T_OPT)
			continue;
		/* One OPT, in the additional section, owned by the root. */
		if (i < (unsigned)an + ns || seen_opt || owner_len != 1 || owner[0] != 0) {
			q->rcode = RC_FORMERR;
			return;
		}
		seen_opt = true;
		for (size_t o = 0; o < rdlen;) {
			if (rdlen - o < 4 || rdlen - o - 4 < wire_get16(rd + o + 2)) {
				q->rcode = RC_FORMERR;
				return;
			}
			o += 4u + wire_get16(rd + o + 2);
		}
		q->edns = true;
		q->payload = cls < 512 ? 512 : cls;
		q->edns_version = (uint8_t)(ttl_hi & 0xff);
		q->dnssec = (ttl_lo & EDNS_DO) != 0;
	}
}

/* The OPT record of a response; EDE (RFC 8914) only when ede is not EDE_NONE. */
static size_t put_opt(uint8_t *p, const zt_t *zt, const struct query *q, uint8_t ext_rcode,
		      int ede)
{
	p[0] = 0;
	wire_put16(p + 1, T_OPT);
	wire_put16(p + 3, zt->udp_max);
	p[5] = ext_rcode;
	p[6] = 0;
	wire_put16(p + 7, q->dnssec ? EDNS_DO : 0);
	if (ede == EDE_NONE) {
		wire_put16(p + 9, 0);
		return OPT_RR_LEN;
	}
	wire_put16(p + 9, 6);
	wire_put16(p + 11, OPT_EDE);
	wire_put16(p + 13, 2);
	wire_put16(p + 15, (uint16_t)ede);
	return OPT_RR_LEN + 6;
}

/* Header, question (as asked, 0x20 case kept) and nothing else; the start of every response. */
static size_t put_head(uint8_t *resp, const uint8_t *query, const struct query *q, uint16_t flags)
{
	uint16_t qflags = wire_get16(query + 2);

	if (resp != query)
		memmove(resp, query, 2);
	wire_put16(resp + 2, (uint16_t)(F_QR | (qflags & (F_OPCODE_MASK | F_RD)) | flags));
	wire_put16(resp + 4, q->has_question ? 1 : 0);
	wire_put16(resp + 6, 0);
	wire_put16(resp + 8, 0);
	wire_put16(resp + 10, 0);
	if (!q->has_question)
		return WIRE_HDR_LEN;
	if (resp != query)
		memmove(resp + WIRE_HDR_LEN, q->qname, q->qname_len + 4);
	return WIRE_HDR_LEN + q->qname_len + 4;
}

/* An answer with no records: errors, REFUSED, NOTIMP. */
static size_t answer_empty(const zt_t *zt, const uint8_t *query, const struct query *q,
			   uint8_t *resp, uint16_t flags, uint8_t ext_rcode, int ede)
{
	size_t len = put_head(resp, query, q, flags);

	if (q->edns) {
		len += put_opt(resp + len, zt, q, ext_rcode, ede);
		wire_put16(resp + 10, 1);
	}
	return len;
}

static size_t emit(const zt_t *zt, const uint8_t *query, const struct query *q, uint8_t *resp,
		   size_t limit, const struct tail *t, zt_answer_info_t *info)
{
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;
	size_t optlen = q->edns ? OPT_RR_LEN : 0;
	size_t copy = t->len;
	uint16_t an = t->an, ns = t->ns, ar = t->ar;
	size_t len;

	if (head + t->len + optlen > limit) {
		/* Keep whole RRsets; cutting the additional section needs no TC (RFC 2181 9). */
		unsigned k = 0;
		uint16_t cnt[4] = { 0, 0, 0, 0 };

		while (k < t->nsets && head + ZT_SET_END(t->sets[2 * k]) + optlen <= limit) {
			cnt[ZT_SET_SECTION(t->sets[2 * k])] += (uint16_t)t->sets[2 * k + 1];
			k++;
		}
		if (k < t->nsets && ZT_SET_SECTION(t->sets[2 * k]) != 3) {
			info->truncated = true;
			len = put_head(resp, query, q, (uint16_t)(t->flags | F_TC));
			if (q->edns) {
				len += put_opt(resp + len, zt, q, 0, EDE_NONE);
				wire_put16(resp + 10, 1);
			}
			return len;
		}
		copy = k > 0 ? ZT_SET_END(t->sets[2 * (k - 1)]) : 0;
		an = cnt[1];
		ns = cnt[2];
		ar = cnt[3];
	}
	len = put_head(resp, query, q, t->flags);
	memcpy(resp + len, t->data, copy);
	if (t->delta != 0) {
		for (unsigned i = 0; i < t->nfix; i++) {
			uint8_t *p = resp + len + t->fix[i];
			uint16_t target;

			if (t->fix[i] >= copy)
				continue;
			target = (uint16_t)((wire_get16(p) & WIRE_PTR_MAX) + t->delta);
			wire_put16(p, (uint16_t)(0xc000 | target));
		}
	}
	len += copy;
	if (q->edns) {
		len += put_opt(resp + len, zt, q, 0, EDE_NONE);
		ar++;
	}
	wire_put16(resp + 6, an);
	wire_put16(resp + 8, ns);
	wire_put16(resp + 10, ar);
	return len;
}

/* False when the blob cannot move that far (its pointers would pass 16383). */
static bool tail_from_blob(struct tail *t, const zt_t *zt, uint32_t off, int delta)
{
	const zt_blob_t *b = zt_blob(zt, off);

	if (delta != 0 && b->nfix > 0 && (int)b->max_ptr + delta > WIRE_PTR_MAX)
		return false;

	t->flags = b->flags;
	t->an = b->an;
	t->ns = b->ns;
	t->ar = b->ar;
	t->data = zt_blob_data(b);
	t->len = b->len;
	t->fix = zt_blob_fix(b);
	t->nfix = b->nfix;
	t->sets = zt_blob_sets(b);
	t->nsets = b->nsets;
	t->delta = delta;
	return true;
}

/* The rare path: resolve and render now (DNAME, DNSSEC denial with DO, huge answers). */
static bool tail_live(struct tail *t, const zt_t *zt, const struct query *q)
{
	rbuf_t *rb = &live_rb;
	res_t *r = &live_res;
	uint16_t counts[3];
	size_t head = WIRE_HDR_LEN + q->qname_len + 4;

	res_resolve(zt, q->qname, q->qtype, q->dnssec, r);
	if (r->overflow)
		return false;
	rbuf_start(rb, live_buf, sizeof(live_buf), q->qname, q->qtype, q->qclass, false,
		   wire_name_labels(q->qname));
	rbuf_put_res(rb, zt, r, counts);
	if (rb->err != 0)
		return false;
	for (unsigned i = 0; i < rb->nsets; i++)
		rb->sets[2 * i] = (rb->sets[2 * i] & 0xc0000000u) |
				  (uint32_t)(ZT_SET_END(rb->sets[2 * i]) - head);
	t->flags = r->flags;
	t->an = counts[0];
	t->ns = counts[1];
	t->ar = counts[2];
	t->data = rb->buf + head;
	t->len = rb->len - head;
	t->fix = NULL;
	t->nfix = 0;
	t->sets = rb->sets;
	t->nsets = rb->nsets;
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

/* The precomputed answer for a node that the question reached, or ZT_NONE to go live. */
static uint32_t node_blob(const zt_t *zt, const zt_node_t *node, uint16_t qtype, bool dnssec)
{
	uint32_t b;

	if (dnssec) {
		b = find_ans(zt, node->ans_do, node->nans_do, qtype);
		return b != ZT_NONE ? b : node->ans_default_do;
	}
	b = find_ans(zt, node->ans, node->nans, qtype);
	return b != ZT_NONE ? b : node->ans_default;
}

/* Finds the precomputed answer; false when the question needs the live path. */
static bool lookup(const zt_t *zt, const struct query *q, struct tail *t, bool *refused)
{
	const uint8_t *k = q->key;
	size_t len = q->qname_len;
	uint32_t n = zt_find(zt, k, len);
	const zt_node_t *node;
	bool dnssec;
	uint32_t blob;
	uint32_t ref_len;

	*refused = false;
	if (n != ZT_NONE) {
		node = &zt->nodes[n];
		dnssec = q->dnssec && (node->flags & ZN_SIGNED);
		if (node->deleg != ZT_NONE) {
			const zt_node_t *d = &zt->nodes[node->deleg];

			if (!(d->flags & ZN_CUT))
				return false;
			if (!(node->deleg == n && q->qtype == T_DS)) {
				blob = dnssec ? d->referral_do : d->referral;
				if (blob == ZT_NONE)
					return false;
				return tail_from_blob(t, zt, blob, (int)len - (int)d->name_len);
			}
		}
		blob = node_blob(zt, node, q->qtype, dnssec);
		if (blob == ZT_NONE)
			return false;
		ref_len = zt_blob(zt, blob)->ref_qlen;
		return tail_from_blob(t, zt, blob, (int)len - (int)ref_len);
	}
	while (*k != 0) {
		len -= (size_t)*k + 1;
		k += *k + 1;
		n = zt_find(zt, k, len);
		if (n != ZT_NONE)
			break;
	}
	if (n == ZT_NONE) {
		*refused = true;
		return true;
	}
	node = &zt->nodes[n];
	dnssec = q->dnssec && (node->flags & ZN_SIGNED);
	if (node->deleg != ZT_NONE) {
		const zt_node_t *d = &zt->nodes[node->deleg];

		if (!(d->flags & ZN_CUT))
			return false;
		blob = dnssec ? d->referral_do : d->referral;
		if (blob == ZT_NONE)
			return false;
		return tail_from_blob(t, zt, blob, (int)q->qname_len - (int)d->name_len);
	}
	if ((node->flags & ZN_DNAME) || dnssec)
		return false;
	if (node->wildcard != ZT_NONE) {
		blob = node_blob(zt, &zt->nodes[node->wildcard], q->qtype, false);
		if (blob == ZT_NONE)
			return false;
	} else {
		blob = zt->zones[node->zone].nxdomain;
	}
	ref_len = zt_blob(zt, blob)->ref_qlen;
	return tail_from_blob(t, zt, blob, (int)q->qname_len - (int)ref_len);
}

/* CHAOS-class TXT about the server (RFC 4892), only what the operator configured. */
static size_t answer_chaos(const zt_t *zt, const uint8_t *query, const struct query *q,
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
	if (WIRE_HDR_LEN + q->qname_len + 4 + 12 + 1 + tlen + OPT_RR_LEN > limit)
		return answer_empty(zt, query, q, resp, F_TC | F_AA, 0, EDE_NONE);
	len = put_head(resp, query, q, F_AA);
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
		len += put_opt(resp + len, zt, q, 0, EDE_NONE);
		wire_put16(resp + 10, 1);
	}
	return len;
}

size_t zt_answer(const zt_t *zt, const uint8_t *query, size_t qlen, uint8_t *resp, size_t cap,
		 const zt_answer_ctx_t *ctx, zt_answer_info_t *info)
{
	struct query q;
	wire_ctx_t c;
	uint16_t flags, qd, an, ns, ar;
	size_t limit;
	struct tail t;
	bool refused;
	size_t len;

	memset(info, 0, sizeof(*info));
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
	q.edns = false;
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
		if (parse_qname(&c, &q) && wire_ctx_left(&c) >= 4) {
			q.qtype = wire_ctx_read16(&c);
			q.qclass = wire_ctx_read16(&c);
			q.has_question = true;
		} else {
			q.rcode = RC_FORMERR;
		}
	} else {
		q.rcode = RC_FORMERR;
	}
	if (q.rcode == 0)
		parse_records(&c, &q, an, ns, ar);
	if (ctx->transport == ZT_TCP)
		limit = cap < 65535 ? cap : 65535;
	else
		limit = q.edns ? (q.payload < zt->udp_max ? q.payload : zt->udp_max) : 512;
	if (limit > cap)
		limit = cap;
	info->rcode = q.rcode;
	if (((flags & F_OPCODE_MASK) >> 11) != 0) {
		info->rcode = RC_NOTIMP;
		return answer_empty(zt, query, &q, resp, RC_NOTIMP, 0, EDE_NONE);
	}
	if (q.rcode != 0) {
		if (q.rcode == RC_FORMERR) {
			/* Echo nothing we could not read: header only. */
			q.has_question = q.has_question && c.err == 0;
			q.edns = false;
		}
		return answer_empty(zt, query, &q, resp, q.rcode, 0, EDE_NONE);
	}
	if (q.edns && q.edns_version > 0) {
		info->rcode = RC_BADVERS;
		return answer_empty(zt, query, &q, resp, 0, 1, EDE_NONE);
	}
	if (q.qclass == C_CH) {
		len = answer_chaos(zt, query, &q, resp, limit);
		info->rcode = (uint8_t)(wire_get16(resp + 2) & 0xf);
		return len;
	}
	if (q.qclass != C_IN && q.qclass != C_ANY) {
		info->rcode = RC_REFUSED;
		return answer_empty(zt, query, &q, resp, RC_REFUSED, 0, EDE_NONE);
	}
	if (q.qtype == 0 || q.qtype == T_TKEY || q.qtype == T_TSIG) {
		info->rcode = RC_NOTIMP;
		return answer_empty(zt, query, &q, resp, RC_NOTIMP, 0, EDE_NONE);
	}
	if (q.qtype == T_AXFR || q.qtype == T_IXFR) {
		uint32_t n = zt_find(zt, q.key, q.qname_len);

		if (ctx->transport != ZT_TCP) {
			info->rcode = RC_FORMERR;
			return answer_empty(zt, query, &q, resp, RC_FORMERR, 0, EDE_NONE);
		}
		if (n == ZT_NONE || !(zt->nodes[n].flags & ZN_APEX)) {
			info->rcode = RC_NOTAUTH;
			return answer_empty(zt, query, &q, resp, RC_NOTAUTH, 0, EDE_NONE);
		}
		if (!ctx->xfr_allowed) {
			info->rcode = RC_NOTAUTH;
			return answer_empty(zt, query, &q, resp, RC_NOTAUTH, 0, EDE_NONE);
		}
		info->xfr = true;
		return 0;
	}
	if (!lookup(zt, &q, &t, &refused)) {
		if (!tail_live(&t, zt, &q)) {
			info->rcode = RC_SERVFAIL;
			return answer_empty(zt, query, &q, resp, RC_SERVFAIL, 0, EDE_NONE);
		}
	} else if (refused) {
		info->rcode = RC_REFUSED;
		return answer_empty(zt, query, &q, resp, RC_REFUSED, 0, EDE_NOT_AUTHORITATIVE);
	}
	len = emit(zt, query, &q, resp, limit, &t, info);
	info->rcode = (uint8_t)(wire_get16(resp + 2) & 0xf);
	return len;
}
