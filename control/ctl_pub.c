/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pub.c: publishing a build's snapshot, and rebuilding then publishing (a reload) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "ctl_signstate.h"
#include "ixfr.h"
#include "log.h"
#include "sandns_err.h"
#include "xfrin.h"
#include "zpub.h"

/*
 * The published state (current, info, the counters) changes under pub_mu once the reload thread
 * runs (ctl_reload.c): the control thread holds it while it answers, so that what it reads stays
 * put. Before that thread starts and after it ends only the control thread publishes.
 */
void ctl_pub_lock(ctl_t *ctl)
{
	if (ctl->rl != NULL)
		pthread_mutex_lock(&ctl->pub_mu);
}

void ctl_pub_unlock(ctl_t *ctl)
{
	if (ctl->rl != NULL)
		pthread_mutex_unlock(&ctl->pub_mu);
}

void ctl_pub_count(ctl_t *ctl, unsigned long *counter)
{
	ctl_pub_lock(ctl);
	(*counter)++;
	ctl_pub_unlock(ctl);
}

size_t ctl_notify_zone(ctl_t *ctl, const char *origin, unsigned long serial)
{
	uint8_t msg[NOTIFY_MSG_MAX];
	size_t len;

	if (notify_zone_targets(ctl->notify, origin) == 0)
		return 0;
	len = notify_build(ctl->current, origin, msg, sizeof(msg));
	if (len == 0) {
		log_msg(LOG_ERR, "NOTIFY %s: the snapshot serves no SOA for it; not sent", origin);
		return 0;
	}
	return notify_zone(ctl->notify, origin, (uint32_t)serial, msg, len);
}

/*
 * The one place that compares the serials served before and after a publish (every publish goes
 * through ctl_publish_first: start, reloads, policy reloads, the probe, the watch): a zone whose
 * serial changed, or that is new, is NOTIFYed. BEFORE describes the snapshot replaced.
 */
static void ctl_notify_changed(ctl_t *ctl, const ctl_build_t *before, const ctl_build_t *b)
{
	for (size_t i = 0; i < b->nzones; i++) {
		const ctl_zone_info_t *z = &b->zones[i];
		const ctl_zone_info_t *was = ctl_build_find(before, z->origin);

		if (was == NULL || was->serial != z->serial)
			ctl_notify_zone(ctl, z->origin, z->serial);
	}
}

/*
 * The IXFR journals of the zones BEFORE served and B no longer does (a zone gone from the
 * configuration or from a catalog) removed from DIR: once the publish that drops them is done,
 * so that none is left behind, nor read again should the zone come back (its history then
 * starts anew).
 */
static void drop_journals(const char *dir, const ctl_build_t *before, const ctl_build_t *b)
{
	char path[4096];

	for (size_t i = 0; dir != NULL && i < before->nzones; i++) {
		const char *origin = before->zones[i].origin;
		/* B's zones by origin (indexed when built, else walked): no pass per zone. */
		bool kept = ctl_build_find(b, origin) != NULL;

		if (!kept && ixfr_journal_path(dir, origin, path, sizeof(path)) &&
		    unlink(path) == 0)
			log_msg(LOG_INFO, "zone %s: no longer served, its IXFR journal %s removed",
				origin, path);
	}
}

static void ixfr_log(void *ctx, int priority, const char *msg)
{
	(void)ctx;
	log_msg(priority, "%s", msg);
}

int ctl_publish_first(ctl_t *ctl, ctl_build_t *b, char *err, size_t errlen)
{
	zt_t *next = b->zt, *old;
	bool first = ctl->current == NULL; /* at start: nothing answers until this returns */
	ctl_build_t before;
	const ixfr_conf_t ixfr = {.dir = ctl->cfg->state_dir,
				  .max_bytes = ctl->cfg->ixfr_max_size,
				  .max_depth = ctl->cfg->ixfr_max_depth,
				  .log = ixfr_log};
	int rc = SANDNS_EOK;

	/* A configuration read again: the transfer thread's memory for it taken first, so that
	 * without it the switch is refused whole, not left half done (xfrin_prepare()). */
	if (ctl->cfg_next != NULL && ctl->xfrin != NULL)
		rc = xfrin_prepare(ctl->xfrin, ctl->cfg_next, err, errlen);
	/* The serials are on disk before anyone can see them (served or NOTIFYed): a restart
	 * after a crash never serves lower ones than a secondary already holds, nor a secondary
	 * zone's copy older than the one served (ctl_state.c). The one sync before the swap.
	 * When they cannot be written (a full disk, a directory where the file should be), the
	 * build is not published, as Knot fails a zone update whose journal it cannot write: the
	 * snapshot served stays with the serials on disk, and the next publish writes them
	 * again. */
	if (rc == SANDNS_EOK)
		rc = ctl_build_save_serials(ctl->cfg, b, err, errlen);
	if (rc != SANDNS_EOK) {
		if (ctl->xfrin != NULL)
			xfrin_unprepare(ctl->xfrin);
		ctl_build_clear(b);
		cfg_free(&ctl->cfg_next); /* a configuration read again stays unused */
		if (!first)
			log_msg(LOG_ERR,
				"%s: the new snapshot is not published, the previous one is still "
				"served; the next reload tries again",
				err);
		return rc;
	}
	b->zt = NULL;
	/* IXFR: what changed since the snapshot served, carried by the new one (ixfr_pub.c); its
	 * journal is written after the swap (ixfr_pub_commit, below). */
	if (next != NULL)
		ixfr_pub_prepare(ctl->current, next, &ixfr);
	/* The swap: what the control thread reads (current, info) changes with what is served. */
	ctl_pub_lock(ctl);
	old = zpub_swap(next);
	ctl->current = next;
	ctl->loaded_ms = clock_now_ms();
	before = ctl->info;
	ctl->info = *b;
	ctl->info.zt = NULL;
	memset(b, 0, sizeof(*b));
	/* A configuration read again: in force from the same moment as what it built. */
	if (ctl->cfg_next != NULL)
		ctl_cfg_switch(ctl);
	/* What /metrics shows of the snapshot (its zones, serials, the policy's decisions). */
	ctl_metrics_update(ctl);
	ctl_pub_unlock(ctl);
	/* Waits for every reader to leave the old snapshot, then frees it: no one else sees it. */
	zpub_retire(old);
	/* After the fork and with the signals blocked (ctl_new): threads may start. */
	if (next != NULL)
		zt_order_start(next);
	ctl_notify_changed(ctl, &before, &ctl->info);
	drop_journals(ixfr.dir, &before, &ctl->info);
	ctl_signstate_drop(ctl->cfg, &before, &ctl->info);
	ctl_build_clear(&before);
	/* Served and NOTIFYed: now the IXFR journals (append, fsync). A crash before they are on
	 * disk costs our own secondaries an AXFR, never a wrong IXFR (docs/design.md). */
	ixfr_pub_commit(next, &ixfr);
	/* Then the zones signed anew, kept for a restart (ctl_signstate.c); at start once the
	 * server answers (ctl_run). */
	if (!first)
		ctl_signstate_save(ctl->cfg, &ctl->info);
	for (size_t i = 0; i < ctl->info.nzones; i++)
		if (ctl->info.zones[i].serial_stale)
			log_msg(LOG_WARNING, CTL_STALE_SERIAL_FMT, ctl->info.zones[i].origin,
				ctl->info.zones[i].src_serial);
	return SANDNS_EOK;
}

/*
 * Frees the zones as read when keep-zones says not to keep them (ctl_build_drop_zones()): taken
 * out of the published info under pub_mu, freed after it (a tenth of a second for a million
 * records, which the control thread does not wait for).
 */
void ctl_drop_zones(ctl_t *ctl)
{
	ctl_build_t gone = {.nzones = ctl->info.nzones, .records = ctl->info.records};

	if (ctl->info.raw == NULL || ctl_build_keeps_zones(ctl->cfg, &ctl->info))
		return;
	gone.raw = calloc(gone.nzones + 1, sizeof(*gone.raw));
	if (gone.raw == NULL)
		return; /* kept: only memory, and the next publish tries again */
	ctl_pub_lock(ctl);
	for (size_t i = 0; i < gone.nzones; i++) {
		const cfg_catalog_t *c = cfg_catalog_find(ctl->cfg, ctl->info.zones[i].origin);

		/* A catalog sandns produces stays: made, not read, it is small, and the next build
		 * takes it again while its members are the same (catz_produce()). */
		if (c != NULL && c->producer)
			continue;
		gone.raw[i] = ctl->info.raw[i];
		ctl->info.raw[i] = NULL;
	}
	ctl_pub_unlock(ctl);
	ctl_build_drop_zones(ctl->cfg, &gone);
	free(gone.raw);
	if (!ctl->said_dropped) {
		log_msg(LOG_INFO,
			"%zu records: the zones as read are not kept in memory "
			"(keep-zones); reloads and explain read the files again",
			ctl->info.records);
		ctl->said_dropped = true;
	}
}

int ctl_publish(ctl_t *ctl, ctl_build_t *b, char *err, size_t errlen)
{
	int rc = ctl_publish_first(ctl, b, err, errlen);

	if (rc == SANDNS_EOK)
		ctl_drop_zones(ctl);
	return rc;
}

/* A reload's build is published; its counters follow (B: the build, MAP: what it was built on). */
static int reload_end(ctl_t *ctl, int rc, const ctl_build_t *map, ctl_build_t *b, char *err,
		      size_t errlen)
{
	if (rc == SANDNS_EOK) {
		/* The one publisher runs this: the served snapshot is still there to compare
		 * with. */
		ctl_build_check_serials(map, ctl->current, b);
		rc = ctl_publish(ctl, b, err, errlen);
	}
	if (rc != SANDNS_EOK) {
		ctl_pub_lock(ctl);
		ctl->reload_failures++;
		ctl_metrics_reloaded(ctl, false);
		ctl_pub_unlock(ctl);
		return rc;
	}
	ctl_pub_lock(ctl);
	ctl->reloads++;
	if (ctl->info.patched)
		ctl->builds_patched++;
	else
		ctl->builds_full++;
	ctl_metrics_reloaded(ctl, true);
	ctl_pub_unlock(ctl);
	return SANDNS_EOK;
}

int ctl_reload_cfg(ctl_t *ctl, cfg_t *next, const ctl_rebuild_t *what, char *err, size_t errlen)
{
	ctl_rebuild_t on_served = *what;
	ctl_build_t map, b;
	int rc;

	/* The snapshot served, made with the configuration replaced: patched when only some
	 * zones' data changed, or zones came or went (ctl_patch.c compares the settings). */
	on_served.base = ctl->current;
	if (ctl_cfg_prev_map(next, &ctl->info, &map) != SANDNS_EOK) {
		cfg_free(&next);
		snprintf(err, errlen, "out of memory");
		return reload_end(ctl, -ENOMEM, NULL, NULL, err, errlen);
	}
	rc = ctl_build(next, &map, &on_served, &b, err, errlen);
	if (rc == SANDNS_EOK && __atomic_load_n(&ctl->rl_stop, __ATOMIC_ACQUIRE)) {
		ctl_build_clear(&b);
		snprintf(err, errlen, "the daemon is stopping; nothing was published");
		rc = SANDNS_ECONFIG;
	}
	if (rc != SANDNS_EOK)
		cfg_free(&next);
	else
		ctl->cfg_next = next; /* switched to by the publish (ctl_cfg_switch) */
	rc = reload_end(ctl, rc, &map, &b, err, errlen);
	ctl_cfg_prev_unmap(&map);
	return rc;
}

int ctl_reload(ctl_t *ctl, const ctl_rebuild_t *what, char *err, size_t errlen)
{
	ctl_rebuild_t on_served = *what;
	ctl_build_t b;
	int rc;

	/* The configuration in force built the snapshot served: it may be patched. */
	on_served.base = ctl->current;
	rc = ctl_build(ctl->cfg, &ctl->info, &on_served, &b, err, errlen);
	if (rc == SANDNS_EOK && __atomic_load_n(&ctl->rl_stop, __ATOMIC_ACQUIRE)) {
		/* The daemon stops: a build that ends meanwhile is dropped, never published. */
		ctl_build_clear(&b);
		snprintf(err, errlen, "the daemon is stopping; nothing was published");
		rc = SANDNS_ECONFIG;
	}
	return reload_end(ctl, rc, &ctl->info, &b, err, errlen);
}
