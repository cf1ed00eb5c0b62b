/* SPDX-License-Identifier: BSD-3-Clause */
/* zload.c: the loader's entry points: a zone from a file or from text, read then validated */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zload_state.h"

/* The bound on one zone's text (zload_set_text_max): read by any thread that loads. */
static size_t zload_text_bound = ZLOAD_TEXT_MAX_DEFAULT;

void zload_set_text_max(size_t bytes)
{
	if (bytes == 0)
		bytes = ZLOAD_TEXT_MAX_DEFAULT;
	if (bytes > ZLOAD_TEXT_MAX_LIMIT)
		bytes = ZLOAD_TEXT_MAX_LIMIT;
	__atomic_store_n(&zload_text_bound, bytes, __ATOMIC_RELAXED);
}

size_t zload_text_max(void)
{
	return __atomic_load_n(&zload_text_bound, __ATOMIC_RELAXED);
}

/* The check mode's side of a reading (zload_check): where errors go, how many at most. */
struct zload_collect {
	zload_warn_fn error;
	void *ctx;
	size_t max;
	size_t nerrors; /* out */
	bool stopped;	/* out */
};

/*
 * TEXT (LEN octets, BOUND the zone's bound; ID the file it came from) read, then validated.
 * C: the check mode, NULL for a load.
 */
static zload_zone_t *zload_common(const char *origin, const char *text, size_t len,
				  const char *name, size_t bound, const struct zload_file_id *id,
				  zload_warn_fn warn, void *warn_ctx, char *err, size_t errlen,
				  struct zload_collect *c)
{
	struct zload_state st = {
	    .warn = warn,
	    .warn_ctx = warn_ctx,
	    .err = err,
	    .errlen = errlen,
	    .default_ttl = 3600,
	    .text_max = bound,
	    .text_read = len,
	    .open_files = {*id},
	    .collect = c != NULL ? c->error : NULL,
	    .collect_ctx = c != NULL ? c->ctx : NULL,
	    .max_errors = c != NULL ? c->max : 0,
	};
	zload_zone_t *z = calloc(1, sizeof(*z));
	size_t olen = strlen(origin);

	if (errlen > 0)
		err[0] = '\0';
	if (z == NULL)
		goto fail_nomem;
	st.zone = z;
	/* The files it is read from (zload_files_unchanged()): a text from memory has none. */
	z->stamp_bound = bound;
	(void)zload_stamp_add(z, name, id);
	z->origin_text = malloc(olen + 2);
	if (z->origin_text == NULL)
		goto fail_nomem;
	memcpy(z->origin_text, origin, olen + 1);
	if (olen == 0 || origin[olen - 1] != '.')
		strcat(z->origin_text, ".");
	if (ldns_str2rdf_dname(&z->origin, z->origin_text) != LDNS_STATUS_OK) {
		zload_fail(&st, name, 0, "zone origin '%s' is not a domain name", origin);
		goto fail;
	}
	ldns_dname2canonical(z->origin);
	free(z->origin_text);
	z->origin_text = ldns_rdf2str(z->origin);
	if (z->origin_text == NULL)
		goto fail_nomem;
	if (zload_text(&st, text, len, name, z->origin, 0) != 0)
		goto fail;
	if (zload_finish(&st) != 0)
		goto fail;
	ldns_rdf_deep_free(st.prev);
	/* Its octets a store a secondary's next versions share (zload_xfr.c): no copy. */
	(void)zload_store_make(z);
	return z;
fail_nomem:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: out of memory", name);
	if (c != NULL && st.nerrors == 0)
		zload_fail(&st, name, 0, "out of memory");
fail:
	if (c != NULL) {
		c->nerrors = st.nerrors;
		c->stopped = st.stopped;
	}
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: cannot load zone", name);
	ldns_rdf_deep_free(st.prev);
	zload_free(&z);
	return NULL;
}

zload_zone_t *zload_string(const char *origin, const char *text, const char *name,
			   zload_warn_fn warn, void *warn_ctx, char *err, size_t errlen)
{
	const struct zload_file_id none = {.known = false};

	return zload_common(origin, text, strlen(text), name, zload_text_max(), &none, warn,
			    warn_ctx, err, errlen, NULL);
}

zload_zone_t *zload_file(const char *origin, const char *path, zload_warn_fn warn, void *warn_ctx,
			 char *err, size_t errlen)
{
	size_t bound = zload_text_max();
	struct zload_file_id id;
	char why[256];
	char *text;
	size_t len;
	zload_zone_t *z;

	if (zload_read_all(path, bound, 0, NULL, 0, &text, &len, &id, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	z = zload_common(origin, text, len, path, bound, &id, warn, warn_ctx, err, errlen, NULL);
	free(text);
	return z;
}

bool zload_files_unchanged(const zload_zone_t *zone, const char *path)
{
	return !zone->stamps_bad && zload_stamps_unchanged(zone->stamps, path);
}

bool zload_stamps_unchanged(const zload_stamps_t *s, const char *path)
{
	return zload_stamps_same(s, path, zload_text_max());
}

size_t zload_check(const char *origin, const char *path, const char *text, zload_warn_fn warn,
		   void *warn_ctx, zload_warn_fn error, void *error_ctx, size_t max_errors,
		   bool *stopped)
{
	struct zload_collect c = {.error = error, .ctx = error_ctx, .max = max_errors};
	const struct zload_file_id none = {.known = false};
	size_t bound = zload_text_max(), len;
	struct zload_file_id id;
	char err[1024], why[256];
	char *buf = NULL;
	zload_zone_t *z;

	*stopped = false;
	if (max_errors == 0)
		c.max = SIZE_MAX;
	if (text == NULL) {
		if (zload_read_all(path, bound, 0, NULL, 0, &buf, &len, &id, why, sizeof(why)) !=
		    0) {
			snprintf(err, sizeof(err), "%s: %s", path, why);
			error(error_ctx, err);
			return 1;
		}
		text = buf;
	} else {
		len = strlen(text);
		id = none;
	}
	z = zload_common(origin, text, len, path, bound, &id, warn, warn_ctx, err, sizeof(err), &c);
	free(buf);
	if (z != NULL) {
		zload_free(&z);
		return 0;
	}
	*stopped = c.stopped;
	if (c.nerrors == 0) {
		/* Not an error of the text (memory): said all the same. */
		error(error_ctx, err);
		return 1;
	}
	return c.nerrors;
}
