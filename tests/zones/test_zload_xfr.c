/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload_xfr.c: CUnit suite for a zone's next version from a transfer (zones/zload_xfr.c) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cutest.h"
#include "zload.h"
#include "zload_state.h"

#define SOA(n) "@ 300 IN SOA ns1 h " #n " 3600 60 600 60\n"
#define BASE                                                                                       \
	"$ORIGIN sec.test.\n" SOA(10) "@ 300 IN NS ns1\n"                                          \
				      "ns1 300 IN A 192.0.2.1\n"                                   \
				      "WWW 300 IN A 192.0.2.80\n"                                  \
				      "old 300 IN A 192.0.2.99\n"                                  \
				      "alias 300 IN CNAME Target.sec.test.\n"                      \
				      "txt 300 IN TXT \"Abc\"\n"

static char err[1024];

static zload_zone_t *base_zone(void)
{
	zload_zone_t *z =
	    zload_string("sec.test.", BASE, "base.zone", NULL, NULL, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	return z;
}

/* One record (presentation form, absolute) deleted (DEL) or added through X: the call's return. */
static int op(zload_xfr_t *x, bool del, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_buffer *b = ldns_buffer_new(512);
	int rc;

	CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&rr, text, 300, NULL, NULL), LDNS_STATUS_OK);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_rdata2buffer_wire(b, rr), LDNS_STATUS_OK);
	rc = (del ? zload_xfr_del : zload_xfr_add)(x, ldns_rdf_data(ldns_rr_owner(rr)),
						   (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
						   ldns_buffer_begin(b), ldns_buffer_position(b));
	ldns_buffer_free(b);
	ldns_rr_free(rr);
	return rc;
}

static int count_fn(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	(void)owner;
	(void)type;
	(void)ttl;
	(void)rdata;
	(*(size_t *)ctx)++;
	return 0;
}

/* How many records Z holds at OWNER of TYPE. */
static size_t at(const zload_zone_t *z, const char *owner, uint16_t type)
{
	size_t n = 0;

	CU_ASSERT_EQUAL(zload_lookup(z, owner, type, count_fn, &n), 0);
	return n;
}

static void test_del_add(void)
{
	zload_zone_t *base = base_zone(), *z;
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* Sequence 10 -> 11: old out, new in. */
	CU_ASSERT_EQUAL(
	    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 10 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, true, "old.sec.test. 300 IN A 192.0.2.99"), 0);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "new.sec.test. 300 IN A 192.0.2.10"), 0);
	/* Sequence 11 -> 12: what the first added is taken back. */
	CU_ASSERT_EQUAL(
	    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, true, "new.sec.test. 300 IN A 192.0.2.10"), 0);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 12 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "new2.sec.test. 300 IN A 192.0.2.11"), 0);
	CU_ASSERT_EQUAL(zload_xfr_count(x), 7);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_serial(z), 12);
	CU_ASSERT_EQUAL(zload_rr_count(z), 7);
	CU_ASSERT_EQUAL(at(z, "old.sec.test.", 0), 0);
	CU_ASSERT_EQUAL(at(z, "new.sec.test.", 0), 0);
	CU_ASSERT_EQUAL(at(z, "new2.sec.test.", 1), 1);
	CU_ASSERT_EQUAL(at(z, "sec.test.", 6), 1);
	/* The base is never changed. */
	CU_ASSERT_EQUAL(zload_serial(base), 10);
	CU_ASSERT_EQUAL(zload_rr_count(base), 7);
	CU_ASSERT_EQUAL(at(base, "old.sec.test.", 1), 1);
	zload_free(&z);
	zload_free(&base);
}

static void test_duplicates_absent(void)
{
	zload_zone_t *base = base_zone(), *z;
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* A record held already (another TTL): replaced, held once. */
	CU_ASSERT_EQUAL(op(x, false, "ns1.sec.test. 600 IN A 192.0.2.1"), 0);
	CU_ASSERT_EQUAL(op(x, false, "dup.sec.test. 300 IN A 192.0.2.5"), 0);
	CU_ASSERT_EQUAL(op(x, false, "dup.sec.test. 300 IN A 192.0.2.5"), 0);
	/* A deletion of what is not there: inconsistent. */
	CU_ASSERT_EQUAL(op(x, true, "nothere.sec.test. 300 IN A 192.0.2.7"), -ENOENT);
	CU_ASSERT_EQUAL(op(x, true, "ns1.sec.test. 300 IN A 192.0.2.2"), -ENOENT);
	/* An SOA of another serial than held: not there either. */
	CU_ASSERT_EQUAL(
	    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 9 3600 60 600 60"),
	    -ENOENT);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 8);
	CU_ASSERT_EQUAL(at(z, "ns1.sec.test.", 1), 1);
	CU_ASSERT_EQUAL(at(z, "dup.sec.test.", 1), 1);
	zload_free(&z);
	zload_free(&base);
}

static void test_soa_only(void)
{
	zload_zone_t *base = base_zone(), *z;
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* The old SOA matched by its serial (other timers in it: the same version's SOA). */
	CU_ASSERT_EQUAL(op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 10 1 1 1 1"),
			0);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 7200 60 600 60"), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_serial(z), 11);
	CU_ASSERT_EQUAL(zload_rr_count(z), zload_rr_count(base));
	CU_ASSERT_EQUAL(at(z, "sec.test.", 6), 1);
	zload_free(&z);
	zload_free(&base);
}

static void test_case(void)
{
	zload_zone_t *base = base_zone(), *z;
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR test");

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* Owners without case; a CNAME's target without case (RFC 4034 6.2), as ldns_rr_compare. */
	CU_ASSERT_EQUAL(op(x, true, "www.SEC.test. 300 IN A 192.0.2.80"), 0);
	CU_ASSERT_EQUAL(op(x, true, "ALIAS.sec.test. 300 IN CNAME target.SEC.test."), 0);
	/* TXT data is no name: its case counts. */
	CU_ASSERT_EQUAL(op(x, true, "txt.sec.test. 300 IN TXT \"abc\""), -ENOENT);
	CU_ASSERT_EQUAL(op(x, true, "txt.sec.test. 300 IN TXT \"Abc\""), 0);
	/* Added in one case, deleted in another. */
	CU_ASSERT_EQUAL(op(x, false, "Mixed.sec.test. 300 IN MX 10 Mail.sec.test."), 0);
	CU_ASSERT_EQUAL(op(x, true, "mixed.SEC.TEST. 300 IN MX 10 mail.sec.test."), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 4);
	CU_ASSERT_EQUAL(at(z, "www.sec.test.", 0), 0);
	CU_ASSERT_EQUAL(at(z, "alias.sec.test.", 0), 0);
	CU_ASSERT_EQUAL(at(z, "mixed.sec.test.", 0), 0);
	zload_free(&z);
	zload_free(&base);
}

static void test_rules(void)
{
	zload_zone_t *base = base_zone(), *z;
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");

	/* CNAME beside other data: refused as a file load refuses it, the reason named. */
	CU_ASSERT_EQUAL(op(x, false, "alias.sec.test. 300 IN A 192.0.2.3"), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CNAME beside other data"));
	/* The apex NS deleted: no NS at the apex. */
	x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(op(x, true, "sec.test. 300 IN NS ns1.sec.test."), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no NS record at the zone apex"));
	/* Out of zone, and a delegation without glue. */
	x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(op(x, false, "www.other.test. 300 IN A 192.0.2.3"), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of zone"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "IXFR from 192.0.2.53:"));
	x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(op(x, false, "sub.sec.test. 300 IN NS ns.sub.sec.test."), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing glue"));
	zload_free(&base);
}

/* The rules checked on the owners an IXFR touched only: the same errors as a whole check. */
static void test_touched_rules(void)
{
	static const char deleg[] = BASE "sub 300 IN NS ns.sub\n"
					 "ns.sub 300 IN A 192.0.2.7\n";
	zload_zone_t *base = base_zone(), *z,
		     *b2 = zload_string("sec.test.", deleg, "deleg.zone", NULL, NULL, err,
					sizeof(err));
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");

	CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
	/* A CNAME beside an A added: the message a whole check gives, the addition's line. */
	CU_ASSERT_EQUAL(
	    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 10 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "alias.sec.test. 300 IN A 192.0.2.3"), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_STRING_EQUAL(err, "IXFR from 192.0.2.53:2: CNAME beside other data at "
				    "alias.sec.test. (RFC 1034 3.6.2)");
	/* A CNAME added beside the A records of a name. */
	x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(op(x, false, "www.sec.test. 300 IN CNAME alias.sec.test."), 0);
	CU_ASSERT_PTR_NULL(zload_xfr_finish(&x, NULL, NULL, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "IXFR from 192.0.2.53:1: CNAME beside other data at "
				    "www.sec.test. (RFC 1034 3.6.2)");
	/* The glue of a delegation deleted: the delegation's NS (untouched) fails, named as a
	 * record of the version held (a transfer's version keeps no line for those). */
	x = zload_xfr_new("sec.test.", b2, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(op(x, true, "ns.sub.sec.test. 300 IN A 192.0.2.7"), 0);
	CU_ASSERT_PTR_NULL(zload_xfr_finish(&x, NULL, NULL, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "sec.test. at serial 10: missing glue: delegation to "
				    "ns.sub.sec.test., which has no A or AAAA record");
	/* A second SOA at the apex; an SOA below it. */
	x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 12 3600 60 600 60"), 0);
	CU_ASSERT_PTR_NULL(zload_xfr_finish(&x, NULL, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than one SOA record at sec.test."));
	x = zload_xfr_new("sec.test.", base, "IXFR from 192.0.2.53");
	CU_ASSERT_EQUAL(
	    op(x, false, "www.sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 12 3600 60 600 60"),
	    0);
	CU_ASSERT_PTR_NULL(zload_xfr_finish(&x, NULL, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SOA record not at the zone apex"));
	zload_free(&b2);
	zload_free(&base);
}

/* Names as presentation text, one a line, for comparing lists. */
static void names_text(const zload_names_t *nm, char *buf, size_t len)
{
	size_t n, at = 0;
	const uint8_t *const *names = zload_names_list(nm, &n);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		ldns_rdf *r = ldns_rdf_new_frm_data(
		    LDNS_RDF_TYPE_DNAME, names[i][0] == 0 ? 1 : strlen((const char *)names[i]) + 1,
		    names[i]);
		char *t = r != NULL ? ldns_rdf2str(r) : NULL;

		at += (size_t)snprintf(buf + at, len - at, "%s\n", t != NULL ? t : "?");
		free(t);
		ldns_rdf_deep_free(r);
	}
}

/*
 * The IXFR's version: the same records and order as the same zone loaded from a file, and the
 * names it changed noted: the same as the two versions walked together find.
 */
static void test_names(void)
{
	static const char after[] =
	    "$ORIGIN sec.test.\n" SOA(11) "@ 300 IN NS ns1\n"
					  "ns1 300 IN A 192.0.2.1\n"
					  "WWW 300 IN A 192.0.2.80\n"
					  "alias 300 IN CNAME Target.sec.test.\n"
					  "txt 300 IN TXT \"Abc\"\n"
					  "new 300 IN A 192.0.2.5\n"
					  "www 300 IN A 192.0.2.81\n";
	zload_zone_t *base = base_zone(), *z, *file;
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR");
	zload_names_t *noted = NULL, *walked = NULL;
	char a[1024], b[1024], da[4096] = "", db[4096] = "";

	CU_ASSERT_EQUAL(
	    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 10 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, true, "old.sec.test. 300 IN A 192.0.2.99"), 0);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "new.sec.test. 300 IN A 192.0.2.5"), 0);
	CU_ASSERT_EQUAL(op(x, false, "www.sec.test. 300 IN A 192.0.2.81"), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	file = zload_string("sec.test.", after, "after.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL(zload_serial(z), 11);
	CU_ASSERT_EQUAL(zload_rr_count(z), zload_rr_count(file));
	zload_describe(z, "www.sec.test.", 0, da, sizeof(da));
	zload_describe(file, "www.sec.test.", 0, db, sizeof(db));
	CU_ASSERT_PTR_NOT_NULL(strstr(da, "192.0.2.81"));
	CU_ASSERT_EQUAL(zload_changes(base, z, &noted), 0);
	CU_ASSERT_EQUAL(zload_changes(base, file, &walked), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(noted);
	CU_ASSERT_PTR_NOT_NULL_FATAL(walked);
	names_text(noted, a, sizeof(a));
	names_text(walked, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(a, "sec.test.\nnew.sec.test.\nold.sec.test.\nwww.sec.test.\n");
	CU_ASSERT_STRING_EQUAL(b, a);
	zload_names_free(&walked);
	/* The same version: nothing changed. */
	CU_ASSERT_EQUAL(zload_changes(z, z, &walked), 0);
	names_text(walked, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "");
	zload_names_free(&walked);
	zload_names_free(&noted);
	zload_free(&file);
	zload_free(&z);
	zload_free(&base);
}

/* Record R of Z as a line: owner as held (case kept), type, TTL, data octets in hex. */
static void rec_line(const zload_zone_t *z, size_t r, char *out, size_t len)
{
	const uint8_t *o = zload_rec_owner(z, r), *d = zload_rec_rdata(z, r);
	size_t at = 0, ol = 0;

	while (o[ol] != 0)
		ol += (size_t)o[ol] + 1;
	for (size_t k = 0; k <= ol && at + 3 < len; k++)
		at += (size_t)snprintf(out + at, len - at, "%02x", o[k]);
	at += (size_t)snprintf(out + at, len - at, " %u %u ", z->recs[r].type, z->recs[r].ttl);
	for (size_t k = 0; k < z->recs[r].rdlen && at + 3 < len; k++)
		at += (size_t)snprintf(out + at, len - at, "%02x", d[k]);
}

/*
 * Random IXFRs (deletions and additions at old and new owners, case mixed) against the same
 * records loaded from a file in the same order: the same records, the same sorted index, and
 * the names noted the same as a walk of the two versions finds.
 */
static void test_random(void)
{
	enum { NBASE = 3000, NCHANGE = 150 };
	static char text[1 << 20], after[1 << 20];
	static bool gone[NBASE];
	static const char *const types[] = {"A 10.%d.%d.%d", "TXT \"t%d-%d-%d\"",
					    "MX %d m%d.x%d.sec.test."};
	unsigned seed = 12345;
	char a[4096], b[4096], line[256];

	for (int round = 0; round < 4; round++) {
		size_t len = 0, alen = 0;
		int i_next = 0;
		zload_zone_t *base, *z, *file;
		zload_xfr_t *x;
		zload_names_t *noted = NULL, *walked = NULL;
		size_t nn, nw;

		memset(gone, 0, sizeof(gone));
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", BASE);
		for (int i = 0; i < NBASE; i++) {
			int t = i % 3;

			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%d 300 IN ",
						(i & 4) ? "N" : "n", i / 3 % 700);
			len += (size_t)snprintf(text + len, sizeof(text) - len, types[t], i % 250,
						i / 250, round);
			text[len++] = '\n';
		}
		text[len] = '\0';
		base = zload_string("sec.test.", text, "r.zone", NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(base);
		x = zload_xfr_new("sec.test.", base, "IXFR");
		CU_ASSERT_EQUAL(
		    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 10 3600 60 600 60"),
		    0);
		for (int c = 0; c < NCHANGE; c++) {
			int i = (int)(rand_r(&seed) % NBASE), t = i % 3;
			char data[128];

			if (gone[i])
				continue;
			gone[i] = true;
			snprintf(data, sizeof(data), types[t], i % 250, i / 250, round);
			snprintf(line, sizeof(line), "n%d.sec.test. 300 IN %s", i / 3 % 700, data);
			CU_ASSERT_EQUAL(op(x, true, line), 0);
		}
		CU_ASSERT_EQUAL(
		    op(x, false,
		       "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 3600 60 600 60"),
		    0);
		/* The file: the base's lines not deleted, in order, then the additions. */
		for (const char *p = text, *gen = text + strlen(BASE); *p != '\0';) {
			const char *nl = strchr(p, '\n');
			size_t n = (size_t)(nl - p) + 1;
			/* A generated record's number: lines after BASE's, one each. */
			int i = p < gen ? -1 : i_next++;

			/* The SOA deleted, added again after the base's records. */
			if (strncmp(p, "@ 300 IN SOA", 12) != 0 && (i < 0 || !gone[i])) {
				memcpy(after + alen, p, n);
				alen += n;
			}
			p += n;
		}
		alen += (size_t)snprintf(
		    after + alen, sizeof(after) - alen,
		    "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 11 3600 60 600 60\n");
		for (int c = 0; c < NCHANGE; c++) {
			int o = (int)(rand_r(&seed) % 900);

			snprintf(line, sizeof(line), "%s%d.sec.test. 60 IN A 172.16.%d.%d",
				 (c & 1) ? "N" : "n", o, round, c);
			CU_ASSERT_EQUAL(op(x, false, line), 0);
			alen += (size_t)snprintf(after + alen, sizeof(after) - alen, "%s\n", line);
		}
		after[alen] = '\0';
		z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		file = zload_string("sec.test.", after, "after.zone", NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(file);
		CU_ASSERT_EQUAL_FATAL(z->nrecs, file->nrecs);
		CU_ASSERT_EQUAL(zload_serial(z), 11);
		for (size_t r = 0; r < z->nrecs; r++) {
			rec_line(z, r, a, sizeof(a));
			rec_line(file, r, b, sizeof(b));
			if (strcmp(a, b) != 0 || z->by_owner[r] != file->by_owner[r]) {
				CU_FAIL("the IXFR's version differs from the file's");
				break;
			}
		}
		CU_ASSERT_EQUAL(zload_changes(base, z, &noted), 0);
		CU_ASSERT_EQUAL(zload_changes(base, file, &walked), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(noted);
		CU_ASSERT_PTR_NOT_NULL_FATAL(walked);
		zload_names_list(noted, &nn);
		zload_names_list(walked, &nw);
		CU_ASSERT(nn > 100);
		CU_ASSERT_EQUAL(nn, nw);
		for (size_t k = 0; k < nn && k < nw; k++)
			if (strcmp((const char *)zload_names_list(noted, &nn)[k],
				   (const char *)zload_names_list(walked, &nw)[k]) != 0) {
				CU_FAIL("the names noted differ from those a walk finds");
				break;
			}
		zload_names_free(&noted);
		zload_names_free(&walked);
		zload_free(&file);
		zload_free(&z);
		zload_free(&base);
	}
}

static void warn_count(void *ctx, const char *msg)
{
	(void)msg;
	(*(unsigned *)ctx)++;
}

static void test_axfr(void)
{
	zload_xfr_t *x = zload_xfr_new("sec.test", NULL, "AXFR test");
	unsigned warns = 0;
	zload_zone_t *z;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 5 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "sec.test. 300 IN NS ns1.sec.test."), 0);
	CU_ASSERT_EQUAL(op(x, false, "ns1.sec.test. 300 IN A 192.0.2.1"), 0);
	CU_ASSERT_EQUAL(op(x, false, "NS1.sec.test. 300 IN A 192.0.2.1"), 0);
	/* An AXFR deletes nothing. */
	CU_ASSERT_NOT_EQUAL(op(x, true, "ns1.sec.test. 300 IN A 192.0.2.1"), 0);
	z = zload_xfr_finish(&x, warn_count, &warns, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(warns, 1); /* the duplicate */
	CU_ASSERT_EQUAL(zload_rr_count(z), 3);
	CU_ASSERT_EQUAL(zload_serial(z), 5);
	CU_ASSERT_STRING_EQUAL(zload_origin(z), "sec.test.");
	zload_free(&z);
	/* Without an SOA: refused. */
	x = zload_xfr_new("sec.test.", NULL, "AXFR test");
	CU_ASSERT_EQUAL(op(x, false, "sec.test. 300 IN NS ns1.sec.test."), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(z);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no SOA"));
}

/* Keeps the last warning in CTX (512 octets). */
static void warn_keep(void *ctx, const char *msg)
{
	snprintf(ctx, 512, "%s", msg);
}

/*
 * An AXFR's records keep no place in the transfer, not even while it is checked (no file and
 * line arrays grown a record at a time): its errors and warnings name the transfer and the
 * owner, never a line; an IXFR's additions still say their place.
 */
static void test_axfr_no_lines(void)
{
	zload_xfr_t *x = zload_xfr_new("sec.test.", NULL, "AXFR test");
	char warned[512] = "";
	zload_zone_t *z;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 5 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "sec.test. 300 IN NS ns1.sec.test."), 0);
	CU_ASSERT_EQUAL(op(x, false, "ns1.sec.test. 300 IN A 192.0.2.1"), 0);
	CU_ASSERT_EQUAL(op(x, false, "ns1.sec.test. 300 IN A 192.0.2.1"), 0);
	z = zload_xfr_finish(&x, warn_keep, warned, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(strncmp(warned, "AXFR test: warning: ", 20), 0);
	CU_ASSERT_EQUAL(z->lined, z->nrecs);
	CU_ASSERT_PTR_NULL(z->rr_file);
	CU_ASSERT_PTR_NULL(z->rr_line);
	zload_free(&z);
	x = zload_xfr_new("sec.test.", NULL, "AXFR test");
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 5 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "sec.test. 300 IN NS ns1.sec.test."), 0);
	CU_ASSERT_EQUAL(op(x, false, "ns1.sec.test. 300 IN A 192.0.2.1"), 0);
	CU_ASSERT_EQUAL(op(x, false, "alias.sec.test. 300 IN CNAME ns1.sec.test."), 0);
	CU_ASSERT_EQUAL(op(x, false, "alias.sec.test. 300 IN A 192.0.2.3"), 0);
	CU_ASSERT_PTR_NULL(zload_xfr_finish(&x, NULL, NULL, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "AXFR test: CNAME beside other data at alias.sec.test. (RFC "
				    "1034 3.6.2)");
}

/* A larger zone: many changes in one sequence, found through the sorted index. */
static void test_many(void)
{
	size_t len = 0, cap = 1 << 20;
	char *text = malloc(cap);
	zload_zone_t *base, *z;
	zload_xfr_t *x;
	char line[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len += (size_t)snprintf(text + len, cap - len, "%s", BASE);
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(text + len, cap - len, "h%d 300 IN A 10.0.%d.%d\n", i,
					i / 256, i % 256);
	base = zload_string("sec.test.", text, "many.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	x = zload_xfr_new("sec.test.", base, "IXFR test");
	for (int i = 0; i < 5000; i += 7) {
		snprintf(line, sizeof(line), "H%d.sec.test. 300 IN A 10.0.%d.%d", i, i / 256,
			 i % 256);
		CU_ASSERT_EQUAL(op(x, true, line), 0);
		snprintf(line, sizeof(line), "h%d.sec.test. 300 IN A 10.1.%d.%d", i, i / 256,
			 i % 256);
		CU_ASSERT_EQUAL(op(x, false, line), 0);
	}
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), zload_rr_count(base));
	CU_ASSERT_EQUAL(at(z, "h7.sec.test.", 1), 1);
	/* The old order kept and the additions merged in: the order a full sort gives. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->by_owner);
	for (size_t k = 1; k < z->nrecs; k++)
		if (zload_rec_order(z, z->by_owner[k - 1], z->by_owner[k]) >= 0) {
			CU_FAIL("the new version's index is out of order");
			break;
		}
	CU_ASSERT_EQUAL(zload_describe(z, "h7.sec.test.", 1, line, sizeof(line)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "10.1.0.7"));
	zload_free(&z);
	zload_free(&base);
}

/*
 * A transfer's version owns a file and line for the records it brought only (zload_pvt.h's
 * LINED): an AXFR's none once checked, an IXFR's its additions (their place in the transfer);
 * the records it holds from before name that version. Copies and edits of it keep each
 * record's file and line right, in place as the records move.
 */
static void test_lines(void)
{
	zload_xfr_t *x = zload_xfr_new("sec.test.", NULL, "AXFR test");
	zload_zone_t *axfr, *z, *ed;
	char d[1024];
	static const zload_edit_t edits[] = {
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "a.sec.test.", .type = 1},
	    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "d.sec.test.", .type = 1},
	    {.op = ZLOAD_EDIT_ADD,
	     .owner = "e.sec.test.",
	     .type = 1,
	     .ttl = 300,
	     .rdata = "192.0.2.9"},
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 5 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "sec.test. 300 IN NS ns1.sec.test."), 0);
	CU_ASSERT_EQUAL(op(x, false, "ns1.sec.test. 300 IN A 192.0.2.1"), 0);
	CU_ASSERT_EQUAL(op(x, false, "a.sec.test. 300 IN A 192.0.2.2"), 0);
	CU_ASSERT_EQUAL(op(x, false, "b.sec.test. 300 IN A 192.0.2.3"), 0);
	CU_ASSERT_EQUAL(op(x, false, "d.sec.test. 300 IN A 192.0.2.6"), 0);
	axfr = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(axfr);
	/* Checked, the AXFR's records keep no line: they name the transfer. */
	CU_ASSERT_EQUAL(axfr->lined, axfr->nrecs);
	CU_ASSERT_EQUAL(axfr->lcap, 0);
	CU_ASSERT_EQUAL(sizeof(*axfr->by_owner), 4);
	d[0] = '\0'; /* zload_describe() appends */
	CU_ASSERT_EQUAL(zload_describe(axfr, "b.sec.test.", 1, d, sizeof(d)), 1);
	CU_ASSERT_STRING_EQUAL(d, "AXFR test: b.sec.test. 300 IN A 192.0.2.3\n");

	x = zload_xfr_new("sec.test.", axfr, "IXFR test");
	CU_ASSERT_EQUAL(
	    op(x, true, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 5 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, true, "a.sec.test. 300 IN A 192.0.2.2"), 0);
	CU_ASSERT_EQUAL(
	    op(x, false, "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. 6 3600 60 600 60"), 0);
	CU_ASSERT_EQUAL(op(x, false, "c.sec.test. 300 IN A 192.0.2.4"), 0);
	CU_ASSERT_EQUAL(op(x, false, "a.sec.test. 300 IN A 192.0.2.5"), 0);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	/* Lines for the three additions only (and the slack after them). */
	CU_ASSERT_EQUAL(z->lined, z->nrecs - 3);
	CU_ASSERT(z->lcap >= 3 && z->lcap <= 3 + 256);
	d[0] = '\0';
	CU_ASSERT_EQUAL(zload_describe(z, "c.sec.test.", 1, d, sizeof(d)), 1);
	CU_ASSERT_STRING_EQUAL(d, "IXFR test:2: c.sec.test. 300 IN A 192.0.2.4\n");
	d[0] = '\0';
	CU_ASSERT_EQUAL(zload_describe(z, "b.sec.test.", 1, d, sizeof(d)), 1);
	CU_ASSERT_STRING_EQUAL(d, "sec.test. at serial 5: b.sec.test. 300 IN A 192.0.2.3\n");

	/* An edit's copy: A at d withheld (a held record: the additions after it move down with
	 * their lines) and at a (an addition), one added. */
	ed = zload_edit(z, edits, 3, 7, "policy", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ed);
	d[0] = '\0';
	CU_ASSERT_EQUAL(zload_describe(ed, "a.sec.test.", 1, d, sizeof(d)), 0);
	CU_ASSERT_EQUAL(zload_describe(ed, "d.sec.test.", 1, d, sizeof(d)), 0);
	CU_ASSERT_EQUAL(ed->lined, z->lined - 1);
	CU_ASSERT_EQUAL(zload_describe(ed, "c.sec.test.", 1, d, sizeof(d)), 1);
	CU_ASSERT_STRING_EQUAL(d, "IXFR test:2: c.sec.test. 300 IN A 192.0.2.4\n");
	d[0] = '\0';
	CU_ASSERT_EQUAL(zload_describe(ed, "b.sec.test.", 1, d, sizeof(d)), 1);
	CU_ASSERT_STRING_EQUAL(d, "sec.test. at serial 5: b.sec.test. 300 IN A 192.0.2.3\n");
	d[0] = '\0';
	CU_ASSERT_EQUAL(zload_describe(ed, "e.sec.test.", 1, d, sizeof(d)), 1);
	CU_ASSERT_STRING_EQUAL(d, "policy:0: e.sec.test. 300 IN A 192.0.2.9\n");
	d[0] = '\0';
	CU_ASSERT_EQUAL(zload_describe(ed, "sec.test.", 6, d, sizeof(d)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d, "IXFR test:1: sec.test."));
	zload_free(&ed);
	zload_free(&z);
	zload_free(&axfr);
}

void reg_cutest_zload_xfr(void)
{
	CU_pSuite s = CU_add_suite("zload_xfr", NULL, NULL);

	CU_add_test(s, "IXFR: deletions, additions, two sequences, the base untouched",
		    test_del_add);
	CU_add_test(s, "IXFR: duplicates held once, a deletion of an absent record",
		    test_duplicates_absent);
	CU_add_test(s, "IXFR: an SOA-only change", test_soa_only);
	CU_add_test(s, "IXFR: case in owners and data as ldns_rr_compare", test_case);
	CU_add_test(s, "zone rules: refused with the reason", test_rules);
	CU_add_test(s, "zone rules on the owners touched: a whole check's errors",
		    test_touched_rules);
	CU_add_test(s, "IXFR: the names it changed, as two versions walked find them", test_names);
	CU_add_test(s, "IXFR: random changes, the version a file of the same records gives",
		    test_random);
	CU_add_test(s, "AXFR: built from the records, duplicates, no SOA", test_axfr);
	CU_add_test(s, "AXFR: no file and line kept for its records, messages without",
		    test_axfr_no_lines);
	CU_add_test(s, "IXFR: many changes through the sorted index", test_many);
	CU_add_test(s, "a transfer's version: files and lines of its own records only", test_lines);
}
