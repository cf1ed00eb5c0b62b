/* SPDX-License-Identifier: BSD-3-Clause */
/* test_rrl.c: CUnit suite for response rate limiting (zones/rrl.c) on real engine answers */
#include <arpa/inet.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "rrl.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"

static const char zone_rrl[] = "$ORIGIN example.com.\n"
			       "$TTL 3600\n"
			       "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
			       "@ IN NS ns1\n"
			       "ns1 IN A 192.0.2.53\n"
			       "mail IN A 192.0.2.25\n"
			       "www IN A 192.0.2.80\n"
			       "*.wild IN A 192.0.2.99\n"
			       "sub IN NS ns.elsewhere.test.\n"
			       "dn IN DNAME elsewhere.test.\n";

static zt_t *zt;

static int suite_init(void)
{
	char err[512];
	zload_zone_t *z =
	    zload_string("example.com.", zone_rrl, "rrl.zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		return -1;
	zt = zt_new(&z, 1, NULL, err, sizeof(err));
	zload_free(&z);
	return zt != NULL ? 0 : -1;
}

static int suite_cleanup(void)
{
	zt_free(&zt);
	return 0;
}

static const rrl_cfg_t cfg5 = {
    .rate = 5, .slip = 2, .table_size = 1024, .ipv4_prefix = 24, .ipv6_prefix = 56};

/* One UDP answer from the engine to NAME/QTYPE (class IN), in RESP; its length. */
static size_t answer(const char *name, uint16_t qtype, uint8_t *resp, zt_answer_info_t *info)
{
	const zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	uint8_t q[512];
	size_t qlen = tu_query(q, 0x1234, 0, name, qtype, 1);

	return zt_answer(zt, q, qlen, resp, 4096, &ctx, info);
}

/* Sends N answers to NAME/QTYPE for client ADDR through R; counts what RRL did with them. */
static void burst(rrl_t *r, const char *addr, const char *name, uint16_t qtype, unsigned n,
		  unsigned out[3])
{
	uint8_t a[16], resp[4096];
	zt_answer_info_t info;
	size_t alen = strchr(addr, ':') != NULL ? 16 : 4;

	CU_ASSERT_FATAL(inet_pton(alen == 16 ? AF_INET6 : AF_INET, addr, a) == 1);
	out[0] = out[1] = out[2] = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len = answer(name, qtype, resp, &info);

		CU_ASSERT_FATAL(len > 0);
		out[rrl_apply(r, a, alen, &info, resp, &len)]++;
	}
}

static void test_off(void)
{
	rrl_cfg_t c = cfg5;

	c.rate = 0;
	CU_ASSERT_PTR_NULL(rrl_new(&c));
}

/* RATE answers a second go out; of the rest, every slip-th truncated; a new second refills. */
static void test_rate_and_slip(void)
{
	rrl_t *r = rrl_new(&cfg5);
	unsigned n[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	rrl_tick_at(r, 100);
	burst(r, "198.51.100.7", "mail.example.com.", 1, 25, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	CU_ASSERT_EQUAL(n[RRL_SLIP], 10);
	CU_ASSERT_EQUAL(n[RRL_DROP], 10);
	/* The same second: nothing more goes out whole. */
	burst(r, "198.51.100.7", "mail.example.com.", 1, 4, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 0);
	rrl_tick_at(r, 101);
	burst(r, "198.51.100.7", "mail.example.com.", 1, 7, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	CU_ASSERT_EQUAL(n[RRL_SLIP] + n[RRL_DROP], 2);
	rrl_free(&r);
	CU_ASSERT_PTR_NULL(r);
}

static void test_slip_zero_and_one(void)
{
	rrl_cfg_t c = cfg5;
	rrl_t *r;
	unsigned n[3];

	c.slip = 0;
	r = rrl_new(&c);
	rrl_tick_at(r, 5);
	burst(r, "198.51.100.7", "mail.example.com.", 1, 20, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	CU_ASSERT_EQUAL(n[RRL_SLIP], 0);
	CU_ASSERT_EQUAL(n[RRL_DROP], 15);
	rrl_free(&r);
	c.slip = 1;
	r = rrl_new(&c);
	rrl_tick_at(r, 5);
	burst(r, "198.51.100.7", "mail.example.com.", 1, 20, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	CU_ASSERT_EQUAL(n[RRL_SLIP], 15);
	CU_ASSERT_EQUAL(n[RRL_DROP], 0);
	rrl_free(&r);
}

/* A /24 is one client; the next /24, another name or type, are other buckets. */
static void test_buckets(void)
{
	rrl_t *r = rrl_new(&cfg5);
	unsigned n[3];

	rrl_tick_at(r, 7);
	burst(r, "198.51.100.7", "mail.example.com.", 1, 5, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	burst(r, "198.51.100.200", "mail.example.com.", 1, 3, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 0);
	burst(r, "198.51.101.7", "mail.example.com.", 1, 5, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	burst(r, "198.51.100.7", "www.example.com.", 1, 5, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	burst(r, "198.51.100.7", "mail.example.com.", 28, 5, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	/* IPv6: the /56 is the client. */
	burst(r, "2001:db8:0:100::1", "mail.example.com.", 1, 5, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	burst(r, "2001:db8:0:1ff::99", "mail.example.com.", 1, 2, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 0);
	burst(r, "2001:db8:0:200::1", "mail.example.com.", 1, 5, n);
	CU_ASSERT_EQUAL(n[RRL_SEND], 5);
	rrl_free(&r);
}

/*
 * Random names do not make new buckets where the answer is the same: every NXDOMAIN of a zone,
 * every name under one wildcard, every name below one cut or one DNAME, and every REFUSED,
 * share one.
 */
static void test_shared_answers(void)
{
	static const char *const families[][3] = {
	    {"nx1.example.com.", "nx2.example.com.", "x.y.nx3.example.com."},
	    {"a.wild.example.com.", "b.wild.example.com.", "c.d.wild.example.com."},
	    {"a.sub.example.com.", "b.sub.example.com.", "sub.example.com."},
	    {"www.example.org.", "mail.example.net.", "x.test."},
	    /* rendered live (below a DNAME): keyed by the DNAME, not the name */
	    {"a.dn.example.com.", "b.dn.example.com.", "c.d.dn.example.com."},
	};
	uint8_t a[4] = {203, 0, 113, 9}, resp[4096];
	zt_answer_info_t info;

	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		rrl_t *r = rrl_new(&cfg5);
		unsigned sent = 0;

		rrl_tick_at(r, 9);
		for (unsigned i = 0; i < 30; i++) {
			size_t len = answer(families[f][i % 3], 1, resp, &info);

			CU_ASSERT_FATAL(len > 0);
			sent += rrl_apply(r, a, 4, &info, resp, &len) == RRL_SEND;
		}
		CU_ASSERT_EQUAL(sent, 5);
		rrl_free(&r);
	}
}

/* The truncated answer: header and question, TC, no records, the rcode and ID kept. */
static void test_slip_form(void)
{
	rrl_cfg_t c = cfg5;
	rrl_t *r;
	uint8_t a[4] = {203, 0, 113, 9}, resp[4096], name[256];
	zt_answer_info_t info;
	size_t len = 0, nlen = tu_name_wire(name, "nothere.example.com.");

	c.rate = 1;
	c.slip = 1;
	r = rrl_new(&c);
	rrl_tick_at(r, 1);
	len = answer("nothere.example.com.", 1, resp, &info);
	CU_ASSERT_EQUAL(rrl_apply(r, a, 4, &info, resp, &len), RRL_SEND);
	CU_ASSERT(wire_get16(resp + 8) > 0); /* the SOA in authority */
	len = answer("nothere.example.com.", 1, resp, &info);
	CU_ASSERT_EQUAL_FATAL(rrl_apply(r, a, 4, &info, resp, &len), RRL_SLIP);
	CU_ASSERT_EQUAL(len, WIRE_HDR_LEN + nlen + 4);
	CU_ASSERT_EQUAL(wire_get16(resp), 0x1234);
	CU_ASSERT(resp[2] & 0x80);	    /* QR */
	CU_ASSERT(resp[2] & 0x02);	    /* TC */
	CU_ASSERT_EQUAL(resp[3] & 0x0f, 3); /* NXDOMAIN, as it was */
	CU_ASSERT_EQUAL(wire_get16(resp + 4), 1);
	CU_ASSERT_EQUAL(wire_get16(resp + 6), 0);
	CU_ASSERT_EQUAL(wire_get16(resp + 8), 0);
	CU_ASSERT_EQUAL(wire_get16(resp + 10), 0);
	CU_ASSERT_EQUAL(memcmp(resp + WIRE_HDR_LEN, name, nlen), 0);
	CU_ASSERT_EQUAL(wire_get16(resp + WIRE_HDR_LEN + nlen), 1);
	CU_ASSERT_EQUAL(wire_get16(resp + WIRE_HDR_LEN + nlen + 2), 1);
	rrl_free(&r);
}

/* More clients than the table holds: each new one takes the stalest slot, none is stuck. */
static void test_table_full(void)
{
	rrl_cfg_t c = cfg5;
	rrl_t *r;
	uint8_t resp[4096];
	zt_answer_info_t info;
	unsigned sent = 0;

	c.table_size = 64;
	c.rate = 1;
	r = rrl_new(&c);
	for (unsigned i = 0; i < 4096; i++) {
		uint8_t a[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 1};
		size_t len = answer("mail.example.com.", 1, resp, &info);

		rrl_tick_at(r, 1000 + i / 1024);
		sent += rrl_apply(r, a, 4, &info, resp, &len) == RRL_SEND;
	}
	/* Every client's first answer goes out: a full table forgets, it never refuses. */
	CU_ASSERT_EQUAL(sent, 4096);
	rrl_free(&r);
}

/* An answer to an EDNS query keeps its OPT when cut short (RFC 6891), BADVERS too. */
static void test_slip_keeps_opt(void)
{
	static const uint8_t opt0[] = {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0};
	const rrl_cfg_t c = {
	    .rate = 1, .slip = 1, .table_size = 64, .ipv4_prefix = 24, .ipv6_prefix = 56};
	const zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	uint8_t a[4] = {203, 0, 113, 9}, q[512], resp[4096], name[256];
	size_t nlen = tu_name_wire(name, "mail.example.com.");
	zt_answer_info_t info;
	rrl_t *r = rrl_new(&c);

	rrl_tick_at(r, 3);
	for (int version = 0; version <= 1; version++) {
		size_t qlen = tu_query(q, 0x4242, 0, "mail.example.com.", 1, 1), len;

		/* EDNS, payload 4096, DO set, version 0 then 1 (BADVERS) */
		memcpy(q + qlen, opt0, sizeof(opt0));
		q[qlen + 6] = (uint8_t)version;
		wire_put16(q + 10, 1);
		qlen += sizeof(opt0);
		for (int i = 0; i < 2; i++) {
			len = zt_answer(zt, q, qlen, resp, sizeof(resp), &ctx, &info);
			CU_ASSERT_FATAL(len > 0);
			if (rrl_apply(r, a, 4, &info, resp, &len) == RRL_SLIP)
				break;
		}
		CU_ASSERT_EQUAL_FATAL(len, WIRE_HDR_LEN + nlen + 4 + 11);
		CU_ASSERT(resp[2] & 0x02);
		CU_ASSERT_EQUAL(wire_get16(resp + 6) + wire_get16(resp + 8), 0);
		CU_ASSERT_EQUAL(wire_get16(resp + 10), 1);
		CU_ASSERT_EQUAL(resp[WIRE_HDR_LEN + nlen + 4], 0);
		CU_ASSERT_EQUAL(wire_get16(resp + WIRE_HDR_LEN + nlen + 5), 41);
		/* the extended rcode: 0, or 1 for BADVERS (16) */
		CU_ASSERT_EQUAL(resp[WIRE_HDR_LEN + nlen + 9], version);
	}
	rrl_free(&r);
}

void reg_cutest_rrl(void)
{
	CU_pSuite s = CU_add_suite("rrl", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "rate 0: off", test_off);
	CU_add_test(s, "the rate, the slip, the next second", test_rate_and_slip);
	CU_add_test(s, "slip 0 drops all, slip 1 truncates all", test_slip_zero_and_one);
	CU_add_test(s, "buckets: /24, /56, name, type", test_buckets);
	CU_add_test(s, "NXDOMAIN, wildcard, referral, REFUSED: one bucket each",
		    test_shared_answers);
	CU_add_test(s, "the truncated answer", test_slip_form);
	CU_add_test(s, "a full table forgets the stalest", test_table_full);
	CU_add_test(s, "the truncated answer keeps the OPT", test_slip_keeps_opt);
}
