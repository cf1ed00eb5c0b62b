/* SPDX-License-Identifier: BSD-3-Clause */
/* denial.h: DNSSEC denial answers with the DO bit composed from precomputed parts (zones/ only) */
#ifndef DENIAL_H
#define DENIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query.h"
#include "zt_pvt.h"

/* A response tail (everything after the question) that denial_answer() wrote. */
struct denial_tail {
	uint16_t flags; /* AA and rcode */
	uint16_t an, ns, ar;
	const uint8_t *data;
	size_t len;
	uint64_t id; /* what the answer is (zt_answer_info.answer) */
};

/*
 * Zone Z's NSEC owners (zone->nsec) as canonical keys compared with memcmp: labels from the
 * last, lower-cased, 0 and 1 escaped, each ended by 0. 0 or -ENOMEM.
 */
int denial_keys(zt_t *zt, uint32_t z);

/*
 * The same when zone Z's owners are mostly OLD's (the zone of the snapshot a patch starts
 * from): owner i is OLD's FROM[i] (ZT_NONE: a new one), and a run of OLD's in a row keeps
 * their keys and prefixes as they were, copied, not made again: a patch of a few names in a
 * zone of a million costs copies, not a million keys (OLD NULL: all made, as denial_keys()).
 * 0 or -ENOMEM.
 */
int denial_keys_from(zt_t *zt, uint32_t z, const zt_zone_t *old, const uint32_t *from);

/* The NSEC owner (a node) covering NAME (a wire name, any case) in zone Z, or ZT_NONE. */
uint32_t denial_nsec_cover(const zt_t *zt, const zt_zone_t *z, const uint8_t *name);

/* The closest provable encloser from node N in NSEC3 zone Z: N, or its first ancestor in the
 * chain (opt-out leaves some out), else the apex. */
uint32_t denial_n3_encloser(const zt_t *zt, const zt_zone_t *z, uint32_t n);

/* The NSEC3 owner covering the next closer name of NAME (lower case) to the encloser CPE (RFC
 * 5155 1.3), or ZT_NONE: the one hash a query costs. */
uint32_t denial_n3_next_closer(const zt_t *zt, const zt_zone_t *z, uint32_t cpe,
			       const uint8_t *name);

/* The same for KEY, a question's name in lower case (zt_query.key): no copy to lower it. */
uint32_t denial_n3_next_closer_key(const zt_t *zt, const zt_zone_t *z, uint32_t cpe,
				   const uint8_t *key);

/*
 * Its first step (nsec3_hash_lower(): the cover is nsec3_cover_md() of MD, 20 octets): the hash
 * of KEY's next closer name to CPE into MD. False when KEY is no longer than CPE's name (no next
 * closer name: ZT_NONE).
 */
bool denial_n3_next_closer_hash(const zt_t *zt, const zt_zone_t *z, uint32_t cpe,
				const uint8_t *key, uint8_t *md);

/*
 * The answer to Q (DO set) whose name does not exist below node CE of a signed zone: NXDOMAIN
 * with its proof, or the wildcard's answer with the proof that the name does not exist, the
 * bytes the live path (resolve.c, render.c) writes, in BUF (CAP octets, the question copied
 * first) within LIMIT octets for the message. False when this is not one of those (DNAME, a
 * wildcard's NODATA or CNAME, additional records) or it does not fit: the live path answers.
 */
bool denial_answer(const zt_t *zt, const struct zt_query *q, uint32_t ce, size_t limit,
		   uint8_t *buf, size_t cap, struct denial_tail *t);

/*
 * The NODATA with DO of node N whose ans_default_do is ZT_NODATA_SPLIT, asked by Q (its name):
 * its zone's SOA and RRSIG (nx_do) with the node's proof, the octets its blob held, in BUF (CAP
 * octets; the tail after the question) within LIMIT octets for the message. False when it
 * does not fit: the live path answers, truncated.
 */
bool denial_nodata(const zt_t *zt, const struct zt_query *q, uint32_t n, size_t limit, uint8_t *buf,
		   size_t cap, struct denial_tail *t);

/* An nxb line's qtype for a wildcard's NODATA: every type the wildcard lacks but ANY and RRSIG
 * (after the lines of the types it has: the first line that fits is taken). */
#define DENIAL_WILD_NODATA 0x10000u

/* Of zone Z's nxb lines [FROM, TO), the one for encloser CE and QTYPE (or any), or NULL. */
static inline const uint32_t *denial_blob_line(const zt_zone_t *z, uint32_t from, uint32_t to,
					       uint32_t ce, uint16_t qtype)
{
	for (const uint32_t *e = z->nxb + 4 * from, *end = z->nxb + 4 * to; e < end; e += 4)
		if (e[0] == ce &&
		    (e[1] == 0 || e[1] == qtype ||
		     (e[1] == DENIAL_WILD_NODATA && qtype != T_ANY && qtype != T_RRSIG)))
			return e;
	return NULL;
}

/* The length of a table of zt_zone_t.nxb_fast: an entry of four for each octet. */
#define DENIAL_NXB_FAST_LEN 1024

/*
 * zt_nxb.c, for the compile: the length of zone Z's nxb_fast (its nsec_first and nx_soa_lab
 * made): the table by the first octet of a question's key, and with BY_SECOND one by the second
 * octet for each first octet that an NSEC owner's key or an SOA name's label below the apex
 * begins with.
 */
size_t denial_nxb_fast_len(const zt_t *zt, uint32_t z, bool by_second);

/*
 * Zone Z's nxb_fast, written at OUT (denial_nxb_fast_len() of them, with the same BY_SECOND; nxb,
 * nxb_idx, nsec_first and nx_soa_lab made), then set. Without BY_SECOND, a question whose key
 * begins as a key does is compared.
 */
void denial_nxb_fast(zt_t *zt, uint32_t z, uint32_t *out, bool by_second);

/* The first octet of a canonical key that begins with label LAB (0 and 1 are escaped as 1 ...). */
static inline unsigned denial_key_first(const uint8_t *lab)
{
	return lab[1] > 1 ? lab[1] : 1;
}

/* Its second octet: the escaped octet's second, or the label's end (0), or its second octet. */
static inline unsigned denial_key_second(const uint8_t *lab)
{
	if (lab[1] <= 1)
		return lab[1] + 1u;
	if (lab[0] == 1)
		return 0;
	return lab[2] > 1 ? lab[2] : 1;
}

/*
 * Zone Z's nxb_fast entry of a question whose label just below the apex is LAB (lower case), by
 * the first two octets of its key: the NSEC that covers it, as its lines in nxb (from, to) and
 * the blob of its NXDOMAIN below the apex (ZT_NONE: none, or the apex has a wildcard) with what
 * it is (nxb[4k + 3]). NULL when an NSEC owner's key, or an SOA name's label, begins with both:
 * the keys are compared then (denial_blob_cover()).
 */
static inline const uint32_t *denial_fast_lines(const zt_zone_t *z, const uint8_t *lab)
{
	const uint32_t *f = z->nxb_fast + 4 * denial_key_first(lab);

	if (__builtin_expect(f[0] == UINT32_MAX, 0)) {
		if (f[1] == UINT32_MAX)
			return NULL; /* no tables by the second octet */
		f = z->nxb_fast + DENIAL_NXB_FAST_LEN * (1 + (size_t)f[1]) +
		    4 * denial_key_second(lab);
		if (f[0] == UINT32_MAX)
			return NULL;
	}
	return f;
}

/* The blob at arena offset NB (what it answers: WHAT) for Q, as denial_blob() returns it. */
static inline uint32_t denial_blob_of(const zt_t *zt, const struct zt_query *q, uint32_t nb,
				      uint32_t what, int *delta, uint64_t *id)
{
	const zt_blob_t *b = zt_blob(zt, nb);

	*delta = (int)q->qname_len - (int)b->ref_qlen;
	if (!zt_blob_moves(b, *delta))
		return ZT_NONE;
	*id = 1ull << 32 | what;
	return nb;
}

/* The blob of nxb line E for Q, as denial_blob() returns it. */
static inline uint32_t denial_blob_at(const zt_t *zt, const struct zt_query *q, const uint32_t *e,
				      int *delta, uint64_t *id)
{
	return denial_blob_of(zt, q, e[2], e[3], delta, id);
}

/*
 * denial_blob() when an NSEC owner's key or an SOA name's label below the apex begins as the
 * question's (REL octets of its name before the apex's, BELOW its label just below the apex):
 * the covering NSEC by the keys, then its line.
 */
uint32_t denial_blob_cover(const zt_t *zt, const struct zt_query *q, uint32_t ce, size_t rel,
			   const uint8_t *below, int *delta, uint64_t *id);

/*
 * The whole NXDOMAIN with DO for Q below CE, or the wildcard's answer with its proof, made at
 * compile time (zt_denial.c): the arena offset of its blob, how far it moves (*DELTA) and what
 * it is (*ID, as zt_answer_info.answer); ZT_NONE when the zone has none for it (denial_answer()
 * then). Inline: most questions' lines are found by the first one or two octets of their
 * label below the apex (nxb_fast), a few loads.
 */
static inline uint32_t denial_blob(const zt_t *zt, const struct zt_query *q, uint32_t ce,
				   int *delta, uint64_t *id)
{
	const zt_node_t *node = &zt->nodes[ce];
	const zt_zone_t *z = &zt->zones[node->zone];
	const uint8_t *below = q->key;
	const uint32_t *e, *f;
	size_t rel;

	if (z->nxb_fast == NULL)
		return ZT_NONE;
	/* The question's label just below the apex (it has one: it is no name of the zone)
	 * begins its key. Mostly the encloser is the apex: its name is at hand. */
	rel = q->qname_len - (ce == z->apex ? node->name_len : zt->nodes[z->apex].name_len);
	while (below + *below + 1 < q->key + rel)
		below += *below + 1;
	f = denial_fast_lines(z, below);
	if (__builtin_expect(f == NULL, 0))
		return denial_blob_cover(zt, q, ce, rel, below, delta, id);
	/* No owner's key begins as the question's: the owner before the first that begins
	 * after it covers the question. Its NXDOMAIN below the apex at once, else its lines. */
	if (ce == z->apex && f[2] != ZT_NONE)
		return denial_blob_of(zt, q, f[2], f[3], delta, id);
	e = denial_blob_line(z, f[0], f[1], ce, q->qtype);
	return e != NULL ? denial_blob_at(zt, q, e, delta, id) : ZT_NONE;
}

/* A tail denial_render() wrote, as a blob is made of it (zt_blob_t). */
struct denial_built {
	uint32_t what; /* what it answers: zt_answer_info.answer's low 32 bits */
	uint16_t flags, an, ns, ar;
	uint16_t ref_qlen, max_ptr;
	const uint8_t *data;
	size_t len;
	unsigned nfix; /* the FIX given, relative to DATA */
};

/*
 * For the compile (zt_denial.c): in NSEC zone Z, the answer to a name covered by its NSEC I
 * whose closest encloser is CE, for a question one label below CE: the whole NXDOMAIN (QTYPE 0:
 * the same for every type), or when CE has a wildcard its answer to QTYPE with the proof, or
 * its NODATA (QTYPE DENIAL_WILD_NODATA: for every type it lacks). Written in BUF (CAP octets),
 * the positions of the pointers that move with the question in FIX (FCAP of them). False when
 * it is not one denial_answer() composes.
 */
bool denial_render(const zt_t *zt, uint32_t z, uint32_t i, uint32_t ce, uint32_t qtype,
		   uint8_t *buf, size_t cap, uint16_t *fix, unsigned fcap,
		   struct denial_built *out);

/*
 * denial_n3.c: as denial_answer(), in an NSEC3 zone, the answer joined from the parts made at
 * compile time (an NXDOMAIN: its closest provable encloser's, zone->n3nx; a wildcard's answer:
 * its blob) and the next closer name's NSEC3 and signatures, the one hash a question costs. The
 * same octets; false when it has no parts for Q or Q is one they do not suit (denial_answer()
 * then).
 */
bool denial_n3_answer(const zt_t *zt, const struct zt_query *q, uint32_t ce, size_t limit,
		      uint8_t *buf, size_t cap, struct denial_tail *t);

/*
 * For the compile (zt_denial_floor.c): the octets node N's NSEC RRset and its signatures take in
 * a proof denial_render() writes (none without the NSEC RRset): at least *LO, at most *HI (each
 * record's owner written whole, compressed or a pointer: one octet to the name's length), and at
 * most *OWNERS pointers that move with the question (an owner each).
 */
void denial_nsec_octets(const zt_t *zt, uint32_t n, size_t *lo, size_t *hi, unsigned *owners);

/*
 * For the compile (zt_denial.c): in NSEC3 zone Z, the NXDOMAIN with DO of the names whose closest
 * provable encloser is CPE, without the next closer name's NSEC3 and its signatures: the rest
 * of the answer as denial_render() writes it (the answer when that NSEC3 is one of the two the
 * rest holds), and in HOLE where the two go (offsets in OUT's data). False when there is none
 * (CPE not its own closest provable encloser, or without an NSEC3 of its own).
 */
bool denial_n3_render(const zt_t *zt, uint32_t z, uint32_t cpe, uint8_t *buf, size_t cap,
		      uint16_t *fix, unsigned fcap, struct denial_built *out, uint16_t hole[2]);

/*
 * For the compile (zt_denial.c): in NSEC3 zone Z, the NXDOMAIN of its first NXDOMAIN parts
 * (zone->n3nx's first triple: the apex's, mostly) joined ahead with the NSEC3 at position POS
 * of the chain as the next closer's cover, as denial_n3_answer() joins it for a question as
 * long as the parts' reference one: the whole tail, every pointer in FIX (they all move with
 * the question). Written in BUF (CAP octets). False when it cannot be made (answered by
 * joining then).
 */
bool denial_n3_ahead(const zt_t *zt, uint32_t z, uint32_t pos, uint8_t *buf, size_t cap,
		     uint16_t *fix, unsigned fcap, struct denial_built *out);

/*
 * For the compile (zt_denial.c): in NSEC3 zone Z, the NSEC3 of the chain's owner at POS and its
 * RRSIGs as denial_n3_answer() writes a cover (zone->n3cv), their pointers left 0 (the one to the
 * apex 1) and listed in FIX; *PART where the RRSIGs begin. Written in BUF (CAP octets). False
 * when the owner has no NSEC3 (answered as before then).
 */
bool denial_n3_cover(const zt_t *zt, uint32_t z, uint32_t pos, uint8_t *buf, size_t cap,
		     uint16_t *fix, unsigned fcap, struct denial_built *out, uint16_t *part);

#endif
