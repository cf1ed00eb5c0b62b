/* SPDX-License-Identifier: BSD-3-Clause */
/* test_denial.c: CUnit suite for denial answers with DO composed off the live path (denial.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "b32hex.h"
#include "cutest.h"
#include "denial.h"
#include "nsec3.h"
#include "sign.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_build.h"
#include "zt_index.h"

/* Names that sort around the wildcard's '*', escapes, the SOA's names, empty non-terminals. */
static const char zone_head[] =
    "$ORIGIN dn.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n@ NS ns2.other.test.\nns1 A 192.0.2.1\nhostmaster TXT \"rname\"\n"
    "www A 192.0.2.2\nwww AAAA 2001:db8::2\na.b.c A 192.0.2.3\n!bang A 192.0.2.4\n"
    "\\000zero A 192.0.2.5\n\\001one TXT \"one\"\nMiXeD A 192.0.2.6\n"
    "*.wild A 192.0.2.7\n*.wild TXT \"w\"\n*.wild MX 10 www\nx.wild TXT \"x\"\n"
    "*.deep.w2 AAAA 2001:db8::7\n!.w2 A 192.0.2.8\nsub NS ns.sub\nns.sub A 192.0.2.9\n"
    "mail MX 10 www\nmail MX 20 ns1\n";

/* The zone HEAD and its chain signed with NSEC3 or NSEC as sandnsd signs it, compiled. */
static zt_t *signed_zone_of(const char *head, bool nsec3)
{
	static const sign_params_t p0 = {13, true, false, 14 * 86400, 7 * 86400, 0};
	sign_params_t p = p0;
	char dir[64], err[1024];
	char *text = malloc(65536);
	size_t off;
	zload_zone_t *z, *s;
	sign_keys_t *keys;
	time_t expires;
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off = (size_t)snprintf(text, 65536, "%s", head);
	/* A chain of some hundred owners, two levels deep: the covering search's steps. */
	for (int i = 0; i < 150; i++)
		off += (size_t)snprintf(text + off, 65536 - off, "h%d.g%d A 192.0.2.%d\n", i * 7,
					i % 9, i % 250);
	p.nsec3 = nsec3;
	snprintf(dir, sizeof(dir), "/tmp/sandns-denial-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	keys = sign_keys_load(dir, "dn.test.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	z = zload_string("dn.test.", text, "dn.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s = sign_zone(z, NULL, 0, 1, keys, &p, NULL, time(NULL), &expires, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	t = zt_new(&s, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	zload_free(&s);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
	free(text);
	return t;
}

/* The zone (zone_head and its chain) signed with NSEC3 or NSEC, compiled. */
static zt_t *signed_zone(bool nsec3)
{
	return signed_zone_of(zone_head, nsec3);
}

/* Zone Z, just read (NULL: ERR says why), compiled alone; the test stops if either fails. */
static zt_t *compiled(zload_zone_t *z, const char *err)
{
	char why[1024];
	zt_t *t;

	if (z == NULL)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = zt_new(&z, 1, NULL, why, sizeof(why));
	if (t == NULL)
		fprintf(stderr, "%s\n", why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	zload_free(&z);
	return t;
}

/* The presigned peer zone ORIGIN (tests/data/peer/FILE: Knot's own signing), compiled. */
static zt_t *peer_zone(const char *origin, const char *file)
{
	char path[512], err[1024];
	zload_zone_t *z;

	snprintf(path, sizeof(path), "%s/peer/%s", SANDNS_TEST_DATA, file);
	z = zload_file(origin, path, NULL, NULL, err, sizeof(err));
	return compiled(z, err);
}

/* How many answers denial_n3.c joined in the last ask_all(). */
static unsigned joined;

/* Names that do not exist all over zone T, in several cases and types; *BLOBS: how many a blob
 * answered. Returns how many denial.c composed. */
static unsigned ask_all(const zt_t *t, unsigned *asked, unsigned *blobs)
{
	static const char *const under[] = {"dn.test",
					    "www.dn.test",
					    "b.c.dn.test",
					    "c.dn.test",
					    "a.b.c.dn.test",
					    "wild.dn.test",
					    "x.wild.dn.test",
					    "w2.dn.test",
					    "deep.w2.dn.test",
					    "g3.dn.test",
					    "h21.g3.dn.test",
					    "ns1.dn.test",
					    "hostmaster.dn.test",
					    "mixed.dn.test",
					    "sub.dn.test",
					    "long-label-here-for-a-larger-question.x.y.dn.test"};
	static const char *const labels[] = {"nx", "a", "0", "!", "zz", "H7", "Hostmaster", "ns1",
					     "www", "g4", "h999", "-x", "MiXeD", "x.y",
					     /* before every name below the apex: its NSEC covers */
					     "\\000", "\\001", "\\000\\000", "\\001x", "\\000zerO",
					     /* as owners begin (nxb_fast's second table) */
					     "m", "ma", "mb", "mail0", "h", "ho", "hp", "n", "ns",
					     "nt", "\\001o", "\\001p", "\\000y", "w", "wy"};
	static const uint16_t types[] = {T_A,	T_AAAA, T_TXT, T_MX,	T_NS,	T_NSEC,
					 T_SOA, T_DS,	T_ANY, T_RRSIG, T_CNAME};
	unsigned composed = 0;
	char name[512];

	*asked = *blobs = joined = 0;
	for (size_t u = 0; u < sizeof(under) / sizeof(under[0]); u++)
		for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++)
			for (size_t y = 0; y < sizeof(types) / sizeof(types[0]); y++) {
				int r;

				snprintf(name, sizeof(name), "%s.%s", labels[l], under[u]);
				r = tu_denial_check(t, name, types[y]);
				composed += (unsigned)(r & 1);
				*blobs += (unsigned)((r >> 1) & 1);
				joined += (unsigned)(r >> 2);
				(*asked)++;
			}
	return composed;
}

/* Names that do not exist all over the zone, in several cases and types: as the live path. */
static void compare_all(bool nsec3)
{
	zt_t *t = signed_zone(nsec3);
	unsigned asked, blobs, composed;

	tu_dn.wild_joined = tu_dn.wild_composed = tu_dn.wild_blobs = 0;
	composed = ask_all(t, &asked, &blobs);
	/* Most are composed (the rest: a wildcard's NODATA, its MX, ANY, RRSIG). */
	CU_ASSERT(composed > asked / 2);
	/* NSEC: the NXDOMAINs are blobs made at compile time; NSEC3: joined from parts made at
	 * compile time (NXDOMAIN, a wildcard's NODATA: both wildcards' made) or the wildcard's
	 * blob, with the next closer's NSEC3. */
	if (nsec3) {
		CU_ASSERT_EQUAL(blobs, 0);
		CU_ASSERT_PTR_NULL(t->zones[0].nxb_idx);
		CU_ASSERT_PTR_NOT_NULL(t->zones[0].n3nx);
		CU_ASSERT_EQUAL(t->zones[0].n3wn_count, 2);
		CU_ASSERT(joined > asked / 4);
		CU_ASSERT(tu_dn.wild_joined > 100);
		fprintf(stderr, "NSEC3: %u asked, %u composed, %u joined (%u wildcard NODATA)\n",
			asked, composed, joined, tu_dn.wild_joined);
	} else {
		CU_ASSERT(blobs > asked / 4);
		CU_ASSERT_PTR_NOT_NULL(t->zones[0].nxb_idx);
		/* A wildcard's NODATA: composed, and a blob made at compile time. */
		CU_ASSERT(tu_dn.wild_composed > 100);
		CU_ASSERT(tu_dn.wild_blobs > 100);
		fprintf(stderr,
			"NSEC: %u asked, %u composed, %u blobs (%u wildcard NODATA, %u blobs)\n",
			asked, composed, blobs, tu_dn.wild_composed, tu_dn.wild_blobs);
	}
	zt_free(&t);
}

static void test_nsec(void)
{
	compare_all(false);
}

static void test_nsec3(void)
{
	compare_all(true);
}

/*
 * Zones past the budget: an NSEC zone keeps no blob (each serves only what its NSEC covers), an
 * NSEC3 zone the apex's parts alone (they serve every name right below the apex): the same
 * answers, composed for the rest.
 */
static void test_budget(void)
{
	size_t saved = zt_denial_budget;
	zt_t *t, *u;
	unsigned asked, blobs, composed;
	const zt_zone_t *z;

	zt_denial_budget = 20000; /* the zone's would take some 200 KB */
	t = signed_zone(false);
	zt_denial_budget = 2000; /* an NSEC3 NXDOMAIN's parts take some 700 octets */
	u = signed_zone(true);
	zt_denial_budget = saved;
	CU_ASSERT_PTR_NULL(t->zones[0].nxb_idx);
	CU_ASSERT_PTR_NULL(t->zones[0].nxb);
	composed = ask_all(t, &asked, &blobs);
	CU_ASSERT_EQUAL(blobs, 0);
	CU_ASSERT(composed > asked / 2);
	zt_free(&t);
	z = &u->zones[0];
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->n3nx);
	CU_ASSERT_EQUAL(z->n3nx_count, 1);
	CU_ASSERT_EQUAL(z->n3nx[0], z->apex);
	CU_ASSERT(tu_denial_used(u, 0) <= 2000);
	composed = ask_all(u, &asked, &blobs);
	CU_ASSERT(joined > 0 && joined < composed);
	zt_free(&u);
}

/*
 * A zone whose share holds its blobs but not the tables by the second octet (4 KiB each, one for
 * each octet its owners' keys begin with) keeps the blobs with the table by the first octet
 * alone: the questions that begin as a key does are compared, the answers the same. One octet
 * less and it keeps none (all or nothing).
 */
static void test_budget_first_table(void)
{
	size_t saved = zt_denial_budget, both, one;
	unsigned asked, blobs, seen = 0;
	const zt_zone_t *z;
	zt_t *t;

	t = signed_zone(false);
	z = &t->zones[0];
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->nxb_idx);
	CU_ASSERT_FATAL(z->nxb_fast_len > DENIAL_NXB_FAST_LEN);
	both = tu_denial_used(t, 0);
	one = both - (z->nxb_fast_len - DENIAL_NXB_FAST_LEN) * sizeof(uint32_t);
	zt_free(&t);

	zt_denial_budget = one;
	t = signed_zone(false);
	zt_denial_budget = saved;
	z = &t->zones[0];
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->nxb_idx);
	CU_ASSERT_EQUAL(z->nxb_fast_len, DENIAL_NXB_FAST_LEN);
	CU_ASSERT_EQUAL(tu_denial_used(t, 0), one);
	for (unsigned c = 1; c < 256; c++) /* 0: no question's key begins with it */
		if (z->nxb_fast[4 * c] == UINT32_MAX) {
			CU_ASSERT_EQUAL(z->nxb_fast[4 * c + 1], UINT32_MAX);
			seen++;
		}
	CU_ASSERT(seen > 1);
	ask_all(t, &asked, &blobs); /* each answer checked against the live one */
	CU_ASSERT(blobs > asked / 4);
	zt_free(&t);

	zt_denial_budget = one - 1;
	t = signed_zone(false);
	zt_denial_budget = saved;
	CU_ASSERT_PTR_NULL(t->zones[0].nxb_idx);
	zt_free(&t);
}

/*
 * The budget is the snapshot's, shared fairly: two signed zones in one snapshot whose parts
 * and NXDOMAINs joined ahead would take more than it. The zone with fewer NSEC3 names is served
 * first, from half the budget: all it wants; the other has what is left, enough for its parts
 * but too little for its NXDOMAINs joined ahead: none of those (all or none). Then a budget
 * that leaves it too little for all its parts: its apex's and its wildcard's NODATA parts
 * alone. Together no more than the budget.
 */
static void test_budget_shared(void)
{
	static const char *const zones[][2] = {{"optout.test.", "optout.test.zone"},
					       {"nsec3.test.", "nsec3.test.zone"}};
	size_t saved = zt_denial_budget, alone[2], apex[2], ahead[2], extra[2], budget;
	uint32_t count[2];
	zload_zone_t *z[2];
	char path[512], err[1024];
	unsigned small, big;
	zt_t *t;

	for (int i = 0; i < 2; i++) {
		t = peer_zone(zones[i][0], zones[i][1]);
		alone[i] = tu_denial_used(t, 0);
		ahead[i] = tu_ahead_used(t, 0);
		extra[i] = ahead[i] + tu_covers_used(t, 0);
		CU_ASSERT(ahead[i] > 0 && extra[i] > ahead[i]);
		count[i] = t->zones[0].nnsec3;
		CU_ASSERT_FATAL(alone[i] > 0 && t->zones[0].n3nx_count > 1);
		apex[i] = zt_blob_size(zt_blob(t, t->zones[0].n3nx[1])->len,
				       zt_blob(t, t->zones[0].n3nx[1])->nfix) +
			  3 * sizeof(uint32_t) + tu_wild_used(t, 0);
		CU_ASSERT_EQUAL(t->zones[0].n3nx[0], t->zones[0].apex);
		/* optout.test has a wildcard: its NODATA parts are counted too. */
		CU_ASSERT(i != 0 || t->zones[0].n3wn_count > 0);
		zt_free(&t);
		snprintf(path, sizeof(path), "%s/peer/%s", SANDNS_TEST_DATA, zones[i][1]);
		z[i] = zload_file(zones[i][0], path, NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(z[i]);
	}
	small = count[0] <= count[1] ? 0 : 1; /* a tie: the first zone first */
	big = 1 - small;
	for (int round = 0; round < 2; round++) {
		/* Room for the big zone's parts, not its NXDOMAINs joined ahead; then less. */
		budget = round == 0 ? alone[small] + alone[big] - 1
				    : 2 * (alone[small] - extra[small]) + 100;
		CU_ASSERT_FATAL(budget / 2 >= alone[small] - (round ? extra[small] : 0));
		zt_denial_budget = budget;
		t = zt_new(z, 2, NULL, err, sizeof(err));
		zt_denial_budget = saved;
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		fprintf(stderr, "budget %zu: alone %zu and %zu, together %zu and %zu\n", budget,
			alone[0], alone[1], tu_denial_used(t, 0), tu_denial_used(t, 1));
		CU_ASSERT(tu_denial_used(t, 0) + tu_denial_used(t, 1) <= budget);
		CU_ASSERT_PTR_NULL(t->zones[big].n3ax);
		if (round == 0) {
			CU_ASSERT_EQUAL(tu_denial_used(t, small), alone[small]);
			CU_ASSERT_EQUAL(tu_denial_used(t, big), alone[big] - ahead[big]);
			CU_ASSERT_PTR_NOT_NULL(t->zones[big].n3cv);
			CU_ASSERT(t->zones[big].n3nx_count > 1);
		} else {
			CU_ASSERT_EQUAL(tu_denial_used(t, small), alone[small] - extra[small]);
			CU_ASSERT_PTR_NULL(t->zones[small].n3cv);
			/* The big zone's covers may fit what its apex's parts leave. */
			CU_ASSERT_EQUAL(tu_denial_used(t, big), apex[big] + tu_covers_used(t, big));
			CU_ASSERT_EQUAL(t->zones[big].n3nx_count, 1);
			CU_ASSERT_EQUAL(t->zones[big].n3nx[0], t->zones[big].apex);
		}
		zt_free(&t);
	}
	zload_free(&z[0]);
	zload_free(&z[1]);
}

/*
 * The comparison sees a wrong blob: one octet of every NXDOMAIN blob, then of every wildcard
 * answer's, changed (in its last record, a signature), then every blob's pointers left unmoved:
 * the answers differ from the live ones.
 */
static void test_wrong_blob(void)
{
	for (int wild = 0; wild < 3; wild++) {
		zt_t *t = signed_zone(false);
		zt_zone_t *z = &t->zones[0];
		unsigned asked, blobs, changed = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(z->nxb_idx);
		for (uint32_t k = 0; k < z->nxb_idx[z->nnsec]; k++) {
			zt_blob_t *b = (zt_blob_t *)(void *)(t->arena + z->nxb[4 * k + 2]);

			if (wild == 2) {
				b->nfix = 0; /* its pointers left where they were rendered */
				changed++;
				continue;
			}
			if ((t->nodes[z->nxb[4 * k]].wildcard != ZT_NONE) != (wild == 1))
				continue;
			((uint8_t *)(b + 1))[b->len - 1] ^= 0x55;
			changed++;
		}
		CU_ASSERT(changed > 0);
		tu_dn.ndiff = 0;
		tu_dn.quiet = true;
		ask_all(t, &asked, &blobs);
		tu_dn.quiet = false;
		CU_ASSERT(tu_dn.ndiff > 0);
		fprintf(stderr, "wrong %s blobs: %u answers differ\n",
			wild == 2 ? "fix-ups of the"
			: wild	  ? "wildcard"
				  : "NXDOMAIN",
			tu_dn.ndiff);
		zt_free(&t);
	}
}

/* Names that do not exist below every name of zone T (and below its hashed owners' labels): as
 * the live path, whichever way they are answered. How many were joined. */
static unsigned ask_names(const zt_t *t)
{
	static const char *const labels[] = {"nx", "a", "zz", "\\000", "x.y", "mm.nn.oo", "*x"};
	static const uint16_t types[] = {T_A, T_AAAA, T_TXT, T_MX, T_NS, T_DS, T_SOA};
	const zt_zone_t *z = &t->zones[0];
	unsigned n = 0;
	char under[WIRE_NAME_MAX * 4], name[WIRE_NAME_MAX * 5];

	for (uint32_t i = 0; i < t->nnodes + 2; i++) {
		const uint8_t *w;
		size_t o = 0;

		if (i < t->nnodes) {
			if (t->nodes[i].zone != 0 || (t->nodes[i].flags & ZN_SHADOW))
				continue;
			w = zt_node_name(t, &t->nodes[i]);
		} else {
			/* A question under a hashed owner's label (it is no name of the index):
			 * the owners compress to it further. */
			w = zt_node_name(t, &t->nodes[z->nsec3[i - t->nnodes]]);
		}
		for (; *w != 0; w += *w + 1) {
			for (unsigned k = 1; k <= *w; k++)
				o += (size_t)snprintf(under + o, sizeof(under) - o, "\\%03u", w[k]);
			under[o++] = '.';
		}
		under[o ? o - 1 : 0] = 0;
		for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++)
			for (size_t y = 0; y < sizeof(types) / sizeof(types[0]); y++) {
				snprintf(name, sizeof(name), "%s.%s", labels[l], under);
				n += (unsigned)(tu_denial_check(t, name, types[y]) >> 2);
			}
	}
	return n;
}

/*
 * NSEC3 zones signed by Knot: one with opt-out (insecure delegations and the empty non-terminals
 * above only them out of the chain: a closest provable encloser above the closest encloser),
 * one without, each with empty non-terminals and a wildcard: the joined answers are the live
 * ones, every name's NXDOMAIN parts made.
 */
static void test_peer(void)
{
	static const char *const zones[][2] = {{"optout.test.", "optout.test.zone"},
					       {"nsec3.test.", "nsec3.test.zone"}};

	for (size_t i = 0; i < 2; i++) {
		zt_t *t = peer_zone(zones[i][0], zones[i][1]);
		unsigned n;

		CU_ASSERT_FATAL(t->zones[0].has_nsec3 && t->zones[0].nnsec3 >= 2);
		CU_ASSERT_PTR_NOT_NULL(t->zones[0].n3nx);
		tu_dn.wild_joined = 0;
		n = ask_names(t);
		fprintf(stderr, "%s: %u joined (%u wildcard NODATA)\n", zones[i][0], n,
			tu_dn.wild_joined);
		CU_ASSERT(n > 100);
		/* optout.test has a wildcard: its NODATA joined too. */
		CU_ASSERT(t->zones[0].n3wn_count == 0 || tu_dn.wild_joined > 10);
		CU_ASSERT(i != 0 || tu_dn.wild_joined > 10);
		zt_free(&t);
	}
}

/*
 * The comparison sees wrong NSEC3 parts: one octet of each changed, or the place of the next
 * closer's signatures moved, or their pointers left unmoved: the joined answers differ. The
 * NXDOMAIN parts (n3nx) and then the wildcard NODATA parts (n3wn) alone, the others left right.
 */
static void test_wrong_parts(void)
{
	for (int how = 0; how < 6; how++) {
		zt_t *t = peer_zone("optout.test.", "optout.test.zone");
		zt_zone_t *z = &t->zones[0];
		uint32_t *tab = how < 3 ? z->n3nx : z->n3wn;
		uint32_t count = how < 3 ? z->n3nx_count : z->n3wn_count;

		CU_ASSERT_PTR_NOT_NULL_FATAL(tab);
		for (uint32_t k = 0; k < count; k++) {
			zt_blob_t *b = (zt_blob_t *)(void *)(t->arena + tab[3 * k + 1]);

			if (how % 3 == 0)
				((uint8_t *)(b + 1))[b->len - 1] ^= 0x55;
			else if (how % 3 == 1)
				tab[3 * k + 2] = b->part;
			else
				b->nfix = 0;
		}
		tu_dn.ndiff = 0;
		tu_dn.quiet = true;
		ask_names(t);
		tu_dn.quiet = false;
		CU_ASSERT(tu_dn.ndiff > 0);
		fprintf(stderr, "wrong NSEC3 %s parts (%d): %u answers differ\n",
			how < 3 ? "NXDOMAIN" : "wildcard NODATA", how % 3, tu_dn.ndiff);
		zt_free(&t);
	}
}

/*
 * The NXDOMAINs joined ahead per covering NSEC3 (n3ax) and the covers written ahead (n3cv) are
 * made for every owner (of the zone sandns signs and Knot's opt-out zone) and the comparison sees
 * them wrong: one octet of each changed, or their pointers left unmoved (the covers': unset):
 * the answers differ.
 */
static void test_wrong_ahead(void)
{
	for (int how = 0; how < 8; how++) {
		zt_t *t =
		    how % 4 < 2 ? peer_zone("optout.test.", "optout.test.zone") : signed_zone(true);
		zt_zone_t *z = &t->zones[0];
		uint32_t *tab = how < 4 ? z->n3ax : z->n3cv;
		unsigned made = 0, asked, blobs;

		CU_ASSERT_PTR_NOT_NULL_FATAL(tab);
		CU_ASSERT_EQUAL(z->n3nx[0], z->apex);
		for (uint32_t i = 0; i < z->nnsec3; i++) {
			zt_blob_t *b;

			if (tab[i] == ZT_NONE)
				continue;
			b = (zt_blob_t *)(void *)(t->arena + tab[i]);
			if (how % 2 == 0)
				((uint8_t *)(b + 1))[b->len - 1] ^= 0x55;
			else
				b->nfix = 0;
			made++;
		}
		CU_ASSERT(made == z->nnsec3);
		tu_dn.ndiff = 0;
		tu_dn.quiet = true;
		if (how % 4 < 2)
			ask_names(t);
		else
			ask_all(t, &asked, &blobs);
		tu_dn.quiet = false;
		CU_ASSERT(tu_dn.ndiff > 0);
		fprintf(stderr, "wrong NSEC3 %s (%s, %s): %u answers differ\n",
			how < 4 ? "NXDOMAINs joined ahead" : "covers written ahead",
			how % 4 < 2 ? "optout.test" : "signed here", how % 2 ? "fix-ups" : "octet",
			tu_dn.ndiff);
		zt_free(&t);
	}
}

/*
 * The NSEC3 owner matching or covering a hash, found through the buckets of the hashes' first bits
 * and the labels' prefixes, is the one a scan of every owner's label finds.
 */
static void test_nsec3_search(void)
{
	zt_t *t = signed_zone(true);
	const zt_zone_t *z = &t->zones[0];

	CU_ASSERT_FATAL(z->nnsec3 > 100);
	CU_ASSERT(z->n3bkt != NULL && z->n3bits >= 6);
	for (unsigned i = 0; i < 3000; i++) {
		uint8_t w[WIRE_NAME_MAX + 1], label[NSEC3_LABEL_LEN];
		char name[64];
		uint32_t best = ZT_NONE, cover = 0, match;

		snprintf(name, sizeof(name), "q%u.%s", i, i % 3 ? "dn.test" : "g1.dn.test");
		tu_name_wire_esc(w, name);
		if (i >= 2900) /* names of the zone: their own owner matches */
			memcpy(w, zt_node_name(t, &t->nodes[z->n3base + i % 50]),
			       t->nodes[z->n3base + i % 50].name_len);
		nsec3_hash_label(z, w, label);
		for (uint32_t k = 0; k < z->nnsec3; k++)
			if (memcmp(zt_node_name(t, &t->nodes[z->nsec3[k]]) + 1, label,
				   NSEC3_LABEL_LEN) <= 0)
				best = z->nsec3[k];
		if (best == ZT_NONE)
			best = z->nsec3[z->nnsec3 - 1];
		match = nsec3_lookup(t, z, w, &cover);
		if (memcmp(zt_node_name(t, &t->nodes[best]) + 1, label, NSEC3_LABEL_LEN) == 0) {
			CU_ASSERT_EQUAL(match, best);
			CU_ASSERT_EQUAL(cover, ZT_NONE);
		} else {
			CU_ASSERT_EQUAL(match, ZT_NONE);
			CU_ASSERT_EQUAL(cover, best);
		}
	}
	zt_free(&t);
}

/* The 20 octets of hashed owner label LABEL (base32hex, 32 digits). */
static void label_hash(const uint8_t *label, uint8_t md[NSEC3_HASH_LEN])
{
	uint32_t acc = 0;
	unsigned bits = 0, o = 0;

	for (unsigned i = 0; i < NSEC3_LABEL_LEN; i++) {
		acc = acc << 5 | (uint32_t)(label[i] <= '9' ? label[i] - '0' : label[i] - 'a' + 10);
		bits += 5;
		if (bits >= 8) {
			md[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
}

/*
 * Each owner's own hash matches it; a hash one above it (the same prefix, its first 8 digits, and
 * a greater label) is covered by it, one below by the owner before it: through the count over a
 * bucket's entries (n3maxb within its bound) and through the bisection (n3maxb past it).
 */
static void test_nsec3_ties(void)
{
	zt_t *t = signed_zone(true);
	zt_zone_t *z = &t->zones[0];
	uint8_t keep = z->n3maxb;

	CU_ASSERT_FATAL(z->nnsec3 > 100 && z->n3bkt != NULL);
	CU_ASSERT(keep > 0 && keep <= 16);
	for (int pass = 0; pass < 2; pass++) {
		z->n3maxb = pass ? 255 : keep;
		for (uint32_t k = 0; k < z->nnsec3; k++) {
			uint32_t own = z->nsec3[k], prev = z->nsec3[k ? k - 1 : z->nnsec3 - 1];
			uint8_t md[NSEC3_HASH_LEN];

			label_hash(zt_node_name(t, &t->nodes[own]) + 1, md);
			CU_ASSERT_EQUAL(nsec3_cover_md(t, z, md), ZT_NONE);
			if (md[19] < 0xff) {
				md[19]++;
				CU_ASSERT_EQUAL(nsec3_cover_md(t, z, md), own);
				md[19]--;
			}
			if (md[19] > 0) {
				md[19]--;
				CU_ASSERT_EQUAL(nsec3_cover_md(t, z, md), prev);
			}
		}
	}
	z->n3maxb = keep;
	zt_free(&t);
}

/* Base32hex digit V (0..31). */
static char b32digit(unsigned v)
{
	return "0123456789abcdefghijklmnopqrstuv"[v & 31];
}

/*
 * An NSEC3 zone of crafted owner labels compiled: CROWD owners in the first bucket (their
 * labels "00", then groups of three sharing their first 8 digits), 80 spread over the others.
 */
static zt_t *crowded_zone(unsigned crowd)
{
	size_t cap = 64 * 1024, off;
	char *text = malloc(cap), err[1024];
	zload_zone_t *z;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off = (size_t)snprintf(text, cap,
			       "$ORIGIN cr.test.\n$TTL 300\n@ SOA ns1 h 1 7200 3600 1209600 300\n"
			       "@ NS ns1\nns1 A 192.0.2.1\n@ NSEC3PARAM 1 0 0 -\n"
			       /* Signed (a key), its signatures not needed here. */
			       "@ DNSKEY 257 3 13 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
			       "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==\n");
	for (unsigned k = 0; k < crowd + 80; k++) {
		char l[NSEC3_LABEL_LEN + 1];

		if (k < crowd) {
			unsigned g = k / 3;

			memset(l, '0', NSEC3_LABEL_LEN);
			l[6] = b32digit(g >> 5);
			l[7] = b32digit(g);
			l[8] = b32digit(k % 3 * 7 + 1);
			l[31] = b32digit(k);
		} else {
			unsigned j = k - crowd;

			for (unsigned i = 0; i < NSEC3_LABEL_LEN; i++)
				l[i] = b32digit(j * 13 + i * 7);
			l[0] = b32digit(1 + j % 31);
			l[1] = b32digit(j / 31);
		}
		l[NSEC3_LABEL_LEN] = '\0';
		off += (size_t)snprintf(text + off, cap - off, "%s NSEC3 1 0 0 - %s A\n", l, l);
	}
	z = zload_string("cr.test.", text, "cr.zone", NULL, NULL, err, sizeof(err));
	free(text);
	return compiled(z, err);
}

/* The owner covering hash MD as a scan of every owner's label finds it; ZT_NONE: one matches. */
static uint32_t cover_scan(const zt_t *t, const zt_zone_t *z, const uint8_t md[NSEC3_HASH_LEN])
{
	uint8_t label[NSEC3_LABEL_LEN];
	uint32_t best = z->nsec3[z->nnsec3 - 1];

	b32hex_sha1(md, label);
	for (uint32_t k = 0; k < z->nnsec3; k++) {
		int c = memcmp(zt_node_name(t, &t->nodes[z->nsec3[k]]) + 1, label, NSEC3_LABEL_LEN);

		if (c == 0)
			return ZT_NONE;
		if (c < 0)
			best = z->nsec3[k];
	}
	return best;
}

/*
 * Crafted chains: a bucket of 16 owners (the count over the bucket), of 17 and of 40 (the
 * bisection), owners sharing their first 8 digits in threes. Each owner's hash, the hashes next
 * to it in its last octet and past its prefix, the lowest and highest hashes and hashes at
 * random: the cover a scan of every label finds.
 */
static void test_nsec3_crowded(void)
{
	static const unsigned crowds[] = {16, 17, 40};

	for (size_t c = 0; c < sizeof(crowds) / sizeof(crowds[0]); c++) {
		zt_t *t = crowded_zone(crowds[c]);
		const zt_zone_t *z = &t->zones[0];
		uint8_t md[NSEC3_HASH_LEN];
		uint32_t seed = 12345;

		CU_ASSERT_FATAL(z->has_nsec3 && z->nnsec3 == crowds[c] + 80);
		CU_ASSERT_FATAL(z->n3bkt != NULL);
		CU_ASSERT_EQUAL(z->n3maxb, crowds[c]);
		for (uint32_t k = 0; k < z->nnsec3; k++) {
			label_hash(zt_node_name(t, &t->nodes[z->nsec3[k]]) + 1, md);
			CU_ASSERT_EQUAL(nsec3_cover_md(t, z, md), ZT_NONE);
			for (unsigned at = 5; at < NSEC3_HASH_LEN; at += 14) {
				uint8_t m2[NSEC3_HASH_LEN];

				memcpy(m2, md, sizeof(m2));
				m2[at]++;
				CU_ASSERT_EQUAL(nsec3_cover_md(t, z, m2), cover_scan(t, z, m2));
				m2[at] -= 2;
				CU_ASSERT_EQUAL(nsec3_cover_md(t, z, m2), cover_scan(t, z, m2));
			}
		}
		for (int v = 0; v < 2; v++) {
			memset(md, v ? 0xff : 0, sizeof(md));
			CU_ASSERT_EQUAL(nsec3_cover_md(t, z, md), cover_scan(t, z, md));
		}
		for (unsigned i = 0; i < 5000; i++) {
			for (unsigned k = 0; k < NSEC3_HASH_LEN; k++) {
				seed = seed * 1103515245u + 12345u;
				md[k] = (uint8_t)(seed >> 16);
			}
			/* A third in the crowded bucket, some of them with a crowd's prefix. */
			if (i % 3 == 0) {
				md[0] = 0;
				md[1] &= 0x01;
				if (i % 2 == 0)
					md[2] = md[3] = 0;
			}
			CU_ASSERT_EQUAL(nsec3_cover_md(t, z, md), cover_scan(t, z, md));
		}
		zt_free(&t);
	}
}

/* The covering NSEC by canonical keys is the one canonical comparisons find. */
static void test_cover(void)
{
	zt_t *t = signed_zone(false);
	const zt_zone_t *z = &t->zones[0];
	static const char *const names[] = {"dn.test",		"!.dn.test",	"*.dn.test",
					    "\\000.dn.test",	"a.dn.test",	"ZZZ.dn.test",
					    "g3.dn.test",	"a.g3.dn.test", "h7.g0.dn.test",
					    "zz.h7.g0.dn.test", "c.dn.test",	"\\001one.dn.test"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t w[WIRE_NAME_MAX + 1];
		uint32_t best = ZT_NONE;

		tu_name_wire_esc(w, names[i]);
		for (uint32_t k = 0; k < z->nnsec; k++)
			if (wire_name_cmp_canonical(zt_node_name(t, &t->nodes[z->nsec[k]]), w) <= 0)
				best = z->nsec[k];
		if (best == ZT_NONE)
			best = z->nsec[z->nnsec - 1];
		CU_ASSERT_EQUAL(denial_nsec_cover(t, z, w), best);
	}
	zt_free(&t);
}

/* Whether a key of zone Z below its apex (an NSEC owner's, or an SOA name's label: LABS[0..1])
 * begins as the key of label LAB does: its first octet, and its second when TWO. */
static bool key_begins(const zt_t *t, const zt_zone_t *z, const uint8_t *const labs[2],
		       const uint8_t *lab, bool two)
{
	size_t apex_len = t->nodes[z->apex].name_len;

	for (int k = 0; k < 2; k++)
		if (labs[k][0] != 0 && denial_key_first(labs[k]) == denial_key_first(lab) &&
		    (!two || denial_key_second(labs[k]) == denial_key_second(lab)))
			return true;
	for (uint32_t k = 0; k < z->nnsec; k++) {
		const zt_node_t *n = &t->nodes[z->nsec[k]];
		const uint8_t *l = zt_node_name(t, n);
		uint8_t low[64] = {0};

		if (n->name_len == apex_len)
			continue;
		while (l + *l + 1 < zt_node_name(t, n) + n->name_len - apex_len)
			l += *l + 1;
		low[0] = *l;
		for (unsigned j = 1; j <= *l; j++)
			low[j] = wire_lower(l[j]);
		if (denial_key_first(low) == denial_key_first(lab) &&
		    (!two || denial_key_second(low) == denial_key_second(lab)))
			return true;
	}
	return false;
}

/*
 * The denial lines by the first two octets of a question's key (nxb_fast): for a question below
 * the apex whose label begins with any two octets (or is one octet), the lines of the NSEC that
 * covers it; none where an owner's label below the apex, or the SOA's MNAME's or RNAME's (ns1,
 * hostmaster), begins with both too (0 and 1 alike: both begin their key with 1, and go on with
 * 1 and 2); the table by the first octet alone where none begins with it. The zone without the
 * name hostmaster, so that only the SOA's RNAME has its label: the answers below it are still
 * the live ones.
 */
static void test_nxb_fast(void)
{
	char head[sizeof(zone_head)];
	const char *cut = strstr(zone_head, "hostmaster TXT");
	static const uint8_t ns1[] = {3, 'n', 's', '1'},
			     hm[] = {10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r'};
	const uint8_t *const labs[2] = {ns1, hm};
	zt_t *t;
	const zt_zone_t *z;
	size_t apex_len;
	unsigned asked, blobs, second = 0, compared = 0, nxs = 0, nx;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
	snprintf(head, sizeof(head), "%.*s%s", (int)(cut - zone_head), zone_head,
		 strchr(cut, '\n') + 1);
	t = signed_zone_of(head, false);
	z = &t->zones[0];
	apex_len = t->nodes[z->apex].name_len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z->nxb_fast);
	for (unsigned c = 0; c < 256; c++)
		for (unsigned d = 0; d < 257; d++) {
			/* D 256: a label of one octet */
			uint8_t w[WIRE_NAME_MAX + 1] = {d < 256 ? 3 : 1, (uint8_t)c, (uint8_t)d,
							'9'};
			const uint32_t *f = denial_fast_lines(z, w);
			uint32_t cover, i;

			if ((c >= 'A' && c <= 'Z') || (d >= 'A' && d <= 'Z'))
				continue; /* questions are looked up in lower case */
			memcpy(w + 1 + w[0], zt_node_name(t, &t->nodes[z->apex]), apex_len);
			if (key_begins(t, z, labs, w, false))
				CU_ASSERT_EQUAL(z->nxb_fast[4 * denial_key_first(w)], UINT32_MAX);
			second += c > 1 && key_begins(t, z, labs, w, false);
			if (key_begins(t, z, labs, w, true)) {
				CU_ASSERT_PTR_NULL(f);
				compared += c > 1;
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			cover = denial_nsec_cover(t, z, w);
			for (i = 0; i < z->nnsec && z->nsec[i] != cover; i++)
				;
			CU_ASSERT_FATAL(i < z->nnsec);
			CU_ASSERT_EQUAL(f[0], z->nxb_idx[i]);
			CU_ASSERT_EQUAL(f[1], z->nxb_idx[i + 1]);
			/* Its NXDOMAIN below the apex: the line for the apex and any type. */
			for (nx = f[0]; nx < f[1]; nx++)
				if (z->nxb[4 * nx] == z->apex && z->nxb[4 * nx + 1] == 0)
					break;
			CU_ASSERT_EQUAL(f[2], nx < f[1] ? z->nxb[4 * nx + 2] : ZT_NONE);
			CU_ASSERT(nx == f[1] || f[3] == z->nxb[4 * nx + 3]);
			nxs += nx < f[1];
		}
	CU_ASSERT(second > 0 && nxs > 0);
	/* Past the escaped octets (0 and 1: the second octet of their keys is the escape's),
	 * the keys are compared for few. */
	CU_ASSERT(compared > 0 && compared < second / 10);
	ask_all(t, &asked, &blobs);
	CU_ASSERT(blobs > asked / 4);
	zt_free(&t);
}

void reg_cutest_denial(void)
{
	CU_pSuite s = CU_add_suite("denial", NULL, NULL);

	CU_add_test(s, "NSEC: composed NXDOMAIN and wildcard answers are the live ones", test_nsec);
	CU_add_test(s, "NSEC3: composed NXDOMAIN and wildcard answers are the live ones",
		    test_nsec3);
	CU_add_test(s, "covering NSEC by canonical keys", test_cover);
	CU_add_test(s, "NSEC denial lines by the first two octets of the question's key",
		    test_nxb_fast);
	CU_add_test(s, "zones past the denial budget: NSEC3's apex alone, the same answers",
		    test_budget);
	CU_add_test(s, "a share without room for the tables by the second octet",
		    test_budget_first_table);
	CU_add_test(s, "the denial budget is the snapshot's, shared fairly", test_budget_shared);
	CU_add_test(s, "a wrong denial blob is seen", test_wrong_blob);
	CU_add_test(s, "NSEC3 with opt-out, signed by Knot: joined answers are the live ones",
		    test_peer);
	CU_add_test(s, "wrong NSEC3 parts are seen", test_wrong_parts);
	CU_add_test(s, "wrong NSEC3 NXDOMAINs joined ahead and covers written ahead are seen",
		    test_wrong_ahead);
	CU_add_test(s, "NSEC3 owners found by buckets and prefixes", test_nsec3_search);
	CU_add_test(s, "NSEC3 hashes that share an owner's prefix", test_nsec3_ties);
	CU_add_test(s, "NSEC3 chains with crowded buckets", test_nsec3_crowded);
}
