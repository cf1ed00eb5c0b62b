/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload.c: CUnit suite for the zone loader (zones/zload*.c): master files read, validated */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "rfile.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_pvt.h"

static char err[1024];

/* The warnings a load produced, kept for the asserts. */
struct warns {
	unsigned n;
	char msg[8][512];
};

static void collect_warn(void *ctx, const char *msg)
{
	struct warns *w = ctx;

	if (w->n < sizeof(w->msg) / sizeof(w->msg[0]))
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	w->n++;
}

#define HEAD TU_ZONE_HEAD

static zload_zone_t *load(const char *text, struct warns *w)
{
	err[0] = 'X';
	err[1] = '\0';
	return zload_string("example.com", text, "t.zone", w ? collect_warn : NULL, w, err,
			    sizeof(err));
}

/* Whether every one of the NULL-terminated strings occurs in S; reports the first missing one. */
static int has_all(const char *s, ...)
{
	va_list ap;
	const char *want;
	int ok = 1;

	va_start(ap, s);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (strstr(s, want) == NULL) {
			fprintf(stderr, "\n  expected '%s' in '%s'\n", want, s);
			ok = 0;
			break;
		}
	}
	va_end(ap);
	return ok;
}

/* TEXT must fail to load with a message holding every string of the list. */
#define LOAD_FAILS(text, ...)                                                                      \
	do {                                                                                       \
		zload_zone_t *z_ = load(text, NULL);                                               \
		CU_ASSERT_PTR_NULL(z_);                                                            \
		CU_ASSERT_TRUE(has_all(err, __VA_ARGS__, NULL));                                   \
		zload_free(&z_);                                                                   \
	} while (0)

static void test_good_zone(void)
{
	struct warns w = {0};
	zload_zone_t *z = load(HEAD "www IN A 192.0.2.80\n", &w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(err[0], '\0'); /* no error text on success */
	CU_ASSERT_STRING_EQUAL(zload_origin(z), "example.com.");
	CU_ASSERT_EQUAL(zload_rr_count(z), 4);
	CU_ASSERT_EQUAL(zload_serial(z), 2024010101UL);
	CU_ASSERT_EQUAL(w.n, 0);
	zload_free(&z);
	CU_ASSERT_PTR_NULL(z);
	zload_free(&z); /* NULL is fine */
	zload_free(NULL);
}

static void test_origin_forms(void)
{
	const char *text = "@ 60 IN SOA ns1.example.com. h.example.com. 4000000000 1 1 1 1\n"
			   "@ 60 IN NS ns1.example.com.\n"
			   "ns1.example.com. 60 IN A 192.0.2.1\n";
	zload_zone_t *z;

	/* With or without the trailing dot, any case: the origin comes back canonical. */
	z = zload_string("Example.COM.", text, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_STRING_EQUAL(zload_origin(z), "example.com.");
	/* Serials above 2^31 are unsigned 32-bit numbers. */
	CU_ASSERT_EQUAL(zload_serial(z), 4000000000UL);
	zload_free(&z);
	z = zload_string("example.com", text, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_STRING_EQUAL(zload_origin(z), "example.com.");
	zload_free(&z);
	/* Without $ORIGIN, "@" is the zone's origin. */
	CU_ASSERT_EQUAL(err[0], '\0');
}

static void test_relative_ttl_parens(void)
{
	/* Relative names, $ORIGIN changes, $TTL and a record over several lines. */
	const char *text = "$TTL 7200\n"
			   "$ORIGIN example.com.\n"
			   "@ 300 IN SOA ns1 hostmaster (\n"
			   "        77 ; serial\n"
			   "        7200 3600\n"
			   "        1209600 300 )\n"
			   "  IN NS ns1\n"
			   "ns1 IN A 192.0.2.53\n"
			   "$ORIGIN sub.example.com.\n"
			   "deep IN A 192.0.2.9\n"
			   "$TTL 60\n"
			   "other IN TXT ( \"a\"\n"
			   "  \"b\" )\n";
	zload_zone_t *z = load(text, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_serial(z), 77);
	CU_ASSERT_EQUAL(zload_rr_count(z), 5);
	zload_free(&z);
	/* The name after $ORIGIN sub.example.com. is below the zone: a name not below it fails. */
	LOAD_FAILS(HEAD "$ORIGIN example.net.\nwww IN A 192.0.2.1\n",
		   "t.zone:7:", "www.example.net.", "out of zone");
}

static void test_rfc3597(void)
{
	/* Unknown types and known types in the generic syntax (RFC 3597 5). */
	zload_zone_t *z = load(HEAD "unk IN TYPE65280 \\# 4 0a000001\n"
				    "gen IN A \\# 4 C0000201\n"
				    "empty IN TYPE65281 \\# 0\n"
				    "cls CLASS1 TYPE65282 \\# 2 abcd\n",
			       NULL);

	CU_ASSERT_PTR_NOT_NULL(z);
	if (z != NULL)
		CU_ASSERT_EQUAL(zload_rr_count(z), 7);
	zload_free(&z);
	/* A length that disagrees with the data is a syntax error on its line. */
	LOAD_FAILS(HEAD "unk IN TYPE65280 \\# 5 0a000001\n", "t.zone:6:");
}

static void test_duplicates(void)
{
	struct warns w = {0};
	zload_zone_t *z = load(HEAD "www IN A 192.0.2.80\n"
				    "www IN A 192.0.2.81\n"
				    "WWW.example.com. IN A 192.0.2.80\n",
			       &w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	/* The third www record is the first one again (names compare without case). */
	CU_ASSERT_EQUAL(zload_rr_count(z), 5);
	CU_ASSERT_EQUAL(w.n, 1);
	CU_ASSERT_TRUE(has_all(w.msg[0], "t.zone:8:", "duplicate", NULL));
	zload_free(&z);

	/* Without a callback the warning is dropped, the duplicate still goes. */
	z = load(HEAD "ns1 IN A 192.0.2.53\n", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 3);
	zload_free(&z);
}

static void test_warnings_not_errors(void)
{
	struct warns w = {0};
	/* An RRset whose TTLs differ, an apex NS in zone without an address: tolerated. */
	zload_zone_t *z = load("$ORIGIN example.com.\n"
			       "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
			       "@ IN NS ns1\n"
			       "@ IN NS ns2\n"
			       "ns1 IN A 192.0.2.53\n"
			       "www 300 IN A 192.0.2.1\n"
			       "www 600 IN A 192.0.2.2\n",
			       &w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(w.n, 2);
	CU_ASSERT_TRUE(has_all(w.msg[0], "t.zone:", "warning", NULL));
	CU_ASSERT_TRUE(has_all(w.msg[1], "t.zone:", "warning", NULL));
	CU_ASSERT_TRUE(strstr(w.msg[0], "ns2.example.com.") != NULL ||
		       strstr(w.msg[1], "ns2.example.com.") != NULL);
	CU_ASSERT_TRUE(strstr(w.msg[0], "TTL") != NULL || strstr(w.msg[1], "TTL") != NULL);
	zload_free(&z);
}

/*
 * The TTL served for an RRset is its first record's in the file: each record with another TTL
 * is named once, against that one, whatever order the data sorts in.
 */
static void test_ttl_warning_first_in_file(void)
{
	struct warns w = {0};
	zload_zone_t *z = load("$ORIGIN example.com.\n"					/* 1 */
			       "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n" /* 2 */
			       "@ IN NS ns1\n"						/* 3 */
			       "ns1 IN A 192.0.2.53\n"					/* 4 */
			       "www 600 IN A 192.0.2.9\n"				/* 5 */
			       "www 300 IN A 192.0.2.1\n"				/* 6 */
			       "www 600 IN A 192.0.2.5\n"				/* 7 */
			       "www 300 IN A 192.0.2.3\n",				/* 8 */
			       &w);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL_FATAL(w.n, 2);
	for (unsigned i = 0; i < 2; i++)
		CU_ASSERT_TRUE(
		    has_all(w.msg[i], "TTL 300 differs from the RRset's TTL 600 (line 5)", NULL));
	CU_ASSERT_TRUE(strstr(w.msg[0], "t.zone:6:") != NULL ||
		       strstr(w.msg[1], "t.zone:6:") != NULL);
	CU_ASSERT_TRUE(strstr(w.msg[0], "t.zone:8:") != NULL ||
		       strstr(w.msg[1], "t.zone:8:") != NULL);
	zload_free(&z);
}

static int first_rdata(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rd)
{
	(void)ttl;
	if (strcmp(owner, "x.example.com.") == 0 && type == 1)
		snprintf(ctx, 128, "%s", rd);
	return 0;
}

/*
 * Record data ldns cannot read back from wire (made here by giving a TXT record's octets the
 * A type) is printed in RFC 3597's generic form, not lost, by zload_foreach and zload_describe.
 */
static void test_generic_text_fallback(void)
{
	zload_zone_t *z = load(HEAD "x IN TXT \"ab\"\n", NULL);
	char rd[128] = "", buf[512] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == 16)
			z->recs[i].type = 1;
	CU_ASSERT_PTR_NULL(zload_rr(z, z->nrecs - 1));
	CU_ASSERT_EQUAL(zload_foreach(z, first_rdata, rd), 0);
	CU_ASSERT_STRING_EQUAL(rd, "\\# 3 026162");
	CU_ASSERT_EQUAL(zload_describe(z, "x.example.com.", 1, buf, sizeof(buf)), 1);
	CU_ASSERT_TRUE(has_all(buf, "t.zone:6: x.example.com. 3600 IN TYPE1 \\# 3 026162", NULL));
	zload_free(&z);
}

static void test_no_soa(void)
{
	LOAD_FAILS("$ORIGIN example.com.\n@ IN NS ns1\nns1 IN A 192.0.2.53\n", "t.zone", "no SOA",
		   "example.com.");
	/* An empty file has no SOA either. */
	LOAD_FAILS("", "t.zone", "no SOA");
	LOAD_FAILS("; only a comment\n\n", "t.zone", "no SOA");
}

static void test_two_soas(void)
{
	LOAD_FAILS(HEAD "www IN A 192.0.2.1\n"
			"@ IN SOA ns1 hostmaster 2024010102 7200 3600 1209600 300\n",
		   "t.zone:7:", "more than one SOA");
}

static void test_soa_not_at_apex(void)
{
	LOAD_FAILS(HEAD "www IN A 192.0.2.1\n"
			"sub IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n",
		   "t.zone:7:", "SOA", "not at the zone apex");
}

static void test_no_apex_ns(void)
{
	/* An NS below the apex is a delegation, not the apex's NS. */
	LOAD_FAILS("$ORIGIN example.com.\n"
		   "www IN A 192.0.2.1\n"
		   "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
		   "sub IN NS ns.example.net.\n",
		   "t.zone:3:", "no NS", "example.com.");
}

static void test_out_of_zone(void)
{
	LOAD_FAILS(HEAD "www.example.net. IN A 192.0.2.1\n", "t.zone:6:", "www.example.net.",
		   "out of zone", "example.com.");
	/* A name that ends like the origin without being below it. */
	LOAD_FAILS(HEAD "badexample.com. IN A 192.0.2.1\n", "t.zone:6:", "badexample.com.",
		   "out of zone");
	/* The parent of the apex. */
	LOAD_FAILS(HEAD "com. IN A 192.0.2.1\n", "t.zone:6:", "out of zone");
}

static void test_cname_and_other(void)
{
	LOAD_FAILS(HEAD "www IN CNAME host\n"
			"host IN A 192.0.2.1\n"
			"www IN A 192.0.2.2\n",
		   "t.zone:8:", "CNAME beside other data");
	/* The order in the file does not matter; the message names the later record. */
	LOAD_FAILS(HEAD "www IN TXT \"x\"\n"
			"www IN CNAME host\n",
		   "t.zone:7:", "CNAME beside other data");
	/* CNAME at the apex is beside SOA and NS. */
	LOAD_FAILS(HEAD "@ IN CNAME www.example.net.\n", "t.zone:6:", "CNAME beside other data");
}

static void test_two_cnames(void)
{
	LOAD_FAILS(HEAD "www IN CNAME a\n"
			"x IN A 192.0.2.1\n"
			"www IN CNAME b\n",
		   "t.zone:", "more than one CNAME");
	CU_ASSERT_TRUE(strstr(err, "t.zone:6:") != NULL || strstr(err, "t.zone:8:") != NULL);
	/* Two CNAMEs that differ only in case are one record (a duplicate), not two. */
	{
		struct warns w = {0};
		zload_zone_t *z = load(HEAD "www IN CNAME Host\nwww IN CNAME host\n", &w);

		CU_ASSERT_PTR_NOT_NULL(z);
		CU_ASSERT_EQUAL(w.n, 1);
		zload_free(&z);
	}
}

static void test_missing_glue(void)
{
	/* In-bailiwick NS target without an address: the delegation cannot work. */
	LOAD_FAILS(HEAD "sub IN NS ns.sub\n", "t.zone:6:", "missing glue", "ns.sub.example.com.");
	/* The target is the cut itself. */
	LOAD_FAILS(HEAD "www IN A 192.0.2.1\nsub IN NS sub\n", "t.zone:7:", "missing glue",
		   "sub.example.com.");
	/* Glue present, or a target outside the delegated name: both fine. */
	{
		zload_zone_t *z = load(HEAD "sub IN NS ns.sub\nns.sub IN AAAA 2001:db8::1\n"
					    "sub2 IN NS ns1\nsub3 IN NS ns.example.net.\n",
				       NULL);

		CU_ASSERT_PTR_NOT_NULL(z);
		zload_free(&z);
	}
}

static void test_class(void)
{
	LOAD_FAILS(HEAD "www CH A 192.0.2.1\n", "t.zone:6:", "class 3", "not IN");
	LOAD_FAILS(HEAD "www HS TXT \"x\"\n", "t.zone:6:", "class 4", "not IN");
}

/* A word that is no type ("broken line": ldns made it a type-0 record) and TYPE0 (reserved). */
static void test_no_type(void)
{
	LOAD_FAILS(HEAD "broken line\n", "t.zone:6:", "no known record type");
	LOAD_FAILS(HEAD "x 3600 IN TYPE0 \\# 0\n", "t.zone:6:", "no known record type");
}

/*
 * RFC 3597 data must be the whole record data: ldns reads "SRV 20 40 500 \\# 4 0a000001" as five
 * numbers and "A \\# 0" as an address record without an address, records whose wire form no
 * client can parse (the fuzzer found them). Opaque types may be empty.
 */
static void test_rdata_fits_type(void)
{
	zload_zone_t *z;

	LOAD_FAILS(HEAD "x 3600 IN SRV 20 40 500 \\# 4 0a000001\n",
		   "t.zone:6:", "does not fit its type");
	LOAD_FAILS(HEAD "x 3600 IN A \\# 0\n", "t.zone:6:", "does not fit its type");
	/* A last field that may be empty on the wire may be left out: CAA 0 issue "", a DS
	 * without digest, a DNSKEY without key, an empty OPENPGPKEY. */
	z = load(HEAD "x 3600 IN NULL \\# 0\nx 3600 IN TYPE65000 \\# 0\n"
		      "y 3600 IN A \\# 4 c0000201\n"
		      "y 3600 IN CAA \\# 7 00056973737565\n"
		      "y 3600 IN DS \\# 4 30390801\n"
		      "y 3600 IN DNSKEY \\# 4 01010308\n"
		      "y 3600 IN OPENPGPKEY \\# 0\n",
		 NULL);
	CU_ASSERT_PTR_NOT_NULL(z);
	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	zload_free(&z);
}

static void test_syntax_error_line(void)
{
	LOAD_FAILS(HEAD "www IN A 192.0.2.1\n"
			"bad IN A 300.1.2.3\n"
			"www IN A 192.0.2.2\n",
		   "t.zone:7:");
	LOAD_FAILS(HEAD "\n; comment\n\nbad IN MX mail\n", "t.zone:9:");
	LOAD_FAILS(HEAD "bad IN NOSUCHTYPE 1\n", "t.zone:6:");
	/* Inside parentheses: the line where parsing stopped lies within the record. */
	{
		zload_zone_t *z = load(HEAD "txt IN TXT ( \"a\"\n"
					    "  \"b\" )\n"
					    "bad IN AAAA 1.2.3.4\n",
				       NULL);

		CU_ASSERT_PTR_NULL(z);
		CU_ASSERT_TRUE(has_all(err, "t.zone:8:", NULL));
		zload_free(&z);
	}
	/* The first line: no directive before it. */
	{
		zload_zone_t *z = zload_string("example.com", "@ IN SOA ns1 h 1 2 3 4\n", "first",
					       NULL, NULL, err, sizeof(err));

		CU_ASSERT_PTR_NULL(z);
		CU_ASSERT_TRUE(has_all(err, "first:1:", NULL));
		zload_free(&z);
	}
}

static void test_bad_origin(void)
{
	zload_zone_t *z =
	    zload_string("exa mple..com", HEAD, "t.zone", NULL, NULL, err, sizeof(err));

	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "t.zone", "origin", NULL));
	zload_free(&z);
}

static void test_err_buffer(void)
{
	char small[12];
	zload_zone_t *z;

	/* The message is cut to the buffer and always terminated. */
	memset(small, 'X', sizeof(small));
	z = zload_string("example.com", HEAD "www.example.net. IN A 192.0.2.1\n", "t.zone", NULL,
			 NULL, small, sizeof(small));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_EQUAL(small[sizeof(small) - 1], '\0');
	CU_ASSERT_EQUAL(strncmp(small, "t.zone:6:", 9), 0);
	zload_free(&z);
}

/* ---- files: zload_file and $INCLUDE, in a private temporary directory (the suite's set-up) */

static char dir[PATH_MAX];

static int files_init(void)
{
	snprintf(dir, sizeof(dir), "%s/sandns-zload-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static const char *const made[] = {
    "main.zone", "inc1.zone", "inc2.zone", "incbad.zone", "nested.zone", "withorigin.zone",
    "loop.zone", "fifo.zone", "big.zone",  "loopa.zone",  "loopb.zone",	 "d0.zone",
    "d1.zone",	 "d2.zone",   "d3.zone",   "d4.zone",	  "d5.zone",	 "d6.zone",
    "d7.zone",	 "d8.zone",   "d9.zone",
};

static int files_cleanup(void)
{
	char p[PATH_MAX + 64];

	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, made[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/subdir", dir);
	rmdir(p);
	return rmdir(dir) == 0 ? 0 : -1;
}

/* Writes TEXT to DIR/NAME; returns the full path (static, one at a time per slot). */
static const char *put_file(int slot, const char *name, const char *text)
{
	static char paths[4][PATH_MAX + 64];

	return tu_put_file(paths[slot], sizeof(paths[slot]), dir, name, text);
}

static zload_zone_t *load_file(const char *path, struct warns *w)
{
	err[0] = 'X';
	err[1] = '\0';
	return zload_file("example.com.", path, w ? collect_warn : NULL, w, err, sizeof(err));
}

static void test_file_plain(void)
{
	const char *path = put_file(0, "main.zone", HEAD "www IN A 192.0.2.80\n");
	zload_zone_t *z = load_file(path, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 4);
	CU_ASSERT_EQUAL(zload_serial(z), 2024010101UL);
	zload_free(&z);
	/* Errors name the file by its path. */
	path = put_file(0, "main.zone", HEAD "www IN A 192.0.2.800\n");
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, path, ":6:", NULL));
	zload_free(&z);
}

static void test_file_missing_unreadable(void)
{
	char path[PATH_MAX + 64];
	zload_zone_t *z;

	snprintf(path, sizeof(path), "%s/no-such.zone", dir);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, path, strerror(ENOENT), NULL));
	/* A directory opens but does not read. */
	snprintf(path, sizeof(path), "%s/subdir", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, path, strerror(EISDIR), NULL));
	rmdir(path);
}

static void test_include(void)
{
	const char *inc = put_file(1, "inc1.zone",
				   "www IN A 192.0.2.80\n"
				   "mail IN A 192.0.2.25\n");
	char text[2 * PATH_MAX];
	const char *path;
	zload_zone_t *z;

	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\nafter IN A 192.0.2.99\n", inc);
	path = put_file(0, "main.zone", text);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 6);
	zload_free(&z);
	/* The same from a string. */
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 6);
	zload_free(&z);
	/* A relative name is the including file's neighbour, wherever the process runs (the
	 * suite runs elsewhere than DIR); its errors name it by that path. */
	path = put_file(0, "main.zone", HEAD "$INCLUDE inc1.zone\nafter IN A 192.0.2.99\n");
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 6);
	zload_free(&z);
	put_file(1, "inc1.zone", "www IN A 192.0.2.800\n");
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	snprintf(text, sizeof(text), "%s/inc1.zone:1:", dir);
	CU_ASSERT_TRUE(has_all(err, text, NULL));
	zload_free(&z);
	path = put_file(0, "main.zone", HEAD "$INCLUDE no-such.zone\n");
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	snprintf(text, sizeof(text), "$INCLUDE no-such.zone (%s/no-such.zone): ", dir);
	CU_ASSERT_TRUE(has_all(err, text, strerror(ENOENT), NULL));
	zload_free(&z);
}

static void test_include_lines(void)
{
	/* Errors inside an included file name that file and its line; after it, the main one's. */
	const char *inc = put_file(1, "incbad.zone",
				   "ok IN A 192.0.2.1\n"
				   "bad IN A 192.0.2.x\n");
	const char *inc_ok = put_file(2, "inc2.zone", "ok IN A 192.0.2.1\n\n\n");
	char text[2 * PATH_MAX];
	zload_zone_t *z;

	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "incbad.zone:2:", NULL));
	zload_free(&z);

	/* Line 6 is the $INCLUDE; the bad record is on line 8 of the main file. */
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n\nbad IN A 192.0.2.x\n", inc_ok);
	z = load(text, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "t.zone:8:", NULL));
	zload_free(&z);

	/* Validation errors too: the out-of-zone record is line 1 of the included file. */
	inc = put_file(1, "incbad.zone", "www.example.org. IN A 192.0.2.1\n");
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "incbad.zone:1:", "out of zone", NULL));
	zload_free(&z);

	/* A duplicate across files: the warning names the included file. */
	{
		struct warns w = {0};

		inc = put_file(1, "incbad.zone", "\nns1 IN A 192.0.2.53\n");
		snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", inc);
		z = load(text, &w);
		CU_ASSERT_PTR_NOT_NULL(z);
		CU_ASSERT_EQUAL(w.n, 1);
		/* Which of the two copies is reported: either file may be named. */
		CU_ASSERT_TRUE(has_all(w.msg[0], "duplicate", NULL));
		CU_ASSERT_TRUE(strstr(w.msg[0], "incbad.zone:2:") != NULL ||
			       strstr(w.msg[0], "t.zone:5:") != NULL);
		zload_free(&z);
	}
}

static void test_include_origin(void)
{
	/* $INCLUDE file origin: relative names in it are below that origin; the main file keeps its
	 * own origin afterwards (RFC 1035 5.1). */
	const char *inc = put_file(1, "withorigin.zone",
				   "www IN A 192.0.2.1\n"
				   "@ IN A 192.0.2.2\n");
	char text[2 * PATH_MAX];
	zload_zone_t *z;

	snprintf(text, sizeof(text),
		 HEAD "$INCLUDE %s sub.example.com.\n"
		      "www IN A 192.0.2.3\n",
		 inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 6);
	zload_free(&z);
	/* Relative origin argument: relative to the current origin. */
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s sub\n", inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 5);
	zload_free(&z);
	/* An origin outside the zone puts the included records out of zone. */
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s example.org.\n", inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NULL(z);
	/* Checked in canonical order: example.org. (line 2) sorts before www.example.org. */
	CU_ASSERT_TRUE(has_all(err, "withorigin.zone:2: example.org. is out of zone", NULL));
	zload_free(&z);
	/* Without the argument, the included file sees the current $ORIGIN. */
	snprintf(text, sizeof(text), HEAD "$ORIGIN other.example.com.\n$INCLUDE %s\n", inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 5);
	zload_free(&z);
}

static void test_include_missing(void)
{
	char text[2 * PATH_MAX];
	char inc[PATH_MAX + 64];
	zload_zone_t *z;

	snprintf(inc, sizeof(inc), "%s/missinc.zone", dir);
	snprintf(text, sizeof(text), HEAD "www IN A 192.0.2.1\n$INCLUDE %s\n", inc);
	z = load(text, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "t.zone:7:", "$INCLUDE", inc, strerror(ENOENT), NULL));
	zload_free(&z);
	/* Without a file name. */
	z = load(HEAD "$INCLUDE\n", NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "t.zone:6:", "$INCLUDE", NULL));
	zload_free(&z);
}

static void test_include_nested_and_loop(void)
{
	char text[2 * PATH_MAX];
	char selfp[PATH_MAX + 64];
	const char *inner = put_file(1, "inc1.zone", "deep IN A 192.0.2.7\n");
	const char *mid;
	zload_zone_t *z;

	snprintf(text, sizeof(text), "mid IN A 192.0.2.6\n$INCLUDE %s\n", inner);
	mid = put_file(2, "nested.zone", text);
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", mid);
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 5);
	zload_free(&z);
	/* A file that includes itself ends in an error, not a hang or a crash. */
	snprintf(selfp, sizeof(selfp), "%s/loop.zone", dir);
	snprintf(text, sizeof(text), "x IN A 192.0.2.1\n$INCLUDE %s\n", selfp);
	put_file(3, "loop.zone", text);
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", selfp);
	z = load(text, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "loop.zone:2:", "$INCLUDE", NULL));
	zload_free(&z);
}

/* How many records Z holds at OWNER of TYPE, their lines into dbuf. */
static char dbuf[2048];
static size_t at(const zload_zone_t *z, const char *owner, uint16_t type)
{
	dbuf[0] = '\0';
	return zload_describe(z, owner, type, dbuf, sizeof(dbuf));
}

/*
 * RFC 1035 5.1: after an $INCLUDE the current owner is the one before it again (BIND and Knot
 * read it so): a blank owner on the next line is not the included file's last owner. Both
 * readers: the fast one takes the address record, ldns the TXT (and every line without it).
 */
static void test_include_owner_reverts(void)
{
	const char *inc = put_file(1, "inc1.zone",
				   "inc1 IN TXT \"i1\"\n"
				   "inc2 IN A 192.0.2.2\n");
	const char *inner = put_file(2, "inc2.zone", "deep IN TXT \"d\"\n");
	char text[2 * PATH_MAX], mid[2 * PATH_MAX];
	zload_zone_t *z;

	snprintf(text, sizeof(text),
		 HEAD "before IN TXT \"b\"\n"
		      "$INCLUDE %s\n"
		      "  IN A 192.0.2.9\n"
		      "  IN TXT \"after\"\n",
		 inc);
	for (int fast = 1; fast >= 0; fast--) {
		zload_no_fast_path = !fast;
		z = load(text, NULL);
		zload_no_fast_path = false;
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		CU_ASSERT_EQUAL(at(z, "before.example.com.", T_TXT), 2);
		CU_ASSERT_EQUAL(at(z, "before.example.com.", T_A), 1);
		CU_ASSERT_TRUE(has_all(dbuf, "t.zone:8: before.example.com.", NULL));
		CU_ASSERT_EQUAL(at(z, "inc2.example.com.", 0), 1);
		zload_free(&z);
	}
	/* Nested: each level gets its own owner back, the origin argument changing nothing. */
	snprintf(mid, sizeof(mid), "mid IN TXT \"m\"\n$INCLUDE %s\n  IN TXT \"m2\"\n", inner);
	put_file(3, "nested.zone", mid);
	snprintf(text, sizeof(text),
		 HEAD "before IN TXT \"b\"\n"
		      "$INCLUDE %s/nested.zone sub\n"
		      "  IN TXT \"after\"\n",
		 dir);
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(at(z, "mid.sub.example.com.", T_TXT), 2);
	CU_ASSERT_EQUAL(at(z, "deep.sub.example.com.", T_TXT), 1);
	CU_ASSERT_EQUAL(at(z, "before.example.com.", T_TXT), 2);
	zload_free(&z);
}

/*
 * A NUL octet in a label is accepted, in owners and in data: any octet may be in a label (RFC
 * 1035 3.1, RFC 2181 11, RFC 4343 2.1), Knot and NSD load such names, and a secondary's copy of
 * a transfer (zload_print.c) must read back whatever the primary sent. BIND refuses them only
 * through check-names, which holds the owners of address records, and the names MX and NS
 * point to, to host name syntax (RFC 952/1123: "a_b" as much as "a\000b"); other owners pass.
 * Messages print the octet escaped.
 */
static void test_nul_in_names(void)
{
	zload_zone_t *z = load(HEAD "a\\000b IN A 192.0.2.1\n"
				    "\\000 IN TXT \"x\"\n"
				    "x IN CNAME a\\000b\n"
				    "m IN MX 10 a\\000b\n",
			       NULL);
	static const uint8_t owner[] = "\003a\000b\007example\003com";
	size_t found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 7);
	CU_ASSERT_EQUAL(at(z, "a\\000b.example.com.", T_A), 1);
	CU_ASSERT_EQUAL(at(z, "ab.example.com.", T_A), 0);
	CU_ASSERT_EQUAL(at(z, "\\000.example.com.", T_TXT), 1);
	CU_ASSERT_EQUAL(at(z, "x.example.com.", T_CNAME), 1);
	CU_ASSERT_TRUE(has_all(dbuf, "CNAME a\\000b.example.com.", NULL));
	CU_ASSERT_EQUAL(at(z, "m.example.com.", T_MX), 1);
	CU_ASSERT_TRUE(has_all(dbuf, "MX 10 a\\000b.example.com.", NULL));
	/* The owner's octets: the NUL inside its first label. */
	for (size_t i = 0; i < zload_rr_count(z); i++)
		if (wire_name_eq(zload_rec_owner(z, i), owner) && z->recs[i].type == T_A)
			found++;
	CU_ASSERT_EQUAL(found, 1);
	zload_free(&z);
	LOAD_FAILS(HEAD "a\\000b IN CNAME ns1\na\\000b IN TXT \"x\"\n",
		   "t.zone:7: CNAME beside other data at a\\000b.example.com.");
}

/* ---- files that are not regular, the bound on a zone's text, $INCLUDE loops */

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/*
 * zload_file(PATH) (TEXT NULL) or zload_string(TEXT) in a child that alarm() ends after 3 s, so
 * that a load that blocks (a FIFO) or reads on for ever (/dev/zero) fails the test instead of
 * hanging the suite; its address space is capped too when ASan does not need it. The message
 * goes to err. 0: the load failed as it should, at once; 1: it loaded; -1: it hung or died.
 */
static int load_guarded(const char *path, const char *text)
{
	int fds[2];
	pid_t pid;
	int status;
	size_t n = 0;
	ssize_t got;

	err[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		zload_zone_t *z;
		char e[sizeof(err)];
		ssize_t w;

		close(fds[0]);
		alarm(3);
#ifndef UNDER_ASAN
		{
			struct rlimit rl = {.rlim_cur = 1UL << 30, .rlim_max = 1UL << 30};

			setrlimit(RLIMIT_AS, &rl);
		}
#endif
		if (text != NULL)
			z = zload_string("example.com.", text, "t.zone", NULL, NULL, e, sizeof(e));
		else
			z = zload_file("example.com.", path, NULL, NULL, e, sizeof(e));
		w = write(fds[1], e, strlen(e) + 1);
		_exit(w < 0 ? 3 : z != NULL ? 1 : 0);
	}
	close(fds[1]);
	while (n < sizeof(err) - 1 && (got = read(fds[0], err + n, sizeof(err) - 1 - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		n += (size_t)got;
	}
	err[n] = '\0';
	close(fds[0]);
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "\n  the load of %s died of signal %d (%s)\n", path ? path : "text",
			WTERMSIG(status), WTERMSIG(status) == SIGALRM ? "it hung" : "a crash");
		return -1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? WEXITSTATUS(status) : -1;
}

static void test_file_not_regular(void)
{
	char fifo[PATH_MAX + 64];

	/* A FIFO with no writer: refused at once, not waited on. */
	snprintf(fifo, sizeof(fifo), "%s/fifo.zone", dir);
	unlink(fifo);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	CU_ASSERT_EQUAL(load_guarded(fifo, NULL), 0);
	CU_ASSERT_TRUE(has_all(err, fifo, ": not a regular file (a fifo)", NULL));
	/* A device that never ends. */
	CU_ASSERT_EQUAL(load_guarded("/dev/zero", NULL), 0);
	CU_ASSERT_TRUE(has_all(err, "/dev/zero: not a regular file (a character device)", NULL));
	unlink(fifo);
}

static void test_include_not_regular(void)
{
	char fifo[PATH_MAX + 64];
	char text[2 * PATH_MAX];
	const char *path;

	snprintf(fifo, sizeof(fifo), "%s/fifo.zone", dir);
	unlink(fifo);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	/* From text: the message names the including file and line, and the FIFO. */
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", fifo);
	CU_ASSERT_EQUAL(load_guarded(NULL, text), 0);
	CU_ASSERT_TRUE(
	    has_all(err, "t.zone:6: $INCLUDE ", fifo, ": not a regular file (a fifo)", NULL));
	/* From a file. */
	path = put_file(0, "main.zone", text);
	CU_ASSERT_EQUAL(load_guarded(path, NULL), 0);
	CU_ASSERT_TRUE(
	    has_all(err, path, ":6: $INCLUDE ", fifo, ": not a regular file (a fifo)", NULL));
	unlink(fifo);
	/* /proc/self/pagemap (size 0, gigabytes of data) and a /sys file: refused at once. */
	CU_ASSERT_EQUAL(
	    load_guarded(NULL, HEAD "www IN A 192.0.2.1\n$INCLUDE /proc/self/pagemap\n"), 0);
	CU_ASSERT_TRUE(has_all(err, "t.zone:7: $INCLUDE /proc/self/pagemap: ",
			       "not a regular file (a file of /proc", NULL));
	CU_ASSERT_EQUAL(load_guarded("/sys/kernel/uevent_seqnum", NULL), 0);
	CU_ASSERT_TRUE(has_all(err, "not a regular file (a file of /sys", NULL));
	/* /dev/zero as an $INCLUDE. */
	CU_ASSERT_EQUAL(load_guarded(NULL, HEAD "www IN A 192.0.2.1\n$INCLUDE /dev/zero\n"), 0);
	CU_ASSERT_TRUE(has_all(err, "t.zone:7: $INCLUDE /dev/zero: ",
			       "not a regular file (a character device)", NULL));
}

/* Text of N octets exactly: HEAD, then records, then a comment to fill up. */
static char *zone_of(size_t n, const char *extra)
{
	char *t = malloc(n + 1);
	size_t used;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	used = (size_t)snprintf(t, n + 1, "%s%s", HEAD, extra);
	CU_ASSERT_FATAL(used + 2 <= n);
	memset(t + used, 'x', n - used);
	t[used] = ';';
	t[n - 1] = '\n';
	t[n] = '\0';
	return t;
}

static void test_text_bound(void)
{
	char *text, *inc_text;
	char main_text[2 * PATH_MAX];
	const char *path, *inc;
	zload_zone_t *z;

	CU_ASSERT_EQUAL(zload_text_max(), ZLOAD_TEXT_MAX_DEFAULT);
	CU_ASSERT_TRUE(ZLOAD_TEXT_MAX_DEFAULT >= (size_t)1 << 30);
	zload_set_text_max(400);
	CU_ASSERT_EQUAL(zload_text_max(), 400);
	/* A file at the bound loads; one octet more does not, and the message says the bound. */
	text = zone_of(400, "");
	path = put_file(0, "big.zone", text);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(z);
	zload_free(&z);
	free(text);
	text = zone_of(401, "");
	path = put_file(0, "big.zone", text);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(
	    has_all(err, path, ": larger than 400 octets, the bound on one zone's text", NULL));
	zload_free(&z);
	free(text);
	/*
	 * A file of /proc: its size (0) says nothing of what it yields, refused at once (a file
	 * that grows while it is read is read as far as the bound, no further: rfile_read, below).
	 */
	z = load_file("/proc/self/maps", NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, "/proc/self/maps: not a regular file (a file of /proc", NULL));
	zload_free(&z);
	/* The bound is on the zone's files together: the $INCLUDE that passes it is refused. */
	inc_text = malloc(151);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inc_text);
	memset(inc_text, 'x', 150);
	inc_text[0] = ';';
	inc_text[149] = '\n';
	inc_text[150] = '\0';
	inc = put_file(1, "inc1.zone", inc_text);
	snprintf(main_text, sizeof(main_text), HEAD "www IN A 192.0.2.1\n$INCLUDE %s\n", inc);
	path = put_file(0, "main.zone", main_text);
	zload_set_text_max(strlen(main_text) + 150);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(z); /* at the bound together */
	zload_free(&z);
	zload_set_text_max(strlen(main_text) + 149);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_TRUE(has_all(err, path, ":7: $INCLUDE ", inc, "with the ",
			       "octets of the zone's other files, more than ",
			       "the bound on one zone's text", NULL));
	zload_free(&z);
	free(inc_text);
	/* The default back. */
	zload_set_text_max(0);
	CU_ASSERT_EQUAL(zload_text_max(), ZLOAD_TEXT_MAX_DEFAULT);
	z = load_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL(z);
	zload_free(&z);
}

/*
 * rfile_read, the reader under every file someone names (zones, certificates, serial-state):
 * bounded by the octets it reads, whatever fstat says (a pipe says 0, like a file of /proc or
 * one that grows), and it stops reading at its bound.
 */
static void test_rfile_read(void)
{
	static char chunk[60000];
	int p[2];
	char *data;
	size_t len, left = 0;
	ssize_t n;

	memset(chunk, 'z', sizeof(chunk));
	/* Within the bound: all of it. */
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL_FATAL(write(p[1], chunk, 10000), 10000);
	close(p[1]);
	CU_ASSERT_EQUAL(rfile_read(p[0], 10000, &data, &len), 0);
	CU_ASSERT_EQUAL(len, 10000);
	CU_ASSERT_TRUE(data != NULL && data[len] == '\0' && data[9999] == 'z');
	free(data);
	close(p[0]);
	/* Over it: -EFBIG, after reading at most one octet past it (the rest is left unread). */
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL_FATAL(write(p[1], chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	close(p[1]);
	CU_ASSERT_EQUAL(rfile_read(p[0], 4096, &data, &len), -EFBIG);
	CU_ASSERT_PTR_NULL(data);
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		left += (size_t)n;
	CU_ASSERT_EQUAL(left, sizeof(chunk) - 4097);
	close(p[0]);
	/* A bound of 0: an empty input only. */
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	close(p[1]);
	CU_ASSERT_EQUAL(rfile_read(p[0], 0, &data, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	free(data);
	close(p[0]);
}

static void test_include_loops_and_depth(void)
{
	char text[4 * PATH_MAX];
	char a[PATH_MAX + 64], b[PATH_MAX + 64];
	zload_zone_t *z;

	/* A file that includes itself: refused as a loop, at the line of the $INCLUDE. */
	snprintf(a, sizeof(a), "%s/loopa.zone", dir);
	snprintf(text, sizeof(text), "x IN A 192.0.2.1\n$INCLUDE %s\n", a);
	put_file(0, "loopa.zone", text);
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", a);
	CU_ASSERT_EQUAL(load_guarded(NULL, text), 0);
	CU_ASSERT_TRUE(has_all(err, "loopa.zone:2: $INCLUDE ", a, ": a loop", NULL));
	/* The zone's own file included by itself. */
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", a);
	put_file(0, "loopa.zone", text);
	CU_ASSERT_EQUAL(load_guarded(a, NULL), 0);
	CU_ASSERT_TRUE(has_all(err, "loopa.zone:6: $INCLUDE ", a, ": a loop", NULL));
	/* Two files that include each other. */
	snprintf(b, sizeof(b), "%s/loopb.zone", dir);
	snprintf(text, sizeof(text), "y IN A 192.0.2.2\n$INCLUDE %s\n", a);
	put_file(1, "loopb.zone", text);
	snprintf(text, sizeof(text), "x IN A 192.0.2.1\n$INCLUDE %s\n", b);
	put_file(0, "loopa.zone", text);
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n", a);
	CU_ASSERT_EQUAL(load_guarded(NULL, text), 0);
	CU_ASSERT_TRUE(has_all(err, "loopb.zone:2: $INCLUDE ", a, ": a loop", NULL));
	/* The same file twice, one after the other, is no loop. */
	put_file(0, "loopa.zone", "x IN A 192.0.2.1\n");
	snprintf(text, sizeof(text), HEAD "$INCLUDE %s\n$INCLUDE %s\n", a, a);
	z = load(text, NULL);
	CU_ASSERT_PTR_NOT_NULL(z);
	zload_free(&z);
	/* Distinct files nested 8 deep load; 9 deep do not. */
	for (int deep = 8; deep <= 9; deep++) {
		for (int i = deep - 1; i >= 0; i--) {
			char name[32], next[PATH_MAX + 64];

			snprintf(name, sizeof(name), "d%d.zone", i);
			snprintf(next, sizeof(next), "%s/d%d.zone", dir, i + 1);
			if (i == deep - 1)
				snprintf(text, sizeof(text), "d%d IN A 192.0.2.9\n", i);
			else
				snprintf(text, sizeof(text), "d%d IN A 192.0.2.9\n$INCLUDE %s\n", i,
					 next);
			put_file(0, name, text);
		}
		snprintf(text, sizeof(text), HEAD "$INCLUDE %s/d0.zone\n", dir);
		z = load(text, NULL);
		if (deep == 8) {
			CU_ASSERT_PTR_NOT_NULL(z);
		} else {
			CU_ASSERT_PTR_NULL(z);
			CU_ASSERT_TRUE(
			    has_all(err, "d7.zone:2: $INCLUDE nested more than 8 deep", NULL));
		}
		zload_free(&z);
	}
}

/*
 * RFC 1035 5.1: the class may come before the TTL, as BIND and Knot read it (ldns does not):
 * the record keeps its TTL; a line inside parentheses that looks the same is record data.
 */
static void test_class_before_ttl(void)
{
	zload_zone_t *z = load(HEAD "x IN 60 A 192.0.2.1\n"
				    "  in 61 AAAA 2001:db8::1\n"
				    "y CLASS1 62 TXT \"t\" ; a comment\n"
				    "z 63 IN MX 10 x\n"
				    "w IN TXT ( \"a\"\n"
				    "  IN 5 )\n",
			       NULL);
	static const uint32_t ttls[] = {60, 61, 62, 63, 3600};
	static const uint8_t txt[] = {1, 'a', 2, 'I', 'N', 1, '5'};
	size_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	for (size_t i = 0; i < zload_rr_count(z); i++) {
		const zload_rec_t *r = &z->recs[i];

		if (r->type == T_SOA || r->type == T_NS || i < 3)
			continue;
		CU_ASSERT_EQUAL(r->ttl, ttls[n]);
		if (n == 4) {
			CU_ASSERT_EQUAL(r->rdlen, sizeof(txt));
			CU_ASSERT_TRUE(r->rdlen == sizeof(txt) &&
				       memcmp(zload_rec_rdata(z, i), txt, sizeof(txt)) == 0);
		}
		n++;
	}
	CU_ASSERT_EQUAL(n, 5);
	zload_free(&z);
}

/* ------------------------------------------------------------------ the fast reader */

/*
 * TEXT read with the fast reader in one pass, then with ldns alone, then cut into pieces read
 * by 2, 3 and 4 threads (pieces of at least 1, 40 and 300 octets: cuts at many places): the
 * same result each time.
 */
static void same_both_ways(const char *text)
{
	static const size_t pieces[] = {1, 40, 300};
	char err2[1024];
	zload_zone_t *a, *b;

	a = tu_read_with(text, err, sizeof(err), true, 1, 0);
	b = tu_read_with(text, err2, sizeof(err2), false, 1, 0);
	tu_assert_same(a, err, b, err2, "ldns");
	for (unsigned t = 2; t <= 4; t++) {
		for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			char how[64];

			a = tu_read_with(text, err, sizeof(err), true, 1, 0);
			b = tu_read_with(text, err2, sizeof(err2), true, t, pieces[k]);
			snprintf(how, sizeof(how), "%u threads, pieces of %zu", t, pieces[k]);
			tu_assert_same(a, err, b, err2, how);
		}
	}
}

/* Each record is on its own line, blank lines and comments after it or not. */
static void test_fast_reader_lines(void)
{
	static const char text[] = "$ORIGIN example.com.\n"	    /* 1 */
				   "@ 300 IN SOA ns1 h 1 2 3 4 5\n" /* 2 */
				   "@ IN NS ns1\n"		    /* 3 */
				   "ns1 IN A 192.0.2.1\n"	    /* 4 */
				   "\n"				    /* 5 */
				   "; a comment\n"		    /* 6 */
				   "x IN TXT \"t\"\n"		    /* 7 */
				   "\n"				    /* 8 */
				   "h IN A 192.0.2.3\n"		    /* 9 */
				   "\n";			    /* 10 */
	zload_zone_t *z =
	    zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	char buf[512] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	zload_describe(z, "ns1.example.com.", 1, buf, sizeof(buf));
	zload_describe(z, "x.example.com.", 16, buf, sizeof(buf));
	zload_describe(z, "h.example.com.", 1, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "t.zone:4: ns1.example.com."));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "t.zone:7: x.example.com."));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "t.zone:9: h.example.com."));
	zload_free(&z);
}

static void test_fast_reader_same(void)
{
	char *big;
	size_t off = 0;

	/* Owners relative, absolute, blank, in any case; TTL and class optional. */
	same_both_ways("$ORIGIN example.com.\n$TTL 300\n"
		       "@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\n"
		       "Host1 60 IN A 192.0.2.2\n"
		       "host2 61 in A 192.0.2.3\n"
		       "host3 A 192.0.2.4\n"
		       "host4 62 A 192.0.2.5\n"
		       "  IN AAAA 2001:db8::1\n"
		       "\tIN A 192.0.2.6 ; a comment\n"
		       "host5.example.com. IN a 192.0.2.7\n"
		       "*.wild IN A 192.0.2.8\n"
		       "_svc IN A 192.0.2.9\r\n"
		       "sub.deeper in aaaa 2001:DB8::2\n");
	/* $TTL and $ORIGIN between plain lines; blank owners after a record ldns read. */
	same_both_ways("$ORIGIN example.com.\n"
		       "@ 300 IN SOA ns1 h ( 1 2\n 3 4 5 )\n"
		       "  IN NS ns1\n"
		       "  IN A 192.0.2.10\n"
		       "ns1 IN A 192.0.2.1\n"
		       "$TTL 99\n"
		       "a IN A 192.0.2.11\n"
		       "txt IN TXT \"semi ; colon ( paren\"\n"
		       "  IN A 192.0.2.12\n"
		       "$ORIGIN sub.example.com.\n"
		       "b IN A 192.0.2.13\n"
		       "c 1h IN A 192.0.2.14\n"
		       "d IN MX 10 b\n"
		       "  A 192.0.2.15\n");
	/* Errors: the same message, file and line, whichever reader meets the line. */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\nx IN A 192.0.2.300\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\nx IN A 192.0.2.1 extra\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\nwww.example.net. IN A 192.0.2.1\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\nx CH A 192.0.2.1\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\nx IN 60 A 192.0.2.1\n");
	/* Many plain lines, odd ones between. */
	big = malloc(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	off += (size_t)sprintf(big, "$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n"
				    "@ IN NS ns1\nns1 IN A 192.0.2.1\n");
	for (unsigned i = 0; i < 3000; i++) {
		switch (i % 7) {
		case 0:
			off += (size_t)sprintf(big + off, "h%u IN A 10.0.%u.%u\n", i, i / 256,
					       i % 256);
			break;
		case 1:
			off += (size_t)sprintf(big + off, "  %u IN AAAA 2001:db8::%x\n", i, i);
			break;
		case 2:
			off += (size_t)sprintf(big + off, "t%u IN TXT \"x;%u\"\n", i, i);
			break;
		case 3:
			off += (size_t)sprintf(big + off, "H%u.example.com. A 10.1.%u.%u ; c\n", i,
					       i / 256, i % 256);
			break;
		case 4:
			off += (size_t)sprintf(big + off, "$TTL %u\n", 100 + i);
			break;
		case 5:
			off += (size_t)sprintf(big + off, "m%u IN MX ( 10\n  h%u )\n", i, i - 5);
			break;
		default:
			off +=
			    (size_t)sprintf(big + off, "\t\tIN A 10.2.%u.%u\n", i / 256, i % 256);
			break;
		}
	}
	same_both_ways(big);
	free(big);
}

#define L61 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L62 L61 "b"
#define L63 L62 "c"

/* What the cut into pieces must respect: each piece starts on a line with an owner. */
static void test_pieces_same(void)
{
	unsigned long before = zload_pieces_threaded;
	char *big = malloc(1 << 20);
	size_t off = 0;

	/* Parentheses and strings over lines whose next line starts with a name. */
	same_both_ways("$ORIGIN example.com.\n$TTL 300\n"
		       "@ IN SOA ns1 h (\n1\n2\n3\n4\n5 )\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\n"
		       "m IN MX ( 10\nmail )\n"
		       "mail IN A 192.0.2.2\n"
		       "t IN TXT ( \"x ( y\"\nabc )\n"
		       "q IN TXT \"semi ; (\" ; comment (\n"
		       "r IN A 192.0.2.3 ; comment (\n"
		       "e\\.dot IN A 192.0.2.4\n"
		       "u IN TXT \"quote \\\" ( inside\"\n"
		       "w IN A 192.0.2.5\n"
		       "@ IN MX 20 w\n"
		       "$ORIGIN sub.example.com.\n"
		       "x IN A 192.0.2.6\n"
		       "  IN AAAA 2001:db8::6\n"
		       "$TTL 77\n"
		       "y IN A 192.0.2.7\n"
		       "$ORIGIN example.com.\n"
		       "z IN A 192.0.2.8\n");
	/*
	 * As ldns reads them: a string left open ends with its line outside parentheses (so
	 * the $ORIGIN after it counts), a line ending in an escaped newline goes on into the
	 * next (whose records are then not lines of their own), a directive in parentheses
	 * spans lines.
	 */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\n_dmarc IN TXT \"v=DMARC1; p=none\n"
		       "a IN A 192.0.2.2\n$ORIGIN sub.example.com.\nb IN A 192.0.2.3\n"
		       "c IN TXT \"odd\nd IN A 192.0.2.4\ne IN A 192.0.2.5\nf IN A 192.0.2.6\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\nt IN TXT abc\\\nx IN A 192.0.2.2\ny IN A 192.0.2.3\n"
		       "u IN TXT abc\\\nv IN TXT \"def\"\nw IN A 192.0.2.4\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\na IN A 192.0.2.2\n$TTL (\n 300 )\nb IN A 192.0.2.3\n"
		       "c IN A 192.0.2.4\nd IN A 192.0.2.5\n");
	/* "$TTL 0" is a default TTL of 0, whichever reader takes the record. */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\n$TTL 0\na IN A 192.0.2.2\nb IN TXT \"x\"\n"
		       "c IN MX 10 a\nd 60 IN A 192.0.2.3\n");
	{
		zload_zone_t *z = load(HEAD "$TTL 0\nb IN TXT \"x\"\nc IN A 192.0.2.3\n", NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		CU_ASSERT_EQUAL(z->recs[z->nrecs - 2].type, 16);
		CU_ASSERT_EQUAL(z->recs[z->nrecs - 2].ttl, 0);
		CU_ASSERT_EQUAL(z->recs[z->nrecs - 1].ttl, 0);
		zload_free(&z);
	}
	/* 255 octets is the most a name may have, absolute or made so by the origin. */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\n" L63 "." L63 "." L63 "." L62 ". IN A 192.0.2.2\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\n" L63 "." L63 "." L63 "." L61 ". IN A 192.0.2.2\n");
	same_both_ways("$ORIGIN " L63 "." L63 "." L63 ".\n@ 300 IN SOA ns1 h 1 2 3 4 5\n"
		       "@ IN NS ns1\nns1 IN A 192.0.2.1\n" L62 " IN A 192.0.2.2\n");
	same_both_ways("$ORIGIN " L63 "." L63 "." L63 ".\n@ 300 IN SOA ns1 h 1 2 3 4 5\n"
		       "@ IN NS ns1\nns1 IN A 192.0.2.1\n" L61 " IN A 192.0.2.2\n");
	/* A directive with blanks before it: read in one pass (the cut does not follow it). */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\na IN A 192.0.2.2\n  $TTL 60\nb IN A 192.0.2.3\n"
		       "c IN A 192.0.2.4\n");
	/* Errors in two places: the first in the file is the one reported, with its line. */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\na IN A 192.0.2.2\nb IN A 192.0.2.300\n"
		       "c IN A 192.0.2.4\nd IN A 192.0.2.5\ne IN A 192.0.2.6\nf IN BOGUS x\n"
		       "g IN A 192.0.2.7\n");
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\na IN A 192.0.2.2\nb IN A 192.0.2.3\n"
		       "c IN A 192.0.2.4\nd IN A 192.0.2.5\ne IN A 192.0.2.6\nf IN BOGUS x\n");
	/* Duplicates across pieces are found as in one pass. */
	same_both_ways("$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\n"
		       "ns1 IN A 192.0.2.1\na IN A 192.0.2.2\nb IN A 192.0.2.3\n"
		       "c IN A 192.0.2.4\nd IN A 192.0.2.5\na IN A 192.0.2.2\n");
	/* The threads really read pieces (above), and a large text is read the same way. */
	CU_ASSERT_TRUE(zload_pieces_threaded > before);
	if (big == NULL) {
		CU_FAIL("out of memory");
		return;
	}
	off += (size_t)sprintf(big, "$ORIGIN example.com.\n@ 300 IN SOA ns1 h 1 2 3 4 5\n"
				    "@ IN NS ns1\nns1 IN A 192.0.2.1\n");
	for (unsigned i = 0; off < (1 << 20) - 200; i++)
		off += (size_t)sprintf(big + off,
				       i % 100 == 50 ? "$TTL %u\n" : "h%u IN A 10.0.0.1\n", i);
	{
		char err2[1024];
		zload_zone_t *a = tu_read_with(big, err, sizeof(err), true, 1, 0);
		zload_zone_t *b;

		before = zload_pieces_threaded;
		b = tu_read_with(big, err2, sizeof(err2), true, 4, 100000);
		CU_ASSERT_EQUAL(zload_pieces_threaded - before, 3);
		tu_assert_same(a, err, b, err2, "4 threads");
	}
	free(big);
}

void reg_cutest_zload(void)
{
	/* One suite (the runner selects suites by name); its set-up makes the temp directory. */
	CU_pSuite s = CU_add_suite("zload", files_init, files_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "a good zone: origin, serial, count", test_good_zone);
	CU_add_test(s, "origin forms, large serial", test_origin_forms);
	CU_add_test(s, "$ORIGIN, $TTL, relative names, parentheses", test_relative_ttl_parens);
	CU_add_test(s, "RFC 3597 unknown types", test_rfc3597);
	CU_add_test(s, "duplicates dropped with a warning", test_duplicates);
	CU_add_test(s, "warnings are not errors", test_warnings_not_errors);
	CU_add_test(s, "TTL warnings name the RRset's first record",
		    test_ttl_warning_first_in_file);
	CU_add_test(s, "data ldns cannot read back: the generic form", test_generic_text_fallback);
	CU_add_test(s, "error: no SOA", test_no_soa);
	CU_add_test(s, "error: two SOAs", test_two_soas);
	CU_add_test(s, "error: SOA not at the apex", test_soa_not_at_apex);
	CU_add_test(s, "error: no apex NS", test_no_apex_ns);
	CU_add_test(s, "error: out-of-zone data", test_out_of_zone);
	CU_add_test(s, "error: CNAME beside other data", test_cname_and_other);
	CU_add_test(s, "error: two CNAMEs", test_two_cnames);
	CU_add_test(s, "error: missing glue", test_missing_glue);
	CU_add_test(s, "error: class other than IN", test_class);
	CU_add_test(s, "error: no known record type", test_no_type);
	CU_add_test(s, "error: syntax, with its line", test_syntax_error_line);
	CU_add_test(s, "error: bad origin", test_bad_origin);
	CU_add_test(s, "error: message cut to the buffer", test_err_buffer);
	CU_add_test(s, "zload_file", test_file_plain);
	CU_add_test(s, "error: missing or unreadable file", test_file_missing_unreadable);
	CU_add_test(s, "$INCLUDE", test_include);
	CU_add_test(s, "$INCLUDE: errors name the file and line", test_include_lines);
	CU_add_test(s, "$INCLUDE with an origin", test_include_origin);
	CU_add_test(s, "error: $INCLUDE of a missing file", test_include_missing);
	CU_add_test(s, "$INCLUDE nested, and a loop", test_include_nested_and_loop);
	CU_add_test(s, "a blank owner after $INCLUDE: the owner before it (RFC 1035 5.1)",
		    test_include_owner_reverts);
	CU_add_test(s, "a NUL octet in a name: accepted", test_nul_in_names);
	CU_add_test(s, "error: a FIFO or a device as the zone file", test_file_not_regular);
	CU_add_test(s, "error: a FIFO or a device as an $INCLUDE", test_include_not_regular);
	CU_add_test(s, "error: a zone's text over its bound", test_text_bound);
	CU_add_test(s, "rfile_read: bounded by the octets read", test_rfile_read);
	CU_add_test(s, "error: $INCLUDE loops, and nesting too deep", test_include_loops_and_depth);
	CU_add_test(s, "the fast reader reads as ldns does", test_fast_reader_same);
	CU_add_test(s, "the class before the TTL (RFC 1035 5.1)", test_class_before_ttl);
	CU_add_test(s, "records are on their own lines", test_fast_reader_lines);
	CU_add_test(s, "a large text read in pieces reads as one pass", test_pieces_same);
	CU_add_test(s, "RFC 3597 data that does not fit its type: refused", test_rdata_fits_type);
}
