/* SPDX-License-Identifier: BSD-3-Clause */
/* dnstap_wire.h: one dnstap message in protobuf's wire format, written without a library */
#ifndef DNSTAP_WIRE_H
#define DNSTAP_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* dnstap.proto's numbers for what sandns writes. */
enum {
	DNSTAP_AUTH_QUERY = 1, /* Message.Type */
	DNSTAP_AUTH_RESPONSE = 2,
	DNSTAP_INET = 1, /* SocketFamily */
	DNSTAP_INET6 = 2,
	DNSTAP_PROTO_UDP = 1, /* SocketProtocol */
	DNSTAP_PROTO_TCP = 2,
};

/*
 * What one message says: a Dnstap frame of type MESSAGE around a Message. For an AUTH_QUERY the
 * time and the DNS message go into query_time and query_message, for an AUTH_RESPONSE into
 * response_time and response_message. ADDR (ALEN octets, 0: none) is the client's, with PORT.
 */
struct dnstap_msg {
	const uint8_t *identity, *version; /* or NULL */
	size_t identity_len, version_len;
	unsigned type, family, proto;
	const uint8_t *addr;
	size_t alen;
	uint16_t port;
	uint64_t sec;
	uint32_t nsec;
	const uint8_t *dns;
	size_t dns_len;
};

/*
 * The octets dnstap_wire_write() writes for M; *INNER gets the inner Message's length, which
 * dnstap_wire_write() takes.
 */
size_t dnstap_wire_size(const struct dnstap_msg *m, size_t *inner);

/*
 * Writes M into OUT (dnstap_wire_size() octets): the fields in the order of their numbers, as
 * protobuf's own encoders write them; PREFIX (PLEN octets, from dnstap_wire_prefix()) first.
 * Returns the length.
 */
size_t dnstap_wire_write(const struct dnstap_msg *m, size_t inner, const uint8_t *prefix,
			 size_t plen, uint8_t *out);

/*
 * The fields every message of one log starts with (M's identity and version, the others are not
 * read) into OUT (at most 2 * (10 + 255) octets, each at most 255 long); their length. Written
 * once, copied into every message.
 */
size_t dnstap_wire_prefix(const struct dnstap_msg *m, uint8_t *out);

#endif
