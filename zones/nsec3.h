/* SPDX-License-Identifier: BSD-3-Clause */
/* nsec3.h: a zone's NSEC3 chain: hashed names (RFC 5155 5), matching and covering owners */
#ifndef NSEC3_H
#define NSEC3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zt_pvt.h"

/* Octets of a hashed owner label: SHA-1 in base32hex. */
#define NSEC3_LABEL_LEN 32

/*
 * Zone Z's NSEC3 chain, when its apex has an NSEC3PARAM (whose parameters hash names, as
 * Knot's): its owners in hash order, and for each of its names the owner matching the name's
 * hash and the one covering the hash of its wildcard. 0 (nothing to do for other zones) or
 * -ENOMEM.
 */
int nsec3_zone(zt_t *zt, uint32_t z);

/* The hashed owner label of NAME (a wire name, any case) with ZONE's parameters. */
void nsec3_hash_label(const zt_zone_t *zone, const uint8_t *name, uint8_t out[NSEC3_LABEL_LEN]);

/*
 * The NSEC3 owner (a node) of the hash of NAME when there is one; else ZT_NONE, and *COVER
 * (if not NULL) is the owner that covers it (the last one before it, wrapping around).
 */
uint32_t nsec3_lookup(const zt_t *zt, const zt_zone_t *zone, const uint8_t *name, uint32_t *cover);

/* Octets of a hash (SHA-1). */
#define NSEC3_HASH_LEN 20

/* As nsec3_lookup()'s *COVER, for NAME in lower case (LEN octets): what a question costs. */
uint32_t nsec3_cover_lower(const zt_t *zt, const zt_zone_t *zone, const uint8_t *name, size_t len);

/*
 * nsec3_cover_lower() in two steps: the hash of NAME (lower case, LEN octets) into MD, then the
 * owner covering hash MD (ZT_NONE when one matches it). The hash is a chain of dependent rounds
 * (some 45 ns with the SHA extensions, whatever else the CPU does): work the answer path puts
 * between the two steps that does not need the hash runs while the rounds do.
 */
void nsec3_hash_lower(const zt_zone_t *zone, const uint8_t *name, size_t len,
		      uint8_t md[NSEC3_HASH_LEN]);
uint32_t nsec3_cover_md(const zt_t *zt, const zt_zone_t *zone, const uint8_t md[NSEC3_HASH_LEN]);

/* As nsec3_cover_md(), the covering owner's position in the chain (ZONE->nsec3), not its node. */
uint32_t nsec3_cover_pos(const zt_t *zt, const zt_zone_t *zone, const uint8_t md[NSEC3_HASH_LEN]);

/* Whether node N of ZT owns an NSEC3 RRset named by a hash right below the apex (APEX, ALEN). */
bool nsec3_is_owner(const zt_t *zt, uint32_t n, const uint8_t *apex, size_t alen);

/*
 * Node N's facts with ZONE's chain (N3 and its prefixes, whatever its n3 table holds): the
 * owner matching its hash (OUT[0]) and the one covering its wildcard's (OUT[1]), ZT_NONE when
 * none, or when N is in no chain (another zone's, below a cut, an NSEC3 owner's none match).
 */
void nsec3_facts(const zt_t *zt, const zt_zone_t *zone, uint32_t n, uint32_t out[2]);

/*
 * ZONE's buckets (n3bkt, n3bits) made from its owners' prefixes (n3pre): about one owner each,
 * by the first bits of their hashes (the first three digits of their labels hold 15); none
 * when a label does not begin with three base32hex digits. 0 or -ENOMEM.
 */
int nsec3_buckets(zt_t *zt, zt_zone_t *zone);

/* The first 8 octets of LABEL as a number: they order as memcmp orders them. */
static inline uint64_t nsec3_label_prefix(const uint8_t *label)
{
	uint64_t v;

	memcpy(&v, label, 8);
	return __builtin_bswap64(v);
}

/* The NSEC3 owner matching node N's hash, or ZT_NONE. */
static inline uint32_t nsec3_match(const zt_zone_t *zone, uint32_t n)
{
	return n - zone->n3base < zone->n3count ? zone->n3[2 * (n - zone->n3base)] : ZT_NONE;
}

/* The NSEC3 owner covering the hash of the wildcard below node N, or ZT_NONE. */
static inline uint32_t nsec3_wildcard(const zt_zone_t *zone, uint32_t n)
{
	return n - zone->n3base < zone->n3count ? zone->n3[2 * (n - zone->n3base) + 1] : ZT_NONE;
}

#endif
