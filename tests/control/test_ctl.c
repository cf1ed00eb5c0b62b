/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl.c: CUnit suite for the control thread's builds (control/ctl_build.c: ctl_build, the
 * served serials, partial rebuilds, errors), ctl_flip, and the policy's zone edits (policy.h) */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "cfg.h"
#include "ctl.h"
#include "ctl_serial.h"
#include "cutest.h"
#include "policy.h"
#include "policy_zone.h"
#include "sandns_err.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_index.h"
#include "zt_mem.h"
#include "zt_patch.h"
#include "zt_pvt.h"

#define DAY (24 * 3600L)
#define D "example.net."
#define N "autodiscover." D
#define SRV "_autodiscover._tcp." D

/* One throwaway key; each leaf is self-signed: the policy decides on names, not on trust. */
static EVP_PKEY *key;
static char dir[] = "/tmp/sandns-test-ctl-XXXXXX";
static bool dir_made;
static char err[1024];
static long cert_serial = 1;

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return key == NULL ? -1 : 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static ldns_pkt *resp;

static int suite_cleanup(void)
{
	ldns_pkt_free(resp);
	resp = NULL;
	EVP_PKEY_free(key);
	key = NULL;
	return dir_made ? nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) : 0;
}

/* ------------------------------------------------------------------ files the tests write */

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void write_text(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	path_of(path, sizeof(path), name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_TRUE(fputs(text, f) >= 0);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
}

/* A self-signed leaf for SANS (OpenSSL config syntax), written as PEM to DIR/NAME. */
static void write_cert(const char *name, const char *sans)
{
	char path[512];

	path_of(path, sizeof(path), name);
	CU_ASSERT_FATAL(tu_write_leaf(path, key, cert_serial++, sans));
}

/* A certificate loaded from a PEM file written for SANS (for policy_evaluate). */
static cert_t *leaf(const char *sans)
{
	char path[512];
	cert_t *c;

	write_cert("leaf.pem", sans);
	path_of(path, sizeof(path), "leaf.pem");
	c = cert_load_file(path, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/*
 * example.net with SERIAL: autodiscover.D has mail.D's address; owa.D has another. Line 3 is
 * the SOA; EXTRA (whole lines) goes last.
 */
static void write_zone(const char *name, unsigned long serial, const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "$ORIGIN example.net.\n"
		 "$TTL 3600\n"
		 "@ IN SOA ns1 hostmaster %lu 7200 3600 1209600 300\n"
		 "@ IN NS ns1\n"
		 "ns1 IN A 192.0.2.53\n"
		 "mail IN A 192.0.2.25\n"
		 "owa IN A 192.0.2.26\n"
		 "autodiscover IN A 192.0.2.25\n"
		 "%s",
		 serial, extra != NULL ? extra : "");
	write_text(name, text);
}
#define NET_RRS 6

static const char org_zone[] = "$ORIGIN example.org.\n"
			       "@ 3600 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
			       "@ 3600 IN NS ns1\n"
			       "ns1 3600 IN A 192.0.2.63\n";

/* A configuration read from TEXT, relative paths in DIR. */
static cfg_t *config(const char *text)
{
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	err[0] = '\0';
	if (cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)) != SANDNS_EOK)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(cfg->nzones > 0, true);
	return cfg;
}

/* ctl_build that must succeed. */
static void build(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
		  ctl_build_t *out)
{
	int rc;

	err[0] = '\0';
	rc = ctl_build(cfg, prev, what, out, err, sizeof(err));
	if (rc != SANDNS_EOK)
		fprintf(stderr, "\n  ctl_build: %d %s\n", rc, err);
	CU_ASSERT_EQUAL_FATAL(rc, SANDNS_EOK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out->zt);
}

/* A rebuild from PREV, its serials checked against PREV's snapshot (as ctl_reload does). */
static void rebuild(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
		    ctl_build_t *out)
{
	build(cfg, prev, what, out);
	ctl_build_check_serials(prev, prev->zt, out);
}

/* ctl_build that must fail with RC and WANT in err, leaving OUT empty. */
static void build_fails(const cfg_t *cfg, const ctl_build_t *prev, const ctl_rebuild_t *what,
			int rc, const char *want)
{
	ctl_build_t out;

	memset(&out, 0x5a, sizeof(out));
	err[0] = '\0';
	CU_ASSERT_EQUAL(ctl_build(cfg, prev, what, &out, err, sizeof(err)), rc);
	if (strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' in '%s'\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NULL(out.zt);
	CU_ASSERT_PTR_NULL(out.zones);
	CU_ASSERT_EQUAL(out.nzones, 0);
	CU_ASSERT_PTR_NULL(out.policy);
	ctl_build_clear(&out); /* empty: nothing to free, but it must be safe */
}

static bool has(const char *s, const char *want)
{
	if (s != NULL && strstr(s, want) != NULL)
		return true;
	fprintf(stderr, "\n  expected '%s' in '%s'\n", want, s != NULL ? s : "(null)");
	return false;
}

/* ------------------------------------------------------------------ asking a snapshot */

/* Asks T for NAME/QTYPE over TCP; the parsed response in resp. */
static void ask(const zt_t *t, const char *name, uint16_t qtype)
{
	ldns_pkt_free(resp);
	resp = tu_ask(t, 0x3131, name, qtype);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
}

/* Whether list L holds WANT ("owner ttl IN TYPE rdata", without case). */
static bool list_has(const ldns_rr_list *l, const char *want)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(l, i));
		bool eq;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		s[strcspn(s, "\n")] = '\0';
		for (char *c = s; *c != '\0'; c++)
			if (*c == '\t')
				*c = ' ';
		eq = strcasecmp(s, want) == 0;
		free(s);
		if (eq)
			return true;
	}
	fprintf(stderr, "\n  no '%s' in the section\n", want);
	return false;
}

#define EXPECT(rc, nan, nns)                                                                       \
	do {                                                                                       \
		CU_ASSERT_EQUAL(ldns_pkt_get_rcode(resp), (rc));                                   \
		CU_ASSERT_TRUE(ldns_pkt_aa(resp));                                                 \
		CU_ASSERT_EQUAL(ldns_pkt_ancount(resp), (nan));                                    \
		CU_ASSERT_EQUAL(ldns_pkt_nscount(resp), (nns));                                    \
	} while (0)

#define SOA_NEG(s) D " 300 IN SOA ns1." D " hostmaster." D " " s " 7200 3600 1209600 300"

/* autodiscover.D A is answered as the file has it (no policy edit in force). */
static void expect_n_answered(const zt_t *t)
{
	ask(t, N, T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), N " 3600 IN A 192.0.2.25"));
}

/* The policy's edits in force: N is NODATA (SOA with SERIAL), the SRV to mail.D answered. */
static void expect_n_replaced(const zt_t *t, const char *serial)
{
	char soa[512];

	snprintf(soa, sizeof(soa), SOA_NEG("%s"), serial);
	ask(t, N, T_A);
	EXPECT(LDNS_RCODE_NOERROR, 0, 1);
	CU_ASSERT_TRUE(list_has(ldns_pkt_authority(resp), soa));
	ask(t, SRV, T_SRV);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), SRV " 3600 IN SRV 0 0 443 mail." D));
	/* The target itself is left as it was. */
	ask(t, "mail." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
}

/* ------------------------------------------------------------------ ctl_flip */

static void test_flip(void)
{
	char *pending = NULL;

	/* Nothing new */
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "A"), CTL_FLIP_SAME);
	CU_ASSERT_PTR_NULL(pending);
	/* Seen once: wait, remembered */
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "B"), CTL_FLIP_WAIT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pending);
	CU_ASSERT_STRING_EQUAL(pending, "B");
	/* Seen twice in a row: apply, forgotten */
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "B"), CTL_FLIP_APPLY);
	CU_ASSERT_PTR_NULL(pending);
	/* A third key interrupts: wait again, the pending key replaced */
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "B"), CTL_FLIP_WAIT);
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "C"), CTL_FLIP_WAIT);
	CU_ASSERT_STRING_EQUAL(pending, "C");
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "B"), CTL_FLIP_WAIT);
	CU_ASSERT_STRING_EQUAL(pending, "B");
	/* The served decisions seen again: back to nothing pending */
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "A"), CTL_FLIP_SAME);
	CU_ASSERT_PTR_NULL(pending);
	/* ... so B must again be seen twice */
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "B"), CTL_FLIP_WAIT);
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, "B"), CTL_FLIP_APPLY);
	/* The empty key (policy off) is a key like any other */
	CU_ASSERT_EQUAL(ctl_flip("", &pending, ""), CTL_FLIP_SAME);
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, ""), CTL_FLIP_WAIT);
	CU_ASSERT_STRING_EQUAL(pending, "");
	CU_ASSERT_EQUAL(ctl_flip("A", &pending, ""), CTL_FLIP_APPLY);
	CU_ASSERT_PTR_NULL(pending);
	free(pending);
}

/* ------------------------------------------------------------------ ctl_build */

static void test_build_no_cert(void)
{
	cfg_t *cfg;
	ctl_build_t b;
	char path[512];

	write_zone("a.zone", 100, NULL);
	cfg = config("zone example.net. a.zone\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_PTR_NULL(b.policy);
	CU_ASSERT_STRING_EQUAL(b.policy_key, "");
	CU_ASSERT_EQUAL(b.ncerts, 0);
	CU_ASSERT_EQUAL_FATAL(b.nzones, 1);
	CU_ASSERT_EQUAL(b.records, NET_RRS);
	CU_ASSERT_STRING_EQUAL(b.zones[0].origin, D);
	path_of(path, sizeof(path), "a.zone");
	CU_ASSERT_STRING_EQUAL(b.zones[0].src.path, path);
	CU_ASSERT_EQUAL(b.zones[0].records, NET_RRS);
	CU_ASSERT_EQUAL(b.zones[0].src_serial, 100);
	CU_ASSERT_EQUAL(b.zones[0].serial, 100);
	CU_ASSERT_STRING_EQUAL(b.zones[0].edits, "");
	CU_ASSERT_PTR_NOT_NULL(b.raw[0]);
	CU_ASSERT_EQUAL(zt_zone_count(b.zt), 1);
	CU_ASSERT_EQUAL(zt_zone_serial(b.zt, 0), 100);
	expect_n_answered(b.zt);
	ask(b.zt, SRV, T_SRV);
	CU_ASSERT_EQUAL(ldns_pkt_get_rcode(resp), LDNS_RCODE_NXDOMAIN);
	ctl_build_clear(&b);
	CU_ASSERT_PTR_NULL(b.zt);
	CU_ASSERT_EQUAL(b.nzones, 0);
	ctl_build_clear(&b); /* twice is fine */
	cfg_free(&cfg);
}

/* (b): a certificate for mail.D and owa.D, not N: the SRV replaces N's address. */
static void build_policy(cfg_t **cfg, ctl_build_t *b)
{
	write_zone("b.zone", 100, NULL);
	write_cert("b.pem", "DNS:mail.example.net,DNS:owa.example.net");
	*cfg = config("zone example.net. b.zone\ncert b.pem\n");
	build(*cfg, NULL, NULL, b);
}

static void test_build_policy(void)
{
	cfg_t *cfg;
	ctl_build_t b;

	build_policy(&cfg, &b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b.policy);
	CU_ASSERT_EQUAL(b.ncerts, 1);
	CU_ASSERT_EQUAL_FATAL(b.nzones, 1);
	CU_ASSERT_EQUAL(b.zones[0].src_serial, 100);
	CU_ASSERT_EQUAL(b.zones[0].serial, 101);
	CU_ASSERT_EQUAL(b.zones[0].records, NET_RRS); /* as loaded from the file */
	CU_ASSERT_EQUAL(zload_serial(b.raw[0]), 100); /* the file's zone is not the served one */
	CU_ASSERT_EQUAL(zt_zone_serial(b.zt, 0), 101);
	CU_ASSERT_TRUE(has(b.zones[0].edits, "withhold " N " A\n"));
	CU_ASSERT_TRUE(has(b.zones[0].edits, "empty-node " N "\n"));
	CU_ASSERT_TRUE(has(b.zones[0].edits, "add " SRV " SRV 3600 0 0 443 mail." D "\n"));
	CU_ASSERT_TRUE(has(b.policy_key, N " 1 "));
	expect_n_replaced(b.zt, "101");
	ask(b.zt, D, T_SOA);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), D " 3600 IN SOA ns1." D " hostmaster." D
							 " 101 7200 3600 1209600 300"));
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

/* (c): the certificate re-read now covers N: the edits go, the serial still moves forward. */
static void test_build_policy_lifted(void)
{
	static const ctl_rebuild_t certs = {.certs = true};
	cfg_t *cfg;
	ctl_build_t b, c, d;

	build_policy(&cfg, &b);
	write_cert("b.pem", "DNS:mail.example.net,DNS:autodiscover.example.net");
	build(cfg, &b, &certs, &c);
	CU_ASSERT_EQUAL(c.zones[0].src_serial, 100);
	CU_ASSERT_EQUAL(c.zones[0].serial, 102);
	CU_ASSERT_STRING_EQUAL(c.zones[0].edits, "");
	CU_ASSERT_PTR_NOT_NULL(c.policy); /* still evaluated: a certificate is configured */
	CU_ASSERT_STRING_NOT_EQUAL(c.policy_key, b.policy_key);
	/* The zone was not read again: the same loaded zone, shared. */
	CU_ASSERT_PTR_EQUAL(c.raw[0], b.raw[0]);
	CU_ASSERT_PTR_NOT_EQUAL(c.certs[0], b.certs[0]);
	expect_n_answered(c.zt);
	ask(c.zt, N, T_A);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(resp), 1);
	ask(c.zt, D, T_SOA);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), D " 3600 IN SOA ns1." D " hostmaster." D
							 " 102 7200 3600 1209600 300"));
	ask(c.zt, SRV, T_SRV);
	CU_ASSERT_EQUAL(ldns_pkt_get_rcode(resp), LDNS_RCODE_NXDOMAIN);
	/* The previous build is only read: it still serves what it served. */
	expect_n_replaced(b.zt, "101");
	/* And back: the edits return, the serial moves forward again. */
	write_cert("b.pem", "DNS:mail.example.net,DNS:owa.example.net");
	build(cfg, &c, &certs, &d);
	CU_ASSERT_EQUAL(d.zones[0].serial, 103);
	CU_ASSERT_STRING_EQUAL(d.zones[0].edits, b.zones[0].edits);
	expect_n_replaced(d.zt, "103");
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	ctl_build_clear(&d);
	cfg_free(&cfg);
}

/* (d): a rebuild that changes nothing served keeps the serial, edited or not. */
static void test_build_nothing_changed(void)
{
	static const ctl_rebuild_t nothing = {0}, zones = {.zones = true}, certs = {.certs = true};
	cfg_t *cfg;
	ctl_build_t b, c, d, e;

	build_policy(&cfg, &b);
	build(cfg, &b, &nothing, &c);
	CU_ASSERT_EQUAL(c.zones[0].serial, 101);
	CU_ASSERT_STRING_EQUAL(c.zones[0].edits, b.zones[0].edits);
	CU_ASSERT_STRING_EQUAL(c.policy_key, b.policy_key);
	CU_ASSERT_PTR_EQUAL(c.raw[0], b.raw[0]);
	CU_ASSERT_PTR_EQUAL(c.certs[0], b.certs[0]);
	expect_n_replaced(c.zt, "101");
	/* The zone file and the certificate read again, unchanged. */
	build(cfg, &c, &zones, &d);
	CU_ASSERT_EQUAL(d.zones[0].serial, 101);
	ctl_build_check_serials(&c, c.zt, &d);
	CU_ASSERT_FALSE(d.zones[0].serial_stale);
	CU_ASSERT_PTR_NOT_EQUAL(d.raw[0], c.raw[0]);
	build(cfg, &d, &certs, &e);
	CU_ASSERT_EQUAL(e.zones[0].serial, 101);
	expect_n_replaced(e.zt, "101");
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	ctl_build_clear(&d);
	ctl_build_clear(&e);
	cfg_free(&cfg);
	/* The policy lifted, then nothing changed: the raised serial stays. */
	build_policy(&cfg, &b);
	write_cert("b.pem", "DNS:autodiscover.example.net");
	build(cfg, &b, &certs, &c);
	CU_ASSERT_EQUAL(c.zones[0].serial, 102);
	build(cfg, &c, &nothing, &d);
	CU_ASSERT_EQUAL(d.zones[0].serial, 102);
	CU_ASSERT_EQUAL(zt_zone_serial(d.zt, 0), 102);
	build(cfg, &d, NULL, &e); /* NULL: everything read again */
	CU_ASSERT_EQUAL(e.zones[0].serial, 102);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	ctl_build_clear(&d);
	ctl_build_clear(&e);
	cfg_free(&cfg);
}

/* The file's serial moves: the served one follows, never backwards. */
static void test_build_file_serial(void)
{
	static const ctl_rebuild_t zones = {.zones = true};
	cfg_t *cfg;
	ctl_build_t b, c, d;

	build_policy(&cfg, &b); /* 100 in the file, 101 served */
	write_zone("b.zone", 200, NULL);
	build(cfg, &b, &zones, &c);
	CU_ASSERT_EQUAL(c.zones[0].src_serial, 200);
	CU_ASSERT_EQUAL(c.zones[0].serial, 201);
	expect_n_replaced(c.zt, "201");
	/* Lowered in the file: what is served still moves forward. */
	write_zone("b.zone", 150, "new IN A 192.0.2.77\n");
	build(cfg, &c, &zones, &d);
	CU_ASSERT_EQUAL(d.zones[0].src_serial, 150);
	CU_ASSERT_EQUAL(d.zones[0].serial, 202);
	CU_ASSERT_EQUAL(d.zones[0].records, NET_RRS + 1);
	expect_n_replaced(d.zt, "202");
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	ctl_build_clear(&d);
	cfg_free(&cfg);
	/*
	 * Without a policy the zone is served as written, serial included (a signed zone's SOA
	 * must keep its signature): lowering it is the operator's business, as with any server.
	 */
	write_zone("f.zone", 100, NULL);
	cfg = config("zone example.net. f.zone\n");
	build(cfg, NULL, NULL, &b);
	write_zone("f.zone", 50, NULL);
	build(cfg, &b, &zones, &c);
	CU_ASSERT_EQUAL(c.zones[0].src_serial, 50);
	CU_ASSERT_EQUAL(c.zones[0].serial, 50);
	CU_ASSERT_EQUAL(zt_zone_serial(c.zt, 0), 50);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/*
 * A zone file whose records change while its serial does not: secondaries would never see the
 * change, so the build says so (serial_stale); the order of the records does not count, their
 * owner, type, TTL and data do.
 */
static void test_build_stale_serial(void)
{
	static const ctl_rebuild_t zones = {.zones = true};
	const ctl_rebuild_t org = {.zones = true, .zone = "example.org."};
	cfg_t *cfg;
	ctl_build_t b, c;

	write_zone("s.zone", 100, NULL);
	write_text("s2.zone", org_zone);
	cfg = config("zone example.net. s.zone\nzone example.org. s2.zone\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_FALSE(b.zones[0].serial_stale);
	/* the same records in another order, the same serial: nothing to say */
	write_text("s.zone", "$ORIGIN example.net.\n$TTL 3600\n"
			     "autodiscover IN A 192.0.2.25\nowa IN A 192.0.2.26\n"
			     "@ IN SOA ns1 hostmaster 100 7200 3600 1209600 300\n"
			     "mail IN A 192.0.2.25\n@ IN NS ns1\nns1 IN A 192.0.2.53\n");
	rebuild(cfg, &b, &zones, &c);
	CU_ASSERT_PTR_NOT_EQUAL(c.raw[0], b.raw[0]);
	CU_ASSERT_FALSE(c.zones[0].serial_stale);
	CU_ASSERT_FALSE(c.zones[1].serial_stale);
	ctl_build_clear(&b);
	b = c;
	/* a record more, the serial left at 100 */
	write_zone("s.zone", 100, "new IN A 192.0.2.77\n");
	rebuild(cfg, &b, &zones, &c);
	CU_ASSERT_TRUE(c.zones[0].serial_stale);
	CU_ASSERT_FALSE(c.zones[1].serial_stale);
	CU_ASSERT_EQUAL(c.zones[0].serial, 100);
	CU_ASSERT_EQUAL(zt_zone_serial(c.zt, 0), 100);
	/* no previous snapshot to compare with: nothing said */
	ctl_build_check_serials(&b, NULL, &c);
	CU_ASSERT_FALSE(c.zones[0].serial_stale);
	ctl_build_clear(&b);
	b = c;
	/* the other zone alone read again: this one is shared, nothing said */
	rebuild(cfg, &b, &org, &c);
	CU_ASSERT_PTR_EQUAL(c.raw[0], b.raw[0]);
	CU_ASSERT_FALSE(c.zones[0].serial_stale);
	CU_ASSERT_FALSE(c.zones[1].serial_stale);
	ctl_build_clear(&b);
	b = c;
	/* only a TTL changed: a change all the same */
	write_zone("s.zone", 100, "new 60 IN A 192.0.2.77\n");
	rebuild(cfg, &b, &zones, &c);
	CU_ASSERT_TRUE(c.zones[0].serial_stale);
	ctl_build_clear(&b);
	b = c;
	/* changed with a new serial: as it should be */
	write_zone("s.zone", 101, NULL);
	rebuild(cfg, &b, &zones, &c);
	CU_ASSERT_FALSE(c.zones[0].serial_stale);
	CU_ASSERT_EQUAL(c.zones[0].serial, 101);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
	/* With the policy the served serial is the file's plus one: the same applies. */
	build_policy(&cfg, &b); /* 100 in the file, 101 served */
	write_zone("b.zone", 100, "new IN A 192.0.2.77\n");
	rebuild(cfg, &b, &zones, &c);
	CU_ASSERT_EQUAL(c.zones[0].serial, 101);
	CU_ASSERT_TRUE(c.zones[0].serial_stale);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/* keep-zones: the zones as read are dropped after a build and read again by the next one. */
static void test_build_drop_zones(void)
{
	static const ctl_rebuild_t certs = {.certs = CTL_CERTS_ALL};
	cfg_t *cfg;
	ctl_build_t b, c;

	write_zone("k.zone", 300, NULL);
	write_cert("k.pem", "DNS:mail.example.net");
	cfg = config("zone example.net. k.zone\ncert k.pem\nkeep-zones no\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_TRUE(ctl_build_drop_zones(cfg, &b));
	CU_ASSERT_PTR_NULL(b.raw[0]);
	CU_ASSERT_PTR_NOT_NULL(b.zt); /* the snapshot stays */
	/* Only the certificates asked for: the zone is read again all the same. */
	write_zone("k.zone", 300, "new IN A 192.0.2.88\n");
	build(cfg, &b, &certs, &c);
	CU_ASSERT_PTR_NOT_NULL(c.raw[0]);
	CU_ASSERT_EQUAL(c.zones[0].records, NET_RRS + 1);
	CU_ASSERT_EQUAL(c.zones[0].serial, 301); /* same file serial and edits: kept */
	/* ... and the change without a new serial is noticed though the zone was dropped */
	ctl_build_check_serials(&b, b.zt, &c);
	CU_ASSERT_TRUE(c.zones[0].serial_stale);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
	/* auto keeps small zones; yes keeps any */
	cfg = config("zone example.net. k.zone\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_FALSE(ctl_build_drop_zones(cfg, &b));
	CU_ASSERT_PTR_NOT_NULL(b.raw[0]);
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

/* The policy's lookup fails (memory out): the build fails naming the zone, nothing is decided
 * as if its records were absent; the next build, the lookup working, is as ever. */
static void test_build_policy_lookup_fails(void)
{
	cfg_t *cfg;
	ctl_build_t b;
	int rc;

	write_zone("pf.zone", 100, NULL);
	write_cert("pf.pem", "DNS:mail.example.net");
	cfg = config("zone example.net. pf.zone\ncert pf.pem\n");
	pzone_lookup_fail_at = 1;
	err[0] = '\0';
	rc = ctl_build(cfg, NULL, NULL, &b, err, sizeof(err));
	pzone_lookup_fail_at = 0;
	CU_ASSERT_NOT_EQUAL(rc, SANDNS_EOK);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "policy: zone example.net.: cannot read its records: "));
	if (rc == SANDNS_EOK)
		ctl_build_clear(&b);
	build(cfg, NULL, NULL, &b);
	expect_n_replaced(b.zt, "101");
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

/* An existing SRV whose target the certificate does not cover is replaced, not kept beside. */
static void test_build_srv_replaced(void)
{
	cfg_t *cfg;
	ctl_build_t b;

	write_zone("r.zone", 100, "_autodiscover._tcp IN SRV 0 0 443 owa\n");
	write_cert("r.pem", "DNS:mail.example.net");
	cfg = config("zone example.net. r.zone\ncert r.pem\n");
	build(cfg, NULL, NULL, &b);
	expect_n_replaced(b.zt, "101"); /* N withheld, an SRV to mail.D */
	ask(b.zt, SRV, T_SRV);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0); /* that one only: owa's is gone */
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

/*
 * serial-state: a restart serves no older serial than the process before it did (the daemon
 * saves them when it publishes; here after each build).
 */
static void test_build_serial_state(void)
{
	static const ctl_rebuild_t certs = {.certs = CTL_CERTS_ALL};
	cfg_t *cfg;
	ctl_build_t b, c;

	write_zone("s.zone", 100, NULL);
	write_cert("s.pem", "DNS:mail.example.net"); /* the policy edits: 101 */
	cfg = config("zone example.net. s.zone\ncert s.pem\nserial-state s.state\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	CU_ASSERT_EQUAL(b.zones[0].serial, 101);
	write_cert("s.pem", "DNS:mail.example.net,DNS:autodiscover.example.net"); /* lifted */
	build(cfg, &b, &certs, &c);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &c, NULL, 0), SANDNS_EOK);
	CU_ASSERT_EQUAL(c.zones[0].serial, 102);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
	/* "Restart": the file says 100, the state 102 for what is served now. */
	cfg = config("zone example.net. s.zone\ncert s.pem\nserial-state s.state\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	CU_ASSERT_EQUAL(b.zones[0].serial, 102);
	ctl_build_clear(&b);
	cfg_free(&cfg);
	/* Restart with the policy applying again: forward from 102. */
	write_cert("s.pem", "DNS:mail.example.net");
	cfg = config("zone example.net. s.zone\ncert s.pem\nserial-state s.state\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	CU_ASSERT_EQUAL(b.zones[0].serial, 103);
	ctl_build_clear(&b);
	cfg_free(&cfg);
	/* A damaged state file is ignored line by line (with a warning). */
	write_text("s.state", "garbage\n");
	cfg = config("zone example.net. s.zone\ncert s.pem\nserial-state s.state\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	CU_ASSERT_EQUAL(b.zones[0].serial, 101);
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

/* The serial build B serves zone ORIGIN at (0: not served). */
static unsigned long served_serial(const ctl_build_t *b, const char *origin)
{
	const ctl_zone_info_t *z = ctl_build_find(b, origin);

	return z != NULL ? z->serial : 0;
}

/*
 * A catalog sandns produces keeps its serial across a restart while its members are the same
 * (serial-state remembers their hash), and moves on when they change; a state of before the
 * hash gives a new serial, as before.
 */
static void test_build_catalog_restart(void)
{
	static const char *conf = "zone pcat.test. made-by-sandns.zone\n"
				  "catalog pcat.test. producer\n"
				  "zone example.net. cr.zone\n"
				  "serial-state cr.state\n";
	char text[512];
	cfg_t *cfg;
	ctl_build_t b;
	size_t k;

	write_zone("cr.zone", 100, NULL);
	cfg = config(conf);
	build(cfg, NULL, NULL, &b);
	/* Served since long ago at 1000 (the catalog's serial is the time it was made). */
	for (k = 0; k < b.nzones && strcmp(b.zones[k].origin, "pcat.test.") != 0; k++)
		;
	CU_ASSERT_FATAL(k < b.nzones);
	CU_ASSERT(b.zones[k].catz_hash != 0);
	b.zones[k].src_serial = b.zones[k].serial = 1000;
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	ctl_build_clear(&b);
	cfg_free(&cfg);
	/* "Restart", the same zones: the same serial, the catalog made as it was. */
	cfg = config(conf);
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL(served_serial(&b, "pcat.test."), 1000);
	CU_ASSERT_EQUAL(zt_zone_serial(b.zt, 0), 1000);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	ctl_build_clear(&b);
	cfg_free(&cfg);
	/* Another member: a newer serial. */
	write_text("cr2.zone", "$ORIGIN example.org.\n$TTL 300\n@ IN SOA ns1 h 1 7200 3600 "
			       "1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
	snprintf(text, sizeof(text), "%szone example.org. cr2.zone\n", conf);
	cfg = config(text);
	build(cfg, NULL, NULL, &b);
	CU_ASSERT(ctl_serial_newer(served_serial(&b, "pcat.test."), 1000));
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b, NULL, 0), SANDNS_EOK);
	ctl_build_clear(&b);
	cfg_free(&cfg);
	/* The state written before the hash was (its lines end at SIGNED): a new serial. */
	write_text("cr.state", "pcat.test. 1000 1000 0000000000000000 unsigned\n");
	cfg = config(conf);
	build(cfg, NULL, NULL, &b);
	CU_ASSERT(ctl_serial_newer(served_serial(&b, "pcat.test."), 1000));
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

/*
 * A long zone name: the policy's record below N keeps a fixed text (a TXT string holds 255
 * octets), and when even its name would be too long the policy still applies without it.
 */
static void test_build_long_origin(void)
{
	char origin[256], text[4096], conf[512];
	cfg_t *cfg;
	ctl_build_t b;

	for (int pass = 0; pass < 2; pass++) {
		/*
		 * 98 octets; then 235, where _autodiscover._tcp.D still fits 255 octets of wire
		 * form (19 + 235 + 1) and _sandns.autodiscover.D does not (21 + 235 + 1).
		 */
		size_t labels = pass == 0 ? 9 : 22, len = 0;

		origin[0] = '\0';
		for (size_t l = 0; l < labels; l++)
			len += (size_t)snprintf(origin + len, sizeof(origin) - len, "abcdefghi.");
		snprintf(origin + len, sizeof(origin) - len, "%sexample.",
			 pass == 0 ? "" : "abcdef.");
		CU_ASSERT_EQUAL(strlen(origin), pass == 0 ? 98 : 235);
		snprintf(text, sizeof(text),
			 "$ORIGIN %s\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
			 "@ IN NS ns1\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
			 "autodiscover IN A 192.0.2.25\n",
			 origin);
		write_text("long.zone", text);
		snprintf(conf, sizeof(conf), "zone %s long.zone\ncert long.pem\n", origin);
		snprintf(text, sizeof(text), "DNS:mail.%.*s", (int)strlen(origin) - 1, origin);
		write_cert("long.pem", text);
		cfg = config(conf);
		build(cfg, NULL, NULL, &b);
		CU_ASSERT_EQUAL(b.zones[0].serial, 2);
		CU_ASSERT_PTR_NOT_NULL(strstr(b.zones[0].edits, "withhold autodiscover."));
		CU_ASSERT_EQUAL(strstr(b.zones[0].edits, "add _sandns.") != NULL, pass == 0);
		ctl_build_clear(&b);
		cfg_free(&cfg);
	}
}

/* A leaf just probed (what->fresh) stands in for the source without reading it. */
static void test_build_fresh_cert(void)
{
	cfg_t *cfg;
	ctl_build_t b, c;
	cert_t *fresh = leaf("DNS:autodiscover.example.net");
	cert_t *const list[1] = {fresh};
	const ctl_rebuild_t probed = {.fresh = list};
	const ctl_rebuild_t keep = {.fresh = (cert_t *const[1]){NULL}};

	build_policy(&cfg, &b);
	build(cfg, &b, &probed, &c);
	CU_ASSERT_PTR_EQUAL(c.certs[0], fresh);
	CU_ASSERT_EQUAL(c.zones[0].serial, 102);
	CU_ASSERT_STRING_EQUAL(c.zones[0].edits, "");
	expect_n_answered(c.zt);
	ctl_build_clear(&c);
	/* NULL in the list: the previous leaf. */
	build(cfg, &b, &keep, &c);
	CU_ASSERT_PTR_EQUAL(c.certs[0], b.certs[0]);
	CU_ASSERT_EQUAL(c.zones[0].serial, 101);
	ctl_build_clear(&c);
	ctl_build_clear(&b);
	cert_free(&fresh);
	cfg_free(&cfg);
}

/* "reload ZONE": only that zone is read again; the other one is shared with the build before. */
static void test_build_one_zone(void)
{
	const ctl_rebuild_t org = {.zones = true, .zone = "EXAMPLE.ORG"};
	const ctl_rebuild_t net = {.zones = true, .zone = "example.net."};
	cfg_t *cfg;
	ctl_build_t b, c, d;

	write_zone("o1.zone", 100, NULL);
	write_text("o2.zone", org_zone);
	cfg = config("zone example.net. o1.zone\nzone example.org o2.zone\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL_FATAL(b.nzones, 2);
	CU_ASSERT_EQUAL(b.records, NET_RRS + 3);
	CU_ASSERT_STRING_EQUAL(b.zones[1].origin, "example.org.");
	build(cfg, &b, &org, &c);
	CU_ASSERT_PTR_EQUAL(c.raw[0], b.raw[0]);
	CU_ASSERT_PTR_NOT_EQUAL(c.raw[1], b.raw[1]);
	build(cfg, &c, &net, &d);
	CU_ASSERT_PTR_NOT_EQUAL(d.raw[0], c.raw[0]);
	CU_ASSERT_PTR_EQUAL(d.raw[1], c.raw[1]);
	CU_ASSERT_EQUAL(zt_zone_count(d.zt), 2);
	ask(d.zt, "ns1.example.org.", T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	ctl_build_clear(&d);
	cfg_free(&cfg);
}

/* One record (presentation form) deleted (DEL) or added through X: the call's return. */
static int xfr_op(zload_xfr_t *x, bool del, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_buffer *buf = ldns_buffer_new(512);
	int rc;

	CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL), LDNS_STATUS_OK);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_rdata2buffer_wire(buf, rr), LDNS_STATUS_OK);
	rc = (del ? zload_xfr_del : zload_xfr_add)(
	    x, ldns_rdf_data(ldns_rr_owner(rr)), (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
	    ldns_buffer_begin(buf), ldns_buffer_position(buf));
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	return rc;
}

/* Zone I of B as zt_new() compiles it (no edits). */
static zt_zone_edits_t plain(const ctl_build_t *b, size_t i)
{
	return (zt_zone_edits_t){.zone = b->raw[i], .serial = b->zones[i].serial};
}

/* What ctl_build() compiles with: CFG's settings, the edits ZE (two zones), into O. */
static const zt_opts_t *opts_of(const cfg_t *cfg, const zt_zone_edits_t *ze, zt_opts_t *o)
{
	ctl_build_opts(cfg, o);
	o->edits = ze;
	o->nedits = 2;
	return o;
}

/* Names the patch tests compare snapshots on. */
static const char *const patch_names[] = {
    "example.net.",    "ns1.example.net.", "mail.example.net.",	  "www.example.net.",
    "example.org.",    "ns1.example.org.", "new.example.org.",	  "new2.example.org.",
    "no.example.org.", "sub.example.org.", "www.sub.example.org."};
#define NPATCH_NAMES (sizeof(patch_names) / sizeof(patch_names[0]))

/* The node of zone ORIGIN's apex in T. */
static uint32_t apex_of(const zt_t *t, const char *origin)
{
	uint8_t key[WIRE_NAME_MAX + 1];

	return zt_find(t, key, tu_name_wire(key, origin));
}

/*
 * A reload that changes one zone's data only is patched (zt_patch(): a snapshot that answers
 * the change); what else changed
 * (nothing at all, a zone not kept) compiles whole, saying why. Through ctl_build() with the
 * snapshot served as base, the change is served either way.
 */
static void test_build_patch(void)
{
	const ctl_rebuild_t org = {.zones = true, .zone = "example.org."};
	const ctl_rebuild_t none = {.zones = false};
	char why[256];
	zt_zone_edits_t ze[2];
	zt_opts_t o;
	cfg_t *cfg;
	ctl_build_t b, c, d;
	zt_t *out = (zt_t *)1;
	size_t nodes_tip, ans_tip;
	int rc;

	write_zone("p1.zone", 100, NULL);
	write_text("p2.zone", org_zone);
	cfg = config("zone example.net. p1.zone\nzone example.org p2.zone\n");
	build(cfg, NULL, NULL, &b);
	{
		char text[512];

		snprintf(text, sizeof(text), "%snew 3600 IN A 192.0.2.64\n", org_zone);
		write_text("p2.zone", text);
	}
	build(cfg, &b, &org, &c);
	ze[0] = plain(&c, 0);
	ze[1] = plain(&c, 1);
	rc = ctl_patch(cfg, &b, b.zt, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why), err,
		       sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(c.patched);
	CU_ASSERT_EQUAL(c.patched_names, 1);
	ask(out, "new.example.org.", T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	zt_free(&out);
	/* Nothing read again, no zone's data changed (nor edits, decisions, settings): a snapshot
	 * of its own sharing every zone of the one served, nothing compiled or appended. */
	build(cfg, &b, &none, &d);
	ze[0] = plain(&d, 0);
	ze[1] = plain(&d, 1);
	nodes_tip = b.zt->store->tip[ZT_ARR_NODES];
	ans_tip = b.zt->store->tip[ZT_ARR_ANS];
	rc = ctl_patch(cfg, &b, b.zt, &d, opts_of(cfg, ze, &o), &out, why, sizeof(why), err,
		       sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(d.patched);
	CU_ASSERT_EQUAL(d.patched_names, 0);
	CU_ASSERT_EQUAL(d.patched_zones, 0);
	CU_ASSERT_PTR_NOT_EQUAL(out, b.zt);
	CU_ASSERT_PTR_EQUAL(out->nodes, b.zt->nodes);
	CU_ASSERT_EQUAL(b.zt->store->tip[ZT_ARR_NODES], nodes_tip);
	CU_ASSERT_EQUAL(b.zt->store->tip[ZT_ARR_ANS], ans_tip);
	CU_ASSERT_TRUE(tu_same_answers(out, b.zt, patch_names, NPATCH_NAMES));
	zt_free(&out);
	/* No snapshot served to patch. */
	CU_ASSERT_EQUAL(ctl_patch(cfg, &b, NULL, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why),
				  err, sizeof(err)),
			ZT_PATCH_FULL);
	CU_ASSERT_STRING_EQUAL(why, "no snapshot of these zones to patch");
	ctl_build_clear(&d);
	/* The zones as read not kept (keep-zones): nothing to compare the new version with, the
	 * zone is replaced (taken out, its new version compiled in); the other zone's nodes are
	 * the snapshot served's, and the answers those of a whole compile (C's) to the octet. */
	zload_free(&b.raw[1]);
	ze[0] = plain(&c, 0);
	ze[1] = plain(&c, 1);
	rc = ctl_patch(cfg, &b, b.zt, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why), err,
		       sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(c.patched);
	CU_ASSERT_EQUAL(c.patched_names, 0);
	CU_ASSERT_EQUAL(c.patched_zones, 1);
	CU_ASSERT_PTR_EQUAL(out->nodes, b.zt->nodes);
	CU_ASSERT_EQUAL(apex_of(out, "example.net."), apex_of(b.zt, "example.net."));
	CU_ASSERT_NOT_EQUAL(apex_of(out, "example.org."), apex_of(b.zt, "example.org."));
	ask(out, "new.example.org.", T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(tu_same_answers(out, c.zt, patch_names, NPATCH_NAMES));
	zt_free(&out);
	ctl_build_clear(&c);
	/* Not kept, but an IXFR applied to the version served noted its names: patched. */
	{
		zload_zone_t *given[2] = {NULL, NULL};
		ctl_rebuild_t on = org;
		zload_xfr_t *x;

		build(cfg, NULL, NULL, &d);
		x = zload_xfr_new("example.org.", d.raw[1], "IXFR");
		CU_ASSERT_EQUAL(xfr_op(x, true,
				       "example.org. 3600 IN SOA ns1.example.org. "
				       "hostmaster.example.org. 7 7200 3600 1209600 300"),
				0);
		CU_ASSERT_EQUAL(xfr_op(x, false,
				       "example.org. 3600 IN SOA ns1.example.org. "
				       "hostmaster.example.org. 8 7200 3600 1209600 300"),
				0);
		CU_ASSERT_EQUAL(xfr_op(x, false, "ixfr.example.org. 3600 IN A 192.0.2.66"), 0);
		given[1] = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(given[1]);
		zload_free(&d.raw[1]);
		on.given = given;
		build(cfg, &d, &on, &c);
		ze[0] = plain(&c, 0);
		ze[1] = plain(&c, 1);
		rc = ctl_patch(cfg, &d, d.zt, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why), err,
			       sizeof(err));
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL(c.patched_names, 2); /* the apex and ixfr.example.org. */
		ask(out, "ixfr.example.org.", T_A);
		EXPECT(LDNS_RCODE_NOERROR, 1, 0);
		zt_free(&out);
		zload_free(&given[1]);
		ctl_build_clear(&c);
		ctl_build_clear(&d);
	}
	/* Through ctl_build, the snapshot served as base: the change served, patched or not. */
	write_text("p2.zone", org_zone);
	ctl_build_clear(&b);
	build(cfg, NULL, NULL, &b);
	{
		char text[512];
		ctl_rebuild_t on = org;

		snprintf(text, sizeof(text), "%snew2 3600 IN A 192.0.2.65\n", org_zone);
		write_text("p2.zone", text);
		on.base = b.zt;
		build(cfg, &b, &on, &c);
	}
	ask(c.zt, "new2.example.org.", T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	ask(c.zt, "mail.example.net.", T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/*
 * A zone not kept in memory that changed, replaced by the patch beside another, unless a zone
 * served lies below it (or it below one): then compiled whole, saying why.
 */
static void test_build_patch_nested(void)
{
	const ctl_rebuild_t org = {.zones = true, .zone = "example.org."};
	char why[256], text[512];
	zt_zone_edits_t ze[2];
	zt_opts_t o;
	cfg_t *cfg;
	ctl_build_t b, c;
	zt_t *out = NULL;

	write_text("n1.zone", org_zone);
	write_text("n2.zone", "$ORIGIN sub.example.org.\n@ 3600 IN SOA ns1 hostmaster 3 7200 3600 "
			      "1209600 300\n@ 3600 IN NS ns1\nns1 3600 IN A 192.0.2.70\n"
			      "www 3600 IN A 192.0.2.71\n");
	cfg = config("zone example.org. n1.zone\nzone sub.example.org. n2.zone\n");
	build(cfg, NULL, NULL, &b);
	zload_free(&b.raw[0]);
	snprintf(text, sizeof(text), "%snew 3600 IN A 192.0.2.64\n", org_zone);
	write_text("n1.zone", text);
	build(cfg, &b, &org, &c);
	ze[0] = plain(&c, 0);
	ze[1] = plain(&c, 1);
	CU_ASSERT_EQUAL(ctl_patch(cfg, &b, b.zt, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why),
				  err, sizeof(err)),
			ZT_PATCH_FULL);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_STRING_EQUAL(why, "zone example.org. cannot go by a patch: it is at, above or "
				    "below another zone served");
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/* ORIGIN with N A records h0.. (serial SERIAL) as text (malloc'd). */
static char *many_hosts(const char *origin, unsigned n, unsigned serial)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$ORIGIN %s\n@ 3600 IN SOA ns1 hostmaster %u 7200 3600 1209600 300\n"
		"@ 3600 IN NS ns1\nns1 3600 IN A 192.0.2.1\n",
		origin, serial);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "h%u 3600 IN A 10.%u.%u.%u\n", i, (i >> 16) & 255, (i >> 8) & 255,
			i & 255);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	return text;
}

/*
 * Two zones of 100,000 hosts each, not kept: a change to one replaces it (its old version, half the
 * store, within the garbage bound), the other's nodes shared; a change to either after that
 * compiles whole (the store's garbage past the bound).
 */
static void test_build_patch_equal(void)
{
	const ctl_rebuild_t org = {.zones = true, .zone = "example.org."};
	char why[256], *text;
	zt_zone_edits_t ze[2];
	zt_opts_t o;
	cfg_t *cfg;
	ctl_build_t b, c;
	zt_t *out = NULL, *next = NULL;

	text = many_hosts("example.net.", 100000, 1);
	write_text("e1.zone", text);
	free(text);
	text = many_hosts("example.org.", 100000, 1);
	write_text("e2.zone", text);
	free(text);
	cfg = config("zone example.net. e1.zone\nzone example.org. e2.zone\n");
	build(cfg, NULL, NULL, &b);
	zload_free(&b.raw[1]);
	text = many_hosts("example.org.", 100000, 2);
	write_text("e2.zone", text);
	free(text);
	build(cfg, &b, &org, &c);
	ze[0] = plain(&c, 0);
	ze[1] = plain(&c, 1);
	CU_ASSERT_EQUAL_FATAL(ctl_patch(cfg, &b, b.zt, &c, opts_of(cfg, ze, &o), &out, why,
					sizeof(why), err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(c.patched_zones, 1);
	CU_ASSERT_PTR_EQUAL(out->nodes, b.zt->nodes);
	CU_ASSERT_EQUAL(apex_of(out, "example.net."), apex_of(b.zt, "example.net."));
	CU_ASSERT_TRUE(tu_same_answers(out, c.zt, patch_names, NPATCH_NAMES));
	/* Again, on the snapshot replaced: the garbage would pass what is live, compiled whole. */
	zload_free(&c.raw[1]);
	zt_free(&c.zt);
	c.zt = out;
	{
		ctl_build_t d;

		text = many_hosts("example.org.", 100000, 3);
		write_text("e2.zone", text);
		free(text);
		build(cfg, &c, &org, &d);
		ze[0] = plain(&d, 0);
		ze[1] = plain(&d, 1);
		CU_ASSERT_EQUAL(ctl_patch(cfg, &c, c.zt, &d, opts_of(cfg, ze, &o), &next, why,
					  sizeof(why), err, sizeof(err)),
				ZT_PATCH_FULL);
		CU_ASSERT_STRING_EQUAL(why, "the patches' garbage and the zones taken out or "
					    "replaced are compiled away");
		ctl_build_clear(&d);
	}
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/*
 * A zone not kept that is most of the store (beside a small one) is compiled whole rather than
 * replaced: nothing of it would be shared and its old version would stay as garbage; the small
 * one beside it is replaced.
 */
static void test_build_patch_most(void)
{
	const ctl_rebuild_t net = {.zones = true, .zone = "example.net."};
	const ctl_rebuild_t org = {.zones = true, .zone = "example.org."};
	char why[256], small[512], *text;
	zt_zone_edits_t ze[2];
	zt_opts_t o;
	cfg_t *cfg;
	ctl_build_t b, c;
	zt_t *out = NULL;

	text = many_hosts("example.net.", 30000, 1);
	write_text("m1.zone", text);
	free(text);
	write_text("m2.zone", org_zone);
	cfg = config("zone example.net. m1.zone\nzone example.org. m2.zone\n");
	build(cfg, NULL, NULL, &b);
	/* The small one, not kept, changed: replaced. */
	zload_free(&b.raw[1]);
	snprintf(small, sizeof(small), "%snew 3600 IN A 192.0.2.64\n", org_zone);
	write_text("m2.zone", small);
	build(cfg, &b, &org, &c);
	ze[0] = plain(&c, 0);
	ze[1] = plain(&c, 1);
	CU_ASSERT_EQUAL(ctl_patch(cfg, &b, b.zt, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why),
				  err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(c.patched_zones, 1);
	zt_free(&out);
	ctl_build_clear(&c);
	/* The large one, not kept, changed: most of the store, compiled whole. */
	zload_free(&b.raw[0]);
	text = many_hosts("example.net.", 30001, 2);
	write_text("m1.zone", text);
	free(text);
	build(cfg, &b, &net, &c);
	ze[0] = plain(&c, 0);
	ze[1] = plain(&c, 1);
	CU_ASSERT_EQUAL(ctl_patch(cfg, &b, b.zt, &c, opts_of(cfg, ze, &o), &out, why, sizeof(why),
				  err, sizeof(err)),
			ZT_PATCH_FULL);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_STRING_EQUAL(why, "the patches' garbage and the zones taken out or replaced are "
				    "compiled away");
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/*
 * The zone the policy edits, reloaded with a name added, then its SRV target's address moved:
 * each a patched snapshot (the same edits and decisions), with the edits in force in it.
 */
static void test_build_patch_edits(void)
{
	const ctl_rebuild_t net = {.zones = true, .zone = "example.net."};
	ctl_rebuild_t on = net;
	cfg_t *cfg;
	ctl_build_t b, c, d;

	write_zone("pe.zone", 100, "_autodiscover._tcp IN SRV 0 0 443 owa\n");
	write_cert("pe.pem", "DNS:mail.example.net");
	cfg = config("zone example.net. pe.zone\ncert pe.pem\n");
	build(cfg, NULL, NULL, &b);
	expect_n_replaced(b.zt, "101");
	write_zone("pe.zone", 101, "_autodiscover._tcp IN SRV 0 0 443 owa\nnew IN A 192.0.2.64\n");
	on.base = b.zt;
	build(cfg, &b, &on, &c);
	CU_ASSERT_TRUE(c.patched);
	CU_ASSERT_EQUAL(c.patched_names, 2); /* the apex and new.D */
	expect_n_replaced(c.zt, "102");
	ask(c.zt, "new." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	ask(c.zt, SRV, T_SRV);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), SRV " 3600 IN SRV 0 0 443 mail." D));
	CU_ASSERT_TRUE(list_has(ldns_pkt_additional(resp), "mail." D " 3600 IN A 192.0.2.25"));
	/* The SRV's target moves: its answer's additional section with it. */
	write_text("pe.zone", "$ORIGIN example.net.\n$TTL 3600\n"
			      "@ IN SOA ns1 hostmaster 102 7200 3600 1209600 300\n"
			      "@ IN NS ns1\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.27\n"
			      "owa IN A 192.0.2.26\nautodiscover IN A 192.0.2.25\n"
			      "_autodiscover._tcp IN SRV 0 0 443 owa\nnew IN A 192.0.2.64\n");
	on.base = c.zt;
	build(cfg, &c, &on, &d);
	CU_ASSERT_TRUE(d.patched);
	expect_n_replaced(d.zt, "103");
	ask(d.zt, SRV, T_SRV);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_additional(resp), "mail." D " 3600 IN A 192.0.2.27"));
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	ctl_build_clear(&d);
	cfg_free(&cfg);
}

/*
 * The policy reads every zone: reloading one zone can change another's edits (its SRV target
 * lives in the zone reloaded). The other zone is not read again, yet its serial moves.
 */
static void test_build_cross_zone(void)
{
	const ctl_rebuild_t org = {.zones = true, .zone = "example.org."};
	cfg_t *cfg;
	ctl_build_t b, c;

	write_zone("x1.zone", 100, NULL);
	write_text("x2.zone", "$ORIGIN example.org.\n"
			      "@ 3600 IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
			      "@ 3600 IN NS ns1\n"
			      "ns1 3600 IN A 192.0.2.63\n"
			      "mail 3600 IN A 192.0.2.25\n");
	write_cert("x.pem", "DNS:mail.example.org");
	cfg = config("zone example.net. x1.zone\nzone example.org. x2.zone\ncert x.pem\n");
	build(cfg, NULL, NULL, &b);
	CU_ASSERT_EQUAL(b.zones[0].serial, 101);
	CU_ASSERT_TRUE(has(b.zones[0].edits, "add " SRV " SRV 3600 0 0 443 mail.example.org.\n"));
	CU_ASSERT_STRING_EQUAL(b.zones[1].edits, "");
	CU_ASSERT_EQUAL(b.zones[1].serial, 7);
	ask(b.zt, SRV, T_SRV);
	EXPECT(LDNS_RCODE_NOERROR, 1, 0);
	CU_ASSERT_TRUE(
	    list_has(ldns_pkt_answer(resp), SRV " 3600 IN SRV 0 0 443 mail.example.org."));
	/* The target goes from example.org: no target qualifies for example.net any more. */
	write_text("x2.zone", org_zone);
	build(cfg, &b, &org, &c);
	CU_ASSERT_PTR_EQUAL(c.raw[0], b.raw[0]);
	CU_ASSERT_STRING_EQUAL(c.zones[0].edits, "");
	CU_ASSERT_EQUAL(c.zones[0].serial, 102);
	CU_ASSERT_EQUAL(c.zones[1].serial, 7);
	expect_n_answered(c.zt);
	ctl_build_clear(&b);
	ctl_build_clear(&c);
	cfg_free(&cfg);
}

/* (e) a certificate file that is no certificate; (f) a zone not configured. */
static void test_build_errors(void)
{
	static const ctl_rebuild_t certs = {.certs = true};
	const ctl_rebuild_t nosuch = {.zones = true, .zone = "nosuch.test."};
	char path[512];
	cfg_t *cfg;
	ctl_build_t b;

	write_zone("e.zone", 100, NULL);
	write_text("bad.pem", "this is not a certificate\n");
	path_of(path, sizeof(path), "bad.pem");
	cfg = config("zone example.net. e.zone\ncert bad.pem\n");
	build_fails(cfg, NULL, NULL, SANDNS_ECONFIG, path);
	cfg_free(&cfg);
	/* Missing, then garbage on a re-read. */
	path_of(path, sizeof(path), "none.pem");
	cfg = config("zone example.net. e.zone\ncert none.pem\n");
	build_fails(cfg, NULL, NULL, SANDNS_ECONFIG, path);
	cfg_free(&cfg);
	build_policy(&cfg, &b);
	write_text("b.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	path_of(path, sizeof(path), "b.pem");
	build_fails(cfg, &b, &certs, SANDNS_ECONFIG, path);
	build_fails(cfg, &b, &nosuch, SANDNS_ECONFIG, "no zone nosuch.test. is configured");
	/* The build before is untouched. */
	expect_n_replaced(b.zt, "101");
	ctl_build_clear(&b);
	cfg_free(&cfg);
	/* A zone file that is not there. */
	path_of(path, sizeof(path), "missing.zone");
	cfg = config("zone example.net. missing.zone\n");
	build_fails(cfg, NULL, NULL, SANDNS_EZONE, path);
	cfg_free(&cfg);
	/* One zone configured twice (cfg_check would refuse it first; the compiler does too). */
	cfg = config("zone example.net. e.zone\nzone example.net e.zone\n");
	build_fails(cfg, NULL, NULL, SANDNS_EZONE, "served twice");
	cfg_free(&cfg);
}

/* (g): a zone file broken on reload names its file and line; the build before stays. */
static void test_build_broken_zone(void)
{
	static const ctl_rebuild_t zones = {.zones = true};
	char want[600];
	cfg_t *cfg;
	ctl_build_t b;

	build_policy(&cfg, &b);
	write_text("b.zone", "$ORIGIN example.net.\n"
			     "$TTL 3600\n"
			     "@ IN SOA ns1 hostmaster 101 7200 3600 1209600 300\n"
			     "@ IN NS ns1\n"
			     "ns1 IN A 192.0.2.300\n");
	path_of(want, sizeof(want) - 4, "b.zone");
	strcat(want, ":5:");
	build_fails(cfg, &b, &zones, SANDNS_EZONE, want);
	/* With the certificates re-read as well. */
	build_fails(cfg, &b, NULL, SANDNS_EZONE, want);
	expect_n_replaced(b.zt, "101");
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

static void test_policy_key(void)
{
	zload_zone_t *z;
	cert_t *c;
	policy_t *p;
	static const policy_opts_t none = {0};
	char *k = ctl_policy_key(NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_STRING_EQUAL(k, "");
	free(k);
	z = zload_string(D,
			 "$ORIGIN example.net.\n@ 60 IN SOA ns h 1 2 3 4 5\n@ 60 IN NS ns\n"
			 "ns 60 IN A 192.0.2.1\nmail 60 IN A 192.0.2.2\n"
			 "autodiscover 60 IN A 192.0.2.2\n",
			 "k.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	c = leaf("DNS:mail.example.net");
	p = policy_evaluate(&z, 1, &c, 1, &none, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	k = ctl_policy_key(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	/* One line per decision: name, family, kind, target, applied. */
	CU_ASSERT_TRUE(has(k, N " 1 "));
	CU_ASSERT_TRUE(has(k, " mail." D " 1\n"));
	CU_ASSERT_TRUE(has(k, N " 28 "));
	free(k);
	policy_free(&p);
	cert_free(&c);
	zload_free(&z);
}

/* ------------------------------------------------------------------ the policy's edits */

#define HEAD                                                                                       \
	"$ORIGIN example.net.\n"                                                                   \
	"$TTL 3600\n"                                                                              \
	"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"                                        \
	"@ IN NS ns1\n"                                                                            \
	"ns1 IN A 192.0.2.53\n"

/* The policy over one zone TEXT (example.net) and one leaf for SANS. */
static policy_t *evaluate(const char *text, const char *sans)
{
	static const policy_opts_t none = {0};
	zload_zone_t *z = zload_string(D, text, "p.zone", NULL, NULL, err, sizeof(err));
	cert_t *c;
	policy_t *p;

	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	c = leaf(sans);
	p = policy_evaluate(&z, 1, &c, 1, &none, err, sizeof(err));
	zload_free(&z);
	cert_free(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/* Index of the edit OP OWNER TYPE (RDATA when not NULL), or -1. */
static long find_edit(const policy_t *p, enum zload_edit_op op, const char *owner, uint16_t type,
		      const char *rdata)
{
	for (size_t i = 0; i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);

		if (e->op == op && strcmp(e->owner, owner) == 0 &&
		    (op == ZLOAD_EDIT_EMPTY_NODE || e->type == type) &&
		    (rdata == NULL || (e->rdata != NULL && strcmp(e->rdata, rdata) == 0)))
			return (long)i;
	}
	return -1;
}

/* Prints the edits (when a test about them fails). */
static void dump_edits(const policy_t *p)
{
	for (size_t i = 0; i < policy_edit_count(p); i++) {
		const zload_edit_t *e = policy_edit(p, i);

		fprintf(stderr, "\n  edit %zu: op %d %s type %u ttl %u %s (%s)", i, (int)e->op,
			e->owner, e->type, e->ttl, e->rdata != NULL ? e->rdata : "-",
			policy_edit_domain(p, i));
	}
	fprintf(stderr, "\n");
}

static void test_edits_synthesize(void)
{
	policy_t *p = evaluate(HEAD "autodiscover A 192.0.2.25\n"
				    "autodiscover AAAA 2001:db8::25\n"
				    "mail A 192.0.2.25\n"
				    "mail AAAA 2001:db8::25\n",
			       "DNS:mail.example.net");
	const zload_edit_t *e;

	if (policy_edit_count(p) != 5)
		dump_edits(p);
	CU_ASSERT_EQUAL_FATAL(policy_edit_count(p), 5);
	e = policy_edit(p, 0);
	CU_ASSERT_EQUAL(e->op, ZLOAD_EDIT_WITHHOLD);
	CU_ASSERT_STRING_EQUAL(e->owner, N);
	CU_ASSERT_EQUAL(e->type, T_A);
	e = policy_edit(p, 1);
	CU_ASSERT_EQUAL(e->op, ZLOAD_EDIT_WITHHOLD);
	CU_ASSERT_STRING_EQUAL(e->owner, N);
	CU_ASSERT_EQUAL(e->type, T_AAAA);
	e = policy_edit(p, 2);
	CU_ASSERT_EQUAL(e->op, ZLOAD_EDIT_EMPTY_NODE);
	CU_ASSERT_STRING_EQUAL(e->owner, N);
	/* A record below N keeps N an empty non-terminal in the zone data (AXFR carries it). */
	e = policy_edit(p, 3);
	CU_ASSERT_EQUAL(e->op, ZLOAD_EDIT_ADD);
	CU_ASSERT_STRING_EQUAL(e->owner, "_sandns." N);
	CU_ASSERT_EQUAL(e->type, T_TXT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->rdata, "withheld"));
	e = policy_edit(p, 4);
	CU_ASSERT_EQUAL(e->op, ZLOAD_EDIT_ADD);
	CU_ASSERT_STRING_EQUAL(e->owner, SRV);
	CU_ASSERT_EQUAL(e->type, T_SRV);
	CU_ASSERT_EQUAL(e->ttl, 3600);
	CU_ASSERT_STRING_EQUAL(e->rdata, "0 0 443 mail." D);
	for (size_t i = 0; i < 5; i++)
		CU_ASSERT_STRING_EQUAL(policy_edit_domain(p, i), D);
	policy_free(&p);
}

static void test_edits_in_zone_cname(void)
{
	policy_t *p = evaluate(HEAD "autodiscover CNAME mail\n"
				    "mail A 192.0.2.25\n",
			       "DNS:mail.example.net");

	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_WITHHOLD, N, T_CNAME, NULL) >= 0);
	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_EMPTY_NODE, N, 0, NULL) >= 0);
	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_ADD, SRV, T_SRV, "0 0 443 mail." D) >= 0);
	/* The target's own address is not touched. */
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_WITHHOLD, "mail." D, T_A, NULL), -1);
	policy_free(&p);
}

/* N with a name below it is an empty non-terminal already: no marker record is needed. */
static void test_edits_descendant(void)
{
	policy_t *p = evaluate(HEAD "autodiscover A 192.0.2.25\n"
				    "_acme-challenge.autodiscover TXT \"token\"\n"
				    "mail A 192.0.2.25\n",
			       "DNS:mail.example.net");

	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_WITHHOLD, N, T_A, NULL) >= 0);
	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_EMPTY_NODE, N, 0, NULL) >= 0);
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_ADD, "_sandns." N, T_TXT, NULL), -1);
	policy_free(&p);
}

static void test_edits_other_data(void)
{
	policy_t *p = evaluate(HEAD "autodiscover A 192.0.2.25\n"
				    "autodiscover TXT \"keep me\"\n"
				    "mail A 192.0.2.25\n",
			       "DNS:mail.example.net");

	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_WITHHOLD, N, T_A, NULL) >= 0);
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_EMPTY_NODE, N, 0, NULL), -1);
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_WITHHOLD, N, T_TXT, NULL), -1);
	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_ADD, SRV, T_SRV, "0 0 443 mail." D) >= 0);
	policy_free(&p);
}

/* Reported-only decisions change nothing. */
static void test_edits_none(void)
{
	static const struct {
		const char *what, *text, *sans;
	} cases[] = {
	    {"covered", HEAD "autodiscover A 192.0.2.25\nmail A 192.0.2.25\n",
	     "DNS:autodiscover.example.net,DNS:mail.example.net"},
	    {"covered by *.D", HEAD "autodiscover A 192.0.2.25\n", "DNS:*.example.net"},
	    {"foreign CNAME",
	     HEAD "autodiscover CNAME autodiscover.outlook.com.\nmail A 192.0.2.25\n",
	     "DNS:mail.example.net"},
	    {"keep, alert", HEAD "autodiscover A 192.0.2.25\n", "DNS:mail.example.org"},
	    {"signed",
	     HEAD "@ DNSKEY 257 3 13 "
		  "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
		  "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
		  "autodiscover A 192.0.2.25\nmail A 192.0.2.25\n",
	     "DNS:mail.example.net"},
	    {"no N", HEAD "mail A 192.0.2.25\n", "DNS:mail.example.net"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		policy_t *p = evaluate(cases[i].text, cases[i].sans);

		if (policy_edit_count(p) != 0) {
			fprintf(stderr, "\n  %s:", cases[i].what);
			dump_edits(p);
		}
		CU_ASSERT_EQUAL(policy_edit_count(p), 0);
		policy_free(&p);
	}
}

/* An SRV whose target is not covered is replaced by the synthesized one (withheld first). */
static void test_edits_replace_srv(void)
{
	policy_t *p = evaluate(HEAD "autodiscover A 192.0.2.25\n"
				    "mail A 192.0.2.25\n"
				    "other A 192.0.2.11\n"
				    "_autodiscover._tcp SRV 0 0 443 other\n",
			       "DNS:mail.example.net");
	long w = find_edit(p, ZLOAD_EDIT_WITHHOLD, SRV, T_SRV, NULL);
	long a = find_edit(p, ZLOAD_EDIT_ADD, SRV, T_SRV, "0 0 443 mail." D);

	CU_ASSERT_TRUE(w >= 0);
	CU_ASSERT_TRUE(a >= 0);
	CU_ASSERT_TRUE(w < a); /* in that order, or the new record would go too */
	policy_free(&p);
}

/* A valid SRV exists: N's address goes, the SRV stays as it is. */
static void test_edits_existing_srv(void)
{
	policy_t *p = evaluate(HEAD "autodiscover A 192.0.2.25\n"
				    "mail A 192.0.2.25\n"
				    "_autodiscover._tcp SRV 0 0 443 mail\n",
			       "DNS:mail.example.net");

	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_WITHHOLD, N, T_A, NULL) >= 0);
	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_EMPTY_NODE, N, 0, NULL) >= 0);
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_WITHHOLD, SRV, T_SRV, NULL), -1);
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_ADD, SRV, T_SRV, NULL), -1);
	policy_free(&p);
}

/* N only through *.D: the explicit empty node is what stops the wildcard. */
static void test_edits_wildcard(void)
{
	policy_t *p = evaluate(HEAD "* A 192.0.2.25\n"
				    "mail A 192.0.2.25\n",
			       "DNS:mail.example.net");

	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_EMPTY_NODE, N, 0, NULL) >= 0);
	CU_ASSERT_TRUE(find_edit(p, ZLOAD_EDIT_ADD, SRV, T_SRV, "0 0 443 mail." D) >= 0);
	/* Nothing at *.D is withheld: other names keep the wildcard. */
	CU_ASSERT_EQUAL(find_edit(p, ZLOAD_EDIT_WITHHOLD, "*." D, T_A, NULL), -1);
	policy_free(&p);
}

/* Edits belong to their domain: two zones, one edited. */
static void test_edits_two_domains(void)
{
	static const policy_opts_t none = {0};
	zload_zone_t *z[2];
	cert_t *c = leaf("DNS:mail.example.net,DNS:autodiscover.example.org");
	policy_t *p;

	z[0] = zload_string("example.org.",
			    "$ORIGIN example.org.\n$TTL 60\n"
			    "@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
			    "autodiscover A 192.0.2.9\n",
			    "o.zone", NULL, NULL, err, sizeof(err));
	z[1] = zload_string(D, HEAD "autodiscover A 192.0.2.25\nmail A 192.0.2.25\n", "n.zone",
			    NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[1]);
	p = policy_evaluate(z, 2, &c, 1, &none, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(policy_edit_count(p) > 0);
	for (size_t i = 0; i < policy_edit_count(p); i++) {
		CU_ASSERT_STRING_EQUAL(policy_edit_domain(p, i), D);
		CU_ASSERT_PTR_NOT_NULL(strstr(policy_edit(p, i)->owner, D));
	}
	policy_free(&p);
	zload_free(&z[0]);
	zload_free(&z[1]);
	cert_free(&c);
}

void reg_cutest_ctl(void)
{
	CU_pSuite s = CU_add_suite("ctl", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "flip: after two probes agree", test_flip);
	CU_add_test(s, "build: no certificate, zones as written", test_build_no_cert);
	CU_add_test(s, "build: the policy edits, serial + 1", test_build_policy);
	CU_add_test(s, "build: policy lifted, serial still forward", test_build_policy_lifted);
	CU_add_test(s, "build: nothing changed keeps the serial", test_build_nothing_changed);
	CU_add_test(s, "build: a long zone name", test_build_long_origin);
	CU_add_test(s, "build: an uncovered SRV replaced by the synthesized one",
		    test_build_srv_replaced);
	CU_add_test(s, "build: a produced catalog keeps its serial across a restart",
		    test_build_catalog_restart);
	CU_add_test(s, "the policy's lookup fails: the build fails naming the zone",
		    test_build_policy_lookup_fails);
	CU_add_test(s, "build: serial-state across restarts", test_build_serial_state);
	CU_add_test(s, "build: keep-zones no drops the zones as read", test_build_drop_zones);
	CU_add_test(s, "build: the file's serial moves", test_build_file_serial);
	CU_add_test(s, "build: a freshly probed leaf", test_build_fresh_cert);
	CU_add_test(s, "build: reload one zone", test_build_one_zone);
	CU_add_test(s, "build: one zone's data changed: patched, else compiled whole (why)",
		    test_build_patch);
	CU_add_test(s, "build: a zone not kept replaced, unless nested: compiled whole (why)",
		    test_build_patch_nested);
	CU_add_test(s, "build: a zone not kept, most of the store: compiled whole (why)",
		    test_build_patch_most);
	CU_add_test(s, "build: one of two equal zones not kept replaced, once",
		    test_build_patch_equal);
	CU_add_test(s, "build: zone changed, serial not", test_build_stale_serial);
	CU_add_test(s, "build: the policy's zone changed: patched with its edits",
		    test_build_patch_edits);
	CU_add_test(s, "build: one zone reloaded, another's edits change", test_build_cross_zone);
	CU_add_test(s, "build: bad certificate, unknown zone, missing file", test_build_errors);
	CU_add_test(s, "build: zone file broken on reload", test_build_broken_zone);
	CU_add_test(s, "policy key", test_policy_key);
	CU_add_test(s, "edits: synthesize", test_edits_synthesize);
	CU_add_test(s, "edits: in-zone CNAME at N", test_edits_in_zone_cname);
	CU_add_test(s, "edits: N keeps other data, no empty node", test_edits_other_data);
	CU_add_test(s, "edits: N with descendants, no marker record", test_edits_descendant);
	CU_add_test(s, "edits: none for reported-only decisions", test_edits_none);
	CU_add_test(s, "edits: an uncovered SRV replaced", test_edits_replace_srv);
	CU_add_test(s, "edits: a valid SRV kept", test_edits_existing_srv);
	CU_add_test(s, "edits: N only through the wildcard", test_edits_wildcard);
	CU_add_test(s, "edits: per domain", test_edits_two_domains);
}
