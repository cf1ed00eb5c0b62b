/* SPDX-License-Identifier: BSD-3-Clause */
/* test_sign.c: CUnit suite for the signer: keys made and read back, signatures, NSEC chains */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "cutest.h"
#include "sign.h"
#include "sign_pvt.h"
#include "tutil.h"
#include "wire.h"
#include "zload.h"
#include "zload_pvt.h"

static const char zone_text[] = "$ORIGIN example.com.\n$TTL 3600\n"
				"@ IN SOA ns1 hostmaster 2024060101 7200 3600 1209600 300\n"
				"@ IN NS ns1\n@ IN NS ns.other.net.\n@ IN A 198.18.0.10\n"
				"@ IN MX 10 mail\nns1 IN A 198.18.0.53\nmail IN A 198.18.0.25\n"
				"autodiscover 300 IN A 198.18.0.25\n"
				"a.b.c IN TXT \"an empty non-terminal above\"\n"
				"sub IN NS ns.sub\nns.sub IN A 198.18.0.99\n"
				"*.w IN A 198.18.0.80\n";

/* A fresh key directory (removed with its files by tu_rm_dir). */
static void tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/sandns-sign-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(buf));
}

static const sign_params_t csk13 = {13, true, false, 14 * 86400, 7 * 86400, 0};

/* Keys made once, read back the same; .private mode 0600; a KSK+ZSK policy makes two. */
static void test_keys_made_and_read(void)
{
	char dir[64], err[1024];
	sign_params_t split = csk13;
	sign_keys_t *k1, *k2;
	bool made = false;
	struct stat st;

	tmp_dir(dir, sizeof(dir));
	k1 = sign_keys_load(dir, "Example.COM", &csk13, true, &made, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k1);
	CU_ASSERT_TRUE(made);
	CU_ASSERT_EQUAL(sign_keys_count(k1), 1);
	CU_ASSERT_EQUAL(sign_key_flags(k1, 0), 257);
	CU_ASSERT_EQUAL(sign_key_algorithm(k1, 0), 13);
	CU_ASSERT_EQUAL(stat(sign_key_file(k1, 0), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_PTR_NOT_NULL(strstr(sign_key_file(k1, 0), "/Kexample.com.+013+"));
	k2 = sign_keys_load(dir, "example.com.", &csk13, false, &made, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k2);
	CU_ASSERT_FALSE(made);
	CU_ASSERT_EQUAL(sign_key_tag(k1, 0), sign_key_tag(k2, 0));
	CU_ASSERT_EQUAL(sign_keys_hash(k1), sign_keys_hash(k2));
	sign_keys_free(&k2);
	/* A KSK+ZSK policy keeps the KSK and adds a ZSK. */
	split.csk = false;
	k2 = sign_keys_load(dir, "example.com.", &split, true, &made, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k2);
	CU_ASSERT_TRUE(made);
	CU_ASSERT_EQUAL(sign_keys_count(k2), 2);
	CU_ASSERT_NOT_EQUAL(sign_keys_hash(k1), sign_keys_hash(k2));
	sign_keys_free(&k2);
	/* Ed25519 keys are another algorithm: made beside. */
	split.algorithm = 15;
	k2 = sign_keys_load(dir, "example.com.", &split, true, &made, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k2);
	CU_ASSERT_EQUAL(sign_keys_count(k2), 2);
	CU_ASSERT_EQUAL(sign_key_algorithm(k2, 0), 15);
	sign_keys_free(&k2);
	sign_keys_free(&k1);
	tu_rm_dir(dir);
}

/* A .key that is not the .private's half, a missing key, an algorithm we do not sign with. */
static void test_keys_bad(void)
{
	char dir[64], dir2[64], err[1024], cmd[512];
	sign_params_t p = csk13;
	sign_keys_t *k1, *k2;

	tmp_dir(dir, sizeof(dir));
	tmp_dir(dir2, sizeof(dir2));
	k1 = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	k2 = sign_keys_load(dir2, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k2);
	/* dir's .key replaced by dir2's (its name kept): mismatched. */
	snprintf(cmd, sizeof(cmd), "cat %s/*.key > %.*s.key", dir2,
		 (int)(strlen(sign_key_file(k1, 0)) - 8), sign_key_file(k1, 0));
	CU_ASSERT_EQUAL(system(cmd), 0);
	sign_keys_free(&k1);
	sign_keys_free(&k2);
	k1 = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(k1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ".key"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mismatched"));
	/* No key and none to be made. */
	k1 = sign_keys_load(dir2, "example.net.", &p, false, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(k1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no key-signing key"));
	p.algorithm = 8;
	k1 = sign_keys_load(dir2, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(k1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not supported"));
	CU_ASSERT_EQUAL(sign_alg_parse("ecdsap256sha256"), 13);
	CU_ASSERT_EQUAL(sign_alg_parse("ED25519"), 15);
	CU_ASSERT_EQUAL(sign_alg_parse("rsasha256"), 0);
	tu_rm_dir(dir);
	tu_rm_dir(dir2);
}

/*
 * A .key file's owner read as written: ldns alone takes one that starts with "@" for the origin
 * (the zone), so a key of "@evil.test." passed for x.test.'s. A zone whose name starts with
 * "@" keeps its keys (written by ldns with the "@" bare).
 */
static void test_keys_owner_at(void)
{
	char dir[64], err[1024], cmd[512];
	sign_keys_t *k;

	tmp_dir(dir, sizeof(dir));
	k = sign_keys_load(dir, "x.test.", &csk13, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	snprintf(cmd, sizeof(cmd), "sed -i 's/^x\\.test\\./@evil.test./' %.*s.key",
		 (int)(strlen(sign_key_file(k, 0)) - 8), sign_key_file(k, 0));
	CU_ASSERT_EQUAL(system(cmd), 0);
	sign_keys_free(&k);
	k = sign_keys_load(dir, "x.test.", &csk13, false, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a DNSKEY record of the zone"));
	sign_keys_free(&k);
	tu_rm_dir(dir);
	/* Zones "@x.test." and "\@y.test." (the same label written two ways): read back. */
	for (int i = 0; i < 2; i++) {
		const char *zone = i == 0 ? "@x.test." : "\\@y.test.";
		bool made = false;
		char *text;

		tmp_dir(dir, sizeof(dir));
		k = sign_keys_load(dir, zone, &csk13, true, &made, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		CU_ASSERT_TRUE(made);
		sign_keys_free(&k);
		k = sign_keys_load(dir, zone, &csk13, false, &made, err, sizeof(err));
		if (k == NULL)
			fprintf(stderr, "\n  %s: %s\n", zone, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		CU_ASSERT_FALSE(made);
		/* ldns's presentation form: the label "@x" or "@y" written bare */
		text = sign_key_dnskey(k, 0);
		CU_ASSERT_PTR_NOT_NULL(text);
		CU_ASSERT_EQUAL(
		    strncmp(text != NULL ? text : "", i == 0 ? "@x.test. " : "@y.test. ", 9), 0);
		free(text);
		sign_keys_free(&k);
		tu_rm_dir(dir);
	}
}

/*
 * K<zone>+013+<tag> as the key tools spell the zone in a file name: dnssec-keygen each octet
 * other than a letter, digit, '-' or '_' as %XX ("a\.b.test." is "a%2Eb.test."), ldns-keygen
 * as ldns prints the name ('@' bare). Moves the key sandns made in DIR for a zone spelt FROM to
 * the spelling TO: the key must still be read, it is the zone's.
 */
static void respell(const char *dir, const char *zone, const char *from, const char *to)
{
	char err[1024], a[512], b[512];
	sign_keys_t *k = sign_keys_load(dir, zone, &csk13, true, NULL, err, sizeof(err));
	const char *tag;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	/* DIR/K<from>+013+<tag>.private: the tag and its suffix */
	tag = sign_key_file(k, 0) + strlen(dir) + 2 + strlen(from) + 5;
	for (int i = 0; i < 2; i++) {
		const char *ext = i == 0 ? "private" : "key";

		snprintf(a, sizeof(a), "%s/K%s+013+%.5s.%s", dir, from, tag, ext);
		snprintf(b, sizeof(b), "%s/K%s+013+%.5s.%s", dir, to, tag, ext);
		CU_ASSERT_EQUAL(rename(a, b), 0);
	}
	sign_keys_free(&k);
}

/*
 * Keys of a zone with escapes or '@' in its name, in files named as dnssec-keygen or
 * ldns-keygen name them (not as the configuration spells the zone), are read and the zone's;
 * a file spelt so that holds another zone's key (a name can be written "a%2Eb" too) is left
 * alone, not an error.
 */
static void test_keys_other_spellings(void)
{
	static const struct {
		const char *zone, *spelt;
	} cases[] = {
	    {"a\\.b.test.", "a%2Eb.test."},	    /* dnssec-keygen */
	    {"Semi\\;X.test.", "semi%3Bx.test."},   /* dnssec-keygen, lower case */
	    {"q\\@y.test.", "q%40y.test."},	    /* dnssec-keygen */
	    {"q\\@y.test.", "q@y.test."},	    /* ldns-keygen */
	    {"sp\\ ace.test.", "sp\\032ace.test."}, /* ldns-keygen */
	};
	char dir[64], err[1024];
	sign_keys_t *k;
	bool made = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char own[300];

		snprintf(own, sizeof(own), "%s", cases[i].zone);
		for (char *c = own; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		tmp_dir(dir, sizeof(dir));
		respell(dir, cases[i].zone, own, cases[i].spelt);
		k = sign_keys_load(dir, cases[i].zone, &csk13, false, &made, err, sizeof(err));
		if (k == NULL)
			fprintf(stderr, "\n  %s in K%s: %s\n", cases[i].zone, cases[i].spelt, err);
		CU_ASSERT_PTR_NOT_NULL(k);
		CU_ASSERT_FALSE(made);
		CU_ASSERT_EQUAL(sign_keys_count(k), 1);
		sign_keys_free(&k);
		tu_rm_dir(dir);
	}
	/* The zone "a%2Eb.test." (a '%' in its label) has its keys beside a\.b.test.'s. */
	tmp_dir(dir, sizeof(dir));
	k = sign_keys_load(dir, "a%2Eb.test.", &csk13, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	sign_keys_free(&k);
	k = sign_keys_load(dir, "a\\.b.test.", &csk13, true, &made, err, sizeof(err));
	if (k == NULL)
		fprintf(stderr, "\n  a\\.b.test.: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(k);
	CU_ASSERT_TRUE(made);
	CU_ASSERT_EQUAL(sign_keys_count(k), 1);
	sign_keys_free(&k);
	k = sign_keys_load(dir, "a\\.b.test.", &csk13, false, &made, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(k);
	CU_ASSERT_FALSE(made);
	sign_keys_free(&k);
	tu_rm_dir(dir);
}

/* Every record of Z as ldns records. */
static ldns_rr_list *records(const zload_zone_t *z)
{
	ldns_rr_list *l = ldns_rr_list_new();

	for (size_t i = 0; i < z->nrecs; i++)
		ldns_rr_list_push_rr(l, zload_rr(z, i));
	return l;
}

/* How many RRsets of L (not RRSIG; not NS below the apex, nor glue) verify; *SETS: how many. */
static size_t verified_sets(ldns_rr_list *l, ldns_rr_list *keys, size_t *sets)
{
	ldns_rdf *sub = ldns_dname_new_frm_str("sub.example.com.");
	size_t ok = 0;

	*sets = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		ldns_rr_list *set, *sigs, *good;
		bool first = true, delegated;

		for (size_t j = 0; j < i && first; j++)
			first = !(ldns_rr_get_type(ldns_rr_list_rr(l, j)) == t &&
				  ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(l, j)),
						     ldns_rr_owner(rr)) == 0);
		/* sub's NS and ns.sub's glue are not signed (RFC 4035 2.2); sub's NSEC is. */
		delegated =
		    ldns_dname_is_subdomain(ldns_rr_owner(rr), sub) && t != LDNS_RR_TYPE_NSEC;
		delegated = delegated || (t == LDNS_RR_TYPE_NS &&
					  ldns_dname_compare(ldns_rr_owner(rr), sub) == 0);
		if (!first || t == LDNS_RR_TYPE_RRSIG || delegated)
			continue;
		(*sets)++;
		set = ldns_rr_list_new();
		sigs = ldns_rr_list_new();
		for (size_t j = 0; j < ldns_rr_list_rr_count(l); j++) {
			ldns_rr *o = ldns_rr_list_rr(l, j);

			if (ldns_dname_compare(ldns_rr_owner(o), ldns_rr_owner(rr)) != 0)
				continue;
			if (ldns_rr_get_type(o) == t)
				ldns_rr_list_push_rr(set, o);
			else if (ldns_rr_get_type(o) == LDNS_RR_TYPE_RRSIG &&
				 ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(o)) == t)
				ldns_rr_list_push_rr(sigs, o);
		}
		good = ldns_rr_list_new();
		if (ldns_rr_list_rr_count(sigs) > 0 &&
		    ldns_verify_rrsig_keylist(set, ldns_rr_list_rr(sigs, 0), keys, good) ==
			LDNS_STATUS_OK)
			ok++;
		ldns_rr_list_free(good);
		ldns_rr_list_free(set);
		ldns_rr_list_free(sigs);
	}
	ldns_rdf_deep_free(sub);
	return ok;
}

static ldns_rr_list *of_type(ldns_rr_list *l, ldns_rr_type t)
{
	ldns_rr_list *out = ldns_rr_list_new();

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t)
			ldns_rr_list_push_rr(out, ldns_rr_list_rr(l, i));
	return out;
}

/* The zone signed with KSK+ZSK and NSEC: every set verifies, the NSEC chain is whole. */
static void sign_and_check(uint8_t alg, bool csk, bool nsec3)
{
	static const zload_edit_t edits[] = {
	    {ZLOAD_EDIT_WITHHOLD, "autodiscover.example.com.", 1, 0, NULL},
	    {ZLOAD_EDIT_EMPTY_NODE, "autodiscover.example.com.", 0, 0, NULL},
	    {ZLOAD_EDIT_ADD, "_autodiscover._tcp.example.com.", 33, 3600,
	     "0 0 443 mail.example.com."},
	};
	sign_params_t p = {alg, csk, nsec3, 86400, 3600, 0};
	char dir[64], err[1024];
	zload_zone_t *z =
	    zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	sign_keys_t *keys;
	zload_zone_t *s;
	ldns_rr_list *l, *dnskeys, *chain;
	time_t expires = 0;
	size_t sets = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	s = sign_zone(z, edits, 3, 2024060102, keys, &p, NULL, time(NULL), &expires, NULL, err,
		      sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(zload_is_signed(s));
	CU_ASSERT_EQUAL(zload_serial(s), 2024060102);
	CU_ASSERT(expires > time(NULL) + 86000);
	l = records(s);
	dnskeys = of_type(l, LDNS_RR_TYPE_DNSKEY);
	CU_ASSERT_EQUAL(ldns_rr_list_rr_count(dnskeys), csk ? 1 : 2);
	/* apex SOA NS A MX DNSKEY (NSEC3PARAM), ns1 A, mail A, a.b.c TXT, sub? (NS unsigned),
	 * *.w A, the SRV, and the chain's own records. */
	CU_ASSERT_EQUAL(verified_sets(l, dnskeys, &sets), sets);
	CU_ASSERT(sets >= 10);
	chain = of_type(l, nsec3 ? LDNS_RR_TYPE_NSEC3 : LDNS_RR_TYPE_NSEC);
	if (!nsec3) {
		/* apex, _autodiscover._tcp, a.b.c, autodiscover (empty node), mail, ns1, sub,
		 * *.w: 8 names, each NSEC naming the next in canonical order, the last the apex. */
		ldns_rr_list_sort(chain);
		CU_ASSERT_EQUAL(ldns_rr_list_rr_count(chain), 8);
		for (size_t i = 0; i < ldns_rr_list_rr_count(chain); i++) {
			ldns_rr *rr = ldns_rr_list_rr(chain, i);
			size_t covered = 0;
			char *owner = ldns_rdf2str(ldns_rr_owner(rr));

			for (size_t j = 0; j < ldns_rr_list_rr_count(chain); j++)
				covered += ldns_dname_compare(
					       ldns_rr_rdf(rr, 0),
					       ldns_rr_owner(ldns_rr_list_rr(chain, j))) == 0;
			CU_ASSERT_EQUAL(covered, 1);
			if (strcmp(owner, "autodiscover.example.com.") == 0) {
				/* withheld A: its NSEC says NSEC and RRSIG only */
				CU_ASSERT_FALSE(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(rr, 1),
									     LDNS_RR_TYPE_A));
				CU_ASSERT_TRUE(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(rr, 1),
									    LDNS_RR_TYPE_RRSIG));
			}
			free(owner);
		}
	} else {
		ldns_rr_list *param = of_type(l, LDNS_RR_TYPE_NSEC3PARAM);

		/* the 8 names and the empty non-terminals _tcp, b.c, c and w (RFC 5155 7.1) */
		CU_ASSERT_EQUAL(ldns_rr_list_rr_count(chain), 12);
		CU_ASSERT_EQUAL_FATAL(ldns_rr_list_rr_count(param), 1);
		CU_ASSERT_EQUAL(ldns_nsec3_iterations(ldns_rr_list_rr(param, 0)), 0);
		CU_ASSERT_EQUAL(ldns_nsec3_salt_length(ldns_rr_list_rr(param, 0)), 0);
		ldns_rr_list_free(param);
	}
	ldns_rr_list_free(chain);
	ldns_rr_list_free(dnskeys);
	ldns_rr_list_deep_free(l);
	zload_free(&s);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

static void test_sign_csk13_nsec(void)
{
	sign_and_check(13, true, false);
}

static void test_sign_kskzsk13_nsec3(void)
{
	sign_and_check(13, false, true);
}

static void test_sign_csk15_nsec3(void)
{
	sign_and_check(15, true, true);
}

static void test_sign_kskzsk15_nsec(void)
{
	sign_and_check(15, false, false);
}

/* Signed again after a change: the unchanged RRsets keep their signatures, all verify. */
static void test_reuse(void)
{
	sign_params_t p = {13, false, true, 86400, 3600, 0};
	char dir[64], err[1024], text[2048];
	zload_zone_t *z1, *z2, *s1, *s2;
	sign_keys_t *keys;
	ldns_rr_list *l, *dnskeys, *sigs1, *sigs2;
	size_t reused = 0, sets = 0, same = 0;
	time_t e1, e2, now = time(NULL);

	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	z1 = zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	snprintf(text, sizeof(text), "%smail IN TXT \"new\"\n", zone_text);
	z2 = zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z2);
	s1 = sign_zone(z1, NULL, 0, 5, keys, &p, NULL, now - 60, &e1, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	s2 = sign_zone(z2, NULL, 0, 6, keys, &p, s1, now, &e2, &reused, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	/* apex NS A MX DNSKEY, ns1 A, a.b.c TXT, *.w A (mail's A too): kept; SOA, NSEC3 new */
	CU_ASSERT(reused >= 7);
	CU_ASSERT_EQUAL(e2, e1); /* the first to expire: those kept */
	l = records(s2);
	dnskeys = of_type(l, LDNS_RR_TYPE_DNSKEY);
	CU_ASSERT_EQUAL(verified_sets(l, dnskeys, &sets), sets);
	/* The RRSIG over ns1's A is the very same record; the SOA's is not. */
	sigs1 = records(s1);
	sigs2 = of_type(l, LDNS_RR_TYPE_RRSIG);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs2); i++)
		for (size_t j = 0; j < ldns_rr_list_rr_count(sigs1); j++)
			same += ldns_rr_compare(ldns_rr_list_rr(sigs2, i),
						ldns_rr_list_rr(sigs1, j)) == 0 &&
				ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(
				    ldns_rr_list_rr(sigs2, i))) == LDNS_RR_TYPE_SOA;
	CU_ASSERT_EQUAL(same, 0);
	ldns_rr_list_deep_free(sigs1);
	ldns_rr_list_free(sigs2);
	ldns_rr_list_free(dnskeys);
	ldns_rr_list_deep_free(l);
	zload_free(&s1);
	zload_free(&s2);
	zload_free(&z1);
	zload_free(&z2);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/* A presigned zone set to be signed: refused, naming the zone. */
static void test_presigned_refused(void)
{
	char dir[64], err[1024], text[2048];
	sign_keys_t *keys;
	zload_zone_t *z, *s;
	time_t expires;

	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &csk13, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	snprintf(text, sizeof(text), "%s%s", zone_text, "@ IN DNSKEY 257 3 13 AAAA\n");
	z = zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s = sign_zone(z, NULL, 0, 1, keys, &csk13, NULL, time(NULL), &expires, NULL, err,
		      sizeof(err));
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "example.com."));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "presigned"));
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/* RFC 4034 6.2: names in the data of the types listed there lower-cased, nothing else. */
static void test_canonical_rdata(void)
{
	static const struct {
		uint16_t type;
		const char *text;
		const char *want;
	} cases[] = {
	    {LDNS_RR_TYPE_NS, "NS1.Example.COM.", "ns1.example.com."},
	    {LDNS_RR_TYPE_CNAME, "WWW.Example.com.", "www.example.com."},
	    {LDNS_RR_TYPE_MX, "10 MAIL.Example.com.", "10 mail.example.com."},
	    {LDNS_RR_TYPE_SRV, "0 5 443 Mail.EXAMPLE.com.", "0 5 443 mail.example.com."},
	    {LDNS_RR_TYPE_SOA, "NS1.X. Host.X. 1 2 3 4 5", "ns1.x. host.x. 1 2 3 4 5"},
	    {LDNS_RR_TYPE_NAPTR, "1 2 \"U\" \"E2U+sip\" \"!^.*$!X!\" Sip.X.",
	     "1 2 \"U\" \"E2U+sip\" \"!^.*$!X!\" sip.x."},
	    {LDNS_RR_TYPE_DNAME, "Other.ORG.", "other.org."},
	    {LDNS_RR_TYPE_PTR, "Host.X.", "host.x."},
	    /* not in the list: kept as is */
	    {LDNS_RR_TYPE_TXT, "\"MiXeD Case\"", "\"MiXeD Case\""},
	    {LDNS_RR_TYPE_HINFO, "\"INTEL\" \"Linux\"", "\"INTEL\" \"Linux\""},
	    {LDNS_RR_TYPE_NSEC, "Next.X. A", "Next.X. A"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[512];
		ldns_rr *in = NULL, *want = NULL;
		ldns_buffer *a = ldns_buffer_new(512), *b = ldns_buffer_new(512);
		uint8_t out[512];

		snprintf(line, sizeof(line), "x. 300 IN %s %s",
			 ldns_rr_descript(cases[i].type)->_name, cases[i].text);
		CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&in, line, 0, NULL, NULL),
				      LDNS_STATUS_OK);
		snprintf(line, sizeof(line), "x. 300 IN %s %s",
			 ldns_rr_descript(cases[i].type)->_name, cases[i].want);
		CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&want, line, 0, NULL, NULL),
				      LDNS_STATUS_OK);
		ldns_rr_rdata2buffer_wire(a, in);
		ldns_rr_rdata2buffer_wire(b, want);
		CU_ASSERT_EQUAL_FATAL(ldns_buffer_position(a), ldns_buffer_position(b));
		sign_canon_rdata(cases[i].type, ldns_buffer_begin(a), ldns_buffer_position(a), out);
		if (memcmp(out, ldns_buffer_begin(b), ldns_buffer_position(b)) != 0)
			fprintf(stderr, "canonical form of %s wrong\n", line);
		CU_ASSERT_EQUAL(memcmp(out, ldns_buffer_begin(b), ldns_buffer_position(b)), 0);
		ldns_rr_free(in);
		ldns_rr_free(want);
		ldns_buffer_free(a);
		ldns_buffer_free(b);
	}
}

/*
 * Every RRset of L (not RRSIG) that is signed verifies with KEYS: L sorted, each owner's sets
 * and their RRSIGs side by side (linear, for large zones). How many sets, *SIGNED of them
 * signed, all checked.
 */
static size_t verify_all(ldns_rr_list *l, ldns_rr_list *keys, size_t *signed_sets)
{
	size_t n = ldns_rr_list_rr_count(l), sets = 0, ok = 0;

	*signed_sets = 0;
	ldns_rr_list_sort(l);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(l, j)),
						   ldns_rr_owner(ldns_rr_list_rr(l, i))) == 0)
			j++;
		for (size_t a = i; a < j; a++) {
			ldns_rr_type t = ldns_rr_get_type(ldns_rr_list_rr(l, a));
			ldns_rr_list *set, *good;
			size_t nsig = 0;
			bool all = true;

			if (t == LDNS_RR_TYPE_RRSIG ||
			    (a > i && ldns_rr_get_type(ldns_rr_list_rr(l, a - 1)) == t))
				continue;
			sets++;
			set = ldns_rr_list_new();
			for (size_t b = a; b < j && ldns_rr_get_type(ldns_rr_list_rr(l, b)) == t;
			     b++)
				ldns_rr_list_push_rr(set, ldns_rr_list_rr(l, b));
			for (size_t b = i; b < j; b++) {
				ldns_rr *sig = ldns_rr_list_rr(l, b);

				if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG ||
				    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)) != t)
					continue;
				good = ldns_rr_list_new();
				all = all && ldns_verify_rrsig_keylist(set, sig, keys, good) ==
						 LDNS_STATUS_OK;
				ldns_rr_list_free(good);
				nsig++;
			}
			*signed_sets += nsig > 0;
			ok += nsig > 0 && all;
			ldns_rr_list_free(set);
		}
		i = j;
	}
	CU_ASSERT_EQUAL(ok, *signed_sets);
	return sets;
}

/*
 * Mixed case in owners and in the data of NS, MX, SRV, CNAME (lower-cased when signed) and TXT
 * (kept): every set verifies. An ECDSA signature is RFC 6605's r||s: 64 octets that OpenSSL
 * verifies as the two integers over the signed data libldns builds.
 */
static void test_canonical_signed(void)
{
	static const char text[] =
	    "$ORIGIN Example.COM.\n$TTL 3600\n"
	    "@ IN SOA NS1 HostMaster 1 7200 3600 1209600 300\n"
	    "@ IN NS NS1\n@ IN NS ns.Other.NET.\n@ IN MX 10 MAIL.example.com.\n"
	    "@ IN MX 20 mx2.EXAMPLE.com.\nNS1 IN A 198.18.0.53\n"
	    "Mail IN A 198.18.0.25\nmail IN TXT \"MiXeD Case\"\n"
	    "mail IN TXT \"another\"\n_sip._TCP IN SRV 0 5 5060 Mail.Example.com.\n"
	    "WWW IN CNAME Mail.EXAMPLE.com.\n";
	sign_params_t p = {13, true, true, 86400, 3600, 0};
	char dir[64], err[1024];
	zload_zone_t *z =
	    zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	sign_keys_t *keys;
	zload_zone_t *s;
	ldns_rr_list *l, *dnskeys, *sigs;
	size_t sets, signed_sets, checked = 0;
	time_t expires;

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	s = sign_zone(z, NULL, 0, 2, keys, &p, NULL, time(NULL), &expires, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	l = records(s);
	dnskeys = of_type(l, LDNS_RR_TYPE_DNSKEY);
	sets = verify_all(l, dnskeys, &signed_sets);
	/* apex SOA NS MX DNSKEY NSEC3PARAM, ns1 A, mail A TXT, SRV, CNAME, 6 NSEC3 (with _tcp) */
	CU_ASSERT_EQUAL(signed_sets, sets);
	CU_ASSERT_EQUAL(sets, 16);
	sigs = of_type(l, LDNS_RR_TYPE_RRSIG);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		ldns_rr_type t = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig));
		const ldns_rdf *raw = ldns_rr_rrsig_sig(sig);
		ldns_rr_list *set = ldns_rr_list_new();
		ldns_buffer *buf = ldns_buffer_new(4096);
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *der = NULL;
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		int derlen;

		CU_ASSERT_EQUAL(ldns_rdf_size(raw), 64);
		for (size_t j = 0; j < ldns_rr_list_rr_count(l); j++) {
			ldns_rr *rr = ldns_rr_list_rr(l, j);

			if (ldns_rr_get_type(rr) == t &&
			    ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(sig)) == 0) {
				ldns_rr *c = ldns_rr_clone(rr);

				ldns_rr2canonical(c);
				ldns_rr_set_ttl(c,
						ldns_rdf2native_int32(ldns_rr_rrsig_origttl(sig)));
				ldns_rr_list_push_rr(set, c);
			}
		}
		ldns_rr_list_sort(set);
		/* the signed data: RRSIG's data without the signature, then the set (3.1.8.1) */
		CU_ASSERT_EQUAL(ldns_rrsig2buffer_wire(buf, sig), LDNS_STATUS_OK);
		CU_ASSERT_EQUAL(ldns_rr_list2buffer_wire(buf, set), LDNS_STATUS_OK);
		ECDSA_SIG_set0(es, BN_bin2bn(ldns_rdf_data(raw), 32, NULL),
			       BN_bin2bn(ldns_rdf_data(raw) + 32, 32, NULL));
		derlen = i2d_ECDSA_SIG(es, &der);
		CU_ASSERT(derlen > 0);
		CU_ASSERT_EQUAL(
		    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, sign_key_pkey(keys, 0)), 1);
		CU_ASSERT_EQUAL(EVP_DigestVerify(md, der, (size_t)derlen, ldns_buffer_begin(buf),
						 ldns_buffer_position(buf)),
				1);
		checked++;
		EVP_MD_CTX_free(md);
		OPENSSL_free(der);
		ECDSA_SIG_free(es);
		ldns_buffer_free(buf);
		ldns_rr_list_deep_free(set);
	}
	CU_ASSERT_EQUAL(checked, 16);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(dnskeys);
	ldns_rr_list_deep_free(l);
	zload_free(&s);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/* A zone of HOSTS hosts (and a delegation) in zone text, malloc'd. */
static char *hosts_zone(size_t hosts)
{
	size_t cap = 256 + hosts * 48, len;
	char *t = malloc(cap);

	len = (size_t)snprintf(t, cap,
			       "$ORIGIN example.com.\n$TTL 3600\n"
			       "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
			       "@ IN NS ns1\nns1 IN A 198.18.0.53\nsub IN NS ns.sub\n"
			       "ns.sub IN A 198.18.0.99\n");
	for (size_t h = 0; h < hosts; h++)
		len += (size_t)snprintf(t + len, cap - len, "H%05zu.Dept%zu IN A 10.0.%zu.%zu\n", h,
					h % 7, h / 256 % 256, h % 256);
	return t;
}

/* Two threads sign a zone that verifies; with Ed25519 (deterministic) the same as one thread. */
static void test_threads(void)
{
	sign_params_t p13 = {13, false, true, 86400, 3600, 0},
		      p15 = {15, true, false, 86400, 3600, 0};
	char dir[64], err[1024], *text = hosts_zone(1500);
	zload_zone_t *z =
	    zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	sign_keys_t *keys;
	zload_zone_t *s1, *s2;
	ldns_rr_list *l, *dnskeys;
	size_t sets, signed_sets;
	time_t expires, now = time(NULL);
	unsigned saved = sign_threads;

	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p13, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	sign_threads = 2;
	s2 = sign_zone(z, NULL, 0, 2, keys, &p13, NULL, now, &expires, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	l = records(s2);
	dnskeys = of_type(l, LDNS_RR_TYPE_DNSKEY);
	sets = verify_all(l, dnskeys, &signed_sets);
	/* 1500 hosts' A and NSEC3, the 7 departments' NSEC3 (empty non-terminals), apex, ns1;
	 * sub's NS and its glue unsigned, sub's NSEC3 signed */
	CU_ASSERT(signed_sets >= 3000);
	CU_ASSERT_EQUAL(sets - signed_sets, 2);
	ldns_rr_list_free(dnskeys);
	ldns_rr_list_deep_free(l);
	zload_free(&s2);
	sign_keys_free(&keys);
	keys = sign_keys_load(dir, "example.com.", &p15, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	s2 = sign_zone(z, NULL, 0, 2, keys, &p15, NULL, now, &expires, NULL, err, sizeof(err));
	sign_threads = 1;
	s1 = sign_zone(z, NULL, 0, 2, keys, &p15, NULL, now, &expires, NULL, err, sizeof(err));
	sign_threads = saved;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL_FATAL(s1->nrecs, s2->nrecs);
	CU_ASSERT_EQUAL(s1->data_len, s2->data_len);
	CU_ASSERT_EQUAL(memcmp(s1->data, s2->data, s1->data_len), 0);
	zload_free(&s1);
	zload_free(&s2);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/* How many RRSIGs Z holds. */
static size_t rrsig_count(const zload_zone_t *z)
{
	size_t n = 0;

	for (size_t i = 0; i < z->nrecs; i++)
		n += z->recs[i].type == LDNS_RR_TYPE_RRSIG;
	return n;
}

/*
 * Only what changed is signed again: a new type at a name (its RRset, the name's NSEC3 whose
 * bitmap changed, the SOA), or a new name (its RRset and NSEC3, the NSEC3 before it in hash
 * order whose next hash changed, the SOA); every other signature kept, and all verify.
 */
static void test_reuse_exact(void)
{
	sign_params_t p = {13, true, true, 86400, 3600, 0};
	char dir[64], err[1024], text[2048];
	zload_zone_t *z0, *z1, *z2, *s0, *s1, *s2;
	sign_keys_t *keys;
	ldns_rr_list *l, *dnskeys;
	size_t reused = 0, sets, signed_sets;
	time_t e, now = time(NULL);

	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	z0 = zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	snprintf(text, sizeof(text), "%smail IN TXT \"new\"\n", zone_text);
	z1 = zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	snprintf(text, sizeof(text), "%snewhost IN A 198.18.0.77\n", zone_text);
	z2 = zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z2);
	s0 = sign_zone(z0, NULL, 0, 5, keys, &p, NULL, now - 60, &e, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
	s1 = sign_zone(z1, NULL, 0, 6, keys, &p, s0, now, &e, &reused, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	/* mail TXT, mail's NSEC3, the SOA */
	CU_ASSERT_EQUAL(rrsig_count(s1), rrsig_count(s0) + 1);
	CU_ASSERT_EQUAL(reused, rrsig_count(s1) - 3);
	s2 = sign_zone(z2, NULL, 0, 6, keys, &p, s0, now, &e, &reused, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	/* newhost A and its NSEC3, the NSEC3 before it, the SOA */
	CU_ASSERT_EQUAL(rrsig_count(s2), rrsig_count(s0) + 2);
	CU_ASSERT_EQUAL(reused, rrsig_count(s2) - 4);
	l = records(s2);
	dnskeys = of_type(l, LDNS_RR_TYPE_DNSKEY);
	sets = verify_all(l, dnskeys, &signed_sets);
	CU_ASSERT(signed_sets > 0 && signed_sets <= sets);
	ldns_rr_list_free(dnskeys);
	ldns_rr_list_deep_free(l);
	zload_free(&s0);
	zload_free(&s1);
	zload_free(&s2);
	zload_free(&z0);
	zload_free(&z1);
	zload_free(&z2);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/*
 * With rrsig-jitter the signatures of one signing expire spread over it: every one within
 * [now + lifetime - jitter, now + lifetime], each sixteenth of the window holding some, the
 * inception an hour back, *EXPIRES the earliest. Signed again at the due time (that earliest less
 * the refresh time) from that version: only those expiring within the refresh time and a
 * sixteenth of the jitter are made again (a slice: the SOA's and a few, at most an eighth), each
 * new one in the window from then, the kept ones past the slice; all verify.
 */
static void test_jitter_slice(void)
{
	const uint32_t life = 14 * 86400, refresh = 7 * 86400, jitter = 84 * 3600;
	sign_params_t p = {13, true, false, life, refresh, jitter};
	char dir[64], err[1024], *text = hosts_zone(2000);
	zload_zone_t *z =
	    zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	zload_zone_t *s0, *s1;
	sign_keys_t *keys;
	ldns_rr_list *l, *dnskeys;
	size_t buckets[16] = {0}, n = 0, reused = 0, remade = 0, bad = 0, sets, signed_sets;
	/* signed so long ago that its first renewal is due about now (libldns verifies at now) */
	time_t e0, e1, now = time(NULL) - (life - refresh - jitter) - 3600, due;
	uint32_t first = 0;

	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	s0 = sign_zone(z, NULL, 0, 2, keys, &p, NULL, now, &e0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
	for (size_t i = 0; i < s0->nrecs; i++) {
		const uint8_t *rd = zload_rec_rdata(s0, i);
		uint32_t exp, age;

		if (s0->recs[i].type != LDNS_RR_TYPE_RRSIG)
			continue;
		exp = wire_get32(rd + 8);
		age = (uint32_t)(now + life) - exp;
		bad += age > jitter || wire_get32(rd + 12) != (uint32_t)(now - 3600);
		if (age <= jitter)
			buckets[age * 16ull / (jitter + 1ull)]++;
		if (n++ == 0 || (int32_t)(exp - first) < 0)
			first = exp;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL((uint32_t)e0, first);
	for (int k = 0; k < 16; k++)
		CU_ASSERT(buckets[k] > n / 64);
	due = e0 - refresh;
	CU_ASSERT(due < time(NULL));
	s1 = sign_zone(z, NULL, 0, 3, keys, &p, s0, due, &e1, &reused, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_EQUAL(rrsig_count(s1), n);
	for (size_t i = 0; i < s1->nrecs; i++) {
		const uint8_t *rd = zload_rec_rdata(s1, i);
		uint32_t exp, inc;

		if (s1->recs[i].type != LDNS_RR_TYPE_RRSIG)
			continue;
		exp = wire_get32(rd + 8);
		inc = wire_get32(rd + 12);
		if (inc == (uint32_t)(due - 3600)) {
			remade++;
			bad += (uint32_t)(due + life) - exp > jitter;
		} else {
			bad += (int32_t)(exp - (uint32_t)(due + refresh + jitter / 16)) <= 0;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(remade + reused, n);
	CU_ASSERT(remade >= 2 && remade <= n / 8);
	CU_ASSERT(e1 > due + (time_t)refresh);
	l = records(s1);
	dnskeys = of_type(l, LDNS_RR_TYPE_DNSKEY);
	sets = verify_all(l, dnskeys, &signed_sets);
	CU_ASSERT(signed_sets > 0 && signed_sets <= sets);
	ldns_rr_list_free(dnskeys);
	ldns_rr_list_deep_free(l);
	zload_free(&s0);
	zload_free(&s1);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/*
 * A jitter shorter than a 64th of the lifetime less the refresh time is not renewed in slices:
 * at the due time every signature is made again (and the next due time is a refresh period
 * away), not one slice of a sixteenth of it after another, a new serial each, close together.
 * Checked to fail (a sixteenth remade) with the slice the jitter's sixteenth alone.
 */
static void test_small_jitter_at_once(void)
{
	const uint32_t life = 14 * 86400, refresh = 7 * 86400, jitter = 600;
	sign_params_t p = {13, true, false, life, refresh, jitter};
	char dir[64], err[1024], *text = hosts_zone(500);
	zload_zone_t *z =
	    zload_string("example.com.", text, "t.zone", NULL, NULL, err, sizeof(err));
	zload_zone_t *s0, *s1;
	sign_keys_t *keys;
	size_t reused = 0, n;
	time_t e0, e1, now = time(NULL) - (life - refresh) - 3600, due;

	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	s0 = sign_zone(z, NULL, 0, 2, keys, &p, NULL, now, &e0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
	n = rrsig_count(s0);
	due = e0 - refresh;
	s1 = sign_zone(z, NULL, 0, 3, keys, &p, s0, due, &e1, &reused, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_EQUAL(rrsig_count(s1), n);
	CU_ASSERT_EQUAL(reused, 0);
	CU_ASSERT(e1 >= due + (time_t)(life - jitter));
	zload_free(&s0);
	zload_free(&s1);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/* Whether signed versions A and B hold the same records, octet for octet, in the same order. */
static bool same_octets(const zload_zone_t *a, const zload_zone_t *b)
{
	if (a->nrecs != b->nrecs)
		return false;
	for (size_t i = 0; i < a->nrecs; i++) {
		const zload_rec_t *x = &a->recs[i], *y = &b->recs[i];
		const uint8_t *ox = zload_rec_owner(a, i), *oy = zload_rec_owner(b, i);

		if (x->type != y->type || x->ttl != y->ttl || x->rdlen != y->rdlen ||
		    wire_name_len(ox) != wire_name_len(oy) ||
		    memcmp(ox, oy, wire_name_len(ox)) != 0 ||
		    memcmp(zload_rec_rdata(a, i), zload_rec_rdata(b, i), x->rdlen) != 0)
			return false;
	}
	return true;
}

/* How many of Z's records P does not hold (the same owner in any case, type, TTL and data). */
static size_t recs_not_in(const zload_zone_t *z, const zload_zone_t *p)
{
	size_t n = 0;

	for (size_t i = 0; i < z->nrecs; i++) {
		bool found = false;

		for (size_t j = 0; j < p->nrecs && !found; j++)
			found = z->recs[i].type == p->recs[j].type &&
				z->recs[i].ttl == p->recs[j].ttl &&
				z->recs[i].rdlen == p->recs[j].rdlen &&
				wire_name_eq(zload_rec_owner(z, i), zload_rec_owner(p, j)) &&
				memcmp(zload_rec_rdata(z, i), zload_rec_rdata(p, j),
				       z->recs[i].rdlen) == 0;
		n += !found;
	}
	return n;
}

/* Whether Z's index by owner (carried) is the one a sort makes. */
static bool index_as_sorted(zload_zone_t *z)
{
	uint32_t *carried = z->by_owner;
	bool same;

	if (carried == NULL)
		return false;
	z->by_owner = NULL;
	if (zload_index_owners(z) != 0)
		return false;
	same = memcmp(carried, z->by_owner, z->nrecs * sizeof(*carried)) == 0;
	free(carried);
	return same;
}

/*
 * The signatures kept found by walking the version before beside the new one (sign_merge.c,
 * for a version sign_zone() made) are those the search by owner finds (a version read back,
 * sign_walk off), and those of the walk over a version without its order (read back from the
 * state directory: its layout found, its order sorted again): the same signed version, octet for
 * octet (Ed25519 signs the same data the same), over changes that move the walk: a name added,
 * taken out, a type added at a name, an empty non-terminal appearing, a delegation with data below
 * it, a TTL changed, an owner in capitals; NSEC and NSEC3, a CSK and a KSK+ZSK; and again from the
 * walked version. The index by owner carried from the version before's is the one a sort makes.
 */
static void test_merge_same(void)
{
	static const char *const changes[][2] = {
	    {"", "newhost IN A 198.18.0.77\n"},
	    {"autodiscover 300 IN A 198.18.0.25\n", ""},
	    {"", "mail IN TXT \"new\"\n"},
	    {"", "x.y.ns1 IN A 198.18.0.1\n"},
	    {"", "del IN NS ns.del.other.net.\nin.del IN A 198.18.0.3\n"},
	    {"autodiscover 300 IN A 198.18.0.25\n", "autodiscover 600 IN A 198.18.0.25\n"},
	    {"", "MAIL IN AAAA 2001:db8::25\nZZ IN A 198.18.0.9\naa IN A 198.18.0.8\n"},
	};
	char dir[64], err[1024], text[4096];
	time_t e, now = time(NULL);

	tmp_dir(dir, sizeof(dir));
	for (int mode = 0; mode < 4; mode++) {
		sign_params_t p = {15, mode & 1, (mode & 2) != 0, 86400, 3600, 0};
		sign_keys_t *keys =
		    sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
		zload_zone_t *z0 =
		    zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
		zload_zone_t *s0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
		CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
		s0 =
		    sign_zone(z0, NULL, 0, 5, keys, &p, NULL, now - 60, &e, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
		CU_ASSERT_PTR_NOT_NULL(s0->sign_order);
		CU_ASSERT_PTR_NULL(s0->by_owner); /* nothing to carry: ctl_sign.c sorts it */
		CU_ASSERT_EQUAL_FATAL(zload_index_owners(s0), 0);
		for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
			const char *cut =
			    changes[c][0][0] != '\0' ? strstr(zone_text, changes[c][0]) : NULL;
			size_t head = cut != NULL ? (size_t)(cut - zone_text) : strlen(zone_text);
			zload_zone_t *z1, *walked, *searched, *derived, *again_w, *again_s;
			uint32_t *order;
			size_t rw = 0, rs = 0, rd = 0;
			unsigned long sorted_in = zload_index_sorted_in;

			snprintf(text, sizeof(text), "%.*s%s%s", (int)head, zone_text,
				 changes[c][1], cut != NULL ? cut + strlen(changes[c][0]) : "");
			z1 = zload_string("example.com.", text, "t.zone", NULL, NULL, err,
					  sizeof(err));
			CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
			walked =
			    sign_zone(z1, NULL, 0, 6, keys, &p, s0, now, &e, &rw, err, sizeof(err));
			/* Its index carried: the records the version before holds too (its chain's
			 * among them, NSEC3's found by owner) not sorted again, the others only,
			 * and the two no signature covers (sub's NS and ns.sub's glue: not walked).
			 */
			sorted_in = zload_index_sorted_in - sorted_in;
			CU_ASSERT_PTR_NOT_NULL_FATAL(walked);
			CU_ASSERT_EQUAL(sorted_in, recs_not_in(walked, s0) + 2);
			order = s0->sign_order;
			s0->sign_order = NULL; /* as a version read back has it: sorted again */
			derived =
			    sign_zone(z1, NULL, 0, 6, keys, &p, s0, now, &e, &rd, err, sizeof(err));
			s0->sign_order = order;
			sign_walk = false;
			searched =
			    sign_zone(z1, NULL, 0, 6, keys, &p, s0, now, &e, &rs, err, sizeof(err));
			sign_walk = true;
			CU_ASSERT_PTR_NOT_NULL_FATAL(derived);
			CU_ASSERT_EQUAL(rd, rs);
			CU_ASSERT_TRUE(same_octets(derived, searched));
			CU_ASSERT_TRUE(index_as_sorted(derived));
			zload_free(&derived);
			CU_ASSERT_PTR_NOT_NULL_FATAL(walked);
			CU_ASSERT_PTR_NOT_NULL_FATAL(searched);
			CU_ASSERT(rw > 5);
			CU_ASSERT_EQUAL(rw, rs);
			CU_ASSERT_TRUE(same_octets(walked, searched));
			CU_ASSERT_PTR_NULL(searched->by_owner);
			CU_ASSERT_TRUE(index_as_sorted(walked));
			/* Back to the first version, from the one walked. */
			again_w = sign_zone(z0, NULL, 0, 7, keys, &p, walked, now + 1, &e, &rw, err,
					    sizeof(err));
			sign_walk = false;
			again_s = sign_zone(z0, NULL, 0, 7, keys, &p, walked, now + 1, &e, &rs, err,
					    sizeof(err));
			sign_walk = true;
			CU_ASSERT_PTR_NOT_NULL_FATAL(again_w);
			CU_ASSERT_PTR_NOT_NULL_FATAL(again_s);
			CU_ASSERT_EQUAL(rw, rs);
			CU_ASSERT_TRUE(same_octets(again_w, again_s));
			CU_ASSERT_TRUE(index_as_sorted(again_w));
			zload_free(&again_w);
			zload_free(&again_s);
			zload_free(&walked);
			zload_free(&searched);
			zload_free(&z1);
		}
		zload_free(&s0);
		zload_free(&z0);
		sign_keys_free(&keys);
	}
	tu_rm_dir(dir);
}

/* The start of the line of TEXT that holds offset AT. */
static size_t line_start(const char *text, size_t at)
{
	while (at > 0 && text[at - 1] != '\n')
		at--;
	return at;
}

/*
 * TEXT's first RRSIG line moved to just after the first RRSIG line past it of another owner or
 * type covered: two zone signatures out of their records' order. Whether one was found.
 */
static bool sigs_swapped(char *text)
{
	const char *hit = strstr(text, "\tRRSIG\t");
	size_t la, ea, lb, eb, key, len;
	char line[1024];

	if (hit == NULL)
		return false;
	la = line_start(text, (size_t)(hit - text));
	ea = (size_t)(strchr(hit, '\n') - text) + 1;
	key = (size_t)(strchr(hit + 7, ' ') - text) - la; /* owner, TTL, class, RRSIG, type */
	for (eb = ea;;) {
		hit = strstr(text + eb, "\tRRSIG\t");
		if (hit == NULL)
			return false;
		lb = line_start(text, (size_t)(hit - text));
		eb = (size_t)(strchr(hit, '\n') - text) + 1;
		if (strncmp(text + la, text + lb, key) != 0)
			break;
	}
	len = ea - la;
	if (len > sizeof(line))
		return false;
	memcpy(line, text + la, len);
	memmove(text + la, text + ea, eb - ea);
	memcpy(text + la + (eb - ea), line, len);
	return true;
}

/*
 * ZONE_TEXT signed with P (its keys made in DIR, *KEYS) and printed as text (returned); *Z1 the
 * zone TEXT1 as read, to be signed from the version read back.
 */
static char *signed_printed(const char *dir, const sign_params_t *p, const char *text1, time_t now,
			    sign_keys_t **keys, zload_zone_t **z1)
{
	char err[1024], *printed;
	zload_zone_t *z0, *s0;
	time_t e;

	*keys = sign_keys_load(dir, "example.com.", p, true, NULL, err, sizeof(err));
	z0 = zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	*z1 = zload_string("example.com.", text1, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(*keys);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*z1);
	s0 = sign_zone(z0, NULL, 0, 5, *keys, p, NULL, now - 60, &e, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
	printed = tu_zone_print(s0);
	zload_free(&s0);
	zload_free(&z0);
	return printed;
}

/*
 * Z1 signed from the version read back from BACK (a text): by the walk and by the search, the
 * same octets and as many signatures kept (more than MIN); WALKS the read-back walks taken (0 or
 * 1), or -1 for either.
 */
static void walk_as_search(const char *back_text, const zload_zone_t *z1, const sign_keys_t *keys,
			   const sign_params_t *p, time_t now, size_t min, int walks)
{
	char err[1024];
	unsigned long before = sign_walks_read_back;
	zload_zone_t *back, *walked, *searched;
	size_t rw = 0, rs = 0;
	time_t e;

	back = zload_string("example.com.", back_text, "signed.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_PTR_NULL(back->sign_order);
	walked = sign_zone(z1, NULL, 0, 6, keys, p, back, now, &e, &rw, err, sizeof(err));
	CU_ASSERT_EQUAL(sign_walks_read_back - before, (unsigned long)walks);
	sign_walk = false;
	searched = sign_zone(z1, NULL, 0, 6, keys, p, back, now, &e, &rs, err, sizeof(err));
	sign_walk = true;
	CU_ASSERT_PTR_NOT_NULL_FATAL(walked);
	CU_ASSERT_PTR_NOT_NULL_FATAL(searched);
	CU_ASSERT(rs > min);
	CU_ASSERT_EQUAL(rw, rs);
	CU_ASSERT_TRUE(same_octets(walked, searched));
	zload_free(&walked);
	zload_free(&searched);
	zload_free(&back);
}

/*
 * A version read back from its text (the state directory's copy, a secondary's transfer): the
 * walk over it keeps what the search keeps, octet for octet (its signatures' owners are names of
 * their own, not the octets of their records' owners: checked to fail when compared by offset,
 * keeping none); one whose signatures are out of their records' order falls back to the search
 * (checked to fail without the check: some kept, most not).
 */
static void test_merge_read_back(void)
{
	char dir[64], text[4096];
	time_t now = time(NULL);

	tmp_dir(dir, sizeof(dir));
	snprintf(text, sizeof(text), "%snewhost IN A 198.18.0.77\n", zone_text);
	for (int mode = 0; mode < 4; mode++) {
		sign_params_t p = {15, mode & 1, (mode & 2) != 0, 86400, 3600, 0};
		sign_keys_t *keys;
		zload_zone_t *z1;
		char *printed = signed_printed(dir, &p, text, now, &keys, &z1);
		for (int shuffled = 0; shuffled < 2; shuffled++) {
			CU_ASSERT_TRUE_FATAL(!shuffled || sigs_swapped(printed));
			walk_as_search(printed, z1, keys, &p, now, 5, shuffled ? 0 : 1);
		}
		free(printed);
		zload_free(&z1);
		sign_keys_free(&keys);
	}
	tu_rm_dir(dir);
}

/* The index of the first of TEXT's N lines (from FROM) that holds KEY, or N. */
static size_t line_with(char **line, size_t n, size_t from, const char *key)
{
	while (from < n && strstr(line[from], key) == NULL)
		from++;
	return from;
}

/*
 * TEXT (a signed NSEC version printed) with its chain edited so that its signatures still follow
 * their records one by one (what in_step() checks): HOW 0, the chain's records and their RRSIGs
 * both in reverse order; HOW 1, a second NSEC at mail (another next name) after ns1's and an
 * RRSIG of it after ns1's RRSIG. Malloc'd. Not inlined, as tu_zone_print().
 */
static __attribute__((noinline)) char *chain_edited(const char *text, int how)
{
	size_t n = 0, cap = 3, len = 0;
	char *copy = strdup(text), **line, *out = NULL;
	char extra[2][512];
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	for (const char *p = text; *p != '\0'; p++)
		cap += *p == '\n';
	line = calloc(cap, sizeof(*line)); /* room for the two lines added */
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	for (char *p = copy, *e; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		*e = '\0';
		line[n++] = p;
	}
	if (how == 0) {
		/* each block: its first line, the line past it ("\n" is in none: the end) */
		static const char *const keys[2][2] = {{"\tNSEC\t", "\tRRSIG\t"},
						       {"\tRRSIG\tNSEC ", "\n"}};

		for (int b = 0; b < 2; b++) {
			size_t first = line_with(line, n, 0, keys[b][0]);
			size_t end = line_with(line, n, first, keys[b][1]);

			CU_ASSERT_FATAL(end - first > 3);
			for (size_t i = first, j = end - 1; i < j; i++, j--) {
				char *t = line[i];

				line[i] = line[j];
				line[j] = t;
			}
		}
	} else {
		size_t m = line_with(line, n, 0, "mail.example.com.\t300\tIN\tNSEC\t");
		size_t ms = line_with(line, n, 0, "mail.example.com.\t300\tIN\tRRSIG\tNSEC ");
		size_t a = line_with(line, n, 0, "ns1.example.com.\t300\tIN\tNSEC\t");
		size_t as = line_with(line, n, 0, "ns1.example.com.\t300\tIN\tRRSIG\tNSEC ");
		char *sig;

		CU_ASSERT_FATAL(m < a && a < ms && ms < as && as < n);
		snprintf(extra[0], sizeof(extra[0]),
			 "mail.example.com.\t300\tIN\tNSEC\tzz.example.com. A RRSIG NSEC");
		snprintf(extra[1], sizeof(extra[1]), "%s", line[ms]);
		sig = strrchr(extra[1], ' ') + 10; /* another signature: not a duplicate */
		*sig = *sig == 'A' ? 'B' : 'A';
		memmove(line + as + 2, line + as + 1, (n - as - 1) * sizeof(*line));
		line[as + 1] = extra[1];
		memmove(line + a + 2, line + a + 1, (n + 1 - a - 1) * sizeof(*line));
		line[a + 1] = extra[0];
		n += 2;
	}
	f = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", line[i]);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	free(line);
	free(copy);
	return out;
}

/*
 * A version read back whose NSEC chain is not in canonical order (its records reversed, or a
 * second NSEC at a name further on), its signatures following its records one by one: the walk
 * keeps what the search keeps, octet for octet (with a CSK and a KSK+ZSK). Without the chain's
 * order checked the walk was taken: it kept fewer signatures over the reversed chain (9 of 15),
 * and one more over the second NSEC, whose RRset the search finds changed (8 asserts).
 */
static void test_merge_chain_order(void)
{
	char dir[64], text[4096];
	time_t now = time(NULL);

	tmp_dir(dir, sizeof(dir));
	snprintf(text, sizeof(text), "%szzz IN A 198.18.0.9\n", zone_text);
	for (int mode = 0; mode < 2; mode++) {
		sign_params_t p = {15, mode & 1, false, 86400, 3600, 0};
		sign_keys_t *keys;
		zload_zone_t *z1;
		char *printed = signed_printed(dir, &p, text, now, &keys, &z1);
		for (int how = 0; how < 2; how++) {
			char *edited = chain_edited(printed, how);

			walk_as_search(edited, z1, keys, &p, now, 10, 0);
			free(edited);
		}
		free(printed);
		zload_free(&z1);
		sign_keys_free(&keys);
	}
	tu_rm_dir(dir);
}

/*
 * A signature of the version before is kept only when made as the signer makes them now: by one
 * of its keys, the tag and the algorithm (a key of another algorithm can share the tag), for its
 * zone (the signer's name the apex). One RRSIG of the version before given another algorithm, or
 * another signer's name: not kept, made again (by the walk and by the search alike); checked to
 * fail with the tag alone compared (4 asserts).
 */
static void test_kept_as_signed(void)
{
	sign_params_t p = {15, true, false, 86400, 3600, 0};
	char dir[64], err[1024];
	time_t e, now = time(NULL);
	sign_keys_t *keys;
	zload_zone_t *z, *s0;
	size_t all = 0, sig = SIZE_MAX;

	tmp_dir(dir, sizeof(dir));
	keys = sign_keys_load(dir, "example.com.", &p, true, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	z = zload_string("example.com.", zone_text, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	s0 = sign_zone(z, NULL, 0, 5, keys, &p, NULL, now - 60, &e, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
	/* an RRSIG over ns1's A (kept when nothing changes) */
	for (size_t i = 0; i < s0->nrecs && sig == SIZE_MAX; i++)
		if (s0->recs[i].type == LDNS_RR_TYPE_RRSIG &&
		    wire_get16(zload_rec_rdata(s0, i)) == LDNS_RR_TYPE_A &&
		    zload_rec_owner(s0, i)[1] == 'n')
			sig = i;
	CU_ASSERT_FATAL(sig != SIZE_MAX);
	for (int how = 0; how < 3; how++) {
		uint8_t *rd = (uint8_t *)zload_rec_rdata(s0, sig);
		uint8_t alg = rd[2], first = rd[SIGN_RRSIG_FIXED + 1];

		if (how == 1)
			rd[2] = alg == 15 ? 13 : 15; /* another algorithm, the same tag */
		if (how == 2)
			rd[SIGN_RRSIG_FIXED + 1] = 'f'; /* signer fxample.com. */
		for (int walk = 0; walk < 2; walk++) {
			zload_zone_t *s1;
			size_t kept = 0;

			sign_walk = walk == 1;
			s1 = sign_zone(z, NULL, 0, 6, keys, &p, s0, now, &e, &kept, err,
				       sizeof(err));
			sign_walk = true;
			CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
			if (how == 0 && walk == 0)
				all = kept;
			else
				CU_ASSERT_EQUAL(kept, how == 0 ? all : all - 1);
			zload_free(&s1);
		}
		rd[2] = alg;
		rd[SIGN_RRSIG_FIXED + 1] = first;
	}
	CU_ASSERT(all > 5);
	zload_free(&s0);
	zload_free(&z);
	sign_keys_free(&keys);
	tu_rm_dir(dir);
}

/* TEXT with the first FROM replaced by TO (FROM empty: TO added at the end), into OUT. */
static void edited(char *out, size_t len, const char *text, const char *from, const char *to)
{
	const char *cut = from[0] != '\0' ? strstr(text, from) : NULL;
	size_t head = cut != NULL ? (size_t)(cut - text) : strlen(text);

	CU_ASSERT_TRUE(from[0] == '\0' || cut != NULL);
	snprintf(out, len, "%.*s%s%s", (int)head, text, to, cut != NULL ? cut + strlen(from) : "");
}

/*
 * PREV (its index made) signed again as Z1 with K1 and P1 from it, as made, without its order
 * (read back) and by the search: the index carried is the one a sort makes; with Ed25519 the
 * walked versions are the searched one, octet for octet.
 */
static void carried_as_sorted(zload_zone_t *prev, const zload_zone_t *z1, const sign_keys_t *k1,
			      const sign_params_t *p1, time_t now)
{
	char err[1024];
	uint32_t *order = prev->sign_order;
	zload_zone_t *walked, *derived, *searched;
	time_t e;

	walked = sign_zone(z1, NULL, 0, 9, k1, p1, prev, now, &e, NULL, err, sizeof(err));
	prev->sign_order = NULL;
	derived = sign_zone(z1, NULL, 0, 9, k1, p1, prev, now, &e, NULL, err, sizeof(err));
	prev->sign_order = order;
	sign_walk = false;
	searched = sign_zone(z1, NULL, 0, 9, k1, p1, prev, now, &e, NULL, err, sizeof(err));
	sign_walk = true;
	CU_ASSERT_PTR_NOT_NULL_FATAL(walked);
	CU_ASSERT_PTR_NOT_NULL_FATAL(derived);
	CU_ASSERT_PTR_NOT_NULL_FATAL(searched);
	/* Carried from the signer's own version; one read back may be searched instead. */
	CU_ASSERT_TRUE(prev->sign_order == NULL || walked->by_owner != NULL);
	if (walked->by_owner != NULL)
		CU_ASSERT_TRUE(index_as_sorted(walked));
	if (derived->by_owner != NULL)
		CU_ASSERT_TRUE(index_as_sorted(derived));
	if (p1->algorithm == 15) {
		CU_ASSERT_TRUE(same_octets(walked, searched));
		CU_ASSERT_TRUE(same_octets(derived, searched));
	}
	zload_free(&walked);
	zload_free(&derived);
	zload_free(&searched);
}

/*
 * T0 signed with K0 and P0, then T1 with K1 and P1 from it: from the version as made, from it
 * read back from its text, and back to T0 from the version T1 signed.
 */
static void carry_case(const char *t0, const sign_keys_t *k0, const sign_params_t *p0,
		       const char *t1, const sign_keys_t *k1, const sign_params_t *p1, time_t now)
{
	char err[1024], *printed;
	zload_zone_t *z0, *z1, *s0, *s1, *back;
	time_t e;

	z0 = zload_string("example.com.", t0, "t.zone", NULL, NULL, err, sizeof(err));
	z1 = zload_string("example.com.", t1, "t.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(z0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z1);
	s0 = sign_zone(z0, NULL, 0, 5, k0, p0, NULL, now - 60, &e, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
	CU_ASSERT_EQUAL_FATAL(zload_index_owners(s0), 0);
	carried_as_sorted(s0, z1, k1, p1, now);
	printed = tu_zone_print(s0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(printed);
	back = zload_string("example.com.", printed, "signed.zone", NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL_FATAL(zload_index_owners(back), 0);
	carried_as_sorted(back, z1, k1, p1, now);
	s1 = sign_zone(z1, NULL, 0, 6, k1, p1, s0, now, &e, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	carried_as_sorted(s1, z0, k0, p0, now + 1);
	free(printed);
	zload_free(&back);
	zload_free(&s1);
	zload_free(&s0);
	zload_free(&z0);
	zload_free(&z1);
}

/*
 * The index carried over changes that move an NSEC3 chain a lot or oddly: the negative TTL
 * changed (every chain record's TTL), owners in capitals, a name made an empty non-terminal, a
 * delegation given a DS or taken out, many names added, keys rolled (KSK+ZSK to a CSK, another
 * algorithm), NSEC to NSEC3 and back; as made, read back, and back again.
 */
static void test_carry_changes(void)
{
	static const char *const changes[][2] = {
	    {"1209600 300\n", "1209600 900\n"},
	    {"mail IN A 198.18.0.25\n", "MAIL IN A 198.18.0.25\nNs1 IN TXT \"x\"\n"},
	    {"mail IN A 198.18.0.25\n", "x.mail IN A 198.18.0.25\n"},
	    {"", "sub IN DS 12345 13 2 "
		 "2bb183af5f22588179a53b0a98631fad1a292118fc4ec5ea7ff4b3bbd8a7b9b2\n"},
	    {"sub IN NS ns.sub\nns.sub IN A 198.18.0.99\n", ""},
	    {"", "h1 A 198.18.1.1\nh2 A 198.18.1.2\nh3 A 198.18.1.3\nh4 A 198.18.1.4\n"
		 "h5 A 198.18.1.5\nh6 A 198.18.1.6\nh7 A 198.18.1.7\nh8 A 198.18.1.8\n"
		 "h9 A 198.18.1.9\nh10 A 198.18.1.10\nh11 A 198.18.1.11\n"},
	};
	static const sign_params_t ps[] = {
	    {15, false, true, 86400, 3600, 0},
	    {15, true, true, 86400, 3600, 0},
	    {13, true, true, 86400, 3600, 0},
	    {15, true, false, 86400, 3600, 0},
	};
	const size_t np = sizeof(ps) / sizeof(ps[0]);
	char dir[np][64], err[1024], text[4096];
	sign_keys_t *keys[np];
	time_t now = time(NULL);

	for (size_t k = 0; k < np; k++) {
		tmp_dir(dir[k], sizeof(dir[k]));
		keys[k] =
		    sign_keys_load(dir[k], "example.com.", &ps[k], true, NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(keys[k]);
	}
	/* The zone's changes, NSEC3 and NSEC, a KSK+ZSK and a CSK. */
	for (size_t k = 0; k < np; k += 1)
		for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
			edited(text, sizeof(text), zone_text, changes[c][0], changes[c][1]);
			carry_case(zone_text, keys[k], &ps[k], text, keys[k], &ps[k], now);
		}
	/* Keys rolled, NSEC3 to NSEC and back: the zone as it was, and changed. */
	for (size_t a = 0; a < np; a++)
		for (size_t b = 0; b < np; b++) {
			if (a == b)
				continue;
			carry_case(zone_text, keys[a], &ps[a], zone_text, keys[b], &ps[b], now);
			edited(text, sizeof(text), zone_text, changes[2][0], changes[2][1]);
			carry_case(zone_text, keys[a], &ps[a], text, keys[b], &ps[b], now);
		}
	for (size_t k = 0; k < np; k++) {
		sign_keys_free(&keys[k]);
		tu_rm_dir(dir[k]);
	}
}

/*
 * TEXT (a signed version printed) edited as a version read back may hold it: HOW 0 every owner
 * in capitals, 1 its first chain record twice (another TTL), 2 its first chain line last.
 */
static char *read_back_odd(const char *text, int how, bool nsec3)
{
	size_t len = strlen(text);
	char *out = malloc(2 * len + 2), *chain = strstr(text, nsec3 ? "\tNSEC3\t" : "\tNSEC\t");
	size_t ls, le, n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(chain);
	ls = line_start(text, (size_t)(chain - text));
	le = (size_t)(strchr(chain, '\n') - text) + 1;
	for (size_t i = 0; i < len; i++) {
		bool owner = i == 0 || text[i - 1] == '\n';

		for (size_t k = i; how == 0 && owner && text[k] != '\t' && text[k] != '\0';
		     k++, i++)
			out[n++] = (char)toupper((unsigned char)text[k]);
		if (how == 2 && i >= ls && i < le)
			continue;
		out[n++] = text[i];
		if (how == 1 && i == le - 1) {
			/* owner, TTL + 1, the rest */
			const char *tab = strchr(text + ls, '\t');
			unsigned long ttl = strtoul(tab + 1, NULL, 10);

			n += (size_t)sprintf(out + n, "%.*s\t%lu%.*s", (int)(tab - text - ls),
					     text + ls, ttl + 1,
					     (int)(le - (size_t)(strchr(tab + 1, '\t') - text)),
					     strchr(tab + 1, '\t'));
		}
	}
	if (how == 2) {
		memcpy(out + n, text + ls, le - ls);
		n += le - ls;
	}
	out[n] = '\0';
	return out;
}

/*
 * A version read back in capitals, a chain record twice (the loader keeps one), its first chain
 * record out of place (searched): the index carried, or sorted, is a sort's; NSEC and NSEC3.
 */
static void test_carry_read_back_odd(void)
{
	sign_params_t p = {15, true, true, 86400, 3600, 0};
	char dir[64], err[1024], text[4096];
	time_t now = time(NULL);

	tmp_dir(dir, sizeof(dir));
	edited(text, sizeof(text), zone_text, "mail IN A 198.18.0.25\n",
	       "x.mail IN A 198.18.0.25\nnewhost IN A 198.18.0.77\n");
	for (int nsec3 = 0; nsec3 < 2; nsec3++) {
		sign_keys_t *keys;
		zload_zone_t *z1;
		char *printed;

		p.nsec3 = nsec3;
		printed = signed_printed(dir, &p, text, now, &keys, &z1);
		for (int how = 0; how < 3; how++) {
			char *odd = read_back_odd(printed, how, nsec3);
			zload_zone_t *back = zload_string("example.com.", odd, "signed.zone", NULL,
							  NULL, err, sizeof(err));

			CU_ASSERT_PTR_NOT_NULL_FATAL(back);
			CU_ASSERT_EQUAL_FATAL(zload_index_owners(back), 0);
			carried_as_sorted(back, z1, keys, &p, now);
			zload_free(&back);
			free(odd);
		}
		free(printed);
		zload_free(&z1);
		sign_keys_free(&keys);
	}
	tu_rm_dir(dir);
}

void reg_cutest_sign(void)
{
	CU_pSuite s = CU_add_suite("sign", NULL, NULL);

	CU_add_test(s, "keys made, read back the same", test_keys_made_and_read);
	CU_add_test(s, "bad key files, algorithms", test_keys_bad);
	CU_add_test(s, "a .key file's owner that starts with \"@\": read as written",
		    test_keys_owner_at);
	CU_add_test(s, "key files named as dnssec-keygen and ldns-keygen spell the zone",
		    test_keys_other_spellings);
	CU_add_test(s, "CSK 13 NSEC: signatures verify, chain whole", test_sign_csk13_nsec);
	CU_add_test(s, "KSK+ZSK 13 NSEC3", test_sign_kskzsk13_nsec3);
	CU_add_test(s, "CSK 15 NSEC3", test_sign_csk15_nsec3);
	CU_add_test(s, "KSK+ZSK 15 NSEC", test_sign_kskzsk15_nsec);
	CU_add_test(s, "signatures of unchanged RRsets kept", test_reuse);
	CU_add_test(s, "presigned zone refused", test_presigned_refused);
	CU_add_test(s, "canonical RDATA: names of 6.2's types only", test_canonical_rdata);
	CU_add_test(s, "mixed case signed: verifies, ECDSA r||s", test_canonical_signed);
	CU_add_test(s, "two threads: verifies, same as one", test_threads);
	CU_add_test(s, "only what changed signed again", test_reuse_exact);
	CU_add_test(s, "kept signatures walked: the same as searched, octet for octet",
		    test_merge_same);
	CU_add_test(s, "the index carried over chains changed a lot or oddly: a sort's",
		    test_carry_changes);
	CU_add_test(s,
		    "the index carried from a version read back in capitals, a chain record twice",
		    test_carry_read_back_odd);
	CU_add_test(s, "a signature kept only of its keys' tag and algorithm, for its zone",
		    test_kept_as_signed);
	CU_add_test(s, "kept signatures walked over a version read back; out of step: searched",
		    test_merge_read_back);
	CU_add_test(s, "kept signatures walked over a version read back, its chain out of order",
		    test_merge_chain_order);
	CU_add_test(s, "expirations spread over the jitter; a renewal remakes a slice",
		    test_jitter_slice);
	CU_add_test(s, "a small jitter renewed at once, not in many slices",
		    test_small_jitter_at_once);
}
