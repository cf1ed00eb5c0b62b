/* SPDX-License-Identifier: BSD-3-Clause */
/* sigtime.h: whether the clock sits inside the validity periods of a zone's RRSIGs */
#ifndef SIGTIME_H
#define SIGTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zload.h"

/*
 * How far (seconds) the clock may be earlier than the latest inception of the signatures sandns
 * made before it re-signs a zone: sign.c backdates inceptions by an hour, so a clock stepped back
 * by up to two hours (a large NTP correction) still signs; more is refused (sigtime_clock_check).
 */
#define SIGTIME_CLOCK_MARGIN 3600

/* What the RRSIGs of a zone say about time NOW (Unix seconds). */
typedef struct sigtime_span {
	size_t nsigs;	       /* RRSIG records */
	size_t nvalid;	       /* inception <= now <= expiration (RFC 4035 5.3.1) */
	size_t nexpired;       /* expiration < now */
	size_t nfuture;	       /* now < inception */
	int64_t max_inception; /* the latest inception (0 without RRSIG) */
	int64_t max_expiration;
	int64_t min_inception;
} sigtime_span_t;

/*
 * The 32-bit time field T of an RRSIG as Unix time: the instant nearest to NOW that T names
 * (RFC 4034 3.1.5: serial number arithmetic, the field wraps every 136 years).
 */
int64_t sigtime_field(uint32_t t, int64_t now);

/* Counts the RRSIGs of ZONE by where NOW stands against their validity periods. */
void sigtime_scan(const zload_zone_t *zone, int64_t now, sigtime_span_t *out);

/*
 * A presigned zone loaded from FILE: true when it holds RRSIGs and not one of them is valid at
 * NOW (all expired, or not yet valid: a clock far from the signer's); MSG (LEN bytes) then says so,
 * naming FILE, the zone and the period the signatures span. False, MSG empty, otherwise.
 */
bool sigtime_presigned_stale(const zload_zone_t *zone, const char *file, int64_t now, char *msg,
			     size_t len);

/*
 * Before sandns signs zone ORIGIN anew: SIGNED_BEFORE is what it signed last (NULL: nothing).
 * Returns 0, or -1 with ERR (ERRLEN bytes) naming the zone, when NOW is earlier than the latest
 * inception of SIGNED_BEFORE's signatures by more than MARGIN seconds: the clock went back, and
 * signatures made now would be older than those already served (and those, not yet valid by it).
 */
int sigtime_clock_check(const zload_zone_t *signed_before, const char *origin, int64_t now,
			int64_t margin, char *err, size_t errlen);

/*
 * The wall clock the signer reads: time(NULL) plus the offset tests set with sigtime_set_skew()
 * (0 unless set), so that a unit test can move the signer's clock back.
 */
int64_t sigtime_now(void);
void sigtime_set_skew(int64_t seconds);

#endif
