/* SPDX-License-Identifier: BSD-3-Clause */
/* test_edns.c: CUnit suite for EDNS options: NSID, DNS cookies (SipHash, RFC 9018), padding */
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "cookie.h"
#include "cutest.h"
#include "dgram.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"

static const char zone_edns[] = "$ORIGIN example.com.\n"
				"$TTL 3600\n"
				"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
				"@ IN NS ns1\n"
				"ns1 IN A 192.0.2.53\n"
				"www IN A 192.0.2.80\n";

static const uint8_t secret[16] = {0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
				   0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};
static const uint8_t ip4[4] = {198, 51, 100, 100};
static zt_t *zt, *zt_plain; /* NSID "ns-a.test" and cookies; neither */

static int suite_init(void)
{
	const zt_opts_t opts = {
	    .nsid = (const uint8_t *)"ns-a.test", .nsid_len = 9, .cookie_secret = secret};
	char err[512];
	zload_zone_t *z =
	    zload_string("example.com.", zone_edns, "edns.zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		return -1;
	zt = zt_new(&z, 1, &opts, err, sizeof(err));
	zt_plain = zt_new(&z, 1, NULL, err, sizeof(err));
	zload_free(&z);
	return zt != NULL && zt_plain != NULL ? 0 : -1;
}

static int suite_cleanup(void)
{
	zt_free(&zt);
	zt_free(&zt_plain);
	return 0;
}

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* ------------------------------------------------------------------ SipHash and cookies */

/* OpenSSL's SipHash-2-4 (EVP_MAC "SIPHASH", 8 octets of output) of DATA under KEY. */
static bool openssl_siphash(const uint8_t key[16], const uint8_t *data, size_t len, uint8_t out[8])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	size_t size = 8, outl = 0;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
			       OSSL_PARAM_construct_end()};
	bool ok = ctx != NULL && EVP_MAC_init(ctx, key, 16, params) == 1 &&
		  EVP_MAC_update(ctx, data, len) == 1 && EVP_MAC_final(ctx, out, &outl, 8) == 1 &&
		  outl == 8;

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok;
}

static void test_siphash(void)
{
	/* The SipHash paper's example: key 00..0f, message 00..0e, 0xa129ca6149be45e5 (its octets
	 * least significant first). */
	uint8_t key[16], msg[64], a[8], b[8], want[8];

	for (unsigned i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	unhex("e545be4961ca29a1", want);
	cookie_siphash(key, msg, 15, a);
	CU_ASSERT_EQUAL(memcmp(a, want, 8), 0);
	/* Every length from 0 to 64 (each tail size), as OpenSSL computes it. */
	for (size_t len = 0; len <= sizeof(msg); len++) {
		cookie_siphash(secret, msg, len, a);
		CU_ASSERT_TRUE_FATAL(openssl_siphash(secret, msg, len, b));
		CU_ASSERT_EQUAL(memcmp(a, b, 8), 0);
	}
}

static void test_cookie_rfc9018(void)
{
	/* RFC 9018 appendix A: the server cookies its examples show. */
	static const struct {
		const char *secret, *client, *want;
		uint8_t ip[16];
		size_t iplen;
		uint32_t now;
	} v[] = {
	    {"e5e973e5a6b2a43f48e7dc849e37bfcf",
	     "2464c4abcf10c957",
	     "010000005cf79f111f8130c3eee29480",
	     {198, 51, 100, 100},
	     4,
	     1559731985},
	    {"e5e973e5a6b2a43f48e7dc849e37bfcf",
	     "2464c4abcf10c957",
	     "010000005cf7a871d4a564a1442aca77",
	     {198, 51, 100, 100},
	     4,
	     1559734385},
	    {"e5e973e5a6b2a43f48e7dc849e37bfcf",
	     "fc93fc62807ddb86",
	     "010000005cf7a9acf73a7810aca2381e",
	     {203, 0, 113, 203},
	     4,
	     1559734700},
	    {"445536bcd2513298075a5d379663c962",
	     "22681ab97d52c298",
	     "010000005cf7c609a6bb79d16625507a",
	     {0x20, 0x01, 0x0d, 0xb8, 0x02, 0x20, 0x00, 0x01, 0x59, 0xde, 0xd0, 0xf4, 0x87, 0x69,
	      0x82, 0xb8},
	     16,
	     1559741961},
	};
	uint8_t key[16], client[8], want[16], got[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unhex(v[i].secret, key);
		unhex(v[i].client, client);
		unhex(v[i].want, want);
		cookie_make(got, key, client, v[i].now, v[i].ip, v[i].iplen);
		CU_ASSERT_EQUAL(memcmp(got, want, 16), 0);
		CU_ASSERT_TRUE(cookie_valid(want, 16, key, client, v[i].now, v[i].ip, v[i].iplen));
		/* Another address, another client cookie: not ours. */
		CU_ASSERT_FALSE(cookie_valid(want, 16, key, client, v[i].now, v[i].ip, 3));
		client[0] ^= 1;
		CU_ASSERT_FALSE(cookie_valid(want, 16, key, client, v[i].now, v[i].ip, v[i].iplen));
	}
	/* A.3: the reserved octets a client sent back are hashed as they are. */
	{
		const uint8_t ip[4] = {203, 0, 113, 203};
		uint8_t c[24];

		unhex("fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", c);
		unhex("e5e973e5a6b2a43f48e7dc849e37bfcf", key);
		CU_ASSERT_TRUE(cookie_valid(c + 8, 16, key, c, 0x5cf78f71, ip, 4));
		c[9] ^= 1;
		CU_ASSERT_FALSE(cookie_valid(c + 8, 16, key, c, 0x5cf78f71, ip, 4));
	}
}

static void test_cookie_window(void)
{
	const uint8_t client[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const uint32_t t = 0xfffff000; /* near the wrap of the 32-bit clock */
	uint8_t sc[16];

	cookie_make(sc, secret, client, t, ip4, 4);
	CU_ASSERT_TRUE(cookie_valid(sc, 16, secret, client, t, ip4, 4));
	CU_ASSERT_TRUE(cookie_valid(sc, 16, secret, client, t + COOKIE_PAST, ip4, 4));
	CU_ASSERT_FALSE(cookie_valid(sc, 16, secret, client, t + COOKIE_PAST + 1, ip4, 4));
	CU_ASSERT_TRUE(cookie_valid(sc, 16, secret, client, t - COOKIE_FUTURE, ip4, 4));
	CU_ASSERT_FALSE(cookie_valid(sc, 16, secret, client, t - COOKIE_FUTURE - 1, ip4, 4));
	/* Only our length and version. */
	CU_ASSERT_FALSE(cookie_valid(sc, 15, secret, client, t, ip4, 4));
	sc[0] = 2;
	CU_ASSERT_FALSE(cookie_valid(sc, 16, secret, client, t, ip4, 4));
}

/* ------------------------------------------------------------------ the engine */

static uint8_t qbuf[1024], rbuf[4096];
static zt_answer_info_t info;

/* A query for NAME/A with an OPT holding OPTS (OPTLEN octets). */
static size_t query_opts(const char *name, const uint8_t *opts, uint16_t optlen)
{
	size_t len = tu_query(qbuf, 0x4242, F_RD, name, T_A, C_IN);

	qbuf[len] = 0;
	wire_put16(qbuf + len + 1, T_OPT);
	wire_put16(qbuf + len + 3, 1232);
	memset(qbuf + len + 5, 0, 4);
	wire_put16(qbuf + len + 9, optlen);
	memcpy(qbuf + len + 11, opts, optlen);
	wire_put16(qbuf + 10, 1);
	return len + 11 + optlen;
}

/* Appends option CODE with LEN octets of DATA at P; returns the octets written. */
static uint16_t opt(uint8_t *p, uint16_t code, const uint8_t *data, uint16_t len)
{
	wire_put16(p, code);
	wire_put16(p + 2, len);
	if (len > 0)
		memcpy(p + 4, data, len);
	return (uint16_t)(4 + len);
}

struct reply {
	ldns_pkt *pkt;
	unsigned rcode; /* the full rcode: extended included */
	bool has_opt;
	uint8_t nsid[256];
	int nsid_len; /* -1: none */
	uint8_t cookie[64];
	int cookie_len; /* -1: none */
	unsigned nopts;
	uint16_t codes[8]; /* the options in their order */
};

/* Answers QLEN octets of qbuf from T over TRANSPORT, from CLIENT (4 octets, or NULL). */
static bool answer(const zt_t *t, size_t qlen, uint8_t transport, const uint8_t *client,
		   struct reply *r)
{
	const zt_answer_ctx_t ctx = {
	    .transport = transport, .client = client, .client_len = client != NULL ? 4 : 0};
	size_t len = zt_answer(t, qbuf, qlen, rbuf, sizeof(rbuf), &ctx, &info);
	const ldns_rdf *d;

	memset(r, 0, sizeof(*r));
	r->nsid_len = r->cookie_len = -1;
	if (len == 0 || ldns_wire2pkt(&r->pkt, rbuf, len) != LDNS_STATUS_OK)
		return false;
	r->rcode = ldns_pkt_get_rcode(r->pkt);
	r->has_opt = ldns_pkt_edns(r->pkt);
	if (r->has_opt)
		r->rcode |= (unsigned)ldns_pkt_edns_extended_rcode(r->pkt) << 4;
	d = ldns_pkt_edns_data(r->pkt);
	for (size_t o = 0; d != NULL && o + 4 <= ldns_rdf_size(d);) {
		const uint8_t *p = ldns_rdf_data(d) + o;
		uint16_t code = wire_get16(p), olen = wire_get16(p + 2);

		if (r->nopts < 8)
			r->codes[r->nopts] = code;
		r->nopts++;
		if (code == 3 && olen <= sizeof(r->nsid)) {
			memcpy(r->nsid, p + 4, olen);
			r->nsid_len = olen;
		} else if (code == 10 && olen <= sizeof(r->cookie)) {
			memcpy(r->cookie, p + 4, olen);
			r->cookie_len = olen;
		}
		o += 4u + olen;
	}
	return true;
}

static void done(struct reply *r)
{
	ldns_pkt_free(r->pkt);
	r->pkt = NULL;
}

static void test_nsid(void)
{
	uint8_t o[64] = {0};
	struct reply r;
	uint16_t n;

	/* Asked (empty): answered with the configured value, answer and all. */
	n = opt(o, 3, NULL, 0);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 1);
	CU_ASSERT_EQUAL(r.nsid_len, 9);
	CU_ASSERT_EQUAL(memcmp(r.nsid, "ns-a.test", 9), 0);
	CU_ASSERT_EQUAL(r.nopts, 1);
	done(&r);
	/* Not asked: none. */
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, 0), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.nopts, 0);
	done(&r);
	/* With content in the query (it should be empty): Knot answers it all the same. */
	n = opt(o, 3, (const uint8_t *)"\xab\xcd", 2);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_TCP, NULL, &r));
	CU_ASSERT_EQUAL(r.nsid_len, 9);
	done(&r);
	/* REFUSED: NSID before the extended error (Knot's order). */
	n = opt(o, 3, NULL, 0);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.org", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_REFUSED);
	CU_ASSERT_EQUAL(r.nopts, 2);
	CU_ASSERT_EQUAL(r.codes[0], 3);
	CU_ASSERT_EQUAL(r.codes[1], 15);
	done(&r);
	/* No NSID configured: none answered. */
	CU_ASSERT_TRUE_FATAL(
	    answer(zt_plain, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.nopts, 0);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 1);
	done(&r);
}

static void test_cookie_flow(void)
{
	const uint8_t cc[8] = {0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57};
	uint8_t o[64] = {0}, full[40];
	struct reply r;
	uint16_t n;
	uint32_t now = (uint32_t)time(NULL);

	/* A client cookie alone over UDP: BADCOOKIE with a fresh server cookie (Knot). */
	n = opt(o, 10, cc, 8);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
	CU_ASSERT_EQUAL(info.rcode, RC_BADCOOKIE);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 0);
	CU_ASSERT_FALSE(ldns_pkt_aa(r.pkt));
	CU_ASSERT_EQUAL_FATAL(r.cookie_len, 24);
	CU_ASSERT_EQUAL(memcmp(r.cookie, cc, 8), 0);
	CU_ASSERT_TRUE(cookie_valid(r.cookie + 8, 16, secret, cc, now, ip4, 4));
	memcpy(full, r.cookie, 24);
	done(&r);
	/* That cookie back: answered, the same cookie echoed. */
	n = opt(o, 10, full, 24);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 1);
	CU_ASSERT_EQUAL_FATAL(r.cookie_len, 24);
	CU_ASSERT_EQUAL(memcmp(r.cookie, full, 24), 0);
	done(&r);
	/* From another address it is not ours: BADCOOKIE and a fresh one. */
	{
		const uint8_t other[4] = {198, 51, 100, 101};

		CU_ASSERT_TRUE_FATAL(
		    answer(zt, query_opts("www.example.com", o, n), ZT_UDP, other, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
		CU_ASSERT_TRUE(cookie_valid(r.cookie + 8, 16, secret, cc, now, other, 4));
		done(&r);
	}
	/* Corrupted: BADCOOKIE over UDP, a normal answer with a fresh cookie over TCP. */
	full[23] ^= 0x80;
	n = opt(o, 10, full, 24);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
	CU_ASSERT_EQUAL(r.cookie_len, 24);
	CU_ASSERT_TRUE(cookie_valid(r.cookie + 8, 16, secret, cc, now, ip4, 4));
	done(&r);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_TCP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 1);
	CU_ASSERT_EQUAL(r.cookie_len, 24);
	CU_ASSERT_TRUE(cookie_valid(r.cookie + 8, 16, secret, cc, now, ip4, 4));
	done(&r);
	/* Expired (made two hours ago): BADCOOKIE. */
	memcpy(full, cc, 8);
	cookie_make(full + 8, secret, cc, now - 7200, ip4, 4);
	n = opt(o, 10, full, 24);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
	done(&r);
	/* NSID and COOKIE together: NSID first (Knot's order). */
	n = opt(o, 3, NULL, 0);
	n = (uint16_t)(n + opt(o + n, 10, cc, 8));
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_TCP, ip4, &r));
	CU_ASSERT_EQUAL(r.nopts, 2);
	CU_ASSERT_EQUAL(r.codes[0], 3);
	CU_ASSERT_EQUAL(r.codes[1], 10);
	done(&r);
	/* Cookies off (no secret), or no client address known: the option is ignored. */
	n = opt(o, 10, cc, 8);
	CU_ASSERT_TRUE_FATAL(
	    answer(zt_plain, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL(r.nopts, 0);
	done(&r);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, NULL, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL(r.nopts, 0);
	done(&r);
}

/* A query with no question, an OPT holding OPTS: QDCOUNT 0, opcode OPCODE. */
static size_t query_noq(unsigned opcode, const uint8_t *opts, uint16_t optlen)
{
	memset(qbuf, 0, WIRE_HDR_LEN);
	wire_put16(qbuf, 0x4343);
	wire_put16(qbuf + 2, (uint16_t)(opcode << 11));
	wire_put16(qbuf + 10, 1);
	qbuf[WIRE_HDR_LEN] = 0;
	wire_put16(qbuf + WIRE_HDR_LEN + 1, T_OPT);
	wire_put16(qbuf + WIRE_HDR_LEN + 3, 1232);
	memset(qbuf + WIRE_HDR_LEN + 5, 0, 4);
	wire_put16(qbuf + WIRE_HDR_LEN + 9, optlen);
	memcpy(qbuf + WIRE_HDR_LEN + 11, opts, optlen);
	return WIRE_HDR_LEN + 11u + optlen;
}

static void test_cookie_noq(void)
{
	const uint8_t cc[8] = {0x71, 0x02, 0xa3, 0x14, 0x55, 0x96, 0x07, 0xf8};
	uint8_t o[64] = {0}, full[24];
	struct reply r;
	uint16_t n;
	uint32_t now = (uint32_t)time(NULL);

	/* RFC 7873 5.4: a client cookie alone, no question: NOERROR with a server cookie (BIND
	 * 9.18 answers so; Knot 3.2's module FORMERR without one), over UDP and TCP. */
	n = opt(o, 10, cc, 8);
	for (int tcp = 0; tcp < 2; tcp++) {
		CU_ASSERT_TRUE_FATAL(
		    answer(zt, query_noq(0, o, n), tcp ? ZT_TCP : ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
		CU_ASSERT_EQUAL(info.rcode, RC_NOERROR);
		CU_ASSERT_EQUAL(ldns_pkt_qdcount(r.pkt), 0);
		CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 0);
		CU_ASSERT_FALSE(ldns_pkt_aa(r.pkt));
		CU_ASSERT_EQUAL(ldns_pkt_id(r.pkt), 0x4343);
		CU_ASSERT_EQUAL_FATAL(r.cookie_len, 24);
		CU_ASSERT_EQUAL(memcmp(r.cookie, cc, 8), 0);
		CU_ASSERT_TRUE(cookie_valid(r.cookie + 8, 16, secret, cc, now, ip4, 4));
		memcpy(full, r.cookie, 24);
		done(&r);
	}
	/* The server cookie sent back, valid: NOERROR, the same cookie. */
	n = opt(o, 10, full, 24);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_noq(0, o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL_FATAL(r.cookie_len, 24);
	CU_ASSERT_EQUAL(memcmp(r.cookie, full, 24), 0);
	done(&r);
	/* Not valid (corrupted): BADCOOKIE with a fresh one, over TCP as well. */
	full[20] ^= 0x01;
	n = opt(o, 10, full, 24);
	for (int tcp = 0; tcp < 2; tcp++) {
		CU_ASSERT_TRUE_FATAL(
		    answer(zt, query_noq(0, o, n), tcp ? ZT_TCP : ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
		CU_ASSERT_EQUAL(info.rcode, RC_BADCOOKIE);
		CU_ASSERT_EQUAL_FATAL(r.cookie_len, 24);
		CU_ASSERT_TRUE(cookie_valid(r.cookie + 8, 16, secret, cc, now, ip4, 4));
		done(&r);
	}
	/* Cookies off, no COOKIE, a malformed one, or another opcode: FORMERR as before. */
	n = opt(o, 10, cc, 8);
	CU_ASSERT_TRUE_FATAL(answer(zt_plain, query_noq(0, o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
	CU_ASSERT_EQUAL(r.cookie_len, -1);
	done(&r);
	n = opt(o, 3, NULL, 0);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_noq(0, o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
	done(&r);
	n = opt(o, 10, cc, 7);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_noq(0, o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
	CU_ASSERT_EQUAL(r.cookie_len, -1);
	done(&r);
	n = opt(o, 10, cc, 8);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_noq(5, o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_NOT_EQUAL(r.rcode, RC_NOERROR);
	done(&r);
	/* No client address known (cookies cannot be made): FORMERR. */
	CU_ASSERT_TRUE_FATAL(answer(zt, query_noq(0, o, n), ZT_UDP, NULL, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
	done(&r);
}

static void test_cookie_bad(void)
{
	/* One octet more than the longest well-formed option, for the 41-octet case. */
	const uint8_t cc[41] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint16_t bad_len[] = {0, 7, 9, 15, 41};
	uint8_t o[128];
	struct reply r;
	uint16_t n;

	/* Lengths RFC 7873 4 does not allow: FORMERR, the OPT kept with NSID and no COOKIE. */
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		n = opt(o, 3, NULL, 0);
		n = (uint16_t)(n + opt(o + n, 10, cc, bad_len[i]));
		CU_ASSERT_TRUE_FATAL(
		    answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
		CU_ASSERT_TRUE(r.has_opt);
		CU_ASSERT_EQUAL(r.nsid_len, 9);
		CU_ASSERT_EQUAL(r.cookie_len, -1);
		done(&r);
	}
	/* The same whatever the opcode (Knot): not NOTIFY's NOTAUTH nor UPDATE's NOTIMP. */
	for (unsigned opcode = 1; opcode <= 5; opcode++) {
		size_t ql;

		n = opt(o, 3, NULL, 0);
		n = (uint16_t)(n + opt(o + n, 10, cc, 3));
		ql = query_opts("www.example.com", o, n);
		qbuf[2] = (uint8_t)((qbuf[2] & 0x87) | opcode << 3);
		CU_ASSERT_TRUE_FATAL(answer(zt, ql, ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
		CU_ASSERT_EQUAL(r.nsid_len, 9);
		done(&r);
	}
	/* 16 and 40 octets are well formed (server cookies of 8 and 32 we did not make). */
	n = opt(o, 10, cc, 40);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
	CU_ASSERT_EQUAL(r.cookie_len, 24);
	done(&r);
	/* Two COOKIE options: the last counts (Knot). */
	{
		const uint8_t c2[8] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};

		n = opt(o, 10, cc, 8);
		n = (uint16_t)(n + opt(o + n, 10, c2, 8));
		CU_ASSERT_TRUE_FATAL(
		    answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
		CU_ASSERT_EQUAL(r.cookie_len, 24);
		CU_ASSERT_EQUAL(memcmp(r.cookie, c2, 8), 0);
		done(&r);
	}
	/* An option that runs past the OPT's RDATA: FORMERR without OPT. */
	n = opt(o, 10, cc, 8);
	wire_put16(o + 2, 12);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_FORMERR);
	CU_ASSERT_FALSE(r.has_opt);
	done(&r);
	/* EDNS version 1 with a client cookie: BADVERS, not BADCOOKIE, and no COOKIE. */
	n = opt(o, 10, cc, 8);
	{
		size_t qlen = query_opts("www.example.com", o, n);

		qbuf[qlen - n - 11 + 6] = 1;
		CU_ASSERT_TRUE_FATAL(answer(zt, qlen, ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_BADVERS);
		CU_ASSERT_EQUAL(r.cookie_len, -1); /* none (Knot) */
		done(&r);
	}
	/* A NOTIFY with a client cookie over UDP: BADCOOKIE too (Knot), and not taken. */
	n = opt(o, 10, cc, 8);
	{
		size_t qlen = query_opts("example.com", o, n);

		wire_put16(qbuf + 2, 4 << 11);
		wire_put16(qbuf + qlen - n - 11 - 4, T_SOA);
		CU_ASSERT_TRUE_FATAL(answer(zt, qlen, ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
		CU_ASSERT_FALSE(info.notify);
		CU_ASSERT_EQUAL(r.cookie_len, 24);
		done(&r);
		/* Over TCP it is a NOTIFY like any other. */
		CU_ASSERT_TRUE_FATAL(answer(zt, qlen, ZT_TCP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_NOTAUTH);
		CU_ASSERT_TRUE(info.notify);
		done(&r);
		/* UPDATE (opcode 5): BADCOOKIE over UDP rather than NOTIMP. */
		wire_put16(qbuf + 2, 5 << 11);
		CU_ASSERT_TRUE_FATAL(answer(zt, qlen, ZT_UDP, ip4, &r));
		CU_ASSERT_EQUAL(r.rcode, RC_BADCOOKIE);
		done(&r);
	}
}

static void test_padding(void)
{
	const uint8_t zeros[64] = {0};
	uint8_t o[128] = {0};
	struct reply r, plain;
	uint16_t n;

	/* A Padding option is accepted and not answered (Knot pads only over TLS and QUIC). */
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, 0), ZT_UDP, ip4, &plain));
	n = opt(o, 12, zeros, 40);
	CU_ASSERT_TRUE_FATAL(answer(zt, query_opts("www.example.com", o, n), ZT_UDP, ip4, &r));
	CU_ASSERT_EQUAL(r.rcode, RC_NOERROR);
	CU_ASSERT_EQUAL(r.nopts, 0);
	CU_ASSERT_EQUAL(ldns_pkt_ancount(r.pkt), 1);
	CU_ASSERT_EQUAL(ldns_pkt_size(r.pkt), ldns_pkt_size(plain.pkt));
	done(&r);
	done(&plain);
}

/* The DPDK workers and kernel sockets answer through dgram_answer(): the client's address there.
 */
static void test_dgram_cookie(void)
{
	const uint8_t cc[8] = {8, 7, 6, 5, 4, 3, 2, 1};
	static uint64_t st[DGRAM_STAT_COUNT], detail[DGRAM_DETAIL];
	const dgram_ctx_t dg = {.stats = st, .detail = detail};
	uint8_t o[64], act = 0, buf[1232];
	uint16_t n = opt(o, 10, cc, 8);
	size_t qlen = query_opts("www.example.com", o, n), len;
	ldns_pkt *p = NULL;

	memcpy(buf, qbuf, qlen);
	len = dgram_answer(&dg, zt, buf, qlen, sizeof(buf), ip4, 4, &info, &act);
	CU_ASSERT_TRUE_FATAL(len > 0);
	CU_ASSERT_EQUAL(info.rcode, RC_BADCOOKIE);
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&p, buf, len), LDNS_STATUS_OK);
	{
		const ldns_rdf *d = ldns_pkt_edns_data(p);

		CU_ASSERT_TRUE_FATAL(d != NULL && ldns_rdf_size(d) == 28);
		CU_ASSERT_TRUE(cookie_valid(ldns_rdf_data(d) + 12, 16, secret, cc,
					    (uint32_t)time(NULL), ip4, 4));
	}
	ldns_pkt_free(p);
}

void reg_cutest_edns(void)
{
	CU_pSuite s = CU_add_suite("edns", suite_init, suite_cleanup);

	CU_add_test(s, "SipHash-2-4 as OpenSSL's", test_siphash);
	CU_add_test(s, "server cookies: RFC 9018's examples", test_cookie_rfc9018);
	CU_add_test(s, "server cookies: age window", test_cookie_window);
	CU_add_test(s, "NSID", test_nsid);
	CU_add_test(s, "cookies: first, valid, corrupted, expired", test_cookie_flow);
	CU_add_test(s, "cookies: malformed, twice, BADVERS, NOTIFY", test_cookie_bad);
	CU_add_test(s, "cookies: no question, a server cookie asked for", test_cookie_noq);
	CU_add_test(s, "padding accepted, not answered", test_padding);
	CU_add_test(s, "cookies through dgram_answer (sockets, DPDK)", test_dgram_cookie);
}
