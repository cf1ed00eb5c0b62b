/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_cat.c: the catalog key (RFC 9432), and the member zones a consumer catalog adds */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catz.h"
#include "cfg_pvt.h"
#include "sandns_err.h"

int cfg_set_catalog(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		    char *err, size_t errlen)
{
	char origin[512], role[32], opt[32], num[32], extra[2];
	cfg_catalog_t c = {.max_members = CATZ_MAX_MEMBERS_DEFAULT};
	int n = sscanf(value, "%511s %31s %31s %31s %1s", origin, role, opt, num, extra);
	char *end;

	if ((n != 2 && n != 4) || (strcmp(role, "consumer") != 0 && strcmp(role, "producer") != 0))
		return cfg_fail(err, errlen,
				"%s: expected ORIGIN consumer [max-members N] or ORIGIN producer, "
				"not '%s'",
				key, value);
	c.producer = strcmp(role, "producer") == 0;
	if (n == 4) {
		unsigned long long v;

		if (c.producer || strcmp(opt, "max-members") != 0)
			return cfg_fail(err, errlen,
					"%s: expected ORIGIN consumer [max-members N] or ORIGIN "
					"producer, not '%s'",
					key, value);
		errno = 0;
		v = strtoull(num, &end, 10);
		if (errno != 0 || end == num || *end != '\0' || num[0] == '-' || v < 1 ||
		    v > CATZ_MAX_MEMBERS_LIMIT)
			return cfg_fail(err, errlen,
					"%s: max-members '%s' is not a number of 1 to %d", key, num,
					CATZ_MAX_MEMBERS_LIMIT);
		c.max_members = (size_t)v;
	}
	c.origin = strdup(origin);
	c.where = cfg_where_dup(src, key);
	if (c.origin == NULL || c.where == NULL ||
	    cfg_push(&cfg->catalogs, &cfg->ncatalogs, sizeof(c), &c) != SANDNS_EOK) {
		free(c.origin);
		free(c.where);
		return cfg_fail(err, errlen, "%s: out of memory", key);
	}
	return SANDNS_EOK;
}

const cfg_catalog_t *cfg_catalog_find(const cfg_t *cfg, const char *origin)
{
	for (size_t i = 0; i < cfg->ncatalogs; i++)
		if (cfg_same_origin(cfg->catalogs[i].origin, origin))
			return &cfg->catalogs[i];
	return NULL;
}

int cfg_check_catalogs(cfg_t *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->ncatalogs; i++) {
		const cfg_catalog_t *c = &cfg->catalogs[i];
		const cfg_primary_t *p;
		long zi = cfg_zone_find(cfg, c->origin);
		size_t z = zi >= 0 ? (size_t)zi : cfg->nzones;

		if (z == cfg->nzones)
			return cfg_fail(err, errlen,
					"%s: catalog %s: no zone %s is configured; add 'zone %s "
					"FILE' and its primary line",
					c->where, c->origin, c->origin, c->origin);
		if (c->producer && cfg_zone_primaries(cfg, z, &p, 1) > 0)
			return cfg_fail(
			    err, errlen,
			    "%s: catalog %s producer: %s is a secondary zone; sandns "
			    "makes a catalog it produces itself (drop its primary lines)",
			    c->where, c->origin, c->origin);
		if (!c->producer && cfg_zone_primaries(cfg, z, &p, 1) == 0)
			return cfg_fail(err, errlen,
					"%s: catalog %s consumer: %s must be a secondary zone (add "
					"'primary %s ADDR')",
					c->where, c->origin, c->origin, c->origin);
		if (cfg->zones[z].catalog != NULL)
			return cfg_fail(err, errlen, "%s: catalog %s: it is a member of catalog %s",
					c->where, c->origin, cfg->zones[z].catalog);
		for (size_t j = 0; j < i; j++)
			if (cfg_same_origin(cfg->catalogs[j].origin, c->origin))
				return cfg_fail(err, errlen, "%s: catalog %s is given twice (%s)",
						c->where, c->origin, cfg->catalogs[j].where);
	}
	return SANDNS_EOK;
}

void cfg_free_catalogs(cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->ncatalogs; i++) {
		free(cfg->catalogs[i].origin);
		free(cfg->catalogs[i].where);
	}
	free(cfg->catalogs);
	cfg->catalogs = NULL;
	cfg->ncatalogs = 0;
}

int cfg_add_member(cfg_t *cfg, const char *member, const char *path, const char *catalog,
		   const char *label, const char *coo)
{
	cfg_zone_t z = {0};
	size_t n = cfg->nprimaries;

	z.origin = strdup(member);
	z.catalog = strdup(catalog);
	z.catalog_label = strdup(label);
	z.catalog_coo = coo != NULL ? strdup(coo) : NULL;
	if (asprintf(&z.where, "catalog %s", catalog) < 0)
		z.where = NULL;
	if (z.origin == NULL || z.catalog == NULL || z.catalog_label == NULL || z.where == NULL ||
	    (coo != NULL && z.catalog_coo == NULL) || zsrc_file(&z.src, path) != SANDNS_EOK)
		goto nomem;
	if (cfg_push(&cfg->zones, &cfg->nzones, sizeof(z), &z) != SANDNS_EOK) {
		zsrc_clear(&z.src);
		goto nomem;
	}
	/* The catalog's primaries, in their order, with their keys. */
	for (size_t i = 0; i < n; i++) {
		cfg_primary_t p = cfg->primaries[i];

		if (!cfg_same_origin(p.origin, catalog))
			continue;
		p.origin = strdup(member);
		p.key = p.key != NULL ? strdup(p.key) : NULL;
		p.tkey = NULL;
		if (p.origin == NULL || (cfg->primaries[i].key != NULL && p.key == NULL) ||
		    cfg_push(&cfg->primaries, &cfg->nprimaries, sizeof(p), &p) != SANDNS_EOK) {
			free(p.origin);
			free(p.key);
			return -ENOMEM;
		}
	}
	return SANDNS_EOK;
nomem:
	free(z.origin);
	free(z.catalog);
	free(z.catalog_label);
	free(z.catalog_coo);
	free(z.where);
	return -ENOMEM;
}
