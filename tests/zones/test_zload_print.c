/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload_print.c: CUnit suite: a version printed as text (zload_xfr_print) and read back */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cutest.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_ldnsfix.h"
#include "zload_pvt.h"

/*
 * A secondary keeps each version it transfers as text (control/xfrin_file.c) and reads it back
 * at its next start: whatever names and data the primary sent must come back octet for octet.
 * The versions here are made from wire records, as a transfer makes them (no text on the way
 * in), printed, and read back by each reader: one pass, ldns alone for every line, and a file
 * cut into pieces read on threads (zload_par.c).
 */

#define ORIGIN "example.com."
/* The origin's wire form: the string's terminating NUL is its root label. */
static const char origin_w[] = "\007example\003com";

/* Wire labels without the root (a literal: the octets before its NUL). */
#define W(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}
struct labels {
	const char *w;
	size_t n;
};

/* Owners and names in data that presentation format makes special (RFC 1035 5.1). */
static const struct labels specials[] = {
    W("\001@"),
    W("\001$"),
    W("\003a@b"),
    W("\004@foo"),
    W("\004foo@"),
    W("\003a$b"),
    W("\007$ORIGIN"),
    W("\004$TTL"),
    W("\010$INCLUDE"),
    W("\011$GENERATE"),
    W("\001("),
    W("\001)"),
    W("\005a(b)c"),
    W("\001;"),
    W("\003a;b"),
    W("\001\""),
    W("\003a\"b"),
    W("\002\"\""),
    W("\001\\"),
    W("\002a\\"),
    W("\002\\b"),
    W("\002\\#"),
    W("\001#"),
    W("\001 "),
    W("\003a b"),
    W("\001\t"),
    W("\003a\tb"),
    W("\001\n"),
    W("\001\r"),
    W("\003a.b"),
    W("\001."),
    W("\002.."),
    W("\001\000"),
    W("\003a\000b"),
    W("\001\200"),
    W("\001\377"),
    W("\004\200\301\376\377"),
    W("\005MiXeD"),
    W("\003a*b"),
    W("\001*"),
    W("\002*x"),
    W("\001x\001@"),
    W("\001@\001@"),
    W("\001@\001x"),
    W("\002@@"),
    W("\002\\@"),
    W("\003@\\$"),
};
#define NSPECIAL (sizeof(specials) / sizeof(specials[0]))

static char err[1024];

/* LABELS (N octets) with the origin after them into OUT; the name's length. */
static size_t under_origin(uint8_t *out, const void *labels, size_t n)
{
	memcpy(out, labels, n);
	memcpy(out + n, origin_w, sizeof(origin_w));
	return n + sizeof(origin_w);
}

/* LABELS under another zone ("other.net."). */
static size_t under_other(uint8_t *out, const void *labels, size_t n)
{
	static const char other[] = "\005other\003net";

	memcpy(out, labels, n);
	memcpy(out + n, other, sizeof(other));
	return n + sizeof(other);
}

/* Record data being put together. */
struct rd {
	uint8_t b[4096];
	size_t n;
};

static void rd_u8(struct rd *r, unsigned v)
{
	r->b[r->n++] = (uint8_t)v;
}

static void rd_u16(struct rd *r, unsigned v)
{
	wire_put16(r->b + r->n, (uint16_t)v);
	r->n += 2;
}

static void rd_u32(struct rd *r, uint32_t v)
{
	wire_put32(r->b + r->n, v);
	r->n += 4;
}

static void rd_bytes(struct rd *r, const void *p, size_t n)
{
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void rd_name(struct rd *r, const uint8_t *name)
{
	rd_bytes(r, name, wire_name_len(name));
}

/* A character-string (RFC 1035 3.3). */
static void rd_str(struct rd *r, const void *s, size_t n)
{
	rd_u8(r, (unsigned)n);
	rd_bytes(r, s, n);
}

/* One record of an AXFR into X (owner OWNER): 0 expected. */
static void add(zload_xfr_t *x, const uint8_t *owner, uint16_t type, uint32_t ttl,
		const struct rd *r)
{
	int rc = zload_xfr_add(x, owner, type, ttl, r->b, r->n);

	if (rc != 0)
		fprintf(stderr, "\n  zload_xfr_add(type %u): %d\n", type, rc);
	CU_ASSERT_EQUAL(rc, 0);
}

/* The apex's SOA (names MNAME and RNAME) and an NS: what every version needs. */
static void add_apex(zload_xfr_t *x, const uint8_t *mname, const uint8_t *rname)
{
	uint8_t apex[WIRE_NAME_MAX + 1], ns[WIRE_NAME_MAX + 1];
	struct rd r = {.n = 0};

	under_origin(apex, "", 0);
	rd_name(&r, mname);
	rd_name(&r, rname);
	rd_u32(&r, 2024);
	rd_u32(&r, 3600);
	rd_u32(&r, 600);
	rd_u32(&r, 86400);
	rd_u32(&r, 300);
	add(x, apex, T_SOA, 300, &r);
	r.n = 0;
	under_other(ns, "\003ns1", 4);
	rd_name(&r, ns);
	add(x, apex, T_NS, 300, &r);
}

/* Records I of A and J of B compared octet for octet: owner, type, TTL, data (class IN). */
static int rec_cmp(const zload_zone_t *a, size_t i, const zload_zone_t *b, size_t j)
{
	const zload_rec_t *x = &a->recs[i], *y = &b->recs[j];
	const uint8_t *ox = zload_rec_owner(a, i), *oy = zload_rec_owner(b, j);
	size_t lx = wire_name_len(ox), ly = wire_name_len(oy);
	int c;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	if ((c = memcmp(ox, oy, lx)) != 0)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->ttl != y->ttl)
		return x->ttl < y->ttl ? -1 : 1;
	if (x->rdlen != y->rdlen)
		return x->rdlen < y->rdlen ? -1 : 1;
	return memcmp(zload_rec_rdata(a, i), zload_rec_rdata(b, j), x->rdlen);
}

static int idx_cmp(const void *pa, const void *pb, void *ctx)
{
	return rec_cmp(ctx, *(const size_t *)pa, ctx, *(const size_t *)pb);
}

/* Record I of Z as ldns prints it (for messages), into BUF. */
static void rec_text(const zload_zone_t *z, size_t i, char *buf, size_t len)
{
	ldns_rr *rr = zload_rr(z, i);
	char *s = rr != NULL ? ldns_rr2str(rr) : NULL;

	snprintf(buf, len, "%s", s != NULL ? s : "(no text)\n");
	free(s);
	ldns_rr_free(rr);
}

/*
 * Whether BACK holds the records of Z, each once, and no other: one assertion per record of Z.
 * Those missing are printed, with HOW it was read.
 */
static bool same_records(const zload_zone_t *z, const zload_zone_t *back, const char *how)
{
	size_t n = back->nrecs, *idx = malloc((n + 1) * sizeof(*idx)), shown = 0;
	bool all = z->nrecs == n;
	char line[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	CU_ASSERT_EQUAL(z->nrecs, n);
	for (size_t j = 0; j < n; j++)
		idx[j] = j;
	qsort_r(idx, n, sizeof(*idx), idx_cmp, (void *)back);
	for (size_t i = 0; i < z->nrecs; i++) {
		size_t lo = 0, hi = n;
		bool found = false;

		while (lo < hi && !found) {
			size_t mid = (lo + hi) / 2;
			int c = rec_cmp(z, i, back, idx[mid]);

			found = c == 0;
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		CU_ASSERT_TRUE(found);
		if (!found && shown++ < 8) {
			rec_text(z, i, line, sizeof(line));
			fprintf(stderr, "\n  %s: not read back: %s", how, line);
		}
		all = all && found;
	}
	free(idx);
	return all;
}

/*
 * Z printed, then read back in one pass (zload_string()), by ldns alone, and from a file cut
 * into pieces that threads read (zload_file(), zload_par.c): the same records each time.
 * Whether all were.
 */
static bool round_trip(const zload_zone_t *z)
{
	static const char *const hows[] = {"one pass", "ldns alone", "pieces"};
	char *text = tu_zone_print(z);
	size_t len = strlen(text), piece_was = zload_piece_min;
	char path[64];
	bool all = true;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/sandns-print-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	for (int how = 0; how < 3; how++) {
		unsigned long threaded = zload_pieces_threaded;
		zload_zone_t *back;

		zload_no_fast_path = how == 1;
		if (how == 2) {
			/* Three pieces, each read by a thread of its own past the first. */
			zload_threads = 4;
			zload_piece_min = len / 3;
			back = zload_file(ORIGIN, path, NULL, NULL, err, sizeof(err));
			/* The cut must not have given up: zload_par.c read this text. */
			CU_ASSERT(zload_pieces_threaded > threaded);
		} else {
			back = zload_string(ORIGIN, text, "printed.zone", NULL, NULL, err,
					    sizeof(err));
		}
		zload_no_fast_path = false;
		zload_threads = 0;
		zload_piece_min = piece_was;
		if (back == NULL) {
			fprintf(stderr, "\n  %s: the printed version does not load: %s\n",
				hows[how], err);
			CU_FAIL("the printed version does not load");
			all = false;
			continue;
		}
		all = same_records(z, back, hows[how]) && all;
		CU_ASSERT_EQUAL(zload_serial(back), zload_serial(z));
		zload_free(&back);
	}
	unlink(path);
	free(text);
	return all;
}

/* A label of 63 special octets at OUT (SALT shifts them): 64 octets with its length. */
static size_t long_label(uint8_t *out, unsigned salt)
{
	static const char fill[] = "@$().;\"\\ \t*#aZ\000\200\377";

	out[0] = 63;
	for (unsigned k = 0; k < 63; k++)
		out[1 + k] = (uint8_t)fill[(k + salt) % (sizeof(fill) - 1)];
	return 64;
}

/* A 255-octet name under the origin whose labels are all special octets. */
static size_t longest_name(uint8_t *out, unsigned salt)
{
	uint8_t rel[WIRE_NAME_MAX + 64];
	size_t n = 0;

	for (unsigned k = 0; k < 3; k++)
		n += long_label(rel + n, salt + k);
	/* 3 * 64 + 50 + the origin's 13 = 255 */
	long_label(rel + n, salt + 3);
	rel[n] = 49;
	n += 50;
	return under_origin(out, rel, n);
}

/* Character-strings that TXT data may hold: quotes, backslashes, semicolons, empty ones. */
static void add_txts(zload_xfr_t *x, const uint8_t *owner)
{
	static const struct labels strs[] = {
	    W("a\"b"), W("a\\b"), W("a;b"),	 W(""),	     W("\\"),  W("\""),	 W("end\\"),
	    W("\\\""), W("("),	  W(")"),	 W("@"),     W("$"),   W(" "),	 W("\t"),
	    W("\n"),   W("\000"), W("\200\377"), W("a b c"), W("\\#"), W("\\0"),
	};
	struct rd r = {.n = 0};
	char big[255];

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		/* each alone, and each with the next after it */
		r.n = 0;
		rd_str(&r, strs[i].w, strs[i].n);
		add(x, owner, T_TXT, 300, &r);
		rd_str(&r, strs[(i + 1) % (sizeof(strs) / sizeof(strs[0]))].w,
		       strs[(i + 1) % (sizeof(strs) / sizeof(strs[0]))].n);
		add(x, owner, T_TXT, 300, &r);
	}
	/* 255 octets: every value, and plain letters */
	r.n = 0;
	for (size_t k = 0; k < sizeof(big); k++)
		big[k] = (char)(k + 1);
	rd_str(&r, big, sizeof(big));
	memset(big, 'x', sizeof(big));
	rd_str(&r, big, sizeof(big));
	rd_str(&r, "", 0);
	add(x, owner, T_TXT, 300, &r);
}

/* The records that carry NAME (absolute) in their data, at OWNER; K varies them. */
static void add_named(zload_xfr_t *x, const uint8_t *owner, const uint8_t *name, unsigned k)
{
	static const uint8_t sig[] = "signature octets, any will do here";
	struct rd r = {.n = 0};

	rd_u16(&r, 10 + k);
	rd_name(&r, name);
	add(x, owner, T_MX, 300, &r);
	r.n = 0;
	rd_u16(&r, k);
	rd_u16(&r, 5);
	rd_u16(&r, 443);
	rd_name(&r, name);
	add(x, owner, T_SRV, 300, &r);
	r.n = 0;
	rd_name(&r, name);
	add(x, owner, T_PTR, 300, &r);
	/* NSEC: next NAME, types A RRSIG NSEC */
	r.n = 0;
	rd_name(&r, name);
	rd_bytes(&r, "\000\006\100\000\000\000\000\003", 8);
	add(x, owner, T_NSEC, 300, &r);
	/* RRSIG over the A set, NAME its signer */
	r.n = 0;
	rd_u16(&r, T_A);
	rd_u8(&r, 13);
	rd_u8(&r, 2);
	rd_u32(&r, 300);
	rd_u32(&r, 2000000000u);
	rd_u32(&r, 1700000000u);
	rd_u16(&r, 4242 + k);
	rd_name(&r, name);
	rd_bytes(&r, sig, sizeof(sig) - 1);
	add(x, owner, T_RRSIG, 300, &r);
	/* HTTPS: NAME the target, alpn h2 and "a,b", port 8443 */
	r.n = 0;
	rd_u16(&r, 1);
	rd_name(&r, name);
	rd_u16(&r, 1);
	rd_u16(&r, 7);
	rd_str(&r, "h2", 2);
	rd_str(&r, "a,b", 3);
	rd_u16(&r, 3);
	rd_u16(&r, 2);
	rd_u16(&r, 8443);
	add(x, owner, 65, 300, &r);
	/* SVCB in alias mode */
	r.n = 0;
	rd_u16(&r, 0);
	rd_name(&r, name);
	add(x, owner, 64, 300, &r);
}

/* Data of no name: CAA with special values, and an unknown type (RFC 3597 form). */
static void add_opaque(zload_xfr_t *x, const uint8_t *owner)
{
	struct rd r = {.n = 0};
	uint8_t all[256];

	rd_u8(&r, 0);
	rd_str(&r, "issue", 5);
	rd_bytes(&r, "ca;\"x\\y z", 9);
	add(x, owner, 257, 300, &r);
	r.n = 0;
	rd_u8(&r, 128);
	rd_str(&r, "tbs", 3);
	add(x, owner, 257, 300, &r);
	r.n = 0;
	rd_u8(&r, 0);
	rd_str(&r, "iodef", 5);
	rd_bytes(&r, "\000@\377", 3);
	add(x, owner, 257, 300, &r);
	for (size_t k = 0; k < sizeof(all); k++)
		all[k] = (uint8_t)k;
	r.n = 0;
	rd_bytes(&r, all, sizeof(all));
	add(x, owner, 65280, 300, &r);
	r.n = 0;
	add(x, owner, 65280, 300, &r);
	r.n = 0;
	rd_bytes(&r, "\001@\000", 3);
	add(x, owner, 65281, 300, &r);
}

/*
 * Every special name as an owner (with an address), in names in data under the origin and
 * under another zone (first labels that are "@" too), a 63-octet label, a 255-octet name, TXT
 * strings and opaque data: each record read back as it was.
 */
static void test_specials(void)
{
	zload_xfr_t *x = zload_xfr_new(ORIGIN, NULL, "AXFR print");
	uint8_t mname[WIRE_NAME_MAX + 1], rname[WIRE_NAME_MAX + 1];
	uint8_t owner[WIRE_NAME_MAX + 1], name[WIRE_NAME_MAX + 1], child[WIRE_NAME_MAX + 1];
	zload_zone_t *z;
	struct rd r = {.n = 0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	under_origin(mname, "\001@\003ns1", 6);
	under_origin(rname, "\012host.m@$te", 11);
	add_apex(x, mname, rname);
	for (unsigned k = 0; k < NSPECIAL; k++) {
		const struct labels *s = &specials[k], *t = &specials[(k + 1) % NSPECIAL];
		uint8_t apex[WIRE_NAME_MAX + 1];

		under_origin(owner, s->w, s->n);
		r.n = 0;
		rd_bytes(&r, "\300\000\002", 3);
		rd_u8(&r, k);
		add(x, owner, T_A, 300, &r);
		/* names in data: the next special under the origin, and under another zone */
		under_origin(name, t->w, t->n);
		add_named(x, owner, name, k);
		under_other(name, s->w, s->n);
		add_named(x, owner, name, k + 100);
		/* the apex's name servers, a CNAME and a DNAME to it */
		under_origin(apex, "", 0);
		r.n = 0;
		rd_name(&r, owner);
		add(x, apex, T_NS, 300, &r);
		child[0] = 1;
		child[1] = 'c';
		memcpy(child + 2, owner, wire_name_len(owner));
		r.n = 0;
		rd_name(&r, name);
		add(x, child, T_CNAME, 300, &r);
		child[1] = 'd';
		add(x, child, T_DNAME, 300, &r);
	}
	/* a 63-octet label of special octets, a 255-octet name: owners and names in data */
	for (unsigned k = 0; k < 4; k++) {
		uint8_t lab[64];

		under_origin(owner, lab, long_label(lab, k));
		longest_name(name, k);
		r.n = 0;
		rd_bytes(&r, "\300\000\002\200", 4);
		add(x, owner, T_A, 300, &r);
		add(x, name, T_A, 300, &r);
		add_named(x, owner, name, k);
		add_named(x, name, owner, k);
	}
	under_origin(owner, "\003txt", 4);
	add_txts(x, owner);
	add_opaque(x, owner);
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT(round_trip(z));
	zload_free(&z);
}

/* Whether Z holds a record at OWNER of TYPE whose data is DATA (LEN octets), octet for octet. */
static bool holds(const zload_zone_t *z, const uint8_t *owner, uint16_t type, const void *data,
		  size_t len)
{
	size_t olen = wire_name_len(owner);

	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == type && z->recs[i].rdlen == len &&
		    wire_name_len(zload_rec_owner(z, i)) == olen &&
		    memcmp(zload_rec_owner(z, i), owner, olen) == 0 &&
		    memcmp(zload_rec_rdata(z, i), data, len) == 0)
			return true;
	return false;
}

/*
 * Zone text as people write it: only a free-standing "@" is the origin (RFC 1035 5.1); "@foo",
 * "@.example.com." and "\@" are labels, in owners and in data, escaped or not, as BIND's
 * named-compilezone reads them; an owner of more than 254 characters (escapes) is read, and
 * the blank owners after it are it.
 */
static void test_text(void)
{
	static const char text[] = "$ORIGIN example.com.\n"
				   "$TTL 300\n"
				   "@ SOA ns h 1 3600 60 600 60\n"
				   "@ NS ns\n"
				   "ns A 192.0.2.1\n"
				   "@foo A 192.0.2.2\n"
				   "  TXT after\n"
				   "@.example.com. A 192.0.2.3\n"
				   "x NS \\@.example.com.\n"
				   "y MX 10 \\064\n"
				   "z MX 10 @\n"
				   "w NS @.other.net.\n"
				   "u NSEC \\@.example.com. A\n"
				   "v HIP 2 200100107B1A74DF365639CC39F1D578 "
				   "AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+"
				   "CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+"
				   "bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rM"
				   "XdXF5D @.example.com. \\@.other.net.\n"
				   "t TXT \"@.example.com.\"\n";
	uint8_t owner[WIRE_NAME_MAX + 1], name[WIRE_NAME_MAX + 1], lab[WIRE_NAME_MAX];
	char longtext[2048];
	struct rd r = {.n = 0};
	size_t n = 0, len;
	zload_zone_t *z;

	for (int fast = 0; fast < 2; fast++) {
		zload_no_fast_path = fast == 0;
		z = zload_string(ORIGIN, text, "at.zone", NULL, NULL, err, sizeof(err));
		zload_no_fast_path = false;
		if (z == NULL)
			fprintf(stderr, "\n  %s\n", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		under_origin(owner, "\004@foo", 5);
		CU_ASSERT_TRUE(holds(z, owner, T_A, "\300\000\002\002", 4));
		CU_ASSERT_TRUE(holds(z, owner, T_TXT, "\005after", 6));
		under_origin(owner, "\001@", 2);
		CU_ASSERT_TRUE(holds(z, owner, T_A, "\300\000\002\003", 4));
		len = under_origin(name, "\001@", 2);
		under_origin(owner, "\001x", 2);
		CU_ASSERT_TRUE(holds(z, owner, T_NS, name, len));
		under_origin(owner, "\001u", 2);
		r.n = 0;
		rd_name(&r, name);
		rd_bytes(&r, "\000\001\100", 3);
		CU_ASSERT_TRUE(holds(z, owner, T_NSEC, r.b, r.n));
		under_origin(owner, "\001y", 2);
		r.n = 0;
		rd_u16(&r, 10);
		rd_name(&r, name);
		CU_ASSERT_TRUE(holds(z, owner, T_MX, r.b, r.n));
		/* the one free-standing "@": the origin */
		under_origin(owner, "\001z", 2);
		r.n = 0;
		rd_u16(&r, 10);
		r.n += under_origin(r.b + r.n, "", 0);
		CU_ASSERT_TRUE(holds(z, owner, T_MX, r.b, r.n));
		under_origin(owner, "\001w", 2);
		len = under_other(name, "\001@", 2);
		CU_ASSERT_TRUE(holds(z, owner, T_NS, name, len));
		/* HIP: its rendezvous servers after three tokens of its own */
		under_origin(owner, "\001v", 2);
		for (size_t i = 0; i < z->nrecs; i++) {
			const uint8_t *d = zload_rec_rdata(z, i);
			size_t at;

			if (z->recs[i].type != 55)
				continue;
			/* HIT length, algorithm, key length, HIT, key, then the servers */
			at = 4 + (size_t)d[0] + wire_get16(d + 2);
			r.n = 0;
			r.n += under_origin(r.b + r.n, "\001@", 2);
			r.n += under_other(r.b + r.n, "\001@", 2);
			CU_ASSERT_TRUE(at + r.n == z->recs[i].rdlen &&
				       memcmp(d + at, r.b, r.n) == 0);
		}
		/* a string is no name */
		under_origin(owner, "\001t", 2);
		CU_ASSERT_TRUE(holds(z, owner, T_TXT, "\016@.example.com.", 15));
		zload_free(&z);
	}
	/* Three labels of 63 "\@" each: 383 characters; then a blank owner. */
	longtext[0] = '\0';
	for (int l = 0; l < 3; l++) {
		lab[n++] = 63;
		memset(lab + n, '@', 63);
		n += 63;
		for (int k = 0; k < 63; k++)
			strcat(longtext, "\\@");
		strcat(longtext, ".");
	}
	len = strlen(text);
	{
		char *t = malloc(len + 2 * sizeof(longtext));

		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		snprintf(t, len + 2 * sizeof(longtext),
			 "%s%sexample.com. A 192.0.2.9\n  AAAA ::1\n", text, longtext);
		z = zload_string(ORIGIN, t, "long.zone", NULL, NULL, err, sizeof(err));
		free(t);
	}
	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	under_origin(owner, lab, n);
	CU_ASSERT_TRUE(holds(z, owner, T_A, "\300\000\002\011", 4));
	CU_ASSERT_TRUE(holds(z, owner, T_AAAA,
			     "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001",
			     16));
	zload_free(&z);
}

/*
 * A name in data that is the origin as written ("example.com.", not an "@" label) is what ldns
 * read: only the names whose first label is "@" ("\@", "\064", "@.other.net.") are read again
 * from the text (a million CNAMEs to the apex would each pay for it).
 */
static void test_origin_names(void)
{
	static const char text[] = "$ORIGIN example.com.\n"
				   "$TTL 300\n"
				   "@ SOA ns h 1 3600 60 600 60\n"
				   "@ NS ns\n"
				   "ns A 192.0.2.1\n"
				   "a MX 10 example.com.\n"
				   "b CNAME example.com.\n"
				   "c SRV 0 0 443 example.com.\n"
				   "d NS \\@\n"
				   "e MX 10 \\064.example.com.\n"
				   "f NS @.other.net.\n"
				   "g MX 10 @\n";
	uint8_t owner[WIRE_NAME_MAX + 1], name[WIRE_NAME_MAX + 1];
	struct rd r = {.n = 0};
	unsigned long before = zload_names_reread;
	size_t len;
	zload_zone_t *z = zload_string(ORIGIN, text, "origin.zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	/* d, e and f: ldns made each the origin */
	CU_ASSERT_EQUAL(zload_names_reread - before, 3);
	len = under_origin(name, "", 0);
	under_origin(owner, "\001b", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_CNAME, name, len));
	rd_u16(&r, 10);
	r.n += under_origin(r.b + r.n, "", 0);
	under_origin(owner, "\001a", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_MX, r.b, r.n));
	under_origin(owner, "\001g", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_MX, r.b, r.n));
	r.n = 0;
	rd_u16(&r, 0);
	rd_u16(&r, 0);
	rd_u16(&r, 443);
	r.n += under_origin(r.b + r.n, "", 0);
	under_origin(owner, "\001c", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_SRV, r.b, r.n));
	len = under_origin(name, "\001@", 2);
	under_origin(owner, "\001d", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_NS, name, len));
	r.n = 0;
	rd_u16(&r, 10);
	rd_bytes(&r, name, len);
	under_origin(owner, "\001e", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_MX, r.b, r.n));
	len = under_other(name, "\001@", 2);
	under_origin(owner, "\001f", 2);
	CU_ASSERT_TRUE(holds(z, owner, T_NS, name, len));
	zload_free(&z);
}

/* The octets random labels are made of: mostly the special ones. */
static uint8_t random_octet(unsigned *seed)
{
	static const char special[] = "@$().;\"\\ \t*#-_AZaz09";
	unsigned r = (unsigned)rand_r(seed);

	if (r % 4 == 0)
		return (uint8_t)(r >> 8);
	return (uint8_t)special[(r >> 8) % (sizeof(special) - 1)];
}

/* A random name under BASE (wire; the origin or another zone), at most 255 octets. */
static size_t random_name(uint8_t *out, const uint8_t *base, unsigned *seed)
{
	size_t blen = wire_name_len(base), n = 0;
	unsigned labels = 1 + (unsigned)rand_r(seed) % 5;
	bool longest = rand_r(seed) % 8 == 0;

	for (unsigned l = 0; l < (longest ? 8 : labels); l++) {
		size_t room = WIRE_NAME_MAX - blen - n, len;

		if (room < 2)
			break;
		len = longest ? 63 : 1 + (unsigned)rand_r(seed) % (rand_r(seed) % 4 == 0 ? 63 : 6);
		if (len > room - 1)
			len = room - 1;
		out[n++] = (uint8_t)len;
		for (size_t k = 0; k < len; k++)
			out[n++] = random_octet(seed);
	}
	memcpy(out + n, base, blen);
	return n + blen;
}

/*
 * Random versions of names made of special octets (seeded; the seed is printed when a record
 * does not come back): owners, names in data under the origin and elsewhere, TXT strings.
 */
static void test_random(void)
{
	uint8_t origin[WIRE_NAME_MAX + 1], other[WIRE_NAME_MAX + 1];
	const char *env = getenv("SANDNS_PRINT_SEED");
	unsigned first = env != NULL ? (unsigned)strtoul(env, NULL, 0)
				     : (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);

	under_origin(origin, "", 0);
	under_other(other, "", 0);
	/* A few seeds that stay, and one that changes from run to run. */
	for (unsigned round = 0; round < 4; round++) {
		unsigned seed = round < 3 ? round + 1 : first, s = seed;
		zload_xfr_t *x = zload_xfr_new(ORIGIN, NULL, "AXFR random");
		uint8_t owner[WIRE_NAME_MAX + 1], name[WIRE_NAME_MAX + 1];
		zload_zone_t *z;

		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		random_name(owner, origin, &s);
		random_name(name, other, &s);
		add_apex(x, owner, name);
		for (unsigned k = 0; k < 150; k++) {
			struct rd r = {.n = 0};

			random_name(owner, origin, &s);
			rd_u32(&r, (uint32_t)rand_r(&s));
			add(x, owner, T_A, 60 + k, &r);
			random_name(name, rand_r(&s) % 2 ? origin : other, &s);
			add_named(x, owner, name, k);
			r.n = 0;
			for (unsigned q = (unsigned)rand_r(&s) % 4; q < 4; q++) {
				uint8_t str[255];
				size_t len = (size_t)rand_r(&s) % (rand_r(&s) % 4 == 0 ? 256 : 8);

				for (size_t c = 0; c < len; c++)
					str[c] = random_octet(&s);
				rd_str(&r, str, len);
			}
			if (r.n > 0)
				add(x, owner, T_TXT, 300, &r);
		}
		z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
		if (z == NULL)
			fprintf(stderr, "\n  seed %u: %s\n", seed, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		if (!round_trip(z)) {
			fprintf(stderr,
				"\n  random names: seed %u (SANDNS_PRINT_SEED=%u repeats it)\n",
				seed, seed);
			CU_FAIL("a random version printed is not read back the same");
		}
		zload_free(&z);
	}
}

void reg_cutest_zload_print(void)
{
	CU_pSuite s = CU_add_suite("zload_print", NULL, NULL);

	CU_add_test(s, "special names and data printed and read back the same", test_specials);
	CU_add_test(s, "random special names printed and read back the same, seeded", test_random);
	CU_add_test(s, "zone text: only a free-standing @ is the origin, long owners read",
		    test_text);
	CU_add_test(s, "zone text: a name in data that is the origin as written is not read again",
		    test_origin_names);
}
