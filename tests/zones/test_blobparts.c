/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_blobparts.c: CUnit suite for a signed zone's answers kept in parts or left live
 * (zt_blobs.c: RRSIG questions live, NODATA with DO as the zone's SOA part and the node's proof):
 * every answer is the one the whole blobs gave, octet for octet
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cutest.h"
#include "resolve.h"
#include "sign.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"
#include "zt_build.h"
#include "zt_index.h"

/* Names under the SOA's MNAME and RNAME (their NODATA compresses further), a wildcard, a
 * delegation with DS and one without, a CNAME, a long name, names of many records. */
static const char zone_text[] =
    "$ORIGIN bp.test.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n@ NS ns2.other.test.\n@ MX 10 mail\nns1 A 192.0.2.1\nhostmaster TXT \"rname\"\n"
    "a.ns1 A 192.0.2.10\nwww A 192.0.2.2\nwww AAAA 2001:db8::2\na.b.c A 192.0.2.3\n"
    "*.wild A 192.0.2.7\n*.wild TXT \"w\"\nx.wild TXT \"x\"\nmail A 192.0.2.25\n"
    "alias CNAME www\nout CNAME www.other.test.\nsub NS ns.sub\nns.sub A 192.0.2.9\n"
    "sec NS ns.sec\nns.sec A 192.0.2.11\n"
    "sec DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "_sip._tcp SRV 10 5 5060 www\n";

/* The zone (and HOSTS names of many TXT records) signed with NSEC3 or NSEC. */
static zload_zone_t *signed_zone(bool nsec3)
{
	static const sign_params_t p0 = {13, true, false, 14 * 86400, 7 * 86400, 0};
	sign_params_t p = p0;
	char dir[64], err[1024];
	char *text = malloc(1 << 20);
	size_t off;
	zload_zone_t *z, *s;
	sign_keys_t *keys;
	time_t expires;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	off = (size_t)snprintf(text, 1 << 20, "%s", zone_text);
	for (int i = 0; i < 60; i++)
		off += (size_t)snprintf(text + off, (1 << 20) - off, "h%d A 192.0.2.%d\n", i, i);
	/* A long name: its NODATA with DO is over 512 octets. */
	for (int i = 0; i < 3; i++)
		off += (size_t)snprintf(text + off, (1 << 20) - off, "%s%c%059d", i ? "." : "",
					'a' + i, i);
	off += (size_t)snprintf(text + off, (1 << 20) - off, " A 192.0.2.40\n");
	/* An RRset whose answer with DO is over 1232 octets, and one over 4096. */
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(text + off, (1 << 20) - off,
					"big TXT \"%040d\"\nhuge TXT \"%0200d\"\n", i, i);
	p.nsec3 = nsec3;
	snprintf(dir, sizeof(dir), "/tmp/sandns-blobparts-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	keys = sign_keys_load(dir, "bp.test.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	z = zload_string("bp.test.", text, "bp.zone", NULL, NULL, err, sizeof(err));
	if (z == NULL)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s = sign_zone(z, NULL, 0, 1, keys, &p, NULL, time(NULL), &expires, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
	free(text);
	return s;
}

/* Z compiled with answers in parts and live (PARTS) or every one a whole blob. */
static zt_t *compile(zload_zone_t *z, bool parts)
{
	char err[1024];
	zt_t *t;

	size_t was = zt_blobs_split_min;

	zt_blobs_rrsig_live = parts;
	zt_blobs_split_min = parts ? 0 : SIZE_MAX;
	t = zt_new(&z, 1, NULL, err, sizeof(err));
	zt_blobs_rrsig_live = true;
	zt_blobs_split_min = was;
	if (t == NULL)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

/* A query for NAME (wire) and QTYPE; with EDNS of PAYLOAD (0: none) and DO. Its length. */
static size_t query(uint8_t *buf, const uint8_t *name, uint16_t qtype, uint16_t payload,
		    bool dnssec)
{
	size_t len = wire_name_len(name);
	size_t o = WIRE_HDR_LEN;

	memset(buf, 0, WIRE_HDR_LEN);
	wire_put16(buf, 0x4242);
	wire_put16(buf + 2, F_RD);
	wire_put16(buf + 4, 1);
	memcpy(buf + o, name, len);
	o += len;
	wire_put16(buf + o, qtype);
	wire_put16(buf + o + 2, C_IN);
	o += 4;
	if (payload != 0) {
		wire_put16(buf + 10, 1);
		buf[o] = 0;
		wire_put16(buf + o + 1, T_OPT);
		wire_put16(buf + o + 3, payload);
		wire_put32(buf + o + 5, dnssec ? 0x8000 : 0);
		wire_put16(buf + o + 9, 0);
		o += 11;
	}
	return o;
}

struct tally {
	unsigned asked, differ, rrsig, nodata_do, truncated;
};

/* NAME asked of OLD and NEW every way: the same octets each time. */
static void ask_both(const zt_t *old, const zt_t *now, const uint8_t *name, struct tally *tl)
{
	static const uint16_t types[] = {T_A,	T_AAAA,	 T_TXT,	  T_MX,		T_NS,	  T_SOA,
					 T_DS,	T_NSEC,	 T_NSEC3, T_NSEC3PARAM, T_DNSKEY, T_RRSIG,
					 T_ANY, T_CNAME, T_SRV,	  T_PTR};
	static const struct {
		uint8_t transport;
		uint16_t payload;
		bool dnssec;
	} ways[] = {{ZT_UDP, 0, false},	   {ZT_UDP, 512, true},	 {ZT_UDP, 1232, true},
		    {ZT_UDP, 1232, false}, {ZT_UDP, 4096, true}, {ZT_TCP, 0, false},
		    {ZT_TCP, 4096, true}};
	static uint8_t q[1024], r1[65536], r2[65536];

	for (size_t y = 0; y < sizeof(types) / sizeof(types[0]); y++)
		for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
			zt_answer_ctx_t ctx = {.transport = ways[w].transport};
			zt_answer_info_t i1, i2;
			size_t ql = query(q, name, types[y], ways[w].payload, ways[w].dnssec);
			size_t l1 = zt_answer(old, q, ql, r1, sizeof(r1), &ctx, &i1);
			size_t l2 = zt_answer(now, q, ql, r2, sizeof(r2), &ctx, &i2);

			tl->asked++;
			if (l1 != l2 || memcmp(r1, r2, l1) != 0 || i1.rcode != i2.rcode ||
			    i1.truncated != i2.truncated) {
				char text[WIRE_NAME_MAX * 4 + 1];

				wire_name_to_text(name, text, sizeof(text));
				if (tl->differ++ < 5)
					fprintf(stderr,
						"\n  %s type %u way %zu: %zu and %zu octets\n",
						text, types[y], w, l1, l2);
				continue;
			}
			tl->truncated += i1.truncated;
			if (l1 >= WIRE_HDR_LEN && types[y] == T_RRSIG && wire_get16(r1 + 6) > 0)
				tl->rrsig++;
			/* NOERROR, no answer, an authority with DO: a NODATA's proof. */
			if (l1 >= WIRE_HDR_LEN && ways[w].dnssec &&
			    (wire_get16(r1 + 2) & 0xf) == 0 && wire_get16(r1 + 6) == 0 &&
			    wire_get16(r1 + 8) >= 4)
				tl->nodata_do++;
		}
}

static void compare(bool nsec3)
{
	zload_zone_t *z = signed_zone(nsec3);
	zt_t *old = compile(z, false), *now = compile(z, true);
	struct tally tl = {0, 0, 0, 0, 0};
	unsigned split = 0, live = 0, shadow = 0;
	uint8_t name[WIRE_NAME_MAX + 1];

	/* The new snapshot: the same nodes, its answers in parts and live, and smaller. */
	CU_ASSERT_EQUAL_FATAL(old->nnodes, now->nnodes);
	for (uint32_t n = 0; n < now->nnodes; n++) {
		const zt_node_t *node = &now->nodes[n];

		split += node->ans_default_do == ZT_NODATA_SPLIT;
		for (uint32_t i = node->ans_do;
		     node->nans_do > 0 && i < node->ans_do + node->nans_do; i++)
			live += now->ans[i].qtype == T_RRSIG && now->ans[i].blob == ZT_LIVE;
	}
	CU_ASSERT(split > 60);
	CU_ASSERT(live > 60);
	CU_ASSERT(zt_memsize(now) < zt_memsize(old));
	/* Every name of the zone (NSEC3 owners too), a name below each, and the other case. */
	for (uint32_t n = 0; n < old->nnodes; n++) {
		const zt_node_t *node = &old->nodes[n];
		size_t len = node->name_len;

		shadow += (node->flags & ZN_SHADOW) != 0;
		memcpy(name, zt_node_name(old, node), len);
		ask_both(old, now, name, &tl);
		if (len + 3 <= WIRE_NAME_MAX) {
			name[0] = 2;
			memcpy(name + 1, "Nx", 2);
			memcpy(name + 3, zt_node_name(old, node), len);
			ask_both(old, now, name, &tl);
		}
		memcpy(name, zt_node_name(old, node), len);
		for (size_t k = 0; k < len; k++)
			if (name[k] >= 'a' && name[k] <= 'z')
				name[k] = (uint8_t)(name[k] - 32);
		ask_both(old, now, name, &tl);
	}
	CU_ASSERT_EQUAL(tl.differ, 0);
	CU_ASSERT(tl.rrsig > 60);
	CU_ASSERT(tl.nodata_do > 60 * 4);
	CU_ASSERT(tl.truncated > 0);
	if (nsec3)
		CU_ASSERT(shadow > 60); /* the NSEC3 owners were asked */
	zt_free(&old);
	zt_free(&now);
	zload_free(&z);
}

static void test_nsec3(void)
{
	compare(true);
}

static void test_nsec(void)
{
	compare(false);
}

void reg_cutest_blobparts(void)
{
	CU_pSuite s = CU_add_suite("blobparts", NULL, NULL);

	CU_add_test(s, "NSEC3: RRSIG live and NODATA with DO in parts answer as whole blobs",
		    test_nsec3);
	CU_add_test(s, "NSEC: RRSIG live and NODATA with DO in parts answer as whole blobs",
		    test_nsec);
}
