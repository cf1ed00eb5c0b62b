/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_nameset.h: a zone's names as digests, to say that a name is not there without the zone */
#ifndef ZLOAD_NAMESET_H
#define ZLOAD_NAMESET_H

#include <stddef.h>

#include "zload.h"

/*
 * The names of a loaded zone: every owner, every name between an owner and the origin (empty
 * non-terminals) and the names kept empty by an edit, each as a 64-bit FNV-1a digest of its wire
 * form without case, sorted: 8 octets a name. A name whose digest is not there has no records at
 * it or below it; one whose digest is there may have (two names can share a digest: ask the
 * zone). Immutable once made.
 */
typedef struct zload_nameset zload_nameset_t;

/* The set of ZONE's names; NULL without memory. */
zload_nameset_t *zload_nameset_new(const zload_zone_t *zone);
void zload_nameset_free(zload_nameset_t **s);
/* The distinct digests S holds. */
size_t zload_nameset_count(const zload_nameset_t *s);
/*
 * Whether NAME (presentation form, any case) may be in S: 1 (at or below it may be records: ask
 * the zone; so for any name not at or below the zone's origin), 0 (nothing at it nor below it),
 * SANDNS_EPARSE for a name that does not parse, or -ENOMEM.
 */
int zload_nameset_has(const zload_nameset_t *s, const char *name);

#endif
