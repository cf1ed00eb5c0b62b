/* SPDX-License-Identifier: BSD-3-Clause */
/* policy_zone.c: the autodiscover policy's questions of one zone, from its records or its view */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "origins.h"
#include "policy_zone.h"
#include "pview.h"
#include "sandns_err.h"

/* RR types read here, by number: control/ does not see libldns. */
#define T_A 1
#define T_CNAME 5
#define T_NS 2
#define T_AAAA 28

bool pzone_has(policy_zone_t *pz, const char *name, bool at, bool below)
{
	enum pview_q q = at && below ? PVIEW_HAS_ANY : at ? PVIEW_HAS_AT : PVIEW_HAS_BELOW;
	int got;

	if (pz->zone != NULL) {
		got = zload_has_name(pz->zone, name, at, below);
		if (got < 0 && got != SANDNS_EPARSE) {
			if (pz->failed == 0)
				pz->failed = got; /* not known: see pzone_failed() */
			return false;
		}
		if (pz->record != NULL)
			(void)pview_set(pz->record, q, name, got > 0);
		return got > 0;
	}
	got = pview_get(pz->view, q, name);
	if (got < 0)
		pz->missed = true;
	return got > 0;
}

/* Records handed on by pzone_lookup(): as many as any caller here takes before it stops. */
#define POLICY_LOOKUP_MAX (POLICY_ADDRS_MAX + 1)

struct collect {
	char *rdata[POLICY_LOOKUP_MAX];
	size_t n;
	bool more; /* the zone holds more than N */
};

static int collect_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct collect *c = ctx;

	(void)owner;
	(void)type;
	(void)ttl;
	if (c->n == POLICY_LOOKUP_MAX) {
		c->more = true;
		return 1;
	}
	c->rdata[c->n] = strdup(rdata);
	return c->rdata[c->n++] != NULL ? 0 : -ENOMEM;
}

/* Passes the records after the first SKIP on to FN. */
struct skip {
	size_t skip;
	zload_rr_fn fn;
	void *ctx;
};

static int skip_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct skip *s = ctx;

	if (s->skip > 0) {
		s->skip--;
		return 0;
	}
	return s->fn(s->ctx, owner, type, ttl, rdata);
}

unsigned long pzone_lookup_fail_at;

int pzone_lookup(policy_zone_t *pz, const char *owner, uint16_t type, zload_rr_fn fn, void *ctx)
{
	struct collect *c = NULL;
	const char *const *rd;
	size_t n = 0;
	bool complete = true;
	int ret = 0;

	if (pzone_lookup_fail_at > 0 && --pzone_lookup_fail_at == 0) {
		ret = -ENOMEM;
		goto out;
	}
	if (pz->zone != NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		ret = zload_lookup(pz->zone, owner, type, collect_rr, c);
		if (ret < 0 && ret != SANDNS_EPARSE)
			goto out;
		ret = 0;
		rd = (const char *const *)c->rdata;
		n = c->n;
		complete = !c->more;
		if (pz->record != NULL)
			(void)pview_set_rdata(pz->record, owner, type, rd, n, complete);
	} else {
		rd = pview_rdata(pz->view, owner, type, &n, &complete);
		if (rd == NULL) {
			pz->missed = true;
			return 0;
		}
	}
	for (size_t k = 0; k < n && ret == 0; k++)
		ret = fn(ctx, owner, type, 0, rd[k]);
	if (ret == 0 && !complete) {
		/* FN takes more than was kept: the rest from the zone, or unknown. */
		struct skip s = {.skip = n, .fn = fn, .ctx = ctx};

		if (pz->zone != NULL)
			ret = zload_lookup(pz->zone, owner, type, skip_rr, &s);
		else
			pz->missed = true;
	}
out:
	for (size_t k = 0; c != NULL && k < c->n; k++)
		free(c->rdata[k]);
	free(c);
	if (ret < 0 && pz->failed == 0)
		pz->failed = ret; /* its records not known: see pzone_failed() */
	return ret;
}

bool pzone_failed(const policy_zone_t *zones, size_t n, char *err, size_t errlen)
{
	for (size_t z = 0; z < n; z++)
		if (zones[z].failed != 0) {
			snprintf(err, errlen, "policy: zone %s: cannot read its records: %s",
				 zones[z].origin, sandns_strerror(zones[z].failed));
			return true;
		}
	return false;
}

/* Whether NAME holds a record of a type other than A, AAAA and CNAME. */
static int other_type(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	(void)ctx;
	(void)owner;
	(void)ttl;
	(void)rdata;
	return type != T_A && type != T_AAAA && type != T_CNAME; /* 1: found, stop */
}

bool pzone_other(policy_zone_t *pz, const char *name)
{
	int got;

	if (pz->zone != NULL) {
		got = zload_lookup(pz->zone, name, 0, other_type, NULL);
		if (got < 0 && got != SANDNS_EPARSE) {
			if (pz->failed == 0)
				pz->failed = got; /* not known: see pzone_failed() */
			return false;
		}
		if (pz->record != NULL)
			(void)pview_set(pz->record, PVIEW_OTHER, name, got == 1);
		return got == 1;
	}
	got = pview_get(pz->view, PVIEW_OTHER, name);
	if (got < 0)
		pz->missed = true;
	return got > 0;
}

static int found_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	(void)ctx;
	(void)owner;
	(void)type;
	(void)ttl;
	(void)rdata;
	return 1; /* one is enough */
}

bool pzone_below_cut(policy_zone_t *pz, const char *name)
{
	size_t ol = strlen(pz->origin);

	/* NAME, then each ancestor down to the apex (excluded: its NS are the zone's own). */
	for (const char *p = name; strlen(p) > ol; p = origins_label_end(p) + 1) {
		if (pzone_lookup(pz, p, T_NS, found_rr, NULL) == 1)
			return true;
		if (origins_label_end(p) == NULL)
			break;
	}
	return false;
}

bool pzone_signed(policy_zone_t *pz)
{
	int got;

	if (pz->zone != NULL) {
		bool yes = zload_is_signed(pz->zone);

		if (pz->record != NULL)
			(void)pview_set(pz->record, PVIEW_SIGNED, "", yes);
		return yes;
	}
	got = pview_get(pz->view, PVIEW_SIGNED, "");
	if (got < 0)
		pz->missed = true;
	return got > 0;
}
