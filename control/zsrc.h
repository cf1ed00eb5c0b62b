/* SPDX-License-Identifier: BSD-3-Clause */
/* zsrc.h: where a served zone comes from (a master file, a primary), for all that reads or names it
 */
#ifndef ZSRC_H
#define ZSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "zload.h"

/*
 * A zone's source. Everything that reads a zone, names where it came from or watches it goes
 * through here (the snapshot build, reloads by zone name, status, explain, the watch).
 */
enum zsrc_kind {
	ZSRC_FILE = 0,	  /* a master file (path) the operator writes */
	ZSRC_PRIMARY = 1, /* a secondary zone: transferred from primaries, its copy kept at path */
};

typedef struct zsrc {
	enum zsrc_kind kind;
	char *path;	 /* the master file, absolute (ZSRC_PRIMARY: the transferred copy) */
	char *primaries; /* ZSRC_PRIMARY: "ADDR@PORT[, ADDR@PORT...]" for people; else NULL */
} zsrc_t;

/* A file source for PATH (copied) into OUT; SANDNS_EOK or -ENOMEM (OUT then empty). */
int zsrc_file(zsrc_t *out, const char *path);

/*
 * Makes the file source S a secondary zone's: its file becomes where the copy transferred from
 * PRIMARIES (text for people, copied) lives. SANDNS_EOK or -ENOMEM (S unchanged).
 */
int zsrc_make_primary(zsrc_t *s, const char *primaries);

/* A copy of IN into OUT; SANDNS_EOK or -ENOMEM (OUT then empty). */
int zsrc_copy(zsrc_t *out, const zsrc_t *in);

/* Frees what S holds and leaves it empty (a file source without a path). */
void zsrc_clear(zsrc_t *s);

/* Whether A and B are the same source (the same kind and file). */
bool zsrc_same(const zsrc_t *a, const zsrc_t *b);

/* What kind of source S is, in one word for people and JSON keys: "file" or "primary". */
const char *zsrc_kind_name(const zsrc_t *s);

/* Where S reads from, for people: the file's path, or the primaries ("" when unknown). */
const char *zsrc_where(const zsrc_t *s);

/* The file to watch for changes (`watch yes`), or NULL when S is no file the operator edits. */
const char *zsrc_file_path(const zsrc_t *s);

/*
 * Reads zone ORIGIN from S, as zload_file() does for a file (WARN gets the warnings). NULL on
 * failure with the reason in err ("file:line: reason" for a file).
 */
zload_zone_t *zsrc_load(const zsrc_t *s, const char *origin, zload_warn_fn warn, void *warn_ctx,
			char *err, size_t errlen);

/*
 * Reads zone ORIGIN from S to serve it. A secondary zone (ZSRC_PRIMARY) may have nothing to
 * serve: not transferred yet (no file), expired (its file, whose modification time is its last
 * successful refresh, is older than its SOA's expire), or, at start (FIRST), a copy that does
 * not load, or a copy that is not the version last served: SERVED (NULL: not known), the
 * serial of the copy that was served (serial-state's FILE_SERIAL at start), or a `pending` mark
 * left beside it by an older sandnsd (xfrin_copy_pending()). Then NULL with *ABSENT set and the
 * reason in err: the zone is answered SERVFAIL until a transfer brings it. Otherwise as
 * zsrc_load() (*ABSENT false).
 */
zload_zone_t *zsrc_load_served(const zsrc_t *s, const char *origin, bool first,
			       const uint32_t *served, zload_warn_fn warn, void *warn_ctx,
			       bool *absent, char *err, size_t errlen);

/* The shortest expire a secondary zone gets, whatever its SOA says (Knot's expire-min-interval). */
#define ZSRC_EXPIRE_MIN 3

/* The SOA's refresh, retry and expire of ZONE (seconds); false when it has none that parses. */
bool zsrc_soa_timers(const zload_zone_t *zone, unsigned long *refresh, unsigned long *retry,
		     unsigned long *expire);

#endif
