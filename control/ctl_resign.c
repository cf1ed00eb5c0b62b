/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_resign.c: signatures renewed before they expire: a reload of the zone queued when due */
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "ctl_keys.h"
#include "ctl_pvt.h"
#include "sigtime.h"

void ctl_resign_tick(ctl_t *ctl)
{
	/* the signer's clock (sign_due is on it) */
	int64_t now = sigtime_now();

	for (size_t i = 0; i < ctl->info.nzones; i++) {
		ctl_zone_info_t *zi = &ctl->info.zones[i];
		ctl_rebuild_t what = {.zones = true, .zone = zi->origin};
		char done[640], failed[640];

		if (!zi->dnssec || zi->sign_due <= 0 || now < zi->sign_due || now < zi->sign_retry)
			continue;
		snprintf(done, sizeof(done), "zone %s: signatures renewed", zi->origin);
		snprintf(failed, sizeof(failed), "zone %s: renewing its signatures failed",
			 zi->origin);
		/* The reload publishes new info (a new due time); until then, not asked again. */
		zi->sign_retry = now + CTL_RESIGN_RETRY;
		ctl_reload_watch(ctl, &what, LOG_INFO, done, failed);
	}
}
