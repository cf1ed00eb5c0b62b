/* SPDX-License-Identifier: BSD-3-Clause */
/* zsrc.c: where a served zone comes from (a master file, a primary), for all that reads or names it
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sandns_err.h"
#include "xfrin.h"
#include "zsrc.h"

int zsrc_file(zsrc_t *out, const char *path)
{
	out->kind = ZSRC_FILE;
	out->primaries = NULL;
	out->path = strdup(path);
	return out->path != NULL ? SANDNS_EOK : -ENOMEM;
}

int zsrc_make_primary(zsrc_t *s, const char *primaries)
{
	char *p = strdup(primaries);

	if (p == NULL)
		return -ENOMEM;
	free(s->primaries);
	s->primaries = p;
	s->kind = ZSRC_PRIMARY;
	return SANDNS_EOK;
}

int zsrc_copy(zsrc_t *out, const zsrc_t *in)
{
	out->kind = in->kind;
	out->path = in->path != NULL ? strdup(in->path) : NULL;
	out->primaries = in->primaries != NULL ? strdup(in->primaries) : NULL;
	if ((in->path != NULL && out->path == NULL) ||
	    (in->primaries != NULL && out->primaries == NULL)) {
		zsrc_clear(out);
		return -ENOMEM;
	}
	return SANDNS_EOK;
}

void zsrc_clear(zsrc_t *s)
{
	free(s->path);
	free(s->primaries);
	s->path = NULL;
	s->primaries = NULL;
	s->kind = ZSRC_FILE;
}

bool zsrc_same(const zsrc_t *a, const zsrc_t *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->path == NULL || b->path == NULL)
		return a->path == b->path;
	return strcmp(a->path, b->path) == 0;
}

const char *zsrc_kind_name(const zsrc_t *s)
{
	return s->kind == ZSRC_PRIMARY ? "primary" : "file";
}

const char *zsrc_where(const zsrc_t *s)
{
	if (s->kind == ZSRC_PRIMARY && s->primaries != NULL)
		return s->primaries;
	return s->path != NULL ? s->path : "";
}

const char *zsrc_file_path(const zsrc_t *s)
{
	/* A secondary's copy changes under the transfer thread, which asks for its reload. */
	return s->kind == ZSRC_FILE ? s->path : NULL;
}

zload_zone_t *zsrc_load(const zsrc_t *s, const char *origin, zload_warn_fn warn, void *warn_ctx,
			char *err, size_t errlen)
{
	if (s->path != NULL)
		return zload_file(origin, s->path, warn, warn_ctx, err, errlen);
	snprintf(err, errlen, "zone %s: no file to read it from", origin);
	return NULL;
}

struct soa_fields {
	unsigned long v[5]; /* serial refresh retry expire minimum */
	bool ok;
};

static int soa_fields_fn(void *ctx, const char *owner, uint16_t type, uint32_t ttl,
			 const char *rdata)
{
	struct soa_fields *f = ctx;
	char mname[256], rname[256];

	(void)owner;
	(void)ttl;
	if (type != 6)
		return 0;
	f->ok = sscanf(rdata, "%255s %255s %lu %lu %lu %lu %lu", mname, rname, &f->v[0], &f->v[1],
		       &f->v[2], &f->v[3], &f->v[4]) == 7;
	return 1;
}

bool zsrc_soa_timers(const zload_zone_t *zone, unsigned long *refresh, unsigned long *retry,
		     unsigned long *expire)
{
	struct soa_fields f = {.ok = false};

	zload_lookup(zone, zload_origin(zone), 6, soa_fields_fn, &f);
	if (!f.ok)
		return false;
	*refresh = f.v[1];
	*retry = f.v[2];
	*expire = f.v[3];
	return true;
}

zload_zone_t *zsrc_load_served(const zsrc_t *s, const char *origin, bool first,
			       const uint32_t *served, zload_warn_fn warn, void *warn_ctx,
			       bool *absent, char *err, size_t errlen)
{
	unsigned long refresh, retry, expire;
	uint32_t pending;
	zload_zone_t *z;
	struct stat st;
	bool behind;

	*absent = false;
	if (s->kind != ZSRC_PRIMARY)
		return zsrc_load(s, origin, warn, warn_ctx, err, errlen);
	if (s->path == NULL || stat(s->path, &st) != 0) {
		*absent = true;
		snprintf(err, errlen, "zone %s: not transferred yet (no copy at %s)", origin,
			 s->path != NULL ? s->path : "?");
		return NULL;
	}
	z = zsrc_load(s, origin, warn, warn_ctx, err, errlen);
	if (z == NULL) {
		*absent = first;
		return NULL;
	}
	/* What was served (serial-state), else an older sandnsd's mark beside the copy. */
	behind = served != NULL && zload_serial(z) != *served;
	if (behind)
		pending = *served;
	else
		behind = xfrin_copy_pending(s->path, &pending) && zload_serial(z) != pending;
	if (behind) {
		/* Served at PENDING, then a crash before the copy was written: never the older
		 * copy (a lower serial, stale data); a refresh is due at once (xfrin.c). A copy
		 * newer than that is none this sandnsd wrote (put there by hand, restored). */
		if ((int32_t)((uint32_t)zload_serial(z) - pending) > 0)
			snprintf(err, errlen,
				 "zone %s: its copy %s holds serial %lu, newer than serial %u, the "
				 "last served: not a copy this sandnsd wrote",
				 origin, s->path, zload_serial(z), pending);
		else
			snprintf(err, errlen,
				 "zone %s: its copy %s holds serial %lu, but serial %u was served "
				 "and not written before sandnsd stopped",
				 origin, s->path, zload_serial(z), pending);
		zload_free(&z);
		*absent = true;
		return NULL;
	}
	if (zsrc_soa_timers(z, &refresh, &retry, &expire) &&
	    (time_t)(st.st_mtime + (time_t)(expire < ZSRC_EXPIRE_MIN ? ZSRC_EXPIRE_MIN : expire)) <
		time(NULL)) {
		snprintf(err, errlen,
			 "zone %s: expired (no refresh from %s for its SOA expire, %lu s)", origin,
			 zsrc_where(s), expire);
		zload_free(&z);
		*absent = true;
		return NULL;
	}
	return z;
}
