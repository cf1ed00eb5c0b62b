/* SPDX-License-Identifier: BSD-3-Clause */
/* resolve.h: what an authoritative answer holds, as a list of RRsets by section (zones/ only) */
#ifndef RESOLVE_H
#define RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"
#include "zt_pvt.h"

/*
 * The live path's room (per thread, fixed): enough for any answer a message can carry. Every
 * additional RRset written takes 16 octets at least, so 4096 of them fill 65535; the
 * RES_RESERVE last items are kept for the answer and authority sections. The compiler's
 * resolutions grow on the heap instead (res_init_heap()).
 */
#define RES_LIVE_ITEMS 4160
#define RES_RESERVE 64
#define RES_MAX_NAMES 16

/* In a node's answers: this one is resolved and rendered at query time (the live path). */
#define ZT_LIVE (UINT32_MAX - 1)

enum res_owner { OWN_NODE = 0, OWN_QNAME = 1, OWN_NAME = 2 };

typedef struct res_item {
	uint8_t section;	     /* 1 answer, 2 authority, 3 additional */
	uint8_t owner_kind;	     /* enum res_owner */
	uint32_t node;		     /* OWN_NODE: owner node */
	const uint8_t *name;	     /* OWN_NAME: owner as wire name */
	uint32_t rrset;		     /* RRset index, or ZT_NONE for the synthesized CNAME */
	uint32_t ttl_override;	     /* ZT_NONE, or the TTL to write (negative SOA) */
	const uint8_t *cname_target; /* synthesized CNAME (DNAME) */
	bool required;		     /* glue a referral cannot go without: TC rather than drop it */
	bool sig; /* the signatures of the item before it (written after its section's RRsets) */
	/* additional data named by one of the first 15 records of its RRset: its owner points at
	 * that name (Knot keeps 15 such hints an RRset) */
	bool hint;
	bool put;	    /* rendering: written (its signatures may follow) */
	uint32_t owner_pos; /* rendering: where its owner was written */
} res_item_t;

typedef struct res {
	const uint8_t *qname; /* the question's name (for OWN_QNAME owners) */
	uint16_t flags;	      /* AA and rcode */
	unsigned n;
	unsigned cap;	  /* room in ITEM */
	res_item_t *item; /* the caller's array (res_init()) or the heap's (res_init_heap()) */
	bool grow;	  /* ITEM is on the heap and grows (never on the workers' path) */
	uint8_t names[RES_MAX_NAMES][WIRE_NAME_MAX + 1]; /* storage for synthesized names */
	unsigned nnames;
	bool overflow; /* the answer could not be held: SERVFAIL */
	size_t limit;  /* the message's size limit: an RRset that cannot fit in it (TC) gets no
			* additional processing, nothing of it would be written */
	/*
	 * The question's name is a wildcard's expansion: no chain comes back to that owner, a
	 * CNAME chain that reaches the same name again takes it as another (as Knot and NSD do).
	 */
	bool qname_wild;
	/* A chain came back to the question's own name and stopped there: asked as a wildcard's
	 * own name, the names the wildcard stands for would go on (no blob serves them both). */
	bool qname_loop;
} res_t;

/*
 * Offset of the target name inside one record's RDATA of TYPE, for additional-section processing
 * (NS, MX, SRV); -1 for the other types. zt_patch_deps.c follows the same targets.
 */
static inline int res_target_offset(uint16_t type)
{
	switch (type) {
	case T_NS:
		return 0;
	case T_MX:
		return 2;
	case T_SRV:
		return 6;
	default:
		return -1;
	}
}

/* R holds at most CAP items, in ITEMS (the caller's: no allocation ever); limit 65535. */
void res_init(res_t *r, res_item_t *items, unsigned cap);

/* R's items on the heap, as many as an answer needs (the compiler, the control thread).
 * 0 or -ENOMEM. */
int res_init_heap(res_t *r);

/* Frees what res_init_heap() allocated. */
void res_fini(res_t *r);

/* Empties R for a new answer: AA set, NOERROR, no records (its storage stays). */
void res_reset(res_t *r);

/*
 * Resolves QTYPE for the wire name QNAME (any case, valid, in a zone of the snapshot) starting
 * from what lookup found. QNAME_IS_PLACEHOLDER: answer owners equal to the question are written as
 * a pointer to the question (for relocatable blobs). DO adds DNSSEC records of signed zones.
 */
void res_resolve(const zt_t *zt, const uint8_t *qname, uint16_t qtype, bool dnssec, res_t *r);

/* Answers for a node that the question reached (exactly or as the wildcard that matched). */
void res_at_node(const zt_t *zt, uint32_t node, uint16_t qtype, bool dnssec, res_t *r);

/* A referral from CUT (NS in authority, glue in additional). */
void res_referral(const zt_t *zt, uint32_t cut, bool dnssec, res_t *r);

/* NXDOMAIN / NODATA for zone Z (SOA in authority). */
void res_negative(const zt_t *zt, uint32_t zone, uint8_t rcode, bool dnssec, res_t *r);

#endif
