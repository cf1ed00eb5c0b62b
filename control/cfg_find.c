/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_find.c: a configured zone found by its origin, through an index of the zones' origins */
#include <errno.h>
#include <stdlib.h>

#include "cfg.h"
#include "origins.h"

void cfg_zone_index_free(cfg_t *cfg)
{
	origins_free(cfg->zone_index);
	free(cfg->zone_index_names);
	cfg->zone_index = NULL;
	cfg->zone_index_names = NULL;
	cfg->zone_index_of = NULL;
	cfg->zone_index_n = 0;
}

int cfg_zone_index(cfg_t *cfg)
{
	const char **names;

	cfg_zone_index_free(cfg);
	names = calloc(cfg->nzones + 1, sizeof(*names));
	if (names == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->nzones; i++)
		names[i] = cfg->zones[i].origin;
	cfg->zone_index = origins_new(names, cfg->nzones);
	if (cfg->zone_index == NULL) {
		free(names);
		return -ENOMEM;
	}
	cfg->zone_index_names = names;
	cfg->zone_index_of = cfg->zones;
	cfg->zone_index_n = cfg->nzones;
	return 0;
}

long cfg_zone_find(const cfg_t *cfg, const char *origin)
{
	/* The index holds for the zones it was made of: a list changed since is walked. */
	if (cfg->zone_index != NULL && cfg->zone_index_of == cfg->zones &&
	    cfg->zone_index_n == cfg->nzones)
		return origins_exact(cfg->zone_index, origin);
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg_same_origin(cfg->zones[i].origin, origin))
			return (long)i;
	return -1;
}
