/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_patch_zones.c: a snapshot made from another with zones added or taken out, the rest shared */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_order.h"
#include "zt_patch_pvt.h"

/* More slots left empty than this (and a quarter of them all): compiled whole, renumbered. */
#define HOLES_MAX 16

/* Whether the lower-case names A and B are one at or below the other. */
static bool nested(const uint8_t *a, const uint8_t *b)
{
	return wire_name_is_sub(a, b) || wire_name_is_sub(b, a);
}

/* Zone Z's apex name in ZT (lower case). */
static const uint8_t *apex_of(const zt_t *zt, uint32_t z)
{
	return zt->arena + zt->nodes[zt->zones[z].apex].name;
}

/* The zones answered SERVFAIL (lower-case names one after another) before and after. */
struct absent {
	const uint8_t *old, *now;
	size_t old_len, now_len;
};

/* Whether the name KEY is in the list L (LEN octets of lower-case names). */
static bool listed(const uint8_t *l, size_t len, const uint8_t *key)
{
	for (size_t o = 0; o < len; o += wire_name_len(l + o))
		if (wire_name_len(l + o) == wire_name_len(key) &&
		    memcmp(l + o, key, wire_name_len(key)) == 0)
			return true;
	return false;
}

/* Whether KEY lies above or below (not at) a name of the list L (LEN octets). */
static bool nested_in(const uint8_t *l, size_t len, const uint8_t *key)
{
	for (size_t o = 0; o < len; o += wire_name_len(l + o))
		if (nested(key, l + o) && !(wire_name_len(l + o) == wire_name_len(key) &&
					    memcmp(l + o, key, wire_name_len(key)) == 0))
			return true;
	return false;
}

/*
 * Why KEY (a zone's origin, lower case) cannot come or go by a patch: it lies at, above or below
 * another zone of BASE (but zone SKIP), one of the OTHERS (NOTHERS lower-case names, itself among
 * them, and the same name once more when the zone is replaced: taken out and added), or above or
 * below one answered SERVFAIL before or after (at one: the zone itself, once without data); NULL
 * when none. KEY's answers then hold nothing of another zone, nor another's of KEY's.
 */
static const char *nesting(const zt_t *base, const uint8_t *key, uint32_t skip,
			   const uint8_t *const *others, size_t nothers, const struct absent *ab)
{
	for (uint32_t z = 0; z < base->nzones; z++)
		if (z != skip && base->zones[z].origin != NULL && nested(key, apex_of(base, z)))
			return "it is at, above or below another zone served";
	if (nested_in(ab->old, ab->old_len, key) || nested_in(ab->now, ab->now_len, key))
		return "it is above or below a zone answered SERVFAIL";
	for (size_t i = 0; i < nothers; i++)
		if (others[i] != key && !wire_name_eq(key, others[i]) && nested(key, others[i]))
			return "it is at, above or below another zone that comes or goes";
	return NULL;
}

/* The zone of BASE that added zone KEY replaces (GONE: the numbers of IN's zones taken out, KEYS
 * their names first), or ZT_NONE when none of them has its name. */
static uint32_t replaced(const zt_patch_zones_in_t *in, const uint8_t *const *keys,
			 const uint32_t *gone, const uint8_t *key)
{
	for (size_t r = 0; r < in->nremove; r++)
		if (wire_name_eq(keys[r], key))
			return gone[r];
	return ZT_NONE;
}

/*
 * Why the zones answered SERVFAIL cannot change from AB->old to AB->now by a patch: one that
 * comes or goes lies above or below a zone served (BASE's, or one of the ADDED, NADDED lower-case
 * names; at one: that zone itself, which went or came); NULL when none. SERVFAIL is answered
 * only where no zone is served: above or below none, no other answer changes.
 */
static const char *absent_change(const zt_t *base, const struct absent *ab,
				 const uint8_t *const *added, size_t nadded)
{
	for (int side = 0; side < 2; side++) {
		const uint8_t *l = side ? ab->now : ab->old, *other = side ? ab->old : ab->now;
		size_t len = side ? ab->now_len : ab->old_len;
		size_t olen = side ? ab->old_len : ab->now_len;

		for (size_t o = 0; o < len; o += wire_name_len(l + o)) {
			const uint8_t *x = l + o;

			if (listed(other, olen, x))
				continue; /* answered SERVFAIL before and after */
			for (uint32_t z = 0; z < base->nzones; z++)
				if (base->zones[z].origin != NULL && nested(x, apex_of(base, z)) &&
				    !wire_name_eq(x, apex_of(base, z)))
					return "a zone answered SERVFAIL that comes or goes is "
					       "above "
					       "or below another zone served";
			for (size_t i = 0; i < nadded; i++)
				if (nested(x, added[i]) && !wire_name_eq(x, added[i]))
					return "a zone answered SERVFAIL that comes or goes is "
					       "above "
					       "or below a zone added";
		}
	}
	return NULL;
}

/* Whether zone ZONE holds DNSSEC records (a presigned zone). */
static bool zone_signed(const zload_zone_t *zone)
{
	for (size_t i = 0; i < zone->nrecs; i++)
		switch (zone->recs[i].type) {
		case T_DNSKEY:
		case T_RRSIG:
		case T_NSEC:
		case T_NSEC3:
		case T_NSEC3PARAM:
			return true;
		default:
			break;
		}
	return false;
}

/* Zone Z's nodes in ZT: its compile's run, then those patches appended (past the compile's). */
struct zone_walk {
	uint32_t n, end, from2;
};

static void walk_start(struct zone_walk *w, const zt_t *zt, uint32_t z)
{
	w->n = zt->zones[z].first_node;
	w->end = z + 1 < zt->nzones ? zt->zones[z + 1].first_node : zt->nnodes;
	w->from2 = w->end > zt->store->nodes_compiled ? w->end : zt->store->nodes_compiled;
}

/* The next node of the walk (of any zone: the caller looks), or ZT_NONE. */
static uint32_t walk_next(struct zone_walk *w, const zt_t *zt)
{
	if (w->n == w->end && w->end < zt->nnodes) {
		w->n = w->from2 > w->end ? w->from2 : w->end;
		w->end = zt->nnodes;
	}
	return w->n < w->end ? w->n++ : ZT_NONE;
}

/* What zone Z of ZT leaves behind in its store once taken out: its nodes, RRsets, answers. */
static size_t zone_bytes(const zt_t *zt, uint32_t z)
{
	struct zone_walk w;
	size_t bytes = 0;
	uint32_t n;

	walk_start(&w, zt, z);
	while ((n = walk_next(&w, zt)) != ZT_NONE) {
		const zt_node_t *node = &zt->nodes[n];

		if (node->zone != z)
			continue;
		bytes += sizeof(*node) + node->name_len + node->nans * sizeof(zt_ans_t);
		for (uint32_t s = 0; s < node->nrrsets; s++)
			bytes += sizeof(zt_rrset_t) + zt->rrsets[node->rrsets + s].data_len;
		for (uint32_t a = 0; a < node->nans; a++) {
			uint32_t off = zt->ans[node->ans + a].blob, k = 0;

			/* An answer the node's others share (ANY's, zt_blobs.c) counted once. */
			while (k < a && zt->ans[node->ans + k].blob != off)
				k++;
			if (off < ZT_ZONE_NODATA && k == a) /* not rendered live, nor the zone's */
				bytes +=
				    zt_blob_size(zt_blob(zt, off)->len, zt_blob(zt, off)->nfix);
		}
	}
	return bytes;
}

/* Zone Z's names out of the new snapshot's index, its slot left empty. */
static void zone_out(zt_t *zt, uint32_t z)
{
	zt_zone_t *zone = &zt->zones[z];
	struct zone_walk w;
	uint32_t n, first = zone->first_node;

	walk_start(&w, zt, z);
	while ((n = walk_next(&w, zt)) != ZT_NONE)
		if (zt->nodes[n].zone == z && !(zt->nodes[n].flags & ZN_SHADOW))
			(void)zt_index_remove(zt, n); /* false: an older copy of a name */
	/* Shared with BASE (counted when copied): BASE's reference stays, it frees them. */
	if (zone->shared != NULL)
		__atomic_sub_fetch(zone->shared, 1, __ATOMIC_RELAXED);
	memset(zone, 0, sizeof(*zone));
	zone->first_node = first; /* the runs of the zones around it */
	zone->apex = ZT_NONE;
	zone->soa = ZT_NONE;
}

/* The origins of IN's zones as lower-case names, removed first: into KEYS (room for all). */
static void keys_of(const zt_patch_zones_in_t *in, uint8_t (*keys)[WIRE_NAME_MAX + 1],
		    const uint8_t **list)
{
	for (size_t i = 0; i < in->nremove + in->nadd; i++) {
		ldns_rdf *d = NULL;

		keys[i][0] = 0xff; /* no name: matches nothing */
		if (i >= in->nremove)
			wire_name_lower(keys[i], ldns_rdf_data(in->add[i - in->nremove]->origin));
		else if (ldns_str2rdf_dname(&d, in->remove[i]) == LDNS_STATUS_OK) {
			wire_name_lower(keys[i], ldns_rdf_data(d));
			ldns_rdf_deep_free(d);
		}
		list[i] = keys[i];
	}
}

/* Zone ZONE (edits E) compiled into the new snapshot under the next number. 0, FULL, error. */
static int zone_in(struct patch *p, zload_zone_t *zone, const zt_zone_edits_t *e,
		   zload_zone_t **by_num)
{
	zt_t *zt = p->zt;
	struct zt_build *b = p->b;
	uint32_t z = zt->nzones, *nodes = NULL, *cuts = NULL, from;
	size_t nn = 0, cn = 0, cnodes = 0, ccuts = 0;
	int ret;

	zt->zones[z] = (zt_zone_t){.soa = ZT_NONE, .apex = ZT_NONE};
	zt->zones[z].origin = strdup(zone->origin_text);
	if (zt->zones[z].origin == NULL)
		return -ENOMEM;
	zt->zones[z].serial = e != NULL ? e->serial & 0xffffffffUL : zone->serial;
	zt->nzones++;
	by_num[z] = zone;
	b->npend = 0;
	b->pdata_len = 0;
	ret = zt_nodes_load_zone(b, by_num, z + 1, z, e);
	if (ret == 0)
		ret = zt_rrsets_make(b);
	if (ret == 0 && zt->zones[z].soa == ZT_NONE)
		return zt_patch_full(p, "zone %s has no SOA record", zone->origin_text);
	if (ret == 0 && zt->zones[z].is_signed)
		return zt_patch_full(p, "zone %s is signed", zone->origin_text);
	if (ret == 0)
		ret = zt_rrsets_link_zone(b, z);
	from = zt->zones[z].first_node;
	for (uint32_t n = from; ret == 0 && n < zt->nnodes; n++) {
		if ((ret = zt_patch_push(&nodes, &nn, &cnodes, n)) != 0)
			break;
		if ((zt->nodes[n].flags & ZN_CUT) && zt->nodes[n].deleg == n)
			ret = zt_patch_push(&cuts, &cn, &ccuts, n);
	}
	if (ret == 0)
		ret = zt_blobs_patch(b, z, cuts, cn, nodes, nn);
	free(nodes);
	free(cuts);
	if (ret == 0 || b->mem.failed || ret == -ENOMEM)
		return ret;
	/* A zone zt_new() refuses: it says why, as it does for a whole compile. */
	return ZT_PATCH_FULL;
}

/* The checks, then the patch, under the store's lock. */
static int zones_run(struct patch *p, const zt_patch_zones_in_t *in, const uint8_t *const *keys,
		     uint32_t *gone, size_t *dropped, struct absent *ab)
{
	const zt_t *base = p->base;
	zt_t *zt = p->zt;
	char t[WIRE_NAME_MAX * 4 + 1];
	size_t start[ZT_STORE_ARRAYS], holes = in->nremove, naxfr = 0;
	zload_zone_t **by_num = NULL;
	const char *why;
	int ret = 0;

	if (!zt_opts_match(base, in->opts))
		return zt_patch_full(p, "the settings changed");
	why = absent_change(base, ab, keys + in->nremove, in->nadd);
	if (why != NULL)
		return zt_patch_full(p, "%s", why);
	for (uint32_t z = 0; z < base->nzones; z++)
		holes += base->zones[z].origin == NULL;
	if (holes > HOLES_MAX && holes > (base->nzones + in->nadd) / 4)
		return zt_patch_full(p, "%zu zones taken out since the compile", holes);
	*dropped = 0;
	for (size_t i = 0; i < in->nremove; i++) {
		uint32_t n = zt_find(base, keys[i], wire_name_len(keys[i]));

		if (n == ZT_NONE || !(base->nodes[n].flags & ZN_APEX))
			return zt_patch_full(p, "zone %s is not in the snapshot", in->remove[i]);
		gone[i] = base->nodes[n].zone;
		if (base->zones[gone[i]].is_signed || base->zones[gone[i]].has_nsec3)
			return zt_patch_full(p, "zone %s is signed", in->remove[i]);
		why = nesting(base, keys[i], gone[i], keys, in->nremove + in->nadd, ab);
		if (why != NULL)
			return zt_patch_full(p, "zone %s cannot go by a patch: %s", in->remove[i],
					     why);
		*dropped += zone_bytes(base, gone[i]);
	}
	for (size_t i = 0; i < in->nadd; i++) {
		const uint8_t *k = keys[in->nremove + i];

		if (zone_signed(in->add[i]))
			return zt_patch_full(p, "zone %s is signed", in->add[i]->origin_text);
		why =
		    nesting(base, k, replaced(in, keys, gone, k), keys, in->nremove + in->nadd, ab);
		if (why != NULL)
			return zt_patch_full(p, "zone %s cannot come by a patch: %s",
					     zt_patch_text(k, t, sizeof(t)), why);
	}
	/* The zones taken out are garbage in the store from now: counted as patches' are. */
	if (zt_mem_store_worn_by(base->store, *dropped))
		return zt_patch_full(p, "the patches' garbage and the zones taken out or replaced "
					"are compiled away");
	/* BASE's transfer orders first: the zones shared carry them. */
	if (zt_order_wait(base) != 0 || (ret = zt_patch_copy(p, (uint32_t)in->nadd)) != 0)
		return -ENOMEM;
	zt_mem_patch_start(&p->b->mem, zt, base->store);
	p->b->zt = zt;
	p->b->patch = true;
	zt_patch_start(zt, start);
	for (size_t i = 0; i < in->nremove; i++)
		zone_out(zt, gone[i]);
	/* The zones answered SERVFAIL now (the copy's given back). */
	free(zt->absent);
	zt->absent = (uint8_t *)ab->now;
	zt->absent_len = ab->now_len;
	ab->now = NULL;
	by_num = calloc(base->nzones + in->nadd + 1, sizeof(*by_num));
	if (by_num == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < in->nadd; i++) {
		ret =
		    zone_in(p, in->add[i], in->add_edits != NULL ? in->add_edits[i] : NULL, by_num);
		if (ret != 0)
			break;
		naxfr += zt->zones[zt->nzones - 1].naxfr;
	}
	free(by_num);
	if (ret == 0 && zt_mem_arena_put(&p->b->mem, NULL, WIRE_SLACK, 1) == ZT_NONE)
		ret = -ENOMEM;
	if (p->b->mem.failed)
		return zt_patch_full(p, "no room left in the store for the zones added");
	if (ret != 0)
		return ret;
	zt_patch_sealed(zt, start, naxfr);
	/* The names BASE's own patch compiled again, for the IXFR history (zt_patch_names()). */
	if (base->patch != NULL && zt->zones[base->patch->zone].origin != NULL) {
		zt->patch = zt_patch_rec_new(base->patch->zone, base->patch->from,
					     (const uint8_t *const *)base->patch->names,
					     base->patch->nnames);
		if (zt->patch == NULL)
			return -ENOMEM;
	}
	return 0;
}

int zt_patch_zones(const zt_t *base, const zt_patch_zones_in_t *in, zt_t **out, char *err,
		   size_t errlen)
{
	struct patch p = {.base = base, .z = ZT_NONE, .err = err, .errlen = errlen};
	size_t nkeys = in->nremove + in->nadd, dropped = 0, tip = 0;
	uint8_t(*keys)[WIRE_NAME_MAX + 1] = calloc(nkeys ? nkeys : 1, sizeof(*keys));
	const uint8_t **list = calloc(nkeys ? nkeys : 1, sizeof(*list));
	uint32_t *gone = calloc(in->nremove ? in->nremove : 1, sizeof(*gone));
	struct absent ab = {.now = NULL};
	uint8_t *now = NULL;
	int ret = -ENOMEM;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	p.zt = calloc(1, sizeof(*p.zt));
	p.b = calloc(1, sizeof(*p.b));
	if (keys == NULL || list == NULL || gone == NULL || p.zt == NULL || p.b == NULL)
		goto out;
	if (base->store == NULL) {
		ret = zt_patch_full(&p, "the snapshot has no store to share");
		goto out;
	}
	keys_of(in, keys, list);
	ab.old = base->absent;
	ab.old_len = base->absent_len;
	if (zt_absent_list(in->opts, &now, &ab.now_len) != 0)
		goto out;
	ab.now = now;
	p.b->err = err;
	p.b->errlen = errlen;
	p.b->mem.zt = p.zt;
	pthread_mutex_lock(&base->store->lock);
	for (int a = 0; a < ZT_STORE_ARRAYS; a++)
		tip -= base->store->tip[a];
	ret = zones_run(&p, in, list, gone, &dropped, &ab);
	if (ret == 0) {
		/* What the zones added took: live, not the patches' garbage (zt_mem.h). */
		for (int a = 0; a < ZT_STORE_ARRAYS; a++)
			tip += base->store->tip[a];
		base->store->dropped += dropped;
		base->store->added += tip;
	}
	pthread_mutex_unlock(&base->store->lock);
out:
	if (ret == 0) {
		*out = p.zt;
		p.zt = NULL;
	}
	free(p.pn);
	zt_free(&p.zt);
	if (ret < 0 && errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "cannot add or take out zones: %s", strerror(-ret));
	if (ab.now != NULL)
		free(now); /* not taken by the snapshot */
	if (p.b != NULL) {
		free(p.b->pend);
		free(p.b->pdata);
	}
	free(p.b);
	free(keys);
	free(list);
	free(gone);
	return ret;
}
