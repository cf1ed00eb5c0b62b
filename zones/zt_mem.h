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

/* How far a mapped array is faulted in ahead of the build, at most (zt_mem.c). */
#define ZT_MEM_AHEAD ((size_t)32 << 20)

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
	size_t cap[ZT_ARR_COUNT];   /* bytes each may take before zt_mem_grow_slow() (enum
				     * zt_array): allocated, or within its mapping, faulted in */
	size_t ahead[ZT_ARR_COUNT]; /* a mapped array: faulted in (or being) up to here */
	struct zt_prefault pf[ZT_ARR_COUNT];
	bool fixed;  /* a patch: the arrays are a store's and cannot move; no room is a failure */
	bool failed; /* a patch ran out of room (something may have gone live for it) */
} zt_mem_t;

/* The big arrays a store shares: arena, nodes, rrsets, ans (not the index). */
#define ZT_STORE_ARRAYS ZT_ARR_INDEX

/*
 * The big arrays of a compiled snapshot, shared by every snapshot patched from it (zt_patch.h).
 * Each is one mapping with room reserved past what the compile used (untouched pages cost
 * nothing); a patch appends at TIP and nothing ever writes below it again, so that the
 * snapshots reading it, each within its own lengths, see it never change.
 */
typedef struct zt_store {
	unsigned long refs; /* snapshots using it (atomic) */
	void *base[ZT_STORE_ARRAYS];
	size_t map[ZT_STORE_ARRAYS]; /* mapping lengths */
	size_t tip[ZT_STORE_ARRAYS]; /* bytes written so far: a patch appends here */
	size_t compiled;	     /* bytes the compile wrote, all arrays together */
	size_t dropped;		     /* bytes of zones patches took out (zt_patch_zones()) */
	size_t added;		     /* bytes of zones patches compiled in (zt_patch_zones()) */
	uint32_t nodes_compiled;     /* nodes the compile made: the patches' come after */
	pthread_mutex_t lock;	     /* one patch at a time */
	void *deps;		     /* the patches' dependency map (zt_patch_deps.c), or NULL */
	void (*deps_free)(void *deps);
} zt_store_t;

/*
 * Whether the patches of store ST appended more than a quarter of what the compile wrote (and
 * 1 MiB), the zones they compiled in aside, or left so much behind (those copies and the zones
 * taken out or replaced) that it is more than what the store holds live (an eighth of what it
 * held more): answers and zones replaced since are garbage that only a whole compile gives back,
 * so the next change is compiled whole rather than patched. Under ST's lock.
 */
bool zt_mem_store_worn(const zt_store_t *st);

/* The same with MORE bytes of garbage to come (a zone about to be taken out or replaced), and
 * those taken out before (ST->dropped) counted. */
bool zt_mem_store_worn_by(const zt_store_t *st, size_t more);

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

/*
 * Gives back what the arrays of a finished snapshot reserved for growth (whole huge pages), then
 * makes its store (zt->store): arena, nodes, rrsets and ans in mappings with room for patches
 * (as much again, and a few MiB, of address space only). 0 or -ENOMEM.
 */
int zt_mem_settle(zt_t *zt);

/* A patch's arrays: ZT's (made from a snapshot of STORE) at the store's tip, fixed in place. */
void zt_mem_patch_start(zt_mem_t *m, zt_t *zt, zt_store_t *store);

/* Another reference to STORE; zt_mem_free() drops a snapshot's. */
void zt_store_ref(zt_store_t *store);

/* Frees the snapshot's big arrays. */
void zt_mem_free(zt_t *zt);

#endif
