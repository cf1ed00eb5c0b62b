/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_spare.h: mappings for a snapshot's big arrays, those no snapshot reads any more kept */
#ifndef ZT_SPARE_H
#define ZT_SPARE_H

#include <stdbool.h>
#include <stddef.h>

/* Mappings kept at most, and their bytes at most (zt_spare.c says why). */
#define ZT_SPARES 16
#define ZT_SPARE_BYTES ((size_t)512 << 20)

/*
 * An anonymous mapping of LEN bytes (a multiple of 2 MiB) on a 2 MiB boundary, advised for huge
 * pages; FLAGS are more mmap() flags (MAP_NORESERVE). NULL without memory.
 */
void *zt_spare_map(size_t len, int flags);

/* Mapping P of LEN bytes (from zt_spare_map() or zt_spare_take()), read by no one any more:
 * kept for the next one that fits it, or unmapped. HUGE: from zt_spare_map(), 2 MiB aligned and
 * advised for huge pages. */
void zt_spare_put(void *p, size_t len, bool huge);

/* A kept mapping of at least LEN bytes and not much more, its length in *GOT and whether it is
 * on huge pages in *HUGE (then no longer kept); NULL when none fits. HUGE_ONLY: only one from
 * zt_spare_map(). Its contents are whatever they were: the taker writes them. */
void *zt_spare_take(size_t len, bool huge_only, size_t *got, bool *huge);

/*
 * LEN bytes for one of a zone's arrays that a patch makes again whole (its transfer order, its
 * NSEC owners and their keys): from 1 MiB on a mapping, a kept one if one fits; below on the
 * heap. Not zeroed. NULL without memory. Only zt_big_free() frees it.
 */
void *zt_big_alloc(size_t len);
void zt_big_free(void *p);

/* The mapping's length of an array from zt_big_alloc() (with its header); 0 on the heap. */
size_t zt_big_mapping(const void *p);

/* The length of the mapping zt_big_alloc(LEN) makes when none is kept; 0: on the heap. */
size_t zt_big_map_len(size_t len);

/*
 * Mappings of the N lengths LEN (HUGE: from zt_spare_map(), else small pages) made now, their
 * pages faulted in, and kept: those the pool holds already (one that fits each) and those past
 * its bounds are not made (nothing kept is dropped for them). How many were made.
 */
size_t zt_spare_seed(const size_t *len, const bool *huge, size_t n);

/* Every kept mapping unmapped. */
void zt_spare_clear(void);

/* What is kept now, and how many mappings were taken from the kept ones and made fresh. */
struct zt_spare_stats {
	size_t kept;
	size_t kept_bytes;
	unsigned long taken;
	unsigned long fresh;
	unsigned long seeded;
};
void zt_spare_stats(struct zt_spare_stats *s);

#endif
