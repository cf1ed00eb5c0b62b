/* SPDX-License-Identifier: BSD-3-Clause */
/* test_catz.c: CUnit suite for catalog zones (control/catz.c, cfg_cat.c): the member list read
 * from a catalog (version, duplicates, bad PTRs), the members' file names, the catalog key, and a
 * configuration read again keeping what needs a restart (cfg_reload.c) */
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "catz.h"
#include "cfg.h"
#include "clock.h"
#include "ctl.h"
#include "ctl_pvt.h"
#include "cutest.h"
#include "sandns_err.h"
#include "zload.h"

#define HEAD                                                                                       \
	"$TTL 0\n"                                                                                 \
	"@ IN SOA invalid. invalid. 1 3600 600 2147483646 0\n"                                     \
	"@ IN NS invalid.\n"

/* The members of catalog text TEXT (origin cat.test.) into OUT; catz_parse's return. */
static int parse(const char *text, catz_t *out, char *err, size_t errlen)
{
	char lerr[512];
	zload_zone_t *z =
	    zload_string("cat.test.", text, "cat.zone", NULL, NULL, lerr, sizeof(lerr));
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	rc = catz_parse(z, CATZ_MAX_MEMBERS_DEFAULT, out, err, errlen);
	zload_free(&z);
	return rc;
}

/* Whether one of C's refusal reasons holds WHAT. */
static bool refused(const catz_t *c, const char *what)
{
	for (size_t i = 0; i < c->nrefused; i++)
		if (strstr(c->refused[i], what) != NULL)
			return true;
	return false;
}

static void test_members(void)
{
	char err[512];
	catz_t c;

	CU_ASSERT_EQUAL_FATAL(parse(HEAD "version IN TXT \"2\"\n"
					 "a1.zones IN PTR Example.COM.\n"
					 "group.a1.zones IN TXT \"blue\"\n"
					 "b2.zones IN PTR example.net.\n"
					 "coo.b2.zones IN PTR other.cat.\n"
					 "elsewhere IN PTR not-a-member.test.\n",
				    &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(c.nmembers, 2);
	CU_ASSERT_STRING_EQUAL(c.members[0].name, "example.com.");
	CU_ASSERT_STRING_EQUAL(c.members[0].label, "a1");
	CU_ASSERT_STRING_EQUAL(c.members[1].name, "example.net.");
	CU_ASSERT_PTR_NULL(c.members[0].coo);
	CU_ASSERT_STRING_EQUAL(c.members[1].coo, "other.cat."); /* handed over */
	CU_ASSERT_EQUAL(c.nrefused, 0);
	CU_ASSERT(catz_has(&c, "EXAMPLE.com"));
	CU_ASSERT(catz_has(&c, "example.net."));
	CU_ASSERT(!catz_has(&c, "not-a-member.test."));
	CU_ASSERT(!catz_has(&c, "other.cat."));
	catz_clear(&c);

	/* Owners in any case (RFC 4343): the same catalog; the label kept in lower case, so that
	 * a producer writing it in another case later does not reset the member (RFC 9432 5.5). */
	CU_ASSERT_EQUAL_FATAL(parse(HEAD "VERSION IN TXT \"2\"\n"
					 "A1.Zones IN PTR example.com.\n"
					 "b2.ZONES.CAT.TEST. IN PTR example.net.\n",
				    &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(c.nmembers, 2);
	CU_ASSERT_STRING_EQUAL(c.members[0].label, "a1");
	CU_ASSERT_STRING_EQUAL(c.members[1].label, "b2");
	catz_clear(&c);

	/* An empty catalog is a catalog: no member. */
	CU_ASSERT_EQUAL(parse(HEAD "version IN TXT \"2\"\n", &c, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(c.nmembers, 0);
	catz_clear(&c);
}

/* coo properties: one PTR each, on a member's label; two make the catalog broken (RFC 9432
 * 4.4.1); one on no member's label, or naming the catalog itself, hands nothing over. */
static void test_coo(void)
{
	char err[512];
	catz_t c;

	CU_ASSERT_EQUAL_FATAL(parse(HEAD "version IN TXT \"2\"\n"
					 "a1.zones IN PTR example.com.\n"
					 "coo.a1.zones IN PTR New.Cat.\n"
					 "b2.zones IN PTR example.net.\n"
					 "coo.b2.zones IN PTR cat.test.\n"
					 "coo.c3.zones IN PTR new.cat.\n"
					 "x.coo.a1.zones IN PTR elsewhere.cat.\n",
				    &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(c.nmembers, 2);
	CU_ASSERT_STRING_EQUAL(c.members[0].coo, "new.cat.");
	CU_ASSERT_PTR_NULL(c.members[1].coo); /* the catalog itself */
	catz_clear(&c);

	err[0] = '\0';
	CU_ASSERT_EQUAL(parse(HEAD "version IN TXT \"2\"\n"
				   "a1.zones IN PTR example.com.\n"
				   "coo.a1.zones IN PTR one.cat.\n"
				   "coo.a1.zones IN PTR two.cat.\n",
			      &c, err, sizeof(err)),
			SANDNS_EZONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "coo.a1.zones.cat.test. has 2 PTR records"));
	CU_ASSERT_EQUAL(c.nmembers, 0);
}

static void test_version(void)
{
	char err[512] = "";
	catz_t c;

	CU_ASSERT_EQUAL(parse(HEAD "a.zones IN PTR example.com.\n", &c, err, sizeof(err)),
			SANDNS_EZONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no version.cat.test. TXT"));
	CU_ASSERT_EQUAL(c.nmembers, 0);
	CU_ASSERT_EQUAL(
	    parse(HEAD "version IN TXT \"1\"\na.zones IN PTR example.com.\n", &c, err, sizeof(err)),
	    SANDNS_EZONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "version \"1\" is not supported"));
	CU_ASSERT_EQUAL(
	    parse(HEAD "version IN TXT \"2\"\nversion IN TXT \"1\"\n", &c, err, sizeof(err)),
	    SANDNS_EZONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "2 version TXT records"));
}

static void test_duplicates(void)
{
	char err[512];
	catz_t c;

	/* The same member under two labels: left out whole, the others stay. */
	CU_ASSERT_EQUAL_FATAL(parse(HEAD "version IN TXT \"2\"\n"
					 "a.zones IN PTR twice.test.\n"
					 "b.zones IN PTR ok.test.\n"
					 "c.zones IN PTR TWICE.test.\n",
				    &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(c.nmembers, 1);
	CU_ASSERT_STRING_EQUAL(c.members[0].name, "ok.test.");
	CU_ASSERT_EQUAL(c.nrefused, 1);
	CU_ASSERT(refused(&c, "twice.test.: listed twice"));
	CU_ASSERT(!catz_has(&c, "twice.test."));
	catz_clear(&c);
}

static void test_bad_ptr(void)
{
	char err[512];
	catz_t c;

	/* Two PTRs under one label (RFC 9432 4.1: exactly one), the catalog naming itself. */
	CU_ASSERT_EQUAL_FATAL(parse(HEAD "version IN TXT \"2\"\n"
					 "x.zones IN PTR one.test.\n"
					 "x.zones IN PTR two.test.\n"
					 "y.zones IN PTR cat.test.\n"
					 "z.zones IN PTR good.test.\n",
				    &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(c.nmembers, 1);
	CU_ASSERT_STRING_EQUAL(c.members[0].name, "good.test.");
	CU_ASSERT(refused(&c, "several PTR records"));
	CU_ASSERT(refused(&c, "cannot list itself"));
	CU_ASSERT(!catz_has(&c, "one.test."));
	CU_ASSERT(!catz_has(&c, "two.test."));
	catz_clear(&c);
}

static void test_file_name(void)
{
	char buf[256], longname[300];
	size_t n = 0;

	catz_file_name("Example.COM.", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "example.com.zone");
	catz_file_name("example.com", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "example.com.zone");
	catz_file_name("a/b.example.", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "a%2Fb.example.zone");
	catz_file_name("100%.example.", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "100%25.example.zone");
	catz_file_name(".", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "@root.zone");
	catz_file_name("..", buf, sizeof(buf));
	CU_ASSERT_PTR_NULL(strchr(buf, '/'));
	CU_ASSERT(strcmp(buf, "..") != 0 && strcmp(buf, ".") != 0);
	/* Long: cut, with a hash that tells two long names apart. */
	/* Four labels of 62 octets: 252 characters and "test." */
	while (n < 4 * 63) {
		memset(longname + n, 'a' + (char)(n / 63), 62);
		longname[n + 62] = '.';
		n += 63;
	}
	memcpy(longname + n, "test.", 6);
	catz_file_name(longname, buf, sizeof(buf));
	CU_ASSERT(strlen(buf) <= 210);
	CU_ASSERT_PTR_NOT_NULL(strchr(buf, '~'));
	{
		char other[256];

		longname[0] = 'z';
		catz_file_name(longname, other, sizeof(other));
		CU_ASSERT(strcmp(buf, other) != 0);
	}
}

static cfg_t *cfg_of(const char *text, int *rc, char *err, size_t errlen)
{
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	*rc = cfg_load_string(cfg, text, "t.conf", "/etc/sandns", err, errlen);
	if (*rc == SANDNS_EOK)
		*rc = cfg_check(cfg, err, errlen);
	return cfg;
}

static void test_cfg_catalog(void)
{
	char err[512];
	const cfg_primary_t *p[4];
	cfg_t *cfg;
	int rc;

	cfg = cfg_of("key k1 hmac-sha256 MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=\n"
		     "zone cat.test. cat.zone\n"
		     "primary cat.test. 192.0.2.1@5300 key k1\n"
		     "primary cat.test. 192.0.2.2\n"
		     "catalog cat.test. consumer\n",
		     &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->ncatalogs, 1);
	CU_ASSERT(!cfg->catalogs[0].producer);
	CU_ASSERT_PTR_NOT_NULL(cfg_catalog_find(cfg, "CAT.test"));
	cfg_free(&cfg);

	/* A member: a secondary zone of the catalog's primaries, with their keys, once checked. */
	cfg = cfg_new();
	CU_ASSERT_EQUAL_FATAL(
	    cfg_load_string(cfg,
			    "key k1 hmac-sha256 MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=\n"
			    "zone cat.test. cat.zone\n"
			    "primary cat.test. 192.0.2.1@5300 key k1\n"
			    "primary cat.test. 192.0.2.2\n"
			    "catalog cat.test. consumer\n",
			    "t.conf", "/etc/sandns", err, sizeof(err)),
	    SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_add_member(cfg, "m.test.", "/var/lib/sandns/catalog/m.test.zone",
					     "cat.test.", "u1", NULL),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg->nzones, 2);
	CU_ASSERT_STRING_EQUAL(cfg->zones[1].catalog, "cat.test.");
	CU_ASSERT_EQUAL(cfg->zones[1].src.kind, ZSRC_PRIMARY);
	CU_ASSERT_EQUAL_FATAL(cfg_zone_primaries(cfg, 1, p, 4), 2);
	CU_ASSERT_STRING_EQUAL(p[0]->addr.text, "192.0.2.1@5300");
	CU_ASSERT_PTR_NOT_NULL(p[0]->tkey);
	CU_ASSERT_PTR_NULL(p[1]->tkey);
	cfg_free(&cfg);

	/* What is refused, naming the line. */
	cfg =
	    cfg_of("zone cat.test. cat.zone\ncatalog cat.test. consumer\n", &rc, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:2: catalog cat.test. consumer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be a secondary zone"));
	cfg_free(&cfg);
	cfg = cfg_of("zone a.test. a.zone\ncatalog cat.test. consumer\n", &rc, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no zone cat.test. is configured"));
	cfg_free(&cfg);
	cfg = cfg_of("zone a.test. a.zone\ncatalog a.test. maybe\n", &rc, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected ORIGIN consumer [max-members N]"));
	cfg_free(&cfg);

	/* max-members: a consumer's bound, 10000 unless said; a number of 1 to 1000000. */
	cfg = cfg_of("zone cat.test. cat.zone\nprimary cat.test. 192.0.2.1\n"
		     "catalog cat.test. consumer max-members 3\n",
		     &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->catalogs[0].max_members, 3);
	cfg_free(&cfg);
	cfg = cfg_of("zone cat.test. cat.zone\nprimary cat.test. 192.0.2.1\n"
		     "catalog cat.test. consumer\n",
		     &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->catalogs[0].max_members, CATZ_MAX_MEMBERS_DEFAULT);
	cfg_free(&cfg);
	{
		static const char *const bad[] = {
		    "catalog cat.test. consumer max-members 0\n",
		    "catalog cat.test. consumer max-members 1000001\n",
		    "catalog cat.test. consumer max-members -1\n",
		    "catalog cat.test. consumer max-members 12x\n",
		    "catalog cat.test. consumer max-zones 12\n",
		    "catalog cat.test. producer max-members 12\n",
		    "catalog cat.test. consumer max-members\n"};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char text[256];

			snprintf(text, sizeof(text),
				 "zone cat.test. cat.zone\nprimary cat.test. 192.0.2.1\n%s",
				 bad[i]);
			cfg = cfg_of(text, &rc, err, sizeof(err));
			CU_ASSERT_EQUAL(rc, SANDNS_ECONFIG);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:3: catalog"));
			cfg_free(&cfg);
		}
	}
}

/* A catalog's text of N members m<i>.test. under labels l<i>, then EXTRA. */
static char *big_catalog(size_t n, const char *extra)
{
	size_t cap = 256 + n * 48 + strlen(extra), o;
	char *t = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	o = (size_t)snprintf(t, cap, "%s", HEAD "version IN TXT \"2\"\n");
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o, "l%zu.zones IN PTR m%zu.test.\n", i, i);
	snprintf(t + o, cap - o, "%s", extra);
	return t;
}

/*
 * What a primary can make us hold is bounded: members past max-members are left out (the first
 * ones, in record order, kept) and counted; past CATZ_REASONS_MAX reasons, refusals are only
 * counted; and 20,000 PTRs are sorted out at once (n log n: n squared string comparisons would
 * take minutes at a million).
 */
static void test_bounds(void)
{
	char err[512], lerr[512];
	catz_t c;
	char *text = big_catalog(20000, "");
	zload_zone_t *z =
	    zload_string("cat.test.", text, "cat.zone", NULL, NULL, lerr, sizeof(lerr));

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL_FATAL(catz_parse(z, 5, &c, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(c.nmembers, 5);
	CU_ASSERT_EQUAL(c.over, 19995);
	CU_ASSERT_STRING_EQUAL(c.members[0].name, "m0.test.");
	CU_ASSERT_STRING_EQUAL(c.members[4].name, "m4.test.");
	CU_ASSERT_EQUAL(c.nrefused, 0);
	catz_clear(&c);
	CU_ASSERT_EQUAL_FATAL(catz_parse(z, CATZ_MAX_MEMBERS_DEFAULT, &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(c.nmembers, CATZ_MAX_MEMBERS_DEFAULT);
	CU_ASSERT_EQUAL(c.over, 20000 - CATZ_MAX_MEMBERS_DEFAULT);
	catz_clear(&c);
	zload_free(&z);
	free(text);

	/* 100 members each listed twice: 100 reasons, 64 kept, 36 counted; none a member. */
	{
		char extra[4096 * 2];
		size_t o = 0;

		for (size_t i = 0; i < 100; i++)
			o += (size_t)snprintf(extra + o, sizeof(extra) - o,
					      "d%zu.zones IN PTR m%zu.test.\n", i, i);
		text = big_catalog(100, extra);
	}
	z = zload_string("cat.test.", text, "cat.zone", NULL, NULL, lerr, sizeof(lerr));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL_FATAL(catz_parse(z, CATZ_MAX_MEMBERS_DEFAULT, &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(c.nmembers, 0);
	CU_ASSERT_EQUAL(c.nrefused, CATZ_REASONS_MAX);
	CU_ASSERT_EQUAL(c.nrefused_more, 100 - CATZ_REASONS_MAX);
	CU_ASSERT(refused(&c, "listed twice"));
	catz_clear(&c);
	zload_free(&z);
	free(text);
}

static void test_keep_static(void)
{
	char err[512], warn[1024];
	size_t n = 0;
	cfg_t *cur, *next;
	int rc;

	cur = cfg_of("zone a.test. a.zone\nlisten 127.0.0.1@5300\ntcp-max-clients 10\n"
		     "identity one\n",
		     &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	next = cfg_of("zone a.test. a.zone\nzone b.test. b.zone\nlisten 127.0.0.1@5301\n"
		      "tcp-max-clients 10\nidentity two\n",
		      &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg_keep_static(next, cur, warn, sizeof(warn), &n), SANDNS_EOK);
	/* listen needs a restart: kept and said; identity and zones apply. */
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(warn, "warning: listen changed: restart sandnsd to apply\n");
	CU_ASSERT_STRING_EQUAL(next->listens[0].text, "127.0.0.1@5300");
	CU_ASSERT_STRING_EQUAL(next->identity, "two");
	CU_ASSERT_EQUAL(next->nzones, 2);
	CU_ASSERT(!cfg_same_running(next, cur));
	cfg_free(&next);
	cfg_free(&cur);

	/* The same configuration switches nothing; a key's secret alone changing does. */
	cur = cfg_of(
	    "zone a.test. a.zone\nkey k hmac-sha256 MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=\n",
	    &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	next = cfg_of(
	    "zone a.test. a.zone\nkey k hmac-sha256 MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=\n",
	    &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT(cfg_same_running(next, cur));
	cfg_free(&next);
	next = cfg_of(
	    "zone a.test. a.zone\nkey k hmac-sha256 QTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=\n",
	    &rc, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	next->text = cur->text != NULL ? strdup(cur->text) : NULL; /* the text aside */
	CU_ASSERT(!cfg_same_running(next, cur));
	cfg_free(&next);
	cfg_free(&cur);
}

/* Appends each PTR's RDATA and a newline to the string CTX (256 octets). */
static int ptr_text(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	char *s = ctx;
	size_t l = strlen(s);

	(void)owner;
	(void)ttl;
	if (type == 12)
		snprintf(s + l, 256 - l, "%s\n", rdata);
	return 0;
}

static void test_produce(void)
{
	const char *m2[] = {"b.test.", "a.test."}, *m3[] = {"b.test.", "a.test.", "c.test."};
	const char *m2case[] = {"B.Test", "a.TEST."};
	char err[512], l1[32], l2[32], ptrs[256] = "", ptrs1[256] = "";
	zload_zone_t *z1, *z2, *z3;
	uint64_t h1 = 0, h2 = 0, h3 = 0;
	catz_t c;

	/* The label: stable, whatever the case or the final dot; distinct per name. */
	catz_label("Example.COM", l1, sizeof(l1));
	catz_label("example.com.", l2, sizeof(l2));
	CU_ASSERT_STRING_EQUAL(l1, l2);
	CU_ASSERT_EQUAL(strlen(l1), 16);
	catz_label("example.net.", l2, sizeof(l2));
	CU_ASSERT(strcmp(l1, l2) != 0);

	z1 = catz_produce("cat.test.", m2, 2, &(catz_prev_t){.serial = 100}, &h1, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	CU_ASSERT(zload_serial(z1) > 100);
	/* What it makes reads back as a catalog with those members. */
	CU_ASSERT_EQUAL_FATAL(catz_parse(z1, CATZ_MAX_MEMBERS_DEFAULT, &c, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(c.nmembers, 2);
	CU_ASSERT(catz_has(&c, "a.test.") && catz_has(&c, "b.test."));
	catz_label("b.test.", l1, sizeof(l1));
	CU_ASSERT_STRING_EQUAL(c.members[0].label, l1);
	catz_clear(&c);
	/* The same members: the same serial. Another: a newer one, even within the second. */
	z2 = catz_produce("cat.test.", m2, 2, &(catz_prev_t){z1, zload_serial(z1), 0}, &h2, err,
			  sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z2);
	CU_ASSERT_EQUAL(zload_serial(z2), zload_serial(z1));
	CU_ASSERT(h1 != 0 && h2 == h1);
	z3 = catz_produce("cat.test.", m3, 3, &(catz_prev_t){z2, zload_serial(z2), 0}, &h3, err,
			  sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z3);
	CU_ASSERT(zload_serial(z3) > zload_serial(z2));
	CU_ASSERT(h3 != 0 && h3 != h1);
	zload_free(&z3);
	/* A restart: nothing produced yet, the serial and members' hash served before
	 * (serial-state) known. The same members: made again at that serial, the same data; others:
	 * newer. */
	z3 = catz_produce("cat.test.", m2case, 2, &(catz_prev_t){NULL, zload_serial(z1), h1}, &h3,
			  err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z3);
	CU_ASSERT_EQUAL(zload_serial(z3), zload_serial(z1));
	CU_ASSERT_EQUAL(h3, h1);
	CU_ASSERT_EQUAL(zload_foreach(z3, ptr_text, ptrs), 0);
	CU_ASSERT_EQUAL(zload_foreach(z1, ptr_text, ptrs1), 0);
	CU_ASSERT_STRING_EQUAL(ptrs, ptrs1);
	ptrs[0] = '\0';
	zload_free(&z3);
	z3 = catz_produce("cat.test.", m3, 3, &(catz_prev_t){NULL, zload_serial(z1), h1}, NULL, err,
			  sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z3);
	CU_ASSERT(zload_serial(z3) > zload_serial(z1));
	zload_free(&z3);
	/* A serial not known (nothing remembered, or a state of before the hash): a new one. */
	z3 = catz_produce("cat.test.", m2, 2, &(catz_prev_t){NULL, zload_serial(z1), 0}, NULL, err,
			  sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z3);
	CU_ASSERT(zload_serial(z3) > zload_serial(z1));
	zload_free(&z3);
	/* A member written in another case is the same member: the same serial, the same data. */
	z3 = catz_produce("cat.test.", m2case, 2, &(catz_prev_t){z2, zload_serial(z2), 0}, NULL,
			  err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z3);
	CU_ASSERT_EQUAL(zload_serial(z3), zload_serial(z2));
	CU_ASSERT_EQUAL(zload_foreach(z3, ptr_text, ptrs), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(ptrs, "b.test.\n"));
	CU_ASSERT_PTR_NULL(strstr(ptrs, "B.Test"));
	zload_free(&z1);
	zload_free(&z2);
	zload_free(&z3);
}

/* Writes catalog cat.test. at SERIAL listing member m1.test. (and m2.test.: TWO) into PATH. */
static void write_catalog(const char *path, unsigned serial, bool two)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$TTL 0\n@ IN SOA invalid. invalid. %u 3600 600 2147483646 0\n@ IN NS invalid.\n"
		"version IN TXT \"2\"\nl1.zones IN PTR m1.test.\n%s",
		serial, two ? "l2.zones IN PTR m2.test.\n" : "");
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Catalog CAT served as read from PATH, as the transfer thread hands a version over. */
static bool transferred_as(ctl_t *ctl, const char *cat, const char *path)
{
	zload_zone_t *given[8] = {NULL};
	long i = cfg_zone_find(ctl->cfg, cat);
	char err[512];
	int rc;

	CU_ASSERT_FATAL(i >= 0 && ctl->cfg->nzones <= 8);
	given[i] = zload_file(cat, path, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(given[i]);
	rc = ctl_reload(ctl, &(ctl_rebuild_t){.zones = true, .zone = cat, .given = given}, err,
			sizeof(err));
	zload_free(&given[i]);
	return rc == SANDNS_EOK;
}

/* Catalog cat.test. served as read from PATH. */
static bool transferred(ctl_t *ctl, const char *path)
{
	return transferred_as(ctl, "cat.test.", path);
}

/*
 * A consumer catalog whose members could not be applied is tried again at a later publish
 * without a new serial: not before its wait (ctl_catz_retry_ms), then through the control
 * thread's tick (a reload that reads nothing), at most CTL_CATZ_TRIES times per serial; a new
 * serial starts again. Before, the serial was recorded as read before the apply, and the member
 * stayed out until the catalog's serial changed.
 */
static void test_consumer_retry(void)
{
	char dir[] = "/tmp/sandns-test-catz-XXXXXX", cat[128], conf[128], err[1024];
	const uint64_t retry0 = ctl_catz_retry_ms;
	ctl_build_t b;
	ctl_t *ctl;
	cfg_t *cfg;
	sigset_t old;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(cat, sizeof(cat), "%s/cat.zone", dir);
	snprintf(conf, sizeof(conf), "%s/sandns.conf", dir);
	write_catalog(cat, 1, false);
	f = fopen(conf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* The primary is never asked: the transfer thread is not started. */
	fprintf(f,
		"zone cat.test. %s\nprimary cat.test. 127.0.0.1@9\ncatalog cat.test. consumer\n"
		"state-dir %s\ncert-probe-interval 0\n",
		cat, dir);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
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

	/* The apply fails once: m1 not served, a retry scheduled. */
	ctl_catz_retry_ms = 300;
	ctl_catz_fail_applies = 1;
	ctl_catz_update(ctl);
	CU_ASSERT_EQUAL(ctl_catz_fail_applies, 0);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m1.test.") < 0);
	CU_ASSERT(ctl->catz_retry_at != 0);
	/* Another publish before the wait: not tried yet (the tick is not due either). */
	ctl_catz_update(ctl);
	ctl_catz_tick(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m1.test.") < 0);
	/* Past the wait, the tick's reload tries again: the same serial, m1 served. */
	usleep(400 * 1000);
	ctl_catz_tick(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m1.test.") >= 0);
	CU_ASSERT_EQUAL(ctl->catz_retry_at, 0);
	CU_ASSERT_EQUAL(ctl->info.nzones, 2);

	/* Bounded: a catalog whose apply always fails is tried CTL_CATZ_TRIES times, no more. */
	ctl_catz_retry_ms = 0;
	write_catalog(cat, 2, true);
	ctl_catz_fail_applies = 100;
	CU_ASSERT_FATAL(transferred(ctl, cat));
	for (int i = 0; i < 2 * CTL_CATZ_TRIES; i++)
		ctl_catz_update(ctl);
	CU_ASSERT_EQUAL(100 - ctl_catz_fail_applies, CTL_CATZ_TRIES);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") < 0);
	CU_ASSERT_EQUAL(ctl->catz_retry_at, 0);
	/* A new serial starts again. */
	ctl_catz_fail_applies = 0;
	write_catalog(cat, 3, true);
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") >= 0);

	/*
	 * A catalog due again that a publish cannot try (absent: expired) leaves the tick nothing
	 * due, else each tick's reload finds it due again at once, a reload a round for as long
	 * as it stays absent; the publish that serves it again tries it.
	 */
	ctl_catz_retry_ms = 100;
	write_catalog(cat, 4, false);
	ctl_catz_fail_applies = 1;
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") >= 0);
	CU_ASSERT(ctl->catz_retry_at != 0);
	{
		size_t i = 0;

		while (i < ctl->info.nzones && strcmp(ctl->info.zones[i].origin, "cat.test.") != 0)
			i++;
		CU_ASSERT_FATAL(i < ctl->info.nzones);
		usleep(150 * 1000);
		ctl->info.zones[i].absent = true;
		ctl_catz_update(ctl);
		CU_ASSERT_EQUAL(ctl->catz_retry_at, 0);
		ctl->info.zones[i].absent = false;
	}
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") < 0);
	CU_ASSERT_EQUAL(ctl->catz_retry_at, 0);

	/*
	 * The reload the tick queued fails before its publish (the daemon stopping: built, not
	 * published; ctl_catz_update is not called): the catalog is scheduled again, the failure
	 * one of its tries. Before, the tick had cleared its due time and nothing set it again
	 * until another publish went through.
	 */
	write_catalog(cat, 5, true);
	ctl_catz_fail_applies = 1;
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") < 0);
	CU_ASSERT(ctl->catz_retry_at != 0);
	usleep(150 * 1000);
	{
		const uint64_t t0 = clock_now_ms();

		__atomic_store_n(&ctl->rl_stop, true, __ATOMIC_RELEASE);
		ctl_catz_tick(ctl);
		__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
		CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") < 0);
		CU_ASSERT_FATAL(ctl->catz_retry_at != 0);
		/* Tried twice: the next wait is twice the first. */
		CU_ASSERT(ctl->catz_retry_at >= t0 + 200);
	}
	usleep(250 * 1000);
	ctl_catz_tick(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") >= 0);
	CU_ASSERT_EQUAL(ctl->catz_retry_at, 0);

	/*
	 * Other reloads that fail spend no try: neither one the tick did not queue nor, for a
	 * catalog not served (absent, left to the publish that serves it again), the tick's. Its
	 * members are applied when it is served again.
	 */
	ctl_catz_retry_ms = 10;
	write_catalog(cat, 6, false);
	ctl_catz_fail_applies = 1;
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") >= 0); /* its removal failed once */
	{
		const ctl_rebuild_t other = {.zones = false};
		size_t i = 0;

		usleep(30 * 1000);
		__atomic_store_n(&ctl->rl_stop, true, __ATOMIC_RELEASE);
		for (int k = 0; k < CTL_CATZ_TRIES; k++)
			ctl_reload_watch(ctl, &other, LOG_INFO, "a reload", "a reload failed");
		__atomic_store_n(&ctl->rl_stop, false, __ATOMIC_RELEASE);
		while (i < ctl->info.nzones && strcmp(ctl->info.zones[i].origin, "cat.test.") != 0)
			i++;
		CU_ASSERT_FATAL(i < ctl->info.nzones);
		ctl->info.zones[i].absent = true;
		for (int k = 0; k < CTL_CATZ_TRIES; k++)
			ctl_catz_unpublished(ctl);
		ctl->info.zones[i].absent = false;
	}
	ctl_catz_update(ctl); /* served: tried */
	CU_ASSERT(cfg_zone_find(ctl->cfg, "m2.test.") < 0);

	ctl_catz_retry_ms = retry0;
	ctl_catz_fail_applies = 0;
	ctl_free(&ctl);
	cfg_free(&cfg);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Writes a catalog at SERIAL listing MEMBERS (lines "LABEL.zones IN PTR NAME") into PATH. */
static void write_listing(const char *path, unsigned serial, const char *members)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$TTL 0\n@ IN SOA invalid. invalid. %u 3600 600 2147483646 0\n@ IN NS invalid.\n"
		"version IN TXT \"2\"\n%s",
		serial, members);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/* Whether CTL serves ORIGIN as a member of catalog CAT under LABEL. */
static bool member_is(const ctl_t *ctl, const char *origin, const char *cat, const char *label)
{
	long i = cfg_zone_find(ctl->cfg, origin);
	const cfg_zone_t *z = i >= 0 ? &ctl->cfg->zones[i] : NULL;

	return z != NULL && z->catalog != NULL && strcmp(z->catalog, cat) == 0 &&
	       z->catalog_label != NULL && strcmp(z->catalog_label, label) == 0;
}

/*
 * The control side of a daemon (its threads not started: the primary is never asked) consuming
 * catalogs cat.test. (served from the file CAT) and cat2.test. (CAT2; listed first in the
 * configuration with CAT2_FIRST), its state in DIR, published once: its configuration into *CFGP.
 */
static ctl_t *two_catalogs(const char *dir, const char *cat, const char *cat2, bool cat2_first,
			   cfg_t **cfgp)
{
	char conf[128], err[1024], one[512], two[512];
	ctl_build_t b;
	ctl_t *ctl;
	cfg_t *cfg;
	sigset_t old;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/sandns.conf", dir);
	snprintf(one, sizeof(one),
		 "zone cat.test. %s\nprimary cat.test. 127.0.0.1@9\ncatalog cat.test. consumer\n",
		 cat);
	snprintf(
	    two, sizeof(two),
	    "zone cat2.test. %s\nprimary cat2.test. 127.0.0.1@9\ncatalog cat2.test. consumer\n",
	    cat2);
	f = fopen(conf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "%s%sstate-dir %s\ncert-probe-interval 0\n", cat2_first ? two : one,
		cat2_first ? one : two, dir);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
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
	*cfgp = cfg;
	return ctl;
}

#define LISTING_PATH 128 /* room for a catalog file's path in the directory of a test */

/* A fresh directory in DIR (a mkdtemp() template) with the catalogs' files, CAT and CAT2
 * (LISTING_PATH octets each), listing ONE and TWO at serial 1. */
static void two_listings(char *dir, char *cat, char *cat2, const char *one, const char *two)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(cat, LISTING_PATH, "%s/cat.zone", dir);
	snprintf(cat2, LISTING_PATH, "%s/cat2.zone", dir);
	write_listing(cat, 1, one);
	write_listing(cat2, 1, two);
}

/*
 * One update of a catalog both resets a member (another unique label) and drops one that a
 * second catalog lists (a move, RFC 9432 5.6): the second takes it. Before, the member dropped
 * went with the reset's first apply, which did not count it: the second catalog was not read
 * again, and the member stayed out until its serial changed.
 */
static void test_consumer_move_relabel(void)
{
	char dir[] = "/tmp/sandns-test-catz-XXXXXX", cat[LISTING_PATH], cat2[LISTING_PATH];
	ctl_t *ctl;
	cfg_t *cfg;

	two_listings(dir, cat, cat2, "l1.zones IN PTR m1.test.\nl2.zones IN PTR m2.test.\n",
		     "k2.zones IN PTR m2.test.\n");
	ctl = two_catalogs(dir, cat, cat2, false, &cfg);
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m1.test.", "cat.test.", "l1"));
	CU_ASSERT(member_is(ctl, "m2.test.", "cat.test.", "l2")); /* cat2.test.'s left out */

	/* cat.test. resets m1.test. and drops m2.test. in one version. */
	write_listing(cat, 2, "l1b.zones IN PTR m1.test.\n");
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m1.test.", "cat.test.", "l1b"));
	CU_ASSERT(member_is(ctl, "m2.test.", "cat2.test.", "k2"));

	/* Back: cat2.test. drops it, cat.test. (listing it again, refused then) takes it. */
	write_listing(cat, 3, "l1b.zones IN PTR m1.test.\nl2.zones IN PTR m2.test.\n");
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m2.test.", "cat2.test.", "k2"));
	write_listing(cat2, 2, "");
	CU_ASSERT_FATAL(transferred_as(ctl, "cat2.test.", cat2));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m2.test.", "cat.test.", "l2"));

	ctl_free(&ctl);
	cfg_free(&cfg);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A copy of member NAME in DIR's catalog directory, as a transfer would leave it. */
static void put_copy(const char *dir, const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/catalog/%szone", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$ORIGIN %s\n@ 300 IN SOA ns.test. h.test. 7 3600 600 86400 60\n"
		"@ 300 IN NS ns.test.\n",
		name);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/* Whether DIR holds member NAME's copy, recorded as made under LABEL (NULL: not asked). */
static bool copy_is(const char *dir, const char *name, const char *label)
{
	char path[256], had[CATZ_LABEL_MAX], why[256];

	snprintf(path, sizeof(path), "%s/catalog/%szone", dir, name);
	return access(path, F_OK) == 0 &&
	       (label == NULL ||
		(catz_label_read(path, had, sizeof(had), NULL, 0, why, sizeof(why)) == 1 &&
		 strcmp(had, label) == 0));
}

/* Whether the label file of member NAME's copy in DIR names catalog CAT as its owner. */
static bool owner_is(const char *dir, const char *name, const char *cat)
{
	char path[256], had[CATZ_LABEL_MAX], owner[CATZ_OWNER_MAX], why[256];

	snprintf(path, sizeof(path), "%s/catalog/%szone", dir, name);
	return catz_label_read(path, had, sizeof(had), owner, sizeof(owner), why, sizeof(why)) ==
		   1 &&
	       strcmp(owner, cat) == 0;
}

/*
 * A member handed over by its catalog's coo property (RFC 9432 4.4.1) to a catalog that lists it:
 * taken by that one, its copy kept under the same unique label (m2.test.), reset under another
 * (m1.test.); the old catalog dropping it later changes nothing; a restart, reading the two
 * catalogs in either order, gives it to the new one with its copy. Without the coo, the new
 * catalog's listing is left out (the member stays the old one's).
 */
static void test_consumer_coo(void)
{
	static const char *const with_coo =
	    "l1.zones IN PTR m1.test.\ncoo.l1.zones IN PTR cat2.test.\n"
	    "l2.zones IN PTR m2.test.\ncoo.l2.zones IN PTR CAT2.test.\nl3.zones IN PTR m3.test.\n";
	char dir[] = "/tmp/sandns-test-catz-XXXXXX", cat[LISTING_PATH], cat2[LISTING_PATH];
	ctl_t *ctl;
	cfg_t *cfg;

	two_listings(
	    dir, cat, cat2,
	    "l1.zones IN PTR m1.test.\nl2.zones IN PTR m2.test.\nl3.zones IN PTR m3.test.\n",
	    "k1.zones IN PTR m1.test.\nl2.zones IN PTR m2.test.\nk3.zones IN PTR m3.test.\n");
	ctl = two_catalogs(dir, cat, cat2, false, &cfg);
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m1.test.", "cat.test.", "l1"));
	CU_ASSERT(member_is(ctl, "m2.test.", "cat.test.", "l2"));
	CU_ASSERT(member_is(ctl, "m3.test.", "cat.test.", "l3")); /* cat2.test.'s left out */
	put_copy(dir, "m1.test.");
	put_copy(dir, "m2.test.");
	put_copy(dir, "m3.test.");

	/* cat.test. hands m1.test. and m2.test. over; cat2.test. lists them already. */
	write_listing(cat, 2, with_coo);
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m2.test.", "cat2.test.", "l2"));
	CU_ASSERT(copy_is(dir, "m2.test.", "l2"));	    /* the same label: kept */
	CU_ASSERT(owner_is(dir, "m2.test.", "cat2.test.")); /* its label file says whose */
	CU_ASSERT(member_is(ctl, "m1.test.", "cat2.test.", "k1"));
	CU_ASSERT(!copy_is(dir, "m1.test.", NULL));		  /* another label: reset */
	CU_ASSERT(member_is(ctl, "m3.test.", "cat.test.", "l3")); /* no coo: stays */
	CU_ASSERT(copy_is(dir, "m3.test.", "l3"));

	/* The old catalog drops them: they stay the new one's. */
	write_listing(cat, 3, "l3.zones IN PTR m3.test.\n");
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m1.test.", "cat2.test.", "k1"));
	CU_ASSERT(member_is(ctl, "m2.test.", "cat2.test.", "l2"));
	CU_ASSERT(copy_is(dir, "m2.test.", "l2"));
	/* ... and lists them again, handing them over still: nothing changes. */
	write_listing(cat, 4, with_coo);
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m1.test.", "cat2.test.", "k1"));
	CU_ASSERT(member_is(ctl, "m2.test.", "cat2.test.", "l2"));
	CU_ASSERT(copy_is(dir, "m2.test.", "l2"));
	ctl_free(&ctl);
	cfg_free(&cfg);

	/* A restart while the old one still hands them over, each catalog read first in turn:
	 * the new one's, with their copies (m1.test.'s transferred since, under k1). */
	put_copy(dir, "m1.test.");
	put_copy(dir, "m3.test.");
	for (int first2 = 0; first2 < 2; first2++) {
		ctl = two_catalogs(dir, cat, cat2, first2 == 1, &cfg);
		ctl_catz_update(ctl);
		CU_ASSERT(member_is(ctl, "m1.test.", "cat2.test.", "k1"));
		CU_ASSERT(member_is(ctl, "m2.test.", "cat2.test.", "l2"));
		CU_ASSERT(copy_is(dir, "m1.test.", "k1"));
		CU_ASSERT(copy_is(dir, "m2.test.", "l2"));
		/* m3.test., listed by both without a coo: the one that had it keeps it, whichever
		 * is read first (RFC 9432 5.4), with its copy (its label file says which). */
		CU_ASSERT(member_is(ctl, "m3.test.", "cat.test.", "l3"));
		CU_ASSERT(copy_is(dir, "m3.test.", "l3"));
		ctl_free(&ctl);
		cfg_free(&cfg);
	}
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * A member whose catalog's coo property names a catalog not configured (RFC 9432 4.4.1: nothing
 * takes it, so it stays) and which a second catalog lists under another label: the first keeps
 * it across a restart, whichever is read first, with its copy. Before, the second, read first,
 * took it (the coo named another than the owner) and reset its copy.
 */
static void test_consumer_coo_elsewhere(void)
{
	char dir[] = "/tmp/sandns-test-catz-XXXXXX", cat[LISTING_PATH], cat2[LISTING_PATH];
	ctl_t *ctl;
	cfg_t *cfg;

	two_listings(dir, cat, cat2, "l4.zones IN PTR m4.test.\n", "k4.zones IN PTR m4.test.\n");
	ctl = two_catalogs(dir, cat, cat2, false, &cfg);
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m4.test.", "cat.test.", "l4"));
	put_copy(dir, "m4.test.");
	write_listing(cat, 2, "l4.zones IN PTR m4.test.\ncoo.l4.zones IN PTR cat3.test.\n");
	CU_ASSERT_FATAL(transferred(ctl, cat));
	ctl_catz_update(ctl);
	CU_ASSERT(member_is(ctl, "m4.test.", "cat.test.", "l4"));
	ctl_free(&ctl);
	cfg_free(&cfg);
	for (int first2 = 0; first2 < 2; first2++) {
		ctl = two_catalogs(dir, cat, cat2, first2 == 1, &cfg);
		ctl_catz_update(ctl);
		CU_ASSERT(member_is(ctl, "m4.test.", "cat.test.", "l4"));
		CU_ASSERT(copy_is(dir, "m4.test.", "l4"));
		ctl_free(&ctl);
		cfg_free(&cfg);
	}
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void reg_cutest_catz(void)
{
	CU_pSuite s = CU_add_suite("catz", NULL, NULL);

	CU_add_test(s, "members: PTRs under zones, properties and others ignored", test_members);
	CU_add_test(s, "version: none, \"1\", twice: the catalog refused", test_version);
	CU_add_test(s, "coo: a member handed over; two PTRs: the catalog refused", test_coo);
	CU_add_test(s, "a member listed twice is left out, the others stay", test_duplicates);
	CU_add_test(s, "several PTRs under a label, the catalog itself", test_bad_ptr);
	CU_add_test(s, "members' file names: escaped, short, never a path", test_file_name);
	CU_add_test(s, "catalog key and members as secondary zones", test_cfg_catalog);
	CU_add_test(s, "bounds: max-members, reasons counted past 64, n log n", test_bounds);
	CU_add_test(s, "a configuration read again keeps what needs a restart", test_keep_static);
	CU_add_test(s, "producer: labels, the catalog made, its serial", test_produce);
	CU_add_test(s, "consumer: members that failed tried again, the same serial, bounded",
		    test_consumer_retry);
	CU_add_test(s, "consumer: a member handed over by a coo property", test_consumer_coo);
	CU_add_test(s, "consumer: a coo naming a catalog not configured leaves the member",
		    test_consumer_coo_elsewhere);
	CU_add_test(s, "consumer: a reset and a move in one version of a catalog",
		    test_consumer_move_relabel);
}
