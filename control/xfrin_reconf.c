/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_reconf.c: the transfer thread's zones made those of a new configuration, state kept */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "sandns_err.h"
#include "xfrin.h"
#include "xfrin_pvt.h"
#include "xfrin_tab.h"

#include <urcu-qsbr.h>

/* Z's state, kept by a reconfiguration, goes on as the Ith secondary zone of CFG. */
static void zone_move(struct xz *to, struct xz *from, const cfg_t *cfg, size_t i)
{
	*to = *from;
	from->name = NULL;
	/* one owner only (under the lock) */
	from->mem = from->handed = from->unsaved = from->lent = from->lent_first = NULL;
	to->zone = i;
	to->origin = cfg->zones[i].origin;
	to->path = cfg->zones[i].src.path;
	to->nprim = cfg_zone_primaries(cfg, i, to->prim, XFRIN_MAX_PRIMARIES);
	/* What serving threads add to FROM until the grace period ends is added after it. */
	to->want = to->reload = 0;
	to->notifier = 0; /* an index into primaries that may have changed: carried after */
	to->notified = 0;
	to->notifies = to->coalesced = to->uptodate = 0;
}

/*
 * The primary a NOTIFY to FROM named (or a refresh cut left), if TO still has one at its
 * address: found again by address, the primaries may have moved. One a NOTIFY to TO named since
 * is newer, and stays.
 */
static void carry_notifier(struct xz *to, const struct xz *from)
{
	const int n = __atomic_load_n(&from->notifier, __ATOMIC_ACQUIRE);
	int none = 0;

	if (n <= 0 || (size_t)n > from->nprim)
		return;
	for (size_t i = 0; i < to->nprim; i++)
		if (xfrin_same_address(&to->prim[i]->addr.ss,
				       (const struct sockaddr *)&from->prim[n - 1]->addr.ss)) {
			__atomic_compare_exchange_n(&to->notifier, &none, (int)i + 1, false,
						    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
			uint64_t zero = 0;

			__atomic_compare_exchange_n(
			    &to->notified, &zero,
			    __atomic_load_n(&from->notified, __ATOMIC_ACQUIRE), false,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
			return;
		}
}

int xfrin_prepare(xfrin_t *x, const cfg_t *cfg, char *err, size_t errlen)
{
	xfrin_unprepare(x);
	/* The table first: it refuses at once more zones than it indexes. */
	x->prep.tab = xtab_new(cfg, NULL, cfg->nzones, cfg->nzones);
	if (x->prep.tab != NULL) {
		x->prep.z = calloc(cfg->nzones + 1, sizeof(*x->prep.z));
		x->prep.from = calloc(cfg->nzones + 1, sizeof(*x->prep.from));
		x->prep.tab->z = x->prep.z;
	}
	if (x->prep.z == NULL || x->prep.from == NULL || x->prep.tab == NULL) {
		xfrin_unprepare(x);
		snprintf(err, errlen, "secondary zones: out of memory");
		return -ENOMEM;
	}
	x->prep.cfg = cfg;
	return SANDNS_EOK;
}

int xfrin_reconfigure(xfrin_t *x, const cfg_t *cfg, char *err, size_t errlen)
{
	struct xz *z, *old = x->z, *o;
	size_t *from, nz = 0, i, k;
	struct xtab *tab, *old_tab;
	const size_t old_nz = x->nz;
	uint64_t v;
	int rc = SANDNS_EOK;

	if (x->prep.cfg != cfg && xfrin_prepare(x, cfg, err, errlen) != SANDNS_EOK)
		return -ENOMEM;
	z = x->prep.z; /* taken */
	from = x->prep.from;
	tab = x->prep.tab;
	memset(&x->prep, 0, sizeof(x->prep));
	/* The thread ends (a transfer under way is cut, asked again once it runs again). */
	if (x->started) {
		xfrin_wake(x->stop_fd);
		pthread_join(x->tid, NULL);
		x->started = false;
		(void)!read(x->stop_fd, &v, sizeof(v));
	}
	/* The copies held move under the lock: the writer takes them from X->Z meanwhile. */
	pthread_mutex_lock(&x->lock);
	for (i = 0; i < cfg->nzones; i++) {
		const cfg_zone_t *cz = &cfg->zones[i];

		if (cz->src.kind != ZSRC_PRIMARY)
			continue;
		o = xtab_origin(x->ix, cz->origin);
		k = o != NULL && o->name != NULL && strcmp(o->path, cz->src.path) == 0
			? (size_t)(o - old)
			: old_nz;
		from[nz] = k;
		if (k < old_nz)
			zone_move(&z[nz], &old[k], cfg, i);
		else if (xfrin_zone_init(&z[nz], cfg, i, err, errlen) != SANDNS_EOK)
			rc = SANDNS_ECONFIG; /* cfg_check() let no such origin through */
		else
			nz++;
		if (k < old_nz)
			nz++;
	}
	pthread_mutex_unlock(&x->lock);
	xtab_index(tab, nz);
	old_tab = x->tab;
	rcu_assign_pointer(x->tab, tab);
	synchronize_rcu();
	/* No serving thread reads OLD now: what NOTIFYs set there carries over. */
	for (i = 0; i < nz; i++) {
		if (from[i] >= old_nz)
			continue;
		k = from[i];
		__atomic_fetch_or(&z[i].want, __atomic_load_n(&old[k].want, __ATOMIC_ACQUIRE),
				  __ATOMIC_ACQ_REL);
		__atomic_fetch_or(&z[i].reload, __atomic_load_n(&old[k].reload, __ATOMIC_ACQUIRE),
				  __ATOMIC_ACQ_REL);
		__atomic_fetch_add(&z[i].notifies, old[k].notifies, __ATOMIC_RELAXED);
		__atomic_fetch_add(&z[i].coalesced, old[k].coalesced, __ATOMIC_RELAXED);
		__atomic_fetch_add(&z[i].uptodate, old[k].uptodate, __ATOMIC_RELAXED);
		carry_notifier(&z[i], &old[k]);
	}
	pthread_mutex_lock(&x->lock);
	x->z = z;
	x->nz = nz;
	x->ix = tab;
	x->wr_min = 0;
	x->cfg = cfg;
	pthread_mutex_unlock(&x->lock);
	/* The zones no longer configured: their state goes. */
	for (k = 0; k < old_nz; k++)
		if (old[k].name != NULL) {
			log_msg(LOG_INFO, "zone %s: no longer a secondary zone, its refreshes stop",
				old[k].origin);
			ldns_rdf_deep_free(old[k].name);
			zload_free(&old[k].mem);
			zload_free(&old[k].handed);
			zload_free(&old[k].unsaved);
			zload_free(&old[k].lent);
			zload_free(&old[k].lent_first);
		}
	free(old);
	xtab_free(old_tab);
	free(from);
	return rc;
}

int xfrin_resume(xfrin_t *x, char *err, size_t errlen)
{
	return x->armed ? xfrin_start(x, err, errlen) : SANDNS_EOK;
}
