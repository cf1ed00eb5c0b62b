/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_find.c: a configured zone, or its primary lines, found by origin through an index */
#include <errno.h>
#include <stdint.h>
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

void cfg_primary_index_free(cfg_t *cfg)
{
	origins_free(cfg->primary_index);
	free(cfg->primary_index_names);
	free(cfg->primary_next);
	cfg->primary_index = NULL;
	cfg->primary_index_names = NULL;
	cfg->primary_next = NULL;
	cfg->primary_index_of = NULL;
	cfg->primary_index_n = 0;
}

int cfg_primary_index(cfg_t *cfg)
{
	const char **names;
	size_t *next;

	cfg_primary_index_free(cfg);
	names = calloc(cfg->nprimaries + 1, sizeof(*names));
	next = calloc(cfg->nprimaries + 1, sizeof(*next));
	if (names == NULL || next == NULL)
		goto nomem;
	for (size_t i = 0; i < cfg->nprimaries; i++)
		names[i] = cfg->primaries[i].origin;
	cfg->primary_index = origins_new(names, cfg->nprimaries);
	/* Each zone's lines chained in their order, from the first (origins_exact()). */
	if (cfg->primary_index == NULL ||
	    origins_chain(cfg->primary_index, names, cfg->nprimaries, next) != 0)
		goto nomem;
	cfg->primary_index_names = names;
	cfg->primary_next = next;
	cfg->primary_index_of = cfg->primaries;
	cfg->primary_index_n = cfg->nprimaries;
	return 0;
nomem:
	origins_free(cfg->primary_index);
	cfg->primary_index = NULL;
	free(names);
	free(next);
	return -ENOMEM;
}

size_t cfg_primary_first(const cfg_t *cfg, const char *origin)
{
	long i;

	if (cfg->primary_index == NULL || cfg->primary_index_of != cfg->primaries ||
	    cfg->primary_index_n != cfg->nprimaries)
		return SIZE_MAX;
	i = origins_exact(cfg->primary_index, origin);
	return i >= 0 ? (size_t)i : SIZE_MAX;
}
