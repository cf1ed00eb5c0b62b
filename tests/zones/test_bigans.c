/* SPDX-License-Identifier: BSD-3-Clause */
/* test_bigans.c: CUnit suite for answers of any size (many RRsets, many types, over 64 KiB) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_pvt.h"

/*
 * big.test: the shapes that once came out as NODATA or SERVFAIL, each checked against what
 * Knot DNS 3.2 answers on the same zone (kdig, UDP 1232 and 512, TCP):
 *  - an AD site: _ldap._tcp SRV with 50 targets, each with A and AAAA (150 RRsets of answer);
 *  - a delegation to 48 in-zone name servers with A and AAAA glue;
 *  - RRsets over 64 KiB: 300 TXT of 255 octets, 5,000 A, 3,000 MX;
 *  - a name with 70 types.
 */
static char *big_text;
static zload_zone_t *big_zone;
static zt_t *big;
static char warnings[4096];

static void appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < *cap - *len)
			break;
		*cap *= 2;
		*buf = realloc(*buf, *cap);
		if (*buf == NULL)
			abort();
	}
	*len += (size_t)n;
}

static char *big_zone_text(void)
{
	size_t len = 0, cap = 1 << 16;
	char *t = malloc(cap);
	char pad[251];

	if (t == NULL)
		abort();
	memset(pad, 'x', 250);
	pad[250] = 0;
	appendf(&t, &len, &cap,
		"$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n"
		"@ NS ns1\nns1 A 192.0.2.1\n");
	for (int i = 0; i < 50; i++)
		appendf(&t, &len, &cap,
			"_ldap._tcp SRV 0 100 389 dc%d.big.test.\ndc%d A 192.0.2.%d\n"
			"dc%d AAAA 2001:db8::%d\n",
			i, i, i + 10, i, i + 10);
	for (int i = 0; i < 48; i++)
		appendf(&t, &len, &cap,
			"sub NS ns%d.sub.big.test.\nns%d.sub A 192.0.3.%d\n"
			"ns%d.sub AAAA 2001:db8:3::%d\n",
			i, i, i + 1, i, i + 1);
	for (int i = 1000; i < 1300; i++)
		appendf(&t, &len, &cap, "huge TXT \"%d%s\"\n", i, pad);
	for (int i = 0; i < 5000; i++)
		appendf(&t, &len, &cap, "many A 10.%d.%d.%d\n", i / 65536, i / 256 % 256, i % 256);
	for (int i = 0; i < 3000; i++)
		appendf(&t, &len, &cap, "mx MX %d mail%d.example.\n", i, i);
	for (int i = 1; i <= 70; i++)
		appendf(&t, &len, &cap, "types TYPE%d \\# 1 0%d\n", 65279 + i, i % 10);
	return t;
}

static void keep_warning(void *ctx, const char *msg)
{
	size_t n = strlen(warnings);

	(void)ctx;
	snprintf(warnings + n, sizeof(warnings) - n, "%s\n", msg);
}

static int bigans_init(void)
{
	char err[512];

	big_text = big_zone_text();
	big_zone =
	    zload_string("big.test.", big_text, "big.zone", keep_warning, NULL, err, sizeof(err));
	if (big_zone == NULL) {
		fprintf(stderr, "bigans suite: %s\n", err);
		return -1;
	}
	big = zt_new(&big_zone, 1, NULL, err, sizeof(err));
	if (big == NULL) {
		fprintf(stderr, "bigans suite: %s\n", err);
		return -1;
	}
	return 0;
}

static int bigans_cleanup(void)
{
	zt_free(&big);
	zload_free(&big_zone);
	free(big_text);
	return 0;
}

/* ------------------------------------------------------------------ asking */

enum how { UDP512, EDNS512, EDNS1232, TCP };

struct hdr {
	uint16_t flags, an, ns, ar;
	size_t len;
};

static uint8_t qbuf[512];
static uint8_t rbuf[65536];

/* NAME/QTYPE asked as HOW: the response's header, its length (0: none). */
static struct hdr ask(const char *name, uint16_t qtype, enum how how)
{
	zt_answer_ctx_t ctx = {.transport = how == TCP ? ZT_TCP : ZT_UDP};
	zt_answer_info_t info;
	size_t qlen = tu_query(qbuf, 0x4242, 0, name, qtype, C_IN);
	struct hdr h = {0};

	if (how == EDNS512 || how == EDNS1232) {
		uint16_t payload = how == EDNS512 ? 512 : 1232;

		/* OPT: root owner, type 41, the payload as class, TTL 0, no data */
		memset(qbuf + qlen, 0, 11);
		wire_put16(qbuf + qlen + 1, 41);
		wire_put16(qbuf + qlen + 3, payload);
		qlen += 11;
		wire_put16(qbuf + 10, 1);
	}
	h.len = zt_answer(big, qbuf, qlen, rbuf, sizeof(rbuf), &ctx, &info);
	if (h.len >= WIRE_HDR_LEN) {
		h.flags = wire_get16(rbuf + 2);
		h.an = wire_get16(rbuf + 6);
		h.ns = wire_get16(rbuf + 8);
		h.ar = wire_get16(rbuf + 10);
	}
	return h;
}

/* Whether the answer to NAME/QTYPE as HOW has RCODE, AA and TC so, and these counts. */
static bool answers(const char *name, uint16_t qtype, enum how how, uint8_t rcode, bool aa, bool tc,
		    uint16_t an, uint16_t ns, uint16_t ar)
{
	struct hdr h = ask(name, qtype, how);
	bool ok = h.len >= WIRE_HDR_LEN && (h.flags & 0xf) == rcode &&
		  ((h.flags & F_AA) != 0) == aa && ((h.flags & F_TC) != 0) == tc && h.an == an &&
		  h.ns == ns && h.ar == ar;

	if (!ok)
		fprintf(stderr,
			"\n  %s/%u (%d): rcode %u aa %d tc %d, %u/%u/%u, %zu octets; wanted rcode "
			"%u aa %d tc %d, %u/%u/%u\n",
			name, qtype, (int)how, h.flags & 0xf, (h.flags & F_AA) != 0,
			(h.flags & F_TC) != 0, h.an, h.ns, h.ar, h.len, rcode, aa, tc, an, ns, ar);
	return ok;
}

/* ------------------------------------------------------------------ the tests */

/* 50 SRV records and 100 address RRsets: whole over TCP, TC over UDP (as Knot). */
static void test_srv_many_targets(void)
{
	CU_ASSERT_TRUE(answers("_ldap._tcp.big.test.", T_SRV, TCP, 0, true, false, 50, 0, 100));
	CU_ASSERT_TRUE(answers("_ldap._tcp.big.test.", T_SRV, EDNS1232, 0, true, true, 0, 0, 1));
	CU_ASSERT_TRUE(answers("_ldap._tcp.big.test.", T_SRV, EDNS512, 0, true, true, 0, 0, 1));
	CU_ASSERT_TRUE(answers("_ldap._tcp.big.test.", T_SRV, UDP512, 0, true, true, 0, 0, 0));
	/* ANY: the one RRset there is, with its additional data */
	CU_ASSERT_TRUE(answers("_ldap._tcp.big.test.", T_ANY, TCP, 0, true, false, 50, 0, 100));
	/* a target still answers for itself */
	CU_ASSERT_TRUE(answers("dc49.big.test.", T_AAAA, UDP512, 0, true, false, 1, 0, 0));
}

/* 48 name servers with A and AAAA glue: a referral, its glue cut with TC where it does not
 * fit (Knot keeps the NS RRset and the glue that fits: 13 RRsets in 1232 octets). */
static void test_referral_many_servers(void)
{
	static const char *names[] = {"x.sub.big.test.", "sub.big.test.", "ns7.sub.big.test.",
				      "a.b.ns7.sub.big.test."};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CU_ASSERT_TRUE(answers(names[i], T_A, TCP, 0, false, false, 0, 48, 96));
		CU_ASSERT_TRUE(answers(names[i], T_A, EDNS1232, 0, false, true, 0, 48, 14));
		CU_ASSERT_TRUE(answers(names[i], T_A, EDNS512, 0, false, true, 0, 0, 1));
		CU_ASSERT_TRUE(answers(names[i], T_A, UDP512, 0, false, true, 0, 0, 0));
	}
	CU_ASSERT_TRUE(answers("sub.big.test.", T_NS, TCP, 0, false, false, 0, 48, 96));
}

/* RRsets no message holds: TC over UDP, SERVFAIL over TCP (Knot), never NODATA. */
static void test_rrset_over_64k(void)
{
	static const struct {
		const char *name;
		uint16_t type;
	} sets[] = {{"huge.big.test.", T_TXT}, {"many.big.test.", T_A}, {"mx.big.test.", T_MX}};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		CU_ASSERT_TRUE(
		    answers(sets[i].name, sets[i].type, TCP, RC_SERVFAIL, false, false, 0, 0, 0));
		CU_ASSERT_TRUE(
		    answers(sets[i].name, sets[i].type, EDNS1232, 0, true, true, 0, 0, 1));
		CU_ASSERT_TRUE(answers(sets[i].name, sets[i].type, UDP512, 0, true, true, 0, 0, 0));
		/* the name's other types are still NODATA */
		CU_ASSERT_TRUE(answers(sets[i].name, T_AAAA, TCP, 0, true, false, 0, 1, 0));
	}
	/* the loader said which ones, with the line of each's first record */
	CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "big.zone:300: warning: the TXT RRset at "
						"huge.big.test. (300 records)"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(warnings, "big.zone:600: warning: the A RRset at many.big.test. (5000"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(warnings, "big.zone:5600: warning: the MX RRset at mx.big.test. (3000"));
	/* and no other */
	CU_ASSERT_PTR_NULL(strstr(warnings, "_ldap"));
	CU_ASSERT_PTR_NULL(strstr(warnings, "sub.big.test"));
}

/* 70 types at one name: every one answered with its data. */
static void test_many_types(void)
{
	for (uint16_t t = 65280; t < 65350; t++)
		CU_ASSERT_TRUE(answers("types.big.test.", t, UDP512, 0, true, false, 1, 0, 0));
	CU_ASSERT_TRUE(answers("types.big.test.", 65350, UDP512, 0, true, false, 0, 1, 0));
	CU_ASSERT_TRUE(answers("types.big.test.", T_A, TCP, 0, true, false, 0, 1, 0));
	CU_ASSERT_TRUE(answers("types.big.test.", T_ANY, TCP, 0, true, false, 1, 0, 0));
}

/*
 * 2,000 SRV targets with A and AAAA (p.test): the answer fills a TCP message and 105 additional
 * records fit after it, as in Knot's. Knot points the owners of additional records at the names
 * of the first 15 records of the RRset that named them only; the others are written with their
 * first label. A UDP answer is cut at once, without looking for its 4,000 address RRsets.
 */
static void test_srv_thousands(void)
{
	size_t len = 0, cap = 1 << 18;
	char *t = malloc(cap), err[512];
	zload_zone_t *z;
	zt_t *keep = big;

	if (t == NULL)
		abort();
	appendf(&t, &len, &cap,
		"$ORIGIN p.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n"
		"@ NS ns1\nns1 A 192.0.2.1\n");
	for (int i = 0; i < 2000; i++)
		appendf(&t, &len, &cap,
			"_x._tcp SRV 0 1 1 h%d.p.test.\nh%d A 10.0.%d.%d\nh%d AAAA 2001:db8::%d\n",
			i, i, i / 256, i % 256, i, i);
	z = zload_string("p.test.", t, "p.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	big = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(big);
	if (big != NULL) {
		struct hdr h;

		CU_ASSERT_TRUE(
		    answers("_x._tcp.p.test.", T_SRV, TCP, 0, true, false, 2000, 0, 105));
		h = ask("_x._tcp.p.test.", T_SRV, TCP);
		CU_ASSERT_EQUAL(h.len, 65526); /* Knot's size to the octet */
		CU_ASSERT_TRUE(answers("_x._tcp.p.test.", T_SRV, EDNS1232, 0, true, true, 0, 0, 1));
		CU_ASSERT_TRUE(
		    answers("_x._tcp.p.test.", T_ANY, TCP, 0, true, false, 2000, 0, 105));
		zt_free(&big);
	}
	big = keep;
	zload_free(&z);
	free(t);
}

/*
 * A delegation to 2,500 in-zone name servers with A and AAAA glue (q.test): over TCP the NS
 * RRset and the 627 glue records that fit, with TC (glue a referral cannot go without, cut:
 * Knot sets TC and answers, where an answer RRset that does not fit is SERVFAIL); over UDP TC
 * alone. The glue names below the cut answer the same, without rendering the referral 2,500
 * times at load.
 */
static void test_referral_thousands(void)
{
	size_t len = 0, cap = 1 << 18;
	char *t = malloc(cap), err[512];
	zload_zone_t *z;
	zt_t *keep = big;

	if (t == NULL)
		abort();
	appendf(&t, &len, &cap,
		"$ORIGIN p.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n"
		"@ NS ns1\nns1 A 192.0.2.1\n");
	for (int i = 0; i < 2500; i++)
		appendf(
		    &t, &len, &cap,
		    "sub NS n%d.sub.p.test.\nn%d.sub A 10.1.%d.%d\nn%d.sub AAAA 2001:db8:1::%d\n",
		    i, i, i / 256, i % 256, i, i);
	z = zload_string("p.test.", t, "q.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	big = zt_new(&z, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(big);
	if (big != NULL) {
		static const char *names[] = {"x.sub.p.test.", "sub.p.test.", "n7.sub.p.test.",
					      "n2400.sub.p.test."};

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			CU_ASSERT_TRUE(answers(names[i], T_A, TCP, 0, false, true, 0, 2500, 627));
			CU_ASSERT_TRUE(answers(names[i], T_A, EDNS1232, 0, false, true, 0, 0, 1));
			CU_ASSERT_TRUE(answers(names[i], T_A, UDP512, 0, false, true, 0, 0, 0));
		}
		zt_free(&big);
	}
	big = keep;
	zload_free(&z);
	free(t);
}

/* A record whose text ldns cuts short is refused, with file, line and reason (Knot: "text is
 * too long"); one that fits is read whole. */
static void test_txt_over_64k_refused(void)
{
	static const char head[] = "$ORIGIN t.test.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 "
				   "1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n";
	size_t len = 0, cap = 1 << 17;
	char *t = malloc(cap), pad[256], err[512];
	zload_zone_t *z;

	if (t == NULL)
		abort();
	memset(pad, 'y', 255);
	pad[255] = 0;
	appendf(&t, &len, &cap, "%sbig TXT", head);
	for (int i = 0; i < 280; i++)
		appendf(&t, &len, &cap, " \"%s\"", pad);
	appendf(&t, &len, &cap, "\n");
	err[0] = 0;
	z = zload_string("t.test.", t, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.zone:6:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 65535 octets (280 fields, 71680 octets)"));
	zload_free(&z);

	/* 250 strings of 255 octets (64,000 octets) on several lines: all of them served */
	len = 0;
	appendf(&t, &len, &cap, "%sbig TXT (", head);
	for (int i = 0; i < 250; i++)
		appendf(&t, &len, &cap, " \"%s\"\n", pad);
	appendf(&t, &len, &cap, ")\n");
	z = zload_string("t.test.", t, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	{
		zt_t *s = zt_new(&z, 1, NULL, err, sizeof(err));
		ldns_pkt *p;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		p = tu_ask(s, 7, "big.t.test.", T_TXT);
		CU_ASSERT_PTR_NOT_NULL(p);
		if (p != NULL) {
			CU_ASSERT_EQUAL(ldns_pkt_ancount(p), 1);
			if (ldns_pkt_ancount(p) == 1)
				CU_ASSERT_EQUAL(
				    ldns_rr_rd_count(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 250);
			ldns_pkt_free(p);
		}
		zt_free(&s);
	}
	zload_free(&z);
	free(t);
}

void reg_cutest_bigans(void)
{
	CU_pSuite s = CU_add_suite("bigans", bigans_init, bigans_cleanup);

	CU_add_test(s, "SRV with 50 targets and their addresses", test_srv_many_targets);
	CU_add_test(s, "referral to 48 name servers with glue", test_referral_many_servers);
	CU_add_test(s, "RRsets over 64 KiB: SERVFAIL over TCP, TC over UDP", test_rrset_over_64k);
	CU_add_test(s, "a name with 70 types", test_many_types);
	CU_add_test(s, "SRV with 2,000 targets: Knot's compression hints", test_srv_thousands);
	CU_add_test(s, "referral to 2,500 name servers: TC over TCP", test_referral_thousands);
	CU_add_test(s, "TXT over 65535 octets: refused at load", test_txt_over_64k_refused);
}
