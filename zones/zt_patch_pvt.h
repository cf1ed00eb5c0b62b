/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_pvt.h: what zt_patch()'s files share: the dependency map and the patch's record */
#ifndef ZT_PATCH_PVT_H
#define ZT_PATCH_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdarg.h>
#include <stdio.h>

#include "zload.h"
#include "zt_build.h"
#include "zt_mem.h"
#include "zt_patch.h"
#include "zt_pvt.h"

/*
 * Which names' answers hold records of other names (zt_patch_deps.c), kept in a store for the
 * patches made from it: a name whose records name a target (NS, MX, SRV: the target's A/AAAA go
 * in the additional section; CNAME: the chain is followed, so the target and the names between
 * it and the apex count) is a referrer of it. Names only, as arena offsets (the arena never
 * changes below its tip): a referrer no longer there, or no longer referring, costs an answer
 * rendered again, never a wrong one. Also the names whose answers hold the SOA (NODATA or
 * NXDOMAIN in them: empty non-terminals, CNAMEs, cuts' DS), rendered again when it changes.
 */
struct zt_dep {
	uint64_t h;    /* zt_hash() of the target */
	uint32_t name; /* the referrer's name (arena offset) */
	uint16_t len;
	uint8_t cname; /* through a CNAME: the referrer's own referrers depend on it too */
};

/* One zone's names whose answers hold its SOA (arena offsets and lengths). */
struct zt_neg {
	uint32_t *name;
	uint16_t *len;
	size_t n, cap;
};

struct zt_deps {
	uint32_t *scanned; /* per zone number: 1 + the first_node of the zone whose nodes are in
			    * (a zone added by zt_patch_zones() under a number another had: not) */
	uint32_t nzones;
	struct zt_dep *main; /* sorted by h */
	size_t nmain, cmain;
	struct zt_dep *extra; /* added by patches, sorted by h (zt_deps_sort()) */
	size_t nextra, cextra;
	size_t nsorted;	    /* extra[0, nsorted) is sorted: zt_deps_sort() merges in the rest */
	struct zt_neg *neg; /* per zone */
};

/*
 * The store's map, with zone Z of ZT (a snapshot of that store) scanned into it the first time:
 * 0, or -ENOMEM.
 */
int zt_deps_get(zt_store_t *st, const zt_t *zt, uint32_t z, struct zt_deps **out);

/* Node N of ZT's targets and SOA-bearing answers, added (to the extras). 0 or -ENOMEM. */
int zt_deps_add_node(struct zt_deps *d, const zt_t *zt, uint32_t n);

/* Sorts what zt_deps_add_node() added, for zt_deps_find(). */
void zt_deps_sort(struct zt_deps *d);

/* The referrers of the lower-case name KEY (LEN octets): [*first, *end) of main, then extra. */
void zt_deps_find(const struct zt_deps *d, const uint8_t *key, size_t len, size_t *m0, size_t *m1,
		  size_t *e0, size_t *e1);

/* ---- the patch being made (zt_patch.c and its helpers) ---- */

/* A name given as changed. */
struct pn {
	uint8_t key[WIRE_NAME_MAX + 1]; /* lower case */
	size_t len;
	uint32_t old;  /* BASE's node, or ZT_NONE */
	size_t r0, r1; /* its records in the new version: by_owner[r0, r1) */
	bool has;      /* it has records in the new version */
	bool ent;      /* it keeps no records but has children: an empty non-terminal */
	bool cut;      /* a delegation of a signed zone, and stays one (zt_patch_collect()) */
	uint32_t node; /* its node in the new snapshot, or ZT_NONE (gone) */
};

/* A set of names (pointers to lower-case wire names that outlive it), each with a value. */
struct nset {
	struct nent {
		const uint8_t *k;
		uint32_t len, val;
	} * t;
	uint32_t mask, n;
};

/* The policy's edits of the zone patched, as zt_nodes.c applies them (zt_patch_edits.c). */
struct pedits {
	struct pwh { /* WITHHOLD TYPE at KEY, the edits' AT-th */
		uint8_t key[WIRE_NAME_MAX + 1];
		size_t len, at;
		uint16_t type;
	} * wh;
	size_t nwh;
	struct padd { /* ADD: RDLEN octets at rdata + RD */
		uint8_t key[WIRE_NAME_MAX + 1];
		size_t len, at, rd;
		uint32_t ttl;
		uint16_t type, rdlen;
	} * add;
	size_t nadd;
	struct pkeep { /* a name kept without records (EMPTY_NODE, or the zone's own) */
		uint8_t key[WIRE_NAME_MAX + 1];
		size_t len;
	} * keep;
	size_t nkeep;
	uint8_t *rdata;
};

/* One record a changed name gets. */
struct prec {
	uint16_t type;
	uint16_t covered; /* RRSIG: the type it covers (node_records()) */
	uint16_t rdlen;
	uint32_t ttl;
	uint32_t order; /* its place in the file (the edits' after all), for the RRset's TTL */
	const uint8_t *rd;
};

struct patch {
	const zt_t *base;
	const zt_patch_in_t *in;
	const zload_zone_t *zone;
	zt_t *zt;
	struct zt_build *b;
	uint32_t z;
	uint32_t first_new;  /* nodes from this one on are the patch's */
	const uint8_t *apex; /* lower-case name (in PN or the arena) */
	size_t apex_len;
	struct pn *pn;
	size_t npn;
	struct nset changed; /* names of PN -> index */
	struct nset under;   /* the names above those that get records (strictly) */
	uint32_t *ents;	     /* empty non-terminals made (new nodes) */
	size_t nents, cents;
	uint32_t *gone; /* BASE's empty non-terminals taken out (their nodes) */
	size_t ngone, cgone;
	uint32_t *dead; /* nodes the index no longer finds: BASE's copied, or taken out */
	size_t ndead, cdead;
	uint32_t *cuts; /* cuts whose referrals are rendered again (their NS targets changed) */
	size_t ncuts, ccuts;
	uint32_t *render; /* nodes whose answers are rendered */
	size_t nrender, crender;
	struct zt_deps *deps;
	struct patch_n3 *n3; /* an NSEC3 zone's (zt_patch_n3.c), or NULL */
	struct pedits ed;
	char *err;
	size_t errlen;
};

static inline int __attribute__((format(printf, 2, 3)))
zt_patch_full(struct patch *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return ZT_PATCH_FULL;
}

static inline const char *zt_patch_text(const uint8_t *name, char *buf, size_t len)
{
	wire_name_to_text(name, buf, len);
	return buf;
}

/* The parent of the lower-case name KEY (LEN octets), and its length. */
static inline const uint8_t *zt_patch_parent(const uint8_t *key, size_t *len)
{
	*len -= (size_t)*key + 1;
	return key + *key + 1;
}

/*
 * zt_patch.c: the new snapshot p->zt made BASE's copy: its settings and index, its zones (zone
 * p->z its own, ZT_NONE: none; the others shared), with room for ROOM zones more. 0 or -ENOMEM.
 */
int zt_patch_copy(struct patch *p, uint32_t room);

/* zt_patch_tree.c: the name set (VAL of K, or ZT_NONE; adding: 1 added, 0 there, -ENOMEM). */
int zt_patch_nset_init(struct nset *s, size_t want);
uint32_t zt_patch_nset_get(const struct nset *s, const uint8_t *k, size_t len);
int zt_patch_nset_add(struct nset *s, const uint8_t *k, size_t len, uint32_t val);

/* zt_patch_tree.c: appends X to the growing array *V. 0 or -ENOMEM. */
int zt_patch_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x);

/*
 * zt_patch_tree.c: every changed name's node made again (or taken out), with the tree around it
 * (new empty non-terminals in p->ents). 0 or -ENOMEM.
 */
int zt_patch_build_tree(struct patch *p);

/*
 * zt_patch_tree.c: the nodes to render again though their records stay (p->render); SOA: it
 * changed. 0, ZT_PATCH_FULL or -ENOMEM.
 */
int zt_patch_collect(struct patch *p, bool soa);

/*
 * zt_patch_tree.c: the node of name KEY (LEN octets, lower case) in the new snapshot, made the
 * patch's own (copied if it was BASE's); ZT_NONE: no such name, or no room.
 */
uint32_t zt_patch_mine(struct patch *p, const uint8_t *key, size_t len);

/*
 * zt_patch_tree.c: the delegation KEY (LEN octets, lower case) of zone p->z copied, its referral
 * listed to render, and every name below it copied, pointed at the copy and listed (each has
 * its own copy of the referral). 0 or -ENOMEM.
 */
int zt_patch_redo_cut(struct patch *p, const uint8_t *key, size_t len);

/*
 * zt_patch_tree.c: whether the name KEY (LEN octets, lower case) of zone p->z has a name below
 * it with records once patched (BASE's transfer order says which it had).
 */
bool zt_patch_has_kids(const struct patch *p, const uint8_t *key, size_t len);

/*
 * zt_patch_edits.c: P's edits read (0, ZT_PATCH_FULL when they do not apply, or -ENOMEM), and
 * freed.
 */
int zt_patch_edits_init(struct patch *p);
void zt_patch_edits_free(struct patch *p);

/*
 * zt_patch_edits.c: the records changed name PN gets once edited, into OUT (NULL: counted
 * only): the zone's not withheld, then the edits' added at its name. Their number.
 */
size_t zt_patch_recs(const struct patch *p, const struct pn *pn, struct prec *out);

/* zt_patch_edits.c: whether KEY (LEN octets) is a name the zone keeps without records. */
bool zt_patch_kept(const struct patch *p, const uint8_t *key, size_t len);

/*
 * zt_patch_sig.c, a zone BASE holds signed (nothing to do for another): what only a full
 * compile makes (0 or ZT_PATCH_FULL with the reason): of the zone (NSEC3, denial blobs, NODATA
 * not split), and of its apex's records in the new version APEX (no longer signed, the SOA's
 * names or the length of its signatures changed; also -ENOMEM).
 */
int zt_patch_sig_check(struct patch *p);
int zt_patch_sig_apex(struct patch *p, const struct pn *apex);

/* zt_patch_sig.c: the patch's nodes of a signed zone marked ZN_SIGNED, as zt_rrsets.c marks. */
void zt_patch_sig_flags(struct patch *p);

/*
 * zt_patch_sig.c, once the transfer order is made: a signed zone's NSEC owners and their keys
 * (BASE's with the changed names merged in), then the names whose NODATA proof is the NSEC
 * that covers them, around each changed name, copied and listed to render. 0 or -ENOMEM.
 */
int zt_patch_sig_tables(struct patch *p);
int zt_patch_sig_covers(struct patch *p);

/*
 * zt_patch_sig.c, once the answers are made: ZT_PATCH_FULL when the NSEC zone, compiled whole,
 * would keep denial blobs within its share of the budget (zt_denial_share(), zt_denial_fits()),
 * or the other zones hold more than a compile's shares; 0, or -ENOMEM.
 */
int zt_patch_sig_denial(struct patch *p);

/* The octets of zone Z's NSEC owner table and keys, which a patched signed zone owns. */
static inline size_t zt_patch_sig_size(const zt_t *zt, uint32_t z)
{
	const zt_zone_t *zone = &zt->zones[z];

	if (!zone->is_signed || zone->nnsec == 0 || zone->nsec_koff == NULL)
		return 0;
	return zone->nnsec * (sizeof(uint32_t) * 2 + sizeof(uint64_t)) + sizeof(uint32_t) +
	       NSEC_FIRST_LEN * sizeof(uint32_t) + zone->nsec_koff[zone->nnsec];
}

/*
 * zt_patch_n3.c, a zone BASE holds with an NSEC3 chain (nothing to do for another):
 * - zt_patch_n3_parts_below(): whether zone ZONE keeps NXDOMAIN parts below its apex (then no
 *   patch: zt_patch_sig_check(), zt_patch_blocked()).
 * - zt_patch_n3_apex(): ZT_PATCH_FULL when the new apex APEX's NSEC3PARAM is not BASE's (the
 *   hash's parameters make the chain); 0; -ENOMEM.
 * - zt_patch_n3_moves(): whether the patch changes NSEC3 owners (names one hashed label below
 *   the apex): then the names whose answers hold the SOA are rendered again (zt_patch_collect()),
 *   delegations, empty non-terminals and CNAMEs among them, whose proofs (a match, a closest
 *   encloser's, a cover) may have changed.
 * - zt_patch_n3_tables(), once the transfer order is made: the chain (BASE's with the changed
 *   owners merged), its prefixes and buckets, the names' facts (BASE's, those naming a changed
 *   owner made again) and the names whose matching NSEC3 changed listed to render. 0, -ENOMEM.
 * - zt_patch_n3_facts(), before the answers: the facts of every node the patch made (and none
 *   for the nodes it replaced); ZT_PATCH_FULL when an owner added matches none of them.
 * - zt_patch_n3_denial(), after the answers: the nodes the patch took out of the index (P->dead)
 *   left without a match in the zone's facts, then the apex's NXDOMAIN parts made again within the
 *   zone's share of the budget (zt_denial_share()), or ZT_PATCH_FULL when a compile would keep
 *   others (zt_denial_n3_apex()) or the zones would hold more than a compile's shares.
 * - zt_patch_n3_size(): the octets of zone Z's NSEC3 tables; zt_patch_n3_free() frees P's.
 */
bool zt_patch_n3_parts_below(const zt_zone_t *zone);
int zt_patch_n3_apex(struct patch *p, const struct pn *apex);
bool zt_patch_n3_moves(const struct patch *p);
int zt_patch_n3_tables(struct patch *p);
int zt_patch_n3_facts(struct patch *p);
int zt_patch_n3_denial(struct patch *p);
size_t zt_patch_n3_size(const zt_t *zt, uint32_t z);
void zt_patch_n3_free(struct patch *p);

/* zt_patch_order.c: zone p->z's transfer order in the new snapshot. 0 or -ENOMEM. */
int zt_patch_axfr(struct patch *p);

/* The first place of zone ZONE's transfer order (of ZT) whose owner comes after KEY in canonical
 * order: the names below KEY follow it there. */
static inline size_t zt_patch_axfr_after(const zt_t *zt, const zt_zone_t *zone, const uint8_t *key)
{
	size_t lo = 0, hi = zone->naxfr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const zt_node_t *o = &zt->nodes[zt->rrsets[zone->axfr[mid]].node];

		if (wire_name_cmp_canonical(zt->arena + o->name, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Where ZT's store arrays end before a patch appends to them (zt_patch_sealed() takes it). */
static inline void zt_patch_start(const zt_t *zt, size_t start[ZT_STORE_ARRAYS])
{
	start[ZT_ARR_ARENA] = zt->arena_len;
	start[ZT_ARR_NODES] = zt->nnodes;
	start[ZT_ARR_RRSETS] = zt->nrrsets;
	start[ZT_ARR_ANS] = zt->nans;
}

/*
 * A patch done: the store's tips moved past what ZT appended, and ZT's size what it owns: its
 * zones, its index, what it appended since START (zt_patch_start()) and NAXFR transfer-order
 * entries.
 */
static inline void zt_patch_sealed(zt_t *zt, const size_t start[ZT_STORE_ARRAYS], size_t naxfr)
{
	zt->store->tip[ZT_ARR_ARENA] = zt->arena_len;
	zt->store->tip[ZT_ARR_NODES] = zt->nnodes * sizeof(zt_node_t);
	zt->store->tip[ZT_ARR_RRSETS] = zt->nrrsets * sizeof(zt_rrset_t);
	zt->store->tip[ZT_ARR_ANS] = zt->nans * sizeof(zt_ans_t);
	zt->memsize = sizeof(*zt) + zt->nzones * sizeof(zt_zone_t) +
		      (zt->index_mask + 1u) * sizeof(zt_slot_t) + zt->arena_len -
		      start[ZT_ARR_ARENA] + (zt->nnodes - start[ZT_ARR_NODES]) * sizeof(zt_node_t) +
		      (zt->nrrsets - start[ZT_ARR_RRSETS]) * sizeof(zt_rrset_t) +
		      (zt->nans - start[ZT_ARR_ANS]) * sizeof(zt_ans_t) + naxfr * sizeof(uint32_t);
}

/* What zt_patch() remembers of a patched snapshot (zt_patch_names()). */
struct zt_patch_rec {
	uint32_t zone;
	const zt_t *from; /* compared, never read: it may be gone */
	uint8_t **names;
	size_t nnames;
};

/* A record of NNAMES NAMES (copied) for zone Z from FROM; NULL without memory. */
struct zt_patch_rec *zt_patch_rec_new(uint32_t z, const zt_t *from, const uint8_t *const *names,
				      size_t nnames);

void zt_patch_rec_free(struct zt_patch_rec *rec);

#endif
