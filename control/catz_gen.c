/* SPDX-License-Identifier: BSD-3-Clause */
/* catz_gen.c: a catalog zone made (RFC 9432, version 2): sandns the producer, its zones the members
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "catz.h"
#include "cfg.h"
#include "fnv.h"
#include "sandns_err.h"

#define RR_TYPE_PTR 12

void catz_label(const char *member, char *buf, size_t len)
{
	uint64_t h = FNV_START;
	size_t n = strlen(member);

	/* The name as served: lower case, with the final dot, whatever was written. */
	for (size_t i = 0; i < n; i++)
		h = fnv_byte(h, (uint8_t)tolower((unsigned char)member[i]));
	if (n == 0 || member[n - 1] != '.')
		h = fnv_byte(h, '.');
	snprintf(buf, len, "%016llx", (unsigned long long)h);
}

/* Whether PREV's PTR members are exactly MEMBERS (sorted, as served: see served()). */
struct same_ctx {
	char *const *members;
	size_t n, seen;
	bool differ;
};

static int cmp_name(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static int same_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct same_ctx *s = ctx;

	(void)owner;
	(void)ttl;
	if (type != RR_TYPE_PTR)
		return 0;
	if (bsearch(&rdata, s->members, s->n, sizeof(*s->members), cmp_name) == NULL)
		s->differ = true;
	s->seen++;
	return 0;
}

/*
 * The N MEMBERS as served: lower case with the final dot (a member written "Example.COM" is
 * the same member as "example.com."), in their order, then the same N pointers sorted (at
 * [N, 2N)); NULL without memory. Freed with free_served().
 */
static char **served(const char *const *members, size_t n)
{
	char **m = calloc(2 * n + 1, sizeof(*m));

	for (size_t k = 0; m != NULL && k < n; k++) {
		size_t ml = strlen(members[k]);

		if (asprintf(&m[k], "%s%s", members[k],
			     ml > 0 && members[k][ml - 1] == '.' ? "" : ".") < 0) {
			m[k] = NULL;
			for (size_t i = 0; i < k; i++)
				free(m[i]);
			free(m);
			return NULL;
		}
		for (char *c = m[k]; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	if (m != NULL) {
		memcpy(m + n, m, n * sizeof(*m));
		qsort(m + n, n, sizeof(*m), cmp_name);
	}
	return m;
}

static void free_served(char **m, size_t n)
{
	for (size_t k = 0; m != NULL && k < n; k++)
		free(m[k]);
	free(m);
}

/* The hash of N members as served, sorted (served()'s second half); never 0. */
static uint64_t members_hash(char *const *sorted, size_t n)
{
	uint64_t h = FNV_START;

	for (size_t k = 0; k < n; k++)
		h = fnv_bytes(h, sorted[k], strlen(sorted[k]) + 1);
	return h != 0 ? h : 1;
}

zload_zone_t *catz_produce(const char *origin, const char *const *members, size_t n,
			   const catz_prev_t *prev, uint64_t *hash, char *err, size_t errlen)
{
	static const catz_prev_t none = {0};
	char **m = served(members, n);
	struct same_ctx same = {.members = m != NULL ? m + n : NULL, .n = n};
	unsigned long serial = (unsigned long)time(NULL);
	uint64_t h;
	char label[32];
	zload_zone_t *z;
	buf_t t = {0};

	if (m == NULL) {
		snprintf(err, errlen, "catalog %s: out of memory", origin);
		return NULL;
	}
	if (prev == NULL)
		prev = &none;
	h = members_hash(m + n, n);
	if (hash != NULL)
		*hash = h;
	/* The same members: PREV itself, its serial and version (nothing for consumers to fetch,
	 * nothing for a patch to replace). Else a newer serial, the time as Knot's generated
	 * catalogs, and never one not above the last. */
	if (prev->zone != NULL && zload_foreach(prev->zone, same_rr, &same) == 0 && !same.differ &&
	    same.seen == n && zload_serial(prev->zone) == prev->serial) {
		free_served(m, n);
		return zload_ref(prev->zone);
	}
	/* Served before a restart with the same members: made again as it was, at its serial, so
	 * that secondaries have nothing to fetch. */
	if (prev->zone == NULL && prev->hash == h && prev->serial != 0)
		serial = prev->serial;
	else if (serial <= prev->serial || serial > 0xffffffffUL)
		serial = (prev->serial + 1) & 0xffffffffUL;
	buf_printf(&t, "@ 0 IN SOA invalid. invalid. %lu 3600 600 2147483646 0\n", serial);
	BUF_LIT(&t, "@ 0 IN NS invalid.\nversion 0 IN TXT \"2\"\n");
	for (size_t k = 0; k < n; k++) {
		catz_label(m[k], label, sizeof(label));
		buf_printf(&t, "%s.zones 0 IN PTR %s\n", label, m[k]);
	}
	free_served(m, n);
	if (t.p == NULL || t.oom) {
		free(t.p);
		snprintf(err, errlen, "catalog %s: out of memory", origin);
		return NULL;
	}
	z = zload_string(origin, t.p, origin, NULL, NULL, err, errlen);
	free(t.p);
	return z;
}

zload_zone_t *catz_produce_cfg(const cfg_t *cfg, size_t zone, const catz_prev_t *prev,
			       uint64_t *hash, bool *made, char *err, size_t errlen)
{
	const cfg_catalog_t *c = cfg_catalog_find(cfg, cfg->zones[zone].origin);
	const char **members;
	char **names;
	size_t n = 0;
	zload_zone_t *z = NULL;

	*made = c != NULL && c->producer;
	if (!*made)
		return NULL;
	members = calloc(cfg->nzones + 1, sizeof(*members));
	names = calloc(cfg->nzones + 1, sizeof(*names));
	if (members == NULL || names == NULL)
		goto out;
	/* Every zone configured but the catalogs themselves. */
	for (size_t i = 0; i < cfg->nzones; i++) {
		const char *o = cfg->zones[i].origin;
		size_t ol = strlen(o);

		if (cfg_catalog_find(cfg, o) != NULL)
			continue;
		if (asprintf(&names[n], "%s%s", o, ol > 0 && o[ol - 1] == '.' ? "" : ".") < 0) {
			names[n] = NULL;
			goto out;
		}
		members[n] = names[n];
		n++;
	}
	z = catz_produce(cfg->zones[zone].origin, members, n, prev, hash, err, errlen);
out:
	if (z == NULL && (members == NULL || names == NULL || n < cfg->nzones))
		if (err[0] == '\0')
			snprintf(err, errlen, "catalog %s: out of memory", cfg->zones[zone].origin);
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	free(members);
	return z;
}
