/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_mem.h: the snapshot's memory: its big arrays on the heap or on huge pages, faulted in early */
#ifndef ZT_MEM_H
#define ZT_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zt_pvt.h"

/* From this size on an array has a mapping of its own, advised for 2 MiB pages. */
#define ZT_MEM_HUGE ((size_t)2 << 20)

/* A stretch of a big array being faulted in ahead of the build (a thread of its own). */
struct zt_prefault {
	pthread_t tid;
	bool live;
	void *addr;
	size_t len;
};

/* The big arrays of a snapshot being built: what each can hold, what is being faulted in. */
typedef struct zt_mem {
	zt_t *zt;
	size_t cap[ZT_ARR_COUNT]; /* bytes allocated for each (enum zt_array) */
	struct zt_prefault pf[ZT_ARR_COUNT];
} zt_mem_t;

/*
 * Makes room for NEED bytes in big array A of the snapshot being built (zt_mem_grow() when it
 * may have room already). 0 or -ENOMEM. The array may move.
 */
int zt_mem_grow_slow(zt_mem_t *m, enum zt_array a, size_t need);

static inline int zt_mem_grow(zt_mem_t *m, enum zt_array a, size_t need)
{
	return need <= m->cap[a] ? 0 : zt_mem_grow_slow(m, a, need);
}

/*
 * Appends LEN bytes (aligned to ALIGN) to the arena: a copy of DATA, or zeros when DATA is
 * NULL. Returns the offset, or ZT_NONE without memory or past 4 GiB.
 */
uint32_t zt_mem_arena_put(zt_mem_t *m, const void *data, size_t len, size_t align);

/*
 * Replaces big array A (never grown: the index) by LEN bytes of fresh, uninitialised memory
 * (NULL in the array without memory); the old contents are freed. 0 or -ENOMEM.
 */
int zt_mem_fresh(zt_t *zt, enum zt_array a, size_t len);

/* Waits for every prefault thread: before the build ends or fails. */
void zt_mem_join(zt_mem_t *m);

/* Gives back what the arrays of a finished snapshot reserved for growth (whole huge pages). */
void zt_mem_settle(zt_t *zt);

/* Frees the snapshot's big arrays. */
void zt_mem_free(zt_t *zt);

#endif
