/* SPDX-License-Identifier: BSD-3-Clause */
/* test_patch.c: CUnit suite for zt_patch: random zones and changes, answers against zt_new's */
/*
 * Zones are generated from a seed (a parent, its child behind a delegation, a sibling), changed
 * at random one zone at a time, and each new version given to zt_patch() as the reload path
 * would give it: the whole zone, its policy edits, the serial served and the owners whose
 * records differ (computed here from the two versions). The patched snapshot must answer every
 * question as zt_new() over the new zones does, octet for octet: every owner of both versions,
 * their parents, names below them that do not exist, names under wildcards and cuts, many
 * types, with and without EDNS and DO, over UDP and TCP; the AXFR of every zone, message by
 * message; zt_explain() of some names. A chain patches 20 times, each time from the previous
 * result. zt_patch() may answer ZT_PATCH_FULL (the caller then compiles whole): counted, with
 * its reasons, printed once; for the kinds of change it must patch, that fails the test.
 *
 * Signed worlds (SIG_NSEC, SIG_NSEC3, SIG_NSEC3_OPTOUT, SIG_MIXED) have every zone signed by
 * sign_zone() and each new version signed again from the one before, its unchanged signatures kept
 * (a step in four keeps the serial, so that the SOA stays), read back from its text as a secondary
 * has it; the names given are zload_changes()'s, signatures and NSEC records included. SIG_OWN
 * (NSEC) and SIG_OWN_NSEC3 give the versions sign_zone() made themselves (indexed by
 * zload_index_owners()), as a zone sandns signs.
 *
 * PATCH_TEST_SEED (a number) picks other seeds, PATCH_TEST_CHAINS how many chains,
 * PATCH_TEST_DUMP=1 prints the first differing answer of a step in hex, both sides. Built with
 * -DPATCH_TEST_SELFCHECK, zt_patch is replaced by a stand-in that compiles whole with zt_new(),
 * and a test checks that the comparisons catch each of its deliberate faults:
 *   meson setup build-self -Dc_args=-DPATCH_TEST_SELFCHECK
 *   ninja -C build-self tests/sandns-tests && build-self/tests/sandns-tests patch
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <CUnit/CUnit.h>
#include <openssl/sha.h>
#include <strings.h>

#include "b32hex.h"
#include "cutest.h"
#include "sandns_err.h"
#include "sign.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_build.h"
#include "zt_index.h"
#include "zt_patch.h"

#if defined(__SANITIZE_ADDRESS__)
#define PT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PT_ASAN 1
#endif
#endif
#ifndef PT_ASAN
#define PT_ASAN 0
#endif

#define NSEC3_LABEL 32

enum {
	TY_A = 1,
	TY_NS = 2,
	TY_CNAME = 5,
	TY_SOA = 6,
	TY_MX = 15,
	TY_TXT = 16,
	TY_AAAA = 28,
	TY_SRV = 33,
	TY_DNAME = 39,
	TY_DS = 43,
	TY_HTTPS = 65,
	TY_AXFR = 252,
	TY_ANY = 255,
};

/* ---- a deterministic generator ---- */

static uint64_t rnd64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static unsigned rnd(uint64_t *s, unsigned n)
{
	return n == 0 ? 0 : (unsigned)(rnd64(s) % n);
}

/* ---- a zone as records in file order, and its text ---- */

#define OWN_MAX 160
#define RD_MAX 440

struct rec {
	char owner[OWN_MAX]; /* absolute, lower case */
	uint16_t type;
	uint32_t ttl;
	char rdata[RD_MAX];
};

struct zmodel {
	char origin[64];
	struct rec *r;
	size_t n, cap;
	unsigned long serial;
	unsigned mname; /* the SOA's MNAME: ns1 (0) or ns2 (1) of the zone */
};

static const char *tname(uint16_t t)
{
	switch (t) {
	case TY_A:
		return "A";
	case TY_NS:
		return "NS";
	case TY_CNAME:
		return "CNAME";
	case TY_SOA:
		return "SOA";
	case TY_MX:
		return "MX";
	case TY_TXT:
		return "TXT";
	case TY_AAAA:
		return "AAAA";
	case TY_SRV:
		return "SRV";
	case TY_DNAME:
		return "DNAME";
	default:
		return "TYPE0";
	}
}

static void model_free(struct zmodel *m)
{
	free(m->r);
	memset(m, 0, sizeof(*m));
}

static void model_copy(struct zmodel *dst, const struct zmodel *src)
{
	free(dst->r);
	*dst = *src;
	dst->cap = src->n + 16;
	dst->r = malloc(dst->cap * sizeof(*dst->r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dst->r);
	memcpy(dst->r, src->r, src->n * sizeof(*src->r));
}

static ssize_t find_set(const struct zmodel *m, const char *owner, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == type && strcmp(m->r[i].owner, owner) == 0)
			return (ssize_t)i;
	return -1;
}

static bool has_owner(const struct zmodel *m, const char *owner)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->r[i].owner, owner) == 0)
			return true;
	return false;
}

/* Adds a record unless it is held already or breaks the CNAME rule; the RRset's TTL. */
static bool add(struct zmodel *m, const char *owner, uint16_t type, uint32_t ttl, const char *rdata)
{
	ssize_t set = find_set(m, owner, type);
	struct rec *r;

	if (strlen(owner) >= OWN_MAX - 1 || strlen(rdata) >= RD_MAX - 1)
		return false;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].owner, owner) != 0)
			continue;
		if ((type == TY_CNAME) != (m->r[i].type == TY_CNAME))
			return false;
		if (m->r[i].type == type && strcmp(m->r[i].rdata, rdata) == 0)
			return false;
	}
	if (type == TY_CNAME && set >= 0)
		return false;
	if (m->n == m->cap) {
		m->cap = m->cap * 2 + 64;
		m->r = realloc(m->r, m->cap * sizeof(*m->r));
		CU_ASSERT_PTR_NOT_NULL_FATAL(m->r);
	}
	r = &m->r[m->n++];
	snprintf(r->owner, sizeof(r->owner), "%s", owner);
	r->type = type;
	r->ttl = set >= 0 ? m->r[set].ttl : ttl;
	snprintf(r->rdata, sizeof(r->rdata), "%s", rdata);
	return true;
}

static void del(struct zmodel *m, size_t i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(*m->r));
	m->n--;
}

static void del_owner(struct zmodel *m, const char *owner)
{
	for (size_t i = m->n; i-- > 0;)
		if (strcmp(m->r[i].owner, owner) == 0)
			del(m, i);
}

static void set_soa(struct zmodel *m)
{
	ssize_t i = find_set(m, m->origin, TY_SOA);

	if (i >= 0)
		snprintf(m->r[i].rdata, sizeof(m->r[i].rdata),
			 "ns%u.%s hostmaster.%s %lu 7200 3600 1209600 300", m->mname + 1, m->origin,
			 m->origin, m->serial);
}

static char *model_text(const struct zmodel *m)
{
	size_t cap = 64 + m->n * (OWN_MAX + RD_MAX + 32), o = 0;
	char *t = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t[0] = '\0';
	for (size_t i = 0; i < m->n; i++)
		o += (size_t)snprintf(t + o, cap - o, "%s %u IN %s %s\n", m->r[i].owner,
				      m->r[i].ttl, tname(m->r[i].type), m->r[i].rdata);
	return t;
}

static zload_zone_t *model_load(const struct zmodel *m, char *err, size_t errlen)
{
	char *text = model_text(m);
	zload_zone_t *z = zload_string(m->origin, text, "generated", NULL, NULL, err, errlen);

	free(text);
	return z;
}

/* The parent of NAME (absolute): the text after its first label; NULL for the root. */
static const char *parent_of(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot == NULL || dot[1] == '\0' ? (dot ? "." : NULL) : dot + 1;
}

/* Whether NAME is OWNER or below it. */
static bool at_or_below(const char *name, const char *owner)
{
	size_t ln = strlen(name), lo = strlen(owner);

	return ln >= lo && strcmp(name + ln - lo, owner) == 0 &&
	       (ln == lo || name[ln - lo - 1] == '.');
}

/* ---- the zones: a parent, its child behind a delegation, a sibling ---- */

#define NZ 3
static const char *const origins[NZ] = {"pt.test.", "kid.pt.test.", "st.test."};

/* Labels new names are made of; never those the generator reserves (w, sub, kid, edits'). */
static const char *const pool[] = {"www", "mail", "ns1", "ns2",	 "ftp",	 "api", "db", "a",
				   "b",	  "x",	  "y",	 "deep", "host", "svc", "lb", "web",
				   "cdn", "m",	  "q",	 "r7",	 "lab",	 "ent"};
#define NPOOL (sizeof(pool) / sizeof(pool[0]))

static void rand_addr(uint64_t *rng, uint16_t type, char *out, size_t len)
{
	static const char *const nets[] = {"192.0.2", "198.51.100", "203.0.113"};

	if (type == TY_A)
		snprintf(out, len, "%s.%u", nets[rnd(rng, 3)], 1 + rnd(rng, 254));
	else
		snprintf(out, len, "2001:db8:%x::%x", rnd(rng, 16), 1 + rnd(rng, 0xfffe));
}

/* A name some record may point at: in the zone, in another zone, nowhere, under a wildcard. */
static void rand_target(const struct zmodel *m, uint64_t *rng, char *out, size_t len)
{
	static const char *const fixed[] = {"www", "mail", "ns1", "ns2", "c1"};
	const char *other = origins[rnd(rng, NZ)];

	switch (rnd(rng, 10)) {
	case 0:
	case 1:
	case 2:
		if (m->n > 0) {
			const char *o = m->r[rnd(rng, (unsigned)m->n)].owner;

			if (o[0] != '*') {
				snprintf(out, len, "%s", o);
				return;
			}
		}
		/* fall through */
	case 3:
		snprintf(out, len, "%s.%s", fixed[rnd(rng, 5)], m->origin);
		return;
	case 4:
	case 5:
		snprintf(out, len, "%s.%s", fixed[rnd(rng, 5)], other);
		return;
	case 6:
		snprintf(out, len, "nx%u.%s", rnd(rng, 4), m->origin);
		return;
	case 7:
		snprintf(out, len, "t%u.w.%s", rnd(rng, 4), m->origin);
		return;
	case 8:
		snprintf(out, len, "host.example.");
		return;
	default:
		snprintf(out, len, "ns1.kid.pt.test.");
		return;
	}
}

static void rand_rdata(const struct zmodel *m, uint64_t *rng, uint16_t type, char *out, size_t len)
{
	char t[OWN_MAX];

	switch (type) {
	case TY_A:
	case TY_AAAA:
		rand_addr(rng, type, out, len);
		return;
	case TY_TXT:
		if (rnd(rng, 3) == 0) { /* big: truncates a 512-octet answer */
			size_t o = 0;

			for (int k = 0; k < 4; k++)
				o += (size_t)snprintf(out + o, len - o, "%s\"%u-%080u\"",
						      k ? " " : "", k, rnd(rng, 100000));
		} else {
			snprintf(out, len, "\"t%u\"", rnd(rng, 1000));
		}
		return;
	case TY_MX:
		rand_target(m, rng, t, sizeof(t));
		snprintf(out, len, "%u %s", 10 * rnd(rng, 4), t);
		return;
	case TY_SRV:
		rand_target(m, rng, t, sizeof(t));
		snprintf(out, len, "%u %u %u %s", rnd(rng, 3), rnd(rng, 10), 443 + rnd(rng, 3), t);
		return;
	default: /* CNAME, NS */
		rand_target(m, rng, out, len);
		return;
	}
}

static const uint16_t data_types[] = {TY_A, TY_AAAA, TY_TXT, TY_MX, TY_SRV, TY_A, TY_CNAME};

/* A new name: under the apex or an owner, up to 4 labels deeper (empty non-terminals). */
static void rand_name(const struct zmodel *m, uint64_t *rng, char *out, size_t len)
{
	const char *base = m->origin;
	size_t o = 0;
	unsigned depth = 1 + rnd(rng, 4);

	if (rnd(rng, 3) == 0 && m->n > 0) {
		const char *own = m->r[rnd(rng, (unsigned)m->n)].owner;

		if (own[0] != '*' && strlen(own) < 100)
			base = own;
		depth = 1 + rnd(rng, 2);
	}
	for (unsigned d = 0; d < depth; d++)
		o += (size_t)snprintf(out + o, len - o, "%s.", pool[rnd(rng, NPOOL)]);
	snprintf(out + o, len - o, "%s", base);
}

static void add_rand_name(struct zmodel *m, uint64_t *rng)
{
	char name[OWN_MAX], rd[RD_MAX];
	unsigned sets = 1 + rnd(rng, 3);

	rand_name(m, rng, name, sizeof(name));
	for (unsigned s = 0; s < sets; s++) {
		uint16_t t = data_types[rnd(rng, sizeof(data_types) / sizeof(data_types[0]))];
		unsigned nrr = t == TY_CNAME ? 1 : 1 + rnd(rng, 3);

		for (unsigned k = 0; k < nrr; k++) {
			rand_rdata(m, rng, t, rd, sizeof(rd));
			add(m, name, t, 300, rd);
		}
	}
}

/* Zone ZI's first version. */
static void gen_zone(struct zmodel *m, int zi, uint64_t *rng)
{
	const char *o = origins[zi], *other = origins[(zi + 1 + rnd(rng, 2)) % NZ];
	char n[OWN_MAX], rd[RD_MAX];

	memset(m, 0, sizeof(*m));
	snprintf(m->origin, sizeof(m->origin), "%s", o);
	m->serial = 1000 + rnd(rng, 1000);
	add(m, o, TY_SOA, 3600, "x");
	set_soa(m);
#define ADDF(owner_fmt, type, ...)                                                                 \
	do {                                                                                       \
		snprintf(n, sizeof(n), owner_fmt, o);                                              \
		snprintf(rd, sizeof(rd), __VA_ARGS__);                                             \
		add(m, n, type, 300, rd);                                                          \
	} while (0)
	ADDF("%s", TY_NS, "ns1.%s", o);
	ADDF("%s", TY_NS, "ns2.%s", o);
	if (rnd(rng, 2))
		ADDF("%s", TY_NS, "ns1.%s", other);
	ADDF("ns1.%s", TY_A, "192.0.2.%u", 1 + rnd(rng, 200));
	ADDF("ns2.%s", TY_A, "192.0.2.%u", 1 + rnd(rng, 200));
	ADDF("ns2.%s", TY_AAAA, "2001:db8::%x", 1 + rnd(rng, 200));
	ADDF("%s", TY_MX, "10 mail.%s", o);
	ADDF("%s", TY_MX, "20 mail.%s", other);
	ADDF("mail.%s", TY_A, "198.51.100.%u", 1 + rnd(rng, 200));
	ADDF("mail.%s", TY_AAAA, "2001:db8:1::%x", 1 + rnd(rng, 200));
	ADDF("%s", TY_SRV, "0 5 443 www.%s", o);
	ADDF("%s", TY_TXT, "\"v=%u\"", rnd(rng, 100));
	ADDF("www.%s", TY_A, "203.0.113.%u", 1 + rnd(rng, 100));
	ADDF("www.%s", TY_A, "203.0.113.%u", 101 + rnd(rng, 100));
	ADDF("www.%s", TY_AAAA, "2001:db8:2::%x", 1 + rnd(rng, 200));
	ADDF("*.w.%s", TY_A, "192.0.2.%u", 1 + rnd(rng, 200));
	ADDF("*.w.%s", TY_TXT, "\"wild\"");
	ADDF("*.w.%s", TY_MX, "10 mail.%s", o);
	ADDF("sub.%s", TY_NS, "ns.sub.%s", o);
	ADDF("sub.%s", TY_NS, "ns1.%s", other);
	ADDF("ns.sub.%s", TY_A, "192.0.2.%u", 1 + rnd(rng, 200));
	ADDF("far.%s", TY_NS, "ns.example.%s", "");
	ADDF("c1.%s", TY_CNAME, "c2.%s", o);
	ADDF("c2.%s", TY_CNAME, "www.%s", o);
	ADDF("cx.%s", TY_CNAME, "www.%s", other);
	ADDF("cn.%s", TY_CNAME, "nx.%s", o);
	ADDF("cw.%s", TY_CNAME, "t1.w.%s", o);
	ADDF("a.b.c.%s", TY_TXT, "\"deep\"");
	ADDF("dn.%s", TY_DNAME, "w.%s", o); /* x.dn.O becomes x.w.O: the wildcard's */
	for (int k = 0; k < 3; k++)	    /* over 512 octets: truncated over UDP without EDNS */
		ADDF("big.%s", TY_TXT, "\"%d-%0150u\" \"%0100u\"", k, rnd(rng, 1000), k);
	if (zi == 0) {
		ADDF("kid.%s", TY_NS, "ns1.kid.%s", o);
		ADDF("kid.%s", TY_NS, "ns2.kid.%s", o);
		ADDF("ns1.kid.%s", TY_A, "192.0.2.%u", 1 + rnd(rng, 200));
		ADDF("ns2.kid.%s", TY_AAAA, "2001:db8::%x", 1 + rnd(rng, 200));
		ADDF("ck.%s", TY_CNAME, "www.kid.%s", o);
	}
	if (zi == 2 && rnd(rng, 2))
		ADDF("*.%s", TY_TXT, "\"apex wildcard\"");
#undef ADDF
	for (unsigned k = 8 + rnd(rng, 12); k > 0; k--)
		add_rand_name(m, rng);
}

/* ---- changes ---- */

enum op {
	OP_ADDR,
	OP_ADD_REC,
	OP_DEL_REC,
	OP_ADD_NAME,
	OP_DEL_NAME,
	OP_CNAME,
	OP_TTL,
	OP_TARGET,
	OP_WILD,
	OP_CUT,
	OP_TO_CNAME,
	OP_DNAME,
	OP_EDITED,
	OP_COUNT
};

/* A random record of TYPE (0: any but the SOA), or -1. */
static ssize_t pick(const struct zmodel *m, uint64_t *rng, uint16_t type)
{
	for (int tries = 0; tries < 64 && m->n > 0; tries++) {
		size_t i = rnd(rng, (unsigned)m->n);

		if (m->r[i].type == TY_SOA)
			continue;
		if (type == 0 || m->r[i].type == type || (type == TY_A && m->r[i].type == TY_AAAA))
			return (ssize_t)i;
	}
	return -1;
}

static void apply_op(struct zmodel *m, enum op op, uint64_t *rng)
{
	static const uint32_t ttls[] = {60, 300, 3600, 86400};
	char rd[RD_MAX], own[OWN_MAX];
	ssize_t i;

	switch (op) {
	case OP_ADDR: /* an address: often an MX, SRV or NS target's */
		if (rnd(rng, 2)) {
			snprintf(own, sizeof(own), "%s.%s", rnd(rng, 2) ? "mail" : "ns1",
				 m->origin);
			i = find_set(m, own, TY_A);
		} else {
			i = pick(m, rng, TY_A);
		}
		if (i >= 0) {
			rand_addr(rng, m->r[i].type, rd, sizeof(rd));
			if (find_set(m, m->r[i].owner, m->r[i].type) >= 0)
				snprintf(m->r[i].rdata, sizeof(m->r[i].rdata), "%s", rd);
		}
		break;
	case OP_ADD_REC:
		i = pick(m, rng, 0);
		if (i >= 0) {
			uint16_t t = data_types[rnd(rng, 5)];

			snprintf(own, sizeof(own), "%s", m->r[i].owner);
			rand_rdata(m, rng, t, rd, sizeof(rd));
			add(m, own, t, 300, rd);
		}
		break;
	case OP_DEL_REC:
		i = pick(m, rng, 0);
		if (i >= 0)
			del(m, (size_t)i);
		break;
	case OP_ADD_NAME:
		add_rand_name(m, rng);
		break;
	case OP_DEL_NAME:
		i = pick(m, rng, 0);
		if (i >= 0 && strcmp(m->r[i].owner, m->origin) != 0) {
			snprintf(own, sizeof(own), "%s", m->r[i].owner);
			del_owner(m, own);
		}
		break;
	case OP_CNAME:
		i = pick(m, rng, TY_CNAME);
		if (i >= 0)
			rand_target(m, rng, m->r[i].rdata, sizeof(m->r[i].rdata));
		break;
	case OP_TTL:
		i = pick(m, rng, 0);
		if (i >= 0) {
			uint32_t ttl = ttls[rnd(rng, 4)];

			for (size_t k = 0; k < m->n; k++)
				if (m->r[k].type == m->r[i].type &&
				    strcmp(m->r[k].owner, m->r[i].owner) == 0)
					m->r[k].ttl = ttl;
		}
		break;
	case OP_TARGET:
		i = pick(m, rng, rnd(rng, 2) ? TY_MX : TY_SRV);
		if (i >= 0) {
			rand_rdata(m, rng, m->r[i].type, rd, sizeof(rd));
			snprintf(m->r[i].rdata, sizeof(m->r[i].rdata), "%s", rd);
		}
		break;
	case OP_WILD:
		snprintf(own, sizeof(own), "*.%s.%s", rnd(rng, 2) ? "w" : pool[rnd(rng, NPOOL)],
			 m->origin);
		if (has_owner(m, own) && rnd(rng, 2)) {
			del_owner(m, own);
		} else {
			uint16_t t = data_types[rnd(rng, 5)];

			rand_rdata(m, rng, t, rd, sizeof(rd));
			add(m, own, t, 300, rd);
		}
		break;
	case OP_CUT: /* a delegation added or taken away (a patch may compile whole) */
		snprintf(own, sizeof(own), "sub.%s", m->origin);
		if (has_owner(m, own) && rnd(rng, 2)) {
			del_owner(m, own);
		} else {
			char ns[OWN_MAX + 8];

			rand_name(m, rng, own, sizeof(own));
			snprintf(ns, sizeof(ns), "ns.%s", own);
			add(m, own, TY_NS, 300, ns);
			rand_addr(rng, TY_A, rd, sizeof(rd));
			add(m, ns, TY_A, 300, rd);
		}
		break;
	case OP_TO_CNAME:
		i = pick(m, rng, 0);
		if (i >= 0 && strcmp(m->r[i].owner, m->origin) != 0) {
			snprintf(own, sizeof(own), "%s", m->r[i].owner);
			del_owner(m, own);
			rand_target(m, rng, rd, sizeof(rd));
			add(m, own, TY_CNAME, 300, rd);
		}
		break;
	case OP_DNAME: /* the DNAME's target moved, or the DNAME gone or back */
		snprintf(own, sizeof(own), "dn.%s", m->origin);
		i = find_set(m, own, TY_DNAME);
		if (i >= 0 && rnd(rng, 3) == 0)
			del(m, (size_t)i);
		else if (i >= 0)
			rand_target(m, rng, m->r[i].rdata, sizeof(m->r[i].rdata));
		else if (!has_owner(m, own))
			add(m, own, TY_DNAME, 300, m->origin);
		break;
	case OP_EDITED: /* at a name the policy's edits touch (world_edits()), or below one */
	{
		static const char *const at[] = {"autodiscover", "_autodiscover._tcp",
						 "www",		 "empty",
						 "x.empty",	 "a.autodiscover"};
		static const uint16_t types[] = {TY_A, TY_AAAA, TY_SRV, TY_TXT};
		uint16_t t = types[rnd(rng, 4)];

		snprintf(own, sizeof(own), "%s.%s", at[rnd(rng, 6)], m->origin);
		if (has_owner(m, own) && rnd(rng, 3) == 0) {
			del_owner(m, own);
		} else if ((i = find_set(m, own, t)) >= 0 && rnd(rng, 2)) {
			del(m, (size_t)i);
		} else {
			rand_rdata(m, rng, t, rd, sizeof(rd));
			add(m, own, t, 300, rd);
		}
		break;
	}
	default:
		break;
	}
}

/*
 * Owners whose records differ between A and B (in file order, so that a set written in
 * another order counts as changed too): a list of strings, each malloc'd.
 */
static int cmp_rec_owner(const void *a, const void *b)
{
	const struct rec *const *x = a, *const *y = b;
	int c = strcmp((*x)->owner, (*y)->owner);

	return c != 0 ? c : (*x < *y ? -1 : *x > *y);
}

static const struct rec **sorted_recs(const struct zmodel *m)
{
	const struct rec **p = malloc((m->n + 1) * sizeof(*p));

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (size_t i = 0; i < m->n; i++)
		p[i] = &m->r[i];
	qsort(p, m->n, sizeof(*p), cmp_rec_owner);
	return p;
}

static bool rec_same(const struct rec *a, const struct rec *b)
{
	return a->type == b->type && a->ttl == b->ttl && strcmp(a->rdata, b->rdata) == 0;
}

static size_t changed_owners(const struct zmodel *a, const struct zmodel *b, char ***out)
{
	const struct rec **pa = sorted_recs(a), **pb = sorted_recs(b);
	size_t i = 0, j = 0, n = 0;
	char **list = malloc((a->n + b->n + 1) * sizeof(*list));

	CU_ASSERT_PTR_NOT_NULL_FATAL(list);
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(pa[i]->owner, pb[j]->owner);
		const char *owner = c <= 0 ? pa[i]->owner : pb[j]->owner;
		size_t ei = i, ej = j;
		bool same = c == 0;

		while (ei < a->n && strcmp(pa[ei]->owner, owner) == 0)
			ei++;
		while (ej < b->n && strcmp(pb[ej]->owner, owner) == 0)
			ej++;
		if (same && ei - i == ej - j) {
			for (size_t k = 0; k < ei - i && same; k++)
				same = rec_same(pa[i + k], pb[j + k]);
		} else {
			same = false;
		}
		if (!same)
			list[n++] = strdup(owner);
		i = ei;
		j = ej;
	}
	free(pa);
	free(pb);
	*out = list;
	return n;
}

/* ---- a world: the zones served, their edits and options ---- */

/* SIG_OWN: signed with NSEC as sandns signs a zone, the version sign_zone() made given to
 * zt_patch() and zt_new() as ctl_sign.c keeps it (indexed by owner), not read back.
 * SIG_NSEC3_OPTOUT: NSEC3, the insecure delegations and an empty non-terminal above only one
 * left out of the chain (opt_out()). SIG_OWN_NSEC3: NSEC3 as sandns signs a zone, as SIG_OWN.
 * The NSEC3 worlds come last (sign_params()); SIG_MIXED after them: NSEC3 but for pt.test. (NSEC),
 * read back as SIG_NSEC's, zones of both kinds sharing the denial budget. */
enum sig { SIG_NONE, SIG_NSEC, SIG_OWN, SIG_NSEC3, SIG_NSEC3_OPTOUT, SIG_OWN_NSEC3, SIG_MIXED };

enum fault { FAULT_NONE, FAULT_STALE, FAULT_TTL, FAULT_SERIAL, FAULT_OPTS, FAULT_COUNT };

struct world {
	uint64_t seed, rng;
	struct zmodel m[NZ];
	zload_zone_t *z[NZ];
	bool edits_on[NZ];
	bool off[NZ];	 /* not served now (taken out by zt_patch_zones(), or never added) */
	bool renumbered; /* zones numbered by zt_patch_zones() in the snapshot now */
	const char *absent_v[2]; /* the zones answered SERVFAIL (opts.absent) */
	size_t nabsent_v;
	zload_edit_t ed[NZ][4];
	char ed_text[NZ][4][2][OWN_MAX];
	size_t ned[NZ];
	zt_zone_edits_t ze[NZ];
	zt_opts_t opts;
	uint8_t nsid[4];
	/* signed (SIG_NSEC, SIG_NSEC3): each zone's versions signed by sign_zone(), the one
	 * before given for its signatures that still hold, as ctl_sign.c signs; keys in KEYDIR */
	int sig;
	sign_keys_t *keys[NZ];
	char keydir[64];
	time_t now;
	unsigned long sserial[NZ]; /* the serial each zone was signed with */
	/* during a patch: zone PZ's next version (what the self-check's stand-in reads) */
	int pz;
	struct zmodel next;
	char **changed;
	size_t nchanged;
};

/* The serial zone I serves: its policy edits bump it. */
static unsigned long served_serial(const struct world *w, int i, const struct zmodel *m)
{
	return w->edits_on[i] ? m->serial + 100000 : m->serial;
}

static void world_edits(struct world *w, int i)
{
	const char *o = origins[i];

	snprintf(w->ed_text[i][0][0], OWN_MAX, "_autodiscover._tcp.%s", o);
	snprintf(w->ed_text[i][0][1], OWN_MAX, "0 0 443 mail.%s", o);
	snprintf(w->ed_text[i][1][0], OWN_MAX, "autodiscover.%s", o);
	snprintf(w->ed_text[i][2][0], OWN_MAX, "www.%s", o);
	snprintf(w->ed_text[i][3][0], OWN_MAX, "empty.%s", o);
	w->ed[i][0] = (zload_edit_t){.op = ZLOAD_EDIT_ADD,
				     .owner = w->ed_text[i][0][0],
				     .type = TY_SRV,
				     .ttl = 600,
				     .rdata = w->ed_text[i][0][1]};
	w->ed[i][1] = (zload_edit_t){.op = ZLOAD_EDIT_ADD,
				     .owner = w->ed_text[i][1][0],
				     .type = TY_A,
				     .ttl = 600,
				     .rdata = "192.0.2.250"};
	w->ed[i][2] = (zload_edit_t){
	    .op = ZLOAD_EDIT_WITHHOLD, .owner = w->ed_text[i][2][0], .type = TY_AAAA};
	w->ed[i][3] = (zload_edit_t){.op = ZLOAD_EDIT_EMPTY_NODE, .owner = w->ed_text[i][3][0]};
	w->ned[i] = 4;
}

/* The signing policy of world W's zone I (ECDSA P-256, one key; NSEC or NSEC3). */
static sign_params_t world_sign_params(const struct world *w, int i)
{
	bool n3 = w->sig == SIG_MIXED ? i != 0 : w->sig >= SIG_NSEC3;

	return (sign_params_t){SIGN_ALG_ECDSAP256SHA256, true, n3, 14 * 86400, 7 * 86400, 0};
}

/*
 * TEXT (a signed zone I, one record a line) without the NSEC of "nsecless" and its signature:
 * a presigned zone with a name whose NODATA proof is the NSEC that covers it, as an empty
 * non-terminal's is.
 */
static void drop_nsec(char *text, int i)
{
	char owner[OWN_MAX + 16];
	size_t olen = (size_t)snprintf(owner, sizeof(owner), "nsecless.%s\t", origins[i]);
	char *out = text;

	for (char *l = text; *l != '\0';) {
		char *e = strchr(l, '\n');
		size_t n = e != NULL ? (size_t)(e - l) + 1 : strlen(l);
		bool drop =
		    strncmp(l, owner, olen) == 0 && (memmem(l, n, "\tNSEC\t", 6) != NULL ||
						     memmem(l, n, "\tRRSIG\tNSEC ", 12) != NULL);

		if (!drop) {
			memmove(out, l, n);
			out += n;
		}
		l += n;
	}
	*out = '\0';
}

/*
 * TEXT (a zone I signed with NSEC3) without the NSEC3 of the insecure delegations "dlg" and
 * "d.oent" and of the empty non-terminal "oent" above it, and their signatures: the chain as
 * opt-out leaves it (sign_zone() does not opt out; the flag itself is read by no answer).
 * Hashes as sign_zone() makes them: SHA-1, no salt, no extra iteration.
 */
static void opt_out(char *text, int i)
{
	static const char *const out[] = {"dlg", "d.oent", "oent"};
	char owner[3][NSEC3_LABEL + OWN_MAX + 4];
	size_t olen[3];
	char *o = text;

	for (int k = 0; k < 3; k++) {
		char name[OWN_MAX];
		uint8_t wire[256], md[SHA_DIGEST_LENGTH], label[NSEC3_LABEL];
		size_t wl = 0;

		snprintf(name, sizeof(name), "%s.%s", out[k], origins[i]);
		for (const char *l = name; *l != '\0';) {
			const char *dot = strchr(l, '.');
			size_t n = (size_t)(dot - l);

			wire[wl++] = (uint8_t)n;
			memcpy(wire + wl, l, n);
			wl += n;
			l = dot + 1;
		}
		wire[wl++] = 0;
		SHA1(wire, wl, md);
		b32hex_sha1(md, label);
		olen[k] = (size_t)snprintf(owner[k], sizeof(owner[k]), "%.32s.%s\t",
					   (const char *)label, origins[i]);
	}
	for (char *l = text; *l != '\0';) {
		char *e = strchr(l, '\n');
		size_t n = e != NULL ? (size_t)(e - l) + 1 : strlen(l);
		bool drop = false;

		for (int k = 0; k < 3; k++)
			drop |= strncasecmp(l, owner[k], olen[k]) == 0;
		if (!drop) {
			memmove(o, l, n);
			o += n;
		}
		l += n;
	}
	*o = '\0';
}

/*
 * Z (zone I's version as read, taken) signed with serial SERIAL, the zone as signed before
 * (PREV, or NULL) giving the signatures of what did not change: what a secondary of a
 * presigned zone receives, or what sandns's signer makes.
 */
static zload_zone_t *world_sign(struct world *w, int i, zload_zone_t *z, unsigned long serial,
				const zload_zone_t *prev)
{
	sign_params_t sp = world_sign_params(w, i);
	char err[512];
	time_t expires;
	zload_zone_t *s = sign_zone(z, NULL, 0, serial, w->keys[i], &sp, prev, w->now, &expires,
				    NULL, err, sizeof(err));

	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (s == NULL)
		fprintf(stderr, "patch: seed %llu: signing %s: %s\n", (unsigned long long)w->seed,
			origins[i], err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	zload_free(&z);
	if (w->sig == SIG_OWN || w->sig == SIG_OWN_NSEC3) {
		CU_ASSERT_EQUAL_FATAL(zload_index_owners(s), 0);
		return s;
	}
	/* Read back from its text, as a secondary or a presigned file has it (indexed by owner,
	 * which zt_patch() and zload_changes() read). */
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(zload_xfr_print(s, f), 0);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	zload_free(&s);
	drop_nsec(text, i);
	if (w->sig == SIG_NSEC3_OPTOUT)
		opt_out(text, i);
	s = zload_string(origins[i], text, "signed.zone", NULL, NULL, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "patch: seed %llu: reading %s signed: %s\n",
			(unsigned long long)w->seed, origins[i], err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	free(text);
	return s;
}

/*
 * A signed world's zone I gets names whose answers hold NSEC records of others: an empty
 * non-terminal right after www (its NODATA proof is the NSEC before it), a name whose NSEC
 * drop_nsec() takes out, a delegation whose NS targets are www and mail (its referral with DO
 * holds its NSEC and their addresses).
 */
static void signed_extras(struct zmodel *m, int i)
{
	char n[OWN_MAX], rd[RD_MAX];

	snprintf(n, sizeof(n), "a.www0.%s", origins[i]);
	add(m, n, TY_TXT, 300, "\"below an empty non-terminal\"");
	snprintf(n, sizeof(n), "nsecless.%s", origins[i]);
	add(m, n, TY_TXT, 300, "\"no NSEC of its own\"");
	snprintf(n, sizeof(n), "dlg.%s", origins[i]);
	snprintf(rd, sizeof(rd), "www.%s", origins[i]);
	add(m, n, TY_NS, 300, rd);
	snprintf(rd, sizeof(rd), "mail.%s", origins[i]);
	add(m, n, TY_NS, 300, rd);
}

static void world_init(struct world *w, uint64_t seed, bool edits, bool opts, int sig)
{
	char err[512];

	memset(w, 0, sizeof(*w));
	w->seed = seed;
	w->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	w->sig = sig;
	if (sig != SIG_NONE) {
		snprintf(w->keydir, sizeof(w->keydir), "/tmp/sandns-patchsig-XXXXXX");
		CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(w->keydir));
		w->now = time(NULL);
		edits = false; /* the signer signs the edits in: nothing left to edit */
	}
	for (int i = 0; i < NZ; i++) {
		gen_zone(&w->m[i], i, &w->rng);
		if (sig != SIG_NONE)
			signed_extras(&w->m[i], i);
		if (sig == SIG_NSEC3_OPTOUT) {
			char n[OWN_MAX], rd[RD_MAX];

			snprintf(n, sizeof(n), "d.oent.%s", origins[i]);
			snprintf(rd, sizeof(rd), "ns1.%s", origins[i]);
			add(&w->m[i], n, TY_NS, 300, rd);
		}
		w->z[i] = model_load(&w->m[i], err, sizeof(err));
		if (w->z[i] == NULL)
			fprintf(stderr, "patch: seed %llu: zone %s: %s\n", (unsigned long long)seed,
				origins[i], err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w->z[i]);
		if (sig != SIG_NONE) {
			sign_params_t sp = world_sign_params(w, i);

			w->keys[i] = sign_keys_load(w->keydir, origins[i], &sp, true, NULL, err,
						    sizeof(err));
			CU_ASSERT_PTR_NOT_NULL_FATAL(w->keys[i]);
			w->sserial[i] = w->m[i].serial;
			w->z[i] = world_sign(w, i, w->z[i], w->sserial[i], NULL);
		}
		w->edits_on[i] = edits && rnd(&w->rng, 2);
		if (w->edits_on[i])
			world_edits(w, i);
	}
	if (opts) {
		static const uint16_t sizes[] = {0, 512, 1400};

		/* Never all defaults: a patch that lost them is seen. */
		w->opts.udp_max_payload = sizes[rnd(&w->rng, 3)];
		w->opts.identity = "patch-test";
		if (rnd(&w->rng, 2))
			w->opts.version = "sandns patch test";
		if (rnd(&w->rng, 2)) {
			memcpy(w->nsid, "nsid", 4);
			w->opts.nsid = w->nsid;
			w->opts.nsid_len = 4;
		}
		if (rnd(&w->rng, 2)) { /* an expired secondary zone: SERVFAIL under it */
			w->absent_v[w->nabsent_v++] = "gone.test.";
			w->opts.absent = w->absent_v;
			w->opts.nabsent = w->nabsent_v;
		}
	}
}

static void world_free(struct world *w)
{
	for (int i = 0; i < NZ; i++) {
		zload_free(&w->z[i]);
		model_free(&w->m[i]);
		sign_keys_free(&w->keys[i]);
	}
	model_free(&w->next);
	if (w->sig != SIG_NONE)
		tu_rm_dir(w->keydir);
}

/* Options over ZONES (the world's, or some in their place), with SERIALS served. */
static zt_opts_t world_opts(struct world *w, zload_zone_t *const *zones,
			    const unsigned long *serials)
{
	zt_opts_t o = w->opts;
	size_t n = 0;

	for (int i = 0; i < NZ; i++)
		if (w->edits_on[i])
			w->ze[n++] = (zt_zone_edits_t){.zone = zones[i],
						       .edits = w->ed[i],
						       .nedits = w->ned[i],
						       .serial = serials[i]};
	o.edits = n > 0 ? w->ze : NULL;
	o.nedits = n;
	return o;
}

static zt_t *world_compile(struct world *w, zload_zone_t *const *zones,
			   const unsigned long *serials)
{
	zt_opts_t o = world_opts(w, zones, serials);
	zload_zone_t *on[NZ];
	size_t non = 0;
	char err[512];
	zt_t *t;

	for (int i = 0; i < NZ; i++)
		if (!w->off[i])
			on[non++] = zones[i];
	t = zt_new(on, non, &o, err, sizeof(err));

	if (t == NULL)
		fprintf(stderr, "patch: seed %llu: zt_new: %s\n", (unsigned long long)w->seed, err);
	return t;
}

static void world_serials(const struct world *w, unsigned long *s)
{
	for (int i = 0; i < NZ; i++)
		s[i] = served_serial(w, i, &w->m[i]);
}

/* ---- the stand-in for zt_patch (self-check builds only) ---- */

#ifdef PATCH_TEST_SELFCHECK
static struct world *fake_world;
static enum fault fake_fault;
static bool
    fake_made; /* the last call made its fault (a serial alone has no name to leave stale) */

/*
 * The next version with fault F: a changed name's old records (the first name for which that
 * version loads), or a TTL moved, or the old serial.
 */
static zload_zone_t *fake_zone(struct world *w, enum fault f)
{
	const struct zmodel *old = &w->m[w->pz];
	struct zmodel m = {0};
	zload_zone_t *z = NULL;
	char err[512];

	for (size_t k = 0; k < w->nchanged && f == FAULT_STALE && z == NULL; k++) {
		const char *name = w->changed[k];

		if (strcmp(name, old->origin) == 0)
			continue;
		model_copy(&m, &w->next);
		del_owner(&m, name);
		for (size_t i = 0; i < old->n; i++)
			if (strcmp(old->r[i].owner, name) == 0)
				add(&m, name, old->r[i].type, old->r[i].ttl, old->r[i].rdata);
		z = model_load(&m, err, sizeof(err));
	}
	fake_made = z != NULL || f != FAULT_STALE;
	if (z == NULL) {
		model_copy(&m, &w->next);
		for (size_t i = 0; i < m.n && f == FAULT_TTL; i++)
			if (m.r[i].type == TY_A) {
				m.r[i].ttl++;
				break;
			}
		if (f == FAULT_SERIAL) {
			m.serial = old->serial;
			set_soa(&m);
		}
		z = model_load(&m, err, sizeof(err));
	}
	model_free(&m);
	return z;
}

static int fake_patch(const zt_t *base, const zt_patch_in_t *in, zt_t **out, char *err,
		      size_t errlen)
{
	struct world *w = fake_world;
	zload_zone_t *zones[NZ], *faulty = NULL;
	unsigned long serials[NZ];
	zt_opts_t o;

	(void)base;
	world_serials(w, serials);
	memcpy(zones, w->z, sizeof(zones));
	zones[w->pz] = (zload_zone_t *)(uintptr_t)in->zone;
	serials[w->pz] = in->edits != NULL ? in->edits->serial : in->serial;
	if (fake_fault == FAULT_STALE || fake_fault == FAULT_TTL || fake_fault == FAULT_SERIAL) {
		faulty = fake_zone(w, fake_fault);
		if (faulty == NULL)
			return SANDNS_EZONE;
		zones[w->pz] = faulty;
		if (fake_fault == FAULT_SERIAL)
			serials[w->pz] = served_serial(w, w->pz, &w->m[w->pz]);
	}
	o = world_opts(w, zones, serials);
	fake_made = fake_fault != FAULT_NONE && (faulty == NULL || fake_made);
	if (fake_fault == FAULT_OPTS) {
		o.udp_max_payload = 0;
		o.identity = o.version = NULL;
		o.nsid = NULL;
		o.absent = NULL;
		o.nabsent = 0;
	}
	*out = zt_new(zones, NZ, &o, err, errlen);
	zload_free(&faulty);
	return *out != NULL ? 0 : SANDNS_EZONE;
}
#define PATCH fake_patch
#else
#define PATCH zt_patch
#endif

/* ---- the comparison ---- */

struct cmp {
	const struct world *w;
	const char *what;
	int step;
	bool any_order; /* zones came or went: the patch numbers them otherwise than zt_new() */
	unsigned long queries, diffs;
};

static void diff(struct cmp *c, const char *fmt, ...)
{
	va_list ap;

	if (c->diffs++ >= 6)
		return;
	fprintf(stderr,
		"\npatch: DIFFERS (seed %llu, %s, step %d): ", (unsigned long long)c->w->seed,
		c->what, c->step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct variant {
	uint8_t transport;
	bool edns, dnssec;
	uint16_t size;
	bool nsid; /* the NSID option asked for (RFC 5001) */
};

static const struct variant variants[] = {
    {ZT_UDP, false, false, 0, false},  {ZT_TCP, false, false, 0, false},
    {ZT_UDP, true, false, 1232, true}, {ZT_TCP, true, true, 4096, false},
    {ZT_UDP, true, true, 512, false},
};
#define NVAR (sizeof(variants) / sizeof(variants[0]))

static const uint16_t qtypes[] = {TY_A,	    TY_AAAA, TY_MX, TY_SRV,   TY_NS,	TY_SOA, TY_TXT,
				  TY_CNAME, TY_ANY,  TY_DS, TY_DNAME, TY_HTTPS, 99};
#define NQT (sizeof(qtypes) / sizeof(qtypes[0]))

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t make_query(uint8_t *q, uint16_t id, bool rd, const uint8_t *wname, size_t wlen,
			 uint16_t qtype, uint16_t qclass, const struct variant *v)
{
	size_t o = 12 + wlen;

	memset(q, 0, 12);
	put16(q, id);
	put16(q + 2, rd ? 0x0100 : 0);
	put16(q + 4, 1);
	memcpy(q + 12, wname, wlen);
	put16(q + o, qtype);
	put16(q + o + 2, qclass);
	o += 4;
	if (v->edns) {
		put16(q + 10, 1);
		q[o] = 0;
		put16(q + o + 1, 41);
		put16(q + o + 3, v->size);
		q[o + 5] = 0;
		q[o + 6] = 0;
		put16(q + o + 7, v->dnssec ? 0x8000 : 0);
		put16(q + o + 9, v->nsid ? 4 : 0);
		o += 11;
		if (v->nsid) {
			put16(q + o, 3);
			put16(q + o + 2, 0);
			o += 4;
		}
	}
	return o;
}

/* What the reference answered, over every question asked: the cases the test reached. */
static struct {
	unsigned long rcode[6], tc, referral, answered, nodata;
} seen;

/* Whether answer infos' zones A (of REF) and B (of GOT) are one: the same number, or once zones
 * came or went (C->any_order), the same origin. */
static bool same_zone(const struct cmp *c, const zt_t *ref, uint32_t a, const zt_t *got, uint32_t b)
{
	const char *oa, *ob;

	if (a == b || !c->any_order || a == 0 || b == 0)
		return a == b;
	oa = zt_zone_origin(ref, a - 1);
	ob = zt_zone_origin(got, b - 1);
	return oa != NULL && ob != NULL && strcmp(oa, ob) == 0;
}

static void seen_note(const uint8_t *r, size_t len, const zt_answer_info_t *info)
{
	if (len < 12)
		return;
	seen.rcode[info->rcode < 6 ? info->rcode : 5]++;
	seen.tc += info->truncated;
	if (info->rcode == 0 && (r[7] | r[6]) != 0)
		seen.answered++;
	else if (info->rcode == 0 && (r[2] & 0x04) == 0)
		seen.referral++;
	else if (info->rcode == 0)
		seen.nodata++;
}

/* One question to both snapshots: the same octets and the same verdict. */
static void ask_both(struct cmp *c, const zt_t *ref, const zt_t *got, const char *name,
		     uint16_t qtype, uint16_t qclass, const struct variant *v, uint64_t *rng)
{
	static uint8_t q[600], ra[65535], rb[65535];
	uint8_t wname[300];
	size_t wlen = tu_name_wire(wname, name), qlen, la, lb;
	zt_answer_ctx_t ctx = {.transport = v->transport};
	zt_answer_info_t ia, ib;

	/* Letters of the question in either case: the answers must echo them alike. */
	if (rnd(rng, 4) == 0)
		for (size_t k = 0; k < wlen; k++)
			if (wname[k] >= 'a' && wname[k] <= 'z' && rnd(rng, 2))
				wname[k] ^= 0x20;
	qlen = make_query(q, (uint16_t)rnd64(rng), rnd(rng, 2), wname, wlen, qtype, qclass, v);
	memset(&ia, 0, sizeof(ia));
	memset(&ib, 0, sizeof(ib));
	la = zt_answer(ref, q, qlen, ra, sizeof(ra), &ctx, &ia);
	lb = zt_answer(got, q, qlen, rb, sizeof(rb), &ctx, &ib);
	c->queries++;
	seen_note(ra, la, &ia);
	if (la != lb || memcmp(ra, rb, la) != 0) {
		size_t at = 0;

		while (at < la && at < lb && ra[at] == rb[at])
			at++;
		diff(c,
		     "%s type %u %s edns %d/%u do %d: %zu vs %zu octets, first difference at %zu",
		     name, qtype, v->transport == ZT_TCP ? "TCP" : "UDP", v->edns, v->size,
		     v->dnssec, la, lb, at);
		if (getenv("PATCH_TEST_DUMP") != NULL && c->diffs == 1) {
			for (size_t k = 0; k < la; k++)
				fprintf(stderr, "%02x%s", ra[k], k % 32 == 31 ? "\n" : " ");
			fprintf(stderr, "\n--\n");
			for (size_t k = 0; k < lb; k++)
				fprintf(stderr, "%02x%s", rb[k], k % 32 == 31 ? "\n" : " ");
			fprintf(stderr, "\n");
		}
	} else if (ia.rcode != ib.rcode || ia.truncated != ib.truncated ||
		   !same_zone(c, ref, ia.zone, got, ib.zone) || ia.xfr != ib.xfr ||
		   ia.dropped != ib.dropped) {
		diff(c, "%s type %u: answer info differs (rcode %u/%u tc %d/%d zone %u/%u)", name,
		     qtype, ia.rcode, ib.rcode, ia.truncated, ib.truncated, ia.zone, ib.zone);
	}
}

/* Every transfer message, length-prefixed. */
struct msgs {
	uint8_t *buf;
	size_t len, cap;
	unsigned n;
};

static int msgs_sink(void *ctx, const uint8_t *msg, size_t len)
{
	struct msgs *m = ctx;

	if (m->len + 2 + len > m->cap) {
		m->cap = (m->len + 2 + len) * 2;
		m->buf = realloc(m->buf, m->cap);
		if (m->buf == NULL)
			return -1;
	}
	m->buf[m->len] = (uint8_t)(len >> 8);
	m->buf[m->len + 1] = (uint8_t)len;
	memcpy(m->buf + m->len + 2, msg, len);
	m->len += 2 + len;
	m->n++;
	return 0;
}

static void axfr_both(struct cmp *c, const zt_t *ref, const zt_t *got, const char *origin)
{
	struct msgs a = {0}, b = {0};
	uint8_t q[512];
	size_t qlen = tu_query(q, 0x5a5a, 0, origin, TY_AXFR, 1);
	int ra = zt_xfr_render(ref, q, qlen, msgs_sink, &a);
	int rb = zt_xfr_render(got, q, qlen, msgs_sink, &b);

	if (ra != rb || a.n != b.n || a.len != b.len ||
	    (a.len != 0 && memcmp(a.buf, b.buf, a.len) != 0)) {
		unsigned msg = 0;

		/* The first message that differs. */
		for (size_t o = 0; o + 2 <= a.len && o + 2 <= b.len; msg++) {
			size_t l = ((size_t)a.buf[o] << 8) | a.buf[o + 1];

			if (o + 2 + l > b.len || memcmp(a.buf + o, b.buf + o, 2 + l) != 0)
				break;
			o += 2 + l;
		}
		diff(c, "AXFR of %s: %d/%d, %u/%u messages, %zu/%zu octets, message %u differs",
		     origin, ra, rb, a.n, b.n, a.len, b.len, msg);
	}
	free(a.buf);
	free(b.buf);
}

static void explain_both(struct cmp *c, const zt_t *ref, const zt_t *got, const char *name,
			 const char *type)
{
	static zt_explanation_t ea, eb;
	char err[256];
	int ra = zt_explain(ref, name, type, &ea, err, sizeof(err));
	int rb = zt_explain(got, name, type, &eb, err, sizeof(err));
	bool same = ra == rb && ea.match == eb.match && strcmp(ea.name, eb.name) == 0 &&
		    strcmp(ea.zone, eb.zone) == 0 && ea.serial == eb.serial &&
		    strcmp(ea.node, eb.node) == 0 && ea.rcode == eb.rcode && ea.aa == eb.aa &&
		    ea.nsrc == eb.nsrc && strcmp(ea.text, eb.text) == 0;

	for (size_t k = 0; same && k < ea.nsrc && k < ZT_EXPLAIN_SOURCES; k++)
		same = strcmp(ea.src[k].owner, eb.src[k].owner) == 0 &&
		       ea.src[k].type == eb.src[k].type && ea.src[k].section == eb.src[k].section;
	if (!same)
		diff(c, "explain %s %s: match %d/%d node %s/%s", name, type, ea.match, eb.match,
		     ea.node, eb.node);
}

/* ---- the names asked ---- */

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(struct names *l, const char *name)
{
	if (l->n == l->cap) {
		l->cap = l->cap * 2 + 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		CU_ASSERT_PTR_NOT_NULL_FATAL(l->v);
	}
	l->v[l->n++] = strdup(name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_uniq(struct names *l)
{
	size_t o = 0;

	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (o > 0 && strcmp(l->v[o - 1], l->v[i]) == 0)
			free(l->v[i]);
		else
			l->v[o++] = l->v[i];
	}
	l->n = o;
}

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* NAME, its parents up to the root, and names below it that may not exist. */
static void names_around(struct names *l, const char *name, uint64_t *rng)
{
	char buf[OWN_MAX + 32];
	const char *p = name;

	if (name[0] == '*') { /* names the wildcard answers for, one and two labels deep */
		snprintf(buf, sizeof(buf), "z%u%s", rnd(rng, 100), name + 1);
		names_add(l, buf);
		snprintf(buf, sizeof(buf), "a.b%s", name + 1);
		names_add(l, buf);
	}
	snprintf(buf, sizeof(buf), "zq%u.%s", rnd(rng, 10), name);
	names_add(l, buf);
	while (p != NULL) {
		names_add(l, p);
		p = parent_of(p);
		if (p != NULL && strcmp(p, ".") == 0)
			p = NULL;
	}
}

static void names_of_model(struct names *l, const struct zmodel *m, uint64_t *rng)
{
	for (size_t i = 0; i < m->n; i++)
		if (i == 0 || strcmp(m->r[i].owner, m->r[i - 1].owner) != 0)
			names_around(l, m->r[i].owner, rng);
}

/* Zone ORIGIN's index in T (slots with no origin passed), or -1. */
static int zone_index(const zt_t *t, const char *origin)
{
	for (size_t z = 0; z < zt_zone_count(t); z++)
		if (zt_zone_origin(t, z) != NULL && strcmp(zt_zone_origin(t, z), origin) == 0)
			return (int)z;
	return -1;
}

/*
 * Zone A of REF and B of GOT: the same NSEC owners (by name) with the same canonical keys,
 * prefixes and table by first octet (a patch copies the kept owners' keys: denial_keys_from()).
 */
static void same_nsec_keys(struct cmp *c, const zt_t *ref, uint32_t a, const zt_t *got, uint32_t b)
{
	const zt_zone_t *x = &ref->zones[a], *y = &got->zones[b];

	if (x->nnsec != y->nnsec || x->nsec_kbase != y->nsec_kbase ||
	    (x->nsec_koff == NULL) != (y->nsec_koff == NULL)) {
		diff(c, "%s: %u NSEC owners, key base %u / %u, %u", zt_zone_origin(ref, a),
		     x->nnsec, x->nsec_kbase, y->nnsec, y->nsec_kbase);
		return;
	}
	for (uint32_t i = 0; x->nsec_koff != NULL && i < x->nnsec; i++) {
		const zt_node_t *nx = &ref->nodes[x->nsec[i]], *ny = &got->nodes[y->nsec[i]];
		uint32_t kx = x->nsec_koff[i], lx = x->nsec_koff[i + 1] - kx;
		uint32_t ky = y->nsec_koff[i], ly = y->nsec_koff[i + 1] - ky;

		if (nx->name_len != ny->name_len ||
		    memcmp(zt_node_name(ref, nx), zt_node_name(got, ny), nx->name_len) != 0 ||
		    lx != ly || memcmp(x->nsec_keys + kx, y->nsec_keys + ky, lx) != 0 ||
		    x->nsec_pre[i] != y->nsec_pre[i]) {
			diff(c, "%s: NSEC owner %u: another name, key or prefix",
			     zt_zone_origin(ref, a), i);
			return;
		}
	}
	if (x->nsec_first != NULL &&
	    memcmp(x->nsec_first, y->nsec_first, NSEC_FIRST_LEN * sizeof(uint32_t)) != 0)
		diff(c, "%s: NSEC owners by first octet differ", zt_zone_origin(ref, a));
}

/* Every zone's answers, AXFR and a few explanations: REF (zt_new's) against GOT. */
static void compare(struct cmp *c, const zt_t *ref, const zt_t *got, const struct zmodel *old,
		    uint64_t *rng)
{
	static const char *const xtypes[] = {"A", "MX", "NS", "TXT", "SOA", "ANY"};
	const struct world *w = c->w;
	struct names l = {0};
	char buf[OWN_MAX + 32];

	/* The same zones and serials; a patch that added or took out zones numbers them its way
	 * (slots of zones taken out have no origin), so they are matched by origin. */
	if (zt_zones_served(ref) != zt_zones_served(got) ||
	    zt_zone_count(ref) != zt_zones_served(ref)) {
		diff(c, "zone count %zu/%zu", zt_zones_served(ref), zt_zones_served(got));
		return;
	}
	for (size_t z = 0; z < zt_zone_count(ref); z++) {
		int g = zone_index(got, zt_zone_origin(ref, z));

		if (g < 0 || zt_zone_serial(ref, z) != zt_zone_serial(got, (size_t)g))
			diff(c, "zone %zu: %s %lu / %s", z, zt_zone_origin(ref, z),
			     zt_zone_serial(ref, z), g < 0 ? "missing" : "other serial");
		else
			same_nsec_keys(c, ref, (uint32_t)z, got, (uint32_t)g);
	}
	if (zt_zone_count(got) == zt_zones_served(got) && !c->any_order)
		for (size_t z = 0; z < zt_zone_count(ref); z++)
			if (strcmp(zt_zone_origin(ref, z), zt_zone_origin(got, z)) != 0)
				diff(c, "zone %zu: %s / %s", z, zt_zone_origin(ref, z),
				     zt_zone_origin(got, z));
	for (int i = 0; i < NZ; i++) {
		names_of_model(&l, &w->m[i], rng);
		/* Under the cuts, the wildcard, the DNAME, the edits' names. */
		static const char *const extra[] = {
		    "x.sub",  "a.b.w",	"autodiscover", "_autodiscover._tcp", "x.empty", "zz.far",
		    "www.dn", "a.b.dn", "x.kid"};

		for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
			snprintf(buf, sizeof(buf), "%s.%s", extra[k], origins[i]);
			names_add(&l, buf);
		}
		names_add(&l, "x.ns1.kid.pt.test.");
	}
	names_add(&l, "x.gone.test.");
	if (old != NULL)
		names_of_model(&l, old, rng);
	/* A signed zone's changed names: its NSEC3 owners made, changed or gone among them (no
	 * names of the zone: NXDOMAIN, RFC 5155 7.2.8). */
	for (size_t k = 0; w->sig != SIG_NONE && k < w->nchanged; k++)
		names_add(&l, w->changed[k]);
	names_uniq(&l);
	for (size_t n = 0; n < l.n; n++)
		for (size_t t = 0; t < NQT; t++)
			for (size_t v = 0; v < NVAR; v++)
				ask_both(c, ref, got, l.v[n], qtypes[t], 1, &variants[v], rng);
	/* Signed: the DNSSEC types too (RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM), with DO. */
	for (size_t n = 0; w->sig != SIG_NONE && n < l.n; n++)
		for (uint16_t t = 46; t <= 51; t++)
			if (t != 49)
				ask_both(c, ref, got, l.v[n], t, 1, &variants[3 + (n + t) % 2],
					 rng);
	ask_both(c, ref, got, "id.server.", TY_TXT, 3, &variants[0], rng);
	ask_both(c, ref, got, "version.bind.", TY_TXT, 3, &variants[2], rng);
	for (int i = 0; i < NZ; i++)
		axfr_both(c, ref, got, origins[i]);
	for (int k = 0; k < 6 && l.n > 0; k++)
		explain_both(c, ref, got, l.v[rnd(rng, (unsigned)l.n)], xtypes[rnd(rng, 6)]);
	names_free(&l);
}

/* ---- fallbacks, counted by reason ---- */

#define NREASONS 16
static struct {
	char text[160];
	unsigned n;
} reasons[NREASONS];
static unsigned long npatched, nfull;
/* Patches compared, and those where some answer differed. */
static unsigned long steps_compared, steps_differing;
static unsigned long steps_faulty; /* self-check: those where the stand-in made its fault */

static void fallback(const char *err)
{
	int k;

	nfull++;
	for (k = 0; k < NREASONS && reasons[k].n > 0; k++)
		if (strcmp(reasons[k].text, err) == 0)
			break;
	if (k == NREASONS)
		k = NREASONS - 1;
	if (reasons[k].n++ == 0)
		snprintf(reasons[k].text, sizeof(reasons[k].text), "%.150s", err);
}

static void report(const char *test)
{
	printf("\n  patch %s: %lu patched, %lu compiled whole (ZT_PATCH_FULL)", test, npatched,
	       nfull);
	for (int k = 0; k < NREASONS && reasons[k].n > 0; k++)
		printf("\n    %u x %s", reasons[k].n, reasons[k].text);
	printf("\n    answers compared: %lu NOERROR with data, %lu NODATA, %lu referrals, %lu "
	       "NXDOMAIN, %lu REFUSED, %lu other; %lu truncated\n",
	       seen.answered, seen.nodata, seen.referral, seen.rcode[3], seen.rcode[5],
	       seen.rcode[1] + seen.rcode[2] + seen.rcode[4], seen.tc);
	memset(reasons, 0, sizeof(reasons));
	memset(&seen, 0, sizeof(seen));
	npatched = nfull = 0;
}

/* ---- one patch ---- */

/*
 * The owners whose records differ between two signed versions (their signatures and NSEC or
 * NSEC3 records included), as the reload path has zload_changes() find them: as text in
 * *TEXT and as wire names in *WIRE (each malloc'd). Their number.
 */
static size_t signed_changes(const zload_zone_t *from, const zload_zone_t *to, char ***text,
			     uint8_t ***wire)
{
	zload_names_t *nm = NULL;
	const uint8_t *const *l;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(zload_changes(from, to, &nm), 0);
	l = zload_names_list(nm, &n);
	*text = malloc((n + 1) * sizeof(**text));
	*wire = malloc((n + 1) * sizeof(**wire));
	CU_ASSERT_PTR_NOT_NULL_FATAL(*text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*wire);
	for (size_t k = 0; k < n; k++) {
		size_t len = wire_name_len(l[k]);
		char buf[WIRE_NAME_MAX * 4 + 1];

		(*wire)[k] = malloc(len);
		CU_ASSERT_PTR_NOT_NULL_FATAL((*wire)[k]);
		memcpy((*wire)[k], l[k], len);
		wire_name_to_text(l[k], buf, sizeof(buf));
		(*text)[k] = strdup(buf);
		CU_ASSERT_PTR_NOT_NULL_FATAL((*text)[k]);
	}
	zload_names_free(&nm);
	return n;
}

#ifndef PATCH_TEST_SELFCHECK
static size_t wire_len(const uint8_t *w)
{
	size_t o = 0;

	while (w[o] != 0)
		o += (size_t)w[o] + 1;
	return o + 1;
}
#endif

enum free_order { BASE_FIRST, PATCHED_FIRST };

/* The octets of the blobs a zone's NSEC3 table TAB (N entries of STRIDE words) names. */
static size_t n3_tab_octets(const zt_t *t, const uint32_t *tab, uint32_t n, unsigned stride)
{
	size_t used = 0;

	for (uint32_t k = 0; tab != NULL && k < n; k++) {
		uint32_t off = tab[stride * k + (stride == 3 ? 1 : 0)];

		if (off != ZT_NONE)
			used += zt_blob_size(zt_blob(t, off)->len, zt_blob(t, off)->nfix);
		used += stride * sizeof(uint32_t);
	}
	return used;
}

/* The octets of T's NSEC3 NXDOMAINs joined ahead and covers written ahead (n3ax, n3cv). */
static size_t n3_extra_octets(const zt_t *t)
{
	size_t used = 0;

	for (uint32_t z = 0; z < t->nzones; z++) {
		const zt_zone_t *zn = &t->zones[z];

		if (zn->origin != NULL && zn->has_nsec3)
			used += n3_tab_octets(t, zn->n3ax, zn->n3ax ? zn->nnsec3 : 0, 1) +
				n3_tab_octets(t, zn->n3cv, zn->n3cv ? zn->nnsec3 : 0, 1);
	}
	return used;
}

/*
 * The octets of zone Z's denial data in T as zt_denial.c counts them against zt_denial_budget:
 * each NSEC3 part with its three words (n3nx, n3wn), the extras with a word per owner (n3ax,
 * n3cv), an NSEC zone's blobs with four words each and its index with the tables by first
 * octets (nxb).
 */
static size_t zone_denial_octets(const zt_t *t, uint32_t z)
{
	const zt_zone_t *zn = &t->zones[z];
	size_t used = 0;

	if (zn->origin == NULL)
		return 0;
	if (zn->has_nsec3)
		return n3_tab_octets(t, zn->n3nx, zn->n3nx_count, 3) +
		       n3_tab_octets(t, zn->n3wn, zn->n3wn_count, 3) +
		       n3_tab_octets(t, zn->n3ax, zn->n3ax ? zn->nnsec3 : 0, 1) +
		       n3_tab_octets(t, zn->n3cv, zn->n3cv ? zn->nnsec3 : 0, 1);
	if (zn->nxb_idx == NULL)
		return 0;
	used = (zn->nnsec + 1u + zn->nxb_fast_len) * sizeof(uint32_t);
	for (uint32_t k = 0; k < zn->nxb_idx[zn->nnsec]; k++)
		used += zt_blob_size(zt_blob(t, zn->nxb[4 * k + 2])->len,
				     zt_blob(t, zn->nxb[4 * k + 2])->nfix) +
			4 * sizeof(uint32_t);
	return used;
}

/* The octets of T's denial data; each zone's as zt_denial.c counted them (denial_used). */
static size_t denial_octets(const zt_t *t)
{
	size_t used = 0;

	for (uint32_t z = 0; z < t->nzones; z++) {
		CU_ASSERT_EQUAL(zone_denial_octets(t, z), t->zones[z].denial_used);
		used += zone_denial_octets(t, z);
	}
	return used;
}

/* Patches that made NSEC3 extras (test_n3_extras_not_patched()). */
static unsigned long n3_extras_grown;

/*
 * Snapshots past zt_denial_budget (test_denial_budget()): patched ones, and the most octets of
 * denial data one held with its budget; compiled whole ones (none: the counting's check).
 * Patched zones whose share a compile gives the same (the other zones hold the same in both),
 * and those of them whose parts differ from the compile's. Parts a patch made for a node no
 * answer reaches (not the index's node of its name), and such nodes that keep a match in the
 * zone's NSEC3 facts, which zt_denial_n3_apex() would take for candidates.
 */
static unsigned long denial_over, denial_over_whole, denial_same_share, denial_differ;
static unsigned long denial_unreached, denial_needless;
static size_t denial_most, denial_most_budget;

/* The parts of T's table TAB (N triples) made for a node the index does not find: a node a
 * patch copied (BASE's), whose part no answer would use. */
static unsigned long parts_unreached(const zt_t *t, const uint32_t *tab, uint32_t n)
{
	unsigned long bad = 0;

	for (uint32_t k = 0; tab != NULL && k < n; k++) {
		const zt_node_t *node = &t->nodes[tab[3 * k]];

		bad += zt_find(t, zt_node_name(t, node), node->name_len) != tab[3 * k];
	}
	return bad;
}

/* Zone Z's nodes no answer reaches (not the index's node of its name) that keep a match in its
 * NSEC3 facts: those a patch copied or took out, cuts and DNAMEs aside (no candidates, and
 * names copied below a cut still name BASE's node as theirs). */
static unsigned long matched_unreached(const zt_t *t, uint32_t z)
{
	const zt_zone_t *zn = &t->zones[z];
	unsigned long bad = 0;

	for (uint32_t i = 0; zn->has_nsec3 && zn->n3 != NULL && i < zn->n3count; i++) {
		const uint32_t n = zn->n3base + i;
		const zt_node_t *node = &t->nodes[n];

		if (node->zone == z && zn->n3[2 * i] != ZT_NONE && node->deleg == ZT_NONE &&
		    !(node->flags & (ZN_CUT | ZN_DNAME | ZN_SHADOW)))
			bad += zt_find(t, zt_node_name(t, node), node->name_len) != n;
	}
	return bad;
}

/* Whether T's table TAB (N triples) and U's UTAB (UN) hold the parts of the same names (their
 * nodes numbered otherwise in a patched snapshot). */
static bool parts_alike(const zt_t *t, const uint32_t *tab, uint32_t n, const zt_t *u,
			const uint32_t *utab, uint32_t un)
{
	if (n != un)
		return false;
	for (uint32_t k = 0; k < n; k++) {
		const zt_node_t *a = &t->nodes[tab[3 * k]];
		bool found = false;

		for (uint32_t j = 0; j < un && !found; j++) {
			const zt_node_t *b = &u->nodes[utab[3 * j]];

			found = a->name_len == b->name_len &&
				memcmp(zt_node_name(t, a), zt_node_name(u, b), a->name_len) == 0;
		}
		if (!found)
			return false;
	}
	return true;
}

/* The octets of zone Z's denial data a patch makes again: an NSEC3 zone's parts (n3nx, n3wn),
 * an NSEC zone's blobs (none: else it compiles whole). */
static size_t patch_made(const zt_t *t, uint32_t z)
{
	const zt_zone_t *zn = &t->zones[z];

	if (!zn->has_nsec3)
		return zone_denial_octets(t, z);
	return n3_tab_octets(t, zn->n3nx, zn->n3nx_count, 3) +
	       n3_tab_octets(t, zn->n3wn, zn->n3wn_count, 3);
}

/* A patched snapshot OUT of zone PZ against REF, zt_new()'s: its denial data within the budget,
 * whatever the other zones hold; the zone's parts the compile's when it is given the same
 * share (the NXDOMAINs joined ahead and covers written ahead aside: a patch makes none). */
static void denial_check(const zt_t *out, const zt_t *ref, int pz)
{
	size_t used = denial_octets(out);
	int zo = zone_index(out, origins[pz]), zr = zone_index(ref, origins[pz]);
	bool same = zo >= 0 && zr >= 0;
	const zt_zone_t *x, *y;

	if (zo >= 0)
		denial_unreached +=
		    parts_unreached(out, out->zones[zo].n3nx, out->zones[zo].n3nx_count) +
		    parts_unreached(out, out->zones[zo].n3wn, out->zones[zo].n3wn_count) +
		    matched_unreached(out, (uint32_t)zo);
	if (used > zt_denial_budget) {
		denial_over++;
		if (used - zt_denial_budget > denial_most - denial_most_budget) {
			denial_most = used;
			denial_most_budget = zt_denial_budget;
		}
	}
	for (int i = 0; same && i < NZ; i++) {
		int a = zone_index(out, origins[i]), b = zone_index(ref, origins[i]);

		if (i != pz && a >= 0 && b >= 0)
			same = zone_denial_octets(out, (uint32_t)a) ==
			       zone_denial_octets(ref, (uint32_t)b);
	}
	if (!same)
		return;
	/* The same octets, of the same enclosers' parts (the first one's, the wildcards'). */
	x = &out->zones[zo];
	y = &ref->zones[zr];
	denial_same_share++;
	denial_differ += patch_made(out, (uint32_t)zo) != patch_made(ref, (uint32_t)zr) ||
			 !parts_alike(out, x->n3nx, x->n3nx_count, ref, y->n3nx, y->n3nx_count) ||
			 !parts_alike(out, x->n3wn, x->n3wn_count, ref, y->n3wn, y->n3wn_count);
}

/*
 * A patch of zone PZ of BASE compiled whole as its NSEC3 zone "would keep NXDOMAIN parts below
 * its apex" (ERR): when zt_new() gives it the same share (the other zones holding in REF what
 * they hold in BASE) and keeps the apex's alone, a needless whole compile.
 */
static void denial_fallback_check(const zt_t *base, const zt_t *ref, int pz, const char *err)
{
	int zr = zone_index(ref, origins[pz]);

	if (strstr(err, "would keep NSEC3 NXDOMAIN parts below its apex") == NULL || zr < 0)
		return;
	for (int i = 0; i < NZ; i++) {
		int a = zone_index(base, origins[i]), b = zone_index(ref, origins[i]);

		if (i != pz && a >= 0 && b >= 0 &&
		    zone_denial_octets(base, (uint32_t)a) != zone_denial_octets(ref, (uint32_t)b))
			return;
	}
	denial_needless += ref->zones[zr].n3nx_count <= 1;
}

/*
 * Zone PZ becomes W->next: patches BASE (the snapshot of W's zones as they were), compares the
 * result with zt_new()'s and returns the snapshot to patch next (one reference), or NULL when
 * something failed. *RET gets zt_patch()'s return. BASE's reference is dropped.
 */
static zt_t *patch_step(struct world *w, zt_t *base, int pz, int step, enum free_order order,
			int *ret, unsigned long *diffs)
{
	char err[512] = "", zerr[512];
	zload_zone_t *nz = model_load(&w->next, zerr, sizeof(zerr));
	uint8_t **wnames;
	zt_patch_in_t in;
	zt_zone_edits_t ze;
	zt_t *out = NULL, *ref;
	unsigned long serials[NZ];
	struct zmodel old = {0};
	struct cmp c = {.w = w, .what = "patch", .step = step, .any_order = w->renumbered};
	bool made = false;
	/* The questions' own generator: the changes that follow do not depend on the verdict. */
	uint64_t crng = (w->seed + 1) * 0xD1B54A32D192ED03ULL + (uint64_t)step * 977 + (uint64_t)pz;

	CU_ASSERT_PTR_NOT_NULL_FATAL(nz);
	w->pz = pz;
	if (w->sig != SIG_NONE) {
		/* A step in four keeps the serial: the SOA and its signature stay as they were. */
		if (rnd(&w->rng, 4) != 0)
			w->sserial[pz] = w->next.serial;
		nz = world_sign(w, pz, nz, w->sserial[pz], w->z[pz]);
		w->nchanged = signed_changes(w->z[pz], nz, &w->changed, &wnames);
	} else {
		w->nchanged = changed_owners(&w->m[pz], &w->next, &w->changed);
		wnames = malloc((w->nchanged + 1) * sizeof(*wnames));
		CU_ASSERT_PTR_NOT_NULL_FATAL(wnames);
		for (size_t k = 0; k < w->nchanged; k++) {
			wnames[k] = malloc(strlen(w->changed[k]) + 2);
			CU_ASSERT_PTR_NOT_NULL_FATAL(wnames[k]);
			tu_name_wire(wnames[k], w->changed[k]);
		}
	}
	ze = (zt_zone_edits_t){.zone = nz,
			       .edits = w->ed[pz],
			       .nedits = w->ned[pz],
			       .serial = served_serial(w, pz, &w->next)};
	in = (zt_patch_in_t){.zone = nz,
			     .edits = w->edits_on[pz] ? &ze : NULL,
			     .serial = served_serial(w, pz, &w->next),
			     .names = (const uint8_t *const *)wnames,
			     .nnames = w->nchanged};
#ifdef PATCH_TEST_SELFCHECK
	fake_world = w;
#endif
	*ret = PATCH(base, &in, &out, err, sizeof(err));
#ifdef PATCH_TEST_SELFCHECK
	made = fake_made;
#endif

	/* The world moves on: the old version is freed (the snapshots must not need it). */
	model_copy(&old, &w->m[pz]);
	model_copy(&w->m[pz], &w->next);
	zload_free(&w->z[pz]);
	w->z[pz] = nz;
	world_serials(w, serials);
	ref = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	denial_over_whole += denial_octets(ref) > zt_denial_budget;

	if (*ret == 0 && out != NULL) {
		int zi = zone_index(out, origins[pz]);

		/* A patch makes no NSEC3 extras: it knows not what the other zones hold of the
		 * budget (they took up to a whole budget at each patch). */
		if (n3_extra_octets(out) > n3_extra_octets(base))
			n3_extras_grown++;
		denial_check(out, ref, pz);
		const uint8_t *const *pn = NULL;
		size_t pnn = 0;
		zt_t *again = NULL;

		npatched++;
#ifndef PATCH_TEST_SELFCHECK
		/* The names it was given, as given; none for a snapshot zt_new() made. */
		CU_ASSERT_TRUE(zi >= 0 && zt_patch_names(out, (uint32_t)zi, base, &pn, &pnn));
		CU_ASSERT_EQUAL(pnn, w->nchanged);
		for (size_t k = 0; pn != NULL && k < pnn && k < w->nchanged; k++)
			CU_ASSERT_TRUE(memcmp(pn[k], wnames[k], wire_len(wnames[k])) == 0);
		CU_ASSERT_FALSE(zi >= 0 && zt_patch_names(ref, (uint32_t)zi, base, &pn, &pnn));
#endif
		(void)zi;
		(void)pn;
		(void)pnn;
		if (order == BASE_FIRST) {
			zt_free(&base); /* the patched one lives on alone */
		} else {
			/* Another patch of BASE, freed before BASE: BASE stays whole. */
			CU_ASSERT_EQUAL(PATCH(base, &in, &again, err, sizeof(err)), 0);
			zt_free(&again);
		}
		compare(&c, ref, out, &old, &crng);
		zt_free(&base);
		zt_free(&ref);
	} else if (*ret == ZT_PATCH_FULL) {
		CU_ASSERT_PTR_NULL(out);
		fallback(err);
		denial_fallback_check(base, ref, pz, err);
		zt_free(&base);
		out = ref; /* the caller compiles whole */
	} else {
		fprintf(stderr, "\npatch: seed %llu step %d: zt_patch returned %d: %s\n",
			(unsigned long long)w->seed, step, *ret, err);
		CU_FAIL("zt_patch failed");
		zt_free(&out);
		zt_free(&base);
		out = ref;
	}
	if (c.diffs > 0) {
		fprintf(stderr, "patch: seed %llu step %d zone %s: %lu of %lu answers differ\n",
			(unsigned long long)w->seed, step, origins[pz], c.diffs, c.queries);
		for (size_t k = 0; k < w->nchanged && k < 12; k++) {
			const struct zmodel *v[2] = {&old, &w->m[pz]};

			fprintf(stderr, "  changed: %s\n", w->changed[k]);
			for (int side = 0; side < 2; side++)
				for (size_t i = 0; i < v[side]->n; i++)
					if (strcmp(v[side]->r[i].owner, w->changed[k]) == 0)
						fprintf(stderr, "    %c %u %s %s\n",
							side ? '+' : '-', v[side]->r[i].ttl,
							tname(v[side]->r[i].type),
							v[side]->r[i].rdata);
		}
	}
	*diffs += c.diffs;
	steps_compared += *ret == 0;
	steps_differing += c.diffs > 0;
	steps_faulty += made;
	for (size_t k = 0; k < w->nchanged; k++) {
		free(wnames[k]);
		free(w->changed[k]);
	}
	free(wnames);
	free(w->changed);
	w->changed = NULL;
	w->nchanged = 0;
	model_free(&old);
	return out;
}

/* The changes that touch no cut, wildcard or DNAME by design (they still may, by chance). */
static const enum op easy_ops[] = {OP_ADDR,  OP_ADD_REC, OP_DEL_REC, OP_ADD_NAME, OP_DEL_NAME,
				   OP_CNAME, OP_TTL,	 OP_TARGET,  OP_EDITED};

/*
 * W->next: zone PZ with a random change set (a version that loads), the serial moved; any
 * kind of change when HARD, else those of easy_ops.
 */
static void random_change(struct world *w, int pz, bool hard)
{
	char err[512];

	for (int tries = 0; tries < 40; tries++) {
		unsigned nops = rnd(&w->rng, 6);
		zload_zone_t *z;

		model_copy(&w->next, &w->m[pz]);
		w->next.serial += 1 + rnd(&w->rng, 3);
		/* Signed: now and then another MNAME (the NODATA proofs were split against it). */
		if (w->sig != SIG_NONE && rnd(&w->rng, 6) == 0)
			w->next.mname ^= 1;
		set_soa(&w->next);
		for (unsigned k = 0; k < nops && tries < 39; k++)
			apply_op(
			    &w->next,
			    hard ? (enum op)rnd(&w->rng, OP_COUNT)
				 : easy_ops[rnd(&w->rng, sizeof(easy_ops) / sizeof(easy_ops[0]))],
			    &w->rng);
		z = model_load(&w->next, err, sizeof(err));
		if (z != NULL) {
			zload_free(&z);
			return;
		}
	}
	CU_FAIL("no change set loads");
}

/* A chain of STEPS patches from SEED; the differences found. */
static unsigned long run_chain(uint64_t seed, int steps, bool edits, bool hard, int sig)
{
	struct world *w = calloc(1, sizeof(*w));
	unsigned long serials[NZ], diffs = 0;
	zt_t *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	world_init(w, seed, edits, true, sig);
	world_serials(w, serials);
	t = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int s = 0; s < steps && t != NULL; s++) {
		/* The parent most often: its answers lead into the other two. */
		int pz = rnd(&w->rng, 4) < 2 ? 0 : 1 + (int)rnd(&w->rng, 2), ret;

		random_change(w, pz, hard);
		t = patch_step(w, t, pz, s, rnd(&w->rng, 2) ? BASE_FIRST : PATCHED_FIRST, &ret,
			       &diffs);
	}
	zt_free(&t);
	world_free(w);
	free(w);
	return diffs;
}

static uint64_t base_seed(void)
{
	const char *s = getenv("PATCH_TEST_SEED");

	return s != NULL && *s != '\0' ? strtoull(s, NULL, 0) : 20261206;
}

static int chains(void)
{
	const char *s = getenv("PATCH_TEST_CHAINS");

	if (s != NULL && *s != '\0')
		return atoi(s);
	return PT_ASAN ? 2 : 10;
}

/*
 * Chains of 20 patches, half of them with policy edits, half of them with any kind of change
 * (the others with those a patch is most likely to make): every answer zt_new()'s. A chain's
 * seed alone makes it: PATCH_TEST_SEED=S PATCH_TEST_CHAINS=1 runs chain S again.
 */
static void test_chains(void)
{
	uint64_t seed = base_seed();
	int n = chains();

	for (int k = 0; k < n; k++) {
		/* The seed says it all: edits on odd seeds, any change on two seeds of four. */
		uint64_t sd = seed + (uint64_t)k;
		unsigned long d =
		    run_chain(sd, 20, sd % 2 == 1, sd % 4 == 0 || sd % 4 == 3, SIG_NONE);

		if (d != 0)
			fprintf(stderr,
				"patch: seed %llu: %lu differences (PATCH_TEST_SEED=%llu "
				"PATCH_TEST_CHAINS=1 reproduces it)\n",
				(unsigned long long)(seed + (uint64_t)k), d,
				(unsigned long long)(seed + (uint64_t)k));
		CU_ASSERT_EQUAL(d, 0);
	}
	report("chains");
}

/* Runs CHAINS signed chains (SIG) from SEED with NODATA split at SPLIT names and a denial blob
 * budget of BUDGET octets; the differences found, and how many steps were patched. */
static unsigned long signed_chains(uint64_t seed, int n, int sig, size_t split, size_t budget,
				   unsigned long *patched)
{
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
	unsigned long d = 0, before = npatched;

	zt_blobs_split_min = split;
	zt_denial_budget = budget;
	for (int k = 0; k < n; k++) {
		uint64_t sd = seed + (uint64_t)k;
		unsigned long dk = run_chain(sd, 20, false, sd % 2 == 1, sig);

		if (dk != 0)
			fprintf(stderr, "patch: signed chain (seed %llu): %lu answers differ\n",
				(unsigned long long)sd, dk);
		d += dk;
	}
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
	*patched = npatched - before;
	return d;
}

/*
 * Signed zones (every zone of the world signed by sign_zone(), each version re-signed from the
 * one before as a signer does: the changed RRsets', NSEC records' and the SOA's signatures
 * made anew, the others kept), changed at random: every answer, with DO and without, and the
 * AXFR, zt_new()'s. An NSEC zone whose NODATA is split and that keeps no denial blobs is
 * patched (most steps must be); the others compile whole, the reason said.
 */
/*
 * NSEC3 zones patched under budgets that hold the extras (n3ax, n3cv) in a whole compile: no
 * patch adds any. Checked to fail with zt_denial_n3_apex() making them from the whole budget
 * (the snapshot past it, 24,098 octets of denial data under a budget of 16,384).
 */
static void test_n3_extras_not_patched(void)
{
	static const size_t budgets[] = {16384, 32768, 65536, 131072};
	uint64_t seed = base_seed();
	unsigned long patched, all = 0;

	n3_extras_grown = 0;
	denial_unreached = denial_needless = 0;
	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		CU_ASSERT_EQUAL(signed_chains(seed + i, 1, SIG_NSEC3, 0, budgets[i], &patched), 0);
		all += patched;
	}
	CU_ASSERT(all > 0);
	CU_ASSERT_EQUAL(n3_extras_grown, 0);
	CU_ASSERT_EQUAL(denial_unreached, 0);
	CU_ASSERT_EQUAL(denial_needless, 0);
	report("NSEC3 extras");
}

/*
 * Signed zones of both kinds (SIG_MIXED: two NSEC3 zones, an NSEC zone) and NSEC3 zones alone,
 * under budgets small enough that their shares matter (an NSEC3 zone's apex parts are some 570
 * octets, with a wildcard's some 1,150): no patched snapshot holds more denial data than the
 * budget, and a patched zone given the same share as in a compile (the other zones holding the
 * same) keeps the same parts. Checked to fail with zt_denial_n3_apex() given the whole budget.
 */
static void test_denial_budget(void)
{
	static const size_t budgets[] = {1024, 1536, 2048, 4096};
	static const int sigs[] = {SIG_MIXED, SIG_NSEC3};
	uint64_t seed = base_seed() + 3000;
	int n = chains() >= 5 ? 2 : 1;
	unsigned long patched, all = 0;

	denial_over = denial_over_whole = denial_same_share = denial_differ = 0;
	denial_unreached = denial_needless = 0;
	denial_most = denial_most_budget = 0;
	for (size_t s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++)
		for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
			CU_ASSERT_EQUAL(
			    signed_chains(seed + 10 * s + i, n, sigs[s], 0, budgets[i], &patched),
			    0);
			all += patched;
		}
	printf("\n  denial budget: %lu patched, %lu past it (the most: %zu octets of %zu), %lu "
	       "given the same share as compiled whole, %lu of them with other parts; %lu parts "
	       "or matches no answer reaches; %lu compiled whole for parts below the apex zt_new() "
	       "keeps not",
	       all, denial_over, denial_most, denial_most_budget, denial_same_share, denial_differ,
	       denial_unreached, denial_needless);
	report("denial budget");
	CU_ASSERT(all > 0);
	CU_ASSERT(denial_same_share > 0);
	CU_ASSERT_EQUAL(denial_over, 0);
	CU_ASSERT_EQUAL(denial_over_whole, 0);
	CU_ASSERT_EQUAL(denial_differ, 0);
	CU_ASSERT_EQUAL(denial_unreached, 0);
	CU_ASSERT_EQUAL(denial_needless, 0);
}

/*
 * W->next: zone PZ with TXT "t" added at NAME, or taken out when it is there (the serial moved):
 * the name's node made again by a patch.
 */
static void txt_toggled(struct world *w, int pz, const char *name)
{
	ssize_t at;

	model_copy(&w->next, &w->m[pz]);
	w->next.serial++;
	set_soa(&w->next);
	at = find_set(&w->next, name, TY_TXT);
	if (at >= 0)
		del(&w->next, (size_t)at);
	else
		CU_ASSERT_TRUE(add(&w->next, name, TY_TXT, 300, "\"t\""));
}

/*
 * An NSEC3 zone with two wildcards (*.w, *.zz) under budgets whose share holds its apex's part
 * and one wildcard's: a patch that makes either encloser again (its node copied, numbered
 * after all of BASE's) keeps the part of the wildcard a compile keeps (denial_check()). Checked
 * to fail with the parts taken in node order: the patch kept the other wildcard's part.
 */
static void test_wild_parts_order(void)
{
	static const char *const at[] = {"w.st.test.", "zz.st.test."};
	struct world *w = calloc(1, sizeof(*w));
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
	unsigned long serials[NZ], diffs = 0, budgets = 0, patched = 0;
	zt_t *t;
	int ret, step = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	world_init(w, base_seed(), false, false, SIG_NSEC3);
	/* The second wildcard, and none at the apex (its part would be below the apex): compiled
	 * whole, as a wildcard's change is. */
	model_copy(&w->next, &w->m[2]);
	w->next.serial++;
	set_soa(&w->next);
	del_owner(&w->next, "*.st.test.");
	CU_ASSERT_TRUE(add(&w->next, "*.zz.st.test.", TY_TXT, 300, "\"zz\""));
	world_serials(w, serials);
	t = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t = patch_step(w, t, 2, step++, BASE_FIRST, &ret, &diffs);
	zt_free(&t);
	denial_same_share = denial_differ = denial_unreached = denial_needless = 0;
	for (size_t b = 1024; b <= 16384 && budgets < 4; b += 64) {
		int z;

		zt_denial_budget = b;
		world_serials(w, serials);
		t = world_compile(w, w->z, serials);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		z = zone_index(t, "st.test.");
		CU_ASSERT_FATAL(z >= 0);
		/* The apex's part and one of the two wildcards'. */
		if (t->zones[z].n3nx_count != 1 || t->zones[z].n3nx[0] != t->zones[z].apex ||
		    t->zones[z].n3wn_count != 1) {
			zt_free(&t);
			continue;
		}
		budgets++;
		for (int k = 0; k < 2; k++) {
			if (t == NULL) {
				world_serials(w, serials);
				t = world_compile(w, w->z, serials);
				CU_ASSERT_PTR_NOT_NULL_FATAL(t);
			}
			txt_toggled(w, 2, at[k]);
			t = patch_step(w, t, 2, step++, BASE_FIRST, &ret, &diffs);
			patched += ret == 0;
			zt_free(&t);
		}
	}
	printf("\n  wildcard parts: %lu budgets, %lu patched, %lu given the same share as compiled "
	       "whole, %lu of them with other parts",
	       budgets, patched, denial_same_share, denial_differ);
	report("wildcard parts");
	CU_ASSERT_TRUE(budgets > 0);
	CU_ASSERT_TRUE(patched > 0);
	CU_ASSERT_TRUE(denial_same_share > 0);
	CU_ASSERT_EQUAL(diffs, 0);
	CU_ASSERT_EQUAL(denial_differ, 0);
	CU_ASSERT_EQUAL(denial_unreached, 0);
	CU_ASSERT_EQUAL(denial_needless, 0);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
	world_free(w);
	free(w);
}

/*
 * Zone ST's next version: the names of ADD given a TXT record (those already with one keep it),
 * those of DEL taken out.
 */
static void names_moved(struct world *w, const char *const *add_names, const char *const *del_names)
{
	char n[OWN_MAX];

	model_copy(&w->next, &w->m[2]);
	w->next.serial++;
	set_soa(&w->next);
	for (size_t i = 0; del_names[i] != NULL; i++) {
		snprintf(n, sizeof(n), "%s.st.test.", del_names[i]);
		del_owner(&w->next, n);
	}
	for (size_t i = 0; add_names[i] != NULL; i++) {
		snprintf(n, sizeof(n), "%s.st.test.", add_names[i]);
		if (find_set(&w->next, n, TY_TXT) < 0)
			CU_ASSERT_TRUE(add(&w->next, n, TY_TXT, 300, "\"k\""));
	}
}

/*
 * A signed NSEC zone patched where its owners' keys are copied in runs (denial_keys_from()):
 * owners put in and taken out beside each other, at the start of the chain (\000 sorts first)
 * and at its end (\255), names with escaped octets and capitals, a name taken out and put back;
 * every patch answers as a whole compile and holds its keys, prefixes and table by first octet.
 */
static void test_nsec_keys_copied(void)
{
	static const char *const steps[][2][8] = {
	    {{"aa0", "aa1", "aa2", "aa3", "\\000", "\\255", "Cap\\001x", NULL}, {NULL}},
	    {{"aa1x", "\\001", NULL}, {"aa1", "\\000", NULL}},
	    {{"aa0a", "\\254", "\\255\\255", NULL}, {"aa0", "aa2", "\\255", NULL}},
	    {{"aa1", "\\000", "\\000\\000", "CAP\\001X", NULL}, {"aa1x", "cap\\001x", NULL}},
	    {{"zz.\\255", "a.\\000", NULL}, {"aa3", "aa0a", "aa1", NULL}},
	    {{"aa2", NULL}, {"\\000", "\\000\\000", "\\254", "\\255\\255", NULL}},
	};
	struct world *w = calloc(1, sizeof(*w));
	size_t was_split = zt_blobs_split_min, was_budget = zt_denial_budget;
	unsigned long serials[NZ], diffs = 0, patched = 0;
	zt_t *t;
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	world_init(w, base_seed(), false, false, SIG_NSEC);
	world_serials(w, serials);
	t = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (int round = 0; round < 2; round++)
		for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]) && t != NULL; s++) {
			names_moved(w, steps[s][round], steps[s][1 - round]);
			t = patch_step(w, t, 2, (int)s, round ? PATCHED_FIRST : BASE_FIRST, &ret,
				       &diffs);
			patched += ret == 0;
		}
	zt_free(&t);
	report("NSEC keys copied");
	CU_ASSERT_EQUAL(diffs, 0);
	CU_ASSERT_TRUE(patched >= 10);
	zt_blobs_split_min = was_split;
	zt_denial_budget = was_budget;
	world_free(w);
	free(w);
}

/*
 * NSEC zones under budgets that give them more than their table by NSEC but less than their
 * blobs: a patch asks whether a compile would keep them (zt_denial_fits()), decided from the
 * floor of their octets (zt_denial_nsec_floor()) when the blobs surely pass the share (19 steps
 * of the default seed's chains), else by rendering them (15). Either way the answer a compile
 * gives: the patched snapshots answer as zt_new()'s, and a zone given the share a compile gives
 * it keeps the same blobs (none). The floor's own check is denialrand's.
 */
static void test_nsec_fits(void)
{
	static const size_t budgets[] = {16384, 24576, 32768, 49152};
	uint64_t seed = base_seed() + 4000;
	unsigned long patched, all = 0;

	denial_over = denial_over_whole = denial_same_share = denial_differ = 0;
	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		CU_ASSERT_EQUAL(signed_chains(seed + i, 1, SIG_NSEC, 0, budgets[i], &patched), 0);
		all += patched;
	}
	report("NSEC zones measured against their share");
	CU_ASSERT(all > 0);
	CU_ASSERT(denial_same_share > 0);
	CU_ASSERT_EQUAL(denial_over, 0);
	CU_ASSERT_EQUAL(denial_differ, 0);
}

static void test_signed_chains(void)
{
	uint64_t seed = base_seed() + 1000;
	int n = chains();
	unsigned long patched = 0, full_before = 0;

	denial_over = denial_over_whole = 0;
	denial_unreached = denial_needless = 0;
	CU_ASSERT_EQUAL(signed_chains(seed, n, SIG_NSEC, 0, 0, &patched), 0);
	CU_ASSERT_TRUE(patched >= (unsigned long)n * 20 / 8);
	report("signed NSEC");
	/* A zone sandns signs: the signer's own versions, in their record order. */
	CU_ASSERT_EQUAL(signed_chains(seed + 3, n, SIG_OWN, 0, 0, &patched), 0);
	CU_ASSERT_TRUE(patched >= (unsigned long)n * 20 / 8);
	report("signed NSEC by sandns");
	/* NSEC3 zones too: their chain, their names' facts, what the changes' NSEC3 prove; with
	 * names left out of the chain (opt-out); with the apex's NXDOMAIN parts kept (a budget
	 * that holds them but not the others'). */
	CU_ASSERT_EQUAL(signed_chains(seed, n, SIG_NSEC3, 0, 0, &patched), 0);
	CU_ASSERT_TRUE(patched >= (unsigned long)n * 20 / 8);
	report("signed NSEC3");
	CU_ASSERT_EQUAL(signed_chains(seed + 500, n, SIG_NSEC3_OPTOUT, 0, 0, &patched), 0);
	CU_ASSERT_TRUE(patched >= (unsigned long)n * 20 / 8);
	report("signed NSEC3, opt-out");
	CU_ASSERT_EQUAL(signed_chains(seed + 700, n, SIG_NSEC3, 0, 4096, &patched), 0);
	CU_ASSERT_TRUE(patched >= (unsigned long)n * 20 / 8);
	report("signed NSEC3, the apex's NXDOMAIN parts kept");
	/* A zone sandns signs with NSEC3: the signer's own versions. */
	CU_ASSERT_EQUAL(signed_chains(seed + 900, n, SIG_OWN_NSEC3, 0, 0, &patched), 0);
	CU_ASSERT_TRUE(patched >= (unsigned long)n * 20 / 8);
	report("signed NSEC3 by sandns");
	/* Compiled whole: NSEC3 parts below the apex kept; NODATA not split (each holds the
	 * SOA); denial blobs kept. */
	full_before = nfull;
	CU_ASSERT_EQUAL(signed_chains(seed, 1, SIG_NSEC3, 0, (size_t)32 << 20, &patched), 0);
	CU_ASSERT_EQUAL(patched, 0);
	CU_ASSERT_EQUAL(signed_chains(seed + 1, 1, SIG_NSEC, SIZE_MAX, 0, &patched), 0);
	CU_ASSERT_EQUAL(patched, 0);
	CU_ASSERT_EQUAL(signed_chains(seed + 2, 1, SIG_NSEC, 0, (size_t)32 << 20, &patched), 0);
	CU_ASSERT_EQUAL(patched, 0);
	CU_ASSERT_EQUAL(nfull - full_before, 60);
	report("signed, compiled whole");
	/* Whatever the budget, no snapshot past it (4,530 octets of 4,096 once, patched). */
	CU_ASSERT_EQUAL(denial_over, 0);
	CU_ASSERT_EQUAL(denial_over_whole, 0);
	/* Every part a patch made is one an answer uses; no patch compiled whole for parts below
	 * the apex zt_new() does not keep. */
	CU_ASSERT_EQUAL(denial_unreached, 0);
	CU_ASSERT_EQUAL(denial_needless, 0);
}

/* ---- zones added and taken out (zt_patch_zones) ---- */

#ifndef PATCH_TEST_SELFCHECK
static unsigned long zones_patched, zones_full, zones_replaced;

/*
 * Zone ZI taken out of BASE (served) or added to it (not served; given a new version first):
 * zt_patch_zones() against zt_new() over the zones then served. MUST: it must patch (a zone
 * beside the others), else it must compile whole (nested in another). The snapshot to go on
 * with (one reference); BASE's is dropped.
 */
static zt_t *zones_step(struct world *w, zt_t *base, int zi, int step, bool must,
			unsigned long *diffs)
{
	char err[512] = "";
	zt_t *out = NULL, *ref;
	unsigned long serials[NZ];
	zt_zone_edits_t ze;
	const zt_zone_edits_t *zep[1];
	const char *rm[1] = {origins[zi]};
	zload_zone_t *add[1];
	zt_patch_zones_in_t in = {.nadd = 0};
	zt_opts_t o;
	struct cmp c = {.w = w, .what = "zones", .step = step, .any_order = true};
	uint64_t crng = (w->seed + 7) * 0xD1B54A32D192ED03ULL + (uint64_t)step * 131 + (uint64_t)zi;
	int ret;

	if (w->off[zi]) {
		/* Back with a version of its own, as a member added to a catalog would be. */
		random_change(w, zi, false);
		model_copy(&w->m[zi], &w->next);
		zload_free(&w->z[zi]);
		w->z[zi] = model_load(&w->m[zi], err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(w->z[zi]);
	}
	world_serials(w, serials);
	if (w->off[zi]) {
		add[0] = w->z[zi];
		ze = (zt_zone_edits_t){.zone = w->z[zi],
				       .edits = w->ed[zi],
				       .nedits = w->ned[zi],
				       .serial = serials[zi]};
		zep[0] = w->edits_on[zi] ? &ze : NULL;
		in.add = add;
		in.add_edits = zep;
		in.nadd = 1;
	} else {
		in.remove = rm;
		in.nremove = 1;
	}
	w->off[zi] = !w->off[zi];
	if (w->nabsent_v > 0 && strcmp(w->absent_v[w->nabsent_v - 1], origins[zi]) == 0)
		w->opts.nabsent = --w->nabsent_v; /* it had no data: it has now */
	w->opts.absent = w->absent_v;
	o = world_opts(w, w->z, serials);
	in.opts = &o;
	ret = zt_patch_zones(base, &in, &out, err, sizeof(err));
	ref = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	if (ret == 0) {
		zones_patched++;
		w->renumbered = true;
		CU_ASSERT_TRUE(must);
		compare(&c, ref, out, NULL, &crng);
		zt_free(&base);
		zt_free(&ref);
	} else {
		if (ret != ZT_PATCH_FULL)
			fprintf(stderr, "\npatch: seed %llu step %d: zt_patch_zones: %d: %s\n",
				(unsigned long long)w->seed, step, ret, err);
		CU_ASSERT_EQUAL(ret, ZT_PATCH_FULL);
		CU_ASSERT_PTR_NULL(out);
		if (must)
			fprintf(stderr, "\npatch: seed %llu step %d: zone %s compiled whole: %s\n",
				(unsigned long long)w->seed, step, origins[zi], err);
		CU_ASSERT_FALSE(must);
		zones_full++;
		fallback(err);
		w->renumbered = false;
		zt_free(&base);
		out = ref;
	}
	if (c.diffs > 0)
		fprintf(stderr, "patch: seed %llu step %d: zone %s %s: %lu of %lu answers differ\n",
			(unsigned long long)w->seed, step, origins[zi],
			w->off[zi] ? "taken out" : "added", c.diffs, c.queries);
	*diffs += c.diffs;
	return out;
}

/* Zone ZI's apex node in T, or ZT_NONE. */
static uint32_t apex_node(const zt_t *t, int zi)
{
	uint8_t key[WIRE_NAME_MAX + 1];

	return zt_find(t, key, tu_name_wire(key, origins[zi]));
}

/*
 * Zone ZI (served) replaced by a new version as a reload replaces a zone not kept in memory:
 * zt_patch_zones() taking its origin out and its new version in, in one patch, against zt_new()
 * over the zones then served. MUST: it must patch (beside the others), and every other zone's
 * nodes are BASE's own (the same apex node in the same store); else it must compile whole
 * (nested in another). The snapshot to go on with; BASE's reference is dropped.
 */
static zt_t *replace_step(struct world *w, zt_t *base, int zi, int step, bool must,
			  unsigned long *diffs)
{
	char err[512] = "";
	zt_t *out = NULL, *ref;
	unsigned long serials[NZ];
	zt_zone_edits_t ze;
	const zt_zone_edits_t *zep[1];
	const char *rm[1] = {origins[zi]};
	zload_zone_t *add[1];
	zt_patch_zones_in_t in = {.remove = rm, .nremove = 1, .add = add, .nadd = 1};
	zt_opts_t o;
	struct cmp c = {.w = w, .what = "replace", .step = step, .any_order = true};
	uint64_t crng = (w->seed + 11) * 0xD1B54A32D192ED03ULL + (uint64_t)step * 37 + (uint64_t)zi;
	int ret;

	random_change(w, zi, false);
	model_copy(&w->m[zi], &w->next);
	zload_free(&w->z[zi]);
	w->z[zi] = model_load(&w->m[zi], err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->z[zi]);
	world_serials(w, serials);
	add[0] = w->z[zi];
	ze = (zt_zone_edits_t){
	    .zone = w->z[zi], .edits = w->ed[zi], .nedits = w->ned[zi], .serial = serials[zi]};
	zep[0] = w->edits_on[zi] ? &ze : NULL;
	in.add_edits = zep;
	o = world_opts(w, w->z, serials);
	in.opts = &o;
	ret = zt_patch_zones(base, &in, &out, err, sizeof(err));
	ref = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	if (ret == 0) {
		zones_patched++;
		zones_replaced++;
		w->renumbered = true;
		CU_ASSERT_TRUE(must);
		/* The zones beside it shared: their apex the same node of the same store. */
		CU_ASSERT_PTR_EQUAL(out->nodes, base->nodes);
		for (int k = 0; k < NZ; k++)
			if (k != zi && !w->off[k])
				CU_ASSERT_EQUAL(apex_node(out, k), apex_node(base, k));
		CU_ASSERT_NOT_EQUAL(apex_node(out, zi), apex_node(base, zi));
		compare(&c, ref, out, NULL, &crng);
		zt_free(&base);
		zt_free(&ref);
	} else {
		if (ret != ZT_PATCH_FULL)
			fprintf(stderr, "\npatch: seed %llu step %d: zt_patch_zones: %d: %s\n",
				(unsigned long long)w->seed, step, ret, err);
		CU_ASSERT_EQUAL(ret, ZT_PATCH_FULL);
		CU_ASSERT_PTR_NULL(out);
		if (must)
			fprintf(stderr, "\npatch: seed %llu step %d: zone %s replaced whole: %s\n",
				(unsigned long long)w->seed, step, origins[zi], err);
		CU_ASSERT_FALSE(must);
		/* Nested: said so. */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot go by a patch"));
		zones_full++;
		fallback(err);
		w->renumbered = false;
		zt_free(&base);
		out = ref;
	}
	if (c.diffs > 0)
		fprintf(stderr,
			"patch: seed %llu step %d: zone %s replaced: %lu of %lu answers differ\n",
			(unsigned long long)w->seed, step, origins[zi], c.diffs, c.queries);
	*diffs += c.diffs;
	return out;
}

/* ORIGIN (served by no zone) answered SERVFAIL from now on, by a patch: as zt_new() does. */
static zt_t *absent_step(struct world *w, zt_t *base, const char *origin, int step,
			 unsigned long *diffs)
{
	char err[512] = "";
	zt_t *out = NULL, *ref;
	unsigned long serials[NZ];
	zt_patch_zones_in_t in = {.nadd = 0};
	zt_opts_t o;
	struct cmp c = {.w = w, .what = "absent", .step = step, .any_order = true};
	uint64_t crng = (w->seed + 9) * 0xD1B54A32D192ED03ULL + (uint64_t)step * 71;
	int ret;

	w->absent_v[w->nabsent_v++] = origin;
	w->opts.absent = w->absent_v;
	w->opts.nabsent = w->nabsent_v;
	world_serials(w, serials);
	o = world_opts(w, w->z, serials);
	in.opts = &o;
	ret = zt_patch_zones(base, &in, &out, err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "\npatch: seed %llu step %d: %s answered SERVFAIL: %d %s\n",
			(unsigned long long)w->seed, step, origin, ret, err);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	zones_patched++;
	ref = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	ask_both(&c, ref, out, "www.st.test.", TY_A, 1, &variants[0], &crng);
	compare(&c, ref, out, NULL, &crng);
	*diffs += c.diffs;
	zt_free(&base);
	zt_free(&ref);
	return out;
}

/*
 * Chains where the sibling zone (st.test.) is taken out and added again between changes of the
 * zones served: each time patched, every answer zt_new()'s over the zones then served, and the
 * data patches after it (of the zone added again too: a zone number new to the store) as well.
 * The child zone (kid.pt.test., below the parent) taken out must be compiled whole.
 */
static void test_zones_come_go(void)
{
	uint64_t seed = base_seed() + 1000;
	int n = chains();
	unsigned long total = 0;

	for (int k = 0; k < n; k++) {
		struct world *w = calloc(1, sizeof(*w));
		unsigned long serials[NZ], d = 0;
		uint64_t sd = seed + (uint64_t)k;
		zt_t *t;

		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		world_init(w, sd, sd % 2 == 1, true, SIG_NONE);
		/* Half the chains start without the sibling: added first. */
		w->off[2] = sd % 4 >= 2;
		world_serials(w, serials);
		t = world_compile(w, w->z, serials);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		for (int s = 0; s < 24 && t != NULL; s++) {
			unsigned r = rnd(&w->rng, 10);
			int ret;

			if (r < 2 && w->off[2] && w->nabsent_v < 2) {
				/* A member without data yet: answered SERVFAIL, then added. */
				t = absent_step(w, t, "st.test.", s, &d);
				t = zones_step(w, t, 2, s, true, &d);
			} else if (r < 4) {
				t = zones_step(w, t, 2, s, true, &d);
			} else if (r == 5 && !w->off[2]) {
				/* The sibling replaced (a reload of it not kept in memory). */
				t = replace_step(w, t, 2, s, true, &d);
			} else if (r == 6 && !w->off[1] && rnd(&w->rng, 2) == 0) {
				/* The parent or its child replaced: nested, compiled whole. */
				t = replace_step(w, t, (int)rnd(&w->rng, 2), s, false, &d);
			} else if (r == 4 && !w->off[1]) {
				t = zones_step(w, t, 1, s, false, &d);
				/* compiled whole: served again at once, as it was */
				w->off[1] = false;
				world_serials(w, serials);
				zt_free(&t);
				t = world_compile(w, w->z, serials);
				w->renumbered = false;
			} else {
				int pz = w->off[2] || rnd(&w->rng, 2) ? 0 : 2;

				random_change(w, pz, false);
				t = patch_step(w, t, pz, s, BASE_FIRST, &ret, &d);
			}
		}
		if (d != 0)
			fprintf(stderr,
				"patch: zones: seed %llu: %lu differences (PATCH_TEST_SEED=%llu "
				"PATCH_TEST_CHAINS=1 reproduces it)\n",
				(unsigned long long)sd, d, (unsigned long long)(sd - 1000));
		total += d;
		zt_free(&t);
		world_free(w);
		free(w);
	}
	CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_TRUE(zones_patched > 0);
	CU_ASSERT_TRUE(zones_replaced > 0);
	printf("\n  zones: %lu added, taken out or replaced by a patch (%lu replaced), %lu "
	       "compiled whole",
	       zones_patched, zones_replaced, zones_full);
	report("zones");
	zones_patched = zones_full = zones_replaced = 0;
}
#endif

/* ---- the kinds of change a patch must make ---- */

/* Whether any zone's data names NAME (a target of CNAME, MX, SRV or NS). */
static bool referenced(const struct world *w, const char *name)
{
	size_t ln = strlen(name);

	for (int i = 0; i < NZ; i++)
		for (size_t k = 0; k < w->m[i].n; k++) {
			const char *rd = w->m[i].r[k].rdata, *sp = strrchr(rd, ' ');
			const char *last = sp != NULL ? sp + 1 : rd;

			if (w->m[i].r[k].type != TY_TXT && strncmp(last, name, ln) == 0 &&
			    last[ln] == '\0')
				return true;
		}
	return false;
}

/*
 * Whether NAME is at or below a cut of M (an NS off the apex), below a DNAME of M (its records
 * occluded, as a cut's are: zt_patch() compiles whole for both), or a wildcard.
 */
static bool near_cut(const struct zmodel *m, const char *name)
{
	if (name[0] == '*')
		return true;
	for (size_t k = 0; k < m->n; k++) {
		const char *o = m->r[k].owner;

		if (m->r[k].type == TY_NS && strcmp(o, m->origin) != 0 && at_or_below(name, o))
			return true;
		if (m->r[k].type == TY_DNAME && strcmp(name, o) != 0 && at_or_below(name, o))
			return true;
	}
	return false;
}

static bool has_below(const struct zmodel *m, const char *name)
{
	for (size_t k = 0; k < m->n; k++)
		if (strcmp(m->r[k].owner, name) != 0 && at_or_below(m->r[k].owner, name))
			return true;
	return false;
}

enum must { MUST_ADDR, MUST_LEAF_ADD, MUST_LEAF_DEL, MUST_MX_ADDR, MUST_SERIAL, MUST_COUNT };
static const char *const must_names[] = {
    "the address of an ordinary name", "a new leaf under the apex",
    "a leaf removed under a parent with records", "an MX target's address", "the SOA serial alone"};

/* W->next: zone PZ with change KIND alone (and the serial); false when no name fits. */
static bool must_change(struct world *w, int pz, enum must kind)
{
	struct zmodel *m = &w->next;
	char rd[64], mx[OWN_MAX];
	ssize_t at;

	model_copy(m, &w->m[pz]);
	m->serial++;
	set_soa(m);
	switch (kind) {
	case MUST_ADDR:
	case MUST_LEAF_DEL:
		for (size_t k = 0; k < m->n; k++) {
			const char *o = m->r[k].owner, *par = parent_of(o);

			if (strcmp(o, m->origin) == 0 || near_cut(m, o) || referenced(w, o) ||
			    find_set(m, o, TY_CNAME) >= 0 || find_set(m, o, TY_DNAME) >= 0 ||
			    has_below(m, o))
				continue;
			if (kind == MUST_ADDR && m->r[k].type == TY_A) {
				snprintf(m->r[k].rdata, sizeof(m->r[k].rdata), "192.0.2.%u",
					 m->r[k].rdata[strlen(m->r[k].rdata) - 1] == '9' ? 8 : 9);
				return true;
			}
			if (kind == MUST_LEAF_DEL && par != NULL && has_owner(m, par)) {
				char own[OWN_MAX];

				snprintf(own, sizeof(own), "%s", o);
				del_owner(m, own);
				return true;
			}
		}
		return false;
	case MUST_LEAF_ADD:
		snprintf(mx, sizeof(mx), "newleaf.%s", m->origin);
		return !has_owner(m, mx) && !referenced(w, mx) &&
		       add(m, mx, TY_A, 300, "192.0.2.77");
	case MUST_MX_ADDR:
		snprintf(mx, sizeof(mx), "mail.%s", m->origin);
		at = find_set(m, mx, TY_A);
		if (at < 0)
			return false;
		snprintf(rd, sizeof(rd), "198.51.100.%u",
			 strcmp(m->r[at].rdata, "198.51.100.250") == 0 ? 251 : 250);
		snprintf(m->r[at].rdata, sizeof(m->r[at].rdata), "%s", rd);
		return true;
	default:
		return true;
	}
}

/*
 * Each kind of change a patch must make, alone on an unsigned zone with no cut touched, in
 * each zone of a few worlds (no edits): zt_patch() returns 0, and answers as zt_new().
 */
static void test_must_patch(void)
{
	uint64_t seed = base_seed() + 1000;
	unsigned tried[MUST_COUNT] = {0}, full[MUST_COUNT] = {0};

	for (int s = 0; s < (PT_ASAN ? 1 : 3); s++) {
		for (int pz = 0; pz < NZ; pz++) {
			for (int kind = 0; kind < MUST_COUNT; kind++) {
				struct world *w = calloc(1, sizeof(*w));
				unsigned long serials[NZ], diffs = 0;
				zt_t *t;
				int ret = 0;

				CU_ASSERT_PTR_NOT_NULL_FATAL(w);
				world_init(w, seed + (uint64_t)s, false, s == 1, SIG_NONE);
				world_serials(w, serials);
				t = world_compile(w, w->z, serials);
				CU_ASSERT_PTR_NOT_NULL_FATAL(t);
				if (must_change(w, pz, (enum must)kind)) {
					tried[kind]++;
					t = patch_step(w, t, pz, kind, BASE_FIRST, &ret, &diffs);
					CU_ASSERT_EQUAL(diffs, 0);
					if (ret != 0) {
						full[kind]++;
						fprintf(stderr,
							"\npatch: seed %llu zone %s: %s was not "
							"patched (%d)\n",
							(unsigned long long)w->seed, origins[pz],
							must_names[kind], ret);
					}
				}
				zt_free(&t);
				world_free(w);
				free(w);
			}
		}
	}
	for (int kind = 0; kind < MUST_COUNT; kind++) {
		char what[160];

		CU_ASSERT_TRUE(tried[kind] > 0); /* the worlds hold a name of each kind */
		/* The failure names the kind of change compiled whole. */
		snprintf(what, sizeof(what), "zt_patch must patch %s (%u of %u compiled whole)",
			 must_names[kind], full[kind], tried[kind]);
		CU_assertImplementation(full[kind] == 0, __LINE__, what, __FILE__, "", CU_FALSE);
	}
	report("must-patch");
}

/* ---- scale: 20,000 A records, 100 changes ---- */

static void test_scale(void)
{
	static const uint16_t types[] = {TY_A, TY_AAAA, TY_TXT, TY_ANY, TY_NS, TY_SOA};
	struct world *w = calloc(1, sizeof(*w));
	struct zmodel *m;
	struct names l = {0};
	unsigned long serials[NZ];
	char err[512], name[OWN_MAX + 320], rd[64];
	zt_t *base, *out = NULL, *ref;
	zload_zone_t *nz;
	zt_patch_in_t in;
	uint8_t **wnames;
	char **changed;
	size_t nchanged;
	struct cmp c = {.w = w, .what = "scale", .step = 0};
	uint64_t rng = base_seed() ^ 0x5ca1e;
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	world_init(w, base_seed() + 77, false, false, SIG_NONE);
	m = &w->m[2]; /* st.test. becomes the big zone */
	for (unsigned k = 0; k < 20000; k++) {
		snprintf(name, sizeof(name), "h%u.g%u.%s", k, k % 50, m->origin);
		snprintf(rd, sizeof(rd), "10.%u.%u.%u", k >> 16, (k >> 8) & 255, k & 255);
		add(m, name, TY_A, 300, rd);
	}
	zload_free(&w->z[2]);
	w->z[2] = model_load(m, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->z[2]);
	world_serials(w, serials);
	base = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);

	model_copy(&w->next, m);
	w->next.serial++;
	set_soa(&w->next);
	for (unsigned k = 0; k < 100; k++) {
		size_t i = rnd(&rng, (unsigned)w->next.n);

		/* Not a delegation's glue (taken out, the zone would not load) nor a name a
		 * patch leaves to a whole compile (at or below a cut or a DNAME). */
		if (w->next.r[i].type != TY_A || near_cut(&w->next, w->next.r[i].owner))
			continue;
		switch (k % 4) {
		case 0: /* an address */
		case 1:
			snprintf(w->next.r[i].rdata, sizeof(w->next.r[i].rdata), "10.200.%u.%u", k,
				 rnd(&rng, 256));
			break;
		case 2: /* a name removed */
			snprintf(name, sizeof(name), "%s", w->next.r[i].owner);
			del_owner(&w->next, name);
			break;
		default: /* a name added, deeper */
			snprintf(name, sizeof(name), "n%u.x%u.%s", k, rnd(&rng, 5), m->origin);
			add(&w->next, name, TY_A, 300, "10.201.0.1");
			break;
		}
	}
	nz = model_load(&w->next, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(nz);
	nchanged = changed_owners(m, &w->next, &changed);
	wnames = malloc((nchanged + 1) * sizeof(*wnames));
	CU_ASSERT_PTR_NOT_NULL_FATAL(wnames);
	for (size_t k = 0; k < nchanged; k++) {
		wnames[k] = malloc(strlen(changed[k]) + 2);
		tu_name_wire(wnames[k], changed[k]);
	}
	in = (zt_patch_in_t){.zone = nz,
			     .serial = w->next.serial,
			     .names = (const uint8_t *const *)wnames,
			     .nnames = nchanged};
	w->pz = 2;
#ifdef PATCH_TEST_SELFCHECK
	fake_world = w;
#endif
	ret = PATCH(base, &in, &out, err, sizeof(err));
	model_copy(&w->m[2], &w->next);
	zload_free(&w->z[2]);
	w->z[2] = nz;
	world_serials(w, serials);
	ref = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	if (ret == 0) {
		const struct rec **sorted = sorted_recs(&w->m[2]);

		npatched++;
		zt_free(&base);
		/* The names changed, their neighbours in the new version, 1,000 others. */
		for (size_t k = 0; k < nchanged; k++)
			names_around(&l, changed[k], &rng);
		for (size_t k = 0; k < w->m[2].n; k++) {
			bool near = false;

			for (size_t d = 0; d < nchanged && !near; d++)
				near = (k > 0 && strcmp(sorted[k - 1]->owner, changed[d]) == 0) ||
				       (k + 1 < w->m[2].n &&
					strcmp(sorted[k + 1]->owner, changed[d]) == 0);
			if (near)
				names_add(&l, sorted[k]->owner);
		}
		for (unsigned k = 0; k < 1000; k++) {
			if (k % 2)
				names_add(&l, w->m[2].r[rnd(&rng, (unsigned)w->m[2].n)].owner);
			else {
				snprintf(name, sizeof(name), "h%u.g%u.%s", rnd(&rng, 25000),
					 rnd(&rng, 60), m->origin);
				names_add(&l, name);
			}
		}
		names_uniq(&l);
		for (size_t n = 0; n < l.n; n++)
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				ask_both(&c, ref, out, l.v[n], types[t], 1, &variants[n % NVAR],
					 &rng);
		axfr_both(&c, ref, out, m->origin);
		free(sorted);
		names_free(&l);
		CU_ASSERT_EQUAL(c.diffs, 0);
		zt_free(&out);
	} else if (ret == ZT_PATCH_FULL) {
		fallback(err);
	} else {
		CU_FAIL("zt_patch failed on the big zone");
	}
	zt_free(&base);
	zt_free(&ref);
	for (size_t k = 0; k < nchanged; k++) {
		free(wnames[k]);
		free(changed[k]);
	}
	free(wnames);
	free(changed);
	world_free(w);
	free(w);
	report("scale");
}

#ifndef PATCH_TEST_SELFCHECK
/* A zone BASE does not serve is no patch: an error or ZT_PATCH_FULL, and no snapshot. */
/*
 * An NSEC3 zone's new version with NSEC3PARAM RD (another salt or iterations: another chain),
 * or with none (RD NULL: no longer NSEC3): zt_patch() must compile whole, saying why.
 */
static void nsec3param_change(const char *rd)
{
	struct world *w = calloc(1, sizeof(*w));
	unsigned long serials[NZ];
	char err[512] = "", *text = NULL, *at;
	size_t len = 0;
	zload_names_t *nm = NULL;
	const uint8_t *const *names;
	zload_zone_t *z;
	zt_t *base, *out = NULL;
	zt_patch_in_t in;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* NODATA split, no denial parts: the zone is one a patch may make. */
	zt_blobs_split_min = 0;
	zt_denial_budget = 0;
	world_init(w, base_seed(), false, false, SIG_NSEC3);
	world_serials(w, serials);
	base = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(zload_xfr_print(w->z[2], f), 0);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	at = strstr(text, "\tNSEC3PARAM\t1 0 0 -");
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	if (rd != NULL) {
		memcpy(at + strlen("\tNSEC3PARAM\t"), rd, strlen(rd)); /* as long as "1 0 0 -" */
	} else {
		char *eol = strchr(at, '\n'), *bol = at;

		while (bol > text && bol[-1] != '\n')
			bol--;
		memmove(bol, eol + 1, strlen(eol + 1) + 1);
	}
	z = zload_string(origins[2], text, "nsec3param", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL_FATAL(zload_changes(w->z[2], z, &nm), 0);
	names = zload_names_list(nm, &len);
	in = (zt_patch_in_t){.zone = z, .serial = serials[2], .names = names, .nnames = len};
	CU_ASSERT_EQUAL(zt_patch(base, &in, &out, err, sizeof(err)), ZT_PATCH_FULL);
	CU_ASSERT_PTR_NULL(out);
	if (strstr(err, "NSEC3PARAM") == NULL)
		fprintf(stderr, "\npatch: NSEC3PARAM %s: %s\n", rd != NULL ? rd : "taken out", err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NSEC3PARAM"));
	zt_free(&out);
	zt_free(&base);
	zload_names_free(&nm);
	zload_free(&z);
	free(text);
	world_free(w);
	free(w);
}

/* Another NSEC3PARAM, or none: the chain made again, by a whole compile. */
static void test_nsec3param(void)
{
	size_t was = zt_blobs_split_min, budget = zt_denial_budget;

	nsec3param_change("1 0 1 -");
	nsec3param_change(NULL);
	zt_blobs_split_min = was;
	zt_denial_budget = budget;
}

static void test_other_zone(void)
{
	static const char text[] = "other.test. 300 IN SOA ns.other.test. h.other.test. 1 2 3 4 5\n"
				   "other.test. 300 IN NS ns.other.test.\n"
				   "ns.other.test. 300 IN A 192.0.2.1\n";
	struct world *w = calloc(1, sizeof(*w));
	unsigned long serials[NZ];
	uint8_t name[64];
	const uint8_t *names[] = {name};
	char err[512] = "";
	zload_zone_t *z;
	zt_t *base, *out = NULL;
	zt_patch_in_t in;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	world_init(w, base_seed(), false, false, SIG_NONE);
	world_serials(w, serials);
	base = world_compile(w, w->z, serials);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	z = zload_string("other.test", text, "other", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	tu_name_wire(name, "other.test.");
	in = (zt_patch_in_t){.zone = z, .serial = 1, .names = names, .nnames = 1};
	CU_ASSERT_NOT_EQUAL(zt_patch(base, &in, &out, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(out);
	zt_free(&out);
	zt_free(&base);
	zload_free(&z);
	world_free(w);
	free(w);
}
#endif

#ifdef PATCH_TEST_SELFCHECK
/* The stand-in with each fault: the comparisons must find it; without one, nothing. */
static void test_selfcheck_faults(void)
{
	static const char *const fault_names[] = {"none", "a changed name left stale",
						  "a record's TTL moved", "the serial not moved",
						  "the snapshot's options lost"};

	for (int f = 0; f < FAULT_COUNT; f++) {
		unsigned long d;

		fake_fault = (enum fault)f;
		steps_compared = steps_differing = steps_faulty = 0;
		d = run_chain(base_seed() + 500, 8, f % 2 == 0, true, SIG_NONE);
		printf("\n  self-check: fault '%s': %lu differences found, in %lu of %lu patches "
		       "(the fault made in %lu)",
		       fault_names[f], d, steps_differing, steps_compared, steps_faulty);
		/* Every patch with the fault made is caught; none without. */
		CU_ASSERT_EQUAL(steps_differing, steps_faulty);
		if (f == FAULT_NONE) {
			CU_ASSERT_EQUAL(d, 0);
		} else {
			CU_ASSERT_TRUE(d > 0);
		}
	}
	fake_fault = FAULT_NONE;
	printf("\n");
}
#endif

void reg_cutest_patch(void)
{
	CU_pSuite s = CU_add_suite("patch", NULL, NULL);

	CU_add_test(s, "chains of random patches answer as zt_new", test_chains);
	CU_add_test(s, "signed zones re-signed at random answer as zt_new", test_signed_chains);
	CU_add_test(s, "a patch makes no NSEC3 extras (the budget is the compile's)",
		    test_n3_extras_not_patched);
	CU_add_test(s, "NSEC zones near and past their share: a patch measures as a compile",
		    test_nsec_fits);
	CU_add_test(s, "patched snapshots hold no more denial data than zt_denial_budget",
		    test_denial_budget);
	CU_add_test(s, "a patch keeps the wildcards' parts a compile keeps", test_wild_parts_order);
	CU_add_test(s,
		    "an NSEC zone's keys copied in runs: owners beside each other, ends, escapes",
		    test_nsec_keys_copied);
	CU_add_test(s, "kinds of change that must be patched", test_must_patch);
	CU_add_test(s, "20,000 records, 100 changes", test_scale);
#ifndef PATCH_TEST_SELFCHECK
	CU_add_test(s, "a zone the snapshot does not serve", test_other_zone);
	CU_add_test(s, "an NSEC3 zone's NSEC3PARAM changed compiles whole", test_nsec3param);
	CU_add_test(s, "zones added and taken out answer as zt_new", test_zones_come_go);
#endif
#ifdef PATCH_TEST_SELFCHECK
	CU_add_test(s, "self-check: the stand-in's faults are caught", test_selfcheck_faults);
#endif
}
