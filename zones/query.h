/* SPDX-License-Identifier: BSD-3-Clause */
/* query.h: the question of a query, read in one pass: lower-cased and hashed for the index */
#ifndef QUERY_H
#define QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "wire.h"
#include "zt_index.h"

/* The query as one pass over it found it: the question (here) and its EDNS facts (edns.h). */
struct zt_query {
	const uint8_t *qname; /* in the query, original case */
	size_t qname_len;
	uint8_t key[WIRE_NAME_MAX + 1 + WIRE_SLACK]; /* lower-cased; slack for zt_find_slack() */
	uint64_t hash; /* zt_hash_slack() of key, computed while it was copied */
	uint16_t qtype;
	uint16_t qclass;
	bool has_question;
	uint8_t edns; /* 0: no OPT; else the octets our OPT takes (EDNS_OPT_LEN, more: options) */
	bool dnssec;
	uint8_t edns_version;
	uint16_t payload;
	uint8_t rcode; /* an error found while parsing (FORMERR...) or 0 */
	bool tsig;     /* the last additional record is a TSIG (RFC 8945): the caller verifies */
	/* Set only past the common path (edns_parse_records(), edns_settle()); read when edns says
	 * our OPT carries options. */
	uint8_t opts;	    /* EDNS_Q_* (edns.h): the options asked for */
	uint8_t cookie_len; /* octets in cookie[]: client cookie, then server cookie */
	uint8_t cookie[40];
};

#ifdef __SSE4_2__
/* Sixteen octets lower-cased at once: 'A'..'Z' moved to -128..-103 are the only ones below -102. */
static inline __m128i query_lower16(__m128i v)
{
	const __m128i t = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'A')));
	const __m128i upper = _mm_cmplt_epi8(t, _mm_set1_epi8((char)(-128 + 26)));

	return _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}
#endif

/*
 * The LEN octets of a name at START (inside the message, whose LEFT octets from START are
 * readable) lower-cased into KEY, 8 zeros after it (zt_find_slack_h()); returns its hash
 * (zt_hash_slack() of KEY), taken from the words as they go by.
 */
static inline uint64_t query_lower_hash(uint8_t *key, const uint8_t *start, size_t len, size_t left)
{
	uint64_t h = zt_hash_start(len), w;
	size_t i = 0;

#ifdef __SSE4_2__
	/*
	 * Sixteen octets at a time; the last sixteen of the name overlap what came before (lowering
	 * twice changes nothing), or a short name is read with what follows it in the message.
	 */
	if (len >= 16 || left >= 16) {
		__m128i v;
		uint64_t lo;
		size_t r;

		for (; i + 16 <= len; i += 16) {
			v = query_lower16(
			    _mm_loadu_si128((const __m128i *)(const void *)(start + i)));
			_mm_storeu_si128((__m128i *)(void *)(key + i), v);
			h = zt_hash_word(h, (uint64_t)_mm_cvtsi128_si64(v));
			h = zt_hash_word(h, (uint64_t)_mm_extract_epi64(v, 1));
		}
		r = len - i;
		if (r != 0) {
			/*
			 * R < 16 octets left: the 16 that end the name (or start it, when shorter),
			 * SKIP of them hashed already. Its last R moved down to the vector's start
			 * and what follows them zeroed (two windows on the tables: a shuffle, a
			 * mask), the rest of the name as zt_hash_last() takes it, without shifting
			 * words.
			 */
			static const uint8_t shift[32] = {
			    0,	  1,	2,    3,    4,	  5,	6,    7,    8,	  9,	10,
			    11,	  12,	13,   14,   15,	  0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
			    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
			static const uint8_t keep[32] = {
			    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			    0xff, 0xff, 0xff, 0xff, 0xff, 0,	0,    0,    0,	  0,	0,
			    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0};
			const size_t from = len >= 16 ? len - 16 : 0;
			const size_t skip = i - from; /* octets of v before octet I */
			__m128i t;

			v = query_lower16(
			    _mm_loadu_si128((const __m128i *)(const void *)(start + from)));
			_mm_storeu_si128((__m128i *)(void *)(key + from), v);
			t = _mm_shuffle_epi8(
			    v, _mm_loadu_si128((const __m128i *)(const void *)(shift + skip)));
			t = _mm_and_si128(
			    t, _mm_loadu_si128((const __m128i *)(const void *)(keep + 16 - r)));
			lo = (uint64_t)_mm_cvtsi128_si64(t);
			if (r >= 8) {
				h = zt_hash_word(h, lo);
				if (r > 8)
					h = zt_hash_last(h, (uint64_t)_mm_extract_epi64(t, 1));
			} else {
				h = zt_hash_last(h, lo);
			}
		}
		memset(key + len, 0, 8);
		return zt_hash_end(h);
	}
#else
	(void)left;
#endif
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, start + i, 8);
		w = wire_lower8(w);
		memcpy(key + i, &w, 8);
		h = zt_hash_word(h, w);
	}
	if (i < len) {
		const unsigned rest = (unsigned)(len - i);

		if (len >= 8) {
			/* The last 8 octets of the name, shifted down to its last REST. */
			memcpy(&w, start + len - 8, 8);
			w = wire_lower8(WIRE_LE64(w)) >> (8 * (8 - rest));
		} else {
			w = wire_lower8(wire_load_tail(start, rest));
		}
		/* The rest as a little-endian number (the octets past the name as zeros). */
		h = zt_hash_last(h, w);
		w = WIRE_LE64(w);
		memcpy(key + i, &w, 8);
	}
	memset(key + len, 0, 8);
	return zt_hash_end(h);
}

/*
 * Reads the question name at the cursor (no compression) into q->qname and q->key, and its
 * hash into q->hash; false when it is not a valid name inside the message.
 */
static inline bool query_parse_qname(wire_ctx_t *c, struct zt_query *q)
{
	const uint8_t *start = c->pos;
	const size_t left = wire_ctx_left(c);
	/* The root label at octet WIRE_NAME_MAX - 1 at the latest: a name of 255 octets at most. */
	const size_t end = left < WIRE_NAME_MAX ? left : WIRE_NAME_MAX;
	size_t len = 0;

	/*
	 * The label lengths first: a question name is the first name, it cannot point back. The
	 * walk stays inside the message and the longest name at once (END). One test a label for
	 * both the root label and a length over 63 (or a pointer).
	 */
	if (end == 0)
		return false;
	for (;;) {
		const uint8_t l = start[len];

		if ((uint8_t)(l - 1) >= WIRE_LABEL_MAX) {
			if (l == 0)
				break;
			return false;
		}
		len += (size_t)l + 1;
		if (len >= end)
			return false;
	}
	len++; /* the root label */
	/*
	 * Every octet up to the root label was inside the message: copy it lower-cased, and hash
	 * the words as they go by (the index's hash, zt_hash_slack(), without reading them again).
	 */
	q->hash = query_lower_hash(q->key, start, len, left);
	q->qname = start;
	q->qname_len = len;
	c->pos += len;
	return true;
}

#endif
