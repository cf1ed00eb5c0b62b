/* SPDX-License-Identifier: BSD-3-Clause */
/* test_zload_share.c: successive IXFR versions sharing their octets: each the file it stands for */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cutest.h"
#include "fnv.h"
#include "zload.h"
#include "zload_state.h"

enum { NBASE = 3000, MAXLINES = 8000, NVER = 50 };

/* The records a version should hold, as the lines of a file in the version's order. */
struct model {
	char *line[MAXLINES];
	bool gone[MAXLINES];
	bool gen[MAXLINES]; /* a generated record: one an IXFR may delete */
	size_t n;
	unsigned serial, added, seed;
};

static char err[1024];

static void push(struct model *m, bool gen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void push(struct model *m, bool gen, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	CU_ASSERT_FATAL(m->n < MAXLINES);
	m->line[m->n] = strdup(buf);
	m->gone[m->n] = false;
	m->gen[m->n] = gen;
	m->n++;
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->line[i]);
	m->n = 0;
}

/* DST: a copy of SRC. */
static void model_copy(struct model *dst, const struct model *src)
{
	*dst = *src;
	for (size_t i = 0; i < src->n; i++) {
		dst->line[i] = strdup(src->line[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(dst->line[i]);
	}
}

/* The file M stands for (malloc'd). */
static char *model_text(const struct model *m)
{
	size_t len = 0, cap = 1;
	char *t;

	for (size_t i = 0; i < m->n; i++)
		cap += strlen(m->line[i]) + 1;
	t = malloc(cap);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t i = 0; i < m->n; i++)
		if (!m->gone[i])
			len += (size_t)sprintf(t + len, "%s\n", m->line[i]);
	t[len] = '\0';
	return t;
}

#define SOA_FMT "sec.test. 300 IN SOA ns1.sec.test. h.sec.test. %u 3600 60 600 60"

/* The base: an SOA, the apex's NS and its address, NBASE records at 700 owners, case mixed. */
static void model_base(struct model *m)
{
	static const char *const types[] = {"A 10.%d.%d.1", "TXT \"t%d-%d\"",
					    "MX %d m%d.x.sec.test."};

	memset(m, 0, sizeof(*m));
	m->serial = 10;
	m->seed = 777;
	push(m, false, SOA_FMT, m->serial);
	push(m, false, "sec.test. 300 IN NS ns1.sec.test.");
	push(m, false, "ns1.sec.test. 300 IN A 192.0.2.1");
	for (int i = 0; i < NBASE; i++) {
		char data[64];

		snprintf(data, sizeof(data), types[i % 3], i % 250, i / 250);
		push(m, true, "%s%d.sec.test. 300 IN %s", (i & 4) ? "N" : "n", i / 3 % 700, data);
	}
}

/* One record (absolute presentation form) deleted (DEL) or added through X: the call's return. */
static int op(zload_xfr_t *x, bool del, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_buffer *b = ldns_buffer_new(512);
	int rc;

	CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&rr, text, 300, NULL, NULL), LDNS_STATUS_OK);
	CU_ASSERT_EQUAL_FATAL(ldns_rr_rdata2buffer_wire(b, rr), LDNS_STATUS_OK);
	rc = (del ? zload_xfr_del : zload_xfr_add)(x, ldns_rdf_data(ldns_rr_owner(rr)),
						   (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
						   ldns_buffer_begin(b), ldns_buffer_position(b));
	ldns_buffer_free(b);
	ldns_rr_free(rr);
	return rc;
}

/*
 * An IXFR applied to BASE, which M stands for, and to M: the SOA, NDEL records deleted at
 * random, NADD added (new data, at old owners and new ones). The new version.
 */
static zload_zone_t *ixfr(const zload_zone_t *base, struct model *m, int ndel, int nadd)
{
	zload_xfr_t *x = zload_xfr_new("sec.test.", base, "IXFR");
	char line[256];
	zload_zone_t *z;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	snprintf(line, sizeof(line), SOA_FMT, m->serial);
	CU_ASSERT_EQUAL(op(x, true, line), 0);
	for (size_t i = 0; i < m->n; i++)
		if (!m->gone[i] && strncmp(m->line[i], "sec.test. 300 IN SOA", 20) == 0)
			m->gone[i] = true;
	for (int d = 0, tries = 0; d < ndel && tries < 100000; tries++) {
		size_t i = rand_r(&m->seed) % m->n;

		if (m->gone[i] || !m->gen[i])
			continue;
		CU_ASSERT_EQUAL(op(x, true, m->line[i]), 0);
		m->gone[i] = true;
		d++;
	}
	m->serial++;
	snprintf(line, sizeof(line), SOA_FMT, m->serial);
	CU_ASSERT_EQUAL(op(x, false, line), 0);
	push(m, false, "%s", line);
	for (int a = 0; a < nadd; a++) {
		unsigned o = rand_r(&m->seed) % 900, k = m->added++;

		snprintf(line, sizeof(line), "%s%u.sec.test. 60 IN A 172.%u.%u.%u",
			 (k & 1) ? "N" : "n", o, 16 + (k >> 16), (k >> 8) & 255, k & 255);
		CU_ASSERT_EQUAL(op(x, false, line), 0);
		push(m, true, "%s", line);
	}
	z = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	return z;
}

/* Record R of Z as a line: owner as held (case kept), type, TTL, data octets in hex. */
static void rec_line(const zload_zone_t *z, size_t r, char *out, size_t len)
{
	const uint8_t *o = zload_rec_owner(z, r), *d = zload_rec_rdata(z, r);
	size_t at = 0, ol = 0;

	while (o[ol] != 0)
		ol += (size_t)o[ol] + 1;
	for (size_t k = 0; k <= ol && at + 3 < len; k++)
		at += (size_t)snprintf(out + at, len - at, "%02x", o[k]);
	at += (size_t)snprintf(out + at, len - at, " %u %u ", z->recs[r].type, z->recs[r].ttl);
	for (size_t k = 0; k < z->recs[r].rdlen && at + 3 < len; k++)
		at += (size_t)snprintf(out + at, len - at, "%02x", d[k]);
}

/*
 * Whether Z holds what TEXT (a file) does: the same records in the same order, the same sorted
 * index, serial and signedness; every record's octets within Z's own.
 */
static bool same_as_file(const zload_zone_t *z, const char *text)
{
	zload_zone_t *file =
	    zload_string("sec.test.", text, "f.zone", NULL, NULL, err, sizeof(err));
	char a[1024], b[1024];
	bool same;

	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	same = z->nrecs == file->nrecs && zload_serial(z) == zload_serial(file) &&
	       zload_is_signed(z) == zload_is_signed(file) && z->by_owner != NULL;
	for (size_t r = 0; same && r < z->nrecs; r++) {
		rec_line(z, r, a, sizeof(a));
		rec_line(file, r, b, sizeof(b));
		same = strcmp(a, b) == 0 && z->by_owner[r] == file->by_owner[r] &&
		       (size_t)z->recs[r].rdata + z->recs[r].rdlen <= z->data_len &&
		       z->recs[r].owner < z->data_len;
	}
	zload_free(&file);
	return same;
}

/*
 * NVER IXFRs in a row, every version kept, each the file of its records; a version made from
 * an older one beside (a store appended to past a newer version's octets); then the versions
 * freed oldest first (OLDEST) or newest first, each left still its file.
 */
static void chain(bool oldest)
{
	static struct model m, old;
	zload_zone_t *v[NVER + 1], *side;
	char *text[NVER + 1];
	size_t shared = 0;

	model_base(&m);
	text[0] = model_text(&m);
	v[0] = zload_string("sec.test.", text[0], "base.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v[0]);
	CU_ASSERT_PTR_NOT_NULL(v[0]->store);
	for (int k = 1; k <= NVER; k++) {
		v[k] = ixfr(v[k - 1], &m, 15, 20);
		text[k] = model_text(&m);
		shared += v[k]->store != NULL && v[k]->store == v[k - 1]->store &&
			  v[k]->data == v[k - 1]->data;
		CU_ASSERT(same_as_file(v[k], text[k]));
		if (k == NVER / 2 - 5) {
			model_copy(&old, &m);
			/* Other changes than the chain's next ones (other octets). */
			old.seed ^= 0x5a5a;
			old.added += 100000;
		}
		if (k == NVER / 2) {
			/* From an older version again: its own octets past the store's tip, past
			 * what the newer versions appended. */
			char *st;

			side = ixfr(v[NVER / 2 - 5], &old, 15, 20);
			st = model_text(&old);
			CU_ASSERT(side->store == v[NVER / 2 - 5]->store);
			CU_ASSERT(side->store == v[k]->store);
			CU_ASSERT(same_as_file(side, st));
			free(st);
			model_free(&old);
		}
	}
	/* The loaded zone's room (realloc's) may run out once: the default's holds the rest. */
	CU_ASSERT(shared >= NVER - 1);
	CU_ASSERT(same_as_file(v[NVER / 2], text[NVER / 2]));
	zload_free(&side);
	for (int k = 0; k <= NVER; k++) {
		int i = oldest ? k : NVER - k;

		zload_free(&v[i]);
		free(text[i]);
		/* The versions left: still their files (only every seventh: time). */
		for (int j = 0; j <= NVER; j++)
			if (v[j] != NULL && j % 7 == k % 7)
				CU_ASSERT(same_as_file(v[j], text[j]));
	}
	model_free(&m);
}

static void test_chain_oldest_first(void)
{
	chain(true);
}

static void test_chain_newest_first(void)
{
	chain(false);
}

/*
 * The store's room runs out (little room made): versions made anew now and then, the others
 * sharing; each its file. The secondary's way: the version before freed once the next is made.
 */
static void test_room(void)
{
	static struct model m;
	zload_zone_t *z, *next;
	size_t shared = 0, anew = 0, saved = zload_store_room;
	char *text;

	zload_store_room = 2000;
	model_base(&m);
	text = model_text(&m);
	next = zload_string("sec.test.", text, "base.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	/* Made anew (a third deleted: garbage past the share), with the little room. */
	z = ixfr(next, &m, NBASE / 3, 5);
	CU_ASSERT(z->store != next->store);
	zload_free(&next);
	for (int k = 0; k < 40; k++) {
		next = ixfr(z, &m, 10, 20);
		if (next->store == z->store && next->data == z->data) {
			shared++;
		} else {
			anew++;
			CU_ASSERT_EQUAL(next->garbage, 0);
		}
		zload_free(&z);
		z = next;
		text = model_text(&m);
		CU_ASSERT(same_as_file(z, text));
		free(text);
	}
	zload_store_room = saved;
	CU_ASSERT(shared >= 10);
	CU_ASSERT(anew >= 5);
	zload_free(&z);
	model_free(&m);
}

/* An IXFR that deletes a third of the zone: made anew, its garbage left; the next one shares. */
static void test_garbage(void)
{
	static struct model m;
	zload_zone_t *base, *z, *next;
	char *text;

	model_base(&m);
	text = model_text(&m);
	base = zload_string("sec.test.", text, "base.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	z = ixfr(base, &m, 30, 5);
	CU_ASSERT(z->data == base->data);
	CU_ASSERT(z->garbage > 0);
	next = ixfr(z, &m, NBASE / 3, 5);
	CU_ASSERT(next->data != z->data);
	CU_ASSERT(next->store != z->store);
	CU_ASSERT_EQUAL(next->garbage, 0);
	CU_ASSERT(next->data_len < base->data_len);
	text = model_text(&m);
	CU_ASSERT(same_as_file(next, text));
	free(text);
	zload_free(&base);
	zload_free(&z);
	z = ixfr(next, &m, 10, 10);
	CU_ASSERT(z->data == next->data);
	zload_free(&next);
	text = model_text(&m);
	CU_ASSERT(same_as_file(z, text));
	free(text);
	zload_free(&z);
	model_free(&m);
}

/* A shared version appended to by hand (as an edit would): its octets its own first. */
static void test_append_unshares(void)
{
	static struct model m;
	zload_zone_t *base, *z;
	const uint8_t owner[] = "\3new\3sec\4test", rd[4] = {192, 0, 2, 7};
	char *text;

	model_base(&m);
	text = model_text(&m);
	base = zload_string("sec.test.", text, "base.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	z = ixfr(base, &m, 5, 5);
	free(text);
	text = model_text(&m);
	CU_ASSERT(z->data == base->data);
	CU_ASSERT_EQUAL(zload_push_wire(z, owner, sizeof(owner), 1, 60, rd, 4, 0, 1), 0);
	CU_ASSERT(z->data != base->data);
	CU_ASSERT_PTR_NULL(z->store);
	z->nrecs--; /* the record taken off again: the rest is as it was */
	CU_ASSERT(same_as_file(z, text));
	zload_free(&z);
	free(text);
	text = model_text(&m);
	zload_free(&base);
	free(text);
	model_free(&m);
}

/* A hash of what Z's readers read: its records, files, lines, sorted index and octets. */
static uint64_t version_sum(const zload_zone_t *z)
{
	uint64_t h = fnv_bytes(FNV_START, z->recs, z->nrecs * sizeof(*z->recs));

	for (size_t r = 0; r < z->nrecs; r++) {
		unsigned f = zload_rec_file(z, r);
		int l = zload_rec_line(z, r);

		h = fnv_bytes(h, &f, sizeof(f));
		h = fnv_bytes(h, &l, sizeof(l));
	}
	h = fnv_bytes(h, z->by_owner, z->nrecs * sizeof(*z->by_owner));
	return fnv_bytes(h, z->data, z->data_len);
}

/* Whether A and B hold the same records (octets, files, lines), index, serial, signedness. */
static bool same_version(const zload_zone_t *a, const zload_zone_t *b)
{
	char x[1024], y[1024];
	bool same = a->nrecs == b->nrecs && zload_serial(a) == zload_serial(b) &&
		    zload_is_signed(a) == zload_is_signed(b) && a->nfiles == b->nfiles;

	for (size_t f = 0; same && f < a->nfiles; f++)
		same = strcmp(a->files[f], b->files[f]) == 0;
	for (size_t r = 0; same && r < a->nrecs; r++) {
		rec_line(a, r, x, sizeof(x));
		rec_line(b, r, y, sizeof(y));
		same = strcmp(x, y) == 0 && zload_rec_file(a, r) == zload_rec_file(b, r) &&
		       zload_rec_line(a, r) == zload_rec_line(b, r) &&
		       a->by_owner[r] == b->by_owner[r];
	}
	return same;
}

/*
 * A transfer's version freed hands its arrays to the next one (zload_spare.c): that version is
 * the one made on fresh memory, entry for entry, and the version it is made from (held) is
 * never written. A file's version keeps its own; a spare that does not fit is not taken.
 */
static void test_spare(void)
{
	static struct model m, twin;
	const size_t saved_min = zload_spare_min;
	zload_zone_t *v0, *v1, *v2, *v3, *fresh, *small, *next;
	uintptr_t recs1, idx1;
	unsigned long taken;
	uint64_t held;
	char *text;

	zload_spare_drop();
	zload_spare_min = 1000;
	model_base(&m);
	text = model_text(&m);
	v0 = zload_string("sec.test.", text, "base.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v0);
	taken = zload_spare_taken;
	v1 = ixfr(v0, &m, 15, 20);
	zload_free(&v0); /* a file's version: its arrays its own */
	v2 = ixfr(v1, &m, 15, 20);
	CU_ASSERT_EQUAL(zload_spare_taken, taken);
	/* V1 freed (V2 held, as a secondary holds the version served): its arrays the spare,
	 * holding V1's records still. */
	recs1 = (uintptr_t)v1->recs;
	idx1 = (uintptr_t)v1->by_owner;
	zload_free(&v1);
	model_copy(&twin, &m);
	held = version_sum(v2);
	v3 = ixfr(v2, &m, 15, 20);
	CU_ASSERT_EQUAL(zload_spare_taken, taken + 2);
	CU_ASSERT_EQUAL((uintptr_t)v3->recs, recs1);
	CU_ASSERT_EQUAL((uintptr_t)v3->by_owner, idx1);
	CU_ASSERT_EQUAL(version_sum(v2), held);
	text = model_text(&m);
	CU_ASSERT(same_as_file(v3, text));
	free(text);
	/* The same IXFR on fresh memory (nothing kept or taken below SIZE_MAX records). */
	zload_spare_min = SIZE_MAX;
	fresh = ixfr(v2, &twin, 15, 20);
	CU_ASSERT_EQUAL(zload_spare_taken, taken + 2);
	CU_ASSERT(fresh->recs != v3->recs);
	CU_ASSERT(same_version(v3, fresh));
	CU_ASSERT_EQUAL(version_sum(v2), held);
	zload_free(&fresh);
	model_free(&twin);

	/* V2 freed: the spare, which a zone of a twentieth of its size does not take. */
	zload_spare_min = 100;
	zload_free(&v2);
	{
		static struct model s;

		memset(&s, 0, sizeof(s));
		s.serial = 10;
		s.seed = 99;
		push(&s, false, SOA_FMT, s.serial);
		push(&s, false, "sec.test. 300 IN NS ns1.sec.test.");
		push(&s, false, "ns1.sec.test. 300 IN A 192.0.2.1");
		for (int i = 0; i < 150; i++)
			push(&s, true, "s%d.sec.test. 300 IN A 10.9.%d.%d", i, i / 250, i % 250);
		text = model_text(&s);
		small = zload_string("sec.test.", text, "small.zone", NULL, NULL, err, sizeof(err));
		free(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(small);
		next = ixfr(small, &s, 5, 5);
		CU_ASSERT_EQUAL(zload_spare_taken, taken + 2);
		text = model_text(&s);
		CU_ASSERT(same_as_file(next, text));
		free(text);
		zload_free(&next);
		zload_free(&small);
		model_free(&s);
	}
	zload_free(&v3);
	model_free(&m);
	zload_spare_drop();
	zload_spare_min = saved_min;
}

/*
 * An AXFR's version makes the spare its first IXFR's version takes (zload_spare_seed()), and
 * so does zload_xfr_prepare() for a copy loaded at a start: that version needs no fresh arrays,
 * and is the one a file of the same records gives.
 */
static void test_spare_seed(void)
{
	static struct model m;
	const size_t saved_min = zload_spare_min;
	zload_xfr_t *x = zload_xfr_new("sec.test.", NULL, "AXFR test");
	zload_zone_t *v0, *v1, *v2;
	unsigned long taken;
	char *text;

	zload_spare_drop();
	zload_spare_min = 1000;
	model_base(&m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	for (size_t i = 0; i < m.n; i++)
		CU_ASSERT_EQUAL(op(x, false, m.line[i]), 0);
	v0 = zload_xfr_finish(&x, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v0);
	taken = zload_spare_taken;
	v1 = ixfr(v0, &m, 15, 20);
	/* Both the records' array and the index taken. */
	CU_ASSERT_EQUAL(zload_spare_taken, taken + 2);
	text = model_text(&m);
	CU_ASSERT(same_as_file(v1, text));
	free(text);
	zload_free(&v1);
	zload_free(&v0);
	model_free(&m);
	/* A copy loaded from its file at a start: made when the transfer thread takes it. */
	zload_spare_drop();
	model_base(&m);
	text = model_text(&m);
	v0 = zload_string("sec.test.", text, "copy.zone", NULL, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v0);
	zload_xfr_prepare(v0);
	taken = zload_spare_taken;
	v1 = ixfr(v0, &m, 15, 20);
	CU_ASSERT_EQUAL(zload_spare_taken, taken + 2);
	/* Freed (V1 held now), the copy's arrays are the spare the second IXFR takes: they
	 * were made to the copy's size, so for a version no larger (20 out, 15 in). */
	zload_free(&v0);
	v2 = ixfr(v1, &m, 20, 15);
	CU_ASSERT_EQUAL(zload_spare_taken, taken + 4);
	text = model_text(&m);
	CU_ASSERT(same_as_file(v2, text));
	free(text);
	zload_free(&v2);
	zload_free(&v1);
	model_free(&m);
	zload_spare_drop();
	zload_spare_min = saved_min;
}

void reg_cutest_zshare(void)
{
	CU_pSuite s = CU_add_suite("zshare", NULL, NULL);

	CU_add_test(s, "IXFR versions sharing octets, freed oldest first", test_chain_oldest_first);
	CU_add_test(s, "IXFR versions sharing octets, freed newest first", test_chain_newest_first);
	CU_add_test(s, "store without room: versions made anew, each its file", test_room);
	CU_add_test(s, "garbage past a share: a version made anew", test_garbage);
	CU_add_test(s, "an append to a shared version: its own octets first", test_append_unshares);
	CU_add_test(s, "a transfer's version freed: its arrays the next one's, as made fresh",
		    test_spare);
	CU_add_test(s, "an AXFR's version: the spare its first IXFR takes, made", test_spare_seed);
}
