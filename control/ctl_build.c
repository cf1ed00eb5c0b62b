/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_build.c: load every configured zone and compile them into one snapshot, off to the side */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ctl.h"
#include "sandns_err.h"
#include "zload.h"

static void ctl_zone_warning(void *ctx, const char *msg)
{
	(void)ctx;
	srv_log(LOG_WARNING, "warning: %s", msg);
}

void ctl_build_clear(ctl_build_t *b)
{
	size_t i;

	zt_free(&b->zt);
	for (i = 0; i < b->nzones; i++) {
		free(b->zones[i].origin);
		free(b->zones[i].path);
	}
	free(b->zones);
	memset(b, 0, sizeof(*b));
}

int ctl_build(const cfg_t *cfg, ctl_build_t *out, char *err, size_t errlen)
{
	const zt_opts_t opts = {
	    .udp_max_payload = cfg->udp_max_payload,
	    .identity = cfg->identity,
	    .version = cfg->version,
	};
	ctl_build_t b = {0};
	zload_zone_t **zones;
	size_t i, loaded;
	int rc = SANDNS_EOK;

	memset(out, 0, sizeof(*out));
	zones = calloc(cfg->nzones, sizeof(zones[0]));
	b.zones = calloc(cfg->nzones, sizeof(b.zones[0]));
	if (zones == NULL || b.zones == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out_free_zones;
	}

	for (loaded = 0; loaded < cfg->nzones; loaded++) {
		const cfg_zone_t *z = &cfg->zones[loaded];
		ctl_zone_info_t *info = &b.zones[loaded];

		zones[loaded] = zload_file(z->origin, z->path, ctl_zone_warning, NULL, err, errlen);
		if (zones[loaded] == NULL) {
			rc = SANDNS_EZONE;
			goto out_free_zones;
		}
		b.nzones++;
		info->origin = strdup(zload_origin(zones[loaded]));
		info->path = strdup(z->path);
		info->records = zload_rr_count(zones[loaded]);
		if (info->origin == NULL || info->path == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto out_free_zones;
		}
		b.records += info->records;
	}

	b.zt = zt_new(zones, cfg->nzones, &opts, err, errlen);
	if (b.zt == NULL) {
		rc = SANDNS_EZONE;
		goto out_free_zones;
	}
	*out = b;
	memset(&b, 0, sizeof(b));

out_free_zones:
	/* The snapshot holds its own copy of everything: the loaded zones go either way. */
	for (i = 0; zones != NULL && i < cfg->nzones; i++)
		zload_free(&zones[i]);
	free(zones);
	ctl_build_clear(&b);
	return rc;
}
