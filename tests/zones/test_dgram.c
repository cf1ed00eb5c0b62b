/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dgram.c: CUnit suite for the shared UDP answering (zones/dgram.h): answers, limits, counts
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "dgram.h"
#include "dp.h"
#include "srv.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"

static const char zone_dgram[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ IN NS ns1\n"
    "ns1 IN A 192.0.2.53\n"
    "mail IN A 192.0.2.25\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-01\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-02\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-03\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-04\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-05\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-06\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-07\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-08\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-09\"\n"
    "big IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-10\"\n";

static zt_t *zt;
static const uint8_t client4[4] = {198, 51, 100, 7};

static int suite_init(void)
{
	char err[512];
	zload_zone_t *z =
	    zload_string("example.com.", zone_dgram, "dgram.zone", NULL, NULL, err, sizeof(err));

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

/* Each test's detail (dgram_ctx_t.detail), cleared by the test that uses it. */
static uint64_t detail[DGRAM_DETAIL];

/* The counters of ST as a reader sees them (dgram_stats_read: received and the detail added). */
static void read_all(const uint64_t *st, uint64_t out[DGRAM_STAT_COUNT])
{
	dgram_stats_read(st, detail, out);
}

/*
 * Sends one query for NAME/QTYPE with header FLAGS through DG from client4 (on snapshot T);
 * returns the response's length (0: none) and puts it in RESP, the rate limit's verdict in *ACT.
 */
static size_t ask(const dgram_ctx_t *dg, const zt_t *t, const char *name, uint16_t qtype,
		  uint16_t flags, uint8_t resp[4096], uint8_t *act)
{
	zt_answer_info_t info = {0};
	size_t qlen = tu_query(resp, 0x4321, flags, name, qtype, 1);

	*act = RRL_SEND;
	return dgram_answer(dg, t, resp, qlen, 4095, client4, sizeof(client4), &info, act);
}

/* Answered, dropped, truncated: each counted once, the rcodes under their names. */
static void test_answer_and_count(void)
{
	uint64_t st[DGRAM_STAT_COUNT] = {0}, v[DGRAM_STAT_COUNT];
	const dgram_ctx_t dg = {.rrl = NULL, .stats = st, .detail = detail};
	uint8_t resp[4096], act;
	size_t n;

	memset(detail, 0, sizeof(detail));
	n = ask(&dg, zt, "mail.example.com.", 1, 0, resp, &act);
	CU_ASSERT_FATAL(n > WIRE_HDR_LEN);
	CU_ASSERT_EQUAL(wire_get16(resp), 0x4321);
	CU_ASSERT(resp[2] & 0x80);		  /* QR */
	CU_ASSERT_EQUAL(wire_get16(resp + 6), 1); /* the A record */
	CU_ASSERT_EQUAL(act, RRL_SEND);
	CU_ASSERT(ask(&dg, zt, "nothere.example.com.", 1, 0, resp, &act) > 0);
	CU_ASSERT(ask(&dg, zt, "www.example.org.", 1, 0, resp, &act) > 0); /* REFUSED */
	/* Too big for 512 octets: TC set, counted as truncated and answered. */
	n = ask(&dg, zt, "big.example.com.", 16, 0, resp, &act);
	CU_ASSERT_FATAL(n > 0 && n <= 512);
	CU_ASSERT(resp[2] & 0x02);
	/* A response (QR=1) gets nothing, nor anything without a snapshot. */
	CU_ASSERT_EQUAL(ask(&dg, zt, "mail.example.com.", 1, 0x8000, resp, &act), 0);
	CU_ASSERT_EQUAL(ask(&dg, NULL, "mail.example.com.", 1, 0, resp, &act), 0);
	/* Shorter than a header. */
	{
		zt_answer_info_t info = {0};

		CU_ASSERT_EQUAL(dgram_answer(&dg, zt, resp, 5, 4095, client4, 4, &info, &act), 0);
	}

	read_all(st, v);
	CU_ASSERT_EQUAL(v[DGRAM_RECEIVED], 7);
	CU_ASSERT_EQUAL(v[DGRAM_ANSWERED], 4);
	CU_ASSERT_EQUAL(v[DGRAM_DROPPED], 3);
	CU_ASSERT_EQUAL(v[DGRAM_TRUNCATED], 1);
	CU_ASSERT_EQUAL(v[DGRAM_RRL_DROPPED], 0);
	CU_ASSERT_EQUAL(v[DGRAM_RRL_SLIPPED], 0);
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_FIRST + 0], 2); /* mail, big */
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_FIRST + 3], 1); /* NXDOMAIN */
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_FIRST + 5], 1); /* REFUSED */
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_RCODE_FIRST + 3], "nxdomain");
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_RCODE_FIRST + 5], "refused");
}

/* Over the rate: RATE whole, then every slip-th truncated (answered), the rest rrl-dropped. */
static void test_rate_limited(void)
{
	const rrl_cfg_t c = {
	    .rate = 2, .slip = 2, .table_size = 64, .ipv4_prefix = 24, .ipv6_prefix = 56};
	uint64_t st[DGRAM_STAT_COUNT] = {0}, v[DGRAM_STAT_COUNT];
	dgram_ctx_t dg = {.rrl = rrl_new(&c), .stats = st, .detail = detail};
	unsigned whole = 0, slipped = 0, dropped = 0;
	uint8_t resp[4096], act;

	memset(detail, 0, sizeof(detail));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dg.rrl);
	rrl_tick_at(dg.rrl, 77);
	for (int i = 0; i < 8; i++) {
		size_t n = ask(&dg, zt, "mail.example.com.", 1, 0, resp, &act);

		if (act == RRL_DROP) {
			CU_ASSERT_EQUAL(n, 0);
			dropped++;
		} else if (act == RRL_SLIP) {
			CU_ASSERT_FATAL(n > WIRE_HDR_LEN);
			CU_ASSERT(resp[2] & 0x02);		  /* TC */
			CU_ASSERT_EQUAL(wire_get16(resp + 6), 0); /* no records */
			slipped++;
		} else {
			CU_ASSERT_EQUAL(act, RRL_SEND);
			CU_ASSERT_EQUAL(wire_get16(resp + 6), 1);
			whole++;
		}
	}
	CU_ASSERT_EQUAL(whole, 2);
	CU_ASSERT_EQUAL(slipped, 3);
	CU_ASSERT_EQUAL(dropped, 3);
	read_all(st, v);
	CU_ASSERT_EQUAL(v[DGRAM_RECEIVED], 8);
	CU_ASSERT_EQUAL(v[DGRAM_ANSWERED], 5); /* whole and slipped */
	CU_ASSERT_EQUAL(v[DGRAM_RRL_SLIPPED], 3);
	CU_ASSERT_EQUAL(v[DGRAM_RRL_DROPPED], 3);
	CU_ASSERT_EQUAL(v[DGRAM_DROPPED], 0);
	CU_ASSERT_EQUAL(v[DGRAM_TRUNCATED], 0); /* slips are not the engine's truncation */
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_FIRST + 0], 5);
	/* A query with no response is never rate-limited: it is dropped before. */
	CU_ASSERT_EQUAL(ask(&dg, zt, "mail.example.com.", 1, 0x8000, resp, &act), 0);
	CU_ASSERT_EQUAL(act, RRL_SEND);
	read_all(st, v);
	CU_ASSERT_EQUAL(v[DGRAM_DROPPED], 1);
	CU_ASSERT_EQUAL(v[DGRAM_RRL_DROPPED], 3);
	rrl_free(&dg.rrl);
}

/* BADVERS (16) and what is beyond it have counters of their own. */
static void test_rcodes(void)
{
	uint64_t st[DGRAM_STAT_COUNT] = {0};

	dgram_stat_rcode(st, 16);
	dgram_stat_rcode(st, 17);
	dgram_stat_rcode(st, 4095);
	CU_ASSERT_EQUAL(st[DGRAM_RCODE_FIRST + 16], 1);
	CU_ASSERT_EQUAL(st[DGRAM_RCODE_OTHER], 2);
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_RCODE_FIRST + 16], "badvers");
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_RCODE_OTHER], "rcode-other");
	/* dgram_count()'s rows (a table): each rcode to 16 its own, every other one row 17. */
	memset(detail, 0, sizeof(detail));
	for (unsigned rc = 0; rc < 256; rc++) {
		const zt_answer_info_t info = {.rcode = (uint8_t)rc, .qtype = 1, .zone = 3};

		dgram_count(detail, &info);
	}
	for (unsigned r = 0; r < DGRAM_RCODES; r++)
		CU_ASSERT_EQUAL(detail[r * DGRAM_QTYPES + dgram_qtype_slot[1]],
				r < 17 ? 1 : 256 - 17);
	CU_ASSERT_EQUAL(detail[DGRAM_MATRIX + 3], 256);
}

/* By question type (the common ones by name, the rest together) and by zone (slot 1 + index). */
static void test_types_and_zones(void)
{
	uint64_t st[DGRAM_STAT_COUNT] = {0}, v[DGRAM_STAT_COUNT], zones[DGRAM_ZONES] = {0};
	const dgram_ctx_t dg = {.rrl = NULL, .stats = st, .detail = detail};
	uint8_t resp[4096], act;
	zt_answer_info_t info = {.rcode = 200, .qtype = 65535, .zone = 100000};

	memset(detail, 0, sizeof(detail));
	CU_ASSERT(ask(&dg, zt, "mail.example.com.", 1, 0, resp, &act) > 0);
	CU_ASSERT(ask(&dg, zt, "mail.example.com.", 28, 0, resp, &act) > 0);
	CU_ASSERT(ask(&dg, zt, "example.com.", 257, 0, resp, &act) > 0);   /* CAA: named */
	CU_ASSERT(ask(&dg, zt, "example.com.", 99, 0, resp, &act) > 0);	   /* SPF: other */
	CU_ASSERT(ask(&dg, zt, "www.example.org.", 1, 0, resp, &act) > 0); /* REFUSED: no zone */
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_QTYPE_FIRST + dgram_qtype_slot[1]],
			       "qtype-a");
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_QTYPE_FIRST + dgram_qtype_slot[28]],
			       "qtype-aaaa");
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_QTYPE_FIRST + dgram_qtype_slot[257]],
			       "qtype-caa");
	CU_ASSERT_STRING_EQUAL(dgram_stat_names[DGRAM_QTYPE_FIRST + dgram_qtype_slot[65]],
			       "qtype-https");
	read_all(st, v);
	CU_ASSERT_EQUAL(v[DGRAM_QTYPE_FIRST + dgram_qtype_slot[1]], 2);
	CU_ASSERT_EQUAL(v[DGRAM_QTYPE_FIRST + dgram_qtype_slot[28]], 1);
	CU_ASSERT_EQUAL(v[DGRAM_QTYPE_FIRST + dgram_qtype_slot[257]], 1);
	CU_ASSERT_EQUAL(v[DGRAM_QTYPE_OTHER], 1);
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_FIRST + 0], 4);
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_FIRST + 5], 1);
	/* By rcode and type at once: the REFUSED one was an A. */
	CU_ASSERT_EQUAL(detail[5 * DGRAM_QTYPES + dgram_qtype_slot[1]], 1);
	dgram_zones_add(detail, zones);
	CU_ASSERT_EQUAL(zones[1], 4); /* example.com., the snapshot's zone 0 */
	CU_ASSERT_EQUAL(zones[0], 1);
	/* Past the bounds: a type above the map is other, an rcode past BADVERS other, a zone past
	 * the slots the last slot. */
	dgram_count(detail, &info);
	read_all(st, v);
	CU_ASSERT_EQUAL(v[DGRAM_QTYPE_OTHER], 2);
	CU_ASSERT_EQUAL(v[DGRAM_RCODE_OTHER], 1);
	memset(zones, 0, sizeof(zones));
	dgram_zones_add(detail, zones);
	CU_ASSERT_EQUAL(zones[DGRAM_ZONES - 1], 1);
}

/* One set of names in both serving modes: the socket workers' and the DPDK workers' tables. */
static void test_names(void)
{
	static const char *const want[] = {"udp-received", "udp-answered", "udp-dropped",
					   "truncated",	   "rrl-dropped",  "rrl-slipped",
					   "noerror"};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CU_ASSERT_STRING_EQUAL(dgram_stat_names[i], want[i]);
	for (size_t s = 0; s < DGRAM_STAT_COUNT; s++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(dgram_stat_names[s]);
		CU_ASSERT_STRING_EQUAL(srv_stat_names[SRV_DGRAM + s], dgram_stat_names[s]);
		CU_ASSERT_STRING_EQUAL(dp_stat_names[DP_ST_DGRAM + s], dgram_stat_names[s]);
	}
	/* What the control thread reads by name is the shared block. */
	CU_ASSERT_STRING_EQUAL(srv_stat_names[SRV_UDP_ANSWERED], "udp-answered");
	CU_ASSERT_STRING_EQUAL(srv_stat_names[SRV_RRL_DROPPED], "rrl-dropped");
	/* Every counter of both tables has a name, and no name is there twice. */
	for (size_t s = 0; s < SRV_STAT_COUNT; s++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(srv_stat_names[s]);
		for (size_t t = s + 1; t < SRV_STAT_COUNT; t++)
			CU_ASSERT(strcmp(srv_stat_names[s], srv_stat_names[t]) != 0);
	}
	for (size_t s = 0; s < DP_ST_COUNT; s++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(dp_stat_names[s]);
		for (size_t t = s + 1; t < DP_ST_COUNT; t++)
			CU_ASSERT(strcmp(dp_stat_names[s], dp_stat_names[t]) != 0);
	}
}

void reg_cutest_dgram(void)
{
	CU_pSuite s = CU_add_suite("dgram", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "answered, dropped, truncated, by rcode", test_answer_and_count);
	CU_add_test(s, "rate-limited: whole, slipped, dropped", test_rate_limited);
	CU_add_test(s, "BADVERS and other rcodes", test_rcodes);
	CU_add_test(s, "by question type and by zone", test_types_and_zones);
	CU_add_test(s, "one set of names for sockets and DPDK", test_names);
}
