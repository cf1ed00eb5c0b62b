/* SPDX-License-Identifier: BSD-3-Clause */
/* test_ixfr.c: CUnit suite for IXFR out: differences, history bounds, journal, response */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cutest.h"
#include "fnv.h"
#include "ixfr.h"
#include "query.h"
#include "sandns_err.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_patch.h"

static char dir[] = "/tmp/sandns-test-ixfr-XXXXXX";

/* 64 characters for labels of names made long. */
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define TILDES "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"

/* Zone ORIGIN at serial SERIAL: SOA (refresh REFRESH), NS, ns1, www, then the lines EXTRA. */
static zt_t *zone_of(const char *origin, unsigned serial, unsigned refresh, const char *extra)
{
	static char text[80000];
	char err[512];
	zload_zone_t *z;
	zt_t *t;

	snprintf(text, sizeof(text),
		 "$ORIGIN %s\n$TTL 3600\n"
		 "@ IN SOA ns1 hostmaster %u %u 3600 1209600 300\n"
		 "@ IN NS ns1\nns1 IN A 192.0.2.53\nwww IN A 192.0.2.80\n%s",
		 origin, serial, refresh, extra);
	z = zload_string(origin, text, "ixfr.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	zload_free(&z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

/* Zone example.com. at serial SERIAL: SOA, NS, ns1, www, then the lines EXTRA. */
static zt_t *zone(unsigned serial, const char *extra)
{
	return zone_of("example.com.", serial, 7200, extra);
}

/* NEXT published after OLD as ctl_pub.c does: prepared, (served,) its journal committed. */
static void publish(const zt_t *old, zt_t *next, const ixfr_conf_t *conf)
{
	ixfr_pub_prepare(old, next, conf);
	ixfr_pub_commit(next, conf);
}

/* One wire RR as "owner ttl type rdata" (ldns's text, tabs as spaces). */
static void rr_text(const uint8_t *rr, size_t len, char *out, size_t outlen)
{
	ldns_rr *r = NULL;
	size_t pos = 0;
	char *s;

	out[0] = '\0';
	if (ldns_wire2rr(&r, rr, len, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		return;
	s = ldns_rr2str(r);
	ldns_rr_free(r);
	if (s == NULL)
		return;
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
	s[strcspn(s, "\n")] = '\0';
	snprintf(out, outlen, "%s", s);
	free(s);
}

/* The RRs of DATA (LEN octets) as text lines, one "\n" after each. */
static void rrs_text(const uint8_t *data, size_t len, char *out, size_t outlen)
{
	size_t off = 0, o = 0;

	out[0] = '\0';
	while (off < len) {
		char line[512];
		size_t l = wire_name_len(data + off) + 10;

		l += wire_get16(data + off + l - 2);
		rr_text(data + off, l, line, sizeof(line));
		o += (size_t)snprintf(out + o, outlen - o, "%s\n", line);
		off += l;
	}
}

#define SOA(s)                                                                                     \
	"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. " s                     \
	" 7200 3600 1209600 300\n"

static void test_diff(void)
{
	zt_t *a = zone(1, "www IN A 192.0.2.81\nttl IN A 192.0.2.1\ngone IN TXT \"bye\"\n"
			  "same IN TXT \"kept\"\n");
	zt_t *b = zone(2, "www IN A 192.0.2.82\nttl 600 IN A 192.0.2.1\nnew IN AAAA 2001:db8::1\n"
			  "same IN TXT \"kept\"\n");
	ixfr_cs_t *cs = NULL;
	char text[4096];

	CU_ASSERT_EQUAL_FATAL(ixfr_diff(a, 0, b, 0, 0, &cs), SANDNS_EOK);
	CU_ASSERT_EQUAL(ixfr_cs_from(cs), 1);
	CU_ASSERT_EQUAL(ixfr_cs_to(cs), 2);
	rrs_text(ixfr_cs_data(cs), ixfr_cs_size(cs), text, sizeof(text));
	/* Canonical order, removed then added; the TTL change replaces the RRset whole. */
	CU_ASSERT_STRING_EQUAL(text, SOA("1") "gone.example.com. 3600 IN TXT \"bye\"\n"
					      "ttl.example.com. 3600 IN A 192.0.2.1\n"
					      "www.example.com. 3600 IN A 192.0.2.81\n" SOA(
						  "2") "new.example.com. 3600 IN AAAA 2001:db8::1\n"
						       "ttl.example.com. 600 IN A 192.0.2.1\n"
						       "www.example.com. 3600 IN A 192.0.2.82\n");
	ixfr_cs_unref(&cs);
	CU_ASSERT_PTR_NULL(cs);
	/* Nothing but the serial: the two SOAs. */
	CU_ASSERT_EQUAL_FATAL(ixfr_diff(b, 0, b, 0, 0, &cs), SANDNS_EOK);
	rrs_text(ixfr_cs_data(cs), ixfr_cs_size(cs), text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, SOA("2") SOA("2"));
	ixfr_cs_unref(&cs);
	/* Above the bound: no changeset. */
	CU_ASSERT_EQUAL(ixfr_diff(a, 0, b, 0, 100, &cs), SANDNS_ELIMIT);
	CU_ASSERT_PTR_NULL(cs);
	zt_free(&a);
	zt_free(&b);
}

/*
 * The changeset from the changed names alone (a patched snapshot's history) is the whole walk's,
 * octet for octet: two zt_new() snapshots, the names as zload_changes() finds them, reversed
 * and repeated (their order is not the transfer's).
 */
/*
 * Two versions of example.com. into TA and TB (LEN octets each): 200 names, then some changed,
 * gone, given a TXT or another TTL; DELEG: a new delegation with its glue and a wildcard too.
 */
static void two_versions(char *ta, char *tb, size_t len, bool deleg)
{
	const char *head = "$ORIGIN example.com.\n$TTL 3600\n@ IN NS ns1\nns1 IN A 192.0.2.53\n";
	size_t la = 0, lb = 0;

	la += (size_t)snprintf(ta + la, len - la, "%s@ IN SOA ns1 h 1 1 1 1 1\n", head);
	lb += (size_t)snprintf(tb + lb, len - lb, "%s@ IN SOA ns1 h 2 1 1 1 1\n", head);
	for (int i = 0; i < 200; i++) {
		la += (size_t)snprintf(ta + la, len - la, "n%d IN A 10.0.0.%d\n", i, i);
		/* Every 17th changed, every 23rd gone, every 29th given a TXT, TTL of 31st. */
		if (i % 23 != 0)
			lb += (size_t)snprintf(tb + lb, len - lb, "n%d %d IN A 10.0.%d.%d\n", i,
					       i % 31 == 0 ? 60 : 3600, i % 17 == 0, i);
		if (i % 29 == 0)
			lb += (size_t)snprintf(tb + lb, len - lb, "n%d IN TXT \"t%d\"\n", i, i);
	}
	if (deleg)
		snprintf(tb + lb, len - lb,
			 "sub IN NS ns.sub\nns.sub IN A 192.0.2.9\n*.w IN TXT \"w\"\n");
}

static void test_diff_names(void)
{
	static char ta[20000], tb[20000];
	size_t n;
	char err[512];
	zload_zone_t *za, *zb;
	zt_t *a, *b;
	ixfr_cs_t *whole = NULL, *part = NULL;
	zload_names_t *nm = NULL;
	const uint8_t *const *names;
	const uint8_t *list[256];

	two_versions(ta, tb, sizeof(ta), true);
	za = zload_string("example.com.", ta, "a.zone", NULL, NULL, err, sizeof(err));
	zb = zload_string("example.com.", tb, "b.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(za);
	CU_ASSERT_PTR_NOT_NULL_FATAL(zb);
	a = zt_new(&za, 1, NULL, err, sizeof(err));
	b = zt_new(&zb, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(zload_changes(za, zb, &nm), 0);
	names = zload_names_list(nm, &n);
	CU_ASSERT_FATAL(n > 20 && 2 * n <= 256);
	for (size_t i = 0; i < n; i++)
		list[i] = list[2 * n - 1 - i] = names[i];
	CU_ASSERT_EQUAL_FATAL(ixfr_diff(a, 0, b, 0, 0, &whole), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(ixfr_diff_names(a, 0, b, 0, list, 2 * n, 0, &part), SANDNS_EOK);
	CU_ASSERT_EQUAL(ixfr_cs_size(part), ixfr_cs_size(whole));
	CU_ASSERT(ixfr_cs_size(part) == ixfr_cs_size(whole) &&
		  memcmp(ixfr_cs_data(part), ixfr_cs_data(whole), ixfr_cs_size(whole)) == 0);
	ixfr_cs_unref(&part);
	/* A name missed is a change missed: the comparison can tell. */
	CU_ASSERT_EQUAL_FATAL(ixfr_diff_names(a, 0, b, 0, names, n - 1, 0, &part), SANDNS_EOK);
	CU_ASSERT(ixfr_cs_size(part) < ixfr_cs_size(whole));
	ixfr_cs_unref(&part);
	/* The bound as the whole walk has it. */
	CU_ASSERT_EQUAL(ixfr_diff_names(a, 0, b, 0, list, 2 * n, 100, &part), SANDNS_ELIMIT);
	ixfr_cs_unref(&whole);
	zload_names_free(&nm);
	zload_free(&za);
	zload_free(&zb);
	zt_free(&a);
	zt_free(&b);
}

/*
 * A snapshot patched (zt_patch) from another: the changeset of its names alone is the whole
 * walk's, and the one ixfr_pub_prepare() carries.
 */
static void test_diff_patched(void)
{
	static char ta[20000], tb[20000];
	char err[512], why[256];
	zload_zone_t *za, *zb;
	zt_t *a, *b, *p = NULL;
	ixfr_cs_t *whole = NULL, *part = NULL, *full = NULL;
	zload_names_t *nm = NULL;
	const uint8_t *const *names;
	size_t n;
	int rc;

	two_versions(ta, tb, sizeof(ta), false);
	za = zload_string("example.com.", ta, "a.zone", NULL, NULL, err, sizeof(err));
	zb = zload_string("example.com.", tb, "b.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(za);
	CU_ASSERT_PTR_NOT_NULL_FATAL(zb);
	a = zt_new(&za, 1, NULL, err, sizeof(err));
	b = zt_new(&zb, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(zload_changes(za, zb, &nm), 0);
	names = zload_names_list(nm, &n);
	{
		const zt_patch_in_t in = {
		    .zone = zb, .serial = zload_serial(zb), .names = names, .nnames = n};

		rc = zt_patch(a, &in, &p, why, sizeof(why));
	}
	/* A snapshot compiled whole has no names of a patch. */
	CU_ASSERT_FALSE(zt_patch_names(b, 0, a, &names, &n));
	{
		const uint8_t *const *pn;
		size_t np;
		const ixfr_hist_t *h;

		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_TRUE_FATAL(zt_patch_names(p, 0, a, &pn, &np));
		CU_ASSERT_EQUAL(np, n);
		CU_ASSERT_EQUAL_FATAL(ixfr_diff(a, 0, b, 0, 0, &full), SANDNS_EOK);
		CU_ASSERT_EQUAL_FATAL(ixfr_diff(a, 0, p, 0, 0, &whole), SANDNS_EOK);
		CU_ASSERT_EQUAL_FATAL(ixfr_diff_names(a, 0, p, 0, pn, np, 0, &part), SANDNS_EOK);
		CU_ASSERT(ixfr_cs_size(part) == ixfr_cs_size(whole) &&
			  memcmp(ixfr_cs_data(part), ixfr_cs_data(whole), ixfr_cs_size(part)) == 0);
		CU_ASSERT(ixfr_cs_size(full) == ixfr_cs_size(whole) &&
			  memcmp(ixfr_cs_data(full), ixfr_cs_data(whole), ixfr_cs_size(full)) == 0);
		/* Published: the history carries that changeset. */
		ixfr_pub_prepare(a, p, &(ixfr_conf_t){.max_bytes = 1 << 20, .max_depth = 10});
		h = ixfr_hist_of(p, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		CU_ASSERT_EQUAL(ixfr_hist_count(h), 1);
		ixfr_cs_unref(&full);
		ixfr_cs_unref(&whole);
		ixfr_cs_unref(&part);
		zt_free(&p);
	}
	zload_names_free(&nm);
	zload_free(&za);
	zload_free(&zb);
	zt_free(&a);
	zt_free(&b);
}

/* The changeset from serial S to S+1 (a record more each time). */
static ixfr_cs_t *step(unsigned s)
{
	char extra[64];
	zt_t *a, *b;
	ixfr_cs_t *cs = NULL;

	snprintf(extra, sizeof(extra), "s%u IN A 192.0.2.%u\n", s, s);
	a = zone(s, "");
	b = zone(s + 1, extra);
	CU_ASSERT_EQUAL(ixfr_diff(a, 0, b, 0, 0, &cs), SANDNS_EOK);
	zt_free(&a);
	zt_free(&b);
	return cs;
}

/* A history of serials 1..N+1 with bounds MAX_BYTES, MAX_DEPTH. */
static ixfr_hist_t *history(unsigned n, uint64_t max_bytes, unsigned max_depth)
{
	ixfr_hist_t *h = NULL;
	unsigned dropped;

	for (unsigned s = 1; s <= n; s++) {
		ixfr_hist_t *next = ixfr_hist_add(h, step(s), max_bytes, max_depth, &dropped);

		ixfr_hist_unref(&h);
		h = next;
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	}
	return h;
}

static void test_bounds(void)
{
	ixfr_hist_t *h = history(5, 1 << 20, 3), *shared;
	ixfr_cs_t *cs = step(6);
	uint32_t first, last;
	uint64_t one;
	unsigned dropped;

	/* The depth: the oldest went first. */
	CU_ASSERT_EQUAL(ixfr_hist_count(h), 3);
	CU_ASSERT_TRUE(ixfr_hist_range(h, &first, &last));
	CU_ASSERT_EQUAL(first, 3);
	CU_ASSERT_EQUAL(last, 6);
	one = ixfr_cs_size(ixfr_hist_get(h, 2));
	/* The octets: room for two. */
	shared = ixfr_hist_add(h, cs, 2 * one + one / 2, 100, &dropped);
	CU_ASSERT_EQUAL(ixfr_hist_count(shared), 2);
	CU_ASSERT_EQUAL(dropped, 2);
	CU_ASSERT_TRUE(ixfr_hist_range(shared, &first, &last));
	CU_ASSERT_EQUAL(first, 5);
	CU_ASSERT_EQUAL(last, 7);
	/* The changeset they share outlives the first history. */
	ixfr_hist_unref(&h);
	CU_ASSERT_PTR_NULL(h);
	CU_ASSERT_EQUAL(ixfr_cs_from(ixfr_hist_get(shared, 0)), 5);
	/* One changeset above the bound: nothing is kept. */
	h = ixfr_hist_add(shared, step(7), one / 2, 100, &dropped);
	CU_ASSERT_EQUAL(ixfr_hist_count(h), 0);
	CU_ASSERT_FALSE(ixfr_hist_range(h, &first, &last));
	ixfr_hist_unref(&h);
	/* One that does not follow: the history starts again. */
	h = ixfr_hist_add(shared, step(9), 1 << 20, 100, &dropped);
	CU_ASSERT_EQUAL(ixfr_hist_count(h), 1);
	CU_ASSERT_EQUAL(dropped, 2);
	ixfr_hist_unref(&h);
	ixfr_hist_unref(&shared);
}

static void test_iter(void)
{
	ixfr_hist_t *h = history(3, 1 << 20, 20);
	const uint8_t *rr;
	size_t len, n = 0;
	ixfr_iter_t it;
	char first[600] = "", last[600] = "", line[512];

	CU_ASSERT_FALSE(ixfr_iter_start(&it, h, 4)); /* current: nothing to send */
	CU_ASSERT_FALSE(ixfr_iter_start(&it, h, 0)); /* older than the history */
	CU_ASSERT_TRUE_FATAL(ixfr_iter_start(&it, h, 2));
	while (ixfr_iter_next(&it, &rr, &len)) {
		rr_text(rr, len, line, sizeof(line));
		if (n == 0)
			snprintf(first, sizeof(first), "%s\n", line);
		snprintf(last, sizeof(last), "%s\n", line);
		n++;
	}
	/* SOA 4; SOA 2, SOA 3, s2; SOA 3, SOA 4, s3; SOA 4. */
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_STRING_EQUAL(first, SOA("4"));
	CU_ASSERT_STRING_EQUAL(last, SOA("4"));
	CU_ASSERT_FALSE(ixfr_iter_next(&it, &rr, &len));
	ixfr_hist_unref(&h);
}

static void test_journal(void)
{
	ixfr_hist_t *h = history(3, 1 << 20, 20), *back = NULL;
	ixfr_cs_t *cs = step(4);
	char path[256], err[512];
	unsigned nrecs;
	uint32_t first, last;

	snprintf(path, sizeof(path), "%s/example.com.journal", dir);
	CU_ASSERT_EQUAL(ixfr_file_write(path, h, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(ixfr_file_append(path, cs, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL_FATAL(
	    ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)),
	    SANDNS_EOK);
	CU_ASSERT_EQUAL(nrecs, 4);
	CU_ASSERT_EQUAL(ixfr_hist_count(back), 4);
	CU_ASSERT_TRUE(ixfr_hist_range(back, &first, &last));
	CU_ASSERT_EQUAL(first, 1);
	CU_ASSERT_EQUAL(last, 5);
	for (size_t i = 0; i < 3; i++) {
		const ixfr_cs_t *x = ixfr_hist_get(h, i), *y = ixfr_hist_get(back, i);

		CU_ASSERT_EQUAL_FATAL(ixfr_cs_size(x), ixfr_cs_size(y));
		CU_ASSERT(memcmp(ixfr_cs_data(x), ixfr_cs_data(y), ixfr_cs_size(x)) == 0);
	}
	ixfr_hist_unref(&back);
	/* Read with a smaller depth: the newest are kept. */
	CU_ASSERT_EQUAL(ixfr_file_read(path, 1 << 20, 1 << 20, 2, &back, &nrecs, err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_TRUE(ixfr_hist_range(back, &first, &last));
	CU_ASSERT_EQUAL(first, 3);
	ixfr_hist_unref(&back);
	/* An empty history removes the file; no file: no history, no error. */
	CU_ASSERT_EQUAL(ixfr_file_write(path, NULL, err, sizeof(err)), SANDNS_EOK);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_PTR_NULL(back);
	ixfr_cs_unref(&cs);
	ixfr_hist_unref(&h);
}

/* The size of PATH, -1: none. */
static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* ixfr_file_append(PATH, CS) with files limited to LIMIT octets (RLIMIT_FSIZE: a write past it
 * stops part way, as on a full disk, with EFBIG); its result. */
static int append_limited(const char *path, const ixfr_cs_t *cs, rlim_t limit)
{
	struct rlimit was, lim;
	void (*sig)(int) = signal(SIGXFSZ, SIG_IGN);
	char err[512] = "";
	int rc;

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &was), 0);
	lim = (struct rlimit){.rlim_cur = limit, .rlim_max = was.rlim_max};
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = ixfr_file_append(path, cs, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, sig);
	if (rc != SANDNS_EOK) {
		CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot write"));
	}
	return rc;
}

/*
 * An append that the disk stops part way (full) leaves the journal as it was, never a record cut
 * short (which made the whole journal unreadable at start), nor an empty file where there was none.
 */
static void test_journal_append_full(void)
{
	ixfr_hist_t *h = history(3, 1 << 20, 20), *back = NULL;
	ixfr_cs_t *cs = step(4);
	char path[256], err[512];
	unsigned nrecs;
	off_t before;

	snprintf(path, sizeof(path), "%s/full.example.journal", dir);
	CU_ASSERT_EQUAL_FATAL(ixfr_file_write(path, h, err, sizeof(err)), SANDNS_EOK);
	before = file_size(path);
	CU_ASSERT_NOT_EQUAL(append_limited(path, cs, (rlim_t)before + 10), SANDNS_EOK);
	CU_ASSERT_EQUAL(file_size(path), before);
	CU_ASSERT_EQUAL(ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(nrecs, 3);
	ixfr_hist_unref(&back);
	/* Room again: appended whole. */
	CU_ASSERT_EQUAL(append_limited(path, cs, RLIM_INFINITY), SANDNS_EOK);
	CU_ASSERT_EQUAL(ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)),
			SANDNS_EOK);
	CU_ASSERT_EQUAL(nrecs, 4);
	ixfr_hist_unref(&back);
	/* A journal begun by the append, stopped in its header or its record: no file left. */
	CU_ASSERT_EQUAL_FATAL(unlink(path), 0);
	CU_ASSERT_NOT_EQUAL(append_limited(path, cs, 4), SANDNS_EOK);
	CU_ASSERT_EQUAL(file_size(path), -1);
	CU_ASSERT_NOT_EQUAL(append_limited(path, cs, 20), SANDNS_EOK);
	CU_ASSERT_EQUAL(file_size(path), -1);
	ixfr_cs_unref(&cs);
	ixfr_hist_unref(&h);
}

/* Writes LEN octets of DATA to PATH. */
static void put_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_journal_damaged(void)
{
	ixfr_hist_t *h = history(2, 1 << 20, 20), *back = (ixfr_hist_t *)1;
	char path[256], err[512];
	uint8_t buf[8192];
	unsigned nrecs;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/damaged.journal", dir);
	CU_ASSERT_EQUAL_FATAL(ixfr_file_write(path, h, err, sizeof(err)), SANDNS_EOK);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CU_ASSERT_FATAL(len > 100 && len < sizeof(buf));
	/* One octet changed inside the second record: its checksum says so. */
	buf[len - 20] ^= 0x40;
	put_file(path, buf, len);
	CU_ASSERT_EQUAL(ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)),
			SANDNS_EPARSE);
	CU_ASSERT_PTR_NULL(back);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "damaged at offset"));
	/* Cut short, garbage, empty. */
	buf[len - 20] ^= 0x40;
	put_file(path, buf, len - 3);
	CU_ASSERT_NOT_EQUAL(
	    ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)), 0);
	put_file(path, "garbage\n", 8);
	CU_ASSERT_NOT_EQUAL(
	    ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	put_file(path, "", 0);
	CU_ASSERT_NOT_EQUAL(
	    ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)), 0);
	/* Larger than allowed; a directory: refused, never read. */
	put_file(path, buf, len);
	CU_ASSERT_NOT_EQUAL(ixfr_file_read(path, 64, 1 << 20, 20, &back, &nrecs, err, sizeof(err)),
			    0);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_NOT_EQUAL(
	    ixfr_file_read(path, 1 << 20, 1 << 20, 20, &back, &nrecs, err, sizeof(err)), 0);
	rmdir(path);
	ixfr_hist_unref(&h);
}

/* Each message of a transfer appended to a buffer (zt_xfr_sink). */
struct sink {
	uint8_t buf[1 << 16];
	size_t len;
	unsigned msgs;
	unsigned rrs;
	bool question_later; /* a message after the first had a question */
};

static int collect(void *ctx, const uint8_t *msg, size_t len)
{
	struct sink *s = ctx;

	if (s->msgs > 0 && wire_get16(msg + 4) != 0)
		s->question_later = true;
	s->rrs += wire_get16(msg + 6);
	s->msgs++;
	if (s->len + len <= sizeof(s->buf)) {
		memcpy(s->buf + s->len, msg, len);
		s->len += len;
	}
	return 0;
}

/* An IXFR query for example.com. from serial SERIAL (an SOA in the authority section). */
static size_t ixfr_query(uint8_t *q, uint32_t serial)
{
	size_t len = tu_query(q, 0x4242, 0, "example.com.", 251, 1);
	static const uint8_t soa_head[] = {0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, 0, 0};

	memcpy(q + len, soa_head, sizeof(soa_head));
	len += sizeof(soa_head);
	wire_put32(q + len, serial);
	memset(q + len + 4, 0, 16);
	len += 20;
	wire_put16(q + 8, 1);
	return len;
}

static void test_publish_and_out(void)
{
	const ixfr_conf_t conf = {.dir = dir, .max_bytes = 1 << 20, .max_depth = 20};
	zt_t *a = zone(1, ""), *b = zone(2, "x IN A 192.0.2.7\n"), *c, *d;
	static struct sink s;
	struct zt_query pq;
	ixfr_iter_t it;
	uint8_t q[512];
	size_t qlen;
	ldns_pkt *p = NULL;
	char path[256];

	snprintf(path, sizeof(path), "%s/example.com.journal", dir);
	unlink(path);
	publish(NULL, a, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(a, 0)), 0);
	ixfr_pub_prepare(a, b, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(b, 0)), 1);
	/* The journal is written once the snapshot is served, not before. */
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	ixfr_pub_commit(b, &conf);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	/* IXFR from 1: the difference, in one message with the question. */
	qlen = ixfr_query(q, 1);
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, collect, &s), 0);
	CU_ASSERT_EQUAL(s.msgs, 1);
	CU_ASSERT_EQUAL(s.rrs, 5); /* SOA 2; SOA 1; SOA 2, x; SOA 2 */
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&p, s.buf, s.len), LDNS_STATUS_OK);
	CU_ASSERT_EQUAL(ldns_pkt_id(p), 0x4242);
	CU_ASSERT_TRUE(ldns_pkt_aa(p));
	CU_ASSERT_EQUAL(ldns_pkt_qdcount(p), 1);
	CU_ASSERT_EQUAL(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 3)), LDNS_RR_TYPE_A);
	ldns_pkt_free(p);
	/* From a serial the history does not hold: AXFR-style. */
	qlen = ixfr_query(q, 7);
	CU_ASSERT_EQUAL(ixfr_out_prepare(b, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, collect, &s), 0);
	CU_ASSERT_EQUAL(s.rrs, 6); /* SOA, NS, ns1, www, x, SOA */
	/* A restart at serial 2: the journal is read back; at serial 3 it is dropped. */
	c = zone(2, "x IN A 192.0.2.7\n");
	publish(NULL, c, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(c, 0)), 1);
	d = zone(3, "x IN A 192.0.2.7\n");
	publish(NULL, d, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(d, 0)), 0);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	/* A damaged journal is no reason not to serve: a new history starts. */
	put_file(path, "damaged", 7);
	zt_free(&c);
	c = zone(2, "x IN A 192.0.2.7\n");
	publish(NULL, c, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(c, 0)), 0);
	publish(c, d, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(d, 0)), 1);
	unlink(path);
	zt_free(&a);
	zt_free(&b);
	zt_free(&c);
	zt_free(&d);
}

/* The journal grows by appends, and is written again once it holds twice the bound. */
static void test_journal_compaction(void)
{
	const ixfr_conf_t conf = {.dir = dir, .max_bytes = 1 << 20, .max_depth = 2};
	zt_t *prev = zone(1, ""), *next;
	ixfr_hist_t *back;
	char path[256], err[512], extra[64];
	unsigned nrecs, most = 0;
	uint32_t first, last;

	snprintf(path, sizeof(path), "%s/example.com.journal", dir);
	unlink(path);
	publish(NULL, prev, &conf);
	for (unsigned s = 2; s <= 9; s++) {
		snprintf(extra, sizeof(extra), "v IN A 192.0.2.%u\n", s);
		next = zone(s, extra);
		publish(prev, next, &conf);
		zt_free(&prev);
		prev = next;
		CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(prev, 0)), s - 1 < 2 ? s - 1 : 2);
		CU_ASSERT_EQUAL_FATAL(
		    ixfr_file_read(path, 1 << 20, 1 << 20, 100, &back, &nrecs, err, sizeof(err)),
		    SANDNS_EOK);
		CU_ASSERT_TRUE(ixfr_hist_range(back, &first, &last));
		CU_ASSERT_EQUAL(last, s);
		CU_ASSERT(nrecs <= 4);
		most = nrecs > most ? nrecs : most;
		ixfr_hist_unref(&back);
	}
	/* It did grow past the bound before it was written again. */
	CU_ASSERT_EQUAL(most, 4);
	unlink(path);
	zt_free(&prev);
}

/* A change larger than one message: several messages, the question in the first only. */
static void test_out_messages(void)
{
	const ixfr_conf_t conf = {.max_bytes = 1 << 20, .max_depth = 20};
	static char extra[65536];
	static struct sink s;
	size_t o = 0, qlen;
	uint8_t q[512];
	zt_t *a = zone(1, ""), *b;

	for (int i = 0; i < 800; i++)
		o += (size_t)snprintf(extra + o, sizeof(extra) - o,
				      "t%d IN TXT \"a record of some forty octets\"\n", i);
	b = zone(2, extra);
	publish(NULL, a, &conf);
	publish(a, b, &conf);
	qlen = ixfr_query(q, 1);
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, collect, &s), 0);
	CU_ASSERT(s.msgs >= 2);
	CU_ASSERT_FALSE(s.question_later);
	CU_ASSERT_EQUAL(s.rrs, 804); /* SOA 2; SOA 1; SOA 2, 800 TXT; SOA 2 */
	/* No SOA in the authority section: malformed. */
	qlen = tu_query(q, 1, 0, "example.com.", 251, 1);
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, collect, &s), SANDNS_EMALF);
	zt_free(&a);
	zt_free(&b);
}

/*
 * A crash after a publish, before its journal was on disk (ixfr_pub_commit() runs after the
 * swap): the journal lacks the last changeset, or holds it torn. The restart serves the serial
 * of the last publish; the journal, which does not reach it, is dropped: an IXFR from any older
 * serial is answered with the whole zone, never with a history that stops short.
 */
static void test_journal_missing_last(void)
{
	const ixfr_conf_t conf = {.dir = dir, .max_bytes = 1 << 20, .max_depth = 20};
	zt_t *a = zone(1, ""), *b = zone(2, "x IN A 192.0.2.7\n"), *c, *r;
	struct zt_query pq;
	ixfr_iter_t it;
	uint8_t q[512], buf[8192];
	char path[256];
	size_t qlen, len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/example.com.journal", dir);
	unlink(path);
	publish(NULL, a, &conf);
	publish(a, b, &conf);
	/* Served at 3, then the crash: its changeset never reached the journal. */
	c = zone(3, "x IN A 192.0.2.7\ny IN A 192.0.2.8\n");
	ixfr_pub_prepare(b, c, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(c, 0)), 2);
	r = zone(3, "x IN A 192.0.2.7\ny IN A 192.0.2.8\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 0);
	qlen = ixfr_query(q, 2);
	CU_ASSERT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	qlen = ixfr_query(q, 1);
	CU_ASSERT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	zt_free(&r);
	/* The same with its record torn (a part written): dropped too. */
	zt_free(&b);
	b = zone(2, "x IN A 192.0.2.7\n");
	publish(NULL, b, &conf); /* a new history from 2 */
	zt_free(&c);
	c = zone(3, "x IN A 192.0.2.7\ny IN A 192.0.2.8\n");
	publish(b, c, &conf);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CU_ASSERT_FATAL(len > 20 && len < sizeof(buf));
	put_file(path, buf, len - 5);
	r = zone(3, "x IN A 192.0.2.7\ny IN A 192.0.2.8\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 0);
	qlen = ixfr_query(q, 2);
	CU_ASSERT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	/* Committed whole: the restart serves IXFR from 2 again. */
	put_file(path, buf, len);
	zt_free(&r);
	r = zone(3, "x IN A 192.0.2.7\ny IN A 192.0.2.8\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 1);
	qlen = ixfr_query(q, 2);
	CU_ASSERT_NOT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	unlink(path);
	zt_free(&a);
	zt_free(&b);
	zt_free(&c);
	zt_free(&r);
}

/* The contents of PATH into BUF (64 KiB); their length. */
static size_t get_file(const char *path, uint8_t *buf)
{
	size_t len;
	FILE *f = fopen(path, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(buf, 1, 65536, f);
	fclose(f);
	CU_ASSERT_FATAL(len > 20 && len < 65536);
	return len;
}

/*
 * A journal that ends at the serial served but is not the zone's: another zone's (copied or
 * restored under the wrong name: both zones at serial 2), or this zone's from a run whose SOA
 * was another. Dropped at start, the file removed: an IXFR gets the whole zone, never another
 * zone's changes.
 */
static void test_journal_other_zone(void)
{
	const ixfr_conf_t conf = {.dir = dir, .max_bytes = 1 << 20, .max_depth = 20};
	zt_t *o1 = zone_of("example.org.", 1, 7200, ""), *o2, *a, *b, *r;
	static const uint8_t x[] = "\1x\7example\3com";
	static uint8_t buf[65536];
	char path[256], other[256];
	struct zt_query pq;
	ixfr_iter_t it;
	uint8_t q[512], *at;
	size_t qlen, len;
	uint32_t rl;

	snprintf(path, sizeof(path), "%s/example.com.journal", dir);
	snprintf(other, sizeof(other), "%s/example.org.journal", dir);
	unlink(path);
	unlink(other);
	o2 = zone_of("example.org.", 2, 7200, "x IN A 192.0.2.9\n");
	publish(NULL, o1, &conf);
	publish(o1, o2, &conf);
	put_file(path, buf, get_file(other, buf));
	r = zone(2, "x IN A 192.0.2.7\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 0);
	qlen = ixfr_query(q, 1);
	CU_ASSERT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	zt_free(&r);
	/* Its own journal, but from a run that served serial 2 with another SOA. */
	a = zone_of("example.com.", 1, 7200, "");
	b = zone_of("example.com.", 2, 7200, "x IN A 192.0.2.7\n");
	publish(NULL, a, &conf);
	publish(a, b, &conf);
	r = zone_of("example.com.", 2, 3600, "x IN A 192.0.2.7\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 0);
	CU_ASSERT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	zt_free(&r);
	/* The same SOA: the journal is this zone's, its history kept. */
	publish(a, b, &conf);
	r = zone_of("example.com.", 2, 7200, "x IN A 192.0.2.7\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 1);
	CU_ASSERT_NOT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	zt_free(&r);
	/* Its SOAs this zone's, its sum right, but a record of example.org. in it. */
	len = get_file(path, buf);
	at = memmem(buf, len, x, sizeof(x) - 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	memcpy(at + sizeof(x) - 4, "org", 3);
	rl = wire_get32(buf + 8);
	CU_ASSERT_EQUAL_FATAL(len, 8 + 12 + (size_t)rl);
	wire_put32(buf + 12 + rl, (uint32_t)(fnv_bytes(FNV_START, buf + 12, rl) >> 32));
	wire_put32(buf + 16 + rl, (uint32_t)fnv_bytes(FNV_START, buf + 12, rl));
	put_file(path, buf, len);
	r = zone_of("example.com.", 2, 7200, "x IN A 192.0.2.7\n");
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 0);
	CU_ASSERT_EQUAL(ixfr_out_prepare(r, q, qlen, &pq, &it), IXFR_OUT_AXFR);
	unlink(path);
	unlink(other);
	zt_free(&o1);
	zt_free(&o2);
	zt_free(&a);
	zt_free(&b);
	zt_free(&r);
}

/* Zone ORIGIN's journal: written by two publishes, read back at a restart. */
static void journal_round_trip(const char *origin)
{
	const ixfr_conf_t conf = {.dir = dir, .max_bytes = 1 << 20, .max_depth = 20};
	zt_t *a = zone_of(origin, 1, 7200, ""), *b = zone_of(origin, 2, 7200, "x IN A 192.0.2.7\n");
	zt_t *r = zone_of(origin, 2, 7200, "x IN A 192.0.2.7\n");
	char path[4096];

	CU_ASSERT_TRUE_FATAL(ixfr_journal_path(dir, origin, path, sizeof(path)));
	publish(NULL, a, &conf);
	publish(a, b, &conf);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	publish(NULL, r, &conf);
	CU_ASSERT_EQUAL(ixfr_hist_count(ixfr_hist_of(r, 0)), 1);
	unlink(path);
	zt_free(&a);
	zt_free(&b);
	zt_free(&r);
}

static void test_journal_path(void)
{
	char buf[4096], name[4096], longer[300];
	const char *base;

	CU_ASSERT_TRUE(ixfr_journal_path("/s", "Example.COM.", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "/s/example.com.journal");
	CU_ASSERT_TRUE(ixfr_journal_path("/s", "a/b\\.test", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "/s/a%2Fb%5C.test.journal");
	CU_ASSERT_TRUE(ixfr_journal_path("/s", ".", buf, sizeof(buf)));
	CU_ASSERT_STRING_EQUAL(buf, "/s/.journal");
	/* 243 octets escaped (the dot last): as they are, ".journal.new" fits 255. */
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.50s.", HEX64, HEX64, HEX64, HEX64);
	CU_ASSERT_EQUAL_FATAL(strlen(name), 243);
	CU_ASSERT_TRUE(ixfr_journal_path("/s", name, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strncmp(buf + 3, name, 243), 0);
	CU_ASSERT_STRING_EQUAL(buf + 3 + 243, "journal");
	/* Longer escaped (a catalog's member may be; "~" is "%7E"): cut, its hash after it; each
	 * its own, written and read back (it could not be opened). */
	snprintf(longer, sizeof(longer), "%.60s.%.60s.test.", TILDES, TILDES);
	CU_ASSERT_TRUE(ixfr_journal_path(dir, longer, buf, sizeof(buf)));
	base = strrchr(buf, '/') + 1;
	CU_ASSERT(strlen(base) + strlen(".new") <= 255);
	CU_ASSERT_PTR_NOT_NULL(strstr(base, "%7E%7E%7E~"));
	journal_round_trip(longer);
	longer[0] = 'f';
	CU_ASSERT_TRUE(ixfr_journal_path(dir, longer, name, sizeof(name)));
	CU_ASSERT_STRING_NOT_EQUAL(buf, name);
}

static int suite_init(void)
{
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int suite_cleanup(void)
{
	return rmdir(dir);
}

void reg_cutest_ixfr(void)
{
	CU_pSuite s = CU_add_suite("ixfr", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "the difference: added, removed, TTL, rdata, SOA", test_diff);
	CU_add_test(s, "the difference of the names changed alone: the same changeset",
		    test_diff_names);
	CU_add_test(s, "a patched snapshot's changeset: its names alone, the same",
		    test_diff_patched);
	CU_add_test(s, "the history's bounds: the oldest go first", test_bounds);
	CU_add_test(s, "the RRs of an IXFR response", test_iter);
	CU_add_test(s, "the journal: written, appended, read back", test_journal);
	CU_add_test(s, "a damaged journal is refused, never read in part", test_journal_damaged);
	CU_add_test(s, "an append stopped by a full disk leaves the journal as it was",
		    test_journal_append_full);
	CU_add_test(s, "publish, journal at restart, IXFR out", test_publish_and_out);
	CU_add_test(s, "the journal appended, then compacted", test_journal_compaction);
	CU_add_test(s, "a large IXFR: several messages", test_out_messages);
	CU_add_test(s, "a journal without its last changeset is dropped at restart",
		    test_journal_missing_last);
	CU_add_test(s, "a journal of another zone, or another SOA, is dropped at restart",
		    test_journal_other_zone);
	CU_add_test(s, "the journal's file name", test_journal_path);
}
