/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload_fastrr.c: CUnit suite: DNSSEC lines read by the fast reader, as ldns reads them */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "cutest.h"
#include "rr_typed.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_fastrr.h"
#include "zload_pvt.h"

/*
 * zload_fastrr.c reads RRSIG, NSEC3, NSEC, NSEC3PARAM, DS and DNSKEY lines itself, in the forms
 * signers print. Each line here, made from a seed in every form the fields may take, is read
 * twice: by zload_fastrr_rdata() and by ldns (ldns_rr_new_frm_str()): when the first takes
 * it, the octets are ldns's. Then whole zones of such lines, and of lines that are wrong, read
 * with the fast reader and with ldns alone: the same records on the same lines, or the same
 * error.
 */

#define HEAD TU_ZONE_HEAD

/* The origin's wire form: the string's terminating NUL is its root label. */
static const uint8_t origin_w[] = "\007example\003com";

static char err[1024], err2[1024];

/* A line being made: text appended. */
struct line {
	char s[2048];
	size_t n;
};

static void __attribute__((format(printf, 2, 3))) put(struct line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	l->n += (size_t)vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	CU_ASSERT_FATAL(l->n < sizeof(l->s));
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	return (unsigned)rand_r(seed) % n;
}

/* S in a random case, each letter on its own. */
static void put_case(struct line *l, const char *s, unsigned *seed)
{
	for (; *s != '\0'; s++) {
		char c = *s;

		if (rnd(seed, 2))
			c = (char)(c >= 'a' && c <= 'z'	  ? c - 32
				   : c >= 'A' && c <= 'Z' ? c + 32
							  : c);
		put(l, "%c", c);
	}
}

/* A blank, or several of them, as signers and hands separate fields. */
static void put_gap(struct line *l, unsigned *seed)
{
	static const char *const gaps[] = {" ", " ", "\t", "  ", " \t "};

	put(l, "%s", gaps[rnd(seed, 5)]);
}

/* N random octets as base64, split at random places as BIND splits long fields. */
static void put_b64(struct line *l, size_t n, unsigned *seed)
{
	uint8_t raw[600];
	char text[820];
	int len;

	for (size_t i = 0; i < n; i++)
		raw[i] = (uint8_t)rand_r(seed);
	len = EVP_EncodeBlock((unsigned char *)text, raw, (int)n);
	for (int i = 0; i < len; i++) {
		if (i > 0 && rnd(seed, 40) == 0)
			put_gap(l, seed);
		put(l, "%c", text[i]);
	}
}

/* A type for a bitmap or a covered type: a mnemonic in any case, or TYPEnnn. */
static void put_type(struct line *l, unsigned *seed)
{
	static const char *const names[] = {
	    "A",      "NS",    "SOA",	"MX",  "TXT",	"AAAA",	 "RRSIG",      "NSEC",
	    "DNSKEY", "NSEC3", "DS",	"SRV", "CNAME", "PTR",	 "NSEC3PARAM", "CAA",
	    "TLSA",   "HTTPS", "SVCB",	"CDS", "SPF",	"NAPTR", "HINFO",      "CDNSKEY",
	    "DNAME",  "LOC",   "SSHFP", "URI", "ZONEMD"};

	if (rnd(seed, 8) == 0)
		put(l, "%s%u", rnd(seed, 2) ? "TYPE" : "type", 1 + rnd(seed, 65535));
	else
		put_case(l, names[rnd(seed, sizeof(names) / sizeof(names[0]))], seed);
}

/* A type bitmap of a few types, in any order, sometimes one twice. */
static void put_bitmap(struct line *l, unsigned *seed)
{
	for (unsigned k = 0, n = 1 + rnd(seed, 9); k < n; k++) {
		put_gap(l, seed);
		put_type(l, seed);
	}
}

/* An RRSIG's time: YYYYMMDDHHmmSS (1970 to 2106, and far past it) or seconds. */
static void put_time(struct line *l, unsigned *seed)
{
	if (rnd(seed, 3) == 0)
		put(l, "%u", (unsigned)rand_r(seed) * 2u + rnd(seed, 2));
	else
		put(l, "%04u%02u%02u%02u%02u%02u",
		    rnd(seed, 8) == 0 ? 2107 + rnd(seed, 7893) : 1970 + rnd(seed, 137),
		    1 + rnd(seed, 12), 1 + rnd(seed, 31), rnd(seed, 24), rnd(seed, 60),
		    rnd(seed, 60));
}

/* A name in data: relative, absolute, in any case, under the origin or not. */
static void put_name(struct line *l, unsigned *seed)
{
	switch (rnd(seed, 5)) {
	case 0:
		put_case(l, "example.com.", seed);
		break;
	case 1:
		put(l, "sub%u", rnd(seed, 100));
		break;
	case 2:
		put(l, "*.w%u.example.com.", rnd(seed, 100));
		break;
	case 3:
		put(l, "_x-%u.Other.Net.", rnd(seed, 100));
		break;
	default:
		put(l, "a.b%u", rnd(seed, 100));
	}
}

/* Hex digits of N octets, either case, split at random. */
static void put_hex(struct line *l, size_t n, unsigned *seed)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && rnd(seed, 12) == 0)
			put_gap(l, seed);
		put(l, rnd(seed, 2) ? "%02x" : "%02X", rnd(seed, 256));
	}
}

/* The data of a record of TYPE (its mnemonic) as a signer writes it, at L. */
static void put_data(struct line *l, const char *type, unsigned *seed)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";

	if (strcmp(type, "RRSIG") == 0) {
		put_type(l, seed);
		put(l, " %u %u %u ", rnd(seed, 256), rnd(seed, 256), (unsigned)rand_r(seed));
		put_time(l, seed);
		put_gap(l, seed);
		put_time(l, seed);
		put(l, " %u ", rnd(seed, 65536));
		put_name(l, seed);
		put_gap(l, seed);
		put_b64(l, 1 + rnd(seed, rnd(seed, 4) == 0 ? 520 : 100), seed);
	} else if (strcmp(type, "NSEC3") == 0 || strcmp(type, "NSEC3PARAM") == 0) {
		put(l, "%u %u %u ", rnd(seed, 256), rnd(seed, 256), rnd(seed, 65536));
		if (rnd(seed, 3) == 0)
			put(l, "-");
		else
			for (unsigned k = 0, n = 1 + rnd(seed, 20); k < n; k++)
				put(l, rnd(seed, 2) ? "%02x" : "%02X", rnd(seed, 256));
		if (type[5] != '\0')
			return;
		put_gap(l, seed);
		for (unsigned k = 0, n = 8 * (1 + rnd(seed, 5)); k < n; k++) {
			char c = b32[rnd(seed, 32)];

			put(l, "%c", rnd(seed, 4) == 0 && c >= 'a' ? c - 32 : c);
		}
		put_bitmap(l, seed);
	} else if (strcmp(type, "NSEC") == 0) {
		put_name(l, seed);
		put_bitmap(l, seed);
	} else if (strcmp(type, "DS") == 0) {
		put(l, "%u %u %u ", rnd(seed, 65536), rnd(seed, 256), rnd(seed, 256));
		put_hex(l, 1 + rnd(seed, 64), seed);
	} else {
		put(l, "%u %u %u ", rnd(seed, 65536), rnd(seed, 256), rnd(seed, 256));
		put_b64(l, 1 + rnd(seed, 300), seed);
	}
}

/* LINE's data (the text after TYPE) read by zload_fastrr_rdata(): its length, 0 if not taken. */
static size_t fast_data(const char *type, const char *data, uint8_t *out)
{
	char copy[2048], *tok[72], *save = NULL;
	unsigned n = 0;

	snprintf(copy, sizeof(copy), "%s", data);
	for (char *t = strtok_r(copy, " \t", &save); t != NULL && n < 72;
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return zload_fastrr_rdata(zload_fastrr_type(type), tok, n, origin_w, sizeof(origin_w), out);
}

/*
 * TYPE's DATA read by the fast reader and by ldns: when the fast reader takes it, ldns makes
 * the same octets (and a record whose fields are its type's, which the loader keeps). Whether
 * the fast reader took it.
 */
static bool same_data(const char *type, const char *data)
{
	char text[2200];
	uint8_t fast[ZLOAD_FASTRR_MAX];
	size_t n = fast_data(type, data, fast);
	ldns_rdf *origin = ldns_dname_new_frm_str("example.com.");
	ldns_buffer *buf = ldns_buffer_new(4096);
	ldns_rr *rr = NULL;
	ldns_status s;
	bool same;

	CU_ASSERT_PTR_NOT_NULL_FATAL(origin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	snprintf(text, sizeof(text), "x.example.com. 300 IN %s %s", type, data);
	s = ldns_rr_new_frm_str(&rr, text, 3600, origin, NULL);
	if (n > 0) {
		same = s == LDNS_STATUS_OK && rr_rdata_typed(rr) &&
		       ldns_rr_rdata2buffer_wire(buf, rr) == LDNS_STATUS_OK &&
		       ldns_buffer_position(buf) == n &&
		       memcmp(ldns_buffer_begin(buf), fast, n) == 0;
		if (!same)
			fprintf(stderr, "\n  not ldns's octets (ldns: %s): %s\n",
				ldns_get_errorstr_by_id(s), text);
		CU_ASSERT_TRUE(same);
	}
	ldns_rr_free(rr);
	ldns_buffer_free(buf);
	ldns_rdf_deep_free(origin);
	return n > 0;
}

/* TEXT read with the fast reader and with ldns alone (and in pieces): the same either way. */
static void same_both_ways(const char *text)
{
	zload_zone_t *a = tu_read_with(text, err, sizeof(err), true, 1, 0);
	zload_zone_t *b = tu_read_with(text, err2, sizeof(err2), false, 1, 0);

	tu_assert_same(a, err, b, err2, "ldns");
	a = tu_read_with(text, err, sizeof(err), true, 1, 0);
	b = tu_read_with(text, err2, sizeof(err2), true, 3, 200);
	tu_assert_same(a, err, b, err2, "3 threads");
}

static const char *const fast_types[] = {"RRSIG", "NSEC3", "NSEC", "NSEC3PARAM", "DS", "DNSKEY"};

/*
 * Lines of each type, from a few seeds that stay and one that changes from run to run
 * (SANDNS_FASTRR_SEED repeats it): each taken by the fast reader, as ldns makes it; then as a
 * zone (owners relative, absolute and blank, TTL and class or not, comments, CRLF), read the
 * same both ways.
 */
static void test_random_lines(void)
{
	const char *env = getenv("SANDNS_FASTRR_SEED");
	unsigned first = env != NULL ? (unsigned)strtoul(env, NULL, 0)
				     : (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	size_t cap = 4 << 20;
	char *zone = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(zone);
	for (unsigned round = 0; round < 4; round++) {
		unsigned seed = round < 3 ? round + 1 : first, s = seed, taken = 0, lines = 600;
		size_t off = (size_t)snprintf(zone, cap, "%s", HEAD);
		unsigned before = CU_get_number_of_failures();
		bool ds = false;
		zload_zone_t *z;

		for (unsigned i = 0; i < lines; i++) {
			const char *type = fast_types[rnd(&s, 6)];
			struct line d = {.n = 0}, l = {.n = 0};
			bool after_ds = ds;

			put_data(&d, type, &s);
			taken += same_data(type, d.s);
			/* as a zone's line; DS records at delegations of their own */
			if (strcmp(type, "DS") == 0)
				put(&l, "d%u IN NS ns1\nd%u", i, i);
			else if (i > 0 && rnd(&s, 5) == 0 && !after_ds)
				put(&l, "\t");
			else if (rnd(&s, 2))
				put(&l, "h%u", i % 97);
			else
				put_case(&l, "H.example.com.", &s);
			if (rnd(&s, 2))
				put(&l, " %u", rnd(&s, 100000));
			if (rnd(&s, 2))
				put(&l, rnd(&s, 2) ? " IN" : " in");
			put(&l, " ");
			put_case(&l, type, &s);
			put(&l, " %s%s%s", d.s, rnd(&s, 4) == 0 ? " ; a comment" : "",
			    rnd(&s, 8) == 0 ? "\r\n" : "\n");
			/* a blank owner after a DS would be the delegation's */
			ds = strcmp(type, "DS") == 0;
			CU_ASSERT_FATAL(off + l.n < cap);
			memcpy(zone + off, l.s, l.n + 1);
			off += l.n;
		}
		/* the forms made here are all the fast reader's */
		CU_ASSERT_EQUAL(taken, lines);
		/* a zone that loads: its records compared, not only an error */
		z = tu_read_with(zone, err, sizeof(err), true, 1, 0);
		if (z == NULL)
			fprintf(stderr, "\n  %s\n", err);
		CU_ASSERT_PTR_NOT_NULL(z);
		zload_free(&z);
		same_both_ways(zone);
		if (CU_get_number_of_failures() != before)
			fprintf(stderr, "\n  seed %u (SANDNS_FASTRR_SEED=%u repeats it)\n", seed,
				seed);
	}
	free(zone);
}

/* Data that each type may have and the fast reader leaves to ldns, or that is wrong. */
static const struct {
	const char *type, *data;
	bool fast; /* the fast reader takes it */
} edges[] = {
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AAAA", true},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AA==", true},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AAA=", true},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AB==", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AAB=", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. A===", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AA=A", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AA= =", true},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AAAAA", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AA AA", true},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. -", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. 0", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com. AA*A", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 example.com.", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 @ AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 . AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 a..b. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 38746 \\@x AAAA", false},
    {"RRSIG", "A 256 2 3600 20270601000000 20261201000000 38746 example.com. AAAA", false},
    {"RRSIG", "A ECDSAP256SHA256 2 3600 20270601000000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 256 3600 20270601000000 20261201000000 38746 example.com. AAAA", false},
    {"RRSIG", "A 13 2 4294967295 20270601000000 20261201000000 38746 example.com. AAAA", true},
    {"RRSIG", "A 13 2 4294967296 20270601000000 20261201000000 38746 example.com. AAAA", false},
    {"RRSIG", "A 13 2 -1 20270601000000 20261201000000 38746 example.com. AAAA", false},
    {"RRSIG", "A 13 2 1h 20270601000000 20261201000000 38746 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 65535 example.com. AAAA", true},
    {"RRSIG", "A 13 2 3600 20270601000000 20261201000000 65536 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 19700101000000 19691231235959 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 19700101000000 4294967295 1 example.com. AAAA", true},
    {"RRSIG", "A 13 2 3600 21060207062816 99991231235959 1 example.com. AAAA", true},
    {"RRSIG", "A 13 2 3600 20270231000000 20270229000000 1 example.com. AAAA", true},
    {"RRSIG", "A 13 2 3600 20271301000000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270600000000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270632000000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601240000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601006000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 20270601000060 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 2027060100000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 202706010000000 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 4294967296 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "A 13 2 3600 +1 20261201000000 1 example.com. AAAA", false},
    {"RRSIG", "TYPE0 13 2 3600 1 2 1 example.com. AAAA", false},
    {"RRSIG", "TYPE65535 13 2 3600 1 2 1 example.com. AAAA", true},
    {"RRSIG", "TYPE65536 13 2 3600 1 2 1 example.com. AAAA", false},
    {"RRSIG", "TYPE1x 13 2 3600 1 2 1 example.com. AAAA", false},
    {"RRSIG", "BOGUS 13 2 3600 1 2 1 example.com. AAAA", false},
    {"RRSIG", "ANY 13 2 3600 1 2 1 example.com. AAAA", true},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv A", true},
    {"NSEC3", "1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV A", true},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuw A", false},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstu A", false},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrst== A", false},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv", false},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv a ns Soa A A type1 TYPE01", true},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv TYPE65535 TYPE256 TYPE255 TYPE1", true},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv A BOGUS", false},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv A TYPE0", false},
    {"NSEC3", "1 0 0 - 0123456789abcdefghijklmnopqrstuv A TYPE", false},
    {"NSEC3", "1 0 0 00 0123456789abcdefghijklmnopqrstuv A", true},
    {"NSEC3", "1 0 0 aBcD 0123456789abcdefghijklmnopqrstuv A", true},
    {"NSEC3", "1 0 0 abc 0123456789abcdefghijklmnopqrstuv A", false},
    {"NSEC3", "1 0 0 xy 0123456789abcdefghijklmnopqrstuv A", false},
    {"NSEC3", "1 0 0 -- 0123456789abcdefghijklmnopqrstuv A", false},
    {"NSEC3", "1 0 65535 - 0123456789abcdefghijklmnopqrstuv A", true},
    {"NSEC3", "1 0 65536 - 0123456789abcdefghijklmnopqrstuv A", false},
    {"NSEC3", "1 256 0 - 0123456789abcdefghijklmnopqrstuv A", false},
    {"NSEC3PARAM", "1 0 0 -", true},
    {"NSEC3PARAM", "1 0 10 ABCDEF", true},
    {"NSEC3PARAM", "1 0 10 ABCDEF extra", false},
    {"NSEC3PARAM", "1 0 10", false},
    {"NSEC", "next A NS", true},
    {"NSEC", "Next.Example.Com. RRSIG NSEC TYPE1234", true},
    {"NSEC", "next", false},
    {"NSEC", "@ A", false},
    {"NSEC", "next A MAILA", true},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", true},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A 98631FAD1A292118", true},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A29211", false},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A2921 1", false},
    {"DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A29211G", false},
    {"DS", "60485 RSASHA1 1 2BB183AF5F22588179A53B0A98631FAD1A292118", false},
    {"DS", "60485 5 1", false},
    {"DNSKEY",
     "257 3 13 M8cVLbtwUhPdtdj/apQ5jL6Q9x6V2JeGFgMyZ2U3SGEldx1CcTGwPbqzurtRnee7BO7f"
     "Gw2IQCZ/dN/G6nN6kw==",
     true},
    {"DNSKEY",
     "257 3 13 M8cVLbtwUhPdtdj/apQ5jL6Q9x6V2JeGFgMyZ2U3SGEl dx1CcTGwPbqzurtRnee7BO7f"
     "Gw2IQCZ/dN/G6nN6kw==",
     true},
    {"DNSKEY",
     "257 3 ECDSAP256SHA256 M8cVLbtwUhPdtdj/apQ5jL6Q9x6V2JeGFgMyZ2U3SGEldx1CcTGwPbq"
     "zurtRnee7BO7fGw2IQCZ/dN/G6nN6kw==",
     false},
    {"DNSKEY", "65536 3 13 AAAA", false},
};

/*
 * Each edge case read by the fast reader or left to ldns as the table says, with ldns's octets
 * when taken; and as a line of a zone, with good lines before and after it, the same records
 * or the same error (file and line) both ways.
 */
static void test_edges(void)
{
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		char zone[4096];
		bool taken = same_data(edges[i].type, edges[i].data);

		if (taken != edges[i].fast)
			fprintf(stderr, "\n  %s %s: %s by the fast reader\n", edges[i].type,
				edges[i].data, taken ? "taken" : "not taken");
		CU_ASSERT_EQUAL(taken, edges[i].fast);
		snprintf(zone, sizeof(zone),
			 HEAD "a IN A 192.0.2.1\nb IN NSEC3PARAM 1 0 0 -\n"
			      "%s IN %s %s\n  IN RRSIG A 13 3 300 1 2 3 example.com. AAAA\n"
			      "c IN A 192.0.2.2\n",
			 strcmp(edges[i].type, "DS") == 0 ? "d IN NS ns1\nd" : "x", edges[i].type,
			 edges[i].data);
		same_both_ways(zone);
	}
}

/*
 * The type mnemonics ldns knows, each as the fast reader reads it in a bitmap and as the type
 * an RRSIG covers (its answers kept per thread: asked twice here), in any case: ldns's code.
 */
static void test_mnemonics(void)
{
	unsigned seed = 7, taken = 0;

	for (unsigned t = 1; t < 65536; t++) {
		const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)t);
		const char *name = d != NULL ? d->_name : NULL;
		struct line l = {.n = 0};

		if (d == NULL || name == NULL || name[0] == '\0' || strncmp(name, "TYPE", 4) == 0)
			continue;
		for (int round = 0; round < 2; round++) {
			l.n = 0;
			put(&l, "1 0 0 - 0123456789abcdefghijklmnopqrstuv ");
			put_case(&l, name, &seed);
			taken += same_data("NSEC3", l.s);
			l.n = 0;
			put_case(&l, name, &seed);
			put(&l, " 8 2 300 1 2 3 example.com. AAAA");
			taken += same_data("RRSIG", l.s);
		}
	}
	/* the common ones at least: A (1) to CAA (257) */
	CU_ASSERT_TRUE(taken > 4 * 60);
}

/* ------------------------------------------------------ records in parentheses */

/* TEXT read with the fast reader in one pass and cut into pieces by 2 to 4 threads. */
static void same_in_pieces(const char *text)
{
	static const size_t pieces[] = {1, 40, 300};

	same_both_ways(text);
	for (unsigned t = 2; t <= 4; t++)
		for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			zload_zone_t *a = tu_read_with(text, err, sizeof(err), true, 1, 0);
			zload_zone_t *b =
			    tu_read_with(text, err2, sizeof(err2), true, t, pieces[k]);

			tu_assert_same(a, err, b, err2, "pieces");
		}
}

/* How many records in parentheses the fast reader takes from TEXT, read in one pass. */
static unsigned long joined_count(const char *text)
{
	unsigned long before = zload_fast_joined;
	zload_zone_t *z = tu_read_with(text, err, sizeof(err), true, 1, 0);

	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(z);
	zload_free(&z);
	return zload_fast_joined - before;
}

/*
 * Data D (fields apart by blanks) written over lines as signers and hands write it: '('
 * opened between fields or inside one (ldns drops it: "30(0" is 300), newlines and comments
 * inside the parentheses, a comment inside a field ("AA;c\nAA" is AAAA to ldns: a newline
 * that ends a comment is not a blank), the last ')' anywhere after the last field.
 */
static void put_in_parens(struct line *l, const char *d, unsigned *seed)
{
	unsigned depth = 0;

	if (rnd(seed, 2)) {
		put(l, rnd(seed, 2) ? "(\n\t\t\t\t" : "( ");
		depth++;
	}
	for (const char *c = d; *c != '\0'; c++) {
		bool gap = *c == ' ' || *c == '\t';
		unsigned r = rnd(seed, gap ? 6 : 60);

		if (r == 0 || (depth == 0 && r == 1)) {
			put(l, "%s", gap ? " ( " : "(");
			depth++;
		} else if (r == 1 && depth > 1) {
			put(l, "%s", gap ? " ) " : ")");
			depth--;
		} else if (r == 2 && depth > 0) {
			put(l, "%s", gap ? " ; a comment (with a parenthesis\n\t\t\t\t" : ";c\n");
		} else if (r == 3 && depth > 0 && gap) {
			put(l, "%s", rnd(seed, 2) ? "\n\t\t\t\t" : "\r\n\n ");
		}
		put(l, "%c", *c);
	}
	if (depth == 0) {
		put(l, " (");
		depth++;
	}
	while (depth-- > 0)
		put(l, "%s", rnd(seed, 2) ? " )" : "\n\t\t\t\t)");
	if (rnd(seed, 2))
		put(l, " ; key id = %u", rnd(seed, 65536));
}

/*
 * The random DNSSEC records of test_random_lines(), most of them over lines in parentheses,
 * each with comments and blank owners after them: every record in parentheses taken by the
 * fast reader, and the zone read as ldns reads it, in one pass and in pieces.
 */
static void test_paren_random(void)
{
	size_t cap = 2 << 20;
	char *zone = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(zone);
	for (unsigned seed = 11; seed < 14; seed++) {
		unsigned s = seed, multi = 0, lines = 300;
		size_t off = (size_t)snprintf(zone, cap, "%s", HEAD);
		bool ds = false;

		for (unsigned i = 0; i < lines; i++) {
			const char *type = fast_types[rnd(&s, 6)];
			struct line d = {.n = 0}, l = {.n = 0};

			put_data(&d, type, &s);
			if (strcmp(type, "DS") == 0)
				put(&l, "d%u IN NS ns1\nd%u", i, i);
			else if (i > 0 && rnd(&s, 3) == 0 && !ds)
				put(&l, "\t\t\t");
			else
				put(&l, "h%u", i % 37);
			put(&l, rnd(&s, 2) ? " %u IN " : " %u ", rnd(&s, 100000));
			put_case(&l, type, &s);
			put(&l, " ");
			if (rnd(&s, 5) != 0) {
				put_in_parens(&l, d.s, &s);
				multi++;
			} else {
				put(&l, "%s", d.s);
			}
			put(&l, "%s", rnd(&s, 4) == 0 ? "\n\t\t\t\t; a line of comment\n" : "\n");
			ds = strcmp(type, "DS") == 0;
			CU_ASSERT_FATAL(off + l.n < cap);
			memcpy(zone + off, l.s, l.n + 1);
			off += l.n;
		}
		CU_ASSERT_EQUAL(joined_count(zone), multi);
		same_in_pieces(zone);
	}
	free(zone);
}

/* A zone as dnssec-signzone writes it (its default, the full form), and a hand's liberties. */
static const char bind_zone[] =
    "$ORIGIN example.com.\n"							 /* 1 */
    "$TTL 3600\n"								 /* 2 */
    "example.com.\t\t3600\tIN SOA\tns1.example.com. hostmaster.example.com. (\n" /* 3 */
    "\t\t\t\t2024010101 ; serial\n"						 /* 4 */
    "\t\t\t\t7200       ; refresh (2 hours)\n"					 /* 5 */
    "\t\t\t\t3600       ; retry (1 hour)\n"					 /* 6 */
    "\t\t\t\t1209600    ; expire (2 weeks)\n"					 /* 7 */
    "\t\t\t\t300        ; minimum (5 minutes)\n"				 /* 8 */
    "\t\t\t\t)\n"								 /* 9 */
    "\t\t\t3600\tRRSIG\tSOA 13 2 3600 (\n"					 /* 10 */
    "\t\t\t\t20270601000000 20261201000000 38746 example.com.\n"		 /* 11 */
    "\t\t\t\tM8cVLbtwUhPdtdj/apQ5jL6Q9x6V2JeGFgMyZ2U3SGEldx1CcTGwPbqz\n"	 /* 12 */
    "\t\t\t\turtRnee7BO7fGw2IQCZ/dN/G6nN6kw== )\n"				 /* 13 */
    "\t\t\t3600\tNS\tns1.example.com.\n"					 /* 14 */
    "\t\t\t3600\tDNSKEY\t257 3 13 (\n"						 /* 15 */
    "\t\t\t\tM8cVLbtwUhPdtdj/apQ5jL6Q9x6V2JeGFgMyZ2U3SGEldx1CcTGwPbqz\n"	 /* 16 */
    "\t\t\t\turtRnee7BO7fGw2IQCZ/dN/G6nN6kw==\n"				 /* 17 */
    "\t\t\t\t) ; KSK; alg = ECDSAP256SHA256 ; key id = 38746\n"			 /* 18 */
    "\t\t\t3600\tNSEC3PARAM 1 0 0 -\n"						 /* 19 */
    "ns1\t\t\t3600\tIN A\t192.0.2.53\n"						 /* 20 */
    "\t\t\t3600\tRRSIG\tA 13 3 3600 (\n"					 /* 21 */
    "\t\t\t\t(\n"								 /* 22 */
    "\t\t\t\t20270601000000 20261201000000 38746 example.com.\n"		 /* 23 */
    "\t\t\t\tAAAA\n"								 /* 24 */
    "\t\t\t\t)\t)\n"								 /* 25 */
    "0123456789abcdefghijklmnopqrstuv.example.com. 300 IN NSEC3 1 0 0 - (\n"	 /* 26 */
    "\t\t\t\t0123456789ABCDEFGHIJKLMNOPQRSTUV\n"				 /* 27 */
    "\t\t\t\tA RRSIG )\n"							 /* 28 */
    "\t\t\t300 RRSIG NSEC3 13 3 300 ( ( 20270601000000 ) 20261201000000\n"	 /* 29 */
    "\t\t\t\t38746 example.com. AA;c\n"						 /* 30 */
    "\t\t\t\tAA )\n"								 /* 31 */
    "h1 30(0) IN A (192.0.2.1)\n"						 /* 32 */
    "h2 300 IN AAAA ( 2001:db8::1\n"						 /* 33 */
    "\n"									 /* 34 */
    "  ) ; the blank line in parentheses is the record's\n"			 /* 35 */
    "\t300 IN TXT ( \"a (string)\" )\n"						 /* 36 */
    "h3 300 IN A 192.0.2.3\n";							 /* 37 */

/*
 * BIND's layout read by the fast reader: the RRSIG, DNSKEY, NSEC3 and address records in
 * parentheses (not the SOA, not the TXT with its string), on the lines ldns gives them (the
 * line a record ends on), the same as ldns reads them, in one pass and in pieces.
 */
static void test_paren_bind(void)
{
	zload_zone_t *z;
	bool seen = false;

	CU_ASSERT_EQUAL(joined_count(bind_zone), 7);
	same_in_pieces(bind_zone);
	z = tu_read_with(bind_zone, err, sizeof(err), true, 1, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	for (size_t i = 0; i < zload_rr_count(z); i++)
		if (z->recs[i].type == T_DNSKEY) {
			CU_ASSERT_EQUAL(zload_rec_line(z, i), 18);
			seen = true;
		}
	CU_ASSERT_TRUE(seen);
	zload_free(&z);
}

/* Records in parentheses that are wrong, or that ldns reads its own way: the same either way. */
static const char *const paren_bad[] = {
    /* bad data on the third line of an RRSIG */
    "x 300 IN RRSIG A 13 3 300 (\n 20270601000000 20261201000000\n 1 example.com. A*AA )\n",
    /* a parenthesis never closed */
    "x 300 IN RRSIG A 13 3 300 ( 20270601000000 20261201000000\n 1 example.com. AAAA\n",
    "x 300 IN RRSIG A 13 3 300 ( ( 20270601000000 20261201000000\n 1 example.com. AAAA )\n",
    /* one closed too many: ldns ends the record there, and eats what follows */
    "x 300 IN RRSIG A 13 3 300 ( 20270601000000 20261201000000\n 1 example.com. AAAA ) )\n",
    "x 300 IN A 192.0.2.1 )\n",
    "x 300 IN A ) ( 192.0.2.1\n)\n",
    /* a record of nothing but parentheses and comments */
    "( ) ; nothing\nx 300 IN A 192.0.2.1\n",
    "(\n) ; nothing\nx 300 IN A 192.0.2.1\n",
    /* a parenthesis that opens the record */
    "(\nx 300 IN A 192.0.2.1 )\n",
    "( x 300 IN A 192.0.2.1 )\n",
    /* a newline escaped, a quote, a form feed */
    "x 300 IN DS 60485 5 1 ( 2BB183AF5F22588179A53B0A\\\n98631FAD1A292118 )\n",
    "x 300 IN NSEC ( next A \"NS\" )\n",
    "x 300 IN DNSKEY ( 257 3 13 AAAA\f)\n",
    /* a field cut by a comment that ldns joins: "3600;c\\n0" is 36000 */
    "x 300 IN RRSIG A 13 3 3600;c\n0 ( 20270601000000 20261201000000 1 example.com. AAAA )\n",
    "x 300 IN RRSIG A 13 3 (3600;c\n0 20270601000000 20261201000000 1 example.com. AAAA )\n",
    /* a field cut by a newline in parentheses: two fields */
    "x 300 IN RRSIG A 13 3 (3600\n0 20270601000000 20261201000000 1 example.com. AAAA )\n",
    /* names cut by a comment or a parenthesis, which ldns joins */
    "(x 300 IN A 192.0.2.1)\n",
    "x 300 IN NSEC ( ne;c\nxt A )\n",
    "x 300 IN RRSIG A 13 3 300 ( 1 2 3 exam(ple).com. AAAA )\n",
    /* a blank owner: the record before's */
    "\t300 IN A ( 192.0.2.1 )\n",
    /* the end of the text in parentheses, no newline */
    "x 300 IN A ( 192.0.2.1",
    "x 300 IN A ( 192.0.2.1 )",
};

/* Each after a good record, alone and with a good one after it: the same either way. */
static void test_paren_errors(void)
{
	for (size_t i = 0; i < sizeof(paren_bad) / sizeof(paren_bad[0]); i++) {
		char zone[1024];
		unsigned before = CU_get_number_of_failures();
		const char *t = paren_bad[i];

		snprintf(zone, sizeof(zone), HEAD "a IN A 192.0.2.1\n%s", t);
		same_in_pieces(zone);
		snprintf(zone, sizeof(zone), HEAD "a IN A 192.0.2.1\n%s%sb IN A 192.0.2.2\n", t,
			 t[strlen(t) - 1] == '\n' ? "" : "\n");
		same_in_pieces(zone);
		if (CU_get_number_of_failures() != before)
			fprintf(stderr, "\n  in: %s\n", t);
	}
}

/*
 * The line a record gets when blank lines follow it (ldns reads on past them in the same call,
 * CRLF ones too), when no newline ends it (the end of the text, a form feed), or when a ')'
 * too many ends it (ldns then eats the newline after it without counting it): the line it
 * ends on, the same whether the fast reader or ldns reads it, and for the records and errors
 * after it. And a line that starts with a CR: after a record ldns skips the CR (the owner is
 * the word after it), after a comment line it reads a blank (a blank owner).
 */
static const char *const line_texts[] = {
    "x 300 IN A 192.0.2.1\n\n\ny IN A 192.0.2.2\n\n\nz IN A 192.0.2.3\n",
    "x 300 IN A ( 192.0.2.1\n)\n\n\ny IN A ( 192.0.2.2 )\n\n\nz IN A 192.0.2.3\n",
    "x 300 IN A 192.0.2.1\r\n\r\n\r\ny IN A ( 192.0.2.2 )\r\n\r\nz IN A 192.0.2.3\r\n",
    "x 300 IN A 192.0.2.1 ; c\n\n; c\n\ny IN A 192.0.2.2\n",
    "x 300 IN A 192.0.2.1 )\ny IN A 192.0.2.2\nz IN A ( 192.0.2.3 )\n",
    "x 300 IN A ( 192.0.2.1 ) )\n\ny IN A 192.0.2.2\n",
    "x 300 IN CNAME y\n\n\nx IN A 192.0.2.2\n",
    "x 300 IN A 192.0.2.1 )\nx IN CNAME y\n",
    "x 300 IN A 192.0.2.1\n\n\ny IN A 192.0.2.999\n",
    "x 300 IN A 192.0.2.1 )\ny IN A ( 192.0.2.999 )\n",
    "x 300 IN A 192.0.2.1",
    "x 300 IN MX 10 mail",
    "x 300 IN A ( 192.0.2.1\n)",
    "x 300 IN A 192.0.2.1 )\n\ny IN AAAA\f2001:db8::7\n",
    "x 300 IN A 192.0.2.1\n\ny IN AAAA\f2001:db8::7 )\n",
    "\r300 IN A ( 192.0.2.1 )\n",
    "\r\t300 IN A 192.0.2.1\n",
    "x 300 IN A 192.0.2.1\n\r\n\f\v\r300 IN A ( 192.0.2.2 )\n",
    "; c\n\r300 IN A 192.0.2.1\n\r\tIN A ( 192.0.2.2 )\n",
    "x 300 IN MX 10 mail\n\r300 IN A ( 192.0.2.1 )\n",
};

static void test_paren_lines(void)
{
	for (size_t i = 0; i < sizeof(line_texts) / sizeof(line_texts[0]); i++) {
		char zone[1024];
		unsigned before = CU_get_number_of_failures();

		snprintf(zone, sizeof(zone), HEAD "a IN A 192.0.2.1\n%s", line_texts[i]);
		same_in_pieces(zone);
		if (CU_get_number_of_failures() != before)
			fprintf(stderr, "\n  in: %s\n", line_texts[i]);
	}
}

void reg_cutest_zload_fastrr(void)
{
	CU_pSuite s = CU_add_suite("zload_fastrr", NULL, NULL);

	CU_add_test(s, "random DNSSEC lines: the fast reader's octets are ldns's, seeded",
		    test_random_lines);
	CU_add_test(s, "edge cases: taken as ldns reads them, or left to ldns", test_edges);
	CU_add_test(s, "type mnemonics as ldns reads them", test_mnemonics);
	CU_add_test(s, "random records in parentheses, read as ldns reads them", test_paren_random);
	CU_add_test(s, "a zone in BIND's layout: records in parentheses", test_paren_bind);
	CU_add_test(s, "records in parentheses that are wrong or ldns's: the same",
		    test_paren_errors);
	CU_add_test(s, "the lines of records before blank lines or after a ')' too many",
		    test_paren_lines);
}
