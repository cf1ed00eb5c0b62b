/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_build.h: the snapshot compiler's state and its stages, in the order zt_new() runs them */
#ifndef ZT_BUILD_H
#define ZT_BUILD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zload.h"
#include "zt_mem.h"
#include "zt_pvt.h"

/* A record loaded, waiting to be grouped into its RRset (zt_rrsets_make()). */
struct zt_pending {
	uint32_t node;
	uint16_t type;
	uint16_t covered;
	uint32_t ttl;
	uint32_t rdata; /* offset of [u16 len][rdata] in the build's pdata */
	uint32_t order;
};

/* One snapshot being compiled. */
struct zt_build {
	zt_t *zt;
	zt_mem_t mem;	/* its big arrays */
	uint8_t *pdata; /* the records' [u16 len][rdata] until zt_rrsets_make() places them */
	size_t pdata_len, pdata_cap;
	struct zt_pending *pend; /* the records loaded so far */
	size_t npend, pend_cap;
	char *err;
	size_t errlen;
	bool *has_sub; /* per zone (sorted deepest first): another served zone lies below it */
	bool patch;    /* compiling a zone into a patched snapshot (zt_patch_zones()): its index
			* holds only some of the store's nodes, and grows by zt_index_room() */
	uint8_t scratch[65536]; /* where answers are rendered before they become blobs */
};

/* Says why the build fails, in the caller's error buffer. */
static inline void __attribute__((format(printf, 2, 3)))
zt_build_fail(struct zt_build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
}

/*
 * zt.c: the origins OPTS->absent lists (zones with no data, answered SERVFAIL) as lower-case wire
 * names one after another, into *LIST (malloc'd; NULL when none), *LEN octets. 0 or -ENOMEM.
 */
int zt_absent_list(const zt_opts_t *opts, uint8_t **list, size_t *len);

/* ---- the stages (zt.c runs them) ---- */

/*
 * zt_nodes.c: zone Z of ZONES (sorted deepest first) with the edits E (or NULL): its names
 * become nodes (with their empty non-terminals) and its records pending ones. 0, -ENOMEM or a
 * sandns error with the reason in b->err.
 */
int zt_nodes_load_zone(struct zt_build *b, zload_zone_t *const *zones, size_t nzones, size_t z,
		       const zt_zone_edits_t *e);

/* zt_rrsets.c: the pending records grouped into RRsets, each node's contiguous, by type. */
int zt_rrsets_make(struct zt_build *b);

/*
 * zt_rrsets.c: the links between nodes (delegations, wildcards, parent sides) and each zone's
 * facts (negative TTL, NSEC chain, transfer order unless it waits). 0 or -ENOMEM.
 */
int zt_rrsets_link(struct zt_build *b);

/*
 * zt_rrsets.c, for zt_patch_zones(): zone Z's nodes, the last made ([first_node, nnodes)),
 * linked, and its facts made (its transfer order sorted now). 0 or -ENOMEM.
 */
int zt_rrsets_link_zone(struct zt_build *b, uint32_t z);

/*
 * zt_rrsets.c: whether NODE holds NSEC3 records (and their signatures) and nothing else: an NSEC3
 * owner, no name of its zone (RFC 5155 7.2.8), kept out of the index (ZN_SHADOW) by a compile
 * and by a patch alike.
 */
bool zt_rrsets_nsec3_only(const zt_t *zt, const zt_node_t *node);

/*
 * zt_blobs.c: whether a question for type RRSIG is left to the live path (true) or gets blobs
 * like any other type (false: for the tests, which compare the two answers octet for octet).
 */
extern bool zt_blobs_rrsig_live;

/*
 * zt_blobs.c: from how many names on (all zones of the snapshot) a signed node's NODATA with
 * DO is kept as its proof alone, joined to its zone's SOA and RRSIG when asked
 * (ZT_NODATA_SPLIT): in a large zone the memory counts more than the copies that joining adds
 * (some 300 instructions a NODATA with DO); below, whole. The tests set it.
 */
extern size_t zt_blobs_split_min;

/* zt_blobs.c: every precomputed answer (blob) of every node and zone. */
int zt_blobs_make(struct zt_build *b);

/*
 * zt_denial.c: signed zones' NXDOMAIN answers with DO made ahead within zt_denial_budget octets
 * for the snapshot, shared fairly by its zones: an NSEC zone's (and its wildcards' proofs) as
 * blobs per (covering NSEC, closest encloser), an NSEC3 zone's as parts per closest provable
 * encloser. 0 or -ENOMEM.
 */
int zt_denial_make(struct zt_build *b);

/* A denial blob's pointers that move with the question (zt_denial.c): an NXDOMAIN has a dozen. */
#define ZT_FIX_MAX 128

/* zt_denial.c: whether a question whose closest encloser is node N may be answered with a blob
 * (answer.c sends names below a cut or a DNAME elsewhere). */
static inline bool zt_denial_encloser(const zt_t *zt, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];

	return node->deleg == ZT_NONE && !(node->flags & (ZN_DNAME | ZN_SHADOW)) &&
	       (node->flags & ZN_SIGNED);
}

/*
 * zt_denial_floor.c, for zt_denial_fits(): octets that NSEC zone Z's denial blobs with their
 * lines in the table take at least (not the table by NSEC), counted without rendering them but
 * one: NXDOMAINs below the apex, each NSEC's that surely renders, the SOA's part and the NSEC's
 * records in it at their fewest octets. 0 when the apex has a wildcard or its NXDOMAIN does not
 * render. The count stops once past ENOUGH.
 */
size_t zt_denial_nsec_floor(struct zt_build *b, uint32_t z, size_t enough);

/*
 * zt_denial.c, for zt_patch(): whether NSEC zone Z would keep its denial blobs in a compile
 * that gives it SHARE octets (zt_denial_share()): 1 yes, 0 no (past the share, none to make,
 * or not an NSEC zone), -ENOMEM. Nothing is kept.
 */
int zt_denial_fits(struct zt_build *b, uint32_t z, size_t share);

/*
 * zt_denial.c, for zt_patch(): NSEC3 zone Z's NXDOMAIN parts as a compile that gives it SHARE
 * octets (zt_denial_share()) would make them when it keeps only the first closest provable
 * encloser's (the apex's), or none: those made (zone->n3nx, n3wn, their octets in
 * zone->denial_used, none past SHARE), 0; 1 when such a compile keeps others' too, or may (the
 * first N3_FIRST candidates not rendering), nothing kept then: the caller compiles whole;
 * -ENOMEM. The candidates are the nodes the index finds: a patched snapshot's n3 table also
 * holds those its patches replaced or took out, without a match (zt_patch_n3.c), so that none
 * is looked up.
 */
int zt_denial_n3_apex(struct zt_build *b, uint32_t z, size_t share);

/* Tests set it: the octets the snapshot's denial answers made ahead may take (those past it are
 * composed). zt_denial_share.c. */
extern size_t zt_denial_budget;

/* A signed zone that may have denial answers made ahead, and how much it would take (a rough
 * measure: only the order of zones by it counts). */
struct zt_denial_want {
	uint32_t z;
	uint64_t size;
};

/*
 * zt_denial_share.c: into W (room for every zone of ZT) the zones that share the budget, in
 * the order zt_denial_make() gives them their shares (the least wanting first); their number.
 */
uint32_t zt_denial_wants(const zt_t *zt, struct zt_denial_want *w);

/*
 * zt_denial_share.c, for zt_patch(): zone Z's share of the budget as zt_denial_make() would
 * give it, the snapshot's other zones holding what they hold (denial_used), into *SHARE (0
 * when Z has none); with Z taking USED octets: 1 when every zone holds no more than such a
 * compile's share of it (the snapshot is within the budget), else 0; -ENOMEM.
 */
int zt_denial_share(const zt_t *zt, uint32_t z, size_t used, size_t *share);

/*
 * zt_blobs.c, for zt_patch(): zone Z's negative answers again, the referrals of the NCUTS CUTS,
 * then the answers of the COUNT NODES (a cut's is its DS, a name below a cut's is its referral
 * from the cut its deleg names), with DO too in a signed zone.
 */
int zt_blobs_patch(struct zt_build *b, uint32_t z, const uint32_t *cuts, size_t ncuts,
		   const uint32_t *nodes, size_t count);

#endif
