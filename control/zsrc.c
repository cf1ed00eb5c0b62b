/* SPDX-License-Identifier: BSD-3-Clause */
/* zsrc.c: where a served zone comes from (a master file), for everything that reads or names it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandns_err.h"
#include "zsrc.h"

int zsrc_file(zsrc_t *out, const char *path)
{
	out->kind = ZSRC_FILE;
	out->path = strdup(path);
	return out->path != NULL ? SANDNS_EOK : -ENOMEM;
}

int zsrc_copy(zsrc_t *out, const zsrc_t *in)
{
	out->kind = in->kind;
	out->path = NULL;
	if (in->path == NULL)
		return SANDNS_EOK;
	out->path = strdup(in->path);
	return out->path != NULL ? SANDNS_EOK : -ENOMEM;
}

void zsrc_clear(zsrc_t *s)
{
	free(s->path);
	s->path = NULL;
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
	(void)s; /* a file: the one kind there is */
	return "file";
}

const char *zsrc_where(const zsrc_t *s)
{
	return s->path != NULL ? s->path : "";
}

const char *zsrc_file_path(const zsrc_t *s)
{
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
