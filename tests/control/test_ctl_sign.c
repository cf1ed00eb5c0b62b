/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl_sign.c: CUnit suite for the build's signing step: serials, reuse, bad input */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "ctl.h"
#include "cutest.h"
#include "sandns_err.h"
#include "sigtime.h"

static char dir[64], err[1024];

static void write_zone(const char *extra)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/z.zone", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$ORIGIN example.net.\n$TTL 3600\n@ IN SOA ns1 h 10 7200 3600 1209600 300\n"
		"@ IN NS ns1\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n%s",
		extra);
	fclose(f);
}

static void rm_tree(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static cfg_t *config(void)
{
	char text[512];
	cfg_t *cfg = cfg_new();

	snprintf(text, sizeof(text), "%s/state", dir);
	CU_ASSERT_EQUAL(mkdir(text, 0700), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	snprintf(text, sizeof(text),
		 "zone example.net. z.zone\nstate-dir %s/state\ndnssec example.net nsec3\n", dir);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	return cfg;
}

static int build(const cfg_t *cfg, const ctl_build_t *prev, ctl_build_t *out)
{
	static const ctl_rebuild_t all = {.zones = true};

	err[0] = '\0';
	return ctl_build(cfg, prev, &all, out, err, sizeof(err));
}

/* Signed at the first build; the same zone read again keeps its signatures and serial; a
 * change (the file's serial unchanged) signs again with a newer serial. */
static void test_serials_and_reuse(void)
{
	ctl_build_t b1, b2, b3;
	cfg_t *cfg;

	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_zone("");
	cfg = config();
	if (build(cfg, NULL, &b1) != SANDNS_EOK)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b1.zt);
	CU_ASSERT_TRUE(b1.zones[0].dnssec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b1.signed_zones[0]);
	CU_ASSERT_TRUE(zload_is_signed(b1.signed_zones[0]));
	CU_ASSERT_EQUAL(b1.zones[0].serial, 10);
	CU_ASSERT(b1.zones[0].sign_due > 0 && b1.zones[0].sign_due < b1.zones[0].sign_expire);
	CU_ASSERT_EQUAL_FATAL(build(cfg, &b1, &b2), SANDNS_EOK);
	CU_ASSERT_PTR_EQUAL(b2.signed_zones[0], b1.signed_zones[0]);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 10);
	write_zone("www IN A 192.0.2.80\n");
	CU_ASSERT_EQUAL_FATAL(build(cfg, &b2, &b3), SANDNS_EOK);
	CU_ASSERT_PTR_NOT_EQUAL(b3.signed_zones[0], b2.signed_zones[0]);
	CU_ASSERT_EQUAL(b3.zones[0].serial, 11);
	ctl_build_clear(&b1);
	ctl_build_clear(&b2);
	/* Due for renewal: signed again (a newer serial) though nothing changed. */
	b3.zones[0].sign_due = 1;
	CU_ASSERT_EQUAL_FATAL(build(cfg, &b3, &b1), SANDNS_EOK);
	CU_ASSERT_PTR_NOT_EQUAL(b1.signed_zones[0], b3.signed_zones[0]);
	CU_ASSERT_EQUAL(b1.zones[0].serial, 12);
	CU_ASSERT(b1.zones[0].sign_due > 1);
	ctl_build_clear(&b1);
	ctl_build_clear(&b3);
	cfg_free(&cfg);
	rm_tree(dir);
}

/* A zone file signed already, a broken key file: the build fails naming the zone or file. */
static void test_bad_input(void)
{
	ctl_build_t b1, b2;
	cfg_t *cfg;
	char path[512];
	struct dirent *de;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_zone("");
	cfg = config();
	if (build(cfg, NULL, &b1) != SANDNS_EOK)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b1.zt);
	write_zone("@ IN DNSKEY 257 3 13 AAAA\n");
	CU_ASSERT_EQUAL(build(cfg, &b1, &b2), SANDNS_EZONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "example.net."));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "presigned"));
	write_zone("");
	snprintf(path, sizeof(path), "%s/state/keys", dir);
	d = opendir(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".private") != NULL)
			break;
	CU_ASSERT_PTR_NOT_NULL_FATAL(de);
	snprintf(path, sizeof(path), "%s/state/keys/%s", dir, de->d_name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(build(cfg, &b1, &b2), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, de->d_name));
	closedir(d);
	ctl_build_clear(&b1);
	cfg_free(&cfg);
	rm_tree(dir);
}

/* The clock stepped back three days after signing: a change is not signed (the error names the
 * zone), the build before stands; back by half an hour (within the margin) it signs. */
static void test_clock_back(void)
{
	ctl_build_t b1, b2;
	cfg_t *cfg;

	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_zone("");
	cfg = config();
	if (build(cfg, NULL, &b1) != SANDNS_EOK)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b1.zt);
	write_zone("www IN A 192.0.2.80\n");
	sigtime_set_skew(-3 * 86400);
	CU_ASSERT_EQUAL(build(cfg, &b1, &b2), SANDNS_EZONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "zone example.net.: the clock"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "went back"));
	CU_ASSERT_PTR_NOT_NULL(b1.signed_zones[0]);
	CU_ASSERT_EQUAL(b1.zones[0].serial, 10);
	sigtime_set_skew(-1800);
	CU_ASSERT_EQUAL(build(cfg, &b1, &b2), SANDNS_EOK);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 11);
	sigtime_set_skew(0);
	ctl_build_clear(&b1);
	ctl_build_clear(&b2);
	cfg_free(&cfg);
	rm_tree(dir);
}

void reg_cutest_ctl_sign(void)
{
	CU_pSuite s = CU_add_suite("ctl_sign", NULL, NULL);

	CU_add_test(s, "serials, signatures reused, renewed", test_serials_and_reuse);
	CU_add_test(s, "presigned zone, broken key file", test_bad_input);
	CU_add_test(s, "the clock gone back: no re-sign", test_clock_back);
}
