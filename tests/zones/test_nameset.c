/* SPDX-License-Identifier: BSD-3-Clause */
/* test_nameset.c: a zone's names as digests (zload_nameset.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "sandns_err.h"
#include "zload.h"
#include "zload_nameset.h"

static zload_zone_t *zone_of(const char *text)
{
	char err[512];
	zload_zone_t *z =
	    zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		fprintf(stderr, "%s\n", err);
	return z;
}

/*
 * Owners, the names between them and the origin, and nothing else: each name the zone has at or
 * below it is there (without case, escaped or not), and a name it lacks is not, whatever
 * zload_has_name() says of it (the set must never say "not there" of a name that is).
 */
static void test_small(void)
{
	static const char *const there[] = {
	    "example.com.",	  "www.example.com.",  "WWW.Example.COM.",
	    "a.b.c.example.com.", "b.c.example.com.",  "c.example.com.",
	    "*.w.example.com.",	  "w.example.com.",    "\\097.x.example.com.",
	    "a\\.b.example.com.", "_tcp.example.com.", "_autodiscover._tcp.example.com."};
	static const char *const absent[] = {"nope.example.com.", "x.www.example.com.",
					     "d.c.example.com.",  "autodiscover.example.com.",
					     "a.b.example.com.",  "b.example.com.",
					     "ab.example.com."};
	/* Not at or below the origin: "may be" (com. has records below it). */
	static const char *const outside[] = {"com.", ".", "other.test.", "example.net."};
	zload_zone_t *z = zone_of(
	    "$TTL 300\n@ IN SOA ns hostmaster 1 3600 900 604800 300\n@ IN NS ns\nns IN A "
	    "192.0.2.1\n"
	    "www IN A 192.0.2.2\na.b.c IN TXT \"deep\"\n*.w IN MX 10 www\na.x IN A 192.0.2.3\n"
	    "a\\.b IN A 192.0.2.4\n_autodiscover._tcp IN SRV 0 0 443 www\n");
	zload_nameset_t *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s = zload_nameset_new(z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* apex, ns, www, a.b.c, b.c, c, *.w, w, a.x, x, a\.b, _autodiscover._tcp, _tcp */
	CU_ASSERT_EQUAL(zload_nameset_count(s), 13);
	for (size_t i = 0; i < sizeof(there) / sizeof(there[0]); i++) {
		CU_ASSERT_EQUAL(zload_nameset_has(s, there[i]), 1);
		CU_ASSERT_EQUAL(zload_has_name(z, there[i], true, true), 1);
	}
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		CU_ASSERT_EQUAL(zload_nameset_has(s, absent[i]), 0);
		CU_ASSERT_EQUAL(zload_has_name(z, absent[i], true, true), 0);
	}
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		CU_ASSERT_EQUAL(zload_nameset_has(s, outside[i]), 1);
	CU_ASSERT_EQUAL(zload_nameset_has(s, "a..b.example.com."), SANDNS_EPARSE);
	zload_nameset_free(&s);
	CU_ASSERT_PTR_NULL(s);
	zload_nameset_free(&s);
	zload_free(&z);
}

/* The root zone: its apex is a name too. */
static void test_root(void)
{
	char err[512];
	zload_zone_t *z = zload_string(
	    ".",
	    "$TTL 300\n@ IN SOA a.root. h.root. 1 3600 900 604800 300\n@ IN NS a.root.\n"
	    "a.root. IN A 192.0.2.1\ncom. IN NS a.gtld.\n",
	    "root.zone", NULL, NULL, err, sizeof(err));
	zload_nameset_t *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s = zload_nameset_new(z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(zload_nameset_count(s), 4); /* ., root., a.root., com. */
	CU_ASSERT_EQUAL(zload_nameset_has(s, "."), 1);
	CU_ASSERT_EQUAL(zload_nameset_has(s, "ROOT."), 1);
	CU_ASSERT_EQUAL(zload_nameset_has(s, "com."), 1);
	CU_ASSERT_EQUAL(zload_nameset_has(s, "net."), 0);
	CU_ASSERT_EQUAL(zload_nameset_has(s, "b.root."), 0);
	zload_nameset_free(&s);
	zload_free(&z);
}

/*
 * A zone of 40,000 hosts three labels deep (80,000 names and more: the radix sort): every host
 * and every name above it there, none of 40,000 names beside them (a digest shared by two names
 * may say "there" of one absent: none expected among so few).
 */
static void test_large(void)
{
	const size_t hosts = 40000;
	size_t len = 0, cap = 64 * hosts + 256, wrong = 0;
	char *text = malloc(cap), name[64];
	zload_zone_t *z;
	zload_nameset_t *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len +=
	    (size_t)snprintf(text + len, cap - len,
			     "$TTL 300\n@ IN SOA ns hostmaster 1 3600 900 604800 300\n@ IN NS ns\n"
			     "ns IN A 192.0.2.1\n");
	for (size_t i = 0; i < hosts; i++)
		len += (size_t)snprintf(text + len, cap - len, "h%zu.g%zu IN A 192.0.2.%zu\n", i,
					i % 997, i % 250 + 1);
	z = zone_of(text);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s = zload_nameset_new(z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(zload_nameset_count(s), hosts + 997 + 2);
	for (size_t i = 0; i < hosts; i++) {
		snprintf(name, sizeof(name), "H%zu.g%zu.example.com.", i, i % 997);
		wrong += zload_nameset_has(s, name) != 1;
		snprintf(name, sizeof(name), "g%zu.example.com.", i % 997);
		wrong += zload_nameset_has(s, name) != 1;
		snprintf(name, sizeof(name), "h%zu.g%zu.example.com.", i, (i + 1) % 997);
		wrong += zload_nameset_has(s, name) != 0;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	zload_nameset_free(&s);
	zload_free(&z);
}

static int count_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	(void)owner;
	(void)type;
	(void)ttl;
	(void)rdata;
	(*(size_t *)ctx)++;
	return 0;
}

/* The owners zload_foreach() prints, each once (a record a call: repeats skipped by the caller). */
struct owners {
	char *o[64];
	size_t n;
};

static int take_owner(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct owners *w = ctx;

	(void)type;
	(void)ttl;
	(void)rdata;
	if (w->n < 64 && (w->n == 0 || strcmp(w->o[w->n - 1], owner) != 0))
		w->o[w->n++] = strdup(owner);
	return 0;
}

/*
 * Every owner of the zone ORIGIN/TEXT as printed, each name above it, each with labels put in
 * front (`x.`, `*.`, `\000.`, ...), in lower and upper case: wherever the set says "not there",
 * the zone has nothing at the name nor below it (zload_has_name(), zload_lookup()). Returns how
 * many it said "not there" of; counts the wrong ones into *BAD.
 */
static size_t against_zone(const char *origin, const char *text, size_t *bad)
{
	static const char *const front[] = {"", "x.", "*.", "\\000.", "a\\000.", "\\046."};
	char err[512], name[1100];
	zload_zone_t *z = zload_string(origin, text, "d.zone", NULL, NULL, err, sizeof(err));
	struct owners w = {.n = 0};
	zload_nameset_t *s;
	size_t absent = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_foreach(z, take_owner, &w), 0);
	s = zload_nameset_new(z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t i = 0; i < w.n; i++) {
		/* From the owner up, label by label (an escaped dot is no end of a label). */
		for (const char *p = w.o[i]; p != NULL;) {
			const char *q = p;

			for (size_t k = 0; k < sizeof(front) / sizeof(front[0]); k++)
				for (int upper = 0; upper < 2; upper++) {
					size_t nrr = 0;

					snprintf(name, sizeof(name), "%s%s", front[k], p);
					for (char *c = name; upper && *c != '\0'; c++)
						if (*c >= 'a' && *c <= 'z')
							*c = (char)(*c - 'a' + 'A');
					if (zload_nameset_has(s, name) != 0)
						continue;
					absent++;
					if (zload_has_name(z, name, true, true) != 0 ||
					    zload_lookup(z, name, 0, count_rr, &nrr) != 0 ||
					    nrr != 0) {
						fprintf(stderr, "nameset: %s said not there\n",
							name);
						(*bad)++;
					}
				}
			while (*q != '\0' && !(*q == '.' && (q == p || q[-1] != '\\')))
				q++;
			p = *q != '\0' && q[1] != '\0' ? q + 1 : NULL;
		}
		free(w.o[i]);
	}
	zload_nameset_free(&s);
	zload_free(&z);
	return absent;
}

/*
 * Escapes (\000, \046, \\, \@, \;, high octets, an escaped dot), case, glue below a delegation,
 * wildcards, empty non-terminals, an escaped origin and the root zone: the set never says "not
 * there" of a name the zone has something at or below.
 */
static void test_against_zone(void)
{
	size_t bad = 0;

	CU_ASSERT(against_zone(
		      "example.com.",
		      "$TTL 300\n@ IN SOA ns hostmaster 1 3600 900 604800 300\n@ IN NS ns\n"
		      "ns IN A 192.0.2.1\nsub IN NS ns.sub\nns.sub IN A 192.0.2.9\n"
		      "x.y.glue.sub IN A 192.0.2.8\n\\000 IN A 192.0.2.1\n"
		      "a\\000b IN TXT x\nA\\.B IN A 192.0.2.4\n\\065\\066c IN A 192.0.2.5\n"
		      "*.w IN A 192.0.2.7\n*.*.v IN A 192.0.2.7\n\\046dot IN A 192.0.2.6\n"
		      "\\\\bs IN A 192.0.2.6\n\\@at IN A 192.0.2.6\n\\;semi IN A 192.0.2.6\n"
		      "\\255hi IN A 192.0.2.6\n\\200\\201 IN A 192.0.2.6\nUp.CASE IN A 192.0.2.6\n",
		      &bad) > 100);
	CU_ASSERT(
	    against_zone("Ex\\.AMPLE.Com.",
			 "$TTL 300\n@ IN SOA ns hostmaster 1 3600 900 604800 300\n@ IN NS ns\n"
			 "ns IN A 192.0.2.1\na.B IN A 192.0.2.1\n",
			 &bad) > 10);
	CU_ASSERT(against_zone(
		      ".",
		      "$TTL 300\n@ IN SOA a.root. h.root. 1 3600 900 604800 300\n@ IN NS a.root.\n"
		      "a.root. IN A 192.0.2.1\ncom. IN NS a.gtld.\na.gtld. IN A 192.0.2.2\n"
		      "\\000. IN A 192.0.2.3\n",
		      &bad) > 10);
	CU_ASSERT_EQUAL(bad, 0);
}

void reg_cutest_nameset(void)
{
	CU_pSuite s = CU_add_suite("nameset", NULL, NULL);

	CU_add_test(s, "owners and the names above them, nothing else", test_small);
	CU_add_test(s, "the root zone: its apex a name too", test_root);
	CU_add_test(s, "escapes, case, glue, wildcards: never 'not there' of a name the zone has",
		    test_against_zone);
	CU_add_test(s, "40,000 hosts: every name there, none beside them", test_large);
}
