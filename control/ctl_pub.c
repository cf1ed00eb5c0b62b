/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pub.c: publishing a build's snapshot, and rebuilding then publishing (a reload) */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "clock.h"
#include "ctl_pvt.h"
#include "ixfr.h"
#include "log.h"
#include "sandns_err.h"
#include "zpub.h"

/* Replaces the remembered build info by that of B (whose snapshot was just published). */
static void ctl_take_info(ctl_t *ctl, ctl_build_t *b)
{
	ctl_build_clear(&ctl->info);
	ctl->info = *b;
	ctl->info.zt = NULL;
	memset(b, 0, sizeof(*b));
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
 * serial changed, or that is new, is NOTIFYed. ctl->info still describes the snapshot before.
 */
static void ctl_notify_changed(ctl_t *ctl, const ctl_build_t *b)
{
	for (size_t i = 0; i < b->nzones; i++) {
		const ctl_zone_info_t *z = &b->zones[i];
		const ctl_zone_info_t *was = NULL;

		for (size_t j = 0; j < ctl->info.nzones && was == NULL; j++)
			if (strcasecmp(ctl->info.zones[j].origin, z->origin) == 0)
				was = &ctl->info.zones[j];
		if (was == NULL || was->serial != z->serial)
			ctl_notify_zone(ctl, z->origin, z->serial);
	}
}

static void ixfr_log(void *ctx, int priority, const char *msg)
{
	(void)ctx;
	log_msg(priority, "%s", msg);
}

void ctl_publish_first(ctl_t *ctl, ctl_build_t *b)
{
	zt_t *next = b->zt;
	const ixfr_conf_t ixfr = {.dir = ctl->cfg->state_dir,
				  .max_bytes = ctl->cfg->ixfr_max_size,
				  .max_depth = ctl->cfg->ixfr_max_depth,
				  .log = ixfr_log};

	b->zt = NULL;
	/* The serials are on disk before anyone can see them (served or NOTIFYed): a restart
	 * after a crash never serves lower ones than a secondary already holds. */
	ctl_build_save_serials(ctl->cfg, b);
	/* IXFR: what changed since the snapshot served, carried by the new one (ixfr_pub.c). */
	if (next != NULL)
		ixfr_pub_prepare(ctl->current, next, &ixfr);
	/* Waits for every reader to leave the old snapshot, then frees it. */
	zpub_publish(next);
	/* After the fork and with the signals blocked (ctl_new): threads may start. */
	if (next != NULL)
		zt_order_start(next);
	ctl->current = next;
	ctl->loaded_ms = clock_now_ms();
	ctl_notify_changed(ctl, b);
	ctl_take_info(ctl, b);
	ctl_metrics_update(ctl);
	for (size_t i = 0; i < ctl->info.nzones; i++)
		if (ctl->info.zones[i].serial_stale)
			log_msg(LOG_WARNING, CTL_STALE_SERIAL_FMT, ctl->info.zones[i].origin,
				ctl->info.zones[i].src_serial);
}

/* Frees the zones as read when keep-zones says not to keep them (ctl_build_drop_zones()). */
void ctl_drop_zones(ctl_t *ctl)
{
	if (ctl_build_drop_zones(ctl->cfg, &ctl->info) && !ctl->said_dropped) {
		log_msg(LOG_INFO,
			"%zu records: the zones as read are not kept in memory "
			"(keep-zones); reloads and explain read the files again",
			ctl->info.records);
		ctl->said_dropped = true;
	}
}

void ctl_publish(ctl_t *ctl, ctl_build_t *b)
{
	ctl_publish_first(ctl, b);
	ctl_drop_zones(ctl);
}

int ctl_reload(ctl_t *ctl, const ctl_rebuild_t *what, char *err, size_t errlen)
{
	ctl_build_t b;
	int rc;

	rc = ctl_build(ctl->cfg, &ctl->info, what, &b, err, errlen);
	if (rc != SANDNS_EOK) {
		ctl->reload_failures++;
		ctl_metrics_reloaded(ctl, false);
		return rc;
	}
	/* Only this thread publishes: the served snapshot is still there to compare with. */
	ctl_build_check_serials(&ctl->info, ctl->current, &b);
	ctl_publish(ctl, &b);
	ctl->reloads++;
	ctl_metrics_reloaded(ctl, true);
	return SANDNS_EOK;
}
