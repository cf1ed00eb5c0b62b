/* SPDX-License-Identifier: BSD-3-Clause */
/* tsig.c: TSIG (RFC 8945) over wire messages: keys, verifying and signing, one message or many */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tsig.h"
#include "wire.h"

#define TSIG_CLASS_ANY 255
/* Unsigned messages a multi-message response may have in a row (RFC 8945 5.3.1). */
#define TSIG_UNSIGNED_MAX 99

static const char *const alg_names[] = {"hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"};
static const char *const alg_digests[] = {"SHA1", "SHA256", "SHA384", "SHA512"};
static const size_t alg_sizes[] = {20, 32, 48, 64};

int tsig_alg_parse(const char *name)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (strlen(alg_names[i]) == len && strncasecmp(alg_names[i], name, len) == 0)
			return (int)i;
	return -1;
}

const char *tsig_alg_name(enum tsig_alg alg)
{
	return alg_names[alg];
}

/* TEXT ("a.b" or "a.b.") to wire form in lower case; 0 when it is not a plain domain name. */
static size_t name_from_text(const char *text, uint8_t out[256])
{
	size_t len = 0, tl = strlen(text);

	if (tl == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}
	if (tl == 0 || text[0] == '.')
		return 0;
	while (*text != '\0') {
		size_t l = strcspn(text, ".");

		if (l == 0 || l > WIRE_LABEL_MAX || len + 1 + l + 1 > WIRE_NAME_MAX)
			return 0;
		out[len++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			unsigned char ch = (unsigned char)text[i];

			if (ch <= ' ' || ch == '\\' || ch == '"' || ch >= 0x7f)
				return 0;
			out[len++] = wire_lower(ch);
		}
		text += l;
		if (*text == '.')
			text++;
	}
	out[len++] = 0;
	return len;
}

/* Standard base64 with padding; the decoded length, or -1. */
static long b64_decode(const char *in, uint8_t *out, size_t cap)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0;

	if (n == 0 || n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int pad = 0;

		for (int j = 0; j < 4; j++) {
			const char *p;

			if (in[i + j] == '=' && i + 4 == n && j >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			p = in[i + j] != '\0' ? strchr(set, in[i + j]) : NULL;
			if (p == NULL || pad != 0)
				return -1;
			v = v << 6 | (uint32_t)(p - set);
		}
		if (o + 3 - (size_t)pad > cap)
			return -1;
		out[o++] = (uint8_t)(v >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)v;
	}
	return (long)o;
}

int tsig_key_init(tsig_key_t *k, const char *name, const char *alg, const char *secret_b64,
		  char *err, size_t errlen)
{
	int a = tsig_alg_parse(alg);
	long n;

	memset(k, 0, sizeof(*k));
	k->name_len = name_from_text(name, k->name);
	if (k->name_len == 0) {
		snprintf(err, errlen, "'%s' is not a domain name", name);
		return -1;
	}
	wire_name_to_text(k->name, k->text, sizeof(k->text));
	if (a < 0) {
		snprintf(err, errlen,
			 "unknown algorithm '%s' (hmac-sha1, hmac-sha256, hmac-sha384 or "
			 "hmac-sha512)",
			 alg);
		return -1;
	}
	k->alg = (enum tsig_alg)a;
	n = b64_decode(secret_b64, k->secret, sizeof(k->secret));
	if (n <= 0) {
		memset(k->secret, 0, sizeof(k->secret));
		snprintf(err, errlen,
			 "the secret of key %s is not valid base64 (at most %d octets)", k->text,
			 TSIG_SECRET_MAX);
		return -1;
	}
	k->secret_len = (size_t)n;
	return 0;
}

const tsig_key_t *tsig_key_find(const tsig_key_t *keys, size_t n, const uint8_t *name)
{
	for (size_t i = 0; i < n; i++)
		if (wire_name_eq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

const tsig_key_t *tsig_key_find_text(const tsig_key_t *keys, size_t n, const char *name)
{
	uint8_t w[256];

	if (name_from_text(name, w) == 0)
		return NULL;
	return tsig_key_find(keys, n, w);
}

/*
 * Reads the name at *POS of MSG (LEN), following pointers, into OUT (in lower case when LOWER);
 * moves *POS past it. The length, 0 when it is malformed.
 */
static size_t expand_name(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[256], bool lower)
{
	size_t p = *pos, o = 0, end = 0, lim = len;

	for (;;) {
		uint8_t l;

		if (p >= lim)
			return 0;
		l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (p + 1 >= lim)
				return 0;
			target = (size_t)(l & 0x3f) << 8 | msg[p + 1];
			/* Only backwards, as the query parser (wire.c) and Knot: no loops. And the
			 * name there must end before the pointer (as an earlier name does): else a
			 * label read from it could run on past this record, into what follows it
			 * (a TSIG appended would change it). */
			if (target >= p)
				return 0;
			if (end == 0)
				end = p + 2;
			lim = p;
			p = target;
			continue;
		}
		if (l > WIRE_LABEL_MAX || p + 1 + l > lim || o + 1 + l > WIRE_NAME_MAX)
			return 0;
		out[o++] = l;
		for (size_t i = 0; i < l; i++)
			out[o++] = lower ? wire_lower(msg[p + 1 + i]) : msg[p + 1 + i];
		p += 1 + (size_t)l;
		if (l == 0)
			break;
	}
	*pos = end != 0 ? end : p;
	return o;
}

static size_t read_name(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[256])
{
	return expand_name(msg, len, pos, out, true);
}

int tsig_find(const uint8_t *msg, size_t len, size_t *off)
{
	unsigned qd, an, ns, ar, total;
	uint8_t name[256];
	size_t pos = WIRE_HDR_LEN;

	if (len < WIRE_HDR_LEN)
		return 0;
	qd = wire_get16(msg + 4);
	an = wire_get16(msg + 6);
	ns = wire_get16(msg + 8);
	ar = wire_get16(msg + 10);
	if (ar == 0)
		return 0;
	total = an + ns + ar;
	for (unsigned i = 0; i < qd; i++) {
		if (read_name(msg, len, &pos, name) == 0 || len - pos < 4)
			return -1;
		pos += 4;
	}
	for (unsigned i = 0; i < total; i++) {
		size_t start = pos;
		uint16_t type, rdlen;

		if (read_name(msg, len, &pos, name) == 0 || len - pos < 10)
			return -1;
		type = wire_get16(msg + pos);
		rdlen = wire_get16(msg + pos + 8);
		if (len - pos - 10 < rdlen)
			return -1;
		if (type == T_TSIG) {
			if (i + 1 != total || i < an + ns ||
			    wire_get16(msg + pos + 2) != TSIG_CLASS_ANY ||
			    wire_get32(msg + pos + 4) != 0 || pos + 10 + rdlen != len)
				return -1;
			*off = start;
			return 1;
		}
		pos += 10 + (size_t)rdlen;
	}
	return 0;
}

/* A TSIG record as read. */
struct tsig_rr {
	uint8_t owner[256];
	size_t owner_len;
	uint8_t alg[256];
	size_t alg_len;
	uint64_t time;
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t mac_len;
	uint16_t orig_id;
	uint16_t error;
	const uint8_t *other;
	uint16_t other_len;
};

static uint64_t get48(const uint8_t *p)
{
	return (uint64_t)wire_get16(p) << 32 | wire_get32(p + 2);
}

static void put48(uint8_t *p, uint64_t v)
{
	wire_put16(p, (uint16_t)(v >> 32));
	wire_put32(p + 2, (uint32_t)v);
}

/* Reads the TSIG record at OFF (tsig_find()'s) of MSG (LEN); false when malformed. */
static bool rr_parse(const uint8_t *msg, size_t len, size_t off, struct tsig_rr *rr)
{
	size_t pos = off, end;

	rr->owner_len = read_name(msg, len, &pos, rr->owner);
	if (rr->owner_len == 0 || len - pos < 10)
		return false;
	end = pos + 10 + wire_get16(msg + pos + 8);
	pos += 10;
	rr->alg_len = read_name(msg, end, &pos, rr->alg);
	if (rr->alg_len == 0 || end - pos < 10)
		return false;
	rr->time = get48(msg + pos);
	rr->fudge = wire_get16(msg + pos + 6);
	rr->mac_len = wire_get16(msg + pos + 8);
	pos += 10;
	if (end - pos < (size_t)rr->mac_len + 6)
		return false;
	rr->mac = msg + pos;
	pos += rr->mac_len;
	rr->orig_id = wire_get16(msg + pos);
	rr->error = wire_get16(msg + pos + 2);
	rr->other_len = wire_get16(msg + pos + 4);
	pos += 6;
	if (end - pos != rr->other_len)
		return false;
	rr->other = msg + pos;
	return true;
}

/* The algorithm a wire name says (lower case), or -1. */
static int alg_from_wire(const uint8_t *name)
{
	char text[256];
	size_t l;

	wire_name_to_text(name, text, sizeof(text));
	l = strlen(text);
	if (l > 1 && text[l - 1] == '.')
		text[l - 1] = '\0';
	return tsig_alg_parse(text);
}

/* ---- the HMAC ---- */

static EVP_MAC_CTX *hmac_new(const tsig_key_t *k)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;

	EVP_MAC_free(mac); /* the context holds its own reference */
	if (c == NULL)
		return NULL;
	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)alg_digests[k->alg], 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(c, k->secret, k->secret_len, params)) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

static void hmac_u16(EVP_MAC_CTX *c, uint16_t v)
{
	uint8_t b[2];

	wire_put16(b, v);
	EVP_MAC_update(c, b, 2);
}

/* A MAC to chain: its size, then itself (RFC 8945 4.3.2 and 5.3.1). */
static void hmac_prior(EVP_MAC_CTX *c, const uint8_t *mac, size_t mac_len)
{
	hmac_u16(c, (uint16_t)mac_len);
	EVP_MAC_update(c, mac, mac_len);
}

/* The message (LEN octets, TSIG not in it) as it was before signing: ID and ARCOUNT given. */
static void hmac_msg(EVP_MAC_CTX *c, const uint8_t *msg, size_t len, uint16_t id, uint16_t ar)
{
	hmac_u16(c, id);
	EVP_MAC_update(c, msg + 2, 8);
	hmac_u16(c, ar);
	EVP_MAC_update(c, msg + WIRE_HDR_LEN, len - WIRE_HDR_LEN);
}

/* The TSIG variables (RFC 8945 4.3.3), or the timers alone (5.3.1). */
static void hmac_vars(EVP_MAC_CTX *c, const uint8_t *key, size_t key_len, const uint8_t *alg,
		      size_t alg_len, uint64_t time, uint16_t fudge, uint16_t error,
		      const uint8_t *other, uint16_t other_len, bool timers_only)
{
	uint8_t b[8];

	if (!timers_only) {
		EVP_MAC_update(c, key, key_len);
		hmac_u16(c, TSIG_CLASS_ANY);
		memset(b, 0, 4);
		EVP_MAC_update(c, b, 4);
		EVP_MAC_update(c, alg, alg_len);
	}
	put48(b, time);
	wire_put16(b + 6, fudge);
	EVP_MAC_update(c, b, 8);
	if (!timers_only) {
		hmac_u16(c, error);
		hmac_u16(c, other_len);
		EVP_MAC_update(c, other, other_len);
	}
}

static size_t hmac_final(EVP_MAC_CTX *c, uint8_t out[TSIG_MAC_MAX])
{
	size_t n = 0;

	if (!EVP_MAC_final(c, out, &n, TSIG_MAC_MAX))
		n = 0;
	EVP_MAC_CTX_free(c);
	return n;
}

void tsig_ctx_init(tsig_ctx_t *ctx, uint64_t now)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->now = now != 0 ? now : (uint64_t)time(NULL);
}

void tsig_ctx_clear(tsig_ctx_t *ctx)
{
	EVP_MAC_CTX_free(ctx->hmac);
	OPENSSL_cleanse(ctx->mac, sizeof(ctx->mac));
	ctx->hmac = NULL;
}

/* Whether a MAC of LEN octets is allowed for a hash of HASH octets (RFC 8945 5.2.2.1). */
static bool mac_len_ok(size_t len, size_t hash)
{
	size_t min = hash / 2 > 10 ? hash / 2 : 10;

	return len <= hash && len >= min;
}

static bool time_ok(uint64_t now, uint64_t signed_at, uint16_t fudge)
{
	return now > signed_at ? now - signed_at <= fudge : signed_at - now <= fudge;
}

/* ---- the server ---- */

int tsig_server_verify(tsig_ctx_t *ctx, const tsig_key_t *keys, size_t nkeys, uint8_t *msg,
		       size_t *len, size_t off)
{
	uint8_t mac[TSIG_MAC_MAX];
	struct tsig_rr rr;
	const tsig_key_t *key;
	EVP_MAC_CTX *c;
	uint16_t ar;
	size_t n;
	int alg;

	ctx->key = NULL;
	ctx->nmsg = 0;
	if (!rr_parse(msg, *len, off, &rr))
		return -1;
	memcpy(ctx->key_name, rr.owner, rr.owner_len);
	ctx->key_name_len = rr.owner_len;
	memcpy(ctx->alg_name, rr.alg, rr.alg_len);
	ctx->alg_name_len = rr.alg_len;
	ctx->time_signed = rr.time;
	ctx->fudge = rr.fudge;
	ctx->mac_len = 0;
	/* The request as the engine is to see it: without its TSIG. */
	ar = (uint16_t)(wire_get16(msg + 10) - 1);
	wire_put16(msg + 10, ar);
	*len = off;

	key = tsig_key_find(keys, nkeys, rr.owner);
	alg = alg_from_wire(rr.alg);
	if (key == NULL || alg < 0 || key->alg != (enum tsig_alg)alg) {
		ctx->error = TSIG_BADKEY;
		return TSIG_BADKEY;
	}
	if (!mac_len_ok(rr.mac_len, alg_sizes[alg]))
		return -1;
	c = hmac_new(key);
	if (c == NULL) {
		ctx->error = TSIG_BADSIG;
		return TSIG_BADSIG;
	}
	hmac_msg(c, msg, off, rr.orig_id, ar);
	hmac_vars(c, rr.owner, rr.owner_len, rr.alg, rr.alg_len, rr.time, rr.fudge, rr.error,
		  rr.other, rr.other_len, false);
	n = hmac_final(c, mac);
	if (n < rr.mac_len || CRYPTO_memcmp(mac, rr.mac, rr.mac_len) != 0) {
		ctx->error = TSIG_BADSIG;
		return TSIG_BADSIG;
	}
	ctx->key = key;
	/* The answer chains to the MAC as received, truncated or not (5.2.2.1). */
	memcpy(ctx->mac, rr.mac, rr.mac_len);
	ctx->mac_len = rr.mac_len;
	if (!time_ok(ctx->now, rr.time, rr.fudge)) {
		ctx->error = TSIG_BADTIME;
		return TSIG_BADTIME;
	}
	ctx->error = TSIG_OK;
	return TSIG_OK;
}

size_t tsig_reserve(const tsig_ctx_t *ctx)
{
	size_t mac = ctx->key != NULL ? alg_sizes[ctx->key->alg] : 0;

	/* owner, type..rdlength, algorithm, time+fudge, MAC size+MAC, id+error+other len, other */
	return ctx->key_name_len + 10 + ctx->alg_name_len + 8 + 2 + mac + 6 + 6;
}

/*
 * Appends the TSIG record to MSG: the owner and algorithm of CTX, TIME, the fudge, MAC (MAC_LEN),
 * the error and OTHER; adds one to ARCOUNT. False when it does not fit CAP.
 */
static bool rr_append(const tsig_ctx_t *ctx, uint8_t *msg, size_t *len, size_t cap, uint64_t time,
		      const uint8_t *mac, size_t mac_len, const uint8_t *other, uint16_t other_len)
{
	size_t rdlen = ctx->alg_name_len + 10 + mac_len + 6 + other_len;
	size_t need = ctx->key_name_len + 10 + rdlen;
	uint8_t *p = msg + *len;

	if (*len > cap || cap - *len < need)
		return false;
	memcpy(p, ctx->key_name, ctx->key_name_len);
	p += ctx->key_name_len;
	wire_put16(p, T_TSIG);
	wire_put16(p + 2, TSIG_CLASS_ANY);
	wire_put32(p + 4, 0);
	wire_put16(p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(p, ctx->alg_name, ctx->alg_name_len);
	p += ctx->alg_name_len;
	put48(p, time);
	wire_put16(p + 6, ctx->fudge);
	wire_put16(p + 8, (uint16_t)mac_len);
	p += 10;
	if (mac_len != 0) /* an unsigned error has none (and MAC may be NULL) */
		memcpy(p, mac, mac_len);
	p += mac_len;
	memcpy(p, msg, 2); /* the original ID: the message's own */
	wire_put16(p + 2, ctx->error);
	wire_put16(p + 4, other_len);
	if (other_len != 0)
		memcpy(p + 6, other, other_len);
	wire_put16(msg + 10, (uint16_t)(wire_get16(msg + 10) + 1));
	*len += need;
	return true;
}

int tsig_sign_first(tsig_ctx_t *ctx, uint8_t *msg, size_t len, size_t cap, size_t *newlen)
{
	uint8_t mac[TSIG_MAC_MAX], other[6];
	uint16_t other_len = 0;
	uint64_t time = ctx->now;
	EVP_MAC_CTX *c;
	size_t n;

	if (len < WIRE_HDR_LEN)
		return -1;
	if (ctx->key == NULL || ctx->error == TSIG_BADSIG || ctx->error == TSIG_BADKEY) {
		/* Unsigned: nothing to chain to, nothing to prove (5.2.1, 5.2.2). */
		if (!rr_append(ctx, msg, &len, cap, ctx->time_signed, NULL, 0, NULL, 0))
			return -1;
		*newlen = len;
		ctx->nmsg++;
		return 0;
	}
	if (ctx->error == TSIG_BADTIME) {
		/* Signed with the request's time; ours goes in Other Data (5.2.3). */
		time = ctx->time_signed;
		put48(other, ctx->now);
		other_len = 6;
	}
	c = hmac_new(ctx->key);
	if (c == NULL)
		return -1;
	hmac_prior(c, ctx->mac, ctx->mac_len);
	hmac_msg(c, msg, len, wire_get16(msg), wire_get16(msg + 10));
	hmac_vars(c, ctx->key_name, ctx->key_name_len, ctx->alg_name, ctx->alg_name_len, time,
		  ctx->fudge, ctx->error, other, other_len, false);
	n = hmac_final(c, mac);
	if (n == 0 || !rr_append(ctx, msg, &len, cap, time, mac, n, other, other_len))
		return -1;
	memcpy(ctx->mac, mac, n);
	ctx->mac_len = n;
	*newlen = len;
	ctx->nmsg++;
	return 0;
}

int tsig_sign_next(tsig_ctx_t *ctx, uint8_t *msg, size_t len, size_t cap, size_t *newlen)
{
	uint8_t mac[TSIG_MAC_MAX];
	EVP_MAC_CTX *c;
	size_t n;

	if (len < WIRE_HDR_LEN || ctx->key == NULL || ctx->error != TSIG_OK)
		return -1;
	c = hmac_new(ctx->key);
	if (c == NULL)
		return -1;
	hmac_prior(c, ctx->mac, ctx->mac_len);
	hmac_msg(c, msg, len, wire_get16(msg), wire_get16(msg + 10));
	hmac_vars(c, NULL, 0, NULL, 0, ctx->now, ctx->fudge, 0, NULL, 0, true);
	n = hmac_final(c, mac);
	if (n == 0 || !rr_append(ctx, msg, &len, cap, ctx->now, mac, n, NULL, 0))
		return -1;
	memcpy(ctx->mac, mac, n);
	ctx->mac_len = n;
	*newlen = len;
	ctx->nmsg++;
	return 0;
}

int tsig_sign(tsig_ctx_t *ctx, uint8_t *msg, size_t len, size_t cap, size_t *newlen)
{
	return ctx->nmsg == 0 ? tsig_sign_first(ctx, msg, len, cap, newlen)
			      : tsig_sign_next(ctx, msg, len, cap, newlen);
}

size_t tsig_error_answer(tsig_ctx_t *ctx, const uint8_t *query, size_t qlen, uint8_t *resp,
			 size_t cap)
{
	uint8_t name[256], tail[4];
	size_t pos = WIRE_HDR_LEN, nlen = 0, len;
	uint16_t flags;

	if (qlen < WIRE_HDR_LEN || cap < WIRE_HDR_LEN)
		return 0;
	/* The question is echoed with its name written out: a compression pointer in it may
	 * point past what the answer keeps of the query. */
	if (wire_get16(query + 4) == 1) {
		nlen = expand_name(query, qlen, &pos, name, false);
		if (nlen != 0 && qlen - pos >= 4)
			memcpy(tail, query + pos, 4);
		else
			nlen = 0;
	}
	if (WIRE_HDR_LEN + (nlen != 0 ? nlen + 4 : 0) > cap)
		return 0;
	/* QR, the opcode and RD kept, rcode NOTAUTH (RFC 8945 5.2). */
	flags = (uint16_t)(0x8000 | (wire_get16(query + 2) & 0x7900) | 9);
	memmove(resp, query, 2);
	wire_put16(resp + 2, flags);
	wire_put16(resp + 4, nlen != 0 ? 1 : 0);
	memset(resp + 6, 0, 6);
	len = WIRE_HDR_LEN;
	if (nlen != 0) {
		memcpy(resp + len, name, nlen);
		memcpy(resp + len + nlen, tail, 4);
		len += nlen + 4;
	}
	if (tsig_sign_first(ctx, resp, len, cap, &len) != 0)
		return 0;
	return len;
}

bool tsig_xfr_refused(tsig_ctx_t *ctx, const uint8_t *resp, bool xfr_allowed)
{
	uint16_t flags = wire_get16(resp + 2);

	if (xfr_allowed || (flags & 0x7800) != 0 || (flags & 0xf) != 9)
		return false;
	ctx->error = TSIG_BADKEY;
	return true;
}

size_t tsig_formerr_answer(const uint8_t *query, uint8_t *resp)
{
	uint16_t flags = (uint16_t)(0x8000 | (wire_get16(query + 2) & 0x7900) | 1);

	memmove(resp, query, 2);
	wire_put16(resp + 2, flags);
	memset(resp + 4, 0, 8);
	return WIRE_HDR_LEN;
}

/* ---- the client ---- */

int tsig_client_sign(tsig_ctx_t *ctx, const tsig_key_t *key, uint8_t *msg, size_t len, size_t cap,
		     size_t *newlen)
{
	uint8_t mac[TSIG_MAC_MAX];
	EVP_MAC_CTX *c;
	size_t n;

	if (len < WIRE_HDR_LEN)
		return -1;
	ctx->key = key;
	memcpy(ctx->key_name, key->name, key->name_len);
	ctx->key_name_len = key->name_len;
	ctx->alg_name_len = name_from_text(alg_names[key->alg], ctx->alg_name);
	ctx->time_signed = ctx->now;
	ctx->fudge = TSIG_FUDGE;
	ctx->error = TSIG_OK;
	ctx->nmsg = 0;
	ctx->unsigned_run = 0;
	c = hmac_new(key);
	if (c == NULL)
		return -1;
	hmac_msg(c, msg, len, wire_get16(msg), wire_get16(msg + 10));
	hmac_vars(c, ctx->key_name, ctx->key_name_len, ctx->alg_name, ctx->alg_name_len, ctx->now,
		  ctx->fudge, 0, NULL, 0, false);
	n = hmac_final(c, mac);
	if (n == 0 || !rr_append(ctx, msg, &len, cap, ctx->now, mac, n, NULL, 0))
		return -1;
	memcpy(ctx->mac, mac, n);
	ctx->mac_len = n;
	*newlen = len;
	return 0;
}

int tsig_client_verify(tsig_ctx_t *ctx, const uint8_t *msg, size_t len)
{
	uint8_t mac[TSIG_MAC_MAX];
	struct tsig_rr rr;
	size_t off, n;
	int found = tsig_find(msg, len, &off);

	if (found < 0 || ctx->key == NULL)
		return -1;
	if (found == 0) {
		/* Unsigned: allowed inside a transfer, covered by the next signed message. */
		if (ctx->nmsg == 0 || ctx->unsigned_run >= TSIG_UNSIGNED_MAX)
			return TSIG_BADSIG;
		if (ctx->hmac == NULL) {
			ctx->hmac = hmac_new(ctx->key);
			if (ctx->hmac == NULL)
				return -1;
			hmac_prior(ctx->hmac, ctx->mac, ctx->mac_len);
		}
		EVP_MAC_update(ctx->hmac, msg, len);
		ctx->unsigned_run++;
		ctx->nmsg++;
		return TSIG_OK;
	}
	if (!rr_parse(msg, len, off, &rr))
		return -1;
	if (!wire_name_eq(rr.owner, ctx->key_name) || alg_from_wire(rr.alg) != (int)ctx->key->alg)
		return TSIG_BADKEY;
	if (rr.error != 0)
		return rr.error;
	if (!mac_len_ok(rr.mac_len, alg_sizes[ctx->key->alg]))
		return -1;
	if (ctx->hmac == NULL) {
		ctx->hmac = hmac_new(ctx->key);
		if (ctx->hmac == NULL)
			return -1;
		hmac_prior(ctx->hmac, ctx->mac, ctx->mac_len);
	}
	hmac_msg(ctx->hmac, msg, off, rr.orig_id, (uint16_t)(wire_get16(msg + 10) - 1));
	hmac_vars(ctx->hmac, rr.owner, rr.owner_len, rr.alg, rr.alg_len, rr.time, rr.fudge,
		  rr.error, rr.other, rr.other_len, ctx->nmsg != 0);
	n = hmac_final(ctx->hmac, mac);
	ctx->hmac = NULL;
	if (n < rr.mac_len || CRYPTO_memcmp(mac, rr.mac, rr.mac_len) != 0)
		return TSIG_BADSIG;
	if (!time_ok(ctx->now, rr.time, rr.fudge))
		return TSIG_BADTIME;
	memcpy(ctx->mac, rr.mac, rr.mac_len);
	ctx->mac_len = rr.mac_len;
	ctx->unsigned_run = 0;
	ctx->nmsg++;
	return TSIG_OK;
}

bool tsig_client_done(const tsig_ctx_t *ctx)
{
	return ctx->nmsg != 0 && ctx->unsigned_run == 0;
}
