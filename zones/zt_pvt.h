/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_pvt.h: the snapshot's layout, the resolver and the renderer (zones/ only) */
#ifndef ZT_PVT_H
#define ZT_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"
#include "zt.h"

#define ZT_NONE UINT32_MAX

/* Node flags. */
#define ZN_APEX 0x01   /* a zone apex */
#define ZN_CUT 0x02    /* NS below the apex: a delegation point */
#define ZN_DNAME 0x04  /* owns a DNAME */
#define ZN_CNAME 0x08  /* owns a CNAME */
#define ZN_SIGNED 0x10 /* its zone has DNSKEY or RRSIG records */
#define ZN_SHADOW 0x20 /* parent-side data below a served child's apex: not in the index */

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

typedef struct zt_zone {
	uint32_t apex;	     /* node index */
	uint32_t first_node; /* nodes created while loading it start here */
	char *origin;
	unsigned long serial;
	uint32_t soa;	   /* RRset index of the SOA */
	uint32_t neg_ttl;  /* min(SOA TTL, SOA MINIMUM): RFC 2308 */
	uint32_t nxdomain; /* relocatable NXDOMAIN blob anchored at the apex */
	uint32_t nodata;   /* relocatable NODATA blob anchored at the apex */
	bool is_signed;	   /* DNSKEY or RRSIG present */
	uint32_t *nsec;	   /* signed zones: node indexes of NSEC owners, canonical order */
	uint32_t nnsec;
	uint32_t *axfr;	  /* every RRset index of the zone in transfer order (SOA excluded) */
	uint32_t naxfr;	  /* (nsec and axfr of an ORDER_LATER zone: after zt_order_wait()) */
	bool order_later; /* its transfer order is sorted on a thread after zt_new() */
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
	uint32_t len;
	/* followed by: uint8_t data[len]; uint16_t fix[nfix] */
} zt_blob_t;

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
	uint32_t *index; /* open addressing: node index or ZT_NONE */
	uint32_t index_mask;
	uint16_t udp_max;
	char *identity;
	char *version;
	size_t memsize;
	size_t big_map[ZT_ARR_COUNT];	/* by enum zt_array: mmap length, or 0 (on the heap) */
	struct zt_order_job *order_job; /* transfer orders still being sorted, or NULL */
};

/*
 * Waits until the transfer orders of ZT's zones are there (a large unsigned zone's is sorted
 * after zt_new(): see zt_order_start()), sorting them here if no thread does; 0, or -ENOMEM
 * when that sort failed. Transfers call it first.
 */
int zt_order_wait(const zt_t *zt);

/* Tests set it: from how many nodes a transfer order is sorted after zt_new() (65536). */
extern size_t zt_order_async_min;

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

static inline size_t zt_blob_size(uint32_t len, uint16_t nfix)
{
	return sizeof(zt_blob_t) + ((len + 1) & ~1u) + nfix * sizeof(uint16_t);
}

/* ---- the query as one pass over it found it (answer.c) ---- */

struct zt_query {
	const uint8_t *qname; /* in the query, original case */
	size_t qname_len;
	uint8_t key[WIRE_NAME_MAX + 1 + WIRE_SLACK]; /* lower-cased; slack for zt_find_slack() */
	uint64_t hash; /* zt_hash_slack() of key, computed while it was copied */
	uint16_t qtype;
	uint16_t qclass;
	bool has_question;
	bool edns;
	bool dnssec;
	uint8_t edns_version;
	uint16_t payload;
	uint8_t rcode; /* an error found while parsing (FORMERR...) or 0 */
};

#define OPT_RR_LEN 11
#define UDP_PAYLOAD_MAX 65507 /* the largest UDP payload over IPv4 */
#define EDE_NONE (-1)

/* Reads the question name at the cursor (no compression) into q->qname and q->key. */
bool zt_parse_qname(wire_ctx_t *c, struct zt_query *q);

/* Reads the records after the question; finds the OPT record (sets q->edns...) or FORMERR. */
void zt_parse_records(wire_ctx_t *c, struct zt_query *q, uint16_t an, uint16_t ns, uint16_t ar);

/* Writes our OPT record at P (OPT_RR_LEN bytes, 6 more with an EDE code); returns its length. */
size_t zt_put_opt(uint8_t *p, const zt_t *zt, const struct zt_query *q, uint8_t ext_rcode, int ede);

/* ---- resolver and renderer, shared by compile time and the rare live path ---- */

#define RES_MAX_ITEMS 96
#define RES_MAX_NAMES 16

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
} res_item_t;

typedef struct res {
	const uint8_t *qname; /* the question's name (for OWN_QNAME owners) */
	uint16_t flags;	      /* AA and rcode */
	unsigned n;
	res_item_t item[RES_MAX_ITEMS];
	uint8_t names[RES_MAX_NAMES][WIRE_NAME_MAX + 1]; /* storage for synthesized names */
	unsigned nnames;
	bool overflow;
} res_t;

/* Empties R for a new answer: AA set, NOERROR, no records. */
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

typedef struct rbuf {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t limit; /* for truncation: rendering stops (and counts) past it */
	uint16_t dict[256];
	unsigned ndict;
	uint16_t fix[512];
	unsigned nfix;
	uint16_t max_ptr;
	size_t sfx_pos; /* Knot-style compression: the one reference name */
	unsigned sfx_labels;
	unsigned q_labels; /* labels of the question name */
	size_t owner_pos;  /* where the last RRset's first owner was written */
	unsigned anchor_labels;
	bool reloc;
	bool tc; /* an answer or authority RRset, or required glue, did not fit */
	int err;
} rbuf_t;

/*
 * Starts a message in RB: header space and the question QNAME/QTYPE/QCLASS at offset 12.
 * RELOC: the question name stands for any name below its ANCHOR_LABELS last labels; only those
 * suffixes are offered for compression, and pointers that would move are recorded as fix-ups.
 */
void rbuf_start(rbuf_t *rb, uint8_t *buf, size_t cap, const uint8_t *qname, uint16_t qtype,
		uint16_t qclass, bool reloc, unsigned anchor_labels);

/*
 * Appends the resolver's records, whole RRsets up to rb->limit as Knot does: what does not fit
 * in the answer or authority section stops the message with rb->tc; additional RRsets that do
 * not fit are skipped (rb->tc when they were required glue). Returns the counts per section.
 */
void rbuf_put_res(rbuf_t *rb, const zt_t *zt, const res_t *r, uint16_t counts[3]);

#endif
