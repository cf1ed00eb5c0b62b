/* SPDX-License-Identifier: BSD-3-Clause */
/* policy_zone.h: the four questions the autodiscover policy asks of one zone, read or not read */
#ifndef POLICY_ZONE_H
#define POLICY_ZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "zload.h"

/* Addresses (or SRV records) of one name weighed at most: the first in file order. */
#define POLICY_ADDRS_MAX 64

/*
 * Each question is asked of the zone read (PZ->zone; the answer recorded in PZ->record when
 * set), or of the view of a zone not read (PZ->view; a question the view does not hold sets
 * PZ->missed and gets "no": the caller reads the zone and evaluates again). A question that
 * cannot be recorded (no memory) is only missed the next time.
 */

/* Whether PZ holds records at NAME (AT) or below it (BELOW), one of them at least set. A
 * question of the zone read that fails (memory out: not known) is "no" with the error kept in
 * PZ->failed, as pzone_lookup()'s; pzone_other() likewise. */
bool pzone_has(policy_zone_t *pz, const char *name, bool at, bool below);

/*
 * Calls FN for each record of TYPE at OWNER in PZ, in file order, as zload_lookup() does (the
 * TTL given as 0: no caller reads it): 0, FN's first non-zero return, or -ENOMEM. A name that
 * does not parse has no records. An error (its records not known) is kept in PZ->failed.
 */
int pzone_lookup(policy_zone_t *pz, const char *owner, uint16_t type, zload_rr_fn fn, void *ctx);

/* Tests only: the Nth call of pzone_lookup() from now (1: the next) fails as when memory runs
 * out, -ENOMEM, and the count stops; 0 (the default): none does. */
extern unsigned long pzone_lookup_fail_at;

/*
 * Whether a question of one of the N ZONES failed (policy_zone_t.failed): then what was decided
 * of them rests on records not known, and ERR says which zone and why ("policy: zone Z: cannot
 * read its records: REASON").
 */
bool pzone_failed(const policy_zone_t *zones, size_t n, char *err, size_t errlen);

/* Whether NAME in PZ holds records of a type other than A, AAAA and CNAME. */
bool pzone_other(policy_zone_t *pz, const char *name);

/*
 * Whether NAME (lower case, in PZ, with the final dot as PZ->origin) lies at or below a
 * delegation of PZ: NS records at NAME or at an ancestor below the apex. There PZ's records are
 * glue or occluded (RFC 1034 4.2.1): the child zone answers for the name, not PZ.
 */
bool pzone_below_cut(policy_zone_t *pz, const char *name);

/* Whether PZ is DNSSEC-signed (holds DNSKEY or RRSIG records). */
bool pzone_signed(policy_zone_t *pz);

#endif
