/* SPDX-License-Identifier: BSD-3-Clause */
/* zload_fastrr.c: the fast reader's names and DNSSEC record data (RRSIG, NSEC3...) to wire form */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ldns/ldns.h>

#include "sign_pvt.h"
#include "zload_fastrr.h"
#include "zload_scan.h"

/*
 * A presigned zone is mostly RRSIG and NSEC3 (or NSEC) records, one a line as ldns-signzone,
 * BIND and Knot print them: ldns took 6.5 us for each. Each field here is read only in the
 * forms whose octets are plainly ldns's (ldns 1.8's str2host.c, rr.c): a number in decimal
 * digits within its field's range (ldns cuts one past it to the field's width), a name of
 * plain characters, base64 in whole quartets with its padding. Anything else is ldns's to
 * read: the same record then, or the same error.
 */

size_t zload_fast_name(const char *s, const uint8_t *origin, size_t olen,
		       uint8_t out[WIRE_NAME_MAX + 1])
{
	size_t w = 0;
	bool absolute = false;

	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t l = dot != NULL ? (size_t)(dot - s) : strlen(s);

		/* Room for the label and for the root after it: 255 octets in all. */
		if (l == 0 || l > 63 || w + 1 + l + 1 > WIRE_NAME_MAX)
			return 0;
		out[w++] = (uint8_t)l;
		for (size_t i = 0; i < l; i++) {
			if (!fast_name_char(s[i]))
				return 0;
			out[w++] = (uint8_t)s[i];
		}
		s += l;
		if (*s == '.') {
			s++;
			absolute = *s == '\0';
		}
	}
	if (w == 0)
		return 0;
	if (absolute) {
		out[w++] = 0;
		return w;
	}
	if (w + olen > WIRE_NAME_MAX)
		return 0;
	memcpy(out + w, origin, olen);
	return w + olen;
}

uint16_t zload_fastrr_type(const char *t)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = {{"RRSIG", T_RRSIG},	   {"NSEC3", T_NSEC3}, {"NSEC", T_NSEC},
		     {"NSEC3PARAM", T_NSEC3PARAM}, {"DS", T_DS},       {"DNSKEY", T_DNSKEY}};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(t, types[i].name) == 0)
			return types[i].type;
	return 0;
}

/* T in decimal digits only (at most 10), at most MAX, into *V. */
static bool dec(const char *t, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; t[i] != '\0'; i++) {
		if (t[i] < '0' || t[i] > '9' || i >= 10)
			return false;
		x = x * 10 + (uint64_t)(t[i] - '0');
	}
	if (i == 0 || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

/*
 * A type mnemonic as ldns_get_rr_type_by_name() reads it, the answers it gave kept per thread
 * (it compares the name with each of its 260-odd types': a bitmap has a few each): its code, or
 * 0 for a name it does not know or one written otherwise than plainly.
 */
static uint16_t type_by_name(const char *t)
{
	static __thread struct {
		char name[16];
		uint16_t type;
	} cache[64];
	size_t n = strlen(t);
	uint32_t v, h = 2166136261u;
	char key[16];

	/* TYPEnnn: ldns takes atoi() of the digits, whatever follows them */
	if (n > 4 && strncasecmp(t, "TYPE", 4) == 0)
		return n <= 9 && dec(t + 4, UINT16_MAX, &v) ? (uint16_t)v : 0;
	if (n == 0 || n >= sizeof(key))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)t[i]) && t[i] != '-')
			return 0;
		key[i] = (char)tolower((unsigned char)t[i]);
		h = (h ^ (uint8_t)key[i]) * 16777619u;
	}
	key[n] = '\0';
	h &= 63;
	if (strcmp(cache[h].name, key) != 0) {
		memcpy(cache[h].name, key, n + 1);
		cache[h].type = (uint16_t)ldns_get_rr_type_by_name(key);
	}
	return cache[h].type;
}

/*
 * An RRSIG's expiration or inception (RFC 4034 3.2): YYYYMMDDHHmmSS, within the ranges ldns
 * checks (a day of 31 in any month, as its mktime counts on), or the seconds as a number.
 */
static bool sig_time(const char *t, uint32_t *v)
{
	struct tm tm;
	int d[14];

	if (strlen(t) != 14)
		return dec(t, UINT32_MAX, v);
	for (int i = 0; i < 14; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		d[i] = t[i] - '0';
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3] - 1900;
	tm.tm_mon = d[4] * 10 + d[5] - 1;
	tm.tm_mday = d[6] * 10 + d[7];
	tm.tm_hour = d[8] * 10 + d[9];
	tm.tm_min = d[10] * 10 + d[11];
	tm.tm_sec = d[12] * 10 + d[13];
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return false;
	/* ldns's arithmetic, cut to 32 bits as it does (serial arithmetic, RFC 4034 3.1.5) */
	*v = (uint32_t)ldns_mktime_from_utc(&tm);
	return true;
}

/* Each character's base64 digit plus one (RFC 4648 4); 0 for the others. */
// clang-format off
static const uint8_t b64_digit[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
};
// clang-format on

/*
 * The base64 of the NTOK tokens TOK taken together (BIND splits a signature or a key into
 * several) into OUT (ROOM octets): its length, or 0 unless it is whole quartets, "=" padding
 * only at its end, and the bits the padding leaves past the last octet zero, as ldns's
 * b64_pton() asks. Decoded in one pass here: OpenSSL's EVP_DecodeBlock() takes "=" anywhere
 * as zero bits, so the text would be checked first and read twice, for a tenth of the time a
 * presigned zone takes to read.
 */
static size_t b64_field(char *const *tok, unsigned ntok, uint8_t *out, size_t room)
{
	uint32_t acc = 0;
	size_t w = 0;
	unsigned q = 0, pad = 0; /* sextets in ACC, "=" seen */

	for (unsigned k = 0; k < ntok; k++) {
		for (const char *c = tok[k]; *c != '\0'; c++) {
			unsigned v = b64_digit[(uint8_t)*c];

			if (*c == '=' && ++pad <= 2)
				continue;
			if (v == 0 || pad > 0)
				return 0;
			acc = acc << 6 | (v - 1);
			if (++q < 4)
				continue;
			if (w + 3 > room)
				return 0;
			out[w++] = (uint8_t)(acc >> 16);
			out[w++] = (uint8_t)(acc >> 8);
			out[w++] = (uint8_t)acc;
			q = 0;
			acc = 0;
		}
	}
	if (pad == 0)
		return q == 0 ? w : 0;
	if (q + pad != 4 || w + 2 > room || (acc & (q == 2 ? 0x0fu : 0x03u)) != 0)
		return 0;
	if (q == 2) {
		out[w++] = (uint8_t)(acc >> 4);
	} else {
		out[w++] = (uint8_t)(acc >> 10);
		out[w++] = (uint8_t)(acc >> 2);
	}
	return w;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex digits in pairs, over the NTOK tokens TOK (a DS digest split), into OUT: as many octets. */
static size_t hex_field(char *const *tok, unsigned ntok, uint8_t *out, size_t room)
{
	size_t w = 0;
	int hi = -1;

	for (unsigned k = 0; k < ntok; k++) {
		for (const char *c = tok[k]; *c != '\0'; c++) {
			int v = hex_value(*c);

			if (v < 0)
				return 0;
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (w == room)
				return 0;
			out[w++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	/* an odd digit at the end: ldns makes it an octet of its own */
	return hi < 0 ? w : 0;
}

/* An NSEC3 salt: "-" for none, else hex digits in pairs, 255 octets at most: with its length. */
static size_t salt_field(const char *t, uint8_t *out)
{
	size_t n = strlen(t);

	out[0] = 0;
	if (n == 1 && t[0] == '-')
		return 1;
	if (n == 0 || n % 2 != 0 || n > 510)
		return 0;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_value(t[i]), lo = hex_value(t[i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		out[1 + i / 2] = (uint8_t)(hi << 4 | lo);
	}
	out[0] = (uint8_t)(n / 2);
	return 1 + n / 2;
}

/*
 * An NSEC3's next hashed owner in base32hex (RFC 5155 3.3: no padding), either case: whole
 * groups of 8 digits only (ldns writes a length of 5/8 of the digits whatever it decodes), with
 * its length octet. 0 for anything else.
 */
static size_t b32hex_field(const char *t, uint8_t *out)
{
	size_t n = strlen(t), w = 1;

	if (n == 0 || n % 8 != 0 || n / 8 * 5 > 255)
		return 0;
	for (size_t g = 0; g < n; g += 8) {
		uint64_t v = 0;

		for (size_t i = g; i < g + 8; i++) {
			char c = t[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'v' ? c - 'a' + 10
				: c >= 'A' && c <= 'V' ? c - 'A' + 10
						       : -1;

			if (d < 0)
				return 0;
			v = v << 5 | (uint64_t)d;
		}
		for (int k = 4; k >= 0; k--)
			out[w++] = (uint8_t)(v >> (8 * k));
	}
	out[0] = (uint8_t)(w - 1);
	return w;
}

/*
 * A type bitmap (RFC 4034 4.1.2) of the NTOK mnemonics TOK, in any order, repeats counted once
 * (ldns's), into OUT (ROOM octets): its length, or 0 for none or one ldns reads otherwise.
 */
static size_t bitmap_field(char *const *tok, unsigned ntok, uint8_t *out, size_t room)
{
	uint16_t types[64];

	/* A window is at most 34 octets. */
	if (ntok == 0 || ntok > sizeof(types) / sizeof(types[0]) || ntok * 34 > room)
		return 0;
	for (unsigned k = 0; k < ntok; k++) {
		uint16_t t = type_by_name(tok[k]);
		unsigned j = k;

		if (t == 0)
			return 0;
		/* sorted as they come: a few, mostly in order already */
		for (; j > 0 && types[j - 1] > t; j--)
			types[j] = types[j - 1];
		types[j] = t;
	}
	return sign_type_bitmap(types, ntok, out);
}

/* An algorithm field as a number (ldns also takes mnemonics, which are left to it). */
static bool alg_field(const char *t, uint8_t *out)
{
	uint32_t v;

	if (!dec(t, UINT8_MAX, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

/* RRSIG (RFC 4034 3.2): covered type, algorithm, labels, TTL, two times, key tag, signer. */
static size_t rrsig_rdata(char *const *tok, unsigned ntok, const uint8_t *origin, size_t olen,
			  uint8_t *out)
{
	uint32_t labels, ttl, exp, inc, tag;
	uint16_t covered;
	size_t w, n, sig;

	if (ntok < 9 || (covered = type_by_name(tok[0])) == 0 || !alg_field(tok[1], out + 2) ||
	    !dec(tok[2], UINT8_MAX, &labels) || !dec(tok[3], UINT32_MAX, &ttl) ||
	    !sig_time(tok[4], &exp) || !sig_time(tok[5], &inc) || !dec(tok[6], UINT16_MAX, &tag))
		return 0;
	wire_put16(out, covered);
	out[3] = (uint8_t)labels;
	wire_put32(out + 4, ttl);
	wire_put32(out + 8, exp);
	wire_put32(out + 12, inc);
	wire_put16(out + 16, (uint16_t)tag);
	w = 18;
	n = zload_fast_name(tok[7], origin, olen, out + w);
	if (n == 0)
		return 0;
	w += n;
	sig = b64_field(tok + 8, ntok - 8, out + w, ZLOAD_FASTRR_MAX - w);
	return sig == 0 ? 0 : w + sig;
}

/* NSEC3 (RFC 5155 3.3) and, with no next owner or bitmap, NSEC3PARAM (RFC 5155 4.3). */
static size_t nsec3_rdata(bool param, char *const *tok, unsigned ntok, uint8_t *out)
{
	uint32_t alg, flags, iter;
	size_t w, n;

	if ((param ? ntok != 4 : ntok < 6) || !dec(tok[0], UINT8_MAX, &alg) ||
	    !dec(tok[1], UINT8_MAX, &flags) || !dec(tok[2], UINT16_MAX, &iter))
		return 0;
	out[0] = (uint8_t)alg;
	out[1] = (uint8_t)flags;
	wire_put16(out + 2, (uint16_t)iter);
	n = salt_field(tok[3], out + 4);
	if (n == 0)
		return 0;
	w = 4 + n;
	if (param)
		return w;
	n = b32hex_field(tok[4], out + w);
	if (n == 0)
		return 0;
	w += n;
	n = bitmap_field(tok + 5, ntok - 5, out + w, ZLOAD_FASTRR_MAX - w);
	return n == 0 ? 0 : w + n;
}

/* DS (RFC 4034 5.1) and DNSKEY (RFC 4034 2.1): three numbers, then hex or base64. */
static size_t key_rdata(bool ds, char *const *tok, unsigned ntok, uint8_t *out)
{
	uint32_t a, b;
	size_t n;

	if (ntok < 4 || !dec(tok[0], UINT16_MAX, &a))
		return 0;
	wire_put16(out, (uint16_t)a);
	if (ds ? !alg_field(tok[1], out + 2) || !dec(tok[2], UINT8_MAX, &b)
	       : !dec(tok[1], UINT8_MAX, &b) || !alg_field(tok[2], out + 3))
		return 0;
	out[ds ? 3 : 2] = (uint8_t)b;
	n = ds ? hex_field(tok + 3, ntok - 3, out + 4, ZLOAD_FASTRR_MAX - 4)
	       : b64_field(tok + 3, ntok - 3, out + 4, ZLOAD_FASTRR_MAX - 4);
	return n == 0 ? 0 : 4 + n;
}

size_t zload_fastrr_rdata(uint16_t type, char *const *tok, unsigned ntok, const uint8_t *origin,
			  size_t olen, uint8_t *out)
{
	size_t n;

	switch (type) {
	case T_RRSIG:
		return rrsig_rdata(tok, ntok, origin, olen, out);
	case T_NSEC3:
	case T_NSEC3PARAM:
		return nsec3_rdata(type == T_NSEC3PARAM, tok, ntok, out);
	case T_NSEC:
		if (ntok < 2)
			return 0;
		n = zload_fast_name(tok[0], origin, olen, out);
		if (n == 0)
			return 0;
		{
			size_t bm = bitmap_field(tok + 1, ntok - 1, out + n, ZLOAD_FASTRR_MAX - n);

			return bm == 0 ? 0 : n + bm;
		}
	case T_DS:
	case T_DNSKEY:
		return key_rdata(type == T_DS, tok, ntok, out);
	default:
		return 0;
	}
}
