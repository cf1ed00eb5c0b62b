/* SPDX-License-Identifier: BSD-3-Clause */
/* query.h: the question of a query, read in one pass: lower-cased and hashed for the index */
#ifndef QUERY_H
#define QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * Reads the question name at the cursor (no compression) into q->qname and q->key, and its
 * hash into q->hash; false when it is not a valid name inside the message.
 */
static inline bool query_parse_qname(wire_ctx_t *c, struct zt_query *q)
{
	const uint8_t *start = c->pos;
	size_t left = wire_ctx_left(c), len = 0, i = 0;
	uint64_t h, w;

	/*
	 * The label lengths first: a question name is the first name, it cannot point back. The
	 * walk stays inside the message; the name's length is checked once, at the end.
	 */
	for (;;) {
		uint8_t l;

		if (len >= left)
			return false;
		l = start[len];
		if (l > WIRE_LABEL_MAX)
			return false;
		len += (size_t)l + 1;
		if (l == 0)
			break;
	}
	if (len > WIRE_NAME_MAX)
		return false;
	/*
	 * Every octet up to the root label was inside the message: copy it lower-cased, and hash
	 * the words as they go by (the index's hash, zt_hash_slack(), without reading them again).
	 */
	h = zt_hash_start(len);
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, start + i, 8);
		w = wire_lower8(w);
		memcpy(q->key + i, &w, 8);
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
		/* The rest as a little-endian number; the octets past the name are zeros (slack).
		 */
		h = zt_hash_last(h, w);
		w = WIRE_LE64(w);
		memcpy(q->key + i, &w, 8);
	}
	q->hash = zt_hash_end(h);
	q->qname = start;
	q->qname_len = len;
	c->pos += len;
	return true;
}

#endif
