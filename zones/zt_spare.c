/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_spare.c: mappings for a snapshot's big arrays, those no snapshot reads any more kept */
#include <errno.h>
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zt_spare.h"

#define HUGE ((size_t)2 << 20)

/* From this size on a zone's array has a mapping (zt_big_alloc()). */
#define BIG_MIN ((size_t)1 << 20)

void *zt_spare_map(size_t len, int flags)
{
	void *m = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uintptr_t start, aligned;

	if (m == MAP_FAILED)
		return NULL;
	/* One huge page more, then trimmed to a 2 MiB boundary (older kernels do not). */
	start = (uintptr_t)m;
	aligned = (start + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	if (aligned > start)
		munmap(m, aligned - start);
	if (start + len + HUGE > aligned + len)
		munmap((void *)(aligned + len), start + len + HUGE - (aligned + len));
	/*
	 * A lookup in a large zone touches a few random lines of several arrays, and with 4 KiB
	 * pages each is also a TLB miss (a page walk, slower still in a virtual machine); the
	 * build, too, faults in 2 MiB at a time rather than 4 KiB. Advice only: without
	 * transparent huge pages it is plain memory.
	 */
	(void)madvise((void *)aligned, len, MADV_HUGEPAGE);
	return (void *)aligned;
}

/*
 * A patch makes some arrays of the zone it patches again whole: the index (16 MiB for a million
 * names), the transfer order, a signed zone's NSEC owners, their keys and prefixes (tens of MiB
 * for a million names signed). Fresh, their pages fault in one by one and the kernel zeroes each
 * (on the virtual machines measured, several times the copy itself: a 1,000,000-name NSEC
 * zone's patch spent some 30 of its 46 ms so, bench/RESULTS.md). The snapshot freed after the
 * publish before has arrays of the same sizes: their mappings are kept here, MADV_FREE, so that
 * the kernel may take their pages under memory pressure and, until it does, a write reuses
 * them without a fault. Only mappings no snapshot reads any more are kept, at most ZT_SPARES
 * and ZT_SPARE_BYTES (the oldest unmapped first): a few versions' worth of a zone of millions
 * of records.
 */
static struct {
	pthread_mutex_t mu;
	struct {
		void *p;
		size_t len;
		bool huge;
	} s[ZT_SPARES]; /* oldest first */
	size_t n, bytes;
	unsigned long taken, fresh, seeded;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Kept mapping I dropped from the pool (under its lock). */
static void drop(size_t i)
{
	pool.bytes -= pool.s[i].len;
	memmove(&pool.s[i], &pool.s[i + 1], (pool.n - i - 1) * sizeof(pool.s[0]));
	pool.n--;
}

/* A kept mapping unmapped (its addresses may serve anyone next). */
static void unmap(void *p, size_t len)
{
	ASAN_UNPOISON_MEMORY_REGION(p, len);
	munmap(p, len);
}

void zt_spare_put(void *p, size_t len, bool huge)
{
	void *old[ZT_SPARES];
	size_t oldlen[ZT_SPARES], nold = 0;

	if (p == NULL)
		return;
	if (len > ZT_SPARE_BYTES) {
		unmap(p, len); /* an array's poisoned tail unpoisoned first */
		return;
	}
	(void)madvise(p, len, MADV_FREE);
	/* Under AddressSanitizer a read of a kept mapping is a use after free. */
	ASAN_POISON_MEMORY_REGION(p, len);
	pthread_mutex_lock(&pool.mu);
	while (pool.n == ZT_SPARES || pool.bytes + len > ZT_SPARE_BYTES) {
		old[nold] = pool.s[0].p;
		oldlen[nold++] = pool.s[0].len;
		drop(0);
	}
	pool.s[pool.n].p = p;
	pool.s[pool.n].huge = huge;
	pool.s[pool.n++].len = len;
	pool.bytes += len;
	pthread_mutex_unlock(&pool.mu);
	/* Unmapped outside the lock: munmap() of a large mapping takes a while. */
	for (size_t i = 0; i < nold; i++)
		unmap(old[i], oldlen[i]);
}

/* Whether a mapping of MAP bytes holds LEN and not much more: what the array would waste. */
static int fits(size_t map, size_t len)
{
	return map >= len && map - len <= len / 4 + HUGE;
}

void *zt_spare_take(size_t len, bool huge_only, size_t *got, bool *huge)
{
	void *p = NULL;
	size_t best = SIZE_MAX;

	pthread_mutex_lock(&pool.mu);
	/* The smallest that fits; of equal ones the newest (its pages the likeliest resident). An
	 * array other than an index takes one on huge pages only when no other fits: the index
	 * takes nothing else. */
	for (size_t i = 0; i < pool.n; i++)
		if (fits(pool.s[i].len, len) && (pool.s[i].huge || !huge_only) &&
		    (best == SIZE_MAX || (!huge_only && pool.s[best].huge && !pool.s[i].huge) ||
		     (pool.s[i].huge == pool.s[best].huge && pool.s[i].len <= pool.s[best].len)))
			best = i;
	if (best != SIZE_MAX) {
		p = pool.s[best].p;
		*got = pool.s[best].len;
		*huge = pool.s[best].huge;
		drop(best);
		pool.taken++;
	}
	pthread_mutex_unlock(&pool.mu);
	if (p != NULL)
		ASAN_UNPOISON_MEMORY_REGION(p, *got);
	return p;
}

/* Ahead of each array: how it was made (0: on the heap; else its mapping's length). 64 octets,
 * so that an array on a mapping starts a cache line; on the heap malloc()'s alignment. */
struct big_head {
	size_t map;
	bool huge; /* the mapping from zt_spare_map() (an index's, once) */
	uint8_t pad[64 - sizeof(size_t) - sizeof(bool)];
};

void *zt_big_alloc(size_t len)
{
	size_t need = sizeof(struct big_head) + len, map = 0;
	struct big_head *h;
	bool huge = false;

	if (need < BIG_MIN) {
		h = malloc(need);
	} else if ((h = zt_spare_take(need, false, &map, &huge)) == NULL) {
		/* Small pages: fresh, a 2 MiB page costs the kernel more to clear than its 512
		 * small ones (measured here: some 2 ms against 0.6), and the patch after a start
		 * pays it; these arrays are read far less often than the index. */
		map = zt_big_map_len(len);
		h = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED)
			h = NULL;
		if (h != NULL) {
			pthread_mutex_lock(&pool.mu);
			pool.fresh++;
			pthread_mutex_unlock(&pool.mu);
		}
	}
	if (h == NULL)
		return NULL;
	h->map = map;
	h->huge = huge;
	/* Past the LEN bytes asked for, what AddressSanitizer reports as an overflow. */
	if (map > 0)
		ASAN_POISON_MEMORY_REGION((uint8_t *)(h + 1) + len, map - need);
	return h + 1;
}

void zt_big_free(void *p)
{
	struct big_head *h;

	if (p == NULL)
		return;
	h = (struct big_head *)p - 1;
	if (h->map == 0)
		free(h);
	else
		zt_spare_put(h, h->map, h->huge);
}

size_t zt_big_map_len(size_t len)
{
	size_t need = sizeof(struct big_head) + len;

	return need < BIG_MIN ? 0 : (need + HUGE - 1) & ~(HUGE - 1);
}

size_t zt_big_mapping(const void *p)
{
	return p != NULL ? ((const struct big_head *)p - 1)->map : 0;
}

/* A fresh mapping of LEN bytes as zt_big_alloc() or zt_spare_map() (HUGE) makes it, every page
 * faulted in; NULL without memory. */
static void *populated(size_t len, bool huge)
{
	void *p = huge
		      ? zt_spare_map(len, 0)
		      : mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || p == NULL)
		return NULL;
#ifdef MADV_POPULATE_WRITE
	if (madvise(p, len, MADV_POPULATE_WRITE) == 0)
		return p;
	if (errno != EINVAL) { /* no memory for it: none is made (the patch makes its own) */
		munmap(p, len);
		return NULL;
	}
#endif
	memset(p, 0, len); /* a kernel without MADV_POPULATE_WRITE (before 5.14) */
	return p;
}

/* Seeded mapping P kept if the pool has room for it now, else unmapped: nothing kept is dropped
 * for a mapping made ahead (another thread may have put one since the room was counted). */
static bool keep_if_room(void *p, size_t len, bool huge)
{
	bool room;

	(void)madvise(p, len, MADV_FREE);
	ASAN_POISON_MEMORY_REGION(p, len);
	pthread_mutex_lock(&pool.mu);
	room = pool.n < ZT_SPARES && pool.bytes + len <= ZT_SPARE_BYTES;
	if (room) {
		pool.s[pool.n].p = p;
		pool.s[pool.n].huge = huge;
		pool.s[pool.n++].len = len;
		pool.bytes += len;
		pool.seeded++;
	}
	pthread_mutex_unlock(&pool.mu);
	if (!room)
		unmap(p, len);
	return room;
}

size_t zt_spare_seed(const size_t *len, const bool *huge, size_t n)
{
	bool used[ZT_SPARES] = {false}, want[ZT_SPARES] = {false};
	size_t made = 0, room_n, room_bytes;

	if (n > ZT_SPARES)
		n = ZT_SPARES;
	pthread_mutex_lock(&pool.mu);
	/* One kept mapping stands for one wanted: the next patch takes each once. */
	for (size_t i = 0; i < n; i++) {
		want[i] = true;
		for (size_t k = 0; k < pool.n && want[i]; k++)
			if (!used[k] && fits(pool.s[k].len, len[i]) &&
			    (pool.s[k].huge || !huge[i])) {
				used[k] = true;
				want[i] = false;
			}
	}
	room_n = ZT_SPARES - pool.n;
	room_bytes = ZT_SPARE_BYTES - pool.bytes;
	pthread_mutex_unlock(&pool.mu);
	for (size_t i = 0; i < n; i++) {
		void *p;

		if (!want[i] || room_n == 0 || len[i] > room_bytes)
			continue;
		/* Made and faulted in outside the lock: tens of MiB take tens of ms. */
		if ((p = populated(len[i], huge[i])) == NULL || !keep_if_room(p, len[i], huge[i]))
			break;
		room_n--;
		room_bytes -= len[i];
		made++;
	}
	return made;
}

void zt_spare_clear(void)
{
	for (;;) {
		void *p = NULL;
		size_t len = 0;

		pthread_mutex_lock(&pool.mu);
		if (pool.n > 0) {
			p = pool.s[0].p;
			len = pool.s[0].len;
			drop(0);
		}
		pthread_mutex_unlock(&pool.mu);
		if (p == NULL)
			return;
		unmap(p, len);
	}
}

void zt_spare_stats(struct zt_spare_stats *s)
{
	pthread_mutex_lock(&pool.mu);
	s->kept = pool.n;
	s->kept_bytes = pool.bytes;
	s->taken = pool.taken;
	s->fresh = pool.fresh;
	s->seeded = pool.seeded;
	pthread_mutex_unlock(&pool.mu);
}
