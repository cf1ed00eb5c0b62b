/* SPDX-License-Identifier: BSD-3-Clause */
/* denial_keys.c: NSEC owners' canonical keys, and the owner that covers a name searched on them */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "denial.h"
#include "denial_keys.h"
#include "wire.h"
#include "zt_spare.h"

/* Whether one of the N octets at P is 0 or 1 (they are escaped); P is readable 8 octets on. */
static inline bool has_low(const uint8_t *p, unsigned n)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;

	for (unsigned o = 0; o < n; o += 8) {
		uint64_t v;

		memcpy(&v, p + o, 8);
		if (n - o < 8)
			v |= ~0ull << (8 * (n - o)); /* past the label: taken as 0xff */
		v &= ~ones;			     /* 0 and 1 become 0, no other octet does */
		if (((v - ones) & ~v & high) != 0)
			return true;
	}
	return false;
}

size_t denial_canon_key(uint8_t *out, const uint8_t *name, size_t rel, uint16_t *bnd,
			const uint8_t **below)
{
	const uint8_t *lab[128];
	unsigned n = 0, i = 0;
	size_t len = 0;

	for (const uint8_t *p = name; p < name + rel && *p != 0 && n < 128; p += *p + 1)
		lab[n++] = p;
	if (below != NULL)
		*below = n > 0 ? lab[n - 1] : NULL;
	if (bnd != NULL)
		bnd[0] = 0;
	while (n > 0) {
		const uint8_t *l = lab[--n];

		if (__builtin_expect(!has_low(l + 1, l[0]), 1)) {
			for (unsigned o = 0; o < l[0]; o += 8)
				memcpy(out + len + o, l + 1 + o, 8);
			len += l[0];
		} else {
			for (unsigned j = 1; j <= l[0]; j++) {
				if (l[j] <= 1) {
					out[len++] = 1;
					out[len++] = (uint8_t)(l[j] + 1);
				} else {
					out[len++] = l[j];
				}
			}
		}
		out[len++] = 0;
		if (bnd != NULL)
			bnd[++i] = (uint16_t)len;
	}
	return len;
}

/* denial_canon_key() of NAME in any case, wherever it is. */
static size_t canon_key_any(uint8_t *out, const uint8_t *name)
{
	uint8_t low[WIRE_NAME_MAX + 1 + 8];

	return denial_canon_key(out, low, wire_name_lower(low, name) - 1, NULL, NULL);
}

/* The 8 octets of KEY from FROM on (0 past its end) as a number: they order as memcmp does. */
static inline uint64_t key_prefix(const uint8_t *key, size_t klen, size_t from)
{
	uint64_t v = 0;

	if (klen <= from)
		return 0;
	memcpy(&v, key + from, 8); /* the key has room past its end (denial_canon_key()) */
	v = __builtin_bswap64(v);
	return klen - from >= 8 ? v : v & ~0ull << (8 * (8 - (klen - from)));
}

/* Zone Z's keys taken out (a patch's copy of a zone has none of its own yet). */
static void keys_free(zt_zone_t *zone)
{
	zt_big_free(zone->nsec_keys);
	zt_big_free(zone->nsec_koff);
	zt_big_free(zone->nsec_pre);
	zone->nsec_keys = NULL;
	zone->nsec_koff = NULL;
	zone->nsec_pre = NULL;
	zone->nsec_first = NULL;
}

/* Room for zone Z's N keys and their offsets and prefixes (with the table by first octet). */
static bool keys_alloc(const zt_zone_t *zone, size_t cap, uint8_t **keys, uint32_t **off,
		       uint64_t **pre)
{
	*keys = zt_big_alloc(cap + 8);
	*off = zt_big_alloc((zone->nnsec + 1u) * sizeof(**off));
	/* The prefixes, then the table by their first octet (nsec_first). */
	*pre = zt_big_alloc(zone->nnsec * sizeof(**pre) + NSEC_FIRST_LEN * sizeof(uint32_t));
	if (*keys == NULL || *off == NULL || *pre == NULL) {
		zt_big_free(*keys);
		zt_big_free(*off);
		zt_big_free(*pre);
		return false;
	}
	return true;
}

/* Zone Z's LEN octets of KEYS, their offsets and prefixes set, the table by first octet made. */
static void keys_set(zt_t *zt, zt_zone_t *zone, uint8_t *keys, size_t len, uint32_t *off,
		     uint64_t *pre)
{
	/* Room made for more (a key made is at most twice its name) stays: on a mapping its
	 * pages never written cost nothing, and a patch's copy of the keys is exact. */
	off[zone->nnsec] = (uint32_t)len;
	zone->nsec_keys = keys;
	zone->nsec_koff = off;
	zone->nsec_pre = pre;
	zone->nsec_first = (uint32_t *)(void *)(pre + zone->nnsec);
	/* In canonical order the first octets never go down: each one's run starts where the
	 * octets below it end. */
	for (uint32_t c = 0, i = 0; c < NSEC_FIRST_LEN; c++) {
		while (i < zone->nnsec && pre[i] >> 56 < c)
			i++;
		zone->nsec_first[c] = i;
	}
	zt->memsize += len + (zone->nnsec + 1u) * sizeof(*off) + zone->nnsec * sizeof(*pre) +
		       NSEC_FIRST_LEN * sizeof(uint32_t);
}

/* Owner I of zone Z's key made at KEYS + LEN: its length, its offset and prefix set. */
static size_t key_make(zt_t *zt, zt_zone_t *zone, uint32_t i, uint8_t *keys, size_t len,
		       uint32_t *off, uint64_t *pre)
{
	size_t klen = canon_key_any(keys + len, zt_node_name(zt, &zt->nodes[zone->nsec[i]]));

	off[i] = (uint32_t)len;
	pre[i] = key_prefix(keys + len, klen, zone->nsec_kbase);
	return klen;
}

int denial_keys(zt_t *zt, uint32_t z)
{
	return denial_keys_from(zt, z, NULL, NULL);
}

int denial_keys_from(zt_t *zt, uint32_t z, const zt_zone_t *old, const uint32_t *from)
{
	zt_zone_t *zone = &zt->zones[z];
	size_t cap = 0, len = 0;
	uint8_t *keys, apex[KEY_MAX];
	uint32_t *off;
	uint64_t *pre;

	keys_free(zone);
	if (zone->nnsec == 0)
		return 0;
	/* Every key of the zone begins with the apex's: the prefixes are taken after it. */
	zone->nsec_kbase = (uint16_t)canon_key_any(apex, zt_node_name(zt, &zt->nodes[zone->apex]));
	/* Keys after another apex's (another length), or none to copy: all made. */
	if (old == NULL || old->nsec_keys == NULL || old->nnsec == 0 ||
	    old->nsec_kbase != zone->nsec_kbase)
		from = NULL;
	for (uint32_t i = 0; i < zone->nnsec; i++)
		cap += from == NULL || from[i] == ZT_NONE
			   ? 2u * zt->nodes[zone->nsec[i]].name_len
			   : old->nsec_koff[from[i] + 1] - old->nsec_koff[from[i]];
	if (!keys_alloc(zone, cap, &keys, &off, &pre))
		return -ENOMEM;
	for (uint32_t i = 0, j; i < zone->nnsec; i = j) {
		uint32_t s = from != NULL ? from[i] : ZT_NONE, base;

		if (s == ZT_NONE) {
			len += key_make(zt, zone, i, keys, len, off, pre);
			j = i + 1;
			continue;
		}
		/* OLD's owners s, s + 1, ... in a row: their keys one copy, offsets moved. */
		for (j = i + 1; j < zone->nnsec && from[j] == s + (j - i); j++)
			;
		base = old->nsec_koff[s];
		memcpy(keys + len, old->nsec_keys + base, old->nsec_koff[s + (j - i)] - base);
		memcpy(pre + i, old->nsec_pre + s, (j - i) * sizeof(*pre));
		for (uint32_t k = i; k < j; k++)
			off[k] = (uint32_t)len + (old->nsec_koff[s + (k - i)] - base);
		len += old->nsec_koff[s + (j - i)] - base;
	}
	keys_set(zt, zone, keys, len, off, pre);
	return 0;
}

/*
 * The index in zone->nsec of the NSEC owner with the greatest key at or before KEY, wrapping
 * around to the last (the zone has NSEC owners). KEY is a name's of the zone without the apex's
 * (denial_canon_key() of the labels before the apex's).
 */
static uint32_t cover_idx(const zt_zone_t *z, const uint8_t *key, size_t klen)
{
	/* Only the keys that begin as KEY does are compared: those before them are less. */
	uint32_t lo = z->nsec_first[klen != 0 ? key[0] : 0],
		 hi = z->nsec_first[klen != 0 ? key[0] + 1 : 1];
	uint64_t qp = key_prefix(key, klen, 0);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t mp = z->nsec_pre[mid];
		bool le;

		if (mp != qp) {
			le = mp < qp;
		} else {
			size_t ml = z->nsec_koff[mid + 1] - z->nsec_koff[mid] - z->nsec_kbase;
			int c = memcmp(z->nsec_keys + z->nsec_koff[mid] + z->nsec_kbase, key,
				       ml < klen ? ml : klen);

			le = c < 0 || (c == 0 && ml <= klen);
		}
		if (le)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? z->nnsec - 1 : lo - 1;
}

uint32_t denial_cover_key(const zt_zone_t *z, const uint8_t *key, size_t klen)
{
	return z->nnsec == 0 ? ZT_NONE : z->nsec[cover_idx(z, key, klen)];
}

uint32_t denial_nsec_cover(const zt_t *zt, const zt_zone_t *z, const uint8_t *name)
{
	uint8_t key[KEY_MAX], low[WIRE_NAME_MAX + 1 + 8];

	if (z->nsec_keys == NULL)
		return ZT_NONE;
	return denial_cover_key(
	    z, key,
	    denial_canon_key(key, low, wire_name_lower(low, name) - zt->nodes[z->apex].name_len,
			     NULL, NULL));
}

bool denial_soa_label(const zt_zone_t *z, const uint8_t *lab)
{
	if (lab == NULL)
		return false;
	for (int i = 0; i < 2; i++)
		if (z->nx_soa_lab[i][0] != 0 && z->nx_soa_lab[i][0] == *lab &&
		    memcmp(z->nx_soa_lab[i] + 1, lab + 1, *lab) == 0)
			return true;
	return false;
}

uint32_t denial_blob_cover(const zt_t *zt, const struct zt_query *q, uint32_t ce, size_t rel,
			   const uint8_t *below, int *delta, uint64_t *id)
{
	const zt_zone_t *z = &zt->zones[zt->nodes[ce].zone];
	const uint32_t *e;
	uint8_t key[KEY_MAX];
	uint32_t i = cover_idx(z, key, denial_canon_key(key, q->key, rel, NULL, NULL));

	/* Its blobs: the encloser, the qtype (0: any; DENIAL_WILD_NODATA), the blob, what it
	 * answers. */
	e = denial_blob_line(z, z->nxb_idx[i], z->nxb_idx[i + 1], ce, q->qtype);
	if (e == NULL)
		return ZT_NONE;
	/* NXDOMAIN (or a wildcard's NODATA) at the apex: the question's label below it may be one
	 * the SOA's names
	 * compress to (below any other encloser that label is the encloser's, seen when the blob
	 * was made). */
	if ((e[1] == 0 || e[1] == DENIAL_WILD_NODATA) && ce == z->apex &&
	    denial_soa_label(z, below))
		return ZT_NONE;
	return denial_blob_at(zt, q, e, delta, id);
}
