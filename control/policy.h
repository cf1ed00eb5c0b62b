/* SPDX-License-Identifier: BSD-3-Clause */
/* policy.h: the autodiscover policy as a pure function of zones and certificates */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "pview.h"
#include "zload.h"

/*
 * policy_evaluate() decides, per accepted domain D (each zone apex) and per address family,
 * what docs/autodiscover-policy.md says must happen to N = autodiscover.D. It only decides:
 * applying a decision to the served data is the zone compiler's business. Every certificate
 * applies to every address (no address map yet), so coverage is a question about the name N,
 * and "partly covered" cannot arise: a family is covered or it is not.
 */
typedef struct policy policy_t;

typedef struct policy_opts {
	const char *srv_target;	 /* the operator's SRV target T, or NULL: derive it from the SANs */
	bool legacy_cn_fallback; /* passed to cert_covers() */
} policy_opts_t;

enum policy_family {
	POLICY_FAMILY_A = 1, /* the RR type numbers */
	POLICY_FAMILY_AAAA = 28,
};

enum policy_kind {
	POLICY_ABSENT = 0,	      /* N has no address of this family: nothing to do */
	POLICY_COVERED,		      /* a certificate covers N: leave N alone */
	POLICY_SUPPRESS_EXISTING_SRV, /* a valid SRV exists (target): suppress N's addresses */
	POLICY_SYNTHESIZE_SRV,	      /* add SRV 0 0 443 target, then suppress N's addresses */
	POLICY_KEEP_ALERT,	      /* not covered and no SRV target qualifies: keep N, alert */
	POLICY_FOREIGN_CNAME,	      /* N is a CNAME leaving the served zones: not touched */
	POLICY_APEX,		      /* the apex D (name is D): reported, never suppressed */
};

/*
 * Evaluates the policy over ZONES (each one accepted domain) and CERTS (which every address
 * serves). Nothing is kept from the arguments: the result owns copies of every string. Returns
 * NULL and ERR (one line) only when memory runs out (a zone's records that could not be read
 * included) or an argument is missing; any zone content yields decisions. The caller frees the
 * result with policy_free().
 */
policy_t *policy_evaluate(zload_zone_t *const *zones, size_t nzones, cert_t *const *certs,
			  size_t ncerts, const policy_opts_t *opts, char *err, size_t errlen);

/*
 * One zone for policy_evaluate_zones(): read (ZONE), or not read, answered by VIEW, what an
 * evaluation recorded of it when it was read (its files unchanged since: the caller's word).
 */
typedef struct policy_zone {
	const char *origin;	  /* presentation form with the final dot (zload_origin()'s) */
	const zload_zone_t *zone; /* the zone as read, or NULL: not read, VIEW answers for it */
	const pview_t *view;	  /* ZONE NULL: what the policy read of it before (NULL: nothing) */
	pview_t *record; /* ZONE set: where what the policy reads of it is recorded, or NULL */
	bool missed;	 /* set by the evaluation: it asked VIEW what VIEW does not hold */
	int failed; /* set by the evaluation: a question of ZONE failed (-ENOMEM), and with it the
		     * evaluation (NULL, ERR naming the zone): nothing decided on absent records */
} policy_zone_t;

/*
 * policy_evaluate() over ZONES, some of them maybe not read. The result is what reading them
 * would give, unless a zone not read comes back MISSED: then its decisions and edits are not
 * to be used (read that zone and evaluate again). ZONES are written only for RECORD and MISSED.
 */
policy_t *policy_evaluate_zones(policy_zone_t *zones, size_t nzones, cert_t *const *certs,
				size_t ncerts, const policy_opts_t *opts, char *err, size_t errlen);

/* Frees *P (NULL accepted) and leaves NULL behind. */
void policy_free(policy_t **p);

/*
 * The decisions in zone order; per domain: N's A, N's AAAA, then the apex's A and AAAA (apex
 * entries only for a family the apex has). Strings live as long as P. I must be < the count.
 */
size_t policy_count(const policy_t *p);
/* The accepted domain D, presentation form with trailing dot. */
const char *policy_domain(const policy_t *p, size_t i);
/* The name decided about: N (autodiscover.D.) or, for POLICY_APEX, D. */
const char *policy_name(const policy_t *p, size_t i);
enum policy_family policy_family(const policy_t *p, size_t i);
enum policy_kind policy_kind(const policy_t *p, size_t i);
/* The SRV target (trailing dot) for SUPPRESS_EXISTING_SRV and SYNTHESIZE_SRV; NULL otherwise. */
const char *policy_target(const policy_t *p, size_t i);
/* Why: the step taken, the SAN or record that made it, what was rejected on the way. */
const char *policy_reason(const policy_t *p, size_t i);
/*
 * Whether the compiler must apply the decision. False for the reported-only cases: ABSENT,
 * COVERED, FOREIGN_CNAME, APEX, KEEP_ALERT, and every decision in a DNSSEC-signed zone
 * (DNSKEY or RRSIG present), where the reason says what would have been done.
 */
bool policy_applies(const policy_t *p, size_t i);
/* Whether the decision calls for an alert (KEEP_ALERT, or a signed zone needing a change). */
bool policy_alert(const policy_t *p, size_t i);
/*
 * Whether N exists only through the wildcard *.D: suppressing it then needs an explicit empty
 * node at N so that the wildcard no longer answers for it.
 */
bool policy_via_wildcard(const policy_t *p, size_t i);

const char *policy_kind_name(enum policy_kind kind);

/*
 * The changes to the zone data that apply the decisions, for zload_edit(): for each domain with
 * an applied decision, N's A/AAAA withheld (and N's CNAME, when N is one); when nothing is left
 * at N (or N was only a wildcard's), an explicit empty node at N and, unless N has descendants,
 * a TXT record at _sandns.N saying why, so that N stays an empty non-terminal in the zone data
 * itself (AXFR carries it: secondaries answer NODATA too, never NXDOMAIN or the wildcard); and
 * for SYNTHESIZE_SRV the SRV RRset at _autodiscover._tcp.D replaced by "SRV 0 0 443 T" (TTL
 * 3600). In zone order; strings live as long as P. I must be < the count.
 */
size_t policy_edit_count(const policy_t *p);
const zload_edit_t *policy_edit(const policy_t *p, size_t i);
/* The domain (zone origin) edit I belongs to. */
const char *policy_edit_domain(const policy_t *p, size_t i);

#endif
