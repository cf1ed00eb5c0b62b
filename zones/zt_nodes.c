/* SPDX-License-Identifier: BSD-3-Clause */
/* zt_nodes.c: a zone's records, with the policy's edits, into nodes and pending records */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "sandns_err.h"
#include "zload_pvt.h"
#include "zt_build.h"
#include "zt_index.h"

/* Appends a node for a lower-cased wire name, in no index yet; ZT_NONE without memory. */
static uint32_t node_append(struct zt_build *b, const uint8_t *key, size_t len, uint32_t zone,
			    uint8_t flags)
{
	zt_t *zt = b->zt;
	zt_node_t *node;
	uint32_t name, n;

	if (zt_mem_grow(&b->mem, ZT_ARR_NODES, (zt->nnodes + 1u) * sizeof(zt_node_t)) != 0)
		return ZT_NONE;
	name = zt_mem_arena_put(&b->mem, key, len, 1);
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

/* Room in the index for one more name: a compile's grows to hold every node, a patch's its own. */
static int index_room(struct zt_build *b)
{
	zt_t *zt = b->zt;

	if (b->patch)
		return zt_index_room(zt);
	return zt_index_full(zt) ? zt_index_resize(zt, (zt->nnodes + 1) * 2) : 0;
}

/* Finds or creates the node for a lower-cased wire name; ENT parents are created by the caller. */
static uint32_t node_get(struct zt_build *b, const uint8_t *key, size_t len, uint32_t zone)
{
	zt_t *zt = b->zt;
	uint32_t n = zt_find(zt, key, len);

	if (n != ZT_NONE)
		return n;
	if (index_room(b) != 0)
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
static uint32_t node_get_shadow(struct zt_build *b, const uint8_t *key, size_t len, uint32_t zone)
{
	zt_t *zt = b->zt;

	for (uint32_t i = zt->zones[zone].first_node; i < zt->nnodes; i++)
		if ((zt->nodes[i].flags & ZN_SHADOW) && zt->nodes[i].name_len == len &&
		    memcmp(zt->arena + zt->nodes[i].name, key, len) == 0)
			return i;
	return node_append(b, key, len, zone, ZN_SHADOW);
}

/*
 * Whether KEY (LEN octets, lower-cased, at or below zone Z's apex of APEX_LEN octets) is at or
 * below the apex of another zone we serve. Deeper zones are loaded first, so their apexes are
 * in the index: one lookup per label between the name and Z's apex, and none at all for a zone
 * with no zone below it (HAS_SUB), which is most.
 */
static bool shadowed(const zt_t *zt, bool has_sub, uint32_t z, const uint8_t *key, size_t len,
		     size_t apex_len)
{
	if (!has_sub)
		return false;
	while (len > apex_len) {
		uint32_t n = zt_find(zt, key, len);

		if (n != ZT_NONE && (zt->nodes[n].flags & ZN_APEX) && zt->nodes[n].zone != z)
			return true;
		len -= (size_t)*key + 1;
		key += *key + 1;
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
static int zedits_init(struct zt_build *b, struct zedits *ze, const zload_zone_t *zone,
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
				zt_build_fail(b, "%s: '%s' is not a domain name", zone->origin_text,
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
static int node_ancestors(struct zt_build *b, const uint8_t *key, size_t len, size_t apex_len,
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

/* What zt_nodes_load_zone() hands to each record. */
struct load {
	zload_zone_t *const *zones;
	size_t nzones, z;
	const struct zedits *ze;
	ldns_buffer *buf;
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
static uint32_t node_new(struct zt_build *b, const uint8_t *key, size_t len, uint32_t zone)
{
	zt_t *zt = b->zt;
	uint32_t n;

	if (index_room(b) != 0)
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
static int load_rr(struct zt_build *b, struct load *l, const struct rec *rr, size_t after,
		   size_t order)
{
	zt_t *zt = b->zt;
	const zload_zone_t *zone = l->zones[l->z];
	uint8_t key[WIRE_NAME_MAX + 1], lenb[2];
	size_t len = wire_name_lower(key, rr->owner);
	uint16_t type = rr->type, rdlen = rr->rdlen;
	struct zt_pending *p;
	uint32_t node, off;

	if (l->ze->nwh > 0 && zedits_withheld(l->ze, key, len, type, after))
		return 0;
	if (l->sorted && len == l->last_len && memcmp(key, l->last_key, len) == 0) {
		node = l->last_node; /* its ancestors are there too */
	} else if (shadowed(zt, b->has_sub != NULL && b->has_sub[l->z], (uint32_t)l->z, key, len,
			    ldns_rdf_size(zone->origin))) {
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
	if (!GROW(b->pend, b->pend_cap, b->npend + 1, 64))
		return -ENOMEM;
	/* [u16 len][rdata] in the build's own buffer: zt_rrsets_make() copies it into the arena. */
	if (b->pdata_len + 2u + rdlen > UINT32_MAX ||
	    !GROW(b->pdata, b->pdata_cap, b->pdata_len + 2u + rdlen, 64))
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
	p = &b->pend[b->npend++];
	p->node = node;
	p->type = type;
	p->covered = type == T_RRSIG && rdlen >= 2 ? wire_get16(b->pdata + off + 2) : 0;
	p->ttl = rr->ttl;
	p->order = (uint32_t)order;
	p->rdata = off;
	return 0;
}

/* A name kept as a node without records (it answers NODATA; no wildcard answers for it). */
static int load_empty(struct zt_build *b, const struct load *l, const ldns_rdf *name)
{
	const zload_zone_t *zone = l->zones[l->z];
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, ldns_rdf_data(name));

	if (shadowed(b->zt, b->has_sub != NULL && b->has_sub[l->z], (uint32_t)l->z, key, len,
		     ldns_rdf_size(zone->origin)))
		return 0;
	if (node_get(b, key, len, (uint32_t)l->z) == ZT_NONE ||
	    node_ancestors(b, key, len, ldns_rdf_size(zone->origin), (uint32_t)l->z) != 0)
		return -ENOMEM;
	return 0;
}

/*
 * How many records ahead zt_nodes_load_zone() asks for the index slot of an owner: in a large zone
 * each is a cache miss, which the records between then overlap.
 */
#define LOAD_AHEAD 16

static void prefetch_slot(const zt_t *zt, const uint8_t *owner)
{
	uint8_t key[WIRE_NAME_MAX + 1];
	size_t len = wire_name_lower(key, owner);

	__builtin_prefetch(&zt->index[zt_hash(key, len) & zt->index_mask], 1);
}

int zt_nodes_load_zone(struct zt_build *b, zload_zone_t *const *zones, size_t nzones, size_t z,
		       const zt_zone_edits_t *e)
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
	    .buf = NULL, /* only for the policy's added records: most zones have none */
	};
	uint8_t key[WIRE_NAME_MAX + 1];
	uint32_t apex;
	int ret = e != NULL ? zload_edits_check(zone, e->edits, e->nedits, b->err, b->errlen) : 0;

	if (ret == 0)
		ret = zedits_init(b, &ze, zone, e);
	else
		memset(&ze, 0, sizeof(ze));
	if (ret == 0 && ze.nadd > 0 && (l.buf = ldns_buffer_new(65535)) == NULL)
		ret = -ENOMEM;
	if (ret != 0)
		goto out;
	zt->zones[z].first_node = zt->nnodes;
	zt->zones[z].edits_fp = zt_edits_fp(e);
	wire_name_lower(key, ldns_rdf_data(zone->origin));
	apex = node_get(b, key, ldns_rdf_size(zone->origin), (uint32_t)z);
	if (apex == ZT_NONE || zt->nodes[apex].zone != z) {
		zt_build_fail(b, "zone %s is served twice", zone->origin_text);
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
			zt_build_fail(b, "%s: a record's RDATA cannot be encoded",
				      zone->origin_text);
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
			zt_build_fail(b, "%s: '%s' is not a domain name", zone->origin_text,
				      e->edits[i].owner);
			ret = SANDNS_EZONE;
			break;
		}
		ret = load_empty(b, &l, name);
		ldns_rdf_deep_free(name);
	}
out:
	zedits_free(&ze);
	if (l.buf != NULL)
		ldns_buffer_free(l.buf);
	return ret;
}
