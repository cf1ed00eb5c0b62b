/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zcheck.c: CUnit suite for the loader's check mode (zload_check): every error, bounded */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tutil.h"
#include "zload.h"

/* What a check said: its errors and warnings, in order. */
struct said {
	unsigned n;
	char msg[16][512];
};

static void said_add(void *ctx, const char *msg)
{
	struct said *s = ctx;

	if (s->n < sizeof(s->msg) / sizeof(s->msg[0]))
		snprintf(s->msg[s->n], sizeof(s->msg[0]), "%s", msg);
	s->n++;
}

#define HEAD TU_ZONE_HEAD

static size_t check(const char *text, size_t max, struct said *e, struct said *w, bool *stopped)
{
	memset(e, 0, sizeof(*e));
	memset(w, 0, sizeof(*w));
	return zload_check("example.com", "t.zone", text, said_add, w, said_add, e, max, stopped);
}

static void test_good(void)
{
	struct said e, w;
	bool stopped = true;

	CU_ASSERT_EQUAL(
	    check(HEAD "www IN A 192.0.2.1\nwww 1h30m IN TXT \"x\"\n", 0, &e, &w, &stopped), 0);
	CU_ASSERT_EQUAL(e.n, 0);
	CU_ASSERT_FALSE(stopped);
}

/* Every error of the text, syntax in file order, then the zone rules. */
static void test_every_error(void)
{
	static const char text[] = HEAD		  /* lines 1-5 */
	    "www 1x2y IN A 192.0.2.2\n"		  /* 6: bad TTL */
	    "mail IN A 192.0.2.300\n"		  /* 7: bad address */
	    "alias IN CNAME www\n"		  /* 8 */
	    "alias IN A 192.0.2.4\n"		  /* 9: CNAME beside other data */
	    "other.example.org. IN A 192.0.2.5\n" /* 10: out of zone */
	    "chaos CH TXT \"x\"\n"		  /* 11: class */
	    "sub IN NS ns.sub\n"		  /* 12: missing glue */
	    "big 99999999999 IN A 192.0.2.6\n"	  /* 13: TTL past 2^32 */
	    "x IN SOA ns1 hm 1 2 3 4 5\n"	  /* 14: SOA not at the apex */
	    "@ IN SOA ns1 hm 2 2 3 4 5\n"	  /* 15: a second SOA */
	    "ok IN A 192.0.2.7\n";
	static const char *const want[] = {
	    "t.zone:6: bad TTL '1x2y'",
	    "t.zone:7: ",
	    "t.zone:11: class 3 is not IN",
	    "t.zone:13: bad TTL '99999999999'",
	    "t.zone:10: other.example.org. is out of zone example.com.",
	    "t.zone:14: SOA record not at the zone apex example.com.",
	    "more than one SOA record at example.com.",
	    "t.zone:9: CNAME beside other data at alias.example.com.",
	    "t.zone:12: missing glue: delegation to ns.sub.example.com.",
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	struct said e, w;
	bool stopped = true;
	size_t n = check(text, 1000, &e, &w, &stopped);

	CU_ASSERT_EQUAL(n, nwant);
	CU_ASSERT_EQUAL(e.n, nwant);
	CU_ASSERT_FALSE(stopped);
	/* The syntax in file order (the first four); the rules in the order of the owners. */
	for (size_t i = 0; i < nwant && i < e.n; i++) {
		bool found = false;

		for (size_t j = i < 4 ? i : 4; j < (i < 4 ? i + 1 : e.n) && !found; j++)
			found = strstr(e.msg[j], want[i]) != NULL;
		CU_ASSERT_TRUE(found);
		if (!found)
			fprintf(stderr, "\n  expected '%s' (error %zu: '%s')\n", want[i], i,
				e.msg[i]);
	}
}

/* A text of one error: the check and the load say the same. */
static void test_same_as_load(void)
{
	static const char *const bad[] = {
	    HEAD "www 1x IN A 192.0.2.2\n",
	    HEAD "$TTL 5q\nwww IN A 192.0.2.2\n",
	    HEAD "www IN A 192.0.2.300\n",
	    HEAD "www IN CNAME a\nwww IN TXT \"b\"\n",
	    HEAD "www IN CNAME a\nwww IN CNAME b\n",
	    HEAD "x.example.net. IN A 192.0.2.1\n",
	    "$ORIGIN example.com.\n@ IN NS ns1\nns1 IN A 192.0.2.1\n",
	    "$ORIGIN example.com.\n@ IN SOA ns1 hm 1 2 3 4 5\n",
	    HEAD "sub IN NS ns.sub\n",
	    HEAD "srv IN SRV 1 2 \\# 4 0a000001\n",
	    HEAD "$INCLUDE\n",
	};
	char err[1024];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		zload_zone_t *z =
		    zload_string("example.com", bad[i], "t.zone", NULL, NULL, err, sizeof(err));
		struct said e, w;
		bool stopped;
		size_t n = check(bad[i], 0, &e, &w, &stopped);

		CU_ASSERT_PTR_NULL(z);
		zload_free(&z);
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_STRING_EQUAL(e.msg[0], err);
		if (n != 1 || strcmp(e.msg[0], err) != 0)
			fprintf(stderr, "\n  text %zu: check said %zu, first '%s'; load '%s'\n", i,
				n, e.msg[0], err);
	}
}

/* The load keeps stopping at the first error, and reads TTLs as before. */
static void test_load_unchanged(void)
{
	char err[1024];
	zload_zone_t *z =
	    zload_string("example.com", HEAD "a 1x IN A 192.0.2.1\nb IN A 192.0.2.300\n", "t.zone",
			 NULL, NULL, err, sizeof(err));

	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.zone:6: bad TTL '1x'"));
	CU_ASSERT_PTR_NULL(strstr(err, ":7:"));
	z = zload_string("example.com",
			 HEAD "a 1h30m IN A 192.0.2.1\nb 2W IN A 192.0.2.2\nc 4294967295 A "
			      "192.0.2.3\n",
			 "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 6);
	zload_free(&z);
}

static void test_bound(void)
{
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), "%s", HEAD);
	struct said e, w;
	bool stopped = false;

	for (int i = 0; i < 10; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "h%d IN A 192.0.2.%d.1\n",
					i, i);
	CU_ASSERT_EQUAL(check(text, 4, &e, &w, &stopped), 4);
	CU_ASSERT_EQUAL(e.n, 4);
	CU_ASSERT_TRUE(stopped);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg[3], "t.zone:9: "));
	CU_ASSERT_EQUAL(check(text, 0, &e, &w, &stopped), 10);
	CU_ASSERT_FALSE(stopped);
}

static void test_warnings(void)
{
	struct said e, w;
	bool stopped;

	CU_ASSERT_EQUAL(
	    check(HEAD "www IN A 192.0.2.1\nwww IN A 192.0.2.1\nx.example.net. IN A 192.0.2.1\n", 0,
		  &e, &w, &stopped),
	    1);
	CU_ASSERT_EQUAL(w.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.msg[0], "t.zone:7: warning: duplicate record ignored"));
}

/* $INCLUDE: the included file's errors with its name and lines; the reading goes on after. */
static void test_include(void)
{
	char dir[] = "/tmp/sandns-zcheck.XXXXXX", path[256], inc[300], text[1024];
	struct said e, w;
	bool stopped;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/inc.zone", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("; comment\nok IN A 192.0.2.1\nbad IN AAAA 192.0.2.1\n", f);
	fclose(f);
	snprintf(inc, sizeof(inc), "%s/missing.zone", dir);
	snprintf(text, sizeof(text),
		 HEAD "$INCLUDE %s\n$INCLUDE %s\nx IN A 192.0.2.999\nok IN TXT \"y\"\n", path, inc);
	CU_ASSERT_EQUAL(check(text, 0, &e, &w, &stopped), 3);
	if (e.n == 3) {
		char want[400];

		snprintf(want, sizeof(want), "%s:3: ", path);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg[0], want));
		snprintf(want, sizeof(want), "t.zone:7: $INCLUDE %s: No such file or directory",
			 inc);
		CU_ASSERT_STRING_EQUAL(e.msg[1], want);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg[2], "t.zone:8: "));
	}
	for (unsigned i = 0; e.n != 3 && i < e.n && i < 16; i++)
		fprintf(stderr, "\n  %s", e.msg[i]);
	unlink(path);
	rmdir(dir);
}

void reg_cutest_zcheck(void)
{
	CU_pSuite s = CU_add_suite("zcheck", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "a good zone: no error", test_good);
	CU_add_test(s, "every error, syntax then the zone rules", test_every_error);
	CU_add_test(s, "one error: the check says what the load says", test_same_as_load);
	CU_add_test(s, "the load still stops at the first error; TTL forms", test_load_unchanged);
	CU_add_test(s, "the bound on errors", test_bound);
	CU_add_test(s, "warnings", test_warnings);
	CU_add_test(s, "$INCLUDE: its errors, and the reading goes on", test_include);
}
