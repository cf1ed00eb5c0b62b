/* SPDX-License-Identifier: BSD-3-Clause */
/* sign.h: sandns as a DNSSEC signer: a zone's keys, and a loaded zone signed with them */
#ifndef SIGN_H
#define SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "zload.h"

/* Algorithms sandns signs with (RFC 8624 "MUST"/"RECOMMENDED" for signing). */
#define SIGN_ALG_ECDSAP256SHA256 13
#define SIGN_ALG_ED25519 15

/* How a zone is signed: a `dnssec-policy` (docs/configuration.md). */
typedef struct sign_params {
	uint8_t algorithm; /* SIGN_ALG_* */
	bool csk;	   /* one combined signing key; else a KSK and a ZSK */
	bool nsec3;	   /* NSEC3 (RFC 9276: 0 extra iterations, no salt); else NSEC */
	uint32_t lifetime; /* seconds a signature is valid from now */
	uint32_t refresh;  /* signatures are renewed this long before they expire */
	uint32_t jitter;   /* new signatures expire spread over this much before the lifetime */
} sign_params_t;

/*
 * A renewal remakes the signatures that expire within the refresh time and this part of the
 * jitter after it (a slice: sign_zone()), so that renewals come at most that often; and never
 * a slice shorter than this part of the lifetime less the refresh time (the whole jitter when
 * it is shorter still): a small jitter is renewed at once, not in many renewals close together.
 */
#define SIGN_SLICES 16
#define SIGN_SLICE_MIN_PART 64

/* The keys of one zone, as read from (or made in) the key directory. */
typedef struct sign_keys sign_keys_t;

/*
 * sign_keys.c: the keys of zone ORIGIN in DIR, BIND's K<ORIGIN>+<ALG>+<TAG>.key/.private pairs
 * of the policy's algorithm. Those missing for P (a CSK, or a KSK and a ZSK) are made when
 * CREATE, written with .private mode 0600 (the directory is created mode 0700), and said in
 * *MADE (may be NULL). NULL with the reason (naming the file) in err: a file that cannot be
 * read or parsed, a .key that is not the .private's public half, a key missing (not CREATE).
 */
sign_keys_t *sign_keys_load(const char *dir, const char *origin, const sign_params_t *p,
			    bool create, bool *made, char *err, size_t errlen);
void sign_keys_free(sign_keys_t **keys);
/*
 * sign_keys.c: checks the key files of zone ORIGIN in DIR as sign_keys_load() reads them,
 * without making any (--check-config): 0 when every pair there reads and matches (none at all,
 * or no DIR yet, is fine: keys are made at start), else -1 with the reason in err.
 */
int sign_keys_check(const char *dir, const char *origin, const sign_params_t *p, char *err,
		    size_t errlen);

/* How many keys; key I's DNSKEY and DS (SHA-256) in presentation form, malloc'd (or NULL). */
size_t sign_keys_count(const sign_keys_t *keys);
char *sign_key_dnskey(const sign_keys_t *keys, size_t i);
char *sign_key_ds(const sign_keys_t *keys, size_t i);
/* Key I's tag, flags (256 ZSK, 257 KSK or CSK), algorithm and its .private file. */
uint16_t sign_key_tag(const sign_keys_t *keys, size_t i);
uint16_t sign_key_flags(const sign_keys_t *keys, size_t i);
uint8_t sign_key_algorithm(const sign_keys_t *keys, size_t i);
const char *sign_key_file(const sign_keys_t *keys, size_t i);
/* Whether sign_keys_load() made a key-signing key (or CSK) for KEYS: the parent's DS is new. */
bool sign_keys_made_ksk(const sign_keys_t *keys);
/* A digest of the keys (their tags and public halves): a key change means a new signing. */
uint64_t sign_keys_hash(const sign_keys_t *keys);

/* The signing algorithm's number for NAME ("ecdsap256sha256", "ed25519", "13", "15"), or 0. */
uint8_t sign_alg_parse(const char *name);
/* Its name ("ecdsap256sha256", "ed25519"). */
const char *sign_alg_name(uint8_t alg);

/*
 * sign.c: a copy of ZONE with EDITS applied and serial SERIAL (as zload_edit()), signed with
 * KEYS as P says at time NOW: DNSKEY, NSEC or NSEC3 (with NSEC3PARAM) and RRSIG records added,
 * the policy's empty nodes in the chain. PREV (NULL: none), the zone as signed before with the
 * same keys: the RRSIGs of its RRsets that did not change are kept when they stay valid past
 * the refresh time and a slice (P's jitter / SIGN_SLICES) from NOW (*REUSED says how many; may
 * be NULL). A signature made expires P's lifetime from NOW less up to P's jitter (a digest of
 * its owner, type and NOW), never later. *EXPIRES gets when the first of its signatures
 * expires. A zone that holds DNSSEC records
 * already (presigned) is an error. NULL with the reason in err.
 */
zload_zone_t *sign_zone(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			unsigned long serial, const sign_keys_t *keys, const sign_params_t *p,
			const zload_zone_t *prev, time_t now, time_t *expires, size_t *reused,
			char *err, size_t errlen);

/*
 * sign.c: whether ZONE may be signed: SANDNS_EOK, or SANDNS_EZONE with the reason in ERR (the
 * zone, the file and line of its first DNSKEY, RRSIG, NSEC, NSEC3 or NSEC3PARAM record: a
 * presigned zone, or one stripped of its signatures but not of its chain). sign_zone() checks
 * it too; a caller checks it first to make no key for a zone it cannot sign.
 */
int sign_zone_signable(const zload_zone_t *zone, char *err, size_t errlen);

/*
 * What one signing did and where its time went (microseconds of CLOCK_MONOTONIC, phase by
 * phase): the edit copy, the canonical sort, the chain walk, the kept signatures found and the
 * records laid out, the signatures made, the index by owner carried from PREV's (a PREV that
 * sign_zone() made and that was indexed: zload_index_owners_from()).
 */
typedef struct sign_report {
	bool carry_index; /* in: index by owner from PREV's when it allows (sign_zone(): yes) */
	size_t reused;	  /* signatures kept */
	uint64_t edit_us, sort_us, chain_us, reuse_us, run_us;
	uint64_t index_us; /* the index by owner carried from the version before's, or 0 */
} sign_report_t;

/*
 * sign.c: sign_zone() with its report in *REP (never NULL) rather than the count kept alone; its
 * CARRY_INDEX read first.
 */
zload_zone_t *sign_zone_report(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			       unsigned long serial, const sign_keys_t *keys,
			       const sign_params_t *p, const zload_zone_t *prev, time_t now,
			       time_t *expires, sign_report_t *rep, char *err, size_t errlen);

/*
 * sign.c: a digest of ZONE's records as read (owners, types, TTLs, data, in file order): the same
 * zone read again gives the same digest, so that its fresh signatures are reused.
 */
uint64_t sign_zone_digest(const zload_zone_t *zone);

#endif
