/* SPDX-License-Identifier: BSD-3-Clause */
/* test_grow.c: CUnit suite for zones/grow.h: the doubling array and its failures */
#include <stdint.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "grow.h"

static void test_doubles_from_first(void)
{
	uint32_t *a = NULL;
	size_t cap = 0;

	CU_ASSERT_TRUE(GROW(a, cap, 0, 8)); /* no room asked: nothing allocated */
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_EQUAL(cap, 0);
	CU_ASSERT_TRUE(GROW(a, cap, 1, 8));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(cap, 8);
	for (uint32_t i = 0; i < 8; i++)
		a[i] = i;
	CU_ASSERT_TRUE(GROW(a, cap, 8, 8)); /* room enough: unchanged */
	CU_ASSERT_EQUAL(cap, 8);
	CU_ASSERT_TRUE(GROW(a, cap, 9, 8));
	CU_ASSERT_EQUAL(cap, 16);
	CU_ASSERT_TRUE(GROW(a, cap, 100, 8)); /* more than double: doubles until it fits */
	CU_ASSERT_EQUAL(cap, 128);
	for (uint32_t i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(a[i], i); /* the elements moved with the array */
	free(a);
}

static void test_overflow_keeps_array(void)
{
	uint64_t *a = NULL;
	size_t cap = 0;
	uint64_t *before;

	CU_ASSERT_TRUE_FATAL(GROW(a, cap, 4, 4));
	a[3] = 42;
	before = a;
	/* Room no size_t can count in octets: refused, and the array and its room stay. */
	CU_ASSERT_FALSE(GROW(a, cap, SIZE_MAX / 4, 4));
	CU_ASSERT_PTR_EQUAL(a, before);
	CU_ASSERT_EQUAL(cap, 4);
	CU_ASSERT_FALSE(GROW(a, cap, SIZE_MAX, 4)); /* no doubling reaches it */
	CU_ASSERT_PTR_EQUAL(a, before);
	CU_ASSERT_EQUAL(cap, 4);
	CU_ASSERT_EQUAL(a[3], 42);
	free(a);
}

void reg_cutest_grow(void)
{
	CU_pSuite s = CU_add_suite("grow", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "doubles from the first room until the need fits", test_doubles_from_first);
	CU_add_test(s, "an impossible size is refused, the array kept", test_overflow_keeps_array);
}
