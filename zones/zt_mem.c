/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_mem.c: the snapshot's memory: its big arrays on the heap or on huge pages, faulted in early */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zt_mem.h"
#include "zt_spare.h"
#include "zthread.h"

static void *map_huge(size_t len)
{
	return zt_spare_map(len, 0);
}

static void *prefault_main(void *arg)
{
	struct zt_prefault *pf = arg;

	(void)madvise(pf->addr, pf->len, MADV_POPULATE_WRITE);
	return NULL;
}

/* Waits for big array A's prefault thread, if one runs. */
static void prefault_join(zt_mem_t *m, enum zt_array a)
{
	if (m->pf[a].live) {
		pthread_join(m->pf[a].tid, NULL);
		m->pf[a].live = false;
	}
}

void zt_mem_join(zt_mem_t *m)
{
	for (int a = 0; a < ZT_ARR_COUNT; a++)
		prefault_join(m, (enum zt_array)a);
}

/*
 * Faults in LEN bytes at ADDR, fresh memory of big array A that the build is about to fill, on
 * a thread of its own, so that the kernel zeroes those pages on another core while this one
 * compiles: in a virtual machine, zeroing fresh pages was a fifth of a large zone's cold start.
 * It only faults pages in and never changes what they hold; the array is not moved or trimmed
 * before the thread is joined (prefault_join), and zt_new() joins them all. Best effort:
 * without the thread or MADV_POPULATE_WRITE (Linux 5.14), pages fault in as they are written.
 */
static void prefault(zt_mem_t *m, enum zt_array a, void *addr, size_t len)
{
	prefault_join(m, a);
	m->pf[a].addr = addr;
	m->pf[a].len = len;
	m->pf[a].live = zthread_start(&m->pf[a].tid, prefault_main, &m->pf[a]) == 0;
}

/* Big array A of the snapshot, and its length in bytes. */
static void **big_array(zt_t *zt, enum zt_array a, size_t *len)
{
	size_t l = 0;
	void **p = NULL;

	switch (a) {
	case ZT_ARR_ARENA:
		p = (void **)&zt->arena;
		l = zt->arena_len;
		break;
	case ZT_ARR_NODES:
		p = (void **)&zt->nodes;
		l = zt->nnodes * sizeof(zt_node_t);
		break;
	case ZT_ARR_RRSETS:
		p = (void **)&zt->rrsets;
		l = zt->nrrsets * sizeof(zt_rrset_t);
		break;
	case ZT_ARR_ANS:
		p = (void **)&zt->ans;
		l = zt->nans * sizeof(zt_ans_t);
		break;
	case ZT_ARR_INDEX:
	default:
		p = (void **)&zt->index;
		l = (zt->index_mask + 1u) * sizeof(zt_slot_t);
		break;
	}
	if (len != NULL)
		*len = l;
	return p;
}

/*
 * Mapped array A (MAP bytes at BASE) faulted in from FROM, at most ZT_MEM_AHEAD bytes; the build
 * may write up to the middle of that stretch (and NEED at least) before it asks for the next
 * one (zt_mem_grow_slow()), so that what is faulted in stays within ZT_MEM_AHEAD and a half
 * of what is written. (Half the array's size at once, a million-name signed zone's arena had
 * 500 MiB faulted in that the build never wrote, at the peak of the process.)
 */
static void ahead(zt_mem_t *m, enum zt_array a, uint8_t *base, size_t from, size_t map, size_t need)
{
	size_t len = map - from < ZT_MEM_AHEAD ? map - from : ZT_MEM_AHEAD;
	size_t cap = from + len < map ? from + len / 2 : map;

	if (len > 0)
		prefault(m, a, base + from, len);
	m->ahead[a] = from + len;
	m->cap[a] = cap > need ? cap : need;
}

/*
 * Below 2 MiB an array lives on the heap, so that a small zone keeps small pages. From then on it
 * has a mapping of its own (map_huge()), which grows by moving its pages into a larger mapping:
 * mremap() moves page tables and copies nothing, and zt_mem_settle() then only trims the tail.
 * (Built on the heap and copied to huge pages at the end, a 1M-record snapshot spent a sixth of
 * its cold start in that copy and in faulting in the heap 4 KiB at a time.)
 */
int zt_mem_grow_slow(zt_mem_t *mem, enum zt_array a, size_t need)
{
	zt_t *zt = mem->zt;
	size_t cap = mem->cap[a], ncap, used, from;
	void **p = big_array(zt, a, &used);
	void *m;

	if (need <= cap)
		return 0;
	if (mem->fixed && a < ZT_STORE_ARRAYS) {
		mem->failed = true; /* a store's array: it cannot move under its readers */
		return -ENOSPC;
	}
	if (zt->big_map[a] > 0 && need <= zt->big_map[a]) {
		/* Room in its mapping: the next stretch faulted in ahead. */
		ahead(mem, a, *p, mem->ahead[a] > need ? mem->ahead[a] : need & ~(ZT_MEM_HUGE - 1),
		      zt->big_map[a], need);
		return 0;
	}
	/* The heap's copy is all faulted in; a mapping, as far as it was faulted in ahead. */
	from = zt->big_map[a] > 0 ? mem->ahead[a] : cap;
	cap = zt->big_map[a] > 0 ? zt->big_map[a] : cap;
	ncap = cap ? cap : 4096;
	while (ncap < need)
		ncap *= 2;
	if (ncap < ZT_MEM_HUGE) {
		m = realloc(*p, ncap);
		if (m == NULL)
			return -ENOMEM;
	} else {
		ncap = (ncap + ZT_MEM_HUGE - 1) & ~(ZT_MEM_HUGE - 1);
		m = map_huge(ncap);
		if (m == NULL)
			return -ENOMEM;
		if (zt->big_map[a] > 0) {
			/* Over the new mapping, which takes the old pages (MREMAP_FIXED). */
			prefault_join(mem, a);
			if (mremap(*p, zt->big_map[a], ncap, MREMAP_MAYMOVE | MREMAP_FIXED, m) ==
			    MAP_FAILED) {
				munmap(m, ncap);
				return -ENOMEM;
			}
			(void)madvise(m, ncap, MADV_HUGEPAGE);
		} else {
			if (used > 0)
				memcpy(m, *p, used);
			free(*p);
		}
		zt->big_map[a] = ncap;
		*p = m;
		ahead(mem, a, m, from, ncap, need);
		return 0;
	}
	*p = m;
	mem->cap[a] = ncap;
	return 0;
}

uint32_t zt_mem_arena_put(zt_mem_t *m, const void *data, size_t len, size_t align)
{
	zt_t *zt = m->zt;
	size_t off = (zt->arena_len + align - 1) & ~(align - 1);

	if (off + len > UINT32_MAX - 1)
		return ZT_NONE;
	if (zt_mem_grow(m, ZT_ARR_ARENA, off + len) != 0)
		return ZT_NONE;
	memset(zt->arena + zt->arena_len, 0, off - zt->arena_len);
	/* Space to be filled is zeroed: padding in it must not make equal answers differ. */
	if (data != NULL)
		memcpy(zt->arena + off, data, len);
	else
		memset(zt->arena + off, 0, len);
	zt->arena_len = off + len;
	return (uint32_t)off;
}

int zt_mem_fresh(zt_t *zt, enum zt_array a, size_t len)
{
	void **p = big_array(zt, a, NULL);
	bool huge;

	if (zt->big_map[a] > 0)
		munmap(*p, zt->big_map[a]);
	else
		free(*p);
	zt->big_map[a] = 0;
	/* A patch's copy of the index: a freed snapshot's mapping of its size (zt_spare.c), on
	 * huge pages as every index from a certain size (the workers' hottest random reads). */
	if (a == ZT_ARR_INDEX && len >= ZT_MEM_HUGE &&
	    (*p = zt_spare_take(len, true, &zt->big_map[a], &huge)) != NULL)
		return 0;
	if (len >= ZT_MEM_HUGE) {
		*p = map_huge(len);
		if (*p != NULL)
			zt->big_map[a] = len;
	} else {
		*p = malloc(len);
	}
	return *p != NULL ? 0 : -ENOMEM;
}

bool zt_mem_store_worn_by(const zt_store_t *st, size_t more)
{
	const size_t slack = (size_t)1 << 20, held = st->compiled + st->added;
	size_t tip = 0, patched, gone = st->dropped + more;

	for (int a = 0; a < ZT_STORE_ARRAYS; a++)
		tip += st->tip[a];
	/* What zt_patch() appended: copies of nodes and answers that replaced older ones. */
	patched = tip - st->compiled - st->added;
	/* The zones taken out (or replaced) and the patches' copies at most what the store holds
	 * live, an eighth of what it held more (gone + patched <= held - gone + held / 8): the
	 * store stays near twice a compile of the zones served, a whole compile's own peak (many
	 * small replacements may take it to about 2.3 times; past the room reserved a patch finds
	 * "no room left" and the snapshot is compiled whole), and a zone of more than about half
	 * of it (the only zone) is compiled whole, not replaced: nothing would be shared. */
	return patched > st->compiled / 4 + slack || 2 * gone + patched > held + held / 8 + slack;
}

bool zt_mem_store_worn(const zt_store_t *st)
{
	return zt_mem_store_worn_by(st, 0);
}

/* Room a store keeps past what the compile used (LEN bytes): as much again, and 4 MiB (a zone
 * replaced by zt_patch_zones() is compiled again there, its old version left behind). */
static size_t store_room(size_t len)
{
	size_t r = 2 * len + ((size_t)4 << 20);

	return (r + ZT_MEM_HUGE - 1) & ~(ZT_MEM_HUGE - 1);
}

/*
 * Big array A (USED bytes) moved into a mapping of ROOM bytes: a mapping of its own grows in
 * place or moves its pages (mremap() copies nothing), one on the heap is copied. The pages past
 * USED are never touched here: address space only, until a patch writes there.
 */
static void *store_array(zt_t *zt, enum zt_array a, void *p, size_t used, size_t room)
{
	void *m;

	if (zt->big_map[a] > 0) {
		/* Its pages moved into the first part of a larger mapping, 2 MiB aligned, whose
		 * rest is reserved without being counted (MAP_NORESERVE: strict overcommit too). */
		m = zt_spare_map(room, MAP_NORESERVE);
		if (m == NULL)
			return NULL;
		if (mremap(p, zt->big_map[a], zt->big_map[a], MREMAP_MAYMOVE | MREMAP_FIXED, m) ==
		    MAP_FAILED) {
			munmap(m, room);
			return NULL;
		}
		(void)madvise(m, room, MADV_HUGEPAGE);
		return m;
	}
	m = mmap(NULL, room, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (used > 0)
		memcpy(m, p, used);
	free(p);
	return m;
}

/* An array in its own mapping keeps the 2 MiB pages it uses; arrays below stay on the heap. */
int zt_mem_settle(zt_t *zt)
{
	zt_store_t *st;

	for (int a = 0; a < ZT_ARR_COUNT; a++) {
		size_t len, keep;
		void **p = big_array(zt, (enum zt_array)a, &len);

		if (zt->big_map[a] == 0)
			continue;
		keep = len > 0 ? (len + ZT_MEM_HUGE - 1) & ~(ZT_MEM_HUGE - 1) : ZT_MEM_HUGE;
		if (keep < zt->big_map[a]) {
			munmap((uint8_t *)*p + keep, zt->big_map[a] - keep);
			zt->big_map[a] = keep;
		}
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL || pthread_mutex_init(&st->lock, NULL) != 0) {
		free(st);
		return -ENOMEM;
	}
	st->refs = 1;
	st->nodes_compiled = zt->nnodes;
	zt->store = st;
	for (int a = 0; a < ZT_STORE_ARRAYS; a++) {
		size_t len, room;
		void **p = big_array(zt, (enum zt_array)a, &len);
		void *m;

		room = store_room(len);
		m = store_array(zt, (enum zt_array)a, *p, len, room);
		if (m == NULL)
			return -ENOMEM;
		*p = m;
		zt->big_map[a] = 0;
		st->base[a] = m;
		st->map[a] = room;
		st->tip[a] = len;
		st->compiled += len;
	}
	return 0;
}

void zt_mem_patch_start(zt_mem_t *m, zt_t *zt, zt_store_t *st)
{
	memset(m, 0, sizeof(*m));
	m->zt = zt;
	m->fixed = true;
	zt_store_ref(st);
	zt->store = st;
	zt->arena = st->base[ZT_ARR_ARENA];
	zt->arena_len = st->tip[ZT_ARR_ARENA];
	zt->nodes = st->base[ZT_ARR_NODES];
	zt->nnodes = (uint32_t)(st->tip[ZT_ARR_NODES] / sizeof(zt_node_t));
	zt->rrsets = st->base[ZT_ARR_RRSETS];
	zt->nrrsets = (uint32_t)(st->tip[ZT_ARR_RRSETS] / sizeof(zt_rrset_t));
	zt->ans = st->base[ZT_ARR_ANS];
	zt->nans = (uint32_t)(st->tip[ZT_ARR_ANS] / sizeof(zt_ans_t));
	for (int a = 0; a < ZT_STORE_ARRAYS; a++)
		m->cap[a] = st->map[a];
}

void zt_store_ref(zt_store_t *st)
{
	__atomic_add_fetch(&st->refs, 1, __ATOMIC_RELAXED);
}

static void store_unref(zt_store_t *st)
{
	if (__atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (int a = 0; a < ZT_STORE_ARRAYS; a++)
		if (st->base[a] != NULL)
			munmap(st->base[a], st->map[a]);
	if (st->deps != NULL && st->deps_free != NULL)
		st->deps_free(st->deps);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

void zt_mem_free(zt_t *zt)
{
	for (int a = 0; a < ZT_ARR_COUNT; a++) {
		void **p = big_array(zt, (enum zt_array)a, NULL);

		if (zt->big_map[a] > 0 && a == ZT_ARR_INDEX)
			zt_spare_put(*p, zt->big_map[a], true);
		else if (zt->big_map[a] > 0)
			munmap(*p, zt->big_map[a]);
		else if (zt->store == NULL || a >= ZT_STORE_ARRAYS || zt->store->base[a] != *p)
			free(*p);
	}
	if (zt->store != NULL)
		store_unref(zt->store);
	zt->store = NULL;
}
