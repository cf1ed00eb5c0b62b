/* SPDX-License-Identifier: BSD-3-Clause */
/* cfg_sec.c: the secondary-zone key: primary (where a zone is transferred from) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_pvt.h"
#include "sandns_err.h"

int cfg_set_primary(cfg_t *cfg, const char *key, const char *value, const struct cfg_src *src,
		    char *err, size_t errlen)
{
	char *copy = strdup(value), *tok[5], *save = NULL, reason[256];
	cfg_primary_t p = {0};
	size_t n = 0;

	if (copy == NULL)
		return cfg_fail(err, errlen, "%s: out of memory", key);
	for (char *t = strtok_r(copy, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save))
		if (n < 5)
			tok[n++] = t;
		else
			n = 6;
	if (n != 2 && !(n == 4 && strcmp(tok[2], "key") == 0)) {
		free(copy);
		return cfg_fail(err, errlen, "%s: expected ORIGIN ADDR[@PORT] [key NAME], not '%s'",
				key, value);
	}
	if (cfg_parse_addr(tok[1], &p.addr, reason, sizeof(reason)) != SANDNS_EOK) {
		cfg_fail(err, errlen, "%s %s: %s", key, tok[0], reason);
		free(copy);
		return SANDNS_ECONFIG;
	}
	p.origin = strdup(tok[0]);
	p.key = n == 4 ? strdup(tok[3]) : NULL;
	cfg_where(src, key, p.where, sizeof(p.where));
	free(copy);
	if (p.origin == NULL || (n == 4 && p.key == NULL) ||
	    cfg_push(&cfg->primaries, &cfg->nprimaries, sizeof(p), &p) != SANDNS_EOK) {
		free(p.origin);
		free(p.key);
		return cfg_fail(err, errlen, "%s: out of memory", key);
	}
	return SANDNS_EOK;
}

int cfg_check_primaries(cfg_t *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nprimaries; i++) {
		cfg_primary_t *p = &cfg->primaries[i];

		p->tkey = p->key != NULL ? cfg_key_find(cfg, p->key) : NULL;
		if (p->key != NULL && p->tkey == NULL)
			return cfg_fail(err, errlen,
					"%s: primary %s %s key %s: no key %s is defined (add a key "
					"or key-file line for it)",
					p->where, p->origin, p->addr.text, p->key, p->key);
		if (cfg_zone_find(cfg, p->origin) < 0)
			return cfg_fail(err, errlen,
					"%s: primary %s %s: no zone %s is configured; add 'zone %s "
					"FILE' (FILE: where its transferred copy is kept)",
					p->where, p->origin, p->addr.text, p->origin, p->origin);
	}
	if (cfg_primary_index(cfg) != 0)
		return cfg_fail(err, errlen, "out of memory");
	/* Each secondary zone's source: its file, filled from the primaries, tried in order. */
	for (size_t z = 0; z < cfg->nzones; z++) {
		char text[512] = "";
		size_t len = 0;
		bool any = false;

		for (size_t i = cfg_primary_first(cfg, cfg->zones[z].origin); i != SIZE_MAX;
		     i = cfg->primary_next[i]) {
			if (len < sizeof(text))
				len +=
				    (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
						     any ? ", " : "", cfg->primaries[i].addr.text);
			any = true;
		}
		if (any && zsrc_make_primary(&cfg->zones[z].src, text) != SANDNS_EOK)
			return cfg_fail(err, errlen, "out of memory");
	}
	return SANDNS_EOK;
}

void cfg_free_primaries(cfg_t *cfg)
{
	for (size_t i = 0; i < cfg->nprimaries; i++) {
		free(cfg->primaries[i].origin);
		free(cfg->primaries[i].key);
	}
	free(cfg->primaries);
	cfg->primaries = NULL;
	cfg->nprimaries = 0;
	cfg_primary_index_free(cfg);
}

size_t cfg_zone_primaries(const cfg_t *cfg, size_t zone, const cfg_primary_t **out, size_t max)
{
	size_t n = 0;

	if (cfg->primary_index != NULL && cfg->primary_index_of == cfg->primaries &&
	    cfg->primary_index_n == cfg->nprimaries) {
		for (size_t i = cfg_primary_first(cfg, cfg->zones[zone].origin);
		     i != SIZE_MAX && n < max; i = cfg->primary_next[i])
			out[n++] = &cfg->primaries[i];
		return n;
	}
	for (size_t i = 0; i < cfg->nprimaries && n < max; i++)
		if (cfg_same_origin(cfg->zones[zone].origin, cfg->primaries[i].origin))
			out[n++] = &cfg->primaries[i];
	return n;
}
