/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_chain.c: a zone's names walked in canonical order: RRsets to sign, NSEC or NSEC3 chain */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "b32hex.h"
#include "grow.h"
#include "sign_pvt.h"
#include "wire.h"

/* An NSEC3 record pushed: the hash of its name, its record (the next hash filled in last). */
typedef struct n3 {
	uint8_t hash[SHA_DIGEST_LENGTH];
	uint32_t rec;
} n3_t;

/* Octets of an NSEC3's data before its next hash: algorithm, flags, iterations, salt, length. */
#define N3_HEAD 6
/* Room for a type bitmap: 256 windows of 34 octets. */
#define BITMAP_MAX (256 * 34)

typedef struct walk {
	sign_ctx_t *c;
	uint8_t cut[WIRE_NAME_MAX]; /* the last delegation or DNAME: names below it occluded */
	bool have_cut;
	uint8_t prev[WIRE_NAME_MAX]; /* NSEC3: the last name hashed (the apex first) */
	bool have_prev;
	uint8_t pend[WIRE_NAME_MAX]; /* NSEC: the last name, its NSEC waiting for the next */
	uint8_t *pend_bm;
	size_t pend_bmlen;
	bool have_pend;
	uint16_t *types; /* room for 65536 + 2 types */
	EVP_MD *sha1;	 /* fetched once: an implicit fetch per digest takes locks */
	EVP_MD_CTX *md;
	uint8_t *bm, *rdata;
	n3_t *n3;
	size_t nn3, n3cap;
} walk_t;

/* Appends the record index REC to C's order, and a set of it alone to C's sets. */
static int add_order(sign_ctx_t *c, uint32_t rec)
{
	if (!GROW(c->order, c->ordercap, c->norder + 1, 64))
		return -ENOMEM;
	c->order[c->norder++] = rec;
	return 0;
}

static int add_set(sign_ctx_t *c, uint32_t first, uint32_t count, uint16_t type)
{
	uint32_t ttl = UINT32_MAX;

	if (!GROW(c->sets, c->setcap, c->nsets + 1, 256))
		return -ENOMEM;
	for (uint32_t k = first; k < first + count; k++)
		if (c->z->recs[c->order[k]].ttl < ttl)
			ttl = c->z->recs[c->order[k]].ttl;
	c->sets[c->nsets++] =
	    (sign_set_t){.first = first, .count = count, .type = type, .ttl = ttl};
	return 0;
}

/* Pushes the NSEC of W's pending name, NEXT the name after it. */
static int push_nsec(walk_t *w, const uint8_t *next)
{
	size_t nlen = wire_name_len(next);

	memcpy(w->rdata, next, nlen);
	memcpy(w->rdata + nlen, w->pend_bm, w->pend_bmlen);
	return zload_push_wire(w->c->z, w->pend, wire_name_len(w->pend), LDNS_RR_TYPE_NSEC,
			       w->c->nsec_ttl, w->rdata, nlen + w->pend_bmlen, w->c->file, 0);
}

/* Pushes the NSEC3 of NAME (a bitmap of BMLEN octets in W's bm), its next hash left 0. */
static int push_nsec3(walk_t *w, const uint8_t *name, size_t bmlen)
{
	sign_ctx_t *c = w->c;
	uint8_t owner[WIRE_NAME_MAX + 33];
	n3_t *e;

	if (!GROW(w->n3, w->n3cap, w->nn3 + 1, 1024))
		return -ENOMEM;
	e = &w->n3[w->nn3];
	/* RFC 5155 5: no salt, no extra iteration (RFC 9276): SHA-1 of the canonical name. */
	if (EVP_DigestInit_ex2(w->md, w->sha1, NULL) != 1 ||
	    EVP_DigestUpdate(w->md, name, wire_name_len(name)) != 1 ||
	    EVP_DigestFinal_ex(w->md, e->hash, NULL) != 1)
		return -EINVAL;
	owner[0] = 32;
	b32hex_sha1(e->hash, owner + 1);
	memcpy(owner + 33, c->apex, c->apex_len);
	memset(w->rdata, 0, N3_HEAD + SHA_DIGEST_LENGTH);
	w->rdata[0] = 1; /* SHA-1; flags 0 (no opt-out), 0 iterations, no salt */
	w->rdata[5] = SHA_DIGEST_LENGTH;
	memcpy(w->rdata + N3_HEAD + SHA_DIGEST_LENGTH, w->bm, bmlen);
	e->rec = (uint32_t)c->z->nrecs;
	if (c->apex_len + 33 > WIRE_NAME_MAX)
		return -EINVAL;
	w->nn3++;
	return zload_push_wire(c->z, owner, c->apex_len + 33, LDNS_RR_TYPE_NSEC3, c->nsec_ttl,
			       w->rdata, N3_HEAD + SHA_DIGEST_LENGTH + bmlen, c->file, 0);
}

/* Adds TYPE to the NTYPES sorted TYPES (if not there); the new count. */
static size_t add_type(uint16_t *types, size_t ntypes, uint16_t type)
{
	size_t at = ntypes;

	while (at > 0 && types[at - 1] > type)
		at--;
	if (at > 0 && types[at - 1] == type)
		return ntypes;
	memmove(types + at + 1, types + at, (ntypes - at) * sizeof(*types));
	types[at] = type;
	return ntypes + 1;
}

/* The suffix of NAME (wire) that has LABELS labels. */
static const uint8_t *suffix(const uint8_t *name, unsigned labels)
{
	for (unsigned n = wire_name_labels(name); n > labels; n--)
		name += *name + 1;
	return name;
}

/* NSEC3: the empty non-terminals between W's previous name and NAME, hashed with no types. */
static int push_ents(walk_t *w, const uint8_t *name)
{
	unsigned nl = wire_name_labels(name), common = w->c->apex_labels;

	if (!w->have_prev || nl <= common)
		return 0;
	/* The most labels NAME shares with the previous name: that ancestor is there already. */
	for (unsigned k = nl - 1; k > common; k--)
		if (wire_name_is_sub(w->prev, suffix(name, k))) {
			common = k;
			break;
		}
	for (unsigned k = common + 1; k < nl; k++) {
		int rc = push_nsec3(w, suffix(name, k), 0);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The name NAME (lower case) with C's records order[A .. B) (none: an empty node). */
static int walk_name(walk_t *w, const uint8_t *name, size_t a, size_t b)
{
	sign_ctx_t *c = w->c;
	size_t ntypes = 0, bmlen;
	bool apex = wire_name_eq(name, c->apex), deleg = false, cut = false, any_signed = false;
	int rc;

	if (w->have_cut && wire_name_len(name) > wire_name_len(w->cut) &&
	    wire_name_is_sub(name, w->cut))
		return 0; /* occluded: neither signed nor in the chain */
	w->have_cut = false;
	for (size_t k = a; k < b; k++) {
		uint16_t t = c->z->recs[c->order[k]].type;

		if (ntypes == 0 || w->types[ntypes - 1] != t)
			w->types[ntypes++] = t;
		deleg = deleg || (t == LDNS_RR_TYPE_NS && !apex);
		cut = cut || t == LDNS_RR_TYPE_DNAME;
	}
	if (deleg || cut) {
		memcpy(w->cut, name, wire_name_len(name));
		w->have_cut = true;
	}
	/* Its RRsets; at a delegation only the DS is the zone's (RFC 4035 2.2). */
	for (size_t k = a; k < b;) {
		uint16_t t = c->z->recs[c->order[k]].type;
		size_t e = k + 1;

		while (e < b && c->z->recs[c->order[e]].type == t)
			e++;
		if (!deleg || t == LDNS_RR_TYPE_DS) {
			rc = add_set(c, (uint32_t)k, (uint32_t)(e - k), t);
			if (rc != 0)
				return rc;
			any_signed = true;
		}
		k = e;
	}
	if (!c->p->nsec3) {
		ntypes = add_type(w->types, ntypes, LDNS_RR_TYPE_RRSIG);
		ntypes = add_type(w->types, ntypes, LDNS_RR_TYPE_NSEC);
		if (w->have_pend && (rc = push_nsec(w, name)) != 0)
			return rc;
		memcpy(w->pend, name, wire_name_len(name));
		w->pend_bmlen = sign_type_bitmap(w->types, ntypes, w->pend_bm);
		w->have_pend = true;
		return 0;
	}
	rc = push_ents(w, name);
	if (rc != 0)
		return rc;
	if (any_signed)
		ntypes = add_type(w->types, ntypes, LDNS_RR_TYPE_RRSIG);
	bmlen = sign_type_bitmap(w->types, ntypes, w->bm);
	memcpy(w->prev, name, wire_name_len(name));
	w->have_prev = true;
	return push_nsec3(w, name, bmlen);
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(((const n3_t *)a)->hash, ((const n3_t *)b)->hash, SHA_DIGEST_LENGTH);
}

static int cmp_empty(const void *a, const void *b)
{
	return wire_name_cmp_canonical(ldns_rdf_data(*(ldns_rdf *const *)a),
				       ldns_rdf_data(*(ldns_rdf *const *)b));
}

/* The names of W's zone and the policy's EMPTY ones, merged in canonical order. */
static int walk_all(walk_t *w, ldns_rdf **empty, size_t nempty)
{
	sign_ctx_t *c = w->c;
	const zload_zone_t *z = c->z;
	size_t n = c->norder, e = 0;
	uint8_t name[WIRE_NAME_MAX];
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0;) {
		/* Records are pushed as the walk goes: the store may move, so offsets only. */
		uint32_t own = z->recs[c->order[i]].owner;
		size_t j = i + 1;

		if (e < nempty) {
			const uint8_t *en = ldns_rdf_data(empty[e]);
			int cmp = wire_name_cmp_canonical(en, z->data + own);

			if (cmp <= 0) {
				e++;
				if (cmp < 0) {
					wire_name_lower(name, en);
					rc = walk_name(w, name, 0, 0);
				}
				continue;
			}
		}
		while (j < n && (z->recs[c->order[j]].owner == own ||
				 wire_name_eq(z->data + z->recs[c->order[j]].owner, z->data + own)))
			j++;
		wire_name_lower(name, z->data + own);
		rc = walk_name(w, name, i, j);
		i = j;
	}
	for (; e < nempty && rc == 0; e++) {
		wire_name_lower(name, ldns_rdf_data(empty[e]));
		rc = walk_name(w, name, 0, 0);
	}
	return rc;
}

int sign_chain(sign_ctx_t *c, ldns_rdf *const *empty, size_t nempty)
{
	walk_t w = {.c = c};
	ldns_rdf **sorted = nempty > 0 ? malloc(nempty * sizeof(*sorted)) : NULL;
	size_t chain_first = c->z->nrecs;
	int rc = -ENOMEM;

	w.types = malloc((65536 + 2) * sizeof(*w.types));
	w.bm = malloc(BITMAP_MAX);
	w.pend_bm = malloc(BITMAP_MAX);
	w.rdata = malloc(WIRE_NAME_MAX + N3_HEAD + SHA_DIGEST_LENGTH + BITMAP_MAX);
	w.sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	w.md = EVP_MD_CTX_new();
	if (w.types == NULL || w.bm == NULL || w.pend_bm == NULL || w.rdata == NULL ||
	    w.sha1 == NULL || w.md == NULL || (nempty > 0 && sorted == NULL))
		goto out;
	if (nempty > 0) {
		memcpy(sorted, empty, nempty * sizeof(*sorted));
		qsort(sorted, nempty, sizeof(*sorted), cmp_empty);
	}
	rc = walk_all(&w, sorted, nempty);
	if (rc == 0 && w.have_pend)
		rc = push_nsec(&w, c->apex); /* the last name's NSEC names the apex */
	if (rc == 0 && w.nn3 > 0) {
		/* Each NSEC3 names the next hash; the last the first. */
		qsort(w.n3, w.nn3, sizeof(*w.n3), cmp_hash);
		for (size_t i = 0; i < w.nn3; i++)
			memcpy(c->z->data + c->z->recs[w.n3[i].rec].rdata + N3_HEAD,
			       w.n3[(i + 1) % w.nn3].hash, SHA_DIGEST_LENGTH);
	}
	for (size_t r = chain_first; rc == 0 && r < c->z->nrecs; r++) {
		rc = add_order(c, (uint32_t)r);
		if (rc == 0)
			rc = add_set(c, (uint32_t)(c->norder - 1), 1, c->z->recs[r].type);
	}
out:
	free(sorted);
	free(w.types);
	free(w.bm);
	free(w.pend_bm);
	free(w.rdata);
	free(w.n3);
	EVP_MD_free(w.sha1);
	EVP_MD_CTX_free(w.md);
	return rc;
}
