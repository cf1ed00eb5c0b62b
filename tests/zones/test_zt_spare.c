/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zt_spare.c: CUnit suite for zones/zt_spare.c: freed arrays' mappings kept and taken again */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <CUnit/CUnit.h>
#include <sanitizer/asan_interface.h>

#include "cutest.h"
#include "zt_spare.h"

#define MIB ((size_t)1 << 20)

/* Below 1 MiB on the heap: nothing kept, nothing mapped. */
static void test_small_on_heap(void)
{
	struct zt_spare_stats a, b;
	uint8_t *p;

	zt_spare_stats(&a);
	p = zt_big_alloc(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, 0xab, 1000);
	zt_big_free(p);
	zt_big_free(NULL);
	zt_spare_stats(&b);
	CU_ASSERT_EQUAL(b.kept, a.kept);
	CU_ASSERT_EQUAL(b.fresh, a.fresh);
	CU_ASSERT_EQUAL(b.taken, a.taken);
}

/* A freed array's mapping is kept and the next array of its size takes it, pages and all. */
static void test_freed_taken_again(void)
{
	struct zt_spare_stats a, b, c;
	uint8_t *p, *q;

	zt_spare_clear();
	zt_spare_stats(&a);
	CU_ASSERT_EQUAL(a.kept, 0);
	CU_ASSERT_EQUAL(a.kept_bytes, 0);
	p = zt_big_alloc(3 * MIB);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL((uintptr_t)p % 64, 0);
	memset(p, 1, 3 * MIB);
	zt_big_free(p);
	zt_spare_stats(&b);
	CU_ASSERT(b.kept >= 1);
	CU_ASSERT(b.kept_bytes >= 4 * MIB);
	q = zt_big_alloc(3 * MIB - 100);
	CU_ASSERT_PTR_EQUAL(q, p);
	zt_spare_stats(&c);
	CU_ASSERT_EQUAL(c.taken, b.taken + 1);
	CU_ASSERT_EQUAL(c.kept, b.kept - 1);
	memset(q, 2, 3 * MIB - 100); /* whole and writable */
	CU_ASSERT_EQUAL(q[3 * MIB - 101], 2);
#ifdef __SANITIZE_ADDRESS__
	/* Past its end and, once freed, all of it: what AddressSanitizer reports. */
	CU_ASSERT_FALSE(__asan_address_is_poisoned(q + 3 * MIB - 101));
	CU_ASSERT_TRUE(__asan_address_is_poisoned(q + 3 * MIB - 100));
	zt_big_free(q);
	CU_ASSERT_TRUE(__asan_address_is_poisoned(q));
	CU_ASSERT_TRUE(__asan_address_is_poisoned(q + MIB));
#else
	zt_big_free(q);
#endif
}

/* A kept mapping much larger than asked for, or smaller, is left for another. */
static void test_fit(void)
{
	struct zt_spare_stats a, b;
	uint8_t *big, *small, *larger;

	zt_spare_clear(); /* none left by the suites before */
	big = zt_big_alloc(12 * MIB);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	zt_big_free(big);
	zt_spare_stats(&a);
	small = zt_big_alloc(2 * MIB); /* 12 MiB for 2: too much waste */
	larger = zt_big_alloc(40 * MIB);
	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	CU_ASSERT_PTR_NOT_NULL_FATAL(larger);
	CU_ASSERT_PTR_NOT_EQUAL(small, big);
	CU_ASSERT_PTR_NOT_EQUAL(larger, big);
	zt_spare_stats(&b);
	CU_ASSERT_EQUAL(b.fresh, a.fresh + 2);
	CU_ASSERT_EQUAL(b.taken, a.taken);
	zt_big_free(small);
	zt_big_free(larger);
	/* 11 MiB takes the 12 MiB one back (a quarter more and 2 MiB allowed). */
	small = zt_big_alloc(11 * MIB);
	CU_ASSERT_PTR_EQUAL(small, big);
	zt_big_free(small);
}

/* An index (on huge pages) never takes an array's mapping on small pages; an array takes either,
 * one on small pages first. */
static void test_index_huge_only(void)
{
	uint8_t *p, *q;
	void *m;
	size_t got = 0;
	bool huge = true;

	zt_spare_clear();
	p = zt_big_alloc(3 * MIB);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	zt_big_free(p);
	CU_ASSERT_PTR_NULL(zt_spare_take(4 * MIB, true, &got, &huge));
	m = zt_spare_take(4 * MIB, false, &got, &huge);
	CU_ASSERT_PTR_EQUAL(m, p - 64);
	CU_ASSERT_EQUAL(got, 4 * MIB);
	CU_ASSERT_FALSE(huge);
	zt_spare_put(m, got, huge);
	/* A huge one kept, an array takes it and gives it back as huge. */
	m = zt_spare_map(4 * MIB, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	zt_spare_put(m, 4 * MIB, true);
	CU_ASSERT_PTR_EQUAL(zt_spare_take(4 * MIB, true, &got, &huge), m);
	CU_ASSERT_TRUE(huge);
	zt_spare_put(m, got, huge);
	/* Of the two fitting, the one on small pages: the huge one stays for an index. */
	q = zt_big_alloc(3 * MIB + 100);
	CU_ASSERT_PTR_EQUAL(q, p);
	/* With none on small pages left, the huge one, given back as huge. */
	p = zt_big_alloc(3 * MIB + 100);
	CU_ASSERT_PTR_EQUAL(p, (uint8_t *)m + 64);
	zt_big_free(p);
	zt_big_free(q);
	CU_ASSERT_PTR_EQUAL(zt_spare_take(4 * MIB, true, &got, &huge), m);
	zt_spare_put(m, got, huge);
	zt_spare_clear();
}

/* At most ZT_SPARES mappings and ZT_SPARE_BYTES are kept, the oldest unmapped first. */
static void test_bounded(void)
{
	struct zt_spare_stats s;
	void *m[ZT_SPARES + 3], *huge;

	zt_spare_clear();
	for (size_t i = 0; i < ZT_SPARES + 3; i++) {
		m[i] = zt_spare_map(2 * MIB, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
	}
	for (size_t i = 0; i < ZT_SPARES + 3; i++)
		zt_spare_put(m[i], 2 * MIB, true);
	zt_spare_stats(&s);
	CU_ASSERT_EQUAL(s.kept, ZT_SPARES);
	CU_ASSERT_EQUAL(s.kept_bytes, ZT_SPARES * 2 * MIB);
	/* The first three were unmapped: their addresses are no mapping of ours any more. */
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(msync(m[i], 4096, MS_ASYNC), -1);
	CU_ASSERT_EQUAL(msync(m[ZT_SPARES + 2], 4096, MS_ASYNC), 0);
	/* More than the bytes allowed: unmapped at once. */
	huge = zt_spare_map(ZT_SPARE_BYTES + 2 * MIB, MAP_NORESERVE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	zt_spare_put(huge, ZT_SPARE_BYTES + 2 * MIB, true);
	zt_spare_stats(&s);
	CU_ASSERT_EQUAL(s.kept, ZT_SPARES);
	CU_ASSERT(s.kept_bytes <= ZT_SPARE_BYTES);
	/* Filling the bytes: the oldest go until the new one fits. */
	huge = zt_spare_map(ZT_SPARE_BYTES - 4 * MIB, MAP_NORESERVE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	zt_spare_put(huge, ZT_SPARE_BYTES - 4 * MIB, true);
	zt_spare_stats(&s);
	CU_ASSERT_EQUAL(s.kept, 3);
	CU_ASSERT_EQUAL(s.kept_bytes, ZT_SPARE_BYTES);
	CU_ASSERT_EQUAL(msync(m[ZT_SPARES + 2], 4096, MS_ASYNC), 0); /* the newest stay */
	CU_ASSERT_EQUAL(msync(m[ZT_SPARES], 4096, MS_ASYNC), -1);
	zt_spare_clear();
	zt_spare_stats(&s);
	CU_ASSERT_EQUAL(s.kept, 0);
	CU_ASSERT_EQUAL(s.kept_bytes, 0);
	CU_ASSERT_EQUAL(msync(m[ZT_SPARES + 2], 4096, MS_ASYNC), -1);
}

/* Mappings made ahead: faulted in, kept, taken by an array and by an index; made once; within
 * the pool's bounds, nothing kept dropped for them. */
static void test_seeded(void)
{
	const size_t len[] = {4 * MIB, 4 * MIB};
	const bool huge[] = {false, true};
	size_t many[ZT_SPARES + 4];
	bool small[ZT_SPARES + 4];
	struct zt_spare_stats a, b;
	size_t got;
	bool h;
	uint8_t *p, *q;

	zt_spare_clear();
	zt_spare_stats(&a);
	CU_ASSERT_EQUAL(zt_spare_seed(len, huge, 2), 2);
	CU_ASSERT_EQUAL(zt_spare_seed(len, huge, 2), 0); /* kept ones fit */
	zt_spare_stats(&b);
	CU_ASSERT_EQUAL(b.kept, 2);
	CU_ASSERT_EQUAL(b.seeded, a.seeded + 2);
	p = zt_big_alloc(3 * MIB);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, 3, 3 * MIB);
	q = zt_spare_take(4 * MIB, true, &got, &h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_TRUE(h);
	CU_ASSERT_EQUAL(got, 4 * MIB);
	CU_ASSERT_EQUAL((uintptr_t)q % (2 * MIB), 0);
	q[0] = 1;
	zt_spare_stats(&a);
	CU_ASSERT_EQUAL(a.fresh, b.fresh);
	CU_ASSERT_EQUAL(a.taken, b.taken + 2);
	zt_spare_put(q, got, true);
	zt_big_free(p);
	/* More than the pool holds: as many as it has room for, the two kept stay. */
	for (size_t i = 0; i < ZT_SPARES + 4; i++) {
		many[i] = 2 * MIB;
		small[i] = false;
	}
	zt_spare_stats(&a);
	CU_ASSERT_EQUAL(zt_spare_seed(many, small, ZT_SPARES + 4), ZT_SPARES - a.kept);
	zt_spare_stats(&b);
	CU_ASSERT_EQUAL(b.kept, ZT_SPARES);
	CU_ASSERT_EQUAL(zt_spare_take(4 * MIB, true, &got, &h) != NULL, true);
	zt_spare_put(zt_spare_map(4 * MIB, 0), 4 * MIB, true);
	zt_spare_clear();
}

void reg_cutest_zt_spare(void)
{
	CU_pSuite s = CU_add_suite("zt_spare", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "arrays below 1 MiB on the heap", test_small_on_heap);
	CU_add_test(s, "a freed array's mapping taken again", test_freed_taken_again);
	CU_add_test(s, "kept mappings taken only when they fit", test_fit);
	CU_add_test(s, "an index takes only mappings on huge pages", test_index_huge_only);
	CU_add_test(s, "kept mappings bounded in number and bytes", test_bounded);
	CU_add_test(s, "mappings made ahead: taken, made once, bounded", test_seeded);
}
