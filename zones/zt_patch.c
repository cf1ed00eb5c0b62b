/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch.c: a snapshot made from the one served by compiling again only the names that changed */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_order.h"
#include "zt_patch_pvt.h"

/* ---- what a patch does not make ---- */

/*
 * Whether TYPE, at a name other than the apex (APEX: at it), makes a change a patch leaves; in
 * a zone BASE holds signed (SIGNED), NSEC and RRSIG records, and DNSKEY at the apex, are patched
 * (zt_patch_sig.c); in one signed with NSEC3 (NSEC3), NSEC3 records and the apex's NSEC3PARAM
 * too (zt_patch_n3.c).
 */
static const char *type_unpatched(uint16_t type, bool apex, bool is_signed, bool nsec3)
{
	switch (type) {
	case T_NS:
		return apex ? NULL : "NS below the apex (a delegation)";
	case T_DS:
		return "DS";
	case T_DNAME:
		return "DNAME";
	case T_RRSIG:
	case T_NSEC:
		return is_signed ? NULL : "DNSSEC records";
	case T_DNSKEY:
		return is_signed && apex ? NULL : "DNSSEC records";
	case T_NSEC3:
		return nsec3 ? NULL : is_signed ? "NSEC3 records" : "DNSSEC records";
	case T_NSEC3PARAM:
		return nsec3 && apex ? NULL : is_signed ? "NSEC3 records" : "DNSSEC records";
	default:
		return NULL;
	}
}

/* Checks changed name PN against BASE and reads its records: 0 or ZT_PATCH_FULL. */
static int check_name(struct patch *p, struct pn *pn)
{
	const zt_t *base = p->base;
	char t[WIRE_NAME_MAX * 4 + 1];
	const uint8_t *k = pn->key;
	size_t len = pn->len;
	bool apex = len == p->apex_len && memcmp(k, p->apex, len) == 0;
	bool sig = base->zones[p->z].is_signed, ns = false;
	bool n3 = sig && base->zones[p->z].has_nsec3;
	int ret;

	if (!wire_name_is_sub(k, p->apex))
		return zt_patch_full(p, "%s is not in zone %s", zt_patch_text(k, t, sizeof(t)),
				     base->zones[p->z].origin);
	/* A wildcard, or a name below one (which an empty wildcard may be made or go for). */
	for (const uint8_t *l = k; l < k + len - p->apex_len; l += *l + 1)
		if (l[0] == 1 && l[1] == '*')
			return zt_patch_full(p, "%s is or is below a wildcard",
					     zt_patch_text(k, t, sizeof(t)));
	pn->old = zt_find(base, k, len);
	for (;;) {
		uint32_t n = zt_find(base, k, len);

		if (n != ZT_NONE) {
			const zt_node_t *node = &base->nodes[n];

			if (node->zone != p->z)
				return zt_patch_full(p, "%s is in zone %s",
						     zt_patch_text(pn->key, t, sizeof(t)),
						     base->zones[node->zone].origin);
			/* A signed zone's delegation itself (its NSEC re-signed, its NS or DS
			 * changed): its referral made again, and the copies below it. */
			if (sig && k == pn->key && (node->flags & ZN_CUT) && node->deleg == n &&
			    !(node->flags & (ZN_DNAME | ZN_SHADOW)))
				pn->cut = true;
			else if (node->deleg != ZT_NONE || (node->flags & (ZN_CUT | ZN_DNAME)))
				return zt_patch_full(p, "%s is at or below a zone cut or a DNAME",
						     zt_patch_text(pn->key, t, sizeof(t)));
		}
		if (len <= p->apex_len)
			break;
		k = zt_patch_parent(k, &len);
	}
	/* The records of the name in the new version: [r0, r1) of by_owner. */
	zload_owner_range(p->zone, pn->key, &pn->r0, &pn->r1);
	pn->has = zt_patch_recs(p, pn, NULL) > 0;
	if (pn->r1 - pn->r0 + p->ed.nadd > UINT16_MAX)
		return zt_patch_full(p, "%s has too many records",
				     zt_patch_text(pn->key, t, sizeof(t)));
	for (size_t r = pn->r0; r < pn->r1; r++) {
		uint16_t type = p->zone->recs[p->zone->by_owner[r]].type;
		const char *why = type_unpatched(type, apex, sig, n3);

		if (pn->cut && (type == T_NS || type == T_DS))
			why = NULL;
		ns |= type == T_NS;
		if (why != NULL)
			return zt_patch_full(p, "%s has %s", zt_patch_text(pn->key, t, sizeof(t)),
					     why);
	}
	if (pn->cut && !ns)
		return zt_patch_full(p, "%s is no longer a zone cut",
				     zt_patch_text(pn->key, t, sizeof(t)));
	for (size_t i = 0; i < p->ed.nadd; i++) {
		const struct padd *a = &p->ed.add[i];
		const char *why = a->len == pn->len && memcmp(a->key, pn->key, pn->len) == 0
				      ? type_unpatched(a->type, apex, sig, n3)
				      : NULL;

		if (why != NULL)
			return zt_patch_full(p, "%s has %s added by the policy",
					     zt_patch_text(pn->key, t, sizeof(t)), why);
	}
	if (apex && !pn->has)
		return zt_patch_full(p, "zone %s has no SOA", base->zones[p->z].origin);
	if (!apex)
		return 0;
	ret = zt_patch_sig_apex(p, pn);
	return ret != 0 ? ret : zt_patch_n3_apex(p, pn);
}

/*
 * The names that lose their records and keep children become empty non-terminals, as do the
 * names the zone keeps without records (EMPTY_NODE); the others go (zt_patch_build_tree()
 * takes out the empty ones above them too). Whether one keeps children is read from the tree
 * as it will be: a name added below it, a name kept below it, or one of BASE's names below it
 * that keeps its records.
 */
static int decide_tree(struct patch *p)
{
	if (zt_patch_nset_init(&p->under, p->npn * 4 + p->ed.nkeep * 4 + 16) != 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->ed.nkeep; i++) {
		const uint8_t *k = p->ed.keep[i].key;
		size_t len = p->ed.keep[i].len;

		while (len > p->apex_len) {
			k = zt_patch_parent(k, &len);
			if (zt_patch_nset_add(&p->under, k, len, 0) < 0)
				return -ENOMEM;
		}
	}
	for (size_t i = 0; i < p->npn; i++) {
		const uint8_t *k = p->pn[i].key;
		size_t len = p->pn[i].len;

		while (p->pn[i].has && len > p->apex_len) {
			k = zt_patch_parent(k, &len);
			if (zt_patch_nset_add(&p->under, k, len, 0) < 0)
				return -ENOMEM;
		}
	}
	for (size_t i = 0; i < p->npn; i++)
		if (!p->pn[i].has && p->pn[i].old != ZT_NONE)
			p->pn[i].ent = zt_patch_kept(p, p->pn[i].key, p->pn[i].len) ||
				       zt_patch_has_kids(p, p->pn[i].key, p->pn[i].len);
		else if (!p->pn[i].has)
			/* New and without records: a name new edits keep (zt_patch_edits.c). */
			p->pn[i].ent = zt_patch_kept(p, p->pn[i].key, p->pn[i].len);
	return 0;
}

/* ---- the patch ---- */

/*
 * The snapshot's own copy of BASE's zones, with room for ROOM more: zone p->z its own (none:
 * ZT_NONE), the others shared (counted); a zone taken out before (no origin) stays a hole.
 */
static int zones_copy(struct patch *p, uint32_t room)
{
	const zt_t *base = p->base;
	zt_t *zt = p->zt;

	zt->zones = calloc(base->nzones + room ? base->nzones + room : 1, sizeof(zt_zone_t));
	if (zt->zones == NULL)
		return -ENOMEM;
	zt->nzones = base->nzones;
	for (uint32_t z = 0; z < base->nzones; z++) {
		zt_zone_t *bz = &base->zones[z], *nz = &zt->zones[z];

		if (bz->origin == NULL) {
			nz->first_node = bz->first_node; /* the runs of the zones around it */
			nz->apex = ZT_NONE;
			nz->soa = ZT_NONE;
			continue;
		}
		*nz = *bz;
		nz->ixfr = NULL; /* as zt_new() leaves it: the publisher carries histories */
		nz->order_later = false;
		if (z == p->z) {
			nz->shared = NULL;
			nz->nsec = NULL;
			nz->nnsec = 0;
			nz->nsec_keys = NULL;
			nz->nsec_koff = NULL;
			nz->nsec_pre = NULL;
			nz->nsec_first = NULL;
			nz->nxb_idx = NULL;
			nz->nxb_fast = NULL;
			nz->nxb_fast_len = 0;
			nz->nxb = NULL;
			nz->nsec3 = NULL;
			nz->nnsec3 = 0;
			nz->n3 = NULL;
			nz->n3pre = NULL;
			nz->n3bkt = NULL;
			nz->n3bits = 0;
			nz->n3maxb = 0;
			nz->n3nx = NULL;
			nz->n3nx_count = 0;
			nz->n3ax = NULL;
			nz->n3cv = NULL;
			nz->n3wn = NULL;
			nz->n3wn_count = 0;
			nz->denial_used = 0;
			nz->axfr = NULL;
			nz->naxfr = 0;
			nz->origin = strdup(bz->origin);
			if (nz->origin == NULL)
				return -ENOMEM;
			continue;
		}
		if (bz->shared == NULL) {
			/* BASE's readers never read this: it is BASE's and this one's from now. */
			bz->shared = malloc(sizeof(*bz->shared));
			if (bz->shared == NULL) {
				nz->shared = NULL;
				nz->origin = NULL;
				nz->axfr = NULL;
				memset(nz, 0, sizeof(*nz));
				return -ENOMEM;
			}
			*bz->shared = 1;
			nz->shared = bz->shared;
		}
		__atomic_add_fetch(nz->shared, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* The snapshot's settings and index, as BASE's. */
static int snapshot_copy(struct patch *p)
{
	const zt_t *base = p->base;
	zt_t *zt = p->zt;
	size_t isize = (base->index_mask + 1u) * sizeof(zt_slot_t);

	zt->refs = 1;
	zt->udp_max = base->udp_max;
	zt->opt_head = base->opt_head;
	if ((base->identity != NULL && (zt->identity = strdup(base->identity)) == NULL) ||
	    (base->version != NULL && (zt->version = strdup(base->version)) == NULL))
		return -ENOMEM;
	if (base->absent_len > 0) {
		zt->absent = malloc(base->absent_len);
		if (zt->absent == NULL)
			return -ENOMEM;
		memcpy(zt->absent, base->absent, base->absent_len);
		zt->absent_len = base->absent_len;
	}
	zt->nsid_len = base->nsid_len;
	memcpy(zt->nsid, base->nsid, sizeof(zt->nsid));
	zt->cookies = base->cookies;
	memcpy(zt->cookie_secret, base->cookie_secret, sizeof(zt->cookie_secret));
	if (zt_mem_fresh(zt, ZT_ARR_INDEX, isize) != 0)
		return -ENOMEM;
	memcpy(zt->index, base->index, isize);
	zt->index_mask = base->index_mask;
	zt->index_count = base->index_count;
	return 0;
}

int zt_patch_copy(struct patch *p, uint32_t room)
{
	int ret = zones_copy(p, room);

	return ret != 0 ? ret : snapshot_copy(p);
}

/* What only a full compile makes, said in P's error: ZT_PATCH_FULL; else 0. */
static int check_zone(struct patch *p)
{
	const zt_t *base = p->base;
	const zt_zone_t *zone = &base->zones[p->z];
	const zt_patch_in_t *in = p->in;

	int ret = zt_patch_sig_check(p);

	if (ret != 0)
		return ret;
	if (in->zone->by_owner == NULL)
		return zt_patch_full(p, "zone %s has no index by owner", zone->origin);
	if (in->nnames > 64 && in->nnames > zone->naxfr / 8)
		return zt_patch_full(p, "%zu names changed in zone %s: compiled whole", in->nnames,
				     zone->origin);
	return 0;
}

/* The patch proper, P set up: 0, ZT_PATCH_FULL or an error. */
static int patch_run(struct patch *p)
{
	zt_t *zt = p->zt;
	bool soa = false;
	size_t start[ZT_STORE_ARRAYS];
	int ret;

	/* BASE's transfer orders first: the checks and the new order read them. */
	if (zt_order_wait(p->base) != 0)
		return -ENOMEM;
	if ((ret = check_zone(p)) != 0 || (ret = zt_patch_edits_init(p)) != 0)
		return ret;
	p->pn = calloc(p->in->nnames ? p->in->nnames : 1, sizeof(*p->pn));
	if (p->pn == NULL || zt_patch_nset_init(&p->changed, p->in->nnames + 1) != 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->in->nnames; i++) {
		struct pn *pn = &p->pn[p->npn];

		pn->len = wire_name_lower(pn->key, p->in->names[i]);
		if ((ret = zt_patch_nset_add(&p->changed, pn->key, pn->len, (uint32_t)p->npn)) < 0)
			return ret;
		if (ret == 0)
			continue; /* given twice */
		if ((ret = check_name(p, pn)) != 0)
			return ret;
		p->npn++;
		soa |= pn->len == p->apex_len;
	}
	if ((ret = decide_tree(p)) != 0)
		return ret;
	if ((ret = zt_patch_copy(p, 0)) != 0)
		return ret;
	zt_mem_patch_start(&p->b->mem, zt, p->base->store);
	p->b->zt = zt;
	zt_patch_start(zt, start);
	p->first_new = zt->nnodes;
	zt->zones[p->z].serial =
	    p->in->edits != NULL ? p->in->edits->serial & 0xffffffffUL : p->zone->serial;
	/* The edits it is compiled with from now on (BASE's, or new ones: IN->edits_new). */
	zt->zones[p->z].edits_fp = zt_edits_fp(p->in->edits);
	if ((ret = zt_deps_get(zt->store, p->base, p->z, &p->deps)) != 0 ||
	    (ret = zt_patch_build_tree(p)) != 0 ||
	    (ret = zt_patch_collect(p, soa || zt_patch_n3_moves(p))) != 0)
		goto out;
	/* The transfer order, and a signed zone's NSEC owners from it, before the answers: those
	 * of names covered by an NSEC (zt_patch_sig.c) read them. */
	zt_patch_sig_flags(p);
	if (zt_patch_axfr(p) != 0 || zt_patch_sig_tables(p) != 0 || zt_patch_sig_covers(p) != 0)
		goto nomem;
	if ((ret = zt_patch_n3_tables(p)) != 0)
		goto out;
	{
		zt_zone_t *zone = &zt->zones[p->z];
		const zt_rrset_t *s = &zt->rrsets[zone->soa];
		const uint8_t *rd = zt->arena + s->data + 2;
		size_t l1 = wire_name_len(rd), l2 = wire_name_len(rd + l1);
		uint32_t minimum = wire_get32(rd + l1 + l2 + 16);

		zone->neg_ttl = s->ttl < minimum ? s->ttl : minimum;
	}
	/* Answers: the changed names', the new empty non-terminals', the others that change. */
	for (size_t i = 0; i < p->npn; i++)
		if (p->pn[i].node != ZT_NONE &&
		    zt_patch_push(&p->render, &p->nrender, &p->crender, p->pn[i].node) != 0)
			goto nomem;
	for (size_t i = 0; i < p->nents; i++)
		if (zt_patch_push(&p->render, &p->nrender, &p->crender, p->ents[i]) != 0)
			goto nomem;
	/* An NSEC3 zone's facts for every node made, those rendered included. */
	if ((ret = zt_patch_n3_facts(p)) != 0)
		goto out;
	ret = zt_blobs_patch(p->b, p->z, p->cuts, p->ncuts, p->render, p->nrender);
	if (ret == 0 && !p->b->mem.failed)
		ret = zt_patch_sig_denial(p);
	if (ret == 0 && !p->b->mem.failed)
		ret = zt_patch_n3_denial(p);
	if (ret != 0)
		goto out;
	if (zt_mem_arena_put(&p->b->mem, NULL, WIRE_SLACK, 1) == ZT_NONE)
		goto nomem;
	if (p->b->mem.failed) {
		ret = zt_patch_full(p, "no room left to patch zone %s", zt->zones[p->z].origin);
		goto out;
	}
	/* Done: what it used is taken, and its names' dependencies are known. */
	for (size_t i = 0; i < p->nrender; i++)
		if (p->render[i] >= p->first_new &&
		    zt_deps_add_node(p->deps, zt, p->render[i]) != 0)
			goto nomem;
	zt_deps_sort(p->deps);
	zt_patch_sealed(zt, start, zt->zones[p->z].naxfr);
	zt->memsize += zt_patch_sig_size(zt, p->z) + zt_patch_n3_size(zt, p->z);
	zt->patch = zt_patch_rec_new(p->z, p->base, p->in->names, p->in->nnames);
	return zt->patch != NULL ? 0 : -ENOMEM;
nomem:
	ret = p->b->mem.failed
		  ? zt_patch_full(p, "no room left to patch zone %s", zt->zones[p->z].origin)
		  : -ENOMEM;
out:
	return ret;
}

int zt_patch(const zt_t *base, const zt_patch_in_t *in, zt_t **out, char *err, size_t errlen)
{
	struct patch p = {.base = base, .in = in, .zone = in->zone, .err = err, .errlen = errlen};
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len;
	uint32_t apex;
	int ret;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if (base->store == NULL)
		return zt_patch_full(&p, "the snapshot has no store to share");
	len = wire_name_lower(key, ldns_rdf_data(in->zone->origin));
	apex = zt_find(base, key, len);
	if (apex == ZT_NONE || !(base->nodes[apex].flags & ZN_APEX))
		return zt_patch_full(&p, "zone %s is not in the snapshot", in->zone->origin_text);
	p.z = base->nodes[apex].zone;
	p.apex = base->arena + base->nodes[apex].name;
	p.apex_len = base->nodes[apex].name_len;
	p.zt = calloc(1, sizeof(*p.zt));
	p.b = calloc(1, sizeof(*p.b));
	if (p.zt == NULL || p.b == NULL) {
		free(p.zt);
		free(p.b);
		return -ENOMEM;
	}
	p.b->err = err;
	p.b->errlen = errlen;
	p.b->mem.zt = p.zt;
	pthread_mutex_lock(&base->store->lock);
	/* Bounded garbage: past it, a whole compile makes a fresh store and frees this one. */
	ret = zt_mem_store_worn(base->store)
		  ? zt_patch_full(&p, "zone %s: the patches' replaced answers are compiled away",
				  in->zone->origin_text)
		  : patch_run(&p);
	pthread_mutex_unlock(&base->store->lock);
	if (ret == 0)
		*out = p.zt;
	else
		zt_free(&p.zt);
	if (ret < 0 && errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "cannot patch zone %s: %s", in->zone->origin_text,
			 strerror(-ret));
	zt_patch_edits_free(&p);
	zt_patch_n3_free(&p);
	free(p.pn);
	free(p.changed.t);
	free(p.under.t);
	free(p.ents);
	free(p.gone);
	free(p.dead);
	free(p.render);
	free(p.cuts);
	free(p.b);
	return ret;
}
