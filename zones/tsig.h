/* SPDX-License-Identifier: BSD-3-Clause */
/* tsig.h: TSIG (RFC 8945) over wire messages: keys, verifying and signing, one message or many */
#ifndef TSIG_H
#define TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A key: a name, an HMAC algorithm and a secret. The secret never leaves this module in text:
 * nothing here prints it, and no message of tsig_key_init() quotes it.
 */
enum tsig_alg { TSIG_HMAC_SHA1, TSIG_HMAC_SHA256, TSIG_HMAC_SHA384, TSIG_HMAC_SHA512 };

#define TSIG_SECRET_MAX 256 /* octets of a decoded secret */
#define TSIG_MAC_MAX 64	    /* HMAC-SHA512 */
#define TSIG_FUDGE 300	    /* seconds of clock difference allowed (RFC 8945 10: 300) */

/* TSIG error codes (RFC 8945 3, the TSIG RR's Error field). */
enum tsig_error {
	TSIG_OK = 0,
	TSIG_BADSIG = 16,
	TSIG_BADKEY = 17,
	TSIG_BADTIME = 18,
	TSIG_BADTRUNC = 22,
};

typedef struct tsig_key {
	uint8_t name[256]; /* wire form, lower case */
	size_t name_len;
	char text[256]; /* presentation form with the final dot, for messages */
	enum tsig_alg alg;
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secret_len;
} tsig_key_t;

/* The algorithm named NAME ("hmac-sha256", with or without a final dot, any case); -1: none. */
int tsig_alg_parse(const char *name);
/* Its name as written in configurations ("hmac-sha256"). */
const char *tsig_alg_name(enum tsig_alg alg);

/*
 * Fills *K from a name, an algorithm name and a base64 secret. Returns 0, or -1 with the reason
 * in err ("unknown algorithm 'x' (hmac-sha1, hmac-sha256, hmac-sha384 or hmac-sha512)", "the
 * secret is not valid base64", "'x' is not a domain name"); the secret is never quoted.
 */
int tsig_key_init(tsig_key_t *k, const char *name, const char *alg, const char *secret_b64,
		  char *err, size_t errlen);

/* The key among KEYS (N) whose name is NAME (wire, any case), or NULL. */
const tsig_key_t *tsig_key_find(const tsig_key_t *keys, size_t n, const uint8_t *name);
/* The same by presentation name ("xfr" or "xfr."). */
const tsig_key_t *tsig_key_find_text(const tsig_key_t *keys, size_t n, const char *name);

/*
 * Where the TSIG record of MSG (LEN octets) starts: 1 with *OFF set when the last record of the
 * additional section is a TSIG (class ANY, TTL 0, ending the message); 0 when there is none;
 * -1 when one is misplaced (not last, a second one) or malformed: FORMERR (RFC 8945 5.1).
 */
int tsig_find(const uint8_t *msg, size_t len, size_t *off);

/*
 * The cheap test for the answering paths: whether MSG may carry a TSIG at all (it has additional
 * records). tsig_find() says for sure.
 */
static inline bool tsig_maybe(const uint8_t *msg, size_t len)
{
	return len >= 12 && (msg[10] | msg[11]) != 0;
}

/*
 * One transaction's state, server or client side: the key, the MAC to chain (the request's,
 * then each signed message's), the times. Zero it (or tsig_ctx_init()) before use; clear it with
 * tsig_ctx_clear() after a client verification (it may hold an HMAC in progress).
 */
typedef struct tsig_ctx {
	const tsig_key_t *key; /* NULL: the request's key is unknown (BADKEY) */
	uint8_t key_name[256]; /* the request's key and algorithm, echoed in error answers */
	size_t key_name_len;
	uint8_t alg_name[256];
	size_t alg_name_len;
	uint8_t mac[TSIG_MAC_MAX]; /* the MAC the next message chains to */
	size_t mac_len;
	uint64_t time_signed; /* the request's */
	uint16_t fudge;
	uint16_t error;	       /* enum tsig_error to answer with */
	uint64_t now;	       /* the clock: seconds since 1970 */
	unsigned nmsg;	       /* messages signed or verified so far */
	unsigned unsigned_run; /* client: unsigned messages since the last signed one */
	void *hmac;	       /* client: the HMAC over the unsigned messages so far */
} tsig_ctx_t;

/* A fresh context reading the clock NOW (0: time(NULL)). */
void tsig_ctx_init(tsig_ctx_t *ctx, uint64_t now);
void tsig_ctx_clear(tsig_ctx_t *ctx);

/* ---- the server ---- */

/*
 * Verifies the signed request MSG (*LEN octets, its TSIG at OFF from tsig_find()) against KEYS
 * and the clock in ctx->now, and strips the TSIG: *LEN becomes OFF and ARCOUNT one less, so the
 * answer engine sees the request unsigned. Returns TSIG_OK, TSIG_BADKEY (unknown name or
 * algorithm), TSIG_BADSIG (wrong MAC), TSIG_BADTIME (outside the fudge; the MAC was right),
 * or -1: FORMERR (a MAC longer than the hash, or truncated below RFC 8945 5.2.2.1's minimum).
 * ctx->error is the TSIG error to answer with; ctx is ready for tsig_sign_first().
 */
int tsig_server_verify(tsig_ctx_t *ctx, const tsig_key_t *keys, size_t nkeys, uint8_t *msg,
		       size_t *len, size_t off);

/*
 * Octets a TSIG record that signs under CTX adds to a message: what to keep free when the answer
 * is rendered (the engine's cap less this).
 */
size_t tsig_reserve(const tsig_ctx_t *ctx);

/*
 * Signs the response MSG (LEN octets, CAP of room): appends the TSIG record and adds one to
 * ARCOUNT; *NEWLEN gets the length. The first message of a response (RFC 8945 4.3.3: the
 * request's MAC, the message, every TSIG variable); with ctx->error BADKEY or BADSIG the record
 * goes unsigned (no MAC, the error in it), with BADTIME signed with the server's time as Other
 * Data (5.2.3). Returns 0, or -1 when the record does not fit CAP.
 */
int tsig_sign_first(tsig_ctx_t *ctx, uint8_t *msg, size_t len, size_t cap, size_t *newlen);

/*
 * Each later message of a multi-message response (a transfer): the MAC covers the previous MAC,
 * the message and the timers only (RFC 8945 5.3.1). Every message is signed.
 */
int tsig_sign_next(tsig_ctx_t *ctx, uint8_t *msg, size_t len, size_t cap, size_t *newlen);

/* tsig_sign_first() for the first message, tsig_sign_next() for the others. */
int tsig_sign(tsig_ctx_t *ctx, uint8_t *msg, size_t len, size_t cap, size_t *newlen);

/*
 * The unsigned error answer to a request the server cannot verify (BADKEY, BADSIG) or a signed
 * BADTIME: header and question of QUERY (QLEN octets, TSIG already stripped), rcode NOTAUTH,
 * then the TSIG record with ctx->error, into RESP (CAP). Returns the length, 0 if it cannot.
 */
size_t tsig_error_answer(tsig_ctx_t *ctx, const uint8_t *query, size_t qlen, uint8_t *resp,
			 size_t cap);

/*
 * A transfer the ACL refused to a request signed with a key it does not name: Knot answers
 * NOTAUTH with TSIG error BADKEY, unsigned. True (and ctx->error set) when RESP, the engine's
 * answer, is such a refusal: a query (opcode 0) answered NOTAUTH while XFR_ALLOWED was false.
 */
bool tsig_xfr_refused(tsig_ctx_t *ctx, const uint8_t *resp, bool xfr_allowed);

/* FORMERR for a TSIG that does not parse (RFC 8945 5.1): QUERY's header alone, into RESP. */
size_t tsig_formerr_answer(const uint8_t *query, uint8_t *resp);

/* ---- the client ---- */

/*
 * Signs the request MSG (LEN octets, CAP of room) with KEY at ctx->now (fudge TSIG_FUDGE) and
 * keeps its MAC in CTX for the response. Returns 0, or -1 when it does not fit.
 */
int tsig_client_sign(tsig_ctx_t *ctx, const tsig_key_t *key, uint8_t *msg, size_t len, size_t cap,
		     size_t *newlen);

/*
 * Verifies one message of the response to the request signed under CTX: the first must be
 * signed; of a multi-message response (a transfer) up to 99 in a row may come unsigned, each
 * then covered by the next signed one (RFC 8945 5.3.1). Returns TSIG_OK; the TSIG error the
 * server sent (BADKEY, BADSIG, BADTIME...); TSIG_BADSIG for a wrong MAC or a missing TSIG where
 * one is due; TSIG_BADTIME when it was signed outside the fudge; -1 for a malformed message.
 * A response whose last message is unsigned is incomplete: see tsig_client_done().
 */
int tsig_client_verify(tsig_ctx_t *ctx, const uint8_t *msg, size_t len);

/* Whether the response verified so far ended on a signed message (true: complete). */
bool tsig_client_done(const tsig_ctx_t *ctx);

#endif
