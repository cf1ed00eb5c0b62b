/* SPDX-License-Identifier: BSD-3-Clause */
/* policy.c: the autodiscover policy (docs/autodiscover-policy.md), decisions only */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "origins.h"
#include "policy.h"
#include "policy_zone.h"
#include "sandns_err.h"

/* RR types read here, by number: control/ does not see libldns. */
#define T_A 1
#define T_CNAME 5
#define T_TXT 16
#define T_AAAA 28
#define T_SRV 33

/* Longer CNAME chains (or loops) from N are left alone and reported. */
#define POLICY_CNAME_HOPS 8
#define POLICY_NAME_MAX 1024
#define POLICY_REASON_MAX 1024
/* The synthesized SRV's TTL (docs/autodiscover-policy.md, step 4). */
#define POLICY_SRV_TTL 3600
#define POLICY_MARKER_TEXT                                                                         \
	"\"sandns: the A/AAAA here are withheld, the certificate does not cover this name; see "   \
	"_autodiscover._tcp SRV\""
/* The longest name in presentation form that fits 255 octets of wire form (no escapes). */
#define POLICY_NAME_TEXT_MAX 254

/*
 * The served zones, asked through zload's index (nothing is copied out of them) or, for a zone
 * not read, through what the policy read of it before (pview.h).
 */
struct pdata {
	policy_zone_t *zones;
	size_t nzones;
	origins_t *origins; /* the zones' origins, for zone_of() */
	char *scratch; /* POLICY_NAME_MAX octets: rdata_of()'s answer, valid until its next call */
};

struct decision {
	char *domain, *name, *target, *reason;
	enum policy_family family;
	enum policy_kind kind;
	bool applies, alert, wildcard;
};

struct edit {
	zload_edit_t e; /* its owner and rdata are owned */
	char *domain;
};

struct policy {
	struct decision *d;
	size_t n, cap;
	struct edit *e;
	size_t ne, ecap;
};

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Whether NAME equals ORIGIN or lies below it (both lower case with trailing dots). */
static bool name_under(const char *name, const char *origin)
{
	size_t nl = strlen(name), ol = strlen(origin);

	if (nl == ol)
		return strcmp(name, origin) == 0;
	if (strcmp(origin, ".") == 0)
		return true;
	return nl > ol && name[nl - ol - 1] == '.' && strcmp(name + nl - ol, origin) == 0;
}

/* The served zone with authority for NAME (the longest origin), or -1: at or below a delegation
 * its records are glue or occluded, and the child's zone answers, as for a name outside. */
static long zone_of(const struct pdata *pd, const char *name)
{
	long z = origins_find(pd->origins, name);

	return z >= 0 && !pzone_below_cut(&pd->zones[z], name) ? z : -1;
}

static bool node_has_data(const struct pdata *pd, const char *name)
{
	long z = zone_of(pd, name);

	return z >= 0 && pzone_has(&pd->zones[z], name, true, false);
}

/* Whether NAME exists in the tree: it has data or something below it has (RFC 4592 2.2.2). */
static bool node_exists(const struct pdata *pd, const char *name)
{
	long z = zone_of(pd, name);

	return z >= 0 && pzone_has(&pd->zones[z], name, true, true);
}

struct take {
	char *buf;
	size_t len;
	bool found;
};

static int take_first(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct take *t = ctx;

	(void)owner;
	(void)type;
	(void)ttl;
	snprintf(t->buf, t->len, "%s", rdata);
	t->found = true;
	return 1; /* the first is enough */
}

/* The RDATA of the first record of TYPE at OWNER (in pd->scratch), or NULL. */
static const char *rdata_of(const struct pdata *pd, const char *owner, uint16_t type)
{
	long z = zone_of(pd, owner);
	struct take t = {.buf = pd->scratch, .len = POLICY_NAME_MAX};

	if (z < 0 || pzone_lookup(&pd->zones[z], owner, type, take_first, &t) < 0 || !t.found)
		return NULL;
	return pd->scratch;
}

/*
 * The owner whose records answer for NAME: NAME itself, or the wildcard at its closest encloser
 * (written into WILD, *VIA_WILDCARD set). NULL when NAME has no data: out of the served zones,
 * an empty non-terminal, or a name no wildcard covers.
 */
static const char *answer_owner(const struct pdata *pd, const char *name, char *wild,
				size_t wildlen, bool *via_wildcard)
{
	long z = zone_of(pd, name);
	const char *origin, *p;

	*via_wildcard = false;
	if (z < 0)
		return NULL;
	if (node_has_data(pd, name))
		return name;
	if (node_exists(pd, name))
		return NULL;
	origin = pd->zones[z].origin;
	for (p = strchr(name, '.'); p != NULL && p[1] != '\0'; p = strchr(p + 1, '.')) {
		if (!name_under(p + 1, origin))
			break;
		if (node_exists(pd, p + 1)) {
			if ((size_t)snprintf(wild, wildlen, "*.%s", p + 1) >= wildlen)
				return NULL;
			if (!node_has_data(pd, wild))
				return NULL;
			*via_wildcard = true;
			return wild;
		}
	}
	return NULL;
}

/*
 * Addresses of one family, sorted for comparison; also the RDATA of a few SRV records.
 */
struct addrs {
	char text[POLICY_ADDRS_MAX][POLICY_NAME_TEXT_MAX + 20]; /* "65535 65535 65535 " + name */
	const char *a[POLICY_ADDRS_MAX];
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int take_addr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct addrs *out = ctx;

	(void)owner;
	(void)type;
	(void)ttl;
	if (out->n == POLICY_ADDRS_MAX)
		return 1;
	snprintf(out->text[out->n], sizeof(out->text[0]), "%s", rdata);
	out->a[out->n] = out->text[out->n];
	out->n++;
	return 0;
}

static void addrs_of(const struct pdata *pd, const char *owner, uint16_t type, struct addrs *out)
{
	long z = zone_of(pd, owner);

	out->n = 0;
	if (z >= 0)
		pzone_lookup(&pd->zones[z], owner, type, take_addr, out);
	qsort(out->a, out->n, sizeof(out->a[0]), cmp_str);
}

static bool addrs_equal(const struct addrs *x, const struct addrs *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->a[i], y->a[i]) != 0)
			return false;
	return true;
}

static void addrs_text(const struct addrs *x, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < x->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", x->a[i]);
}

enum resolved {
	RES_OK,	     /* addresses (possibly none) at the end of the in-zone chain */
	RES_FOREIGN, /* a CNAME leaves the served zones */
	RES_LOOP,    /* too many CNAMEs */
};

struct resolution {
	enum resolved state;
	bool wildcard;		     /* N itself exists only through a wildcard */
	char cname[POLICY_NAME_MAX]; /* N's CNAME target, "" when N is no CNAME */
	char last[POLICY_NAME_MAX];  /* the last CNAME target (RES_FOREIGN: the foreign name) */
	struct addrs addrs;
};

/* Resolves NAME for TYPE in the served zones, following in-zone CNAMEs. */
static void resolve(const struct pdata *pd, const char *name, uint16_t type, struct resolution *r)
{
	char cur[POLICY_NAME_MAX], wild[POLICY_NAME_MAX];

	memset(r, 0, sizeof(*r));
	snprintf(cur, sizeof(cur), "%s", name);
	for (int hop = 0; hop <= POLICY_CNAME_HOPS; hop++) {
		bool via_wild;
		const char *owner = answer_owner(pd, cur, wild, sizeof(wild), &via_wild);
		const char *cname;

		if (hop == 0)
			r->wildcard = via_wild;
		if (owner == NULL)
			return;
		cname = rdata_of(pd, owner, T_CNAME);
		if (cname == NULL) {
			addrs_of(pd, owner, type, &r->addrs);
			return;
		}
		snprintf(r->last, sizeof(r->last), "%s", cname);
		lower(r->last);
		if (hop == 0)
			snprintf(r->cname, sizeof(r->cname), "%s", r->last);
		if (zone_of(pd, r->last) < 0) {
			r->state = RES_FOREIGN;
			return;
		}
		snprintf(cur, sizeof(cur), "%s", r->last);
	}
	r->state = RES_LOOP;
}

/*
 * The addresses of TYPE at an SRV target candidate NAME, which must not be a CNAME (RFC 2782);
 * false when it is one or has no data in the served zones.
 */
static bool target_addrs(const struct pdata *pd, const char *name, uint16_t type, struct addrs *out)
{
	char wild[POLICY_NAME_MAX];
	bool via_wild;
	const char *owner = answer_owner(pd, name, wild, sizeof(wild), &via_wild);

	out->n = 0;
	if (owner == NULL || rdata_of(pd, owner, T_CNAME) != NULL)
		return false;
	addrs_of(pd, owner, type, out);
	return true;
}

static bool has_any_address(const struct pdata *pd, const char *name)
{
	struct addrs a;

	if (!target_addrs(pd, name, T_A, &a))
		return false;
	if (a.n > 0)
		return true;
	return target_addrs(pd, name, T_AAAA, &a) && a.n > 0;
}

/* The first certificate covering NAME, or -1. */
static long covered_by(cert_t *const *certs, size_t ncerts, const char *name, bool legacy)
{
	for (size_t i = 0; i < ncerts; i++)
		if (cert_covers(certs[i], name, legacy))
			return (long)i;
	return -1;
}

/* Appends to a reason buffer; truncates silently (the reason is for a person). */
static void __attribute__((format(printf, 3, 4))) say(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

static int add_decision(policy_t *p, const char *domain, const char *name, enum policy_family fam,
			enum policy_kind kind, const char *target, const char *reason, bool applies,
			bool alert, bool wildcard)
{
	struct decision *d;

	if (!GROW(p->d, p->cap, p->n + 1, 16))
		return -ENOMEM;
	d = &p->d[p->n];
	*d = (struct decision){
	    .family = fam,
	    .kind = kind,
	    .applies = applies,
	    .alert = alert,
	    .wildcard = wildcard,
	};
	d->domain = strdup(domain);
	d->name = strdup(name);
	d->reason = strdup(reason);
	d->target = target != NULL ? strdup(target) : NULL;
	if (d->domain == NULL || d->name == NULL || d->reason == NULL ||
	    (target != NULL && d->target == NULL)) {
		free(d->domain);
		free(d->name);
		free(d->reason);
		free(d->target);
		return -ENOMEM;
	}
	p->n++;
	return 0;
}

static const char *fam_name(enum policy_family fam)
{
	return fam == POLICY_FAMILY_A ? "A" : "AAAA";
}

/*
 * A valid SRV fallback at _autodiscover._tcp.D (docs/autodiscover-policy.md): target not '.', not a
 * CNAME, with A/AAAA, port 443, covered. Writes the first valid target into TARGET; the rejected
 * ones go into REASON.
 */
static bool existing_srv(const struct pdata *pd, const char *domain, cert_t *const *certs,
			 size_t ncerts, bool legacy, char *target, size_t tlen, char *reason,
			 size_t rlen)
{
	char owner[POLICY_NAME_MAX];
	struct addrs *srvs;

	snprintf(owner, sizeof(owner), "_autodiscover._tcp.%s", domain);
	srvs = calloc(1, sizeof(*srvs));
	if (srvs == NULL) /* not known: the evaluation fails (pzone_failed()) */
		return (pd->zones[zone_of(pd, domain)].failed = -ENOMEM) == 0;
	if (zone_of(pd, owner) >= 0) /* SRV RDATA texts, in file order */
		pzone_lookup(&pd->zones[zone_of(pd, owner)], owner, T_SRV, take_addr, srvs);
	for (size_t i = 0; i < srvs->n; i++) {
		const char *rdata = srvs->a[i];
		unsigned prio, weight, port;
		char t[POLICY_NAME_MAX];
		const char *why = NULL;

		if (sscanf(rdata, "%u %u %u %1023s", &prio, &weight, &port, t) != 4)
			continue;
		lower(t);
		if (strcmp(t, ".") == 0)
			why = "target '.'";
		else if (port != 443)
			why = "port is not 443";
		else if (rdata_of(pd, t, T_CNAME) != NULL)
			why = "target is a CNAME";
		else if (!has_any_address(pd, t))
			why = "target has no A/AAAA in the served zones";
		else if (covered_by(certs, ncerts, t, legacy) < 0)
			why = "target not covered by the certificate(s)";
		if (why == NULL) {
			snprintf(target, tlen, "%s", t);
			free(srvs);
			return true;
		}
		say(reason, rlen, "; existing SRV %s (%s) not used: %s", t, rdata, why);
	}
	free(srvs);
	return false;
}

/* SRV target T by the spec's order; false when none qualifies. */
static bool choose_target(const struct pdata *pd, cert_t *const *certs, size_t ncerts,
			  const policy_opts_t *opts, uint16_t type, const struct addrs *n_addrs,
			  char *target, size_t tlen, char *reason, size_t rlen)
{
	char name[POLICY_NAME_MAX];
	struct addrs a;

	if (opts->srv_target != NULL && opts->srv_target[0] != '\0') {
		size_t l = strlen(opts->srv_target);

		const char *why = NULL;

		snprintf(name, sizeof(name), "%s%s", opts->srv_target,
			 opts->srv_target[l - 1] == '.' ? "" : ".");
		lower(name);
		/* It must work like any SRV fallback; outside our zones its address is not ours. */
		if (strcmp(name, ".") == 0)
			why = "target '.'";
		else if (covered_by(certs, ncerts, name, opts->legacy_cn_fallback) < 0)
			why = "not covered by the certificate(s)";
		else if (zone_of(pd, name) >= 0 && rdata_of(pd, name, T_CNAME) != NULL)
			why = "a CNAME";
		else if (zone_of(pd, name) >= 0 && !has_any_address(pd, name))
			why = "no A/AAAA in the served zones";
		if (why == NULL) {
			snprintf(target, tlen, "%s", name);
			say(reason, rlen, "; target %s: the operator's configured target", target);
			return true;
		}
		say(reason, rlen, "; the configured target %s is not used: %s", name, why);
	}
	/* A SAN whose addresses equal those N pointed to: the same server under a covered name. */
	for (size_t c = 0; c < ncerts; c++) {
		for (size_t s = 0; s < cert_san_count(certs[c]); s++) {
			const char *san = cert_san(certs[c], s);

			/* Spelt plainly, a SAN covers itself (and costs no X509_check_host(), which
			 * reads every SAN: a long list would take quadratic time). */
			if (!cert_san_plain(certs[c], s))
				continue;
			snprintf(name, sizeof(name), "%s.", san);
			if (zone_of(pd, name) < 0 || !target_addrs(pd, name, type, &a) ||
			    !addrs_equal(&a, n_addrs))
				continue;
			snprintf(target, tlen, "%s", name);
			say(reason, rlen, "; target %s: SAN of %s with the same %s addresses as N",
			    name, cert_source(certs[c]), type == T_A ? "A" : "AAAA");
			return true;
		}
	}
	for (size_t c = 0; c < ncerts; c++) {
		for (size_t s = 0; s < cert_san_count(certs[c]); s++) {
			const char *san = cert_san(certs[c], s);

			if (!cert_san_plain(certs[c], s))
				continue;
			snprintf(name, sizeof(name), "%s.", san);
			if (zone_of(pd, name) < 0 || !has_any_address(pd, name))
				continue;
			snprintf(target, tlen, "%s", name);
			say(reason, rlen,
			    "; target %s: first SAN of %s in the served zones with "
			    "addresses (not N's addresses)",
			    name, cert_source(certs[c]));
			return true;
		}
	}
	return false;
}

/* N's decision for one family. */
static int decide_n(policy_t *p, const struct pdata *pd, size_t z, enum policy_family fam,
		    cert_t *const *certs, size_t ncerts, const policy_opts_t *opts)
{
	const char *domain = pd->zones[z].origin;
	uint16_t type = (uint16_t)fam;
	char n[POLICY_NAME_MAX], srv[POLICY_NAME_MAX], target[POLICY_NAME_MAX];
	char reason[POLICY_REASON_MAX] = "", list[POLICY_REASON_MAX / 2];
	struct resolution *res = malloc(sizeof(*res));
	enum policy_kind kind;
	bool have_target = false, sgn = pzone_signed(&pd->zones[z]);
	long c;
	int ret;

	if (res == NULL)
		return -ENOMEM;
	snprintf(n, sizeof(n), "autodiscover.%s", domain);
	snprintf(srv, sizeof(srv), "_autodiscover._tcp.%s", domain);
	resolve(pd, n, type, res);
	if (res->state == RES_FOREIGN) {
		kind = POLICY_FOREIGN_CNAME;
		say(reason, sizeof(reason),
		    "%s is a CNAME leading to %s outside the served zones: "
		    "not touched",
		    n, res->last);
		goto out_add;
	}
	if (res->state == RES_LOOP) {
		kind = POLICY_KEEP_ALERT;
		say(reason, sizeof(reason), "CNAME chain from %s longer than %d or looping: kept",
		    n, POLICY_CNAME_HOPS);
		goto out_add;
	}
	if (res->addrs.n == 0) {
		kind = POLICY_ABSENT;
		say(reason, sizeof(reason), "%s has no %s record: nothing to do", n, fam_name(fam));
		goto out_add;
	}
	addrs_text(&res->addrs, list, sizeof(list));
	if (res->cname[0] != '\0')
		say(reason, sizeof(reason), "%s is an in-zone CNAME to %s; ", n, res->cname);
	if (res->wildcard)
		say(reason, sizeof(reason), "%s exists only through the wildcard *.%s; ", n,
		    domain);
	c = covered_by(certs, ncerts, n, opts->legacy_cn_fallback);
	if (c >= 0) {
		kind = POLICY_COVERED;
		say(reason, sizeof(reason), "step 1: %s %s (%s) covered by %s: left alone", n,
		    fam_name(fam), list, cert_source(certs[c]));
		goto out_add;
	}
	say(reason, sizeof(reason), "%s %s (%s) not covered by any certificate", n, fam_name(fam),
	    list);
	if (existing_srv(pd, domain, certs, ncerts, opts->legacy_cn_fallback, target,
			 sizeof(target), reason, sizeof(reason))) {
		kind = POLICY_SUPPRESS_EXISTING_SRV;
		have_target = true;
		say(reason, sizeof(reason), "; step 3: valid SRV to %s exists: suppress %s", target,
		    fam_name(fam));
	} else if (strlen("_autodiscover._tcp.") + strlen(domain) > POLICY_NAME_TEXT_MAX) {
		kind = POLICY_KEEP_ALERT;
		say(reason, sizeof(reason),
		    "; step 4: _autodiscover._tcp.%s would be longer than a "
		    "domain name may be: kept, alert",
		    domain);
	} else if (zone_of(pd, srv) != (long)z) {
		/* Below a delegation (or another zone's): an SRV added to D would be glue. */
		kind = POLICY_KEEP_ALERT;
		say(reason, sizeof(reason),
		    "; step 4: %s is delegated: an SRV there is the child "
		    "zone's to publish: kept, alert",
		    srv);
	} else if (choose_target(pd, certs, ncerts, opts, type, &res->addrs, target, sizeof(target),
				 reason, sizeof(reason))) {
		kind = POLICY_SYNTHESIZE_SRV;
		have_target = true;
		say(reason, sizeof(reason),
		    "; step 4: synthesize _autodiscover._tcp.%s SRV 0 0 443 "
		    "%s, suppress %s",
		    domain, target, fam_name(fam));
	} else {
		kind = POLICY_KEEP_ALERT;
		say(reason, sizeof(reason), "; step 4: no SRV target qualifies: kept, alert");
	}
	if (res->wildcard && kind != POLICY_KEEP_ALERT)
		say(reason, sizeof(reason), " (needs an explicit empty node at %s)", n);
out_add : {
	bool change = kind == POLICY_SUPPRESS_EXISTING_SRV || kind == POLICY_SYNTHESIZE_SRV;
	char full[POLICY_REASON_MAX + 128];

	snprintf(full, sizeof(full), "%s%s",
		 sgn && (change || kind == POLICY_KEEP_ALERT)
		     ? "DNSSEC-signed zone: not applied; would do: "
		     : "",
		 reason);
	ret =
	    add_decision(p, domain, n, fam, kind, have_target ? target : NULL, full, change && !sgn,
			 kind == POLICY_KEEP_ALERT || (change && sgn), res->wildcard);
}
	free(res);
	return ret;
}

/* The apex: reported only, for a family it has. */
static int decide_apex(policy_t *p, const struct pdata *pd, size_t z, enum policy_family fam,
		       cert_t *const *certs, size_t ncerts, const policy_opts_t *opts)
{
	const char *domain = pd->zones[z].origin;
	char reason[POLICY_REASON_MAX] = "", list[POLICY_REASON_MAX / 2];
	struct addrs a;
	long c;

	addrs_of(pd, domain, (uint16_t)fam, &a);
	if (a.n == 0)
		return 0;
	addrs_text(&a, list, sizeof(list));
	c = covered_by(certs, ncerts, domain, opts->legacy_cn_fallback);
	if (c >= 0)
		say(reason, sizeof(reason), "apex %s %s (%s) covered by %s", domain, fam_name(fam),
		    list, cert_source(certs[c]));
	else
		say(reason, sizeof(reason),
		    "apex %s %s (%s) not covered by any certificate: the "
		    "root-domain step warns",
		    domain, fam_name(fam), list);
	say(reason, sizeof(reason), "; the apex is never suppressed (report only)");
	return add_decision(p, domain, domain, fam, POLICY_APEX, NULL, reason, false, false, false);
}

static int add_edit(policy_t *p, const char *domain, enum zload_edit_op op, const char *owner,
		    uint16_t type, uint32_t ttl, const char *rdata)
{
	struct edit *e;

	for (size_t i = 0; i < p->ne; i++) {
		const zload_edit_t *o = &p->e[i].e;

		if (o->op == op && o->type == type && strcmp(o->owner, owner) == 0 &&
		    strcmp(o->rdata != NULL ? o->rdata : "", rdata != NULL ? rdata : "") == 0)
			return 0; /* A and AAAA may ask for the same change */
	}
	if (!GROW(p->e, p->ecap, p->ne + 1, 16))
		return -ENOMEM;
	e = &p->e[p->ne];
	*e = (struct edit){.e = {.op = op, .type = type, .ttl = ttl}};
	e->domain = strdup(domain);
	e->e.owner = strdup(owner);
	e->e.rdata = rdata != NULL ? strdup(rdata) : NULL;
	if (e->domain == NULL || e->e.owner == NULL || (rdata != NULL && e->e.rdata == NULL)) {
		free(e->domain);
		free((char *)e->e.owner);
		free((char *)e->e.rdata);
		return -ENOMEM;
	}
	p->ne++;
	return 0;
}

/* Whether a record lies strictly below NAME (which then exists as a node anyway). */
static bool has_descendant(const struct pdata *pd, const char *name)
{
	long z = zone_of(pd, name);

	return z >= 0 && pzone_has(&pd->zones[z], name, false, true);
}

static bool has_other_data(const struct pdata *pd, const char *name)
{
	long z = zone_of(pd, name);

	return z >= 0 && pzone_other(&pd->zones[z], name);
}

/* The edits applying zone Z's decisions, decisions FIRST.. of the policy
 * (docs/autodiscover-policy.md). */
static int make_edits(policy_t *p, const struct pdata *pd, size_t z, size_t first)
{
	const char *domain = pd->zones[z].origin;
	char n[POLICY_NAME_MAX], srv[POLICY_NAME_MAX], marker[POLICY_NAME_MAX + 16];
	char rdata[POLICY_NAME_MAX + 16];
	bool suppress = false, wildcard = false, synth = false;

	snprintf(n, sizeof(n), "autodiscover.%s", domain);
	snprintf(srv, sizeof(srv), "_autodiscover._tcp.%s", domain);
	for (size_t i = first; i < p->n; i++) {
		const struct decision *d = &p->d[i];

		if (!d->applies || strcmp(d->name, n) != 0)
			continue;
		suppress = true;
		wildcard |= d->wildcard;
		if (add_edit(p, domain, ZLOAD_EDIT_WITHHOLD, n, (uint16_t)d->family, 0, NULL) != 0)
			return -ENOMEM;
		if (d->kind == POLICY_SYNTHESIZE_SRV)
			synth = true;
	}
	if (!suppress)
		return 0;
	/* Every type at N answers NODATA unless it has other data: the CNAME goes too. */
	if (rdata_of(pd, n, T_CNAME) != NULL &&
	    add_edit(p, domain, ZLOAD_EDIT_WITHHOLD, n, T_CNAME, 0, NULL) != 0)
		return -ENOMEM;
	/*
	 * NODATA, never NXDOMAIN, and no wildcard answering for N: an empty node in our snapshot.
	 * Zone data cannot carry a node without records, so unless N has descendants already, one
	 * record below it makes N an empty non-terminal that AXFR carries to secondaries too.
	 */
	if (wildcard || !has_other_data(pd, n)) {
		if (add_edit(p, domain, ZLOAD_EDIT_EMPTY_NODE, n, 0, 0, NULL) != 0)
			return -ENOMEM;
		if (!has_descendant(pd, n)) {
			snprintf(marker, sizeof(marker), "%s.%s", POLICY_MARKER_LABEL, n);
			/* A fixed text: a TXT string holds 255 octets, whatever D's length. */
			if (strlen(marker) <= POLICY_NAME_TEXT_MAX &&
			    add_edit(p, domain, ZLOAD_EDIT_ADD, marker, T_TXT, POLICY_SRV_TTL,
				     POLICY_MARKER_TEXT) != 0)
				return -ENOMEM;
		}
	}
	if (!synth)
		return 0;
	/* The synthesized SRV replaces whatever was there (no valid fallback, by definition). */
	if ((rdata_of(pd, srv, T_SRV) != NULL &&
	     add_edit(p, domain, ZLOAD_EDIT_WITHHOLD, srv, T_SRV, 0, NULL) != 0) ||
	    (rdata_of(pd, srv, T_CNAME) != NULL &&
	     add_edit(p, domain, ZLOAD_EDIT_WITHHOLD, srv, T_CNAME, 0, NULL) != 0))
		return -ENOMEM;
	for (size_t i = first; i < p->n; i++) {
		const struct decision *d = &p->d[i];

		if (!d->applies || d->kind != POLICY_SYNTHESIZE_SRV)
			continue;
		snprintf(rdata, sizeof(rdata), "0 0 443 %s", d->target);
		if (add_edit(p, domain, ZLOAD_EDIT_ADD, srv, T_SRV, POLICY_SRV_TTL, rdata) != 0)
			return -ENOMEM;
	}
	return 0;
}

policy_t *policy_evaluate(zload_zone_t *const *zones, size_t nzones, cert_t *const *certs,
			  size_t ncerts, const policy_opts_t *opts, char *err, size_t errlen)
{
	policy_zone_t *pz = calloc(nzones + 1, sizeof(*pz));
	policy_t *p;

	if (errlen > 0)
		err[0] = '\0';
	if (zones == NULL && nzones > 0) {
		free(pz);
		snprintf(err, errlen, "policy: missing argument");
		return NULL;
	}
	if (pz == NULL) {
		snprintf(err, errlen, "policy: out of memory");
		return NULL;
	}
	for (size_t z = 0; z < nzones; z++)
		pz[z] = (policy_zone_t){.origin = zload_origin(zones[z]), .zone = zones[z]};
	p = policy_evaluate_zones(pz, nzones, certs, ncerts, opts, err, errlen);
	free(pz);
	return p;
}

policy_t *policy_evaluate_zones(policy_zone_t *zones, size_t nzones, cert_t *const *certs,
				size_t ncerts, const policy_opts_t *opts, char *err, size_t errlen)
{
	static const enum policy_family fams[] = {POLICY_FAMILY_A, POLICY_FAMILY_AAAA};
	struct pdata pd = {.zones = zones, .nzones = nzones};
	const char **names = NULL;
	policy_t *p;

	if (errlen > 0)
		err[0] = '\0';
	if ((zones == NULL && nzones > 0) || (certs == NULL && ncerts > 0) || opts == NULL) {
		snprintf(err, errlen, "policy: missing argument");
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto out_nomem;
	pd.scratch = malloc(POLICY_NAME_MAX);
	names = calloc(nzones + 1, sizeof(*names));
	if (pd.scratch == NULL || names == NULL)
		goto out_free_policy;
	for (size_t z = 0; z < nzones; z++)
		names[z] = zones[z].origin;
	pd.origins = origins_new(names, nzones);
	if (pd.origins == NULL)
		goto out_free_policy;
	for (size_t z = 0; z < nzones; z++) {
		size_t first = p->n;

		for (size_t f = 0; f < 2; f++)
			if (decide_n(p, &pd, z, fams[f], certs, ncerts, opts) != 0)
				goto out_free_policy;
		for (size_t f = 0; f < 2; f++)
			if (decide_apex(p, &pd, z, fams[f], certs, ncerts, opts) != 0)
				goto out_free_policy;
		if (make_edits(p, &pd, z, first) != 0)
			goto out_free_policy;
	}
	if (pzone_failed(zones, nzones, err, errlen)) /* nothing decided on records not read */
		policy_free(&p);
	goto out_free_data;
out_free_policy:
	policy_free(&p);
out_nomem:
	snprintf(err, errlen, "policy: out of memory");
out_free_data:
	origins_free(pd.origins);
	free(names);
	free(pd.scratch);
	return p;
}

void policy_free(policy_t **pp)
{
	policy_t *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	for (size_t i = 0; i < p->n; i++) {
		free(p->d[i].domain);
		free(p->d[i].name);
		free(p->d[i].target);
		free(p->d[i].reason);
	}
	free(p->d);
	for (size_t i = 0; i < p->ne; i++) {
		free(p->e[i].domain);
		free((char *)p->e[i].e.owner);
		free((char *)p->e[i].e.rdata);
	}
	free(p->e);
	free(p);
	*pp = NULL;
}

size_t policy_count(const policy_t *p)
{
	return p->n;
}

const char *policy_domain(const policy_t *p, size_t i)
{
	return p->d[i].domain;
}

const char *policy_name(const policy_t *p, size_t i)
{
	return p->d[i].name;
}

enum policy_family policy_family(const policy_t *p, size_t i)
{
	return p->d[i].family;
}

enum policy_kind policy_kind(const policy_t *p, size_t i)
{
	return p->d[i].kind;
}

const char *policy_target(const policy_t *p, size_t i)
{
	return p->d[i].target;
}

const char *policy_reason(const policy_t *p, size_t i)
{
	return p->d[i].reason;
}

bool policy_applies(const policy_t *p, size_t i)
{
	return p->d[i].applies;
}

bool policy_alert(const policy_t *p, size_t i)
{
	return p->d[i].alert;
}

bool policy_via_wildcard(const policy_t *p, size_t i)
{
	return p->d[i].wildcard;
}

size_t policy_edit_count(const policy_t *p)
{
	return p->ne;
}

const zload_edit_t *policy_edit(const policy_t *p, size_t i)
{
	return &p->e[i].e;
}

const char *policy_edit_domain(const policy_t *p, size_t i)
{
	return p->e[i].domain;
}

const char *policy_kind_name(enum policy_kind kind)
{
	static const char *const names[] = {
	    [POLICY_ABSENT] = "absent",
	    [POLICY_COVERED] = "covered",
	    [POLICY_SUPPRESS_EXISTING_SRV] = "suppress-existing-srv",
	    [POLICY_SYNTHESIZE_SRV] = "synthesize-srv",
	    [POLICY_KEEP_ALERT] = "keep-alert",
	    [POLICY_FOREIGN_CNAME] = "foreign-cname",
	    [POLICY_APEX] = "apex",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}
