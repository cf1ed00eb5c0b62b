/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tsig.c: libFuzzer target for TSIG (zones/tsig.c) as outsiders reach it. The input: one
 * octet of mode, then messages, each a 2-octet length and its octets (the last may be cut
 * short; at most MAX_MSGS). The mode's bits 0-1 pick the client's key (one per algorithm), bit 2
 * has the target sign the messages itself (a peer with the key: what follows must then verify),
 * bits 3-7 leave messages 2 to 6 of the response unsigned in that mode (then the rest need not
 * verify: the target's server cannot cover them in the next MAC).
 *   The server side: each message as a request: tsig_find(), tsig_server_verify() against the
 * four keys, verified again from a fresh copy (the same result, length and MAC), then an answer
 * signed (tsig_sign_first, then tsig_sign_next) or the error answer (tsig_error_answer,
 * tsig_formerr_answer); every answer within its cap, parsing when its unsigned form parses, its
 * TSIG the last record.
 *   The client side: a fixed request signed with the chosen key, then the messages verified in
 * order as its response (tsig_client_verify), twice from fresh state: the same results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "fuzz_common.h"
#include "tsig.h"

#define MAX_MSGS 8
#define NOW 1700000000u /* the clock of both sides */
#define REQ_ID 0x1234
#define T_TSIG 250

static tsig_key_t keys[4];

static const struct {
	const char *name, *alg, *secret;
} key_defs[4] = {
    {"k1.fuzz.", "hmac-sha1", "c2FuZG5zLWZ1enotc2hhMS1zZWNyZXQ="},
    {"k256.fuzz.", "hmac-sha256", "c2FuZG5zLWZ1enotc2hhMjU2LXNlY3JldC1rZXk="},
    {"k384.fuzz.", "hmac-sha384", "c2FuZG5zLWZ1enotc2hhMzg0LXNlY3JldC1rZXktMzg0"},
    {"k512.fuzz.", "hmac-sha512", "c2FuZG5zLWZ1enotc2hhNTEyLXNlY3JldC1rZXktNTEyLTUxMg=="},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc;
	(void)argv;
	for (int i = 0; i < 4; i++)
		if (tsig_key_init(&keys[i], key_defs[i].name, key_defs[i].alg, key_defs[i].secret,
				  err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz-tsig: key %s: %s\n", key_defs[i].name, err);
			exit(1);
		}
	return 0;
}

/* A heap copy of LEN octets with ROOM more (AddressSanitizer sees past its end). */
static uint8_t *dup_room(const uint8_t *p, size_t len, size_t room)
{
	uint8_t *d = malloc(len + room + 1);

	if (len != 0)
		memcpy(d, p, len);
	return d;
}

static bool parses(const uint8_t *msg, size_t len)
{
	ldns_pkt *pkt = NULL;
	bool ok = ldns_wire2pkt(&pkt, msg, len) == LDNS_STATUS_OK;

	ldns_pkt_free(pkt);
	return ok;
}

/*
 * The TSIG record of MSG (LEN octets, it at OFF) alone behind a header of ARCOUNT 1: whether an
 * independent parser (ldns) reads it, as a TSIG.
 */
static bool tsig_rr_parses(const uint8_t *msg, size_t len, size_t off)
{
	size_t n = 12 + len - off;
	uint8_t *alone = malloc(n);
	ldns_pkt *pkt = NULL;
	bool ok;

	memset(alone, 0, 12);
	alone[11] = 1;
	memcpy(alone + 12, msg + off, len - off);
	/* ldns takes a TSIG out of the additional section. */
	ok = ldns_wire2pkt(&pkt, alone, n) == LDNS_STATUS_OK && ldns_pkt_tsig(pkt) != NULL &&
	     ldns_rr_list_rr_count(ldns_pkt_additional(pkt)) == 0;
	ldns_pkt_free(pkt);
	free(alone);
	return ok;
}

/*
 * A signed answer (LEN octets, CAP of room; BEFORE octets unsigned, whose records a walk by
 * their lengths took to its end when WALKED): its TSIG the last record, ending it, readable by
 * ldns. (Not the whole message through ldns: it reads some records with octets left in their
 * RDATA, whatever follows them then misread.)
 */
static void check_signed(const uint8_t *msg, size_t len, size_t cap, size_t before, bool walked)
{
	size_t off = 0;
	int f = tsig_find(msg, len, &off);

	FZ_CHECK(len <= cap, "a signed answer of %zu octets, %zu of room", len, cap);
	FZ_CHECK(len > before, "signing added nothing (%zu octets)", len);
	if (!walked)
		return;
	FZ_CHECK(f == 1 && off == before,
		 "the TSIG of a signed answer not found (%d, at %zu of %zu)", f, off, before);
	FZ_CHECK(tsig_rr_parses(msg, len, off),
		 "the TSIG record of a signed answer does not parse");
}

/* Whether the records of MSG, walked by their lengths as its counts say, end where it ends (no
 * TSIG among them): what tsig_find() does, with a TSIG record of no RDATA appended. */
static bool walks(const uint8_t *msg, size_t len)
{
	static const uint8_t tail[11] = {0, 0, T_TSIG, 0, 255, 0, 0, 0, 0, 0, 0};
	uint8_t *m = malloc(len + sizeof(tail));
	size_t off = 0;
	bool ok;

	memcpy(m, msg, len);
	memcpy(m + len, tail, sizeof(tail));
	m[10] = (uint8_t)((((msg[10] << 8) | msg[11]) + 1) >> 8);
	m[11] = (uint8_t)(msg[11] + 1);
	ok = ((msg[10] << 8) | msg[11]) != 0xffff && tsig_find(m, len + sizeof(tail), &off) == 1 &&
	     off == len;
	free(m);
	return ok;
}

/* The answer the server signs: the request as stripped, QR set. */
static void server_answer(tsig_ctx_t *ctx, const uint8_t *req, size_t len)
{
	size_t cap = len + tsig_reserve(ctx), n = 0;
	uint8_t *ans = dup_room(req, len, cap - len);
	bool p;

	ans[2] |= 0x80;
	/* Its records walked to its end: the answer (ARCOUNT one more) with a dummy TSIG at the
	 * end. */
	p = walks(ans, len);
	FZ_CHECK(tsig_sign(ctx, ans, len, cap, &n) == 0,
		 "no room for the TSIG of a %zu-octet answer", len);
	check_signed(ans, n, cap, len, p);
	free(ans);
	if (ctx->error != TSIG_OK)
		return;
	/* Two more messages of a transfer, chained. */
	for (int i = 0; i < 2; i++) {
		size_t c2 = len + tsig_reserve(ctx);

		ans = dup_room(req, len, c2 - len);
		ans[2] |= 0x80;
		FZ_CHECK(tsig_sign(ctx, ans, len, c2, &n) == 0, "no room for message %d's TSIG",
			 i + 2);
		check_signed(ans, n, c2, len, p);
		free(ans);
	}
}

/* One message as a request to the server. SIGN: signed first with KEY as a client would. */
static void server_side(const uint8_t *in, size_t inlen, const tsig_key_t *key, bool sign)
{
	uint8_t *msg = dup_room(in, inlen, 1024), *again, *resp;
	size_t len = inlen, off = 0, len2, off2 = 0, n;
	tsig_ctx_t ctx, ctx2;
	int f, rc;

	if (sign) {
		tsig_ctx_t c;

		if (inlen < 12 || tsig_find(in, inlen, &off) != 0) {
			free(msg);
			return;
		}
		tsig_ctx_init(&c, NOW);
		FZ_CHECK(tsig_client_sign(&c, key, msg, inlen, inlen + 1024, &len) == 0,
			 "a %zu-octet request cannot be signed", inlen);
		tsig_ctx_clear(&c);
	}
	f = tsig_find(msg, len, &off);
	if (f == 0) {
		free(msg);
		return;
	}
	resp = malloc(12);
	if (f < 0) {
		FZ_CHECK(len >= 12, "a misplaced TSIG in %zu octets", len);
		FZ_CHECK(tsig_formerr_answer(msg, resp) == 12, "a FORMERR answer not a header");
		FZ_CHECK((resp[3] & 0xf) == 1 && (resp[2] & 0x80), "FORMERR answer rcode %u",
			 resp[3] & 0xfu);
		free(resp);
		free(msg);
		return;
	}
	FZ_CHECK(off < len && off >= 12, "a TSIG at %zu of %zu", off, len);
	again = dup_room(msg, len, 0);
	len2 = len;
	tsig_ctx_init(&ctx, NOW);
	rc = tsig_server_verify(&ctx, keys, 4, msg, &len, off);
	if (sign)
		FZ_CHECK(off != inlen || rc == TSIG_OK, "our own signature does not verify: %d",
			 rc);
	/* Again from a fresh copy: the same. */
	tsig_ctx_init(&ctx2, NOW);
	FZ_CHECK(tsig_find(again, len2, &off2) == 1 && off2 == off, "the TSIG found elsewhere");
	FZ_CHECK(tsig_server_verify(&ctx2, keys, 4, again, &len2, off) == rc && len2 == len &&
		     ctx2.error == ctx.error && ctx2.mac_len == ctx.mac_len &&
		     memcmp(ctx2.mac, ctx.mac, ctx.mac_len) == 0 && ctx2.key == ctx.key,
		 "a second verification differs (rc %d)", rc);
	free(again);
	if (rc < 0) {
		FZ_CHECK(tsig_formerr_answer(msg, resp) == 12, "a FORMERR answer not a header");
	} else if (rc == TSIG_OK) {
		FZ_CHECK(len == off, "the TSIG not stripped: %zu octets, TSIG at %zu", len, off);
		server_answer(&ctx, msg, len);
	} else {
		size_t cap = 512;
		uint8_t *ea = malloc(cap);

		n = tsig_error_answer(&ctx, msg, len, ea, cap);
		FZ_CHECK(n <= cap, "an error answer of %zu octets in %zu", n, cap);
		if (n > 0) {
			size_t eoff = 0;

			FZ_CHECK(tsig_find(ea, n, &eoff) == 1, "an error answer without its TSIG");
			FZ_CHECK((ea[3] & 0xf) == 9, "an error answer's rcode %u", ea[3] & 0xfu);
			FZ_CHECK(parses(ea, n), "an error answer of %zu octets does not parse", n);
		}
		free(ea);
	}
	free(resp);
	free(msg);
}

struct msgs {
	const uint8_t *p[MAX_MSGS];
	size_t len[MAX_MSGS];
	size_t n;
};

/* The results of verifying MSGS in order as the response to the fixed request (KEY), into RC;
 * SIGN: signed by the server first (unsigned those of UNSIGNED_MASK); whether it is complete. */
static bool client_side(const struct msgs *m, const tsig_key_t *key, bool sign,
			unsigned unsigned_mask, int *rc)
{
	uint8_t req[512];
	size_t qlen = fz_query(req, REQ_ID, "example.com.", 252), rlen, off = 0;
	tsig_ctx_t cli, srv;
	bool expect_ok = sign, done;

	tsig_ctx_init(&cli, NOW);
	FZ_CHECK(tsig_client_sign(&cli, key, req, qlen, sizeof(req), &rlen) == 0, "the request");
	if (sign) {
		uint8_t copy[512];
		size_t clen = rlen;

		memcpy(copy, req, rlen);
		tsig_ctx_init(&srv, NOW);
		FZ_CHECK(tsig_find(copy, clen, &off) == 1 &&
			     tsig_server_verify(&srv, keys, 4, copy, &clen, off) == TSIG_OK,
			 "the client's request does not verify");
	}
	for (size_t i = 0; i < m->n; i++) {
		size_t len = m->len[i], o = 0;
		uint8_t *msg;

		if (!sign) {
			msg = dup_room(m->p[i], len, 0);
		} else if (i > 0 && (unsigned_mask >> i & 1) && i + 1 < m->n) {
			/* The server here signs every message: the next one's MAC does not cover
			 * this one, and need not verify. */
			msg = dup_room(m->p[i], len, 0);
			expect_ok = false;
		} else {
			size_t cap = len + tsig_reserve(&srv), n = 0;

			msg = dup_room(m->p[i], len, cap - len);
			if (len < 12 || tsig_find(msg, len, &o) != 0 ||
			    tsig_sign(&srv, msg, len, cap, &n) != 0) {
				free(msg);
				rc[i] = 100;
				expect_ok = false;
				continue;
			}
			expect_ok = expect_ok && tsig_find(msg, n, &o) == 1 && o == len;
			len = n;
		}
		rc[i] = tsig_client_verify(&cli, msg, len);
		FZ_CHECK(!expect_ok || rc[i] == TSIG_OK, "message %zu signed by the server: %d",
			 i + 1, rc[i]);
		free(msg);
		if (rc[i] != TSIG_OK)
			break;
	}
	done = tsig_client_done(&cli);
	FZ_CHECK(!expect_ok || m->n == 0 || done, "a response signed to the end not complete");
	tsig_ctx_clear(&cli);
	return done;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgs m = {.n = 0};
	int rc1[MAX_MSGS], rc2[MAX_MSGS];
	const tsig_key_t *key;
	bool sign, d1, d2;
	size_t pos = 1;

	if (size < 1)
		return 0;
	key = &keys[data[0] & 3];
	sign = (data[0] & 4) != 0;
	while (m.n < MAX_MSGS && size - pos >= 2) {
		size_t l = (size_t)data[pos] << 8 | data[pos + 1];

		pos += 2;
		if (l > size - pos)
			l = size - pos;
		m.p[m.n] = data + pos;
		m.len[m.n++] = l;
		pos += l;
	}
	for (size_t i = 0; i < m.n; i++)
		server_side(m.p[i], m.len[i], key, sign);
	memset(rc1, 0, sizeof(rc1));
	memset(rc2, 0, sizeof(rc2));
	d1 = client_side(&m, key, sign, data[0] >> 2, rc1);
	d2 = client_side(&m, key, sign, data[0] >> 2, rc2);
	FZ_CHECK(d1 == d2 && memcmp(rc1, rc2, sizeof(rc1)) == 0,
		 "the same response verified twice differs");
	return 0;
}
