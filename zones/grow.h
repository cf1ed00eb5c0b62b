/* SPDX-License-Identifier: BSD-3-Clause */
/* grow.h: room for one more element in an array that doubles, the one realloc pattern */
#ifndef GROW_H
#define GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Makes *ARRP (a pointer to an array of ELEM-octet elements with room for *CAP) hold at least
 * NEED: the room doubles, starting from FIRST. On failure returns false and leaves the array and
 * *CAP as they were (the caller still owns and frees it). ARRP is the address of any object
 * pointer (read and written with memcpy, so its type does not matter); GROW() passes it.
 */
static inline bool grow_room(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t n = *cap != 0 ? *cap : (first != 0 ? first : 1);
	void *p, *g;

	if (need <= *cap)
		return true;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return false;
		n *= 2;
	}
	if (n > SIZE_MAX / elem)
		return false;
	memcpy(&p, arrp, sizeof(p));
	g = realloc(p, n * elem);
	if (g == NULL)
		return false;
	memcpy(arrp, &g, sizeof(g));
	*cap = n;
	return true;
}

/* grow_room() for the array ARR (an lvalue pointer) and its room CAP (a size_t lvalue). */
#define GROW(arr, cap, need, first) grow_room(&(arr), &(cap), (need), sizeof(*(arr)), (first))

#endif
