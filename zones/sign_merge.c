/* SPDX-License-Identifier: BSD-3-Clause */
/* sign_merge.c: kept signatures found by walking the zone signed before beside the new one */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sign_pvt.h"
#include "wire.h"

/*
 * One walk over records of the zone signed before in canonical order (its records before the
 * chain through its sign_order, or its NSEC chain as laid out), and over its RRSIGs of the
 * same sets, laid out in the same order.
 */
typedef struct walk {
	const uint32_t *seq; /* record indexes, or NULL: BASE + k */
	uint32_t base;
	size_t at, end;
	size_t sig, sig_end; /* the RRSIG records of the walk's sets */
} walk_t;

struct sign_merge {
	const zload_zone_t *prev;
	uint32_t *order; /* PREV's order, made here when it kept none (read back) */
	walk_t zone, chain;
	sign_reuse_t *n3; /* NSEC3: its chain is not in owner order; found by owner */
	uint32_t *to_new; /* per record of PREV: the same record in the new version + 1, or 0 */
};

static uint32_t rec_at(const walk_t *w, size_t k)
{
	return w->seq != NULL ? w->seq[k] : w->base + (uint32_t)k;
}

static uint16_t covered(const zload_zone_t *p, size_t rec);
static bool in_step(const zload_zone_t *p, walk_t w);

static bool chain_type(uint16_t t)
{
	return t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3;
}

/*
 * Where PREV's chain, RRSIGs and the chain's RRSIGs begin when its records lie as sign_zone()
 * lays them out (a version read back from the state directory keeps its records as they were):
 * false when they do not.
 */
static bool layout_of(const zload_zone_t *p, uint32_t *nzone, uint32_t *rrsig, uint32_t *chain_sig)
{
	size_t i = 0;

	while (i < p->nrecs && !chain_type(p->recs[i].type) &&
	       p->recs[i].type != LDNS_RR_TYPE_RRSIG)
		i++;
	*nzone = (uint32_t)i;
	while (i < p->nrecs && chain_type(p->recs[i].type))
		i++;
	*rrsig = (uint32_t)i;
	while (i < p->nrecs && p->recs[i].type == LDNS_RR_TYPE_RRSIG && !chain_type(covered(p, i)))
		i++;
	*chain_sig = (uint32_t)i;
	while (i < p->nrecs && p->recs[i].type == LDNS_RR_TYPE_RRSIG && chain_type(covered(p, i)))
		i++;
	return i == p->nrecs && *nzone > 0;
}

bool sign_walk = true;
unsigned long sign_walks_read_back;

sign_merge_t *sign_merge_new(const zload_zone_t *prev, const sign_ctx_t *c)
{
	uint32_t nzone = prev->sign_nzone, rrsig = prev->sign_rrsig,
		 chain_sig = prev->sign_chain_sig;
	sign_merge_t *m = sign_walk ? calloc(1, sizeof(*m)) : NULL;

	if (m == NULL)
		return NULL;
	/* Read back: the same records as sign_zone() made them, its order sorted again. */
	if (prev->sign_order == NULL &&
	    (!layout_of(prev, &nzone, &rrsig, &chain_sig) ||
	     (m->order = malloc(nzone * sizeof(*m->order))) == NULL ||
	     sign_canon_order(prev, nzone, c->apex_labels, m->order) != 0)) {
		sign_merge_free(&m);
		return NULL;
	}
	if (nzone > rrsig || rrsig > chain_sig || chain_sig > prev->nrecs) {
		sign_merge_free(&m);
		return NULL;
	}
	m->prev = prev;
	m->zone = (walk_t){.seq = m->order != NULL ? m->order : prev->sign_order,
			   .end = nzone,
			   .sig = rrsig,
			   .sig_end = chain_sig};
	m->chain =
	    (walk_t){.base = nzone, .end = rrsig - nzone, .sig = chain_sig, .sig_end = prev->nrecs};
	/* The signer's own version is in step as made; one read back is checked (a pass over its
	 * names, some tens of milliseconds a million records). */
	if (m->order != NULL &&
	    (!in_step(prev, m->zone) || (!c->p->nsec3 && !in_step(prev, m->chain)))) {
		sign_merge_free(&m);
		return NULL;
	}
	if (m->order != NULL)
		__atomic_fetch_add(&sign_walks_read_back, 1, __ATOMIC_RELAXED);
	/* NSEC3: the chain and the chain's RRSIGs by owner (not the zone's RRSIGs between). */
	if ((c->p->nsec3 &&
	     (m->n3 = sign_reuse_new_spans(prev, nzone, rrsig, chain_sig, prev->nrecs)) == NULL) ||
	    (prev->by_owner != NULL &&
	     (m->to_new = calloc(prev->nrecs + 1, sizeof(*m->to_new))) == NULL)) {
		sign_merge_free(&m);
		return NULL;
	}
	return m;
}

void sign_merge_free(sign_merge_t **m)
{
	if (*m == NULL)
		return;
	sign_reuse_free(&(*m)->n3);
	free((*m)->to_new);
	free((*m)->order);
	free(*m);
	*m = NULL;
}

/* The type an RRSIG of P at REC covers, or 0. */
static uint16_t covered(const zload_zone_t *p, size_t rec)
{
	return p->recs[rec].rdlen >= 2 ? wire_get16(zload_rec_rdata(p, rec)) : 0;
}

/* The end of W's group at its position: the records of one owner name and type. */
static size_t group_end(const zload_zone_t *p, const walk_t *w)
{
	const zload_rec_t *r = &p->recs[rec_at(w, w->at)];
	size_t e = w->at + 1;

	for (; e < w->end; e++) {
		const zload_rec_t *n = &p->recs[rec_at(w, e)];

		if (n->type != r->type ||
		    (n->owner != r->owner && !wire_name_eq(p->data + n->owner, p->data + r->owner)))
			break;
	}
	return e;
}

/*
 * The RRSIGs of W's group (if it was signed): from W's sig to the returned end. Their owner is
 * compared as a name: only the signer's own version shares the octets of a record's owner with
 * its signatures' (a version read back holds them apart, as its text does).
 */
static size_t sigs_end(const zload_zone_t *p, const walk_t *w)
{
	const zload_rec_t *r = &p->recs[rec_at(w, w->at)];
	size_t e = w->sig;

	while (e < w->sig_end && p->recs[e].type == LDNS_RR_TYPE_RRSIG &&
	       covered(p, e) == r->type &&
	       (p->recs[e].owner == r->owner ||
		wire_name_eq(p->data + p->recs[e].owner, p->data + r->owner)))
		e++;
	return e;
}

/* Whether record B of P's group comes after A's in canonical order (owner, then type). */
static bool group_after(const zload_zone_t *p, uint32_t a, uint32_t b)
{
	int cmp = wire_name_cmp_canonical(p->data + p->recs[a].owner, p->data + p->recs[b].owner);

	return cmp < 0 || (cmp == 0 && p->recs[a].type < p->recs[b].type);
}

/*
 * Whether every RRSIG of W is taken, in its place, by the group it signs: a version read back
 * whose signatures are not laid out in its records' canonical order (another signer's, a file
 * edited) would make the walk pass over them and keep none after; it is searched instead. The
 * chain is walked as laid out, not sorted again: its groups must come in canonical order too,
 * each once (else the walk passes over a set the search finds, or takes one NSEC of two at a
 * name for the whole RRset).
 */
static bool in_step(const zload_zone_t *p, walk_t w)
{
	while (w.at < w.end) {
		size_t se = sigs_end(p, &w);

		if (w.seq == NULL && w.at > 0 &&
		    !group_after(p, rec_at(&w, w.at - 1), rec_at(&w, w.at)))
			return false;
		w.at = group_end(p, &w);
		w.sig = se;
	}
	return w.sig == w.sig_end;
}

/* Whether records A of P and B of Z hold the same TTL and data. */
static bool rec_same(const zload_zone_t *p, uint32_t a, const zload_zone_t *z, uint32_t b)
{
	return p->recs[a].ttl == z->recs[b].ttl && p->recs[a].rdlen == z->recs[b].rdlen &&
	       memcmp(zload_rec_rdata(p, a), zload_rec_rdata(z, b), z->recs[b].rdlen) == 0;
}

/*
 * Whether W's group [at, GE) holds the records of C's set S (as sets: each found); in the same
 * order, each noted in M's TO_NEW.
 */
static bool same_records(sign_merge_t *m, const walk_t *w, size_t ge, const sign_ctx_t *c,
			 const sign_set_t *s)
{
	const zload_zone_t *p = m->prev;
	bool in_order = true;

	if (ge - w->at != s->count)
		return false;
	for (uint32_t k = 0; k < s->count && in_order; k++)
		in_order = rec_same(p, rec_at(w, w->at + k), c->z, c->order[s->first + k]);
	for (uint32_t k = 0; k < s->count && in_order && m->to_new != NULL; k++)
		m->to_new[rec_at(w, w->at + k)] = c->order[s->first + k] + 1;
	for (uint32_t k = 0; k < s->count && !in_order; k++) {
		bool found = false;

		for (size_t g = w->at; g < ge && !found; g++)
			found = rec_same(p, rec_at(w, g), c->z, c->order[s->first + k]);
		if (!found)
			return false;
	}
	return true;
}

size_t sign_merge_find(sign_merge_t *m, const sign_ctx_t *c, const sign_set_t *s,
		       uint32_t keep_until, uint32_t *out, size_t max, uint32_t *min_exp)
{
	const zload_zone_t *p = m->prev;
	const uint8_t *owner = zload_rec_owner(c->z, c->order[s->first]);
	bool chain = s->first >= c->nzone;
	walk_t *w = chain ? &m->chain : &m->zone;
	size_t n = 0;

	if (chain && m->n3 != NULL)
		return sign_reuse_find(m->n3, c, s, keep_until, out, max, min_exp, m->to_new);
	while (w->at < w->end) {
		uint32_t first = rec_at(w, w->at);
		const uint8_t *po = p->data + p->recs[first].owner;
		uint16_t pt = p->recs[first].type;
		size_t ge = group_end(p, w), se = sigs_end(p, w);
		int cmp = wire_name_eq(po, owner) ? 0 : wire_name_cmp_canonical(po, owner);

		if (cmp == 0)
			cmp = pt < s->type ? -1 : pt > s->type;
		if (cmp > 0)
			return 0;
		if (cmp == 0 && s->type != LDNS_RR_TYPE_SOA && same_records(m, w, ge, c, s)) {
			/* RFC 4034 3.1: type covered, algorithm, labels, TTL, expiration,
			 * inception, tag */
			for (size_t r = w->sig; r < se && n < max; r++) {
				const uint8_t *rd = zload_rec_rdata(p, r);

				if (p->recs[r].rdlen < SIGN_RRSIG_FIXED ||
				    (int32_t)(wire_get32(rd + 8) - keep_until) <= 0 ||
				    !sign_key_known(c, rd, p->recs[r].rdlen) ||
				    wire_get32(rd + 4) != s->ttl)
					continue;
				out[n++] = (uint32_t)r;
				if ((int32_t)(wire_get32(rd + 8) - *min_exp) < 0)
					*min_exp = wire_get32(rd + 8);
			}
		}
		w->at = ge;
		w->sig = se;
		if (cmp == 0)
			return n;
	}
	return 0;
}

void sign_merge_kept(sign_merge_t *m, uint32_t prev_rec, uint32_t rec)
{
	if (m != NULL && m->to_new != NULL && prev_rec < m->prev->nrecs)
		m->to_new[prev_rec] = rec + 1;
}

int sign_merge_index(sign_merge_t *m, zload_zone_t *z)
{
	if (m->to_new == NULL)
		return zload_index_owners(z);
	return zload_index_owners_from(z, m->prev, m->to_new);
}
