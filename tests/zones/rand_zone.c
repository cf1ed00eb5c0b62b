/* SPDX-License-Identifier: BSD-3-Clause */
/* rand_zone.c: signed zones made at random from a seed (rand_zone.h) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <CUnit/CUnit.h>
#include <openssl/sha.h>

#include "b32hex.h"
#include "nsec3.h"
#include "rand_zone.h"
#include "tutil.h"
#include "wire.h"

#define NAMES_MAX 12000
#define HASH_SLOTS 32768 /* a power of two, well above NAMES_MAX */
/* Names of the zone stay this short: questions a few labels below them still fit. */
#define NAME_ROOM 200

enum kind { K_APEX, K_ENT, K_DATA, K_DELEG, K_GLUE, K_WILD, K_CNAME, K_DNAME };

struct gname {
	uint8_t w[WIRE_NAME_MAX + 1]; /* as written (its case kept) */
	uint8_t kind;		      /* enum kind */
	bool ds;		      /* a delegation's DS (a secure one) */
	int parent;		      /* index of the name one label up, -1 for the apex */
};

struct gen {
	uint64_t rng;
	FILE *f; /* the zone's text */
	char *text;
	size_t tlen;
	char origin[64]; /* with its final dot; "." for the root */
	struct gname *name;
	unsigned n;
	int slot[HASH_SLOTS]; /* 1 + index by the lower-case name's hash, 0: empty */
};

/* What the names of G below its apex end with, after their labels' dot: its origin (with its
 * final dot), or nothing for the root. */
static const char *sfx(const struct gen *g)
{
	return strcmp(g->origin, ".") == 0 ? "" : g->origin;
}

uint64_t rz_rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

unsigned rz_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rz_rnd(s) % n);
}

static unsigned name_hash(const uint8_t *w)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0, len = wire_name_len(w); i < len; i++)
		h = (h ^ wire_lower(w[i])) * 16777619u;
	return h & (HASH_SLOTS - 1);
}

/* The index of name W (any case) in G, or -1. */
static int name_find(const struct gen *g, const uint8_t *w)
{
	for (unsigned h = name_hash(w);; h = (h + 1) & (HASH_SLOTS - 1)) {
		int i = g->slot[h] - 1;

		if (i < 0)
			return -1;
		if (wire_name_eq(g->name[i].w, w))
			return i;
	}
}

/* Name W (new) of KIND below name PARENT added to G; its index. */
static int name_put(struct gen *g, const uint8_t *w, int kind, int parent)
{
	unsigned h = name_hash(w);

	while (g->slot[h] != 0)
		h = (h + 1) & (HASH_SLOTS - 1);
	memcpy(g->name[g->n].w, w, wire_name_len(w));
	g->name[g->n].kind = (uint8_t)kind;
	g->name[g->n].ds = false;
	g->name[g->n].parent = parent;
	g->slot[h] = (int)++g->n;
	return (int)g->n - 1;
}

void rz_name_text(const uint8_t *w, char *out, bool dot)
{
	size_t o = 0;

	for (; *w != 0; w += *w + 1) {
		for (unsigned k = 1; k <= *w; k++) {
			uint8_t c = w[k];

			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*')
				out[o++] = (char)c;
			else
				o += (size_t)sprintf(out + o, "\\%03u", c);
		}
		out[o++] = '.';
	}
	if (o == 0 || !dot)
		o -= o != 0;
	if (o == 0 && dot)
		out[o++] = '.';
	out[o] = '\0';
}

void rz_label(uint64_t *s, uint8_t *lab, bool long_ok)
{
	static const char *const soa_like[] = {"ns1",  "ns",  "hostmaster", "h",   "n",
					       "mail", "www", "ns0",	    "ns2", "hostmastes"};
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	unsigned len, kind = rz_below(s, 24);

	switch (kind) {
	case 0: /* \000 or \001, alone or first */
	case 1:
		lab[0] = (uint8_t)(1 + rz_below(s, 3));
		lab[1] = (uint8_t)rz_below(s, 2);
		for (unsigned k = 2; k <= lab[0]; k++)
			lab[k] = (uint8_t)(rz_below(s, 3) ? (unsigned)alnum[rz_below(s, 36)]
							  : rz_below(s, 2));
		return;
	case 2: /* as long as a hashed owner's label */
		lab[0] = NSEC3_LABEL_LEN;
		for (unsigned k = 1; k <= NSEC3_LABEL_LEN; k++)
			lab[k] =
			    (uint8_t) "0123456789abcdefghijklmnopqrstuvABCDEFGHIJ"[rz_below(s, 42)];
		return;
	case 3: /* high octets, a dot, a backslash */
		lab[0] = (uint8_t)(1 + rz_below(s, 5));
		for (unsigned k = 1; k <= lab[0]; k++) {
			unsigned c = rz_below(s, 6);

			lab[k] = (uint8_t)(c == 0   ? (unsigned)'.'
					   : c == 1 ? (unsigned)'\\'
					   : c < 4  ? 0x80 + rz_below(s, 128)
						    : (unsigned)alnum[rz_below(s, 26)]);
		}
		return;
	case 4:
	case 5: /* the SOA's names' labels, and names beginning as they do */
		len = (unsigned)snprintf((char *)lab + 1, 64, "%s", soa_like[rz_below(s, 10)]);
		if (rz_below(s, 2))
			lab[++len] = (uint8_t)alnum[rz_below(s, 37)];
		lab[0] = (uint8_t)len;
		return;
	case 6: /* the longest */
		if (long_ok) {
			lab[0] = 63;
			for (unsigned k = 1; k <= 63; k++)
				lab[k] = (uint8_t)alnum[rz_below(s, 37)];
			return;
		}
		break;
	default:
		break;
	}
	len = 1 + rz_below(s, kind < 12 ? 3 : 8);
	lab[0] = (uint8_t)len;
	for (unsigned k = 1; k <= len; k++) {
		char c = alnum[rz_below(s, kind < 12 ? 6 : 37)];

		lab[k] = (uint8_t)(kind == 7 && c >= 'a' && c <= 'z' ? c - 32 : c);
	}
}

bool rz_prepend(uint8_t *out, const uint8_t *lab, const uint8_t *w, size_t room)
{
	size_t wl = wire_name_len(w);

	if (1u + lab[0] + wl > room)
		return false;
	memcpy(out, lab, 1u + lab[0]);
	memcpy(out + 1 + lab[0], w, wl);
	return true;
}

/*
 * LABELS new labels below name PARENT (the last one FIRST when not NULL), each name on the way
 * an empty non-terminal unless it is one already; the last one of KIND. Its index, or -1 when
 * it is there already, too long, or the way crosses a cut or a DNAME.
 */
static int add_below(struct gen *g, int parent, unsigned labels, const uint8_t *first, int kind)
{
	uint8_t w[WIRE_NAME_MAX + 1], lab[64];
	int at = parent;

	memcpy(w, g->name[parent].w, wire_name_len(g->name[parent].w));
	for (unsigned l = 0; l < labels; l++) {
		uint8_t next[WIRE_NAME_MAX + 1];
		int i;

		if (l + 1 == labels && first != NULL)
			memcpy(lab, first, 1u + first[0]);
		else
			rz_label(&g->rng, lab, false);
		if (!rz_prepend(next, lab, w, NAME_ROOM) || g->n + 1 >= NAMES_MAX)
			return -1;
		memcpy(w, next, wire_name_len(next));
		i = name_find(g, w);
		if (l + 1 == labels)
			return i >= 0 ? -1 : name_put(g, w, kind, at);
		if (i >= 0 && (g->name[i].kind == K_DELEG || g->name[i].kind == K_GLUE ||
			       g->name[i].kind == K_DNAME))
			return -1;
		at = i >= 0 ? i : name_put(g, w, K_ENT, at);
	}
	return -1;
}

/* One record of name I: its owner, then FMT. */
static void rr(struct gen *g, int i, const char *fmt, ...)
{
	char owner[WIRE_NAME_MAX * 4 + 2];
	va_list ap;

	rz_name_text(g->name[i].w, owner, true);
	fprintf(g->f, "%s 300 IN ", owner);
	va_start(ap, fmt);
	vfprintf(g->f, fmt, ap);
	va_end(ap);
	fputc('\n', g->f);
}

/*
 * A target name for MX, SRV, CNAME, DNAME (in OUT, absolute): a name of the zone, one below a
 * name of it (missing, or a wildcard's), or out of the zone.
 */
static void target(struct gen *g, char *out)
{
	unsigned r = rz_below(&g->rng, 4);
	uint8_t w[WIRE_NAME_MAX + 1], lab[64];
	int i = (int)rz_below(&g->rng, g->n);

	rz_label(&g->rng, lab, false);
	if (r != 1 || !rz_prepend(w, lab, g->name[i].w, WIRE_NAME_MAX))
		memcpy(w, g->name[i].w, wire_name_len(g->name[i].w));
	if (r == 0)
		sprintf(out, "host%u.example.net.", rz_below(&g->rng, 5));
	else
		rz_name_text(w, out, true);
}

/*
 * A CNAME target for wildcard I (in OUT) that brings the chain back to it: its own name, or a
 * name below its parent that it stands for. The answers of such chains, made ahead for the
 * wildcard's own name, once stopped the chain where the live path goes on (resolve.c).
 */
static void target_back(struct gen *g, char *out, int i)
{
	uint8_t w[WIRE_NAME_MAX + 1], lab[64];

	rz_label(&g->rng, lab, false);
	if (rz_below(&g->rng, 2) == 0 ||
	    !rz_prepend(w, lab, g->name[g->name[i].parent].w, WIRE_NAME_MAX))
		memcpy(w, g->name[i].w, wire_name_len(g->name[i].w));
	rz_name_text(w, out, true);
}

/* Records of name I (not a cut): a few types, or each of them; a wildcard's now and then a
 * CNAME. */
static void data(struct gen *g, int i, bool wild)
{
	static const char fox[] =
	    "the quick brown fox jumps over the lazy dog, the quick brown fox "
	    "jumps over the lazy dog, the quick brown fox jumps over it";
	unsigned all = rz_below(&g->rng, 6) == 0, want = 1 + rz_below(&g->rng, 3);
	char t[WIRE_NAME_MAX * 4 + 2];

	if (rz_below(&g->rng, wild ? 7 : 100) == 0) {
		if (wild && rz_below(&g->rng, 2) == 0)
			target_back(g, t, i);
		else
			target(g, t);
		rr(g, i, "CNAME %s", t);
		return;
	}
	for (unsigned k = 0, n = 0; k < 9; k++) {
		unsigned v = rz_below(&g->rng, 250);

		if (!all && rz_below(&g->rng, 9) >= want + (k == 0) && !(n == 0 && k == 8))
			continue;
		n++;
		target(g, t);
		if (k == 0 && v % 3 == 0)
			rr(g, i, "A 192.0.2.%u", v + 2); /* two records */
		if (k == 0)
			rr(g, i, "A 192.0.2.%u", v + 1);
		else if (k == 1)
			rr(g, i, "AAAA 2001:db8::%x", v);
		else if (k == 2)
			rr(g, i, "TXT \"%.*s\"", (int)(1 + v / 2), fox);
		else if (k < 5)
			rr(g, i, k == 3 ? "MX %u %s" : "SRV 0 %u 443 %s", v % 50, t);
		else if (k < 8)
			rr(g, i,
			   (const char *const[]){"HINFO \"pc\" \"os%u\"", "CAA 0 issue \"ca%u.x\"",
						 "TYPE65281 \\# 1 %02x"}[k - 5],
			   v);
		else
			rr(g, i, "PTR %s", t);
	}
}

/* Name I made a cut: its NS (glue below it for the names there), a DS for half of them. */
static void delegation(struct gen *g, int i)
{
	unsigned ns = 1 + rz_below(&g->rng, 3);

	for (unsigned k = 0; k < ns; k++) {
		unsigned r = rz_below(&g->rng, 3);
		char t[WIRE_NAME_MAX * 4 + 2];
		uint8_t lab[8] = {3, 'n', 's', (uint8_t)('0' + k)};
		int glue;

		if (r == 0 || (glue = add_below(g, i, 1 + (r == 2), lab, K_GLUE)) < 0) {
			sprintf(t, "ns%u.example.org.", k);
			rr(g, i, "NS %s", t);
			continue;
		}
		for (int up = g->name[glue].parent; up != i; up = g->name[up].parent)
			g->name[up].kind = K_GLUE; /* below the cut: no empty non-terminal */
		rz_name_text(g->name[glue].w, t, true);
		rr(g, i, "NS %s", t);
		rr(g, glue, "A 192.0.2.%u", 1 + rz_below(&g->rng, 250));
		if (rz_below(&g->rng, 2))
			rr(g, glue, "AAAA 2001:db8::53:%x", k);
	}
	if (rz_below(&g->rng, 2)) {
		g->name[i].ds = true;
		rr(g, i, "DS %u 13 2 %016llx%016llx%016llx%016llx", rz_below(&g->rng, 65536),
		   (unsigned long long)rz_rnd(&g->rng), (unsigned long long)rz_rnd(&g->rng),
		   (unsigned long long)rz_rnd(&g->rng), (unsigned long long)rz_rnd(&g->rng));
	}
}

/* A name of G that names may go below (none at or below a cut or a DNAME; a wildcard's
 * rarely). */
static int parent_of(struct gen *g)
{
	for (int tries = 0; tries < 20; tries++) {
		int i = rz_below(&g->rng, 3) == 0 ? 0 : (int)rz_below(&g->rng, g->n);
		int k = g->name[i].kind;

		if (k != K_DELEG && k != K_GLUE && k != K_DNAME &&
		    (k != K_WILD || rz_below(&g->rng, 10) == 0))
			return i;
	}
	return 0;
}

/* Zone text of about COUNT names below origin G->origin, from G's seed; G->text. */
static void gen_zone(struct gen *g, unsigned count)
{
	static const uint8_t star[] = {1, '*'};
	uint8_t apex[WIRE_NAME_MAX + 1], w[WIRE_NAME_MAX + 1];
	char t[WIRE_NAME_MAX * 4 + 2];
	bool mname = rz_below(&g->rng, 3) != 0, rname = rz_below(&g->rng, 2) != 0;

	g->f = open_memstream(&g->text, &g->tlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->f);
	memset(g->slot, 0, sizeof(g->slot));
	g->n = 0;
	if (strcmp(g->origin, ".") == 0)
		apex[0] = 0;
	else
		tu_name_wire_esc(apex, g->origin);
	name_put(g, apex, K_APEX, -1);
	/* The SOA's names: in the zone (their labels compress questions further) or not. */
	fprintf(g->f, "$TTL 300\n%s 300 IN SOA %s%s %s%s 1 7200 3600 1209600 300\n", g->origin,
		mname ? "ns1." : "ns.example.net.", mname ? sfx(g) : "",
		rname ? "hostmaster." : "h.example.net.", rname ? sfx(g) : "");
	fprintf(g->f, "%s 300 IN NS ns1.%s\nns1.%s 300 IN A 192.0.2.53\n", g->origin, sfx(g),
		sfx(g));
	CU_ASSERT_FATAL(rz_prepend(w, (const uint8_t *)"\003ns1", apex, NAME_ROOM));
	name_put(g, w, K_DATA, 0);
	if (rz_below(&g->rng, 2)) {
		target(g, t);
		fprintf(g->f, "%s 300 IN MX 10 %s\n", g->origin, t);
	}
	if (rz_below(&g->rng, 4) == 0) {
		int wi = add_below(g, 0, 1, star, K_WILD);

		if (wi >= 0)
			data(g, wi, true);
	}
	/* Most tries add a name or more; a tree too crowded to grow stops in time. */
	for (unsigned tries = 0; g->n < count && g->n + 8 < NAMES_MAX && tries < 20 * count;
	     tries++) {
		unsigned r = rz_below(&g->rng, 100),
			 labels = 1 + (rz_below(&g->rng, 10) > 6) + (rz_below(&g->rng, 10) > 8);
		int p = parent_of(g), i;

		if (r < 8) {
			if ((i = add_below(g, p, labels, NULL, K_DELEG)) >= 0)
				delegation(g, i);
		} else if (r < 15) {
			if ((i = add_below(g, p, labels, star, K_WILD)) >= 0)
				data(g, i, true);
		} else if (r < 20) {
			if ((i = add_below(g, p, labels, NULL, K_CNAME)) >= 0) {
				target(g, t);
				rr(g, i, "CNAME %s", t);
			}
		} else if (r < 22) {
			/* A DNAME (now and then a wildcard's): nothing goes below it. */
			if ((i = add_below(g, p, labels, r == 21 ? star : NULL, K_DNAME)) >= 0) {
				target(g, t);
				rr(g, i, "DNAME %s", t);
				if (rz_below(&g->rng, 2))
					rr(g, i, "A 192.0.2.39");
			}
		} else if ((i = add_below(g, p, labels, NULL, K_DATA)) >= 0) {
			data(g, i, false);
		}
	}
	CU_ASSERT_EQUAL_FATAL(fclose(g->f), 0);
}

/* ---- signed, and edited into opt-out ---- */

static int cmp_label(const void *a, const void *b)
{
	return strncasecmp(a, b, NSEC3_LABEL_LEN);
}

/*
 * The hashed owner labels of G's names (SHA-1, no salt, no extra iteration, as sign_zone()
 * hashes them) that an opt-out chain keeps (KEPT) or leaves out (OUT), each sorted: it leaves out
 * the insecure cuts and the empty non-terminals above only them; none below a cut has one.
 * Children come after their parents. Their counts in N[2].
 */
static void chain_labels(const struct gen *g, char (*kept)[NSEC3_LABEL_LEN],
			 char (*out)[NSEC3_LABEL_LEN], unsigned n[2])
{
	bool *keep = calloc(g->n, sizeof(*keep));

	CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
	n[0] = n[1] = 0;
	for (unsigned i = g->n; i-- > 0;) {
		const struct gname *x = &g->name[i];
		uint8_t low[WIRE_NAME_MAX + 1], md[SHA_DIGEST_LENGTH];

		if (x->kind == K_GLUE)
			continue;
		keep[i] = keep[i] || (x->kind != K_ENT && (x->kind != K_DELEG || x->ds));
		if (keep[i] && x->parent >= 0)
			keep[x->parent] = true;
		SHA1(low, wire_name_lower(low, x->w), md);
		b32hex_sha1(md, (uint8_t *)(keep[i] ? kept[n[0]++] : out[n[1]++]));
	}
	qsort(kept, n[0], sizeof(*kept), cmp_label);
	qsort(out, n[1], sizeof(*out), cmp_label);
	free(keep);
}

/*
 * TEXT (zone G signed with NSEC3, one record a line) as opt-out leaves it: without the NSEC3 of
 * the insecure delegations and of the empty non-terminals above only them, and their RRSIGs;
 * the NSEC3 left each naming the next one left, their opt-out flag set (their RRSIGs are left
 * as they were: no answer checks them). Returns the new text (malloc'd); N[0] the owners kept,
 * N[1] those left out.
 */
static char *opt_out(const struct gen *g, const char *text, unsigned n[2])
{
	char(*kept)[NSEC3_LABEL_LEN] = malloc(g->n * sizeof(*kept)),
	(*out)[NSEC3_LABEL_LEN] = malloc(g->n * sizeof(*out));
	size_t ol = strlen(sfx(g)), rlen = 0;
	char *res = NULL;
	FILE *f = open_memstream(&res, &rlen);

	CU_ASSERT_FATAL(kept != NULL && out != NULL && f != NULL);
	chain_labels(g, kept, out, n);
	for (const char *l = text; *l != '\0'; l = strchr(l, '\n') + 1) {
		size_t len = (size_t)(strchr(l, '\n') - l);
		const char *n3 = memmem(l, len, "\tNSEC3\t", 7), *rest;
		bool hashed = l[NSEC3_LABEL_LEN] == '.' &&
			      strncasecmp(l + NSEC3_LABEL_LEN + 1, sfx(g), ol) == 0 &&
			      l[NSEC3_LABEL_LEN + 1 + ol] == '\t';
		char *at;
		unsigned alg, iter;
		int skip = 0;

		if (hashed && bsearch(l, out, n[1], sizeof(*out), cmp_label) != NULL)
			continue; /* its NSEC3 and their RRSIG */
		if (!hashed || n3 == NULL ||
		    sscanf(n3 + 7, "%u %*u %u %*s %n", &alg, &iter, &skip) != 2 || skip == 0) {
			fprintf(f, "%.*s\n", (int)len, l);
			continue;
		}
		at = bsearch(l, kept, n[0], sizeof(*kept), cmp_label);
		rest = n3 + 7 + skip + NSEC3_LABEL_LEN;
		CU_ASSERT_FATAL(at != NULL && rest <= l + len);
		/* Flags 1 (opt-out), the salt "-", the next owner, the types as they were. */
		fprintf(f, "%.*s%u 1 %u - %.32s%.*s\n", (int)(n3 + 7 - l), l, alg, iter,
			kept[((size_t)(at - kept[0]) / NSEC3_LABEL_LEN + 1) % n[0]],
			(int)(l + len - rest), rest);
	}
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	free(kept);
	free(out);
	return res;
}

/* Zone G's text signed as H says (its opt-out's chain counted there); its signed version. */
static zload_zone_t *signed_zone(struct gen *g, rand_zone_t *h)
{
	char dir[64], err[1024];
	zload_zone_t *z, *s;
	sign_keys_t *keys;
	time_t expires;

	z = zload_string(g->origin, g->text, "rand.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "denialrand: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	snprintf(dir, sizeof(dir), "/tmp/sandns-denialrand-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	keys = sign_keys_load(dir, g->origin, &h->p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	s = sign_zone(z, NULL, 0, 1, keys, &h->p, NULL, time(NULL), &expires, NULL, err,
		      sizeof(err));
	if (s == NULL)
		fprintf(stderr, "denialrand: signing: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
	zload_free(&z);
	if (h->optout) {
		char *text = NULL, *edited;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(zload_xfr_print(s, f), 0);
		CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
		zload_free(&s);
		edited = opt_out(g, text, h->chain);
		s = zload_string(g->origin, edited, "optout.zone", NULL, NULL, err, sizeof(err));
		if (s == NULL)
			fprintf(stderr, "denialrand: opt-out: %s\n", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		free(text);
		free(edited);
	}
	return s;
}

rand_zone_t *rand_zone_make(uint64_t seed)
{
	static const char *const origins[] = {"rand.test.", "Ex.Rand.TEST.", "d.c.b.a.rand.test.",
					      "test.", "."};
	struct gen *g = calloc(1, sizeof(*g));
	rand_zone_t *rz = calloc(1, sizeof(*rz));
	unsigned size;

	CU_ASSERT_FATAL(g != NULL && rz != NULL);
	g->name = malloc(NAMES_MAX * sizeof(*g->name));
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->name);
	g->rng = seed;
	/* Mostly small zones (many of them), some of hundreds of names, a few of thousands. */
	size = rz_below(&g->rng, 10);
	size = size < 4	  ? 3 + rz_below(&g->rng, 40)
	       : size < 8 ? 40 + rz_below(&g->rng, 300)
	       : size < 9 ? 300 + rz_below(&g->rng, 1200)
			  : 1500 + rz_below(&g->rng, 1500);
	snprintf(g->origin, sizeof(g->origin), "%s", origins[rz_below(&g->rng, 9) / 2]);
	rz->p = (sign_params_t){rz_below(&g->rng, 2) ? SIGN_ALG_ECDSAP256SHA256 : SIGN_ALG_ED25519,
				rz_below(&g->rng, 2) != 0,
				rz_below(&g->rng, 2) != 0,
				14 * 86400,
				7 * 86400,
				0};
	rz->optout = rz->p.nsec3 && rz_below(&g->rng, 5) < 2;
	gen_zone(g, size);
	memcpy(rz->origin, g->origin, sizeof(rz->origin));
	rz->zone = signed_zone(g, rz);
	rz->text = g->text;
	rz->names = g->n;
	free(g->name);
	free(g);
	return rz;
}

void rand_zone_free(rand_zone_t **rz)
{
	if (*rz == NULL)
		return;
	zload_free(&(*rz)->zone);
	free((*rz)->text);
	free(*rz);
	*rz = NULL;
}
