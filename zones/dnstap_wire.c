/* SPDX-License-Identifier: BSD-3-Clause */
/* dnstap_wire.c: one dnstap message in protobuf's wire format, written without a library */
#include <string.h>

#include "dnstap_wire.h"

/*
 * protobuf-c's generic encoder walks the message's descriptor for every field: about 2,200
 * instructions a message here, ten times what answering the query costs (bench/answer.c
 * --dnstap under callgrind). The schema is small and fixed, so it is written directly; the
 * unit tests read it back with protobuf-c.
 */

/* Keys: field number << 3 | wire type (0 varint, 2 length-delimited, 5 fixed32). */
#define KEY(field, wt) ((uint8_t)((field) << 3 | (wt)))
enum { WT_VARINT = 0, WT_LEN = 2, WT_FIXED32 = 5 };

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *put_bytes(uint8_t *p, uint8_t key, const uint8_t *data, size_t len)
{
	*p++ = key;
	p = put_varint(p, len);
	memcpy(p, data, len);
	return p + len;
}

static size_t bytes_size(size_t len)
{
	return 1 + varint_size(len) + len;
}

/* The inner Message's length. */
static size_t message_size(const struct dnstap_msg *m)
{
	size_t n = 2 + 2 + 2; /* type, socket_family, socket_protocol: one-octet values */

	if (m->alen != 0)
		n += bytes_size(m->alen) + 1 + varint_size(m->port);
	n += 1 + varint_size(m->sec) + 1 + 4;
	n += bytes_size(m->dns_len);
	return n;
}

size_t dnstap_wire_size(const struct dnstap_msg *m, size_t *inner)
{
	size_t n;

	*inner = message_size(m);
	n = bytes_size(*inner) + 2; /* message, type MESSAGE */
	if (m->identity != NULL)
		n += bytes_size(m->identity_len);
	if (m->version != NULL)
		n += bytes_size(m->version_len);
	return n;
}

size_t dnstap_wire_prefix(const struct dnstap_msg *m, uint8_t *out)
{
	uint8_t *p = out;

	if (m->identity != NULL)
		p = put_bytes(p, KEY(1, WT_LEN), m->identity, m->identity_len);
	if (m->version != NULL)
		p = put_bytes(p, KEY(2, WT_LEN), m->version, m->version_len);
	return (size_t)(p - out);
}

size_t dnstap_wire_write(const struct dnstap_msg *m, size_t inner, const uint8_t *prefix,
			 size_t plen, uint8_t *out)
{
	const int resp = m->type == DNSTAP_AUTH_RESPONSE;
	uint8_t *p = out;

	memcpy(p, prefix, plen);
	p += plen;
	*p++ = KEY(14, WT_LEN);
	p = put_varint(p, inner);
	p[0] = KEY(1, WT_VARINT);
	p[1] = (uint8_t)m->type;
	p[2] = KEY(2, WT_VARINT);
	p[3] = (uint8_t)m->family;
	p[4] = KEY(3, WT_VARINT);
	p[5] = (uint8_t)m->proto;
	p += 6;
	if (m->alen != 0) {
		p = put_bytes(p, KEY(4, WT_LEN), m->addr, m->alen);
		*p++ = KEY(6, WT_VARINT);
		p = put_varint(p, m->port);
	}
	/* query_time (8, 9) or response_time (12, 13) */
	*p++ = resp ? KEY(12, WT_VARINT) : KEY(8, WT_VARINT);
	p = put_varint(p, m->sec);
	*p++ = resp ? KEY(13, WT_FIXED32) : KEY(9, WT_FIXED32);
	p[0] = (uint8_t)m->nsec;
	p[1] = (uint8_t)(m->nsec >> 8);
	p[2] = (uint8_t)(m->nsec >> 16);
	p[3] = (uint8_t)(m->nsec >> 24);
	p += 4;
	/* query_message (10) or response_message (14) */
	p = put_bytes(p, resp ? KEY(14, WT_LEN) : KEY(10, WT_LEN), m->dns, m->dns_len);
	p[0] = KEY(15, WT_VARINT);
	p[1] = 1; /* Dnstap.Type MESSAGE */
	return (size_t)(p + 2 - out);
}
