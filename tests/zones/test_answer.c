/* SPDX-License-Identifier: BSD-3-Clause */
/* test_answer.c: CUnit suite for the answer engine (zt_answer, zt_xfr_render), one test per rule */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_order.h"
#include "zt_pvt.h"

/* ------------------------------------------------------------------ the zones under test */

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define S50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define S200 S50 S50 S50 S50

/*
 * example.com: SOA TTL 3600 above MINIMUM 300, so negative answers carry 300. Its apex NS, MX
 * and an SRV point both inside the zone and into outside.test, which is served too: additional
 * records must come only from the zone itself.
 */
static const char zone_com[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ 3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
    "@ IN NS ns1\n"
    "@ IN NS ns.outside.test.\n"
    "@ IN MX 10 mail\n"
    "@ IN MX 20 mx.outside.test.\n"
    "@ IN A 192.0.2.1\n"
    "ns1 IN A 192.0.2.53\n"
    "ns1 IN AAAA 2001:db8::53\n"
    "mail IN A 192.0.2.25\n"
    "mail IN AAAA 2001:db8::25\n"
    "host IN A 192.0.2.80\n"
    "www IN CNAME web\n"
    "web IN CNAME host\n"
    "ext IN CNAME www.nowhere.invalid.\n"
    "dangling IN CNAME nothere\n"
    "*.wild IN A 192.0.2.99\n"
    "sib.wild IN A 192.0.2.98\n"
    "a.b.ent IN A 192.0.2.7\n"
    "_sip._tcp IN SRV 0 5 5060 sipserver\n"
    "sipserver IN A 192.0.2.60\n"
    "_out._tcp IN SRV 0 5 5060 sip.outside.test.\n"
    "sub IN NS ns.sub\n"
    "sub IN NS ns.elsewhere.test.\n"
    "sub 7200 IN DS 12345 8 2 " HEX64 "\n"
    "ns.sub IN A 192.0.2.200\n"
    "child IN NS ns.child\n"
    "child 1800 IN DS 54321 8 2 " HEX64 "\n"
    "ns.child IN A 192.0.2.210\n"
    "multi IN TXT \"t\"\n"
    "multi IN AAAA 2001:db8::7\n"
    "multi IN A 192.0.2.7\n"
    "dn 600 IN DNAME target.example.net.\n"
    "dn2 IN DNAME wild.example.com.\n"
    "unk IN TYPE65280 \\# 4 0a000001\n"
    "big IN TXT \"" S200 "\" \"" S200 "\" \"" S200 "\"\n"
    "loop1 IN CNAME loop2\n"
    "loop2 IN CNAME loop1\n"
    "self IN CNAME self\n"
    "c1 IN CNAME c2\nc2 IN CNAME c3\nc3 IN CNAME c4\nc4 IN CNAME c5\n"
    "c5 IN CNAME c6\nc6 IN CNAME c7\nc7 IN CNAME c8\nc8 IN A 192.0.2.8\n"
    "*.wc IN CNAME host\n"
    /* A delegation whose in-domain glue (8 A + 8 AAAA) does not fit in 512 octets. */
    "many IN NS ns1.many\nmany IN NS ns2.many\nmany IN NS ns3.many\nmany IN NS ns4.many\n"
    "many IN NS ns5.many\nmany IN NS ns6.many\nmany IN NS ns7.many\nmany IN NS ns8.many\n"
    "ns1.many IN A 192.0.2.101\nns1.many IN AAAA 2001:db8::101\n"
    "ns2.many IN A 192.0.2.102\nns2.many IN AAAA 2001:db8::102\n"
    "ns3.many IN A 192.0.2.103\nns3.many IN AAAA 2001:db8::103\n"
    "ns4.many IN A 192.0.2.104\nns4.many IN AAAA 2001:db8::104\n"
    "ns5.many IN A 192.0.2.105\nns5.many IN AAAA 2001:db8::105\n"
    "ns6.many IN A 192.0.2.106\nns6.many IN AAAA 2001:db8::106\n"
    "ns7.many IN A 192.0.2.107\nns7.many IN AAAA 2001:db8::107\n"
    "ns8.many IN A 192.0.2.108\nns8.many IN AAAA 2001:db8::108\n";
#define COM_RRS 71

/* child.example.com, delegated from example.com and served here too. SOA TTL 3600, MINIMUM 60. */
static const char zone_child[] = "$ORIGIN child.example.com.\n"
				 "@ 3600 IN SOA ns h 5 3600 600 86400 60\n"
				 "@ 3600 IN NS ns\n"
				 "@ 3600 IN A 192.0.2.211\n"
				 "ns 3600 IN A 192.0.2.210\n";

/* outside.test: SOA TTL 60 below MINIMUM 600, so negative answers carry 60. */
static const char zone_out[] = "$ORIGIN outside.test.\n"
			       "$TTL 3600\n"
			       "@ 60 IN SOA ns h 9 3600 600 86400 600\n"
			       "@ IN NS ns\n"
			       "ns IN A 192.0.2.250\n"
			       "sip IN A 192.0.2.251\n"
			       "mx IN A 192.0.2.252\n";

static zload_zone_t *zones[3];
static zt_t *zt;

static int answer_init(void)
{
	char err[512];

	zones[0] = zload_string("example.com.", zone_com, "com.zone", NULL, NULL, err, sizeof(err));
	zones[1] = zload_string("child.example.com.", zone_child, "child.zone", NULL, NULL, err,
				sizeof(err));
	zones[2] =
	    zload_string("outside.test.", zone_out, "out.zone", NULL, NULL, err, sizeof(err));
	if (zones[0] == NULL || zones[1] == NULL || zones[2] == NULL) {
		fprintf(stderr, "answer suite: %s\n", err);
		return -1;
	}
	zt = zt_new(zones, 3, NULL, err, sizeof(err));
	if (zt == NULL) {
		fprintf(stderr, "answer suite: %s\n", err);
		return -1;
	}
	return 0;
}

static int answer_cleanup(void)
{
	zt_free(&zt);
	for (size_t i = 0; i < 3; i++)
		zload_free(&zones[i]);
	return 0;
}

/* ------------------------------------------------------------------ building queries */

/* Appends an OPT record (RFC 6891) and counts it in ARCOUNT. */
static size_t q_add_opt(uint8_t *buf, size_t len, uint16_t payload, uint8_t version,
			uint16_t eflags, const uint8_t *opts, uint16_t optlen)
{
	buf[len] = 0;
	wire_put16(buf + len + 1, T_OPT);
	wire_put16(buf + len + 3, payload);
	buf[len + 5] = 0;
	buf[len + 6] = version;
	wire_put16(buf + len + 7, eflags);
	wire_put16(buf + len + 9, optlen);
	if (optlen > 0)
		memcpy(buf + len + 11, opts, optlen);
	wire_put16(buf + 10, (uint16_t)(wire_get16(buf + 10) + 1));
	return len + 11 + optlen;
}

/* ------------------------------------------------------------------ parsing responses */

#define MAX_RR 1024

struct rr {
	char owner[512]; /* presentation form, case as sent */
	uint16_t type, cls;
	uint32_t ttl;
	uint16_t rdlen; /* of rdata[] below, names expanded */
	uint8_t rdata[1024];
	size_t wire_rdlen; /* RDLENGTH as sent */
};

struct msg {
	size_t len;
	uint16_t id, flags, qd, an, ns, ar;
	char qname[512];
	uint16_t qtype, qclass;
	unsigned nrr;
	bool has_opt;
	uint16_t opt_payload;
	uint8_t opt_ext_rcode, opt_version;
	uint16_t opt_flags;
	uint16_t opt_rdlen;
	struct rr rr[MAX_RR]; /* last: parse() clears only what comes before it */
};

/*
 * Reads a name at *off, following compression pointers; every pointer must point backwards
 * (before itself) and the name must be at most 255 octets. COMPRESS false: no pointer allowed.
 */
static bool rd_name(const uint8_t *msg, size_t len, size_t *off, uint8_t *out, size_t *outlen,
		    bool compress)
{
	size_t o = *off, n = 0;
	bool jumped = false;

	for (unsigned hops = 0;; hops++) {
		uint8_t l;

		if (o >= len || hops > 255)
			return false;
		l = msg[o];
		if ((l & 0xc0) == 0xc0) {
			size_t t;

			if (!compress || o + 1 >= len)
				return false;
			t = (size_t)(l & 0x3f) << 8 | msg[o + 1];
			if (t >= o || t < WIRE_HDR_LEN)
				return false;
			if (!jumped)
				*off = o + 2;
			jumped = true;
			o = t;
			continue;
		}
		if ((l & 0xc0) != 0 || o + 1 + l > len || n + l + 1 > WIRE_NAME_MAX)
			return false;
		memcpy(out + n, msg + o, (size_t)l + 1);
		n += (size_t)l + 1;
		o += (size_t)l + 1;
		if (l == 0)
			break;
	}
	if (!jumped)
		*off = o;
	*outlen = n;
	return true;
}

/* Expands RDATA at msg[off..off+rdlen) into r->rdata, decompressing the names it may hold. */
static bool rd_rdata(const uint8_t *msg, size_t off, size_t rdlen, struct rr *r)
{
	size_t end = off + rdlen, o = off, n = 0, nl;
	unsigned names = 0;
	size_t fixed = 0, tail = 0;
	bool compress = true;

	switch (r->type) {
	case T_NS:
	case T_CNAME:
	case T_PTR:
		names = 1;
		break;
	case T_DNAME:
		names = 1;
		compress = false; /* RFC 6672 2.5 */
		break;
	case T_MX:
		fixed = 2;
		names = 1;
		break;
	case T_SRV:
		fixed = 6;
		names = 1;
		compress = false; /* RFC 2782 */
		break;
	case T_SOA:
		names = 2;
		tail = 20;
		break;
	default:
		break;
	}
	if (names == 0) {
		if (rdlen > sizeof(r->rdata))
			return false;
		memcpy(r->rdata, msg + off, rdlen);
		r->rdlen = (uint16_t)rdlen;
		return true;
	}
	if (rdlen < fixed)
		return false;
	memcpy(r->rdata, msg + o, fixed);
	n = fixed;
	o += fixed;
	for (unsigned i = 0; i < names; i++) {
		if (!rd_name(msg, end, &o, r->rdata + n, &nl, compress))
			return false;
		n += nl;
	}
	if (end - o != tail)
		return false;
	memcpy(r->rdata + n, msg + o, tail);
	r->rdlen = (uint16_t)(n + tail);
	return true;
}

/* Parses a whole response strictly: every count honoured, nothing left over. */
static bool parse(const uint8_t *buf, size_t len, struct msg *m)
{
	size_t off = WIRE_HDR_LEN, nl;
	uint8_t name[WIRE_NAME_MAX + 1];
	unsigned total;

	memset(m, 0, offsetof(struct msg, rr));
	m->len = len;
	if (len < WIRE_HDR_LEN)
		return false;
	m->id = wire_get16(buf);
	m->flags = wire_get16(buf + 2);
	m->qd = wire_get16(buf + 4);
	m->an = wire_get16(buf + 6);
	m->ns = wire_get16(buf + 8);
	m->ar = wire_get16(buf + 10);
	if (m->qd > 1)
		return false;
	if (m->qd == 1) {
		if (!rd_name(buf, len, &off, name, &nl, false) || len - off < 4)
			return false;
		wire_name_to_text(name, m->qname, sizeof(m->qname));
		m->qtype = wire_get16(buf + off);
		m->qclass = wire_get16(buf + off + 2);
		off += 4;
	}
	total = (unsigned)m->an + m->ns + m->ar;
	if (total > MAX_RR)
		return false;
	for (unsigned i = 0; i < total; i++) {
		struct rr *r = &m->rr[i];
		size_t rdlen;

		if (!rd_name(buf, len, &off, name, &nl, true) || len - off < 10)
			return false;
		wire_name_to_text(name, r->owner, sizeof(r->owner));
		r->type = wire_get16(buf + off);
		r->cls = wire_get16(buf + off + 2);
		r->ttl = wire_get32(buf + off + 4);
		rdlen = wire_get16(buf + off + 8);
		off += 10;
		if (len - off < rdlen)
			return false;
		r->wire_rdlen = rdlen;
		if (r->type == T_OPT) {
			/* One OPT, owned by the root, last section only. */
			if (m->has_opt || i < (unsigned)m->an + m->ns || nl != 1)
				return false;
			m->has_opt = true;
			m->opt_payload = r->cls;
			m->opt_ext_rcode = (uint8_t)(r->ttl >> 24);
			m->opt_version = (uint8_t)(r->ttl >> 16);
			m->opt_flags = (uint16_t)r->ttl;
			m->opt_rdlen = (uint16_t)rdlen;
		}
		if (!rd_rdata(buf, off, rdlen, r))
			return false;
		off += rdlen;
		m->nrr++;
	}
	return off == len;
}

/* The I-th record of section SEC (1 answer, 2 authority, 3 additional), or NULL. */
static const struct rr *sec_rr(const struct msg *m, int sec, unsigned i)
{
	unsigned base = sec == 1 ? 0 : sec == 2 ? m->an : (unsigned)m->an + m->ns;
	unsigned n = sec == 1 ? m->an : sec == 2 ? m->ns : m->ar;

	return i < n ? &m->rr[base + i] : NULL;
}

/* The owner of the I-th record of section SEC as sent, or "" when there is none. */
static const char *owner_at(const struct msg *mm, int sec, unsigned i)
{
	const struct rr *r = sec_rr(mm, sec, i);

	return r != NULL ? r->owner : "";
}

/* RDATA in presentation form, enough for the types these tests use. */
static void rd_text(const struct rr *r, char *buf, size_t len)
{
	const uint8_t *d = r->rdata;
	char n1[512], n2[512];
	size_t o = 0;

	buf[0] = '\0';
	switch (r->type) {
	case T_A:
		if (r->rdlen == 4)
			inet_ntop(AF_INET, d, buf, (socklen_t)len);
		return;
	case T_AAAA:
		if (r->rdlen == 16)
			inet_ntop(AF_INET6, d, buf, (socklen_t)len);
		return;
	case T_NS:
	case T_CNAME:
	case T_DNAME:
	case T_PTR:
		wire_name_to_text(d, buf, len);
		return;
	case T_MX:
		wire_name_to_text(d + 2, n1, sizeof(n1));
		snprintf(buf, len, "%u %s", wire_get16(d), n1);
		return;
	case T_SRV:
		wire_name_to_text(d + 6, n1, sizeof(n1));
		snprintf(buf, len, "%u %u %u %s", wire_get16(d), wire_get16(d + 2),
			 wire_get16(d + 4), n1);
		return;
	case T_SOA: {
		size_t l1 = wire_name_len(d), l2 = wire_name_len(d + l1);
		const uint8_t *t = d + l1 + l2;

		wire_name_to_text(d, n1, sizeof(n1));
		wire_name_to_text(d + l1, n2, sizeof(n2));
		snprintf(buf, len, "%s %s %u %u %u %u %u", n1, n2, wire_get32(t), wire_get32(t + 4),
			 wire_get32(t + 8), wire_get32(t + 12), wire_get32(t + 16));
		return;
	}
	case T_TXT:
		for (size_t i = 0; i < r->rdlen && o + 4 < len;) {
			uint8_t sl = d[i++];

			o += (size_t)snprintf(buf + o, len - o, "%s\"%.*s\"", i > 1 ? " " : "", sl,
					      (const char *)d + i);
			if (o >= len)
				break;
			i += sl;
		}
		return;
	case T_DS:
		o = (size_t)snprintf(buf, len, "%u %u %u ", wire_get16(d), d[2], d[3]);
		for (size_t i = 4; i < r->rdlen && o + 3 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%02x", d[i]);
		return;
	default:
		o = (size_t)snprintf(buf, len, "\\# %u", r->rdlen);
		if (r->rdlen > 0 && o + 1 < len)
			buf[o++] = ' ';
		for (size_t i = 0; i < r->rdlen && o + 3 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%02x", d[i]);
		buf[o < len ? o : len - 1] = '\0';
		return;
	}
}

/*
 * Whether R is OWNER TYPE TTL RDATA (owner and RDATA names without case, as compression may
 * borrow the question's case); says what differs when not. TTL UINT32_MAX: any.
 */
static bool rr_is(const struct rr *r, const char *owner, uint16_t type, uint32_t ttl,
		  const char *rdata)
{
	char text[2048];

	if (r == NULL) {
		fprintf(stderr, "\n  missing record %s %u %s\n", owner, type, rdata);
		return false;
	}
	rd_text(r, text, sizeof(text));
	if (strcasecmp(r->owner, owner) != 0 || r->type != type ||
	    (ttl != UINT32_MAX && r->ttl != ttl) || strcasecmp(text, rdata) != 0) {
		fprintf(stderr, "\n  got %s %u %u %s\n  want %s %u %u %s\n", r->owner, r->type,
			r->ttl, text, owner, type, ttl, rdata);
		return false;
	}
	return true;
}

/* How many records of TYPE section SEC holds. */
static unsigned count_type(const struct msg *m, int sec, uint16_t type)
{
	unsigned n = 0;
	const struct rr *r;

	for (unsigned i = 0; (r = sec_rr(m, sec, i)) != NULL; i++)
		n += r->type == type;
	return n;
}

/* Whether section SEC holds a record OWNER TYPE (any data). */
static bool has_rr(const struct msg *m, int sec, const char *owner, uint16_t type)
{
	const struct rr *r;

	for (unsigned i = 0; (r = sec_rr(m, sec, i)) != NULL; i++)
		if (r->type == type && strcasecmp(r->owner, owner) == 0)
			return true;
	return false;
}

/* Whether section SEC holds OWNER TYPE TTL RDATA, wherever in the section. */
static bool has_rr_data(const struct msg *mm, int sec, const char *owner, uint16_t type,
			uint32_t ttl, const char *rdata)
{
	const struct rr *r;
	char text[2048];

	for (unsigned i = 0; (r = sec_rr(mm, sec, i)) != NULL; i++) {
		rd_text(r, text, sizeof(text));
		if (r->type == type && r->ttl == ttl && strcasecmp(r->owner, owner) == 0 &&
		    strcasecmp(text, rdata) == 0)
			return true;
	}
	fprintf(stderr, "\n  no %s %u %u %s in section %d\n", owner, type, ttl, rdata, sec);
	return false;
}

/* ------------------------------------------------------------------ asking */

static uint8_t qbuf[65536];
static uint8_t rbuf[65536];
static size_t qlen;
static struct msg m;
static zt_answer_info_t info;

/* Sends qbuf[0..qlen) to T over TRANSPORT; parses the response into m (asserts it parses). */
static size_t send_q(const zt_t *t, uint8_t transport, bool xfr_allowed)
{
	zt_answer_ctx_t ctx = {.transport = transport, .xfr_allowed = xfr_allowed};
	size_t len;

	memset(rbuf, 0xee, sizeof(rbuf));
	len = zt_answer(t, qbuf, qlen, rbuf, sizeof(rbuf), &ctx, &info);
	memset(&m, 0, offsetof(struct msg, rr));
	if (len > 0) {
		bool ok = parse(rbuf, len, &m);

		if (!ok)
			fprintf(stderr, "\n  response of %zu octets does not parse\n", len);
		CU_ASSERT_TRUE(ok);
	}
	return len;
}

/* A plain query (ID 0x1234, RD) for NAME/QTYPE over UDP without EDNS, to the shared snapshot. */
static size_t ask(const char *name, uint16_t qtype)
{
	qlen = tu_query(qbuf, 0x1234, F_RD, name, qtype, C_IN);
	return send_q(zt, ZT_UDP, false);
}

/* The same with EDNS: PAYLOAD, DO bit as given. */
static size_t ask_edns(const char *name, uint16_t qtype, uint16_t payload, bool dobit)
{
	qlen = tu_query(qbuf, 0x1234, F_RD, name, qtype, C_IN);
	qlen = q_add_opt(qbuf, qlen, payload, 0, dobit ? EDNS_DO : 0, NULL, 0);
	return send_q(zt, ZT_UDP, false);
}

#define RCODE(mm) ((mm).flags & 0xf)
#define AA(mm) (((mm).flags & F_AA) != 0)
#define TC(mm) (((mm).flags & F_TC) != 0)

/* Prints the response in m, dig-like, to stderr: what a failed header check was looking at. */
static void dump_msg(const struct msg *mm)
{
	char text[2048];

	fprintf(stderr,
		"\n  ;; id %u flags %04x rcode %u qd %u an %u ns %u ar %u, %zu octets\n"
		"  ;; question %s %u %u\n",
		mm->id, mm->flags, mm->flags & 0xf, mm->qd, mm->an, mm->ns, mm->ar, mm->len,
		mm->qname, mm->qtype, mm->qclass);
	for (unsigned i = 0; i < mm->nrr; i++) {
		rd_text(&mm->rr[i], text, sizeof(text));
		fprintf(stderr, "  %s %s %u %u %.80s\n",
			i < mm->an			? "an"
			: i < (unsigned)mm->an + mm->ns ? "ns"
							: "ar",
			mm->rr[i].owner, mm->rr[i].ttl, mm->rr[i].type, text);
	}
}

/* Header of the response in m: rcode, AA, and the three record counts. */
#define EXPECT(rc, aa, nan, nns, nar)                                                              \
	do {                                                                                       \
		if (RCODE(m) != (rc) || AA(m) != (aa) || m.an != (nan) || m.ns != (nns) ||         \
		    m.ar != (nar))                                                                 \
			dump_msg(&m);                                                              \
		CU_ASSERT_EQUAL(RCODE(m), (rc));                                                   \
		CU_ASSERT_EQUAL(AA(m), (aa));                                                      \
		CU_ASSERT_EQUAL(m.an, (nan));                                                      \
		CU_ASSERT_EQUAL(m.ns, (nns));                                                      \
		CU_ASSERT_EQUAL(m.ar, (nar));                                                      \
		CU_ASSERT_EQUAL(info.rcode, (rc));                                                 \
		CU_ASSERT_FALSE(info.dropped);                                                     \
	} while (0)

/* The negative-answer SOA of example.com in authority: TTL 300 = min(3600, MINIMUM 300). */
#define COM_SOA "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"

/* ------------------------------------------------------------------ the rules */

static void test_exact_match(void)
{
	CU_ASSERT_TRUE_FATAL(ask("host.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_EQUAL(m.id, 0x1234);
	CU_ASSERT_TRUE(m.flags & F_QR);
	CU_ASSERT_TRUE(m.flags & F_RD); /* RD copied */
	CU_ASSERT_FALSE(TC(m));
	CU_ASSERT_EQUAL((m.flags & F_OPCODE_MASK), 0);
	CU_ASSERT_EQUAL(m.qd, 1);
	CU_ASSERT_STRING_EQUAL(m.qname, "host.example.com.");
	CU_ASSERT_EQUAL(m.qtype, T_A);
	CU_ASSERT_EQUAL(m.qclass, C_IN);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "host.example.com.", T_A, 3600, "192.0.2.80"));
	CU_ASSERT_EQUAL(m.rr[0].cls, C_IN);
	CU_ASSERT_FALSE(info.truncated);
	CU_ASSERT_FALSE(info.xfr);

	/* RD clear stays clear; another ID is echoed. */
	qlen = tu_query(qbuf, 0xfffe, 0, "mail.example.com", T_AAAA, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_EQUAL(m.id, 0xfffe);
	CU_ASSERT_FALSE(m.flags & F_RD);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "mail.example.com.", T_AAAA, 3600, "2001:db8::25"));

	/* An RRset of two, in the apex. */
	CU_ASSERT_TRUE_FATAL(ask("example.com", T_MX) > 0);
	CU_ASSERT_EQUAL(m.an, 2);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "example.com.", T_MX, 3600, "10 mail.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 1), "example.com.", T_MX, 3600, "20 mx.outside.test."));

	/* The SOA asked for is the record with its own TTL, not the negative one. */
	CU_ASSERT_TRUE_FATAL(ask("example.com", T_SOA) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "example.com.", T_SOA, 3600, COM_SOA));

	/* RFC 3597 data comes back as loaded. */
	CU_ASSERT_TRUE_FATAL(ask("unk.example.com", 65280) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "unk.example.com.", 65280, 3600, "\\# 4 0a000001"));

	/* QCLASS ANY is answered as IN. */
	qlen = tu_query(qbuf, 1, 0, "host.example.com", T_A, C_ANY);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_EQUAL(m.qclass, C_ANY);
}

static void test_nodata(void)
{
	CU_ASSERT_TRUE_FATAL(ask("host.example.com", T_AAAA) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
	/* In outside.test the SOA TTL (60) is the smaller one. */
	CU_ASSERT_TRUE_FATAL(ask("sip.outside.test", T_TXT) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "outside.test.", T_SOA, 60,
			     "ns.outside.test. h.outside.test. 9 3600 600 86400 600"));
}

static void test_case_echoed(void)
{
	CU_ASSERT_TRUE_FATAL(ask("HoSt.ExAmPlE.cOm", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_STRING_EQUAL(m.qname, "HoSt.ExAmPlE.cOm.");
	CU_ASSERT_STRING_EQUAL(owner_at(&m, 1, 0), "HoSt.ExAmPlE.cOm.");
	/* Through a wildcard, and in a NODATA (the question itself). */
	CU_ASSERT_TRUE_FATAL(ask("FoO.wILd.example.COM", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_STRING_EQUAL(m.qname, "FoO.wILd.example.COM.");
	CU_ASSERT_STRING_EQUAL(owner_at(&m, 1, 0), "FoO.wILd.example.COM.");
	CU_ASSERT_TRUE_FATAL(ask("NoPe.Example.Com", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	CU_ASSERT_STRING_EQUAL(m.qname, "NoPe.Example.Com.");
	/* The first CNAME's owner is the question. */
	CU_ASSERT_TRUE_FATAL(ask("WWW.example.com", T_A) > 0);
	CU_ASSERT_EQUAL_FATAL(m.an, 3);
	CU_ASSERT_STRING_EQUAL(owner_at(&m, 1, 0), "WWW.example.com.");
}

static void test_cname_chain(void)
{
	CU_ASSERT_TRUE_FATAL(ask("www.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 3, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "www.example.com.", T_CNAME, 3600, "web.example.com."));
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 1), "web.example.com.", T_CNAME, 3600, "host.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 2), "host.example.com.", T_A, 3600, "192.0.2.80"));
	/* Asking for the CNAME itself does not follow it. */
	CU_ASSERT_TRUE_FATAL(ask("www.example.com", T_CNAME) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	/* The chain ends in NODATA: both CNAMEs, then the SOA. */
	CU_ASSERT_TRUE_FATAL(ask("www.example.com", T_AAAA) > 0);
	EXPECT(RC_NOERROR, true, 2, 1, 0);
	CU_ASSERT_EQUAL(count_type(&m, 1, T_CNAME), 2);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
	/* A type that none of the common precomputed ones covers: answered all the same. */
	CU_ASSERT_TRUE_FATAL(ask("www.example.com", 65280) > 0);
	EXPECT(RC_NOERROR, true, 2, 1, 0);
}

static void test_cname_out_of_zone(void)
{
	CU_ASSERT_TRUE_FATAL(ask("ext.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "ext.example.com.", T_CNAME, 3600, "www.nowhere.invalid."));
}

static void test_cname_nxdomain(void)
{
	CU_ASSERT_TRUE_FATAL(ask("dangling.example.com", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 1, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "dangling.example.com.", T_CNAME, 3600,
			     "nothere.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
}

static void test_wildcard(void)
{
	/* The owner is the question, not the wildcard. */
	CU_ASSERT_TRUE_FATAL(ask("foo.wild.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "foo.wild.example.com.", T_A, 3600, "192.0.2.99"));
	/* Two labels below the wildcard's parent match too (RFC 4592 2.2.1). */
	CU_ASSERT_TRUE_FATAL(ask("a.b.wild.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "a.b.wild.example.com.", T_A, 3600, "192.0.2.99"));
	/* A long name: the precomputed answer moves far. */
	{
		const char *lng = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij."
				  "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij."
				  "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij."
				  "x.wild.example.com";
		char want[300];

		CU_ASSERT_TRUE_FATAL(ask(lng, T_A) > 0);
		EXPECT(RC_NOERROR, true, 1, 0, 0);
		snprintf(want, sizeof(want), "%s.", lng);
		CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), want, T_A, 3600, "192.0.2.99"));
	}
	/* The wildcard asked for literally is an exact match. */
	CU_ASSERT_TRUE_FATAL(ask("*.wild.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "*.wild.example.com.", T_A, 3600, "192.0.2.99"));
	/* An existing sibling is itself, not the wildcard. */
	CU_ASSERT_TRUE_FATAL(ask("sib.wild.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "sib.wild.example.com.", T_A, 3600, "192.0.2.98"));
}

static void test_wildcard_nodata(void)
{
	CU_ASSERT_TRUE_FATAL(ask("foo.wild.example.com", T_AAAA) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
	/* The sibling has no AAAA either: its own NODATA, no wildcard. */
	CU_ASSERT_TRUE_FATAL(ask("sib.wild.example.com", T_AAAA) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
}

static void test_wildcard_blocked_below_sibling(void)
{
	/* The closest encloser is sib.wild, which has no wildcard (RFC 4592 3.3.1). */
	CU_ASSERT_TRUE_FATAL(ask("x.sib.wild.example.com", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
	/* wild.example.com itself is an empty non-terminal, not a wildcard match. */
	CU_ASSERT_TRUE_FATAL(ask("wild.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
}

static void test_empty_non_terminal(void)
{
	CU_ASSERT_TRUE_FATAL(ask("b.ent.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
	CU_ASSERT_TRUE_FATAL(ask("ent.example.com", T_TXT) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	/* Below the ENT's data there is the record; beside it there is nothing. */
	CU_ASSERT_TRUE_FATAL(ask("a.b.ent.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE_FATAL(ask("c.ent.example.com", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	/* The SRV's parent _tcp is an ENT as well. */
	CU_ASSERT_TRUE_FATAL(ask("_tcp.example.com", T_SRV) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
}

static void test_nxdomain_negative_ttl(void)
{
	/* example.com: SOA TTL 3600, MINIMUM 300 -> 300. */
	CU_ASSERT_TRUE_FATAL(ask("nope.example.com", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
	/* outside.test: SOA TTL 60, MINIMUM 600 -> 60. */
	CU_ASSERT_TRUE_FATAL(ask("nope.outside.test", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "outside.test.", T_SOA, 60,
			     "ns.outside.test. h.outside.test. 9 3600 600 86400 600"));
	/* child.example.com: SOA TTL 3600, MINIMUM 60 -> 60, its own SOA. */
	CU_ASSERT_TRUE_FATAL(ask("a.b.nope.child.example.com", T_MX) > 0);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "child.example.com.", T_SOA, 60,
			     "ns.child.example.com. h.child.example.com. 5 3600 600 86400 60"));
}

/* The referral to sub.example.com: NS in authority, the in-bailiwick glue in additional. */
static void expect_sub_referral(void)
{
	EXPECT(RC_NOERROR, false, 0, 2, 1);
	CU_ASSERT_EQUAL(count_type(&m, 2, T_NS), 2);
	CU_ASSERT_TRUE(has_rr_data(&m, 2, "sub.example.com.", T_NS, 3600, "ns.elsewhere.test."));
	CU_ASSERT_TRUE(has_rr_data(&m, 2, "sub.example.com.", T_NS, 3600, "ns.sub.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "ns.sub.example.com.", T_A, 3600, "192.0.2.200"));
	CU_ASSERT_FALSE(has_rr(&m, 2, "sub.example.com.", T_DS));
}

static void test_referral(void)
{
	CU_ASSERT_TRUE_FATAL(ask("sub.example.com", T_A) > 0);
	expect_sub_referral();
	/* NS at the cut is the child's data: a referral too. */
	CU_ASSERT_TRUE_FATAL(ask("sub.example.com", T_NS) > 0);
	expect_sub_referral();
	/* Names below the cut, the glue's own name included. */
	CU_ASSERT_TRUE_FATAL(ask("x.y.sub.example.com", T_MX) > 0);
	expect_sub_referral();
	CU_ASSERT_TRUE_FATAL(ask("ns.sub.example.com", T_A) > 0);
	expect_sub_referral();
	CU_ASSERT_TRUE_FATAL(ask("X.Sub.EXAMPLE.com", T_A) > 0);
	expect_sub_referral();
	/* A DS below the cut belongs to nobody here but the child: a referral. */
	CU_ASSERT_TRUE_FATAL(ask("x.sub.example.com", T_DS) > 0);
	expect_sub_referral();
}

static void test_ds_at_cut(void)
{
	CU_ASSERT_TRUE_FATAL(ask("sub.example.com", T_DS) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "sub.example.com.", T_DS, 7200, "12345 8 2 " HEX64));
}

static void test_ds_at_child_apex(void)
{
	/* Parent and child both served: DS from the parent, everything else from the child. */
	CU_ASSERT_TRUE_FATAL(ask("child.example.com", T_DS) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "child.example.com.", T_DS, 1800, "54321 8 2 " HEX64));
	CU_ASSERT_TRUE_FATAL(ask("child.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "child.example.com.", T_A, 3600, "192.0.2.211"));
	CU_ASSERT_TRUE_FATAL(ask("child.example.com", T_SOA) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "child.example.com.", T_SOA, 3600,
			     "ns.child.example.com. h.child.example.com. 5 3600 600 86400 60"));
	/* NS at the child's apex is authoritative data, with its glue from the child. */
	CU_ASSERT_TRUE_FATAL(ask("child.example.com", T_NS) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "ns.child.example.com.", T_A, 3600, "192.0.2.210"));
	/* A DS asked at a name below the child's apex: the child's NODATA. */
	CU_ASSERT_TRUE_FATAL(ask("ns.child.example.com", T_DS) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	CU_ASSERT_TRUE(has_rr(&m, 2, "child.example.com.", T_SOA));
}

static void test_refused(void)
{
	CU_ASSERT_TRUE_FATAL(ask("www.nowhere.invalid", T_A) > 0);
	EXPECT(RC_REFUSED, false, 0, 0, 0);
	CU_ASSERT_EQUAL(m.qd, 1);
	CU_ASSERT_STRING_EQUAL(m.qname, "www.nowhere.invalid.");
	/* Parents of served zones, the root, a look-alike. */
	CU_ASSERT_TRUE_FATAL(ask("com", T_NS) > 0);
	EXPECT(RC_REFUSED, false, 0, 0, 0);
	CU_ASSERT_TRUE_FATAL(ask(".", T_NS) > 0);
	EXPECT(RC_REFUSED, false, 0, 0, 0);
	CU_ASSERT_TRUE_FATAL(ask("badexample.com", T_A) > 0);
	EXPECT(RC_REFUSED, false, 0, 0, 0);
	/* With EDNS: still an OPT in the answer. */
	CU_ASSERT_TRUE_FATAL(ask_edns("www.nowhere.invalid", T_A, 1232, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
	CU_ASSERT_TRUE(m.has_opt);
	CU_ASSERT_EQUAL(m.ar, 1);
}

static void test_additional(void)
{
	/* Apex NS: ns1's A and AAAA; ns.outside.test lives in another zone: not added. */
	CU_ASSERT_TRUE_FATAL(ask("example.com", T_NS) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 2);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "ns1.example.com.", T_A, 3600, "192.0.2.53"));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 1), "ns1.example.com.", T_AAAA, 3600, "2001:db8::53"));
	CU_ASSERT_FALSE(has_rr(&m, 3, "ns.outside.test.", T_A));
	/* MX: mail's addresses, not mx.outside.test's. */
	CU_ASSERT_TRUE_FATAL(ask("example.com", T_MX) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 2);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "mail.example.com.", T_A, 3600, "192.0.2.25"));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 1), "mail.example.com.", T_AAAA, 3600, "2001:db8::25"));
	CU_ASSERT_FALSE(has_rr(&m, 3, "mx.outside.test.", T_A));
	/* SRV in zone and out of zone. */
	CU_ASSERT_TRUE_FATAL(ask("_sip._tcp.example.com", T_SRV) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "_sip._tcp.example.com.", T_SRV, 3600,
			     "0 5 5060 sipserver.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "sipserver.example.com.", T_A, 3600, "192.0.2.60"));
	CU_ASSERT_TRUE_FATAL(ask("_out._tcp.example.com", T_SRV) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	/* EDNS adds its OPT after the additional records. */
	CU_ASSERT_TRUE_FATAL(ask_edns("example.com", T_MX, 1232, false) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 3);
	CU_ASSERT_EQUAL(m.rr[4].type, T_OPT);
}

static void test_any(void)
{
	/* RFC 8482: one RRset; the one with the lowest type (A, 1) as Knot does. */
	CU_ASSERT_TRUE_FATAL(ask("multi.example.com", T_ANY) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "multi.example.com.", T_A, 3600, "192.0.2.7"));
	/* At the apex the lowest is A (1), before NS (2), SOA (6) and MX (15). */
	CU_ASSERT_TRUE_FATAL(ask("example.com", T_ANY) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "example.com.", T_A, 3600, "192.0.2.1"));
	/* ANY at an empty non-terminal is NODATA. */
	CU_ASSERT_TRUE_FATAL(ask("ent.example.com", T_ANY) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
}

static void test_edns(void)
{
	/* OPT echoed with our payload, whatever the client's. */
	CU_ASSERT_TRUE_FATAL(ask_edns("host.example.com", T_A, 4096, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
	CU_ASSERT_TRUE(m.has_opt);
	CU_ASSERT_EQUAL(m.opt_payload, ZT_UDP_MAX_DEFAULT);
	CU_ASSERT_EQUAL(m.opt_version, 0);
	CU_ASSERT_EQUAL(m.opt_ext_rcode, 0);
	CU_ASSERT_EQUAL(m.opt_flags & EDNS_DO, 0);
	/* DO echoed. */
	CU_ASSERT_TRUE_FATAL(ask_edns("host.example.com", T_A, 1232, true) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
	CU_ASSERT_TRUE(m.has_opt);
	CU_ASSERT_EQUAL(m.opt_flags & EDNS_DO, EDNS_DO);
	/* No OPT in, no OPT out. */
	CU_ASSERT_TRUE_FATAL(ask("host.example.com", T_A) > 0);
	CU_ASSERT_FALSE(m.has_opt);
	/* A payload below 512 counts as 512 and the answer still comes. */
	CU_ASSERT_TRUE_FATAL(ask_edns("host.example.com", T_A, 100, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
}

static void test_edns_payload_option(void)
{
	zt_opts_t opts = {.udp_max_payload = 1400};
	char err[256];
	zt_t *t = zt_new(zones, 3, &opts, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 7, 0, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 4096, 0, 0, NULL, 0);
	CU_ASSERT_TRUE(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_TRUE(m.has_opt);
	CU_ASSERT_EQUAL(m.opt_payload, 1400);
	zt_free(&t);
	CU_ASSERT_PTR_NULL(t);
	/* Below 512 the option is raised to 512. */
	opts.udp_max_payload = 100;
	t = zt_new(zones, 3, &opts, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(m.opt_payload, 512);
	zt_free(&t);
}

static void test_edns_badvers(void)
{
	qlen = tu_query(qbuf, 9, F_RD, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 1, EDNS_DO, NULL, 0);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	/* BADVERS is 16: 0 in the header, 1 in the OPT's extended rcode. */
	CU_ASSERT_EQUAL(RCODE(m), 0);
	CU_ASSERT_EQUAL(info.rcode, RC_BADVERS);
	CU_ASSERT_TRUE(m.has_opt);
	CU_ASSERT_EQUAL(m.opt_ext_rcode, RC_BADVERS >> 4);
	CU_ASSERT_EQUAL(m.opt_version, 0); /* the version we do speak */
	CU_ASSERT_EQUAL(m.an, 0);
	CU_ASSERT_EQUAL(m.ns, 0);
	CU_ASSERT_EQUAL(m.ar, 1);
	CU_ASSERT_EQUAL(m.id, 9);
	/* Whatever the opcode (RFC 6891 6.1.3; Knot too): UPDATE, NOTIFY, IQUERY. */
	for (uint16_t op = 1; op <= 5; op++) {
		qlen = tu_query(qbuf, 10, (uint16_t)(op << 11), "example.com", T_SOA, C_IN);
		qlen = q_add_opt(qbuf, qlen, 1232, 1, 0, NULL, 0);
		CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
		CU_ASSERT_EQUAL(info.rcode, RC_BADVERS);
		CU_ASSERT_EQUAL(m.opt_ext_rcode, RC_BADVERS >> 4);
		CU_ASSERT_EQUAL((m.flags >> 11) & 0xf, op);
	}
}

/*
 * udp-max-payload 65535 and a client that takes 65535: an answer is still cut to what one
 * IPv4 UDP datagram carries (65507), truncated, never one that cannot be sent.
 */
static void test_udp_datagram_max(void)
{
	zt_opts_t opts = {.udp_max_payload = 65535};
	char err[256], line[320];
	size_t cap = 300 * sizeof(line), off = 0;
	char *text = malloc(cap);
	zload_zone_t *z;
	zt_t *t;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off += (size_t)snprintf(text + off, cap - off,
				"$ORIGIN huge.test.\n@ 300 IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\n"
				"ns IN A 192.0.2.1\n");
	/* 249 TXT records of 250 octets: 65,529 octets with the header, question and OPT. */
	for (int i = 0; i < 249; i++)
		off += (size_t)snprintf(text + off, cap - off, "big IN TXT \"%03d%s\"\n", i,
					S200 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	z = zload_string("huge.test.", text, "huge.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, &opts, err, sizeof(err));
	zload_free(&z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 11, 0, "big.huge.test", T_TXT, C_IN);
	qlen = q_add_opt(qbuf, qlen, 65535, 0, 0, NULL, 0);
	len = send_q(t, ZT_UDP, false);
	CU_ASSERT_TRUE(len > 0 && len <= 65507);
	CU_ASSERT_TRUE(m.flags & F_TC);
	/* Over TCP the whole RRset comes. */
	len = send_q(t, ZT_TCP, false);
	CU_ASSERT_TRUE(len > 65507);
	CU_ASSERT_EQUAL(m.an, 249);
	zt_free(&t);
}

static void test_edns_unknown_option(void)
{
	/* Option 65001 (local use) with 4 octets, then a padding option (12): both ignored. */
	const uint8_t opts[] = {0xfd, 0xe9, 0, 4, 1, 2, 3, 4, 0, 12, 0, 2, 0, 0};

	qlen = tu_query(qbuf, 10, 0, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, opts, sizeof(opts));
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "host.example.com.", T_A, 3600, "192.0.2.80"));
	CU_ASSERT_TRUE(m.has_opt);
	CU_ASSERT_EQUAL(m.opt_rdlen, 0); /* nothing of it echoed */
}

static void test_edns_formerr(void)
{
	/* Two OPT records (RFC 6891 6.1.1). */
	qlen = tu_query(qbuf, 11, 0, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, NULL, 0);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, NULL, 0);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	CU_ASSERT_EQUAL(info.rcode, RC_FORMERR);
	CU_ASSERT_EQUAL(m.an, 0);
	/* An option whose length runs past the OPT's RDATA. */
	{
		const uint8_t bad[] = {0, 10, 0, 8, 1, 2};

		qlen = tu_query(qbuf, 12, 0, "host.example.com", T_A, C_IN);
		qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, bad, sizeof(bad));
		CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
		CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	}
	/* OPT owned by a name other than the root. */
	qlen = tu_query(qbuf, 13, 0, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, NULL, 0);
	memmove(qbuf + qlen - 11 + 2, qbuf + qlen - 11, 11);
	qbuf[qlen - 11] = 1;
	qbuf[qlen - 10] = 'x';
	qlen += 2;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
}

static void test_truncation(void)
{
	const struct rr *r;
	size_t len;

	/* 603 octets of TXT: more than 512. */
	len = ask("big.example.com", T_TXT);
	CU_ASSERT_TRUE_FATAL(len > 0);
	CU_ASSERT_TRUE(len <= 512);
	CU_ASSERT_TRUE(TC(m));
	CU_ASSERT_TRUE(info.truncated);
	CU_ASSERT_TRUE(AA(m));
	CU_ASSERT_EQUAL(RCODE(m), RC_NOERROR);
	CU_ASSERT_EQUAL(m.an, 0); /* whole RRsets only */
	CU_ASSERT_EQUAL(m.qd, 1);
	/* EDNS with 1232 takes it. */
	len = ask_edns("big.example.com", T_TXT, 1232, false);
	CU_ASSERT_TRUE_FATAL(len > 512);
	CU_ASSERT_FALSE(TC(m));
	CU_ASSERT_FALSE(info.truncated);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
	r = sec_rr(&m, 1, 0);
	CU_ASSERT_TRUE(
	    rr_is(r, "big.example.com.", T_TXT, 3600, "\"" S200 "\" \"" S200 "\" \"" S200 "\""));
	/* EDNS with 512 does not. */
	len = ask_edns("big.example.com", T_TXT, 512, false);
	CU_ASSERT_TRUE(len <= 512);
	CU_ASSERT_TRUE(TC(m));
	CU_ASSERT_TRUE(m.has_opt); /* the OPT survives truncation */
	/* TCP has room without EDNS. */
	qlen = tu_query(qbuf, 20, 0, "big.example.com", T_TXT, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, false) > 512);
	CU_ASSERT_FALSE(TC(m));
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	/* The answers that fit are not truncated. */
	CU_ASSERT_TRUE_FATAL(ask("host.example.com", T_A) > 0);
	CU_ASSERT_FALSE(TC(m));
}

static void test_truncation_server_max(void)
{
	/* The server's maximum limits what the client offers. */
	zt_opts_t opts = {.udp_max_payload = 600};
	char err[256];
	zt_t *t = zt_new(zones, 3, &opts, err, sizeof(err));
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 21, 0, "big.example.com", T_TXT, C_IN);
	qlen = q_add_opt(qbuf, qlen, 4096, 0, 0, NULL, 0);
	len = send_q(t, ZT_UDP, false);
	CU_ASSERT_TRUE(len > 0 && len <= 600);
	CU_ASSERT_TRUE(TC(m));
	CU_ASSERT_EQUAL(m.opt_payload, 600);
	zt_free(&t);
}

static void test_formerr(void)
{
	size_t l;

	/* QDCOUNT 2. */
	qlen = tu_query(qbuf, 30, F_RD, "host.example.com", T_A, C_IN);
	l = qlen - WIRE_HDR_LEN;
	memcpy(qbuf + qlen, qbuf + WIRE_HDR_LEN, l);
	qlen += l;
	wire_put16(qbuf + 4, 2);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	CU_ASSERT_EQUAL(info.rcode, RC_FORMERR);
	CU_ASSERT_EQUAL(m.id, 30);
	CU_ASSERT_TRUE(m.flags & F_QR);
	CU_ASSERT_EQUAL(m.an + m.ns, 0);
	/* A compression pointer in the question (it has nothing to point back to). */
	memset(qbuf, 0, WIRE_HDR_LEN);
	wire_put16(qbuf, 31);
	wire_put16(qbuf + 4, 1);
	qbuf[12] = 0xc0;
	qbuf[13] = 12;
	wire_put16(qbuf + 14, T_A);
	wire_put16(qbuf + 16, C_IN);
	qlen = 18;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	CU_ASSERT_EQUAL(m.qd, 0); /* nothing echoed that could not be read */
	/* A pointer after a first label. */
	qlen = tu_query(qbuf, 32, 0, "host.example.com", T_A, C_IN);
	qbuf[17] = 0xc0;
	qbuf[18] = 12;
	wire_put16(qbuf + 19, T_A);
	wire_put16(qbuf + 21, C_IN);
	qlen = 23;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	/* QDCOUNT 0. */
	memset(qbuf, 0, WIRE_HDR_LEN);
	qlen = WIRE_HDR_LEN;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	CU_ASSERT_EQUAL(m.qd, 0);
	/* The question cut short: in the name, and before QCLASS. */
	qlen = tu_query(qbuf, 33, 0, "host.example.com", T_A, C_IN);
	qlen = 20;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	qlen = tu_query(qbuf, 34, 0, "host.example.com", T_A, C_IN);
	qlen -= 2;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	/* ANCOUNT says 1 but there is nothing. */
	qlen = tu_query(qbuf, 35, 0, "host.example.com", T_A, C_IN);
	wire_put16(qbuf + 6, 1);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
}

static void test_dropped(void)
{
	zt_answer_ctx_t ctx = {.transport = ZT_UDP};

	/* Too short to have a header: 0, 1 and 11 octets. */
	qlen = tu_query(qbuf, 40, 0, "host.example.com", T_A, C_IN);
	for (size_t l = 0; l < WIRE_HDR_LEN; l += (l == 0 ? 1 : 10)) {
		memset(&info, 0xff, sizeof(info));
		CU_ASSERT_EQUAL(zt_answer(zt, qbuf, l, rbuf, sizeof(rbuf), &ctx, &info), 0);
		CU_ASSERT_TRUE(info.dropped);
		CU_ASSERT_FALSE(info.xfr);
	}
	/* A response (QR set) is never answered. */
	wire_put16(qbuf + 2, F_QR | F_AA);
	memset(&info, 0, sizeof(info));
	CU_ASSERT_EQUAL(zt_answer(zt, qbuf, qlen, rbuf, sizeof(rbuf), &ctx, &info), 0);
	CU_ASSERT_TRUE(info.dropped);
	/* A header alone (12 octets) is answered: FORMERR, not silence. */
	memset(qbuf, 0, WIRE_HDR_LEN);
	CU_ASSERT_TRUE(zt_answer(zt, qbuf, WIRE_HDR_LEN, rbuf, sizeof(rbuf), &ctx, &info) > 0);
	CU_ASSERT_FALSE(info.dropped);
}

static void test_opcodes(void)
{
	/* STATUS (2): not implemented; the opcode is echoed. */
	qlen = tu_query(qbuf, 50, 2 << 11, "host.example.com", T_A, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTIMP);
	CU_ASSERT_EQUAL(info.rcode, RC_NOTIMP);
	CU_ASSERT_EQUAL((m.flags & F_OPCODE_MASK) >> 11, 2);
	CU_ASSERT_EQUAL(m.an + m.ns + m.ar, 0);
	/* IQUERY (1), UPDATE (5): not implemented either. */
	qlen = tu_query(qbuf, 51, 1 << 11, "host.example.com", T_A, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTIMP);
	qlen = tu_query(qbuf, 52, 5 << 11, "example.com", T_SOA, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTIMP);
	/* NOTIFY (4): we are nobody's secondary. */
	qlen = tu_query(qbuf, 53, (4 << 11) | F_AA, "example.com", T_SOA, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTAUTH);
	CU_ASSERT_EQUAL(info.rcode, RC_NOTAUTH);
	CU_ASSERT_EQUAL((m.flags & F_OPCODE_MASK) >> 11, 4);
	CU_ASSERT_EQUAL(m.id, 53);
	CU_ASSERT_TRUE(info.notify);
	/* A NOTIFY about another type than SOA: FORMERR (RFC 1996 3.2; Knot, BIND), no refresh. */
	qlen = tu_query(qbuf, 54, (4 << 11) | F_AA, "example.com", T_A, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	CU_ASSERT_EQUAL(info.rcode, RC_FORMERR);
	CU_ASSERT_EQUAL((m.flags & F_OPCODE_MASK) >> 11, 4);
	CU_ASSERT_FALSE(info.notify);
	/* The SOA a NOTIFY's answer section gives: its serial read before the answer is written
	 * over the query (zt_answer_inplace(), the UDP paths). */
	{
		/* Owner and names compressed; RDATA 27 octets: ns.<qname>, <qname>, 5 numbers. */
		static const uint8_t soa[] = {
		    0xc0, 12,  0,    6,	 0,    1,  0,	 0,    0x0e, 0x10, 0, 27, 2,
		    'n',  's', 0xc0, 12, 0xc0, 12, 0x78, 0x12, 0x34, 0x56, 0, 0,  0,
		    0,	  0,   0,    0,	 0,    0,  0,	 0,    0,    0,	   0, 0,  0};
		zt_answer_ctx_t ctx = {.transport = ZT_UDP};

		qlen = tu_query(qbuf, 55, (4 << 11) | F_AA, "example.com", T_SOA, C_IN);
		memcpy(qbuf + qlen, soa, sizeof(soa));
		qlen += sizeof(soa);
		qbuf[7] = 1; /* ANCOUNT */
		CU_ASSERT_TRUE(zt_answer_inplace(zt, qbuf, qlen, sizeof(qbuf), &ctx, &info) > 12);
		CU_ASSERT_TRUE(info.notify);
		CU_ASSERT_TRUE(info.notify_soa);
		CU_ASSERT_EQUAL(info.notify_serial, 0x78123456);
		/* Without the SOA: a NOTIFY with no serial. */
		qlen = tu_query(qbuf, 56, (4 << 11) | F_AA, "example.com", T_SOA, C_IN);
		CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
		CU_ASSERT_TRUE(info.notify);
		CU_ASSERT_FALSE(info.notify_soa);
	}
}

static void test_chaos(void)
{
	zt_opts_t opts = {.version = "sandns-test 1", .identity = "ns-unit"};
	char err[256];
	zt_t *t;

	qlen = tu_query(qbuf, 60, 0, "version.bind", T_TXT, C_CH);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
	CU_ASSERT_EQUAL(info.rcode, RC_REFUSED);
	CU_ASSERT_EQUAL(m.an, 0);

	t = zt_new(zones, 3, &opts, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOERROR);
	/* Not authoritative data: Knot 3.2 and NSD clear AA. */
	CU_ASSERT_FALSE(AA(m));
	CU_ASSERT_EQUAL_FATAL(m.an, 1);
	CU_ASSERT_EQUAL(m.rr[0].cls, C_CH);
	CU_ASSERT_TRUE(rr_is(&m.rr[0], "version.bind.", T_TXT, UINT32_MAX, "\"sandns-test 1\""));
	/* Case-insensitive, and version.server too. */
	qlen = tu_query(qbuf, 61, 0, "VERSION.Server", T_TXT, C_CH);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL_FATAL(m.an, 1);
	CU_ASSERT_TRUE(rr_is(&m.rr[0], "VERSION.Server.", T_TXT, UINT32_MAX, "\"sandns-test 1\""));
	/* The identity. */
	qlen = tu_query(qbuf, 62, 0, "id.server", T_TXT, C_CH);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL_FATAL(m.an, 1);
	CU_ASSERT_TRUE(rr_is(&m.rr[0], "id.server.", T_TXT, UINT32_MAX, "\"ns-unit\""));
	CU_ASSERT_FALSE(AA(m));
	/* Other CHAOS names, and version.bind of another type: refused. */
	qlen = tu_query(qbuf, 63, 0, "authors.bind", T_TXT, C_CH);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
	qlen = tu_query(qbuf, 64, 0, "version.bind", T_A, C_CH);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
	/* A zone name in CHAOS is not the zone. */
	qlen = tu_query(qbuf, 65, 0, "host.example.com", T_A, C_CH);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
	zt_free(&t);
	/* Classes other than IN, CH and ANY. */
	qlen = tu_query(qbuf, 66, 0, "host.example.com", T_A, 4);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
}

static void test_axfr_answer(void)
{
	qlen = tu_query(qbuf, 70, 0, "example.com", T_AXFR, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTIMP);
	CU_ASSERT_FALSE(info.xfr);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTAUTH);
	CU_ASSERT_EQUAL(info.rcode, RC_NOTAUTH);
	CU_ASSERT_FALSE(info.xfr);
	CU_ASSERT_EQUAL(send_q(zt, ZT_TCP, true), 0);
	CU_ASSERT_TRUE(info.xfr);
	CU_ASSERT_FALSE(info.dropped);
	/* Not an apex, or not ours: no transfer. */
	qlen = tu_query(qbuf, 71, 0, "host.example.com", T_AXFR, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, true) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_NOTAUTH);
	CU_ASSERT_FALSE(info.xfr);
	qlen = tu_query(qbuf, 72, 0, "nowhere.invalid", T_AXFR, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, true) > 0);
	CU_ASSERT_NOT_EQUAL(RCODE(m), RC_NOERROR);
	CU_ASSERT_FALSE(info.xfr);
}

/* What a transfer's sink saw. */
struct xfr_seen {
	unsigned nmsg;
	unsigned nrr;
	bool bad;
	bool first_soa, last_soa;
	uint16_t id;
	uint16_t qtype;	  /* the first message's question type */
	unsigned stop_at; /* return an error on this message (1-based), 0: never */
	unsigned nkeys;
	char (*keys)[600]; /* owner|type|rdata of every record, when non-NULL */
	unsigned maxkeys;
};

static int xfr_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct xfr_seen *x = ctx;
	static struct msg xm;
	int ret;

	x->nmsg++;
	ret = x->stop_at == x->nmsg ? -1 : 0;
	if (len > 65535 || !parse(msg, len, &xm)) {
		if (!x->bad)
			fprintf(stderr, "\n  transfer message %u (%zu octets) does not parse\n",
				x->nmsg, len);
		x->bad = true;
		return ret;
	}
	if (xm.id != x->id || !(xm.flags & F_QR) || !(xm.flags & F_AA) || (xm.flags & 0xf) != 0 ||
	    xm.an == 0 || xm.qd != (x->nmsg == 1 ? 1 : 0)) {
		if (!x->bad)
			fprintf(stderr, "\n  transfer message %u: bad header\n", x->nmsg);
		x->bad = true;
	}
	if (x->nmsg == 1)
		x->qtype = xm.qtype;
	for (unsigned i = 0; i < xm.an; i++) {
		const struct rr *r = &xm.rr[i];

		if (x->nrr == 0)
			x->first_soa = r->type == T_SOA;
		x->last_soa = r->type == T_SOA;
		x->nrr++;
		if (x->keys != NULL && x->nkeys < x->maxkeys) {
			char text[512];

			rd_text(r, text, sizeof(text));
			snprintf(x->keys[x->nkeys++], sizeof(x->keys[0]), "%s|%u|%.500s", r->owner,
				 r->type, text);
		}
	}
	return ret;
}

static bool seen_key(const struct xfr_seen *x, const char *key)
{
	for (unsigned i = 0; i < x->nkeys; i++)
		if (strcasecmp(x->keys[i], key) == 0)
			return true;
	return false;
}

static void test_axfr_render(void)
{
	static char keys[128][600];
	struct xfr_seen x = {.id = 0x4242, .keys = keys, .maxkeys = 128};
	unsigned dups = 0;

	qlen = tu_query(qbuf, 0x4242, 0, "example.com", T_AXFR, C_IN);
	CU_ASSERT_EQUAL_FATAL(zload_rr_count(zones[0]), COM_RRS);
	CU_ASSERT_EQUAL(zt_xfr_render(zt, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_TRUE(x.nmsg >= 1);
	CU_ASSERT_FALSE(x.bad);
	CU_ASSERT_TRUE(x.first_soa);
	CU_ASSERT_TRUE(x.last_soa);
	/* Every record once, the SOA twice. */
	CU_ASSERT_EQUAL(x.nrr, COM_RRS + 1);
	for (unsigned i = 0; i < x.nkeys; i++)
		for (unsigned j = i + 1; j < x.nkeys; j++)
			dups += strcmp(keys[i], keys[j]) == 0;
	CU_ASSERT_EQUAL(dups, 1);
	/* Some that are easy to lose: parent-side data of the child zone served here too,
	 * glue, DS, the wildcard, the unknown type. */
	CU_ASSERT_TRUE(seen_key(&x, "ns.child.example.com.|1|192.0.2.210"));
	CU_ASSERT_TRUE(seen_key(&x, "child.example.com.|2|ns.child.example.com."));
	CU_ASSERT_TRUE(seen_key(&x, "child.example.com.|43|54321 8 2 " HEX64));
	CU_ASSERT_TRUE(seen_key(&x, "ns.sub.example.com.|1|192.0.2.200"));
	CU_ASSERT_TRUE(seen_key(&x, "sub.example.com.|43|12345 8 2 " HEX64));
	CU_ASSERT_TRUE(seen_key(&x, "*.wild.example.com.|1|192.0.2.99"));
	CU_ASSERT_TRUE(seen_key(&x, "unk.example.com.|65280|\\# 4 0a000001"));
	CU_ASSERT_TRUE(seen_key(&x, "dn.example.com.|39|target.example.net."));
	/* The child zone's own transfer has none of the parent's records. */
	memset(&x, 0, sizeof(x));
	x.id = 0x4343;
	x.keys = keys;
	x.maxkeys = 128;
	qlen = tu_query(qbuf, 0x4343, 0, "child.example.com", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(zt, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_FALSE(x.bad);
	CU_ASSERT_EQUAL(x.nrr, 4 + 1);
	CU_ASSERT_FALSE(seen_key(&x, "child.example.com.|43|54321 8 2 " HEX64));
	/* A name that is no apex. */
	qlen = tu_query(qbuf, 1, 0, "host.example.com", T_AXFR, C_IN);
	CU_ASSERT_NOT_EQUAL(zt_xfr_render(zt, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	qlen = tu_query(qbuf, 1, 0, "nowhere.invalid", T_AXFR, C_IN);
	CU_ASSERT_NOT_EQUAL(zt_xfr_render(zt, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_NOT_EQUAL(zt_xfr_render(zt, qbuf, 5, xfr_sink, &x), SANDNS_EOK);
}

/*
 * A transfer bigger than one message: the later messages carry no question, so nothing in them may
 * point at where the question was (once their first owner pointed at itself).
 */
/* The whole of a transfer, message after message, for comparing two. */
struct xfr_bytes {
	uint8_t *buf;
	size_t len, cap;
	unsigned nmsg;
};

static int xfr_collect(void *ctx, const uint8_t *msg, size_t len)
{
	struct xfr_bytes *x = ctx;

	if (x->len + len + 2 > x->cap) {
		size_t cap = (x->len + len + 2) * 2;
		uint8_t *b = realloc(x->buf, cap);

		if (b == NULL)
			return -1;
		x->buf = b;
		x->cap = cap;
	}
	x->buf[x->len++] = (uint8_t)(len >> 8);
	x->buf[x->len++] = (uint8_t)len;
	memcpy(x->buf + x->len, msg, len);
	x->len += len;
	x->nmsg++;
	return 0;
}

/*
 * A large zone's transfer order is sorted after zt_new(): on a thread (zt_order_start), which a
 * transfer started at once waits for, or by the first transfer itself. Both give the transfer
 * of an order sorted inside zt_new(), octet for octet; a snapshot freed while its thread may
 * still sort is freed cleanly.
 */
static void test_axfr_order_later(void)
{
	const unsigned n = 4000;
	size_t cap = 256 + (size_t)n * 64, was = zt_order_async_min;
	char *text = malloc(cap), err[256];
	struct xfr_bytes now = {0}, thread = {0}, first = {0};
	zload_zone_t *z;
	zt_t *a, *b, *c;
	size_t o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o = (size_t)snprintf(text, cap,
			     "$ORIGIN big.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
			     "@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n");
	/* Names in an order far from canonical: deep and shallow, long and short. */
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (i * 7919u) % n;

		if (i % 3 != 0)
			o += (size_t)snprintf(text + o, cap - o, "h%u.s%u 60 IN A 10.0.%u.%u\n", k,
					      i % 5, i / 256, i % 256);
		else
			o += (size_t)snprintf(text + o, cap - o, "x%u 60 IN MX 10 ns\n", k);
	}
	z = zload_string("big.test", text, "big.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zt_order_async_min = SIZE_MAX;
	a = zt_new(&z, 1, NULL, err, sizeof(err));
	zt_order_async_min = 0;
	b = zt_new(&z, 1, NULL, err, sizeof(err));
	c = zt_new(&z, 1, NULL, err, sizeof(err));
	zt_order_async_min = was;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	qlen = tu_query(qbuf, 0x6161, 0, "big.test", T_AXFR, C_IN);
	/* At once after the thread starts: it waits for the thread. */
	zt_order_start(b);
	zt_order_start(b);
	CU_ASSERT_EQUAL(zt_xfr_render(b, qbuf, qlen, xfr_collect, &thread), SANDNS_EOK);
	/* No thread: the transfer sorts. */
	CU_ASSERT_EQUAL(zt_xfr_render(c, qbuf, qlen, xfr_collect, &first), SANDNS_EOK);
	CU_ASSERT_EQUAL(zt_xfr_render(a, qbuf, qlen, xfr_collect, &now), SANDNS_EOK);
	CU_ASSERT_TRUE(now.nmsg >= 1);
	CU_ASSERT_EQUAL(now.len, thread.len);
	CU_ASSERT_TRUE(now.len == thread.len && memcmp(now.buf, thread.buf, now.len) == 0);
	CU_ASSERT_TRUE(now.len == first.len && memcmp(now.buf, first.buf, now.len) == 0);
	zt_free(&a);
	zt_free(&b);
	zt_free(&c);
	/* Freed while the thread may still sort, or before any sorted. */
	zt_order_async_min = 0;
	for (int i = 0; i < 6; i++) {
		b = zt_new(&z, 1, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL(b);
		if (b != NULL && i % 2 == 0)
			zt_order_start(b);
		zt_free(&b);
	}
	zt_order_async_min = was;
	free(now.buf);
	free(thread.buf);
	free(first.buf);
	zload_free(&z);
}

static void test_axfr_render_large(void)
{
	/* 3000 TXT records of 100 octets: more than one 64 KiB message. */
	const unsigned n = 3000;
	size_t cap = 256 + (size_t)n * 140;
	char *text = malloc(cap);
	char err[256];
	zload_zone_t *z;
	zt_t *t;
	size_t o;
	struct xfr_seen x = {.id = 0x5151};

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	o = (size_t)snprintf(text, cap,
			     "$ORIGIN big.test.\n@ 60 IN SOA ns h 1 2 3 4 5\n"
			     "@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n");
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, cap - o, "r%u 60 IN TXT \"%0100u\"\n", i, i);
	z = zload_string("big.test", text, "big.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(t);
	if (t != NULL) {
		qlen = tu_query(qbuf, 0x5151, 0, "big.test", T_AXFR, C_IN);
		CU_ASSERT_EQUAL(zt_xfr_render(t, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
		CU_ASSERT_TRUE(x.nmsg >= 5);
		CU_ASSERT_FALSE(x.bad);
		CU_ASSERT_TRUE(x.first_soa);
		CU_ASSERT_TRUE(x.last_soa);
		CU_ASSERT_EQUAL(x.nrr, n + 3 + 1);
		/* A sink that fails stops the transfer there. */
		memset(&x, 0, sizeof(x));
		x.id = 0x5151;
		x.stop_at = 2;
		CU_ASSERT_NOT_EQUAL(zt_xfr_render(t, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
		CU_ASSERT_EQUAL(x.nmsg, 2);
		/* An ordinary query still works on this big zone. */
		qlen = tu_query(qbuf, 1, 0, "r2999.big.test", T_TXT, C_IN);
		CU_ASSERT_TRUE(send_q(t, ZT_UDP, false) > 0);
		CU_ASSERT_EQUAL(m.an, 1);
	}
	zt_free(&t);
	zload_free(&z);
}

/*
 * Answers qbuf[0..qlen) into a separate buffer, in place, and in place by zt_answer_inplace() (the
 * UDP paths' entry); all three must be the same bytes, and say the same.
 */
static void check_in_place(uint8_t transport)
{
	static uint8_t sep[65536], inplace[65536], entry[65536];
	zt_answer_ctx_t ctx = {.transport = transport};
	zt_answer_info_t i1, i2, i3;
	size_t l1, l2, l3;

	memcpy(inplace, qbuf, qlen);
	memcpy(entry, qbuf, qlen);
	l1 = zt_answer(zt, qbuf, qlen, sep, sizeof(sep), &ctx, &i1);
	l2 = zt_answer(zt, inplace, qlen, inplace, sizeof(inplace), &ctx, &i2);
	l3 = zt_answer_inplace(zt, entry, qlen, sizeof(entry), &ctx, &i3);
	CU_ASSERT_TRUE(l1 > 0);
	CU_ASSERT_EQUAL(l1, l2);
	CU_ASSERT_TRUE(l1 == l2 && memcmp(sep, inplace, l1) == 0);
	CU_ASSERT_EQUAL(memcmp(&i1, &i2, sizeof(i1)), 0);
	CU_ASSERT_EQUAL(l1, l3);
	CU_ASSERT_TRUE(l1 == l3 && memcmp(sep, entry, l1) == 0);
	CU_ASSERT_EQUAL(memcmp(&i1, &i3, sizeof(i1)), 0);
}

static void test_in_place(void)
{
	static const struct {
		const char *name;
		uint16_t qtype;
		int edns; /* 0 none, else payload */
	} qs[] = {
	    {"host.example.com", T_A, 0},	{"HoSt.example.COM", T_A, 1232},
	    {"www.example.com", T_A, 0},	{"a.b.c.wild.example.com", T_A, 0},
	    {"nope.example.com", T_A, 1232},	{"x.y.sub.example.com", T_A, 0},
	    {"example.com", T_MX, 0},		{"big.example.com", T_TXT, 0},
	    {"big.example.com", T_TXT, 1232},	{"x.dn.example.com", T_A, 0},
	    {"www.nowhere.invalid", T_A, 1232}, {"child.example.com", T_DS, 0},
	};

	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		qlen = tu_query(qbuf, (uint16_t)(100 + i), F_RD, qs[i].name, qs[i].qtype, C_IN);
		if (qs[i].edns)
			qlen = q_add_opt(qbuf, qlen, (uint16_t)qs[i].edns, 0, EDNS_DO, NULL, 0);
		check_in_place(ZT_UDP);
		check_in_place(ZT_TCP);
	}
	/* Error answers too: BADVERS, FORMERR, NOTIMP. */
	qlen = tu_query(qbuf, 200, 0, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 3, 0, NULL, 0);
	check_in_place(ZT_UDP);
	qlen = tu_query(qbuf, 201, 2 << 11, "host.example.com", T_A, C_IN);
	check_in_place(ZT_UDP);
	qlen = tu_query(qbuf, 202, 0, "host.example.com", T_A, C_IN);
	wire_put16(qbuf + 4, 2);
	check_in_place(ZT_UDP);
}

static void test_dname(void)
{
	/* RFC 6672: the DNAME, then a CNAME synthesized with the DNAME's TTL. */
	CU_ASSERT_TRUE_FATAL(ask("x.dn.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "dn.example.com.", T_DNAME, 600, "target.example.net."));
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 1), "x.dn.example.com.", T_CNAME, 600, "x.target.example.net."));
	/* Several labels are carried over, case as asked. */
	CU_ASSERT_TRUE_FATAL(ask("A.b.dn.example.com", T_TXT) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 0);
	CU_ASSERT_STRING_EQUAL(owner_at(&m, 1, 1), "A.b.dn.example.com.");
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 1), "a.b.dn.example.com.", T_CNAME, 600,
			     "a.b.target.example.net."));
	/* The DNAME's owner itself is not redirected. */
	CU_ASSERT_TRUE_FATAL(ask("dn.example.com", T_DNAME) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE_FATAL(ask("dn.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	/* A target in the zone is followed: here into the wildcard. */
	CU_ASSERT_TRUE_FATAL(ask("x.dn2.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 3, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "dn2.example.com.", T_DNAME, 3600, "wild.example.com."));
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 1), "x.dn2.example.com.", T_CNAME, 3600, "x.wild.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 2), "x.wild.example.com.", T_A, 3600, "192.0.2.99"));
	/* ...and into a name that does not exist. */
	CU_ASSERT_TRUE_FATAL(ask("x.sib.dn2.example.com", T_A) > 0);
	EXPECT(RC_NXDOMAIN, true, 2, 1, 0);
}

/*
 * A CNAME loop stops where it comes back (Knot puts CNAMEs with KNOT_PF_CHECKDUP): "loop1 A" gets
 * loop1 CNAME loop2 and loop2 CNAME loop1; "self A" gets self CNAME self once.
 */
static void test_cname_loop(void)
{
	CU_ASSERT_TRUE_FATAL(ask("loop1.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "loop1.example.com.", T_CNAME, 3600, "loop2.example.com."));
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 1), "loop2.example.com.", T_CNAME, 3600, "loop1.example.com."));
	CU_ASSERT_TRUE_FATAL(ask("self.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "self.example.com.", T_CNAME, 3600, "self.example.com."));
}

/* Whether the answer section holds CNAMEs cFIRST -> cFIRST+1 ... and nothing else before N. */
static void expect_c_chain(unsigned first, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char owner[64], target[64];

		snprintf(owner, sizeof(owner), "c%u.example.com.", first + i);
		snprintf(target, sizeof(target), "c%u.example.com.", first + i + 1);
		CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, i), owner, T_CNAME, 3600, target));
	}
}

/*
 * Five CNAMEs at most, as Knot: the fifth's target is still looked up and answered (its records,
 * or NODATA), a sixth CNAME is not put and the answer ends NOERROR. c1 .. c7 CNAME the next, c8
 * A. Knot and NSD agree on the chains of five; NSD goes on past them.
 */
static void test_cname_chain_limit(void)
{
	/* c1: c1..c5's CNAMEs, c6 reached is a sixth CNAME: left out, nothing else. */
	CU_ASSERT_TRUE_FATAL(ask("c1.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 5, 0, 0);
	expect_c_chain(1, 5);
	/* c3: five CNAMEs, then c8's address. */
	CU_ASSERT_TRUE_FATAL(ask("c3.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 6, 0, 0);
	expect_c_chain(3, 5);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 5), "c8.example.com.", T_A, 3600, "192.0.2.8"));
	/* ...and c8's NODATA for a type it lacks. */
	CU_ASSERT_TRUE_FATAL(ask("c3.example.com", T_AAAA) > 0);
	EXPECT(RC_NOERROR, true, 5, 1, 0);
	expect_c_chain(3, 5);
	CU_ASSERT_EQUAL(count_type(&m, 2, T_SOA), 1);
	/* c4: four CNAMEs and the address. */
	CU_ASSERT_TRUE_FATAL(ask("c4.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 5, 0, 0);
	expect_c_chain(4, 4);
}

/*
 * A chain into a zone served below the chain's (CNAME, wildcard CNAME, DNAME): Knot answers the
 * referral of the chain zone's cut for it, as if the child were not served (NSD goes on into
 * the child zone); the answer stopped at the CNAME, an empty authority section, matching neither.
 */
static void test_chain_into_child_zone(void)
{
	static const char par[] =
	    "$ORIGIN par.test.\n$TTL 300\n@ SOA ns h 1 7200 3600 1209600 300\n"
	    "@ NS ns\nns A 192.0.2.1\nc NS ns.c\nns.c A 192.0.2.2\n"
	    "a CNAME x.c\nb CNAME nx.w.c\n*.wp CNAME h.c\nd DNAME c\n";
	static const char child[] = "$ORIGIN c.par.test.\n$TTL 300\n"
				    "@ SOA ns h 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.2\n"
				    "x A 192.0.2.3\n*.w CNAME x\nh TXT \"h\"\n";
	static const struct {
		const char *name;
		uint16_t an;
	} names[] = {
	    {"a.par.test", 1}, {"b.par.test", 1}, {"q.wp.par.test", 1}, {"y.d.par.test", 2}};
	zload_zone_t *z[2];
	char err[512];
	zt_t *t;

	z[0] = zload_string("par.test.", par, "par.zone", NULL, NULL, err, sizeof(err));
	z[1] = zload_string("c.par.test.", child, "c.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[1]);
	t = zt_new(z, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		qlen = tu_query(qbuf, 0x1234, 0, names[i].name, T_A, C_IN);
		CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
		if (RCODE(m) != RC_NOERROR || !AA(m) || m.an != names[i].an || m.ns != 1)
			dump_msg(&m);
		CU_ASSERT_EQUAL(RCODE(m), RC_NOERROR);
		CU_ASSERT_TRUE(AA(m));
		CU_ASSERT_EQUAL(m.an, names[i].an);
		CU_ASSERT_EQUAL(m.ns, 1);
		CU_ASSERT_TRUE(has_rr(&m, 2, "c.par.test.", T_NS));
	}
	/* The child's own names are the child's answers. */
	qlen = tu_query(qbuf, 0x1234, 0, "x.c.par.test", T_A, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	zt_free(&t);
	zload_free(&z[0]);
	zload_free(&z[1]);
}

/*
 * The referral such a chain ends with has the glue Knot gives it: the parent zone's own A/AAAA
 * below the cut (not the child's, which the index holds there), mandatory glue first, then the
 * parent's other in-zone targets, each in the NS RRset's order, A before AAAA; the same glue in
 * the parent's other additional sections (an MX, another cut's NS). With DO too (the DNAME's
 * answer is rendered live, the CNAMEs' ahead).
 */
static void test_chain_into_child_zone_glue(void)
{
	static const char par[] =
	    "$ORIGIN par.test.\n$TTL 300\n@ SOA ns h 1 7200 3600 1209600 300\n"
	    "@ NS ns\nns A 192.0.2.1\nns2 A 192.0.2.11\nns2 AAAA 2001:db8::11\n"
	    "c NS ns.c\nc NS ns2\nc NS ns.other.test.\nc NS ns1.c\n"
	    "ns.c A 192.0.2.2\nns.c AAAA 2001:db8::2\nns1.c AAAA 2001:db8::12\n"
	    "a CNAME x.c\nb CNAME nx.w.c\n*.wp CNAME h.c\nd DNAME c\n"
	    "mx MX 10 ns.c\ne NS ns1.c\ne NS ns.e\nns.e A 192.0.2.5\n";
	static const char child[] =
	    "$ORIGIN c.par.test.\n$TTL 300\n"
	    "@ SOA ns h 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.102\n"
	    "x A 192.0.2.3\n*.w CNAME x\nh TXT \"h\"\n";
	static const struct {
		const char *name;
		uint16_t an;
	} names[] = {
	    {"a.par.test", 1}, {"b.par.test", 1}, {"q.wp.par.test", 1}, {"y.d.par.test", 2}};
	zload_zone_t *z[2];
	char err[512];
	zt_t *t;

	z[0] = zload_string("par.test.", par, "par.zone", NULL, NULL, err, sizeof(err));
	z[1] = zload_string("c.par.test.", child, "c.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[1]);
	t = zt_new(z, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t i = 0; i < 2 * sizeof(names) / sizeof(names[0]); i++) {
		bool dnssec = i % 2 == 1;

		qlen = tu_query(qbuf, 0x1234, 0, names[i / 2].name, T_A, C_IN);
		if (dnssec)
			qlen = q_add_opt(qbuf, qlen, 1232, 0, EDNS_DO, NULL, 0);
		CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
		EXPECT(RC_NOERROR, true, names[i / 2].an, 4, 5u + dnssec);
		CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "ns.c.par.test.", T_A, 300, "192.0.2.2"));
		CU_ASSERT_TRUE(
		    rr_is(sec_rr(&m, 3, 1), "ns.c.par.test.", T_AAAA, 300, "2001:db8::2"));
		CU_ASSERT_TRUE(
		    rr_is(sec_rr(&m, 3, 2), "ns1.c.par.test.", T_AAAA, 300, "2001:db8::12"));
		CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 3), "ns2.par.test.", T_A, 300, "192.0.2.11"));
		CU_ASSERT_TRUE(
		    rr_is(sec_rr(&m, 3, 4), "ns2.par.test.", T_AAAA, 300, "2001:db8::11"));
	}
	/* The parent's MX: the parent's glue for its target. */
	qlen = tu_query(qbuf, 0x1234, 0, "mx.par.test", T_MX, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 2);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "ns.c.par.test.", T_A, 300, "192.0.2.2"));
	/* Another cut's referral: its own glue first, then the glue below c. */
	qlen = tu_query(qbuf, 0x1234, 0, "x.e.par.test", T_A, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, false, 0, 2, 2);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 0), "ns.e.par.test.", T_A, 300, "192.0.2.5"));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 3, 1), "ns1.c.par.test.", T_AAAA, 300, "2001:db8::12"));
	/* The child's own name is still the child's answer. */
	qlen = tu_query(qbuf, 0x1234, 0, "ns.c.par.test", T_A, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(t, ZT_UDP, false) > 0);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "ns.c.par.test.", T_A, 300, "192.0.2.102"));
	zt_free(&t);
	zload_free(&z[0]);
	zload_free(&z[1]);
}

static void test_wildcard_cname(void)
{
	CU_ASSERT_TRUE_FATAL(ask("foo.wc.example.com", T_A) > 0);
	EXPECT(RC_NOERROR, true, 2, 0, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "foo.wc.example.com.", T_CNAME, 3600, "host.example.com."));
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 1), "host.example.com.", T_A, 3600, "192.0.2.80"));
	/* The same wildcard for a type the target lacks: CNAME, then NODATA. */
	CU_ASSERT_TRUE_FATAL(ask("x.y.wc.example.com", T_AAAA) > 0);
	EXPECT(RC_NOERROR, true, 1, 1, 0);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "x.y.wc.example.com.", T_CNAME, 3600, "host.example.com."));
}

static void test_ds_at_apex_nodata(void)
{
	/* No parent served: the zone's own NODATA for DS at its apex. */
	CU_ASSERT_TRUE_FATAL(ask("example.com", T_DS) > 0);
	EXPECT(RC_NOERROR, true, 0, 1, 0);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 2, 0), "example.com.", T_SOA, 300, COM_SOA));
}

static void test_dname_overflow(void)
{
	/* 3 * 64 + 47 + 16 (dn.example.com.) = 255 octets; the substitution would make 258. */
	char name[300];
	size_t o = 0;

	for (int i = 0; i < 3; i++) {
		memset(name + o, 'a' + i, 63);
		o += 63;
		name[o++] = '.';
	}
	memset(name + o, 'x', 46);
	o += 46;
	snprintf(name + o, sizeof(name) - o, ".dn.example.com");
	qlen = tu_query(qbuf, 80, 0, name, T_A, C_IN);
	CU_ASSERT_EQUAL_FATAL(qlen, WIRE_HDR_LEN + 255 + 4);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	/* RFC 6672 2.2: YXDOMAIN, with the DNAME. */
	CU_ASSERT_EQUAL(RCODE(m), 6);
	CU_ASSERT_EQUAL(info.rcode, 6);
	CU_ASSERT_EQUAL(m.an, 1);
	CU_ASSERT_TRUE(
	    rr_is(sec_rr(&m, 1, 0), "dn.example.com.", T_DNAME, 600, "target.example.net."));
}

static void test_referral_glue_truncation(void)
{
	size_t len;

	/* RFC 9471: in-domain glue that does not fit sets TC. */
	len = ask("x.many.example.com", T_A);
	CU_ASSERT_TRUE_FATAL(len > 0);
	CU_ASSERT_TRUE(len <= 512);
	CU_ASSERT_TRUE(TC(m));
	CU_ASSERT_TRUE(info.truncated);
	CU_ASSERT_FALSE(AA(m));
	/* With room, all of it, no TC. */
	CU_ASSERT_TRUE_FATAL(ask_edns("x.many.example.com", T_A, 1232, false) > 0);
	CU_ASSERT_FALSE(TC(m));
	EXPECT(RC_NOERROR, false, 0, 8, 17);
	CU_ASSERT_EQUAL(count_type(&m, 3, T_A), 8);
	CU_ASSERT_EQUAL(count_type(&m, 3, T_AAAA), 8);
	CU_ASSERT_TRUE(has_rr_data(&m, 3, "ns8.many.example.com.", T_AAAA, 3600, "2001:db8::108"));
}

static void test_formerr_tcp(void)
{
	size_t l;

	/* QDCOUNT 2 over TCP: FORMERR as over UDP. */
	qlen = tu_query(qbuf, 90, 0, "host.example.com", T_A, C_IN);
	l = qlen - WIRE_HDR_LEN;
	memcpy(qbuf + qlen, qbuf + WIRE_HDR_LEN, l);
	qlen += l;
	wire_put16(qbuf + 4, 2);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	/*
	 * A question that does not parse over TCP gets no answer: the engine says "dropped" and
	 * the caller closes the stream (answer.c: "as Knot"). Pinned here so a change is
	 * deliberate.
	 */
	memset(qbuf, 0, WIRE_HDR_LEN);
	wire_put16(qbuf + 4, 1);
	qbuf[12] = 0xc0;
	qbuf[13] = 12;
	wire_put16(qbuf + 14, T_A);
	wire_put16(qbuf + 16, C_IN);
	qlen = 18;
	CU_ASSERT_EQUAL(send_q(zt, ZT_TCP, false), 0);
	CU_ASSERT_TRUE(info.dropped);
}

static void test_snapshot(void)
{
	zt_t *t;
	char err[256];

	CU_ASSERT_TRUE(zt_memsize(zt) > 0);
	CU_ASSERT_EQUAL(zt_zone_count(zt), 3);
	{
		bool com = false, child = false, out = false;

		for (size_t i = 0; i < zt_zone_count(zt); i++) {
			const char *o = zt_zone_origin(zt, i);

			if (strcmp(o, "example.com.") == 0) {
				com = true;
				CU_ASSERT_EQUAL(zt_zone_serial(zt, i), 2024010101UL);
			}
			child |= strcmp(o, "child.example.com.") == 0;
			out |= strcmp(o, "outside.test.") == 0;
		}
		CU_ASSERT_TRUE(com && child && out);
	}
	CU_ASSERT_PTR_NULL(zt_zone_origin(zt, 3));
	/* A snapshot of one zone, then freed: NULL left behind, NULL accepted. */
	t = zt_new(&zones[2], 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_TRUE(zt_memsize(t) > 0);
	CU_ASSERT_TRUE(zt_memsize(t) < zt_memsize(zt));
	zt_free(&t);
	CU_ASSERT_PTR_NULL(t);
	zt_free(&t);
	zt_free(NULL);
	/* The same zone twice cannot be served. */
	{
		zload_zone_t *two[2] = {zones[2], zones[2]};

		err[0] = '\0';
		t = zt_new(two, 2, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NULL(t);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "outside.test."));
		zt_free(&t);
	}
}

/*
 * No zones at all: a snapshot that refuses everything. Under UBSan zt_new(NULL, 0) reports
 * "null pointer passed as argument" at zt.c memcpy(zones, zones_in, 0) and at zt_rrsets_make()'s
 * qsort_r(NULL, 0): undefined behaviour, harmless in practice (nothing is asserted on it).
 */
static void test_empty_snapshot(void)
{
	char err[256];
	zt_t *t = zt_new(NULL, 0, NULL, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(zt_zone_count(t), 0);
	qlen = tu_query(qbuf, 1, 0, "host.example.com", T_A, C_IN);
	CU_ASSERT_TRUE(send_q(t, ZT_UDP, false) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_REFUSED);
	zt_free(&t);
}

/* ------------------------------------------------------------------ review regressions */

/*
 * A zone with DNSKEY but no NSEC (pre-published key, or NSEC3) is "signed": its DO answers once
 * looked for a covering NSEC that does not exist and crashed the compiler.
 */
static void test_signed_without_nsec(void)
{
	static const char text[] = "$ORIGIN k.test.\n$TTL 300\n"
				   "@ SOA ns1 h 1 2 3 4 60\n@ NS ns1\nns1 A 192.0.2.1\n"
				   "@ DNSKEY 257 3 13 AQAB\n";
	char err[512];
	zload_zone_t *z = zload_string("k.test.", text, "k.zone", NULL, NULL, err, sizeof(err));
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 0x1234, 0, "nx.k.test.", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, EDNS_DO, NULL, 0);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 1);
	qlen = tu_query(qbuf, 0x1234, 0, "k.test.", T_TXT, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, EDNS_DO, NULL, 0);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 0, 1, 1);
	zt_free(&t);
	zload_free(&z);
}

/*
 * The parent's records below a child zone served too stay out of the name index, also when the
 * index grows while the zones compile (deep names make many empty non-terminals).
 */
static void test_shadow_after_index_growth(void)
{
	static const char parent[] =
	    "$ORIGIN p.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 60\n@ NS ns1\nns1 A 192.0.2.1\n"
	    "child NS ns2.child\nns2.child A 192.0.2.9\n"
	    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t A 192.0.2.2\n"
	    "u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n A 192.0.2.3\n";
	static const char child[] = "$ORIGIN child.p.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 60\n"
				    "@ NS ns1\nns1 A 192.0.2.10\n";
	char err[512];
	zload_zone_t *z[2];
	zt_t *t;

	z[0] = zload_string("p.test.", parent, "p.zone", NULL, NULL, err, sizeof(err));
	z[1] = zload_string("child.p.test.", child, "c.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[1]);
	t = zt_new(z, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* The child has no ns2: NXDOMAIN from the child, not the parent's glue. */
	qlen = tu_query(qbuf, 0x1234, 0, "ns2.child.p.test.", T_A, C_IN);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	zt_free(&t);
	zload_free(&z[0]);
	zload_free(&z[1]);
}

/* More records in one RRset than a 16-bit count holds: refused when compiling, with the name. */
static void test_rrset_too_big(void)
{
	size_t cap = 70000 * 40 + 256, off = 0;
	char *text = malloc(cap);
	char err[512];
	zload_zone_t *z;
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off += (size_t)snprintf(text + off, cap - off,
				"$ORIGIN b.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 60\n@ NS ns1\n"
				"ns1 A 192.0.2.1\n");
	for (unsigned i = 0; i < 65537; i++)
		off += (size_t)snprintf(text + off, cap - off, "big A 10.%u.%u.%u\n", i >> 16,
					(i >> 8) & 255, i & 255);
	z = zload_string("b.test.", text, "b.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "big.b.test."));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "65535"));
	zt_free(&t);
	zload_free(&z);
}

/* Records of one RRset with different TTLs: the first one in the file is served (zload warns). */
static void test_rrset_ttl_first_in_file(void)
{
	static const char text[] = "$ORIGIN t.test.\n@ 300 SOA ns1 h 1 2 3 4 60\n@ 300 NS ns1\n"
				   "ns1 300 A 192.0.2.1\nw 900 A 192.0.2.9\nw 60 A 192.0.2.2\n";
	char err[512];
	zload_zone_t *z = zload_string("t.test.", text, "t.zone", NULL, NULL, err, sizeof(err));
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 0x1234, 0, "w.t.test.", T_A, C_IN);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 2, 0, 0);
	CU_ASSERT_EQUAL(m.rr[0].ttl, 900);
	CU_ASSERT_EQUAL(m.rr[1].ttl, 900);
	zt_free(&t);
	zload_free(&z);
}

/* ------------------------------------------------------------------ as Knot DNS 3.2 answers */

#define SIG64                                                                                      \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="

/*
 * A signed zone (signatures of the right size, not valid ones): MX targets with A and AAAA.
 * Each record but the SOA, NS and DNSKEY at the apex gets an RRSIG written after it.
 */
static const char *const sig_records[] = {
    "@ MX 10 mx1",	    "@ MX 20 mx2",     "@ MX 30 mx3",	       "ns1 A 192.0.2.1",
    "ns1 AAAA 2001:db8::1", "ns2 A 192.0.2.2", "ns2 AAAA 2001:db8::2", "mx1 A 192.0.2.3",
    "mx1 AAAA 2001:db8::3", "mx2 A 192.0.2.4", "mx2 AAAA 2001:db8::4", "mx3 A 192.0.2.5",
};

/* The zone's text: apex records and their signatures, then sig_records[] each signed. */
static void sig_zone_text(char *buf, size_t cap)
{
	size_t len = (size_t)snprintf(
	    buf, cap,
	    "$ORIGIN sig.test.\n$TTL 3600\n@ SOA ns1 h 1 7200 3600 1209600 300\n@ NS ns1\n"
	    "@ NS ns2\n@ DNSKEY 257 3 13 " SIG64 "\n");

	for (const char *const *t = (const char *const[]){"SOA", "NS", "DNSKEY", NULL}; *t; t++)
		len += (size_t)snprintf(buf + len, cap - len,
					"@ RRSIG %s 13 2 3600 20361202120901 20261205103901 1 "
					"sig.test. " SIG64 "\n",
					*t);
	for (size_t i = 0; i < sizeof(sig_records) / sizeof(sig_records[0]); i++) {
		char owner[16], type[16];

		sscanf(sig_records[i], "%15s %15s", owner, type);
		len +=
		    (size_t)snprintf(buf + len, cap - len,
				     "%s\n%s RRSIG %s 13 %d 3600 20361202120901 20261205103901 1 "
				     "sig.test. " SIG64 "\n",
				     sig_records[i], owner, type, owner[0] == '@' ? 2 : 3);
	}
}

static zt_t *sig_snapshot(zload_zone_t **z)
{
	char err[512];
	zt_t *t;

	static char text[8192];

	sig_zone_text(text, sizeof(text));
	*z = zload_string("sig.test.", text, "sig.zone", NULL, NULL, err, sizeof(err));
	if (*z == NULL) {
		fprintf(stderr, "\n  sig.test: %s\n", err);
		return NULL;
	}
	t = zt_new(z, 1, NULL, err, sizeof(err));
	if (t == NULL)
		fprintf(stderr, "\n  sig.test: %s\n", err);
	return t;
}

/*
 * DO with 512 octets, an answer whose additional section does not all fit: Knot writes each
 * section's RRsets first and their signatures after them, the additional signatures only as far
 * as they fit. Knot 3.2.6: the five A/AAAA of the targets, then the RRSIG of mx1's A alone, no
 * TC, 409 octets.
 */
static void test_knot_do512_additional(void)
{
	static const char *const want[] = {"mx1.sig.test.", "mx1.sig.test.", "mx2.sig.test.",
					   "mx2.sig.test.", "mx3.sig.test.", "mx1.sig.test."};
	static const uint16_t wtype[] = {T_A, T_AAAA, T_A, T_AAAA, T_A, T_RRSIG};
	zload_zone_t *z;
	zt_t *t = sig_snapshot(&z);
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 0x1234, 0, "sig.test.", T_MX, C_IN);
	qlen = q_add_opt(qbuf, qlen, 512, 0, EDNS_DO, NULL, 0);
	len = send_q(t, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 4, 0, 7);
	CU_ASSERT_FALSE(TC(m));
	CU_ASSERT_EQUAL(len, 409);
	CU_ASSERT_TRUE(m.an == 4 && sec_rr(&m, 1, 3)->type == T_RRSIG);
	for (unsigned i = 0; i < 6; i++) {
		const struct rr *r = sec_rr(&m, 3, i);

		CU_ASSERT_TRUE(r != NULL && strcasecmp(r->owner, want[i]) == 0 &&
			       r->type == wtype[i]);
	}
	/* The whole answer when it fits: every RRset, then every signature. */
	qlen = tu_query(qbuf, 0x1234, 0, "sig.test.", T_MX, C_IN);
	qlen = q_add_opt(qbuf, qlen, 4096, 0, EDNS_DO, NULL, 0);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 4, 0, 11);
	CU_ASSERT_TRUE(m.ar > 5 && sec_rr(&m, 3, 4)->type == T_A);
	CU_ASSERT_TRUE(m.ar > 5 && sec_rr(&m, 3, 5)->type == T_RRSIG);
	zt_free(&t);
	zload_free(&z);
}

/* An RRSIG query: Knot answers the signatures of the lowest type covered only (NS here). */
static void test_knot_rrsig_query(void)
{
	zload_zone_t *z;
	zt_t *t = sig_snapshot(&z);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	qlen = tu_query(qbuf, 0x1234, 0, "sig.test.", T_RRSIG, C_IN);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	CU_ASSERT_TRUE(m.an == 1 && sec_rr(&m, 1, 0)->type == T_RRSIG &&
		       wire_get16(sec_rr(&m, 1, 0)->rdata) == T_NS);
	zt_free(&t);
	zload_free(&z);
}

/*
 * Octets after the records the counts announce: Knot 3.2 answers FORMERR, the question echoed,
 * no OPT, whatever the opcode, class or EDNS version, over UDP and TCP alike.
 */
static void test_knot_trailing_octets(void)
{
	static const struct {
		const char *name;
		uint16_t qtype, qclass, opcode;
		int edns; /* -1 none, else the version */
		uint8_t transport;
	} c[] = {
	    {"host.example.com", T_A, C_IN, 0, -1, ZT_UDP},
	    {"host.example.com", T_A, C_IN, 0, 0, ZT_UDP},
	    {"host.example.com", T_A, C_IN, 0, 0, ZT_TCP},
	    {"host.example.com", T_A, C_IN, 0, 1, ZT_UDP},
	    {"host.example.com", T_A, C_IN, 4, -1, ZT_UDP},
	    {"version.bind", T_TXT, C_CH, 0, -1, ZT_UDP},
	    {"example.com", T_AXFR, C_IN, 0, -1, ZT_TCP},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		qlen = tu_query(qbuf, (uint16_t)(40 + i), (uint16_t)(c[i].opcode << 11), c[i].name,
				c[i].qtype, c[i].qclass);
		if (c[i].edns >= 0)
			qlen = q_add_opt(qbuf, qlen, 1232, (uint8_t)c[i].edns, EDNS_DO, NULL, 0);
		qbuf[qlen++] = 0;
		CU_ASSERT_TRUE_FATAL(send_q(zt, c[i].transport, true) > 0);
		CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
		CU_ASSERT_EQUAL(info.rcode, RC_FORMERR);
		CU_ASSERT_FALSE(info.xfr);
		CU_ASSERT_EQUAL(m.qd, 1);
		CU_ASSERT_EQUAL(m.qtype, c[i].qtype);
		CU_ASSERT_EQUAL(m.an + m.ns + m.ar, 0);
		CU_ASSERT_FALSE(m.has_opt);
		CU_ASSERT_FALSE(AA(m));
	}
	/* No question, an OPT and one octet more: the bare header. */
	memset(qbuf, 0, WIRE_HDR_LEN);
	qlen = q_add_opt(qbuf, WIRE_HDR_LEN, 1232, 0, 0, NULL, 0);
	qbuf[qlen++] = 0;
	CU_ASSERT_EQUAL(send_q(zt, ZT_UDP, false), WIRE_HDR_LEN);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	/* Without the extra octet the same query is answered. */
	qlen = tu_query(qbuf, 50, 0, "host.example.com", T_A, C_IN);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, NULL, 0);
	send_q(zt, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 1, 0, 1);
}

/*
 * An IXFR query for ZONE (RFC 1995 3): the client's SOA with SERIAL in the authority section,
 * owned by OWNER (NULL: a pointer to the question's name).
 */
static void ixfr_query(uint16_t id, const char *zone, const char *owner, uint32_t serial)
{
	qlen = tu_query(qbuf, id, 0, zone, T_IXFR, C_IN);
	if (owner == NULL) {
		wire_put16(qbuf + qlen, 0xc000 | WIRE_HDR_LEN);
		qlen += 2;
	} else {
		uint8_t tmp[512];
		size_t l = tu_query(tmp, 0, 0, owner, T_SOA, C_IN) - WIRE_HDR_LEN - 4;

		memcpy(qbuf + qlen, tmp + WIRE_HDR_LEN, l);
		qlen += l;
	}
	wire_put16(qbuf + qlen, T_SOA);
	wire_put16(qbuf + qlen + 2, C_IN);
	wire_put32(qbuf + qlen + 4, 0);
	wire_put16(qbuf + qlen + 8, 22); /* root MNAME and RNAME, five numbers */
	qbuf[qlen + 10] = 0;
	qbuf[qlen + 11] = 0;
	wire_put32(qbuf + qlen + 12, serial);
	memset(qbuf + qlen + 16, 0, 16);
	qlen += 32;
	wire_put16(qbuf + 8, 1);
}

/* The answer is example.com's SOA alone, AA clear (Knot's IXFR answer without a transfer). */
static void expect_ixfr_soa(void)
{
	EXPECT(RC_NOERROR, false, 1, 0, 0);
	CU_ASSERT_FALSE(info.xfr);
	CU_ASSERT_EQUAL(m.qtype, T_IXFR);
	CU_ASSERT_TRUE(rr_is(sec_rr(&m, 1, 0), "example.com.", T_SOA, 3600, COM_SOA));
}

/*
 * IXFR over UDP (RFC 1995 2): Knot 3.2 answers the SOA to a client the transfer ACL allows,
 * whatever its serial (the client then comes over TCP); FORMERR without an SOA owned by the
 * zone's name; NOTAUTH off an apex, and to a client outside the ACL.
 */
static void test_knot_ixfr_udp(void)
{
	static const uint32_t serials[] = {2024010101, 2024010100, 2024010102, 1, 0x80000000};

	for (size_t i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
		ixfr_query((uint16_t)(80 + i), "example.com", NULL, serials[i]);
		CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
		expect_ixfr_soa();
	}
	/* With EDNS: our OPT after the SOA. */
	ixfr_query(86, "example.com", "Example.COM", 2024010100);
	qlen = q_add_opt(qbuf, qlen, 1232, 0, 0, NULL, 0);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	EXPECT(RC_NOERROR, false, 1, 0, 1);
	CU_ASSERT_TRUE(m.has_opt);
	/* No SOA, or one of another name: FORMERR. */
	qlen = tu_query(qbuf, 87, 0, "example.com", T_IXFR, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	EXPECT(RC_FORMERR, false, 0, 0, 0);
	CU_ASSERT_EQUAL(m.qd, 1);
	ixfr_query(88, "example.com", "host.example.com", 2024010100);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	EXPECT(RC_FORMERR, false, 0, 0, 0);
	/* The SOA cut short. */
	ixfr_query(89, "example.com", NULL, 2024010100);
	qlen -= 10;
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	CU_ASSERT_EQUAL(RCODE(m), RC_FORMERR);
	/* Not a zone apex, or no zone of ours: NOTAUTH. */
	ixfr_query(90, "host.example.com", NULL, 1);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	EXPECT(RC_NOTAUTH, false, 0, 0, 0);
	ixfr_query(91, "nowhere.invalid", NULL, 1);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, true) > 0);
	EXPECT(RC_NOTAUTH, false, 0, 0, 0);
	/* Outside the ACL: NOTAUTH (Knot); an ACL not checked yet: nothing, info.xfr_ask. */
	ixfr_query(92, "example.com", NULL, 2024010100);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_UDP, false) > 0);
	EXPECT(RC_NOTAUTH, false, 0, 0, 0);
	{
		zt_answer_ctx_t ask = {.transport = ZT_UDP, .xfr_ask = true};

		CU_ASSERT_EQUAL(zt_answer(zt, qbuf, qlen, rbuf, sizeof(rbuf), &ask, &info), 0);
		CU_ASSERT_TRUE(info.xfr_ask);
	}
}

/*
 * IXFR over TCP without history: the SOA alone when the client is as new as we are or newer
 * (RFC 1995 2), else the whole zone AXFR-style (a transfer: info.xfr). Who may transfer is
 * checked first, as for AXFR.
 */
static void test_knot_ixfr_tcp(void)
{
	ixfr_query(100, "example.com", NULL, 2024010101);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, false) > 0);
	EXPECT(RC_NOTAUTH, false, 0, 0, 0);
	CU_ASSERT_FALSE(info.xfr);
	/* Current, and newer (a difference under 2^31): the SOA alone. */
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, true) > 0);
	expect_ixfr_soa();
	ixfr_query(101, "example.com", NULL, 2024010101u + 0x7fffffffu);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, true) > 0);
	expect_ixfr_soa();
	/* Older, or 2^31 away (neither older nor newer): the whole zone. */
	ixfr_query(102, "example.com", NULL, 2024010100);
	CU_ASSERT_EQUAL(send_q(zt, ZT_TCP, true), 0);
	CU_ASSERT_TRUE(info.xfr);
	ixfr_query(103, "example.com", NULL, 2024010101u + 0x80000000u);
	CU_ASSERT_EQUAL(send_q(zt, ZT_TCP, true), 0);
	CU_ASSERT_TRUE(info.xfr);
	/* No SOA: FORMERR, not a transfer. */
	qlen = tu_query(qbuf, 104, 0, "example.com", T_IXFR, C_IN);
	CU_ASSERT_TRUE_FATAL(send_q(zt, ZT_TCP, true) > 0);
	EXPECT(RC_FORMERR, false, 0, 0, 0);
	CU_ASSERT_FALSE(info.xfr);
}

/* IXFR answered AXFR-style keeps IXFR in its question (BIND 9.18 rejects a mismatch). */
static void test_knot_ixfr_question(void)
{
	struct xfr_seen x = {.id = 105};

	ixfr_query(105, "example.com", NULL, 2024010100);
	CU_ASSERT_EQUAL(zt_xfr_render(zt, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_FALSE(x.bad);
	CU_ASSERT_EQUAL(x.qtype, T_IXFR);
	CU_ASSERT_TRUE(x.first_soa && x.last_soa);
	CU_ASSERT_EQUAL(x.nrr, COM_RRS + 1);
	/* An AXFR stays AXFR. */
	memset(&x, 0, sizeof(x));
	x.id = 106;
	qlen = tu_query(qbuf, 106, 0, "example.com", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(zt, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.qtype, T_AXFR);
}

/*
 * NSEC3 owners are no names of the zone (RFC 5155 7.2.8): Knot answers a query for one, of any
 * type, NXDOMAIN as for a name that does not exist. A transfer still carries the records.
 */
static void test_knot_nsec3_owner(void)
{
	static const char text[] =
	    "$ORIGIN n3.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 60\n@ NS ns1\nns1 A 192.0.2.1\n"
	    "@ DNSKEY 257 3 13 " SIG64 "\n@ NSEC3PARAM 1 0 0 -\n"
	    "a4s6dckclf7qlc9ncu4c3q7kq0ms4qog NSEC3 1 0 0 - g7ho8h0ki3hkd0erg2bkp0rs9ks5fodq NS "
	    "SOA "
	    "RRSIG DNSKEY NSEC3PARAM\n"
	    "a4s6dckclf7qlc9ncu4c3q7kq0ms4qog RRSIG NSEC3 13 3 300 20361202120901 20261205103901 1 "
	    "n3.test. " SIG64 "\n"
	    "g7ho8h0ki3hkd0erg2bkp0rs9ks5fodq NSEC3 1 0 0 - a4s6dckclf7qlc9ncu4c3q7kq0ms4qog A\n";
	static const uint16_t types[] = {T_NSEC3, T_A, T_RRSIG, T_ANY, T_TXT};
	const char *hashed[] = {"a4s6dckclf7qlc9ncu4c3q7kq0ms4qog.n3.test.",
				"G7HO8H0KI3HKD0ERG2BKP0RS9KS5FODQ.n3.test."};
	char err[512];
	zload_zone_t *z = zload_string("n3.test.", text, "n3.zone", NULL, NULL, err, sizeof(err));
	struct xfr_seen x = {.id = 120};
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t h = 0; h < 2; h++) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			qlen = tu_query(qbuf, 0x1234, 0, hashed[h], types[i], C_IN);
			send_q(t, ZT_UDP, false);
			EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
			CU_ASSERT_TRUE(m.ns == 1 && sec_rr(&m, 2, 0)->type == T_SOA);
		}
		/* With DO: the signed zone's NXDOMAIN, signatures and all. */
		qlen = tu_query(qbuf, 0x1234, 0, hashed[h], T_NSEC3, C_IN);
		qlen = q_add_opt(qbuf, qlen, 1232, 0, EDNS_DO, NULL, 0);
		send_q(t, ZT_UDP, false);
		CU_ASSERT_EQUAL(RCODE(m), RC_NXDOMAIN);
		CU_ASSERT_EQUAL(m.an, 0);
	}
	/* Below one: no name either. */
	qlen = tu_query(qbuf, 0x1234, 0, "x.a4s6dckclf7qlc9ncu4c3q7kq0ms4qog.n3.test.", T_A, C_IN);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NXDOMAIN, true, 0, 1, 0);
	/* The zone's own names are there still. */
	qlen = tu_query(qbuf, 0x1234, 0, "n3.test.", T_NSEC3PARAM, C_IN);
	send_q(t, ZT_UDP, false);
	EXPECT(RC_NOERROR, true, 1, 0, 0);
	/* AXFR: every record, the SOA twice. */
	qlen = tu_query(qbuf, 120, 0, "n3.test", T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(t, qbuf, qlen, xfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_FALSE(x.bad);
	CU_ASSERT_EQUAL(x.nrr, zload_rr_count(z) + 1);
	zt_free(&t);
	zload_free(&z);
}

void reg_cutest_answer(void)
{
	CU_pSuite s = CU_add_suite("answer", answer_init, answer_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "exact match", test_exact_match);
	CU_add_test(s, "NODATA", test_nodata);
	CU_add_test(s, "0x20: case of the question echoed", test_case_echoed);
	CU_add_test(s, "CNAME chain followed in zone", test_cname_chain);
	CU_add_test(s, "CNAME out of every zone", test_cname_out_of_zone);
	CU_add_test(s, "CNAME to a missing name: NXDOMAIN", test_cname_nxdomain);
	CU_add_test(s, "wildcard match", test_wildcard);
	CU_add_test(s, "wildcard NODATA", test_wildcard_nodata);
	CU_add_test(s, "wildcard blocked below an existing name",
		    test_wildcard_blocked_below_sibling);
	CU_add_test(s, "empty non-terminal: NODATA", test_empty_non_terminal);
	CU_add_test(s, "NXDOMAIN: SOA with the RFC 2308 TTL", test_nxdomain_negative_ttl);
	CU_add_test(s, "delegation: referral", test_referral);
	CU_add_test(s, "DS at a cut: the parent answers", test_ds_at_cut);
	CU_add_test(s, "DS at a child apex served here too", test_ds_at_child_apex);
	CU_add_test(s, "out of zone: REFUSED", test_refused);
	CU_add_test(s, "additional A/AAAA for NS, MX, SRV", test_additional);
	CU_add_test(s, "ANY: one RRset (RFC 8482)", test_any);
	CU_add_test(s, "EDNS: OPT echoed, payload, DO", test_edns);
	CU_add_test(s, "EDNS: udp_max_payload option", test_edns_payload_option);
	CU_add_test(s, "EDNS: BADVERS", test_edns_badvers);
	CU_add_test(s, "UDP: never more than one IPv4 datagram holds", test_udp_datagram_max);
	CU_add_test(s, "EDNS: unknown option ignored", test_edns_unknown_option);
	CU_add_test(s, "EDNS: malformed OPT: FORMERR", test_edns_formerr);
	CU_add_test(s, "truncation: TC", test_truncation);
	CU_add_test(s, "truncation: the server's maximum", test_truncation_server_max);
	CU_add_test(s, "FORMERR", test_formerr);
	CU_add_test(s, "silence: no header, or a response", test_dropped);
	CU_add_test(s, "opcodes: NOTIMP, NOTIFY", test_opcodes);
	CU_add_test(s, "CHAOS", test_chaos);
	CU_add_test(s, "AXFR: who may", test_axfr_answer);
	CU_add_test(s, "AXFR: the messages", test_axfr_render);
	CU_add_test(s, "AXFR: a large zone's order sorted after zt_new", test_axfr_order_later);
	CU_add_test(s, "AXFR: several messages", test_axfr_render_large);
	CU_add_test(s, "answer in place", test_in_place);
	CU_add_test(s, "DNAME", test_dname);
	CU_add_test(s, "CNAME loop", test_cname_loop);
	CU_add_test(s, "CNAME chain limit", test_cname_chain_limit);
	CU_add_test(s, "wildcard CNAME", test_wildcard_cname);
	CU_add_test(s, "DS at an apex without a parent here: NODATA", test_ds_at_apex_nodata);
	CU_add_test(s, "DNAME substitution too long: YXDOMAIN", test_dname_overflow);
	CU_add_test(s, "referral: in-domain glue that does not fit sets TC",
		    test_referral_glue_truncation);
	CU_add_test(s, "FORMERR over TCP", test_formerr_tcp);
	CU_add_test(s, "snapshot: size, zones, free", test_snapshot);
	CU_add_test(s, "snapshot of no zones", test_empty_snapshot);
	CU_add_test(s, "signed zone without NSEC: DO answers", test_signed_without_nsec);
	CU_add_test(s, "parent-side names stay out of a grown index",
		    test_shadow_after_index_growth);
	CU_add_test(s, "RRset over 65535 records: refused", test_rrset_too_big);
	CU_add_test(s, "RRset TTLs differ: the file's first is served",
		    test_rrset_ttl_first_in_file);
	CU_add_test(s, "Knot: DO, 512 octets: additional RRsets, then signatures",
		    test_knot_do512_additional);
	CU_add_test(s, "Knot: RRSIG query: the lowest type's signatures", test_knot_rrsig_query);
	CU_add_test(s, "Knot: octets after the records: FORMERR", test_knot_trailing_octets);
	CU_add_test(s, "Knot: IXFR over UDP: the SOA", test_knot_ixfr_udp);
	CU_add_test(s, "Knot: IXFR over TCP: the SOA when current, else AXFR-style",
		    test_knot_ixfr_tcp);
	CU_add_test(s, "Knot: IXFR answered AXFR-style: the question stays IXFR",
		    test_knot_ixfr_question);
	CU_add_test(s, "Knot: NSEC3 owner names: NXDOMAIN", test_knot_nsec3_owner);
	CU_add_test(s, "Knot: a chain into a child zone served: the parent's referral",
		    test_chain_into_child_zone);
	CU_add_test(s, "Knot: a chain into a child zone served: the parent's glue",
		    test_chain_into_child_zone_glue);
}
