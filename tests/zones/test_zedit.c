/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zedit.c: CUnit suite for zones/zedit.c (zload_edit, references), zload_describe
 * (zload_query.c) and what the compiled snapshot makes of an edited zone (zt_answer,
 * zt_xfr_render, zt_explain) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cutest.h"
#include "sandns_err.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_pvt.h"
#include "zt.h"

/* ------------------------------------------------------------------ the zone under test */

#define D "example.net."
#define FILE_SERIAL 2024050101UL
#define NEW_SERIAL 2024050102UL
#define SRC "(policy)"
#define N_NAME "autodiscover." D

/*
 * One zone, the line of each record noted: a wildcard at the apex (so that autodiscover.D exists
 * only through it), a name with A, MX and AAAA, a name with TXT only, and a delegation.
 */
static const char zone_text[] = "$ORIGIN example.net.\n"				     /* 1 */
				"$TTL 3600\n"						     /* 2 */
				"@ IN SOA ns1 hostmaster 2024050101 7200 3600 1209600 300\n" /* 3 */
				"@ IN NS ns1\n"						     /* 4 */
				"ns1 IN A 192.0.2.53\n"					     /* 5 */
				"mail IN A 192.0.2.25\n"				     /* 6 */
				"mail IN MX 10 mail\n"					     /* 7 */
				"mail IN AAAA 2001:db8::25\n"				     /* 8 */
				"* IN A 192.0.2.99\n"					     /* 9 */
				"txt IN TXT \"hello\"\n"     /* 10 */
				"sub IN NS ns.sub\n"	     /* 11 */
				"ns.sub IN A 192.0.2.200\n"; /* 12 */
#define ZONE_RRS 10

/* The negative-answer SOA with serial S: TTL min(3600, MINIMUM 300). */
#define SOA_RR(s) D " 300 IN SOA ns1." D " hostmaster." D " " s " 7200 3600 1209600 300"

static char err[1024];
static zload_zone_t *orig;

static int suite_init(void)
{
	orig = zload_string(D, zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	if (orig == NULL) {
		fprintf(stderr, "zedit suite: %s\n", err);
		return -1;
	}
	return 0;
}

static ldns_pkt *resp;

static int suite_cleanup(void)
{
	ldns_pkt_free(resp);
	resp = NULL;
	zload_free(&orig);
	return 0;
}

/* ORIG with EDITS (N of them) applied and NEW_SERIAL; fails the test when the edit fails. */
static zload_zone_t *edit(const zload_edit_t *edits, size_t n)
{
	zload_zone_t *z;

	err[0] = '\0';
	z = zload_edit(orig, edits, n, NEW_SERIAL, SRC, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "\n  zload_edit: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	return z;
}

/* The edit is refused: NULL, and err names the zone and holds WANT. */
static void edit_fails(const zload_edit_t *edits, size_t n, const char *want)
{
	zload_zone_t *z;

	err[0] = '\0';
	z = zload_edit(orig, edits, n, NEW_SERIAL, SRC, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	zload_free(&z);
	if (strstr(err, D) == NULL || strstr(err, want) == NULL)
		fprintf(stderr, "\n  expected '%s' and '%s' in '%s'\n", D, want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, D));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
}

/* zload_describe() of OWNER/TYPE into a fresh buffer; returns the count, text in *out. */
static char dbuf[8192];
static size_t describe(const zload_zone_t *z, const char *owner, uint16_t type)
{
	dbuf[0] = '\0';
	return zload_describe(z, owner, type, dbuf, sizeof(dbuf));
}

static bool has(const char *s, const char *want)
{
	if (strstr(s, want) != NULL)
		return true;
	fprintf(stderr, "\n  expected '%s' in '%s'\n", want, s);
	return false;
}

/* The same without case: names in a response may take the question's case (compression). */
static bool has_nocase(const char *s, const char *want)
{
	if (strcasestr(s, want) != NULL)
		return true;
	fprintf(stderr, "\n  expected '%s' in '%s'\n", want, s);
	return false;
}

/* The original zone is as loaded: what every edit must leave alone. */
static void orig_unchanged(void)
{
	CU_ASSERT_EQUAL(zload_rr_count(orig), ZONE_RRS);
	CU_ASSERT_EQUAL(zload_serial(orig), FILE_SERIAL);
	CU_ASSERT_EQUAL(describe(orig, "mail." D, T_A), 1);
	CU_ASSERT_EQUAL(describe(orig, "_autodiscover._tcp." D, 0), 0);
	CU_ASSERT_EQUAL(describe(orig, D, T_SOA), 1);
	CU_ASSERT_TRUE(has(dbuf, " 2024050101 7200 "));
}

/* ------------------------------------------------------------------ asking the snapshot */

/* Asks T for NAME/QTYPE over TCP (never truncated); the response, parsed, in resp. */
static void ask(const zt_t *t, const char *name, uint16_t qtype)
{
	ldns_pkt_free(resp);
	resp = tu_ask(t, 0x2a2a, name, qtype);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
}

/* An RR as one line of text, tabs as spaces, without the newline (malloc'd). */
static char *rr_line(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s[strcspn(s, "\n")] = '\0';
	for (char *c = s; *c != '\0'; c++)
		if (*c == '\t')
			*c = ' ';
	return s;
}

/* Whether list L holds the record WANT ("owner ttl IN TYPE rdata", compared without case). */
static bool list_has(const ldns_rr_list *l, const char *want)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		char *s = rr_line(ldns_rr_list_rr(l, i));
		bool eq = strcasecmp(s, want) == 0;

		free(s);
		if (eq)
			return true;
	}
	fprintf(stderr, "\n  no '%s' in the section\n", want);
	return false;
}

static void dump_resp(void)
{
	char *s = ldns_pkt2str(resp);

	fprintf(stderr, "\n%s\n", s != NULL ? s : "(unprintable)");
	free(s);
}

/* Header of the response in resp: rcode, AA, answer and authority counts. */
#define EXPECT(rc, aa, nan, nns)                                                                   \
	do {                                                                                       \
		if (ldns_pkt_get_rcode(resp) != (rc) || ldns_pkt_aa(resp) != (aa) ||               \
		    ldns_pkt_ancount(resp) != (nan) || ldns_pkt_nscount(resp) != (nns))            \
			dump_resp();                                                               \
		CU_ASSERT_EQUAL(ldns_pkt_get_rcode(resp), (rc));                                   \
		CU_ASSERT_EQUAL(ldns_pkt_aa(resp), (aa));                                          \
		CU_ASSERT_EQUAL(ldns_pkt_ancount(resp), (nan));                                    \
		CU_ASSERT_EQUAL(ldns_pkt_nscount(resp), (nns));                                    \
	} while (0)

/* Compiles Z alone. */
static zt_t *compile(zload_zone_t *z)
{
	zt_t *t = zt_new(&z, 1, NULL, err, sizeof(err));

	if (t == NULL)
		fprintf(stderr, "\n  zt_new: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

/* ------------------------------------------------------------------ zload_edit */

static void test_withhold(void)
{
	const zload_edit_t e[] = {{.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_A}};
	zload_zone_t *z = edit(e, 1);

	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS - 1);
	CU_ASSERT_EQUAL(describe(z, "mail." D, T_A), 0);
	CU_ASSERT_STRING_EQUAL(dbuf, "");
	/* The rest of the node stays, each record still on its own file line. */
	CU_ASSERT_EQUAL(describe(z, "mail." D, 0), 2);
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:7: mail." D " 3600 IN MX 10 mail." D "\n"
				     "t.zone:8: mail." D " 3600 IN AAAA 2001:db8::25\n");
	CU_ASSERT_EQUAL(describe(z, "txt." D, 0), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:10: txt." D " 3600 IN TXT \"hello\"\n");
	CU_ASSERT_EQUAL(describe(z, "ns.sub." D, T_A), 1);
	CU_ASSERT_TRUE(has(dbuf, "t.zone:12: "));
	/* Owner names compare without case; a withheld wildcard is just another owner. */
	{
		const zload_edit_t w[] = {
		    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "MAIL.Example.NET.", .type = T_AAAA},
		    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "*." D, .type = T_A},
		};
		zload_zone_t *z2 = edit(w, 2);

		CU_ASSERT_EQUAL(zload_rr_count(z2), ZONE_RRS - 2);
		CU_ASSERT_EQUAL(describe(z2, "mail." D, T_AAAA), 0);
		CU_ASSERT_EQUAL(describe(z2, "*." D, 0), 0);
		CU_ASSERT_EQUAL(describe(z2, "mail." D, T_A), 1);
		zload_free(&z2);
	}
	zload_free(&z);
	orig_unchanged();
}

static void test_serial(void)
{
	zload_zone_t *z = edit(NULL, 0);

	CU_ASSERT_EQUAL(zload_serial(z), NEW_SERIAL);
	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS);
	CU_ASSERT_STRING_EQUAL(zload_origin(z), D);
	/* The SOA record itself carries the serial, the rest of it untouched, its line kept. */
	CU_ASSERT_EQUAL(describe(z, D, T_SOA), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:3: " D " 3600 IN SOA ns1." D " hostmaster." D
				     " 2024050102 7200 3600 1209600 300\n");
	zload_free(&z);
	orig_unchanged();
}

static void test_add(void)
{
	const zload_edit_t e[] = {
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "_autodiscover._tcp." D,
	     .type = T_SRV,
	     .ttl = 3600,
	     .rdata = "0 0 443 mail." D},
	    /* Relative names in RDATA are taken relative to the origin. */
	    {.op = ZLOAD_EDIT_ADD, .owner = "a.b." D, .type = T_CNAME, .ttl = 60, .rdata = "mail"},
	};
	zload_zone_t *z = edit(e, 2);

	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS + 2);
	CU_ASSERT_EQUAL(describe(z, "_autodiscover._tcp." D, 0), 1);
	CU_ASSERT_STRING_EQUAL(dbuf,
			       SRC ":0: _autodiscover._tcp." D " 3600 IN SRV 0 0 443 mail." D "\n");
	CU_ASSERT_EQUAL(describe(z, "a.b." D, T_CNAME), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, SRC ":0: a.b." D " 60 IN CNAME mail." D "\n");
	/* The file's records keep their file. */
	CU_ASSERT_EQUAL(describe(z, "mail." D, T_A), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:6: mail." D " 3600 IN A 192.0.2.25\n");
	zload_free(&z);
	/* Without a source name, the added records are still attributed to something. */
	z = zload_edit(orig, e, 1, NEW_SERIAL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(describe(z, "_autodiscover._tcp." D, T_SRV), 1);
	CU_ASSERT_TRUE(has(dbuf, ":0: _autodiscover._tcp." D " 3600 IN SRV"));
	zload_free(&z);
	orig_unchanged();
}

static void test_add_existing(void)
{
	const zload_edit_t e[] = {
	    /* In the file already (owner in another case): not a second copy. */
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "MAIL.example.NET.",
	     .type = T_A,
	     .ttl = 3600,
	     .rdata = "192.0.2.25"},
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "mail." D,
	     .type = T_MX,
	     .ttl = 3600,
	     .rdata = "10 mail." D},
	    /* Added twice by the edits themselves: once. */
	    {.op = ZLOAD_EDIT_ADD, .owner = "new." D, .type = T_A, .ttl = 60, .rdata = "192.0.2.1"},
	    {.op = ZLOAD_EDIT_ADD, .owner = "new." D, .type = T_A, .ttl = 60, .rdata = "192.0.2.1"},
	};
	zload_zone_t *z = edit(e, 4);

	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS + 1);
	CU_ASSERT_EQUAL(describe(z, "mail." D, T_A), 1);
	/* The record that was there stays the file's. */
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:6: mail." D " 3600 IN A 192.0.2.25\n");
	CU_ASSERT_EQUAL(describe(z, "mail." D, T_MX), 1);
	CU_ASSERT_EQUAL(describe(z, "new." D, T_A), 1);
	zload_free(&z);
}

static void test_withhold_absent(void)
{
	const zload_edit_t e[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_TXT},
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "nothere." D, .type = T_A},
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "autodiscover." D, .type = T_AAAA},
	};
	zload_zone_t *z = edit(e, 3);

	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS);
	CU_ASSERT_EQUAL(describe(z, "mail." D, 0), 3);
	zload_free(&z);
}

static void test_order(void)
{
	const zload_edit_t replace[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_A},
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "mail." D,
	     .type = T_A,
	     .ttl = 60,
	     .rdata = "192.0.2.26"},
	};
	const zload_edit_t undo[] = {
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "mail." D,
	     .type = T_A,
	     .ttl = 60,
	     .rdata = "192.0.2.26"},
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_A},
	    {.op = ZLOAD_EDIT_ADD, .owner = "mail." D, .type = T_TXT, .ttl = 60, .rdata = "\"x\""},
	};
	zload_zone_t *z = edit(replace, 2);

	CU_ASSERT_EQUAL(describe(z, "mail." D, T_A), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, SRC ":0: mail." D " 60 IN A 192.0.2.26\n");
	zload_free(&z);
	/* Added, then withheld by a later edit: gone, the file's A with it. */
	z = edit(undo, 3);
	CU_ASSERT_EQUAL(describe(z, "mail." D, T_A), 0);
	CU_ASSERT_EQUAL(describe(z, "mail." D, T_TXT), 1);
	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS);
	zload_free(&z);
}

/* Whether the name field F (or the owner) is WANT (LEN octets with the root), octet for octet. */
static bool name_is(const ldns_rdf *f, const uint8_t *want, size_t len)
{
	if (f != NULL && ldns_rdf_size(f) == len && memcmp(ldns_rdf_data(f), want, len) == 0)
		return true;
	char *s = f != NULL ? ldns_rdf2str(f) : NULL;

	fprintf(stderr, "\n  name %s is not the one wanted\n", s != NULL ? s : "-");
	free(s);
	return false;
}

/*
 * The policy's names come from certificates and the operator, where "@.example.net" is a name
 * like any other: an added record's owner and the names in its data come out as written,
 * never the origin ldns 1.8 makes of a first label that is (or starts with) "@"; and an owner
 * of more than 254 characters of text (escapes) is read, as the loader reads both
 * (zload_ldnsfix.c). A free-standing "@" stays the origin.
 */
static void test_add_at_names(void)
{
	static const zload_edit_t e[] = {
	    {.op = ZLOAD_EDIT_ADD, .owner = "@x." D, .type = T_TXT, .ttl = 60, .rdata = "\"t\""},
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "_autodiscover._tcp." D,
	     .type = T_SRV,
	     .ttl = 3600,
	     .rdata = "0 0 443 @." D},
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "c." D,
	     .type = T_CNAME,
	     .ttl = 60,
	     .rdata = "\\064.mail"},
	    {.op = ZLOAD_EDIT_ADD, .owner = "m." D, .type = T_MX, .ttl = 60, .rdata = "10 \\@"},
	    {.op = ZLOAD_EDIT_ADD, .owner = "n." D, .type = T_MX, .ttl = 60, .rdata = "10 @"},
	};
	/* Each owner and last name in the data as wire literals (their NUL the root). */
#define NM(s) s, sizeof(s)
	static const struct {
		const char *owner;
		size_t olen;
		const char *name;
		size_t nlen;
	} want[] = {
	    {NM("\002@x\007example\003net"), NULL, 0},
	    {NM("\015_autodiscover\004_tcp\007example\003net"), NM("\001@\007example\003net")},
	    {NM("\001c\007example\003net"), NM("\001@\004mail\007example\003net")},
	    {NM("\001m\007example\003net"), NM("\001@\007example\003net")},
	    {NM("\001n\007example\003net"), NM("\007example\003net")},
	};
#undef NM
	char owner[1024];
	size_t o = 0;
	zload_edit_t lng = {.op = ZLOAD_EDIT_ADD, .type = T_A, .ttl = 60, .rdata = "192.0.2.7"};
	ldns_rr *rr;
	zload_zone_t *z;

	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		const ldns_rdf *f;

		err[0] = '\0';
		CU_ASSERT_EQUAL_FATAL(zload_edit_rr(orig, &e[i], &rr, err, sizeof(err)), 0);
		CU_ASSERT_TRUE(
		    name_is(ldns_rr_owner(rr), (const uint8_t *)want[i].owner, want[i].olen));
		f = ldns_rr_rdf(rr, ldns_rr_rd_count(rr) - 1);
		if (want[i].name != NULL)
			CU_ASSERT_TRUE(name_is(f, (const uint8_t *)want[i].name, want[i].nlen));
		ldns_rr_free(rr);
	}
	/* The same through zload_edit(): the records a compiled zone serves. */
	z = edit(e, sizeof(e) / sizeof(e[0]));
	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS + 5);
	CU_ASSERT_EQUAL(describe(z, "\\@x." D, T_TXT), 1);
	CU_ASSERT_EQUAL(describe(z, D, T_TXT), 0);
	CU_ASSERT_EQUAL(describe(z, "_autodiscover._tcp." D, T_SRV), 1);
	/* The label "@" printed escaped: the name, not the origin, to any reader of the line. */
	CU_ASSERT_TRUE(has(dbuf, "SRV 0 0 443 \\@." D "\n"));
	zload_free(&z);
	/* Four labels of 50 octets each written \DDD: 217 octets, 816 characters. */
	for (int l = 0; l < 4; l++) {
		for (int k = 0; k < 50; k++)
			o += snprintf(owner + o, sizeof(owner) - o, "\\%03d", 'a' + (l + k) % 26);
		owner[o++] = '.';
	}
	snprintf(owner + o, sizeof(owner) - o, "%s", D);
	lng.owner = owner;
	CU_ASSERT_EQUAL_FATAL(zload_edit_rr(orig, &lng, &rr, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ldns_rdf_size(ldns_rr_owner(rr)), 217);
	ldns_rr_free(rr);
	orig_unchanged();
}

static void test_errors(void)
{
	const zload_edit_t outside[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_A}, /* fine, then: */
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "mail.example.org.",
	     .type = T_A,
	     .ttl = 60,
	     .rdata = "192.0.2.1"},
	};
	const zload_edit_t parent[] = {{.op = ZLOAD_EDIT_WITHHOLD, .owner = "net.", .type = T_A}};
	const zload_edit_t empty_out[] = {{.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "x.example.org."}};
	const zload_edit_t soa_w[] = {{.op = ZLOAD_EDIT_WITHHOLD, .owner = D, .type = T_SOA}};
	const zload_edit_t soa_a[] = {{.op = ZLOAD_EDIT_ADD,
				       .owner = D,
				       .type = T_SOA,
				       .ttl = 60,
				       .rdata = "ns1 hostmaster 9 7200 3600 1209600 300"}};
	const zload_edit_t bad_a[] = {{.op = ZLOAD_EDIT_ADD,
				       .owner = "x." D,
				       .type = T_A,
				       .ttl = 60,
				       .rdata = "not-an-address"}};
	const zload_edit_t bad_srv[] = {{.op = ZLOAD_EDIT_ADD,
					 .owner = "_x._tcp." D,
					 .type = T_SRV,
					 .ttl = 60,
					 .rdata = "0 0"}};
	const zload_edit_t extra[] = {{.op = ZLOAD_EDIT_ADD,
				       .owner = "x." D,
				       .type = T_A,
				       .ttl = 60,
				       .rdata = "192.0.2.1 junk"}};
	const zload_edit_t no_rdata[] = {
	    {.op = ZLOAD_EDIT_ADD, .owner = "x." D, .type = T_A, .ttl = 60, .rdata = NULL}};
	const zload_edit_t bad_owner[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "a..b." D, .type = 1}};

	edit_fails(outside, 2, "outside the zone");
	edit_fails(parent, 1, "outside the zone");
	edit_fails(empty_out, 1, "outside the zone");
	edit_fails(soa_w, 1, "SOA");
	edit_fails(soa_a, 1, "SOA");
	edit_fails(bad_a, 1, "not-an-address");
	edit_fails(bad_srv, 1, "cannot add");
	edit_fails(extra, 1, "cannot add");
	edit_fails(no_rdata, 1, "x." D);
	edit_fails(bad_owner, 1, "not a domain name");
	orig_unchanged();
}

static void test_describe(void)
{
	char small[48];
	size_t n;

	/* Every type at the owner, in file order, with file and line. */
	CU_ASSERT_EQUAL(describe(orig, "Mail.Example.Net.", 0), 3);
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:6: mail." D " 3600 IN A 192.0.2.25\n"
				     "t.zone:7: mail." D " 3600 IN MX 10 mail." D "\n"
				     "t.zone:8: mail." D " 3600 IN AAAA 2001:db8::25\n");
	/* One type; appended to what the buffer holds. */
	snprintf(dbuf, sizeof(dbuf), "before\n");
	CU_ASSERT_EQUAL(zload_describe(orig, "mail." D, T_MX, dbuf, sizeof(dbuf)), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, "before\nt.zone:7: mail." D " 3600 IN MX 10 mail." D "\n");
	/* Nothing there: 0, the buffer as it was. The wildcard is a name like any other. */
	snprintf(dbuf, sizeof(dbuf), "kept");
	CU_ASSERT_EQUAL(zload_describe(orig, "autodiscover." D, 0, dbuf, sizeof(dbuf)), 0);
	CU_ASSERT_STRING_EQUAL(dbuf, "kept");
	CU_ASSERT_EQUAL(describe(orig, "mail." D, T_TXT), 0);
	CU_ASSERT_EQUAL(describe(orig, "*." D, T_A), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, "t.zone:9: *." D " 3600 IN A 192.0.2.99\n");
	/* A name that does not parse matches nothing. */
	CU_ASSERT_EQUAL(describe(orig, "a..b", 0), 0);
	/* Too small a buffer: cut, terminated, and still every record counted. */
	memset(small, 'z', sizeof(small));
	small[0] = '\0';
	n = zload_describe(orig, "mail." D, 0, small, sizeof(small));
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE(memchr(small, '\0', sizeof(small)) != NULL);
	CU_ASSERT_EQUAL(strncmp(small, "t.zone:6: mail." D, strlen("t.zone:6: mail." D)), 0);
	CU_ASSERT_EQUAL(zload_describe(orig, "mail." D, 0, small, 0), 0);
}

static void test_ref_free(void)
{
	const zload_edit_t e[] = {
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "_autodiscover._tcp." D,
	     .type = T_SRV,
	     .ttl = 3600,
	     .rdata = "0 0 443 mail." D},
	};
	zload_zone_t *a = zload_string(D, zone_text, "own.zone", NULL, NULL, err, sizeof(err));
	zload_zone_t *b, *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	b = zload_ref(a);
	CU_ASSERT_PTR_EQUAL(b, a);
	zload_free(&a);
	CU_ASSERT_PTR_NULL(a);
	/* The other reference still holds the zone. */
	CU_ASSERT_STRING_EQUAL(zload_origin(b), D);
	CU_ASSERT_EQUAL(zload_rr_count(b), ZONE_RRS);
	/* An edited copy owns its data: it outlives the zone it was made from. */
	c = zload_edit(b, e, 1, 7, "src", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	zload_free(&b);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_EQUAL(describe(c, "mail." D, T_A), 1);
	CU_ASSERT_STRING_EQUAL(dbuf, "own.zone:6: mail." D " 3600 IN A 192.0.2.25\n");
	CU_ASSERT_EQUAL(describe(c, "_autodiscover._tcp." D, T_SRV), 1);
	CU_ASSERT_TRUE(has(dbuf, "src:0: "));
	CU_ASSERT_EQUAL(zload_serial(c), 7);
	/* A copy takes references too: two of them, two frees. */
	CU_ASSERT_PTR_EQUAL(zload_ref(zload_ref(c)), c);
	b = c;
	zload_free(&b);
	b = c;
	zload_free(&b);
	CU_ASSERT_EQUAL(zload_rr_count(c), ZONE_RRS + 1);
	zload_free(&c);
	zload_free(&c); /* NULL is fine */
	zload_free(NULL);
}

/* An edited zone edited again keeps the first edits: added records, their source, empty nodes. */
static void test_edit_of_edit(void)
{
	const zload_edit_t first[] = {
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "_autodiscover._tcp." D,
	     .type = T_SRV,
	     .ttl = 3600,
	     .rdata = "0 0 443 mail." D},
	    {.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "autodiscover." D},
	};
	const zload_edit_t second[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_A}};
	zload_zone_t *a = edit(first, 2);
	zload_zone_t *b = zload_edit(a, second, 1, NEW_SERIAL + 1, "second", err, sizeof(err));
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	zload_free(&a);
	CU_ASSERT_EQUAL(zload_serial(b), NEW_SERIAL + 1);
	CU_ASSERT_EQUAL(describe(b, "_autodiscover._tcp." D, T_SRV), 1);
	CU_ASSERT_TRUE(has(dbuf, SRC ":0: "));
	CU_ASSERT_EQUAL(describe(b, "mail." D, T_A), 0);
	t = compile(b);
	ask(t, "autodiscover." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1); /* the empty node survived the second copy */
	CU_ASSERT_TRUE(list_has(ldns_pkt_authority(resp), SOA_RR("2024050103")));
	zt_free(&t);
	zload_free(&b);
}

/* ------------------------------------------------------------------ the compiled result */

/* The policy's edits for autodiscover.D reached only through the wildcard. */
static const zload_edit_t policy_edits[] = {
    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "autodiscover." D, .type = T_A},
    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "autodiscover." D, .type = T_AAAA},
    {.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "autodiscover." D},
    {.op = ZLOAD_EDIT_ADD,
     .owner = "_autodiscover._tcp." D,
     .type = T_SRV,
     .ttl = 3600,
     .rdata = "0 0 443 mail." D},
    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_A},
};

static void test_zt_empty_node(void)
{
	zload_zone_t *z = edit(policy_edits, 3);
	zt_t *t0 = compile(orig), *t = compile(z);

	/* Before: the wildcard answers for autodiscover.D. */
	ask(t0, "autodiscover." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), "autodiscover." D " 3600 IN A 192.0.2.99"));
	/* After: the node exists with no data: NODATA, the new serial in the SOA. */
	ask(t, "autodiscover." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);
	CU_ASSERT_TRUE(list_has(ldns_pkt_authority(resp), SOA_RR("2024050102")));
	ask(t, "AutoDiscover." D, T_AAAA);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);
	ask(t, "autodiscover." D, T_TXT);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);
	/* Other names are still the wildcard's. */
	ask(t, "other." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), "other." D " 3600 IN A 192.0.2.99"));
	ask(t, "deep.other." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	/*
	 * Below the empty node: autodiscover.D is the closest encloser and has no wildcard child,
	 * so the apex's wildcard does not apply (RFC 4592 3.3.1): NXDOMAIN.
	 */
	ask(t, "x.autodiscover." D, T_A);
	EXPECT(LDNS_RCODE_NXDOMAIN, true, 0, 1);
	CU_ASSERT_TRUE(list_has(ldns_pkt_authority(resp), SOA_RR("2024050102")));
	/* The SOA itself and the snapshot's idea of the serial. */
	ask(t, D, T_SOA);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), D " 3600 IN SOA ns1." D " hostmaster." D
							 " 2024050102 7200 3600 1209600 300"));
	CU_ASSERT_EQUAL(zt_zone_serial(t, 0), NEW_SERIAL);
	CU_ASSERT_EQUAL(zt_zone_serial(t0, 0), FILE_SERIAL);
	zt_free(&t0);
	zt_free(&t);
	zload_free(&z);
}

/* An empty node deeper down makes its ancestors exist too (empty non-terminals). */
static void test_zt_empty_node_deep(void)
{
	const zload_edit_t e[] = {{.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "a.b." D}};
	zload_zone_t *z = edit(e, 1);
	zt_t *t = compile(z);

	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS);
	ask(t, "a.b." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);
	ask(t, "b." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);
	ask(t, "c.b." D, T_A);
	EXPECT(LDNS_RCODE_NXDOMAIN, true, 0, 1);
	/* An empty node where records are does not hide them. */
	{
		const zload_edit_t m[] = {{.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "mail." D}};
		zload_zone_t *z2 = edit(m, 1);
		zt_t *t2 = compile(z2);

		ask(t2, "mail." D, T_A);
		EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
		zt_free(&t2);
		zload_free(&z2);
	}
	zt_free(&t);
	zload_free(&z);
}

static void test_zt_withhold_keeps_node(void)
{
	zload_zone_t *z = edit(policy_edits + 4, 1);
	zt_t *t = compile(z);

	ask(t, "mail." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);
	CU_ASSERT_TRUE(list_has(ldns_pkt_authority(resp), SOA_RR("2024050102")));
	ask(t, "mail." D, T_MX);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), "mail." D " 3600 IN MX 10 mail." D));
	/* The MX target's additional data no longer has the withheld A. */
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_additional(resp)); i++)
		CU_ASSERT_NOT_EQUAL(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_additional(resp), i)),
				    LDNS_RR_TYPE_A);
	ask(t, "mail." D, T_AAAA);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	zt_free(&t);
	zload_free(&z);
}

/* What an AXFR's sink collected: every answer record as text. */
struct axfr {
	unsigned nmsg;
	bool bad;
	size_t n;
	char *rr[64];
};

static int axfr_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct axfr *x = ctx;
	ldns_pkt *p = NULL;

	x->nmsg++;
	if (ldns_wire2pkt(&p, msg, len) != LDNS_STATUS_OK) {
		x->bad = true;
		return 0;
	}
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR || !ldns_pkt_qr(p))
		x->bad = true;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(p)); i++) {
		if (x->n == sizeof(x->rr) / sizeof(x->rr[0])) {
			x->bad = true;
			break;
		}
		x->rr[x->n++] = rr_line(ldns_rr_list_rr(ldns_pkt_answer(p), i));
	}
	ldns_pkt_free(p);
	return 0;
}

static bool axfr_has(const struct axfr *x, const char *want)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcasecmp(x->rr[i], want) == 0)
			return true;
	return false;
}

static void test_zt_added_srv(void)
{
	zload_zone_t *z = edit(policy_edits, 5);
	zt_t *t = compile(z);
	struct axfr x = {0};
	uint8_t q[512];
	size_t qlen;
	const char *soa =
	    D " 3600 IN SOA ns1." D " hostmaster." D " 2024050102 7200 3600 1209600 300";

	ask(t, "_autodiscover._tcp." D, T_SRV);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp),
				"_autodiscover._tcp." D " 3600 IN SRV 0 0 443 mail." D));
	/* _tcp.D is an empty non-terminal now. */
	ask(t, "_tcp." D, T_A);
	EXPECT(LDNS_RCODE_NOERROR, true, 0, 1);

	qlen = tu_query(q, 0x7777, 0, D, T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(t, q, qlen, axfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_FALSE(x.bad);
	/* SOA first and last, the new serial in both; every record of the edited zone once. */
	CU_ASSERT_EQUAL_FATAL(x.n, zload_rr_count(z) + 1);
	CU_ASSERT_EQUAL(zload_rr_count(z), ZONE_RRS - 1 + 1);
	CU_ASSERT_STRING_EQUAL(x.rr[0], soa);
	CU_ASSERT_STRING_EQUAL(x.rr[x.n - 1], soa);
	CU_ASSERT_TRUE(axfr_has(&x, "_autodiscover._tcp." D " 3600 IN SRV 0 0 443 mail." D));
	CU_ASSERT_TRUE(axfr_has(&x, "mail." D " 3600 IN MX 10 mail." D));
	CU_ASSERT_FALSE(axfr_has(&x, "mail." D " 3600 IN A 192.0.2.25"));
	CU_ASSERT_TRUE(axfr_has(&x, "*." D " 3600 IN A 192.0.2.99"));
	for (size_t i = 0; i < x.n; i++)
		free(x.rr[i]);
	zt_free(&t);
	zload_free(&z);
}

/* The zone a secondary loads from T's AXFR of D (the closing SOA left out). */
static zload_zone_t *secondary_of(const zt_t *t)
{
	struct axfr x = {0};
	uint8_t q[512];
	size_t qlen = tu_query(q, 0x7878, 0, D, T_AXFR, C_IN), len = 0;
	char *text = calloc(1, 64 * 600);
	zload_zone_t *z;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(zt_xfr_render(t, q, qlen, axfr_sink, &x), SANDNS_EOK);
	CU_ASSERT_FALSE(x.bad);
	for (size_t i = 0; i + 1 < x.n; i++)
		len += (size_t)snprintf(text + len, 64 * 600 - len, "%s\n", x.rr[i]);
	for (size_t i = 0; i < x.n; i++)
		free(x.rr[i]);
	z = zload_string(D, text, "axfr", NULL, NULL, err, sizeof(err));
	free(text);
	if (z == NULL)
		fprintf(stderr, "\n  secondary: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	return z;
}

/*
 * An explicit empty node has no record, so AXFR cannot carry it: a secondary loading the transfer
 * would answer autodiscover.D from the wildcard *.D or, without one, NXDOMAIN (never allowed:
 * RFC 8020). That is why the policy also adds a record below N (_sandns.N TXT): N is then an empty
 * non-terminal in the zone data itself, and the secondary answers NODATA as the primary does.
 */
static const zload_edit_t marker_edit = {.op = ZLOAD_EDIT_ADD,
					 .owner = "_sandns.autodiscover." D,
					 .type = T_TXT,
					 .ttl = 3600,
					 .rdata = "\"withheld\""};

/* Compiles Z (the primary) and a secondary from its AXFR; checks N's A on both. */
static void check_transfer(zload_zone_t *z, uint8_t primary_rcode, uint16_t primary_an,
			   uint8_t secondary_rcode, uint16_t secondary_an)
{
	zt_t *t = compile(z), *st;
	zload_zone_t *sz;

	ask(t, N_NAME, T_A);
	EXPECT(primary_rcode, true, primary_an, primary_an == 0 ? 1 : 0);
	sz = secondary_of(t);
	st = compile(sz);
	CU_ASSERT_EQUAL(zload_serial(sz), NEW_SERIAL);
	ask(st, "_autodiscover._tcp." D, T_SRV); /* the added SRV travels */
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	ask(st, N_NAME, T_A);
	EXPECT(secondary_rcode, true, secondary_an, secondary_an == 0 ? 1 : 0);
	zt_free(&st);
	zload_free(&sz);
	zt_free(&t);
}

static void test_zt_empty_node_transfer(void)
{
	zload_edit_t with_marker[6], no_wild[6];
	zload_zone_t *z;

	memcpy(with_marker, policy_edits, 4 * sizeof(policy_edits[0]));
	with_marker[4] = marker_edit;
	memcpy(no_wild, with_marker, 5 * sizeof(with_marker[0]));
	no_wild[5] = (zload_edit_t){.op = ZLOAD_EDIT_WITHHOLD, .owner = "*." D, .type = T_A};

	/* The empty node alone: NODATA here, the wildcard's address on a secondary. */
	z = edit(policy_edits, 4);
	check_transfer(z, LDNS_RCODE_NOERROR, 0, LDNS_RCODE_NOERROR, 1);
	zload_free(&z);
	/* The empty node alone, no wildcard: NODATA here, NXDOMAIN on a secondary. */
	no_wild[4] = no_wild[5];
	z = edit(no_wild, 5);
	check_transfer(z, LDNS_RCODE_NOERROR, 0, LDNS_RCODE_NXDOMAIN, 0);
	zload_free(&z);
	/* With the record below N, as the policy makes it: NODATA on both, wildcard or not. */
	z = edit(with_marker, 5);
	check_transfer(z, LDNS_RCODE_NOERROR, 0, LDNS_RCODE_NOERROR, 0);
	zload_free(&z);
	no_wild[4] = marker_edit;
	z = edit(no_wild, 6);
	check_transfer(z, LDNS_RCODE_NOERROR, 0, LDNS_RCODE_NOERROR, 0);
	zload_free(&z);
}

/* Every message of T's AXFR of D, concatenated (for comparing two snapshots byte for byte). */
struct axfr_bytes {
	uint8_t buf[65536];
	size_t len;
};

static int axfr_bytes_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct axfr_bytes *x = ctx;

	if (x->len + len <= sizeof(x->buf)) {
		memcpy(x->buf + x->len, msg, len);
		x->len += len;
	}
	return 0;
}

/*
 * The compiler applies the same edits itself (zt_opts_t.edits) without copying the zone: the
 * answers and the AXFR, byte for byte, equal those of the zone zload_edit() copies.
 */
static void test_zt_edits_in_compile(void)
{
	static const char *const names[] = {N_NAME,	"x." N_NAME, "_autodiscover._tcp." D,
					    "other." D, "mail." D,   D};
	static const uint16_t types[] = {T_A, T_AAAA, T_SRV, T_TXT, T_MX, T_SOA};
	zload_edit_t edits[8];
	zload_zone_t *copy;
	zt_zone_edits_t ze;
	zt_opts_t opts = {.edits = &ze, .nedits = 1};
	zt_t *a, *b;
	struct axfr_bytes *xa = calloc(1, sizeof(*xa)), *xb = calloc(1, sizeof(*xb));
	uint8_t q[512], ra[4096], rb[4096];
	const zt_answer_ctx_t udp = {.transport = ZT_UDP};
	size_t qlen;

	CU_ASSERT_PTR_NOT_NULL_FATAL(xa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xb);
	memcpy(edits, policy_edits, 4 * sizeof(policy_edits[0]));
	edits[4] = marker_edit;
	edits[5] = policy_edits[4]; /* and mail's A withheld */
	/* An RRset replaced: withheld, then added anew (what the policy does to an SRV). */
	edits[6] = (zload_edit_t){.op = ZLOAD_EDIT_WITHHOLD, .owner = "mail." D, .type = T_MX};
	edits[7] = (zload_edit_t){.op = ZLOAD_EDIT_ADD,
				  .owner = "mail." D,
				  .type = T_MX,
				  .ttl = 600,
				  .rdata = "20 other." D};
	copy = edit(edits, 8);
	a = compile(copy);
	ze = (zt_zone_edits_t){.zone = orig, .edits = edits, .nedits = 8, .serial = NEW_SERIAL};
	b = zt_new(&orig, 1, &opts, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(zt_zone_serial(b, 0), NEW_SERIAL);
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			zt_answer_info_t ia, ib;
			size_t la, lb;

			qlen = tu_query(q, 0x4242, 0, names[n], types[t], C_IN);
			la = zt_answer(a, q, qlen, ra, sizeof(ra), &udp, &ia);
			lb = zt_answer(b, q, qlen, rb, sizeof(rb), &udp, &ib);
			CU_ASSERT_EQUAL(la, lb);
			CU_ASSERT_TRUE(la == lb && memcmp(ra, rb, la) == 0);
		}
	}
	ask(b, "mail." D, T_MX);
	EXPECT(LDNS_RCODE_NOERROR, true, 1, 0);
	CU_ASSERT_TRUE(list_has(ldns_pkt_answer(resp), "mail." D " 600 IN MX 20 other." D));
	qlen = tu_query(q, 0x7777, 0, D, T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(a, q, qlen, axfr_bytes_sink, xa), SANDNS_EOK);
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, axfr_bytes_sink, xb), SANDNS_EOK);
	CU_ASSERT_TRUE(xa->len > 0 && xa->len == xb->len && memcmp(xa->buf, xb->buf, xa->len) == 0);
	/* A bad edit fails the compile with the zone named, as zload_edit() would. */
	edits[0].owner = "autodiscover.example.org.";
	ze.nedits = 1;
	CU_ASSERT_PTR_NULL(zt_new(&orig, 1, &opts, err, sizeof(err)));
	CU_ASSERT_TRUE(has(err, "outside the zone"));
	free(xa);
	free(xb);
	zt_free(&a);
	zt_free(&b);
	zload_free(&copy);
}

static int collect_rdata(void *ctx, const char *owner, uint16_t type, uint32_t ttl,
			 const char *rdata)
{
	char *buf = ctx;

	(void)owner;
	(void)type;
	(void)ttl;
	strcat(buf, rdata);
	strcat(buf, "|");
	return 0;
}

/* zload_lookup finds a name's records by search and gives them in file order. */
static void test_lookup_file_order(void)
{
	static const char text[] = "$ORIGIN " D "\n$TTL 60\n"
				   "@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\n"
				   "_s IN SRV 10 0 443 zzz." D "\n"
				   "_s IN TXT \"between\"\n"
				   "_s IN SRV 0 0 443 aaa." D "\n"
				   "_s IN SRV 5 0 443 mmm." D "\n";
	zload_zone_t *z = zload_string(D, text, "order", NULL, NULL, err, sizeof(err));
	char got[512] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_lookup(z, "_S." D, T_SRV, collect_rdata, got), 0);
	CU_ASSERT_STRING_EQUAL(got, "10 0 443 zzz." D "|0 0 443 aaa." D "|5 0 443 mmm." D "|");
	got[0] = '\0';
	CU_ASSERT_EQUAL(zload_lookup(z, "_s." D, 0, collect_rdata, got), 0);
	CU_ASSERT_STRING_EQUAL(got, "10 0 443 zzz." D "|\"between\"|0 0 443 aaa." D
				    "|5 0 443 mmm." D "|");
	CU_ASSERT_EQUAL(zload_has_name(z, "_s." D, true, false), 1);
	CU_ASSERT_EQUAL(zload_has_name(z, "_s." D, false, true), 0);
	CU_ASSERT_EQUAL(zload_has_name(z, D, false, true), 1);
	CU_ASSERT_EQUAL(zload_has_name(z, "nope." D, true, true), 0);
	CU_ASSERT_FALSE(zload_is_signed(z));
	/* A name that does not parse has none; memory out parsing one is an error, not "none". */
	CU_ASSERT_EQUAL(zload_has_name(z, "a..b." D, true, true), SANDNS_EPARSE);
	CU_ASSERT_EQUAL(zload_lookup(z, "a..b." D, 0, collect_rdata, got), SANDNS_EPARSE);
	zload_name_nomem_at = 1;
	CU_ASSERT_EQUAL(zload_has_name(z, "_s." D, true, true), -ENOMEM);
	zload_name_nomem_at = 1;
	CU_ASSERT_EQUAL(zload_lookup(z, "_s." D, 0, collect_rdata, got), -ENOMEM);
	CU_ASSERT_EQUAL(zload_name_nomem_at, 0);
	zload_free(&z);
}

/* ------------------------------------------------------------------ zt_explain */

static bool src_has(const zt_explanation_t *x, const char *owner, uint16_t type, uint8_t sec)
{
	for (size_t i = 0; i < x->nsrc; i++)
		if (strcasecmp(x->src[i].owner, owner) == 0 && x->src[i].type == type &&
		    x->src[i].section == sec)
			return true;
	fprintf(stderr, "\n  no source %s %u in section %u among %zu\n", owner, type, sec, x->nsrc);
	return false;
}

static void test_explain_matches(void)
{
	zload_zone_t *z = edit(policy_edits, 5);
	zt_t *t = compile(z);
	static zt_explanation_t x;

	/* EXACT */
	CU_ASSERT_EQUAL_FATAL(zt_explain(t, "MAIL.example.net", "MX", &x, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_EXACT);
	CU_ASSERT_STRING_EQUAL(x.name, "mail." D);
	CU_ASSERT_STRING_EQUAL(x.zone, D);
	CU_ASSERT_STRING_EQUAL(x.node, "mail." D);
	CU_ASSERT_EQUAL(x.serial, NEW_SERIAL);
	CU_ASSERT_EQUAL(x.rcode, LDNS_RCODE_NOERROR);
	CU_ASSERT_TRUE(x.aa);
	CU_ASSERT_TRUE(has_nocase(x.text, "answer: mail." D " 3600 IN MX 10 mail." D "\n"));
	CU_ASSERT_TRUE(src_has(&x, "mail." D, T_MX, 1));
	/* The added SRV */
	CU_ASSERT_EQUAL(zt_explain(t, "_autodiscover._tcp." D, "SRV", &x, err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_EXACT);
	CU_ASSERT_TRUE(has(x.text, "answer: _autodiscover._tcp." D " 3600 IN SRV 0 0 443 mail." D));
	CU_ASSERT_TRUE(src_has(&x, "_autodiscover._tcp." D, T_SRV, 1));
	/* EMPTY: the policy's node; NODATA with the SOA as the source in authority */
	CU_ASSERT_EQUAL(zt_explain(t, "autodiscover." D, "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_EMPTY);
	CU_ASSERT_STRING_EQUAL(x.node, "autodiscover." D);
	CU_ASSERT_EQUAL(x.rcode, LDNS_RCODE_NOERROR);
	CU_ASSERT_TRUE(has(x.text, "authority: " SOA_RR("2024050102")));
	CU_ASSERT_PTR_NULL(strstr(x.text, "answer:"));
	CU_ASSERT_TRUE(src_has(&x, D, T_SOA, 2));
	/* EMPTY: an empty non-terminal */
	CU_ASSERT_EQUAL(zt_explain(t, "_tcp." D, "SRV", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_EMPTY);
	/* WILDCARD: the wildcard is the node and the source */
	CU_ASSERT_EQUAL(zt_explain(t, "other." D, "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_WILDCARD);
	CU_ASSERT_STRING_EQUAL(x.node, "*." D);
	CU_ASSERT_STRING_EQUAL(x.name, "other." D);
	CU_ASSERT_EQUAL(x.rcode, LDNS_RCODE_NOERROR);
	CU_ASSERT_TRUE(has(x.text, "answer: other." D " 3600 IN A 192.0.2.99"));
	CU_ASSERT_TRUE(src_has(&x, "*." D, T_A, 1));
	/* NXDOMAIN below the empty node: the node is the closest encloser */
	CU_ASSERT_EQUAL(zt_explain(t, "x.autodiscover." D, "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_NXDOMAIN);
	CU_ASSERT_STRING_EQUAL(x.node, "autodiscover." D);
	CU_ASSERT_EQUAL(x.rcode, LDNS_RCODE_NXDOMAIN);
	CU_ASSERT_TRUE(x.aa);
	CU_ASSERT_TRUE(has(x.text, "authority: " SOA_RR("2024050102")));
	/* DELEGATION: below the cut, with a node (glue) and without */
	CU_ASSERT_EQUAL(zt_explain(t, "x.sub." D, "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_DELEGATION);
	CU_ASSERT_STRING_EQUAL(x.node, "sub." D);
	CU_ASSERT_EQUAL(x.rcode, LDNS_RCODE_NOERROR);
	CU_ASSERT_FALSE(x.aa);
	CU_ASSERT_TRUE(has(x.text, "authority: sub." D " 3600 IN NS ns.sub." D));
	CU_ASSERT_TRUE(src_has(&x, "sub." D, T_NS, 2));
	CU_ASSERT_EQUAL(zt_explain(t, "ns.sub." D, "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_DELEGATION);
	CU_ASSERT_EQUAL(zt_explain(t, "sub." D, "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_DELEGATION);
	/* NO_ZONE */
	CU_ASSERT_EQUAL(zt_explain(t, "www.example.org.", "A", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_NO_ZONE);
	CU_ASSERT_EQUAL(x.rcode, LDNS_RCODE_REFUSED);
	CU_ASSERT_STRING_EQUAL(x.zone, "");
	CU_ASSERT_EQUAL(x.nsrc, 0);
	CU_ASSERT_STRING_EQUAL(x.text, "");
	/* A type by number */
	CU_ASSERT_EQUAL(zt_explain(t, "txt." D, "TYPE16", &x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(x.match, ZT_MATCH_EXACT);
	CU_ASSERT_TRUE(has(x.text, "answer: txt." D " 3600 IN TXT \"hello\""));
	zt_free(&t);
	zload_free(&z);
}

static void test_explain_errors(void)
{
	zt_t *t = compile(orig);
	static zt_explanation_t x;

	err[0] = '\0';
	CU_ASSERT_EQUAL(zt_explain(t, "mail." D, "BOGUS", &x, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_TRUE(has(err, "BOGUS"));
	err[0] = '\0';
	CU_ASSERT_EQUAL(zt_explain(t, "a..b", "A", &x, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_TRUE(has(err, "a..b"));
	err[0] = '\0';
	CU_ASSERT_EQUAL(zt_explain(t, D, "AXFR", &x, err, sizeof(err)), SANDNS_EPARSE);
	CU_ASSERT_TRUE(has(err, "AXFR"));
	zt_free(&t);
}

void reg_cutest_zedit(void)
{
	CU_pSuite s = CU_add_suite("zedit", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "withhold a type at an owner", test_withhold);
	CU_add_test(s, "the serial, in the SOA too", test_serial);
	CU_add_test(s, "add: records attributed to the source, line 0", test_add);
	CU_add_test(s, "add what exists: no duplicate", test_add_existing);
	CU_add_test(s, "withhold what is absent: harmless", test_withhold_absent);
	CU_add_test(s, "edits applied in order", test_order);
	CU_add_test(s, "add: names whose first label is @, long owners", test_add_at_names);
	CU_add_test(s, "errors name the zone; the zone unchanged", test_errors);
	CU_add_test(s, "describe: FILE:LINE: RR lines", test_describe);
	CU_add_test(s, "references and free", test_ref_free);
	CU_add_test(s, "an edited zone edited again", test_edit_of_edit);
	CU_add_test(s, "empty node: NODATA, wildcard blocked, NXDOMAIN below", test_zt_empty_node);
	CU_add_test(s, "empty node deeper down; over records", test_zt_empty_node_deep);
	CU_add_test(s, "withheld A: the node keeps its MX", test_zt_withhold_keeps_node);
	CU_add_test(s, "added SRV: answered and transferred", test_zt_added_srv);
	CU_add_test(s, "edits applied by the compiler equal the edited copy",
		    test_zt_edits_in_compile);
	CU_add_test(s, "lookup: by search, in file order", test_lookup_file_order);
	CU_add_test(s, "empty node: AXFR carries it only with a record below",
		    test_zt_empty_node_transfer);
	CU_add_test(s, "explain: every kind of match", test_explain_matches);
	CU_add_test(s, "explain: a bad type or name", test_explain_errors);
}
