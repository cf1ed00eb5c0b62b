/* SPDX-License-Identifier: BSD-3-Clause */
/* test_burst.c: CUnit suite for bursts read ahead (zones/burst.h): the same answers as alone */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "burst.h"
#include "cfg.h"
#include "ctl.h"
#include "cutest.h"
#include "dgram.h"
#include "sandns_err.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"

#ifndef SANDNS_SOURCE_ROOT
#define SANDNS_SOURCE_ROOT "."
#endif

#define QMAX 320     /* queries a set holds */
#define QLEN_MAX 300 /* a question of at most 255 octets, header and OPT */
#define BIG_RECORDS 1000000

/* A set of queries, each as it is sent. */
struct qset {
	size_t n;
	uint16_t len[QMAX];
	uint8_t buf[QMAX][QLEN_MAX];
	bool plain[QMAX];  /* what zt_burst_prepare() must find a plain query */
	bool exists[QMAX]; /* and its name in the index (its slot's node read) */
};

static const zt_t *sample_zt;
static zt_t *big_zt;
static ctl_build_t sample_build;
static cfg_t *sample_cfg;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* Appends an OPT (EDNS version 0, no options) with PAYLOAD and the DO bit when DO. */
static size_t add_opt(uint8_t *buf, size_t len, uint16_t payload, bool dobit)
{
	buf[len] = 0;
	wire_put16(buf + len + 1, T_OPT);
	wire_put16(buf + len + 3, payload);
	buf[len + 5] = 0;
	buf[len + 6] = 0;
	wire_put16(buf + len + 7, dobit ? 0x8000 : 0);
	wire_put16(buf + len + 9, 0);
	wire_put16(buf + 10, 1);
	return len + 11;
}

/* NAME's letters in random case (0x20), as resolvers send them. */
static void mix_case(char *name)
{
	for (char *c = name; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z' && (rnd() & 1))
			*c = (char)(*c - 'a' + 'A');
}

/* One query for NAME and TYPE into S, with EDNS or not, DO or not. */
static void add_query(struct qset *s, const char *name, uint16_t type, int edns, bool plain,
		      bool exists)
{
	char n[300];
	size_t len;

	if (s->n == QMAX)
		return;
	snprintf(n, sizeof(n), "%s", name);
	mix_case(n);
	len = tu_query(s->buf[s->n], (uint16_t)rnd(), F_RD, n, type, C_IN);
	if (edns > 0)
		len = add_opt(s->buf[s->n], len, 1232, edns == 2);
	s->len[s->n] = (uint16_t)len;
	s->plain[s->n] = plain;
	s->exists[s->n] = exists;
	s->n++;
}

/* The kinds of sandns-bench's standard mix over a domain, '%' a random label. */
struct kind {
	const char *name;
	uint16_t type;
	bool exists; /* the name itself is a node (not a wildcard's or NXDOMAIN's) */
};

/* Each kind asked COUNT times (random names, case and EDNS), then queries off the fast path. */
static void make_set(struct qset *s, const struct kind *kinds, size_t nkinds, unsigned long hosts,
		     size_t count, const char *origin)
{
	char name[300];

	s->n = 0;
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < nkinds; k++) {
			const char *pct = strchr(kinds[k].name, '%');

			if (pct == NULL)
				snprintf(name, sizeof(name), "%s", kinds[k].name);
			else if (hosts > 0 && kinds[k].exists)
				snprintf(name, sizeof(name), "%.*s%07lu%s",
					 (int)(pct - kinds[k].name), kinds[k].name,
					 (unsigned long)rnd() % hosts, pct + 1);
			else
				snprintf(name, sizeof(name), "%.*sq%08x%s",
					 (int)(pct - kinds[k].name), kinds[k].name, rnd(), pct + 1);
			add_query(s, name, kinds[k].type, (int)(i % 3), true, kinds[k].exists);
		}
	}
	/* Off the fast path: ANY, a CHAOS TXT, out of every zone, a NOTIFY, two questions, a
	 * response, a short one, EDNS version 1, an NSID option. */
	snprintf(name, sizeof(name), "%s", origin);
	add_query(s, name, T_ANY, 0, false, false);
	add_query(s, "version.bind", T_TXT, 0, false, false);
	wire_put16(s->buf[s->n - 1] + s->len[s->n - 1] - 2, C_CH);
	add_query(s, "www.nowhere.invalid", T_A, 1, true, false);
	add_query(s, name, T_SOA, 0, false, false);
	wire_put16(s->buf[s->n - 1] + 2, 4 << 11);
	add_query(s, name, T_MX, 0, false, false);
	wire_put16(s->buf[s->n - 1] + 4, 2);
	add_query(s, name, T_MX, 0, false, false);
	wire_put16(s->buf[s->n - 1] + 2, F_QR);
	add_query(s, name, T_MX, 0, false, false);
	s->len[s->n - 1] = 15;
	add_query(s, name, T_MX, 1, false, false);
	s->buf[s->n - 1][s->len[s->n - 1] - 5] = 1;
	add_query(s, name, T_MX, 0, false, false);
	{
		/* An OPT with NSID (RFC 5001), empty. */
		uint8_t *q = s->buf[s->n - 1];
		size_t len = add_opt(q, s->len[s->n - 1], 1232, false);

		wire_put16(q + len - 2, 4);
		wire_put16(q + len, 3);
		wire_put16(q + len + 2, 0);
		s->len[s->n - 1] = (uint16_t)(len + 4);
	}
}

/*
 * The queries of S from FIRST, N of them, answered as one burst (B, read ahead by
 * zt_burst_prepare() as the workers read theirs) and each alone (zt_answer_inplace()): the same
 * length, octets and info, query by query; through dgram_answer_burst() and
 * dgram_answer_plain() the same counts. READ: the burst must have been read ahead.
 */
static void check_burst(const zt_t *zt, zt_burst_t *b, const struct qset *s, size_t first,
			unsigned n, bool read)
{
	static uint8_t alone[ZT_BURST_MAX][2048], burst[ZT_BURST_MAX][2048];
	static uint64_t st1[DGRAM_STAT_COUNT], st2[DGRAM_STAT_COUNT], d1[DGRAM_DETAIL],
	    d2[DGRAM_DETAIL];
	const dgram_ctx_t dg1 = {.stats = st1, .detail = d1}, dg2 = {.stats = st2, .detail = d2};
	const zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	static const uint8_t client[4] = {192, 0, 2, 1};
	const uint8_t *bufs[ZT_BURST_MAX] = {NULL};
	uint16_t lens[ZT_BURST_MAX] = {0};
	unsigned exist = 0, found = 0;

	for (unsigned i = 0; i < n; i++) {
		bufs[i] = burst[i];
		lens[i] = s->len[first + i];
		memcpy(burst[i], s->buf[first + i], lens[i]);
	}
	zt_burst_prepare(b, zt, bufs, lens, n);
	CU_ASSERT_EQUAL(b->n, read ? n : 0);
	for (unsigned i = 0; i < n; i++) {
		zt_answer_info_t i1, i2;
		size_t l1, l2;

		if (read) {
			CU_ASSERT_EQUAL(b->plain[i], s->plain[first + i]);
			exist += s->exists[first + i];
			found += s->exists[first + i] && b->node[i] != UINT32_MAX;
		}
		memcpy(alone[i], s->buf[first + i], lens[i]);
		l1 = zt_answer_inplace(zt, alone[i], lens[i], sizeof(alone[i]), &ctx, &i1);
		l2 = zt_burst_answer(b, i, zt, burst[i], lens[i], sizeof(burst[i]), &ctx, &i2);
		CU_ASSERT_EQUAL(l1, l2);
		CU_ASSERT_TRUE(l1 == l2 && memcmp(alone[i], burst[i], l1) == 0);
		CU_ASSERT_EQUAL(memcmp(&i1, &i2, sizeof(i1)), 0);
		if (l1 != l2 || memcmp(alone[i], burst[i], l1) != 0) {
			fprintf(stderr, "burst: query %zu answered differently in a burst\n",
				first + i);
			break;
		}
	}
	/* The names there had their nodes found, but for a rare probe longer than the look ahead.
	 */
	CU_ASSERT_TRUE(found * 10 >= exist * 9);
	/* Again through the UDP layer, which counts: the same counts. */
	memset(st1, 0, sizeof(st1));
	memset(st2, 0, sizeof(st2));
	memset(d1, 0, sizeof(d1));
	memset(d2, 0, sizeof(d2));
	for (unsigned i = 0; i < n; i++)
		memcpy(burst[i], s->buf[first + i], lens[i]);
	zt_burst_prepare(b, zt, bufs, lens, n);
	for (unsigned i = 0; i < n; i++) {
		zt_answer_info_t i1, i2;
		uint8_t a1 = RRL_SEND, a2 = RRL_SEND;
		size_t l1, l2;

		memcpy(alone[i], s->buf[first + i], lens[i]);
		l1 = dgram_answer_plain(&dg1, zt, alone[i], lens[i], sizeof(alone[i]), client, 4,
					&i1, &a1);
		l2 = dgram_answer_burst(&dg2, zt, b, i, burst[i], lens[i], sizeof(burst[i]), client,
					4, &i2, &a2);
		CU_ASSERT_TRUE(l1 == l2 && memcmp(alone[i], burst[i], l1) == 0);
	}
	CU_ASSERT_EQUAL(memcmp(st1, st2, sizeof(st1)), 0);
	CU_ASSERT_EQUAL(memcmp(d1, d2, sizeof(d1)), 0);
}

/* Every query of S answered in bursts of SIZE (the last one shorter), read ahead or not. */
static void check_set(const zt_t *zt, zt_burst_t *b, const struct qset *s, unsigned size, bool read)
{
	for (size_t first = 0; first < s->n; first += size)
		check_burst(zt, b, s, first, s->n - first < size ? (unsigned)(s->n - first) : size,
			    read);
}

static const struct kind sample_kinds[] = {
    {"mail.example.com", T_A, true}, {"_autodiscover._tcp.example.com", T_SRV, true},
    {"example.com", T_MX, true},     {"example.com", T_SOA, true},
    {"example.com", T_NS, true},     {"%.example.net", T_A, false},
    {"%.example.com", T_A, false},   {"autodiscover.example.com", T_A, true},
};

static const struct kind big_kinds[] = {
    {"h%.example.com", T_A, true},   {"_autodiscover._tcp.example.com", T_SRV, false},
    {"example.com", T_MX, true},     {"example.com", T_SOA, true},
    {"example.com", T_NS, true},     {"%.users.example.com", T_A, false},
    {"nx%.example.com", T_A, false}, {"autodiscover.example.com", T_A, true},
};

static int suite_init(void)
{
	/* The sample zones as sandns-bench builds them: the policy applied with the sample
	 * certificate (the SRV published, the autodiscover A withheld). */
	static const char conf[] =
	    "zone example.com. " SANDNS_SOURCE_ROOT "/zones/sample/example.com.zone\n"
	    "zone example.net. " SANDNS_SOURCE_ROOT "/zones/sample/example.net.zone\n"
	    "cert " SANDNS_SOURCE_ROOT "/zones/sample/mail.example.com.pem\n";
	zload_zone_t *z[1] = {NULL};
	char err[2048];
	size_t cap = (size_t)BIG_RECORDS * 40 + 4096, o = 0;
	char *text;

	sample_cfg = cfg_new();
	if (sample_cfg == NULL ||
	    cfg_load_string(sample_cfg, conf, "burst", NULL, err, sizeof(err)) != 0 ||
	    cfg_check(sample_cfg, err, sizeof(err)) != 0 ||
	    ctl_build(sample_cfg, NULL, NULL, &sample_build, err, sizeof(err)) != SANDNS_EOK) {
		fprintf(stderr, "burst: %s\n", err);
		return -1;
	}
	sample_zt = sample_build.zt;
	/* sandns-bench's generated mail domain (--records 1000000). */
	text = malloc(cap);
	if (text == NULL)
		return -1;
	o += (size_t)snprintf(text + o, cap - o,
			      "$ORIGIN example.com.\n$TTL 3600\n"
			      "@ IN SOA ns1 hostmaster 2026112601 7200 3600 1209600 300\n"
			      "@ IN NS ns1\n@ IN NS ns2\n@ IN MX 10 mail\n@ IN A 198.18.4.10\n"
			      "ns1 IN A 198.18.4.53\nns2 IN A 198.18.5.53\n"
			      "mail IN A 198.18.4.25\nmail IN AAAA 2001:db8:4::25\n"
			      "autodiscover IN A 198.18.4.25\n"
			      "autodiscover IN AAAA 2001:db8:4::25\n*.users IN A 198.18.4.80\n");
	for (unsigned long h = 0; h < BIG_RECORDS - 12; h++)
		o += (size_t)snprintf(text + o, cap - o, "h%07lu IN A 10.%lu.%lu.%lu\n", h,
				      (h >> 16) & 255, (h >> 8) & 255, h & 255);
	z[0] = zload_string("example.com.", text, "big.zone", NULL, NULL, err, sizeof(err));
	free(text);
	if (z[0] == NULL)
		return -1;
	big_zt = zt_new(z, 1, NULL, err, sizeof(err));
	zload_free(&z[0]);
	return big_zt != NULL ? 0 : -1;
}

static int suite_cleanup(void)
{
	ctl_build_clear(&sample_build);
	cfg_free(&sample_cfg);
	zt_free(&big_zt);
	return 0;
}

/* The sample zones: read ahead (no minimum) in bursts of 32, 7 and 1; by default not read. */
static void test_sample(void)
{
	static struct qset s;
	zt_burst_t b;

	zt_burst_init(&b);
	make_set(&s, sample_kinds, sizeof(sample_kinds) / sizeof(sample_kinds[0]), 0, 24,
		 "example.com");
	check_set(sample_zt, &b, &s, ZT_BURST_MAX, false);
	b.min_nodes = 0;
	check_set(sample_zt, &b, &s, ZT_BURST_MAX, true);
	check_set(sample_zt, &b, &s, 7, true);
	check_set(sample_zt, &b, &s, 1, true);
}

/* The 1,000,000-record domain: read ahead by default, random hosts as the bench asks them. */
static void test_big(void)
{
	static struct qset s;
	zt_burst_t b;

	zt_burst_init(&b);
	make_set(&s, big_kinds, sizeof(big_kinds) / sizeof(big_kinds[0]), BIG_RECORDS - 12, 36,
		 "example.com");
	check_set(big_zt, &b, &s, ZT_BURST_MAX, true);
	check_set(big_zt, &b, &s, 5, true);
}

/* A query answered as another's place in the burst, or from another snapshot: read again. */
static void test_mismatch(void)
{
	static struct qset s;
	static uint8_t q[2][2048], ref[2048];
	const zt_answer_ctx_t ctx = {.transport = ZT_UDP};
	const uint8_t *bufs[2] = {q[0], q[1]};
	uint16_t lens[2];
	zt_answer_info_t i1, i2;
	zt_burst_t b;
	size_t l1, l2;

	zt_burst_init(&b);
	make_set(&s, big_kinds, 1, BIG_RECORDS - 12, 2, "example.com");
	CU_ASSERT_EQUAL_FATAL(s.n, 2 + 9);
	for (int i = 0; i < 2; i++) {
		lens[i] = s.len[i];
		memcpy(q[i], s.buf[i], lens[i]);
	}
	zt_burst_prepare(&b, big_zt, bufs, lens, 2);
	CU_ASSERT_EQUAL(b.n, 2);
	/* Query 1's buffer asked as query 0: its own answer, not query 0's. */
	memcpy(ref, s.buf[1], lens[1]);
	l1 = zt_answer_inplace(big_zt, ref, lens[1], sizeof(ref), &ctx, &i1);
	l2 = zt_burst_answer(&b, 0, big_zt, q[1], lens[1], sizeof(q[1]), &ctx, &i2);
	CU_ASSERT_TRUE(l1 > 0 && l1 == l2 && memcmp(ref, q[1], l1) == 0);
	/* Past the burst's end, and from another snapshot: read again, the right answers. */
	memcpy(q[1], s.buf[1], lens[1]);
	l2 = zt_burst_answer(&b, 5, big_zt, q[1], lens[1], sizeof(q[1]), &ctx, &i2);
	CU_ASSERT_TRUE(l1 == l2 && memcmp(ref, q[1], l1) == 0);
	memcpy(ref, s.buf[0], lens[0]);
	l1 = zt_answer_inplace(sample_zt, ref, lens[0], sizeof(ref), &ctx, &i1);
	l2 = zt_burst_answer(&b, 0, sample_zt, q[0], lens[0], sizeof(q[0]), &ctx, &i2);
	CU_ASSERT_TRUE(l1 > 0 && l1 == l2 && memcmp(ref, q[0], l1) == 0);
	CU_ASSERT_EQUAL(i1.rcode, RC_NXDOMAIN); /* no such host in the sample zones */
	/* No snapshot: nothing read. */
	zt_burst_prepare(&b, NULL, bufs, lens, 2);
	CU_ASSERT_EQUAL(b.n, 0);
}

void reg_cutest_burst(void)
{
	CU_pSuite s = CU_add_suite("burst", suite_init, suite_cleanup);

	if (s == NULL)
		return;
	CU_add_test(s, "sample zones: bursts answered as alone", test_sample);
	CU_add_test(s, "1,000,000 records: bursts answered as alone", test_big);
	CU_add_test(s, "a query not the burst's: read again", test_mismatch);
}
