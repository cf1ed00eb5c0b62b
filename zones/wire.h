/* SPDX-License-Identifier: BSD-3-Clause */
/* wire.h: DNS wire-format constants, names and a bounded read cursor */
#ifndef WIRE_H
#define WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WIRE_HDR_LEN 12
#define WIRE_NAME_MAX 255
#define WIRE_LABEL_MAX 63
#define WIRE_PTR_MAX 0x3fff

enum {
	T_A = 1,
	T_NS = 2,
	T_MD = 3,
	T_MF = 4,
	T_CNAME = 5,
	T_SOA = 6,
	T_MB = 7,
	T_MG = 8,
	T_MR = 9,
	T_NULL = 10,
	T_PTR = 12,
	T_MINFO = 14,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_SRV = 33,
	T_DNAME = 39,
	T_OPT = 41,
	T_DS = 43,
	T_RRSIG = 46,
	T_NSEC = 47,
	T_DNSKEY = 48,
	T_NSEC3 = 50,
	T_NSEC3PARAM = 51,
	T_TKEY = 249,
	T_TSIG = 250,
	T_IXFR = 251,
	T_AXFR = 252,
	T_MAILB = 253,
	T_MAILA = 254,
	T_ANY = 255,
};
enum { C_IN = 1, C_CH = 3, C_NONE = 254, C_ANY = 255 };
enum {
	RC_NOERROR = 0,
	RC_FORMERR = 1,
	RC_SERVFAIL = 2,
	RC_NXDOMAIN = 3,
	RC_NOTIMP = 4,
	RC_REFUSED = 5,
	RC_NOTAUTH = 9,
	RC_BADVERS = 16,
	RC_BADCOOKIE = 23, /* RFC 7873: rcode 7 in the header, extended rcode 1 in the OPT */
};
/* Header flag bits in the second 16-bit word. */
#define F_QR 0x8000
#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_CD 0x0010
#define F_OPCODE_MASK 0x7800
#define EDNS_DO 0x8000

/*
 * Network-order loads and stores. One unaligned access and a byte swap each (the compiler does
 * not always merge octet-wise code into that, and these are on every answer's path).
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WIRE_BE16(v) __builtin_bswap16(v)
#define WIRE_BE32(v) __builtin_bswap32(v)
#define WIRE_LE64(v) (v)
#else
#define WIRE_BE16(v) (v)
#define WIRE_BE32(v) (v)
#define WIRE_LE64(v) __builtin_bswap64(v)
#endif

/* Readable octets kept after a name where code reads it a word at a time (zt_find_slack). */
#define WIRE_SLACK 8

static inline uint16_t wire_get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return WIRE_BE16(v);
}

static inline uint32_t wire_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return WIRE_BE32(v);
}

static inline void wire_put16(uint8_t *p, uint16_t v)
{
	v = WIRE_BE16(v);
	memcpy(p, &v, 2);
}

static inline void wire_put32(uint8_t *p, uint32_t v)
{
	v = WIRE_BE32(v);
	memcpy(p, &v, 4);
}

static inline uint8_t wire_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/*
 * Whether the name at OFF of a message being written, BUF (its compression pointers followed:
 * they were written by us, backwards; a loop stops after 128 hops), is S (uncompressed), in any
 * case: what name compression asks of a name already in the message.
 */
static inline bool wire_name_at_eq(const uint8_t *buf, size_t off, const uint8_t *s)
{
	for (unsigned guard = 0; guard < 128; guard++) {
		uint8_t l = buf[off];

		if ((l & 0xc0) == 0xc0) {
			off = (size_t)((l & 0x3f) << 8 | buf[off + 1]);
			continue;
		}
		if (l != *s)
			return false;
		if (l == 0)
			return true;
		for (uint8_t i = 1; i <= l; i++)
			if (wire_lower(buf[off + i]) != wire_lower(s[i]))
				return false;
		off += (size_t)l + 1;
		s += l + 1;
	}
	return false;
}

/*
 * The last N (< 8) octets at P as one word, without reading past them (the hash and the name
 * comparison take names 8 octets at a time, then this).
 */
static inline uint64_t wire_load_tail(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	switch (n) {
	case 7:
		w |= (uint64_t)p[6] << 48;
		/* fall through */
	case 6:
		w |= (uint64_t)p[5] << 40;
		/* fall through */
	case 5:
		w |= (uint64_t)p[4] << 32;
		/* fall through */
	case 4:
		w |= (uint64_t)p[3] << 24;
		/* fall through */
	case 3:
		w |= (uint64_t)p[2] << 16;
		/* fall through */
	case 2:
		w |= (uint64_t)p[1] << 8;
		/* fall through */
	case 1:
		w |= p[0];
	}
	return w;
}

/* Eight octets lower-cased at once: high bits of ge_a/gt_z say >= 'A' / > 'Z' (7-bit values). */
static inline uint64_t wire_lower8(uint64_t w)
{
	uint64_t seven = w & 0x7f7f7f7f7f7f7f7full;
	uint64_t ge_a = seven + 0x3f3f3f3f3f3f3f3full;
	uint64_t gt_z = seven + 0x2525252525252525ull;

	return w | (((ge_a ^ gt_z) & ~w & 0x8080808080808080ull) >> 2);
}

/*
 * Copies LEN octets of a wire name from SRC to DST in lower case, 8 at a time. Label length
 * octets are below 64 and never look like 'A'..'Z', so the whole name goes through as bytes.
 */
static inline void wire_lower_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, src + i, 8);
		w = wire_lower8(w);
		memcpy(dst + i, &w, 8);
	}
	if (i == len)
		return;
	if (len >= 8) {
		/* the last 8 octets, overlapping: lower-casing twice changes nothing */
		memcpy(&w, src + len - 8, 8);
		w = wire_lower8(w);
		memcpy(dst + len - 8, &w, 8);
		return;
	}
	for (; i < len; i++)
		dst[i] = wire_lower(src[i]);
}

/* Whether the LEN octets at A and B are equal (names of a few dozen octets: inline). */
static inline bool wire_mem_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (; len >= 8; a += 8, b += 8, len -= 8) {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	return wire_load_tail(a, len) == wire_load_tail(b, len);
}

/* Length of an uncompressed wire name known to be valid (root = 1). */
static inline size_t wire_name_len(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

/* Number of labels of a valid uncompressed name, the root not counted. */
unsigned wire_name_labels(const uint8_t *name);

/* Copies a valid uncompressed name lower-cased; returns its length. */
size_t wire_name_lower(uint8_t *dst, const uint8_t *src);

/* Case-insensitive equality of two valid uncompressed names. */
bool wire_name_eq(const uint8_t *a, const uint8_t *b);

/* Whether NAME equals or is below PARENT (both valid, uncompressed, any case). */
bool wire_name_is_sub(const uint8_t *name, const uint8_t *parent);

/* Canonical DNS order (RFC 4034 6.1) of two valid uncompressed names: <0, 0, >0. */
int wire_name_cmp_canonical(const uint8_t *a, const uint8_t *b);

/* Presentation form of a valid uncompressed name into buf (escaped, trailing dot). */
void wire_name_to_text(const uint8_t *name, char *buf, size_t buflen);

/*
 * In records as rendered (LEN octets at D, owners uncompressed or ending in a pointer), the
 * octets from OFF up to the first RRSIG record, or SIZE_MAX when none follows (or a record is
 * cut short).
 */
size_t wire_until_rrsig(const uint8_t *d, size_t len, size_t off);

/* A bounded read cursor with a sticky error: check ctx.err once per message. */
typedef struct wire_ctx {
	const uint8_t *start;
	const uint8_t *pos;
	const uint8_t *end;
	int err;
} wire_ctx_t;

static inline void wire_ctx_init(wire_ctx_t *c, const uint8_t *buf, size_t len)
{
	c->start = buf;
	c->pos = buf;
	c->end = buf + len;
	c->err = 0;
}

static inline size_t wire_ctx_left(const wire_ctx_t *c)
{
	return (size_t)(c->end - c->pos);
}

static inline uint16_t wire_ctx_read16(wire_ctx_t *c)
{
	uint16_t v;

	if (c->err != 0 || wire_ctx_left(c) < 2) {
		c->err = -1;
		return 0;
	}
	v = wire_get16(c->pos);
	c->pos += 2;
	return v;
}

static inline void wire_ctx_skip(wire_ctx_t *c, size_t n)
{
	if (c->err != 0 || wire_ctx_left(c) < n) {
		c->err = -1;
		return;
	}
	c->pos += n;
}

/*
 * Skips a possibly compressed name at the cursor, checking that every pointer goes backwards
 * and the whole name is at most 255 octets. Returns the name's length on the wire.
 */
size_t wire_ctx_skip_name(wire_ctx_t *c);

#endif
