/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_run.c: a zone's RRsets signed with OpenSSL on a few threads, into their RRSIG records */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/sha.h>

#include "sign_pvt.h"
#include "wire.h"

unsigned sign_threads;

/* Sets a thread takes at a time. */
#define SIGN_CHUNK 128
/* Below this many sets to sign, one thread does it. */
#define SIGN_THREADED_MIN 512

/* One thread's signer: its own OpenSSL contexts (the keys are shared, read only). */
typedef struct signer {
	sign_ctx_t *c;
	size_t *next; /* the next set to take, shared */
	EVP_PKEY_CTX *pctx[SIGN_KEYS_MAX];
	EVP_MD_CTX *mctx[SIGN_KEYS_MAX];
	EVP_MD_CTX *hctx;     /* SHA-256 for ECDSA */
	const EVP_MD *sha256; /* fetched once: an implicit fetch per digest takes locks */
	uint8_t *buf;
	size_t cap;
	size_t done;
	int failed;
	char err[256];
} signer_t;

/* ECDSA's DER signature (RFC 3279 2.2.3) in DER (LEN) as r||s of 32 octets each (RFC 6605). */
static bool der_to_rs(const uint8_t *der, size_t len, uint8_t out[SIGN_SIG_LEN])
{
	size_t at = 2;

	if (len < 8 || der[0] != 0x30 || der[1] != len - 2)
		return false;
	for (int k = 0; k < 2; k++) {
		size_t n;

		if (at + 2 > len || der[at] != 0x02)
			return false;
		n = der[at + 1];
		at += 2;
		if (at + n > len)
			return false;
		while (n > 32 && der[at] == 0) {
			at++;
			n--;
		}
		if (n > 32)
			return false;
		memset(out + 32 * k, 0, 32 - n);
		memcpy(out + 32 * k + (32 - n), der + at, n);
		at += n;
	}
	return at == len;
}

/* Signs DATA (LEN) with key K into OUT; false on an OpenSSL error. */
static bool sign_data(signer_t *s, size_t k, const uint8_t *data, size_t len,
		      uint8_t out[SIGN_SIG_LEN])
{
	size_t outlen = SIGN_SIG_LEN;

	if (s->c->p->algorithm == SIGN_ALG_ECDSAP256SHA256) {
		uint8_t md[SHA256_DIGEST_LENGTH], der[80];
		size_t derlen = sizeof(der);

		return EVP_DigestInit_ex2(s->hctx, s->sha256, NULL) == 1 &&
		       EVP_DigestUpdate(s->hctx, data, len) == 1 &&
		       EVP_DigestFinal_ex(s->hctx, md, NULL) == 1 &&
		       EVP_PKEY_sign(s->pctx[k], der, &derlen, md, sizeof(md)) == 1 &&
		       der_to_rs(der, derlen, out);
	}
	/* Ed25519 signs the data itself (RFC 8080 4). */
	return EVP_DigestSignInit(s->mctx[k], NULL, NULL, NULL, s->c->pkey[k]) == 1 &&
	       EVP_DigestSign(s->mctx[k], out, &outlen, data, len) == 1 && outlen == SIGN_SIG_LEN;
}

/* The signed data of set T under the RRSIG whose data is RD (LEN octets): RFC 4034 3.1.8.1. */
static bool build(signer_t *s, const sign_set_t *t, const uint8_t *rd, size_t len, size_t *out)
{
	const zload_zone_t *z = s->c->z;
	const uint8_t *owner = zload_rec_owner(z, s->c->order[t->first]);
	size_t olen = wire_name_len(owner), need = len, at;

	for (uint32_t k = t->first; k < t->first + t->count; k++)
		need += olen + 10u + z->recs[s->c->order[k]].rdlen;
	if (need > s->cap) {
		uint8_t *b = realloc(s->buf, need);

		if (b == NULL)
			return false;
		s->buf = b;
		s->cap = need;
	}
	memcpy(s->buf, rd, len);
	at = len;
	/* Each record: owner lower-cased, type, class IN, the original TTL, canonical data. */
	for (uint32_t k = t->first; k < t->first + t->count; k++) {
		const zload_rec_t *r = &z->recs[s->c->order[k]];

		wire_name_lower(s->buf + at, owner);
		at += olen;
		wire_put16(s->buf + at, t->type);
		wire_put16(s->buf + at + 2, 1);
		wire_put32(s->buf + at + 4, t->ttl);
		wire_put16(s->buf + at + 8, r->rdlen);
		at += 10;
		sign_canon_rdata(t->type, z->data + r->rdata, r->rdlen, s->buf + at);
		at += r->rdlen;
	}
	*out = at;
	return true;
}

static void *work(void *arg)
{
	signer_t *s = arg;
	sign_ctx_t *c = s->c;

	for (;;) {
		size_t from = __atomic_fetch_add(s->next, SIGN_CHUNK, __ATOMIC_RELAXED);

		if (from >= c->nsets || s->failed)
			break;
		for (size_t i = from; i < from + SIGN_CHUNK && i < c->nsets && !s->failed; i++) {
			const sign_set_t *t = &c->sets[i];
			size_t j = 0;

			for (size_t k = 0; k < c->nkeys && t->signers > 0; k++) {
				zload_rec_t *r = &c->z->recs[t->slot + j];
				uint8_t *rd = c->z->data + r->rdata;
				size_t len = 0, head = r->rdlen - SIGN_SIG_LEN;

				if (!(t->keymask & (1u << k)))
					continue;
				j++;
				if (!build(s, t, rd, head, &len)) {
					snprintf(s->err, sizeof(s->err), "out of memory");
					s->failed = 1;
				} else if (!sign_data(s, k, s->buf, len, rd + head)) {
					snprintf(s->err, sizeof(s->err), "OpenSSL: %s",
						 ERR_reason_error_string(ERR_get_error()));
					s->failed = 1;
				}
				s->done++;
			}
		}
	}
	return NULL;
}

/* S's OpenSSL contexts; false (reason in S's err) when they cannot be made. */
static bool signer_init(signer_t *s, sign_ctx_t *c, size_t *next, const EVP_MD *sha256)
{
	*s = (signer_t){.c = c, .next = next, .sha256 = sha256};
	s->hctx = EVP_MD_CTX_new();
	if (s->hctx == NULL || sha256 == NULL)
		goto fail;
	for (size_t k = 0; k < c->nkeys; k++) {
		if (c->p->algorithm != SIGN_ALG_ECDSAP256SHA256) {
			s->mctx[k] = EVP_MD_CTX_new();
			if (s->mctx[k] == NULL)
				goto fail;
			continue;
		}
		s->pctx[k] = EVP_PKEY_CTX_new(c->pkey[k], NULL);
		if (s->pctx[k] == NULL || EVP_PKEY_sign_init(s->pctx[k]) != 1)
			goto fail;
	}
	return true;
fail:
	snprintf(s->err, sizeof(s->err), "OpenSSL: cannot set up signing: %s",
		 ERR_reason_error_string(ERR_get_error()));
	s->failed = 1;
	return false;
}

static void signer_done(signer_t *s)
{
	for (size_t k = 0; k < SIGN_KEYS_MAX; k++) {
		EVP_PKEY_CTX_free(s->pctx[k]);
		EVP_MD_CTX_free(s->mctx[k]);
	}
	EVP_MD_CTX_free(s->hctx);
	free(s->buf);
}

int sign_run(sign_ctx_t *c, char *err, size_t errlen)
{
	signer_t s[4];
	pthread_t tid[4];
	bool started[4] = {false};
	size_t next = 0, todo = 0;
	unsigned n = sign_threads;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	int rc = 0;

	for (size_t i = 0; i < c->nsets; i++)
		todo += c->sets[i].signers;
	if (n == 0)
		n = cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
	if (n > 4)
		n = 4;
	if (todo < SIGN_THREADED_MIN)
		n = 1;
	for (unsigned t = 0; t < n; t++)
		signer_init(&s[t], c, &next, sha256);
	/* The caller's thread is the first signer; the others join it. */
	for (unsigned t = 1; t < n; t++)
		started[t] = !s[t].failed && pthread_create(&tid[t], NULL, work, &s[t]) == 0;
	if (!s[0].failed)
		work(&s[0]);
	for (unsigned t = 1; t < n; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	for (unsigned t = 0; t < n; t++) {
		if (s[t].failed && rc == 0) {
			snprintf(err, errlen, "%s: signing failed: %s", c->z->origin_text,
				 s[t].err);
			rc = -1;
		}
		signer_done(&s[t]);
	}
	EVP_MD_free(sha256);
	/* A thread that could not start left its share to the others: all signed, or an error. */
	return rc;
}
