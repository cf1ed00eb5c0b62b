/* SPDX-License-Identifier: BSD-3-Clause */
/* test_catz_label.c: CUnit suite for the label a catalog member's copy was made under
 * (control/catz_label.c): its file parsed, written and read back, and a start that finds a
 * member's copy made under another label than its catalog gives resetting it (ctl_catz.c) */
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "catz.h"
#include "cfg.h"
#include "ctl.h"
#include "ctl_pvt.h"
#include "cutest.h"
#include "sandns_err.h"
#include "zload.h"

/* catz_label_parse of the string TEXT into LABEL (LEN bytes). */
static int parse(const char *text, char *label, size_t len)
{
	return catz_label_parse(text, strlen(text), label, len, NULL, 0);
}

static void test_parse(void)
{
	char label[CATZ_LABEL_MAX], small[4];

	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 first1\n", label, sizeof(label)), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(label, "first1");
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 a\\032b\\.c\n", label, sizeof(label)),
			SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(label, "a\\032b\\.c");
	/* Anything but the one whole line is damaged: the copy is not trusted. */
	CU_ASSERT_EQUAL(parse("", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 first1", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 \n", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 2 first1\n", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 a b\n", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 a\n\n", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 a\nb\n", label, sizeof(label)), -EINVAL);
	CU_ASSERT_EQUAL(
	    catz_label_parse("sandns-catalog-label 1 a\0b\n", 26, label, sizeof(label), NULL, 0),
	    -EINVAL);
	/* The catalog that has the member, after the label (an older line says none). */
	{
		char owner[CATZ_OWNER_MAX], o2[4];

		CU_ASSERT_EQUAL(catz_label_parse("sandns-catalog-label 2 l1 cat.test.\n",
						 strlen("sandns-catalog-label 2 l1 cat.test.\n"),
						 label, sizeof(label), owner, sizeof(owner)),
				SANDNS_EOK);
		CU_ASSERT_STRING_EQUAL(label, "l1");
		CU_ASSERT_STRING_EQUAL(owner, "cat.test.");
		CU_ASSERT_EQUAL(catz_label_parse("sandns-catalog-label 1 l1\n",
						 strlen("sandns-catalog-label 1 l1\n"), label,
						 sizeof(label), owner, sizeof(owner)),
				SANDNS_EOK);
		CU_ASSERT_STRING_EQUAL(owner, "");
		CU_ASSERT_EQUAL(
		    parse("sandns-catalog-label 2 l1 cat.test.\n", label, sizeof(label)),
		    SANDNS_EOK);
		CU_ASSERT_EQUAL(parse("sandns-catalog-label 2 l1 \n", label, sizeof(label)),
				-EINVAL);
		CU_ASSERT_EQUAL(parse("sandns-catalog-label 2  c.\n", label, sizeof(label)),
				-EINVAL);
		CU_ASSERT_EQUAL(parse("sandns-catalog-label 2 l1 a b\n", label, sizeof(label)),
				-EINVAL);
		CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 l1 a\n", label, sizeof(label)),
				-EINVAL);
		CU_ASSERT_EQUAL(catz_label_parse("sandns-catalog-label 2 l1 cat.\n",
						 strlen("sandns-catalog-label 2 l1 cat.\n"), label,
						 sizeof(label), o2, sizeof(o2)),
				-EINVAL);
	}
	/* A label longer than the room for it. */
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 abcd\n", small, sizeof(small)), -EINVAL);
	CU_ASSERT_EQUAL(parse("sandns-catalog-label 1 abc\n", small, sizeof(small)), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(small, "abc");
}

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

static void test_write_read(void)
{
	char dir[] = "/tmp/sandns-test-catzlabel-XXXXXX", copy[128], file[160], err[512];
	char label[CATZ_LABEL_MAX], text[512] = "", why[1024], aside[256], want[256];
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/m.test.zone", dir);
	snprintf(file, sizeof(file), "%s.label", copy);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)),
			0); /* none recorded */
	CU_ASSERT_EQUAL(catz_label_write(copy, "l1", NULL, err, sizeof(err)), SANDNS_EOK);
	f = fopen(file, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fread(text, 1, sizeof(text) - 1, f), strlen("sandns-catalog-label 1 l1\n"));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "sandns-catalog-label 1 l1\n");
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 1);
	CU_ASSERT_STRING_EQUAL(label, "l1");
	/* With its catalog: the line names it, read back; a name with a space is not said. */
	{
		char owner[CATZ_OWNER_MAX];

		CU_ASSERT_EQUAL(catz_label_write(copy, "l2", "Cat.test.", err, sizeof(err)),
				SANDNS_EOK);
		CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), owner, sizeof(owner),
						why, sizeof(why)),
				1);
		CU_ASSERT_STRING_EQUAL(label, "l2");
		CU_ASSERT_STRING_EQUAL(owner, "Cat.test.");
		CU_ASSERT_EQUAL(catz_label_write(copy, "l3", "a b.", err, sizeof(err)), SANDNS_EOK);
		CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), owner, sizeof(owner),
						why, sizeof(why)),
				1);
		CU_ASSERT_STRING_EQUAL(label, "l3");
		CU_ASSERT_STRING_EQUAL(owner, "");
	}
	/* Replaced whole. */
	CU_ASSERT_EQUAL(catz_label_write(copy, "second", NULL, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 1);
	CU_ASSERT_STRING_EQUAL(label, "second");
	/* A label no catalog gives is not written. */
	CU_ASSERT_EQUAL(catz_label_write(copy, "a b", NULL, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(catz_label_write(copy, "", NULL, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 1);
	CU_ASSERT_STRING_EQUAL(label, "second");
	/* Damaged (cut short by a crash without its sync, say). */
	put(file, "sandns-catalog-label 1 sec");
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)),
			-EINVAL);
	/* The log says which file and why, not an errno's text. */
	CU_ASSERT_PTR_NOT_NULL(strstr(why, file));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "damaged"));
	/* Over the bound (a sparse file says its size): not read, and said so. */
	CU_ASSERT_EQUAL_FATAL(truncate(file, 1 << 30), 0);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)),
			-EFBIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, file));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "1073741824 bytes, more than"));
	/* A FIFO: never waited on (rfile.c), its kind said. */
	CU_ASSERT_EQUAL_FATAL(unlink(file), 0);
	CU_ASSERT_EQUAL_FATAL(mkfifo(file, 0600), 0);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)),
			-EISDIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, file));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a regular file (a fifo)"));
	/* Moved aside, never removed; a second obstacle beside the first, neither replaced. */
	CU_ASSERT_EQUAL(catz_label_aside(copy, aside, sizeof(aside), err, sizeof(err)), SANDNS_EOK);
	snprintf(want, sizeof(want), "%s.moved-aside", file);
	CU_ASSERT_STRING_EQUAL(aside, want);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(file, 0700), 0);
	snprintf(text, sizeof(text), "%s/kept", file);
	put(text, "x");
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)),
			-EISDIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a regular file (a directory)"));
	CU_ASSERT_EQUAL(catz_label_aside(copy, aside, sizeof(aside), err, sizeof(err)), SANDNS_EOK);
	snprintf(want, sizeof(want), "%s.moved-aside.2", file);
	CU_ASSERT_STRING_EQUAL(aside, want);
	snprintf(text, sizeof(text), "%s/kept", want);
	CU_ASSERT_EQUAL(access(text, F_OK), 0);
	CU_ASSERT_EQUAL(catz_label_write(copy, "l3", NULL, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 1);
	/* A label file is never moved. */
	CU_ASSERT_EQUAL(catz_label_aside(copy, aside, sizeof(aside), err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 1);
	catz_label_forget(copy);
	CU_ASSERT_EQUAL(access(file, F_OK), -1);
	CU_ASSERT_EQUAL(catz_label_read(copy, label, sizeof(label), NULL, 0, why, sizeof(why)), 0);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Member NAME's copy, serial 10, in DIR/catalog (as a run before left it), its label LABEL
 * recorded (NULL: none, as an older sandnsd left it). */
static void old_copy(const char *dir, const char *name, const char *label)
{
	char path[256], text[256], err[512];

	snprintf(path, sizeof(path), "%s/catalog/%szone", dir, name);
	snprintf(text, sizeof(text),
		 "$ORIGIN %s\n$TTL 300\n@ IN SOA ns1 hostmaster 10 2 2 86400 60\n@ IN NS ns1\n"
		 "ns1 IN A 192.0.2.1\n",
		 name);
	put(path, text);
	if (label != NULL)
		CU_ASSERT_EQUAL_FATAL(catz_label_write(path, label, NULL, err, sizeof(err)),
				      SANDNS_EOK);
}

/* Whether member NAME's copy is in DIR/catalog, and the label recorded for it, into LABEL. */
static bool copy_there(const char *dir, const char *name, char *label, size_t len)
{
	char path[256];

	char why[1024];

	snprintf(path, sizeof(path), "%s/catalog/%szone", dir, name);
	if (catz_label_read(path, label, len, NULL, 0, why, sizeof(why)) != 1)
		snprintf(label, len, "(none)");
	return access(path, F_OK) == 0;
}

/*
 * A start whose catalog, as first read, lists a member under another label than its copy was
 * made under (the label changed while sandnsd was stopped, or its apply failed before): the copy
 * is removed, the new label recorded. A copy made under the same label stays, and one with none
 * recorded (an older sandnsd's) too, its label recorded then.
 */
static void test_start_relabeled(void)
{
	char dir[] = "/tmp/sandns-test-catzlabel-XXXXXX", cat[128], conf[128], sub[160];
	char err[1024], label[CATZ_LABEL_MAX], text[512];
	ctl_build_t b;
	ctl_t *ctl;
	cfg_t *cfg;
	sigset_t old;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(cat, sizeof(cat), "%s/cat.zone", dir);
	snprintf(conf, sizeof(conf), "%s/sandns.conf", dir);
	snprintf(sub, sizeof(sub), "%s/catalog", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	put(cat, "$TTL 0\n@ IN SOA invalid. invalid. 2 3600 600 2147483646 0\n@ IN NS invalid.\n"
		 "version IN TXT \"2\"\nnew1.zones IN PTR m1.test.\nsame2.zones IN PTR m2.test.\n"
		 "old3.zones IN PTR m3.test.\ndir4.zones IN PTR m4.test.\n");
	old_copy(dir, "m1.test.", "old1");
	old_copy(dir, "m2.test.", "same2");
	old_copy(dir, "m3.test.", NULL);
	/* A directory where m4's label goes: no label can be written there, and its copy made
	 * while it was there has none recorded. */
	old_copy(dir, "m4.test.", NULL);
	snprintf(text, sizeof(text), "%s/catalog/m4.test.zone.label", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(text, 0700), 0);
	snprintf(text, sizeof(text), "%s/catalog/m4.test.zone.label/kept", dir);
	put(text, "x");
	snprintf(text, sizeof(text),
		 "zone cat.test. %s\nprimary cat.test. 127.0.0.1@9\ncatalog cat.test. consumer\n"
		 "state-dir %s\ncert-probe-interval 0\n",
		 cat, dir);
	put(conf, text);
	{
		char *const argv[] = {"sandnsd", "--config", conf};

		cfg = cfg_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		CU_ASSERT_EQUAL_FATAL(cfg_load_args(cfg, 3, argv, err, sizeof(err)), SANDNS_EOK);
		CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
		/* ctl_new blocks SIGINT, SIGTERM and SIGHUP for its signalfd: not in the runner. */
		pthread_sigmask(SIG_SETMASK, NULL, &old);
		ctl = ctl_new(cfg, NULL, err, sizeof(err));
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ctl);
		CU_ASSERT_EQUAL_FATAL(ctl_set_args(ctl, 3, argv), SANDNS_EOK);
	}
	CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(ctl_publish(ctl, &b, err, sizeof(err)), SANDNS_EOK);
	/* The primary is never asked: the transfer thread is not started. */
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m1.test.") >= 0);
	CU_ASSERT_FALSE(copy_there(dir, "m1.test.", label, sizeof(label)));
	CU_ASSERT_STRING_EQUAL(label, "new1");
	CU_ASSERT_TRUE(copy_there(dir, "m2.test.", label, sizeof(label)));
	CU_ASSERT_STRING_EQUAL(label, "same2");
	CU_ASSERT_TRUE(copy_there(dir, "m3.test.", label, sizeof(label)));
	CU_ASSERT_STRING_EQUAL(label, "old3");
	/* The directory moved aside, whole; the copy kept and its label recorded, so that the next
	 * start keeps it too. */
	CU_ASSERT_TRUE(copy_there(dir, "m4.test.", label, sizeof(label)));
	CU_ASSERT_STRING_EQUAL(label, "dir4");
	snprintf(text, sizeof(text), "%s/catalog/m4.test.zone.label.moved-aside/kept", dir);
	CU_ASSERT_EQUAL(access(text, F_OK), 0);
	/* Removed from its catalog: its copy goes, its label after it. */
	put(cat, "$TTL 0\n@ IN SOA invalid. invalid. 3 3600 600 2147483646 0\n@ IN NS invalid.\n"
		 "version IN TXT \"2\"\nnew1.zones IN PTR m1.test.\nold3.zones IN PTR m3.test.\n"
		 "dir4.zones IN PTR m4.test.\n");
	{
		/* As the transfer thread hands the catalog's new version over. */
		zload_zone_t *given[8] = {NULL};
		long i = cfg_zone_find(ctl->cfg, "cat.test.");

		CU_ASSERT_FATAL(i >= 0 && ctl->cfg->nzones <= 8);
		given[i] = zload_file("cat.test.", cat, NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(given[i]);
		CU_ASSERT_EQUAL_FATAL(
		    ctl_reload(ctl,
			       &(ctl_rebuild_t){.zones = true, .zone = "cat.test.", .given = given},
			       err, sizeof(err)),
		    SANDNS_EOK);
		zload_free(&given[i]);
	}
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") < 0);
	CU_ASSERT_FALSE(copy_there(dir, "m2.test.", label, sizeof(label)));
	CU_ASSERT_STRING_EQUAL(label, "(none)");

	ctl_free(&ctl);
	cfg_free(&cfg);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void reg_cutest_catz_label(void)
{
	CU_pSuite s = CU_add_suite("catz_label", NULL, NULL);

	CU_add_test(s, "label file: the one line, else damaged", test_parse);
	CU_add_test(s, "label file: written whole, read back, removed", test_write_read);
	CU_add_test(s, "a start resets a member whose copy was made under another label",
		    test_start_relabeled);
}
