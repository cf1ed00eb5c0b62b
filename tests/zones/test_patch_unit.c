/* SPDX-License-Identifier: BSD-3-Clause */
/* test_patch_unit.c: zt_patch() against zt_new(), byte for byte, and what makes it fall back */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_pvt.h"
#include "zt.h"
#include "zt_order.h"
#include "zt_patch.h"
#include "zt_patch_pvt.h"
#include "zt_pvt.h"

#define MAXL 256

/* A zone as lines of text, edited line by line. */
struct ztext {
	char *l[MAXL];
	size_t n;
};

static const char *const base_lines[] = {
    "$TTL 3600",
    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300",
    "@ NS ns1",
    "@ NS ns2",
    "@ MX 10 mail",
    "@ MX 20 mail2",
    "@ A 192.0.2.1",
    "@ TXT \"apex\"",
    "ns1 A 192.0.2.53",
    "ns2 A 192.0.2.54",
    "ns2 AAAA 2001:db8::54",
    "mail A 192.0.2.25",
    "mail2 CNAME mail",
    "www CNAME web",
    "web CNAME host.a.b",
    "host.a.b A 192.0.2.80",
    "host.a.b AAAA 2001:db8::80",
    "_sip._tcp SRV 0 5 5060 sip",
    "_xmpp._tcp SRV 0 5 5222 xmpp",
    "sip A 192.0.2.90",
    "*.wild A 192.0.2.99",
    "*.wild MX 10 mail",
    "alias2 CNAME x.wild",
    "alias CNAME nothere",
    "alias3 CNAME y.q.r",
    "sub NS ns.sub",
    "sub NS ns1",
    "ns.sub A 192.0.2.200",
    "x.y.sub A 192.0.2.202",
    "txt TXT \"hello\" \"world\"",
    "deep.e.n.t A 192.0.2.7",
    "p A 192.0.2.11",
    "c.p A 192.0.2.12",
    "out CNAME www.example.net.",
    "t65 TYPE65 \\# 3 000100",
    "many A 192.0.2.101",
    "many A 192.0.2.102",
    "many A 192.0.2.103",
    "dname-not TXT \"x\"",
    "*.cw CNAME mail",
    "cw2 CNAME a.cw",
    "mx2 MX 5 a.cw",
    "mx2 MX 6 sip",
    "child NS ns1",
    "child DS 1 8 2 0000000000000000000000000000000000000000000000000000000000000000",
};

static const char *const other_lines[] = {
    "$TTL 300",
    "@ SOA ns hm 5 7200 3600 1209600 60",
    "@ NS ns",
    "ns A 198.51.100.1",
    "www A 198.51.100.80",
};

static const char *const child_lines[] = {
    "$TTL 300",		 "@ SOA ns hm 9 7200 3600 1209600 60", "@ NS ns", "ns A 198.51.100.9",
    "x A 198.51.100.10",
};

static void zt_init(struct ztext *t, const char *const *lines, size_t n)
{
	t->n = 0;
	for (size_t i = 0; i < n; i++)
		t->l[t->n++] = strdup(lines[i]);
}

static void zt_fini(struct ztext *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->l[i]);
	t->n = 0;
}

static void zt_copy(struct ztext *to, const struct ztext *from)
{
	to->n = 0;
	for (size_t i = 0; i < from->n; i++)
		to->l[to->n++] = strdup(from->l[i]);
}

/* Removes the line LINE (exactly); true if it was there. */
static bool zt_del(struct ztext *t, const char *line)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->l[i], line) == 0) {
			free(t->l[i]);
			t->l[i] = t->l[--t->n];
			return true;
		}
	return false;
}

static void zt_add(struct ztext *t, const char *line)
{
	if (t->n < MAXL)
		t->l[t->n++] = strdup(line);
}

/* The SOA line with serial SERIAL and minimum MIN. */
static void zt_soa(struct ztext *t, unsigned serial, unsigned min)
{
	char line[128];

	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->l[i], "@ SOA", 5) == 0) {
			free(t->l[i]);
			snprintf(line, sizeof(line), "@ SOA ns1 hostmaster %u 7200 3600 1209600 %u",
				 serial, min);
			t->l[i] = strdup(line);
		}
}

/* The random edits' zones may break the zone rules: they are then undone, unsaid. */
static bool load_quiet;

static zload_zone_t *zt_load(const struct ztext *t, const char *origin)
{
	size_t len = 1;
	char *text, err[512];
	zload_zone_t *z;

	for (size_t i = 0; i < t->n; i++)
		len += strlen(t->l[i]) + 1;
	text = calloc(1, len);
	for (size_t i = 0; i < t->n; i++) {
		strcat(text, t->l[i]);
		strcat(text, "\n");
	}
	z = zload_string(origin, text, "patch.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL && !load_quiet)
		fprintf(stderr, "zload: %s\n", err);
	free(text);
	return z;
}

/* ---- names of a zone, to ask about ---- */

struct names {
	uint8_t **w;
	size_t n, cap;
};

static void names_add(struct names *s, const uint8_t *name)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, name);

	for (size_t i = 0; i < s->n; i++)
		if (wire_name_eq(s->w[i], key))
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->w = realloc(s->w, s->cap * sizeof(*s->w));
	}
	s->w[s->n] = malloc(len);
	memcpy(s->w[s->n++], key, len);
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->w[i]);
	free(s->w);
	memset(s, 0, sizeof(*s));
}

/* Every owner of Z, its ancestors, a name below each and one beside it. */
static void names_of(struct names *s, const zload_zone_t *z)
{
	for (size_t i = 0; i < z->nrecs; i++) {
		const uint8_t *o = zload_rec_owner(z, i);
		uint8_t buf[WIRE_NAME_MAX + 1];
		size_t len = wire_name_len(o);

		for (const uint8_t *a = o; *a != 0; a += *a + 1)
			names_add(s, a);
		if (len + 3 <= WIRE_NAME_MAX) {
			buf[0] = 2;
			buf[1] = 'n';
			buf[2] = 'x';
			memcpy(buf + 3, o, len);
			names_add(s, buf);
		}
	}
}

/* The owners whose records differ between A and B (text compared by owner). */
static void changed_names(struct names *s, const zload_zone_t *a, const zload_zone_t *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const zload_zone_t *x = pass ? b : a, *y = pass ? a : b;

		for (size_t i = 0; i < x->nrecs; i++) {
			bool found = false;

			for (size_t j = 0; j < y->nrecs && !found; j++)
				found =
				    wire_name_eq(zload_rec_owner(x, i), zload_rec_owner(y, j)) &&
				    x->recs[i].type == y->recs[j].type &&
				    x->recs[i].ttl == y->recs[j].ttl &&
				    x->recs[i].rdlen == y->recs[j].rdlen &&
				    memcmp(zload_rec_rdata(x, i), zload_rec_rdata(y, j),
					   x->recs[i].rdlen) == 0;
			if (!found)
				names_add(s, zload_rec_owner(x, i));
		}
	}
}

/* ---- the comparison ---- */

static const uint16_t qtypes[] = {T_A,	 T_AAAA,  T_MX,	 T_SRV, T_NS, T_SOA,
				  T_TXT, T_CNAME, T_ANY, T_DS,	65,   T_PTR};

struct xfr_buf {
	uint8_t *d;
	size_t n;
};

static int xfr_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct xfr_buf *b = ctx;

	b->d = realloc(b->d, b->n + len);
	memcpy(b->d + b->n, msg, len);
	b->n += len;
	return 0;
}

static size_t ask(const zt_t *zt, const uint8_t *name, uint16_t qtype, int mode, uint8_t *resp)
{
	uint8_t q[600];
	size_t len = 12, nl = wire_name_len(name);
	zt_answer_ctx_t ctx = {.transport = mode == 2 ? ZT_TCP : ZT_UDP};
	zt_answer_info_t info;

	memset(q, 0, 12);
	q[0] = 0x12;
	q[1] = 0x34;
	q[5] = 1;
	memcpy(q + len, name, nl);
	len += nl;
	wire_put16(q + len, qtype);
	wire_put16(q + len + 2, C_IN);
	len += 4;
	if (mode == 1) {
		/* EDNS, 1232 octets */
		static const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};

		q[11] = 1;
		memcpy(q + len, opt, sizeof(opt));
		len += sizeof(opt);
	}
	return zt_answer(zt, q, len, resp, 65535, &ctx, &info);
}

static size_t mismatches;

/* A and B answer the same bytes for every name of NAMES, every type, three ways; AXFR too. */
static void same_answers(const zt_t *a, const zt_t *b, const struct names *s, const char *origin)
{
	static uint8_t ra[65535], rb[65535];
	uint8_t q[512];
	size_t qlen;
	struct xfr_buf xa = {0}, xb = {0};

	for (size_t i = 0; i < s->n; i++)
		for (size_t t = 0; t < sizeof(qtypes) / sizeof(qtypes[0]); t++)
			for (int mode = 0; mode < 3; mode++) {
				size_t la = ask(a, s->w[i], qtypes[t], mode, ra);
				size_t lb = ask(b, s->w[i], qtypes[t], mode, rb);

				if (la != lb || memcmp(ra, rb, la) != 0) {
					char text[1024];

					wire_name_to_text(s->w[i], text, sizeof(text));
					if (mismatches++ < 10)
						fprintf(stderr,
							"patch: %s type %u mode %d differs\n", text,
							qtypes[t], mode);
				}
			}
	qlen = tu_query(q, 0x5151, 0, origin, T_AXFR, C_IN);
	CU_ASSERT_EQUAL(zt_xfr_render(a, q, qlen, xfr_sink, &xa), 0);
	CU_ASSERT_EQUAL(zt_xfr_render(b, q, qlen, xfr_sink, &xb), 0);
	if (xa.n != xb.n || memcmp(xa.d, xb.d, xa.n) != 0) {
		if (mismatches++ < 10) {
			size_t d = 0;

			while (d < xa.n && d < xb.n && xa.d[d] == xb.d[d])
				d++;
			fprintf(stderr, "patch: AXFR of %s differs (%zu, %zu octets, at %zu)\n",
				origin, xa.n, xb.n, d);
		}
	}
	free(xa.d);
	free(xb.d);
}

/* The policy's edits of example.com (NULL: none), compiled with it and given to the patch. */
static const zload_edit_t *ed_on;
static size_t ned_on;
/* The patch is given none (BASE has them): it must fall back. */
static bool ed_patch_off;

static zt_zone_edits_t edits_of(zload_zone_t *com)
{
	return (zt_zone_edits_t){
	    .zone = com, .edits = ed_on, .nedits = ned_on, .serial = com->serial + 100};
}

/* The three zones, with example.com's text T. */
static zt_t *compile(zload_zone_t *com, zload_zone_t **others)
{
	zload_zone_t *all[3] = {others[0], com, others[1]};
	char err[512];
	zt_zone_edits_t e = edits_of(com);
	zt_opts_t o = {.edits = &e, .nedits = 1};
	zt_t *zt = zt_new(all, 3, ed_on != NULL ? &o : NULL, err, sizeof(err));

	if (zt == NULL)
		fprintf(stderr, "zt_new: %s\n", err);
	return zt;
}

static void others_load(zload_zone_t **o)
{
	struct ztext t;

	zt_init(&t, other_lines, sizeof(other_lines) / sizeof(other_lines[0]));
	o[0] = zt_load(&t, "example.net.");
	zt_fini(&t);
	zt_init(&t, child_lines, sizeof(child_lines) / sizeof(child_lines[0]));
	o[1] = zt_load(&t, "child.example.com.");
	zt_fini(&t);
}

/*
 * Patches BASE (made of OLD) into NEW's version: the answers must be NEW's compiled whole.
 * Returns the patched snapshot (NULL when it fell back, *RET saying how).
 */
static zt_t *patch_check(zt_t *base, zload_zone_t *old, zload_zone_t *new, zload_zone_t **others,
			 int *ret, char *err, size_t errlen)
{
	struct names ch = {0}, ask_names = {0};
	zt_patch_in_t in = {.zone = new, .serial = new->serial};
	zt_zone_edits_t e = edits_of(new);
	zt_t *p = NULL, *whole;

	if (ed_on != NULL && !ed_patch_off)
		in.edits = &e;
	changed_names(&ch, old, new);
	in.names = (const uint8_t *const *)ch.w;
	in.nnames = ch.n;
	*ret = zt_patch(base, &in, &p, err, errlen);
	if (*ret == 0) {
		const uint8_t *const *nm;
		size_t nn;

		whole = compile(new, others);
		CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
		names_of(&ask_names, old);
		names_of(&ask_names, new);
		names_of(&ask_names, others[0]);
		names_of(&ask_names, others[1]);
		for (size_t i = 0; i < ned_on; i++) {
			uint8_t w[WIRE_NAME_MAX + 1], x[WIRE_NAME_MAX + 3] = {1, 'x'};

			tu_name_wire(w, ed_on[i].owner);
			names_add(&ask_names, w);
			memcpy(x + 2, w, wire_name_len(w));
			names_add(&ask_names, x);
		}
		size_t before = mismatches;

		same_answers(whole, p, &ask_names, "example.com");
		for (size_t i = 0; mismatches > before && i < ch.n; i++) {
			char text[1024];

			wire_name_to_text(ch.w[i], text, sizeof(text));
			fprintf(stderr, "  changed: %s\n", text);
		}
		uint32_t zc = 0;

		while (zc < zt_zone_count(p) && strcmp(zt_zone_origin(p, zc), "example.com.") != 0)
			zc++;
		CU_ASSERT_TRUE(zt_patch_names(p, zc, base, &nm, &nn));
		CU_ASSERT_EQUAL(nn, ch.n);
		CU_ASSERT_FALSE(zt_patch_names(p, zc == 0 ? 1 : 0, base, &nm, &nn));
		CU_ASSERT_FALSE(zt_patch_names(p, zc, p, &nm, &nn));
		CU_ASSERT_TRUE(zt_memsize(p) < zt_memsize(whole) + 4096 ||
			       zt_memsize(whole) < 65536);
		zt_free(&whole);
	}
	names_free(&ch);
	names_free(&ask_names);
	return p;
}

/* A line of base_lines left out of the base zone (and so of both versions), or NULL. */
static const char *base_drop;
/* Lines added to the base zone (and so to both versions), or NULL. */
static const char *const *base_more;

/* One change of the base zone: patched, compared; EXPECT_FULL: it must fall back. */
static void one_change(const char *const *del, const char *const *add, bool soa, bool expect_full)
{
	struct ztext t0, t1;
	zload_zone_t *others[2], *z0, *z1;
	zt_t *base, *p;
	char err[512] = "";
	int ret;

	others_load(others);
	zt_init(&t0, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	if (base_drop != NULL)
		CU_ASSERT_TRUE(zt_del(&t0, base_drop));
	for (size_t i = 0; base_more != NULL && base_more[i] != NULL; i++)
		zt_add(&t0, base_more[i]);
	zt_copy(&t1, &t0);
	for (size_t i = 0; del != NULL && del[i] != NULL; i++)
		CU_ASSERT_TRUE(zt_del(&t1, del[i]));
	for (size_t i = 0; add != NULL && add[i] != NULL; i++)
		zt_add(&t1, add[i]);
	if (soa)
		zt_soa(&t1, 2, 600);
	z0 = zt_load(&t0, "example.com.");
	z1 = zt_load(&t1, "example.com.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	base = compile(z0, others);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	mismatches = 0;
	p = patch_check(base, z0, z1, others, &ret, err, sizeof(err));
	if (expect_full) {
		CU_ASSERT_EQUAL(ret, ZT_PATCH_FULL);
		CU_ASSERT_TRUE(err[0] != '\0');
	} else {
		if (ret != 0)
			fprintf(stderr, "patch fell back: %s\n", err);
		CU_ASSERT_EQUAL(ret, 0);
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	zt_free(&base);
	zt_free(&p);
	zload_free(&z0);
	zload_free(&z1);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&t0);
	zt_fini(&t1);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_additional_target(void)
{
	one_change(L("mail A 192.0.2.25"), L("mail A 192.0.2.26", "mail AAAA 2001:db8::25"), true,
		   false);
	one_change(L("ns2 A 192.0.2.54"), L("ns2 A 192.0.2.154"), true, false);
	/* ns1 is an NS target of the delegation sub too: its referral and its glue's */
	one_change(L("ns1 A 192.0.2.53"), L("ns1 A 192.0.2.153"), true, false);
	one_change(L("ns1 A 192.0.2.53"), L("ns1 AAAA 2001:db8::53"), false, false);
	one_change(NULL, L("deeper.ns.sub A 192.0.2.201", "ns1 TXT \"x\""), false, true);
	one_change(L("sip A 192.0.2.90"), NULL, true, false);
	/* The SOA as it was: alias2's chain ends at *.wild, whose MX's target moves. */
	one_change(L("mail A 192.0.2.25"), L("mail AAAA 2001:db8::25"), false, false);
	one_change(NULL, L("xmpp AAAA 2001:db8::52"), true, false);
}

static void test_cname_chains(void)
{
	one_change(L("host.a.b A 192.0.2.80"), L("host.a.b A 192.0.2.81"), true, false);
	one_change(NULL, L("nothere A 192.0.2.5"), true, false);
	one_change(NULL, L("x.wild TXT \"exact\""), true, false);
	one_change(NULL, L("y.q.r MX 5 mail"), true, false);
	one_change(L("web CNAME host.a.b"), L("web CNAME mail"), true, false);
	one_change(L("mail A 192.0.2.25"), L("mail CNAME txt"), true, false);
	one_change(NULL, L("a.cw A 192.0.2.55"), true, false); /* below a CNAME wildcard */
	one_change(NULL, L("mail TXT \"m\""), false, false);   /* *.cw's chain */
}

static void test_names_added_removed(void)
{
	one_change(NULL, L("new A 192.0.2.40"), true, false);
	one_change(NULL, L("x.y.z A 192.0.2.41", "z AAAA 2001:db8::41"), true, false);
	one_change(NULL, L("new.a.b A 192.0.2.42"), true, false);
	one_change(L("txt TXT \"hello\" \"world\""), NULL, true, false);
	one_change(L("p A 192.0.2.11"), NULL, true, false);	    /* becomes empty */
	one_change(L("c.p A 192.0.2.12"), NULL, true, false);	    /* p keeps its A */
	one_change(L("deep.e.n.t A 192.0.2.7"), NULL, true, false); /* e.n.t and n.t go */
	one_change(L("deep.e.n.t A 192.0.2.7"), L("x.deep.e.n.t A 192.0.2.8"), true, false);
	one_change(L("p A 192.0.2.11", "c.p A 192.0.2.12"), NULL, true, false);
	one_change(L("host.a.b A 192.0.2.80", "host.a.b AAAA 2001:db8::80"), NULL, true, false);
	one_change(L("many A 192.0.2.102"), L("many A 192.0.2.1"), false, false); /* no SOA */
	one_change(NULL, L("t65 TYPE65 \\# 3 000200", "t65 TXT x"), true, false);
	one_change(NULL, NULL, true, false); /* the SOA alone */
	/* The parent side of child.example.com without DS: its DS NODATA holds the SOA. */
	base_drop =
	    "child DS 1 8 2 0000000000000000000000000000000000000000000000000000000000000000";
	one_change(NULL, NULL, true, false);
	one_change(NULL, L("new A 192.0.2.40"), true, false);
	base_drop = NULL;
	one_change(L("@ MX 20 mail2", "@ TXT \"apex\""), L("@ MX 30 sip"), true, false);
}

static void test_fallbacks(void)
{
	one_change(NULL, L("newsub NS ns1"), true, true); /* a delegation */
	one_change(NULL,
		   L("sub DS 1 8 2 "
		     "0000000000000000000000000000000000000000000000000000000000000000"),
		   true, true);
	one_change(NULL, L("dn DNAME example.net."), true, true);
	one_change(L("*.wild A 192.0.2.99"), L("*.wild A 192.0.2.98"), true, true);
	one_change(NULL, L("www.*.q A 192.0.2.1"), true, true); /* makes the empty "*.q" */
	one_change(L("ns.sub A 192.0.2.200"), L("ns.sub A 192.0.2.201"), true, true); /* glue */
	one_change(NULL, L("x.child A 192.0.2.1"), true, true); /* another zone's */

	one_change(NULL, L("key DNSKEY 256 3 8 AwEAAQ=="), true, true);
}

/* The autodiscover policy's kind of edits: a type withheld, an SRV put in, names kept empty. */
static const zload_edit_t ad_edits[] = {
    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "autodiscover.example.com.", .type = T_A},
    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "_autodiscover._tcp.example.com.", .type = T_SRV},
    {.op = ZLOAD_EDIT_ADD,
     .owner = "_autodiscover._tcp.example.com.",
     .type = T_SRV,
     .ttl = 600,
     .rdata = "0 0 443 mail.example.com."},
    {.op = ZLOAD_EDIT_ADD,
     .owner = "autodiscover.example.com.",
     .type = T_TXT,
     .ttl = 60,
     .rdata = "\"added\""},
    {.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "e.wild.example.com."},
    {.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "empty.example.com."},
};

/*
 * A chain into the child served here, an MX there: their answers hold the parent side's glue
 * (zt_sides.c) and the parent's other NS target, ns1, whose change is patched; a new chain is
 * patched too; the glue itself, below the child's apex, is compiled whole.
 */
static void test_child_glue(void)
{
	base_more = L("tochild CNAME x.child", "child NS ns.child", "ns.child A 192.0.2.9",
		      "tosub CNAME x.sub", "mxc MX 10 ns.child");
	one_change(L("ns1 A 192.0.2.53"), L("ns1 A 192.0.2.63"), true, false);
	one_change(L("ns1 A 192.0.2.53"), L("ns1 A 192.0.2.63"), false, false);
	one_change(NULL, L("tochild2 CNAME y.child"), true, false);
	one_change(L("ns.child A 192.0.2.9"), L("ns.child A 192.0.2.19"), true, true);
	base_more = NULL;
}

static void test_edits(void)
{
	ed_on = ad_edits;
	ned_on = sizeof(ad_edits) / sizeof(ad_edits[0]);
	base_more = L("autodiscover A 192.0.2.70", "autodiscover TXT \"ad\"",
		      "_autodiscover._tcp SRV 0 0 443 old", "e.wild TXT \"e\"", "empty TXT \"e\"");
	/* The withheld A changes: nothing served does, but it is patched all the same. */
	one_change(L("autodiscover A 192.0.2.70"), L("autodiscover A 192.0.2.71"), true, false);
	/* Beside the added TXT (the zone's first: its TTL), an AAAA. */
	one_change(L("autodiscover TXT \"ad\""), L("autodiscover AAAA 2001:db8::70"), true, false);
	one_change(L("autodiscover TXT \"ad\"", "autodiscover A 192.0.2.70"), NULL, true, false);
	/* The added SRV's target moves: the SRV's additional section. */
	one_change(L("mail A 192.0.2.25"), L("mail A 192.0.2.26"), true, false);
	one_change(L("mail A 192.0.2.25"), L("mail AAAA 2001:db8::25"), false, false);
	/* The zone's own SRV there is withheld, its TXT is not. */
	one_change(L("_autodiscover._tcp SRV 0 0 443 old"),
		   L("_autodiscover._tcp SRV 0 0 443 sip", "_autodiscover._tcp TXT \"t\""), true,
		   false);
	/* A name kept empty loses its records: NODATA, and no wildcard answers for it. */
	one_change(L("e.wild TXT \"e\""), NULL, true, false);
	one_change(L("empty TXT \"e\""), NULL, false, false);
	one_change(NULL, L("x.empty A 192.0.2.72"), true, false);
	one_change(L("empty TXT \"e\""), L("x.empty A 192.0.2.72"), true, false);
	base_more = L("autodiscover A 192.0.2.70", "x.empty A 192.0.2.72", "y.e.wild A 192.0.2.73");
	one_change(L("x.empty A 192.0.2.72"), NULL, true, false);
	one_change(L("y.e.wild A 192.0.2.73"), NULL, true, false);
	one_change(NULL, L("empty AAAA 2001:db8::72"), true, false);
	/* Edits other than BASE's (here none): compiled whole. */
	ed_patch_off = true;
	one_change(L("mail A 192.0.2.25"), L("mail A 192.0.2.26"), true, true);
	ed_patch_off = false;
	ed_on = NULL;
	ned_on = 0;
	base_more = NULL;
}

/*
 * Edits other than those BASE compiled example.com with, the names both touch given with the
 * apex (zt_patch_in_t.edits_new, as ctl_patch.c gives them): patched, the answers and AXFR those
 * of the zone compiled whole with the new edits; from none to the policy's and back, the zone's
 * records the same or one changed too. Without edits_new: compiled whole.
 */
static void test_edits_new(void)
{
	struct ztext t0, t1;
	zload_zone_t *others[2], *z0, *z1;
	char err[512];
	const size_t nad = sizeof(ad_edits) / sizeof(ad_edits[0]);

	others_load(others);
	zt_init(&t0, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	zt_add(&t0, "autodiscover A 192.0.2.70");
	zt_add(&t0, "_autodiscover._tcp SRV 0 0 443 old");
	zt_add(&t0, "e.wild TXT \"e\"");
	zt_copy(&t1, &t0);
	zt_del(&t1, "e.wild TXT \"e\"");
	zt_add(&t1, "mail AAAA 2001:db8::25");
	zt_soa(&t1, 2, 600);
	z0 = zt_load(&t0, "example.com.");
	z1 = zt_load(&t1, "example.com.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	for (int k = 0; k < 4; k++) {
		/* k & 1: the policy's edits lifted (else made); k & 2: the data changed too. */
		zload_zone_t *to = k & 2 ? z1 : z0;
		struct names ch = {0}, ask_names = {0};
		uint8_t w[WIRE_NAME_MAX + 1], x[WIRE_NAME_MAX + 3] = {1, 'x'};
		zt_zone_edits_t e;
		zt_patch_in_t in;
		zt_t *base, *p = NULL, *whole;

		ed_on = k & 1 ? ad_edits : NULL;
		ned_on = k & 1 ? nad : 0;
		base = compile(z0, others);
		ed_on = k & 1 ? NULL : ad_edits;
		ned_on = k & 1 ? 0 : nad;
		whole = compile(to, others);
		CU_ASSERT_PTR_NOT_NULL_FATAL(base);
		CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
		e = edits_of(to);
		changed_names(&ch, z0, to);
		tu_name_wire(w, "example.com.");
		names_add(&ch, w);
		names_of(&ask_names, z0);
		names_of(&ask_names, z1);
		names_of(&ask_names, others[0]);
		names_of(&ask_names, others[1]);
		for (size_t i = 0; i < nad; i++) {
			tu_name_wire(w, ad_edits[i].owner);
			names_add(&ch, w);
			names_add(&ask_names, w);
			memcpy(x + 2, w, wire_name_len(w));
			names_add(&ask_names, x);
		}
		in = (zt_patch_in_t){.zone = to,
				     .edits = ed_on != NULL ? &e : NULL,
				     .serial = to->serial,
				     .names = (const uint8_t *const *)ch.w,
				     .nnames = ch.n};
		err[0] = '\0';
		CU_ASSERT_EQUAL(zt_patch(base, &in, &p, err, sizeof(err)), ZT_PATCH_FULL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "edits"));
		in.edits_new = true;
		if (zt_patch(base, &in, &p, err, sizeof(err)) != 0)
			fprintf(stderr, "patch fell back: %s\n", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		mismatches = 0;
		same_answers(whole, p, &ask_names, "example.com");
		CU_ASSERT_EQUAL(mismatches, 0);
		/* The data unchanged: the same patch from a version holding only the records at
		 * the apex and the edits' owners (zload_part(), what a zone not read is patched
		 * from), and one past a bound refused. */
		if (!(k & 2)) {
			const char *own[sizeof(ad_edits) / sizeof(ad_edits[0]) + 1] = {
			    "example.com."};
			zt_patch_in_t pin = in;
			zload_zone_t *part;
			zt_t *q = NULL;
			int why;

			for (size_t i = 0; i < nad; i++)
				own[i + 1] = ad_edits[i].owner;
			CU_ASSERT_PTR_NULL(zload_part(to, own, nad + 1, 2, 65536, &why));
			CU_ASSERT_EQUAL(why, -E2BIG);
			part = zload_part(to, own, nad + 1, 256, 65536, &why);
			CU_ASSERT_PTR_NOT_NULL_FATAL(part);
			CU_ASSERT(zload_rr_count(part) > 0 &&
				  zload_rr_count(part) < zload_rr_count(to) / 2);
			pin.zone = part;
			CU_ASSERT_EQUAL(zt_patch(base, &pin, &q, err, sizeof(err)), 0);
			CU_ASSERT_PTR_NOT_NULL_FATAL(q);
			mismatches = 0;
			same_answers(whole, q, &ask_names, "example.com");
			CU_ASSERT_EQUAL(mismatches, 0);
			zt_free(&q);
			zload_free(&part);
		}
		/* And patched again with those edits: BASE's now (no edits_new needed). */
		{
			zt_t *q = NULL;

			in.edits_new = false;
			CU_ASSERT_EQUAL(zt_patch(p, &in, &q, err, sizeof(err)), 0);
			zt_free(&q);
		}
		zt_free(&p);
		zt_free(&base);
		zt_free(&whole);
		names_free(&ch);
		names_free(&ask_names);
	}
	ed_on = NULL;
	ned_on = 0;
	zload_free(&z0);
	zload_free(&z1);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&t0);
	zt_fini(&t1);
}

static void test_policy_and_size(void)
{
	struct ztext t0, t1;
	zload_zone_t *others[2], *z0, *z1;
	zt_t *base, *p = NULL;
	char err[512] = "", line[64];
	struct names ch = {0};
	zload_edit_t ed = {.op = ZLOAD_EDIT_WITHHOLD, .owner = "txt.example.com.", .type = T_TXT};
	zt_zone_edits_t e;
	zt_patch_in_t in;

	others_load(others);
	zt_init(&t0, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	zt_copy(&t1, &t0);
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "h%d A 192.0.2.%d", i, i);
		zt_add(&t1, line);
	}
	zt_soa(&t1, 2, 300);
	z0 = zt_load(&t0, "example.com.");
	z1 = zt_load(&t1, "example.com.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	base = compile(z0, others);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	changed_names(&ch, z0, z1);
	in = (zt_patch_in_t){
	    .zone = z1, .serial = 2, .names = (const uint8_t *const *)ch.w, .nnames = ch.n};
	CU_ASSERT_EQUAL(zt_patch(base, &in, &p, err, sizeof(err)), ZT_PATCH_FULL);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_TRUE(strstr(err, "names changed") != NULL);
	e = (zt_zone_edits_t){.zone = z1, .edits = &ed, .nedits = 1, .serial = 2};
	in.nnames = 1;
	in.edits = &e;
	CU_ASSERT_EQUAL(zt_patch(base, &in, &p, err, sizeof(err)), ZT_PATCH_FULL);
	CU_ASSERT_TRUE(strstr(err, "edits") != NULL);
	names_free(&ch);
	zt_free(&base);
	zload_free(&z0);
	zload_free(&z1);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&t0);
	zt_fini(&t1);
}

/*
 * Twenty patches in a row, each of the one before (BASE freed first, or last), every one
 * compared with the zone compiled whole.
 */
static void chain(bool free_base_first)
{
	struct ztext t;
	zload_zone_t *others[2], *prev, *cur;
	zt_t *snap, *keep = NULL;
	char err[512] = "", line[128];
	int ret;

	others_load(others);
	zt_init(&t, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	prev = zt_load(&t, "example.com.");
	snap = compile(prev, others);
	CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
	mismatches = 0;
	for (unsigned i = 0; i < 20; i++) {
		zt_t *next;

		snprintf(line, sizeof(line), "n%u.a.b A 192.0.2.%u", i, i + 1);
		zt_add(&t, line);
		if (i > 0) {
			snprintf(line, sizeof(line), "n%u.a.b A 192.0.2.%u", i - 1, i);
			CU_ASSERT_TRUE(zt_del(&t, line));
		}
		snprintf(line, sizeof(line), "host.a.b A 192.0.2.%u", 80 + i);
		CU_ASSERT_TRUE(zt_del(&t, line));
		snprintf(line, sizeof(line), "host.a.b A 192.0.2.%u", 81 + i);
		zt_add(&t, line);
		if (i % 3 == 0) {
			snprintf(line, sizeof(line), "mail TXT \"v%u\"", i);
			zt_add(&t, line);
		}
		zt_soa(&t, i + 2, 300 + i);
		cur = zt_load(&t, "example.com.");
		CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
		next = patch_check(snap, prev, cur, others, &ret, err, sizeof(err));
		if (ret != 0)
			fprintf(stderr, "chain %u fell back: %s\n", i, err);
		CU_ASSERT_EQUAL_FATAL(ret, 0);
		if (free_base_first) {
			zt_free(&snap);
		} else {
			/* the first stays until the end; the others go after their patch */
			if (keep == NULL)
				keep = snap;
			else
				zt_free(&snap);
		}
		snap = next;
		zload_free(&prev);
		prev = cur;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	/* the newest first, the oldest (and the store) last */
	zt_free(&snap);
	zt_free(&keep);
	zload_free(&prev);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&t);
}

static void test_chain_base_first(void)
{
	chain(true);
}

static void test_chain_base_last(void)
{
	chain(false);
}

/* A zone of N A records, hN.big.test, as text. */
static zload_zone_t *big_zone(unsigned n, unsigned serial, unsigned changed)
{
	size_t cap = (size_t)n * 40 + 256, len = 0;
	char *text = malloc(cap), err[256];
	zload_zone_t *z;

	len += (size_t)snprintf(text + len, cap - len,
				"$TTL 300\n@ SOA ns hm %u 7200 3600 1209600 60\n@ NS ns\n"
				"ns A 192.0.2.1\n",
				serial);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "h%u A 10.%u.%u.%u\n", i,
					(i >> 16) & 255, (i >> 8) & 255,
					(i < changed ? i + 1 : i) & 255);
	z = zload_string("big.test.", text, "big.zone", NULL, NULL, err, sizeof(err));
	free(text);
	return z;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * The measure: a 100-name patch of a zone of PATCH_BIG A records (1,000,000 when the
 * environment variable SANDNS_PATCH_BIG says so; 20,000 otherwise) against zt_new. Printed,
 * never asserted on time; the answers of the changed names are compared.
 */
/* The policy's kind of edits of big.test: h5's A withheld, an SRV to h7 added, a name kept. */
static const zload_edit_t big_edits[] = {
    {.op = ZLOAD_EDIT_WITHHOLD, .owner = "h5.big.test.", .type = T_A},
    {.op = ZLOAD_EDIT_ADD,
     .owner = "_autodiscover._tcp.big.test.",
     .type = T_SRV,
     .ttl = 600,
     .rdata = "0 0 443 h7.big.test."},
    {.op = ZLOAD_EDIT_EMPTY_NODE, .owner = "h9.big.test."},
};

/* Z compiled alone, with big_edits when EDITED. */
static zt_t *big_new(zload_zone_t *z, bool edited, char *err, size_t errlen)
{
	zt_zone_edits_t e = {.zone = z,
			     .edits = big_edits,
			     .nedits = sizeof(big_edits) / sizeof(big_edits[0]),
			     .serial = z->serial + 1};
	zt_opts_t o = {.edits = &e, .nedits = 1};

	return zt_new(&z, 1, edited ? &o : NULL, err, errlen);
}

static void big(bool edited)
{
	const char *env = getenv("SANDNS_PATCH_BIG");
	unsigned n = env != NULL ? (unsigned)strtoul(env, NULL, 10) : 20000;
	zload_zone_t *z0 = big_zone(n, 1, 0), *z1 = big_zone(n, 2, 100);
	struct names ch = {0};
	zt_patch_in_t in;
	zt_zone_edits_t ze;
	struct timespec t0;
	char err[256];
	double tp, tn;
	zt_t *base, *p = NULL, *whole;
	static uint8_t ra[65535], rb[65535];

	CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	base = big_new(z0, edited, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	{
		uint8_t w[WIRE_NAME_MAX + 1];
		char name[64];

		for (unsigned i = 0; i < 100 && i < n; i++) {
			snprintf(name, sizeof(name), "h%u.big.test", i);
			tu_name_wire(w, name);
			names_add(&ch, w);
		}
		tu_name_wire(w, "big.test");
		names_add(&ch, w);
	}
	in = (zt_patch_in_t){
	    .zone = z1, .serial = 2, .names = (const uint8_t *const *)ch.w, .nnames = ch.n};
	ze = (zt_zone_edits_t){.zone = z1,
			       .edits = big_edits,
			       .nedits = sizeof(big_edits) / sizeof(big_edits[0]),
			       .serial = 3};
	if (edited)
		in.edits = &ze;
	/* Its transfer order is sorted after zt_new() (a thread, where served): not the patch's. */
	CU_ASSERT_EQUAL(zt_order_wait(base), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (zt_patch(base, &in, &p, err, sizeof(err)) != 0)
		fprintf(stderr, "patch: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	tp = since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	whole = big_new(z1, edited, err, sizeof(err));
	tn = since(&t0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
	fprintf(stderr,
		"\npatch: %u records%s, %zu names: zt_patch %.4f s, zt_new %.4f s; memsize "
		"patched %zu, whole %zu\n",
		n, edited ? " (the policy's edits)" : "", ch.n, tp, tn, zt_memsize(p),
		zt_memsize(whole));
	/* A second patch, of the patched one: the map of targets is made by the first. */
	{
		zload_zone_t *z2 = big_zone(n, 3, 200);
		struct names ch2 = {0};
		uint8_t w[WIRE_NAME_MAX + 1];
		char name[64];
		zt_t *p2 = NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(z2);
		for (unsigned i = 100; i < 200 && i < n; i++) {
			snprintf(name, sizeof(name), "h%u.big.test", i);
			tu_name_wire(w, name);
			names_add(&ch2, w);
		}
		tu_name_wire(w, "big.test");
		names_add(&ch2, w);
		in = (zt_patch_in_t){.zone = z2,
				     .serial = 3,
				     .names = (const uint8_t *const *)ch2.w,
				     .nnames = ch2.n};
		ze.zone = z2;
		ze.serial = 4;
		if (edited)
			in.edits = &ze;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CU_ASSERT_EQUAL(zt_patch(p, &in, &p2, err, sizeof(err)), 0);
		fprintf(stderr, "patch: the next 100-name patch (of the patched one) %.4f s\n",
			since(&t0));
		zt_free(&p2);
		names_free(&ch2);
		zload_free(&z2);
	}
	{
		uint8_t w[WIRE_NAME_MAX + 1];

		tu_name_wire(w, "_autodiscover._tcp.big.test");
		names_add(&ch, w);
	}
	for (size_t i = 0; i < ch.n; i++)
		for (int t = 0; t < 4; t++) {
			uint16_t qt = t == 0 ? T_A : t == 1 ? T_AAAA : t == 2 ? T_SOA : T_SRV;
			size_t la = ask(whole, ch.w[i], qt, 1, ra), lb = ask(p, ch.w[i], qt, 1, rb);

			CU_ASSERT_TRUE(la == lb && memcmp(ra, rb, la) == 0);
		}
	names_free(&ch);
	zt_free(&base);
	zt_free(&p);
	zt_free(&whole);
	zload_free(&z0);
	zload_free(&z1);
}

static void test_big(void)
{
	big(false);
}

static void test_big_edited(void)
{
	big(true);
}

/* The child zone patched (its apex has a parent side in example.com, which answers DS). */
static void test_child_zone(void)
{
	struct ztext t0, t1;
	zload_zone_t *others[2], *com, *c1;
	struct names ch = {0}, names = {0};
	zt_t *base, *p = NULL, *whole;
	char err[512] = "";
	zload_zone_t *all[3];
	zt_patch_in_t in;

	others_load(others);
	zt_init(&t0, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	com = zt_load(&t0, "example.com.");
	base = compile(com, others);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	zt_init(&t1, child_lines, sizeof(child_lines) / sizeof(child_lines[0]));
	zt_del(&t1, "x A 198.51.100.10");
	zt_add(&t1, "x A 198.51.100.11");
	zt_add(&t1, "y.z MX 1 ns");
	zt_del(&t1, "@ SOA ns hm 9 7200 3600 1209600 60");
	zt_add(&t1, "@ SOA ns hm 10 7200 3600 1209600 60");
	c1 = zt_load(&t1, "child.example.com.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	changed_names(&ch, others[1], c1);
	in = (zt_patch_in_t){
	    .zone = c1, .serial = 10, .names = (const uint8_t *const *)ch.w, .nnames = ch.n};
	if (zt_patch(base, &in, &p, err, sizeof(err)) != 0)
		fprintf(stderr, "patch: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	all[0] = others[0];
	all[1] = com;
	all[2] = c1;
	whole = zt_new(all, 3, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
	names_of(&names, com);
	names_of(&names, c1);
	names_of(&names, others[1]);
	mismatches = 0;
	same_answers(whole, p, &names, "child.example.com");
	same_answers(whole, p, &names, "example.com");
	CU_ASSERT_EQUAL(mismatches, 0);
	names_free(&ch);
	names_free(&names);
	zt_free(&base);
	zt_free(&whole);
	zt_free(&p);
	zload_free(&com);
	zload_free(&c1);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&t0);
	zt_fini(&t1);
}

/* Two zones of one store patched in turn: example.net, then example.com from that patch. */
static void test_two_zones(void)
{
	struct ztext tc0, tc1, tn1;
	zload_zone_t *others[2], *com0, *com1, *net1, *all[3];
	struct names ch = {0}, names = {0};
	zt_t *base, *p1 = NULL, *p2 = NULL, *whole;
	char err[512] = "";
	zt_patch_in_t in;

	others_load(others);
	zt_init(&tc0, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	com0 = zt_load(&tc0, "example.com.");
	base = compile(com0, others);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	zt_init(&tn1, other_lines, sizeof(other_lines) / sizeof(other_lines[0]));
	zt_del(&tn1, "www A 198.51.100.80");
	zt_add(&tn1, "www CNAME ns");
	zt_del(&tn1, "@ SOA ns hm 5 7200 3600 1209600 60");
	zt_add(&tn1, "@ SOA ns hm 6 7200 3600 1209600 60");
	net1 = zt_load(&tn1, "example.net.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(net1);
	changed_names(&ch, others[0], net1);
	in = (zt_patch_in_t){
	    .zone = net1, .serial = 6, .names = (const uint8_t *const *)ch.w, .nnames = ch.n};
	CU_ASSERT_EQUAL_FATAL(zt_patch(base, &in, &p1, err, sizeof(err)), 0);
	names_free(&ch);
	zt_free(&base);
	zt_copy(&tc1, &tc0);
	zt_del(&tc1, "mail A 192.0.2.25");
	zt_add(&tc1, "mail A 192.0.2.26");
	zt_add(&tc1, "new.q.r A 192.0.2.27");
	zt_soa(&tc1, 2, 300);
	com1 = zt_load(&tc1, "example.com.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(com1);
	changed_names(&ch, com0, com1);
	in = (zt_patch_in_t){
	    .zone = com1, .serial = 2, .names = (const uint8_t *const *)ch.w, .nnames = ch.n};
	if (zt_patch(p1, &in, &p2, err, sizeof(err)) != 0)
		fprintf(stderr, "patch: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p2);
	all[0] = net1;
	all[1] = com1;
	all[2] = others[1];
	whole = zt_new(all, 3, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
	names_of(&names, com0);
	names_of(&names, com1);
	names_of(&names, net1);
	names_of(&names, others[0]);
	mismatches = 0;
	same_answers(whole, p2, &names, "example.com");
	same_answers(whole, p2, &names, "example.net");
	CU_ASSERT_EQUAL(mismatches, 0);
	zt_free(&p1);
	zt_free(&whole);
	zt_free(&p2);
	names_free(&ch);
	names_free(&names);
	zload_free(&com0);
	zload_free(&com1);
	zload_free(&net1);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&tc0);
	zt_fini(&tc1);
	zt_fini(&tn1);
}

/* Patches of patches until the store's room is used up: then ZT_PATCH_FULL, saying so. */
static void test_room(void)
{
	char big[251], line[2300], err[512] = "";
	struct ztext t;
	zload_zone_t *prev, *cur;
	zt_t *snap, *next = NULL;
	uint8_t apex[WIRE_NAME_MAX + 1];
	const uint8_t *names[1] = {apex};
	int ret = 0;
	unsigned i;

	memset(big, 'x', 250);
	big[250] = '\0';
	t.n = 0;
	zt_add(&t, "@ 300 SOA ns hm 1 7200 3600 1209600 60");
	zt_add(&t, "@ 300 NS ns");
	zt_add(&t, "ns 300 A 192.0.2.1");
	snprintf(line, sizeof(line), "@ 300 TXT %s %s %s %s %s %s %s %s", big, big, big, big, big,
		 big, big, big);
	zt_add(&t, line);
	prev = zt_load(&t, "room.test.");
	CU_ASSERT_PTR_NOT_NULL_FATAL(prev);
	snap = zt_new(&prev, 1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
	tu_name_wire(apex, "room.test");
	for (i = 2; i < 20000; i++) {
		zt_patch_in_t in = {.names = names, .nnames = 1, .serial = i};

		snprintf(line, sizeof(line), "@ 300 SOA ns hm %u 7200 3600 1209600 60", i - 1);
		CU_ASSERT_TRUE_FATAL(zt_del(&t, line));
		snprintf(line, sizeof(line), "@ 300 SOA ns hm %u 7200 3600 1209600 60", i);
		zt_add(&t, line);
		cur = zt_load(&t, "room.test.");
		CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
		in.zone = cur;
		ret = zt_patch(snap, &in, &next, err, sizeof(err));
		zload_free(&prev);
		prev = cur;
		if (ret != 0)
			break;
		zt_free(&snap);
		snap = next;
		CU_ASSERT_EQUAL(zt_zone_serial(snap, 0), i);
	}
	CU_ASSERT_EQUAL(ret, ZT_PATCH_FULL);
	/* A small store's garbage bound comes before its room runs out; either ends the line. */
	CU_ASSERT_TRUE(strstr(err, "no room") != NULL || strstr(err, "compiled away") != NULL);
	CU_ASSERT_TRUE(i > 100);
	zt_free(&snap);
	zload_free(&prev);
	zt_fini(&t);
}

/* A few random names (from a small pool, so that they meet) and the records they get. */
static const char *const pool[] = {"a",	     "b",   "www",	"mail",	      "x",	 "q",
				   "wild",   "a.b", "host.a.b", "deep.e.n.t", "c.p",	 "_tcp",
				   "y.wild", "*.q", "ns.sub",	"child",      "z.child", "alias"};

static void random_line(char *line, size_t len, unsigned *seed)
{
	const char *owner = pool[rand_r(seed) % (sizeof(pool) / sizeof(pool[0]))];
	const char *target = pool[rand_r(seed) % (sizeof(pool) / sizeof(pool[0]))];
	char o[64];

	if (rand_r(seed) % 12 == 0)
		snprintf(o, sizeof(o), "@"); /* the apex */
	else if (rand_r(seed) % 3 == 0)
		snprintf(o, sizeof(o), "%s.%s", pool[rand_r(seed) % 5], owner);
	else
		snprintf(o, sizeof(o), "%s", owner);
	switch (rand_r(seed) % 8) {
	case 0:
		snprintf(line, len, "%s A 192.0.2.%u", o, rand_r(seed) % 250);
		break;
	case 1:
		snprintf(line, len, "%s AAAA 2001:db8::%x", o, rand_r(seed) % 250);
		break;
	case 2:
		snprintf(line, len, "%s TXT \"t%u\"", o, rand_r(seed) % 100);
		break;
	case 3:
		snprintf(line, len, "%s MX %u %s", o, rand_r(seed) % 20, target);
		break;
	case 4:
		snprintf(line, len, "%s SRV 0 0 %u %s", o, rand_r(seed) % 100, target);
		break;
	case 5:
		snprintf(line, len, "%s CNAME %s", o, target);
		break;
	case 6: /* a delegation below the apex falls back: rarely */
		snprintf(line, len, "%s NS %s", o[0] == '@' || rand_r(seed) % 8 == 0 ? o : "@",
			 target);
		break;
	default:
		snprintf(line, len, "%s TYPE4000 \\# 2 %04x", o, rand_r(seed) % 65535);
		break;
	}
}

/*
 * Seeded random edits, a patch of the one before each time (a fallback compiles whole and goes
 * on from there), every version compared with the zone compiled whole.
 */
static void test_random(void)
{
	const char *seed_env = getenv("SANDNS_PATCH_SEED");
	unsigned seed = seed_env != NULL ? (unsigned)strtoul(seed_env, NULL, 10) : 20261206;
	unsigned patched = 0;
	const char *env = getenv("SANDNS_PATCH_STEPS");
	unsigned steps = env != NULL ? (unsigned)strtoul(env, NULL, 10) : 60;
	struct ztext t;
	zload_zone_t *others[2], *prev, *cur;
	zt_t *snap;
	char err[512], line[256];

	others_load(others);
	zt_init(&t, base_lines, sizeof(base_lines) / sizeof(base_lines[0]));
	prev = zt_load(&t, "example.com.");
	snap = compile(prev, others);
	CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
	mismatches = 0;
	for (unsigned i = 0; i < steps; i++) {
		struct ztext keep;
		zt_t *next;
		int ret;

		zt_copy(&keep, &t);
		for (unsigned k = 1 + rand_r(&seed) % 4; k > 0; k--) {
			if (rand_r(&seed) % 2 == 0 && t.n > 12) {
				size_t j = 2 + rand_r(&seed) % (t.n - 2);

				if (t.l[j][0] != '@') {
					free(t.l[j]);
					t.l[j] = t.l[--t.n];
				}
			} else {
				random_line(line, sizeof(line), &seed);
				zt_add(&t, line);
			}
		}
		zt_soa(&t, i + 2, 300);
		load_quiet = true;
		cur = zt_load(&t, "example.com.");
		load_quiet = false;
		if (cur == NULL) { /* the zone rules refuse it (CNAME and other data): undone */
			zt_fini(&t);
			t = keep;
			continue;
		}
		zt_fini(&keep);
		next = patch_check(snap, prev, cur, others, &ret, err, sizeof(err));
		if (ret == 0) {
			patched++;
		} else {
			CU_ASSERT_EQUAL(ret, ZT_PATCH_FULL);
			if (env != NULL)
				fprintf(stderr, "fell back: %s\n", err);
			next = compile(cur, others);
			CU_ASSERT_PTR_NOT_NULL_FATAL(next);
		}
		zt_free(&snap);
		snap = next;
		zload_free(&prev);
		prev = cur;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	if (env != NULL)
		fprintf(stderr, "%u of %u steps patched\n", patched, steps);
	CU_ASSERT_TRUE(patched > steps / 4);
	zt_free(&snap);
	zload_free(&prev);
	zload_free(&others[0]);
	zload_free(&others[1]);
	zt_fini(&t);
}

/* The dependency map's extras merged in batches, then joined to its main part: all found. */
static void test_deps_merge(void)
{
	struct zt_deps d = {0};
	unsigned seed = 7;
	size_t total = 0;

	for (int batch = 0; batch < 40; batch++) {
		for (int i = 0; i < 211; i++) {
			if (d.nextra == d.cextra) {
				d.cextra = d.cextra ? 2 * d.cextra : 256;
				d.extra = realloc(d.extra, d.cextra * sizeof(*d.extra));
			}
			/* hashes of 0..999, each once per name number */
			d.extra[d.nextra++] = (struct zt_dep){.h = (uint64_t)(rand_r(&seed) % 1000),
							      .name = (uint32_t)total++};
		}
		zt_deps_sort(&d);
		CU_ASSERT_EQUAL(d.nsorted, d.nextra);
		for (size_t i = 1; i < d.nextra; i++)
			CU_ASSERT_FATAL(d.extra[i - 1].h <= d.extra[i].h);
		for (size_t i = 1; i < d.nmain; i++)
			CU_ASSERT_FATAL(d.main[i - 1].h <= d.main[i].h);
		CU_ASSERT_EQUAL(d.nmain + d.nextra, total);
	}
	CU_ASSERT_TRUE(d.nmain > 0); /* joined at least once */
	{
		uint8_t *seen = calloc(total, 1);

		for (size_t i = 0; i < d.nmain; i++)
			seen[d.main[i].name]++;
		for (size_t i = 0; i < d.nextra; i++)
			seen[d.extra[i].name]++;
		for (size_t i = 0; i < total; i++)
			CU_ASSERT_EQUAL_FATAL(seen[i], 1);
		free(seen);
	}
	free(d.main);
	free(d.extra);
}

void reg_cutest_patchunit(void)
{
	CU_pSuite s = CU_add_suite("patchunit", NULL, NULL);

	CU_add_test(s, "additional-section targets", test_additional_target);
	CU_add_test(s, "CNAME chains", test_cname_chains);
	CU_add_test(s, "names added and removed", test_names_added_removed);
	CU_add_test(s, "what falls back", test_fallbacks);
	CU_add_test(s, "policy edits and size fall back", test_policy_and_size);
	CU_add_test(s, "zones with the policy's edits", test_edits);
	CU_add_test(s, "the policy's edits changed: patched with the names they touch",
		    test_edits_new);
	CU_add_test(s, "20 patches, BASE freed first", test_chain_base_first);
	CU_add_test(s, "20 patches, BASE freed last", test_chain_base_last);
	CU_add_test(s, "a zone below another patched", test_child_zone);
	CU_add_test(s, "two zones of one store patched in turn", test_two_zones);
	CU_add_test(s, "no room left in the store", test_room);
	CU_add_test(s, "seeded random edits", test_random);
	CU_add_test(s, "the dependency map merged", test_deps_merge);
	CU_add_test(s, "chains into the served child: the parent side's glue", test_child_glue);
	CU_add_test(s, "a 100-name patch of a large zone", test_big);
	CU_add_test(s, "a 100-name patch of a large zone the policy edits", test_big_edited);
}
