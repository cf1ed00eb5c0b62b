/* SPDX-License-Identifier: BSD-3-Clause */
/* test_journals.c: CUnit suite for the IXFR journals a start finds of zones no longer configured
 * (control/ctl_journals.c): removed when they are ours, kept while a catalog member is unknown */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "ctl.h"
#include "ctl_pvt.h"
#include "cutest.h"
#include "ixfr.h"
#include "sandns_err.h"

static char dir[] = "/tmp/sandns-test-journals-XXXXXX";
static char state[128];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Writes TEXT into PATH. */
static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/* Zone ORIGIN's journal in the state directory (as ixfr_file.c begins one) into PATH. */
static void journal(const char *origin, char *path, size_t len)
{
	CU_ASSERT_TRUE_FATAL(ixfr_journal_path(state, origin, path, len));
	put(path, "SNSIXFR1");
}

/* STATE/NAME into PATH. */
static const char *at(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", state, name);
	return path;
}

/* The configuration TEXT (state-dir STATE added), checked. */
static cfg_t *config(const char *text)
{
	char conf[160], full[2048], err[1024];
	char *const argv[] = {"sandnsd", "--config", conf};
	cfg_t *cfg = cfg_new();

	snprintf(conf, sizeof(conf), "%s/sandns.conf", dir);
	snprintf(full, sizeof(full), "%sstate-dir %s\ncert-probe-interval 0\n", text, state);
	put(conf, full);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_args(cfg, 3, argv, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	return cfg;
}

/*
 * A start finds the journals of zones removed from the configuration while it was down: they
 * go, and a rewrite cut short; a configured or served zone's stays, and whatever is not ours (no
 * journal's header, not a regular file, a symbolic link) whatever its name.
 */
static void test_strays(void)
{
	char zone[160], text[512], mine[4096], gone[4096], served[4096], p[4096], target[160];
	ctl_zone_info_t zi = {.origin = "served.test."};
	ctl_build_t b = {.zones = &zi, .nzones = 1};
	cfg_t *cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(state, sizeof(state), "%s/state", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(state, 0700), 0);
	snprintf(zone, sizeof(zone), "%s/a.zone", dir);
	put(zone, "$TTL 300\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
	snprintf(text, sizeof(text), "zone a.test. %s\n", zone);
	cfg = config(text);
	journal("a.test.", mine, sizeof(mine));
	journal("gone.test.", gone, sizeof(gone));
	journal("served.test.", served, sizeof(served));
	put(at("notours.journal", p, sizeof(p)), "a file of someone else's");
	put(at("gone.test.journal.new", p, sizeof(p)), "SNSIX");
	CU_ASSERT_EQUAL_FATAL(mkdir(at("d.journal", p, sizeof(p)), 0700), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	put(target, "SNSIXFR1");
	CU_ASSERT_EQUAL_FATAL(symlink(target, at("l.journal", p, sizeof(p))), 0);

	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(mine, F_OK), 0);
	CU_ASSERT_EQUAL(access(served, F_OK), 0);
	CU_ASSERT_EQUAL(access(gone, F_OK), -1);
	CU_ASSERT_EQUAL(access(at("gone.test.journal.new", p, sizeof(p)), F_OK), -1);
	CU_ASSERT_EQUAL(access(at("notours.journal", p, sizeof(p)), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("d.journal", p, sizeof(p)), F_OK), 0);
	CU_ASSERT_EQUAL(access(at("l.journal", p, sizeof(p)), F_OK), 0);
	CU_ASSERT_EQUAL(access(target, F_OK), 0);
	cfg_free(&cfg);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * A state directory with a catalog/ directory and the journal of m.test. (its path into GONE),
 * and the configuration of consumer catalog cat.test. (its zone file's path into CAT).
 */
static cfg_t *with_catalog(char *cat, size_t catlen, char *gone, size_t gonelen)
{
	char text[512], p[4096];
	cfg_t *cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(strcpy(dir, "/tmp/sandns-test-journals-XXXXXX")));
	snprintf(state, sizeof(state), "%s/state", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(state, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(at("catalog", p, sizeof(p)), 0700), 0);
	snprintf(cat, catlen, "%s/cat.zone", dir);
	put(cat, "$TTL 0\n@ IN SOA invalid. invalid. 2 3600 600 2147483646 0\n@ IN NS invalid.\n"
		 "version IN TXT \"2\"\n");
	snprintf(text, sizeof(text),
		 "zone cat.test. %s\nprimary cat.test. 127.0.0.1@9\ncatalog cat.test. consumer\n",
		 cat);
	cfg = config(text);
	journal("m.test.", gone, gonelen);
	return cfg;
}

/*
 * With a consumer catalog, a member's copy that no zone configured reads (its catalog not read
 * yet, say) stops the sweep: that member's journal cannot be told from a removed zone's. Once
 * every copy is a configured zone's, the sweep runs.
 */
static void test_member_unknown(void)
{
	char cat[160], gone[4096], p[4096];
	ctl_build_t b = {0};
	cfg_t *cfg = with_catalog(cat, sizeof(cat), gone, sizeof(gone));

	put(at("catalog/m.test.zone", p, sizeof(p)), "");
	put(at("catalog/m.test.zone.label", p, sizeof(p)), "sandns-catalog-label 1 x\n");
	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(gone, F_OK), 0);
	/* Its labels and a write under way are not copies. */
	CU_ASSERT_EQUAL_FATAL(unlink(at("catalog/m.test.zone", p, sizeof(p))), 0);
	put(at("catalog/.m.test.zone.AbCdEf", p, sizeof(p)), "");
	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(gone, F_OK), -1);
	cfg_free(&cfg);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * The copies of a catalog no longer configured (its label file names it) are removed with their
 * labels, and then no longer keep the journals; a copy of a catalog still configured, and one
 * whose label names no catalog (an older sandnsd's), stay.
 */
static void test_orphans(void)
{
	char cat[160], text[512], gone[4096], p[4096], q[4096];
	ctl_build_t b = {0};
	cfg_t *cfg = with_catalog(cat, sizeof(cat), gone, sizeof(gone));

	put(at("catalog/m.test.zone", p, sizeof(p)), "");
	put(at("catalog/m.test.zone.label", q, sizeof(q)),
	    "sandns-catalog-label 2 x old-cat.test.\n");
	put(at("catalog/k.test.zone", p, sizeof(p)), "");
	put(at("catalog/k.test.zone.label", p, sizeof(p)), "sandns-catalog-label 2 y cat.test.\n");
	/* cat.test.'s member k.test. (not read yet) keeps every journal; old-cat.test.'s goes. */
	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(at("catalog/m.test.zone", p, sizeof(p)), F_OK), -1);
	CU_ASSERT_EQUAL(access(q, F_OK), -1);
	CU_ASSERT_EQUAL(access(at("catalog/k.test.zone", p, sizeof(p)), F_OK), 0);
	CU_ASSERT_EQUAL(access(gone, F_OK), 0);
	/* Its catalog's name written otherwise (case, an escape, no final dot): the same one. */
	put(at("catalog/k.test.zone.label", p, sizeof(p)),
	    "sandns-catalog-label 2 y C\\097t.TEST\n");
	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(at("catalog/k.test.zone", p, sizeof(p)), F_OK), 0);
	/* An older sandnsd's label (no catalog said): kept, and it keeps the journals. */
	put(at("catalog/k.test.zone.label", p, sizeof(p)), "sandns-catalog-label 1 y\n");
	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(at("catalog/k.test.zone", p, sizeof(p)), F_OK), 0);
	CU_ASSERT_EQUAL(access(gone, F_OK), 0);
	cfg_free(&cfg);
	/* No consumer catalog now: k.test.'s copy, labelled cat.test.'s, goes, then the journal. */
	put(at("catalog/k.test.zone.label", p, sizeof(p)), "sandns-catalog-label 2 y cat.test.\n");
	snprintf(text, sizeof(text), "zone cat.test. %s\n", cat);
	cfg = config(text);
	ctl_journals_sweep(cfg, &b);
	CU_ASSERT_EQUAL(access(at("catalog/k.test.zone", p, sizeof(p)), F_OK), -1);
	CU_ASSERT_EQUAL(access(at("catalog/k.test.zone.label", p, sizeof(p)), F_OK), -1);
	CU_ASSERT_EQUAL(access(gone, F_OK), -1);
	cfg_free(&cfg);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void reg_cutest_journals(void)
{
	CU_pSuite s = CU_add_suite("journals", NULL, NULL);

	CU_add_test(s, "a start removes the journals of zones no longer configured", test_strays);
	CU_add_test(s, "a catalog member's copy no zone reads keeps every journal",
		    test_member_unknown);
	CU_add_test(s, "the copies of a catalog no longer configured are removed", test_orphans);
}
