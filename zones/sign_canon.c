/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_canon.c: the signer's canonical form and order (RFC 4034 6), type bitmaps */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sign_pvt.h"
#include "wire.h"

/* Lower-cases the name at OUT[AT] (copied from IN) when it lies within LEN; its end, or LEN. */
static size_t lower_name(const uint8_t *in, uint8_t *out, size_t at, size_t len)
{
	while (at < len && in[at] != 0) {
		size_t l = in[at];

		if (l > 63 || at + 1 + l > len)
			return len;
		for (size_t k = at + 1; k <= at + l; k++)
			out[k] = wire_lower(in[k]);
		at += 1 + l;
	}
	return at < len ? at + 1 : len;
}

void sign_canon_rdata(uint16_t type, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t at = 0;

	memcpy(out, in, len);
	/* RFC 4034 6.2, as RFC 6840 5.1 leaves it (not NSEC); HINFO holds no name. */
	switch (type) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_MD:
	case LDNS_RR_TYPE_MF:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_MB:
	case LDNS_RR_TYPE_MG:
	case LDNS_RR_TYPE_MR:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
	case LDNS_RR_TYPE_NXT:
		lower_name(in, out, 0, len);
		break;
	case LDNS_RR_TYPE_SOA:
	case LDNS_RR_TYPE_MINFO:
	case LDNS_RR_TYPE_RP:
		lower_name(in, out, lower_name(in, out, 0, len), len);
		break;
	case LDNS_RR_TYPE_MX:
	case LDNS_RR_TYPE_AFSDB:
	case LDNS_RR_TYPE_RT:
	case LDNS_RR_TYPE_KX:
		lower_name(in, out, 2, len);
		break;
	case LDNS_RR_TYPE_PX:
		lower_name(in, out, lower_name(in, out, 2, len), len);
		break;
	case LDNS_RR_TYPE_SRV:
		lower_name(in, out, 6, len);
		break;
	case LDNS_RR_TYPE_SIG:
	case LDNS_RR_TYPE_RRSIG:
		lower_name(in, out, SIGN_RRSIG_FIXED, len);
		break;
	case LDNS_RR_TYPE_NAPTR:
		/* order, preference, then flags, services and regexp (character-strings) */
		at = 4;
		for (int s = 0; s < 3 && at < len; s++)
			at += 1u + in[at];
		lower_name(in, out, at, len);
		break;
	case LDNS_RR_TYPE_A6:
		/* prefix length, the address's suffix octets, the prefix's name (if any) */
		if (len > 0 && in[0] > 0 && in[0] <= 128)
			lower_name(in, out, 1u + (128u - in[0] + 7u) / 8u, len);
		break;
	default:
		break;
	}
}

/* What the sort compares with: the zone, room for two records' data in canonical form. */
typedef struct sort_arg {
	const zload_zone_t *z;
	uint8_t x[65536], y[65536];
} sort_arg_t;

/* Records I and J (same owner and type) in canonical RDATA order (RFC 4034 6.3). */
static int rdata_cmp(sort_arg_t *s, uint32_t i, uint32_t j)
{
	const zload_zone_t *z = s->z;
	const zload_rec_t *a = &z->recs[i], *b = &z->recs[j];
	size_t n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	int c;

	sign_canon_rdata(a->type, zload_rec_rdata(z, i), a->rdlen, s->x);
	sign_canon_rdata(b->type, zload_rec_rdata(z, j), b->rdlen, s->y);
	c = n > 0 ? memcmp(s->x, s->y, n) : 0;
	return c != 0 ? c : (a->rdlen > b->rdlen) - (a->rdlen < b->rdlen);
}

/*
 * The sort's key of a record: the first 8 octets of its owner's labels below the origin, last
 * label first, lower-cased, a zero octet after each label, in big-endian order. Their order is
 * the canonical order of the names as far as they go (no label of the zone holds a zero octet:
 * else every key is 0), and most comparisons end there.
 */
typedef struct sort_key {
	uint64_t head;
	uint32_t idx;
} sort_key_t;

/* KEY's head of the owner O (ORIGIN_LABELS labels of it the origin's); false: a zero octet. */
static bool head_of(const uint8_t *o, unsigned origin_labels, uint64_t *head)
{
	const uint8_t *lab[128];
	unsigned n = 0, at = 0;
	uint8_t out[8] = {0};
	bool ok = true;

	for (const uint8_t *p = o; *p != 0 && n < 128; p += *p + 1)
		lab[n++] = p;
	for (unsigned l = n > origin_labels ? n - origin_labels : 0; l-- > 0 && at < 8;) {
		for (unsigned k = 1; k <= lab[l][0]; k++) {
			uint8_t ch = wire_lower(lab[l][k]);

			ok = ok && ch != 0;
			if (at < 8)
				out[at++] = ch;
		}
		if (at < 8)
			out[at++] = 0;
	}
	memcpy(head, out, 8);
	*head = __builtin_bswap64(*head);
	return ok;
}

static int cmp_key(const void *pa, const void *pb, void *arg)
{
	const sort_key_t *a = pa, *b = pb;
	const zload_zone_t *z = ((sort_arg_t *)arg)->z;
	const zload_rec_t *ra, *rb;
	int c;

	if (a->head != b->head)
		return a->head < b->head ? -1 : 1;
	ra = &z->recs[a->idx];
	rb = &z->recs[b->idx];
	if (ra->owner != rb->owner) {
		c = wire_name_cmp_canonical(z->data + ra->owner, z->data + rb->owner);
		if (c != 0)
			return c;
	}
	if (ra->type != rb->type)
		return ra->type < rb->type ? -1 : 1;
	c = rdata_cmp(arg, a->idx, b->idx);
	if (c != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int sign_canon_order(const zload_zone_t *z, size_t n, unsigned apex_labels, uint32_t *out)
{
	sort_key_t *keys = malloc((n + 1) * sizeof(*keys));
	sort_arg_t *arg = malloc(sizeof(*arg));
	uint32_t last = UINT32_MAX;
	uint64_t head = 0;
	bool ok = true;

	if (keys == NULL || arg == NULL) {
		free(keys);
		free(arg);
		return -ENOMEM;
	}
	arg->z = z;
	/* Records in a row that share their owner's octets share the key's head. */
	for (size_t i = 0; i < n; i++) {
		if (z->recs[i].owner != last) {
			last = z->recs[i].owner;
			ok = head_of(z->data + last, apex_labels, &head) && ok;
		}
		keys[i] = (sort_key_t){head, (uint32_t)i};
	}
	for (size_t i = 0; !ok && i < n; i++)
		keys[i].head = 0;
	qsort_r(keys, n, sizeof(*keys), cmp_key, arg);
	for (size_t i = 0; i < n; i++)
		out[i] = keys[i].idx;
	free(arg);
	free(keys);
	return 0;
}

int sign_canon_sort(sign_ctx_t *c)
{
	const zload_zone_t *z = c->z;

	c->ordercap = z->nrecs + z->nrecs / 2 + 64;
	c->order = malloc(c->ordercap * sizeof(*c->order));
	if (c->order == NULL || sign_canon_order(z, z->nrecs, c->apex_labels, c->order) != 0)
		return -ENOMEM;
	c->norder = z->nrecs;
	return 0;
}

size_t sign_type_bitmap(const uint16_t *types, size_t ntypes, uint8_t *out)
{
	size_t len = 0, i = 0;

	while (i < ntypes) {
		uint8_t win = (uint8_t)(types[i] >> 8), bits[32] = {0}, nbits = 0;

		for (; i < ntypes && (uint8_t)(types[i] >> 8) == win; i++) {
			uint8_t low = (uint8_t)types[i];

			bits[low / 8] |= (uint8_t)(0x80u >> (low % 8));
			if (low / 8 + 1 > nbits)
				nbits = (uint8_t)(low / 8 + 1);
		}
		out[len++] = win;
		out[len++] = nbits;
		memcpy(out + len, bits, nbits);
		len += nbits;
	}
	return len;
}
