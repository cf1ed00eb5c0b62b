/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_state.h: a zone sandns signed, kept in a file across restarts (sign_state.c) */
#ifndef SIGN_STATE_H
#define SIGN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "sign.h"
#include "zload.h"

/* What a signed zone was signed from, and what it serves: the file's header. */
typedef struct sign_state_meta {
	uint64_t src;	 /* sign_zone_digest() of the zone as read */
	uint64_t edits;	 /* a digest of the policy's edits applied to it */
	uint64_t sign;	 /* a digest of the keys and the policy it was signed with */
	sign_params_t p; /* the policy's parameters (for the log: what changed) */
	uint32_t serial; /* the SOA serial served */
	int64_t expire;	 /* when its first signature expires (Unix time) */
	int64_t due;	 /* when its signatures are to be renewed */
} sign_state_meta_t;

/*
 * The file: a header of 128 octets ("sandns-signed 1", META, the counts and lengths below, in
 * network order), the origin and the file names (NUL-terminated), the empty nodes (a length
 * octet and the wire name each), a table of 24 octets a record (owner and data offsets, TTL,
 * type, data length, file index, line), the records' octets as the zone holds them, then a
 * SHA-256 of everything before it. Its size is the signed zone's in memory, or less.
 */

/*
 * Z (a zone sign_zone() made) and M written to PATH: a new file beside it (PATH.new, mode 0600),
 * fsync'd, renamed over it, its directory synced. 0, or -errno with the reason (naming PATH) in
 * err.
 */
int sign_state_write(const char *path, const zload_zone_t *z, const sign_state_meta_t *m, char *err,
		     size_t errlen);

/*
 * The signed zone of ORIGIN kept in PATH, with its header into *M: NULL with the reason in err
 * (naming PATH) when it is missing (*MISSING true, may be NULL), not a regular file, larger than
 * zload_text_max(), of another format, torn (shorter or longer than it says), damaged (its
 * SHA-256 does not match), of another zone, or inconsistent (an offset past its octets).
 */
zload_zone_t *sign_state_read(const char *path, const char *origin, sign_state_meta_t *m,
			      bool *missing, char *err, size_t errlen);

#endif
