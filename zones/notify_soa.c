/* SPDX-License-Identifier: BSD-3-Clause */
/* notify_soa.c: the serial a NOTIFY's answer section carries (RFC 1996 3.7) */
#include "notify_soa.h"
#include "wire.h"

/* Whether the N octets at A and B are the same name's, ASCII letters in either case. */
static bool same_octets(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

/*
 * Whether the name at AT of MSG (LEN octets) is Q (QLEN octets, written whole), in any case, its
 * compression pointers followed, each to a place before the last (no loop); *END the octet after
 * the name as written at AT.
 */
static bool name_is(const uint8_t *msg, size_t len, size_t at, const uint8_t *q, size_t qlen,
		    size_t *end)
{
	size_t pos = at, lowest = at, qi = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return false;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= len)
				return false;
			to = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (to >= lowest)
				return false;
			if (!jumped)
				*end = pos + 2;
			jumped = true;
			pos = lowest = to;
			continue;
		}
		if ((l & 0xc0) != 0 || qi >= qlen || q[qi] != l || pos + 1 + l > len ||
		    qi + 1 + l > qlen || !same_octets(msg + pos + 1, q + qi + 1, l))
			return false;
		pos += 1 + (size_t)l;
		qi += 1 + (size_t)l;
		if (l == 0) {
			if (!jumped)
				*end = pos;
			return true;
		}
	}
}

bool notify_soa_serial(const uint8_t *msg, size_t len, size_t qname_len, uint32_t *serial)
{
	const size_t at = WIRE_HDR_LEN + qname_len + 4; /* past the question */
	wire_ctx_t c;
	uint16_t rdlen;
	size_t end = 0;

	if (len < at || wire_get16(msg + 6) == 0)
		return false;
	wire_ctx_init(&c, msg, len);
	/* The owner: the question's name, written again, pointed to, or some of each. */
	if (!name_is(msg, len, at, msg + WIRE_HDR_LEN, qname_len, &end))
		return false;
	c.pos = msg + end;
	if (wire_ctx_left(&c) < 10 || wire_get16(c.pos) != 6 /* SOA */ ||
	    wire_get16(c.pos + 2) != 1 /* IN */)
		return false;
	rdlen = wire_get16(c.pos + 8);
	c.pos += 10;
	if (wire_ctx_left(&c) < rdlen)
		return false;
	c.end = c.pos + rdlen; /* MNAME and RNAME may point back into the message */
	wire_ctx_skip_name(&c);
	wire_ctx_skip_name(&c);
	if (c.err != 0 || wire_ctx_left(&c) < 4)
		return false;
	*serial = wire_get32(c.pos);
	return true;
}
