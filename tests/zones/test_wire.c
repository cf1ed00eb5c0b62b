/* SPDX-License-Identifier: BSD-3-Clause */
/* test_wire.c: CUnit suite for zones/wire.c: wire names, canonical order and the bounded cursor */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "wire.h"

/* Names as C string literals in wire form; sizeof() counts the literal's own NUL as the root. */
#define N_ROOT ((const uint8_t *)"")
#define N_COM ((const uint8_t *)"\003com")
#define N_EXCOM ((const uint8_t *)"\007example\003com")
#define N_EXCOM_UP ((const uint8_t *)"\007EXAMPLE\003Com")
#define N_WWW ((const uint8_t *)"\003www\007example\003com")
#define N_BADEX ((const uint8_t *)"\012badexample\003com")

static void test_name_len_labels(void)
{
	CU_ASSERT_EQUAL(wire_name_len(N_ROOT), 1);
	CU_ASSERT_EQUAL(wire_name_len(N_COM), 5);
	CU_ASSERT_EQUAL(wire_name_len(N_EXCOM), 13);
	CU_ASSERT_EQUAL(wire_name_len(N_WWW), 17);
	CU_ASSERT_EQUAL(wire_name_labels(N_ROOT), 0);
	CU_ASSERT_EQUAL(wire_name_labels(N_COM), 1);
	CU_ASSERT_EQUAL(wire_name_labels(N_EXCOM), 2);
	CU_ASSERT_EQUAL(wire_name_labels(N_WWW), 3);
	/* Label contents are octets: a dot or a zero octet inside a label is not a separator. */
	CU_ASSERT_EQUAL(wire_name_labels((const uint8_t *)"\003a.b\003com"), 2);
	CU_ASSERT_EQUAL(wire_name_len((const uint8_t *)"\003a\000b\003com"), 9);
	CU_ASSERT_EQUAL(wire_name_labels((const uint8_t *)"\003a\000b\003com"), 2);
}

static void test_name_lower(void)
{
	const uint8_t src[] = "\003WwW\007ExAmPlE\003COM";
	/* A length octet of 'A'-'Z' value (65..90) must not be lower-cased: this one is 65. */
	uint8_t long_label[1 + 65 + 1];
	uint8_t dst[WIRE_NAME_MAX + 1];

	memset(dst, 0xaa, sizeof(dst));
	CU_ASSERT_EQUAL(wire_name_lower(dst, src), sizeof(src));
	CU_ASSERT_EQUAL(memcmp(dst, "\003www\007example\003com", sizeof(src)), 0);
	CU_ASSERT_EQUAL(dst[sizeof(src)], 0xaa); /* writes nothing past the name */
	/* Lower-casing touches A-Z only: other octets (here 0xC4 and '[') stay as they are. */
	CU_ASSERT_EQUAL(wire_name_lower(dst, (const uint8_t *)"\003\304[Z"), 5);
	CU_ASSERT_EQUAL(memcmp(dst, "\003\304[z", 5), 0);
	/* A 63-octet label: its length octet is '?' (63); 'A'..'Z' values cannot be lengths. */
	memset(long_label, 'Q', sizeof(long_label));
	long_label[0] = 63;
	long_label[64] = 0;
	CU_ASSERT_EQUAL(wire_name_lower(dst, long_label), 65);
	CU_ASSERT_EQUAL(dst[0], 63);
	CU_ASSERT_EQUAL(dst[1], 'q');
	CU_ASSERT_EQUAL(dst[63], 'q');
	CU_ASSERT_EQUAL(dst[64], 0);
	CU_ASSERT_EQUAL(wire_name_lower(dst, N_ROOT), 1);
	CU_ASSERT_EQUAL(dst[0], 0);
}

static void test_name_eq(void)
{
	CU_ASSERT_TRUE(wire_name_eq(N_EXCOM, N_EXCOM_UP));
	CU_ASSERT_TRUE(wire_name_eq(N_ROOT, N_ROOT));
	CU_ASSERT_FALSE(wire_name_eq(N_EXCOM, N_WWW));
	CU_ASSERT_FALSE(wire_name_eq(N_WWW, N_EXCOM));
	CU_ASSERT_FALSE(wire_name_eq(N_EXCOM, N_ROOT));
	CU_ASSERT_FALSE(wire_name_eq(N_COM, (const uint8_t *)"\003con"));
	/* Same octets, different label boundaries. */
	CU_ASSERT_FALSE(
	    wire_name_eq((const uint8_t *)"\002ab\001c", (const uint8_t *)"\001a\002bc"));
	/* Case folding is ASCII only: 0xC4 and 0xE4 differ. */
	CU_ASSERT_FALSE(wire_name_eq((const uint8_t *)"\001\304", (const uint8_t *)"\001\344"));
	/* '@' (0x40) and '`' (0x60) differ in the 0x20 bit but are not letters. */
	CU_ASSERT_FALSE(wire_name_eq((const uint8_t *)"\001@", (const uint8_t *)"\001`"));
}

static void test_name_is_sub(void)
{
	CU_ASSERT_TRUE(wire_name_is_sub(N_WWW, N_EXCOM));
	CU_ASSERT_TRUE(wire_name_is_sub(N_WWW, N_EXCOM_UP));
	CU_ASSERT_TRUE(wire_name_is_sub(N_EXCOM, N_EXCOM));
	CU_ASSERT_TRUE(wire_name_is_sub(N_EXCOM, N_COM));
	CU_ASSERT_TRUE(wire_name_is_sub(N_EXCOM, N_ROOT));
	CU_ASSERT_TRUE(wire_name_is_sub(N_ROOT, N_ROOT));
	CU_ASSERT_FALSE(wire_name_is_sub(N_COM, N_EXCOM));
	CU_ASSERT_FALSE(wire_name_is_sub(N_ROOT, N_COM));
	/* A suffix of octets is not a suffix of labels. */
	CU_ASSERT_FALSE(wire_name_is_sub(N_BADEX, N_EXCOM));
	CU_ASSERT_FALSE(wire_name_is_sub((const uint8_t *)"\003www\007example\003net", N_EXCOM));
}

static void test_name_cmp_canonical(void)
{
	/* RFC 4034 section 6.1: "the following names are sorted in canonical DNS name order". */
	static const char *const order[] = {
	    "\007example",
	    "\001a\007example",
	    "\010yljkjljk\001a\007example",
	    "\001Z\001a\007example",
	    "\004zABC\001a\007EXAMPLE",
	    "\001z\007example",
	    "\001\001\001z\007example",
	    "\001*\001z\007example",
	    "\001\200\001z\007example",
	};
	const size_t n = sizeof(order) / sizeof(order[0]);

	for (size_t i = 0; i < n; i++) {
		const uint8_t *a = (const uint8_t *)order[i];

		CU_ASSERT_EQUAL(wire_name_cmp_canonical(a, a), 0);
		for (size_t j = 0; j < n; j++) {
			const uint8_t *b = (const uint8_t *)order[j];
			int c = wire_name_cmp_canonical(a, b);

			if (i < j && c >= 0)
				fprintf(stderr,
					"\n  canonical order: entry %zu should sort before %zu\n",
					i, j);
			if (i < j)
				CU_ASSERT_TRUE(c < 0);
			if (i > j)
				CU_ASSERT_TRUE(c > 0);
		}
	}
	/* Case does not count; the root sorts first; a shorter label before its extension. */
	CU_ASSERT_EQUAL(wire_name_cmp_canonical(N_EXCOM, N_EXCOM_UP), 0);
	CU_ASSERT_TRUE(wire_name_cmp_canonical(N_ROOT, N_COM) < 0);
	CU_ASSERT_TRUE(wire_name_cmp_canonical(N_COM, N_ROOT) > 0);
	CU_ASSERT_TRUE(
	    wire_name_cmp_canonical((const uint8_t *)"\001a", (const uint8_t *)"\002ab") < 0);
	/* Right to left: a.net sorts after z.com. */
	CU_ASSERT_TRUE(wire_name_cmp_canonical((const uint8_t *)"\001a\003net",
					       (const uint8_t *)"\001z\003com") > 0);
	/* Octets compare unsigned: 0x80 after 'z'. */
	CU_ASSERT_TRUE(
	    wire_name_cmp_canonical((const uint8_t *)"\001\200", (const uint8_t *)"\001z") > 0);
}

static void test_name_to_text(void)
{
	char buf[256];
	/* Every octet that presentation form must escape, and a few it must not. */
	const uint8_t special[] = "\011a.b\\c\"d(e\003x)y\005;@$ \177\003com";

	wire_name_to_text(N_ROOT, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, ".");
	wire_name_to_text(N_WWW, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "www.example.com.");
	wire_name_to_text(N_EXCOM_UP, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "EXAMPLE.Com."); /* case kept */
	wire_name_to_text(special, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "a\\.b\\\\c\\\"d\\(e.x\\)y.\\;\\@\\$\\032\\127.com.");
	wire_name_to_text((const uint8_t *)"\003\000\001\377\001*\001-", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "\\000\\001\\255.*.-.");
}

static void test_name_to_text_small_buffer(void)
{
	char buf[64];

	/* A buffer too small: a terminated prefix, nothing written past buflen. */
	memset(buf, 'X', sizeof(buf));
	wire_name_to_text(N_WWW, buf, 8);
	CU_ASSERT_TRUE(strlen(buf) < 8);
	CU_ASSERT_EQUAL(strncmp(buf, "www.example.com.", strlen(buf)), 0);
	for (size_t i = 8; i < sizeof(buf); i++)
		CU_ASSERT_EQUAL(buf[i], 'X');
	memset(buf, 'X', sizeof(buf));
	wire_name_to_text((const uint8_t *)"\004\001\002\003\004", buf, 10);
	CU_ASSERT_TRUE(strlen(buf) < 10);
	for (size_t i = 10; i < sizeof(buf); i++)
		CU_ASSERT_EQUAL(buf[i], 'X');
	memset(buf, 'X', sizeof(buf));
	wire_name_to_text(N_ROOT, buf, 1);
	CU_ASSERT_EQUAL(buf[0], '\0');
	CU_ASSERT_EQUAL(buf[1], 'X');
	/* buflen 0: nothing is written at all. */
	wire_name_to_text(N_WWW, buf + 2, 0);
	CU_ASSERT_EQUAL(buf[2], 'X');
}

static void test_ctx_reads(void)
{
	const uint8_t msg[] = {0x12, 0x34, 0xab, 0xcd, 0x01, 0x02, 0x03};
	wire_ctx_t c;

	wire_ctx_init(&c, msg, sizeof(msg));
	CU_ASSERT_EQUAL(c.err, 0);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 7);
	CU_ASSERT_EQUAL(wire_ctx_read16(&c), 0x1234);
	CU_ASSERT_EQUAL(wire_ctx_read16(&c), 0xabcd);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 3);
	wire_ctx_skip(&c, 2);
	CU_ASSERT_EQUAL(c.err, 0);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 1);
	/* One octet left: a 16-bit read fails, returns 0 and does not move. */
	CU_ASSERT_EQUAL(wire_ctx_read16(&c), 0);
	CU_ASSERT_NOT_EQUAL(c.err, 0);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 1);

	/* The error is sticky: what would fit fails too once an error was seen. */
	wire_ctx_init(&c, msg, sizeof(msg));
	wire_ctx_skip(&c, 8);
	CU_ASSERT_NOT_EQUAL(c.err, 0);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 7);
	CU_ASSERT_EQUAL(wire_ctx_read16(&c), 0);
	wire_ctx_skip(&c, 1);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 7);
	CU_ASSERT_NOT_EQUAL(c.err, 0);

	/* Exactly to the end is fine; one more is not. */
	wire_ctx_init(&c, msg, sizeof(msg));
	wire_ctx_skip(&c, 7);
	CU_ASSERT_EQUAL(c.err, 0);
	CU_ASSERT_EQUAL(wire_ctx_left(&c), 0);
	wire_ctx_skip(&c, 0);
	CU_ASSERT_EQUAL(c.err, 0);
	wire_ctx_skip(&c, 1);
	CU_ASSERT_NOT_EQUAL(c.err, 0);

	/* An empty buffer. */
	wire_ctx_init(&c, msg, 0);
	CU_ASSERT_EQUAL(wire_ctx_read16(&c), 0);
	CU_ASSERT_NOT_EQUAL(c.err, 0);

	CU_ASSERT_EQUAL(wire_get16(msg), 0x1234);
	CU_ASSERT_EQUAL(wire_get32(msg), 0x1234abcdu);
	{
		uint8_t b[4];

		wire_put16(b, 0xfeed);
		CU_ASSERT_EQUAL(b[0], 0xfe);
		CU_ASSERT_EQUAL(b[1], 0xed);
		wire_put32(b, 0xdeadbeefu);
		CU_ASSERT_EQUAL(wire_get32(b), 0xdeadbeefu);
	}
}

/* Runs wire_ctx_skip_name at OFF of MSG; returns its result, *err the cursor's error. */
static size_t skip_at(const uint8_t *msg, size_t len, size_t off, int *err, size_t *pos)
{
	wire_ctx_t c;
	size_t r;

	wire_ctx_init(&c, msg, len);
	wire_ctx_skip(&c, off);
	r = wire_ctx_skip_name(&c);
	*err = c.err;
	*pos = (size_t)(c.pos - msg);
	return r;
}

static void test_skip_name_plain(void)
{
	const uint8_t msg[] = "\003www\007example\003com\000\001\002";
	int err;
	size_t pos;

	CU_ASSERT_EQUAL(skip_at(msg, sizeof(msg) - 1, 0, &err, &pos), 17);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(pos, 17);
	/* The root alone. */
	CU_ASSERT_EQUAL(skip_at((const uint8_t *)"\000", 1, 0, &err, &pos), 1);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(pos, 1);
}

static void test_skip_name_pointers(void)
{
	/* 0: example.com.  13: www + ptr(0)  19: mail + ptr(13)  26: a bare ptr(19) */
	const uint8_t msg[] = "\007example\003com\000"
			      "\003www\300\000"
			      "\004mail\300\015"
			      "\300\023";
	int err;
	size_t pos;

	CU_ASSERT_EQUAL(skip_at(msg, sizeof(msg), 13, &err, &pos), 6);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(pos, 19);
	/* Pointer to a name that itself ends in a pointer. */
	CU_ASSERT_EQUAL(skip_at(msg, sizeof(msg), 19, &err, &pos), 7);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(pos, 26);
	CU_ASSERT_EQUAL(skip_at(msg, sizeof(msg), 26, &err, &pos), 2);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(pos, 28);
}

static void test_skip_name_bad_pointers(void)
{
	/* A forward pointer: 0 -> 4. */
	const uint8_t fwd[] = {1, 'a', 0xc0, 4, 3, 'c', 'o', 'm', 0};
	/* A pointer to itself. */
	const uint8_t self[] = {0, 0, 0xc0, 2};
	/* A pointer back to the start of its own name: a loop through a backwards pointer. */
	const uint8_t loop[] = {0, 3, 'a', 'b', 'c', 0xc0, 1};
	/* Two pointers that point at each other (the second is forward of the first). */
	const uint8_t pair[] = {0xc0, 2, 0xc0, 0};
	/* The 01 and 10 label types (RFC 6891 obsoleted EDNS labels; reserved). */
	const uint8_t ext1[] = {0x41, 'a', 0};
	const uint8_t ext2[] = {0x81, 'a', 0};
	int err;
	size_t pos;

	CU_ASSERT_EQUAL(skip_at(fwd, sizeof(fwd), 0, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(pos, 0);
	CU_ASSERT_EQUAL(skip_at(self, sizeof(self), 2, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(skip_at(loop, sizeof(loop), 1, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(skip_at(pair, sizeof(pair), 2, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(skip_at(pair, sizeof(pair), 0, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(skip_at(ext1, sizeof(ext1), 0, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(skip_at(ext2, sizeof(ext2), 0, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
}

/* Writes N labels of LEN octets at P, then the root; returns the octets written. */
static size_t put_labels(uint8_t *p, unsigned n, uint8_t len)
{
	size_t o = 0;

	for (unsigned i = 0; i < n; i++) {
		p[o++] = len;
		memset(p + o, 'x', len);
		o += len;
	}
	p[o++] = 0;
	return o;
}

static void test_skip_name_length_limit(void)
{
	uint8_t msg[600];
	size_t len;
	int err;
	size_t pos;

	/* 63+63+63+61 octets of labels: 64*3 + 62 + 1 = 255, the largest legal name. */
	len = put_labels(msg, 3, 63);
	len--;
	msg[len++] = 61;
	memset(msg + len, 'y', 61);
	len += 61;
	msg[len++] = 0;
	CU_ASSERT_EQUAL_FATAL(len, 255);
	CU_ASSERT_EQUAL(skip_at(msg, len, 0, &err, &pos), 255);
	CU_ASSERT_EQUAL(err, 0);
	/* One octet more: 256. */
	len = put_labels(msg, 3, 63);
	len--;
	msg[len++] = 62;
	memset(msg + len, 'y', 62);
	len += 62;
	msg[len++] = 0;
	CU_ASSERT_EQUAL_FATAL(len, 256);
	CU_ASSERT_EQUAL(skip_at(msg, len, 0, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	/* Too long only through compression: 200 octets at 0, then a 63-octet label + pointer. */
	len = put_labels(msg, 5, 39); /* 5 * 40 + 1 = 201 */
	CU_ASSERT_EQUAL_FATAL(len, 201);
	msg[len] = 63;
	memset(msg + len + 1, 'z', 63);
	msg[len + 64] = 0xc0;
	msg[len + 65] = 0;
	CU_ASSERT_EQUAL(skip_at(msg, len + 66, 0, &err, &pos), 201);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(skip_at(msg, len + 66, len, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	/* The same with a 53-octet label: 54 + 201 = 255 fits. */
	msg[len] = 53;
	msg[len + 54] = 0xc0;
	msg[len + 55] = 0;
	CU_ASSERT_EQUAL(skip_at(msg, len + 56, len, &err, &pos), 56);
	CU_ASSERT_EQUAL(err, 0);
}

static void test_skip_name_truncated(void)
{
	const uint8_t name[] = "\003www\007example\003com";
	const uint8_t ptr[] = {0, 0xc0};
	wire_ctx_t c;
	int err;
	size_t pos;

	/* Every proper prefix of a name is malformed (the last one lacks the root octet). */
	for (size_t cut = 0; cut < sizeof(name); cut++) {
		CU_ASSERT_EQUAL(skip_at(name, cut, 0, &err, &pos), 0);
		CU_ASSERT_NOT_EQUAL(err, 0);
		CU_ASSERT_EQUAL(pos, 0);
	}
	/* A pointer cut after its first octet. */
	CU_ASSERT_EQUAL(skip_at(ptr, sizeof(ptr), 1, &err, &pos), 0);
	CU_ASSERT_NOT_EQUAL(err, 0);
	/* A pointer outside the message (a target beyond its end is also forward). */
	{
		const uint8_t far[] = {1, 'a', 0, 0xc3, 0xff};

		CU_ASSERT_EQUAL(skip_at(far, sizeof(far), 3, &err, &pos), 0);
		CU_ASSERT_NOT_EQUAL(err, 0);
	}
	/* The error is sticky: a cursor already in error skips nothing. */
	wire_ctx_init(&c, name, sizeof(name));
	c.err = -1;
	CU_ASSERT_EQUAL(wire_ctx_skip_name(&c), 0);
	CU_ASSERT_PTR_EQUAL(c.pos, name);
	/* And a failed name leaves it in error for the reads that follow. */
	wire_ctx_init(&c, name, 3);
	CU_ASSERT_EQUAL(wire_ctx_skip_name(&c), 0);
	CU_ASSERT_EQUAL(wire_ctx_read16(&c), 0);
	CU_ASSERT_NOT_EQUAL(c.err, 0);
}

void reg_cutest_wire(void)
{
	CU_pSuite s = CU_add_suite("wire", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "name length and labels", test_name_len_labels);
	CU_add_test(s, "name lower-casing", test_name_lower);
	CU_add_test(s, "name equality", test_name_eq);
	CU_add_test(s, "name is below", test_name_is_sub);
	CU_add_test(s, "canonical order (RFC 4034 6.1)", test_name_cmp_canonical);
	CU_add_test(s, "name to text, escaped", test_name_to_text);
	CU_add_test(s, "name to text, small buffer", test_name_to_text_small_buffer);
	CU_add_test(s, "cursor: bounded reads, sticky error", test_ctx_reads);
	CU_add_test(s, "skip name: plain", test_skip_name_plain);
	CU_add_test(s, "skip name: backward pointers", test_skip_name_pointers);
	CU_add_test(s, "skip name: forward, self and loop pointers", test_skip_name_bad_pointers);
	CU_add_test(s, "skip name: 255 octets at most", test_skip_name_length_limit);
	CU_add_test(s, "skip name: truncated input", test_skip_name_truncated);
}
