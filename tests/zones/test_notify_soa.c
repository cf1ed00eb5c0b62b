/* SPDX-License-Identifier: BSD-3-Clause */
/* test_notify_soa.c: CUnit suite: the serial a NOTIFY's answer section carries */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "notify_soa.h"
#include "tutil.h"

static uint8_t msg[1024];
static size_t len, qn; /* the message's length; its question name's */

/* A NOTIFY for example.com. SOA, ANCOUNT AN, the octets REC (N) after the question. */
static void make(uint16_t an, const uint8_t *rec, size_t n)
{
	len = tu_query(msg, 9, 4 << 11, "example.com.", 6, 1);
	qn = len - 12 - 4;
	msg[6] = (uint8_t)(an >> 8);
	msg[7] = (uint8_t)an;
	memcpy(msg + len, rec, n);
	len += n;
}

/* The SOA's fixed part after its owner: type, class, TTL, RDLENGTH RDLEN. */
#define SOA_HEAD(rdlen) 0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, rdlen
/* Five 32-bit numbers, the first (the serial) 1234567890. */
#define NUMBERS 0x49, 0x96, 0x02, 0xd2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4

static void test_serial(void)
{
	/* Owner a pointer to the question, names compressed. */
	static const uint8_t ptr[] = {0xc0, 12, SOA_HEAD(27), 2,  'n',	  's',
				      0xc0, 12, 0xc0,	      12, NUMBERS};
	/* Owner written again in another case, names whole. */
	static const uint8_t whole[] = {7,   'E', 'x', 'A', 'm', 'P', 'l',
					'e', 3,	  'C', 'o', 'M', 0,   SOA_HEAD(26),
					1,   'a', 0,   1,   'b', 0,   NUMBERS};
	/* Owner the first label written again, the rest a pointer to the question's "com". */
	static const uint8_t part[] = {7,    'e',  'x',	 'a',	       'm',    'p', 'l',
				       'e',  0xc0, 20,	 SOA_HEAD(27), 2,      'n', 's',
				       0xc0, 12,   0xc0, 12,	       NUMBERS};
	/* A pointer to itself (the answer begins at 29), one to a later place, one to the
	 * question's "com" alone. */
	static const uint8_t loop[] = {0xc0, 29, SOA_HEAD(27), 2,  'n',	   's',
				       0xc0, 12, 0xc0,	       12, NUMBERS};
	static const uint8_t later[] = {0xc0, 31, SOA_HEAD(27), 2,  'n',    's',
					0xc0, 12, 0xc0,		12, NUMBERS};
	static const uint8_t com[] = {0xc0, 20, SOA_HEAD(27), 2,  'n',	  's',
				      0xc0, 12, 0xc0,	      12, NUMBERS};
	static const uint8_t other[] = {3,   'w', 'w',	'w', 0xc0, 12, SOA_HEAD(27), 2,
					'n', 's', 0xc0, 12,  0xc0, 12, NUMBERS};
	static const uint8_t a_rec[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1};
	/* RDLENGTH short of the serial; a name pointing forward; a pointer past the message. */
	static const uint8_t short_rd[] = {0xc0, 12, SOA_HEAD(8), 2,  'n',    's',
					   0xc0, 12, 0xc0,	  12, NUMBERS};
	static const uint8_t fwd[] = {0xc0, 12, SOA_HEAD(27), 2,  'n',	  's',
				      0xc0, 60, 0xc0,	      12, NUMBERS};
	static const uint8_t owner_far[] = {0xc0, 200, SOA_HEAD(27), 2,	 'n',	 's',
					    0xc0, 12,  0xc0,	     12, NUMBERS};
	uint32_t serial = 0;

	make(1, ptr, sizeof(ptr));
	CU_ASSERT_TRUE(notify_soa_serial(msg, len, qn, &serial));
	CU_ASSERT_EQUAL(serial, 1234567890);
	serial = 0;
	make(1, whole, sizeof(whole));
	CU_ASSERT_TRUE(notify_soa_serial(msg, len, qn, &serial));
	CU_ASSERT_EQUAL(serial, 1234567890);
	serial = 0;
	make(1, part, sizeof(part));
	CU_ASSERT_TRUE(notify_soa_serial(msg, len, qn, &serial));
	CU_ASSERT_EQUAL(serial, 1234567890);
	make(1, loop, sizeof(loop));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, later, sizeof(later));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, com, sizeof(com));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	/* Every octet cut off: never read past the message. */
	for (size_t cut = 1; cut <= sizeof(ptr); cut++) {
		make(1, ptr, sizeof(ptr) - cut);
		CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	}
	make(0, ptr, sizeof(ptr)); /* ANCOUNT 0: the octets are no answer */
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, other, sizeof(other));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, a_rec, sizeof(a_rec));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, short_rd, sizeof(short_rd));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, fwd, sizeof(fwd));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
	make(1, owner_far, sizeof(owner_far));
	CU_ASSERT_FALSE(notify_soa_serial(msg, len, qn, &serial));
}

/* A small xorshift: the same messages on every run. */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/*
 * Messages made of a good NOTIFY mutated at random (octets changed, pointers aimed anywhere,
 * counts and lengths changed, cut short), each read from a heap copy of exactly its length: under
 * AddressSanitizer an octet read past it fails the run. A serial read must be four octets of the
 * message.
 */
static void test_mutated(void)
{
	static const uint8_t base[] = {0xc0, 12, SOA_HEAD(27), 2,  'n',	   's',
				       0xc0, 12, 0xc0,	       12, NUMBERS};
	size_t found = 0;

	for (unsigned iter = 0; iter < 200000; iter++) {
		size_t n, q;
		uint8_t *copy;
		uint32_t serial;
		bool got, inside = false;

		make(1 + (uint16_t)(rnd() % 3 == 0 ? rnd() % 4 : 0), base, sizeof(base));
		q = qn;
		for (unsigned k = rnd() % 6; k > 0; k--) {
			const size_t at = rnd() % len;

			switch (rnd() % 5) {
			case 0: /* any octet, anything */
				msg[at] = (uint8_t)rnd();
				break;
			case 1: /* a pointer aimed anywhere, forward, or past the end */
				if (at + 1 < len) {
					msg[at] = (uint8_t)(0xc0 | (rnd() % 2 ? rnd() % 4 : 0));
					msg[at + 1] = (uint8_t)rnd();
				}
				break;
			case 2: /* a length octet (a label's or RDLENGTH's) changed */
				msg[at] = (uint8_t)(rnd() % 70);
				break;
			case 3: /* cut short */
				len = at + 1;
				break;
			default: /* octets added */
				for (unsigned e = rnd() % 40; e > 0 && len < sizeof(msg); e--)
					msg[len++] = (uint8_t)rnd();
				break;
			}
		}
		/* Now and then a question length the message cannot hold. */
		if (rnd() % 50 == 0)
			q = rnd() % (len + 8);
		n = len;
		copy = malloc(n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, msg, n);
		got = notify_soa_serial(copy, n, q, &serial);
		for (size_t i = 12; got && !inside && i + 4 <= n; i++)
			inside = ((uint32_t)copy[i] << 24 | (uint32_t)copy[i + 1] << 16 |
				  (uint32_t)copy[i + 2] << 8 | copy[i + 3]) == serial;
		if (got) {
			found++;
			CU_ASSERT_TRUE(inside);
		}
		free(copy);
	}
	/* The mutations leave many messages whole: the reading is exercised, not only refused. */
	CU_ASSERT_TRUE(found > 1000);
}

void reg_cutest_notify_soa(void)
{
	CU_pSuite s = CU_add_suite("notify_soa", NULL, NULL);

	CU_add_test(s, "the SOA serial of a NOTIFY's answer section", test_serial);
	CU_add_test(s, "mutated messages: read within them only", test_mutated);
}
