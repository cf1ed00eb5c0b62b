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

void reg_cutest_nameset(void)
{
	CU_pSuite s = CU_add_suite("nameset", NULL, NULL);

	CU_add_test(s, "owners and the names above them, nothing else", test_small);
	CU_add_test(s, "the root zone: its apex a name too", test_root);
	CU_add_test(s, "40,000 hosts: every name there, none beside them", test_large);
}
