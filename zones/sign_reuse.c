/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_reuse.c: signatures of the zone signed before kept for the RRsets that did not change */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "sign_pvt.h"
#include "wire.h"
#include "zload_pvt.h"

/* The previous signed zone's records by owner and type (an RRSIG by the type it covers). */
typedef struct reuse_index {
	const zload_zone_t *prev;
	uint32_t *head; /* per bucket: the first record + 1 (0: none) */
	uint32_t *next; /* per record: the next of its bucket + 1 */
	size_t mask;
} reuse_index_t;

/* The bucket key of a record: its type, or 0x10000 + the type an RRSIG covers. */
static uint32_t rec_key(const zload_zone_t *z, size_t i)
{
	if (z->recs[i].type == LDNS_RR_TYPE_RRSIG && z->recs[i].rdlen >= 2)
		return 0x10000u | wire_get16(zload_rec_rdata(z, i));
	return z->recs[i].type;
}

/* FNV-1a of OWNER (a wire name, any case) and KEY. */
static uint64_t bucket_hash(const uint8_t *owner, uint32_t key)
{
	uint64_t h = FNV_START ^ key;
	size_t len = wire_name_len(owner);

	for (size_t i = 0; i < len; i++)
		h = fnv_byte(h, wire_lower(owner[i]));
	return h;
}

static int index_build(reuse_index_t *x, const zload_zone_t *prev)
{
	size_t nb = 16;

	while (nb < prev->nrecs * 2)
		nb <<= 1;
	x->prev = prev;
	x->mask = nb - 1;
	x->head = calloc(nb, sizeof(*x->head));
	x->next = calloc(prev->nrecs + 1, sizeof(*x->next));
	if (x->head == NULL || x->next == NULL)
		return -ENOMEM;
	for (size_t i = prev->nrecs; i-- > 0;) {
		size_t b = bucket_hash(zload_rec_owner(prev, i), rec_key(prev, i)) & x->mask;

		x->next[i] = x->head[b];
		x->head[b] = (uint32_t)i + 1;
	}
	return 0;
}

/* Whether the records of RRSET are those PREV holds at its owner and type, TTLs included. */
static bool same_rrset(const reuse_index_t *x, const ldns_dnssec_rrsets *rrset,
		       const uint8_t *owner, ldns_buffer *buf)
{
	const zload_zone_t *p = x->prev;
	size_t old = 0, matched = 0;
	uint32_t key = rrset->type;

	for (uint32_t r = x->head[bucket_hash(owner, key) & x->mask]; r != 0; r = x->next[r - 1])
		old += rec_key(p, r - 1) == key && wire_name_eq(zload_rec_owner(p, r - 1), owner);
	for (const ldns_dnssec_rrs *rr = rrset->rrs; rr != NULL; rr = rr->next) {
		bool found = false;

		ldns_buffer_clear(buf);
		if (ldns_rr_rdata2buffer_wire(buf, rr->rr) != LDNS_STATUS_OK)
			return false;
		for (uint32_t r = x->head[bucket_hash(owner, key) & x->mask]; r != 0 && !found;
		     r = x->next[r - 1])
			found = rec_key(p, r - 1) == key &&
				wire_name_eq(zload_rec_owner(p, r - 1), owner) &&
				p->recs[r - 1].ttl == ldns_rr_ttl(rr->rr) &&
				p->recs[r - 1].rdlen == ldns_buffer_position(buf) &&
				memcmp(zload_rec_rdata(p, r - 1), ldns_buffer_begin(buf),
				       p->recs[r - 1].rdlen) == 0;
		if (!found)
			return false;
		matched++;
	}
	return matched == old && old > 0;
}

/* Whether RR is the one record PREV holds at its owner and type (TTL and data the same). */
static bool same_record(const reuse_index_t *x, const ldns_rr *rr, ldns_buffer *buf)
{
	const zload_zone_t *p = x->prev;
	const uint8_t *owner = ldns_rdf_data(ldns_rr_owner(rr));
	uint32_t key = ldns_rr_get_type(rr);
	size_t n = 0;
	bool same = false;

	ldns_buffer_clear(buf);
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK)
		return false;
	for (uint32_t r = x->head[bucket_hash(owner, key) & x->mask]; r != 0; r = x->next[r - 1]) {
		if (rec_key(p, r - 1) != key || !wire_name_eq(zload_rec_owner(p, r - 1), owner))
			continue;
		n++;
		same = p->recs[r - 1].ttl == ldns_rr_ttl(rr) &&
		       p->recs[r - 1].rdlen == ldns_buffer_position(buf) &&
		       memcmp(zload_rec_rdata(p, r - 1), ldns_buffer_begin(buf),
			      p->recs[r - 1].rdlen) == 0;
	}
	return n == 1 && same;
}

/* Whether KEYS holds a key of TAG. */
static bool key_known(const sign_keys_t *keys, uint16_t tag)
{
	for (size_t k = 0; k < sign_keys_count(keys); k++)
		if (sign_key_tag(keys, k) == tag)
			return true;
	return false;
}

/*
 * The RRSIGs of PREV over OWNER's TYPE that expire no sooner than KEEP_UNTIL, made by one of
 * KEYS, put on SIGS. How many; -ENOMEM.
 */
static int attach(const reuse_index_t *x, ldns_dnssec_rrs **sigs, uint16_t type,
		  const uint8_t *owner, const sign_keys_t *keys, uint32_t keep_until,
		  uint32_t *min_exp)
{
	const zload_zone_t *p = x->prev;
	uint32_t key = 0x10000u | type;
	int n = 0;

	for (uint32_t r = x->head[bucket_hash(owner, key) & x->mask]; r != 0; r = x->next[r - 1]) {
		const uint8_t *rd = zload_rec_rdata(p, r - 1);
		uint32_t exp;
		ldns_rr *sig;

		if (rec_key(p, r - 1) != key || !wire_name_eq(zload_rec_owner(p, r - 1), owner) ||
		    p->recs[r - 1].rdlen < 18)
			continue;
		/* RFC 4034 3.1: type covered, algorithm, labels, TTL, expiration, inception, tag */
		exp = wire_get32(rd + 8);
		if ((int32_t)(exp - keep_until) < 0 || !key_known(keys, wire_get16(rd + 16)))
			continue;
		sig = zload_rr(p, r - 1);
		if (sig == NULL)
			return -ENOMEM;
		if (*sigs == NULL) {
			*sigs = ldns_dnssec_rrs_new();
			if (*sigs == NULL) {
				ldns_rr_free(sig);
				return -ENOMEM;
			}
			(*sigs)->rr = sig;
		} else if (ldns_dnssec_rrs_add_rr(*sigs, sig) != LDNS_STATUS_OK) {
			ldns_rr_free(sig);
			return -ENOMEM;
		}
		if ((int32_t)(exp - *min_exp) < 0)
			*min_exp = exp;
		n++;
	}
	return n;
}

long sign_reuse(ldns_dnssec_zone *dz, const zload_zone_t *prev, const sign_keys_t *keys,
		uint32_t keep_until, uint32_t *min_exp)
{
	reuse_index_t x = {0};
	ldns_buffer *buf = ldns_buffer_new(512);
	long reused = 0;

	if (buf == NULL || index_build(&x, prev) != 0) {
		reused = -ENOMEM;
		goto out;
	}
	for (ldns_rbnode_t *n = ldns_rbtree_first(dz->names); n != LDNS_RBTREE_NULL && reused >= 0;
	     n = ldns_rbtree_next(n)) {
		ldns_dnssec_name *name = (ldns_dnssec_name *)n->data;
		const uint8_t *owner = ldns_rdf_data(ldns_dnssec_name_name(name));

		for (ldns_dnssec_rrsets *s = name->rrsets; s != NULL && reused >= 0; s = s->next) {
			int got;

			/* The SOA's serial moved: signed anew. */
			if (s->type == LDNS_RR_TYPE_SOA || s->type == LDNS_RR_TYPE_RRSIG ||
			    !same_rrset(&x, s, owner, buf))
				continue;
			got = attach(&x, &s->signatures, (uint16_t)s->type, owner, keys, keep_until,
				     min_exp);
			reused = got < 0 ? got : reused + got;
		}
		/* The name's NSEC or NSEC3 (at its hashed owner), made just now: kept signed when
		 * it is the record PREV had. */
		if (name->nsec != NULL && reused >= 0 && same_record(&x, name->nsec, buf)) {
			int got = attach(
			    &x, &name->nsec_signatures, (uint16_t)ldns_rr_get_type(name->nsec),
			    ldns_rdf_data(ldns_rr_owner(name->nsec)), keys, keep_until, min_exp);

			reused = got < 0 ? got : reused + got;
		}
	}
out:
	free(x.head);
	free(x.next);
	if (buf != NULL)
		ldns_buffer_free(buf);
	return reused;
}
