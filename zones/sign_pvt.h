/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_pvt.h: the signer's state shared by sign.c, sign_canon.c, sign_chain.c, sign_run.c */
#ifndef SIGN_PVT_H
#define SIGN_PVT_H

#include <openssl/evp.h>

#include "sign.h"
#include "wire.h"
#include "zload_pvt.h"

/* Keys one zone may have in the directory (a rollover has a few at most). */
#define SIGN_KEYS_MAX 16
/* Octets of a signature: ECDSA P-256's r||s (RFC 6605), Ed25519's (RFC 8080). */
#define SIGN_SIG_LEN 64
/* Octets of an RRSIG's data before its signer's name (RFC 4034 3.1). */
#define SIGN_RRSIG_FIXED 18

/* Key I's private key as OpenSSL has it (owned by KEYS, shared read-only by the threads). */
EVP_PKEY *sign_key_pkey(const sign_keys_t *keys, size_t i);
/* Key I's DNSKEY data in wire form: its length, written to OUT (room for 1024 octets). */
size_t sign_key_rdata(const sign_keys_t *keys, size_t i, uint8_t *out);

/* One RRset to sign: its records are order[first .. first + count) of the zone. */
typedef struct sign_set {
	uint32_t first;
	uint32_t count;
	uint32_t slot; /* the zone's record index of its first RRSIG (sign.c's layout) */
	uint32_t ttl;  /* the least TTL of its records: the RRSIG's original TTL */
	uint16_t type;
	uint8_t nsig;	  /* RRSIGs it gets */
	uint8_t signers;  /* how many keys sign it anew (0: the signatures kept are its own) */
	uint16_t keymask; /* which keys sign it anew */
} sign_set_t;

/* A zone being signed. */
typedef struct sign_ctx {
	zload_zone_t *z; /* the copy signed: records appended */
	uint32_t *order; /* record indexes: the zone's in canonical order, then the chain's */
	size_t norder, ordercap;
	size_t nzone;	  /* ORDER's first part, the zone's records (the chain's after) */
	sign_set_t *sets; /* the RRsets to sign, in the order of ORDER */
	size_t nsets, setcap;
	const sign_keys_t *keys;
	size_t nkeys; /* KEYS' count, and each key's tag, algorithm and OpenSSL key */
	uint16_t tag[SIGN_KEYS_MAX];
	uint8_t alg[SIGN_KEYS_MAX];
	EVP_PKEY *pkey[SIGN_KEYS_MAX];
	const sign_params_t *p;
	uint8_t apex[256]; /* the origin, lower case */
	size_t apex_len;
	unsigned apex_labels;
	uint32_t nsec_ttl; /* RFC 9077: the least of the SOA's TTL and its MINIMUM */
	uint32_t inception, expiration;
	unsigned file; /* the zone's file index for what the signer adds */
} sign_ctx_t;

/*
 * Whether the RRSIG of data RD (LEN octets, at least SIGN_RRSIG_FIXED) was made as C signs: by one
 * of C's keys (its tag and algorithm: a tag alone can be another algorithm's key) for C's zone
 * (the signer's name the apex). Only such a signature is kept.
 */
static inline bool sign_key_known(const sign_ctx_t *c, const uint8_t *rd, size_t len)
{
	uint16_t tag = (uint16_t)(rd[16] << 8 | rd[17]);

	if (len < SIGN_RRSIG_FIXED + c->apex_len || !wire_name_eq(rd + SIGN_RRSIG_FIXED, c->apex))
		return false;
	for (size_t k = 0; k < c->nkeys; k++)
		if (c->tag[k] == tag && c->alg[k] == rd[2])
			return true;
	return false;
}

/*
 * sign_canon.c: RDATA of TYPE (LEN octets) in canonical form (RFC 4034 6.2: the names in the
 * data of the types listed there lower-cased) into OUT (LEN octets too).
 */
void sign_canon_rdata(uint16_t type, const uint8_t *in, size_t len, uint8_t *out);
/*
 * sign_canon.c: C's order: every record of C->z in canonical order (owner, type, canonical
 * RDATA: RFC 4034 6.1, 6.3), room left for the chain. 0 or -ENOMEM.
 */
int sign_canon_sort(sign_ctx_t *c);
/*
 * sign_canon.c: the first N records of Z in that order into OUT (N entries), the origin
 * APEX_LABELS labels. 0 or -ENOMEM.
 */
int sign_canon_order(const zload_zone_t *z, size_t n, unsigned apex_labels, uint32_t *out);
/*
 * sign_canon.c: the type bitmap (RFC 4034 4.1.2) of the NTYPES sorted types TYPES into OUT
 * (room for 8704 octets at most; a few dozen in practice); its length.
 */
size_t sign_type_bitmap(const uint16_t *types, size_t ntypes, uint8_t *out);

/*
 * sign_chain.c: C's names walked in canonical order: occluded ones (below a delegation or a
 * DNAME) left out, each RRset to sign added to C->sets (at a delegation: its DS only), the
 * NSEC or NSEC3 chain (with the empty non-terminals and EMPTY's names, sorted canonically)
 * pushed into C->z and added too. 0, or -ENOMEM.
 */
int sign_chain(sign_ctx_t *c, ldns_rdf *const *empty, size_t nempty);

/* sign_run.c: threads that sign (0: one per online CPU, up to 4); tests set it. */
extern unsigned sign_threads;
/*
 * sign_run.c: the signatures of C's sets that keys sign anew, on up to sign_threads threads,
 * written into the RRSIG records laid out for them (their data up to the signature written).
 * 0, or -1 with the reason in err.
 */
int sign_run(sign_ctx_t *c, char *err, size_t errlen);

/* sign_reuse.c: the records of the zone signed before, indexed by owner and type. */
typedef struct sign_reuse sign_reuse_t;
sign_reuse_t *sign_reuse_new(const zload_zone_t *prev);
/* The same over PREV's records [A0, A1) and [B0, B1) only (A1 <= B0). */
sign_reuse_t *sign_reuse_new_spans(const zload_zone_t *prev, size_t a0, size_t a1, size_t b0,
				   size_t b1);
void sign_reuse_free(sign_reuse_t **x);
/*
 * sign_reuse.c: when PREV holds the same records as set S of C (owner, type, TTLs, data), its
 * RRSIGs over them that expire no sooner than KEEP_UNTIL and were made by one of C's keys:
 * their record indexes in PREV into OUT (at most MAX), *MIN_EXP lowered to their earliest
 * expiration. How many. The SOA (its serial moved) is never kept. TO_NEW (NULL: none), per
 * record of PREV: each of the set's records found there noted (its index in C's zone + 1).
 */
size_t sign_reuse_find(const sign_reuse_t *x, const sign_ctx_t *c, const sign_set_t *s,
		       uint32_t keep_until, uint32_t *out, size_t max, uint32_t *min_exp,
		       uint32_t *to_new);

/*
 * sign_merge.c: the zone signed before walked beside C in canonical order, for a PREV that
 * sign_zone() made (its sign_order kept) or one read back with the same layout and its
 * signatures in step: NULL otherwise (sign_reuse.c's search), or without memory.
 */
typedef struct sign_merge sign_merge_t;
/* sign_merge.c: whether the walk is taken (tests turn it off to take sign_reuse.c's search). */
extern bool sign_walk;
/*
 * sign_merge.c: the walks taken over a PREV without its order (read back from the state
 * directory or a text: its layout found, its order sorted again, its signatures checked to be in
 * step); tests read it to tell a walk from the search it falls back to.
 */
extern unsigned long sign_walks_read_back;
sign_merge_t *sign_merge_new(const zload_zone_t *prev, const sign_ctx_t *c);
void sign_merge_free(sign_merge_t **m);
/*
 * sign_merge.c: sign_reuse_find() found by the walk: sets asked in C's order, each once, the
 * same answer. NSEC3's chain (not in owner order) through sign_reuse over its records.
 */
size_t sign_merge_find(sign_merge_t *m, const sign_ctx_t *c, const sign_set_t *s,
		       uint32_t keep_until, uint32_t *out, size_t max, uint32_t *min_exp);
/* sign_merge.c: record PREV_REC of the version before is kept as record REC (an RRSIG). */
void sign_merge_kept(sign_merge_t *m, uint32_t prev_rec, uint32_t rec);
/*
 * sign_merge.c: Z (the version signed, its signatures made) indexed by owner from the version
 * before's index, the records found the same carried (zload_index_owners_from()). 0 or -ENOMEM.
 */
int sign_merge_index(sign_merge_t *m, zload_zone_t *z);

#endif
