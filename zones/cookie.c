/* SPDX-License-Identifier: BSD-3-Clause */
/* cookie.c: DNS server cookies (RFC 7873, RFC 9018): SipHash-2-4, the cookie made and checked */
#include "cookie.h"

#include <string.h>

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012) written here rather than OpenSSL's EVP_MAC
 * "SIPHASH": that needs an EVP_MAC_CTX allocated and keyed per use (or per thread and snapshot),
 * and the answer engine never allocates; this is a few dozen instructions a block, no call
 * through a provider. The unit tests check it against OpenSSL's and RFC 9018's examples.
 */
static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static inline void sip_block(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

void cookie_siphash(const uint8_t key[COOKIE_SECRET_LEN], const uint8_t *data, size_t len,
		    uint8_t out[8])
{
	const uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	struct sip s = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
	uint64_t last = (uint64_t)(len & 0xff) << 56, h;
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		sip_block(&s, load_le64(data + i));
	for (unsigned j = 0; i + j < len; j++)
		last |= (uint64_t)data[i + j] << (8 * j);
	sip_block(&s, last);
	s.v2 ^= 0xff;
	for (unsigned r = 0; r < 4; r++)
		sip_round(&s);
	h = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
	for (unsigned j = 0; j < 8; j++)
		out[j] = (uint8_t)(h >> (8 * j));
}

/* The hash of a server cookie: over CLIENT, the cookie's first 8 octets (HEAD) and IP. */
static void cookie_hash(uint8_t out[8], const uint8_t secret[COOKIE_SECRET_LEN],
			const uint8_t client[COOKIE_CLIENT_LEN], const uint8_t head[8],
			const uint8_t *ip, size_t iplen)
{
	uint8_t in[COOKIE_CLIENT_LEN + 8 + 16];

	if (iplen > 16)
		iplen = 16;
	memcpy(in, client, COOKIE_CLIENT_LEN);
	memcpy(in + COOKIE_CLIENT_LEN, head, 8);
	memcpy(in + COOKIE_CLIENT_LEN + 8, ip, iplen);
	cookie_siphash(secret, in, COOKIE_CLIENT_LEN + 8 + iplen, out);
}

void cookie_make(uint8_t out[COOKIE_SERVER_LEN], const uint8_t secret[COOKIE_SECRET_LEN],
		 const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now, const uint8_t *ip,
		 size_t iplen)
{
	out[0] = 1; /* version 1 (RFC 9018 4.2) */
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(now >> 24);
	out[5] = (uint8_t)(now >> 16);
	out[6] = (uint8_t)(now >> 8);
	out[7] = (uint8_t)now;
	cookie_hash(out + 8, secret, client, out, ip, iplen);
}

bool cookie_valid(const uint8_t *server, size_t slen, const uint8_t secret[COOKIE_SECRET_LEN],
		  const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now, const uint8_t *ip,
		  size_t iplen)
{
	uint8_t h[8], diff = 0;
	uint32_t t;

	if (slen != COOKIE_SERVER_LEN || server[0] != 1)
		return false;
	t = (uint32_t)server[4] << 24 | (uint32_t)server[5] << 16 | (uint32_t)server[6] << 8 |
	    server[7];
	/* Serial arithmetic: made at most COOKIE_PAST ago and at most COOKIE_FUTURE ahead. */
	if ((int32_t)(now - t) > COOKIE_PAST || (int32_t)(t - now) > COOKIE_FUTURE)
		return false;
	cookie_hash(h, secret, client, server, ip, iplen);
	/* Every octet compared, whichever differs: no timing to learn the hash from. */
	for (unsigned i = 0; i < 8; i++)
		diff |= (uint8_t)(h[i] ^ server[8 + i]);
	return diff == 0;
}
