/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch.h: a snapshot made from the one served by compiling again only the names that changed */
#ifndef ZT_PATCH_H
#define ZT_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zt.h"

/* zt_patch()'s answer when it does not make this change: compile them all with zt_new(). */
#define ZT_PATCH_FULL 1

/* One zone's new version and what changed in it since the snapshot it is patched into. */
typedef struct zt_patch_in {
	const zload_zone_t *zone;     /* the new version, whole; BASE serves a zone of its origin */
	const zt_zone_edits_t *edits; /* its policy edits (or NULL), the same BASE was built with
				       * (else ZT_PATCH_FULL) unless EDITS_NEW, applied to the
				       * names listed */
	unsigned long serial;	      /* the SOA serial served */
	const uint8_t *const *names;  /* every owner whose records differ from BASE's (added,
				       * changed or removed): lower-case wire names */
	size_t nnames;
	bool edits_new; /* EDITS are not those BASE compiled the zone with: NAMES then hold the
			 * apex and every owner the old edits and the new name too (BASE keeps
			 * only a fingerprint of the old: the caller knows them) */
} zt_patch_in_t;

/*
 * A snapshot that answers exactly as zt_new() would (byte for byte) over BASE's zones with
 * IN->zone in place of the version BASE holds, with the options BASE was made with; made in time
 * that grows with IN->nnames, not with the zone: the names listed are compiled again, the rest
 * of BASE is shared with it (its big arrays are reference-counted: the new snapshot may outlive
 * BASE). Zones keep their order and numbers. Returns 0 with *OUT (one reference, the caller's);
 * ZT_PATCH_FULL with the reason in ERR when the change is one a patch does not make (the caller
 * then compiles with zt_new(); docs/design.md lists them); or a negative sandns error / -errno.
 * One patch at a time per line of snapshots (the reload thread); BASE stays valid meanwhile.
 */
int zt_patch(const zt_t *base, const zt_patch_in_t *in, zt_t **out, char *err, size_t errlen);

/* Zones a snapshot gains and loses (zt_patch_zones()). */
typedef struct zt_patch_zones_in {
	zload_zone_t *const *add;		 /* zones BASE does not serve, compiled in whole */
	const zt_zone_edits_t *const *add_edits; /* each one's edits and served serial, or NULL */
	size_t nadd;
	const char *const *remove; /* origins of zones BASE serves that go */
	size_t nremove;
	const zt_opts_t *opts; /* what zt_new() would be given: BASE's settings (else FULL), the
				* zones answered SERVFAIL from now on */
} zt_patch_zones_in_t;

/*
 * A snapshot that answers as zt_new() would over BASE's zones with IN->add added and
 * IN->remove taken out, and IN->opts's zones answered SERVFAIL, made without touching the other
 * zones: each added zone is compiled past the store's tip under a new zone number (after
 * BASE's), its names put in the new snapshot's own index; a removed zone's names leave that
 * index and its number stays a slot with no origin (zt_zone_origin()), so that every other zone
 * keeps its number and its nodes. An origin both taken out and added replaces that zone (a
 * version with nothing to compare it with): its old names out, the new version compiled in
 * under a new number, as for any zone that comes and goes. What it does not make: ZT_PATCH_FULL
 * with the reason in ERR:
 * a zone added or removed that is signed, at, above or below another served zone (or above or
 * below one answered SERVFAIL), a zone answered SERVFAIL that comes or goes above or below a
 * served one, other settings than BASE's, the store worn (zt_mem_store_worn_by(), the zone
 * taken out counted), too many slots left empty. BASE's patch record (zt_patch_names()) is
 * carried. Otherwise as zt_patch(): 0 with *OUT, or an error.
 */
int zt_patch_zones(const zt_t *base, const zt_patch_zones_in_t *in, zt_t **out, char *err,
		   size_t errlen);

/*
 * Why no change of zone ORIGIN (as configured) can be patched into BASE, whatever the names: a
 * signed zone whose snapshot keeps NSEC3 NXDOMAIN parts below its apex or its NSEC denial
 * answers whole (zt_denial_budget), or answers its NXDOMAIN with DO live; the text zt_patch()
 * gives after "zone ORIGIN ". NULL: none of those (zt_patch() may still refuse), or BASE does
 * not serve ORIGIN. Lets a caller skip finding the names that changed (and a signer indexing
 * its version for it) when the zone compiles whole anyway.
 */
const char *zt_patch_blocked(const zt_t *base, const char *origin);

/*
 * When zone Z of ZT was made by zt_patch() from FROM: true, with the names that changed (as given
 * to it; owned by ZT). IXFR's history then compares only those names' RRsets (ixfr_pub.c).
 */
bool zt_patch_names(const zt_t *zt, uint32_t z, const zt_t *from, const uint8_t *const **names,
		    size_t *nnames);

#endif
