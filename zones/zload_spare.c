/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_spare.c: a transfer's freed version hands its big arrays to the next version made */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "zload_pvt.h"

/*
 * A secondary's next version (zload_xfr.c) copies the held version's records and its sorted
 * index into arrays of its own: 19 MiB for a million records (its files and lines are the
 * changed records' only: zload_pvt.h's LINED), which,
 * fresh, fault in page by page (tens to hundreds of milliseconds in a virtual machine, ten
 * times the copy itself). The version freed after the publish before is the same size: its
 * arrays are kept here, one set, resident, and taken by the next version a transfer makes if
 * they fit. Not advised MADV_FREE: on the kernels measured (6.18) a write to such a page faults
 * as a fresh one does (bench/RESULTS.md, 2026-12-06), which is the cost the spare is for. Only
 * arrays of a version freed with its last reference are kept: nothing anyone reads. Whoever
 * takes them writes every entry it will read.
 */
static struct {
	pthread_mutex_t mu;
	zload_rec_t *recs;
	size_t cap; /* entries of recs */
	uint32_t *by_owner;
	size_t owner_cap; /* entries of by_owner */
} spare = {.mu = PTHREAD_MUTEX_INITIALIZER};

size_t zload_spare_min = 65536;
unsigned long zload_spare_taken;

/* Whether arrays of CAP entries hold N and not much more: what a version of N would waste. */
static bool fits(size_t cap, size_t n)
{
	return cap >= n && cap - n <= n / 4 + 1024;
}

void zload_spare_put(zload_zone_t *z)
{
	zload_rec_t *recs = NULL;
	uint32_t *by_owner = NULL;

	if (!z->give_back || z->nrecs < zload_spare_min)
		return;
	/* Arrays a version of its size would not take are freed as they were. */
	if (z->recs == NULL || !fits(z->cap, z->nrecs))
		z->cap = 0;
	if (z->by_owner == NULL || !fits(z->owner_cap, z->nrecs + 1))
		z->owner_cap = 0;
	if (z->cap == 0 && z->owner_cap == 0)
		return;
	pthread_mutex_lock(&spare.mu);
	/* One set: the one before goes (freed below, outside the lock). */
	if (z->cap != 0) {
		recs = spare.recs;
		spare.recs = z->recs;
		spare.cap = z->cap;
		z->recs = NULL;
	}
	if (z->owner_cap != 0) {
		by_owner = spare.by_owner;
		spare.by_owner = z->by_owner;
		spare.owner_cap = z->owner_cap;
		z->by_owner = NULL;
	}
	pthread_mutex_unlock(&spare.mu);
	free(recs);
	free(by_owner);
}

bool zload_spare_recs(zload_zone_t *z, size_t n)
{
	zload_rec_t *recs;
	size_t cap;

	if (n < zload_spare_min || z->recs != NULL)
		return false;
	pthread_mutex_lock(&spare.mu);
	recs = spare.recs;
	cap = spare.cap;
	spare.recs = NULL;
	spare.cap = 0;
	pthread_mutex_unlock(&spare.mu);
	if (recs == NULL)
		return false;
	if (!fits(cap, n)) {
		/* Another zone's, or this one's grown or shrunk: no use kept. */
		free(recs);
		return false;
	}
	z->recs = recs;
	z->cap = cap;
	__atomic_add_fetch(&zload_spare_taken, 1, __ATOMIC_RELAXED);
	return true;
}

uint32_t *zload_spare_index(size_t n, size_t *cap)
{
	uint32_t *p;
	size_t c;

	if (n < zload_spare_min)
		return NULL;
	pthread_mutex_lock(&spare.mu);
	p = spare.by_owner;
	c = spare.owner_cap;
	spare.by_owner = NULL;
	spare.owner_cap = 0;
	pthread_mutex_unlock(&spare.mu);
	if (p != NULL && !fits(c, n)) {
		free(p);
		p = NULL;
	}
	if (p != NULL) {
		*cap = c;
		__atomic_add_fetch(&zload_spare_taken, 1, __ATOMIC_RELAXED);
	}
	return p;
}

void zload_spare_seed(size_t cap, size_t owner_cap)
{
	zload_rec_t *recs = NULL;
	uint32_t *by_owner = NULL;
	bool want;

	if (cap < zload_spare_min)
		return;
	pthread_mutex_lock(&spare.mu);
	want = spare.recs == NULL && spare.by_owner == NULL;
	pthread_mutex_unlock(&spare.mu);
	if (!want)
		return;
	/* Written whole now: the pages are there when the next version takes them. */
	recs = malloc(cap * sizeof(*recs));
	by_owner = malloc(owner_cap * sizeof(*by_owner));
	if (recs == NULL || by_owner == NULL) {
		free(recs);
		free(by_owner);
		return;
	}
	huge_hint(recs, cap * sizeof(*recs));
	huge_hint(by_owner, owner_cap * sizeof(*by_owner));
	memset(recs, 0, cap * sizeof(*recs));
	memset(by_owner, 0, owner_cap * sizeof(*by_owner));
	pthread_mutex_lock(&spare.mu);
	if (spare.recs == NULL && spare.by_owner == NULL) {
		spare.recs = recs;
		spare.cap = cap;
		spare.by_owner = by_owner;
		spare.owner_cap = owner_cap;
		recs = NULL;
		by_owner = NULL;
	}
	pthread_mutex_unlock(&spare.mu);
	free(recs);
	free(by_owner);
}

void zload_spare_drop(void)
{
	pthread_mutex_lock(&spare.mu);
	free(spare.recs);
	free(spare.by_owner);
	spare.recs = NULL;
	spare.by_owner = NULL;
	spare.cap = spare.owner_cap = 0;
	pthread_mutex_unlock(&spare.mu);
}
