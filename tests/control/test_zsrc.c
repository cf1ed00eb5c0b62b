/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zsrc.c: CUnit suite for zone sources (control/zsrc.c): a file source, its copies, its
 * load, and a configured zone, its build and its reload going through it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "ctl.h"
#include "cutest.h"
#include "sandns_err.h"
#include "zsrc.h"

static char dir[] = "/tmp/sandns-test-zsrc-XXXXXX";
static bool dir_made;
static char zpath[512];

static void write_zone(unsigned serial)
{
	FILE *f = fopen(zpath, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$TTL 300\n"
		"@ IN SOA ns1.example.org. host.example.org. %u 3600 900 604800 300\n"
		"@ IN NS ns1.example.org.\n"
		"ns1 IN A 192.0.2.1\n",
		serial);
	fclose(f);
}

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	snprintf(zpath, sizeof(zpath), "%s/example.org.zone", dir);
	return 0;
}

static int suite_cleanup(void)
{
	if (!dir_made)
		return 0;
	unlink(zpath);
	return rmdir(dir);
}

static void test_file(void)
{
	zsrc_t a, b = {0}, c;
	zload_zone_t *z;
	char err[1024] = "";

	write_zone(41);
	CU_ASSERT_EQUAL_FATAL(zsrc_file(&a, zpath), SANDNS_EOK);
	CU_ASSERT_EQUAL(a.kind, ZSRC_FILE);
	CU_ASSERT_STRING_EQUAL(zsrc_kind_name(&a), "file");
	CU_ASSERT_STRING_EQUAL(zsrc_where(&a), zpath);
	CU_ASSERT_STRING_EQUAL(zsrc_file_path(&a), zpath);
	/* A copy is its own: the same source, another string. */
	CU_ASSERT_EQUAL_FATAL(zsrc_copy(&b, &a), SANDNS_EOK);
	CU_ASSERT(zsrc_same(&a, &b));
	CU_ASSERT(a.path != b.path);
	CU_ASSERT_EQUAL_FATAL(zsrc_file(&c, "/elsewhere/example.org.zone"), SANDNS_EOK);
	CU_ASSERT(!zsrc_same(&a, &c));
	zsrc_clear(&c);

	z = zsrc_load(&b, "example.org.", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_serial(z), 41);
	CU_ASSERT_EQUAL(zload_rr_count(z), 3);
	zload_free(&z);
	zsrc_clear(&a);
	CU_ASSERT_PTR_NULL(a.path);
	zsrc_clear(&a); /* twice is fine */
	zsrc_clear(&b);
}

static void test_file_errors(void)
{
	zsrc_t s;
	char err[1024] = "", missing[600];

	/* A file that is not there: zload's reason, naming the file. */
	snprintf(missing, sizeof(missing), "%s/none.zone", dir);
	CU_ASSERT_EQUAL_FATAL(zsrc_file(&s, missing), SANDNS_EOK);
	CU_ASSERT_PTR_NULL(zsrc_load(&s, "example.org.", NULL, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
	zsrc_clear(&s);
}

static void test_cfg_build(void)
{
	char conf[1024], err[1024] = "";
	ctl_rebuild_t one = {.zones = true, .zone = "example.org"};
	ctl_build_t b = {0}, c = {0};
	cfg_t *cfg = cfg_new();

	/* `zone ORIGIN FILE` fills a file source; the build keeps a copy of it per zone. */
	write_zone(7);
	snprintf(conf, sizeof(conf), "zone example.org. %s\n", zpath);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, conf, "test", NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg->zones[0].src.kind, ZSRC_FILE);
	CU_ASSERT_STRING_EQUAL(zsrc_file_path(&cfg->zones[0].src), zpath);
	CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT(zsrc_same(&b.zones[0].src, &cfg->zones[0].src));
	CU_ASSERT(b.zones[0].src.path != cfg->zones[0].src.path);
	CU_ASSERT_EQUAL(b.zones[0].src_serial, 7);

	/* A reload by zone name reads that zone's source again. */
	write_zone(8);
	CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, &b, &one, &c, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(c.zones[0].src_serial, 8);
	CU_ASSERT(zsrc_same(&c.zones[0].src, &cfg->zones[0].src));
	ctl_build_clear(&c);
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

void reg_cutest_zsrc(void)
{
	CU_pSuite s = CU_add_suite("zsrc", suite_init, suite_cleanup);

	CU_add_test(s, "file: kind, where, copy, same, load", test_file);
	CU_add_test(s, "file: not there", test_file_errors);
	CU_add_test(s, "cfg and build: zone ORIGIN FILE, reload by name", test_cfg_build);
}
