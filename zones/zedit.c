/* SPDX-License-Identifier: BSD-3-Clause */
/* zedit.c: changes made to a loaded zone before it is compiled (the autodiscover policy's) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandns_err.h"
#include "wire.h"
#include "zload_state.h"

/* NAME (presentation) as a canonical DNAME rdf inside ZONE, or NULL with the reason in err. */
static ldns_rdf *edit_name(const zload_zone_t *zone, const char *name, char *err, size_t errlen)
{
	ldns_rdf *rdf = NULL;

	if (name == NULL || ldns_str2rdf_dname(&rdf, name) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s: '%s' is not a domain name", zone->origin_text,
			 name != NULL ? name : "(null)");
		return NULL;
	}
	ldns_dname2canonical(rdf);
	if (ldns_dname_compare(rdf, zone->origin) != 0 &&
	    !ldns_dname_is_subdomain(rdf, zone->origin)) {
		snprintf(err, errlen, "%s: '%s' is outside the zone", zone->origin_text, name);
		ldns_rdf_deep_free(rdf);
		return NULL;
	}
	return rdf;
}

/* Whether record I of Z is at NAME (any case). */
static bool owner_is(const zload_zone_t *z, size_t i, const ldns_rdf *name)
{
	return wire_name_eq(zload_rec_owner(z, i), ldns_rdf_data(name));
}

/* Copies every record of SRC into DST with its file and line, and SRC's empty nodes. */
static int edit_copy(zload_zone_t *dst, const zload_zone_t *src)
{
	dst->is_signed = src->is_signed;
	for (size_t i = 0; i < src->nfiles; i++)
		if (zload_add_file(dst, src->files[i]) < 0)
			return -ENOMEM;
	if (src->nempty > 0) {
		dst->empty = calloc(src->nempty, sizeof(*dst->empty));
		if (dst->empty == NULL)
			return -ENOMEM;
		for (; dst->nempty < src->nempty; dst->nempty++) {
			dst->empty[dst->nempty] = ldns_rdf_clone(src->empty[dst->nempty]);
			if (dst->empty[dst->nempty] == NULL)
				return -ENOMEM;
		}
	}
	return zload_adopt(dst, src) ? 0 : -ENOMEM;
}

/* Drops the records of TYPE at NAME, keeping the others (and their lines) in order. */
static void edit_withhold(zload_zone_t *z, const ldns_rdf *name, uint16_t type)
{
	size_t n = z->nrecs;
	struct zload_keep keep = {0};

	for (size_t i = 0; i < n; i++) {
		if (z->recs[i].type == type && owner_is(z, i, name))
			continue;
		zload_rec_keep(z, &keep, i);
	}
	zload_recs_kept(z, &keep);
}

int zload_edit_rr(const zload_zone_t *z, const zload_edit_t *e, ldns_rr **out, char *err,
		  size_t errlen)
{
	char *type = ldns_rr_type2str((ldns_rr_type)e->type), *text = NULL;
	ldns_rr *rr = NULL;
	ldns_status st = LDNS_STATUS_MEM_ERR;

	*out = NULL;
	/* Read as a zone file's records are: the policy's names come from certificates and the
	 * operator, an SRV target "@.example.com" a name like any other. */
	if (type != NULL && e->rdata != NULL &&
	    asprintf(&text, "%s %u IN %s %s", e->owner, (unsigned)e->ttl, type, e->rdata) >= 0)
		st = zload_rr_frm_str(&rr, text, e->ttl, z->origin);
	else
		text = NULL;
	free(type);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s: cannot add '%s': %s", z->origin_text,
			 text != NULL ? text : e->owner, ldns_get_errorstr_by_id(st));
		free(text);
		return st == LDNS_STATUS_MEM_ERR ? -ENOMEM : SANDNS_EZONE;
	}
	free(text);
	ldns_dname2canonical(ldns_rr_owner(rr));
	*out = rr;
	return 0;
}

static int edit_add(zload_zone_t *z, const zload_edit_t *e, unsigned file, char *err, size_t errlen)
{
	ldns_rr *rr;
	int ret = zload_edit_rr(z, e, &rr, err, errlen);

	if (ret != 0)
		return ret;
	for (size_t i = 0; i < z->nrecs; i++) {
		ldns_rr *have;
		bool same;

		if (z->recs[i].type != (uint16_t)ldns_rr_get_type(rr) ||
		    !wire_name_eq(zload_rec_owner(z, i), ldns_rdf_data(ldns_rr_owner(rr))))
			continue;
		have = zload_rr(z, i);
		/* Not comparable: the compiler still keeps a record given twice once. */
		same = have != NULL && ldns_rr_compare(have, rr) == 0;
		ldns_rr_free(have);
		if (same) {
			ldns_rr_free(rr); /* already there: a set holds a record once */
			return 0;
		}
	}
	return zload_push(z, rr, file, 0) != 0 ? -ENOMEM : 0;
}

static int edit_one(zload_zone_t *z, const zload_edit_t *e, unsigned file, char *err, size_t errlen)
{
	ldns_rdf *name = edit_name(z, e->owner, err, errlen);
	ldns_rdf **l;
	int ret = 0;

	if (name == NULL)
		return SANDNS_EZONE;
	switch (e->op) {
	case ZLOAD_EDIT_WITHHOLD:
	case ZLOAD_EDIT_ADD:
		if (e->type == LDNS_RR_TYPE_SOA) {
			snprintf(err, errlen, "%s: the SOA record cannot be edited",
				 z->origin_text);
			ret = SANDNS_EZONE;
		} else if (e->op == ZLOAD_EDIT_WITHHOLD) {
			edit_withhold(z, name, e->type);
		} else {
			ret = edit_add(z, e, file, err, errlen);
		}
		break;
	case ZLOAD_EDIT_EMPTY_NODE:
		l = realloc(z->empty, (z->nempty + 1) * sizeof(*l));
		if (l == NULL) {
			ret = -ENOMEM;
			break;
		}
		z->empty = l;
		z->empty[z->nempty++] = name;
		name = NULL;
		break;
	default:
		snprintf(err, errlen, "%s: unknown edit %d", z->origin_text, (int)e->op);
		ret = SANDNS_EPARSE;
	}
	ldns_rdf_deep_free(name);
	return ret;
}

int zload_edits_check(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < nedits; i++) {
		const zload_edit_t *e = &edits[i];
		ldns_rdf *name = edit_name(zone, e->owner, err, errlen);
		ldns_rr *rr = NULL;
		int ret = 0;

		if (name == NULL)
			return SANDNS_EZONE;
		ldns_rdf_deep_free(name);
		if (e->op != ZLOAD_EDIT_EMPTY_NODE && e->type == LDNS_RR_TYPE_SOA) {
			snprintf(err, errlen, "%s: the SOA record cannot be edited",
				 zone->origin_text);
			return SANDNS_EZONE;
		}
		if (e->op == ZLOAD_EDIT_ADD)
			ret = zload_edit_rr(zone, e, &rr, err, errlen);
		else if (e->op != ZLOAD_EDIT_WITHHOLD && e->op != ZLOAD_EDIT_EMPTY_NODE)
			ret = SANDNS_EPARSE;
		ldns_rr_free(rr);
		if (ret == SANDNS_EPARSE)
			snprintf(err, errlen, "%s: unknown edit %d", zone->origin_text, (int)e->op);
		if (ret != 0)
			return ret;
	}
	return 0;
}

zload_zone_t *zload_edit(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			 unsigned long serial, const char *source, char *err, size_t errlen)
{
	return zload_edit_room(zone, edits, nedits, serial, source, 0, 0, err, errlen);
}

zload_zone_t *zload_edit_room(const zload_zone_t *zone, const zload_edit_t *edits, size_t nedits,
			      unsigned long serial, const char *source, size_t room_recs,
			      size_t room_data, char *err, size_t errlen)
{
	zload_zone_t *z = calloc(1, sizeof(*z));
	int file;

	if (errlen > 0)
		err[0] = '\0';
	if (z == NULL)
		goto fail_nomem;
	/* Room for what will be added, at once: no copy of the copy as it grows. */
	if ((room_recs > 0 || room_data > 0) &&
	    !zload_reserve_huge(z, zone->nrecs + nedits + room_recs, zone->data_len + room_data))
		goto fail_nomem;
	z->origin_text = strdup(zone->origin_text);
	z->origin = ldns_rdf_clone(zone->origin);
	if (z->origin_text == NULL || z->origin == NULL || edit_copy(z, zone) != 0)
		goto fail_nomem;
	file = zload_add_file(z, source != NULL ? source : "(edit)");
	if (file < 0)
		goto fail_nomem;
	for (size_t i = 0; i < nedits; i++)
		if (edit_one(z, &edits[i], (unsigned)file, err, errlen) != 0)
			goto fail;
	for (size_t i = 0; i < z->nrecs; i++) {
		/* SOA data: two names, then the serial (the copy's own octets) */
		uint8_t *rd = z->data + z->recs[i].rdata;
		size_t at;

		if (z->recs[i].type != T_SOA)
			continue;
		at = wire_name_len(rd);
		at += wire_name_len(rd + at);
		if (at + 4 <= z->recs[i].rdlen)
			wire_put32(rd + at, (uint32_t)serial);
	}
	z->serial = serial & 0xffffffffUL;
	return z;
fail_nomem:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: out of memory", zone->origin_text);
fail:
	zload_free(&z);
	return NULL;
}
