/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ctl_sign.c: CUnit suite for the build's signing step: serials, reuse, bad input */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>

#include "cfg.h"
#include "ctl.h"
#include "ctl_signstate.h"
#include "cutest.h"
#include "fnv.h"
#include "sandns_err.h"
#include "sign.h"
#include "sigtime.h"
#include "tutil.h"
#include "wire.h"
#include "zload_pvt.h"
#include "zt_build.h"
#include "zt_patch.h"

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

/*
 * A zone presigned from the first build, with no key yet: refused naming the zone, its file and
 * the line of its first DNSSEC record, and no key made for it (the key directory stays empty).
 */
static void test_presigned_first(void)
{
	ctl_build_t b;
	char path[512];
	struct dirent *de;
	size_t keys = 0;
	DIR *d;
	cfg_t *cfg;

	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_zone("www IN A 192.0.2.80\n@ IN RRSIG SOA 13 2 3600 20270101000000 20261201000000 "
		   "1 example.net. AAAA\n");
	cfg = config();
	CU_ASSERT_EQUAL(build(cfg, NULL, &b), SANDNS_EZONE);
	CU_ASSERT_PTR_NULL(b.zt);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "zone example.net.: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "z.zone line 8 holds a DNSSEC record (RRSIG)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "presigned"));
	snprintf(path, sizeof(path), "%s/state/keys", dir);
	d = opendir(path);
	while (d != NULL && (de = readdir(d)) != NULL)
		keys += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	CU_ASSERT_EQUAL(keys, 0);
	ctl_build_clear(&b);
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

/* The zone of test_patched: NAMES A records (n0 .. n<NAMES-1>), but those SKIP says, then EXTRA. */
static void write_big(int names, int skip, const char *extra)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/z.zone", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "$ORIGIN example.net.\n$TTL 3600\n@ IN SOA ns1 h 10 7200 3600 1209600 300\n"
		   "@ IN NS ns1\nns1 IN A 192.0.2.53\n*.wild IN TXT \"w\"\n");
	for (int k = 0; k < names; k++)
		if (k != skip)
			fprintf(f, "n%d IN A 192.0.2.%d\n", k, k % 250 + 1);
	fputs(extra, f);
	fclose(f);
}

static cfg_t *config_mode(const char *mode)
{
	char text[512];
	cfg_t *cfg = cfg_new();

	snprintf(text, sizeof(text), "%s/state", dir);
	mkdir(text, 0700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	snprintf(text, sizeof(text),
		 "zone example.net. z.zone\nstate-dir %s/state\ndnssec example.net %s\n", dir,
		 mode);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	return cfg;
}

/* B built on PREV, its snapshot patched from PREV's when it may be, as the reload thread does. */
static int rebuild(const cfg_t *cfg, const ctl_build_t *prev, ctl_build_t *out)
{
	const ctl_rebuild_t on = {.zones = true, .zone = "example.net.", .base = prev->zt};

	err[0] = '\0';
	return ctl_build(cfg, prev, &on, out, err, sizeof(err));
}

/* NAME/QTYPE asked of T over TCP, with DO or without: the response's octets in R, its length. */
static size_t ask_raw(const zt_t *t, const char *name, uint16_t qtype, bool dnssec, uint8_t *r)
{
	uint8_t q[512];
	const zt_answer_ctx_t ctx = {.transport = ZT_TCP};
	zt_answer_info_t info;
	size_t len = tu_query(q, 0x5151, 0, name, qtype, 1);

	if (dnssec) {
		static const uint8_t opt[] = {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0};

		q[11] = 1; /* ARCOUNT */
		memcpy(q + len, opt, sizeof(opt));
		len += sizeof(opt);
	}
	return zt_answer(t, q, len, r, 65535, &ctx, &info);
}

/*
 * Every answer of GOT (patched) against REF (zt_new() over the same signed version): the zone's
 * names, names below them that do not exist, names under the wildcard, many types, with DO and
 * without. How many differ.
 */
static size_t differing(const zt_t *ref, const zt_t *got, int names)
{
	static const uint16_t types[] = {1, 2, 6, 16, 28, 46, 47, 48, 255};
	static uint8_t a[65535], b[65535];
	size_t nd = 0;

	for (int k = -3; k < names + 3; k++) {
		char name[3][64];

		snprintf(name[0], sizeof(name[0]), "%s%d.example.net.", k < 0 ? "x" : "n", k);
		snprintf(name[1], sizeof(name[1]), "below.n%d.example.net.", k);
		snprintf(name[2], sizeof(name[2]), "q%d.wild.example.net.", k);
		if (k == -3)
			snprintf(name[0], sizeof(name[0]), "example.net.");
		if (k == -2)
			snprintf(name[0], sizeof(name[0]), "ns1.example.net.");
		for (int v = 0; v < 3; v++)
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				for (int d = 0; d < 2; d++) {
					size_t la = ask_raw(ref, name[v], types[t], d, a);
					size_t lb = ask_raw(got, name[v], types[t], d, b);

					if (la != lb || memcmp(a, b, la) != 0) {
						if (nd == 0)
							fprintf(stderr,
								"\n  %s type %u DO %d: "
								"answers differ\n",
								name[v], types[t], d);
						nd++;
					}
				}
	}
	return nd;
}

/* B's zone compiled whole (zt_new) from the signed version it holds, as ctl_build() would. */
static zt_t *whole(const cfg_t *cfg, const ctl_build_t *b)
{
	zt_zone_edits_t ze = {.zone = b->signed_zones[0], .serial = b->zones[0].serial};
	zload_zone_t *live[1] = {b->signed_zones[0]};
	zt_opts_t o;
	zt_t *t;

	ctl_build_opts(cfg, &o);
	o.edits = &ze;
	o.nedits = 1;
	t = zt_new(live, 1, &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

/* Whether the answer with DO to NAME/QTYPE from T holds that RRset and signatures that verify
 * with the zone's DNSKEYs (asked of T too). */
static bool verifies(const zt_t *t, const char *name, uint16_t qtype)
{
	static uint8_t r[65535];
	ldns_pkt *kp = NULL, *p = NULL;
	ldns_rr_list *keys, *set, *sigs, *good;
	size_t len = ask_raw(t, "example.net.", LDNS_RR_TYPE_DNSKEY, true, r);
	bool ok;

	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&kp, r, len), LDNS_STATUS_OK);
	len = ask_raw(t, name, qtype, true, r);
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&p, r, len), LDNS_STATUS_OK);
	keys = ldns_pkt_rr_list_by_type(kp, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
	set = ldns_pkt_rr_list_by_type(p, qtype, LDNS_SECTION_ANSWER);
	sigs = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);
	good = ldns_rr_list_new();
	ok = keys != NULL && set != NULL && sigs != NULL &&
	     ldns_verify(set, sigs, keys, good) == LDNS_STATUS_OK;
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_free(good);
	ldns_pkt_free(kp);
	ldns_pkt_free(p);
	return ok;
}

/* A digest of record I of Z (an RRSIG): its owner (lower-cased) and data. */
static uint64_t rec_digest(const zload_zone_t *z, size_t i)
{
	const uint8_t *o = zload_rec_owner(z, i);
	uint64_t h = FNV_START;

	for (size_t k = 0; k < wire_name_len(o); k++)
		h = fnv_byte(h, wire_lower(o[k]));
	return fnv_bytes(h, zload_rec_rdata(z, i), z->recs[i].rdlen);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The digests of Z's RRSIGs, sorted (*N of them; malloc'd). */
static uint64_t *sig_digests(const zload_zone_t *z, size_t *n)
{
	uint64_t *d = malloc((z->nrecs + 1) * sizeof(*d));

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	*n = 0;
	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == LDNS_RR_TYPE_RRSIG)
			d[(*n)++] = rec_digest(z, i);
	qsort(d, *n, sizeof(*d), cmp_u64);
	return d;
}

/*
 * Every RRSIG of NOW_Z that OLD (NULL: none) did not hold verifies at time T against its RRset
 * and NOW_Z's DNSKEYs (ldns, at that time: inception and expiration checked too). How many were
 * checked; *BAD how many failed.
 */
static size_t verify_new_sigs(const zload_zone_t *old, const zload_zone_t *z, time_t t, size_t *bad)
{
	size_t nold = 0, n, checked = 0;
	uint64_t *od = old != NULL ? sig_digests(old, &nold) : NULL;
	ldns_rr_list *l = ldns_rr_list_new(), *keys = ldns_rr_list_new();

	*bad = 0;
	for (size_t i = 0; i < z->nrecs; i++) {
		uint64_t h;

		if (z->recs[i].type == LDNS_RR_TYPE_RRSIG) {
			h = rec_digest(z, i);
			if (od != NULL && bsearch(&h, od, nold, sizeof(h), cmp_u64) != NULL)
				continue;
		}
		ldns_rr_list_push_rr(l, zload_rr(z, i));
		if (z->recs[i].type == LDNS_RR_TYPE_DNSKEY)
			ldns_rr_list_push_rr(
			    keys, ldns_rr_clone(ldns_rr_list_rr(l, ldns_rr_list_rr_count(l) - 1)));
	}
	free(od);
	ldns_rr_list_sort(l);
	n = ldns_rr_list_rr_count(l);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(l, j)),
						   ldns_rr_owner(ldns_rr_list_rr(l, i))) == 0)
			j++;
		for (size_t b = i; b < j; b++) {
			ldns_rr *sig = ldns_rr_list_rr(l, b);
			ldns_rr_type ty;
			ldns_rr_list *set, *good;

			if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG)
				continue;
			ty = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig));
			set = ldns_rr_list_new();
			for (size_t a = i; a < j; a++)
				if (ldns_rr_get_type(ldns_rr_list_rr(l, a)) == ty)
					ldns_rr_list_push_rr(set, ldns_rr_list_rr(l, a));
			good = ldns_rr_list_new();
			if (ldns_verify_rrsig_keylist_time(set, sig, keys, t, good) !=
			    LDNS_STATUS_OK) {
				if (*bad == 0)
					fprintf(stderr, "\n  an RRSIG of type %u does not verify\n",
						(unsigned)ty);
				(*bad)++;
			}
			checked++;
			ldns_rr_list_free(good);
			ldns_rr_list_free(set);
		}
		i = j;
	}
	ldns_rr_list_deep_free(l);
	ldns_rr_list_deep_free(keys);
	return checked;
}

#define BIG_NAMES 300

/*
 * A zone sandns signs with NSEC, in a snapshot that splits its NODATA and keeps no denial
 * blobs (the knobs of a large one), served after a restart from the state directory: a reload that
 * changes, adds and removes a record is patched (its few names, not the zone), a newer serial
 * served, the new records' signatures valid, every answer with DO and without the octets of a whole
 * compile of the same signed version; so is a renewal of its signatures asked before any of them
 * fell due (signed again without a command, a newer serial, the SOA's signature made again and the
 * others kept). A renewal at the due time makes every signature again: that compiles whole
 * (zt_patch()'s bound on the names changed), as NSEC3 does. A version the build no longer holds
 * (keep-zones) is compared with the one the state directory kept; without that file, compiled
 * whole.
 */
static void test_patched(void)
{
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
	ctl_build_t b0, b1, b2, b3, b4;
	zt_t *ref;
	cfg_t *cfg;

	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_big(BIG_NAMES, -1, "");
	cfg = config_mode("nsec");
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b0), SANDNS_EOK);
	CU_ASSERT_FALSE(b0.patched);
	/* A restart: its first build serves the signed version the state directory kept (signing
	 * nothing), and the next reload compares the new one with that. */
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b0, NULL, 0), SANDNS_EOK);
	ctl_signstate_save(cfg, &b0);
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b1), SANDNS_EOK);
	CU_ASSERT_EQUAL(b1.zones[0].serial, 10);
	CU_ASSERT_FALSE(b1.zones[0].sign_fresh);
	ctl_build_clear(&b0);
	/* n5 changed, n7 gone, new1 added: a file reload. */
	write_big(BIG_NAMES, 7, "n5 IN TXT \"changed\"\nnew1 IN A 192.0.2.99\n");
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b1, &b2), SANDNS_EOK);
	CU_ASSERT_TRUE(b2.patched);
	/* n5, new1 and its NSEC predecessor n.., n7's predecessor, the apex (SOA): a few. */
	CU_ASSERT(b2.patched_names >= 4 && b2.patched_names <= 8);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 11);
	CU_ASSERT_PTR_NOT_EQUAL(b2.signed_zones[0], b1.signed_zones[0]);
	ref = whole(cfg, &b2);
	CU_ASSERT_EQUAL(differing(ref, b2.zt, BIG_NAMES), 0);
	zt_free(&ref);
	CU_ASSERT_TRUE(verifies(b2.zt, "new1.example.net.", LDNS_RR_TYPE_A));
	CU_ASSERT_TRUE(verifies(b2.zt, "n5.example.net.", LDNS_RR_TYPE_TXT));
	CU_ASSERT_TRUE(verifies(b2.zt, "n69.example.net.", LDNS_RR_TYPE_NSEC));
	CU_ASSERT_TRUE(verifies(b2.zt, "n99.example.net.", LDNS_RR_TYPE_NSEC));
	CU_ASSERT_TRUE(verifies(b2.zt, "example.net.", LDNS_RR_TYPE_SOA));
	ctl_build_clear(&b1);
	/* The renewal ctl_resign.c queues: the zone read again unchanged, said due. */
	b2.zones[0].sign_due = 1;
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b2, &b3), SANDNS_EOK);
	CU_ASSERT_TRUE(b3.patched);
	CU_ASSERT_EQUAL(b3.zones[0].serial, 12);
	CU_ASSERT(b3.zones[0].sign_due > 1);
	CU_ASSERT_PTR_NOT_EQUAL(b3.signed_zones[0], b2.signed_zones[0]);
	ref = whole(cfg, &b3);
	CU_ASSERT_EQUAL(differing(ref, b3.zt, BIG_NAMES), 0);
	zt_free(&ref);
	CU_ASSERT_TRUE(verifies(b3.zt, "example.net.", LDNS_RR_TYPE_SOA));
	/* Kept no more (keep-zones dropped it after the publish): compared with the version the
	 * state directory kept, patched; without that file, compiled whole. */
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b3, NULL, 0), SANDNS_EOK);
	ctl_signstate_save(cfg, &b3);
	write_big(BIG_NAMES, 8, "");
	zload_free(&b3.signed_zones[0]);
	zload_free(&b3.raw[0]);
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b3, &b4), SANDNS_EOK);
	CU_ASSERT_TRUE(b4.patched);
	CU_ASSERT_EQUAL(b4.zones[0].serial, 13);
	CU_ASSERT_PTR_NULL(b4.served_signed[0]);
	ref = whole(cfg, &b4);
	CU_ASSERT_EQUAL(differing(ref, b4.zt, BIG_NAMES), 0);
	zt_free(&ref);
	ctl_build_clear(&b4);
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/state/example.net.signed", dir);
		CU_ASSERT_EQUAL(unlink(path), 0);
	}
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b3, &b4), SANDNS_EOK);
	CU_ASSERT_FALSE(b4.patched);
	ctl_build_clear(&b2);
	ctl_build_clear(&b3);
	ctl_build_clear(&b4);
	cfg_free(&cfg);
	rm_tree(dir);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
}

/* The owners of signed versions (lower-case text, each once), and the changed ones among them. */
struct owners {
	char **v;
	size_t n, cap;
};

static bool owners_has(const struct owners *o, const char *name)
{
	for (size_t k = 0; k < o->n; k++)
		if (strcmp(o->v[k], name) == 0)
			return true;
	return false;
}

static void owners_add(struct owners *o, const char *name)
{
	if (owners_has(o, name))
		return;
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 256;
		o->v = realloc(o->v, o->cap * sizeof(*o->v));
		CU_ASSERT_PTR_NOT_NULL_FATAL(o->v);
	}
	o->v[o->n] = strdup(name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o->v[o->n]);
	o->n++;
}

static void owners_free(struct owners *o)
{
	for (size_t k = 0; k < o->n; k++)
		free(o->v[k]);
	free(o->v);
	*o = (struct owners){0};
}

static int owner_cb(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rd)
{
	(void)type;
	(void)ttl;
	(void)rd;
	owners_add(ctx, owner);
	return 0;
}

/*
 * Every owner of GOT's and REF's signed versions (OLD, NEW: the NSEC3 owners, the names and the
 * empty non-terminals' children), a name below each (an NXDOMAIN, or below a delegation), and
 * differing()'s names, asked of REF (zt_new()) and GOT (patched) in many types, with DO and
 * without: how many answers differ.
 */
static size_t differing_all(const zt_t *ref, const zt_t *got, const zload_zone_t *old,
			    const zload_zone_t *new, int names)
{
	static const uint16_t types[] = {1, 2, 5, 6, 16, 28, 43, 46, 47, 48, 50, 51, 255};
	static uint8_t a[65535], b[65535];
	struct owners o = {0};
	size_t nd = differing(ref, got, names);

	CU_ASSERT_EQUAL(zload_foreach(old, owner_cb, &o), 0);
	CU_ASSERT_EQUAL(zload_foreach(new, owner_cb, &o), 0);
	owners_add(&o, "ent.example.net.");
	owners_add(&o, "newent.example.net.");
	for (size_t k = 0; k < o.n; k++)
		for (int below = 0; below < 2; below++) {
			char name[600];

			snprintf(name, sizeof(name), "%s%s", below ? "zz." : "", o.v[k]);
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				for (int d = 0; d < 2; d++) {
					size_t la = ask_raw(ref, name, types[t], d, a);
					size_t lb = ask_raw(got, name, types[t], d, b);

					if (la != lb || memcmp(a, b, la) != 0) {
						if (nd == 0)
							fprintf(stderr,
								"\n  %s type %u DO %d: "
								"answers differ\n",
								name, types[t], d);
						nd++;
					}
				}
		}
	owners_free(&o);
	return nd;
}

/*
 * Whether the answer with DO to NAME/QTYPE from T (a NODATA) proves it with the NSEC3 at OWNER,
 * and that NSEC3 and its signatures verify with the zone's DNSKEYs (asked of T too).
 */
static bool proof_verifies(const zt_t *t, const char *name, uint16_t qtype, const char *owner)
{
	static uint8_t r[65535];
	ldns_pkt *kp = NULL, *p = NULL;
	ldns_rr_list *keys, *auth, *set = ldns_rr_list_new(), *sigs = ldns_rr_list_new(),
				   *good = ldns_rr_list_new();
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	size_t len = ask_raw(t, "example.net.", LDNS_RR_TYPE_DNSKEY, true, r);
	bool ok;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&kp, r, len), LDNS_STATUS_OK);
	len = ask_raw(t, name, qtype, true, r);
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&p, r, len), LDNS_STATUS_OK);
	keys = ldns_pkt_rr_list_by_type(kp, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
	auth = ldns_pkt_authority(p);
	for (size_t k = 0; k < ldns_rr_list_rr_count(auth); k++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, k);

		if (ldns_dname_compare(ldns_rr_owner(rr), o) != 0)
			continue;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC3)
			ldns_rr_list_push_rr(set, rr);
		else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
			 ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == LDNS_RR_TYPE_NSEC3)
			ldns_rr_list_push_rr(sigs, rr);
	}
	ok = keys != NULL && ldns_rr_list_rr_count(set) == 1 && ldns_rr_list_rr_count(sigs) > 0 &&
	     ldns_verify(set, sigs, keys, good) == LDNS_STATUS_OK;
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_free(set);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(good);
	ldns_rdf_deep_free(o);
	ldns_pkt_free(kp);
	ldns_pkt_free(p);
	return ok;
}

/* The RRsets of NEW at the names that changed since OLD, each checked with verifies(). */
struct changed_sets {
	const zt_t *t;
	struct owners names; /* the changed names */
	struct owners all;   /* NEW's names (not its NSEC3 owners) and the names above them */
	struct owners done;  /* "owner/type" checked */
	size_t ok, ok3, bad; /* verified (ok3: NSEC3 records), not */
};

static int name_cb(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rd)
{
	struct owners *o = ctx;

	(void)ttl;
	(void)rd;
	if (type == LDNS_RR_TYPE_NSEC3 || type == LDNS_RR_TYPE_RRSIG)
		return 0;
	for (const char *n = owner; strcmp(n, "example.net.") != 0; n = strchr(n, '.') + 1)
		owners_add(o, n);
	owners_add(o, "example.net.");
	return 0;
}

/* The name of C->all whose NSEC3 hash (SHA-1, no salt, no extra iteration) is OWNER's first
 * label; NULL: none. */
static const char *hashed_from(const struct changed_sets *c, const char *owner)
{
	size_t llen = strcspn(owner, ".");

	for (size_t k = 0; k < c->all.n; k++) {
		ldns_rdf *d = ldns_dname_new_frm_str(c->all.v[k]);
		ldns_rdf *h = d != NULL ? ldns_nsec3_hash_name(d, 1, 0, 0, NULL) : NULL;
		char *text = h != NULL ? ldns_rdf2str(h) : NULL;
		bool same = text != NULL && strncasecmp(text, owner, llen) == 0 &&
			    (text[llen] == '.' || text[llen] == '\0');

		free(text);
		ldns_rdf_deep_free(h);
		ldns_rdf_deep_free(d);
		if (same)
			return c->all.v[k];
	}
	return NULL;
}

static int verify_cb(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rd)
{
	struct changed_sets *c = ctx;
	char key[600];

	(void)ttl;
	(void)rd;
	/* The signatures come with what they cover; a delegation's NS answers a referral. */
	if (type == LDNS_RR_TYPE_RRSIG || !owners_has(&c->names, owner) ||
	    (type == LDNS_RR_TYPE_NS && strcmp(owner, "example.net.") != 0))
		return 0;
	snprintf(key, sizeof(key), "%s/%u", owner, type);
	if (owners_has(&c->done, key))
		return 0;
	owners_add(&c->done, key);
	if (type == LDNS_RR_TYPE_NSEC3) {
		/* An NSEC3 owner is no name (NXDOMAIN): its record is read from the NODATA
		 * proof of the name it was hashed from (DS: a delegation's is the parent's). */
		const char *from = hashed_from(c, owner);

		if (from != NULL && (proof_verifies(c->t, from, LDNS_RR_TYPE_HINFO, owner) ||
				     proof_verifies(c->t, from, LDNS_RR_TYPE_DS, owner))) {
			c->ok++;
			c->ok3++;
		} else {
			fprintf(stderr, "\n  %s NSEC3 (of %s): does not verify\n", owner,
				from != NULL ? from : "no name");
			c->bad++;
		}
	} else if (verifies(c->t, owner, type)) {
		c->ok++;
	} else {
		fprintf(stderr, "\n  %s type %u: does not verify\n", owner, type);
		c->bad++;
	}
	return 0;
}

/* Every RRset of NEW at a name changed since OLD, answered by T with DO, verified: how many
 * did (*N3 of them NSEC3 records); *BAD those that did not. */
static size_t verify_changed(const zt_t *t, const zload_zone_t *old, const zload_zone_t *new,
			     size_t *n3, size_t *bad)
{
	struct changed_sets c = {.t = t};
	zload_names_t *nm = NULL;
	const uint8_t *const *list;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(zload_changes(old, new, &nm), 0);
	list = zload_names_list(nm, &n);
	for (size_t k = 0; k < n; k++) {
		ldns_rdf *d = ldns_dname_new_frm_data((uint16_t)wire_name_len(list[k]), list[k]);
		char *text = d != NULL ? ldns_rdf2str(d) : NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		owners_add(&c.names, text);
		free(text);
		ldns_rdf_deep_free(d);
	}
	zload_names_free(&nm);
	CU_ASSERT_EQUAL(zload_foreach(new, name_cb, &c.all), 0);
	CU_ASSERT_EQUAL(zload_foreach(new, verify_cb, &c), 0);
	owners_free(&c.names);
	owners_free(&c.all);
	owners_free(&c.done);
	*bad = c.bad;
	*n3 = c.ok3;
	return c.ok;
}

/* The zone of test_patched_nsec3: write_big()'s, a delegation, an empty non-terminal. */
#define N3_EXTRA "dlg IN NS ns.elsewhere.example.\nx.ent IN A 192.0.2.7\ny.ent IN A 192.0.2.8\n"

/*
 * A zone sandns signs with NSEC3, in a snapshot that splits its NODATA and keeps no NXDOMAIN
 * parts below the apex, served after a restart from the state directory: a reload that changes a
 * record, takes a name out (and one of an empty non-terminal's two children), adds one and one
 * under a new empty non-terminal is patched (the names, the NSEC3 owners made, gone or whose
 * next hash moved, the apex), a newer serial served, every answer (every owner of both signed
 * versions and a name below each, the names of differing(), many types, with DO and without)
 * the octets of a whole compile of the same signed version, and every RRset at a changed name
 * verifies with the zone's keys. So is a renewal asked before any signature fell due, and a
 * change compared with the version the state directory kept when the build holds it no more
 * (keep-zones); without that file, compiled whole. zt_patch_n3.c's own fallbacks stand: with the
 * denial budget a compile of this zone keeps NXDOMAIN parts below its apex, so it compiles whole.
 */
static void test_patched_nsec3(void)
{
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget, bad = 0, n3 = 0;
	ctl_build_t b0, b1, b2, b3, b4;
	zt_t *ref;
	cfg_t *cfg;

	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_big(BIG_NAMES, -1, N3_EXTRA);
	cfg = config_mode("nsec3");
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b0), SANDNS_EOK);
	CU_ASSERT_FALSE(b0.patched);
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b0, NULL, 0), SANDNS_EOK);
	ctl_signstate_save(cfg, &b0);
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b1), SANDNS_EOK);
	CU_ASSERT_EQUAL(b1.zones[0].serial, 10);
	CU_ASSERT_FALSE(b1.zones[0].sign_fresh);
	ctl_build_clear(&b0);
	/* n5 changed, n7 and x.ent gone, new1 added, a.newent added below a new empty
	 * non-terminal. */
	write_big(BIG_NAMES, 7,
		  "dlg IN NS ns.elsewhere.example.\ny.ent IN A 192.0.2.8\n"
		  "n5 IN TXT \"changed\"\nnew1 IN A 192.0.2.99\na.newent IN A 192.0.2.98\n");
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b1, &b2), SANDNS_EOK);
	CU_ASSERT_TRUE(b2.patched);
	/* 5 names, 3 NSEC3 owners gone and 4 made, their predecessors (up to 7), the apex. */
	CU_ASSERT(b2.patched_names >= 11 && b2.patched_names <= 20);
	CU_ASSERT_EQUAL(b2.zones[0].serial, 11);
	CU_ASSERT_PTR_NOT_EQUAL(b2.signed_zones[0], b1.signed_zones[0]);
	ref = whole(cfg, &b2);
	CU_ASSERT_EQUAL(
	    differing_all(ref, b2.zt, b1.signed_zones[0], b2.signed_zones[0], BIG_NAMES), 0);
	zt_free(&ref);
	/* The SOA, n5's TXT, new1's and a.newent's A, and the NSEC3 records made or changed. */
	CU_ASSERT(verify_changed(b2.zt, b1.signed_zones[0], b2.signed_zones[0], &n3, &bad) >= 10);
	CU_ASSERT(n3 >= 6);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(verifies(b2.zt, "new1.example.net.", LDNS_RR_TYPE_A));
	CU_ASSERT_TRUE(verifies(b2.zt, "a.newent.example.net.", LDNS_RR_TYPE_A));
	CU_ASSERT_TRUE(verifies(b2.zt, "n5.example.net.", LDNS_RR_TYPE_TXT));
	CU_ASSERT_TRUE(verifies(b2.zt, "example.net.", LDNS_RR_TYPE_SOA));
	ctl_build_clear(&b1);
	/* The renewal ctl_resign.c queues, asked early: the SOA's signature made again. */
	b2.zones[0].sign_due = 1;
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b2, &b3), SANDNS_EOK);
	CU_ASSERT_TRUE(b3.patched);
	CU_ASSERT_EQUAL(b3.zones[0].serial, 12);
	ref = whole(cfg, &b3);
	CU_ASSERT_EQUAL(
	    differing_all(ref, b3.zt, b2.signed_zones[0], b3.signed_zones[0], BIG_NAMES), 0);
	zt_free(&ref);
	CU_ASSERT(verify_changed(b3.zt, b2.signed_zones[0], b3.signed_zones[0], &n3, &bad) >= 1);
	CU_ASSERT_EQUAL(bad, 0);
	/* Kept no more: compared with the version the state directory kept, patched (n8 gone:
	 * its NSEC3 and its predecessor's); without that file, compiled whole. */
	CU_ASSERT_EQUAL(ctl_build_save_serials(cfg, &b3, NULL, 0), SANDNS_EOK);
	ctl_signstate_save(cfg, &b3);
	write_big(BIG_NAMES, 8,
		  "dlg IN NS ns.elsewhere.example.\ny.ent IN A 192.0.2.8\n"
		  "n5 IN TXT \"changed\"\nnew1 IN A 192.0.2.99\na.newent IN A 192.0.2.98\n");
	zload_free(&b3.signed_zones[0]);
	zload_free(&b3.raw[0]);
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b3, &b4), SANDNS_EOK);
	CU_ASSERT_TRUE(b4.patched);
	CU_ASSERT_EQUAL(b4.zones[0].serial, 13);
	CU_ASSERT_PTR_NULL(b4.served_signed[0]);
	ref = whole(cfg, &b4);
	CU_ASSERT_EQUAL(
	    differing_all(ref, b4.zt, b2.signed_zones[0], b4.signed_zones[0], BIG_NAMES), 0);
	zt_free(&ref);
	ctl_build_clear(&b4);
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/state/example.net.signed", dir);
		CU_ASSERT_EQUAL(unlink(path), 0);
	}
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b3, &b4), SANDNS_EOK);
	CU_ASSERT_FALSE(b4.patched);
	ctl_build_clear(&b2);
	ctl_build_clear(&b3);
	ctl_build_clear(&b4);
	/* The denial budget back: a compile keeps NXDOMAIN parts below the apex, so the change
	 * compiles whole (zt_patch_n3.c), its answers those of zt_new(), and its signed version is
	 * left unindexed (no comparison can use it: zload_changes() cannot). */
	zt_denial_budget = was_budget;
	write_big(BIG_NAMES, -1, N3_EXTRA);
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b1), SANDNS_EOK);
	write_big(BIG_NAMES, 7, N3_EXTRA);
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b1, &b2), SANDNS_EOK);
	CU_ASSERT_FALSE(b2.patched);
	ref = whole(cfg, &b2);
	CU_ASSERT_EQUAL(differing(ref, b2.zt, BIG_NAMES), 0);
	zt_free(&ref);
	{
		zload_names_t *nm = NULL;

		CU_ASSERT_EQUAL(zload_changes(b1.signed_zones[0], b2.signed_zones[0], &nm),
				-ENOTSUP);
		zload_names_free(&nm);
	}
	ctl_build_clear(&b1);
	/* No parts below the apex from now on: the next change compiles whole once more (the
	 * version served has no index), and is indexed; the one after is patched. */
	zt_denial_budget = 0;
	write_big(BIG_NAMES, 8, N3_EXTRA);
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b2, &b3), SANDNS_EOK);
	CU_ASSERT_FALSE(b3.patched);
	write_big(BIG_NAMES, 9, N3_EXTRA);
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b3, &b4), SANDNS_EOK);
	CU_ASSERT_FALSE(b4.patched);
	ctl_build_clear(&b2);
	write_big(BIG_NAMES, 10, N3_EXTRA);
	CU_ASSERT_EQUAL_FATAL(rebuild(cfg, &b4, &b2), SANDNS_EOK);
	CU_ASSERT_TRUE(b2.patched);
	ref = whole(cfg, &b2);
	CU_ASSERT_EQUAL(
	    differing_all(ref, b2.zt, b4.signed_zones[0], b2.signed_zones[0], BIG_NAMES), 0);
	zt_free(&ref);
	ctl_build_clear(&b2);
	ctl_build_clear(&b3);
	ctl_build_clear(&b4);
	cfg_free(&cfg);
	rm_tree(dir);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
}

#define RENEW_NAMES 2000
#define RENEW_LIFETIMES 2

/*
 * RRSIG times of Z at NOW under the default policy: none not yet valid, none expiring within the
 * refresh time (renewed before), none valid for longer than the lifetime past its inception (an
 * hour backdated); the earliest expiration EXPIRE. How many.
 */
static size_t check_times(const zload_zone_t *z, int64_t now, int64_t expire)
{
	const int64_t lifetime = 14 * 86400, refresh = 7 * 86400;
	int64_t first = 0;
	size_t n = 0, bad = 0;

	for (size_t i = 0; i < z->nrecs; i++) {
		const uint8_t *rd = zload_rec_rdata(z, i);
		int64_t exp, inc;

		if (z->recs[i].type != LDNS_RR_TYPE_RRSIG)
			continue;
		exp = sigtime_field(wire_get32(rd + 8), now);
		inc = sigtime_field(wire_get32(rd + 12), now);
		bad += inc > now || exp <= now + refresh || exp - (inc + 3600) > lifetime;
		if (n++ == 0 || exp < first)
			first = exp;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(first, expire);
	return n;
}

/*
 * Renewals without a command over two lifetimes, each at its due time (the signer's clock moved
 * there), on a zone of 2,000 names signed with NSEC by the default policy: each remakes a slice of
 * the signatures (those expiring within the refresh time and a sixteenth of the jitter), at most
 * an eighth of them, is patched into the snapshot (three in four at least: the others compile
 * whole for the wildcard's signature, or the patches' garbage), answers as a whole compile of the
 * same signed version does (every few renewals), and every signature it made verifies at that time;
 * at every step none is expired or about to, none is valid past its lifetime, and the next due time
 * is the earliest expiration less the refresh time. Without the jitter every signature expires at
 * once: the renewal remakes them all and compiles whole.
 */
static void test_renewal_slices(void)
{
	const int64_t lifetime = 14 * 86400, refresh = 7 * 86400;
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
	size_t steps = 0, remade = 0, most = 0, total = 0, patched = 0, checked, bad;
	ctl_build_t b[2];
	int64_t start, now;
	int cur = 0;
	cfg_t *cfg;

	/* NODATA split as in a large snapshot, the 2,000 names not far above the bound: a slice's
	 * names, none removed, keep it above (zt_patch_sig_check()) */
	zt_blobs_split_min = 1000;
	zt_denial_budget = 0;
	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_big(RENEW_NAMES, -1, "");
	cfg = config_mode("nsec");
	sigtime_set_skew(0);
	start = sigtime_now();
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b[0]), SANDNS_EOK);
	checked = verify_new_sigs(NULL, b[0].signed_zones[0], (time_t)start, &bad);
	CU_ASSERT(checked > 2 * RENEW_NAMES);
	CU_ASSERT_EQUAL(bad, 0);
	total = check_times(b[0].signed_zones[0], start, b[0].zones[0].sign_expire);
	/* the first renewal comes before the lifetime less the refresh time: spread */
	CU_ASSERT(b[0].zones[0].sign_due < start + lifetime - refresh);
	while ((now = b[cur].zones[0].sign_due) < start + RENEW_LIFETIMES * lifetime &&
	       steps < 1000) {
		ctl_build_t *pb = &b[cur], *nb = &b[1 - cur];
		size_t nold, nnew, changed = 0;
		uint64_t *od, *nd;

		CU_ASSERT_FATAL(now > sigtime_now() - 2);
		sigtime_set_skew(now - (int64_t)time(NULL));
		CU_ASSERT_EQUAL_FATAL(rebuild(cfg, pb, nb), SANDNS_EOK);
		now = sigtime_now();
		CU_ASSERT_EQUAL(nb->zones[0].serial, pb->zones[0].serial + 1);
		/* whole: the wildcard's signature remade (zt_patch() leaves wildcards to a
		 * compile), or the replaced answers past the snapshot's garbage bound */
		patched += nb->patched;
		od = sig_digests(pb->signed_zones[0], &nold);
		nd = sig_digests(nb->signed_zones[0], &nnew);
		for (size_t k = 0; k < nnew; k++)
			changed += bsearch(&nd[k], od, nold, sizeof(*od), cmp_u64) == NULL;
		free(od);
		free(nd);
		CU_ASSERT_EQUAL(nnew, total);
		CU_ASSERT(changed >= 1 && changed <= total / 8);
		if (changed > most)
			most = changed;
		remade += changed;
		checked =
		    verify_new_sigs(pb->signed_zones[0], nb->signed_zones[0], (time_t)now, &bad);
		CU_ASSERT_EQUAL(checked, changed);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(check_times(nb->signed_zones[0], now, nb->zones[0].sign_expire),
				total);
		CU_ASSERT_EQUAL(nb->zones[0].sign_due, nb->zones[0].sign_expire - refresh);
		CU_ASSERT(nb->zones[0].sign_due > now);
		if (steps % 25 == 0) {
			zt_t *ref = whole(cfg, nb);

			CU_ASSERT_EQUAL(differing(ref, nb->zt, RENEW_NAMES), 0);
			zt_free(&ref);
		}
		ctl_build_clear(pb);
		cur = 1 - cur;
		steps++;
	}
	/* about 30 renewals a lifetime, each a slice; every signature remade once a period */
	CU_ASSERT(steps >= 20 * RENEW_LIFETIMES && steps < 1000);
	CU_ASSERT(remade >= 2 * total);
	CU_ASSERT(patched >= steps * 3 / 4);
	fprintf(stderr,
		"\n  %zu renewals over %d lifetimes (%zu patched): %zu of %zu signatures "
		"remade, at most %zu at once\n",
		steps, RENEW_LIFETIMES, patched, remade, total, most);
	sigtime_set_skew(0);
	ctl_build_clear(&b[cur]);
	cfg_free(&cfg);
	rm_tree(dir);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
}

/*
 * A zone sandns signs with NSEC whose autodiscover policy's edits a certificate changes (its
 * address withheld, the SRV made, a name kept empty; then lifted), its file unchanged: the
 * edits are signed in, so the signed versions compared give the names (the edited ones, their
 * NSEC neighbours, the apex: a newer serial), and the snapshot is patched; every answer with DO
 * and without the octets of a whole compile of the same signed version, the new SRV's
 * signature valid.
 */
static void test_edits_patched(void)
{
	static const char *const extra[] = {"autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "_sandns.autodiscover.example.net.",
					    "x.autodiscover.example.net.",
					    "mail.example.net.",
					    "example.net."};
	static const uint16_t types[] = {1, 6, 16, 33, 46, 47, 255};
	static uint8_t ra[65535], rb[65535];
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	ctl_build_t b[3];
	char text[512], cpath[128];
	cfg_t *cfg = cfg_new();
	zt_t *ref;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_big(BIG_NAMES, -1, "mail IN A 192.0.2.25\nautodiscover IN A 192.0.2.25\n");
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 1, both));
	snprintf(text, sizeof(text), "%s/state", dir);
	CU_ASSERT_EQUAL(mkdir(text, 0700), 0);
	snprintf(text, sizeof(text),
		 "zone example.net. z.zone\nstate-dir %s/state\ndnssec example.net nsec\n"
		 "cert %s\n",
		 dir, cpath);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b[0]), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(b[0].zones[0].edits, "");
	CU_ASSERT_EQUAL(b[0].zones[0].serial, 10);
	for (int k = 1; k < 3; k++) {
		const ctl_rebuild_t what = {
		    .zones = true, .certs = CTL_CERTS_ALL, .base = b[k - 1].zt};

		CU_ASSERT_FATAL(
		    tu_write_leaf(cpath, key, k + 1, k == 1 ? "DNS:mail.example.net" : both));
		err[0] = '\0';
		CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, &b[k - 1], &what, &b[k], err, sizeof(err)),
				      SANDNS_EOK);
		CU_ASSERT_TRUE(b[k].patched);
		CU_ASSERT_EQUAL(strcmp(b[k].zones[0].edits, "") == 0, k == 2);
		CU_ASSERT_EQUAL(b[k].zones[0].serial, b[k - 1].zones[0].serial + 1);
		CU_ASSERT(b[k].patched_names >= 3 && b[k].patched_names <= 12);
		ref = whole(cfg, &b[k]);
		CU_ASSERT_EQUAL(differing(ref, b[k].zt, BIG_NAMES), 0);
		for (size_t v = 0; v < sizeof(extra) / sizeof(extra[0]); v++)
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				for (int d = 0; d < 2; d++) {
					size_t la = ask_raw(ref, extra[v], types[t], d, ra);
					size_t lb = ask_raw(b[k].zt, extra[v], types[t], d, rb);

					CU_ASSERT(la == lb && memcmp(ra, rb, la) == 0);
				}
		zt_free(&ref);
		CU_ASSERT_TRUE(verifies(b[k].zt, "example.net.", LDNS_RR_TYPE_SOA));
		CU_ASSERT_TRUE(verifies(b[k].zt,
					k == 1 ? "_autodiscover._tcp.example.net."
					       : "autodiscover.example.net.",
					k == 1 ? LDNS_RR_TYPE_SRV : LDNS_RR_TYPE_A));
	}
	for (int k = 0; k < 3; k++)
		ctl_build_clear(&b[k]);
	cfg_free(&cfg);
	EVP_PKEY_free(key);
	rm_tree(dir);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
}

/*
 * Presigned zones too small to patch (NSEC: their denial answers kept whole; NSEC3: parts below
 * the apex) read again unchanged by `reload ZONE`: the snapshot shared, not compiled whole. Each
 * zone's first snapshot is its own; the second build reads the file again and finds no name
 * changed. Checked to fail (compiled whole) with the blocked zone refused before the comparison.
 */
static void test_presigned_unchanged(void)
{
	static const char *const zones[][2] = {{"nsec.test.", "nsec.test.zone"},
					       {"nsec3.test.", "nsec3.test.zone"}};

	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		const ctl_rebuild_t on = {.zones = true, .zone = zones[k][0]};
		ctl_rebuild_t again = on;
		ctl_build_t b1, b2;
		char text[768];
		cfg_t *cfg = cfg_new();

		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		snprintf(text, sizeof(text), "zone %s %s/peer/%s\nkeep-zones yes\n", zones[k][0],
			 SANDNS_TEST_DATA, zones[k][1]);
		CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", ".", err, sizeof(err)),
				      SANDNS_EOK);
		CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
		CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, NULL, &on, &b1, err, sizeof(err)), SANDNS_EOK);
		/* The case at hand: no change of this zone could be patched. */
		CU_ASSERT_PTR_NOT_NULL(zt_patch_blocked(b1.zt, zones[k][0]));
		again.base = b1.zt;
		CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, &b1, &again, &b2, err, sizeof(err)),
				      SANDNS_EOK);
		CU_ASSERT_TRUE(b2.patched);
		CU_ASSERT_EQUAL(b2.patched_names, 0);
		CU_ASSERT_EQUAL(b2.zones[0].serial, b1.zones[0].serial);
		ctl_build_clear(&b2);
		ctl_build_clear(&b1);
		cfg_free(&cfg);
	}
}

/*
 * A zone sandns signs (MODE: "nsec3" or "nsec") whose autodiscover policy's edits a certificate
 * changes (its address withheld, the SRV made; lifted with an early renewal; withheld again with
 * a record changed and one gone in its file; then the cert line taken out): each build patched
 * (with NSEC and the wildcard below, compiled whole), answering every owner of both signed
 * versions, a name below each and the edited names, many types, with DO and without, as a whole
 * compile of the same signed version does; every RRset at a changed name verifies; the serial
 * moves by one. KEPT false: keep-zones dropped the versions after each publish, the one served
 * read back from the state directory. WILD: a wildcard at the apex, which the SRV's empty
 * non-terminal (_tcp) stops answering below it.
 */
static void edits_signed(const char *mode, bool kept, bool wild)
{
	static const char *const extra[] = {"autodiscover.example.net.",
					    "_autodiscover._tcp.example.net.",
					    "_tcp.example.net.",
					    "_sandns.autodiscover.example.net.",
					    "x.autodiscover.example.net.",
					    "mail.example.net.",
					    "example.net.",
					    "x._tcp.example.net.",
					    "x._autodiscover._tcp.example.net.",
					    "x._sandns.autodiscover.example.net.",
					    "zz.example.net."};
	static const uint16_t types[] = {1, 6, 16, 33, 46, 47, 50, 51, 255};
	static uint8_t ra[65535], rb[65535];
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget, n3, bad;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const char *both = "DNS:mail.example.net,DNS:autodiscover.example.net";
	const char *sans[] = {NULL, "DNS:mail.example.net", both, "DNS:mail.example.net", NULL};
	ctl_build_t b[5];
	char text[512], cpath[128];
	cfg_t *cfg = cfg_new(), *bare = cfg_new();
	zt_t *ref;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bare);
	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_big(BIG_NAMES, -1,
		  wild ? N3_EXTRA "mail IN A 192.0.2.25\nautodiscover IN A 192.0.2.25\n"
				  "* IN TXT \"any\"\n"
		       : N3_EXTRA "mail IN A 192.0.2.25\nautodiscover IN A 192.0.2.25\n");
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 1, both));
	snprintf(text, sizeof(text), "%s/state", dir);
	CU_ASSERT_EQUAL(mkdir(text, 0700), 0);
	snprintf(text, sizeof(text),
		 "zone example.net. z.zone\nstate-dir %s/state\ndnssec example.net %s\n", dir,
		 mode);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(bare, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(bare, err, sizeof(err)), SANDNS_EOK);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "cert %s\n", cpath);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b[0]), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(b[0].zones[0].edits, "");
	CU_ASSERT_EQUAL(b[0].zones[0].serial, 10);
	for (int k = 1; k < 5; k++) {
		const cfg_t *c = k < 4 ? cfg : bare;
		const ctl_rebuild_t what = {
		    .zones = true, .certs = CTL_CERTS_ALL, .base = b[k - 1].zt};

		zload_zone_t *old = zload_ref(b[k - 1].signed_zones[0]);

		if (k < 4)
			CU_ASSERT_FATAL(tu_write_leaf(cpath, key, k + 1, sans[k]));
		/* Lifted in the build that renews the signatures, asked early (ctl_resign.c). */
		if (k == 2)
			b[1].zones[0].sign_due = 1;
		/* Withheld again with the file changed in the same build. */
		if (k == 3)
			write_big(BIG_NAMES, 7,
				  wild ? N3_EXTRA
				      "mail IN A 192.0.2.25\nautodiscover IN A "
				      "192.0.2.25\nn5 IN TXT \"changed\"\n* IN TXT \"any\"\n"
				       : N3_EXTRA "mail IN A 192.0.2.25\nautodiscover IN A "
						  "192.0.2.25\nn5 IN TXT \"changed\"\n");
		/* Not kept: the build published (the state directory written), its versions
		 * dropped; the one served is read back from there (OLD: the test's own). */
		if (!kept) {
			CU_ASSERT_EQUAL(ctl_build_save_serials(c, &b[k - 1], NULL, 0), SANDNS_EOK);
			ctl_signstate_save(c, &b[k - 1]);
			zload_free(&b[k - 1].signed_zones[0]);
			zload_free(&b[k - 1].raw[0]);
		}
		err[0] = '\0';
		CU_ASSERT_EQUAL_FATAL(ctl_build(c, &b[k - 1], &what, &b[k], err, sizeof(err)),
				      SANDNS_EOK);
		/* NSEC with the apex wildcard: compiled whole (the wildcard's NSEC is a changed
		 * name, which zt_patch() leaves: its reason logged); patched otherwise. */
		CU_ASSERT_EQUAL(b[k].patched, !wild || strcmp(mode, "nsec3") == 0);
		CU_ASSERT(b[k].zones[0].sign_due > 1);
		CU_ASSERT_EQUAL(strcmp(b[k].zones[0].edits, "") == 0, k == 2 || k == 4);
		CU_ASSERT_EQUAL(b[k].zones[0].serial, b[k - 1].zones[0].serial + 1);
		CU_ASSERT_PTR_NOT_EQUAL(b[k].signed_zones[0], old);
		ref = whole(c, &b[k]);
		CU_ASSERT_EQUAL(differing_all(ref, b[k].zt, old, b[k].signed_zones[0], BIG_NAMES),
				0);
		for (size_t v = 0; v < sizeof(extra) / sizeof(extra[0]); v++)
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				for (int d = 0; d < 2; d++) {
					size_t la = ask_raw(ref, extra[v], types[t], d, ra);
					size_t lb = ask_raw(b[k].zt, extra[v], types[t], d, rb);

					CU_ASSERT(la == lb && memcmp(ra, rb, la) == 0);
				}
		zt_free(&ref);
		bad = n3 = 0;
		CU_ASSERT(verify_changed(b[k].zt, old, b[k].signed_zones[0], &n3, &bad) >= 2);
		CU_ASSERT(n3 >= 1 || strcmp(mode, "nsec") == 0);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_TRUE(verifies(b[k].zt, "example.net.", LDNS_RR_TYPE_SOA));
		CU_ASSERT_TRUE(
		    k == 1 || k == 3
			? verifies(b[k].zt, "_autodiscover._tcp.example.net.", LDNS_RR_TYPE_SRV)
			: verifies(b[k].zt, "autodiscover.example.net.", LDNS_RR_TYPE_A));
		zload_free(&old);
		ctl_build_clear(&b[k - 1]);
	}
	ctl_build_clear(&b[4]);
	cfg_free(&cfg);
	cfg_free(&bare);
	EVP_PKEY_free(key);
	rm_tree(dir);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
}

/* The same with NSEC: the edits and a file change together, not kept, an apex wildcard. */
static void test_edits_patched_nsec_more(void)
{
	for (int wild = 0; wild < 2; wild++) {
		edits_signed("nsec", true, wild);
		edits_signed("nsec", false, wild);
	}
}

static void test_edits_patched_nsec3(void)
{
	for (int wild = 0; wild < 2; wild++) {
		edits_signed("nsec3", true, wild);
		edits_signed("nsec3", false, wild);
	}
}

/* example.org (serial SERIAL, EXTRA after its records), o.zone beside z.zone. */
static void write_org(unsigned serial, const char *extra)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/o.zone", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"$ORIGIN example.org.\n$TTL 3600\n@ IN SOA ns1 h %u 7200 3600 1209600 300\n"
		"@ IN NS ns1\nns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\n"
		"autodiscover IN A 192.0.2.25\n%s",
		serial, extra);
	fclose(f);
}

/*
 * In one build, an unsigned zone (patched first) and a zone sandns signs with NSEC3: the policy's
 * edits of one change (a certificate) and the other's file changes, then the other way round,
 * then both at once: the snapshot patched, the answers of both zones (the signed one's every
 * owner and a name below each, with DO and without) those of a whole compile of the same
 * versions, the signed zone's changed RRsets verified, each serial on.
 */
static void test_edits_and_nsec3_data(void)
{
	static const char *const org[] = {
	    "example.org.",	 "autodiscover.example.org.", "_autodiscover._tcp.example.org.",
	    "_tcp.example.org.", "mail.example.org.",	      "new.example.org.",
	    "nx.example.org."};
	static const struct {
		const char *san, *net, *org;
	} steps[] = {
	    /* The unsigned zone's edits, the signed zone's file. */
	    {"DNS:mail.example.org,DNS:mail.example.net,DNS:autodiscover.example.net",
	     "n5 IN TXT \"changed\"\n", ""},
	    /* The signed zone's edits, the unsigned zone's file. */
	    {"DNS:mail.example.org,DNS:mail.example.net", "n5 IN TXT \"changed\"\n",
	     "new IN A 192.0.2.80\n"},
	    /* Both edits lifted, both files changed. */
	    {"DNS:mail.example.org,DNS:autodiscover.example.org,DNS:mail.example.net,"
	     "DNS:autodiscover.example.net",
	     "new1 IN A 192.0.2.99\n", ""},
	};
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget, n3, bad;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ctl_build_t b[4], ref;
	char text[512], cpath[128], extra[256];
	cfg_t *cfg = cfg_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	snprintf(dir, sizeof(dir), "/tmp/sandns-ctlsign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_big(BIG_NAMES, -1, N3_EXTRA "mail IN A 192.0.2.25\nautodiscover IN A 192.0.2.25\n");
	write_org(50, "");
	snprintf(cpath, sizeof(cpath), "%s/leaf.pem", dir);
	CU_ASSERT_FATAL(tu_write_leaf(cpath, key, 1, steps[2].san));
	snprintf(text, sizeof(text), "%s/state", dir);
	CU_ASSERT_EQUAL(mkdir(text, 0700), 0);
	snprintf(text, sizeof(text),
		 "zone example.org. o.zone\nzone example.net. z.zone\nstate-dir %s/state\n"
		 "dnssec example.net nsec3\ncert %s\n",
		 dir, cpath);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(cfg, text, "t.conf", dir, err, sizeof(err)),
			      SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(cfg_check(cfg, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(build(cfg, NULL, &b[0]), SANDNS_EOK);
	CU_ASSERT_STRING_EQUAL(b[0].zones[0].edits, "");
	CU_ASSERT_STRING_EQUAL(b[0].zones[1].edits, "");
	for (int k = 1; k < 4; k++) {
		const ctl_rebuild_t what = {
		    .zones = true, .certs = CTL_CERTS_ALL, .base = b[k - 1].zt};
		static const ctl_rebuild_t all = {.zones = true};

		snprintf(extra, sizeof(extra), "%s%s%s", N3_EXTRA,
			 "mail IN A 192.0.2.25\nautodiscover IN A 192.0.2.25\n", steps[k - 1].net);
		write_big(BIG_NAMES, -1, extra);
		write_org(50 + (unsigned)k, steps[k - 1].org);
		CU_ASSERT_FATAL(tu_write_leaf(cpath, key, k + 1, steps[k - 1].san));
		err[0] = '\0';
		CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, &b[k - 1], &what, &b[k], err, sizeof(err)),
				      SANDNS_EOK);
		CU_ASSERT_TRUE(b[k].patched);
		CU_ASSERT_EQUAL(strcmp(b[k].zones[0].edits, "") == 0, k == 3);
		CU_ASSERT_EQUAL(strcmp(b[k].zones[1].edits, "") == 0, k != 2);
		CU_ASSERT_EQUAL(b[k].zones[1].serial, b[k - 1].zones[1].serial + 1);
		CU_ASSERT(b[k].zones[0].serial > b[k - 1].zones[0].serial);
		/* A whole compile of the same versions: the signed one read again as it is. */
		CU_ASSERT_EQUAL_FATAL(ctl_build(cfg, &b[k], &all, &ref, err, sizeof(err)),
				      SANDNS_EOK);
		CU_ASSERT_FALSE(ref.patched);
		CU_ASSERT_EQUAL(ref.zones[0].serial, b[k].zones[0].serial);
		CU_ASSERT_EQUAL(ref.zones[1].serial, b[k].zones[1].serial);
		CU_ASSERT_PTR_EQUAL(ref.signed_zones[1], b[k].signed_zones[1]);
		CU_ASSERT_EQUAL(differing_all(ref.zt, b[k].zt, b[k - 1].signed_zones[1],
					      b[k].signed_zones[1], BIG_NAMES),
				0);
		CU_ASSERT_TRUE(tu_same_answers(ref.zt, b[k].zt, org, sizeof(org) / sizeof(org[0])));
		ctl_build_clear(&ref);
		bad = n3 = 0;
		CU_ASSERT(verify_changed(b[k].zt, b[k - 1].signed_zones[1], b[k].signed_zones[1],
					 &n3, &bad) >= 2);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_TRUE(verifies(b[k].zt, "example.net.", LDNS_RR_TYPE_SOA));
		ctl_build_clear(&b[k - 1]);
	}
	ctl_build_clear(&b[3]);
	cfg_free(&cfg);
	EVP_PKEY_free(key);
	rm_tree(dir);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
}

void reg_cutest_ctl_sign(void)
{
	CU_pSuite s = CU_add_suite("ctl_sign", NULL, NULL);

	CU_add_test(s, "serials, signatures reused, renewed", test_serials_and_reuse);
	CU_add_test(s, "presigned zone, broken key file", test_bad_input);
	CU_add_test(s, "a zone presigned from the start: refused, no key made",
		    test_presigned_first);
	CU_add_test(s, "the clock gone back: no re-sign", test_clock_back);
	CU_add_test(s, "NSEC zone changed, renewed: the snapshot patched", test_patched);
	CU_add_test(s, "renewals at the due time: a slice each, patched", test_renewal_slices);
	CU_add_test(s, "NSEC zone, a certificate changes its edits: the snapshot patched",
		    test_edits_patched);
	CU_add_test(s, "NSEC3 zone changed, renewed: the snapshot patched", test_patched_nsec3);
	CU_add_test(s, "presigned zones too small to patch, read again unchanged: shared",
		    test_presigned_unchanged);
	CU_add_test(s, "NSEC3 zone, a certificate changes its edits: as a whole compile",
		    test_edits_patched_nsec3);
	CU_add_test(s, "NSEC zone, its edits and file changed, not kept, a wildcard: as whole",
		    test_edits_patched_nsec_more);
	CU_add_test(s, "one zone's edits and an NSEC3 zone's file changed in one build: patched",
		    test_edits_and_nsec3_data);
}
