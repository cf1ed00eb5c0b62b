/* SPDX-License-Identifier: BSD-3-Clause */
/* test_cfg_dnssec.c: CUnit suite for the signing keys of the configuration */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"

static char err[1024];

/* TEXT read and checked; SANDNS_EOK or the error (ERR). */
static int load_check(cfg_t **cfg, const char *text)
{
	int rc;

	*cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(*cfg);
	rc = cfg_load_string(*cfg, text, "t.conf", "/etc/sandns", err, sizeof(err));
	if (rc == SANDNS_EOK)
		rc = cfg_check(*cfg, err, sizeof(err));
	return rc;
}

static void fails(const char *text, const char *want)
{
	cfg_t *cfg;

	CU_ASSERT_EQUAL(load_check(&cfg, text), SANDNS_ECONFIG);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	cfg_free(&cfg);
}

static void test_lines(void)
{
	cfg_t *cfg;
	const cfg_signing_t *s;
	char buf[256];

	CU_ASSERT_EQUAL_FATAL(
	    load_check(&cfg, "zone example.com. a.zone\nzone example.net b.zone\n"
			     "zone example.org c.zone\nstate-dir /var/lib/x\n"
			     "dnssec example.com nsec3\n"
			     "dnssec-policy split algorithm ed25519 single-type-signing no "
			     "rrsig-lifetime 3d rrsig-refresh 36h\n"
			     "dnssec-signing example.net. policy split\n"
			     "dnssec-policy even rrsig-jitter 0\n"
			     "dnssec-signing example.org. policy even\n"
			     "dnssec-policy spread rrsig-lifetime 10d rrsig-refresh 4d "
			     "rrsig-jitter 2d\n"),
	    SANDNS_EOK);
	s = cfg_signing_of(cfg, "EXAMPLE.COM.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->params.algorithm, 13);
	CU_ASSERT_TRUE(s->params.csk);
	CU_ASSERT_TRUE(s->params.nsec3);
	CU_ASSERT_EQUAL(s->params.lifetime, 14 * 86400);
	CU_ASSERT_EQUAL(s->params.refresh, 7 * 86400);
	CU_ASSERT_EQUAL(s->params.jitter, 84 * 3600);
	s = cfg_signing_of(cfg, "example.net");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->params.algorithm, 15);
	CU_ASSERT_FALSE(s->params.csk);
	CU_ASSERT_FALSE(s->params.nsec3);
	CU_ASSERT_EQUAL(s->params.lifetime, 3 * 86400);
	CU_ASSERT_EQUAL(s->params.refresh, 36 * 3600);
	/* not given: half of lifetime - refresh */
	CU_ASSERT_EQUAL(s->params.jitter, 18 * 3600);
	s = cfg_signing_of(cfg, "example.org");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->params.jitter, 0);
	CU_ASSERT_EQUAL(s->params.lifetime, 14 * 86400);
	CU_ASSERT_STRING_EQUAL(cfg_key_dir(cfg, buf, sizeof(buf)), "/var/lib/x/keys");
	cfg_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load_check(&cfg, "zone a. a.zone\ndnssec-key-dir k\n"), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(cfg_key_dir(cfg, buf, sizeof(buf)), "/etc/sandns/k");
	cfg_free(&cfg);
}

static void test_errors(void)
{
	fails("zone a. a.zone\ndnssec b. nsec\n", "t.conf:2: b. is not a served zone");
	fails("zone a. a.zone\ndnssec a. nsec5\n", "t.conf:2: dnssec: expected ORIGIN nsec|nsec3");
	fails("zone a. a.zone\ndnssec a. nsec\ndnssec-signing a.\n", "signed at t.conf:2 already");
	fails("zone a. a.zone\ndnssec-signing a. policy p\n", "no dnssec-policy p is defined");
	fails("zone a. a.zone\ndnssec-policy p algorithm rsasha256\n",
	      "algorithm rsasha256 is not supported");
	fails("zone a. a.zone\ndnssec-policy p rrsig-lifetime 1d rrsig-refresh 2d\n",
	      "must be shorter than rrsig-lifetime");
	fails("zone a. a.zone\ndnssec-policy p rrsig-lifetime 3x\n", "is not a duration");
	fails(
	    "zone a. a.zone\ndnssec-policy p rrsig-lifetime 3d rrsig-refresh 1d rrsig-jitter 2d\n",
	    "rrsig-jitter (172800s) must be at most half of rrsig-lifetime - rrsig-refresh "
	    "(86400s)");
	/* Just past half: a fresh signature would be due sooner than half that time. */
	fails("zone a. a.zone\ndnssec-policy p rrsig-lifetime 3d rrsig-refresh 1d rrsig-jitter "
	      "86401\n",
	      "rrsig-jitter (86401s) must be at most half of rrsig-lifetime - rrsig-refresh "
	      "(86400s)");
	fails("zone a. a.zone\ndnssec-policy p rrsig-jitter -1\n", "is not a duration");
	fails("zone a. a.zone\ndnssec-policy p color blue\n", "unknown setting 'color'");
	fails("zone a. a.zone\ndnssec-policy p nsec3\n", "expected NAME");
	fails("zone a. a.zone\ndnssec-policy p\ndnssec-policy p\n", "defined already at t.conf:2");
}

/* On the command line the errors name the option as given ("--dnssec", "--catalog"). */
static void test_cmdline_where(void)
{
	char *dnssec[] = {"sandnsd", "--zone", "example.com.=a.zone", "--dnssec",
			  "nozone.test. nsec"};
	char *catalog[] = {"sandnsd", "--zone", "example.com.=a.zone", "--catalog",
			   "example.com. consumer"};
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	if (cfg_load_args(cfg, 5, dnssec, err, sizeof(err)) == SANDNS_EOK)
		CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(strncmp(err, "--dnssec: ", 10), 0);
	cfg_free(&cfg);
	cfg = cfg_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	if (cfg_load_args(cfg, 5, catalog, err, sizeof(err)) == SANDNS_EOK)
		CU_ASSERT_EQUAL(cfg_check(cfg, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(strncmp(err, "--catalog: ", 11), 0);
	cfg_free(&cfg);
}

void reg_cutest_cfg_dnssec(void)
{
	CU_pSuite s = CU_add_suite("cfg_dnssec", NULL, NULL);

	CU_add_test(s, "dnssec, dnssec-signing, dnssec-policy, dnssec-key-dir", test_lines);
	CU_add_test(s, "errors name the line and what to fix", test_errors);
	CU_add_test(s, "on the command line, errors name the option", test_cmdline_where);
}
