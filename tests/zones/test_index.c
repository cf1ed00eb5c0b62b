/* SPDX-License-Identifier: BSD-3-Clause */
/* test_index.c: CUnit suite for the name index's hash: the query side agrees with the build side */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "query.h"
#include "wire.h"
#include "zt_index.h"

/* A fixed-seed generator (xorshift64*): the same names on every run and every libc. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* An octet of a label: mostly letters of either case, sometimes digits, '-', '*' or any octet. */
static uint8_t label_octet(void)
{
	uint32_t r = rng() % 16;

	if (r < 6)
		return (uint8_t)('a' + rng() % 26);
	if (r < 12)
		return (uint8_t)('A' + rng() % 26);
	if (r < 13)
		return (uint8_t)('0' + rng() % 10);
	if (r < 14)
		return (uint8_t)("-_*@[`{"[rng() % 7]);
	return (uint8_t)rng(); /* any octet: 0x00, 0x80 and up, '@' and '[' around 'A'..'Z' */
}

/*
 * A wire name of exactly LEN octets (1..255) at OUT whose labels are LABELS[] long (NLABELS of
 * them, summing to LEN - 1 with their length octets), filled with random octets.
 */
static void make_name(uint8_t *out, const unsigned *labels, unsigned nlabels)
{
	size_t o = 0;

	for (unsigned i = 0; i < nlabels; i++) {
		out[o++] = (uint8_t)labels[i];
		for (unsigned k = 0; k < labels[i]; k++)
			out[o++] = label_octet();
	}
	out[o] = 0;
}

/*
 * Labels for a name of LEN octets (1, or 3 and more: no name has 2) at most MAXLAB long each
 * (the last may be shorter, or one longer).
 */
static unsigned split_labels(size_t len, unsigned maxlab, unsigned *labels)
{
	size_t left = len - 1; /* the root label */
	unsigned n = 0;

	while (left > 0) {
		unsigned l = left - 1 < maxlab ? (unsigned)(left - 1) : maxlab;

		if (l == 0) {
			/* One octet left cannot be a label: lengthen the one before. */
			labels[n - 1]++;
			if (labels[n - 1] > WIRE_LABEL_MAX) {
				labels[n - 1] -= 2;
				labels[n++] = 1;
			}
			break;
		}
		labels[n++] = l;
		left -= (size_t)l + 1;
	}
	return n;
}

/* Random label lengths for a name of LEN octets. */
static unsigned random_labels(size_t len, unsigned *labels)
{
	return split_labels(len, 1 + rng() % WIRE_LABEL_MAX, labels);
}

static unsigned checked;

/*
 * The name NAME (LEN octets, any case) through the query path's parse, at the very end of a
 * buffer of its own (a read past the message shows under ASan), against the build side's hash
 * of the name lower-cased octet by octet: the same key, zeros after it, the same hash. Then
 * again with TAIL octets of the message after it (upper-case letters and 0xff, as a type and
 * an OPT would be): a short name is then read sixteen octets at a time, what follows with it.
 */
static void check_name_tail(const uint8_t *name, size_t len, size_t tail)
{
	uint8_t *msg = malloc(len + tail);
	uint8_t lower[WIRE_NAME_MAX + 1 + WIRE_SLACK];
	struct zt_query q;
	wire_ctx_t c;
	uint64_t built;

	CU_ASSERT_FATAL(msg != NULL);
	memcpy(msg, name, len);
	for (size_t i = 0; i < tail; i++)
		msg[len + i] = i % 2 ? 0xff : (uint8_t)('A' + i);
	memset(lower, 0, sizeof(lower));
	CU_ASSERT_EQUAL_FATAL(wire_name_lower(lower, name), len);
	built = zt_hash(lower, len);
	memset(&q, 0xa5, sizeof(q));
	wire_ctx_init(&c, msg, len + tail);
	CU_ASSERT_FATAL(query_parse_qname(&c, &q));
	CU_ASSERT_EQUAL(q.qname_len, len);
	CU_ASSERT_PTR_EQUAL(q.qname, msg);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), tail);
	CU_ASSERT_EQUAL(memcmp(q.key, lower, len), 0);
	/* The key's last word is whole: 8 zeros after the name (the slack zt_find_slack_h()
	 * reads whole, for the key and any suffix of it). */
	for (size_t i = len; i < len + WIRE_SLACK; i++)
		CU_ASSERT_EQUAL(q.key[i], 0);
	CU_ASSERT_EQUAL(q.hash, built);
	CU_ASSERT_EQUAL(zt_hash_slack(lower, len), built);
	CU_ASSERT_EQUAL(zt_hash_slack(q.key, len), built);
	if (q.hash != built) {
		char text[WIRE_NAME_MAX * 4 + 1];

		wire_name_to_text(lower, text, sizeof(text));
		fprintf(stderr, "hash differs for %s (%zu octets, %zu after)\n", text, len, tail);
	}
	free(msg);
}

static void check_name(const uint8_t *name, size_t len)
{
	check_name_tail(name, len, 0);
	check_name_tail(name, len, 16);
	checked++;
}

/* Every length 1..255, with labels of every size from 1 to 63 (boundaries all over the words). */
static void test_every_length(void)
{
	uint8_t name[WIRE_NAME_MAX + 1];
	unsigned labels[WIRE_NAME_MAX];

	checked = 0;
	for (size_t len = 1; len <= WIRE_NAME_MAX; len++) {
		if (len == 2)
			continue; /* a label and the root take 3 at least */
		for (unsigned maxlab = 1; maxlab <= WIRE_LABEL_MAX; maxlab++) {
			unsigned n = split_labels(len, maxlab, labels);

			make_name(name, labels, n);
			CU_ASSERT_EQUAL_FATAL(wire_name_len(name), len);
			check_name(name, len);
		}
	}
	CU_ASSERT_EQUAL(checked, (WIRE_NAME_MAX - 1) * WIRE_LABEL_MAX);
}

/*
 * Label length octets exactly at 8-octet word boundaries and just before and after them: the
 * first label's length (0..62, so its end falls at every offset of a word), then labels of 7,
 * 8 or 9 octets (a boundary lands on a length octet, the first or the last of a label).
 */
static void test_word_boundaries(void)
{
	uint8_t name[WIRE_NAME_MAX + 1];
	unsigned labels[WIRE_NAME_MAX];

	for (unsigned first = 1; first <= 62; first++) {
		for (unsigned step = 6; step <= 9; step++) {
			for (unsigned count = 0; count < 24; count++) {
				size_t len = 1 + first + 1;
				unsigned n = 0;

				labels[n++] = first;
				for (unsigned i = 0; i < count && len + step + 1 <= WIRE_NAME_MAX;
				     i++) {
					labels[n++] = step;
					len += step + 1;
				}
				make_name(name, labels, n);
				CU_ASSERT_EQUAL_FATAL(wire_name_len(name), len);
				check_name(name, len);
			}
		}
	}
}

/* Random names, random case: many of each length. */
static void test_random_names(void)
{
	uint8_t name[WIRE_NAME_MAX + 1];
	unsigned labels[WIRE_NAME_MAX];

	for (unsigned i = 0; i < 40000; i++) {
		size_t len = 1 + rng() % WIRE_NAME_MAX;
		unsigned n;

		if (len == 2)
			len = 3;
		n = random_labels(len, labels);

		make_name(name, labels, n);
		CU_ASSERT_EQUAL_FATAL(wire_name_len(name), len);
		check_name(name, len);
	}
}

/* A name in upper and in lower case: one key, one hash (what makes 0x20 queries find nodes). */
static void test_case_folds(void)
{
	static const uint8_t upper[] = "\005EXAMP\007LE-MAIL\003COM";
	static const uint8_t lower[] = "\005examp\007le-mail\003com";
	uint8_t a[sizeof(upper)], b[sizeof(lower)];
	struct zt_query qa, qb;
	wire_ctx_t c;

	memset(&qa, 0, sizeof(qa));
	memset(&qb, 0, sizeof(qb));
	memcpy(a, upper, sizeof(a));
	memcpy(b, lower, sizeof(b));
	wire_ctx_init(&c, a, sizeof(a));
	CU_ASSERT_FATAL(query_parse_qname(&c, &qa));
	wire_ctx_init(&c, b, sizeof(b));
	CU_ASSERT_FATAL(query_parse_qname(&c, &qb));
	CU_ASSERT_EQUAL(qa.hash, qb.hash);
	CU_ASSERT_EQUAL(memcmp(qa.key, lower, sizeof(lower)), 0);
	CU_ASSERT_EQUAL(qa.hash, zt_hash(lower, sizeof(lower)));
	/* Different names hash differently here (not a promise of the hash, a sanity check). */
	CU_ASSERT_NOT_EQUAL(zt_hash(lower, sizeof(lower)), zt_hash((const uint8_t *)"\003com", 5));
}

/* What the parse refuses: a label past the message, a label over 63, a name over 255. */
static void test_parse_refuses(void)
{
	uint8_t msg[300];
	struct zt_query q;
	wire_ctx_t c;

	memset(msg, 0, sizeof(msg));
	memset(&q, 0, sizeof(q));
	memcpy(msg, "\003www\007example", 12); /* no root label: the message ends first */
	wire_ctx_init(&c, msg, 12);
	CU_ASSERT_FALSE(query_parse_qname(&c, &q));
	wire_ctx_init(&c, msg, 0); /* nothing at all: not even the length octet is read */
	CU_ASSERT_FALSE(query_parse_qname(&c, &q));
	msg[12] = 0; /* the root label is the message's last octet */
	wire_ctx_init(&c, msg, 13);
	CU_ASSERT_TRUE(query_parse_qname(&c, &q));
	CU_ASSERT_EQUAL(q.qname_len, 13);
	wire_ctx_init(&c, msg, 11); /* ...and one short of it: the walk stops at the end */
	CU_ASSERT_FALSE(query_parse_qname(&c, &q));
	msg[0] = 64; /* a label length over 63 (or a compression pointer) */
	wire_ctx_init(&c, msg, 12);
	CU_ASSERT_FALSE(query_parse_qname(&c, &q));
	/* 4 labels of 63 and one of 2: 4 * 64 + 3 + 1 = 260 octets */
	memset(msg, 'a', sizeof(msg));
	for (unsigned i = 0; i < 4; i++)
		msg[64 * i] = 63;
	msg[256] = 2;
	msg[259] = 0;
	wire_ctx_init(&c, msg, sizeof(msg));
	CU_ASSERT_FALSE(query_parse_qname(&c, &q));
	msg[256] = 0; /* 257 octets: still one too many... */
	wire_ctx_init(&c, msg, sizeof(msg));
	CU_ASSERT_FALSE(query_parse_qname(&c, &q));
	msg[192] = 61; /* ...and 255 is the most */
	msg[254] = 0;
	wire_ctx_init(&c, msg, sizeof(msg));
	CU_ASSERT_TRUE(query_parse_qname(&c, &q));
	CU_ASSERT_EQUAL(q.qname_len, 255);
}

void reg_cutest_index(void)
{
	CU_pSuite s = CU_add_suite("index", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "hash: every length, every label size", test_every_length);
	CU_add_test(s, "hash: label boundaries at word boundaries", test_word_boundaries);
	CU_add_test(s, "hash: random names in random case", test_random_names);
	CU_add_test(s, "hash: case folds to one key", test_case_folds);
	CU_add_test(s, "parse: what is not a question name", test_parse_refuses);
}
