/* SPDX-License-Identifier: BSD-3-Clause */
/* sigtime.c: the RRSIG validity periods of a zone against the clock (presigned loads, re-signs) */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sigtime.h"
#include "zload_pvt.h"

/* RFC 4034 3.1: type covered (2), algorithm (1), labels (1), original TTL (4), then expiration
 * and inception (4 each, network order). */
#define RRSIG_EXPIRATION_AT 8
#define RRSIG_INCEPTION_AT 12

static _Atomic int64_t skew;

int64_t sigtime_now(void)
{
	return (int64_t)time(NULL) + atomic_load(&skew);
}

void sigtime_set_skew(int64_t seconds)
{
	atomic_store(&skew, seconds);
}

int64_t sigtime_field(uint32_t t, int64_t now)
{
	return now + (int32_t)(t - (uint32_t)now);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void sigtime_scan(const zload_zone_t *zone, int64_t now, sigtime_span_t *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; zone != NULL && i < zone->nrecs; i++) {
		const uint8_t *rd = zload_rec_rdata(zone, i);
		int64_t exp, inc;

		if (zone->recs[i].type != 46 /* RRSIG */ ||
		    zone->recs[i].rdlen < RRSIG_INCEPTION_AT + 4)
			continue;
		exp = sigtime_field(get32(rd + RRSIG_EXPIRATION_AT), now);
		inc = sigtime_field(get32(rd + RRSIG_INCEPTION_AT), now);
		if (out->nsigs == 0 || inc > out->max_inception)
			out->max_inception = inc;
		if (out->nsigs == 0 || inc < out->min_inception)
			out->min_inception = inc;
		if (out->nsigs == 0 || exp > out->max_expiration)
			out->max_expiration = exp;
		out->nsigs++;
		if (exp < now)
			out->nexpired++;
		else if (now < inc)
			out->nfuture++;
		else
			out->nvalid++;
	}
}

static const char *utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

bool sigtime_presigned_stale(const zload_zone_t *zone, const char *file, int64_t now, char *msg,
			     size_t len)
{
	sigtime_span_t s;
	char a[32], b[32], c[32], d[32];

	msg[0] = '\0';
	sigtime_scan(zone, now, &s);
	if (s.nsigs == 0 || s.nvalid > 0)
		return false;
	snprintf(msg, len,
		 "%s: zone %s: none of its %zu RRSIGs is valid now (%s): %zu expired, %zu not yet "
		 "valid (inceptions %s to %s, latest expiration %s); validating resolvers will "
		 "answer SERVFAIL until the zone is signed again (or the clock is set right)",
		 file, zload_origin(zone), s.nsigs, utc(now, a, sizeof(a)), s.nexpired, s.nfuture,
		 utc(s.min_inception, b, sizeof(b)), utc(s.max_inception, c, sizeof(c)),
		 utc(s.max_expiration, d, sizeof(d)));
	return true;
}

int sigtime_clock_check(const zload_zone_t *signed_before, const char *origin, int64_t now,
			int64_t margin, char *err, size_t errlen)
{
	sigtime_span_t s;
	char a[32], b[32];

	sigtime_scan(signed_before, now, &s);
	if (s.nsigs == 0 || now >= s.max_inception - margin)
		return 0;
	snprintf(
	    err, errlen,
	    "zone %s: the clock (%s) is earlier than the inception of the signatures sandns "
	    "made before (%s) by more than %lld s: it went back; not signing again until it is "
	    "set right (the zone signed before is still served)",
	    origin, utc(now, a, sizeof(a)), utc(s.max_inception, b, sizeof(b)), (long long)margin);
	return -1;
}
