/* SPDX-License-Identifier: BSD-3-Clause */
/* b32hex.h: an NSEC3 hash (SHA-1, 20 octets) as its owner label in base32hex (RFC 4648 7) */
#ifndef B32HEX_H
#define B32HEX_H

#include <stdint.h>

/*
 * The 32 lower-case base32hex digits of the 20 octets MD (RFC 5155 3.3: no padding, 160 bits
 * being 32 digits of 5): what nsec3.c hashes a name to and the signer names NSEC3 records by.
 */
static inline void b32hex_sha1(const uint8_t md[20], uint8_t out[32])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";

	/* four groups of 5 octets, 8 digits each */
	for (int g = 0; g < 4; g++) {
		uint64_t v = 0;

		for (int k = 0; k < 5; k++)
			v = (v << 8) | md[5 * g + k];
		for (int k = 7; k >= 0; k--) {
			out[8 * g + k] = (uint8_t)digits[v & 31];
			v >>= 5;
		}
	}
}

#endif
