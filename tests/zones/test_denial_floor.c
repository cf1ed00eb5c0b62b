/* SPDX-License-Identifier: BSD-3-Clause */
/* test_denial_floor.c: CUnit suite for the floor of an NSEC zone's denial blobs, hostile zones */
/*
 * zt_denial_nsec_floor() counts, without rendering them, octets an NSEC zone's denial blobs take
 * at least; zt_denial_fits() (a patch's measure) answers 0 when the floor passes the share. A
 * floor above what the rendering counts would make a patched snapshot keep other denial data
 * than a compile. The zones here are made to strain each step of its reasoning: the root zone,
 * apexes and owners near 255 octets, owners in upper case, NSEC type bitmaps of every window
 * (two of them pass a message), NSEC RRsets of many records and signatures of many keys (the
 * fix-ups), the SOA's names below the apex, an apex wildcard, and patched snapshots whose apex
 * is a new node. Each zone: the floor no more than the NXDOMAINs below the apex rendered one by
 * one (denial_render()), nor than the octets a compile keeps, and zt_denial_fits() the
 * compile's answer at shares about both.
 *
 * DENIAL_FLOOR_SEED picks the first seed, DENIAL_FLOOR_ZONES how many zones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "denial.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_build.h"
#include "zt_index.h"
#include "zt_patch.h"

static uint64_t fl_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned fl_pick(uint64_t *s, unsigned n)
{
	return (unsigned)(fl_rnd(s) % n);
}

/* A zone's text, growing. */
struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		CU_ASSERT_FATAL(n >= 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = 2 * t->cap + (size_t)n;
		t->p = realloc(t->p, t->cap);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t->p);
	}
	t->len += (size_t)n;
}

/* NAME (text, relative or "@") in random case. */
static void put_case(struct text *t, uint64_t *s, const char *name)
{
	char buf[1024];
	size_t n = strlen(name);

	CU_ASSERT_FATAL(n < sizeof(buf));
	for (size_t i = 0; i <= n; i++)
		buf[i] =
		    (char)(name[i] >= 'a' && name[i] <= 'z' && fl_pick(s, 3) == 0 ? name[i] - 32
										  : name[i]);
	put(t, "%s", buf);
}

/* An NSEC's types: the node's own, then extra ones: none, a few, or in WINDOWS windows (the
 * last type of each: every window's bitmap whole, 34 octets). */
static void put_types(struct text *t, uint64_t *s, const char *own, unsigned extra)
{
	unsigned windows;

	put(t, "%s", own);
	switch (fl_pick(s, 4)) {
	case 0:
		break;
	case 1:
		for (unsigned k = 0; k < 4; k++)
			put(t, " TYPE%u", 1000 + fl_pick(s, 3000));
		break;
	default:
		windows = fl_pick(s, 4) == 0 ? 256 : fl_pick(s, 257);
		for (unsigned w = 1; w < windows; w++)
			put(t, " TYPE%u", w * 256 + 255);
		break;
	}
	if (extra != 0)
		put(t, " TYPE%u", 60000 + extra);
}

/* RRSIGs of TYPE at the current owner: N keys, signatures of random length. */
static void put_sigs(struct text *t, uint64_t *s, const char *type, unsigned labels,
		     const char *signer, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned len = 1 + fl_pick(s, fl_pick(s, 4) == 0 ? 400 : 40);

		put(t, " RRSIG %s 13 %u 3600 20270101000000 20261201000000 %u %s ", type, labels,
		    10000 + k, signer);
		for (unsigned i = 0; i < len; i++)
			put(t, "AAEC");
		put(t, "\n");
	}
}

/* How many records an NSEC RRset or an RRSIG RRset gets: mostly one, now and then many. */
static unsigned count_of(uint64_t *s, bool sig)
{
	switch (fl_pick(s, 8)) {
	case 0:
		return sig ? 0 : 1;
	case 1:
		return 2 + fl_pick(s, 3);
	case 2:
		return 10 + fl_pick(s, 60);
	default:
		return 1 + (sig && fl_pick(s, 2));
	}
}

/* Zone made from seed S: its origin in *ORIGIN (static). */
struct fzone {
	char origin[300];
	char names[64][300]; /* relative, canonical order ("@" first) */
	unsigned labels[64]; /* each one's labels (the RRSIGs' field) */
	bool deleg[64];
	unsigned n;
	bool wild;
};

/* A label of LEN octets made of C. */
static void label(char *out, unsigned len, char c)
{
	memset(out, c, len);
	out[len] = 0;
}

static void fzone_names(struct fzone *f, uint64_t *s)
{
	unsigned apex_labels, olen, groups;
	char lab[64];

	switch (fl_pick(s, 5)) {
	case 0:
		strcpy(f->origin, ".");
		break;
	case 1:
	case 2:
		strcpy(f->origin, "floor.test.");
		break;
	default: {
		/* An apex long enough that names below it reach 255 octets. */
		unsigned want = 150 + fl_pick(s, 91);

		f->origin[0] = 0;
		while (strlen(f->origin) + 2 < want) {
			unsigned l = want - (unsigned)strlen(f->origin) - 1;

			l = l > 63 ? 63 : l < 1 ? 1 : l;
			label(lab, l, (char)('b' + fl_pick(s, 20)));
			strcat(f->origin, lab);
			strcat(f->origin, ".");
		}
		break;
	}
	}
	olen = strcmp(f->origin, ".") == 0 ? 1 : (unsigned)strlen(f->origin) + 1;
	apex_labels = 0;
	for (const char *p = f->origin; *p; p++)
		apex_labels += *p == '.' && strcmp(f->origin, ".") != 0;
	f->n = 0;
	strcpy(f->names[f->n], "@");
	f->labels[f->n] = apex_labels;
	f->deleg[f->n++] = false;
	f->wild = fl_pick(s, 8) == 0;
	if (f->wild) {
		strcpy(f->names[f->n], "*");
		f->labels[f->n] = apex_labels; /* a wildcard's RRSIG labels */
		f->deleg[f->n++] = false;
	}
	groups = 1 + fl_pick(s, 12);
	for (unsigned g = 0; g < groups && f->n < 60; g++) {
		char name[300];
		unsigned depth = fl_pick(s, 3) == 0 ? fl_pick(s, 4) : 0;
		unsigned nlen = olen + 5;
		bool deleg = depth == 0 && fl_pick(s, 3) == 0;

		snprintf(name, sizeof(name), "l%03u", g);
		strcpy(f->names[f->n], name);
		f->labels[f->n] = apex_labels + 1;
		f->deleg[f->n++] = deleg;
		/* Below it, one after the other, each name longer: near 255 octets at the end. */
		for (unsigned d = 0; d < depth && f->n < 60 && nlen + 2 <= WIRE_NAME_MAX; d++) {
			unsigned room = WIRE_NAME_MAX - nlen - 1, l;
			char next[640];

			l = d + 1 == depth ? room : 1 + fl_pick(s, room);
			l = l > 63 ? 63 : l;
			if (l == 0)
				break;
			label(lab, l, (char)('c' + d));
			snprintf(next, sizeof(next), "%s.%s", lab, name);
			CU_ASSERT_FATAL(strlen(next) < sizeof(name));
			strcpy(name, next);
			nlen += l + 1;
			strcpy(f->names[f->n], name);
			f->labels[f->n] = f->labels[f->n - 1] + 1;
			f->deleg[f->n++] = false;
		}
	}
}

/* Zone text of F, with its apex's NSEC bitmap grown by EXTRA (0: none), its SOA serial SERIAL. */
static char *fzone_text(const struct fzone *f, uint64_t seed, unsigned extra, unsigned serial)
{
	struct text t = {malloc(4096), 0, 4096};
	uint64_t s = seed;
	const char *signer = strcmp(f->origin, ".") == 0 ? "." : f->origin;
	bool soa_below = fl_pick(&s, 3) == 0 && strlen(f->origin) + 10 < WIRE_NAME_MAX;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t.p);
	put(&t, "$TTL %u\n", 300 + fl_pick(&s, 4000));
	for (unsigned i = 0; i < f->n; i++) {
		const char *next = i + 1 < f->n ? f->names[i + 1] : "@";
		unsigned nsec = count_of(&s, false);

		put_case(&t, &s, f->names[i]);
		if (i == 0) {
			put(&t, " SOA %s %s %u 7200 3600 1209600 300\n",
			    soa_below ? "ns.l000" : "ns.example.net.",
			    soa_below && fl_pick(&s, 2) ? "hm.l001" : "hm.example.net.", serial);
			put_sigs(&t, &s, "SOA", f->labels[i], signer, 1 + fl_pick(&s, 2));
			put(&t, " NS ns.example.net.\n DNSKEY 257 3 13 AAEC\n");
			put_sigs(&t, &s, "NS", f->labels[i], signer, 1);
			put_sigs(&t, &s, "DNSKEY", f->labels[i], signer, 1 + fl_pick(&s, 2));
			if (extra != 0)
				put(&t, " TXT \"patched %u\"\n", extra);
		} else if (f->deleg[i]) {
			put(&t, " NS ns.example.net.\n");
		} else {
			put(&t, " A 192.0.2.%u\n", 1 + fl_pick(&s, 250));
			put_sigs(&t, &s, "A", f->labels[i], signer, 1);
		}
		for (unsigned k = 0; k < nsec; k++) {
			put(&t, " NSEC ");
			put_case(&t, &s, next);
			put(&t, " ");
			put_types(&t, &s,
				  i == 0	? (extra ? "NS SOA TXT RRSIG NSEC DNSKEY"
							 : "NS SOA RRSIG NSEC DNSKEY")
				  : f->deleg[i] ? "NS RRSIG NSEC"
						: "A RRSIG NSEC",
				  k);
			put(&t, "\n");
		}
		put_sigs(&t, &s, "NSEC", f->labels[i], signer, count_of(&s, true));
	}
	return t.p;
}

static zload_zone_t *fzone_load(const struct fzone *f, const char *text)
{
	char err[512];
	zload_zone_t *z = zload_string(f->origin, text, "floor.zone", NULL, NULL, err, sizeof(err));

	if (z == NULL)
		fprintf(stderr, "denialfloor: %s: %s\n", f->origin, err);
	return z;
}

static zt_t *fzone_compile(zload_zone_t *z, size_t budget)
{
	size_t saved = zt_denial_budget;
	char err[512];
	zt_t *t;

	zt_denial_budget = budget;
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	zt_denial_budget = saved;
	if (t == NULL)
		fprintf(stderr, "denialfloor: compiling: %s\n", err);
	return t;
}

/*
 * The octets zone 0 of T's NXDOMAINs below the apex take, rendered for each NSEC as a compile
 * renders them (with their lines in the table); the count that render in *N.
 */
static size_t apex_blobs(struct zt_build *b, uint32_t *n)
{
	const zt_t *t = b->zt;
	const zt_zone_t *zone = &t->zones[0];
	const zt_node_t *apex = &t->nodes[zone->apex];
	uint32_t a = zt_find(t, zt_node_name(t, apex), apex->name_len);
	uint16_t fix[ZT_FIX_MAX];
	struct denial_built d;
	size_t sum = 0;

	*n = 0;
	if (a == ZT_NONE || !zt_denial_encloser(t, a) || t->nodes[a].wildcard != ZT_NONE)
		return 0;
	for (uint32_t i = 0; i < zone->nnsec; i++)
		if (denial_render(t, 0, i, a, 0, b->scratch, sizeof(b->scratch), fix, ZT_FIX_MAX,
				  &d)) {
			sum +=
			    zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 4 * sizeof(uint32_t);
			(*n)++;
		}
	return sum;
}

/* Totals over the zones checked, for the summary line. */
static unsigned long fl_zones, fl_floored, fl_partial, fl_decided, fl_bad, fl_tight[2];

/*
 * Each NSEC the floor counts, one by one (the steps zt_denial_floor.c's comment gives, written
 * again here): its NXDOMAIN below the apex renders, no smaller than the floor's part of it.
 * Their sum the floor. Counted into fl_tight: those whose message came within 64 octets of
 * the limit, or whose fix-ups within 4 of ZT_FIX_MAX.
 */
static unsigned check_each(struct zt_build *b, size_t floor, uint64_t seed, const char *what)
{
	const zt_t *t = b->zt;
	const zt_zone_t *zone = &t->zones[0];
	const zt_node_t *apex = &t->nodes[zone->apex];
	uint32_t a = zt_find(t, zt_node_name(t, apex), apex->name_len);
	size_t lo, hi, rest, w_recs, w_hi, room, sum = 0;
	uint16_t fix[ZT_FIX_MAX];
	struct denial_built d;
	const zt_blob_t *nx;
	unsigned owners, fix_room, counted = 0;

	if (floor == 0)
		return 0;
	CU_ASSERT_FATAL(
	    denial_render(t, 0, 0, a, 0, b->scratch, sizeof(b->scratch), fix, ZT_FIX_MAX, &d));
	nx = zt_blob(t, zone->nx_do);
	denial_nsec_octets(t, zone->nsec[0], &lo, &hi, &owners);
	rest = d.len - nx->len - lo;
	w_recs = rest / 11 > owners ? rest / 11 : owners;
	w_hi = rest + rest / 11 * (WIRE_NAME_MAX - 1);
	w_hi = w_hi > hi ? w_hi : hi;
	room = WIRE_PTR_MAX - (WIRE_HDR_LEN + t->nodes[a].name_len + 6u + nx->len + w_hi);
	fix_room = ZT_FIX_MAX - nx->nfix - (unsigned)w_recs;
	for (uint32_t i = 0; i < zone->nnsec; i++) {
		size_t part;
		bool ok;

		denial_nsec_octets(t, zone->nsec[i], &lo, &hi, &owners);
		if (hi > room || owners > fix_room)
			continue;
		part = zt_blob_size((uint32_t)(nx->len + lo), 0) + 4 * sizeof(uint32_t);
		sum += part;
		counted++;
		ok = denial_render(t, 0, i, a, 0, b->scratch, sizeof(b->scratch), fix, ZT_FIX_MAX,
				   &d);
		if (!ok ||
		    zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 4 * sizeof(uint32_t) < part) {
			fl_bad++;
			fprintf(stderr, "denialfloor: seed %llu (%s): NSEC %u counted %zu, %s\n",
				(unsigned long long)seed, what, i, part,
				ok ? "rendered smaller" : "does not render");
		}
		CU_ASSERT(ok);
		if (!ok)
			continue;
		CU_ASSERT(zt_blob_size((uint32_t)d.len, (uint16_t)d.nfix) + 4 * sizeof(uint32_t) >=
			  part);
		fl_tight[0] += WIRE_HDR_LEN + t->nodes[a].name_len + 6u + d.len + 64 > WIRE_PTR_MAX;
		fl_tight[1] += d.nfix + 4 > ZT_FIX_MAX;
	}
	CU_ASSERT_EQUAL(sum, floor);
	return counted;
}

/*
 * Zone 0 of T (the floor's snapshot) against WHOLE, the same zone compiled with a budget that
 * keeps its blobs (NULL: T is one): the floor within the NXDOMAINs below the apex and the
 * octets kept, zt_denial_fits() on T as the compile decides.
 */
static unsigned check(zt_t *t, const zt_t *whole, uint64_t seed, const char *what)
{
	const zt_t *w = whole != NULL ? whole : t;
	const zt_zone_t *wz = &w->zones[0], *z = &t->zones[0];
	struct zt_build *b = calloc(1, sizeof(*b));
	size_t base, used, floor, apex, share[6];
	uint32_t rendered;
	unsigned counted;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	b->zt = t;
	floor = zt_denial_nsec_floor(b, 0, SIZE_MAX);
	apex = apex_blobs(b, &rendered);
	counted = check_each(b, floor, seed, what);
	fl_zones++;
	fl_floored += floor > 0;
	fl_partial += floor > 0 && rendered < z->nnsec;
	if (floor > apex) {
		fl_bad++;
		fprintf(stderr,
			"denialfloor: seed %llu (%s): floor %zu > %zu of the NXDOMAINs below the "
			"apex (%u of %u NSEC render)\n",
			(unsigned long long)seed, what, floor, apex, rendered, z->nnsec);
	}
	CU_ASSERT(floor <= apex);
	if (wz->nxb_idx == NULL) {
		/* Nothing kept (no blob renders): no floor either. */
		CU_ASSERT_EQUAL(floor, 0);
		free(b);
		return counted;
	}
	base = (z->nnsec + 1u + denial_nxb_fast_len(t, 0, false)) * sizeof(uint32_t);
	used = tu_denial_used(w, 0) -
	       (wz->nxb_fast_len - denial_nxb_fast_len(w, 0, false)) * sizeof(uint32_t);
	CU_ASSERT(base + floor <= used);
	share[0] = used;
	share[1] = used - 1;
	share[2] = base + floor;
	share[3] = base + floor - 1;
	share[4] = base + apex;
	share[5] = (base + used) / 2;
	for (unsigned k = 0; k < 6; k++) {
		int fits = zt_denial_fits(b, 0, share[k]);

		if (fits != (share[k] >= used)) {
			fl_bad++;
			fprintf(stderr,
				"denialfloor: seed %llu (%s): share %zu of %zu (floor %zu + %zu): "
				"fits %d\n",
				(unsigned long long)seed, what, share[k], used, base, floor, fits);
		}
		CU_ASSERT_EQUAL(fits, share[k] >= used);
		fl_decided += share[k] < base + floor;
	}
	free(b);
	return counted;
}

static uint64_t env_num(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != 0 ? strtoull(v, NULL, 0) : dflt;
}

/* The whole budget: every blob kept. */
#define FL_ALL ((size_t)1 << 34)

/*
 * Hostile NSEC zones from seeds, compiled whole with every blob kept, then with none and patched
 * at the apex (its NSEC's bitmap and a TXT: the apex a new node): each checked.
 */
static void test_hostile(void)
{
	uint64_t seed = env_num("DENIAL_FLOOR_SEED", 1);
	unsigned n = (unsigned)env_num("DENIAL_FLOOR_ZONES", 300);
	size_t split = zt_blobs_split_min, budget = zt_denial_budget;

	fl_zones = fl_floored = fl_partial = fl_decided = fl_bad = fl_tight[0] = fl_tight[1] = 0;
	for (unsigned k = 0; k < n; k++) {
		uint64_t s = (seed + k) * 0x9e3779b97f4a7c15ull | 1, ts = fl_rnd(&s);
		struct fzone *f = calloc(1, sizeof(*f));
		char *text, *text2;
		zload_zone_t *z, *z2;
		zt_t *t, *base, *p = NULL, *whole2;

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fzone_names(f, &s);
		text = fzone_text(f, ts, 0, 1);
		z = fzone_load(f, text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		t = fzone_compile(z, FL_ALL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		check(t, NULL, seed + k, "whole");
		zt_free(&t);
		/* A patch at the apex of the snapshot that keeps no blob. */
		zt_blobs_split_min = 0;
		base = fzone_compile(z, 0);
		text2 = fzone_text(f, ts, 1, 2);
		z2 = fzone_load(f, text2);
		whole2 = fzone_compile(z2, FL_ALL);
		if (base != NULL && z2 != NULL && whole2 != NULL) {
			zload_names_t *nm = NULL;
			const uint8_t *const *names;
			size_t nn;
			char err[512];
			int rc;

			CU_ASSERT_EQUAL_FATAL(zload_changes(z, z2, &nm), 0);
			names = zload_names_list(nm, &nn);
			{
				const zt_patch_in_t in = {.zone = z2,
							  .serial = zload_serial(z2),
							  .names = names,
							  .nnames = nn};

				/* Made as it is: no blob to keep (the compile's question is
				 * zt_denial_fits(), asked below). */
				zt_denial_budget = 0;
				rc = zt_patch(base, &in, &p, err, sizeof(err));
				zt_denial_budget = budget;
			}
			if (rc == 0)
				check(p, whole2, seed + k, "patched");
			else if (k < 3)
				fprintf(stderr, "denialfloor: seed %llu: patch %d: %s\n",
					(unsigned long long)(seed + k), rc, err);
			zt_free(&p);
			zload_names_free(&nm);
		}
		zt_blobs_split_min = split;
		zt_free(&whole2);
		zt_free(&base);
		zload_free(&z2);
		zload_free(&z);
		free(text2);
		free(text);
		free(f);
	}
	fprintf(stderr,
		"denialfloor: %lu snapshots, %lu with a floor (%lu with NSEC whose NXDOMAIN "
		"below the apex does not render), %lu shares decided by it, %lu NSEC counted near "
		"the message's end, %lu near ZT_FIX_MAX, %lu wrong\n",
		fl_zones, fl_floored, fl_partial, fl_decided, fl_tight[0], fl_tight[1], fl_bad);
	CU_ASSERT_EQUAL(fl_bad, 0);
	CU_ASSERT(fl_floored > 0);
}

/*
 * Zone ORIGIN (a signed apex, NSEC to "b"; "b" an A, its NSEC of NREC records and its RRSIGs,
 * NSIG of them, the last one's signature LAST octets) compiled with every blob kept.
 */
static zt_t *edge_zone(const char *origin, unsigned nrec, unsigned nsig, unsigned last)
{
	static const char sig[] = " RRSIG %s 13 %u 3600 20270101000000 20261201000000 %u %s ";
	struct text t = {malloc(4096), 0, 4096};
	unsigned labels = strcmp(origin, ".") == 0 ? 0 : 2;
	zload_zone_t *z;
	zt_t *zt;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t.p);
	put(&t, "$TTL 3600\n@ SOA ns.example.net. hm.example.net. 1 7200 3600 1209600 300\n");
	put(&t, sig, "SOA", labels, 1u, origin);
	put(&t, "AAEC\n NS ns.example.net.\n DNSKEY 257 3 13 AAEC\n");
	put(&t, sig, "NSEC", labels, 1u, origin);
	put(&t, "AAEC\n NSEC b NS SOA RRSIG NSEC DNSKEY\nb A 192.0.2.1\n");
	for (unsigned k = 0; k < nrec; k++)
		put(&t, " NSEC @ A RRSIG NSEC TYPE%u\n", 1000 + k);
	for (unsigned k = 0; k < nsig; k++) {
		unsigned len = k + 1 == nsig ? last : 3;

		put(&t, sig, "NSEC", labels + 1, 100 + k, origin);
		for (unsigned i = 0; i + 3 <= len; i += 3)
			put(&t, "AAEC");
		put(&t, "%s\n", len % 3 == 1 ? "AA==" : len % 3 == 2 ? "AAA=" : "");
	}
	z = zload_string(origin, t.p, "edge.zone", NULL, NULL, (char[256]){0}, 256);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	free(t.p);
	zt = fzone_compile(z, FL_ALL);
	zload_free(&z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(zt);
	return zt;
}

/* Whether "b"'s NXDOMAIN below the apex renders in T (its NSEC is the second). */
static bool edge_renders(zt_t *t)
{
	struct zt_build *b = calloc(1, sizeof(*b));
	uint16_t fix[ZT_FIX_MAX];
	struct denial_built d;
	bool ok;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ok = denial_render(t, 0, 1, t->zones[0].apex, 0, b->scratch, sizeof(b->scratch), fix,
			   ZT_FIX_MAX, &d);
	free(b);
	return ok;
}

/*
 * Where the floor's bounds are tight: in the root zone every owner is written whole and the
 * wildcard's cover is the apex's NSEC, so the floor counts "b" as long as its NXDOMAIN fits the
 * message but for an octet (its signature grown octet by octet past that); in floor.test. each
 * owner is a pointer that moves, so it counts "b" as long as the fix-ups fit ZT_FIX_MAX (its
 * records grown one by one past that). Each checked as above; the floor counts "b" at the last that
 * renders.
 */
static void test_edges(void)
{
	unsigned lo = 1000, hi = 17000, last_counted = 0, last;

	fl_bad = 0;
	/* The longest signature whose NXDOMAIN renders, by halves, then about it. */
	while (lo + 1 < hi) {
		unsigned mid = (lo + hi) / 2;
		zt_t *t = edge_zone(".", 1, 1, mid);

		*(edge_renders(t) ? &lo : &hi) = mid;
		zt_free(&t);
	}
	last = lo;
	for (unsigned len = last - 3; len <= last + 3; len++) {
		zt_t *t = edge_zone(".", 1, 1, len);
		unsigned counted = check(t, NULL, len, "root, signature");

		CU_ASSERT_EQUAL(edge_renders(t), len <= last);
		if (counted == 2)
			last_counted = len;
		zt_free(&t);
	}
	fprintf(stderr, "denialfloor: root: renders to a signature of %u, counted to %u\n", last,
		last_counted);
	/* One octet short: the RRSIG's owner is a pointer (2 octets), the name's 3 assumed. */
	CU_ASSERT_EQUAL(last_counted + 1, last);
	last = last_counted = 0;
	for (unsigned n = 2; n <= 130; n++) {
		zt_t *t = edge_zone("floor.test.", n / 2, n - n / 2, 3);
		bool renders = edge_renders(t);

		if (check(t, NULL, n, "floor.test., records") == 2)
			last_counted = n;
		if (renders)
			last = n;
		zt_free(&t);
	}
	fprintf(stderr, "denialfloor: floor.test.: renders to %u records, counted to %u\n", last,
		last_counted);
	CU_ASSERT_EQUAL(last_counted, last);
	CU_ASSERT(last > 2 && last < 130);
	CU_ASSERT_EQUAL(fl_bad, 0);
}

void reg_cutest_denialfloor(void)
{
	CU_pSuite s = CU_add_suite("denialfloor", NULL, NULL);

	CU_add_test(s, "hostile NSEC zones: the floor within the octets the blobs take",
		    test_hostile);
	CU_add_test(s, "the floor where its bounds are tight: the message's end, ZT_FIX_MAX",
		    test_edges);
}
