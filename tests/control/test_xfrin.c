/* SPDX-License-Identifier: BSD-3-Clause */
/* test_xfrin.c: CUnit suite for secondary zones: the primary/allow-notify keys, an absent zone's
 * SERVFAIL, NOTIFY seen by the engine, transfers put together (AXFR, IXFR, inconsistent) and
 * the zone table's lookups */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>

#include "cfg.h"
#include "ctl.h"
#include "ctl_signstate.h"
#include "cutest.h"
#include "log.h"
#include "sandns_err.h"
#include "tutil.h"
#include "xfrin.h"
#include "xfrin_pvt.h"
#include "xfrin_tab.h"
#include "zsrc.h"
#include "zt_build.h"

static char dir[] = "/tmp/sandns-test-xfrin-XXXXXX";
static bool dir_made;
static char zpath[512], fpath[512];

static int suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	dir_made = true;
	snprintf(zpath, sizeof(zpath), "%s/sec.test.zone", dir);
	snprintf(fpath, sizeof(fpath), "%s/file.test.zone", dir);
	return 0;
}

static int suite_cleanup(void)
{
	if (!dir_made)
		return 0;
	unlink(zpath);
	unlink(fpath);
	return rmdir(dir);
}

static int load(cfg_t *cfg, const char *text, char *err, size_t errlen)
{
	int rc = cfg_load_string(cfg, text, "t.conf", dir, err, errlen);

	return rc != SANDNS_EOK ? rc : cfg_check(cfg, err, errlen);
}

static void test_cfg(void)
{
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new();
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const cfg_primary_t *p[4];

	snprintf(text, sizeof(text),
		 "zone sec.test. %s\nzone file.test. %s\nprimary sec.test 192.0.2.1\n"
		 "primary SEC.TEST. 192.0.2.2@5353\nallow-notify 192.0.2.0/24\n",
		 zpath, fpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(cfg->nprimaries, 2);
	CU_ASSERT_EQUAL(cfg->zones[0].src.kind, ZSRC_PRIMARY);
	CU_ASSERT_EQUAL(cfg->zones[1].src.kind, ZSRC_FILE);
	CU_ASSERT_STRING_EQUAL(zsrc_kind_name(&cfg->zones[0].src), "primary");
	CU_ASSERT_STRING_EQUAL(zsrc_where(&cfg->zones[0].src), "192.0.2.1@53, 192.0.2.2@5353");
	CU_ASSERT_PTR_NULL(zsrc_file_path(&cfg->zones[0].src)); /* not watched */
	CU_ASSERT_EQUAL(cfg_zone_primaries(cfg, 0, p, 4), 2);
	CU_ASSERT_STRING_EQUAL(p[1]->addr.text, "192.0.2.2@5353");
	CU_ASSERT_EQUAL(cfg_zone_primaries(cfg, 1, p, 4), 0);
	inet_pton(AF_INET, "192.0.2.9", &sin.sin_addr);
	CU_ASSERT_TRUE(cfg_notify_allowed(cfg, (struct sockaddr *)&sin, NULL));
	inet_pton(AF_INET, "198.51.100.9", &sin.sin_addr);
	CU_ASSERT_FALSE(cfg_notify_allowed(cfg, (struct sockaddr *)&sin, NULL));
	cfg_free(&cfg);

	/* Each zone's primaries in the order given, whatever lines come between. */
	cfg = cfg_new();
	snprintf(text, sizeof(text),
		 "zone a.test. %s\nzone b.test. %s\nprimary a.test 192.0.2.1\n"
		 "primary b.test 192.0.2.5\nprimary A.TEST. 192.0.2.2\nprimary a.test 192.0.2.3\n",
		 zpath, fpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_zone_primaries(cfg, 0, p, 4), 3);
	CU_ASSERT_STRING_EQUAL(p[0]->addr.text, "192.0.2.1@53");
	CU_ASSERT_STRING_EQUAL(p[1]->addr.text, "192.0.2.2@53");
	CU_ASSERT_STRING_EQUAL(p[2]->addr.text, "192.0.2.3@53");
	CU_ASSERT_EQUAL(cfg_zone_primaries(cfg, 0, p, 2), 2); /* no more than asked */
	CU_ASSERT_EQUAL_FATAL(cfg_zone_primaries(cfg, 1, p, 4), 1);
	CU_ASSERT_STRING_EQUAL(p[0]->addr.text, "192.0.2.5@53");
	CU_ASSERT_STRING_EQUAL(zsrc_where(&cfg->zones[0].src),
			       "192.0.2.1@53, 192.0.2.2@53, 192.0.2.3@53");
	cfg_free(&cfg);

	/* A key not defined is refused: never a silently unsigned transfer. */
	cfg = cfg_new();
	snprintf(text, sizeof(text), "zone sec.test. %s\nprimary sec.test. 192.0.2.1 key k1\n",
		 zpath);
	CU_ASSERT_EQUAL(load(cfg, text, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err, "t.conf:2: primary sec.test. 192.0.2.1@53 key k1: no key k1 is defined"));
	cfg_free(&cfg);
	/* Defined, the primary has it. */
	cfg = cfg_new();
	snprintf(text, sizeof(text),
		 "zone sec.test. %s\nprimary sec.test. 192.0.2.1 key k1\n"
		 "key k1 hmac-sha256 c2FuZG5zLXhmcmluLXRlc3Qta2V5\n",
		 zpath);
	CU_ASSERT_EQUAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_PTR_NOT_NULL(cfg->primaries[0].tkey);
	cfg_free(&cfg);
	/* A primary for no configured zone. */
	cfg = cfg_new();
	snprintf(text, sizeof(text), "zone sec.test. %s\nprimary other.test. 192.0.2.1\n", zpath);
	CU_ASSERT_EQUAL(load(cfg, text, err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no zone other.test. is configured"));
	cfg_free(&cfg);
	/* Malformed lines, with file and line. */
	cfg = cfg_new();
	CU_ASSERT_EQUAL(load(cfg, "primary sec.test.\n", err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.conf:1: primary: expected ORIGIN ADDR"));
	CU_ASSERT_EQUAL(load(cfg, "primary a. 192.0.2.1 kee k\n", err, sizeof(err)),
			SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(load(cfg, "primary a. host.example\n", err, sizeof(err)), SANDNS_ECONFIG);
	CU_ASSERT_EQUAL(load(cfg, "allow-notify 192.0.2.0/33\n", err, sizeof(err)), SANDNS_ECONFIG);
	cfg_free(&cfg);
}

static void write_file_zone(void)
{
	FILE *f = fopen(fpath, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("$ORIGIN file.test.\n$TTL 300\n@ SOA ns1 host 7 3600 900 604800 300\n@ NS ns1\n"
	      "ns1 A 192.0.2.1\n",
	      f);
	fclose(f);
}

static uint8_t rcode_of(const zt_t *zt, const char *name)
{
	ldns_pkt *p = tu_ask(zt, 1, name, LDNS_RR_TYPE_A);
	uint8_t rc = p != NULL ? (uint8_t)ldns_pkt_get_rcode(p) : 255;

	ldns_pkt_free(p);
	return rc;
}

/* A secondary zone with no copy yet: built, answered SERVFAIL; the file zone beside it served. */
static void test_absent(void)
{
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new();
	ctl_build_t b;
	uint8_t q[512], resp[512];
	zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	zt_answer_info_t info;
	size_t n, len;

	unlink(zpath);
	write_file_zone();
	snprintf(text, sizeof(text),
		 "zone sec.test. %s\nzone file.test. %s\nprimary sec.test. 127.0.0.1\n", zpath,
		 fpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, NULL, NULL, &b, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE(b.zones[0].absent);
	CU_ASSERT_FALSE(b.zones[1].absent);
	CU_ASSERT_EQUAL(zt_zone_count(b.zt), 1);
	CU_ASSERT_EQUAL(rcode_of(b.zt, "www.sec.test."), LDNS_RCODE_SERVFAIL);
	CU_ASSERT_EQUAL(rcode_of(b.zt, "sec.test."), LDNS_RCODE_SERVFAIL);
	CU_ASSERT_EQUAL(rcode_of(b.zt, "xsec.test."), LDNS_RCODE_REFUSED);
	CU_ASSERT_EQUAL(rcode_of(b.zt, "test."), LDNS_RCODE_REFUSED);
	CU_ASSERT_EQUAL(rcode_of(b.zt, "ns1.file.test."), LDNS_RCODE_NOERROR);

	/* NOTIFY: NOTAUTH from the engine, with the flag that lets the caller take it. */
	n = tu_query(q, 7, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	len = zt_answer(b.zt, q, n, resp, sizeof(resp), &ctx, &info);
	CU_ASSERT_TRUE(len > 12);
	CU_ASSERT_TRUE(info.notify);
	CU_ASSERT_EQUAL(info.rcode, LDNS_RCODE_NOTAUTH);
	CU_ASSERT_EQUAL((resp[2] >> 3) & 0xf, 4); /* opcode echoed */
	/* A plain query is no NOTIFY. */
	n = tu_query(q, 7, 0, "ns1.file.test.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN);
	zt_answer(b.zt, q, n, resp, sizeof(resp), &ctx, &info);
	CU_ASSERT_FALSE(info.notify);
	ctl_build_clear(&b);
	cfg_free(&cfg);
}

static ldns_rr *rr(const char *text)
{
	ldns_rr *r = NULL;

	CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&r, text, 300, NULL, NULL), LDNS_STATUS_OK);
	return r;
}

#define SOA(n) "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. " #n " 3600 1 10 60"

/* Feeds the records of TEXTS (NULL-ended) to A; the last return. */
static int feed(xfrin_apply_t *a, const char *const *texts)
{
	char err[512];
	int rc = XFRIN_OK;

	for (size_t i = 0; texts[i] != NULL && rc == XFRIN_OK; i++)
		rc = xfrin_apply_rr(a, rr(texts[i]), err, sizeof(err));
	return rc;
}

/* The version the AXFR of TEXTS (NULL-ended) makes of ORIGIN, or NULL. */
static zload_zone_t *axfr_copy(const ldns_rdf *origin, const char *const *texts)
{
	char err[512];
	xfrin_apply_t a;
	zload_zone_t *copy;

	xfrin_apply_init(&a, origin, 0, false, NULL, "AXFR test");
	CU_ASSERT_EQUAL(feed(&a, texts), 1);
	copy = xfrin_apply_finish(&a, NULL, NULL, err, sizeof(err));
	xfrin_apply_clear(&a);
	return copy;
}

static int count_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	(void)owner;
	(void)type;
	(void)ttl;
	(void)rdata;
	(*(size_t *)ctx)++;
	return 0;
}

/* MARK (the mark beside zpath) made TEXT: read as no mark, logged naming MARK and WHY. */
static void mark_refused(const char *mark, const char *text, const char *why)
{
	char logf[600], err[256], *got = NULL;
	uint32_t serial = 7;
	size_t len = 0;
	FILE *f = fopen(mark, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	snprintf(logf, sizeof(logf), "%s.log", zpath);
	CU_ASSERT_EQUAL_FATAL(log_add(LOG_TO_FILE, logf, LOG_WARNING, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(xfrin_copy_pending(zpath, &serial));
	log_reset();
	CU_ASSERT_EQUAL(serial, 7);
	f = fopen(logf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(getdelim(&got, &len, '\0', f) > 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, mark) : NULL);
	CU_ASSERT_PTR_NOT_NULL(got != NULL ? strstr(got, why) : NULL);
	free(got);
	unlink(logf);
}

/* How many records Z holds at OWNER (of any type). */
static size_t holds(const zload_zone_t *z, const char *owner)
{
	size_t n = 0;

	CU_ASSERT_EQUAL(zload_lookup(z, owner, 0, count_rr, &n), 0);
	return n;
}

static void test_apply(void)
{
	static const char *const axfr[] = {SOA(10),
					   "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1",
					   "old.sec.test. 300 IN A 192.0.2.99",
					   SOA(10),
					   NULL};
	static const char *const ixfr[] = {SOA(12),
					   SOA(10),
					   "old.sec.test. 300 IN A 192.0.2.99",
					   SOA(11),
					   "new.sec.test. 300 IN A 192.0.2.10",
					   SOA(11),
					   "new.sec.test. 300 IN A 192.0.2.10",
					   SOA(12),
					   "new2.sec.test. 300 IN A 192.0.2.11",
					   SOA(12),
					   NULL};
	static const char *const bad[] = {SOA(12), SOA(10), "nothere.sec.test. 300 IN A 192.0.2.7",
					  NULL};
	static const char *const broken[] = {
	    SOA(12), SOA(10), SOA(12), "ns1.sec.test. 300 IN CNAME old.sec.test.", SOA(12), NULL};
	static const char *const current[] = {SOA(10), NULL};
	static const char *const outside[] = {SOA(10), "www.other.test. 300 IN A 192.0.2.1", NULL};
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	zload_zone_t *copy, *z;
	xfrin_apply_t a;
	char err[512];
	uint32_t serial = 0;

	/* AXFR: every record, the SOA too; written, read back. */
	copy = axfr_copy(origin, axfr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	CU_ASSERT_EQUAL(zload_rr_count(copy), 4);
	CU_ASSERT_EQUAL(zload_serial(copy), 10);
	CU_ASSERT_EQUAL_FATAL(xfrin_file_write(zpath, copy, err, sizeof(err)), SANDNS_EOK);
	z = zload_file("sec.test.", zpath, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 4);
	CU_ASSERT_EQUAL(zload_serial(z), 10);
	zload_free(&z);

	/* IXFR: two sequences applied to the copy in memory; an addition taken back. */
	xfrin_apply_init(&a, origin, 10, true, copy, "IXFR test");
	CU_ASSERT_EQUAL(feed(&a, ixfr), 1);
	CU_ASSERT_TRUE(a.ixfr);
	CU_ASSERT_EQUAL(a.ndiffs, 2);
	z = xfrin_apply_finish(&a, NULL, NULL, err, sizeof(err));
	xfrin_apply_clear(&a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(zload_rr_count(z), 4);
	CU_ASSERT_EQUAL(holds(z, "new2.sec.test."), 1);
	CU_ASSERT_EQUAL(holds(z, "new.sec.test."), 0);
	CU_ASSERT_EQUAL(holds(z, "old.sec.test."), 0);
	CU_ASSERT_EQUAL(zload_serial(z), 12);
	CU_ASSERT_EQUAL(holds(copy, "old.sec.test."), 1); /* the copy is never changed */
	zload_free(&z);

	/* A deletion of what we do not hold: AXFR instead. */
	xfrin_apply_init(&a, origin, 10, true, copy, "IXFR test");
	CU_ASSERT_EQUAL(feed(&a, bad), XFRIN_FALLBACK);
	xfrin_apply_clear(&a);
	/* A version that breaks the zone rules: refused with the reason. */
	xfrin_apply_init(&a, origin, 10, true, copy, "IXFR test");
	CU_ASSERT_EQUAL(feed(&a, broken), 1);
	CU_ASSERT_PTR_NULL(xfrin_apply_finish(&a, NULL, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CNAME beside other data"));
	xfrin_apply_clear(&a);
	/* Our copy is not at the serial the IXFR starts from: AXFR instead. */
	xfrin_apply_init(&a, origin, 9, true, copy, "IXFR test");
	{
		static const char *const from9[] = {SOA(12), SOA(9), NULL};

		CU_ASSERT_EQUAL(feed(&a, from9), XFRIN_FALLBACK);
	}
	xfrin_apply_clear(&a);
	/* No copy to apply it to: AXFR instead. */
	xfrin_apply_init(&a, origin, 10, true, NULL, "IXFR test");
	CU_ASSERT_EQUAL(feed(&a, ixfr), XFRIN_FALLBACK);
	xfrin_apply_clear(&a);
	/* Our SOA alone: nothing newer. */
	xfrin_apply_init(&a, origin, 10, true, copy, "IXFR test");
	CU_ASSERT_EQUAL(feed(&a, current), 1);
	CU_ASSERT_TRUE(a.uptodate);
	CU_ASSERT_FALSE(xfrin_apply_soa_alone(&a));
	xfrin_apply_clear(&a);
	/* A newer SOA and nothing after it (the transfer then ends): the caller asks an AXFR. */
	{
		static const char *const newer[] = {SOA(12), NULL};

		xfrin_apply_init(&a, origin, 10, true, copy, "IXFR test");
		CU_ASSERT_EQUAL(feed(&a, newer), XFRIN_OK);
		CU_ASSERT_TRUE(xfrin_apply_soa_alone(&a));
		CU_ASSERT_EQUAL(feed(&a, ixfr + 1), 1); /* more after it: an IXFR after all */
		CU_ASSERT_FALSE(xfrin_apply_soa_alone(&a));
		xfrin_apply_clear(&a);
		xfrin_apply_init(&a, origin, 0, false, NULL, "AXFR test");
		CU_ASSERT_EQUAL(feed(&a, newer), XFRIN_OK);
		CU_ASSERT_FALSE(
		    xfrin_apply_soa_alone(&a)); /* an AXFR cut short is no such answer */
		xfrin_apply_clear(&a);
	}
	/* A record outside the zone, or a transfer not starting with the SOA: refused. */
	xfrin_apply_init(&a, origin, 0, false, NULL, "AXFR test");
	CU_ASSERT_EQUAL(feed(&a, outside), XFRIN_FAIL);
	xfrin_apply_clear(&a);
	xfrin_apply_init(&a, origin, 0, false, NULL, "AXFR test");
	CU_ASSERT_EQUAL(feed(&a, axfr + 1), XFRIN_FAIL);
	xfrin_apply_clear(&a);
	/* A second SOA of another serial: not a record of the zone (fuzz-xfrin found it kept as
	 * one); asked IXFR, it is not a diff from our serial: AXFR instead. */
	{
		static const char *const soa2[] = {SOA(10), SOA(9),
						   "x.sec.test. 300 IN A 192.0.2.1", SOA(10), NULL};

		xfrin_apply_init(&a, origin, 0, false, NULL, "AXFR test");
		CU_ASSERT_EQUAL(feed(&a, soa2), XFRIN_FAIL);
		xfrin_apply_clear(&a);
		xfrin_apply_init(&a, origin, 8, true, copy, "IXFR test");
		CU_ASSERT_EQUAL(feed(&a, soa2), XFRIN_FALLBACK);
		xfrin_apply_clear(&a);
	}
	/* Records as a primary's message carries them, with fewer fields than their type has
	 * (ldns reads an RDLENGTH of 0 or 2 for an MX as such a record): the transfer is refused,
	 * as a malformed message is. fuzz-xfrin found the empty one read past the data. */
	{
		static const uint8_t mx_none[] = {2,   'm', 'x', 3,   's', 'e', 'c', 4,
						  't', 'e', 's', 't', 0,   0,	15,  0,
						  1,   0,   0,	 1,   44,  0,	0};
		static const uint8_t mx_pref[] = {2,   'm', 'x', 3, 's', 'e', 'c', 4, 't',
						  'e', 's', 't', 0, 0,	 15,  0,   1, 0,
						  0,   1,   44,	 0, 2,	 0,   10};
		static const char *const head[] = {SOA(10),
						   "mx.sec.test. 300 IN MX 10 ns1.sec.test.", NULL};
		static const char *const ixfr_head[] = {SOA(12), SOA(10), SOA(12), NULL};
		const uint8_t *const bad_mx[] = {mx_none, mx_pref};
		const size_t bad_len[] = {sizeof(mx_none), sizeof(mx_pref)};

		for (int i = 0; i < 2; i++) {
			for (int ixfr = 0; ixfr < 2; ixfr++) {
				ldns_rr *m = NULL;
				size_t pos = 0;

				CU_ASSERT_EQUAL_FATAL(ldns_wire2rr(&m, bad_mx[i], bad_len[i], &pos,
								   LDNS_SECTION_ANSWER),
						      LDNS_STATUS_OK);
				xfrin_apply_init(&a, origin, 10, ixfr, ixfr ? copy : NULL,
						 "malformed test");
				CU_ASSERT_EQUAL(feed(&a, ixfr ? ixfr_head : head), XFRIN_OK);
				err[0] = 0;
				CU_ASSERT_EQUAL(xfrin_apply_rr(&a, m, err, sizeof(err)),
						XFRIN_FAIL);
				CU_ASSERT_PTR_NOT_NULL(
				    strstr(err, "a malformed record: MX at mx.sec.test."));
				xfrin_apply_clear(&a);
			}
		}
	}
	/* The mark an older sandnsd left (read for the upgrade, never written now): a version
	 * served and not written yet, then written; removed once the copy is written. */
	{
		char mark[600];
		FILE *f;

		snprintf(mark, sizeof(mark), "%s.serial", zpath);
		CU_ASSERT_FALSE(xfrin_copy_pending(zpath, &serial));
		f = fopen(mark, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("pending 0000000012\n", f);
		fclose(f);
		CU_ASSERT_TRUE(xfrin_copy_pending(zpath, &serial));
		CU_ASSERT_EQUAL(serial, 12);
		f = fopen(mark, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("written 0000000012\n", f);
		fclose(f);
		CU_ASSERT_FALSE(xfrin_copy_pending(zpath, &serial));
		/* A sign, more than 32 bits, a line cut short or too long: refused, said so, as no
		 * mark (never cut to another serial). */
		mark_refused(mark, "pending -000000001\n", "not ten decimal digits");
		mark_refused(mark, "pending 4294967296\n", "more than 32 bits");
		mark_refused(mark, "pending 9999999999\n", "more than 32 bits");
		mark_refused(mark, "pending 000000001", "not the one line");
		mark_refused(mark, "pending 0000000012\nx", "not the one line");
		f = fopen(mark, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("pending 4294967295\n", f);
		fclose(f);
		CU_ASSERT_TRUE(xfrin_copy_pending(zpath, &serial));
		CU_ASSERT_EQUAL(serial, 4294967295u);
		xfrin_copy_forget(zpath);
		CU_ASSERT_EQUAL(access(mark, F_OK), -1);
	}
	zload_free(&copy);
	ldns_rdf_deep_free(origin);
}

/* Whether A and B answer NAMES with DO over TCP alike, in many types, octet for octet. */
static bool same_with_do(const zt_t *a, const zt_t *b, const char *const *names, size_t n)
{
	static const uint16_t types[] = {1, 2, 6, 16, 28, 33, 46, 47, 48, 50, 51, 255};
	static const uint8_t opt[] = {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0};
	static uint8_t q[512], ra[65535], rb[65535];
	const zt_answer_ctx_t ctx = {.transport = ZT_TCP};
	zt_answer_info_t info;
	bool same = true;

	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			size_t len = tu_query(q, 0x5151, 0, names[i], types[t], 1), la, lb;

			q[11] = 1; /* ARCOUNT */
			memcpy(q + len, opt, sizeof(opt));
			len += sizeof(opt);
			la = zt_answer(a, q, len, ra, sizeof(ra), &ctx, &info);
			lb = zt_answer(b, q, len, rb, sizeof(rb), &ctx, &info);
			if (la != lb || memcmp(ra, rb, la) != 0) {
				fprintf(stderr, "\n  %s type %u DO: answers differ\n", names[i],
					types[t]);
				same = false;
			}
		}
	return same;
}

/*
 * A secondary zone (its data from transfers, given to the build as the transfer thread holds
 * them) whose IXFR and the autodiscover policy's edits (a certificate read again) change in the
 * same build, beside a file zone: the address withheld and the SRV made with the transferred
 * records, then lifted with the next IXFR; kept in memory (keep-zones yes: the versions
 * compared) and not (what the IXFR noted since the version served, the edits' owners added):
 * every answer those of a whole compile, the serial on, the snapshot patched. The same with the
 * zone signed by sandns with NSEC3 (the transferred data and the edits signed in; the versions
 * served read back from the state directory when not kept), answers with DO compared too.
 */
static void test_ixfr_and_edits(void)
{
	static const char *const axfr[] = {SOA(10),
					   "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1",
					   "mail.sec.test. 300 IN A 192.0.2.25",
					   "autodiscover.sec.test. 300 IN A 192.0.2.25",
					   "old.sec.test. 300 IN A 192.0.2.99",
					   SOA(10),
					   NULL};
	static const char *const ixfr1[] = {SOA(11),
					    SOA(10),
					    "old.sec.test. 300 IN A 192.0.2.99",
					    SOA(11),
					    "new.sec.test. 300 IN A 192.0.2.10",
					    SOA(11),
					    NULL};
	static const char *const ixfr2[] = {SOA(12),
					    SOA(11),
					    "new.sec.test. 300 IN A 192.0.2.10",
					    SOA(12),
					    "new2.sec.test. 300 IN A 192.0.2.11",
					    SOA(12),
					    NULL};
	static const char *const names[] = {"sec.test.",
					    "ns1.sec.test.",
					    "mail.sec.test.",
					    "autodiscover.sec.test.",
					    "_autodiscover._tcp.sec.test.",
					    "_tcp.sec.test.",
					    "old.sec.test.",
					    "new.sec.test.",
					    "new2.sec.test.",
					    "nx.sec.test.",
					    "file.test.",
					    "ns1.file.test."};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	const char *both = "DNS:mail.sec.test,DNS:autodiscover.sec.test";
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	char err[1024], text[4096], cpath[600];
	int serial_k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(origin);
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	write_file_zone();
	for (int mode = 0; mode < 4; mode++) {
		const bool kept = mode % 2 == 0, sgn = mode >= 2;
		const char *const *steps[] = {ixfr1, ixfr2};
		size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
		char sdir[600];
		zload_zone_t *v[3] = {NULL, NULL, NULL};
		ctl_build_t b[3], ref;
		cfg_t *cfg = cfg_new();
		xfrin_apply_t a;

		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		/* Signed: a snapshot whose NSEC3 answers a patch may make (test_ctl_sign.c). */
		zt_blobs_split_min = sgn ? 0 : was_split;
		zt_denial_budget = sgn ? 0 : was_budget;
		snprintf(sdir, sizeof(sdir), "%s/state", dir);
		if (sgn)
			CU_ASSERT_EQUAL(mkdir(sdir, 0700), 0);
		snprintf(text, sizeof(text),
			 "keep-zones %s\nzone sec.test. %s\nzone file.test. %s\n"
			 "primary sec.test. 127.0.0.1\ncert %s\n%s%s%s",
			 kept ? "yes" : "no", zpath, fpath, cpath, sgn ? "state-dir " : "",
			 sgn ? sdir : "", sgn ? "\ndnssec sec.test nsec3\n" : "");
		CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
		xfrin_apply_init(&a, origin, 0, false, NULL, "AXFR test");
		CU_ASSERT_EQUAL(feed(&a, axfr), 1);
		v[0] = xfrin_apply_finish(&a, NULL, NULL, err, sizeof(err));
		xfrin_apply_clear(&a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v[0]);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k, both));
		{
			zload_zone_t *given[2] = {v[0], NULL};
			const ctl_rebuild_t what = {.zones = true, .given = given};

			CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, NULL, &what, &b[0], err, sizeof(err)),
					      SANDNS_EOK);
		}
		CU_ASSERT_FALSE(b[0].zones[0].absent);
		CU_ASSERT_STRING_EQUAL(b[0].zones[0].edits, "");
		CU_ASSERT_EQUAL(b[0].zones[0].serial, 10);
		for (int k = 1; k < 3; k++) {
			zload_zone_t *given[2] = {NULL, NULL};
			const ctl_rebuild_t what = {.zones = true,
						    .certs = CTL_CERTS_ALL,
						    .given = given,
						    .base = b[k - 1].zt};

			/* Not kept: the build published, its versions dropped (keep-zones). */
			if (!kept) {
				CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b[k - 1], NULL, 0),
						SANDNS_EOK);
				ctl_signstate_save(cfg, &b[k - 1]);
				zload_free(&b[k - 1].raw[0]);
				if (sgn)
					zload_free(&b[k - 1].signed_zones[0]);
			}
			xfrin_apply_init(&a, origin, 9 + (uint32_t)k, true, v[k - 1], "IXFR test");
			CU_ASSERT_EQUAL(feed(&a, steps[k - 1]), 1);
			v[k] = xfrin_apply_finish(&a, NULL, NULL, err, sizeof(err));
			xfrin_apply_clear(&a);
			CU_ASSERT_PTR_NOT_NULL_FATAL(v[k]);
			given[0] = v[k];
			CU_ASSERT_FATAL(tu_write_leaf(cpath, key, ++serial_k,
						      k == 1 ? "DNS:mail.sec.test" : both));
			err[0] = '\0';
			CU_ASSERT_EQUAL_FATAL(
			    ctl_build(cfg, &b[k - 1], &what, &b[k], err, sizeof(err)), SANDNS_EOK);
			CU_ASSERT_TRUE(b[k].patched);
			CU_ASSERT_EQUAL(strcmp(b[k].zones[0].edits, "") == 0, k == 2);
			/* The primary's serial plus one with edits (11 + 1); lifted, the primary's
			 * 12 is no newer than the one served: that plus one (signed or not). */
			CU_ASSERT_EQUAL(b[k].zones[0].serial, k == 1 ? 12 : 13);
			CU_ASSERT_EQUAL(b[k].zones[1].serial, 7);
			/* The whole compile of the same versions (the copy is not written yet). */
			CU_ASSERT_EQUAL_FATAL(
			    ctl_build(cfg, &b[k],
				      &(const ctl_rebuild_t){.zones = true, .given = given}, &ref,
				      err, sizeof(err)),
			    SANDNS_EOK);
			CU_ASSERT_FALSE(ref.patched);
			CU_ASSERT_EQUAL(ref.zones[0].serial, b[k].zones[0].serial);
			CU_ASSERT_TRUE(tu_same_answers(ref.zt, b[k].zt, names, nn));
			CU_ASSERT_TRUE(same_with_do(ref.zt, b[k].zt, names, nn));
			ctl_build_clear(&ref);
		}
		for (int k = 0; k < 3; k++) {
			ctl_build_clear(&b[k]);
			zload_free(&v[k]);
		}
		cfg_free(&cfg);
		if (sgn) {
			snprintf(text, sizeof(text), "rm -rf '%s'", sdir);
			CU_ASSERT_EQUAL(system(text), 0);
		}
		zt_blobs_split_min = was_split;
		zt_denial_budget = was_budget;
	}
	ldns_rdf_deep_free(origin);
	EVP_PKEY_free(key);
	unlink(cpath);
}

/* A transfer state of secondary zone sec.test. (its copy ZPATH) in CFG, NOTIFYs allowed from
 * 192.0.2.1, which FROM is made. */
static xfrin_t *notified_secondary(cfg_t *cfg, struct sockaddr_in *from)
{
	char err[1024], text[2048];
	xfrin_t *x;

	snprintf(text, sizeof(text),
		 "zone sec.test. %s\nprimary sec.test. 127.0.0.1\nallow-notify 192.0.2.1\n", zpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	x = xfrin_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	*from = (struct sockaddr_in){.sin_family = AF_INET};
	inet_pton(AF_INET, "192.0.2.1", &from->sin_addr);
	return x;
}

/*
 * A NOTIFY that gives the serial of the copy held needs no SOA check (counted up to date); one
 * with another serial or none does, as before the copy. Nothing started.
 */
static void test_notify_serial(void)
{
	static const char *const axfr[] = {SOA(10), "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1", SOA(10), NULL};
	struct sockaddr_in from = {.sin_family = AF_INET};
	const uint32_t ten = 10, eleven = 11, nine = 9;
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	cfg_t *cfg = cfg_new();
	xfrin_zstate_t st;
	zload_zone_t *copy;
	uint8_t q[512];
	size_t n = tu_query(q, 1, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	xfrin_t *x;

	copy = axfr_copy(origin, axfr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	x = notified_secondary(cfg, &from);
	/* No copy yet: any serial is checked. */
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, &ten));
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.notifies_uptodate, 0);
	xfrin_seed(x, 0, copy);
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, &ten));
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, &eleven));
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, &nine));
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, NULL));
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.notifies, 5);
	CU_ASSERT_EQUAL(st.notifies_uptodate, 1);
	CU_ASSERT_EQUAL(st.notifies_coalesced, 4); /* a refresh was due from the start */
	xfrin_free(&x);
	zload_free(&copy);
	cfg_free(&cfg);
	ldns_rdf_deep_free(origin);
}

/*
 * A copy past its expire is checked on a NOTIFY of its serial even while the transfer thread has
 * not yet marked it expired (it runs check_expiry() between refreshes, and a refresh of another
 * zone may take minutes): that SOA check is what serves it again. Its file, a day old, says when
 * it was last refreshed; the SOA's expire is a minute. Nothing started.
 */
static void test_notify_serial_expired(void)
{
	static const char *const axfr[] = {SOA(10), "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1", SOA(10), NULL};
	struct sockaddr_in from = {.sin_family = AF_INET};
	const uint32_t ten = 10;
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	cfg_t *cfg = cfg_new();
	struct timespec old[2] = {{.tv_sec = time(NULL) - 86400}, {.tv_sec = time(NULL) - 86400}};
	xfrin_zstate_t st;
	zload_zone_t *copy;
	uint8_t q[512];
	size_t n = tu_query(q, 1, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	FILE *f = fopen(zpath, "w");
	xfrin_t *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, zpath, old, 0), 0);
	copy = axfr_copy(origin, axfr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	x = notified_secondary(cfg, &from);
	xfrin_seed(x, 0, copy);
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_FALSE(st.expired); /* not marked yet */
	CU_ASSERT_TRUE(st.expire_time != 0 && st.expire_time < time(NULL));
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, &ten));
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.notifies, 1);
	CU_ASSERT_EQUAL(st.notifies_uptodate, 0);
	/* The same copy refreshed now (its file just written): up to date again. */
	CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, zpath, NULL, 0), 0);
	xfrin_seed(x, 0, copy);
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, &ten));
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.notifies_uptodate, 1);
	xfrin_free(&x);
	zload_free(&copy);
	cfg_free(&cfg);
	ldns_rdf_deep_free(origin);
	unlink(zpath);
}

/*
 * A copy whose file says it was modified in the future (a clock set back while sandnsd was
 * down) expires after its expire from now, not from then (never, for a clock that stays
 * behind): counted as refreshed now, its file touched so that the next start agrees.
 */
static void test_seed_future_mtime(void)
{
	static const char *const axfr[] = {SOA(10), "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1", SOA(10), NULL};
	struct sockaddr_in from;
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	cfg_t *cfg = cfg_new();
	time_t t0 = time(NULL);
	struct timespec later[2] = {{.tv_sec = t0 + 365 * 86400}, {.tv_sec = t0 + 365 * 86400}};
	xfrin_zstate_t st;
	zload_zone_t *copy;
	struct stat sb;
	FILE *f = fopen(zpath, "w");
	xfrin_t *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, zpath, later, 0), 0);
	copy = axfr_copy(origin, axfr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	x = notified_secondary(cfg, &from);
	xfrin_seed(x, 0, copy);
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	/* The SOA's expire, 10 s, from now. */
	CU_ASSERT_TRUE(st.expire_time >= t0 + 10 && st.expire_time <= time(NULL) + 10);
	CU_ASSERT_EQUAL_FATAL(stat(zpath, &sb), 0);
	CU_ASSERT_TRUE(sb.st_mtime >= t0 && sb.st_mtime <= time(NULL));
	xfrin_free(&x);
	zload_free(&copy);
	cfg_free(&cfg);
	ldns_rdf_deep_free(origin);
	unlink(zpath);
}

/* NOTIFY and requests reach the right zone, from allowed peers only; nothing started. */
static void test_notify(void)
{
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new();
	struct sockaddr_in ok = {.sin_family = AF_INET}, other = {.sin_family = AF_INET};
	uint8_t q[512];
	xfrin_zstate_t st;
	xfrin_t *x;
	size_t n;

	snprintf(text, sizeof(text),
		 "zone file.test. %s\nzone sec.test. %s\nprimary sec.test. 127.0.0.1\n"
		 "allow-notify 192.0.2.1\n",
		 fpath, zpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	x = xfrin_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	inet_pton(AF_INET, "192.0.2.1", &ok.sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &other.sin_addr);
	n = tu_query(q, 1, 4 << 11, "SEC.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&ok, NULL, NULL));
	CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&ok, NULL, NULL)); /* coalesced */
	CU_ASSERT_FALSE(xfrin_notify(x, q, n, (struct sockaddr *)&other, NULL, NULL));
	n = tu_query(q, 1, 4 << 11, "file.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	CU_ASSERT_FALSE(xfrin_notify(x, q, n, (struct sockaddr *)&ok, NULL, NULL));
	n = tu_query(q, 1, 4 << 11, "x.sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);
	CU_ASSERT_FALSE(xfrin_notify(x, q, n, (struct sockaddr *)&ok, NULL, NULL));
	CU_ASSERT_FALSE(xfrin_zone_state(x, 0, &st)); /* a file zone */
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 1, &st));
	CU_ASSERT_EQUAL(st.notifies, 2);
	CU_ASSERT_EQUAL(st.notifies_coalesced, 2); /* a refresh is due from the start */
	CU_ASSERT_FALSE(st.have);
	CU_ASSERT_EQUAL(xfrin_request(x, "sec.test", true), SANDNS_EOK);
	CU_ASSERT_EQUAL(xfrin_request(x, "file.test.", false), -ENOENT);
	CU_ASSERT_EQUAL(xfrin_request(x, "nowhere.", false), -ENOENT);
	xfrin_free(&x);
	CU_ASSERT_PTR_NULL(x);
	cfg_free(&cfg);
}

/*
 * A transferred copy whose reload failed (the serial state not written, say) is asked for again
 * by the transfer thread after xfrin_again_s: its serial is newer than the one served, so no
 * refresh would hand it over again. One that was served is not.
 */
static void test_again(void)
{
	const unsigned was = xfrin_again_s;
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new();
	size_t out[4], n = 0;
	xfrin_t *x;

	/* The primary a closed port: the refresh fails at once, and wants no reload. */
	snprintf(text, sizeof(text),
		 "zone file.test. %s\nzone sec.test. %s\nprimary sec.test. 127.0.0.1@9\n", fpath,
		 zpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	x = xfrin_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	xfrin_again_s = 1;
	CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
	(void)xfrin_take_reloads(x, out, 4);
	/* Served: nothing asked again within 3 s. */
	xfrin_reloaded(x, 1, NULL, 0);
	for (int t = 0; t < 30 && n == 0; t++) {
		usleep(100000);
		n = xfrin_take_reloads(x, out, 4);
	}
	CU_ASSERT_EQUAL(n, 0);
	/* Failed: asked again, once, within a second and a little. */
	xfrin_reloaded(x, 1, "serial-state x: cannot write: Is a directory", 0);
	for (int t = 0; t < 50 && n == 0; t++) {
		usleep(100000);
		n = xfrin_take_reloads(x, out, 4);
	}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(out[0], 1);
	usleep(2500000);
	CU_ASSERT_EQUAL(xfrin_take_reloads(x, out, 4), 0);
	xfrin_again_s = was;
	xfrin_free(&x);
	cfg_free(&cfg);
}

/*
 * A secondary zone a reconfiguration adds (a catalog member) is not refreshed before it is
 * seeded with its copy: a refresh then would see no copy and transfer the zone whole. The
 * primary a closed port: a refresh fails at once and is counted.
 */
static void test_reconfigure_seed(void)
{
	static const char *const axfr[] = {SOA(10), "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1", SOA(10), NULL};
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new(), *next = cfg_new();
	xfrin_zstate_t st;
	zload_zone_t *copy;
	xfrin_t *x;

	copy = axfr_copy(origin, axfr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	snprintf(text, sizeof(text), "zone file.test. %s\n", fpath);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	snprintf(text, sizeof(text),
		 "zone file.test. %s\nzone sec.test. %s\nprimary sec.test. 127.0.0.1@9\n", fpath,
		 zpath);
	CU_ASSERT_EQUAL_FATAL(load(next, text, err, sizeof(err)), SANDNS_EOK);
	x = xfrin_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(xfrin_reconfigure(x, next, err, sizeof(err)), SANDNS_EOK);
	usleep(300000);
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 1, &st));
	CU_ASSERT_EQUAL(st.failures, 0); /* not refreshed yet */
	CU_ASSERT_EQUAL(st.last_time, 0);
	xfrin_seed(x, 1, copy);
	CU_ASSERT_EQUAL(xfrin_resume(x, err, sizeof(err)), SANDNS_EOK);
	for (int t = 0; t < 50 && st.failures == 0; t++) {
		usleep(100000);
		CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 1, &st));
	}
	CU_ASSERT_EQUAL(st.failures, 1); /* refreshed at once, with the copy seeded */
	CU_ASSERT_TRUE(st.have);
	CU_ASSERT_EQUAL(st.serial, 10);
	xfrin_free(&x);
	zload_free(&copy);
	cfg_free(&next);
	cfg_free(&cfg);
	ldns_rdf_deep_free(origin);
}

/*
 * A refresh a reconfiguration cuts (the thread stopped while it waits for the primary) is no
 * failure: not counted, and the zone is refreshed again as soon as the thread runs again, not
 * after its retry. The primary a UDP socket that never answers.
 */
static void test_reconfigure_cut(void)
{
	char err[1024], text[2048];
	cfg_t *cfg = cfg_new(), *next = cfg_new();
	unsigned port;
	int fd = tu_silent_udp("127.0.0.1", &port);
	xfrin_zstate_t st;
	xfrin_t *x;

	snprintf(text, sizeof(text), "zone sec.test. %s\nprimary sec.test. 127.0.0.1@%u\n", zpath,
		 port);
	CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(load(next, text, err, sizeof(err)), SANDNS_EOK);
	x = xfrin_new(cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE_FATAL(tu_datagram(fd, 5000)); /* the SOA query: the refresh waits */
	CU_ASSERT_EQUAL_FATAL(xfrin_reconfigure(x, next, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_FALSE(tu_datagram(fd, 0)); /* the stop ended the query: no second try sent */
	CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
	CU_ASSERT_EQUAL(st.failures, 0);
	CU_ASSERT_EQUAL(st.last_time, 0);
	CU_ASSERT_EQUAL(xfrin_resume(x, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_TRUE(tu_datagram(fd, 1000)); /* asked again at once */
	xfrin_free(&x);
	close(fd);
	cfg_free(&next);
	cfg_free(&cfg);
}

/*
 * The primary a NOTIFY came from is asked first, whatever its place among the primaries (its
 * address, any port): the others may not have the new serial yet, and one of them saying "up to
 * date" would end the refresh. Otherwise the primaries are asked in their order. Two primaries
 * that never answer, on 127.0.0.1 and 127.0.0.2: which one the first SOA query reaches.
 */
static void test_notifier_first(void)
{
	char err[1024], text[2048];
	unsigned pa, pb;
	int fa = tu_silent_udp("127.0.0.1", &pa), fb = tu_silent_udp("127.0.0.2", &pb);
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(5353)};
	uint8_t q[512];
	size_t n = tu_query(q, 1, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);

	inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
	snprintf(
	    text, sizeof(text),
	    "zone sec.test. %s\nprimary sec.test. 127.0.0.1@%u\nprimary sec.test. 127.0.0.2@%u\n"
	    "allow-notify 127.0.0.0/8\n",
	    zpath, pa, pb);
	for (int notified = 0; notified < 2; notified++) {
		cfg_t *cfg = cfg_new();
		xfrin_t *x;

		CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
		x = xfrin_new(cfg, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		if (notified)
			CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL, NULL));
		CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
		/* The first primary asked gets its query at once, the other not within 1 s (the
		 * first's two tries take 3 s). */
		CU_ASSERT_TRUE(tu_datagram(notified ? fb : fa, 1000));
		CU_ASSERT_FALSE(tu_datagram(notified ? fa : fb, 1000));
		xfrin_free(&x);
		cfg_free(&cfg);
		while (tu_datagram(fa, 0) || tu_datagram(fb, 0))
			;
	}
	close(fa);
	close(fb);
}

/*
 * A primary's answer to the SOA query FD receives within MS milliseconds: SOA serial SERIAL for
 * the zone asked. Whether one came.
 */
static bool answer_soa(int fd, uint32_t serial, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	uint8_t buf[512], *wire = NULL;
	ldns_pkt *q = NULL;
	ldns_rr *soa = NULL;
	size_t wl = 0;
	char text[256];
	ssize_t n;
	bool ok;

	if (poll(&pfd, 1, ms) <= 0 ||
	    (n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &pl)) <= 0 ||
	    ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return false;
	snprintf(text, sizeof(text),
		 "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. %u 3600 1 10 60", serial);
	ok = ldns_rr_new_frm_str(&soa, text, 0, NULL, NULL) == LDNS_STATUS_OK;
	if (ok) {
		ldns_pkt_set_qr(q, true);
		ldns_pkt_set_aa(q, true);
		ldns_pkt_push_rr(q, LDNS_SECTION_ANSWER, soa);
		ok = ldns_pkt2wire(&wire, q, &wl) == LDNS_STATUS_OK &&
		     sendto(fd, wire, wl, 0, (struct sockaddr *)&peer, pl) == (ssize_t)wl;
	}
	free(wire);
	ldns_pkt_free(q);
	return ok;
}

/*
 * A NOTIFY of serial 11 from 127.0.0.1, where two primaries are, on two ports: the first (taken
 * for the notifier) answers 10, the serial held; the second is asked too, and answers 10: the
 * copy is up to date (the first one's answer said). A NOTIFY of no serial: the first one's 10
 * ends the check.
 */
static void test_notify_behind(void)
{
	static const char *const axfr[] = {SOA(10), "sec.test. 300 IN NS ns1.sec.test.",
					   "ns1.sec.test. 300 IN A 192.0.2.1", SOA(10), NULL};
	char err[1024], text[2048];
	const uint32_t eleven = 11;
	unsigned pa, pb;
	int fa = tu_silent_udp("127.0.0.1", &pa), fb = tu_silent_udp("127.0.0.1", &pb);
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_port = htons(5353)};
	ldns_rdf *origin = ldns_dname_new_frm_str("sec.test.");
	zload_zone_t *copy = axfr_copy(origin, axfr);
	uint8_t q[512];
	size_t n = tu_query(q, 1, 4 << 11, "sec.test.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN);

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	inet_pton(AF_INET, "127.0.0.1", &from.sin_addr);
	snprintf(
	    text, sizeof(text),
	    "zone sec.test. %s\nprimary sec.test. 127.0.0.1@%u\nprimary sec.test. 127.0.0.1@%u\n"
	    "allow-notify 127.0.0.0/8\n",
	    zpath, pa, pb);
	for (int with_serial = 1; with_serial >= 0; with_serial--) {
		cfg_t *cfg = cfg_new();
		xfrin_zstate_t st;
		xfrin_t *x;
		bool done = false;

		CU_ASSERT_EQUAL_FATAL(load(cfg, text, err, sizeof(err)), SANDNS_EOK);
		x = xfrin_new(cfg, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		xfrin_seed(x, 0, copy);
		CU_ASSERT_TRUE(xfrin_notify(x, q, n, (struct sockaddr *)&from, NULL,
					    with_serial ? &eleven : NULL));
		CU_ASSERT_EQUAL_FATAL(xfrin_start(x, err, sizeof(err)), SANDNS_EOK);
		CU_ASSERT_TRUE(answer_soa(fa, 10, 2000));
		/* The second is asked only when the NOTIFY gave a newer serial. */
		CU_ASSERT_EQUAL(answer_soa(fb, 10, 1000), with_serial == 1);
		for (int t = 0; t < 50 && !done; t++) {
			CU_ASSERT_TRUE_FATAL(xfrin_zone_state(x, 0, &st));
			done = st.last_ok && strstr(st.last, "up to date at serial 10") != NULL;
			if (!done)
				usleep(20000);
		}
		CU_ASSERT_TRUE(done);
		snprintf(err, sizeof(err), "127.0.0.1@%u has 10", pa);
		CU_ASSERT_PTR_NOT_NULL(strstr(st.last, err));
		xfrin_free(&x);
		cfg_free(&cfg);
		while (tu_datagram(fa, 0) || tu_datagram(fb, 0))
			;
	}
	close(fa);
	close(fb);
	zload_free(&copy);
	ldns_rdf_deep_free(origin);
}

/*
 * The SOA of an IXFR request names the zone, whatever its name: ldns reads a text owner that
 * starts with "@" ("@x.test.", a zone's name as configured) as the origin, the root here, and
 * the primary would see an IXFR for x.test. carry the root's SOA. Made from the wire name, it
 * is the zone's, with our serial.
 */
static void test_ixfr_soa(void)
{
	static const char *const zones[] = {"@x.test.",	 "\\@x.test.", "\\064.x.test.",
					    "@.x.test.", "a.@b.test.", "sec.test."};

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		ldns_rdf *name = NULL;
		ldns_rr *soa;
		char *text;

		CU_ASSERT_EQUAL_FATAL(ldns_str2rdf_dname(&name, zones[i]), LDNS_STATUS_OK);
		soa = xfrin_ixfr_soa(name, 4000000000u);
		CU_ASSERT_PTR_NOT_NULL_FATAL(soa);
		CU_ASSERT_EQUAL(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
		CU_ASSERT_EQUAL(ldns_rdf_size(ldns_rr_owner(soa)), ldns_rdf_size(name));
		CU_ASSERT_EQUAL(ldns_dname_compare(ldns_rr_owner(soa), name), 0);
		CU_ASSERT_EQUAL(xfrin_soa_field(soa, 2), 4000000000u);
		text = ldns_rr2str(soa);
		if (ldns_dname_compare(ldns_rr_owner(soa), name) != 0)
			fprintf(stderr, "\n  zone %s: %s", zones[i], text);
		free(text);
		ldns_rr_free(soa);
		ldns_rdf_deep_free(name);
	}
}

/* A query for NAME (presentation form) at MSG: header, then the wire name; its length. */
static size_t wire_query(const char *name, uint8_t *msg, size_t cap)
{
	ldns_rdf *r = NULL;
	size_t n;

	memset(msg, 0, cap);
	CU_ASSERT_EQUAL_FATAL(ldns_str2rdf_dname(&r, name), LDNS_STATUS_OK);
	n = ldns_rdf_size(r);
	CU_ASSERT_FATAL(12 + n + 4 <= cap);
	memcpy(msg + 12, ldns_rdf_data(r), n);
	ldns_rdf_deep_free(r);
	return 12 + n + 4;
}

static void test_tab(void)
{
	/* Zone numbers as in a configuration where zones 1, 2 and 5 are not secondary; "b.test"
	 * twice (never after cfg_check()): the first wins, as a pass finds it. */
	static const char *const origins[] = {"a.test.", "B.Test", "c.test.", "b.test.", "."};
	static const size_t zone[] = {0, 3, 4, 6, 7};
	struct xz z[5];
	struct xtab *t;
	uint8_t msg[300];
	size_t len;

	memset(z, 0, sizeof(z));
	for (size_t i = 0; i < 5; i++) {
		z[i].zone = zone[i];
		z[i].origin = origins[i];
		CU_ASSERT_EQUAL_FATAL(ldns_str2rdf_dname(&z[i].name, origins[i]), LDNS_STATUS_OK);
		ldns_dname2canonical(z[i].name);
	}
	t = xtab_new(NULL, z, 5, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	xtab_index(t, 5);
	/* By origin: case and a final dot aside; the first of two; absent. */
	CU_ASSERT_PTR_EQUAL(xtab_origin(t, "a.test"), &z[0]);
	CU_ASSERT_PTR_EQUAL(xtab_origin(t, "A.TEST."), &z[0]);
	CU_ASSERT_PTR_EQUAL(xtab_origin(t, "b.test."), &z[1]);
	CU_ASSERT_PTR_EQUAL(xtab_origin(t, "c.Test"), &z[2]);
	CU_ASSERT_PTR_EQUAL(xtab_origin(t, "."), &z[4]);
	CU_ASSERT_PTR_NULL(xtab_origin(t, "d.test."));
	CU_ASSERT_PTR_NULL(xtab_origin(t, "x.a.test."));
	CU_ASSERT_PTR_NULL(xtab_origin(t, "test."));
	/* By configured zone number. */
	CU_ASSERT_PTR_EQUAL(xtab_zone(t, 0), &z[0]);
	CU_ASSERT_PTR_EQUAL(xtab_zone(t, 4), &z[2]);
	CU_ASSERT_PTR_EQUAL(xtab_zone(t, 7), &z[4]);
	CU_ASSERT_PTR_NULL(xtab_zone(t, 1));
	CU_ASSERT_PTR_NULL(xtab_zone(t, 5));
	CU_ASSERT_PTR_NULL(xtab_zone(t, 8));
	CU_ASSERT_PTR_NULL(xtab_zone(t, 1000));
	/* By the wire name after a header: any case; the first of two; absent, cut, a pointer. */
	len = wire_query("A.TeSt.", msg, sizeof(msg));
	CU_ASSERT_PTR_EQUAL(xtab_wire(t, msg, len), &z[0]);
	len = wire_query("b.TEST.", msg, sizeof(msg));
	CU_ASSERT_PTR_EQUAL(xtab_wire(t, msg, len), &z[1]);
	len = wire_query(".", msg, sizeof(msg));
	CU_ASSERT_PTR_EQUAL(xtab_wire(t, msg, len), &z[4]);
	len = wire_query("www.a.test.", msg, sizeof(msg));
	CU_ASSERT_PTR_NULL(xtab_wire(t, msg, len));
	len = wire_query("test.", msg, sizeof(msg));
	CU_ASSERT_PTR_NULL(xtab_wire(t, msg, len));
	len = wire_query("c.test.", msg, sizeof(msg));
	CU_ASSERT_PTR_EQUAL(xtab_wire(t, msg, len), &z[2]);
	CU_ASSERT_PTR_NULL(xtab_wire(t, msg, 12 + 3)); /* the name cut */
	CU_ASSERT_PTR_NULL(xtab_wire(t, msg, 12));
	msg[12] = 0xc0; /* a pointer: no zone */
	CU_ASSERT_PTR_NULL(xtab_wire(t, msg, len));
	xtab_free(t);
	/* An empty table finds nothing. */
	t = xtab_new(NULL, z, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	xtab_index(t, 0);
	CU_ASSERT_PTR_NULL(xtab_origin(t, "a.test."));
	CU_ASSERT_PTR_NULL(xtab_zone(t, 0));
	len = wire_query("a.test.", msg, sizeof(msg));
	CU_ASSERT_PTR_NULL(xtab_wire(t, msg, len));
	xtab_free(t);
	for (size_t i = 0; i < 5; i++)
		ldns_rdf_deep_free(z[i].name);
}

void reg_cutest_xfrin(void)
{
	CU_pSuite s = CU_add_suite("xfrin", suite_init, suite_cleanup);

	CU_add_test(s, "cfg: primary, allow-notify, a key refused", test_cfg);
	CU_add_test(s, "build: an absent secondary zone is SERVFAIL; NOTIFY flagged", test_absent);
	CU_add_test(s, "apply: AXFR, IXFR sequences, inconsistent, current, outside", test_apply);
	CU_add_test(s, "an IXFR and a certificate change a secondary zone's data and edits at once",
		    test_ixfr_and_edits);
	CU_add_test(s, "notify and requests: the zone, the peer, coalesced", test_notify);
	CU_add_test(s, "a NOTIFY with the serial held needs no SOA check", test_notify_serial);
	CU_add_test(s, "a NOTIFY with the serial of a copy past its expire is checked",
		    test_notify_serial_expired);
	CU_add_test(s, "a copy modified in the future expires counted from now",
		    test_seed_future_mtime);
	CU_add_test(s, "a transferred copy's reload that failed asked again", test_again);
	CU_add_test(s, "a zone a reconfiguration adds is refreshed once seeded, not before",
		    test_reconfigure_seed);
	CU_add_test(s, "a refresh a reconfiguration cuts is no failure, and is asked again at once",
		    test_reconfigure_cut);
	CU_add_test(s, "the primary a NOTIFY came from is asked first", test_notifier_first);
	CU_add_test(s, "a primary behind a NOTIFY's serial: the next is asked", test_notify_behind);
	CU_add_test(s, "table: by origin, zone number and wire name", test_tab);
	CU_add_test(s, "an IXFR request's SOA names the zone, \"@x.test.\" too", test_ixfr_soa);
}
