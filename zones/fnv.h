/* SPDX-License-Identifier: BSD-3-Clause */
/* fnv.h: FNV-1a (64 bits), the one digest for change detection, journal sums and stable labels */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

/* The offset basis: where every digest starts. */
#define FNV_START 0xcbf29ce484222325ull

/* H with the octet C taken in. */
static inline uint64_t fnv_byte(uint64_t h, uint8_t c)
{
	return (h ^ c) * 0x100000001b3ull;
}

/* H with the LEN octets at P taken in. */
static inline uint64_t fnv_bytes(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, b[i]);
	return h;
}

#endif
