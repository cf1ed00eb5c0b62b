/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_pub.c: publishing a build's snapshot, and rebuilding then publishing (a reload) */
#include <string.h>
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
	ctl_take_info(ctl, b);
	ctl_build_save_serials(ctl->cfg, &ctl->info);
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
		return rc;
	}
	/* Only this thread publishes: the served snapshot is still there to compare with. */
	ctl_build_check_serials(&ctl->info, ctl->current, &b);
	ctl_publish(ctl, &b);
	ctl->reloads++;
	return SANDNS_EOK;
}
