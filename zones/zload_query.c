/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_query.c: a loaded zone's records in text: walked, looked up by owner, printed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandns_err.h"
#include "wire.h"
#include "zload_owner.h"
#include "zload_pvt.h"

/* The record data of RR in presentation form, fields separated by one space; NULL: no memory. */
static char *rdata_text(const ldns_rr *rr)
{
	size_t n = ldns_rr_rd_count(rr), len = 0;
	char *text = calloc(1, 1);

	for (size_t i = 0; i < n && text != NULL; i++) {
		char *f = ldns_rdf2str(ldns_rr_rdf(rr, i));
		size_t flen;
		char *grown;

		if (f == NULL)
			goto out_free_text;
		flen = strlen(f);
		grown = realloc(text, len + flen + 2);
		if (grown == NULL) {
			free(f);
			goto out_free_text;
		}
		text = grown;
		if (i > 0)
			text[len++] = ' ';
		memcpy(text + len, f, flen + 1);
		len += flen;
		free(f);
	}
	return text;
out_free_text:
	free(text);
	return NULL;
}

unsigned long zload_name_nomem_at;

/*
 * NAME (presentation) as a DNAME rdf into *OUT: SANDNS_EOK, SANDNS_EPARSE for a name that does
 * not parse, or -ENOMEM: memory out is no "no such name".
 */
static int name_rdf(const char *name, ldns_rdf **out)
{
	ldns_status st;

	*out = NULL;
	if (zload_name_nomem_at > 0 && --zload_name_nomem_at == 0)
		return -ENOMEM;
	st = ldns_str2rdf_dname(out, name);
	if (st == LDNS_STATUS_OK)
		return SANDNS_EOK;
	ldns_rdf_deep_free(*out);
	*out = NULL;
	return st == LDNS_STATUS_MEM_ERR ? -ENOMEM : SANDNS_EPARSE;
}

void zload_owner_range(const zload_zone_t *z, const uint8_t *key, size_t *r0, size_t *r1)
{
	size_t lo = 0, hi = z->nrecs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (owner_cmp(zload_rec_owner(z, z->by_owner[mid]), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*r0 = lo;
	while (lo < z->nrecs && owner_cmp(zload_rec_owner(z, z->by_owner[lo]), key) == 0)
		lo++;
	*r1 = lo;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : (x > y);
}

/*
 * Record I's data in RFC 3597's generic form ("\\# 4 0a000001"): what is printed of data that
 * ldns cannot read back from wire. NULL without memory.
 */
static char *rdata_generic(const zload_zone_t *z, size_t i)
{
	const zload_rec_t *r = &z->recs[i];
	const uint8_t *d = zload_rec_rdata(z, i);
	char *text = malloc(16 + 2u * r->rdlen);
	int n;

	if (text == NULL)
		return NULL;
	n = snprintf(text, 16, "\\# %u%s", (unsigned)r->rdlen, r->rdlen > 0 ? " " : "");
	for (size_t k = 0; k < r->rdlen; k++)
		n += snprintf(text + n, 3, "%02x", d[k]);
	return text;
}

char *zload_rr_text(const zload_zone_t *z, size_t i)
{
	char *text = zload_rr_line(z, i), *owner, *data;

	if (text != NULL)
		return text;
	owner = name_str(zload_rec_owner(z, i));
	data = rdata_generic(z, i);
	if (owner == NULL || data == NULL ||
	    asprintf(&text, "%s\t%u\tIN\tTYPE%u\t%s\n", owner, z->recs[i].ttl,
		     (unsigned)z->recs[i].type, data) < 0)
		text = NULL;
	free(owner);
	free(data);
	return text;
}

/* Calls FN for record I (as zload_foreach does). */
static int call_rr(const zload_zone_t *zone, size_t i, zload_rr_fn fn, void *ctx)
{
	ldns_rr *rr = zload_rr(zone, i);
	char *owner = name_str(zload_rec_owner(zone, i));
	/* Data ldns cannot read back (it made it, so hardly ever) in the generic form. */
	char *rdata = rr != NULL ? rdata_text(rr) : rdata_generic(zone, i);
	int ret = -ENOMEM;

	if (owner != NULL && rdata != NULL) {
		for (char *c = owner; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		ret = fn(ctx, owner, zone->recs[i].type, zone->recs[i].ttl, rdata);
	}
	free(owner);
	free(rdata);
	ldns_rr_free(rr);
	return ret;
}

int zload_foreach(const zload_zone_t *zone, zload_rr_fn fn, void *ctx)
{
	int ret = 0;

	for (size_t i = 0; i < zone->nrecs && ret == 0; i++)
		ret = call_rr(zone, i, fn, ctx);
	return ret;
}

int zload_lookup(const zload_zone_t *zone, const char *owner, uint16_t type, zload_rr_fn fn,
		 void *ctx)
{
	size_t n = zone->nrecs;
	ldns_rdf *rdf;
	const uint8_t *name;
	int ret = name_rdf(owner, &rdf);

	if (ret != SANDNS_EOK)
		return ret;
	name = ldns_rdf_data(rdf);
	if (zone->by_owner != NULL) {
		/* The name's records, found by search, then visited in file order. */
		size_t first, end;
		uint32_t *at;

		zload_owner_range(zone, name, &first, &end);
		at = malloc((end - first + 1) * sizeof(*at));
		if (at == NULL) {
			ldns_rdf_deep_free(rdf);
			return -ENOMEM;
		}
		memcpy(at, zone->by_owner + first, (end - first) * sizeof(*at));
		qsort(at, end - first, sizeof(*at), cmp_u32);
		for (size_t k = 0; k < end - first && ret == 0; k++)
			if (type == 0 || zone->recs[at[k]].type == type)
				ret = call_rr(zone, at[k], fn, ctx);
		free(at);
	} else {
		for (size_t i = 0; i < n && ret == 0; i++)
			if (owner_cmp(zload_rec_owner(zone, i), name) == 0 &&
			    (type == 0 || zone->recs[i].type == type))
				ret = call_rr(zone, i, fn, ctx);
	}
	ldns_rdf_deep_free(rdf);
	return ret;
}

size_t zload_describe(const zload_zone_t *zone, const char *owner, uint16_t type, char *buf,
		      size_t len)
{
	ldns_rdf *name = NULL;
	size_t off, found = 0;

	if (len == 0 || ldns_str2rdf_dname(&name, owner) != LDNS_STATUS_OK)
		return 0;
	off = strnlen(buf, len);
	ldns_dname2canonical(name);
	for (size_t i = 0; i < zone->nrecs; i++) {
		uint16_t t = zone->recs[i].type;
		char *text;

		if ((type != 0 && t != type) ||
		    !wire_name_eq(zload_rec_owner(zone, i), ldns_rdf_data(name)))
			continue;
		found++;
		text = zload_rr_text(zone, i);
		if (text == NULL || off + 1 >= len) {
			free(text);
			continue;
		}
		text[strcspn(text, "\n")] = '\0';
		for (char *c = text; *c != '\0'; c++)
			if (*c == '\t')
				*c = ' ';
		/* A transfer's record held from a version before has no line (zload_pvt.h). */
		if (i >= zone->lined)
			off +=
			    (size_t)snprintf(buf + off, len - off, "%s:%d: %s\n",
					     zload_rr_file(zone, i), zload_rec_line(zone, i), text);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s: %s\n",
						zload_rr_file(zone, i), text);
		if (off >= len)
			off = len - 1;
		free(text);
	}
	ldns_rdf_deep_free(name);
	return found;
}

int zload_has_name(const zload_zone_t *zone, const char *name_text, bool at, bool below)
{
	size_t n = zone->nrecs;
	ldns_rdf *rdf;
	const uint8_t *name;
	bool found = false;
	int rc = name_rdf(name_text, &rdf);

	if (rc != SANDNS_EOK)
		return rc;
	name = ldns_rdf_data(rdf);
	if (at && zone->by_owner != NULL) {
		size_t r0, r1;

		zload_owner_range(zone, name, &r0, &r1);
		found = r0 < r1;
	}
	/* Below: a walk, cheap octet compares (the policy asks it of a few names). */
	for (size_t i = 0; i < n && !found && (below || zone->by_owner == NULL); i++) {
		const uint8_t *o = zload_rec_owner(zone, i);

		found = (below && owner_below(o, name)) || (at && owner_cmp(o, name) == 0);
	}
	ldns_rdf_deep_free(rdf);
	return found ? 1 : 0;
}
