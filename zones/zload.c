/* SPDX-License-Identifier: BSD-3-Clause */
/* zload.c: the loader's entry points: a zone from a file or from text, read then validated */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zload_state.h"

static zload_zone_t *zload_common(const char *origin, const char *text, size_t len,
				  const char *name, zload_warn_fn warn, void *warn_ctx, char *err,
				  size_t errlen)
{
	struct zload_state st = {
	    .warn = warn,
	    .warn_ctx = warn_ctx,
	    .err = err,
	    .errlen = errlen,
	    .default_ttl = 3600,
	};
	zload_zone_t *z = calloc(1, sizeof(*z));
	size_t olen = strlen(origin);

	if (errlen > 0)
		err[0] = '\0';
	if (z == NULL)
		goto fail_nomem;
	st.zone = z;
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
	return z;
fail_nomem:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: out of memory", name);
fail:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: cannot load zone", name);
	ldns_rdf_deep_free(st.prev);
	zload_free(&z);
	return NULL;
}

zload_zone_t *zload_string(const char *origin, const char *text, const char *name,
			   zload_warn_fn warn, void *warn_ctx, char *err, size_t errlen)
{
	return zload_common(origin, text, strlen(text), name, warn, warn_ctx, err, errlen);
}

zload_zone_t *zload_file(const char *origin, const char *path, zload_warn_fn warn, void *warn_ctx,
			 char *err, size_t errlen)
{
	char *text;
	size_t len;
	zload_zone_t *z;
	int ret = zload_read_all(path, &text, &len);

	if (ret != 0) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -ENOMEM ? "out of memory" : strerror(-ret));
		return NULL;
	}
	z = zload_common(origin, text, len, path, warn, warn_ctx, err, errlen);
	free(text);
	return z;
}
