/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_pvt.h: the snapshot's layout: nodes, RRsets, zones, precomputed answers (zones/ only) */
#ifndef ZT_PVT_H
#define ZT_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"
#include "zt.h"

#define ZT_NONE UINT32_MAX

struct ixfr_hist;

/* Node flags. */
#define ZN_APEX 0x01   /* a zone apex */
#define ZN_CUT 0x02    /* NS below the apex: a delegation point */
#define ZN_DNAME 0x04  /* owns a DNAME */
#define ZN_CNAME 0x08  /* owns a CNAME */
#define ZN_SIGNED 0x10 /* its zone has DNSKEY or RRSIG records */
#define ZN_SHADOW 0x20 /* not in the index: parent side below a child apex; NSEC3 owners */

/* A node's ans_default meaning "its zone's NODATA" (zt->zones[node->zone].nodata), which a
 * patch renders again when the SOA changes, leaving the nodes that use it untouched. */
#define ZT_ZONE_NODATA (UINT32_MAX - 2)

/*
 * A signed node's ans_default_do meaning: its NODATA with DO is its zone's SOA and RRSIG (nx_do,
 * split at nx_split) with the node's own proof (its NSEC or NSEC3) between and the proof's
 * signatures after them; the proof's blob (zt_blob_t.part: where its signatures begin) is the
 * zt->ans line after the node's DO answers (ans_do + nans_do), which no question type finds.
 * denial_nodata() joins them. A million names' SOA and RRSIG were a tenth of a signed zone's
 * snapshot. From this value up, none is a blob.
 */
#define ZT_NODATA_SPLIT (UINT32_MAX - 3)

/*
 * A compiled RRset: COUNT records of [u16 rdlen][rdata] at arena offset DATA, RDATA as in
 * the zone file (names uncompressed, case kept). RRSIGs are kept one RRset per covered type.
 */
typedef struct zt_rrset {
	uint16_t type;
	uint16_t covered; /* RRSIG: the type it covers */
	uint16_t count;
	uint32_t node; /* owner */
	uint32_t ttl;
	uint32_t data;
	uint32_t data_len;
} zt_rrset_t;

/* One precomputed answer for a (node, qtype): arena offset of a zt_blob_t. */
typedef struct zt_ans {
	uint16_t qtype;
	uint32_t blob;
} zt_ans_t;

typedef struct zt_node {
	uint32_t name; /* arena offset: lower-cased wire name */
	uint16_t name_len;
	uint8_t labels;
	uint8_t flags;
	uint32_t zone;
	uint32_t wildcard;    /* the node "*.this", or ZT_NONE */
	uint32_t deleg;	      /* the cut at or above (or DNAME strictly above) that overrides it */
	uint32_t parent_side; /* an apex: the parent zone's cut node for it (answers DS), or none */
	uint32_t rrsets;      /* index of the first RRset; sorted by type, then covered */
	uint16_t nrrsets;
	uint16_t nans; /* precomputed answers by qtype, then the default one */
	uint32_t ans;  /* index into zt->ans */
	uint32_t ans_default;
	uint32_t referral;   /* a cut's referral blob, relocatable below the cut */
	uint16_t nans_do;    /* the same with DNSSEC records (DO bit), signed zones only */
	uint16_t ans0_qtype; /* the first of ANS (without DO) again, here: most queries of a */
	uint32_t ans_do;     /* large zone want it, and then need no line of zt->ans; 0: none */
	uint32_t ans_default_do;
	uint32_t referral_do;
	uint32_t ans0_blob;
} zt_node_t;

/* A node is one cache line (the array is 64-octet aligned once it is a mapping of its own). */
_Static_assert(sizeof(zt_node_t) == 64, "zt_node_t is not 64 octets");

/* zt_zone_t.nsec_first's length: one per first octet, and the end. */
#define NSEC_FIRST_LEN 257

typedef struct zt_zone {
	uint32_t apex;	     /* node index */
	uint32_t first_node; /* nodes created while loading it start here (zt_new()'s; a patched
			      * zone's new nodes are past every zone's: no run of it to walk) */
	/* With nxb (below), in nxb_idx's allocation: the denial blobs of a question by the first
	 * octet c of its key (its label below the apex): nxb_fast[4c .. 4c + 3] are its NSEC's
	 * lines in nxb (from, to) and among them its NXDOMAIN below the apex (the blob, ZT_NONE
	 * for none, and what it is) when no NSEC owner's key and no SOA name's label below the
	 * apex begins with c; else nxb_fast[4c] is UINT32_MAX, and the entry by the key's second
	 * octet d is in the table k = nxb_fast[4c + 1] after this one, at 1024 (k + 1) + 4d, the
	 * same way (UINT32_MAX there: the keys are compared). A zone whose share of the denial
	 * budget holds its blobs but not those tables has none: nxb_fast[4c + 1] is UINT32_MAX
	 * then, and the keys are compared. Here, where a denial's first look finds it. */
	const uint32_t *nxb_fast;
	uint32_t nxb_fast_len; /* its length in words (the tables by the second octet or none) */
	char *origin;
	unsigned long serial;
	uint32_t soa;	   /* RRset index of the SOA */
	uint32_t neg_ttl;  /* min(SOA TTL, SOA MINIMUM): RFC 2308 */
	uint32_t nxdomain; /* relocatable NXDOMAIN blob anchored at the apex */
	uint32_t nodata;   /* relocatable NODATA blob anchored at the apex */
	bool is_signed;	   /* DNSKEY or RRSIG present */
	uint32_t *nsec;	   /* signed zones: node indexes of NSEC owners, canonical order */
	uint32_t nnsec;
	uint8_t *nsec_keys;  /* their canonical keys, one after the other (denial.c) */
	uint32_t *nsec_koff; /* key i at [nsec_koff[i], nsec_koff[i + 1]) */
	uint64_t *nsec_pre;  /* of key i, the 8 octets after the apex's key, as a number */
	/* In nsec_pre's allocation, after it: the keys whose first octet after the apex's is c
	 * are [nsec_first[c], nsec_first[c + 1]) (0: the apex's own, empty key). */
	uint32_t *nsec_first; /* NSEC_FIRST_LEN of them */
	uint16_t nsec_kbase;  /* the apex's key length: every key begins with it */
	/* Signed: NXDOMAIN's SOA then its RRSIG, relocatable (ZT_NONE: none; zt_blobs.c); the
	 * RRSIG's offset in it, and the name the owners after the SOA are compared with first, as
	 * an offset in it (UINT16_MAX: the question). denial.c puts the proof between the two. */
	uint32_t nx_do;
	uint16_t nx_split;
	uint16_t nx_ref;
	/* The SOA's MNAME and RNAME, when below the apex: their label just below it (lower case,
	 * length first; else 0). A question under that label gets them compressed further. */
	uint8_t nx_soa_lab[2][64];
	/* Signed NSEC zones within the budget (zt_denial.c), else NULL: per NSEC i, for k in
	 * [nxb_idx[i], nxb_idx[i + 1]), nxb[4k] is a closest encloser (a node), nxb[4k + 1] a
	 * qtype (0: any), nxb[4k + 2] the arena offset of the whole answer to the names it covers
	 * below it (NXDOMAIN, or the encloser's wildcard's answer with its proof), nxb[4k + 3]
	 * what that answer is (zt_answer_info.answer's low bits: the SOA's or the wildcard's
	 * RRset). */
	uint32_t *nxb_idx;
	uint32_t *nxb;
	/* Its parent-side nodes (ZN_SHADOW: its records at and below the apex of a zone served
	 * below it), NSIDES node indexes at arena offset SIDES, by name (zt_sides.c); 0: none.
	 * Glue a referral or another additional section of this zone takes from them. */
	uint32_t sides, nsides;
	/* NSEC3 (an NSEC3PARAM at the apex, nsec3.c): the chain in hash order, the hash's
	 * parameters, and per node [n3base, n3base + n3count) the NSEC3 owners that match its
	 * hash and cover its wildcard's (n3[2 * i], n3[2 * i + 1]: node indexes or ZT_NONE) */
	bool has_nsec3;
	uint8_t n3saltlen;
	uint16_t n3iter;
	uint8_t n3salt[255];
	uint32_t *nsec3;
	uint32_t nnsec3;
	uint32_t n3base, n3count;
	uint32_t *n3;
	uint64_t *n3pre; /* of nsec3[i], its label's first 8 octets as a number (nsec3.c) */
	/* The chain by the first N3BITS bits of the hashes: those of bucket b are nsec3[i] for i
	 * in [n3bkt[b], n3bkt[b + 1]) (N3BITS 0: one bucket, n3bkt NULL); N3MAXB owners the
	 * largest bucket holds. */
	uint32_t *n3bkt;
	uint8_t n3bits, n3maxb;
	/*
	 * NSEC3 zones within the denial budget (zt_denial.c), else NULL: NXDOMAIN with DO made
	 * ahead per closest provable encloser, N3NX_COUNT triples sorted by the first: the encloser
	 * (a node), the arena offset of its answer without the next closer name's NSEC3 (a
	 * zt_blob_t whose PART is where that NSEC3 goes), and where that NSEC3's signatures go.
	 * denial_n3.c joins the next closer's in.
	 */
	uint32_t *n3nx;
	uint32_t n3nx_count;
	/*
	 * Within the budget, after every part (zt_denial.c), else NULL: the NXDOMAIN of the first
	 * triple's encloser (mostly the apex) joined ahead with each covering NSEC3: n3ax[i] the
	 * arena offset of the whole answer (a blob moved as any) when the chain's owner i
	 * (nsec3[i]) covers the next closer's hash, ZT_NONE where none was made. nnsec3 of them.
	 */
	uint32_t *n3ax;
	/*
	 * Within the budget, before n3ax (zt_denial.c), else NULL: per chain position i, the
	 * NSEC3 of owner nsec3[i] and its RRSIGs written as a cover is joined (a blob: its PART
	 * where the RRSIGs begin, its NS the records; its pointers left for the question: the
	 * one at 1 + NSEC3_LABEL_LEN, when the apex is not the root, to the question's apex,
	 * the others to the NSEC3's owner), ZT_NONE where none was made. nnsec3 of them.
	 */
	uint32_t *n3cv;
	/*
	 * The same for a wildcard's NODATA with DO (RFC 5155 7.2.5), N3WN_COUNT triples sorted by
	 * the first: the wildcard's parent (a closest encloser, a node), the arena offset of the
	 * answer without the next closer's NSEC3 (SOA, the wildcard's and the closest provable
	 * encloser's NSEC3, their RRSIGs; its PART where that NSEC3 goes) and where its signatures
	 * go. Made with the NXDOMAIN parts (zt_denial.c), else NULL.
	 */
	uint32_t *n3wn;
	uint32_t n3wn_count;
	/* The octets of zt_denial_budget its denial data made ahead take (nxb, n3nx, n3wn, n3ax,
	 * n3cv with their tables): zt_denial_make()'s, or the patch's that made them again. */
	size_t denial_used;
	uint32_t *axfr;		/* every RRset index of the zone in transfer order (SOA excluded) */
	uint32_t naxfr;		/* (nsec and axfr of an ORDER_LATER zone: after zt_order_wait()) */
	bool order_later;	/* its transfer order is sorted on a thread after zt_new() */
	uint64_t edits_fp;	/* the policy's edits it was compiled with (zt_edits_fp()) */
	struct ixfr_hist *ixfr; /* the changesets leading to its serial (ixfr.h), or NULL */
	/* NULL: this snapshot alone owns origin, nsec..., n3 and axfr. Else a count (atomic) of
	 * the snapshots that share them (zt_patch() copies unchanged zones): the last frees. */
	unsigned long *shared;
} zt_zone_t;

/*
 * A response tail rendered ahead of time: everything after the question. It was rendered for a
 * question name of REF_QLEN octets; when the real one differs by delta octets, every compression
 * pointer listed in the fix-ups moves by delta (owners written as "the question", offset 12,
 * never move). A tail that does not fit the client's size is rendered again live, truncated.
 */
typedef struct zt_blob {
	uint16_t flags; /* AA and rcode, as in the header's second word */
	uint16_t an, ns, ar;
	uint16_t ref_qlen;
	uint16_t max_ptr; /* largest pointer target among the fix-ups */
	uint16_t nfix;
	uint16_t part; /* a NODATA proof (ZT_NODATA_SPLIT): its records' octets, then the sigs' */
	uint32_t len;
	/* followed by: uint8_t data[len]; uint16_t fix[nfix] */
} zt_blob_t;

/*
 * A slot of the name index: a node, or ZT_NONE, and its name's hash folded to 32 bits
 * (zt_index_tag()), so that a probe passes the slots of other names without reading their node.
 */
typedef struct zt_slot {
	uint32_t node;
	uint32_t tag;
} zt_slot_t;

/*
 * The snapshot's big arrays: each gets a mapping of its own, advised for huge pages, from 2 MiB
 * on (zt_mem.h). The names index big_map[] and the build's capacities.
 */
enum zt_array {
	ZT_ARR_ARENA,  /* zt->arena: names, RDATA and the precomputed answers (blobs) */
	ZT_ARR_NODES,  /* zt->nodes */
	ZT_ARR_RRSETS, /* zt->rrsets */
	ZT_ARR_ANS,    /* zt->ans: the precomputed answers by (node, qtype) */
	ZT_ARR_INDEX,  /* zt->index: the name index (zt_index.h) */
	ZT_ARR_COUNT,
};

struct zt {
	uint8_t *arena;
	size_t arena_len;
	zt_node_t *nodes;
	uint32_t nnodes;
	zt_rrset_t *rrsets;
	uint32_t nrrsets;
	zt_ans_t *ans;
	uint32_t nans;
	zt_zone_t *zones;
	uint32_t nzones;
	zt_slot_t *index; /* open addressing (zt_index.h) */
	uint32_t index_mask;
	uint16_t udp_max;
	/* Our OPT's first 8 octets in wire order, as every answer's begins (edns_opt_head()):
	 * the root, OPT, udp_max, extended rcode and version 0, the flags' first octet 0. */
	uint64_t opt_head;
	char *identity;
	char *version;
	size_t memsize;
	size_t big_map[ZT_ARR_COUNT];	/* by enum zt_array: mmap length, or 0 (on the heap) */
	struct zt_order_job *order_job; /* transfer orders still being sorted, or NULL */
	unsigned long refs;		/* references (zt_ref(), zt_free()); atomic */
	uint8_t *absent;		/* zones with no data (SERVFAIL): lower-case wire names */
	size_t absent_len;		/* one after the other, ABSENT_LEN octets in all */
	uint8_t nsid_len;		/* NSID (RFC 5001) answered when asked; 0: none */
	uint8_t nsid[ZT_NSID_MAX];
	bool cookies;		    /* DNS cookies answered (RFC 7873, 9018) with this secret */
	uint8_t cookie_secret[16];  /* never shown anywhere */
	uint32_t index_count;	    /* nodes in the index */
	struct zt_store *store;	    /* arena, nodes, rrsets, ans: shared with patched snapshots */
	struct zt_patch_rec *patch; /* made by zt_patch(): from what, which names (or NULL) */
};

static inline const uint8_t *zt_node_name(const zt_t *zt, const zt_node_t *n)
{
	return zt->arena + n->name;
}

static inline const zt_blob_t *zt_blob(const zt_t *zt, uint32_t off)
{
	return (const zt_blob_t *)(const void *)(zt->arena + off);
}

static inline const uint8_t *zt_blob_data(const zt_blob_t *b)
{
	return (const uint8_t *)(b + 1);
}

static inline const uint16_t *zt_blob_fix(const zt_blob_t *b)
{
	return (const uint16_t *)(const void *)(zt_blob_data(b) + ((b->len + 1) & ~1u));
}

/* False when blob B cannot move DELTA octets: one of its pointers would pass 16383. */
static inline bool zt_blob_moves(const zt_blob_t *b, int delta)
{
	return delta == 0 || b->nfix == 0 || (int)b->max_ptr + delta <= WIRE_PTR_MAX;
}

/* The compression pointer at P of a copied blob, moved by DELTA (zt_blob_moves() said it can). */
static inline void zt_ptr_move(uint8_t *p, int delta)
{
	wire_put16(p, (uint16_t)(0xc000 | ((wire_get16(p) & WIRE_PTR_MAX) + delta)));
}

/*
 * The compression pointer at SRC of a blob, moved by DELTA, written at DST (a copy of the blob's
 * octets): the blob's own pointer is read, not the copy's just written. Its offset as one
 * number: it points at a name the moved message has DELTA octets on (at the question or past
 * it, never before the header's end), within WIRE_PTR_MAX (zt_blob_moves() said so), so the
 * 0xc000 marking stays as it is.
 */
static inline void zt_ptr_put_moved(uint8_t *dst, const uint8_t *src, int delta)
{
	uint16_t v;

	memcpy(&v, src, 2);
	v = (uint16_t)(__builtin_bswap16(v) + delta);
	v = __builtin_bswap16(v);
	memcpy(dst, &v, 2);
}

static inline size_t zt_blob_size(uint32_t len, uint16_t nfix)
{
	return sizeof(zt_blob_t) + ((len + 1) & ~1u) + nfix * sizeof(uint16_t);
}

/*
 * A fingerprint of the policy's edits E (the serial aside), 0 for none: zt_patch() patches a
 * zone with the edits it was compiled with only.
 */
static inline uint64_t zt_edits_fp(const zt_zone_edits_t *e)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (e == NULL || e->nedits == 0)
		return 0;
	for (size_t i = 0; i < e->nedits; i++) {
		const zload_edit_t *ed = &e->edits[i];
		const char *txt[2] = {ed->owner, ed->op == ZLOAD_EDIT_ADD ? ed->rdata : ""};
		uint64_t nums[3] = {(uint64_t)ed->op, ed->type,
				    ed->op == ZLOAD_EDIT_ADD ? ed->ttl : 0};

		for (int k = 0; k < 3; k++)
			h = (h ^ nums[k]) * 0x100000001b3ULL;
		for (int k = 0; k < 2; k++)
			for (const char *c = txt[k] != NULL ? txt[k] : "";; c++) {
				h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
				if (*c == '\0')
					break;
			}
	}
	return h != 0 ? h : 1;
}

#endif
