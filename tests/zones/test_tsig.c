/* SPDX-License-Identifier: BSD-3-Clause */
/* test_tsig.c: CUnit suite for zones/tsig.c against messages dnspython signed (tsig_vectors.h) */
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tsig.h"
#include "tsig_vectors.h"
#include "wire.h"

/* One algorithm's vectors. */
struct tv {
	const char *alg;
	const char *secret;
	const uint8_t *query, *resp, *m1, *m2, *m3, *m3u;
	size_t query_len, resp_len, m1_len, m2_len, m3_len, m3u_len;
};

#define TV(a, A)                                                                                   \
	{                                                                                          \
#a, TV_##A##_SECRET, tv_##a##_query, tv_##a##_resp, tv_##a##_m1, tv_##a##_m2,      \
		    tv_##a##_m3, tv_##a##_m3_after_unsigned, sizeof(tv_##a##_query),               \
		    sizeof(tv_##a##_resp), sizeof(tv_##a##_m1), sizeof(tv_##a##_m2),               \
		    sizeof(tv_##a##_m3), sizeof(tv_##a##_m3_after_unsigned)                        \
	}

static const struct tv tvs[] = {
    TV(hmac_sha1, HMAC_SHA1),
    TV(hmac_sha256, HMAC_SHA256),
    TV(hmac_sha384, HMAC_SHA384),
    TV(hmac_sha512, HMAC_SHA512),
};

static uint8_t buf[4096];

static void key_of(const struct tv *v, tsig_key_t *k)
{
	char alg[32], err[256];
	size_t i;

	snprintf(alg, sizeof(alg), "%s", v->alg);
	for (i = 0; alg[i] != '\0'; i++)
		if (alg[i] == '_')
			alg[i] = '-';
	CU_ASSERT_EQUAL_FATAL(tsig_key_init(k, TV_KEYNAME, alg, v->secret, err, sizeof(err)), 0);
}

/* A request signed like dnspython signs it: the very same octets. */
static void test_client_sign(void)
{
	for (size_t i = 0; i < sizeof(tvs) / sizeof(tvs[0]); i++) {
		const struct tv *v = &tvs[i];
		tsig_key_t k;
		tsig_ctx_t c;
		size_t len;

		key_of(v, &k);
		tsig_ctx_init(&c, TV_TIME);
		memcpy(buf, tv_query, sizeof(tv_query));
		CU_ASSERT_EQUAL(tsig_client_sign(&c, &k, buf, sizeof(tv_query), sizeof(buf), &len),
				0);
		CU_ASSERT_EQUAL(len, v->query_len);
		CU_ASSERT_TRUE(len == v->query_len && memcmp(buf, v->query, len) == 0);
		/* No room for the record. */
		memcpy(buf, tv_query, sizeof(tv_query));
		CU_ASSERT_EQUAL(
		    tsig_client_sign(&c, &k, buf, sizeof(tv_query), sizeof(tv_query) + 20, &len),
		    -1);
		tsig_ctx_clear(&c);
	}
}

/* Verifies V's query at NOW against KEYS; the result, and the context in *C. */
static int verify_at(const struct tv *v, const tsig_key_t *keys, size_t n, uint64_t now,
		     tsig_ctx_t *c, size_t *len)
{
	size_t off;

	memcpy(buf, v->query, v->query_len);
	*len = v->query_len;
	tsig_ctx_init(c, now);
	if (tsig_find(buf, *len, &off) != 1)
		return -100;
	return tsig_server_verify(c, keys, n, buf, len, off);
}

static void test_server_verify(void)
{
	for (size_t i = 0; i < sizeof(tvs) / sizeof(tvs[0]); i++) {
		const struct tv *v = &tvs[i];
		tsig_key_t k[2], other;
		char err[128];
		tsig_ctx_t c;
		size_t len;

		key_of(v, &k[0]);
		/* Another key first in the ring: found by name. */
		CU_ASSERT_EQUAL(tsig_key_init(&k[1], "other.", "hmac-sha256",
					      "c2VjcmV0c2VjcmV0c2VjcmV0", err, sizeof(err)),
				0);
		other = k[1];
		k[1] = k[0];
		k[0] = other;
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME, &c, &len), TSIG_OK);
		/* Stripped: the unsigned query, ARCOUNT back to 0. */
		CU_ASSERT_EQUAL(len, sizeof(tv_query));
		CU_ASSERT_TRUE(memcmp(buf, tv_query, sizeof(tv_query)) == 0);
		CU_ASSERT_PTR_EQUAL(c.key, &k[1]);
		/* The clock: within the fudge (300 s) either way, then BADTIME. */
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME + 300, &c, &len), TSIG_OK);
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME - 300, &c, &len), TSIG_OK);
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME + 301, &c, &len), TSIG_BADTIME);
		CU_ASSERT_EQUAL(c.error, TSIG_BADTIME);
		CU_ASSERT_PTR_NOT_NULL(c.key); /* BADTIME is answered signed */
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME - 1000, &c, &len), TSIG_BADTIME);
		/* Unknown key: BADKEY. */
		CU_ASSERT_EQUAL(verify_at(v, k, 1, TV_TIME, &c, &len), TSIG_BADKEY);
		CU_ASSERT_PTR_NULL(c.key);
		/* The same name with another secret: BADSIG. */
		k[1].secret[0] ^= 1;
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME, &c, &len), TSIG_BADSIG);
		CU_ASSERT_PTR_NULL(c.key);
		k[1].secret[0] ^= 1;
		/* The same name with another algorithm: BADKEY. */
		k[1].alg = k[1].alg == TSIG_HMAC_SHA256 ? TSIG_HMAC_SHA512 : TSIG_HMAC_SHA256;
		CU_ASSERT_EQUAL(verify_at(v, k, 2, TV_TIME, &c, &len), TSIG_BADKEY);
		key_of(v, &k[1]);
		/* A message changed after signing: BADSIG. */
		memcpy(buf, v->query, v->query_len);
		buf[14] ^= 0x20;
		tsig_ctx_init(&c, TV_TIME);
		len = v->query_len;
		CU_ASSERT_EQUAL(tsig_server_verify(&c, k, 2, buf, &len, sizeof(tv_query)),
				TSIG_BADSIG);
	}
}

/* The server's signed answers, octet for octet what dnspython computes. */
static void test_server_sign(void)
{
	for (size_t i = 0; i < sizeof(tvs) / sizeof(tvs[0]); i++) {
		const struct tv *v = &tvs[i];
		uint8_t out[1024];
		tsig_key_t k;
		tsig_ctx_t c;
		size_t len;

		key_of(v, &k);
		CU_ASSERT_EQUAL_FATAL(verify_at(v, &k, 1, TV_TIME, &c, &len), TSIG_OK);
		memcpy(out, tv_resp, sizeof(tv_resp));
		CU_ASSERT_EQUAL(tsig_sign_first(&c, out, sizeof(tv_resp), sizeof(out), &len), 0);
		CU_ASSERT_TRUE(len == v->resp_len && memcmp(out, v->resp, len) == 0);
		CU_ASSERT_TRUE(len - sizeof(tv_resp) <= tsig_reserve(&c));

		/* A transfer: each message chained to the one before (RFC 8945 5.3.1). */
		CU_ASSERT_EQUAL_FATAL(verify_at(v, &k, 1, TV_TIME, &c, &len), TSIG_OK);
		memcpy(out, tv_m1, sizeof(tv_m1));
		CU_ASSERT_EQUAL(tsig_sign(&c, out, sizeof(tv_m1), sizeof(out), &len), 0);
		CU_ASSERT_TRUE(len == v->m1_len && memcmp(out, v->m1, len) == 0);
		memcpy(out, tv_m2, sizeof(tv_m2));
		CU_ASSERT_EQUAL(tsig_sign(&c, out, sizeof(tv_m2), sizeof(out), &len), 0);
		CU_ASSERT_TRUE(len == v->m2_len && memcmp(out, v->m2, len) == 0);
		memcpy(out, tv_m3, sizeof(tv_m3));
		CU_ASSERT_EQUAL(tsig_sign_next(&c, out, sizeof(tv_m3), sizeof(out), &len), 0);
		CU_ASSERT_TRUE(len == v->m3_len && memcmp(out, v->m3, len) == 0);
		/* No room. */
		memcpy(out, tv_m3, sizeof(tv_m3));
		CU_ASSERT_EQUAL(tsig_sign_next(&c, out, sizeof(tv_m3), sizeof(tv_m3) + 10, &len),
				-1);
	}
}

/* A client context that signed tv_query with K at NOW. */
static void client_start(tsig_ctx_t *c, const tsig_key_t *k, uint64_t now)
{
	size_t len;

	tsig_ctx_init(c, now);
	memcpy(buf, tv_query, sizeof(tv_query));
	CU_ASSERT_EQUAL_FATAL(tsig_client_sign(c, k, buf, sizeof(tv_query), sizeof(buf), &len), 0);
}

/* The client side: dnspython's signed answers verify, changed ones do not. */
static void test_client_verify(void)
{
	for (size_t i = 0; i < sizeof(tvs) / sizeof(tvs[0]); i++) {
		const struct tv *v = &tvs[i];
		uint8_t msg[1024];
		tsig_key_t k;
		tsig_ctx_t c;

		key_of(v, &k);
		/* Signed at another time: the request's MAC, which the answer chains to, differs.
		 */
		client_start(&c, &k, TV_TIME + 10);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->resp, v->resp_len), TSIG_BADSIG);
		tsig_ctx_clear(&c);
		client_start(&c, &k, TV_TIME);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->resp, v->resp_len), TSIG_OK);
		CU_ASSERT_TRUE(tsig_client_done(&c));
		tsig_ctx_clear(&c);

		/* Multi-message, all signed. */
		client_start(&c, &k, TV_TIME);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m1, v->m1_len), TSIG_OK);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m2, v->m2_len), TSIG_OK);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m3, v->m3_len), TSIG_OK);
		CU_ASSERT_TRUE(tsig_client_done(&c));
		tsig_ctx_clear(&c);

		/* The middle one unsigned: covered by the last. */
		client_start(&c, &k, TV_TIME);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m1, v->m1_len), TSIG_OK);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, tv_m2, sizeof(tv_m2)), TSIG_OK);
		CU_ASSERT_FALSE(tsig_client_done(&c));
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m3u, v->m3u_len), TSIG_OK);
		CU_ASSERT_TRUE(tsig_client_done(&c));
		tsig_ctx_clear(&c);

		/* Out of order (m3 chained to m2, given after m1): BADSIG. */
		client_start(&c, &k, TV_TIME);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m1, v->m1_len), TSIG_OK);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->m3, v->m3_len), TSIG_BADSIG);
		tsig_ctx_clear(&c);

		/* A changed answer, an unsigned first message, a late one. */
		client_start(&c, &k, TV_TIME);
		memcpy(msg, v->resp, v->resp_len);
		msg[sizeof(tv_resp) - 1] ^= 1;
		CU_ASSERT_EQUAL(tsig_client_verify(&c, msg, v->resp_len), TSIG_BADSIG);
		CU_ASSERT_EQUAL(tsig_client_verify(&c, tv_resp, sizeof(tv_resp)), TSIG_BADSIG);
		c.now = TV_TIME + 301;
		CU_ASSERT_EQUAL(tsig_client_verify(&c, v->resp, v->resp_len), TSIG_BADTIME);
		tsig_ctx_clear(&c);
	}
}

/* The TSIG record at OFF of MSG: its error, MAC size and Other Len. */
static void rr_fields(const uint8_t *msg, size_t len, uint16_t *error, uint16_t *mac_len,
		      uint16_t *other_len)
{
	size_t off, p;

	CU_ASSERT_EQUAL_FATAL(tsig_find(msg, len, &off), 1);
	p = off + wire_name_len(msg + off) + 10;
	p += wire_name_len(msg + p) + 8;
	*mac_len = wire_get16(msg + p);
	p += 2 + *mac_len + 2;
	*error = wire_get16(msg + p);
	*other_len = wire_get16(msg + p + 2);
}

/* The errors answered as RFC 8945 5.2 and Knot 3.2 answer them. */
static void test_error_answers(void)
{
	const struct tv *v = &tvs[1];
	uint16_t error, mac_len, other_len;
	uint8_t out[1024];
	tsig_key_t k;
	tsig_ctx_t c;
	size_t len, n;

	key_of(v, &k);
	/* BADKEY: NOTAUTH, the TSIG unsigned. */
	CU_ASSERT_EQUAL(verify_at(v, &k, 0, TV_TIME, &c, &len), TSIG_BADKEY);
	n = tsig_error_answer(&c, buf, len, out, sizeof(out));
	CU_ASSERT_TRUE_FATAL(n > sizeof(tv_query));
	CU_ASSERT_EQUAL(out[3] & 0xf, 9);
	CU_ASSERT_EQUAL(out[2] & 0x80, 0x80);
	CU_ASSERT_EQUAL(wire_get16(out + 4), 1);
	CU_ASSERT_EQUAL(wire_get16(out + 10), 1);
	rr_fields(out, n, &error, &mac_len, &other_len);
	CU_ASSERT_EQUAL(error, TSIG_BADKEY);
	CU_ASSERT_EQUAL(mac_len, 0);
	/* BADSIG the same. */
	k.secret[3] ^= 4;
	CU_ASSERT_EQUAL(verify_at(v, &k, 1, TV_TIME, &c, &len), TSIG_BADSIG);
	n = tsig_error_answer(&c, buf, len, out, sizeof(out));
	rr_fields(out, n, &error, &mac_len, &other_len);
	CU_ASSERT_EQUAL(error, TSIG_BADSIG);
	CU_ASSERT_EQUAL(mac_len, 0);
	k.secret[3] ^= 4;
	/* BADTIME: signed, our time as Other Data. */
	CU_ASSERT_EQUAL(verify_at(v, &k, 1, TV_TIME + 1000, &c, &len), TSIG_BADTIME);
	n = tsig_error_answer(&c, buf, len, out, sizeof(out));
	rr_fields(out, n, &error, &mac_len, &other_len);
	CU_ASSERT_EQUAL(error, TSIG_BADTIME);
	CU_ASSERT_EQUAL(mac_len, 32);
	CU_ASSERT_EQUAL(other_len, 6);
	CU_ASSERT_EQUAL(wire_get32(out + n - 4), (uint32_t)(TV_TIME + 1000));
	/* A transfer refused to a key the ACL does not name: BADKEY, unsigned. */
	CU_ASSERT_EQUAL(verify_at(v, &k, 1, TV_TIME, &c, &len), TSIG_OK);
	memcpy(out, buf, len);
	wire_put16(out + 2, 0x8009);
	CU_ASSERT_FALSE(tsig_xfr_refused(&c, out, true));
	CU_ASSERT_TRUE(tsig_xfr_refused(&c, out, false));
	CU_ASSERT_EQUAL(tsig_sign_first(&c, out, len, sizeof(out), &n), 0);
	rr_fields(out, n, &error, &mac_len, &other_len);
	CU_ASSERT_EQUAL(error, TSIG_BADKEY);
	CU_ASSERT_EQUAL(mac_len, 0);
}

/*
 * A question name that is a compression pointer into the header (ID 0x0161 and a zero flags octet
 * read as "a."), which the answer's header changes: the error answer writes the name out, and
 * stays a well-formed, findable TSIG answer.
 */
static void test_error_answer_pointer(void)
{
	static const uint8_t q[] = {0x01, 'a', 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				    /* the question's name: a pointer to the ID */
				    0xc0, 0, 0, 6, 0, 1};
	static const uint8_t name[] = {1, 'a', 0};
	const size_t nl = sizeof(name);
	const struct tv *v = &tvs[1];
	uint8_t out[1024];
	tsig_key_t k;
	tsig_ctx_t c;
	size_t len, off, n;

	key_of(v, &k);
	tsig_ctx_init(&c, TV_TIME);
	memcpy(buf, q, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(tsig_client_sign(&c, &k, buf, sizeof(q), sizeof(buf), &len), 0);
	tsig_ctx_clear(&c);
	CU_ASSERT_EQUAL_FATAL(tsig_find(buf, len, &off), 1);
	CU_ASSERT_EQUAL_FATAL(off, sizeof(q));
	tsig_ctx_init(&c, TV_TIME);
	CU_ASSERT_EQUAL(tsig_server_verify(&c, NULL, 0, buf, &len, off), TSIG_BADKEY);
	n = tsig_error_answer(&c, buf, len, out, sizeof(out));
	CU_ASSERT_TRUE_FATAL(n > WIRE_HDR_LEN + nl + 4);
	CU_ASSERT_EQUAL(out[2] & 0x80, 0x80);
	CU_ASSERT_EQUAL(wire_get16(out + 4), 1);
	CU_ASSERT_TRUE(memcmp(out + WIRE_HDR_LEN, name, nl) == 0);
	CU_ASSERT_EQUAL(wire_get16(out + WIRE_HDR_LEN + nl), 6);
	CU_ASSERT_EQUAL(tsig_find(out, n, &off), 1);
	CU_ASSERT_EQUAL(off, WIRE_HDR_LEN + nl + 4);
	/* The same in place, as the TCP thread answers. */
	n = tsig_error_answer(&c, buf, len, buf, sizeof(buf));
	CU_ASSERT_EQUAL(tsig_find(buf, n, &off), 1);
	CU_ASSERT_TRUE(memcmp(buf + WIRE_HDR_LEN, name, nl) == 0);
}

/*
 * Compression pointers that do not point back (RFC 1035 4.1.4: to a prior occurrence) make the
 * message malformed, as in the query parser and Knot: a question pointing at a later record, a
 * record's owner pointing at itself. What follows a name (a TSIG appended by a signer) can never
 * change how it reads.
 */
static void test_forward_pointer(void)
{
	static const uint8_t fwd[] = {
	    0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
	    /* the question's name: a pointer to the additional A record's owner, at 18 */
	    0xc0, 18, 0, 6, 0, 1,
	    /* mail.example. A 192.0.2.1 */
	    4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1, 0, 0, 0, 60,
	    0, 4, 192, 0, 2, 1};
	static const uint8_t self[] = {0x12, 0x34, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 1,
				       /* an owner that points at itself */
				       0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
	const struct tv *v = &tvs[1];
	tsig_key_t k;
	tsig_ctx_t c;
	size_t len, off = 0;

	key_of(v, &k);
	memcpy(buf, fwd, sizeof(fwd));
	tsig_ctx_init(&c, TV_TIME);
	CU_ASSERT_EQUAL_FATAL(tsig_client_sign(&c, &k, buf, sizeof(fwd), sizeof(buf), &len), 0);
	tsig_ctx_clear(&c);
	CU_ASSERT_EQUAL(tsig_find(buf, len, &off), -1);
	memcpy(buf, self, sizeof(self));
	tsig_ctx_init(&c, TV_TIME);
	CU_ASSERT_EQUAL_FATAL(tsig_client_sign(&c, &k, buf, sizeof(self), sizeof(buf), &len), 0);
	tsig_ctx_clear(&c);
	CU_ASSERT_EQUAL(tsig_find(buf, len, &off), -1);
}

/* MAC sizes (RFC 8945 5.2.2.1): truncated to half the hash passes, shorter is FORMERR. */
static void test_truncation(void)
{
	const struct tv *v = &tvs[1];
	tsig_key_t k;
	tsig_ctx_t c;
	size_t off, len;

	key_of(v, &k);
	memcpy(buf, tv_sha256_query_mac16, sizeof(tv_sha256_query_mac16));
	len = sizeof(tv_sha256_query_mac16);
	tsig_ctx_init(&c, TV_TIME);
	CU_ASSERT_EQUAL_FATAL(tsig_find(buf, len, &off), 1);
	CU_ASSERT_EQUAL(tsig_server_verify(&c, &k, 1, buf, &len, off), TSIG_OK);
	CU_ASSERT_EQUAL(c.mac_len, 16);
	memcpy(buf, tv_sha256_query_mac8, sizeof(tv_sha256_query_mac8));
	len = sizeof(tv_sha256_query_mac8);
	tsig_ctx_init(&c, TV_TIME);
	CU_ASSERT_EQUAL_FATAL(tsig_find(buf, len, &off), 1);
	CU_ASSERT_EQUAL(tsig_server_verify(&c, &k, 1, buf, &len, off), -1);
	/* A SHA-1 key for a SHA-256 MAC is BADKEY before any length is looked at. */
	k.alg = TSIG_HMAC_SHA1;
	memcpy(buf, tv_sha256_query_mac8, sizeof(tv_sha256_query_mac8));
	len = sizeof(tv_sha256_query_mac8);
	CU_ASSERT_EQUAL(tsig_server_verify(&c, &k, 1, buf, &len, off), TSIG_BADKEY);
}

/* Where the TSIG may stand (RFC 8945 5.1): last, in the additional section, once. */
static void test_find(void)
{
	uint8_t m[1024];
	size_t off, n = sizeof(tv_hmac_sha256_query);
	size_t rr = sizeof(tv_query);

	CU_ASSERT_EQUAL(tsig_find(tv_query, sizeof(tv_query), &off), 0);
	CU_ASSERT_FALSE(tsig_maybe(tv_query, sizeof(tv_query)));
	CU_ASSERT_TRUE(tsig_maybe(tv_hmac_sha256_query, n));
	CU_ASSERT_EQUAL(tsig_find(tv_hmac_sha256_query, n, &off), 1);
	CU_ASSERT_EQUAL(off, rr);
	/* Twice: the first is not last. */
	memcpy(m, tv_hmac_sha256_query, n);
	memcpy(m + n, tv_hmac_sha256_query + rr, n - rr);
	wire_put16(m + 10, 2);
	CU_ASSERT_EQUAL(tsig_find(m, n + n - rr, &off), -1);
	/* In the answer section (an OPT in the additional one). */
	memcpy(m, tv_hmac_sha256_query, n);
	memcpy(m + n, "\0\0\x29\x10\0\0\0\0\0\0\0", 11);
	wire_put16(m + 6, 1);
	CU_ASSERT_EQUAL(tsig_find(m, n + 11, &off), -1);
	/* Octets after it; a class other than ANY. */
	memcpy(m, tv_hmac_sha256_query, n);
	m[n] = 0;
	CU_ASSERT_EQUAL(tsig_find(m, n + 1, &off), -1);
	memcpy(m, tv_hmac_sha256_query, n);
	wire_put16(m + rr + wire_name_len(m + rr) + 2, 1);
	CU_ASSERT_EQUAL(tsig_find(m, n, &off), -1);
	/* Cut short. */
	CU_ASSERT_EQUAL(tsig_find(tv_hmac_sha256_query, n - 3, &off), -1);
}

/*
 * A name compressed to an earlier one that does not end before the pointer (a label in the
 * record before's RDATA running on past that record): malformed, whatever follows it. Read as
 * the octets there say, the record's owner would change with the TSIG appended after it (the
 * fuzzer found such a request, signed, whose TSIG could not be found again).
 */
static void test_find_name_past_pointer(void)
{
	static const uint8_t head[] = {
	    0,	  0,   0,   0,	 0, 0, 0, 2, 0, 0, 0, 1, /* AN 2, AR 1 */
	    0,	  0,   1,   0,	 1, 0, 0, 0, 0, 0, 4,	 /* . A IN 0, 4 octets: */
	    8,	  'a', 'b', 'c', /* a label of 8 running on past the record */
	    0xc0, 23,  0,   1,	 0, 1, 0, 0, 0, 0, 0, 0}; /* its owner that label */
	static const uint8_t tsig[] = {0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0};
	uint8_t m[sizeof(head) + sizeof(tsig)];
	size_t off = 0;

	memcpy(m, head, sizeof(head));
	memcpy(m + sizeof(head), tsig, sizeof(tsig));
	CU_ASSERT_EQUAL(tsig_find(m, sizeof(m), &off), -1);
	/* The same name ending before the pointer reads. */
	m[23] = 2;
	m[26] = 0;
	CU_ASSERT_EQUAL(tsig_find(m, sizeof(m), &off), 1);
	CU_ASSERT_EQUAL(off, sizeof(head));
}

static void test_keys(void)
{
	static const char *const bad_b64[] = {"", "abc", "ab=c", "a===", "ab c", "!!!!", "=abc"};
	char err[256];
	tsig_key_t k;

	CU_ASSERT_EQUAL(
	    tsig_key_init(&k, "Xfr.Example", "HMAC-SHA256.", "AAECAw==", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(k.text, "xfr.example.");
	CU_ASSERT_EQUAL(k.secret_len, 4);
	CU_ASSERT_EQUAL(k.secret[3], 3);
	CU_ASSERT_PTR_EQUAL(tsig_key_find_text(&k, 1, "XFR.example."), &k);
	CU_ASSERT_PTR_NULL(tsig_key_find_text(&k, 1, "xfr"));
	CU_ASSERT_EQUAL(tsig_key_init(&k, "k", "hmac-sha1", "AAE=", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(k.secret_len, 2);
	CU_ASSERT_EQUAL(tsig_key_init(&k, "k", "hmac-md5", "AAE=", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown algorithm 'hmac-md5'"));
	for (size_t i = 0; i < sizeof(bad_b64) / sizeof(bad_b64[0]); i++) {
		CU_ASSERT_EQUAL(tsig_key_init(&k, "k", "hmac-sha256", bad_b64[i], err, sizeof(err)),
				-1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "not valid base64"));
	}
	CU_ASSERT_EQUAL(tsig_key_init(&k, "a..b", "hmac-sha256", "AAE=", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a domain name"));
}

void reg_cutest_tsig(void)
{
	CU_pSuite s = CU_add_suite("tsig", NULL, NULL);

	CU_add_test(s, "client signing, as dnspython", test_client_sign);
	CU_add_test(s, "server verification: BADKEY, BADSIG, BADTIME", test_server_verify);
	CU_add_test(s, "server signing, one message and a transfer", test_server_sign);
	CU_add_test(s, "client verification, unsigned messages between", test_client_verify);
	CU_add_test(s, "error answers", test_error_answers);
	CU_add_test(s, "an error answer to a compressed question", test_error_answer_pointer);
	CU_add_test(s, "forward compression pointers are malformed", test_forward_pointer);
	CU_add_test(s, "truncated MACs", test_truncation);
	CU_add_test(s, "where the TSIG stands", test_find);
	CU_add_test(s, "a compressed name ending past its pointer", test_find_name_past_pointer);
	CU_add_test(s, "keys", test_keys);
}
