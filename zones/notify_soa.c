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

bool notify_soa_serial(const uint8_t *msg, size_t len, size_t qname_len, uint32_t *serial)
{
	const size_t at = WIRE_HDR_LEN + qname_len + 4; /* past the question */
	wire_ctx_t c;
	uint16_t rdlen;

	if (len < at || wire_get16(msg + 6) == 0)
		return false;
	wire_ctx_init(&c, msg, len);
	c.pos += at;
	/* The owner: the question's name, as a pointer to it or written again. */
	if (wire_ctx_left(&c) >= 2 && c.pos[0] == 0xc0 && c.pos[1] == WIRE_HDR_LEN)
		c.pos += 2;
	else if (wire_ctx_left(&c) >= qname_len &&
		 same_octets(c.pos, msg + WIRE_HDR_LEN, qname_len))
		c.pos += qname_len;
	else
		return false;
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
