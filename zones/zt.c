/* SPDX-License-Identifier: BSD-3-Clause */
/* zt.c: compile loaded zones into one immutable snapshot of nodes and precomputed answers */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "resolve.h"
#include "sandns_err.h"
#include "zload_pvt.h"
#include "zt_index.h"
#include "zt_mem.h"
#include "zt_pvt.h"
#include "zthread.h"

/* ---------------------------------------------------------------- build state */

struct build {
	zt_t *zt;
	zt_mem_t mem;	/* its big arrays */
	uint8_t *pdata; /* the records' [u16 len][rdata] until make_rrsets() places them */
	size_t pdata_len, pdata_cap;
	char *err;
	size_t errlen;
	uint8_t scratch[65536];
};

static void __attribute__((format(printf, 2, 3))) build_fail(struct build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (np == NULL)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* Appends LEN bytes (aligned to ALIGN) to the arena; returns the offset or ZT_NONE. */
static uint32_t arena_put(struct build *b, const void *data, size_t len, size_t align)
{
	return zt_mem_arena_put(&b->mem, data, len, align);
}

/* Appends a node for a lower-cased wire name, in no index yet; ZT_NONE without memory. */
static uint32_t node_append(struct build *b, const uint8_t *key, size_t len, uint32_t zone,
			    uint8_t flags)
{
	zt_t *zt = b->zt;
	zt_node_t *node;
	uint32_t name, n;

	if (zt_mem_grow(&b->mem, ZT_ARR_NODES, (zt->nnodes + 1u) * sizeof(zt_node_t)) != 0)
		return ZT_NONE;
	name = arena_put(b, key, len, 1);
	if (name == ZT_NONE)
		return ZT_NONE;
	n = zt->nnodes++;
	node = &zt->nodes[n];
	memset(node, 0, sizeof(*node));
	node->name = name;
	node->name_len = (uint16_t)len;
	node->labels = (uint8_t)wire_name_labels(key);
	node->zone = zone;
	node->flags = flags;
	node->wildcard = ZT_NONE;
	node->deleg = ZT_NONE;
	node->parent_side = ZT_NONE;
	node->rrsets = ZT_NONE;
	node->ans = ZT_NONE;
	node->ans_default = ZT_NONE;
	node->referral = ZT_NONE;
	node->ans_do = ZT_NONE;
	node->ans_default_do = ZT_NONE;
	node->referral_do = ZT_NONE;
	node->ans0_blob = ZT_NONE;
	return n;
}

/* Finds or creates the node for a lower-cased wire name; ENT parents are created by the caller. */
static uint32_t node_get(struct build *b, const uint8_t *key, size_t len, uint32_t zone)
{
	zt_t *zt = b->zt;
	uint32_t n = zt_find(zt, key, len);

	if (n != ZT_NONE)
		return n;
	if (zt_index_full(zt) && zt_index_resize(zt, (zt->nnodes + 1) * 2) != 0)
		return ZT_NONE;
	n = node_append(b, key, len, zone, 0);
	if (n != ZT_NONE)
		zt_index_insert(zt, n);
	return n;
}

/*
 * A node outside the index: the parent zone's records at or below the apex of a deeper zone
 * that we serve too. Lookups never see them; AXFR of the parent and DS at the child's apex do.
 */
static uint32_t node_get_shadow(struct build *b, const uint8_t *key, size_t len, uint32_t zone)
{
	zt_t *zt = b->zt;

	for (uint32_t i = zt->zones[zone].first_node; i < zt->nnodes; i++)
		if ((zt->nodes[i].flags & ZN_SHADOW) && zt->nodes[i].name_len == len &&
		    memcmp(zt->arena + zt->nodes[i].name, key, len) == 0)
			return i;
	return node_append(b, key, len, zone, ZN_SHADOW);
}

/* ---------------------------------------------------------------- loading records */

struct pending_rr {
	uint32_t node;
	uint16_t type;
	uint16_t covered;
	uint32_t ttl;
	uint32_t rdata; /* offset of [u16 len][rdata] in the build's pdata */
	uint32_t order;
};

/* Records by node, type, covered type, then RDATA in binary order (Knot's, for like answers). */
static int cmp_pending(const void *a, const void *b, void *ctx)
{
	const struct pending_rr *x = a, *y = b;
	const uint8_t *arena = ctx;
	uint16_t lx, ly;
	int c;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	lx = wire_get16(arena + x->rdata);
	ly = wire_get16(arena + y->rdata);
	c = memcmp(arena + x->rdata + 2, arena + y->rdata + 2, lx < ly ? lx : ly);
	if (c != 0)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* Whether NAME (lower-cased) is at or below the apex of a zone deeper than zone Z. */
static bool shadowed(const zt_t *zt, zload_zone_t *const *zones, size_t nzones, size_t z,
		     const uint8_t *name)
{
	const uint8_t *own = ldns_rdf_data(zones[z]->origin);
	unsigned own_labels = wire_name_labels(own);

	(void)zt;
	for (size_t i = 0; i < nzones; i++) {
		const uint8_t *apex = ldns_rdf_data(zones[i]->origin);

		if (i == z || wire_name_labels(apex) <= own_labels)
			continue;
		if (wire_name_is_sub(name, apex))
			return true;
	}
	return false;
}

/* The policy's edits of one zone, ready for the compiler: owners as lower-cased wire names. */
struct zedits {
	const zt_zone_edits_t *e; /* or NULL: the zone as loaded */
	uint8_t (*wh_key)[WIRE_NAME_MAX + 1];
	size_t *wh_len;
	uint16_t *wh_type;
	size_t *wh_at; /* the withhold's place among the edits */
	size_t nwh;
	ldns_rr **add;
	size_t *add_at; /* the add's place: only withholds after it apply to it */
	size_t nadd;
};

static void zedits_free(struct zedits *ze)
{
	for (size_t i = 0; i < ze->nadd; i++)
		ldns_rr_free(ze->add[i]);
	free(ze->add);
	free(ze->wh_key);
	free(ze->wh_len);
	free(ze->wh_type);
	free(ze->wh_at);
	free(ze->add_at);
	memset(ze, 0, sizeof(*ze));
}

/* Reads E's edits of ZONE: withheld owners as keys, added records parsed (zload_edit's text). */
static int zedits_init(struct build *b, struct zedits *ze, const zload_zone_t *zone,
		       const zt_zone_edits_t *e)
{
	memset(ze, 0, sizeof(*ze));
	ze->e = e;
	if (e == NULL || e->nedits == 0)
		return 0;
	ze->wh_key = calloc(e->nedits, sizeof(*ze->wh_key));
	ze->wh_len = calloc(e->nedits, sizeof(*ze->wh_len));
	ze->wh_type = calloc(e->nedits, sizeof(*ze->wh_type));
	ze->add = calloc(e->nedits, sizeof(*ze->add));
	ze->wh_at = calloc(e->nedits, sizeof(*ze->wh_at));
	ze->add_at = calloc(e->nedits, sizeof(*ze->add_at));
	if (ze->wh_key == NULL || ze->wh_len == NULL || ze->wh_type == NULL || ze->add == NULL ||
	    ze->wh_at == NULL || ze->add_at == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < e->nedits; i++) {
		const zload_edit_t *ed = &e->edits[i];
		ldns_rdf *name = NULL;
		ldns_rr *rr = NULL;

		if (ed->op == ZLOAD_EDIT_WITHHOLD) {
			if (ldns_str2rdf_dname(&name, ed->owner) != LDNS_STATUS_OK) {
				build_fail(b, "%s: '%s' is not a domain name", zone->origin_text,
					   ed->owner);
				return SANDNS_EZONE;
			}
			ze->wh_len[ze->nwh] =
			    wire_name_lower(ze->wh_key[ze->nwh], ldns_rdf_data(name));
			ze->wh_at[ze->nwh] = i;
			ze->wh_type[ze->nwh++] = ed->type;
			ldns_rdf_deep_free(name);
		} else if (ed->op == ZLOAD_EDIT_ADD) {
			if (zload_edit_rr(zone, ed, &rr, b->err, b->errlen) != 0)
				return SANDNS_EZONE;
			ze->add_at[ze->nadd] = i;
			ze->add[ze->nadd++] = rr;
		}
	}
	return 0;
}

/*
 * Whether the record of TYPE at KEY (LEN octets, lower case) is withheld by the edits: a
 * record of the zone by any withhold, an added one (AFTER: its place + 1) only by those after
 * it, as zload_edit() applies them in order (withhold the SRV RRset, then add the new one).
 */
static bool zedits_withheld(const struct zedits *ze, const uint8_t *key, size_t len, uint16_t type,
			    size_t after)
{
	for (size_t i = 0; i < ze->nwh; i++)
		if (ze->wh_at[i] + 1 > after && ze->wh_type[i] == type && ze->wh_len[i] == len &&
		    memcmp(ze->wh_key[i], key, len) == 0)
			return true;
	return false;
}

/* Ancestors of KEY up to the apex exist as empty non-terminals (RFC 4592 2.2.2). */
static int node_ancestors(struct build *b, const uint8_t *key, size_t len, size_t apex_len,
			  uint32_t zone)
{
	while (len > apex_len) {
		len -= (size_t)*key + 1;
		key += *key + 1;
		if (zt_find(b->zt, key, len) != ZT_NONE)
			break;
		if (node_get(b, key, len, zone) == ZT_NONE)
			return -ENOMEM;
	}
	return 0;
}

/* A record as load_rr() takes it: owner and data in wire form. */
struct rec {
	const uint8_t *owner;
	const uint8_t *rdata;
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
};

/* What load_zone hands to each record. */
struct load {
	zload_zone_t *const *zones;
	size_t nzones, z;
	const struct zedits *ze;
	ldns_buffer *buf;
	struct pending_rr **pend;
	size_t *npend, *pend_cap;
	uint32_t apex;
	/*
	 * While the zone's records come sorted by owner (length first, zload's by_owner): the
	 * last owner given a node. An owner that differs from it has no node yet, so no lookup
	 * is needed (a cache miss each in a large zone): equal owners are next to each other, and
	 * the empty non-terminals made so far are shorter than any owner still to come. The apex
	 * is made first, so it is looked up.
	 */
	bool sorted;
	uint32_t last_node;
	size_t last_len;
	uint8_t last_key[WIRE_NAME_MAX + 1];
};

/* Appends a node for a name known to have none yet, and puts it in the index. */
static uint32_t node_new(struct build *b, const uint8_t *key, size_t len, uint32_t zone)
{
	zt_t *zt = b->zt;
	uint32_t n;

	if (zt_index_full(zt) && zt_index_resize(zt, (zt->nnodes + 1) * 2) != 0)
		return ZT_NONE;
	n = node_append(b, key, len, zone, 0);
	if (n != ZT_NONE)
		zt_index_insert(zt, n);
	return n;
}

/*
 * One record of zone L->z: its node (and ancestors), its RDATA, a pending entry. AFTER is 0
 * for the zone's own records, an added record's place among the edits + 1 for the others.
 * ORDER: its place in the file (records added by edits after them all), which decides which
 * of an RRset's records gives its TTL.
 */
static int load_rr(struct build *b, struct load *l, const struct rec *rr, size_t after,
		   size_t order)
{
	zt_t *zt = b->zt;
	const zload_zone_t *zone = l->zones[l->z];
	uint8_t key[WIRE_NAME_MAX + 1], lenb[2];
	size_t len = wire_name_lower(key, rr->owner);
	uint16_t type = rr->type, rdlen = rr->rdlen;
	struct pending_rr *p;
	uint32_t node, off;

	if (l->ze->nwh > 0 && zedits_withheld(l->ze, key, len, type, after))
		return 0;
	if (l->sorted && len == l->last_len && memcmp(key, l->last_key, len) == 0) {
		node = l->last_node; /* its ancestors are there too */
	} else if (shadowed(zt, l->zones, l->nzones, l->z, key)) {
		/* The parent side of a zone we also serve: for AXFR and DS only. */
		node = node_get_shadow(b, key, len, (uint32_t)l->z);
	} else {
		const zt_node_t *apex = &zt->nodes[l->apex];

		if (l->sorted &&
		    (len != apex->name_len || memcmp(key, zt->arena + apex->name, len) != 0))
			node = node_new(b, key, len, (uint32_t)l->z);
		else
			node = node_get(b, key, len, (uint32_t)l->z);
		if (node == ZT_NONE)
			return -ENOMEM;
		if (node_ancestors(b, key, len, ldns_rdf_size(zone->origin), (uint32_t)l->z) != 0)
			return -ENOMEM;
		if (l->sorted) {
			l->last_node = node;
			l->last_len = len;
			memcpy(l->last_key, key, len);
		}
	}
	if (node == ZT_NONE)
		return -ENOMEM;
	if (grow((void **)l->pend, l->pend_cap, *l->npend + 1, sizeof(**l->pend)) != 0)
		return -ENOMEM;
	/* [u16 len][rdata] in the build's own buffer: make_rrsets copies it into the arena. */
	if (b->pdata_len + 2u + rdlen > UINT32_MAX ||
	    grow((void **)&b->pdata, &b->pdata_cap, b->pdata_len + 2u + rdlen, 1) != 0)
		return -ENOMEM;
	off = (uint32_t)b->pdata_len;
	wire_put16(lenb, rdlen);
	memcpy(b->pdata + off, lenb, 2);
	if (rdlen > 0)
		memcpy(b->pdata + off + 2, rr->rdata, rdlen);
	b->pdata_len += 2u + rdlen;
	/* The served serial, when the policy raised it (SOA RDATA: two names, then the serial). */
	if (type == T_SOA && l->ze->e != NULL) {
		const uint8_t *rd = b->pdata + off + 2;
		size_t at = wire_name_len(rd);

		at += wire_name_len(rd + at);
		if (at + 4 <= rdlen)
			wire_put32(b->pdata + off + 2 + at, (uint32_t)l->ze->e->serial);
	}
	p = &(*l->pend)[(*l->npend)++];
	p->node = node;
	p->type = type;
	p->covered = type == T_RRSIG && rdlen >= 2 ? wire_get16(b->pdata + off + 2) : 0;
	p->ttl = rr->ttl;
	p->order = (uint32_t)order;
	p->rdata = off;
	return 0;
}

/* A name kept as a node without records (it answers NODATA; no wildcard answers for it). */
static int load_empty(struct build *b, const struct load *l, const ldns_rdf *name)
{
	const zload_zone_t *zone = l->zones[l->z];
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, ldns_rdf_data(name));

	if (shadowed(b->zt, l->zones, l->nzones, l->z, key))
		return 0;
	if (node_get(b, key, len, (uint32_t)l->z) == ZT_NONE ||
	    node_ancestors(b, key, len, ldns_rdf_size(zone->origin), (uint32_t)l->z) != 0)
		return -ENOMEM;
	return 0;
}

/*
 * How many records ahead load_zone() asks for the index slot of an owner: in a large zone each
 * is a cache miss, which the records between then overlap.
 */
#define LOAD_AHEAD 16

static void prefetch_slot(const zt_t *zt, const uint8_t *owner)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, owner);

	__builtin_prefetch(&zt->index[zt_hash(key, len) & zt->index_mask], 1);
}

static int load_zone(struct build *b, zload_zone_t *const *zones, size_t nzones, size_t z,
		     const zt_zone_edits_t *e, struct pending_rr **pend, size_t *npend,
		     size_t *pend_cap)
{
	zt_t *zt = b->zt;
	const zload_zone_t *zone = zones[z];
	size_t n = zone->nrecs;
	struct zedits ze;
	struct load l = {
	    .zones = zones,
	    .nzones = nzones,
	    .z = z,
	    .ze = &ze,
	    .buf = ldns_buffer_new(65535),
	    .pend = pend,
	    .npend = npend,
	    .pend_cap = pend_cap,
	};
	uint8_t key[WIRE_NAME_MAX + 1];
	uint32_t apex;
	int ret = e != NULL ? zload_edits_check(zone, e->edits, e->nedits, b->err, b->errlen) : 0;

	if (ret == 0)
		ret = zedits_init(b, &ze, zone, e);
	else
		memset(&ze, 0, sizeof(ze));
	if (ret == 0 && l.buf == NULL)
		ret = -ENOMEM;
	if (ret != 0)
		goto out;
	zt->zones[z].first_node = zt->nnodes;
	wire_name_lower(key, ldns_rdf_data(zone->origin));
	apex = node_get(b, key, ldns_rdf_size(zone->origin), (uint32_t)z);
	if (apex == ZT_NONE || zt->nodes[apex].zone != z) {
		build_fail(b, "zone %s is served twice", zone->origin_text);
		ret = SANDNS_ECONFIG;
		goto out;
	}
	zt->nodes[apex].flags |= ZN_APEX;
	zt->zones[z].apex = apex;
	l.apex = apex;
	/* By owner when the loader sorted them (a zone as read): see struct load. */
	l.sorted = zone->by_owner != NULL;
	for (size_t k = 0; k < n && ret == 0; k++) {
		size_t i = l.sorted ? zone->by_owner[k] : k;
		const zload_rec_t *r = &zone->recs[i];
		struct rec rec = {
		    .owner = zload_rec_owner(zone, i),
		    .rdata = zload_rec_rdata(zone, i),
		    .ttl = r->ttl,
		    .type = r->type,
		    .rdlen = r->rdlen,
		};

		if (k + LOAD_AHEAD < n)
			prefetch_slot(zt, zload_rec_owner(zone, l.sorted
								    ? zone->by_owner[k + LOAD_AHEAD]
								    : k + LOAD_AHEAD));
		ret = load_rr(b, &l, &rec, 0, i);
	}
	l.sorted = false;
	for (size_t i = 0; i < ze.nadd && ret == 0; i++) {
		const ldns_rr *rr = ze.add[i];
		struct rec rec = {
		    .owner = ldns_rdf_data(ldns_rr_owner(rr)),
		    .ttl = ldns_rr_ttl(rr),
		    .type = (uint16_t)ldns_rr_get_type(rr),
		};

		ldns_buffer_clear(l.buf);
		if (ldns_rr_rdata2buffer_wire(l.buf, rr) != LDNS_STATUS_OK ||
		    ldns_buffer_position(l.buf) > 65535) {
			build_fail(b, "%s: a record's RDATA cannot be encoded", zone->origin_text);
			ret = SANDNS_EZONE;
			break;
		}
		rec.rdata = ldns_buffer_begin(l.buf);
		rec.rdlen = (uint16_t)ldns_buffer_position(l.buf);
		ret = load_rr(b, &l, &rec, ze.add_at[i] + 1, n + i);
	}
	/* Names the zone keeps without records (the policy's): they answer NODATA. */
	for (size_t i = 0; i < zone->nempty && ret == 0; i++)
		ret = load_empty(b, &l, zone->empty[i]);
	for (size_t i = 0; e != NULL && i < e->nedits && ret == 0; i++) {
		ldns_rdf *name = NULL;

		if (e->edits[i].op != ZLOAD_EDIT_EMPTY_NODE)
			continue;
		if (ldns_str2rdf_dname(&name, e->edits[i].owner) != LDNS_STATUS_OK) {
			build_fail(b, "%s: '%s' is not a domain name", zone->origin_text,
				   e->edits[i].owner);
			ret = SANDNS_EZONE;
			break;
		}
		ret = load_empty(b, &l, name);
		ldns_rdf_deep_free(name);
	}
out:
	zedits_free(&ze);
	ldns_buffer_free(l.buf);
	return ret;
}

/* Groups the pending records into RRsets; the nodes' RRsets become contiguous, by type. */
static int make_rrsets(struct build *b, struct pending_rr *pend, size_t npend)
{
	zt_t *zt = b->zt;

	/*
	 * Records come in file order, and a name's records are usually together: the pending
	 * array is then already ordered by node, and only each node's few records need sorting
	 * (the same order a full sort gives, node being its first key). Otherwise, a full sort.
	 */
	{
		bool by_node = true;

		for (size_t i = 1; i < npend && by_node; i++)
			by_node = pend[i].node >= pend[i - 1].node;
		if (!by_node) {
			qsort_r(pend, npend, sizeof(*pend), cmp_pending, b->pdata);
		} else {
			for (size_t i = 0, j; i < npend; i = j) {
				for (j = i + 1; j < npend && pend[j].node == pend[i].node; j++)
					;
				if (j - i > 1)
					qsort_r(pend + i, j - i, sizeof(*pend), cmp_pending,
						b->pdata);
			}
		}
	}
	for (size_t i = 0; i < npend;) {
		size_t j = i + 1;
		zt_rrset_t *set;
		zt_node_t *node = &zt->nodes[pend[i].node];
		uint32_t start = (uint32_t)zt->arena_len;
		uint32_t first_order = pend[i].order, ttl = pend[i].ttl;
		size_t count;

		while (j < npend && pend[j].node == pend[i].node && pend[j].type == pend[i].type &&
		       pend[j].covered == pend[i].covered) {
			/* The TTL served is the file's first record's (zload warns about the
			 * others). */
			if (pend[j].order < first_order) {
				first_order = pend[j].order;
				ttl = pend[j].ttl;
			}
			j++;
		}
		if (j - i > UINT16_MAX || node->nrrsets == UINT16_MAX) {
			char owner[WIRE_NAME_MAX * 4 + 1];

			wire_name_to_text(zt->arena + node->name, owner, sizeof(owner));
			build_fail(b, "%s: more than %u records in one RRset or RRsets at one name",
				   owner, UINT16_MAX);
			return SANDNS_ETOOBIG;
		}
		if (zt_mem_grow(&b->mem, ZT_ARR_RRSETS, (zt->nrrsets + 1u) * sizeof(zt_rrset_t)) !=
		    0)
			return -ENOMEM;
		/*
		 * Copy the records together so that an RRset is one run of bytes. A record twice
		 * (an edit adding what the file has) is kept once: they sort next to each other.
		 */
		start = ZT_NONE;
		count = 0;
		for (size_t k = i; k < j; k++) {
			uint16_t len = wire_get16(b->pdata + pend[k].rdata);
			uint32_t off;

			if (k > i && len == wire_get16(b->pdata + pend[k - 1].rdata) &&
			    memcmp(b->pdata + pend[k].rdata, b->pdata + pend[k - 1].rdata,
				   (size_t)len + 2) == 0)
				continue;
			off = arena_put(b, NULL, (size_t)len + 2, 1);
			if (off == ZT_NONE)
				return -ENOMEM;
			memcpy(zt->arena + off, b->pdata + pend[k].rdata, (size_t)len + 2);
			if (start == ZT_NONE)
				start = off;
			count++;
		}
		set = &zt->rrsets[zt->nrrsets];
		set->type = pend[i].type;
		set->covered = pend[i].covered;
		set->count = (uint16_t)count;
		set->node = pend[i].node;
		set->ttl = ttl;
		set->data = start;
		set->data_len = (uint32_t)(zt->arena_len - start);
		if (node->nrrsets == 0)
			node->rrsets = zt->nrrsets;
		node->nrrsets++;
		switch (set->type) {
		case T_CNAME:
			node->flags |= ZN_CNAME;
			break;
		case T_DNAME:
			node->flags |= ZN_DNAME;
			break;
		case T_NS:
			if (!(node->flags & ZN_APEX))
				node->flags |= ZN_CUT;
			break;
		case T_SOA:
			zt->zones[node->zone].soa = zt->nrrsets;
			break;
		case T_DNSKEY:
		case T_RRSIG:
			zt->zones[node->zone].is_signed = true;
			break;
		default:
			break;
		}
		zt->nrrsets++;
		i = j;
	}
	return 0;
}

static uint32_t parent_of(const zt_t *zt, uint32_t n)
{
	const zt_node_t *node = &zt->nodes[n];
	const uint8_t *name = zt->arena + node->name;

	if (node->flags & ZN_APEX)
		return ZT_NONE;
	return zt_find(zt, name + name[0] + 1, node->name_len - name[0] - 1u);
}

static uint32_t deleg_of(zt_t *zt, uint32_t n, uint8_t *done)
{
	zt_node_t *node = &zt->nodes[n];
	uint32_t p, d = ZT_NONE;

	if (done[n])
		return node->deleg;
	if (node->flags & ZN_SHADOW) {
		/* Only the parent-side cut itself answers anything (DS). */
		node->deleg = (node->flags & ZN_CUT) ? n : ZT_NONE;
		done[n] = 1;
		return node->deleg;
	}
	p = parent_of(zt, n);
	if (p != ZT_NONE) {
		d = deleg_of(zt, p, done);
		if (d == ZT_NONE && (zt->nodes[p].flags & ZN_DNAME))
			d = p;
	}
	if (d == ZT_NONE && (node->flags & ZN_CUT))
		d = n;
	node->deleg = d;
	done[n] = 1;
	return d;
}

/* A node's canonical sort key (see sort_canonical): where it starts and how long it is. */
struct canon {
	uint32_t key, len;
	uint32_t node;
};

static int cmp_canon_key(const void *a, const void *b, void *ctx)
{
	const struct canon *x = a, *y = b;
	const uint8_t *keys = ctx;
	int c = memcmp(keys + x->key, keys + y->key, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : (x->len > y->len);
}

/*
 * The key of a lower-cased wire name whose memcmp order is RFC 4034 6.1 canonical order: the
 * labels from the right, each followed by 0x00; octets 0x00 and 0x01 inside a label become
 * 0x01 0x01 and 0x01 0x02, so that the separator sorts below everything. OUT takes at most
 * twice the name's length. Returns the key's length.
 */
static size_t canon_key(uint8_t *out, const uint8_t *name)
{
	const uint8_t *lab[WIRE_NAME_MAX / 2 + 1];
	unsigned n = 0;
	size_t o = 0;

	for (const uint8_t *p = name; *p != 0; p += *p + 1)
		lab[n++] = p;
	while (n > 0) {
		const uint8_t *l = lab[--n];

		for (uint8_t i = 1; i <= l[0]; i++) {
			if (l[i] <= 1) {
				out[o++] = 1;
				out[o++] = (uint8_t)(l[i] + 1);
			} else {
				out[o++] = l[i];
			}
		}
		out[o++] = 0;
	}
	return o;
}

/*
 * Sorts the nodes ORDER (N of them) canonically. The keys are made once: comparing names label
 * by label from the right in every step of the sort was half of compiling a large zone.
 */
static int sort_canonical(const zt_t *zt, uint32_t *order, uint32_t n)
{
	struct canon *c = malloc((n ? n : 1) * sizeof(*c));
	size_t total = 0, off = 0;
	uint8_t *keys;

	if (c == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		total += 2u * zt->nodes[order[i]].name_len;
	keys = malloc(total ? total : 1);
	if (keys == NULL) {
		free(c);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t len = canon_key(keys + off, zt->arena + zt->nodes[order[i]].name);

		c[i] = (struct canon){.key = (uint32_t)off, .len = (uint32_t)len, .node = order[i]};
		off += len;
	}
	qsort_r(c, n, sizeof(*c), cmp_canon_key, keys);
	for (uint32_t i = 0; i < n; i++)
		order[i] = c[i].node;
	free(keys);
	free(c);
	return 0;
}

/* How many NSEC RRsets (*NN) and RRsets in all (*NA) zone Z holds. */
static void zone_counts(const zt_t *zt, uint32_t z, uint32_t *nn, uint32_t *na)
{
	*nn = *na = 0;
	for (uint32_t n = 0; n < zt->nnodes; n++) {
		const zt_node_t *node = &zt->nodes[n];

		if (node->zone != z)
			continue;
		*na += node->nrrsets;
		for (uint32_t i = 0; i < node->nrrsets; i++)
			if (zt->rrsets[node->rrsets + i].type == T_NSEC)
				(*nn)++;
	}
}

/*
 * Zone Z's NSEC owners and transfer order: every RRset but the SOA, nodes in canonical order,
 * as Knot's transfers go (RFC 5936 leaves it free).
 */
static int zone_order(zt_t *zt, uint32_t z)
{
	zt_zone_t *zone = &zt->zones[z];
	uint32_t nn, na, no = 0, *order, *nsec, *axfr;

	zone_counts(zt, z, &nn, &na);
	order = malloc((zt->nnodes ? zt->nnodes : 1) * sizeof(uint32_t));
	nsec = malloc((nn ? nn : 1) * sizeof(uint32_t));
	axfr = malloc((na ? na : 1) * sizeof(uint32_t));
	if (order == NULL || nsec == NULL || axfr == NULL)
		goto nomem;
	for (uint32_t n = 0; n < zt->nnodes; n++)
		if (zt->nodes[n].zone == z && zt->nodes[n].nrrsets > 0)
			order[no++] = n;
	if (sort_canonical(zt, order, no) != 0)
		goto nomem;
	nn = na = 0;
	for (uint32_t k = 0; k < no; k++) {
		const zt_node_t *node = &zt->nodes[order[k]];

		for (uint32_t i = 0; i < node->nrrsets; i++) {
			uint32_t s = node->rrsets + i;

			if (zt->rrsets[s].type == T_NSEC)
				nsec[nn++] = order[k];
			if (s != zone->soa)
				axfr[na++] = s;
		}
	}
	free(order);
	zone->nsec = nsec;
	zone->nnsec = nn;
	zone->axfr = axfr;
	zone->naxfr = na;
	return 0;
nomem:
	free(order);
	free(nsec);
	free(axfr);
	return -ENOMEM;
}

static int link_nodes(struct build *b)
{
	zt_t *zt = b->zt;
	uint8_t *done = calloc(zt->nnodes ? zt->nnodes : 1, 1);

	if (done == NULL)
		return -ENOMEM;
	for (uint32_t n = 0; n < zt->nnodes; n++) {
		zt_node_t *node = &zt->nodes[n];
		const uint8_t *name = zt->arena + node->name;

		if (zt->zones[node->zone].is_signed)
			node->flags |= ZN_SIGNED;
		deleg_of(zt, n, done);
		if (node->flags & ZN_SHADOW) {
			uint32_t child = zt_find(zt, name, node->name_len);

			if ((node->flags & ZN_CUT) && child != ZT_NONE &&
			    (zt->nodes[child].flags & ZN_APEX))
				zt->nodes[child].parent_side = n;
			continue;
		}
		if (name[0] == 1 && name[1] == '*' && !(node->flags & ZN_APEX)) {
			uint32_t p = parent_of(zt, n);

			if (p != ZT_NONE)
				zt->nodes[p].wildcard = n;
		}
	}
	free(done);
	/* Zone facts: negative TTL, NSEC chain, transfer order. */
	for (uint32_t z = 0; z < zt->nzones; z++) {
		zt_zone_t *zone = &zt->zones[z];
		const zt_rrset_t *soa = &zt->rrsets[zone->soa];
		const uint8_t *rd = zt->arena + soa->data + 2;
		size_t l1 = wire_name_len(rd), l2 = wire_name_len(rd + l1);
		uint32_t minimum = wire_get32(rd + l1 + l2 + 16);
		uint32_t nn, na;

		zone->neg_ttl = soa->ttl < minimum ? soa->ttl : minimum;
		zone_counts(zt, z, &nn, &na);
		zt->memsize += (nn + na) * sizeof(uint32_t);
		/*
		 * An unsigned zone's transfer order waits (zt_order_start(), zt_order_wait()):
		 * nothing but a transfer needs it. A signed zone's answers need its NSEC chain now.
		 */
		zone->order_later = !zone->is_signed && nn == 0 && zt->nnodes >= zt_order_async_min;
		if (!zone->order_later && zone_order(zt, z) != 0)
			return -ENOMEM;
	}
	return 0;
}

size_t zt_order_async_min = 65536;

/* The transfer orders link_nodes() left for later, and who sorts them. */
struct zt_order_job {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started; /* a thread sorts them */
	bool done;
	int ret;
	zt_t *zt;
};

static int order_later_zones(zt_t *zt)
{
	int ret = 0;

	for (uint32_t z = 0; z < zt->nzones && ret == 0; z++)
		if (zt->zones[z].order_later)
			ret = zone_order(zt, z);
	return ret;
}

static void *order_main(void *arg)
{
	struct zt_order_job *j = arg;
	int ret = order_later_zones(j->zt);

	/* The sort's keys (tens of MiB) were this thread's heap: give the pages back. */
	malloc_trim(0);
	pthread_mutex_lock(&j->lock);
	j->ret = ret;
	j->done = true;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Sets up the job for the zones whose transfer order waits (none: no job). */
static int order_job_new(zt_t *zt)
{
	struct zt_order_job *j;
	bool later = false;

	for (uint32_t z = 0; z < zt->nzones; z++)
		later = later || zt->zones[z].order_later;
	if (!later)
		return 0;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	j->zt = zt;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	zt->order_job = j;
	return 0;
}

void zt_order_start(const zt_t *zt)
{
	struct zt_order_job *j = zt->order_job;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	if (!j->started && !j->done)
		j->started = zthread_start(&j->tid, order_main, j) == 0;
	pthread_mutex_unlock(&j->lock);
}

int zt_order_wait(const zt_t *zt)
{
	struct zt_order_job *j = zt->order_job;
	int ret;

	if (j == NULL)
		return 0;
	pthread_mutex_lock(&j->lock);
	if (!j->started && !j->done) {
		/* Nobody started the thread: sort here, once. */
		j->ret = order_later_zones(j->zt);
		j->done = true;
	}
	while (!j->done)
		pthread_cond_wait(&j->cond, &j->lock);
	ret = j->ret;
	pthread_mutex_unlock(&j->lock);
	return ret;
}

/* ---------------------------------------------------------------- precomputed answers */

/*
 * Renders R for the question name QNAME into a blob; RELOC blobs serve any name below the
 * ANCHOR_LABELS last labels of QNAME. Returns the blob's arena offset, or ZT_NONE.
 */
static uint32_t make_blob(struct build *b, const res_t *r, const uint8_t *qname, bool reloc,
			  unsigned anchor_labels)
{
	rbuf_t rb;
	uint16_t counts[3];
	size_t qlen = wire_name_len(qname);
	size_t head = WIRE_HDR_LEN + qlen + 4;
	size_t len;
	zt_blob_t *blob;
	uint32_t off;
	uint8_t *data;

	if (r->overflow)
		return ZT_NONE;
	rbuf_start(&rb, b->scratch, sizeof(b->scratch), qname, 0, C_IN, reloc, anchor_labels);
	rbuf_put_res(&rb, b->zt, r, counts);
	if (rb.err != 0 || rb.tc)
		return ZT_NONE;
	len = rb.len - head;
	off = arena_put(b, NULL, zt_blob_size((uint32_t)len, (uint16_t)rb.nfix), 4);
	if (off == ZT_NONE)
		return ZT_NONE;
	blob = (zt_blob_t *)(void *)(b->zt->arena + off);
	blob->flags = r->flags;
	blob->an = counts[0];
	blob->ns = counts[1];
	blob->ar = counts[2];
	blob->ref_qlen = (uint16_t)qlen;
	blob->max_ptr = rb.max_ptr;
	blob->nfix = (uint16_t)rb.nfix;
	blob->len = (uint32_t)len;
	data = b->zt->arena + off + sizeof(zt_blob_t);
	memcpy(data, rb.buf + head, len);
	{
		uint16_t *fix = (uint16_t *)(void *)(data + ((len + 1) & ~(size_t)1));

		for (unsigned i = 0; i < rb.nfix; i++)
			fix[i] = (uint16_t)(rb.fix[i] - head);
	}
	return off;
}

static int add_ans(struct build *b, uint16_t qtype, uint32_t blob)
{
	zt_t *zt = b->zt;

	if (zt_mem_grow(&b->mem, ZT_ARR_ANS, (zt->nans + 1u) * sizeof(zt_ans_t)) != 0)
		return -ENOMEM;
	zt->ans[zt->nans].qtype = qtype;
	zt->ans[zt->nans].blob = blob;
	zt->nans++;
	return 0;
}

static bool qtype_listed(const uint16_t *list, unsigned n, uint16_t t)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == t)
			return true;
	return false;
}

/* The qtypes that get a blob of their own at node N. */
static unsigned node_qtypes(const zt_t *zt, uint32_t n, uint16_t *list, unsigned max)
{
	const zt_node_t *node = &zt->nodes[n];
	unsigned k = 0;

	if (node->deleg == n) {
		list[k++] = T_DS; /* a cut answers only DS itself; the rest is a referral */
		return k;
	}
	for (uint32_t i = 0; i < node->nrrsets && k < max; i++) {
		uint16_t t = zt->rrsets[node->rrsets + i].type;

		if (!qtype_listed(list, k, t))
			list[k++] = t;
	}
	if (k < max)
		list[k++] = T_ANY;
	if ((node->flags & ZN_CNAME) && k + 8 < max) {
		/* Types the chain may end on: every type along it, and the common ones. */
		static const uint16_t common[] = {T_A, T_AAAA, T_MX, T_TXT, T_NS, T_SRV, T_SOA};
		const uint8_t *target = zt->arena + zt->rrsets[node->rrsets].data + 2;

		for (unsigned i = 0; i < sizeof(common) / sizeof(common[0]); i++)
			if (!qtype_listed(list, k, common[i]))
				list[k++] = common[i];
		for (unsigned hop = 0; hop < 8 && k < max; hop++) {
			uint8_t key[WIRE_NAME_MAX + 1];
			size_t len = wire_name_lower(key, target);
			uint32_t t = zt_find(zt, key, len);
			const zt_node_t *tn;

			if (t == ZT_NONE)
				break;
			tn = &zt->nodes[t];
			for (uint32_t i = 0; i < tn->nrrsets && k < max; i++) {
				uint16_t ty = zt->rrsets[tn->rrsets + i].type;

				if (!qtype_listed(list, k, ty))
					list[k++] = ty;
			}
			if (!(tn->flags & ZN_CNAME))
				break;
			target = zt->arena + zt->rrsets[tn->rrsets].data + 2;
		}
	}
	return k;
}

/* Node N's referral from CUT, relocatable below N (NAME is N's, copied out of the arena). */
static void make_referral(struct build *b, uint32_t n, uint32_t cut, const uint8_t *name,
			  bool dnssec)
{
	zt_t *zt = b->zt;
	res_t r;
	uint32_t blob;

	res_reset(&r);
	res_referral(zt, cut, dnssec, &r);
	blob = make_blob(b, &r, name, true, zt->nodes[n].labels);
	if (dnssec)
		zt->nodes[n].referral_do = blob;
	else
		zt->nodes[n].referral = blob;
}

/*
 * Whether two resolutions are the same records in the same places (and so render the same
 * bytes for one question name). Those holding names made up on the way (DNAME) are never
 * taken as the same.
 */
static bool res_same(const res_t *x, const res_t *y)
{
	if (x->n != y->n || x->flags != y->flags || x->qname != y->qname || x->overflow ||
	    y->overflow || x->nnames > 0 || y->nnames > 0)
		return false;
	for (unsigned i = 0; i < x->n; i++) {
		const res_item_t *a = &x->item[i], *c = &y->item[i];

		if (a->section != c->section || a->owner_kind != c->owner_kind ||
		    a->node != c->node || a->name != c->name || a->rrset != c->rrset ||
		    a->ttl_override != c->ttl_override || a->cname_target != c->cname_target ||
		    a->required != c->required)
			return false;
	}
	return true;
}

static int make_node_answers(struct build *b, uint32_t n, bool dnssec)
{
	zt_t *zt = b->zt;
	zt_node_t *node = &zt->nodes[n];
	uint8_t name[WIRE_NAME_MAX + 1]; /* a copy: make_blob() may move the arena */
	bool wildcard;
	unsigned anchor;
	uint16_t qtypes[64];
	unsigned nq;
	uint32_t first = zt->nans;
	uint32_t blob, blob0 = ZT_NONE;
	res_t r, r0;

	if ((node->flags & ZN_SHADOW) && !(node->flags & ZN_CUT))
		return 0;
	memcpy(name, zt->arena + node->name, node->name_len);
	if (node->deleg != ZT_NONE && node->deleg != n) {
		/*
		 * Below a cut (glue): the referral rendered for this name and the names below it,
		 * so that NS targets and glue owners compress to the question as Knot's do. Names
		 * below a DNAME are answered live.
		 */
		if (zt->nodes[node->deleg].flags & ZN_CUT)
			make_referral(b, n, node->deleg, name, dnssec);
		return 0;
	}
	wildcard = name[0] == 1 && name[1] == '*' && !(node->flags & ZN_APEX);
	anchor = wildcard ? node->labels - 1u : node->labels;
	nq = node_qtypes(zt, n, qtypes, 64);
	for (unsigned i = 0; i < nq; i++) {
		size_t before = zt->arena_len;

		res_at_node(zt, n, qtypes[i], dnssec, i == 0 ? &r0 : &r);
		/*
		 * ANY is answered with one RRset, the lowest type's (resolve.c): when it resolves
		 * to just what the first type did, that type's answer is ANY's, unrendered.
		 */
		if (i > 0 && qtypes[i] == T_ANY && blob0 != ZT_NONE && res_same(&r, &r0)) {
			if (add_ans(b, qtypes[i], blob0) != 0)
				return -ENOMEM;
			continue;
		}
		blob = make_blob(b, i == 0 ? &r0 : &r, name, wildcard, anchor);
		if (i == 0)
			blob0 = blob;
		if (blob == ZT_NONE)
			continue; /* too big to precompute: answered live */
		/*
		 * The same bytes as an answer just made for this node (ANY at a name with one
		 * RRset is that RRset's answer): share it. A million hosts' worth of arena.
		 */
		for (uint32_t k = first; k < zt->nans; k++) {
			const zt_blob_t *x = zt_blob(zt, zt->ans[k].blob), *y = zt_blob(zt, blob);
			size_t size = zt_blob_size(y->len, y->nfix);

			if (zt_blob_size(x->len, x->nfix) == size && memcmp(x, y, size) == 0) {
				zt->arena_len = before;
				blob = zt->ans[k].blob;
				break;
			}
		}
		if (add_ans(b, qtypes[i], blob) != 0)
			return -ENOMEM;
	}
	node = &zt->nodes[n];
	if (dnssec) {
		node->ans_do = first;
		node->nans_do = (uint16_t)(zt->nans - first);
	} else {
		node->ans = first;
		node->nans = (uint16_t)(zt->nans - first);
		if (node->nans > 0) {
			node->ans0_qtype = zt->ans[first].qtype;
			node->ans0_blob = zt->ans[first].blob;
		}
	}
	/*
	 * The default answer: NODATA. Unsigned, it is the zone's shared relocatable one; signed,
	 * the node's NSEC goes with it. A CNAME's default depends on its target: answered live.
	 */
	if (!dnssec && !(node->flags & ZN_CNAME) && !(node->flags & ZN_APEX)) {
		node->ans_default = zt->zones[node->zone].nodata;
	} else if (!dnssec && !(node->flags & ZN_CNAME)) {
		/* The apex has its own: the root's question has no label to compress against. */
		res_at_node(zt, n, T_OPT, false, &r);
		node->ans_default = make_blob(b, &r, name, false, anchor);
		node = &zt->nodes[n];
	} else if (dnssec && !(node->flags & ZN_CNAME) && !wildcard) {
		/* OPT never has data in a zone: this renders the node's NODATA. */
		res_at_node(zt, n, T_OPT, true, &r);
		node->ans_default_do = make_blob(b, &r, name, false, anchor);
		node = &zt->nodes[n];
	}
	if (node->flags & ZN_CUT && node->deleg == n)
		make_referral(b, n, n, name, dnssec);
	return 0;
}

static int make_answers(struct build *b)
{
	zt_t *zt = b->zt;
	res_t r;

	for (uint32_t z = 0; z < zt->nzones; z++) {
		zt_zone_t *zone = &zt->zones[z];
		uint8_t apex[WIRE_NAME_MAX + 1];
		unsigned labels = zt->nodes[zone->apex].labels;

		memcpy(apex, zt->arena + zt->nodes[zone->apex].name,
		       zt->nodes[zone->apex].name_len);
		res_reset(&r);
		res_negative(zt, z, RC_NXDOMAIN, false, &r);
		zone->nxdomain = make_blob(b, &r, apex, true, labels);
		res_reset(&r);
		res_negative(zt, z, RC_NOERROR, false, &r);
		zone->nodata = make_blob(b, &r, apex, true, labels);
		if (zone->nxdomain == ZT_NONE || zone->nodata == ZT_NONE) {
			build_fail(b, "zone %s: cannot render its negative answer", zone->origin);
			return SANDNS_EZONE;
		}
	}
	for (uint32_t n = 0; n < zt->nnodes; n++) {
		bool is_signed = zt->nodes[n].flags & ZN_SIGNED;

		if (make_node_answers(b, n, false) != 0)
			return -ENOMEM;
		if (is_signed && make_node_answers(b, n, true) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------- the snapshot */

static int cmp_zone_depth(const void *a, const void *b)
{
	const zload_zone_t *x = *(zload_zone_t *const *)a, *y = *(zload_zone_t *const *)b;
	unsigned lx = wire_name_labels(ldns_rdf_data(x->origin));
	unsigned ly = wire_name_labels(ldns_rdf_data(y->origin));

	return lx > ly ? -1 : (lx < ly);
}

zt_t *zt_new(zload_zone_t *const *zones_in, size_t nzones, const zt_opts_t *opts, char *err,
	     size_t errlen)
{
	struct build *b = calloc(1, sizeof(*b));
	zload_zone_t **zones = calloc(nzones ? nzones : 1, sizeof(*zones));
	struct pending_rr *pend = NULL;
	size_t npend = 0, pend_cap = 0;
	zt_t *zt = NULL;
	size_t nrr = 0;

	if (errlen > 0)
		err[0] = '\0';
	if (b == NULL || zones == NULL)
		goto fail_nomem;
	b->err = err;
	b->errlen = errlen;
	zt = calloc(1, sizeof(*zt));
	if (zt == NULL)
		goto fail_nomem;
	b->zt = zt;
	b->mem.zt = zt;
	if (nzones > 0) {
		memcpy(zones, zones_in, nzones * sizeof(*zones));
		/* Deeper zones first: a name belongs to the deepest zone that holds it. */
		qsort(zones, nzones, sizeof(*zones), cmp_zone_depth);
	}
	for (size_t i = 0; i < nzones; i++)
		nrr += zload_rr_count(zones[i]);
	zt->udp_max = opts && opts->udp_max_payload ? opts->udp_max_payload : ZT_UDP_MAX_DEFAULT;
	if (zt->udp_max < 512)
		zt->udp_max = 512;
	if (opts && opts->identity && (zt->identity = strdup(opts->identity)) == NULL)
		goto fail_nomem;
	if (opts && opts->version && (zt->version = strdup(opts->version)) == NULL)
		goto fail_nomem;
	zt->zones = calloc(nzones ? nzones : 1, sizeof(zt_zone_t));
	if (zt->zones == NULL || zt_index_resize(zt, (uint32_t)(nrr + 16)) != 0)
		goto fail_nomem;
	zt->nzones = (uint32_t)nzones;
	for (size_t z = 0; z < nzones; z++) {
		zt->zones[z].origin = strdup(zones[z]->origin_text);
		const zt_zone_edits_t *e = NULL;

		for (size_t k = 0; opts != NULL && k < opts->nedits; k++)
			if (opts->edits[k].zone == zones[z])
				e = &opts->edits[k];
		zt->zones[z].serial = e != NULL ? e->serial & 0xffffffffUL : zones[z]->serial;
		zt->zones[z].soa = ZT_NONE;
		if (zt->zones[z].origin == NULL)
			goto fail_nomem;
		if (load_zone(b, zones, nzones, z, e, &pend, &npend, &pend_cap) != 0)
			goto fail;
	}
	if (make_rrsets(b, pend, npend) != 0)
		goto fail_nomem;
	/* zload guarantees an SOA; a snapshot never relies on that alone. */
	for (size_t z = 0; z < nzones; z++) {
		if (zt->zones[z].soa == ZT_NONE) {
			build_fail(b, "zone %s has no SOA record", zt->zones[z].origin);
			goto fail;
		}
	}
	if (link_nodes(b) != 0)
		goto fail_nomem;
	if (make_answers(b) != 0)
		goto fail;
	/* Octets after the last name, so that zt_find_slack() may read whole words past any. */
	if (arena_put(b, NULL, WIRE_SLACK, 1) == ZT_NONE)
		goto fail_nomem;
	zt_mem_join(&b->mem);
	zt_mem_settle(zt);
	if (order_job_new(zt) != 0)
		goto fail_nomem;
	zt->memsize += sizeof(*zt) + zt->arena_len + zt->nnodes * sizeof(zt_node_t) +
		       zt->nrrsets * sizeof(zt_rrset_t) + zt->nans * sizeof(zt_ans_t) +
		       nzones * sizeof(zt_zone_t) + (zt->index_mask + 1u) * sizeof(uint32_t);
	free(pend);
	free(b->pdata);
	free(zones);
	free(b);
	return zt;
fail_nomem:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "out of memory while compiling the zones");
fail:
	if (errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "cannot compile the zones");
	free(pend);
	free(zones);
	if (b != NULL) {
		zt_mem_join(&b->mem);
		free(b->pdata);
	}
	free(b);
	zt_free(&zt);
	return NULL;
}

void zt_free(zt_t **ztp)
{
	zt_t *zt;

	if (ztp == NULL || *ztp == NULL)
		return;
	zt = *ztp;
	if (zt->order_job != NULL) {
		if (zt->order_job->started)
			pthread_join(zt->order_job->tid, NULL);
		pthread_mutex_destroy(&zt->order_job->lock);
		pthread_cond_destroy(&zt->order_job->cond);
		free(zt->order_job);
	}
	for (uint32_t z = 0; zt->zones != NULL && z < zt->nzones; z++) {
		free(zt->zones[z].origin);
		free(zt->zones[z].nsec);
		free(zt->zones[z].axfr);
	}
	free(zt->zones);
	zt_mem_free(zt);
	free(zt->identity);
	free(zt->version);
	free(zt);
	*ztp = NULL;
}

size_t zt_memsize(const zt_t *zt)
{
	return zt->memsize;
}

size_t zt_zone_count(const zt_t *zt)
{
	return zt->nzones;
}

const char *zt_zone_origin(const zt_t *zt, size_t i)
{
	return i < zt->nzones ? zt->zones[i].origin : NULL;
}

unsigned long zt_zone_serial(const zt_t *zt, size_t i)
{
	return i < zt->nzones ? zt->zones[i].serial : 0;
}
