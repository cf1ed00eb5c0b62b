/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload_fastrr_hostile.c: CUnit suite: hostile DNSSEC lines, fast reader against ldns */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tutil.h"
#include "zload.h"
#include "zload_pvt.h"

/*
 * Lines made to find where the fast reader (zload_lines.c, zload_fastrr.c) and ldns alone part:
 * odd numbers, times, base64, bitmaps, names, blanks (CR, FF, VT, NUL), $ORIGIN, blank owners,
 * pieces on threads. Each zone read both ways: the same records on the same lines, or the
 * same error. (Blank lines are left out: ldns counts them into the line of the record before.)
 */

#define HEAD                                                                                       \
	"$ORIGIN example.com.\n"                                                                   \
	"$TTL 3600\n"                                                                              \
	"@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"                               \
	"@ IN NS ns1\n"                                                                            \
	"ns1 IN A 192.0.2.53\n"

static char err[1024], err2[1024];

/* TEXT read with the fast reader and with ldns alone, and on threads in pieces of PIECE. */
static void same_ways(const char *text, size_t piece)
{
	zload_zone_t *a = tu_read_with(text, err, sizeof(err), true, 1, 0);
	zload_zone_t *b = tu_read_with(text, err2, sizeof(err2), false, 1, 0);
	unsigned before = CU_get_number_of_failures();

	if ((a == NULL) != (b == NULL))
		fprintf(stderr, "\n  fast: %s\n  ldns: %s\n%s", a ? "loaded" : err,
			b ? "loaded" : err2, text);
	tu_assert_same(a, err, b, err2, "ldns");
	a = tu_read_with(text, err, sizeof(err), false, 1, 0);
	b = tu_read_with(text, err2, sizeof(err2), true, 3, piece);
	tu_assert_same(a, err, b, err2, "3 threads");
	if (CU_get_number_of_failures() != before)
		fprintf(stderr, "\n  ---- zone:\n%s----\n", text);
}

/* LINE between good lines, a blank owner after it: read both ways. */
static void one_line(const char *line)
{
	static const char before[] = HEAD "a IN A 192.0.2.1\n",
			  after[] = "\n  IN RRSIG A 13 3 300 1 2 3 example.com. AAAA\n"
				    "c IN A 192.0.2.2\n";
	size_t n = strlen(line);
	char *zone = malloc(sizeof(before) + n + sizeof(after));

	CU_ASSERT_PTR_NOT_NULL_FATAL(zone);
	memcpy(zone, before, sizeof(before) - 1);
	memcpy(zone + sizeof(before) - 1, line, n);
	memcpy(zone + sizeof(before) - 1 + n, after, sizeof(after));
	same_ways(zone, 64);
	free(zone);
}

/* Each taken by the fast reader as ldns reads it, or left to ldns. */
static const char *const lines[] = {
    "\rx IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "\r IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x\tIN\tRRSIG\tA\t13\t3\t300\t1\t2\t3\texample.com.\tAAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AAAA\r",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AA\rAA",
    "x\r300\rIN\rRRSIG\rA 13 3 300 1 2 3 example.com. AAAA",
    "x 1h IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x 01 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x 2147483648 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x 4294967295 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x 4294967296 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x +300 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x CH RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x ANY RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x 300 CH RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x IN 300 RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com.",
    "x IN RRSIG A 13 3 300 1 2 3",
    "x IN RRSIG",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AAAA AAAA AAAA",
    "* IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "*.w IN NSEC next.example.com. A RRSIG NSEC",
    "a*b IN NSEC * A",
    "x IN RRSIG A 13 3 300 1 2 3 * AAAA",
    "x IN RRSIG A 013 03 0300 1 2 00003 example.com. AAAA",
    "x IN RRSIG A 13 3 +300 1 2 3 example.com. AAAA",
    "x IN RRSIG A +13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 1 2 +3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 19700101000000 19700101000000 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 21060207062815 21060207062816 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 20230229000000 20240229000000 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 99991231235959 20230431000000 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 00000000000000 20230431000000 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 19691231235959 1 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 0 4294967295 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 4294967296 1 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 0000000001 1 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 00000000000001 1 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 1 2 65536 example.com. AAAA",
    "x IN RRSIG A 256 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG A 0 0 0 0 0 0 example.com. AAAA",
    "x IN RRSIG TYPE65535 13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG type1 13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG TYPE00001 13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG TYPE65537 13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG a 13 3 300 1 2 3 EXAMPLE.COM. AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 sub AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 . AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AA==AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AA== AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AA==",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AA=\t=",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. A A A A",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. abcd EFGH +/+/ 09az",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AAAA ; c",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AAAA;c",
    "x IN RRSIG A 13 3 300 1 2 3 example.com.;c AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AAAA =",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. ====",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. -",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. 0",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv",
    "x IN NSEC3 1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV a",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuvw A",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstu A",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv0123456 A",
    "x IN NSEC3 1 0 0 - 01234567 A",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnopqrstuv A",
    "x IN NSEC3 1 0 0 abc 0123456789abcdefghijklmnopqrstuv A",
    "x IN NSEC3 1 0 0 - - A",
    "x IN NSEC3 1 0 0 0123456789abcdefghijklmnopqrstuv A",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv TYPE65535 type1 A A a TYPE1",
    ("x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv TYPE256 TYPE512 TYPE768 TYPE65280 "
     "TYPE1024 TYPE33023 TYPE65535 TYPE4096"),
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv TYPE0",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A TYPE65536",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A TYPE65537",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A TYPE1x",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A RRSIG ;c",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A RRSIG;c",
    "x IN NSEC3 +1 0 0 - 0123456789abcdefghijklmnopqrstuv A",
    "x IN NSEC3 1 0 010 - 0123456789abcdefghijklmnopqrstuv A",
    "x IN NSEC3PARAM 1 0 0 -",
    "x IN NSEC3PARAM 1 0 0 - ;c",
    "x IN NSEC3PARAM 1 0 0",
    "x IN NSEC3PARAM 1 0 0 - x",
    "x IN NSEC3PARAM 1 0 0 00",
    "x IN NSEC3PARAM 1 0 0 0",
    "x IN NSEC next",
    "x IN NSEC next.example.com. A ANY MAILA MAILB IXFR AXFR OPT",
    "x IN NSEC next. A",
    "x IN NSEC @ A",
    "x IN NSEC next TYPE256",
    "x IN DS 1 13 2 ab",
    "x IN DS 1 13 2 a b",
    "x IN DS 1 13 2 abc",
    "x IN DS 1 13 2 -",
    "x IN DS 1 13 2 0",
    "x IN DS 65536 13 2 ab",
    "x IN DS 1 256 2 ab",
    "x IN DS 1 13 256 ab",
    "x IN DNSKEY 256 3 13 AAAA",
    "x IN DNSKEY 256 3 13 -",
    "x IN DNSKEY 256 256 13 AAAA",
    "x IN DNSKEY 65536 3 13 AAAA",
    "x IN DNSKEY 256 3 13",
    "X IN rrsig A 13 3 300 1 2 3 example.com. AAAA",
    "x IN RrSiG A 13 3 300 1 2 3 example.com. AAAA",
    "x. IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x.example.com IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x.example.com. IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "300 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "in IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x\\.y IN RRSIG A 13 3 300 1 2 3 example.com. AAAA",
    "x IN RRSIG A 13 3 300 1 2 3 a\\.b AAAA",
    "x IN NSEC a A ; c\\",
    "x IN NSEC a A ; (",
    "x IN NSEC a A ; )",
    "x IN NSEC a A ; \"",
    "x IN NSEC a A ;",
    "x IN NSEC a A\t;\t\\(",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv ; no types",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A\v",
    "x IN NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A\fNS",
    "x IN RRSIG A 13 3 300 1 2 3 example.com. AA\vAA",
};

static void test_lines(void)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		one_line(lines[i]);
}

/*
 * Zones of several lines: $ORIGIN changes, blank owners after each reader (and on the first
 * record, with no owner before it: refused), long names.
 */
static const char *const zones[] = {
    HEAD "$ORIGIN sub.example.com.\nx IN RRSIG A 13 3 300 1 2 3 signer AAAA\n\tIN NSEC next A\n"
	 "$ORIGIN example.com.\n\tIN RRSIG A 13 3 300 1 2 3 signer AAAA\ny IN NSEC next A\n",
    HEAD "y IN TXT \"a\"\n\tIN RRSIG TXT 13 3 300 1 2 3 example.com. AAAA\n"
	 "z IN NSEC y A\n\tIN TXT \"b\"\n\tIN RRSIG TXT 13 3 300 1 2 3 example.com. AAAA\n",
    HEAD "y IN TXT ( \"a\" )\n\tIN RRSIG TXT 13 3 300 1 2 3 example.com. AAAA\n",
    HEAD "y IN RRSIG TXT 13 3 300 1 2 3 example.com. ( AAAA )\n\tIN NSEC a A\n",
    HEAD "@ IN NSEC a A\n\tIN RRSIG NSEC 13 3 300 1 2 3 example.com. AAAA\n",
    HEAD "$TTL 1h\nx RRSIG A 13 3 300 1 2 3 example.com. AAAA\n$TTL 0\ny NSEC a A\n",
    "\tIN RRSIG A 13 3 300 1 2 3 example.com. AAAA\n" HEAD,
    "$ORIGIN example.com.\n\tIN NSEC a A\n" HEAD,
    "$ORIGIN example.com.\n; c\n \t\n\tIN A 192.0.2.1\n" HEAD,
    "$ORIGIN example.com.\n  ( IN RRSIG A 13 3 300 1 2 3 example.com.\n AAAA )\n" HEAD,
    "$TTL 300\n\t300 IN AAAA 2001:db8::1\n" HEAD,
    HEAD
    "$ORIGIN .\nx.example.com IN NSEC a A\nx.example.com 300 IN RRSIG A 13 3 300 1 2 3 a AAAA\n",
    HEAD "x.example.com. IN NSEC a. A\n$ORIGIN x.example.com.\n\tIN NSEC b A\n",
    "\rx IN NSEC a A\n" HEAD,
    "$ORIGIN example.com.\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
    "x 4294967295 IN NSEC a A\ny 4294967295 IN A 192.0.2.1\nz IN NSEC a A\n",
    HEAD "$TTL 0\nx 4294967295 IN NSEC a A\ny 4294967295 IN A 192.0.2.1\nz IN NSEC a A\n",
    HEAD "$TTL 4294967295\nx IN NSEC a A\ny IN A 192.0.2.1\nz 2147483648 IN NSEC a A\n",
    HEAD "; c\n\rx IN NSEC a A\n\r IN RRSIG A 13 3 300 1 2 3 example.com. AAAA\n",
    HEAD "x IN NSEC a A\n\ry IN NSEC a A\n\vz IN NSEC a A\n\fw IN NSEC a A\n",
    HEAD "x IN NSEC a A\n\r\t300 IN RRSIG A 13 3 300 1 2 3 example.com. AAAA\n",
    HEAD "x IN NSEC a A\n\n\ry IN NSEC a A\n",
    HEAD "x IN NSEC a A\n\n\n\vy IN NSEC a A\nz IN NSEC a A\n",
    HEAD "x IN NSEC a A\r\n\r\ny IN NSEC a A\r\n",
    "$ORIGIN example.com.\n\r$TTL 3600\n\r@ IN SOA ns1 hostmaster 1 2 3 4 5\n\r@ IN NS ns1\n"
    "\rns1 IN A 192.0.2.53\n\rx IN NSEC a A\n\r\tIN RRSIG A 13 3 300 1 2 3 example.com. AAAA\n"
    "\ry 300 IN A 192.0.2.1\n\r\tIN NSEC a A\n",
};

/* An owner, a signer, a next name of 254 to 257 octets with the origin (13) appended. */
static void test_long_names(void)
{
	char label[64], name[300], zone[2048];

	memset(label, 'a', 63);
	label[63] = '\0';
	for (unsigned last = 1; last <= 6; last++) {
		/* three labels of 63 and one of LAST: 192 + 1 + LAST + 1 + 13 */
		snprintf(name, sizeof(name), "%s.%s.%s.%.*s", label, label, label, (int)last + 50,
			 label);
		snprintf(zone, sizeof(zone),
			 HEAD "%s IN NSEC a A\nx IN RRSIG A 13 3 300 1 2 3 %s AAAA\n"
			      "y IN NSEC %s A\n%s.example.com. IN NSEC a A\n",
			 name, name, name, name);
		same_ways(zone, 64);
	}
}

static void test_zones(void)
{
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		for (size_t piece = 1; piece < 400; piece += 57)
			same_ways(zones[i], piece);
}

/* A signature near the fast reader's line buffer (2048) and far past it (16 KiB). */
static void test_long_sig(void)
{
	size_t sizes[] = {1400, 1500, 1530, 1532, 1533, 1536, 1540, 1600, 3000, 12288, 16384};
	char *zone = malloc(40000);

	CU_ASSERT_PTR_NOT_NULL_FATAL(zone);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = (size_t)sprintf(zone, HEAD "x IN RRSIG A 13 3 300 1 2 3 example.com. ");

		for (size_t k = 0; k < sizes[i] / 3 * 4; k++)
			zone[n++] = "ABCDabcd0189+/"[k % 14];
		zone[n++] = '\n';
		zone[n] = '\0';
		same_ways(zone, 64);
	}
	free(zone);
}

/* Salts of 254 to 256 octets (ldns cuts 256 to none), next owners of 250 to 260. */
static void test_n3_bounds(void)
{
	static const unsigned salts[] = {508, 510, 511, 512, 514}, nexts[] = {400, 408, 416, 409};
	char zone[2048];

	for (size_t i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		size_t n = (size_t)snprintf(zone, sizeof(zone), HEAD "x IN NSEC3PARAM 1 0 0 ");

		for (unsigned k = 0; k < salts[i]; k++)
			zone[n++] = "0aF9"[k % 4];
		n += (size_t)snprintf(zone + n, sizeof(zone) - n, "\n");
		same_ways(zone, 64);
	}
	for (size_t i = 0; i < sizeof(nexts) / sizeof(nexts[0]); i++) {
		size_t n = (size_t)snprintf(zone, sizeof(zone), HEAD "x IN NSEC3 1 0 0 - ");

		for (unsigned k = 0; k < nexts[i]; k++)
			zone[n++] = "0aV9gG"[k % 6];
		n += (size_t)snprintf(zone + n, sizeof(zone) - n, " A RRSIG\n");
		same_ways(zone, 64);
	}
}

/* Valid lines of each type, to be mutated. */
static const char *const seeds[] = {
    "x 300 IN RRSIG A 13 3 300 20270601000000 20261201000000 38746 example.com. AAAAbbbb+/9=",
    "x IN NSEC3 1 0 10 aBcD 0123456789abcdefghijklmnopqrstuv A NS SOA RRSIG TYPE65535",
    "x NSEC next.example.com. A RRSIG NSEC TYPE1234",
    "x 0 IN NSEC3PARAM 1 0 0 -",
    "x IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
    "x IN DNSKEY 257 3 13 M8cVLbtwUhPdtdj/apQ5jL6Q9x6V2JeGFgMyZ2U3SGEl dx1CcTGwPbqzurtRnee7BO7f==",
    "\tIN RRSIG NSEC 8 2 300 1 2 3 sub AAAA",
};

/* One random edit of L (N octets, room for 8 more): a character in, out, or changed. */
static size_t mutate(char *l, size_t n, unsigned *seed)
{
	static const char alpha[] = " \t\r\v\f=+-.;*\\\"@$09aZ/_xA";
	size_t at = n > 0 ? (size_t)rand_r(seed) % n : 0;
	char c = alpha[(unsigned)rand_r(seed) % (sizeof(alpha) - 1)];

	switch (rand_r(seed) % 4) {
	case 0:
		memmove(l + at + 1, l + at, n - at + 1);
		l[at] = c;
		return n + 1;
	case 1:
		if (n > 0)
			memmove(l + at, l + at + 1, n - at);
		return n > 0 ? n - 1 : 0;
	case 2:
		if (n > 0)
			l[at] = c;
		return n;
	default:
		if (n > 0 && l[at] >= 'a' && l[at] <= 'z')
			l[at] = (char)(l[at] - 32);
		else if (n > 0 && l[at] >= 'A' && l[at] <= 'Z')
			l[at] = (char)(l[at] + 32);
		return n;
	}
}

/* Lines of the seeds, each edited a few times: read both ways alike. */
static void test_mutated(void)
{
	const char *env = getenv("SANDNS_FASTRR_SEED");
	unsigned seed = env != NULL ? (unsigned)strtoul(env, NULL, 0) : 12345;

	for (unsigned round = 0; round < 3000; round++) {
		char l[300];
		size_t n;
		unsigned before = CU_get_number_of_failures();

		snprintf(l, sizeof(l), "%s", seeds[round % (sizeof(seeds) / sizeof(seeds[0]))]);
		n = strlen(l);
		for (unsigned k = 0, m = 1 + (unsigned)rand_r(&seed) % 3; k < m; k++)
			n = mutate(l, n, &seed);
		one_line(l);
		if (CU_get_number_of_failures() != before)
			break;
	}
}

/* Zones of several edited lines one after another (blank owners, CRs after each other). */
static void test_mutated_zones(void)
{
	const char *env = getenv("SANDNS_FASTRR_SEED");
	unsigned seed = env != NULL ? (unsigned)strtoul(env, NULL, 0) : 54321;

	for (unsigned round = 0; round < 400; round++) {
		char zone[4096];
		size_t off = (size_t)snprintf(zone, sizeof(zone), "%s", HEAD);
		unsigned before = CU_get_number_of_failures();

		for (unsigned i = 0; i < 8; i++) {
			char l[300];
			size_t n;

			snprintf(
			    l, sizeof(l), "%s",
			    seeds[(unsigned)rand_r(&seed) % (sizeof(seeds) / sizeof(seeds[0]))]);
			n = strlen(l);
			for (unsigned k = 0, m = (unsigned)rand_r(&seed) % 3; k < m; k++)
				n = mutate(l, n, &seed);
			off += (size_t)snprintf(zone + off, sizeof(zone) - off, "%s\n", l);
		}
		same_ways(zone, 1 + (unsigned)rand_r(&seed) % 300);
		if (CU_get_number_of_failures() != before)
			break;
	}
}

/* ZONE (LEN octets, NULs and all) written to a file and read both ways. */
static void file_both_ways(const char *zone, size_t len)
{
	char path[] = "/tmp/sandns-fastrr-XXXXXX";
	int fd = mkstemp(path);
	zload_zone_t *a, *b;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, zone, len) == (ssize_t)len);
	close(fd);
	a = zload_file("example.com.", path, NULL, NULL, err, sizeof(err));
	zload_no_fast_path = true;
	b = zload_file("example.com.", path, NULL, NULL, err2, sizeof(err2));
	zload_no_fast_path = false;
	unlink(path);
	tu_assert_same(a, err, b, err2, "ldns");
}

/* A NUL in a line: ldns's reader drops it, the rest of the line read on. */
static void test_nul(void)
{
	static const char *const tails[] = {
	    "x IN NSEC next A# NS\n", "x IN RRSIG A 13 3 300 1 2 3 example.com. AAAA#AAAA\n",
	    "x IN AAAA ::1#:2\n", "x IN DS 1 13 2 ab#cd\n", "x IN NSEC3PARAM 1 0 0 #-\n"};

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		char zone[1024];
		size_t n = (size_t)snprintf(zone, sizeof(zone), "%s", HEAD), t = strlen(tails[i]);

		memcpy(zone + n, tails[i], t);
		for (size_t k = n; k < n + t; k++)
			if (zone[k] == '#')
				zone[k] = '\0';
		file_both_ways(zone, n + t);
	}
}

void reg_cutest_zload_fastrr_hostile(void)
{
	CU_pSuite s = CU_add_suite("zload_fastrr_hostile", NULL, NULL);

	CU_add_test(s, "hostile lines: the same both ways", test_lines);
	CU_add_test(s, "a NUL in a line", test_nul);
	CU_add_test(s, "zones: $ORIGIN, blank owners, pieces", test_zones);
	CU_add_test(s, "names of 254 to 257 octets", test_long_names);
	CU_add_test(s, "long signatures", test_long_sig);
	CU_add_test(s, "NSEC3 salts and next owners at their bounds", test_n3_bounds);
	CU_add_test(s, "mutated lines", test_mutated);
	CU_add_test(s, "zones of mutated lines", test_mutated_zones);
}
