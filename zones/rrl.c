/* SPDX-License-Identifier: BSD-3-Clause */
/* rrl.c: response rate limiting: buckets by client network and response, a token per response */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rrl.h"
#include "wire.h"

/* Slots looked at for a key before the stalest of them is taken over. */
#define RRL_WAYS 4

struct rrl_bucket {
	uint64_t key;	  /* 0: free */
	uint32_t second;  /* when the tokens were last refilled */
	int32_t tokens;	  /* responses left in that second */
	uint32_t limited; /* responses limited so far: every slip-th goes out truncated */
	uint32_t pad;
};

struct rrl {
	rrl_cfg_t cfg;
	uint32_t now; /* seconds, set by rrl_tick() */
	size_t mask;
	uint64_t seed;	  /* keys are unpredictable, so nobody aims two networks at one bucket */
	uint32_t net4;	  /* the network part of an IPv4 address, as it lies in memory */
	uint64_t net6[2]; /* and of an IPv6 one */
	struct rrl_bucket *b;
};

/* What the bucket's key says about the response. */
enum rrl_kind {
	RRL_K_ANSWER =
	    1,		/* zt_answer_info.answer: a node and type, a wildcard, NXDOMAIN, referral */
	RRL_K_NAME = 2, /* an answer without records: the question's name */
	RRL_K_ERROR = 3, /* REFUSED, FORMERR, NOTIMP, SERVFAIL, ...: the rcode alone */
};

static void rrl_prefix_mask(uint8_t *mask, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		unsigned take = bits >= 8 ? 8 : bits;

		mask[i] = (uint8_t)(0xff00 >> take);
		bits -= take;
	}
}

_Static_assert(sizeof(struct rrl_bucket) == RRL_BUCKET_BYTES, "rrl.h's RRL_BUCKET_BYTES");

size_t rrl_buckets(unsigned table_size)
{
	size_t n = 64;

	while (n < table_size && n < ((size_t)1 << 24))
		n <<= 1;
	return n;
}

uint64_t rrl_table_bytes(unsigned table_size)
{
	return (uint64_t)rrl_buckets(table_size) * sizeof(struct rrl_bucket);
}

rrl_t *rrl_new(const rrl_cfg_t *cfg)
{
	rrl_t *r;
	size_t n;

	if (cfg->rate == 0)
		return NULL;
	n = rrl_buckets(cfg->table_size);
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->b = calloc(n, sizeof(r->b[0]));
	if (r->b == NULL) {
		free(r);
		return NULL;
	}
	r->cfg = *cfg;
	r->cfg.table_size = (unsigned)n;
	r->mask = n - 1;
	rrl_prefix_mask((uint8_t *)&r->net4, 4, cfg->ipv4_prefix > 32 ? 32 : cfg->ipv4_prefix);
	rrl_prefix_mask((uint8_t *)r->net6, 16, cfg->ipv6_prefix > 128 ? 128 : cfg->ipv6_prefix);
	if (getrandom(&r->seed, sizeof(r->seed), GRND_NONBLOCK) != (ssize_t)sizeof(r->seed))
		r->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uintptr_t)r;
	rrl_tick(r);
	return r;
}

void rrl_free(rrl_t **rrl)
{
	if (rrl == NULL || *rrl == NULL)
		return;
	free((*rrl)->b);
	free(*rrl);
	*rrl = NULL;
}

void rrl_tick(rrl_t *rrl)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	rrl->now = (uint32_t)ts.tv_sec;
}

void rrl_tick_at(rrl_t *rrl, uint32_t second)
{
	rrl->now = second;
}

/* A 64-bit mix (splitmix64's finaliser): every input bit moves about half the output bits. */
static inline uint64_t rrl_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* The question's name in RESP, lower-cased and hashed; its wire length in *QLEN (0: none). */
static uint64_t rrl_qname_hash(const uint8_t *resp, size_t len, size_t *qlen)
{
	uint64_t h = 0x51ed27;
	size_t off = WIRE_HDR_LEN;

	*qlen = 0;
	if (wire_get16(resp + 4) != 1)
		return h;
	while (off < len && resp[off] != 0) {
		uint8_t l = resp[off];

		/* Our responses echo the question uncompressed; anything else is not a question. */
		if (l > 63 || off + 1 + l >= len)
			return h;
		for (size_t i = off + 1; i <= off + l; i++)
			h = h * 31 + wire_lower(resp[i]);
		h = h * 31 + l;
		off += 1 + (size_t)l;
	}
	if (off + 5 > len)
		return h;
	*qlen = off + 1 - WIRE_HDR_LEN;
	return h;
}

/*
 * The length of the OPT record that ends RESP (LEN octets), or 0: the records are walked, so
 * that the last one is known to be a record and an OPT (the engine writes OPT last). Only on
 * the way to a slip: the rare path.
 */
static size_t rrl_opt_len(const uint8_t *resp, size_t len)
{
	unsigned nrr =
	    (unsigned)wire_get16(resp + 6) + wire_get16(resp + 8) + wire_get16(resp + 10);
	const uint8_t *last = NULL;
	wire_ctx_t c;

	if (wire_get16(resp + 10) == 0)
		return 0;
	wire_ctx_init(&c, resp, len);
	wire_ctx_skip(&c, WIRE_HDR_LEN);
	if (wire_get16(resp + 4) == 1) {
		wire_ctx_skip_name(&c);
		wire_ctx_skip(&c, 4);
	}
	for (unsigned i = 0; i < nrr && c.err == 0; i++) {
		last = c.pos;
		wire_ctx_skip_name(&c);
		wire_ctx_skip(&c, 8);
		wire_ctx_skip(&c, wire_ctx_read16(&c));
	}
	if (c.err != 0 || wire_ctx_left(&c) != 0 || last == NULL || last[0] != 0 ||
	    wire_get16(last + 1) != T_OPT)
		return 0;
	return (size_t)(resp + len - last);
}

enum rrl_action rrl_apply(rrl_t *rrl, const uint8_t *addr, size_t alen,
			  const zt_answer_info_t *info, uint8_t *resp, size_t *len)
{
	struct rrl_bucket *b, *take = NULL;
	uint64_t key = rrl->seed, what;
	size_t qlen, i, slot, opt;
	uint8_t rcode;

	if (*len < WIRE_HDR_LEN)
		return RRL_SEND;
	rcode = info->rcode;
	if (alen == 4) {
		uint32_t a;

		memcpy(&a, addr, 4);
		key = rrl_mix(key, 4ULL << 32 | (a & rrl->net4));
	} else {
		uint64_t a[2];

		memcpy(a, addr, 16);
		key = rrl_mix(rrl_mix(key, a[0] & rrl->net6[0]), a[1] & rrl->net6[1]);
	}
	if (rcode != 0 && rcode != 3)
		what = (uint64_t)RRL_K_ERROR << 56 | rcode;
	else if (info->answer != 0)
		what = (uint64_t)RRL_K_ANSWER << 56 | info->answer;
	else
		what = (uint64_t)RRL_K_NAME << 56 ^ rrl_qname_hash(resp, *len, &qlen) >> 8;
	key = rrl_mix(key, what);
	slot = (size_t)(key >> 32);
	key |= 1; /* never the free mark (the slot comes from bits this leaves alone) */

	for (i = 0; i < RRL_WAYS; i++) {
		b = &rrl->b[(slot + i) & rrl->mask];
		if (b->key == key) {
			take = b;
			break;
		}
		if (take == NULL || b->key == 0 || (take->key != 0 && b->second < take->second))
			take = b;
	}
	if (take->key != key) {
		take->key = key;
		take->second = rrl->now;
		take->tokens = (int32_t)rrl->cfg.rate;
		take->limited = 0;
	} else if (take->second != rrl->now) {
		take->second = rrl->now;
		take->tokens = (int32_t)rrl->cfg.rate;
	}
	if (take->tokens > 0) {
		take->tokens--;
		return RRL_SEND;
	}
	take->limited++;
	if (rrl->cfg.slip == 0 || take->limited % rrl->cfg.slip != 0)
		return RRL_DROP;

	/*
	 * Slip: the header, the question and the OPT record if there was one (an answer to an
	 * EDNS query carries it, RFC 6891; BADVERS lives in it), TC set; a real client asks again
	 * over TCP.
	 */
	opt = rrl_opt_len(resp, *len);
	(void)rrl_qname_hash(resp, *len, &qlen);
	resp[2] |= 0x02;
	wire_put16(resp + 6, 0);
	wire_put16(resp + 8, 0);
	wire_put16(resp + 10, opt != 0 ? 1 : 0);
	if (qlen == 0)
		wire_put16(resp + 4, 0);
	else
		qlen += 4;
	if (opt != 0)
		memmove(resp + WIRE_HDR_LEN + qlen, resp + *len - opt, opt);
	*len = WIRE_HDR_LEN + qlen + opt;
	return RRL_SLIP;
}
