/* SPDX-License-Identifier: BSD-3-Clause */
/* zonemix.c: a query mix drawn from a zone file's own names, for the load tools */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zonemix.h"

#define NX_EVERY 8 /* one made-up name for every NX_EVERY questions of the zone */

const char *zonemix_rcode_name(unsigned rc, char buf[16])
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	snprintf(buf, 16, "RCODE%u", rc);
	return buf;
}

static int cmp_q(const void *a, const void *b)
{
	const struct zonemix_q *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;

	for (size_t i = 0; i < n; i++) {
		int cx = tolower(x->name[i]), cy = tolower(y->name[i]);

		if (cx != cy)
			return cx - cy;
	}
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return (int)x->type - (int)y->type;
}

static int grow(struct zonemix *mix, size_t *cap, size_t need)
{
	struct zonemix_q *q;
	size_t c = *cap;

	if (need <= c)
		return 0;
	while (c < need)
		c = c != 0 ? c * 2 : 1024;
	q = realloc(mix->q, c * sizeof(*q));
	if (q == NULL)
		return -1;
	mix->q = q;
	*cap = c;
	return 0;
}

/* Splits SPEC into ORIGIN and FILE (at '=' or the first blank); -1 when it is neither form. */
static int split_spec(const char *spec, char *origin, size_t olen, const char **file)
{
	size_t n = strcspn(spec, "= \t");

	if (n == 0 || spec[n] == '\0' || n >= olen)
		return -1;
	memcpy(origin, spec, n);
	origin[n] = '\0';
	*file = spec + n + 1;
	while (**file == ' ' || **file == '\t')
		(*file)++;
	return **file != '\0' ? 0 : -1;
}

/* Appends FILE's records under ORIGIN to MIX (growing it, *CAP its room); their count in *N. */
static int read_zone(struct zonemix *mix, size_t *cap, const char *file, ldns_rdf *origin,
		     size_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	ldns_zone *z = NULL;
	ldns_status st;
	int line = 0;
	size_t base = mix->n, total;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	st = ldns_zone_new_frm_fp_l(&z, f, origin, 3600, LDNS_RR_CLASS_IN, &line);
	fclose(f);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s:%d: %s", file, line, ldns_get_errorstr_by_id(st));
		return -1;
	}
	total = ldns_rr_list_rr_count(ldns_zone_rrs(z)) + (ldns_zone_soa(z) != NULL);
	if (grow(mix, cap, base + total) != 0) {
		ldns_zone_deep_free(z);
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	for (size_t i = 0; i < total; i++) {
		ldns_rr *rr =
		    i == 0 && ldns_zone_soa(z) != NULL
			? ldns_zone_soa(z)
			: ldns_rr_list_rr(ldns_zone_rrs(z), i - (ldns_zone_soa(z) != NULL));
		ldns_rdf *owner = ldns_rr_owner(rr);
		ldns_rr_type t = ldns_rr_get_type(rr);
		struct zonemix_q *q = &mix->q[mix->n];

		if (t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC3 ||
		    ldns_rdf_size(owner) > sizeof(q->name))
			continue;
		memcpy(q->name, ldns_rdf_data(owner), ldns_rdf_size(owner));
		q->name_len = (uint8_t)ldns_rdf_size(owner);
		q->type = (uint16_t)t;
		q->nx = 0;
		mix->n++;
	}
	ldns_zone_deep_free(z);
	*n = mix->n - base;
	return 0;
}

int zonemix_add(struct zonemix *mix, const char *spec, char *err, size_t errlen)
{
	char origin_text[256];
	const char *file;
	ldns_rdf *origin = NULL;
	size_t cap = mix->n, base = mix->n, n = 0, uniq, nx;
	uint32_t rng = 0x9e3779b9u ^ (uint32_t)base;

	if (split_spec(spec, origin_text, sizeof(origin_text), &file) != 0) {
		snprintf(err, errlen, "%s: not ORIGIN=FILE", spec);
		return -1;
	}
	if (ldns_str2rdf_dname(&origin, origin_text) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s: not a domain name", origin_text);
		return -1;
	}
	if (read_zone(mix, &cap, file, origin, &n, err, errlen) != 0) {
		ldns_rdf_deep_free(origin);
		return -1;
	}
	/* each (owner, type) once, whatever its case or the number of its records */
	qsort(mix->q + base, n, sizeof(*mix->q), cmp_q);
	uniq = 0;
	for (size_t i = 0; i < n; i++)
		if (uniq == 0 || cmp_q(&mix->q[base + uniq - 1], &mix->q[base + i]) != 0)
			mix->q[base + uniq++] = mix->q[base + i];
	mix->n = base + uniq;
	mix->n_zone += uniq;
	nx = uniq / NX_EVERY > 0 ? uniq / NX_EVERY : 1;
	if (grow(mix, &cap, mix->n + nx) != 0) {
		ldns_rdf_deep_free(origin);
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	for (size_t i = 0; i < nx; i++) {
		struct zonemix_q *q = &mix->q[mix->n];
		char label[16];

		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		snprintf(label, sizeof(label), "nx%08x", rng);
		if (ldns_rdf_size(origin) + 11 > sizeof(q->name))
			break;
		q->name[0] = 10;
		memcpy(q->name + 1, label, 10);
		memcpy(q->name + 11, ldns_rdf_data(origin), ldns_rdf_size(origin));
		q->name_len = (uint8_t)(11 + ldns_rdf_size(origin));
		q->type = LDNS_RR_TYPE_A;
		q->nx = 1;
		mix->n++;
	}
	ldns_rdf_deep_free(origin);
	return 0;
}

void zonemix_free(struct zonemix *mix)
{
	free(mix->q);
	mix->q = NULL;
	mix->n = mix->n_zone = 0;
}
