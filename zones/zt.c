/* SPDX-License-Identifier: BSD-3-Clause */
/* zt.c: the snapshot's life: compiled from loaded zones (zt_new), referenced, read, freed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edns.h"
#include "ixfr.h"
#include "zload_pvt.h"
#include "zt_build.h"
#include "zt_index.h"
#include "zt_mem.h"
#include "zt_order.h"
#include "zt_patch_rec.h"
#include "zt_sides.h"
#include "zt_spare.h"

static int cmp_zone_depth(const void *a, const void *b)
{
	const zload_zone_t *x = *(zload_zone_t *const *)a, *y = *(zload_zone_t *const *)b;
	unsigned lx = wire_name_labels(ldns_rdf_data(x->origin));
	unsigned ly = wire_name_labels(ldns_rdf_data(y->origin));

	return lx > ly ? -1 : (lx < ly);
}

int zt_absent_list(const zt_opts_t *opts, uint8_t **list, size_t *len)
{
	size_t cap = 0;

	*list = NULL;
	for (size_t i = 0; opts != NULL && i < opts->nabsent; i++) {
		ldns_rdf *d = ldns_dname_new_frm_str(opts->absent[i]);
		uint8_t *grown;

		if (d == NULL)
			continue; /* not a name: nothing can be asked under it */
		ldns_dname2canonical(d);
		grown = realloc(*list, cap + ldns_rdf_size(d));
		if (grown == NULL) {
			ldns_rdf_deep_free(d);
			free(*list);
			*list = NULL;
			*len = 0;
			return -ENOMEM;
		}
		memcpy(grown + cap, ldns_rdf_data(d), ldns_rdf_size(d));
		cap += ldns_rdf_size(d);
		*list = grown;
		ldns_rdf_deep_free(d);
	}
	*len = cap;
	return 0;
}

/* By zone, then by place in the caller's array (qsort is not stable; the later entry wins). */
static int cmp_edits_zone(const void *a, const void *b)
{
	const zt_zone_edits_t *ea = *(const zt_zone_edits_t *const *)a;
	const zt_zone_edits_t *eb = *(const zt_zone_edits_t *const *)b;
	uintptr_t x = (uintptr_t)ea->zone, y = (uintptr_t)eb->zone;

	if (x != y)
		return x < y ? -1 : 1;
	return ea < eb ? -1 : ea > eb;
}

/*
 * The edits of ZONE among the N of BY_ZONE (sorted by zone, the last given for a zone last), or
 * NULL: a binary search, where a pass per zone over every zone's edits cost zones x zones.
 */
static const zt_zone_edits_t *edits_of(const zt_zone_edits_t *const *by_zone, size_t n,
				       const zload_zone_t *zone)
{
	size_t lo = 0, hi = n;

	/* The first entry whose zone is past ZONE; the one before it is the last for ZONE. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)by_zone[mid]->zone <= (uintptr_t)zone)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && by_zone[lo - 1]->zone == zone ? by_zone[lo - 1] : NULL;
}

/* One served origin, for has_sub_find(). */
struct origin_at {
	const uint8_t *name;
	size_t z;
};

static int cmp_origin_at(const void *a, const void *b)
{
	return wire_name_cmp_canonical(((const struct origin_at *)a)->name,
				       ((const struct origin_at *)b)->name);
}

/*
 * Per zone, whether another of the NZONES lies below its origin: in canonical order a name's
 * subtree follows it, so the origin right after it says. n log n, where a pass over every zone
 * per zone would take minutes for tens of thousands of zones. HAS_SUB: NZONES flags, set.
 */
static int has_sub_find(zload_zone_t *const *zones, size_t nzones, bool *has_sub)
{
	struct origin_at *o = malloc((nzones ? nzones : 1) * sizeof(*o));

	if (o == NULL)
		return -ENOMEM;
	for (size_t z = 0; z < nzones; z++)
		o[z] = (struct origin_at){.name = ldns_rdf_data(zones[z]->origin), .z = z};
	qsort(o, nzones, sizeof(*o), cmp_origin_at);
	for (size_t k = 0; k + 1 < nzones; k++)
		if (wire_name_is_sub(o[k + 1].name, o[k].name))
			has_sub[o[k].z] = true;
	free(o);
	return 0;
}

zt_t *zt_new(zload_zone_t *const *zones_in, size_t nzones, const zt_opts_t *opts, char *err,
	     size_t errlen)
{
	struct zt_build *b = calloc(1, sizeof(*b));
	zload_zone_t **zones = calloc(nzones ? nzones : 1, sizeof(*zones));
	zt_t *zt = NULL;
	size_t nrr = 0, nby_zone = 0;
	const zt_zone_edits_t **by_zone = NULL;

	if (errlen > 0)
		err[0] = '\0';
	if (b == NULL || zones == NULL)
		goto fail_nomem;
	b->err = err;
	b->errlen = errlen;
	zt = calloc(1, sizeof(*zt));
	if (zt == NULL)
		goto fail_nomem;
	zt->refs = 1; /* the caller's */
	b->zt = zt;
	b->mem.zt = zt;
	if (nzones > 0) {
		memcpy(zones, zones_in, nzones * sizeof(*zones));
		/* Deeper zones first: a name belongs to the deepest zone that holds it. */
		qsort(zones, nzones, sizeof(*zones), cmp_zone_depth);
	}
	b->has_sub = calloc(nzones ? nzones : 1, sizeof(*b->has_sub));
	if (b->has_sub == NULL || has_sub_find(zones, nzones, b->has_sub) != 0)
		goto fail_nomem;
	nby_zone = opts != NULL ? opts->nedits : 0;
	by_zone = malloc((nby_zone ? nby_zone : 1) * sizeof(*by_zone));
	if (by_zone == NULL)
		goto fail_nomem;
	for (size_t k = 0; k < nby_zone; k++)
		by_zone[k] = &opts->edits[k];
	qsort(by_zone, nby_zone, sizeof(*by_zone), cmp_edits_zone);
	for (size_t i = 0; i < nzones; i++)
		nrr += zload_rr_count(zones[i]);
	zt->udp_max = opts && opts->udp_max_payload ? opts->udp_max_payload : ZT_UDP_MAX_DEFAULT;
	if (zt->udp_max < 512)
		zt->udp_max = 512;
	zt->opt_head = edns_opt_head(zt->udp_max);
	if (opts && opts->identity && (zt->identity = strdup(opts->identity)) == NULL)
		goto fail_nomem;
	if (opts && opts->version && (zt->version = strdup(opts->version)) == NULL)
		goto fail_nomem;
	if (zt_absent_list(opts, &zt->absent, &zt->absent_len) != 0)
		goto fail_nomem;
	if (opts && opts->nsid != NULL && opts->nsid_len > 0) {
		zt->nsid_len =
		    (uint8_t)(opts->nsid_len < ZT_NSID_MAX ? opts->nsid_len : ZT_NSID_MAX);
		memcpy(zt->nsid, opts->nsid, zt->nsid_len);
	}
	if (opts && opts->cookie_secret != NULL) {
		zt->cookies = true;
		memcpy(zt->cookie_secret, opts->cookie_secret, sizeof(zt->cookie_secret));
	}
	zt->zones = calloc(nzones ? nzones : 1, sizeof(zt_zone_t));
	if (zt->zones == NULL || zt_index_resize(zt, (uint32_t)(nrr + 16)) != 0)
		goto fail_nomem;
	zt->nzones = (uint32_t)nzones;
	for (size_t z = 0; z < nzones; z++) {
		zt->zones[z].origin = strdup(zones[z]->origin_text);
		const zt_zone_edits_t *e = edits_of(by_zone, nby_zone, zones[z]);

		zt->zones[z].serial = e != NULL ? e->serial & 0xffffffffUL : zones[z]->serial;
		zt->zones[z].soa = ZT_NONE;
		if (zt->zones[z].origin == NULL)
			goto fail_nomem;
		if (zt_nodes_load_zone(b, zones, nzones, z, e) != 0)
			goto fail;
	}
	if (zt_rrsets_make(b) != 0)
		goto fail_nomem;
	/*
	 * The records are the RRsets' now: their pending copies go before the answers are made
	 * (a signed million-record zone's are some 350 MiB, on top of the snapshot at its peak).
	 */
	free(b->pend);
	free(b->pdata);
	b->pend = NULL;
	b->pdata = NULL;
	b->npend = b->pend_cap = b->pdata_len = b->pdata_cap = 0;
	/* zload guarantees an SOA; a snapshot never relies on that alone. */
	for (size_t z = 0; z < nzones; z++) {
		if (zt->zones[z].soa == ZT_NONE) {
			zt_build_fail(b, "zone %s has no SOA record", zt->zones[z].origin);
			goto fail;
		}
	}
	if (zt_rrsets_link(b) != 0 || zt_sides_make(b) != 0)
		goto fail_nomem;
	if (zt_blobs_make(b) != 0)
		goto fail;
	if (zt_denial_make(b) != 0)
		goto fail_nomem;
	/* Octets after the last name, so that zt_find_slack() may read whole words past any. */
	if (zt_mem_arena_put(&b->mem, NULL, WIRE_SLACK, 1) == ZT_NONE)
		goto fail_nomem;
	zt_mem_join(&b->mem);
	if (zt_mem_settle(zt) != 0 || zt_order_job_new(zt) != 0)
		goto fail_nomem;
	zt->memsize += sizeof(*zt) + zt->arena_len + zt->nnodes * sizeof(zt_node_t) +
		       zt->nrrsets * sizeof(zt_rrset_t) + zt->nans * sizeof(zt_ans_t) +
		       nzones * sizeof(zt_zone_t) + (zt->index_mask + 1u) * sizeof(zt_slot_t);
	free(b->pend);
	free(b->pdata);
	free(b->has_sub);
	free(by_zone);
	free(zones);
	free(b);
	return zt;
fail_nomem:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "out of memory while compiling the zones");
fail:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "cannot compile the zones");
	free(zones);
	if (b != NULL) {
		zt_mem_join(&b->mem);
		free(b->pend);
		free(b->pdata);
		free(b->has_sub);
	}
	free(by_zone);
	free(b);
	zt_free(&zt);
	return NULL;
}

/* Whether strings A and B (either may be NULL) are the same. */
static bool same_text(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

bool zt_opts_match(const zt_t *zt, const zt_opts_t *opts)
{
	uint16_t udp = opts && opts->udp_max_payload ? opts->udp_max_payload : ZT_UDP_MAX_DEFAULT;
	size_t nsid_len = opts && opts->nsid != NULL ? opts->nsid_len : 0;

	if (udp < 512)
		udp = 512;
	if (nsid_len > ZT_NSID_MAX)
		nsid_len = ZT_NSID_MAX;
	return zt->udp_max == udp && same_text(zt->identity, opts ? opts->identity : NULL) &&
	       same_text(zt->version, opts ? opts->version : NULL) && zt->nsid_len == nsid_len &&
	       (nsid_len == 0 || memcmp(zt->nsid, opts->nsid, nsid_len) == 0) &&
	       zt->cookies == (opts && opts->cookie_secret != NULL) &&
	       (!zt->cookies ||
		memcmp(zt->cookie_secret, opts->cookie_secret, sizeof(zt->cookie_secret)) == 0);
}

bool zt_absent_same(const zt_t *zt, const zt_opts_t *opts)
{
	uint8_t *list;
	size_t len;
	bool same;

	if (zt_absent_list(opts, &list, &len) != 0)
		return false;
	same = len == zt->absent_len && (len == 0 || memcmp(list, zt->absent, len) == 0);
	free(list);
	return same;
}

zt_t *zt_ref(const zt_t *zt)
{
	zt_t *own = (zt_t *)(uintptr_t)zt; /* immutable but for the count */

	__atomic_add_fetch(&own->refs, 1, __ATOMIC_RELAXED);
	return own;
}

void zt_free(zt_t **ztp)
{
	zt_t *zt;

	if (ztp == NULL || *ztp == NULL)
		return;
	zt = *ztp;
	*ztp = NULL;
	/* Release: what this holder did with it happens before the last one frees it. */
	if (zt->refs != 0 && __atomic_sub_fetch(&zt->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	zt_order_job_free(zt);
	for (uint32_t z = 0; zt->zones != NULL && z < zt->nzones; z++) {
		ixfr_hist_unref(&zt->zones[z].ixfr);
		/* Shared with patched snapshots: the last one frees what they share. */
		if (zt->zones[z].shared != NULL) {
			if (__atomic_sub_fetch(zt->zones[z].shared, 1, __ATOMIC_ACQ_REL) != 0)
				continue;
			free(zt->zones[z].shared);
		}
		free(zt->zones[z].origin);
		zt_big_free(zt->zones[z].nsec);
		zt_big_free(zt->zones[z].nsec_keys);
		zt_big_free(zt->zones[z].nsec_koff);
		zt_big_free(zt->zones[z].nsec_pre);
		free(zt->zones[z].nxb_idx);
		free(zt->zones[z].nxb);
		free(zt->zones[z].nsec3);
		free(zt->zones[z].n3);
		free(zt->zones[z].n3pre);
		free(zt->zones[z].n3bkt);
		free(zt->zones[z].n3nx);
		free(zt->zones[z].n3ax);
		free(zt->zones[z].n3cv);
		free(zt->zones[z].n3wn);
		zt_big_free(zt->zones[z].axfr);
	}
	zt_patch_rec_free(zt->patch);
	free(zt->zones);
	zt_mem_free(zt);
	free(zt->identity);
	free(zt->version);
	free(zt->absent);
	/* The cookie secret goes with the snapshot, not left behind in freed memory. */
	explicit_bzero(zt->cookie_secret, sizeof(zt->cookie_secret));
	free(zt);
}

size_t zt_memsize(const zt_t *zt)
{
	return zt->memsize;
}

size_t zt_zone_count(const zt_t *zt)
{
	return zt->nzones;
}

size_t zt_zones_served(const zt_t *zt)
{
	size_t n = 0;

	for (uint32_t z = 0; z < zt->nzones; z++)
		n += zt->zones[z].origin != NULL;
	return n;
}

const char *zt_zone_origin(const zt_t *zt, size_t i)
{
	return i < zt->nzones ? zt->zones[i].origin : NULL;
}

unsigned long zt_zone_serial(const zt_t *zt, size_t i)
{
	return i < zt->nzones ? zt->zones[i].serial : 0;
}
