/* SPDX-License-Identifier: BSD-3-Clause */
/* catz.c: reads a catalog zone (RFC 9432, version 2): its version, its members, their file names */
#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catz.h"
#include "fnv.h"
#include "grow.h"
#include "sandns_err.h"

#define RR_TYPE_PTR 12
#define RR_TYPE_TXT 16

/* What the walk over the catalog's records gathers. */
struct walk {
	const char *origin; /* the catalog's, lower case with the final dot */
	size_t olen;
	unsigned nversions;
	char version[64];    /* the first version TXT's text */
	catz_member_t *ptrs; /* every PTR at UNIQUE.zones.ORIGIN, in order */
	size_t nptrs, cap;
	catz_member_t *coos; /* every PTR at coo.UNIQUE.zones.ORIGIN: label and target (name) */
	size_t ncoos, coocap;
	bool nomem;
};

static char *lower_dup(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p != NULL && *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The length of UNIQUE when OWNER (LEN octets, lower case) is UNIQUE.zones.ORIGIN: one label,
 * then "zones." right above the catalog's origin; else 0. */
static size_t member_node(const struct walk *w, const char *owner, size_t len)
{
	const char *label_end = memchr(owner, '.', len);
	const size_t n = label_end != NULL ? (size_t)(label_end - owner) : 0;

	if (n == 0 || n + 1 + 6 + w->olen != len || strncmp(label_end + 1, "zones.", 6) != 0)
		return 0;
	return n;
}

/* The PTR RDATA at a member node, whose label is the first N octets of OWNER, added to the list
 * *V (*CNT of them, room for *CAP): label and target in lower case. 0, or 1 without memory (the
 * walk stops). */
static int take_ptr(struct walk *w, catz_member_t **v, size_t *cnt, size_t *cap, const char *owner,
		    size_t n, const char *rdata)
{
	if (!GROW(*v, *cap, *cnt + 1, 16)) {
		w->nomem = true;
		return 1;
	}
	(*v)[*cnt] = (catz_member_t){.label = strndup(owner, n), .name = lower_dup(rdata)};
	if ((*v)[*cnt].label == NULL || (*v)[*cnt].name == NULL) {
		free((*v)[*cnt].label);
		free((*v)[*cnt].name);
		w->nomem = true;
		return 1;
	}
	(*cnt)++;
	return 0;
}

static int walk_rr(void *ctx, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	struct walk *w = ctx;
	size_t olen = strlen(owner), n;

	(void)ttl;
	if (olen <= w->olen || strcmp(owner + olen - w->olen, w->origin) != 0 ||
	    owner[olen - w->olen - 1] != '.')
		return 0; /* the apex, or outside */
	if (type == RR_TYPE_TXT && olen == w->olen + 8 && strncmp(owner, "version.", 8) == 0) {
		if (w->nversions++ == 0)
			snprintf(w->version, sizeof(w->version), "%s", rdata);
		return 0;
	}
	if (type != RR_TYPE_PTR)
		return 0;
	/* coo.UNIQUE.zones.ORIGIN: the property that hands member UNIQUE over to another catalog.
	 */
	if (strncmp(owner, "coo.", 4) == 0 && (n = member_node(w, owner + 4, olen - 4)) > 0)
		return take_ptr(w, &w->coos, &w->ncoos, &w->coocap, owner + 4, n, rdata);
	if ((n = member_node(w, owner, olen)) == 0)
		return 0; /* another property (group) or elsewhere: not a member */
	return take_ptr(w, &w->ptrs, &w->nptrs, &w->cap, owner, n, rdata);
}

/*
 * A reason a member was left out, into OUT->refused; past CATZ_REASONS_MAX of them only counted
 * (OUT->nrefused_more), so that a catalog of a million bad PTRs costs neither a million lines of
 * log nor their memory.
 */
static bool refuse(catz_t *out, const char *fmt, const char *a, const char *b)
{
	char **r;

	if (out->nrefused >= CATZ_REASONS_MAX) {
		out->nrefused_more++;
		return true;
	}
	r = realloc(out->refused, (out->nrefused + 1) * sizeof(*r));
	if (r == NULL)
		return false;
	out->refused = r;
	if (asprintf(&r[out->nrefused], fmt, a, b) < 0)
		return false;
	out->nrefused++;
	return true;
}

/* Whether NAME is an absolute domain name in presentation form. */
static bool good_name(const char *name)
{
	ldns_rdf *rdf = NULL;
	size_t len = strlen(name);

	if (len == 0 || name[len - 1] != '.' || (len >= 2 && name[len - 2] == '\\'))
		return false;
	if (ldns_str2rdf_dname(&rdf, name) != LDNS_STATUS_OK)
		return false;
	ldns_rdf_deep_free(rdf);
	return true;
}

bool catz_has(const catz_t *c, const char *member)
{
	size_t ml = strlen(member);

	if (ml > 0 && member[ml - 1] == '.')
		ml--;
	for (size_t i = 0; i < c->nmembers; i++) {
		size_t nl = strlen(c->members[i].name) - 1;

		if (nl == ml && strncasecmp(c->members[i].name, member, ml) == 0)
			return true;
	}
	return false;
}

/* The PTRs' indexes sorted by label (or by name), ties in record order: qsort's context. */
static const catz_member_t *sort_ptrs;
static bool sort_by_name;

static int ptr_cmp(const void *x, const void *y)
{
	const size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const int c = sort_by_name ? strcmp(sort_ptrs[a].name, sort_ptrs[b].name)
				   : strcmp(sort_ptrs[a].label, sort_ptrs[b].label);

	return c != 0 ? c : (a > b) - (a < b);
}

/* The indexes of V's N entries sorted by label (or by name), ties in order; NULL without
 * memory. */
static size_t *sorted(const catz_member_t *v, size_t n, bool by_name)
{
	size_t *idx = malloc((n + 1) * sizeof(*idx));

	if (idx == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_ptrs = v;
	sort_by_name = by_name;
	qsort(idx, n, sizeof(*idx), ptr_cmp);
	return idx;
}

/*
 * For each PTR of W, how many share its label (or its name) into COUNT, and whether it is the
 * first of them in record order into FIRST: sorted, so that a catalog of n PTRs costs n log n,
 * not n squared. False without memory.
 */
static bool group(const struct walk *w, bool by_name, size_t *count, bool *first)
{
	size_t *idx = sorted(w->ptrs, w->nptrs, by_name);

	if (idx == NULL)
		return false;
	for (size_t i = 0, end; i < w->nptrs; i = end) {
		const catz_member_t *g = &w->ptrs[idx[i]];

		for (end = i + 1; end < w->nptrs; end++) {
			const catz_member_t *o = &w->ptrs[idx[end]];

			if (strcmp(by_name ? o->name : o->label, by_name ? g->name : g->label) != 0)
				break;
		}
		for (size_t k = i; k < end; k++) {
			count[idx[k]] = end - i;
			first[idx[k]] = k == i;
		}
	}
	free(idx);
	return true;
}

/*
 * Sorts out W's PTRs into OUT: those that make a member (the first MAX_MEMBERS of them), those
 * refused (and why).
 */
static int members_of(struct walk *w, catz_t *out, size_t max_members)
{
	size_t *n_label = calloc(w->nptrs + 1, sizeof(size_t));
	size_t *n_name = calloc(w->nptrs + 1, sizeof(size_t));
	bool *f_label = calloc(w->nptrs + 1, sizeof(bool));
	bool *f_name = calloc(w->nptrs + 1, sizeof(bool));
	size_t over = 0;
	int rc = -ENOMEM;

	if (n_label == NULL || n_name == NULL || f_label == NULL || f_name == NULL ||
	    !group(w, false, n_label, f_label) || !group(w, true, n_name, f_name))
		goto out;
	for (size_t i = 0; i < w->nptrs; i++) {
		const catz_member_t *p = &w->ptrs[i];
		const size_t same_label = n_label[i], same_name = n_name[i];
		const bool first_label = f_label[i], first_name = f_name[i];

		if (same_label > 1) {
			if (first_label &&
			    !refuse(out,
				    "%s.zones: %s: several PTR records under one label "
				    "(RFC 9432 4.1: exactly one)",
				    p->label, p->name))
				goto out;
			continue;
		}
		if (!good_name(p->name)) {
			if (!refuse(out, "%s: %s: not an absolute domain name", p->name, p->label))
				goto out;
			continue;
		}
		if (strcmp(p->name, w->origin) == 0) {
			if (!refuse(out, "%s: the catalog cannot list itself (%s)", p->name,
				    p->label))
				goto out;
			continue;
		}
		if (same_name > 1) {
			if (first_name && !refuse(out,
						  "%s: listed twice in the catalog (label %s and "
						  "others): left out until it is listed once",
						  p->name, p->label))
				goto out;
			continue;
		}
		if (out->nmembers >= max_members) {
			over++;
			continue;
		}
		out->members[out->nmembers].name = strdup(p->name);
		out->members[out->nmembers].label = strdup(p->label);
		if (out->members[out->nmembers].name == NULL ||
		    out->members[out->nmembers].label == NULL) {
			free(out->members[out->nmembers].name);
			free(out->members[out->nmembers].label);
			goto out;
		}
		out->nmembers++;
	}
	out->over = over;
	rc = SANDNS_EOK;
out:
	free(n_label);
	free(n_name);
	free(f_label);
	free(f_name);
	return rc;
}

/*
 * W's coo properties onto OUT's members (RFC 9432 4.4.1): SANDNS_EOK; SANDNS_EZONE with the reason
 * in ERR for a broken catalog (a coo of several PTR records, or one naming no absolute name);
 * -ENOMEM. A coo of no member, or naming the catalog itself, hands nothing over. Sorted: n log n.
 */
static int attach_coos(const struct walk *w, catz_t *out, char *err, size_t errlen)
{
	const struct walk cw = {.ptrs = w->coos, .nptrs = w->ncoos};
	size_t *count = calloc(w->ncoos + 1, sizeof(size_t)), *idx = NULL;
	bool *first = calloc(w->ncoos + 1, sizeof(bool));
	int rc = -ENOMEM;

	if (count == NULL || first == NULL || !group(&cw, false, count, first))
		goto out;
	for (size_t i = 0; i < w->ncoos; i++) {
		const catz_member_t *c = &w->coos[i];

		if (count[i] > 1 || !good_name(c->name)) {
			if (count[i] > 1)
				snprintf(err, errlen,
					 "catalog %s: coo.%s.zones.%s has %zu PTR records, one is "
					 "needed (RFC 9432 4.4.1)",
					 w->origin, c->label, w->origin, count[i]);
			else
				snprintf(
				    err, errlen,
				    "catalog %s: coo.%s.zones.%s: %s is not an absolute domain "
				    "name",
				    w->origin, c->label, w->origin, c->name);
			rc = SANDNS_EZONE;
			goto out;
		}
	}
	/* The members by label, each listed once (members_of() left out a label listed twice). */
	if ((idx = sorted(out->members, out->nmembers, false)) == NULL)
		goto out;
	for (size_t i = 0; i < w->ncoos; i++) {
		size_t lo = 0, hi = out->nmembers;
		catz_member_t *m;

		while (lo < hi) {
			const size_t mid = lo + (hi - lo) / 2;

			if (strcmp(out->members[idx[mid]].label, w->coos[i].label) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == out->nmembers ||
		    strcmp(out->members[idx[lo]].label, w->coos[i].label) != 0 ||
		    strcmp(w->coos[i].name, w->origin) == 0)
			continue;
		m = &out->members[idx[lo]];
		if ((m->coo = strdup(w->coos[i].name)) == NULL)
			goto out;
	}
	rc = SANDNS_EOK;
out:
	free(count);
	free(first);
	free(idx);
	return rc;
}

int catz_parse(const zload_zone_t *zone, size_t max_members, catz_t *out, char *err, size_t errlen)
{
	struct walk w = {0};
	char *origin = lower_dup(zload_origin(zone));
	int rc;

	memset(out, 0, sizeof(*out));
	if (origin == NULL)
		goto nomem;
	w.origin = origin;
	w.olen = strlen(origin);
	rc = zload_foreach(zone, walk_rr, &w);
	if (rc != 0 || w.nomem)
		goto nomem;
	if (w.nversions != 1 || strcmp(w.version, "\"2\"") != 0) {
		if (w.nversions == 0)
			snprintf(err, errlen, "catalog %s: no version.%s TXT record (RFC 9432 4.2)",
				 origin, origin);
		else if (w.nversions > 1)
			snprintf(err, errlen, "catalog %s: %u version TXT records, one is needed",
				 origin, w.nversions);
		else
			snprintf(err, errlen,
				 "catalog %s: version %s is not supported (only \"2\", RFC 9432)",
				 origin, w.version);
		rc = SANDNS_EZONE;
		goto out;
	}
	out->members = calloc(w.nptrs + 1, sizeof(*out->members));
	if (out->members == NULL || members_of(&w, out, max_members) != SANDNS_EOK)
		goto nomem;
	rc = attach_coos(&w, out, err, errlen);
	if (rc == -ENOMEM)
		goto nomem;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	rc = -ENOMEM;
out:
	if (rc != SANDNS_EOK)
		catz_clear(out);
	for (size_t i = 0; i < w.nptrs; i++) {
		free(w.ptrs[i].name);
		free(w.ptrs[i].label);
	}
	free(w.ptrs);
	for (size_t i = 0; i < w.ncoos; i++) {
		free(w.coos[i].name);
		free(w.coos[i].label);
	}
	free(w.coos);
	free(origin);
	return rc;
}

void catz_clear(catz_t *out)
{
	for (size_t i = 0; i < out->nmembers; i++) {
		free(out->members[i].name);
		free(out->members[i].label);
		free(out->members[i].coo);
	}
	free(out->members);
	for (size_t i = 0; i < out->nrefused; i++)
		free(out->refused[i]);
	free(out->refused);
	memset(out, 0, sizeof(*out));
}

void catz_file_name(const char *member, char *buf, size_t len)
{
	size_t n = strlen(member), o = 0;
	uint64_t h = FNV_START;

	if (n > 0 && member[n - 1] == '.')
		n--;
	if (n == 0) {
		snprintf(buf, len, "@root.zone");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)member[i]);

		h = fnv_byte(h, c);
		if (o + 8 >= len || o >= 200)
			continue;
		/* A dot between labels stays; a first, a last or a doubled one is escaped. */
		if (isalnum(c) || c == '-' || c == '_' ||
		    (c == '.' && i > 0 && i + 1 < n && member[i + 1] != '.' && buf[o - 1] != '.'))
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", c);
	}
	if (o >= 200) {
		o = 180;
		o += (size_t)snprintf(buf + o, len - o, "~%016llx", (unsigned long long)h);
	}
	snprintf(buf + o, len - o, ".zone");
}
