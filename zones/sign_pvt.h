/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_pvt.h: what the signer (sign.c) reads of a zone's keys (sign_keys.c) in libldns terms */
#ifndef SIGN_PVT_H
#define SIGN_PVT_H

#include <ldns/ldns.h>

#include "sign.h"

/* The keys, as libldns signs with them (owned by KEYS). */
ldns_key_list *sign_keys_list(const sign_keys_t *keys);
/* Key I's DNSKEY record (owned by KEYS). */
const ldns_rr *sign_key_rr(const sign_keys_t *keys, size_t i);

/*
 * sign_reuse.c: on each RRset of DZ (its NSEC or NSEC3 chain made, not signed yet) whose
 * records PREV (the zone signed before) holds the same, and on each NSEC or NSEC3 that PREV
 * holds the same, PREV's RRSIGs over it that expire no sooner than KEEP_UNTIL and were made by
 * one of KEYS; *MIN_EXP lowered to the earliest expiration kept. How many were kept, -ENOMEM.
 */
long sign_reuse(ldns_dnssec_zone *dz, const zload_zone_t *prev, const sign_keys_t *keys,
		uint32_t keep_until, uint32_t *min_exp);

#endif
