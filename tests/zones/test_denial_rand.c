/* SPDX-License-Identifier: BSD-3-Clause */
/* test_denial_rand.c: CUnit suite for denial answers made ahead, over zones made from a seed */
/*
 * Zones made from a seed (rand_zone.c: signed, NSEC or NSEC3, opt-out now and then) compiled
 * with the denial budget 0 (nothing made ahead: denial.c composes, or the live path renders),
 * the whole default one, and shares in between that keep some parts and not others (an NSEC
 * zone's blobs without the tables by the second octet; an NSEC3 zone's apex parts alone, some
 * of its wildcards' NODATA parts, the covers, every encloser's parts without the NXDOMAINs
 * joined ahead; one at random), and once more with every NODATA with DO kept in parts. Every
 * name of the zone, names below each (below wildcards, cuts, hashed owners), beside each, and
 * missing names at several depths are asked in several types, in random case, with DO mostly,
 * over TCP and over UDP at a few sizes: each denial with DO the live path's to the octet,
 * however it is made (tu_denial_check()); each answer the same octets from every compile; and
 * every answer of the compile with budget 0 the live path's, or without DO its very records
 * compressed otherwise (counted: a blob made relocatable compresses no further than its anchor).
 *
 * DENIAL_RAND_SEED (a number) picks the first seed, DENIAL_RAND_ZONES how many zones (seeds
 * one after the other), DENIAL_RAND_DUMP=1 prints differing denials in hex, both sides,
 * DENIAL_RAND_KEEP=DIR writes each zone's text (unsigned) to DIR/SEED.zone.
 * DENIAL_RAND_SEED=S DENIAL_RAND_ZONES=1 makes zone S again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <ldns/ldns.h>

#include "cutest.h"
#include "denial.h"
#include "rand_zone.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_build.h"
#include "zt_index.h"

#if defined(__SANITIZE_ADDRESS__)
#define DR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DR_ASAN 1
#endif
#endif
#ifndef DR_ASAN
#define DR_ASAN 0
#endif

/* Zone S compiled with the denial budget BUDGET, with SPLIT every NODATA with DO kept in parts
 * (zt_blobs_split_min 0: denial_nodata() joins them). */
static zt_t *compiled(zload_zone_t *s, size_t budget, bool split)
{
	size_t saved = zt_denial_budget, min = zt_blobs_split_min;
	char err[1024];
	zt_t *t;

	zt_denial_budget = budget;
	zt_blobs_split_min = split ? 0 : min;
	t = zt_new(&s, 1, NULL, err, sizeof(err));
	zt_denial_budget = saved;
	zt_blobs_split_min = min;
	if (t == NULL)
		fprintf(stderr, "denialrand: compiling: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

/*
 * The budgets zone T (compiled with the whole default one) is compiled with again, into OUT (up
 * to 8, the first 0, the second the default): for NSEC the blobs without the tables by the
 * second octet; for NSEC3 its apex's parts alone with its wildcards' NODATA parts, with some of
 * them, with the covers, every encloser's parts, with the covers; one at random.
 */
static unsigned budgets(const zt_t *t, uint64_t *rng, size_t *out)
{
	const zt_zone_t *z = &t->zones[0];
	size_t used = tu_denial_used(t, 0), cv = tu_covers_used(t, 0), ax = tu_ahead_used(t, 0);
	unsigned n = 0;

	out[n++] = 0;
	out[n++] = zt_denial_budget;
	if (z->nxb_idx != NULL && z->nxb_fast_len > DENIAL_NXB_FAST_LEN)
		out[n++] = used - (z->nxb_fast_len - DENIAL_NXB_FAST_LEN) * sizeof(uint32_t);
	if (z->n3nx != NULL) {
		const zt_blob_t *b = zt_blob(t, z->n3nx[1]);
		size_t apex =
		    zt_blob_size(b->len, b->nfix) + 3 * sizeof(uint32_t) + tu_wild_used(t, 0);

		out[n++] = apex;
		out[n++] = apex - tu_wild_used(t, 0) / 2;
		out[n++] = apex + cv;
		out[n++] = used - ax - cv;
		out[n++] = used - ax;
	}
	if (used > 0)
		out[n++] = (size_t)(rz_rnd(rng) % used);
	return n;
}

/* A zone's differences past which its other questions are not asked. */
#define DIFF_MAX 40

/* A budget so marked: the compile that keeps every NODATA with DO in parts. */
#define SPLIT_BUDGET ((size_t)1 << 62)

/* ---- the questions, asked of each compile ---- */

struct ask {
	uint8_t w[WIRE_NAME_MAX + 1];
	uint16_t qtype;
	uint16_t payload; /* over UDP with EDNS of this size, answered in place; 0: over TCP */
	bool dnssec;
};

struct asks {
	struct ask *a;
	unsigned n, cap;
	uint64_t *rng;
};

/* Name W asked in two types (of every kind a denial meets, one nobody has: 65400), with DO
 * mostly, in random case a third of the time, over TCP mostly, else over UDP with EDNS of one of
 * a few sizes (the denial answers that do not fit are truncated by the live path). */
static void ask_add(struct asks *q, const uint8_t *w)
{
	static const uint16_t types[] = {
	    T_A,     T_AAAA, T_MX,    T_TXT,	      T_NS,  T_DS,  T_SOA, T_RRSIG,	  T_NSEC,
	    T_NSEC3, T_ANY,  T_CNAME, 13 /* HINFO */, 65281, 65400, T_SRV, 257 /* CAA */, T_PTR};
	size_t len = wire_name_len(w);
	bool flip = rz_below(q->rng, 3) == 0;

	for (int k = 0; k < 2 && q->n < q->cap; k++) {
		struct ask *a = &q->a[q->n++];

		memcpy(a->w, w, len);
		for (size_t i = 0; flip && i < len; i++)
			if (((w[i] | 0x20) >= 'a' && (w[i] | 0x20) <= 'z') && rz_below(q->rng, 2))
				a->w[i] ^= 0x20; /* a length octet is never a letter here */
		a->qtype = types[rz_below(q->rng, sizeof(types) / sizeof(types[0]))];
		a->dnssec = rz_below(q->rng, 5) != 0;
		a->payload = rz_below(q->rng, 10) < 7
				 ? 0
				 : (uint16_t[]){512, 1232, 1400, 4096}[rz_below(q->rng, 4)];
	}
}

/* A random label then name W asked (when it fits). */
static void ask_below(struct asks *q, const uint8_t *w, unsigned labels)
{
	uint8_t name[WIRE_NAME_MAX + 1], lab[64];

	memcpy(name, w, wire_name_len(w));
	for (unsigned l = 0; l < labels; l++) {
		uint8_t next[WIRE_NAME_MAX + 1];

		rz_label(q->rng, lab, true);
		if (!rz_prepend(next, lab, name, WIRE_NAME_MAX))
			return;
		memcpy(name, next, wire_name_len(next));
	}
	ask_add(q, name);
}

/* Name W with its first label changed a little (one octet more, or its last one off by one,
 * or cut short): a name that sorts right beside it. */
static void ask_beside(struct asks *q, const uint8_t *w)
{
	uint8_t name[WIRE_NAME_MAX + 1];
	size_t len = wire_name_len(w);
	unsigned r = rz_below(q->rng, 3);

	if (w[0] == 0 || len + 1 > WIRE_NAME_MAX)
		return;
	if (r == 0) {
		name[0] = (uint8_t)(w[0] + (w[0] < 63));
		memcpy(name + 1, w + 1, w[0]);
		name[1 + w[0]] = (uint8_t)rz_below(q->rng, 3);
		memcpy(name + 1 + name[0], w + 1 + w[0], len - 1 - w[0]);
	} else {
		memcpy(name, w, len);
		if (r == 1 || w[0] == 1)
			name[w[0]] = (uint8_t)(name[w[0]] + (rz_below(q->rng, 2) ? 1 : 255));
		else {
			name[0] = (uint8_t)(w[0] - 1);
			memmove(name + w[0], w + 1 + w[0], len - 1 - w[0]);
		}
	}
	ask_add(q, name);
}

/*
 * The questions for zone T (compiled): every name of it (every owner, empty non-terminals,
 * glue, hashed owners), names below each (below wildcards, cuts, hashed owners), beside each,
 * and missing names at several depths below the apex; at most CAP, a share of each kind for a
 * large zone.
 */
static unsigned make_asks(const zt_t *t, struct asks *q)
{
	const zt_zone_t *z = &t->zones[0];
	const uint8_t *apex = zt_node_name(t, &t->nodes[z->apex]);
	unsigned every = 1 + (unsigned)((t->nnodes + z->nnsec3) * 9u / (q->cap + 1));

	q->n = 0;
	/* The hashed owners after the index's names (they are none of them): a question at or
	 * below one's label, the owners compress to it further. */
	for (uint32_t k = 0; k < t->nnodes + z->nnsec3; k++) {
		uint32_t i = k < t->nnodes ? k : z->nsec3[k - t->nnodes];
		const uint8_t *w = zt_node_name(t, &t->nodes[i]);

		if ((k < t->nnodes && (t->nodes[i].zone != 0 || (t->nodes[i].flags & ZN_SHADOW))) ||
		    (every > 1 && rz_below(q->rng, every) != 0))
			continue;
		ask_add(q, w);
		ask_below(q, w, 1);
		if (rz_below(q->rng, 4) == 0)
			ask_below(q, w, 2 + rz_below(q->rng, 2));
		if (i != z->apex)
			ask_beside(q, w);
	}
	for (unsigned k = 0, m = q->cap / 8; k < m && q->n + 2 <= q->cap; k++)
		ask_below(q, apex, 1 + rz_below(q->rng, 4));
	return q->n;
}

/* What the answers were, over a run. */
struct seen {
	unsigned asked, composed, blobs, joined, zones, nsec3, optout;
	unsigned compressed; /* answers compressed otherwise than the live path's (live_same()) */
};

/* The engine's answer to ASK from T (over TCP into OUT, or over UDP in place at OUT): its
 * length. */
static size_t answer_of(const zt_t *t, const struct ask *a, uint8_t *out, zt_answer_info_t *info)
{
	const zt_answer_ctx_t ctx = {.transport = a->payload ? ZT_UDP : ZT_TCP};
	size_t len = wire_name_len(a->w), head = WIRE_HDR_LEN + len + 4;
	uint8_t *q = out;

	if (a->payload == 0) {
		static uint8_t query[512];

		q = query;
	}
	memset(q, 0, WIRE_HDR_LEN);
	wire_put16(q, 0x5151);
	wire_put16(q + 4, 1);
	wire_put16(q + 10, 1);
	memcpy(q + WIRE_HDR_LEN, a->w, len);
	wire_put16(q + WIRE_HDR_LEN + len, a->qtype);
	wire_put16(q + WIRE_HDR_LEN + len + 2, C_IN);
	memcpy(q + head, "\0\0\51\377\377\0\0\200\0\0\0", 11);
	wire_put16(q + head + 3, a->payload ? a->payload : 65535);
	q[head + 7] = a->dnssec ? 0x80 : 0;
	if (a->payload != 0)
		return zt_answer_inplace(t, out, head + 11, 65536, &ctx, info);
	return zt_answer(t, q, head + 11, out, 65536, &ctx, info);
}

/* Message M (LEN octets) parsed: its rcode and flags, then its sections' records as text, one
 * a line (the OPT record left out); NULL when it does not parse. */
static char *records(const uint8_t *m, size_t len)
{
	ldns_pkt *p = NULL;
	char *out = NULL;
	size_t olen = 0;
	FILE *f;

	if (ldns_wire2pkt(&p, m, len) != LDNS_STATUS_OK)
		return NULL;
	f = open_memstream(&out, &olen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "rcode %d aa %d tc %d\n", ldns_pkt_get_rcode(p), ldns_pkt_aa(p), ldns_pkt_tc(p));
	ldns_rr_list_print(f, ldns_pkt_answer(p));
	fprintf(f, ";\n");
	ldns_rr_list_print(f, ldns_pkt_authority(p));
	fprintf(f, ";\n");
	ldns_rr_list_print(f, ldns_pkt_additional(p));
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	ldns_pkt_free(p);
	return out;
}

/*
 * The engine's answer to A from T (any answer: made ahead or not) against the live path's: the
 * same octets, or without DO the same records compressed otherwise (*COMPRESSED counts those: a
 * blob made relocatable below the apex or a wildcard's parent compresses the names in it no
 * further, where the live path compresses them to any tail of the question; both valid, RFC 1035
 * 4.1.4). With DO only a wildcard's own name asked may be compressed otherwise (its blobs are its
 * answers for the names it stands for). The records are compared without case: a name
 * compressed to the question takes the question's.
 */
static void live_same(const zt_t *t, const struct ask *a, const char *text, unsigned *compressed)
{
	static uint8_t ref[65536], ans[65536], msg[65536];
	static struct ask tcp;
	uint16_t counts[3], flags;
	zt_answer_info_t info;
	size_t len, head = WIRE_HDR_LEN + wire_name_len(a->w) + 4;
	size_t rlen = tu_live(t, a->w, a->qtype, a->dnssec, ref, counts, &flags);
	char *x, *y;

	tcp = *a;
	tcp.payload = 0; /* the live path's, never truncated */
	len = answer_of(t, &tcp, ans, &info);
	CU_ASSERT_FATAL(rlen >= head && len >= head + 11);
	if (len - 11 == rlen && memcmp(ans + head, ref + head, rlen - head) == 0 &&
	    wire_get16(ans + 6) == counts[0] && wire_get16(ans + 8) == counts[1] &&
	    wire_get16(ans + 10) == counts[2] + 1u &&
	    (wire_get16(ans + 2) & 0x060f) == (flags & 0x060f))
		return;
	/* The live tail after the engine's header and question, its counts and flags. */
	memcpy(msg, ans, head);
	wire_put16(msg + 2, (uint16_t)((wire_get16(ans + 2) & ~0x060f) | (flags & 0x060f)));
	wire_put16(msg + 6, counts[0]);
	wire_put16(msg + 8, counts[1]);
	wire_put16(msg + 10, counts[2]);
	memcpy(msg + head, ref + head, rlen - head);
	x = records(ans, len);
	y = records(msg, rlen);
	if (x != NULL && y != NULL && strcasecmp(x, y) == 0 &&
	    (!a->dnssec || (a->w[0] == 1 && a->w[1] == '*'))) {
		(*compressed)++;
	} else {
		tu_dn.ndiff++;
		CU_FAIL("the engine's answer is not the live one");
		fprintf(stderr, "engine's answer differs: %s type %u%s\n  engine:\n%s  live:\n%s",
			text, a->qtype, a->dnssec ? "" : " without DO", x ? x : "?\n",
			y ? y : "?\n");
	}
	free(x);
	free(y);
}

/*
 * Whether the engine said the same of two answers from two compiles of a zone: what an answer
 * is (for rate limiting) the same where it names an RRset (1 << 32 | its index: a denial, a
 * wildcard's answer, one rendered live), not where it names a blob (its offset + 1: blobs lie
 * elsewhere when NODATA is kept in parts).
 */
static bool same_info(const zt_answer_info_t *a, const zt_answer_info_t *b)
{
	zt_answer_info_t x = *a, y = *b;

	if (x.answer >> 32 == 0 && y.answer >> 32 == 0)
		x.answer = y.answer = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/*
 * Each question of Q asked of the compiles T[0..NT) (T[0] with budget 0, BUDGET[k] each's):
 * with DO, every denial answer the live path's, however it is made; with DO or without, each
 * answer (and what it is) the same octets as T[0]'s. SEED names the zone in messages. Past
 * DIFF_MAX differences the rest is not asked (a fault seen everywhere costs no hour).
 */
static void ask_all(zt_t *const *t, const size_t *budget, unsigned nt, const struct asks *q,
		    uint64_t seed, struct seen *sn)
{
	static uint8_t ref[65536], ans[65536];
	unsigned start = tu_dn.ndiff;

	for (unsigned i = 0; i < q->n; i++) {
		const struct ask *a = &q->a[i];
		char text[WIRE_NAME_MAX * 4 + 2];
		zt_answer_info_t ri, ai;
		size_t rlen = answer_of(t[0], a, ref, &ri);

		rz_name_text(a->w, text, false);
		if (tu_dn.ndiff - start >= DIFF_MAX) {
			fprintf(stderr, "denialrand: seed %llu: %u questions more not asked\n",
				(unsigned long long)seed, q->n - i);
			return;
		}
		for (unsigned k = 0; k < nt; k++) {
			size_t len;

			if (a->dnssec) {
				int r = tu_denial_check(t[k], text, a->qtype);

				sn->composed += (unsigned)(r & 1);
				sn->blobs += (unsigned)((r >> 1) & 1);
				sn->joined += (unsigned)(r >> 2);
			}
			if (k == 0)
				live_same(t[0], a, text, &sn->compressed);
			sn->asked++;
			if (k == 0)
				continue;
			len = answer_of(t[k], a, ans, &ai);
			if (len != rlen || memcmp(ans, ref, len) != 0 || !same_info(&ai, &ri)) {
				tu_dn.ndiff++;
				CU_FAIL("an answer differs with the budget");
				fprintf(stderr,
					"denialrand: seed %llu: %s type %u%s: budget %zu%s: %zu "
					"octets, "
					"budget 0: %zu\n",
					(unsigned long long)seed, text, a->qtype,
					a->dnssec ? "" : " without DO", budget[k] & ~SPLIT_BUDGET,
					budget[k] & SPLIT_BUDGET ? " (NODATA split)" : "", len,
					rlen);
			}
		}
	}
}

/* ---- the runs ---- */

static uint64_t base_seed(void)
{
	const char *s = getenv("DENIAL_RAND_SEED");

	return s != NULL && *s != '\0' ? strtoull(s, NULL, 0) : 20261207;
}

static unsigned zone_count(void)
{
	const char *s = getenv("DENIAL_RAND_ZONES");

	if (s != NULL && *s != '\0')
		return (unsigned)atoi(s);
	return DR_ASAN ? 12 : 50;
}

/* With DENIAL_RAND_KEEP=DIR, zone SEED's TEXT written to DIR/SEED.WHAT (to look at, to cut
 * down a difference found). */
static void keep_text(uint64_t seed, const char *what, const char *text)
{
	const char *dir = getenv("DENIAL_RAND_KEEP");
	char path[512];
	FILE *f;

	if (dir == NULL || *dir == '\0')
		return;
	snprintf(path, sizeof(path), "%s/%llu.%s", dir, (unsigned long long)seed, what);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	CU_ASSERT_EQUAL(fclose(f), 0);
}

/* Zone SEED made, signed, compiled with each budget and asked; the differences found. */
static unsigned run_zone(uint64_t seed, struct seen *sn)
{
	rand_zone_t *rz = rand_zone_make(seed);
	uint64_t rng = seed ^ 0x5eed5eed5eed5eedULL;
	struct asks q = {.cap = 12000, .rng = &rng};
	unsigned nt, before = tu_dn.ndiff;
	size_t budget[9];
	zt_t *t[9];

	keep_text(seed, "zone", rz->text);
	q.a = malloc(q.cap * sizeof(*q.a));
	CU_ASSERT_PTR_NOT_NULL_FATAL(q.a);
	t[1] = compiled(rz->zone, zt_denial_budget, false);
	nt = budgets(t[1], &rng, budget);
	t[0] = compiled(rz->zone, 0, false);
	for (unsigned k = 2; k < nt; k++)
		t[k] = compiled(rz->zone, budget[k], false);
	/* And one of them again, every NODATA with DO in parts (the last: SPLIT_BUDGET). */
	budget[nt] = budget[rz_below(&rng, nt)] | SPLIT_BUDGET;
	t[nt] = compiled(rz->zone, budget[nt] & ~SPLIT_BUDGET, true);
	nt++;
	/* Opt-out left the chain it meant to. */
	CU_ASSERT(!rz->optout || t[0]->zones[0].nnsec3 == rz->chain[0]);
	make_asks(t[0], &q);
	ask_all(t, budget, nt, &q, seed, sn);
	sn->zones++;
	sn->nsec3 += rz->p.nsec3;
	sn->optout += rz->optout && rz->chain[1] > 0;
	if (tu_dn.ndiff != before)
		fprintf(stderr,
			"denialrand: seed %llu (%u names, %s%s, algorithm %u): %u differences "
			"(DENIAL_RAND_SEED=%llu DENIAL_RAND_ZONES=1 makes it again)\n",
			(unsigned long long)seed, rz->names, rz->p.nsec3 ? "NSEC3" : "NSEC",
			rz->optout ? " opt-out" : "", rz->p.algorithm, tu_dn.ndiff - before,
			(unsigned long long)seed);
	for (unsigned k = 0; k < nt; k++)
		zt_free(&t[k]);
	rand_zone_free(&rz);
	free(q.a);
	return tu_dn.ndiff - before;
}

/*
 * Zones made from DENIAL_RAND_SEED on (DENIAL_RAND_ZONES of them): every denial answer the live
 * path's, every answer the same whatever the budget; the answers made ahead were used.
 */
static void test_random_zones(void)
{
	uint64_t seed = base_seed();
	unsigned n = zone_count(), bad = 0;
	struct seen sn = {0};

	tu_dn.dump = getenv("DENIAL_RAND_DUMP") != NULL;
	tu_dn.ndiff = 0;
	for (unsigned k = 0; k < n; k++)
		bad += run_zone(seed + k, &sn) != 0;
	tu_dn.dump = false;
	fprintf(stderr,
		"denialrand: %u zones from seed %llu (%u NSEC3, %u opt-out): %u answers compared, "
		"%u composed, %u blobs, %u joined, %u compressed otherwise; %u zones differ\n",
		sn.zones, (unsigned long long)seed, sn.nsec3, sn.optout, sn.asked, sn.composed,
		sn.blobs, sn.joined, sn.compressed, bad);
	CU_ASSERT_EQUAL(bad, 0);
	/* The default run meets each way a denial is made (a run of a few zones may not). */
	if (n >= 10) {
		CU_ASSERT(sn.blobs > 0 && sn.joined > 0 && sn.composed > sn.blobs);
		CU_ASSERT(sn.nsec3 > 0 && sn.nsec3 < sn.zones && sn.optout > 0);
	}
}

/*
 * NSEC zone T (compiled with its blobs): zt_denial_fits(), which a patch asks, against shares near
 * the octets its blobs take and far below (T the measure's count: the compile's without the
 * tables by the second octet): the floor counted without rendering (zt_denial_nsec_floor())
 * no more than what the measure renders, and the answer the measure's, 1 from that count on.
 * Whether the floor decided (it passed the share) is counted into *DECIDED.
 */
static void floor_zone(zt_t *t, unsigned *decided)
{
	const zt_zone_t *z = &t->zones[0];
	struct zt_build *b = calloc(1, sizeof(*b));
	size_t base, used, floor, share[6];

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->nxb_idx);
	b->zt = t;
	base = (z->nnsec + 1u + denial_nxb_fast_len(t, 0, false)) * sizeof(uint32_t);
	used = tu_denial_used(t, 0) -
	       (z->nxb_fast_len - denial_nxb_fast_len(t, 0, false)) * sizeof(uint32_t);
	floor = zt_denial_nsec_floor(b, 0, SIZE_MAX);
	CU_ASSERT(base + floor <= used);
	/* The count stops past ENOUGH, and only there. */
	CU_ASSERT(floor == 0 || zt_denial_nsec_floor(b, 0, floor / 2) > floor / 2);
	CU_ASSERT_EQUAL(zt_denial_nsec_floor(b, 0, floor), floor);
	share[0] = used;
	share[1] = used - 1;
	share[2] = used / 2;
	share[3] = used / 4;
	share[4] = base + floor;
	share[5] = base + floor - 1;
	for (unsigned k = 0; k < 6; k++) {
		int fits = zt_denial_fits(b, 0, share[k]);

		CU_ASSERT_EQUAL(fits, share[k] >= used);
		if (fits != (share[k] >= used))
			fprintf(stderr, "denialrand: floor %zu + %zu, share %zu of %zu: fits %d\n",
				base, floor, share[k], used, fits);
		*decided += share[k] < base + floor;
	}
	free(b);
}

/*
 * NSEC zone floor.test. of N names below the apex, signatures' octets made up (nothing checks
 * them here): delegations (NS only: their NSEC's names have the apex alone for closest
 * encloser, one blob an NSEC) or hosts (an A each: below the host too, two blobs).
 */
static zt_t *floor_zone_made(unsigned n, bool deleg)
{
	/* An RRSIG's data but the octets of its signature, then those octets. */
	static const char head[] = "13 2 3600 20270101000000 20261201000000 12345 floor.test.",
			  b64[] = "Zmxvb3IudGVzdC4gbWFkZSB1cCBzaWduYXR1cmUgb2N0ZXRzLCBub3RoaW5n"
				  "IHZhbGlkYXRlcyB0aGVtIGhlcmUu";
	size_t cap = 1024 + (size_t)n * 512, len = 0;
	char *text = malloc(cap), err[512], next[16];
	zload_zone_t *z;
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len += (size_t)snprintf(text + len, cap - len,
				"$TTL 3600\n@ SOA ns.example.net. hm 1 7200 3600 1209600 300\n"
				"@ RRSIG SOA %s %s\n@ NS ns.example.net.\n@ RRSIG NS %s %s\n"
				"@ DNSKEY 257 3 13 %s\n@ RRSIG DNSKEY %s %s\n"
				"@ NSEC n00000 NS SOA RRSIG NSEC DNSKEY\n@ RRSIG NSEC %s %s\n",
				head, b64, head, b64, b64, head, b64, head, b64);
	for (unsigned i = 0; i < n; i++) {
		if (i + 1 < n)
			snprintf(next, sizeof(next), "n%05u", i + 1);
		else
			snprintf(next, sizeof(next), "@");
		if (deleg)
			len += (size_t)snprintf(text + len, cap - len,
						"n%05u NS ns.example.net.\n NSEC %s NS RRSIG NSEC\n"
						" RRSIG NSEC %s %s\n",
						i, next, head, b64);
		else
			len += (size_t)snprintf(text + len, cap - len,
						"n%05u A 192.0.2.1\n RRSIG A %s %s\n"
						" NSEC %s A RRSIG NSEC\n RRSIG NSEC %s %s\n",
						i, head, b64, next, head, b64);
	}
	z = zload_string("floor.test.", text, "floor.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "denialrand: floor.test: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	free(text);
	t = compiled(z, zt_denial_budget, false);
	zload_free(&z);
	return t;
}

/*
 * NSEC zones from seeds: each decided by zt_denial_fits() as the measure decides, with the floor
 * and without; the floor decides the shares far past (a quarter of the octets) for most.
 */
static void test_floor(void)
{
	uint64_t seed = base_seed();
	unsigned n = zone_count(), zones = 0, decided = 0, apex_wild = 0;

	for (unsigned k = 0; k < n; k++) {
		rand_zone_t *rz = rand_zone_make(seed + k);
		zt_t *t;

		if (rz->p.nsec3) {
			rand_zone_free(&rz);
			continue;
		}
		t = compiled(rz->zone, zt_denial_budget, false);
		apex_wild += t->nodes[t->zones[0].apex].wildcard != ZT_NONE;
		floor_zone(t, &decided);
		zones++;
		zt_free(&t);
		rand_zone_free(&rz);
	}
	fprintf(stderr,
		"denialrand: %u NSEC zones (%u with an apex wildcard), %u shares decided "
		"by the floor\n",
		zones, apex_wild, decided);
	if (n >= 10)
		CU_ASSERT(decided >= zones - apex_wild);
}

/*
 * The floor near the octets: in a zone of delegations each NSEC renders its NXDOMAIN below the
 * apex alone (the blob the floor counts), in a zone of hosts one below the host too. Each
 * decided by zt_denial_fits() as the measure decides. In the zone of delegations the floor
 * falls short of the octets by what each blob holds besides the SOA's part and its NSEC's
 * records at their fewest (the wildcard's cover's records, the owners' other octets, the
 * pointers' fix-ups): a third of them at most.
 */
static void test_floor_near(void)
{
	for (int deleg = 1; deleg >= 0; deleg--) {
		zt_t *t = floor_zone_made(300, deleg);
		const zt_zone_t *z = &t->zones[0];
		struct zt_build *b = calloc(1, sizeof(*b));
		size_t base = (z->nnsec + 1u + denial_nxb_fast_len(t, 0, false)) * sizeof(uint32_t);
		size_t used =
		    tu_denial_used(t, 0) -
		    (z->nxb_fast_len - denial_nxb_fast_len(t, 0, false)) * sizeof(uint32_t);
		unsigned decided = 0;
		size_t floor;

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		b->zt = t;
		floor = zt_denial_nsec_floor(b, 0, SIZE_MAX);
		free(b);
		fprintf(stderr, "denialrand: %s: %u NSEC, %u blobs, %zu octets, floor %zu + %zu\n",
			deleg ? "delegations" : "hosts", z->nnsec, z->nxb_idx[z->nnsec], used, base,
			floor);
		CU_ASSERT_EQUAL(z->nxb_idx[z->nnsec], deleg ? z->nnsec : 2 * z->nnsec - 1);
		/* Two thirds of the octets at least where the blob the floor counts is all. */
		CU_ASSERT(!deleg || 3 * (base + floor) > 2 * used);
		floor_zone(t, &decided);
		CU_ASSERT(decided >= 2); /* a quarter of the octets, one octet short of the floor */
		zt_free(&t);
	}
}

/*
 * Found by the random zones (rand_zone.c makes them again: target_back()): a wildcard's CNAME
 * whose chain comes back to the wildcard. Without DO a name the wildcard stands for is answered
 * from the blobs made for the wildcard's own name "*.w", whose chain resolve.c stopped where it
 * came back to that name; for the names it stands for it goes on. *.a CNAME *.a, x.a asked: the
 * blob gave one CNAME where the live path, Knot 3.2 and NSD give two (*.a CNAME *.a too). And
 * the live path took a question's name that a wildcard stands for as the name a chain reaches
 * again: *.b CNAME t.b, t.b asked, it gave "t.b CNAME t.b" once where Knot and NSD (and the
 * blob) give it twice. Longer chains the same: through another name (c), a DNAME (e), another
 * wildcard (f and g, i and j), a name below one the wildcard stands for (n); and a name below the
 * DNAME (nx.d), whose chain the live path stopped where it came back to the DNAME (Knot and NSD
 * make x.d's CNAME and go on). Knot and NSD differ on the wildcard's own name asked (*.a: Knot
 * two CNAMEs, NSD one) and on x.d: the live path answers as NSD. With DO in a signed zone both are
 * answered live (denial.c composes no CNAME wildcard's answer); the zone here is not signed.
 */
static void test_known_wild_loop(void)
{
	static const char text[] =
	    "$ORIGIN lp.test.\n$TTL 300\n@ SOA ns1 h 1 7200 3600 1209600 300\n"
	    "@ NS ns1\nns1 A 192.0.2.1\n*.a CNAME *.a\n*.b CNAME t.b\n"
	    "*.c CNAME y.c\ny.c CNAME *.c\n*.e CNAME x.d\nd DNAME e\n"
	    "*.f CNAME z.g\n*.g CNAME w.f\n*.i CNAME *.j\n*.j CNAME *.i\n"
	    "*.n CNAME a.b.n\n*.o CNAME n.o\n*.h CNAME q.h\nq.h TXT \"q\"\n";
	/* Each name and the records of its TXT answer (as Knot and NSD; where they differ, NSD). */
	static const struct {
		const char *name;
		uint16_t an;
	} names[] = {
	    {"x.a.lp.test", 2}, {"t.b.lp.test", 2},   {"x.b.lp.test", 2}, {"x.c.lp.test", 3},
	    {"*.c.lp.test", 2}, {"y.c.lp.test", 2},   {"x.e.lp.test", 4}, {"x.d.lp.test", 3},
	    {"z.g.lp.test", 3}, {"w.f.lp.test", 3},   {"x.f.lp.test", 3}, {"x.i.lp.test", 3},
	    {"*.i.lp.test", 2}, {"a.b.n.lp.test", 2}, {"n.o.lp.test", 2}, {"*.a.lp.test", 1},
	    {"X.A.lp.test", 2}, {"x.h.lp.test", 2},   {"nx.d.lp.test", 5}};
	static const uint16_t types[] = {T_TXT, T_A, T_CNAME};
	static uint8_t ans[65536];
	char err[512];
	zload_zone_t *z = zload_string("lp.test.", text, "lp.zone", NULL, NULL, err, sizeof(err));
	unsigned compressed = 0;
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	t = compiled(z, zt_denial_budget, false);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
			struct ask a = {.qtype = types[k]};
			zt_answer_info_t info;

			tu_name_wire_esc(a.w, names[i].name);
			live_same(t, &a, names[i].name, &compressed);
			if (types[k] != T_TXT)
				continue;
			CU_ASSERT_FATAL(answer_of(t, &a, ans, &info) > WIRE_HDR_LEN);
			CU_ASSERT_EQUAL(wire_get16(ans + 6), names[i].an);
			if (wire_get16(ans + 6) != names[i].an)
				fprintf(stderr, "%s TXT: %u records, not %u\n", names[i].name,
					wire_get16(ans + 6), names[i].an);
		}
	}
	zt_free(&t);
	zload_free(&z);
}

void reg_cutest_denialrand(void)
{
	CU_pSuite s = CU_add_suite("denialrand", NULL, NULL);

	CU_add_test(s, "random signed zones: denial answers made ahead are the live ones",
		    test_random_zones);
	CU_add_test(s, "random NSEC zones: a patch's measure decided by the floor as by rendering",
		    test_floor);
	CU_add_test(s, "NSEC zones of delegations and of hosts: the floor near the octets",
		    test_floor_near);
	CU_add_test(s, "known: a wildcard's CNAME chain back to the wildcard, without DO",
		    test_known_wild_loop);
}
