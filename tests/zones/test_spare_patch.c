/* SPDX-License-Identifier: BSD-3-Clause */
/* test_spare_patch.c: patches in a row of a zone whose arrays are mapped (zt_spare.c), zones
 * coming and going between them, the snapshots freed in turn */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_build.h"
#include "zt_order.h"
#include "zt_patch.h"
#include "zt_pvt.h"
#include "zt_seed.h"
#include "zt_spare.h"

/*
 * Names of the NSEC zone big.test: enough that its transfer order, NSEC owners and their keys
 * are each past 1 MiB, on mappings of their own (zt_big_alloc()).
 */
#define NBIG 300000u
#define ROUNDS 6

/* Owner I's label in version V: absent (NULL), or written into BUF (its A's last octet in *A). */
static const char *label_of(unsigned i, unsigned v, char *buf, size_t len, unsigned *a)
{
	unsigned slot = i % 1000;

	*a = (i & 255) == 0 ? 1 : i & 255;
	if (i >= NBIG / 10) {
		snprintf(buf, len, "h%06u", i); /* the patches' changes few: the store not worn */
		return buf;
	}
	if (slot == v)
		return NULL; /* each version takes out its own thousandth of the names */
	if (slot == v + 500)
		*a = 200 + v; /* another address */
	snprintf(buf, len, slot == v + 250 ? "h%06u-x" : "h%06u", i);
	return buf;
}

/* Version V of big.test as text: the apex (serial V + 1), h000000... in canonical order, ns. */
static char *big_text(unsigned v)
{
	size_t cap = (size_t)NBIG * 96 + 4096, len = 0;
	char *t = malloc(cap), l[32], next[32];
	unsigned a, na;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	len += (size_t)snprintf(t + len, cap - len,
				"$ORIGIN big.test.\n$TTL 300\n@ SOA ns h %u 7200 3600 1209600 300\n"
				"@ NS ns\n@ DNSKEY 257 3 13 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG"
				"xwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n",
				v + 1);
	/* Each name's NSEC names the next one present (a name and its "-x" sibling both may). */
	strcpy(next, "ns");
	for (unsigned i = 0; i < NBIG; i++)
		if (label_of(i, v, next, sizeof(next), &a) != NULL)
			break;
	len += (size_t)snprintf(t + len, cap - len, "@ NSEC %s SOA NS DNSKEY NSEC\n", next);
	/* The SOA's signature as a re-signing changes it (nothing validates it here). */
	len += (size_t)snprintf(t + len, cap - len,
				"@ RRSIG SOA 13 2 300 20300101000000 20200101000000 1 big.test. "
				"%08u%056u\n",
				v, 0u);
	for (unsigned i = 0; i < NBIG; i++) {
		unsigned j = i + 1;

		if (label_of(i, v, l, sizeof(l), &a) == NULL)
			continue;
		while (j < NBIG && label_of(j, v, next, sizeof(next), &na) == NULL)
			j++;
		if (j == NBIG)
			strcpy(next, "ns");
		len += (size_t)snprintf(t + len, cap - len, "%s A 10.%u.%u.%u\n%s NSEC %s A NSEC\n",
					l, i >> 16, (i >> 8) & 255, a, l, next);
	}
	len += (size_t)snprintf(t + len, cap - len, "ns A 192.0.2.1\nns NSEC big.test. A NSEC\n");
	return t;
}

static zload_zone_t *load(const char *origin, const char *text)
{
	char err[512];
	zload_zone_t *z = zload_string(origin, text, "zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		fprintf(stderr, "%s: %s\n", origin, err);
	return z;
}

static zload_zone_t *big_zone(unsigned v)
{
	char *t = big_text(v);
	zload_zone_t *z = load("big.test.", t);

	free(t);
	return z;
}

/* A lower-case wire name for label L of big.test into W[*N]. */
static void push(uint8_t **w, size_t *n, const char *l)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.big.test", l);
	w[*n] = malloc(WIRE_NAME_MAX + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w[*n]);
	tu_name_wire(w[(*n)++], name);
}

static int cmp_wire(const void *a, const void *b)
{
	const uint8_t *x = *(uint8_t *const *)a, *y = *(uint8_t *const *)b;
	size_t lx = wire_name_len(x), ly = wire_name_len(y);

	return lx != ly ? (lx < ly ? -1 : 1) : memcmp(x, y, lx);
}

/* The names version V changed from V - 1: the apex, the names taken out, put back, renamed or
 * readdressed, and the two before each either way (their NSEC's next name): *N of them. */
static uint8_t **changed(unsigned v, size_t *n)
{
	uint8_t **w = calloc(6 * 3 * 2 * (NBIG / 1000 + 1) * 2 + 2, sizeof(*w));
	char l[32], o[32];
	unsigned a, b;
	size_t k = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	*n = 0;
	for (unsigned i = 0; i < NBIG; i++) {
		const char *x = label_of(i, v, l, sizeof(l), &a);
		const char *y = label_of(i, v - 1, o, sizeof(o), &b);

		if ((x == NULL) == (y == NULL) && (x == NULL || (strcmp(x, y) == 0 && a == b)))
			continue;
		for (unsigned d = 0; d < 3 && d <= i; d++)
			for (unsigned ver = v - 1; ver <= v; ver++)
				if (label_of(i - d, ver, l, sizeof(l), &a) != NULL)
					push(w, n, l);
	}
	w[*n] = malloc(WIRE_NAME_MAX + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w[*n]);
	tu_name_wire(w[(*n)++], "big.test");
	qsort(w, *n, sizeof(*w), cmp_wire);
	for (size_t i = 0; i < *n; i++)
		if (k > 0 && cmp_wire(&w[k - 1], &w[i]) == 0)
			free(w[i]);
		else
			w[k++] = w[i];
	*n = k;
	return w;
}

static void changed_free(uint8_t **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* Name NAME asked of T for TYPE with DO: the answer's length into RESP. */
static size_t ask_do(const zt_t *t, const char *name, uint16_t type, uint8_t *resp)
{
	static const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0};
	uint8_t q[600];
	size_t len = tu_query(q, 0x4242, 0, name, type, C_IN);
	zt_answer_ctx_t ctx = {.transport = ZT_TCP};
	zt_answer_info_t info;

	q[11] = 1;
	memcpy(q + len, opt, sizeof(opt));
	return zt_answer(t, q, len + sizeof(opt), resp, 65535, &ctx, &info);
}

struct xfr_buf {
	uint8_t *d;
	size_t n;
};

static int xfr_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct xfr_buf *b = ctx;
	uint8_t *d = realloc(b->d, b->n + len);

	if (d == NULL)
		return -1;
	memcpy(d + b->n, msg, len);
	b->d = d;
	b->n += len;
	return 0;
}

/* Names around version V's changes, and names absent (NXDOMAIN: their NSEC proofs). */
static void ask_round(const zt_t *t, unsigned v, const zt_t *ref, unsigned *diffs)
{
	static uint8_t ra[65535], rb[65535];
	char name[64];
	static const uint16_t types[] = {T_A, T_TXT, T_NSEC};

	for (unsigned k = 0; k < 60; k++) {
		unsigned i = (k * 7919u + v * 131u) % NBIG;
		const char *form = k % 3 == 0	? "h%06u.big.test"
				   : k % 3 == 1 ? "h%06u-x.big.test"
						: "h%06u-y.big.test";

		if (k < 20)
			i = k * 1000u + v; /* one taken out (or put back, or renamed) */
		snprintf(name, sizeof(name), form, i);
		for (size_t y = 0; y < sizeof(types) / sizeof(types[0]); y++) {
			size_t la = ask_do(t, name, types[y], ra), lb;

			CU_ASSERT_TRUE(la > 12);
			if (ref == NULL)
				continue;
			lb = ask_do(ref, name, types[y], rb);
			if (la != lb || memcmp(ra, rb, la) != 0) {
				if ((*diffs)++ < 10)
					fprintf(stderr, "\nspare patch: %s type %u differs\n", name,
						types[y]);
			}
		}
	}
}

/* The AXFR of big.test from A and B the same. */
static void same_axfr(const zt_t *a, const zt_t *b)
{
	uint8_t q[512];
	size_t qlen = tu_query(q, 0x5151, 0, "big.test", T_AXFR, C_IN);
	struct xfr_buf xa = {0}, xb = {0};

	CU_ASSERT_EQUAL(zt_xfr_render(a, q, qlen, xfr_sink, &xa), 0);
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, xfr_sink, &xb), 0);
	CU_ASSERT_EQUAL(xa.n, xb.n);
	CU_ASSERT_TRUE(xa.n == xb.n && memcmp(xa.d, xb.d, xa.n) == 0);
	free(xa.d);
	free(xb.d);
}

static const char other_text[] = "$ORIGIN other.test.\n$TTL 300\n@ SOA ns h 1 7200 3600 1209600 "
				 "300\n@ NS ns\nns A 192.0.2.2\nwww A 192.0.2.3\n";
static const char extra_text[] = "$ORIGIN extra.test.\n$TTL 300\n@ SOA ns h 1 7200 3600 1209600 "
				 "300\n@ NS ns\nns A 192.0.2.4\n";

/*
 * Patches of big.test in a row, each from the one before, with extra.test added after the
 * second and taken out after the fourth; the snapshot two steps back freed at each step, so
 * that the next patch's arrays take the mappings it leaves (and the zones shared between them
 * keep theirs). Under AddressSanitizer a read of a mapping kept or taken again is reported.
 * The last snapshot answers and transfers as a whole compile of the same zones does.
 */
static void test_patches_in_a_row(void)
{
	size_t budget = zt_denial_budget;
	zload_zone_t *z[2], *extra = load("extra.test.", extra_text), *all[2];
	zt_t *keep[3] = {NULL, NULL, NULL}, *cur, *whole;
	struct zt_spare_stats s0, s1;
	char err[512];
	unsigned diffs = 0;

	/* Its NSEC denial answers composed per question: a zone a patch may make. */
	zt_denial_budget = 0;
	z[0] = big_zone(0);
	z[1] = load("other.test.", other_text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[1]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(extra);
	cur = zt_new(z, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
	CU_ASSERT_EQUAL_FATAL(zt_order_wait(cur), 0);
	/* The arrays this test is about are mapped ones. */
	CU_ASSERT_TRUE(cur->zones[0].nnsec * sizeof(uint32_t) > ((size_t)1 << 20));
	zt_spare_stats(&s0);
	for (unsigned v = 1; v <= ROUNDS; v++) {
		size_t n;
		uint8_t **w = changed(v, &n);
		zload_zone_t *nz = big_zone(v);
		zt_patch_in_t in = {
		    .zone = nz, .serial = v + 1, .names = (const uint8_t *const *)w, .nnames = n};
		zt_t *next = NULL;
		int ret;

		CU_ASSERT_PTR_NOT_NULL_FATAL(nz);
		ret = zt_patch(cur, &in, &next, err, sizeof(err));
		if (ret != 0)
			fprintf(stderr, "\nspare patch %u: %d %s\n", v, ret, err);
		CU_ASSERT_EQUAL_FATAL(ret, 0);
		changed_free(w, n);
		zload_free(&z[0]);
		z[0] = nz;
		/* Two back freed: this one and the one before still read. */
		zt_free(&keep[0]);
		keep[0] = keep[1];
		keep[1] = cur;
		cur = next;
		if (v == 2 || v == 4) {
			const char *gone[] = {"extra.test."};
			zt_patch_zones_in_t zin = {
			    .add = &extra, .nadd = v == 2, .remove = gone, .nremove = v == 4};

			next = NULL;
			ret = zt_patch_zones(cur, &zin, &next, err, sizeof(err));
			if (ret != 0)
				fprintf(stderr, "\nspare zones %u: %d %s\n", v, ret, err);
			CU_ASSERT_EQUAL_FATAL(ret, 0);
			zt_free(&keep[0]);
			keep[0] = keep[1];
			keep[1] = cur;
			cur = next;
		}
		ask_round(cur, v, NULL, &diffs);
		if (keep[1] != NULL)
			ask_round(keep[1], v, NULL, &diffs);
	}
	zt_spare_stats(&s1);
	/* The patches took mappings the snapshots freed before them left. */
	CU_ASSERT_TRUE(s1.taken > s0.taken);
	all[0] = z[0];
	all[1] = z[1];
	whole = zt_new(all, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
	zt_free(&keep[0]);
	zt_free(&keep[1]);
	for (unsigned v = 1; v <= ROUNDS; v++)
		ask_round(cur, v, whole, &diffs);
	CU_ASSERT_EQUAL(diffs, 0);
	same_axfr(cur, whole);
	zt_free(&cur);
	zt_free(&whole);
	zload_free(&z[0]);
	zload_free(&z[1]);
	zload_free(&extra);
	zt_denial_budget = budget;
}

/* Whether ORIGIN is the zone ARG names (a zone patched often); never asked of no origin. */
static bool often(void *arg, const char *origin)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(origin);
	return strcasecmp(origin, arg) == 0;
}

/*
 * A whole compile's first patch takes mappings made ahead (zt_seed.c), not fresh ones, as the
 * patches after it take the freed snapshot's: made once, none made again for the same snapshot
 * nor for the patched one (what it replaced gives its own back).
 */
static void test_first_patch_seeded(void)
{
	size_t budget = zt_denial_budget, n;
	zload_zone_t *z[2], *nz;
	zt_t *cur, *next = NULL;
	struct zt_spare_stats s0, s1;
	char err[512];
	uint8_t **w;

	zt_denial_budget = 0;
	z[0] = big_zone(0);
	z[1] = load("other.test.", other_text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z[1]);
	cur = zt_new(z, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
	zt_spare_clear();
	/* Zones patched by an operator only: none made ahead. */
	CU_ASSERT_EQUAL(zt_seed_spares(cur, often, "none"), 0);
	/* The small zone patched often: the index, which its patch copies too. */
	CU_ASSERT_EQUAL(zt_seed_spares(cur, often, "other.test."), 1);
	zt_spare_clear();
	/* The index, the transfer order, the NSEC owners (and a merge's two), keys, prefixes. */
	CU_ASSERT_EQUAL(zt_seed_spares(cur, often, "big.test."), 8);
	CU_ASSERT_EQUAL(zt_seed_spares(cur, often, "big.test."), 0);
	zt_spare_stats(&s0);
	CU_ASSERT_EQUAL(s0.kept, 8);
	w = changed(1, &n);
	nz = big_zone(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nz);
	{
		zt_patch_in_t in = {
		    .zone = nz, .serial = 2, .names = (const uint8_t *const *)w, .nnames = n};

		CU_ASSERT_EQUAL_FATAL(zt_patch(cur, &in, &next, err, sizeof(err)), 0);
	}
	zt_spare_stats(&s1);
	CU_ASSERT_EQUAL(s1.fresh, s0.fresh); /* every mapping the patch took was made ahead */
	CU_ASSERT(s1.taken >= s0.taken + 6);
	CU_ASSERT_EQUAL(zt_seed_spares(next, often, "big.test."), 0);
	/* A zone taken out of the whole compile (its place zeroed, no origin; no patch of a
	 * zone's data recorded): the other's made ahead. */
	{
		const char *gone[] = {"other.test."};
		zt_patch_zones_in_t zin = {.remove = gone, .nremove = 1};
		zt_t *out = NULL;

		CU_ASSERT_EQUAL_FATAL(zt_patch_zones(cur, &zin, &out, err, sizeof(err)), 0);
		CU_ASSERT_PTR_NULL(out->patch);
		zt_spare_clear();
		CU_ASSERT(zt_seed_spares(out, often, "big.test.") > 0);
		CU_ASSERT_EQUAL(zt_seed_spares(out, often, "other.test."), 0);
		zt_free(&out);
	}
	changed_free(w, n);
	zt_free(&cur);
	zt_free(&next);
	zt_spare_clear();
	zload_free(&nz);
	zload_free(&z[0]);
	zload_free(&z[1]);
	zt_denial_budget = budget;
}

void reg_cutest_sparepatch(void)
{
	CU_pSuite s = CU_add_suite("sparepatch", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "patches in a row of a zone on mappings, zones coming and going",
		    test_patches_in_a_row);
	CU_add_test(s, "a whole compile's first patch on mappings made ahead",
		    test_first_patch_seeded);
}
