/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_reuse.c: signatures of the zone signed before kept for the RRsets that did not change */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "sign_pvt.h"
#include "wire.h"

/* The previous signed zone's records by owner and type (an RRSIG by the type it covers). */
struct sign_reuse {
	const zload_zone_t *prev;
	uint32_t *head; /* per bucket: the first record + 1 (0: none) */
	uint32_t *next; /* per record: the next of its bucket + 1 */
	size_t mask;
};

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

sign_reuse_t *sign_reuse_new(const zload_zone_t *prev)
{
	return sign_reuse_new_spans(prev, 0, prev->nrecs, prev->nrecs, prev->nrecs);
}

sign_reuse_t *sign_reuse_new_spans(const zload_zone_t *prev, size_t a0, size_t a1, size_t b0,
				   size_t b1)
{
	sign_reuse_t *x = calloc(1, sizeof(*x));
	size_t nb = 16;
	uint32_t last = UINT32_MAX;
	uint64_t oh = 0;

	if (x == NULL)
		return NULL;
	while (nb < ((a1 - a0) + (b1 - b0)) * 2)
		nb <<= 1;
	x->prev = prev;
	x->mask = nb - 1;
	x->head = calloc(nb, sizeof(*x->head));
	x->next = calloc(prev->nrecs + 1, sizeof(*x->next));
	if (x->head == NULL || x->next == NULL) {
		sign_reuse_free(&x);
		return NULL;
	}
	/* From the last, so that each bucket lists its records in PREV's order. */
	for (size_t i = b1; i-- > a0;) {
		size_t b;

		if (i < b0 && i >= a1) {
			i = a1;
			continue;
		}
		/* records that share their owner's octets share its hash's first part */
		if (prev->recs[i].owner != last) {
			last = prev->recs[i].owner;
			oh = bucket_hash(zload_rec_owner(prev, i), 0);
		}
		b = (oh ^ (rec_key(prev, i) * 0x9e3779b97f4a7c15ull)) & x->mask;
		x->next[i] = x->head[b];
		x->head[b] = (uint32_t)i + 1;
	}
	return x;
}

void sign_reuse_free(sign_reuse_t **x)
{
	if (*x == NULL)
		return;
	free((*x)->head);
	free((*x)->next);
	free(*x);
	*x = NULL;
}

/* The first record + 1 of the bucket of OWNER and KEY. */
static uint32_t bucket(const sign_reuse_t *x, const uint8_t *owner, uint32_t key)
{
	return x->head[(bucket_hash(owner, 0) ^ (key * 0x9e3779b97f4a7c15ull)) & x->mask];
}

/*
 * Whether the records of S are those PREV holds at their owner and type, TTLs included; each
 * found noted in TO_NEW (if not NULL) as sign_reuse_find() says.
 */
static bool same_rrset(const sign_reuse_t *x, const sign_ctx_t *c, const sign_set_t *s,
		       const uint8_t *owner, uint32_t *to_new)
{
	const zload_zone_t *p = x->prev, *z = c->z;
	uint32_t first = bucket(x, owner, s->type);
	size_t old = 0;

	for (uint32_t r = first; r != 0; r = x->next[r - 1])
		old +=
		    rec_key(p, r - 1) == s->type && wire_name_eq(zload_rec_owner(p, r - 1), owner);
	if (old != s->count)
		return false;
	for (uint32_t k = s->first; k < s->first + s->count; k++) {
		const zload_rec_t *n = &z->recs[c->order[k]];
		uint32_t r;

		for (r = first; r != 0; r = x->next[r - 1])
			if (rec_key(p, r - 1) == s->type && p->recs[r - 1].ttl == n->ttl &&
			    p->recs[r - 1].rdlen == n->rdlen &&
			    memcmp(zload_rec_rdata(p, r - 1), z->data + n->rdata, n->rdlen) == 0 &&
			    wire_name_eq(zload_rec_owner(p, r - 1), owner))
				break;
		if (r == 0)
			return false;
		/* The same owner, type and data: its place among the others too (the owner
		 * index carried, zload_index_owners_from()). */
		if (to_new != NULL)
			to_new[r - 1] = c->order[k] + 1;
	}
	return true;
}

size_t sign_reuse_find(const sign_reuse_t *x, const sign_ctx_t *c, const sign_set_t *s,
		       uint32_t keep_until, uint32_t *out, size_t max, uint32_t *min_exp,
		       uint32_t *to_new)
{
	const zload_zone_t *p = x->prev;
	const uint8_t *owner = zload_rec_owner(c->z, c->order[s->first]);
	uint32_t key = 0x10000u | s->type;
	size_t n = 0;

	if (s->type == LDNS_RR_TYPE_SOA || !same_rrset(x, c, s, owner, to_new))
		return 0;
	for (uint32_t r = bucket(x, owner, key); r != 0 && n < max; r = x->next[r - 1]) {
		const uint8_t *rd = zload_rec_rdata(p, r - 1);
		uint32_t exp;

		if (rec_key(p, r - 1) != key || p->recs[r - 1].rdlen < SIGN_RRSIG_FIXED ||
		    !wire_name_eq(zload_rec_owner(p, r - 1), owner))
			continue;
		/* RFC 4034 3.1: type covered, algorithm, labels, TTL, expiration, inception, tag */
		exp = wire_get32(rd + 8);
		if ((int32_t)(exp - keep_until) <= 0 ||
		    !sign_key_known(c, rd, p->recs[r - 1].rdlen) || wire_get32(rd + 4) != s->ttl)
			continue;
		out[n++] = r - 1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t exp = wire_get32(zload_rec_rdata(p, out[i]) + 8);

		if ((int32_t)(exp - *min_exp) < 0)
			*min_exp = exp;
	}
	return n;
}
