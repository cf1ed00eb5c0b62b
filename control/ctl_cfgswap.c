/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_cfgswap.c: switching every thread to a configuration read again, with the snapshot built from
 * it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ctl_pvt.h"
#include "log.h"
#include "notify.h"
#include "sandns_err.h"
#include "xfrin.h"

int ctl_cfg_prev_map(const cfg_t *next, const ctl_build_t *prev, ctl_build_t *map)
{
	memset(map, 0, sizeof(*map));
	map->nzones = next->nzones;
	map->zones = calloc(next->nzones + 1, sizeof(*map->zones));
	if (map->zones == NULL)
		return -ENOMEM;
	if (prev->raw != NULL) {
		map->raw = calloc(next->nzones + 1, sizeof(*map->raw));
		if (map->raw == NULL) {
			free(map->zones);
			map->zones = NULL;
			return -ENOMEM;
		}
	}
	if (prev->signed_zones != NULL) {
		/* What sandns signed: kept, or its signatures reused, by the zone's next build. */
		map->signed_zones = calloc(next->nzones + 1, sizeof(*map->signed_zones));
		if (map->signed_zones == NULL) {
			free(map->zones);
			free(map->raw);
			map->zones = NULL;
			map->raw = NULL;
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < next->nzones; i++) {
		const cfg_zone_t *z = &next->zones[i];
		const ctl_zone_info_t *was = ctl_build_find(prev, z->origin);
		size_t j = was != NULL ? (size_t)(was - prev->zones) : prev->nzones;

		if (j == prev->nzones) {
			/* New: nothing served before under this name (no origin matches ""). */
			map->zones[i].origin = (char *)"";
			continue;
		}
		/* Its serials go on from what was served; read again if its source changed. */
		map->zones[i] = prev->zones[j];
		if (map->raw != NULL && zsrc_same(&prev->zones[j].src, &z->src))
			map->raw[i] = prev->raw[j];
		if (map->signed_zones != NULL)
			map->signed_zones[i] = prev->signed_zones[j];
	}
	map->certs = prev->certs;
	map->ncerts = prev->ncerts;
	(void)ctl_build_index(map); /* without memory, it is walked */
	return SANDNS_EOK;
}

void ctl_cfg_prev_unmap(ctl_build_t *map)
{
	ctl_build_index_free(map);
	free(map->zones);
	free(map->raw);
	free(map->signed_zones);
	memset(map, 0, sizeof(*map));
}

/* Whether zone ORIGIN is a secondary zone of CFG with its copy in PATH. */
static bool was_secondary(const cfg_t *cfg, const char *origin, const char *path)
{
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg->zones[i].src.kind == ZSRC_PRIMARY &&
		    cfg_same_origin(cfg->zones[i].origin, origin))
			return path != NULL && strcmp(cfg->zones[i].src.path, path) == 0;
	return false;
}

/* The transfer thread follows CFG's secondary zones; those new start from the copy served. */
static void switch_xfrin(ctl_t *ctl, const cfg_t *old)
{
	const cfg_t *cfg = ctl->cfg;
	char err[512];
	int rc;

	if (ctl->xfrin == NULL)
		return;
	rc = xfrin_reconfigure(ctl->xfrin, cfg, err, sizeof(err));
	if (rc != SANDNS_EOK)
		log_msg(LOG_ERR, "secondary zones: %s", err);
	/* Without memory it changed nothing: its zones are not CFG's, none is seeded. */
	for (size_t i = 0; rc != -ENOMEM && i < cfg->nzones && i < ctl->info.nzones; i++) {
		const cfg_zone_t *z = &cfg->zones[i];

		if (z->src.kind != ZSRC_PRIMARY || was_secondary(old, z->origin, z->src.path))
			continue;
		log_msg(LOG_INFO, "zone %s: a new secondary zone, refreshed from %s", z->origin,
			z->src.primaries != NULL ? z->src.primaries : "its primaries");
		if (!ctl->info.zones[i].absent && ctl->info.raw != NULL)
			xfrin_seed(ctl->xfrin, i, ctl->info.raw[i]);
	}
	if (xfrin_resume(ctl->xfrin, err, sizeof(err)) != SANDNS_EOK)
		log_msg(LOG_ERR, "%s: secondary zones are not refreshed", err);
}

/* The NOTIFY targets become CFG's: a new sender, the old one stopped (what it was sending
 * goes: the publish that follows NOTIFYs every zone whose serial changed or that is new). */
static void switch_notify(ctl_t *ctl)
{
	char err[512];
	notify_t *n = notify_new(ctl->cfg, err, sizeof(err));

	if (n == NULL || notify_start(n, err, sizeof(err)) != SANDNS_EOK) {
		notify_free(&n);
		log_msg(LOG_ERR, "notify: %s; the NOTIFY targets stay those configured before",
			err);
		return;
	}
	notify_carry(n, ctl->notify); /* `status` counts on from what was sent before */
	notify_free(&ctl->notify);
	ctl->notify = n;
}

void ctl_cfg_switch(ctl_t *ctl)
{
	const cfg_t *old = ctl->cfg;
	struct ctl_cfg_old *o;
	char err[512];

	ctl->cfg = ctl->cfg_next;
	ctl->cfg_next = NULL;
	/* The serving threads: returns once none reads OLD's keys and ACLs any more. */
	if (ctl->srv != NULL)
		srv_set_cfg(ctl->srv, ctl->cfg);
	switch_xfrin(ctl, old);
	switch_notify(ctl);
	if (ctl->cfg->watch) {
		ctl_watch_fini(ctl);
		if (ctl_watch_init(ctl, err, sizeof(err)) != SANDNS_EOK)
			log_msg(LOG_ERR, "%s: files are no longer watched", err);
	}
	if (old == ctl->cfg_boot)
		return;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		/* Kept for good rather than freed while a queued job may index it. */
		log_msg(LOG_ERR, "reload: out of memory (a configuration is kept until exit)");
		return;
	}
	o->cfg = (cfg_t *)old;
	o->next = ctl->cfg_old;
	ctl->cfg_old = o;
}

void ctl_cfg_reap(ctl_t *ctl, const cfg_t *keep)
{
	struct ctl_cfg_old **pp = &ctl->cfg_old;

	while (*pp != NULL) {
		struct ctl_cfg_old *o = *pp;

		if (o->cfg == keep) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		cfg_free(&o->cfg);
		free(o);
	}
}
