/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_index.h: the snapshot's name index and its one hash, shared by the build and the queries */
#ifndef ZT_INDEX_H
#define ZT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "wire.h"
#include "zt_pvt.h"

/*
 * The index's hash of a lower-cased wire name, taken 8 octets at a time: zt_hash_start(len),
 * zt_hash_word() for each whole word (as memcpy() reads it), zt_hash_last() for the rest of
 * the name as a little-endian number (octets past the name are zeros), zt_hash_end(). Every
 * hash of a name (zt_hash(), zt_hash_slack() and the query parse, which lower-cases and hashes
 * the question in one pass) is made of these steps, so that they cannot disagree.
 */
#ifdef __SSE4_2__
/*
 * CRC32-C over 8-octet words (one instruction each, as rte_hash does), the tail last; the
 * index takes the low bits, which CRC spreads well. DPDK on x86 needs SSE4.2 anyway.
 */
static inline uint64_t zt_hash_start(size_t len)
{
	return 0x9e3779b9u ^ len;
}

static inline uint64_t zt_hash_word(uint64_t h, uint64_t w)
{
	return _mm_crc32_u64(h, w);
}

static inline uint64_t zt_hash_last(uint64_t h, uint64_t w)
{
	return _mm_crc32_u64(h, w);
}

static inline uint64_t zt_hash_end(uint64_t h)
{
	return h;
}
#else
/* 64-bit multiply-xorshift over 8-byte words: names are short, this is a few ns. */
static inline uint64_t zt_hash_start(size_t len)
{
	return 0x9e3779b97f4a7c15ull ^ len;
}

static inline uint64_t zt_hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

static inline uint64_t zt_hash_last(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static inline uint64_t zt_hash_end(uint64_t h)
{
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}
#endif

/*
 * The hash of a lower-cased name of LEN octets. SLACK (a constant at every call): WIRE_SLACK
 * readable octets follow the name, so that its last word is read whole and masked rather than
 * assembled octet by octet.
 */
static inline uint64_t zt_hash_name(const uint8_t *key, size_t len, bool slack)
{
	const size_t words = len / 8, rest = len % 8;
	uint64_t h = zt_hash_start(len), w;

	for (size_t i = 0; i < words; i++) {
		memcpy(&w, key + 8 * i, 8);
		h = zt_hash_word(h, w);
	}
	if (rest != 0) {
		if (slack) {
			memcpy(&w, key + 8 * words, 8);
			w = WIRE_LE64(w) & (~0ull >> (64 - 8 * rest));
		} else {
			w = wire_load_tail(key + 8 * words, rest);
		}
		h = zt_hash_last(h, w);
	}
	return zt_hash_end(h);
}

/* The hash H folded to the 32 bits an index slot keeps of it (CRC32-C's are all of it). */
static inline uint32_t zt_index_tag(uint64_t h)
{
#ifdef __SSE4_2__
	return (uint32_t)h;
#else
	return (uint32_t)(h ^ (h >> 32));
#endif
}

/* 64-bit hash of a lower-cased wire name. */
static inline uint64_t zt_hash(const uint8_t *name, size_t len)
{
	return zt_hash_name(name, len, false);
}

/* The same for a name followed by WIRE_SLACK readable octets (the arena's, the query's key). */
static inline uint64_t zt_hash_slack(const uint8_t *key, size_t len)
{
	return zt_hash_name(key, len, true);
}

/* Exact lookup of a lower-cased wire name: node index or ZT_NONE. */
uint32_t zt_find(const zt_t *zt, const uint8_t *key, size_t len);

/*
 * The deepest node at or above the lower-cased wire name KEY (LEN octets): its index, or ZT_NONE
 * when no served zone holds the name. *AT is set to the suffix of KEY that node's name is.
 */
uint32_t zt_find_closest(const zt_t *zt, const uint8_t *key, size_t len, const uint8_t **at);

/*
 * zt_find() for a KEY followed by WIRE_SLACK octets of zeros (the query's key, and so every
 * suffix of it: query_parse_qname() writes them), whose hash H (zt_hash_slack) is known: names
 * are compared a word at a time, the node's last word masked (the arena's names are followed by
 * WIRE_SLACK readable octets), the key's read whole, never assembled octet by octet. The answer
 * engine's lookup.
 */
static inline uint32_t zt_find_slack_h(const zt_t *zt, const uint8_t *key, size_t len, uint64_t h)
{
	/* The octets of a last word that belong to the name, by how many there are (0: none). */
	static const uint64_t tail_mask[8] = {0,
					      0xffull,
					      0xffffull,
					      0xffffffull,
					      0xffffffffull,
					      0xffffffffffull,
					      0xffffffffffffull,
					      0xffffffffffffffull};
	const size_t words = len / 8;
	const uint64_t mask = tail_mask[len % 8];
	const uint32_t tag = zt_index_tag(h);
	uint64_t w, last;

	/* The key's last word: the rest of the name, zeros after it (all zeros when none). */
	memcpy(&last, key + 8 * words, 8);
	last = WIRE_LE64(last);
	for (uint32_t i = (uint32_t)h & zt->index_mask;; i = (i + 1) & zt->index_mask) {
		const zt_slot_t slot = zt->index[i];
		const zt_node_t *node;
		const uint8_t *name;
		size_t k;

		/* Another name's slot is passed without reading its node; an empty one ends it. */
		if (slot.tag != tag) {
			if (slot.node == ZT_NONE)
				return ZT_NONE;
			continue;
		}
		if (slot.node == ZT_NONE)
			return ZT_NONE;
		node = &zt->nodes[slot.node];
		if (node->name_len != len)
			continue;
		name = zt->arena + node->name;
		for (k = 0; k < words; k++) {
			uint64_t a;

			memcpy(&a, name + 8 * k, 8);
			memcpy(&w, key + 8 * k, 8);
			if (a != w)
				break;
		}
		if (k < words)
			continue;
		memcpy(&w, name + 8 * words, 8);
		if ((WIRE_LE64(w) & mask) != last)
			continue;
		return slot.node;
	}
}

static inline uint32_t zt_find_slack(const zt_t *zt, const uint8_t *key, size_t len)
{
	return zt_find_slack_h(zt, key, len, zt_hash_slack(key, len));
}

/* ---- building the index (the compiler only) ---- */

/* Puts node N (not yet in it) into the index, which has room. */
void zt_index_insert(zt_t *zt, uint32_t n);

/*
 * Makes the index the size for WANT_NODES nodes and puts every node of the snapshot back in it
 * (but parent-side ones: ZN_SHADOW). 0 or -ENOMEM.
 */
int zt_index_resize(zt_t *zt, uint32_t want_nodes);

/* Points the slot of node OLD's name at node N (same name). False: OLD is not in the index. */
bool zt_index_replace(zt_t *zt, uint32_t old, uint32_t n);

/* Takes node OLD out of the index (zt_patch()). False: it is not in it. */
bool zt_index_remove(zt_t *zt, uint32_t old);

/*
 * Room for one more name in an index that holds only some of the snapshot's nodes (a patch's:
 * the store's other nodes are older versions or other snapshots'): when it is half full it
 * doubles, the names it holds put back (never every node, as zt_index_resize() would). 0 or
 * -ENOMEM.
 */
int zt_index_room(zt_t *zt);

/* Whether one more node needs a larger index first (it is kept at most half full). */
static inline bool zt_index_full(const zt_t *zt)
{
	return (zt->nnodes + 1) * 2u > zt->index_mask + 1u;
}

#endif
