/* SPDX-License-Identifier: BSD-3-Clause */
/* zload.h: zone files read with libldns and validated, before they are compiled */
#ifndef ZLOAD_H
#define ZLOAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct zload_zone zload_zone_t;

/*
 * Called once per warning (an oddity that Knot DNS also tolerates); the text names
 * file, line and reason. May be NULL: warnings are then dropped.
 */
typedef void (*zload_warn_fn)(void *ctx, const char *msg);

/*
 * Reads and validates the master file PATH for zone ORIGIN ("example.com" or "example.com.").
 * Handles $ORIGIN, $TTL, $INCLUDE and RFC 3597 unknown types. On failure returns NULL and
 * writes "file:line: reason" into err (errlen bytes, always terminated). The caller owns
 * the result and frees it with zload_free().
 */
zload_zone_t *zload_file(const char *origin, const char *path, zload_warn_fn warn, void *warn_ctx,
			 char *err, size_t errlen);

/*
 * As zload_file(), from zone text in memory; NAME stands for the file in messages.
 * $INCLUDE paths are taken relative to the current directory.
 */
zload_zone_t *zload_string(const char *origin, const char *text, const char *name,
			   zload_warn_fn warn, void *warn_ctx, char *err, size_t errlen);

/* The origin in presentation form with its trailing dot (owned by the zone). */
const char *zload_origin(const zload_zone_t *zone);

/* How many records the zone holds. */
size_t zload_rr_count(const zload_zone_t *zone);

/* The SOA serial as loaded. */
unsigned long zload_serial(const zload_zone_t *zone);

/*
 * Called by zload_foreach() once per record. OWNER is lower-case presentation form with its
 * trailing dot; RDATA_TEXT is the record data in presentation form, one field after another
 * separated by single spaces, names as written in the file ("0 0 443 mail.example.com.").
 * Both strings live only during the call. A non-zero return stops the walk.
 */
typedef int (*zload_rr_fn)(void *ctx, const char *owner, uint16_t type, uint32_t ttl,
			   const char *rdata_text);

/*
 * Walks every record of ZONE in file order (duplicates removed), so that code outside zones/
 * can read a loaded zone without libldns. Returns 0 when the walk ended, FN's first non-zero
 * return when FN stopped it, or -ENOMEM. Costs two string allocations per record: it serves
 * the control plane (policy, reports), not the compiler.
 */
int zload_foreach(const zload_zone_t *zone, zload_rr_fn fn, void *ctx);

/* Frees *zone (NULL is fine) and leaves NULL behind. */
void zload_free(zload_zone_t **zone);

#endif
