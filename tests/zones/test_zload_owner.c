/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload_owner.c: CUnit suite for blank owners with no owner before them (RFC 1035 5.1) */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_pvt.h"

/*
 * A line that starts with a blank repeats the previous record's owner (RFC 1035 5.1); on the
 * first record there is none. BIND 9.18 ("no current owner name") and Knot 3.2 ("previous
 * owner is invalid") refuse the zone; ldns, and NSD 4.6, take the origin. sandns refuses it,
 * with the file and line, whichever reader (the fast one or ldns) the line would go to.
 */

#define SOA "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
#define REST "@ IN NS ns1\nns1 IN A 192.0.2.53\n"

static char err[1024];
static char dbuf[2048];
static char dir[PATH_MAX];

static int owner_init(void)
{
	snprintf(dir, sizeof(dir), "%s/sandns-zowner-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int owner_cleanup(void)
{
	tu_rm_dir(dir);
	return 0;
}

/* Writes TEXT to DIR/NAME; returns the full path (static, one a slot). */
static const char *put_file(int slot, const char *name, const char *text)
{
	static char paths[3][PATH_MAX + 64];

	return tu_put_file(paths[slot], sizeof(paths[slot]), dir, name, text);
}

/* TEXT read by the fast reader and ldns (FAST) or ldns alone; ERR holds the error. */
static zload_zone_t *load(const char *text, bool fast)
{
	zload_zone_t *z;

	err[0] = '\0';
	zload_no_fast_path = !fast;
	z = zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	zload_no_fast_path = false;
	return z;
}

/* The records of Z at OWNER of TYPE (0: all), described into DBUF. */
static size_t at(const zload_zone_t *z, const char *owner, uint16_t type)
{
	dbuf[0] = '\0';
	return zload_describe(z, owner, type, dbuf, sizeof(dbuf));
}

/* TEXT refused by both readers, the message starting with WHERE ("t.zone:2: "). */
static void refused(const char *text, const char *where)
{
	for (int fast = 1; fast >= 0; fast--) {
		zload_zone_t *z = load(text, fast);

		CU_ASSERT_PTR_NULL(z);
		if (strncmp(err, where, strlen(where)) != 0 ||
		    strstr(err, "no current owner name") == NULL)
			fprintf(stderr, "\n  want '%s... no current owner name', got '%s'\n", where,
				err);
		CU_ASSERT_EQUAL(strncmp(err, where, strlen(where)), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "no current owner name"));
		zload_free(&z);
	}
}

/* The first record with a blank owner: after $TTL, after $ORIGIN (no owner), in parentheses. */
static void test_first_record(void)
{
	refused("$TTL 300\n  IN SOA ns1.example.com. h.example.com. 1 2 3 4 5\n" REST,
		"t.zone:2: ");
	/* $ORIGIN sets the origin, not the owner (BIND and Knot refuse this as well). */
	refused("$ORIGIN example.com.\n$TTL 300\n\tIN SOA ns1 h 1 2 3 4 5\n" REST, "t.zone:3: ");
	/* An address record, the fast reader's kind: it leaves the line to ldns, refused there. */
	refused("$ORIGIN example.com.\n  IN A 192.0.2.1\n" SOA REST, "t.zone:2: ");
	refused("  3600 IN AAAA 2001:db8::1\n" SOA REST, "t.zone:1: ");
	/* In parentheses over lines (the fast reader joins such records). */
	refused("$TTL 300\n  ( IN SOA ns1.example.com. h.example.com.\n 1 2 3 4 5 )\n" REST,
		"t.zone:3: ");
	/* After blank and comment lines, which are not records. */
	refused("; head\n\n   ; indented comment\n \t\n  IN TXT \"x\"\n" SOA REST, "t.zone:5: ");
}

/* A blank owner with an owner before it, and blank lines before any record: all read. */
static void test_blank_owner_fine(void)
{
	static const char text[] = "$ORIGIN example.com.\n"
				   "$TTL 300\n"
				   "   ; a comment, indented\n"
				   " \t \n"
				   "\n" SOA /* line 6 */
				   "  IN NS ns1\n"
				   "  IN TXT \"apex\"\n"
				   "ns1 IN A 192.0.2.53\n"
				   "    IN AAAA 2001:db8::53\n"
				   "$ORIGIN sub.example.com.\n"
				   "  IN TXT \"still ns1\"\n"; /* line 12: the owner before */

	for (int fast = 1; fast >= 0; fast--) {
		zload_zone_t *z = load(text, fast);

		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		CU_ASSERT_EQUAL(at(z, "example.com.", 0), 3);
		CU_ASSERT_PTR_NOT_NULL(strstr(dbuf, "t.zone:7: example.com."));
		CU_ASSERT_EQUAL(at(z, "ns1.example.com.", 0), 3);
		CU_ASSERT_PTR_NOT_NULL(strstr(dbuf, "t.zone:12: ns1.example.com."));
		CU_ASSERT_EQUAL(at(z, "sub.example.com.", 0), 0);
		zload_free(&z);
	}
}

/*
 * $INCLUDE: the included text is read where the $INCLUDE stands (RFC 1035 5.1), so its first
 * blank owner repeats the owner before the $INCLUDE, as BIND reads it (Knot starts each file
 * with none); with no owner before, it is refused, naming the included file. The origin an
 * $INCLUDE gives is not an owner, and after the file the owner is the one before it again:
 * none, if there was none.
 */
static void test_include(void)
{
	const char *blank = put_file(1, "blank.zone", "  IN TXT \"inc\"\nin2 IN A 192.0.2.2\n");
	const char *named = put_file(2, "named.zone", "in3 IN A 192.0.2.3\n");
	char text[4 * PATH_MAX], where[PATH_MAX + 128];
	zload_zone_t *z;

	snprintf(where, sizeof(where), "%s:1: ", blank);
	snprintf(text, sizeof(text), "$TTL 300\n$INCLUDE %s\n" SOA REST, blank);
	refused(text, where);
	snprintf(text, sizeof(text), "$TTL 300\n$INCLUDE %s example.com.\n" SOA REST, blank);
	refused(text, where);
	snprintf(text, sizeof(text), "$TTL 300\n$INCLUDE %s\n  IN A 192.0.2.9\n" SOA REST, named);
	refused(text, "t.zone:3: ");
	/* The owner before the $INCLUDE: the included file's first blank owner is its. */
	snprintf(text, sizeof(text), "$ORIGIN example.com.\n" SOA "$INCLUDE %s\n" REST, blank);
	for (int fast = 1; fast >= 0; fast--) {
		z = load(text, fast);
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		CU_ASSERT_EQUAL(at(z, "example.com.", T_TXT), 1);
		CU_ASSERT_EQUAL(at(z, "in2.example.com.", T_A), 1);
		zload_free(&z);
	}
	/* A zone file on disk: the message names it. */
	snprintf(where, sizeof(where), "%s/main.zone:2: ", dir);
	z = zload_file(
	    "example.com.",
	    put_file(0, "main.zone", "$TTL 300\n  IN SOA ns1.example.com. h 1 2 3 4 5\n"), NULL,
	    NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_EQUAL(strncmp(err, where, strlen(where)), 0);
	zload_free(&z);
}

/* What zload_check() said. */
struct said {
	unsigned n;
	char msg[8][512];
};

static void said_add(void *ctx, const char *msg)
{
	struct said *s = ctx;

	if (s->n < sizeof(s->msg) / sizeof(s->msg[0]))
		snprintf(s->msg[s->n], sizeof(s->msg[0]), "%s", msg);
	s->n++;
}

/* The check mode (sandnsd --check-zone) names every such line, as named-checkzone does. */
static void test_check_mode(void)
{
	struct said e = {0}, w = {0};
	bool stopped = true;
	size_t n =
	    zload_check("example.com", "t.zone",
			"$TTL 300\n  IN TXT \"a\"\n\n  IN TXT \"b\"\n" SOA "  IN TXT \"c\"\n" REST,
			said_add, &w, said_add, &e, 100, &stopped);

	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL_FATAL(e.n, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg[0], "t.zone:2: no current owner name"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg[1], "t.zone:4: no current owner name"));
	CU_ASSERT_FALSE(stopped);
}

/*
 * A large text read in pieces on threads (zload_par.c): each piece starts on a line that names
 * an owner and is read with none before it, so the blank owners in it, right after a cut too,
 * are its own records' and read as in one pass; a text whose first record has a blank owner is
 * refused the same way.
 */
static void test_pieces(void)
{
	size_t cap = (size_t)1 << 20, off = 0;
	char *big = malloc(cap), err2[1024];
	unsigned long before = zload_pieces_threaded;
	zload_zone_t *a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	off += (size_t)snprintf(big, cap, "$ORIGIN example.com.\n$TTL 300\n" SOA REST);
	for (unsigned i = 0; off < cap - 200; i++)
		off += (size_t)snprintf(big + off, cap - off,
					i % 3 == 0   ? "h%u IN A 10.0.0.1\n"
					: i % 3 == 1 ? "  IN TXT \"t%u\"\n"
						     : "\tIN AAAA 2001:db8::%x\n",
					i);
	a = tu_read_with(big, err, sizeof(err), true, 1, 0);
	CU_ASSERT_PTR_NOT_NULL(a);
	b = tu_read_with(big, err2, sizeof(err2), true, 4, 100000);
	CU_ASSERT_TRUE(zload_pieces_threaded - before >= 3);
	tu_assert_same(a, err, b, err2, "4 threads");
	/* The first record's owner blank: refused, read in pieces or not. */
	memcpy(big, "$ORIGIN example.com.\n$TTL 300\n ", 31);
	a = tu_read_with(big, err, sizeof(err), true, 1, 0);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.zone:3: no current owner name"));
	before = zload_pieces_threaded;
	b = tu_read_with(big, err2, sizeof(err2), true, 4, 100000);
	CU_ASSERT_TRUE(zload_pieces_threaded - before >= 3);
	tu_assert_same(a, err, b, err2, "4 threads");
	free(big);
}

void reg_cutest_zload_owner(void)
{
	CU_pSuite s = CU_add_suite("zload_owner", owner_init, owner_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "error: the first record's owner blank", test_first_record);
	CU_add_test(s, "blank owners after an owner, blank lines first: read",
		    test_blank_owner_fine);
	CU_add_test(s, "$INCLUDE: the owner before it, or none", test_include);
	CU_add_test(s, "the check mode names every such line", test_check_mode);
	CU_add_test(s, "pieces on threads: their blank owners are their own", test_pieces);
}
