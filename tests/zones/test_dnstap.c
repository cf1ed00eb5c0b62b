/* SPDX-License-Identifier: BSD-3-Clause */
/* test_dnstap.c: CUnit suite for zones/dnstap_wire.c, read back with protobuf-c's dnstap code */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "dnstap.pb-c.h"
#include "dnstap_wire.h"

static const uint8_t dns_msg[] = {0x12, 0x34, 0x81, 0x80, 0,   1, 0, 0, 0, 0, 0,
				  0,	3,    'w',  'w',  'w', 0, 0, 1, 0, 1};

/* Writes M, checks its length, and reads it back (the caller frees it). */
static Dnstap__Dnstap *roundtrip(const struct dnstap_msg *m)
{
	uint8_t prefix[2 * (10 + 255)];
	size_t inner, size = dnstap_wire_size(m, &inner), n, plen = dnstap_wire_prefix(m, prefix);
	uint8_t *buf = malloc(size + 1);
	Dnstap__Dnstap *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	buf[size] = 0xee;
	n = dnstap_wire_write(m, inner, prefix, plen, buf);
	CU_ASSERT_EQUAL(n, size);
	CU_ASSERT_EQUAL(buf[size], 0xee);
	d = dnstap__dnstap__unpack(NULL, n, buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	/* The same octets as protobuf-c writes for what it read. */
	CU_ASSERT_EQUAL(dnstap__dnstap__get_packed_size(d), n);
	{
		uint8_t *again = malloc(n);

		CU_ASSERT_PTR_NOT_NULL_FATAL(again);
		CU_ASSERT_EQUAL(dnstap__dnstap__pack(d, again), n);
		CU_ASSERT_TRUE(memcmp(again, buf, n) == 0);
		free(again);
	}
	free(buf);
	return d;
}

static void test_query_v4(void)
{
	static const uint8_t addr[4] = {198, 18, 0, 1};
	struct dnstap_msg m = {.identity = (const uint8_t *)"ns1.test",
			       .identity_len = 8,
			       .version = (const uint8_t *)"sandns 1",
			       .version_len = 8,
			       .type = DNSTAP_AUTH_QUERY,
			       .family = DNSTAP_INET,
			       .proto = DNSTAP_PROTO_UDP,
			       .addr = addr,
			       .alen = 4,
			       .port = 53000,
			       .sec = 1796000000,
			       .nsec = 123456789,
			       .dns = dns_msg,
			       .dns_len = sizeof(dns_msg)};
	Dnstap__Dnstap *d = roundtrip(&m);
	Dnstap__Message *msg = d->message;

	CU_ASSERT_EQUAL(d->type, DNSTAP__DNSTAP__TYPE__MESSAGE);
	CU_ASSERT_TRUE(d->has_identity && d->identity.len == 8 &&
		       memcmp(d->identity.data, "ns1.test", 8) == 0);
	CU_ASSERT_TRUE(d->has_version && d->version.len == 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_EQUAL(msg->type, DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
	CU_ASSERT_TRUE(msg->has_socket_family && msg->socket_family == DNSTAP__SOCKET_FAMILY__INET);
	CU_ASSERT_TRUE(msg->has_socket_protocol &&
		       msg->socket_protocol == DNSTAP__SOCKET_PROTOCOL__UDP);
	CU_ASSERT_TRUE(msg->has_query_address && msg->query_address.len == 4 &&
		       memcmp(msg->query_address.data, addr, 4) == 0);
	CU_ASSERT_TRUE(msg->has_query_port && msg->query_port == 53000);
	CU_ASSERT_TRUE(msg->has_query_time_sec && msg->query_time_sec == 1796000000);
	CU_ASSERT_TRUE(msg->has_query_time_nsec && msg->query_time_nsec == 123456789);
	CU_ASSERT_TRUE(msg->has_query_message && msg->query_message.len == sizeof(dns_msg) &&
		       memcmp(msg->query_message.data, dns_msg, sizeof(dns_msg)) == 0);
	CU_ASSERT_FALSE(msg->has_response_message || msg->has_response_time_sec);
	dnstap__dnstap__free_unpacked(d, NULL);
}

/* A response over TCP from IPv6, no identity nor version, a message long enough for a
 * two-octet length, a time past 2^32 seconds. */
static void test_response_v6(void)
{
	static const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t big[300];
	struct dnstap_msg m = {.type = DNSTAP_AUTH_RESPONSE,
			       .family = DNSTAP_INET6,
			       .proto = DNSTAP_PROTO_TCP,
			       .addr = addr,
			       .alen = 16,
			       .port = 1,
			       .sec = 5000000000ull,
			       .nsec = 999999999,
			       .dns = big,
			       .dns_len = sizeof(big)};
	Dnstap__Dnstap *d;
	Dnstap__Message *msg;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	d = roundtrip(&m);
	msg = d->message;
	CU_ASSERT_FALSE(d->has_identity || d->has_version);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_EQUAL(msg->type, DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE);
	CU_ASSERT_EQUAL(msg->socket_family, DNSTAP__SOCKET_FAMILY__INET6);
	CU_ASSERT_EQUAL(msg->socket_protocol, DNSTAP__SOCKET_PROTOCOL__TCP);
	CU_ASSERT_TRUE(msg->query_address.len == 16 &&
		       memcmp(msg->query_address.data, addr, 16) == 0);
	CU_ASSERT_EQUAL(msg->query_port, 1);
	CU_ASSERT_TRUE(msg->has_response_time_sec && msg->response_time_sec == 5000000000ull);
	CU_ASSERT_TRUE(msg->has_response_time_nsec && msg->response_time_nsec == 999999999);
	CU_ASSERT_TRUE(msg->has_response_message && msg->response_message.len == sizeof(big) &&
		       memcmp(msg->response_message.data, big, sizeof(big)) == 0);
	CU_ASSERT_FALSE(msg->has_query_message || msg->has_query_time_sec);
	dnstap__dnstap__free_unpacked(d, NULL);
}

/* No address (a family other than IPv4 and IPv6): none written, the rest readable. */
static void test_no_address(void)
{
	struct dnstap_msg m = {.type = DNSTAP_AUTH_QUERY,
			       .family = DNSTAP_INET,
			       .proto = DNSTAP_PROTO_UDP,
			       .dns = dns_msg,
			       .dns_len = sizeof(dns_msg)};
	Dnstap__Dnstap *d = roundtrip(&m);

	CU_ASSERT_FALSE(d->message->has_query_address || d->message->has_query_port);
	CU_ASSERT_TRUE(d->message->has_query_message);
	dnstap__dnstap__free_unpacked(d, NULL);
}

void reg_cutest_dnstap(void)
{
	CU_pSuite s = CU_add_suite("dnstap", NULL, NULL);

	CU_add_test(s, "a query from IPv4, with identity and version", test_query_v4);
	CU_add_test(s, "a response to IPv6 over TCP", test_response_v6);
	CU_add_test(s, "no client address", test_no_address);
}
