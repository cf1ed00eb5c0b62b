/* SPDX-License-Identifier: BSD-3-Clause */
/* xfrin_apply.c: a transfer's records into the zone's next version: AXFR whole, IXFR applied */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rr_typed.h"
#include "xfrin_pvt.h"

enum { S_START, S_SECOND, S_AXFR, S_DEL, S_ADD, S_DONE };

void xfrin_apply_init(xfrin_apply_t *a, const ldns_rdf *origin, uint32_t ours, bool ixfr,
		      const zload_zone_t *base, const char *source)
{
	memset(a, 0, sizeof(*a));
	a->origin = origin;
	a->ours = ours;
	a->asked_ixfr = ixfr;
	a->base = base;
	a->state = S_START;
	snprintf(a->source, sizeof(a->source), "%s", source);
}

void xfrin_apply_clear(xfrin_apply_t *a)
{
	ldns_rr_free(a->soa);
	a->soa = NULL;
	zload_xfr_free(&a->b);
	ldns_buffer_free(a->buf);
	a->buf = NULL;
}

/* RR deleted from (DEL) or added to the version being built: 0, -ENOENT (not held), -ENOMEM. */
static int put(xfrin_apply_t *a, const ldns_rr *rr, bool del)
{
	const ldns_rdf *o = ldns_rr_owner(rr);

	if (a->buf == NULL && (a->buf = ldns_buffer_new(512)) == NULL)
		return -ENOMEM;
	ldns_buffer_clear(a->buf);
	if (ldns_rr_rdata2buffer_wire(a->buf, rr) != LDNS_STATUS_OK)
		return -ENOMEM;
	if (ldns_rdf_size(o) > 255 || ldns_buffer_position(a->buf) > 65535)
		return -EINVAL;
	return (del ? zload_xfr_del : zload_xfr_add)(
	    a->b, ldns_rdf_data(o), (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
	    ldns_buffer_begin(a->buf), ldns_buffer_position(a->buf));
}

/* put() for an addition, RR freed: XFRIN_OK or XFRIN_FAIL with the reason. */
static int add(xfrin_apply_t *a, ldns_rr *rr, char *err, size_t errlen)
{
	int rc = put(a, rr, false);

	ldns_rr_free(rr);
	if (rc == 0)
		return XFRIN_OK;
	snprintf(err, errlen, "%s", rc == -EINVAL ? "a record too long" : "out of memory");
	return XFRIN_FAIL;
}

static bool newer(uint32_t x, uint32_t y)
{
	return (int32_t)(x - y) > 0;
}

/* The version being built: applied to BASE (an IXFR) or from nothing (an AXFR). */
static int start(xfrin_apply_t *a, const zload_zone_t *base, char *err, size_t errlen)
{
	char *origin = ldns_rdf2str(a->origin);

	a->b = origin != NULL ? zload_xfr_new(origin, base, a->source) : NULL;
	free(origin);
	if (a->b != NULL)
		return XFRIN_OK;
	snprintf(err, errlen, "out of memory");
	return XFRIN_FAIL;
}

/* The second record of the response says what kind it is (RFC 1995 4). */
static int second(xfrin_apply_t *a, ldns_rr *rr, uint32_t serial, char *err, size_t errlen)
{
	const uint32_t fresh = xfrin_soa_field(a->soa, 2);
	bool is_soa = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA;
	int rc;

	if (a->asked_ixfr && is_soa && serial == a->ours && fresh != a->ours) {
		if (a->base == NULL || zload_serial(a->base) != a->ours) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "our copy is not at serial %u: IXFR cannot apply",
				 a->ours);
			return XFRIN_FALLBACK;
		}
		a->ixfr = true;
		a->cur = a->ours;
		a->state = S_DEL;
		rc = start(a, a->base, err, errlen);
		/* The sequence's old SOA: the one we hold goes. */
		if (rc == XFRIN_OK && put(a, rr, true) != 0) {
			snprintf(err, errlen, "out of memory");
			rc = XFRIN_FAIL;
		}
		ldns_rr_free(rr);
		return rc;
	}
	a->state = S_AXFR;
	rc = start(a, NULL, err, errlen);
	if (rc == XFRIN_OK) {
		ldns_rr *soa = ldns_rr_clone(a->soa);

		rc = soa != NULL ? add(a, soa, err, errlen) : XFRIN_FAIL;
		if (soa == NULL)
			snprintf(err, errlen, "out of memory");
	}
	if (rc != XFRIN_OK) {
		ldns_rr_free(rr);
		return rc;
	}
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
	return add(a, rr, err, errlen);
}

/* IXFR: a deletion (RR freed); one of a record we do not hold is inconsistent: AXFR instead. */
static int del(xfrin_apply_t *a, ldns_rr *rr, char *err, size_t errlen)
{
	int rc = put(a, rr, true);
	char *s;

	if (rc == 0) {
		ldns_rr_free(rr);
		return XFRIN_OK;
	}
	s = rc == -ENOENT ? ldns_rr2str(rr) : NULL;
	if (rc == -ENOENT)
		snprintf(err, errlen, "IXFR deletes a record we do not hold: %.200s", s ? s : "?");
	else
		snprintf(err, errlen, "%s", rc == -EINVAL ? "a record too long" : "out of memory");
	free(s);
	ldns_rr_free(rr);
	return rc == -ENOENT ? XFRIN_FALLBACK : XFRIN_FAIL;
}

/* IXFR: an SOA after additions: the next sequence's old SOA, or the end. */
static int after_adds(xfrin_apply_t *a, ldns_rr *rr, uint32_t serial, char *err, size_t errlen)
{
	a->ndiffs++;
	if (serial == a->cur && serial == xfrin_soa_field(a->soa, 2)) {
		ldns_rr_free(rr);
		a->state = S_DONE;
		return 1;
	}
	if (serial != a->cur) {
		ldns_rr_free(rr);
		snprintf(err, errlen, "IXFR: a sequence from %u after one to %u", serial, a->cur);
		return XFRIN_FALLBACK;
	}
	a->state = S_DEL;
	return del(a, rr, err, errlen);
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
	if (!rr_rdata_typed(rr)) {
		/* What Knot and NSD refuse as a malformed message: nothing of it is applied. */
		char *t = ldns_rr_type2str(ldns_rr_get_type(rr)), *o = ldns_rdf2str(owner);

		snprintf(err, errlen, "a malformed record: %s at %s without the fields of its type",
			 t ? t : "?", o ? o : "?");
		free(t);
		free(o);
		ldns_rr_free(rr);
		return XFRIN_FAIL;
	}
	switch (a->state) {
	case S_START:
		if (!is_soa) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "the transfer does not start with the SOA");
			return XFRIN_FAIL;
		}
		a->soa = rr;
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
			bool end = serial == xfrin_soa_field(a->soa, 2);

			ldns_rr_free(rr);
			if (!end) {
				snprintf(err, errlen, "an SOA of serial %u inside the AXFR",
					 serial);
				return XFRIN_FAIL;
			}
			a->state = S_DONE;
			return 1;
		}
		return add(a, rr, err, errlen);
	case S_DEL:
		if (!is_soa)
			return del(a, rr, err, errlen);
		if (!newer(serial, a->cur)) {
			ldns_rr_free(rr);
			snprintf(err, errlen, "IXFR: a sequence from %u to %u", a->cur, serial);
			return XFRIN_FALLBACK;
		}
		/* The sequence's new SOA: the version's SOA from now on. */
		a->cur = serial;
		a->state = S_ADD;
		return add(a, rr, err, errlen);
	case S_ADD:
		if (!is_soa)
			return add(a, rr, err, errlen);
		return after_adds(a, rr, serial, err, errlen);
	default:
		ldns_rr_free(rr);
		return 1;
	}
}

bool xfrin_apply_soa_alone(const xfrin_apply_t *a)
{
	return a->asked_ixfr && a->state == S_SECOND && a->count == 1;
}

zload_zone_t *xfrin_apply_finish(xfrin_apply_t *a, zload_warn_fn warn, void *warn_ctx, char *err,
				 size_t errlen)
{
	uint32_t fresh = a->soa != NULL ? xfrin_soa_field(a->soa, 2) : 0;
	zload_zone_t *z;

	if (a->state != S_DONE || a->uptodate || a->b == NULL) {
		snprintf(err, errlen, "the transfer is not whole");
		return NULL;
	}
	a->nrecs = zload_xfr_count(a->b);
	z = zload_xfr_finish(&a->b, warn, warn_ctx, err, errlen);
	if (z != NULL && zload_serial(z) != fresh) {
		/* The IXFR's last sequence must end at the SOA it began with. */
		snprintf(err, errlen, "the transferred zone ends at serial %lu, not %u",
			 zload_serial(z), fresh);
		zload_free(&z);
	}
	return z;
}

uint32_t xfrin_soa_field(const ldns_rr *soa, size_t i)
{
	const ldns_rdf *f = ldns_rr_rdf(soa, i);

	return f != NULL && ldns_rdf_size(f) == 4 ? ldns_rdf2native_int32(f) : 0;
}
