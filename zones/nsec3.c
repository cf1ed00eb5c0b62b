/* SPDX-License-Identifier: BSD-3-Clause */
/* nsec3.c: a zone's NSEC3 chain: hashed names (RFC 5155 5), matching and covering owners */
/* SHA1_Init() and its kin: deprecated by OpenSSL 3 for EVP, which allocates a context. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "b32hex.h"
#include "nsec3.h"
#include "wire.h"

_Static_assert(NSEC3_HASH_LEN == SHA_DIGEST_LENGTH, "an NSEC3 hash is SHA-1's");

/*
 * SHA-1 (FIPS 180-4) of the N octets (at most 55: one block) at the start of BLOCK, its other
 * octets 0, into MD: the block padded in place and compressed by OpenSSL's SHA1_Transform(),
 * the same compression SHA1_Final() runs, without its buffering and the wiping of the context
 * (a third of a name's hash on the answer path), from the state SHA1_Init() sets.
 */
static void sha1_block(uint8_t block[SHA_CBLOCK], size_t n, uint8_t md[SHA_DIGEST_LENGTH])
{
	SHA_CTX c = {.h0 = 0x67452301u,
		     .h1 = 0xefcdab89u,
		     .h2 = 0x98badcfeu,
		     .h3 = 0x10325476u,
		     .h4 = 0xc3d2e1f0u};

	block[n] = 0x80;
	block[SHA_CBLOCK - 2] = (uint8_t)(n >> 5);
	block[SHA_CBLOCK - 1] = (uint8_t)(n << 3);
	SHA1_Transform(&c, block);
	wire_put32(md, c.h0);
	wire_put32(md + 4, c.h1);
	wire_put32(md + 8, c.h2);
	wire_put32(md + 12, c.h3);
	wire_put32(md + 16, c.h4);
}

/* SHA-1 of the N octets at P into MD, however long. */
static void sha1_any(const uint8_t *p, size_t n, uint8_t md[SHA_DIGEST_LENGTH])
{
	SHA_CTX c;

	if (n <= SHA_CBLOCK - 9) {
		uint8_t block[SHA_CBLOCK] = {0};

		memcpy(block, p, n);
		sha1_block(block, n, md);
		return;
	}
	SHA1_Init(&c);
	SHA1_Update(&c, p, n);
	SHA1_Final(md, &c);
}

/*
 * The hash of NAME (RFC 5155 5; LEN octets, lower case): IH(0) = H(owner | salt), IH(k) =
 * H(IH(k-1) | salt). A name and salt within one block (a question's, mostly) are written
 * into it directly.
 */
static void hash_lower(const zt_zone_t *zone, const uint8_t *name, size_t len,
		       uint8_t md[SHA_DIGEST_LENGTH])
{
	uint8_t buf[WIRE_NAME_MAX + 1 + 255];

	/*
	 * OpenSSL's SHA-1 with its context on the stack: the one-shot SHA1() and EVP allocate a
	 * context each call, and the answer path never allocates (libldns's portable SHA-1 costs a
	 * fifth more).
	 */
	if (len + zone->n3saltlen <= SHA_CBLOCK - 9) {
		uint8_t block[SHA_CBLOCK] = {0};

		memcpy(block, name, len);
		memcpy(block + len, zone->n3salt, zone->n3saltlen);
		sha1_block(block, len + zone->n3saltlen, md);
	} else {
		memcpy(buf, name, len);
		memcpy(buf + len, zone->n3salt, zone->n3saltlen);
		sha1_any(buf, len + zone->n3saltlen, md);
	}
	for (unsigned k = 0; k < zone->n3iter; k++) {
		memcpy(buf, md, SHA_DIGEST_LENGTH);
		memcpy(buf + SHA_DIGEST_LENGTH, zone->n3salt, zone->n3saltlen);
		sha1_any(buf, SHA_DIGEST_LENGTH + zone->n3saltlen, md);
	}
}

/* The hash of NAME in any case. */
static void hash_name(const zt_zone_t *zone, const uint8_t *name, uint8_t md[SHA_DIGEST_LENGTH])
{
	uint8_t low[WIRE_NAME_MAX + 1];

	hash_lower(zone, low, wire_name_lower(low, name), md);
}

void nsec3_hash_label(const zt_zone_t *zone, const uint8_t *name, uint8_t out[NSEC3_LABEL_LEN])
{
	uint8_t md[SHA_DIGEST_LENGTH];

	hash_name(zone, name, md);
	b32hex_sha1(md, out);
}

/* The first label of NSEC3 owner node N (NSEC3_LABEL_LEN octets: nsec3_zone() keeps no other). */
static const uint8_t *owner_label(const zt_t *zt, uint32_t n)
{
	return zt->arena + zt->nodes[n].name + 1;
}

static int cmp_owner(const void *a, const void *b, void *ctx)
{
	return memcmp(owner_label(ctx, *(const uint32_t *)a),
		      owner_label(ctx, *(const uint32_t *)b), NSEC3_LABEL_LEN);
}

/* nsec3_label_prefix() of the label of the hash MD: its first 5 octets' 8 base32hex digits. */
static inline uint64_t md_prefix(const uint8_t md[SHA_DIGEST_LENGTH])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	uint64_t v = 0, p = 0;

	for (int k = 0; k < 5; k++)
		v = (v << 8) | md[k];
	for (int k = 7; k >= 0; k--)
		p = (p << 8) | (uint8_t)digits[(v >> (5 * k)) & 31];
	return p;
}

/*
 * Buckets of at most this many owners are searched by a count of the prefixes below the hash's
 * over as many entries, without a branch on what they hold: a binary search's branches are the
 * hash's, which the CPU cannot predict.
 */
#define N3_SCAN_MAX 16

/*
 * The position in the chain (zone->nsec3) of the owner with the greatest label at or before the
 * label of hash MD (wrapping around), ZT_NONE for an empty chain; *EXACT if equal. The search
 * compares the labels' prefixes (n3pre); their whole labels only where the prefixes are equal.
 */
static uint32_t chain_find(const zt_t *zt, const zt_zone_t *zone,
			   const uint8_t md[SHA_DIGEST_LENGTH], bool *exact)
{
	uint32_t lo = 0, hi = zone->nnsec3;
	uint64_t qp = md_prefix(md);
	uint8_t label[NSEC3_LABEL_LEN];
	bool have = false;

	*exact = false;
	if (zone->nnsec3 == 0)
		return ZT_NONE;
	/* The hashes are uniform: the bucket of the first bits holds a few owners. */
	if (zone->n3bkt != NULL) {
		uint32_t top = ((uint32_t)md[0] << 7 | md[1] >> 1) >> (15 - zone->n3bits);

		lo = zone->n3bkt[top];
		hi = zone->n3bkt[top + 1];
	}
	if (zone->n3bkt != NULL && zone->n3maxb <= N3_SCAN_MAX) {
		uint32_t below = 0, last = zone->nnsec3 - 1;

		for (uint32_t k = 0; k < zone->n3maxb; k++) {
			uint32_t i = lo + k, j = i < last ? i : last;

			below += (uint32_t)(i < hi) & (uint32_t)(zone->n3pre[j] < qp);
		}
		lo += below;
		/* Owners whose prefix is the hash's (next to never): their whole labels. */
		while (lo < hi && zone->n3pre[lo] == qp) {
			if (!have)
				b32hex_sha1(md, label);
			have = true;
			if (memcmp(owner_label(zt, zone->nsec3[lo]), label, NSEC3_LABEL_LEN) > 0)
				break;
			lo++;
		}
		hi = lo;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t mp = zone->n3pre[mid];
		bool le = mp < qp;

		if (mp == qp) {
			if (!have)
				b32hex_sha1(md, label);
			have = true;
			le = memcmp(owner_label(zt, zone->nsec3[mid]), label, NSEC3_LABEL_LEN) <= 0;
		}
		if (le)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return zone->nnsec3 - 1;
	if (zone->n3pre[lo - 1] == qp) {
		if (!have)
			b32hex_sha1(md, label);
		*exact = memcmp(owner_label(zt, zone->nsec3[lo - 1]), label, NSEC3_LABEL_LEN) == 0;
	}
	return lo - 1;
}

uint32_t nsec3_lookup(const zt_t *zt, const zt_zone_t *zone, const uint8_t *name, uint32_t *cover)
{
	uint8_t md[SHA_DIGEST_LENGTH];
	bool exact;
	uint32_t n;

	hash_name(zone, name, md);
	n = chain_find(zt, zone, md, &exact);
	n = n != ZT_NONE ? zone->nsec3[n] : ZT_NONE;
	if (cover != NULL)
		*cover = exact ? ZT_NONE : n;
	return exact ? n : ZT_NONE;
}

/* The value of base32hex digit C, or -1. */
static int digit(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'v' ? c - 'a' + 10 : -1;
}

/* The value of digit K (0..7) of prefix PRE (nsec3_label_prefix()), or -1 when not base32hex. */
static int pre_digit(uint64_t pre, int k)
{
	return digit((uint8_t)(pre >> (56 - 8 * k)));
}

int nsec3_buckets(zt_t *zt, zt_zone_t *zone)
{
	unsigned bits = 0;
	uint32_t nb, i = 0;

	free(zone->n3bkt);
	zone->n3bkt = NULL;
	while (bits < 15 && (2u << bits) <= zone->nnsec3)
		bits++;
	for (uint32_t k = 0; k < zone->nnsec3 && bits > 0; k++) {
		uint64_t pre = zone->n3pre[k];

		if (pre_digit(pre, 0) < 0 || pre_digit(pre, 1) < 0 || pre_digit(pre, 2) < 0)
			bits = 0;
	}
	zone->n3bits = (uint8_t)bits;
	zone->n3maxb = 0;
	if (bits == 0)
		return 0;
	nb = 1u << bits;
	zone->n3bkt = malloc((nb + 1u) * sizeof(uint32_t));
	if (zone->n3bkt == NULL)
		return -ENOMEM;
	for (uint32_t b = 0; b <= nb; b++) {
		while (i < zone->nnsec3) {
			uint64_t pre = zone->n3pre[i];
			uint32_t top = (uint32_t)(pre_digit(pre, 0) << 10 | pre_digit(pre, 1) << 5 |
						  pre_digit(pre, 2));

			if (top >> (15 - bits) >= b)
				break;
			i++;
		}
		zone->n3bkt[b] = i;
		if (b > 0) {
			uint32_t size = i - zone->n3bkt[b - 1];

			if (size > zone->n3maxb)
				zone->n3maxb = (uint8_t)(size < 255 ? size : 255);
		}
	}
	zt->memsize += (nb + 1u) * sizeof(uint32_t);
	return 0;
}

/* The NSEC3PARAM at zone Z's apex: its hash's parameters. False if none (or not SHA-1). */
static bool zone_params(zt_t *zt, zt_zone_t *zone)
{
	const zt_node_t *apex = &zt->nodes[zone->apex];

	for (uint32_t i = apex->rrsets; i < apex->rrsets + apex->nrrsets; i++) {
		const zt_rrset_t *s = &zt->rrsets[i];
		const uint8_t *rd = zt->arena + s->data + 2;
		uint16_t rdlen = wire_get16(zt->arena + s->data);

		if (s->type != T_NSEC3PARAM || s->count == 0 || rdlen < 5 || rd[0] != 1 ||
		    rdlen < 5u + rd[4])
			continue;
		zone->n3iter = wire_get16(rd + 2);
		zone->n3saltlen = rd[4];
		memcpy(zone->n3salt, rd + 5, rd[4]);
		return true;
	}
	return false;
}

bool nsec3_is_owner(const zt_t *zt, uint32_t n, const uint8_t *apex, size_t alen)
{
	const zt_node_t *node = &zt->nodes[n];
	const uint8_t *name = zt->arena + node->name;

	if (name[0] != NSEC3_LABEL_LEN || node->name_len != 1u + NSEC3_LABEL_LEN + alen ||
	    memcmp(name + 1 + NSEC3_LABEL_LEN, apex, alen) != 0)
		return false;
	for (uint32_t i = node->rrsets; i < node->rrsets + node->nrrsets; i++)
		if (zt->rrsets[i].type == T_NSEC3)
			return true;
	return false;
}

void nsec3_facts(const zt_t *zt, const zt_zone_t *zone, uint32_t n, uint32_t out[2])
{
	const zt_node_t *node = &zt->nodes[n];
	uint8_t wild[WIRE_NAME_MAX + 1];
	uint32_t cover = ZT_NONE;

	out[0] = out[1] = ZT_NONE;
	/* NSEC3 owners and names below a cut are in no chain; a cut is (or opts out). */
	if (node->zone != (uint32_t)(zone - zt->zones) ||
	    ((node->flags & ZN_SHADOW) && !(node->flags & ZN_CUT)) ||
	    (node->deleg != ZT_NONE && node->deleg != n))
		return;
	out[0] = nsec3_lookup(zt, zone, zt->arena + node->name, NULL);
	if (node->name_len + 2u > WIRE_NAME_MAX + 1u)
		return;
	wild[0] = 1;
	wild[1] = '*';
	memcpy(wild + 2, zt->arena + node->name, node->name_len);
	nsec3_lookup(zt, zone, wild, &cover);
	out[1] = cover;
}

/* Each name's facts: the owner matching its hash, the one covering its wildcard's. */
static void node_facts(zt_t *zt, zt_zone_t *zone)
{
	for (uint32_t i = 0; i < zone->n3count; i++)
		nsec3_facts(zt, zone, zone->n3base + i, zone->n3 + 2 * i);
}

int nsec3_zone(zt_t *zt, uint32_t z)
{
	zt_zone_t *zone = &zt->zones[z];
	const zt_node_t *apex = &zt->nodes[zone->apex];
	uint32_t lo = UINT32_MAX, hi = 0, nn = 0;

	free(zone->nsec3);
	free(zone->n3);
	free(zone->n3pre);
	free(zone->n3bkt);
	zone->nsec3 = zone->n3 = zone->n3bkt = NULL;
	zone->n3pre = NULL;
	zone->n3bits = 0;
	zone->nnsec3 = zone->n3count = 0;
	zone->has_nsec3 = zone_params(zt, zone);
	if (!zone->has_nsec3)
		return 0;
	for (uint32_t n = 0; n < zt->nnodes; n++) {
		if (zt->nodes[n].zone != z)
			continue;
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
		nn += nsec3_is_owner(zt, n, zt->arena + apex->name, apex->name_len);
	}
	zone->n3base = lo;
	zone->n3count = hi - lo + 1;
	zone->nsec3 = malloc((nn ? nn : 1) * sizeof(uint32_t));
	zone->n3 = malloc(2u * zone->n3count * sizeof(uint32_t));
	if (zone->nsec3 == NULL || zone->n3 == NULL) {
		zone->has_nsec3 = false;
		return -ENOMEM;
	}
	for (uint32_t n = lo; n <= hi; n++)
		if (zt->nodes[n].zone == z &&
		    nsec3_is_owner(zt, n, zt->arena + apex->name, apex->name_len))
			zone->nsec3[zone->nnsec3++] = n;
	qsort_r(zone->nsec3, zone->nnsec3, sizeof(uint32_t), cmp_owner, zt);
	zone->n3pre = malloc((zone->nnsec3 ? zone->nnsec3 : 1) * sizeof(uint64_t));
	if (zone->n3pre == NULL) {
		zone->has_nsec3 = false;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < zone->nnsec3; i++)
		zone->n3pre[i] = nsec3_label_prefix(owner_label(zt, zone->nsec3[i]));
	if (nsec3_buckets(zt, zone) != 0) {
		zone->has_nsec3 = false;
		return -ENOMEM;
	}
	zt->memsize += (zone->nnsec3 + 2u * zone->n3count) * sizeof(uint32_t) +
		       zone->nnsec3 * sizeof(uint64_t);
	node_facts(zt, zone);
	return 0;
}

void nsec3_hash_lower(const zt_zone_t *zone, const uint8_t *name, size_t len,
		      uint8_t md[NSEC3_HASH_LEN])
{
	hash_lower(zone, name, len, md);
}

uint32_t nsec3_cover_md(const zt_t *zt, const zt_zone_t *zone, const uint8_t md[NSEC3_HASH_LEN])
{
	bool exact;
	uint32_t i = chain_find(zt, zone, md, &exact);

	return exact || i == ZT_NONE ? ZT_NONE : zone->nsec3[i];
}

uint32_t nsec3_cover_pos(const zt_t *zt, const zt_zone_t *zone, const uint8_t md[NSEC3_HASH_LEN])
{
	bool exact;
	uint32_t i = chain_find(zt, zone, md, &exact);

	return exact ? ZT_NONE : i;
}

uint32_t nsec3_cover_lower(const zt_t *zt, const zt_zone_t *zone, const uint8_t *name, size_t len)
{
	uint8_t md[NSEC3_HASH_LEN];

	hash_lower(zone, name, len, md);
	return nsec3_cover_md(zt, zone, md);
}
