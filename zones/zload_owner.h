/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_owner.h: owner names in the loader's order (length, then octets without case) */
#ifndef ZLOAD_OWNER_H
#define ZLOAD_OWNER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <ldns/ldns.h>

#include "wire.h"

/*
 * Owner names ordered by length, then octets without case: not canonical order (nothing here
 * needs it), but a total order that groups a name's records, a few times cheaper than
 * ldns_dname_compare on a million records. This on raw wire octets, 8 at a time.
 * Static, not inline (unused: not every includer calls it): GCC then inlines the length test
 * and calls the rest, as when it was local to one file; inlined whole, loading a million
 * records took 1.7% more instructions (callgrind), all of them in the sort and the checks.
 */
static __attribute__((unused)) int owner_octets_cmp(const uint8_t *pa, size_t la, const uint8_t *pb,
						    size_t lb)
{
	size_t i = 0;

	if (la != lb)
		return la < lb ? -1 : 1;
	for (; i + 8 <= la; i += 8) {
		uint64_t x, y;

		memcpy(&x, pa + i, 8);
		memcpy(&y, pb + i, 8);
		if (x == y)
			continue;
		/* lower-cased, then compared as big-endian numbers: octet by octet */
		x = __builtin_bswap64(wire_lower8(x));
		y = __builtin_bswap64(wire_lower8(y));
		if (x != y)
			return x < y ? -1 : 1;
	}
	for (; i < la; i++) {
		uint8_t x = wire_lower(pa[i]), y = wire_lower(pb[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* owner_octets_cmp() of two wire names. */
static inline int owner_cmp(const uint8_t *a, const uint8_t *b)
{
	return owner_octets_cmp(a, wire_name_len(a), b, wire_name_len(b));
}

/* Whether NAME lies strictly below ORIGIN (wire names, any case). */
static inline bool owner_below(const uint8_t *n, const uint8_t *o)
{
	return wire_name_len(n) > wire_name_len(o) && wire_name_is_sub(n, o);
}

/*
 * NAME (wire) in presentation form, malloc'd; NULL without memory. Escaped as
 * wire_name_to_text() escapes (ldns leaves '@', '$' and '"' bare, which a reader takes for the
 * origin, a directive or a string).
 */
static inline char *name_str(const uint8_t *name)
{
	char buf[4 * WIRE_NAME_MAX + 2];

	wire_name_to_text(name, buf, sizeof(buf));
	return strdup(buf);
}

#endif
