/* SPDX-License-Identifier: BSD-3-Clause */
/* test_nsec3.c: CUnit suite for NSEC3 hashing and the denial proofs of NSEC3 zones */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/sha.h>

#include "b32hex.h"
#include "cutest.h"
#include "nsec3.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zt.h"

/* RFC 5155 appendix A: salt aabbccdd, 12 iterations (ldns-nsec3-hash gives the same). */
static void test_hash_rfc5155(void)
{
	static const struct {
		const char *name, *hash;
	} v[] = {
	    {"example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
	    {"A.EXAMPLE", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
	    {"*.w.example", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
	    {"ns1.example", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
	};
	zt_zone_t zone = {.n3iter = 12, .n3saltlen = 4, .n3salt = {0xaa, 0xbb, 0xcc, 0xdd}};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t wire[WIRE_NAME_MAX + 1], label[NSEC3_LABEL_LEN];

		tu_name_wire(wire, v[i].name);
		nsec3_hash_label(&zone, wire, label);
		CU_ASSERT_EQUAL(memcmp(label, v[i].hash, NSEC3_LABEL_LEN), 0);
	}
}

/*
 * nsec3.c hashes a short input in one block it pads itself: the same hashes as OpenSSL's
 * SHA1() for names of every length around the one block's 55 octets and past it, salts of 0 to
 * 40 octets, 0 to 2 extra iterations.
 */
static void test_hash_lengths(void)
{
	for (unsigned nlen = 2; nlen <= 80; nlen++)
		for (unsigned slen = 0; slen <= 40; slen += 5)
			for (unsigned iter = 0; iter <= 2; iter++) {
				zt_zone_t zone = {.n3iter = (uint16_t)iter,
						  .n3saltlen = (uint8_t)slen};
				uint8_t wire[WIRE_NAME_MAX + 1], in[WIRE_NAME_MAX + 255];
				uint8_t md[SHA_DIGEST_LENGTH], want[NSEC3_LABEL_LEN],
				    got[NSEC3_LABEL_LEN];
				size_t o = 0;

				for (unsigned k = 0; k < slen; k++)
					zone.n3salt[k] = (uint8_t)(k * 37 + 1);
				/* Labels of up to 9 octets, then the root: about NLEN octets. */
				while (o + 2 < nlen) {
					size_t l = nlen - o - 2 < 9 ? nlen - o - 2 : 9;

					wire[o] = (uint8_t)l;
					for (size_t k = 1; k <= l; k++)
						wire[o + k] = (uint8_t)('a' + (o + k) % 26);
					o += l + 1;
				}
				wire[o++] = 0;
				memcpy(in, wire, o);
				memcpy(in + o, zone.n3salt, slen);
				SHA1(in, o + slen, md);
				for (unsigned k = 0; k < iter; k++) {
					memcpy(in, md, sizeof(md));
					memcpy(in + sizeof(md), zone.n3salt, slen);
					SHA1(in, sizeof(md) + slen, md);
				}
				b32hex_sha1(md, want);
				nsec3_hash_label(&zone, wire, got);
				CU_ASSERT_EQUAL(memcmp(got, want, NSEC3_LABEL_LEN), 0);
			}
}

/* Hashed owner label of NAME with no salt and no iteration, as text. */
static void hash0(const char *name, char out[NSEC3_LABEL_LEN + 1])
{
	zt_zone_t zone = {.n3iter = 0};
	uint8_t wire[WIRE_NAME_MAX + 1];

	tu_name_wire(wire, name);
	nsec3_hash_label(&zone, wire, (uint8_t *)out);
	out[NSEC3_LABEL_LEN] = 0;
}

/* How many records of TYPE the authority section of P holds. */
static size_t ns_count(ldns_pkt *p, ldns_rr_type type)
{
	ldns_rr_list *l = ldns_pkt_authority(p);
	size_t n = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(l, i)) == type;
	return n;
}

/* Asks T for NAME/QTYPE with DO over TCP; the parsed response or NULL. */
static ldns_pkt *ask_do(const zt_t *t, const char *name, uint16_t qtype)
{
	static uint8_t q[512], r[65535];
	static const uint8_t opt[] = {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0};
	const zt_answer_ctx_t ctx = {.transport = ZT_TCP};
	zt_answer_info_t info;
	size_t qlen = tu_query(q, 7, 0, name, qtype, 1), len;
	ldns_pkt *pkt = NULL;

	memcpy(q + qlen, opt, sizeof(opt));
	q[11] = 1; /* ARCOUNT */
	len = zt_answer(t, q, qlen + sizeof(opt), r, sizeof(r), &ctx, &info);
	if (len == 0 || ldns_wire2pkt(&pkt, r, len) != LDNS_STATUS_OK)
		return NULL;
	return pkt;
}

/*
 * A zone of two names whose NSEC3 chain has each: NXDOMAIN proves the closest encloser, the
 * next closer name and the wildcard with the two NSEC3 (duplicates left out); NODATA gives the
 * name's own; the owners are no names (NXDOMAIN); without NSEC3PARAM no NSEC3 is given.
 */
static void test_proofs(void)
{
	char apex[NSEC3_LABEL_LEN + 1], www[NSEC3_LABEL_LEN + 1], text[2048], err[512];
	const char *params[] = {"@ NSEC3PARAM 1 0 0 -\n", ""};

	hash0("n3.test", apex);
	hash0("www.n3.test", www);
	for (int k = 0; k < 2; k++) {
		zload_zone_t *z;
		zt_t *t;
		ldns_pkt *p;
		char owner[64];

		snprintf(text, sizeof(text),
			 "$ORIGIN n3.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 60\n@ NS ns1.x.\n"
			 "@ DNSKEY 257 3 13 AAAA\n%s"
			 "www A 192.0.2.1\n%s NSEC3 1 0 0 - %s NS SOA DNSKEY NSEC3PARAM\n"
			 "%s NSEC3 1 0 0 - %s A\n",
			 params[k], apex, www, www, apex);
		z = zload_string("n3.test.", text, "n3.zone", NULL, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(z);
		t = zt_new(&z, 1, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		p = ask_do(t, "nx.n3.test", T_A);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
		CU_ASSERT_EQUAL(ns_count(p, LDNS_RR_TYPE_SOA), 1);
		CU_ASSERT_EQUAL(ns_count(p, LDNS_RR_TYPE_NSEC3), k == 0 ? 2u : 0u);
		ldns_pkt_free(p);
		p = ask_do(t, "www.n3.test", T_TXT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		CU_ASSERT_EQUAL(ns_count(p, LDNS_RR_TYPE_NSEC3), k == 0 ? 1u : 0u);
		if (k == 0 && ns_count(p, LDNS_RR_TYPE_NSEC3) == 1) {
			ldns_rr_list *l = ldns_pkt_authority(p);
			char *o = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(l, 1)));

			snprintf(owner, sizeof(owner), "%s.n3.test.", www);
			CU_ASSERT_STRING_EQUAL(o, owner);
			free(o);
		}
		ldns_pkt_free(p);
		snprintf(owner, sizeof(owner), "%s.n3.test", www);
		p = ask_do(t, owner, T_NSEC3);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
		ldns_pkt_free(p);
		zt_free(&t);
		zload_free(&z); /* zt_new() only read it */
	}
}

void reg_cutest_nsec3(void)
{
	CU_pSuite s = CU_add_suite("nsec3", NULL, NULL);

	CU_add_test(s, "NSEC3 hashes of RFC 5155 appendix A", test_hash_rfc5155);
	CU_add_test(s, "NSEC3 hashes of inputs around one SHA-1 block", test_hash_lengths);
	CU_add_test(s, "NXDOMAIN, NODATA and owner names of an NSEC3 zone", test_proofs);
}
