/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sigtime.c: CUnit suite for sigtime.c: RRSIG validity periods against the clock */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "sigtime.h"
#include "zload.h"

/* 2024-06-01T00:00:00Z and a day */
#define T0 1717200000LL
#define DAY 86400LL

static char err[1024];

/* A zone whose two RRSIGs span INC..EXP (YYYYMMDDHHmmSS, as a signer writes them). */
static zload_zone_t *zone_with(const char *inc, const char *exp)
{
	char text[2048];
	zload_zone_t *z;

	snprintf(
	    text, sizeof(text),
	    "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n"
	    "@ IN NS ns1\nns1 IN A 192.0.2.53\n"
	    "@ IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxIL"
	    "fDLUT0rAK9iUzy1L53eKGQ==\n"
	    "@ IN RRSIG SOA 13 2 3600 %s %s 12345 example.com. AAAA\n"
	    "ns1 IN RRSIG A 13 3 3600 %s %s 12345 example.com. AAAA\n",
	    exp, inc, exp, inc);
	z = zload_string("example.com.", text, "signed.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	return z;
}

static void test_field(void)
{
	/* the field wraps every 2^32 s: the instant nearest to now */
	CU_ASSERT_EQUAL(sigtime_field((uint32_t)T0, T0), T0);
	CU_ASSERT_EQUAL(sigtime_field((uint32_t)(T0 - DAY), T0), T0 - DAY);
	CU_ASSERT_EQUAL(sigtime_field((uint32_t)(T0 + 30 * DAY), T0), T0 + 30 * DAY);
	CU_ASSERT_EQUAL(sigtime_field(10, 4294967296LL + 5), 4294967296LL + 10);
	CU_ASSERT_EQUAL(sigtime_field(4294967290u, 4294967296LL + 5), 4294967290LL);
}

/* 2024-05-31 to 2024-06-30 */
static void test_scan(void)
{
	zload_zone_t *z = zone_with("20240531000000", "20240630000000");
	sigtime_span_t s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	sigtime_scan(z, T0, &s);
	CU_ASSERT_EQUAL(s.nsigs, 2);
	CU_ASSERT_EQUAL(s.nvalid, 2);
	CU_ASSERT_EQUAL(s.max_inception, T0 - DAY);
	CU_ASSERT_EQUAL(s.max_expiration, T0 + 29 * DAY);
	sigtime_scan(z, T0 + 60 * DAY, &s);
	CU_ASSERT_EQUAL(s.nexpired, 2);
	CU_ASSERT_EQUAL(s.nvalid, 0);
	sigtime_scan(z, T0 - 2 * DAY, &s);
	CU_ASSERT_EQUAL(s.nfuture, 2);
	/* the edges are inside (RFC 4035 5.3.1: "greater than or equal", "less than or equal") */
	sigtime_scan(z, T0 - DAY, &s);
	CU_ASSERT_EQUAL(s.nvalid, 2);
	sigtime_scan(z, T0 + 29 * DAY, &s);
	CU_ASSERT_EQUAL(s.nvalid, 2);
	sigtime_scan(NULL, T0, &s);
	CU_ASSERT_EQUAL(s.nsigs, 0);
	zload_free(&z);
}

/* Every RRSIG out of its period: a message naming the file and the zone; one valid: none. */
static void test_presigned(void)
{
	zload_zone_t *z = zone_with("20240531000000", "20240630000000");
	char msg[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_FALSE(sigtime_presigned_stale(z, "/etc/z/signed.zone", T0, msg, sizeof(msg)));
	CU_ASSERT_EQUAL(msg[0], '\0');
	CU_ASSERT_TRUE(
	    sigtime_presigned_stale(z, "/etc/z/signed.zone", T0 + 60 * DAY, msg, sizeof(msg)));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "/etc/z/signed.zone: zone example.com.:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "2 expired, 0 not yet valid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "latest expiration 2024-06-30T00:00:00Z"));
	/* the clock years early (a machine that lost its time): not yet valid */
	CU_ASSERT_TRUE(sigtime_presigned_stale(z, "signed.zone", T0 - 400 * DAY, msg, sizeof(msg)));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "0 expired, 2 not yet valid"));
	zload_free(&z);
	/* one of two still valid (a zone re-signed in part): no message */
	z = zload_string(
	    "example.com.",
	    "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n"
	    "@ IN NS ns1\nns1 IN A 192.0.2.53\n"
	    "@ IN RRSIG SOA 13 2 3600 20240630000000 20240531000000 1 example.com. AAAA\n"
	    "ns1 IN RRSIG A 13 3 3600 20240602000000 20240501000000 1 example.com. AAAA\n",
	    "mixed.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_FALSE(sigtime_presigned_stale(z, "mixed.zone", T0 + 10 * DAY, msg, sizeof(msg)));
	CU_ASSERT_TRUE(sigtime_presigned_stale(z, "mixed.zone", T0 + 30 * DAY, msg, sizeof(msg)));
	zload_free(&z);
	/* an unsigned zone: nothing to say */
	z = zload_string("example.com.",
			 "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n"
			 "@ IN NS ns1\nns1 IN A 192.0.2.53\n",
			 "u.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_FALSE(sigtime_presigned_stale(z, "u.zone", T0, msg, sizeof(msg)));
	zload_free(&z);
}

/* The signer's clock: earlier than the latest inception by more than the margin is refused. */
static void test_clock_back(void)
{
	zload_zone_t *z = zone_with("20240531000000", "20240630000000");
	int64_t inc = T0 - DAY;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(sigtime_clock_check(z, "example.com.", T0, 3600, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sigtime_clock_check(z, "example.com.", inc, 3600, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sigtime_clock_check(z, "example.com.", inc - 3600, 3600, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(sigtime_clock_check(z, "example.com.", inc - 3601, 3600, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "zone example.com.: the clock (2024-05-30T22:59:59Z)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "(2024-05-31T00:00:00Z)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "went back"));
	/* nothing signed before: nothing to compare with */
	CU_ASSERT_EQUAL(sigtime_clock_check(NULL, "example.com.", 0, 3600, err, sizeof(err)), 0);
	zload_free(&z);
}

static void test_skew(void)
{
	int64_t a = sigtime_now();

	sigtime_set_skew(-3 * DAY);
	CU_ASSERT(sigtime_now() <= a - 3 * DAY + 2 && sigtime_now() >= a - 3 * DAY);
	sigtime_set_skew(0);
	CU_ASSERT(sigtime_now() >= a && sigtime_now() <= a + 2);
}

void reg_cutest_sigtime(void)
{
	CU_pSuite s = CU_add_suite("sigtime", NULL, NULL);

	CU_add_test(s, "the 32-bit time fields", test_field);
	CU_add_test(s, "RRSIGs counted against the clock", test_scan);
	CU_add_test(s, "a presigned zone with no valid signature", test_presigned);
	CU_add_test(s, "the signer's clock gone back", test_clock_back);
	CU_add_test(s, "the signer's clock, skewed by tests", test_skew);
}
