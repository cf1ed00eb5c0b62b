/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_order.c: each zone's transfer order and NSEC chain (canonical order), sorted now or later */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "denial.h"
#include "nsec3.h"
#include "wire.h"
#include "zt_order.h"
#include "zt_spare.h"
#include "zthread.h"

/* A node's canonical sort key (see sort_canonical): where it starts and how long it is. */
struct canon {
	uint32_t key, len;
	uint32_t node;
};

static int cmp_canon_key(const void *a, const void *b, void *ctx)
{
	const struct canon *x = a, *y = b;
	const uint8_t *keys = ctx;
	int c = memcmp(keys + x->key, keys + y->key, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : (x->len > y->len);
}

/*
 * The key of a lower-cased wire name whose memcmp order is RFC 4034 6.1 canonical order: the
 * labels from the right, each followed by 0x00; octets 0x00 and 0x01 inside a label become
 * 0x01 0x01 and 0x01 0x02, so that the separator sorts below everything. OUT takes at most
 * twice the name's length. Returns the key's length.
 */
static size_t canon_key(uint8_t *out, const uint8_t *name)
{
	const uint8_t *lab[WIRE_NAME_MAX / 2 + 1];
	unsigned n = 0;
	size_t o = 0;

	for (const uint8_t *p = name; *p != 0; p += *p + 1)
		lab[n++] = p;
	while (n > 0) {
		const uint8_t *l = lab[--n];

		for (uint8_t i = 1; i <= l[0]; i++) {
			if (l[i] <= 1) {
				out[o++] = 1;
				out[o++] = (uint8_t)(l[i] + 1);
			} else {
				out[o++] = l[i];
			}
		}
		out[o++] = 0;
	}
	return o;
}

/*
 * Sorts the nodes ORDER (N of them) canonically. The keys are made once: comparing names label
 * by label from the right in every step of the sort was half of compiling a large zone.
 */
static int sort_canonical(const zt_t *zt, uint32_t *order, uint32_t n)
{
	struct canon *c = malloc((n ? n : 1) * sizeof(*c));
	size_t total = 0, off = 0;
	uint8_t *keys;

	if (c == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		total += 2u * zt->nodes[order[i]].name_len;
	keys = malloc(total ? total : 1);
	if (keys == NULL) {
		free(c);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t len = canon_key(keys + off, zt->arena + zt->nodes[order[i]].name);

		c[i] = (struct canon){.key = (uint32_t)off, .len = (uint32_t)len, .node = order[i]};
		off += len;
	}
	qsort_r(c, n, sizeof(*c), cmp_canon_key, keys);
	for (uint32_t i = 0; i < n; i++)
		order[i] = c[i].node;
	free(keys);
	free(c);
	return 0;
}

/*
 * The nodes of zone Z are [first_node, this): zones are loaded one after the other and every node
 * is made while loading the zone it belongs to (zt_nodes.c). Walking that range rather than every
 * node keeps these passes from costing zones x nodes (minutes for tens of thousands of zones).
 */
static uint32_t zone_nodes_end(const zt_t *zt, uint32_t z)
{
	return z + 1 < zt->nzones ? zt->zones[z + 1].first_node : zt->nnodes;
}

void zt_order_counts(const zt_t *zt, uint32_t z, uint32_t *nn, uint32_t *na)
{
	uint32_t end = zone_nodes_end(zt, z);

	*nn = *na = 0;
	for (uint32_t n = zt->zones[z].first_node; n < end; n++) {
		const zt_node_t *node = &zt->nodes[n];

		if (node->zone != z)
			continue;
		*na += node->nrrsets;
		for (uint32_t i = 0; i < node->nrrsets; i++)
			if (zt->rrsets[node->rrsets + i].type == T_NSEC)
				(*nn)++;
	}
}

/*
 * Zone Z's NSEC owners and transfer order: every RRset but the SOA, nodes in canonical order,
 * as Knot's transfers go (RFC 5936 leaves it free).
 */
int zt_order_zone(zt_t *zt, uint32_t z)
{
	zt_zone_t *zone = &zt->zones[z];
	uint32_t nn, na, no = 0, *order, *nsec, *axfr, end = zone_nodes_end(zt, z);

	zt_order_counts(zt, z, &nn, &na);
	order =
	    zt_big_alloc((end > zone->first_node ? end - zone->first_node : 1) * sizeof(uint32_t));
	nsec = zt_big_alloc((nn ? nn : 1) * sizeof(uint32_t));
	axfr = zt_big_alloc((na ? na : 1) * sizeof(uint32_t));
	if (order == NULL || nsec == NULL || axfr == NULL)
		goto nomem;
	for (uint32_t n = zone->first_node; n < end; n++)
		if (zt->nodes[n].zone == z && zt->nodes[n].nrrsets > 0)
			order[no++] = n;
	if (sort_canonical(zt, order, no) != 0)
		goto nomem;
	nn = na = 0;
	for (uint32_t k = 0; k < no; k++) {
		const zt_node_t *node = &zt->nodes[order[k]];

		for (uint32_t i = 0; i < node->nrrsets; i++) {
			uint32_t s = node->rrsets + i;

			if (zt->rrsets[s].type == T_NSEC)
				nsec[nn++] = order[k];
			if (s != zone->soa)
				axfr[na++] = s;
		}
	}
	zt_big_free(order);
	zone->nsec = nsec;
	zone->nnsec = nn;
	zone->axfr = axfr;
	zone->naxfr = na;
	if (denial_keys(zt, z) != 0)
		return -ENOMEM;
	/* A signed zone's NSEC3 chain, for its answers (nothing to do without NSEC3PARAM). */
	return zone->is_signed ? nsec3_zone(zt, z) : 0;
nomem:
	zt_big_free(order);
	zt_big_free(nsec);
	zt_big_free(axfr);
	return -ENOMEM;
}

size_t zt_order_async_min = 65536;

/* The transfer orders zt_rrsets_link() left for later, and who sorts them. */
struct zt_order_job {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started; /* a thread sorts them */
	bool tried;   /* zt_order_start() was called (the thread may have failed to start) */
	bool done;
	int ret;
	zt_t *zt;
};

static int order_later_zones(zt_t *zt)
{
	int ret = 0;

	for (uint32_t z = 0; z < zt->nzones && ret == 0; z++)
		if (zt->zones[z].order_later)
			ret = zt_order_zone(zt, z);
	return ret;
}

static void *order_main(void *arg)
{
	struct zt_order_job *j = arg;
	int ret = order_later_zones(j->zt);

	/* The sort's keys (tens of MiB) were this thread's heap: give the pages back. */
	malloc_trim(0);
	pthread_mutex_lock(&j->lock);
	j->ret = ret;
	j->done = true;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

int zt_order_job_new(zt_t *zt)
{
	struct zt_order_job *j;
	bool later = false;

	for (uint32_t z = 0; z < zt->nzones; z++)
		later = later || zt->zones[z].order_later;
	if (!later)
		return 0;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	j->zt = zt;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	zt->order_job = j;
	return 0;
}

void zt_order_start(const zt_t *zt)
{
	struct zt_order_job *j = zt->order_job;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	if (!j->started && !j->done)
		j->started = zthread_start(&j->tid, order_main, j) == 0;
	j->tried = true;
	pthread_mutex_unlock(&j->lock);
}

int zt_order_ready(const zt_t *zt)
{
	struct zt_order_job *j = zt->order_job;
	bool orphan;
	int ret = -EAGAIN;

	if (j == NULL)
		return 0;
	/* The thread holds the lock only to say it is done: busy means not done yet. */
	if (pthread_mutex_trylock(&j->lock) != 0)
		return -EAGAIN;
	if (j->done)
		ret = j->ret;
	orphan = j->tried && !j->started;
	pthread_mutex_unlock(&j->lock);
	/* No thread will come (it could not start): the caller sorts, as zt_order_wait() would. */
	if (ret == -EAGAIN && orphan)
		ret = zt_order_wait(zt);
	return ret;
}

int zt_order_wait(const zt_t *zt)
{
	struct zt_order_job *j = zt->order_job;
	int ret;

	if (j == NULL)
		return 0;
	pthread_mutex_lock(&j->lock);
	if (!j->started && !j->done) {
		/* Nobody started the thread: sort here, once. */
		j->ret = order_later_zones(j->zt);
		j->done = true;
	}
	while (!j->done)
		pthread_cond_wait(&j->cond, &j->lock);
	ret = j->ret;
	pthread_mutex_unlock(&j->lock);
	return ret;
}

void zt_order_job_free(zt_t *zt)
{
	struct zt_order_job *j = zt->order_job;

	if (j == NULL)
		return;
	if (j->started)
		pthread_join(j->tid, NULL);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
	zt->order_job = NULL;
}
