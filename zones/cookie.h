/* SPDX-License-Identifier: BSD-3-Clause */
/* cookie.h: DNS server cookies (RFC 7873, RFC 9018): made and checked with SipHash-2-4 */
#ifndef COOKIE_H
#define COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COOKIE_CLIENT_LEN 8 /* a client cookie: exactly 8 octets */
#define COOKIE_SERVER_MIN 8 /* a server cookie in a query: 8..32 octets (RFC 7873 4) */
#define COOKIE_SERVER_MAX 32
#define COOKIE_SERVER_LEN 16 /* ours (RFC 9018): version, reserved, timestamp, hash */
#define COOKIE_SECRET_LEN 16 /* the SipHash key */
#define COOKIE_PAST 3600     /* a server cookie made this many seconds ago is still good */
#define COOKIE_FUTURE 300    /* and one this far ahead (another fleet member's clock) */

/* SipHash-2-4 of LEN octets at DATA under KEY: its 8 octets of output, as the spec orders them. */
void cookie_siphash(const uint8_t key[COOKIE_SECRET_LEN], const uint8_t *data, size_t len,
		    uint8_t out[8]);

/*
 * Our server cookie for the client cookie CLIENT from the address IP (IPLEN octets: 4 or 16) at
 * time NOW (RFC 9018 4): version 1, three reserved zero octets, NOW, then SipHash-2-4 under SECRET
 * of CLIENT | those 8 octets | IP. Written to OUT (COOKIE_SERVER_LEN octets).
 */
void cookie_make(uint8_t out[COOKIE_SERVER_LEN], const uint8_t secret[COOKIE_SECRET_LEN],
		 const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now, const uint8_t *ip,
		 size_t iplen);

/*
 * Whether SERVER (SLEN octets, from a query) is a cookie we made for CLIENT and IP with SECRET,
 * from COOKIE_PAST seconds before NOW to COOKIE_FUTURE after (serial arithmetic, RFC 9018 4.3).
 */
bool cookie_valid(const uint8_t *server, size_t slen, const uint8_t secret[COOKIE_SECRET_LEN],
		  const uint8_t client[COOKIE_CLIENT_LEN], uint32_t now, const uint8_t *ip,
		  size_t iplen);

#endif
