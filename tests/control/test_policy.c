/* SPDX-License-Identifier: BSD-3-Clause */
/* test_policy.c: CUnit suite for control/policy.c: the autodiscover decisions */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "cutest.h"
#include "origins.h"
#include "policy.h"
#include "policy_zone.h"
#include "tutil.h"
#include "zload.h"

#define DAY (24 * 3600L)

/* One throwaway key; each leaf is self-signed: the policy decides on names, not on trust. */
static EVP_PKEY *key;
static char dir[] = "/tmp/sandns-test-policy-XXXXXX";
static bool dir_made;
static char err[1024];
static long serial = 1;
static int nfiles;

/* A self-signed leaf with SANS (OpenSSL config syntax), loaded through cert_load_file(). */
static cert_t *make_leaf(const char *sans)
{
	char path[512];
	cert_t *c = NULL;

	snprintf(path, sizeof(path), "%s/%d.pem", dir, nfiles++);
	if (tu_write_leaf(path, key, serial++, sans)) {
		c = cert_load_file(path, err, sizeof(err));
		unlink(path);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return key == NULL ? -1 : 0;
}

static int suite_cleanup(void)
{
	EVP_PKEY_free(key);
	key = NULL;
	return dir_made ? rmdir(dir) : 0;
}

#define HEAD(d)                                                                                    \
	"$ORIGIN " d ".\n"                                                                         \
	"$TTL 3600\n"                                                                              \
	"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"                                        \
	"@ IN NS ns1\n"                                                                            \
	"ns1 IN A 192.0.2.53\n"

static zload_zone_t *zone(const char *origin, const char *text)
{
	zload_zone_t *z = zload_string(origin, text, "t.zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	return z;
}

/* Evaluates one zone against one certificate with SANS, default options unless OPTS. */
static policy_t *eval1(const char *origin, const char *text, const char *sans,
		       const policy_opts_t *opts)
{
	static const policy_opts_t none = {0};
	zload_zone_t *z = zone(origin, text);
	cert_t *c = make_leaf(sans);
	policy_t *p = policy_evaluate(&z, 1, &c, 1, opts ? opts : &none, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	zload_free(&z);
	cert_free(&c);
	return p;
}

/* The decision about NAME for FAM; fails the test when there is none. */
static size_t find(const policy_t *p, const char *name, enum policy_family fam)
{
	for (size_t i = 0; i < policy_count(p); i++)
		if (strcmp(policy_name(p, i), name) == 0 && policy_family(p, i) == fam)
			return i;
	fprintf(stderr, "\n  no decision for %s\n", name);
	CU_FAIL_FATAL("decision missing");
	return 0;
}

static bool has(const char *s, const char *want)
{
	if (strstr(s, want) != NULL)
		return true;
	fprintf(stderr, "\n  expected '%s' in '%s'\n", want, s);
	return false;
}

#define N "autodiscover.example.com."

static void test_covered_san(void)
{
	policy_t *p = eval1("example.com", HEAD("example.com") "autodiscover A 192.0.2.10\n",
			    "DNS:autodiscover.example.com,DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_COVERED);
	CU_ASSERT_FALSE(policy_applies(p, i));
	CU_ASSERT_PTR_NULL(policy_target(p, i));
	CU_ASSERT_STRING_EQUAL(policy_domain(p, i), "example.com.");
	CU_ASSERT_TRUE(has(policy_reason(p, i), "step 1"));
	CU_ASSERT_EQUAL(policy_kind(p, find(p, N, POLICY_FAMILY_AAAA)), POLICY_ABSENT);
	policy_free(&p);
	CU_ASSERT_PTR_NULL(p);
	policy_free(NULL);
}

static void test_covered_wildcard(void)
{
	policy_t *p = eval1("example.com", HEAD("example.com") "autodiscover A 192.0.2.10\n",
			    "DNS:*.example.com", NULL);

	CU_ASSERT_EQUAL(policy_kind(p, find(p, N, POLICY_FAMILY_A)), POLICY_COVERED);
	policy_free(&p);
}

static void test_existing_srv(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "autodiscover A 192.0.2.10\n"
						"mail A 192.0.2.10\n"
						"_autodiscover._tcp SRV 0 0 443 mail\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SUPPRESS_EXISTING_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "mail.example.com.");
	CU_ASSERT_TRUE(policy_applies(p, i));
	CU_ASSERT_FALSE(policy_alert(p, i));
	policy_free(&p);
}

static void test_srv_uncovered_then_synth(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "autodiscover A 192.0.2.10\n"
						"mail A 192.0.2.10\n"
						"other A 192.0.2.11\n"
						"_autodiscover._tcp SRV 0 0 443 other\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "mail.example.com.");
	CU_ASSERT_TRUE(has(policy_reason(p, i), "other.example.com."));
	CU_ASSERT_TRUE(has(policy_reason(p, i), "not covered"));
	policy_free(&p);
}

static void test_synth_same_address(void)
{
	policy_t *p =
	    eval1("example.com",
		  HEAD("example.com") "autodiscover A 192.0.2.20\n"
				      "webmail A 192.0.2.99\n"
				      "mail A 192.0.2.20\n",
		  "DNS:*.example.com.invalid,DNS:webmail.example.com,DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "mail.example.com.");
	CU_ASSERT_TRUE(has(policy_reason(p, i), "same A addresses"));
	policy_free(&p);
}

/*
 * A SAN not spelt plainly (a partial wildcard, an empty label) is never an SRV target, even
 * when the zone's wildcard gives the name it spells the addresses of N: no client could check
 * the certificate against it, and an empty label would make the zone's edits refused.
 */
static void test_synth_skips_san_not_plain(void)
{
	const char *text = HEAD("example.com") "* A 192.0.2.20\n"
					       "mail A 192.0.2.20\n";
	policy_t *p = eval1("example.com", text,
			    "DNS:m*il.example.com,DNS:.example.com,DNS:a..example.com,"
			    "DNS:mail.example.com",
			    NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "mail.example.com.");
	policy_free(&p);
	/* Nothing else: no target qualifies. */
	p = eval1("example.com", text, "DNS:m*il.example.com,DNS:.example.com,DNS:a..example.com",
		  NULL);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_KEEP_ALERT);
	CU_ASSERT_PTR_NULL(policy_target(p, i));
	CU_ASSERT_EQUAL(policy_edit_count(p), 0);
	policy_free(&p);
}

/* The SRV's RDATA is text, where '\', ';', '(' and ')' are syntax: a SAN holding one would
 * name another host ("m\097il.D" is mail.D, "a;b.D" a.D, "a(b.D" ab.D). Never a target. */
static void test_synth_skips_san_with_syntax(void)
{
	static const char *const sans[] = {"DNS:m\\097il.example.com", "DNS:a;b.example.com",
					   "DNS:a(b.example.com", "DNS:a)b.example.com"};
	static const char *const owners[] = {"m\\\\097il", "a\\;b", "a\\(b", "a\\)b"};

	for (size_t k = 0; k < sizeof(sans) / sizeof(sans[0]); k++) {
		char text[512];

		snprintf(text, sizeof(text),
			 HEAD("example.com") "autodiscover A 192.0.2.20\n"
					     "%s A 192.0.2.20\n"
					     "a A 192.0.2.20\n"
					     "ab A 192.0.2.20\n"
					     "mail A 192.0.2.20\n",
			 owners[k]);
		policy_t *p = eval1("example.com", text, sans[k], NULL);
		size_t i = find(p, N, POLICY_FAMILY_A);

		CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_KEEP_ALERT);
		CU_ASSERT_PTR_NULL(policy_target(p, i));
		CU_ASSERT_EQUAL(policy_edit_count(p), 0);
		policy_free(&p);
	}
}

/*
 * At or below a delegation the parent's records are glue or occluded: the child's zone answers.
 * A CNAME from N into a delegated subzone leaves the served data; N delegated itself has no
 * address of ours; a SAN below a delegation is no target (its addresses are the child's); no SRV
 * is added below one.
 */
static void test_delegation(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "sub NS ns.other.test.\n"
						"autodiscover CNAME x.sub\n"
						"x.sub A 192.0.2.20\n"
						"mail A 192.0.2.20\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_FOREIGN_CNAME);
	CU_ASSERT_EQUAL(policy_edit_count(p), 0);
	policy_free(&p);
	p = eval1("example.com",
		  HEAD("example.com") "autodiscover NS ns.other.test.\n"
				      "autodiscover A 192.0.2.20\n"
				      "mail A 192.0.2.20\n",
		  "DNS:mail.example.com", NULL);
	CU_ASSERT_EQUAL(policy_kind(p, find(p, N, POLICY_FAMILY_A)), POLICY_ABSENT);
	CU_ASSERT_EQUAL(policy_edit_count(p), 0);
	policy_free(&p);
	p = eval1("example.com",
		  HEAD("example.com") "autodiscover A 192.0.2.20\n"
				      "sub NS ns1\n"
				      "mail.sub A 192.0.2.20\n"
				      "www A 192.0.2.30\n",
		  "DNS:mail.sub.example.com,DNS:www.example.com", NULL);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "www.example.com.");
	policy_free(&p);
	/* _tcp delegated: an SRV added at _autodiscover._tcp would be glue, seen by no client;
	 * N is kept, with an alert, and nothing is edited. */
	p = eval1("example.com",
		  HEAD("example.com") "autodiscover A 192.0.2.20\n"
				      "_tcp NS ns.other.test.\n"
				      "mail A 192.0.2.20\n",
		  "DNS:mail.example.com", NULL);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_KEEP_ALERT);
	CU_ASSERT_PTR_NOT_NULL(strstr(policy_reason(p, i), "_autodiscover._tcp.example.com. is "
							   "delegated"));
	CU_ASSERT_EQUAL(policy_edit_count(p), 0);
	policy_free(&p);
	/* x\.y is one label beside the delegated y, not below it: N's CNAME to it stays in the
	 * zone and is followed to its address. */
	p = eval1("example.com",
		  HEAD("example.com") "y NS ns.other.test.\n"
				      "autodiscover CNAME x\\.y\n"
				      "x\\.y A 192.0.2.20\n"
				      "mail A 192.0.2.20\n",
		  "DNS:mail.example.com", NULL);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	policy_free(&p);
}

/*
 * A lookup that fails (memory out) fails the evaluation, naming the zone, whichever of the
 * lookups it is: nothing is decided as if the records it would have read were absent (an SRV
 * not seen, a CNAME taken for addresses). Each lookup of an evaluation fails in turn; past the
 * last, the evaluation is the one made without failures.
 */
static char *policy_text(const policy_t *p);

/* The evaluation with the Nth failure of HOOK (set to N) for each N in turn, as above: more than
 * MIN of them fail the evaluation. */
static void fails_in_turn(unsigned long *hook, unsigned long min)
{
	static const policy_opts_t none = {0};
	/* An existing SRV not covered, then a synthesized one: every kind of lookup. */
	const char *text = HEAD("example.com") "autodiscover A 192.0.2.20\n"
					       "autodiscover AAAA 2001:db8::20\n"
					       "_autodiscover._tcp SRV 0 0 443 owa\n"
					       "owa CNAME mail\n"
					       "mail A 192.0.2.20\n"
					       "@ A 192.0.2.1\n";
	zload_zone_t *z = zone("example.com", text);
	cert_t *c = make_leaf("DNS:mail.example.com");
	policy_t *p = policy_evaluate(&z, 1, &c, 1, &none, err, sizeof(err)), *q;
	char *want = p != NULL ? policy_text(p) : NULL;
	unsigned long k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_EQUAL(policy_kind(p, find(p, N, POLICY_FAMILY_A)), POLICY_SYNTHESIZE_SRV);
	policy_free(&p);
	for (k = 1; k < 1000; k++) {
		*hook = k;
		err[0] = '\0';
		q = policy_evaluate(&z, 1, &c, 1, &none, err, sizeof(err));
		if (*hook > 0) {
			/* Fewer lookups than K: none failed, the same decisions. */
			char *got = q != NULL ? policy_text(q) : NULL;

			CU_ASSERT(got != NULL && strcmp(got, want) == 0);
			free(got);
			policy_free(&q);
			break;
		}
		if (q != NULL)
			fprintf(stderr, "\n  lookup %lu failed, a policy made all the same\n", k);
		CU_ASSERT_PTR_NULL(q);
		CU_ASSERT_TRUE(has(err, "policy: zone example.com.: cannot read its records: "));
		policy_free(&q);
	}
	*hook = 0;
	CU_ASSERT(k > min);
	free(want);
	zload_free(&z);
	cert_free(&c);
}

static void test_lookup_fails(void)
{
	fails_in_turn(&pzone_lookup_fail_at,
		      5); /* N's A and AAAA, its CNAME, the SRV, the target's */
}

/*
 * The same with memory out while the zone's lookups parse their name (zload_lookup(),
 * zload_has_name()): each fails the evaluation, none reads as "no such name". Among them are
 * the questions whether a name exists and holds other types, which pzone_lookup_fail_at does not
 * reach.
 */
static void test_name_parse_fails(void)
{
	fails_in_turn(&zload_name_nomem_at, 8);
}

static void test_synth_first_san_and_opts(void)
{
	static const policy_opts_t opts = {.srv_target = "Owa.Example.com"};
	const char *text = HEAD("example.com") "autodiscover A 192.0.2.20\n"
					       "webmail A 192.0.2.99\n"
					       "owa A 192.0.2.98\n";
	policy_t *p =
	    eval1("example.com", text, "DNS:nowhere.example.com,DNS:webmail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "webmail.example.com.");
	policy_free(&p);
	/* The operator's target, when it works: covered, with an address. */
	p = eval1("example.com", text, "DNS:webmail.example.com,DNS:owa.example.com", &opts);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "owa.example.com.");
	CU_ASSERT_TRUE(has(policy_reason(p, i), "operator"));
	policy_free(&p);
	/* Not covered, or without an address: not used, the SANs are tried next. */
	p = eval1("example.com", text, "DNS:webmail.example.com", &opts);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "webmail.example.com.");
	CU_ASSERT_TRUE(has(policy_reason(p, i), "owa.example.com. is not used: not covered"));
	policy_free(&p);
	p = eval1("example.com", HEAD("example.com") "autodiscover A 192.0.2.20\n",
		  "DNS:owa.example.com", &opts);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_KEEP_ALERT);
	CU_ASSERT_TRUE(has(policy_reason(p, i), "no A/AAAA in the served zones"));
	policy_free(&p);
}

static void test_no_target(void)
{
	policy_t *p = eval1("example.com", HEAD("example.com") "autodiscover A 192.0.2.20\n",
			    "DNS:mail.example.net,DNS:*.example.org", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_KEEP_ALERT);
	CU_ASSERT_TRUE(policy_alert(p, i));
	CU_ASSERT_FALSE(policy_applies(p, i));
	CU_ASSERT_PTR_NULL(policy_target(p, i));
	policy_free(&p);
}

static void test_aaaa_separately(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "autodiscover A 192.0.2.20\n"
						"autodiscover AAAA 2001:db8::20\n"
						"web A 192.0.2.20\n"
						"mail A 192.0.2.21\n"
						"mail AAAA 2001:db8::20\n",
			    "DNS:web.example.com,DNS:mail.example.com", NULL);
	size_t a = find(p, N, POLICY_FAMILY_A), aaaa = find(p, N, POLICY_FAMILY_AAAA);

	CU_ASSERT_EQUAL(policy_kind(p, a), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_EQUAL(policy_kind(p, aaaa), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, a), "web.example.com.");
	CU_ASSERT_STRING_EQUAL(policy_target(p, aaaa), "mail.example.com.");
	policy_free(&p);
}

static void test_apex(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "@ A 192.0.2.1\n"
						"autodiscover A 192.0.2.10\n",
			    "DNS:autodiscover.example.com", NULL);
	size_t i = find(p, "example.com.", POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_APEX);
	CU_ASSERT_FALSE(policy_applies(p, i));
	CU_ASSERT_TRUE(has(policy_reason(p, i), "never suppressed"));
	CU_ASSERT_TRUE(has(policy_reason(p, i), "not covered"));
	/* No AAAA at the apex: no apex entry for it. */
	CU_ASSERT_EQUAL(policy_count(p), 3);
	policy_free(&p);
}

static void test_foreign_cname(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "autodiscover CNAME autodiscover.outlook.com.\n"
						"mail A 192.0.2.10\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_FOREIGN_CNAME);
	CU_ASSERT_FALSE(policy_applies(p, i));
	CU_ASSERT_TRUE(has(policy_reason(p, i), "autodiscover.outlook.com."));
	policy_free(&p);
}

static void test_in_zone_cname(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "autodiscover CNAME a1\n"
						"a1 CNAME mail\n"
						"mail A 192.0.2.10\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "mail.example.com.");
	CU_ASSERT_TRUE(has(policy_reason(p, i), "in-zone CNAME"));
	policy_free(&p);
}

static void test_signed(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "@ DNSKEY 257 3 13 "
						"mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+"
						"GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
						"autodiscover A 192.0.2.10\n"
						"mail A 192.0.2.10\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_FALSE(policy_applies(p, i));
	CU_ASSERT_TRUE(policy_alert(p, i));
	CU_ASSERT_TRUE(has(policy_reason(p, i), "DNSSEC-signed zone: not applied"));
	policy_free(&p);
}

static void test_wildcard_only(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "* A 192.0.2.10\n"
						"mail A 192.0.2.10\n"
						"sub.deep A 192.0.2.5\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_TRUE(policy_via_wildcard(p, i));
	CU_ASSERT_TRUE(policy_applies(p, i));
	CU_ASSERT_TRUE(has(policy_reason(p, i), "empty node"));
	policy_free(&p);
	/* An empty non-terminal at N blocks the wildcard: nothing to do. */
	p = eval1("example.com",
		  HEAD("example.com") "* A 192.0.2.10\n"
				      "_acme-challenge.autodiscover TXT x\n",
		  "DNS:mail.example.com", NULL);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_ABSENT);
	CU_ASSERT_FALSE(policy_via_wildcard(p, i));
	policy_free(&p);
}

static void test_two_domains(void)
{
	zload_zone_t *z[2] = {
	    zone("example.com", HEAD("example.com") "autodiscover A 192.0.2.10\n"
						    "mail A 192.0.2.10\n"),
	    zone("example.net", HEAD("example.net") "autodiscover A 192.0.2.10\n"),
	};
	cert_t *c[2] = {make_leaf("DNS:mail.example.com"),
			make_leaf("DNS:autodiscover.example.net")};
	static const policy_opts_t opts = {0};
	policy_t *p = policy_evaluate(z, 2, c, 2, &opts, err, sizeof(err));
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "mail.example.com.");
	i = find(p, "autodiscover.example.net.", POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_COVERED);
	CU_ASSERT_STRING_EQUAL(policy_domain(p, i), "example.net.");
	policy_free(&p);
	zload_free(&z[0]);
	zload_free(&z[1]);
	cert_free(&c[0]);
	cert_free(&c[1]);
}

/* Every decision with its reason and every edit of P, one a line (malloc'd). */
static char *policy_text(const policy_t *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; i < policy_count(p); i++)
		fprintf(f, "%s %s %u %s %s %d %d %d: %s\n", policy_domain(p, i), policy_name(p, i),
			(unsigned)policy_family(p, i), policy_kind_name(policy_kind(p, i)),
			policy_target(p, i) != NULL ? policy_target(p, i) : "-",
			policy_applies(p, i), policy_alert(p, i), policy_via_wildcard(p, i),
			policy_reason(p, i));
	for (size_t i = 0; i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);

		fprintf(f, "edit %s %d %s %u %u %s\n", policy_edit_domain(p, i), (int)e->op,
			e->owner, (unsigned)e->type, (unsigned)e->ttl,
			e->rdata != NULL ? e->rdata : "-");
	}
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	return text;
}

#define VZONES 4
#define VCERTS 4

/*
 * A zone not read, answered by the view recorded while it was read (policy_evaluate_zones()):
 * for every certificate, either the evaluation says it missed the view, or its decisions, reasons
 * and edits are those of reading every zone. With the certificate the view was recorded under,
 * it never misses. Zones with CNAMEs across zones, wildcards, two SRV records in file order, a
 * name with more addresses than the policy weighs, other data at N, and a signed zone.
 */
static void test_views(void)
{
	static const policy_opts_t opts = {0};
	static const char *const sans[VCERTS] = {
	    "DNS:mail.example.com,DNS:web.example.net",
	    "DNS:mail.example.com,DNS:autodiscover.example.net,DNS:x.example.org",
	    "DNS:*.example.org,DNS:host.example.com,DNS:autodiscover.example.edu",
	    "DNS:many.example.edu,DNS:web.example.net",
	};
	char edu[8192];
	size_t off = (size_t)snprintf(
	    edu, sizeof(edu), "%s",
	    HEAD("example.edu") "autodiscover TXT \"other data\"\n"
				"@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+"
				"GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n");
	zload_zone_t *z[VZONES];
	cert_t *c[VCERTS];
	char *full[VCERTS];
	size_t used = 0, missed = 0;

	for (int k = 0; k < 70; k++)
		off += (size_t)snprintf(edu + off, sizeof(edu) - off,
					"autodiscover A 10.0.0.%d\nmany A 10.0.0.%d\n", k, k);
	z[0] = zone("example.com",
		    HEAD("example.com") "autodiscover A 192.0.2.10\n"
					"autodiscover AAAA 2001:db8::10\n"
					"mail A 192.0.2.10\n"
					"host A 192.0.2.11\n"
					"*.users A 192.0.2.12\n"
					"_autodiscover._tcp SRV 0 0 443 web.example.net.\n"
					"_autodiscover._tcp SRV 0 0 443 mail\n");
	z[1] = zone("example.net", HEAD("example.net") "web A 192.0.2.10\n"
						       "autodiscover CNAME alias.example.org.\n");
	z[2] = zone("example.org", HEAD("example.org") "alias CNAME host.example.com.\n"
						       "* A 192.0.2.50\n"
						       "x.y A 192.0.2.51\n");
	z[3] = zone("example.edu", edu);
	for (size_t k = 0; k < VCERTS; k++) {
		policy_t *p;

		c[k] = make_leaf(sans[k]);
		p = policy_evaluate(z, VZONES, &c[k], 1, &opts, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		full[k] = policy_text(p);
		policy_free(&p);
	}
	for (size_t rec = 0; rec < VCERTS; rec++) {
		for (size_t un = 0; un < VZONES; un++) {
			policy_zone_t pz[VZONES];
			pview_t *view = pview_new();
			policy_t *p;
			char *text;

			CU_ASSERT_PTR_NOT_NULL_FATAL(view);
			/* Every zone read, zone UN's answers recorded under certificate REC. */
			for (size_t i = 0; i < VZONES; i++)
				pz[i] = (policy_zone_t){.origin = zload_origin(z[i]),
							.zone = z[i],
							.record = i == un ? view : NULL};
			p = policy_evaluate_zones(pz, VZONES, &c[rec], 1, &opts, err, sizeof(err));
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			text = policy_text(p);
			CU_ASSERT_STRING_EQUAL(text, full[rec]);
			CU_ASSERT_TRUE(pview_count(view) > 0);
			free(text);
			policy_free(&p);
			/* Zone UN not read, under every certificate. */
			for (size_t now = 0; now < VCERTS; now++) {
				for (size_t i = 0; i < VZONES; i++)
					pz[i] = (policy_zone_t){.origin = zload_origin(z[i]),
								.zone = i == un ? NULL : z[i],
								.view = i == un ? view : NULL};
				p = policy_evaluate_zones(pz, VZONES, &c[now], 1, &opts, err,
							  sizeof(err));
				CU_ASSERT_PTR_NOT_NULL_FATAL(p);
				if (now == rec)
					CU_ASSERT_FALSE(pz[un].missed);
				if (pz[un].missed) {
					missed++;
				} else {
					text = policy_text(p);
					CU_ASSERT_STRING_EQUAL(text, full[now]);
					free(text);
					used++;
				}
				policy_free(&p);
			}
			pview_put(&view);
		}
	}
	/* Both ways taken: views that answer another certificate's questions, and misses. */
	CU_ASSERT_TRUE(used > VZONES * VCERTS);
	CU_ASSERT_TRUE(missed > 0);
	for (size_t k = 0; k < VCERTS; k++) {
		free(full[k]);
		cert_free(&c[k]);
	}
	for (size_t i = 0; i < VZONES; i++)
		zload_free(&z[i]);
}

static void test_srv_target_without_address(void)
{
	policy_t *p = eval1("example.com",
			    HEAD("example.com") "autodiscover A 192.0.2.10\n"
						"mail TXT \"no address\"\n"
						"_autodiscover._tcp SRV 0 0 443 mail\n",
			    "DNS:mail.example.com", NULL);
	size_t i = find(p, N, POLICY_FAMILY_A);

	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_KEEP_ALERT);
	CU_ASSERT_TRUE(has(policy_reason(p, i), "no A/AAAA"));
	policy_free(&p);
}

/*
 * A SAN whose first label is "@" ("@.example.com": a certificate may name it, and the zone
 * holds the name as \@) is a target like any other: the synthesized SRV points to it, not to
 * the apex that ldns alone reads "@." as.
 */
static void test_srv_target_at_label(void)
{
	const char *text = HEAD("example.com") "autodiscover A 192.0.2.20\n"
					       "\\@ A 192.0.2.20\n";
	zload_zone_t *z = zone("example.com", text), *ed;
	cert_t *c = make_leaf("DNS:@.example.com");
	static const policy_opts_t none = {0};
	policy_t *p = policy_evaluate(&z, 1, &c, 1, &none, err, sizeof(err));
	zload_edit_t e[8];
	size_t i, n = 0;
	char buf[1024] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	i = find(p, N, POLICY_FAMILY_A);
	CU_ASSERT_EQUAL(policy_kind(p, i), POLICY_SYNTHESIZE_SRV);
	CU_ASSERT_STRING_EQUAL(policy_target(p, i), "@.example.com.");
	for (i = 0; i < policy_edit_count(p) && n < 8; i++)
		e[n++] = *policy_edit(p, i);
	ed = zload_edit(z, e, n, 2, "(policy)", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ed);
	CU_ASSERT_EQUAL(zload_describe(ed, "_autodiscover._tcp.example.com.", 33, buf, sizeof(buf)),
			1);
	/* Printed escaped, as a zone file must have it to mean the label. */
	CU_ASSERT_TRUE(has(buf, " SRV 0 0 443 \\@.example.com.\n"));
	zload_free(&ed);
	policy_free(&p);
	zload_free(&z);
	cert_free(&c);
}

/* The iterator the policy reads zones through. */
struct seen {
	int n, srv;
	char owner[256];
};

static int see(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct seen *s = ctx;

	s->n++;
	if (type == 33) {
		s->srv++;
		snprintf(s->owner, sizeof(s->owner), "%s", owner);
		CU_ASSERT_STRING_EQUAL(rdata, "0 5 443 Mail.example.com.");
		CU_ASSERT_EQUAL(ttl, 60);
	}
	return s->n == 100 ? 7 : 0;
}

static void test_zload_foreach(void)
{
	zload_zone_t *z =
	    zone("example.com", HEAD("example.com") "_AutoDiscover._tcp 60 SRV 0 5 443 Mail\n"
						    "Mail A 192.0.2.1\n");
	struct seen s = {0};

	CU_ASSERT_EQUAL(zload_foreach(z, see, &s), 0);
	CU_ASSERT_EQUAL(s.n, 5);
	CU_ASSERT_EQUAL(s.srv, 1);
	CU_ASSERT_STRING_EQUAL(s.owner, "_autodiscover._tcp.example.com.");
	s.n = 99;
	CU_ASSERT_EQUAL(zload_foreach(z, see, &s), 7);
	zload_free(&z);
}

/* The origin index the policy finds a name's zone with: the longest origin, the root last. */
static void test_origins(void)
{
	const char *names[] = {"example.com.", "sub.example.com.", "example.net.", "example.com."};
	const char *with_root[] = {"org.", "."};
	origins_t *o = origins_new(names, 4);
	origins_t *r = origins_new(with_root, 2);
	origins_t *none = origins_new(NULL, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(none);
	CU_ASSERT_EQUAL(origins_find(o, "example.com."), 0);
	CU_ASSERT_EQUAL(origins_find(o, "mail.example.com."), 0);
	CU_ASSERT_EQUAL(origins_find(o, "sub.example.com."), 1);
	CU_ASSERT_EQUAL(origins_find(o, "a.b.sub.example.com."), 1);
	CU_ASSERT_EQUAL(origins_find(o, "xsub.example.com."), 0);
	CU_ASSERT_EQUAL(origins_find(o, "example.net."), 2);
	CU_ASSERT_EQUAL(origins_find(o, "example.org."), -1);
	CU_ASSERT_EQUAL(origins_find(o, "com."), -1);
	CU_ASSERT_EQUAL(origins_find(o, "."), -1);
	CU_ASSERT_EQUAL(origins_find(r, "example.org."), 0);
	CU_ASSERT_EQUAL(origins_find(r, "example.com."), 1);
	CU_ASSERT_EQUAL(origins_find(r, "."), 1);
	CU_ASSERT_EQUAL(origins_find(none, "example.com."), -1);
	/* Exact: case and a final dot aside, the first of two equal origins, never a parent. */
	CU_ASSERT_EQUAL(origins_exact(o, "example.com."), 0);
	CU_ASSERT_EQUAL(origins_exact(o, "EXAMPLE.Com"), 0);
	CU_ASSERT_EQUAL(origins_exact(o, "Sub.Example.COM."), 1);
	CU_ASSERT_EQUAL(origins_exact(o, "mail.example.com."), -1);
	CU_ASSERT_EQUAL(origins_exact(o, "com."), -1);
	CU_ASSERT_EQUAL(origins_exact(o, "example.com.."), -1);
	CU_ASSERT_EQUAL(origins_exact(r, "."), 1);
	CU_ASSERT_EQUAL(origins_exact(r, "ORG"), 0);
	CU_ASSERT_EQUAL(origins_exact(none, "."), -1);
	/* Chains: each name to the next equal one, in order; the first is origins_exact()'s. */
	{
		const char *dup[] = {"a.test", "B.test.", "A.TEST.", "c.test.", "a.test."};
		size_t next[5];
		origins_t *d = origins_new(dup, 5);

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL_FATAL(origins_chain(d, dup, 5, next), 0);
		CU_ASSERT_EQUAL(origins_exact(d, "a.test."), 0);
		CU_ASSERT_EQUAL(next[0], 2);
		CU_ASSERT_EQUAL(next[2], 4);
		CU_ASSERT_EQUAL(next[4], SIZE_MAX);
		CU_ASSERT_EQUAL(next[1], SIZE_MAX);
		CU_ASSERT_EQUAL(next[3], SIZE_MAX);
		origins_free(d);
	}
	origins_free(o);
	origins_free(r);
	origins_free(none);
}

/*
 * Origins however written: the configuration's "we\"ird.test." is the zone ldns names
 * 'we"ird.test.' (a dnssec line for it once signed nothing, and zone-keys found it under no
 * spelling). Escapes are decoded, an escaped dot ends no label, a final dot does not count.
 */
static void test_origins_escapes(void)
{
	const char *names[] = {"we\"ird.test.", "sp\\032ace.test.", "a\\.b.test.", ".", "b.test."};
	origins_t *o = origins_new(names, 4), *b = origins_new(names + 4, 1);

	CU_ASSERT_FATAL(o != NULL && b != NULL);
	CU_ASSERT_EQUAL(origins_exact(o, "we\\\"ird.test."), 0);
	CU_ASSERT_EQUAL(origins_exact(o, "WE\\034IRD.test"), 0);
	CU_ASSERT_EQUAL(origins_exact(o, "sp ace.test."), 1);
	CU_ASSERT_EQUAL(origins_exact(o, "\\115p\\ ace.TEST."), 1);
	CU_ASSERT_EQUAL(origins_exact(o, "a\\046b.test"), 2);
	/* An escaped dot is an octet of the label, not its end. */
	CU_ASSERT_EQUAL(origins_exact(o, "a.b.test."), -1);
	CU_ASSERT_EQUAL(origins_find(o, "x.a\\.b.test."), 2);
	/* ... nor its step: a\.b.test.'s parent is test., never b.test. */
	CU_ASSERT_EQUAL(origins_find(b, "a\\.b.test."), -1);
	CU_ASSERT_EQUAL(origins_find(b, "a\\\\.b.test."), 0);
	CU_ASSERT_EQUAL(origins_exact(o, "."), 3);
	CU_ASSERT(origins_same("we\\\"ird.test.", "we\"ird.test."));
	CU_ASSERT(origins_same("\\065.test.", "a.test"));
	CU_ASSERT(origins_same("a\\..", "a\\."));
	CU_ASSERT(!origins_same("a\\.", "a"));
	CU_ASSERT(!origins_same("a\\.", "a."));
	CU_ASSERT(!origins_same("a..", "a."));
	CU_ASSERT(!origins_same("", "."));
	CU_ASSERT(origins_same(".", "."));
	/* \DDD above 255 is no escape of a number: the digit after the backslash stands. */
	CU_ASSERT(origins_same("\\256.test", "256.test"));
	CU_ASSERT(!origins_same("\\2.test", "\\002.test"));
	origins_free(o);
	origins_free(b);
}

void reg_cutest_policy(void)
{
	CU_pSuite s = CU_add_suite("policy", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "zload_foreach", test_zload_foreach);
	CU_add_test(s, "covered by SAN", test_covered_san);
	CU_add_test(s, "covered by *.D", test_covered_wildcard);
	CU_add_test(s, "valid SRV: suppress", test_existing_srv);
	CU_add_test(s, "uncovered SRV reported, then synthesize", test_srv_uncovered_then_synth);
	CU_add_test(s, "synthesize: SAN with N's address first", test_synth_same_address);
	CU_add_test(s, "synthesize: first SAN, operator target", test_synth_first_san_and_opts);
	CU_add_test(s, "synthesize: a SAN not spelt plainly is skipped",
		    test_synth_skips_san_not_plain);
	CU_add_test(s, "synthesize: a SAN the RDATA's syntax would change is skipped",
		    test_synth_skips_san_with_syntax);
	CU_add_test(s, "no target: keep and alert", test_no_target);
	CU_add_test(s, "AAAA decided separately", test_aaaa_separately);
	CU_add_test(s, "apex reported only", test_apex);
	CU_add_test(s, "foreign CNAME at N", test_foreign_cname);
	CU_add_test(s, "in-zone CNAME chain", test_in_zone_cname);
	CU_add_test(s, "signed zone: not applied", test_signed);
	CU_add_test(s, "N only via wildcard", test_wildcard_only);
	CU_add_test(s, "delegations: the child answers", test_delegation);
	CU_add_test(s, "two accepted domains", test_two_domains);
	CU_add_test(s, "SRV target without address", test_srv_target_without_address);
	CU_add_test(s, "SRV target whose first label is @", test_srv_target_at_label);
	CU_add_test(s, "a lookup that fails fails the evaluation", test_lookup_fails);
	CU_add_test(s, "memory out parsing a lookup's name fails the evaluation",
		    test_name_parse_fails);
	CU_add_test(s, "a zone not read: its view answers as the zone, or misses", test_views);
	CU_add_test(s, "origins: a name's zone", test_origins);
	CU_add_test(s, "origins: however written (escapes, case, final dot)", test_origins_escapes);
}
