/* SPDX-License-Identifier: BSD-3-Clause */
/* zsrc.h: where a served zone comes from (a master file), for everything that reads or names it */
#ifndef ZSRC_H
#define ZSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "zload.h"

/*
 * A zone's source. Everything that reads a zone, names where it came from or watches it goes
 * through here (the snapshot build, reloads by zone name, status, explain, the watch), so
 * that another kind of source (a zone transferred from a primary) is one more kind here.
 */
enum zsrc_kind {
	ZSRC_FILE = 0, /* a master file (path): the only kind today */
};

typedef struct zsrc {
	enum zsrc_kind kind;
	char *path; /* ZSRC_FILE: the master file, absolute */
} zsrc_t;

/* A file source for PATH (copied) into OUT; SANDNS_EOK or -ENOMEM (OUT then empty). */
int zsrc_file(zsrc_t *out, const char *path);

/* A copy of IN into OUT; SANDNS_EOK or -ENOMEM (OUT then empty). */
int zsrc_copy(zsrc_t *out, const zsrc_t *in);

/* Frees what S holds and leaves it empty (a file source without a path). */
void zsrc_clear(zsrc_t *s);

/* Whether A and B are the same source (the same file). */
bool zsrc_same(const zsrc_t *a, const zsrc_t *b);

/* What kind of source S is, in one word for people and JSON keys: "file". */
const char *zsrc_kind_name(const zsrc_t *s);

/* Where S reads from, for people: the file's path ("" when unknown). */
const char *zsrc_where(const zsrc_t *s);

/* The file to watch for changes (`watch yes`), or NULL when S is no file. */
const char *zsrc_file_path(const zsrc_t *s);

/*
 * Reads zone ORIGIN from S, as zload_file() does for a file (WARN gets the warnings). NULL on
 * failure with the reason in err ("file:line: reason" for a file).
 */
zload_zone_t *zsrc_load(const zsrc_t *s, const char *origin, zload_warn_fn warn, void *warn_ctx,
			char *err, size_t errlen);

#endif
