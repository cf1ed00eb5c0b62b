/* SPDX-License-Identifier: BSD-3-Clause */
/* test_xfrin_prep.c: CUnit suite: a reconfiguration's memory taken ahead, refused whole */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cfg.h"
#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "xfrin.h"

static char dir[] = "/tmp/sandns-test-xfrprep-XXXXXX";
static bool dir_made;

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	return 0;
}

static int suite_cleanup(void)
{
	return dir_made ? rmdir(dir) : 0;
}

/* A configuration of TEXT, checked (the zones' copies in DIR, absent). */
static cfg_t *load(const char *text)
{
	char err[1024];
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	return cfg;
}

/* A NOTIFY for sec.test. from 127.0.0.1 to X; whether it was taken. */
static bool notify(xfrin_t *x)
{
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(5353)};
	uint8_t q[512];
	size_t n = tu_query(q, 7, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);

	inet_pton(AF_INET, "127.0.0.1", &from.sin_addr);
	return xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, NULL);
}

/*
 * Without memory for a configuration's switch, xfrin_prepare() refuses it and changes nothing:
 * the zones, their state and the serving threads' table stay those of the configuration
 * followed. A prepare for one configuration is replaced by one for another; a reconfiguration to
 * a configuration not prepared takes its memory itself; one prepared and never used goes with
 * the transfer state (the ASan build's leak check).
 */
static void test_prepare(void)
{
	static const char sec[] = "zone sec.test. sec.test.zone\nprimary sec.test. 127.0.0.1@9\n"
				  "allow-notify 127.0.0.0/8\n";
	static const char sec2[] = "zone sec2.test. sec2.test.zone\n"
				   "primary sec2.test. 127.0.0.1@9\n";
	char err[1024], text[1024];
	cfg_t *cfg = load(sec), *huge = cfg_new(), *next, *other;
	xfrin_zstate_t st;
	xfrin_t *x = xfrin_new(cfg, err, sizeof(err));

	snprintf(text, sizeof(text), "%s%s", sec, sec2);
	next = load(text);
	other = load(sec2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	CU_ASSERT_TRUE(notify(x));
	/* More zones than the transfer state indexes: refused, as memory not given would be. */
	huge->nzones = (size_t)UINT32_MAX / 2 + 1;
	err[0] = '\0';
	CU_ASSERT_EQUAL(xfrin_prepare(x, huge, err, sizeof(err)), -ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of memory"));
	huge->nzones = 0;
	CU_ASSERT_TRUE(notify(x)); /* the table the serving threads read */
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.notifies, 2);
	CU_ASSERT_FALSE(xfrin_zone_state(x, 1, &st));
	/* Prepared for NEXT, then for OTHER instead; the switch to NEXT takes its own. */
	CU_ASSERT_EQUAL(xfrin_prepare(x, next, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(xfrin_prepare(x, other, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(xfrin_reconfigure(x, next, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.notifies, 2); /* carried over */
	CU_ASSERT_TRUE(xfrin_zone_state(x, 1, &st));
	/* Prepared and used. */
	CU_ASSERT_EQUAL(xfrin_prepare(x, other, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(xfrin_reconfigure(x, other, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_FALSE(xfrin_zone_state(x, 1, &st));
	CU_ASSERT_FALSE(notify(x)); /* sec.test. is no longer a secondary zone */
	/* Prepared, never used, and given back by xfrin_free(). */
	CU_ASSERT_EQUAL(xfrin_prepare(x, next, err, sizeof(err)), SANDNS_EOK);
	xfrin_free(&x);
	cfg_free(&other);
	cfg_free(&next);
	cfg_free(&huge);
	cfg_free(&cfg);
}

void reg_cutest_xfrin_prep(void)
{
	CU_pSuite s = CU_add_suite("xfrin_prep", suite_init, suite_cleanup);

	CU_add_test(s, "a reconfiguration's memory taken ahead, refused whole", test_prepare);
}
