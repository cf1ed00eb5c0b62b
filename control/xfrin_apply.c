/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_apply.c: a transfer's records put together: AXFR whole, or IXFR applied to our copy */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrin_pvt.h"

enum { S_START, S_SECOND, S_AXFR, S_DEL, S_ADD, S_DONE };

/* The record's key: a 4-octet length, then its canonical wire form with TTL 0. */
static uint8_t *rr_key(ldns_rr *rr)
{
	ldns_buffer *b = ldns_buffer_new(256);
	uint32_t ttl = ldns_rr_ttl(rr);
	uint8_t *key = NULL;
	size_t len;

	if (b == NULL)
		return NULL;
	ldns_rr_set_ttl(rr, 0);
	if (ldns_rr2buffer_wire_canonical(b, rr, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK) {
		len = ldns_buffer_position(b);
		key = malloc(len + 4);
		if (key != NULL) {
			memcpy(key, &(uint32_t){(uint32_t)len}, 4);
			memcpy(key + 4, ldns_buffer_begin(b), len);
		}
	}
	ldns_rr_set_ttl(rr, ttl);
	ldns_buffer_free(b);
	return key;
}

static int key_cmp(const uint8_t *a, const uint8_t *b)
{
	uint32_t la, lb;
	int c;

	memcpy(&la, a, 4);
	memcpy(&lb, b, 4);
	c = memcmp(a + 4, b + 4, la < lb ? la : lb);
	return c != 0 ? c : (la > lb) - (la < lb);
}

void xfrin_apply_init(xfrin_apply_t *a, const char *path, const ldns_rdf *origin, uint32_t ours,
		      bool ixfr)
{
	memset(a, 0, sizeof(*a));
	a->path = path;
	a->origin = origin;
	a->ours = ours;
	a->asked_ixfr = ixfr;
	a->state = S_START;
	a->read_copy = xfrin_file_read;
}

void xfrin_apply_clear(xfrin_apply_t *a)
{
	xfrin_zone_clear(&a->z);
	for (size_t i = 0; i < a->nadds; i++)
		ldns_rr_free(a->adds[i]);
	free(a->adds);
	a->adds = NULL;
	a->nadds = a->capadds = 0;
}

/* Sorts Z's records by key (made where missing); false without memory. */
struct pair {
	uint8_t *key;
	ldns_rr *rr;
};

static int pair_cmp(const void *x, const void *y)
{
	return key_cmp(((const struct pair *)x)->key, ((const struct pair *)y)->key);
}

static bool zone_sort(xfrin_zone_t *z)
{
	struct pair *p = malloc((z->n + 1) * sizeof(*p));
	size_t k = 0;

	if (p == NULL)
		return false;
	for (size_t i = 0; i < z->n; i++) {
		if (z->keys[i] == NULL && (z->keys[i] = rr_key(z->rrs[i])) == NULL) {
			free(p);
			return false;
		}
		p[i] = (struct pair){z->keys[i], z->rrs[i]};
	}
	qsort(p, z->n, sizeof(*p), pair_cmp);
	/* The same record twice (TTL apart) is one record. */
	for (size_t i = 0; i < z->n; i++) {
		if (k > 0 && key_cmp(p[i].key, z->keys[k - 1]) == 0) {
			free(p[i].key);
			ldns_rr_free(p[i].rr);
			continue;
		}
		z->keys[k] = p[i].key;
		z->rrs[k++] = p[i].rr;
	}
	z->n = k;
	free(p);
	return true;
}

/* IXFR: takes RR out of Z (sorted; its key stays till the sequence ends); false when Z does
 * not hold it. */
static bool zone_delete(xfrin_zone_t *z, ldns_rr *rr)
{
	uint8_t *key = rr_key(rr);
	size_t lo = 0, hi = z->n;

	while (key != NULL && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(key, z->keys[mid]);

		if (c == 0) {
			free(key);
			if (z->rrs[mid] == NULL)
				return false;
			ldns_rr_free(z->rrs[mid]);
			z->rrs[mid] = NULL;
			return true;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	free(key);
	return false;
}

/* IXFR: the end of one sequence: deleted records out, additions in, sorted again. */
static bool sequence_end(xfrin_apply_t *a)
{
	xfrin_zone_t *z = &a->z;
	size_t k = 0;

	for (size_t i = 0; i < z->n; i++) {
		if (z->rrs[i] == NULL) {
			free(z->keys[i]);
			continue;
		}
		z->keys[k] = z->keys[i];
		z->rrs[k++] = z->rrs[i];
	}
	z->n = k;
	for (size_t i = 0; i < a->nadds; i++) {
		if (!xfrin_zone_push(z, a->adds[i])) {
			for (size_t j = i; j < a->nadds; j++)
				ldns_rr_free(a->adds[j]);
			a->nadds = 0;
			return false;
		}
	}
	a->nadds = 0;
	z->ndiffs++;
	return zone_sort(z);
}

static bool adds_push(xfrin_apply_t *a, ldns_rr *rr)
{
	if (a->nadds == a->capadds) {
		size_t cap = a->capadds != 0 ? a->capadds * 2 : 64;
		ldns_rr **grown = realloc(a->adds, cap * sizeof(*grown));

		if (grown == NULL)
			return false;
		a->adds = grown;
		a->capadds = cap;
	}
	a->adds[a->nadds++] = rr;
	return true;
}

static bool newer(uint32_t x, uint32_t y)
{
	return (int32_t)(x - y) > 0;
}

/* The second record of the response says what kind it is (RFC 1995 4). */
static int second(xfrin_apply_t *a, ldns_rr *rr, uint32_t serial, char *err, size_t errlen)
{
	const uint32_t fresh = xfrin_soa_field(a->z.soa, 2);
	bool is_soa = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;

	if (a->asked_ixfr && is_soa && serial == a->ours && fresh != a->ours) {
		xfrin_zone_t old = {0};
		int rc = a->read_copy(a->path, a->origin, &old, err, errlen);

		ldns_rr_free(rr);
		if (rc != 0 || old.soa == NULL || xfrin_soa_field(old.soa, 2) != a->ours) {
			if (rc == 0)
				snprintf(err, errlen,
					 "our copy is not at serial %u: IXFR cannot "
					 "apply",
					 a->ours);
			xfrin_zone_clear(&old);
			return XFRIN_FALLBACK;
		}
		ldns_rr_free(old.soa);
		old.soa = a->z.soa;
		a->z = old;
		a->z.ixfr = true;
		a->cur = a->ours;
		a->state = S_DEL;
		if (!zone_sort(&a->z)) {
			snprintf(err, errlen, "out of memory");
			return XFRIN_FAIL;
		}
		return XFRIN_OK;
	}
	a->state = S_AXFR;
	if (is_soa && serial == fresh) {
		/* AXFR-style of a zone that is its SOA alone. */
		ldns_rr_free(rr);
		a->state = S_DONE;
		return 1;
	}
	if (is_soa) {
		/* Neither an IXFR from our serial nor the AXFR's end: one SOA per zone (RFC 5936
		 * 2.2); an IXFR that does not start from our serial is asked again as AXFR. */
		ldns_rr_free(rr);
		snprintf(err, errlen, "an SOA of serial %u inside the %s", serial,
			 a->asked_ixfr ? "IXFR" : "AXFR");
		return a->asked_ixfr ? XFRIN_FALLBACK : XFRIN_FAIL;
	}
	if (!xfrin_zone_push(&a->z, rr)) {
		ldns_rr_free(rr);
		snprintf(err, errlen, "out of memory");
		return XFRIN_FAIL;
	}
	return XFRIN_OK;
}

int xfrin_apply_rr(void *ctx, ldns_rr *rr, char *err, size_t errlen)
{
	xfrin_apply_t *a = ctx;
	bool is_soa = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;
	uint32_t serial = is_soa ? xfrin_soa_field(rr, 2) : 0;
	const ldns_rdf *owner = ldns_rr_owner(rr);

	if (++a->count > XFRIN_MAX_RRS) {
		ldns_rr_free(rr);
		snprintf(err, errlen, "more than %u records", XFRIN_MAX_RRS);
		return XFRIN_FAIL;
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
	    (ldns_dname_compare(owner, a->origin) != 0 &&
	     !ldns_dname_is_subdomain(owner, a->origin)) ||
	    (is_soa && (ldns_rr_rd_count(rr) != 7 || ldns_dname_compare(owner, a->origin) != 0))) {
		char *s = ldns_rr2str(rr);

		snprintf(err, errlen, "a record that is not the zone's: %.200s", s ? s : "?");
		free(s);
		ldns_rr_free(rr);
		return a->asked_ixfr && a->state >= S_DEL ? XFRIN_FALLBACK : XFRIN_FAIL;
	}
	switch (a->state) {
	case S_START:
		if (!is_soa) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "the transfer does not start with the SOA");
			return XFRIN_FAIL;
		}
		a->z.soa = rr;
		a->state = S_SECOND;
		if (a->asked_ixfr && !newer(serial, a->ours)) {
			a->uptodate = true;
			a->state = S_DONE;
			return 1;
		}
		return XFRIN_OK;
	case S_SECOND:
		return second(a, rr, serial, err, errlen);
	case S_AXFR:
		if (is_soa) {
			bool end = serial == xfrin_soa_field(a->z.soa, 2);

			ldns_rr_free(rr);
			if (!end) {
				snprintf(err, errlen, "an SOA of serial %u inside the AXFR",
					 serial);
				return XFRIN_FAIL;
			}
			a->state = S_DONE;
			return 1;
		}
		if (!xfrin_zone_push(&a->z, rr)) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "out of memory");
			return XFRIN_FAIL;
		}
		return XFRIN_OK;
	case S_DEL:
		if (is_soa) {
			ldns_rr_free(rr);
			if (!newer(serial, a->cur)) {
				snprintf(err, errlen, "IXFR: a sequence from %u to %u", a->cur,
					 serial);
				return XFRIN_FALLBACK;
			}
			a->cur = serial;
			a->state = S_ADD;
			return XFRIN_OK;
		}
		if (!zone_delete(&a->z, rr)) {
			char *s = ldns_rr2str(rr);

			snprintf(err, errlen, "IXFR deletes a record we do not hold: %.200s",
				 s ? s : "?");
			free(s);
			ldns_rr_free(rr);
			return XFRIN_FALLBACK;
		}
		ldns_rr_free(rr);
		return XFRIN_OK;
	case S_ADD:
		if (!is_soa) {
			if (!adds_push(a, rr)) {
				ldns_rr_free(rr);
				snprintf(err, errlen, "out of memory");
				return XFRIN_FAIL;
			}
			return XFRIN_OK;
		}
		ldns_rr_free(rr);
		if (!sequence_end(a)) {
			snprintf(err, errlen, "out of memory");
			return XFRIN_FAIL;
		}
		if (serial == a->cur && serial == xfrin_soa_field(a->z.soa, 2)) {
			a->state = S_DONE;
			return 1;
		}
		if (serial != a->cur) {
			snprintf(err, errlen, "IXFR: a sequence from %u after one to %u", serial,
				 a->cur);
			return XFRIN_FALLBACK;
		}
		a->state = S_DEL;
		return XFRIN_OK;
	default:
		ldns_rr_free(rr);
		return 1;
	}
}
